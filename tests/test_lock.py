"""Group locks: held while alive, released by the kernel when the holder dies, taken over with a log line."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from crawler.lock import GroupLock, LockHeld, LockOwner, exclusive

# A process that takes the lock, writes its owner, says so, then waits to be killed. With an
# argument it first starts a child that inherits the lock's descriptor (as a scheduler's crawl does).
HOLDER = textwrap.dedent(
    """
    import subprocess, sys, time
    from pathlib import Path
    from crawler.lock import GroupLock, LockOwner
    lock = GroupLock(Path(sys.argv[1]))
    lock.acquire()
    child = None
    if len(sys.argv) > 2:
        child = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(60)"], pass_fds=(lock.fileno(),)
        )
    lock.record(LockOwner(pid=1234, started="2026-11-24T12:00:00Z", run_id=7,
                          child=child.pid if child else None))
    print(child.pid if child else 0, flush=True)
    time.sleep(60)
    """
)


def start_holder(path: Path, *, with_child: bool = False) -> tuple[subprocess.Popen[str], int]:
    args = [sys.executable, "-c", HOLDER, str(path), *(["child"] if with_child else [])]
    holder = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    child_pid = int(holder.stdout.readline())
    return holder, child_pid


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def reap(process: subprocess.Popen[str]) -> None:
    process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


def test_a_clean_release_leaves_nothing_to_take_over(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "group.lock"
    lock = GroupLock(path)
    assert lock.acquire() is None
    lock.record(LockOwner(pid=os.getpid(), started="2026-11-24T12:00:00Z"))
    assert path.read_bytes()
    lock.release()
    assert path.read_bytes() == b""
    with GroupLock(path) as left:
        assert left is None


def test_a_held_lock_is_refused_and_names_its_holder(tmp_path: Path) -> None:
    path = tmp_path / "group.lock"
    first = GroupLock(path)
    first.acquire()
    first.record(LockOwner(pid=4242, started="2026-11-24T12:00:00Z", child=4243, run_id=9))
    with pytest.raises(LockHeld) as raised:
        GroupLock(path).acquire()
    assert raised.value.owner == LockOwner(4242, "2026-11-24T12:00:00Z", 4243, 9)
    assert "pid 4242, started 2026-11-24T12:00:00Z, crawl pid 4243, run 9" in str(raised.value)
    first.release()
    assert GroupLock(path).acquire() is None


def test_a_lock_whose_holder_was_killed_is_taken_over_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "group.lock"
    holder, _ = start_holder(path)
    with pytest.raises(LockHeld):
        GroupLock(path).acquire()
    kill(holder.pid)
    reap(holder)
    lock = GroupLock(path)
    with caplog.at_level(logging.WARNING, logger="jobcrawl.lock"):
        left = lock.acquire()
    assert left == LockOwner(pid=1234, started="2026-11-24T12:00:00Z", run_id=7)
    assert f"taking over {path}: its holder (pid 1234" in caplog.text
    lock.release()


def test_a_child_holding_the_descriptor_keeps_the_lock_after_its_parent_dies(
    tmp_path: Path,
) -> None:
    path = tmp_path / "group.lock"
    holder, child = start_holder(path, with_child=True)
    kill(holder.pid)
    reap(holder)
    with pytest.raises(LockHeld) as raised:
        GroupLock(path).acquire()
    assert raised.value.owner is not None
    assert raised.value.owner.child == child
    kill(child)
    deadline = time.monotonic() + 10
    while True:  # the orphan is reaped by init; its descriptor closes when it is gone
        try:
            left = GroupLock(path).acquire()
            break
        except LockHeld:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert left is not None
    assert left.child == child


def test_unreadable_content_is_still_taken_over(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "group.lock"
    path.write_text('{"pid": "not a number"')
    with caplog.at_level(logging.WARNING, logger="jobcrawl.lock"):
        left = GroupLock(path).acquire()
    assert left == LockOwner(pid=0, started="unknown")
    assert "taking over" in caplog.text


@pytest.mark.parametrize(
    "data",
    [b"", b"garbage", b"[]", b'{"started": "x"}', b'{"pid": 1, "started": "x", "run_id": "a"}'],
)
def test_owner_loads_refuses_what_it_did_not_write(data: bytes) -> None:
    assert LockOwner.loads(data) is None


def test_owner_round_trips() -> None:
    owner = LockOwner(pid=1, started="2026-11-24T12:00:00Z", child=2, run_id=3)
    assert LockOwner.loads(owner.dumps()) == owner


def test_exclusive_makes_the_second_holder_wait(tmp_path: Path) -> None:
    path = tmp_path / "spawn.lock"
    events: list[str] = []
    entered = threading.Event()

    def second() -> None:
        entered.wait()
        with exclusive(path):
            events.append("second")

    thread = threading.Thread(target=second)
    thread.start()
    with exclusive(path):
        entered.set()
        time.sleep(0.2)  # long enough for the second to reach the lock if it could
        events.append("first")
    thread.join(timeout=10)
    assert events == ["first", "second"]

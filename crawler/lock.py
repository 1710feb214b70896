"""
Locks that survive a crash: one file per source group, held with `fcntl.flock`.

The kernel owns the lock, not the file: it is released when the last descriptor of the open file
closes, so a process killed with SIGKILL never leaves a group locked for ever. The descriptor can be
handed to a child process (`pass_fds`), which then keeps the group locked even if its parent dies.

The file's content says who holds the lock (pid, start time, the crawl's pid and run id) for the
messages. A holder that releases cleanly empties the file, so content found by the next holder means
the previous one died holding it: the lock is taken over, with a log line, and the caller learns which
run was cut short.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

log = logging.getLogger("jobcrawl.lock")


@dataclass(frozen=True)
class LockOwner:
    """Who holds (or held) a lock: the scheduler's pid and start time, then its crawl's pid and run."""

    pid: int
    started: str
    child: int | None = None
    run_id: int | None = None

    def describe(self) -> str:
        parts = [f"pid {self.pid}", f"started {self.started}"]
        if self.child is not None:
            parts.append(f"crawl pid {self.child}")
        if self.run_id is not None:
            parts.append(f"run {self.run_id}")
        return ", ".join(parts)

    def dumps(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def loads(cls, data: bytes) -> LockOwner | None:
        """The owner written in a lock file; None for an empty or unreadable one."""
        try:
            fields = json.loads(data)
            return cls(
                pid=int(fields["pid"]),
                started=str(fields["started"]),
                child=None if fields.get("child") is None else int(fields["child"]),
                run_id=None if fields.get("run_id") is None else int(fields["run_id"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


class LockHeld(Exception):
    """Another live process holds the lock."""

    def __init__(self, path: Path, owner: LockOwner | None) -> None:
        holder = owner.describe() if owner else "a process that has not written its name yet"
        super().__init__(f"{path} is held by {holder}")
        self.owner = owner


class GroupLock:
    """
    The lock of one source group. `acquire()` never waits: a run that finds it held is skipped.

    Use as a context manager or call `acquire()` / `release()`; `record()` rewrites the owner as
    the run learns its crawl's pid and run id.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def fileno(self) -> int:
        if self._fd is None:
            raise RuntimeError(f"{self.path} is not held")
        return self._fd

    def acquire(self) -> LockOwner | None:
        """
        Take the lock; raise `LockHeld` if a live process has it.

        Returns the owner a dead holder left in the file (after logging the takeover), or None
        when the last holder released it cleanly.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = LockOwner.loads(_read(fd))
            os.close(fd)
            raise LockHeld(self.path, owner) from None
        self._fd = fd
        left = _read(fd)
        if not left.strip():
            return None
        owner = LockOwner.loads(left) or LockOwner(pid=0, started="unknown")
        log.warning(
            "taking over %s: its holder (%s) is gone without releasing it",
            self.path,
            owner.describe(),
        )
        return owner

    def record(self, owner: LockOwner) -> None:
        """Write `owner` into the held lock file, durably, for messages and for crash recovery."""
        fd = self.fileno()
        os.ftruncate(fd, 0)
        os.pwrite(fd, owner.dumps(), 0)
        os.fsync(fd)

    def release(self) -> None:
        """Empty the file (a clean release) and unlock it."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> LockOwner | None:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """
    Hold a short exclusive lock on `path`, waiting for it.

    For moments that must not interleave between processes (a scheduler spawning a crawl and
    learning its run id); a holder that dies releases it with its descriptor.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _read(fd: int) -> bytes:
    return os.pread(fd, 4096, 0)

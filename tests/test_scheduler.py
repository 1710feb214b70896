"""`jobcrawl schedule`: intervals and groups, then real schedulers in subprocesses against the local site."""

from __future__ import annotations

import fcntl
import itertools
import json
import logging
import os
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

import crawler.cli.schedule  # noqa: F401  (registers the command)
from crawler.cli import app
from crawler.config import load_sources
from crawler.demo.server import CareerSiteServer, Fault
from crawler.errors import ConfigError
from crawler.lock import GroupLock, LockOwner
from crawler.scheduler import (
    Database,
    Group,
    GroupRunner,
    RunResult,
    format_interval,
    load_groups,
    parse_every,
)
from tests.test_store_backends import empty_postgres, pg_url

__all__ = ["pg_url"]  # the throwaway PostgreSQL database fixture

SCHEDULE = [
    sys.executable,
    "-c",
    "import crawler.cli.schedule; from crawler.cli import main; main()",
    "schedule",
]
QUICK = ["--set", "AUTOTHROTTLE_ENABLED=False", "--set", "DOWNLOAD_DELAY=0"]
LISTING = "/v1/boards/{board}/jobs"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

# -- intervals, crontabs, groups ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("6h", 6 * 3600),
        ("30m", 1800),
        ("90s", 90),
        ("1d", 86400),
        ("1h30m", 5400),
        ("2d12h", 216000),
        (" 2H ", 7200),
    ],
)
def test_parse_every(text: str, seconds: int) -> None:
    assert parse_every(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "6", "h", "0s", "0h0m", "6x", "30m1h", "1h1h", "-1h", "1.5h"])
def test_parse_every_refuses(text: str) -> None:
    with pytest.raises(ConfigError, match=r"expected an interval|longer than zero"):
        parse_every(text)


@pytest.mark.parametrize(
    ("seconds", "text"), [(21600, "6h"), (5400, "1h30m"), (90, "1m30s"), (86401, "1d1s")]
)
def test_format_interval_reads_back(seconds: int, text: str) -> None:
    assert format_interval(timedelta(seconds=seconds)) == text
    assert parse_every(text) == timedelta(seconds=seconds)


def test_cron_group_fires_at_the_crontab_times() -> None:
    trigger = Group("nightly", cron="0 */6 * * *").trigger()
    after = datetime(2026, 11, 24, 7, 15, tzinfo=UTC).astimezone(trigger.timezone)
    fire = trigger.get_next_fire_time(None, after)
    assert fire.astimezone(UTC).hour % 6 == 0
    assert (fire.minute, fire.second) == (0, 0)
    assert timedelta(0) < fire - after <= timedelta(hours=6)


def test_interval_group_fires_every_interval() -> None:
    trigger = Group("boards", every=timedelta(minutes=30)).trigger()
    first = trigger.get_next_fire_time(None, NOW)
    assert trigger.get_next_fire_time(first, first) - first == timedelta(minutes=30)


def test_a_group_has_exactly_one_schedule() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Group("x")
    with pytest.raises(ValueError, match="exactly one"):
        Group("x", every=timedelta(hours=1), cron="0 * * * *")


def write_sources(path: Path, body: str) -> Path:
    path.write_text(
        "sources:\n"
        "  - {kind: greenhouse, board: vercel}\n"
        "  - {kind: greenhouse, board: databricks}\n"
        "  - {kind: lever, board: spotify}\n" + body
    )
    return path


def groups_of(path: Path, **options: Any) -> list[Group]:
    return load_groups(path, load_sources(path).sources, **options)


def test_command_line_schedule_makes_one_group_of_everything(tmp_path: Path) -> None:
    path = write_sources(tmp_path / "s.yaml", "")
    assert groups_of(path, every="6h") == [Group("default", every=timedelta(hours=6))]
    assert groups_of(path, cron="0 3 * * *") == [Group("default", cron="0 3 * * *")]


def test_schedules_mapping_makes_groups_and_the_rest_follows_the_command_line(
    tmp_path: Path,
) -> None:
    path = write_sources(
        tmp_path / "s.yaml",
        "schedules:\n"
        "  boards: {every: 30m, only: [greenhouse:vercel, lever]}\n"
        "  nightly: {cron: '0 3 * * *', only: [greenhouse:databricks]}\n",
    )
    assert groups_of(path) == [
        Group("boards", every=timedelta(minutes=30), only=("greenhouse:vercel", "lever")),
        Group("nightly", cron="0 3 * * *", only=("greenhouse:databricks",)),
    ]
    path = write_sources(tmp_path / "s.yaml", "schedules:\n  boards: {every: 30m, only: [lever]}\n")
    assert groups_of(path, every="6h")[-1] == Group(
        "default",
        every=timedelta(hours=6),
        only=("greenhouse:vercel", "greenhouse:databricks"),
    )


def test_sources_in_no_group_are_logged_when_nothing_schedules_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_sources(tmp_path / "s.yaml", "schedules:\n  boards: {every: 30m, only: [lever]}\n")
    with caplog.at_level(logging.WARNING, logger="jobcrawl.schedule"):
        groups = groups_of(path)
    assert [group.name for group in groups] == ["boards"]
    assert (
        "not scheduled (in no group of `schedules:`): greenhouse:vercel, greenhouse:databricks"
        in (caplog.text)
    )


@pytest.mark.parametrize(
    ("body", "options", "message"),
    [
        ("", {}, "give --every or --cron, or a `schedules:` mapping in"),
        ("", {"every": "1h", "cron": "0 * * * *"}, "give --every or --cron, not both"),
        ("", {"every": "often"}, "'often': expected an interval"),
        (
            "",
            {"cron": "0 */6 * *"},
            "'0 */6 * *': not a crontab expression: Wrong number of fields",
        ),
        ("schedules: [a]\n", {}, "schedules: expected a mapping of group names"),
        (
            "schedules:\n  a: {only: [lever]}\n",
            {},
            "schedules.a: give exactly one of `every` and `cron`",
        ),
        (
            "schedules:\n  a: {every: 1h, cron: '0 * * * *', only: [lever]}\n",
            {},
            "schedules.a: give exactly one of `every` and `cron`",
        ),
        ("schedules:\n  a: {every: 1h}\n", {}, "schedules.a: only: Field required"),
        (
            "schedules:\n  a: {every: 1h, only: []}\n",
            {},
            "schedules.a: only: List should have at least 1",
        ),
        (
            "schedules:\n  a: {every: 1h, only: [lever], at: 3}\n",
            {},
            "schedules.a: at: unknown field",
        ),
        (
            "schedules:\n  a: {every: soon, only: [lever]}\n",
            {},
            "schedules.a: 'soon': expected an interval",
        ),
        (
            "schedules:\n  a: {cron: '99 * * * *', only: [lever]}\n",
            {},
            "schedules.a: '99 * * * *': not a",
        ),
        (
            "schedules:\n  a: {every: 1h, only: [workday]}\n",
            {},
            "schedules.a: only: workday matches no source",
        ),
        (
            "schedules:\n  default: {every: 1h, only: [lever]}\n",
            {},
            "schedules.default: a group name is",
        ),
        ("schedules:\n  a b: {every: 1h, only: [lever]}\n", {}, "schedules.a b: a group name is"),
        (
            "schedules:\n  a: {every: 1h, only: [greenhouse]}\n  b: {every: 2h, only: [greenhouse:vercel]}\n",
            {},
            "schedules.b: greenhouse:vercel is already in group a",
        ),
    ],
)
def test_schedule_mistakes_name_what_is_wrong(
    tmp_path: Path, body: str, options: dict[str, str], message: str
) -> None:
    path = write_sources(tmp_path / "s.yaml", body)
    with pytest.raises(ConfigError) as raised:
        groups_of(path, **options)
    assert message in str(raised.value)


def test_the_crawl_command_of_a_group(tmp_path: Path) -> None:
    group = Group("boards", every=timedelta(hours=1), only=("greenhouse:vercel", "lever"))
    runner = GroupRunner(
        group,
        sources_file=tmp_path / "s.yaml",
        db=Database.of(tmp_path / "jobs.db"),
        lock_dir=tmp_path / "locks",
        settings=["ROBOTSTXT_OBEY=False"],
    )
    assert runner.command() == [
        sys.executable, "-m", "crawler", "crawl", "--sources", str(tmp_path / "s.yaml"),
        "--db", str(tmp_path / "jobs.db"), "--quiet", "--only", "greenhouse:vercel",
        "--only", "lever", "--set", "ROBOTSTXT_OBEY=False",
    ]  # fmt: skip
    assert runner.lock_path == tmp_path / "locks" / "jobs.db.group-boards.lock"


@pytest.mark.parametrize(
    ("result", "severity"),
    [
        (RunResult("g", skipped=True), 0),
        (RunResult("g", run_id=1, exit_code=0, status="ok"), 0),
        (RunResult("g", run_id=1, exit_code=1, status="partial"), 1),
        (RunResult("g", run_id=1, exit_code=0, status="interrupted"), 1),
        (RunResult("g", run_id=1, exit_code=-9, status="interrupted"), 1),
        (RunResult("g", exit_code=2), 2),
    ],
)
def test_run_severity(result: RunResult, severity: int) -> None:
    assert result.severity == severity


# -- configuration errors through the command ---------------------------------------------------

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --every or --cron, or a `schedules:` mapping"),
        (["--every", "5x"], "'5x': expected an interval"),
        (["--every", "1h", "--cron", "0 * * * *"], "give --every or --cron, not both"),
        (["--every", "1h", "--set", "NOVALUE"], "--set 'NOVALUE': expected NAME=VALUE"),
        (
            ["--every", "1h", "--alerts-config", "/nonexistent/alerts.yaml"],
            "/nonexistent/alerts.yaml: cannot read",
        ),
    ],
)
def test_bad_configuration_is_exit_2_before_anything_runs(
    tmp_path: Path, args: list[str], message: str
) -> None:
    path = write_sources(tmp_path / "s.yaml", "")
    db = tmp_path / "jobs.db"
    result = runner.invoke(app, ["schedule", "--sources", str(path), "--db", str(db), *args])
    assert result.exit_code == 2
    assert f"jobcrawl: error: {message}" in result.output
    assert not db.exists()


@pytest.mark.parametrize("where", ["db", "lock-dir"])
def test_a_database_or_lock_folder_that_cannot_be_made_is_exit_2(
    tmp_path: Path, where: str
) -> None:
    path = write_sources(tmp_path / "s.yaml", "")
    (tmp_path / "file").write_text("not a folder")
    below_a_file = tmp_path / "file" / "below"
    db, lock_dir = (
        (below_a_file / "jobs.db", tmp_path) if where == "db" else (tmp_path / "j.db", below_a_file)
    )
    result = runner.invoke(
        app,
        [
            "schedule",
            "--sources",
            str(path),
            "--db",
            str(db),
            "--lock-dir",
            str(lock_dir),
            "--every",
            "1h",
        ],
    )
    assert result.exit_code == 2
    assert "jobcrawl: error: " in result.output
    assert "cannot" in result.output


def test_an_unreadable_sources_file_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["schedule", "--sources", str(tmp_path / "none.yaml"), "--every", "1h"]
    )
    assert result.exit_code == 2
    assert "cannot read" in result.output


# -- real schedulers ----------------------------------------------------------------------------


@dataclass
class Scheduler:
    """A `jobcrawl schedule` subprocess whose log goes to a file."""

    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def wait(self, timeout: float = 120) -> int:
        return self.process.wait(timeout=timeout)


STARTED: list[subprocess.Popen[bytes]] = []


@pytest.fixture(autouse=True)
def _no_scheduler_left_running() -> Iterator[None]:
    """A test that fails half-way must not leave its schedulers running."""
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def start(tmp_path: Path, name: str, *args: str) -> Scheduler:
    log_path = tmp_path / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([*SCHEDULE, *args, *QUICK], stderr=log, stdout=log)
    STARTED.append(process)
    return Scheduler(process, log_path)


def site_sources(tmp_path: Path, site: CareerSiteServer, *boards: str, extra: str = "") -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        + "".join(
            f"  - {{kind: greenhouse, board: {board}, base_url: '{site.url}'}}\n"
            for board in boards
        )
        + extra
    )
    return path


def runs(db: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute("SELECT * FROM runs ORDER BY id")]


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


def wait_until(condition: Callable[[], object], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def owner(lock: Path) -> LockOwner | None:
    return LockOwner.loads(lock.read_bytes()) if lock.exists() else None


def lock_is_free(lock: Path) -> bool:
    """Whether nobody holds `lock`, without taking it over (its content stays)."""
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def listing_requests(site: CareerSiteServer, board: str) -> int:
    return sum(1 for path in site.requests if path.startswith(LISTING.format(board=board)))


LOG_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \w+ (\S+): run (\d+) (started|finished)", re.MULTILINE
)


def run_intervals(*logs: str) -> dict[int, tuple[datetime, datetime]]:
    """Run id -> (started, finished) as the schedulers logged them, to the millisecond."""
    moments: dict[int, dict[str, datetime]] = {}
    for text in logs:
        for stamp, _group, run_id, what in LOG_LINE.findall(text):
            moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f")
            moments.setdefault(int(run_id), {})[what] = moment
    return {run_id: (m["started"], m["finished"]) for run_id, m in moments.items()}


def assert_no_overlap(intervals: dict[int, tuple[datetime, datetime]]) -> None:
    ordered = sorted(intervals.values())
    for (_, finished), (started, _) in itertools.pairwise(ordered):
        assert finished <= started, ordered


@pytest.mark.e2e
def test_one_shot_run_is_recorded_and_releases_its_lock(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    sources = site_sources(tmp_path, career_site, "vercel")
    db = tmp_path / "jobs.db"
    scheduler = start(
        tmp_path, "one", "--sources", str(sources), "--db", str(db), "--every", "1h", "--runs", "1"
    )
    assert scheduler.wait() == 0, scheduler.log
    assert [(r["id"], r["status"]) for r in runs(db)] == [(1, "ok")]
    assert "scheduled default (every 1h; all sources)" in scheduler.log
    assert re.search(r"default: run 1 started \(crawl pid \d+\)", scheduler.log)
    assert re.search(r"default: run 1 finished: ok \(exit 0, [\d.]+ s\)", scheduler.log)
    assert query(db, "SELECT count(*) FROM jobs") == [(2,)]
    assert (tmp_path / "jobs.db.group-default.lock").read_bytes() == b""


@pytest.mark.e2e
def test_each_run_ends_by_delivering_its_alerts_a_failing_source_once(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    sources = site_sources(tmp_path, career_site, "vercel", "databricks")
    db = tmp_path / "jobs.db"
    feed = tmp_path / "alerts.json"
    config = tmp_path / "alerts.yaml"
    config.write_text(f"channels:\n  feed:\n    path: {feed}\n")
    career_site.add_fault(LISTING.format(board="vercel"), *[Fault(status=500)] * 6)
    args = ["--sources", str(sources), "--db", str(db), "--alerts-config", str(config)]
    args += ["--every", "1s", "--runs", "2", "--set", "JOBCRAWL_RETRY_BACKOFF=0.01"]
    args += ["--set", "RETRY_TIMES=2"]  # three tries a run: the six faults fail both runs
    scheduler = start(tmp_path, "alerts", *args)
    assert scheduler.wait() == 1, scheduler.log  # vercel failed: status 1, as documented
    assert [(r["id"], r["status"]) for r in runs(db)] == [(1, "partial"), (2, "partial")]
    items = json.loads(feed.read_text())["items"]
    assert [(item["id"], item["title"]) for item in items] == [
        ("source:greenhouse:vercel:from-run-1", "Source failing: greenhouse:vercel")
    ]
    assert "HTTP 500" in items[0]["content_text"]
    assert query(db, "SELECT count(*) FROM deliveries WHERE state = 'sent'") == [(1,)]


@pytest.mark.e2e
def test_a_scheduler_on_postgresql_records_its_runs_there(
    career_site: CareerSiteServer, tmp_path: Path, pg_url: str
) -> None:
    empty_postgres(pg_url)
    sources = site_sources(tmp_path, career_site, "vercel")
    scheduler = start(
        tmp_path, "pg", "--sources", str(sources), "--db", pg_url, "--every", "1h", "--runs", "1"
    )
    assert scheduler.wait() == 0, scheduler.log
    assert re.search(r"default: run 1 finished: ok \(exit 0, [\d.]+ s\)", scheduler.log)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT id, status FROM runs").fetchall() == [(1, "ok")]
        assert conn.execute("SELECT count(*) FROM jobs").fetchall() == [(2,)]
    database = pg_url.rsplit("/", 1)[1]
    lock = tmp_path / f"postgresql-127.0.0.1-5432-{database}.group-default.lock"
    assert lock.read_bytes() == b""  # released, beside the sources file


@pytest.mark.e2e
def test_a_run_never_starts_while_the_group_lock_is_held(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    sources = site_sources(tmp_path, career_site, "vercel")
    db = tmp_path / "jobs.db"
    lock = GroupLock(tmp_path / "jobs.db.group-default.lock")
    assert lock.acquire() is None
    lock.record(LockOwner(pid=os.getpid(), started="2026-11-24T12:00:00Z", child=os.getpid()))
    try:
        scheduler = start(
            tmp_path,
            "held",
            "--sources",
            str(sources),
            "--db",
            str(db),
            "--every",
            "1h",
            "--runs",
            "1",
        )
        assert scheduler.wait() == 0, scheduler.log
    finally:
        lock.release()
    assert (
        f"default: skipped: the previous run is still going ({lock.path} is held by pid {os.getpid()}"
        in (scheduler.log)
    )
    assert runs(db) == []
    assert listing_requests(career_site, "vercel") == 0


@pytest.mark.e2e
def test_two_schedulers_of_one_group_never_crawl_at_once(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    career_site.add_fault(LISTING.format(board="vercel"), *[Fault(delay=2.5) for _ in range(6)])
    sources = site_sources(tmp_path, career_site, "vercel")
    db = tmp_path / "jobs.db"
    args = ["--sources", str(sources), "--db", str(db), "--every", "1s", "--runs", "2"]
    first, second = start(tmp_path, "a", *args), start(tmp_path, "b", *args)
    assert first.wait() == 0, first.log
    assert second.wait() == 0, second.log
    logs = first.log + second.log
    recorded = runs(db)
    skipped = logs.count("default: skipped: the previous run is still going")
    assert len(recorded) + skipped == 4
    assert skipped >= 1
    assert all(run["status"] == "ok" for run in recorded)
    intervals = run_intervals(first.log, second.log)
    assert sorted(intervals) == [run["id"] for run in recorded]
    assert_no_overlap(intervals)


@pytest.mark.e2e
def test_scheduler_runs_on_time_without_overlap_survives_a_killed_run_and_records_every_run(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    # The second listing answer hangs: that run's crawl is killed with SIGKILL while it waits.
    career_site.add_fault(LISTING.format(board="vercel"), Fault(), Fault(delay=60))
    sources = site_sources(tmp_path, career_site, "vercel")
    db = tmp_path / "jobs.db"
    lock = tmp_path / "jobs.db.group-default.lock"
    began = time.monotonic()
    scheduler = start(tmp_path, "long", "--sources", str(sources), "--db", str(db), "--every", "2s")

    def second_run_waits() -> bool:
        held = owner(lock)
        return bool(held and held.run_id == 2 and listing_requests(career_site, "vercel") == 2)

    wait_until(second_run_waits)
    held = owner(lock)
    assert held is not None
    assert held.child is not None
    os.kill(held.child, signal.SIGKILL)
    wait_until(lambda: sum(run["status"] != "running" for run in runs(db)) >= 4)
    scheduler.process.send_signal(signal.SIGTERM)
    assert scheduler.wait() == 0, scheduler.log
    elapsed = time.monotonic() - began

    recorded = runs(db)
    statuses = [run["status"] for run in recorded]
    assert statuses[:4] == ["ok", "interrupted", "ok", "ok"], scheduler.log
    assert set(statuses[4:]) <= {"ok", "interrupted"}  # SIGTERM may land during a fifth run
    assert all(run["finished_at"] for run in recorded)
    assert "default: run 2 finished: interrupted (killed by SIGKILL" in scheduler.log
    intervals = run_intervals(scheduler.log)
    assert sorted(intervals) == [run["id"] for run in recorded]
    assert_no_overlap(intervals)
    # Runs start only at the 2 s ticks: never more runs than ticks, whatever the machine's speed.
    assert len(recorded) <= elapsed / 2 + 1
    assert lock.read_bytes() == b""


@pytest.mark.e2e
def test_a_crashed_scheduler_leaves_a_lock_the_next_start_takes_over(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    career_site.add_fault(LISTING.format(board="vercel"), Fault(delay=60))
    sources = site_sources(tmp_path, career_site, "vercel")
    db = tmp_path / "jobs.db"
    lock = tmp_path / "jobs.db.group-default.lock"
    args = ["--sources", str(sources), "--db", str(db), "--every", "1h"]
    crashed = start(tmp_path, "crashed", *args)
    wait_until(
        lambda: (o := owner(lock)) and o.run_id == 1 and listing_requests(career_site, "vercel")
    )
    held = owner(lock)
    assert held is not None
    assert held.pid == crashed.process.pid
    assert held.child is not None
    crashed.process.send_signal(signal.SIGKILL)
    crashed.wait()

    # Its crawl still runs and holds the lock: the next scheduler skips.
    blocked = start(tmp_path, "blocked", *args, "--runs", "1")
    assert blocked.wait() == 0, blocked.log
    assert (
        f"skipped: the previous run is still going ({lock} is held by pid {held.pid}" in blocked.log
    )
    assert f"crawl pid {held.child}" in blocked.log

    os.kill(held.child, signal.SIGKILL)
    wait_until(lambda: lock_is_free(lock))
    assert [run["status"] for run in runs(db)] == ["running"]

    taker = start(tmp_path, "taker", *args, "--runs", "1")
    assert taker.wait() == 0, taker.log
    assert f"taking over {lock}: its holder (pid {held.pid}" in taker.log
    assert "default: run 1 recorded as interrupted" in taker.log
    recorded = runs(db)
    assert [(run["id"], run["status"]) for run in recorded] == [(1, "interrupted"), (2, "ok")]
    assert recorded[0]["finished_at"] is not None


@pytest.mark.e2e
def test_sigterm_stops_the_running_crawl_which_commits_and_is_recorded_interrupted(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    # One request at a time: the first listing is slow, the second still queued when SIGTERM comes.
    for board in ("vercel", "databricks"):
        career_site.add_fault(LISTING.format(board=board), Fault(delay=3))
    sources = site_sources(tmp_path, career_site, "vercel", "databricks")
    db = tmp_path / "jobs.db"
    scheduler = start(
        tmp_path, "term", "--sources", str(sources), "--db", str(db), "--every", "1h",
        "--set", "CONCURRENT_REQUESTS=1",
    )  # fmt: skip
    wait_until(
        lambda: (
            listing_requests(career_site, "vercel") + listing_requests(career_site, "databricks")
        )
    )
    scheduler.process.send_signal(signal.SIGTERM)
    assert scheduler.wait() == 0, scheduler.log
    assert "SIGTERM: stopping" in scheduler.log
    assert re.search(r"default: run 1 finished: interrupted \(exit 1", scheduler.log)

    [run] = runs(db)
    assert run["status"] == "interrupted"
    assert run["finished_at"] is not None
    tallies = query(db, "SELECT source_key, complete, seen FROM run_sources ORDER BY complete")
    assert [(complete, seen) for _, complete, seen in tallies] == [(0, 0), (1, 2)]
    [(done, _, _)] = [tally for tally in tallies if tally[1]]
    # What was stored is whole: the finished board's postings, each with its first version.
    assert query(db, "SELECT DISTINCT source_key FROM jobs") == [(done,)]
    assert (
        query(db, "SELECT count(*) FROM jobs")
        == query(db, "SELECT count(*) FROM job_versions")
        == [(2,)]
    )
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert (
        listing_requests(career_site, "vercel") + listing_requests(career_site, "databricks") == 1
    )


@pytest.mark.e2e
def test_groups_of_the_sources_file_run_on_their_own_locks(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    sources = site_sources(
        tmp_path, career_site, "vercel", "databricks",
        extra="schedules:\n  fast: {every: 1h, only: [greenhouse:vercel]}\n",
    )  # fmt: skip
    db = tmp_path / "jobs.db"
    scheduler = start(
        tmp_path,
        "groups",
        "--sources",
        str(sources),
        "--db",
        str(db),
        "--every",
        "1h",
        "--runs",
        "2",
    )
    assert scheduler.wait() == 0, scheduler.log
    assert "scheduled fast (every 1h; greenhouse:vercel)" in scheduler.log
    assert "scheduled default (every 1h; greenhouse:databricks)" in scheduler.log
    by_run = query(db, "SELECT run_id, source_key FROM run_sources ORDER BY run_id")
    assert sorted(key for _, key in by_run) == ["databricks", "vercel"]
    assert len({run_id for run_id, _ in by_run}) == 2
    assert [run["status"] for run in runs(db)] == ["ok", "ok"]
    for group in ("fast", "default"):
        assert (tmp_path / f"jobs.db.group-{group}.lock").exists()


# -- the documented examples (docs/scheduling.md) -----------------------------------------------

DOC = Path(__file__).parent.parent / "docs" / "scheduling.md"
PROGRAM = "/srv/jobcrawl/.venv/bin/jobcrawl"
DOC_SOURCES = "/srv/jobcrawl/sources.yaml"
DOC_DB = "/var/lib/jobcrawl/jobcrawl.db"


def doc_blocks(language: str) -> list[str]:
    return re.findall(
        rf"^```{language}\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.DOTALL | re.M
    )


def unit_file(name: str) -> str:
    [text] = [
        block for block in doc_blocks("ini") if block.startswith(f"# /etc/systemd/system/{name}\n")
    ]
    return text


def exec_start(name: str) -> str:
    [line] = [line for line in unit_file(name).splitlines() if line.startswith("ExecStart=")]
    return line.removeprefix("ExecStart=")


def cron_line() -> tuple[str, str]:
    """The crontab example's schedule (five fields) and command."""
    [line] = [line for line in doc_blocks("crontab")[0].splitlines() if not line.startswith("#")]
    fields = line.split(maxsplit=5)
    return " ".join(fields[:5]), fields[5]


def as_test_command(command: str, sources: Path, db: Path) -> list[str]:
    """A documented command line with this test's files, run by this interpreter."""
    program, *args = shlex.split(command)
    assert program == PROGRAM
    paths = {DOC_SOURCES: str(sources), DOC_DB: str(db)}
    return [*SCHEDULE[:3], *(paths.get(arg, arg) for arg in args)]


def test_cron_and_timer_run_the_same_quiet_crawl() -> None:
    schedule, command = cron_line()
    assert command == exec_start("jobcrawl-crawl.service")
    assert shlex.split(command)[1:2] == ["crawl"]
    assert "--quiet" in shlex.split(command)
    trigger = Group("cron", cron=schedule).trigger()
    fire = trigger.get_next_fire_time(None, NOW.astimezone(trigger.timezone))
    assert (fire.minute, fire.hour % 6) == (15, 0)


@pytest.mark.parametrize("status", ["0", "1", "2"])
def test_every_exit_status_is_documented(status: str) -> None:
    assert f"\n| `{status}` | " in DOC.read_text(encoding="utf-8")


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("entries", "status", "stderr"),
    [
        (["vercel"], 0, None),
        (["vercel", "missing"], 1, "ERROR greenhouse: greenhouse:missing: http"),
        (["vercel", "{kind: greenhouse, board: typo, bord: x}"], 1, "bord: unknown field"),
        ([], 2, "expected a top-level `sources:` list"),
        (["{kind: greenhouse, bord: x}"], 2, "bord: unknown field"),
        ("sources: [", 2, "not valid YAML"),
        ("unopenable database", 2, "cannot open the database"),
    ],
)
def test_the_documented_crawl_exits_with_the_documented_status(
    career_site: CareerSiteServer,
    tmp_path: Path,
    entries: list[str] | str,
    status: int,
    stderr: str | None,
) -> None:
    db = tmp_path / "jobs.db"
    sources = tmp_path / "sources.yaml"
    if entries == "unopenable database":
        site_sources(tmp_path, career_site, "vercel")
        (tmp_path / "file").write_text("not a folder")
        db = tmp_path / "file" / "jobs.db"
    elif isinstance(entries, str):
        sources.write_text(entries)
    elif entries:
        lines = [
            entry
            if entry.startswith("{")
            else f"{{kind: greenhouse, board: {entry}, base_url: '{career_site.url}'}}"
            for entry in entries
        ]
        sources.write_text("sources:\n" + "".join(f"  - {line}\n" for line in lines))
    else:
        sources.write_text("boards: []\n")
    _, command = cron_line()
    result = subprocess.run(
        as_test_command(command, sources, db),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == status, result.stderr
    assert result.stdout == ""
    if stderr is None:
        assert result.stderr == ""
    else:
        assert stderr in result.stderr
        assert "Traceback" not in result.stderr


def test_the_documented_systemd_units_verify(tmp_path: Path) -> None:
    names = ["jobcrawl-scheduler.service", "jobcrawl-crawl.service", "jobcrawl-crawl.timer"]
    for name in names:
        text = unit_file(name).replace(PROGRAM, sys.executable)
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in names)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "ignoring" not in result.stderr.lower(), result.stderr
    assert "unknown" not in result.stderr.lower(), result.stderr


@pytest.mark.e2e
def test_the_documented_scheduler_service_runs(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    sources = site_sources(tmp_path, career_site, "vercel")
    db = tmp_path / "jobs.db"
    command = as_test_command(exec_start("jobcrawl-scheduler.service"), sources, db)
    result = subprocess.run(
        [*command, "--runs", "1", *QUICK], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert [run["status"] for run in runs(db)] == ["ok"]


def test_the_documented_schedules_mapping(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    [example] = [block for block in doc_blocks("yaml") if "schedules:" in block]
    path = tmp_path / "sources.yaml"
    path.write_text(example)
    with caplog.at_level(logging.WARNING, logger="jobcrawl.schedule"):
        groups = groups_of(path)
    assert groups == [
        Group("boards", every=timedelta(hours=2), only=("greenhouse", "lever")),
        Group("nightly", cron="30 3 * * *", only=("ashby:ramp",)),
    ]
    assert caplog.text == ""

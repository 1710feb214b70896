"""
`jobcrawl schedule`: crawl source groups on a schedule, one crawl at a time per group, for months.

Timing is APScheduler's (an interval or a crontab expression per group). Each due run takes its
group's lock (`crawler.lock`), so a run never starts while the previous run of the same group is
still going, in this process or any other, and a run cut short by a crash is taken over and recorded
as interrupted. Each run is `jobcrawl crawl` in a child process: a Twisted reactor starts only once
per process, and a crash of one crawl must not take the scheduler down.

The crawl records itself in the `runs` table; the scheduler learns the run id by spawning under a
short database-wide lock and watching for the new row, so it can mark that run interrupted when the
crawl is killed or stopped (SIGTERM/SIGINT are forwarded to the crawl, which stops gracefully and
commits what it stored; nothing is half-written because the store writes in transactions).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

import yaml
from apscheduler.events import EVENT_JOB_MAX_INSTANCES
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from crawler.errors import ConfigError, JobcrawlError
from crawler.lock import GroupLock, LockHeld, LockOwner, exclusive
from crawler.sources import SourceBase
from crawler.store import SQLiteStore, Store, is_postgres, iso_utc
from crawler.store.postgres import PostgresStore, postgres_url

log = logging.getLogger("jobcrawl.schedule")

DEFAULT_GROUP = "default"
GROUP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_EVERY_PART = re.compile(r"(\d+)([dhms])")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
RUN_ID_WAIT = 60.0
"""Seconds a spawned crawl may take to record its run before the scheduler stops waiting for it."""


# -- schedules ----------------------------------------------------------------------------------


def parse_every(text: str) -> timedelta:
    """
    An interval such as `6h`, `30m`, `90s`, `1d` or `1h30m` (units d, h, m, s, largest first).

    Raises ConfigError naming the text, so `--every` and the sources file report the same way.
    """
    value = text.strip().lower()
    parts = _EVERY_PART.findall(value)
    units = [unit for _, unit in parts]
    ordered = sorted(units, key=list(_UNIT_SECONDS).index) == units and len(set(units)) == len(
        units
    )
    if not value or "".join(n + u for n, u in parts) != value or not ordered:
        raise ConfigError(f"{text!r}: expected an interval such as 6h, 30m, 90s or 1h30m")
    seconds = sum(int(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ConfigError(f"{text!r}: the interval must be longer than zero")
    return timedelta(seconds=seconds)


def format_interval(interval: timedelta) -> str:
    """The interval in `parse_every`'s notation: 6h, 1h30m, 90s reads back as 1m30s."""
    seconds = int(interval.total_seconds())
    parts = []
    for unit, size in _UNIT_SECONDS.items():
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts)


def check_cron(expression: str) -> str:
    """The crontab expression (5 fields) if APScheduler can read it; ConfigError otherwise."""
    try:
        CronTrigger.from_crontab(expression)
    except ValueError as exc:
        raise ConfigError(f"{expression!r}: not a crontab expression: {exc}") from exc
    return expression


@dataclass(frozen=True)
class Group:
    """Sources crawled together on one schedule, under one lock."""

    name: str
    every: timedelta | None = None
    cron: str | None = None
    only: tuple[str, ...] = ()
    """`jobcrawl crawl --only` selectors; empty means every entry of the sources file."""

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"group {self.name}: give exactly one of every and cron")

    def trigger(self) -> Any:
        """The APScheduler trigger: a fixed interval, or a crontab expression in local time."""
        if self.every is not None:
            return IntervalTrigger(seconds=self.every.total_seconds())
        return CronTrigger.from_crontab(self.cron)

    @property
    def runs_at_start(self) -> bool:
        """An interval schedule runs at once, then every interval; a crontab waits for its time."""
        return self.cron is None

    def describe(self) -> str:
        when = f"every {format_interval(self.every)}" if self.every else f"cron {self.cron!r}"
        return f"{self.name} ({when}; {' '.join(self.only) if self.only else 'all sources'})"


class _ScheduleEntry(BaseModel):
    """One entry of the sources file's optional `schedules:` mapping."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    every: str | None = None
    cron: str | None = None
    only: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_schedule(self) -> _ScheduleEntry:
        if (self.every is None) == (self.cron is None):
            raise ValueError("give exactly one of `every` and `cron`")
        return self


def load_groups(
    path: Path,
    sources: Sequence[SourceBase],
    *,
    every: str | None = None,
    cron: str | None = None,
) -> list[Group]:
    """
    The groups to schedule: the sources file's `schedules:` plus the command line's schedule.

    `schedules:` maps a group name to `every` or `cron` and `only` (the `--only` selectors of its
    sources). Sources in no group form the group `default`, scheduled by `--every` / `--cron`;
    without either they are not crawled, which is logged. A source in two groups is an error: its
    crawls could overlap.
    """
    if every is not None and cron is not None:
        raise ConfigError("give --every or --cron, not both")
    groups = _file_groups(path, sources)
    claimed = {s.label for s in sources if any(_selects(g.only, s) for g in groups)}
    rest = [s.label for s in sources if s.label not in claimed]
    if every is None and cron is None:
        if not groups:
            raise ConfigError(f"give --every or --cron, or a `schedules:` mapping in {path}")
        if rest:
            log.warning("not scheduled (in no group of `schedules:`): %s", ", ".join(rest))
        return groups
    if rest:
        command_line = Group(
            DEFAULT_GROUP,
            every=parse_every(every) if every is not None else None,
            cron=check_cron(cron) if cron is not None else None,
            only=tuple(rest) if groups else (),
        )
        groups.append(command_line)
    return groups


def _file_groups(path: Path, sources: Sequence[SourceBase]) -> list[Group]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    entries = document.get("schedules") if isinstance(document, dict) else None
    if entries is None:
        return []
    if not isinstance(entries, dict):
        raise ConfigError(f"{path}: schedules: expected a mapping of group names")
    groups: list[Group] = []
    owner: dict[str, str] = {}
    for name, entry in entries.items():
        where = f"{path}: schedules.{name}"
        if not isinstance(name, str) or not GROUP_NAME.match(name) or name == DEFAULT_GROUP:
            raise ConfigError(
                f"{where}: a group name is letters, digits, `.`, `_`, `-`; not default"
            )
        group = _parse_group(name, entry, where)
        for selector in group.only:
            chosen = [s.label for s in sources if _selects((selector,), s)]
            if not chosen:
                raise ConfigError(f"{where}: only: {selector} matches no source in {path}")
            for label in chosen:
                if label in owner:
                    raise ConfigError(f"{where}: {label} is already in group {owner[label]}")
                owner[label] = name
        groups.append(group)
    return groups


def _parse_group(name: str, entry: Any, where: str) -> Group:
    try:
        parsed = _ScheduleEntry.model_validate(entry)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            message = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(
                f"{field}: {message}" if field else message.removeprefix("Value error, ")
            )
        raise ConfigError(f"{where}: {'; '.join(problems)}") from exc
    try:
        every = parse_every(parsed.every) if parsed.every is not None else None
        cron = check_cron(parsed.cron) if parsed.cron is not None else None
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    return Group(name, every=every, cron=cron, only=tuple(parsed.only))


def _selects(only: Iterable[str], source: SourceBase) -> bool:
    """The rule of `jobcrawl crawl --only`: a kind, or kind:key."""
    return any(selector in (source.kind, source.label) for selector in only)


# -- the database ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    """
    Where the runs are recorded: a SQLite file or a PostgreSQL database.

    The scheduler opens a connection of its own for each look at the runs table (never the crawl's),
    and names its lock files after the database, so schedulers of different databases sharing a lock
    folder never block each other.
    """

    location: str
    """A resolved SQLite path, or a `postgresql://` URL."""

    @classmethod
    def of(cls, option: str | Path) -> Database:
        text = str(option)
        if is_postgres(text):
            return cls(postgres_url(text))
        return cls(str(Path(text.removeprefix("sqlite:///")).expanduser().resolve()))

    @property
    def postgres(self) -> bool:
        return is_postgres(self.location)

    @property
    def lock_name(self) -> str:
        """`jobs.db` for a file; `postgresql-HOST-PORT-DBNAME` for a server's database."""
        if not self.postgres:
            return Path(self.location).name
        parts = urlsplit(self.location)
        where = f"{parts.hostname or 'local'}-{parts.port or 5432}-{parts.path.lstrip('/')}"
        return "postgresql-" + re.sub(r"[^A-Za-z0-9_.\-]", "_", where)

    def default_lock_dir(self, sources_file: Path) -> Path:
        """The database's folder; for PostgreSQL, the sources file's folder."""
        return (sources_file.resolve() if self.postgres else Path(self.location)).parent

    def open(self) -> closing[Store]:
        """A fresh connection, closed on leaving the `with` block."""
        if self.postgres:
            return closing(PostgresStore(self.location))
        return closing(SQLiteStore(Path(self.location)))


def spawn_lock_path(db: Database, lock_dir: Path) -> Path:
    """The database-wide lock held while a crawl is spawned and while the database is created."""
    return lock_dir / f"{db.lock_name}.spawn.lock"


def prepare_database(db: Database, lock_dir: Path) -> None:
    """
    Create or migrate the database now, so a bad path is an error before anything is scheduled.

    Under the spawn lock: two schedulers started at once on a new database would otherwise both
    apply its first migration.
    """
    try:
        with exclusive(spawn_lock_path(db, lock_dir)), db.open():
            pass
    except OSError as exc:
        raise ConfigError(
            f"{lock_dir}: cannot keep lock files there: {exc.strerror or exc}"
        ) from exc


# -- one group's runs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    """How one due run of a group went."""

    group: str
    skipped: bool = False
    """The previous run of the group still held the lock, so this one did not start."""
    run_id: int | None = None
    exit_code: int | None = None
    """The crawl's exit status; negative: killed by that signal."""
    status: str | None = None
    """The run's status in the `runs` table once the crawl ended."""

    @property
    def severity(self) -> int:
        """0 ok, 1 a failed source or a killed or interrupted run, 2 bad configuration."""
        if self.skipped or self.exit_code is None:
            return 0
        if self.exit_code < 0 or self.status == "interrupted":
            return 1
        return min(self.exit_code, 2)


class GroupRunner:
    """Runs one group's crawls: lock, spawn `jobcrawl crawl`, learn its run, record how it ended."""

    def __init__(
        self,
        group: Group,
        *,
        sources_file: Path,
        db: Database,
        lock_dir: Path,
        settings: Sequence[str] = (),
    ) -> None:
        self.group = group
        self.sources_file = sources_file.resolve()
        self.db = db
        self.lock_path = lock_dir / f"{db.lock_name}.group-{group.name}.lock"
        self.spawn_lock_path = spawn_lock_path(db, lock_dir)
        self.settings = tuple(settings)
        self._child: subprocess.Popen[bytes] | None = None
        self._child_lock = threading.Lock()
        self._stop_requested = False
        self._signalled = False

    def command(self) -> list[str]:
        """The crawl of this group, as `python -m crawler crawl ...`."""
        args = [sys.executable, "-m", "crawler", "crawl", "--sources", str(self.sources_file)]
        args += ["--db", self.db.location, "--quiet"]
        for selector in self.group.only:
            args += ["--only", selector]
        for pair in self.settings:
            args += ["--set", pair]
        return args

    def recover(self) -> None:
        """At start: take over a lock a crashed run left, recording that run as interrupted."""
        lock = GroupLock(self.lock_path)
        try:
            left = lock.acquire()
        except LockHeld as held:
            log.info("%s: a run is going on elsewhere (%s)", self.group.name, held)
            return
        try:
            if left is not None:
                with self.db.open() as store:
                    self._interrupt_left(store, left)
        finally:
            lock.release()

    def run(self) -> RunResult:
        """One due run; skipped (with a log line) when the previous one still holds the lock."""
        lock = GroupLock(self.lock_path)
        try:
            left = lock.acquire()
        except LockHeld as held:
            log.warning("%s: skipped: the previous run is still going (%s)", self.group.name, held)
            return RunResult(self.group.name, skipped=True)
        try:
            with self.db.open() as store:
                if left is not None:
                    self._interrupt_left(store, left)
                return self._run_crawl(lock, store)
        finally:
            lock.release()

    def stop(self) -> None:
        """Ask the running crawl to stop (SIGTERM: Scrapy finishes in-flight work and commits)."""
        with self._child_lock:
            self._stop_requested = True
            if self._child is not None and self._child.poll() is None:
                self._child.send_signal(signal.SIGTERM)
                self._signalled = True

    def _interrupt_left(self, store: Store, left: LockOwner) -> None:
        if left.run_id is None:
            log.warning("%s: the crashed run had not recorded a run id", self.group.name)
        elif store.interrupt_run(left.run_id, at=datetime.now(UTC)):
            log.warning("%s: run %d recorded as interrupted", self.group.name, left.run_id)

    def _run_crawl(self, lock: GroupLock, store: Store) -> RunResult:
        started = time.monotonic()
        owner = LockOwner(pid=os.getpid(), started=iso_utc(datetime.now(UTC)))
        lock.record(owner)
        with exclusive(self.spawn_lock_path):
            before = store.latest_run_id()
            child = self._spawn(lock)
            if child is None:
                log.info("%s: not started: the scheduler is stopping", self.group.name)
                return RunResult(self.group.name, skipped=True)
            run_id = self._await_run_id(store, child, before)
        lock.record(replace(owner, child=child.pid, run_id=run_id))
        log.info("%s: run %s started (crawl pid %d)", self.group.name, run_id or "?", child.pid)
        code = child.wait()
        with self._child_lock:
            self._child = None
            stopped, self._signalled = self._signalled, False
        return self._finish(
            store, run_id, code, stopped=stopped, seconds=time.monotonic() - started
        )

    def _spawn(self, lock: GroupLock) -> subprocess.Popen[bytes] | None:
        """Start the crawl holding the group's lock too, so the lock outlives a killed scheduler."""
        with self._child_lock:
            if self._stop_requested:
                return None
            self._child = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                self.command(),
                stdout=subprocess.DEVNULL,
                pass_fds=(lock.fileno(),),
                start_new_session=True,  # the scheduler forwards SIGINT/SIGTERM itself, once
            )
            return self._child

    def _await_run_id(
        self, store: Store, child: subprocess.Popen[bytes], before: int
    ) -> int | None:
        """The first run recorded after `before`: the crawl's, since spawns are serialised."""
        deadline = time.monotonic() + RUN_ID_WAIT
        while True:
            exited = child.poll() is not None  # before reading: an exited crawl has committed
            try:
                run_id = store.first_run_after(before)
            except sqlite3.OperationalError:  # busy beyond the store's timeout: look again
                run_id = None
            if run_id is not None or exited:
                return run_id
            if time.monotonic() > deadline:
                log.warning("%s: the crawl has not recorded a run yet", self.group.name)
                return None
            time.sleep(0.05)

    def _finish(
        self, store: Store, run_id: int | None, code: int, *, stopped: bool, seconds: float
    ) -> RunResult:
        how = f"exit {code}" if code >= 0 else f"killed by {signal.Signals(-code).name}"
        if run_id is None:
            log.warning("%s: the crawl ended (%s) without recording a run", self.group.name, how)
            return RunResult(self.group.name, exit_code=code)
        now = datetime.now(UTC)
        store.interrupt_run(run_id, at=now, stopped=stopped)
        record = store.get_run(run_id)
        status = record.status if record else None
        log.info(
            "%s: run %d finished: %s (%s, %.1f s)", self.group.name, run_id, status, how, seconds
        )
        return RunResult(self.group.name, run_id=run_id, exit_code=code, status=status)


# -- the scheduler ------------------------------------------------------------------------------


class Scheduler:
    """
    APScheduler over the group runners, stopped by SIGTERM/SIGINT or after `max_runs` runs.

    Each group is one job with `max_instances=1` and `coalesce=True`: a time that comes while the
    group's run is still going is skipped (logged), never queued, so a slow run causes no burst.
    """

    def __init__(self, runners: Sequence[GroupRunner], *, max_runs: int | None = None) -> None:
        self.runners = list(runners)
        self.max_runs = max_runs
        self.results: list[RunResult] = []
        self._begun = 0
        self._stopping = False
        self._stopped_by_signal = False
        self._lock = threading.Lock()
        self._done = threading.Event()

    def run(self) -> int:
        """Block until stopped; the exit status (see `exit_status`). Call from the main thread."""
        for runner in self.runners:
            runner.recover()
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=len(self.runners))},
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )
        for runner in self.runners:
            start = {"next_run_time": datetime.now(UTC)} if runner.group.runs_at_start else {}
            scheduler.add_job(
                self._job, runner.group.trigger(), args=[runner], id=runner.group.name, **start
            )
        scheduler.add_listener(self._skipped, EVENT_JOB_MAX_INSTANCES)
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            scheduler.start()
            for runner in self.runners:
                job = scheduler.get_job(runner.group.name)
                log.info("scheduled %s; next run %s", runner.group.describe(), job.next_run_time)
            while not self._done.wait(0.5):
                pass
            scheduler.shutdown(wait=True)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self.exit_status()

    def exit_status(self) -> int:
        """0 after a stop by signal; otherwise the worst run: 0 ok, 1 failed or interrupted, 2 config."""
        if self._stopped_by_signal:
            return 0
        return max((result.severity for result in self.results), default=0)

    def _job(self, runner: GroupRunner) -> None:
        with self._lock:
            if self._stopping:
                return
            self._begun += 1
            if self.max_runs is not None and self._begun >= self.max_runs:
                self._stopping = True
        try:
            result = runner.run()
        except JobcrawlError as exc:  # the database went away: say so, keep scheduling
            log.error("%s: %s", runner.group.name, exc)
            result = RunResult(runner.group.name, exit_code=2)
        with self._lock:
            self.results.append(result)
            if self.max_runs is not None and len(self.results) >= self.max_runs:
                self._done.set()

    def _skipped(self, event: Any) -> None:
        due = ", ".join(str(moment) for moment in event.scheduled_run_times)
        log.warning(
            "%s: a run was due at %s but the previous one is still going: skipped",
            event.job_id,
            due,
        )

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info(
            "%s: stopping; a running crawl is asked to stop",
            signal.Signals(signum).name,
        )
        with self._lock:
            self._stopping = True
            self._stopped_by_signal = True
        for runner in self.runners:
            runner.stop()
        self._done.set()


def configure_logging() -> None:
    """One line per event on stderr, with the time: the scheduler's log is its record for people."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    for name, level in (("jobcrawl", logging.INFO), ("apscheduler", logging.ERROR)):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False

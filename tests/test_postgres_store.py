"""
What only the PostgreSQL store has to get right: many writers at once, its URLs, its ranking.

Concurrent writers are real: each thread has its own connection (psycopg releases the GIL while the
server works), writing the same jobs at the same time.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors

from crawler.errors import StoreError
from crawler.store import JobQuery, SourceTally, close_stores, open_store
from crawler.store.postgres import PostgresStore, display_url, merge_tallies, postgres_url
from tests.test_store_backends import MIGRATIONS, NOW, PG_SERVER, empty_postgres, pg_url
from tests.test_store_sqlite import posting

__all__ = ["pg_url"]  # the module-scoped throwaway database fixture


@pytest.fixture
def url(pg_url: str) -> Iterator[str]:
    empty_postgres(pg_url)
    yield pg_url
    close_stores()


def in_threads(count: int, work: Any) -> None:
    """Run `work(index)` in `count` threads at once; re-raise the first failure."""
    failures: list[BaseException] = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def test_concurrent_writers_lose_no_update(url: str) -> None:
    """Four processes' worth of upserts of the same 20 jobs: every version once, last_seen the latest."""
    jobs = [str(n) for n in range(20)]
    outcomes: Counter[tuple[str, str]] = Counter()
    latest: dict[str, Any] = {}
    lock = threading.Lock()

    def write(worker: int) -> None:
        store = PostgresStore(url)
        rng = random.Random(worker)
        try:
            for step in range(60):
                source_id = rng.choice(jobs)
                seen = NOW + timedelta(minutes=rng.randrange(10_000))
                title = f"Engineer {rng.randrange(3)}"
                result = store.upsert_posting(posting(source_id, title=title), seen_at=seen)
                with lock:
                    outcomes[source_id, result.outcome] += 1
                    latest[source_id] = max(latest.get(source_id, seen), seen)
                if step % 7 == 0:
                    store.mark_seen([f"greenhouse:acme:{j}" for j in jobs], seen_at=seen)
                    with lock:
                        for job in latest:
                            latest[job] = max(latest[job], seen)
        finally:
            store.close()

    in_threads(4, write)
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    for source_id, last in latest.items():
        job = store.get_job(f"greenhouse:acme:{source_id}")
        assert job is not None
        assert job.last_seen == last
        versions = [v["version"] for v in store.job_versions(job.id)]
        assert versions == list(range(1, len(versions) + 1))
        assert outcomes[source_id, "new"] == 1
        assert outcomes[source_id, "changed"] == len(versions) - 1
        assert store.job_versions(job.id)[-1]["record"]["title"] == job.title


def test_a_close_waits_for_the_writer_holding_the_row(url: str) -> None:
    """A close racing an upsert of the same job waits for it and then applies to its result."""
    store = PostgresStore(url)
    store.upsert_posting(posting("1"), seen_at=NOW)
    store.begin()  # hold the row, as a writer in the middle of its transaction does
    store.upsert_posting(posting("1", title="Changed"), seen_at=NOW + timedelta(days=1))
    closer = PostgresStore(url)
    closed: list[bool] = []
    thread = threading.Thread(
        target=lambda: closed.append(
            closer.close_job("greenhouse:acme:1", at=NOW + timedelta(days=2), reason="detail_gone")
        )
    )
    thread.start()
    waiting = (
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND datname = current_database()"
    )
    with psycopg.connect(url, autocommit=True) as watcher:
        while thread.is_alive() and watcher.execute(waiting).fetchone() == (0,):
            thread.join(0.05)
        assert thread.is_alive()  # the close is blocked on the row, not lost
    store.commit()
    thread.join()
    assert closed == [True]
    job = open_store(url).get_job("greenhouse:acme:1")
    assert job is not None
    assert (job.title, job.status, job.last_seen) == ("Changed", "closed", NOW + timedelta(days=1))
    assert len(open_store(url).job_versions(job.id)) == 2
    store.close()
    closer.close()


def test_a_deadlock_victim_is_retried(url: str) -> None:
    store = PostgresStore(url)
    attempts: list[int] = []

    def work(cursor: psycopg.Cursor[Any]) -> int:
        attempts.append(1)
        cursor.execute("SELECT 1")
        if len(attempts) == 1:
            raise errors.DeadlockDetected("deadlock detected")
        return 7

    assert store._write(work) == 7
    assert len(attempts) == 2
    store.close()


def test_workers_starting_together_migrate_once() -> None:
    admin = psycopg.connect(PG_SERVER, autocommit=True)
    name = f"jobcrawl_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    fresh = f"postgresql://postgres@127.0.0.1:5432/{name}"
    versions: list[int] = []
    try:

        def start(_: int) -> None:
            store = PostgresStore(fresh)
            versions.append(store.schema_version)
            store.close()

        in_threads(4, start)
        with psycopg.connect(fresh) as conn:
            applied = conn.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()
    latest = len(list((MIGRATIONS / "postgres").glob("*.sql")))
    assert versions == [latest] * 4
    assert [row[0] for row in applied] == list(range(1, latest + 1))


def test_title_matches_rank_before_description_matches(url: str) -> None:
    store = open_store(url)
    store.upsert_posting(
        posting("1", title="Cook", description_text="Nurse the sourdough starter daily."),
        seen_at=NOW + timedelta(hours=1),
    )
    store.upsert_posting(posting("2", title="Nurse (RN)"), seen_at=NOW)
    found = [job["source_id"] for job in store.iter_jobs(JobQuery(text="nurse"))]
    assert found == ["2", "1"]


def test_urls_survive_paths_and_hide_passwords(url: str) -> None:
    assert postgres_url("postgresql:/me@db.internal/jobs") == "postgresql://me@db.internal/jobs"
    assert postgres_url("postgresql:/jobs") == "postgresql:///jobs"
    assert postgres_url("postgres://me@h/jobs") == "postgres://me@h/jobs"
    assert display_url("postgresql://me:secret@h:5432/jobs") == "postgresql://me:***@h:5432/jobs"
    assert display_url("postgresql://me@h/jobs") == "postgresql://me@h/jobs"
    # `--db` options and $JOBCRAWL_DB go through pathlib, which squeezes `//`: the same store opens.
    assert open_store(Path(url)) is open_store(url)


def test_an_unreachable_server_is_one_clear_error() -> None:
    with pytest.raises(
        StoreError,
        match=r"^postgresql://me:\*\*\*@127.0.0.1:9/x\?connect_timeout=2: cannot open the database: ",
    ):
        open_store("postgresql://me:secret@127.0.0.1:9/x?connect_timeout=2")


def test_tallies_from_several_workers_add_up(url: str) -> None:
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    run_id = store.start_run(NOW)
    other = SourceTally("lever", "acme", new=3, unchanged=1, requests=2, statuses={"200": 2})
    finisher = SourceTally(
        "lever", "acme", complete=True, pages=3, seen=9, new=2, updated=1, requests=2,
        statuses={"200": 1, "429": 1}, finished_at="2026-11-24T12:05:00Z", closed=1,
    )  # fmt: skip
    store.merge_source(run_id, other)
    store.merge_source(run_id, finisher)
    late = store.merge_source(run_id, SourceTally("lever", "acme", dropped=1))
    [recorded] = store.last_listings("lever", "acme")
    assert recorded == late
    assert (recorded.complete, recorded.pages, recorded.seen, recorded.closed) == (True, 3, 9, 1)
    assert (recorded.new, recorded.updated, recorded.unchanged, recorded.dropped) == (5, 1, 1, 1)
    assert (recorded.requests, recorded.statuses) == (4, {"200": 3, "429": 1})
    assert merge_tallies(other, SourceTally("lever", "acme")).complete is False

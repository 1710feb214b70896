"""
The store's behaviour, asserted identically on SQLite and on PostgreSQL.

Each test runs once per backend: a SQLite file in the test's folder, or a PostgreSQL database created
for this module on the server at 127.0.0.1:5432 and dropped after it (emptied before every test).
The PostgreSQL half is skipped, with the reason, only when no server answers there.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawler.items import Location, Salary, Skill
from crawler.store import (
    DuplicateMarks,
    JobQuery,
    SourceTally,
    SQLiteStore,
    close_stores,
    iso_utc,
    open_store,
)
from crawler.store.postgres import PostgresStore
from crawler.store.tracking import NewAlert, TrackingStore, Watch
from tests.test_store_sqlite import posting

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).parent.parent
PG_SERVER = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
MIGRATIONS = ROOT / "crawler" / "store" / "migrations"
# Each engine builds its full-text index its own way; PostgreSQL keeps its schema version in a table.
ENGINE_OWN_TABLES = ("jobs_fts", "schema_migrations")

AnyStore = SQLiteStore | PostgresStore


# -- fixtures (imported by the other PostgreSQL test modules) ---------------------------------------


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for the module: created here, dropped when it ends."""
    import psycopg

    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server answers on 127.0.0.1:5432 ({exc})".splitlines()[0])
    name = f"jobcrawl_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        close_stores()
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def empty_postgres(url: str) -> None:
    """Remove every row from the database at `url` (its schema stays, ids start at 1 again)."""
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    tables = [
        row[0]
        for row in store.connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " AND table_name <> 'schema_migrations'"
        )
    ]
    store.connection.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    close_stores()


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where the store under test lives: a SQLite file path or an emptied PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "jobs.db")
    else:
        url = request.getfixturevalue("pg_url")
        empty_postgres(url)
        yield url
    close_stores()


@pytest.fixture
def store(location: str) -> AnyStore:
    return open_store(location)


def committed(location: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows as another connection sees them: only what the store committed."""
    if location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location) as conn:
            return [tuple(row) for row in conn.execute(sql).fetchall()]
    with sqlite3.connect(location) as conn:
        return conn.execute(sql).fetchall()


def ids(records: Iterator[dict[str, Any]]) -> list[str]:
    return [record["source_id"] for record in records]


# -- postings and versions --------------------------------------------------------------------------


def test_new_unchanged_changed(store: AnyStore, location: str) -> None:
    first = store.upsert_posting(posting(), seen_at=NOW)
    again = store.upsert_posting(posting(), seen_at=NOW + timedelta(hours=6))
    changed = store.upsert_posting(
        posting(title="Senior Python Engineer", salary=None), seen_at=NOW + timedelta(days=1)
    )
    store.commit()
    assert (first.outcome, first.version) == ("new", 1)
    assert (again.outcome, again.version) == ("unchanged", 1)
    assert (changed.outcome, changed.version, changed.changed_fields) == (
        "changed",
        2,
        ["salary", "title"],
    )
    assert committed(location, "SELECT id, title, version, first_seen, last_seen FROM jobs") == [
        (
            "greenhouse:acme:1",
            "Senior Python Engineer",
            2,
            "2026-11-24T12:00:00Z",
            "2026-11-25T12:00:00Z",
        )
    ]
    versions = store.job_versions("greenhouse:acme:1")
    assert [(v["version"], v["changed_fields"], v["seen_at"]) for v in versions] == [
        (1, [], "2026-11-24T12:00:00Z"),
        (2, ["salary", "title"], "2026-11-25T12:00:00Z"),
    ]
    assert versions[0]["record"]["title"] == "Python Engineer"
    assert versions[1]["record"]["salary"] is None


def test_unchanged_recrawl_moves_only_last_seen(store: AnyStore, location: str) -> None:
    store.upsert_posting(posting(), seen_at=NOW)
    store.commit()
    everything = "SELECT * FROM jobs"
    before = committed(location, everything)[0]
    store.upsert_posting(posting(), seen_at=NOW + timedelta(days=2))
    store.commit()
    after = committed(location, everything)[0]
    changed = [index for index, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert [after[index] for index in changed] == ["2026-11-26T12:00:00Z"]
    assert committed(location, "SELECT count(*) FROM job_versions") == [(1,)]


def test_last_seen_never_goes_back(store: AnyStore) -> None:
    store.upsert_posting(posting(), seen_at=NOW)
    store.upsert_posting(posting(), seen_at=NOW - timedelta(days=3))
    store.upsert_posting(posting(title="Changed"), seen_at=NOW - timedelta(days=2))
    job = store.get_job("greenhouse:acme:1")
    assert job is not None
    assert (job.title, job.last_seen) == ("Changed", NOW)


def test_round_trip_keeps_every_field(store: AnyStore) -> None:
    original = posting(
        remote="hybrid",
        employment_type=["FULL_TIME"],
        department="Eng",
        title="Ingénieur·e Données – Zürich",
        skills=[Skill(name="Python", category="language", score=0.8)],
    )
    store.upsert_posting(original, seen_at=NOW)
    stored = store.get_job(original.id)
    assert stored == original.model_copy(update={"first_seen": NOW, "last_seen": NOW})
    assert store.get_job("greenhouse:acme:404") is None


def test_seen_again_after_closing_reopens(store: AnyStore, location: str) -> None:
    store.upsert_posting(posting(), seen_at=NOW)
    assert store.close_job("greenhouse:acme:1", at=NOW + timedelta(hours=1), reason="detail_gone")
    assert not store.close_job("greenhouse:acme:1", at=NOW, reason="detail_gone")
    result = store.upsert_posting(posting(), seen_at=NOW + timedelta(days=2))
    store.commit()
    assert result.reopened
    assert committed(location, "SELECT status, closed_at, close_reason, reopened_at FROM jobs") == [
        ("open", None, None, "2026-11-26T12:00:00Z")
    ]


def test_a_crashed_writer_leaves_only_whole_postings(location: str) -> None:
    """
    A process killed mid-work leaves every posting it wrote whole, with its versions.

    SQLite loses the uncommitted batch; PostgreSQL commits each write by itself, so it keeps all of
    them. Neither ever holds a job without its version rows or a version without its job.
    """
    script = f"""
import os
from datetime import datetime, UTC
from crawler.store import open_store
from tests.test_store_sqlite import posting
store = open_store({location!r})
store.upsert_posting(posting("1"), seen_at=datetime.now(UTC))
store.commit()
store.upsert_posting(posting("2"), seen_at=datetime.now(UTC))
store.upsert_posting(posting("1", title="Changed"), seen_at=datetime.now(UTC))
os._exit(9)
"""
    close_stores()
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=False)
    assert done.returncode == 9
    jobs = committed(location, "SELECT id, title, version FROM jobs ORDER BY id")
    versions = committed(location, "SELECT job_id, version FROM job_versions ORDER BY 1, 2")
    assert versions == [(job, n) for job, _, version in jobs for n in range(1, version + 1)]
    if location.startswith("postgresql://"):
        assert jobs == [
            ("greenhouse:acme:1", "Changed", 2),
            ("greenhouse:acme:2", "Python Engineer", 1),
        ]
    else:
        assert jobs == [("greenhouse:acme:1", "Python Engineer", 1)]


# -- reading and searching --------------------------------------------------------------------------


@pytest.fixture
def filled(store: AnyStore) -> AnyStore:
    store.upsert_posting(posting("1"), seen_at=NOW)
    store.upsert_posting(
        posting(
            "2", title="Nurse (RN)", company="Clinic GmbH", remote="onsite",
            description_text="Patient care in München.", seniority="senior",
        ),
        seen_at=NOW + timedelta(hours=1),
    )  # fmt: skip
    store.upsert_posting(
        posting(
            "3", title="Data Engineer", company="Remote Co", remote="remote",
            skills=[Skill(name="PostgreSQL", category="tool", score=0.5)],
        ),
        seen_at=NOW + timedelta(hours=2),
    )  # fmt: skip
    store.commit()
    return store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (JobQuery(), ["3", "2", "1"]),
        (JobQuery(limit=2), ["3", "2"]),
        (JobQuery(text="scrapy"), ["3", "1"]),
        (JobQuery(text="pyth"), ["1"]),
        (JobQuery(text="munchen"), ["2"]),
        (JobQuery(text="MÜNCHEN patient"), ["2"]),
        (JobQuery(text='nurse" (rn*'), ["2"]),
        (JobQuery(text="***"), ["3", "2", "1"]),
        (JobQuery(company="clinic"), ["2"]),
        (JobQuery(company="%"), []),
        (JobQuery(company="remote_co"), []),
        (JobQuery(remote="remote"), ["3"]),
        (JobQuery(status="closed"), []),
        (JobQuery(source="greenhouse:acme"), ["3", "2", "1"]),
        (JobQuery(source="lever"), []),
        (JobQuery(skill="postgresql"), ["3"]),
        (JobQuery(seniority="senior"), ["2"]),
        (JobQuery(since=NOW + timedelta(hours=1)), ["3", "2"]),
    ],
)
def test_filters(filled: AnyStore, query: JobQuery, expected: list[str]) -> None:
    found = ids(filled.iter_jobs(query))
    if query.text and query.limit is None:  # ranked by relevance: the order is the engine's
        found, expected = sorted(found), sorted(expected)
    assert found == expected
    if query.limit is None:
        assert filled.count_jobs(query) == len(expected)


@pytest.fixture
def varied(store: AnyStore) -> AnyStore:
    """Three jobs that differ in the fields the search filters and sorts on."""
    store.upsert_posting(
        posting("1", employment_type=["FULL_TIME"], date_posted=date(2026, 11, 20),
                skills=[Skill(name="Rust", category="language", score=0.4)]),
        seen_at=NOW,
    )  # fmt: skip
    store.upsert_posting(
        posting(
            "2", locations=[Location(city="Austin", country="US"), Location(city="Berlin", country="DE")],
            salary=Salary(min=100000, currency="USD", period="YEAR"), seniority="senior",
            employment_type=["PART_TIME", "CONTRACTOR"],
            skills=[Skill(name="Python", category="language", score=0.9)],
        ),
        seen_at=NOW + timedelta(hours=1),
    )  # fmt: skip
    store.upsert_posting(posting("3"), seen_at=NOW + timedelta(hours=2))
    # A change rewrites the copies the search reads: 3 is now in Paris, paid by the hour, in Go.
    store.upsert_posting(
        posting(
            "3", locations=[Location(city="Paris", country="FR")], location_raw="Paris",
            salary=Salary(min=40, max=45, currency="EUR", period="HOUR"),
            skills=[Skill(name="Go", category="language", score=0.5)], date_posted=date(2026, 10, 1),
        ),
        seen_at=NOW + timedelta(hours=3),
    )  # fmt: skip
    store.commit()
    return store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (JobQuery(country="DE"), ["2", "1"]),
        (JobQuery(country="FR"), ["3"]),
        (JobQuery(employment_type="CONTRACTOR"), ["2"]),
        (JobQuery(skill="PYTHON"), ["2"]),
        (JobQuery(skill="go"), ["3"]),
        (JobQuery(skill="postgresql"), []),
        (JobQuery(seniority="senior"), ["2"]),
        (JobQuery(location="paris"), ["3"]),
        (JobQuery(currency="EUR"), ["3", "1"]),
        (JobQuery(min_salary=70000, currency="EUR", period="YEAR"), ["1"]),
        (JobQuery(min_salary=81000, currency="EUR", period="YEAR"), []),
        (JobQuery(min_salary=45, currency="EUR", period="HOUR"), ["3"]),
        (JobQuery(posted_since=date(2026, 11, 1)), ["2", "1"]),  # 2 states no date: first seen
        (JobQuery(sort="salary", currency="EUR"), ["1", "3"]),
        (JobQuery(sort="salary"), ["2", "1", "3"]),
        (JobQuery(sort="date"), ["2", "1", "3"]),
        (JobQuery(sort="date", limit=1, offset=1), ["1"]),
        (JobQuery(offset=2), ["1"]),
        (JobQuery(text="python", country="US", remote=None), ["2"]),
    ],
)
def test_search_filters_and_sorts(varied: AnyStore, query: JobQuery, expected: list[str]) -> None:
    assert ids(varied.iter_jobs(query)) == expected
    if not query.offset:
        assert varied.count_jobs(query) == len(expected)


def test_changed_only_counts_content_changes(filled: AnyStore) -> None:
    later = NOW + timedelta(days=1)
    filled.upsert_posting(posting("1"), seen_at=later)  # seen again, unchanged
    filled.upsert_posting(posting("2", title="Head Nurse"), seen_at=later)
    assert ids(filled.iter_jobs(JobQuery(since=later))) == ["1", "2"]
    assert ids(filled.iter_jobs(JobQuery(since=later, changed_only=True))) == ["2"]


def test_iter_jobs_streams_and_survives_writes_between_rows(filled: AnyStore) -> None:
    records = filled.iter_jobs(JobQuery())
    assert next(records)["source_id"] == "3"
    filled.upsert_posting(posting("9"), seen_at=NOW + timedelta(days=9))
    assert [record["source_id"] for record in records] == ["2", "1"]
    assert len(list(filled.iter_postings(JobQuery()))) == 4


# -- lifecycle ------------------------------------------------------------------------------------


def test_revisions_are_kept_and_unchanged_content_still_updates_them(store: AnyStore) -> None:
    store.upsert_posting(posting(source_revision="2026-11-01"), seen_at=NOW)
    assert store.revisions("greenhouse", "acme") == {"1": "2026-11-01"}
    result = store.upsert_posting(posting(source_revision="2026-11-20"), seen_at=NOW)
    assert result.outcome == "unchanged"
    assert store.revisions("greenhouse", "acme") == {"1": "2026-11-20"}
    assert store.revisions("greenhouse", "other") == {}


def test_mark_seen_moves_last_seen_of_open_jobs_only(store: AnyStore) -> None:
    store.upsert_posting(posting(), seen_at=NOW)
    store.upsert_posting(posting("2"), seen_at=NOW)
    store.close_job("greenhouse:acme:2", at=NOW, reason="expired")
    later = NOW + timedelta(days=1)
    listed = ["greenhouse:acme:1", "greenhouse:acme:2", "greenhouse:acme:404"]
    assert store.mark_seen(listed, seen_at=later) == 1
    assert store.mark_seen(["greenhouse:acme:1"], seen_at=NOW) == 0  # never moves backwards
    assert store.mark_seen([], seen_at=later) == 0
    store.commit()
    job = store.get_job("greenhouse:acme:1")
    assert job is not None
    assert job.last_seen == later


def test_close_missing_after_two_listings(store: AnyStore, location: str) -> None:
    for source_id in ("1", "2", "3"):
        store.upsert_posting(posting(source_id), seen_at=NOW)
    store.upsert_posting(posting("9", source_key="other", id="greenhouse:other:9"), seen_at=NOW)
    listed = ["greenhouse:acme:1"]
    first = store.close_missing("greenhouse", "acme", listed, at=NOW, after=2)
    second = store.close_missing("greenhouse", "acme", listed, at=NOW + timedelta(days=1), after=2)
    store.commit()
    assert (first, second) == ([], ["greenhouse:acme:2", "greenhouse:acme:3"])
    assert committed(
        location,
        "SELECT id, status, close_reason, closed_at, missed_listings FROM jobs ORDER BY id",
    ) == [
        ("greenhouse:acme:1", "open", None, None, 0),
        ("greenhouse:acme:2", "closed", "absent_from_listing", "2026-11-25T12:00:00Z", 2),
        ("greenhouse:acme:3", "closed", "absent_from_listing", "2026-11-25T12:00:00Z", 2),
        ("greenhouse:other:9", "open", None, None, 0),
    ]
    assert store.open_days("greenhouse", "acme") == [1.0, 1.0]
    assert store.open_job_counts() == {("greenhouse", "acme"): 1, ("greenhouse", "other"): 1}


def test_expiry_stated_estimated_and_expired(store: AnyStore) -> None:
    store.upsert_posting(posting("1", valid_through=date(2026, 11, 30)), seen_at=NOW)
    store.upsert_posting(posting("2", date_posted=date(2026, 11, 20)), seen_at=NOW)
    store.upsert_posting(posting("3"), seen_at=NOW)
    assert store.estimate_expiry("greenhouse", "acme", days=10) == 2
    jobs = {job.source_id: job for job in store.iter_postings(JobQuery())}
    assert [(jobs[i].expires_at, jobs[i].expires_at_estimated) for i in ("1", "2", "3")] == [
        (date(2026, 11, 30), False),
        (date(2026, 11, 30), True),
        (date(2026, 12, 4), True),
    ]
    expired = store.expire_jobs(
        at=datetime(2026, 12, 1, tzinfo=UTC),
        unseen_since=NOW + timedelta(hours=1),
        sources=[("greenhouse", "acme"), ("lever", "none")],
    )
    assert expired == ["greenhouse:acme:1"]
    job = store.get_job("greenhouse:acme:1")
    assert job is not None
    assert (job.status, job.close_reason) == ("closed", "expired")


def test_duplicate_marks_and_clusters(store: AnyStore) -> None:
    for source_id in ("1", "2", "3"):
        store.upsert_posting(posting(source_id), seen_at=NOW)
    marks = [
        DuplicateMarks("greenhouse:acme:1", None, None, "c1"),
        DuplicateMarks("greenhouse:acme:2", None, "greenhouse:acme:1", "c1"),
        DuplicateMarks("greenhouse:acme:3", "greenhouse:acme:1", None, "c3"),
    ]
    assert store.set_duplicates(marks) == 3
    assert store.set_duplicates(marks) == 0  # nothing changed the second time
    clusters = store.duplicate_clusters()
    assert list(clusters) == ["c1"]
    assert [record["id"] for record in clusters["c1"]] == ["greenhouse:acme:1", "greenhouse:acme:2"]
    assert list(store.duplicate_clusters("c3")) == ["c3"]
    assert ids(store.iter_jobs(JobQuery(canonical=True))) == ["1", "3"]


def test_fingerprints_change_with_content_only(store: AnyStore) -> None:
    for source_id in ("1", "2"):
        store.upsert_posting(posting(source_id), seen_at=NOW)
    store.commit()
    first = store.fingerprints()
    assert set(first) == {"greenhouse:acme:1", "greenhouse:acme:2"}
    store.upsert_posting(posting("1"), seen_at=NOW + timedelta(days=1))  # seen again, same content
    store.upsert_posting(posting("2", title="Rust Engineer"), seen_at=NOW + timedelta(days=1))
    store.set_duplicates([DuplicateMarks("greenhouse:acme:1", None, None, "c1")])
    store.commit()
    second = store.fingerprints()
    assert second["greenhouse:acme:1"] == first["greenhouse:acme:1"]
    assert second["greenhouse:acme:2"] != first["greenhouse:acme:2"]


# -- runs -----------------------------------------------------------------------------------------


def test_runs_and_source_history(store: AnyStore) -> None:
    first = store.start_run(NOW)
    store.record_source(first, SourceTally("greenhouse", "acme", complete=True, pages=1, seen=2))
    store.record_source(first, SourceTally("greenhouse", "gone", error="HTTP 404"))
    store.finish_run(first, NOW + timedelta(minutes=1), "partial")
    second = store.start_run(NOW + timedelta(days=1))
    tally = SourceTally("greenhouse", "acme", seen=3, requests=4, statuses={"200": 3, "429": 1})
    store.record_source(second, tally)
    store.record_source(second, SourceTally("greenhouse", "acme", complete=True, seen=5))
    run = store.get_run(first)
    assert run is not None
    assert (run.status, run.started_at, run.finished_at, run.seconds) == (
        "partial",
        "2026-11-24T12:00:00Z",
        "2026-11-24T12:01:00Z",
        60.0,
    )
    assert [(t.source_key, t.complete, t.seen, t.error) for t in run.sources] == [
        ("acme", True, 2, None),
        ("gone", False, 0, "HTTP 404"),
    ]
    assert store.get_run(second + 1) is None
    assert [r.id for r in store.list_runs()] == [second, first]
    [latest] = store.last_listings("greenhouse", "acme")
    assert (latest.complete, latest.seen, latest.statuses) == (
        True,
        5,
        {},
    )  # recorded again: replaced
    history = store.source_history(per_source=1)
    assert {key: [run_id for run_id, _ in runs] for key, runs in history.items()} == {
        ("greenhouse", "acme"): [second],
        ("greenhouse", "gone"): [first],
    }


def test_statuses_round_trip(store: AnyStore) -> None:
    run_id = store.start_run(NOW)
    tally = SourceTally("lever", "x", requests=4, statuses={"200": 3, "TimeoutError": 1})
    tally.finished_at = "2026-11-24T12:00:05Z"
    store.record_source(run_id, tally)
    [stored] = store.last_listings("lever", "x")
    assert stored == tally


# -- tracking records -------------------------------------------------------------------------------


def test_tracking_records_on_both_engines(filled: AnyStore) -> None:
    records = TrackingStore(filled)
    assert records.save("greenhouse:acme:1", at=NOW, on=NOW.date())
    assert not records.save("greenhouse:acme:1", at=NOW, on=NOW.date())
    change = records.set_status("greenhouse:acme:1", "applied", on=NOW.date(), at=NOW, note="x")
    note = records.add_note("greenhouse:acme:1", "call Dana", at=NOW)
    reminder = records.add_reminder("greenhouse:acme:1", date(2026, 12, 1), at=NOW, note=None)
    records.commit()
    assert [c.status for c in records.history("greenhouse:acme:1")] == ["saved", "applied"]
    assert change.id == records.history("greenhouse:acme:1")[1].id
    assert records.notes("greenhouse:acme:1") == [note]
    assert records.reminders(due_by=date(2026, 11, 30)) == []
    assert records.reminders(due_by=date(2026, 12, 1)) == [reminder]
    assert [s.job_id for s in records.saved_jobs([("greenhouse", "acme")])] == ["greenhouse:acme:1"]
    assert records.saved_jobs([("lever", "acme")]) == []
    assert records.unsave("greenhouse:acme:1")
    records.commit()
    assert records.notes("greenhouse:acme:1") == []


def test_watches_match_on_both_engines(filled: AnyStore) -> None:
    records = TrackingStore(filled)
    since = "2026-11-24T00:00:00Z"
    munich = records.add_watch(Watch(0, "munich", "patient", None, "münchen", None, None, since))
    assert munich is not None
    assert records.add_watch(Watch(0, "munich", None, None, None, None, None, since)) is None
    rich = records.add_watch(Watch(0, "rich", None, "ACME", "berlin", None, 70000, since))
    assert rich is not None
    records.commit()
    assert [w.name for w in records.watches()] == ["munich", "rich"]
    assert records.watch_matches(munich) == []  # "münchen" is in the description, not a location
    assert records.watch_matches(rich) == ["greenhouse:acme:1"]
    assert records.watch_matches(rich, ["greenhouse:acme:2"]) == []
    by_text = Watch(0, "t", "pyth", None, None, None, None, since)
    assert records.watch_matches(by_text) == ["greenhouse:acme:1"]
    assert records.remove_watch("munich")
    assert not records.remove_watch("munich")


def test_alerts_and_outbox_on_both_engines(filled: AnyStore) -> None:
    records = TrackingStore(filled)
    alert = NewAlert("closed:greenhouse:acme:1", "closed", "greenhouse:acme:1", "T", "H", "R")
    first = records.raise_alert(alert, at=NOW, channels=["feed", "email"])
    assert first is not None
    assert records.raise_alert(alert, at=NOW, channels=["feed"]) is None
    records.delivered(first, "feed", at=NOW)
    records.delivery_failed(first, "email", "SMTP 550")
    records.commit()
    [stored] = records.alerts()
    assert (stored.id, stored.deliveries) == (first, {"email": "pending", "feed": "sent"})
    assert [a.id for a in records.pending("email")] == [first]
    assert records.acknowledge([first, 999], at=NOW) == [first]
    records.commit()
    assert records.alerts(unread=True) == []


# -- migrations -----------------------------------------------------------------------------------


def test_both_engines_have_the_same_migrations() -> None:
    numbers = {
        engine: [path.name[:4] for path in sorted((MIGRATIONS / engine).glob("*.sql"))]
        for engine in ("sqlite", "postgres")
    }
    assert numbers["sqlite"] == numbers["postgres"]
    assert numbers["sqlite"] == [f"{n:04d}" for n in range(1, len(numbers["sqlite"]) + 1)]
    names = {
        engine: [path.name for path in sorted((MIGRATIONS / engine).glob("*.sql"))]
        for engine in ("sqlite", "postgres")
    }
    assert names["sqlite"] == names["postgres"]


def columns_per_table(location: str) -> dict[str, list[str]]:
    store = open_store(location)
    if isinstance(store, PostgresStore):
        rows = store.connection.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ).fetchall()
    else:
        tables = [
            row[0]
            for row in store.connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        rows = [
            (table, column[1])
            for table in tables
            for column in store.connection.execute(f"PRAGMA table_info({table})")
        ]
    found: dict[str, list[str]] = {}
    for table, column in rows:
        if not table.startswith(ENGINE_OWN_TABLES) and not table.startswith("sqlite_"):
            found.setdefault(table, []).append(column)
    return found


def test_both_engines_end_with_the_same_columns(tmp_path: Path, pg_url: str) -> None:
    sqlite = columns_per_table(str(tmp_path / "jobs.db"))
    postgres = columns_per_table(pg_url)
    assert "jobs" in sqlite
    assert "alerts" in sqlite
    assert sqlite == postgres


def test_migrations_run_once_and_reopening_keeps_the_data(location: str) -> None:
    first = open_store(location)
    first.upsert_posting(posting(), seen_at=NOW)
    close_stores()
    reopened = open_store(location)
    assert reopened.schema_version == len(list((MIGRATIONS / "sqlite").glob("*.sql")))
    assert reopened.count_jobs(JobQuery()) == 1


# -- runs, as the scheduler reads them -----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "stopped", "after"),
    [
        ("running", False, "interrupted"),
        ("running", True, "interrupted"),
        ("partial", False, "partial"),
        ("partial", True, "interrupted"),
        ("failed", True, "interrupted"),
        ("ok", True, "ok"),
        ("interrupted", False, "interrupted"),
    ],
)
def test_interrupt_run(store: AnyStore, status: str, stopped: bool, after: str) -> None:
    run_id = store.start_run(NOW)
    if status != "running":
        store.finish_run(run_id, NOW + timedelta(minutes=1), status)
    changed = store.interrupt_run(run_id, at=NOW + timedelta(minutes=5), stopped=stopped)
    record = store.get_run(run_id)
    assert record is not None
    assert changed == (status != after)
    assert record.status == after
    expected_end = NOW + timedelta(minutes=5 if status == "running" else 1)
    assert record.finished_at == iso_utc(expected_end)


def test_runs_in_order_for_a_scheduler(store: AnyStore) -> None:
    assert store.latest_run_id() == 0
    first, second = store.start_run(NOW), store.start_run(NOW)
    assert store.latest_run_id() == second
    assert store.first_run_after(0) == first
    assert store.first_run_after(first) == second
    assert store.first_run_after(second) is None


def test_migration_9_fills_the_search_copies_of_jobs_stored_before(
    varied: AnyStore, location: str
) -> None:
    """A database at version 8 (the copies and facets taken away again) is back-filled by 0009."""
    conn = varied.connection
    for index in ("jobs_by_seniority", "jobs_by_remote", "jobs_by_salary", "jobs_by_posted"):
        conn.execute(f"DROP INDEX {index}")
    for column in ("seniority", "salary_currency", "salary_period", "salary_top", "posted_on"):
        conn.execute(f"ALTER TABLE jobs DROP COLUMN {column}")
    conn.execute("DROP TABLE job_facets")
    if isinstance(varied, PostgresStore):
        conn.execute("DELETE FROM schema_migrations WHERE version = 9")
    else:
        conn.execute("PRAGMA user_version = 8")
    close_stores()
    reopened = open_store(location)
    assert reopened.schema_version == 9
    for query, expected in (
        (JobQuery(country="DE"), ["2", "1"]),
        (JobQuery(skill="python"), ["2"]),
        (JobQuery(employment_type="PART_TIME"), ["2"]),
        (JobQuery(seniority="senior"), ["2"]),
        (JobQuery(min_salary=45, currency="EUR", period="HOUR"), ["3"]),
        (JobQuery(posted_since=date(2026, 11, 1)), ["2", "1"]),
        (JobQuery(sort="salary"), ["2", "1", "3"]),
    ):
        assert ids(reopened.iter_jobs(query)) == expected, query

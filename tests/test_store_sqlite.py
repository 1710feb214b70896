"""The SQLite store, asserted on what is in the database (sqlite-utils style)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.items import JobPosting, Location, Salary
from crawler.store import JobQuery, SourceTally, SQLiteStore, close_stores, open_store
from crawler.store.sqlite import _statements

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def posting(source_id: str = "1", **changes: object) -> JobPosting:
    values: dict[str, object] = {
        "id": f"greenhouse:acme:{source_id}",
        "source": "greenhouse",
        "source_key": "acme",
        "source_id": source_id,
        "url": f"https://job-boards.greenhouse.io/acme/jobs/{source_id}",
        "title": "Python Engineer",
        "company": "Acme",
        "locations": [Location(city="Berlin", country="DE")],
        "location_raw": "Berlin, Germany",
        "salary": Salary(min=60000, max=80000, currency="EUR", period="YEAR", raw="60-80k"),
        "description_text": "Build crawlers with Scrapy and PostgreSQL.",
    }
    values.update(changes)
    return JobPosting.model_validate(values)


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_new_unchanged_changed(store: SQLiteStore, db_path: Path) -> None:
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
    assert rows(db_path, "SELECT id, title, version, first_seen, last_seen FROM jobs") == [
        (
            "greenhouse:acme:1",
            "Senior Python Engineer",
            2,
            "2026-11-24T12:00:00Z",
            "2026-11-25T12:00:00Z",
        )
    ]
    assert rows(db_path, "SELECT version, changed_fields FROM job_versions ORDER BY version") == [
        (1, "[]"),
        (2, '["salary", "title"]'),
    ]


def test_unchanged_recrawl_moves_only_last_seen(store: SQLiteStore, db_path: Path) -> None:
    store.upsert_posting(posting(), seen_at=NOW)
    store.commit()
    before = rows(db_path, "SELECT * FROM jobs")[0]
    store.upsert_posting(posting(), seen_at=NOW + timedelta(days=2))
    store.commit()
    after = rows(db_path, "SELECT * FROM jobs")[0]
    columns = [r[1] for r in rows(db_path, "PRAGMA table_info(jobs)")]
    differing = [name for name, a, b in zip(columns, before, after, strict=True) if a != b]
    assert differing == ["last_seen"]
    assert rows(db_path, "SELECT count(*) FROM job_versions") == [(1,)]


def test_last_seen_never_goes_back(store: SQLiteStore) -> None:
    store.upsert_posting(posting(), seen_at=NOW)
    store.upsert_posting(posting(), seen_at=NOW - timedelta(days=3))
    job = store.get_job("greenhouse:acme:1")
    assert job is not None
    assert job.last_seen == NOW


def test_round_trip_keeps_every_field(store: SQLiteStore) -> None:
    original = posting(remote="hybrid", employment_type=["FULL_TIME"], department="Eng")
    store.upsert_posting(original, seen_at=NOW)
    stored = store.get_job(original.id)
    assert stored is not None
    expected = original.model_copy(update={"first_seen": NOW, "last_seen": NOW})
    assert stored == expected


def test_seen_again_after_closing_reopens(store: SQLiteStore, db_path: Path) -> None:
    store.upsert_posting(posting(), seen_at=NOW)
    store.commit()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE jobs SET status = 'closed', closed_at = '2026-11-25T00:00:00Z'")
    result = store.upsert_posting(posting(), seen_at=NOW + timedelta(days=2))
    store.commit()
    assert result.reopened
    assert rows(db_path, "SELECT status, closed_at FROM jobs") == [("open", None)]


def test_uncommitted_batch_is_lost_whole_on_crash(db_path: Path) -> None:
    """A process killed mid-batch leaves only committed postings, each with its version rows."""
    script = f"""
import os
from datetime import datetime, UTC
from crawler.store import open_store
from tests.test_store_sqlite import posting
store = open_store({str(db_path)!r})
store.upsert_posting(posting("1"), seen_at=datetime.now(UTC))
store.commit()
store.upsert_posting(posting("2"), seen_at=datetime.now(UTC))
store.upsert_posting(posting("1", title="Changed"), seen_at=datetime.now(UTC))
os._exit(9)
"""
    root = Path(__file__).parent.parent
    done = subprocess.run([sys.executable, "-c", script], cwd=root, check=False)
    assert done.returncode == 9
    assert rows(db_path, "SELECT id, title, version FROM jobs") == [
        ("greenhouse:acme:1", "Python Engineer", 1)
    ]
    assert rows(db_path, "SELECT job_id, version FROM job_versions") == [("greenhouse:acme:1", 1)]
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_wal_mode_and_migrations_are_idempotent(db_path: Path) -> None:
    first = open_store(db_path)
    first.upsert_posting(posting(), seen_at=NOW)
    close_stores()
    reopened = open_store(db_path)
    migrations = sorted(Path("crawler/store/migrations/sqlite").glob("*.sql"))
    assert reopened.schema_version == int(migrations[-1].name[:4]) == len(migrations)
    assert rows(db_path, "PRAGMA journal_mode") == [("wal",)]
    assert reopened.count_jobs(JobQuery()) == 1


def test_unopenable_database_is_a_store_error(tmp_path: Path) -> None:
    from crawler.errors import StoreError

    not_a_db = tmp_path / "text.db"
    not_a_db.write_text("this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the database"):
        SQLiteStore(not_a_db)


@pytest.fixture
def filled(store: SQLiteStore) -> SQLiteStore:
    store.upsert_posting(posting("1"), seen_at=NOW)
    store.upsert_posting(
        posting(
            "2", title="Nurse (RN)", company="Clinic GmbH", remote="onsite",
            description_text="Patient care in München.",
        ),
        seen_at=NOW + timedelta(hours=1),
    )  # fmt: skip
    store.upsert_posting(
        posting("3", title="Data Engineer", company="Remote Co", remote="remote"),
        seen_at=NOW + timedelta(hours=2),
    )
    store.commit()
    return store


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        (JobQuery(), ["3", "2", "1"]),
        (JobQuery(limit=2), ["3", "2"]),
        (JobQuery(text="scrapy"), ["3", "1"]),
        (JobQuery(text="pyth"), ["1"]),
        (JobQuery(text="munchen"), ["2"]),
        (JobQuery(text='nurse" (rn*'), ["2"]),
        (JobQuery(text="***"), ["3", "2", "1"]),
        (JobQuery(company="clinic"), ["2"]),
        (JobQuery(company="%"), []),
        (JobQuery(remote="remote"), ["3"]),
        (JobQuery(status="closed"), []),
        (JobQuery(source="greenhouse:acme"), ["3", "2", "1"]),
        (JobQuery(source="lever"), []),
    ],
)
def test_filters(filled: SQLiteStore, query: JobQuery, ids: list[str]) -> None:
    found = [record["source_id"] for record in filled.iter_jobs(query)]
    if query.text:  # ranked by relevance: the order is FTS5's business
        found, ids = sorted(found), sorted(ids)
    assert found == ids
    if query.limit is None:
        assert filled.count_jobs(query) == len(ids)


def test_iter_jobs_is_lazy(filled: SQLiteStore) -> None:
    records = filled.iter_jobs(JobQuery())
    assert next(records)["source_id"] == "3"


def test_runs_are_recorded(store: SQLiteStore) -> None:
    run_id = store.start_run(NOW)
    store.record_source(run_id, SourceTally("greenhouse", "acme", complete=True, pages=1, seen=2))
    store.record_source(run_id, SourceTally("greenhouse", "gone", error="HTTP 404"))
    store.finish_run(run_id, NOW + timedelta(minutes=1), "partial")
    run = store.get_run(run_id)
    assert run is not None
    assert (run.status, run.started_at, run.finished_at) == (
        "partial",
        "2026-11-24T12:00:00Z",
        "2026-11-24T12:01:00Z",
    )
    assert [(t.source_key, t.complete, t.seen, t.error) for t in run.sources] == [
        ("acme", True, 2, None),
        ("gone", False, 0, "HTTP 404"),
    ]
    assert store.get_run(run_id + 1) is None


def test_revisions_are_kept_and_unchanged_content_still_updates_them(store: SQLiteStore) -> None:
    store.upsert_posting(posting(source_revision="2026-11-01"), seen_at=NOW)
    assert store.revisions("greenhouse", "acme") == {"1": "2026-11-01"}
    result = store.upsert_posting(posting(source_revision="2026-11-20"), seen_at=NOW)
    assert result.outcome == "unchanged"
    assert store.revisions("greenhouse", "acme") == {"1": "2026-11-20"}
    assert store.revisions("greenhouse", "other") == {}
    job = store.get_job("greenhouse:acme:1")
    assert job is not None
    assert job.source_revision == "2026-11-20"


def test_mark_seen_moves_last_seen_of_open_jobs_only(store: SQLiteStore) -> None:
    store.upsert_posting(posting(), seen_at=NOW)
    later = NOW + timedelta(days=1)
    assert store.mark_seen(["greenhouse:acme:1", "greenhouse:acme:404"], seen_at=later) == 1
    assert store.mark_seen(["greenhouse:acme:1"], seen_at=NOW) == 0  # never moves backwards
    store.commit()
    job = store.get_job("greenhouse:acme:1")
    assert job is not None
    assert job.last_seen == later


def test_two_processes_creating_one_database_at_once_both_succeed(tmp_path: Path) -> None:
    db = tmp_path / "race.db"
    script = (
        "import sys; from crawler.store import open_store; "
        "print(open_store(sys.argv[1]).schema_version)"
    )
    for _ in range(3):
        db.unlink(missing_ok=True)
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(db)], stdout=subprocess.PIPE, text=True
            )
            for _ in range(4)
        ]
        outputs = [run.communicate(timeout=60)[0].strip() for run in runs]
        assert [run.returncode for run in runs] == [0] * 4
        assert len(set(outputs)) == 1


def test_a_migration_script_is_run_statement_by_statement_with_triggers_whole() -> None:
    script = (
        "-- a table; and its trigger\n"
        "CREATE TABLE t (a INTEGER);\n"
        "CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN\n"
        "    UPDATE t SET a = a + 1 WHERE rowid = new.rowid;\n"
        "END;\n"
        "INSERT INTO t VALUES (1);  -- one row\n"
        "-- the end\n"
    )
    statements = list(_statements(script))
    assert len(statements) == 3
    assert statements[1].count("UPDATE t SET") == 1
    assert statements[1].rstrip().endswith("END;")
    with closing(sqlite3.connect(":memory:")) as conn:
        for statement in statements:
            conn.execute(statement)
        assert conn.execute("SELECT a FROM t").fetchall() == [(2,)]

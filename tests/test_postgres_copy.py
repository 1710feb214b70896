"""`jobcrawl db migrate` and `jobcrawl db copy`: a laptop's SQLite database moved to PostgreSQL whole."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from crawler.cli import app
from crawler.store import JobQuery, SourceTally, close_stores, open_store
from crawler.store.postgres import COPY_ORDER, PostgresStore
from crawler.store.tracking import NewAlert, TrackingStore, Watch
from tests.test_store_backends import MIGRATIONS, NOW, empty_postgres, pg_url
from tests.test_store_sqlite import posting

__all__ = ["pg_url"]  # the module-scoped throwaway database fixture

runner = CliRunner()


@pytest.fixture
def url(pg_url: str) -> Iterator[str]:
    empty_postgres(pg_url)
    yield pg_url
    close_stores()


@pytest.fixture
def laptop(tmp_path: Path) -> Path:
    """A SQLite database with something in every table: two runs, versions, a saved job, alerts."""
    path = tmp_path / "laptop.db"
    store = open_store(path)
    first = store.start_run(NOW)
    store.upsert_posting(posting("1"), seen_at=NOW, run_id=first)
    store.upsert_posting(posting("2", title="Pâtissier"), seen_at=NOW, run_id=first)
    store.record_source(first, SourceTally("greenhouse", "acme", complete=True, seen=2, new=2))
    store.finish_run(first, NOW + timedelta(minutes=1), "ok")
    second = store.start_run(NOW + timedelta(days=1))
    store.upsert_posting(
        posting("1", title="Senior"), seen_at=NOW + timedelta(days=1), run_id=second
    )
    store.close_job("greenhouse:acme:2", at=NOW + timedelta(days=1), reason="absent_from_listing")
    store.record_source(second, SourceTally("greenhouse", "acme", statuses={"200": 1}))
    store.finish_run(second, NOW + timedelta(days=1, minutes=1), "partial")
    records = TrackingStore(store)
    records.save("greenhouse:acme:1", at=NOW, on=NOW.date())
    records.set_status("greenhouse:acme:1", "applied", on=NOW.date(), at=NOW, note="referral")
    records.add_note("greenhouse:acme:1", "call Dana", at=NOW)
    records.add_reminder("greenhouse:acme:1", date(2026, 12, 1), at=NOW, note=None)
    records.add_watch(Watch(0, "python", "python", None, None, None, None, "2026-11-01T00:00:00Z"))
    alert = records.raise_alert(
        NewAlert("closed:greenhouse:acme:2", "closed", "greenhouse:acme:2", "P", "H", "R"),
        at=NOW,
        channels=["feed", "email"],
    )
    assert alert is not None
    records.delivered(alert, "feed", at=NOW)
    records.commit()
    close_stores()
    return path


def table_rows(location: str, table: str) -> list[tuple[Any, ...]]:
    """Every row of `table`, JSON columns as their exact text, in a stable order."""
    if location.startswith("postgresql://"):
        with psycopg.connect(location) as conn:
            kinds = conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = %s ORDER BY ordinal_position",
                (table,),
            ).fetchall()
            listed = ", ".join(f"{name}::text" if kind == "json" else name for name, kind in kinds)
            return sorted(conn.execute(f"SELECT {listed} FROM {table}").fetchall(), key=repr)
    with sqlite3.connect(location) as conn:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def test_copy_moves_every_row_of_every_table(laptop: Path, url: str) -> None:
    result = runner.invoke(app, ["db", "copy", "--from", f"sqlite:///{laptop}", "--to", url])
    assert result.exit_code == 0, result.output
    assert "job_versions" in result.output
    for table in COPY_ORDER:
        source = table_rows(str(laptop), table)
        assert source, f"the fixture leaves {table} empty"
        assert table_rows(url, table) == source, table


def test_the_copy_works_as_a_database(laptop: Path, url: str) -> None:
    runner.invoke(app, ["db", "copy", "--from", f"sqlite:///{laptop}", "--to", url])
    store = open_store(url)
    assert isinstance(store, PostgresStore)
    assert [job["id"] for job in store.iter_jobs(JobQuery(text="patissier"))] == [
        "greenhouse:acme:2"
    ]
    assert [v["version"] for v in store.job_versions("greenhouse:acme:1")] == [1, 2]
    assert store.start_run(NOW + timedelta(days=2)) == 3  # ids go on after the copied ones
    records = TrackingStore(store)
    watch = records.add_watch(Watch(0, "rust", "rust", None, None, None, None, "2026-11-01"))
    assert watch is not None
    assert watch.id == 2
    assert [a.deliveries for a in records.alerts()] == [{"email": "pending", "feed": "sent"}]
    assert [c.status for c in records.history("greenhouse:acme:1")] == ["saved", "applied"]


def test_copy_refuses_a_target_that_holds_data(laptop: Path, url: str) -> None:
    open_store(url).start_run(NOW)
    close_stores()
    result = runner.invoke(app, ["db", "copy", "--from", f"sqlite:///{laptop}", "--to", url])
    assert result.exit_code == 2
    assert "the target already holds data (runs): copy into an empty database" in result.output
    assert table_rows(url, "jobs") == []


def test_copy_needs_an_existing_sqlite_file_and_a_postgresql_url(
    tmp_path: Path, laptop: Path, url: str
) -> None:
    missing = runner.invoke(
        app, ["db", "copy", "--from", f"sqlite:///{tmp_path / 'none.db'}", "--to", url]
    )
    assert missing.exit_code == 2
    assert "expected an existing SQLite file" in missing.output
    assert not (tmp_path / "none.db").exists()
    wrong = runner.invoke(app, ["db", "copy", "--from", str(laptop), "--to", str(tmp_path / "x")])
    assert wrong.exit_code == 2
    assert "expected a postgresql://user@host/dbname URL" in wrong.output


def test_migrate_creates_and_reports_the_schema(tmp_path: Path, url: str) -> None:
    for target in (url, str(tmp_path / "new.db")):
        result = runner.invoke(app, ["db", "migrate", "--db", target])
        assert result.exit_code == 0, result.output
        latest = len(list((MIGRATIONS / "sqlite").glob("*.sql")))
        assert result.output.strip().endswith(f"schema version {latest}")
    assert (tmp_path / "new.db").is_file()
    unreachable = runner.invoke(
        app, ["db", "migrate", "--db", "postgresql://nobody@127.0.0.1:9/none?connect_timeout=2"]
    )
    assert unreachable.exit_code == 2
    assert "cannot open the database" in unreachable.output

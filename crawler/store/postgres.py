"""
The PostgreSQL store: the same behaviour as the SQLite store, for many crawl processes at once.

Several workers write to one database at the same time, so every write method is one short
transaction of its own (retried when PostgreSQL picks it as a deadlock victim): a posting is written
whole with its version row or not at all, and no process holds rows locked while it parses pages.
`begin()` opens a longer transaction that the following writes join until `commit()`, for the
callers that need several writes to land together (saved jobs and their history).

Lost updates are ruled out by the database, not by timing: an upsert locks the job's row
(`SELECT ... FOR UPDATE`, or `INSERT ... ON CONFLICT DO NOTHING` when it is new) before it compares
fingerprints, `last_seen` only ever moves forward (`GREATEST`), and the statements that update many
jobs lock them in id order, so two processes never wait on each other in a circle.

The session runs with `synchronous_commit = off`: a commit does not wait for its WAL record to reach
the disk. Only a crash of the database server itself can lose the last fraction of a second of
commits (never half of one), and a crawl re-reads what it lost; without it, each posting would cost
a disk flush.

Full-text search is PostgreSQL's own (a weighted `tsvector` per job in `jobs_fts`, `to_tsquery` with
the last word as a prefix), fed with the words the store folds itself, diacritics removed, so that
`munchen` finds München on both engines.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors
from psycopg.rows import dict_row

from crawler.errors import StoreError
from crawler.ids import BOOKKEEPING_FIELDS, changed_fields, content_fingerprint
from crawler.items import CloseReason, JobPosting
from crawler.store.base import (
    SORT_ORDERS,
    DuplicateMarks,
    JobQuery,
    RunLookups,
    RunRecord,
    SourceTally,
    UpsertResult,
    facet_rows,
    iso_utc,
    job_conditions,
    search_columns,
)

T = TypeVar("T")
Cursor = psycopg.Cursor[Any]

SCHEMA_FIELDS = tuple(JobPosting.model_fields)
_DEADLOCK_RETRIES = 5
_MIGRATION_LOCK = 0x6A6F6263  # "jobc": one migrating process at a time
_WORD = re.compile(r"[^\W_]+")
_FTS_WEIGHTS = (("title", "A"), ("company", "B"), ("location_raw", "C"), ("description_text", "D"))
_DOCUMENT = " || ".join(f"setweight(to_tsvector('simple', %s), '{w}')" for _, w in _FTS_WEIGHTS)


def postgres_url(location: str) -> str:
    """
    The connection URL, with the `//` that `pathlib.Path` squeezes out of `postgresql://` put back.

    `--db` options and `JOBCRAWL_DB` pass through `Path` in places, which turns
    `postgresql://host/db` into `postgresql:/host/db` and `postgresql:///db` into `postgresql:/db`.
    """
    scheme, _, rest = location.partition(":")
    if rest.startswith("//"):
        return location
    rest = rest.lstrip("/")
    return f"{scheme}://{rest}" if "/" in rest else f"{scheme}:///{rest}"


def display_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def _migrations() -> list[tuple[int, str]]:
    """(version, SQL) for every PostgreSQL migration file, in order."""
    folder = resources.files("crawler.store") / "migrations" / "postgres"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def search_words(text: str | None) -> list[str]:
    """Lower-case words without diacritics: the terms of a search document or query."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(plain.lower())


def text_query(text: str) -> str | None:
    """
    User words as a `to_tsquery` expression: every word must match, the last one as a prefix.

    Only letters and digits reach the expression, so no user input can be a tsquery syntax error.
    """
    words = search_words(text)
    if not words:
        return None
    terms = [f"'{word}'" for word in words]
    terms[-1] += ":*"
    return " & ".join(terms)


class PostgresStore(RunLookups):
    """A jobcrawl database in PostgreSQL, shared by any number of processes."""

    _placeholder = "%s"

    def __init__(self, url: str) -> None:
        self.url = url
        self.path = display_url(url)
        """Where the database is, for messages (the URL without its password)."""
        self._in_transaction = False
        self._cursor_names = itertools.count(1)
        try:
            self._conn: psycopg.Connection[Any] = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(f"{self.path}: cannot open the database: {_first_line(exc)}") from exc
        try:
            self._conn.execute("SET synchronous_commit = off")
            self._migrate()
        except psycopg.Error as exc:
            self._conn.close()
            raise StoreError(f"{self.path}: cannot open the database: {_first_line(exc)}") from exc

    # -- schema -------------------------------------------------------------------------------

    def _migrate(self) -> None:
        for version, sql in _migrations():
            # One migration per transaction, under a lock: workers starting together migrate once.
            with self._conn.transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                self._conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY,"
                    " applied_at timestamptz NOT NULL DEFAULT now())"
                )
                if version > self.schema_version:
                    self._conn.execute(sql)
                    self._conn.execute(
                        "INSERT INTO schema_migrations (version) VALUES (%s)", (version,)
                    )

    @property
    def connection(self) -> psycopg.Connection[Any]:
        """The open connection (autocommit outside `begin()`), for the records kept beside jobs."""
        return self._conn

    @property
    def schema_version(self) -> int:
        row = self._conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations")
        return int(_one(row)[0])

    # -- transactions -------------------------------------------------------------------------

    def begin(self) -> None:
        """Open a transaction that the following writes join, unless one is open; `commit()` ends it."""
        if not self._in_transaction:
            self._conn.execute("BEGIN")
            self._in_transaction = True

    def commit(self) -> None:
        if self._in_transaction:
            self._conn.execute("COMMIT")
            self._in_transaction = False

    def rollback(self) -> None:
        if self._in_transaction:
            self._conn.execute("ROLLBACK")
            self._in_transaction = False

    def close(self) -> None:
        if not self._conn.closed:
            self.commit()
            self._conn.close()

    def _write(self, work: Callable[[Cursor], T]) -> T:
        """Run `work` in the open transaction, or in one of its own, retried after a deadlock."""
        if self._in_transaction:
            return work(self._conn.cursor())
        attempt = 1
        while True:
            try:
                with self._conn.transaction():
                    return work(self._conn.cursor())
            except (errors.DeadlockDetected, errors.SerializationFailure):
                if attempt >= _DEADLOCK_RETRIES:
                    raise
                attempt += 1

    # -- postings -----------------------------------------------------------------------------

    def upsert_posting(
        self, posting: JobPosting, *, seen_at: datetime, run_id: int | None = None
    ) -> UpsertResult:
        record = posting.model_dump(mode="json", exclude=set(BOOKKEEPING_FIELDS))
        fingerprint = content_fingerprint(record)
        revision = posting.source_revision
        seen = iso_utc(seen_at)

        def upsert(cur: Cursor) -> UpsertResult:
            row = _locked_job(cur, posting.id)
            if row is None:
                inserted = cur.execute(
                    "INSERT INTO jobs (id, source, source_key, source_id, url, title, company,"
                    " location_raw, remote, date_posted, valid_through, status, first_seen,"
                    " last_seen, version, fingerprint, record, source_revision, expires_at,"
                    " expires_at_estimated, seniority, salary_currency, salary_period, salary_top,"
                    " posted_on) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                    " 'open', %s, %s, 1, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
                    " coalesce(%s, substr(%s, 1, 10))) ON CONFLICT (id) DO NOTHING RETURNING id",
                    (
                        *_columns(record),
                        *(seen, seen, fingerprint, _dumps(record), revision),
                        *_stated_expiry(record),
                        *_search_columns(record),
                        _text(record.get("date_posted")),
                        seen,
                    ),
                ).fetchone()
                if inserted is not None:
                    _add_version(cur, posting.id, 1, seen, run_id, fingerprint, [], record)
                    _index(cur, posting.id, record)
                    return UpsertResult("new", 1)
                row = _locked_job(cur, posting.id)  # another process inserted it meanwhile
                assert row is not None  # noqa: S101 (the conflict means the row exists)
            old_version, old_fingerprint, old_record, status = row
            reopened = status == "closed"
            if old_fingerprint == fingerprint:
                cur.execute(
                    f"UPDATE jobs SET last_seen = GREATEST(last_seen, %s), {_SEEN_AGAIN},"
                    " source_revision = %s WHERE id = %s",
                    (seen, seen, revision, posting.id),
                )
                return UpsertResult("unchanged", old_version, reopened=reopened)
            changed = changed_fields(old_record, record)
            version = old_version + 1
            cur.execute(
                _UPDATE_CHANGED,
                (
                    *_columns(record)[1:],
                    *(seen, seen, version, fingerprint, _dumps(record), revision),
                    *_stated_expiry(record),
                    *_search_columns(record),
                    _text(record.get("date_posted")),
                    posting.id,
                ),
            )
            _add_version(cur, posting.id, version, seen, run_id, fingerprint, changed, record)
            _index(cur, posting.id, record)
            return UpsertResult("changed", version, changed, reopened)

        return self._write(upsert)

    def revisions(self, source: str, source_key: str) -> dict[str, str]:
        """Source id -> stored revision, for the source's open jobs that have one."""
        rows = self._conn.execute(
            "SELECT source_id, source_revision FROM jobs WHERE source = %s AND source_key = %s"
            " AND status = 'open' AND source_revision IS NOT NULL",
            (source, source_key),
        )
        return {row[0]: row[1] for row in rows}

    def mark_seen(self, job_ids: Iterable[str], *, seen_at: datetime) -> int:
        """Move `last_seen` of open jobs that a listing held but no posting was written for."""
        seen = iso_utc(seen_at)
        ids = sorted(set(job_ids))

        def mark(cur: Cursor) -> int:
            cur.execute(
                "UPDATE jobs SET last_seen = %s, missed_listings = 0 WHERE id IN (SELECT id FROM"
                " jobs WHERE id = ANY(%s) AND status = 'open' AND last_seen < %s ORDER BY id"
                " FOR UPDATE)",
                (seen, ids, seen),
            )
            return cur.rowcount

        return self._write(mark) if ids else 0

    def close_missing(
        self, source: str, source_key: str, seen_ids: Iterable[str], *, at: datetime, after: int
    ) -> list[str]:
        """
        Count one more missed complete listing for the source's open jobs not in `seen_ids`.

        Those missed by `after` complete listings in a row are closed as `absent_from_listing`;
        their ids are returned. Only ever call this with a complete, trusted listing.
        """
        listed = sorted(set(seen_ids))

        def close(cur: Cursor) -> list[str]:
            rows = cur.execute(
                "UPDATE jobs SET missed_listings = missed_listings + 1 WHERE id IN (SELECT id FROM"
                " jobs WHERE source = %s AND source_key = %s AND status = 'open'"
                " AND NOT (id = ANY(%s)) ORDER BY id FOR UPDATE) RETURNING id, missed_listings",
                (source, source_key, listed),
            ).fetchall()
            closed = sorted(job_id for job_id, missed in rows if missed >= after)
            cur.execute(
                "UPDATE jobs SET status = 'closed', closed_at = %s,"
                " close_reason = 'absent_from_listing' WHERE id = ANY(%s)",
                (iso_utc(at), closed),
            )
            return closed

        return self._write(close)

    def close_job(self, job_id: str, *, at: datetime, reason: CloseReason) -> bool:
        """Close one open job; false when it is unknown or already closed."""

        def close(cur: Cursor) -> bool:
            cur.execute(
                "UPDATE jobs SET status = 'closed', closed_at = %s, close_reason = %s"
                " WHERE id = %s AND status = 'open'",
                (iso_utc(at), reason, job_id),
            )
            return cur.rowcount == 1

        return self._write(close)

    def expire_jobs(
        self, *, at: datetime, unseen_since: datetime, sources: Iterable[tuple[str, str]]
    ) -> list[str]:
        """Close the sources' open jobs whose `valid_through` day is past and no listing showed since."""
        boards = list(sources)

        def expire(cur: Cursor) -> list[str]:
            expired: list[str] = []
            for source, source_key in boards:
                rows = cur.execute(
                    "UPDATE jobs SET status = 'closed', closed_at = %s, close_reason = 'expired'"
                    " WHERE id IN (SELECT id FROM jobs WHERE source = %s AND source_key = %s"
                    " AND status = 'open' AND valid_through < %s AND last_seen < %s ORDER BY id"
                    " FOR UPDATE) RETURNING id",
                    (
                        iso_utc(at), source, source_key, at.date().isoformat(),
                        iso_utc(unseen_since),
                    ),
                )  # fmt: skip
                expired += [row[0] for row in rows]
            return sorted(expired)

        return self._write(expire)

    def open_days(self, source: str, source_key: str) -> list[float]:
        """How many days each closed job of the source stayed open (first seen to closed)."""
        rows = self._conn.execute(
            "SELECT (extract(epoch FROM closed_at::timestamptz - first_seen::timestamptz)"
            " / 86400)::float8 FROM jobs WHERE source = %s AND source_key = %s"
            " AND status = 'closed' AND close_reason = 'absent_from_listing'",
            (source, source_key),
        )
        return [row[0] for row in rows]

    def estimate_expiry(self, source: str, source_key: str, *, days: int) -> int:
        """Set `expires_at` of open jobs that state no `valid_through` to posted (or seen) + days."""

        def estimate(cur: Cursor) -> int:
            cur.execute(
                "UPDATE jobs SET expires_at = to_char(coalesce(date_posted,"
                " substr(first_seen, 1, 10))::date + %s::integer, 'YYYY-MM-DD'),"
                " expires_at_estimated = 1 WHERE id IN (SELECT id FROM jobs WHERE source = %s"
                " AND source_key = %s AND status = 'open' AND valid_through IS NULL ORDER BY id"
                " FOR UPDATE)",
                (days, source, source_key),
            )
            return cur.rowcount

        return self._write(estimate)

    def iter_postings(self, query: JobQuery) -> Iterator[JobPosting]:
        """Like `iter_jobs`, as `JobPosting`s (for the work that needs the typed record)."""
        for record in self.iter_jobs(query):
            yield JobPosting.model_validate(record)

    def duplicate_clusters(self, cluster_id: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Clusters of two or more records (or the one named), canonical record first."""
        where = (
            "cluster_id = %s"
            if cluster_id
            else (
                "cluster_id IN (SELECT cluster_id FROM jobs WHERE cluster_id IS NOT NULL"
                " GROUP BY cluster_id HAVING count(*) > 1)"
            )
        )
        rows = self._dict_cursor().execute(
            f"{_SELECT_JOB} WHERE {where} ORDER BY cluster_id, duplicate_of IS NOT NULL, id",
            (cluster_id,) if cluster_id else (),
        )
        clusters: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            record = _row_record(row)
            clusters.setdefault(record["cluster_id"], []).append(record)
        return clusters

    def set_duplicates(self, marks: Iterable[DuplicateMarks]) -> int:
        """Write `repost_of`, `duplicate_of` and `cluster_id`; returns how many jobs changed."""
        ordered = sorted(marks, key=lambda mark: mark.job_id)

        def write(cur: Cursor) -> int:
            changed = 0
            for mark in ordered:
                cur.execute(
                    "UPDATE jobs SET repost_of = %s, duplicate_of = %s, cluster_id = %s"
                    " WHERE id = %s AND (repost_of IS DISTINCT FROM %s"
                    " OR duplicate_of IS DISTINCT FROM %s OR cluster_id IS DISTINCT FROM %s)",
                    (
                        mark.repost_of, mark.duplicate_of, mark.cluster_id, mark.job_id,
                        mark.repost_of, mark.duplicate_of, mark.cluster_id,
                    ),
                )  # fmt: skip
                changed += cur.rowcount
            return changed

        return self._write(write)

    def source_history(
        self, per_source: int = 10
    ) -> dict[tuple[str, str], list[tuple[int, SourceTally]]]:
        """Every source's latest recorded listings (run id, tally), newest first."""
        rows = self._dict_cursor().execute(
            "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY source, source_key"
            " ORDER BY run_id DESC) AS position FROM run_sources) AS ranked"
            " WHERE position <= %s ORDER BY source, source_key, run_id DESC",
            (per_source,),
        )
        history: dict[tuple[str, str], list[tuple[int, SourceTally]]] = {}
        for row in rows:
            history.setdefault((row["source"], row["source_key"]), []).append(
                (row["run_id"], _tally(row))
            )
        return history

    def open_job_counts(self) -> dict[tuple[str, str], int]:
        """Open jobs per source."""
        rows = self._conn.execute(
            "SELECT source, source_key, count(*) FROM jobs WHERE status = 'open' GROUP BY 1, 2"
        )
        return {(row[0], row[1]): row[2] for row in rows}

    def last_listings(self, source: str, source_key: str, limit: int = 1) -> list[SourceTally]:
        """The source's most recent recorded listings, newest first."""
        rows = self._dict_cursor().execute(
            "SELECT * FROM run_sources WHERE source = %s AND source_key = %s"
            " ORDER BY run_id DESC LIMIT %s",
            (source, source_key, limit),
        )
        return [_tally(row) for row in rows]

    # -- reading ------------------------------------------------------------------------------

    def get_job(self, job_id: str) -> JobPosting | None:
        row = self._dict_cursor().execute(_SELECT_JOB + " WHERE id = %s", (job_id,)).fetchone()
        return JobPosting.model_validate(_row_record(row)) if row else None

    def fingerprints(self) -> dict[str, str]:
        rows = self._conn.execute("SELECT id, fingerprint FROM jobs")
        return {row[0]: row[1] for row in rows}

    def job_versions(self, job_id: str) -> list[dict[str, Any]]:
        rows = self._dict_cursor().execute(
            "SELECT version, seen_at, run_id, fingerprint, changed_fields, record"
            " FROM job_versions WHERE job_id = %s ORDER BY version",
            (job_id,),
        )
        return [dict(row) for row in rows]

    def iter_jobs(self, query: JobQuery) -> Iterator[dict[str, Any]]:
        """Matching jobs as schema records, read through a server-side cursor so any export streams."""
        sql, params = _select(query, _SELECT_JOB, count=False)
        name = f"jobcrawl_jobs_{next(self._cursor_names)}"
        cursor = self._conn.cursor(name=name, withhold=True, row_factory=dict_row)
        cursor.itersize = 500
        try:
            cursor.execute(sql, params)
            for row in cursor:
                yield _row_record(row)
        finally:
            cursor.close()

    def count_jobs(self, query: JobQuery) -> int:
        sql, params = _select(query, _COUNT, count=True)
        return int(_one(self._conn.execute(sql, params))[0])

    def _dict_cursor(self) -> psycopg.Cursor[dict[str, Any]]:
        return self._conn.cursor(row_factory=dict_row)

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self, started_at: datetime) -> int:
        self.commit()
        row = self._conn.execute(
            "INSERT INTO runs (started_at) VALUES (%s) RETURNING id", (iso_utc(started_at),)
        )
        return int(_one(row)[0])

    def record_source(self, run_id: int, tally: SourceTally) -> None:
        self.commit()
        columns = ", ".join(_TALLY_COLUMNS)
        updates = ", ".join(f"{name} = excluded.{name}" for name in _TALLY_COLUMNS[3:])
        self._conn.execute(
            f"INSERT INTO run_sources ({columns}) VALUES ({', '.join(['%s'] * len(_TALLY_COLUMNS))})"
            f" ON CONFLICT (run_id, source, source_key) DO UPDATE SET {updates}",
            _tally_values(run_id, tally),
        )

    def merge_source(self, run_id: int, tally: SourceTally) -> SourceTally:
        """
        Add one worker's tally of a source to what other workers recorded for it in the same run.

        Counts of postings and requests add up; the listing's outcome (complete, pages, seen,
        closed, error) comes from the worker that finished the listing, the only one whose tally
        has `finished_at`. Returns the merged tally.
        """

        def merge(cur: Cursor) -> SourceTally:
            cur.execute(
                "INSERT INTO run_sources (run_id, source, source_key) VALUES (%s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                (run_id, tally.source, tally.source_key),
            )
            row = cur.execute(
                "SELECT * FROM run_sources WHERE run_id = %s AND source = %s AND source_key = %s"
                " FOR UPDATE",
                (run_id, tally.source, tally.source_key),
            )
            names = [column.name for column in row.description or ()]
            stored = _tally(dict(zip(names, _one(row), strict=True)))
            merged = merge_tallies(stored, tally)
            updates = ", ".join(f"{name} = %s" for name in _TALLY_COLUMNS[3:])
            cur.execute(
                f"UPDATE run_sources SET {updates} WHERE run_id = %s AND source = %s"
                " AND source_key = %s",
                (*_tally_values(run_id, merged)[3:], run_id, tally.source, tally.source_key),
            )
            return merged

        return self._write(merge)

    def finish_run(self, run_id: int, finished_at: datetime, status: str) -> None:
        self.commit()
        self._conn.execute(
            "UPDATE runs SET finished_at = %s, status = %s WHERE id = %s",
            (iso_utc(finished_at), status, run_id),
        )

    def list_runs(self, limit: int = 20) -> list[RunRecord]:
        """The most recent runs, newest first, each with its per-source tallies."""
        ids = [
            row[0]
            for row in self._conn.execute("SELECT id FROM runs ORDER BY id DESC LIMIT %s", (limit,))
        ]
        return [run for run in (self.get_run(run_id) for run_id in ids) if run is not None]

    def get_run(self, run_id: int) -> RunRecord | None:
        run = self._dict_cursor().execute("SELECT * FROM runs WHERE id = %s", (run_id,)).fetchone()
        if run is None:
            return None
        rows = self._dict_cursor().execute(
            "SELECT * FROM run_sources WHERE run_id = %s ORDER BY source, source_key", (run_id,)
        )
        tallies = [_tally(row) for row in rows]
        return RunRecord(run["id"], run["started_at"], run["finished_at"], run["status"], tallies)


# -- copying a SQLite database ----------------------------------------------------------------------

COPY_ORDER = (
    "runs", "jobs", "job_facets", "job_versions", "run_sources", "saved_jobs", "status_history",
    "notes", "reminders", "watches", "alerts", "deliveries",
)  # fmt: skip
"""Every table of the schema, parents before the tables that refer to them."""
_IDENTITY_TABLES = ("runs", "status_history", "notes", "reminders", "watches", "alerts")


def copy_database(source: sqlite3.Connection, target: PostgresStore) -> dict[str, int]:
    """
    Copy every row of a SQLite jobcrawl database into an empty PostgreSQL one, in one transaction.

    Both must be at the same schema version (opening a store migrates it). Ids are kept, so saved
    jobs, alerts and versions still point at their jobs and runs; the full-text index is rebuilt
    and the id sequences continue after the copied ids. Returns the rows copied per table.
    """
    tables = {
        row[0]
        for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'jobs_fts%'"
        )
    }
    unknown = tables - set(COPY_ORDER)
    if unknown:
        raise StoreError(
            f"cannot copy tables this version does not know: {', '.join(sorted(unknown))}"
        )
    conn = target.connection
    filled = [
        name for name in COPY_ORDER if conn.execute(f"SELECT 1 FROM {name} LIMIT 1").fetchone()
    ]
    if filled:
        raise StoreError(
            f"{target.path}: the target already holds data ({', '.join(filled)}): copy into an"
            " empty database"
        )
    counts: dict[str, int] = {}
    with conn.transaction():
        for name in COPY_ORDER:
            counts[name] = _copy_table(source, conn, name) if name in tables else 0
        with conn.cursor() as cur:
            records = source.execute("SELECT id, record FROM jobs")
            cur.executemany(
                f"INSERT INTO jobs_fts (job_id, document) VALUES (%s, {_DOCUMENT})",
                (_fts_row(job_id, json.loads(record)) for job_id, record in records),
            )
        for name in _IDENTITY_TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"
                " HAVING max(id) IS NOT NULL"
            )
    return counts


def _copy_table(source: sqlite3.Connection, target: psycopg.Connection[Any], name: str) -> int:
    columns = [row[1] for row in source.execute(f"PRAGMA table_info({name})")]
    listed = ", ".join(columns)
    copied = 0
    with target.cursor() as cur, cur.copy(f"COPY {name} ({listed}) FROM STDIN") as copy:
        for row in source.execute(f"SELECT {listed} FROM {name}"):
            copy.write_row(tuple(row))
            copied += 1
    return copied


# -- SQL and row helpers ----------------------------------------------------------------------------

_SELECT_JOB = "SELECT jobs.record, {} FROM jobs".format(
    ", ".join("jobs." + name for name in sorted(BOOKKEEPING_FIELDS))
)
_COUNT = "SELECT count(*) FROM jobs"
# A job in a listing again: open, and if it was closed, reopened now (`status` is the old value here).
_SEEN_AGAIN = (
    "reopened_at = CASE WHEN status = 'closed' THEN %s ELSE reopened_at END,"
    " status = 'open', closed_at = NULL, close_reason = NULL, missed_listings = 0"
)
_UPDATE_CHANGED = (
    "UPDATE jobs SET source = %s, source_key = %s, source_id = %s, url = %s, title = %s,"
    " company = %s, location_raw = %s, remote = %s, date_posted = %s, valid_through = %s, "
    + _SEEN_AGAIN
    + ", last_seen = GREATEST(last_seen, %s), version = %s, fingerprint = %s, record = %s,"
    " source_revision = %s,"
    " expires_at = coalesce(%s, CASE WHEN expires_at_estimated = 1 THEN expires_at END),"
    " expires_at_estimated = coalesce(%s::integer, CASE WHEN expires_at_estimated = 1 THEN 1 END),"
    " seniority = %s, salary_currency = %s, salary_period = %s, salary_top = %s,"
    " posted_on = coalesce(%s, substr(first_seen, 1, 10))"
    " WHERE id = %s"
)
_TALLY_COLUMNS = (
    "run_id", "source", "source_key", "complete", "pages", "seen", "new", "updated", "unchanged",
    "dropped", "error", "closed", "reopened", "suspect", "requests", "statuses", "finished_at",
    "requests_saved",
)  # fmt: skip


def _select(query: JobQuery, select: str, *, count: bool) -> tuple[str, list[Any]]:
    """The statement for a `JobQuery`: the SQLite store's filters, in PostgreSQL's words."""
    where: list[str] = []
    params: list[Any] = []
    sort: str = query.sort
    order_params: list[Any] = []
    if query.text and (match := text_query(query.text)):
        select += " JOIN jobs_fts ON jobs_fts.job_id = jobs.id"
        where.append("jobs_fts.document @@ to_tsquery('simple', %s)")
        params.append(match)
        order_params = [match]
    elif sort == "relevance":
        sort = "seen"
    if query.company:
        where.append("jobs.company ILIKE %s ESCAPE '\\'")
        params.append(f"%{_like_escape(query.company)}%")
    shared, values = job_conditions(query)
    where += [condition.replace("?", "%s") for condition in shared]
    params += [_text(value) for value in values]
    if query.location:
        pattern = f"%{_like_escape(_text(query.location))}%"
        where.append(
            "(jobs.location_raw ILIKE %s ESCAPE '\\' OR (jobs.record ->> 'locations') ILIKE %s"
            " ESCAPE '\\')"
        )
        params += [pattern, pattern]
    sql = select + (" WHERE " + " AND ".join(where) if where else "")
    if count:
        return sql, params
    sql += f" ORDER BY {_ORDER[sort]}"
    params += order_params if sort == "relevance" else []
    if query.limit is not None:
        sql += " LIMIT %s"
        params.append(query.limit)
    if query.offset:
        sql += " OFFSET %s"
        params.append(query.offset)
    return sql, params


_ORDER = {
    "relevance": "ts_rank(jobs_fts.document, to_tsquery('simple', %s)) DESC, jobs.id",
    **SORT_ORDERS,
}


def _locked_job(cur: Cursor, job_id: str) -> tuple[Any, ...] | None:
    row: tuple[Any, ...] | None = cur.execute(
        "SELECT version, fingerprint, record, status FROM jobs WHERE id = %s FOR UPDATE", (job_id,)
    ).fetchone()
    return row


def _add_version(
    cur: Cursor,
    job_id: str,
    version: int,
    seen: str,
    run_id: int | None,
    fingerprint: str,
    changed: list[str],
    record: dict[str, Any],
) -> None:
    cur.execute(
        "INSERT INTO job_versions (job_id, version, seen_at, run_id, fingerprint, changed_fields,"
        " record) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (job_id, version, seen, run_id, fingerprint, json.dumps(changed), _dumps(record)),
    )


def _index(cur: Cursor, job_id: str, record: dict[str, Any]) -> None:
    """The job's full-text document and its facets (countries, skills, employment types)."""
    cur.execute("DELETE FROM job_facets WHERE job_id = %s", (job_id,))
    cur.executemany(
        "INSERT INTO job_facets (job_id, facet, value) VALUES (%s, %s, %s)",
        [tuple(_text(part) for part in row) for row in facet_rows(record)],
    )
    cur.execute(
        f"INSERT INTO jobs_fts (job_id, document) VALUES (%s, {_DOCUMENT})"
        " ON CONFLICT (job_id) DO UPDATE SET document = excluded.document",
        _fts_row(job_id, record),
    )


def _fts_row(job_id: str, record: dict[str, Any]) -> tuple[str, ...]:
    return (job_id, *(" ".join(search_words(record.get(name))) for name, _ in _FTS_WEIGHTS))


def _columns(record: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        _text(record.get(name))
        for name in (
            "id", "source", "source_key", "source_id", "url", "title", "company",
            "location_raw", "remote", "date_posted", "valid_through",
        )
    )  # fmt: skip


def _search_columns(record: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(_text(value) for value in search_columns(record))


def _text(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters (SQLite can); the JSON record keeps them escaped."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def _row_record(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as a schema record, fields in schema order."""
    content = row["record"]
    bookkeeping = {name: row[name] for name in BOOKKEEPING_FIELDS}
    if bookkeeping["expires_at_estimated"] is not None:
        bookkeeping["expires_at_estimated"] = bool(bookkeeping["expires_at_estimated"])
    merged = {**content, **bookkeeping}
    return {name: merged.get(name) for name in SCHEMA_FIELDS}


def _tally(row: dict[str, Any]) -> SourceTally:
    return SourceTally(
        source=row["source"],
        source_key=row["source_key"],
        complete=bool(row["complete"]),
        pages=row["pages"],
        seen=row["seen"],
        new=row["new"],
        updated=row["updated"],
        unchanged=row["unchanged"],
        dropped=row["dropped"],
        error=row["error"],
        closed=row["closed"],
        reopened=row["reopened"],
        suspect=bool(row["suspect"]),
        requests=row["requests"],
        statuses=dict(row["statuses"]),
        finished_at=row["finished_at"],
        requests_saved=row["requests_saved"],
    )


def _tally_values(run_id: int, tally: SourceTally) -> tuple[Any, ...]:
    return (
        run_id, tally.source, tally.source_key, int(tally.complete), tally.pages, tally.seen,
        tally.new, tally.updated, tally.unchanged, tally.dropped, tally.error, tally.closed,
        tally.reopened, int(tally.suspect), tally.requests, json.dumps(tally.statuses),
        tally.finished_at, tally.requests_saved,
    )  # fmt: skip


def merge_tallies(stored: SourceTally, mine: SourceTally) -> SourceTally:
    """Two workers' tallies of one source: counts added, the listing's outcome from its finisher."""
    listing = mine if mine.finished_at is not None else stored
    statuses = dict(stored.statuses)
    for status, count in mine.statuses.items():
        statuses[status] = statuses.get(status, 0) + count
    return SourceTally(
        source=stored.source,
        source_key=stored.source_key,
        complete=listing.complete,
        pages=listing.pages,
        seen=listing.seen,
        new=stored.new + mine.new,
        updated=stored.updated + mine.updated,
        unchanged=stored.unchanged + mine.unchanged,
        dropped=stored.dropped + mine.dropped,
        error=listing.error,
        closed=stored.closed + mine.closed,
        reopened=stored.reopened + mine.reopened,
        suspect=listing.suspect,
        requests=stored.requests + mine.requests,
        statuses=statuses,
        finished_at=listing.finished_at,
        requests_saved=stored.requests_saved + mine.requests_saved,
    )


def _stated_expiry(record: dict[str, Any]) -> tuple[str | None, int | None]:
    """`expires_at` and its estimated flag when the posting states `valid_through`."""
    stated = record.get("valid_through")
    return (stated, 0) if stated else (None, None)


def _dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _one(cursor: Cursor) -> Sequence[Any]:
    row: Sequence[Any] | None = cursor.fetchone()
    if row is None:
        raise StoreError("the database returned no row where one was certain")
    return row


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__

"""
The SQLite store: one file, WAL mode, migrations applied on open.

Writes are grouped into transactions by the caller (`commit()` after a batch), so a crash loses at
most the open batch and leaves every committed posting with its versions intact. Each posting keeps
its current content in `jobs` and every distinct content in `job_versions`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

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

SCHEMA_FIELDS = tuple(JobPosting.model_fields)
_NOT_CONTENT = set(BOOKKEEPING_FIELDS)
_SEARCH_WORD = re.compile(r"\w+", re.UNICODE)


def _migrations() -> list[tuple[int, str]]:
    """(version, SQL) for every migration file, in order."""
    folder = resources.files("crawler.store") / "migrations" / "sqlite"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def _statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, one by one (a trigger's body stays whole)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip() and not _only_comments(pending):
        yield pending


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("--") for line in text.splitlines())


def fts_query(text: str) -> str | None:
    """
    User words as an FTS5 query: every word must match, the last one as a prefix.

    Quoting each word keeps FTS5 operators and punctuation in user input from being a syntax error.
    """
    words = _SEARCH_WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class SQLiteStore(RunLookups):
    """A jobcrawl database in one SQLite file."""

    _placeholder = "?"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA busy_timeout = 10000")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{path}: cannot open the database: {exc}") from exc
        self._in_transaction = False

    # -- schema -------------------------------------------------------------------------------

    def _migrate(self) -> None:
        for version, sql in _migrations():
            if version <= self.schema_version:
                continue
            # One migration per transaction, so a failed one leaves the previous schema whole. The
            # version is read again under the write lock: another process opening the same new
            # file may have applied this one (and later ones) while this one waited for the lock.
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                if self.schema_version < version:
                    for statement in _statements(sql):
                        self._conn.execute(statement)
                    self._conn.execute(f"PRAGMA user_version = {version}")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection, for stores of other records kept in the same file (saved jobs)."""
        return self._conn

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    # -- transactions -------------------------------------------------------------------------

    def begin(self) -> None:
        """Open a write transaction unless one is open; `commit()` ends it."""
        if not self._in_transaction:
            self._conn.execute("BEGIN IMMEDIATE")
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
        self.commit()
        self._conn.close()

    # -- postings -----------------------------------------------------------------------------

    def upsert_posting(
        self, posting: JobPosting, *, seen_at: datetime, run_id: int | None = None
    ) -> UpsertResult:
        record = posting.model_dump(mode="json", exclude=_NOT_CONTENT)
        fingerprint = content_fingerprint(record)
        revision = posting.source_revision
        seen = iso_utc(seen_at)
        self.begin()
        row = self._conn.execute(
            "SELECT rowid, version, fingerprint, record, status FROM jobs WHERE id = ?",
            (posting.id,),
        ).fetchone()
        if row is None:
            blob = _dumps(record)  # encoded once for the job row and its version row
            cursor = self._conn.execute(
                "INSERT INTO jobs (id, source, source_key, source_id, url, title, company,"
                " location_raw, remote, date_posted, valid_through, status, first_seen, last_seen,"
                " version, fingerprint, record, source_revision, expires_at, expires_at_estimated,"
                " seniority, salary_currency, salary_period, salary_top, posted_on)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, 1, ?, ?, ?, ?, ?,"
                " ?, ?, ?, ?, coalesce(?, substr(?, 1, 10)))",
                (
                    *self._columns(record),
                    *(seen, seen, fingerprint, blob, revision),
                    *_stated_expiry(record),
                    *search_columns(record),
                    record.get("date_posted"),
                    seen,
                ),
            )
            self._add_version(posting.id, 1, seen, run_id, fingerprint, [], blob)
            self._index(cursor.lastrowid, record, replace=False)
            return UpsertResult("new", 1)
        reopened = row["status"] == "closed"
        if row["fingerprint"] == fingerprint:
            self._conn.execute(
                f"UPDATE jobs SET last_seen = max(last_seen, ?), {_SEEN_AGAIN},"
                " source_revision = ? WHERE id = ?",
                (seen, seen, revision, posting.id),
            )
            return UpsertResult("unchanged", row["version"], reopened=reopened)
        changed = changed_fields(json.loads(row["record"]), record)
        version = row["version"] + 1
        blob = _dumps(record)
        self._conn.execute(
            _UPDATE_CHANGED,
            (
                *self._columns(record)[1:],
                *(seen, seen, version, fingerprint, blob, revision),
                *_stated_expiry(record),
                *search_columns(record),
                record.get("date_posted"),
                posting.id,
            ),
        )
        self._add_version(posting.id, version, seen, run_id, fingerprint, changed, blob)
        self._index(row["rowid"], record, replace=True)
        return UpsertResult("changed", version, changed, reopened)

    def revisions(self, source: str, source_key: str) -> dict[str, str]:
        """Source id -> stored revision, for the source's open jobs that have one."""
        rows = self._conn.execute(
            f"SELECT source_id, source_revision FROM {_BY_SOURCE} WHERE source = ?"
            " AND source_key = ? AND status = 'open' AND source_revision IS NOT NULL",
            (source, source_key),
        )
        return {row[0]: row[1] for row in rows}

    def mark_seen(self, job_ids: Iterable[str], *, seen_at: datetime) -> int:
        """Move `last_seen` of open jobs that a listing held but no posting was written for."""
        seen = iso_utc(seen_at)
        self.begin()
        count = 0
        ids = list(job_ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor = self._conn.execute(
                # `+`: no index on status and last_seen, which would walk every open job seen
                # before now (all of them in a re-crawl) once per chunk; the ids are the index.
                f"UPDATE jobs SET last_seen = ?, missed_listings = 0"
                " WHERE +status = 'open' AND +last_seen < ?"
                f" AND id IN ({','.join('?' * len(chunk))})",
                (seen, seen, *chunk),
            )
            count += cursor.rowcount
        return count

    def close_missing(
        self, source: str, source_key: str, seen_ids: Iterable[str], *, at: datetime, after: int
    ) -> list[str]:
        """
        Count one more missed complete listing for the source's open jobs not in `seen_ids`.

        Those missed by `after` complete listings in a row are closed as `absent_from_listing`;
        their ids are returned. Only ever call this with a complete, trusted listing.
        """
        when = iso_utc(at)
        self.begin()
        self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS listed (id TEXT PRIMARY KEY)")
        self._conn.execute("DELETE FROM listed")
        self._conn.executemany("INSERT OR IGNORE INTO listed VALUES (?)", ((i,) for i in seen_ids))
        missing = "source = ? AND source_key = ? AND status = 'open' AND id NOT IN (SELECT id FROM listed)"
        self._conn.execute(
            f"UPDATE {_BY_SOURCE} SET missed_listings = missed_listings + 1 WHERE {missing}",
            (source, source_key),
        )
        closed = [
            row[0]
            for row in self._conn.execute(
                f"SELECT id FROM {_BY_SOURCE} WHERE {missing} AND missed_listings >= ? ORDER BY id",
                (source, source_key, after),
            )
        ]
        self._conn.executemany(
            "UPDATE jobs SET status = 'closed', closed_at = ?, close_reason = 'absent_from_listing'"
            " WHERE id = ?",
            ((when, job_id) for job_id in closed),
        )
        self._conn.execute("DELETE FROM listed")
        return closed

    def close_job(self, job_id: str, *, at: datetime, reason: CloseReason) -> bool:
        """Close one open job; false when it is unknown or already closed."""
        self.begin()
        cursor = self._conn.execute(
            "UPDATE jobs SET status = 'closed', closed_at = ?, close_reason = ?"
            " WHERE id = ? AND status = 'open'",
            (iso_utc(at), reason, job_id),
        )
        return cursor.rowcount == 1

    def expire_jobs(
        self, *, at: datetime, unseen_since: datetime, sources: Iterable[tuple[str, str]]
    ) -> list[str]:
        """Close the sources' open jobs whose `valid_through` day is past and no listing showed since."""
        self.begin()
        expired: list[str] = []
        for source, source_key in sources:
            where = (
                "source = ? AND source_key = ? AND status = 'open' AND valid_through < ?"
                " AND last_seen < ?"
            )
            arguments = (source, source_key, at.date().isoformat(), iso_utc(unseen_since))
            expired += [
                row[0]
                for row in self._conn.execute(
                    f"SELECT id FROM {_BY_SOURCE} WHERE {where}", arguments
                )
            ]
            self._conn.execute(
                f"UPDATE {_BY_SOURCE} SET status = 'closed', closed_at = ?, close_reason = 'expired'"
                f" WHERE {where}",
                (iso_utc(at), *arguments),
            )
        return sorted(expired)

    def open_days(self, source: str, source_key: str) -> list[float]:
        """How many days each closed job of the source stayed open (first seen to closed)."""
        rows = self._conn.execute(
            f"SELECT julianday(closed_at) - julianday(first_seen) FROM {_BY_SOURCE}"
            " WHERE source = ? AND source_key = ? AND status = 'closed'"
            " AND close_reason = 'absent_from_listing'",
            (source, source_key),
        )
        return [row[0] for row in rows]

    def estimate_expiry(self, source: str, source_key: str, *, days: int) -> int:
        """Set `expires_at` of open jobs that state no `valid_through` to posted (or seen) + days."""
        self.begin()
        # An estimate already behind the last sighting says nothing: the job outlived its source's
        # usual lifetime, so it gets no estimate rather than a date in the past.
        estimate = "date(coalesce(date_posted, substr(first_seen, 1, 10)), ?)"
        still_ahead = f"{estimate} >= substr(last_seen, 1, 10)"
        cursor = self._conn.execute(
            f"UPDATE {_BY_SOURCE} SET expires_at = CASE WHEN {still_ahead} THEN {estimate} END,"
            f" expires_at_estimated = CASE WHEN {still_ahead} THEN 1 END"
            " WHERE source = ? AND source_key = ? AND status = 'open' AND valid_through IS NULL",
            (*[f"+{days} days"] * 3, source, source_key),
        )
        return cursor.rowcount

    def iter_postings(self, query: JobQuery) -> Iterator[JobPosting]:
        """Like `iter_jobs`, as `JobPosting`s (for the work that needs the typed record)."""
        for record in self.iter_jobs(query):
            yield JobPosting.model_validate(record)

    def duplicate_clusters(self, cluster_id: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Clusters of two or more records (or the one named), canonical record first."""
        where = (
            "cluster_id = ?"
            if cluster_id
            else (
                "cluster_id IN (SELECT cluster_id FROM jobs WHERE cluster_id IS NOT NULL"
                " GROUP BY cluster_id HAVING count(*) > 1)"
            )
        )
        rows = self._conn.execute(
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
        self.begin()
        changed = 0
        for mark in marks:
            cursor = self._conn.execute(
                "UPDATE jobs SET repost_of = ?, duplicate_of = ?, cluster_id = ? WHERE id = ?"
                " AND (repost_of IS NOT ? OR duplicate_of IS NOT ? OR cluster_id IS NOT ?)",
                (
                    mark.repost_of, mark.duplicate_of, mark.cluster_id, mark.job_id,
                    mark.repost_of, mark.duplicate_of, mark.cluster_id,
                ),
            )  # fmt: skip
            changed += cursor.rowcount
        return changed

    def source_history(
        self, per_source: int = 10
    ) -> dict[tuple[str, str], list[tuple[int, SourceTally]]]:
        """Every source's latest recorded listings (run id, tally), newest first."""
        rows = self._conn.execute(
            "SELECT * FROM (SELECT *, row_number() OVER"
            " (PARTITION BY source, source_key ORDER BY run_id DESC) AS position FROM run_sources)"
            " WHERE position <= ? ORDER BY source, source_key, run_id DESC",
            (per_source,),
        ).fetchall()
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
        rows = self._conn.execute(
            "SELECT * FROM run_sources WHERE source = ? AND source_key = ?"
            " ORDER BY run_id DESC LIMIT ?",
            (source, source_key, limit),
        ).fetchall()
        return [_tally(row) for row in rows]

    @staticmethod
    def _columns(record: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            record.get(name)
            for name in (
                "id", "source", "source_key", "source_id", "url", "title", "company",
                "location_raw", "remote", "date_posted", "valid_through",
            )
        )  # fmt: skip

    def _add_version(
        self,
        job_id: str,
        version: int,
        seen: str,
        run_id: int | None,
        fingerprint: str,
        changed: list[str],
        blob: str,
    ) -> None:
        """One version row; `blob` is the record as stored in `jobs.record` (the same JSON)."""
        self._conn.execute(
            "INSERT INTO job_versions (job_id, version, seen_at, run_id, fingerprint,"
            " changed_fields, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (job_id, version, seen, run_id, fingerprint, json.dumps(changed), blob),
        )

    def _index(self, rowid: int | None, record: dict[str, Any], *, replace: bool) -> None:
        """The job's full-text entry and its facets (countries, skills, employment types)."""
        if replace:
            self._conn.execute("DELETE FROM jobs_fts WHERE rowid = ?", (rowid,))
            self._conn.execute("DELETE FROM job_facets WHERE job_id = ?", (record["id"],))
        self._conn.executemany(
            "INSERT INTO job_facets (job_id, facet, value) VALUES (?, ?, ?)", facet_rows(record)
        )
        self._conn.execute(
            "INSERT INTO jobs_fts (rowid, title, company, location_raw, description_text)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                rowid,
                record.get("title"),
                record.get("company"),
                record.get("location_raw"),
                record.get("description_text"),
            ),
        )

    # -- reading ------------------------------------------------------------------------------

    def get_job(self, job_id: str) -> JobPosting | None:
        row = self._conn.execute(_SELECT_JOB + " WHERE id = ?", (job_id,)).fetchone()
        return JobPosting.model_validate(_row_record(row)) if row else None

    def fingerprints(self) -> dict[str, str]:
        rows = self._conn.execute("SELECT id, fingerprint FROM jobs")
        return {row[0]: row[1] for row in rows}

    def job_versions(self, job_id: str) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT version, seen_at, run_id, fingerprint, changed_fields, record"
            " FROM job_versions WHERE job_id = ? ORDER BY version",
            (job_id,),
        ).fetchall()
        return [
            {
                "version": row["version"],
                "seen_at": row["seen_at"],
                "run_id": row["run_id"],
                "fingerprint": row["fingerprint"],
                "changed_fields": json.loads(row["changed_fields"]),
                "record": json.loads(row["record"]),
            }
            for row in rows
        ]

    def iter_jobs(self, query: JobQuery) -> Iterator[dict[str, Any]]:
        """
        Matching jobs as schema records, read lazily so an export of any size streams.

        A page of them (`limit` set) is found first as row ids and then read: sorting the matches
        with their records would read every match's whole record, not only the page's.
        """
        if query.limit is None:
            sql, params = self._select(query, _SELECT_JOB)
            for row in self._conn.execute(sql, params):
                yield _row_record(row)
            return
        sql, params = self._select(query, "SELECT jobs.rowid FROM jobs")
        for (rowid,) in self._conn.execute(sql, params).fetchall():
            row = self._conn.execute(_SELECT_JOB + " WHERE rowid = ?", (rowid,)).fetchone()
            if row is not None:
                yield _row_record(row)

    def count_jobs(self, query: JobQuery) -> int:
        sql, params = self._select(query, _COUNT)
        return int(self._conn.execute(sql, params).fetchone()[0])

    @staticmethod
    def _select(query: JobQuery, select: str) -> tuple[str, list[Any]]:
        """
        The statement for a `JobQuery`; clauses are constants, values always bound.

        With words to match, the full-text index is read first (`CROSS JOIN` fixes the order): left
        to choose, SQLite may walk the status index and run the full-text query once per job.
        """
        counting = select == _COUNT
        where: list[str] = []
        params: list[Any] = []
        sort: str = query.sort
        if query.text and (match := fts_query(query.text)):
            select = select.replace(" FROM jobs", _FROM_FTS)
            where.append("jobs_fts MATCH ?")
            params.append(match)
        elif sort == "relevance":
            sort = "seen"
        if query.company:
            where.append("jobs.company LIKE ? ESCAPE '\\'")
            params.append(f"%{_like_escape(query.company)}%")
        shared, values = job_conditions(query)
        where += shared
        params += values
        if query.location:
            pattern = f"%{_like_escape(query.location)}%"
            where.append(
                "(jobs.location_raw LIKE ? ESCAPE '\\'"
                " OR jobs.record ->> '$.locations' LIKE ? ESCAPE '\\')"
            )
            params += [pattern, pattern]
        sql = select + (" WHERE " + " AND ".join(where) if where else "")
        if counting:
            return sql, params
        sql += f" ORDER BY {_ORDER[sort]}"
        if query.limit is not None or query.offset:
            sql += " LIMIT ? OFFSET ?"
            params += [query.limit if query.limit is not None else -1, query.offset]
        return sql, params

    # -- runs ---------------------------------------------------------------------------------

    def start_run(self, started_at: datetime) -> int:
        self.commit()
        cursor = self._conn.execute(
            "INSERT INTO runs (started_at) VALUES (?)", (iso_utc(started_at),)
        )
        return int(cursor.lastrowid or 0)

    def record_source(self, run_id: int, tally: SourceTally) -> None:
        self.commit()
        self._conn.execute(
            "INSERT OR REPLACE INTO run_sources (run_id, source, source_key, complete, pages, seen,"
            " new, updated, unchanged, dropped, error, closed, reopened, suspect, requests,"
            " statuses, finished_at, requests_saved)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id, tally.source, tally.source_key, int(tally.complete), tally.pages,
                tally.seen, tally.new, tally.updated, tally.unchanged, tally.dropped, tally.error,
                tally.closed, tally.reopened, int(tally.suspect), tally.requests,
                json.dumps(tally.statuses), tally.finished_at, tally.requests_saved,
            ),
        )  # fmt: skip

    def finish_run(self, run_id: int, finished_at: datetime, status: str) -> None:
        self.commit()
        self._conn.execute(
            "UPDATE runs SET finished_at = ?, status = ? WHERE id = ?",
            (iso_utc(finished_at), status, run_id),
        )

    def list_runs(self, limit: int = 20) -> list[RunRecord]:
        """The most recent runs, newest first, each with its per-source tallies."""
        ids = [
            row[0]
            for row in self._conn.execute("SELECT id FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        ]
        return [run for run in (self.get_run(run_id) for run_id in ids) if run is not None]

    def get_run(self, run_id: int) -> RunRecord | None:
        run = self._conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if run is None:
            return None
        rows = self._conn.execute(
            "SELECT * FROM run_sources WHERE run_id = ? ORDER BY source, source_key", (run_id,)
        ).fetchall()
        tallies = [_tally(row) for row in rows]
        return RunRecord(run["id"], run["started_at"], run["finished_at"], run["status"], tallies)


_SELECT_JOB = "SELECT jobs.record, {} FROM jobs".format(
    ", ".join("jobs." + name for name in sorted(BOOKKEEPING_FIELDS))
)
# A job in a listing again: open, and if it was closed, reopened now (`status` is the old value here).
_SEEN_AGAIN = (
    "reopened_at = CASE WHEN status = 'closed' THEN ? ELSE reopened_at END,"
    " status = 'open', closed_at = NULL, close_reason = NULL, missed_listings = 0"
)
_COUNT = "SELECT count(*) FROM jobs"
_FROM_FTS = " FROM jobs_fts CROSS JOIN jobs ON jobs.rowid = jobs_fts.rowid"
_ORDER = {"relevance": "jobs_fts.rank, jobs.id", **SORT_ORDERS}
# The lifecycle's statements name one source's jobs: without statistics SQLite's planner prefers the
# index on `status`, which walks every open job of every source, once per source per listing (at
# 20,000 jobs over 200 sources, 12-18 ms a statement instead of well under one).
_BY_SOURCE = "jobs INDEXED BY jobs_by_source"
_UPDATE_CHANGED = (
    "UPDATE jobs SET source = ?, source_key = ?, source_id = ?, url = ?, title = ?,"
    " company = ?, location_raw = ?, remote = ?, date_posted = ?, valid_through = ?, "
    + _SEEN_AGAIN
    + ", last_seen = max(last_seen, ?), version = ?, fingerprint = ?, record = ?,"
    " source_revision = ?,"
    " expires_at = coalesce(?, CASE WHEN expires_at_estimated THEN expires_at END),"
    " expires_at_estimated = coalesce(?, CASE WHEN expires_at_estimated THEN 1 END),"
    " seniority = ?, salary_currency = ?, salary_period = ?, salary_top = ?,"
    " posted_on = coalesce(?, substr(first_seen, 1, 10))"
    " WHERE id = ?"
)


def _row_record(row: sqlite3.Row) -> dict[str, Any]:
    """A stored row as a schema record, fields in schema order."""
    content = json.loads(row["record"])
    bookkeeping = {name: row[name] for name in BOOKKEEPING_FIELDS}
    if bookkeeping["expires_at_estimated"] is not None:
        bookkeeping["expires_at_estimated"] = bool(bookkeeping["expires_at_estimated"])
    merged = {**content, **bookkeeping}
    return {name: merged.get(name) for name in SCHEMA_FIELDS}


def _tally(row: sqlite3.Row) -> SourceTally:
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
        statuses=json.loads(row["statuses"]),
        finished_at=row["finished_at"],
        requests_saved=row["requests_saved"],
    )


def _stated_expiry(record: dict[str, Any]) -> tuple[str | None, int | None]:
    """`expires_at` and its estimated flag when the posting states `valid_through`."""
    stated = record.get("valid_through")
    return (stated, 0) if stated else (None, None)


def _dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

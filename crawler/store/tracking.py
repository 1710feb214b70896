"""
The job seeker's records, kept in the jobs database: saved jobs, status history, notes, reminders,
saved searches (watches), alerts and their delivery outbox.

`Tracking` is the interface the rest of jobcrawl uses, in the style of `Store`; `TrackingStore` keeps
these records in the jobs database itself, SQLite or PostgreSQL. It shares the store's connection and
transaction: writes open a transaction with `begin()`, and the caller ends it with `commit()` once
an operation is whole. Its SQL is written once, with `?` placeholders and the clauses both engines
share (`ON CONFLICT DO NOTHING`, `RETURNING`); the few places where they differ (full-text search,
JSON, case-insensitive matching) are spelled per engine below.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from crawler.store.base import iso_utc
from crawler.store.sqlite import SQLiteStore, _like_escape, fts_query

if TYPE_CHECKING:
    from crawler.store.postgres import PostgresStore


@dataclass(frozen=True, slots=True)
class SavedJob:
    """A job the user saved, and the step its application is at."""

    job_id: str
    saved_at: str
    status: str
    status_on: str
    """The day the current status began (ISO date)."""


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One step of an application's history."""

    id: int
    job_id: str
    status: str
    happened_on: str
    recorded_at: str
    note: str | None


@dataclass(frozen=True, slots=True)
class Note:
    """A dated note on a saved job."""

    id: int
    job_id: str
    created_at: str
    text: str


@dataclass(frozen=True, slots=True)
class Reminder:
    """A follow-up: on `due_on` it raises an alert."""

    id: int
    job_id: str
    due_on: str
    created_at: str
    note: str | None


@dataclass(frozen=True, slots=True)
class Watch:
    """A saved search: postings first seen after `created_at` that match it are alerted."""

    id: int
    name: str
    query: str | None
    company: str | None
    location: str | None
    remote: str | None
    min_salary: float | None
    created_at: str


@dataclass(frozen=True, slots=True)
class NewAlert:
    """A condition found true; `condition_key` names it with its value, so it is raised once."""

    condition_key: str
    kind: str
    job_id: str | None
    """None for an alert about a source rather than a job."""
    title: str
    headline: str
    reason: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """A stored alert and where it has been delivered (channel -> `pending` or `sent`)."""

    id: int
    condition_key: str
    kind: str
    job_id: str | None
    title: str
    headline: str
    reason: str
    url: str | None
    raised_at: str
    read_at: str | None
    deliveries: dict[str, str] = field(default_factory=dict)


class Tracking(Protocol):
    """Saved jobs, their applications and alerts, in a jobcrawl database."""

    def save(self, job_id: str, *, at: datetime, on: date) -> bool: ...

    def unsave(self, job_id: str) -> bool: ...

    def saved(self, job_id: str) -> SavedJob | None: ...

    def saved_jobs(self, sources: Iterable[tuple[str, str]] | None = None) -> list[SavedJob]: ...

    def set_status(
        self, job_id: str, status: str, *, on: date, at: datetime, note: str | None
    ) -> StatusChange: ...

    def history(self, job_id: str) -> list[StatusChange]: ...

    def add_note(self, job_id: str, text: str, *, at: datetime) -> Note: ...

    def notes(self, job_id: str) -> list[Note]: ...

    def add_reminder(
        self, job_id: str, due_on: date, *, at: datetime, note: str | None
    ) -> Reminder: ...

    def reminders(
        self, job_id: str | None = None, *, due_by: date | None = None
    ) -> list[Reminder]: ...

    def add_watch(self, watch: Watch) -> Watch | None: ...

    def watches(self) -> list[Watch]: ...

    def remove_watch(self, name: str) -> bool: ...

    def watch_matches(self, watch: Watch, job_ids: Collection[str] | None = None) -> list[str]: ...

    def raise_alert(
        self, alert: NewAlert, *, at: datetime, channels: Sequence[str]
    ) -> int | None: ...

    def alerts(
        self, *, unread: bool = False, since: str | None = None, limit: int | None = None
    ) -> list[Alert]: ...

    def acknowledge(self, ids: Iterable[int], *, at: datetime) -> list[int]: ...

    def pending(self, channel: str) -> list[Alert]: ...

    def delivered(self, alert_id: int, channel: str, *, at: datetime) -> None: ...

    def delivery_failed(self, alert_id: int, channel: str, error: str) -> None: ...

    def commit(self) -> None: ...


class _Rows(Protocol):
    """What both engines' cursors offer."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class TrackingStore:
    """`Tracking` in the jobs database of a store (SQLite or PostgreSQL), over its connection."""

    def __init__(self, store: SQLiteStore | PostgresStore) -> None:
        self._store = store
        self._postgres = not isinstance(store, SQLiteStore)

    def commit(self) -> None:
        self._store.commit()

    def _run(self, sql: str, params: Sequence[Any] = ()) -> _Rows:
        """Run one statement written with `?` placeholders on either engine."""
        if isinstance(self._store, SQLiteStore):
            return self._store.connection.execute(sql, params)
        return self._store.connection.execute(sql.replace("?", "%s"), params)

    def _run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if isinstance(self._store, SQLiteStore):
            self._store.connection.executemany(sql, rows)
        else:
            with self._store.connection.cursor() as cursor:
                cursor.executemany(sql.replace("?", "%s"), rows)

    def _like(self, column: str) -> str:
        """`column` contains the bound pattern, ignoring the case of ASCII letters on both engines."""
        return f"{column} {'ILIKE' if self._postgres else 'LIKE'} ? ESCAPE '\\'"

    def _in_list(self, column: str, values: Iterable[Any]) -> tuple[str, Any]:
        """A condition that `column` is one of `values`, and its one parameter (any number of values)."""
        if self._postgres:
            return f"{column} = ANY(?)", list(values)
        return f"{column} IN (SELECT value FROM json_each(?))", json.dumps(list(values))

    def _text_match(self, text: str, where: list[str], params: list[Any]) -> str:
        """
        The tables full-text search needs; adds its condition to `where` and `params`.

        On SQLite the full-text index is read first (`CROSS JOIN` fixes the order), as the store's
        search does; left to choose, SQLite may run the full-text query once per open job.
        """
        if self._postgres:
            from crawler.store.postgres import text_query

            if (query := text_query(text)) is None:
                return "jobs"
            where.append("jobs_fts.document @@ to_tsquery('simple', ?)")
            params.append(query)
            return "jobs JOIN jobs_fts ON jobs_fts.job_id = jobs.id"
        if (match := fts_query(text)) is None:
            return "jobs"
        where.append("jobs_fts MATCH ?")
        params.append(match)
        return "jobs_fts CROSS JOIN jobs ON jobs.rowid = jobs_fts.rowid"

    def _salary_top(self) -> str:
        """The posting's top salary figure (or its only one) as a number."""
        if self._postgres:
            return (
                "coalesce((jobs.record #>> '{salary,max}')::float8,"
                " (jobs.record #>> '{salary,min}')::float8)"
            )
        return "coalesce(jobs.record ->> '$.salary.max', jobs.record ->> '$.salary.min')"

    # -- saved jobs -------------------------------------------------------------------------------

    def save(self, job_id: str, *, at: datetime, on: date) -> bool:
        """Save a job as `saved`; false when it was saved already (nothing changes then)."""
        self._store.begin()
        added = self._run(
            "INSERT INTO saved_jobs (job_id, saved_at, status, status_on) VALUES (?, ?, 'saved', ?)"
            " ON CONFLICT DO NOTHING RETURNING job_id",
            (job_id, iso_utc(at), on.isoformat()),
        ).fetchone()
        if added is None:
            return False
        self._run(
            "INSERT INTO status_history (job_id, status, happened_on, recorded_at)"
            " VALUES (?, 'saved', ?, ?)",
            (job_id, on.isoformat(), iso_utc(at)),
        )
        return True

    def unsave(self, job_id: str) -> bool:
        """Forget a saved job with its history, notes and reminders; its alerts stay."""
        self._store.begin()
        return self._run("DELETE FROM saved_jobs WHERE job_id = ?", (job_id,)).rowcount == 1

    def saved(self, job_id: str) -> SavedJob | None:
        row = self._run(f"SELECT {_SAVED} FROM saved_jobs WHERE job_id = ?", (job_id,)).fetchone()
        return SavedJob(*row) if row else None

    def saved_jobs(self, sources: Iterable[tuple[str, str]] | None = None) -> list[SavedJob]:
        """Every saved job, or those of the given (source, source_key) boards."""
        if sources is None:
            rows = self._run(f"SELECT {_SAVED} FROM saved_jobs ORDER BY job_id")
            return [SavedJob(*row) for row in rows]
        boards = json.dumps([list(pair) for pair in sources])
        listed = (
            "json_array_elements(?::json) AS board (value)"
            if self._postgres
            else "json_each(?) AS board"
        )
        rows = self._run(
            f"SELECT {_SAVED} FROM saved_jobs JOIN jobs ON jobs.id = saved_jobs.job_id"
            f" WHERE EXISTS (SELECT 1 FROM {listed}"
            "   WHERE jobs.source = board.value ->> 0 AND jobs.source_key = board.value ->> 1)"
            " ORDER BY job_id",
            (boards,),
        )
        return [SavedJob(*row) for row in rows]

    def set_status(
        self, job_id: str, status: str, *, on: date, at: datetime, note: str | None
    ) -> StatusChange:
        self._store.begin()
        self._run(
            "UPDATE saved_jobs SET status = ?, status_on = ? WHERE job_id = ?",
            (status, on.isoformat(), job_id),
        )
        row = self._run(
            "INSERT INTO status_history (job_id, status, happened_on, recorded_at, note)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            (job_id, status, on.isoformat(), iso_utc(at), note),
        ).fetchone()
        return StatusChange(int(row[0]), job_id, status, on.isoformat(), iso_utc(at), note)

    def history(self, job_id: str) -> list[StatusChange]:
        rows = self._run(
            "SELECT id, job_id, status, happened_on, recorded_at, note FROM status_history"
            " WHERE job_id = ? ORDER BY id",
            (job_id,),
        )
        return [StatusChange(*row) for row in rows]

    # -- notes and reminders ----------------------------------------------------------------------

    def add_note(self, job_id: str, text: str, *, at: datetime) -> Note:
        self._store.begin()
        row = self._run(
            "INSERT INTO notes (job_id, created_at, text) VALUES (?, ?, ?) RETURNING id",
            (job_id, iso_utc(at), text),
        ).fetchone()
        return Note(int(row[0]), job_id, iso_utc(at), text)

    def notes(self, job_id: str) -> list[Note]:
        rows = self._run(
            "SELECT id, job_id, created_at, text FROM notes WHERE job_id = ? ORDER BY id",
            (job_id,),
        )
        return [Note(*row) for row in rows]

    def add_reminder(
        self, job_id: str, due_on: date, *, at: datetime, note: str | None
    ) -> Reminder:
        self._store.begin()
        row = self._run(
            "INSERT INTO reminders (job_id, due_on, created_at, note) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            (job_id, due_on.isoformat(), iso_utc(at), note),
        ).fetchone()
        return Reminder(int(row[0]), job_id, due_on.isoformat(), iso_utc(at), note)

    def reminders(self, job_id: str | None = None, *, due_by: date | None = None) -> list[Reminder]:
        """Reminders of one job (or all), soonest first; with `due_by`, only those due by then."""
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        if job_id is not None:
            where.append("job_id = ?")
            params.append(job_id)
        if due_by is not None:
            where.append("due_on <= ?")
            params.append(due_by.isoformat())
        rows = self._run(
            "SELECT id, job_id, due_on, created_at, note FROM reminders"
            f" WHERE {' AND '.join(where)} ORDER BY due_on, id",
            params,
        )
        return [Reminder(*row) for row in rows]

    # -- watches ----------------------------------------------------------------------------------

    def add_watch(self, watch: Watch) -> Watch | None:
        """Store a watch (its `id` is ignored); None when one with that name exists."""
        self._store.begin()
        row = self._run(
            "INSERT INTO watches (name, query, company, location, remote, min_salary, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            _watch_values(watch),
        ).fetchone()
        if row is None:
            return None
        return Watch(int(row[0]), *_watch_values(watch))

    def watches(self) -> list[Watch]:
        rows = self._run(f"SELECT {_WATCH} FROM watches ORDER BY name")
        return [Watch(*row) for row in rows]

    def remove_watch(self, name: str) -> bool:
        self._store.begin()
        return self._run("DELETE FROM watches WHERE name = ?", (name,)).rowcount == 1

    def watch_matches(self, watch: Watch, job_ids: Collection[str] | None = None) -> list[str]:
        """Open jobs first seen since the watch was made that match it (among `job_ids` if given)."""
        where = ["jobs.status = 'open'", "jobs.first_seen >= ?"]
        params: list[Any] = [watch.created_at]
        tables = self._text_match(watch.query, where, params) if watch.query else "jobs"
        sql = f"SELECT jobs.id FROM {tables}"
        if job_ids is not None:
            condition, listed = self._in_list("jobs.id", job_ids)
            where.append(condition)
            params.append(listed)
        if watch.company:
            where.append(self._like("jobs.company"))
            params.append(f"%{_like_escape(watch.company)}%")
        if watch.location:
            locations = "jobs.record ->> " + ("'locations'" if self._postgres else "'$.locations'")
            where.append(f"({self._like('jobs.location_raw')} OR {self._like(locations)})")
            params += [f"%{_like_escape(watch.location)}%"] * 2
        if watch.remote:
            where.append("jobs.remote = ?")
            params.append(watch.remote)
        if watch.min_salary is not None:
            where.append(f"{self._salary_top()} >= ?")
            params.append(watch.min_salary)
        rows = self._run(f"{sql} WHERE {' AND '.join(where)} ORDER BY jobs.id", params)
        return [row[0] for row in rows]

    # -- alerts and the outbox --------------------------------------------------------------------

    def raise_alert(self, alert: NewAlert, *, at: datetime, channels: Sequence[str]) -> int | None:
        """
        Store an alert and queue it for each channel; None when its condition was raised before.

        The unique `condition_key` is the once-only rule: the same condition never raises twice.
        """
        self._store.begin()
        row = self._run(
            "INSERT INTO alerts (condition_key, kind, job_id, title, headline, reason, url,"
            " raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            (
                alert.condition_key, alert.kind, alert.job_id, alert.title, alert.headline,
                alert.reason, alert.url, iso_utc(at),
            ),
        ).fetchone()  # fmt: skip
        if row is None:
            return None
        alert_id = int(row[0])
        self._run_many(
            "INSERT INTO deliveries (alert_id, channel) VALUES (?, ?)",
            ((alert_id, channel) for channel in channels),
        )
        return alert_id

    def alerts(
        self, *, unread: bool = False, since: str | None = None, limit: int | None = None
    ) -> list[Alert]:
        """Stored alerts, newest first: only unacknowledged ones, or raised at or after `since`."""
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        if unread:
            where.append("read_at IS NULL")
        if since is not None:
            where.append("raised_at >= ?")
            params.append(since)
        sql = f"SELECT {_ALERT} FROM alerts WHERE {' AND '.join(where)} ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self._with_deliveries(self._run(sql, params).fetchall())

    def acknowledge(self, ids: Iterable[int], *, at: datetime) -> list[int]:
        """Mark alerts read; returns the ids that exist (read before or not)."""
        self._store.begin()
        known = []
        for alert_id in ids:
            cursor = self._run(
                "UPDATE alerts SET read_at = coalesce(read_at, ?) WHERE id = ?",
                (iso_utc(at), alert_id),
            )
            if cursor.rowcount:
                known.append(alert_id)
        return known

    def pending(self, channel: str) -> list[Alert]:
        """Alerts waiting in the outbox for `channel`, oldest first."""
        rows = self._run(
            f"SELECT {_ALERT} FROM alerts JOIN deliveries ON deliveries.alert_id = alerts.id"
            " WHERE deliveries.channel = ? AND deliveries.state = 'pending' ORDER BY alerts.id",
            (channel,),
        ).fetchall()
        return self._with_deliveries(rows)

    def delivered(self, alert_id: int, channel: str, *, at: datetime) -> None:
        self._store.begin()
        self._run(
            "UPDATE deliveries SET state = 'sent', sent_at = ?, attempts = attempts + 1,"
            " last_error = NULL WHERE alert_id = ? AND channel = ?",
            (iso_utc(at), alert_id, channel),
        )

    def delivery_failed(self, alert_id: int, channel: str, error: str) -> None:
        self._store.begin()
        self._run(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = ?"
            " WHERE alert_id = ? AND channel = ?",
            (error, alert_id, channel),
        )

    def _with_deliveries(self, rows: list[Any]) -> list[Alert]:
        alerts = [Alert(*row) for row in rows]
        if not alerts:
            return alerts
        states: dict[int, dict[str, str]] = {}
        condition, listed = self._in_list("alert_id", [alert.id for alert in alerts])
        for alert_id, channel, state in self._run(
            f"SELECT alert_id, channel, state FROM deliveries WHERE {condition} ORDER BY channel",
            (listed,),
        ):
            states.setdefault(alert_id, {})[channel] = state
        for alert in alerts:
            alert.deliveries.update(states.get(alert.id, {}))
        return alerts


_SAVED = "saved_jobs.job_id, saved_at, saved_jobs.status, status_on"
_WATCH = "id, name, query, company, location, remote, min_salary, created_at"
_ALERT = "alerts.id, condition_key, kind, job_id, title, headline, reason, url, raised_at, read_at"


def _watch_values(watch: Watch) -> tuple[Any, ...]:
    return (
        watch.name, watch.query, watch.company, watch.location, watch.remote, watch.min_salary,
        watch.created_at,
    )  # fmt: skip

"""
The job seeker's records, kept in the jobs database: saved jobs, status history, notes, reminders,
saved searches (watches), alerts and their delivery outbox.

`Tracking` is the interface the rest of jobcrawl uses, in the style of `Store`, so a PostgreSQL
backend is one more module; `TrackingStore` is the SQLite one. It shares the `SQLiteStore`'s
connection and transaction: writes open a transaction with `begin()`, and the caller ends it with
`commit()` once an operation is whole.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from crawler.store.base import iso_utc
from crawler.store.sqlite import SQLiteStore, _like_escape, fts_query


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
    job_id: str
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
    job_id: str
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


class TrackingStore:
    """`Tracking` in the SQLite file of a `SQLiteStore`, over its connection."""

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store
        self._conn: sqlite3.Connection = store.connection

    def commit(self) -> None:
        self._store.commit()

    # -- saved jobs -------------------------------------------------------------------------------

    def save(self, job_id: str, *, at: datetime, on: date) -> bool:
        """Save a job as `saved`; false when it was saved already (nothing changes then)."""
        self._store.begin()
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO saved_jobs (job_id, saved_at, status, status_on)"
            " VALUES (?, ?, 'saved', ?)",
            (job_id, iso_utc(at), on.isoformat()),
        )
        if cursor.rowcount == 0:
            return False
        self._conn.execute(
            "INSERT INTO status_history (job_id, status, happened_on, recorded_at)"
            " VALUES (?, 'saved', ?, ?)",
            (job_id, on.isoformat(), iso_utc(at)),
        )
        return True

    def unsave(self, job_id: str) -> bool:
        """Forget a saved job with its history, notes and reminders; its alerts stay."""
        self._store.begin()
        return (
            self._conn.execute("DELETE FROM saved_jobs WHERE job_id = ?", (job_id,)).rowcount == 1
        )

    def saved(self, job_id: str) -> SavedJob | None:
        row = self._conn.execute(
            f"SELECT {_SAVED} FROM saved_jobs WHERE job_id = ?", (job_id,)
        ).fetchone()
        return SavedJob(*row) if row else None

    def saved_jobs(self, sources: Iterable[tuple[str, str]] | None = None) -> list[SavedJob]:
        """Every saved job, or those of the given (source, source_key) boards."""
        if sources is None:
            rows = self._conn.execute(f"SELECT {_SAVED} FROM saved_jobs ORDER BY job_id")
            return [SavedJob(*row) for row in rows]
        boards = json.dumps([list(pair) for pair in sources])
        rows = self._conn.execute(
            f"SELECT {_SAVED} FROM saved_jobs JOIN jobs ON jobs.id = saved_jobs.job_id"
            " WHERE EXISTS (SELECT 1 FROM json_each(?) AS board"
            "   WHERE jobs.source = board.value ->> 0 AND jobs.source_key = board.value ->> 1)"
            " ORDER BY job_id",
            (boards,),
        )
        return [SavedJob(*row) for row in rows]

    def set_status(
        self, job_id: str, status: str, *, on: date, at: datetime, note: str | None
    ) -> StatusChange:
        self._store.begin()
        self._conn.execute(
            "UPDATE saved_jobs SET status = ?, status_on = ? WHERE job_id = ?",
            (status, on.isoformat(), job_id),
        )
        cursor = self._conn.execute(
            "INSERT INTO status_history (job_id, status, happened_on, recorded_at, note)"
            " VALUES (?, ?, ?, ?, ?)",
            (job_id, status, on.isoformat(), iso_utc(at), note),
        )
        return StatusChange(
            int(cursor.lastrowid or 0), job_id, status, on.isoformat(), iso_utc(at), note
        )

    def history(self, job_id: str) -> list[StatusChange]:
        rows = self._conn.execute(
            "SELECT id, job_id, status, happened_on, recorded_at, note FROM status_history"
            " WHERE job_id = ? ORDER BY id",
            (job_id,),
        )
        return [StatusChange(*row) for row in rows]

    # -- notes and reminders ----------------------------------------------------------------------

    def add_note(self, job_id: str, text: str, *, at: datetime) -> Note:
        self._store.begin()
        cursor = self._conn.execute(
            "INSERT INTO notes (job_id, created_at, text) VALUES (?, ?, ?)",
            (job_id, iso_utc(at), text),
        )
        return Note(int(cursor.lastrowid or 0), job_id, iso_utc(at), text)

    def notes(self, job_id: str) -> list[Note]:
        rows = self._conn.execute(
            "SELECT id, job_id, created_at, text FROM notes WHERE job_id = ? ORDER BY id",
            (job_id,),
        )
        return [Note(*row) for row in rows]

    def add_reminder(
        self, job_id: str, due_on: date, *, at: datetime, note: str | None
    ) -> Reminder:
        self._store.begin()
        cursor = self._conn.execute(
            "INSERT INTO reminders (job_id, due_on, created_at, note) VALUES (?, ?, ?, ?)",
            (job_id, due_on.isoformat(), iso_utc(at), note),
        )
        return Reminder(int(cursor.lastrowid or 0), job_id, due_on.isoformat(), iso_utc(at), note)

    def reminders(self, job_id: str | None = None, *, due_by: date | None = None) -> list[Reminder]:
        """Reminders of one job (or all), soonest first; with `due_by`, only those due by then."""
        where: list[str] = ["1"]
        params: list[Any] = []
        if job_id is not None:
            where.append("job_id = ?")
            params.append(job_id)
        if due_by is not None:
            where.append("due_on <= ?")
            params.append(due_by.isoformat())
        rows = self._conn.execute(
            "SELECT id, job_id, due_on, created_at, note FROM reminders"
            f" WHERE {' AND '.join(where)} ORDER BY due_on, id",
            params,
        )
        return [Reminder(*row) for row in rows]

    # -- watches ----------------------------------------------------------------------------------

    def add_watch(self, watch: Watch) -> Watch | None:
        """Store a watch (its `id` is ignored); None when one with that name exists."""
        self._store.begin()
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO watches (name, query, company, location, remote, min_salary,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                watch.name, watch.query, watch.company, watch.location, watch.remote,
                watch.min_salary, watch.created_at,
            ),
        )  # fmt: skip
        if cursor.rowcount == 0:
            return None
        return Watch(int(cursor.lastrowid or 0), *_watch_values(watch))

    def watches(self) -> list[Watch]:
        rows = self._conn.execute(f"SELECT {_WATCH} FROM watches ORDER BY name")
        return [Watch(*row) for row in rows]

    def remove_watch(self, name: str) -> bool:
        self._store.begin()
        return self._conn.execute("DELETE FROM watches WHERE name = ?", (name,)).rowcount == 1

    def watch_matches(self, watch: Watch, job_ids: Collection[str] | None = None) -> list[str]:
        """Open jobs first seen since the watch was made that match it (among `job_ids` if given)."""
        sql = "SELECT jobs.id FROM jobs"
        where = ["jobs.status = 'open'", "jobs.first_seen >= ?"]
        params: list[Any] = [watch.created_at]
        if watch.query and (match := fts_query(watch.query)):
            sql += " JOIN jobs_fts ON jobs_fts.rowid = jobs.rowid"
            where.append("jobs_fts MATCH ?")
            params.append(match)
        if job_ids is not None:
            where.append("jobs.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(job_ids)))
        if watch.company:
            where.append("jobs.company LIKE ? ESCAPE '\\'")
            params.append(f"%{_like_escape(watch.company)}%")
        if watch.location:
            where.append(
                "(jobs.location_raw LIKE ? ESCAPE '\\'"
                " OR jobs.record ->> '$.locations' LIKE ? ESCAPE '\\')"
            )
            params += [f"%{_like_escape(watch.location)}%"] * 2
        if watch.remote:
            where.append("jobs.remote = ?")
            params.append(watch.remote)
        if watch.min_salary is not None:
            where.append(
                "coalesce(jobs.record ->> '$.salary.max', jobs.record ->> '$.salary.min') >= ?"
            )
            params.append(watch.min_salary)
        rows = self._conn.execute(f"{sql} WHERE {' AND '.join(where)} ORDER BY jobs.id", params)
        return [row[0] for row in rows]

    # -- alerts and the outbox --------------------------------------------------------------------

    def raise_alert(self, alert: NewAlert, *, at: datetime, channels: Sequence[str]) -> int | None:
        """
        Store an alert and queue it for each channel; None when its condition was raised before.

        The unique `condition_key` is the once-only rule: the same condition never raises twice.
        """
        self._store.begin()
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO alerts (condition_key, kind, job_id, title, headline, reason,"
            " url, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                alert.condition_key, alert.kind, alert.job_id, alert.title, alert.headline,
                alert.reason, alert.url, iso_utc(at),
            ),
        )  # fmt: skip
        if cursor.rowcount == 0:
            return None
        alert_id = int(cursor.lastrowid or 0)
        self._conn.executemany(
            "INSERT INTO deliveries (alert_id, channel) VALUES (?, ?)",
            ((alert_id, channel) for channel in channels),
        )
        return alert_id

    def alerts(
        self, *, unread: bool = False, since: str | None = None, limit: int | None = None
    ) -> list[Alert]:
        """Stored alerts, newest first: only unacknowledged ones, or raised at or after `since`."""
        where: list[str] = ["1"]
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
        return self._with_deliveries(self._conn.execute(sql, params).fetchall())

    def acknowledge(self, ids: Iterable[int], *, at: datetime) -> list[int]:
        """Mark alerts read; returns the ids that exist (read before or not)."""
        self._store.begin()
        known = []
        for alert_id in ids:
            cursor = self._conn.execute(
                "UPDATE alerts SET read_at = coalesce(read_at, ?) WHERE id = ?",
                (iso_utc(at), alert_id),
            )
            if cursor.rowcount:
                known.append(alert_id)
        return known

    def pending(self, channel: str) -> list[Alert]:
        """Alerts waiting in the outbox for `channel`, oldest first."""
        rows = self._conn.execute(
            f"SELECT {_ALERT} FROM alerts JOIN deliveries ON deliveries.alert_id = alerts.id"
            " WHERE deliveries.channel = ? AND deliveries.state = 'pending' ORDER BY alerts.id",
            (channel,),
        ).fetchall()
        return self._with_deliveries(rows)

    def delivered(self, alert_id: int, channel: str, *, at: datetime) -> None:
        self._store.begin()
        self._conn.execute(
            "UPDATE deliveries SET state = 'sent', sent_at = ?, attempts = attempts + 1,"
            " last_error = NULL WHERE alert_id = ? AND channel = ?",
            (iso_utc(at), alert_id, channel),
        )

    def delivery_failed(self, alert_id: int, channel: str, error: str) -> None:
        self._store.begin()
        self._conn.execute(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = ?"
            " WHERE alert_id = ? AND channel = ?",
            (error, alert_id, channel),
        )

    def _with_deliveries(self, rows: list[sqlite3.Row]) -> list[Alert]:
        alerts = [Alert(*row) for row in rows]
        if not alerts:
            return alerts
        states: dict[int, dict[str, str]] = {}
        for alert_id, channel, state in self._conn.execute(
            "SELECT alert_id, channel, state FROM deliveries"
            " WHERE alert_id IN (SELECT value FROM json_each(?)) ORDER BY channel",
            (json.dumps([alert.id for alert in alerts]),),
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

"""
What every store backend offers, and the small records it returns.

Pipelines, the CLI and (later) the web pages talk to this interface only, so a backend is one module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, Protocol

from crawler.items import CloseReason, JobPosting

Outcome = Literal["new", "changed", "unchanged"]


def iso_utc(moment: datetime) -> str:
    """A UTC timestamp as stored: second precision, `Z` suffix, so text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """What storing one posting did."""

    outcome: Outcome
    version: int
    changed_fields: list[str] = field(default_factory=list)
    reopened: bool = False


SortOrder = Literal["relevance", "date", "salary", "closing"]
"""relevance: best match first with `text`, else latest seen first (the default order); date: newest
posting first; salary: highest top first; closing: soonest end first, jobs with no known end and
closed jobs last."""


@dataclass(frozen=True, slots=True)
class JobQuery:
    """Filters for listing and exporting jobs; every field narrows the result."""

    text: str | None = None
    """Full-text search over title, company, location and description."""
    company: str | None = None
    remote: str | None = None
    status: str | None = None
    source: str | None = None
    limit: int | None = None
    canonical: bool = False
    """Leave out records that duplicate another source's record (`duplicate_of` set)."""
    since: datetime | None = None
    """Only jobs seen in a listing at or after this time."""
    changed_only: bool = False
    """Only jobs that are new or whose content changed at or after `since`."""
    skill: str | None = None
    """Only jobs with this key skill (its name in the vocabulary, any case)."""
    seniority: str | None = None
    location: str | None = None
    """Location text (the source's wording, or a city or region) contains this, any case."""
    country: str | None = None
    """One of the job's locations is in this country (ISO 3166-1 alpha-2, upper case)."""
    employment_type: str | None = None
    currency: str | None = None
    """Only salaries in this currency (ISO 4217)."""
    period: str | None = None
    """Only salaries per this period (`YEAR`, `HOUR`...)."""
    min_salary: float | None = None
    """The salary's top (or its only figure) is at least this; set `currency` and `period` with it."""
    posted_since: date | None = None
    """Posted on or after this day (by its posting date, or the day it was first seen)."""
    sort: SortOrder = "relevance"
    offset: int = 0
    """Skip this many jobs of the sorted result (paging)."""


def job_conditions(query: JobQuery) -> tuple[list[str], list[Any]]:
    """
    The query's conditions that are the same SQL on both engines (with `?` placeholders), and their
    values: every filter but the words, the company and the place, which each engine matches its
    own way.
    """
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("jobs.remote", query.remote),
        ("jobs.status", query.status),
    ):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if query.canonical:
        where.append("jobs.duplicate_of IS NULL")
    if query.since is not None:
        column = "jobs.last_seen"
        if query.changed_only:
            column = "(SELECT max(seen_at) FROM job_versions WHERE job_id = jobs.id)"
        where.append(f"{column} >= ?")
        params.append(iso_utc(query.since))
    if query.source:
        kind, _, key = query.source.partition(":")
        where.append("jobs.source = ?")
        params.append(kind)
        if key:
            where.append("jobs.source_key = ?")
            params.append(key)
    # The copies that migration 0009 added.
    for column, value in (
        ("jobs.seniority", query.seniority),
        ("jobs.salary_currency", query.currency),
        ("jobs.salary_period", query.period),
    ):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if query.min_salary is not None:
        where.append("jobs.salary_top >= ?")
        params.append(query.min_salary)
    if query.posted_since is not None:
        where.append("jobs.posted_on >= ?")
        params.append(query.posted_since.isoformat())
    for facet, value in (
        ("country", query.country),
        ("skill", fold(query.skill) if query.skill else None),
        ("employment_type", query.employment_type),
    ):
        if value:
            where.append("jobs.id IN (SELECT job_id FROM job_facets WHERE facet = ? AND value = ?)")
            params += [facet, value]
    return where, params


SORT_ORDERS = {
    "seen": "jobs.last_seen DESC, jobs.id",
    "date": "jobs.posted_on DESC, jobs.first_seen DESC, jobs.id",
    "salary": "jobs.salary_top IS NULL, jobs.salary_top DESC, jobs.id",
    "closing": "jobs.status = 'closed', jobs.expires_at IS NULL, jobs.expires_at, jobs.id",
}
"""The ORDER BY of each sort but relevance, which each engine ranks its own way."""


def search_columns(record: dict[str, Any]) -> tuple[Any, ...]:
    """The record's copies in `jobs` that searches filter on: seniority, salary currency, period, top."""
    salary = record.get("salary") or {}
    top = salary.get("max") if salary.get("max") is not None else salary.get("min")
    return (record.get("seniority"), salary.get("currency"), salary.get("period"), top)


def fold(text: str) -> str:
    """ASCII letters in lower case, others kept: how skill names are compared, on both engines."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def facet_rows(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(job id, facet, value) for each distinct country, skill and employment type of the record."""
    values = {
        *(
            ("country", place["country"])
            for place in record.get("locations") or ()
            if place.get("country")
        ),
        *(
            ("skill", fold(skill["name"]))
            for skill in record.get("skills") or ()
            if skill.get("name")
        ),
        *(("employment_type", kind) for kind in record.get("employment_type") or ()),
    }
    return [(record["id"], facet, value) for facet, value in sorted(values)]


@dataclass(frozen=True, slots=True)
class DuplicateMarks:
    """What duplicate detection says of one job."""

    job_id: str
    repost_of: str | None
    duplicate_of: str | None
    cluster_id: str | None


@dataclass(slots=True)
class SourceTally:
    """What one source gave in one run."""

    source: str
    source_key: str
    complete: bool = False
    pages: int = 0
    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dropped: int = 0
    error: str | None = None
    closed: int = 0
    reopened: int = 0
    suspect: bool = False
    """The listing parsed but held far fewer jobs than the last complete one, so it closed nothing."""
    requests: int = 0
    """Requests sent for this source, every retry counted."""
    statuses: dict[str, int] = field(default_factory=dict)
    """How those requests ended: HTTP status or exception name -> count."""
    finished_at: str | None = None
    """When the source's listing finished (ISO 8601, UTC)."""
    requests_saved: int = 0
    """Detail requests not sent because the listing showed the job unchanged since its last fetch."""

    def count(self, outcome: Outcome, *, reopened: bool = False) -> None:
        self.reopened += reopened
        if outcome == "new":
            self.new += 1
        elif outcome == "changed":
            self.updated += 1
        else:
            self.unchanged += 1


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One crawl run and its per-source tallies."""

    id: int
    started_at: str
    finished_at: str | None
    status: str
    sources: list[SourceTally]

    @property
    def seconds(self) -> float | None:
        """How long the run took; None while it runs (or if it never finished)."""
        if self.finished_at is None:
            return None
        return (
            datetime.fromisoformat(self.finished_at) - datetime.fromisoformat(self.started_at)
        ).total_seconds()


class Store(Protocol):
    """A jobcrawl database."""

    def upsert_posting(
        self, posting: JobPosting, *, seen_at: datetime, run_id: int | None = None
    ) -> UpsertResult: ...

    def commit(self) -> None: ...

    def revisions(self, source: str, source_key: str) -> dict[str, str]: ...

    def mark_seen(self, job_ids: Iterable[str], *, seen_at: datetime) -> int: ...

    def close_missing(
        self, source: str, source_key: str, seen_ids: Iterable[str], *, at: datetime, after: int
    ) -> list[str]: ...

    def close_job(self, job_id: str, *, at: datetime, reason: CloseReason) -> bool: ...

    def expire_jobs(
        self, *, at: datetime, unseen_since: datetime, sources: Iterable[tuple[str, str]]
    ) -> list[str]: ...

    def open_days(self, source: str, source_key: str) -> list[float]: ...

    def estimate_expiry(self, source: str, source_key: str, *, days: int) -> int: ...

    def last_listings(self, source: str, source_key: str, limit: int = 1) -> list[SourceTally]: ...

    def source_history(
        self, per_source: int = 10
    ) -> dict[tuple[str, str], list[tuple[int, SourceTally]]]: ...

    def open_job_counts(self) -> dict[tuple[str, str], int]: ...

    def iter_postings(self, query: JobQuery) -> Iterator[JobPosting]: ...

    def set_duplicates(self, marks: Iterable[DuplicateMarks]) -> int: ...

    def duplicate_clusters(
        self, cluster_id: str | None = None
    ) -> dict[str, list[dict[str, Any]]]: ...

    def get_job(self, job_id: str) -> JobPosting | None: ...

    def fingerprints(self) -> dict[str, str]:
        """Every job's content fingerprint, by id: what duplicate detection re-reads on change."""
        ...

    def job_versions(self, job_id: str) -> list[dict[str, Any]]: ...

    def iter_jobs(self, query: JobQuery) -> Iterator[dict[str, Any]]: ...

    def count_jobs(self, query: JobQuery) -> int: ...

    def start_run(self, started_at: datetime) -> int: ...

    def record_source(self, run_id: int, tally: SourceTally) -> None: ...

    def finish_run(self, run_id: int, finished_at: datetime, status: str) -> None: ...

    def get_run(self, run_id: int) -> RunRecord | None: ...

    def latest_run_id(self) -> int: ...

    def first_run_after(self, run_id: int) -> int | None: ...

    def interrupt_run(self, run_id: int, *, at: datetime, stopped: bool = False) -> bool: ...

    def list_runs(self, limit: int = 20) -> list[RunRecord]: ...

    def close(self) -> None: ...


class _RunsTable(Protocol):
    _placeholder: str

    @property
    def connection(self) -> Any: ...

    def commit(self) -> None: ...


class RunLookups:
    """
    The scheduler's questions about the runs table, in SQL both backends speak alike.

    Mixed into each store, which names its parameter placeholder (`?` or `%s`). Each call commits
    first, so it sees the runs other processes recorded.
    """

    def latest_run_id(self: _RunsTable) -> int:
        """The newest run's id, 0 before the first run."""
        self.commit()
        row = self.connection.execute("SELECT coalesce(max(id), 0) FROM runs").fetchone()
        return int(row[0])

    def first_run_after(self: _RunsTable, run_id: int) -> int | None:
        """The oldest run newer than `run_id`: how a scheduler learns the run its crawl started."""
        self.commit()
        sql = "SELECT min(id) FROM runs WHERE id > ?".replace("?", self._placeholder)
        row = self.connection.execute(sql, (run_id,)).fetchone()
        return None if row[0] is None else int(row[0])

    def interrupt_run(
        self: _RunsTable, run_id: int, *, at: datetime, stopped: bool = False
    ) -> bool:
        """
        Record run `run_id` as interrupted; true if it was changed.

        A run left `running` by a killed crawl is interrupted. With `stopped` (the crawl was stopped
        on purpose), a run that ended `partial` or `failed` is too: its listings were cut short,
        not broken. A run that ended `ok` finished its work and keeps its status.
        """
        self.commit()
        sql = (
            "UPDATE runs SET status = 'interrupted', finished_at = coalesce(finished_at, ?)"
            " WHERE id = ? AND (status = 'running' OR (? AND status IN ('partial', 'failed')))"
        ).replace("?", self._placeholder)
        cursor = self.connection.execute(sql, (iso_utc(at), run_id, stopped))
        return bool(cursor.rowcount == 1)

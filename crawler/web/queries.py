"""
The reads the dashboard needs that the store does not offer yet.

The search page filters on more than `JobQuery` knows (location, country, employment type, salary
compared like with like, posting age), sorts four ways and pages through results; the health pages
chart open jobs over time and salary ranges by company. Each is one parameterised query over the
store's connection that returns ids or plain numbers; the job records themselves always come from
`Store.get_job`, so the web shows exactly what the CLI shows. These belong in the store (`JobQuery`
fields and `SQLiteStore` methods) once the CLI wants them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crawler.items import EmploymentType, JobPosting, RemoteKind, SalaryPeriod, Seniority
from crawler.store import RunRecord, SQLiteStore
from crawler.store.sqlite import _like_escape, fts_query

SortOrder = Literal["relevance", "date", "salary", "closing"]
StatusFilter = Literal["open", "closed", "any"]

_TOP_PAY = "coalesce(jobs.record ->> '$.salary.max', jobs.record ->> '$.salary.min')"
_ORDER: dict[str, str] = {
    # "seen" breaks ties by rowid, not id: a run gives all its jobs one `last_seen`, and the status
    # index (status, last_seen, rowid) serves that order without sorting the table.
    "relevance": "jobs_fts.rank, jobs.id",
    "seen": "jobs.last_seen DESC, jobs.rowid DESC",
    "date": "coalesce(jobs.date_posted, substr(jobs.first_seen, 1, 10)) DESC, jobs.first_seen DESC,"
    " jobs.id",
    "salary": f"{_TOP_PAY} IS NULL, {_TOP_PAY} DESC, jobs.id",
    "closing": "jobs.status = 'closed', jobs.expires_at IS NULL, jobs.expires_at, jobs.id",
}


class SearchFilters(BaseModel):
    """What the search page and `GET /api/jobs` accept; every filter given narrows the result."""

    model_config = ConfigDict(extra="ignore", use_attribute_docstrings=True)

    q: str | None = Field(default=None, max_length=200)
    """Words to find in title, company, location and description (each must match)."""
    company: str | None = Field(default=None, max_length=200)
    """Company name contains this (any case)."""
    location: str | None = Field(default=None, max_length=200)
    """Location text contains this (city, region or the source's wording)."""
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    """ISO 3166-1 alpha-2 code of one of the job's locations."""
    remote: RemoteKind | None = None
    employment_type: EmploymentType | None = None
    seniority: Seniority | None = None
    skill: str | None = Field(default=None, max_length=100)
    """A key skill's vocabulary name (any case)."""
    source: str | None = Field(default=None, max_length=200)
    """One source family or board: `greenhouse`, `greenhouse:vercel`."""
    status: StatusFilter = "open"
    canonical: bool = False
    """One record per job: leave out records duplicating another source's."""
    min_salary: float | None = Field(default=None, ge=0, le=1e10)
    """Pays at least this (the range's top, or its only figure), in `currency` per `period`."""
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    """ISO 4217 code; only salaries in this currency (required with `min_salary`)."""
    period: SalaryPeriod | None = None
    """Only salaries per this period (required with `min_salary`)."""
    posted_within: int | None = Field(default=None, ge=1, le=3650)
    """Posted (or, without a posting date, first seen) within this many days."""
    sort: SortOrder = "relevance"
    """relevance (best match first; latest seen without `q`), date, salary (highest first), closing."""
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1_000_000)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        """An HTML form sends every field, empty ones as ``""``: those mean "no filter"."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value != ""}
        return data

    @model_validator(mode="after")
    def _like_with_like(self) -> Self:
        """A minimum salary means nothing without its currency and period: 50 is not 50,000."""
        if self.min_salary is not None and (self.currency is None or self.period is None):
            raise ValueError("min_salary needs a currency and a period (e.g. EUR per YEAR)")
        if self.currency:
            self.currency = self.currency.upper()
        if self.country:
            self.country = self.country.upper()
        return self

    def ordering(self) -> str:
        """
        The sort in effect. Relevance needs words to rank by; without them the newest seen come
        first, the order `jobcrawl jobs` lists in (and the one the status index serves).
        """
        if self.sort == "relevance" and not (self.q and fts_query(self.q)):
            return "seen"
        return self.sort

    def filters_given(self) -> dict[str, Any]:
        """The filters that differ from the defaults (for links that keep them)."""
        return self.model_dump(exclude_defaults=True, exclude={"limit", "offset"}, mode="json")


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of search results and how many match in all."""

    total: int
    jobs: list[JobPosting]


def search_jobs(store: SQLiteStore, filters: SearchFilters, *, today: date) -> SearchPage:
    """The jobs matching `filters`, one page of them in the asked order, and the total."""
    tables, where, params = _conditions(filters, today)
    base = f"FROM {tables}" + (f" WHERE {' AND '.join(where)}" if where else "")
    conn = store.connection
    total = int(conn.execute(f"SELECT count(*) {base}", params).fetchone()[0])
    page = conn.execute(
        f"SELECT jobs.id {base} ORDER BY {_ORDER[filters.ordering()]} LIMIT ? OFFSET ?",
        [*params, filters.limit, filters.offset],
    ).fetchall()
    jobs = [job for job in (store.get_job(row[0]) for row in page) if job is not None]
    return SearchPage(total, jobs)


def _conditions(filters: SearchFilters, today: date) -> tuple[str, list[str], list[Any]]:
    """
    The tables, WHERE clauses and bound values; clauses are constants, values always bound.

    With words to match, the full-text index is read first (`CROSS JOIN` fixes the order): left to
    choose, SQLite may walk the status index and run the whole full-text query once per job. The
    indexed columns are tested before the conditions that read the JSON record, the costly ones.
    """
    tables = "jobs"
    where: list[str] = []
    params: list[Any] = []

    def add(clause: str, *values: Any) -> None:
        where.append(clause)
        params.extend(values)

    if filters.q and (match := fts_query(filters.q)):
        tables = "jobs_fts CROSS JOIN jobs ON jobs.rowid = jobs_fts.rowid"
        add("jobs_fts MATCH ?", match)
    if filters.status != "any":
        add("jobs.status = ?", filters.status)
    if filters.source:
        kind, _, key = filters.source.partition(":")
        add("jobs.source = ?", kind)
        if key:
            add("jobs.source_key = ?", key)
    if filters.remote:
        add("jobs.remote = ?", filters.remote)
    if filters.company:
        add("jobs.company LIKE ? ESCAPE '\\'", f"%{_like_escape(filters.company)}%")
    if filters.canonical:
        add("jobs.duplicate_of IS NULL")
    if filters.posted_within is not None:
        since = (today - timedelta(days=filters.posted_within)).isoformat()
        add("coalesce(jobs.date_posted, substr(jobs.first_seen, 1, 10)) >= ?", since)
    if filters.location:
        pattern = f"%{_like_escape(filters.location)}%"
        add(
            "(jobs.location_raw LIKE ? ESCAPE '\\' OR jobs.record ->> '$.locations' LIKE ? ESCAPE '\\')",
            pattern,
            pattern,
        )
    if filters.country:
        add(
            "EXISTS (SELECT 1 FROM json_each(jobs.record, '$.locations')"
            " WHERE value ->> '$.country' = ?)",
            filters.country,
        )
    if filters.employment_type:
        add(
            "EXISTS (SELECT 1 FROM json_each(jobs.record, '$.employment_type') WHERE value = ?)",
            filters.employment_type,
        )
    if filters.seniority:
        add("jobs.record ->> '$.seniority' = ?", filters.seniority)
    if filters.skill:
        add(
            "EXISTS (SELECT 1 FROM json_each(jobs.record, '$.skills')"
            " WHERE lower(value ->> '$.name') = lower(?))",
            filters.skill,
        )
    if filters.currency:
        add("jobs.record ->> '$.salary.currency' = ?", filters.currency)
    if filters.period:
        add("jobs.record ->> '$.salary.period' = ?", filters.period)
    if filters.min_salary is not None:
        add(f"{_TOP_PAY} >= ?", filters.min_salary)
    return tables, where, params


def open_jobs_after(store: SQLiteStore, runs: list[RunRecord]) -> list[int]:
    """
    How many jobs were open once each run had stored its postings (runs in the order given).

    A job is open after a run when it was first seen by then and had not closed by then. A job that
    closed and came back counts as open from its first sighting: the store keeps only the latest
    close.
    """
    return [
        int(
            store.connection.execute(
                "SELECT count(*) FROM jobs WHERE first_seen <= ?"
                " AND (closed_at IS NULL OR closed_at > ?)",
                (run.started_at, run.started_at),
            ).fetchone()[0]
        )
        for run in runs
    ]


@dataclass(frozen=True, slots=True)
class PayRange:
    """The salaries one company's open jobs state in one currency and period."""

    company: str
    low: float
    high: float
    jobs: int


def salary_ranges(
    store: SQLiteStore, *, per_group: int = 12
) -> dict[tuple[str, str], list[PayRange]]:
    """
    (currency, period) -> each company's lowest and highest stated pay, best paying first.

    Grouped by currency and period so that a chart never sets a yearly salary beside an hourly
    rate, or euros beside dollars.
    """
    rows = store.connection.execute(
        "SELECT coalesce(company, source_key), record ->> '$.salary.currency' AS currency,"
        " record ->> '$.salary.period' AS period,"
        " min(coalesce(record ->> '$.salary.min', record ->> '$.salary.max')),"
        " max(coalesce(record ->> '$.salary.max', record ->> '$.salary.min')), count(*)"
        " FROM jobs WHERE status = 'open' AND currency IS NOT NULL AND period IS NOT NULL"
        " AND coalesce(record ->> '$.salary.min', record ->> '$.salary.max') IS NOT NULL"
        " GROUP BY 1, 2, 3 ORDER BY 2, 3, 5 DESC, 1"
    )
    groups: dict[tuple[str, str], list[PayRange]] = {}
    for company, currency, period, low, high, count in rows:
        group = groups.setdefault((currency, period), [])
        if len(group) < per_group:
            group.append(PayRange(company, float(low), float(high), int(count)))
    return groups

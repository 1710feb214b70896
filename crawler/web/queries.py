"""
The search's parameters as the web reads them, and the reads of the health pages.

`SearchFilters` is what the search page and `GET /api/jobs` accept (an HTML form's empty fields are
"no filter"; a minimum salary needs its currency and period); `job_query` turns it into the store's
`JobQuery`, and the store runs the search, the one `jobcrawl jobs` runs. The health pages chart open
jobs over time and salary ranges by company.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crawler.items import EmploymentType, JobPosting, RemoteKind, SalaryPeriod, Seniority
from crawler.store import JobQuery, RunRecord, SQLiteStore
from crawler.store.base import SortOrder
from crawler.store.postgres import PostgresStore

AnyStore = SQLiteStore | PostgresStore

StatusFilter = Literal["open", "closed", "any"]


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

    def filters_given(self) -> dict[str, Any]:
        """The filters that differ from the defaults (for links that keep them)."""
        return self.model_dump(exclude_defaults=True, exclude={"limit", "offset"}, mode="json")


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of search results and how many match in all."""

    total: int
    jobs: list[JobPosting]


def job_query(filters: SearchFilters, *, today: date) -> JobQuery:
    """The store's query for what the search page and `GET /api/jobs` were asked."""
    return JobQuery(
        text=filters.q,
        company=filters.company,
        location=filters.location,
        country=filters.country,
        remote=filters.remote,
        employment_type=filters.employment_type,
        seniority=filters.seniority,
        skill=filters.skill,
        source=filters.source,
        status=None if filters.status == "any" else filters.status,
        canonical=filters.canonical,
        min_salary=filters.min_salary,
        currency=filters.currency,
        period=filters.period,
        posted_since=(
            today - timedelta(days=filters.posted_within) if filters.posted_within else None
        ),
        sort=filters.sort,
        limit=filters.limit,
        offset=filters.offset,
    )


def search_jobs(store: AnyStore, filters: SearchFilters, *, today: date) -> SearchPage:
    """
    The jobs matching `filters`, one page of them in the asked order, and the total: the store's
    own search, as `jobcrawl jobs` runs it.
    """
    query = job_query(filters, today=today)
    return SearchPage(store.count_jobs(query), list(store.iter_postings(query)))


def open_jobs_after(store: AnyStore, runs: list[RunRecord]) -> list[int]:
    """
    How many jobs were open once each run had stored its postings (runs in the order given).

    A job is open after a run when it was first seen by then and had not closed by then. A job that
    closed and came back counts as open from its first sighting: the store keeps only the latest
    close.
    """
    sql = "SELECT count(*) FROM jobs WHERE first_seen <= ? AND (closed_at IS NULL OR closed_at > ?)"
    if isinstance(store, PostgresStore):
        sql = sql.replace("?", "%s")
    counts = []
    for run in runs:
        row = store.connection.execute(sql, (run.started_at, run.started_at)).fetchone()
        counts.append(int(row[0]) if row else 0)
    return counts


@dataclass(frozen=True, slots=True)
class PayRange:
    """The salaries one company's open jobs state in one currency and period."""

    company: str
    low: float
    high: float
    jobs: int


def salary_ranges(store: AnyStore, *, per_group: int = 12) -> dict[tuple[str, str], list[PayRange]]:
    """
    (currency, period) -> each company's lowest and highest stated pay, best paying first.

    Grouped by currency and period so that a chart never sets a yearly salary beside an hourly
    rate, or euros beside dollars.
    """
    # The same SQL on both engines: the search columns of migration 0009, and JSON read with `->`
    # and `->>` (salary_top is the highest stated figure, max or else min).
    rows = store.connection.execute(
        "SELECT coalesce(company, source_key), salary_currency, salary_period,"
        " min(coalesce(CAST(record -> 'salary' ->> 'min' AS DOUBLE PRECISION),"
        " CAST(record -> 'salary' ->> 'max' AS DOUBLE PRECISION))), max(salary_top),"
        " count(*) FROM jobs WHERE status = 'open' AND salary_currency IS NOT NULL"
        " AND salary_period IS NOT NULL AND salary_top IS NOT NULL"
        " GROUP BY 1, 2, 3 ORDER BY 2, 3, 5 DESC, 1"
    ).fetchall()
    groups: dict[tuple[str, str], list[PayRange]] = {}
    for company, currency, period, low, high, count in rows:
        group = groups.setdefault((currency, period), [])
        if len(group) < per_group:
            group.append(PayRange(company, float(low), float(high), int(count)))
    return groups

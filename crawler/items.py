"""
The items that flow from spiders through the pipelines.

- `RawPosting` is what a source said, field by field, before any parsing. Spiders build it; the
  normalise pipeline turns it into a `JobPosting`.
- `JobPosting` is the project's public contract: the schema that the store keeps, that exports and
  feeds emit, and that `docs/schema.json` publishes. Fields are only ever added, never renamed.
- `ListingResult` tells the lifecycle whether a source's listing was read to the end, so that a failed
  or partial listing never closes a job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RemoteKind = Literal["remote", "hybrid", "onsite"]
EmploymentType = Literal[
    "FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER"
]
SalaryPeriod = Literal["HOUR", "DAY", "WEEK", "MONTH", "YEAR"]
JobStatus = Literal["open", "closed"]
CloseReason = Literal["absent_from_listing", "detail_gone", "expired"]


@dataclass(kw_only=True, slots=True)
class RawPosting:
    """One posting as a source gave it: strings and source values, not yet parsed."""

    source: str
    source_key: str
    source_id: str
    url: str
    title: str
    company: str | None = None
    apply_url: str | None = None
    location_raw: str | None = None
    """The location text as the source displays it."""
    locations_raw: list[str] = field(default_factory=list)
    """Separate location strings when the source lists several (offices, secondary locations)."""
    remote_raw: str | None = None
    """The source's own workplace flag or text ("remote", "hybrid", "true"), if it has one."""
    employment_type_raw: list[str] = field(default_factory=list)
    salary_raw: str | None = None
    """Salary as text, from a salary field or a sentence of the description."""
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    date_posted_raw: str | int | None = None
    valid_through_raw: str | int | None = None
    updated_at_raw: str | int | None = None
    description_html: str | None = None
    """The description as HTML, unescaped but not yet sanitised."""
    department: str | None = None
    requisition_id: str | None = None
    language: str | None = None
    """The posting's language or locale as the source states it (e.g. "en", "de-DE")."""
    revision: str | None = None
    """The listing's change marker for this job (a date or a digest of its listing entry), kept so a
    re-crawl can skip the detail request of a job whose marker has not moved."""


@dataclass(kw_only=True, slots=True)
class JobGone:
    """A listed job whose own page answered 404/410 or "no longer available": it has closed."""

    source: str
    source_key: str
    source_id: str
    reason: str
    """The first line of the evidence, e.g. "https://...: HTTP 404"."""


@dataclass(kw_only=True, slots=True)
class ListingResult:
    """The end of one source's listing: was it read completely, and which ids did it hold?"""

    source: str
    source_key: str
    complete: bool
    seen_ids: list[str] = field(default_factory=list)
    """Job ids (`JobPosting.id`) present in the listing."""
    error: str | None = None
    """First line of what went wrong when `complete` is false."""
    pages: int = 0
    unchanged_details: int = 0
    """Listed jobs whose detail was not fetched because their revision had not moved."""
    unchanged_postings: int = 0
    """Postings read whole from the listing and not passed on, their entry unchanged since stored."""
    closed: int = 0
    """Stored jobs this listing closed (set by the lifecycle pipeline)."""
    suspect: str | None = None
    """Why a listing that parsed is not trusted to close jobs (far fewer jobs than the last one)."""


class Location(BaseModel):
    """A place a job is based in, or may be done from."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    city: str | None = None
    """City or town, as written by the source (e.g. "München", "San Francisco")."""
    region: str | None = None
    """State, province or region, as written or as its usual code (e.g. "CA", "England")."""
    country: str | None = None
    """ISO 3166-1 alpha-2 country code (e.g. "US", "DE"), when known."""


class Salary(BaseModel):
    """Pay for the job: a range or a single figure, with currency and period."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    min: float | None = None
    """Lower bound (or the single figure). Never greater than `max`."""
    max: float | None = None
    """Upper bound (or the single figure, or the cap of "up to ...")."""
    currency: str | None = None
    """ISO 4217 currency code (e.g. "USD", "EUR"), when known."""
    period: SalaryPeriod | None = None
    """What the amounts pay for: HOUR, DAY, WEEK, MONTH or YEAR; null when the source does not say."""
    raw: str | None = None
    """What the source said, before parsing."""


Seniority = Literal[
    "intern", "junior", "mid", "senior", "staff", "principal", "manager", "director", "executive"
]
Education = Literal["none", "high_school", "associate", "bachelor", "master", "phd"]


class Sections(BaseModel):
    """The description split by meaning; each part is a list of bullet or sentence strings."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    responsibilities: list[str] = Field(default_factory=list)
    """What the job involves ("What you'll do")."""
    requirements: list[str] = Field(default_factory=list)
    """Required qualifications ("What you need", "Requirements")."""
    preferred: list[str] = Field(default_factory=list)
    """Nice-to-have qualifications ("Preferred", "Bonus points")."""
    benefits: list[str] = Field(default_factory=list)
    """What the employer offers ("Benefits", "What we offer")."""
    about_company: list[str] = Field(default_factory=list)
    """The employer's description of itself ("About us")."""
    equal_opportunity: list[str] = Field(default_factory=list)
    """Equal-opportunity and accommodation statements."""


class Skill(BaseModel):
    """A key skill found in the posting, from jobcrawl's skills vocabulary."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)

    name: str
    """Canonical skill name from the vocabulary (e.g. "Kubernetes" for "k8s")."""
    category: str
    """Vocabulary category (e.g. "language", "cloud", "database", "healthcare")."""
    score: float
    """Relevance between 0 and 1: higher when named in the title or requirements, and often."""


class JobPosting(BaseModel):
    """One job posting from one source, normalised: the schema that jobcrawl stores and exports."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    id: str
    """Stable identifier: `<source>:<source_key>:<source_id>`, e.g. `greenhouse:vercel:6136160004`."""
    source: str
    """The source family (`greenhouse`, `lever`, ...)."""
    source_key: str
    """Which board of that family: the board token, company slug or tenant/site."""
    source_id: str
    """The source's own id for the posting."""
    url: str
    """Canonical posting URL, with tracking parameters removed."""
    apply_url: str | None = None
    """Where to apply, when the source gives a separate address."""
    title: str
    """Job title, as the source gives it, with whitespace tidied."""
    company: str | None = None
    """Hiring company's display name."""
    locations: list[Location] = Field(default_factory=list)
    """Structured locations; empty when nothing could be read."""
    location_raw: str | None = None
    """The location text as the source said it."""
    remote: RemoteKind | None = None
    """`remote`, `hybrid` or `onsite`; null when the source does not tell."""
    employment_type: list[EmploymentType] = Field(default_factory=list)
    """schema.org employment types (FULL_TIME, PART_TIME, CONTRACTOR, TEMPORARY, INTERN, VOLUNTEER,
    PER_DIEM, OTHER)."""
    salary: Salary | None = None
    """Pay, or null when the source gives none."""
    date_posted: date | None = None
    """Day the posting was first published (ISO date), when the source says precisely."""
    date_posted_before: date | None = None
    """Set when the source only gives a bound ("30+ days ago"): the posting appeared on or before this
    day. `date_posted` is then null."""
    valid_through: date | None = None
    """Application deadline or expiry date (ISO date), when the source gives one."""
    updated_at: datetime | None = None
    """When the source says it last changed the posting (ISO datetime, UTC)."""
    description_html: str | None = None
    """The description as sanitised HTML: no scripts, styles, event handlers or javascript: URLs."""
    description_text: str | None = None
    """The description as readable plain text: paragraphs and list items on their own lines."""
    sections: Sections = Field(default_factory=Sections)
    """The description split by meaning (responsibilities, requirements, preferred, benefits,
    about_company, equal_opportunity), each a list of strings; all empty when the description has no
    recognisable headings."""
    skills: list[Skill] = Field(default_factory=list)
    """Key skills from jobcrawl's skills vocabulary, most relevant first (at most 15)."""
    experience_years_min: int | None = None
    """Fewest years of experience the posting requires ("3+ years", "5-7 years" gives 5)."""
    education: Education | None = None
    """Lowest degree the posting requires: none, high_school, associate, bachelor, master, phd."""
    education_or_equivalent: bool = False
    """True when the posting accepts equivalent experience instead of the degree."""
    seniority: Seniority | None = None
    """intern, junior, mid, senior, staff, principal, manager, director or executive, from the title
    first and the required experience second."""
    department: str | None = None
    """Department or team, where the source gives one."""
    requisition_id: str | None = None
    """The employer's requisition number, where the source gives one."""
    language: str | None = None
    """Language of the posting (a BCP 47 tag as the source gives it), when known."""
    first_seen: datetime | None = None
    """When jobcrawl first saw the posting (UTC). Set by the store."""
    last_seen: datetime | None = None
    """When jobcrawl last saw the posting in a listing (UTC). Set by the store."""
    closed_at: datetime | None = None
    """When jobcrawl found the posting gone (UTC); null while open."""
    status: JobStatus = "open"
    """`open` or `closed`."""
    close_reason: CloseReason | None = None
    """Why the job was closed: `absent_from_listing` (a complete listing of its source no longer held
    it), `detail_gone` (its own page answered 404/410) or `expired` (its `valid_through` passed while
    no listing showed it); null while open."""
    reopened_at: datetime | None = None
    """When a closed job last came back to its listing (UTC); null if it never closed and returned."""
    expires_at: date | None = None
    """When the job is expected to close: `valid_through` where the source states it, otherwise an
    estimate from how long the source's jobs stay open (see `expires_at_estimated`)."""
    expires_at_estimated: bool | None = None
    """True when `expires_at` is jobcrawl's estimate, false when the source stated it; null with no
    `expires_at`."""
    repost_of: str | None = None
    """The id of an older record of the same source that this posting re-publishes (same company,
    title and places, near-identical description, a new id); null when it is no repost."""
    duplicate_of: str | None = None
    """The id of the canonical record of the same job from another source (the company's ATS over
    its career site over an aggregator, then the richest record); null on the canonical record and
    on jobs found only once."""
    cluster_id: str | None = None
    """The same for every record of one job across sources (derived from the canonical id); null
    until duplicate detection has run."""
    source_revision: str | None = None
    """The source's change marker for the job as its listing shows it (a date or a digest of the
    listing entry; `entry:` and a digest of the whole entry where the listing holds the posting). A
    re-crawl skips the detail request, or the normalisation of the entry, while it has not moved."""

    def export_dict(self) -> dict[str, Any]:
        """The record as JSON-ready values, the shape that exports and feeds emit."""
        return self.model_dump(mode="json")

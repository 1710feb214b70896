"""
The job seeker's side of jobcrawl: saved jobs and the application journey, like a job tracker.

An application moves saved -> applied -> interviewing -> offer -> accepted, or ends as rejected,
withdrawn or closed. Only the moves in `TRANSITIONS` are allowed, so a slip of the keyboard does not
rewrite the history; `force` records any move on purpose. Every move is kept with the day it
happened and a note. Notes, reminders and saved searches (watches) hang off the same records, which
live in the jobs database and survive every re-crawl.

Everything takes the moment it acts at (`at`), so callers (and tests) decide what "now" is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args

from crawler.errors import ConfigError, JobcrawlError
from crawler.items import JobPosting, Salary
from crawler.store import SQLiteStore, iso_utc
from crawler.store.postgres import PostgresStore
from crawler.store.tracking import Note, Reminder, SavedJob, StatusChange, TrackingStore, Watch

ApplicationStatus = Literal[
    "saved", "applied", "interviewing", "offer", "accepted", "rejected", "withdrawn", "closed"
]
APPLICATION_STATUSES: tuple[str, ...] = get_args(ApplicationStatus)
ACTIVE_STATUSES = frozenset({"saved", "applied", "interviewing", "offer"})
"""Applications still under way: their jobs raise alerts. The others have ended."""

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "saved": ("applied", "interviewing", "withdrawn", "closed"),
    "applied": ("interviewing", "offer", "rejected", "withdrawn", "closed"),
    "interviewing": ("interviewing", "offer", "rejected", "withdrawn", "closed"),
    "offer": ("accepted", "rejected", "withdrawn"),
    "accepted": (),
    "rejected": ("saved",),
    "withdrawn": ("saved",),
    "closed": ("saved",),
}
"""Allowed moves. `interviewing` may repeat (another round); an ended application may start over."""

SortKey = Literal[
    "closes", "saved", "status", "title", "company", "salary", "last-seen", "reminder"
]

_OFFSET = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)


class TrackingError(JobcrawlError):
    """A tracking command cannot do what was asked (unknown job, move not allowed, ...)."""


# -- reading the user's dates ---------------------------------------------------------------------


def parse_day(text: str, option: str) -> date:
    """An ISO day given on the command line; `ConfigError` naming the option otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{option} {text}: expected a date like 2026-12-01") from None


def parse_offset(text: str, option: str) -> timedelta:
    """A span like `3d` or `2w`; `ConfigError` naming the option otherwise."""
    match = _OFFSET.match(text)
    if not match:
        raise ConfigError(f"{option} {text}: expected days or weeks, like 3d or 2w")
    count = int(match[1])
    return timedelta(days=count * (7 if match[2].lower() == "w" else 1))


def due_day(on: str | None, within: str | None, *, today: date) -> date:
    """The day of `--on DATE` or `--in 3d` (exactly one of them), not before today."""
    if (on is None) == (within is None):
        raise ConfigError("give either --on DATE or --in SPAN (like 3d)")
    day = parse_day(on, "--on") if on is not None else today + parse_offset(within or "", "--in")
    if day < today:
        raise ConfigError(f"--on {day}: the day has passed")
    return day


# -- describing a job -----------------------------------------------------------------------------


def salary_text(salary: Salary | None) -> str:
    """Pay as people read it: `USD 100,000–120,000/year`, `EUR up to 60,000`; empty when none."""
    if salary is None or (salary.min is None and salary.max is None):
        return ""
    amounts = [f"{value:,.0f}" for value in (salary.min, salary.max) if value is not None]
    span = amounts[0] if len(set(amounts)) == 1 else "–".join(amounts)
    if salary.min is None:
        span = f"up to {span}"
    elif salary.max is None:
        span = f"from {span}"
    period = f"/{salary.period.lower()}" if salary.period else ""
    return f"{salary.currency or ''} {span}{period}".strip()


def location_text(job: JobPosting) -> str:
    places = [
        ", ".join(part for part in (loc.city, loc.region, loc.country) if part)
        for loc in job.locations
    ]
    return "; ".join(place for place in places if place) or (job.location_raw or "")


def count_text(count: int, noun: str) -> str:
    """`1 alert`, `2 alerts`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def days_text(days: int) -> str:
    """`today`, `tomorrow`, `in 3 days`, `yesterday`, `3 days ago`."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


def closes_text(job: JobPosting, today: date) -> str:
    """
    When the job closes, or since when it is closed.

    `in 2 days (2026-11-27)`; `est.` marks jobcrawl's estimate; `passed 3 days ago (...)` is an open
    job whose day has gone by (a stale deadline, or a job outliving its estimate).
    """
    if job.status == "closed":
        return f"closed {job.closed_at.date().isoformat()}" if job.closed_at else "closed"
    if job.expires_at is None:
        return ""
    ahead = (job.expires_at - today).days
    estimated = " est." if job.expires_at_estimated else ""
    passed = "passed " if ahead < 0 else ""
    return f"{passed}{days_text(ahead)} ({job.expires_at}{estimated})"


# -- views ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedView:
    """One row of `jobcrawl saved`: the job as it stands and where the application is."""

    job_id: str
    title: str
    company: str | None
    url: str
    status: str
    status_on: str
    saved_at: str
    job_status: str
    closes: str
    expires_at: str | None
    expires_at_estimated: bool | None
    days_left: int | None
    """Days from today to `expires_at` (negative once passed); None without one or when closed."""
    closed_at: str | None
    salary: str
    salary_top: float | None
    last_seen: str | None
    next_reminder: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of `jobcrawl history`: a status change, a note or a reminder set."""

    day: str
    at: str
    kind: Literal["status", "note", "reminder"]
    text: str
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _closing_order(view: SavedView) -> tuple[int, int, str]:
    """
    Open jobs closing soonest first, then those whose day has passed, then open jobs with no known
    end, then closed jobs.
    """
    if view.job_status == "closed":
        return (3, 0, view.closed_at or "")
    if view.days_left is None:
        return (2, 0, "")
    return (0, view.days_left, "") if view.days_left >= 0 else (1, -view.days_left, "")


_SORTS: dict[str, tuple[Callable[[SavedView], Any], bool]] = {
    "closes": (_closing_order, False),
    "saved": (lambda v: v.saved_at, True),
    "status": (lambda v: (APPLICATION_STATUSES.index(v.status), _closing_order(v)), False),
    "title": (lambda v: v.title.casefold(), False),
    "company": (lambda v: (v.company or "").casefold(), False),
    "salary": (lambda v: (v.salary_top is not None, v.salary_top or 0.0), True),
    "last-seen": (lambda v: v.last_seen or "", True),
    "reminder": (lambda v: (v.next_reminder is None, v.next_reminder or ""), False),
}


def sort_saved(views: list[SavedView], key: SortKey) -> list[SavedView]:
    """Views in the order `key` names; ties keep job-id order."""
    function, reverse = _SORTS[key]
    ordered = sorted(views, key=lambda v: v.job_id)
    return sorted(ordered, key=function, reverse=reverse)


# -- the tracker ----------------------------------------------------------------------------------


class Tracker:
    """Saved jobs, the application journey, notes, reminders, comparison and watches."""

    def __init__(self, store: SQLiteStore | PostgresStore) -> None:
        self.store = store
        self.records = TrackingStore(store)

    def job(self, job_id: str) -> JobPosting:
        job = self.store.get_job(job_id)
        if job is None:
            raise TrackingError(f"no job with id {job_id!r} in {self.store.path}")
        return job

    def saved_job(self, job_id: str) -> SavedJob:
        saved = self.records.saved(job_id)
        if saved is None:
            self.job(job_id)
            raise TrackingError(f"{job_id} is not saved (jobcrawl save {job_id})")
        return saved

    def save(self, job_id: str, *, at: datetime, note: str | None = None) -> bool:
        """Save a job; false when it was saved already. A note is added either way."""
        self.job(job_id)
        added = self.records.save(job_id, at=at, on=at.date())
        if note:
            self.records.add_note(job_id, note, at=at)
        self.records.commit()
        return added

    def unsave(self, job_id: str) -> None:
        self.saved_job(job_id)
        self.records.unsave(job_id)
        self.records.commit()

    def track(
        self,
        job_id: str,
        status: str,
        *,
        at: datetime,
        on: date | None = None,
        note: str | None = None,
        force: bool = False,
    ) -> StatusChange:
        """
        Move an application to `status` on day `on` (default: the day of `at`).

        An unsaved job is saved first, so `track ID --status applied` is all a new user needs.
        """
        if status not in APPLICATION_STATUSES:
            raise ConfigError(f"--status {status}: one of {', '.join(APPLICATION_STATUSES)}")
        self.job(job_id)
        saved = self.records.saved(job_id)
        current = saved.status if saved else "saved"
        if not force and status not in TRANSITIONS[current]:
            allowed = ", ".join(TRANSITIONS[current]) or "none: the application has ended"
            raise TrackingError(
                f"{job_id}: cannot go from {current} to {status} (allowed: {allowed});"
                " add --force to record it anyway"
            )
        day = on or at.date()
        if saved is None:
            self.records.save(job_id, at=at, on=day)
        change = self.records.set_status(job_id, status, on=day, at=at, note=note)
        self.records.commit()
        return change

    def note(self, job_id: str, text: str, *, at: datetime) -> Note:
        """Add a note to a job, saving it first if need be."""
        if not text.strip():
            raise ConfigError("the note is empty")
        self.job(job_id)
        self.records.save(job_id, at=at, on=at.date())
        added = self.records.add_note(job_id, text.strip(), at=at)
        self.records.commit()
        return added

    def remind(self, job_id: str, due_on: date, *, at: datetime, note: str | None) -> Reminder:
        """Set a follow-up reminder, saving the job first if need be; it alerts on `due_on`."""
        self.job(job_id)
        self.records.save(job_id, at=at, on=at.date())
        reminder = self.records.add_reminder(job_id, due_on, at=at, note=note)
        self.records.commit()
        return reminder

    def history(self, job_id: str) -> list[TimelineEntry]:
        """Status changes, notes and reminders set, in the order they happened."""
        self.saved_job(job_id)
        entries = [
            TimelineEntry(c.happened_on, c.recorded_at, "status", c.status, c.note)
            for c in self.records.history(job_id)
        ]
        entries += [
            TimelineEntry(n.created_at[:10], n.created_at, "note", n.text)
            for n in self.records.notes(job_id)
        ]
        entries += [
            TimelineEntry(r.created_at[:10], r.created_at, "reminder", f"due {r.due_on}", r.note)
            for r in self.records.reminders(job_id)
        ]
        return sorted(entries, key=lambda e: (e.day, e.at))

    def saved(
        self, *, today: date, sort: SortKey = "closes", status: str | None = None
    ) -> list[SavedView]:
        views = []
        for saved in self.records.saved_jobs():
            if status is not None and saved.status != status:
                continue
            job = self.job(saved.job_id)
            upcoming = self.records.reminders(saved.job_id)
            next_due = next((r.due_on for r in upcoming if r.due_on >= today.isoformat()), None)
            views.append(_view(saved, job, today, next_due))
        return sort_saved(views, sort)

    def compare(self, job_ids: Sequence[str], *, today: date) -> list[dict[str, str]]:
        """The jobs side by side: one dict of display values per job, in the order given."""
        if len(job_ids) < 2:
            raise ConfigError("compare needs two job ids or more")
        rows = []
        for job_id in job_ids:
            job = self.job(job_id)
            saved = self.records.saved(job_id)
            rows.append(
                {
                    "id": job.id,
                    "title": job.title,
                    "company": job.company or "",
                    "application": saved.status if saved else "not saved",
                    "salary": salary_text(job.salary),
                    "locations": location_text(job),
                    "remote": job.remote or "",
                    "employment type": ", ".join(job.employment_type),
                    "seniority": job.seniority or "",
                    "experience": f"{job.experience_years_min}+ years"
                    if job.experience_years_min is not None
                    else "",
                    "key skills": ", ".join(skill.name for skill in job.skills[:6]),
                    "closes": closes_text(job, today) or job.status,
                }
            )
        return rows

    def add_watch(
        self,
        name: str,
        *,
        at: datetime,
        query: str | None = None,
        company: str | None = None,
        location: str | None = None,
        remote: str | None = None,
        min_salary: float | None = None,
    ) -> Watch:
        """Save a search; postings first seen from now on that match it raise alerts."""
        if not name.strip():
            raise ConfigError("the watch needs a name")
        if not any((query, company, location, remote, min_salary is not None)):
            raise ConfigError(
                "a watch needs at least one of --query, --company, --location, --remote,"
                " --min-salary"
            )
        wanted = Watch(0, name.strip(), query, company, location, remote, min_salary, iso_utc(at))
        added = self.records.add_watch(wanted)
        if added is None:
            raise TrackingError(f"a watch named {name!r} exists (jobcrawl watch remove {name})")
        self.records.commit()
        return added

    def remove_watch(self, name: str) -> None:
        if not self.records.remove_watch(name):
            raise TrackingError(f"no watch named {name!r}")
        self.records.commit()


def _view(saved: SavedJob, job: JobPosting, today: date, next_due: str | None) -> SavedView:
    salary = job.salary
    top = None if salary is None else (salary.max if salary.max is not None else salary.min)
    return SavedView(
        job_id=job.id,
        title=job.title,
        company=job.company,
        url=job.url,
        status=saved.status,
        status_on=saved.status_on,
        saved_at=saved.saved_at,
        job_status=job.status,
        closes=closes_text(job, today),
        expires_at=job.expires_at.isoformat() if job.expires_at else None,
        expires_at_estimated=job.expires_at_estimated,
        days_left=(job.expires_at - today).days
        if job.expires_at and job.status == "open"
        else None,
        closed_at=iso_utc(job.closed_at) if job.closed_at else None,
        salary=salary_text(salary),
        salary_top=top,
        last_seen=iso_utc(job.last_seen) if job.last_seen else None,
        next_reminder=next_due,
    )

"""
What deserves an alert: the conditions over saved jobs, reminders and watches.

Each alert carries a `condition_key` that names the condition *with its value*: the day a job
expires and whether that day is stated or estimated, the moment it closed or reopened, the version
that changed it. The store raises a key once, so a condition that still holds stays quiet on the
next run, and a condition that changed (a deadline moved, a job closed again) has a new key and is
raised anew.

Only what happened after a job was saved counts (closing, reopening, changes); expiry is about the
days ahead, so it counts as soon as a job is saved. Jobs whose application has ended (accepted,
rejected, withdrawn, closed) raise nothing, and expiry is only worth a warning before applying.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from crawler.health import SourceHealth, source_health
from crawler.items import JobPosting
from crawler.store import Store
from crawler.store.tracking import NewAlert, Reminder, SavedJob, Tracking, Watch
from crawler.tracking import ACTIVE_STATUSES, days_text, location_text, salary_text

WATCHED_FIELDS = {
    "salary": "salary",
    "title": "title",
    "locations": "location",
    "location_raw": "location",
    "remote": "workplace",
    "description_html": "description",
    "description_text": "description",
}
"""Schema fields whose change is alerted, and the name the alert gives the change."""

CLOSE_REASONS = {
    "absent_from_listing": "it is no longer in its source's listing",
    "detail_gone": "its own page says it is gone",
    "expired": "its deadline passed and no listing showed it",
}


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """The alert settings (`JOBCRAWL_EXPIRY_WARNING_DAYS`)."""

    expiry_days: int = 3
    """Warn when a saved job is expected to close within this many days."""


def label(job: JobPosting) -> str:
    """`Title · Company`, how an alert names a job."""
    return " · ".join(part for part in (job.title, job.company) if part)


def _alert(key: str, kind: str, job: JobPosting, headline: str, reason: str) -> NewAlert:
    return NewAlert(key, kind, job.id, label(job), headline, reason, job.url)


def _after(moment: datetime | None, saved: SavedJob) -> bool:
    return moment is not None and moment > datetime.fromisoformat(saved.saved_at)


def expiring_alert(job: JobPosting, today: date, days: int) -> NewAlert | None:
    """The job closes within `days` days, by its stated deadline or jobcrawl's estimate."""
    if job.status != "open" or job.expires_at is None:
        return None
    ahead = (job.expires_at - today).days
    if not 0 <= ahead <= days:
        return None
    if job.expires_at_estimated:
        kind = "estimated"
        reason = (
            f"Expected to close on {job.expires_at}: jobcrawl's estimate from how long this"
            " source's jobs stay open (the posting states no deadline)."
        )
    else:
        kind = "stated"
        reason = f"Application deadline {job.expires_at}, as the posting states it."
    key = f"expiring:{job.id}:{job.expires_at}:{kind}"
    return _alert(key, "expiring", job, f"Closes {days_text(ahead)}", reason)


def closed_alert(job: JobPosting, saved: SavedJob) -> NewAlert | None:
    if job.status != "closed" or not _after(job.closed_at, saved):
        return None
    assert job.closed_at is not None  # noqa: S101 (checked by _after)
    why = CLOSE_REASONS.get(job.close_reason or "", "it closed")
    day = job.closed_at.date().isoformat()
    key = f"closed:{job.id}:{job.closed_at.isoformat()}"
    return _alert(key, "closed", job, "Closed", f"Closed on {day}: {why}.")


def reopened_alert(job: JobPosting, saved: SavedJob) -> NewAlert | None:
    if job.status != "open" or not _after(job.reopened_at, saved):
        return None
    assert job.reopened_at is not None  # noqa: S101 (checked by _after)
    day = job.reopened_at.date().isoformat()
    key = f"reopened:{job.id}:{job.reopened_at.isoformat()}"
    return _alert(key, "reopened", job, "Reopened", f"Back in its source's listing on {day}.")


def changed_alerts(
    job: JobPosting, saved: SavedJob, versions: list[dict[str, Any]]
) -> list[NewAlert]:
    """One alert per version since the job was saved that changed a watched field."""
    alerts = []
    for before, after in pairwise(versions):
        if not _after(datetime.fromisoformat(after["seen_at"]), saved):
            continue
        changes = _describe_changes(before["record"], after["record"], after["changed_fields"])
        if not changes:
            continue
        names = list(changes)
        joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        headline = f"{joined[0].upper()}{joined[1:]} changed"
        reason = "; ".join(f"{name}: {text}" for name, text in changes.items()) + "."
        key = f"changed:{job.id}:v{after['version']}"
        alerts.append(_alert(key, "changed", job, headline, reason))
    return alerts


def _describe_changes(
    old: dict[str, Any], new: dict[str, Any], fields: Iterable[str]
) -> dict[str, str]:
    """Watched change name -> `old → new` (or `rewritten` for the description), in a fixed order."""
    named = {WATCHED_FIELDS[name] for name in fields if name in WATCHED_FIELDS}
    was, now = JobPosting.model_validate(old), JobPosting.model_validate(new)
    texts = {
        "title": (was.title, now.title),
        "salary": (salary_text(was.salary) or "not given", salary_text(now.salary) or "not given"),
        "location": (location_text(was) or "not given", location_text(now) or "not given"),
        "workplace": (was.remote or "not given", now.remote or "not given"),
    }
    changes: dict[str, str] = {}
    for name in ("title", "salary", "location", "workplace", "description"):
        if name not in named:
            continue
        if name == "description":
            changes[name] = "rewritten"
        elif texts[name][0] != texts[name][1]:
            changes[name] = f"{texts[name][0]} → {texts[name][1]}"
    return changes


def reminder_alert(reminder: Reminder, job: JobPosting) -> NewAlert:
    note = f": {reminder.note}" if reminder.note else f" (set on {reminder.created_at[:10]})"
    reason = f"Follow-up due {reminder.due_on}{note}."
    return _alert(f"reminder:{reminder.id}", "reminder", job, "Reminder", reason)


def watch_alert(watch: Watch, job: JobPosting) -> NewAlert:
    criteria = [
        f"{name} {value}"
        for name, value in (
            ("query", watch.query),
            ("company", watch.company),
            ("location", watch.location),
            ("remote", watch.remote),
            ("min salary", None if watch.min_salary is None else f"{watch.min_salary:,.0f}"),
        )
        if value
    ]
    reason = f"A new posting matches your watch {watch.name!r} ({', '.join(criteria)})."
    key = f"watch:{watch.id}:{job.id}"
    return _alert(key, "watch", job, f"New match for {watch.name!r}", reason)


def source_alert(health: SourceHealth) -> NewAlert | None:
    """
    A source whose listing went bad: raised once per bad spell, on the run that began it.

    The spell's name is in the key, so a source failing run after run stays quiet, and one that
    recovers and fails again is raised anew. Its jobs stay open meanwhile (a bad listing closes
    nothing), which the alert says, because that is what the reader needs to know.
    """
    if health.health not in ("failing", "suspect") or health.episode is None:
        return None
    if health.health == "failing":
        headline = "Source failing"
        problem = f"its listing failed ({health.error})" if health.error else "its listing failed"
    else:
        headline = "Source suspect"
        problem = (
            f"its listing held only {health.jobs_in_last_listing} jobs, far fewer than its last"
            " complete one"
        )
    since = (
        f"It was last complete in run {health.last_good_run} ({health.last_good_at[:16]})"
        if health.last_good_run is not None and health.last_good_at
        else "It has never been listed completely"
    )
    reason = (
        f"In run {health.last_run} {problem}. {since}; its {health.open_jobs} open jobs stay open"
        " until a complete listing shows which have gone."
    )
    key = f"source:{health.label}:{health.episode}"
    return NewAlert(key, "source", None, health.label, headline, reason, None)


def job_alerts(
    job: JobPosting,
    saved: SavedJob,
    versions: list[dict[str, Any]],
    *,
    today: date,
    policy: AlertPolicy,
) -> list[NewAlert]:
    """Every condition of one saved job that holds now."""
    if saved.status not in ACTIVE_STATUSES:
        return []
    found = [closed_alert(job, saved), reopened_alert(job, saved)]
    alerts = [alert for alert in found if alert is not None]
    alerts += changed_alerts(job, saved, versions)
    if saved.status == "saved":
        expiring = expiring_alert(job, today, policy.expiry_days)
        if expiring is not None:
            alerts.append(expiring)
    return alerts


def find_alerts(
    store: Store,
    records: Tracking,
    *,
    at: datetime,
    policy: AlertPolicy,
    sources: Iterable[tuple[str, str]] | None = None,
    new_job_ids: Collection[str] | None = None,
) -> list[NewAlert]:
    """
    Every condition that holds at `at`, in a stable order: per saved job, reminders, watches, sources.

    `sources` narrows the saved jobs and the source health to those boards and `new_job_ids` the
    watch matches to those jobs (a crawl looks at what it touched); None looks at everything.
    """
    today = at.date()
    boards = None if sources is None else set(sources)
    alerts: list[NewAlert] = []
    for saved in records.saved_jobs(boards):
        job = store.get_job(saved.job_id)
        if job is not None:
            versions = store.job_versions(job.id)
            alerts += job_alerts(job, saved, versions, today=today, policy=policy)
    for reminder in records.reminders(due_by=today):
        job = store.get_job(reminder.job_id)
        if job is not None:
            alerts.append(reminder_alert(reminder, job))
    for watch in records.watches():
        for job_id in records.watch_matches(watch, new_job_ids):
            job = store.get_job(job_id)
            if job is not None:
                alerts.append(watch_alert(watch, job))
    for health in source_health(store):
        if boards is None or (health.source, health.source_key) in boards:
            alert = source_alert(health)
            if alert is not None:
                alerts.append(alert)
    return alerts

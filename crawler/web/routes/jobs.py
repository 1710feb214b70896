"""`/` and `/jobs`: search with filters; `/jobs/{id}`: one job at a glance, with its tracking."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from crawler.alerts.conditions import _describe_changes
from crawler.items import JobPosting
from crawler.tracking import TRANSITIONS
from crawler.web.queries import SearchFilters, search_jobs
from crawler.web.render import render
from crawler.web.state import Dashboard, DashboardDep

router = APIRouter(include_in_schema=False)

SUMMARY_PARTS = ("responsibilities", "requirements", "preferred", "benefits")
COMMON_CURRENCIES = ("AUD", "CAD", "CHF", "EUR", "GBP", "INR", "JPY", "PLN", "SEK", "USD")
"""Suggested in the currency field, with those of the results shown; any ISO 4217 code is accepted."""
EDUCATION = {
    "none": "no degree",
    "high_school": "high school",
    "associate": "associate degree",
    "bachelor": "bachelor's degree",
    "master": "master's degree",
    "phd": "PhD",
}


@router.get("/", response_class=HTMLResponse)
@router.get("/jobs", response_class=HTMLResponse)
async def search_page(
    request: Request, filters: Annotated[SearchFilters, Query()], dash: DashboardDep
) -> HTMLResponse:
    page = search_jobs(dash.store, filters, today=dash.today())
    saved = {job.id: dash.records.saved(job.id) for job in page.jobs}
    context = {
        "filters": filters,
        "given": filters.filters_given(),
        "page": page,
        "saved": {job_id: view.status for job_id, view in saved.items() if view},
        "currencies": sorted(
            {*COMMON_CURRENCIES}
            | {job.salary.currency for job in page.jobs if job.salary and job.salary.currency}
        ),
        "title": f"Search: {filters.q}" if filters.q else "Search jobs",
    }
    return render(request, "jobs.html", context)


@router.get("/jobs/{job_id:path}", response_class=HTMLResponse)
async def job_page(request: Request, job_id: str, dash: DashboardDep) -> HTMLResponse:
    return show_job(request, dash, job_id)


def show_job(
    request: Request, dash: Dashboard, job_id: str, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    """The job page; form handlers call it again with the reason a form was refused."""
    job = dash.store.get_job(job_id)
    if job is None:
        raise HTTPException(404, f"no job with id {job_id!r}")
    context = {**job_details(dash, job), **tracking_details(dash, job), "title": job.title}
    if error is not None:
        context["error"] = error
    return render(request, "job.html", context, status=status)


def job_details(dash: Dashboard, job: JobPosting) -> dict[str, Any]:
    """What the job page shows of the posting: summary, versions and duplicates."""
    members = dash.store.duplicate_clusters(job.cluster_id).get(job.cluster_id or "", [])
    return {
        "job": job,
        "summary": {
            part: getattr(job.sections, part)
            for part in SUMMARY_PARTS
            if getattr(job.sections, part)
        },
        "education": EDUCATION.get(job.education or "", ""),
        "versions": version_history(dash.store.job_versions(job.id)),
        "cluster": members if len(members) > 1 else [],
    }


def version_history(versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each stored version, newest first, with the fields it changed and the readable changes."""
    history = []
    previous: dict[str, Any] | None = None
    for version in versions:
        changed = version["changed_fields"]
        history.append(
            {
                "version": version["version"],
                "seen_at": version["seen_at"],
                "changed": changed,
                "changes": _describe_changes(previous["record"], version["record"], changed)
                if previous
                else {},
            }
        )
        previous = version
    return list(reversed(history))


def tracking_details(dash: Dashboard, job: JobPosting) -> dict[str, Any]:
    """The job's application: its status, the moves allowed from it, its timeline and reminders."""
    saved = dash.records.saved(job.id)
    return {
        "saved_job": saved,
        "moves": TRANSITIONS[saved.status if saved else "saved"],
        "timeline": dash.tracker.history(job.id) if saved else [],
        "reminders": dash.records.reminders(job.id),
        "job_alerts": [
            alert for alert in dash.records.alerts(unread=True) if alert.job_id == job.id
        ],
    }

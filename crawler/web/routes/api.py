"""
The JSON API under `/api`, for the pages' scripts and for anyone's: the same core calls as the
pages and the CLI, described by the OpenAPI document at `/openapi.json`.

Unknown ids answer 404 and bad parameters 422, each with a JSON `detail`; a move the application
journey does not allow answers 409.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from crawler.alerts import alert_record
from crawler.errors import ConfigError, JobcrawlError
from crawler.health import SourceHealth, source_health
from crawler.items import JobPosting
from crawler.store import SourceTally
from crawler.tracking import ApplicationStatus, SavedView, SortKey, TimelineEntry, due_day
from crawler.web.queries import SearchFilters, search_jobs
from crawler.web.routes.jobs import job_details
from crawler.web.state import Dashboard, DashboardDep

router = APIRouter(prefix="/api", tags=["api"])


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "No such id"}}


class JobList(BaseModel):
    """One page of matching jobs and how many match in all."""

    total: int
    limit: int
    offset: int
    jobs: list[JobPosting]


class Version(BaseModel):
    """A stored version of a job: when it was seen and what it changed."""

    version: int
    seen_at: str
    changed: list[str]
    """Schema fields that differ from the version before."""
    changes: dict[str, str]
    """The changes people read (title, salary, location, workplace, description): `old → new`."""


class ClusterMember(BaseModel):
    """A record of the same job from another source; the canonical record comes first."""

    id: str
    source: str
    title: str
    company: str | None
    status: str
    url: str


class JobDetail(BaseModel):
    """A job, its history, its duplicates and the user's application for it."""

    job: JobPosting
    versions: list[Version]
    """Newest first."""
    duplicates: list[ClusterMember]
    saved: SavedView | None
    timeline: list[TimelineEntry]


class SavedUpdate(BaseModel):
    """Save a job, and optionally move its application, note something or set a reminder."""

    model_config = ConfigDict(extra="forbid")

    status: ApplicationStatus | None = None
    """Move the application to this step (the journey's rules apply unless `force`)."""
    on: date | None = None
    """The day the step happened; default today."""
    note: str | None = Field(default=None, max_length=5000)
    """Kept with the status change, or as a note on its own without `status`."""
    force: bool = False
    remind_on: date | None = None
    """Set a follow-up reminder for this day (today or later)."""


class AlertOut(BaseModel):
    """An alert as `jobcrawl alerts --json` gives it."""

    id: int
    kind: str
    job_id: str
    title: str
    headline: str
    reason: str
    url: str | None
    raised_at: str
    read_at: str | None
    condition: str
    deliveries: dict[str, str]


class RunOut(BaseModel):
    """A crawl run with its per-source tallies."""

    id: int
    started_at: str
    finished_at: str | None
    status: str
    seconds: float | None
    sources: list[SourceTally]


JobId = Annotated[str, Path(description="A job id, percent-encoded: greenhouse%3Aacme%3A123.")]
AlertId = Annotated[int, Path(ge=1, le=2**62, description="The alert's id.")]


def _job(dash: Dashboard, job_id: str) -> JobPosting:
    job = dash.store.get_job(job_id)
    if job is None:
        raise HTTPException(404, f"no job with id {job_id!r}")
    return job


def _saved_view(dash: Dashboard, job_id: str) -> SavedView | None:
    return next((v for v in dash.tracker.saved(today=dash.today()) if v.job_id == job_id), None)


@router.get("/jobs", response_model=JobList)
async def list_jobs(filters: Annotated[SearchFilters, Query()], dash: DashboardDep) -> JobList:
    """Search jobs: the filters of the search page, one page at a time."""
    page = search_jobs(dash.store, filters, today=dash.today())
    return JobList(total=page.total, limit=filters.limit, offset=filters.offset, jobs=page.jobs)


@router.get("/jobs/{job_id:path}", response_model=JobDetail, responses=ERRORS)
async def get_job(job_id: JobId, dash: DashboardDep) -> JobDetail:
    """One job with its versions, duplicates and application."""
    details = job_details(dash, _job(dash, job_id))
    saved = _saved_view(dash, job_id)
    return JobDetail(
        job=details["job"],
        versions=[Version.model_validate(v) for v in details["versions"]],
        duplicates=[ClusterMember.model_validate(record) for record in details["cluster"]],
        saved=saved,
        timeline=dash.tracker.history(job_id) if saved else [],
    )


@router.get("/saved", response_model=list[SavedView])
async def list_saved(
    dash: DashboardDep,
    status: ApplicationStatus | None = None,
    sort: SortKey = "closes",
) -> list[SavedView]:
    """Saved jobs and where each application stands, as `jobcrawl saved --json`."""
    return dash.tracker.saved(today=dash.today(), sort=sort, status=status)


@router.put(
    "/saved/{job_id:path}",
    response_model=SavedView,
    responses={
        **ERRORS,
        400: {"model": Problem, "description": "The body is not JSON"},
        409: {"model": Problem, "description": "A move the journey forbids"},
    },
)
async def put_saved(
    job_id: JobId, dash: DashboardDep, update: Annotated[SavedUpdate | None, Body()] = None
) -> SavedView:
    """Save a job (if it is not), then apply the status, note and reminder given."""
    _job(dash, job_id)
    change = update or SavedUpdate()
    now = dash.now()
    note = (change.note or "").strip() or None
    try:
        remind_on = (
            due_day(change.remind_on.isoformat(), None, today=now.date())
            if change.remind_on
            else None
        )
        if change.status is not None:
            dash.tracker.track(
                job_id, change.status, at=now, on=change.on, note=note, force=change.force
            )
        elif note:
            dash.tracker.note(job_id, note, at=now)
        else:
            dash.tracker.save(job_id, at=now)
        if remind_on is not None:
            dash.tracker.remind(job_id, remind_on, at=now, note=None)
    except JobcrawlError as error:
        raise HTTPException(422 if isinstance(error, ConfigError) else 409, str(error)) from None
    view = _saved_view(dash, job_id)
    assert view is not None  # noqa: S101 (every branch above saved the job)
    return view


@router.delete("/saved/{job_id:path}", status_code=204, responses=ERRORS)
async def delete_saved(job_id: JobId, dash: DashboardDep) -> Response:
    """Stop following a job: its history, notes and reminders go; its alerts stay."""
    _job(dash, job_id)
    if dash.records.saved(job_id) is None:
        raise HTTPException(404, f"{job_id} is not saved")
    dash.tracker.unsave(job_id)
    return Response(status_code=204)


@router.get("/alerts", response_model=list[AlertOut])
async def list_alerts(
    dash: DashboardDep,
    unread: bool = False,
    limit: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> list[dict[str, Any]]:
    """Alerts, newest first; `unread` keeps those not acknowledged."""
    return [alert_record(alert) for alert in dash.records.alerts(unread=unread, limit=limit)]


@router.post("/alerts/{alert_id}/ack", response_model=AlertOut, responses=ERRORS)
async def acknowledge_alert(alert_id: AlertId, dash: DashboardDep) -> dict[str, Any]:
    """Mark an alert read (again is harmless)."""
    if not dash.records.acknowledge([alert_id], at=dash.now()):
        raise HTTPException(404, f"no alert with id {alert_id}")
    dash.records.commit()
    found = next(alert for alert in dash.records.alerts() if alert.id == alert_id)
    return alert_record(found)


@router.get("/sources", response_model=list[SourceHealth])
async def list_sources(dash: DashboardDep) -> list[SourceHealth]:
    """Each crawled source's health, as `jobcrawl sources --json`."""
    return source_health(dash.store)


@router.get("/runs", response_model=list[RunOut])
async def list_runs(
    dash: DashboardDep, limit: Annotated[int, Query(ge=1, le=1000)] = 20
) -> list[RunOut]:
    """Recent crawl runs, newest first, as `jobcrawl runs --json`."""
    return [
        RunOut(
            id=run.id,
            started_at=run.started_at,
            finished_at=run.finished_at,
            status=run.status,
            seconds=run.seconds,
            sources=run.sources,
        )
        for run in dash.store.list_runs(limit)
    ]

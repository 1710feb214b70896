"""
The application journey in the browser: the forms of the job page and the saved-jobs board
(`/track/...`), the board itself (`/saved`) and the side-by-side comparison (`/compare`).

Each form posts, the `Tracker` does the work (the same calls as `jobcrawl save / track / note /
remind`), and the answer is a redirect back to the page, so a reload never posts twice. A refused
form (a move the journey does not allow, an empty note, a day gone by) shows its page again with the
reason. `static/app.js` turns these round trips into in-place updates where scripts run.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crawler.errors import ConfigError, JobcrawlError
from crawler.tracking import TRANSITIONS, SavedView, due_day, parse_day
from crawler.web.render import job_path, render
from crawler.web.routes.jobs import show_job
from crawler.web.state import Dashboard, DashboardDep

router = APIRouter(include_in_schema=False)

COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Saved", ("saved",)),
    ("Applied", ("applied",)),
    ("Interviewing", ("interviewing",)),
    ("Offer", ("offer",)),
    ("Accepted", ("accepted",)),
    ("Ended", ("rejected", "withdrawn", "closed")),
)
"""The board's columns, in the order of the journey; the ended applications share the last."""

MAX_COMPARED = 4

JobIdField = Annotated[str, Form(min_length=1, max_length=2000)]
Back = Literal["job", "saved"]


def _back(job_id: str, back: Back, done: str) -> RedirectResponse:
    """See Other to the page the form was on, saying what was done."""
    if back == "saved":
        return RedirectResponse(f"/saved?done={done}#board", 303)
    return RedirectResponse(f"{job_path(job_id)}?done={done}#tracking", 303)


def _refused(
    request: Request, dash: Dashboard, job_id: str, back: Back, error: JobcrawlError
) -> HTMLResponse:
    """The page again with the reason; 404 when the job does not exist at all."""
    if dash.store.get_job(job_id) is None:
        raise HTTPException(404, f"no job with id {job_id!r}")
    status = 422 if isinstance(error, ConfigError) else 409
    if back == "saved":
        return saved_board(request, dash, error=str(error), status=status)
    return show_job(request, dash, job_id, error=str(error), status=status)


@router.post("/track/save")
async def save(
    request: Request,
    dash: DashboardDep,
    job_id: JobIdField,
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    try:
        dash.tracker.save(job_id, at=dash.now(), note=note.strip() or None)
    except JobcrawlError as error:
        return _refused(request, dash, job_id, "job", error)
    return _back(job_id, "job", "saved")


@router.post("/track/unsave")
async def unsave(request: Request, dash: DashboardDep, job_id: JobIdField) -> Response:
    try:
        dash.tracker.unsave(job_id)
    except JobcrawlError as error:
        return _refused(request, dash, job_id, "job", error)
    return _back(job_id, "job", "unsaved")


@router.post("/track/status")
async def move(
    request: Request,
    dash: DashboardDep,
    job_id: JobIdField,
    status: Annotated[str, Form(max_length=40)],
    on: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
    force: Annotated[bool, Form()] = False,
    back: Annotated[Back, Form()] = "job",
) -> Response:
    try:
        day = parse_day(on, "the day") if on.strip() else None
        dash.tracker.track(
            job_id, status, at=dash.now(), on=day, note=note.strip() or None, force=force
        )
    except JobcrawlError as error:
        return _refused(request, dash, job_id, back, error)
    return _back(job_id, back, "moved")


@router.post("/track/note")
async def add_note(
    request: Request,
    dash: DashboardDep,
    job_id: JobIdField,
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    try:
        dash.tracker.note(job_id, text, at=dash.now())
    except JobcrawlError as error:
        return _refused(request, dash, job_id, "job", error)
    return _back(job_id, "job", "note")


@router.post("/track/remind")
async def remind(
    request: Request,
    dash: DashboardDep,
    job_id: JobIdField,
    on: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    now = dash.now()
    try:
        if not on.strip():
            raise ConfigError("choose the day of the reminder")
        day = due_day(on, None, today=now.date())
        dash.tracker.remind(job_id, day, at=now, note=note.strip() or None)
    except JobcrawlError as error:
        return _refused(request, dash, job_id, "job", error)
    return _back(job_id, "job", "reminder")


@router.get("/saved", response_class=HTMLResponse)
async def saved_page(request: Request, dash: DashboardDep) -> HTMLResponse:
    return saved_board(request, dash)


def saved_board(
    request: Request, dash: Dashboard, *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    """Saved jobs in one column per step of the journey, soonest closing first in each."""
    views = dash.tracker.saved(today=dash.today(), sort="closes")
    unread = Counter(alert.job_id for alert in dash.records.alerts(unread=True))
    columns = [
        (name, [view for view in views if view.status in statuses]) for name, statuses in COLUMNS
    ]
    urgent = [view for view in views if closing_soon(view, dash.warning_days)]
    context = {
        "title": "Saved jobs",
        "columns": columns,
        "count": len(views),
        "unread": unread,
        "moves": TRANSITIONS,
        "urgent": urgent,
        "flagged": {view.job_id for view in views if view in urgent or view.job_status == "closed"},
        "error": error,
    }
    return render(request, "saved.html", context, status=status)


def closing_soon(view: SavedView, days: int) -> bool:
    """
    A job saved but not applied to yet that closes within the warning window (or whose day has
    gone by): the same rule as the `expiring` alert.
    """
    return view.status == "saved" and view.days_left is not None and view.days_left <= days


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(
    request: Request,
    dash: DashboardDep,
    ids: Annotated[list[str] | None, Query()] = None,
) -> HTMLResponse:
    given = ids or []
    wanted = list(dict.fromkeys(part.strip() for value in given for part in value.split(",")))
    wanted = [job_id for job_id in wanted if job_id]
    for job_id in wanted:
        if dash.store.get_job(job_id) is None:
            raise HTTPException(404, f"no job with id {job_id!r}")
    if len(wanted) > MAX_COMPARED:
        raise HTTPException(422, f"compare two to {MAX_COMPARED} jobs, not {len(wanted)}")
    if len(wanted) < 2:
        views = dash.tracker.saved(today=dash.today(), sort="saved")
        context = {"title": "Compare jobs", "picked": wanted, "choices": views, "rows": []}
        return render(request, "compare.html", context)
    jobs = dash.tracker.compare(wanted, today=dash.today())
    fields = [name for name in jobs[0] if name not in ("id", "title")]
    rows = [
        (name, [job[name] for job in jobs], len({job[name] for job in jobs}) > 1) for name in fields
    ]
    context = {"title": "Compare jobs", "picked": wanted, "jobs": jobs, "rows": rows, "choices": []}
    return render(request, "compare.html", context)

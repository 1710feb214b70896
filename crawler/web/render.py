"""
Pages from templates: one Jinja2 environment with autoescaping always on, and the few filters the
templates share.

Everything a job posting says was written by strangers, so nothing reaches a page unescaped except
the description HTML, which is sanitised again here with the ingestion's own sanitiser, and links
are only made from http(s) addresses.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from crawler.items import JobPosting
from crawler.normalise.html import sanitise_html
from crawler.tracking import closes_text, location_text, salary_text

NAVIGATION = (
    ("/jobs", "Search"),
    ("/saved", "Saved"),
    ("/compare", "Compare"),
    ("/alerts", "Alerts"),
    ("/runs", "Runs"),
    ("/sources", "Sources"),
)

DONE_MESSAGES = {
    "saved": "Saved.",
    "unsaved": "No longer saved.",
    "moved": "Application status changed.",
    "note": "Note added.",
    "reminder": "Reminder set.",
    "ack": "Alert marked read.",
    "ack-all": "Every alert marked read.",
}
"""The confirmations a redirect after a form may ask for (`?done=note`); nothing else is shown."""


def job_path(job_id: str) -> str:
    """The job page's path; slashes and other reserved characters in the id are percent-encoded."""
    return "/jobs/" + quote(job_id, safe=":@")


def api_job_path(job_id: str) -> str:
    return "/api" + job_path(job_id)


def http_url(url: str | None) -> str | None:
    """The address when it is http(s), else None: `javascript:` and the like never become links."""
    if url and urlsplit(url.strip()).scheme.lower() in ("http", "https"):
        return url.strip()
    return None


def description(job: JobPosting) -> Markup:
    """The sanitised description HTML, safe to place in a page."""
    return Markup(sanitise_html(job.description_html) or "")  # noqa: S704 (sanitised just now)


def posted_text(job: JobPosting) -> str:
    if job.date_posted:
        return job.date_posted.isoformat()
    if job.date_posted_before:
        return f"on or before {job.date_posted_before.isoformat()}"
    return ""


def query_string(values: dict[str, Any], **changes: Any) -> str:
    """`?a=1&b=2` from filters, with `changes` applied (None removes a key)."""
    merged = {**values, **changes}
    kept = {key: value for key, value in merged.items() if value is not None and value != ""}
    return "?" + urlencode(kept, doseq=True) if kept else ""


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("crawler.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        job_path=job_path,
        api_job_path=api_job_path,
        http_url=http_url,
        salary=salary_text,
        places=location_text,
        posted=posted_text,
        description=description,
    )
    env.globals.update(navigation=NAVIGATION, query_string=query_string, closes=closes_text)
    return env


templates = Jinja2Templates(env=_environment())


def render(
    request: Request, name: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """A page from template `name`, with what the layout needs (unread alerts, today, a notice)."""
    dashboard = request.app.state.dashboard
    done = request.query_params.get("done")
    shared = {
        "unread_alerts": len(dashboard.records.alerts(unread=True)),
        "today": dashboard.today(),
        "notice": DONE_MESSAGES.get(done or ""),
        "error": None,
        "path": request.url.path,
    }
    return templates.TemplateResponse(request, name, {**shared, **context}, status_code=status)

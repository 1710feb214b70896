"""`/alerts`: what happened to saved jobs and saved searches, unread first, with acknowledge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from crawler.web.render import render
from crawler.web.state import DashboardDep

router = APIRouter(include_in_schema=False)

AlertId = Annotated[int, Path(ge=1, le=2**62, description="The alert's id.")]

SHOWN = 200
"""At most this many alerts on the page, newest first (every unread one is among them)."""


@router.get("/alerts", response_class=HTMLResponse)
async def alerts_page(request: Request, dash: DashboardDep) -> HTMLResponse:
    unread = dash.records.alerts(unread=True)
    read = [alert for alert in dash.records.alerts(limit=SHOWN) if alert.read_at is not None]
    context = {"title": "Alerts", "unread": unread, "read": read[: max(SHOWN - len(unread), 0)]}
    return render(request, "alerts.html", context)


@router.post("/alerts/{alert_id}/ack")
async def acknowledge(alert_id: AlertId, dash: DashboardDep) -> RedirectResponse:
    if not dash.records.acknowledge([alert_id], at=dash.now()):
        raise HTTPException(404, f"no alert with id {alert_id}")
    dash.records.commit()
    return RedirectResponse("/alerts?done=ack#alerts", 303)


@router.post("/alerts/ack-all")
async def acknowledge_all(dash: DashboardDep) -> RedirectResponse:
    dash.records.acknowledge(
        [alert.id for alert in dash.records.alerts(unread=True)], at=dash.now()
    )
    dash.records.commit()
    return RedirectResponse("/alerts?done=ack-all#alerts", 303)

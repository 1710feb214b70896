"""`/runs` and `/sources`: what each crawl run did and how each source is doing, with charts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from crawler.health import source_health
from crawler.store import RunRecord
from crawler.web.charts import Chart, bar_chart, range_chart
from crawler.web.queries import open_jobs_after, salary_ranges
from crawler.web.render import render
from crawler.web.state import DashboardDep

router = APIRouter(include_in_schema=False)

PERIOD_WORDS = {"HOUR": "hour", "DAY": "day", "WEEK": "week", "MONTH": "month", "YEAR": "year"}


def run_totals(run: RunRecord) -> dict[str, int]:
    """The run's counts summed over its sources."""
    names = ("requests", "seen", "new", "updated", "unchanged", "closed", "reopened", "dropped")
    totals = {name: sum(getattr(tally, name) for tally in run.sources) for name in names}
    totals["failing"] = sum(1 for tally in run.sources if not tally.complete)
    return totals


def run_charts(runs: list[RunRecord]) -> list[Chart]:
    """Postings seen per run, and new against closed per run, oldest run first."""
    oldest_first = list(reversed(runs))
    labels = [f"#{run.id}" for run in oldest_first]
    totals = [run_totals(run) for run in oldest_first]
    return [
        bar_chart("Postings seen per run", labels, {"seen": [t["seen"] for t in totals]}),
        bar_chart(
            "New and closed jobs per run",
            labels,
            {"new": [t["new"] for t in totals], "closed": [t["closed"] for t in totals]},
        ),
    ]


@router.get("/runs", response_class=HTMLResponse)
async def runs_page(
    request: Request, dash: DashboardDep, limit: Annotated[int, Query(ge=1, le=500)] = 30
) -> HTMLResponse:
    runs = dash.store.list_runs(limit)
    context: dict[str, Any] = {
        "title": "Crawl runs",
        "runs": [(run, run_totals(run)) for run in runs],
        "charts": run_charts(runs) if runs else [],
    }
    return render(request, "runs.html", context)


@router.get("/sources", response_class=HTMLResponse)
async def sources_page(request: Request, dash: DashboardDep) -> HTMLResponse:
    runs = dash.store.list_runs(30)
    oldest_first = list(reversed(runs))
    charts = []
    if runs:
        charts.append(
            bar_chart(
                "Open jobs after each run",
                [f"#{run.id}" for run in oldest_first],
                {"open": [float(n) for n in open_jobs_after(dash.store, oldest_first)]},
            )
        )
        charts += run_charts(runs)[1:]
    for (currency, period), ranges in salary_ranges(dash.store).items():
        unit = f"{currency} per {PERIOD_WORDS.get(period, period.lower())}"
        rows = [(pay.company, pay.low, pay.high) for pay in ranges]
        charts.append(range_chart(f"Salary ranges by company, {unit}", rows, unit=unit))
    context = {"title": "Sources", "sources": source_health(dash.store), "charts": charts}
    return render(request, "sources.html", context)

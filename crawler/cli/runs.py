"""`jobcrawl runs`, `runs show` and `sources`: what each run did, and how each source is doing."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from crawler.cli import app
from crawler.cli.options import DbOption, db_path
from crawler.config import load_sources
from crawler.errors import JobcrawlError
from crawler.health import configured_first, source_health
from crawler.store import RunRecord, SourceTally, open_store

out = Console()
runs_app = typer.Typer(no_args_is_help=False)
app.add_typer(runs_app, name="runs")

JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object per run, per line.")]


@runs_app.callback(invoke_without_command=True)
def runs(
    context: typer.Context,
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="How many runs, newest first.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """
    List recent crawl runs: when, how long, status, and totals over their sources.

    `jobcrawl runs show RUN` gives one run source by source.

    Example: jobcrawl runs --limit 5
    """
    if context.invoked_subcommand is not None:
        return
    records = open_store(db_path(db)).list_runs(limit)
    if as_json:
        for record in records:
            out.print_json(json.dumps(run_dict(record)), indent=None)
        return
    table = Table(title="Runs")
    for column in ("run", "started", "seconds", "status", "sources", "failing", "requests"):
        table.add_column(column, justify="right" if column != "status" else "left")
    for column in ("seen", "new", "updated", "closed"):
        table.add_column(column, justify="right")
    for record in records:
        totals = _totals(record.sources)
        failing = sum(1 for tally in record.sources if not tally.complete)
        table.add_row(
            str(record.id),
            record.started_at,
            _seconds(record.seconds),
            record.status,
            str(len(record.sources)),
            str(failing),
            str(totals["requests"]),
            *(str(totals[name]) for name in ("seen", "new", "updated", "closed")),
        )
    out.print(table)


@runs_app.command("show")
def show_run(
    run_id: Annotated[int, typer.Argument(help="The run number (`jobcrawl runs`).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """
    One run, source by source: listing, requests and their statuses, postings, errors.

    Example: jobcrawl runs show 12
    """
    record = open_store(db_path(db)).get_run(run_id)
    if record is None:
        raise JobcrawlError(f"run {run_id}: no such run")
    if as_json:
        out.print_json(json.dumps(run_dict(record)))
        return
    title = f"Run {record.id}: {record.status}, started {record.started_at}"
    table = Table(title=f"{title}, {_seconds(record.seconds)} s")
    table.add_column("source", no_wrap=True)
    table.add_column("listing")
    table.add_column("requests", justify="right")
    table.add_column("saved", justify="right")
    table.add_column("responses")
    for column in ("seen", "new", "updated", "unchanged", "closed", "reopened", "dropped"):
        table.add_column(column, justify="right")
    table.add_column("error", overflow="fold")
    for tally in record.sources:
        table.add_row(
            f"{tally.source}:{tally.source_key}",
            _listing(tally),
            str(tally.requests),
            str(tally.requests_saved),
            " ".join(f"{status}×{count}" for status, count in tally.statuses.items()),
            *(str(getattr(tally, name)) for name in ("seen", "new", "updated", "unchanged")),
            *(str(getattr(tally, name)) for name in ("closed", "reopened", "dropped")),
            (tally.error or "").splitlines()[0] if tally.error else "",
        )
    out.print(table)


@app.command("sources")
def sources(
    db: DbOption = None,
    sources_file: Annotated[
        Path | None,
        typer.Option("--sources", help="Also list this file's entries that were never crawled."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """
    Each source's health: healthy, failing or suspect, since when, last good run, jobs.

    A source is failing when its latest listing was incomplete, suspect when it parsed but held far
    fewer jobs than its last complete listing (so it closed nothing).

    Example: jobcrawl sources --sources examples/sources.yaml
    """
    known = source_health(open_store(db_path(db)))
    configured = load_sources(sources_file).sources if sources_file else []
    report = configured_first(known, configured)
    if as_json:
        for health in report:
            out.print_json(json.dumps(dataclasses.asdict(health)), indent=None)
        return
    table = Table(title="Sources")
    for column in (
        "source",
        "health",
        "bad in a row",
        "last run",
        "last good run",
        "listed",
        "open",
    ):
        table.add_column(column, justify="left" if column in ("source", "health") else "right")
    table.add_column("error", overflow="fold")
    for health in report:
        colour = {"healthy": "green", "failing": "red", "suspect": "yellow"}.get(health.health, "")
        table.add_row(
            health.label,
            f"[{colour}]{health.health}[/]" if colour else health.health,
            str(health.bad_listings_in_a_row),
            _optional(health.last_run),
            f"{health.last_good_run} ({health.last_good_at})" if health.last_good_run else "never",
            _optional(health.jobs_in_last_listing),
            str(health.open_jobs),
            (health.error or "").splitlines()[0] if health.error else "",
        )
    out.print(table)


def _optional(value: int | None) -> str:
    return "" if value is None else str(value)


def run_dict(record: RunRecord) -> dict[str, Any]:
    return {**dataclasses.asdict(record), "seconds": record.seconds}


def _listing(tally: SourceTally) -> str:
    return "suspect" if tally.suspect else "complete" if tally.complete else "incomplete"


def _totals(tallies: list[SourceTally]) -> dict[str, int]:
    names = ("requests", "seen", "new", "updated", "closed")
    return {name: sum(getattr(tally, name) for tally in tallies) for name in names}


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"

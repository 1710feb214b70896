"""`jobcrawl crawl` and `jobcrawl demo`: the commands that start a reactor (one per process)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
import yaml
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from crawler.cli import app
from crawler.cli.options import DbOption, db_path
from crawler.cli.progress import LiveProgress
from crawler.cli.web import serve
from crawler.config import load_sources
from crawler.demo.server import BUNDLED_DATA, CareerSiteServer
from crawler.errors import ConfigError
from crawler.feeds import write_json_feed, write_jsonl
from crawler.items import ListingResult
from crawler.run import ListingCallback, RunSummary, crawl
from crawler.sources import SourceBase
from crawler.store import JobQuery, SourceTally, close_stores, open_store

console = Console(stderr=True, soft_wrap=True)
out = Console()


def _settings_overrides(
    pairs: list[str], *, verbose: bool, log_file: Path | None
) -> dict[str, str]:
    overrides = {
        "LOG_LEVEL": "INFO" if verbose else "WARNING",
        "LOG_FORMAT": "%(levelname)s %(name)s: %(message)s",
    }
    if log_file is not None:
        overrides["LOG_FILE"] = str(log_file)
        overrides["LOG_LEVEL"] = "INFO"
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ConfigError(f"--set {pair!r}: expected NAME=VALUE")
        overrides[name] = value
    return overrides


def _progress(quiet: bool) -> ListingCallback:
    def on_listing(listing: ListingResult, tally: SourceTally | None) -> None:
        if quiet:
            return
        label = f"{listing.source}:{listing.source_key}"
        counts = (
            f"{tally.seen} jobs ({tally.new} new, {tally.updated} updated, {listing.closed} closed)"
            if tally
            else ""
        )
        if listing.complete:
            console.print(f"[green]✓[/] {label}  {counts}")
        else:
            console.print(f"[red]✗[/] {label}  {counts}  [red]{listing.error}[/]")

    return on_listing


def summary_table(summary: RunSummary) -> Group:
    """
    One row per source, then one line per failing source with its reason.

    The rarer counts (reopened, dropped) get a column only when one is set, so the table fits an
    80-column terminal; the reasons go below it rather than into a squeezed column.
    """
    table = Table(title=f"Run {summary.run_id}: {summary.status}")
    table.add_column("source", overflow="fold", min_width=12)
    table.add_column("listing", no_wrap=True)
    counts = ["seen", "new", "updated", "closed"]
    counts += [
        name
        for name in ("reopened", "dropped")
        if any(getattr(tally, name) for tally in summary.sources)
    ]
    for column in counts:
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for tally in summary.sources:
        table.add_row(
            f"{tally.source}:{tally.source_key}",
            "suspect" if tally.suspect else "complete" if tally.complete else "incomplete",
            *(str(getattr(tally, name)) for name in counts),
        )
    reasons = [
        Text(f"{tally.source}:{tally.source_key}: {_reason(tally.error)}", style="red")
        for tally in summary.sources
        if tally.error
    ]
    sent = sum(tally.requests for tally in summary.sources)
    saved = sum(tally.requests_saved for tally in summary.sources)
    footer = [Text(f"{sent} requests sent, {saved} saved (unchanged jobs not fetched again)")]
    return Group(table, *reasons, *(footer if saved else []))


def _reason(error: str | None) -> str:
    """The error without the URL it starts with: the progress line above names the URL."""
    if not error:
        return ""
    url, sep, reason = error.partition(": ")
    return reason if sep and url.startswith(("http://", "https://")) else error


def _run(
    sources: list[SourceBase], db: Path, overrides: dict[str, str], *, quiet: bool
) -> RunSummary:
    """The crawl, with a live table in a terminal, or a line per source when output is piped."""
    try:
        if quiet or not console.is_terminal:
            return crawl(sources, db=db, overrides=overrides, on_listing=_progress(quiet))
        with LiveProgress(sources, console) as live:
            return crawl(sources, db=db, overrides=overrides, observers=[live.watch])
    finally:
        close_stores()


@app.command("crawl")
def crawl_command(
    sources: Annotated[Path, typer.Option("--sources", "-S", help="The sources YAML file.")],
    db: DbOption = None,
    only: Annotated[
        list[str] | None,
        typer.Option(help="Crawl only these entries: a kind (greenhouse) or kind:key. Repeatable."),
    ] = None,
    setting: Annotated[
        list[str] | None,
        typer.Option("--set", "-s", help="A Scrapy setting for this run: NAME=VALUE. Repeatable."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No progress or table; errors only.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Scrapy's INFO log.")] = False,
    log_file: Annotated[Path | None, typer.Option(help="Write Scrapy's log to this file.")] = None,
    log_format: Annotated[
        Literal["text", "json"], typer.Option(help="json: one JSON object per log line.")
    ] = "text",
) -> None:
    """
    Crawl every source in a sources file into the database.

    Shows each source as it finishes, then a table of new / updated / unchanged / dropped postings per
    source. Exit status: 0 when every listing was read completely, 1 when a source failed or an entry
    of the sources file was invalid (the other entries are still crawled), 2 when nothing could run.

    Example: jobcrawl crawl --sources examples/sources.yaml --db jobs.db
    """
    loaded = load_sources(sources)
    for error in loaded.errors:
        console.print(f"jobcrawl: error: {error}", markup=False, highlight=False)
    chosen = [s for s in loaded.sources if not only or s.kind in only or s.label in only]
    if not chosen:
        raise ConfigError(f"{sources}: no source matches --only {' '.join(only or [])}")
    overrides = _settings_overrides(setting or [], verbose=verbose, log_file=log_file)
    overrides.setdefault("JOBCRAWL_LOG_FORMAT", log_format)
    summary = _run(chosen, db_path(db), overrides, quiet=quiet)
    if not quiet:
        out.print(summary_table(summary))
    if summary.failed or loaded.errors:
        raise typer.Exit(1)


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to put the database, sources file and feeds.")
    ] = Path("jobcrawl-demo"),
    web: Annotated[
        bool, typer.Option("--web", help="Then serve the dashboard on the demo's database.")
    ] = False,
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="The dashboard's port with --web (0: any free).")
    ] = 8000,
) -> None:
    """
    Run the whole flow offline: a local server with recorded real responses, a crawl, exports.

    Starts a career-site server on 127.0.0.1 that serves real ATS responses bundled with jobcrawl
    (one or more recorded boards per source family), crawls it into a fresh SQLite file, prints the summary, writes the postings as JSON Lines
    and as a JSON Feed, and says where everything is. With --web it then serves the web dashboard on
    that database at http://127.0.0.1:8000/ (as `jobcrawl web` does) until Ctrl-C.

    Example: jobcrawl demo --dir /tmp/jobcrawl-demo --web
    """
    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "jobcrawl.db"
    for stale in (db, db.with_suffix(".db-wal"), db.with_suffix(".db-shm")):
        stale.unlink(missing_ok=True)
    with CareerSiteServer(BUNDLED_DATA) as server:
        sources_file = directory / "sources.yaml"
        entries = server.sources()
        sources_file.write_text(yaml.safe_dump({"sources": entries}, sort_keys=False))
        console.print(f"Serving {len(entries)} recorded boards at {server.url}")
        overrides = _settings_overrides([], verbose=False, log_file=None)
        overrides["LOG_LEVEL"] = "CRITICAL"  # the progress lines and the note below say it all
        summary = _run(load_sources(sources_file).sources, db, overrides, quiet=False)
    out.print(summary_table(summary))
    store = open_store(db)
    with (directory / "jobs.jsonl").open("w", encoding="utf-8") as fh:
        count = write_jsonl(store.iter_jobs(JobQuery()), fh)
    with (directory / "feed.json").open("w", encoding="utf-8") as fh:
        write_json_feed(store.iter_jobs(JobQuery()), fh, title="jobcrawl demo")
    close_stores()
    if summary.failed:
        out.print(
            "Incomplete listings keep their jobs and close none: a recording that holds fewer jobs "
            "than its board's total is reported, not trusted."
        )
    out.print(f"\n{count} postings stored.")
    out.print(f"  database:     {db}")
    out.print(f"  sources file: {sources_file}")
    out.print(f"  JSON Lines:   {directory / 'jobs.jsonl'}")
    out.print(f"  JSON Feed:    {directory / 'feed.json'}")
    if not web:
        out.print(f"\nNext: jobcrawl jobs --db {db}   (or jobcrawl web --db {db})")
        return
    out.print()
    serve(db, port=port)

"""
`jobcrawl enqueue` and `jobcrawl worker`: one crawl run shared by many processes (see
`crawler.distributed` and docs/scale-out.md).

Redis, scrapy-redis and the PostgreSQL driver are imported inside the commands, so the other
commands do not pay for them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from crawler.cli import app
from crawler.cli.crawl import _settings_overrides, summary_table
from crawler.config import default_db_path, load_sources
from crawler.errors import ConfigError
from crawler.store import close_stores, is_postgres, open_store

console = Console(stderr=True, soft_wrap=True, highlight=False)
out = Console(highlight=False)

RedisOption = Annotated[
    str | None,
    typer.Option(
        "--redis",
        metavar="URL",
        help="The Redis that holds the shared queue. Default: $JOBCRAWL_REDIS_URL, else"
        " redis://127.0.0.1:6379/0.",
        show_default=False,
    ),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="The PostgreSQL database every worker writes to: postgresql://user@host/dbname."
        " Default: $JOBCRAWL_DB.",
        show_default=False,
    ),
]
PrefixOption = Annotated[
    str | None,
    typer.Option(
        "--prefix",
        help="Name under which this crawl's keys live in Redis, so several crawls can share one"
        " Redis. Default: $JOBCRAWL_REDIS_PREFIX, else jobcrawl.",
        show_default=False,
    ),
]


def _redis_url(value: str | None) -> str:
    from crawler.distributed import DEFAULT_REDIS_URL

    return value or os.environ.get("JOBCRAWL_REDIS_URL") or DEFAULT_REDIS_URL


def _prefix(value: str | None) -> str:
    from crawler.distributed import DEFAULT_PREFIX

    return value or os.environ.get("JOBCRAWL_REDIS_PREFIX") or DEFAULT_PREFIX


def _postgres(db: str | None) -> str:
    location = db or str(default_db_path())
    if not is_postgres(location):
        raise ConfigError(
            f"--db {location}: a distributed crawl writes to PostgreSQL, shared by every worker:"
            " give --db postgresql://user@host/dbname (or set $JOBCRAWL_DB)"
        )
    return location


@app.command()
def enqueue(
    sources: Annotated[Path, typer.Option("--sources", "-S", help="The sources YAML file.")],
    redis_url: RedisOption = None,
    db: DatabaseOption = None,
    prefix: PrefixOption = None,
    only: Annotated[
        list[str] | None,
        typer.Option(help="Queue only these entries: a kind (greenhouse) or kind:key. Repeatable."),
    ] = None,
    reset: Annotated[
        bool,
        typer.Option(
            "--reset", help="Abandon a previous run that is still queued (recorded as interrupted)."
        ),
    ] = False,
) -> None:
    """
    Start a distributed run: record it and put every source's first requests into the shared queue.

    Workers (`jobcrawl worker`, on any number of machines) then crawl it. Run it from cron or a
    Scrapyd job; it refuses while the previous run under the same --prefix still has requests or
    open listings. Exit status: 0 queued; 1 the previous run is still going; 2 bad configuration
    (sources file, Redis or database unreachable).

    Example: jobcrawl enqueue --sources sources.yaml --redis redis://queue.internal:6379/0 --db postgresql://jobcrawl@db.internal/jobcrawl
    """
    from crawler.distributed import SharedCrawl
    from crawler.distributed import enqueue as enqueue_run
    from crawler.store.postgres import PostgresStore

    loaded = load_sources(sources)
    for error in loaded.errors:
        console.print(f"jobcrawl: error: {error}", markup=False)
    chosen = [s for s in loaded.sources if not only or s.kind in only or s.label in only]
    if not chosen:
        raise ConfigError(f"{sources}: no source matches --only {' '.join(only or [])}")
    url = _redis_url(redis_url)
    shared = SharedCrawl.connect(url, _prefix(prefix))
    store = open_store(_postgres(db))
    assert isinstance(store, PostgresStore)  # noqa: S101 (_postgres checked the URL)
    try:
        report = enqueue_run(chosen, shared=shared, store=store, reset=reset)
    finally:
        close_stores()
    families = ", ".join(f"{family} {count}" for family, count in sorted(report.families.items()))
    out.print(
        f"run {report.run_id}: {report.requests} requests queued for {report.sources} sources"
        f" ({families}) in {url} under {shared.prefix!r}"
    )


@app.command()
def worker(
    redis_url: RedisOption = None,
    db: DatabaseOption = None,
    prefix: PrefixOption = None,
    idle_timeout: Annotated[
        float | None,
        typer.Option(
            metavar="SECONDS",
            help="Leave after this long without a request while listings are still open."
            " Default: JOBCRAWL_WORKER_IDLE_TIMEOUT, else 60.",
            show_default=False,
        ),
    ] = None,
    setting: Annotated[
        list[str] | None,
        typer.Option(
            "--set", "-s", help="A Scrapy setting for this worker: NAME=VALUE. Repeatable."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Scrapy's INFO log.")] = False,
    log_file: Annotated[Path | None, typer.Option(help="Write Scrapy's log to this file.")] = None,
) -> None:
    """
    Crawl requests from the shared queue into PostgreSQL until the run is done.

    Start as many as you like, on any machines that reach the Redis and the database; they share
    the queue and one dupefilter (scrapy-redis), and a source's listing counts as complete only when
    all its pages were parsed, by whichever worker. A worker waits up to the idle timeout for a run
    to be enqueued, leaves when the queue is drained and every listing is accounted for, and takes
    over the requests of a worker that died. The last worker out finishes the run (duplicates,
    alerts, status) and prints its table. Exit status: 0 done (or nothing to do); 1 the run it
    finished had a failed source; 2 bad configuration.

    Example: jobcrawl worker --redis redis://queue.internal:6379/0 --db postgresql://jobcrawl@db.internal/jobcrawl
    """
    from crawler.distributed import DEFAULT_HEARTBEAT, SharedCrawl, work
    from crawler.run import RunSummary, project_settings
    from crawler.store.postgres import PostgresStore

    overrides: dict[str, object] = dict(
        _settings_overrides(setting or [], verbose=verbose, log_file=log_file)
    )
    if idle_timeout is not None:
        overrides["JOBCRAWL_WORKER_IDLE_TIMEOUT"] = idle_timeout
    settings = project_settings(overrides)
    heartbeat = settings.getfloat("JOBCRAWL_WORKER_HEARTBEAT", DEFAULT_HEARTBEAT)
    url = _redis_url(redis_url)
    shared = SharedCrawl.connect(url, _prefix(prefix), heartbeat=heartbeat)
    store = open_store(_postgres(db))
    assert isinstance(store, PostgresStore)  # noqa: S101 (_postgres checked the URL)
    try:
        report = work(shared, store, redis_url=url, overrides=overrides)
    finally:
        close_stores()
    if report.run_id is None:
        console.print(f"worker {report.worker_id}: no run queued under {shared.prefix!r}")
        return
    console.print(
        f"worker {report.worker_id}: {report.requests} requests, {report.postings} postings"
        f" stored (run {report.run_id})"
    )
    if report.finished_run is not None:
        summary = RunSummary(report.run_id, report.finished_run, report.tallies)
        out.print(summary_table(summary))
        if summary.failed:
            raise typer.Exit(1)

"""`jobcrawl schedule`: the long-running scheduler (see `crawler.scheduler` and docs/scheduling.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crawler.alerts import load_alerts_config
from crawler.cli import app
from crawler.cli.options import DbOption, db_path
from crawler.config import load_sources
from crawler.errors import ConfigError
from crawler.scheduler import (
    Database,
    GroupRunner,
    Scheduler,
    configure_logging,
    load_groups,
    prepare_database,
)


@app.command("schedule")
def schedule_command(
    sources: Annotated[Path, typer.Option("--sources", "-S", help="The sources YAML file.")],
    db: DbOption = None,
    every: Annotated[
        str | None,
        typer.Option(
            metavar="INTERVAL", help="Crawl now, then every INTERVAL: 6h, 30m, 90s, 1h30m, 1d."
        ),
    ] = None,
    cron: Annotated[
        str | None,
        typer.Option(
            metavar="EXPRESSION",
            help='Crawl at the times of a crontab expression (local time): "0 */6 * * *".',
        ),
    ] = None,
    setting: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            "-s",
            metavar="NAME=VALUE",
            help="A Scrapy setting for every crawl: NAME=VALUE. Repeatable.",
        ),
    ] = None,
    runs: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="N",
            help="Stop after N runs (one-shot use, tests). Default: run until stopped.",
        ),
    ] = None,
    lock_dir: Annotated[
        Path | None,
        typer.Option(
            help="Where the group locks live. Default: the database's folder (for PostgreSQL,"
            " the sources file's folder)."
        ),
    ] = None,
    alerts_config: Annotated[
        Path | None,
        typer.Option(
            help="The alerts settings file each run delivers through. Default:"
            " $JOBCRAWL_ALERTS_CONFIG, else ~/.config/jobcrawl/alerts.yaml when it exists.",
        ),
    ] = None,
) -> None:
    """
    Crawl the sources on a schedule until stopped, one run at a time per source group.

    Each run is `jobcrawl crawl --quiet` in its own process, under the group's lock: a run never
    starts while the previous run of its group is still going (here or in another scheduler), and a
    run killed by a crash is taken over and recorded as interrupted at the next start. Groups with
    their own schedule can be named in the sources file's `schedules:` mapping; the sources in no
    group follow --every / --cron. SIGTERM or SIGINT stops the scheduler: a running crawl is asked
    to stop, commits what it stored and is recorded as interrupted. Exit status: 0 when stopped by a
    signal; with --runs, the worst run's status (0 ok, 1 a source failed or a run was interrupted,
    2 bad configuration); 2 when the configuration is wrong from the start. Every run ends by
    raising its alerts (saved jobs, reminders, watches, and a source that turned bad) and
    delivering them through the channels of the alerts settings file.

    Example: jobcrawl schedule --sources sources.yaml --db jobs.db --every 6h
    """
    loaded = load_sources(sources)
    for pair in setting or []:
        name, sep, _ = pair.partition("=")
        if not sep or not name:
            raise ConfigError(f"--set {pair!r}: expected NAME=VALUE")
    settings = list(setting or [])
    if alerts_config is not None:
        load_alerts_config(alerts_config)
        settings.append(f"JOBCRAWL_ALERTS_CONFIG={alerts_config.resolve()}")
    groups = load_groups(sources, loaded.sources, every=every, cron=cron)
    database = Database.of(db_path(db))
    locks = lock_dir or database.default_lock_dir(sources)
    prepare_database(database, locks)
    configure_logging()
    runners = [
        GroupRunner(group, sources_file=sources, db=database, lock_dir=locks, settings=settings)
        for group in groups
    ]
    status = Scheduler(runners, max_runs=runs).run()
    if status:
        raise typer.Exit(status)

"""`jobcrawl alerts`, `alerts ack` and `alerts send`: reading, acknowledging and delivering alerts."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from crawler.alerts import AlertPolicy, alert_record, load_alerts_config, run_alert_step
from crawler.cli import app
from crawler.cli.options import DbOption, db_path
from crawler.errors import ConfigError, JobcrawlError
from crawler.run import project_settings
from crawler.store import iso_utc, open_store
from crawler.store.tracking import TrackingStore
from crawler.tracking import count_text, parse_offset

out = Console()
err = Console(stderr=True, highlight=False)

alerts_app = typer.Typer(name="alerts", rich_markup_mode=None)
app.add_typer(alerts_app)


def current_time() -> datetime:
    """The moment a command acts at, in UTC (tests replace it)."""
    return datetime.now(UTC)


def since_moment(text: str, *, now: datetime) -> str:
    """`--since` as a stored timestamp: a day (2026-11-20), an ISO time, or a span back (7d, 2w)."""
    value = text.strip()
    if value[-1:].lower() in ("d", "w") and value[:-1].strip().isdigit():
        return iso_utc(now - parse_offset(value, "--since"))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"--since {text}: expected a date (2026-11-20), a time or a span (7d)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return iso_utc(moment)


@alerts_app.callback(invoke_without_command=True)
def alerts(
    ctx: typer.Context,
    unread: Annotated[bool, typer.Option("--unread", help="Only alerts not acknowledged.")] = False,
    since: Annotated[
        str | None,
        typer.Option(help="Only alerts raised since: a day (2026-11-20), a time, or 7d / 2w back."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
    db: DbOption = None,
) -> None:
    """
    List alerts about saved jobs and saved searches, newest first.

    Subcommands: `ack ID...` marks alerts read; `send` checks for new alerts and delivers what is
    pending through the channels of the alerts settings file (for cron).

    Example: jobcrawl alerts --unread --since 7d
    """
    if ctx.invoked_subcommand is not None:
        return
    now = current_time()
    after = since_moment(since, now=now) if since else None
    found = TrackingStore(open_store(db_path(db))).alerts(unread=unread, since=after)
    if as_json:
        for alert in found:
            sys.stdout.write(json.dumps(alert_record(alert), ensure_ascii=False) + "\n")
        return
    if not found:
        out.print("No alerts.")
        return
    table = Table()
    for column in ("id", "raised", "", "alert", "job", "reason", "delivery"):
        table.add_column(column, overflow="fold", no_wrap=column in ("id", "raised"))
    for alert in found:
        table.add_row(
            str(alert.id),
            alert.raised_at[:10],
            "" if alert.read_at else "new",
            alert.headline,
            f"{alert.title}\n{alert.job_id}" if alert.job_id else alert.title,
            alert.reason,
            ", ".join(f"{name} {state}" for name, state in alert.deliveries.items()),
        )
    out.print(table)
    unread_count = sum(1 for alert in found if alert.read_at is None)
    out.print(f"{count_text(len(found), 'alert')}, {unread_count} new")


@alerts_app.command("ack")
def ack(
    ids: Annotated[list[int] | None, typer.Argument(metavar="ID...", help="Alert ids.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every unread alert.")] = False,
    db: DbOption = None,
) -> None:
    """
    Mark alerts read, so `jobcrawl alerts --unread` no longer lists them.

    Example: jobcrawl alerts ack 3 4
    """
    records = TrackingStore(open_store(db_path(db)))
    if every:
        ids = [alert.id for alert in records.alerts(unread=True)]
    elif not ids:
        raise ConfigError("give alert ids, or --all")
    known = records.acknowledge(ids, at=current_time())
    records.commit()
    unknown = [str(alert_id) for alert_id in ids if alert_id not in known]
    out.print(f"{count_text(len(known), 'alert')} marked read")
    if unknown:
        raise JobcrawlError(f"no alert with id {', '.join(unknown)}")


@alerts_app.command("send")
def send(
    config: Annotated[
        Path | None,
        typer.Option(
            help="The alerts settings file. Default: $JOBCRAWL_ALERTS_CONFIG, else"
            " ~/.config/jobcrawl/alerts.yaml.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """
    Check for alerts now and deliver every pending one, without crawling (for cron).

    Deadlines come closer and reminders fall due with the calendar alone, so every saved job,
    reminder and watch is checked. Deliveries that failed before are retried; nothing already delivered is sent again. Exit
    status 1 when a delivery failed (it stays in the outbox for the next time).

    Example: jobcrawl alerts send --config ~/.config/jobcrawl/alerts.yaml
    """
    settings = project_settings()
    loaded = load_alerts_config(config or settings.get("JOBCRAWL_ALERTS_CONFIG"))
    store = open_store(db_path(db))
    step = run_alert_step(
        store,
        TrackingStore(store),
        loaded,
        at=current_time(),
        policy=AlertPolicy(expiry_days=settings.getint("JOBCRAWL_EXPIRY_WARNING_DAYS", 3)),
    )
    err.print(
        f"{count_text(len(step.raised), 'alert')} raised; {step.delivery.summary()}", markup=False
    )
    if step.delivery.failed:
        raise typer.Exit(1)

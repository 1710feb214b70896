"""`jobcrawl save`, `saved`, `track`, `history`, `note`, `remind`, `compare` and `watch`: the job tracker."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from crawler.cli import app
from crawler.cli.options import CompanyOption, DbOption, RemoteOption, db_path
from crawler.store import open_store
from crawler.tracking import (
    ApplicationStatus,
    SortKey,
    Tracker,
    count_text,
    due_day,
    parse_day,
)

out = Console()

JobIdArgument = Annotated[
    str, typer.Argument(metavar="ID", help="A job id, e.g. greenhouse:acme:123.")
]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note to keep with it.")]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")]


def current_time() -> datetime:
    """The moment a command acts at, in UTC (tests replace it)."""
    return datetime.now(UTC)


def tracker(db: DbOption) -> Tracker:
    return Tracker(open_store(db_path(db)))


def write_json_lines(records: Iterable[dict[str, Any]]) -> None:
    for record in records:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@app.command()
def save(job_id: JobIdArgument, note: NoteOption = None, db: DbOption = None) -> None:
    """
    Save a job to follow it: its status, deadline and changes are then tracked and alerted.

    Example: jobcrawl save greenhouse:vercel:6136160004 --note "referral from Sam"
    """
    jobs = tracker(db)
    added = jobs.save(job_id, at=current_time(), note=note)
    label = f"{job_id}: {jobs.job(job_id).title}"
    out.print(f"Saved {label}" if added else f"Already saved: {label}", highlight=False)


@app.command()
def unsave(job_id: JobIdArgument, db: DbOption = None) -> None:
    """
    Stop following a job: its status history, notes and reminders are deleted (alerts stay).

    Example: jobcrawl unsave greenhouse:vercel:6136160004
    """
    tracker(db).unsave(job_id)
    out.print(f"No longer saved: {job_id}", highlight=False)


@app.command()
def saved(
    sort: Annotated[SortKey, typer.Option(help="Order of the rows.")] = "closes",
    status: Annotated[
        ApplicationStatus | None, typer.Option(help="Only applications at this step.")
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """
    List saved jobs: application status, when each closes (or since when it is closed), salary.

    closes sorts by the day a job is expected to close (soonest first, closed jobs last); saved,
    salary and last-seen put the newest or highest first; status follows the journey.

    Example: jobcrawl saved --sort closes --status applied
    """
    views = tracker(db).saved(today=current_time().date(), sort=sort, status=status)
    if as_json:
        write_json_lines(view.as_dict() for view in views)
        return
    if not views:
        out.print("No saved jobs. Save one with: jobcrawl save ID")
        return
    table = Table()
    table.add_column("id", no_wrap=True)
    for column in ("title", "company", "status", "closes", "salary", "last seen", "reminder"):
        table.add_column(column, overflow="fold")
    for view in views:
        table.add_row(
            view.job_id,
            view.title,
            view.company or "",
            f"{view.status} {view.status_on}",
            view.closes,
            view.salary,
            (view.last_seen or "")[:10],
            view.next_reminder or "",
        )
    out.print(table)
    out.print(count_text(len(views), "saved job"))


@app.command()
def track(
    job_id: JobIdArgument,
    status: Annotated[ApplicationStatus, typer.Option("--status", help="The new step.")],
    on: Annotated[
        str | None, typer.Option("--on", help="The day it happened (YYYY-MM-DD); default today.")
    ] = None,
    note: NoteOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Record a move the journey does not allow.")
    ] = False,
    db: DbOption = None,
) -> None:
    """
    Move an application along its journey and record the step in its history.

    The journey: saved -> applied -> interviewing -> offer -> accepted, or it ends as rejected,
    withdrawn or closed. A job not saved yet is saved first. interviewing may be recorded again for each round; an
    ended application (rejected, withdrawn, closed) may start over as saved.

    Example: jobcrawl track greenhouse:vercel:6136160004 --status applied --on 2026-11-20 --note "via referral"
    """
    day = parse_day(on, "--on") if on is not None else None
    change = tracker(db).track(job_id, status, at=current_time(), on=day, note=note, force=force)
    out.print(f"{job_id}: {change.status} on {change.happened_on}", highlight=False)


@app.command()
def history(job_id: JobIdArgument, as_json: JsonOption = False, db: DbOption = None) -> None:
    """
    Show an application's history: every status change, note and reminder, with dates.

    Example: jobcrawl history greenhouse:vercel:6136160004
    """
    entries = tracker(db).history(job_id)
    if as_json:
        write_json_lines(entry.as_dict() for entry in entries)
        return
    table = Table(title=job_id)
    table.add_column("day", no_wrap=True)
    table.add_column("what", no_wrap=True)
    table.add_column("detail", overflow="fold")
    for entry in entries:
        detail = entry.text if entry.kind != "status" else ""
        if entry.note:
            detail = f"{detail}: {entry.note}" if detail else entry.note
        what = entry.text if entry.kind == "status" else entry.kind
        table.add_row(entry.day, what, detail)
    out.print(table)


@app.command()
def note(
    job_id: JobIdArgument,
    text: Annotated[str, typer.Argument(help="The note.")],
    db: DbOption = None,
) -> None:
    """
    Add a dated note to a job (saving it if it is not saved yet).

    Example: jobcrawl note greenhouse:vercel:6136160004 "Recruiter: Dana, call on Friday"
    """
    added = tracker(db).note(job_id, text, at=current_time())
    out.print(f"Note added to {job_id} at {added.created_at}", highlight=False)


@app.command()
def remind(
    job_id: JobIdArgument,
    on: Annotated[str | None, typer.Option("--on", help="The day (YYYY-MM-DD).")] = None,
    within: Annotated[
        str | None, typer.Option("--in", help="Days or weeks from today: 3d, 2w.")
    ] = None,
    note: NoteOption = None,
    db: DbOption = None,
) -> None:
    """
    Set a follow-up reminder: on that day it becomes an alert (after a crawl or `alerts send`).

    Example: jobcrawl remind greenhouse:vercel:6136160004 --in 3d --note "follow up with Dana"
    """
    now = current_time()
    day = due_day(on, within, today=now.date())
    reminder = tracker(db).remind(job_id, day, at=now, note=note)
    out.print(f"Reminder for {job_id} on {reminder.due_on}", highlight=False)


@app.command()
def compare(
    job_ids: Annotated[list[str], typer.Argument(metavar="ID ID [ID...]", help="Job ids.")],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """
    Show jobs side by side: pay, places, workplace, level, skills, when each closes, status.

    Rows: title, company, application status, salary, locations, remote, employment type,
    seniority, experience, key skills, closes in.

    Example: jobcrawl compare greenhouse:vercel:6136160004 greenhouse:vercel:5999792004
    """
    rows = tracker(db).compare(job_ids, today=current_time().date())
    if as_json:
        write_json_lines(rows)
        return
    table = Table(show_lines=True)
    table.add_column("", style="bold", no_wrap=True)
    for row in rows:
        table.add_column(row["id"], overflow="fold")
    for field in list(rows[0])[1:]:
        table.add_row(field, *(row[field] for row in rows))
    out.print(table)


watch_app = typer.Typer(
    name="watch",
    help=(
        "Saved searches: a new posting that matches one raises an alert after the crawl that "
        "found it.\n\nExample: jobcrawl watch add python-berlin --query python --location Berlin"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(watch_app)


@watch_app.command("add")
def watch_add(
    name: Annotated[str, typer.Argument(help="A name for the search.")],
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Words in title, company, location, text.")
    ] = None,
    company: CompanyOption = None,
    location: Annotated[str | None, typer.Option(help="Location contains this.")] = None,
    remote: RemoteOption = None,
    min_salary: Annotated[
        float | None, typer.Option(help="Salary (its top, or its only figure) at least this.")
    ] = None,
    db: DbOption = None,
) -> None:
    """
    Save a search; postings first seen from now on that match it are alerted.

    Example: jobcrawl watch add python-berlin --query python --location Berlin --min-salary 70000
    """
    watch = tracker(db).add_watch(
        name,
        at=current_time(),
        query=query,
        company=company,
        location=location,
        remote=remote,
        min_salary=min_salary,
    )
    out.print(f"Watching {watch.name!r}", highlight=False)


@watch_app.command("list")
def watch_list(as_json: JsonOption = False, db: DbOption = None) -> None:
    """
    List saved searches.

    Example: jobcrawl watch list --json
    """
    watches = tracker(db).records.watches()
    if as_json:
        write_json_lines(
            {name: getattr(w, name) for name in w.__dataclass_fields__ if name != "id"}
            for w in watches
        )
        return
    table = Table()
    for column in ("name", "query", "company", "location", "remote", "min salary", "since"):
        table.add_column(column, overflow="fold")
    for w in watches:
        minimum = "" if w.min_salary is None else f"{w.min_salary:,.0f}"
        table.add_row(
            w.name,
            w.query or "",
            w.company or "",
            w.location or "",
            w.remote or "",
            minimum,
            w.created_at[:10],
        )
    out.print(table)


@watch_app.command("remove")
def watch_remove(
    name: Annotated[str, typer.Argument(help="The search's name.")], db: DbOption = None
) -> None:
    """
    Delete a saved search (its alerts stay).

    Example: jobcrawl watch remove python-berlin
    """
    tracker(db).remove_watch(name)
    out.print(f"No longer watching {name!r}", highlight=False)

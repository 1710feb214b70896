"""`jobcrawl jobs`, `show`, `export` and `schema`: reading the database, never a reactor."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from crawler.cli import app
from crawler.cli.options import (
    CanonicalOption,
    ChangedOnlyOption,
    CompanyOption,
    DbOption,
    QueryOption,
    RemoteOption,
    SeniorityOption,
    SinceOption,
    SkillOption,
    SourceOption,
    StatusOption,
    db_path,
    job_query,
)
from crawler.errors import JobcrawlError
from crawler.feeds import ExportFormat, write_export, write_json_feed
from crawler.items import JobPosting
from crawler.store import open_store

out = Console()


def salary_text(salary: dict[str, Any] | None) -> str:
    if not salary or (salary.get("min") is None and salary.get("max") is None):
        return ""
    low, high = salary.get("min"), salary.get("max")
    amounts = [f"{value:,.0f}" for value in (low, high) if value is not None]
    span = amounts[0] if len(set(amounts)) == 1 else "–".join(amounts)
    if low is None:
        span = f"up to {span}"
    elif high is None:
        span = f"from {span}"
    period = f"/{salary['period'].lower()}" if salary.get("period") else ""
    return f"{salary.get('currency') or ''} {span}{period}".strip()


def location_text(record: dict[str, Any]) -> str:
    places = [
        ", ".join(part for part in (loc.get("city"), loc.get("region"), loc.get("country")) if part)
        for loc in record.get("locations") or []
    ]
    return "; ".join(p for p in places if p) or (record.get("location_raw") or "")


@app.command()
def jobs(
    query: QueryOption = None,
    company: CompanyOption = None,
    remote: RemoteOption = None,
    status: StatusOption = None,
    source: SourceOption = None,
    skill: SkillOption = None,
    seniority: SeniorityOption = None,
    canonical: CanonicalOption = False,
    since: SinceOption = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
    db: DbOption = None,
) -> None:
    """
    List stored jobs, newest first (best match first with --query).

    Example: jobcrawl jobs --query "python engineer" --remote remote --status open --limit 20
    """
    store = open_store(db_path(db))
    filters = job_query(
        query=query,
        company=company,
        remote=remote,
        status=status,
        source=source,
        limit=limit,
        skill=skill,
        seniority=seniority,
        canonical=canonical,
        since=since,
    )
    records = store.iter_jobs(filters)
    if as_json:
        for record in records:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    table = Table(show_lines=False)
    table.add_column("id", no_wrap=True)
    for column in ("title", "company", "location", "remote", "posted", "salary", "status"):
        table.add_column(column, overflow="fold")
    shown = 0
    for record in records:
        table.add_row(
            record["id"],
            record["title"],
            record.get("company") or "",
            location_text(record),
            record.get("remote") or "",
            record.get("date_posted") or "",
            salary_text(record.get("salary")),
            record["status"],
        )
        shown += 1
    out.print(table)
    total = store.count_jobs(filters)
    out.print(f"{shown} of {total} matching jobs")


@app.command()
def show(
    job_id: Annotated[
        str, typer.Argument(metavar="ID", help="A job id, e.g. greenhouse:acme:123.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="The schema record as JSON.")] = False,
    versions: Annotated[
        bool, typer.Option("--versions", help="Also list every stored version.")
    ] = False,
    db: DbOption = None,
) -> None:
    """
    Show one job with all its fields.

    Example: jobcrawl show greenhouse:vercel:6136160004 --versions
    """
    store = open_store(db_path(db))
    job = store.get_job(job_id)
    if job is None:
        raise JobcrawlError(f"no job with id {job_id!r} in {db_path(db)}")
    record = job.export_dict()
    history = store.job_versions(job_id) if versions else []
    if as_json:
        if versions:
            record = {**record, "_versions": history}
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(show_header=False, title=job.title)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name in JobPosting.model_fields:
        value = record[name]
        if name == "salary":
            value = salary_text(value) + (
                f"  (raw: {value['raw']})" if value and value.get("raw") else ""
            )
        elif name == "locations":
            value = location_text(record)
        elif name == "sections":
            value = "; ".join(f"{part}: {len(items)}" for part, items in value.items() if items)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        table.add_row(name, "" if value is None else str(value))
    out.print(table)
    for version in history:
        changed = ", ".join(version["changed_fields"]) or "first seen"
        out.print(f"version {version['version']}  {version['seen_at']}  {changed}")


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")
    ] = None,
    query: QueryOption = None,
    company: CompanyOption = None,
    remote: RemoteOption = None,
    status: StatusOption = None,
    source: SourceOption = None,
    skill: SkillOption = None,
    seniority: SeniorityOption = None,
    canonical: CanonicalOption = False,
    since: SinceOption = None,
    changed_only: ChangedOnlyOption = False,
    limit: Annotated[int | None, typer.Option(help="At most this many records.")] = None,
    db: DbOption = None,
) -> None:
    """
    Export jobs in the documented schema (docs/schema.md), streaming from the database.

    jsonl writes one record per line; json one array; csv one flat row per job (lists joined with
    "; ", salary in columns).

    Example: jobcrawl export --format jsonl --status open --canonical --since 24h -o jobs.jsonl
    """
    store = open_store(db_path(db))
    filters = job_query(
        query=query,
        company=company,
        remote=remote,
        status=status,
        source=source,
        limit=limit,
        skill=skill,
        seniority=seniority,
        canonical=canonical,
        since=since,
        changed_only=changed_only,
        store=store,
    )
    records = store.iter_jobs(filters)
    if output is None:
        write_export(records, sys.stdout, fmt)
        return
    with output.open("w", encoding="utf-8", newline="" if fmt == "csv" else None) as fh:
        count = write_export(records, fh, fmt)
    Console(stderr=True).print(f"{count} jobs written to {output}")


@app.command()
def feed(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")
    ] = None,
    since: SinceOption = None,
    query: QueryOption = None,
    company: CompanyOption = None,
    remote: RemoteOption = None,
    source: SourceOption = None,
    skill: SkillOption = None,
    seniority: SeniorityOption = None,
    canonical: CanonicalOption = False,
    title: Annotated[
        str, typer.Option(help="The feed's title.")
    ] = "jobcrawl: new and updated jobs",
    feed_url: Annotated[
        str | None, typer.Option(help="Where the feed will be published (its `feed_url`).")
    ] = None,
    db: DbOption = None,
) -> None:
    """
    Write a JSON Feed 1.1 of the postings that are new or changed, for feed readers and webhooks.

    New or changed since --since (default: since the latest run started); open jobs only. Each item
    carries the full schema record in its `_jobcrawl` extension.

    Example: jobcrawl feed --since 24h --canonical --output feed.json
    """
    store = open_store(db_path(db))
    filters = job_query(
        query=query,
        company=company,
        remote=remote,
        status="open",
        source=source,
        limit=None,
        skill=skill,
        seniority=seniority,
        canonical=canonical,
        since=since,
        changed_only=True,
        store=store,
    )
    records = store.iter_jobs(filters)
    if output is None:
        write_json_feed(records, sys.stdout, title=title, feed_url=feed_url)
        return
    with output.open("w", encoding="utf-8") as fh:
        count = write_json_feed(records, fh, title=title, feed_url=feed_url)
    Console(stderr=True).print(f"{count} items written to {output}")


@app.command()
def schema() -> None:
    """
    Print the JSON Schema of an exported job record (also in docs/schema.json).

    Example: jobcrawl schema > jobposting.schema.json
    """
    sys.stdout.write(
        json.dumps(JobPosting.model_json_schema(), indent=2, ensure_ascii=False) + "\n"
    )

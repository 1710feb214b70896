"""`jobcrawl dupes`: the clusters of records that are one job, and why they were matched."""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from crawler.cli import app
from crawler.cli.options import DbOption, db_path
from crawler.dedupe import compare
from crawler.duplicates import dedupe_settings, refresh_duplicates, snapshot_path
from crawler.errors import JobcrawlError
from crawler.items import JobPosting
from crawler.run import project_settings
from crawler.store import open_store

out = Console()


@app.command()
def dupes(
    job_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="Show this job's cluster and the evidence.")
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Run duplicate detection over the database first.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per cluster.")] = False,
    db: DbOption = None,
) -> None:
    """
    List clusters of records that are one job (across sources), canonical record first.

    With an ID, shows that job's cluster and, for every other member, the evidence that matched it
    to the canonical record: title similarity, places, description similarity. Duplicate detection
    runs at the end of every crawl; `--refresh` runs it now (e.g. after changing its settings).

    Example: jobcrawl dupes --refresh
    """
    store = open_store(db_path(db))
    if refresh:
        settings = project_settings()
        snapshot = snapshot_path(settings, db_path(db))
        report = refresh_duplicates(store, dedupe_settings(settings), snapshot)
        Console(stderr=True).print(
            f"{report.jobs} jobs: {report.clusters} clusters, {report.duplicates} duplicates, "
            f"{report.reposts} reposts ({report.changed} marks changed)"
        )
    cluster_id = None
    if job_id is not None:
        job = store.get_job(job_id)
        if job is None:
            raise JobcrawlError(f"no job with id {job_id!r} in {db_path(db)}")
        cluster_id = job.cluster_id
        if cluster_id is None:
            raise JobcrawlError(
                f"{job_id}: duplicate detection has not run over it yet (--refresh)"
            )
    clusters = store.duplicate_clusters(cluster_id)
    if as_json:
        for members in clusters.values():
            sys.stdout.write(json.dumps(_cluster_dict(members), ensure_ascii=False) + "\n")
        return
    if job_id is not None:
        _show_evidence(clusters.get(cluster_id or "", []))
        return
    table = Table(title=f"{len(clusters)} clusters of duplicates")
    for column in ("cluster", "id", "source", "company", "title", "status"):
        table.add_column(column, overflow="fold")
    for number, members in clusters.items():
        for position, record in enumerate(members):
            table.add_row(
                number if position == 0 else "",
                record["id"] + (" (canonical)" if position == 0 else ""),
                record["source"],
                record.get("company") or "",
                record["title"],
                record["status"],
            )
    out.print(table)


def _cluster_dict(members: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "cluster_id": members[0]["cluster_id"],
        "canonical": members[0]["id"],
        "members": [
            {key: record.get(key) for key in ("id", "source", "company", "title", "status", "url")}
            for record in members
        ],
    }


def _show_evidence(members: list[dict[str, Any]]) -> None:
    if len(members) < 2:
        out.print("This job has no duplicates.")
        return
    canonical = JobPosting.model_validate(members[0])
    table = Table(title=f"{canonical.title} — canonical: {canonical.id}")
    for column in ("id", "source", "decision", "title ~", "places", "description ~"):
        table.add_column(column, overflow="fold")
    for record in members[1:]:
        comparison = compare(canonical, JobPosting.model_validate(record))
        evidence = dataclasses.asdict(comparison)
        table.add_row(
            record["id"],
            record["source"],
            f"{'duplicate' if comparison.duplicate else 'kept apart'}: {comparison.reason}",
            f"{comparison.title:.0f}",
            str(evidence["location"]),
            "" if comparison.description is None else f"{comparison.description:.2f}",
        )
    out.print(table)

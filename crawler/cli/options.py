"""Options that several commands share, declared once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer

from crawler.config import default_db_path
from crawler.durations import parse_since
from crawler.errors import ConfigError
from crawler.items import Seniority
from crawler.store import JobQuery, Store

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Database file or postgresql://user@host/dbname URL. Default: $JOBCRAWL_DB, else"
        " ~/.local/share/jobcrawl/jobcrawl.db.",
        show_default=False,
    ),
]
QueryOption = Annotated[
    str | None,
    typer.Option("--query", "-q", help="Words to find in title, company, location, text."),
]
CompanyOption = Annotated[str | None, typer.Option(help="Company name contains this (any case).")]
RemoteOption = Annotated[
    Literal["remote", "hybrid", "onsite"] | None, typer.Option(help="Workplace.")
]
StatusOption = Annotated[Literal["open", "closed"] | None, typer.Option(help="Job status.")]
SourceOption = Annotated[
    str | None, typer.Option(help="Only this source family or board: greenhouse, greenhouse:acme.")
]


CanonicalOption = Annotated[
    bool,
    typer.Option(
        "--canonical", help="One record per job: leave out records duplicating another source's."
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(help="Only jobs seen since: 24h, 7d back from now, or an ISO date/time."),
]
ChangedOnlyOption = Annotated[
    bool,
    typer.Option(
        "--changed-only",
        help="Only jobs new or changed since --since (default: since the latest run started).",
    ),
]
SkillOption = Annotated[str | None, typer.Option(help="Only jobs with this key skill (any case).")]
SeniorityOption = Annotated[Seniority | None, typer.Option(help="Only jobs at this level.")]


def db_path(db: Path | None) -> Path:
    return db if db is not None else default_db_path()


def job_query(
    *,
    query: str | None,
    company: str | None,
    remote: str | None,
    status: str | None,
    source: str | None,
    limit: int | None,
    canonical: bool = False,
    since: str | None = None,
    changed_only: bool = False,
    skill: str | None = None,
    seniority: str | None = None,
    store: Store | None = None,
) -> JobQuery:
    """The filters, with `--since` read and `--changed-only` defaulting to the latest run."""
    moment = None
    if since is not None:
        try:
            moment = parse_since(since, now=datetime.now(UTC))
        except ValueError as exc:
            raise ConfigError(f"--since: {exc}") from exc
    elif changed_only and store is not None:
        latest = store.list_runs(1)
        moment = datetime.fromisoformat(latest[0].started_at) if latest else None
    return JobQuery(
        text=query,
        company=company,
        remote=remote,
        status=status,
        source=source,
        limit=limit,
        canonical=canonical,
        since=moment,
        changed_only=changed_only,
        skill=skill,
        seniority=seniority,
    )

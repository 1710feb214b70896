"""Options that several commands share, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from crawler.config import default_db_path
from crawler.store import JobQuery

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="Database file. Default: $JOBCRAWL_DB, else ~/.local/share/jobcrawl/jobcrawl.db.",
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
) -> JobQuery:
    return JobQuery(
        text=query, company=company, remote=remote, status=status, source=source, limit=limit
    )

"""`jobcrawl db migrate` and `jobcrawl db copy`: creating a database, and moving one to PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from crawler.cli import app
from crawler.config import default_db_path
from crawler.errors import ConfigError
from crawler.store import SQLiteStore, close_stores, is_postgres, open_store

out = Console()

db_app = typer.Typer(
    name="db",
    help=(
        "Create or upgrade a database, and copy a SQLite database into PostgreSQL.\n\n"
        "Example: jobcrawl db migrate --db postgresql://jobcrawl@db.internal/jobcrawl"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(db_app)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="PATH|URL",
        help="A SQLite file or a postgresql://user@host/dbname URL. Default: $JOBCRAWL_DB, else"
        " ~/.local/share/jobcrawl/jobcrawl.db.",
        show_default=False,
    ),
]


@db_app.command("migrate")
def migrate(db: DatabaseOption = None) -> None:
    """
    Create the database, or bring its tables up to the current schema version.

    Every command does this when it opens a database; run it once by hand to set up a new
    PostgreSQL database before workers start, or to check that a URL and its credentials work.

    Example: jobcrawl db migrate --db postgresql://jobcrawl@db.internal/jobcrawl
    """
    store = open_store(db or default_db_path())
    try:
        typer.echo(f"{store.path}: schema version {store.schema_version}")
    finally:
        close_stores()


@db_app.command("copy")
def copy(
    source: Annotated[
        str,
        typer.Option(
            "--from", metavar="sqlite:///PATH", help="The SQLite database to copy (left unchanged)."
        ),
    ],
    target: Annotated[
        str,
        typer.Option(
            "--to", metavar="postgresql://URL", help="An empty PostgreSQL database to copy into."
        ),
    ],
) -> None:
    """
    Copy a SQLite database into an empty PostgreSQL database: everything, ids included.

    Jobs with every stored version, runs and their per-source tallies, saved jobs with their
    history, notes and reminders, saved searches, alerts and their outbox. The copy is one
    transaction: it lands whole or not at all. The target must hold no rows yet (its tables are
    created if missing); the SQLite file is only read (and brought to the current schema first).

    Example: jobcrawl db copy --from sqlite:///home/me/.local/share/jobcrawl/jobcrawl.db --to postgresql://jobcrawl@db.internal/jobcrawl
    """
    from crawler.store.postgres import PostgresStore, copy_database

    path = Path(source.removeprefix("sqlite:///")).expanduser()
    if is_postgres(source) or not path.is_file():
        raise ConfigError(f"--from {source}: expected an existing SQLite file (sqlite:///PATH)")
    if not is_postgres(target):
        raise ConfigError(f"--to {target}: expected a postgresql://user@host/dbname URL")
    origin = SQLiteStore(path)
    destination = open_store(target)
    assert isinstance(destination, PostgresStore)  # noqa: S101 (is_postgres above)
    try:
        counts = copy_database(origin.connection, destination)
    finally:
        origin.close()
        close_stores()
    table = Table(title=f"Copied into {destination.path}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(name, str(count))
    out.print(table)

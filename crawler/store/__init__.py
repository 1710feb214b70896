"""
The database behind jobcrawl. `open_store()` is the one way in.

One store instance per database per process, so the pipelines of several crawlers in one run share a
connection and its transaction. A `postgresql://` URL opens the PostgreSQL backend (imported only
then: SQLite users never load its driver); anything else is a SQLite file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crawler.store.base import (
    DuplicateMarks,
    JobQuery,
    RunRecord,
    SourceTally,
    Store,
    UpsertResult,
    iso_utc,
)
from crawler.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from crawler.store.postgres import PostgresStore

__all__ = [
    "DuplicateMarks", "JobQuery", "RunRecord", "SQLiteStore", "SourceTally", "Store",
    "UpsertResult", "close_stores", "is_postgres", "iso_utc", "open_store",
]  # fmt: skip

_open: dict[str, SQLiteStore | PostgresStore] = {}


def is_postgres(location: str | Path) -> bool:
    """True when `location` names a PostgreSQL database (`postgresql://...`), not a SQLite file."""
    return str(location).startswith(("postgresql:/", "postgres:/"))


def open_store(location: str | Path) -> SQLiteStore | PostgresStore:
    """
    The store at `location`: a `postgresql://user@host/dbname` URL, or a SQLite file path (or
    `sqlite:///path`).
    """
    text = str(location)
    if is_postgres(text):
        from crawler.store.postgres import PostgresStore, postgres_url

        url = postgres_url(text)
        if url not in _open:
            _open[url] = PostgresStore(url)
        return _open[url]
    path = Path(text.removeprefix("sqlite:///")).expanduser().resolve()
    key = str(path)
    if key not in _open:
        _open[key] = SQLiteStore(path)
    return _open[key]


def close_stores() -> None:
    """Commit and close every open store (end of a run, end of a test)."""
    while _open:
        _open.popitem()[1].close()

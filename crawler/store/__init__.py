"""
The database behind jobcrawl. `open_store()` is the one way in.

One store instance per database per process, so the pipelines of several crawlers in one run share a
connection and its transaction.
"""

from __future__ import annotations

from pathlib import Path

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

__all__ = [
    "DuplicateMarks", "JobQuery", "RunRecord", "SQLiteStore", "SourceTally", "Store", "UpsertResult", "close_stores",
    "iso_utc", "open_store",
]  # fmt: skip

_open: dict[str, SQLiteStore] = {}


def open_store(location: str | Path) -> SQLiteStore:
    """The store at `location`: a SQLite file path (or `sqlite:///path`)."""
    text = str(location)
    path = Path(text.removeprefix("sqlite:///")).expanduser().resolve()
    key = str(path)
    if key not in _open:
        _open[key] = SQLiteStore(path)
    return _open[key]


def close_stores() -> None:
    """Commit and close every open store (end of a run, end of a test)."""
    while _open:
        _open.popitem()[1].close()

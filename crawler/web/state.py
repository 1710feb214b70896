"""
What every request handler works with: the store, the tracker over it, and the clock.

One `Dashboard` per app, made when the app starts. Connections belong to the thread that opened them
(SQLite insists on it), so the app opens its own store in its event loop and every handler is
`async`: they all run on that one thread, one at a time, which is all a personal dashboard needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from fastapi import Depends, Request

from crawler.store import SQLiteStore
from crawler.store.postgres import PostgresStore
from crawler.store.tracking import TrackingStore
from crawler.tracking import Tracker


@dataclass(slots=True)
class Dashboard:
    """The app's view of one jobcrawl database."""

    store: SQLiteStore | PostgresStore
    tracker: Tracker
    clock: Callable[[], datetime]
    """The current moment (UTC); tests fix it."""
    warning_days: int
    """A saved job closing within this many days is flagged (`JOBCRAWL_EXPIRY_WARNING_DAYS`)."""

    @property
    def records(self) -> TrackingStore:
        return self.tracker.records

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().date()


async def dashboard(request: Request) -> Dashboard:
    """The app's `Dashboard` (async, so it is handed out on the event loop's thread)."""
    current: Dashboard = request.app.state.dashboard
    return current


DashboardDep = Annotated[Dashboard, Depends(dashboard)]

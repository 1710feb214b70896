"""
The crawl's own time.

Relative dates ("Posted 3 days ago") and `last_seen` are resolved against the moment the run started,
never against the wall clock at the moment an item happens to pass, so one run means one "now" and
tests can fix it with the `JOBCRAWL_RUN_STARTED` setting.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def run_started_at(settings: Any) -> datetime:
    """`JOBCRAWL_RUN_STARTED` (ISO text or datetime) as aware UTC; the current time when unset."""
    value = settings.get("JOBCRAWL_RUN_STARTED")
    if value is None:
        return datetime.now(UTC)
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

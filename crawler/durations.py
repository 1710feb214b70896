"""
Durations and points in time as people type them: `90s`, `30m`, `6h`, `3d`, `2w`, `1h30m`, or a date.

One parser for every command that takes one (`--since 24h`, `--in 3d`, `--every 6h`), so they all
accept the same spellings and reject the same mistakes with the same message.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])", re.I)
_WHOLE = re.compile(r"^\s*(?:\d+(?:\.\d+)?\s*[smhdw]\s*)+$", re.I)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """`6h` -> 6 hours; raise ValueError naming the accepted forms for anything else."""
    if not _WHOLE.match(text):
        raise ValueError(f"{text!r}: expected a duration such as 90s, 30m, 6h, 3d, 2w or 1h30m")
    total = timedelta()
    try:
        for amount, unit in _PART.findall(text):
            total += timedelta(**{_UNITS[unit.lower()]: float(amount)})
    except OverflowError:
        raise ValueError(f"{text!r}: a duration that long cannot be counted") from None
    if total <= timedelta():
        raise ValueError(f"{text!r}: a duration must be longer than zero")
    return total


def parse_since(text: str, *, now: datetime) -> datetime:
    """A duration back from `now` (`24h`), or an ISO date or date-time (UTC unless it says)."""
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r}: expected a duration back from now (24h, 7d) or an ISO date (2026-11-01)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def parse_day(text: str, *, today: date) -> date:
    """An ISO date, or a duration ahead of `today` in whole days (`3d`, `2w`)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        pass
    try:
        return today + timedelta(days=parse_duration(text).days)
    except ValueError:
        raise ValueError(f"{text!r}: expected an ISO date (2026-12-01) or 3d, 2w") from None

"""
What a finished listing means for the stored jobs of its source: seen, closed, or left alone.

The rule that keeps jobcrawl honest: only a complete and plausible listing closes anything. A listing
that failed or stopped early closes nothing; one that parsed but holds far fewer jobs than the last
complete listing of the same source (a broken search page, a board in maintenance) is marked suspect
and closes nothing either, until a second listing in a row confirms the drop. A job must be missing
from `close_after` complete listings in a row before it closes.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from crawler.items import ListingResult
from crawler.store import SourceTally, Store


@dataclass(frozen=True, slots=True)
class LifecyclePolicy:
    """The lifecycle's settings (`JOBCRAWL_CLOSE_AFTER_MISSES` and friends; see docs/settings.md)."""

    close_after: int = 1
    """Complete listings in a row a job must be missing from before it closes."""
    suspect_ratio: float = 0.5
    """A listing holding fewer than this share of the last complete listing's jobs closes nothing."""
    lifetime_days: int = 60
    """Estimated days a job stays open when its source has too little history to tell."""
    min_history: int = 5
    """Closed jobs a source needs before its own median lifetime replaces `lifetime_days`."""


def suspicion(listing: ListingResult, previous: list[SourceTally], ratio: float) -> str | None:
    """Why `listing` is not trusted to close jobs, or None; `previous` is newest first."""
    last_complete = next((tally for tally in previous if tally.complete), None)
    count = len(set(listing.seen_ids))
    if last_complete is None or ratio <= 0 or count >= ratio * last_complete.seen:
        return None
    latest = previous[0]
    if latest.suspect and latest.seen == count:
        return None  # the same drop twice in a row: the board really shrank
    return (
        f"listing holds {count} jobs, under {ratio:.0%} of the {last_complete.seen} of the last"
        " complete listing: closing nothing until the next listing confirms it"
    )


def expected_lifetime(open_days: list[float], policy: LifecyclePolicy) -> int:
    """Median days the source's jobs stayed open, or the default while its history is short."""
    if len(open_days) < policy.min_history:
        return policy.lifetime_days
    return max(1, round(statistics.median(open_days)))


def settle_listing(
    store: Store, listing: ListingResult, *, at: datetime, policy: LifecyclePolicy
) -> None:
    """Apply a finished listing: move `last_seen`, close the absent, refresh estimated expiry."""
    source, key = listing.source, listing.source_key
    store.mark_seen(listing.seen_ids, seen_at=at)
    if listing.complete:
        reason = suspicion(listing, store.last_listings(source, key, limit=2), policy.suspect_ratio)
        if reason is not None:
            listing.complete = False
            listing.suspect = listing.error = reason
        else:
            closed = store.close_missing(
                source, key, listing.seen_ids, at=at, after=policy.close_after
            )
            listing.closed += len(closed)
    days = expected_lifetime(store.open_days(source, key), policy)
    store.estimate_expiry(source, key, days=days)

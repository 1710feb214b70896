"""
How each source is doing, from its recorded listings: healthy, failing, suspect, or never crawled.

A source is failing when its latest listing was incomplete (an error, a cut-short page), suspect when
that listing parsed but held far fewer jobs than the last complete one (it closed nothing), and
healthy when it was complete. `failing_since` counts the bad listings in a row, so one alert per
episode is enough (the alerts raise one when a source turns bad, not on every run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crawler.sources import SourceBase
from crawler.store import SourceTally

Health = Literal["healthy", "failing", "suspect", "never crawled"]


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One source's state, as `jobcrawl sources` shows it."""

    source: str
    source_key: str
    health: Health
    bad_listings_in_a_row: int
    last_run: int | None
    last_good_run: int | None
    last_good_at: str | None
    jobs_in_last_listing: int | None
    open_jobs: int
    error: str | None

    @property
    def label(self) -> str:
        return f"{self.source}:{self.source_key}"


def assess(
    source: str,
    source_key: str,
    history: list[tuple[int, SourceTally]],
    open_jobs: int,
) -> SourceHealth:
    """The health of one source from its listings, newest first, each with its run id."""
    if not history:
        return SourceHealth(source, source_key, "never crawled", 0, None, None, None, None, 0, None)
    bad = 0
    for _, tally in history:
        if tally.complete:
            break
        bad += 1
    good = next(((run, tally) for run, tally in history if tally.complete), None)
    latest_run, latest = history[0]
    health: Health = "healthy" if latest.complete else "suspect" if latest.suspect else "failing"
    return SourceHealth(
        source=source,
        source_key=source_key,
        health=health,
        bad_listings_in_a_row=bad,
        last_run=latest_run,
        last_good_run=good[0] if good else None,
        last_good_at=good[1].finished_at if good else None,
        jobs_in_last_listing=latest.seen,
        open_jobs=open_jobs,
        error=latest.error,
    )


def configured_first(known: list[SourceHealth], configured: list[SourceBase]) -> list[SourceHealth]:
    """The sources file's entries in its order (never-crawled ones too), then the rest by label."""
    by_label = {health.label: health for health in known}
    ordered = [
        by_label.pop(source.label, assess(source.kind, source.key, [], 0)) for source in configured
    ]
    return ordered + sorted(by_label.values(), key=lambda health: health.label)

"""
How each source is doing, from its recorded listings: healthy, failing, suspect, or never crawled.

A source is failing when its latest listing was incomplete (an error, a cut-short page), suspect when
that listing parsed but held far fewer jobs than the last complete one (it closed nothing), and
healthy when it was complete. `bad_listings_in_a_row` counts the bad listings in a row, and
`episode` names that run of bad listings, so the alerts raise one alert when a source turns bad and
not one on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crawler.sources import SourceBase
from crawler.store import SourceTally, Store

Health = Literal["healthy", "failing", "suspect", "never crawled"]

HISTORY_WINDOW = 10
"""Listings per source read to judge its health: enough to find the last good one of a bad spell."""


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
    episode: str | None = None
    """Names the current spell of bad listings (`after-run-12`: the last good listing was run 12;
    `from-run-3`: the source never had one and was first crawled in run 3), so an alert about it is
    raised once. None when healthy, or when the spell started before the listings read."""

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
    episode = None
    if bad and good is not None:
        episode = f"after-run-{good[0]}"
    elif bad and len(history) < HISTORY_WINDOW:
        episode = f"from-run-{history[-1][0]}"
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
        episode=episode,
    )


def source_health(store: Store) -> list[SourceHealth]:
    """Every crawled source's health, by label."""
    open_jobs = store.open_job_counts()
    known = [
        assess(source, key, history, open_jobs.get((source, key), 0))
        for (source, key), history in store.source_history(HISTORY_WINDOW).items()
    ]
    return sorted(known, key=lambda health: health.label)


def configured_first(known: list[SourceHealth], configured: list[SourceBase]) -> list[SourceHealth]:
    """The sources file's entries in its order (never-crawled ones too), then the rest by label."""
    by_label = {health.label: health for health in known}
    ordered = [
        by_label.pop(source.label, assess(source.kind, source.key, [], 0)) for source in configured
    ]
    return ordered + sorted(by_label.values(), key=lambda health: health.label)

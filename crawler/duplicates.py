"""
Duplicate detection over the store: marks reposts and cross-source duplicates on every job.

Runs at the end of a crawl run (after every family has stored its postings, so a job crawled from
its ATS and from its career site in the same run is compared) and on `jobcrawl dupes --refresh`.
The matching itself is `crawler.dedupe`; this module only feeds it stored jobs and writes back the
marks that changed. Thresholds come from the `JOBCRAWL_DEDUPE_*` settings (docs/dedupe.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.dedupe import DedupeIndex, DedupeSettings, find_reposts
from crawler.store import DuplicateMarks, JobQuery, Store


@dataclass(frozen=True, slots=True)
class DuplicateReport:
    """What one pass found and changed."""

    jobs: int
    clusters: int
    """Clusters of two or more records."""
    duplicates: int
    """Records that point at another source's canonical record."""
    reposts: int
    changed: int
    """Jobs whose marks this pass changed."""


def dedupe_settings(settings: Any) -> DedupeSettings:
    """`DedupeSettings` with the `JOBCRAWL_DEDUPE_*` values a Scrapy `Settings` (or dict) sets."""
    defaults = DedupeSettings()

    def number(name: str, default: float) -> float:
        value = settings.get(name)
        return default if value is None else float(value)

    description_min = number("JOBCRAWL_DEDUPE_DESCRIPTION_MIN", defaults.description_min)
    return DedupeSettings(
        title_min=number("JOBCRAWL_DEDUPE_TITLE_MIN", defaults.title_min),
        description_min=description_min,
        lsh_threshold=min(defaults.lsh_threshold, description_min),
        containment_min=number("JOBCRAWL_DEDUPE_CONTAINMENT_MIN", defaults.containment_min),
        repost_description_min=number(
            "JOBCRAWL_DEDUPE_REPOST_DESCRIPTION_MIN", defaults.repost_description_min
        ),
    )


def refresh_duplicates(store: Store, settings: DedupeSettings | None = None) -> DuplicateReport:
    """Cluster every stored job, find reposts, and write the marks that changed."""
    settings = settings or DedupeSettings()
    postings = list(store.iter_postings(JobQuery()))
    index = DedupeIndex.build(postings, settings)
    predecessor = {newer: older for older, newer in find_reposts(postings, settings)}
    assignments = index.assignments()
    marks = [
        DuplicateMarks(
            job_id=posting.id,
            repost_of=predecessor.get(posting.id),
            duplicate_of=assignments[posting.id].duplicate_of,
            cluster_id=assignments[posting.id].cluster_id,
        )
        for posting in postings
    ]
    changed = store.set_duplicates(marks)
    store.commit()
    return DuplicateReport(
        jobs=len(postings),
        clusters=len(index.clusters()),
        duplicates=sum(1 for mark in marks if mark.duplicate_of is not None),
        reposts=len(predecessor),
        changed=changed,
    )

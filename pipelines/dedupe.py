"""
Drops a posting whose id was already seen in this run (a board listing a job twice).

Cross-run and cross-source duplicates are the store's and `crawler.dedupe`'s business; this stage only
keeps one run from writing the same job twice.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from crawler.items import JobPosting


class DedupePipeline:
    """One posting per id per run."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, JobPosting):
            if item.id in self.seen:
                raise DropItem(f"{item.id}: id: already seen in this run")
            self.seen.add(item.id)
        return item

"""
Writes each `JobPosting` to the store and tallies what each source gave in this run.

new -> inserted with version 1; changed -> a new version row naming the changed fields; unchanged ->
only `last_seen` moves. Writes are committed every `JOBCRAWL_STORE_BATCH_SIZE` postings and at the end,
so a crash loses at most one open batch and never leaves a half-written posting.

Reads `JOBCRAWL_DB`, `JOBCRAWL_RUN_ID`, `JOBCRAWL_RUN_STARTED`, `JOBCRAWL_STORE_BATCH_SIZE`. When no run id
is given (a plain `scrapy crawl`), the pipeline records a run of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.clock import run_started_at
from crawler.config import default_db_path
from crawler.duplicates import dedupe_settings, refresh_duplicates, snapshot_path
from crawler.items import JobPosting, ListingResult
from crawler.middlewares import source_requests
from crawler.store import SourceTally, Store, iso_utc, open_store


def run_status(tallies: list[SourceTally]) -> str:
    """Ok when every listing was complete, failed when none was, partial otherwise."""
    complete = sum(1 for tally in tallies if tally.complete)
    if complete == len(tallies):
        return "ok"
    return "failed" if complete == 0 else "partial"


class StorePipeline:
    """Upserts postings; records per-source tallies in the `runs` tables."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db = settings.get("JOBCRAWL_DB") or default_db_path()
        self.batch_size = settings.getint("JOBCRAWL_STORE_BATCH_SIZE", 500)
        self.run_id: int | None = settings.getint("JOBCRAWL_RUN_ID") or None
        self.own_run = self.run_id is None
        self.seen_at = run_started_at(settings)
        self.tallies: dict[tuple[str, str], SourceTally] = {}
        self.uncommitted = 0
        self.store: Store | None = None
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = open_store(self.db)
        if self.run_id is None:
            self.run_id = self.store.start_run(self.seen_at)
        for source in getattr(self.crawler.spider, "sources", []):
            self._tally(source.kind, source.key)

    def _tally(self, source: str, source_key: str) -> SourceTally:
        key = (source, source_key)
        if key not in self.tallies:
            self.tallies[key] = SourceTally(source, source_key)
        return self.tallies[key]

    def process_item(self, item: Any) -> Any:
        assert self.store is not None  # noqa: S101 (opened in open_spider)
        if isinstance(item, JobPosting):
            result = self.store.upsert_posting(item, seen_at=self.seen_at, run_id=self.run_id)
            self._tally(item.source, item.source_key).count(
                result.outcome, reopened=result.reopened
            )
            self.uncommitted += 1
            if self.uncommitted >= self.batch_size:
                self.store.commit()
                self.uncommitted = 0
        elif isinstance(item, ListingResult):
            tally = self._tally(item.source, item.source_key)
            tally.complete = item.complete
            tally.pages = item.pages
            tally.error = item.error
            tally.seen = len(set(item.seen_ids))
            tally.unchanged += item.unchanged_details + item.unchanged_postings
            tally.requests_saved += item.unchanged_details  # a skipped posting saved no request
            tally.closed = item.closed
            tally.suspect = item.suspect is not None
            tally.finished_at = iso_utc(datetime.now(UTC))
        return item

    def item_dropped(
        self, item: Any, response: Any, exception: BaseException, spider: Spider
    ) -> None:
        source, key = getattr(item, "source", None), getattr(item, "source_key", None)
        if source and key:
            self._tally(source, key).dropped += 1

    def close_spider(self) -> None:
        if self.store is None or self.run_id is None:
            return
        self.store.commit()
        for tally in self.tallies.values():
            if self.crawler.stats is not None:
                label = f"{tally.source}:{tally.source_key}"
                tally.requests, tally.statuses = source_requests(self.crawler.stats, label)
            self.store.record_source(self.run_id, tally)
        if self.own_run:
            # A plain `scrapy crawl` is a run of its own: it ends with duplicate detection too.
            if self.crawler.settings.getbool("JOBCRAWL_DEDUPE"):
                settings = self.crawler.settings
                refresh_duplicates(
                    self.store, dedupe_settings(settings), snapshot_path(settings, self.db)
                )
            status = run_status(list(self.tallies.values()))
            self.store.finish_run(self.run_id, datetime.now(UTC), status)

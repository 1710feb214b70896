"""
Applies each finished listing, and each job found gone, to the stored jobs: the lifecycle stage.

It runs just before the store pipeline so that the closings it counts onto a `ListingResult` are
recorded with that source's tallies; the source's postings have all been stored by then, because a
spider emits its `ListingResult` after its last posting. At the end it closes the spider's jobs whose
`valid_through` has passed and that no listing showed in this run.

Reads `JOBCRAWL_DB`, `JOBCRAWL_RUN_STARTED`, `JOBCRAWL_CLOSE_AFTER_MISSES`,
`JOBCRAWL_SUSPECT_LISTING_RATIO`, `JOBCRAWL_JOB_LIFETIME_DAYS`, `JOBCRAWL_LIFETIME_MIN_HISTORY`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Self

from scrapy.crawler import Crawler

from crawler.clock import run_started_at
from crawler.config import default_db_path
from crawler.ids import job_id
from crawler.items import JobGone, ListingResult
from crawler.lifecycle import LifecyclePolicy, settle_listing
from crawler.store import Store, open_store


class LifecyclePipeline:
    """Closes what a trusted listing no longer holds; reports what an untrusted one did not close."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.db = settings.get("JOBCRAWL_DB") or default_db_path()
        self.at = run_started_at(settings)
        self.policy = LifecyclePolicy(
            close_after=settings.getint("JOBCRAWL_CLOSE_AFTER_MISSES", 1),
            suspect_ratio=settings.getfloat("JOBCRAWL_SUSPECT_LISTING_RATIO", 0.5),
            lifetime_days=settings.getint("JOBCRAWL_JOB_LIFETIME_DAYS", 60),
            min_history=settings.getint("JOBCRAWL_LIFETIME_MIN_HISTORY", 5),
        )
        self.gone: Counter[tuple[str, str]] = Counter()
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = open_store(self.db)

    def process_item(self, item: Any) -> Any:
        assert self.store is not None  # noqa: S101 (opened in open_spider)
        if isinstance(item, JobGone):
            the_id = job_id(item.source, item.source_key, item.source_id)
            if self.store.close_job(the_id, at=self.at, reason="detail_gone"):
                self.gone[item.source, item.source_key] += 1
        if isinstance(item, ListingResult):
            item.closed += self.gone.pop((item.source, item.source_key), 0)
            settle_listing(self.store, item, at=self.at, policy=self.policy)
        return item

    def close_spider(self) -> None:
        if self.store is None:
            return
        sources = [(s.kind, s.key) for s in getattr(self.crawler.spider, "sources", [])]
        self.store.expire_jobs(at=self.at, unseen_since=self.at, sources=sources)
        self.store.commit()

"""
The alerts stage: notes what the crawl touched, and at the end of the run raises and delivers the
alerts about it.

It passes every item through unchanged and remembers the boards this spider crawled and the postings
it stored. The end-of-run step then looks at the saved jobs of those boards (expiring, closed or
removed, reopened, changed), at the reminders that fell due, and at the new postings for the saved
searches; it stores each new alert once and delivers everything pending, older failures included.

The step runs on `spider_closed`, which Scrapy sends after every pipeline's `close_spider`: by then
the store has committed the run and the lifecycle has closed the jobs whose deadline passed, so the
alerts see the run's final state. A broken alerts settings file costs one error line and no alerts
this run: the conditions still hold, so the next run or `jobcrawl alerts send` raises them.

Reads `JOBCRAWL_DB`, `JOBCRAWL_RUN_STARTED`, `JOBCRAWL_EXPIRY_WARNING_DAYS` (default 3) and
`JOBCRAWL_ALERTS_CONFIG` (default: `$JOBCRAWL_ALERTS_CONFIG`, else
`~/.config/jobcrawl/alerts.yaml` when it exists).
"""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.alerts import AlertPolicy, load_alerts_config, run_alert_step
from crawler.clock import run_started_at
from crawler.config import default_db_path
from crawler.errors import ConfigError
from crawler.items import JobPosting, ListingResult
from crawler.store import open_store
from crawler.store.tracking import TrackingStore

logger = logging.getLogger(__name__)


class AlertsPipeline:
    """Remembers the boards and postings of the run; raises and delivers alerts when it ends."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.db = settings.get("JOBCRAWL_DB") or default_db_path()
        self.at = run_started_at(settings)
        self.policy = AlertPolicy(expiry_days=settings.getint("JOBCRAWL_EXPIRY_WARNING_DAYS", 3))
        self.config_path = settings.get("JOBCRAWL_ALERTS_CONFIG")
        self.boards: set[tuple[str, str]] = set()
        self.posted: set[str] = set()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def open_spider(self) -> None:
        for source in getattr(self.crawler.spider, "sources", []):
            self.boards.add((source.kind, source.key))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, JobPosting):
            self.posted.add(item.id)
        elif isinstance(item, ListingResult):
            self.boards.add((item.source, item.source_key))
        return item

    def spider_closed(self) -> None:
        try:
            config = load_alerts_config(self.config_path)
        except ConfigError as exc:
            logger.error("alerts: none raised this run: %s", exc)
            return
        store = open_store(self.db)
        step = run_alert_step(
            store,
            TrackingStore(store),
            config,
            at=self.at,
            policy=self.policy,
            sources=sorted(self.boards),
            new_job_ids=self.posted,
        )
        delivery = step.delivery
        logger.info("alerts: %d raised; %s", len(step.raised), delivery.summary())
        if delivery.failed:
            logger.error("alerts: left in the outbox for the next run: %s", delivery.summary())

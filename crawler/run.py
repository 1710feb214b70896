"""
One crawl run: every source, grouped into one Scrapy crawler per family, recorded in `runs`.

This is the only bridge from user configuration to Scrapy: it turns sources and options into spider
arguments and settings overrides, starts `AsyncCrawlerProcess`, and reads the outcome back from the
store. A reactor starts once per process, so call `crawl()` once per process.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.settings import Settings

from crawler.duplicates import dedupe_settings, refresh_duplicates, snapshot_path
from crawler.items import ListingResult
from crawler.logs import install_json_logging
from crawler.sources import SourceBase
from crawler.store import SourceTally, open_store
from pipelines.store import StorePipeline, run_status

ListingCallback = Callable[[ListingResult, SourceTally | None], None]


@dataclass(frozen=True)
class RunSummary:
    """What a run did, source by source."""

    run_id: int
    status: str
    sources: list[SourceTally]

    @property
    def failed(self) -> list[SourceTally]:
        return [tally for tally in self.sources if not tally.complete]


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    if overrides:
        settings.update(overrides, priority="cmdline")
    return settings


def crawl(
    sources: Sequence[SourceBase],
    *,
    db: Path,
    overrides: dict[str, Any] | None = None,
    on_listing: ListingCallback | None = None,
    observers: Sequence[Callable[[Crawler], None]] = (),
) -> RunSummary:
    """
    Crawl `sources` into the database at `db`.

    `on_listing` hears each source finish; each of `observers` is given every crawler before it
    starts, to connect to its signals (the live progress display does).
    """
    started = datetime.now(UTC)
    store = open_store(db)
    run_id = store.start_run(started)
    settings = project_settings(
        {
            **(overrides or {}),
            "JOBCRAWL_DB": str(db),
            "JOBCRAWL_RUN_ID": run_id,
            "JOBCRAWL_RUN_STARTED": started.isoformat(),
        }
    )
    if settings.get("JOBCRAWL_LOG_FORMAT") == "json":
        install_json_logging(settings)
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = AsyncCrawlerProcess(settings)
    by_family: dict[str, list[SourceBase]] = defaultdict(list)
    for source in sources:
        by_family[source.kind].append(source)
    for family, group in by_family.items():
        crawler = process.create_crawler(family)
        if on_listing is not None:
            _report_listings(crawler, on_listing)
        for observe in observers:
            observe(crawler)
        process.crawl(crawler, sources=group)
    process.start()
    if settings.getbool("JOBCRAWL_DEDUPE"):
        refresh_duplicates(store, dedupe_settings(settings), snapshot_path(settings, db))
    return _summarise(store, run_id, sources)


def _report_listings(crawler: Crawler, on_listing: ListingCallback) -> None:
    def item_scraped(item: Any) -> None:
        if isinstance(item, ListingResult):
            pipeline = crawler.get_item_pipeline(StorePipeline)
            tally = pipeline.tallies.get((item.source, item.source_key)) if pipeline else None
            on_listing(item, tally)

    crawler.signals.connect(item_scraped, signal=signals.item_scraped, weak=False)


def _summarise(store: Any, run_id: int, sources: Sequence[SourceBase]) -> RunSummary:
    """Read the tallies back; a source that recorded nothing (its crawler died) counts as failed."""
    record = store.get_run(run_id)
    recorded = {(t.source, t.source_key): t for t in (record.sources if record else [])}
    tallies = []
    for source in sources:
        tally = recorded.get((source.kind, source.key))
        if tally is None:
            tally = SourceTally(source.kind, source.key, error="the crawler did not finish")
            store.record_source(run_id, tally)
        tallies.append(tally)
    status = run_status(tallies)
    store.finish_run(run_id, datetime.now(UTC), status)
    return RunSummary(run_id, status, tallies)

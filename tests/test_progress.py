"""The live progress table, fed by the signals of a real crawl over HTTP."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from crawler.cli.progress import LiveProgress
from crawler.demo.server import CareerSiteServer, Fault
from crawler.sources import GreenhouseSource
from spiders.greenhouse import GreenhouseSpider
from tests.conftest import crawl_settings
from tests.test_spider_greenhouse import BOARD


@deferred_f_from_coro_f
async def test_rows_count_responses_errors_postings_and_states(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    career_site.add_fault(BOARD.format("databricks"), *[Fault(status=500)] * 3)
    sources = [
        GreenhouseSource(board=board, base_url=career_site.url)
        for board in ("vercel", "databricks")
    ]
    screen = Console(record=True, width=100, force_terminal=True)
    progress = LiveProgress(list(sources), screen)
    crawler = get_crawler(GreenhouseSpider, crawl_settings(db_path, JOBCRAWL_RETRY_BACKOFF=0.01))
    progress.watch(crawler)
    with progress:
        await crawler.crawl_async(sources=sources)
    vercel, databricks = progress.rows["greenhouse:vercel"], progress.rows["greenhouse:databricks"]
    assert (vercel.responses, vercel.errors, vercel.postings, vercel.state) == (1, 0, 2, "complete")
    # Retries happen below the engine: the spider sees the last answer of the three.
    assert (databricks.responses, databricks.errors, databricks.state) == (1, 1, "incomplete")
    assert databricks.error.endswith("HTTP 500")
    screen.print(progress.table())
    text = screen.export_text()
    assert "2 of 2 sources done" in text
    assert "greenhouse:vercel" in text

"""Real Scrapy crawls of Workable accounts served over HTTP on 127.0.0.1, through every pipeline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from crawler.demo.server import CareerSiteServer, Fault
from crawler.errors import ConfigError
from crawler.sources import WorkableSource
from spiders.workable import WorkableSpider
from tests.conftest import crawl_settings
from tests.test_spider_greenhouse import listings, postings, rows

ACCOUNT = "/api/v1/widget/accounts/{}"
IDS = ["1B7FCA3A83", "1865248842", "8947870F67"]


async def run_crawl(
    server: CareerSiteServer, db_path: Path, boards: list[str], **settings: Any
) -> tuple[list[Any], Crawler]:
    sources = [WorkableSource(board=b, base_url=server.url) for b in boards]
    crawler = get_crawler(WorkableSpider, crawl_settings(db_path, **settings))
    items: list[Any] = []

    def collect(item: Any) -> None:
        items.append(item)

    crawler.signals.connect(collect, signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(sources=sources)
    return items, crawler


@pytest.fixture
def second_board(site_data: Path) -> str:
    """A second recorded account (a copy of the first), so one crawl has two Workable sources."""
    folder = site_data / "workable"
    shutil.copy(folder / "amazing-care.json", folder / "second-care.json")
    return "second-care"


@deferred_f_from_coro_f
async def test_crawl_stores_every_posting(career_site: CareerSiteServer, db_path: Path) -> None:
    items, crawler = await run_crawl(career_site, db_path, ["amazing-care"])
    listing = listings(items)["amazing-care"]
    assert listing.complete
    assert listing.error is None
    assert listing.pages == 1
    assert sorted(listing.seen_ids) == sorted(f"workable:amazing-care:{i}" for i in IDS)
    api_requests = [p for p in career_site.requests if p.startswith("/api/")]
    assert api_requests == [ACCOUNT.format("amazing-care") + "?details=true"]
    assert rows(db_path, "SELECT count(*), count(DISTINCT id) FROM jobs") == [(3, 3)]
    assert rows(db_path, "SELECT source_key, complete, seen, new FROM run_sources") == [
        ("amazing-care", 1, 3, 3)
    ]
    job = next(p for p in postings(items) if p.source_id == "1B7FCA3A83")
    assert job.id == "workable:amazing-care:1B7FCA3A83"
    assert job.url == "https://apply.workable.com/j/1B7FCA3A83"
    assert job.apply_url == "https://apply.workable.com/j/1B7FCA3A83/apply"
    assert job.company == "Amazing Care Home Health Services"
    assert job.employment_type == ["PART_TIME"]
    assert str(job.date_posted) == "2026-07-13"
    assert [(loc.city, loc.region, loc.country) for loc in job.locations] == [
        ("St. George", "UT", "US")
    ]
    assert job.department == "Clinical Staff"
    assert job.description_text is not None
    assert "Occupational Therapist" in job.description_text
    assert crawler.stats is not None
    assert crawler.stats.get_value("item_dropped_count") is None


@deferred_f_from_coro_f
async def test_recrawl_of_an_unchanged_account_writes_no_versions(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["amazing-care"])
    await run_crawl(career_site, db_path, ["amazing-care"])
    assert rows(db_path, "SELECT count(*) FROM job_versions") == [(3,)]
    assert rows(db_path, "SELECT new, unchanged FROM run_sources ORDER BY run_id") == [
        (3, 0),
        (0, 3),
    ]


@deferred_f_from_coro_f
async def test_a_job_without_a_shortcode_makes_the_listing_incomplete(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    board_file = site_data / "workable" / "amazing-care.json"
    account = json.loads(board_file.read_text())
    del account["jobs"][1]["shortcode"]
    account["jobs"][2]["title"] = None
    board_file.write_text(json.dumps(account))
    items, _ = await run_crawl(career_site, db_path, ["amazing-care"])
    listing = listings(items)["amazing-care"]
    assert not listing.complete
    assert listing.error == (
        f"{career_site.url}{ACCOUNT.format('amazing-care')}?details=true: a job without a shortcode"
    )
    assert sorted(listing.seen_ids) == [
        "workable:amazing-care:1B7FCA3A83",
        "workable:amazing-care:8947870F67",
    ]
    assert rows(db_path, "SELECT source_id FROM jobs") == [("1B7FCA3A83",)]


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ([Fault(status=500)] * 3, "HTTP 500"),
        ([Fault(truncate=900)] * 3, "ResponseDataLossError"),
        ([Fault(body=b'{"name": "x", "jobs": [{"shortcode": "1B7')], "response: Unterminated"),
        ([Fault(body=b"<!DOCTYPE html><title>Just a moment...</title>")], "response: Expecting"),
        ([Fault(body=b'{"name": "x", "jobs": {}}')], "unreadable response: `jobs` is not a list"),
        ([Fault(status=404)], "HTTP 404"),
    ],
)
@deferred_f_from_coro_f
async def test_a_failing_account_is_incomplete_and_the_other_completes(
    career_site: CareerSiteServer,
    second_board: str,
    db_path: Path,
    faults: list[Fault],
    error: str,
) -> None:
    career_site.add_fault(ACCOUNT.format("amazing-care"), *faults)
    items, _ = await run_crawl(
        career_site, db_path, ["amazing-care", second_board], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    found = listings(items)
    failed = found["amazing-care"]
    assert not failed.complete
    assert failed.error is not None
    assert failed.error.startswith(f"{career_site.url}{ACCOUNT.format('amazing-care')}")
    assert error in failed.error
    assert found[second_board].complete
    assert rows(db_path, "SELECT DISTINCT source_key FROM jobs") == [(second_board,)]


@deferred_f_from_coro_f
async def test_server_errors_are_retried(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.add_fault(ACCOUNT.format("amazing-care"), Fault(status=503))
    items, crawler = await run_crawl(
        career_site, db_path, ["amazing-care"], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    assert listings(items)["amazing-care"].complete
    assert len(postings(items)) == 3
    assert crawler.stats is not None
    assert crawler.stats.get_value("retry/count") == 1


@deferred_f_from_coro_f
async def test_retry_after_is_honoured(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.add_fault(
        ACCOUNT.format("amazing-care"), Fault(status=429, headers={"Retry-After": "1"})
    )
    items, crawler = await run_crawl(
        career_site, db_path, ["amazing-care"], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    assert listings(items)["amazing-care"].complete
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/retry/waited_ms") == 1000


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.robots_txt = b"User-agent: *\nDisallow: /api/v1/widget/\n"
    items, _ = await run_crawl(career_site, db_path, ["amazing-care"])
    listing = listings(items)["amazing-care"]
    assert not listing.complete
    assert listing.error is not None
    assert "robots.txt" in listing.error
    assert not any(path.startswith("/api/") for path in career_site.requests)


def test_spider_arguments_go_through_the_sources_model() -> None:
    spider = WorkableSpider(board="amazing-care")
    assert [s.label for s in spider.sources] == ["workable:amazing-care"]
    assert spider.sources[0].api_base == "https://apply.workable.com"
    with pytest.raises(ConfigError, match="spider workable: board: Field required"):
        WorkableSpider()
    with pytest.raises(ConfigError, match="board: String should match pattern"):
        WorkableSpider(board="apply.workable.com/acme")

"""Real Scrapy crawls of Recruitee careers sites served on 127.0.0.1, through every pipeline."""

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
from crawler.sources import RecruiteeSource
from spiders.recruitee import RecruiteeSpider
from tests.conftest import crawl_settings
from tests.test_spider_greenhouse import listings, postings, rows

OFFERS = "/recruitee/{}/api/offers/"


async def run_crawl(
    server: CareerSiteServer, db_path: Path, boards: list[str], **settings: Any
) -> tuple[list[Any], Crawler]:
    """Each careers site is its own host in reality; here it lives under `/recruitee/{board}`."""
    sources = [RecruiteeSource(board=b, base_url=f"{server.url}/recruitee/{b}") for b in boards]
    crawler = get_crawler(RecruiteeSpider, crawl_settings(db_path, **settings))
    items: list[Any] = []

    def collect(item: Any) -> None:
        items.append(item)

    crawler.signals.connect(collect, signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(sources=sources)
    return items, crawler


@pytest.fixture
def second_board(site_data: Path) -> str:
    """A second recorded site (a copy of the first), so one crawl has two Recruitee sources."""
    folder = site_data / "recruitee"
    shutil.copy(folder / "channable.json", folder / "channable-nl.json")
    return "channable-nl"


@deferred_f_from_coro_f
async def test_crawl_stores_every_posting(career_site: CareerSiteServer, db_path: Path) -> None:
    items, crawler = await run_crawl(career_site, db_path, ["channable"])
    listing = listings(items)["channable"]
    assert listing.complete
    assert listing.pages == 1
    assert sorted(listing.seen_ids) == [
        "recruitee:channable:2743511",
        "recruitee:channable:2751915",
    ]
    assert [p for p in career_site.requests if p.startswith("/recruitee/")] == [
        OFFERS.format("channable")
    ]
    assert rows(db_path, "SELECT count(*), count(DISTINCT id) FROM jobs") == [(2, 2)]
    assert rows(db_path, "SELECT source_key, complete, seen, new FROM run_sources") == [
        ("channable", 1, 2, 2)
    ]
    job = next(p for p in postings(items) if p.source_id == "2743511")
    assert job.url == "https://jobs.channable.com/o/head-of-people-culture"
    assert job.apply_url == "https://jobs.channable.com/o/head-of-people-culture/c/new"
    assert job.company == "Channable"
    assert job.remote == "hybrid"
    assert job.employment_type == ["FULL_TIME"]
    assert job.salary is not None
    assert (job.salary.min, job.salary.max, job.salary.currency, job.salary.period) == (
        115000,
        130000,
        "EUR",
        "YEAR",
    )
    assert str(job.date_posted) == "2026-09-11"
    assert job.updated_at is not None
    assert job.updated_at.isoformat() == "2026-09-21T12:02:55+00:00"
    assert [(loc.city, loc.country) for loc in job.locations] == [("Utrecht", "NL")]
    assert job.language == "en"
    assert job.description_text is not None
    assert "Head of People" in job.description_text
    assert "Who are you?" in job.description_text  # the requirements follow the description
    assert crawler.stats is not None
    assert crawler.stats.get_value("item_dropped_count") is None


@deferred_f_from_coro_f
async def test_recrawl_sees_a_changed_and_a_removed_offer(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["channable"])
    board_file = site_data / "recruitee" / "channable.json"
    board = json.loads(board_file.read_text())
    board["offers"][1]["salary"]["max"] = "140000"
    board["offers"] = board["offers"][1:]
    board_file.write_text(json.dumps(board))
    items, _ = await run_crawl(career_site, db_path, ["channable"])
    assert listings(items)["channable"].seen_ids == ["recruitee:channable:2743511"]
    assert rows(db_path, "SELECT changed_fields FROM job_versions WHERE version = 2") == [
        ('["salary"]',)
    ]


@deferred_f_from_coro_f
async def test_an_offer_without_an_id_makes_the_listing_incomplete(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    board_file = site_data / "recruitee" / "channable.json"
    board = json.loads(board_file.read_text())
    board["offers"][0]["id"] = None
    board_file.write_text(json.dumps(board))
    items, _ = await run_crawl(career_site, db_path, ["channable"])
    listing = listings(items)["channable"]
    assert not listing.complete
    assert listing.error == f"{career_site.url}{OFFERS.format('channable')}: an offer without an id"
    assert listing.seen_ids == ["recruitee:channable:2743511"]
    assert rows(db_path, "SELECT source_id FROM jobs") == [("2743511",)]


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ([Fault(status=500)] * 3, "HTTP 500"),
        ([Fault(truncate=700)] * 3, "ResponseDataLossError"),
        ([Fault(body=b'{"offers": [{"id": 27519')], "unreadable response: Expecting"),
        ([Fault(body=b"[]")], "unreadable response: expected a JSON object, got list"),
        ([Fault(status=404)], "HTTP 404"),
    ],
)
@deferred_f_from_coro_f
async def test_a_failing_site_is_incomplete_and_the_other_completes(
    career_site: CareerSiteServer,
    second_board: str,
    db_path: Path,
    faults: list[Fault],
    error: str,
) -> None:
    career_site.add_fault(OFFERS.format("channable"), *faults)
    items, _ = await run_crawl(
        career_site, db_path, ["channable", second_board], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    found = listings(items)
    assert not found["channable"].complete
    assert found["channable"].error is not None
    assert found["channable"].error.startswith(f"{career_site.url}{OFFERS.format('channable')}")
    assert error in found["channable"].error
    assert found[second_board].complete
    assert rows(db_path, "SELECT DISTINCT source_key FROM jobs") == [(second_board,)]


@deferred_f_from_coro_f
async def test_retry_after_is_honoured(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.add_fault(
        OFFERS.format("channable"), Fault(status=429, headers={"Retry-After": "1"})
    )
    items, crawler = await run_crawl(
        career_site, db_path, ["channable"], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    assert listings(items)["channable"].complete
    assert len(postings(items)) == 2
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/retry/waited_ms") == 1000


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.robots_txt = b"User-agent: *\nDisallow: /recruitee/channable/api/\n"
    items, _ = await run_crawl(career_site, db_path, ["channable"])
    listing = listings(items)["channable"]
    assert not listing.complete
    assert listing.error is not None
    assert "robots.txt" in listing.error
    assert not any(path.startswith("/recruitee/") for path in career_site.requests)


def test_the_board_names_the_careers_site_host() -> None:
    spider = RecruiteeSpider(board="channable")
    assert spider.sources[0].api_base == "https://channable.recruitee.com"
    mirrored = RecruiteeSpider(
        board="channable", base_url="http://127.0.0.1:9/recruitee/channable/"
    )
    assert mirrored.sources[0].api_base == "http://127.0.0.1:9/recruitee/channable"
    assert mirrored.sources[0].label == "recruitee:channable"
    with pytest.raises(ConfigError, match="board: String should match pattern"):
        RecruiteeSpider(board="channable.recruitee.com/o")

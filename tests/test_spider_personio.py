"""Real Scrapy crawls of Personio XML feeds served on 127.0.0.1, through every pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import TextResponse
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from crawler.demo.server import CareerSiteServer, Fault
from crawler.errors import ConfigError
from crawler.sources import PersonioSource
from spiders.personio import PersonioSpider, extract
from tests.conftest import crawl_settings
from tests.extract_cases import FIXTURES
from tests.test_spider_greenhouse import listings, postings, rows

FEED = "/personio/{}/xml"
IDS = ["2335782", "2377588", "2415353", "342554"]
CHALLENGE = (FIXTURES / "personio" / "constructed-challenge-page" / "response.html").read_bytes()


async def run_crawl(
    server: CareerSiteServer, db_path: Path, boards: list[str], **settings: Any
) -> tuple[list[Any], Crawler]:
    """Each careers page is its own host in reality; here it lives under `/personio/{board}`."""
    sources = [PersonioSource(board=b, base_url=f"{server.url}/personio/{b}") for b in boards]
    crawler = get_crawler(PersonioSpider, crawl_settings(db_path, **settings))
    items: list[Any] = []

    def collect(item: Any) -> None:
        items.append(item)

    crawler.signals.connect(collect, signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(sources=sources)
    return items, crawler


@pytest.fixture
def second_board(site_data: Path) -> str:
    """A second recorded feed (a copy of the first), so one crawl has two Personio sources."""
    folder = site_data / "personio"
    shutil.copy(folder / "clark.xml", folder / "clark-ch.xml")
    return "clark-ch"


@deferred_f_from_coro_f
async def test_crawl_stores_every_posting(career_site: CareerSiteServer, db_path: Path) -> None:
    items, crawler = await run_crawl(career_site, db_path, ["clark"])
    listing = listings(items)["clark"]
    assert listing.complete
    assert listing.pages == 1
    assert sorted(listing.seen_ids) == [f"personio:clark:{i}" for i in IDS]
    assert [p for p in career_site.requests if p.startswith("/personio/")] == [FEED.format("clark")]
    assert rows(db_path, "SELECT count(*), count(DISTINCT id) FROM jobs") == [(4, 4)]
    assert rows(db_path, "SELECT source_key, complete, seen, new FROM run_sources") == [
        ("clark", 1, 4, 4)
    ]
    found = {p.source_id: p for p in postings(items)}
    crm = found["2415353"]
    assert crm.url == f"{career_site.url}/personio/clark/job/2415353"
    assert crm.company == "CLARK Holding SE"
    assert crm.employment_type == ["FULL_TIME"]
    assert str(crm.date_posted) == "2025-11-04"
    assert [loc.city for loc in crm.locations] == ["Berlin", "Frankfurt am Main"]
    assert crm.department == "Group - Marketing"
    assert found["2377588"].remote == "remote"
    assert found["342554"].department == "DE - Sales Life & Health"
    assert crawler.stats is not None
    assert crawler.stats.get_value("item_dropped_count") is None


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ([Fault(status=500)] * 3, "HTTP 500"),
        ([Fault(truncate=1200)] * 3, "ResponseDataLossError"),
        (
            [Fault(body=b"<workzag-jobs><position><id>1</id><na")],
            "unreadable response: not well-formed XML",
        ),
        (
            [Fault(body=CHALLENGE)],
            'unreadable response: expected the XML feed, got an HTML page ("Vercel Security',
        ),
        ([Fault(status=404)], "HTTP 404"),
    ],
)
@deferred_f_from_coro_f
async def test_a_failing_feed_is_incomplete_and_the_other_completes(
    career_site: CareerSiteServer,
    second_board: str,
    db_path: Path,
    faults: list[Fault],
    error: str,
) -> None:
    career_site.add_fault(FEED.format("clark"), *faults)
    items, _ = await run_crawl(
        career_site, db_path, ["clark", second_board], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    found = listings(items)
    assert not found["clark"].complete
    assert found["clark"].error is not None
    assert found["clark"].error.startswith(f"{career_site.url}{FEED.format('clark')}")
    assert error in found["clark"].error
    assert found[second_board].complete
    assert rows(db_path, "SELECT DISTINCT source_key FROM jobs") == [(second_board,)]


@deferred_f_from_coro_f
async def test_a_blocked_recrawl_leaves_the_stored_jobs_open(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["clark"])
    before = rows(db_path, "SELECT * FROM jobs ORDER BY id")
    career_site.add_fault(FEED.format("clark"), Fault(body=CHALLENGE))
    items, _ = await run_crawl(career_site, db_path, ["clark"])
    assert not listings(items)["clark"].complete
    assert rows(db_path, "SELECT * FROM jobs ORDER BY id") == before
    assert rows(db_path, "SELECT status FROM runs ORDER BY id") == [("ok",), ("failed",)]


@deferred_f_from_coro_f
async def test_retry_after_is_honoured(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.add_fault(FEED.format("clark"), Fault(status=429, headers={"Retry-After": "1"}))
    items, crawler = await run_crawl(career_site, db_path, ["clark"], JOBCRAWL_RETRY_BACKOFF=0.01)
    assert listings(items)["clark"].complete
    assert len(postings(items)) == 4
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/retry/waited_ms") == 1000


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.robots_txt = b"User-agent: *\nDisallow: /personio/clark/xml\n"
    items, _ = await run_crawl(career_site, db_path, ["clark"])
    listing = listings(items)["clark"]
    assert not listing.complete
    assert listing.error is not None
    assert "robots.txt" in listing.error
    assert not any(path.startswith("/personio/") for path in career_site.requests)


def test_the_domain_picks_the_careers_host() -> None:
    german = PersonioSpider(board="clark").sources[0]
    assert german.api_base == "https://clark.jobs.personio.de"
    [other] = PersonioSpider(board="clark", domain="com").sources
    assert other.api_base == "https://clark.jobs.personio.com"
    assert other.label == german.label == "personio:clark"
    with pytest.raises(ConfigError, match="domain: Input should be 'de' or 'com'"):
        PersonioSpider(board="clark", domain="at")


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (CHALLENGE, "text/html", 'got an HTML page ("Vercel Security Checkpoint")'),
        (b"<html><body>Login</body></html>", "text/xml", "got an HTML page"),
        (b"<html><p>Not found</html>", "", "got an HTML page"),
        (b"", "text/xml", "not well-formed XML: Document is empty"),
        (b"<rss><channel/></rss>", "text/xml", "expected <workzag-jobs>, got <rss>"),
        (
            b'<!DOCTYPE workzag-jobs SYSTEM "http://evil.example/x.dtd"><workzag-jobs/>',
            "text/xml",
            "declares a DTD",
        ),
    ],
)
def test_what_is_not_the_feed_is_named(body: bytes, content_type: str, message: str) -> None:
    response = TextResponse(
        "https://clark.jobs.personio.de/xml", body=body, headers={"Content-Type": content_type}
    )
    with pytest.raises(ValueError) as raised:
        extract(response, PersonioSource(board="clark"))
    assert message in str(raised.value)


def test_an_empty_feed_is_a_complete_empty_listing() -> None:
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n<workzag-jobs>\n</workzag-jobs>\n'
    response = TextResponse("https://clark.jobs.personio.de/xml", body=body)
    page = extract(response, PersonioSource(board="clark"))
    assert (page.postings, page.problems, page.incomplete) == ([], [], None)


@deferred_f_from_coro_f
async def test_language_is_asked_for_and_recorded(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    source = PersonioSource(
        board="clark", language="en", base_url=f"{career_site.url}/personio/clark"
    )
    crawler = get_crawler(PersonioSpider, crawl_settings(db_path))
    await crawler.crawl_async(sources=[source])
    assert "/personio/clark/xml?language=en" in career_site.requests
    assert rows(db_path, "SELECT DISTINCT json_extract(record, '$.language') FROM jobs") == [
        ("en",)
    ]

"""Real Scrapy crawls of Ashby boards served over HTTP on 127.0.0.1, through every pipeline."""

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
from crawler.demo.sites import SiteRequest
from crawler.demo.sites.ashby import answer
from crawler.errors import ConfigError
from crawler.sources import AshbySource
from spiders.ashby import AshbySpider
from tests.conftest import FIXTURES, crawl_settings
from tests.test_spider_greenhouse import listings, postings, rows

BOARD = "/posting-api/job-board/{}"
RAMP_IDS = [
    "34413f8d-26bf-4bbc-8ade-eb309a0e2245",
    "f564dcf9-9390-4a3f-896f-8047a5086040",
    "4e64ab86-4e30-403b-b1b9-41dc052570ce",
]


async def run_crawl(
    server: CareerSiteServer, db_path: Path, boards: list[str], **settings: Any
) -> tuple[list[Any], Crawler]:
    sources = [AshbySource(board=b, base_url=server.url) for b in boards]
    crawler = get_crawler(AshbySpider, crawl_settings(db_path, **settings))
    items: list[Any] = []

    def collect(item: Any) -> None:
        items.append(item)

    crawler.signals.connect(collect, signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(sources=sources)
    return items, crawler


@deferred_f_from_coro_f
async def test_crawl_stores_every_posting(career_site: CareerSiteServer, db_path: Path) -> None:
    items, crawler = await run_crawl(career_site, db_path, ["ramp", "linear"])
    found = listings(items)
    assert found["ramp"].complete
    assert found["linear"].complete
    assert found["ramp"].pages == 1
    assert sorted(found["ramp"].seen_ids) == sorted(f"ashby:ramp:{i}" for i in RAMP_IDS)
    # The two boards are fetched concurrently: in either order.
    assert sorted(r for r in career_site.requests if r != "/robots.txt") == [
        "/posting-api/job-board/linear?includeCompensation=true",
        "/posting-api/job-board/ramp?includeCompensation=true",
    ]
    assert len(postings(items)) == 5
    assert rows(db_path, "SELECT count(*), count(DISTINCT id) FROM jobs") == [(5, 5)]
    job = next(p for p in postings(items) if p.source_id == RAMP_IDS[0])
    assert job.id == f"ashby:ramp:{RAMP_IDS[0]}"
    assert job.title == "Security Engineer, Cloud"  # the board's title has a leading space
    assert job.url == f"https://jobs.ashbyhq.com/ramp/{RAMP_IDS[0]}"
    assert job.apply_url == f"https://jobs.ashbyhq.com/ramp/{RAMP_IDS[0]}/application"
    assert job.location_raw == "New York, NY (HQ)"
    assert ("Miami", "FL", "US") in [(p.city, p.region, p.country) for p in job.locations]
    assert job.remote == "hybrid"  # workplaceType "Hybrid" decides over isRemote true
    assert job.employment_type == ["FULL_TIME"]
    assert str(job.date_posted) == "2026-04-07"
    assert job.department == "Engineering"
    assert job.salary is None
    assert job.description_text is not None
    assert job.description_text.startswith("About Ramp")
    assert crawler.stats is not None
    assert crawler.stats.get_value("item_dropped_count") is None
    assert rows(db_path, "SELECT status FROM runs") == [("ok",)]
    assert rows(db_path, "SELECT source_key, complete, seen, new FROM run_sources ORDER BY 1") == [
        ("linear", 1, 2, 2),
        ("ramp", 1, 3, 3),
    ]


@deferred_f_from_coro_f
async def test_compensation_becomes_the_salary(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    shutil.copyfile(
        FIXTURES / "ashby" / "constructed-compensation" / "response.json",
        site_data / "ashby" / "example.json",
    )
    items, _ = await run_crawl(career_site, db_path, ["example"])
    assert listings(items)["example"].complete
    jobs = {p.title: p for p in postings(items)}
    assert "Unlisted: Confidential VP Search" not in jobs
    salary = jobs["Product Manager"].salary
    assert salary is not None
    assert (salary.min, salary.max, salary.currency, salary.period) == (81000, 87000, "USD", "YEAR")
    assert salary.raw == "$81K – $87K • 0.5% – 1.75% • Offers Bonus"
    hourly = jobs["Barista"].salary
    assert hourly is not None
    assert (hourly.min, hourly.max, hourly.currency, hourly.period) == (18.5, 22, "EUR", "HOUR")
    assert jobs["Werkstudent:in Data (m/w/d)"].salary is None  # equity only: no pay
    assert jobs["Werkstudent:in Data (m/w/d)"].remote == "remote"  # isRemote true, no workplaceType


@deferred_f_from_coro_f
async def test_unlisted_jobs_are_not_seen_and_get_closed(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["ramp"])
    board_file = site_data / "ashby" / "ramp.json"
    board = json.loads(board_file.read_text(encoding="utf-8"))
    board["jobs"][0]["isListed"] = False
    board_file.write_text(json.dumps(board), encoding="utf-8")
    items, _ = await run_crawl(career_site, db_path, ["ramp"])
    listing = listings(items)["ramp"]
    assert listing.complete
    assert sorted(listing.seen_ids) == sorted(f"ashby:ramp:{i}" for i in RAMP_IDS[1:])
    assert rows(db_path, "SELECT id, close_reason FROM jobs WHERE status = 'closed'") == [
        (f"ashby:ramp:{RAMP_IDS[0]}", "absent_from_listing")
    ]


@deferred_f_from_coro_f
async def test_a_failing_board_does_not_stop_others_or_touch_stored_jobs(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["ramp"])
    before = rows(db_path, "SELECT * FROM jobs ORDER BY id")
    career_site.add_fault(BOARD.format("ramp"), *[Fault(status=500)] * 3)
    items, _ = await run_crawl(
        career_site, db_path, ["ramp", "linear"], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    found = listings(items)
    assert not found["ramp"].complete
    assert found["ramp"].error == (
        f"{career_site.url}/posting-api/job-board/ramp?includeCompensation=true: HTTP 500"
    )
    assert found["linear"].complete
    assert rows(db_path, "SELECT * FROM jobs WHERE source_key = 'ramp' ORDER BY id") == before


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ([Fault(body=b'{"apiVersion": "1", "jobs": [{"id": "34413f8d", "ti')], "Unterminated"),
        ([Fault(body=b'{"apiVersion": "1"}')], "unreadable response: no `jobs` in the response"),
        ([Fault(truncate=900)] * 3, "ResponseDataLossError"),
        ([Fault(status=404)], "HTTP 404"),
    ],
)
@deferred_f_from_coro_f
async def test_broken_responses_make_an_incomplete_listing(
    career_site: CareerSiteServer, db_path: Path, faults: list[Fault], error: str
) -> None:
    career_site.add_fault(BOARD.format("ramp"), *faults)
    items, _ = await run_crawl(career_site, db_path, ["ramp", "linear"])
    found = listings(items)
    assert not found["ramp"].complete
    assert found["ramp"].error is not None
    assert found["ramp"].error.startswith(f"{career_site.url}/posting-api/job-board/ramp?")
    assert error in found["ramp"].error
    assert found["linear"].complete
    assert rows(db_path, "SELECT DISTINCT source_key FROM jobs") == [("linear",)]


@deferred_f_from_coro_f
async def test_retry_after_is_honoured(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.add_fault(BOARD.format("ramp"), Fault(status=429, headers={"Retry-After": "1"}))
    items, crawler = await run_crawl(career_site, db_path, ["ramp"], JOBCRAWL_RETRY_BACKOFF=0.01)
    assert listings(items)["ramp"].complete
    assert len(postings(items)) == 3
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/retry/waited_ms") == 1000


@deferred_f_from_coro_f
async def test_unknown_board_is_an_incomplete_listing(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    items, _ = await run_crawl(career_site, db_path, ["no-such-board"])
    listing = listings(items)["no-such-board"]
    assert not listing.complete
    assert listing.error is not None
    assert listing.error.endswith("HTTP 404")


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.robots_txt = b"User-agent: *\nDisallow: /posting-api/\n"
    items, _ = await run_crawl(career_site, db_path, ["ramp"])
    listing = listings(items)["ramp"]
    assert not listing.complete
    assert listing.error is not None
    assert "robots.txt" in listing.error
    assert not any(path.startswith("/posting-api/") for path in career_site.requests)


def test_spider_arguments_go_through_the_sources_model() -> None:
    spider = AshbySpider(board="ramp")
    [request] = spider.listing_requests(spider.sources[0])
    assert (
        request.url == "https://api.ashbyhq.com/posting-api/job-board/ramp?includeCompensation=true"
    )
    with pytest.raises(ConfigError, match="spider ashby: region: unknown field"):
        AshbySpider(board="ramp", region="eu")


def test_the_demo_site_sends_compensation_only_when_asked(site_data: Path) -> None:
    def jobs(**query: str) -> list[dict[str, Any]]:
        request = SiteRequest(
            "GET", "/posting-api/job-board/linear", {k: [v] for k, v in query.items()}
        )
        reply = answer(request, site_data)
        assert reply is not None
        assert reply[0] == 200
        found: list[dict[str, Any]] = json.loads(reply[2])["jobs"]
        return found

    assert all("compensation" in job for job in jobs(includeCompensation="true"))
    assert not any("compensation" in job for job in jobs())
    assert answer(SiteRequest("GET", "/posting-api/job-board/no-such-board"), site_data) is None

"""Real Scrapy crawls of Greenhouse boards served over HTTP on 127.0.0.1, through every pipeline."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from crawler.demo.server import CareerSiteServer, Fault
from crawler.errors import ConfigError
from crawler.items import JobPosting, ListingResult
from crawler.sources import GreenhouseSource
from spiders.greenhouse import GreenhouseSpider
from tests.conftest import crawl_settings

BOARD = "/v1/boards/{}/jobs"


async def run_crawl(
    server: CareerSiteServer, db_path: Path, boards: list[str], **settings: Any
) -> tuple[list[Any], Crawler]:
    sources = [GreenhouseSource(board=b, base_url=server.url) for b in boards]
    crawler = get_crawler(GreenhouseSpider, crawl_settings(db_path, **settings))
    items: list[Any] = []

    def collect(item: Any) -> None:
        items.append(item)

    crawler.signals.connect(collect, signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(sources=sources)
    return items, crawler


def listings(items: list[Any]) -> dict[str, ListingResult]:
    return {i.source_key: i for i in items if isinstance(i, ListingResult)}


def postings(items: list[Any]) -> list[JobPosting]:
    return [i for i in items if isinstance(i, JobPosting)]


def rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


@deferred_f_from_coro_f
async def test_crawl_stores_every_posting(career_site: CareerSiteServer, db_path: Path) -> None:
    items, crawler = await run_crawl(career_site, db_path, ["vercel", "databricks", "datadog"])
    found = listings(items)
    assert found["vercel"].complete
    assert found["databricks"].complete
    assert not found["datadog"].complete
    assert found["datadog"].error is not None
    assert "3 of meta.total=429" in found["datadog"].error
    assert sorted(found["vercel"].seen_ids) == [
        "greenhouse:vercel:5999792004",
        "greenhouse:vercel:6136160004",
    ]
    assert len(postings(items)) == 7
    assert rows(db_path, "SELECT count(*), count(DISTINCT id) FROM jobs") == [(7, 7)]
    job = next(p for p in postings(items) if p.source_id == "6572669")
    assert job.id == "greenhouse:datadog:6572669"
    assert job.url == "https://careers.datadoghq.com/detail/6572669/?gh_jid=6572669"
    assert job.salary is not None
    assert (job.salary.min, job.salary.max, job.salary.currency) == (320000, 400000, "USD")
    assert str(job.date_posted) == "2025-01-24"
    assert job.employment_type == ["FULL_TIME"]
    assert job.description_html is not None
    assert "&lt;" not in job.description_html
    assert job.description_text is not None
    assert "Research Scientist" in job.description_text
    assert crawler.stats is not None
    assert crawler.stats.get_value("item_dropped_count") is None
    assert rows(db_path, "SELECT status FROM runs") == [("partial",)]
    assert rows(db_path, "SELECT source_key, complete, seen, new FROM run_sources ORDER BY 1") == [
        ("databricks", 1, 2, 2),
        ("datadog", 0, 3, 3),
        ("vercel", 1, 2, 2),
    ]


@deferred_f_from_coro_f
async def test_recrawl_and_change(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["vercel"])
    await run_crawl(career_site, db_path, ["vercel"])
    assert rows(db_path, "SELECT count(*) FROM jobs") == [(2,)]
    assert rows(db_path, "SELECT count(*) FROM job_versions") == [(2,)]
    assert rows(db_path, "SELECT unchanged FROM run_sources ORDER BY run_id") == [(0,), (2,)]

    board_file = site_data / "greenhouse" / "vercel.json"
    board = json.loads(board_file.read_text())
    board["jobs"][0]["title"] = "Account Executive, Enterprise"
    board["jobs"] = board["jobs"][:1]
    board_file.write_text(json.dumps(board))
    items, _ = await run_crawl(career_site, db_path, ["vercel"])

    assert listings(items)["vercel"].seen_ids == ["greenhouse:vercel:6136160004"]
    assert rows(
        db_path, "SELECT id, title, version, status, close_reason FROM jobs ORDER BY id"
    ) == [
        (
            "greenhouse:vercel:5999792004",
            "Account Executive, Majors",
            1,
            "closed",
            "absent_from_listing",
        ),
        ("greenhouse:vercel:6136160004", "Account Executive, Enterprise", 2, "open", None),
    ]
    assert rows(db_path, "SELECT changed_fields FROM job_versions WHERE version = 2") == [
        ('["title"]',)
    ]


@deferred_f_from_coro_f
async def test_unchanged_entries_are_seen_without_being_normalised_again(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    items, _ = await run_crawl(career_site, db_path, ["vercel"])
    revisions = rows(db_path, "SELECT source_revision FROM jobs")
    assert len(postings(items)) == 2
    assert all(revision.startswith("entry:") for (revision,) in revisions)

    items, crawler = await run_crawl(
        career_site, db_path, ["vercel"], JOBCRAWL_RUN_STARTED="2026-12-01T08:00:00+00:00"
    )
    assert postings(items) == []
    assert listings(items)["vercel"].unchanged_postings == 2
    assert listings(items)["vercel"].unchanged_details == 0
    assert rows(db_path, "SELECT unchanged, requests_saved FROM run_sources WHERE run_id = 2") == [
        (2, 0)  # seen and unchanged, but a bulk listing has no request per posting to save
    ]
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/postings/unchanged") == 2
    assert rows(db_path, "SELECT DISTINCT last_seen, version FROM jobs") == [
        ("2026-12-01T08:00:00Z", 1)
    ]
    assert rows(db_path, "SELECT source_revision FROM jobs") == revisions

    board_file = site_data / "greenhouse" / "vercel.json"
    board = json.loads(board_file.read_text())
    board["jobs"][0]["title"] = "Account Executive, Enterprise"
    board_file.write_text(json.dumps(board))
    items, _ = await run_crawl(career_site, db_path, ["vercel"])
    assert [p.title for p in postings(items)] == ["Account Executive, Enterprise"]
    assert listings(items)["vercel"].unchanged_postings == 1

    items, _ = await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_REFETCH_DETAILS=True)
    assert len(postings(items)) == 2  # the same switch that refetches details normalises all


@deferred_f_from_coro_f
async def test_server_errors_are_retried(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.add_fault(BOARD.format("vercel"), Fault(status=500), Fault(status=503))
    items, crawler = await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RETRY_BACKOFF=0.01)
    assert listings(items)["vercel"].complete
    assert len(postings(items)) == 2
    assert crawler.stats is not None
    assert crawler.stats.get_value("retry/count") == 2


@deferred_f_from_coro_f
async def test_retry_after_is_honoured(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.add_fault(BOARD.format("vercel"), Fault(status=429, headers={"Retry-After": "1"}))
    items, crawler = await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RETRY_BACKOFF=0.01)
    assert listings(items)["vercel"].complete
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/retry/waited_ms") == 1000


@deferred_f_from_coro_f
async def test_failing_board_does_not_stop_others_or_touch_stored_jobs(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["vercel"])
    before = rows(db_path, "SELECT * FROM jobs ORDER BY id")
    career_site.add_fault(BOARD.format("vercel"), *[Fault(status=500)] * 3)
    items, _ = await run_crawl(
        career_site, db_path, ["vercel", "databricks"], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    found = listings(items)
    assert not found["vercel"].complete
    assert found["vercel"].error is not None
    assert found["vercel"].error.endswith("HTTP 500")
    assert found["databricks"].complete
    assert rows(db_path, "SELECT * FROM jobs WHERE source_key = 'vercel' ORDER BY id") == before


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ([Fault(body=b'{"jobs": [{"id": 1, "tit')], "unreadable response: Unterminated"),
        ([Fault(truncate=900)] * 3, "ResponseDataLossError"),
        ([Fault(status=404)], "HTTP 404"),
    ],
)
@deferred_f_from_coro_f
async def test_broken_responses_make_an_incomplete_listing(
    career_site: CareerSiteServer, db_path: Path, faults: list[Fault], error: str
) -> None:
    career_site.add_fault(BOARD.format("vercel"), *faults)
    items, _ = await run_crawl(career_site, db_path, ["vercel", "databricks"])
    found = listings(items)
    assert not found["vercel"].complete
    assert found["vercel"].error is not None
    assert error in found["vercel"].error
    assert found["databricks"].complete
    assert rows(db_path, "SELECT DISTINCT source_key FROM jobs") == [("databricks",)]


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
    career_site.robots_txt = b"User-agent: *\nDisallow: /v1/\n"
    items, _ = await run_crawl(career_site, db_path, ["vercel"])
    listing = listings(items)["vercel"]
    assert not listing.complete
    assert listing.error is not None
    assert "robots.txt" in listing.error
    assert not any(path.startswith("/v1/") for path in career_site.requests)


def test_spider_arguments_go_through_the_sources_model() -> None:
    spider = GreenhouseSpider(board="acme", base_url="http://127.0.0.1:9/", _job="scrapyd-id")
    assert [s.label for s in spider.sources] == ["greenhouse:acme"]
    assert spider.sources[0].api_base == "http://127.0.0.1:9"
    with pytest.raises(ConfigError, match="spider greenhouse: board: Field required"):
        GreenhouseSpider()
    with pytest.raises(ConfigError, match="bord: unknown field"):
        GreenhouseSpider(bord="acme")


@deferred_f_from_coro_f
async def test_user_agent_carries_the_contact(career_site: CareerSiteServer, db_path: Path) -> None:
    await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_CONTACT="ops@example.com")
    agents = {headers["User-Agent"] for headers in career_site.headers}
    assert agents == {
        "jobcrawl/0.1 (+https://github.com/jobcrawl/jobcrawl; contact: ops@example.com)"
    }


@deferred_f_from_coro_f
async def test_conditional_requests_revalidate_an_unchanged_board(
    career_site: CareerSiteServer, db_path: Path, tmp_path: Path
) -> None:
    cache = {"HTTPCACHE_ENABLED": True, "HTTPCACHE_DIR": str(tmp_path / "httpcache")}
    await run_crawl(career_site, db_path, ["vercel"], **cache)
    career_site.headers.clear()
    items, _ = await run_crawl(career_site, db_path, ["vercel"], **cache)
    listing = listings(items)["vercel"]
    assert listing.complete
    assert len(listing.seen_ids) == 2
    assert listing.unchanged_postings == 2  # the revalidated board's entries: not normalised again
    board_requests = [h for h in career_site.headers if "If-None-Match" in h]
    assert len(board_requests) == 1  # the board was revalidated, not downloaded again
    assert rows(db_path, "SELECT statuses FROM run_sources ORDER BY run_id") == [
        ('{"200": 1}',),
        ('{"304": 1}',),
    ]

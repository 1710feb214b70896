"""
The detail-request template of `ApiSourceSpider`, crawled for real over HTTP on 127.0.0.1.

A test-only family reads recorded Greenhouse boards the incremental way: the listing without
descriptions, then one detail request per job, with Greenhouse's `updated_at` as the job's revision.
It exercises what every detail-based family (Workday, SmartRecruiters, Eightfold) relies on: new and
changed jobs are fetched, unchanged ones are seen without a request, a failing detail never loses a
job or spoils the listing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from crawler.demo.server import CareerSiteServer, Fault
from crawler.ids import listing_revision
from crawler.items import JobPosting, ListingResult, RawPosting
from crawler.sources import GreenhouseSource, SourceBase
from spiders.base import Detail, ListingPage, json_body
from spiders.greenhouse import GreenhouseSpider, parse_job
from tests.conftest import NOW, crawl_settings
from tests.test_spider_greenhouse import rows

JOB = "/v1/boards/vercel/jobs/{}"
IDS = ["5999792004", "6136160004"]


class IncrementalGreenhouseSpider(GreenhouseSpider):
    """Greenhouse read as list + details, so the template's detail path runs on real data."""

    name = "greenhouse"
    source_model: ClassVar[type[SourceBase]] = GreenhouseSource

    def listing_requests(self, source: SourceBase) -> Iterable[Any]:
        for request in super().listing_requests(source):
            yield request.replace(url=request.url.replace("?content=true", ""))

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        assert isinstance(response, TextResponse)
        page = ListingPage()
        for job in json.loads(response.text)["jobs"]:
            url = f"{source.api_base}/v1/boards/{source.key}/jobs/{job['id']}"
            page.details.append(Detail(str(job["id"]), url, revision=job["updated_at"]))
        return page

    def parse_detail(self, response: Response, source: SourceBase, detail: Detail) -> RawPosting:
        assert isinstance(response, TextResponse)
        return parse_job(json.loads(response.text), source)


async def crawl(
    server: CareerSiteServer, db_path: Path, **settings: Any
) -> tuple[list[Any], Crawler]:
    crawler = get_crawler(IncrementalGreenhouseSpider, crawl_settings(db_path, **settings))
    items: list[Any] = []

    def collect(item: Any) -> None:
        items.append(item)

    crawler.signals.connect(collect, signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(sources=[GreenhouseSource(board="vercel", base_url=server.url)])
    return items, crawler


def detail_requests(server: CareerSiteServer) -> list[str]:
    return sorted(path for path in server.requests if path.startswith("/v1/boards/vercel/jobs/"))


def listing(items: list[Any]) -> ListingResult:
    [result] = [i for i in items if isinstance(i, ListingResult)]
    return result


def later(days: int) -> str:
    return (NOW + timedelta(days=days)).isoformat()


@deferred_f_from_coro_f
async def test_first_crawl_fetches_every_detail_and_keeps_revisions(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    items, _ = await crawl(career_site, db_path)
    assert detail_requests(career_site) == [JOB.format(i) for i in IDS]
    postings = [i for i in items if isinstance(i, JobPosting)]
    assert sorted(p.source_id for p in postings) == IDS
    assert all(p.description_text for p in postings)
    assert listing(items).complete
    assert sorted(listing(items).seen_ids) == [f"greenhouse:vercel:{i}" for i in IDS]
    assert rows(db_path, "SELECT source_id, source_revision FROM jobs ORDER BY 1") == [
        ("5999792004", "2026-09-24T17:12:05-04:00"),
        ("6136160004", "2026-09-24T13:34:54-04:00"),
    ]


@deferred_f_from_coro_f
async def test_recrawl_fetches_only_new_and_changed_jobs(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    await crawl(career_site, db_path)
    career_site.requests.clear()
    items, crawler = await crawl(career_site, db_path, JOBCRAWL_RUN_STARTED=later(1))
    assert detail_requests(career_site) == []
    assert listing(items).complete
    assert len(listing(items).seen_ids) == 2
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/details/unchanged") == 2
    assert rows(db_path, "SELECT seen, unchanged FROM run_sources WHERE run_id = 2") == [(2, 2)]
    assert rows(db_path, "SELECT DISTINCT last_seen FROM jobs") == [
        (later(1).replace("+00:00", "Z"),)
    ]

    board_file = site_data / "greenhouse" / "vercel.json"
    board = json.loads(board_file.read_text())
    board["jobs"][0]["updated_at"] = "2026-10-01T09:00:00-04:00"
    board["jobs"][0]["title"] = "Account Executive, Strategic"
    board_file.write_text(json.dumps(board))
    career_site.requests.clear()
    await crawl(career_site, db_path, JOBCRAWL_RUN_STARTED=later(2))
    assert detail_requests(career_site) == [JOB.format("6136160004")]
    assert rows(db_path, "SELECT title, version, source_revision FROM jobs ORDER BY source_id") == [
        ("Account Executive, Majors", 1, "2026-09-24T17:12:05-04:00"),
        ("Account Executive, Strategic", 2, "2026-10-01T09:00:00-04:00"),
    ]


@deferred_f_from_coro_f
async def test_refetch_setting_fetches_every_detail(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    await crawl(career_site, db_path)
    career_site.requests.clear()
    await crawl(career_site, db_path, JOBCRAWL_REFETCH_DETAILS=True)
    assert detail_requests(career_site) == [JOB.format(i) for i in IDS]


@deferred_f_from_coro_f
async def test_failed_detail_keeps_the_job_seen_and_stored_record_intact(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    await crawl(career_site, db_path)
    before = rows(db_path, "SELECT * FROM jobs ORDER BY id")
    board_file = site_data / "greenhouse" / "vercel.json"
    board = json.loads(board_file.read_text())
    for job in board["jobs"]:
        job["updated_at"] = "2025-09-01T00:00:00Z"
    board_file.write_text(json.dumps(board))
    career_site.add_fault(JOB.format(IDS[0]), *[Fault(status=500)] * 3)
    career_site.add_fault(JOB.format(IDS[1]), Fault(body=b'{"id": 1, "tit'))

    items, crawler = await crawl(career_site, db_path, JOBCRAWL_RETRY_BACKOFF=0.01)

    assert listing(items).complete
    assert len(listing(items).seen_ids) == 2
    assert not [i for i in items if isinstance(i, JobPosting)]
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/details/failed") == 2
    assert rows(db_path, "SELECT * FROM jobs ORDER BY id") == before


# -- whole postings in the listing: the revision is a digest of the entry -----------------------------


def test_listing_revision_digests_every_field_but_the_revision() -> None:
    fixture = Path(__file__).parent / "fixtures" / "greenhouse" / "databricks" / "response.json"
    board = json.loads(fixture.read_text())
    source = GreenhouseSource(board="databricks")
    raw = parse_job(board["jobs"][0], source)
    revision = listing_revision(raw)
    assert revision.startswith("entry:")
    assert listing_revision(parse_job(board["jobs"][0], source)) == revision
    raw.revision = "2026-11-01"
    assert listing_revision(raw) == revision  # its own revision field is not part of the entry
    raw.title += " (Berlin)"
    assert listing_revision(raw) != revision
    raw.title = raw.title.removesuffix(" (Berlin)")
    raw.employment_type_raw = [*raw.employment_type_raw, "Contract"]
    assert listing_revision(raw) != revision


def test_json_bodies_are_read_from_bytes_unless_they_are_not_utf8() -> None:
    utf8 = TextResponse("http://127.0.0.1/a", body='{"city": "München"}'.encode())
    assert json_body(utf8) == {"city": "München"}
    assert getattr(utf8, "_cached_ubody", None) is None  # no decoded copy left on the response
    latin1 = TextResponse(
        "http://127.0.0.1/b",
        body='{"city": "München"}'.encode("latin-1"),
        headers={"Content-Type": "application/json; charset=iso-8859-1"},
    )
    assert json_body(latin1) == {"city": "München"}
    with pytest.raises(json.JSONDecodeError):
        json_body(TextResponse("http://127.0.0.1/c", body=b'{"jobs": [{"id": 1, "tit'))

"""Real Scrapy crawls of Eightfold career sites served over HTTP on 127.0.0.1, through every pipeline."""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from crawler.config import parse_source
from crawler.demo.server import CareerSiteServer, Fault
from crawler.demo.sites import Answer, SiteRequest
from crawler.demo.sites import eightfold as eightfold_site
from crawler.errors import ConfigError
from crawler.items import JobGone, JobPosting, ListingResult
from crawler.sources import EightfoldSource
from spiders.eightfold import EightfoldSpider, details_url, extract, search_url
from tests.conftest import crawl_settings
from tests.extract_cases import all_cases

SEARCH = "/api/pcsx/search"
DETAILS = "/api/pcsx/position_details"
CACI_IDS = ["1443153815392", "1443153778442", "1443153816177"]
MS_IDS = ["1970393556914401", "1970393556862981"]


async def run_crawl(
    server: CareerSiteServer, db_path: Path, domains: list[str], **settings: Any
) -> tuple[list[Any], Crawler]:
    sources = [EightfoldSource(domain=d, base_url=server.url) for d in domains]
    crawler = get_crawler(EightfoldSpider, crawl_settings(db_path, **settings))
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


def queries(server: CareerSiteServer, path: str) -> list[dict[str, str]]:
    """The query of every request to `path`, one value per name."""
    found = []
    for request in server.requests:
        parts = urlsplit(request)
        if parts.path == path:
            found.append(
                {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            )
    return found


def fetched_details(server: CareerSiteServer) -> list[str]:
    return sorted(q["position_id"] for q in queries(server, DETAILS))


def edit_site(site_data: Path, domain: str, count: int | None = None, **names: str) -> None:
    """Rewrite a recorded site: its `data.count`, or position titles by id."""
    path = site_data / "eightfold" / f"{domain}.json"
    recorded = json.loads(path.read_text(encoding="utf-8"))
    if count is not None:
        recorded["data"]["count"] = count
    for position in recorded["data"]["positions"]:
        position["name"] = names.get(str(position["id"]), position["name"])
    path.write_text(json.dumps(recorded), encoding="utf-8")


@pytest.fixture
def one_per_page(monkeypatch: pytest.MonkeyPatch, site_data: Path) -> None:
    """One position per search page, and recordings whose count matches what they hold."""
    monkeypatch.setattr(eightfold_site, "PAGE_SIZE", 1)
    edit_site(site_data, "caci.com", count=3)
    edit_site(site_data, "microsoft.com", count=2)


@deferred_f_from_coro_f
async def test_crawl_stores_every_position(career_site: CareerSiteServer, db_path: Path) -> None:
    items, crawler = await run_crawl(career_site, db_path, ["microsoft.com", "caci.com"])
    found = listings(items)
    # Both recordings are trimmed (2 of 3, and 3 of 1758 positions): kept, but not complete.
    assert found["microsoft.com"].error == (
        f"{career_site.url}{SEARCH}?domain=microsoft.com&query=&location=&start=2"
        "&sort_by=timestamp: listing ended with 2 of data.count=3 positions"
    )
    assert found["caci.com"].error is not None
    assert found["caci.com"].error.endswith("listing ended with 3 of data.count=1758 positions")
    assert sorted(found["caci.com"].seen_ids) == sorted(f"eightfold:caci.com:{i}" for i in CACI_IDS)
    assert len(postings(items)) == 5
    assert rows(db_path, "SELECT count(*), count(DISTINCT id) FROM jobs") == [(5, 5)]
    assert fetched_details(career_site) == sorted(CACI_IDS + MS_IDS)
    assert all(q["hl"] == "en" for q in queries(career_site, DETAILS))

    job = next(p for p in postings(items) if p.source_id == MS_IDS[0])
    assert job.id == "eightfold:microsoft.com:1970393556914401"
    assert job.url == "https://apply.careers.microsoft.com/careers/job/1970393556914401"
    assert job.title == "Software Engineer II - Full Stack"
    assert job.requisition_id == "200041999"
    assert [(p.city, p.region, p.country) for p in job.locations] == [
        ("Vancouver", "BC", "CA"),
        ("Toronto", "ON", "CA"),
    ]
    assert job.remote == "hybrid"
    assert str(job.date_posted) == "2026-07-16"  # postedTs 1784234857, epoch seconds
    assert job.employment_type == ["FULL_TIME"]
    assert job.department == "Software Engineering"
    assert job.description_text is not None
    assert "Microsoft 365 admin tools" in job.description_text
    assert job.source_revision is not None
    assert job.source_revision.startswith("1784234857:")

    # No postedTs and no positionUrl: no date, and the URL is built from the id on the site.
    technician = next(p for p in postings(items) if p.source_id == MS_IDS[1])
    assert technician.date_posted is None
    assert technician.url == f"{career_site.url}/careers/job/1970393556862981"

    intern = next(p for p in postings(items) if p.source_id == "1443153778442")
    assert intern.salary is not None
    assert (intern.salary.min, intern.salary.max, intern.salary.period) == (22, 28, "HOUR")
    assert intern.url == f"{career_site.url}/careers/job/1443153778442"
    assert crawler.stats is not None
    assert crawler.stats.get_value("item_dropped_count") is None


@deferred_f_from_coro_f
async def test_pagination_is_followed_to_a_complete_listing(
    career_site: CareerSiteServer, db_path: Path, one_per_page: None
) -> None:
    items, _ = await run_crawl(career_site, db_path, ["caci.com"])
    listing = listings(items)["caci.com"]
    assert listing.complete, listing.error
    assert listing.pages == 3
    searches = queries(career_site, SEARCH)
    assert [q["start"] for q in searches] == ["0", "1", "2"]
    assert {(q["domain"], q["query"], q["location"], q["sort_by"]) for q in searches} == {
        ("caci.com", "", "", "timestamp")
    }
    assert sorted(p.source_id for p in postings(items)) == sorted(CACI_IDS)


@deferred_f_from_coro_f
async def test_an_empty_page_before_the_count_ends_an_incomplete_listing(
    career_site: CareerSiteServer, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(eightfold_site, "PAGE_SIZE", 2)
    items, _ = await run_crawl(career_site, db_path, ["caci.com"])
    assert [q["start"] for q in queries(career_site, SEARCH)] == ["0", "2", "3"]
    listing = listings(items)["caci.com"]
    assert not listing.complete
    assert listing.error is not None
    assert "start=3&sort_by=timestamp: listing ended with 3 of data.count=1758" in listing.error


@deferred_f_from_coro_f
async def test_details_are_fetched_only_for_new_or_changed_positions(
    career_site: CareerSiteServer, site_data: Path, db_path: Path, one_per_page: None
) -> None:
    await run_crawl(career_site, db_path, ["caci.com"])
    assert fetched_details(career_site) == sorted(CACI_IDS)

    career_site.requests.clear()
    items, crawler = await run_crawl(career_site, db_path, ["caci.com"])
    assert fetched_details(career_site) == []
    assert listings(items)["caci.com"].complete
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/details/unchanged") == 3

    edit_site(site_data, "caci.com", **{CACI_IDS[2]: "Senior Project Manager"})
    career_site.requests.clear()
    await run_crawl(career_site, db_path, ["caci.com"])
    assert fetched_details(career_site) == [CACI_IDS[2]]
    assert rows(db_path, f"SELECT title, version FROM jobs WHERE source_id = '{CACI_IDS[2]}'") == [
        ("Senior Project Manager", 2)
    ]


@deferred_f_from_coro_f
async def test_a_failing_page_makes_the_listing_incomplete_and_others_complete(
    career_site: CareerSiteServer,
    db_path: Path,
    one_per_page: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The second search page of caci.com answers 500 every time; microsoft.com is untouched."""
    served = eightfold_site.answer

    def failing(request: SiteRequest, data: Path) -> Answer | None:
        if request.arg("domain") == "caci.com" and request.arg("start") == "1":
            return 500, {}, b"{}"
        return served(request, data)

    monkeypatch.setattr(eightfold_site, "answer", failing)
    items, crawler = await run_crawl(
        career_site, db_path, ["caci.com", "microsoft.com"], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    found = listings(items)
    assert found["caci.com"].error == (
        f"{career_site.url}{SEARCH}?domain=caci.com&query=&location=&start=1"
        "&sort_by=timestamp: HTTP 500"
    )
    assert found["microsoft.com"].complete
    assert [q["start"] for q in queries(career_site, SEARCH) if q["domain"] == "caci.com"] == [
        "0",
        "1",
        "1",
        "1",
    ]
    assert crawler.stats is not None
    assert crawler.stats.get_value("retry/count") == 2
    # The first page's position is kept, and nothing is closed on a partial listing.
    assert rows(db_path, "SELECT source_id, status FROM jobs WHERE source_key = 'caci.com'") == [
        (CACI_IDS[0], "open")
    ]


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ([Fault(body=b'{"status": 200, "data": {"positions": [{"id": 1')], "unreadable response"),
        (
            [Fault(body=b'{"status": 400, "error": {"message": "Invalid domain"}, "data": {}}')],
            "unreadable response: API answered status 400: Invalid domain",
        ),
        ([Fault(body=b'{"status": 200, "data": null}')], "`data` is not an object"),
        ([Fault(truncate=200)] * 3, "ResponseDataLossError"),
        ([Fault(status=403)], "HTTP 403"),
    ],
)
@deferred_f_from_coro_f
async def test_broken_pages_make_an_incomplete_listing(
    career_site: CareerSiteServer, db_path: Path, faults: list[Fault], error: str
) -> None:
    career_site.add_fault(SEARCH, *faults)
    items, _ = await run_crawl(career_site, db_path, ["caci.com"])
    listing = listings(items)["caci.com"]
    assert not listing.complete
    assert listing.error is not None
    assert listing.error.startswith(f"{career_site.url}{SEARCH}?domain=caci.com&")
    assert error in listing.error
    assert rows(db_path, "SELECT count(*) FROM jobs") == [(0,)]


@deferred_f_from_coro_f
async def test_retry_after_is_honoured(
    career_site: CareerSiteServer, db_path: Path, one_per_page: None
) -> None:
    career_site.add_fault(SEARCH, Fault(status=429, headers={"Retry-After": "1"}))
    items, crawler = await run_crawl(career_site, db_path, ["microsoft.com"])
    assert listings(items)["microsoft.com"].complete
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/retry/waited_ms") == 1000


@deferred_f_from_coro_f
async def test_failing_details_keep_the_job_seen_and_a_404_reports_it_gone(
    career_site: CareerSiteServer, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    edit_site(career_site.data_dir, "microsoft.com", count=2)
    await run_crawl(career_site, db_path, ["microsoft.com"])
    career_site.add_fault(DETAILS, Fault(body=b'{"status": 200, "data": {"id": 1}}'))
    career_site.add_fault(DETAILS, Fault(status=404))
    with caplog.at_level(logging.WARNING):
        items, crawler = await run_crawl(
            career_site,
            db_path,
            ["microsoft.com"],
            JOBCRAWL_REFETCH_DETAILS=True,
            CONCURRENT_REQUESTS=1,
        )
    listing = listings(items)["microsoft.com"]
    assert listing.complete
    assert len(listing.seen_ids) == 2
    assert postings(items) == []
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/details/failed") == 1
    assert "unreadable detail: " in caplog.text
    [gone] = [i for i in items if isinstance(i, JobGone)]
    assert rows(db_path, "SELECT source_id, status FROM jobs ORDER BY status") == sorted(
        [(gone.source_id, "closed"), (next(i for i in MS_IDS if i != gone.source_id), "open")],
        key=lambda row: row[1],
    )


@deferred_f_from_coro_f
async def test_an_unknown_domain_is_an_incomplete_listing(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    items, _ = await run_crawl(career_site, db_path, ["no-such-tenant.com"])
    listing = listings(items)["no-such-tenant.com"]
    assert not listing.complete
    assert listing.error is not None
    assert listing.error.endswith("HTTP 404")


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.robots_txt = b"User-agent: *\nDisallow: /api/\n"
    items, _ = await run_crawl(career_site, db_path, ["microsoft.com"])
    listing = listings(items)["microsoft.com"]
    assert not listing.complete
    assert listing.error is not None
    assert "robots.txt" in listing.error
    assert not any(path.startswith("/api/") for path in career_site.requests)


@pytest.mark.parametrize(
    ("entry", "api_base"),
    [
        ({"domain": "microsoft.com"}, "https://apply.careers.microsoft.com"),
        ({"domain": "caci.com"}, "https://caci.eightfold.ai"),
        ({"domain": "paypal.com", "host": "paypal.eightfold.ai"}, "https://paypal.eightfold.ai"),
        (
            {"domain": "microsoft.com", "base_url": "http://127.0.0.1:9/"},
            "http://127.0.0.1:9",
        ),
    ],
)
def test_the_source_names_the_host_and_domain_of_every_request(
    entry: dict[str, str], api_base: str
) -> None:
    source = parse_source({"kind": "eightfold", **entry})
    assert source.api_base == api_base
    assert search_url(source, 20) == (
        f"{api_base}/api/pcsx/search?domain={entry['domain']}"
        "&query=&location=&start=20&sort_by=timestamp"
    )
    assert details_url(source, "42") == (
        f"{api_base}/api/pcsx/position_details?position_id=42&domain={entry['domain']}&hl=en"
    )


def test_spider_arguments_go_through_the_sources_model() -> None:
    spider = EightfoldSpider(domain="microsoft.com", company="Microsoft", _job="scrapyd-id")
    assert [s.label for s in spider.sources] == ["eightfold:microsoft.com"]
    with pytest.raises(ConfigError, match="spider eightfold: domain: Field required"):
        EightfoldSpider()
    with pytest.raises(ConfigError, match="domain: String should match pattern"):
        EightfoldSpider(domain="Microsoft")


LISTING_CASES = [
    c
    for c in all_cases()
    if c.family == "eightfold" and c.expected() and c.meta.get("page") != "detail"
]


@pytest.mark.parametrize("case", LISTING_CASES, ids=lambda c: c.id)
def test_listing_cases_name_the_expected_details(case: Any) -> None:
    """The listing's `Detail`s (revision, details URL, listed fields), which `page_dict` leaves out."""
    page = extract(case.response(), case.source())
    expected = (case.expected() or {})["details"]
    assert [dataclasses.asdict(d) for d in page.details] == expected


def test_the_revision_moves_with_the_title_places_and_posting_time_only() -> None:
    case = next(c for c in LISTING_CASES if c.id == "eightfold/caci-search")
    raw = json.loads((case.folder / "response.json").read_text(encoding="utf-8"))
    position = raw["data"]["positions"][0]

    def revision_of(**changes: Any) -> str | None:
        body = {**raw, "data": {**raw["data"], "positions": [{**position, **changes}]}}
        response = case.response().replace(body=json.dumps(body).encode())
        return extract(response, case.source()).details[0].revision

    same = revision_of()
    assert revision_of(stars=5, isHot=1, solrScore=0.7) == same
    assert revision_of(name="Systems Engineer, Senior") != same
    assert revision_of(locations=["Sterling, VA, US"]) != same
    assert revision_of(postedTs=1791244800) != same

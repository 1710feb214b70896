"""Real Scrapy crawls of SmartRecruiters companies served over HTTP on 127.0.0.1, through every pipeline."""

from __future__ import annotations

import dataclasses
import json
import logging
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
from crawler.items import JobGone, JobPosting, ListingResult
from crawler.sources import SmartRecruitersSource
from spiders.smartrecruiters import SmartRecruitersSpider
from tests.conftest import crawl_settings
from tests.extract_cases import all_cases

LIST = "/v1/companies/{}/postings"
UBISOFT_IDS = ["744000151912444", "744000151872065"]


async def run_crawl(
    server: CareerSiteServer, db_path: Path, boards: list[str], **settings: Any
) -> tuple[list[Any], Crawler]:
    sources = [SmartRecruitersSource(board=b, base_url=server.url) for b in boards]
    crawler = get_crawler(SmartRecruitersSpider, crawl_settings(db_path, **settings))
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


def list_requests(server: CareerSiteServer, board: str) -> list[str]:
    return [r for r in server.requests if r.startswith(LIST.format(board) + "?")]


def detail_requests(server: CareerSiteServer) -> list[str]:
    return [r.rsplit("/", 1)[1] for r in server.requests if "/postings/" in r]


def edit_board(site_data: Path, board: str, **changes: Any) -> dict[str, Any]:
    """Rewrite a recorded board: top-level fields, or `entries={id: {field: value}}`."""
    path = site_data / "smartrecruiters" / f"{board}.json"
    recorded = json.loads(path.read_text(encoding="utf-8"))
    for posting_id, fields in changes.pop("entries", {}).items():
        entry = next(e for e in recorded["content"] if e["id"] == posting_id)
        entry.update(fields)
    recorded.update(changes)
    path.write_text(json.dumps(recorded), encoding="utf-8")
    return dict(recorded)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """One posting per listing page, so the two recorded Ubisoft postings take two pages."""
    monkeypatch.setattr(SmartRecruitersSpider, "page_size", 1)


@deferred_f_from_coro_f
async def test_crawl_stores_every_posting(career_site: CareerSiteServer, db_path: Path) -> None:
    items, crawler = await run_crawl(career_site, db_path, ["Ubisoft2", "Guidehealth"])
    found = listings(items)
    assert found["Guidehealth"].complete
    assert found["Guidehealth"].seen_ids == ["smartrecruiters:Guidehealth:3743990015568355"]
    # The recording holds 2 of Ubisoft's 310 postings: kept, but the listing is not complete.
    assert not found["Ubisoft2"].complete
    assert found["Ubisoft2"].error == (
        f"{career_site.url}{LIST.format('Ubisoft2')}?limit=100&offset=2: "
        "listing ended with 2 of totalFound=310 postings"
    )
    assert sorted(found["Ubisoft2"].seen_ids) == sorted(
        f"smartrecruiters:Ubisoft2:{i}" for i in UBISOFT_IDS
    )
    assert len(postings(items)) == 3
    assert rows(db_path, "SELECT count(*), count(DISTINCT id) FROM jobs") == [(3, 3)]

    job = next(p for p in postings(items) if p.source_id == "3743990015568355")
    assert job.url == (
        "https://jobs.smartrecruiters.com/Guidehealth/"
        "3743990015568355-patient-engagement-specialist-remote"
    )
    assert (job.title, job.company, job.remote) == (
        "Patient Engagement Specialist - Remote",
        "Guidehealth",
        "remote",
    )
    assert [(p.city, p.region, p.country) for p in job.locations] == [("Dallas", "TX", "US")]
    assert str(job.date_posted) == "2026-09-22"
    assert job.employment_type == ["FULL_TIME"]
    assert job.department == "Health Care Provider"
    assert job.requisition_id == "REF292X"
    assert job.salary is not None
    assert (job.salary.min, job.salary.max, job.salary.period) == (20, 22, "HOUR")
    assert job.description_html is not None
    assert job.description_html.startswith("<h3>Company Description</h3>")
    assert job.source_revision == "2026-09-22T16:21:42.578Z"

    french = next(p for p in postings(items) if p.source_id == "744000151912444")
    assert french.language == "fr-CA"
    assert french.apply_url is not None
    assert french.apply_url.endswith(
        "-specialiste-fiabilite-outils-et-infrastructures-tgqf?oga=true"
    )
    assert french.description_text is not None
    assert "Automatiser les déploiements" in french.description_text
    assert french.remote == "onsite"
    intern = next(p for p in postings(items) if p.source_id == "744000151872065")
    assert intern.employment_type == ["INTERN"]

    assert crawler.stats is not None
    assert crawler.stats.get_value("item_dropped_count") is None
    assert sorted(detail_requests(career_site)) == sorted([*UBISOFT_IDS, "3743990015568355"])
    assert rows(db_path, "SELECT source_key, complete, seen, new FROM run_sources ORDER BY 1") == [
        ("Guidehealth", 1, 1, 1),
        ("Ubisoft2", 0, 2, 2),
    ]


@deferred_f_from_coro_f
async def test_pagination_is_followed_to_a_complete_listing(
    career_site: CareerSiteServer, site_data: Path, db_path: Path, small_pages: None
) -> None:
    edit_board(site_data, "Ubisoft2", totalFound=2)
    items, _ = await run_crawl(career_site, db_path, ["Ubisoft2"])
    listing = listings(items)["Ubisoft2"]
    assert listing.complete, listing.error
    assert listing.pages == 2
    assert list_requests(career_site, "Ubisoft2") == [
        "/v1/companies/Ubisoft2/postings?limit=1&offset=0",
        "/v1/companies/Ubisoft2/postings?limit=1&offset=1",
    ]
    assert sorted(p.source_id for p in postings(items)) == sorted(UBISOFT_IDS)


@deferred_f_from_coro_f
async def test_a_listing_that_ends_before_total_found_is_incomplete(
    career_site: CareerSiteServer, db_path: Path, small_pages: None
) -> None:
    items, _ = await run_crawl(career_site, db_path, ["Ubisoft2"])
    listing = listings(items)["Ubisoft2"]
    assert [r.rsplit("=", 1)[1] for r in list_requests(career_site, "Ubisoft2")] == ["0", "1", "2"]
    assert not listing.complete
    assert listing.error is not None
    assert listing.error.endswith("offset=2: listing ended with 2 of totalFound=310 postings")
    assert len(postings(items)) == 2


@deferred_f_from_coro_f
async def test_a_posting_repeated_across_pages_is_fetched_once(
    career_site: CareerSiteServer, site_data: Path, db_path: Path, small_pages: None
) -> None:
    """A listing that shifts while it is read repeats a posting and misses another one."""
    recorded = edit_board(site_data, "Ubisoft2", totalFound=2)
    first = recorded["content"][0]
    career_site.add_fault(
        LIST.format("Ubisoft2"),
        Fault(),
        Fault(body=json.dumps({**recorded, "offset": 1, "content": [first]}).encode()),
    )
    items, _ = await run_crawl(career_site, db_path, ["Ubisoft2"])
    listing = listings(items)["Ubisoft2"]
    assert detail_requests(career_site) == [UBISOFT_IDS[0]]
    assert not listing.complete
    assert listing.error is not None
    assert "listing ended with 1 of totalFound=2 postings" in listing.error


@deferred_f_from_coro_f
async def test_details_are_fetched_only_for_new_or_republished_postings(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    edit_board(site_data, "Ubisoft2", totalFound=2)
    await run_crawl(career_site, db_path, ["Ubisoft2"])
    assert sorted(detail_requests(career_site)) == sorted(UBISOFT_IDS)

    career_site.requests.clear()
    items, crawler = await run_crawl(career_site, db_path, ["Ubisoft2"])
    assert detail_requests(career_site) == []
    assert listings(items)["Ubisoft2"].complete
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/details/unchanged") == 2
    assert rows(db_path, "SELECT seen FROM run_sources ORDER BY run_id") == [(2,), (2,)]

    republished = "2026-11-20T08:00:00.000Z"
    edit_board(
        site_data,
        "Ubisoft2",
        entries={UBISOFT_IDS[1]: {"releasedDate": republished, "name": "CRM Assistant"}},
    )
    career_site.requests.clear()
    await run_crawl(career_site, db_path, ["Ubisoft2"])
    assert detail_requests(career_site) == [UBISOFT_IDS[1]]
    assert rows(
        db_path,
        f"SELECT title, source_revision, version FROM jobs WHERE source_id = '{UBISOFT_IDS[1]}'",
    ) == [("CRM Assistant", republished, 2)]

    career_site.requests.clear()
    await run_crawl(career_site, db_path, ["Ubisoft2"], JOBCRAWL_REFETCH_DETAILS=True)
    assert sorted(detail_requests(career_site)) == sorted(UBISOFT_IDS)


@deferred_f_from_coro_f
async def test_a_failing_page_makes_the_listing_incomplete_and_others_complete(
    career_site: CareerSiteServer, site_data: Path, db_path: Path, small_pages: None
) -> None:
    edit_board(site_data, "Ubisoft2", totalFound=2)
    career_site.add_fault(LIST.format("Ubisoft2"), Fault(), *[Fault(status=500)] * 3)
    items, crawler = await run_crawl(
        career_site, db_path, ["Ubisoft2", "Guidehealth"], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    found = listings(items)
    assert found["Ubisoft2"].error == (
        f"{career_site.url}/v1/companies/Ubisoft2/postings?limit=1&offset=1: HTTP 500"
    )
    assert found["Guidehealth"].complete
    assert crawler.stats is not None
    assert crawler.stats.get_value("retry/count") == 2
    # The first page's posting is kept; nothing is closed on a partial listing.
    assert rows(db_path, "SELECT source_id, status FROM jobs WHERE source_key = 'Ubisoft2'") == [
        (UBISOFT_IDS[0], "open")
    ]


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ([Fault(body=b'{"offset": 0, "content": [{"id": "1", "na')], "unreadable response: Unterm"),
        ([Fault(body=b'{"offset": 0, "content": []}')], "unreadable response: 'totalFound'"),
        ([Fault(body=b"[]")], "unreadable response: expected a JSON object, got list"),
        ([Fault(truncate=300)] * 3, "ResponseDataLossError"),
    ],
)
@deferred_f_from_coro_f
async def test_broken_pages_make_an_incomplete_listing(
    career_site: CareerSiteServer, db_path: Path, faults: list[Fault], error: str
) -> None:
    career_site.add_fault(LIST.format("Guidehealth"), *faults)
    items, _ = await run_crawl(career_site, db_path, ["Guidehealth", "Ubisoft2"])
    found = listings(items)
    assert not found["Guidehealth"].complete
    assert found["Guidehealth"].error is not None
    assert found["Guidehealth"].error.startswith(f"{career_site.url}{LIST.format('Guidehealth')}")
    assert error in found["Guidehealth"].error
    assert rows(db_path, "SELECT DISTINCT source_key FROM jobs") == [("Ubisoft2",)]


@deferred_f_from_coro_f
async def test_retry_after_is_honoured(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.add_fault(
        LIST.format("Guidehealth"), Fault(status=429, headers={"Retry-After": "1"})
    )
    items, crawler = await run_crawl(
        career_site, db_path, ["Guidehealth"], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    assert listings(items)["Guidehealth"].complete
    assert len(postings(items)) == 1
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/retry/waited_ms") == 1000


@deferred_f_from_coro_f
async def test_a_failing_detail_keeps_the_job_seen_and_the_listing_complete(
    career_site: CareerSiteServer, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    detail_path = f"{LIST.format('Guidehealth')}/3743990015568355"
    await run_crawl(career_site, db_path, ["Guidehealth"])
    before = rows(db_path, "SELECT title, version, record FROM jobs")
    career_site.add_fault(detail_path, Fault(body=b'{"id": "3743990015568355", "na'))
    with caplog.at_level(logging.WARNING):
        items, crawler = await run_crawl(
            career_site, db_path, ["Guidehealth"], JOBCRAWL_REFETCH_DETAILS=True
        )
    listing = listings(items)["Guidehealth"]
    assert listing.complete
    assert listing.seen_ids == ["smartrecruiters:Guidehealth:3743990015568355"]
    assert postings(items) == []
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/details/failed") == 1
    assert f"{detail_path}: unreadable detail: Unterminated string" in caplog.text
    assert rows(db_path, "SELECT title, version, record FROM jobs") == before
    assert rows(db_path, "SELECT status FROM jobs") == [("open",)]


@pytest.mark.parametrize(
    "fault",
    [
        Fault(status=404),
        Fault(body=json.dumps({"id": "3743990015568355", "name": "x", "active": False}).encode()),
    ],
    ids=["404", "inactive"],
)
@deferred_f_from_coro_f
async def test_a_detail_that_says_the_posting_closed_reports_it_gone(
    career_site: CareerSiteServer, db_path: Path, fault: Fault
) -> None:
    await run_crawl(career_site, db_path, ["Guidehealth"])
    career_site.add_fault(f"{LIST.format('Guidehealth')}/3743990015568355", fault)
    items, _ = await run_crawl(career_site, db_path, ["Guidehealth"], JOBCRAWL_REFETCH_DETAILS=True)
    gone = [i for i in items if isinstance(i, JobGone)]
    assert [(g.source_key, g.source_id) for g in gone] == [("Guidehealth", "3743990015568355")]
    assert listings(items)["Guidehealth"].complete
    assert rows(db_path, "SELECT status, close_reason FROM jobs") == [("closed", "detail_gone")]


@deferred_f_from_coro_f
async def test_an_unknown_company_is_an_empty_listing_with_a_warning(
    career_site: CareerSiteServer, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The real API answers 200 with totalFound 0 for any identifier, known or not."""
    with caplog.at_level(logging.WARNING):
        items, _ = await run_crawl(career_site, db_path, ["NoSuchCompany"])
    listing = listings(items)["NoSuchCompany"]
    assert listing.complete
    assert listing.seen_ids == []
    assert "smartrecruiters:NoSuchCompany: no postings" in caplog.text


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.robots_txt = b"User-agent: *\nDisallow: /v1/companies/\n"
    items, _ = await run_crawl(career_site, db_path, ["Guidehealth"])
    listing = listings(items)["Guidehealth"]
    assert not listing.complete
    assert listing.error is not None
    assert "robots.txt" in listing.error
    assert not any(path.startswith("/v1/") for path in career_site.requests)


def test_spider_arguments_go_through_the_sources_model() -> None:
    spider = SmartRecruitersSpider(board="Ubisoft2", company="Ubisoft", _job="scrapyd-id")
    assert [s.label for s in spider.sources] == ["smartrecruiters:Ubisoft2"]
    assert spider.sources[0].api_base == "https://api.smartrecruiters.com"
    with pytest.raises(ConfigError, match="spider smartrecruiters: board: Field required"):
        SmartRecruitersSpider()
    with pytest.raises(ConfigError, match="board: String should match pattern"):
        SmartRecruitersSpider(board="../etc")


LISTING_CASES = [
    c
    for c in all_cases()
    if c.family == "smartrecruiters" and c.expected() and c.meta.get("page") != "detail"
]


@pytest.mark.parametrize("case", LISTING_CASES, ids=lambda c: c.id)
def test_listing_cases_name_the_expected_details(case: Any) -> None:
    """The listing's `Detail`s (revision, detail URL, listed fields), which `page_dict` leaves out."""
    from spiders.smartrecruiters import extract

    page = extract(case.response(), case.source())
    expected = (case.expected() or {})["details"]
    assert [dataclasses.asdict(d) for d in page.details] == expected

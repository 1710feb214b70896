"""Real Scrapy crawls of Workday career sites served over HTTP on 127.0.0.1, through every pipeline."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import TextResponse
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler
from typer.testing import CliRunner

from crawler.cli import app
from crawler.config import parse_source
from crawler.demo.server import CareerSiteServer, Fault
from crawler.demo.sites import SiteRequest
from crawler.errors import ConfigError
from crawler.items import JobGone, JobPosting, ListingResult, RawPosting
from crawler.sources import WorkdaySource
from crawler.store import close_stores
from spiders.base import Detail
from spiders.workday import PAGING, WorkdayListPage, WorkdaySpider, parse_job, source_id_of
from tests.conftest import crawl_settings
from tests.extract_cases import Case, all_cases, extractor

MSD = "msd/SearchJobs"
NVIDIA = "nvidia/NVIDIAExternalCareerSite"
MSD_LIST = "/wday/cxs/msd/SearchJobs/jobs"
NVIDIA_LIST = "/wday/cxs/nvidia/NVIDIAExternalCareerSite/jobs"
MSD_REAL_JOB = (
    "/job/USA---Pennsylvania---West-Point/XMLNAME-2027-Future-Talent-Program---Manufacturing-"
    "Strategy--Business-Development-and-Alliances--MSBDA--Intern_R418677"
)


def msd(server: CareerSiteServer) -> WorkdaySource:
    return WorkdaySource(
        host="msd.wd5.myworkdayjobs.com", tenant="msd", site="SearchJobs", base_url=server.url
    )


def nvidia(server: CareerSiteServer) -> WorkdaySource:
    url = "https://nvidia.wd5.myworkdayjobs.com/en-US/NVIDIAExternalCareerSite"
    return WorkdaySource(url=url, base_url=server.url)


async def run_crawl(
    db_path: Path, sources: list[WorkdaySource], **settings: Any
) -> tuple[list[Any], Crawler]:
    crawler = get_crawler(WorkdaySpider, crawl_settings(db_path, **settings))
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


def detail_requests(server: CareerSiteServer, site: str = "msd/SearchJobs") -> list[str]:
    return [p for p in server.requests if p.startswith(f"/wday/cxs/{site}/job/")]


def list_bodies(server: CareerSiteServer, path: str = MSD_LIST) -> list[dict[str, Any]]:
    return [
        json.loads(body)
        for request, body in zip(server.requests, server.bodies, strict=True)
        if request == path
    ]


def board_page(server: CareerSiteServer, offset: int) -> dict[str, Any]:
    """What the server answers for one page of the MSD board, without going through HTTP."""
    body = json.dumps({"appliedFacets": {}, "limit": 20, "offset": offset, "searchText": ""})
    status, _, reply = server.answer(SiteRequest("POST", MSD_LIST, body=body.encode()))
    assert status == 200
    page: dict[str, Any] = json.loads(reply)
    return page


# -- whole crawls ---------------------------------------------------------------------------------


@deferred_f_from_coro_f
async def test_crawl_stores_every_posting(career_site: CareerSiteServer, db_path: Path) -> None:
    items, crawler = await run_crawl(db_path, [msd(career_site), nvidia(career_site)])
    found = listings(items)
    assert found[MSD].complete, found[MSD].error
    assert found[NVIDIA].complete, found[NVIDIA].error
    assert len(found[MSD].seen_ids) == len(set(found[MSD].seen_ids)) == 45
    assert found[MSD].pages == 3
    assert sorted(found[NVIDIA].seen_ids) == [
        "workday:nvidia/NVIDIAExternalCareerSite:JR1980127",
        "workday:nvidia/NVIDIAExternalCareerSite:JR2008808",
        "workday:nvidia/NVIDIAExternalCareerSite:JR2021705",
    ]
    assert len(postings(items)) == 48
    assert rows(db_path, "SELECT count(*), count(DISTINCT id) FROM jobs") == [(48, 48)]
    assert len(detail_requests(career_site)) == 45
    assert rows(db_path, "SELECT source_key, complete, seen, new FROM run_sources ORDER BY 1") == [
        (MSD, 1, 45, 45),
        (NVIDIA, 1, 3, 3),
    ]
    assert rows(db_path, "SELECT status FROM runs") == [("ok",)]
    assert crawler.stats is not None
    assert crawler.stats.get_value("item_dropped_count") is None

    job = next(p for p in postings(items) if p.source_id == "R418677")
    assert job.id == "workday:msd/SearchJobs:R418677"
    assert job.url == f"https://msd.wd5.myworkdayjobs.com/SearchJobs{MSD_REAL_JOB}"
    assert job.company == "1000 Merck Sharp & Dohme LLC"
    assert [(loc.city, loc.region, loc.country) for loc in job.locations] == [
        ("West Point", "PA", "US"),
        ("Rahway", "NJ", "US"),
    ]
    assert job.remote == "hybrid"
    assert job.employment_type == ["FULL_TIME"]
    assert (str(job.date_posted), str(job.valid_through)) == ("2026-09-23", "2026-11-09")
    assert job.requisition_id == "R418677"
    assert job.description_text is not None
    assert "mutual respect" in job.description_text
    assert job.source_revision is not None


@deferred_f_from_coro_f
async def test_posted_on_is_the_date_when_the_detail_has_no_start_date(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    """A "30+ days" text is a bound; an entry without `postedOn` or `startDate` has no date."""
    items, _ = await run_crawl(db_path, [msd(career_site)])
    by_id = {p.source_id: p for p in postings(items)}
    bounded = by_id["R418704"]  # "Posted 30+ Days Ago", no startDate
    assert (bounded.date_posted, str(bounded.date_posted_before)) == (None, "2026-10-25")
    assert (by_id["R418705"].date_posted, by_id["R418705"].date_posted_before) == (None, None)
    assert str(by_id["R418702"].date_posted) == "2026-09-20"  # startDate wins over "3 Days Ago"


@deferred_f_from_coro_f
async def test_pagination_follows_offsets_and_ignores_later_totals(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    assert board_page(career_site, 0)["total"] == 45
    assert [board_page(career_site, o)["total"] for o in (20, 40)] == [0, 0]
    items, _ = await run_crawl(db_path, [msd(career_site)])
    assert listings(items)[MSD].complete
    assert list_bodies(career_site) == [
        {"appliedFacets": {}, "limit": 20, "offset": offset, "searchText": ""}
        for offset in (0, 20, 40)
    ]


@deferred_f_from_coro_f
async def test_careers_url_crawls_like_host_tenant_and_site(
    career_site: CareerSiteServer, db_path: Path, tmp_path: Path
) -> None:
    by_url = WorkdaySource(
        url="https://msd.wd5.myworkdayjobs.com/en-US/SearchJobs", base_url=career_site.url
    )
    first, _ = await run_crawl(db_path, [by_url])
    requests_by_url = sorted(career_site.requests)
    career_site.requests.clear()
    career_site.bodies.clear()
    second, _ = await run_crawl(tmp_path / "other.db", [msd(career_site)])
    assert listings(first)[MSD].seen_ids == listings(second)[MSD].seen_ids
    assert sorted(career_site.requests) == requests_by_url
    sql = "SELECT id, url, title, source_revision FROM jobs ORDER BY id"
    assert rows(db_path, sql) == rows(tmp_path / "other.db", sql)


@deferred_f_from_coro_f
async def test_recrawl_of_an_unchanged_board_fetches_only_the_listing(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    await run_crawl(db_path, [msd(career_site)])
    career_site.requests.clear()
    career_site.bodies.clear()
    items, crawler = await run_crawl(db_path, [msd(career_site)])
    assert listings(items)[MSD].complete
    assert len(listings(items)[MSD].seen_ids) == 45
    assert [p for p in career_site.requests if p != "/robots.txt"] == [MSD_LIST] * 3
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/details/unchanged") == 45
    assert rows(db_path, "SELECT count(*) FROM job_versions") == [(45,)]
    first, again = rows(
        db_path, "SELECT seen, unchanged, requests, requests_saved FROM run_sources ORDER BY run_id"
    )
    # Requests on the wire: 3 listing pages and 45 details, then the listing alone (a retry under
    # load adds one; the server's own log above shows which pages were asked for).
    assert (first[:2], first[3], first[2] >= 48) == ((45, 0), 0, True)
    assert (again[:2], again[3], again[2] >= 3) == ((45, 45), 45, True)  # each skipped detail saved
    close_stores()
    shown = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["runs", "show", "2", "--db", str(db_path), "--json"]
    )
    assert shown.exit_code == 0, shown.output
    [source] = json.loads(shown.output)["sources"]
    assert (source["requests"], source["requests_saved"]) == (again[2], 45)


@deferred_f_from_coro_f
async def test_a_changed_entry_refetches_only_its_detail(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    await run_crawl(db_path, [msd(career_site)])
    board_file = site_data / "workday" / "msd" / "SearchJobs.json"
    board = json.loads(board_file.read_text(encoding="utf-8"))
    for entry in board["jobPostings"]:
        entry["postedOn"] = "Posted 30+ Days Ago"  # moves every day; not a change of the job
    changed = board["jobPostings"][30]
    changed["title"] = f"{changed['title']} (Senior)"
    board_file.write_text(json.dumps(board), encoding="utf-8")
    detail_file = (
        site_data
        / "workday"
        / "msd"
        / "SearchJobs"
        / (changed["externalPath"].rsplit("/", 1)[-1] + ".json")
    )
    detail = json.loads(detail_file.read_text(encoding="utf-8"))
    detail["jobPostingInfo"]["title"] = changed["title"]
    detail_file.write_text(json.dumps(detail), encoding="utf-8")
    career_site.requests.clear()
    career_site.bodies.clear()

    items, _ = await run_crawl(db_path, [msd(career_site)])
    assert listings(items)[MSD].complete
    assert detail_requests(career_site) == [f"/wday/cxs/msd/SearchJobs{changed['externalPath']}"]
    job_id = f"workday:msd/SearchJobs:{source_id_of(changed['externalPath'])}"
    assert rows(db_path, f"SELECT title, version FROM jobs WHERE id = '{job_id}'") == [
        (changed["title"], 2)
    ]
    assert rows(db_path, "SELECT count(*) FROM jobs WHERE version = 1") == [(44,)]


@pytest.mark.parametrize(
    ("faults", "problem"),
    [
        ([Fault(status=500)] * 3, "HTTP 500"),
        ([Fault(body=b'{"jobPostingInfo": {"title": "Da')], "unreadable detail"),
    ],
)
@deferred_f_from_coro_f
async def test_a_failing_detail_keeps_the_job_seen_and_the_listing_complete(
    career_site: CareerSiteServer,
    db_path: Path,
    caplog: pytest.LogCaptureFixture,
    faults: list[Fault],
    problem: str,
) -> None:
    job_path = board_page(career_site, 20)["jobPostings"][5]["externalPath"]
    career_site.add_fault(f"/wday/cxs/msd/SearchJobs{job_path}", *faults)
    items, crawler = await run_crawl(db_path, [msd(career_site)], JOBCRAWL_RETRY_BACKOFF=0.01)
    listing = listings(items)[MSD]
    job_id = f"workday:msd/SearchJobs:{source_id_of(job_path)}"
    assert listing.complete
    assert job_id in listing.seen_ids
    assert len(listing.seen_ids) == 45
    assert job_id not in {p.id for p in postings(items)}
    assert rows(db_path, "SELECT count(*) FROM jobs") == [(44,)]
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/details/failed") == 1
    assert any(problem in r.getMessage() and job_path in r.getMessage() for r in caplog.records)


@deferred_f_from_coro_f
async def test_a_detail_answering_404_closes_that_job_and_keeps_the_listing_complete(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    """Workday answers 404 for a posting that was taken down: the job is gone, not the listing."""
    await run_crawl(db_path, [msd(career_site)])
    board_file = site_data / "workday" / "msd" / "SearchJobs.json"
    board = json.loads(board_file.read_text(encoding="utf-8"))
    moved = board["jobPostings"][12]
    moved["locationsText"] = "2 Locations"  # a changed entry, so its detail is fetched again
    board_file.write_text(json.dumps(board), encoding="utf-8")
    career_site.add_fault(f"/wday/cxs/msd/SearchJobs{moved['externalPath']}", Fault(status=404))

    items, crawler = await run_crawl(db_path, [msd(career_site)])
    listing = listings(items)[MSD]
    job_id = f"workday:msd/SearchJobs:{source_id_of(moved['externalPath'])}"
    assert listing.complete
    assert job_id in listing.seen_ids
    assert [i.source_id for i in items if isinstance(i, JobGone)] == [job_id.rsplit(":", 1)[1]]
    assert rows(db_path, f"SELECT status, close_reason FROM jobs WHERE id = '{job_id}'") == [
        ("closed", "detail_gone")
    ]
    assert rows(db_path, "SELECT count(*) FROM jobs WHERE status = 'open'") == [(44,)]
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/details/failed") is None


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ([Fault(status=500)] * 3, "HTTP 500"),
        ([Fault(body=b'{"total": 0, "jobPostings": [{"title": "Da')], "unreadable response"),
        ([Fault(body=b'{"total": 0, "jobPostings": []}')], "saw 20 of total=45 jobs"),
        ([Fault(truncate=300)] * 3, "ResponseDataLossError"),
    ],
)
@deferred_f_from_coro_f
async def test_a_failing_later_page_makes_the_listing_incomplete(
    career_site: CareerSiteServer, db_path: Path, faults: list[Fault], error: str
) -> None:
    career_site.add_fault(MSD_LIST, Fault(), *faults)  # the first page passes, the second fails
    sources = [msd(career_site), nvidia(career_site)]
    items, _ = await run_crawl(db_path, sources, JOBCRAWL_RETRY_BACKOFF=0.01)
    found = listings(items)
    assert not found[MSD].complete
    assert found[MSD].error is not None
    assert found[MSD].error.startswith(f"{career_site.url}{MSD_LIST}: ")
    assert error in found[MSD].error
    assert found[NVIDIA].complete
    assert len(found[MSD].seen_ids) == 20
    assert [b["offset"] for b in list_bodies(career_site)][:2] == [0, 20]
    assert rows(db_path, "SELECT status FROM runs") == [("partial",)]


@deferred_f_from_coro_f
async def test_overlapping_pages_are_detected(career_site: CareerSiteServer, db_path: Path) -> None:
    """A job that moved between two requests shows up twice and pushes another one out of sight."""
    first, second = board_page(career_site, 0), board_page(career_site, 20)
    second["jobPostings"][0] = first["jobPostings"][-1]
    career_site.add_fault(MSD_LIST, Fault(), Fault(body=json.dumps(second).encode()))
    items, _ = await run_crawl(db_path, [msd(career_site)])
    listing = listings(items)[MSD]
    assert not listing.complete
    assert listing.error is not None
    assert listing.error.endswith("saw 44 of total=45 jobs")
    assert len(listing.seen_ids) == len(set(listing.seen_ids)) == 44
    assert len(detail_requests(career_site)) == 44


@deferred_f_from_coro_f
async def test_retry_after_is_honoured(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.add_fault(NVIDIA_LIST, Fault(status=429, headers={"Retry-After": "1"}))
    items, crawler = await run_crawl(db_path, [nvidia(career_site)], JOBCRAWL_RETRY_BACKOFF=0.01)
    assert listings(items)[NVIDIA].complete
    assert len(postings(items)) == 3
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/retry/waited_ms") == 1000


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.robots_txt = b"User-agent: *\nDisallow: /wday/\n"
    items, _ = await run_crawl(db_path, [nvidia(career_site)])
    listing = listings(items)[NVIDIA]
    assert not listing.complete
    assert listing.error is not None
    assert "robots.txt" in listing.error
    assert not any(path.startswith("/wday/") for path in career_site.requests)


@deferred_f_from_coro_f
async def test_unknown_site_is_an_incomplete_listing(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    source = WorkdaySource(
        host="msd.wd5.myworkdayjobs.com", tenant="msd", site="Nope", base_url=career_site.url
    )
    items, _ = await run_crawl(db_path, [source])
    listing = listings(items)["msd/Nope"]
    assert not listing.complete
    assert listing.error is not None
    assert listing.error.endswith("HTTP 404")


# -- pagination decisions that a small board cannot reach -----------------------------------------


def paged_response(offset: int, total: int | None, seen: list[str]) -> TextResponse:
    url = "https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/External/jobs"
    request = Request(url, meta={PAGING: {"offset": offset, "total": total, "seen": seen}})
    return TextResponse(url, body=b"{}", request=request)


def listed_page(total: int | None, ids: list[str]) -> WorkdayListPage:
    return WorkdayListPage(
        total=total, entries=len(ids), details=[Detail(i, f"https://x/{i}") for i in ids]
    )


ACME = WorkdaySource(url="https://acme.wd5.myworkdayjobs.com/External")


def test_a_total_of_2000_is_the_result_cap_not_a_count() -> None:
    spider = WorkdaySpider(sources=[ACME])
    page = listed_page(0, [f"JR{n}" for n in range(1980, 2000)])
    seen = [f"JR{n}" for n in range(1980)]
    assert list(spider.next_requests(paged_response(1980, 2000, seen), ACME, page)) == []
    assert page.incomplete == "total=2000 is Workday's result cap: the board may hold more jobs"


def test_a_first_page_without_total_cannot_be_complete() -> None:
    spider = WorkdaySpider(sources=[ACME])
    page = listed_page(None, ["JR1", "JR2"])
    assert list(spider.next_requests(paged_response(0, None, []), ACME, page)) == []
    assert page.incomplete == "the first page gives no total"


def test_the_next_page_carries_what_was_seen() -> None:
    spider = WorkdaySpider(sources=[ACME])
    page = listed_page(45, [f"JR{n}" for n in range(20)])
    [request] = spider.next_requests(paged_response(0, None, []), ACME, page)
    assert request.method == "POST"
    assert json.loads(request.body) == {
        "appliedFacets": {},
        "limit": 20,
        "offset": 20,
        "searchText": "",
    }
    assert request.meta[PAGING] == {
        "offset": 20,
        "total": 45,
        "seen": [f"JR{n}" for n in range(20)],
    }
    assert page.incomplete is None


# -- extraction details that the shared case harness does not show ---------------------------------

LIST_CASES = [
    c
    for c in all_cases()
    if c.family == "workday" and c.meta.get("page") != "detail" and c.expected() is not None
]


@pytest.mark.parametrize("case", LIST_CASES, ids=lambda c: c.id)
def test_listing_cases_give_the_expected_details(case: Case) -> None:
    """`expected.json` of a listing case also holds its `details` and `total`, checked by hand."""
    page = extractor("workday", "listing")(case.response(), case.source())
    expected = case.expected() or {}
    assert isinstance(page, WorkdayListPage)
    assert page.total == expected["total"]
    assert [dataclasses.asdict(d) for d in page.details] == expected["details"]


def test_source_ids_come_from_the_requisition_suffix() -> None:
    assert source_id_of("/job/Santa-Clara/Engineer_JR1234") == "JR1234"
    assert source_id_of("/job/Durham-NC/Director--Pre-Clinical_R26-129-1") == "R26-129-1"
    assert source_id_of("/job/US-Remote/Open-Application") == "/job/US-Remote/Open-Application"
    assert source_id_of("/job/US-Remote/Trailing_") == "/job/US-Remote/Trailing_"


def test_a_sparse_detail_is_completed_from_its_listing_entry() -> None:
    path = "/job/US-CA-Santa-Clara/Engineer_JR7"
    listed = RawPosting(
        source="workday",
        source_key="acme/External",
        source_id="JR7",
        url="https://acme.wd5.myworkdayjobs.com/External/job/US-CA-Santa-Clara/Engineer_JR7",
        title="Engineer",
        location_raw="US, CA, Santa Clara",
        date_posted_raw="Posted 3 Days Ago",
    )
    posting = parse_job({"jobPostingInfo": {"jobReqId": "JR7"}}, ACME, path, listed)
    assert (posting.title, posting.location_raw, posting.date_posted_raw) == (
        "Engineer",
        "US, CA, Santa Clara",
        "Posted 3 Days Ago",
    )
    assert posting.url == listed.url
    assert posting.source_id == "JR7"


# -- the sources entry ----------------------------------------------------------------------------


def test_the_careers_url_is_split_into_host_tenant_and_site() -> None:
    source = WorkdaySource(
        url="https://NVIDIA.wd5.myworkdayjobs.com/en-US/NVIDIAExternalCareerSite/job/X/Y_JR1"
    )
    assert (source.host, source.tenant, source.site) == (
        "nvidia.wd5.myworkdayjobs.com",
        "nvidia",
        "NVIDIAExternalCareerSite",
    )
    assert source.key == NVIDIA
    assert source.label == f"workday:{NVIDIA}"
    assert source.api_base == "https://nvidia.wd5.myworkdayjobs.com"
    assert WorkdaySource(url="https://acme.wd1.myworkdayjobs.com/careers").key == "acme/careers"


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"url": "https://acme.wd5.myworkdayjobs.com/en-US/"}, "expected a Workday careers URL"),
        (
            {"url": "https://acme.wd5.myworkdayjobs.com/External", "site": "Internal"},
            "site: 'Internal' disagrees with url ('External')",
        ),
        ({"host": "acme.wd5.myworkdayjobs.com", "tenant": "acme"}, "site: required (or give url)"),
        (
            {"host": "acme.wd5.myworkdayjobs.com", "tenant": "acme", "site": "../etc"},
            "site: String should match pattern",
        ),
    ],
)
def test_bad_sources_entries_name_the_field(entry: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_source({"kind": "workday", **entry})


def test_spider_arguments_go_through_the_sources_model() -> None:
    spider = WorkdaySpider(url="https://acme.wd5.myworkdayjobs.com/External", _job="scrapyd-id")
    assert [s.label for s in spider.sources] == ["workday:acme/External"]
    with pytest.raises(ConfigError, match="spider workday: host, tenant, site: required"):
        WorkdaySpider()

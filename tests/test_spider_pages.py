"""
Real Scrapy crawls of a selector-configured careers site (`kind: pages`), and its sources entry.

The demo's Globex site (crawler/demo/data/careers/globex) has two list pages joined by a "next"
link and four job pages; one job page holds hostile HTML, one is German. Rendering in Chromium is
tested in tests/test_render.py.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from crawler.config import load_sources
from crawler.demo.server import CareerSiteServer, Fault
from crawler.errors import ConfigError
from crawler.items import JobPosting, ListingResult
from crawler.sources import PagesSource
from spiders.greenhouse import GreenhouseSpider
from spiders.pages import PagesSpider, selector_values
from spiders.render import HANDLER
from tests.conftest import crawl_settings

SITE = "https://jobs.globex.example"
LIST = "/careers/globex/openings"
FIELDS = {
    "title": "h1.job-title",
    "location": ".job-location",
    "date": "time.posted",
    "valid_through": "time.closes",
    "employment_type": ".job-type",
    "salary": ".pay",
    "department": ".team",
    "description": "div.job-description",
    "apply": "a.apply",
}
IDS = ["1042", "1043", "1044", "1045"]


def globex(server: CareerSiteServer, **fields: Any) -> PagesSource:
    entry = {
        "url": f"{SITE}{LIST}",
        "base_url": server.url,
        "company": "Globex",
        "job_link": "ul.openings a.opening-link",
        "next_page": "a.next",
        "fields": FIELDS,
        **fields,
    }
    return PagesSource.model_validate(entry)


async def run_crawl(
    sources: list[PagesSource], db_path: Path, **settings: Any
) -> tuple[list[Any], Crawler]:
    crawler = get_crawler(PagesSpider, crawl_settings(db_path, **settings))
    items: list[Any] = []

    def collect(item: Any) -> None:
        items.append(item)

    crawler.signals.connect(collect, signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(sources=sources)
    return items, crawler


def listings(items: list[Any]) -> dict[str, ListingResult]:
    return {i.source_key: i for i in items if isinstance(i, ListingResult)}


def postings(items: list[Any]) -> dict[str, JobPosting]:
    return {i.source_id.rsplit("/", 1)[-1]: i for i in items if isinstance(i, JobPosting)}


def rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def list_requests(server: CareerSiteServer) -> list[str]:
    return [p for p in server.requests if p.startswith(LIST) and "/openings/" not in p]


@deferred_f_from_coro_f
async def test_crawl_follows_next_links_and_stores_every_job(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    items, crawler = await run_crawl([globex(career_site)], db_path)
    listing = listings(items)["jobs.globex.example"]
    assert listing.complete, listing.error
    assert listing.pages == 2
    assert list_requests(career_site) == [LIST, f"{LIST}?page=2"]
    assert sorted(postings(items)) == IDS
    assert rows(db_path, "SELECT count(*) FROM jobs WHERE source = 'pages'") == [(4,)]
    assert not any("applytojob" in p for p in career_site.requests)  # the other site's job
    jobs = postings(items)
    accountant = jobs["1042"]
    assert accountant.id == "pages:jobs.globex.example:/careers/globex/openings/1042"
    assert accountant.url == f"{SITE}{LIST}/1042"
    assert accountant.company == "Globex"
    assert accountant.apply_url == "https://globex.applytojob.example/apply/1042"
    assert accountant.salary is not None
    assert (accountant.salary.min, accountant.salary.max, accountant.salary.period) == (
        70000,
        85000,
        "YEAR",
    )
    assert str(accountant.date_posted) == "2026-11-02"
    assert accountant.employment_type == ["FULL_TIME"]
    assert accountant.department == "Finance"
    assert accountant.experience_years_min == 4
    technician = jobs["1043"]
    assert technician.description_html is not None
    for hostile in ("<script", "onmouseover", "javascript:", "<iframe", "tracker.example"):
        assert hostile not in technician.description_html
    assert [loc.city for loc in technician.locations] == ["Cypress Creek", "Portland"]
    german = jobs["1044"]
    assert german.employment_type == ["FULL_TIME"]
    assert german.salary is not None
    assert (german.salary.min, german.salary.currency) == (55000, "EUR")
    guard = jobs["1045"]
    assert guard.title == "Security Guard (Part-time)"
    assert str(guard.valid_through) == "2026-12-31"
    assert crawler.stats is not None
    assert crawler.stats.get_value("playwright/browser_count") is None  # nothing rendered


@deferred_f_from_coro_f
async def test_numbered_pages_until_one_lists_nothing_new(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    # Page 3 repeats page 2, as many sites do past their last page.
    folder = site_data / "careers" / "globex"
    (folder / "openings-3.html").write_bytes((folder / "openings-2.html").read_bytes())
    source = globex(career_site, next_page=None, page_url=f"{SITE}{LIST}?page={{page}}")
    items, _ = await run_crawl([source], db_path)
    listing = listings(items)["jobs.globex.example"]
    assert listing.complete
    assert list_requests(career_site) == [LIST, f"{LIST}?page=2", f"{LIST}?page=3"]
    assert sorted(postings(items)) == IDS


@deferred_f_from_coro_f
async def test_more_list_pages_than_max_pages_is_an_incomplete_listing(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    items, _ = await run_crawl([globex(career_site, max_pages=1)], db_path)
    listing = listings(items)["jobs.globex.example"]
    assert not listing.complete
    assert listing.error == f"{career_site.url}{LIST}: stopped after max_pages=1 list pages"
    assert sorted(postings(items)) == IDS[:3]


@deferred_f_from_coro_f
async def test_a_failing_list_page_makes_only_its_listing_incomplete(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    career_site.add_fault(LIST, Fault(), *[Fault(status=502)] * 3)
    first = globex(career_site)
    # The same site's second page at an address of its own, so the faults reach only `first`.
    second = globex(career_site, url=f"{SITE}{LIST}-2", site="globex-again")
    items, _ = await run_crawl([first, second], db_path, JOBCRAWL_RETRY_BACKOFF=0.01)
    found = listings(items)
    broken = found["jobs.globex.example"]
    assert not broken.complete
    assert broken.error == f"{career_site.url}{LIST}?page=2: HTTP 502"
    assert len(broken.seen_ids) == 3
    assert found["globex-again"].complete


@deferred_f_from_coro_f
async def test_a_job_page_that_no_longer_fits_the_selectors_fails_alone(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    page = site_data / "careers" / "globex" / "openings" / "1044.html"
    page.write_text(page.read_text().replace('class="job-title"', 'class="headline"'))
    items, crawler = await run_crawl([globex(career_site)], db_path)
    listing = listings(items)["jobs.globex.example"]
    assert listing.complete
    assert "pages:jobs.globex.example:/careers/globex/openings/1044" in listing.seen_ids
    assert sorted(postings(items)) == ["1042", "1043", "1045"]
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/details/failed") == 1


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.robots_txt = b"User-agent: *\nDisallow: /careers/globex/openings/\n"
    items, crawler = await run_crawl([globex(career_site)], db_path)
    listing = listings(items)["jobs.globex.example"]
    assert listing.complete  # the list pages were read; the job pages were refused
    assert postings(items) == {}
    assert not any(p.startswith(f"{LIST}/") for p in career_site.requests)
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/details/failed") == 4


def test_only_the_pages_crawler_gets_the_browser_handler() -> None:
    pages = get_crawler(PagesSpider, crawl_settings(Path("unused.db")))
    assert pages.settings.getdict("DOWNLOAD_HANDLERS") == {"http": HANDLER, "https": HANDLER}
    launch = pages.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"] == "/usr/bin/chromium"
    assert launch["headless"] is True
    assert "--disable-background-networking" in launch["args"]
    greenhouse = get_crawler(GreenhouseSpider, crawl_settings(Path("unused.db")))
    assert greenhouse.settings.getdict("DOWNLOAD_HANDLERS") == {}
    assert "PLAYWRIGHT_LAUNCH_OPTIONS" not in greenhouse.settings


def test_chromium_path_comes_from_the_setting() -> None:
    settings = crawl_settings(Path("unused.db"), JOBCRAWL_CHROMIUM_PATH="/opt/chromium/chrome")
    crawler = get_crawler(PagesSpider, settings)
    launch = crawler.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"] == "/opt/chromium/chrome"


def test_selector_values_show_what_each_selector_picks() -> None:
    body = (
        Path(__file__).parent
        / "fixtures"
        / "pages"
        / "constructed-hostile-detail"
        / "response.html"
    ).read_bytes()
    response = HtmlResponse(url=f"{SITE}{LIST}/1043", body=body, encoding="utf-8")
    source = PagesSource.model_validate(
        {"url": f"{SITE}{LIST}", "job_link": "a.opening-link", "fields": FIELDS}
    )
    values = selector_values(response, source)
    assert values["job_link"] == []
    assert values["title"] == ["Field Service Technician"]
    assert values["location"] == ["Cypress Creek, OR", "Portland, OR"]
    assert values["date"] == ["2026-10-28"]
    assert values["valid_through"] == []
    assert values["apply"] == [f"{SITE}/careers/globex/apply?job=1043"]
    assert values["description"][0].startswith('\n    <p onmouseover="track()">Install')


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"job_link": "a[href"}, "job_link: Value error, invalid CSS selector 'a[href'"),
        ({"fields": {"title": "//h1["}}, "fields.title: Value error, invalid XPath selector"),
        ({"fields": {"location": ".where"}}, "fields.title: Field required"),
        ({"fields": {"title": "h1", "salery": ".pay"}}, "fields.salery: unknown field"),
        ({"page_url": f"{SITE}{LIST}?page=2"}, "page_url: must contain {page}"),
        ({"next_page": "a.next", "page_url": f"{SITE}{LIST}?p={{page}}"}, "not both"),
        ({"page_url": "https://elsewhere.example/?p={page}"}, "page_url: must be on"),
        ({"render": "sometimes"}, "render: Value error, must be true, false, list or detail"),
        ({"render_timeout": 0}, "render_timeout: Input should be greater than 0"),
        ({"max_pages": 0}, "max_pages: Input should be greater than or equal to 1"),
    ],
)
def test_mistakes_name_the_entry_and_the_field(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    good = {"kind": "pages", "site": "globex", "url": f"{SITE}{LIST}", "job_link": "a"}
    entry = {**good, "fields": {"title": "h1"}, **change}
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text(
        yaml.safe_dump({"sources": [{**good, "fields": {"title": "h1"}}, entry]})
    )
    loaded = load_sources(sources_file)
    assert len(loaded.sources) == 1
    [error] = loaded.errors
    assert error.startswith(f"{sources_file}: entry 2 (pages globex): ")
    assert message in error


def test_spider_arguments_go_through_the_sources_model() -> None:
    spider = PagesSpider(
        url=f"{SITE}{LIST}", job_link="a.opening-link", fields='{"title": "h1.job-title"}'
    )
    [source] = spider.sources
    assert isinstance(source, PagesSource)
    assert source.fields.title == "h1.job-title"
    assert source.label == "pages:jobs.globex.example"
    with pytest.raises(ConfigError, match="spider pages: fields: Field required"):
        PagesSpider(url=f"{SITE}{LIST}", job_link="a")

"""
Real Scrapy crawls of the demo's structured-data careers site (`kind: sitemap` and `kind: jsonld`).

The Northwind site (crawler/demo/data/careers/northwind) has a sitemap index with a jobs sitemap and
a pages sitemap, two index pages, job pages with JSON-LD (three copied from real pages), microdata,
RDFa and no markup, and pages that are not jobs. Its pages name `https://jobs.northwind.example`;
`base_url` sends the requests to the local server.
"""

from __future__ import annotations

import gzip
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
from crawler.items import JobPosting, ListingResult
from crawler.sources import JsonLdSource, SitemapSource, SiteSource
from spiders.jsonld import JsonLdSpider
from spiders.sitemap import SitemapSpider, read_sitemap
from tests.conftest import crawl_settings

SITE = "https://jobs.northwind.example"
ROOT = "/careers/northwind"
JOBS = [
    "bcba-raleigh",
    "data-engineer-berlin",
    "field-clinical-specialist",
    "national-security-manager",
    "patissier-lyon",
    "warehouse-associate",
    "welder-leeds",
]


def sitemap(server: CareerSiteServer, path: str = "/sitemap.xml", **fields: Any) -> SitemapSource:
    return SitemapSource.model_validate(
        {"url": f"{SITE}{ROOT}{path}", "base_url": server.url, **fields}
    )


def index(server: CareerSiteServer, **fields: Any) -> JsonLdSource:
    return JsonLdSource.model_validate({"url": f"{SITE}{ROOT}/", "base_url": server.url, **fields})


async def run_crawl(
    sources: list[SiteSource], db_path: Path, **settings: Any
) -> tuple[list[Any], Crawler]:
    spider = SitemapSpider if sources[0].kind == "sitemap" else JsonLdSpider
    crawler = get_crawler(spider, crawl_settings(db_path, **settings))
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


def job_requests(server: CareerSiteServer) -> list[str]:
    return sorted(p.rsplit("/", 1)[-1] for p in server.requests if p.startswith(f"{ROOT}/jobs/"))


def stat(crawler: Crawler, name: str) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(name)


# -- sitemaps ---------------------------------------------------------------------------------------


@deferred_f_from_coro_f
async def test_sitemap_crawl_stores_every_job_page(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    items, crawler = await run_crawl([sitemap(career_site)], db_path)
    listing = listings(items)["jobs.northwind.example"]
    assert listing.complete, listing.error
    assert listing.pages == 3  # the index and its two sitemaps
    assert rows(db_path, "SELECT count(*) FROM jobs") == [(7,)]
    assert sorted(postings(items)) == JOBS
    assert job_requests(career_site) == JOBS  # each job page once; the other site's page never
    assert not any("partner.example" in p or "elsewhere" in p for p in career_site.requests)
    # The index page, about and benefits are no job pages: fetched, counted, not stored.
    assert stat(crawler, "jobcrawl/details/not_a_job") == 3
    assert rows(
        db_path, "SELECT count(*) FROM jobs WHERE url LIKE '%about%' OR title LIKE 'Open%'"
    )[0] == (0,)
    jobs = postings(items)
    berlin = jobs["data-engineer-berlin"]
    assert (
        berlin.id == "sitemap:jobs.northwind.example:/careers/northwind/jobs/data-engineer-berlin"
    )
    assert berlin.url == f"{SITE}{ROOT}/jobs/data-engineer-berlin"
    assert berlin.company == "Brightwave Energie GmbH"
    assert berlin.remote == "remote"
    assert [loc.country for loc in berlin.locations] == ["DE", "AT"]
    assert berlin.salary is not None
    assert (berlin.salary.min, berlin.salary.max, berlin.salary.period) == (5000, 6500, "MONTH")
    assert berlin.requisition_id == "BW-2026-117"
    assert berlin.apply_url == berlin.url
    assert berlin.source_revision == "2026-11-02"
    assert berlin.description_html is not None
    for hostile in ("<script", "onclick", "onerror", "javascript:"):
        assert hostile not in berlin.description_html
    assert "Datenpipelines mit Python" in (berlin.description_text or "")
    assert jobs["patissier-lyon"].company == "Maison Brûlée"  # microdata
    assert jobs["welder-leeds"].salary is not None  # RDFa
    assert jobs["welder-leeds"].salary.currency == "GBP"
    warehouse = jobs["warehouse-associate"]  # no markup: title, meta and main text
    assert warehouse.title == "Warehouse Associate (Night Shift)"
    assert warehouse.company == "Northwind Staffing"
    assert "Pick, pack and load orders" in (warehouse.description_text or "")
    assert stat(crawler, "jobcrawl/pages/without_markup") == 1


@deferred_f_from_coro_f
async def test_sitemaps_named_in_robots_txt(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.robots_txt = (
        f"User-agent: *\nAllow: /\n\nSitemap: {SITE}{ROOT}/sitemap-jobs.xml\n"
        f"sitemap: https://cdn.example.net/sitemap.xml\n"
    ).encode()
    source = SitemapSource(url=f"{SITE}/robots.txt", base_url=career_site.url)
    items, _ = await run_crawl([source], db_path)
    listing = listings(items)["jobs.northwind.example"]
    assert sorted(postings(items)) == JOBS
    # A sitemap on another site cannot be read, so the listing may miss jobs: incomplete.
    assert not listing.complete
    assert listing.error is not None
    assert "a sitemap on another site was not followed: https://cdn.example.net/sitemap.xml" in (
        listing.error
    )
    assert "cdn.example.net" not in " ".join(career_site.requests)


@deferred_f_from_coro_f
async def test_recrawl_fetches_only_job_pages_whose_lastmod_moved(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    await run_crawl([sitemap(career_site)], db_path)
    folder = site_data / "careers" / "northwind"
    jobs_sitemap = folder / "sitemap-jobs.xml"
    jobs_sitemap.write_text(
        jobs_sitemap.read_text().replace(
            "welder-leeds</loc><lastmod>2026-11-18", "welder-leeds</loc><lastmod>2026-11-23"
        )
    )
    page = folder / "jobs" / "welder-leeds.html"
    page.write_text(page.read_text().replace("Welder Fabricator", "Senior Welder Fabricator"))
    career_site.requests.clear()

    items, crawler = await run_crawl([sitemap(career_site)], db_path)

    listing = listings(items)["jobs.northwind.example"]
    assert listing.complete
    assert len(listing.seen_ids) == 7  # the 3 pages that are no jobs are not counted as seen
    # Only the changed page and the one without <lastmod> are fetched again.
    assert job_requests(career_site) == ["warehouse-associate", "welder-leeds"]
    assert stat(crawler, "jobcrawl/details/unchanged") == 5
    assert rows(db_path, "SELECT count(*), count(DISTINCT id) FROM jobs WHERE status = 'open'") == [
        (7, 7)
    ]
    assert rows(
        db_path, "SELECT title, version, source_revision FROM jobs WHERE id LIKE '%welder-leeds'"
    ) == [("Senior Welder Fabricator", 2, "2026-11-23")]


@deferred_f_from_coro_f
async def test_gzipped_sitemap(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    folder = site_data / "careers" / "northwind"
    (folder / "sitemap-jobs.xml.gz").write_bytes(
        gzip.compress((folder / "sitemap-jobs.xml").read_bytes())
    )
    items, _ = await run_crawl([sitemap(career_site, "/sitemap-jobs.xml.gz")], db_path)
    assert listings(items)["jobs.northwind.example"].complete
    assert sorted(postings(items)) == JOBS


@deferred_f_from_coro_f
async def test_job_urls_limit_the_pages_fetched(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    source = sitemap(career_site, job_urls=[r"/jobs/(?!warehouse)"])
    items, crawler = await run_crawl([source], db_path)
    assert listings(items)["jobs.northwind.example"].complete
    assert sorted(postings(items)) == [j for j in JOBS if j != "warehouse-associate"]
    assert f"{ROOT}/about" not in career_site.requests
    assert stat(crawler, "jobcrawl/details/not_a_job") is None


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ([Fault(status=500)] * 3, "sitemap-pages.xml: HTTP 500"),
        (
            [Fault(body=b'<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/')],
            "unreadable response: not well-formed XML",
        ),
        ([Fault(truncate=120)] * 3, "ResponseDataLossError"),
        (
            [Fault(body=b"<!DOCTYPE html><html><body>Maintenance</body></html>")],
            "unreadable response: not a sitemap: the document is <html>",
        ),
        ([Fault(body=b"<feed xmlns='http://www.w3.org/2005/Atom'/>")], "the document is <feed>"),
    ],
)
@deferred_f_from_coro_f
async def test_a_broken_sitemap_makes_the_listing_incomplete(
    career_site: CareerSiteServer, db_path: Path, faults: list[Fault], error: str
) -> None:
    career_site.add_fault(f"{ROOT}/sitemap-pages.xml", *faults)
    whole = sitemap(career_site)
    jobs_only = sitemap(career_site, "/sitemap-jobs.xml", site="northwind-jobs")
    items, _ = await run_crawl([whole, jobs_only], db_path, JOBCRAWL_RETRY_BACKOFF=0.01)
    found = listings(items)
    assert not found["jobs.northwind.example"].complete
    assert error in (found["jobs.northwind.example"].error or "")
    assert found["northwind-jobs"].complete
    # The jobs the other sitemap listed are stored all the same; nothing will be closed.
    assert rows(db_path, "SELECT source_key, count(*) FROM jobs GROUP BY 1 ORDER BY 1") == [
        ("jobs.northwind.example", 7),
        ("northwind-jobs", 7),
    ]


@deferred_f_from_coro_f
async def test_a_failing_job_page_keeps_the_listing_complete(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    career_site.add_fault(f"{ROOT}/jobs/patissier-lyon", *[Fault(status=503)] * 3)
    items, crawler = await run_crawl([sitemap(career_site)], db_path, JOBCRAWL_RETRY_BACKOFF=0.01)
    listing = listings(items)["jobs.northwind.example"]
    assert listing.complete
    assert f"sitemap:jobs.northwind.example:{ROOT}/jobs/patissier-lyon" in listing.seen_ids
    assert "patissier-lyon" not in postings(items)
    assert stat(crawler, "jobcrawl/details/failed") == 1  # the failed page
    assert stat(crawler, "jobcrawl/details/not_a_job") == 3


@deferred_f_from_coro_f
async def test_a_job_page_that_answers_404_closes_its_job(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    await run_crawl([sitemap(career_site)], db_path)
    (site_data / "careers" / "northwind" / "jobs" / "warehouse-associate.html").unlink()
    await run_crawl([sitemap(career_site)], db_path)
    assert rows(
        db_path, "SELECT status, close_reason FROM jobs WHERE id LIKE '%warehouse-associate'"
    ) == [("closed", "detail_gone")]


@deferred_f_from_coro_f
async def test_retry_after_is_honoured(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.add_fault(f"{ROOT}/sitemap.xml", Fault(status=429, headers={"Retry-After": "1"}))
    items, crawler = await run_crawl([sitemap(career_site)], db_path, JOBCRAWL_RETRY_BACKOFF=0.01)
    assert listings(items)["jobs.northwind.example"].complete
    assert stat(crawler, "jobcrawl/retry/waited_ms") == 1000


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed_unless_the_source_says_not_to(
    career_site: CareerSiteServer, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    career_site.robots_txt = f"User-agent: *\nDisallow: {ROOT}/sitemap\n".encode()
    items, _ = await run_crawl([sitemap(career_site)], db_path)
    listing = listings(items)["jobs.northwind.example"]
    assert not listing.complete
    assert "robots.txt" in (listing.error or "")
    assert not any(p.startswith(f"{ROOT}/sitemap") for p in career_site.requests)

    with caplog.at_level(logging.WARNING):
        items, _ = await run_crawl([sitemap(career_site, obey_robots_txt=False)], tmp_db(db_path))
    assert listings(items)["jobs.northwind.example"].complete
    assert "robots.txt is not obeyed for this source (obey_robots_txt: false)" in caplog.text


def tmp_db(db_path: Path) -> Path:
    return db_path.with_name("second.db")


# -- index pages ------------------------------------------------------------------------------------


@deferred_f_from_coro_f
async def test_index_pages_crawl(career_site: CareerSiteServer, db_path: Path) -> None:
    items, crawler = await run_crawl([index(career_site)], db_path)
    listing = listings(items)["jobs.northwind.example"]
    assert listing.complete, listing.error
    assert listing.pages == 2
    assert f"{ROOT}/?page=2" in career_site.requests
    # Every job page once, although the first index links one twice; the tour guide exists only
    # as a posting written into the second index page, so it has no request of its own.
    assert job_requests(career_site) == JOBS
    assert sorted(postings(items)) == sorted([*JOBS, "seasonal-tour-guide"])
    guide = postings(items)["seasonal-tour-guide"]
    assert guide.company == "Old Town Tours"
    assert guide.employment_type == ["TEMPORARY"]
    assert rows(db_path, "SELECT count(*) FROM jobs") == [(8,)]
    assert stat(crawler, "jobcrawl/details/not_a_job") == 2  # about and benefits


@deferred_f_from_coro_f
async def test_a_failing_index_page_makes_the_listing_incomplete(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    career_site.add_fault(f"{ROOT}/", Fault(status=200), *[Fault(status=500)] * 3)
    items, _ = await run_crawl([index(career_site)], db_path, JOBCRAWL_RETRY_BACKOFF=0.01)
    listing = listings(items)["jobs.northwind.example"]
    assert not listing.complete
    assert listing.error == f"{career_site.url}{ROOT}/?page=2: HTTP 500"


# -- reading sitemaps (pure) --------------------------------------------------------------------


SOURCE = SitemapSource(url="https://jobs.example.com/sitemap.xml")


def test_a_plain_text_sitemap() -> None:
    body = b"https://jobs.example.com/jobs/1\n\nhttps://jobs.example.com/jobs/2\r\n"
    page, children = read_sitemap(body, "https://jobs.example.com/sitemap.txt", SOURCE)
    assert [d.source_id for d in page.details] == ["/jobs/1", "/jobs/2"]
    assert children == []
    with pytest.raises(ValueError, match="is not a URL"):
        read_sitemap(b"User-agent: *\n", "https://jobs.example.com/sitemap.txt", SOURCE)


def test_sitemap_entries_without_loc_make_the_page_incomplete() -> None:
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc> https://jobs.example.com/jobs/1 </loc><lastmod>2026-01-01</lastmod></url>
      <url><lastmod>2026-01-02</lastmod></url>
      <url><loc>https://jobs.example.com/jobs/1#again</loc></url>
    </urlset>"""
    page, _ = read_sitemap(body, SOURCE.urls[0], SOURCE)
    assert [(d.source_id, d.revision) for d in page.details] == [("/jobs/1", "2026-01-01")]
    assert page.incomplete == "a <url> without <loc>"


def test_sitemap_entities_are_not_expanded() -> None:
    body = b"""<?xml version="1.0"?>
    <!DOCTYPE urlset [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
    <urlset><url><loc>https://jobs.example.com/jobs/&secret;</loc></url></urlset>"""
    page, _ = read_sitemap(body, SOURCE.urls[0], SOURCE)
    assert "root:" not in repr(page)


def test_robots_txt_without_sitemaps_is_unreadable() -> None:
    with pytest.raises(ValueError, match=r"robots\.txt names no sitemap"):
        read_sitemap(b"User-agent: *\nDisallow:\n", "https://jobs.example.com/robots.txt", SOURCE)


def test_broken_gzip_is_unreadable() -> None:
    with pytest.raises(ValueError, match="broken gzip"):
        read_sitemap(b"\x1f\x8b\x08\x00garbage", SOURCE.urls[0], SOURCE)


def test_id_pattern_names_the_job() -> None:
    source = SitemapSource(url=SOURCE.urls[0], id_pattern=r"/jobs/(\d+)")
    body = b"""<urlset><url><loc>https://jobs.example.com/jobs/42-engineer?src=x</loc></url>
    <url><loc>https://jobs.example.com/jobs/engineer</loc></url></urlset>"""
    page, _ = read_sitemap(body, SOURCE.urls[0], source)
    assert [d.source_id for d in page.details] == ["42"]
    assert page.incomplete == "a job page without an id"


# -- the sources entries ---------------------------------------------------------------------------


def test_spider_arguments_go_through_the_sources_model() -> None:
    spider = SitemapSpider(url=f"{SITE}/sitemap.xml", base_url="http://127.0.0.1:9/", _job="x")
    [source] = spider.sources
    assert source.label == "sitemap:jobs.northwind.example"
    assert isinstance(source, SitemapSource)
    assert source.fetch_url(f"{SITE}/jobs/1?a=b#c") == "http://127.0.0.1:9/jobs/1?a=b"
    assert source.public_url("http://127.0.0.1:9/jobs/1") == f"{SITE}/jobs/1"
    assert source.public_url("http://127.0.0.1:99/jobs/1") == "http://127.0.0.1:99/jobs/1"
    spider = JsonLdSpider(urls=f"{SITE}/careers/", site="northwind", job_urls=r"/jobs/")
    assert spider.sources[0].label == "jsonld:northwind"
    with pytest.raises(ConfigError, match="spider sitemap: urls: Field required"):
        SitemapSpider()
    with pytest.raises(ConfigError, match="urls: Value error, all on one site"):
        JsonLdSpider(urls=["https://a.example/jobs", "https://b.example/jobs"])
    with pytest.raises(ConfigError, match="job_urls: Value error, invalid regular expression"):
        JsonLdSpider(url=f"{SITE}/", job_urls="(")

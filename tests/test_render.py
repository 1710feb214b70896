"""
JavaScript-rendered boards crawled in the real headless Chromium (`/usr/bin/chromium`, see .ci/run).

The demo's Initech board is an empty list until its script, after the page has loaded, fetches
`board.json` and writes the jobs in; each job page is one shell page that its script fills. So a
title or description in the store proves the browser ran the page's JavaScript, and the board's
JSON being requested proves the browser itself fetched it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from crawler.demo.server import CareerSiteServer
from crawler.items import JobPosting, ListingResult
from crawler.sources import PagesSource
from spiders.pages import PagesSpider
from spiders.render import browser_selector, chromium_problem, render_meta
from tests.conftest import crawl_settings

BOARD = "https://initech.example/careers/initech/board"
FIELDS = {
    "title": "h1.title",
    "location": "p.location",
    "date": "time.posted",
    "employment_type": "p.type",
    "description": "div.description",
}


def board(server: CareerSiteServer, **fields: Any) -> PagesSource:
    entry = {
        "url": BOARD,
        "base_url": server.url,
        "company": "Initech",
        "render": True,
        "job_link": "#jobs li.job a",
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


def listing(items: list[Any]) -> ListingResult:
    [result] = [i for i in items if isinstance(i, ListingResult)]
    return result


def rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


@deferred_f_from_coro_f
async def test_board_is_rendered_in_chromium_and_stored(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    items, crawler = await run_crawl([board(career_site)], db_path)
    result = listing(items)
    assert result.complete, result.error
    assert sorted(result.seen_ids) == [
        "pages:initech.example:/careers/initech/board/7",
        "pages:initech.example:/careers/initech/board/8",
        "pages:initech.example:/careers/initech/board/9",
    ]
    # Titles and descriptions exist only in board.json, written into the pages by their scripts.
    assert rows(db_path, "SELECT title FROM jobs ORDER BY id") == [
        ("TPS Report Analyst",),
        ("Software Engineer, Y2K Remediation",),
        ("Office Manager",),
    ]
    jobs = {p.source_id: p for p in items if isinstance(p, JobPosting)}
    y2k = jobs["/careers/initech/board/8"]
    assert y2k.description_text == "Find and fix two-digit years in our COBOL and C code bases."
    assert y2k.remote == "remote"
    assert y2k.employment_type == ["CONTRACTOR"]
    assert str(y2k.date_posted) == "2026-11-19"
    assert y2k.url == "https://initech.example/careers/initech/board/8"
    # The browser fetched the board's data itself, once for the list and once per job page.
    assert career_site.requests.count("/careers/initech/board.json") == 4
    stats = crawler.stats
    assert stats is not None
    assert stats.get_value("playwright/browser_count") == 1
    assert stats.get_value("jobcrawl/pages/rendered") == 4
    # The page loads no images, media or fonts, and nothing outside the site.
    assert stats.get_value("playwright/request_count/resource_type/image") is None


@deferred_f_from_coro_f
async def test_without_rendering_the_board_lists_no_job(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    items, crawler = await run_crawl([board(career_site, render=False)], db_path)
    result = listing(items)
    assert result.complete
    assert result.seen_ids == []
    assert "/careers/initech/board.json" not in career_site.requests
    assert crawler.stats is not None
    assert crawler.stats.get_value("playwright/browser_count") is None


@deferred_f_from_coro_f
async def test_a_missing_browser_fails_the_listing_with_the_fix(
    career_site: CareerSiteServer, db_path: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no-chromium"
    items, _ = await run_crawl([board(career_site)], db_path, JOBCRAWL_CHROMIUM_PATH=str(missing))
    result = listing(items)
    assert not result.complete
    assert result.error == (
        f"{career_site.url}/careers/initech/board: BrowserUnavailableError: no Chromium at "
        f"{missing}: install Debian's chromium package (apt-get install chromium) "
        "or set JOBCRAWL_CHROMIUM_PATH to a Chromium executable"
    )
    assert not [i for i in items if isinstance(i, JobPosting)]
    assert "/careers/initech/board" not in career_site.requests


@deferred_f_from_coro_f
async def test_job_pages_that_need_a_missing_browser_fail_the_listing_once(
    career_site: CareerSiteServer, db_path: Path, tmp_path: Path
) -> None:
    source = PagesSource.model_validate(
        {
            "url": "https://jobs.globex.example/careers/globex/openings",
            "base_url": career_site.url,
            "render": "detail",
            "job_link": "ul.openings a.opening-link",
            "fields": {"title": "h1.job-title"},
        }
    )
    missing = tmp_path / "no-chromium"
    items, _ = await run_crawl([source], db_path, JOBCRAWL_CHROMIUM_PATH=str(missing))
    result = listing(items)
    assert not result.complete
    assert result.error == (
        f"{career_site.url}/careers/globex/openings: job pages need a browser: no Chromium at "
        f"{missing}: install Debian's chromium package (apt-get install chromium) "
        "or set JOBCRAWL_CHROMIUM_PATH to a Chromium executable"
    )
    assert len(result.seen_ids) == 3  # listed, so nothing is closed
    assert not any(p.startswith("/careers/globex/openings/") for p in career_site.requests)


@deferred_f_from_coro_f
async def test_a_browser_that_does_not_start_fails_the_listing(
    career_site: CareerSiteServer, db_path: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'chromium: cannot open display' >&2\nexit 1\n")
    broken.chmod(0o755)
    items, _ = await run_crawl([board(career_site)], db_path, JOBCRAWL_CHROMIUM_PATH=str(broken))
    result = listing(items)
    assert not result.complete
    assert result.error is not None
    assert f"BrowserUnavailableError: Chromium at {broken} did not start" in result.error
    assert "apt-get install chromium" in result.error


@deferred_f_from_coro_f
async def test_waiting_for_a_selector_that_never_appears_times_out(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    source = board(career_site, wait_for="ul#never-there li", render_timeout=1)
    items, _ = await run_crawl([source], db_path)
    result = listing(items)
    assert not result.complete
    assert result.error is not None
    assert "TimeoutError" in result.error
    assert "wait_for_selector" in result.error


def test_render_meta_renders_only_the_pages_asked_for() -> None:
    listed = PagesSource.model_validate(
        {"url": BOARD, "render": "list", "job_link": "li.job a::attr(href)", "fields": FIELDS}
    )
    meta = render_meta(listed, "list", default_timeout=30)
    assert meta["playwright"] is True
    assert meta["playwright_page_goto_kwargs"] == {"wait_until": "load", "timeout": 30_000}
    [wait] = meta["playwright_page_methods"]
    assert (wait.method, wait.args, wait.kwargs) == (
        "wait_for_selector",
        ("css=li.job a",),
        {"timeout": 30_000},
    )
    assert render_meta(listed, "detail", default_timeout=30) == {}
    detailed = listed.model_copy(update={"render": "detail", "render_timeout": 2.5})
    [wait] = render_meta(detailed, "detail", default_timeout=30)["playwright_page_methods"]
    assert wait.args == ("css=h1.title",)
    assert wait.kwargs == {"timeout": 2500}


@pytest.mark.parametrize(
    ("configured", "playwright"),
    [
        ("li.job a::attr(href)", "css=li.job a"),
        ("h1::text", "css=h1"),
        ("//ul[@id='jobs']/li/a/@href", "xpath=//ul[@id='jobs']/li/a"),
        ("xpath:(//h1)[1]/text()", "xpath=(//h1)[1]"),
        ("css:div.title", "css=div.title"),
    ],
)
def test_browser_selector(configured: str, playwright: str) -> None:
    assert browser_selector(configured) == playwright


def test_chromium_problem(tmp_path: Path) -> None:
    assert chromium_problem("/usr/bin/chromium") is None
    assert chromium_problem(None) is not None
    not_executable = tmp_path / "chromium"
    not_executable.write_text("")
    assert chromium_problem(str(not_executable)) == (
        f"no Chromium at {not_executable}: install Debian's chromium package "
        "(apt-get install chromium) or set JOBCRAWL_CHROMIUM_PATH to a Chromium executable"
    )

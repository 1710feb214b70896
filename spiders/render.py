"""
Rendering pages in headless Chromium, through scrapy-playwright, for boards written by JavaScript.

Only the `pages` spider's crawler gets scrapy-playwright's download handler (`enable_rendering`,
from its `update_settings`); the ATS spiders keep Scrapy's plain HTTP handler, and so does every
request without `meta["playwright"]`: the browser starts at the first page that renders, so only
pages that need a browser pay for one. The browser is the system's Chromium (`JOBCRAWL_CHROMIUM_PATH`,
Debian's `/usr/bin/chromium`), since Playwright cannot download its own builds here. It runs
headless with flags that keep it from reaching the network on its own (no background updates,
sync, metrics or first-run fetches), and a rendered page loads no images, media or fonts.

A missing browser, or one that does not start, fails each rendered request with one line that says
what to do, so the listing is incomplete and says why: Scrapy itself would log an error and finish
with exit status 0 and no items.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from playwright.async_api import Request as BrowserRequest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy_playwright.page import PageMethod

from crawler.sources import PagesSource, selector_query

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
CHECK_MIDDLEWARE = "spiders.render.BrowserCheckMiddleware"
CHROMIUM_ARGS = [
    "--no-sandbox",  # jobcrawl runs as root in containers and CI
    "--disable-gpu",
    "--disable-dev-shm-usage",  # small /dev/shm in containers
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--no-pings",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-quic",
    "--metrics-recording-only",
]
"""Headless, and nothing the browser would fetch for itself rather than for the page."""
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
"""What a rendered page does not load: jobs are text, and these are most of a page's bytes."""
INSTALL_HINT = (
    "install Debian's chromium package (apt-get install chromium) "
    "or set JOBCRAWL_CHROMIUM_PATH to a Chromium executable"
)
_PARSEL_ONLY = re.compile(r"(?:::(?:attr\([^)]*\)|text)|/@[\w:-]+|/text\(\))\s*$")


class BrowserUnavailableError(Exception):
    """The browser needed to render a page is missing or did not start."""


def chromium_problem(path: str | None) -> str | None:
    """Why the browser at `path` cannot be used, or None when it looks usable."""
    if not path:
        return f"no Chromium configured: {INSTALL_HINT}"
    if not Path(path).is_file() or not os.access(path, os.X_OK):
        return f"no Chromium at {path}: {INSTALL_HINT}"
    return None


def enable_rendering(settings: BaseSettings) -> None:
    """
    Route this crawler's downloads through scrapy-playwright, with the system Chromium.

    Set at spider priority, so `-s`/`--set` values (and a user's own `PLAYWRIGHT_*` settings from
    the command line) still win.
    """
    timeout_ms = round(settings.getfloat("JOBCRAWL_RENDER_TIMEOUT") * 1000)
    handlers = {**settings.getdict("DOWNLOAD_HANDLERS"), "http": HANDLER, "https": HANDLER}
    middlewares = {**settings.getdict("DOWNLOADER_MIDDLEWARES"), CHECK_MIDDLEWARE: 950}
    launch = {
        "executable_path": settings.get("JOBCRAWL_CHROMIUM_PATH"),
        "headless": True,
        "args": CHROMIUM_ARGS,
        "timeout": timeout_ms,
    }
    for name, value in {
        "DOWNLOAD_HANDLERS": handlers,
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout_ms,
        "PLAYWRIGHT_ABORT_REQUEST": "spiders.render.skip_resource",
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
    }.items():
        settings.set(name, value, priority="spider")


def skip_resource(request: BrowserRequest) -> bool:
    return request.resource_type in SKIPPED_RESOURCES


def render_meta(
    source: PagesSource, page: Literal["list", "detail"], default_timeout: float
) -> dict[str, Any]:
    """
    Request meta that renders a page of `source` in the browser, or nothing when it does not render.

    The browser waits for `wait_for` on list pages (default: the job link selector) and for the
    title selector on job pages, up to the source's `render_timeout`.
    """
    if not source.renders(page):
        return {}
    timeout_ms = round((source.render_timeout or default_timeout) * 1000)
    wait_for = (source.wait_for or source.job_link) if page == "list" else source.fields.title
    return {
        "playwright": True,
        "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": timeout_ms},
        "playwright_page_methods": [
            PageMethod("wait_for_selector", browser_selector(wait_for), timeout=timeout_ms)
        ],
    }


def browser_selector(expression: str) -> str:
    """A configured selector in Playwright's syntax, without parsel's `::attr()`/`::text` parts."""
    kind, query = selector_query(expression)
    return f"{kind}={_PARSEL_ONLY.sub('', query)}"


class BrowserCheckMiddleware:
    """Fails rendered requests at once, with the fix, when the browser is missing or will not start."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.problem = chromium_problem(path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BrowserCheckMiddleware:
        launch = crawler.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        return cls(launch.get("executable_path"))

    def process_request(self, request: Request) -> None:
        if request.meta.get("playwright") and self.problem:
            raise BrowserUnavailableError(self.problem)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if request.meta.get("playwright") and "BrowserType.launch" in str(exception):
            first = str(exception).strip().splitlines()[0]
            raise BrowserUnavailableError(
                f"Chromium at {self.path} did not start ({first}): {INSTALL_HINT}"
            ) from exception

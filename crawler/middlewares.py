"""
Downloader middlewares: retries that wait, requests counted per source, a User-Agent with a contact.

Retries that wait: Scrapy's retry, plus Retry-After and exponential backoff.

Scrapy's `RetryMiddleware` retries a 429 or 503 at once, which hammers a server that just asked us to
slow down. This subclass waits first: as long as the `Retry-After` header says (seconds or an HTTP
date), or else `JOBCRAWL_RETRY_BACKOFF * 2**attempt` seconds, never longer than
`JOBCRAWL_RETRY_AFTER_MAX`. The wait holds only the response being retried, not the crawl.
Replaces `scrapy.downloadermiddlewares.retry.RetryMiddleware` in `DOWNLOADER_MIDDLEWARES`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector


def retry_after_seconds(value: bytes | str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value; None when absent or unreadable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Retry 429/5xx after the wait the server asked for, or with exponential backoff."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff = settings.getfloat("JOBCRAWL_RETRY_BACKOFF", 1.0)
        self.max_wait = settings.getfloat("JOBCRAWL_RETRY_AFTER_MAX", 120.0)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        attempt = request.meta.get("retry_times", 0)
        asked = retry_after_seconds(response.headers.get("Retry-After"), now=datetime.now(UTC))
        wait = asked if asked is not None else self.backoff * 2**attempt
        wait = min(wait, self.max_wait)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("jobcrawl/retry/waited_ms", round(wait * 1000))
        await asyncio.sleep(wait)
        return retry


class SourceStatsMiddleware:
    """
    Counts every request on the wire per source, and its response statuses or failure names.

    A spider tags its requests with `cb_kwargs["source"]`; robots.txt and other untagged requests
    are not counted. Sits next to the downloader, so every retry is a request of its own. The store
    pipeline records the counts with the source's tallies (`jobcrawl runs show`).
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None  # noqa: S101 (Scrapy always has a stats collector)
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if label := _source_label(request):
            self.stats.inc_value(f"{SOURCE_STATS}{label}/requests")
            self.stats.inc_value(f"{SOURCE_STATS}{label}/status/{response.status}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if label := _source_label(request):
            self.stats.inc_value(f"{SOURCE_STATS}{label}/requests")
            self.stats.inc_value(f"{SOURCE_STATS}{label}/status/{type(exception).__name__}")


SOURCE_STATS = "jobcrawl/sources/"
"""Stats prefix: `jobcrawl/sources/<kind>:<key>/requests` and `.../status/<status or error>`."""


def _source_label(request: Request) -> str | None:
    source = request.cb_kwargs.get("source")
    label = getattr(source, "label", None)
    return label if isinstance(label, str) else None


def source_requests(stats: StatsCollector, label: str) -> tuple[int, dict[str, int]]:
    """Requests made for one source and how they ended ("200": 3, "TimeoutError": 1)."""
    prefix = f"{SOURCE_STATS}{label}/status/"
    statuses = {
        name.removeprefix(prefix): int(value)
        for name, value in stats.get_stats().items()
        if name.startswith(prefix)
    }
    return int(stats.get_value(f"{SOURCE_STATS}{label}/requests", 0)), dict(
        sorted(statuses.items())
    )


class ContactUserAgentMiddleware(UserAgentMiddleware):
    """
    Scrapy's User-Agent, with the operator's contact (`JOBCRAWL_CONTACT`) added when one is set.

    Career sites that see an unusual crawler want to know whom to ask before they block it; a
    contact in the User-Agent is the polite way to say. Replaces Scrapy's `UserAgentMiddleware`.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            with_contact(crawler.settings["USER_AGENT"], crawler.settings.get("JOBCRAWL_CONTACT"))
        )


def with_contact(user_agent: str, contact: str | None) -> str:
    """`jobcrawl/0.1 (+URL)` -> `jobcrawl/0.1 (+URL; contact: ops@example.com)`."""
    if not contact:
        return user_agent
    if user_agent.endswith(")"):
        return f"{user_agent[:-1]}; contact: {contact})"
    return f"{user_agent} (contact: {contact})"

"""
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

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings


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

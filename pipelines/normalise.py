"""
Turns each `RawPosting` into a `JobPosting` through `crawler.normalise`; other items pass through.

Reads `JOBCRAWL_RUN_STARTED` (the "now" for relative dates).
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import ValidationError
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.clock import run_started_at
from crawler.items import RawPosting
from crawler.normalise import normalise


class NormalisePipeline:
    """RawPosting -> JobPosting."""

    def __init__(self, crawler: Crawler) -> None:
        self.now = run_started_at(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RawPosting):
            return item
        try:
            return normalise(item, now=self.now)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(part) for part in error["loc"])
            raise DropItem(
                f"{item.source}:{item.source_key}:{item.source_id}: {field}: {error['msg']}"
            ) from exc

"""
Drops postings that break a rule the types cannot express, with a one-line reason.

The reason names the job and the field (`greenhouse:acme:1: url: not http(s)`); the stats count each
drop as `jobcrawl/dropped/<field>`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.clock import run_started_at
from crawler.items import JobPosting

# A posting dated further ahead than this is a parsing error, not a job from the future.
FUTURE_TOLERANCE = timedelta(days=2)


def problems(posting: JobPosting, *, today: Any) -> list[tuple[str, str]]:
    """(field, reason) for every rule the posting breaks."""
    found: list[tuple[str, str]] = []
    if not posting.title.strip():
        found.append(("title", "empty"))
    if not posting.url.startswith(("http://", "https://")):
        found.append(("url", "not http(s)"))
    if posting.apply_url and not posting.apply_url.startswith(("http://", "https://", "mailto:")):
        found.append(("apply_url", "not http(s) or mailto"))
    salary = posting.salary
    if salary and salary.min is not None and salary.max is not None and salary.min > salary.max:
        found.append(("salary", f"min {salary.min} > max {salary.max}"))
    if posting.date_posted and posting.date_posted > today + FUTURE_TOLERANCE:
        found.append(("date_posted", f"{posting.date_posted} is in the future"))
    return found


class ValidatePipeline:
    """Rules beyond the schema's types."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.today = run_started_at(crawler.settings).date()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, JobPosting):
            return item
        found = problems(item, today=self.today)
        if found:
            for field, _ in found:
                if self.stats is not None:
                    self.stats.inc_value(f"jobcrawl/dropped/{field}")
            reasons = "; ".join(f"{field}: {reason}" for field, reason in found)
            raise DropItem(f"{item.id}: {reasons}")
        return item

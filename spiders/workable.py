"""
Workable accounts, through the public widget API behind `apply.workable.com/{board}`.

`GET {base}/api/v1/widget/accounts/{board}?details=true` returns the account's name and every
published job with its full description (HTML) in one response. There is no pagination and no total,
so the listing is complete when that one response parsed and every job in it has a shortcode.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import RawPosting
from crawler.sources import SourceBase, WorkableSource
from spiders.base import ApiSourceSpider, ListingPage, json_body

# -- extraction (pure) ----------------------------------------------------------------------------


def parse_account(data: Any, source: SourceBase) -> ListingPage:
    """Map a widget `accounts/{board}?details=true` response to raw postings."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    if "jobs" not in data:
        raise ValueError("the response has no `jobs`")
    jobs = data["jobs"]
    if not isinstance(jobs, list):
        raise TypeError("`jobs` is not a list")
    company = source.company or _text(data.get("name"))
    page = ListingPage()
    for number, job in enumerate(jobs):
        shortcode = _text(job.get("shortcode")) if isinstance(job, dict) else None
        if not isinstance(job, dict) or shortcode is None:
            page.problems.append(f"job #{number}: no shortcode")
            page.incomplete = "a job without a shortcode"
            continue
        try:
            page.postings.append(parse_job(job, shortcode, company, source))
        except (KeyError, TypeError, ValueError) as exc:
            page.problems.append(f"job {shortcode}: {exc}")
            page.unreadable_ids.append(shortcode)
    return page


def extract(response: TextResponse, source: SourceBase) -> ListingPage:
    """The listing page in a widget account response."""
    return parse_account(json_body(response), source)


def parse_job(
    job: dict[str, Any], shortcode: str, company: str | None, source: SourceBase
) -> RawPosting:
    title = job.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("title: missing")
    url = _text(job.get("url")) or _text(job.get("shortlink")) or f"{source.api_base}/j/{shortcode}"
    description = job.get("description")
    employment = _text(job.get("employment_type"))
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=shortcode,
        url=url,
        title=title,
        company=company,
        apply_url=_text(job.get("application_url")),
        location_raw=_place(job.get("city"), job.get("state"), job.get("country")),
        locations_raw=_visible_locations(job.get("locations")),
        # `telecommuting: false` does not tell on-site from hybrid, so only `true` is a flag.
        remote_raw="true" if job.get("telecommuting") is True else None,
        employment_type_raw=[employment] if employment else [],
        date_posted_raw=_text(job.get("published_on")),
        description_html=description if isinstance(description, str) else None,
        department=_text(job.get("department")),
        requisition_id=_text(job.get("code")),
    )


def _visible_locations(locations: Any) -> list[str]:
    """Each location the employer shows, as "City, Region, Country"; hidden ones are left out."""
    places = []
    for location in locations if isinstance(locations, list) else []:
        if not isinstance(location, dict) or location.get("hidden") is True:
            continue
        country = location.get("country") or location.get("countryCode")
        place = _place(location.get("city"), location.get("region"), country)
        if place:
            places.append(place)
    return places


def _place(*parts: Any) -> str | None:
    """The non-empty text parts joined with ", "; None when there are none."""
    texts = [text for text in (_text(part) for part in parts) if text]
    return ", ".join(texts) or None


def _text(value: Any) -> str | None:
    """A string or number as stripped text; None for empty values and other types."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


# -- crawling -------------------------------------------------------------------------------------


class WorkableSpider(ApiSourceSpider):
    """Crawls Workable accounts: `scrapy crawl workable -a board=acme`."""

    name = "workable"
    source_model: ClassVar[type[SourceBase]] = WorkableSource

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        yield scrapy.Request(f"{source.api_base}/api/v1/widget/accounts/{source.key}?details=true")

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected a JSON response, got {type(response).__name__}")
        return extract(response, source)

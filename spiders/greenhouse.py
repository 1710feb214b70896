"""
Greenhouse job boards, through the public Job Board API.

`GET {base}/v1/boards/{board}/jobs?content=true` returns every published job of a board in one
response, descriptions included (HTML escaped as entities). There is no pagination, so the listing is
complete when that one response parsed and holds as many jobs as its `meta.total` says.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import RawPosting
from crawler.sources import GreenhouseSource, SourceBase
from spiders.base import ApiSourceSpider, ListingPage, json_body

# Custom metadata fields that employers use for the employment type.
EMPLOYMENT_METADATA = re.compile(
    r"time type|employment type|job type|commitment|contract type", re.I
)


# -- extraction (pure) ----------------------------------------------------------------------------


def parse_board(data: Any, source: SourceBase) -> ListingPage:
    """Map a `jobs?content=true` response (or a single-job response) to raw postings."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    jobs = data.get("jobs", [data])
    if not isinstance(jobs, list):
        raise TypeError("`jobs` is not a list")
    page = ListingPage()
    for number, job in enumerate(jobs):
        if not isinstance(job, dict) or job.get("id") in (None, ""):
            page.problems.append(f"job #{number}: no id")
            page.incomplete = "a job without an id"
            continue
        try:
            page.postings.append(parse_job(job, source))
        except (KeyError, TypeError, ValueError) as exc:
            page.problems.append(f"job {job['id']}: {exc}")
            page.unreadable_ids.append(str(job["id"]))
    total = (data.get("meta") or {}).get("total") if "jobs" in data else None
    if isinstance(total, int) and total != len(jobs):
        page.incomplete = f"response holds {len(jobs)} of meta.total={total} jobs"
    return page


def extract(response: TextResponse, source: SourceBase) -> ListingPage:
    """The listing page in a board response."""
    return parse_board(json_body(response), source)


def parse_job(job: dict[str, Any], source: SourceBase) -> RawPosting:
    title = job.get("title")
    url = job.get("absolute_url")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("title: missing")
    if not isinstance(url, str) or not url:
        raise ValueError("absolute_url: missing")
    offices = [o for o in job.get("offices") or [] if isinstance(o, dict)]
    departments = [d.get("name") for d in job.get("departments") or [] if isinstance(d, dict)]
    salary = _pay_range(job.get("metadata"))
    content = job.get("content")
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=str(job["id"]),
        url=url,
        title=title,
        company=source.company or job.get("company_name"),
        location_raw=(job.get("location") or {}).get("name"),
        locations_raw=_office_places(offices),
        remote_raw=None,
        employment_type_raw=_metadata_values(job.get("metadata"), EMPLOYMENT_METADATA),
        salary_min=_number(salary.get("min_value")),
        salary_max=_number(salary.get("max_value")),
        salary_currency=salary.get("unit"),
        salary_raw=json.dumps(salary, sort_keys=True) if salary else None,
        date_posted_raw=job.get("first_published"),
        updated_at_raw=job.get("updated_at"),
        valid_through_raw=job.get("application_deadline"),
        description_html=html.unescape(content) if isinstance(content, str) else None,
        department=next((d for d in departments if d), None),
        requisition_id=_text(job.get("requisition_id")),
        language=_text(job.get("language")),
    )


def _office_places(offices: list[dict[str, Any]]) -> list[str]:
    """Each office's full "City, Region, Country", or its name ("Remote (US)") when that is all."""
    places = [o.get("location") or o.get("name") for o in offices]
    return [place for place in places if isinstance(place, str) and place.strip()]


def _metadata_values(metadata: Any, name: re.Pattern[str]) -> list[str]:
    values: list[str] = []
    for entry in metadata or []:
        if not isinstance(entry, dict) or not name.search(str(entry.get("name", ""))):
            continue
        value = entry.get("value")
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, list):
            values.extend(v for v in value if isinstance(v, str))
    return values


def _pay_range(metadata: Any) -> dict[str, Any]:
    """The first filled `currency_range` custom field: `{unit, min_value, max_value}`."""
    for entry in metadata or []:
        if isinstance(entry, dict) and entry.get("value_type") == "currency_range":
            value = entry.get("value")
            if isinstance(value, dict) and (value.get("min_value") or value.get("max_value")):
                return value
    return {}


def _number(value: Any) -> float | None:
    """Greenhouse sends pay amounts as decimal strings ("320000.0")."""
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


# -- crawling -------------------------------------------------------------------------------------


class GreenhouseSpider(ApiSourceSpider):
    """Crawls Greenhouse boards: `scrapy crawl greenhouse -a board=acme`."""

    name = "greenhouse"
    source_model: ClassVar[type[SourceBase]] = GreenhouseSource

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        yield scrapy.Request(f"{source.api_base}/v1/boards/{source.key}/jobs?content=true")

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected a JSON response, got {type(response).__name__}")
        return extract(response, source)

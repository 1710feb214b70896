"""
Ashby job boards, through the public Job Posting API.

`GET {base}/posting-api/job-board/{board}?includeCompensation=true` returns every published job of a
board in one response (`jobs[]`), descriptions and pay included. There is no pagination and no
total, so the listing is complete when that one response parsed and no job in it lacked an id.

Jobs marked `isListed: false` are published but hidden from the board (reachable only by their link),
so they are left out altogether: neither stored, nor seen, nor reported as problems.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import RawPosting
from crawler.sources import AshbySource, SourceBase
from spiders.base import ApiSourceSpider, ListingPage, json_body

# -- extraction (pure) ----------------------------------------------------------------------------


def parse_board(data: Any, source: SourceBase) -> ListingPage:
    """Map a job-board response to raw postings, leaving out unlisted jobs."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    if "jobs" not in data:
        raise ValueError("no `jobs` in the response")
    jobs = data["jobs"]
    if not isinstance(jobs, list):
        raise TypeError(f"`jobs` is {type(jobs).__name__}, not a list")
    page = ListingPage()
    for number, job in enumerate(jobs):
        if isinstance(job, dict) and job.get("isListed") is False:
            continue
        job_id = _job_id(job)
        if job_id is None:
            page.problems.append(f"job #{number}: no id")
            page.incomplete = "a job without an id"
            continue
        try:
            page.postings.append(parse_job(job, source))
        except (KeyError, TypeError, ValueError) as exc:
            page.problems.append(f"job {job_id}: {exc}")
            page.unreadable_ids.append(job_id)
    return page


def extract(response: TextResponse, source: SourceBase) -> ListingPage:
    """The listing page in a job-board response."""
    return parse_board(json_body(response), source)


def parse_job(job: dict[str, Any], source: SourceBase) -> RawPosting:
    compensation = _object(job, "compensation")
    salary = _salary_component(compensation)
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=str(job["id"]),
        url=_required_text(job, "jobUrl"),
        title=_required_text(job, "title"),
        company=source.company,
        apply_url=_text(job.get("applyUrl")),
        location_raw=_text(job.get("location")) or _address_text(job.get("address")),
        locations_raw=_secondary_places(job),
        remote_raw=_workplace(job),
        employment_type_raw=[t for t in [_text(job.get("employmentType"))] if t],
        salary_raw=_salary_text(compensation, salary),
        salary_min=_number(salary.get("minValue")),
        salary_max=_number(salary.get("maxValue")),
        salary_currency=_text(salary.get("currencyCode")),
        salary_period=_text(salary.get("interval")),
        date_posted_raw=_text(job.get("publishedAt")),
        description_html=_html(job, "descriptionHtml"),
        department=_text(job.get("department")) or _text(job.get("team")),
    )


def _job_id(job: Any) -> str | None:
    value = job.get("id") if isinstance(job, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _salary_component(compensation: dict[str, Any]) -> dict[str, Any]:
    """The `Salary` entry of `summaryComponents` (others are equity, bonus, commission)."""
    components = compensation.get("summaryComponents") or []
    if not isinstance(components, list):
        raise TypeError(f"summaryComponents: expected an array, got {type(components).__name__}")
    for component in components:
        if isinstance(component, dict) and component.get("compensationType") == "Salary":
            return component
    return {}


def _salary_text(compensation: dict[str, Any], salary: dict[str, Any]) -> str | None:
    """
    What the board shows about pay.

    The tier summary ("$81K – $87K • 0.5% – 1.75% • Offers Bonus") when the job has a salary; a job
    without one gets only the salary-only summary (usually null), since a summary of equity alone
    ("0.5% – 1.75%") is not pay and must not be read as an amount.
    """
    salary_only = _text(compensation.get("scrapeableCompensationSalarySummary"))
    if salary:
        return _text(compensation.get("compensationTierSummary")) or salary_only
    return salary_only


def _secondary_places(job: dict[str, Any]) -> list[str]:
    places = []
    for entry in _list(job, "secondaryLocations"):
        if isinstance(entry, str):
            place = _text(entry)
        elif isinstance(entry, dict):
            place = _text(entry.get("location")) or _address_text(entry.get("address"))
        else:
            raise TypeError(f"secondaryLocations: unexpected {type(entry).__name__}")
        if place:
            places.append(place)
    return places


def _address_text(address: Any) -> str | None:
    """The place of a schema.org address as "Locality, Region, Country" (`postalAddress` optional)."""
    if not isinstance(address, dict):
        return None
    postal = address.get("postalAddress", address)
    if not isinstance(postal, dict):
        return None
    parts = [
        _text(postal.get(name)) for name in ("addressLocality", "addressRegion", "addressCountry")
    ]
    return ", ".join(p.strip() for p in parts if p) or None


def _workplace(job: dict[str, Any]) -> str | None:
    """`workplaceType` ("Remote", "Hybrid", "OnSite"), else the `isRemote` flag as text."""
    workplace = _text(job.get("workplaceType"))
    if workplace:
        return workplace
    remote = job.get("isRemote")
    return ("true" if remote else "false") if isinstance(remote, bool) else None


def _required_text(job: dict[str, Any], name: str) -> str:
    value = job.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: missing")
    return value


def _object(job: dict[str, Any], name: str) -> dict[str, Any]:
    value = job.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"{name}: expected an object, got {type(value).__name__}")
    return value


def _list(job: dict[str, Any], name: str) -> list[Any]:
    value = job.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"{name}: expected an array, got {type(value).__name__}")
    return value


def _html(job: dict[str, Any], name: str) -> str | None:
    value = job.get(name)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name}: expected a string, got {type(value).__name__}")
    return value or None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


# -- crawling -------------------------------------------------------------------------------------


class AshbySpider(ApiSourceSpider):
    """Crawls Ashby boards: `scrapy crawl ashby -a board=acme`."""

    name = "ashby"
    source_model: ClassVar[type[SourceBase]] = AshbySource

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        yield scrapy.Request(
            f"{source.api_base}/posting-api/job-board/{source.key}?includeCompensation=true"
        )

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected a JSON response, got {type(response).__name__}")
        return extract(response, source)

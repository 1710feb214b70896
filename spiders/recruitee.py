"""
Recruitee careers sites, through the public Careers Site API of `{board}.recruitee.com`.

`GET {base}/api/offers/` returns every published offer of the site in one response, with its
description and requirements (HTML), locations, work-model flags and structured salary. There is no
pagination and no total, so the listing is complete when that one response parsed and every offer in
it has an id.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import RawPosting
from crawler.sources import RecruiteeSource, SourceBase
from spiders.base import ApiSourceSpider, ListingPage, json_body

# The work-model flags in the order they decide: an offer open to remote work is remote even when
# it also names an office.
WORK_MODELS = (("remote", "remote"), ("hybrid", "hybrid"), ("on_site", "onsite"))


# -- extraction (pure) ----------------------------------------------------------------------------


def parse_offers(data: Any, source: SourceBase) -> ListingPage:
    """Map an `api/offers/` response to raw postings."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    if "offers" not in data:
        raise ValueError("the response has no `offers`")
    offers = data["offers"]
    if not isinstance(offers, list):
        raise TypeError("`offers` is not a list")
    page = ListingPage()
    for number, offer in enumerate(offers):
        offer_id = _text(offer.get("id")) if isinstance(offer, dict) else None
        if not isinstance(offer, dict) or offer_id is None:
            page.problems.append(f"offer #{number}: no id")
            page.incomplete = "an offer without an id"
            continue
        try:
            page.postings.append(parse_offer(offer, offer_id, source))
        except (KeyError, TypeError, ValueError) as exc:
            page.problems.append(f"offer {offer_id}: {exc}")
            page.unreadable_ids.append(offer_id)
    return page


def extract(response: TextResponse, source: SourceBase) -> ListingPage:
    """The listing page in an offers response."""
    return parse_offers(json_body(response), source)


def parse_offer(offer: dict[str, Any], offer_id: str, source: SourceBase) -> RawPosting:
    title = offer.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("title: missing")
    salary = offer.get("salary")
    if not isinstance(salary, dict):
        salary = {}
    low, high = _number(salary.get("min")), _number(salary.get("max"))
    employment = _text(offer.get("employment_type_code"))
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=offer_id,
        url=_offer_url(offer, source),
        title=title,
        company=source.company or _text(offer.get("company_name")),
        apply_url=_text(offer.get("careers_apply_url")),
        location_raw=_text(offer.get("location")),
        locations_raw=_places(offer.get("locations")),
        remote_raw=next((kind for flag, kind in WORK_MODELS if offer.get(flag) is True), None),
        employment_type_raw=[employment] if employment else [],
        salary_min=low,
        salary_max=high,
        salary_currency=_text(salary.get("currency")),
        salary_period=_text(salary.get("period")),
        salary_raw=json.dumps(salary, sort_keys=True)
        if low is not None or high is not None
        else None,
        date_posted_raw=_text(offer.get("published_at")),
        updated_at_raw=_text(offer.get("updated_at")),
        valid_through_raw=_text(offer.get("close_at")),
        description_html=_html(offer.get("description"), offer.get("requirements")),
        department=_text(offer.get("department")),
        language=_language(offer),
    )


def _offer_url(offer: dict[str, Any], source: SourceBase) -> str:
    """`careers_url`, else the careers site's own `/o/{slug}` page."""
    url = _text(offer.get("careers_url"))
    if url:
        return url
    slug = _text(offer.get("slug"))
    if not slug:
        raise ValueError("careers_url and slug: missing")
    return f"{source.api_base}/o/{slug}"


def _places(locations: Any) -> list[str]:
    """Each location as "City, State, Country" from its parts (names, else codes)."""
    places = []
    for location in locations if isinstance(locations, list) else []:
        if not isinstance(location, dict):
            continue
        parts = (
            location.get("city"),
            location.get("state") or location.get("state_code"),
            location.get("country") or location.get("country_code"),
        )
        place = ", ".join(text for text in (_text(part) for part in parts) if text)
        if place:
            places.append(place)
    return places


def _html(*parts: Any) -> str | None:
    """The HTML parts that are strings, one after the other; None when there are none."""
    html = "".join(part for part in parts if isinstance(part, str))
    return html or None


def _language(offer: dict[str, Any]) -> str | None:
    """The translation whose title and description are the offer's own: its language code."""
    translations = offer.get("translations")
    if not isinstance(translations, dict):
        return None
    for code, translation in translations.items():
        if (
            isinstance(translation, dict)
            and translation.get("title") == offer.get("title")
            and translation.get("description") == offer.get("description")
        ):
            return _text(code)
    return None


def _number(value: Any) -> float | None:
    """Recruitee sends amounts as decimal strings ("3750"); unreadable or non-finite is None."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str | None:
    """A string or number as stripped text; None for empty values and other types."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


# -- crawling -------------------------------------------------------------------------------------


class RecruiteeSpider(ApiSourceSpider):
    """Crawls Recruitee careers sites: `scrapy crawl recruitee -a board=acme`."""

    name = "recruitee"
    source_model: ClassVar[type[SourceBase]] = RecruiteeSource

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        yield scrapy.Request(f"{source.api_base}/api/offers/")

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected a JSON response, got {type(response).__name__}")
        return extract(response, source)

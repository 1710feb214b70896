"""
Lever job sites, through the public Postings API.

`GET {base}/v0/postings/{board}?mode=json&skip=N&limit=M` returns a bare JSON array of published
postings, each with its whole text (opening, body, titled lists, closing), so no detail request is
needed. The listing is read in pages of `LeverSpider.page_size`: a page holding exactly that many
postings asks for the next one, and the first page holding fewer (possibly none) is the last. The
listing is complete when every page parsed and no page lacked an id.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import RawPosting
from crawler.sources import LeverSource, SourceBase
from spiders.base import ApiSourceSpider, ListingPage, json_body

# -- extraction (pure) ----------------------------------------------------------------------------


@dataclass(slots=True)
class LeverPage(ListingPage):
    """A listing page, plus what paging needs to know about it."""

    entries: int = 0
    """How many postings the array held, readable or not: a full page means more may follow."""
    first_id: str | None = None
    """The first posting's id, to notice a server that ignores `skip` and repeats a page."""


def parse_postings(data: Any, source: SourceBase) -> LeverPage:
    """Map one page of the postings array to raw postings."""
    if not isinstance(data, list):
        raise TypeError(f"expected a JSON array, got {type(data).__name__}")
    page = LeverPage(entries=len(data), first_id=_posting_id(data[0]) if data else None)
    for number, posting in enumerate(data):
        posting_id = _posting_id(posting)
        if posting_id is None:
            page.problems.append(f"posting #{number}: no id")
            page.incomplete = "a posting without an id"
            continue
        try:
            page.postings.append(parse_posting(posting, source))
        except (KeyError, TypeError, ValueError) as exc:
            page.problems.append(f"posting {posting_id}: {exc}")
            page.unreadable_ids.append(posting_id)
    return page


def extract(response: TextResponse, source: SourceBase) -> LeverPage:
    """The listing page in one postings response."""
    return parse_postings(json_body(response), source)


def parse_posting(posting: dict[str, Any], source: SourceBase) -> RawPosting:
    categories = _object(posting, "categories")
    salary = _object(posting, "salaryRange")
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=str(posting["id"]),
        url=_required_text(posting, "hostedUrl"),
        title=_required_text(posting, "text"),
        company=source.company,
        apply_url=_text(posting.get("applyUrl")),
        location_raw=_text(categories.get("location")),
        locations_raw=_texts(categories.get("allLocations")),
        remote_raw=_text(posting.get("workplaceType")),
        employment_type_raw=_texts(categories.get("commitment")),
        salary_raw=_salary_text(posting, salary),
        salary_min=_number(salary.get("min")),
        salary_max=_number(salary.get("max")),
        salary_currency=_text(salary.get("currency")),
        salary_period=_text(salary.get("interval")),
        date_posted_raw=_epoch_or_text(posting.get("createdAt")),
        description_html=description_html(posting),
        # Departments are optional in Lever; accounts without them group postings by team.
        department=_text(categories.get("department")) or _text(categories.get("team")),
    )


def description_html(posting: dict[str, Any]) -> str | None:
    """
    The posting's text as one HTML document, in the order Lever's own job page shows it.

    `description` is the opening and the body together; older or mirrored responses may carry only
    the two halves. Each list becomes a heading over a bullet list (its `content` is bare `<li>`
    items), and `additional` is the closing text.
    """
    parts = [
        _html(posting, "description")
        or _html(posting, "opening") + _html(posting, "descriptionBody")
    ]
    for entry in _list(posting, "lists"):
        if not isinstance(entry, dict):
            raise TypeError(f"lists: expected objects, got {type(entry).__name__}")
        heading = _text(entry.get("text"))
        if heading:
            parts.append(f"<h3>{html.escape(heading, quote=False)}</h3>")
        content = _html(entry, "content")
        if content:
            parts.append(f"<ul>{content}</ul>")
    parts.append(_html(posting, "additional"))
    return "".join(parts) or None


def _posting_id(posting: Any) -> str | None:
    value = posting.get("id") if isinstance(posting, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _salary_text(posting: dict[str, Any], salary: dict[str, Any]) -> str | None:
    """The employer's words about pay, else the structured range as the source sent it."""
    words = _text(posting.get("salaryDescriptionPlain"))
    if words:
        return words
    return json.dumps(salary, sort_keys=True) if salary else None


def _required_text(posting: dict[str, Any], name: str) -> str:
    value = posting.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: missing")
    return value


def _object(container: dict[str, Any], name: str) -> dict[str, Any]:
    value = container.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"{name}: expected an object, got {type(value).__name__}")
    return value


def _list(container: dict[str, Any], name: str) -> list[Any]:
    value = container.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"{name}: expected an array, got {type(value).__name__}")
    return value


def _html(container: dict[str, Any], name: str) -> str:
    value = container.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a string, got {type(value).__name__}")
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _texts(value: Any) -> list[str]:
    """The non-empty strings of a string or an array of strings."""
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and v.strip()]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _epoch_or_text(value: Any) -> str | int | None:
    """`createdAt` is epoch milliseconds; anything else readable is passed on for the normaliser."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    return _text(value)


# -- crawling -------------------------------------------------------------------------------------

_SKIP = "lever_skip"
_LIMIT = "lever_limit"
_PREVIOUS_FIRST_ID = "lever_previous_first_id"


class LeverSpider(ApiSourceSpider):
    """Crawls Lever sites: `scrapy crawl lever -a board=acme` (add `-a region=eu` for EU sites)."""

    name = "lever"
    source_model: ClassVar[type[SourceBase]] = LeverSource
    page_size: ClassVar[int] = 100
    """Postings asked for per request (`limit`); small pages exercise paging in tests."""

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        yield self._page_request(source, skip=0, previous_first_id=None)

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected a JSON response, got {type(response).__name__}")
        return extract(response, source)

    def next_requests(
        self, response: Response, source: SourceBase, page: ListingPage
    ) -> Iterable[scrapy.Request]:
        """The next page while pages come back full; a page repeating the last one ends paging."""
        skip, limit = response.meta[_SKIP], response.meta[_LIMIT]
        if not isinstance(page, LeverPage) or page.entries != limit:
            return []
        if page.first_id is not None and page.first_id == response.meta[_PREVIOUS_FIRST_ID]:
            page.incomplete = f"the page at skip={skip} repeats the previous page (skip ignored?)"
            return []
        return [self._page_request(source, skip=skip + limit, previous_first_id=page.first_id)]

    def _page_request(
        self, source: SourceBase, *, skip: int, previous_first_id: str | None
    ) -> scrapy.Request:
        limit = self.page_size
        return scrapy.Request(
            f"{source.api_base}/v0/postings/{source.key}?mode=json&skip={skip}&limit={limit}",
            meta={_SKIP: skip, _LIMIT: limit, _PREVIOUS_FIRST_ID: previous_first_id},
        )

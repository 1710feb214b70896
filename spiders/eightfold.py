"""
Eightfold-hosted career sites (Microsoft's among them), through the PCSX API their own pages use.

`GET {base}/api/pcsx/search?domain={domain}&query=&location=&start=N&sort_by=timestamp` lists the
positions a page at a time (`data.count`, `data.positions[]`, ten a page on the sites seen), without
descriptions; `GET {base}/api/pcsx/position_details?position_id={id}&domain={domain}&hl=en` returns
one position with its `jobDescription`. The listing names a `Detail` per position whose revision
is the position's `postedTs` and a digest of its title and places, so a re-crawl fetches only new or
changed positions. The listing is complete when `start` reached `data.count` through pages that all
parsed, holding exactly `data.count` distinct positions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import RawPosting
from crawler.sources import EightfoldSource, SourceBase
from spiders.base import ApiSourceSpider, Detail, ListingPage, json_body

JSON_ACCEPT = {"Accept": "application/json"}


# -- extraction (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paging:
    """What a search page says about the whole listing."""

    count: int
    """`data.count`: how many positions the listing holds."""
    received: int
    """How many positions this page held, readable or not."""


def read_listing(data: Any, source: SourceBase) -> tuple[ListingPage, Paging]:
    """The positions of one search page, each to be completed from its details, and its paging."""
    body = _payload(data)
    positions = body["positions"]
    count = body["count"]
    if not isinstance(positions, list):
        raise TypeError("`data.positions` is not a list")
    if not isinstance(count, int) or isinstance(count, bool):
        raise TypeError("`data.count` is not a number")
    page = ListingPage()
    for number, position in enumerate(positions):
        position_id = _id(position.get("id")) if isinstance(position, dict) else None
        if position_id is None:
            page.problems.append(f"position #{number}: no id")
            page.incomplete = "a position without an id"
            continue
        try:
            listed = parse_position(position, source)
        except (KeyError, TypeError, ValueError) as exc:
            page.problems.append(f"position {position_id}: {exc}")
            page.unreadable_ids.append(position_id)
            continue
        page.details.append(
            Detail(
                source_id=position_id,
                url=details_url(source, position_id),
                revision=revision(position),
                listed=listed,
            )
        )
    return page, Paging(count=count, received=len(positions))


def extract(response: TextResponse, source: SourceBase) -> ListingPage:
    """The listing page in a search response."""
    return read_listing(json_body(response), source)[0]


def extract_detail(response: TextResponse, source: SourceBase) -> ListingPage:
    """The one position in a `position_details` response."""
    position = _payload(json_body(response))
    return ListingPage(postings=[parse_position(position, source)])


def search_url(source: SourceBase, start: int) -> str:
    query = {
        "domain": source.key,
        "query": "",
        "location": "",
        "start": start,
        "sort_by": "timestamp",
    }
    return f"{source.api_base}/api/pcsx/search?{urlencode(query)}"


def details_url(source: SourceBase, position_id: str) -> str:
    query = urlencode({"position_id": position_id, "domain": source.key, "hl": "en"})
    return f"{source.api_base}/api/pcsx/position_details?{query}"


def revision(position: dict[str, Any]) -> str:
    """
    `postedTs` and a digest of the title and places: what the search shows of a change.

    The search gives no modification time, so an edit that leaves all three alone (the
    description only) is picked up when the position is reposted, or with
    `JOBCRAWL_REFETCH_DETAILS`.
    """
    shown = json.dumps([position.get("name"), _places(position)], ensure_ascii=False)
    posted = _timestamp(position.get("postedTs"))
    return f"{'' if posted is None else posted}:{hashlib.sha256(shown.encode()).hexdigest()[:12]}"


def parse_position(position: dict[str, Any], source: SourceBase) -> RawPosting:
    """A search position or a details `data` object (the same fields, plus the description)."""
    position_id = _id(position.get("id"))
    if position_id is None:
        raise ValueError("id: missing")
    title = position.get("name")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("name: missing")
    places = _places(position)
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=position_id,
        url=_public_url(position, source, position_id),
        title=title,
        company=source.company,
        location_raw="; ".join(places) or None,
        locations_raw=places,
        remote_raw=_text(position.get("workLocationOption")),
        employment_type_raw=_texts(position.get("efcustomTextEmploymentType")),
        date_posted_raw=_timestamp(position.get("postedTs")),
        description_html=_text(position.get("jobDescription")),
        department=_text(position.get("department")),
        requisition_id=_text(position.get("displayJobId")) or _text(position.get("atsJobId")),
    )


def complete_from_listing(posting: RawPosting, listed: RawPosting | None) -> RawPosting:
    """The details' posting, with any field they left empty taken from the search entry."""
    if listed is None:
        return posting
    for field in dataclasses.fields(posting):
        if getattr(posting, field.name) in (None, "", []):
            setattr(posting, field.name, getattr(listed, field.name))
    return posting


def _payload(data: Any) -> dict[str, Any]:
    """The `data` object of a PCSX answer, after its own `status` and `error` are checked."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    error = data.get("error")
    message = _text(error.get("message")) if isinstance(error, dict) else _text(error)
    status = data.get("status")
    if message or (status is not None and status != 200):
        raise ValueError(f"API answered status {status}: {message or 'no message'}")
    body = data["data"]
    if not isinstance(body, dict):
        raise TypeError(f"`data` is not an object but {type(body).__name__}")
    return body


def _public_url(position: dict[str, Any], source: SourceBase, position_id: str) -> str:
    """`publicUrl` (details), else the site's `positionUrl` path, else `/careers/job/{id}`."""
    public = _text(position.get("publicUrl"))
    if public and public.startswith(("https://", "http://")):
        return public
    path = _text(position.get("positionUrl"))
    if not path or not path.startswith("/"):
        path = f"/careers/job/{position_id}"
    return f"{source.api_base}{path}"


def _places(position: dict[str, Any]) -> list[str]:
    """`locations` as the site shows them, else the `standardizedLocations`."""
    return _texts(position.get("locations")) or _texts(position.get("standardizedLocations"))


def _timestamp(value: Any) -> str | int | None:
    """`postedTs` as given: epoch seconds, which the normaliser tells from milliseconds by size."""
    if isinstance(value, int | str) and not isinstance(value, bool):
        return value
    return None


def _id(value: Any) -> str | None:
    """A position id: a large number on every site seen; digits as a string are accepted too."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [text for text in (_text(item) for item in items) if text]


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


# -- crawling -------------------------------------------------------------------------------------


class EightfoldSpider(ApiSourceSpider):
    """Crawls Eightfold career sites: `scrapy crawl eightfold -a domain=microsoft.com`."""

    name = "eightfold"
    source_model: ClassVar[type[SourceBase]] = EightfoldSource

    def __init__(self, sources: Sequence[SourceBase] | None = None, **kwargs: Any) -> None:
        super().__init__(sources, **kwargs)
        self._listed: dict[str, set[str]] = {source.label: set() for source in self.sources}

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        yield self._page_request(source, start=0, count=None)

    @staticmethod
    def _page_request(source: SourceBase, start: int, count: int | None) -> scrapy.Request:
        return scrapy.Request(
            search_url(source, start), headers=JSON_ACCEPT, meta={"start": start, "count": count}
        )

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected a JSON response, got {type(response).__name__}")
        page, paging = read_listing(json_body(response), source)
        response.meta["paging"] = paging
        self._drop_repeats(page, source)
        return page

    def _drop_repeats(self, page: ListingPage, source: SourceBase) -> None:
        """
        Keep one detail per position when the listing shifts between pages and repeats one.

        A repeated details request would also be dropped by Scrapy's duplicate filter without a
        callback, leaving the listing waiting for it.
        """
        seen = self._listed[source.label]
        fresh: list[Detail] = []
        for detail in page.details:
            if detail.source_id in seen:
                page.problems.append(f"position {detail.source_id}: listed twice")
            else:
                fresh.append(detail)
            seen.add(detail.source_id)
        page.details = fresh
        seen.update(page.unreadable_ids)

    def next_requests(
        self, response: Response, source: SourceBase, page: ListingPage
    ) -> Iterable[scrapy.Request]:
        """The next page until `data.count` is reached; then check the positions seen add up."""
        paging: Paging = response.meta["paging"]
        count = response.meta.get("count")
        count = paging.count if count is None else count
        start = int(response.meta.get("start") or 0) + paging.received
        if paging.received and start < count:
            yield self._page_request(source, start=start, count=count)
            return
        seen = len(self._listed[source.label])
        if seen != count and page.incomplete is None:
            page.incomplete = f"listing ended with {seen} of data.count={count} positions"

    def detail_request(self, detail: Detail, source: SourceBase) -> scrapy.Request:
        return scrapy.Request(detail.url, headers=JSON_ACCEPT)

    def parse_detail(self, response: Response, source: SourceBase, detail: Detail) -> RawPosting:
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected a JSON response, got {type(response).__name__}")
        [posting] = extract_detail(response, source).postings
        if posting.source_id != detail.source_id:
            raise ValueError(f"details are of position {posting.source_id}, not {detail.source_id}")
        return complete_from_listing(posting, detail.listed)

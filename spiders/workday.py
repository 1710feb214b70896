"""
Workday career sites, through the CXS JSON API that the sites' own pages call.

The listing is `POST {base}/wday/cxs/{tenant}/{site}/jobs` with a JSON body, read 20 postings at a
time (Workday refuses a larger `limit`). Its entries hold no description and no stable job id, so
every job's posting comes from `GET {base}/wday/cxs/{tenant}/{site}{externalPath}`; that request is
made only for jobs whose listing entry is new or changed (the `revision` digest below).

Workday's `total` is only meaningful on the first page: later pages often say 0. The spider keeps the
first page's figure, follows the offset until it reaches it (or a page comes back empty), and calls
the listing complete only when it saw that many distinct jobs. A first-page total of exactly 2,000
is Workday's result cap rather than a count, so such a listing is never taken as complete.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy.http import JsonRequest, Response, TextResponse

from crawler.items import RawPosting
from crawler.sources import SourceBase, WorkdaySource
from spiders.base import ApiSourceSpider, Detail, ListingPage, json_body

PAGE_SIZE = 20
"""Postings per listing request: the most Workday accepts."""
RESULT_CAP = 2000
"""A first-page `total` of exactly this is Workday's search cap, not the size of the board."""
PAGING = "workday_paging"
"""`request.meta` key of the listing state: offset, first-page total, ids seen so far."""


@dataclass(slots=True)
class WorkdayListPage(ListingPage):
    """A listing page, with what pagination needs to know about it."""

    total: int | None = None
    """The page's `total` as sent: the board's size on the first page, often 0 on later ones."""
    entries: int = 0
    """How many entries the page held, readable or not (0 ends the listing)."""


# -- extraction (pure) ----------------------------------------------------------------------------


def site_parts(source: SourceBase) -> tuple[str, str, str]:
    """`(host, tenant, site)` of a Workday source."""
    if not isinstance(source, WorkdaySource) or not (source.host and source.tenant and source.site):
        raise TypeError(f"expected a Workday source, got {source.label}")
    return source.host, source.tenant, source.site


def cxs_base(source: SourceBase) -> str:
    """The CXS API root of one career site: `{base}/wday/cxs/{tenant}/{site}`."""
    _, tenant, site = site_parts(source)
    return f"{source.api_base}/wday/cxs/{tenant}/{site}"


def source_id_of(external_path: str) -> str:
    """
    The job's id: the requisition part that ends `externalPath`, else the whole path.

    Workday lists no id. `/job/Santa-Clara/Engineer_JR1234` ends in the requisition number after the
    last underscore; the words before it follow the title and the location, which employers edit,
    so the requisition part keeps one job one id across such edits.
    """
    last = external_path.rstrip("/").rsplit("/", 1)[-1]
    _, underscore, requisition = last.rpartition("_")
    return requisition if underscore and requisition else external_path


def revision_of(entry: dict[str, Any]) -> str:
    """
    A digest of the entry's stable fields, so a re-crawl skips the detail of an unchanged job.

    `postedOn` ("Posted 3 Days Ago") is left out: it changes every day while the job does not.
    """
    stable = [
        entry.get(name) for name in ("title", "externalPath", "locationsText", "bulletFields")
    ]
    blob = json.dumps(stable, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(blob.encode(), digest_size=8).hexdigest()


def public_url(source: SourceBase, external_path: str) -> str:
    """The job's page on the public career site, as Workday's own `externalUrl` spells it."""
    host, _, site = site_parts(source)
    return f"https://{host}/{site}{external_path}"


def parse_list(data: Any, source: SourceBase) -> WorkdayListPage:
    """Map one `jobs` response to the details to fetch, one per listed job."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    entries = data.get("jobPostings")
    if not isinstance(entries, list):
        raise TypeError("`jobPostings` is not a list")
    total = data.get("total")
    page = WorkdayListPage(
        total=total if isinstance(total, int) and not isinstance(total, bool) else None,
        entries=len(entries),
    )
    listed: set[str] = set()
    for number, entry in enumerate(entries):
        path = entry.get("externalPath") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not path.startswith("/"):
            page.problems.append(f"job #{number}: no externalPath")
            page.incomplete = "a job without an externalPath"
            continue
        source_id = source_id_of(path)
        if source_id in listed:
            page.problems.append(f"job {source_id}: listed twice")
            continue
        listed.add(source_id)
        try:
            page.details.append(list_detail(entry, source, source_id))
        except (KeyError, TypeError, ValueError) as exc:
            page.problems.append(f"job {source_id}: {exc}")
            page.unreadable_ids.append(source_id)
    return page


def extract(response: TextResponse, source: SourceBase) -> WorkdayListPage:
    """The listing page in a `jobs` response."""
    return parse_list(json_body(response), source)


def list_detail(entry: dict[str, Any], source: SourceBase, source_id: str) -> Detail:
    """The detail request for one listing entry, with what the entry itself says."""
    path: str = entry["externalPath"]
    title = entry.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("title: missing")
    listed = RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=source_id,
        url=public_url(source, path),
        title=title,
        company=source.company,
        location_raw=_text(entry.get("locationsText")),
        date_posted_raw=_text(entry.get("postedOn")),
    )
    return Detail(source_id, f"{cxs_base(source)}{path}", revision_of(entry), listed)


def parse_job(
    data: Any, source: SourceBase, external_path: str, listed: RawPosting | None = None
) -> RawPosting:
    """
    Map a job's detail response (`jobPostingInfo`, `hiringOrganization`) to a raw posting.

    `listed` is what the listing said; it fills the title, location and date a detail lacks.
    """
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    info = data["jobPostingInfo"]
    if not isinstance(info, dict):
        raise TypeError("`jobPostingInfo` is not an object")
    title = _text(info.get("title")) or (listed.title if listed else None)
    if title is None:
        raise ValueError("title: missing")
    organisation = data.get("hiringOrganization")
    posted = _text(info.get("startDate")) or _text(info.get("postedOn"))
    time_type = _text(info.get("timeType"))
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=source_id_of(external_path),
        url=_text(info.get("externalUrl")) or public_url(source, external_path),
        title=title,
        company=source.company
        or (_text(organisation.get("name")) if isinstance(organisation, dict) else None),
        location_raw=_text(info.get("location")) or (listed.location_raw if listed else None),
        locations_raw=_texts(info.get("additionalLocations")),
        remote_raw=_text(info.get("remoteType")),
        employment_type_raw=[time_type] if time_type else [],
        date_posted_raw=posted or (listed.date_posted_raw if listed else None),
        valid_through_raw=_text(info.get("endDate")),
        description_html=_text(info.get("jobDescription")),
        requisition_id=_text(info.get("jobReqId")),
    )


def detail_path(url: str, source: SourceBase) -> str:
    """The job's `externalPath`, from its detail URL."""
    _, tenant, site = site_parts(source)
    _, prefix, path = unquote(urlsplit(url).path).partition(f"/wday/cxs/{tenant}/{site}/")
    if not prefix or not path:
        raise ValueError(f"{url}: not a job detail URL of {source.label}")
    return f"/{path}"


def extract_detail(response: TextResponse, source: SourceBase) -> ListingPage:
    """The one posting in a job's detail response."""
    path = detail_path(response.url, source)
    return ListingPage(postings=[parse_job(json_body(response), source, path)])


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _texts(value: Any) -> list[str]:
    return [v for v in value if _text(v)] if isinstance(value, list) else []


# -- crawling -------------------------------------------------------------------------------------


class WorkdaySpider(ApiSourceSpider):
    """Crawls Workday career sites: `scrapy crawl workday -a url=https://acme.wd5.myworkdayjobs.com/External`."""

    name = "workday"
    source_model: ClassVar[type[SourceBase]] = WorkdaySource

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        yield self._list_request(source, {"offset": 0, "total": None, "seen": []})

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        """The page's jobs, less those an earlier page already listed (Workday pages can overlap)."""
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected a JSON response, got {type(response).__name__}")
        page = extract(response, source)
        earlier = set(response.meta[PAGING]["seen"])
        again = [d.source_id for d in page.details if d.source_id in earlier]
        again += [i for i in page.unreadable_ids if i in earlier]
        page.problems.extend(f"job {i}: listed again on a later page" for i in again)
        page.details = [d for d in page.details if d.source_id not in earlier]
        page.unreadable_ids = [i for i in page.unreadable_ids if i not in earlier]
        return page

    def next_requests(
        self, response: Response, source: SourceBase, page: ListingPage
    ) -> Iterable[scrapy.Request]:
        """The next offset until the first page's total; at the end, check the distinct count."""
        if not isinstance(page, WorkdayListPage):
            raise TypeError(f"expected a Workday listing page, got {type(page).__name__}")
        state = response.meta[PAGING]
        offset: int = state["offset"]
        total: int | None = page.total if offset == 0 else state["total"]
        seen = [*state["seen"], *(d.source_id for d in page.details), *page.unreadable_ids]
        if total is None:
            page.incomplete = page.incomplete or "the first page gives no total"
            return
        if page.entries and offset + PAGE_SIZE < total:
            yield self._list_request(
                source, {"offset": offset + PAGE_SIZE, "total": total, "seen": seen}
            )
            return
        if len(seen) != total:
            page.incomplete = page.incomplete or f"saw {len(seen)} of total={total} jobs"
        elif total == RESULT_CAP:
            page.incomplete = page.incomplete or (
                f"total={total} is Workday's result cap: the board may hold more jobs"
            )

    def detail_request(self, detail: Detail, source: SourceBase) -> scrapy.Request:
        return scrapy.Request(detail.url, headers={"Accept": "application/json"})

    def parse_detail(self, response: Response, source: SourceBase, detail: Detail) -> RawPosting:
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected a JSON response, got {type(response).__name__}")
        path = detail_path(detail.url, source)
        return parse_job(json_body(response), source, path, detail.listed)

    def _list_request(self, source: SourceBase, paging: dict[str, Any]) -> scrapy.Request:
        body = {
            "appliedFacets": {},
            "limit": PAGE_SIZE,
            "offset": paging["offset"],
            "searchText": "",
        }
        return JsonRequest(f"{cxs_base(source)}/jobs", data=body, meta={PAGING: paging})

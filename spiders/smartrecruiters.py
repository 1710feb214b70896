"""
SmartRecruiters companies, through the public Posting API.

`GET {base}/v1/companies/{board}/postings?limit=100&offset=N` lists a company's published postings a
page at a time (`offset`, `limit`, `totalFound`, `content[]`), without their descriptions; each
posting's own `GET {base}/v1/companies/{board}/postings/{id}` adds the job ad's sections and the
public and apply URLs. So the listing names a `Detail` per posting, keyed on its `releasedDate`
(which moves when the posting is published again), and a re-crawl fetches only new or republished
postings. The listing is complete when every page up to `totalFound` parsed and the pages held
exactly `totalFound` distinct postings. A detail that answers 404, or says `"active": false`, means
the posting has closed although the listing still shows it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import RawPosting
from crawler.sources import SmartRecruitersSource, SourceBase
from spiders.base import ApiSourceSpider, Detail, JobGoneError, ListingPage, json_body

PUBLIC_JOBS = "https://jobs.smartrecruiters.com"
"""Where a posting's public page lives when the API does not give its `postingUrl`."""

# The job ad's sections in the order the public page shows them.
SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


# -- extraction (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paging:
    """What a listing page says about the whole listing."""

    total: int
    """`totalFound`: how many postings the listing holds."""
    received: int
    """How many entries this page held, readable or not."""


def read_listing(data: Any, source: SourceBase) -> tuple[ListingPage, Paging]:
    """The postings of one `postings` page, each to be completed from its detail, and its paging."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    content = data["content"]
    total = data["totalFound"]
    if not isinstance(content, list):
        raise TypeError("`content` is not a list")
    if not isinstance(total, int) or isinstance(total, bool):
        raise TypeError("`totalFound` is not a number")
    page = ListingPage()
    for number, entry in enumerate(content):
        posting_id = _id(entry.get("id")) if isinstance(entry, dict) else None
        if posting_id is None:
            page.problems.append(f"posting #{number}: no id")
            page.incomplete = "a posting without an id"
            continue
        try:
            listed = parse_posting(entry, source)
        except (KeyError, TypeError, ValueError) as exc:
            page.problems.append(f"posting {posting_id}: {exc}")
            page.unreadable_ids.append(posting_id)
            continue
        page.details.append(
            Detail(
                source_id=listed.source_id,
                url=detail_url(source, listed.source_id),
                revision=revision(entry),
                listed=listed,
            )
        )
    return page, Paging(total=total, received=len(content))


def extract(response: TextResponse, source: SourceBase) -> ListingPage:
    """The listing page in a `postings` response."""
    return read_listing(json_body(response), source)[0]


def extract_detail(response: TextResponse, source: SourceBase) -> ListingPage:
    """The one posting in a posting-detail response."""
    return ListingPage(postings=[parse_posting(json_object(response.text), source)])


def json_object(text: str) -> dict[str, Any]:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    return data


def detail_url(source: SourceBase, posting_id: str) -> str:
    """The API address of one posting (not the entry's `ref`, which ignores `base_url`)."""
    return f"{source.api_base}/v1/companies/{source.key}/postings/{quote(posting_id, safe='')}"


def revision(entry: dict[str, Any]) -> str:
    """
    The entry's `releasedDate`, or a digest of the whole entry when it has none.

    SmartRecruiters sets `releasedDate` when a posting is (re)published, which is when its ad can
    change; the digest fallback changes whenever any listed field does.
    """
    released = entry.get("releasedDate")
    if isinstance(released, str) and released:
        return released
    canonical = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def parse_posting(entry: dict[str, Any], source: SourceBase) -> RawPosting:
    """A listing entry or a detail response (the same fields, plus the ad and URLs) as a posting."""
    posting_id = _id(entry.get("id"))
    if posting_id is None:
        raise ValueError("id: missing")
    title = entry.get("name")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("name: missing")
    location = _object(entry.get("location"))
    department = _label(entry.get("department")) or _label(entry.get("function"))
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=posting_id,
        url=_text(entry.get("postingUrl")) or f"{PUBLIC_JOBS}/{source.key}/{posting_id}",
        apply_url=_text(entry.get("applyUrl")),
        title=title,
        company=source.company or _text(_object(entry.get("company")).get("name")),
        location_raw=_location_text(location),
        remote_raw=_workplace(location),
        employment_type_raw=_employment(entry.get("typeOfEmployment")),
        date_posted_raw=_text(entry.get("releasedDate")),
        description_html=_job_ad_html(entry.get("jobAd")),
        department=department,
        requisition_id=_text(entry.get("refNumber")),
        language=_text(_object(entry.get("language")).get("code")),
    )


def complete_from_listing(posting: RawPosting, listed: RawPosting | None) -> RawPosting:
    """The detail's posting, with any field it left empty taken from the listing entry."""
    if listed is None:
        return posting
    for field in dataclasses.fields(posting):
        if getattr(posting, field.name) in (None, "", []):
            setattr(posting, field.name, getattr(listed, field.name))
    return posting


def _location_text(location: dict[str, Any]) -> str | None:
    """`fullLocation` ("Montreal, QC, Canada"), else city, region and country as given."""
    full = _text(location.get("fullLocation"))
    if full:
        return full
    country = _text(location.get("country"))
    parts = [
        _text(location.get("city")),
        _text(location.get("region")),
        country and country.upper(),
    ]
    return ", ".join(part for part in parts if part) or None


def _workplace(location: dict[str, Any]) -> str | None:
    """The posting's own flags: "remote", "hybrid", or "false" (neither) when it says so."""
    if location.get("remote") is True:
        return "remote"
    if location.get("hybrid") is True:
        return "hybrid"
    if location.get("remote") is False:
        return "false"
    return None


def _employment(value: Any) -> list[str]:
    """The type's label ("Full-time") and, when it says more, its id ("permanent")."""
    employment = _object(value)
    values: list[str] = []
    for text in (_text(employment.get("label")), _text(employment.get("id"))):
        if text and text.casefold() not in (v.casefold() for v in values):
            values.append(text)
    return values


def _job_ad_html(job_ad: Any) -> str | None:
    """The ad's text sections, each under its own title as an `<h3>` heading."""
    sections = _object(_object(job_ad).get("sections"))
    parts: list[str] = []
    for name in SECTIONS:
        section = _object(sections.get(name))
        text = _text(section.get("text"))
        if not text:
            continue
        title = _text(section.get("title"))
        if title:
            parts.append(f"<h3>{html.escape(title)}</h3>")
        parts.append(text)
    return "\n".join(parts) or None


def _id(value: Any) -> str | None:
    """A posting id: SmartRecruiters sends digits as a string; a number is accepted too."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value).strip() or None


def _object(value: Any) -> dict[str, Any]:
    """A nested object, or an empty one when the field is missing or not an object."""
    return value if isinstance(value, dict) else {}


def _label(value: Any) -> str | None:
    return _text(_object(value).get("label"))


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


# -- crawling -------------------------------------------------------------------------------------


class SmartRecruitersSpider(ApiSourceSpider):
    """Crawls SmartRecruiters companies: `scrapy crawl smartrecruiters -a board=Ubisoft2`."""

    name = "smartrecruiters"
    source_model: ClassVar[type[SourceBase]] = SmartRecruitersSource
    page_size: ClassVar[int] = 100
    """Postings per listing page; 100 is the most the API returns."""

    def __init__(self, sources: Sequence[SourceBase] | None = None, **kwargs: Any) -> None:
        super().__init__(sources, **kwargs)
        self._listed: dict[str, set[str]] = {source.label: set() for source in self.sources}

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        yield self._page_request(source, offset=0, total=None)

    def _page_request(self, source: SourceBase, offset: int, total: int | None) -> scrapy.Request:
        url = (
            f"{source.api_base}/v1/companies/{source.key}/postings"
            f"?limit={self.page_size}&offset={offset}"
        )
        return scrapy.Request(url, meta={"offset": offset, "total": total})

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected a JSON response, got {type(response).__name__}")
        page, paging = read_listing(json_body(response), source)
        response.meta["paging"] = paging
        self._drop_repeats(page, source)
        return page

    def _drop_repeats(self, page: ListingPage, source: SourceBase) -> None:
        """
        Keep one detail per posting when the listing shifts between pages and repeats one.

        A repeated detail request would also be dropped by Scrapy's duplicate filter without a
        callback, leaving the listing waiting for it.
        """
        seen = self._listed[source.label]
        fresh: list[Detail] = []
        for detail in page.details:
            if detail.source_id in seen:
                page.problems.append(f"posting {detail.source_id}: listed twice")
            else:
                fresh.append(detail)
            seen.add(detail.source_id)
        page.details = fresh
        seen.update(page.unreadable_ids)

    def next_requests(
        self, response: Response, source: SourceBase, page: ListingPage
    ) -> Iterable[scrapy.Request]:
        """The next page until `totalFound` is reached; then check the postings seen add up."""
        paging: Paging = response.meta["paging"]
        total = response.meta.get("total")
        total = paging.total if total is None else total
        offset = int(response.meta.get("offset") or 0) + paging.received
        if paging.received and offset < total:
            yield self._page_request(source, offset=offset, total=total)
            return
        seen = len(self._listed[source.label])
        if total == 0:
            self.logger.warning(
                "%s: no postings; SmartRecruiters also answers so for an unknown company, "
                "so check the board name",
                source.label,
                extra={"spider": self},
            )
        if seen != total and page.incomplete is None:
            page.incomplete = f"listing ended with {seen} of totalFound={total} postings"

    def parse_detail(self, response: Response, source: SourceBase, detail: Detail) -> RawPosting:
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected a JSON response, got {type(response).__name__}")
        data = json_object(response.text)
        if data.get("active") is False:
            raise JobGoneError("the posting says active: false")
        posting = parse_posting(data, source)
        if posting.source_id != detail.source_id:
            raise ValueError(f"detail is of posting {posting.source_id}, not {detail.source_id}")
        return complete_from_listing(posting, detail.listed)

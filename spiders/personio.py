"""
Personio careers pages, through the public XML feed of `{board}.jobs.personio.{de,com}`.

`GET {base}/xml` returns every published position of the company in one `<workzag-jobs>` document,
with its description blocks as HTML in CDATA. There is no pagination and no total, so the listing is
complete when that document parsed and every `<position>` in it has an `<id>`.

The body is parsed with lxml and no DTD: a document that declares one is refused rather than
expanded, and an HTML page served in place of the feed (a bot challenge, an error page, a login
page) is rejected with its title, so a blocked crawl reads as blocked rather than as an empty board.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import ClassVar

import lxml.html
import scrapy
from lxml import etree
from scrapy.http import Response, TextResponse

from crawler.items import RawPosting
from crawler.sources import PersonioSource, SourceBase
from spiders.base import ApiSourceSpider, ListingPage

ROOT_TAG = "workzag-jobs"


# -- extraction (pure) ----------------------------------------------------------------------------


def parse_feed(body: bytes, source: SourceBase, content_type: str = "") -> ListingPage:
    """Map a `/xml` feed document to raw postings; raise ValueError when it is not one."""
    root = _feed_root(body, content_type)
    page = ListingPage()
    for number, position in enumerate(root.iterfind("position")):
        position_id = _child_text(position, "id")
        if position_id is None:
            page.problems.append(f"position #{number}: no id")
            page.incomplete = "a position without an id"
            continue
        try:
            page.postings.append(parse_position(position, position_id, source))
        except ValueError as exc:
            page.problems.append(f"position {position_id}: {exc}")
            page.unreadable_ids.append(position_id)
    return page


def extract(response: TextResponse, source: SourceBase) -> ListingPage:
    """The listing page in a feed response."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    return parse_feed(response.body, source, content_type)


def parse_position(position: etree._Element, position_id: str, source: SourceBase) -> RawPosting:
    title = _child_text(position, "name")
    if title is None:
        raise ValueError("name: missing")
    employment = [_child_text(position, "employmentType"), _child_text(position, "schedule")]
    offices = [_text(office.text) for office in position.iterfind("additionalOffices/office")]
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=position_id,
        url=f"{source.api_base}/job/{position_id}",
        title=title,
        company=source.company or _child_text(position, "subcompany"),
        location_raw=_child_text(position, "office"),
        locations_raw=[office for office in offices if office],
        employment_type_raw=[value for value in employment if value],
        date_posted_raw=_child_text(position, "createdAt"),
        description_html=_description(position),
        department=_child_text(position, "department"),
        language=getattr(source, "language", None),
    )


def _feed_root(body: bytes, content_type: str) -> etree._Element:
    """The `<workzag-jobs>` element, or a ValueError that says what came instead."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        if _looks_like_html(body, content_type):
            raise ValueError(f"expected the XML feed, got an HTML page{_html_title(body)}") from exc
        raise ValueError(f"not well-formed XML: {exc}") from exc
    if root.tag != ROOT_TAG:
        if str(root.tag).lower() == "html" or _looks_like_html(body, content_type):
            raise ValueError(f"expected the XML feed, got an HTML page{_html_title(body)}")
        raise ValueError(f"expected <{ROOT_TAG}>, got <{root.tag}>")
    if root.getroottree().docinfo.internalDTD is not None:
        raise ValueError("the document declares a DTD, which the feed never does: refused")
    return root


def _looks_like_html(body: bytes, content_type: str) -> bool:
    """An HTML content type or an HTML start, for a body that is not the feed."""
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    return "html" in content_type.lower() or start.startswith((b"<!doctype html", b"<html"))


def _html_title(body: bytes) -> str:
    """` ("Title")` for the page's title, to name what blocked the crawl; empty when it has none."""
    try:
        title = lxml.html.document_fromstring(body).findtext(".//title")
    except (etree.ParserError, ValueError):
        return ""
    title = _text(title)
    return f' ("{title[:120]}")' if title else ""


def _description(position: etree._Element) -> str | None:
    """Each non-blank description block as `<h3>name</h3>` and its HTML, in the feed's order."""
    blocks = []
    for block in position.iterfind("jobDescriptions/jobDescription"):
        name, value = _child_text(block, "name"), _child_text(block, "value")
        if value is None:
            continue
        heading = f"<h3>{html.escape(name, quote=False)}</h3>" if name else ""
        blocks.append(heading + value)
    return "".join(blocks) or None


def _child_text(element: etree._Element, tag: str) -> str | None:
    return _text(element.findtext(tag))


def _text(value: str | None) -> str | None:
    """Stripped text; None for a missing or blank element."""
    if value is None:
        return None
    return value.strip() or None


# -- crawling -------------------------------------------------------------------------------------


class PersonioSpider(ApiSourceSpider):
    """Crawls Personio careers pages: `scrapy crawl personio -a board=acme [-a domain=com]`."""

    name = "personio"
    source_model: ClassVar[type[SourceBase]] = PersonioSource

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        language = getattr(source, "language", None)
        yield scrapy.Request(
            f"{source.api_base}/xml" + (f"?language={language}" if language else "")
        )

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        if not isinstance(response, TextResponse):
            raise TypeError(f"expected an XML response, got {type(response).__name__}")
        return extract(response, source)

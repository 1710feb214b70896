"""
Careers sites described by selectors (`kind: pages`), rendered in Chromium where they need it.

A sources entry names the list pages (`urls`), the selector of their job links (`job_link`), how to
reach the next list page (a `next_page` link selector, or a numbered `page_url`), and a selector per
field of a job page (`fields`: title, location, date, valid_through, description, salary,
employment_type, department, apply). Selectors are CSS or XPath (`crawler.sources.selector_query`);
parsel's `::attr(name)`, `::text`, `/@name` and `/text()` pick a value instead of an element.

What a selector gives: text fields take each matched element's visible text (whitespace tidied);
`description` takes the matched elements' inner HTML; `date` and `valid_through` an element's
`datetime` or `content` attribute before its text; `apply` an element's `href`. The normaliser does
the rest (dates, pay, places), as for every other family.

Each job link is a `Detail` without revision, so job pages are fetched on every crawl. The listing is
complete when every list page was fetched and parsed and paging reached its end (no next link, or a
numbered page that lists no job not seen before) within `max_pages`. `render` loads list pages, job
pages or both in headless Chromium first (`spiders.render`), waiting for `wait_for` (list pages;
default `job_link`) or the title selector (job pages).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Literal

import scrapy
from parsel import Selector, SelectorList
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings

from crawler.items import RawPosting
from crawler.sources import PagesSource, SourceBase, selector_query
from spiders.base import Detail, ListingPage
from spiders.render import chromium_problem, enable_rendering, render_meta
from spiders.site import (
    SiteSpider,
    is_job_url,
    job_source_id,
    link_base,
    public_page_url,
    resolve,
    text_response,
)
from spiders.structured import inner_html, page_language

_VISIBLE_TEXT = "descendant-or-self::text()[not(ancestor::script or ancestor::style)]"


# -- extraction (pure) ----------------------------------------------------------------------------


def pages_source(source: SourceBase) -> PagesSource:
    if not isinstance(source, PagesSource):
        raise TypeError(f"{source.label} is not a `pages` source")
    return source


def select(selector: Selector, expression: str) -> SelectorList[Selector]:
    """What a configured CSS or XPath selector matches."""
    kind, query = selector_query(expression)
    return selector.css(query) if kind == "css" else selector.xpath(query)


def extract(response: TextResponse, source: SourceBase) -> ListingPage:
    """The job pages a list page links to."""
    return read_list_page(response, pages_source(source))[0]


def extract_detail(response: TextResponse, source: SourceBase) -> ListingPage:
    """The posting on one job page, at the id its URL gives."""
    site = pages_source(source)
    url = public_page_url(response, site)
    source_id = job_source_id(url, site)
    if source_id is None:
        raise ValueError(f"{url}: id_pattern does not match")
    return ListingPage(postings=[posting_from_page(response, site, source_id, url)])


def read_list_page(response: TextResponse, source: PagesSource) -> tuple[ListingPage, list[str]]:
    """A list page's job links (as details) and its `next_page` links."""
    base = link_base(response, source)
    page = ListingPage()
    listed: set[str] = set()
    elsewhere = 0
    for url in _links(select(response.selector, source.job_link), base):
        if not source.on_site(url):
            elsewhere += 1
            continue
        if not is_job_url(url, source):
            continue
        source_id = job_source_id(url, source)
        if source_id is None:
            page.problems.append(f"{url}: id_pattern does not match")
            page.incomplete = "a job link without an id"
        elif source_id not in listed:
            listed.add(source_id)
            page.details.append(Detail(source_id=source_id, url=url))
    if elsewhere:
        page.problems.append(f"{elsewhere} job links to other sites left out")
    next_pages: list[str] = []
    if source.next_page:
        next_pages = [
            url for url in _links(select(response.selector, source.next_page), base)
            if source.on_site(url)
        ]  # fmt: skip
    return page, next_pages


def _links(matches: SelectorList[Selector], base: str) -> list[str]:
    """Absolute URLs of matched links: an `href` value, a link's `href`, or a link inside it."""
    urls = []
    for match in matches:
        if isinstance(match.root, str):
            href: str | None = match.root
        else:
            href = match.attrib.get("href") or match.xpath(".//a/@href").get()
        url = resolve(href, base)
        if url is not None:
            urls.append(url)
    return urls


def posting_from_page(
    response: TextResponse, source: PagesSource, source_id: str, url: str
) -> RawPosting:
    """A job page's posting, field by field from the source's selectors."""
    page = response.selector
    fields = source.fields
    title = _text(select(page, fields.title))
    if not title:
        raise ValueError(f"fields.title: {fields.title!r} matched nothing on the page")
    locations = _texts(page, fields.location)
    apply_link = (
        _links(select(page, fields.apply), link_base(response, source))[:1] if fields.apply else []
    )
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=source_id,
        url=url,
        apply_url=apply_link[0] if apply_link else None,
        title=title,
        company=source.company or page.xpath("//meta[@property='og:site_name']/@content").get(),
        location_raw=locations[0] if locations else None,
        locations_raw=locations if len(locations) > 1 else [],
        employment_type_raw=_texts(page, fields.employment_type),
        salary_raw=_first_text(page, fields.salary),
        date_posted_raw=_date(page, fields.date),
        valid_through_raw=_date(page, fields.valid_through),
        description_html=_html(page, fields.description),
        department=_first_text(page, fields.department),
        language=page_language(page),
    )


def selector_values(response: TextResponse, source: PagesSource) -> dict[str, list[str]]:
    """
    What each of the source's selectors picks from one page, for people writing a site entry.

    Links come out absolute; text fields as their tidied text; `description` as HTML.
    """
    page = response.selector
    base = link_base(response, source)
    values: dict[str, list[str]] = {"job_link": _links(select(page, source.job_link), base)}
    if source.next_page:
        values["next_page"] = _links(select(page, source.next_page), base)
    for name, expression in source.fields.model_dump().items():
        if expression is None:
            continue
        if name == "apply":
            values[name] = _links(select(page, expression), base)
        elif name == "description":
            values[name] = [_html_of(match) for match in select(page, expression)]
        elif name in ("date", "valid_through"):
            values[name] = [_date_of(match) for match in select(page, expression)]
        else:
            values[name] = _texts(page, expression)
    return values


def _text_of(match: Selector) -> str:
    if isinstance(match.root, str):
        return " ".join(match.root.split())
    return " ".join(" ".join(match.xpath(_VISIBLE_TEXT).getall()).split())


def _texts(page: Selector, expression: str | None) -> list[str]:
    if expression is None:
        return []
    return [text for text in (_text_of(m) for m in select(page, expression)) if text]


def _text(matches: SelectorList[Selector]) -> str | None:
    return next((text for text in (_text_of(m) for m in matches) if text), None)


def _first_text(page: Selector, expression: str | None) -> str | None:
    texts = _texts(page, expression)
    return texts[0] if texts else None


def _date_of(match: Selector) -> str:
    if not isinstance(match.root, str):
        for name in ("datetime", "content"):
            value = match.attrib.get(name, "").strip()
            if value:
                return value
    return _text_of(match)


def _date(page: Selector, expression: str | None) -> str | None:
    if expression is None:
        return None
    return next((d for d in (_date_of(m) for m in select(page, expression)) if d), None)


def _html_of(match: Selector) -> str:
    if isinstance(match.root, str):
        return html.escape(match.root)
    return inner_html(match.root)


def _html(page: Selector, expression: str | None) -> str | None:
    """The inner HTML of every matched element, in page order (a description in several parts)."""
    if expression is None:
        return None
    parts = [part for part in (_html_of(m).strip() for m in select(page, expression)) if part]
    return "\n".join(parts) or None


# -- crawling -------------------------------------------------------------------------------------


class PagesSpider(SiteSpider):
    """Crawls selector-described careers sites: see docs/sources/pages.md for the entry."""

    name = "pages"
    source_model: ClassVar[type[SourceBase]] = PagesSource

    def __init__(self, sources: Sequence[SourceBase] | None = None, **kwargs: Any) -> None:
        super().__init__(sources, **kwargs)
        self._listed: dict[str, set[str]] = {source.label: set() for source in self.sources}

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """
        Give this crawler (only) scrapy-playwright's handler: its requests may render.

        The handler sends requests without `meta["playwright"]` over plain HTTP and starts the
        browser at the first one that has it, so a crawl that renders nothing starts no browser.
        """
        super().update_settings(settings)
        enable_rendering(settings)

    def _browser_problem(self) -> str | None:
        launch = self.crawler.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        return chromium_problem(launch.get("executable_path"))

    def _render(self, source: PagesSource, page: Literal["list", "detail"]) -> dict[str, Any]:
        return render_meta(source, page, self.crawler.settings.getfloat("JOBCRAWL_RENDER_TIMEOUT"))

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        site = pages_source(source)
        for url in site.urls:
            request = self.page_request(url, source, list_page=1, **self._render(site, "list"))
            if request is not None:
                yield request

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        site = pages_source(source)
        page, next_pages = read_list_page(text_response(response), site)
        listed = self._listed[source.label]
        response.meta["new_jobs"] = len({d.source_id for d in page.details} - listed)
        listed.update(d.source_id for d in page.details)
        response.meta["next_pages"] = next_pages
        if response.meta.get("playwright"):
            self.count("jobcrawl/pages/rendered")
        if site.renders("detail") and page.details and (problem := self._browser_problem()):
            # Every job page would fail alike: say it once, for the listing, and request none.
            page.incomplete = f"job pages need a browser: {problem}"
            page.unreadable_ids.extend(d.source_id for d in page.details)
            page.details = []
        if not page.details and not page.unreadable_ids:
            self.logger.warning(
                "%s: %s: job_link %r matched no job page",
                source.label,
                response.url,
                site.job_link,
                extra={"spider": self},
            )
        return page

    def next_requests(
        self, response: Response, source: SourceBase, page: ListingPage
    ) -> Iterable[scrapy.Request]:
        """The next list page: a `next_page` link, or page N+1 while pages list new jobs."""
        site = pages_source(source)
        number = int(response.meta.get("list_page") or 1)
        following = list(response.meta.get("next_pages") or [])
        if site.page_url is not None and response.meta.get("new_jobs"):
            following = [site.page_url.format(page=number + 1)]
        asked = self._asked[source.label]
        following = [url for url in following if site.fetch_url(url) not in asked]
        if following and number >= site.max_pages:
            page.incomplete = f"stopped after max_pages={site.max_pages} list pages"
            return
        for url in following:
            request = self.page_request(
                url, source, list_page=number + 1, **self._render(site, "list")
            )
            if request is not None:
                yield request

    def detail_request(self, detail: Detail, source: SourceBase) -> scrapy.Request:
        request = super().detail_request(detail, source)
        meta = self._render(pages_source(source), "detail")
        return request.replace(meta={**request.meta, **meta}) if meta else request

    def parse_detail(self, response: Response, source: SourceBase, detail: Detail) -> RawPosting:
        if response.meta.get("playwright"):
            self.count("jobcrawl/pages/rendered")
        return posting_from_page(
            text_response(response), pages_source(source), detail.source_id, detail.url
        )

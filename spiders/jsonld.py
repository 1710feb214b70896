"""
Careers sites with schema.org `JobPosting` pages, found from their careers index pages.

`kind: jsonld` starts at one or more index pages (`urls`). Their job links are the links on the
same site that match `job_urls`, or, without `job_urls`, the links below the index page's own path
(`/careers/` → `/careers/data-engineer`). Index pages that say `rel="next"` are followed. Each job
page is a `Detail`: its posting comes from its `JobPosting` markup (JSON-LD, microdata or RDFa; see
`spiders.structured`), or, on a page without markup that still looks like a job page, from its
title, meta tags and main text, flagged as a lower-confidence reading. Linked pages that are not
job pages (about us, benefits, a team page) are skipped, counted (`jobcrawl/details/not_a_job`) and
not stored. Postings written into an index page itself are taken from there.

The listing is complete when every index page was fetched and parsed. A job page that fails leaves
its job seen and stored as it was; the listing stays complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import RawPosting
from crawler.sources import JsonLdSource, SiteSource, SourceBase
from spiders.base import Detail, ListingPage
from spiders.site import (
    SiteSpider,
    is_job_url,
    job_source_id,
    link_base,
    public_page_url,
    resolve,
    same_page,
    site_of,
    text_response,
)
from spiders.structured import (
    FALLBACK_PROBLEM,
    fallback_posting,
    page_language,
    posting_from_node,
    read_markup,
)

_NEXT = (
    "//link[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
    " | //a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
)


# -- extraction (pure) ----------------------------------------------------------------------------


def extract(response: TextResponse, source: SourceBase) -> ListingPage:
    """The job pages an index page links to, and any postings written into it."""
    return read_index(response, site_of(source))[0]


def extract_detail(response: TextResponse, source: SourceBase) -> ListingPage:
    """The posting on one job page, at the id its URL gives."""
    site = site_of(source)
    url = public_page_url(response, site)
    source_id = job_source_id(url, site)
    if source_id is None:
        raise ValueError(f"{url}: id_pattern does not match")
    return job_page(response, site, source_id, url)


def job_page(response: TextResponse, source: SiteSource, source_id: str, url: str) -> ListingPage:
    """
    The one posting of the job page at public `url`, from its markup or, failing that, its text.

    A page with several `JobPosting`s (the job and "similar jobs") gives the one whose `url` is
    this page, else the first. Raises `NotAJobPageError` when the page is no job page at all.
    """
    markup = read_markup(response, url)
    page = ListingPage(problems=list(markup.problems))
    if not markup.postings:
        page.postings.append(
            fallback_posting(response.selector, source=source, source_id=source_id, url=url)
        )
        page.problems.append(FALLBACK_PROBLEM)
        return page
    chosen = next(
        (i for i, node in enumerate(markup.postings) if _is_page(node.get("url"), url)), 0
    )
    if len(markup.postings) > 1:
        page.problems.append(
            f"{len(markup.postings)} JobPostings on one job page: posting {chosen + 1} is taken"
        )
    page.postings.append(
        posting_from_node(
            markup.postings[chosen],
            source=source,
            source_id=source_id,
            url=url,
            language=page_language(response.selector),
            description_html=markup.description_html[chosen],
            organisation=markup.organisation,
        )
    )
    return page


def _is_page(value: Any, url: str) -> bool:
    return isinstance(value, str) and same_page(resolve(value, url) or "", url)


def read_index(response: TextResponse, source: SiteSource) -> tuple[ListingPage, list[str]]:
    """An index page's job pages (as details) and postings, and its next index pages."""
    base = link_base(response, source)
    here = public_page_url(response, source)
    next_pages = [
        url
        for url in (resolve(href, base) for href in response.selector.xpath(_NEXT).getall())
        if url and source.on_site(url) and not same_page(url, here)
    ]
    page = ListingPage()
    linked: set[str] = set()
    for url in _job_links(response, source, base, here, exclude=next_pages):
        source_id = job_source_id(url, source)
        if source_id is None:
            page.problems.append(f"{url}: id_pattern does not match")
            page.incomplete = "a job link without an id"
        elif source_id not in linked:
            linked.add(source_id)
            page.details.append(Detail(source_id=source_id, url=url))
    _embedded_postings(response, source, base, linked, page)
    return page, next_pages


def _job_links(
    response: TextResponse, source: SiteSource, base: str, here: str, exclude: list[str]
) -> Iterable[str]:
    """Links to pages of this site that may be job pages, in page order."""
    below = _index_prefix(here)
    for href in response.selector.xpath("//a/@href").getall():
        url = resolve(href, base)
        if url is None or not source.on_site(url) or same_page(url, here):
            continue
        if any(same_page(url, other) for other in exclude):
            continue
        if source.job_urls:
            if is_job_url(url, source):
                yield url
        elif _path(url).startswith(below) and len(_path(url)) > len(below):
            yield url


def _index_prefix(url: str) -> str:
    """`/careers/` for `/careers`, `/careers/` and `/careers/index.html`."""
    path = _path(url)
    if path.endswith("/"):
        return path
    last = path.rsplit("/", 1)[-1]
    return path[: -len(last)] if "." in last else path + "/"


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


def _embedded_postings(
    response: TextResponse, source: SiteSource, base: str, linked: set[str], page: ListingPage
) -> None:
    """Postings written into the index page itself, except those whose own page is linked."""
    here = public_page_url(response, source)
    markup = read_markup(response, here)
    page.problems.extend(markup.problems)
    language = page_language(response.selector)
    for number, node in enumerate(markup.postings, start=1):
        link = node.get("url")
        url = resolve(link if isinstance(link, str) else None, base)
        if url is None:
            page.problems.append(f"JobPosting {number} on the index page: no url")
            page.incomplete = "a posting without an id"
            continue
        if not source.on_site(url):
            page.problems.append(f"JobPosting {number} on the index page is on another site: {url}")
            continue
        source_id = job_source_id(url, source)
        if source_id in linked:
            continue
        if source_id is None:
            page.problems.append(f"{url}: id_pattern does not match")
            page.incomplete = "a posting without an id"
            continue
        try:
            page.postings.append(
                posting_from_node(
                    node,
                    source=source,
                    source_id=source_id,
                    url=url,
                    language=language,
                    description_html=markup.description_html[number - 1],
                    organisation=markup.organisation,
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            page.problems.append(f"JobPosting {number} on the index page: {exc}")
            page.unreadable_ids.append(source_id)


# -- crawling -------------------------------------------------------------------------------------


class JsonLdSpider(SiteSpider):
    """Crawls careers sites from their index pages: `scrapy crawl jsonld -a url=https://…/careers`."""

    name = "jsonld"
    source_model: ClassVar[type[SourceBase]] = JsonLdSource

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        page, next_pages = read_index(text_response(response), site_of(source))
        response.meta["next_pages"] = next_pages
        if not page.details and not page.postings:
            self.logger.warning(
                "%s: %s links to no job page", source.label, response.url, extra={"spider": self}
            )
        return page

    def next_requests(
        self, response: Response, source: SourceBase, page: ListingPage
    ) -> Iterable[scrapy.Request]:
        for url in response.meta.get("next_pages", []):
            request = self.page_request(url, source)
            if request is not None:
                yield request

    def parse_detail(self, response: Response, source: SourceBase, detail: Detail) -> RawPosting:
        page = job_page(text_response(response), site_of(source), detail.source_id, detail.url)
        for problem in page.problems:
            self.logger.info("%s: %s: %s", source.label, detail.url, problem)
        if FALLBACK_PROBLEM in page.problems:
            self.count("jobcrawl/pages/without_markup")
        return page.postings[0]

"""
What the careers-site families (`sitemap`, `jsonld`, `pages`) share.

A careers site has no API ids, so a job's id comes from its page's URL: the canonical path and query
(tracking parameters dropped), or the group of the source's `id_pattern`. Links are resolved in the
public site's terms even when `base_url` sends the requests elsewhere, so ids and stored URLs never
depend on where the site was fetched from.

Listing pages of a site link to each other (sitemap indexes, "next" links, page numbers), so a
spider asks for each one once per source and marks the request `dont_filter`: a request that
Scrapy's duplicate filter dropped would never answer, and the listing would wait for it forever.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.ids import canonical_url
from crawler.sources import SiteSource, SourceBase
from spiders.base import ApiSourceSpider, Detail

_NOT_PAGES = ("javascript:", "mailto:", "tel:", "data:", "#")


# -- URLs (pure) ----------------------------------------------------------------------------------


def site_of(source: SourceBase) -> SiteSource:
    if not isinstance(source, SiteSource):
        raise TypeError(f"{source.label} is not a careers-site source")
    return source


def job_source_id(url: str, source: SiteSource) -> str | None:
    """
    The id of the job page at public `url`, or None when `id_pattern` does not match it.

    Without `id_pattern`: the canonical URL's path and query, e.g. `/jobs/42-engineer`.
    """
    if source.id_pattern:
        match = re.search(source.id_pattern, url)
        if match is None:
            return None
        return match.group(1) if match.re.groups else match.group(0)
    parts = urlsplit(canonical_url(url))
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def is_job_url(url: str, source: SiteSource) -> bool:
    """Whether `url` may be a job page: it matches one of `job_urls` (any URL when none given)."""
    return not source.job_urls or any(re.search(p, url) for p in source.job_urls)


def public_page_url(response: Response, source: SiteSource) -> str:
    """The public URL of a fetched page."""
    return source.public_url(response.url)


def link_base(response: TextResponse, source: SiteSource) -> str:
    """What relative links on the page are relative to: its public URL, or its `<base href>`."""
    public = public_page_url(response, source)
    base = response.selector.xpath("//base/@href").get()
    return source.public_url(urljoin(public, base.strip())) if base else public


def resolve(href: str | None, base: str) -> str | None:
    """An absolute http(s) URL without fragment, or None for script, mail and in-page links."""
    if href is None:
        return None
    href = href.strip()
    if not href or href.lower().startswith(_NOT_PAGES):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("http", "https"):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def same_page(first: str, second: str) -> bool:
    return canonical_url(first) == canonical_url(second)


# -- crawling -------------------------------------------------------------------------------------


class SiteSpider(ApiSourceSpider):
    """A careers-site spider: listing pages asked for once each, fetched through `base_url`."""

    def __init__(self, sources: Sequence[SourceBase] | None = None, **kwargs: Any) -> None:
        super().__init__(sources, **kwargs)
        self._asked: dict[str, set[str]] = {source.label: set() for source in self.sources}

    async def start(self) -> AsyncIterator[Any]:
        for source in self.sources:
            if not site_of(source).obey_robots_txt:
                self.logger.warning(
                    "%s: robots.txt is not obeyed for this source (obey_robots_txt: false)",
                    source.label,
                    extra={"spider": self},
                )
        async for request in super().start():
            yield request

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        for url in site_of(source).urls:
            request = self.page_request(url, source)
            if request is not None:
                yield request

    def page_request(self, url: str, source: SourceBase, **meta: Any) -> scrapy.Request | None:
        """The request for a listing page at public `url`; None when this source asked already."""
        site = site_of(source)
        fetch = site.fetch_url(url)
        asked = self._asked[source.label]
        if fetch in asked:
            return None
        asked.add(fetch)
        return scrapy.Request(fetch, dont_filter=True, meta={**meta, **self.robots_meta(site)})

    def detail_request(self, detail: Detail, source: SourceBase) -> scrapy.Request:
        site = site_of(source)
        return scrapy.Request(
            site.fetch_url(detail.url), dont_filter=True, meta=self.robots_meta(site)
        )

    @staticmethod
    def robots_meta(source: SiteSource) -> dict[str, Any]:
        return {} if source.obey_robots_txt else {"dont_obey_robotstxt": True}

    def count(self, stat: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(stat)


def text_response(response: Response) -> TextResponse:
    if not isinstance(response, TextResponse):
        raise TypeError(f"expected a text response, got {type(response).__name__}")
    return response

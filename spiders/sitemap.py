"""
Careers sites with schema.org `JobPosting` pages, found through their sitemaps.

`kind: sitemap` starts at sitemap URLs (`urls`): a sitemap (`<urlset>`), a sitemap index
(`<sitemapindex>`, whose sitemaps are followed), a gzipped sitemap, a plain-text one (a URL per
line), or the site's `robots.txt`, whose `Sitemap:` lines name them. The pages a sitemap lists are
job pages when they match `job_urls` (every listed page, without it); each is a `Detail` read like a
`jsonld` job page (see `spiders.jsonld`), and its `<lastmod>` is the revision, so a re-crawl fetches
only the job pages whose `<lastmod>` moved (or that have none).

The listing is complete when every sitemap was fetched and parsed: a sitemap that fails, is cut
short or is not a sitemap, an entry without `<loc>`, or a sitemap on another site that cannot be
followed makes it incomplete. Listed pages on other sites are left out (the sitemaps protocol does
not allow them) with a logged line.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterable, Iterator
from typing import ClassVar
from urllib.parse import urlsplit

import lxml.etree
from scrapy.http import Response, TextResponse

from crawler.sources import SitemapSource, SiteSource, SourceBase
from spiders.base import Detail, ListingPage
from spiders.jsonld import JsonLdSpider
from spiders.site import is_job_url, job_source_id, public_page_url, site_of

MAX_SITEMAP_BYTES = 50 * 1024 * 1024
"""The sitemaps protocol's limit for one uncompressed sitemap."""

_ROBOTS_SITEMAP = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)
_PARSER = lxml.etree.XMLParser(
    resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
)


# -- extraction (pure) ----------------------------------------------------------------------------


def extract(response: TextResponse, source: SourceBase) -> ListingPage:
    """The job pages a sitemap (or robots.txt) lists."""
    site = site_of(source)
    return read_sitemap(response.body, public_page_url(response, site), site)[0]


def read_sitemap(body: bytes, url: str, source: SiteSource) -> tuple[ListingPage, list[str]]:
    """
    The job pages listed in the sitemap at public `url`, and the sitemaps it names.

    Raises ValueError for a body that is no sitemap: broken gzip, XML that is not well-formed
    (a cut-off download), another XML document, a `robots.txt` that names no sitemap.
    """
    body = _gunzipped(body)
    page = ListingPage()
    if urlsplit(url).path.endswith("/robots.txt"):
        named = _ROBOTS_SITEMAP.findall(body.decode("utf-8", "replace"))
        if not named:
            raise ValueError("robots.txt names no sitemap")
        return page, _sitemaps(named, source, page)
    if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        _add_pages(_text_sitemap(body), source, page)
        return page, []
    try:
        root = lxml.etree.fromstring(body, _PARSER)
    except lxml.etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from exc
    kind = lxml.etree.QName(root).localname
    if kind == "sitemapindex":
        return page, _sitemaps(list(_locs(root, "sitemap", page)), source, page)
    if kind == "urlset":
        _add_pages(_entries(root, page), source, page)
        return page, []
    raise ValueError(f"not a sitemap: the document is <{kind}>")


def _gunzipped(body: bytes) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as archive:
            data = archive.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise ValueError(f"broken gzip: {exc}") from exc
    if len(data) > MAX_SITEMAP_BYTES:
        raise ValueError("sitemap larger than 50 MB uncompressed")
    return data


def _text_sitemap(body: bytes) -> Iterator[tuple[str, str | None]]:
    for line in body.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.startswith(("http://", "https://")):
            raise ValueError(f"not a sitemap: {line[:80]!r} is not a URL")
        yield line, None


def _children(element: lxml.etree._Element, name: str) -> Iterator[lxml.etree._Element]:
    for child in element:
        if isinstance(child.tag, str) and lxml.etree.QName(child).localname == name:
            yield child


def _child_text(element: lxml.etree._Element, name: str) -> str | None:
    for child in _children(element, name):
        text = (child.text or "").strip()
        return text or None
    return None


def _locs(root: lxml.etree._Element, name: str, page: ListingPage) -> Iterator[str]:
    for entry in _children(root, name):
        loc = _child_text(entry, "loc")
        if loc is None:
            page.problems.append(f"a <{name}> without <loc>")
            page.incomplete = f"a <{name}> without <loc>"
        else:
            yield loc


def _entries(root: lxml.etree._Element, page: ListingPage) -> Iterator[tuple[str, str | None]]:
    for entry in _children(root, "url"):
        loc = _child_text(entry, "loc")
        if loc is None:
            page.problems.append("a <url> without <loc>")
            page.incomplete = "a <url> without <loc>"
        else:
            yield loc, _child_text(entry, "lastmod")


def _sitemaps(urls: list[str], source: SiteSource, page: ListingPage) -> list[str]:
    """Named sitemaps on this site; one on another site cannot be followed, so the listing is partial."""
    followed = []
    for url in urls:
        if source.on_site(url):
            followed.append(url)
        else:
            page.problems.append(f"sitemap {url} is on another site: not followed")
            page.incomplete = f"a sitemap on another site was not followed: {url}"
    return followed


def _add_pages(
    entries: Iterable[tuple[str, str | None]], source: SiteSource, page: ListingPage
) -> None:
    """Each listed job page as a `Detail` whose revision is its `<lastmod>`."""
    other_sites = 0
    listed: set[str] = set()
    for url, lastmod in entries:
        if not source.on_site(url):
            other_sites += 1
            continue
        if not is_job_url(url, source):
            continue
        source_id = job_source_id(url, source)
        if source_id is None:
            page.problems.append(f"{url}: id_pattern does not match")
            page.incomplete = "a job page without an id"
        elif source_id not in listed:
            listed.add(source_id)
            page.details.append(Detail(source_id=source_id, url=url, revision=lastmod))
    if other_sites:
        page.problems.append(f"{other_sites} listed pages on other sites left out")


# -- crawling -------------------------------------------------------------------------------------


class SitemapSpider(JsonLdSpider):
    """Crawls careers sites through their sitemaps: `scrapy crawl sitemap -a url=…/sitemap.xml`."""

    name = "sitemap"
    source_model: ClassVar[type[SourceBase]] = SitemapSource

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        site = site_of(source)
        page, sitemaps = read_sitemap(response.body, public_page_url(response, site), site)
        response.meta["next_pages"] = sitemaps
        return page

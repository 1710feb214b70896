"""`jobcrawl try`: what a `kind: pages` entry's selectors pick from one page, before crawling a site."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from typing import Annotated, Any
from urllib.error import HTTPError, URLError
from urllib.parse import urljoin

import typer
import yaml
from protego import Protego
from scrapy.http import HtmlResponse

from crawler.cli import app
from crawler.config import parse_source
from crawler.errors import ConfigError, SourceError
from crawler.settings import USER_AGENT
from crawler.sources import PagesSource
from spiders.pages import selector_values

FETCH_TIMEOUT = 20.0
MAX_PAGE_BYTES = 10_000_000


@app.command("try")
def try_selectors(
    url: Annotated[
        str, typer.Argument(help="The page to try the selectors on (a list or job page).")
    ],
    selectors: Annotated[
        Path,
        typer.Option(
            "--selectors", help="YAML: a `kind: pages` entry, or just its selector fields."
        ),
    ],
    page: Annotated[
        Path | None,
        typer.Option("--page", help="Read the page from this saved file instead of fetching URL."),
    ] = None,
) -> None:
    """
    Print, as JSON, what each selector of a `kind: pages` entry picks from one page.

    For writing a site entry: fetch a list page or a job page once (obeying robots.txt, with
    jobcrawl's User-Agent) or read a saved copy, and see the job links, next-page link and every
    field the selectors find, links made absolute, descriptions as HTML.

    Example: jobcrawl try https://jobs.example.org/openings --selectors globex.yaml
    """
    source = _source(url, selectors)
    body = page.read_bytes() if page is not None else _fetch(url)
    response = HtmlResponse(url=url, body=body, encoding="utf-8")
    json.dump(selector_values(response, source), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


def _source(url: str, selectors: Path) -> PagesSource:
    try:
        entry: Any = yaml.safe_load(selectors.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{selectors}: cannot read: {exc}") from exc
    if isinstance(entry, dict) and isinstance(entry.get("sources"), list) and entry["sources"]:
        entry = entry["sources"][0]
    if not isinstance(entry, dict):
        raise ConfigError(f"{selectors}: expected a mapping of selectors (job_link, fields, ...)")
    source = parse_source({**entry, "kind": "pages", "url": url})
    if not isinstance(source, PagesSource):  # parse_source picks the model from `kind`
        raise ConfigError(f"{selectors}: not a pages entry")
    return source


def _fetch(url: str) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise SourceError(f"{url}: not an http(s) URL (use --page for a saved file)")
    robots = _get(urljoin(url, "/robots.txt"), missing_ok=True)
    if robots and not Protego.parse(robots.decode("utf-8", "replace")).can_fetch(url, USER_AGENT):
        raise SourceError(f"{url}: robots.txt forbids it (use --page with a saved copy)")
    return _get(url) or b""


def _get(url: str, *, missing_ok: bool = False) -> bytes | None:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
            body: bytes = response.read(MAX_PAGE_BYTES)
            return body
    except HTTPError as exc:
        if missing_ok and exc.code in (404, 410):
            return None
        raise SourceError(f"{url}: HTTP {exc.code}") from None
    except (URLError, OSError) as exc:
        raise SourceError(f"{url}: cannot fetch: {getattr(exc, 'reason', exc)}") from None

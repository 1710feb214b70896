"""`jobcrawl detect`: the sources-file entry for a board, from its URL or a careers page."""

from __future__ import annotations

import http.client
import json
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.error import HTTPError, URLError
from urllib.parse import urljoin

import typer
import yaml
from w3lib.encoding import html_to_unicode

from crawler.cli import app
from crawler.detect import Findings, PageScan, ats_family, detect_url, scan_page
from crawler.errors import ConfigError, SourceError
from crawler.settings import USER_AGENT

FETCH_TIMEOUT = 30  # seconds
MAX_PAGE_BYTES = 10_000_000  # a larger page is read only this far
MAX_REDIRECTS = 5
SHOWN_EVIDENCE = 3  # per finding in the YAML comments; --json lists all


def _http(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def _warn(line: str) -> None:
    typer.echo(f"jobcrawl: {line}", err=True)


# -- reading pages --------------------------------------------------------------------------------


@dataclass
class Page:
    """A careers page to scan: its name in messages, its HTML, where its relative links point."""

    name: str
    html: str | None
    base_url: str | None
    redirects: list[str]
    """URLs the fetch was redirected to, in order; one may already name the board."""


def _decode(body: bytes, content_type: str | None) -> str:
    """The page's text, in the encoding its HTTP header, BOM or `<meta charset>` gives."""
    return html_to_unicode(content_type, body)[1]


def read_page(name: str, base_url: str | None) -> Page:
    """A saved page (or `-`, standard input). Raises `ConfigError` when it cannot be read."""
    try:
        body = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise ConfigError(f"--page {name}: cannot read: {exc.strerror or exc}") from exc
    return Page(name, _decode(body, None), base_url, [])


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hands redirects back to `fetch_page`, which stops as soon as a target names a board."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_KeepRedirects)


def _join(url: str, location: str) -> str:
    """Where a redirect points; an unreadable Location header is the fetch's failure."""
    try:
        return urljoin(url, location)
    except ValueError:
        raise SourceError(f"{url}: redirected to an invalid URL: {location}") from None


def fetch_page(url: str) -> Page:
    """
    GET a careers page, following redirects until one names a board (then nothing more is fetched).

    Raises `SourceError` with one line when the page cannot be fetched.
    """
    current = url
    redirects: list[str] = []
    for _ in range(MAX_REDIRECTS + 1):
        try:
            request = urllib.request.Request(  # noqa: S310 (only http(s) URLs get here)
                current, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"}
            )
            with _OPENER.open(request, timeout=FETCH_TIMEOUT) as response:
                body = response.read(MAX_PAGE_BYTES)
                html = _decode(body, response.headers.get("Content-Type"))
                return Page(url, html, current, redirects)
        except HTTPError as exc:
            location = exc.headers.get("Location") if 300 <= exc.code < 400 else None
            exc.close()
            if not location:
                raise SourceError(f"{current}: HTTP {exc.code}") from None
            current = _join(current, location)
        except (URLError, OSError, http.client.HTTPException, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise SourceError(f"{current}: cannot fetch: {reason}") from None
        if not _http(current):
            raise SourceError(f"{url}: redirected to {current}, not an http(s) URL")
        redirects.append(current)
        if detect_url(current) is not None:
            return Page(url, None, current, redirects)
    raise SourceError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _load_pages(names: list[str], base_url: str | None, fetch: bool) -> list[Page | str]:
    """
    The saved pages, read now so a mistyped file name stops the command before any download.

    A URL stays a string, to be fetched in its turn.
    """
    for name in names:
        if _http(name) and not fetch:
            raise ConfigError(f"--page {name}: add --fetch to download it, or give a saved file")
    return [name if _http(name) else read_page(name, base_url) for name in names]


# -- finding --------------------------------------------------------------------------------------


def _scan(page: Page | str) -> Findings:
    """The boards a page (fetched now when it is a URL) reveals; says on stderr what it could not use."""
    found = Findings()
    if isinstance(page, str):
        try:
            page = fetch_page(page)
        except SourceError as exc:
            _warn(f"error: {exc}")
            return found
    for target in page.redirects:
        if (entry := detect_url(target)) is not None:
            found.add(entry, f"{page.name} redirects to {target}")
    scan = scan_page(page.html, page.base_url) if page.html is not None else PageScan()
    found.update(scan.findings)
    for hint in scan.hints:
        _warn(f"{page.name}: not recognised: {hint}")
    if not len(found):
        skipped = scan.unresolved
        note = f" ({skipped} relative URL{'s' if skipped != 1 else ''} not read: give --base-url)"
        _warn(f"{page.name}: no ATS embed or link found{note if skipped else ''}")
    return found


def _from_url(url: str, fetch: bool) -> Findings:
    """The board a URL names; with `fetch`, else the boards its page reveals."""
    found = Findings()
    entry = detect_url(url)
    if entry is not None:
        found.add(entry, url)
    elif fetch and _http(url):
        found = _scan(url)
    else:
        family = ats_family(url)
        why = f" ({family}, but it names no board)" if family else ""
        _warn(f"not recognised: {url}{why}")
    return found


# -- output ---------------------------------------------------------------------------------------


def as_yaml(found: Findings) -> str:
    """Entries ready to paste under `sources:`, each after comments saying where it was seen."""
    blocks = []
    for finding in found:
        lines = [f"# {finding.label}"]
        lines += [f"#   seen in {evidence}" for evidence in finding.evidence[:SHOWN_EVIDENCE]]
        if len(finding.evidence) > SHOWN_EVIDENCE:
            lines.append(f"#   and {len(finding.evidence) - SHOWN_EVIDENCE} more")
        lines.append(yaml.safe_dump([finding.entry], sort_keys=False, allow_unicode=True).rstrip())
        blocks.append("\n".join(lines))
    return "".join(block + "\n" for block in blocks)


def as_json(found: Findings) -> str:
    records = [
        {"source": finding.label, "entry": finding.entry, "evidence": finding.evidence}
        for finding in found
    ]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


@app.command()
def detect(
    urls: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="URL",
            help="Board, job posting, embed or API URLs of an ATS (the scheme may be left out).",
            show_default=False,
        ),
    ] = None,
    page: Annotated[
        list[str] | None,
        typer.Option(
            "--page",
            "-p",
            metavar="FILE",
            help="A saved careers page (- for standard input) to search for ATS embeds and links; "
            "an http(s) URL with --fetch. Repeatable.",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL", help="Resolve the saved pages' relative links against this URL."
        ),
    ] = None,
    fetch: Annotated[
        bool,
        typer.Option(
            "--fetch",
            help="Download --page URLs, and URL arguments not recognised by themselves, with one "
            "plain GET each, and search them.",
        ),
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="JSON instead of YAML.")] = False,
) -> None:
    """
    Print the sources-file entry for each ATS board named by a URL or embedded in a careers page.

    A URL is recognised from its shape alone (Greenhouse, Lever, Ashby, Workday, SmartRecruiters,
    Workable, Recruitee, Personio, Eightfold); a page is searched for embed scripts, frames, links
    and the URLs in its inline scripts. Each distinct board is printed once, with where it was
    seen. What is not recognised is named on stderr. Exit status: 0 when at least one board was
    found, 1 when none was, 2 for a page that cannot be read.

    Example: jobcrawl detect https://boards.greenhouse.io/acme --page careers.html
    """
    if not urls and not page:
        raise ConfigError("give a URL, or --page FILE (see jobcrawl detect --help)")
    if base_url is not None and not _http(base_url):
        raise ConfigError(f"--base-url {base_url}: must start with http:// or https://")
    pages = _load_pages(page or [], base_url, fetch)
    found = Findings()
    for url in urls or []:
        found.update(_from_url(url, fetch))
    for each in pages:
        found.update(_scan(each))
    if json_output:
        sys.stdout.write(as_json(found))
    else:
        sys.stdout.write(as_yaml(found))
    if not len(found):
        raise typer.Exit(1)

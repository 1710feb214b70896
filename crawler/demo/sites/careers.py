"""
Employers' own careers sites: static pages under `/careers/{site}/...`, from `data/careers/{site}/`.

A path names a file of the site's folder: `/careers/{site}/` is `index.html`, `/careers/{site}/x` is
`x` itself, `x.html` or `x/index.html`, and `?page=N` (N > 1) asks for `x-N.html`. A folder with a
`_shell.html` serves it for every id its sibling `{folder}.json` lists (`{"jobs": [{"id": ...}]}`),
the way a single-page job board answers every job address with one page that its script fills in.
Anything else under a known site is a 404 page.

The pages hold the public addresses of their site (`https://jobs.northwind.example/careers/...`);
a sources entry reaches them through `base_url`, which replaces that scheme and host, and the
server's own `/robots.txt` (`CareerSiteServer.robots_txt`) is every site's robots.txt.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from crawler.demo.sites import Answer, SiteRequest

_PATH = re.compile(r"^/careers/([A-Za-z0-9][A-Za-z0-9_-]*)(?:/(.*))?$")
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".gz": "application/gzip",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".js": "application/javascript",
}
NOT_FOUND: Answer = (
    404,
    {"Content-Type": "text/html; charset=utf-8"},
    b"<!DOCTYPE html><html><body><h1>Page not found</h1></body></html>",
)

NORTHWIND = "https://jobs.northwind.example"
GLOBEX = "https://jobs.globex.example"
INITECH = "https://initech.example"


def answer(request: SiteRequest, data: Path) -> Answer | None:
    match = _PATH.match(request.path)
    if match is None or request.method != "GET":
        return None
    root = data / "careers" / match[1]
    if not root.is_dir():
        return None
    segments = [s for s in (match[2] or "").split("/") if s]
    if not all(_SEGMENT.match(s) for s in segments):
        return NOT_FOUND
    path = _file(root, segments, request.int_arg("page", 1)) or _shell(root, segments)
    if path is None:
        return NOT_FOUND
    content_type = _TYPES.get(path.suffix, "application/octet-stream")
    return 200, {"Content-Type": content_type}, path.read_bytes()


def _file(root: Path, segments: list[str], page: int) -> Path | None:
    """The file a path names: itself, `.html` added, or its `index.html`; `-N` for page N."""
    stem = "/".join(segments) or "index"
    if page > 1:
        candidates = [root / f"{stem}-{page}.html"]
    else:
        candidates = [root / stem, root / f"{stem}.html", root / stem / "index.html"]
    return next((c for c in candidates if c.is_file()), None)


def _shell(root: Path, segments: list[str]) -> Path | None:
    """A folder's `_shell.html` for an id that `{folder}.json` lists."""
    if len(segments) < 2:
        return None
    folder = root.joinpath(*segments[:-1])
    shell, listing = folder / "_shell.html", folder.with_suffix(".json")
    if not shell.is_file() or not listing.is_file():
        return None
    jobs = json.loads(listing.read_bytes()).get("jobs", [])
    ids = {str(job.get("id")) for job in jobs if isinstance(job, dict)}
    return shell if segments[-1] in ids else None


def sources(data: Path, base_url: str) -> list[dict[str, Any]]:
    """A sitemap site and an index-page site (Northwind), a selector site (Globex), a JS board."""
    if not (data / "careers").is_dir():
        return []
    return [
        {
            "kind": "sitemap",
            "url": f"{NORTHWIND}/careers/northwind/sitemap.xml",
            "base_url": base_url,
        },
        {"kind": "jsonld", "url": f"{NORTHWIND}/careers/northwind/", "base_url": base_url},
        {
            "kind": "pages",
            "url": f"{GLOBEX}/careers/globex/openings",
            "base_url": base_url,
            "company": "Globex",
            "job_link": "ul.openings a.opening-link",
            "next_page": "a.next",
            "fields": {
                "title": "h1.job-title",
                "location": ".job-location",
                "date": "time.posted",
                "valid_through": "time.closes",
                "employment_type": ".job-type",
                "salary": ".pay",
                "department": ".team",
                "description": "div.job-description",
                "apply": "a.apply",
            },
        },
        {
            "kind": "pages",
            "url": f"{INITECH}/careers/initech/board",
            "base_url": base_url,
            "company": "Initech",
            "render": True,
            "job_link": "#jobs li.job a",
            "fields": {
                "title": "h1.title",
                "location": "p.location",
                "date": "time.posted",
                "employment_type": "p.type",
                "description": "div.description",
            },
        },
    ]

"""
Personio XML feed shape: `/xml` (any `language`), on a path prefix `/personio/{board}`.

A real careers page is its own host (`{board}.jobs.personio.de`); the demo server has one host for
every family, so each recorded feed answers under `/personio/{board}` and its sources entry points
`base_url` there. The recorded file is the whole feed, served as it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crawler.demo.sites import Answer, SiteRequest, boards, read_board

_FEED = re.compile(r"^/personio/([^/]+)/xml/?$")
_XML_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


def answer(request: SiteRequest, data: Path) -> Answer | None:
    match = _FEED.match(request.path)
    body = read_board(data, "personio", match[1], ".xml") if match else None
    return None if body is None else (200, _XML_HEADERS, body)


def sources(data: Path, base_url: str) -> list[dict[str, Any]]:
    return [
        {"kind": "personio", "board": board, "base_url": f"{base_url}/personio/{board}"}
        for board in boards(data, "personio", ".xml")
    ]

"""
Recruitee Careers Site API shape: `/api/offers/`, on a path prefix `/recruitee/{board}`.

A real careers site is its own host (`{board}.recruitee.com`); the demo server has one host for
every family, so each recorded site answers under `/recruitee/{board}` and its sources entry points
`base_url` there. The recorded file is the whole offers response, served as it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crawler.demo.sites import JSON_HEADERS, Answer, SiteRequest, boards, read_board

_OFFERS = re.compile(r"^/recruitee/([^/]+)/api/offers/?$")


def answer(request: SiteRequest, data: Path) -> Answer | None:
    match = _OFFERS.match(request.path)
    body = read_board(data, "recruitee", match[1]) if match else None
    return None if body is None else (200, JSON_HEADERS, body)


def sources(data: Path, base_url: str) -> list[dict[str, Any]]:
    return [
        {"kind": "recruitee", "board": board, "base_url": f"{base_url}/recruitee/{board}"}
        for board in boards(data, "recruitee")
    ]

"""
Lever Postings API shapes: `/v0/postings/{board}` (with `skip` / `limit`) and `/v0/postings/{board}/{id}`.

The recorded board is the whole postings array; a list request gets the slice that `skip` and
`limit` select, as Lever pages it, so a crawl with small pages walks the board page by page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from crawler.demo.sites import JSON_HEADERS, Answer, SiteRequest, boards, json_answer, read_board

_POSTINGS = re.compile(r"^/v0/postings/([^/]+)/?$")
_POSTING = re.compile(r"^/v0/postings/([^/]+)/([^/]+)/?$")
_NOT_FOUND: Answer = (404, JSON_HEADERS, b'{"ok":false,"error":"Document not found"}')


def answer(request: SiteRequest, data: Path) -> Answer | None:
    if match := _POSTINGS.match(request.path):
        postings = _board(data, match[1])
        if postings is None:
            return None
        skip = max(request.int_arg("skip", 0), 0)
        limit = max(request.int_arg("limit", len(postings)), 0)
        return json_answer(postings[skip : skip + limit])
    if match := _POSTING.match(request.path):
        postings = _board(data, match[1])
        if postings is None:
            return None
        found = [p for p in postings if isinstance(p, dict) and p.get("id") == match[2]]
        return json_answer(found[0]) if found else _NOT_FOUND
    return None


def _board(data: Path, board: str) -> list[Any] | None:
    body = read_board(data, "lever", board)
    return None if body is None else list(json.loads(body))


# Lever's API names no employer: a sources entry gives it, as the demo's do.
COMPANIES = {"spotify": "Spotify", "spotify-hunt": "Spotify"}


def sources(data: Path, base_url: str) -> list[dict[str, Any]]:
    return [
        {"kind": "lever", "board": board, "company": COMPANIES.get(board), "base_url": base_url}
        for board in boards(data, "lever")
    ]

"""
SmartRecruiters Posting API shapes: `/v1/companies/{board}/postings` and `.../postings/{id}`.

A board is `smartrecruiters/{board}.json`, a recorded `postings` response; the list is served a
page at a time with the request's `limit` (at most 100, as the real API) and `offset` applied, and
`totalFound` as recorded, so a recording that holds fewer postings than its `totalFound` makes an
incomplete listing, as it would be. A posting's detail is its listing entry with the fields of
`smartrecruiters/details/{board}.json` (`{id: {"jobAd": ..., "postingUrl": ...}}`) laid over it.
Like the real API, an unknown company answers with an empty listing, and an unknown posting 404.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from crawler.demo.sites import Answer, SiteRequest, boards, json_answer, read_board

FAMILY = "smartrecruiters"
MAX_LIMIT = 100
_LIST = re.compile(r"^/v1/companies/([^/]+)/postings/?$")
_POSTING = re.compile(r"^/v1/companies/([^/]+)/postings/([^/]+)/?$")


def answer(request: SiteRequest, data: Path) -> Answer | None:
    if match := _LIST.match(request.path):
        return json_answer(_page(data, match[1], request))
    if match := _POSTING.match(request.path):
        posting = _posting(data, match[1], match[2])
        if posting is None:
            return json_answer({"message": "Job ad not found"}, status=404)
        return json_answer(posting)
    return None


def _page(data: Path, board: str, request: SiteRequest) -> dict[str, Any]:
    limit = min(max(request.int_arg("limit", MAX_LIMIT), 1), MAX_LIMIT)
    offset = max(request.int_arg("offset", 0), 0)
    recorded = _board(data, board)
    content = recorded.get("content", [])
    return {
        "offset": offset,
        "limit": limit,
        "totalFound": recorded.get("totalFound", len(content)),
        "content": content[offset : offset + limit],
    }


def _board(data: Path, board: str) -> dict[str, Any]:
    body = read_board(data, FAMILY, board)
    return {"totalFound": 0, "content": []} if body is None else dict(json.loads(body))


def _posting(data: Path, board: str, posting_id: str) -> dict[str, Any] | None:
    entry = next(
        (e for e in _board(data, board)["content"] if str(e.get("id")) == posting_id), None
    )
    if entry is None:
        return None
    details = read_board(data / FAMILY, "details", board)
    extra = json.loads(details).get(posting_id, {}) if details is not None else {}
    return {**entry, **extra}


def sources(data: Path, base_url: str) -> list[dict[str, Any]]:
    return [
        {"kind": FAMILY, "board": board, "base_url": base_url} for board in boards(data, FAMILY)
    ]

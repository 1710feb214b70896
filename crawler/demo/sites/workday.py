"""
Workday CXS API shapes: `POST /wday/cxs/{tenant}/{site}/jobs` and `GET /wday/cxs/{tenant}/{site}/job/…`.

A board is `data/workday/{tenant}/{site}.json`: a `jobs` response holding every posting of the board
(`total`, `jobPostings`, and whatever else the recording had, such as `facets`). The list endpoint
serves it the way Workday does: `offset` and `limit` from the JSON body (a `limit` above 20 is
refused with a 400), `total` on the first page only and 0 on later ones. A job's detail response is
`data/workday/{tenant}/{site}/{last segment of its externalPath}.json`, served at
`/wday/cxs/{tenant}/{site}{externalPath}` while the board lists that `externalPath`; anything else is
a 404. The bundled boards are hosted on Workday's `wd5` data centre, which `sources()` assumes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from crawler.demo.sites import JSON_HEADERS, Answer, SiteRequest, json_answer

MAX_LIMIT = 20
_NAME = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
_LIST = re.compile(rf"^/wday/cxs/({_NAME})/({_NAME})/jobs/?$")
_JOB = re.compile(rf"^/wday/cxs/({_NAME})/({_NAME})(/job/.+)$")
_FILE_NAME = re.compile(rf"^{_NAME}$")


def answer(request: SiteRequest, data: Path) -> Answer | None:
    path = unquote(request.path)
    if request.method == "POST" and (match := _LIST.match(path)):
        board = _board(data, match[1], match[2])
        return None if board is None else json_answer(_list_page(board, request.json()))
    if request.method == "GET" and (match := _JOB.match(path)):
        return _detail(data, match[1], match[2], match[3])
    return None


def _board(data: Path, tenant: str, site: str) -> dict[str, Any] | None:
    path = data / "workday" / tenant / f"{site}.json"
    if not path.is_file():
        return None
    board: dict[str, Any] = json.loads(path.read_bytes())
    return board


def _list_page(board: dict[str, Any], query: Any) -> dict[str, Any]:
    """One page of the board, as Workday answers a `jobs` POST; ValueError means a 400."""
    if not isinstance(query, dict):
        raise ValueError("the body is not a JSON object")
    offset, limit = query.get("offset", 0), query.get("limit", MAX_LIMIT)
    if not isinstance(offset, int) or not isinstance(limit, int):
        raise ValueError("offset and limit must be integers")
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"offset must be >= 0 and limit between 1 and {MAX_LIMIT}")
    postings = board.get("jobPostings", [])
    return {
        **board,
        "total": len(postings) if offset == 0 else 0,
        "jobPostings": postings[offset : offset + limit],
    }


def _detail(data: Path, tenant: str, site: str, external_path: str) -> Answer | None:
    board = _board(data, tenant, site)
    listed = board is not None and any(
        isinstance(p, dict) and p.get("externalPath") == external_path
        for p in board.get("jobPostings", [])
    )
    name = external_path.rstrip("/").rsplit("/", 1)[-1]
    path = data / "workday" / tenant / site / f"{name}.json"
    if not listed or not _FILE_NAME.match(name) or not path.is_file():
        return None
    return 200, JSON_HEADERS, path.read_bytes()


def sources(data: Path, base_url: str) -> list[dict[str, Any]]:
    """One entry per recorded board, given as the public careers URL that a user would paste."""
    return [
        {
            "kind": "workday",
            "url": f"https://{board.parent.name}.wd5.myworkdayjobs.com/en-US/{board.stem}",
            "base_url": base_url,
        }
        for board in sorted((data / "workday").glob("*/*.json"))
    ]

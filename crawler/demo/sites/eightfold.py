"""
Eightfold PCSX API shapes: `/api/pcsx/search` and `/api/pcsx/position_details`, keyed on `domain`.

A site is `eightfold/{domain}.json`, a recorded search response; it is served `PAGE_SIZE` positions
at a time from the request's `start`, with `data.count` as recorded, so a recording that holds fewer
positions than its count makes an incomplete listing, as it would be. A position's details are its
search entry with the fields of `eightfold/details/{domain}.json` (`{id: {"jobDescription": ...}}`)
laid over it. An unknown domain or position answers 404.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crawler.demo.sites import Answer, SiteRequest, boards, json_answer, read_board

FAMILY = "eightfold"
PAGE_SIZE = 10
"""Positions per search page: what the live sites return, whatever `num` asks for."""
COMPANIES = {"microsoft.com": "Microsoft", "caci.com": "CACI"}
"""Display names for the demo's sources entries; the API itself does not name the employer."""
_NO_ERROR = {"message": "", "body": ""}


def answer(request: SiteRequest, data: Path) -> Answer | None:
    if request.path not in ("/api/pcsx/search", "/api/pcsx/position_details"):
        return None
    recorded = _site(data, request.arg("domain") or "")
    if recorded is None:
        return None
    body = recorded["data"]
    positions = body.get("positions", [])
    if request.path == "/api/pcsx/search":
        start = max(request.int_arg("start", 0), 0)
        page = {**body, "positions": positions[start : start + PAGE_SIZE]}
        return json_answer({**recorded, "data": page})
    position_id = request.arg("position_id") or ""
    position = next((p for p in positions if str(p.get("id")) == position_id), None)
    if position is None:
        return None
    extra = _details(data, request.arg("domain") or "").get(position_id, {})
    return json_answer({"status": 200, "error": _NO_ERROR, "data": {**position, **extra}})


def _site(data: Path, domain: str) -> dict[str, Any] | None:
    body = read_board(data, FAMILY, domain)
    return None if body is None else dict(json.loads(body))


def _details(data: Path, domain: str) -> dict[str, Any]:
    body = read_board(data / FAMILY, "details", domain)
    return {} if body is None else dict(json.loads(body))


def sources(data: Path, base_url: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for domain in boards(data, FAMILY):
        entry = {"kind": FAMILY, "domain": domain, "base_url": base_url}
        if domain in COMPANIES:
            entry["company"] = COMPANIES[domain]
        entries.append(entry)
    return entries

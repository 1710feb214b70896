"""
Ashby Job Posting API shape: `/posting-api/job-board/{board}`, the whole board in one response.

As on Ashby, each job's `compensation` is there only when the request says `includeCompensation=true`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from crawler.demo.sites import JSON_HEADERS, Answer, SiteRequest, boards, json_answer, read_board

_BOARD = re.compile(r"^/posting-api/job-board/([^/]+)/?$")


def answer(request: SiteRequest, data: Path) -> Answer | None:
    match = _BOARD.match(request.path)
    body = read_board(data, "ashby", match[1]) if match else None
    if body is None:
        return None
    if request.arg("includeCompensation") == "true":
        return 200, JSON_HEADERS, body
    board = json.loads(body)
    for job in board.get("jobs", []):
        if isinstance(job, dict):
            job.pop("compensation", None)
    return json_answer(board)


# Ashby's API names no employer: a sources entry gives it, as the demo's do.
COMPANIES = {"ramp": "Ramp", "linear": "Linear"}


def sources(data: Path, base_url: str) -> list[dict[str, Any]]:
    return [
        {"kind": "ashby", "board": board, "company": COMPANIES.get(board), "base_url": base_url}
        for board in boards(data, "ashby")
    ]

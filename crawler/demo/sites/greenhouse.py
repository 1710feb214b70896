"""Greenhouse Job Board API shapes: `/v1/boards/{board}/jobs` and `/v1/boards/{board}/jobs/{id}`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from crawler.demo.sites import Answer, SiteRequest, boards, json_answer, read_board

_BOARD = re.compile(r"^/v1/boards/([^/]+)/jobs/?$")
_JOB = re.compile(r"^/v1/boards/([^/]+)/jobs/(\d+)/?$")


def answer(request: SiteRequest, data: Path) -> Answer | None:
    if match := _BOARD.match(request.path):
        body = read_board(data, "greenhouse", match[1])
        return None if body is None else (200, {"Content-Type": "application/json"}, body)
    if match := _JOB.match(request.path):
        body = read_board(data, "greenhouse", match[1])
        if body is not None:
            for job in json.loads(body).get("jobs", []):
                if str(job.get("id")) == match[2]:
                    return json_answer(job)
    return None


def sources(data: Path, base_url: str) -> list[dict[str, Any]]:
    return [
        {"kind": "greenhouse", "board": board, "base_url": base_url}
        for board in boards(data, "greenhouse")
    ]

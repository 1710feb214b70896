"""
Workable widget API shape: `/api/v1/widget/accounts/{board}`, descriptions only with `details=true`.

The recorded file is the account response with details; without `details=true` the jobs are served
without their `description`, as the widget API does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from crawler.demo.sites import Answer, SiteRequest, boards, json_answer, read_board

_ACCOUNT = re.compile(r"^/api/v1/widget/accounts/([^/]+)/?$")


def answer(request: SiteRequest, data: Path) -> Answer | None:
    match = _ACCOUNT.match(request.path)
    body = read_board(data, "workable", match[1]) if match else None
    if body is None:
        return None
    account = json.loads(body)
    if request.arg("details") != "true":
        account["jobs"] = [_without_description(job) for job in account.get("jobs", [])]
    return json_answer(account)


def _without_description(job: Any) -> Any:
    return {k: v for k, v in job.items() if k != "description"} if isinstance(job, dict) else job


def sources(data: Path, base_url: str) -> list[dict[str, Any]]:
    return [
        {"kind": "workable", "board": board, "base_url": base_url}
        for board in boards(data, "workable")
    ]

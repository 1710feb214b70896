"""
How the demo server answers for each source family: one module per family, found by name.

A family module defines

- `answer(request: SiteRequest, data: Path) -> Answer | None`: the reply to a request for one of
  that family's URL shapes, from the recorded files under `data/<family>/`; `None` when the path is
  not one of its shapes (or names no recorded board), so the next family is asked;
- `sources(data: Path, base_url: str) -> list[dict]`: the sources-file entries that crawl the
  recorded boards it serves, for `jobcrawl demo`.

Modules are discovered rather than listed, so adding a family touches no shared file.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

Answer = tuple[int, dict[str, str], bytes]
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


@dataclass(frozen=True)
class SiteRequest:
    """One HTTP request, as the family modules see it."""

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def int_arg(self, name: str, default: int) -> int:
        try:
            return int(self.arg(name) or default)
        except ValueError:
            return default

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


@cache
def family_modules() -> tuple[ModuleType, ...]:
    return tuple(
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    )


def json_answer(value: Any, status: int = 200) -> Answer:
    return status, JSON_HEADERS, json.dumps(value).encode()


def read_board(data: Path, family: str, key: str, suffix: str = ".json") -> bytes | None:
    """The recorded file of one board, or None; a key can never climb out of the data folder."""
    path = data / family / f"{key}{suffix}"
    if "/" in key or key.startswith(".") or not path.is_file():
        return None
    return path.read_bytes()


def boards(data: Path, family: str, suffix: str = ".json") -> list[str]:
    """The recorded boards of a family, by name."""
    return sorted(p.name.removesuffix(suffix) for p in (data / family).glob(f"*{suffix}"))

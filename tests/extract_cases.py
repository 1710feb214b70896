"""Recorded-response cases for the extractors, and a helper to review their current output.

A case is a folder `tests/fixtures/<family>/<case>/` holding `response.*` (the body as recorded),
`meta.json` (url, status, headers, crawled_at, source entry, provenance, and `"page": "detail"` for a
job's detail response) and either `expected.json` (the extractor's output, checked by hand) or
`error.json` (the exception it must raise). The extractor is `spiders.<family>.extract` for listing
responses and `spiders.<family>.extract_detail` for detail responses; both return a `ListingPage`.

    python -m tests.extract_cases greenhouse/datadog [--fields title,salary_min]

prints what the extractor returns now, to compare with `expected.json`. It never writes a file.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse, TextResponse

from crawler.config import parse_source
from crawler.sources import SourceBase
from spiders.base import ListingPage

FIXTURES = Path(__file__).parent / "fixtures"
Extractor = Callable[[TextResponse, SourceBase], ListingPage]


def extractor(family: str, page: str) -> Extractor:
    """`spiders.<family>.extract` (listing pages) or `.extract_detail` (a job's detail page)."""
    module = importlib.import_module(f"spiders.{family}")
    function: Extractor = getattr(module, "extract_detail" if page == "detail" else "extract")
    return function


@dataclass
class Case:
    """One recorded response and what extracting it must give."""

    family: str
    name: str
    folder: Path

    @property
    def id(self) -> str:
        return f"{self.family}/{self.name}"

    @property
    def meta(self) -> dict[str, Any]:
        return json.loads((self.folder / "meta.json").read_text(encoding="utf-8"))

    def response(self) -> TextResponse:
        meta = self.meta
        body_file = next(self.folder.glob("response.*"))
        cls = HtmlResponse if body_file.suffix == ".html" else TextResponse
        return cls(
            url=meta["url"],
            status=meta.get("status", 200),
            headers=meta.get("headers", {}),
            body=body_file.read_bytes(),
            encoding="utf-8",
        )

    def source(self) -> SourceBase:
        return parse_source(self.meta["source"])

    def run(self) -> dict[str, Any]:
        extract = extractor(self.family, self.meta.get("page", "listing"))
        return page_dict(extract(self.response(), self.source()))

    def expected(self) -> dict[str, Any] | None:
        path = self.folder / "expected.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def expected_error(self) -> str | None:
        path = self.folder / "error.json"
        return json.loads(path.read_text(encoding="utf-8"))["error"] if path.exists() else None


def page_dict(page: ListingPage) -> dict[str, Any]:
    return {
        "postings": [dataclasses.asdict(p) for p in page.postings],
        "unreadable_ids": page.unreadable_ids,
        "problems": page.problems,
        "incomplete": page.incomplete,
        "details": [dataclasses.asdict(d) for d in page.details],
    }


def all_cases() -> list[Case]:
    return [
        Case(folder.parent.name, folder.name, folder)
        for folder in sorted(FIXTURES.glob("*/*"))
        if folder.is_dir() and (folder / "meta.json").exists()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Print an extractor's current output for a case.")
    parser.add_argument("case", help="family/case, e.g. greenhouse/datadog")
    parser.add_argument("--fields", help="comma-separated posting fields to show")
    options = parser.parse_args()
    case = next(c for c in all_cases() if c.id == options.case)
    result = case.run()
    if options.fields:
        wanted = options.fields.split(",")
        result["postings"] = [{k: p[k] for k in wanted} for p in result["postings"]]
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()

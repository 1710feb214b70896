"""
What `jobcrawl crawl` shows while it runs: a live table in a terminal, one line per source otherwise.

The live table counts, per source, the responses received (and how many were errors) and the
postings scraped, and marks each source ✓ or ✗ as its listing finishes. Piped or redirected output
(cron, CI, log files) gets plain lines instead, one per source as it finishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from crawler.items import JobPosting, ListingResult
from crawler.sources import SourceBase


@dataclass
class _Row:
    responses: int = 0
    errors: int = 0
    postings: int = 0
    state: str = "running"
    """`running`, then `complete` or `incomplete`."""
    error: str = ""


class LiveProgress:
    """Per-source counters fed by Scrapy signals, drawn as a table that refreshes in place."""

    def __init__(self, sources: list[SourceBase], console: Console) -> None:
        self.rows = {source.label: _Row() for source in sources}
        self.console = console
        self._live: Live | None = None

    def watch(self, crawler: Crawler) -> None:
        """Hear one crawler's responses and items."""
        crawler.signals.connect(self._response, signal=signals.response_received, weak=False)
        crawler.signals.connect(self._item, signal=signals.item_scraped, weak=False)

    def _response(self, response: Response, request: Request, spider: Any) -> None:
        row = self.rows.get(getattr(request.cb_kwargs.get("source"), "label", ""))
        if row is not None:
            row.responses += 1
            row.errors += response.status >= 400

    def _item(self, item: Any) -> None:
        if isinstance(item, JobPosting | ListingResult):
            row = self.rows.get(f"{item.source}:{item.source_key}")
            if row is None:
                return
            if isinstance(item, JobPosting):
                row.postings += 1
            else:
                row.state = "complete" if item.complete else "incomplete"
                row.error = (item.error or "").splitlines()[0] if item.error else ""

    def table(self) -> Table:
        done = sum(1 for row in self.rows.values() if row.state != "running")
        table = Table(title=f"Crawling: {done} of {len(self.rows)} sources done")
        table.add_column("source", overflow="fold", min_width=12)
        for column in ("state", "responses", "errors", "postings"):
            table.add_column(column, justify="left" if column == "state" else "right")
        marks = {"running": "[yellow]…[/]", "complete": "[green]✓[/]", "incomplete": "[red]✗[/]"}
        for label, row in self.rows.items():
            table.add_row(
                label, marks[row.state], str(row.responses), str(row.errors), str(row.postings)
            )
        return table

    def __enter__(self) -> LiveProgress:
        self._live = Live(console=self.console, get_renderable=self.table, refresh_per_second=4)
        self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()

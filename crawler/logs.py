"""
JSON log lines for log shippers: one object per record, on whatever handler Scrapy set up.

Enabled with `JOBCRAWL_LOG_FORMAT = "json"`. `jobcrawl crawl --log-format json` installs the JSON
handler before Scrapy starts, so every line is JSON; under `scrapy crawl ... -s
JOBCRAWL_LOG_FORMAT=json` an extension swaps the formatter of the root logger's handlers once the
crawler starts (Scrapy's first few start-up lines stay text).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class JsonLogFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message"}`, plus `spider` and `exception` when present."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        spider = getattr(record, "spider", None)
        if spider is not None:
            line["spider"] = getattr(spider, "name", str(spider))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def install_json_logging(settings: Any) -> None:
    """A root handler writing JSON lines (to `LOG_FILE` or stderr) at `LOG_LEVEL`, before Scrapy logs."""
    log_file = settings.get("LOG_FILE")
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler()
    )
    handler.setFormatter(JsonLogFormatter())
    handler.setLevel(settings.get("LOG_LEVEL") or "DEBUG")
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


class JsonLogs:
    """The extension: JSON on every root handler when `JOBCRAWL_LOG_FORMAT` is `json`."""

    def __init__(self) -> None:
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonLogFormatter())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        log_format = crawler.settings.get("JOBCRAWL_LOG_FORMAT", "text")
        if log_format not in ("text", "json"):
            raise NotConfigured(f"JOBCRAWL_LOG_FORMAT: {log_format!r} is neither text nor json")
        if log_format != "json":
            raise NotConfigured
        return cls()

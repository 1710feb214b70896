"""
Writers that stream schema records to a file: JSON Lines, a JSON array, CSV and JSON Feed 1.1.

Each takes an iterator of records (`Store.iter_jobs`) and writes as it reads, so an export of a
million jobs holds one record in memory at a time. `PostingFeedExporter` keeps Scrapy's own feed
exports to postings.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, Literal, TextIO

from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter, ItemFilter

from crawler.items import JobPosting

ExportFormat = Literal["jsonl", "json", "csv"]
CSV_COLUMNS = [name for name in JobPosting.model_fields if name not in {"salary", "locations"}] + [
    "locations",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "salary_raw",
]


def _json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(_json(record) + "\n")
        count += 1
    return count


def write_json(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    out.write("[")
    for record in records:
        out.write(("\n" if count == 0 else ",\n") + _json(record))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """A flat row: lists joined with "; ", locations as "city, region, country", salary spread out."""
    row = {name: record.get(name) for name in CSV_COLUMNS if name in record}
    row["employment_type"] = "; ".join(record.get("employment_type") or [])
    row["locations"] = "; ".join(
        ", ".join(part for part in (loc.get("city"), loc.get("region"), loc.get("country")) if part)
        for loc in record.get("locations") or []
    )
    salary = record.get("salary") or {}
    for part in ("min", "max", "currency", "period", "raw"):
        row[f"salary_{part}"] = salary.get(part)
    return row


def write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(csv_row(record))
        count += 1
    return count


def write_export(records: Iterable[dict[str, Any]], out: TextIO, fmt: ExportFormat) -> int:
    writers = {"jsonl": write_jsonl, "json": write_json, "csv": write_csv}
    return writers[fmt](records, out)


def write_json_feed(
    records: Iterable[dict[str, Any]], out: TextIO, *, title: str, feed_url: str | None = None
) -> int:
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1), one item per posting."""
    head: dict[str, Any] = {"version": "https://jsonfeed.org/version/1.1", "title": title}
    if feed_url:
        head["feed_url"] = feed_url
    out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "items": [')
    count = 0
    for record in records:
        out.write(("\n" if count == 0 else ",\n") + _json(feed_item(record)))
        count += 1
    out.write("\n]}\n")
    return count


def feed_item(record: dict[str, Any]) -> dict[str, Any]:
    """One JSON Feed item; the full schema record rides along under `_jobcrawl`."""
    item: dict[str, Any] = {
        "id": record["id"],
        "url": record["url"],
        "title": " · ".join(part for part in (record["title"], record.get("company")) if part),
        "content_html": record.get("description_html") or "",
        "tags": [
            *(record.get("employment_type") or []),
            *(skill["name"] for skill in record.get("skills") or []),
        ],
        "_jobcrawl": record,
    }
    if record.get("description_text"):
        item["summary"] = record["description_text"][:280]
    if record.get("date_posted"):
        item["date_published"] = f"{record['date_posted']}T00:00:00Z"
    if record.get("last_seen"):
        item["date_modified"] = record["last_seen"]
    if record.get("apply_url"):
        item["external_url"] = record["apply_url"]
    return item


class PostingFeedExporter(FeedExporter):
    """
    Scrapy's feed exports (`scrapy crawl lever -a board=x -O jobs.jsonl`) with postings only.

    Spiders also yield bookkeeping items (`ListingResult`, `JobGone`) that the pipelines need; a feed
    that names no `item_classes` of its own gets `JobPosting` only, so it holds the schema's records
    and nothing else. Replaces Scrapy's `FeedExporter` in `EXTENSIONS`.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        for uri, options in self.feeds.items():
            if not options.get("item_classes") and "item_filter" not in options:
                options["item_classes"] = [JobPosting]
                self.filters[uri] = ItemFilter(options)

"""The `jobcrawl` command end to end, in subprocesses (a reactor starts once per process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from crawler.demo.server import CareerSiteServer
from crawler.sources import SOURCE_KINDS

ROOT = Path(__file__).parent.parent
SCHEMA = json.loads((ROOT / "docs" / "schema.json").read_text(encoding="utf-8"))
pytestmark = pytest.mark.e2e


def jobcrawl(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def validate_jsonl(path: Path) -> list[dict[str, object]]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for record in records:
        validator.validate(record)
    return records


def test_crawl_recrawl_change_export(
    career_site: CareerSiteServer, site_data: Path, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        f"  - {{kind: greenhouse, board: vercel, base_url: '{career_site.url}'}}\n"
        f"  - {{kind: greenhouse, board: databricks, base_url: '{career_site.url}'}}\n"
    )
    db = tmp_path / "jobs.db"

    first = jobcrawl("crawl", "--sources", str(sources), "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert "✓ greenhouse:vercel  2 jobs (2 new, 0 updated, 0 closed)" in first.stderr
    assert "Run 1: ok" in first.stdout

    again = jobcrawl("crawl", "--sources", str(sources), "--db", str(db), "--quiet")
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""

    board_file = site_data / "greenhouse" / "vercel.json"
    board = json.loads(board_file.read_text())
    board["jobs"][1]["title"] = "Account Executive, Majors (EMEA)"
    board_file.write_text(json.dumps(board))
    third = jobcrawl("crawl", "--sources", str(sources), "--db", str(db))
    assert third.returncode == 0, third.stderr
    assert "✓ greenhouse:vercel  2 jobs (0 new, 1 updated, 0 closed)" in third.stderr

    out = tmp_path / "jobs.jsonl"
    exported = jobcrawl("export", "--db", str(db), "--output", str(out))
    assert exported.returncode == 0, exported.stderr
    records = validate_jsonl(out)
    assert len(records) == len({r["id"] for r in records}) == 4
    changed = next(r for r in records if r["source_id"] == "5999792004")
    assert changed["title"] == "Account Executive, Majors (EMEA)"

    show = jobcrawl("show", "greenhouse:vercel:5999792004", "--db", str(db), "--versions")
    assert "version 2" in show.stdout
    assert "title" in show.stdout.split("version 2", 1)[1]


def test_crawl_reports_failures_and_bad_entries(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        f"  - {{kind: greenhouse, board: vercel, base_url: '{career_site.url}'}}\n"
        f"  - {{kind: greenhouse, board: missing, base_url: '{career_site.url}'}}\n"
        "  - {kind: greenhouse, board: typo, bord: x}\n"
    )
    result = jobcrawl("crawl", "--sources", str(sources), "--db", str(tmp_path / "j.db"))
    assert result.returncode == 1
    assert f"jobcrawl: error: {sources}: entry 3 (greenhouse typo): bord: unknown field" in (
        result.stderr
    )
    assert "✗ greenhouse:missing" in result.stderr
    assert "HTTP 404" in result.stderr
    assert "Traceback" not in result.stderr
    assert "✓ greenhouse:vercel" in result.stderr


# Families with no recorded board in the demo yet (each family adds its own as it lands).
UNRECORDED_FAMILIES = {
    "lever",
    "ashby",
    "smartrecruiters",
    "workable",
    "recruitee",
    "personio",
    "eightfold",
}


def test_demo(tmp_path: Path) -> None:
    result = jobcrawl("demo", "--dir", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    records = validate_jsonl(tmp_path / "demo" / "jobs.jsonl")
    assert f"{len(records)} postings stored." in result.stdout
    entries = yaml.safe_load((tmp_path / "demo" / "sources.yaml").read_text())["sources"]
    families = {entry["kind"] for entry in entries}
    assert families == set(SOURCE_KINDS)
    assert {r["source"] for r in records} == families
    assert {"vercel", "datadog", "databricks"} <= {r["source_key"] for r in records}
    feed = json.loads((tmp_path / "demo" / "feed.json").read_text())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert len(feed["items"]) == len(records)


def test_scrapy_crawl_works_from_the_repository_root(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "scrapy.db"
    result = subprocess.run(
        [
            sys.executable, "-m", "scrapy", "crawl", "greenhouse",
            "-a", "board=vercel", "-a", f"base_url={career_site.url}",
            "-s", f"JOBCRAWL_DB={db}", "-s", "LOG_LEVEL=INFO",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "'item_scraped_count': 3" in result.stderr  # 2 postings + 1 listing result
    listed = jobcrawl("jobs", "--db", str(db), "--json")
    assert len(listed.stdout.splitlines()) == 2


def test_scrapy_feed_export_holds_schema_records_only(
    career_site: CareerSiteServer, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    result = subprocess.run(
        [
            sys.executable, "-m", "scrapy", "crawl", "lever",
            "-a", "board=spotify", "-a", f"base_url={career_site.url}",
            "-s", f"JOBCRAWL_DB={tmp_path / 'feed.db'}", "-O", str(out),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    records = validate_jsonl(out)
    assert len(records) == 3
    assert {record["source"] for record in records} == {"lever"}


def test_json_log_lines(career_site: CareerSiteServer, tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"sources:\n  - {{kind: greenhouse, board: vercel, base_url: '{career_site.url}'}}\n"
    )
    result = jobcrawl(
        "crawl", "--sources", str(sources), "--db", str(tmp_path / "j.db"),
        "--log-format", "json", "--verbose",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    logged = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert any(line["logger"] == "scrapy.core.engine" for line in logged)
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in logged)
    assert not [line for line in result.stderr.splitlines() if line.startswith("INFO ")]

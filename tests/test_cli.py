"""The read-only commands through typer's runner; crawl and demo run in subprocesses (test_e2e)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crawler.cli import app
from crawler.items import JobPosting, Location, Salary, Skill
from crawler.sources import SOURCE_KINDS
from crawler.store import SQLiteStore

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def filled(store: SQLiteStore, db_path: Path) -> Path:
    for number, (title, company, remote) in enumerate(
        [
            ("Python Engineer", "Acme", "remote"),
            ("Staff Nurse", "St. Mary's Clinic", "onsite"),
            ("Data Engineer", "Acme", "hybrid"),
        ],
        start=1,
    ):
        store.upsert_posting(
            JobPosting(
                id=f"greenhouse:acme:{number}",
                source="greenhouse",
                source_key="acme",
                source_id=str(number),
                url=f"https://example.org/jobs/{number}",
                title=title,
                company=company,
                remote=remote,  # type: ignore[arg-type]
                locations=[Location(city="München", country="DE")],
                salary=Salary(min=50000, max=70000, currency="EUR", period="YEAR", raw="50-70k"),
                employment_type=["FULL_TIME", "PART_TIME"],
                description_text=f"{title} wanted. Work with SQL.",
            ),
            seen_at=NOW,
        )
    store.commit()
    return db_path


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_jobs_table(filled: Path) -> None:
    code, output = invoke("jobs", "--db", str(filled))
    assert code == 0
    assert "Python Engineer" in output
    assert "EUR 50,000–70,000/year" in output
    assert "3 of 3 matching jobs" in output


def test_jobs_filters_and_json(filled: Path) -> None:
    code, output = invoke("jobs", "--db", str(filled), "--company", "acme", "--json")
    assert code == 0
    records = [json.loads(line) for line in output.splitlines()]
    assert {r["title"] for r in records} == {"Python Engineer", "Data Engineer"}
    code, output = invoke("jobs", "--db", str(filled), "-q", "nurse", "--json")
    assert [json.loads(line)["title"] for line in output.splitlines()] == ["Staff Nurse"]
    code, output = invoke("jobs", "--db", str(filled), "--remote", "hybrid", "--json")
    assert [json.loads(line)["title"] for line in output.splitlines()] == ["Data Engineer"]


def test_jobs_rejects_bad_choice(filled: Path) -> None:
    code, output = invoke("jobs", "--db", str(filled), "--remote", "sometimes")
    assert code == 2
    assert "--remote" in output


def test_show(filled: Path) -> None:
    code, output = invoke("show", "greenhouse:acme:2", "--db", str(filled), "--versions")
    assert code == 0
    assert "St. Mary's Clinic" in output
    assert "München, DE" in output
    assert "version 1" in output
    code, output = invoke("show", "greenhouse:acme:2", "--db", str(filled), "--json")
    assert json.loads(output)["employment_type"] == ["FULL_TIME", "PART_TIME"]


def test_show_unknown_id_is_one_line_error(filled: Path) -> None:
    result = runner.invoke(app, ["show", "greenhouse:acme:404", "--db", str(filled)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"jobcrawl: error: no job with id 'greenhouse:acme:404' in {filled}"
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_export_formats(filled: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"jobs.{fmt}"
    code, _ = invoke("export", "--db", str(filled), "--format", fmt, "--output", str(out))
    assert code == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "jsonl":
        records = [json.loads(line) for line in text.splitlines()]
    elif fmt == "json":
        records = json.loads(text)
    else:
        records = list(csv.DictReader(io.StringIO(text)))
        assert records[0]["locations"] == "München, DE"
        assert records[0]["salary_currency"] == "EUR"
        assert records[0]["employment_type"] == "FULL_TIME; PART_TIME"
    assert len(records) == 3
    assert {r["id"] for r in records} == {f"greenhouse:acme:{n}" for n in (1, 2, 3)}


def test_export_empty_json_is_valid(db_path: Path, store: SQLiteStore) -> None:
    code, output = invoke("export", "--db", str(db_path), "--format", "json")
    assert code == 0
    assert json.loads(output) == []


def test_schema_command_prints_the_published_schema() -> None:
    code, output = invoke("schema")
    assert code == 0
    assert json.loads(output) == JobPosting.model_json_schema()


KINDS = ", ".join(sorted(SOURCE_KINDS))


def test_crawl_with_bad_sources_file_exits_2(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - kind: nope\n")
    result = runner.invoke(app, ["crawl", "--sources", str(sources), "--db", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"jobcrawl: error: {sources}: entry 1 (nope): kind: unknown kind 'nope' (one of {KINDS})"
    ]


def ids(output: str) -> list[str]:
    return sorted(json.loads(line)["id"] for line in output.splitlines())


def test_skill_seniority_since_and_changed_only_filters(store: SQLiteStore, db_path: Path) -> None:
    python = Skill(name="Python", category="language", score=1.0)
    old, recent = datetime(2026, 11, 1, tzinfo=UTC), datetime.now(UTC)
    for number, (skills, seniority, seen) in enumerate(
        [([python], "senior", old), ([], "junior", recent), ([python], "junior", recent)], start=1
    ):
        store.upsert_posting(
            JobPosting(
                id=f"greenhouse:acme:{number}",
                source="greenhouse",
                source_key="acme",
                source_id=str(number),
                url=f"https://example.org/jobs/{number}",
                title=f"Engineer {number}",
                skills=skills,
                seniority=seniority,  # type: ignore[arg-type]
            ),
            seen_at=seen,
        )
    store.mark_seen(["greenhouse:acme:2"], seen_at=recent)  # seen again, content unchanged
    store.commit()
    db = str(db_path)
    assert ids(invoke("export", "--db", db, "--skill", "PYTHON")[1]) == [
        "greenhouse:acme:1",
        "greenhouse:acme:3",
    ]
    assert ids(invoke("export", "--db", db, "--seniority", "junior")[1]) == [
        "greenhouse:acme:2",
        "greenhouse:acme:3",
    ]
    assert ids(invoke("export", "--db", db, "--since", "7d")[1]) == [
        "greenhouse:acme:2",
        "greenhouse:acme:3",
    ]
    assert ids(invoke("jobs", "--db", db, "--since", "2026-10-01", "--json")[1]) == [
        f"greenhouse:acme:{n}" for n in (1, 2, 3)
    ]
    code, output = invoke("export", "--db", db, "--since", "yesterday")
    assert code == 2
    assert "--since: 'yesterday': expected a duration back from now" in output


def test_changed_only_defaults_to_the_latest_run(store: SQLiteStore, db_path: Path) -> None:
    store.start_run(datetime(2026, 11, 20, tzinfo=UTC))
    for number, seen in (
        (1, datetime(2026, 11, 1, tzinfo=UTC)),
        (2, datetime(2026, 11, 21, tzinfo=UTC)),
    ):
        store.upsert_posting(
            JobPosting(
                id=f"greenhouse:acme:{number}",
                source="greenhouse",
                source_key="acme",
                source_id=str(number),
                url=f"https://example.org/jobs/{number}",
                title="Engineer",
            ),
            seen_at=seen,
        )
    store.mark_seen(["greenhouse:acme:1"], seen_at=datetime(2026, 11, 21, tzinfo=UTC))
    store.commit()
    output = invoke("export", "--db", str(db_path), "--changed-only")[1]
    assert ids(output) == ["greenhouse:acme:2"]  # 1 was only seen again, not changed


def assert_json_feed(document: dict[str, object]) -> list[dict[str, object]]:
    """The JSON Feed 1.1 rules a reader relies on (https://jsonfeed.org/version/1.1)."""
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(document["title"], str)
    assert document["title"]
    items = document["items"]
    assert isinstance(items, list)
    for item in items:
        assert isinstance(item["id"], str)
        assert item["id"]
        assert "content_html" in item or "content_text" in item
        for key in ("date_published", "date_modified"):
            if key in item:
                datetime.fromisoformat(str(item[key]).replace("Z", "+00:00"))
        assert all(isinstance(tag, str) for tag in item.get("tags", []))
    return items


def test_feed_holds_new_and_changed_open_jobs_only(store: SQLiteStore, db_path: Path) -> None:
    old = datetime(2026, 11, 1, tzinfo=UTC)
    store.start_run(datetime(2026, 11, 20, tzinfo=UTC))
    for number, seen in ((1, old), (2, datetime(2026, 11, 21, tzinfo=UTC))):
        store.upsert_posting(
            JobPosting(
                id=f"greenhouse:acme:{number}",
                source="greenhouse",
                source_key="acme",
                source_id=str(number),
                url=f"https://example.org/jobs/{number}",
                title="Engineer",
                company="Acme",
                description_html="<p>Build <b>crawlers</b></p>",
                employment_type=["FULL_TIME"],
                skills=[Skill(name="Python", category="language", score=1.0)],
            ),
            seen_at=seen,
        )
    store.commit()
    code, output = invoke("feed", "--db", str(db_path), "--title", "Acme jobs")
    assert code == 0, output
    items = assert_json_feed(json.loads(output))
    assert [item["id"] for item in items] == ["greenhouse:acme:2"]
    item = items[0]
    assert item["tags"] == ["FULL_TIME", "Python"]
    assert item["content_html"] == "<p>Build <b>crawlers</b></p>"
    assert item["_jobcrawl"]["title"] == "Engineer"  # type: ignore[index]
    code, output = invoke("feed", "--db", str(db_path), "--since", "2026-10-01")
    assert len(assert_json_feed(json.loads(output))) == 2

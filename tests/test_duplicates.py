"""
Duplicate detection wired to the store and the CLI: one job on two sources, and a repost.

A real Spotify posting recorded from Lever is also published on a Greenhouse board (its text
re-encoded the Greenhouse way, with a careers-site title suffix), the way employers that move ATS or
syndicate their jobs do. A `jobcrawl crawl` of both must cluster the two records, pick one canonical
record, and export only that one with `--canonical`.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from crawler.cli import app
from crawler.demo.server import CareerSiteServer
from crawler.duplicates import dedupe_settings, refresh_duplicates, snapshot_path
from crawler.items import JobPosting
from crawler.store import JobQuery, SQLiteStore
from spiders.lever import description_html
from tests.conftest import NOW
from tests.test_dedupe_table import synthetic

ROOT = Path(__file__).parent.parent
runner = CliRunner(env={"COLUMNS": "200"})


def lever_postings(site_data: Path) -> list[dict[str, Any]]:
    postings: list[dict[str, Any]] = json.loads(
        (site_data / "lever" / "spotify.json").read_text(encoding="utf-8")
    )
    return postings


def greenhouse_copy(posting: dict[str, Any], job_id: int) -> dict[str, Any]:
    """The Lever posting as the Greenhouse Job Board API would carry it."""
    return {
        "id": job_id,
        "title": f"{posting['text']} (London)",
        "absolute_url": f"https://boards.greenhouse.io/spotify/jobs/{job_id}",
        "company_name": "Spotify AB",
        "location": {"name": "London, United Kingdom"},
        "updated_at": "2026-11-20T10:00:00-05:00",
        "first_published": "2026-11-18T10:00:00-05:00",
        "content": html.escape(description_html(posting) or ""),
        "offices": [],
        "departments": [{"name": posting["categories"]["department"]}],
        "metadata": [],
    }


def test_one_job_on_two_sources_is_one_cluster_with_one_canonical_record(
    career_site: CareerSiteServer, site_data: Path, tmp_path: Path
) -> None:
    first = lever_postings(site_data)[0]
    board = {"jobs": [greenhouse_copy(first, 4242)], "meta": {"total": 1}}
    (site_data / "greenhouse" / "spotify.json").write_text(json.dumps(board), encoding="utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n"
        f"  - {{kind: lever, board: spotify, company: Spotify, base_url: '{career_site.url}'}}\n"
        f"  - {{kind: greenhouse, board: spotify, base_url: '{career_site.url}'}}\n"
    )
    db = tmp_path / "jobs.db"
    crawl = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--sources", str(sources), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert crawl.returncode == 0, crawl.stderr

    listed = runner.invoke(app, ["dupes", "--db", str(db), "--json"])
    assert listed.exit_code == 0, listed.output
    clusters = [json.loads(line) for line in listed.output.splitlines()]
    assert len(clusters) == 1
    members = {member["id"] for member in clusters[0]["members"]}
    assert members == {f"lever:spotify:{first['id']}", "greenhouse:spotify:4242"}

    exported = runner.invoke(app, ["export", "--db", str(db), "--canonical"])
    records = [json.loads(line) for line in exported.output.splitlines()]
    assert len(records) == 3  # Lever's three postings; the Greenhouse copy is left out
    assert clusters[0]["canonical"] in {record["id"] for record in records}
    everything = runner.invoke(app, ["export", "--db", str(db)])
    assert len(everything.output.splitlines()) == 4

    shown = runner.invoke(app, ["dupes", "greenhouse:spotify:4242", "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert "duplicate" in shown.output


def posting(source_id: str, title: str, text: str, **values: Any) -> JobPosting:
    return JobPosting(
        id=f"greenhouse:acme:{source_id}",
        source="greenhouse",
        source_key="acme",
        source_id=source_id,
        url=f"https://example.com/{source_id}",
        title=title,
        company="Acme",
        description_text=text,
        **values,
    )


def test_a_repost_points_at_its_predecessor_and_marks_are_stable(store: SQLiteStore) -> None:
    text = " ".join(f"word{n} builds crawlers with python and scrapy" for n in range(40))
    store.upsert_posting(posting("1", "Data Engineer", text), seen_at=NOW)
    store.upsert_posting(
        posting("2", "Data Engineer", text + " apply now"), seen_at=NOW + timedelta(days=30)
    )
    store.upsert_posting(posting("3", "Office Manager", "greets visitors " * 30), seen_at=NOW)
    store.commit()
    report = refresh_duplicates(store)
    assert report.reposts == 1
    repost = store.get_job("greenhouse:acme:2")
    assert repost is not None
    assert repost.repost_of == "greenhouse:acme:1"
    assert {job.cluster_id is not None for job in store.iter_postings(JobQuery())} == {True}
    assert refresh_duplicates(store).changed == 0  # nothing moved: nothing rewritten


def test_thresholds_come_from_settings() -> None:
    tuned = dedupe_settings(
        {"JOBCRAWL_DEDUPE_TITLE_MIN": "95", "JOBCRAWL_DEDUPE_DESCRIPTION_MIN": 0.4}
    )
    assert (tuned.title_min, tuned.description_min, tuned.lsh_threshold) == (95.0, 0.4, 0.4)
    assert dedupe_settings({}).title_min == 90.0


def marks(store: SQLiteStore) -> dict[str, tuple[str | None, str | None, str | None]]:
    return {
        job.id: (job.repost_of, job.duplicate_of, job.cluster_id)
        for job in store.iter_postings(JobQuery())
    }


def test_a_pass_with_a_snapshot_reads_only_the_changed_jobs_and_equals_a_full_pass(
    store: SQLiteStore, tmp_path: Path
) -> None:
    postings = synthetic(160, seed=21)
    first, later = postings[:130], postings[130:]
    for job in first:
        store.upsert_posting(job, seen_at=NOW)
    store.commit()
    snapshot = tmp_path / "jobs.db.dedupe"
    assert refresh_duplicates(store, snapshot=snapshot).read == len(first)
    assert snapshot.exists()

    edited = [
        job.model_copy(update={"title": "Account Executive", "description_text": None})
        for job in first[::9]
    ]
    for job in [*edited, *later]:
        store.upsert_posting(job, seen_at=NOW + timedelta(days=1))
    store.upsert_posting(first[1], seen_at=NOW + timedelta(days=1))  # seen again, unchanged
    store.commit()
    report = refresh_duplicates(store, snapshot=snapshot)
    assert report.read == len(edited) + len(later)
    assert report.changed > 0
    incremental = marks(store)

    full = refresh_duplicates(store)  # no snapshot: every job read and compared
    assert full.read == len(postings)
    assert full.changed == 0
    assert marks(store) == incremental
    assert (full.clusters, full.duplicates, full.reposts) == (
        report.clusters, report.duplicates, report.reposts,
    )  # fmt: skip
    assert full.clusters > 5
    assert refresh_duplicates(store, snapshot=snapshot).read == 0


def test_a_snapshot_of_other_settings_or_unreadable_is_ignored(
    store: SQLiteStore, tmp_path: Path
) -> None:
    for job in synthetic(40, seed=22):
        store.upsert_posting(job, seen_at=NOW)
    store.commit()
    snapshot = tmp_path / "jobs.db.dedupe"
    jobs = refresh_duplicates(store, snapshot=snapshot).jobs
    assert refresh_duplicates(store, snapshot=snapshot).read == 0
    other = dedupe_settings({"JOBCRAWL_DEDUPE_TITLE_MIN": 95})
    assert refresh_duplicates(store, other, snapshot=snapshot).read == jobs
    snapshot.write_bytes(b"not a snapshot")
    assert refresh_duplicates(store, snapshot=snapshot).read == jobs
    assert refresh_duplicates(store, snapshot=snapshot).read == 0


def test_where_the_snapshot_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "jobs.db"
    assert snapshot_path({}, db) == tmp_path / "jobs.db.dedupe"
    assert snapshot_path({}, f"sqlite:///{db}") == tmp_path / "jobs.db.dedupe"
    assert snapshot_path({}, "postgresql://postgres@127.0.0.1/jobs") is None
    assert snapshot_path({"JOBCRAWL_DEDUPE_SNAPSHOT": ""}, db) is None
    chosen = tmp_path / "index.bin"
    assert snapshot_path({"JOBCRAWL_DEDUPE_SNAPSHOT": str(chosen)}, db) == chosen

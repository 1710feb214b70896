"""`jobcrawl runs`: every run and source recorded with requests, statuses and counts, from a real crawl."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy.utils.defer import deferred_f_from_coro_f
from typer.testing import CliRunner

from crawler.cli import app
from crawler.demo.server import CareerSiteServer, Fault
from crawler.health import HISTORY_WINDOW, assess
from crawler.store import SourceTally, close_stores, open_store
from crawler.store.tracking import Alert, TrackingStore
from tests.test_spider_greenhouse import BOARD, run_crawl

runner = CliRunner(env={"COLUMNS": "200"})


@deferred_f_from_coro_f
async def test_requests_and_statuses_are_counted_per_source_with_every_retry(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    career_site.add_fault(BOARD.format("vercel"), Fault(status=503), Fault(status=429))
    await run_crawl(career_site, db_path, ["vercel", "databricks"], JOBCRAWL_RETRY_BACKOFF=0.01)
    [run] = open_store(db_path).list_runs()
    tallies = {tally.source_key: tally for tally in run.sources}
    assert (tallies["vercel"].requests, tallies["vercel"].statuses) == (
        3,
        {"200": 1, "429": 1, "503": 1},
    )
    assert (tallies["databricks"].requests, tallies["databricks"].statuses) == (1, {"200": 1})
    assert all(tally.finished_at for tally in run.sources)
    assert run.status == "ok"
    assert run.seconds is not None
    assert run.seconds >= 0


@deferred_f_from_coro_f
async def test_runs_commands_show_each_run_and_source(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["vercel"])
    career_site.add_fault(BOARD.format("vercel"), *[Fault(status=500)] * 3)
    await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RETRY_BACKOFF=0.01)
    close_stores()

    listed = runner.invoke(app, ["runs", "--db", str(db_path), "--json"])
    assert listed.exit_code == 0, listed.output
    records = [json.loads(line) for line in listed.output.splitlines()]
    assert [(r["id"], r["status"]) for r in records] == [(2, "failed"), (1, "ok")]
    assert records[0]["sources"][0]["statuses"] == {"500": 3}

    table = runner.invoke(app, ["runs", "--db", str(db_path)])
    assert table.exit_code == 0
    assert "failed" in table.output
    assert "ok" in table.output

    shown = runner.invoke(app, ["runs", "show", "2", "--db", str(db_path)])
    assert shown.exit_code == 0, shown.output
    assert "500×3" in shown.output
    assert "incomplete" in shown.output
    assert "HTTP 500" in shown.output

    missing = runner.invoke(app, ["runs", "show", "99", "--db", str(db_path)])
    assert missing.exit_code == 1
    assert "run 99: no such run" in missing.stderr


@deferred_f_from_coro_f
async def test_sources_command_reports_health(
    career_site: CareerSiteServer, db_path: Path, tmp_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["vercel", "databricks"])
    career_site.add_fault(BOARD.format("vercel"), *[Fault(status=500)] * 3)
    await run_crawl(career_site, db_path, ["vercel", "databricks"], JOBCRAWL_RETRY_BACKOFF=0.01)
    career_site.add_fault(BOARD.format("vercel"), *[Fault(status=500)] * 3)
    await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RETRY_BACKOFF=0.01)
    close_stores()
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text(
        "sources:\n  - {kind: lever, board: newco}\n  - {kind: greenhouse, board: vercel}\n"
    )

    result = runner.invoke(
        app, ["sources", "--db", str(db_path), "--sources", str(sources_file), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["source"], r["source_key"], r["health"]) for r in report] == [
        ("lever", "newco", "never crawled"),
        ("greenhouse", "vercel", "failing"),
        ("greenhouse", "databricks", "healthy"),
    ]
    vercel = report[1]
    assert (vercel["bad_listings_in_a_row"], vercel["last_run"], vercel["last_good_run"]) == (
        2,
        3,
        1,
    )
    assert vercel["open_jobs"] == 2
    assert vercel["error"].endswith("HTTP 500")

    table = runner.invoke(app, ["sources", "--db", str(db_path)])
    assert table.exit_code == 0
    assert "failing" in table.output
    assert "healthy" in table.output


def test_assess_tells_suspect_from_failing_and_counts_the_bad_streak() -> None:
    good = SourceTally(
        "greenhouse", "acme", complete=True, seen=40, finished_at="2026-11-20T00:00:00Z"
    )
    short = SourceTally("greenhouse", "acme", seen=3, suspect=True, error="listing holds 3 jobs")
    broken = SourceTally("greenhouse", "acme", error="https://x: HTTP 500")
    suspect = assess("greenhouse", "acme", [(3, short), (2, good)], open_jobs=40)
    assert (suspect.health, suspect.bad_listings_in_a_row, suspect.last_good_run) == (
        "suspect",
        1,
        2,
    )
    assert suspect.last_good_at == "2026-11-20T00:00:00Z"
    failing = assess("greenhouse", "acme", [(4, broken), (3, short), (2, good)], open_jobs=40)
    assert (failing.health, failing.bad_listings_in_a_row) == ("failing", 2)
    assert assess("greenhouse", "acme", [(5, good)], open_jobs=40).health == "healthy"
    assert assess("greenhouse", "acme", [], open_jobs=0).health == "never crawled"


@deferred_f_from_coro_f
async def test_a_source_turning_bad_raises_one_alert_per_bad_spell(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    """Runs: 1 good, 2 and 3 failing (one alert), 4 good (none), 5 failing (a new one)."""
    await run_crawl(career_site, db_path, ["vercel", "databricks"])
    for _ in range(2):
        career_site.add_fault(BOARD.format("vercel"), *[Fault(status=500)] * 3)
        await run_crawl(career_site, db_path, ["vercel", "databricks"], JOBCRAWL_RETRY_BACKOFF=0.01)
    close_stores()
    first = alerts_of_kind(db_path, "source")
    assert [(a.condition_key, a.job_id, a.title, a.headline) for a in first] == [
        ("source:greenhouse:vercel:after-run-1", None, "greenhouse:vercel", "Source failing")
    ]
    assert "In run 2 its listing failed" in first[0].reason
    assert "HTTP 500" in first[0].reason
    assert "last complete in run 1" in first[0].reason
    assert "its 2 open jobs stay open" in first[0].reason

    await run_crawl(career_site, db_path, ["vercel"])
    career_site.add_fault(BOARD.format("vercel"), *[Fault(status=500)] * 3)
    await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RETRY_BACKOFF=0.01)
    close_stores()
    keys = [alert.condition_key for alert in alerts_of_kind(db_path, "source")]
    assert keys == [
        "source:greenhouse:vercel:after-run-4",
        "source:greenhouse:vercel:after-run-1",
    ]

    listed = runner.invoke(app, ["alerts", "--db", str(db_path)])
    assert listed.exit_code == 0, listed.output
    assert "Source failing" in listed.output
    assert "None" not in listed.output


def alerts_of_kind(db_path: Path, kind: str) -> list[Alert]:
    store = open_store(db_path)
    try:
        return [alert for alert in TrackingStore(store).alerts() if alert.kind == kind]
    finally:
        close_stores()


def test_a_bad_spell_is_named_by_the_last_good_listing_or_the_first_crawl() -> None:
    good = SourceTally("greenhouse", "acme", complete=True, seen=40)
    broken = SourceTally("greenhouse", "acme", error="https://x: HTTP 500")
    assert assess("greenhouse", "acme", [(7, broken), (6, good)], 40).episode == "after-run-6"
    assert assess("greenhouse", "acme", [(2, broken), (1, broken)], 0).episode == "from-run-1"
    assert assess("greenhouse", "acme", [(6, good)], 40).episode is None
    # A spell longer than the listings read has no visible start: no name, so no second alert.
    spell = [(run, broken) for run in range(20, 20 - HISTORY_WINDOW, -1)]
    assert assess("greenhouse", "acme", spell, 0).episode is None

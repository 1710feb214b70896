"""
The job lifecycle, end to end: real crawls of recorded boards that change between runs.

Each test edits a board on the local server, crawls again at a later run time and checks the exact
new / updated / unchanged / closed / reopened counts the run recorded, and the jobs' states.
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from scrapy.utils.defer import deferred_f_from_coro_f

from crawler.demo.server import CareerSiteServer, Fault
from crawler.items import JobPosting, ListingResult
from crawler.lifecycle import LifecyclePolicy, expected_lifetime, settle_listing, suspicion
from crawler.store import SourceTally, SQLiteStore
from tests.conftest import NOW
from tests.test_spider_details import JOB, crawl
from tests.test_spider_greenhouse import BOARD, listings, rows, run_crawl

TALLY = "SELECT seen, new, updated, unchanged, closed, reopened, complete, suspect FROM run_sources"


def at(days: int) -> str:
    return (NOW + timedelta(days=days)).isoformat()


class Board:
    """The recorded Vercel board on the local server, editable between crawls."""

    def __init__(self, site_data: Path) -> None:
        self.path = site_data / "greenhouse" / "vercel.json"
        self.original = json.loads(self.path.read_text())

    @property
    def jobs(self) -> list[dict[str, Any]]:
        jobs: list[dict[str, Any]] = json.loads(self.path.read_text())["jobs"]
        return jobs

    def write(self, jobs: list[dict[str, Any]]) -> None:
        self.path.write_text(json.dumps({**self.original, "jobs": jobs}))

    def clone(self, job: dict[str, Any], new_id: int, title: str) -> dict[str, Any]:
        copied = copy.deepcopy(job)
        copied.update(id=new_id, title=title)
        return copied


def tally(db_path: Path, day: int, key: str = "vercel") -> tuple[Any, ...]:
    """The tally recorded for `key` by the run started at NOW + `day` days."""
    [row] = rows(
        db_path,
        f"{TALLY} JOIN runs ON runs.id = run_id WHERE source_key = '{key}'"
        f" AND started_at = '{at(day).replace('+00:00', 'Z')}'",
    )
    return row


def states(db_path: Path) -> list[tuple[Any, ...]]:
    return rows(
        db_path,
        "SELECT source_id, status, close_reason, reopened_at IS NOT NULL FROM jobs"
        " WHERE source_key = 'vercel' ORDER BY source_id",
    )


@deferred_f_from_coro_f
async def test_second_and_third_crawls_count_exactly(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    board = Board(site_data)
    first, second = board.jobs  # 6136160004 and 5999792004
    await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RUN_STARTED=at(0))
    assert tally(db_path, 0) == (2, 2, 0, 0, 0, 0, 1, 0)

    # Day 1: the first job changes its title, the second disappears, a new one appears.
    board.write([{**first, "title": "Account Executive, Strategic"}, board.clone(first, 7, "SDR")])
    await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RUN_STARTED=at(1))
    assert tally(db_path, 1) == (2, 1, 1, 0, 1, 0, 1, 0)
    assert states(db_path) == [
        ("5999792004", "closed", "absent_from_listing", 0),
        ("6136160004", "open", None, 0),
        ("7", "open", None, 0),
    ]

    # Day 2: the original board again: the second job returns, the new one goes.
    board.write([first, second])
    await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RUN_STARTED=at(2))
    assert tally(db_path, 2) == (2, 0, 1, 1, 1, 1, 1, 0)  # the returning job's content is as before
    assert states(db_path) == [
        ("5999792004", "open", None, 1),
        ("6136160004", "open", None, 0),
        ("7", "closed", "absent_from_listing", 0),
    ]
    assert rows(db_path, "SELECT closed_at FROM jobs WHERE source_id = '7'") == [
        (at(2).replace("+00:00", "Z"),)
    ]


@deferred_f_from_coro_f
async def test_failing_or_cut_short_listing_closes_nothing(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["vercel", "databricks"], JOBCRAWL_RUN_STARTED=at(0))
    career_site.add_fault(BOARD.format("vercel"), *[Fault(status=500)] * 3)
    career_site.add_fault(BOARD.format("databricks"), Fault(body=b'{"jobs": [{"id": 1'))
    items, _ = await run_crawl(
        career_site,
        db_path,
        ["vercel", "databricks"],
        JOBCRAWL_RUN_STARTED=at(1),
        JOBCRAWL_RETRY_BACKOFF=0.01,
    )
    assert not any(listing.complete for listing in listings(items).values())
    assert rows(db_path, "SELECT DISTINCT status FROM jobs") == [("open",)]
    assert tally(db_path, 1)[4] == tally(db_path, 1, "databricks")[4] == 0


@deferred_f_from_coro_f
async def test_suspiciously_short_listing_closes_nothing_until_confirmed(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    board = Board(site_data)
    first, second = board.jobs
    four = [first, second, board.clone(first, 3, "SDR"), board.clone(first, 4, "AE")]
    board.write(four)
    await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RUN_STARTED=at(0))

    board.write([first])
    items, _ = await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RUN_STARTED=at(1))
    listing = listings(items)["vercel"]
    assert not listing.complete
    assert listing.suspect is not None
    assert "holds 1 jobs, under 50% of the 4 of the last complete listing" in listing.suspect
    assert tally(db_path, 1) == (1, 0, 0, 1, 0, 0, 0, 1)
    assert rows(db_path, "SELECT count(*) FROM jobs WHERE status = 'open'") == [(4,)]

    await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RUN_STARTED=at(2))
    assert tally(db_path, 2) == (1, 0, 0, 1, 3, 0, 1, 0)
    assert rows(db_path, "SELECT count(*) FROM jobs WHERE status = 'open'") == [(1,)]


@deferred_f_from_coro_f
async def test_close_after_two_misses(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    board = Board(site_data)
    first = board.jobs[0]
    await run_crawl(career_site, db_path, ["vercel"], JOBCRAWL_RUN_STARTED=at(0))
    board.write([first, board.clone(first, 3, "SDR")])
    for day in (1, 2):
        await run_crawl(
            career_site,
            db_path,
            ["vercel"],
            JOBCRAWL_RUN_STARTED=at(day),
            JOBCRAWL_CLOSE_AFTER_MISSES=2,
        )
    assert [tally(db_path, day)[4] for day in (1, 2)] == [0, 1]
    assert ("5999792004", "closed", "absent_from_listing", 0) in states(db_path)


@deferred_f_from_coro_f
async def test_detail_answering_404_closes_the_job_even_while_listed(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    board = Board(site_data)
    await crawl(career_site, db_path)
    board.write([{**job, "updated_at": "2026-11-01T00:00:00Z"} for job in board.jobs])
    career_site.add_fault(JOB.format("5999792004"), Fault(status=404))
    items, _ = await crawl(career_site, db_path, JOBCRAWL_RUN_STARTED=at(1))
    listing = next(i for i in items if isinstance(i, ListingResult))
    assert listing.complete
    assert listing.closed == 1
    assert states(db_path) == [
        ("5999792004", "closed", "detail_gone", 0),
        ("6136160004", "open", None, 0),
    ]


def posting(source_id: str, **values: Any) -> JobPosting:
    return JobPosting(
        id=f"greenhouse:acme:{source_id}",
        source="greenhouse",
        source_key="acme",
        source_id=source_id,
        url=f"https://example.com/{source_id}",
        title="Engineer",
        **values,
    )


def listing_of(*ids: str, complete: bool = True) -> ListingResult:
    return ListingResult(
        source="greenhouse",
        source_key="acme",
        complete=complete,
        seen_ids=[f"greenhouse:acme:{i}" for i in ids],
    )


def test_expiry_is_stated_or_estimated_and_labelled(store: SQLiteStore) -> None:
    store.upsert_posting(posting("1", valid_through=date(2026, 12, 31)), seen_at=NOW)
    store.upsert_posting(posting("2", date_posted=date(2026, 11, 1)), seen_at=NOW)
    store.upsert_posting(posting("3"), seen_at=NOW)
    settle_listing(store, listing_of("1", "2", "3"), at=NOW, policy=LifecyclePolicy())
    expiry = {
        job.source_id: (job.expires_at, job.expires_at_estimated)
        for job in (store.get_job(f"greenhouse:acme:{i}") for i in "123")
        if job is not None
    }
    assert expiry == {
        "1": (date(2026, 12, 31), False),
        "2": (date(2026, 12, 31), True),  # posted 1 November + 60 days
        "3": (date(2027, 1, 23), True),  # first seen 24 November + 60 days
    }


def test_passed_valid_through_expires_only_jobs_no_listing_showed(store: SQLiteStore) -> None:
    for source_id in ("1", "2"):
        store.upsert_posting(posting(source_id, valid_through=date(2026, 11, 1)), seen_at=NOW)
    later = NOW + timedelta(days=1)
    store.mark_seen(["greenhouse:acme:2"], seen_at=later)
    expired = store.expire_jobs(at=later, unseen_since=later, sources=[("greenhouse", "acme")])
    assert expired == ["greenhouse:acme:1"]
    job = store.get_job("greenhouse:acme:1")
    assert job is not None
    assert (job.status, job.close_reason) == ("closed", "expired")


def test_incomplete_listing_closes_nothing_at_store_level(store: SQLiteStore) -> None:
    store.upsert_posting(posting("1"), seen_at=NOW)
    result = listing_of(complete=False)
    settle_listing(store, result, at=NOW + timedelta(days=1), policy=LifecyclePolicy())
    assert result.closed == 0
    job = store.get_job("greenhouse:acme:1")
    assert job is not None
    assert job.status == "open"


def test_suspicion_rules() -> None:
    complete = SourceTally("greenhouse", "acme", complete=True, seen=10)
    suspect = SourceTally("greenhouse", "acme", complete=False, seen=3, suspect=True)
    three = listing_of("1", "2", "3")
    assert suspicion(three, [], 0.5) is None  # no history: nothing to compare with
    assert suspicion(three, [complete], 0.5) is not None
    assert suspicion(three, [complete], 0.3) is None
    assert suspicion(three, [complete], 0) is None
    assert suspicion(three, [suspect, complete], 0.5) is None  # the same drop twice is real
    assert suspicion(listing_of("1", "2"), [suspect, complete], 0.5) is not None


def test_expected_lifetime_uses_the_sources_history_once_it_has_enough() -> None:
    policy = LifecyclePolicy(lifetime_days=60, min_history=3)
    assert expected_lifetime([10.0, 20.0], policy) == 60
    assert expected_lifetime([10.0, 20.0, 40.0], policy) == 20
    assert expected_lifetime([0.1, 0.2, 0.3], policy) == 1


def test_an_estimate_already_past_is_no_estimate(store: SQLiteStore) -> None:
    store.upsert_posting(posting("old", date_posted=date(2021, 10, 17)), seen_at=NOW)
    settle_listing(store, listing_of("old"), at=NOW, policy=LifecyclePolicy())
    job = store.get_job("greenhouse:acme:old")
    assert job is not None
    assert (job.expires_at, job.expires_at_estimated) == (None, None)

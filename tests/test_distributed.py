"""
Distributed crawling against the real Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432.

The shared accounts are checked step by step first (two "workers" in one test, no Scrapy). Then
real worker processes crawl a local career-site server whose Lever boards are paged five postings at
a time, so each board's pages are parsed by whichever worker takes them: every posting must be stored
once, every listing page fetched once, every listing complete, and the result the same as one
process's crawl. A worker killed mid-run loses nothing: the other takes over its leased requests.
Every test works under its own key prefix, deleted afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import yaml
from typer.testing import CliRunner

from crawler.cli import app
from crawler.demo.server import CareerSiteServer, Fault
from crawler.distributed import PageOutcome, SharedCrawl
from crawler.store import close_stores
from spiders.lever import LeverSpider
from tests.test_store_backends import PG_SERVER, empty_postgres, pg_url

__all__ = ["pg_url"]  # the module-scoped throwaway database fixture

ROOT = Path(__file__).parent.parent
REDIS_URL = "redis://127.0.0.1:6379/0"
BOARDS, POSTINGS, PAGE_SIZE = 6, 23, 5
PAGES = POSTINGS // PAGE_SIZE + 1  # four full pages, then one of three: the last
# A worker process with Lever's small pages (the spider's page size is a class attribute).
LAUNCH = (
    "import sys; from spiders.lever import LeverSpider; LeverSpider.page_size = 5;"
    " from crawler.cli import main; sys.argv = ['jobcrawl', *sys.argv[1:]]; main()"
)
QUICK = [
    "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "JOBCRAWL_DEDUPE=False",
    "-s", "LOG_LEVEL=INFO",
]  # fmt: skip
runner = CliRunner()


@pytest.fixture(scope="module")
def server() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.skip(f"no Redis server answers on 127.0.0.1:6379 ({exc})")
    return client


@pytest.fixture
def prefix(server: redis.Redis) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    name = f"jobcrawl-test-{uuid.uuid4().hex[:10]}"
    yield name
    SharedCrawl(server, name).clear()


@pytest.fixture
def url(pg_url: str) -> Iterator[str]:
    empty_postgres(pg_url)
    yield pg_url
    close_stores()


@pytest.fixture
def boards(tmp_path: Path) -> Path:
    """Lever boards of 23 postings each, cloned from the bundled recording with their own ids."""
    data = tmp_path / "site"
    recorded = json.loads((ROOT / "crawler/demo/data/lever/spotify.json").read_text())
    (data / "lever").mkdir(parents=True)
    for board in range(BOARDS):
        postings = []
        for number in range(POSTINGS):
            posting = dict(recorded[number % len(recorded)])
            posting.update(
                id=f"b{board}-{number}",
                text=f"{posting['text']} #{number}",
                hostedUrl=f"https://jobs.lever.co/board{board}/b{board}-{number}",
            )
            postings.append(posting)
        (data / "lever" / f"board{board}.json").write_text(json.dumps(postings))
    return data


@pytest.fixture
def site(boards: Path) -> Iterator[CareerSiteServer]:
    with CareerSiteServer(boards) as career_site:
        yield career_site


@pytest.fixture
def sources_file(site: CareerSiteServer, tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": site.sources()}))
    return path


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LeverSpider, "page_size", PAGE_SIZE)


def enqueue(sources_file: Path, db: str, prefix: str, *extra: str) -> Any:
    arguments = ["enqueue", "-S", str(sources_file), "--redis", REDIS_URL, "--db", db]
    return runner.invoke(app, [*arguments, "--prefix", prefix, *extra])


def start_worker(db: str, prefix: str, tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    """A `jobcrawl worker` process (its own home, so no user alerts settings apply)."""
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("JOBCRAWL_ALERTS_CONFIG", None)
    command = [sys.executable, "-c", LAUNCH, "worker", "--redis", REDIS_URL, "--db", db]
    return subprocess.Popen(
        [*command, "--prefix", prefix, *QUICK, *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(worker: subprocess.Popen[str]) -> str:
    output, _ = worker.communicate(timeout=300)
    assert worker.returncode == 0, output
    return output


def rows(db: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(db) as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


def listing_requests(site: CareerSiteServer) -> Counter[str]:
    return Counter(path for path in site.requests if path.startswith("/v0/postings/"))


TALLIES = (
    "SELECT source_key, complete, pages, seen, new, updated, unchanged, error FROM run_sources"
    " ORDER BY source_key"
)


# -- the shared accounts, step by step --------------------------------------------------------------


def outcome(*seen: str, new: tuple[str, ...] = (), error: str | None = None) -> PageOutcome:
    return PageOutcome(
        parsed_page=error is None, error=error, seen_ids=list(seen), unchanged_details=0,
        unchanged_postings=0, new_requests=list(new),
    )  # fmt: skip


def test_a_listing_is_complete_when_its_last_request_is_answered_by_any_worker(
    server: redis.Redis, prefix: str, small_pages: None
) -> None:
    from crawler.sources import LeverSource

    source = LeverSource(board="acme")
    first = SharedCrawl(server, prefix, worker_id="first")
    second = SharedCrawl(server, prefix, worker_id="second")
    first.track(source.label, ["page-1"])
    # Worker one parses page 1: it leads to page 2 and one detail request.
    one = first.page_done(source.label, "page-1", outcome("a", "b", new=("page-2", "detail-b")))
    assert (one.counted, one.still_open, one.finished) == (True, 2, False)
    assert one.schedules("page-2")
    assert one.schedules("detail-b")
    # Worker two parses page 2, which lists b again (its detail is scheduled already) and ends.
    two = second.page_done(source.label, "page-2", outcome("b", "c", new=("detail-b",)))
    assert (two.still_open, two.finished, two.schedules("detail-b")) == (1, False, False)
    assert second.open_listings([source.label]) == [source.label]
    # Worker one's answer to the detail request is the last: only that step finishes the listing.
    last = first.page_done(source.label, "detail-b", outcome())
    assert (last.still_open, last.finished) == (0, True)
    result = second.listing_result(source)
    assert (result.complete, result.seen_ids, result.pages, result.error) == (
        True,
        ["a", "b", "c"],
        3,
        None,
    )
    assert first.open_listings([source.label]) == []
    # A page answered again (its first worker died after counting it) changes nothing.
    again = second.page_done(source.label, "page-2", outcome("z", new=("page-9",)))
    assert (again.counted, again.finished, again.schedules("page-9")) == (False, False, True)
    assert second.listing_result(source).seen_ids == ["a", "b", "c"]


def test_a_failed_page_makes_the_listing_incomplete(server: redis.Redis, prefix: str) -> None:
    from crawler.sources import LeverSource

    source = LeverSource(board="acme")
    shared = SharedCrawl(server, prefix)
    shared.track(source.label, ["page-1", "page-x"])
    shared.page_done(source.label, "page-1", outcome("a"))
    done = shared.page_done(source.label, "page-x", outcome(error="http://x: HTTP 500"))
    assert done.finished
    result = shared.listing_result(source)
    assert (result.complete, result.error, result.seen_ids, result.pages) == (
        False,
        "http://x: HTTP 500",
        ["a"],
        1,
    )


def test_leases_of_a_dead_worker_go_back_to_the_queue(server: redis.Redis, prefix: str) -> None:
    alive = SharedCrawl(server, prefix, worker_id="alive", heartbeat=30)
    dead = SharedCrawl(server, prefix, worker_id="dead", heartbeat=30)
    queue = alive.queue_key("lever")
    server.zadd(queue, {b"request-1": -1, b"request-2": 0})
    dead.beat()  # it beat once, then stopped (a killed worker's thread is gone with it)
    alive.join()
    taken = dead.pop(queue)
    assert taken is not None
    assert taken[0] == b"request-1"  # the highest priority first
    assert alive.pending_requests("lever") == 2  # one queued, one leased
    assert alive.recover("lever") == 0  # its owner is alive
    server.delete(f"{prefix}:worker:dead")  # its heartbeat expires
    assert alive.recover("lever") == 1
    assert server.zrange(queue, 0, -1, withscores=True) == [
        (b"request-1", -1.0),
        (b"request-2", 0.0),
    ]
    mine = alive.pop(queue)
    assert mine is not None
    dead.release("lever", mine[1])  # not its lease any more: nothing happens
    assert alive.pending_requests("lever") == 2
    alive.release("lever", mine[1])
    assert alive.pending_requests("lever") == 1
    assert alive.leave()  # the dead one does not count
    assert not server.sismember(f"{prefix}:workers", "alive")


# -- commands -------------------------------------------------------------------------------------


def test_enqueue_refuses_while_a_run_is_going_and_reset_abandons_it(
    sources_file: Path, url: str, prefix: str, small_pages: None
) -> None:
    first = enqueue(sources_file, url, prefix)
    assert first.exit_code == 0, first.output
    assert f"run 1: {BOARDS} requests queued for {BOARDS} sources (lever {BOARDS})" in first.output
    refused = enqueue(sources_file, url, prefix)
    assert refused.exit_code == 1
    assert f"run 1 is still going under '{prefix}': {BOARDS} requests queued, 0 in flight" in (
        refused.output
    )
    reset = enqueue(sources_file, url, prefix, "--reset")
    assert reset.exit_code == 0, reset.output
    assert rows(url, "SELECT id, status FROM runs ORDER BY id") == [
        (1, "interrupted"),
        (2, "running"),
    ]


def test_commands_need_postgresql_and_a_redis(sources_file: Path, tmp_path: Path) -> None:
    sqlite = runner.invoke(app, ["worker", "--db", str(tmp_path / "jobs.db")])
    assert sqlite.exit_code == 2
    assert "a distributed crawl writes to PostgreSQL" in sqlite.output
    no_redis = runner.invoke(
        app, ["enqueue", "-S", str(sources_file), "--redis", "redis://127.0.0.1:9/0"]
    )
    assert no_redis.exit_code == 2
    assert "--redis redis://127.0.0.1:9/0: no Redis answers" in no_redis.output


def test_a_worker_without_a_run_leaves_after_the_idle_timeout(url: str, prefix: str) -> None:
    result = runner.invoke(
        app,
        ["worker", "--redis", REDIS_URL, "--db", url, "--prefix", prefix, "--idle-timeout", "1"],
    )
    assert result.exit_code == 0, result.output
    assert f"no run queued under '{prefix}'" in result.output


# -- worker processes -------------------------------------------------------------------------------


def test_two_workers_store_what_one_process_stores(
    server: redis.Redis,
    site: CareerSiteServer,
    sources_file: Path,
    url: str,
    prefix: str,
    small_pages: None,
    tmp_path: Path,
) -> None:
    assert enqueue(sources_file, url, prefix).exit_code == 0
    workers = [start_worker(url, prefix, tmp_path, "--idle-timeout", "5") for _ in range(2)]
    outputs = [finish(worker) for worker in workers]
    # Every posting once, every listing page fetched once, every listing complete.
    assert rows(url, "SELECT count(*), count(DISTINCT id) FROM jobs") == [(BOARDS * POSTINGS,) * 2]
    assert rows(url, "SELECT count(*), max(version) FROM job_versions") == [(BOARDS * POSTINGS, 1)]
    fetched = listing_requests(site)
    assert len(fetched) == BOARDS * PAGES
    assert set(fetched.values()) == {1}
    assert rows(url, TALLIES) == [
        (f"board{n}", 1, PAGES, POSTINGS, POSTINGS, 0, 0, None) for n in range(BOARDS)
    ]
    assert rows(url, "SELECT status FROM runs") == [("ok",)]
    assert sum("Run 1: ok" in output for output in outputs) == 1  # the last one out finished it
    assert server.zcard(f"{prefix}:lever:requests") == 0
    assert server.hlen(f"{prefix}:lever:requests:leases") == 0
    # One process, one reactor, the same boards, into a second database: the same result.
    single = psycopg.connect(PG_SERVER, autocommit=True)
    name = f"jobcrawl_test_{uuid.uuid4().hex[:12]}"
    single.execute(f'CREATE DATABASE "{name}"')
    alone = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        crawl = subprocess.run(
            [sys.executable, "-c", LAUNCH, "crawl", "-S", str(sources_file), "--db", alone, *QUICK],
            cwd=ROOT,
            env={**os.environ, "HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            check=False,
        )
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
        jobs = "SELECT id, record::text, status, version FROM jobs ORDER BY id"
        assert rows(url, jobs) == rows(alone, jobs)
        assert rows(url, TALLIES) == rows(alone, TALLIES)
    finally:
        single.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        single.close()


def test_a_killed_worker_loses_nothing_and_closes_nothing(
    server: redis.Redis,
    site: CareerSiteServer,
    sources_file: Path,
    url: str,
    prefix: str,
    small_pages: None,
    tmp_path: Path,
) -> None:
    heartbeat = ["-s", "JOBCRAWL_WORKER_HEARTBEAT=2", "--idle-timeout", "10"]
    assert enqueue(sources_file, url, prefix).exit_code == 0
    finish(start_worker(url, prefix, tmp_path, *heartbeat))  # the first run stores every job
    first_run = len(site.requests)
    # The second run: one board's first page hangs, so its worker is surely mid-request when killed.
    site.add_fault("/v0/postings/board0", Fault(delay=60))
    assert enqueue(sources_file, url, prefix).exit_code == 0
    victim = start_worker(url, prefix, tmp_path, *heartbeat)
    owners = f"{prefix}:lever:requests:owners"
    while not any(path.startswith("/v0/postings/board0") for path in site.requests[first_run:]):
        assert victim.poll() is None
        time.sleep(0.1)
    assert server.hlen(owners) >= 1
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    survivor = finish(start_worker(url, prefix, tmp_path, *heartbeat))
    assert "took back" in survivor  # the victim's leased requests, once its heartbeat expired
    hung = f"/v0/postings/board0?mode=json&skip=0&limit={PAGE_SIZE}"
    assert site.requests[first_run:].count(hung) == 2  # the victim's, then the survivor's
    assert rows(url, "SELECT count(*), count(*) FILTER (WHERE status = 'open') FROM jobs") == [
        (BOARDS * POSTINGS, BOARDS * POSTINGS)
    ]
    assert rows(url, "SELECT count(*) FROM job_versions") == [(BOARDS * POSTINGS,)]
    second_run = (
        "SELECT source_key, complete, pages, seen, closed, error FROM run_sources WHERE run_id = 2"
        " ORDER BY source_key"
    )
    assert rows(url, second_run) == [
        (f"board{n}", 1, PAGES, POSTINGS, 0, None) for n in range(BOARDS)
    ]
    assert rows(url, "SELECT id, status FROM runs ORDER BY id") == [(1, "ok"), (2, "ok")]
    assert server.hlen(owners) == 0

"""
The benchmark harness works: its server answers each shape as the spiders expect, a tiny run reports.

Smoke tests only: no figure here is a speed, and none is asserted against a target.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import crawl
import server

from crawler.config import parse_source
from crawler.store import close_stores
from spiders import greenhouse, lever, workday


def _get(url: str, body: bytes | None = None) -> Any:
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[crawl.Server]:
    with crawl.server("bulk", 250, 4, tmp_path_factory.mktemp("bulk")) as site:
        yield site


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[crawl.Server]:
    with crawl.server("pages", 45, 2, tmp_path_factory.mktemp("pages")) as site:
        yield site


def _sources(site: crawl.Server) -> list[Any]:
    entries = json.loads(site.sources.read_text())
    return [parse_source({**entry, "base_url": site.url}) for entry in entries]


def test_bulk_shape_serves_greenhouse_boards_whole(bulk: crawl.Server) -> None:
    sources = [s for s in _sources(bulk) if s.kind == "greenhouse"]
    assert [s.key for s in sources] == ["gh0000", "gh0002"]
    board = _get(f"{bulk.url}/v1/boards/gh0000/jobs?content=true")
    page = greenhouse.parse_board(board, sources[0])
    assert board["meta"]["total"] == len(page.postings) == 63
    assert page.incomplete is None
    assert not page.problems
    assert len({p.source_id for p in page.postings}) == 63
    assert len({p.title for p in page.postings}) == 63
    assert len({p.description_html for p in page.postings}) == 63


def test_bulk_shape_pages_lever_sites_by_skip(bulk: crawl.Server) -> None:
    source = next(s for s in _sources(bulk) if s.kind == "lever")
    assert source.company == "Company lv0001"
    first = lever.parse_postings(_get(f"{bulk.url}/v0/postings/lv0001?skip=0&limit=100"), source)
    assert first.entries == 63  # fewer than the limit: the spider asks for no further page
    assert not first.problems
    assert len({p.source_id for p in first.postings}) == 63


def test_pages_shape_serves_workday_lists_and_details(pages: crawl.Server) -> None:
    source = _sources(pages)[0]
    list_url = f"{pages.url}/wday/cxs/bench0000/External/jobs"
    offsets = [
        workday.parse_list(_get(list_url, json.dumps({"offset": o, "limit": 20}).encode()), source)
        for o in (0, 20)
    ]
    assert offsets[0].total == 23
    assert offsets[1].total == 0
    details = [d for page in offsets for d in page.details]
    assert len(details) == 23
    assert len({d.source_id for d in details}) == 23
    path = workday.detail_path(details[0].url, source)
    posting = workday.parse_job(_get(details[0].url), source, path)
    assert posting.source_id == details[0].source_id
    assert details[0].listed is not None
    assert posting.title == details[0].listed.title
    assert posting.company == "Company bench0000"
    assert posting.description_html


def test_server_answers_robots_unknown_paths_and_its_stats(pages: crawl.Server) -> None:
    with urllib.request.urlopen(f"{pages.url}/robots.txt", timeout=10) as reply:
        assert reply.read() == server.ROBOTS
    with pytest.raises(urllib.error.HTTPError) as error:
        _get(f"{pages.url}/v1/boards/nope/jobs")
    assert error.value.code == 404
    error.value.close()
    before = pages.stats()["requests"]
    assert pages.stats()["requests"] == before + 1


def test_board_sizes_spread_every_posting() -> None:
    assert server.board_sizes(10, 4) == [3, 3, 2, 2]
    assert server.board_sizes(3, 200) == [1, 1, 1]


def test_tiny_run_reports_first_crawl_and_recrawl() -> None:
    measured = crawl.measure("pages", 45, 1, boards=2)
    first, again = measured["first"], measured["recrawl"]
    assert first["status"] == again["status"] == "ok"
    assert first["postings"] == again["postings"] == 45
    assert first["new"] == 45
    assert again["new"] == 0
    # 45 details, two list pages per site, robots.txt; the re-crawl skips every unchanged detail.
    assert first["requests"] == 50
    assert again["requests"] == 5
    for name in ("seconds", "postings_per_s", "requests_per_s", "rss_mb", "dedupe_seconds"):
        assert first[name] > 0


def test_stages_report_microseconds_per_posting() -> None:
    cost = crawl.stages("bulk", 40)
    assert cost["postings"] == 40
    assert all(cost[name] > 0 for name in ("normalise_us", "dedupe_us", "store_us"))


def test_scrapy_bench_figures_come_from_its_final_stats() -> None:
    log = (
        "INFO: Crawled 120 pages (at 7200 pages/min), scraped 0 items (at 0 items/min)\n"
        "INFO: Dumping Scrapy stats:\n{'downloader/request_count': 1530,\n"
        " 'elapsed_time_seconds': 10.2,\n 'response_received_count': 1530,\n}"
    )
    figures = crawl.bench_figures(log)
    assert figures["pages_per_s"] == pytest.approx(150.0)
    with pytest.raises(RuntimeError):
        crawl.bench_figures("no stats")


def test_web_bench_fills_a_store_and_times_every_case(tmp_path: Path) -> None:
    import web

    db = str(tmp_path / "web.db")
    web.fill(db, 120)
    close_stores()
    rows = web.bench_pages(db, 120, repeat=3)
    assert [row[0] for row in rows] == [*web.CASES, "job page"]
    assert all(median > 0 and p95 >= median for _, median, p95, _ in rows)

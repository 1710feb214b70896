"""Real Scrapy crawls of Lever sites served over HTTP on 127.0.0.1, through every pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from crawler.demo.server import CareerSiteServer, Fault
from crawler.demo.sites import SiteRequest
from crawler.demo.sites.lever import answer
from crawler.errors import ConfigError
from crawler.sources import LeverSource
from spiders.lever import LeverSpider
from tests.conftest import crawl_settings
from tests.test_spider_greenhouse import listings, postings, rows

POSTINGS = "/v0/postings/{}"
SPOTIFY_IDS = [
    "890b2c0f-f46f-4a4b-bb73-3a6af6e0edd5",
    "f0b5fa47-bd55-40a6-ae28-d5e873b86bbe",
    "08d82da1-0c72-44d1-91eb-7fa22dee3d39",
]


async def run_crawl(
    server: CareerSiteServer, db_path: Path, boards: list[str], **settings: Any
) -> tuple[list[Any], Crawler]:
    sources = [LeverSource(board=b, base_url=server.url) for b in boards]
    crawler = get_crawler(LeverSpider, crawl_settings(db_path, **settings))
    items: list[Any] = []

    def collect(item: Any) -> None:
        items.append(item)

    crawler.signals.connect(collect, signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(sources=sources)
    return items, crawler


def page_requests(server: CareerSiteServer, board: str) -> list[str]:
    return [r for r in server.requests if r.startswith(POSTINGS.format(board) + "?")]


def page_url(server: CareerSiteServer, board: str, skip: int, limit: int) -> str:
    return f"{server.url}{POSTINGS.format(board)}?mode=json&skip={skip}&limit={limit}"


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """One posting per page, so the three-posting Spotify board takes four requests."""
    monkeypatch.setattr(LeverSpider, "page_size", 1)


@deferred_f_from_coro_f
async def test_crawl_stores_every_posting(career_site: CareerSiteServer, db_path: Path) -> None:
    items, crawler = await run_crawl(career_site, db_path, ["spotify", "spotify-hunt"])
    found = listings(items)
    assert found["spotify"].complete
    assert found["spotify-hunt"].complete
    assert sorted(found["spotify"].seen_ids) == sorted(f"lever:spotify:{i}" for i in SPOTIFY_IDS)
    assert len(postings(items)) == 5
    assert rows(db_path, "SELECT count(*), count(DISTINCT id) FROM jobs") == [(5, 5)]
    job = next(p for p in postings(items) if p.source_id == SPOTIFY_IDS[2])
    assert job.id == f"lever:spotify:{SPOTIFY_IDS[2]}"
    assert job.title == "Analytics Engineer II"
    assert job.url == f"https://jobs.lever.co/spotify/{SPOTIFY_IDS[2]}"
    assert job.apply_url == f"https://jobs.lever.co/spotify/{SPOTIFY_IDS[2]}/apply"
    assert [(p.city, p.country) for p in job.locations] == [("Stockholm", "SE"), ("London", "GB")]
    assert job.remote == "hybrid"
    assert job.employment_type == ["FULL_TIME"]
    assert str(job.date_posted) == "2026-05-13"  # createdAt 1778685832322 (epoch ms)
    assert job.department == "Data and Analytics"
    assert job.description_html is not None
    assert "<h3>Who You Are</h3>" in job.description_html
    assert (
        "You have strong SQL skills and experience with data modelling" in job.sections.requirements
    )
    assert crawler.stats is not None
    assert crawler.stats.get_value("item_dropped_count") is None
    assert rows(db_path, "SELECT status FROM runs") == [("ok",)]
    assert rows(db_path, "SELECT source_key, complete, seen, new FROM run_sources ORDER BY 1") == [
        ("spotify", 1, 3, 3),
        ("spotify-hunt", 1, 2, 2),
    ]


@pytest.mark.parametrize(
    ("page_size", "pages"),
    [
        (100, [(0, 100)]),
        (2, [(0, 2), (2, 2)]),
        (3, [(0, 3), (3, 3)]),  # a full last page is followed by an empty one
        (1, [(0, 1), (1, 1), (2, 1), (3, 1)]),
    ],
)
@deferred_f_from_coro_f
async def test_pagination_is_followed_to_the_end(
    career_site: CareerSiteServer,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    page_size: int,
    pages: list[tuple[int, int]],
) -> None:
    monkeypatch.setattr(LeverSpider, "page_size", page_size)
    items, _ = await run_crawl(career_site, db_path, ["spotify"])
    listing = listings(items)["spotify"]
    assert listing.complete
    assert listing.pages == len(pages)
    assert sorted(listing.seen_ids) == sorted(f"lever:spotify:{i}" for i in SPOTIFY_IDS)
    assert page_requests(career_site, "spotify") == [
        f"/v0/postings/spotify?mode=json&skip={skip}&limit={limit}" for skip, limit in pages
    ]
    assert rows(db_path, "SELECT count(*) FROM jobs") == [(3,)]


@pytest.mark.usefixtures("small_pages")
@deferred_f_from_coro_f
async def test_a_failing_page_makes_the_listing_incomplete_and_closes_nothing(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["spotify"])
    career_site.add_fault(POSTINGS.format("spotify"), Fault(), *[Fault(status=500)] * 3)
    items, _ = await run_crawl(
        career_site, db_path, ["spotify", "spotify-hunt"], JOBCRAWL_RETRY_BACKOFF=0.01
    )
    found = listings(items)
    assert not found["spotify"].complete
    assert found["spotify"].error == f"{page_url(career_site, 'spotify', 1, 1)}: HTTP 500"
    assert found["spotify"].seen_ids == [f"lever:spotify:{SPOTIFY_IDS[0]}"]
    assert found["spotify-hunt"].complete
    assert rows(db_path, "SELECT status, count(*) FROM jobs GROUP BY status") == [("open", 5)]
    assert rows(
        db_path, "SELECT source_key, complete, closed FROM run_sources WHERE run_id = 2"
    ) == [
        ("spotify", 0, 0),
        ("spotify-hunt", 1, 0),
    ]


@pytest.mark.usefixtures("small_pages")
@deferred_f_from_coro_f
async def test_a_complete_listing_closes_the_postings_it_no_longer_holds(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    await run_crawl(career_site, db_path, ["spotify"])
    board_file = site_data / "lever" / "spotify.json"
    board = json.loads(board_file.read_text(encoding="utf-8"))
    board_file.write_text(json.dumps(board[1:]), encoding="utf-8")
    items, _ = await run_crawl(career_site, db_path, ["spotify"])
    assert listings(items)["spotify"].complete
    assert rows(db_path, "SELECT id, status, close_reason FROM jobs WHERE status = 'closed'") == [
        (f"lever:spotify:{SPOTIFY_IDS[0]}", "closed", "absent_from_listing")
    ]


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ([Fault(body=b'[{"id": "890b2c0f", "te')], "unreadable response: Unterminated string"),
        ([Fault(body=b'{"ok": false, "error": "Document not found"}')], "expected a JSON array"),
        ([Fault(truncate=900)] * 3, "ResponseDataLossError"),
        ([Fault(status=404)], "HTTP 404"),
    ],
)
@pytest.mark.usefixtures("small_pages")
@deferred_f_from_coro_f
async def test_a_broken_later_page_makes_the_listing_incomplete(
    career_site: CareerSiteServer, db_path: Path, faults: list[Fault], error: str
) -> None:
    career_site.add_fault(POSTINGS.format("spotify"), Fault(), *faults)
    items, _ = await run_crawl(career_site, db_path, ["spotify", "spotify-hunt"])
    found = listings(items)
    assert not found["spotify"].complete
    assert found["spotify"].error is not None
    assert found["spotify"].error.startswith(page_url(career_site, "spotify", 1, 1))
    assert error in found["spotify"].error
    assert found["spotify-hunt"].complete
    assert rows(db_path, "SELECT source_key, count(*) FROM jobs GROUP BY 1 ORDER BY 1") == [
        ("spotify", 1),
        ("spotify-hunt", 2),
    ]


@pytest.mark.usefixtures("small_pages")
@deferred_f_from_coro_f
async def test_a_server_that_ignores_skip_does_not_loop(
    career_site: CareerSiteServer, site_data: Path, db_path: Path
) -> None:
    board = json.loads((site_data / "lever" / "spotify.json").read_text(encoding="utf-8"))
    first_page = json.dumps(board[:1]).encode()
    career_site.add_fault(POSTINGS.format("spotify"), Fault(), Fault(body=first_page))
    items, _ = await run_crawl(career_site, db_path, ["spotify"])
    listing = listings(items)["spotify"]
    assert not listing.complete
    assert listing.error == (
        f"{page_url(career_site, 'spotify', 1, 1)}: "
        "the page at skip=1 repeats the previous page (skip ignored?)"
    )
    assert len(page_requests(career_site, "spotify")) == 2


@deferred_f_from_coro_f
async def test_retry_after_is_honoured(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.add_fault(
        POSTINGS.format("spotify"), Fault(status=429, headers={"Retry-After": "1"})
    )
    items, crawler = await run_crawl(career_site, db_path, ["spotify"], JOBCRAWL_RETRY_BACKOFF=0.01)
    assert listings(items)["spotify"].complete
    assert len(postings(items)) == 3
    assert crawler.stats is not None
    assert crawler.stats.get_value("jobcrawl/retry/waited_ms") == 1000


@deferred_f_from_coro_f
async def test_unknown_board_is_an_incomplete_listing(
    career_site: CareerSiteServer, db_path: Path
) -> None:
    items, _ = await run_crawl(career_site, db_path, ["no-such-board"])
    listing = listings(items)["no-such-board"]
    assert not listing.complete
    assert listing.error is not None
    assert listing.error.endswith("HTTP 404")


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed(career_site: CareerSiteServer, db_path: Path) -> None:
    career_site.robots_txt = b"User-agent: *\nDisallow: /v0/\n"
    items, _ = await run_crawl(career_site, db_path, ["spotify"])
    listing = listings(items)["spotify"]
    assert not listing.complete
    assert listing.error is not None
    assert "robots.txt" in listing.error
    assert not any(path.startswith("/v0/") for path in career_site.requests)


def test_the_region_picks_the_api_host() -> None:
    def first_url(**arguments: Any) -> str:
        spider = LeverSpider(**arguments)
        return next(iter(spider.listing_requests(spider.sources[0]))).url

    assert first_url(board="acme") == (
        "https://api.lever.co/v0/postings/acme?mode=json&skip=0&limit=100"
    )
    assert first_url(board="acme", region="eu") == (
        "https://api.eu.lever.co/v0/postings/acme?mode=json&skip=0&limit=100"
    )
    assert first_url(board="acme", region="eu", base_url="http://127.0.0.1:9/") == (
        "http://127.0.0.1:9/v0/postings/acme?mode=json&skip=0&limit=100"
    )
    with pytest.raises(ConfigError, match="spider lever: region: "):
        LeverSpider(board="acme", region="us")
    with pytest.raises(ConfigError, match="board: Field required"):
        LeverSpider(region="eu")


def test_the_demo_site_pages_and_answers_single_postings(site_data: Path) -> None:
    def get(path: str, **query: str) -> tuple[int, Any]:
        reply = answer(SiteRequest("GET", path, {k: [v] for k, v in query.items()}), site_data)
        assert reply is not None
        return reply[0], json.loads(reply[2])

    status, page = get("/v0/postings/spotify", mode="json", skip="1", limit="1")
    assert (status, [p["id"] for p in page]) == (200, SPOTIFY_IDS[1:2])
    assert [p["id"] for p in get("/v0/postings/spotify")[1]] == SPOTIFY_IDS
    assert get("/v0/postings/spotify", skip="3", limit="1") == (200, [])
    assert get(f"/v0/postings/spotify/{SPOTIFY_IDS[2]}")[1]["text"] == "Analytics Engineer II"
    assert get("/v0/postings/spotify/no-such-id") == (
        404,
        {"ok": False, "error": "Document not found"},
    )
    assert answer(SiteRequest("GET", "/v0/postings/no-such-board"), site_data) is None

"""
Saved jobs and their alerts end to end: real crawls of a recorded Greenhouse board over HTTP on
127.0.0.1, through every pipeline and the alerts pipeline, delivering to a real SMTP server
(aiosmtpd, STARTTLS and a login) and a local webhook receiver.

The board changes between crawls the way boards do: a job is removed, a deadline moves within three
days, a salary changes, a new posting matches a saved search. The second crawl must raise exactly
those alerts and deliver each once to every channel; the crawls after it raise nothing, and a
delivery that failed is retried once.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from typer.testing import CliRunner

from crawler import settings as project
from crawler.cli import app
from crawler.cli import tracking as tracking_cli
from crawler.demo.server import CareerSiteServer
from crawler.store import open_store
from crawler.store.tracking import TrackingStore
from crawler.tracking import Tracker
from tests.conftest import NOW
from tests.test_alerts import SMTP_PASSWORD, SMTP_USER, SmtpServer, WebhookReceiver, write_config
from tests.test_lifecycle import Board, at
from tests.test_spider_greenhouse import run_crawl

ALERTS_PIPELINES = {**project.ITEM_PIPELINES, "pipelines.alerts.AlertsPipeline": 500}
VERCEL = "greenhouse:vercel:"


@pytest.fixture
def smtp_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    monkeypatch.setenv("JOBCRAWL_SMTP_USERNAME", SMTP_USER)
    monkeypatch.setenv("JOBCRAWL_SMTP_PASSWORD", SMTP_PASSWORD)
    with SmtpServer(tmp_path) as server:
        yield server


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def pay(low: str, high: str) -> list[dict[str, Any]]:
    """Greenhouse's pay-range custom field, as boards with pay transparency send it."""
    return [
        {
            "id": 29446322,
            "name": "Pay Transparency Range",
            "value": {"unit": "USD", "min_value": low, "max_value": high},
            "value_type": "currency_range",
        }
    ]


def clone(job: dict[str, Any], new_id: int, title: str, **fields: Any) -> dict[str, Any]:
    """Another job of the board: its own id, title and URL."""
    copied = copy.deepcopy(job)
    url = f"https://job-boards.greenhouse.io/vercel/jobs/{new_id}"
    copied.update(id=new_id, title=title, absolute_url=url, **fields)
    return copied


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the alerts pipeline logged since the last call."""
    lines = [r.getMessage() for r in caplog.records if r.name == "pipelines.alerts"]
    caplog.clear()
    return lines


async def crawl(server: CareerSiteServer, db_path: Path, config: Path, day: int) -> list[Any]:
    items, _ = await run_crawl(
        server,
        db_path,
        ["vercel"],
        ITEM_PIPELINES=ALERTS_PIPELINES,
        JOBCRAWL_ALERTS_CONFIG=str(config),
        JOBCRAWL_RUN_STARTED=at(day),
    )
    return items


@deferred_f_from_coro_f
async def test_saved_jobs_raise_each_alert_once_in_every_channel(
    career_site: CareerSiteServer,
    site_data: Path,
    db_path: Path,
    tmp_path: Path,
    smtp_server: SmtpServer,
    webhook: WebhookReceiver,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO, logger="pipelines.alerts")
    config = write_config(
        tmp_path,
        {
            "feed": {"path": "alerts.json"},
            "email": smtp_server.channel(),
            "webhook": {"url": webhook.url},
        },
    )
    board = Board(site_data)
    first, second = board.jobs  # 6136160004 and 5999792004
    sdr = clone(first, 3, "Sales Development Representative", application_deadline="2027-01-15")
    engineer = clone(first, 4, "Solutions Engineer")
    board.write([{**first, "metadata": pay("100000.0", "120000.0")}, second, sdr, engineer])
    await crawl(career_site, db_path, config, day=0)
    assert logged(caplog) == ["alerts: 0 raised; nothing to deliver"]
    assert smtp_server.received == []
    assert webhook.paths == []

    # The user saves four jobs an hour later, and a search for architects.
    store = open_store(db_path)
    tracker = Tracker(store)
    for source_id in ("6136160004", "5999792004", "3", "4"):
        tracker.save(VERCEL + source_id, at=NOW.replace(hour=13))
    tracker.add_watch("architect", at=NOW.replace(hour=13), query="architect")

    # Day 1: the salary rises, one job goes, a deadline moves within three days, an architect
    # job appears; the webhook's first answer is an error.
    board.write(
        [
            {**first, "metadata": pay("110000.0", "130000.0")},
            {**sdr, "application_deadline": "2026-11-27"},
            engineer,
            clone(first, 5, "Solutions Architect"),
        ]
    )
    webhook.fail = [500]
    await crawl(career_site, db_path, config, day=1)

    expected = [
        (
            VERCEL + "3",
            "Closes in 2 days",
            "Sales Development Representative · Vercel",
            "Application deadline 2026-11-27, as the posting states it.",
        ),
        (
            VERCEL + "5999792004",
            "Closed",
            "Account Executive, Majors · Vercel",
            "Closed on 2026-11-25: it is no longer in its source's listing.",
        ),
        (
            VERCEL + "6136160004",
            "Salary changed",
            "Account Executive, Commercial · Vercel",
            "salary: USD 100,000–120,000/year → USD 110,000–130,000/year.",
        ),
        (
            VERCEL + "5",
            "New match for 'architect'",
            "Solutions Architect · Vercel",
            "A new posting matches your watch 'architect' (query architect).",
        ),
    ]
    records = TrackingStore(store)
    alerts = list(reversed(records.alerts()))
    assert [(a.job_id, a.headline, a.title, a.reason) for a in alerts] == expected

    # Email: one message per alert, over STARTTLS, logged in with the environment's credentials.
    assert [(m.message["Subject"], m.tls, m.login) for m in smtp_server.received] == [
        (f"[jobcrawl] {headline}: {title}", True, SMTP_USER.encode())
        for _, headline, title, _ in expected
    ]
    # Webhook: the first POST failed, so the deadline alert waits in the outbox.
    assert [body["text"] for body in webhook.bodies] == [
        f"{headline}: {title}\n{reason}\nhttps://job-boards.greenhouse.io/vercel/jobs/{the_id[18:]}"
        for the_id, headline, title, reason in expected[1:]
    ]
    assert [(a.headline, a.deliveries) for a in alerts] == [
        ("Closes in 2 days", {"email": "sent", "feed": "sent", "webhook": "pending"}),
        *[(a.headline, {"email": "sent", "feed": "sent", "webhook": "sent"}) for a in alerts[1:]],
    ]
    feed = json.loads((tmp_path / "alerts.json").read_text(encoding="utf-8"))
    assert [item["title"] for item in feed["items"]] == [
        f"{headline}: {title}" for _, headline, title, _ in reversed(expected)
    ]
    assert SMTP_PASSWORD not in caplog.text
    host = webhook.url.split("/hooks")[0]
    summary = f"email 4 sent; feed 4 sent; webhook 3 sent, 1 pending (webhook {host}: HTTP 500)"
    assert logged(caplog) == [
        f"alerts: 4 raised; {summary}",
        f"alerts: left in the outbox for the next run: {summary}",
    ]

    # Day 2, the same board: nothing new; the waiting webhook delivery goes out, once.
    await crawl(career_site, db_path, config, day=2)
    assert len(records.alerts()) == 4
    assert len(smtp_server.received) == 4
    assert [body["alert"]["headline"] for body in webhook.bodies] == [
        "Closed",
        "Salary changed",
        "New match for 'architect'",
        "Closes in 2 days",
    ]
    assert logged(caplog) == ["alerts: 0 raised; webhook 1 sent"]
    doc = (Path(__file__).parent.parent / "docs" / "alerts.md").read_text(encoding="utf-8")
    assert webhook.bodies[-1] == json.loads(doc.split("```json\n")[1].split("```")[0])

    # Day 3: the deadline is today, still the same condition: no alert, no delivery.
    await crawl(career_site, db_path, config, day=3)
    assert len(records.alerts()) == 4
    assert (len(smtp_server.received), len(webhook.paths)) == (4, 5)
    assert logged(caplog) == ["alerts: 0 raised; nothing to deliver"]

    # What the user sees: every alert delivered everywhere, and the saved jobs as they stand.
    result = CliRunner().invoke(app, ["alerts", "--unread", "--json", "--db", str(db_path)])
    assert [json.loads(line)["deliveries"] for line in result.stdout.splitlines()] == [
        {"email": "sent", "feed": "sent", "webhook": "sent"}
    ] * 4
    monkeypatch.setattr(tracking_cli, "current_time", lambda: datetime.fromisoformat(at(3)))
    result = CliRunner().invoke(app, ["saved", "--json", "--db", str(db_path)])
    assert [
        (record["job_id"], record["closes"], record["salary"])
        for record in map(json.loads, result.stdout.splitlines())
    ] == [
        (VERCEL + "3", "today (2026-11-27)", ""),
        # Published 6 August: 60 days (the default lifetime) ran out before they were last seen,
        # so jobcrawl has no honest estimate for them.
        (VERCEL + "4", "", ""),
        (VERCEL + "6136160004", "", "USD 110,000–130,000/year"),
        (VERCEL + "5999792004", "closed 2026-11-25", ""),
    ]


@deferred_f_from_coro_f
async def test_a_broken_settings_file_costs_the_run_its_alerts_not_the_crawl(
    career_site: CareerSiteServer,
    site_data: Path,
    db_path: Path,
    tmp_path: Path,
    webhook: WebhookReceiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    board = Board(site_data)
    first = board.jobs[0]
    await crawl(career_site, db_path, write_config(tmp_path, {}), day=0)
    Tracker(open_store(db_path)).save(VERCEL + "5999792004", at=NOW.replace(hour=13))
    board.write([first])
    broken = tmp_path / "broken.yaml"
    broken.write_text("channels:\n  webhook: {url: 'hooks.example.com'}\n", encoding="utf-8")
    items = await crawl(career_site, db_path, broken, day=1)
    assert any(getattr(item, "complete", False) for item in items)
    assert f"alerts: none raised this run: {broken}: channels.webhook.url:" in caplog.text
    records = TrackingStore(open_store(db_path))
    assert records.alerts() == []

    # Fixed, the next crawl raises what still holds and delivers it.
    await crawl(career_site, db_path, write_config(tmp_path, {"webhook": {"url": webhook.url}}), 2)
    assert [body["alert"]["headline"] for body in webhook.bodies] == ["Closed"]

"""Shared fixtures: a fixed "now", fresh databases, the local career-site server, crawl helpers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.demo.server import BUNDLED_DATA, CareerSiteServer
from crawler.store import SQLiteStore, close_stores, open_store

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "jobs.db"
    close_stores()


@pytest.fixture
def store(db_path: Path) -> SQLiteStore:
    return open_store(db_path)


@pytest.fixture
def site_data(tmp_path: Path) -> Path:
    """A writable copy of the bundled recorded boards, so a test can change a board between crawls."""
    data = tmp_path / "site"
    shutil.copytree(BUNDLED_DATA, data)
    for path in data.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return data


@pytest.fixture
def career_site(site_data: Path) -> Iterator[CareerSiteServer]:
    with CareerSiteServer(site_data) as server:
        yield server


def crawl_settings(db_path: Path, **extra: Any) -> dict[str, Any]:
    """The project's settings, quick and quiet for a local server, with a fixed run time."""
    from crawler import settings as project

    values = {name: getattr(project, name) for name in dir(project) if name.isupper()}
    values.update(
        {
            "JOBCRAWL_DB": str(db_path),
            "JOBCRAWL_RUN_STARTED": NOW.isoformat(),
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "RETRY_TIMES": 2,
            "LOG_LEVEL": "INFO",
        }
    )
    values.update(extra)
    return values

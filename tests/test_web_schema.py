"""
The JSON API against its own OpenAPI document, with schemathesis: for any input the schema allows
(and many it does not), no answer is a 500 and every answer matches the schema.

The app serves a store with demo-like data: jobs differing in every filtered field, a duplicate, a
closed job, a job id with colons and slashes, a hostile posting, saved jobs, alerts and a run. Each
operation gets a bounded number of generated cases, so the whole run costs seconds.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance

from crawler.items import JobPosting
from crawler.store import SourceTally, SQLiteStore, close_stores, open_store
from crawler.store.tracking import NewAlert, TrackingStore
from crawler.tracking import Tracker
from crawler.web import create_app
from tests.conftest import NOW
from tests.test_web import BASE, HOSTILE, LATER, acme, posting, stock

ODD_ID = "sitemap:jobs.example.com:/careers/42"


@pytest.fixture(scope="module")
def served_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database as a few crawls and a job seeker's week leave it, made once for the module."""
    db = tmp_path_factory.mktemp("schema") / "jobs.db"
    store = open_store(db)
    assert isinstance(store, SQLiteStore)
    run = store.start_run(NOW)
    stock(store)
    store.upsert_posting(posting("evil", **HOSTILE), seen_at=NOW)
    store.upsert_posting(
        JobPosting(
            id=ODD_ID,
            source="sitemap",
            source_key="jobs.example.com",
            source_id="/careers/42",
            url="https://jobs.example.com/careers/42",
            title="Odd Id",
        ),
        seen_at=NOW,
    )
    store.record_source(run, SourceTally("greenhouse", "acme", complete=True, pages=1, seen=7))
    store.record_source(run, SourceTally("lever", "beta", error="HTTP 503"))
    store.finish_run(run, NOW + timedelta(minutes=1), "partial")
    tracker = Tracker(store)
    tracker.track(acme("backend"), "applied", at=LATER, note="via referral")
    tracker.save(acme("evil"), at=LATER)
    tracker.save(ODD_ID, at=LATER)
    TrackingStore(store).raise_alert(
        NewAlert("closed:evil", "closed", acme("evil"), HOSTILE["title"], "<i>Closed</i>",
                 "<script>alert(1)</script>", "javascript:alert(2)"),
        at=LATER,
        channels=["feed"],
    )  # fmt: skip
    store.commit()
    close_stores()
    return db


@pytest.fixture(scope="module")
def app(served_db: Path) -> FastAPI:
    return create_app(served_db, clock=lambda: LATER)


# The document alone, from an app that never opens its database; the cases are sent to `app`.
schema = schemathesis.openapi.from_dict(create_app("unopened.db").openapi())


def needs_currency_and_period(case: Case) -> bool:
    """
    A search with a minimum salary but not both its currency and period: a 422 by the one rule
    between parameters that OpenAPI cannot state (50 is not 50,000: salaries compare like with like).
    """
    given = {name for name, value in (case.query or {}).items() if value not in (None, "")}
    return (
        case.path == "/api/jobs" and "min_salary" in given and not {"currency", "period"} <= given
    )


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_matches_its_schema_and_never_fails(case: Case, app: FastAPI) -> None:
    if needs_currency_and_period(case):
        response = case.call(base_url=BASE, app=app)
        assert response.status_code == 422, response.text
        case.validate_response(response, excluded_checks=[positive_data_acceptance])
    else:
        case.call_and_validate(base_url=BASE, app=app)


@pytest.mark.parametrize("job_id", [ODD_ID, acme("evil"), acme("data"), "lever:beta:data"])
def test_stored_jobs_answer_as_the_schema_says(app: FastAPI, job_id: str) -> None:
    for path, method in (("/api/jobs/{job_id}", "GET"), ("/api/saved/{job_id}", "PUT")):
        case = schema[path][method].Case(path_parameters={"job_id": job_id})
        response = case.call_and_validate(base_url=BASE, app=app)
        assert response.status_code == 200
        body = response.json()
        assert (body["job"]["id"] if method == "GET" else body["job_id"]) == job_id

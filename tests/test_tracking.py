"""Saved jobs and the application journey: the tracker's rules, its records, and its commands."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from crawler.cli import app
from crawler.cli import tracking as tracking_cli
from crawler.errors import ConfigError
from crawler.items import JobPosting, Location, Salary, Skill
from crawler.store import SQLiteStore
from crawler.tracking import (
    TRANSITIONS,
    Tracker,
    TrackingError,
    closes_text,
    due_day,
    parse_offset,
    salary_text,
)
from tests.conftest import NOW

TODAY = NOW.date()
runner = CliRunner(env={"COLUMNS": "200"})


def later(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def posting(source_id: str, **values: Any) -> JobPosting:
    fields: dict[str, Any] = {
        "id": f"greenhouse:acme:{source_id}",
        "source": "greenhouse",
        "source_key": "acme",
        "source_id": source_id,
        "url": f"https://example.com/jobs/{source_id}",
        "title": f"Engineer {source_id}",
        "company": "Acme",
    }
    return JobPosting(**{**fields, **values})


def job_id(source_id: str) -> str:
    return f"greenhouse:acme:{source_id}"


@pytest.fixture
def tracker(store: SQLiteStore) -> Tracker:
    """Three stored jobs: one closing in two days, one closed, one without an end date."""
    store.upsert_posting(
        posting(
            "1",
            title="Backend Engineer",
            valid_through=date(2026, 11, 26),
            salary=Salary(min=90000, max=110000, currency="EUR", period="YEAR"),
            locations=[Location(city="Berlin", country="DE")],
            remote="hybrid",
            employment_type=["FULL_TIME"],
            seniority="senior",
            experience_years_min=5,
            skills=[Skill(name="Python", category="language", score=0.8)],
        ),
        seen_at=NOW,
    )
    store.upsert_posting(
        posting("2", title="Data Engineer", company="Zeta", salary=Salary(min=120000)),
        seen_at=NOW,
    )
    store.upsert_posting(posting("3", title="Analyst", company="Beta"), seen_at=NOW)
    store.close_job(job_id("2"), at=later(2), reason="absent_from_listing")
    store.commit()
    return Tracker(store)


# -- the journey ----------------------------------------------------------------------------------


def test_save_is_idempotent_and_unsave_forgets_the_application(tracker: Tracker) -> None:
    assert tracker.save(job_id("1"), at=later(1), note="referral from Sam") is True
    assert tracker.save(job_id("1"), at=later(2)) is False
    assert [(e.kind, e.text) for e in tracker.history(job_id("1"))] == [
        ("status", "saved"),
        ("note", "referral from Sam"),
    ]
    tracker.unsave(job_id("1"))
    assert tracker.records.saved(job_id("1")) is None
    assert tracker.records.notes(job_id("1")) == []
    with pytest.raises(TrackingError, match=r"greenhouse:acme:1 is not saved \(jobcrawl save"):
        tracker.unsave(job_id("1"))


def test_unknown_job_is_named(tracker: Tracker) -> None:
    with pytest.raises(TrackingError, match="no job with id 'greenhouse:acme:404' in "):
        tracker.save(job_id("404"), at=later(1))


def test_the_whole_journey_with_dates_and_notes(tracker: Tracker) -> None:
    the_id = job_id("1")
    tracker.track(the_id, "applied", at=later(1), on=date(2026, 11, 20), note="via referral")
    tracker.track(the_id, "interviewing", at=later(2), note="phone screen")
    tracker.track(the_id, "interviewing", at=later(3), on=date(2026, 11, 25), note="onsite")
    tracker.track(the_id, "offer", at=later(4), on=date(2026, 11, 28))
    tracker.track(the_id, "accepted", at=later(5), on=date(2026, 11, 29), note="start in January")
    saved = tracker.records.saved(the_id)
    assert saved is not None
    assert (saved.status, saved.status_on) == ("accepted", "2026-11-29")
    assert [(e.day, e.text, e.note) for e in tracker.history(the_id)] == [
        ("2026-11-20", "saved", None),  # tracking an unsaved job saves it on the same day
        ("2026-11-20", "applied", "via referral"),
        ("2026-11-24", "interviewing", "phone screen"),
        ("2026-11-25", "interviewing", "onsite"),
        ("2026-11-28", "offer", None),
        ("2026-11-29", "accepted", "start in January"),
    ]
    with pytest.raises(TrackingError) as raised:
        tracker.track(the_id, "withdrawn", at=later(6))
    assert str(raised.value) == (
        "greenhouse:acme:1: cannot go from accepted to withdrawn (allowed: none: the application"
        " has ended); add --force to record it anyway"
    )


def test_moves_outside_the_journey_need_force(tracker: Tracker) -> None:
    the_id = job_id("3")
    tracker.save(the_id, at=later(1))
    with pytest.raises(
        TrackingError, match=r"from saved to offer \(allowed: applied, interviewing"
    ):
        tracker.track(the_id, "offer", at=later(2))
    assert tracker.records.saved(the_id).status == "saved"  # type: ignore[union-attr]
    change = tracker.track(the_id, "offer", at=later(2), force=True, note="they called me")
    assert (change.status, change.note) == ("offer", "they called me")


def test_an_ended_application_can_start_over(tracker: Tracker) -> None:
    the_id = job_id("3")
    tracker.track(the_id, "applied", at=later(1))
    tracker.track(the_id, "rejected", at=later(2))
    assert TRANSITIONS["rejected"] == ("saved",)
    tracker.track(the_id, "saved", at=later(3), note="reposted, trying again")
    assert [e.text for e in tracker.history(the_id) if e.kind == "status"] == [
        "saved",
        "applied",
        "rejected",
        "saved",
    ]


def test_a_failed_move_on_an_unsaved_job_saves_nothing(tracker: Tracker) -> None:
    with pytest.raises(TrackingError):
        tracker.track(job_id("3"), "accepted", at=later(1))
    assert tracker.records.saved(job_id("3")) is None


# -- notes, reminders, dates ----------------------------------------------------------------------


def test_notes_and_reminders_are_kept_in_order(tracker: Tracker) -> None:
    the_id = job_id("1")
    tracker.note(the_id, "Recruiter: Dana", at=later(1))
    tracker.remind(the_id, date(2026, 11, 27), at=later(2), note="follow up")
    tracker.note(the_id, "  sent portfolio  ", at=later(3))
    assert [(e.kind, e.text, e.note) for e in tracker.history(the_id)] == [
        ("status", "saved", None),
        ("note", "Recruiter: Dana", None),
        ("reminder", "due 2026-11-27", "follow up"),
        ("note", "sent portfolio", None),
    ]
    with pytest.raises(ConfigError, match="the note is empty"):
        tracker.note(the_id, "   ", at=later(4))


@pytest.mark.parametrize(
    ("on", "within", "expected"),
    [
        ("2026-12-01", None, date(2026, 12, 1)),
        (None, "3d", date(2026, 11, 27)),
        (None, "2w", date(2026, 12, 8)),
        (None, "0d", TODAY),
    ],
)
def test_due_day(on: str | None, within: str | None, expected: date) -> None:
    assert due_day(on, within, today=TODAY) == expected


@pytest.mark.parametrize(
    ("on", "within", "message"),
    [
        (None, None, "give either --on DATE or --in SPAN"),
        ("2026-12-01", "3d", "give either --on DATE or --in SPAN"),
        ("next week", None, "--on next week: expected a date like 2026-12-01"),
        (None, "3 months", "--in 3 months: expected days or weeks, like 3d or 2w"),
        ("2026-11-01", None, "--on 2026-11-01: the day has passed"),
    ],
)
def test_due_day_errors_name_the_option(on: str | None, within: str | None, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        due_day(on, within, today=TODAY)
    assert str(raised.value).startswith(message)


def test_offsets() -> None:
    assert parse_offset(" 10D ", "--in") == timedelta(days=10)
    assert parse_offset("1w", "--in") == timedelta(days=7)


# -- the saved list and compare -------------------------------------------------------------------


def test_saved_list_says_when_each_closes_and_sorts(tracker: Tracker, store: SQLiteStore) -> None:
    store.upsert_posting(posting("4", valid_through=date(2026, 11, 20)), seen_at=NOW)
    tracker.save(job_id("4"), at=later(0.5))
    for number in ("3", "2", "1"):
        tracker.save(job_id(number), at=later(int(number)))
    tracker.remind(job_id("3"), date(2026, 11, 30), at=later(4), note=None)
    tracker.remind(job_id("3"), date(2026, 11, 28), at=later(4), note=None)
    views = {view.job_id: view for view in tracker.saved(today=TODAY)}
    assert (views[job_id("1")].closes, views[job_id("1")].days_left) == (
        "in 2 days (2026-11-26)",
        2,
    )
    assert views[job_id("1")].salary == "EUR 90,000–110,000/year"
    assert (views[job_id("2")].closes, views[job_id("2")].days_left) == ("closed 2026-11-24", None)
    assert views[job_id("2")].salary == "from 120,000"
    assert views[job_id("3")].closes == ""
    assert views[job_id("3")].next_reminder == "2026-11-28"
    assert (views[job_id("4")].closes, views[job_id("4")].days_left) == (
        "passed 4 days ago (2026-11-20)",
        -4,
    )

    def order(sort: Any) -> list[str]:
        return [view.job_id[-1] for view in tracker.saved(today=TODAY, sort=sort)]

    # Closing soonest, then passed, then no end date, then closed.
    assert order("closes") == ["1", "4", "3", "2"]
    assert order("salary") == ["2", "1", "3", "4"]
    assert order("title") == ["3", "1", "2", "4"]
    assert order("company") == ["1", "4", "3", "2"]
    assert order("saved") == ["3", "2", "1", "4"]
    assert order("reminder") == ["3", "1", "2", "4"]
    tracker.track(job_id("3"), "applied", at=later(5))
    assert order("status") == ["1", "4", "2", "3"]
    assert [v.job_id for v in tracker.saved(today=TODAY, status="applied")] == [job_id("3")]


def test_estimated_and_passed_closing_days() -> None:
    job = posting("9", expires_at=date(2026, 11, 25), expires_at_estimated=True)
    assert closes_text(job, TODAY) == "tomorrow (2026-11-25 est.)"
    assert closes_text(job, date(2026, 11, 25)) == "today (2026-11-25 est.)"
    assert closes_text(job, date(2026, 11, 28)) == "passed 3 days ago (2026-11-25 est.)"
    stated = posting("9", expires_at=date(2026, 11, 25), expires_at_estimated=False)
    assert closes_text(stated, date(2026, 11, 26)) == "passed yesterday (2026-11-25)"


def test_salary_text() -> None:
    assert salary_text(None) == ""
    assert salary_text(Salary(max=90000, currency="USD", period="YEAR")) == "USD up to 90,000/year"
    assert salary_text(Salary(min=30, max=30, currency="GBP", period="HOUR")) == "GBP 30/hour"


def test_compare_shows_jobs_side_by_side(tracker: Tracker) -> None:
    tracker.track(job_id("1"), "applied", at=later(1))
    rows = tracker.compare([job_id("1"), job_id("2")], today=TODAY)
    assert rows[0] == {
        "id": job_id("1"),
        "title": "Backend Engineer",
        "company": "Acme",
        "application": "applied",
        "salary": "EUR 90,000–110,000/year",
        "locations": "Berlin, DE",
        "remote": "hybrid",
        "employment type": "FULL_TIME",
        "seniority": "senior",
        "experience": "5+ years",
        "key skills": "Python",
        "closes": "in 2 days (2026-11-26)",
    }
    assert (rows[1]["application"], rows[1]["closes"]) == ("not saved", "closed 2026-11-24")
    with pytest.raises(ConfigError, match="compare needs two job ids or more"):
        tracker.compare([job_id("1")], today=TODAY)


# -- watches --------------------------------------------------------------------------------------


def test_watches_are_named_once_and_need_a_criterion(tracker: Tracker) -> None:
    added = tracker.add_watch("berlin", at=later(1), location="Berlin", min_salary=80000)
    assert (added.name, added.location, added.min_salary) == ("berlin", "Berlin", 80000)
    with pytest.raises(TrackingError, match="a watch named 'berlin' exists"):
        tracker.add_watch("berlin", at=later(2), query="python")
    with pytest.raises(ConfigError, match="a watch needs at least one of --query"):
        tracker.add_watch("empty", at=later(2))
    tracker.remove_watch("berlin")
    assert tracker.records.watches() == []
    with pytest.raises(TrackingError, match="no watch named 'berlin'"):
        tracker.remove_watch("berlin")


def test_watch_matches_new_open_postings_by_every_criterion(
    tracker: Tracker, store: SQLiteStore
) -> None:
    watch = tracker.add_watch("py", at=later(1), query="python", location="berlin", remote="remote")
    for number, title, city, remote in [
        ("10", "Python Developer", "Berlin", "remote"),
        ("11", "Python Developer", "Munich", "remote"),
        ("12", "Python Developer", "Berlin", "onsite"),
        ("13", "Go Developer", "Berlin", "remote"),
    ]:
        store.upsert_posting(
            posting(number, title=title, locations=[Location(city=city)], remote=remote),
            seen_at=later(2),
        )
    store.upsert_posting(posting("14", title="Python Developer", remote="remote"), seen_at=NOW)
    store.commit()
    assert tracker.records.watch_matches(watch) == [job_id("10")]
    assert tracker.records.watch_matches(watch, [job_id("11"), job_id("12")]) == []
    rich = tracker.add_watch("rich", at=later(1), min_salary=100000)
    store.upsert_posting(posting("20", salary=Salary(min=90000, max=130000)), seen_at=later(2))
    store.upsert_posting(posting("21", salary=Salary(min=150000)), seen_at=later(2))
    store.upsert_posting(posting("22", salary=Salary(max=95000)), seen_at=later(2))
    store.commit()
    assert tracker.records.watch_matches(rich) == [job_id("20"), job_id("21")]


# -- the commands ---------------------------------------------------------------------------------


@pytest.fixture
def cli(tracker: Tracker, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tracker's database, with the commands' clock fixed at NOW + 1 hour."""
    monkeypatch.setattr(tracking_cli, "current_time", lambda: later(1))
    return db_path


def invoke(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", str(db)])
    return result.exit_code, result.stdout, result.stderr


def test_save_track_history_commands(cli: Path) -> None:
    assert invoke(cli, "save", job_id("1"), "--note", "referral")[:2] == (
        0,
        "Saved greenhouse:acme:1: Backend Engineer\n",
    )
    assert (
        invoke(cli, "save", job_id("1"))[1]
        == "Already saved: greenhouse:acme:1: Backend Engineer\n"
    )
    code, output, _ = invoke(cli, "track", job_id("1"), "--status", "applied", "--on", "2026-11-23")
    assert (code, output) == (0, "greenhouse:acme:1: applied on 2026-11-23\n")
    code, output, _ = invoke(cli, "history", job_id("1"))
    assert code == 0
    lines = [line for line in output.splitlines() if "2026-11-2" in line]
    assert [line.split("│")[1:4] for line in lines] == [
        [" 2026-11-23 ", " applied ", "          "],
        [" 2026-11-24 ", " saved   ", "          "],
        [" 2026-11-24 ", " note    ", " referral "],
    ]
    code, output, _ = invoke(cli, "history", job_id("1"), "--json")
    assert [json.loads(line)["text"] for line in output.splitlines()] == [
        "applied",
        "saved",
        "referral",
    ]


def test_saved_command_table_and_json(cli: Path) -> None:
    invoke(cli, "save", job_id("1"))
    invoke(cli, "save", job_id("2"))
    invoke(cli, "remind", job_id("1"), "--in", "3d", "--note", "call Dana")
    code, output, _ = invoke(cli, "saved")
    assert code == 0
    row = next(line for line in output.splitlines() if "Backend Engineer" in line)
    assert "in 2 days (2026-11-26)" in row
    assert "EUR 90,000–110,000/year" in row
    assert "2026-11-27" in row  # the reminder
    assert "closed 2026-11-24" in output
    assert output.rstrip().endswith("2 saved jobs")
    code, output, _ = invoke(cli, "saved", "--json", "--sort", "salary")
    records = [json.loads(line) for line in output.splitlines()]
    assert [(r["job_id"], r["status"], r["closes"]) for r in records] == [
        (job_id("2"), "saved", "closed 2026-11-24"),
        (job_id("1"), "saved", "in 2 days (2026-11-26)"),
    ]
    assert records[1]["next_reminder"] == "2026-11-27"


def test_note_remind_compare_commands(cli: Path) -> None:
    code, output, _ = invoke(cli, "note", job_id("3"), "Recruiter: Dana")
    assert (code, output) == (0, "Note added to greenhouse:acme:3 at 2026-11-24T13:00:00Z\n")
    code, output, _ = invoke(cli, "remind", job_id("3"), "--on", "2026-12-02")
    assert (code, output) == (0, "Reminder for greenhouse:acme:3 on 2026-12-02\n")
    code, output, _ = invoke(cli, "compare", job_id("1"), job_id("3"))
    assert code == 0
    assert "EUR 90,000–110,000/year" in output
    assert "5+ years" in output
    salary_row = next(line for line in output.splitlines() if line.startswith("│ salary"))
    assert "EUR 90,000–110,000/year" in salary_row
    code, output, _ = invoke(cli, "compare", job_id("1"), job_id("3"), "--json")
    assert [json.loads(line)["application"] for line in output.splitlines()] == [
        "not saved",
        "saved",
    ]


def test_watch_commands(cli: Path) -> None:
    code, output, _ = invoke(
        cli, "watch", "add", "py-berlin", "--query", "python", "--location", "Berlin",
        "--min-salary", "70000",
    )  # fmt: skip
    assert (code, output) == (0, "Watching 'py-berlin'\n")
    code, output, _ = invoke(cli, "watch", "list", "--json")
    assert json.loads(output) == {
        "name": "py-berlin",
        "query": "python",
        "company": None,
        "location": "Berlin",
        "remote": None,
        "min_salary": 70000.0,
        "created_at": "2026-11-24T13:00:00Z",
    }
    code, output, _ = invoke(cli, "watch", "list")
    assert "py-berlin" in output
    assert "70,000" in output
    assert invoke(cli, "watch", "remove", "py-berlin")[:2] == (
        0,
        "No longer watching 'py-berlin'\n",
    )
    code, _, error = invoke(cli, "watch", "remove", "py-berlin")
    assert (code, error) == (1, "jobcrawl: error: no watch named 'py-berlin'\n")


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (
            ["track", "greenhouse:acme:1", "--status", "offer"],
            1,
            "jobcrawl: error: greenhouse:acme:1: cannot go from saved to offer (allowed: applied,"
            " interviewing, withdrawn, closed); add --force to record it anyway\n",
        ),
        (
            ["remind", "greenhouse:acme:1"],
            2,
            "jobcrawl: error: give either --on DATE or --in SPAN (like 3d)\n",
        ),
        (
            ["track", "greenhouse:acme:1", "--status", "applied", "--on", "23/11/2026"],
            2,
            "jobcrawl: error: --on 23/11/2026: expected a date like 2026-12-01\n",
        ),
        (["unsave", "greenhouse:acme:3"], 1, "jobcrawl: error: greenhouse:acme:3 is not saved"),
        (
            ["compare", "greenhouse:acme:1"],
            2,
            "jobcrawl: error: compare needs two job ids or more\n",
        ),
    ],
)
def test_command_errors_are_one_line(cli: Path, args: list[str], code: int, error: str) -> None:
    result = invoke(cli, *args)
    assert result[0] == code
    assert result[2].startswith(error)
    assert len(result[2].splitlines()) == 1


def test_bad_status_choice_is_a_usage_error(cli: Path) -> None:
    code, _, error = invoke(cli, "track", job_id("1"), "--status", "ghosted")
    assert code == 2
    assert "--status" in error

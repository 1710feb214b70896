"""Tests for crawler.normalise.dates: a table of real and constructed strings, and properties."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalise.dates import PostedDate, parse_date, parse_datetime, parse_posted

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DATA = Path(__file__).parent / "data" / "normalise" / "dates.tsv"


def _load_cases() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


CASES = _load_cases()


def _value(cell: str) -> str | int:
    return int(cell.removeprefix("int:")) if cell.startswith("int:") else cell


def _languages(cell: str) -> list[str] | None:
    return cell.split(",") if cell else None


def _day_first(cell: str) -> bool | None:
    return {"": None, "true": True, "false": False}[cell]


def _expected_date(cell: str) -> date | None:
    return None if cell == "-" else date.fromisoformat(cell)


def _expected_datetime(cell: str) -> datetime | None:
    return None if cell == "-" else datetime.fromisoformat(cell)


def _case_id(case: dict[str, str]) -> str:
    return f"{case['value']!r}-{case['languages'] or 'any'}-{case['day_first'] or 'auto'}"


def test_table_has_real_and_constructed_rows() -> None:
    sources = {case["source"] for case in CASES}
    assert "constructed" in sources
    assert len(sources) > 10
    assert len(CASES) >= 80


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_table(case: dict[str, str]) -> None:
    value = _value(case["value"])
    options = {
        "languages": _languages(case["languages"]),
        "day_first": _day_first(case["day_first"]),
    }
    assert parse_datetime(value, now=NOW, **options) == _expected_datetime(case["datetime"])
    assert parse_date(value, now=NOW, **options) == _expected_date(case["date"])
    assert parse_posted(value, now=NOW, **options) == PostedDate(
        _expected_date(case["posted_day"]), _expected_date(case["posted_before"])
    )


def test_datetimes_are_aware_utc() -> None:
    for value in ("2026-09-24T13:34:54-04:00", "2026-09-23", "3 days ago", 1782214185805):
        parsed = parse_datetime(value, now=NOW)
        assert parsed is not None
        assert parsed.utcoffset() == timedelta(0)


def test_naive_now_is_taken_as_utc() -> None:
    assert parse_date("Posted Yesterday", now=NOW.replace(tzinfo=None)) == date(2026, 11, 23)


def test_relative_dates_follow_now_through_the_cache() -> None:
    """dateparser results are cached as offsets or absolute dates, never as a day for one `now`."""
    later = NOW + timedelta(days=40)
    assert parse_date("3 日前", now=NOW, languages=["ja"]) == date(2026, 11, 21)
    assert parse_date("3 日前", now=later, languages=["ja"]) == date(2026, 12, 31)
    assert parse_date("Dec 25", now=NOW, languages=["en"]) == date(2025, 12, 25)
    assert parse_date("Dec 25", now=later, languages=["en"]) == date(2026, 12, 25)
    assert parse_date("Dec 25", now=NOW, languages=["en"]) == date(2025, 12, 25)


def test_bound_is_never_a_precise_day() -> None:
    posted = parse_posted("Posted 30+ Days Ago", now=NOW)
    assert posted.day is None
    assert posted.before == date(2026, 10, 25)


@given(st.one_of(st.none(), st.text(), st.text(max_size=3000), st.binary().map(repr)))
@settings(max_examples=300, deadline=None)
def test_any_text_gives_a_valid_answer(value: str | None) -> None:
    _check_valid(value)


@given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)))
@settings(max_examples=300, deadline=None)
def test_any_number_gives_a_valid_answer(value: float) -> None:
    _check_valid(value)


@given(
    st.lists(
        st.sampled_from(
            [
                "Posted",
                "il y a",
                "vor",
                "hace",
                "30+",
                "3",
                "days",
                "jours",
                "ago",
                "Today",
                "März",
                "2026",
                "-",
                "/",
                "12",
                "31",
                ".",
                "T",
                ":",
                "Z",
                "+",
                "é",
                "日前",
                " ",
            ]
        ),
        max_size=8,
    ).map(" ".join)
)
@settings(max_examples=300, deadline=None)
def test_date_like_noise_gives_a_valid_answer(value: str) -> None:
    _check_valid(value)


def _check_valid(value: str | float | None) -> None:
    moment = parse_datetime(value, now=NOW)
    assert moment is None or moment.utcoffset() == timedelta(0)
    day = parse_date(value, now=NOW)
    assert day is None or 1970 <= day.year <= 2199
    posted = parse_posted(value, now=NOW)
    assert posted.day is None or posted.before is None
    assert posted.day is None or posted.day <= NOW.date() + timedelta(days=1)


@given(st.integers(min_value=0, max_value=3650))
def test_n_days_ago_is_now_minus_n(days: int) -> None:
    expected = NOW.date() - timedelta(days=days)
    assert parse_date(f"Posted {days} Days Ago", now=NOW) == expected
    assert parse_date(f"il y a {days} jours", now=NOW) == expected
    assert parse_posted(f"vor {days} Tagen", now=NOW) == PostedDate(expected, None)


@given(st.integers(min_value=1, max_value=3650))
def test_n_plus_days_ago_is_a_bound(days: int) -> None:
    expected = NOW.date() - timedelta(days=days)
    assert parse_posted(f"{days}+ days ago", now=NOW) == PostedDate(None, expected)
    assert parse_date(f"{days}+ days ago", now=NOW) is None


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2199, 12, 30),
        timezones=st.sampled_from([UTC, *(timezone(timedelta(hours=h)) for h in (-11, -4, 5, 14))]),
    )
)
def test_iso_round_trip(moment: datetime) -> None:
    assert parse_datetime(moment.isoformat(), now=NOW) == moment
    assert parse_date(moment.isoformat(), now=NOW) == moment.date()


@given(st.integers(min_value=10**8, max_value=7_000_000_000))
def test_epoch_seconds_and_milliseconds_agree(seconds: int) -> None:
    expected = datetime.fromtimestamp(seconds, UTC)
    assert parse_datetime(seconds, now=NOW) == expected
    assert parse_datetime(seconds * 1000, now=NOW) == expected
    assert parse_datetime(str(seconds * 1000), now=NOW) == expected


@pytest.mark.parametrize("text", ["+ 12 days", "in 3 days", "dans 2 jours"])
def test_an_offset_into_the_future_is_no_posting_date(text: str) -> None:
    assert parse_posted(text, now=NOW) == PostedDate(None, None)

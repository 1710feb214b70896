"""Durations and points in time as typed on the command line."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.durations import parse_day, parse_duration, parse_since

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("6h", timedelta(hours=6)),
        ("3d", timedelta(days=3)),
        ("2w", timedelta(weeks=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        (" 1H 30M ", timedelta(hours=1, minutes=30)),
        ("1.5h", timedelta(minutes=90)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "6", "h", "6x", "-6h", "0s", "6h later", "six hours"])
def test_bad_durations_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_since_reads_durations_and_iso_moments() -> None:
    assert parse_since("24h", now=NOW) == NOW - timedelta(hours=24)
    assert parse_since("2026-11-01", now=NOW) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-01T08:00:00+01:00", now=NOW) == datetime(2026, 11, 1, 7, tzinfo=UTC)
    with pytest.raises(ValueError, match="expected a duration back from now"):
        parse_since("yesterday", now=NOW)


def test_day_reads_dates_and_days_ahead() -> None:
    today = date(2026, 11, 24)
    assert parse_day("3d", today=today) == date(2026, 11, 27)
    assert parse_day("2026-12-01", today=today) == date(2026, 12, 1)
    with pytest.raises(ValueError, match="ISO date"):
        parse_day("next week", today=today)


@given(st.text(max_size=40))
def test_any_text_gives_a_duration_or_a_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        assert parse_duration(text) > timedelta()


def test_a_duration_too_long_to_count_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="cannot be counted"):
        parse_duration("99999999999999d")

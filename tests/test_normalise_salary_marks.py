"""Salary hard cases met in real postings: an ISO code before a spaced `$`, and percentages."""

from __future__ import annotations

import pytest

from crawler.normalise.salary import parse_salary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Microsoft careers writes Canadian pay this way (see spiders/eightfold docs).
        ("CAD $96,000 - CAD $151,200 per year", (96000, 151200, "CAD", "YEAR")),
        ("NZD $80,000", (80000, 80000, "NZD", "YEAR")),
        ("CAD$90,000", (90000, 90000, "CAD", "YEAR")),
        ("10% bonus and $90,000 a year", (90000, 90000, "USD", "YEAR")),
    ],
)
def test_codes_and_amounts(text: str, expected: tuple[float, float, str, str]) -> None:
    salary = parse_salary(text)
    assert salary is not None
    assert (salary.min, salary.max, salary.currency, salary.period) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0.5% – 1.75% • Offers Bonus",  # Ashby's equity-only compensation summary
        "0.5% equity",
        "up to 15 % bonus",
    ],
)
def test_percentages_are_not_pay(text: str) -> None:
    assert parse_salary(text) is None

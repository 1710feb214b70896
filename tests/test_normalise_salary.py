"""Tests for crawler.normalise.salary: tables of real and constructed pay, and properties."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import Salary
from crawler.normalise.salary import (
    currency_code,
    find_salary_in_text,
    parse_salary,
    period_code,
    salary_from_fields,
)

DATA = json.loads(
    (Path(__file__).parent / "data" / "normalise" / "salary.json").read_text(encoding="utf-8")
)
ISO_CODES = frozenset(c.alpha_3 for c in pycountry.currencies)
PERIODS = {"HOUR", "DAY", "WEEK", "MONTH", "YEAR"}


def _case_id(case: dict[str, Any]) -> str:
    text = str(case.get("text", f"{case.get('min_value')}-{case.get('max_value')}"))
    return text.replace("\n", " ")[:60]


def _check(found: Salary | None, expected: dict[str, Any] | None) -> None:
    if expected is None:
        assert found is None
        return
    assert found is not None
    actual = {
        "min": found.min,
        "max": found.max,
        "currency": found.currency,
        "period": found.period,
    }
    wanted = {key: expected[key] for key in ("min", "max", "currency", "period")}
    assert actual == wanted
    if "raw" in expected:
        assert found.raw == expected["raw"]


def test_tables_have_real_and_constructed_cases() -> None:
    for name in ("parse_salary", "salary_from_fields", "find_salary_in_text"):
        sources = {case["source"] for case in DATA[name]}
        assert "constructed" in {source.split(" ")[0] for source in sources}
        assert any(source != "constructed" for source in sources)


@pytest.mark.parametrize("case", DATA["parse_salary"], ids=_case_id)
def test_parse_salary_table(case: dict[str, Any]) -> None:
    found = parse_salary(
        case["text"],
        default_currency=case["default_currency"],
        default_period=case["default_period"],
    )
    _check(found, case["expected"])
    if found is not None:
        assert found.raw == case["text"].strip()


@pytest.mark.parametrize("case", DATA["salary_from_fields"], ids=_case_id)
def test_salary_from_fields_table(case: dict[str, Any]) -> None:
    found = salary_from_fields(
        min_value=case["min_value"],
        max_value=case["max_value"],
        currency=case["currency"],
        period=case["period"],
        raw=case["raw"],
    )
    _check(found, case["expected"])


@pytest.mark.parametrize("case", DATA["find_salary_in_text"], ids=_case_id)
def test_find_salary_in_text_table(case: dict[str, Any]) -> None:
    found = find_salary_in_text(case["text"], default_currency=case["default_currency"])
    _check(found, case["expected"])


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("per-year-salary", "YEAR"),
        ("per-month-salary", "MONTH"),
        ("per-hour-wage", "HOUR"),
        ("1 YEAR", "YEAR"),
        ("1 HOUR", "HOUR"),
        ("2 WEEK", None),
        ("yearly", "YEAR"),
        ("annual", "YEAR"),
        ("hourly", "HOUR"),
        ("per_hour", "HOUR"),
        ("MONTH", "MONTH"),
        ("monthly", "MONTH"),
        ("a day", "DAY"),
        ("an hour", "HOUR"),
        ("par an", "YEAR"),
        ("P1Y", "YEAR"),
        ("one-time", None),
        ("", None),
        (None, None),
    ],
)
def test_period_code(spelling: str | None, expected: str | None) -> None:
    assert period_code(spelling) == expected


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("USD", "USD"),
        (" usd ", "USD"),
        ("$", "USD"),
        ("€", "EUR"),
        ("£", "GBP"),
        ("CA$", "CAD"),
        ("Euro", "EUR"),
        ("kr", None),
        ("bitcoin", None),
        ("", None),
        (None, None),
    ],
)
def test_currency_code(spelling: str | None, expected: str | None) -> None:
    assert currency_code(spelling) == expected


def _check_valid(salary: Salary | None) -> None:
    if salary is None:
        return
    amounts = [v for v in (salary.min, salary.max) if v is not None]
    assert amounts
    assert all(math.isfinite(v) and v > 0 for v in amounts)
    if salary.min is not None and salary.max is not None:
        assert salary.min <= salary.max
    assert salary.currency is None or salary.currency in ISO_CODES
    assert salary.period is None or salary.period in PERIODS
    if salary.period == "YEAR":
        assert max(amounts) >= 1000


money_text = st.lists(
    st.sampled_from(
        [
            "$",
            "€",
            "£",
            "USD",
            "CHF",
            "k",
            "K",
            "LPA",
            "lakh",
            "kr",
            "-",
            "–",
            "to",
            "bis",
            "up to",
            "from",
            "+",
            "per hour",
            "an hour",
            "a year",
            "p.a.",
            "/mo",
            "pro Monat",
            "par an",
            "1",
            "20",
            "45.000",
            "120,000",
            "1,20,000",
            "120'000",
            "0",
            "401(k)",
            "9" * 400,
            ".",
            ",",
            " ",
            "\n",
            "salary",
            "bonus",
            "é",
            "<b>",
            "&amp;",
        ]
    ),
    max_size=12,
).map("".join)


@given(st.one_of(st.none(), st.text(), st.text(max_size=5000), money_text))
@settings(max_examples=400, deadline=None)
def test_any_text_gives_a_valid_salary_or_none(text: str | None) -> None:
    _check_valid(parse_salary(text))
    _check_valid(parse_salary(text, default_currency="EUR", default_period="YEAR"))
    _check_valid(find_salary_in_text(text))


@given(st.lists(money_text, max_size=40).map("\n".join))
@settings(max_examples=200, deadline=None)
def test_any_description_gives_a_valid_salary_or_none(text: str) -> None:
    _check_valid(find_salary_in_text(text, default_currency="USD"))


@given(
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30)),
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30)),
    st.one_of(st.none(), st.text(max_size=10), st.sampled_from(["USD", "$", "eur", "kr"])),
    st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["YEAR", "per-hour-wage"])),
)
@settings(max_examples=300, deadline=None)
def test_any_fields_give_a_valid_salary_or_none(
    low: float | str | None, high: float | str | None, currency: str | None, period: str | None
) -> None:
    _check_valid(
        salary_from_fields(min_value=low, max_value=high, currency=currency, period=period)
    )


@given(
    st.decimals(min_value=1, max_value=500, places=2).map(str),
    st.sampled_from(["per hour", "an hour", "/hr", "/hour", "hourly", "pro Stunde", "de l'heure"]),
    st.sampled_from(["", " a year ago we grew", " annual bonus", " per year overtime"]),
)
def test_an_hourly_rate_is_never_labelled_yearly(amount: str, hour: str, tail: str) -> None:
    salary = parse_salary(f"${amount} {hour}{tail}", default_period="YEAR")
    assert salary is not None
    assert salary.period == "HOUR"


@given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=1, max_value=10**7))
def test_ranges_are_ordered(first: int, second: int) -> None:
    salary = parse_salary(f"${first:,} - ${second:,} a year")
    assert salary is not None
    assert (salary.min, salary.max) == (min(first, second), max(first, second))
    assert salary.currency == "USD"
    assert salary.period == ("YEAR" if max(first, second) >= 1000 else None)


@given(st.integers(min_value=1, max_value=499))
def test_a_small_amount_without_a_period_is_not_guessed_hourly(amount: int) -> None:
    salary = parse_salary(f"€{amount}")
    assert salary is not None
    assert salary.period is None

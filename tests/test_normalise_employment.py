"""Employment-type mapping against real source values and hand-written hard cases."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import EmploymentType
from crawler.normalise.employment import parse_employment_types

_TABLE = Path(__file__).parent / "data" / "normalise" / "employment.tsv"
_TYPES = frozenset(get_args(EmploymentType))


def _value(cell: str) -> str | None:
    return {"<none>": None, "<empty>": ""}.get(cell, cell)


def _rows() -> list[tuple[str, list[str | None], list[str]]]:
    lines = [line for line in _TABLE.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    rows = []
    for record in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        values = [_value(cell) for cell in record["values"].split(" || ")]
        expected = [kind for kind in record["expected"].split(",") if kind]
        rows.append((record["source"], values, expected))
    return rows


_ROWS = _rows()


def test_table_is_read_whole() -> None:
    assert len(_ROWS) > 60
    assert all(source.strip() for source, _, _ in _ROWS)
    assert all(set(expected) <= _TYPES for _, _, expected in _ROWS)


@pytest.mark.parametrize(("source", "values", "expected"), _ROWS, ids=lambda x: repr(x)[:40])
def test_employment_table(source: str, values: list[str | None], expected: list[str]) -> None:
    assert parse_employment_types(values) == expected, source


def test_accepts_any_iterable() -> None:
    assert parse_employment_types(iter(["Vollzeit", "Teilzeit"])) == ["FULL_TIME", "PART_TIME"]
    assert parse_employment_types(value for value in ("Contract",)) == ["CONTRACTOR"]


def test_result_is_a_fresh_list_each_call() -> None:
    first = parse_employment_types(["Full-time"])
    first.append("OTHER")
    assert parse_employment_types(["Full-time"]) == ["FULL_TIME"]


_VALUES = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet=st.sampled_from(list("fulpartimeconrcsdiFT_- /,&")), max_size=40),
    st.sampled_from(["Permanent", "Full-time", "OTHER", "Intern", "N/A", "", "CDI", "Teilzeit"]),
    st.binary(max_size=100).map(lambda raw: raw.decode("latin-1")),
    st.text(min_size=1000, max_size=1200),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_VALUES, max_size=6))
def test_never_raises_and_returns_clean_types(values: list[str | None]) -> None:
    types = parse_employment_types(values)
    assert set(types) <= _TYPES
    assert len(types) == len(set(types))
    assert "OTHER" not in types or types == ["OTHER"]
    if all(not value for value in values):
        assert types == []

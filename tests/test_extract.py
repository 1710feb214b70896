"""Extraction from recorded responses: one test per case and one per field of every posting.

Cases live in tests/fixtures/<family>/<case>/ (see tests/extract_cases.py). Test ids read like
`greenhouse/datadog[1].salary_min`, so a failure names the case, the posting and the field.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.extract_cases import Case, all_cases

CASES = all_cases()
EXPECTED_CASES = [c for c in CASES if c.expected() is not None]
ERROR_CASES = [c for c in CASES if c.expected_error() is not None]
_outputs: dict[str, dict[str, Any]] = {}


def output(case: Case) -> dict[str, Any]:
    if case.id not in _outputs:
        _outputs[case.id] = case.run()
    return _outputs[case.id]


def field_params() -> list[Any]:
    params = []
    for case in EXPECTED_CASES:
        expected = case.expected() or {}
        for index, posting in enumerate(expected["postings"]):
            for name in posting:
                params.append(pytest.param(case, index, name, id=f"{case.id}[{index}].{name}"))
    return params


def test_every_family_has_real_cases() -> None:
    real = [c for c in CASES if c.meta["provenance"].startswith("real:")]
    assert {c.family for c in real} == {c.family for c in CASES}
    assert all(c.meta["provenance"] for c in CASES)


@pytest.mark.parametrize("case", EXPECTED_CASES, ids=lambda c: c.id)
def test_page_shape(case: Case) -> None:
    expected = case.expected() or {}
    got = output(case)
    assert len(got["postings"]) == len(expected["postings"])
    assert [p["source_id"] for p in got["postings"]] == [
        p["source_id"] for p in expected["postings"]
    ]
    for key in ("unreadable_ids", "problems", "incomplete"):
        assert got[key] == expected[key], key
    assert got["details"] == expected.get("details", []), "details"


@pytest.mark.parametrize("case", EXPECTED_CASES, ids=lambda c: c.id)
def test_no_extra_fields(case: Case) -> None:
    expected = case.expected() or {}
    for got, want in zip(output(case)["postings"], expected["postings"], strict=True):
        assert set(got) == set(want)


@pytest.mark.parametrize(("case", "index", "name"), field_params())
def test_field(case: Case, index: int, name: str) -> None:
    expected = case.expected() or {}
    assert output(case)["postings"][index][name] == expected["postings"][index][name]


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda c: c.id)
def test_broken_response_raises(case: Case) -> None:
    with pytest.raises((ValueError, KeyError, TypeError)) as raised:
        case.run()
    assert type(raised.value).__name__ == case.expected_error()


def test_greenhouse_content_is_unescaped_once() -> None:
    """Greenhouse sends HTML as entities; `&amp;nbsp;` inside must stay one level escaped."""
    case = next(c for c in CASES if c.id == "greenhouse/gong-single-job")
    html = output(case)["postings"][0]["description_html"]
    assert html.startswith("<div><p>Trimmed for fixture.</p>")
    assert "&nbsp;" in html
    assert "&lt;" not in html


def test_datadog_listing_is_incomplete_against_meta_total() -> None:
    case = next(c for c in CASES if c.id == "greenhouse/datadog")
    raw = json.loads((case.folder / "response.json").read_text())
    assert raw["meta"]["total"] == 429
    assert output(case)["incomplete"] == "response holds 3 of meta.total=429 jobs"

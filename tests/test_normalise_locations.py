"""Location parsing and remote detection: real location strings and hand-written hard cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import Location
from crawler.normalise.locations import detect_remote, parse_location, parse_locations

_DATA = json.loads(
    (Path(__file__).parent / "data" / "normalise" / "locations.json").read_text(encoding="utf-8")
)
_ALPHA_2 = frozenset(country.alpha_2 for country in pycountry.countries)


def _triples(places: list[Location]) -> list[list[str | None]]:
    return [[place.city, place.region, place.country] for place in places]


def _case_id(case: dict[str, Any]) -> str:
    return repr(case.get("text", case.get("texts")))[:60]


@pytest.mark.parametrize("case", _DATA["locations"], ids=_case_id)
def test_parse_location_table(case: dict[str, Any]) -> None:
    assert _triples(parse_location(case["text"])) == case["expected"], case["source"]


@pytest.mark.parametrize("case", _DATA["location_lists"], ids=_case_id)
def test_parse_locations_table(case: dict[str, Any]) -> None:
    assert _triples(parse_locations(case["texts"])) == case["expected"], case["source"]


@pytest.mark.parametrize("case", _DATA["remote"], ids=lambda case: repr(case["flag"]))
def test_detect_remote_table(case: dict[str, Any]) -> None:
    found = detect_remote(flag=case["flag"], texts=case["texts"])
    assert found == case["expected"], case["source"]


def test_every_case_names_its_source() -> None:
    for cases in _DATA.values():
        for case in cases:
            assert case["source"].strip()


def test_none_and_empty_give_no_place() -> None:
    assert parse_location(None) == []
    assert parse_location("") == []
    assert parse_locations([None, "", "  "]) == []


def test_result_is_a_fresh_list_each_call() -> None:
    """Results come from a cache: a caller changing its list must not change the next answer."""
    first = parse_location("Berlin; Hamburg")
    first.clear()
    assert len(parse_location("Berlin; Hamburg")) == 2
    many = parse_locations(["Berlin", "Hamburg"])
    many.append(Location(city="X"))
    assert len(parse_locations(["Berlin", "Hamburg"])) == 2


def test_unknown_city_gets_no_country() -> None:
    for city in ("Peoria", "Springfield", "Yokneam", "Woodland Park"):
        assert _triples(parse_location(city)) == [[city, None, None]]


def test_text_beyond_the_limit_is_not_a_location() -> None:
    assert parse_location("Berlin, " * 400) == []


def test_long_lists_keep_every_place() -> None:
    text = " | ".join(f"Town{index}" for index in range(150))
    assert [place.city for place in parse_location(text)] == [f"Town{i}" for i in range(150)]


_TEXTS = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(list(",;|/()-–&+ .:•0123456789AaBCDEINORUSMez")), max_size=80),
    st.lists(
        st.sampled_from(
            ["Remote", "US", "CA", "IN", "DE", "New York", "NY", "Paris", "Europe", "or", "(", ")"]
        )
    ).map(", ".join),
    st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
    st.text(min_size=2000, max_size=2100),
)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_parse_location_never_raises_and_returns_valid_places(text: str) -> None:
    places = parse_location(text)
    assert isinstance(places, list)
    assert len({(place.city, place.region, place.country) for place in places}) == len(places)
    for place in places:
        assert isinstance(place, Location)
        assert place.country is None or place.country in _ALPHA_2
        assert place.city or place.region or place.country
    assert _triples(parse_locations([text])) == _triples(places)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), _TEXTS), max_size=5))
def test_parse_locations_never_raises(texts: list[str | None]) -> None:
    places = parse_locations(texts)
    assert all(place.country is None or place.country in _ALPHA_2 for place in places)
    assert len({(p.city, p.region, p.country) for p in places}) == len(places)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.none(), st.booleans(), st.text(), st.sampled_from(["0", "1", "2", "Hybrid"])),
    st.lists(st.one_of(st.none(), _TEXTS), max_size=4),
)
def test_detect_remote_never_raises(flag: str | bool | None, texts: list[str | None]) -> None:
    assert detect_remote(flag=flag, texts=texts) in ("remote", "hybrid", "onsite", None)

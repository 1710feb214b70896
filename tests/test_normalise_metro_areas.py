"""Metropolitan areas name their city: "Greater Paris Area" is Paris (LinkedIn and ATS boards)."""

from __future__ import annotations

import pytest

from crawler.items import Location
from crawler.normalise.locations import parse_location


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Greater Paris Area", Location(city="Paris", country="FR")),
        ("San Francisco Bay Area", Location(city="San Francisco", country="US")),
        ("Greater London", Location(city="London", country="GB")),
        ("Atlanta Metro", Location(city="Atlanta", country="US")),
        ("Greater Seattle Area, WA", Location(city="Seattle", region="WA", country="US")),
        ("Bay Area", Location(city="Bay Area")),  # names no city: kept as written
        ("Tri-State Area", Location(city="Tri-State Area")),
    ],
)
def test_metro_areas(text: str, expected: Location) -> None:
    assert parse_location(text) == [expected]

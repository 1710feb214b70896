"""The labelled pairs: well formed, built from real postings, and decided above the documented floor.

The floors are the ones `docs/dedupe.md` states; `bench/dedupe_quality.py` prints the full tables.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crawler.dedupe import cluster, find_reposts
from crawler.items import JobPosting

DATA = Path(__file__).parent / "data" / "dedupe"
FLOORS = {3: (0.98, 0.95), 2: (0.98, 0.80)}
"""Level -> (precision, recall) that every pair decided alone must reach, over all splits."""


def _lines(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def postings() -> dict[str, tuple[str, JobPosting]]:
    return {
        record["posting"]["id"]: (
            record["provenance"],
            JobPosting.model_validate(record["posting"]),
        )
        for record in _lines("postings.jsonl")
    }


@pytest.fixture(scope="module")
def pairs() -> list[dict[str, Any]]:
    return _lines("pairs.jsonl")


def test_the_set_is_large_and_mixed(pairs: list[dict[str, Any]]) -> None:
    assert len(pairs) >= 120
    labels = Counter((pair["level"], pair["label"]) for pair in pairs)
    assert (
        min(labels[(level, label)] for level in (2, 3) for label in ("duplicate", "distinct")) >= 20
    )
    assert {pair["split"] for pair in pairs} == {"tune", "holdout", "fresh"}
    assert len({pair["pair"] for pair in pairs}) == len(pairs)


def test_every_pair_starts_from_a_real_posting(
    pairs: list[dict[str, Any]], postings: dict[str, tuple[str, JobPosting]]
) -> None:
    for pair in pairs:
        base, other = postings[pair["a"]], postings[pair["b"]]
        assert base[0].startswith("real: "), pair["pair"]
        assert other[0].startswith(("real: ", f"variant of {pair['a']}: ", "variant of ")), pair
        if other[0].startswith("variant of "):
            origin = other[0].removeprefix("variant of ").split(": ", 1)[0]
            assert postings[origin][0].startswith("real: "), pair["pair"]
        if pair["level"] == 2:
            assert (base[1].source, base[1].source_key) == (other[1].source, other[1].source_key)
        else:
            assert (base[1].source, base[1].source_key) != (other[1].source, other[1].source_key)


@pytest.mark.parametrize("level", [3, 2])
def test_precision_and_recall_stay_above_the_documented_floor(
    level: int, pairs: list[dict[str, Any]], postings: dict[str, tuple[str, JobPosting]]
) -> None:
    counts: Counter[tuple[bool, bool]] = Counter()
    for pair in pairs:
        if pair["level"] != level:
            continue
        a, b = postings[pair["a"]][1], postings[pair["b"]][1]
        if level == 2:
            predicted = bool(find_reposts([a, b]))
        else:
            found = cluster([a, b])
            predicted = found[a.id].cluster_id == found[b.id].cluster_id
        counts[(pair["label"] == "duplicate", predicted)] += 1
    true_positives = counts[(True, True)]
    precision = true_positives / (true_positives + counts[(False, True)])
    recall = true_positives / (true_positives + counts[(True, False)])
    floor_precision, floor_recall = FLOORS[level]
    assert precision >= floor_precision, counts
    assert recall >= floor_recall, counts

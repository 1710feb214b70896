"""The scale benchmark's generator and scoring, on a small run: planted duplicates are found."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from crawler.dedupe import DedupeIndex, DedupeSettings

BENCH = Path(__file__).parent.parent / "bench" / "dedupe_scale.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dedupe_scale", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["dedupe_scale"] = module
    spec.loader.exec_module(module)
    return module


def test_chunks_are_the_same_for_the_same_seed(bench: ModuleType) -> None:
    settings = DedupeSettings()
    first = bench.make_chunk(7, 3, 300, 50, settings)
    again = bench.make_chunk(7, 3, 300, 50, settings)
    other = bench.make_chunk(8, 3, 300, 50, settings)
    assert len(first.batch) == 300
    assert first.batch.ids == again.batch.ids
    assert np.array_equal(first.batch.signatures, again.batch.signatures)
    assert first.truth == again.truth
    assert not np.array_equal(first.batch.signatures, other.batch.signatures)
    assert sum(first.true_pairs.values()) > 0
    assert first.negatives


def test_a_small_run_finds_the_planted_duplicates(bench: ModuleType) -> None:
    options = argparse.Namespace(count=2000, seed=1, workers=1)
    settings = DedupeSettings()
    totals = bench.Totals()
    batches = bench.batches(bench.chunks(options, settings), totals)
    index = DedupeIndex.from_batches(batches, settings)
    result = bench.score(index, totals)
    assert index.stats.postings == 2000
    assert result["planted pairs"] == sum(totals.true_pairs.values()) > 300
    assert result["precision"] >= 0.99
    assert result["recall"] >= 0.95

"""The column store, the band index and the batch path that let the index hold a million postings."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

import crawler.dedupe.table as table_module
from crawler.dedupe import DedupeIndex, DedupeSettings, cluster, find_reposts
from crawler.dedupe.bands import (
    band_match,
    band_parameters,
    distinct,
    pairs_of_equal,
    unique_pairs,
)
from crawler.dedupe.similarity import compare_features, features
from crawler.dedupe.table import FeatureTable, feature_batch, feature_batches
from crawler.items import JobPosting, Location
from tests.test_dedupe_clusters import job_family
from tests.test_dedupe_similarity import OTHER_TEXT, TEXT, make_posting

ROOT = Path(__file__).parent.parent


def synthetic(count: int, seed: int) -> list[JobPosting]:
    """Jobs of a few employers, some copied to a board with edits, some without text."""
    rng = random.Random(seed)
    sentences = [line for line in (TEXT + "\n" + OTHER_TEXT).splitlines() if line]
    titles = ["Data Engineer", "Senior Data Engineer", "Product Designer", "Account Executive"]
    cities = [("Berlin", "DE"), ("Paris", "FR"), ("Austin", "US")]
    made: list[JobPosting] = []
    for number in range(count):
        employer = f"Employer {number % 5}"
        city, country = rng.choice(cities)
        lines = rng.sample(sentences, 5)
        text = None if rng.random() < 0.1 else f"{employer} is hiring.\n" + "\n".join(lines)
        job = make_posting(
            f"greenhouse:e{number % 5}:{number}",
            title=rng.choice(titles),
            company=employer,
            locations=[Location(city=city, country=country)],
            description_text=text,
        )
        made.append(job)
        if rng.random() < 0.4:
            made.append(
                make_posting(
                    f"jobboard:jobs:{number}",
                    title=job.title.replace("Senior", "Sr.") + f" - {city}",
                    company=employer.upper(),
                    locations=[Location(city=city)],
                    description_text="\n".join(lines[:4]) if text else None,
                )
            )
    return made


@given(st.lists(st.integers(min_value=0, max_value=6), max_size=40))
def test_pairs_of_equal_keys_are_every_pair_once(keys: list[int]) -> None:
    rows = np.arange(100, 100 + len(keys), dtype=np.int64)
    found = pairs_of_equal(np.array(keys, dtype=np.uint64), rows)
    expected = {
        (100 + i, 100 + j)
        for i, j in itertools.combinations(range(len(keys)), 2)
        if keys[i] == keys[j]
    }
    assert len(found) == len(expected)
    assert {(int(a), int(b)) for a, b in found} == expected


@given(st.lists(st.integers(min_value=0, max_value=2**63 - 1), max_size=50))
def test_distinct_is_numpys_unique(values: list[int]) -> None:
    array = np.array(values, dtype=np.uint64)
    assert distinct(array).tolist() == np.unique(array).tolist()


def test_unique_pairs_merges_parts() -> None:
    parts = iter([np.array([[1, 5], [2, 3]]), np.empty((0, 2), dtype=np.int64), np.array([[1, 5]])])
    assert unique_pairs(parts).tolist() == [[1, 5], [2, 3]]
    assert unique_pairs(iter([])).shape == (0, 2)


def test_bands_are_the_ones_datasketch_chooses() -> None:
    assert band_parameters(0.5, 128) == (25, 5)
    lsh = MinHashLSH(threshold=0.3, num_perm=64)
    assert band_parameters(0.3, 64) == (lsh.b, lsh.r)


@given(st.lists(st.lists(st.integers(0, 2), min_size=12, max_size=12), min_size=1, max_size=10))
def test_band_match_is_a_whole_band_in_common(rows: list[list[int]]) -> None:
    probe = np.array([0] * 12, dtype=np.uint32)
    candidates = np.array(rows, dtype=np.uint32)
    expected = [any(row[band * 3 : band * 3 + 3] == [0, 0, 0] for band in range(4)) for row in rows]
    assert band_match(candidates, probe, 4, 3).tolist() == expected


def test_signatures_are_gathered_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_module, "_FIRST_BLOCK_ROWS", 2)
    monkeypatch.setattr(table_module, "_BLOCK_ROWS", 4)
    postings = synthetic(12, seed=3)
    table = FeatureTable()
    table.extend(feature_batch(postings[:5]))
    table.extend(feature_batch(postings[5:]))
    assert len(table) == len(postings)
    rows = np.arange(len(postings))[::-1]
    gathered = table.signatures.take(rows)
    columns = np.concatenate(list(table.signatures.slices(5, 10)))
    assert columns.shape == (len(postings), 5)
    signed = 0
    for position, row in enumerate(rows.tolist()):
        expected = features(postings[row]).signature
        if expected is not None:
            signed += 1
            assert gathered[position].tolist() == expected.tolist()
            assert table.signatures.row(row).tolist() == expected.tolist()
            assert columns[row].tolist() == expected[5:10].tolist()
    assert signed > 8


def test_a_row_compares_like_the_posting_it_holds() -> None:
    postings = job_family()
    table = FeatureTable()
    table.extend(feature_batch(postings))
    for a, b in itertools.combinations(range(len(postings)), 2):
        assert compare_features(table.view(a), table.view(b)) == compare_features(
            features(postings[a]), features(postings[b])
        )
        assert (table.rank(a) < table.rank(b)) == (
            features(postings[a]).rank < features(postings[b]).rank
        )


def test_few_postings_are_signed_alone_with_the_same_values() -> None:
    postings = synthetic(20, seed=4)
    together = feature_batch(postings)
    for start in range(0, len(postings), 3):
        alone = feature_batch(postings[start : start + 3])
        assert np.array_equal(alone.signatures, together.signatures[start : start + 3])
        assert np.array_equal(alone.shingles, together.shingles[start : start + 3])
    assert together.shingles.min() == 0 < together.shingles.max()


def test_an_id_given_twice_leaves_the_table_as_it_was() -> None:
    table = FeatureTable()
    table.extend(feature_batch([make_posting("greenhouse:acme:1")]))
    batch = feature_batch([make_posting("lever:acme:2"), make_posting("greenhouse:acme:1")])
    with pytest.raises(ValueError, match="id given twice"):
        table.extend(batch)
    assert table.row_of == {"greenhouse:acme:1": 0}
    assert len(table) == 1


def test_batches_read_by_worker_processes_are_the_same() -> None:
    postings = synthetic(60, seed=5)
    alone = list(feature_batches(postings, workers=1, size=25))
    shared = list(feature_batches(postings, workers=2, size=25))
    sizes = [min(25, len(postings) - start) for start in range(0, len(postings), 25)]
    assert [len(batch) for batch in shared] == sizes
    assert [batch.ids for batch in shared] == [batch.ids for batch in alone]
    for first, second in zip(alone, shared, strict=True):
        assert np.array_equal(first.signatures, second.signatures)
        assert first.places == second.places
    assert (
        DedupeIndex.build(postings, workers=2).assignments()
        == DedupeIndex.build(postings).assignments()
    )


def test_the_column_prefilter_drops_no_accepted_pair() -> None:
    """Every candidate pair compared in full gives the same accepted pairs as the index keeps."""
    postings = synthetic(150, seed=11)
    settings = DedupeSettings()
    index = DedupeIndex.build(postings, settings)
    entries = [features(posting, settings) for posting in postings]
    bands, rows = band_parameters(settings.lsh_threshold, settings.num_perm)
    candidates = accepted = 0
    for a, b in itertools.combinations(entries, 2):
        if not a.company or a.company != b.company or a.board == b.board:
            continue
        shared_band = (
            a.signature is not None
            and b.signature is not None
            and bool(band_match(b.signature[None, :], a.signature, bands, rows)[0])
        )
        if a.title.key != b.title.key and not shared_band:
            continue
        candidates += 1
        accepted += compare_features(a, b, settings).duplicate
    assert index.stats.candidates == candidates
    assert index.stats.accepted == accepted
    assert index.stats.compared < candidates  # the prefilter did drop some pairs
    assert index.stats.postings == len(postings)
    evidence = sum(len(index.evidence(posting.id)) for posting in postings)
    assert evidence == 2 * accepted


def test_the_result_does_not_depend_on_batch_boundaries() -> None:
    postings = synthetic(80, seed=2)
    whole = DedupeIndex.from_batches([feature_batch(postings)])
    pieces = DedupeIndex.from_batches(feature_batches(postings[::-1], size=7))
    assert whole.assignments() == pieces.assignments() == cluster(postings)


def test_reposts_of_the_index_are_those_of_find_reposts() -> None:
    postings = [
        *job_family(),
        make_posting("greenhouse:acme:30", description_text=TEXT + " Apply soon."),
        make_posting("greenhouse:acme:31", description_text=TEXT + " Apply today."),
    ]
    found = find_reposts(postings)
    assert found
    assert DedupeIndex.build(postings).reposts() == found


def test_removing_the_copies_of_a_built_index_leaves_every_job_alone() -> None:
    postings = synthetic(60, seed=8)
    index = DedupeIndex.build(postings)
    copies = sorted(posting.id for posting in postings if posting.source == "jobboard")
    assert len(index.clusters()) > 5
    for job_id in copies:
        index.remove(job_id)
    assert len(index) == len(postings) - len(copies)
    assert index.clusters() == {}
    assert all(assignment.duplicate_of is None for assignment in index.assignments().values())
    with pytest.raises(KeyError):
        index.assignment(copies[0])


def _edges(index: DedupeIndex, postings: list[JobPosting]) -> dict[str, dict[str, object]]:
    return {posting.id: dict(index.evidence(posting.id)) for posting in postings}


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_an_update_gives_the_result_of_a_full_rebuild(seed: int) -> None:
    """Some postings changed, some new, some gone: the same clusters, evidence and reposts."""
    rng = random.Random(seed)
    postings = synthetic(70, seed=seed % 7)
    old = [posting for posting in postings if rng.random() < 0.8]
    index = DedupeIndex.from_batches(feature_batches(old, size=16))
    removed = [posting.id for posting in old if rng.random() < 0.1]
    changed = [
        posting.model_copy(update={"title": "Account Executive", "description_text": None})
        for posting in old
        if posting.id not in removed and rng.random() < 0.15
    ]
    new = [posting for posting in postings if posting not in old]
    index.update(feature_batches(changed + new, size=9), removed=removed)
    by_id = {posting.id: posting for posting in old if posting.id not in removed}
    by_id.update((posting.id, posting) for posting in changed + new)
    now = sorted(by_id.values(), key=lambda posting: posting.id)
    rebuilt = DedupeIndex.build(now)
    assert index.assignments() == rebuilt.assignments() == cluster(now)
    assert index.clusters(min_size=1) == rebuilt.clusters(min_size=1)
    assert _edges(index, now) == _edges(rebuilt, now)
    assert index.reposts() == rebuilt.reposts()
    assert len(index) == len(now)


def test_an_update_compares_only_the_pairs_of_its_postings() -> None:
    postings = synthetic(300, seed=12)
    index = DedupeIndex.build(postings[:-20])
    index.update([feature_batch(postings[-20:])])
    full = DedupeIndex.build(postings)
    assert index.assignments() == full.assignments()
    assert 0 < index.stats.candidates < full.stats.candidates // 4
    assert index.stats.postings == len(postings)
    index.update([])
    assert index.stats.candidates == 0
    assert index.assignments() == full.assignments()


def test_an_id_given_twice_in_one_update_is_an_error() -> None:
    index = DedupeIndex.build([make_posting("greenhouse:acme:1")])
    again = feature_batch([make_posting("lever:acme:2")])
    with pytest.raises(ValueError, match="id given twice"):
        index.update([again, again])

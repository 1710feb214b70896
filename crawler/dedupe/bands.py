"""
Candidate pairs from the MinHash bands and the title blocks, over whole columns at once.

datasketch's `MinHashLSH` chooses the bands: for `lsh_threshold` and `num_perm` its optimiser
picks (b, r) so that pairs above the threshold share one of b bands of r values with high
probability (0.5 and 128 give 25 bands of 5 rows). Its storage is not used: it keeps one Python
set per bucket in one dict per band, some 7.5 KB per posting, which is 7.5 GB at a million
postings. Here a band is a column of 64-bit hashes of its r values (mixed with the company number,
since only postings of one employer are ever compared); sorting a column puts equal hashes side by
side, and every run of equal hashes gives its pairs. A hash collision only adds a candidate, which
the comparison then rejects, so the pairs are those that datasketch would return. A single posting
is matched against its employer's rows directly (`band_match`), comparing the band values
themselves.

The title block (same company key and same normalised title words) is one more column, exact
rather than hashed.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Final

import numpy as np
from datasketch import MinHashLSH

__all__ = [
    "band_hashes",
    "band_match",
    "band_parameters",
    "distinct",
    "pairs_of_equal",
    "unique_pairs",
]

_MIX: Final = np.uint64(0x9E3779B97F4A7C15)
_PRIME: Final = np.uint64(0x100000001B3)


@lru_cache(maxsize=16)
def band_parameters(threshold: float, num_perm: int) -> tuple[int, int]:
    """
    The (bands, rows) that datasketch's `MinHashLSH` chooses for `threshold`, worked out once.

    datasketch integrates the false positive and negative rates over every split to choose
    them, which costs some 40 ms: more than clustering a small batch.
    """
    chosen = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return chosen.b, chosen.r


def band_hashes(values: np.ndarray, salt: np.ndarray) -> np.ndarray:
    """One 64-bit hash per row of `values` (rows, r), seeded by `salt` (the company number)."""
    hashes = salt.astype(np.uint64) * _MIX
    for column in range(values.shape[1]):
        hashes = (hashes ^ values[:, column].astype(np.uint64)) * _PRIME
        hashes ^= hashes >> np.uint64(29)
    return hashes


def pairs_of_equal(keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """
    Every pair of `rows` whose `keys` are equal, as an (n, 2) array with the smaller row first.

    The keys are sorted once; a run of k equal keys gives k(k-1)/2 pairs, made offset by offset
    (each row with the row d places after it in its run), so the work is the number of pairs.
    """
    if keys.size < 2:
        return np.empty((0, 2), dtype=np.int64)
    order = np.argsort(keys)
    ordered = keys[order]
    boundaries = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [keys.size]))
    lengths = ends - starts
    in_runs = np.repeat(lengths >= 2, lengths)
    position = np.flatnonzero(in_runs)
    run_end = np.repeat(ends, lengths)[in_runs]
    sorted_rows = rows[order]
    found: list[np.ndarray] = []
    offset = 1
    while position.size:
        fits = position + offset < run_end
        position, run_end = position[fits], run_end[fits]
        first, second = sorted_rows[position], sorted_rows[position + offset]
        found.append(np.stack((np.minimum(first, second), np.maximum(first, second)), axis=1))
        offset += 1
    return np.concatenate(found) if found else np.empty((0, 2), dtype=np.int64)


def distinct(values: np.ndarray) -> np.ndarray:
    """
    The distinct values, sorted.

    `np.unique` in numpy 2.4 hashes integers instead of sorting them: some 60 times slower on a
    million 64-bit values (3.9 s against 0.06 s measured here).
    """
    ordered = np.sort(values)
    if not ordered.size:
        return ordered
    kept: np.ndarray = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
    return kept


def unique_pairs(parts: Iterator[np.ndarray]) -> np.ndarray:
    """The distinct pairs of all parts, sorted (the same pair comes from several bands)."""
    codes: np.ndarray = np.empty(0, dtype=np.int64)
    for part in parts:
        if part.size:
            codes = distinct(
                np.concatenate((codes, part[:, 0].astype(np.int64) << 32 | part[:, 1]))
            )
    return np.stack((codes >> 32, codes & 0xFFFFFFFF), axis=1)


def band_match(candidates: np.ndarray, probe: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Which candidate signatures (n, num_perm) share at least one whole band with `probe`."""
    used = bands * rows
    same = candidates[:, :used].reshape(-1, bands, rows) == probe[:used].reshape(bands, rows)
    matched: np.ndarray = same.all(axis=2).any(axis=1)
    return matched

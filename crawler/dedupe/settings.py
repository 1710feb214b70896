"""
The thresholds of duplicate detection, as one frozen value.

The defaults come from `bench/dedupe_quality.py` on the labelled pairs in `tests/data/dedupe/`
(tuned on the `tune` split, checked on the held-out split); `docs/dedupe.md` gives the measured
precision and recall at these and neighbouring values.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DedupeSettings:
    """How alike two postings must be to count as one job."""

    title_min: float = 90.0
    """Least rapidfuzz `token_set_ratio` (0–100) of the normalised titles. Level words (senior,
    staff, II, intern...) and words present in only one title are checked separately: they must
    agree whatever the ratio."""
    description_min: float = 0.6
    """Least MinHash estimate of the Jaccard similarity of the descriptions' word shingles."""
    containment_min: float = 0.6
    """Least estimated share of the shorter description's shingles found in the longer one, for
    titles that are the same after normalisation: a description with boilerplate added or cut."""
    repost_description_min: float = 0.85
    """Least Jaccard estimate for a repost inside one source (same title and places required)."""
    lsh_threshold: float = 0.5
    """Jaccard level that MinHashLSH is tuned to return as candidates; at most `description_min`
    so that pairs above `description_min` are found across different titles."""
    num_perm: int = 128
    """MinHash permutations: more gives a closer Jaccard estimate and costs time and memory."""
    shingle_size: int = 3
    """Words per shingle."""
    min_description_words: int = 20
    """A description shorter than this is treated as missing: too short to compare."""
    allow_missing_description: bool = True
    """Accept a pair without descriptions to compare when the titles are the same after
    normalisation and the postings share a place (the same city, or the same country when one
    names no city)."""
    seed: int = 1
    """Seed of the MinHash permutations; signatures made with different seeds never compare."""

    def __post_init__(self) -> None:
        if not 0 <= self.title_min <= 100:
            raise ValueError(f"title_min must be between 0 and 100, not {self.title_min}")
        for name in ("description_min", "containment_min", "repost_description_min"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ValueError(f"{name} must be above 0 and at most 1, not {value}")
        if not 0 < self.lsh_threshold <= self.description_min:
            raise ValueError(
                f"lsh_threshold must be above 0 and at most description_min "
                f"({self.description_min}), not {self.lsh_threshold}"
            )
        if not 16 <= self.num_perm <= 1024:
            raise ValueError(f"num_perm must be between 16 and 1024, not {self.num_perm}")
        if not 1 <= self.shingle_size <= 8:
            raise ValueError(f"shingle_size must be between 1 and 8, not {self.shingle_size}")
        if self.min_description_words < self.shingle_size:
            raise ValueError("min_description_words must be at least shingle_size")


DEFAULT_SETTINGS = DedupeSettings()

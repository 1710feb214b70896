"""
Clusters of postings of one job across sources, their canonical record, and reposts in one source.

Candidates come from two places, so that the work per posting stays near-constant however many
postings the index holds: the block of postings with the same company key and title key, and the
postings whose description MinHash shares an LSH band with this one (bands chosen by datasketch's
`MinHashLSH` optimiser, stored as sorted columns: `crawler.dedupe.bands`). Only candidates of the
same company key from another board are compared (`compare_features`); a pair whose descriptions
are too far apart for any rule is rejected from its MinHash values alone, over whole columns,
before any Python-level comparison.

Accepted pairs are merged closest first (`Comparison.strength`, then ids), pairs with descriptions
before pairs accepted on title and place alone (which merge only when they point into one
cluster). A merge is refused when it would put two postings of one board into one cluster (one
board lists a job once, so two of its postings are two jobs, or a repost, which is level 2's
business), or two postings that, compared directly, are two jobs: so an aggregator posting that
resembles two jobs cannot chain them together. Because the pairs and their order do not depend on
the input order, `cluster()` gives the same answer for any order.

The canonical record of a cluster is the most authoritative source (an ATS, then a career page
read from its own HTML, then anything else), then the richest record (filled fields, then the
longer description), then the earliest `first_seen`, then the smallest id. A cluster's id is
derived from its canonical id, so it changes only when the canonical record does.

Reposts (`find_reposts`, `DedupeIndex.predecessor`, `DedupeIndex.reposts`): postings of one board
with the same company key, the same normalised title, the same places and descriptions whose
Jaccard estimate reaches `repost_description_min`. Each posting's predecessor is the newest older
one (by `first_seen`, then `date_posted`, then id) that matches, so a job reposted twice forms a
chain.

The index keeps its postings in a `FeatureTable` (columns, interned strings, one uint32 MinHash
row each) and its clusters as a row-to-cluster column plus sets for the clusters of two or more:
a posting alone costs no Python object beyond its id.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np

from crawler.dedupe.bands import (
    band_hashes,
    band_match,
    band_parameters,
    pairs_of_equal,
    unique_pairs,
)
from crawler.dedupe.settings import DEFAULT_SETTINGS, DedupeSettings
from crawler.dedupe.similarity import Comparison, compare_features
from crawler.dedupe.table import (
    Column,
    FeatureBatch,
    FeatureTable,
    RowAge,
    feature_batch,
    feature_batches,
    probe_view,
)
from crawler.items import JobPosting

__all__ = [
    "Assignment",
    "BuildStats",
    "DedupeIndex",
    "Match",
    "cluster",
    "cluster_id_for",
    "find_reposts",
]

_REPOST_LOOKBACK: Final = 50
"""Older postings of a repost group compared per posting, newest first: a board that lists the
same job hundreds of times stays linear."""
_PREFILTER_CHUNK: Final = 1 << 16
"""Candidate pairs whose MinHash values are gathered at once (2 x 32 MB at 128 permutations)."""
_MARGIN: Final = 1e-9
"""The column prefilter rejects only pairs clearly below both thresholds; the rest are compared."""

_Pair = tuple[int, int, Comparison]


def cluster_id_for(canonical_id: str) -> str:
    """The id of the cluster whose canonical record is `canonical_id` (singletons included)."""
    return "c" + hashlib.blake2b(canonical_id.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one posting stands: the canonical record it duplicates (None if it is one)."""

    job_id: str
    duplicate_of: str | None
    cluster_id: str


@dataclass(frozen=True, slots=True)
class Match:
    """An indexed posting that a new posting duplicates, and the cluster it would join."""

    job_id: str
    matched_id: str
    duplicate_of: str | None
    """The canonical record of the cluster once joined; None when the new posting would be it."""
    cluster_id: str
    comparison: Comparison


@dataclass(slots=True)
class BuildStats:
    """What the last `build()` / `from_batches()` did, for benchmarks and logs."""

    postings: int = 0
    candidates: int = 0
    """Distinct pairs of one employer on two boards sharing a title block or an LSH band."""
    compared: int = 0
    """Pairs compared in full; the others were too far apart by their MinHash values alone."""
    accepted: int = 0
    read_seconds: float = 0.0
    """Wall time spent taking in the features (including waiting for worker processes)."""
    candidate_seconds: float = 0.0
    compare_seconds: float = 0.0
    merge_seconds: float = 0.0


class DedupeIndex:
    """
    Postings indexed for duplicate detection, with their clusters kept up to date.

    Build it from stored postings with `DedupeIndex.build()`, then ask `match()` (cross-source
    duplicate) and `predecessor()` (repost) for each new posting and `add()` it; `add()` and
    `remove()` return the assignments that changed. Adding a posting whose id is indexed replaces
    it. `update()` takes many changes at once and gives the result of a rebuild. The index keeps
    features (keys, places, a MinHash), never the postings themselves.
    """

    def __init__(self, settings: DedupeSettings = DEFAULT_SETTINGS) -> None:
        self.settings = settings
        self.stats = BuildStats()
        self._table = FeatureTable(settings)
        self._bands = band_parameters(settings.lsh_threshold, settings.num_perm)
        self._edges: dict[int, dict[int, Comparison]] = {}
        self._cluster_of = Column(np.int32)
        """Row -> cluster number. A cluster's number is the row of one of its members, so a
        posting alone is numbered by its own row and needs no entry in the dicts below."""
        self._members: dict[int, set[int]] = {}
        self._boards: dict[int, set[int]] = {}
        self._canonical: dict[int, int] = {}
        self._by_company: dict[int, list[int]] | None = None
        """Rows by company number, made on the first single-posting call (a batch needs none)."""

    @classmethod
    def build(
        cls,
        postings: Iterable[JobPosting],
        settings: DedupeSettings = DEFAULT_SETTINGS,
        workers: int = 1,
    ) -> DedupeIndex:
        """
        An index of `postings`, clustered as a whole (the same result for any input order).

        `postings` may be a stream: only their features are kept. With `workers` > 1 the
        features are read by that many processes.
        """
        return cls.from_batches(feature_batches(postings, settings, workers), settings)

    @classmethod
    def from_batches(
        cls, batches: Iterable[FeatureBatch], settings: DedupeSettings = DEFAULT_SETTINGS
    ) -> DedupeIndex:
        """An index of postings already read by `feature_batch()`, clustered as a whole."""
        index = cls(settings)
        index.update(batches)
        return index

    # -- queries ----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._table.row_of)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._table.row_of

    def assignment(self, job_id: str) -> Assignment:
        """Where an indexed posting stands; KeyError when it is not indexed."""
        return self._assignment(self._table.row_of[job_id])

    def assignments(self) -> dict[str, Assignment]:
        """Every indexed posting's assignment, by id in sorted order."""
        row_of = self._table.row_of
        return {job_id: self._assignment(row_of[job_id]) for job_id in sorted(row_of)}

    def clusters(self, min_size: int = 2) -> dict[str, list[str]]:
        """Cluster id -> member ids (canonical first, then by id), for clusters of `min_size`+."""
        ids = self._table.ids
        found: dict[str, list[str]] = {}
        for number, members in self._members.items():
            if len(members) >= min_size:
                canonical = ids[self._canonical_of(number)]
                others = sorted(ids[member] for member in members if ids[member] != canonical)
                found[cluster_id_for(canonical)] = [canonical, *others]
        if min_size <= 1:
            for row in self._table.row_of.values():
                if self._cluster_of[row] not in self._members:
                    found[cluster_id_for(ids[row])] = [ids[row]]
        return dict(sorted(found.items(), key=lambda item: item[1][0]))

    def evidence(self, job_id: str) -> dict[str, Comparison]:
        """The accepted comparisons of an indexed posting, by the other posting's id."""
        ids = self._table.ids
        edges = self._edges.get(self._table.row_of[job_id], {})
        return dict(sorted((ids[other], comparison) for other, comparison in edges.items()))

    def reposts(self) -> list[tuple[str, str]]:
        """(predecessor id, repost id) pairs among the indexed postings, as `find_reposts()`."""
        return _repost_pairs(self._table)

    def match(self, posting: JobPosting) -> Match | None:
        """
        The indexed posting of another board that `posting` duplicates, closest first.

        The index is not changed. A candidate whose cluster already holds a posting of the same
        board as `posting` is passed over, as `add()` would refuse that merge; so are matches on
        title and place alone that point into more than one cluster.
        """
        batch = feature_batch([posting], self.settings)
        entry = probe_view(batch)
        table = self._table
        own_row = table.row_of.get(entry.id)
        own = None if own_row is None else self._cluster_of[own_row]
        board = table.boards.number.get(entry.board)
        found: list[tuple[bool, float, str, int, Comparison]] = []
        for other in self._probe_candidates(batch, exclude=own_row):
            comparison = compare_features(entry, table.view(other), self.settings)
            number = self._cluster_of[other]
            if comparison.duplicate and (number == own or board not in self._boards_of(number)):
                found.append(
                    (comparison.weak, -comparison.strength, table.ids[other], other, comparison)
                )
        found.sort(key=lambda item: item[:3])
        if not found:
            return None
        weak, _, other_id, other, comparison = found[0]
        if weak and len({self._cluster_of[item[3]] for item in found}) > 1:
            return None
        number = self._cluster_of[other]
        canonical = table.ids[self._canonical_of(number)]
        if number != own:
            best = min(table.rank(self._canonical_of(number)), _probe_rank(batch))
            canonical = best[-1]
        duplicate_of = None if canonical == entry.id else canonical
        return Match(entry.id, other_id, duplicate_of, cluster_id_for(canonical), comparison)

    def predecessor(self, posting: JobPosting) -> str | None:
        """The id of the indexed posting that `posting` reposts (the newest older match), if any."""
        batch = feature_batch([posting], self.settings)
        table = self._table
        keys = table.lookup(batch)
        if keys.company is None or not batch.shingles[0]:
            return None
        rows = self._company_rows(keys.company)
        group = rows[
            (table.board.values[rows] == keys.board)
            & (table.title_key.values[rows] == keys.title_key)
            & (table.places.values[rows] == keys.places)
        ]
        age: RowAge = (int(batch.first_seen[0]), int(batch.posted[0]), batch.ids[0])
        older = sorted(
            (row for row in group.tolist() if table.ids[row] != age[2] and table.age(row) < age),
            key=table.age,
        )
        chosen = _newest_match(table, batch.signatures[0], older[-_REPOST_LOOKBACK:])
        return None if chosen is None else table.ids[chosen]

    # -- changes ----------------------------------------------------------------------------------

    def add(self, posting: JobPosting) -> list[Assignment]:
        """Index `posting` (replacing an indexed one of the same id); the assignments that changed."""
        changed: dict[str, Assignment] = {}
        if posting.id in self._table.row_of:
            changed.update((a.job_id, a) for a in self.remove(posting.id))
        row = self._append(feature_batch([posting], self.settings))[0]
        pairs: list[_Pair] = []
        for other in self._row_candidates(row):
            comparison = self._compare(row, other)
            if comparison is not None:
                pairs.append((row, other, comparison))
        before: dict[int, Assignment] = {}
        for _, other, _ in pairs:
            for member in self._members_of(self._cluster_of[other]):
                if member not in before:
                    before[member] = self._assignment(member)
        self._merge(pairs, scope=None)
        number = self._cluster_of[row]
        self._choose_canonical(number)
        for member in self._members_of(number):
            now = self._assignment(member)
            if member == row or before.get(member) != now:
                changed[now.job_id] = now
        return [changed[job_id] for job_id in sorted(changed)]

    def remove(self, job_id: str) -> list[Assignment]:
        """
        Take a posting out of the index; the assignments of the others that changed.

        Its cluster is re-formed from the accepted pairs among the remaining members, so a
        posting that held two others together no longer does.
        """
        table = self._table
        row = table.row_of[job_id]
        self._drop(row)
        number = self._cluster_of[row]
        remaining = self._members_of(number) - {row}
        before = {member: self._assignment(member) for member in remaining}
        self._members.pop(number, None)
        self._boards.pop(number, None)
        self._canonical.pop(number, None)
        for member in remaining:
            self._cluster_of.set(member, member)
        ids = table.ids
        pairs = [
            (member, other, comparison)
            for member in remaining
            for other, comparison in self._edges.get(member, {}).items()
            if other in remaining and ids[member] < ids[other]
        ]
        self._merge(pairs, scope=remaining)
        for new_number in {self._cluster_of[member] for member in remaining}:
            self._choose_canonical(new_number)
        changed = sorted((self._assignment(member) for member in remaining), key=_by_id)
        return [a for a in changed if before[table.row_of[a.job_id]] != a]

    def update(self, batches: Iterable[FeatureBatch], removed: Iterable[str] = ()) -> None:
        """
        Take out `removed`, index the postings of `batches` (replacing indexed postings of the same
        id) and re-cluster: the result is that of `from_batches()` over the postings now indexed.

        Only the pairs that hold a posting of `batches` are compared; the accepted pairs of the
        other postings are kept, since a comparison depends on its two postings alone. Clusters
        are then merged again from every accepted pair, as a build does, so that, unlike with
        `add()`, the order of arrival never decides a competing merge. An id given twice in
        `batches` is a `ValueError`. `stats` describes this call.
        """
        table = self._table
        stats = self.stats = BuildStats()
        started = time.perf_counter()
        before = len(table)
        for job_id in removed:
            if job_id in table.row_of:
                self._drop(table.row_of[job_id])
        for batch in batches:
            for job_id in batch.ids:
                row = table.row_of.get(job_id)
                if row is not None and row < before:
                    self._drop(row)
            self._append(batch)
        stats.postings = len(self)
        stats.read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        candidates = self._candidate_pairs(np.arange(before, len(table)) if before else None)
        stats.candidates = len(candidates)
        stats.candidate_seconds = time.perf_counter() - started
        started = time.perf_counter()
        stats.accepted = len(self._accepted(candidates))
        stats.compare_seconds = time.perf_counter() - started
        started = time.perf_counter()
        self._recluster()
        stats.merge_seconds = time.perf_counter() - started

    # -- internals: rows and candidates -----------------------------------------------------------

    def _drop(self, row: int) -> None:
        """Take a row out with its accepted pairs, leaving the clusters to `_recluster()`."""
        table = self._table
        table.kill(row)
        if self._by_company is not None:
            self._by_company[table.company[row]].remove(row)
        for other in self._edges.pop(row, {}):
            self._edges[other].pop(row, None)

    def _recluster(self) -> None:
        """Every cluster merged again from the accepted pairs of the live rows, as a build does."""
        self._cluster_of = Column(np.int32)
        self._cluster_of.extend(np.arange(len(self._table), dtype=np.int32))
        self._members.clear()
        self._boards.clear()
        self._canonical.clear()
        pairs = [
            (row, other, comparison)
            for row, edges in self._edges.items()
            for other, comparison in edges.items()
            if row < other
        ]
        self._merge(pairs, scope=None)
        for number in list(self._members):
            self._choose_canonical(number)

    def _append(self, batch: FeatureBatch) -> range:
        rows = self._table.extend(batch)
        self._cluster_of.extend(np.arange(rows.start, rows.stop, dtype=np.int32))
        if self._by_company is not None:
            for row in rows:
                self._by_company.setdefault(self._table.company[row], []).append(row)
        return rows

    def _company_rows(self, company: int) -> np.ndarray:
        """The live rows of one company number."""
        if self._by_company is None:
            table = self._table
            live = np.flatnonzero(table.alive.values)
            companies = table.company.values[live]
            order = np.argsort(companies, kind="stable")
            ordered = companies[order]
            starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
            groups = np.split(live[order], starts[1:])
            self._by_company = {
                int(ordered[start]): group.tolist()
                for start, group in zip(starts, groups, strict=True)
            }
        return np.array(self._by_company.get(company, ()), dtype=np.int64)

    def _row_candidates(self, row: int) -> list[int]:
        """Indexed postings of the same company key on other boards that may be the same job."""
        table = self._table
        signature = table.signatures.row(row) if table.has_signature(row) else None
        return self._candidates(
            table.company[row], table.title_key[row], table.board[row], signature, row
        )

    def _probe_candidates(self, batch: FeatureBatch, exclude: int | None) -> list[int]:
        board, company, title_key, _ = self._table.lookup(batch)
        if company is None:
            return []
        signature = batch.signatures[0] if batch.shingles[0] else None
        return self._candidates(company, title_key, board, signature, exclude)

    def _candidates(
        self,
        company: int,
        title_key: int | None,
        board: int | None,
        signature: np.ndarray | None,
        exclude: int | None,
    ) -> list[int]:
        """Rows of `company` on another board than `board` in the title block or an LSH band."""
        if company == 0:  # no employer, no cross-source match
            return []
        table = self._table
        rows = self._company_rows(company)
        rows = rows[(rows != exclude) & (table.board.values[rows] != board)]
        hit = table.title_key.values[rows] == title_key
        if signature is not None:
            signed = table.shingles.values[rows] > 0
            bands, band_rows = self._bands
            shared = band_match(table.signatures.take(rows[signed]), signature, bands, band_rows)
            hit[signed] |= shared
        return [int(row) for row in rows[hit]]

    def _candidate_pairs(self, among: np.ndarray | None = None) -> np.ndarray:
        """
        Every candidate pair of the whole table, (n, 2) rows, smaller row first; with `among`,
        only the pairs that hold one of those rows.
        """
        table = self._table
        company = table.company.values
        board = table.board.values
        eligible = np.flatnonzero(table.alive.values & (company > 0))
        chosen: np.ndarray | None = None
        if among is not None:
            chosen = np.zeros(len(table), dtype=np.bool_)
            chosen[among] = True

        def equal(keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
            """Pairs of equal keys across boards (holding a chosen row, when rows are chosen)."""
            if chosen is not None:
                near = np.isin(keys, keys[chosen[rows]])
                keys, rows = keys[near], rows[near]
            pairs = pairs_of_equal(keys, rows)
            kept = board[pairs[:, 0]] != board[pairs[:, 1]]
            if chosen is not None:
                kept &= chosen[pairs[:, 0]] | chosen[pairs[:, 1]]
            found: np.ndarray = pairs[kept]
            return found

        def parts() -> Iterator[np.ndarray]:
            blocks = company[eligible].astype(np.uint64) << np.uint64(32)
            blocks |= table.title_key.values[eligible].astype(np.uint64)
            yield equal(blocks, eligible)
            signed = eligible[table.shingles.values[eligible] > 0]
            bands, rows = self._bands
            for band in range(bands):
                hashes = np.concatenate(
                    [
                        band_hashes(part, company[start : start + len(part)])
                        for start, part in _block_starts(
                            table.signatures.slices(band * rows, (band + 1) * rows)
                        )
                    ]
                )
                found = equal(hashes[signed], signed)
                yield found[company[found[:, 0]] == company[found[:, 1]]]

        return unique_pairs(parts())

    def _accepted(self, candidates: np.ndarray) -> list[_Pair]:
        """
        The candidate pairs that compare as duplicates, with their comparisons remembered.

        Pairs with both descriptions whose Jaccard estimate is below `description_min` and whose
        containment is below `containment_min` fail the comparison whatever their titles and
        places: they are dropped from the MinHash columns alone, and the rest are compared.
        """
        table = self._table
        settings = self.settings
        accepted: list[_Pair] = []
        compared = 0
        shingles = table.shingles.values
        for start in range(0, len(candidates), _PREFILTER_CHUNK):
            chunk = candidates[start : start + _PREFILTER_CHUNK]
            first, second = chunk[:, 0], chunk[:, 1]
            signatures_a, signatures_b = table.signatures.take(first), table.signatures.take(second)
            size_a, size_b = shingles[first], shingles[second]
            estimate = np.count_nonzero(signatures_a == signatures_b, axis=1) / settings.num_perm
            smaller = np.maximum(np.minimum(size_a, size_b), 1)
            contained = estimate * (size_a + size_b) / (1 + estimate) / smaller
            hopeless = (
                (size_a > 0)
                & (size_b > 0)
                & (estimate < settings.description_min - _MARGIN)
                & (contained < settings.containment_min - _MARGIN)
            )
            kept = np.flatnonzero(~hopeless)
            compared += kept.size
            views = zip(
                first[kept].tolist(),
                second[kept].tolist(),
                table.views(first[kept], signatures_a[kept]),
                table.views(second[kept], signatures_b[kept]),
                strict=True,
            )
            for a, b, view_a, view_b in views:
                comparison = compare_features(view_a, view_b, settings)
                if comparison.duplicate:
                    self._remember(a, b, comparison)
                    accepted.append((a, b, comparison))
        self.stats.compared = compared
        return accepted

    def _compare(self, first: int, second: int) -> Comparison | None:
        """Compare and remember an accepted pair; None when rejected."""
        table = self._table
        comparison = compare_features(table.view(first), table.view(second), self.settings)
        if not comparison.duplicate:
            return None
        self._remember(first, second, comparison)
        return comparison

    def _remember(self, first: int, second: int, comparison: Comparison) -> None:
        self._edges.setdefault(first, {})[second] = comparison
        self._edges.setdefault(second, {})[first] = comparison

    # -- internals: clusters ----------------------------------------------------------------------

    def _members_of(self, number: int) -> set[int]:
        return self._members.get(number) or {number}

    def _boards_of(self, number: int) -> set[int]:
        return self._boards.get(number) or {self._table.board[number]}

    def _canonical_of(self, number: int) -> int:
        return self._canonical.get(number, number)

    def _assignment(self, row: int) -> Assignment:
        ids = self._table.ids
        canonical = ids[self._canonical_of(self._cluster_of[row])]
        job_id = ids[row]
        return Assignment(
            job_id, None if canonical == job_id else canonical, cluster_id_for(canonical)
        )

    def _merge(self, pairs: list[_Pair], scope: set[int] | None) -> None:
        """
        Merge accepted pairs: description evidence closest first, then title-and-place evidence.

        A pair accepted on title and place alone (no descriptions to compare) is merged only when
        neither posting has such a pair into another cluster: an aggregator's card "Sales
        Manager, Berlin" that fits two of the employer's Berlin jobs is left alone rather than
        given to one of them at random. `scope` limits the pairs considered (a re-formed cluster).
        Ties are broken by ids, never rows, so that the input order does not matter.
        """
        ids = self._table.ids

        def key(pair: _Pair) -> tuple[float, str, str]:
            first, second = sorted((ids[pair[0]], ids[pair[1]]))
            return (-pair[2].strength, first, second)

        strong = sorted((pair for pair in pairs if not pair[2].weak), key=key)
        weak = sorted((pair for pair in pairs if pair[2].weak), key=key)
        for first, second, _ in strong:
            self._union(first, second)
        ends = {row for first, second, _ in weak for row in (first, second)}
        reach = {row: self._weak_clusters(row, scope) for row in ends}
        for first, second, _ in weak:
            if len(reach[first]) == 1 and len(reach[second]) == 1:
                self._union(first, second)

    def _weak_clusters(self, row: int, scope: set[int] | None) -> set[int]:
        """The clusters of the postings that `row` matches on title and place alone."""
        return {
            self._cluster_of[other]
            for other, comparison in self._edges.get(row, {}).items()
            if comparison.weak and (scope is None or other in scope)
        }

    def _union(self, first: int, second: int) -> bool:
        """
        Merge the clusters of two postings unless that puts one board in a cluster twice, or
        joins two postings that, compared directly, are two jobs.

        The second check stops chains: a "Remote" aggregator posting that matches both a Berlin
        and a Munich posting of one text does not make those two one job.
        """
        a, b = self._cluster_of[first], self._cluster_of[second]
        if a == b:
            return False
        boards_a, boards_b = self._boards_of(a), self._boards_of(b)
        if boards_a & boards_b:
            return False
        members_a, members_b = self._members_of(a), self._members_of(b)
        if any(self._conflict(x, y) for x in members_a for y in members_b):
            return False
        if len(members_a) < len(members_b):
            a, b, members_a, members_b = b, a, members_b, members_a
        for member in members_b:
            self._cluster_of.set(member, a)
        self._members[a] = members_a | members_b
        self._boards[a] = boards_a | boards_b
        self._members.pop(b, None)
        self._boards.pop(b, None)
        self._canonical.pop(b, None)
        return True

    def _conflict(self, first: int, second: int) -> bool:
        """Compared directly, are the two postings two jobs (not merely undecided)?"""
        if second in self._edges.get(first, {}):
            return False
        table = self._table
        comparison = compare_features(table.view(first), table.view(second), self.settings)
        return not comparison.duplicate and comparison.reason != "no description"

    def _choose_canonical(self, number: int) -> None:
        members = self._members_of(number)
        canonical = min(members, key=self._table.rank)
        if len(members) > 1:
            self._canonical[number] = canonical
        else:
            self._canonical.pop(number, None)


def _by_id(assignment: Assignment) -> str:
    return assignment.job_id


def _block_starts(slices: Iterator[np.ndarray]) -> Iterator[tuple[int, np.ndarray]]:
    """Each block's slice with the row it starts at."""
    start = 0
    for part in slices:
        yield start, part
        start += len(part)


def _probe_rank(batch: FeatureBatch) -> tuple[int, int, int, int, str]:
    """The canonical order of a batch's first posting (`FeatureTable.rank` of a row)."""
    return (
        int(batch.authority[0]),
        -int(batch.richness[0]),
        -int(batch.length[0]),
        int(batch.first_seen[0]),
        batch.ids[0],
    )


def _newest_match(table: FeatureTable, signature: np.ndarray, older: list[int]) -> int | None:
    """The newest of `older` (rows oldest first) whose description is near `signature`."""
    window = np.array(older[::-1], dtype=np.int64)
    window = window[table.shingles.values[window] > 0]
    if not window.size:
        return None
    equal = np.count_nonzero(table.signatures.take(window) == signature, axis=1)
    near = np.flatnonzero(equal / signature.size >= table.settings.repost_description_min)
    return int(window[near[0]]) if near.size else None


def _repost_pairs(table: FeatureTable) -> list[tuple[str, str]]:
    """
    (predecessor id, repost id) for every live row with a predecessor, sorted.

    Rows are grouped by (board, company, title key, place set) with one sort over the columns;
    only groups of two or more are looked at, one by one.
    """
    live = np.flatnonzero(table.alive.values)
    columns = (table.places, table.title_key, table.company, table.board)
    order = live[np.lexsort(tuple(column.values[live] for column in columns))]
    keys = np.stack([column.values[order] for column in columns], axis=1)
    boundaries = np.flatnonzero((keys[1:] != keys[:-1]).any(axis=1)) + 1
    pairs: list[tuple[str, str]] = []
    for group in np.split(order, boundaries):
        if group.size < 2:
            continue
        members = sorted(group.tolist(), key=table.age)
        for position, row in enumerate(members):
            if position and table.has_signature(row):
                older = members[max(0, position - _REPOST_LOOKBACK) : position]
                found = _newest_match(table, table.signatures.row(row), older)
                if found is not None:
                    pairs.append((table.ids[found], table.ids[row]))
    return sorted(pairs)


def cluster(
    postings: Iterable[JobPosting], settings: DedupeSettings = DEFAULT_SETTINGS
) -> dict[str, Assignment]:
    """Every posting's `duplicate_of` and `cluster_id`, by id; the same for any input order."""
    return DedupeIndex.build(postings, settings).assignments()


def find_reposts(
    postings: Iterable[JobPosting], settings: DedupeSettings = DEFAULT_SETTINGS
) -> list[tuple[str, str]]:
    """(predecessor id, repost id) pairs among `postings`, sorted; each repost has one predecessor."""
    table = FeatureTable(settings)
    for batch in feature_batches(postings, settings):
        table.extend(batch)
    return _repost_pairs(table)

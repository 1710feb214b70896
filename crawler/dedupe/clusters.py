"""
Clusters of postings of one job across sources, their canonical record, and reposts in one source.

Candidates come from two places, so that the work per posting stays near-constant however many
postings the index holds: the block of postings with the same company key and title key, and the
postings whose description MinHash shares an LSH band with this one (datasketch `MinHashLSH`).
Only candidates of the same company key from another board are compared (`compare_features`).

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

Reposts (`find_reposts`, `DedupeIndex.predecessor`): postings of one board with the same company
key, the same normalised title, the same places and descriptions whose Jaccard estimate reaches
`repost_description_min`. Each posting's predecessor is the newest older one (by `first_seen`,
then `date_posted`, then id) that matches, so a job reposted twice forms a chain.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, TypeVar

from datasketch import MinHashLSH

from crawler.dedupe.settings import DEFAULT_SETTINGS, DedupeSettings
from crawler.dedupe.similarity import (
    Comparison,
    Features,
    Place,
    RankKey,
    compare_features,
    features,
)
from crawler.items import JobPosting

__all__ = ["Assignment", "DedupeIndex", "Match", "cluster", "cluster_id_for", "find_reposts"]

_REPOST_LOOKBACK: Final = 50
"""Older postings of a repost group compared per posting, newest first: a board that lists the
same job hundreds of times stays linear."""

_RepostKey = tuple[tuple[str, str], str, str, frozenset[Place]]
_K = TypeVar("_K")


@lru_cache(maxsize=16)
def _lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """
    The (bands, rows) that datasketch chooses for `threshold`, worked out once.

    datasketch integrates the false positive and negative rates over every split to choose
    them, which costs some 40 ms: more than clustering a small batch.
    """
    chosen = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return chosen.b, chosen.r


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


def _repost_key(entry: Features) -> _RepostKey:
    return (entry.board, entry.company, entry.title.key, frozenset(entry.places))


class DedupeIndex:
    """
    Postings indexed for duplicate detection, with their clusters kept up to date.

    Build it from stored postings with `DedupeIndex.build()`, then ask `match()` (cross-source
    duplicate) and `predecessor()` (repost) for each new posting and `add()` it; `add()` and
    `remove()` return the assignments that changed. Adding a posting whose id is indexed replaces
    it. The index keeps features (keys, places, a MinHash), never the postings themselves.
    """

    def __init__(self, settings: DedupeSettings = DEFAULT_SETTINGS) -> None:
        self.settings = settings
        self._features: dict[str, Features] = {}
        bands = _lsh_bands(settings.lsh_threshold, settings.num_perm)
        self._lsh = MinHashLSH(num_perm=settings.num_perm, params=bands)
        self._blocks: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._reposts: dict[_RepostKey, set[str]] = defaultdict(set)
        self._edges: dict[str, dict[str, Comparison]] = defaultdict(dict)
        self._cluster_of: dict[str, int] = {}
        self._members: dict[int, set[str]] = {}
        self._boards: dict[int, set[tuple[str, str]]] = {}
        self._canonical: dict[int, str] = {}
        self._next_cluster = 0

    @classmethod
    def build(
        cls, postings: Iterable[JobPosting], settings: DedupeSettings = DEFAULT_SETTINGS
    ) -> DedupeIndex:
        """An index of `postings`, clustered as a whole (the same result for any input order)."""
        index = cls(settings)
        entries = [features(posting, settings) for posting in postings]
        for entry in entries:
            if entry.id in index._features:
                raise ValueError(f"{entry.id}: id given twice")
            index._insert(entry)
        pairs: list[tuple[str, str, Comparison]] = []
        for entry in entries:
            for other_id in index._candidates(entry):
                if other_id > entry.id:
                    comparison = index._compare(entry, other_id)
                    if comparison is not None:
                        pairs.append((entry.id, other_id, comparison))
        index._merge(pairs, scope=None)
        for number in list(index._members):
            index._choose_canonical(number)
        return index

    # -- queries ----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._features)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._features

    def assignment(self, job_id: str) -> Assignment:
        """Where an indexed posting stands; KeyError when it is not indexed."""
        number = self._cluster_of[job_id]
        canonical = self._canonical[number]
        return Assignment(
            job_id, None if canonical == job_id else canonical, cluster_id_for(canonical)
        )

    def assignments(self) -> dict[str, Assignment]:
        """Every indexed posting's assignment, by id in sorted order."""
        return {job_id: self.assignment(job_id) for job_id in sorted(self._features)}

    def clusters(self, min_size: int = 2) -> dict[str, list[str]]:
        """Cluster id -> member ids (canonical first, then by id), for clusters of `min_size`+."""
        found: dict[str, list[str]] = {}
        for number, members in self._members.items():
            if len(members) >= min_size:
                canonical = self._canonical[number]
                others = sorted(members - {canonical})
                found[cluster_id_for(canonical)] = [canonical, *others]
        return dict(sorted(found.items(), key=lambda item: item[1][0]))

    def evidence(self, job_id: str) -> dict[str, Comparison]:
        """The accepted comparisons of an indexed posting, by the other posting's id."""
        return dict(sorted(self._edges.get(job_id, {}).items()))

    def match(self, posting: JobPosting) -> Match | None:
        """
        The indexed posting of another board that `posting` duplicates, closest first.

        The index is not changed. A candidate whose cluster already holds a posting of the same
        board as `posting` is passed over, as `add()` would refuse that merge; so are matches on
        title and place alone that point into more than one cluster.
        """
        entry = features(posting, self.settings)
        own = self._cluster_of.get(entry.id)
        found: list[tuple[bool, float, str, Comparison]] = []
        for other_id in self._candidates(entry):
            comparison = compare_features(entry, self._features[other_id], self.settings)
            number = self._cluster_of[other_id]
            if comparison.duplicate and (number == own or entry.board not in self._boards[number]):
                found.append((comparison.weak, -comparison.strength, other_id, comparison))
        found.sort(key=lambda item: item[:3])
        if not found:
            return None
        weak, _, other_id, comparison = found[0]
        if weak and len({self._cluster_of[item[2]] for item in found}) > 1:
            return None
        number = self._cluster_of[other_id]
        canonical = self._features[self._canonical[number]]
        if number != own:
            canonical = min(canonical, entry, key=_rank)
        duplicate_of = None if canonical.id == entry.id else canonical.id
        return Match(entry.id, other_id, duplicate_of, cluster_id_for(canonical.id), comparison)

    def predecessor(self, posting: JobPosting) -> str | None:
        """The id of the indexed posting that `posting` reposts (the newest older match), if any."""
        entry = features(posting, self.settings)
        group = [
            self._features[i] for i in self._reposts.get(_repost_key(entry), ()) if i != entry.id
        ]
        return _predecessor(entry, group, self.settings)

    # -- changes ----------------------------------------------------------------------------------

    def add(self, posting: JobPosting) -> list[Assignment]:
        """Index `posting` (replacing an indexed one of the same id); the assignments that changed."""
        changed: dict[str, Assignment] = {}
        if posting.id in self._features:
            changed.update((a.job_id, a) for a in self.remove(posting.id))
        entry = features(posting, self.settings)
        self._insert(entry)
        pairs: list[tuple[str, str, Comparison]] = []
        for other_id in self._candidates(entry):
            comparison = self._compare(entry, other_id)
            if comparison is not None:
                pairs.append((entry.id, other_id, comparison))
        before: dict[str, Assignment] = {}
        for _, other_id, _ in pairs:
            for member in self._members[self._cluster_of[other_id]]:
                if member not in before:
                    before[member] = self.assignment(member)
        self._merge(pairs, scope=None)
        number = self._cluster_of[entry.id]
        self._choose_canonical(number)
        for member in sorted(self._members[number]):
            now = self.assignment(member)
            if member == entry.id or before.get(member) != now:
                changed[member] = now
        return [changed[job_id] for job_id in sorted(changed)]

    def remove(self, job_id: str) -> list[Assignment]:
        """
        Take a posting out of the index; the assignments of the others that changed.

        Its cluster is re-formed from the accepted pairs among the remaining members, so a
        posting that held two others together no longer does.
        """
        entry = self._features.pop(job_id)
        if entry.minhash is not None and entry.company:
            self._lsh.remove(job_id)
        self._discard(self._blocks, (entry.company, entry.title.key), job_id)
        self._discard(self._reposts, _repost_key(entry), job_id)
        for other_id in self._edges.pop(job_id, {}):
            self._edges[other_id].pop(job_id, None)
        number = self._cluster_of.pop(job_id)
        remaining = self._members.pop(number) - {job_id}
        canonical = self._canonical.pop(number)
        del self._boards[number]
        before = {
            member: Assignment(
                member, None if canonical == member else canonical, cluster_id_for(canonical)
            )
            for member in remaining
        }
        for member in remaining:
            self._new_cluster(member)
        pairs = [
            (member, other_id, comparison)
            for member in remaining
            for other_id, comparison in self._edges.get(member, {}).items()
            if other_id in remaining and member < other_id
        ]
        self._merge(pairs, scope=remaining)
        numbers = {self._cluster_of[member] for member in remaining}
        for new_number in numbers:
            self._choose_canonical(new_number)
        changed = [self.assignment(member) for member in sorted(remaining)]
        return [assignment for assignment in changed if before[assignment.job_id] != assignment]

    # -- internals --------------------------------------------------------------------------------

    def _insert(self, entry: Features) -> None:
        self._features[entry.id] = entry
        if entry.minhash is not None and entry.company:  # no employer, no cross-source match
            self._lsh.insert(entry.id, entry.minhash, check_duplication=False)
        if entry.company:
            self._blocks[(entry.company, entry.title.key)].add(entry.id)
        self._reposts[_repost_key(entry)].add(entry.id)
        self._new_cluster(entry.id)

    def _new_cluster(self, job_id: str) -> None:
        number = self._next_cluster
        self._next_cluster += 1
        self._cluster_of[job_id] = number
        self._members[number] = {job_id}
        self._boards[number] = {self._features[job_id].board}
        self._canonical[number] = job_id

    def _candidates(self, entry: Features) -> set[str]:
        """Indexed postings of the same company key on other boards that may be the same job."""
        if not entry.company:
            return set()
        found = set(self._blocks.get((entry.company, entry.title.key), ()))
        if entry.minhash is not None:
            found.update(self._lsh.query(entry.minhash))
        found.discard(entry.id)
        return {
            other_id
            for other_id in found
            if self._features[other_id].company == entry.company
            and self._features[other_id].board != entry.board
        }

    def _compare(self, entry: Features, other_id: str) -> Comparison | None:
        """Compare and remember an accepted pair; None when rejected."""
        comparison = compare_features(entry, self._features[other_id], self.settings)
        if not comparison.duplicate:
            return None
        self._edges[entry.id][other_id] = comparison
        self._edges[other_id][entry.id] = comparison
        return comparison

    def _merge(self, pairs: list[tuple[str, str, Comparison]], scope: set[str] | None) -> None:
        """
        Merge accepted pairs: description evidence closest first, then title-and-place evidence.

        A pair accepted on title and place alone (no descriptions to compare) is merged only when
        neither posting has such a pair into another cluster: an aggregator's card "Sales
        Manager, Berlin" that fits two of the employer's Berlin jobs is left alone rather than
        given to one of them at random. `scope` limits the pairs considered (a re-formed cluster).
        """
        strong = sorted((-c.strength, a, b) for a, b, c in pairs if not c.weak)
        weak = sorted((-c.strength, a, b) for a, b, c in pairs if c.weak)
        for _, first, second in strong:
            self._union(first, second)
        ends = {job_id for _, a, b in weak for job_id in (a, b)}
        reach = {job_id: self._weak_clusters(job_id, scope) for job_id in ends}
        for _, first, second in weak:
            if len(reach[first]) == 1 and len(reach[second]) == 1:
                self._union(first, second)

    def _weak_clusters(self, job_id: str, scope: set[str] | None) -> set[int]:
        """The clusters of the postings that `job_id` matches on title and place alone."""
        return {
            self._cluster_of[other_id]
            for other_id, comparison in self._edges.get(job_id, {}).items()
            if comparison.weak and (scope is None or other_id in scope)
        }

    def _union(self, first: str, second: str) -> bool:
        """
        Merge the clusters of two postings unless that puts one board in a cluster twice, or
        joins two postings that, compared directly, are two jobs.

        The second check stops chains: a "Remote" aggregator posting that matches both a Berlin
        and a Munich posting of one text does not make those two one job.
        """
        a, b = self._cluster_of[first], self._cluster_of[second]
        if a == b or self._boards[a] & self._boards[b]:
            return False
        if any(self._conflict(x, y) for x in self._members[a] for y in self._members[b]):
            return False
        if len(self._members[a]) < len(self._members[b]):
            a, b = b, a
        for member in self._members.pop(b):
            self._cluster_of[member] = a
            self._members[a].add(member)
        self._boards[a] |= self._boards.pop(b)
        del self._canonical[b]
        return True

    def _conflict(self, first: str, second: str) -> bool:
        """Compared directly, are the two postings two jobs (not merely undecided)?"""
        if second in self._edges.get(first, {}):
            return False
        a, b = self._features[first], self._features[second]
        comparison = compare_features(a, b, self.settings)
        return not comparison.duplicate and comparison.reason != "no description"

    def _choose_canonical(self, number: int) -> None:
        members = (self._features[member] for member in self._members[number])
        self._canonical[number] = min(members, key=_rank).id

    @staticmethod
    def _discard(table: dict[_K, set[str]], key: _K, job_id: str) -> None:
        members = table.get(key)
        if members is not None:
            members.discard(job_id)
            if not members:
                del table[key]


def _rank(entry: Features) -> RankKey:
    return entry.rank


def _predecessor(entry: Features, group: list[Features], settings: DedupeSettings) -> str | None:
    """The newest posting in `group` older than `entry` whose description matches it."""
    if entry.minhash is None:
        return None
    older = sorted((other for other in group if other.age < entry.age), key=lambda o: o.age)
    for other in reversed(older[-_REPOST_LOOKBACK:]):
        if other.minhash is not None and _near_identical(entry, other, settings):
            return other.id
    return None


def _near_identical(a: Features, b: Features, settings: DedupeSettings) -> bool:
    """
    Jaccard at `repost_description_min`.

    Containment is no evidence here: a board's jobs share its boilerplate, so a short text is
    often found inside another job's longer one.
    """
    if a.minhash is None or b.minhash is None:
        return False
    return bool(a.minhash.jaccard(b.minhash) >= settings.repost_description_min)


def cluster(
    postings: Iterable[JobPosting], settings: DedupeSettings = DEFAULT_SETTINGS
) -> dict[str, Assignment]:
    """Every posting's `duplicate_of` and `cluster_id`, by id; the same for any input order."""
    return DedupeIndex.build(postings, settings).assignments()


def find_reposts(
    postings: Iterable[JobPosting], settings: DedupeSettings = DEFAULT_SETTINGS
) -> list[tuple[str, str]]:
    """(predecessor id, repost id) pairs among `postings`, sorted; each repost has one predecessor."""
    groups: dict[_RepostKey, list[Features]] = defaultdict(list)
    for posting in postings:
        entry = features(posting, settings)
        groups[_repost_key(entry)].append(entry)
    pairs: list[tuple[str, str]] = []
    for group in groups.values():
        for entry in group:
            previous = _predecessor(entry, group, settings)
            if previous is not None:
                pairs.append((previous, entry.id))
    return sorted(pairs)

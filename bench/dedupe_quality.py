"""Precision and recall of duplicate detection on the labelled pairs, at several thresholds.

    python bench/dedupe_quality.py [--split tune] [--choose]

The labelled set is tests/data/dedupe/ (pairs.jsonl, postings.jsonl; README.md says how each kind
of pair was made from the real recorded postings). It has three splits: `tune` (thresholds are
chosen on it), `holdout` (pairs from other real postings, never used for choosing) and `fresh`
(other edit templates, written after the rules were frozen).

Printed, as Markdown tables:

1. the grid: every combination of title_min x description_min x containment_min (level 3) and
   repost_description_min (level 2), each pair decided alone with the default shingles;
2. with `--choose`: the combination with the best recall at precision >= 0.99 on `--split`
   (ties go to the higher thresholds);
3. the whole engine at the current defaults (`DedupeSettings()`), per split: each pair run alone
   through `cluster()` / `find_reposts()`, and all postings of a split clustered at once;
4. shingle size and num_perm at the current thresholds, whole engine, `--split`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.dedupe import DedupeSettings, cluster, find_reposts
from crawler.dedupe.similarity import Features, compare_features, features
from crawler.items import JobPosting

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "dedupe"
SPLITS = ("tune", "holdout", "fresh")
"""`fresh` is absent until the last round of templates is written (see README.md)."""
TITLE_MINS = (80.0, 85.0, 90.0, 95.0, 100.0)
DESCRIPTION_MINS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CONTAINMENT_MINS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
MIN_WORDS = (10, 20, 30, 40, 60)
REPOST_MINS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
PRECISION_FLOOR = 0.99


@dataclass(frozen=True)
class Pair:
    name: str
    a: str
    b: str
    duplicate: bool
    level: int
    kind: str
    split: str


def load() -> tuple[dict[str, JobPosting], list[Pair]]:
    postings: dict[str, JobPosting] = {}
    with (DATA / "postings.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)["posting"]
            postings[record["id"]] = JobPosting.model_validate(record)
    pairs: list[Pair] = []
    with (DATA / "pairs.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            raw = json.loads(line)
            pairs.append(
                Pair(
                    raw["pair"], raw["a"], raw["b"], raw["label"] == "duplicate", raw["level"],
                    raw["kind"], raw["split"],
                )
            )  # fmt: skip
    return postings, pairs


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        if truth and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def cells(self) -> str:
        return f"{self.precision:.3f} | {self.recall:.3f} | {self.tp} | {self.fp} | {self.fn} | {self.tn}"


def pair_alone(pair: Pair, postings: dict[str, JobPosting], settings: DedupeSettings) -> bool:
    """The whole engine on the two postings alone."""
    a, b = postings[pair.a], postings[pair.b]
    if pair.level == 2:
        return bool(find_reposts([a, b], settings))
    found = cluster([a, b], settings)
    return found[a.id].cluster_id == found[b.id].cluster_id


def whole_split(
    pairs: list[Pair], postings: dict[str, JobPosting], settings: DedupeSettings
) -> Score:
    """All postings of the split clustered (level 3) and searched for reposts (level 2) at once;
    a level-2 pair counts as found when the two are in one repost chain."""
    ids = sorted({i for pair in pairs for i in (pair.a, pair.b)})
    chosen = [postings[i] for i in ids]
    clusters = cluster(chosen, settings)
    chains = _Chains(find_reposts(chosen, settings))
    score = Score()
    for pair in pairs:
        if pair.level == 3:
            predicted = clusters[pair.a].cluster_id == clusters[pair.b].cluster_id
        else:
            predicted = chains.joined(pair.a, pair.b)
        score.add(pair.duplicate, predicted)
    return score


class _Chains:
    def __init__(self, links: Iterable[tuple[str, str]]) -> None:
        self.parent: dict[str, str] = {}
        for older, newer in links:
            self.parent[self.root(newer)] = self.root(older)

    def root(self, item: str) -> str:
        while self.parent.get(item, item) != item:
            item = self.parent[item]
        return item

    def joined(self, a: str, b: str) -> bool:
        return self.root(a) == self.root(b)


def grid(
    pairs: list[Pair], postings: dict[str, JobPosting], split: str
) -> tuple[list[tuple[DedupeSettings, Score]], dict[float, Score]]:
    """Level-3 pairs decided by `compare_features`, level-2 pairs by `find_reposts`."""
    base = DedupeSettings()
    chosen = [pair for pair in pairs if pair.split == split]
    cache: dict[tuple[str, int], Features] = {}

    def feature(job_id: str, settings: DedupeSettings) -> Features:
        key = (job_id, settings.min_description_words)
        if key not in cache:
            cache[key] = features(postings[job_id], settings)
        return cache[key]

    rows: list[tuple[DedupeSettings, Score]] = []
    level2: dict[float, Score] = {}
    for repost_min in REPOST_MINS:
        settings = replace(base, repost_description_min=repost_min)
        score = Score()
        for pair in chosen:
            if pair.level == 2:
                score.add(pair.duplicate, pair_alone(pair, postings, settings))
        level2[repost_min] = score
    for title_min, description_min, containment_min, min_words in itertools.product(
        TITLE_MINS, DESCRIPTION_MINS, CONTAINMENT_MINS, MIN_WORDS
    ):
        settings = replace(
            base,
            title_min=title_min,
            description_min=description_min,
            containment_min=containment_min,
            min_description_words=min_words,
            lsh_threshold=min(base.lsh_threshold, description_min),
        )
        score = Score()
        for pair in chosen:
            if pair.level == 3:
                a, b = feature(pair.a, settings), feature(pair.b, settings)
                decided = compare_features(a, b, settings)
                score.add(pair.duplicate, decided.duplicate)
        rows.append((settings, score))
    return rows, level2


def choose(rows: list[tuple[DedupeSettings, Score]]) -> tuple[DedupeSettings, Score]:
    good = [(s, score) for s, score in rows if score.precision >= PRECISION_FLOOR]
    return max(
        good,
        key=lambda item: (
            item[1].recall, item[1].precision, item[0].description_min, item[0].title_min,
            item[0].containment_min, -item[0].min_description_words,
        ),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--split", default="tune", choices=SPLITS)
    parser.add_argument("--choose", action="store_true")
    options = parser.parse_args()
    postings, pairs = load()
    counts = {split: sum(1 for p in pairs if p.split == split) for split in SPLITS}
    print(f"{len(pairs)} labelled pairs ({counts}), {len(postings)} postings\n")

    rows, level2 = grid(pairs, postings, options.split)
    print(f"## Level 3 grid, split `{options.split}`, each pair decided alone\n")
    print(
        "| title_min | description_min | containment_min | min_description_words "
        "| precision | recall | TP | FP | FN | TN |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for settings, score in rows:
        print(
            f"| {settings.title_min:g} | {settings.description_min:g} | "
            f"{settings.containment_min:g} | {settings.min_description_words} | {score.cells()} |"
        )
    print(f"\n## Level 2 (reposts), split `{options.split}`, each pair alone\n")
    print("| repost_description_min | precision | recall | TP | FP | FN | TN |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for repost_min, score in level2.items():
        print(f"| {repost_min:g} | {score.cells()} |")
    if options.choose:
        settings, score = choose(rows)
        print(
            f"\nchosen on `{options.split}`: title_min={settings.title_min:g} "
            f"description_min={settings.description_min:g} "
            f"containment_min={settings.containment_min:g} "
            f"min_description_words={settings.min_description_words} ({score.cells()})"
        )

    defaults = DedupeSettings()
    print(f"\n## Whole engine at the defaults: {defaults}\n")
    print("| split | level | evaluation | precision | recall | TP | FP | FN | TN |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for split in SPLITS:
        chosen = [p for p in pairs if p.split == split]
        for level in (3, 2):
            alone = Score()
            for pair in chosen:
                if pair.level == level:
                    alone.add(pair.duplicate, pair_alone(pair, postings, defaults))
            whole = whole_split([p for p in chosen if p.level == level], postings, defaults)
            print(f"| {split} | {level} | each pair alone | {alone.cells()} |")
            print(f"| {split} | {level} | whole split at once | {whole.cells()} |")
        both = Score()
        for pair in chosen:
            both.add(pair.duplicate, pair_alone(pair, postings, defaults))
        print(f"| {split} | 2+3 | each pair alone | {both.cells()} |")

    print(f"\n## Shingle size and num_perm, whole engine, split `{options.split}`, pairs alone\n")
    print("| shingle_size | num_perm | precision | recall | TP | FP | FN | TN |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    chosen = [p for p in pairs if p.split == options.split]
    for size, perms in ((2, 128), (3, 64), (3, 128), (3, 256), (4, 128), (5, 128)):
        settings = replace(defaults, shingle_size=size, num_perm=perms)
        score = Score()
        for pair in chosen:
            score.add(pair.duplicate, pair_alone(pair, postings, settings))
        print(f"| {size} | {perms} | {score.cells()} |")
    print("\n## Level 2 by description length (shorter text of the pair), all splits, defaults\n")
    print("| words | precision | recall | TP | FP | FN | TN |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, low, high in (("under 150", 0, 150), ("150 and more", 150, 10**9)):
        score = Score()
        for pair in pairs:
            words = min(len((postings[i].description_text or "").split()) for i in (pair.a, pair.b))
            if pair.level == 2 and low <= words < high:
                score.add(pair.duplicate, pair_alone(pair, postings, defaults))
        print(f"| {label} | {score.cells()} |")
    errors = [p for p in pairs if pair_alone(p, postings, defaults) != p.duplicate]
    print(f"\n## Pairs decided wrongly at the defaults ({len(errors)})\n")
    for pair in errors:
        detail: dict[str, Any] = {"a": pair.a, "b": pair.b}
        print(f"- {pair.name} ({pair.split}, level {pair.level}, {pair.kind}, "
              f"labelled {'duplicate' if pair.duplicate else 'distinct'}): {detail}")  # fmt: skip


if __name__ == "__main__":
    main()

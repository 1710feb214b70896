"""Duplicate detection speed: postings per second and how the cost grows from 1k to 20k postings.

    python bench/dedupe_speed.py [--sizes 1000,2000,5000,10000,20000] [--repeat 3] [--workers 1]

The postings are synthetic (generated here, seeded): employers with their own boilerplate (an
about-us paragraph and an equal-opportunity statement, as real boards have), jobs whose titles
combine a level, a role and a team, descriptions of about 350 words drawn from a 3,000-word
vocabulary, and one place each. A fifth of the jobs are also posted on a job board with realistic
edits (abbreviated title, place written another way, the boilerplate cut), so the clusters, the LSH
candidates and the blocks are all exercised. Timed: `DedupeIndex.build()` over all postings
(features, LSH, blocks, comparisons, clustering), then `add()` of 500 more postings one by one.
Times are CPU seconds of this process (`time.process_time`), so that other work on the machine
disturbs them less than wall time; with `--workers` > 1 the features are read by worker
processes, whose time this does not count, so the build is then timed in wall seconds. Building
the `JobPosting` objects is not timed. Memory is what `tracemalloc` sees held by the built index
(numpy arrays included), measured in a separate build. The share of planted pairs found is a
sanity check only; the measured quality is in `bench/dedupe_quality.py`.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.dedupe import DedupeIndex
from crawler.items import JobPosting, Location

LEVELS = ("", "Senior ", "Staff ", "Junior ", "Principal ", "Lead ")
ROLES = (
    "Software Engineer", "Data Engineer", "Product Manager", "Account Executive", "Designer",
    "Data Scientist", "Recruiter", "Support Specialist", "Security Engineer", "Analyst",
)  # fmt: skip
TEAMS = ("", ", Backend", ", Frontend", ", Payments", ", Growth", ", Platform", ", Mobile")
CITIES = (
    ("Berlin", None, "DE"), ("Paris", None, "FR"), ("London", None, "GB"), ("Austin", "TX", "US"),
    ("Toronto", "ON", "CA"), ("Madrid", None, "ES"), ("Stockholm", None, "SE"),
    ("Chicago", "IL", "US"), ("Dublin", None, "IE"), ("Warsaw", None, "PL"),
)  # fmt: skip
WORDS = 3000
JOB_WORDS = 250
BOILERPLATE_WORDS = 60


class Corpus:
    """Seeded synthetic postings and the planted duplicate pairs."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.vocabulary = [f"w{index}" for index in range(WORDS)]
        # Word use falls off as in real text: a few words are everywhere, most are rare.
        self.weights = [1 / (rank + 1) for rank in range(WORDS)]
        self.companies: dict[str, str] = {}
        self.planted: list[tuple[str, str]] = []

    def words(self, count: int) -> str:
        return " ".join(self.random.choices(self.vocabulary, self.weights, k=count))

    def company(self, number: int) -> tuple[str, str]:
        name = f"Company {number}"
        if name not in self.companies:
            self.companies[name] = self.words(BOILERPLATE_WORDS)
        return name, self.companies[name]

    def postings(self, count: int, start: int) -> list[JobPosting]:
        made: list[JobPosting] = []
        for number in range(start, start + count):
            company, boilerplate = self.company(number // 25)
            title = (
                self.random.choice(LEVELS) + self.random.choice(ROLES) + self.random.choice(TEAMS)
            )
            city, region, country = self.random.choice(CITIES)
            lines = [self.words(30) for _ in range(JOB_WORDS // 30)]
            text = "\n".join([boilerplate, *lines, boilerplate[::-1]])
            job = JobPosting(
                id=f"greenhouse:b{number // 25}:{number}", source="greenhouse",
                source_key=f"b{number // 25}", source_id=str(number),
                url=f"https://example.test/{number}", title=title, company=company,
                locations=[Location(city=city, region=region, country=country)],
                description_text=text,
            )  # fmt: skip
            made.append(job)
            if self.random.random() < 0.2:
                made.append(self.copy(job, lines, number))
        return made

    def copy(self, job: JobPosting, lines: list[str], number: int) -> JobPosting:
        """The job as a board shows it: title abbreviated, place as text, boilerplate cut."""
        place = job.locations[0]
        title = job.title.replace("Senior", "Sr.").replace("Engineer", "Eng.")
        copy = job.model_copy(
            update={
                "id": f"jobboard:jobboard:{number}", "source": "jobboard", "source_key": "jobboard",
                "title": f"{title} - {place.city}", "company": f"{job.company}, Inc.",
                "locations": [Location(city=place.city, country=place.country)],
                "description_text": "\n".join(lines[:-1]),
            }
        )  # fmt: skip
        self.planted.append((job.id, copy.id))
        return copy


def run(size: int, seed: int, workers: int) -> tuple[float, float, float]:
    """(build seconds, add() seconds per posting, share of planted pairs found)."""
    corpus = Corpus(seed)
    postings = corpus.postings(size, 0)[:size]
    extra = corpus.postings(500, size * 2)[:500]
    gc.collect()
    clock = time.process_time if workers <= 1 else time.perf_counter
    started = clock()
    index = DedupeIndex.build(postings, workers=workers)
    built = clock() - started
    started = time.process_time()
    for posting in extra:
        index.add(posting)
    added = (time.process_time() - started) / len(extra)
    found = sum(
        1 for a, b in corpus.planted
        if a in index and b in index and index.assignment(a).cluster_id == index.assignment(b).cluster_id
    )  # fmt: skip
    present = sum(1 for a, b in corpus.planted if a in index and b in index)
    return built, added, found / max(present, 1)


def memory(size: int, seed: int) -> float:
    """Bytes that a built index of `size` postings holds, per posting (tracemalloc)."""
    postings = Corpus(seed).postings(size, 0)[:size]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    index = DedupeIndex.build(postings)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(index) == size
    return held / size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,2000,5000,10000,20000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    DedupeIndex.build(Corpus(99).postings(200, 0))  # first-use costs: regexes, pycountry tables
    unit = "CPU seconds of this process" if options.workers <= 1 else "wall seconds"
    print(
        f"python {platform.python_version()} on {platform.machine()}, {unit}, "
        f"median of {options.repeat}, {options.workers} worker(s); "
        f"load average at start {os.getloadavg()[0]:.1f}"
    )
    print("\n| postings | build (s) | postings/s | µs per posting | add() µs per posting "
          "| KB per posting | planted pairs found |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        runs = [run(size, seed, options.workers) for seed in range(options.repeat)]
        built = statistics.median(r[0] for r in runs)
        added = statistics.median(r[1] for r in runs)
        recall = statistics.median(r[2] for r in runs)
        held = memory(size, 0)
        print(
            f"| {size:,} | {built:.2f} | {size / built:,.0f} | {built / size * 1e6:,.0f} "
            f"| {added * 1e6:,.0f} | {held / 1024:.2f} | {recall:.3f} |"
        )
    print(f"\nload average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

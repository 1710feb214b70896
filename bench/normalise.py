"""Postings normalised per second, on recorded real postings, with and without the description work.

    python bench/normalise.py [--repeat 7] [--rounds 200] [--cpu-time]

Each round normalises every posting extracted from the recorded responses in tests/fixtures/ once,
each description made distinct per round so that no cache hides the HTML work; a repeat times
`--rounds` rounds. The figure is the median over `--repeat` repeats, on one core (this
process). "without description" drops `description_html` before normalising, which measures dates,
salary, locations, employment type and the schema model alone. Cases whose extraction is expected
to fail (an `error.json`) give no postings. `--cpu-time` times with this thread's CPU clock, which
waiting for a busy machine's cores does not inflate.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.items import RawPosting
from crawler.normalise import normalise
from tests.extract_cases import all_cases

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def recorded_postings() -> list[RawPosting]:
    postings: list[RawPosting] = []
    for case in all_cases():
        if case.meta["provenance"].startswith("real:") and case.expected_error() is None:
            postings.extend(RawPosting(**posting) for posting in case.run()["postings"])
    return postings


def unique_rounds(postings: list[RawPosting], rounds: int) -> list[list[RawPosting]]:
    """Each round's postings carry a distinct description, so no cache hides the HTML work."""
    return [
        [
            dataclasses.replace(p, description_html=f"{p.description_html}<p>Ref {r}-{i}</p>")
            if p.description_html
            else p
            for i, p in enumerate(postings)
        ]
        for r in range(rounds)
    ]


def rate(postings: list[RawPosting], rounds: int, clock: Callable[[], float]) -> float:
    batches = unique_rounds(postings, rounds)
    started = clock()
    for batch in batches:
        for posting in batch:
            normalise(posting, now=NOW)
    return rounds * len(postings) / (clock() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="count this thread's CPU time, not wall time: less disturbed by other work",
    )
    options = parser.parse_args()
    clock = time.thread_time if options.cpu_time else time.perf_counter
    full = recorded_postings()
    bare = [dataclasses.replace(p, description_html=None) for p in full]
    for posting in full:  # warm the caches and dateparser's first-call cost, as a long crawl would
        normalise(posting, now=NOW)
    size = sum(len(p.description_html or "") for p in full) // max(len(full), 1)
    print(f"python {platform.python_version()} on {platform.machine()}, {len(full)} real postings, "
          f"mean description {size:,} characters")  # fmt: skip
    for label, postings in (("full postings", full), ("without description", bare)):
        runs = [rate(postings, options.rounds, clock) for _ in range(options.repeat)]
        print(
            f"{label:>20}: median {statistics.median(runs):,.0f} postings/s "
            f"(min {min(runs):,.0f}, max {max(runs):,.0f}, {options.repeat} runs)"
        )


if __name__ == "__main__":
    main()

"""
Every end-to-end figure of docs/benchmarks.md in one run, side by side on the same machine.

    python bench/run_all.py [--quick] [--runs 3] [--out results.json]

In order: the machine (cores, load, Python), Scrapy's ceiling (`scrapy bench` pages per second),
jobcrawl end to end on both shapes of `bench/server.py` with a re-crawl of the unchanged world,
peak RSS at the base size and at the big size, and per-stage costs. It prints a Markdown table and
the targets of issue 9 marked met or not met; `--out` also keeps every figure as JSON. `--quick` is
a smoke run on tiny worlds (seconds, not minutes): its figures say nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crawl
import server

TARGET_CEILING_SHARE = 0.70
TARGET_BULK_POSTINGS_PER_S = 2000
TARGET_RSS_MB = 300
TARGET_RECRAWL_FACTOR = 10


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "cores": os.cpu_count(),
        "load_1_5_15": [round(value, 2) for value in load],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def stages(shape: str, postings: int) -> dict[str, float]:
    """Per-stage costs, measured in a process of their own."""
    command = [crawl.PYTHON, str(Path(crawl.__file__)), "--stages", "--shape", shape]
    finished = subprocess.run(
        [*command, "--postings", str(postings)], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def server_capacity(size: int, boards: int) -> float:
    """The benchmark server's own requests per second, to a Python asyncio client on this machine."""
    with (
        tempfile.TemporaryDirectory(prefix="jobcrawl-load-") as folder,
        crawl.server("pages", size, boards, Path(folder)) as site,
    ):
        return server.load(site.url, "/robots.txt")


def run(quick: bool, runs: int) -> dict[str, Any]:
    size, big, boards = (400, 1000, 10) if quick else (20_000, 100_000, 200)
    results: dict[str, Any] = {"machine": machine(), "quick": quick}
    ceilings = [crawl.ceiling(3 if quick else 10) for _ in range(runs)]
    results["ceiling_pages_per_s"] = statistics.median(c["pages_per_s"] for c in ceilings)
    results["ceiling_runs"] = [c["pages_per_s"] for c in ceilings]
    for shape in ("pages", "bulk"):
        results[shape] = strip(crawl.measure(shape, size, runs, boards))
    # The big world has more boards of the same size, not bigger boards: a crawl holds a few whole
    # listing responses at a time, so its memory follows the biggest board, not the posting count.
    results["bulk_big"] = strip(crawl.measure("bulk", big, 1, boards * big // size))
    results["stages"] = {shape: stages(shape, size) for shape in ("pages", "bulk")}
    results["server_requests_per_s"] = server_capacity(size, boards)
    results["machine_after"] = machine()
    results["targets"] = targets(results)
    return results


def strip(measured: dict[str, Any]) -> dict[str, Any]:
    """Medians, plus each run's seconds so the spread shows."""
    kept = {k: v for k, v in measured.items() if not k.startswith("all_")}
    kept["first_seconds"] = [r["seconds"] for r in measured["all_first"]]
    kept["recrawl_seconds"] = [r["seconds"] for r in measured["all_recrawl"]]
    return kept


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each target of issue 9."""
    pages, bulk, big = results["pages"]["first"], results["bulk"]["first"], results["bulk_big"]
    share = pages["requests_per_s"] / results["ceiling_pages_per_s"]
    rss = max(pages["rss_mb"], bulk["rss_mb"])
    factor = pages["requests"] / max(results["pages"]["recrawl"]["requests"], 1)
    return [
        (
            "one page per posting >= 70 % of scrapy bench",
            f"{share:.0%} ({pages['requests_per_s']:,.0f} of "
            f"{results['ceiling_pages_per_s']:,.0f} pages/s)",
            share >= TARGET_CEILING_SHARE,
        ),
        (
            "bulk APIs >= 2,000 postings/s end to end",
            f"{bulk['postings_per_s']:,.0f} postings/s",
            bulk["postings_per_s"] >= TARGET_BULK_POSTINGS_PER_S,
        ),
        (
            "peak RSS < 300 MB at the big size, flat",
            f"{big['first']['rss_mb']:,.0f} MB at {big['postings']:,} vs {rss:,.0f} MB at "
            f"{bulk['postings']:,} (before the duplicate refresh: "
            f"{big['first']['crawl_rss_mb']:,.0f} vs {bulk['crawl_rss_mb']:,.0f} MB)",
            big["first"]["rss_mb"] < TARGET_RSS_MB,
        ),
        (
            "re-crawl >= 10x fewer requests (one page per posting)",
            f"{factor:,.1f}x ({pages['requests']:,} -> {results['pages']['recrawl']['requests']:,})",
            factor >= TARGET_RECRAWL_FACTOR,
        ),
    ]


def table(results: dict[str, Any]) -> str:
    """The Markdown table of the end-to-end figures."""
    lines = [
        "| shape | boards | postings | requests | seconds | of which duplicate refresh"
        " | postings/s | requests/s | postings/CPU-s | CPU s | peak RSS MB (before refresh)"
        " | re-crawl requests | re-crawl seconds (refresh) | re-crawl CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in ("pages", "bulk", "bulk_big"):
        measured = results[name]
        first, again = measured["first"], measured["recrawl"]
        lines.append(
            f"| {measured['shape']} | {measured['boards']:,} | {first['postings']:,} "
            f"| {first['requests']:,} | {first['seconds']:.1f} | {first['dedupe_seconds']:.1f} "
            f"| {first['postings_per_s']:,.0f} | {first['requests_per_s']:,.0f} "
            f"| {first['postings_per_cpu_s']:,.0f} | {first['cpu_seconds']:,.1f} "
            f"| {first['rss_mb']:,.0f} ({first['crawl_rss_mb']:,.0f}) "
            f"| {again['requests']:,} | {again['seconds']:.1f} ({again['dedupe_seconds']:.1f}) "
            f"| {again['cpu_seconds']:,.1f} |"
        )
    lines.append("")
    lines.append("| stage (µs per posting) | normalise | dedupe | store writes (CPU) |")
    lines.append("|---|---:|---:|---:|")
    for shape, cost in results["stages"].items():
        lines.append(
            f"| {shape} ({cost['postings']:,.0f} postings) | {cost['normalise_us']:,.0f} "
            f"| {cost['dedupe_us']:,.0f} | {cost['store_us']:,.0f} ({cost['store_cpu_us']:,.0f}) |"
        )
    lines.append("")
    lines.append("| target | measured | met |")
    lines.append("|---|---|---|")
    for target, measured_text, met in results["targets"]:
        lines.append(f"| {target} | {measured_text} | {'met' if met else 'not met'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny worlds, one run: a smoke test")
    parser.add_argument("--runs", type=int, help="runs per figure (default 3, 1 with --quick)")
    parser.add_argument("--out", type=Path, help="also write every figure here as JSON")
    options = parser.parse_args()
    runs = options.runs or (1 if options.quick else 3)
    results = run(options.quick, runs)
    if options.out:
        options.out.write_text(json.dumps(results, indent=2))
    print(json.dumps({"machine": results["machine"], "after": results["machine_after"]}))
    print(f"scrapy bench: {results['ceiling_pages_per_s']:,.0f} pages/s (median of {runs})")
    print(f"benchmark server alone: {results['server_requests_per_s']:,.0f} requests/s")
    print(table(results))


if __name__ == "__main__":
    main()

"""
jobcrawl end to end (crawl, normalise, dedupe, store) against the benchmark server, one shape at a time.

    python bench/crawl.py --shape pages --postings 20000 --runs 3
    python bench/crawl.py --stages --shape bulk --postings 20000
    python bench/crawl.py --ceiling

A measurement starts `bench/server.py` in its own process, then runs each crawl in a fresh Python
process (a Twisted reactor starts once per process) through `crawler.run.crawl()`, the function
`jobcrawl crawl` calls: first into an empty database, then again into the same database against the
unchanged world (the re-crawl). Requests are counted by the server; postings are the jobs the run saw;
peak RSS is the crawl process's own `ru_maxrss`, overall and before the end-of-run duplicate refresh. Politeness is relaxed for this 127.0.0.1 server only:
AutoThrottle off, no delay, 64 requests in parallel; robots.txt is still obeyed (the server answers it).
`--stages` times normalise, dedupe and store writes alone on the same generated postings, in
microseconds per posting (store writes in wall and in CPU time). `--ceiling` runs `scrapy bench` (the bare framework, no project settings)
and reads its pages per second from the final stats.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PYTHON = sys.executable
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
OVERRIDES: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 64,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
    "RETRY_TIMES": 1,
    "LOG_LEVEL": "WARNING",
    "JOBCRAWL_RUN_STARTED": NOW.isoformat(),
}
"""Settings for the benchmark crawls: every source is on 127.0.0.1, so politeness can go."""


# -- the server -----------------------------------------------------------------------------------


@dataclass
class Server:
    """A running benchmark server: its URL and the sources file of its world."""

    url: str
    sources: Path
    process: subprocess.Popen[str]

    def stats(self) -> dict[str, float]:
        with urllib.request.urlopen(f"{self.url}/__stats", timeout=10) as reply:
            stats: dict[str, float] = json.loads(reply.read())
        return stats


@contextmanager
def server(shape: str, postings: int, boards: int, folder: Path) -> Iterator[Server]:
    """Start `bench/server.py` for one world; it has generated every answer once it prints its URL."""
    sources = folder / f"sources-{shape}-{postings}.json"
    command = [PYTHON, str(ROOT / "bench" / "server.py"), "--shape", shape]
    command += ["--postings", str(postings), "--boards", str(boards), "--sources-out", str(sources)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the benchmark server did not start: {url!r}")
        yield Server(url, sources, process)
    finally:
        process.terminate()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


# -- one crawl, in its own process ----------------------------------------------------------------


def worker(
    url: str, sources_file: Path, db: Path, profile: Path | None, extra: dict[str, Any]
) -> dict[str, Any]:
    """Run one crawl in this process; what it did, how long it took, and this process's peak RSS."""
    import crawler.run
    from crawler.config import parse_source

    timed = {"dedupe": 0.0, "dedupe_cpu": 0.0, "rss_before_dedupe": 0.0}
    refresh = crawler.run.refresh_duplicates

    def timed_refresh(*args: Any, **kwargs: Any) -> Any:
        timed["rss_before_dedupe"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return refresh(*args, **kwargs)
        finally:
            timed["dedupe"] += time.perf_counter() - started
            timed["dedupe_cpu"] += time.process_time() - cpu

    crawler.run.refresh_duplicates = timed_refresh  # type: ignore[assignment]
    overrides = {**OVERRIDES, **extra}
    entries = json.loads(sources_file.read_text())
    sources = [parse_source({**entry, "base_url": url}) for entry in entries]
    started = time.perf_counter()
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        summary = profiler.runcall(crawler.run.crawl, sources, db=db, overrides=overrides)
        profiler.dump_stats(str(profile))
    else:
        summary = crawler.run.crawl(sources, db=db, overrides=overrides)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "status": summary.status,
        "seconds": seconds,
        "dedupe_seconds": timed["dedupe"],
        "dedupe_cpu_seconds": timed["dedupe_cpu"],
        "postings": sum(tally.seen for tally in summary.sources),
        "new": sum(tally.new for tally in summary.sources),
        "failed": len(summary.failed),
        "errors": sorted({str(tally.error) for tally in summary.failed})[:5],
        "rss_mb": usage.ru_maxrss / 1024,
        "crawl_rss_mb": timed["rss_before_dedupe"] or usage.ru_maxrss / 1024,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def crawl_once(
    site: Server, db: Path, profile: Path | None = None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One crawl in a fresh process, with the requests the server saw for it."""
    before = site.stats()
    command = [PYTHON, str(Path(__file__).resolve()), "--worker", "--url", site.url]
    command += ["--sources", str(site.sources), "--db", str(db)]
    for name, value in (extra or {}).items():
        command += ["--set", f"{name}={json.dumps(value)}"]
    if profile is not None:
        command += ["--profile", str(profile)]
    environment = {**os.environ, "XDG_CONFIG_HOME": str(db.parent / "config")}
    environment.pop("JOBCRAWL_ALERTS_CONFIG", None)  # no alerts configured, nothing delivered
    finished = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"crawl worker failed:\n{finished.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    after = site.stats()
    result["requests"] = int(after["requests"] - before["requests"]) - 1  # less the /__stats call
    result["server_cpu_seconds"] = after["cpu_seconds"] - before["cpu_seconds"]
    fetching = max(result["seconds"] - result["dedupe_seconds"], 1e-9)
    result["postings_per_s"] = result["postings"] / result["seconds"]
    result["postings_per_cpu_s"] = result["postings"] / result["cpu_seconds"]
    result["requests_per_s"] = result["requests"] / result["seconds"]
    result["fetch_requests_per_s"] = result["requests"] / fetching
    return result


def measure(
    shape: str,
    postings: int,
    runs: int,
    boards: int = 200,
    profile: Path | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Median figures of `runs` first crawls and re-crawls of one world."""
    with tempfile.TemporaryDirectory(prefix="jobcrawl-bench-") as name:
        folder = Path(name)
        firsts, again = [], []
        with server(shape, postings, boards, folder) as site:
            if profile is not None:  # profiled apart: cProfile's overhead stays out of the figures
                (folder / "profiled").mkdir()
                crawl_once(site, folder / "profiled" / "jobs.db", profile, extra)
            for run in range(runs):
                db = folder / f"run{run}" / "jobs.db"
                db.parent.mkdir()
                firsts.append(crawl_once(site, db, extra=extra))
                again.append(crawl_once(site, db, extra=extra))
    return {
        "shape": shape,
        "postings": postings,
        "boards": boards,
        "runs": runs,
        "settings": extra or {},
        "first": medians(firsts),
        "recrawl": medians(again),
        "all_first": firsts,
        "all_recrawl": again,
    }


def medians(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of every numeric figure over the runs; the other fields of the first run."""
    merged: dict[str, Any] = {}
    for name, value in results[0].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            merged[name] = statistics.median(result[name] for result in results)
        else:
            merged[name] = value
    return merged


# -- per-stage cost -------------------------------------------------------------------------------


def raw_postings(shape: str, postings: int, boards: int = 200) -> list[Any]:
    """The world's postings as the spiders' pure extractors read them from the served bodies."""
    from server import make_world

    from crawler.config import parse_source
    from spiders import greenhouse, lever, workday

    world = make_world(shape, postings, boards)
    base = "http://127.0.0.1:1"
    sources = {
        (entry["kind"], entry.get("board") or entry["url"].split("//")[1].split(".")[0]): (
            parse_source({**entry, "base_url": base})
        )
        for entry in world.sources
    }
    made: list[Any] = []
    for (method, path, _), response in world.routes.items():
        if path == "/robots.txt":
            continue
        body = json.loads(response.partition(b"\r\n\r\n")[2])
        parts = path.split("/")
        if path.startswith("/v1/boards/"):
            made += greenhouse.parse_board(body, sources["greenhouse", parts[3]]).postings
        elif path.startswith("/v0/postings/"):
            made += lever.parse_postings(body, sources["lever", parts[3]]).postings
        elif method == "GET" and path.startswith("/wday/cxs/"):
            external = "/" + "/".join(parts[5:])
            made.append(workday.parse_job(body, sources["workday", parts[3]], external))
    return made


def stages(shape: str, postings: int) -> dict[str, float]:
    """Microseconds per posting of normalise, dedupe and store writes, each timed alone."""
    from crawler.dedupe import DedupeIndex
    from crawler.normalise import normalise
    from crawler.store import close_stores, open_store
    from pipelines.dedupe import DedupePipeline

    raw = raw_postings(shape, postings)
    started = time.process_time()
    jobs = [normalise(posting, now=NOW) for posting in raw]
    normalised = time.process_time() - started
    started = time.process_time()
    pipeline = DedupePipeline()
    for job in jobs:
        pipeline.process_item(job)
    DedupeIndex.build(jobs).assignments()
    deduped = time.process_time() - started
    with tempfile.TemporaryDirectory(prefix="jobcrawl-stages-") as name:
        store = open_store(Path(name) / "jobs.db")
        run_id = store.start_run(NOW)
        started, cpu = time.perf_counter(), time.process_time()
        for number, job in enumerate(jobs, 1):
            store.upsert_posting(job, seen_at=NOW, run_id=run_id)
            if number % 500 == 0:
                store.commit()
        store.commit()
        stored, stored_cpu = time.perf_counter() - started, time.process_time() - cpu
        close_stores()
    count = max(len(jobs), 1)
    return {
        "postings": len(jobs),
        "normalise_us": normalised / count * 1e6,
        "dedupe_us": deduped / count * 1e6,
        "store_us": stored / count * 1e6,
        "store_cpu_us": stored_cpu / count * 1e6,
    }


# -- Scrapy's own ceiling -------------------------------------------------------------------------

_STAT = r"'{name}': ([0-9.]+)"


def ceiling(seconds: int = 10) -> dict[str, float]:
    """`scrapy bench` pages per second: responses received over the spider's elapsed time."""
    scrapy = Path(PYTHON).with_name("scrapy")
    with tempfile.TemporaryDirectory(prefix="jobcrawl-ceiling-") as folder:
        finished = subprocess.run(
            [str(scrapy), "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"],
            capture_output=True,
            text=True,
            cwd=folder,  # outside the project: the bare framework, no jobcrawl settings
            env={k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"},
            check=False,
        )
    return bench_figures(finished.stdout + finished.stderr)


def bench_figures(log: str) -> dict[str, float]:
    """Responses, elapsed seconds and pages per second from the final stats of a `scrapy bench` log."""
    figures = {}
    for name in ("response_received_count", "elapsed_time_seconds"):
        match = re.search(_STAT.format(name=name), log)
        if match is None:
            raise RuntimeError(f"scrapy bench printed no {name}:\n{log[-2000:]}")
        figures[name] = float(match[1])
    figures["pages_per_s"] = figures["response_received_count"] / figures["elapsed_time_seconds"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--shape", choices=("bulk", "pages"), default="pages")
    parser.add_argument("--postings", type=int, default=20_000)
    parser.add_argument("--boards", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stages", action="store_true", help="time each stage alone")
    parser.add_argument("--ceiling", action="store_true", help="run scrapy bench")
    parser.add_argument("--profile", type=Path, help="cProfile one extra crawl into this file")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="one more Scrapy setting for the crawls, e.g. CONCURRENT_ITEMS=4",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--sources", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    extra = {name: json.loads(value) for name, _, value in (s.partition("=") for s in options.set)}
    if options.worker:
        result = worker(options.url, options.sources, options.db, options.profile, extra)
    elif options.stages:
        result = stages(options.shape, options.postings)
    elif options.ceiling:
        result = ceiling()
    else:
        measured = measure(
            options.shape, options.postings, options.runs, options.boards, options.profile, extra
        )
        result = {k: v for k, v in measured.items() if not k.startswith("all_")}
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""The end-of-run duplicate refresh over a SQLite store: a full pass against an incremental one.

    python bench/dedupe_refresh.py [--count 20000] [--changed 200] [--seed 1]

Stores `--count` synthetic postings (`bench/dedupe_speed.py`'s corpus: employers with their own
boilerplate, a fifth of the jobs also on a job board) in a new SQLite database, then times three
passes of `refresh_duplicates`:

1. the first pass, which reads every job and writes the snapshot;
2. after a later run changed the descriptions of `--changed` stored jobs and added `--changed`
   new ones: the incremental pass, which reads only those from the store;
3. a full pass without the snapshot over the same database, which must change no mark (the
   incremental pass left the marks a full pass gives).

Printed: wall and CPU seconds of each pass (this process; the store is SQLite in the same
process), the jobs each read, and the snapshot's size. Storing the postings is not timed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.duplicates import DuplicateReport, refresh_duplicates
from crawler.store import SQLiteStore, close_stores, open_store

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def corpus(seed: int) -> Any:
    """`bench/dedupe_speed.py`'s `Corpus`, seeded."""
    path = Path(__file__).with_name("dedupe_speed.py")
    spec = importlib.util.spec_from_file_location("dedupe_speed", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Corpus(seed)


def timed(store: SQLiteStore, snapshot: Path | None) -> tuple[DuplicateReport, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    report = refresh_duplicates(store, snapshot=snapshot)
    return report, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--changed", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    made = corpus(options.seed)
    postings = made.postings(options.count, 0)[: options.count]
    later = made.postings(options.changed, options.count * 2)[: options.changed]
    print(
        f"python {platform.python_version()}, {options.count:,} stored postings, "
        f"load average at start {os.getloadavg()[0]:.1f}\n"
    )
    print("| pass | jobs read | wall s | CPU s | marks changed |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="jobcrawl-refresh-") as name:
        store = open_store(Path(name) / "jobs.db")
        assert isinstance(store, SQLiteStore)
        for posting in postings:
            store.upsert_posting(posting, seen_at=NOW)
        store.commit()
        snapshot = Path(name) / "jobs.db.dedupe"

        def row(label: str, result: tuple[DuplicateReport, float, float]) -> DuplicateReport:
            report, wall, cpu = result
            print(f"| {label} | {report.read:,} | {wall:.1f} | {cpu:.1f} | {report.changed:,} |")
            return report

        row("first (every job, snapshot written)", timed(store, snapshot))
        step = max(1, len(postings) // options.changed)
        edited = [
            posting.model_copy(
                update={"description_text": f"{posting.description_text}\nApply by Friday."}
            )
            for posting in postings[::step][: options.changed]
        ]
        for posting in [*edited, *later]:
            store.upsert_posting(posting, seen_at=NOW + timedelta(days=1))
        store.commit()
        row(f"incremental ({len(edited)} changed, {len(later)} new)", timed(store, snapshot))
        full = row("full, without the snapshot", timed(store, None))
        assert full.changed == 0, "the incremental pass left other marks than a full pass"
        print(f"\nsnapshot {snapshot.stat().st_size / 2**20:.1f} MiB")
        close_stores()
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

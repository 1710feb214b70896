"""
Duplicate detection over the store: marks reposts and cross-source duplicates on every job.

Runs at the end of a crawl run (after every family has stored its postings, so a job crawled from
its ATS and from its career site in the same run is compared) and on `jobcrawl dupes --refresh`.
The matching itself is `crawler.dedupe`; this module only feeds it stored jobs and writes back the
marks that changed. Thresholds come from the `JOBCRAWL_DEDUPE_*` settings (docs/dedupe.md).

With a snapshot file (`JOBCRAWL_DEDUPE_SNAPSHOT`; by default beside a SQLite database), the index
of the last pass is kept with every job's content fingerprint, and the next pass reads and compares
only the jobs that are new or whose fingerprint changed (`DedupeIndex.update`), with the same
result as a pass over every job. A snapshot that is missing, unreadable, or made by other settings
or another version of the dedupe code is ignored, and the pass reads every job.
"""

from __future__ import annotations

import logging
import pickle
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from crawler.dedupe import DedupeIndex, DedupeSettings
from crawler.dedupe.table import feature_batches
from crawler.ids import code_digest
from crawler.store import DuplicateMarks, JobQuery, Store, is_postgres

logger = logging.getLogger(__name__)

_FULL_PASS_SHARE = 0.5
"""When more than this share of the jobs changed, reading them all at once is the cheaper pass."""


@dataclass(frozen=True, slots=True)
class DuplicateReport:
    """What one pass found and changed."""

    jobs: int
    clusters: int
    """Clusters of two or more records."""
    duplicates: int
    """Records that point at another source's canonical record."""
    reposts: int
    changed: int
    """Jobs whose marks this pass changed."""
    read: int = 0
    """Jobs read and compared by this pass: every job, or those new or changed since the snapshot."""


def dedupe_settings(settings: Any) -> DedupeSettings:
    """`DedupeSettings` with the `JOBCRAWL_DEDUPE_*` values a Scrapy `Settings` (or dict) sets."""
    defaults = DedupeSettings()

    def number(name: str, default: float) -> float:
        value = settings.get(name)
        return default if value is None else float(value)

    description_min = number("JOBCRAWL_DEDUPE_DESCRIPTION_MIN", defaults.description_min)
    return DedupeSettings(
        title_min=number("JOBCRAWL_DEDUPE_TITLE_MIN", defaults.title_min),
        description_min=description_min,
        lsh_threshold=min(defaults.lsh_threshold, description_min),
        containment_min=number("JOBCRAWL_DEDUPE_CONTAINMENT_MIN", defaults.containment_min),
        repost_description_min=number(
            "JOBCRAWL_DEDUPE_REPOST_DESCRIPTION_MIN", defaults.repost_description_min
        ),
    )


def snapshot_path(settings: Any, db: str | Path) -> Path | None:
    """
    Where the index of the last pass is kept: `JOBCRAWL_DEDUPE_SNAPSHOT`, else beside a SQLite
    database (`<db>.dedupe`); None (every pass reads every job) for PostgreSQL or when set to "".
    """
    chosen = settings.get("JOBCRAWL_DEDUPE_SNAPSHOT")
    if chosen is not None:
        return Path(chosen).expanduser() if chosen else None
    if is_postgres(str(db)):
        return None
    path = Path(str(db).removeprefix("sqlite:///")).expanduser()
    return path.with_name(path.name + ".dedupe")


def refresh_duplicates(
    store: Store, settings: DedupeSettings | None = None, snapshot: Path | None = None
) -> DuplicateReport:
    """
    Cluster every stored job, find reposts, and write the marks that changed.

    Without a usable `snapshot` the jobs are streamed into the index, which keeps only their
    features (about 0.7 KB each, docs/dedupe.md); with one, only the jobs new or changed since it
    are read. Reposts are found from the same features. The snapshot is then rewritten.
    """
    settings = settings or DedupeSettings()
    current = store.fingerprints() if snapshot is not None else {}
    index, known = _load(snapshot, settings) if snapshot is not None else (None, {})
    changed = sorted(job_id for job_id, value in current.items() if known.get(job_id) != value)
    if index is None or len(changed) > _FULL_PASS_SHARE * len(current):
        index = DedupeIndex.build(store.iter_postings(JobQuery()), settings)
        read = len(index)
    else:
        gone = set(known.keys() - current.keys())
        postings = []
        for job_id in changed:
            posting = store.get_job(job_id)
            if posting is None:  # gone since its fingerprint was read
                gone.add(job_id)
            else:
                postings.append(posting)
        index.update(feature_batches(postings, settings), removed=sorted(gone))
        read = len(postings)
    predecessor = {newer: older for older, newer in index.reposts()}
    marks = [
        DuplicateMarks(
            job_id=job_id,
            repost_of=predecessor.get(job_id),
            duplicate_of=assignment.duplicate_of,
            cluster_id=assignment.cluster_id,
        )
        for job_id, assignment in index.assignments().items()
    ]
    written = store.set_duplicates(marks)
    store.commit()
    if snapshot is not None:
        _save(snapshot, index, current)
    return DuplicateReport(
        jobs=len(marks),
        clusters=len(index.clusters()),
        duplicates=sum(1 for mark in marks if mark.duplicate_of is not None),
        reposts=len(predecessor),
        changed=written,
        read=read,
    )


@lru_cache(maxsize=1)
def _code_version() -> str:
    """
    A hash of the code that reads a posting's features: a snapshot made by other code is stale.

    The dedupe package, the location parser it reads places with, and datasketch's version. Read
    as package resources, so it works from a zipped egg too (Scrapyd).
    """
    code = code_digest(
        resources.files("crawler.dedupe"), resources.files("crawler.normalise") / "locations.py"
    )
    return f"{code.hex()}:datasketch-{metadata.version('datasketch')}"


def _load(path: Path, settings: DedupeSettings) -> tuple[DedupeIndex | None, dict[str, str]]:
    """The snapshot's index and the fingerprints it was made from; (None, {}) when unusable."""
    try:
        with path.open("rb") as file:
            # The snapshot is this program's own cache file, beside its database: as trusted as
            # the database itself.
            saved = pickle.load(file)  # noqa: S301
    except FileNotFoundError:
        return None, {}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as exc:
        logger.warning("dedupe snapshot %s unreadable, reading every job: %s", path, exc)
        return None, {}
    if (
        not isinstance(saved, dict)
        or saved.get("code") != _code_version()
        or saved.get("settings") != settings
        or not isinstance(saved.get("index"), DedupeIndex)
    ):
        return None, {}
    fingerprints: dict[str, str] = saved["fingerprints"]
    return saved["index"], fingerprints


def _save(path: Path, index: DedupeIndex, fingerprints: dict[str, str]) -> None:
    """
    Write the snapshot whole or not at all: a file of this pass's own, then moved over the old
    one, so that two passes at once never write into one file.
    """
    saved = {
        "code": _code_version(),
        "settings": index.settings,
        "fingerprints": fingerprints,
        "index": index,
    }
    partial: Path | None = None
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".partial")
        partial = Path(name)
        with open(handle, "wb") as file:  # noqa: PTH123 (a descriptor, not a path)
            pickle.dump(saved, file, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    except OSError as exc:
        logger.warning("dedupe snapshot %s not written: %s", path, exc)
        if partial is not None:
            partial.unlink(missing_ok=True)

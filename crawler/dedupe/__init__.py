"""
Duplicate detection: reposts inside one source (level 2) and one job across sources (level 3).

Pure functions and an in-memory index over `JobPosting`s; no Scrapy, no store. See `docs/dedupe.md`
for the method, the labelled set and the measured precision and recall behind the defaults.

- `cluster(postings)` -> `{id: Assignment(job_id, duplicate_of, cluster_id)}` for a batch.
- `find_reposts(postings)` -> `[(older id, newer id), ...]` inside each board.
- `DedupeIndex`: built from stored postings (a stream; `workers=N` reads them in N processes),
  then `match()` / `predecessor()` / `add()` / `remove()` per posting, or `update()` with many
  (the result of a rebuild, comparing only the pairs of the changed postings), for incremental
  use by the store; `reposts()` of the indexed postings. It keeps features in columns (`crawler.dedupe.table`,
  about 0.7 KB per posting) and finds candidates over band columns (`crawler.dedupe.bands`).
- `compare(a, b)` -> `Comparison`: the evidence and the decision for one pair.
- `DedupeSettings`: the thresholds, one frozen value.
"""

from crawler.dedupe.clusters import (
    Assignment,
    BuildStats,
    DedupeIndex,
    Match,
    cluster,
    cluster_id_for,
    find_reposts,
)
from crawler.dedupe.keys import TitleKey, company_key, normalise_title, title_key
from crawler.dedupe.settings import DEFAULT_SETTINGS, DedupeSettings
from crawler.dedupe.similarity import Comparison, compare

__all__ = [
    "DEFAULT_SETTINGS",
    "Assignment",
    "BuildStats",
    "Comparison",
    "DedupeIndex",
    "DedupeSettings",
    "Match",
    "TitleKey",
    "cluster",
    "cluster_id_for",
    "company_key",
    "compare",
    "find_reposts",
    "normalise_title",
    "title_key",
]

"""
Identity of a posting: its stable id, its canonical URL and its content fingerprint.

The id never depends on the URL, because career sites move URLs around while ATS ids stay put. The
canonical URL drops tracking parameters so the same page reached from two campaigns is one URL. The
fingerprint covers what a job seeker would call "the posting" and leaves out what jobcrawl itself
records (first/last seen, status), so a re-crawl of an unchanged job has the same fingerprint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from typing import Any

from w3lib.url import canonicalize_url, url_query_cleaner

from crawler.items import RawPosting

# Query parameters that identify a campaign or referrer, never the job. `gh_jid` is deliberately
# absent: Greenhouse-embedded career pages need it to show the job.
TRACKING_PARAMETERS = frozenset(
    {
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
        "gh_src", "lever-source", "lever-origin", "lever-via", "source", "src", "ref", "referrer",
        "trk", "trackingid", "fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
        "ashby_jid_source", "sid", "iis", "iisn",
    }
)  # fmt: skip

_TRACKING_LIST = sorted(TRACKING_PARAMETERS)

# Fields that are bookkeeping, not content: a change in them is not a new version of the posting.
BOOKKEEPING_FIELDS = frozenset(
    {
        "first_seen", "last_seen", "closed_at", "status", "source_revision", "close_reason",
        "reopened_at", "expires_at", "expires_at_estimated", "repost_of", "duplicate_of",
        "cluster_id",
    }
)  # fmt: skip


def job_id(source: str, source_key: str, source_id: str) -> str:
    return f"{source}:{source_key}:{source_id}"


def canonical_url(url: str) -> str:
    """The URL without tracking parameters, with a sorted query and no fragment."""
    cleaned = url_query_cleaner(
        url, parameterlist=_TRACKING_LIST, remove=True, unique=False, keep_fragments=False
    )
    result: str = canonicalize_url(cleaned, keep_fragments=False)
    return result


def content_fingerprint(record: Mapping[str, Any]) -> str:
    """A short stable hash of a posting's content fields (JSON-ready values)."""
    content = {k: v for k, v in record.items() if k not in BOOKKEEPING_FIELDS}
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(blob.encode(), digest_size=16).hexdigest()


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Names of content fields whose values differ between two versions of a posting."""
    names = (old.keys() | new.keys()) - BOOKKEEPING_FIELDS
    return sorted(name for name in names if old.get(name) != new.get(name))


def listing_revision(raw: RawPosting) -> str:
    """
    A digest of everything a listing said about one job, for a listing that holds whole postings.

    Stored as the job's `source_revision`, it lets a re-crawl pass over a listing entry that has not
    changed since it was stored without normalising it again, as an unchanged detail is not fetched.
    The digest also covers the code that turns the entry into the stored record, so an upgrade that
    normalises differently sees every entry as changed once.
    """
    blob = json.dumps([getattr(raw, name) for name in _RAW_FIELDS], ensure_ascii=False)
    digest = hashlib.blake2b(blob.encode(), digest_size=16, key=_normaliser_stamp())
    return "entry:" + digest.hexdigest()


_RAW_FIELDS = tuple(
    field.name for field in dataclasses.fields(RawPosting) if field.name != "revision"
)


@cache
def _normaliser_stamp() -> bytes:
    """A digest of the normalisation code and data and of the schema, read once per process."""
    package = resources.files("crawler")
    return code_digest(package / "normalise", package / "items.py")


def code_digest(*parts: Traversable) -> bytes:
    """
    A digest of the files and folders given (as package resources, so a zipped egg works too).

    What a cache made by other code must not be trusted by: the normaliser's revisions of listing
    entries, the duplicate refresh's snapshot.
    """
    stamp = hashlib.blake2b(digest_size=32)
    for part in parts:
        for file in _files(part) if part.is_dir() else [part]:
            stamp.update(file.name.encode() + b"\0" + file.read_bytes())
    return stamp.digest()


def _files(folder: Traversable) -> list[Traversable]:
    """The source and data files under `folder`, in a stable order (compiled caches left out)."""
    found: list[Traversable] = []
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.is_dir():
            if entry.name != "__pycache__":
                found += _files(entry)
        elif not entry.name.endswith((".pyc", ".pyo")):
            found.append(entry)
    return found

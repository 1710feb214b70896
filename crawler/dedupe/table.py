"""
Postings read into columns: what duplicate detection keeps of a million postings, compactly.

`feature_batch()` reads a run of postings into a `FeatureBatch`: plain lists and numpy arrays that
pickle quickly, so worker processes can read postings in parallel (`feature_batches(workers=N)`).
A `FeatureTable` appends batches as rows: strings that repeat (boards, company keys, normalised
titles, departments, place sets) are interned to small ints, and every MinHash is one row of
`num_perm` uint32 values in blocks of up to 65,536 rows, so a posting costs about 0.7 KB (most
of it the signature) instead of several kilobytes of Python objects per posting. `FeatureTable.view(row)`
rebuilds what `compare_features` reads from the interned parts, so the index and `compare()`
decide with the same code.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Final, Generic, NamedTuple, TypeVar

import numpy as np

from crawler.dedupe.keys import TitleKey, key_of_text
from crawler.dedupe.settings import DEFAULT_SETTINGS, DedupeSettings
from crawler.dedupe.similarity import (
    Place,
    authority,
    first_seen_of,
    posted_of,
    posting_keys,
    richness,
    signature_batch,
    signature_values,
)
from crawler.items import JobPosting

__all__ = [
    "Column",
    "FeatureBatch",
    "FeatureTable",
    "ProbeKeys",
    "RowView",
    "feature_batch",
    "feature_batches",
    "probe_view",
]

BATCH_SIZE: Final = 1000
"""Postings per batch handed to a worker process: large enough that pickling is a small share."""
_SIGNATURE_BATCH: Final = 250
"""Descriptions signed together (`signature_batch`): enough to share numpy's cost per call,
few enough that the batch's arrays stay a few megabytes."""
_SIGNATURE_BATCH_MIN: Final = 8
"""Fewer descriptions than this are signed one by one, which has less fixed cost."""
_BLOCK_ROWS: Final = 1 << 16
_FIRST_BLOCK_ROWS: Final = 1 << 10
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_K = TypeVar("_K", bound=Hashable)


def _micros(moment: datetime) -> int:
    """Microseconds since 1970 (UTC): orders like the datetimes and fits an int64 column."""
    return (moment - _EPOCH) // (datetime.resolution)


@dataclass(slots=True)
class FeatureBatch:
    """The features of a run of postings, as columns; rows without a signature hold zeros."""

    ids: list[str]
    boards: list[tuple[str, str]]
    companies: list[str]
    titles: list[str]
    """Normalised title texts (`TitleKey.text`)."""
    departments: list[frozenset[str]]
    places: list[tuple[Place, ...]]
    shingles: np.ndarray
    """Distinct shingles of each description; 0 when it has no signature."""
    signatures: np.ndarray
    """(rows, num_perm) uint32 MinHash values."""
    authority: np.ndarray
    richness: np.ndarray
    length: np.ndarray
    """Description length in characters (the canonical choice prefers the longer)."""
    first_seen: np.ndarray
    """Microseconds since 1970, UTC (`datetime.max` for a posting not yet stored)."""
    posted: np.ndarray
    """Proleptic ordinal of the posting date (`date.max` when none)."""

    def __len__(self) -> int:
        return len(self.ids)


def feature_batch(
    postings: Iterable[JobPosting], settings: DedupeSettings = DEFAULT_SETTINGS
) -> FeatureBatch:
    """Read `postings` into one batch (the work that worker processes share)."""
    chosen = list(postings)
    count = len(chosen)
    batch = FeatureBatch(
        ids=[], boards=[], companies=[], titles=[], departments=[], places=[],
        shingles=np.zeros(count, dtype=np.int32),
        signatures=np.zeros((count, settings.num_perm), dtype=np.uint32),
        authority=np.zeros(count, dtype=np.int8), richness=np.zeros(count, dtype=np.int8),
        length=np.zeros(count, dtype=np.int64), first_seen=np.zeros(count, dtype=np.int64),
        posted=np.zeros(count, dtype=np.int32),
    )  # fmt: skip
    for row, posting in enumerate(chosen):
        keys = posting_keys(posting)
        batch.ids.append(posting.id)
        batch.boards.append((posting.source, posting.source_key))
        batch.companies.append(keys.company)
        batch.titles.append(keys.title.text)
        batch.departments.append(keys.department)
        batch.places.append(keys.places)
        batch.authority[row] = authority(posting.source)
        batch.richness[row] = richness(posting)
        batch.length[row] = len(posting.description_text or "")
        batch.first_seen[row] = _micros(first_seen_of(posting))
        batch.posted[row] = posted_of(posting).toordinal()
    _sign(batch, [posting.description_text for posting in chosen], settings)
    return batch


def _sign(batch: FeatureBatch, texts: list[str | None], settings: DedupeSettings) -> None:
    """The batch's signatures: a few postings one by one (`add()`, `match()`), more together."""
    if len(texts) < _SIGNATURE_BATCH_MIN:
        for row, text in enumerate(texts):
            values, shingles = signature_values(text, settings)
            if values is not None:
                batch.signatures[row] = values
                batch.shingles[row] = shingles
        return
    for start in range(0, len(texts), _SIGNATURE_BATCH):
        part = texts[start : start + _SIGNATURE_BATCH]
        values, counts = signature_batch(part, settings)
        batch.signatures[start : start + len(part)] = values
        batch.shingles[start : start + len(part)] = counts


def feature_batches(
    postings: Iterable[JobPosting],
    settings: DedupeSettings = DEFAULT_SETTINGS,
    workers: int = 1,
    size: int = BATCH_SIZE,
) -> Iterator[FeatureBatch]:
    """
    `postings` read in batches of `size`, in order, by `workers` processes when more than one.

    At most two batches per worker are in flight, so a stream of any length is never held whole
    (a plain `Pool.imap` reads its whole input ahead).
    """
    if workers <= 1:
        for chunk in _chunks(postings, size):
            yield feature_batch(chunk, settings)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: list[Future[FeatureBatch]] = []
        for chunk in _chunks(postings, size):
            pending.append(pool.submit(feature_batch, chunk, settings))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def _chunks(postings: Iterable[JobPosting], size: int) -> Iterator[list[JobPosting]]:
    source = iter(postings)
    while chunk := list(islice(source, size)):
        yield chunk


class _Interner(Generic[_K]):
    """Values to small ints, in order of first sight."""

    def __init__(self) -> None:
        self.number: dict[_K, int] = {}
        self.values: list[_K] = []

    def __call__(self, value: _K) -> int:
        number = self.number.get(value)
        if number is None:
            number = self.number[value] = len(self.values)
            self.values.append(value)
        return number


class Column:
    """A growing numpy column (capacity doubles; the columns are small beside the signatures)."""

    def __init__(self, dtype: type[np.generic]) -> None:
        self._data = np.zeros(1024, dtype=dtype)
        self.size = 0

    def extend(self, values: np.ndarray | list[int]) -> None:
        added = np.asarray(values, dtype=self._data.dtype)
        end = self.size + added.size
        if end > self._data.size:
            grown = np.zeros(max(end, 2 * self._data.size), dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : end] = added
        self.size = end

    @property
    def values(self) -> np.ndarray:
        """The filled part (a view: valid until the next `extend`)."""
        return self._data[: self.size]

    def __getitem__(self, row: int) -> int:
        value: int = self._data.item(row)  # a Python int, without a numpy scalar in between
        return value

    def set(self, row: int, value: int) -> None:
        self._data[row] = value


class _Signatures:
    """
    MinHash rows in blocks, so that growing never copies (or doubles) the whole matrix.

    Each new block is as large as all the blocks before it, from 1,024 rows up to 65,536: a small
    index stays small, and a million rows take 16 blocks of 32 MB (at 128 permutations).
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self._blocks: list[np.ndarray] = []
        self._starts: list[int] = []
        self.size = 0

    def extend(self, rows: np.ndarray) -> None:
        done = 0
        while done < rows.shape[0]:
            if not self._blocks or self.size == self._starts[-1] + len(self._blocks[-1]):
                grown = min(_BLOCK_ROWS, max(_FIRST_BLOCK_ROWS, self.size))
                self._blocks.append(np.empty((grown, self.width), dtype=np.uint32))
                self._starts.append(self.size)
            offset = self.size - self._starts[-1]
            count = min(len(self._blocks[-1]) - offset, rows.shape[0] - done)
            self._blocks[-1][offset : offset + count] = rows[done : done + count]
            done += count
            self.size += count

    def row(self, row: int) -> np.ndarray:
        number = bisect.bisect_right(self._starts, row) - 1
        values: np.ndarray = self._blocks[number][row - self._starts[number]]
        return values

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The signatures of `rows`, gathered block by block."""
        out = np.empty((rows.size, self.width), dtype=np.uint32)
        blocks = np.searchsorted(np.array(self._starts), rows, side="right") - 1
        for number in np.flatnonzero(np.bincount(blocks)).tolist():
            chosen = blocks == number
            out[chosen] = self._blocks[number][rows[chosen] - self._starts[number]]
        return out

    def slices(self, start: int, stop: int) -> Iterator[np.ndarray]:
        """Columns `start:stop` of every row, one block at a time."""
        for first, block in zip(self._starts, self._blocks, strict=True):
            yield block[: min(len(block), self.size - first), start:stop]


class RowView(NamedTuple):
    """One row as `compare_features` reads it (see `Comparable`)."""

    id: str
    board: tuple[str, str]
    company: str
    title: TitleKey
    department: frozenset[str]
    places: tuple[Place, ...]
    signature: np.ndarray | None
    shingles: int


RowRank = tuple[int, int, int, int, str]
RowAge = tuple[int, int, str]


class FeatureTable:
    """
    Features of many postings as rows of columns, with interned strings and blocked signatures.

    Rows are appended by `extend()` and never move; `kill()` marks a removed posting's row dead,
    and a posting indexed again gets a new row.
    """

    def __init__(self, settings: DedupeSettings = DEFAULT_SETTINGS) -> None:
        self.settings = settings
        self.ids: list[str] = []
        self.row_of: dict[str, int] = {}
        """Live rows by id."""
        self.boards: _Interner[tuple[str, str]] = _Interner()
        self.companies: _Interner[str] = _Interner()
        self.companies("")  # 0: no employer
        self.titles: _Interner[str] = _Interner()
        self.title_keys: _Interner[str] = _Interner()
        self.departments: _Interner[frozenset[str]] = _Interner()
        self.place_sets: _Interner[frozenset[Place]] = _Interner()
        self._title_views: list[TitleKey] = []
        self._title_key_of: list[int] = []
        self._places: list[tuple[Place, ...]] = []
        self.board = Column(np.int32)
        self.company = Column(np.int32)
        self.title = Column(np.int32)
        self.title_key = Column(np.int32)
        self.department = Column(np.int32)
        self.places = Column(np.int32)
        self.shingles = Column(np.int32)
        self.authority = Column(np.int8)
        self.richness = Column(np.int8)
        self.length = Column(np.int64)
        self.first_seen = Column(np.int64)
        self.posted = Column(np.int32)
        self.alive = Column(np.bool_)
        self.signatures = _Signatures(settings.num_perm)

    def __len__(self) -> int:
        return len(self.ids)

    def extend(self, batch: FeatureBatch) -> range:
        """Append a batch; the rows it got. An id already in the table is a `ValueError`."""
        start = len(self.ids)
        for number, job_id in enumerate(batch.ids, start):
            if self.row_of.setdefault(job_id, number) != number:
                for added in batch.ids[: number - start]:
                    del self.row_of[added]
                raise ValueError(f"{job_id}: id given twice")
        self.ids.extend(batch.ids)
        self.board.extend([self.boards(board) for board in batch.boards])
        self.company.extend([self.companies(company) for company in batch.companies])
        titles = [self._title(text) for text in batch.titles]
        self.title.extend(titles)
        self.title_key.extend([self._title_key_of[title] for title in titles])
        self.department.extend([self.departments(words) for words in batch.departments])
        self.places.extend([self._place_set(places) for places in batch.places])
        self.shingles.extend(batch.shingles)
        self.authority.extend(batch.authority)
        self.richness.extend(batch.richness)
        self.length.extend(batch.length)
        self.first_seen.extend(batch.first_seen)
        self.posted.extend(batch.posted)
        self.alive.extend(np.ones(len(batch), dtype=np.bool_))
        self.signatures.extend(batch.signatures)
        return range(start, len(self.ids))

    def _title(self, text: str) -> int:
        number = self.titles(text)
        if number == len(self._title_views):
            view = key_of_text(text)
            self._title_views.append(view)
            self._title_key_of.append(self.title_keys(view.key))
        return number

    def _place_set(self, places: tuple[Place, ...]) -> int:
        """Places are interned as a set: their order never changes a comparison or a repost group."""
        number = self.place_sets(frozenset(places))
        if number == len(self._places):
            self._places.append(places)
        return number

    def kill(self, row: int) -> None:
        """Mark a row removed; its id may be indexed again (in a new row)."""
        self.alive.set(row, False)
        del self.row_of[self.ids[row]]

    def has_signature(self, row: int) -> bool:
        return self.shingles[row] > 0

    def view(self, row: int) -> RowView:
        """What comparison reads of a row, rebuilt from the interned parts."""
        shingles = self.shingles[row]
        return RowView(
            id=self.ids[row],
            board=self.boards.values[self.board[row]],
            company=self.companies.values[self.company[row]],
            title=self._title_views[self.title[row]],
            department=self.departments.values[self.department[row]],
            places=self._places[self.places[row]],
            signature=self.signatures.row(row) if shingles else None,
            shingles=shingles,
        )

    def views(self, rows: np.ndarray, signatures: np.ndarray) -> list[RowView]:
        """`view()` of many rows at once, their signatures already gathered (`take(rows)`)."""
        shingles = self.shingles.values[rows].tolist()
        return [
            RowView(
                id=self.ids[row],
                board=self.boards.values[board],
                company=self.companies.values[company],
                title=self._title_views[title],
                department=self.departments.values[department],
                places=self._places[places],
                signature=signature if count else None,
                shingles=count,
            )
            for row, board, company, title, department, places, signature, count in zip(
                rows.tolist(),
                self.board.values[rows].tolist(),
                self.company.values[rows].tolist(),
                self.title.values[rows].tolist(),
                self.department.values[rows].tolist(),
                self.places.values[rows].tolist(),
                signatures,
                shingles,
                strict=True,
            )
        ]

    def rank(self, row: int) -> RowRank:
        """The canonical choice's order (`Features.rank`, with times as microseconds)."""
        return (
            self.authority[row],
            -self.richness[row],
            -self.length[row],
            self.first_seen[row],
            self.ids[row],
        )

    def age(self, row: int) -> RowAge:
        """Older first (`Features.age`, with times as microseconds and days)."""
        return (self.first_seen[row], self.posted[row], self.ids[row])

    def lookup(self, batch: FeatureBatch) -> ProbeKeys:
        """The numbers of a batch's first posting's keys in this table; None where unseen."""
        return ProbeKeys(
            board=self.boards.number.get(batch.boards[0]),
            company=self.companies.number.get(batch.companies[0]),
            title_key=self.title_keys.number.get(key_of_text(batch.titles[0]).key),
            places=self.place_sets.number.get(frozenset(batch.places[0])),
        )


class ProbeKeys(NamedTuple):
    """A posting's keys as a table numbers them (None: no indexed posting has that key)."""

    board: int | None
    company: int | None
    title_key: int | None
    places: int | None


def probe_view(batch: FeatureBatch) -> RowView:
    """The first posting of a batch as comparison reads it, without adding it to a table."""
    shingles = int(batch.shingles[0])
    return RowView(
        id=batch.ids[0],
        board=batch.boards[0],
        company=batch.companies[0],
        title=key_of_text(batch.titles[0]),
        department=batch.departments[0],
        places=batch.places[0],
        signature=batch.signatures[0] if shingles else None,
        shingles=shingles,
    )

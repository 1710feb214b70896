"""
Comparing two postings: title, places and description, and the decision whether they are one job.

Each posting is read once into `Features` (its keys, its places and a MinHash signature of its
description), so that comparing a pair costs a few microseconds and the index holds no text.
`compare_features` reads anything `Comparable`: `Features`, or a row of the index's column store
(`crawler.dedupe.table.RowView`), so both decide with the same code.

- Title: the normalised titles (`crawler.dedupe.keys`) must agree in their level words and may not
  each have a word the other lacks ("Backend" against "Frontend"); a word of five letters or more
  spelt slightly differently ("Organisation", "Organization") counts as the same word. Then
  rapidfuzz's `token_set_ratio` must reach `title_min`. A title that only adds words to the other
  passes when those words name either posting's department ("Android Engineer - Experience" on
  the Experience team), and then only a similar description can make the pair a duplicate; other
  added words ("Software Engineer (Payments)") make two jobs of one template.
- Places: the posting's locations, or, when it has none, the places named in its title ("Sales
  Manager, France" with location "Remote"). Two postings are in the same place when one pair of
  their places shares a city (same country), or a country when one side names no city, or a world
  area that holds the country ("Europe" and "Berlin, DE"); they are in different places when every
  pair differs; otherwise, or when a side names no place (a remote job without a country), it is
  unknown, which does not block a match.
- Description: the text is folded to lower-case words without accents and cut into shingles of
  `shingle_size` words; each shingle gets a 32-bit hash from its words' polynomial hashes (stable
  across runs and machines, unlike Python's `hash`) and the set becomes a datasketch MinHash with
  the "affine32" scheme, computed in numpy (`signature_values` for one text, `signature_batch` for
  many at once, value for value the same as datasketch's `update_batch`). The Jaccard estimate compares whole descriptions; the containment
  estimate (the share of the shorter description found in the longer, derived from the Jaccard
  estimate and both shingle counts) covers a description with an employer's boilerplate added or
  cut away, but only for identical normalised titles.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Final, Literal, NamedTuple, Protocol

import numpy as np
import pycountry
from datasketch import LeanMinHash, MinHash
from rapidfuzz import fuzz

from crawler.dedupe.bands import distinct
from crawler.dedupe.keys import TitleKey, company_key, fold, title_key
from crawler.dedupe.settings import DEFAULT_SETTINGS, DedupeSettings
from crawler.items import JobPosting, Location

__all__ = [
    "ATS_SOURCES",
    "CAREER_PAGE_SOURCES",
    "Comparable",
    "Comparison",
    "Features",
    "LocationRelation",
    "Place",
    "PostingKeys",
    "TitleRelation",
    "authority",
    "compare",
    "compare_features",
    "containment",
    "features",
    "first_seen_of",
    "jaccard",
    "location_relation",
    "minhash_values",
    "places_of",
    "posted_of",
    "posting_keys",
    "richness",
    "signature_batch",
    "signature_values",
    "text_word_hashes",
    "title_relation",
]

LocationRelation = Literal["same", "unknown", "different"]
TitleRelation = Literal["same", "explained", "extra", "level", "words", "empty"]
"""`same` after normalisation; `explained`: one title adds words that name a posting's department
("Android Engineer - Experience" on the Experience team); `extra`: one title adds other words
("Software Engineer (Payments)"); `level`: level words or numbers differ; `words`: each title has a
word the other lacks; `empty`: nothing left to compare. Only `same` and `explained` can match."""

# --- places --------------------------------------------------------------------------------------

_AMERICAS_NORTH: Final = "US CA MX"
_LATAM: Final = (
    "MX GT BZ SV HN NI CR PA CU DO HT JM TT BS BB PR CO VE EC PE BO BR PY UY AR CL GY SR GF"
)
_EUROPE: Final = (
    "AL AD AT BY BE BA BG HR CY CZ DK EE FI FR DE GR HU IS IE IT XK LV LI LT LU MT MD MC ME NL MK "
    "NO PL PT RO RU SM RS SK SI ES SE CH UA GB VA GI FO IM JE GG AX"
)
_EU: Final = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
_APAC: Final = (
    "AU NZ CN HK MO TW JP KR MN IN PK BD LK NP BT MV SG MY ID TH VN PH KH LA MM BN TL PG FJ SB VU "
    "WS TO KI NR TV FM MH PW"
)
_MIDDLE_EAST: Final = "AE SA QA KW BH OM YE IQ IR IL JO LB SY PS TR EG CY"
_AREA_CODES: Final[dict[str, str]] = {
    "north america": _AMERICAS_NORTH, "americas": f"{_AMERICAS_NORTH} {_LATAM}",
    "amer": f"{_AMERICAS_NORTH} {_LATAM}", "amers": f"{_AMERICAS_NORTH} {_LATAM}",
    "latam": _LATAM, "latin america": _LATAM, "south america": _LATAM,
    "central america": _LATAM, "caribbean": _LATAM,
    "europe": _EUROPE, "western europe": _EUROPE, "eastern europe": _EUROPE,
    "central europe": _EUROPE, "eu": _EU, "european union": _EU, "eea": f"{_EU} IS LI NO",
    "dach": "DE AT CH", "benelux": "BE NL LU", "nordics": "DK FI IS NO SE",
    "nordic countries": "DK FI IS NO SE", "scandinavia": "DK NO SE", "baltics": "EE LV LT",
    "uk&i": "GB IE", "uki": "GB IE",
    "apac": _APAC, "asia pacific": _APAC, "asia-pacific": _APAC, "apj": _APAC, "asia": _APAC,
    "southeast asia": "SG MY ID TH VN PH KH LA MM BN TL", "anz": "AU NZ", "oceania": "AU NZ FJ PG",
    "middle east": _MIDDLE_EAST, "gcc": "AE SA QA KW BH OM",
    "mena": f"{_MIDDLE_EAST} DZ MA TN LY",
}  # fmt: skip
"""World areas (folded, as `crawler.normalise.locations` keeps them in `region`) to countries.
EMEA and Africa are everything outside the Americas and Asia-Pacific (and Europe, for Africa)."""

_CITY_SYNONYMS: Final[dict[str, str]] = {
    "munchen": "munich", "koln": "cologne", "frankfurt am main": "frankfurt", "wien": "vienna",
    "lisboa": "lisbon", "praha": "prague", "warszawa": "warsaw", "kobenhavn": "copenhagen",
    "goteborg": "gothenburg", "bruxelles": "brussels", "brussel": "brussels", "geneve": "geneva",
    "milano": "milan", "roma": "rome", "ciudad de mexico": "mexico city", "nyc": "new york",
    "new york city": "new york", "bangalore": "bengaluru", "gurgaon": "gurugram",
    "bombay": "mumbai", "ho chi minh": "ho chi minh city", "saigon": "ho chi minh city",
    "washington dc": "washington", "washington d c": "washington", "den haag": "the hague",
    "sf": "san francisco", "zurich": "zurich", "tel aviv yafo": "tel aviv",
    "tel aviv jaffa": "tel aviv", "arhus": "aarhus",
}  # fmt: skip
_METRO_AREA = re.compile(r"^greater\s+|\s+(?:bay\s+|metropolitan\s+|metro\s+)?area$|\s+metro$")
"""LinkedIn and job boards write "Greater London Area", "San Francisco Bay Area", "Denver Metro"."""
_CITY_WORDS: Final[dict[str, str]] = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
_CITY_LETTERS: Final = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"}
)
"""Letters that folding keeps (they have no accent to drop) but that sources write without:
"København" and "Kobenhavn", "Łódź" and "Lodz", "Wrocław" and "Wroclaw"."""


class Place(NamedTuple):
    """A place reduced to what comparison needs."""

    country: str | None
    region: str | None
    """Folded region or state (`ca`, `england`); None for a world area (see `area`)."""
    city: str | None
    """Folded city, with common other names mapped to one (`munchen` is `munich`)."""
    area: frozenset[str] | None
    """The countries of a world area ("Europe", "APAC"), for a place that names only the area."""
    area_name: str | None

    def __reduce__(self) -> tuple[Any, tuple[str | None, str | None, str | None, str | None]]:
        """Pickled without the area's countries (worker processes send many places back)."""
        return (_restored_place, (self.country, self.region, self.city, self.area_name))


def _restored_place(
    country: str | None, region: str | None, city: str | None, area_name: str | None
) -> Place:
    area = _areas().get(area_name) if area_name is not None else None
    return Place(country, region, city, area, area_name)


@lru_cache(maxsize=1)
def _areas() -> dict[str, frozenset[str]]:
    areas = {name: frozenset(codes.split()) for name, codes in _AREA_CODES.items()}
    everywhere = frozenset(country.alpha_2 for country in pycountry.countries)
    emea = everywhere - areas["americas"] - areas["apac"]
    areas["emea"] = emea
    areas["africa"] = emea - areas["europe"] - areas["middle east"]
    return areas


@lru_cache(maxsize=65536)
def _city(text: str) -> str:
    """The folded city, metropolitan-area wording dropped ("Greater Paris Area" is "paris")."""
    folded = fold(text).translate(_CITY_LETTERS).replace(".", " ")
    words = [_CITY_WORDS.get(word, word) for word in folded.split()]
    joined = " ".join(" ".join(words).replace("-", " ").split())
    joined = _METRO_AREA.sub("", joined).strip() or joined
    return _CITY_SYNONYMS.get(joined, joined)


@lru_cache(maxsize=65536)
def _place(location: Location) -> Place:
    city = _city(location.city) if location.city else None
    if location.country is None and city is None and location.region:
        name = " ".join(fold(location.region).split())
        return Place(None, None, None, _areas().get(name), name)
    region = " ".join(fold(location.region).split()) if location.region else None
    return Place(location.country, region, city, None, None)


def places_of(locations: Iterable[Location]) -> tuple[Place, ...]:
    """The distinct places of a posting, in order."""
    return tuple(dict.fromkeys(_place(location) for location in locations))


def _relation(a: Place, b: Place) -> LocationRelation:
    """How two single places relate; see the module docstring."""
    if a.area_name is not None or b.area_name is not None:
        return _area_relation(a, b)
    if a.country and b.country and a.country != b.country:
        return "different"
    if a.city and b.city:
        return "same" if a.city == b.city else "different"
    if a.country and b.country:
        if a.region and b.region and a.region != b.region:
            return "different"
        return "same"
    return "unknown"


def _area_relation(a: Place, b: Place) -> LocationRelation:
    if a.area_name is not None and b.area_name is not None:
        if a.area_name == b.area_name:
            return "same"
        if a.area is None or b.area is None:
            return "unknown"
        return "same" if a.area & b.area else "different"
    area, other = (a, b) if a.area_name is not None else (b, a)
    if area.area is None or other.country is None:
        return "unknown"
    return "same" if other.country in area.area else "different"


def location_relation(a: tuple[Place, ...], b: tuple[Place, ...]) -> LocationRelation:
    """`same` when any two places match, `different` when all differ, else `unknown`."""
    if not a or not b:
        return "unknown"
    relations = {_relation(x, y) for x in a for y in b}
    if "same" in relations:
        return "same"
    return "unknown" if "unknown" in relations else "different"


# --- titles --------------------------------------------------------------------------------------

_SPELLING_MIN_LENGTH: Final = 5
_SPELLING_MIN_RATIO: Final = 85.0


def title_relation(
    a: TitleKey, b: TitleKey, departments: frozenset[str] = frozenset()
) -> TitleRelation:
    """How two normalised titles relate; `departments`: the words of both postings' departments."""
    if not a.words or not b.words:
        return "empty"
    if a.levels != b.levels:
        return "level"
    only_a = sorted(a.words - b.words)
    only_b = sorted(b.words - a.words)
    for word in list(only_a):
        twin = next((other for other in only_b if _same_spelling(word, other)), None)
        if twin is not None:
            only_a.remove(word)
            only_b.remove(twin)
    if only_a and only_b:
        return "words"
    if not only_a and not only_b:
        return "same"
    return "explained" if set(only_a or only_b) <= departments else "extra"


def _same_spelling(a: str, b: str) -> bool:
    """One word spelt two ways: "organisation" and "organization", "engineers" and "engineer"."""
    if min(len(a), len(b)) < _SPELLING_MIN_LENGTH:
        return False
    return fuzz.ratio(a, b) >= _SPELLING_MIN_RATIO


# --- descriptions --------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_SHINGLE_MIX: Final = np.uint64(0x9E3779B1)
_WORD_BASE: Final = 0x100000001B3
"""Odd, so that it has an inverse modulo 2**64."""
_WORD_BASE_INVERSE: Final = pow(_WORD_BASE, -1, 1 << 64)
_MASK32: Final = np.uint64(0xFFFFFFFF)
_MINHASH_CHUNK: Final = 4096
"""Shingles permuted at once: bounds the scratch matrix (2 MB at 128 permutations)."""
_BATCH_CHUNK: Final = 16384
"""Shingles of a batch permuted at once (8 MB at 128 permutations)."""
_EMPTY: Final = np.empty(0, dtype=np.uint64)
_scratch = threading.local()


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> np.ndarray:
    """The permutation parameters of datasketch for (num_perm, seed), made once and shared."""
    permutations: np.ndarray = MinHash(num_perm=num_perm, seed=seed).permutations
    return permutations


@lru_cache(maxsize=32)
def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Powers of the word-hash base and of its inverse modulo 2**64, positions 0..size-1."""
    base = np.full(size, _WORD_BASE, dtype=np.uint64)
    inverse = np.full(size, _WORD_BASE_INVERSE, dtype=np.uint64)
    base[0] = inverse[0] = 1
    return np.cumprod(base), np.cumprod(inverse)


def _powers_for(length: int) -> tuple[np.ndarray, np.ndarray]:
    """Power tables of at least `length` positions, in a few shared sizes."""
    return _powers(1 << max(int(length - 1).bit_length(), 10))


def description_words(text: str | None) -> list[str]:
    """The description as folded words: case, accents and punctuation do not count."""
    return _WORD.findall(fold(text)) if text else []


def word_hashes(words: list[str]) -> np.ndarray:
    """
    A stable 32-bit hash per word, for all words at once.

    Each word's hash is the polynomial sum of its code points times powers of an odd base modulo
    2**64: computed over the joined text and shifted back by the inverse power of the word's
    start, so numpy does the work instead of one Python call per word.
    """
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    points = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32)
    powers, inverse = _powers_for(points.size)
    starts = np.zeros(len(words), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    sums = np.add.reduceat(points.astype(np.uint64) * powers[: points.size], starts)
    return _fold_hashes(sums * inverse[starts])


def _fold_hashes(hashes: np.ndarray) -> np.ndarray:
    folded: np.ndarray = (hashes ^ (hashes >> np.uint64(32))) & _MASK32
    return folded


@lru_cache(maxsize=1)
def _bmp_word_chars() -> np.ndarray:
    r"""
    What `[^\W_]` matches in the Basic Multilingual Plane, as a table made once (some 10 ms).

    Python's regex reads `\w` as `str.isalnum()` or `_`, so the table is `isalnum()`.
    """
    return np.array([chr(point).isalnum() for point in range(1 << 16)], dtype=bool)


def _word_chars(points: np.ndarray) -> np.ndarray:
    """Which code points are word characters: by table, and by `isalnum` beyond the BMP."""
    if points.size and points.max() >= 1 << 16:
        present = distinct(points)
        flags = np.fromiter((chr(p).isalnum() for p in present.tolist()), dtype=bool)
        spread: np.ndarray = flags[np.searchsorted(present, points)]
        return spread
    chars: np.ndarray = _bmp_word_chars()[points]
    return chars


def text_word_hashes(text: str | None) -> np.ndarray:
    """
    `word_hashes(description_words(text))`, computed without making the words.

    The folded text is read as one array of code points; word characters are found by table,
    and each word's hash is summed over its characters' positions in the whole text and shifted
    back by the inverse power of its start: the same value as over the joined words, with no
    Python object per word (the regex and the word list cost more than the hashing itself).
    """
    if not text:
        return _EMPTY
    points = np.frombuffer(fold(text).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    chars = _word_chars(points)
    starts = np.flatnonzero(chars[1:] > chars[:-1]) + 1
    if chars.size and chars[0]:
        starts = np.concatenate(([0], starts))
    if starts.size == 0:
        return _EMPTY
    powers, inverse = _powers_for(points.size)
    values = points.astype(np.uint64) * powers[: points.size]
    values[~chars] = 0
    return _fold_hashes(np.add.reduceat(values, starts) * inverse[starts])


def _shingles_of(hashes: np.ndarray, size: int) -> np.ndarray:
    """The distinct 32-bit hashes of the `size`-word shingles of word hashes, sorted."""
    if hashes.size < size:
        return _EMPTY
    count = hashes.size - size + 1
    combined = hashes[:count].copy()
    for offset in range(1, size):
        combined = (combined * _SHINGLE_MIX + hashes[offset : offset + count]) & _MASK32
    return distinct(combined)


def shingle_hashes(words: list[str], size: int) -> np.ndarray:
    """The distinct 32-bit hashes of the `size`-word shingles, sorted."""
    if len(words) < size:
        return _EMPTY
    return _shingles_of(word_hashes(words), size)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """The MurmurHash3 finalizer that datasketch's "affine32" scheme applies before permuting."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = values ^ (values >> np.uint32(16))
    return mixed


def _scratch_cells(rows: int, columns: int) -> np.ndarray:
    """A reused (rows, columns) matrix: a fresh one per posting costs more than the arithmetic."""
    size = rows * columns
    buffer: np.ndarray | None = getattr(_scratch, "cells", None)
    if buffer is None or buffer.size < size:
        buffer = np.empty(size, dtype=np.uint32)
        _scratch.cells = buffer
    return buffer[:size].reshape(rows, columns)


def minhash_values(shingles: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """
    The datasketch MinHash values ("affine32" scheme) of a non-empty set of 32-bit hashes.

    The same values as `MinHash(num_perm, seed, hashfunc=identity, scheme="affine32")` after
    `update_batch(shingles)` (a test checks it), as one uint32 array: each hash is mixed with
    MurmurHash3's finalizer, permuted by every (a, b) pair modulo 2**32 and the least value per
    permutation kept, in numpy over chunks of hashes instead of datasketch's Python loop.
    """
    a, b = _permutations(num_perm, seed)
    mixed = _fmix32(shingles.astype(np.uint32)).reshape(-1, 1)
    values: np.ndarray | None = None
    for start in range(0, mixed.shape[0], _MINHASH_CHUNK):
        chunk = mixed[start : start + _MINHASH_CHUNK]
        cells = _scratch_cells(chunk.shape[0], num_perm)
        np.multiply(chunk, a, out=cells)
        np.add(cells, b, out=cells)
        least = cells.min(axis=0)
        values = least if values is None else np.minimum(values, least)
    if values is None:
        raise ValueError("a MinHash needs at least one hash")
    return values


def minhash_of(shingles: np.ndarray, num_perm: int, seed: int) -> LeanMinHash:
    """`minhash_values` as a datasketch `LeanMinHash`."""
    values = minhash_values(shingles, num_perm, seed)
    return LeanMinHash(seed=seed, hashvalues=values, scheme="affine32")


def signature_values(text: str | None, settings: DedupeSettings) -> tuple[np.ndarray | None, int]:
    """The description's MinHash values and its number of distinct shingles; None when too short."""
    hashes = text_word_hashes(text)
    if hashes.size < settings.min_description_words:
        return None, 0
    shingles = _shingles_of(hashes, settings.shingle_size)
    return minhash_values(shingles, settings.num_perm, settings.seed), int(shingles.size)


def signature_batch(
    texts: list[str | None], settings: DedupeSettings
) -> tuple[np.ndarray, np.ndarray]:
    """
    `signature_values` of many descriptions at once: ((n, num_perm) uint32 values, shingle counts).

    A text without a signature has count 0 and a row of zeros. The folded texts are joined with
    NUL (not a word character, so no word or shingle spans two texts) and every step runs once
    over the whole batch: word hashes with positions counted from each text's start, shingles
    keyed by their text and made distinct in one sort, and the permutations' minima per text
    (`np.minimum.reduceat` over a permutation-major matrix). numpy's cost per call, paid some
    twenty times per description, is then paid once per batch.
    """
    count = len(texts)
    values = np.zeros((count, settings.num_perm), dtype=np.uint32)
    sizes = np.zeros(count, dtype=np.int32)
    folded = [fold(text) if text else "" for text in texts]
    lengths = np.fromiter((len(text) + 1 for text in folded), dtype=np.int64, count=count)
    points = np.frombuffer(
        "\x00".join(folded).encode("utf-32-le", "surrogatepass"), dtype=np.uint32
    )
    if not points.size:
        return values, sizes
    text_of_point = np.repeat(np.arange(count), lengths)[: points.size]
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(points.size) - offsets[text_of_point]
    chars = _word_chars(points)
    starts = np.flatnonzero(chars[1:] > chars[:-1]) + 1
    if chars[0]:
        starts = np.concatenate(([0], starts))
    if not starts.size:
        return values, sizes
    powers, inverse = _powers_for(int(lengths.max()))
    weighted = points.astype(np.uint64) * powers[position]
    weighted[~chars] = 0
    hashes = _fold_hashes(np.add.reduceat(weighted, starts) * inverse[position[starts]])
    owner = text_of_point[starts]
    words = np.bincount(owner, minlength=count)
    enough = words >= settings.min_description_words
    size = settings.shingle_size
    if not enough.any() or hashes.size < size:
        return values, sizes
    windows = hashes.size - size + 1
    combined = hashes[:windows].copy()
    for offset in range(1, size):
        combined = (combined * _SHINGLE_MIX + hashes[offset : offset + windows]) & _MASK32
    whole = (owner[:windows] == owner[size - 1 :]) & enough[owner[:windows]]
    keys = (owner[:windows][whole].astype(np.uint64) << np.uint64(32)) | combined[whole]
    keys = distinct(keys)  # by text, then hash
    shingle_owner = (keys >> np.uint64(32)).astype(np.int64)
    sizes[:] = np.bincount(shingle_owner, minlength=count)
    values[sizes > 0] = np.iinfo(np.uint32).max
    _least_per_text(_fmix32((keys & _MASK32).astype(np.uint32)), shingle_owner, values, settings)
    return values, sizes


def _least_per_text(
    mixed: np.ndarray, owner: np.ndarray, values: np.ndarray, settings: DedupeSettings
) -> None:
    """Each text's least permuted value per permutation, lowering `values` (rows of texts)."""
    a, b = _permutations(settings.num_perm, settings.seed)
    a_column, b_column = a.reshape(-1, 1), b.reshape(-1, 1)
    for start in range(0, mixed.size, _BATCH_CHUNK):
        chunk = mixed[start : start + _BATCH_CHUNK]
        owners = owner[start : start + _BATCH_CHUNK]
        cells = _scratch_cells(settings.num_perm, chunk.size)
        np.multiply(a_column, chunk, out=cells)
        np.add(cells, b_column, out=cells)
        pieces = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1])))
        least = np.minimum.reduceat(cells, pieces, axis=1).T
        np.minimum.at(values, owners[pieces], least)


def signature(text: str | None, settings: DedupeSettings) -> tuple[LeanMinHash | None, int]:
    """The description's datasketch MinHash and its number of distinct shingles; None when short."""
    values, shingles = signature_values(text, settings)
    if values is None:
        return None, 0
    return LeanMinHash(seed=settings.seed, hashvalues=values, scheme="affine32"), shingles


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The MinHash estimate of the Jaccard similarity: the share of equal values, as datasketch."""
    return float(np.count_nonzero(a == b)) / float(a.size)


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """The share of the smaller shingle set inside the larger, from a Jaccard estimate."""
    if min(size_a, size_b) == 0:
        return 0.0
    shared = jaccard * (size_a + size_b) / (1 + jaccard)
    return min(1.0, shared / min(size_a, size_b))


# --- features and the decision -------------------------------------------------------------------

ATS_SOURCES: Final = frozenset(
    {
        *("greenhouse", "lever", "ashby", "workday", "smartrecruiters", "workable"),
        *("recruitee", "personio", "eightfold"),
    }
)
"""Source families that are an employer's own applicant tracking system: the most authoritative."""
CAREER_PAGE_SOURCES: Final = frozenset({"jsonld", "sitemap", "pages"})
"""Families that read an employer's career pages: second to its ATS, ahead of anything else."""
_LATEST: Final = datetime.max.replace(tzinfo=UTC)


def authority(source: str) -> int:
    """0 for an ATS, 1 for a career page read from its own HTML, 2 for anything else."""
    if source in ATS_SOURCES:
        return 0
    return 1 if source in CAREER_PAGE_SOURCES else 2


def richness(posting: JobPosting) -> int:
    """How many of the fields that a reader of the record cares about are filled."""
    values = (
        posting.company, posting.locations, posting.location_raw, posting.remote,
        posting.employment_type, posting.salary, posting.date_posted or posting.date_posted_before,
        posting.valid_through, posting.description_text, posting.department,
        posting.requisition_id, posting.apply_url, posting.updated_at, posting.language,
    )  # fmt: skip
    return sum(1 for value in values if value)


def first_seen_of(posting: JobPosting) -> datetime:
    """`first_seen` in UTC; a posting not yet stored (None) is the newest."""
    moment = posting.first_seen
    if moment is None:
        return _LATEST
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def posted_of(posting: JobPosting) -> date:
    """The posting date, or its bound; `date.max` when the source gives neither."""
    return posting.date_posted or posting.date_posted_before or date.max


RankKey = tuple[int, int, int, datetime, str]
AgeKey = tuple[datetime, date, str]


class PostingKeys(NamedTuple):
    """A posting's keys for blocking and comparison, the description aside."""

    company: str
    title: TitleKey
    places: tuple[Place, ...]
    department: frozenset[str]


def posting_keys(posting: JobPosting) -> PostingKeys:
    """The keys of `posting`; its own places and employer are stripped from its title."""
    own = [name for place in posting.locations for name in (place.city, place.region) if name]
    company = company_key(posting.company)
    if posting.company:
        own += [posting.company, company]
    title = title_key(posting.title, own)
    return PostingKeys(
        company=company,
        title=title,
        places=places_of(posting.locations) or places_of(title.places),
        department=title_key(posting.department).words if posting.department else frozenset(),
    )


class Comparable(Protocol):
    """What `compare_features` reads of each side: `Features`, or a row of a feature table."""

    @property
    def company(self) -> str: ...
    @property
    def title(self) -> TitleKey: ...
    @property
    def department(self) -> frozenset[str]: ...
    @property
    def places(self) -> tuple[Place, ...]: ...
    @property
    def signature(self) -> np.ndarray | None: ...
    @property
    def shingles(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Features:
    """What comparison needs of one posting, read once."""

    id: str
    board: tuple[str, str]
    """(source, source_key): postings of one board are never each other's cross-source copy."""
    company: str
    title: TitleKey
    department: frozenset[str]
    """The normalised words of the department, which a source may append to the title."""
    places: tuple[Place, ...]
    signature: np.ndarray | None
    """The description's MinHash values (`num_perm` uint32); None when it is missing or short."""
    shingles: int
    rank: RankKey
    """Sort key of the canonical choice: authority, richness, description length, first seen, id."""
    age: AgeKey
    """Sort key of age: first seen, then date posted, then id (older first)."""


def features(posting: JobPosting, settings: DedupeSettings = DEFAULT_SETTINGS) -> Features:
    """What comparison needs of `posting`; its own places and employer are stripped from its title."""
    keys = posting_keys(posting)
    values, shingles = signature_values(posting.description_text, settings)
    first_seen = first_seen_of(posting)
    return Features(
        id=posting.id,
        board=(posting.source, posting.source_key),
        company=keys.company,
        title=keys.title,
        department=keys.department,
        places=keys.places,
        signature=values,
        shingles=shingles,
        rank=(
            authority(posting.source),
            -richness(posting),
            -len(posting.description_text or ""),
            first_seen,
            posting.id,
        ),
        age=(first_seen, posted_of(posting), posting.id),
    )


@dataclass(frozen=True, slots=True)
class Comparison:
    """The evidence about one pair and the decision."""

    duplicate: bool
    reason: str
    """What decided: `description`, `containment` or `title and place` when accepted; the first
    failed check (`company`, `title: level`, `title: words`, `title: extra`, `title: empty`,
    `title: ratio`, `location`, `description`, `no description`) when rejected."""
    title: float
    """rapidfuzz `token_set_ratio` of the normalised titles, 0–100."""
    title_relation: TitleRelation
    location: LocationRelation
    description: float | None
    """MinHash Jaccard estimate; None when a description is missing or too short."""
    containment: float | None

    @property
    def weak(self) -> bool:
        """Accepted on title and place alone, without descriptions to compare."""
        return self.duplicate and self.reason == "title and place"

    @property
    def strength(self) -> float:
        """Orders accepted pairs: the closest pair is merged first."""
        text = max(self.description or 0.0, self.containment or 0.0)
        place = {"same": 1.0, "unknown": 0.5, "different": 0.0}[self.location]
        return text + self.title / 100 + place / 2


def compare_features(
    a: Comparable, b: Comparable, settings: DedupeSettings = DEFAULT_SETTINGS
) -> Comparison:
    """Are `a` and `b` one job? The checks run in order and the first failure decides."""
    relation = title_relation(a.title, b.title, a.department | b.department)
    ratio = float(fuzz.token_set_ratio(a.title.text, b.title.text))
    place = location_relation(a.places, b.places)
    estimate = (
        jaccard(a.signature, b.signature)
        if a.signature is not None and b.signature is not None
        else None
    )
    contained = containment(estimate, a.shingles, b.shingles) if estimate is not None else None

    def verdict(duplicate: bool, reason: str) -> Comparison:
        return Comparison(duplicate, reason, ratio, relation, place, estimate, contained)

    if not a.company or a.company != b.company:
        return verdict(False, "company")
    if relation not in ("same", "explained"):
        return verdict(False, f"title: {relation}")
    if ratio < settings.title_min:
        return verdict(False, "title: ratio")
    if place == "different":
        return verdict(False, "location")
    if estimate is None or contained is None:
        if settings.allow_missing_description and relation == "same" and place == "same":
            return verdict(True, "title and place")
        return verdict(False, "no description")
    if estimate >= settings.description_min:
        return verdict(True, "description")
    if relation == "same" and contained >= settings.containment_min:
        return verdict(True, "containment")
    return verdict(False, "description")


def compare(
    a: JobPosting, b: JobPosting, settings: DedupeSettings = DEFAULT_SETTINGS
) -> Comparison:
    """Are two postings one job? For explaining a decision; the index compares `Features`."""
    return compare_features(features(a, settings), features(b, settings), settings)

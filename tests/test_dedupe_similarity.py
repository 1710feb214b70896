"""Comparing two postings: places, titles, descriptions, the decision, and the settings."""

from __future__ import annotations

import pickle
import re
import unicodedata
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from crawler.dedupe import DedupeSettings, compare
from crawler.dedupe.keys import fold, title_key
from crawler.dedupe.similarity import (
    authority,
    containment,
    description_words,
    features,
    location_relation,
    minhash_of,
    minhash_values,
    places_of,
    shingle_hashes,
    signature,
    signature_batch,
    signature_values,
    text_word_hashes,
    title_relation,
    word_hashes,
)
from crawler.items import JobPosting, Location

TEXT = (
    "You will design and run the services that move payments between our customers and their "
    "banks. The team owns the ledger, the reconciliation jobs and the public payments API.\n"
    "- Build reliable services in Python and Go that process millions of transactions a day\n"
    "- Improve the observability of the payment flow with metrics, traces and clear alerts\n"
    "- Work with product managers and designers on features that customers ask for\n"
    "- Review code and mentor engineers who joined the team recently\n"
    "You have five or more years of experience building backend systems, you know relational "
    "databases well and you have operated services in production on a cloud platform. "
    "Experience with double-entry bookkeeping or card networks is a plus."
)
OTHER_TEXT = (
    "As a designer on the growth team you will shape how new customers discover the product, "
    "from the first visit on the website to the first successful invoice.\n"
    "- Plan and run experiments on onboarding screens together with analysts\n"
    "- Turn research findings into prototypes that engineers can build quickly\n"
    "- Keep the design system consistent across the web and mobile applications\n"
    "You have a portfolio of shipped product work, you are fluent in Figma and you enjoy "
    "talking to customers about what confuses them."
)


def make_posting(job_id: str, **fields: Any) -> JobPosting:
    """A posting with sensible defaults; `job_id` is `source:key:source_id`."""
    source, key, source_id = job_id.split(":")
    values: dict[str, Any] = {
        "id": job_id,
        "source": source,
        "source_key": key,
        "source_id": source_id,
        "url": f"https://example.test/{source}/{source_id}",
        "title": "Senior Software Engineer, Payments",
        "company": "Acme",
        "locations": [Location(city="Berlin", country="DE")],
        "description_text": TEXT,
    }
    values.update(fields)
    return JobPosting(**values)


def place(
    city: str | None = None, region: str | None = None, country: str | None = None
) -> Location:
    return Location(city=city, region=region, country=country)


@pytest.mark.parametrize(
    ("first", "second", "relation"),
    [
        ([place("Paris", country="FR")], [place("Paris", None, "FR")], "same"),
        ([place("Paris", country="FR")], [place("Lyon", country="FR")], "different"),
        ([place("Berlin", country="DE")], [place(country="DE")], "same"),
        ([place("Berlin", country="DE")], [place(country="AT")], "different"),
        ([place(region="Europe")], [place("Berlin", country="DE")], "same"),
        ([place(region="Europe")], [place(country="US")], "different"),
        ([place(region="North America")], [place(region="Europe")], "different"),
        ([place(region="EMEA")], [place(region="Europe")], "same"),
        ([place(region="EMEA")], [place(country="ZA")], "same"),
        ([place(region="Midwest")], [place(country="US")], "unknown"),
        ([], [place("Berlin", country="DE")], "unknown"),
        ([place("Greater London Area")], [place("London", country="GB")], "same"),
        ([place("München", country="DE")], [place("Munich", country="DE")], "same"),
        ([place("NYC", "NY", "US")], [place("New York", country="US")], "same"),
        ([place("Portland", "OR", "US")], [place("Portland", "ME", "US")], "same"),
        ([place("København", country="DK")], [place("Copenhagen", country="DK")], "same"),
        ([place("Łódź", country="PL")], [place("Lodz", country="PL")], "same"),
        ([place("Wrocław", country="PL")], [place("Warsaw", country="PL")], "different"),
        ([place(region="CA", country="US")], [place(region="TX", country="US")], "different"),
        (
            [place("Austin", "TX", "US"), place("Chicago", "IL", "US")],
            [place("Chicago", "IL", "US")],
            "same",
        ),
    ],
)
def test_location_relation(first: list[Location], second: list[Location], relation: str) -> None:
    assert location_relation(places_of(first), places_of(second)) == relation
    assert location_relation(places_of(second), places_of(first)) == relation


@pytest.mark.parametrize(
    ("first", "second", "departments", "relation"),
    [
        ("Senior Engineer, Backend", "Sr. Engineer - Backend", "", "same"),
        ("Senior Engineer, Backend", "Senior Engineer, Frontend", "", "words"),
        ("Senior Engineer", "Staff Engineer", "", "level"),
        ("Engineer II", "Engineer III", "", "level"),
        ("Head of People", "Deputy Head of People", "", "level"),
        ("Android Engineer - Experience", "Android Engineer", "Experience", "explained"),
        ("Android Engineer - Experience", "Android Engineer", "", "extra"),
        ("Software Engineer (Payments)", "Software Engineer", "", "extra"),
        ("Organisation Lead", "Organization Lead", "", "same"),
        ("(m/w/d)", "Engineer", "", "empty"),
    ],
)
def test_title_relation(first: str, second: str, departments: str, relation: str) -> None:
    words = title_key(departments).words
    assert title_relation(title_key(first), title_key(second), words) == relation


def test_short_descriptions_have_no_signature() -> None:
    settings = DedupeSettings()
    assert signature("Apply now on our website.", settings) == (None, 0)
    assert signature(None, settings) == (None, 0)
    minhash, shingles = signature(TEXT, settings)
    assert minhash is not None
    assert shingles == len(shingle_hashes(description_words(TEXT), settings.shingle_size))


def test_markup_and_case_do_not_change_the_signature() -> None:
    settings = DedupeSettings()
    first, _ = signature(TEXT, settings)
    second, _ = signature(TEXT.upper().replace("\n- ", "\n• "), settings)
    other, _ = signature(OTHER_TEXT, settings)
    assert first is not None
    assert second is not None
    assert other is not None
    assert first.jaccard(second) == 1.0
    assert first.jaccard(other) < 0.1


def test_word_hashes_are_stable_across_runs() -> None:
    # Fixed values, so that a signature made by one process compares with another's; they would
    # differ from run to run if Python's randomised `hash()` were used.
    assert word_hashes(["engineer", "ünïcode", "プリセールス"]).tolist() == [
        3822890075, 2870068230, 1310881175,
    ]  # fmt: skip
    assert word_hashes(["engineer"]).tolist() == word_hashes(["a", "engineer"]).tolist()[1:]
    assert len(set(word_hashes(description_words(TEXT)).tolist())) == len(
        set(description_words(TEXT))
    )


@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=300))
def test_minhash_of_equals_datasketch(values: list[int]) -> None:
    reference = MinHash(num_perm=64, seed=3, hashfunc=lambda value: value, scheme="affine32")
    reference.update_batch(values)
    fast = minhash_of(np.array(values, dtype=np.uint64), 64, 3)
    assert fast.hashvalues.tolist() == reference.hashvalues.tolist()
    assert fast.jaccard(reference) == 1.0


@given(st.text(max_size=300))
def test_text_word_hashes_equal_the_hashes_of_the_words(text: str) -> None:
    words = description_words(text)
    expected = word_hashes(words).tolist() if words else []
    assert text_word_hashes(text).tolist() == expected


@pytest.mark.parametrize(
    "text",
    [
        "Émilie Größe ﬁne ½ ²3 x_y __ end",  # compatibility forms, underscore
        "naïve café\u0301 e\u0301 done",  # a mark after a letter, precomposed or not
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 and 😀 and \ud800 lone surrogate",  # beyond the BMP, a lone surrogate
        "ソリューションアーキテクト (プリセールス) 東京",
        "",
    ],
)
def test_text_word_hashes_on_unusual_text(text: str) -> None:
    words = description_words(text)
    expected = word_hashes(words).tolist() if words else []
    assert text_word_hashes(text).tolist() == expected


def test_signature_values_are_the_datasketch_signature() -> None:
    settings = DedupeSettings()
    values, shingles = signature_values(TEXT, settings)
    minhash, same_shingles = signature(TEXT, settings)
    assert values is not None
    assert minhash is not None
    assert values.dtype == np.uint32
    assert values.tolist() == minhash.hashvalues.tolist()
    assert shingles == same_shingles
    reference = MinHash(num_perm=128, seed=1, hashfunc=lambda value: value, scheme="affine32")
    reference.update_batch(shingle_hashes(description_words(TEXT), 3).tolist())
    assert values.tolist() == reference.hashvalues.tolist()


def test_long_texts_are_permuted_in_chunks_with_the_same_result() -> None:
    values = np.arange(1, 10_001, dtype=np.uint64) * 2_654_435_761 % (1 << 32)
    reference = MinHash(num_perm=64, seed=5, hashfunc=lambda value: value, scheme="affine32")
    reference.update_batch(values.tolist())
    assert minhash_values(values, 64, 5).tolist() == reference.hashvalues.tolist()
    with pytest.raises(ValueError, match="at least one"):
        minhash_values(np.empty(0, dtype=np.uint64), 64, 5)


_WORDS = st.sampled_from(
    ["build", "Größe", "ﬁne", "x_y", "naïve", "e\u0301", "プリ", "😀", "\x00", "2"]
)


@given(
    st.lists(st.none() | st.lists(_WORDS, max_size=40).map(" ".join) | st.text(), max_size=6),
    st.sampled_from([DedupeSettings(), DedupeSettings(shingle_size=1, min_description_words=3)]),
)
def test_a_batch_of_signatures_is_each_signature(
    texts: list[str | None], settings: DedupeSettings
) -> None:
    values, counts = signature_batch(texts, settings)
    assert values.shape == (len(texts), settings.num_perm)
    for row, text in enumerate(texts):
        alone, shingles = signature_values(text, settings)
        assert counts[row] == shingles
        if alone is None:
            assert not values[row].any()
        else:
            assert values[row].tolist() == alone.tolist()


def test_a_batch_of_real_descriptions_is_each_signature() -> None:
    texts = [TEXT, None, OTHER_TEXT, "too short", TEXT.upper() * 3]
    values, counts = signature_batch(texts, DedupeSettings())
    for row, text in enumerate(texts):
        alone, shingles = signature_values(text, DedupeSettings())
        assert counts[row] == shingles
        assert values[row].tolist() == (alone.tolist() if alone is not None else [0] * 128)
    assert counts[0] > 0
    assert counts[3] == 0


@given(st.text(max_size=200))
def test_fold_skips_the_slow_mark_removal_only_when_there_is_no_mark(text: str) -> None:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = re.sub("(?<=[A-Za-z])[\u0300-\u036f]+", "", decomposed)
    reference = text.lower() if text.isascii() else unicodedata.normalize("NFC", bare).casefold()
    assert fold(text) == reference


def test_places_pickle_without_their_area_countries() -> None:
    places = places_of([Location(region="Europe"), Location(city="Berlin", country="DE")])
    again = pickle.loads(pickle.dumps(places))
    assert again == places
    assert again[0].area is places[0].area  # the shared table's set, not a copy
    assert len(pickle.dumps(places[0])) < 120


def test_containment_from_jaccard() -> None:
    assert containment(0.5, 100, 50) == pytest.approx(1.0)
    assert containment(1.0, 80, 80) == pytest.approx(1.0)
    assert containment(0.0, 80, 80) == 0.0
    assert containment(0.5, 0, 80) == 0.0


def test_authority_ranks_ats_then_career_pages() -> None:
    assert authority("greenhouse") == authority("workday") == 0
    assert authority("jsonld") == authority("sitemap") == 1
    assert authority("jobboard") == 2


def test_same_job_on_a_career_page_is_a_duplicate() -> None:
    ats = make_posting("greenhouse:acme:1")
    page = make_posting(
        "jsonld:careers.acme.com:9",
        title="Sr. Software Engineer - Payments (m/w/d)",
        company="ACME GmbH",
        locations=[Location(city="Berlin", country="DE")],
        description_text="About Acme: we build tools for finance teams.\n" + TEXT,
    )
    result = compare(ats, page)
    assert result.duplicate, result
    assert result.reason == "description"
    assert result.title_relation == "same"
    assert result.location == "same"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"company": "Globex"}, "company"),
        ({"company": None}, "company"),
        ({"title": "Staff Software Engineer, Payments"}, "title: level"),
        ({"title": "Senior Software Engineer, Billing"}, "title: words"),
        ({"title": "Senior Software Engineer, Payments (Ledger)"}, "title: extra"),
        ({"locations": [Location(city="Munich", country="DE")]}, "location"),
        ({"description_text": OTHER_TEXT}, "description"),
    ],
)
def test_two_jobs_are_rejected_for_the_first_difference(
    changes: dict[str, Any], reason: str
) -> None:
    result = compare(make_posting("greenhouse:acme:1"), make_posting("jsonld:acme:2", **changes))
    assert not result.duplicate
    assert result.reason == reason


def test_a_shortened_copy_matches_by_containment() -> None:
    snippet = "\n".join(TEXT.splitlines()[:3])
    result = compare(
        make_posting("greenhouse:acme:1"), make_posting("jobboard:jobs:2", description_text=snippet)
    )
    assert result.duplicate
    assert result.reason == "containment"
    assert result.description is not None
    assert result.description < 0.6


def test_without_descriptions_title_and_place_must_both_agree() -> None:
    bare = make_posting("greenhouse:acme:1", description_text=None)
    card = make_posting("jobboard:jobs:2", description_text="Apply now.")
    assert compare(bare, card).reason == "title and place"
    remote = make_posting("jobboard:jobs:3", description_text=None, locations=[])
    assert compare(bare, remote).reason == "no description"
    settings = DedupeSettings(allow_missing_description=False)
    assert not compare(bare, card, settings).duplicate


@pytest.mark.parametrize(
    "changes",
    [
        {"title_min": 101},
        {"description_min": 0},
        {"containment_min": 1.5},
        {"lsh_threshold": 0.9},
        {"num_perm": 8},
        {"shingle_size": 0},
        {"min_description_words": 1},
    ],
)
def test_settings_reject_values_out_of_range(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        replace(DedupeSettings(), **changes)


def test_features_rank_and_age() -> None:
    seen = datetime(2026, 11, 1, 12, 0)
    entry = features(make_posting("greenhouse:acme:1", first_seen=seen, department="Payments"))
    assert entry.company == "acme"
    assert entry.board == ("greenhouse", "acme")
    assert entry.department == {"payments"}
    assert entry.rank[0] == 0
    assert entry.age[0].tzinfo is not None

"""
Tests for crawler.normalise.words: one pass over a text for two word lists.

The pass must give each list exactly what the list's own pattern gives with ``finditer``, since
skills and requirements were written against those; every test here compares with that.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalise.skills import load_vocabulary
from crawler.normalise.words import (
    DEGREE_WORDS,
    UNIT_WORDS,
    WORD_START,
    WordList,
    WordPass,
    lower_in_place,
    trie_pattern,
)

SKILL_BOUNDARY = r"(?![\w+#@])"
CUE_BOUNDARY = r"(?![^\W\d_])"
VOCABULARY = load_vocabulary()
PASS = VOCABULARY.words
SKILL_SPELLINGS = sorted(
    {*VOCABULARY.folded, *(key.lower() for key in VOCABULARY.exact), *VOCABULARY.boilerplate}
)
CUE_WORDS = sorted({*UNIT_WORDS, *DEGREE_WORDS})


def own_matches(pattern: re.Pattern[str], lowered: str) -> list[tuple[int, int, str]]:
    """What a list's own pattern finds, in the form `WordPass.scan` gives."""
    return [
        (match.start(1) - 1, match.end() - 1, match.group(1))
        for match in pattern.finditer(" " + lowered)
    ]


def assert_split_exactly(word_pass: WordPass, text: str) -> None:
    lowered = lower_in_place(text)
    skills, cues = word_pass.scan(lowered)
    assert skills == own_matches(word_pass.patterns[0], lowered), text
    assert cues == own_matches(word_pass.patterns[1], lowered), text


@pytest.mark.parametrize(
    "text",
    [
        "Proficiency with MS Office and MS Excel; an MS in Computer Science is a plus.",
        "A bachelor's s3 bucket, a master’s s/4hana rollout, an associate's sql class.",
        "B.S. or M.S. in Computer Science, Ph.D. preferred; B.A/B testing; b.tech support.",
        "Valid driver's licence and driving licence, CDL A degree, SOC 2 year-end audit.",
        "We hire without regard to race; 3 ans d'expérience; 1 an d3.js; month end close.",
        "Advanced Cardiac Life Support (ACLS), pediatric advanced life support, advanced math.",
        "Machine-learning, machine  learning and machine\n- learning; React Native, React.",
    ],
)
def test_overlapping_spellings_are_split_exactly(text: str) -> None:
    """Texts where a skill and a requirement word share a word start or overlap."""
    assert_split_exactly(PASS, text)


def test_the_shipped_lists_overlap_where_expected() -> None:
    """The build finds the overlaps that need a second look, and only a few."""
    skills_again_at, cues_again_at = PASS._recheck
    assert {"ms", "ph.d", "bachelor's", "advanced"} <= skills_again_at  # requirement words
    assert {"ms office", "driver's licence", "without regard to"} <= cues_again_at  # skills
    assert len(skills_again_at) + len(cues_again_at) < 100


def test_a_spelling_in_both_lists_is_found_by_each() -> None:
    both = WordPass(
        WordList(frozenset({"go", "ms", "ms office", "year"}), SKILL_BOUNDARY),
        WordList(frozenset({"ms", "year", "years", "an d"}), CUE_BOUNDARY),
    )
    for text in ("Go: MS Office, ms, 3 years+ms, ms2, year5 an d'x", "ms-office msoffice ms_"):
        assert_split_exactly(both, text)


_PIECES = st.sampled_from(
    [
        *SKILL_SPELLINGS[::7],
        *CUE_WORDS,
        *("ms office", "bachelor's", "master’s", "s3", "s/4hana", "an", "d3.js", "a"),
        *("cdl a", "degree", "soc 2", "year", "without regard to", "month end close"),
        *(" ", " ", "  ", "-", " - ", "\n", "\n- ", "’", "'", ".", ",", "/", "(", ")", "+"),
        *("#", "@", "&", "_", "3", "é", "İ", "ß", "x", "the", "and", "–", "\xa0"),
    ]
)


@given(st.lists(_PIECES, max_size=40).map("".join), st.booleans())
@settings(max_examples=500, deadline=None)
def test_pass_gives_each_list_its_own_matches(text: str, upper: bool) -> None:
    assert_split_exactly(PASS, text.upper() if upper else text)


_SPELLINGS = st.lists(
    st.lists(st.text("abcs'", min_size=1, max_size=3), min_size=1, max_size=3).map(" ".join),
    min_size=1,
    max_size=12,
)
"""Spellings as vocabularies hold them: words joined by single spaces, no hyphen or ’."""


@given(_SPELLINGS, st.text("abcs -'’.,", max_size=40))
@settings(max_examples=300, deadline=None)
def test_trie_finds_what_a_plain_alternation_finds(spellings: list[str], text: str) -> None:
    """The trie, its root ordered by letter frequency, prefers longer spellings as plain does."""
    plain = "|".join(
        "".join(r"[\s\-]+" if c == " " else "['’]" if c == "'" else re.escape(c) for c in s)
        for s in sorted(set(spellings), key=len, reverse=True)
    )
    trie = re.compile(f"{WORD_START}({trie_pattern(spellings)}){SKILL_BOUNDARY}")
    alternation = re.compile(f"{WORD_START}({plain}){SKILL_BOUNDARY}")
    padded = " " + text
    assert [m.span(1) for m in trie.finditer(padded)] == [
        m.span(1) for m in alternation.finditer(padded)
    ]

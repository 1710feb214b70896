"""Tests for crawler.normalise.sections: descriptions split into responsibilities, requirements..."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import Sections
from crawler.normalise.html import sanitise_html
from crawler.normalise.sections import (
    _EQUAL_OPPORTUNITY_ANCHORS,
    EQUAL_OPPORTUNITY_PHRASES,
    HEADING_PHRASES,
    SectionName,
    _has_equal_opportunity,
    split_sections,
)

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "normalise" / "sections.json").read_text(encoding="utf-8")
)["cases"]
SECTION_NAMES: tuple[str, ...] = get_args(SectionName)


def test_section_names_match_the_schema() -> None:
    assert set(SECTION_NAMES) == set(Sections.model_fields)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_sections_of_description(case: dict[str, Any]) -> None:
    found = split_sections(sanitise_html(case["html"])).model_dump()
    for name in SECTION_NAMES:
        expected = case["expected"][name]
        items = found[name]
        assert len(items) == expected["count"], (name, items)
        if expected["count"]:
            assert items[0] == expected["first"], name
            assert items[-1] == expected["last"], name


def test_every_table_phrase_names_its_section() -> None:
    """Each heading in the table, used as a heading, files the list under it where it says."""
    for section, by_language in HEADING_PHRASES.items():
        for phrases in by_language.values():
            for phrase in phrases:
                found = split_sections(f"<h3>{phrase}</h3><ul><li>item</li></ul>").model_dump()
                filed = [name for name in SECTION_NAMES if found[name] == ["item"]]
                assert filed == ([] if section is None else [section]), phrase


@pytest.mark.parametrize(
    ("html", "section"),
    [
        ("<h2>What You’ll Do</h2>", "responsibilities"),
        ('<h3>What You"ll Do</h3>', "responsibilities"),
        ("<p><b>WHAT YOU'LL DO:</b></p>", "responsibilities"),
        ("<p>In this role, you will:</p>", "responsibilities"),
        ("<p><strong>Bonus Points (any of the following):</strong></p>", "preferred"),
        ("<h2>Benefits available to all full-time Acme employees (Global)</h2>", "benefits"),
        ("<p><strong>About Datadog:&nbsp;</strong></p>", "about_company"),
        ("<h1>About Ramp</h1>", "about_company"),
        ("<h2>About the Role</h2>", None),
        ("<h2>About You</h2>", "requirements"),
        ("<h2>About your team</h2>", None),
        ("<h4>Who are you?</h4>", "requirements"),
        ("<p><u><strong>Who we are?</strong></u></p>", "about_company"),
        ("<p><strong>Equal Opportunity at Datadog:</strong></p>", "equal_opportunity"),
        ("<h2>Über uns</h2>", "about_company"),
        ("<p><strong>Qui sommes-nous ?</strong></p>", "about_company"),
        ("<h2>À propos du poste</h2>", None),
        ("<h2>¿Qué ofrecemos?</h2>", "benefits"),
        ("<p>Requisitos deseables:</p>", "preferred"),
        ("<p>Requisitos:</p>", "requirements"),
        ("<p><b>Schedule:</b></p>", None),
        ("<p><strong>Our work centers on three areas:</strong></p>", None),
    ],
)
def test_heading_forms(html: str, section: str | None) -> None:
    found = split_sections(html + "<ul><li>item</li></ul>").model_dump()
    filed = [name for name in SECTION_NAMES if found[name]]
    assert filed == ([] if section is None else [section])


def test_plain_line_must_name_a_section_exactly() -> None:
    """A short plain line is a heading only when it is nothing but a section's name."""
    assert split_sections("<p>Benefits</p><ul><li>Pension</li></ul>").benefits == ["Pension"]
    assert split_sections("<p>Benefits we like</p><ul><li>Pension</li></ul>").benefits == []


def test_colon_lead_in_does_not_end_a_section() -> None:
    html = (
        "<h3>Requirements</h3><p>For this role you should bring the following:</p>"
        "<ul><li>Go</li></ul>"
    )
    assert split_sections(html).requirements == ["Go"]


def test_paragraphs_give_sentences_only_without_a_list() -> None:
    with_list = (
        "<h3>Benefits</h3><p>We care. A lot.</p><ul><li>Pension</li></ul><p>Terms apply.</p>"
    )
    without_list = "<h3>Benefits</h3><p>We care. A lot.</p><p>Terms apply.</p>"
    assert split_sections(with_list).benefits == ["Pension"]
    assert split_sections(without_list).benefits == ["We care.", "A lot.", "Terms apply."]


def test_sentences_keep_abbreviations() -> None:
    html = "<h3>About us</h3><p>We use tools, e.g. Python. We are based in St. George. Join us!</p>"
    assert split_sections(html).about_company == [
        "We use tools, e.g. Python.",
        "We are based in St. George.",
        "Join us!",
    ]


def test_equal_opportunity_sentences_leave_the_rest_of_the_paragraph() -> None:
    html = (
        "<h3>About us</h3><p>Acme makes anvils. Acme is an equal opportunity employer. "
        "We welcome everyone.</p>"
    )
    found = split_sections(html)
    assert found.about_company == ["Acme makes anvils."]
    assert found.equal_opportunity == [
        "Acme is an equal opportunity employer.",
        "We welcome everyone.",
    ]


def test_bullet_lines_are_items() -> None:
    html = "<p><b>Dein Profil</b><br>• Python<br>- Go<br>1. SQL</p>"
    assert split_sections(html).requirements == ["Python", "Go", "SQL"]


@pytest.mark.parametrize("html", [None, "", "<p></p>", "<p>日本語の説明文です。</p>"])
def test_nothing_to_split(html: str | None) -> None:
    assert split_sections(html) == Sections()


# --- properties ---------------------------------------------------------------------------------

NEUTRAL_WORDS = ["data", "team", "build", "fast", "cloud", "ship", "users", "great", "daily", "ok"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["<p>{}</p>", "<h2>{}</h2>", "<p><b>{}</b></p>", "<li>{}</li>"]),
            st.lists(st.sampled_from(NEUTRAL_WORDS), min_size=1, max_size=8),
            st.sampled_from(["", ":", ".", "?"]),
        ),
        max_size=20,
    )
)
def test_no_recognisable_heading_gives_nothing(
    blocks: list[tuple[str, list[str], str]],
) -> None:
    html = "".join(shape.format(" ".join(words) + end) for shape, words, end in blocks)
    assert split_sections(html) == Sections()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<h2>Requirements</h2>",
                "<p><b>Benefits:</b></p>",
                "<p>About us</p>",
                "<ul>",
                "</ul>",
                "<li>",
                "<br>",
                "<p>",
                "</p>",
                "We are an equal opportunity employer. ",
                "• ",
                "1. ",
                "Ünïcödé ",
                "e.g. ",
                ":",
            ]
        )
        | st.text(max_size=10),
        max_size=40,
    )
)
def test_any_input_gives_clean_sections(pieces: list[str]) -> None:
    found = split_sections("".join(pieces)).model_dump()
    for items in found.values():
        for item in items:
            assert item
            assert item == item.strip()
        assert len(items) == len(set(items))


def test_every_equal_opportunity_phrase_holds_an_anchor() -> None:
    """The quick test for equal-opportunity wording may only rule out texts without any phrase."""
    for phrase in EQUAL_OPPORTUNITY_PHRASES:
        assert any(anchor in phrase for anchor in _EQUAL_OPPORTUNITY_ANCHORS), phrase
    assert _has_equal_opportunity("we are an equal opportunity employer")
    assert not _has_equal_opportunity("equal pay, opportunities to grow")

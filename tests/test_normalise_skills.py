"""
Tests for crawler.normalise.skills: the shipped vocabulary, skill extraction and ranking.

Table cases live in tests/data/normalise/skills.json: real postings kept verbatim from captured
responses, and constructed hard cases (false hits, non-software postings). The helpers that turn
a case into plain text and section bullets are shared with test_normalise_requirements.py.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import Skill
from crawler.normalise.skills import (
    DEFAULT_VOCABULARY,
    build_vocabulary,
    extract_skills,
    load_vocabulary,
)

DATA = Path(__file__).parent / "data" / "normalise"
CASES: list[dict[str, Any]] = json.loads((DATA / "skills.json").read_text(encoding="utf-8"))[
    "cases"
]
DOCUMENTED_CATEGORIES = {
    *("language", "framework", "mobile", "cloud", "database", "data", "ml", "devops", "tool"),
    *("security", "practice", "design", "office", "healthcare", "logistics", "sales"),
    *("marketing", "finance", "management", "hr", "trades", "hospitality", "customer_service"),
    *("education", "spoken_language"),
}
TEXT_ONLY_SCORE = 0.35
"""The score of a skill named once, in the text only (no title, requirements or preferred)."""


# --- Reading cases -----------------------------------------------------------------------------

_BLOCKS = frozenset(
    ["p", "div", "li", "ul", "ol", "br", "tr", "table", "section", "blockquote"]
    + [f"h{level}" for level in range(1, 7)]
)


def html_text(markup: str) -> str:
    """The text of an HTML fragment, one line per block element, blank lines dropped."""
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    for element in root.iter():
        if element.tag in _BLOCKS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    text = root.text_content().replace("\xa0", " ")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def part_markup(part: dict[str, Any]) -> str:
    value: str = part["value"]
    return html.unescape(value) if part["format"] == "html_escaped" else value


def part_text(part: dict[str, Any]) -> str:
    return part["value"] if part["format"] == "plain" else html_text(part_markup(part))


def description(case: dict[str, Any]) -> str:
    return "\n".join(part_text(part) for part in case["description"])


def bullets(case: dict[str, Any], field: str) -> list[str]:
    """A section's bullets: written out in the case, or read from the description."""
    spec = case.get(field)
    if not spec:
        return []
    if isinstance(spec, list):
        return spec
    parts = case["description"]
    if "from_part" in spec:
        return _list_items(parts[spec["from_part"]]["value"])
    first = parts[0]
    if first["format"] == "plain":
        return _plain_bullets_after(first["value"], spec["after_heading"])
    return _html_bullets_after(part_markup(first), spec["after_heading"])


def _list_items(markup: str) -> list[str]:
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    return [" ".join(item.text_content().split()) for item in root.iter("li")]


def _html_bullets_after(markup: str, heading: str) -> list[str]:
    """The items of the first list after the element whose text is `heading`."""
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    wanted = heading.casefold()
    for element in root.iter("p", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "div"):
        label = " ".join(element.text_content().split()).casefold()
        if label == wanted:
            following = element.xpath("following::ul[1] | following::ol[1]")
            if following:
                return [
                    " ".join(item.text_content().split())
                    for item in following[0].iter("li")
                    if item.text_content().strip()
                ]
    raise LookupError(heading)


def _plain_bullets_after(text: str, heading: str) -> list[str]:
    """The "- " lines after the line `heading`, up to the next line that is not one."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.strip().casefold() == heading.casefold():
            found: list[str] = []
            for following in lines[index + 1 :]:
                stripped = following.strip()
                if stripped.startswith(("-", "•")):
                    found.append(stripped.lstrip("-• ").strip())
                elif stripped and found:
                    break
            return found
    raise LookupError(heading)


def posting(case: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments for the normaliser's functions that a case describes."""
    return {
        "title": case["title"],
        "text": description(case),
        "requirements": bullets(case, "requirements"),
        "preferred": bullets(case, "preferred"),
    }


# --- The shipped vocabulary --------------------------------------------------------------------


def _raw_vocabulary() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(DEFAULT_VOCABULARY.read_text(encoding="utf-8"))
    return document


def _spelling_key(spelling: str) -> str:
    return " ".join(spelling.replace("-", " ").replace("’", "'").split())


def test_vocabulary_categories_are_the_documented_ones() -> None:
    document = _raw_vocabulary()
    assert set(document["categories"]) == DOCUMENTED_CATEGORIES
    used = {entry["category"] for entry in document["skills"]}
    assert used == DOCUMENTED_CATEGORIES, used ^ DOCUMENTED_CATEGORIES


def test_vocabulary_spellings_belong_to_one_skill_each() -> None:
    """No spelling, in any case, names two skills: a match must say which skill it is."""
    owners: dict[str, str] = {}
    for entry in _raw_vocabulary()["skills"]:
        spellings = {
            entry["name"],
            *entry.get("aliases", []),
            *entry.get("exact", []),
            *entry.get("guarded", []),
        }
        for key in {_spelling_key(spelling).casefold() for spelling in spellings}:
            assert owners.setdefault(key, entry["name"]) == entry["name"], (key, owners[key])


def test_vocabulary_entries_are_well_formed() -> None:
    allowed = {"name", "category", "aliases", "exact", "guarded", "rule"}
    allowed |= {"not_before", "cues", "after"}
    names = [entry["name"] for entry in _raw_vocabulary()["skills"]]
    assert len(names) == len(set(names))
    assert len(names) >= 300
    for entry in _raw_vocabulary()["skills"]:
        assert set(entry) <= allowed, entry
        assert ("guarded" in entry) == ("rule" in entry), entry
        for field in ("aliases", "exact", "guarded", "not_before", "cues", "after"):
            assert all(isinstance(value, str) and value for value in entry.get(field, [])), entry


def test_shipped_vocabulary_loads_once() -> None:
    vocabulary = load_vocabulary()
    assert load_vocabulary() is vocabulary
    assert load_vocabulary(DEFAULT_VOCABULARY) is not None
    assert len(vocabulary.entries) == len(_raw_vocabulary()["skills"])


@pytest.mark.parametrize(
    ("skills", "message"),
    [
        ([{"name": "Go", "category": "language"}, {"name": "go", "category": "language"}], "both"),
        ([{"name": "Go", "category": "nonsense"}], "category"),
        ([{"name": "Go", "category": "language", "guarded": ["Go"]}], "rule"),
        ([{"name": "Lean", "category": "language", "not_before": [True]}], "list of strings"),
        (
            [
                {"name": "Rn", "category": "language"},
                {"name": "Nurse", "category": "language", "exact": ["RN"]},
            ],
            "case-insensitive",
        ),
    ],
)
def test_a_bad_vocabulary_is_refused(skills: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_vocabulary({"language": "Programming languages."}, skills)


def test_a_vocabulary_file_can_be_loaded_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "skills.yaml"
    path.write_text(
        "categories: {tool: Tools.}\nskills:\n  - {name: Widget, category: tool, aliases: [wdgt]}\n",
        encoding="utf-8",
    )
    vocabulary = load_vocabulary(path)
    assert [entry.name for entry in vocabulary.entries] == ["Widget"]
    assert vocabulary.pattern.search(" uses wdgt daily") is not None


# --- Table cases -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_skills_of_posting(case: dict[str, Any]) -> None:
    expected = case["expected"]
    limit = expected.get("limit", 40)
    found = extract_skills(**posting(case), company=case.get("company"), limit=limit)
    names = [skill.name for skill in found]
    scores = {skill.name: skill.score for skill in found}
    top = expected.get("top", [])
    if "limit" in expected:
        assert names == top
    else:
        assert set(names[: len(top)]) == set(top), names
    for name in expected.get("present", []):
        assert name in names, (name, names)
    for name in expected.get("absent", []):
        assert name not in names, (name, names)
    for name, score in expected.get("scores", {}).items():
        assert scores[name] == pytest.approx(score, abs=0.001), name
    for name, count in expected.get("counts", {}).items():
        assert scores[name] == pytest.approx(_text_only_score(count), abs=0.001), name


def _text_only_score(mentions: int) -> float:
    return round(TEXT_ONLY_SCORE + 0.2 * (1 - 0.5 ** (mentions - 1)), 3)


def test_cases_are_real_or_marked_constructed() -> None:
    for case in CASES:
        source = case["source"]
        assert source == "constructed" or (
            source.startswith("/work/shared/fixtures/real/") and case["description"][0]["pointer"]
        ), case["id"]


# --- Ranking -----------------------------------------------------------------------------------


def test_location_orders_the_scores() -> None:
    """Title over requirements over preferred over the rest of the text, mentioned once each."""
    found = extract_skills(
        title="Kotlin Developer",
        text="We use Docker.",
        requirements=["Terraform"],
        preferred=["Figma"],
    )
    assert [(skill.name, skill.score) for skill in found] == [
        ("Kotlin", 0.8),
        ("Terraform", 0.65),
        ("Figma", 0.5),
        ("Docker", 0.35),
    ]


def test_repeated_mentions_saturate() -> None:
    scores = [
        extract_skills(title="", text=" ".join(["Python."] * count))[0].score
        for count in (1, 2, 3, 10, 100)
    ]
    assert scores == sorted(scores)
    assert scores[0] == TEXT_ONLY_SCORE
    assert scores[-1] < 0.551
    assert extract_skills(title="Python", text="Python " * 100)[0].score == 1.0


def test_without_text_the_sections_are_counted() -> None:
    found = extract_skills(title="", text=None, requirements=["Go and Rust", "Go services"])
    assert [(skill.name, skill.score) for skill in found] == [("Go", 0.75), ("Rust", 0.65)]


def test_limit() -> None:
    text = "Python, Django, PostgreSQL, Redis, Docker"
    assert len(extract_skills(title="", text=text, limit=2)) == 2
    assert extract_skills(title="", text=text, limit=0) == []


# --- Properties --------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        *("Go", "go", "R", "C", "C++", "Excel", "excel", "Python", "React", "Spark", "German"),
        *("-", ",", "/", "(", ")", "and", "to", ".", "\n", "Series", "equal opportunity", "k8s"),
        *("İ", "ß", "日本"),
    ]
)


@given(
    title=st.text(max_size=80),
    text=st.one_of(st.none(), st.text(max_size=400), st.lists(_WORDS, max_size=60).map(" ".join)),
    requirements=st.lists(st.text(max_size=60), max_size=4),
    limit=st.integers(min_value=-1, max_value=20),
)
@settings(max_examples=300, deadline=None)
def test_any_input_gives_valid_skills(
    title: str, text: str | None, requirements: list[str], limit: int
) -> None:
    found = extract_skills(title=title, text=text, requirements=requirements, limit=limit)
    assert len(found) <= max(limit, 0)
    assert all(isinstance(skill, Skill) and 0 < skill.score <= 1 for skill in found)
    assert [skill.score for skill in found] == sorted(
        (skill.score for skill in found), reverse=True
    )
    assert len({skill.name for skill in found}) == len(found)
    categories = set(load_vocabulary().categories)
    assert all(skill.category in categories for skill in found)


def test_huge_and_binary_looking_input() -> None:
    binary = bytes(range(256)).decode("latin-1") * 200
    assert extract_skills(title="\x00", text=binary) == []
    huge = "Experience with Python and Go. " * 20_000
    assert [skill.name for skill in extract_skills(title="", text=huge)] == ["Go", "Python"]


def test_offsets_survive_lowercasing_that_changes_length() -> None:
    """ "İ".lower() is two characters; matches after it must still be read at the right place."""
    found = extract_skills(title="", text="İİİ Go, Rust and İstanbul Python")
    assert {skill.name for skill in found} == {"Go", "Rust", "Python"}


def test_every_guarded_spelling_can_match() -> None:
    """A guarded spelling, capitalised mid-sentence and followed by a cue word, is found."""
    vocabulary = load_vocabulary()
    for spelling, index in vocabulary.exact.items():
        entry = vocabulary.entries[index]
        if spelling not in vocabulary.guarded:
            continue
        if entry.rule == "spoken":
            text = f"We need fluent {spelling} speakers."
        else:
            text = f"We use Python, {spelling} and SQL daily."
        names = [skill.name for skill in extract_skills(title="", text=text)]
        assert entry.name in names, (spelling, names)


def test_vocabulary_pattern_is_one_regex() -> None:
    assert isinstance(load_vocabulary().pattern, re.Pattern)


def test_html_helper_reads_greenhouse_content() -> None:
    """The test helper itself: escaped HTML becomes one line per block."""
    part = {
        "format": "html_escaped",
        "value": "&lt;p&gt;A&lt;/p&gt;&lt;ul&gt;&lt;li&gt;B&lt;/li&gt;&lt;/ul&gt;",
    }
    assert part_text(part) == "A\nB"
    assert html.unescape("&amp;") == "&"
    assert lxml.html.fromstring("<p>x</p>").text_content() == "x"

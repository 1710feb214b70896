"""Blocking keys: employer names and titles written differently by different sources."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.dedupe.keys import (
    _place_name,
    _title_key,
    company_key,
    fold,
    key_of_text,
    normalise_title,
    title_key,
)
from crawler.items import Location


@pytest.mark.parametrize(
    ("names", "key"),
    [
        (["Acme, Inc.", "ACME Inc", "Acme Inc.", "The Acme Company", "acme"], "acme"),
        (["Datadog, Inc.", "Datadog", "DATADOG", "Datadog Ltd"], "datadog"),
        (["Gong.io", "Gong", "Gong.io, Inc.", "Gong.io Group"], "gong"),
        (["Foo GmbH & Co. KG", "Foo GmbH", "FOO AG", "Foo SE", "Foo S.A."], "foo"),
        (["CLARK Holding SE", "Clark Germany GmbH", "Clark"], "clark"),
        (["Société Générale S.A.", "Societe Generale"], "societe generale"),
        (["IL00 Mellanox Technologies, Ltd.", "Mellanox Technologies"], "mellanox technologies"),
        (["1000 Merck Sharp & Dohme LLC", "Merck Sharp and Dohme"], "merck sharp dohme"),
        (["Procter & Gamble", "Procter and Gamble"], "procter gamble"),
        (["Spotify AB", "Spotify"], "spotify"),
    ],
)
def test_company_key_folds_what_sources_vary(names: list[str], key: str) -> None:
    assert {company_key(name) for name in names} == {key}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Bank of America", "bank of america"),  # "of" a country: the country stays
        ("3M", "3m"),
        ("株式会社メルカリ", "株式会社メルカリ"),
        ("Inc.", "inc"),  # nothing but a legal form: kept rather than emptied
        ("", ""),
        (None, ""),
        ("!!!", ""),
    ],
)
def test_company_key_keeps_what_names_the_employer(name: str | None, key: str) -> None:
    assert company_key(name) == key


def test_different_employers_keep_different_keys() -> None:
    assert company_key("General Motors") != company_key("General Electric")
    assert company_key("Acme Inc") != company_key("Acme Robotics Inc")


@pytest.mark.parametrize(
    "titles",
    [
        ["Senior Software Engineer, Backend", "Sr. Software Eng. - Backend (Remote)",
         "Backend, Senior Software Engineer", "SENIOR SOFTWARE ENGINEER - BACKEND"],
        ["(Senior) CRM Manager (m/w/d)", "Senior CRM Manager", "Senior CRM Manager (f/m/x)"],
        ["Softwareentwickler*in (m/w/d)", "Softwareentwickler (w/m/d)", "Softwareentwickler:in"],
        ["Chargé de clientèle (H/F)", "Charge de clientele"],
        ["Full-Stack Engineer", "Fullstack Engineer", "Full Stack Engineer"],
        ["Analytics Engineer II", "Analytics Engineer 2", "Analytics Engineer ii"],
        ["Sales Manager - New York, NY", "Sales Manager (Remote, US)", "Sales Manager | London"],
        ["Vertriebsmitarbeiter (w/m/d) in Berlin", "Vertriebsmitarbeiter"],
        ["Remote - Senior Engineer", "Senior Engineer [Remote]", "Senior Engineer (EST)"],
        ["VP, Sales", "Vice President Sales"],
        ["Node.js Developer", "NodeJS Developer"],
    ],
)  # fmt: skip
def test_titles_of_one_job_share_a_key(titles: list[str]) -> None:
    assert len({title_key(title).key for title in titles}) == 1, [
        title_key(title).text for title in titles
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Senior Software Engineer, Backend", "Senior Software Engineer, Frontend"),
        ("C++ Developer", "C# Developer"),
        ("Analytics Engineer II", "Analytics Engineer III"),
        ("Research Engineer - AI", "Research Engineer"),  # "AI" is an acronym, not Anguilla
        ("Software Engineer (Payments)", "Software Engineer"),
        ("Mobile Engineer, Android", "Mobile Engineer, iOS"),
        ("Intern Auditor", "Internal Auditor"),
    ],
)
def test_titles_of_two_jobs_keep_different_keys(first: str, second: str) -> None:
    assert title_key(first).key != title_key(second).key


def test_levels_are_read_from_words_and_numbers() -> None:
    assert title_key("Sr. Staff Engineer II").levels == {"senior", "staff", "2"}
    assert title_key("2027 Future Talent Program Intern").levels == {"2027", "intern"}
    assert title_key("Data Engineer").levels == frozenset()


def test_places_in_titles_are_kept_aside() -> None:
    india = title_key("Agency Development Lead, India")
    assert india.text == "agency development lead"
    assert india.places == (Location(country="IN"),)
    europe = title_key("Sr Full-Stack Engineer | Europe")
    assert europe.places == (Location(region="Europe"),)
    assert title_key("Security Engineer (Remote, US)").workplace
    assert title_key("Research Engineer - AI").places == ()


def test_own_names_go_even_when_the_parser_does_not_know_them() -> None:
    own = ["Yokneam", "Vercel", "Paradromics, Inc."]
    assert title_key("Test Engineer - Yokneam", own).text == "test engineer"
    assert title_key("Account Executive | Vercel", own).text == "account executive"
    assert title_key("Paradromics, Inc. - Field Engineer", own).text == "field engineer"
    assert title_key("Test Engineer - Yokneam").text == "test engineer yokneam"


def test_non_latin_titles_keep_their_letters() -> None:
    assert normalise_title("ソリューションアーキテクト (プリセールス)") == (
        "ソリューションアーキテクト プリセールス"
    )
    assert normalise_title("Ведущий инженер") == "ведущий инженер"


def test_fold_drops_latin_accents_only() -> None:
    assert fold("Émilie Größe") == "emilie grosse"
    assert fold("プ") == "プ"
    assert fold("Ⅱ") == "ii"


@given(st.text(max_size=400))
def test_key_functions_never_raise(text: str) -> None:
    assert isinstance(company_key(text), str)
    key = title_key(text, [text[:20], "Berlin"])
    assert key.key == " ".join(sorted(key.words))
    assert key.levels <= key.words
    assert normalise_title(text) == title_key(text).text
    assert isinstance(fold(text), str)


_TITLE_PARTS = st.sampled_from(
    [
        "Senior", "Sr.", "Engineer", "Sales Manager", "Berlin", "Yokneam", "Acme, Inc.", "Acme",
        "(m/w/d)", "Entwickler*in", "Remote", " - ", ", ", " | ", "(", ")", "New York", "NY",
        "in", "Tel Aviv-Yafo", "Vercel", "München", "II", "Data",
    ]
)  # fmt: skip


@settings(max_examples=400)
@given(
    st.lists(_TITLE_PARTS, max_size=8).map(" ".join),
    st.lists(_TITLE_PARTS, max_size=4),
    st.lists(st.text(max_size=12), max_size=2),
)
def test_own_names_missing_from_the_title_do_not_change_its_key(
    title: str, own: list[str], other: list[str]
) -> None:
    names = own + other
    every_name = frozenset(name for name in (_place_name(text) for text in names) if name)
    assert title_key(title, names) == _title_key(title[:300], every_name)


@given(st.text(max_size=80))
def test_a_key_is_rebuilt_from_its_text(title: str) -> None:
    key = title_key(title)
    rebuilt = key_of_text(key.text)
    assert (rebuilt.text, rebuilt.key, rebuilt.words, rebuilt.levels) == (
        key.text, key.key, key.words, key.levels,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("title", "own"),
    [
        ("Test Engineer - Yokneam", ["Yokneam", "Berlin"]),
        ("Account Executive | Vercel Labs", ["Vercel Labs", "London"]),
        ("Field Engineer - Kiryat Gat South", ["Kiryat Gat South"]),
        ("Entwickler*in - Hamburg Nord", ["Hamburg Nord", "Hamburg"]),
    ],
)
def test_own_names_in_the_title_still_go(title: str, own: list[str]) -> None:
    every_name = frozenset(_place_name(text) for text in own)
    key = title_key(title, own)
    assert key == _title_key(title, every_name)
    assert key != _title_key(title, frozenset())

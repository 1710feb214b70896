"""
Tests for crawler.normalise.requirements: experience years, education level and seniority.

Posting cases live in tests/data/normalise/requirements.json (real postings kept verbatim, and
constructed ones); phrase and title cases are tables here, each expectation checked by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import Education, Seniority
from crawler.normalise.requirements import (
    RequirementsSummary,
    education_level,
    experience_years_min,
    seniority,
    summarise_requirements,
)
from tests.test_normalise_skills import bullets, description

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "normalise" / "requirements.json").read_text(encoding="utf-8")
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_requirements_of_posting(case: dict[str, Any]) -> None:
    summary = summarise_requirements(
        title=case["title"], text=description(case), requirements=bullets(case, "requirements")
    )
    assert summary == RequirementsSummary(**case["expected"]), case["note"]


def test_cases_are_real_or_marked_constructed() -> None:
    assert any(case["source"] == "constructed" for case in CASES)
    for case in CASES:
        assert case["source"] == "constructed" or case["source"].startswith(
            "/work/shared/fixtures/real/"
        )


# --- Experience --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("1+ years of experience", 1),
        ("at least 3 years", 3),
        ("3+ yrs experience with Python", 3),
        ("5-7 years of experience", 5),
        ("3 to 5 years of relevant experience", 3),
        ("five years of professional experience", 5),
        ("two (2) years of experience in retail", 2),
        ("minimum of 2 years", 2),
        ("2 or more years of experience", 2),
        ("3+ years of Python", 3),
        ("Experience: 4 years", 4),
        ("6 months of experience", 0),
        ("1.5 years of experience", 1),
        ("10+ years of experience in digital advertising", 10),
        ("mindestens 3 Jahre Berufserfahrung", 3),
        ("3+ Jahre Erfahrung in der Softwareentwicklung", 3),
        ("drei Jahre Berufserfahrung", 3),
        ("3 ans d'expérience", 3),
        ("1 an d'expérience minimum", 1),
        ("au moins cinq ans d’expérience", 5),
        ("al menos 2 años de experiencia", 2),
        ("experiencia mínima de 3 años", 3),
        ("3+ years required; 5+ years preferred", 3),
        ("5+ years of experience in support, including 3+ years in ads", 5),
        ("3+ years of Java and 2+ years of Kotlin", 2),
        ("Must be 18 years of age with 2 years driving experience", 2),
        # unrelated years
        ("founded 10 years ago", None),
        ("a 2-year contract", None),
        ("401(k) plan with match", None),
        ("in the last 5 years we grew 10x", None),
        ("over the past 10 years, our team has shipped", None),
        ("We have over 20 years of experience serving clients", None),
        ("Must be 18 years old", None),
        ("a 4-year degree", None),
        ("celebrating 10 years of innovation", None),
        ("Paid at 90 days (about 3 months) of employment", None),
        ("", None),
    ],
)
def test_experience_years(text: str, years: int | None) -> None:
    assert experience_years_min(text) == years


def test_preferred_years_count_only_without_required_ones() -> None:
    assert experience_years_min("5+ years of experience required. 2 years preferred.") == 5
    assert experience_years_min("2+ years of experience preferred") == 2
    text = "Requirements\n- 4+ years of experience\nNice to have\n- 1+ years with Go"
    assert experience_years_min(text) == 4
    assert experience_years_min("Nice to have\n- 1+ years with Go") == 1


def test_requirements_bullets_win_over_the_text() -> None:
    summary = summarise_requirements(
        title="Engineer",
        text="About us: our founders have 8+ years of experience each.\n- 3+ years of experience",
        requirements=["3+ years of experience", "Bachelor's degree"],
    )
    assert summary.experience_years_min == 3
    assert summary.education == "bachelor"
    fallback = summarise_requirements(
        title="Engineer", text="PhD in Physics required.", requirements=["3+ years of experience"]
    )
    assert (fallback.experience_years_min, fallback.education) == (3, "phd")


# --- Education ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level", "equivalent"),
    [
        ("Bachelor's degree in CS or equivalent experience", "bachelor", True),
        ("BS/MS in Computer Science", "bachelor", False),
        ("BA or BS in Economics", "bachelor", False),
        ("PhD preferred. Master's required.", "master", False),
        ("PhD preferred; Master's degree required", "master", False),
        ("BS/MS required, PhD preferred", "bachelor", False),
        ("High school diploma or GED", "high_school", False),
        ("No degree required", "none", False),
        ("No experience or degree required; a Bachelor's is a plus", "none", False),
        (
            "Bachelor's degree in Computer Science, Engineering, or related field preferred",
            "bachelor",
            False,
        ),
        ("A master's or doctoral degree in occupational therapy (OT)", "master", False),
        ("Master's degree in CS", "master", False),
        ("Degree in Computer Science or related field", "bachelor", False),
        ("You have a degree in Mathematics", "bachelor", False),
        ("4-year degree required", "bachelor", False),
        ("Associate's degree in nursing", "associate", False),
        ("Advanced degree (MS or PhD) in a quantitative field", "master", False),
        ("MBA preferred", "master", False),
        ("You hold a PhD in Computer Science (or have equivalent experience)", "phd", True),
        (
            "Abgeschlossenes Studium der Informatik oder vergleichbare Qualifikation",
            "bachelor",
            True,
        ),
        ("Bachelor oder Master in Informatik", "bachelor", False),
        ("Abitur und abgeschlossene Ausbildung als Kauffrau", "high_school", False),
        ("Abgeschlossene Promotion in Physik", "phd", False),
        ("Diplom-Ingenieur Maschinenbau", "master", False),
        ("Licence en informatique ou équivalent", "bachelor", True),
        ("Bac+5 en école d'ingénieur", "master", False),
        ("Doctorat en biologie", "phd", False),
        ("Licenciatura o grado en Administración de Empresas", "bachelor", False),
        ("Título universitario en Ingeniería", "bachelor", False),
        ("Bachillerato completo", "high_school", False),
        # not degrees
        ("Proficient in MS Office and Excel", None, False),
        ("We offer tuition reimbursement for a master's degree.", None, False),
        ("Driving licence required", None, False),
        ("a high degree of autonomy", None, False),
        ("Master Data Management experience; Scrum Master certification", None, False),
        ("master your craft", None, False),
        ("Promotion opportunities and a sales promotion budget", None, False),
        ("", None, False),
    ],
)
def test_education_level(text: str, level: Education | None, equivalent: bool) -> None:
    assert education_level(text) == (level, equivalent)


# --- Seniority ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("Software Engineering Intern", "intern"),
        ("Summer Internship - Data", "intern"),
        ("Werkstudent (m/w/d) Marketing", "intern"),
        ("Stagiaire - Développeur", "intern"),
        ("Stage : Assistant marketing", "intern"),
        ("Product Manager Intern", "intern"),
        ("International Sales Representative", None),
        ("Internal Auditor", None),
        ("Chief Technology Officer", "executive"),
        ("CTO", "executive"),
        ("VP of Engineering", "executive"),
        ("SVP, Sales", "executive"),
        ("Co-Founder & CEO", "executive"),
        ("Geschäftsführer (m/w/d)", "executive"),
        ("Executive Assistant to the CEO", None),
        ("Account Executive", None),
        ("Assistant Vice President, Risk", "director"),
        ("Director of Engineering", "director"),
        ("Senior Director, Product", "director"),
        ("Associate Director, Clinical Operations", "director"),
        ("Engineering Manager", "manager"),
        ("Senior Engineering Manager", "manager"),
        ("Store Manager", "manager"),
        ("Manager, Product Marketing", "manager"),
        ("Head of Data", "manager"),
        ("Shift Supervisor", "manager"),
        ("Teamleiter Vertrieb", "manager"),
        ("School Principal", "manager"),
        ("Assistant Principal", "manager"),
        ("Group Product Manager", "manager"),
        # individual contributors named "Manager"
        ("Product Manager", None),
        ("Senior Product Manager", "senior"),
        ("Account Manager", None),
        ("Key Account Manager", None),
        ("Customer Success Manager", None),
        ("Project Manager", None),
        ("Technical Program Manager II", "mid"),
        ("Associate Product Manager", "junior"),
        ("Principal Product Manager", "principal"),
        ("Projektleiter Bau", None),
        ("Principal Engineer", "principal"),
        ("Distinguished Engineer", "principal"),
        ("Technical Fellow", "principal"),
        ("Postdoctoral Research Fellow", None),
        ("Staff Software Engineer", "staff"),
        ("Staff Data Scientist", "staff"),
        ("Staff Nurse", None),
        ("Staff Accountant", None),
        ("Senior Software Engineer", "senior"),
        ("Sr. Data Analyst", "senior"),
        ("Lead Teacher", "senior"),
        ("Team Lead, Support", "senior"),
        ("Advertiser Solutions Vendor Lead - Programmatic and Direct Support", "senior"),
        ("Lead Generation Specialist", None),
        ("Senior Softwareentwickler (m/w/d)", "senior"),
        ("Mid-Level Developer", "mid"),
        ("Junior Developer", "junior"),
        ("Jr. Accountant", "junior"),
        ("Entry Level Customer Service Representative", "junior"),
        ("Graduate Software Engineer", "junior"),
        ("Sales Associate", "junior"),
        ("Associate Professor of Biology", None),
        ("Data Entry Clerk", None),
        ("Analytics Engineer II", "mid"),
        ("Software Engineer III", "senior"),
        ("Software Engineer I", "junior"),
        ("Nurse I", "junior"),
        ("Support Engineer Level 2", "mid"),
        ("Class V Driver", None),
        ("Software Engineer (L5)", "senior"),
        ("L3 Support Engineer", None),
        ("Chief of Staff", None),
        ("Forklift Operator", None),
        ("", None),
    ],
)
def test_title_seniority(title: str, level: Seniority | None) -> None:
    assert seniority(title) == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("1+ years of experience", "junior"),
        ("6 months of experience", "junior"),
        ("2+ years of experience", "mid"),
        ("4 years of experience", "mid"),
        ("5+ years of experience", "senior"),
        ("Great team, no years stated.", None),
        (None, None),
    ],
)
def test_seniority_from_years_when_the_title_is_silent(text: str | None, level: str | None) -> None:
    assert seniority("Software Engineer", text) == level
    assert seniority("Junior Developer", text) == "junior"


# --- Properties --------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        *("5+", "years", "year", "of", "experience", "Bachelor's", "degree", "PhD", "preferred"),
        *("\n", "required", "or equivalent", "Jahre", "ans", "an d'expérience", "-", "İ", "(2)"),
        *("two", "MS"),
    ]
)


@given(
    title=st.text(max_size=80),
    text=st.one_of(st.none(), st.text(max_size=400), st.lists(_PIECES, max_size=50).map(" ".join)),
    requirements=st.lists(st.text(max_size=80), max_size=4),
)
@settings(max_examples=300, deadline=None)
def test_any_input_gives_a_valid_summary(
    title: str, text: str | None, requirements: list[str]
) -> None:
    summary = summarise_requirements(title=title, text=text, requirements=requirements)
    assert summary.experience_years_min is None or 0 <= summary.experience_years_min <= 40
    assert summary.education is None or summary.education in get_args(Education)
    assert summary.seniority is None or summary.seniority in get_args(Seniority)
    assert summary.education is not None or not summary.education_or_equivalent


def test_huge_and_binary_looking_input() -> None:
    binary = bytes(range(256)).decode("latin-1") * 200
    assert summarise_requirements(title="\x00", text=binary) == RequirementsSummary(
        None, None, False, None
    )
    huge = "We ship fast. " * 20_000 + "Requires 3+ years of experience and a BS degree."
    assert experience_years_min(huge) == 3
    assert education_level(huge) == ("bachelor", False)

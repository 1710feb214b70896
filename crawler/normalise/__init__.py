"""
Normalisation: turns what a source said (`RawPosting`) into the schema (`JobPosting`).

`normalise()` is the only entry point and the same for every spider, so a field means the same thing
whatever the source. Each part lives in its own module of pure functions; this module only decides
which raw value feeds which parser, structured values first and text second.
"""

from __future__ import annotations

import re
from datetime import datetime

from crawler.ids import canonical_url, job_id
from crawler.items import JobPosting, RawPosting, Salary
from crawler.normalise.dates import parse_date, parse_datetime, parse_posted
from crawler.normalise.employment import parse_employment_types
from crawler.normalise.html import html_to_text, sanitise_html
from crawler.normalise.locations import detect_remote, parse_locations
from crawler.normalise.requirements import summarise_requirements
from crawler.normalise.salary import find_salary_in_text, parse_salary, salary_from_fields
from crawler.normalise.sections import split_sections
from crawler.normalise.skills import extract_skills

_SPACES = re.compile(r"\s+")


def normalise(raw: RawPosting, *, now: datetime) -> JobPosting:
    """The schema record for `raw`, with relative dates resolved against `now` (the run's start)."""
    languages = _languages(raw.language)
    description_html = sanitise_html(raw.description_html)
    description_text = html_to_text(description_html)
    posted = parse_posted(raw.date_posted_raw, now=now, languages=languages)
    sections = split_sections(description_html)
    title = _tidy(raw.title) or raw.title
    summary = summarise_requirements(
        title=title, text=description_text, requirements=sections.requirements
    )
    skills = extract_skills(
        title=title,
        text=description_text,
        requirements=sections.requirements,
        preferred=sections.preferred,
        company=raw.company,
    )
    return JobPosting(
        id=job_id(raw.source, raw.source_key, raw.source_id),
        source=raw.source,
        source_key=raw.source_key,
        source_id=raw.source_id,
        url=canonical_url(raw.url.strip()),
        apply_url=canonical_url(raw.apply_url.strip()) if raw.apply_url else None,
        title=title,
        company=_tidy(raw.company),
        locations=parse_locations([raw.location_raw, *raw.locations_raw]),
        location_raw=_tidy(raw.location_raw),
        remote=detect_remote(flag=raw.remote_raw, texts=[raw.location_raw, *raw.locations_raw]),
        employment_type=parse_employment_types(raw.employment_type_raw),
        salary=_salary(raw, description_text),
        date_posted=posted.day,
        date_posted_before=posted.before,
        valid_through=parse_date(raw.valid_through_raw, now=now, languages=languages),
        updated_at=parse_datetime(raw.updated_at_raw, now=now, languages=languages),
        description_html=description_html,
        description_text=description_text,
        sections=sections,
        skills=skills,
        experience_years_min=summary.experience_years_min,
        education=summary.education,
        education_or_equivalent=summary.education_or_equivalent,
        seniority=summary.seniority,
        department=_tidy(raw.department),
        requisition_id=_tidy(raw.requisition_id),
        language=_tidy(raw.language),
        source_revision=raw.revision,
    )


def _tidy(text: str | None) -> str | None:
    """Whitespace collapsed; None for empty text."""
    if text is None:
        return None
    tidied = _SPACES.sub(" ", text).strip()
    return tidied or None


def _languages(language: str | None) -> list[str] | None:
    """Language tags for the date parser, kept whole so "en-GB" reads 04/11/2020 day first."""
    if not language:
        return None
    tag = language.replace("_", "-")
    return [tag] if tag.lower().startswith("en") else [tag, "en"]


def _salary(raw: RawPosting, description_text: str | None) -> Salary | None:
    """Structured pay fields first, then the source's salary text, then a pay sentence in the text."""
    if raw.salary_min is not None or raw.salary_max is not None:
        structured = salary_from_fields(
            min_value=raw.salary_min,
            max_value=raw.salary_max,
            currency=raw.salary_currency,
            period=raw.salary_period,
            raw=raw.salary_raw,
        )
        if structured is not None:
            return structured
    if raw.salary_raw:
        parsed = parse_salary(raw.salary_raw, default_currency=raw.salary_currency)
        if parsed is not None:
            return parsed
    return find_salary_in_text(description_text, default_currency=raw.salary_currency)

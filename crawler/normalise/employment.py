"""
Employment-type values of every source mapped to schema.org's employmentType vocabulary.

Sources spell the same few facts in many ways: enum codes (Ashby "FullTime", Recruitee
"fulltime_fixed_term", SmartRecruiters "permanent", JSON-LD "FULL_TIME"), labels (Greenhouse
"Time Type" "Full time", Workday "Full time", Workable "Part-time", Lever's free-text commitment
"Permanent" or "Short Term") and other languages ("Vollzeit", "CDI", "Tiempo completo"). Each
value is lower-cased, its separators turned into spaces, and scanned once with a single regular
expression whose alternatives are ordered longest first, so that "fixed term contract" is read as
one phrase (TEMPORARY) rather than also as "contract" (CONTRACTOR). A value may name several types
("Full-time, Part-time", "fulltime_fixed_term"): every one is kept.

Decisions, so that callers know what the values mean:

- Words that only say the job is not fixed-term ("Permanent", "Regular", "CDI", "unbefristet",
  "Festanstellung") give FULL_TIME only when no value says FULL_TIME or PART_TIME: Personio's
  employmentType "permanent" with schedule "part-time" is PART_TIME alone.
- Fixed-term, seasonal and short-term work ("Befristet", "CDD", "Short Term", "Seasonal") is
  TEMPORARY. Freelance, consultant and contract-to-hire work is CONTRACTOR.
- Internships, working students ("Werkstudent"), apprenticeships ("Ausbildung", "Alternance"),
  trainees and co-ops are INTERN: they are all places for people still learning, which is what a
  job seeker filtering on INTERN looks for; schema.org has no closer term.
- "Per diem", "PRN", "On call" and "Casual" are PER_DIEM: work offered as needed.
- OTHER is returned only when some value is present and none is recognised (or a source says
  "OTHER" itself); it is never added next to a recognised type. Placeholders ("N/A", "None",
  "Not specified") count as no value.
- The result is de-duplicated, in the order the types first appear.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Final, Literal

from crawler.items import EmploymentType

_Kind = EmploymentType | Literal["PERMANENT"]
"""What a word says: a schema type, or PERMANENT for duration-only words ("Permanent", "CDI"),
which become FULL_TIME only when nothing names the hours."""
_PERMANENT: Final = "PERMANENT"

_RULES: Final[tuple[tuple[str, tuple[_Kind, ...]], ...]] = (
    (r"full (?:time )?(?:or |and |& )?part ?time", ("FULL_TIME", "PART_TIME")),
    (r"(?:fixed|limited|short) ?term(?: contract| position| employment)?", ("TEMPORARY",)),
    (r"temp(?:orary)? to (?:perm(?:anent)?|hire)", ("TEMPORARY",)),
    (r"contract to (?:hire|perm(?:anent)?)", ("CONTRACTOR",)),
    (r"independent contractor|self employed|corp to corp", ("CONTRACTOR",)),
    (r"working student|student job|studentenjob", ("INTERN",)),
    (r"tempo determinato|contrato temporal|contrat a duree determinee", ("TEMPORARY",)),
    (r"tempo indeterminato|contrato indefinido|contrat a duree indeterminee", (_PERMANENT,)),
    (r"tiempo completo|jornada completa|temps plein|tempo integral|tempo pieno", ("FULL_TIME",)),
    (
        r"medio tiempo|tiempo parcial|media jornada|jornada parcial|temps partiel|tempo parcial",
        ("PART_TIME",),
    ),
    (r"per diem|on call|as needed", ("PER_DIEM",)),
    (r"full ?time|vollzeit|voltijd|heltid|^full$|^ft$", ("FULL_TIME",)),
    (r"part ?time|teilzeit|deeltijd|deltid|mini ?job|midi ?job|^part$|^pt$", ("PART_TIME",)),
    (r"temp(?:orary)?|seasonal|saison\w*|befristet\w*|cdd|interim", ("TEMPORARY",)),
    (r"aushilfe|temporal|temporaire|zeitarbeit", ("TEMPORARY",)),
    (
        r"contract(?:or|ors|ing)?|freelanc\w*|freiberuf\w*|consultan\w*|1099|c2c|c2h"
        r"|autonomo|portage",
        ("CONTRACTOR",),
    ),
    (
        r"intern(?:ship)?s?|werkstudent\w*|praktik\w*|stage|stagiaire|practicas|pasantia"
        r"|becari[oa]|estagio|tirocinio|apprentice\w*|ausbildung|azubi|alternance|alternant"
        r"|apprentissage|trainee\w*|co op|coop|student",
        ("INTERN",),
    ),
    (r"volunt\w*|benevol\w*|ehrenamt\w*|voluntariado", ("VOLUNTEER",)),
    (r"prn|casual", ("PER_DIEM",)),
    (
        r"permanent|regular|cdi|unbefristet|festanstellung|indefinido|indeterminado|perm",
        (_PERMANENT,),
    ),
    (r"other", ("OTHER",)),
)
"""(pattern over normalised text, types) in priority order: at one position the first matching
alternative wins, so longer phrases come before the words they contain."""

_PATTERN: Final = re.compile(
    "|".join(rf"(?P<r{index}>\b(?:{pattern})\b)" for index, (pattern, _) in enumerate(_RULES))
)
_SEPARATORS = re.compile(r"[\s_\-/,;|+()\[\]]+")
_PLACEHOLDERS: Final = frozenset(
    {
        "",
        "n a",
        "na",
        "none",
        "null",
        "unknown",
        "not applicable",
        "not specified",
        "unspecified",
        "tbd",
        "undefined",
        "nan",
    }
)
_MAX_VALUE_CHARS: Final = 300
"""Longer values are prose, not an employment type: only their start is read."""


def _normalised(value: str) -> str:
    """Lower case, no accents, separators as single spaces: "Full-time" -> "full time"."""
    decomposed = unicodedata.normalize("NFKD", value[:_MAX_VALUE_CHARS])
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", bare.casefold().replace("&", " & ")).strip()


@lru_cache(maxsize=8192)
def _types_in(value: str) -> tuple[_Kind, ...] | None:
    """The kinds one value names, in order; None for a placeholder that says nothing."""
    normalised = _normalised(value)
    if normalised in _PLACEHOLDERS or not any(ch.isalnum() for ch in normalised):
        return None
    found: list[_Kind] = []
    for match in _PATTERN.finditer(normalised):
        rule = int(str(match.lastgroup)[1:])
        found.extend(_RULES[rule][1])
    return tuple(found)


def parse_employment_types(values: Iterable[str | None]) -> list[EmploymentType]:
    """schema.org employment types named by a source's values, de-duplicated in order."""
    found: list[_Kind] = []
    saw_value = False
    for value in values:
        if not value:
            continue
        types = _types_in(value)
        if types is None:
            continue
        saw_value = True
        found.extend(types)
    hours_known = "FULL_TIME" in found or "PART_TIME" in found
    resolved: list[EmploymentType] = []
    for kind in found:
        if kind == _PERMANENT:
            if hours_known:
                continue
            kind = "FULL_TIME"
        if kind not in resolved:
            resolved.append(kind)
    if len(resolved) > 1 and "OTHER" in resolved:
        resolved.remove("OTHER")
    if not resolved and saw_value:
        return ["OTHER"]
    return resolved

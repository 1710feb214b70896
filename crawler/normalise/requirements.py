"""
What a posting asks of a candidate: minimum years of experience, education level and seniority.

Each is read from the text by rules, not learned, so that every decision can be explained and
tested. The text read is the posting's requirements bullets when a sibling module found that
section, else the whole description.

Experience (`experience_years_min`)
    A years phrase is a number (digits, "two (2)", or a word from one to fifteen in English,
    German, French or Spanish), optionally a range or "+"/"or more", then a unit: years, yrs,
    Jahre, ans, años (months count as whole years, so "6 months" is 0). A range counts as its
    lower end ("5-7 years" is 5). The phrase counts only as a requirement of experience:

    - it needs evidence: a word of experience after it within a few words ("3 years of hands-on
      experience", "Berufserfahrung", "d'expérience") or right before it ("Experience: 3 years",
      "experiencia mínima de 3 años"), or a minimum marker before it ("at least", "minimum of",
      "mindestens", "au moins", "al menos"), or a verb of doing right after it ("5 years
      building...", "2 years in a similar role");
    - it is rejected when it is about something else: "ago", "old", "of age", a contract or
      degree length ("2-year contract", "4-year degree"), a period ("in the last 5 years", "over
      the past 10 years", "within 2 years"), the employer ("we have 20 years of experience"),
      or a part of a larger requirement ("5+ years ..., including 3+ years in ads" gives 5).

    Several phrases give the minimum of the required ones. A phrase is preferred, not required,
    when its sentence says so ("preferred", "nice to have", "a plus", "wünschenswert", "un
    atout", "deseable"...) and does not also say "required" (a sentence that says both is decided
    by the clause, between commas), or when it sits under a heading of preferred qualifications.
    Preferred phrases count only when there is no required one: "1 year preferred, not required"
    still tells that the job suits a beginner.

Education (`education_level`)
    The lowest degree the posting requires, by the same required/preferred rule: "BS/MS" is
    bachelor, "Master's required, PhD preferred" is master, and an explicit "no degree required"
    is "none" whatever else is said. Words are recognised in English, German, French and Spanish
    (Bachelor, Master, Diplom, Abitur, abgeschlossene Ausbildung, Promotion, licence, Bac+3/+5,
    doctorat, licenciatura, grado, bachillerato, ...). A German vocational training
    (Ausbildung) counts as high_school: the schema has no vocational level, and it is not a
    degree. Mentions in sentences about tuition or sponsorship are ignored. `education_or_
    equivalent` is true when the sentence of a degree of the chosen level offers an alternative
    ("or equivalent experience", "oder vergleichbare Qualifikation", "ou équivalent").

Seniority (`seniority`)
    The title decides when it says anything; otherwise the experience years do (0-1 junior, 2-4
    mid, 5 or more senior), and only when the text states them. In the title, in this order:

    1. intern: Intern, Internship, Werkstudent, Praktikant, Stagiaire, "Stage -", Alternance,
       Apprentice, Azubi, Co-op, Becario.
    2. executive: Chief ... Officer, CEO/CTO/CFO/... , VP, SVP, EVP, Vice President, President,
       Founder, Geschäftsführer; but not in an assistant's title ("Executive Assistant to the
       CEO"), and Assistant/Associate Vice President (AVP) is director.
    3. director: Director, Directeur, Direktor, Bereichsleiter.
    4. manager: Manager, Head of, Supervisor, Leiter, Responsable, Gerente, Jefe (but a German
       Projektleiter is a project manager, below). "Manager" is
       an individual contributor's title when a role word stands right before it: Account,
       Product, Program, Project, Customer Success, Relationship, Partner, Channel, Territory,
       Portfolio, Case, Community, Content, Campaign, Release, Brand, Category, Property, Office
       Manager... Those jobs manage a product, a client or a project, not people, so the title
       falls through to the rules below ("Senior Product Manager" is senior), unless "Group"
       leads it ("Group Product Manager" manages product managers).
    5. principal: Principal followed by a role ("Principal Engineer"), Distinguished, Technical
       or Engineering Fellow. A title that ends in Principal ("School Principal", "Assistant
       Principal") is a school head: manager.
    6. staff: Staff followed by an engineering, science or design role ("Staff Software
       Engineer"), not "Staff Nurse" or "Staff Accountant", where staff means employed staff.
    7. senior: Senior, Sr., Lead, Leader (not "Lead Generation"), Sénior.
    8. mid: Mid-level, Intermediate, Medior.
    9. junior: Junior, Jr., Entry Level, Graduate, New Grad, Associate (not Associate
       Professor), Trainee, Einsteiger, Absolvent.
    10. a level number: Roman I-V after the role ("Engineer II": I junior, II mid, III senior,
        IV staff, V principal; not "Class V"), "Level 2", or a ladder level L3-L8 at the end
        of the title (Google's: L3 junior, L4 mid, L5 senior, L6 staff, L7 and up principal;
        not "L3 Support", which is a support tier).

Speed: one pass over the lower-cased text finds every candidate word, unit words and degree
words alike, with a trie-shaped pattern that the regex engine tries only at word starts; the
precise patterns then run only at those few places. It is the same pass that finds the skills
(`crawler.normalise.skills.text_words`, one trie for both word lists, see
`crawler.normalise.words`), cached for the last few texts, so a posting's description and
requirement bullets are each scanned once for both modules. A regex alternation of all degree
patterns tried at every character costs about 3 ms on a 10 KB description.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from crawler.items import Education, Seniority
from crawler.normalise.skills import text_words
from crawler.normalise.words import DEGREE_WORDS, UNIT_WORDS

__all__ = [
    "RequirementsSummary",
    "education_level",
    "experience_years_min",
    "seniority",
    "summarise_requirements",
]

Need = Literal["required", "preferred"]

_EDUCATION_ORDER: dict[Education, int] = {
    "none": 0,
    "high_school": 1,
    "associate": 2,
    "bachelor": 3,
    "master": 4,
    "phd": 5,
}


@dataclass(frozen=True, slots=True)
class RequirementsSummary:
    """What a posting asks of a candidate, as far as its text says."""

    experience_years_min: int | None
    education: Education | None
    education_or_equivalent: bool
    """True when "or equivalent (practical) experience" is offered next to the degree."""
    seniority: Seniority | None


def summarise_requirements(
    *, title: str, text: str | None, requirements: Sequence[str] = ()
) -> RequirementsSummary:
    """All three readings at once; the requirements bullets, when given, win over `text`."""
    focused = "\n".join(requirements)
    years = experience_years_min(focused)
    if years is None:
        years = experience_years_min(text)
    education, equivalent = education_level(focused)
    if education is None:
        education, equivalent = education_level(text)
    return RequirementsSummary(
        experience_years_min=years,
        education=education,
        education_or_equivalent=equivalent,
        seniority=_title_seniority(title) or _seniority_from_years(years),
    )


# --- One pass for candidate words ---------------------------------------------------------------


class _Scan(NamedTuple):
    lowered: str
    units: tuple[tuple[int, int, int], ...]
    """(start, end, how many make a year) of each unit word."""
    degrees: tuple[int, ...]
    """Start of each word where a degree mention may begin."""


@lru_cache(maxsize=8)
def _scan(text: str) -> _Scan:
    """
    The candidate words of `text`, from the word pass it shares with the skills (cached: each
    text is read by two or three of this module's functions in a row).
    """
    words = text_words(text)
    units: list[tuple[int, int, int]] = []
    degrees: list[int] = []
    for start, _end, found in words.cues:
        word = found
        if word not in UNIT_WORDS and word not in DEGREE_WORDS:
            word = " ".join(word.replace("-", " ").replace("’", "'").split())
        per_year = UNIT_WORDS.get(word)
        if per_year is not None:
            units.append((start, start + len(word.split()[0]), per_year))
        elif word in DEGREE_WORDS:
            degrees.append(start)
    return _Scan(words.lowered, tuple(units), tuple(degrees))


# --- Experience --------------------------------------------------------------------------------

_NUMBER_WORDS: dict[str, int] = {
    word: value
    for value, words in enumerate(
        (
            (),
            ("one", "a single", "ein", "eine", "einem", "einen", "un", "une", "uno", "una"),
            ("two", "zwei", "deux", "dos"),
            ("three", "drei", "trois", "tres"),
            ("four", "vier", "quatre", "cuatro"),
            ("five", "fünf", "cinq", "cinco"),
            ("six", "sechs", "seis"),
            ("seven", "sieben", "sept", "siete"),
            ("eight", "acht", "huit", "ocho"),
            ("nine", "neun", "neuf", "nueve"),
            ("ten", "zehn", "dix", "diez"),
            ("eleven", "elf", "onze"),
            ("twelve", "zwölf", "douze", "doce"),
            ("thirteen",),
            ("fourteen",),
            ("fifteen",),
        )
    )
    for word in words
}
_NUMBER = r"(?:\d{1,2}(?:[.,]\d)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_UNIT = "|".join(sorted({word.split()[0] for word in UNIT_WORDS}, key=len, reverse=True))

_YEARS_PHRASE = re.compile(
    rf"""(?x)
    (?<![\w.,])(?P<low>{_NUMBER})
    (?:\s*\(\s*\d{{1,2}}\s*\))?                      # "two (2)"
    (?:\s*\+)?
    (?:\s*(?:-|–|—|to|bis|à|a|y|or|oder|ou|o)\s*{_NUMBER}(?:\s*\(\s*\d{{1,2}}\s*\))?)?
    (?:\s*\+)?
    (?:\s*(?:or\ more|or\ greater|plus|und\ mehr|ou\ plus|o\ más))?
    \s*-?\s*
    (?:{_UNIT})\Z
    """
)
"""A number (or range) and its unit, anchored at the end of a window that ends with the unit."""

_EXPERIENCE_WORDS = (
    r"(?:d['’])?(?:experience|expertise|erfahrung|berufserfahrung|praxiserfahrung"
    r"|projekterfahrung|exp[ée]rience|experiencia|track\ record|background)"
)
_AFTER_UNIT = re.compile(
    rf"""(?x)['’]?\s*(?:
        (?:[^\s.;!?]+\s+){{0,5}}?(?:{_EXPERIENCE_WORDS}|professional|industry|hands-on
            |post-?qualification|clinical|relevant)
        | (?:of\s+)?(?:working|work|building|developing|designing|writing|leading|managing
            |selling|running|supporting|programming|coding|delivering|using|operating|driving
            |teaching|caring|nursing|in\ (?:a|an|the)\ (?:similar|related|relevant|comparable)
            |as\ an?\b|in\ (?:a|an)\b)
        | (?:required|preferred|minimum|erforderlich|exig[ée]e?s?|requis|requeridos?)\b
    )"""
)
"""What may follow the unit in a requirement: an experience word within five words (not across
a sentence end), a doing ("5 years building ...", "2 years in a similar role"), or "required"."""

_NOT_EXPERIENCE_BEFORE = re.compile(
    r"""(?x)(?:
        (?:including|incl\.|of\ which|davon|dont|de\ los\ cuales)(?:\ at\ least)?
        | (?:last|past|next|within|after|every|each|in|for\ the|during|since)
            (?:\ the)?(?:\ (?:last|past|next|first))?
        | \b(?:we|we've|our|company|founded|established)
            (?:\ (?:team|company|founders?|has|have|had|bring|brings|boasts?|over|more\ than
            |nearly|almost|collectively|combined|with|been|of))*
    )[\s(]*\Z"""
)
"""Right before the number: part of a larger requirement ("including 3 years"), a period ("in
the last 5 years") or the employer ("we have 20 years")."""

_EXPERIENCE_BEFORE = re.compile(
    rf"""(?x)(?:
        at\ least|minimum(?:\ of)?|min\.|no\ less\ than|mindestens|au\ moins|minimum\ de
        | al\ menos|m[ií]nimo(?:\ de)?|como\ m[ií]nimo|over|more\ than|plus\ de|más\ de
        | mehr\ als|über|{_EXPERIENCE_WORDS}\b[^.;\n]{{0,30}}
    )[\s(]*\Z"""
)
"""Right before the number: a minimum marker, or an experience word ("Experience: 3 years")."""

_OPEN_ENDED = re.compile(r"\+|or more|und mehr|ou plus|o más")
"""A phrase that says "N+ years" or "N or more years" states a minimum, so asks for experience
("3+ years of Python"), unless rejected for another reason."""

_REJECTED_AFTER = re.compile(
    r"""(?x)['’]?\s*(?:ago|old|of\ age|alt|d['’][âa]ge|de\ edad|contract|fixed|term|assignment
        |position|program|programme|degree|college|course|plan|warranty|period|commitment
        |apprenticeship|internship|vesting|cliff|anniversary|history|olds?)\b"""
)

_PREFERRED_CUES = re.compile(
    r"""(?x)\b(?:preferred|preferably|preference|nice[\s-]to[\s-]haves?|a\ plus|bonus|ideally
        |desired|desirable|advantageous|an\ advantage|beneficial|wünschenswert|idealerweise
        |von\ vorteil|vorteilhaft|pluspunkt|souhait[ée]e?s?|souhaitable|un\ plus|un\ atout
        |id[ée]alement|deseable|valorable|se\ valorar[áa]|preferible|preferiblemente)"""
)
_REQUIRED_CUES = re.compile(
    r"""(?x)(?<!not\ )(?<!nicht\ )(?<!pas\ )(?<!no\ )\b(?:required|requirement|must|mandatory
        |essential|erforderlich|zwingend|vorausgesetzt|obligatoire|exig[ée]e?|requise?
        |indispensable|imprescindible|obligatorio|requerid[oa])\b"""
)
_PREFERRED_HEADING = re.compile(
    r"""(?x)[\s\-–•*#]*(?:preferred|nice|bonus|pluses|plus\ points|desired|desirable|ideally
        |what\ would\ be\ nice|it\ would\ be\ great|extra\ credit|wünschenswert|von\ vorteil
        |idealerweise|atouts?|ce\ serait\ un\ plus|se\ valorar|deseable|valorable)"""
)
_REQUIRED_HEADING = re.compile(
    r"""(?x)[\s\-–•*#]*(?:requirements|required|qualifications|basic\ qualifications
        |minimum\ qualifications|what\ you\ need|what\ you['’]ll\ need|what\ we['’]re\ looking
        |who\ you\ are|you\ have|must\ have|anforderungen|dein\ profil|ihr\ profil|profil
        |votre\ profil|requisitos|lo\ que\ buscamos)"""
)
_HEADING_MAX = 60
_HEADING_LOOKBACK = 80
"""Lines looked at above a mention for a section heading."""
_SENTENCE_BREAKS = ("\n", ". ", "; ", "! ", "? ")
_CLAUSE_BREAKS = (",", ";", "(", ")")
_REACH = 300
"""How far a sentence is followed from a mention: bounds the cost on text without sentence ends."""


def experience_years_min(text: str | None) -> int | None:
    """The fewest years of experience the text requires (preferred ones if none is required)."""
    if not text:
        return None
    scan = _scan(text)
    found: dict[Need, list[int]] = {"required": [], "preferred": []}
    for years, start, end in _years_mentions(scan):
        found[_need(scan.lowered, start, end)].append(years)
    values = found["required"] or found["preferred"]
    return min(values) if values else None


def _years_mentions(scan: _Scan) -> Iterator[tuple[int, int, int]]:
    """(years, start, end) of each phrase that states years of experience."""
    lowered = scan.lowered
    for unit_start, unit_end, per_year in scan.units:
        phrase = _YEARS_PHRASE.search(lowered, max(0, unit_start - 40), unit_end)
        if phrase is None or not _states_experience(lowered, phrase.start(), unit_end):
            continue
        low = phrase.group("low")
        amount = float(low.replace(",", ".")) if low[0].isdigit() else _NUMBER_WORDS[low]
        if amount <= 40 * per_year:
            yield int(amount // per_year), phrase.start(), unit_end


def _states_experience(lowered: str, start: int, end: int) -> bool:
    """True when the phrase at [start, end) asks for experience (module docstring)."""
    if _REJECTED_AFTER.match(lowered, end):
        return False
    if _NOT_EXPERIENCE_BEFORE.search(lowered, max(0, start - 30), start):
        return False
    return (
        _OPEN_ENDED.search(lowered, start, end) is not None
        or _EXPERIENCE_BEFORE.search(lowered, max(0, start - 45), start) is not None
        or _AFTER_UNIT.match(lowered, end, min(len(lowered), end + 80)) is not None
    )


# --- Required or preferred ---------------------------------------------------------------------


def _need(lowered: str, start: int, end: int) -> Need:
    """Whether the mention at [start, end) is required or preferred (module docstring)."""
    sentence_start = _last_break(lowered, start, _SENTENCE_BREAKS)
    sentence_end = _next_break(lowered, end, _SENTENCE_BREAKS)
    preferred = _PREFERRED_CUES.search(lowered, sentence_start, sentence_end) is not None
    required = _REQUIRED_CUES.search(lowered, sentence_start, sentence_end) is not None
    if preferred and required:
        clause_start = max(sentence_start, _last_break(lowered, start, _CLAUSE_BREAKS))
        clause_end = min(sentence_end, _next_break(lowered, end, _CLAUSE_BREAKS))
        preferred = _PREFERRED_CUES.search(lowered, clause_start, clause_end) is not None
        required = _REQUIRED_CUES.search(lowered, clause_start, clause_end) is not None
    if preferred and not required:
        return "preferred"
    if required:
        return "required"
    return _heading_need(lowered, start)


def _last_break(lowered: str, position: int, breaks: Sequence[str]) -> int:
    limit = max(0, position - _REACH)
    found = [at + len(mark) for mark in breaks if (at := lowered.rfind(mark, limit, position)) >= 0]
    return max(found, default=limit)


def _next_break(lowered: str, position: int, breaks: Sequence[str]) -> int:
    limit = min(len(lowered), position + _REACH)
    found = [at for mark in breaks if (at := lowered.find(mark, position, limit)) >= 0]
    return min(found, default=limit)


def _heading_need(lowered: str, position: int) -> Need:
    """The kind of section the nearest heading line above `position` opens; required if none."""
    line_end = lowered.rfind("\n", 0, position)
    for _ in range(_HEADING_LOOKBACK):
        if line_end <= 0:
            break
        line_start = lowered.rfind("\n", 0, line_end) + 1
        if 0 < line_end - line_start <= _HEADING_MAX:
            if _PREFERRED_HEADING.match(lowered, line_start, line_end):
                return "preferred"
            if _REQUIRED_HEADING.match(lowered, line_start, line_end):
                return "required"
        line_end = line_start - 1
    return "required"


# --- Education ---------------------------------------------------------------------------------

_DEGREES = re.compile(
    r"""(?x)
    (?P<none>
        no\ (?:\w+\ or\ )?(?:formal\ )?(?:degrees?|diplomas?|education|qualifications?)
            (?:\ (?:is|are))?\ (?:required|necessary|needed)
        | (?:degrees?|diplomas?)\ (?:is\ |are\ )?not\ (?:required|necessary|needed)
        | without\ a\ degree | kein(?:en)?\ (?:abschluss|studium)
        | (?:sans|aucun)\ diplôme | no\ se\ requiere\ (?:título|titulación)
    )
    | (?P<phd>
        ph\.?\ ?d\b\.? | doctorate\b | doctoral\b | d\.?phil\b | doktor(?:grad|titel)?\b
        | promoviert | (?:abgeschlossene|erfolgreiche)\ (?-i:Promotion)
        | (?-i:Promotion)(?=\ (?:in|im|oder|bzw|wünschenswert|von\ Vorteil)\b)
        | doctorat\b | doctorado\b
    )
    | (?P<master>
        master['’]?s\b | master\ (?:of|in|en|degree|program|programme)\b
        | master(?:-?abschluss|studium)\b | m\.?\ ?sc\b\.? | m\.s\.
        | (?-i:MS)\b(?!\ (?:Office|Excel|Word|Teams|SQL|Access|Project|PowerPoint|Outlook
            |Dynamics|Azure|Visio|Windows|Exchange|SharePoint))
        | (?-i:M\.A\.) | mba\b | m\.?eng\b | máster\b | maestr[ií]a\b
        | diplom\b | diplom-(?:ingenieur|informatiker|kaufmann) | dipl\.-?\ ?ing
        | magister\b | bac\ ?\+\ ?5\b | diplôme\ d['’]ingénieur
        | (?:advanced|graduate|postgraduate)\ degree
    )
    | (?P<bachelor>
        bachelor(?:['’]?s)?\b | bachelor(?:-?abschluss|studium)\b | b\.?\ ?sc\b\.?
        | b\.s\.? | (?-i:BS)\b | (?-i:B\.A\.) | (?-i:BA)(?=\s*(?:/|,|or\b|in\b|degree\b))
        | b\.?eng\b | b\.?\ ?tech\b | undergraduate\ degree
        | (?:four|4)[\s-]year\ (?:college\ |university\ )?degree
        | (?:university|college|academic)\ degree | (?P<degree>degree\ (?:in|from)\b)
        | an?\ (?:relevant\ |technical\ |related\ )?degree\b(?!\ of\b)
        | (?:hochschul|universitäts|fh-|studien)abschluss | abgeschlossene[sn]?\ \w*studium
        | licence\ (?:en|professionnelle|pro)\b | bac\ ?\+\ ?3\b | licenciatura\b
        | grado\ (?:universitario|en)\b | t[ií]tulo\ universitario
        | titulaci[oó]n\ universitaria
    )
    | (?P<associate>
        associate['’]?s?\ degree | associate\ of\ (?:arts|science|applied)
        | (?:two|2)[\s-]year\ (?:college\ )?degree | bac\ ?\+\ ?2\b | (?-i:BTS|DUT)\b
    )
    | (?P<high_school>
        high[\s-]school | ged\b | secondary\ school | (?:fach)?abitur\b
        | (?:fach)?hochschulreife | matura\b | realschulabschluss | hauptschulabschluss
        | mittlere\ reife | abgeschlossene\ (?:berufs)?ausbildung | baccalauréat
        | bac\b(?!\ ?\+) | bachillerato | a[\s-]levels?\b | gcses?\b
    )
    """,
    re.IGNORECASE,
)
"""Degree mentions by level; tried only where the word pass found a word a mention may start
with, so the alternatives need no leading word boundary."""

_EQUIVALENT = re.compile(
    r"""(?x)\b(?:or\ (?:have\ )?(?:an?\ )?(?:equivalent|comparable)
        |equivalent\ (?:practical\ |work\ |professional\ |relevant\ )?experience
        |oder\ (?:eine\ )?(?:vergleichbare|gleichwertige)|ou\ (?:expérience\ )?équivalente?
        |o\ (?:experiencia\ )?equivalente)"""
)
_IGNORED_DEGREE_CONTEXT = re.compile(r"tuition|reimburse|sponsorship|scholarship")


def education_level(text: str | None) -> tuple[Education | None, bool]:
    """The lowest degree the text requires, and whether an equivalent is accepted beside it."""
    if not text:
        return None, False
    scan = _scan(text)
    lowered = scan.lowered
    found: dict[Need, list[tuple[Education, bool]]] = {"required": [], "preferred": []}
    for start in scan.degrees:
        match = _DEGREES.match(text, start)
        if match is None or match.lastgroup is None:
            continue
        sentence_start = _last_break(lowered, start, _SENTENCE_BREAKS)
        sentence_end = _next_break(lowered, match.end(), _SENTENCE_BREAKS)
        if _IGNORED_DEGREE_CONTEXT.search(lowered, sentence_start, sentence_end):
            continue
        if match.group("degree") and not _DEGREE_PHRASE_START.search(lowered, 0, start):
            continue
        level = _EDUCATION_GROUPS[match.lastgroup]
        if level == "none":
            return "none", False
        equivalent = _EQUIVALENT.search(lowered, sentence_start, sentence_end) is not None
        found[_need(lowered, start, match.end())].append((level, equivalent))
    degrees = found["required"] or found["preferred"]
    if not degrees:
        return None, False
    lowest = min(degrees, key=lambda degree: _EDUCATION_ORDER[degree[0]])[0]
    return lowest, any(equivalent for level, equivalent in degrees if level == lowest)


_EDUCATION_GROUPS: dict[str, Education] = {
    **{level: level for level in _EDUCATION_ORDER},
    "degree": "bachelor",
}
_DEGREE_PHRASE_START = re.compile(
    r"(?:\A|[\n:,(•*\-–]|\b(?:the|with|hold|holds|have|has|possess|possesses|requires?))\s*\Z"
)
"""What may stand before a bare "degree in ..." for it to mean a bachelor's: the start of the
phrase, not "master's or doctoral degree in"."""


# --- Seniority ---------------------------------------------------------------------------------

_IC_MANAGER_ROLES = re.compile(
    r"""(?ix)(?:account|product|program|programme|project|customer\ success|client\ success
        |success|relationship|partner|partnership|channel|territory|portfolio|case|care
        |community|social\ media|content|campaign|release|brand|category|property|office
        |events?|engagement|implementation|onboarding|solutions)\s+\Z"""
)
"""Role words that make "X Manager" an individual contributor's title (module docstring)."""

_GROUP_BEFORE = re.compile(r"(?i)\bgroup\s+(?:\w+\s+){1,2}\Z")
_MANAGER_WORD = re.compile(r"(?i)\b(?:manager|managerin|mgr)\b")
_ASSISTANT_TO = re.compile(r"(?i)\b(?:assistant|assistent(?:in)?|support)\s+(?:to|for)\b")
"""Everything after "Assistant to" names the boss, not the job ("Executive Assistant to the CEO")."""

_TITLE_RULES: tuple[tuple[Seniority, re.Pattern[str]], ...] = (
    (
        "intern",
        re.compile(
            r"""(?ix)\b(?:interns?|internship|praktikant(?:in)?|praktikum|werkstudent(?:in)?
                |working\ student|stagiaire|alternan(?:ce|t|te)|apprenti(?:e|ce|ceship)?|azubi
                |auszubildende[rn]?|co-?op|becari[oa]|pr[áa]cticas)(?!\w)
                |\bstage\s*(?:[-–:]|en\b|de\b|d['’])"""
        ),
    ),
    ("director", re.compile(r"(?i)\b(?:assistant|associate)\s+vice[\s-]president\b|\bavp\b")),
    (
        "executive",
        re.compile(
            r"""(?ix)\b(?:chief\b(?!\ of\ staff)|c[eotfimrps]o|ciso|c-level|c-suite|vice[\s-]president
                |s?e?vp|president|(?:co-?)?founder|geschäftsführer(?:in)?|vorstand
                |directeur\ général|director\ general|managing\ partner|executive\ director)\b"""
        ),
    ),
    (
        "director",
        re.compile(
            r"(?i)\b(?:director|directora|directeur|directrice|direktor(?:in)?|bereichsleiter(?:in)?)\b"
        ),
    ),
    (
        "manager",
        re.compile(
            r"""(?ix)\b(?:head\ of|head,|supervisor|superintendent|foreman|(?!projekt)\w*leiter(?:in)?
                |leitung|responsable|gerente|jef[ea]|encargad[oa]|chef\ d['’][ée]quipe)\b
                |\b(?:assistant|vice|deputy|school|elementary|middle|high)\s+principal\b
                |\bprincipal\s*\Z"""
        ),
    ),
    (
        "principal",
        re.compile(
            r"""(?ix)\bprincipal\s+\w|\bdistinguished\b|\b(?:technical|engineering|senior)\ fellow\b
                |\bfellow\ (?:engineer|scientist)"""
        ),
    ),
    (
        "staff",
        re.compile(
            r"""(?ix)\bstaff\s+(?:[\w/-]+\s+){0,3}?(?:engineer|developer|scientist|designer
                |architect|researcher|sre|programmer|product\ manager|technical\ program)"""
        ),
    ),
    (
        "senior",
        re.compile(r"(?i)\b(?:senior|sr\.?|snr|sénior|leader|lead(?!\s+gen(?:eration)?\b))(?!\w)"),
    ),
    ("mid", re.compile(r"(?i)\b(?:mid[\s-]?level|intermediate|medior)\b")),
    (
        "junior",
        re.compile(
            r"""(?ix)\b(?:junior|jr\.?|entry[\s-]level|graduate|new\ grad|early\ career|trainee
                |associate(?!\s+(?:professor|dean|partner|general\ counsel))|einsteiger
                |berufseinsteiger(?:in)?|absolvent(?:in)?|débutante?)(?!\w)"""
        ),
    ),
)
"""Title words by level, in the order they are tried; the manager rule is `_is_manager_title`,
tried in the manager position."""

_LEVEL_NUMBER = re.compile(
    r"(?<=[A-Za-z)] )(?P<roman>I{1,3}|IV|V)\b(?![.'’])"
    r"|(?i:\blevel\s+(?P<digit>[1-5])\b)"
    r"|(?:^|[\s(])L(?P<ladder>[3-8])\)?\s*\Z"
)
_NOT_A_LEVEL_BEFORE = re.compile(
    r"(?i)\b(?:class|type|grade|category|tier|phase|part|section|schedule|title|chapter)\s+\Z"
)
_LEVELS: dict[str, Seniority] = {
    **dict.fromkeys(["I", "1"], "junior"),
    **dict.fromkeys(["II", "2"], "mid"),
    **dict.fromkeys(["III", "3"], "senior"),
    **dict.fromkeys(["IV", "4"], "staff"),
    **dict.fromkeys(["V", "5"], "principal"),
}
_LADDER: dict[str, Seniority] = {
    "3": "junior",
    "4": "mid",
    "5": "senior",
    "6": "staff",
    "7": "principal",
    "8": "principal",
}


def seniority(title: str, text: str | None = None) -> Seniority | None:
    """The job's level from its title, else from the experience years the text requires."""
    return _title_seniority(title) or _seniority_from_years(experience_years_min(text))


@lru_cache(maxsize=4096)
def _title_seniority(title: str) -> Seniority | None:
    """
    The level a title names, if any. Remembered per title: a board repeats its titles, a
    re-crawl repeats them all, and the rules cost a dozen regex searches.
    """
    job = _ASSISTANT_TO.split(title, maxsplit=1)[0]
    for level, pattern in _TITLE_RULES:
        if level == "manager" and _is_manager_title(job):
            return "manager"
        if pattern.search(job):
            return level
    return _level_number(job)


def _is_manager_title(title: str) -> bool:
    """A "Manager" that manages people: not "Product Manager", but "Group Product Manager"."""
    for word in _MANAGER_WORD.finditer(title):
        before = title[: word.start()]
        if not _IC_MANAGER_ROLES.search(before) or _GROUP_BEFORE.search(before):
            return True
    return False


def _level_number(title: str) -> Seniority | None:
    for number in _LEVEL_NUMBER.finditer(title):
        if _NOT_A_LEVEL_BEFORE.search(title, 0, number.start()):
            continue
        if number.group("roman"):
            return _LEVELS[number.group("roman")]
        if number.group("digit"):
            return _LEVELS[number.group("digit")]
        return _LADDER[number.group("ladder")]
    return None


def _seniority_from_years(years: int | None) -> Seniority | None:
    if years is None:
        return None
    if years <= 1:
        return "junior"
    return "mid" if years <= 4 else "senior"

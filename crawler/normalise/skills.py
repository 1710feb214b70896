r"""
Key skills of a posting: which skills of jobcrawl's vocabulary it asks for, ranked by relevance.

The vocabulary (``data/skills.yaml``, documented in its header) names each skill once, with its
category and the spellings that mean it. Postings are matched against it, not mined for free
keywords, so that "Kubernetes" and "k8s" are one skill and a filter on a skill means the same thing
on every source.

Why it is built this way:

- Speed. All spellings are compiled at load time into ONE regular expression, arranged as a
  character trie (spellings sharing a prefix share a branch), so a scan costs one pass of the C
  regex engine over the text whatever the vocabulary's size; a loop of one regex per skill would
  cost a pass per skill. The pattern runs on lower-cased text and only at word starts (see
  `_word_pass`), and matches map back to their skill through dicts. The requirement words of
  `crawler.normalise.requirements` ride in the same pass (`crawler.normalise.words`), and the
  pass over a text is shared by both modules (`text_words`), so a description is scanned once.
- Word boundaries that know about code names: a spelling must not continue a word or a name on
  either side (``[\w+#@]``), so "Java" is not found in "JavaScript", "SQL" not in "NoSQL" or
  "PostgreSQL", "C" not in "C++" or "C#", and "React" not in "reactive". The trie tries longer
  spellings first, so "React Native" wins over "React" and "Spark SQL" over "Spark".
- Case as evidence. Most spellings match in any case. Acronyms that are words in lower case
  ("RN", "PALS") match only as written (``exact``). Spellings that are as often plain English as
  skills ("Go", "Excel", "Spark", "Rust", "R", "C", "German") are ``guarded``: they match only
  capitalised as a name and only when their rule accepts the context (see `_guard_accepts` and the
  vocabulary header): "Go" mid-sentence but not "Go to" or "Go-to-market", at a sentence start
  only with support ("Go services", "Go, Rust"); "R" and "C" only in a list of technical skills
  ("Python, R and SQL", "C/C++") or as "R programming", "embedded C"; "Excel" but not "Excel at";
  "German" only near a language cue ("fluent German"), not in "German market".
- Relevance. Each skill scores by the best place it occurs (title > requirements > preferred
  qualifications > rest of the text) plus a bonus for repeated mentions that saturates, so a skill
  named in the title or the requirements outranks one mentioned in passing however often that one
  recurs. Mentions inside boilerplate (equal-opportunity, accommodation, privacy and anti-fraud
  paragraphs) count for nothing: they never make a skill and never add to its count, because what
  an employer's legal paragraph mentions says nothing about the job.
- The employer is not a skill: with ``company`` given, a skill whose name is the company's
  ("Datadog" on Datadog's board) is left out, since the posting names its employer throughout.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal, NamedTuple, cast

import yaml

from crawler.items import Skill
from crawler.normalise.words import (
    DEGREE_WORDS,
    SEPARATORS,
    UNIT_WORDS,
    WORD_START,
    Found,
    WordList,
    WordPass,
    lower_in_place,
    trie_pattern,
)

__all__ = [
    "WORD_START",
    "SkillEntry",
    "TextWords",
    "Vocabulary",
    "build_vocabulary",
    "extract_skills",
    "load_vocabulary",
    "text_words",
    "trie_pattern",
]

# A package resource, not a path: inside a deployed egg (Scrapyd) the package is a zip file.
DEFAULT_VOCABULARY = resources.files("crawler.normalise") / "data" / "skills.yaml"

Rule = Literal["word", "listed", "spoken"]
_RULES: frozenset[str] = frozenset({"word", "listed", "spoken"})

_TECH_CATEGORIES = frozenset(
    {"language", "framework", "mobile", "cloud", "database", "data", "ml", "devops", "tool"}
)
"""Categories whose skills confirm a listed neighbour: "Python, R" is R, "Sales, R" is not."""

_DEFAULT_CUES = frozenset(
    [
        *("programming", "language", "languages", "developer", "developers", "development"),
        *("engineer", "engineers", "engineering", "code", "coding", "codebase", "services"),
        *("microservices", "applications", "application", "apps", "experience", "skills"),
        *("knowledge", "proficiency", "expertise", "framework", "frameworks", "stack"),
        *("backend", "frontend", "sdk", "api", "apis", "scripts", "scripting", "projects"),
        *("jobs", "pipelines", "programmer", "programmers", "libraries", "library", "modules"),
        *("ecosystem", "runtime"),
    ]
)
"""Words that, right after a guarded spelling, show it names a technology ("Go services")."""

_TECH_SUFFIXES = frozenset(
    [
        *("based", "powered", "driven", "native", "first", "centric", "heavy", "related"),
        *("specific", "focused", "savvy"),
    ]
)
"""Hyphenated words that keep a guarded skill a skill ("React-based"), unlike "Go-to-market"."""

_SENTENCE_STARTERS = frozenset("\n.!?•*·–—-|>")

# Location weights: the best place a skill occurs sets its base score; repeated mentions add up to
# _FREQUENCY_BONUS on top, halving the remaining gap with each mention. Base + bonus <= 1.
_WEIGHT_TITLE = 0.8
_WEIGHT_REQUIRED = 0.65
_WEIGHT_PREFERRED = 0.5
_WEIGHT_TEXT = 0.35
_FREQUENCY_BONUS = 0.2

_KEY_SEPARATORS = re.compile(r"[\s\-]+")
_KEYED_CHARACTERS = SEPARATORS
_QUOTES = str.maketrans({"’": "'"})
_LIST_GAP = re.compile(
    r"[\s,/&|;()+]*(?:(?:and/or|and|or|und|oder|et|ou|y|o|as well as|plus)\b[\s,/&|;()]*)?"
)
_NEXT_WORD = re.compile(r"[ \t]+([^\W_][\w#+]*)")
_PREVIOUS_WORD = re.compile(r"([^\W_]\w*)[ \t]+\Z")
_LINE_REST = re.compile(r"[ \t,;/)]*(?:\n|\Z)")
_SENTENCE_ENDS = ("\n", ". ", "; ", "! ", "? ")
_PARAGRAPH_MAX = 1500
"""A line longer than this (both ways from a cue) is not one paragraph but run-together text."""
_SENTENCE_REACH = 400
"""How far a sentence is followed from a cue: enough for one sentence, and it bounds the cost
when a text has no sentence ends (Workable's run-together descriptions)."""

_SPOKEN_CUES = re.compile(
    r"""(?ix)\b(?:
        fluen\w* | speak\w* | spoken | native | languages? | bilingual | multilingual | written
        | verbal | oral | proficien\w* | mother\ tongue | conversational | business\ level
        | [ABC][12] | fließend\w* | \w*kenntnisse | verhandlungssicher\w* | muttersprach\w*
        | wort\ und\ schrift | sprachig\w* | courant\w* | ma[iî]trise | parl[ée]e? | [ée]crite?
        | langues? | bilingue | niveau | fluid[oa] | idiomas? | nativ[oa] | biling[uü]e | nivel
        | hablado | escrito | dominio | avanzado | lengua
    )\b""",
)
"""Words that show a language name is about speaking it ("fluent German", "anglais courant")."""

_BOILERPLATE_CUES = frozenset(
    [
        *("equal opportunity", "equal opportunities", "equal employment opportunity"),
        *("affirmative action", "regardless of", "without regard to", "sexual orientation"),
        *("gender identity", "veteran status", "national origin", "protected by law"),
        *("protected characteristic", "protected characteristics", "protected veteran"),
        *("reasonable accommodation", "reasonable accommodations", "accommodation request"),
        *("accommodation requests", "privacy notice", "privacy policy", "personal data"),
        *("personal information", "e-verify", "criminal history", "criminal histories"),
        *("arrest and conviction", "fair chance", "recruiting scams", "recruitment scams"),
        *("background check", "background checks", "drug-free", "pay transparency"),
        *("candidate legal notices",),
    ]
)
"""Phrases of equal-opportunity, accommodation, privacy and anti-fraud boilerplate. They go into
the skills pattern as spellings of their own, so that one pass over a text finds both."""

_COMPANY_SUFFIXES = re.compile(
    r"""(?ix)[\s,]*\b(?:inc|llc|ltd|limited|corp|corporation|co|company|gmbh|ag|se|sa|sas|bv|nv
        |plc|pty|technologies|technology|software|systems|labs|group|holdings|hq)\b\.?\s*\Z"""
)


@dataclass(frozen=True, slots=True)
class SkillEntry:
    """One skill of the vocabulary, with what its guarded spellings need to be believed."""

    name: str
    category: str
    rule: Rule | None = None
    not_before: frozenset[str] = frozenset()
    cues: frozenset[str] = frozenset()
    after: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The loaded vocabulary: its entries and the single compiled pattern that finds them all."""

    entries: tuple[SkillEntry, ...]
    categories: Mapping[str, str]
    pattern: re.Pattern[str]
    folded: Mapping[str, int]
    """Case-insensitive spellings (lower case, separators normalised) -> entry index."""
    exact: Mapping[str, int]
    """Case-sensitive spellings (separators normalised) -> entry index."""
    guarded: frozenset[str]
    """The case-sensitive spellings that need their entry's rule to accept the context."""
    boilerplate: frozenset[str]
    """Keys of the boilerplate phrases that the pattern also finds."""
    words: WordPass
    """The pass that finds the pattern's spellings and the requirement words in one go."""


class _Hit(NamedTuple):
    entry: int
    start: int
    end: int
    guarded: bool


_new_hit = tuple.__new__
"""Makes a `_Hit` from a tuple in C: the named tuple's own constructor is a Python function, and
a description has dozens of hits."""


@lru_cache(maxsize=4)
def load_vocabulary(path: Path | Traversable | None = None) -> Vocabulary:
    """The vocabulary at `path` (default: the shipped one), parsed and compiled once per path."""
    source = path or DEFAULT_VOCABULARY
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with source.open(encoding="utf-8") as handle:
        document = yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader, C or Python
    if not isinstance(document, dict):
        raise ValueError(f"{source}: expected a mapping with 'categories' and 'skills'")
    return build_vocabulary(document.get("categories") or {}, document.get("skills") or [])


def build_vocabulary(
    categories: Mapping[str, str], skills: Iterable[Mapping[str, Any]]
) -> Vocabulary:
    """A vocabulary from parsed entries; raises ValueError on an entry that would match wrongly."""
    entries: list[SkillEntry] = []
    folded: dict[str, int] = {}
    exact: dict[str, int] = {}
    guarded: set[str] = set()
    for index, raw in enumerate(skills):
        entry, insensitive, sensitive, needs_rule = _parse_entry(raw, categories)
        entries.append(entry)
        for spelling in insensitive:
            _claim(folded, _key(spelling).lower(), index, entries)
        for spelling in (*sensitive, *needs_rule):
            _claim(exact, _key(spelling), index, entries)
        guarded.update(_key(spelling) for spelling in needs_rule)
    for key, index in exact.items():
        other = folded.get(key.lower())
        if other is not None:
            raise ValueError(
                f"spelling {key!r} of {entries[index].name!r} is also a case-insensitive"
                f" spelling of {entries[other].name!r}"
            )
    boilerplate = frozenset(_key(phrase) for phrase in _BOILERPLATE_CUES)
    words = _word_pass({*folded, *(key.lower() for key in exact), *boilerplate})
    return Vocabulary(
        entries=tuple(entries),
        categories=dict(categories),
        pattern=words.patterns[0],
        folded=folded,
        exact=exact,
        guarded=frozenset(guarded),
        boilerplate=boilerplate,
        words=words,
    )


def _parse_entry(
    raw: Mapping[str, Any], categories: Mapping[str, str]
) -> tuple[SkillEntry, set[str], set[str], set[str]]:
    name = raw.get("name")
    category = raw.get("category")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"skill without a name: {raw!r}")
    if category not in categories:
        raise ValueError(f"skill {name!r}: category {category!r} is not a documented category")
    sensitive = set(_strings(raw, "exact"))
    needs_rule = set(_strings(raw, "guarded"))
    insensitive = set(_strings(raw, "aliases"))
    if name not in sensitive and name not in needs_rule:
        insensitive.add(name)
    rule = raw.get("rule")
    if needs_rule and rule not in _RULES:
        raise ValueError(f"skill {name!r}: guarded spellings need a rule out of {sorted(_RULES)}")
    entry = SkillEntry(
        name=name,
        category=cast(str, category),
        rule=cast(Rule, rule) if rule in _RULES else None,
        not_before=frozenset(word.lower() for word in _strings(raw, "not_before")),
        cues=frozenset(word.lower() for word in _strings(raw, "cues")),
        after=frozenset(word.lower() for word in _strings(raw, "after")),
    )
    return entry, insensitive, sensitive, needs_rule


def _strings(raw: Mapping[str, Any], field: str) -> list[str]:
    """A list-of-strings field; YAML turns bare ``on``/``no`` into booleans, which this catches."""
    values = raw.get(field) or []
    if not isinstance(values, list) or not all(
        isinstance(value, str) and value for value in values
    ):
        raise ValueError(f"skill {raw.get('name')!r}: {field!r} must be a list of strings")
    return [str(value) for value in values]


def _claim(table: dict[str, int], key: str, index: int, entries: Sequence[SkillEntry]) -> None:
    """Registers a spelling; a spelling of two skills would make matches ambiguous."""
    owner = table.setdefault(key, index)
    if owner != index:
        raise ValueError(
            f"spelling {key!r} belongs to both {entries[owner].name!r} and {entries[index].name!r}"
        )


@lru_cache(maxsize=4096)
def _key(spelling: str) -> str:
    """
    The lookup form of a spelling or a match: curly apostrophes straightened, any run of
    spaces and hyphens one space ("cold-calling" and "cold calling" are one key). Remembered:
    the same multi-word phrases ("equal opportunity") are matched in posting after posting.
    """
    if _KEYED_CHARACTERS.isdisjoint(spelling):
        return spelling
    return _KEY_SEPARATORS.sub(" ", spelling.translate(_QUOTES)).strip()


def _word_pass(spellings: Iterable[str]) -> WordPass:
    """
    One pattern for every spelling, in lower case, arranged as a trie; it runs on lowered text.
    The pass that runs it also finds the requirement words (`crawler.normalise.words`), so that
    a description is scanned once for both.

    Two choices keep it fast. The pattern starts by consuming the character before a spelling
    (the caller puts a space in front of the text), so the regex engine skips in C to the next
    character that may precede a word and tries the trie only there, about once per word rather
    than once per character. And it matches lower-case text with plain literals: a
    case-insensitive pattern makes every branch of the trie several times slower. Case-sensitive
    spellings are in the trie in lower case too; `_scan` then checks their case in the original.

    Inside the trie, longer branches come before a spelling's end, and the closing boundary makes
    the engine fall back to the shorter spelling when the longer one would end inside a word, so
    "React Native" wins over "React" and "JavaScript" is never "Java".
    """
    return WordPass(
        WordList(frozenset(spellings), r"(?![\w+#@])"),
        WordList(frozenset({*UNIT_WORDS, *DEGREE_WORDS}), r"(?![^\W\d_])"),
    )


class TextWords(NamedTuple):
    """What the shipped vocabulary's word pass found in a text."""

    lowered: str
    """The text in lower case, character for character."""
    skills: tuple[Found, ...]
    """Spellings of skills and boilerplate phrases, as `Vocabulary.pattern` finds them."""
    cues: tuple[Found, ...]
    """Requirement words (`crawler.normalise.words.UNIT_WORDS` and `DEGREE_WORDS`)."""


@lru_cache(maxsize=8)
def text_words(text: str) -> TextWords:
    """
    One pass over `text` for skills and requirement words; cached for the few texts in flight,
    since the skills and the requirements of a posting read the same description and bullets.
    """
    lowered = lower_in_place(text)
    skills, cues = load_vocabulary().words.scan(lowered)
    return TextWords(lowered, tuple(skills), tuple(cues))  # shared by the cache: immutable


def extract_skills(
    *,
    title: str,
    text: str | None,
    requirements: Sequence[str] = (),
    preferred: Sequence[str] = (),
    limit: int = 15,
    company: str | None = None,
) -> list[Skill]:
    """
    The posting's skills, most relevant first (ties by name, ignoring case), at most `limit`.

    `text` is the whole description as plain text; `requirements` and `preferred` are the bullets
    of those sections when they were found. They are usually part of `text` too, which is why
    mentions are counted in `text` alone when it is given. `company` is the employer's name, whose
    own skill entry (if it has one) is left out.
    """
    if limit <= 0:
        return []
    vocabulary = load_vocabulary()
    in_title = _title_entries(title)
    required = [hit.entry for hit in _scan(vocabulary, "\n".join(requirements))]
    preferred_ = [hit.entry for hit in _scan(vocabulary, "\n".join(preferred))]
    mentions = _mentions(vocabulary, text) if text else _count([*required, *preferred_])
    in_required, in_preferred = set(required), set(preferred_)
    scores: dict[int, float] = {}
    for entry in {*in_title, *in_required, *in_preferred, *mentions}:
        if entry in in_title:
            base = _WEIGHT_TITLE
        elif entry in in_required:
            base = _WEIGHT_REQUIRED
        elif entry in in_preferred:
            base = _WEIGHT_PREFERRED
        else:
            base = _WEIGHT_TEXT
        count = max(1, mentions.get(entry, 0))
        scores[entry] = base + _FREQUENCY_BONUS * (1 - 0.5 ** (count - 1))
    for entry in _employer_skills(company):
        scores.pop(entry, None)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], _sort_name(vocabulary, item[0])))
    return [
        Skill(
            name=vocabulary.entries[entry].name,
            category=vocabulary.entries[entry].category,
            score=round(min(score, 1.0), 3),
        )
        for entry, score in ranked[:limit]
    ]


def _sort_name(vocabulary: Vocabulary, entry: int) -> tuple[str, str]:
    name = vocabulary.entries[entry].name
    return name.casefold(), name


def _count(entries: Iterable[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for entry in entries:
        counts[entry] = counts.get(entry, 0) + 1
    return counts


def _mentions(vocabulary: Vocabulary, text: str) -> dict[int, int]:
    """How often each skill is named in `text`, boilerplate paragraphs left out."""
    hits, boilerplate = _scan_with_boilerplate(vocabulary, text)
    if not boilerplate:
        return _count(hit.entry for hit in hits)
    spans = _boilerplate_spans(text, boilerplate)
    starts = [start for start, _ in spans]
    return _count(hit.entry for hit in hits if not _inside(hit.start, spans, starts))


def _inside(position: int, spans: Sequence[tuple[int, int]], starts: Sequence[int]) -> bool:
    index = bisect_right(starts, position) - 1
    return index >= 0 and position < spans[index][1]


def _boilerplate_spans(text: str, cues: Iterable[int]) -> list[tuple[int, int]]:
    """
    The paragraphs around boilerplate phrases, as sorted, non-overlapping (start, end).

    A paragraph (a line) is boilerplate as a whole, since the sentences of an equal-opportunity
    paragraph do not all carry a cue ("...our entire recruitment process is accessible"). A text
    run together into one long line (as some Workable descriptions are) gives sentences instead.
    """
    spans: list[tuple[int, int]] = []
    for cue in cues:
        start, end = _paragraph(text, cue)
        if spans and start <= spans[-1][1]:
            start = spans.pop()[0]
        spans.append((start, end))
    return spans


def _paragraph(text: str, position: int) -> tuple[int, int]:
    """The line around `position`, or its sentence when the line is too long to be a paragraph."""
    low, high = max(0, position - _PARAGRAPH_MAX), min(len(text), position + _PARAGRAPH_MAX)
    line_start = text.rfind("\n", low, position)
    line_end = text.find("\n", position, high)
    if (line_start >= 0 or low == 0) and (line_end >= 0 or high == len(text)):
        return line_start + 1, line_end if line_end >= 0 else len(text)
    return (
        _sentence_start(text, position, limit=max(0, position - _SENTENCE_REACH)),
        _sentence_end(text, position, limit=min(len(text), position + _SENTENCE_REACH)),
    )


def _sentence_start(text: str, position: int, *, limit: int) -> int:
    """Where the sentence around `position` starts, or `limit` if that is nearer."""
    starts = [
        found + len(end)
        for end in _SENTENCE_ENDS
        if (found := text.rfind(end, limit, position)) >= 0
    ]
    return max(starts, default=limit)


def _sentence_end(text: str, position: int, *, limit: int) -> int:
    """Where the sentence around `position` ends, or `limit` if that is nearer."""
    ends = [found for end in _SENTENCE_ENDS if (found := text.find(end, position, limit)) >= 0]
    return min(ends, default=limit)


@lru_cache(maxsize=4096)
def _title_entries(title: str) -> frozenset[int]:
    """
    The shipped vocabulary's skills named in a title. Remembered per title, like the employer
    below: titles repeat across a board and across crawls, and a scan costs tens of
    microseconds however short the text.
    """
    return frozenset(hit.entry for hit in _scan(load_vocabulary(), title))


@lru_cache(maxsize=1024)
def _employer_skills(company: str | None) -> tuple[int, ...]:
    """The shipped vocabulary's skill that is the employer's own name ("Datadog, Inc."), if any."""
    if not company:
        return ()
    name = _COMPANY_SUFFIXES.sub("", company).strip()
    hits = _scan(load_vocabulary(), name)
    if len(hits) == 1 and hits[0].start == 0 and hits[0].end == len(name):
        return (hits[0].entry,)
    return ()


def _scan(vocabulary: Vocabulary, text: str) -> list[_Hit]:
    """Every accepted skill mention in `text`, in order, with offsets into `text`."""
    return _scan_with_boilerplate(vocabulary, text)[0]


def _found(vocabulary: Vocabulary, text: str) -> Sequence[Found]:
    """The pattern's matches in `text`: from the shared pass for the shipped vocabulary."""
    if vocabulary is load_vocabulary():
        return text_words(text).skills
    return [
        (match.start(1) - 1, match.end() - 1, match.group(1))
        for match in vocabulary.pattern.finditer(" " + lower_in_place(text))
    ]


def _scan_with_boilerplate(vocabulary: Vocabulary, text: str) -> tuple[list[_Hit], list[int]]:
    """The skill mentions in `text` and the offsets of the boilerplate phrases, in one pass."""
    hits: list[_Hit] = []
    boilerplate: list[int] = []
    if not text:
        return hits, boilerplate
    for start, end, spelling in _found(vocabulary, text):
        plain = _KEYED_CHARACTERS.isdisjoint(spelling)
        key = spelling if plain else _key(spelling)
        entry = vocabulary.folded.get(key)
        if entry is not None:
            hits.append(_new_hit(_Hit, (entry, start, end, False)))
        elif key in vocabulary.boilerplate:
            boilerplate.append(start)
        else:
            written = text[start:end] if plain else _key(text[start:end])
            entry = vocabulary.exact.get(written)
            if entry is not None:
                hits.append(_new_hit(_Hit, (entry, start, end, written in vocabulary.guarded)))
    if any(hit.guarded for hit in hits):
        hits = [
            hit
            for position, hit in enumerate(hits)
            if not hit.guarded or _guard_accepts(vocabulary, text, hits, position)
        ]
    return hits, boilerplate


def _guard_accepts(vocabulary: Vocabulary, text: str, hits: Sequence[_Hit], position: int) -> bool:
    """Whether a guarded spelling names its skill here, by its entry's rule (module docstring)."""
    hit = hits[position]
    entry = vocabulary.entries[hit.entry]
    if entry.rule == "spoken":
        return _near_language_cue(text, hit)
    if _in_skill_list(vocabulary, text, hits, position):
        return True
    next_word = _word_after(text, hit.end)
    cued = next_word in _DEFAULT_CUES or next_word in entry.cues
    if entry.rule == "listed":
        return cued or _word_before(text, hit.start) in entry.after
    if next_word in entry.not_before or _hyphenated(text, hit.end):
        return False
    return cued or not _starts_sentence(text, hit.start) or _ends_line(text, hit.end)


def _in_skill_list(vocabulary: Vocabulary, text: str, hits: Sequence[_Hit], position: int) -> bool:
    """True when a technical skill (or one of the same category) sits next to the hit in a list."""
    hit = hits[position]
    category = vocabulary.entries[hit.entry].category
    neighbours = []
    if position > 0:
        neighbours.append((hits[position - 1], hits[position - 1].end, hit.start))
    if position + 1 < len(hits):
        neighbours.append((hits[position + 1], hit.end, hits[position + 1].start))
    for neighbour, gap_start, gap_end in neighbours:
        other = vocabulary.entries[neighbour.entry].category
        if (other in _TECH_CATEGORIES or other == category) and _LIST_GAP.fullmatch(
            text, gap_start, gap_end
        ):
            return True
    return False


def _word_after(text: str, end: int) -> str:
    match = _NEXT_WORD.match(text, end)
    return match.group(1).lower() if match else ""


def _word_before(text: str, start: int) -> str:
    match = _PREVIOUS_WORD.search(text, max(0, start - 40), start)
    return match.group(1).lower() if match else ""


def _hyphenated(text: str, end: int) -> bool:
    """True for "Go-to-market", false for "React-based"."""
    if not text.startswith("-", end):
        return False
    word = _NEXT_WORD.match(" " + text[end + 1 : end + 30])
    return word is not None and word.group(1).lower() not in _TECH_SUFFIXES


def _starts_sentence(text: str, start: int) -> bool:
    """True where every word is capitalised anyway: text start, after a line, sentence or bullet."""
    position = start - 1
    while position >= 0 and text[position] in " \t":
        position -= 1
    return position < 0 or text[position] in _SENTENCE_STARTERS


def _ends_line(text: str, end: int) -> bool:
    """True for a spelling alone at the end of its line ("Backend Engineer - Go")."""
    return _LINE_REST.match(text, end) is not None


def _near_language_cue(text: str, hit: _Hit) -> bool:
    """True when the sentence around a language name, within 60 characters, has a language cue."""
    window_start = _sentence_start(text, hit.start, limit=max(0, hit.start - 60))
    window_end = _sentence_end(text, hit.end, limit=min(len(text), hit.end + 60))
    return _SPOKEN_CUES.search(text, window_start, window_end) is not None

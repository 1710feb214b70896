"""
Blocking keys: what two postings of one job share however their sources write them.

Sources write the same employer and the same title differently: "Datadog, Inc." on a career page and
"Datadog" in the ATS; "Sr. Software Eng. (m/w/d) - Remote" on an aggregator and "Senior Software
Engineer" on the board. The keys here fold those differences away, so that postings of one job land
in one block, while keeping every word that tells two jobs apart (level, team, specialisation).

- `company_key`: accents, case, punctuation, "the", "and", legal forms (Inc, GmbH, Ltd, LLC, SE,
  AG...), a web domain's ending ("Gong.io"), a Workday legal-entity code ("1000 Merck Sharp &
  Dohme LLC") and a trailing country ("Clark Germany") are dropped. A key only has to be the same for both
  sources; when it merges two employers, the title, place and description checks still separate
  their jobs.
- `title_key`: gender markers ("(m/w/d)", "(f/m/x)", "*in"), workplace words ("Remote", "Hybrid",
  "(HQ)") and place suffixes ("- London", ", India", "(Europe)") are removed; the places are kept
  aside, because "Sales Manager, France" and "Sales Manager, Germany" are two jobs. Abbreviations
  are unified (Sr/Senior, Jr/Junior, Eng/Engineer, Mgr/Manager...), compounds joined
  ("Full-Stack", "Full Stack" and "Fullstack" are one word) and roman level numbers written as
  digits. A title suffix counts as a place only when it names a known country, world area or
  major city in four letters or more (or is US, USA, UK, UAE or EU), because short capitals in
  titles are acronyms ("AI", "ML", "HR") far more often than countries.

Every function takes any string and never raises: titles and names are whatever a source sent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import pycountry

from crawler.items import Location
from crawler.normalise.locations import parse_location

__all__ = ["TitleKey", "company_key", "fold", "key_of_text", "normalise_title", "title_key"]

_MAX_TITLE_CHARS: Final = 300
_MAX_COMPANY_CHARS: Final = 200


def fold(text: str) -> str:
    """
    Lower case without Latin accents, compatibility forms unified ("ﬁ" is "fi", "Ⅱ" is "II").

    Only marks on Latin letters are dropped, so that other scripts keep letters that a mark makes
    ("й" stays "й", not "и"; "プ" stays "プ", not "フ").
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    if _may_hold_marks(decomposed):
        decomposed = _COMBINING_MARKS.sub("", decomposed)
    return unicodedata.normalize("NFC", decomposed).casefold()


_COMBINING_MARKS = re.compile("(?<=[A-Za-z])[\u0300-\u036f]+")


def _may_hold_marks(text: str) -> bool:
    """
    Whether `text` may hold a combining mark of U+0300–U+036F, tested in a few microseconds.

    Most texts have none (only curly quotes, dashes or bullets), and the look-behind makes the
    substitution scan slowly even then. In UTF-8 those marks, and only code points U+0300–U+037F,
    start with the byte 0xCC or 0xCD, which a byte search finds at memory speed.
    """
    data = text.encode("utf-8", "surrogatepass")
    return b"\xcc" in data or b"\xcd" in data


_WORD = re.compile(r"[^\W_]+")

# --- company -------------------------------------------------------------------------------------

_LEGAL_FORMS: Final = frozenset(
    (  # noqa: SIM905 (a list literal would take one line per word)
        "inc incorporated corp corporation co company cos ltd limited llc llp lp plc pllc gmbh mbh ag "
        "se kg kgaa ohg ug eg ev sa sas sasu sarl sl slu srl spa sca bv nv vof oy oyj ab as asa aps "
        "pty pte kk bhd sdn sro zoo ltda holding holdings group"
    ).split()
)
"""Legal forms and the corporate words that trail them, dropped from the end of a name."""
_DOMAIN = re.compile(
    r"(?<![\w.])([^\W_][\w-]*)\.(?:io|com|ai|co|net|org|app|dev|tech|de|eu|us)\b", re.I
)
_ENTITY_CODE = re.compile(r"^[a-z]{0,3}\d{2,}[a-z]?\s+(?=\S)")
"""Workday tenants prefix the legal entity's code: "IL00 Mellanox Technologies, Ltd."."""
_AND_CO = re.compile(r"(?:&|\band\b)\s*co\b\.?", re.I)
_COUNTRY_STOP: Final = frozenset({"of", "de", "du", "des", "di", "da", "del", "for", "in"})


@lru_cache(maxsize=1)
def _country_names() -> frozenset[tuple[str, ...]]:
    """Folded country names as word tuples, to drop "Germany" from "Clark Germany"."""
    names: set[tuple[str, ...]] = set()
    for country in pycountry.countries:
        for attribute in ("name", "common_name"):
            value = getattr(country, attribute, None)
            if value and "," not in value:
                names.add(tuple(_WORD.findall(fold(value))))
    names.update({("usa",), ("us",), ("uk",), ("deutschland",), ("america",), ("emea",)})
    return frozenset(names)


@lru_cache(maxsize=65536)
def company_key(name: str | None) -> str:
    """
    The employer's blocking key; empty when the name is missing or has no letters or digits.

    Cached: a crawl or a benchmark reads the same few thousand employer names again and again.
    """
    if not name:
        return ""
    text = name[:_MAX_COMPANY_CHARS]
    text = _DOMAIN.sub(r"\1", text)
    text = _AND_CO.sub(" co ", fold(text)).replace("&", " and ")
    text = _ENTITY_CODE.sub("", text.strip())
    words = _WORD.findall(text.replace(".", ""))
    kept = [word for word in words if word not in ("the", "and")]
    while len(kept) > 1 and kept[-1] in _LEGAL_FORMS:
        kept.pop()
    kept = _without_trailing_country(kept)
    return " ".join(kept or words)


def _without_trailing_country(words: list[str]) -> list[str]:
    """Drop a trailing country: "clark germany" is "clark"; "bank of america" stays."""
    for size in (3, 2, 1):
        if (
            len(words) > size
            and tuple(words[-size:]) in _country_names()
            and words[-size - 1] not in _COUNTRY_STOP
        ):
            return words[:-size]
    return words


# --- title ---------------------------------------------------------------------------------------

_GENDER_UNIT = r"(?:m|w|f|d|x|h|n|v|div|diverse?|divers|all|inter)"
_GENDER = re.compile(
    r"[(\[]\s*(?:all\s+genders?|gn\*?|geschlechtsneutral|genderneutral"
    rf"|{_GENDER_UNIT}(?:\s*[/|,*]\s*{_GENDER_UNIT}){{1,3}})\s*[)\]]"
    rf"|(?:^|\s)(?:m|w|f|d|x|h)\s*/\s*(?:m|w|f|d|x|h)(?:\s*/\s*{_GENDER_UNIT}){{0,2}}\s*$",
    re.IGNORECASE,
)
_GERMAN_INCLUSIVE = re.compile(r"(?<=[a-zäöüß])(?:[*:_/]in(?:nen)?|\(in\))(?![a-zäöü])")
"""Gender-inclusive German endings: "Entwickler*in", "Entwickler:innen", "Entwickler(in)"."""
_PLACE_PREPOSITION = re.compile(r"^(.*?\S)\s+(?:in|at|à|en|im|bei)\s+(\S.*)$", re.IGNORECASE)
"""A place after a preposition ends a title: "Vertriebsmitarbeiter in Berlin"."""
_PARENTHESES = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_SUFFIX_SEPARATOR = re.compile(r"\s+[-–—]+\s+|\s*[|•·,]\s*")
_WORKPLACE = re.compile(
    r"\b(?:(?:fully|full|100\s*%?|100\s*percent)\s+)?remote(?:ly)?(?:[- ](?:first|friendly|only|ok"
    r"|possible|option(?:al)?|eligible))?\b|\bhybrid\w*|\bon[- ]?site\b|\bin[- ]office\b"
    r"|\bhq\b|\bheadquarters\b|\bhome[- ]?(?:based|office)\b|\bwork(?:ing)?\s+from\s+home\b|\bwfh\b"
    r"|\btélétravail\b|\bteletrabajo\b|\btelecommut\w*|\banywhere\b|\bworldwide\b|\bglobal\b"
    r"|\b(?:utc|gmt|cet|cest|est|edt|pst|pdt|cst|mst)(?:\s*[+-]\s*\d+)?\b|\btime\s?zones?\b",
    re.IGNORECASE,
)
_WORKPLACE_FILLER = re.compile(r"\b(?:only|based|in|within|from|or|and|with|the)\b", re.I)
_EDGE_PUNCTUATION = " \t-–—/&,:;+|"
_CODE = re.compile(r"^\s*[A-Z]{2,3}\s*$")
_PLACE_PARTS = re.compile(r"\s*[,;/]\s*|\s+[-–—]+\s+")
_TITLE_PLACE_CODES: Final = frozenset({"US", "USA", "UK", "UAE", "EU"})
_LETTERS = re.compile(r"[^\W\d_]")

_SPECIAL_TOKENS: Final = (
    (re.compile(r"c\+\+", re.I), " cplusplus "),
    (re.compile(r"(?<![\w.])c#", re.I), " csharp "),
    (re.compile(r"(?<![\w.])f#", re.I), " fsharp "),
    (re.compile(r"(?<!\w)\.net\b", re.I), " dotnet "),
)
_INNER_DOT = re.compile(r"(?<=\w)\.(?=\w)")
_INNER_HYPHEN = re.compile(r"(?<=[^\W\d_])[-‐‑](?=[^\W\d_])")

_ABBREVIATIONS: Final[dict[str, str]] = {
    "sr": "senior", "snr": "senior", "sen": "senior", "jr": "junior", "jnr": "junior",
    "eng": "engineer", "engr": "engineer", "mgr": "manager", "mngr": "manager",
    "dev": "developer", "devs": "developers", "assoc": "associate", "asst": "assistant",
    "admin": "administrator", "dir": "director", "exec": "executive", "rep": "representative",
    "reps": "representatives", "spec": "specialist", "coord": "coordinator", "mktg": "marketing",
    "ops": "operations", "mgmt": "management", "acct": "account", "intl": "international",
    "svc": "service", "svcs": "services", "cust": "customer", "tech": "technical",
    "vp": "vice president", "svp": "senior vice president", "evp": "executive vice president",
    "swe": "software engineer", "sde": "software development engineer",
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8",
    "ix": "9",
}  # fmt: skip
"""Title abbreviations, read after case folding and dot removal ("Sr." is "sr")."""
_COMPOUNDS: Final[dict[tuple[str, str], str]] = {
    ("full", "stack"): "fullstack", ("front", "end"): "frontend", ("back", "end"): "backend",
    ("dev", "ops"): "devops", ("e", "commerce"): "ecommerce", ("on", "call"): "oncall",
    ("data", "base"): "database", ("web", "site"): "website", ("work", "force"): "workforce",
}  # fmt: skip
_STOPWORDS: Final = frozenset(
    "a an and the of for to in at with on und et de la le der die das del y e per".split()  # noqa: SIM905
)
_LEVEL_WORDS: Final = frozenset(
    (  # noqa: SIM905 (a list literal would take one line per word)
        "intern internship trainee apprentice apprenticeship student werkstudent praktikant "
        "praktikum stagiaire stage junior entry graduate associate mid intermediate senior staff "
        "principal distinguished fellow lead head chief director vice president manager deputy "
        "assistant interim acting"
    ).split()
)
"""Words that set a job's level: two titles that differ in one of them are two jobs."""


@dataclass(frozen=True, slots=True)
class TitleKey:
    """A title read for comparison."""

    text: str
    """The normalised words in title order, for fuzzy comparison."""
    key: str
    """The distinct words sorted: the blocking key, the same for "Engineer, Senior" and
    "Senior Engineer"."""
    words: frozenset[str]
    levels: frozenset[str]
    """Level words and numbers ("senior", "2", "2027"): they must agree for two titles to match."""
    places: tuple[Location, ...]
    """Places named in the title's suffix or parentheses ("- London", "(Europe)")."""
    workplace: bool
    """The title named a workplace ("Remote", "Hybrid", "(HQ)")."""


def normalise_title(title: str | None) -> str:
    """The title as normalised words in order ("" when nothing is left)."""
    return title_key(title).text


def title_key(title: str | None, own_names: Iterable[str] = ()) -> TitleKey:
    """
    The title read for blocking and comparison; see the module docstring for what is folded.

    `own_names` are the posting's own city and region names and its employer's name: a title
    segment that only repeats them ("... - Yokneam" for a job in Yokneam, "... | Vercel" at
    Vercel) goes, even for a city that the location parser does not know without its country.
    """
    text = title[:_MAX_TITLE_CHARS] if title else ""
    names = frozenset(name for name in (_place_name(name) for name in own_names) if name)
    if names:
        # A name whose words are not all in the title cannot be a segment of it: leaving such
        # names out changes nothing and lets postings in other cities share the cached reading.
        words = _title_words(text)
        names = frozenset(name for name in names if words.issuperset(name.split()))
    return _title_key(text, names)


@lru_cache(maxsize=65536)
def _place_name(text: str) -> str:
    return " ".join(_WORD.findall(fold(text)))


@lru_cache(maxsize=65536)
def _title_words(title: str) -> frozenset[str]:
    """
    Every word that any segment of the title can hold once it is read.

    The reading only deletes German inclusive endings (which may join letters) and otherwise
    replaces text by spaces or splits it, so every word of a segment is among these.
    """
    text = _GERMAN_INCLUSIVE.sub("", unicodedata.normalize("NFKC", title))
    return frozenset(_WORD.findall(fold(text)))


def key_of_text(text: str) -> TitleKey:
    """
    The key of a title already normalised (`TitleKey.text`), without its places and workplace.

    Normalised words are distinct and hold no spaces, so they are the text split on spaces: a
    column store keeps the text alone and rebuilds the rest for comparison.
    """
    words = text.split()
    return TitleKey(
        text=text,
        key=" ".join(sorted(words)),
        words=frozenset(words),
        levels=frozenset(word for word in words if word in _LEVEL_WORDS or word.isdigit()),
        places=(),
        workplace=False,
    )


@lru_cache(maxsize=65536)
def _title_key(title: str, own_names: frozenset[str]) -> TitleKey:
    text = unicodedata.normalize("NFKC", title)
    text = _GERMAN_INCLUSIVE.sub("", text)
    text = _GENDER.sub(" ", text)
    places: list[Location] = []
    workplace = False
    pieces: list[str] = []
    for inner_is_noise, piece in _split_parentheses(text):
        noise = _noise(piece, own_names) if inner_is_noise else None
        if noise is None:
            pieces.append(piece)
        else:
            places.extend(noise[0])
            workplace = workplace or noise[1]
            pieces.append(" , ")
    core, suffix_places, suffix_workplace = _strip_suffixes(" ".join(pieces), own_names)
    words = _words(core)
    levels = frozenset(word for word in words if word in _LEVEL_WORDS or word.isdigit())
    return TitleKey(
        text=" ".join(words),
        key=" ".join(sorted(set(words))),
        words=frozenset(words),
        levels=levels,
        places=tuple(places + suffix_places),
        workplace=workplace or suffix_workplace,
    )


def _split_parentheses(text: str) -> list[tuple[bool, str]]:
    """The text in pieces, each parenthesised group flagged so that it can be tested for noise."""
    pieces: list[tuple[bool, str]] = []
    position = 0
    for group in _PARENTHESES.finditer(text):
        pieces.append((False, text[position : group.start()]))
        pieces.append((True, group.group(1)))
        position = group.end()
    pieces.append((False, text[position:]))
    return pieces


def _strip_suffixes(text: str, own_names: frozenset[str]) -> tuple[str, list[Location], bool]:
    """Drop trailing and leading segments that only name places or workplaces."""
    places: list[Location] = []
    workplace = False
    segments = [part for part in _SUFFIX_SEPARATOR.split(text) if part.strip()]
    while len(segments) > 1 and (found := _trailing_noise(segments, own_names)) is not None:
        size, (found_places, found_workplace) = found
        del segments[-size:]
        places.extend(found_places)
        workplace = workplace or found_workplace
    # A leading place is more often part of the title ("London Market Underwriter"): only a
    # leading workplace or own name goes.
    while len(segments) > 1 and (leading := _leading_noise(segments, own_names)) is not None:
        size, found_workplace = leading
        del segments[:size]
        workplace = workplace or found_workplace
    preposition = _PLACE_PREPOSITION.match(segments[-1]) if segments else None
    after = _noise(preposition.group(2), own_names) if preposition else None
    if preposition and after and after[0]:
        segments[-1] = preposition.group(1)
        places.extend(after[0])
    return " ".join(segments), places, workplace


def _trailing_noise(
    segments: list[str], own_names: frozenset[str]
) -> tuple[int, tuple[list[Location], bool]] | None:
    """
    How many trailing segments name one place or workplace ("New York, NY" is two).

    Each segment must be one on its own, except that a short capital code may follow one
    ("NY", "CA"): read together, "Contractor, Vietnam" would otherwise be a city in Vietnam.
    """
    for size in (3, 2, 1):
        if len(segments) <= size:
            continue
        parts = segments[-size:]
        if _noise(parts[0], own_names) is None:
            continue
        if all(_CODE.match(part) or _noise(part, own_names) for part in parts[1:]):
            joined = _noise(", ".join(parts), own_names)
            if joined is not None:
                return size, joined
    return None


def _leading_noise(segments: list[str], own_names: frozenset[str]) -> tuple[int, bool] | None:
    """How many leading segments name a workplace or the employer ("Acme, Inc. - ...")."""
    for size in (3, 2, 1):
        if len(segments) > size:
            noise = _noise(", ".join(segments[:size]), own_names)
            if noise is not None and not noise[0]:
                return size, noise[1]
    return None


def _noise(segment: str, own_names: frozenset[str]) -> tuple[list[Location], bool] | None:
    """
    (places, names a workplace) when the segment only names places, workplaces or the posting's
    own names, else None.
    """
    remainder, count = _WORKPLACE.subn(" ", segment)
    remainder = _WORKPLACE_FILLER.sub(" ", remainder).strip(_EDGE_PUNCTUATION)
    if not _LETTERS.search(remainder):
        return ([], True) if count else None
    parts = [_place_name(part) for part in _PLACE_PARTS.split(remainder)]
    if own_names and (
        _place_name(remainder) in own_names or all(part in own_names for part in parts if part)
    ):
        return [], count > 0
    places = _title_places(remainder)
    return (places, count > 0) if places else None


def _title_places(text: str) -> list[Location]:
    """Places named by a title segment, only when every part of it is a known place."""
    if len(_LETTERS.findall(text)) < 4 and text.strip() not in _TITLE_PLACE_CODES:
        return []
    places = parse_location(text)
    if places and all(_known(place) for place in places):
        return places
    return []


def _known(place: Location) -> bool:
    return place.country is not None or (place.city is None and place.region is not None)


def _words(text: str) -> list[str]:
    """Folded, abbreviation-free, de-duplicated words in order, stopwords dropped."""
    for pattern, replacement in _SPECIAL_TOKENS:
        text = pattern.sub(replacement, text)
    text = _INNER_HYPHEN.sub("", _INNER_DOT.sub("", fold(text)))
    raw = _WORD.findall(text)
    joined: list[str] = []
    for word in raw:
        if joined and (joined[-1], word) in _COMPOUNDS:
            joined[-1] = _COMPOUNDS[(joined[-1], word)]
        else:
            joined.append(word)
    words: list[str] = []
    for word in joined:
        for part in _ABBREVIATIONS.get(word, word).split():
            if part not in _STOPWORDS and part not in words:
                words.append(part)
    return words

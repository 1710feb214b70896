"""
A description split by meaning: responsibilities, requirements, benefits and the rest.

Postings are written by people in rich-text editors, but nearly all follow one pattern: a heading
("What you'll do", "Requirements", "Dein Profil", "Vos missions"...) and under it a list, or a few
paragraphs. So the splitter reads the description's lines once (`text_lines`, shared with
`html_to_text`, so the HTML is parsed once for both), decides for each line whether it is a
heading, and files what follows under the section the heading names.

What counts as a heading: an ``<h1>``-``<h6>``; a line that is wholly bold (``<p><strong>...``);
a short line ending in ":"; and a very short plain line that names a section exactly. Headings are
compared as normalised words (case, accents, apostrophes and punctuation removed) against
`HEADING_PHRASES`, the longest phrase that starts the heading winning, so "Benefits available to all
full-time employees" and "Bonus Points (any of the following)" match "benefits" and "bonus points".
A bold or ``<h*>`` heading that names no section ends the current one, and what follows goes
nowhere: a guess would do more harm to a search index than a gap. A section's items are its list
items; a section without a list gives its paragraphs' sentences instead. Equal-opportunity and
accommodation statements are also found by their wording, wherever they stand, because many
postings append them without a heading.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal, get_args

from crawler.items import Sections
from crawler.normalise.html import TextLine, text_lines

__all__ = ["HEADING_PHRASES", "SectionName", "split_sections"]

SectionName = Literal[
    "responsibilities",
    "requirements",
    "preferred",
    "benefits",
    "about_company",
    "equal_opportunity",
]

# fmt: off
HEADING_PHRASES: dict[SectionName | None, dict[str, tuple[str, ...]]] = {
    "responsibilities": {
        "en": (
            "Responsibilities", "Key responsibilities", "Main responsibilities",
            "Your responsibilities", "Job responsibilities", "Primary responsibilities",
            "Core responsibilities", "Duties", "Key duties", "Duties and responsibilities",
            "Roles and responsibilities", "Role and responsibilities", "What you'll do",
            "What you will do", "What you'll be doing", "What you will be doing",
            "What you'll work on", "What you will work on", "What you'll own", "You will",
            "You'll", "In this role", "Your impact", "The impact you'll have", "Your role",
            "Your mission", "What the job involves", "Day to day", "A day in the life",
            "Your day to day", "Key accountabilities", "Accountabilities",
            "What you'll achieve", "How you'll make an impact",
        ),
        "de": (
            "Deine Aufgaben", "Ihre Aufgaben", "Aufgaben", "Deine Rolle", "Ihre Rolle",
            "Das erwartet dich", "Das erwartet Sie", "Was dich erwartet", "Was Sie erwartet",
            "Deine Verantwortung", "Ihr Aufgabengebiet", "Dein Aufgabengebiet",
            "Aufgabengebiet", "Deine Tätigkeiten", "Ihre Tätigkeiten",
        ),
        "fr": (
            "Vos missions", "Missions", "Tes missions", "Votre mission", "Ta mission",
            "Vos principales missions", "Missions principales", "Vos responsabilités",
            "Responsabilités", "Ce que vous ferez",
        ),
        "es": (
            "Responsabilidades", "Tus responsabilidades", "Funciones", "Tus funciones",
            "Qué harás", "Lo que harás",
        ),
    },
    "requirements": {
        "en": (
            "Requirements", "Job requirements", "Key requirements", "Minimum requirements",
            "Basic requirements", "Required qualifications", "Minimum qualifications",
            "Basic qualifications", "Qualifications", "Key qualifications", "Required skills",
            "Required experience", "Skills and experience", "Skills and qualifications",
            "Experience and qualifications", "Education and experience", "What you'll need",
            "What you will need", "What you need", "What you'll bring", "What you will bring",
            "What you bring", "What we're looking for", "What we are looking for",
            "Who we're looking for", "Who we are looking for", "What we need to see",
            "Who you are", "Who are you", "About you", "You have", "You are", "You should have",
            "Your profile", "Your skills", "Your experience", "Your background", "Must have",
            "Must haves", "The ideal candidate", "Ideal candidate", "Essential skills",
            "Essential criteria", "Knowledge skills and abilities", "Is this you",
        ),
        "de": (
            "Dein Profil", "Ihr Profil", "Profil", "Was du mitbringst", "Was Sie mitbringen",
            "Das bringst du mit", "Das bringen Sie mit", "Deine Qualifikationen",
            "Ihre Qualifikationen", "Anforderungen", "Voraussetzungen",
            "Das zeichnet dich aus", "Das zeichnet Sie aus", "Was wir erwarten", "Über dich",
            "Über Sie",
        ),
        "fr": (
            "Profil recherché", "Votre profil", "Ton profil", "Profil",
            "Compétences requises", "Qualifications requises", "Prérequis",
            "Ce que nous recherchons", "Qui êtes-vous", "Exigences", "À propos de vous",
        ),
        "es": (
            "Requisitos", "Requisitos mínimos", "Perfil", "Tu perfil", "Perfil buscado",
            "Qué buscamos", "Lo que buscamos", "Experiencia requerida", "Sobre ti",
        ),
    },
    "preferred": {
        "en": (
            "Preferred qualifications", "Preferred", "Preferred skills", "Preferred experience",
            "Qualifications preferred", "Nice to have", "Nice to haves", "Bonus points",
            "Pluses", "Desired qualifications", "Desired skills", "Desirable",
            "Ways to stand out", "It would be great if", "It's a plus if", "Even better if",
            "Extra credit", "Good to have",
        ),
        "de": ("Wünschenswert", "Von Vorteil", "Pluspunkte", "Idealerweise"),
        "fr": ("Atouts", "Un plus", "Serait un plus", "Compétences appréciées"),
        "es": ("Deseable", "Requisitos deseables", "Se valorará", "Valorable", "Será un plus"),
    },
    "benefits": {
        "en": (
            "Benefits", "Our benefits", "Perks", "Perks and benefits", "Benefits and perks",
            "What we offer", "What we're offering", "What we provide", "What you'll get",
            "What you get", "What's in it for you", "Why join us", "Why work with us",
            "Why work here", "Why you'll love working here", "We offer",
            "Compensation and benefits", "Salary and benefits", "Pay and benefits",
            "Total rewards", "Our offer", "In return",
        ),
        "de": (
            "Was wir bieten", "Wir bieten", "Das bieten wir", "Was wir dir bieten",
            "Was wir Ihnen bieten", "Unser Angebot", "Deine Vorteile", "Ihre Vorteile",
            "Vorteile",
        ),
        "fr": (
            "Ce que nous offrons", "Ce que nous proposons", "Nous offrons", "Nous proposons",
            "Avantages", "Vos avantages", "Nos avantages", "Pourquoi nous rejoindre",
        ),
        "es": (
            "Qué ofrecemos", "Lo que ofrecemos", "Ofrecemos", "Te ofrecemos", "Beneficios",
            "Por qué unirte",
        ),
    },
    "about_company": {
        "en": (
            "About us", "About the company", "About our company", "Who we are", "Our company",
            "Company description", "Company overview", "Company profile", "Our mission",
            "Our story", "The company",
        ),
        "de": (
            "Über uns", "Über das Unternehmen", "Wer wir sind", "Das Unternehmen",
            "Unternehmen", "Unternehmensbeschreibung",
        ),
        "fr": (
            "À propos de nous", "Qui sommes-nous", "L'entreprise", "Notre entreprise",
            "La société", "À propos",
        ),
        "es": (
            "Sobre nosotros", "Acerca de nosotros", "Quiénes somos", "La empresa",
            "Nuestra empresa", "Sobre la empresa",
        ),
    },
    "equal_opportunity": {
        "en": (
            "Equal opportunity", "Equal opportunities", "Equal employment opportunity", "EEO",
            "Affirmative action", "Diversity and inclusion", "Diversity equity and inclusion",
            "Our commitment to diversity", "Non-discrimination", "Accommodations",
            "Reasonable accommodations", "Accessibility",
        ),
        "de": ("Chancengleichheit", "Vielfalt", "Diversität"),
        "fr": ("Égalité des chances", "Diversité et inclusion", "Diversité"),
        "es": ("Igualdad de oportunidades", "Diversidad e inclusión", "Diversidad"),
    },
    None: {
        "en": (
            "About the", "About this", "About your", "About our", "The role", "Role overview",
            "Job description", "Job summary", "Position overview", "Position summary",
            "Overview", "Summary",
        ),
        "de": ("Über die", "Über den", "Über diese"),
        "fr": ("À propos du", "À propos de la", "Le poste"),
        "es": ("Sobre el", "Sobre la", "Acerca del", "El puesto"),
    },
}
# fmt: on
"""Section headings by section and language, as they are written. `None` lists headings that name
no section but would otherwise be read as one: "About the role" is not "About <Company>".
Headings are matched by their leading words after normalisation, the longest phrase winning."""

COMPANY_INTRO_WORDS: tuple[tuple[str, ...], ...] = (
    ("about",),
    ("a", "propos"),
    ("uber",),
    ("sobre",),
    ("acerca",),
)
"""Normalised words that introduce a company's name in a heading ("About Datadog", "Über Acme")."""
_COMPANY_NAME_MAX_WORDS = 3

EQUAL_OPPORTUNITY_PHRASES: tuple[str, ...] = (
    "equal opportunity",
    "equal opportunities",
    "equal employment opportunit",
    "affirmative action",
    "without regard to",
    "regardless of race",
    "do not discriminate",
    "does not discriminate",
    "reasonable accommodation",
    "chancengleichheit",
    "gleichbehandlung",
    "égalité des chances",
    "egalite des chances",
    "igualdad de oportunidades",
)
"""Wording that marks an equal-opportunity or accommodation statement in a paragraph, casefolded."""

_MAX_HEADING_WORDS = 12
"""A bold or colon-ended line longer than this is emphasis, not a heading."""
_MAX_PLAIN_HEADING_WORDS = 5
"""A plain line counts as a heading only when this short and naming a section exactly."""

_APOSTROPHES = str.maketrans("", "", "'’‘`´ʼ\"")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+(?=[\"“‘'(\[]?[A-ZÀ-ÖØ-Þ0-9])")
"""End punctuation, space, and a capital or digit: where a sentence may end. It starts with a
plain character class, which Python's regex engine scans for quickly; a version with lookbehinds
for the abbreviations cost 25 times as much."""
_ABBREVIATIONS = ("e.g.", "i.e.", " St.", " Dr.", " Mr.", " Ms.", " Mrs.", " vs.")
_BULLET = re.compile(r"^(?:[•·▪●○◦■□✓✔➢►*-]|\d{1,2}[.)])\s+")
_EQUAL_OPPORTUNITY = re.compile("|".join(re.escape(phrase) for phrase in EQUAL_OPPORTUNITY_PHRASES))


_EQUAL_OPPORTUNITY_ANCHORS = (
    *("opportunit", "regard", "discriminat", "affirmative", "accommodation"),
    *("chancengleichheit", "gleichbehandlung", "des chances", "oportunidades"),
)
"""Words of which every phrase above holds one ("regard" covers "without regard to" and
"regardless of race"). A paragraph without any of them holds no phrase, and a handful of
substring tests tell that far sooner than the alternation, which is tried at every letter."""


def _has_equal_opportunity(folded: str) -> bool:
    """Whether casefolded text holds equal-opportunity wording."""
    for anchor in _EQUAL_OPPORTUNITY_ANCHORS:
        if anchor in folded:
            return _EQUAL_OPPORTUNITY.search(folded) is not None
    return False


def _words(text: str) -> tuple[str, ...]:
    """
    A heading's words for matching: casefolded, accents and apostrophes removed.

    Apostrophes are deleted rather than split on, so "What you’ll do", "What you'll do" and
    Lever's ``What You"ll Do`` all read ``what youll do``.
    """
    text = text.translate(_APOSTROPHES).replace("&", " and ").casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return tuple(_NOT_WORD.sub(" ", text).split())


def _phrase_table() -> dict[tuple[str, ...], SectionName | None]:
    table: dict[tuple[str, ...], SectionName | None] = {}
    for section, by_language in HEADING_PHRASES.items():
        for phrases in by_language.values():
            for phrase in phrases:
                table[_words(phrase)] = section
    return table


_PHRASES = _phrase_table()
_LONGEST_PHRASE = max(len(words) for words in _PHRASES)
_SECTION_NAMES: tuple[SectionName, ...] = get_args(SectionName)


def split_sections(html: str | None) -> Sections:
    """The description's parts, from its sanitised HTML; empty lists where nothing was named."""
    if not html:
        return Sections()
    splitter = _Splitter()
    for line in text_lines(html):
        splitter.read(line)
    splitter.end_block()
    return Sections(**splitter.found)


class _Splitter:
    """
    Files lines under the current section.

    A block is what follows one heading. Its items are kept apart from its paragraphs so that a
    block with a list gives the list (the paragraphs around a list are lead-ins and asides) and a
    block without one gives its paragraphs' sentences.
    """

    def __init__(self) -> None:
        self.found: dict[SectionName, list[str]] = {name: [] for name in _SECTION_NAMES}
        self._section: SectionName | None = None
        self._items: list[str] = []
        self._paragraphs: list[str] = []
        self._lines: list[str] = []  # the paragraph being read, one entry per <br>-line

    def read(self, line: TextLine) -> None:
        if line.kind == "item":
            self._add_item(line.text)
            return
        if line.kind == "text" and (bullet := _BULLET.match(line.text)):
            self._add_item(line.text[bullet.end() :])
            return
        if self._is_heading(line):
            return
        if line.new_block:
            self._end_paragraph()
        self._lines.append(line.text)

    def _add_item(self, text: str) -> None:
        if self._lines:
            self._end_paragraph()
        self._items.append(text)

    def end_block(self) -> None:
        self._end_paragraph()
        if self._section is not None:
            self._file(self._section, self._items or _sentences(self._paragraphs))
        self._items = []
        self._paragraphs = []

    def _is_heading(self, line: TextLine) -> bool:
        """Start a new block if the line is a heading; say whether it was one."""
        text = line.text
        size = text.count(" ") + 1  # the text's whitespace is collapsed to single spaces
        short = size <= _MAX_HEADING_WORDS
        marked = line.kind == "heading" or (line.bold and short and text[-1] not in ".!")
        if marked or (short and text.endswith(":")):
            found, section = _heading_of(text, exact=False)
        elif size <= _MAX_PLAIN_HEADING_WORDS and text[-1] not in ".!,;":
            found, section = _heading_of(text, exact=True)
        else:
            return False
        if not found and not marked:
            return False
        self.end_block()
        self._section = section
        return True

    def _end_paragraph(self) -> None:
        """
        Close the paragraph being read: it joins the block, or, from its first sentence with
        equal-opportunity wording on, goes to that section.

        Lines split by ``<br>`` are joined first, since some sources hard-wrap prose that way.
        """
        if not self._lines:
            return
        text = " ".join(self._lines)
        self._lines = []
        if self._section != "equal_opportunity" and _has_equal_opportunity(text.casefold()):
            sentences = _split_sentences(text)
            start = next(
                (
                    index
                    for index, sentence in enumerate(sentences)
                    if _has_equal_opportunity(sentence.casefold())
                ),
                0,
            )
            self._file("equal_opportunity", sentences[start:])
            text = " ".join(sentences[:start])
        if text and self._section is not None:
            self._paragraphs.append(text)

    def _file(self, section: SectionName, texts: list[str]) -> None:
        """Add texts to a section, once each: postings often repeat their closing statements."""
        kept = self.found[section]
        for text in texts:
            if text not in kept:
                kept.append(text)


def _sentences(paragraphs: list[str]) -> list[str]:
    return [sentence for paragraph in paragraphs for sentence in _split_sentences(paragraph)]


def _split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, not split after the few abbreviations postings use mid-sentence."""
    sentences: list[str] = []
    start = 0
    for found in _SENTENCE_BREAK.finditer(text):
        end = found.start() + 1
        if not text[start:end].endswith(_ABBREVIATIONS):
            sentences.append(text[start:end])
            start = found.end()
    sentences.append(text[start:])
    return sentences


@lru_cache(maxsize=4096)
def _heading_of(text: str, *, exact: bool) -> tuple[bool, SectionName | None]:
    """
    `_heading_section` of a line's words, remembered: the same few hundred headings ("About
    you", "Benefits", "About <Company>") recur across a board's postings and across crawls.
    """
    return _heading_section(_words(text), exact=exact)


def _heading_section(words: tuple[str, ...], *, exact: bool) -> tuple[bool, SectionName | None]:
    """
    Whether the heading's words name a known heading, and which section that is.

    With `exact`, the whole heading must be the phrase (for plain lines, which are only headings
    when they are nothing else); otherwise the longest phrase the heading starts with wins. Failing
    that, intro words and a name of up to three words ("About Datadog") name the company.
    """
    shortest = len(words) if exact else 1
    for size in range(min(len(words), _LONGEST_PHRASE), shortest - 1, -1):
        key = words[:size]
        if key in _PHRASES:
            return True, _PHRASES[key]
    for intro in COMPANY_INTRO_WORDS:
        if words[: len(intro)] == intro and 0 < len(words) - len(intro) <= _COMPANY_NAME_MAX_WORDS:
            return True, "about_company"
    return False, None

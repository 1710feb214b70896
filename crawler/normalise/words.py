"""
The word pass: one regex pass over a lower-cased text finds the words that two readings need.

`crawler.normalise.skills` looks for its vocabulary's spellings and
`crawler.normalise.requirements` for unit and degree words ("years", "bachelor's"), both with the
same technique: a word list compiled into one trie-shaped pattern (`trie_pattern`) that the regex
engine tries only at word starts (`WORD_START`). On a description nearly all of such a scan's
cost is the engine's attempt at each word start, whatever the trie holds, so two scans cost almost
twice one. `WordPass` compiles both lists into one trie, each spelling followed by its own list's
closing boundary, runs it once, and gives each list exactly the matches that the list's own
pattern would have given with ``finditer``. The requirement words live here (`UNIT_WORDS`,
`DEGREE_WORDS`) so that the skills module, which owns the vocabulary and builds the pass, need not
import the requirements module, which reads the pass's results.

Why the split is exact. At a word start the merged trie finds the first spelling, in trie order,
that matches there followed by its own list's boundary. Trie order is one total order on strings,
so when that spelling is in list A it is also what A's own pattern finds there, and A's own scan
would, like the merged one, go on after it. List B's own pattern can find something at that word
start, or at a word start inside the matched text, only where one of B's spellings overlaps the
matched one as far as their letters and boundaries allow: "ms" (a degree) is the start of "ms
office" (a skill), "s3" may follow the apostrophe of "bachelor's". `WordPass` works out when it is
built which spellings allow an overlap, a few dozen of over a thousand, and at their matches runs
B's own pattern at the word starts concerned. It does the same in the rare case where a list's own
scan would resume inside a merged match, after a match found that way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

__all__ = [
    "DEGREE_WORDS",
    "SEPARATORS",
    "UNIT_WORDS",
    "WORD_START",
    "Found",
    "WordList",
    "WordPass",
    "lower_in_place",
    "trie_pattern",
]

_WHITESPACE = (
    " \t\n\r\f\v\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character that ``\\s`` matches in a str pattern."""
_WORD_START_CHARACTERS = _WHITESPACE + "!\"%'()*,-./:;<=>?[\\]^`{|}~“”‘’«»„‚‹›…–—•·●▪►◦✓✔→¡¿"
WORD_START = "[" + re.escape(_WORD_START_CHARACTERS) + "]"
"""The characters that may precede a word: white space and punctuation, but not a letter or
digit, nor "@", "#", "$", "+", "&" or "_" (handles, hashtags, "R&D"). Listed one by one rather
than written as ``[^\\w...]`` or with ``\\s``: a set of plain characters compiles to one table
look-up, and this check runs at every character of the text."""
_STARTS = frozenset(_WORD_START_CHARACTERS)
SEPARATORS = frozenset(_WHITESPACE + "-’")
"""The characters that a space in a spelling stands for, and the curly apostrophe."""

UNIT_WORDS: dict[str, int] = {
    **dict.fromkeys(["year", "years", "yr", "yrs", "jahr", "jahre", "jahren"], 1),
    **dict.fromkeys(["ans", "an d", "an de", "an en", "an dans", "an minimum"], 1),
    **dict.fromkeys(["année", "années", "annee", "annees", "año", "años", "ano", "anos"], 1),
    **dict.fromkeys(["month", "months", "monat", "monate", "monaten", "mois", "meses"], 12),
}
"""Requirement unit words (lower case) and how many make a year. French "an" only with what
follows it ("1 an d'expérience"), since English "an" is everywhere."""

DEGREE_WORDS = frozenset(
    [
        *("no", "degree", "degrees", "diploma", "without", "kein", "keinen", "sans", "aucun"),
        *("phd", "ph.d", "doctorate", "doctoral", "dphil", "d.phil", "doktor", "doktorgrad"),
        *("doktortitel", "promoviert", "promotion", "abgeschlossene", "erfolgreiche"),
        *("doctorat", "doctorado", "master", "masters", "master's", "masterabschluss"),
        *("masterstudium", "m.sc", "msc", "m.s", "ms", "m.a", "mba", "meng", "m.eng", "máster"),
        *("maestría", "maestria", "diplom", "dipl", "magister", "bac", "diplôme", "advanced"),
        *("graduate", "postgraduate", "bachelor", "bachelors", "bachelor's", "bachelorabschluss"),
        *("bachelorstudium", "b.sc", "bsc", "b.s", "bs", "b.a", "ba", "beng", "b.eng", "btech"),
        *("b.tech", "undergraduate", "four year", "4 year", "university", "college", "academic"),
        *("a degree", "a relevant degree", "a technical degree", "a related degree"),
        *("hochschulabschluss", "universitätsabschluss", "fh", "studienabschluss"),
        *("abgeschlossenes", "abgeschlossenen", "licence", "licenciatura", "grado", "título"),
        *("titulo", "titulación", "titulacion", "associate", "associates", "associate's"),
        *("two year", "2 year", "bts", "dut", "high school", "ged", "secondary school"),
        *("abitur", "fachabitur", "hochschulreife", "fachhochschulreife", "matura"),
        *("realschulabschluss", "hauptschulabschluss", "mittlere reife", "baccalauréat"),
        *("bachillerato", "a level", "a levels", "gcse", "gcses"),
    ]
)
"""Lower-case words where a degree mention may start; the requirements module decides at each."""

Found = tuple[int, int, str]
"""One match: start and end offsets in the lower-cased text, and the matched text."""


def lower_in_place(text: str) -> str:
    """`text` in lower case, character for character, so that offsets stay valid."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


def trie_pattern(spellings: Iterable[str]) -> str:
    """
    A regex alternation of literal spellings, arranged as a character trie: spellings that share
    a prefix share a branch, and a longer spelling is tried before a shorter one it extends. A
    space matches any run of spaces or hyphens, an apostrophe ' or ’.
    """
    return _trie(dict.fromkeys(spellings, ""))


def _trie(ends: Mapping[str, str]) -> str:
    """`trie_pattern` with, after each spelling, its own closing pattern (`ends[spelling]`)."""
    root: dict[str, Any] = {}
    for spelling, end in ends.items():
        node = root
        for char in spelling:
            node = node.setdefault(char, {})
        node[""] = end
    return _node_pattern(root, root=True)


_INITIALS = "atspowciedfrbmlhyngujvkqxz0123456789"
"""Letters and digits by how often a word of a job description starts with them."""


def _node_pattern(node: Mapping[str, Any], *, root: bool = False) -> str:
    """
    The alternation for a trie node: longer branches before the end of a spelling.

    The root's branches are ordered by how often a word starts with their letter, because the
    regex engine tries a node's branches one by one at every word start, and most words never get
    past the first letter: trying "a", "t", "s" first saves a fifth of the whole scan. Letters and
    digits are single characters that no other branch can match, so their order changes nothing
    else; every other branch keeps its sorted place after them.
    """
    chars = sorted(char for char in node if char)
    if root:
        chars.sort(key=lambda char: _INITIALS.index(char) if char in _INITIALS else len(_INITIALS))
    branches = [_char_pattern(char) + _node_pattern(node[char]) for char in chars]
    if "" in node:
        branches.append(node[""])
    if len(branches) == 1:
        return str(branches[0])
    return "(?:" + "|".join(branches) + ")"


def _char_pattern(char: str) -> str:
    if char == " ":
        return r"[\s\-]+"
    if char == "'":
        return "['’]"
    return re.escape(char)


class WordList(NamedTuple):
    """A list of words to find and what must follow one."""

    spellings: frozenset[str]
    """Lower case, words apart by single spaces: a space stands for any run of spaces and
    hyphens, an apostrophe for ' or ’ (so no spelling holds a hyphen or ’ itself)."""
    boundary: str
    """A lookahead that must hold after a spelling, such as ``(?![\\w+#@])``."""

    def pattern(self) -> re.Pattern[str]:
        """The list's own pattern: a word start, the spelling as group 1, the boundary."""
        return re.compile(f"{WORD_START}({trie_pattern(self.spellings)}){self.boundary}")


class WordPass:
    """Two word lists found in one pass; `scan` gives each list its own matches (module docs)."""

    __slots__ = ("_merged", "_recheck", "_second", "_shared", "patterns")

    def __init__(self, first: WordList, second: WordList) -> None:
        for spelling in (*first.spellings, *second.spellings):
            if spelling != _normal(spelling):
                raise ValueError(f"spelling {spelling!r} is not in its lookup form")
        self.patterns = (first.pattern(), second.pattern())
        """Each list's own pattern, as `WordList.pattern` compiles it."""
        self._shared = first.spellings & second.spellings
        """Spellings in both lists: at their matches both lists are re-run."""
        ends = {
            **dict.fromkeys(first.spellings, first.boundary),
            **dict.fromkeys(second.spellings, second.boundary),
            **dict.fromkeys(self._shared, f"(?:{first.boundary}|{second.boundary})"),
        }
        self._merged = re.compile(f"{WORD_START}({_trie(ends)})")
        self._second = second.spellings
        self._recheck = (_overlapping(second, first), _overlapping(first, second))
        """For each list, the other list's spellings at whose matches it must be re-run."""

    def scan(self, lowered: str) -> tuple[list[Found], list[Found]]:
        """
        Each list's matches in lower-cased text, as its own pattern's ``finditer`` over
        ``" " + lowered`` finds them, with offsets into `lowered`.
        """
        padded = " " + lowered
        found: tuple[list[Found], list[Found]] = ([], [])
        resume = [0, 0]  # where each list's own scan would go on, in `padded`
        for match in self._merged.finditer(padded):
            start, end = match.span()
            matched = match.group(1)
            key = matched if SEPARATORS.isdisjoint(matched) else _normal(matched)
            if key in self._shared:
                for index in (0, 1):
                    self._rescan(index, padded, max(start, resume[index]), end, found, resume)
                continue
            own = 1 if key in self._second else 0
            if start >= resume[own]:
                found[own].append((start, end - 1, matched))
                resume[own] = end
            elif resume[own] < end:
                self._rescan(own, padded, resume[own], end, found, resume)
            other = 1 - own
            if key in self._recheck[other]:
                self._rescan(other, padded, max(start, resume[other]), end, found, resume)
        return found

    def _rescan(
        self,
        index: int,
        padded: str,
        low: int,
        high: int,
        found: tuple[list[Found], list[Found]],
        resume: list[int],
    ) -> None:
        """Run one list's own pattern at the word starts in [low, high) its scan would try."""
        pattern = self.patterns[index]
        for position in range(low, high):
            if position < resume[index] or padded[position] not in _STARTS:
                continue
            match = pattern.match(padded, position)
            if match is not None:
                found[index].append((position, match.end() - 1, match.group(1)))
                resume[index] = match.end()


def _normal(matched: str) -> str:
    """The spelling a matched text stands for: runs of spaces and hyphens one space, ’ as '."""
    return " ".join(matched.replace("’", "'").replace("-", " ").split())


# --- Which spellings may overlap -----------------------------------------------------------------

_RUN = _WHITESPACE + "-"
"""The characters a space in a spelling matches."""


def _atoms(spelling: str) -> tuple[str, ...]:
    """A spelling as what each of its characters matches: a set of characters, as a string."""
    return tuple(_RUN if char == " " else "'’" if char == "'" else char for char in spelling)


def _allows(boundary: str) -> Callable[[str], bool]:
    """A test of whether a boundary accepts one of an atom's characters after a spelling."""
    lookahead = re.compile(boundary)
    return lambda atom: any(lookahead.match(char) is not None for char in atom)


def _overlapping(words: WordList, others: WordList) -> frozenset[str]:
    """
    The spellings of `words` at whose matches one of `others` may also match: at the same word
    start or at a word start inside the matched text, as far as the spellings' characters and
    boundaries allow (a conservative test: it may name a spelling that never overlaps in fact).
    """
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for other in others.spellings:
        atoms = _atoms(other)
        for char in set(atoms[0]):
            by_first.setdefault(char, []).append(atoms)
    every = [_atoms(other) for other in others.spellings]
    word_allows, other_allows = _allows(words.boundary), _allows(others.boundary)
    overlapping = set()
    for spelling in words.spellings:
        atoms = _atoms(spelling)
        for rest in _inner_starts(atoms):
            candidates = (
                every if not rest else [o for char in set(rest[0]) for o in by_first.get(char, ())]
            )
            if any(_may_match_both(rest, other, word_allows, other_allows) for other in candidates):
                overlapping.add(spelling)
                break
    return frozenset(overlapping)


def _inner_starts(atoms: tuple[str, ...]) -> list[tuple[str, ...]]:
    """What a spelling's text holds after each word start within it, its own start included."""
    rests = [atoms]
    for index, atom in enumerate(atoms):
        if _STARTS.isdisjoint(atom):
            continue
        rests.append(atoms[index + 1 :])
        if atom == _RUN:
            rests.append(atoms[index:])  # a word start in the middle of a run of spaces
    return rests


def _may_match_both(
    rest: tuple[str, ...],
    other: tuple[str, ...],
    rest_allows: Callable[[str], bool],
    other_allows: Callable[[str], bool],
) -> bool:
    """
    Whether `other` could match where a text holding `rest` (the end of a matched spelling, then
    a character its boundary accepts) starts.
    """
    for index in range(min(len(rest), len(other))):
        mine, theirs = rest[index], other[index]
        if mine == theirs:
            continue
        return not set(mine).isdisjoint(theirs)  # a run against a hyphen: too close to call
    if len(rest) == len(other):
        return True
    if len(rest) < len(other):
        return rest_allows(other[len(rest)])
    return other_allows(rest[len(other)])

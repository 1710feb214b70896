"""
Description HTML: sanitised HTML for storage and display, and readable text.

Job descriptions come from employers' rich-text editors by way of ATS APIs, so they hold whatever
an editor pasted: inline styles, tracking attributes, now and then a script or an iframe, and in
Greenhouse's case the whole fragment entity-escaped once more (``&lt;p&gt;...``).

- `sanitise_html` keeps the structure that carries meaning (headings, paragraphs, lists, links,
  emphasis, simple tables) and drops everything that can run code or restyle a page. It uses nh3
  (ammonia: an allow-list sanitiser on html5ever, which parses as browsers do), because only an
  allow-list applied to a browser-grade parse stays safe against markup nobody thought of.
- `text_lines` reads a description once into `TextLine` records: the text of each heading,
  paragraph line and list item, with what kind of line it is. `html_to_text` lays these out as
  plain text and `crawler.normalise.sections` classifies them, so one parse serves both (the
  result is cached for the handful of strings in flight). The reading is lxml's C parser and one
  recursive walk of its tree; layout is decided per element, never by regexes over the whole text,
  because on this scale a Python regex pass over a 10 KB description costs as much as the parse.
  Measured alternatives: lxml's event-target parser (Python callbacks per event) was slower than
  the tree walk, and html-text costs several times as much and does not mark list items.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, NamedTuple

import nh3
from lxml import etree

__all__ = ["TextLine", "html_to_text", "sanitise_html", "text_lines"]

_ALLOWED_TAGS = frozenset(
    {
        *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span", "blockquote"),
        *("ul", "ol", "li", "dl", "dt", "dd"),
        *("a", "strong", "b", "em", "i", "u", "sub", "sup", "code", "pre"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
    }
)
"""Tags that carry a description's meaning. ``div`` and ``span`` stay (without attributes)
because editors, Lever's in particular, build paragraphs from ``div``s; dropping them would run
paragraphs together."""

_CONTENT_DROPPED_TAGS = frozenset(
    {
        *("script", "style", "iframe", "noscript", "template", "object", "embed"),
        *("textarea", "select", "title", "noembed", "noframes", "xmp", "plaintext"),
    }
)
"""Tags whose content goes with them. Browsers read the content of most of these as raw text, so
keeping it would show markup such as an iframe's fallback ``<script>`` as visible text."""

_CLEANER = nh3.Cleaner(
    tags=set(_ALLOWED_TAGS),
    clean_content_tags=set(_CONTENT_DROPPED_TAGS),
    attributes={"a": {"href"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel="nofollow noopener",
    strip_comments=True,
)

_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
"""C0 controls other than tab, newline and carriage return: invalid in HTML. Deleting them from
UTF-8 bytes is safe (they never occur inside a multi-byte sequence) and far cheaper than a regex
over the text."""

_ESCAPES = (
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", '"'),
    ("&#34;", '"'),
    ("&#39;", "'"),
    ("&#x27;", "'"),
    ("&amp;", "&"),
)
_REAL_TAG = re.compile(r"<[a-zA-Z!/]")
_ESCAPED_TAG = re.compile(r"&lt;/?[a-zA-Z]")
_VISIBLE_TEXT = re.compile(r"(?:^|>)(?:\s|&nbsp;)*(?:[^\s<&]|&(?!nbsp;))")
"""Finds the first character a reader would see in nh3's output, where a ``<`` in text is always
escaped and a no-break space is always written ``&nbsp;``. It stops at the first hit, so it costs
little on real descriptions."""


def _unescape_if_escaped(html: str) -> str:
    """
    Undo one level of entity-escaping when a whole fragment arrived escaped.

    Greenhouse sends ``content`` as ``&lt;p&gt;...&lt;/p&gt;``. The test is strict, no real tag
    and at least one escaped one, so that a description merely quoting ``&lt;b&gt;`` stays as it
    is. Escaping of this kind replaces only ``& < > " '``, so replacing exactly those back is the
    whole inverse (``&amp;`` last, so ``&amp;lt;`` stays text), and it costs a tenth of
    ``html.unescape``, which decodes every entity of a 10 KB fragment through Python. Entities of
    the original HTML, such as Greenhouse's ``&amp;nbsp;``, come out as the ``&nbsp;`` meant.
    """
    if _REAL_TAG.search(html) is None and _ESCAPED_TAG.search(html) is not None:
        for escaped, character in _ESCAPES:
            html = html.replace(escaped, character)
    return html


def _utf8_source(html: str) -> bytes:
    """
    The fragment as UTF-8 bytes without control characters, unescaped if it came escaped.

    Encoding with "replace" also disposes of lone surrogates, which a JSON string can carry as an
    escape and which neither nh3 nor lxml accept.
    """
    return _unescape_if_escaped(html).encode("utf-8", "replace").translate(None, _CONTROL_BYTES)


def sanitise_html(html: str | None) -> str | None:
    """Safe, meaning-keeping HTML; None when nothing a reader would see is left."""
    if not html:
        return None
    cleaned: str = _CLEANER.clean(_utf8_source(html).decode("utf-8")).strip()
    if _VISIBLE_TEXT.search(cleaned) is None:
        return None
    return cleaned


LineKind = Literal["heading", "item", "text"]


class TextLine(NamedTuple):
    """One line of a description's text, as a reader sees it."""

    text: str
    """The line's words, whitespace collapsed, entities decoded."""
    kind: LineKind
    """``heading`` inside h1-h6, ``item`` for a list item, ``text`` otherwise."""
    depth: int
    """List nesting of an item (1 for a top-level list); 0 for other lines."""
    bold: bool
    """All of the line's visible text is inside ``<strong>`` or ``<b>``: a heading by emphasis."""
    new_block: bool
    """The line starts a new block (paragraph, heading, list); false after a ``<br>``."""


def html_to_text(html: str | None) -> str | None:
    """Readable text: blocks split by a blank line, list items on their own "- " lines."""
    if not html:
        return None
    rendered: list[str] = []
    for line in text_lines(html):
        if rendered:
            rendered.append("\n\n" if line.new_block else "\n")
        if line.kind == "item":
            rendered.append("  " * (line.depth - 1) + "- ")
        rendered.append(line.text)
    return "".join(rendered) or None


@lru_cache(maxsize=8)
def text_lines(html: str) -> tuple[TextLine, ...]:
    """
    The description's lines in reading order.

    Cached because `html_to_text` and `split_sections` read the same sanitised string one after
    the other; the records are immutable, so sharing them is safe.
    """
    source = _utf8_source(html)
    if not source.strip():
        return ()
    root = etree.fromstring(source, _new_parser())
    if root is None:
        return ()
    reader = _LineReader()
    reader.visit(root)
    reader.end_line(new_block=True)
    return tuple(reader.lines)


def _new_parser() -> etree.HTMLParser:
    """
    A parser for one call: lxml parsers must not be shared between threads, and one costs under a
    microsecond to make.

    It reads UTF-8 bytes: a ``str`` with an XML encoding declaration would make lxml raise, and a
    declared encoding means a stray ``<meta charset>`` in a description changes nothing.
    """
    return etree.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True
    )


# What an element does to the line structure; elements without a role are inline. Plain ints
# rather than an Enum: member access on a 3.11 Enum made the whole walk a third slower.
_SKIP, _BOLD, _ITEM, _LIST, _HEADING, _BLOCK, _LINE, _BREAK, _CELL = range(9)

_ROLES: dict[object, int] = {
    **dict.fromkeys(_CONTENT_DROPPED_TAGS | {"head", "svg", "math"}, _SKIP),
    **dict.fromkeys(("strong", "b"), _BOLD),
    "li": _ITEM,
    **dict.fromkeys(("ul", "ol"), _LIST),
    **dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), _HEADING),
    **dict.fromkeys(
        (
            *("p", "div", "blockquote", "pre", "hr", "dl", "table", "caption", "section"),
            *("article", "header", "footer", "main", "aside", "nav", "figure", "figcaption"),
            *("address", "form", "fieldset"),
        ),
        _BLOCK,
    ),
    **dict.fromkeys(("tr", "dt", "dd"), _LINE),
    "br": _BREAK,
    **dict.fromkeys(("td", "th"), _CELL),
}


class _LineReader:
    """
    Walks an lxml tree once, depth first, and collects its `TextLine` records.

    Inside a list item, blocks and ``<br>`` (editors often wrap each item in a ``<p>``) only
    separate words, so that each item stays one line; a list inside a list, in an item or, as some
    editors write it, directly, starts lines rather than blocks.
    """

    __slots__ = (
        "_bold",
        "_headings",
        "_item_depths",
        "_lists",
        "_new_block",
        "_plain_words",
        "_words",
        "lines",
    )

    def __init__(self) -> None:
        self.lines: list[TextLine] = []
        self._words: list[str] = []
        self._plain_words: list[str] = []  # the line's text outside <strong>/<b>
        self._new_block = True
        self._item_depths: list[int] = []
        self._bold = 0
        self._headings = 0
        self._lists = 0

    def visit(self, element: etree._Element) -> None:
        role = _ROLES.get(element.tag)
        if role == _SKIP:
            return
        if role is not None:
            self._open(role)
        text = element.text
        if text:
            self._words.append(text)
            if not self._bold:
                self._plain_words.append(text)
        for child in element:
            self.visit(child)
            tail = child.tail
            if tail:
                self._words.append(tail)
                if not self._bold:
                    self._plain_words.append(tail)
        if role is not None:
            self._close(role)

    def end_line(self, *, new_block: bool) -> None:
        text = _collapse_whitespace("".join(self._words)) if self._words else ""
        if text:
            self.lines.append(self._line(text))
            self._new_block = new_block
            self._words = []
            self._plain_words = []
        elif new_block:
            self._new_block = True

    def _open(self, role: int) -> None:
        if role == _BOLD:
            self._bold += 1
        elif role == _ITEM:
            self.end_line(new_block=False)
            self._item_depths.append(max(self._lists, 1))
        elif role == _LIST:
            self.end_line(new_block=self._lists == 0)
            self._lists += 1
        elif role == _HEADING:
            self.end_line(new_block=True)
            self._headings += 1
        elif role == _BREAK:
            self._line_break()
        else:
            self._break(role)

    def _close(self, role: int) -> None:
        if role == _BOLD:
            self._bold -= 1
        elif role == _ITEM:
            self.end_line(new_block=False)
            self._item_depths.pop()
        elif role == _LIST:
            self._lists -= 1
            self.end_line(new_block=self._lists == 0)
        elif role == _HEADING:
            self.end_line(new_block=True)
            self._headings -= 1
        elif role == _CELL:
            self._words.append(" ")
        else:
            self._break(role)

    def _line_break(self) -> None:
        """
        A ``<br>``: inside an item only a space, like a block; elsewhere the end of a line, and
        when it ends an empty line (``<br><br>``) the end of a block, as it looks.
        """
        if self._item_depths:
            self._words.append(" ")
        else:
            self.end_line(new_block=not "".join(self._words).strip())

    def _break(self, role: int) -> None:
        """End the line at a block or line boundary; inside an item a block only adds a space."""
        if role == _LINE:
            self.end_line(new_block=False)
        elif role == _BLOCK:
            if self._item_depths:
                self._words.append(" ")
            else:
                self.end_line(new_block=True)

    def _line(self, text: str) -> TextLine:
        bold = not "".join(self._plain_words).strip()
        if self._headings:
            return TextLine(text, "heading", 0, bold, self._new_block)
        if self._item_depths:
            return TextLine(text, "item", self._item_depths[-1], bold, self._new_block)
        return TextLine(text, "text", 0, bold, self._new_block)


def _collapse_whitespace(text: str) -> str:
    """
    Runs of whitespace as single spaces, ends trimmed.

    Most lines of a sanitised description are ASCII with single spaces already; skipping the
    split-and-join for those halves the cost of this step, which is a large share of the walk.
    """
    if (
        text.isascii()
        and "  " not in text
        and "\n" not in text
        and "\t" not in text
        and "\r" not in text
    ):
        return text.strip()
    return " ".join(text.split())

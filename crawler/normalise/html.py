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
  plain text and `crawler.normalise.sections` classifies them, so one reading serves both (the
  result is cached for the handful of strings in flight). Layout is decided per element, never by
  regexes over the whole text. What `sanitise_html` writes is nearly always in a simple form
  (allowed tags properly nested, four entities) for which libxml2 builds exactly the tree the tags
  spell out; such markup is split at its tags with one regex and read as it stands, which costs
  less than lxml's parse alone. Anything else (tables, misnested tags, markup from elsewhere) is
  parsed by lxml and its tree read the same way. Measured alternatives: lxml's event-target parser
  (Python callbacks per event) and a recursive walk of lxml's tree were slower, and html-text
  costs several times as much and does not mark list items.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal, NamedTuple

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
    source = _unescape_if_escaped(html)
    if not _kept_as_is(source):  # else `_utf8_source` would change nothing but the type
        source = _utf8_source(html).decode("utf-8")
    cleaned: str = _CLEANER.clean(source).strip()
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


_new_line = tuple.__new__
"""Makes a `TextLine` from a tuple in C, without the named tuple's Python-level constructor."""


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

    Markup in the simple form that `sanitise_html` writes for nearly every description is read as
    it stands; anything else is parsed with lxml first (see `_read_tokens`). Cached because
    `html_to_text` and `split_sections` read the same sanitised string one after the other; the
    records are immutable, so sharing them is safe.
    """
    lines = _simple_lines(html)
    if lines is None:
        source = _utf8_source(html)
        if not source.strip():
            return ()
        root = etree.fromstring(source, _new_parser())
        if root is None:
            return ()
        lines = _read_tokens(*_tree_tokens(root), strict=False)
    return tuple(lines or ())


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

_OPEN, _CLOSE, _EMPTY = range(3)

# What a tag does to the line being read, from its element's role and whether it opens or
# closes it: one code per case, so that the reading dispatches on one integer, the most common
# cases first. An empty element of the simple form (<br>, <hr>) opens and closes at once.
(
    _NOTHING,
    _TO_BOLD,
    _FROM_BOLD,
    _BLOCK_EDGE,
    _LINE_BREAK_TAG,
    _ITEM_START,
    _ITEM_END,
    _LIST_START,
    _LIST_END,
    _HEADING_START,
    _HEADING_END,
    _LINE_EDGE,
    _CELL_END,
    _SKIP_START,
    _THE_END,
) = range(15)


def _action(role: int | None, kind: int) -> int:
    """The action code of a tag (see above)."""
    opening, closing = kind != _CLOSE, kind != _OPEN  # an empty element is both
    if role == _BOLD:
        return _TO_BOLD if opening else _FROM_BOLD
    if role == _BLOCK:
        return _BLOCK_EDGE  # the same at both ends; an empty block's second end changes nothing
    if role == _BREAK:
        return _LINE_BREAK_TAG if opening else _NOTHING
    if role == _ITEM:
        return _ITEM_START if opening else _ITEM_END
    if role == _LIST:
        return _LIST_START if opening else _LIST_END
    if role == _HEADING:
        return _HEADING_START if opening else _HEADING_END
    if role == _LINE:
        return _LINE_EDGE
    if role == _CELL:
        return _CELL_END if closing else _NOTHING
    if role == _SKIP:
        return _SKIP_START if kind == _OPEN else _NOTHING
    return _NOTHING


Frame = tuple[str, int]
"""An open element of the simple form: its closing tag and the categories it may hold."""
TagInfo = tuple[int, int, int, Frame | None]
"""A tag's action code, whether it opens, closes or is empty, and for the simple form its
category and the frame it opens."""

_TREE_TAGS: dict[tuple[int | None, int], TagInfo] = {
    (role, kind): (_action(role, kind), kind, 0, None)
    for role in (None, *_ROLES.values())
    for kind in (_OPEN, _CLOSE)
}

# The simple form. An element's category says where it may stand, and what it holds says which
# categories may stand in it.
_BLOCK_ELEMENT, _LIST_ITEM, _INLINE, _ANCHOR, _LINE_BREAK, _RULE = (1 << bit for bit in range(6))
_PHRASE = _INLINE | _ANCHOR | _LINE_BREAK
"""What paragraphs, headings and inline elements may hold."""
_CONTAINER = _BLOCK_ELEMENT | _LIST_ITEM | _PHRASE | _RULE
"""What the top level, ``div``, ``blockquote``, ``ul`` and ``ol`` may hold."""
_SIMPLE_ELEMENTS: dict[str, tuple[int, int]] = {
    **dict.fromkeys(("div", "blockquote", "ul", "ol"), (_BLOCK_ELEMENT, _CONTAINER)),
    **dict.fromkeys(("p", "h1", "h2", "h3", "h4", "h5", "h6"), (_BLOCK_ELEMENT, _PHRASE)),
    "li": (_LIST_ITEM, _CONTAINER & ~_LIST_ITEM),
    **dict.fromkeys(
        ("span", "strong", "b", "em", "i", "u", "code", "sub", "sup"), (_INLINE, _PHRASE)
    ),
    "a": (_ANCHOR, _PHRASE & ~_ANCHOR),
    "br": (_LINE_BREAK, 0),
    "hr": (_RULE, 0),
}
"""Element name -> (category, categories it may hold; 0 for an empty element). For markup that
keeps to these rules libxml2 builds exactly the tree its tags spell out: it closes no element
early, implies none and keeps all white space (the tests check each pair against lxml). It
would close an ``li`` or an ``a`` for the same element directly inside. Real descriptions need
the latitude: Lever writes ``<ul><div><li>``, Workable puts lists in lists."""

_TAG = re.compile(r"(<[^<>]*>)")
"""A tag, as the separator for `re.split`: texts come out at even indexes, tags at odd ones."""
_SIMPLE_TAG = re.compile(r'<(/?)([a-z][a-z0-9]*)((?: [a-z]+="[^"]*")*)>')
_SIMPLE_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|nbsp|quot);)")
"""An entity other than those that `sanitise_html` writes, which `_unescape_text` decodes."""


def _simple_lines(html: str) -> list[TextLine] | None:
    """The lines of markup in the simple form, read as it stands; None for any other markup."""
    if not _kept_as_is(html) or _SIMPLE_ENTITY.search(html) is not None:
        return None
    parts = _TAG.split(html)
    tags = len(parts) // 2
    if html.count("<") != tags or html.count(">") != tags:
        return None  # a bare "<" or ">" in the text
    parts.append("")  # the end, after the last text
    return _read_tokens(parts[::2], parts[1::2], strict=True)


def _kept_as_is(html: str) -> bool:
    """
    Whether `_utf8_source` would leave `html` as it is (no lone surrogate, no control character,
    no escaped fragment) and libxml2 would read its characters as they are (no carriage return).
    Encoding and deleting bytes is several times cheaper than a character class searched over
    the text.
    """
    try:
        source = html.encode("utf-8")
    except UnicodeEncodeError:
        return False
    if len(source.translate(None, _CONTROL_BYTES)) != len(source) or b"\r" in source:
        return False
    return _REAL_TAG.search(html) is not None or _ESCAPED_TAG.search(html) is None


@lru_cache(maxsize=512)
def _tag_info(tag: str) -> TagInfo | None:
    """What a tag of the simple form is; None for a tag outside it."""
    simple = _SIMPLE_TAG.fullmatch(tag)
    if simple is None:
        return None
    closing, name, attributes = simple.groups()
    category, holds = _SIMPLE_ELEMENTS.get(name, (0, 0))
    if not category or (attributes and name != "a"):
        return None
    role = _ROLES.get(name)
    if closing:
        return None if not holds else (_action(role, _CLOSE), _CLOSE, category, None)
    if not holds:
        return _action(role, _EMPTY), _EMPTY, category, None
    return _action(role, _OPEN), _OPEN, category, (f"</{name}>", holds)


_END: TagInfo = (_THE_END, _CLOSE, 0, None)
"""The mark after the last text."""
_SIMPLE_TAGS: dict[str, TagInfo] = {
    "": _END,
    **{
        tag: info
        for name in _SIMPLE_ELEMENTS
        for tag in (f"<{name}>", f"</{name}>")
        if (info := _tag_info(tag)) is not None
    },
}
"""The tags of the simple form without attributes, looked up without a call."""


def _unescape_text(text: str) -> str:
    """Text of the simple form with its entities (`_SIMPLE_ENTITY`) decoded."""
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\xa0")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
    )


def _tree_tokens(root: etree._Element) -> tuple[list[str], list[TagInfo]]:
    """An lxml tree as `_read_tokens` reads it: its texts, and its tags between them."""
    texts = [""]
    tags: list[TagInfo] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            tags.append(_TREE_TAGS[_ROLES.get(element.tag), _OPEN])
            texts.append(element.text or "")
        else:
            tags.append(_TREE_TAGS[_ROLES.get(element.tag), _CLOSE])
            texts.append(element.tail or "")
    tags.append(_END)
    return texts, tags


def _read_tokens(
    texts: Sequence[str], tags: Sequence[Any], *, strict: bool
) -> list[TextLine] | None:
    """
    The `TextLine` records of a description given as its texts and the tags between them
    (``texts[i]`` comes before ``tags[i]``, the last text after the last tag).

    Inside a list item, blocks and ``<br>`` (editors often wrap each item in a ``<p>``) only
    separate words, so that each item stays one line; a list inside a list, in an item or, as some
    editors write it, directly, starts lines rather than blocks.

    With `strict`, the tags are markup as `sanitise_html` writes it and the texts are still
    escaped; the reading gives None as soon as the markup leaves the simple form
    (`_SIMPLE_ELEMENTS`), and the caller parses it with lxml instead, which gives `TagInfo`
    tags and plain texts (`_tree_tokens`). One loop with the line being read in local variables,
    dispatching on one action code per tag, is the cheapest reading found: a recursive reader of
    lxml's tree with a method per role cost a third more, plus the parse, which alone costs about
    half as much as this loop and which the simple form does without.
    """
    lines: list[TextLine] = []
    words: list[str] = []  # the line being read
    plain = False  # some of its visible text is outside <strong>/<b>
    new_block = True  # it starts a new block (false after a <br>)
    item_depths: list[int] = []
    bold = headings = lists = 0
    skipped = 0  # depth inside an element whose content is not text
    frames: list[Frame] = [("", _CONTAINER)]  # strict: the open elements

    def end_line(next_new_block: bool) -> None:
        """Close the line being read, if it has words; the next one starts a block or not."""
        nonlocal words, plain, new_block
        if words:
            text = _collapse_whitespace("".join(words))
            if text:
                if headings:
                    line = (text, "heading", 0, not plain, new_block)
                elif item_depths:
                    line = (text, "item", item_depths[-1], not plain, new_block)
                else:
                    line = (text, "text", 0, not plain, new_block)
                lines.append(_new_line(TextLine, line))
                new_block = next_new_block
                words = []
                plain = False
                return
        if next_new_block:
            new_block = True

    infos = _SIMPLE_TAGS if strict else None
    for text, tag in zip(texts, tags, strict=True):
        if text and not skipped:
            if strict and "&" in text:
                text = _unescape_text(text)
            if not text.isspace():
                words.append(text)
                if not bold:
                    plain = True
            elif words:
                words.append(text)
        if infos is None:
            info = tag
        else:
            info = infos.get(tag) or _tag_info(tag)
            if info is None:
                return None
        action, kind, category, frame = info
        if action == _THE_END:
            break
        if strict:
            if frame is not None:
                if not category & frames[-1][1]:
                    return None
                frames.append(frame)
            elif kind == _CLOSE:
                if frames.pop()[0] != tag:
                    return None
            elif not category & frames[-1][1]:
                return None
        elif skipped:
            skipped += 1 if kind == _OPEN else -1
            continue
        if action == _NOTHING:
            pass
        elif action == _BLOCK_EDGE:
            if item_depths:
                words.append(" ")
            else:
                end_line(True)
        elif action == _TO_BOLD:
            bold += 1
        elif action == _FROM_BOLD:
            bold -= 1
        elif action == _ITEM_START:
            end_line(False)
            item_depths.append(lists or 1)
        elif action == _ITEM_END:
            end_line(False)
            item_depths.pop()
        elif action == _LINE_BREAK_TAG:
            if item_depths:
                words.append(" ")
            else:
                # a <br> that ends an empty line (<br><br>) ends a block, as it looks
                end_line(not "".join(words).strip())
        elif action == _LIST_START:
            end_line(lists == 0)
            lists += 1
        elif action == _LIST_END:
            lists -= 1
            end_line(lists == 0)
        elif action == _HEADING_START:
            end_line(True)
            headings += 1
        elif action == _HEADING_END:
            end_line(True)
            headings -= 1
        elif action == _LINE_EDGE:
            end_line(False)
        elif action == _CELL_END:
            words.append(" ")
        else:  # _SKIP_START
            skipped = 1
    if len(frames) != 1:
        return None
    end_line(True)
    return lines


_UNEVEN_SPACE = re.compile(r"[^\S ]|  ")
"""White space that is not a single space; ``\\s`` is exactly what `str.split` splits on."""


def _collapse_whitespace(text: str) -> str:
    """
    Runs of whitespace as single spaces, ends trimmed.

    Most lines of a sanitised description have single spaces already; skipping the
    split-and-join for those halves the cost of this step, which is a large share of the walk.
    For ASCII text a few substring tests tell; otherwise one search for any white space other
    than a lone space, since splitting text with non-ASCII characters is slow.
    """
    if text.isascii():
        if "  " in text or "\n" in text or "\t" in text or "\r" in text:
            return " ".join(text.split())
        return text.strip()
    if _UNEVEN_SPACE.search(text) is None:
        return text.strip()
    return " ".join(text.split())

"""Tests for crawler.normalise.html: sanitised description HTML and its plain-text rendering."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from crawler.normalise.html import (
    _CONTAINER,
    _SIMPLE_ELEMENTS,
    TextLine,
    _new_parser,
    _read_tokens,
    _simple_lines,
    _tree_tokens,
    _utf8_source,
    html_to_text,
    sanitise_html,
    text_lines,
)

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "normalise" / "html.json").read_text(encoding="utf-8")
)["cases"]

ALLOWED_SCHEMES = ("http:", "https:", "mailto:")
FORBIDDEN_TAGS = {
    *("script", "style", "iframe", "object", "embed", "form", "img", "svg", "math", "input"),
    *("link", "meta", "base", "frame", "frameset", "textarea", "button", "video", "audio"),
}


def assert_safe(output: str | None) -> None:
    """
    The output, read as a browser reads it, runs nothing: no forbidden element, no event handler
    or style attribute, no link with a scheme other than http, https or mailto.
    """
    if output is None:
        return
    assert re.search(r"<\s*script", output, re.IGNORECASE) is None
    for tag in re.findall(r"<[a-zA-Z][^>]*>", output):
        unescaped = html.unescape(tag)
        assert re.search(r"\son[a-z]+\s*=", unescaped, re.IGNORECASE) is None, tag
        assert re.search(r"\sstyle\s*=", unescaped, re.IGNORECASE) is None, tag
    root = etree.fromstring(f"<div>{output}</div>", etree.HTMLParser())
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in FORBIDDEN_TAGS, element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            if name == "href":
                scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                assert scheme.startswith(ALLOWED_SCHEMES), value


# --- table cases from real descriptions -------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_sanitise_real_description(case: dict[str, Any]) -> None:
    assert sanitise_html(case["input"]) == case["sanitised"]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_text_of_real_description(case: dict[str, Any]) -> None:
    assert html_to_text(case["sanitised"]) == case["text"]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_real_descriptions_are_safe(case: dict[str, Any]) -> None:
    assert_safe(sanitise_html(case["input"]))


# --- sanitise_html ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [None, "", "   \n\t", "<p></p>", "<p>&nbsp;</p>", "<script>alert(1)</script>", "<br><hr>"],
)
def test_nothing_visible_gives_none(raw: str | None) -> None:
    assert sanitise_html(raw) is None


HOSTILE = [
    ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
    ("<SCRIPT>alert(1)</SCRIPT><p>ok</p>", "<p>ok</p>"),
    ("<ScRiPt src=//evil.example/x.js></sCrIpT><p>ok</p>", "<p>ok</p>"),
    ("<div><script><script>alert(1)</script></script>ok</div>", "<div>ok</div>"),
    ("<p>ok<script>alert(1)", "<p>ok</p>"),
    ("<img src=x onerror=alert(1)><p>ok</p>", "<p>ok</p>"),
    (
        '<a href="javascript:alert(1)">x</a>',
        '<a rel="nofollow noopener">x</a>',
    ),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="nofollow noopener">x</a>'),
    ('<a href=" javascript:alert(1)">x</a>', '<a rel="nofollow noopener">x</a>'),
    ('<a href="java\tscript:alert(1)">x</a>', '<a rel="nofollow noopener">x</a>'),
    ('<a href="javascript&#58;alert(1)">x</a>', '<a rel="nofollow noopener">x</a>'),
    ('<a href="&#106;avascript:alert(1)">x</a>', '<a rel="nofollow noopener">x</a>'),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', '<a rel="nofollow noopener">x</a>'),
    ('<a href="vbscript:msgbox(1)">x</a>', '<a rel="nofollow noopener">x</a>'),
    ('<a href="/apply">x</a>', '<a rel="nofollow noopener">x</a>'),
    (
        '<a href="https://example.com/jobs" onclick="steal()" target="_blank">x</a>',
        '<a href="https://example.com/jobs" rel="nofollow noopener">x</a>',
    ),
    (
        '<a href="mailto:jobs@example.com" rel="tag">mail</a>',
        '<a href="mailto:jobs@example.com" rel="nofollow noopener">mail</a>',
    ),
    ("<svg onload=alert(1)><circle r=1 /></svg><p>ok</p>", "<p>ok</p>"),
    ("<svg><script>alert(1)</script></svg><p>ok</p>", "<p>ok</p>"),
    ("<style>p{display:none}</style><p>ok</p>", "<p>ok</p>"),
    ('<p style="position:fixed" class="x" id="y">ok</p>', "<p>ok</p>"),
    ('<iframe src="https://evil.example"><script>alert(1)</script></iframe><p>ok</p>', "<p>ok</p>"),
    ('<object data="x.swf">fallback</object><embed src="x.swf"><p>ok</p>', "<p>ok</p>"),
    ('<form action="https://evil.example"><input name="q">Apply</form>', "Apply"),
    ("<p><b>bold<p>next", "<p><b>bold</b></p><p><b>next</b></p>"),
    ("<ul><li>one<li>two</ul>", "<ul><li>one</li><li>two</li></ul>"),
    ("<p>a\x00b\x01c</p>", "<p>abc</p>"),
    ("<p>lone \ud800 surrogate</p>", "<p>lone ? surrogate</p>"),
    ("<!-- <script>alert(1)</script> --><p>ok</p>", "<p>ok</p>"),
    ("<p>Use the &lt;b&gt; tag</p>", "<p>Use the &lt;b&gt; tag</p>"),
]


@pytest.mark.parametrize(("raw", "expected"), HOSTILE)
def test_hostile_html(raw: str, expected: str) -> None:
    cleaned = sanitise_html(raw)
    assert cleaned == expected
    assert_safe(cleaned)


def test_greenhouse_escaped_content_is_unescaped_once() -> None:
    gong = next(case for case in CASES if case["id"].startswith("candidatezero_gong"))
    assert gong["input"].startswith("&lt;div&gt;&lt;p&gt;")
    cleaned = sanitise_html(gong["input"])
    assert cleaned is not None
    assert cleaned.startswith("<div><p>Trimmed for fixture.</p>")
    assert "Education &amp; learning stipend.&nbsp;</p>" in cleaned  # &amp;nbsp; meant &nbsp;
    assert "&lt;" not in cleaned


def test_escaped_hostile_content_is_cleaned_after_unescaping() -> None:
    raw = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;p onclick=&quot;x()&quot;&gt;hi&lt;/p&gt;"
    assert sanitise_html(raw) == "<p>hi</p>"


def test_text_quoting_markup_is_not_unescaped() -> None:
    assert sanitise_html("Wrap names in &lt;b&gt;; see <b>this</b>") == (
        "Wrap names in &lt;b&gt;; see <b>this</b>"
    )


def test_mixed_scripts_are_kept() -> None:
    raw = "<p>日本語の求人 · Ελληνικά · العربية · русский · हिन्दी · 한국어</p>"
    assert sanitise_html(raw) == raw


def test_two_megabyte_input() -> None:
    paragraph = "<p>Build <b>reliable</b> systems &amp; <a href='https://example.com'>ship</a>.</p>"
    raw = paragraph * (2_000_000 // len(paragraph)) + "<script>alert(1)</script>"
    cleaned = sanitise_html(raw)
    assert cleaned is not None
    assert cleaned.count("<p>") == 2_000_000 // len(paragraph)
    assert "script" not in cleaned
    text = html_to_text(cleaned)
    assert text is not None
    assert text.startswith("Build reliable systems & ship.\n\nBuild")


# --- html_to_text -------------------------------------------------------------------------------


def test_text_layout() -> None:
    raw = (
        "<h2>About&nbsp;us</h2><p>We build   tools.\nReally.</p>"
        "<p><strong>Requirements:</strong></p>"
        "<ul><li><p>Python</p></li><li>SQL<ul><li>Postgres</li><li>SQLite<ol><li>WAL</li></ol>"
        "</li></ul></li></ul>"
        "<p>Line one<br>line two<br><br>new block</p>"
        "<table><tr><th>Level</th><th>Pay</th></tr><tr><td>L3</td><td>$1</td></tr></table>"
        "<p>caf&eacute; &amp; r&#233;sum&#xe9;</p>"
    )
    assert html_to_text(raw) == (
        "About us\n\n"
        "We build tools. Really.\n\n"
        "Requirements:\n\n"
        "- Python\n"
        "- SQL\n"
        "  - Postgres\n"
        "  - SQLite\n"
        "    - WAL\n\n"
        "Line one\nline two\n\nnew block\n\n"
        "Level Pay\nL3 $1\n\n"
        "café & résumé"
    )


def test_text_skips_script_style_and_comments() -> None:
    raw = "<p>a</p><script>var x = 1;</script><style>p{}</style><!-- hidden --><p>b</p>"
    assert html_to_text(raw) == "a\n\nb"


@pytest.mark.parametrize("raw", [None, "", "  ", "<p> </p>", "<script>x()</script>", "<br>"])
def test_text_of_nothing_is_none(raw: str | None) -> None:
    assert html_to_text(raw) is None


def test_text_reads_escaped_greenhouse_content() -> None:
    gong = next(case for case in CASES if case["id"].startswith("candidatezero_gong"))
    assert html_to_text(gong["input"]) == gong["text"]


def test_text_lines_mark_kinds_and_bold() -> None:
    lines = text_lines("<h3>Benefits</h3><p><b>Perks:</b>&nbsp;</p><p><b>Pay</b> is good</p>")
    assert [(line.text, line.kind, line.bold) for line in lines] == [
        ("Benefits", "heading", False),
        ("Perks:", "text", True),
        ("Pay is good", "text", False),
    ]


# --- properties ---------------------------------------------------------------------------------

HOSTILE_PIECES = [
    "<script>",
    "</script>",
    "<SCRIPT SRC=//x>",
    "<scr<script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">',
    '<a href="JaVaScRiPt:alert(1)">',
    '<a href=" javascript:alert(1)">',
    '<a href="javascript&#58;alert(1)">',
    '<a href="&#x6A;avascript:alert(1)">',
    '<a href="data:text/html,<script>alert(1)</script>">',
    '<a href="https://example.com/?q=1">',
    "</a>",
    "<svg onload=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>",
    "<style>*{}</style>",
    "<iframe src=javascript:alert(1)>",
    '<p style="x" onmouseover="alert(1)">',
    "<p>",
    "</p>",
    "<ul><li>",
    "</li></ul>",
    "<b>",
    "<h2>",
    "<br>",
    "<!--",
    "-->",
    "&lt;p&gt;",
    "&amp;nbsp;",
    "&#0;",
    "\x00",
    '"',
    "'",
    ">",
    "<",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(HOSTILE_PIECES) | st.text(max_size=8), max_size=30))
def test_sanitised_output_is_always_safe(pieces: list[str]) -> None:
    assert_safe(sanitise_html("".join(pieces)))


@settings(max_examples=300, deadline=None)
@given(st.text() | st.binary().map(lambda data: data.decode("latin-1")))
def test_any_text_gives_str_or_none(raw: str) -> None:
    cleaned = sanitise_html(raw)
    assert cleaned is None or (isinstance(cleaned, str) and cleaned.strip() == cleaned != "")
    text = html_to_text(raw)
    assert text is None or (isinstance(text, str) and text.strip() == text != "")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(HOSTILE_PIECES) | st.text(max_size=12), max_size=30))
def test_text_layout_is_tidy(pieces: list[str]) -> None:
    text = html_to_text("".join(pieces))
    if text is None:
        return
    assert "\n\n\n" not in text
    for line in text.split("\n"):
        assert line == line.rstrip()
        assert "  " not in line.lstrip(" ")


# --- the simple form, read without lxml -----------------------------------------------------------

_EMPTY_ELEMENTS = [name for name, (_, holds) in _SIMPLE_ELEMENTS.items() if not holds]
_HOLDING_ELEMENTS = [name for name, (_, holds) in _SIMPLE_ELEMENTS.items() if holds]


def lxml_lines(markup: str) -> tuple[TextLine, ...]:
    """The lines of markup as read after lxml's parse, which the simple reading must equal."""
    source = _utf8_source(markup)
    root = etree.fromstring(source, _new_parser()) if source.strip() else None
    if root is None:
        return ()
    return tuple(_read_tokens(*_tree_tokens(root), strict=False) or ())


def _child_markup(name: str) -> tuple[str, str]:
    """A child element as written and as lxml serialises it back."""
    if name in _EMPTY_ELEMENTS:
        return f"<{name}>", f"<{name}/>"
    return f"<{name}>y</{name}>", f"<{name}>y</{name}>"


@pytest.mark.parametrize("parent", [None, *_HOLDING_ELEMENTS])
def test_libxml2_builds_the_simple_form_as_written(parent: str | None) -> None:
    """
    Every child the simple form allows in every parent, between texts and white space, comes
    back from lxml's parse exactly as written: nothing closed early, implied or dropped.
    """
    holds = _SIMPLE_ELEMENTS[parent][1] if parent else _CONTAINER
    children = [name for name, (category, _) in _SIMPLE_ELEMENTS.items() if category & holds]
    assert children
    for child in children:
        written, serialised = _child_markup(child)
        inner = f"x {written} \n{written}z"
        expected = f"x {serialised} \n{serialised}z"
        if parent is not None:
            inner, expected = f"<{parent}>{inner}</{parent}>", f"<{parent}>{expected}</{parent}>"
        root = etree.fromstring(inner.encode(), _new_parser())
        body = etree.tostring(root, encoding=str).removeprefix("<html><body>")
        assert body.removesuffix("</body></html>") == expected, (parent, child)
        assert _simple_lines(inner) is not None


_SIMPLE_TEXTS = st.sampled_from(
    [
        *("", " ", "\n", "  \n ", "Python", "Requirements:", "About us", "•", "1.", "e.g.", "İ"),
        *("a &amp; b", "&lt;b&gt;", "&nbsp;x&nbsp;", "x&quot;y", "&amp;nbsp;", "ü\u2009ß", "\xa0"),
    ]
)


@st.composite
def _simple_content(draw: st.DrawFn, holds: int, depth: int) -> str:
    """Markup that keeps to the simple form inside an element that holds `holds`."""
    names = [name for name, (category, _) in _SIMPLE_ELEMENTS.items() if category & holds]
    parts = []
    for _ in range(draw(st.integers(0, 3 if depth < 4 else 1))):
        parts.append(draw(_SIMPLE_TEXTS))
        name = draw(st.sampled_from(names))
        inner_holds = _SIMPLE_ELEMENTS[name][1]
        if not inner_holds:
            parts.append(f"<{name}>")
            continue
        attributes = ' href="https://example.com/?a=1&amp;b=2" rel="nofollow noopener"'
        start = f"<{name}{attributes if name == 'a' and draw(st.booleans()) else ''}>"
        parts.append(start + draw(_simple_content(inner_holds, depth + 1)) + f"</{name}>")
    parts.append(draw(_SIMPLE_TEXTS))
    return "".join(parts)


@given(_simple_content(_CONTAINER, 0), _simple_content(_CONTAINER, 1))
@settings(max_examples=500, deadline=None)
def test_simple_markup_reads_as_lxml_reads_it(top: str, inner: str) -> None:
    markup = f"{top}<div>{inner}</div>"  # one real tag at least, or it might be read unescaped
    lines = _simple_lines(markup)
    assert lines is not None
    assert tuple(lines) == lxml_lines(markup)
    text_lines.cache_clear()
    assert text_lines(markup) == lxml_lines(markup)


@pytest.mark.parametrize(
    "markup",
    [
        "<b><p>x</p></b>",  # libxml2 closes the <b> first
        "<ul><li>a<li>b</li></li></ul>",
        "<p>a<li>b</li></p>",
        "<a href='x'>a<a>b</a></a>",
        "<p>caf&eacute;</p>",
        "<p>&#233;</p>",
        "<p>a < b</p>",
        "<p>a > b</p>",
        "<p>a\r\nb</p>",
        "<p>a\x01b</p>",
        "<p>a\ud800b</p>",
        "<P>upper</P>",
        "<p>a<br/>b</p>",
        "<p>open",
        "<p>x</p></div>",
        "<table><tr><td>a</td><td>b</td></tr></table>",
        "<pre>\n code</pre>",
        "<p>x<script>y</script>z</p>",
        "&lt;p&gt;escaped&lt;/p&gt;",
    ],
)
def test_other_markup_is_read_after_lxml_parses_it(markup: str) -> None:
    assert _simple_lines(markup) is None
    text_lines.cache_clear()
    assert text_lines(markup) == lxml_lines(markup)

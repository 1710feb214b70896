"""
schema.org `JobPosting` in HTML pages, read with extruct, and a fallback for pages without it.

Google for Jobs made `JobPosting` markup common on careers sites, so one reader covers most of them.
Markup comes in three syntaxes: JSON-LD (`<script type="application/ld+json">`: one object, an
array, an `@graph`, several blocks per page), microdata (`itemscope`/`itemprop`) and RDFa
(`typeof`/`property`). Each JSON-LD block is read on its own, so invalid JSON in one block (common:
a template that forgot to escape a quote) does not hide the others; microdata and RDFa are read only
on pages that use them, since RDFa is by far the slowest. Every syntax is brought to one shape: a
dict per node with schema.org property names, `@id` references resolved, and RDFa's
`{"@value": ...}` wrappers gone.

A page without `JobPosting` markup is still a job page when it looks like one (it has a title and an
apply link or button); its posting then comes from the page's title, meta tags and main text, and
the page reports that in its `problems` as a lower-confidence reading. Any other page is not a job
page (`NotAJobPageError`).
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import extruct
import lxml.etree
import lxml.html
from extruct.jsonld import JsonLdExtractor
from parsel import Selector
from scrapy.http import TextResponse

from crawler.items import RawPosting
from crawler.sources import SourceBase
from spiders.base import NotAJobError, first_line

MAX_DEPTH = 24
"""How deep nested markup is followed; hostile pages nest objects thousands deep."""

FALLBACK_PROBLEM = "no JobPosting markup: read from the page's title, meta tags and main text"
"""The `problems` line that flags a posting read without markup (lower confidence)."""

_SCHEMA_PREFIX = re.compile(r"^(?:https?://schema\.org/|schema:)", re.I)
_LD_JSON = (
    "//script[contains(translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',"
    " 'abcdefghijklmnopqrstuvwxyz'), 'ld+json')]"
)
_PLACEHOLDERS = frozenset({"", "unavailable", "n/a", "na", "none", "null", "-", "tbd", "undefined"})
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_TAG = re.compile(r"</?[a-z][^>]*>", re.I)
MAX_APPLY_TARGETS = 3
"""A job page has one apply target, or a few (apply here, with LinkedIn, by e-mail)."""
_APPLY_WORDS = re.compile(
    r"\b(?:apply|bewerb\w*|postuler|candidat\w*|solicit\w*|aplicar|solliciteer\w*|ans[öo]k\w*)\b",
    re.I,
)
_BOILERPLATE = (
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg",
    "iframe", "button",
)  # fmt: skip


class NotAJobPageError(NotAJobError):
    """The page has no `JobPosting` markup and nothing that makes it look like a job page."""


@dataclass(slots=True)
class Markup:
    """The `JobPosting` nodes on one page, in document order, and what could not be read."""

    postings: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    organisation: str | None = None
    """The name of the page's one `Organization` node: the employer when a posting names none."""
    description_html: list[str | None] = field(default_factory=list)
    """Per posting: the description's HTML where the syntax gives only its text (microdata, RDFa)."""


# -- reading the markup ---------------------------------------------------------------------------


def read_markup(response: TextResponse, base_url: str) -> Markup:
    """Every `JobPosting` in JSON-LD, microdata and RDFa on the page; `base_url` resolves links."""
    selector = response.selector
    markup = Markup()
    items = _json_ld_items(selector, markup.problems)
    for syntax, marker in (("microdata", "//*[@itemscope]"), ("rdfa", "//*[@typeof]")):
        if selector.xpath(marker):
            items.extend(_other_syntax(response, base_url, syntax, markup.problems))
    nodes = _nodes_by_id(items)
    markup.organisation = _page_organisation(items)
    seen: set[str] = set()
    for node in _job_nodes(items, nodes):
        key = json.dumps(node, sort_keys=True, default=str)
        if key in seen:  # the same posting in two syntaxes, or referenced twice
            continue
        seen.add(key)
        markup.postings.append(node)
        markup.description_html.append(_description_element_html(selector, node))
    return markup


def _page_organisation(items: list[Any]) -> str | None:
    """The name of the only top-level `Organization` (or `Corporation`) node, if exactly one."""
    top = [
        n for item in items if isinstance(item, dict) for n in [item, *_values(item.get("@graph"))]
    ]
    names = {
        _text(n.get("name"))
        for n in top
        if isinstance(n, dict) and {"Organization", "Corporation"} & set(types_of(n))
    }
    names.discard(None)
    return names.pop() if len(names) == 1 else None


def _json_ld_items(selector: Selector, problems: list[str]) -> list[Any]:
    """The items of every JSON-LD block; a block that does not parse is one problem line."""
    extractor = JsonLdExtractor()
    items: list[Any] = []
    for number, script in enumerate(selector.xpath(_LD_JSON), start=1):
        # A fresh element with the standard type, so `type="application/ld+json; charset=utf-8"`
        # and upper-case spellings are read too, without touching the response's tree.
        block = lxml.etree.Element("script", type="application/ld+json")
        block.text = script.root.xpath("string()")
        try:
            items.extend(extractor.extract_items(block))
        except (ValueError, TypeError, RecursionError) as exc:
            problems.append(f"JSON-LD block {number}: {first_line(exc)}")
    return items


def _other_syntax(
    response: TextResponse, base_url: str, syntax: str, problems: list[str]
) -> list[Any]:
    try:
        found = extruct.extract(
            response.body,
            base_url=base_url,
            encoding=response.encoding,
            syntaxes=[syntax],
            uniform=True,
        )
    except Exception as exc:  # extruct raises whatever its parsers raise (rdflib, lxml)
        problems.append(f"{syntax}: {first_line(exc)}")
        return []
    result: list[Any] = found.get(syntax, [])
    return result


def _nodes_by_id(items: list[Any]) -> dict[str, dict[str, Any]]:
    """Every node that has an `@id` and says more than its id, for resolving references."""
    nodes: dict[str, dict[str, Any]] = {}
    for node in _walk(items, 0):
        node_id = node.get("@id")
        if isinstance(node_id, str) and len(node) > 1:
            nodes.setdefault(node_id, node)
    return nodes


def _walk(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk(child, depth + 1)
    elif isinstance(value, list):
        for child in value:
            yield from _walk(child, depth + 1)


def _job_nodes(items: list[Any], nodes: dict[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in _walk(items, 0):
        if "JobPosting" in types_of(node):
            yield compact(node, nodes, frozenset(), 0)


def types_of(node: dict[str, Any]) -> list[str]:
    """`@type` as local names: "JobPosting" for "http://schema.org/JobPosting" or "schema:JobPosting"."""
    return [_SCHEMA_PREFIX.sub("", t) for t in _values(node.get("@type")) if isinstance(t, str)]


def compact(
    value: Any, nodes: dict[str, dict[str, Any]], resolving: frozenset[str], depth: int
) -> Any:
    """
    One node with schema.org local property names, references resolved and `@value`s unwrapped.

    `resolving` holds the ids being resolved on the way here, so a cycle of references ends.
    """
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, list):
        return [compact(v, nodes, resolving, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    if "@value" in value:
        return value["@value"]
    node_id = value.get("@id")
    if isinstance(node_id, str) and set(value) == {"@id"}:
        if node_id in resolving or node_id not in nodes:
            return value
        value, resolving = nodes[node_id], resolving | {node_id}
    result: dict[str, Any] = {}
    for key, item in value.items():
        if key == "@type":
            names = types_of(value)
            result[key] = names[0] if isinstance(item, str) and names else names
        elif key == "@id" and isinstance(item, str) and item.startswith("_:"):
            continue  # a blank node's id is new on every parse: it would look like a change
        elif key.startswith("@"):
            result[key] = item
        else:
            result[_SCHEMA_PREFIX.sub("", key)] = compact(item, nodes, resolving, depth + 1)
    return result


def _description_element_html(selector: Selector, node: dict[str, Any]) -> str | None:
    """
    The HTML of the element that carries a microdata or RDFa description.

    Those syntaxes give the description as text only; the element whose text is that text is the
    one to take the paragraphs and lists from.
    """
    text = _text(node.get("description"))
    if not text or "<" in text:
        return None
    wanted = "".join(text.split())  # RDFa joins the texts of sibling elements without spaces
    query = "//*[@itemprop or @property][not(self::meta)]"
    for element in selector.xpath(query):
        names = f"{element.attrib.get('itemprop', '')} {element.attrib.get('property', '')}"
        is_description = any(_SCHEMA_PREFIX.sub("", n) == "description" for n in names.split())
        if is_description and "".join("".join(element.root.itertext()).split()) == wanted:
            return inner_html(element.root).strip()
    return None


# -- mapping a JobPosting node --------------------------------------------------------------------


def posting_from_node(
    node: dict[str, Any],
    *,
    source: SourceBase,
    source_id: str,
    url: str,
    language: str | None,
    description_html: str | None = None,
    organisation: str | None = None,
) -> RawPosting:
    """
    A compacted `JobPosting` node as a raw posting of the job page at `url`.

    `organisation` is the employer when the node names no `hiringOrganization` (some pages put the
    `Organization` in a block of its own).
    """
    title = _text(node.get("title")) or _text(node.get("name"))
    if not title:
        raise ValueError("title: missing")
    places = [p for p in (_place_text(v) for v in _values(node.get("jobLocation"))) if p]
    applicants = [
        a for a in (_area_name(v) for v in _values(node.get("applicantLocationRequirements"))) if a
    ]
    texts = places + applicants
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=source_id,
        url=url,
        apply_url=url if _true(node.get("directApply")) else None,
        title=plain_text(title),
        company=source.company or _organisation(node.get("hiringOrganization")) or organisation,
        location_raw=texts[0] if texts else None,
        locations_raw=texts if len(texts) > 1 else [],
        remote_raw=_location_type(node.get("jobLocationType")),
        employment_type_raw=[
            v.strip()
            for v in _values(node.get("employmentType"))
            if isinstance(v, str) and v.strip()
        ],
        **_salary(node.get("baseSalary")),
        date_posted_raw=_date(node.get("datePosted")),
        valid_through_raw=_date(node.get("validThrough")),
        description_html=description_html or description_as_html(node.get("description")),
        requisition_id=_identifier(node.get("identifier")),
        language=_text(node.get("inLanguage")) or language,
    )


def plain_text(text: str) -> str:
    """
    Text that should be plain (a title), with entities decoded and any markup taken out.

    Titles in markup are text, yet some pages escape them or leave tags in; a `<script>` there is
    removed with its content rather than kept as text that a careless reader could run.
    """
    text = html.unescape(text)
    if not _TAG.search(text):
        return text.strip()
    fragment = lxml.html.fragment_fromstring(text, create_parent="div")
    for junk in fragment.xpath(".//script | .//style"):
        junk.drop_tree()
    return _squash(fragment.text_content())


def description_as_html(value: Any) -> str | None:
    """
    The description as HTML, whatever the page put in the markup.

    Most pages put HTML there; some escape it once more (`&lt;p&gt;`), some write plain text with
    blank lines between paragraphs, which becomes paragraphs so the text keeps its shape.
    """
    text = _text(value)
    if not text:
        return None
    if "<" not in text and re.search(r"&lt;/?[a-z]", text, re.I):
        return html.unescape(text)
    if _TAG.search(text):
        return text
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _place_text(place: Any) -> str | None:
    """The "City, Region, Country" of a `Place` (or a bare address), placeholders left out."""
    if isinstance(place, str):
        return _useful(place)
    if not isinstance(place, dict):
        return None
    address = _first(place.get("address")) if "address" in place else place
    if isinstance(address, str):
        return _useful(address)
    if isinstance(address, dict):
        parts = [
            _useful(_text(address.get("addressLocality"))),
            _useful(_text(address.get("addressRegion"))),
            _area_name(address.get("addressCountry")),
        ]
        joined = ", ".join(p for p in parts if p)
        if joined:
            return joined
    return _useful(_text(place.get("name")))


def _area_name(value: Any) -> str | None:
    """A `Country`, `State` or `AdministrativeArea` (or its name as text)."""
    value = _first(value)
    if isinstance(value, dict):
        return _useful(_text(value.get("name")))
    return _useful(_text(value))


def _organisation(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _location_type(value: Any) -> str | None:
    kinds = [v.strip() for v in _values(value) if isinstance(v, str) and v.strip()]
    if any(_SCHEMA_PREFIX.sub("", k).upper() == "TELECOMMUTE" for k in kinds):
        return "TELECOMMUTE"
    return kinds[0] if kinds else None


def _salary(value: Any) -> dict[str, Any]:
    """RawPosting's salary fields from `baseSalary` (a `MonetaryAmount`, or a bare figure)."""
    value = _first(value)
    if value is None or isinstance(value, bool):
        return {}
    if not isinstance(value, dict):
        return {"salary_raw": _text(value)}
    amount = _first(value.get("value"))
    unit = value.get("unitText")
    if isinstance(amount, dict):
        low, high = _number(amount.get("minValue")), _number(amount.get("maxValue"))
        single = _number(amount.get("value"))
        unit = amount.get("unitText") or unit
    else:
        low = high = None
        single = _number(amount)
    if low is None and high is None:
        low = high = single
    return {
        "salary_min": low,
        "salary_max": high,
        "salary_currency": _text(value.get("currency")),
        "salary_period": _text(unit),
        "salary_raw": json.dumps(value, sort_keys=True, ensure_ascii=False, default=str),
    }


def _date(value: Any) -> str | int | None:
    """A date as given: ISO text, or a number (epoch seconds or milliseconds) kept a number."""
    value = _first(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _text(value)


def _identifier(value: Any) -> str | None:
    """`identifier`: a `PropertyValue` (its `value`), or the id itself."""
    value = _first(value)
    if isinstance(value, dict):
        return _text(value.get("value")) or _text(value.get("name"))
    return _text(value)


def _number(value: Any) -> float | None:
    value = _first(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        digits = re.sub(r"[,\s]", "", value)
        return float(digits) if _NUMBER.match(digits) else None
    return None


def _true(value: Any) -> bool:
    value = _first(value)
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return [v for v in value if v is not None] if isinstance(value, list) else [value]


def _first(value: Any) -> Any:
    values = _values(value)
    return values[0] if values else None


def _text(value: Any) -> str | None:
    """The first value as stripped text: strings and numbers; None for anything else or empty."""
    value = _first(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _useful(text: str | None) -> str | None:
    """The text unless it is a placeholder ("UNAVAILABLE", "N/A")."""
    if text is None or text.strip().casefold() in _PLACEHOLDERS:
        return None
    return text.strip()


# -- pages without markup -------------------------------------------------------------------------


def page_language(selector: Selector) -> str | None:
    """The page's language: `<html lang>`, else its `Content-Language` meta tag."""
    lang = (
        selector.xpath("/html/@lang").get()
        or selector.xpath(
            "//meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')='content-language']/@content"
        ).get()
    )
    return lang.strip() or None if lang else None


def apply_targets(selector: Selector) -> set[str]:
    """Where the page's apply links, buttons and forms lead ("" for a button without a target)."""
    targets = set()
    for control in selector.xpath("//a | //button | //input[@type='submit'] | //form"):
        target = control.attrib.get("href") or control.attrib.get("action") or ""
        words = " ".join(
            [
                _squash(" ".join(control.root.itertext())),
                control.attrib.get("value", ""),
                control.attrib.get("aria-label", ""),
                target,
            ]
        )
        if _APPLY_WORDS.search(words.replace("/", " ").replace("-", " ")):
            targets.add(target.strip())
    return targets


def page_title(selector: Selector) -> str | None:
    """The job title as the page shows it: its `<h1>`, a job-title element, og:title, `<title>`."""
    candidates = [
        "//h1",
        "//*[contains(@class, 'title') and (contains(@class, 'job')"
        " or contains(@class, 'posting') or contains(@class, 'position'))]",
    ]
    for query in candidates:
        for element in selector.xpath(query):
            text = _squash(" ".join(element.root.itertext()))
            if text:
                return text
    for query in ("//meta[@property='og:title']/@content", "//title/text()"):
        text = _squash(selector.xpath(query).get() or "")
        if text:
            return text
    return None


def main_html(selector: Selector) -> str | None:
    """The page's main content as HTML, without navigation, headers, footers, scripts or forms."""
    for query in ("//main", "//*[@role='main']", "//article", "//body"):
        found = selector.xpath(query)
        if found:
            element = copy.deepcopy(found[0].root)
            for junk in element.xpath(" | ".join(f".//{tag}" for tag in _BOILERPLATE)):
                junk.drop_tree()
            content = inner_html(element).strip()
            if _squash(" ".join(element.itertext())):
                return content
    return None


def fallback_posting(
    selector: Selector, *, source: SourceBase, source_id: str, url: str
) -> RawPosting:
    """
    A posting from a page without markup; raises `NotAJobPageError` for a page that is not one.

    Such a page is a job page when it has a title and one to `MAX_APPLY_TARGETS` apply targets;
    more make it a list of jobs with an apply button each.
    """
    title = page_title(selector)
    if title is None or not 0 < len(apply_targets(selector)) <= MAX_APPLY_TARGETS:
        raise NotAJobPageError(
            "not a job page: no JobPosting markup, and no title with one to three apply links"
        )
    meta_description = selector.xpath(
        "//meta[@name='description' or @property='og:description']/@content"
    ).get()
    published = selector.xpath(
        "//meta[@property='article:published_time' or @name='date' or @name='dc.date']/@content"
    ).get()
    return RawPosting(
        source=source.kind,
        source_key=source.key,
        source_id=source_id,
        url=url,
        title=title,
        company=source.company or selector.xpath("//meta[@property='og:site_name']/@content").get(),
        date_posted_raw=published,
        description_html=main_html(selector) or description_as_html(meta_description),
        language=page_language(selector),
    )


def inner_html(element: lxml.html.HtmlElement) -> str:
    """The element's content as HTML, without the element's own tag."""
    parts = [html.escape(element.text)] if element.text else []
    parts.extend(lxml.html.tostring(child, encoding="unicode", with_tail=True) for child in element)
    return "".join(parts)


def _squash(text: str) -> str:
    return " ".join(text.split())

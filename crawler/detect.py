"""
Which ATS board a URL or a careers page points at, as a sources-file entry.

`detect_url` reads one URL (a board, a job posting, an embed or an API URL of a family jobcrawl
crawls) and returns the entry that crawls that board. `scan_page` reads a careers page's HTML and
applies `detect_url` to every link, frame, script and form in it, to the URLs inside its inline
scripts, and to the embed settings that name a board without a URL (Lever's `leverJobsOptions`, the
SmartRecruiters widget's `company_code`). Every entry returned has passed
`crawler.config.parse_source`, so it can be pasted into a sources file as it is.

The page is parsed as HTML (parsel); regular expressions only ever read one URL, one attribute value
or one inline script. Nothing here touches the network: `jobcrawl detect --fetch` downloads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from parsel import Selector

from crawler.config import parse_source
from crawler.errors import ConfigError

Entry = dict[str, str]
"""A sources-file entry: `kind` first, then the fields that name the board."""

EVIDENCE_WIDTH = 200
"""Evidence longer than this is cut, so one huge attribute cannot flood the output."""


# -- one URL --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Url:
    host: str
    path: list[str]
    """Non-empty path segments, percent-decoded."""
    query: dict[str, list[str]]

    def segment(self, index: int) -> str:
        return self.path[index] if index < len(self.path) else ""

    def starts(self, *words: str) -> bool:
        """Whether the path begins with these words, in any case."""
        return [s.lower() for s in self.path[: len(words)]] == list(words)

    def arg(self, name: str) -> str:
        values = self.query.get(name)
        return values[0].strip() if values else ""


_OTHER_SCHEME = re.compile(r"^(?:javascript|mailto|tel|data|about|blob|file|ftp):", re.I)


def _split(url: str) -> _Url | None:
    """The host, path and query of an http(s) URL; a URL without a scheme is taken as https."""
    text = re.sub(r"[\t\n\r]", "", url).strip()
    if _OTHER_SCHEME.match(text):
        return None
    if text.startswith("//"):
        text = "https:" + text
    elif "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    path = [unquote(s) for s in parts.path.split("/") if s]
    return _Url(host, path, parse_qs(parts.query))


def _greenhouse(url: _Url) -> Entry | None:
    if url.starts("embed"):  # embed/job_board, embed/job_board/js, embed/job_app: ?for=board
        return {"kind": "greenhouse", "board": url.arg("for")}
    if url.host in _GREENHOUSE_API_HOSTS:
        return (
            {"kind": "greenhouse", "board": url.segment(2)} if url.starts("v1", "boards") else None
        )
    return {"kind": "greenhouse", "board": url.segment(0)}


def _lever(url: _Url) -> Entry | None:
    region = {"region": "eu"} if url.host.endswith(".eu.lever.co") else {}
    if url.host.startswith("api."):
        if not url.starts("v0", "postings"):
            return None
        return {"kind": "lever", "board": url.segment(2), **region}
    return {"kind": "lever", "board": url.segment(0), **region}


def _ashby(url: _Url) -> Entry | None:
    if url.host == "api.ashbyhq.com":
        found = url.starts("posting-api", "job-board")
        return {"kind": "ashby", "board": url.segment(2)} if found else None
    return None if url.starts("api") else {"kind": "ashby", "board": url.segment(0)}


_SMARTRECRUITERS_RESERVED = frozenset({"api", "app", "ni", "sr-jobs", "static"})


def _smartrecruiters(url: _Url) -> Entry | None:
    if url.host == "api.smartrecruiters.com":
        board = url.segment(2) if url.starts("v1", "companies") else ""
    elif url.starts("oneclick-ui", "company"):  # jobs.smartrecruiters.com/oneclick-ui/company/X/...
        board = url.segment(2)
    elif url.segment(0).lower() in _SMARTRECRUITERS_RESERVED:
        board = ""
    else:
        board = url.segment(0)
    return {"kind": "smartrecruiters", "board": board} if board else None


_WORKABLE_RESERVED = frozenset(
    {"api", "app", "apply", "blog", "careers", "help", "jobs", "resources", "status", "www"}
)


def _workable(url: _Url) -> Entry | None:
    if url.host != "apply.workable.com":  # the older {account}.workable.com careers pages
        account = url.host.split(".")[0]
        return None if account in _WORKABLE_RESERVED else {"kind": "workable", "board": account}
    if url.starts("api"):  # api/v1/widget/accounts/X, api/v3/accounts/X/jobs
        lowered = [s.lower() for s in url.path]
        if "accounts" not in lowered:
            return None
        return {"kind": "workable", "board": url.segment(lowered.index("accounts") + 1)}
    if url.starts("j"):  # apply.workable.com/j/SHORTCODE names the job, not the account
        return None
    return {"kind": "workable", "board": url.segment(0)}


_RECRUITEE_RESERVED = frozenset({"api", "app", "blog", "docs", "help", "status", "support", "www"})


def _recruitee(url: _Url) -> Entry | None:
    company = url.host.split(".")[0]
    return None if company in _RECRUITEE_RESERVED else {"kind": "recruitee", "board": company}


def _personio(url: _Url) -> Entry | None:
    labels = url.host.split(".")
    domain = {"domain": "com"} if labels[-1] == "com" else {}
    return {"kind": "personio", "board": labels[0], **domain}


_LOCALE = re.compile(r"^[a-z]{2}(?:-[A-Za-z]{2})?$")


def _workday_path(url: _Url) -> list[str]:
    """The path without its locale (`/en-US/External/job/...` → `External/job/...`)."""
    return url.path[1:] if url.path and _LOCALE.match(url.path[0]) else url.path


def _workday(url: _Url) -> Entry | None:
    path = _workday_path(url)
    if [s.lower() for s in path[:2]] == [
        "wday",
        "cxs",
    ]:  # the CXS API: wday/cxs/{tenant}/{site}/...
        site = path[3] if len(path) > 3 else ""
    else:
        site = path[0] if path and path[0].lower() != "wday" else ""
    return {"kind": "workday", "url": f"https://{url.host}/{site}"} if site else None


def _workday_site(url: _Url) -> Entry | None:
    """`wd5.myworkdaysite.com/recruiting/{tenant}/{site}`: the tenant is in the path, not the host."""
    path = _workday_path(url)
    words = [s.lower() for s in path[:2]]
    if words == ["wday", "cxs"] and len(path) > 3:
        tenant, site = path[2], path[3]
    elif words[:1] == ["recruiting"] and len(path) > 2:
        tenant, site = path[1], path[2]
    else:
        return None
    return {"kind": "workday", "host": url.host, "tenant": tenant, "site": site}


_MICROSOFT_HOSTS = frozenset(
    {"apply.careers.microsoft.com", "jobs.careers.microsoft.com", "careers.microsoft.com"}
)


def _eightfold(url: _Url) -> Entry | None:
    domain = url.arg("domain").lower()
    if url.host in _MICROSOFT_HOSTS:
        return {"kind": "eightfold", "domain": domain or "microsoft.com"}
    if url.host == "www.eightfold.ai":
        return None
    entry = {"kind": "eightfold", "domain": domain}
    if url.host != f"{domain.split('.')[0]}.eightfold.ai":
        entry["host"] = url.host
    return entry


_GREENHOUSE_API_HOSTS = frozenset(
    {"boards-api.greenhouse.io", "boards-api.eu.greenhouse.io", "api.greenhouse.io"}
)
_Handler = Callable[[_Url], Entry | None]
_HOSTS: dict[str, _Handler] = {
    **dict.fromkeys(
        [
            "boards.greenhouse.io",
            "job-boards.greenhouse.io",
            "boards.eu.greenhouse.io",
            "job-boards.eu.greenhouse.io",
            *_GREENHOUSE_API_HOSTS,
        ],
        _greenhouse,
    ),
    **dict.fromkeys(
        ["jobs.lever.co", "jobs.eu.lever.co", "api.lever.co", "api.eu.lever.co"], _lever
    ),
    **dict.fromkeys(["jobs.ashbyhq.com", "api.ashbyhq.com"], _ashby),
    **dict.fromkeys(
        ["careers.smartrecruiters.com", "jobs.smartrecruiters.com", "api.smartrecruiters.com"],
        _smartrecruiters,
    ),
    **dict.fromkeys(_MICROSOFT_HOSTS, _eightfold),
}
_HOST_PATTERNS: list[tuple[re.Pattern[str], _Handler]] = [
    (re.compile(r"[a-z0-9][a-z0-9-]*\.wd\d+\.myworkdayjobs\.com"), _workday),
    (re.compile(r"wd\d+\.myworkdaysite\.com"), _workday_site),
    (re.compile(r"[a-z0-9][a-z0-9-]*\.workable\.com"), _workable),
    (re.compile(r"[a-z0-9][a-z0-9-]*\.recruitee\.com"), _recruitee),
    (re.compile(r"[a-z0-9][a-z0-9-]*\.jobs\.personio\.(?:de|com)"), _personio),
    (re.compile(r"[a-z0-9][a-z0-9-]*\.eightfold\.ai"), _eightfold),
]


def _handler(host: str) -> _Handler | None:
    if host in _HOSTS:
        return _HOSTS[host]
    return next((handler for pattern, handler in _HOST_PATTERNS if pattern.fullmatch(host)), None)


def valid_entry(entry: Entry) -> bool:
    """Whether the entry passes the sources file's own validation."""
    try:
        parse_source(entry)
    except ConfigError:
        return False
    return True


def detect_url(url: str) -> Entry | None:
    """
    The sources-file entry for the ATS board this URL belongs to, or None.

    Any string is accepted: a URL without a scheme is read as https, and anything that is not an
    http(s) URL of a recognised shape, or names a board the sources file would reject, gives None.
    """
    parts = _split(url)
    handler = _handler(parts.host) if parts else None
    entry = handler(parts) if handler and parts else None
    return entry if entry and valid_entry(entry) else None


_FAMILY_DOMAINS = {
    "greenhouse.io": "greenhouse",
    "lever.co": "lever",
    "ashbyhq.com": "ashby",
    "myworkdayjobs.com": "workday",
    "myworkdaysite.com": "workday",
    "smartrecruiters.com": "smartrecruiters",
    "workable.com": "workable",
    "recruitee.com": "recruitee",
    "personio.de": "personio",
    "personio.com": "personio",
    "eightfold.ai": "eightfold",
    "careers.microsoft.com": "eightfold",
}


def ats_family(url: str) -> str | None:
    """The family whose domain the URL is on, whether or not it names a board (for messages)."""
    parts = _split(url)
    if parts is None:
        return None
    return next(
        (
            family
            for domain, family in _FAMILY_DOMAINS.items()
            if parts.host == domain or parts.host.endswith("." + domain)
        ),
        None,
    )


# -- what was found -------------------------------------------------------------------------------


def one_line(text: str) -> str:
    """Text fit for one line of output: control characters become spaces, long text is cut."""
    flat = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text).split())
    return flat if len(flat) <= EVIDENCE_WIDTH else flat[: EVIDENCE_WIDTH - 1] + "…"


@dataclass(slots=True)
class Finding:
    """One board: its sources-file entry and every place it was seen."""

    entry: Entry
    evidence: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return parse_source(self.entry).label


class Findings:
    """
    The distinct boards found, in the order first seen.

    Two entries are the same board when they differ only in letter case (`Acme` and `acme` on
    Greenhouse), so a page that links one board many times yields one finding with all its evidence.
    """

    def __init__(self) -> None:
        self._found: dict[tuple[tuple[str, str], ...], Finding] = {}

    def add(self, entry: Entry, evidence: str) -> None:
        key = tuple(sorted((name, value.lower()) for name, value in entry.items()))
        finding = self._found.setdefault(key, Finding(entry))
        line = one_line(evidence)
        if line not in finding.evidence:
            finding.evidence.append(line)

    def update(self, other: Findings) -> None:
        for finding in other:
            for evidence in finding.evidence:
                self.add(finding.entry, evidence)

    def kinds(self) -> set[str]:
        return {finding.entry["kind"] for finding in self}

    def __iter__(self) -> Iterator[Finding]:
        return iter(self._found.values())

    def __len__(self) -> int:
        return len(self._found)


# -- one page -------------------------------------------------------------------------------------


@dataclass(slots=True)
class PageScan:
    """What a careers page revealed."""

    findings: Findings = field(default_factory=Findings)
    hints: list[str] = field(default_factory=list)
    """One line per ATS URL or embed that names no board, for families with no finding."""
    unresolved: int = 0
    """Relative URLs skipped for want of a base URL."""


_URL_ATTRIBUTES = frozenset(
    {"href", "src", "data-src", "data-href", "data-url", "action", "formaction", "data"}
)
# An absolute or protocol-relative URL inside a script or an attribute such as onclick.
_EMBEDDED_URL = re.compile(
    r"""(?:https?:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d{1,5})?(?:[/?#][^\s"'`<>\\]*)?""", re.I
)
_TRAILING = ").,;:!?]}"
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"]+)", re.I)
_LEVER_ACCOUNT = re.compile(r"""["']?accountName["']?\s*:\s*["']([^"']*)["']""")
_SMARTRECRUITERS_COMPANY = re.compile(r"""["']?company_code["']?\s*:\s*["']([^"']*)["']""")
_WORKABLE_EMBED = re.compile(r"""\bwhr_embed\s*\(\s*["']?([^"',)\s]*)""")


class _Scanner:
    """Collects findings and board-less ATS sightings from one page."""

    def __init__(self, base: str | None) -> None:
        self.base = base
        self.scan = PageScan()
        self.misses: dict[str, str] = {}
        """One line per ATS URL or embed that names no board → its family."""

    def url(self, url: str, evidence: str) -> None:
        entry = detect_url(url)
        if entry is not None:
            self.scan.findings.add(entry, evidence)
        elif family := ats_family(url):
            self.misses.setdefault(
                f"{one_line(evidence)} ({family}, but it names no board)", family
            )

    def resolve(self, raw: str) -> str | None:
        """The absolute URL an attribute value points at; None for a relative one without a base."""
        value = re.sub(r"[\t\n\r]", "", raw).strip()
        if not value or value.startswith("#"):
            return None
        if value.startswith("//") or re.match(r"^https?://", value, re.I):
            return value
        if _OTHER_SCHEME.match(value):
            return None
        if self.base is None:
            self.scan.unresolved += 1
            return None
        try:
            return urljoin(self.base, value)
        except ValueError:
            return None

    def attribute(self, tag: str, name: str, raw: str) -> None:
        where = f'<{tag} {name}="{raw.strip()}">'
        if name in _URL_ATTRIBUTES:
            resolved = self.resolve(raw)
            if resolved is not None:
                shown = where if resolved == raw.strip() else f"{where} = {resolved}"
                self.url(resolved, shown)
            return
        refresh = _REFRESH_URL.search(raw) if name == "content" and tag == "meta" else None
        if refresh:  # <meta http-equiv="refresh" content="0; url=...">
            resolved = self.resolve(refresh.group(1))
            if resolved is not None:
                self.url(resolved, where)
            return
        for match in _EMBEDDED_URL.finditer(raw):  # onclick="location='https://...'", og:url
            self.url(match.group().rstrip(_TRAILING), where)

    def script(self, text: str, smartrecruiters_on_page: bool) -> None:
        code = re.sub(r"\\u002[fF]", "/", text).replace("\\/", "/")
        for match in _EMBEDDED_URL.finditer(code):
            url = match.group().rstrip(_TRAILING)
            self.url(url, f"inline <script>: {url}")
        if "leverJobsOptions" in code:
            for account in _LEVER_ACCOUNT.findall(code):
                self.board({"kind": "lever", "board": account}, "leverJobsOptions.accountName")
        if "company_code" in code and (
            smartrecruiters_on_page or "smartrecruiters" in code.lower()
        ):
            for company in _SMARTRECRUITERS_COMPANY.findall(code):
                self.board({"kind": "smartrecruiters", "board": company}, "widget company_code")
        for account in _WORKABLE_EMBED.findall(code):
            self.misses.setdefault(
                f"inline <script>: whr_embed({one_line(account)}, …): Workable's embed names the "
                "account by its number; the sources file needs the name in its apply.workable.com URL",
                "workable",
            )

    def board(self, entry: Entry, setting: str) -> None:
        evidence = f'inline <script>: {setting} "{entry["board"]}"'
        if valid_entry(entry):
            self.scan.findings.add(entry, evidence)
        else:
            self.misses.setdefault(f"{one_line(evidence)} (not a valid board name)", entry["kind"])

    def result(self) -> PageScan:
        found = self.scan.findings.kinds()
        self.scan.hints = [line for line, family in self.misses.items() if family not in found]
        return self.scan


def _base(page: Selector, base_url: str | None) -> str | None:
    """Where relative links point: the page's `<base href>`, resolved against `base_url`."""
    declared = (page.xpath("//base/@href").get() or "").strip()
    if not declared:
        return base_url
    try:
        joined = urljoin(base_url or "", declared)
    except ValueError:
        return base_url
    return joined if re.match(r"^https?://", joined, re.I) else base_url


def scan_page(html: str, base_url: str | None = None) -> PageScan:
    """
    Every ATS board a careers page embeds or links to, with where each was seen.

    Looks at each element's URL attributes (`href`, `src`, `data-src`, `action`, ...), at absolute
    URLs in its other attributes, at `<meta http-equiv="refresh">`, and inside inline scripts (JSON
    with escaped slashes included). Relative URLs are resolved against the page's `<base href>` or
    `base_url`, and skipped when there is neither. Comments are not read: an embed left commented
    out is not the live board.
    """
    page = Selector(text=html.encode("utf-8", "replace").decode("utf-8"), type="html")
    scanner = _Scanner(_base(page, base_url))
    for element in page.xpath("//*[@*]"):
        tag = str(element.root.tag).lower()
        for name, value in element.root.items():  # not .attrib: it fails on odd attribute names
            scanner.attribute(tag, str(name).lower(), value)
    smartrecruiters = any(
        "smartrecruiters" in src.lower() for src in page.xpath("//script/@src").getall()
    )
    for text in page.xpath("//script/text()").getall():
        scanner.script(text, smartrecruiters)
    return scanner.result()

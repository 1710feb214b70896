"""
The source families' sources-file entries: one pydantic model per `kind`, registered in `SOURCE_KINDS`.

Each model names the board within its family (`key`), the public host its API lives on, and how a
`base_url` replaces that host (EU data centres, mirrors, tests). Spiders receive these models and
nothing else, so a sources-file entry and `scrapy crawl <kind> -a field=value` obey the same rules.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit, urlunsplit

from cssselect import SelectorError
from parsel import Selector
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
BOARD_DOC = "The board's name as in its public URL. Letters, digits, `.`, `_`, `-`."


class SourceBase(BaseModel):
    """Fields every source entry may have."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    company: str | None = None
    """Display name of the employer; overrides what the source says."""
    base_url: str | None = None
    """Replaces the public API host (mirrors, EU data centres, tests), e.g. `http://127.0.0.1:8080`."""

    key_field: ClassVar[str] = "board"
    default_base_url: ClassVar[str]

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def key(self) -> str:
        """The board token, company slug or tenant that tells this board apart within its family."""
        return str(getattr(self, self.key_field))

    @property
    def api_base(self) -> str:
        return self.base_url or self.default_base_url

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.key}"


class BoardSource(SourceBase):
    """A family whose boards are named by one slug, `board`."""

    board: str = Field(pattern=KEY_PATTERN, max_length=200)


class GreenhouseSource(BoardSource):
    """A Greenhouse job board (`boards.greenhouse.io/{board}`), read through the Job Board API."""

    kind: Literal["greenhouse"] = "greenhouse"
    default_base_url: ClassVar[str] = "https://boards-api.greenhouse.io"


class LeverSource(BoardSource):
    """A Lever site (`jobs.lever.co/{board}`), read through the public Postings API."""

    kind: Literal["lever"] = "lever"
    region: Literal["global", "eu"] = "global"
    """`eu` for accounts hosted in Lever's EU data centre (`jobs.eu.lever.co`)."""

    default_base_url: ClassVar[str] = "https://api.lever.co"

    @property
    def api_base(self) -> str:
        if self.base_url:
            return self.base_url
        return "https://api.eu.lever.co" if self.region == "eu" else self.default_base_url


class AshbySource(BoardSource):
    """An Ashby job board (`jobs.ashbyhq.com/{board}`), read through the public Posting API."""

    kind: Literal["ashby"] = "ashby"
    default_base_url: ClassVar[str] = "https://api.ashbyhq.com"


class SmartRecruitersSource(BoardSource):
    """A SmartRecruiters company (`careers.smartrecruiters.com/{board}`), through the Posting API."""

    kind: Literal["smartrecruiters"] = "smartrecruiters"
    default_base_url: ClassVar[str] = "https://api.smartrecruiters.com"


class WorkableSource(BoardSource):
    """A Workable account (`apply.workable.com/{board}`), through its public widget API."""

    kind: Literal["workable"] = "workable"
    default_base_url: ClassVar[str] = "https://apply.workable.com"


class RecruiteeSource(BoardSource):
    """A Recruitee careers site (`{board}.recruitee.com`), through its public offers API."""

    kind: Literal["recruitee"] = "recruitee"
    default_base_url: ClassVar[str] = "https://{board}.recruitee.com"

    @property
    def api_base(self) -> str:
        return self.base_url or self.default_base_url.format(board=self.board)


class PersonioSource(BoardSource):
    """A Personio careers page (`{board}.jobs.personio.de`), through its public XML feed."""

    kind: Literal["personio"] = "personio"
    domain: Literal["de", "com"] = "de"
    """The top-level domain the careers page is on: `jobs.personio.de` or `jobs.personio.com`."""
    language: Literal["de", "en", "fr", "es", "nl", "it", "pt"] | None = None
    """The feed's language (`?language=`); unset, Personio answers in the careers page's default."""

    default_base_url: ClassVar[str] = "https://{board}.jobs.personio.{domain}"

    @property
    def api_base(self) -> str:
        return self.base_url or self.default_base_url.format(board=self.board, domain=self.domain)


_WORKDAY_HOST = re.compile(r"^[a-z0-9][a-z0-9-]*\.wd\d+\.myworkday(?:jobs|site)\.com$", re.I)
_LOCALE = re.compile(r"^[a-z]{2}(?:-[A-Za-z]{2})?$")


class WorkdaySource(SourceBase):
    """
    A Workday career site, read through the CXS JSON API its own pages use.

    Give the public careers URL (`https://acme.wd5.myworkdayjobs.com/en-US/External`), or `host`,
    `tenant` and `site` (`acme.wd5.myworkdayjobs.com`, `acme`, `External`); the URL is split into those.
    """

    kind: Literal["workday"] = "workday"
    url: str | None = None
    """The public careers URL, e.g. `https://acme.wd5.myworkdayjobs.com/en-US/External`."""
    host: str | None = None
    tenant: str | None = Field(default=None, pattern=KEY_PATTERN)
    site: str | None = Field(default=None, pattern=KEY_PATTERN)

    key_field: ClassVar[str] = "board"

    @model_validator(mode="after")
    def _from_url(self) -> WorkdaySource:
        if self.url is not None:
            parts = urlsplit(self.url)
            segments = [s for s in parts.path.split("/") if s]
            if segments and _LOCALE.match(segments[0]):
                segments = segments[1:]
            host = (parts.hostname or "").lower()
            if not _WORKDAY_HOST.match(host) or not segments:
                raise ValueError(
                    "url: expected a Workday careers URL like "
                    "https://acme.wd5.myworkdayjobs.com/en-US/External"
                )
            values = {"host": host, "tenant": host.split(".")[0], "site": segments[0]}
            for name, value in values.items():
                given = getattr(self, name)
                if given is not None and given.lower() != value.lower():
                    raise ValueError(f"{name}: {given!r} disagrees with url ({value!r})")
                object.__setattr__(self, name, given or value)
        missing = [name for name in ("host", "tenant", "site") if not getattr(self, name)]
        if missing:
            raise ValueError(f"{', '.join(missing)}: required (or give url)")
        return self

    @property
    def board(self) -> str:
        """`tenant/site`: what tells this site apart from the tenant's other Workday sites."""
        return f"{self.tenant}/{self.site}"

    @property
    def api_base(self) -> str:
        return self.base_url or f"https://{self.host}"


class EightfoldSource(SourceBase):
    """
    An Eightfold-hosted career site, through the PCSX search API its own pages use.

    `domain` is the employer's domain as Eightfold knows it (`microsoft.com`); `host` is where the
    career site is served (default `{first label of domain}.eightfold.ai`, and
    `apply.careers.microsoft.com` for Microsoft).
    """

    kind: Literal["eightfold"] = "eightfold"
    domain: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$", max_length=200)
    host: str | None = None

    key_field: ClassVar[str] = "domain"
    known_hosts: ClassVar[dict[str, str]] = {"microsoft.com": "apply.careers.microsoft.com"}

    @property
    def api_base(self) -> str:
        if self.base_url:
            return self.base_url
        host = self.host or self.known_hosts.get(self.domain)
        return f"https://{host or self.domain.split('.')[0] + '.eightfold.ai'}"


# -- careers sites read page by page ---------------------------------------------------------------

SelectorKind = Literal["css", "xpath"]
_XPATH_START = ("/", "(", "./")


def selector_query(expression: str) -> tuple[SelectorKind, str]:
    """
    Split a configured selector into its language and query.

    `css:` and `xpath:` prefixes say it outright; otherwise an expression that starts like a path
    (`/`, `./`, `(`) is XPath and anything else CSS, so `h1.title` and `//h1[@class="title"]`
    both work as written.
    """
    for kind in ("css", "xpath"):
        prefix = f"{kind}:"
        if expression.startswith(prefix):
            return ("css" if kind == "css" else "xpath"), expression[len(prefix) :].strip()
    stripped = expression.strip()
    return ("xpath" if stripped.startswith(_XPATH_START) else "css"), stripped


def _valid_selector(expression: str) -> str:
    kind, query = selector_query(expression)
    if not query:
        raise ValueError("empty selector")
    probe = Selector(text="<html><body></body></html>")
    try:
        probe.css(query) if kind == "css" else probe.xpath(query)
    except (SelectorError, ValueError) as exc:
        language = "CSS" if kind == "css" else "XPath"
        raise ValueError(f"invalid {language} selector {expression!r}: {exc}") from exc
    return expression


def _as_list(value: Any) -> Any:
    """One string where a list is expected (`scrapy crawl -a urls=...`) is a list of one."""
    return [value] if isinstance(value, str) else value


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))


class SiteSource(SourceBase):
    """
    A careers site read page by page: what `sitemap`, `jsonld` and `pages` entries share.

    URLs are written as the public site has them; `base_url` replaces the scheme and host of the
    site's URLs when fetching (a mirror, a test server) while postings keep their public URLs.
    """

    urls: list[str] = Field(min_length=1, validation_alias=AliasChoices("urls", "url"))
    """Where the crawl starts, all on one site (`url:` with one address works too)."""
    site: str | None = Field(default=None, pattern=KEY_PATTERN, max_length=200)
    """Tells this site apart in job ids; default: the host name of `urls`."""
    job_urls: list[str] = Field(default_factory=list)
    """Regular expressions; when given, only URLs matching one of them are job pages."""
    id_pattern: str | None = None
    """A regular expression over a job's URL whose first group (or whole match) is the job's id;
    default: the URL's path and query."""
    obey_robots_txt: bool = True
    """False ignores the site's robots.txt for this source only (logged at the start)."""

    key_field: ClassVar[str] = "site"
    default_base_url: ClassVar[str] = ""

    @field_validator("urls", "job_urls", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("http://", "https://")) or not urlsplit(url).hostname:
                raise ValueError(f"{url!r} is not an http:// or https:// URL")
        origins = sorted({_origin(url) for url in urls})
        if len(origins) > 1:
            raise ValueError(f"all on one site, not {', '.join(origins)}")
        return urls

    @field_validator("job_urls")
    @classmethod
    def _patterns(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            _compile(pattern)
        return patterns

    @field_validator("id_pattern")
    @classmethod
    def _id_pattern(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            _compile(pattern)
        return pattern

    @model_validator(mode="after")
    def _default_site(self) -> SiteSource:
        if self.site is None:
            object.__setattr__(self, "site", urlsplit(self.urls[0]).hostname)
        return self

    @property
    def origin(self) -> str:
        """The public site's scheme and host, e.g. `https://careers.acme.com`."""
        return _origin(self.urls[0])

    @property
    def api_base(self) -> str:
        return self.base_url or self.origin

    def on_site(self, url: str) -> bool:
        return _origin(url) == self.origin

    def fetch_url(self, url: str) -> str:
        """Where to fetch a public URL of the site: `base_url` in place of its origin."""
        if not self.base_url or not self.on_site(url):
            return url
        parts = urlsplit(url)
        return self.base_url + urlunsplit(("", "", parts.path or "/", parts.query, ""))

    def public_url(self, url: str) -> str:
        """The public URL of a fetched one (the inverse of `fetch_url`)."""
        base = self.base_url
        if not base or not url.startswith(base) or url[len(base) : len(base) + 1] not in "/?":
            return url
        return self.origin + (url[len(base) :] or "/")


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc


class SitemapSource(SiteSource):
    """A careers site whose job pages are listed in its sitemaps and carry schema.org markup."""

    kind: Literal["sitemap"] = "sitemap"


class JsonLdSource(SiteSource):
    """A careers site whose index pages link to job pages that carry schema.org markup."""

    kind: Literal["jsonld"] = "jsonld"


class PageFields(BaseModel):
    """Selectors for a job page's fields; `title` is required, the rest optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    location: str | None = None
    date: str | None = None
    valid_through: str | None = None
    description: str | None = None
    salary: str | None = None
    employment_type: str | None = None
    department: str | None = None
    apply: str | None = None

    @field_validator("*")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        return None if value is None else _valid_selector(value)


class PagesSource(SiteSource):
    """
    A careers site described by selectors: list pages, their job links, and a job page's fields.

    `render` loads list pages, job pages or both in headless Chromium first, for boards whose jobs
    are written into the page by JavaScript.
    """

    kind: Literal["pages"] = "pages"
    job_link: str
    """Selector of the links (or their `href`s) to job pages on a list page."""
    next_page: str | None = None
    """Selector of the link to the next list page."""
    page_url: str | None = None
    """The address of list page N with `{page}` for N; pages 2, 3, ... follow the first URL."""
    max_pages: int = Field(default=100, ge=1, le=10_000)
    """List pages read at most; a site that has more makes the listing incomplete."""
    fields: PageFields
    render: bool | Literal["list", "detail"] = False
    """`true` renders list and job pages, `list` or `detail` only those."""
    wait_for: str | None = None
    """On a rendered list page, the selector to wait for (default: `job_link`)."""
    render_timeout: float | None = Field(default=None, gt=0, le=300)
    """Seconds a rendered page may take to load and show `wait_for`; default from the settings."""

    @field_validator("job_link", "next_page", "wait_for")
    @classmethod
    def _selectors(cls, value: str | None) -> str | None:
        return None if value is None else _valid_selector(value)

    @field_validator("render", mode="before")
    @classmethod
    def _render_choice(cls, value: Any) -> Any:
        words = {"true": True, "false": False, "list": "list", "detail": "detail"}
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in words:
            return words[value.strip().lower()]
        raise ValueError("must be true, false, list or detail")

    @field_validator("fields", mode="before")
    @classmethod
    def _fields_json(cls, value: Any) -> Any:
        """`scrapy crawl pages -a fields='{"title": "h1"}'` passes the mapping as JSON text."""
        return json.loads(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _paging(self) -> PagesSource:
        if self.page_url is not None:
            if self.next_page is not None:
                raise ValueError("page_url: give either next_page or page_url, not both")
            if "{page}" not in self.page_url:
                raise ValueError("page_url: must contain {page}")
            if not self.on_site(self.page_url):
                raise ValueError(f"page_url: must be on {self.origin}")
        return self

    def renders(self, page: Literal["list", "detail"]) -> bool:
        return self.render is True or self.render == page


SOURCE_KINDS: dict[str, type[SourceBase]] = {
    model.model_fields["kind"].default: model
    for model in (
        GreenhouseSource,
        LeverSource,
        AshbySource,
        WorkdaySource,
        SmartRecruitersSource,
        WorkableSource,
        RecruiteeSource,
        PersonioSource,
        EightfoldSource,
        SitemapSource,
        JsonLdSource,
        PagesSource,
    )
}

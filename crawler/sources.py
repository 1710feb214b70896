"""
The source families' sources-file entries: one pydantic model per `kind`, registered in `SOURCE_KINDS`.

Each model names the board within its family (`key`), the public host its API lives on, and how a
`base_url` replaces that host (EU data centres, mirrors, tests). Spiders receive these models and
nothing else, so a sources-file entry and `scrapy crawl <kind> -a field=value` obey the same rules.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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
    )
}

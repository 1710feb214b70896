"""
What every source spider shares: turning arguments into `Source`s, and knowing when a listing is done.

A spider receives its sources either as `sources=[...]` (from `jobcrawl crawl`) or as `-a` arguments
(from `scrapy crawl greenhouse -a board=acme`); both go through the same pydantic model. For every
source the spider emits exactly one `ListingResult` after its last listing page and its last detail
response: `complete=True` only when every listing page was fetched and parsed, so the lifecycle never
closes a job on a partial listing.

Families whose listing lacks fields (descriptions, dates) name a `Detail` per job; the template fetches
it only when the job is new or its listing `revision` moved since the stored one, so a re-crawl of an
unchanged board costs its listing pages and nothing more. A job whose detail fails is still seen; one
whose detail answers 404/410 (or that `parse_detail` finds "no longer available") is reported as a
`JobGone`, which the lifecycle closes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.config import default_db_path, parse_source
from crawler.errors import ConfigError
from crawler.ids import job_id, listing_revision
from crawler.items import JobGone, ListingResult, RawPosting
from crawler.sources import SourceBase
from crawler.store import open_store

GONE_STATUSES = frozenset({404, 410})
"""Detail statuses that mean the job itself is gone (the lifecycle closes it as `detail_gone`)."""


class JobGoneError(Exception):
    """Raised by a family's `parse_detail` when the page says the job is no longer available."""


class NotAJobError(ValueError):
    """
    Raised by a family's `parse_detail` for a page that is no job posting (a team page that a
    sitemap lists): it is skipped and counted, neither stored nor seen.
    """


def json_body(response: Response) -> Any:
    """
    The response's JSON, read from its bytes (UTF-8, as JSON is sent).

    `json.loads(response.text)` would leave a decoded copy of the body cached on the response for as
    long as Scrapy holds it, which doubles the memory of every big listing page in flight. A body
    that is not UTF-8 is read through Scrapy's decoding (its declared charset).
    """
    try:
        return json.loads(response.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        if not isinstance(response, TextResponse):
            raise
        return json.loads(response.text)


def first_line(text: object) -> str:
    lines = str(text).strip().splitlines()
    return lines[0][:300] if lines else type(text).__name__


@dataclass(slots=True)
class Detail:
    """A listed job whose posting comes from its own detail response."""

    source_id: str
    url: str
    revision: str | None = None
    """The listing's change marker for the job; None means "fetch every time"."""
    listed: RawPosting | None = None
    """What the listing said, for the family's `parse_detail` to complete."""


@dataclass(slots=True)
class ListingPage:
    """What one listing response held."""

    postings: list[RawPosting] = field(default_factory=list)
    unreadable_ids: list[str] = field(default_factory=list)
    """Source ids of entries that are in the listing but could not be extracted: still alive."""
    problems: list[str] = field(default_factory=list)
    """One line per entry or part that could not be read."""
    incomplete: str | None = None
    """Why this page cannot count as a whole listing page (e.g. an entry without an id)."""
    details: list[Detail] = field(default_factory=list)
    """Listed jobs to complete from their detail responses (seen, whether fetched or not)."""


@dataclass(slots=True)
class _ListingState:
    source: SourceBase
    pending: int = 0
    pages: int = 0
    seen_ids: list[str] = field(default_factory=list)
    error: str | None = None
    revisions: dict[str, str] | None = None
    detailed: set[str] = field(default_factory=set)
    unchanged_details: int = 0
    unchanged_postings: int = 0

    def result(self) -> ListingResult:
        return ListingResult(
            source=self.source.kind,
            source_key=self.source.key,
            complete=self.error is None,
            seen_ids=self.seen_ids,
            error=self.error,
            pages=self.pages,
            unchanged_details=self.unchanged_details,
            unchanged_postings=self.unchanged_postings,
        )


def _failure_reason(failure: Failure) -> str:
    """Like "HTTP 500", or the exception's name and first line."""
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    message = str(failure.value).strip()
    name = failure.type.__name__ if failure.type else "error"
    return f"{name}: {first_line(message)}" if message else name


class SourceSpider(scrapy.Spider):
    """A spider for one source family, crawling one or more sources of that family."""

    source_model: ClassVar[type[SourceBase]]

    def __init__(self, sources: Sequence[SourceBase] | None = None, **kwargs: Any) -> None:
        super().__init__()
        if sources is None:
            # `scrapy crawl <family> -a key=value`; scrapyd adds `_job` and friends.
            arguments = {k: v for k, v in kwargs.items() if not k.startswith("_")}
            try:
                sources = [parse_source({"kind": self.name, **arguments})]
            except ConfigError as exc:
                raise ConfigError(f"spider {self.name}: {exc}") from exc
        wrong = [s.label for s in sources if s.kind != self.name]
        if wrong:
            raise ConfigError(f"spider {self.name}: cannot crawl {', '.join(wrong)}")
        self.sources = list(sources)


class ApiSourceSpider(SourceSpider):
    """Template for ATS APIs: a family supplies the first requests, the extractor and pagination."""

    def __init__(self, sources: Sequence[SourceBase] | None = None, **kwargs: Any) -> None:
        super().__init__(sources, **kwargs)
        self._listings = {source.label: _ListingState(source) for source in self.sources}

    # -- what a family provides -------------------------------------------------------------------

    def listing_requests(self, source: SourceBase) -> Iterable[scrapy.Request]:
        raise NotImplementedError

    def extract_page(self, response: Response, source: SourceBase) -> ListingPage:
        """Run the family's pure extractor; raise ValueError/KeyError/TypeError on a broken body."""
        raise NotImplementedError

    def next_requests(
        self, response: Response, source: SourceBase, page: ListingPage
    ) -> Iterable[scrapy.Request]:
        """Further listing pages; none by default. Carry paging state in `request.meta`."""
        return ()

    def detail_request(self, detail: Detail, source: SourceBase) -> scrapy.Request:
        """The request for one job's detail; a GET of `detail.url` by default."""
        return scrapy.Request(detail.url)

    def parse_detail(self, response: Response, source: SourceBase, detail: Detail) -> RawPosting:
        """Run the family's pure detail extractor; raise ValueError/KeyError/TypeError when broken."""
        raise NotImplementedError

    # -- the template -----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for source in self.sources:
            for request in self.listing_requests(source):
                yield self._track(request, source)

    def _track(self, request: scrapy.Request, source: SourceBase) -> scrapy.Request:
        self._listings[source.label].pending += 1
        return request.replace(
            callback=self._on_listing_page,
            errback=self._on_listing_error,
            cb_kwargs={"source": source},
        )

    def _known_revisions(self, source: SourceBase) -> dict[str, str]:
        """Stored revisions of the source's open jobs; empty when details are always refetched."""
        state = self._listings[source.label]
        if state.revisions is None:
            state.revisions = {}
            settings = self.crawler.settings
            if not settings.getbool("JOBCRAWL_REFETCH_DETAILS"):
                store = open_store(settings.get("JOBCRAWL_DB") or default_db_path())
                state.revisions = store.revisions(source.kind, source.key)
        return state.revisions

    def _details(self, page: ListingPage, source: SourceBase) -> Iterator[scrapy.Request]:
        """Detail requests for the page's new and changed jobs; the rest are seen, not fetched."""
        state = self._listings[source.label]
        stats = self.crawler.stats
        for detail in page.details:
            the_id = job_id(source.kind, source.key, detail.source_id)
            if the_id in state.detailed:
                # Listed twice (overlapping pages): Scrapy would drop the second request unanswered.
                continue
            state.detailed.add(the_id)
            state.seen_ids.append(the_id)
            known = self._known_revisions(source).get(detail.source_id)
            if detail.revision is not None and known == detail.revision:
                state.unchanged_details += 1
                if stats is not None:
                    stats.inc_value("jobcrawl/details/unchanged")
                continue
            state.pending += 1
            yield self.detail_request(detail, source).replace(
                callback=self._on_detail,
                errback=self._on_detail_error,
                cb_kwargs={"source": source, "detail": detail},
            )

    def _unchanged(self, posting: RawPosting, source: SourceBase, state: _ListingState) -> bool:
        """
        Whether a posting read whole from the listing is the one stored, so it need not go on.

        Its revision, unless the family gives one, is a digest of the whole entry; an unchanged
        posting counts as seen and unchanged, as a detail that is not fetched does.
        """
        if posting.revision is None:
            posting.revision = listing_revision(posting)
        if self._known_revisions(source).get(posting.source_id) != posting.revision:
            return False
        state.unchanged_postings += 1
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("jobcrawl/postings/unchanged")
        return True

    def _on_detail(self, response: Response, source: SourceBase, detail: Detail) -> Iterator[Any]:
        state = self._listings[source.label]
        try:
            posting = self.parse_detail(response, source, detail)
        except JobGoneError as exc:
            yield self._gone(source, detail, f"{response.url}: {first_line(exc)}")
        except NotAJobError as exc:
            self._not_a_job(state, source, detail, f"{response.url}: {first_line(exc)}")
        except (ValueError, KeyError, TypeError) as exc:
            self._detail_failed(source, f"{response.url}: unreadable detail: {first_line(exc)}")
        else:
            posting.revision = detail.revision
            yield posting
        yield from self._page_done(state)

    def _on_detail_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        source: SourceBase = request.cb_kwargs["source"]
        reason = f"{request.url}: {_failure_reason(failure)}"
        response = getattr(failure.value, "response", None)
        if response is not None and response.status in GONE_STATUSES:
            yield self._gone(source, request.cb_kwargs["detail"], reason)
        else:
            self._detail_failed(source, reason)
        yield from self._page_done(self._listings[source.label])

    def _gone(self, source: SourceBase, detail: Detail, reason: str) -> JobGone:
        """The listing still shows the job but its own page says it has closed."""
        self.logger.info("%s: job %s is gone: %s", source.label, detail.source_id, reason)
        return JobGone(
            source=source.kind, source_key=source.key, source_id=detail.source_id, reason=reason
        )

    def _not_a_job(
        self, state: _ListingState, source: SourceBase, detail: Detail, reason: str
    ) -> None:
        """A listed page that turned out to be no job: not stored, not counted as seen."""
        self.logger.info("%s: not a job page: %s", source.label, reason, extra={"spider": self})
        the_id = job_id(source.kind, source.key, detail.source_id)
        if the_id in state.seen_ids:
            state.seen_ids.remove(the_id)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("jobcrawl/details/not_a_job")

    def _detail_failed(self, source: SourceBase, problem: str) -> None:
        """The job stays seen and its stored record untouched; the listing is still complete."""
        self.logger.warning("%s: %s", source.label, problem, extra={"spider": self})
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("jobcrawl/details/failed")

    def _on_listing_page(self, response: Response, source: SourceBase) -> Iterator[Any]:
        state = self._listings[source.label]
        try:
            page = self.extract_page(response, source)
            follow = list(self.next_requests(response, source, page))
        except (ValueError, KeyError, TypeError) as exc:
            self._fail(state, f"{response.url}: unreadable response: {first_line(exc)}")
        else:
            state.pages += 1
            for problem in page.problems:
                self.logger.warning("%s: %s", source.label, problem, extra={"spider": self})
            if page.incomplete:
                self._fail(state, f"{response.url}: {page.incomplete}")
            # Handed on one at a time and forgotten here, so a big page's postings are not all held
            # until its last one has gone through the pipelines.
            postings, page.postings = page.postings[::-1], []
            while postings:
                posting = postings.pop()
                state.seen_ids.append(job_id(posting.source, posting.source_key, posting.source_id))
                if not self._unchanged(posting, source, state):
                    yield posting
            state.seen_ids.extend(job_id(source.kind, source.key, i) for i in page.unreadable_ids)
            yield from self._details(page, source)
            for request in follow:
                yield self._track(request, source)
        yield from self._page_done(state)

    def _on_listing_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        source: SourceBase = request.cb_kwargs["source"]
        state = self._listings[source.label]
        self._fail(state, f"{request.url}: {_failure_reason(failure)}")
        yield from self._page_done(state)

    def _fail(self, state: _ListingState, error: str) -> None:
        self.logger.error("%s: %s", state.source.label, error, extra={"spider": self})
        state.error = state.error or error

    @staticmethod
    def _page_done(state: _ListingState) -> Iterator[ListingResult]:
        state.pending -= 1
        if state.pending == 0:
            yield state.result()

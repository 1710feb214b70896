"""
One crawl run spread over any number of worker processes: scrapy-redis's scheduler and dupefilter
share the requests, PostgreSQL holds the results, and Redis keeps the accounts.

`enqueue()` records a run in the database and puts every source's first listing requests into the
shared queue (one scrapy-redis queue per family, `<prefix>:<family>:requests`). Each `jobcrawl worker`
runs one Scrapy crawler per family of the run, whose scheduler takes requests from that queue and
puts the follow-up pages and detail requests back, so any worker may parse any page.

What one process knew by itself must now be agreed in Redis:

- **Listing completeness.** A source's listing is complete only when every request it led to was
  answered and parsed, by whichever worker. Per source, Redis holds the set of requests scheduled
  (`tracked`) and the set answered (`done`), both by request id, plus the job ids seen, the pages
  parsed and the first error. A worker that finishes a page adds all of it in one Lua step: the page
  joins `done`, the requests it leads to join `tracked` before anyone can take them, and the step says
  whether `done` now equals `tracked`. The worker whose step closes the gap, and only that one,
  yields the source's `ListingResult`, built from the shared sets. Sets rather than counters make a
  page answered twice (its worker died after parsing it) count once.
- **Requests in flight.** scrapy-redis's queue forgets a request once popped, so a killed worker
  would lose the pages it was fetching. `LeasedPriorityQueue` (scrapy-redis's priority queue with one
  change) moves each popped request to a lease held under the worker's id, atomically; the lease ends
  after the request's postings went through the store. Every worker refreshes a heartbeat key from a
  thread of its own (a worker busy normalising postings can keep Scrapy's reactor from its timers
  for many seconds on a loaded machine, and must not be taken for dead), as long as its reactor has
  moved within `STALL_HEARTBEATS` heartbeats (a hung worker must be). An idle worker puts the leases
  of workers whose heartbeat expired back into the queue.
- **Staying and leaving.** The scheduler persists (`SCHEDULER_PERSIST`): the first worker to finish
  must not flush the shared queue and dupefilter. A worker stays while the queue or any lease holds a
  request, leaves as soon as the queue is drained and every listing is accounted for, and otherwise
  gives up after `JOBCRAWL_WORKER_IDLE_TIMEOUT` seconds without a request, counted from the last
  request it saw (not from its start). The last worker out finishes the run: it records sources whose
  listing never finished, runs duplicate detection and the alerts step, and sets the run's status.

Postings are written by each worker (`ON CONFLICT` upserts); each worker adds its per-source counts to
the run's tallies (`PostgresStore.merge_source`). Requests travel through Redis pickled, as
scrapy-redis stores them: Redis must be private to the crawl's machines.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
import warnings
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

import redis
import scrapy
from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from scrapy.exceptions import DontCloseSpider, DropItem, ScrapyDeprecationWarning
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.request import fingerprint
from scrapy_redis.dupefilter import RFPDupeFilter  # type: ignore[import-untyped]
from scrapy_redis.queue import PriorityQueue  # type: ignore[import-untyped]
from twisted.internet.task import LoopingCall
from twisted.python.failure import Failure

from crawler.alerts import AlertPolicy, load_alerts_config, run_alert_step
from crawler.config import parse_source
from crawler.duplicates import dedupe_settings, refresh_duplicates, snapshot_path
from crawler.errors import ConfigError, JobcrawlError
from crawler.items import ListingResult
from crawler.middlewares import source_requests
from crawler.run import project_settings
from crawler.sources import SourceBase
from crawler.store import SourceTally, iso_utc, open_store
from crawler.store.postgres import PostgresStore
from crawler.store.tracking import TrackingStore
from pipelines.store import StorePipeline, run_status
from spiders.base import ApiSourceSpider, _ListingState

logger = logging.getLogger(__name__)

REQUEST_ID = "jobcrawl_request"
"""Request meta: the id a listing counts the request by (kept through retries and redirects)."""
LEASE = "jobcrawl_lease"
"""Request meta: the lease the worker holds on the request while it handles it."""

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_PREFIX = "jobcrawl"
DEFAULT_IDLE_TIMEOUT = 60.0
DEFAULT_HEARTBEAT = 15.0
DEFAULT_POLL = 0.5
STALL_HEARTBEATS = 10
"""A worker whose reactor has not moved for this many heartbeat periods stops beating (hung)."""

# Pop the first request and hold it on a lease in the same step: a crash can never lose it between.
_POP = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
local lease = redis.sha1hex(popped[1])
redis.call('HSET', KEYS[2], lease, popped[1])
redis.call('HSET', KEYS[3], lease, ARGV[1] .. ' ' .. popped[2])
return {popped[1], lease}
"""
# End a lease held by this worker (another worker may have taken it over after a missed heartbeat).
_RELEASE = """
local owner = redis.call('HGET', KEYS[2], ARGV[1])
if owner and string.sub(owner, 1, string.len(ARGV[2]) + 1) == ARGV[2] .. ' ' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 1
end
return 0
"""
# Put a dead worker's leased request back into the queue, unless someone took the lease meanwhile.
_REQUEUE = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then return 0 end
local member = redis.call('HGET', KEYS[2], ARGV[1])
if member then
  redis.call('ZADD', KEYS[1], string.match(ARGV[2], ' (.*)$'), member)
end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""
# One answered request of a source: KEYS tracked, done, seen, state; ARGV the request's id, pages
# parsed (0/1), the error or '', "D P" (unchanged details and unchanged postings), how many new
# request ids follow, the new request ids, then the seen job ids. Returns {counted, still open, finished, new ids not tracked before...}.
_PAGE_DONE = """
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return {0, -1, 0} end
local result = {1, 0, 0}
local count = tonumber(ARGV[5])
for i = 6, 5 + count do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then table.insert(result, ARGV[i]) end
end
for i = 6 + count, #ARGV do redis.call('SADD', KEYS[3], ARGV[i]) end
redis.call('HINCRBY', KEYS[4], 'pages', ARGV[2])
local details, postings = string.match(ARGV[4], '^(%d+) (%d+)$')
redis.call('HINCRBY', KEYS[4], 'unchanged', details)
redis.call('HINCRBY', KEYS[4], 'unchanged_postings', postings)
if ARGV[3] ~= '' then
  redis.call('HSETNX', KEYS[4], 'error', ARGV[3])
  redis.call('HINCRBY', KEYS[4], 'failed', 1)
end
result[2] = redis.call('SCARD', KEYS[1]) - redis.call('SCARD', KEYS[2])
if result[2] == 0 and redis.call('HSETNX', KEYS[4], 'listed', 1) == 1 then result[3] = 1 end
return result
"""


def request_id(request: scrapy.Request) -> str:
    """The id a listing counts `request` by: its meta id if it has one, else its fingerprint."""
    known = request.meta.get(REQUEST_ID)
    return known if isinstance(known, str) else fingerprint(request).hex()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


# -- the shared state in Redis ----------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """The run a queue belongs to: its database row, its start, its sources."""

    run_id: int
    started: datetime
    sources: list[SourceBase]

    def by_family(self) -> dict[str, list[SourceBase]]:
        families: dict[str, list[SourceBase]] = defaultdict(list)
        for source in self.sources:
            families[source.kind].append(source)
        return dict(families)


@dataclass(frozen=True)
class PageOutcome:
    """What handling one request added to its source's listing."""

    parsed_page: bool
    error: str | None
    seen_ids: list[str]
    unchanged_details: int
    unchanged_postings: int
    new_requests: list[str]


@dataclass(frozen=True)
class PageMerge:
    """What Redis said when a request's outcome was added."""

    counted: bool
    """False when this request had been counted before (a worker died after parsing it)."""
    still_open: int
    """Requests of the source scheduled and not yet answered."""
    finished: bool
    """This request was the source's last: the caller yields the listing's result."""
    fresh: frozenset[str] = frozenset()
    """New request ids no other page had scheduled already."""

    def schedules(self, request: str) -> bool:
        """Whether the caller should schedule the request with this id."""
        return not self.counted or request in self.fresh


@dataclass(frozen=True)
class Progress:
    """Where a run stands, for a status line and for deciding whether to wait."""

    run_id: int | None
    queued: int
    leased: int
    open_listings: list[str]
    workers: int

    @property
    def busy(self) -> bool:
        return bool(self.queued or self.leased or self.open_listings)


class SharedCrawl:
    """One run's shared state in Redis, under `prefix`, as seen by one worker (or the enqueuer)."""

    def __init__(
        self,
        server: redis.Redis,
        prefix: str = DEFAULT_PREFIX,
        *,
        worker_id: str | None = None,
        heartbeat: float = DEFAULT_HEARTBEAT,
    ) -> None:
        if not prefix or any(char in prefix for char in "*?[]{}%: \t\n"):
            raise ConfigError(f"--prefix {prefix!r}: use letters, digits, '-', '_' or '.'")
        self.server = server
        self.prefix = prefix
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.heartbeat = heartbeat
        self._ticked = time.monotonic()
        self._stop_beating = threading.Event()
        self._beating: threading.Thread | None = None
        self._pop = server.register_script(_POP)
        self._release = server.register_script(_RELEASE)
        self._requeue = server.register_script(_REQUEUE)
        self._page_done = server.register_script(_PAGE_DONE)

    @classmethod
    def connect(cls, url: str, prefix: str = DEFAULT_PREFIX, **options: Any) -> Self:
        """A connection to the Redis at `url`; a Redis that does not answer is a `ConfigError`."""
        server = redis.Redis.from_url(url, socket_connect_timeout=5)
        try:
            server.ping()
        except redis.RedisError as exc:
            raise ConfigError(f"--redis {url}: no Redis answers: {exc}") from exc
        return cls(server, prefix, **options)

    # -- keys ---------------------------------------------------------------------------------

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def queue_key(self, family: str) -> str:
        """The scrapy-redis queue of a family (`SCHEDULER_QUEUE_KEY` with the spider's name)."""
        return self.key(family, "requests")

    def _listing_keys(self, label: str) -> list[str]:
        return [self.key("listing", label, part) for part in ("tracked", "done", "seen", "state")]

    # -- the run ------------------------------------------------------------------------------

    def publish_run(self, run: RunInfo) -> None:
        """Announce the run: workers waiting for one start once this is written (last, by `enqueue`)."""
        sources = [source.model_dump(mode="json") for source in run.sources]
        self.server.hset(
            self.key("run"),
            mapping={
                "id": run.run_id,
                "started": run.started.isoformat(),
                "sources": json.dumps(sources),
            },
        )

    def run(self) -> RunInfo | None:
        """The run in Redis, unless there is none or it was finished."""
        if self.server.exists(self.key("finished")):
            return None
        fields = {_text(k): _text(v) for k, v in self.server.hgetall(self.key("run")).items()}
        if "id" not in fields:
            return None
        sources = [parse_source(entry) for entry in json.loads(fields["sources"])]
        return RunInfo(int(fields["id"]), datetime.fromisoformat(fields["started"]), sources)

    def wait_for_run(self, timeout: float, poll: float = DEFAULT_POLL) -> RunInfo | None:
        """The run to work on, waiting up to `timeout` seconds for `jobcrawl enqueue` to start one."""
        deadline = time.monotonic() + timeout
        while (run := self.run()) is None and time.monotonic() < deadline:
            time.sleep(poll)
        return run

    def progress(self) -> Progress:
        fields = {_text(k): _text(v) for k, v in self.server.hgetall(self.key("run")).items()}
        run = self.run()
        families = run.by_family() if run else {}
        queued = sum(int(self.server.zcard(self.queue_key(f))) for f in families)
        leased = sum(int(self.server.hlen(self.queue_key(f) + ":leases")) for f in families)
        open_listings = self.open_listings([s.label for s in run.sources]) if run else []
        run_id = int(fields["id"]) if "id" in fields else None
        return Progress(run_id, queued, leased, open_listings, len(self.live_workers()))

    def finish(self) -> bool:
        """Claim the finishing of the run; true for exactly one caller."""
        return bool(self.server.set(self.key("finished"), self.worker_id, nx=True))

    def clear(self) -> None:
        """Delete every key under the prefix: the previous run's queue, dupefilter and accounts."""
        batch: list[Any] = []
        for name in self.server.scan_iter(match=f"{self.prefix}:*", count=500):
            batch.append(name)
            if len(batch) >= 500:
                self.server.delete(*batch)
                batch = []
        if batch:
            self.server.delete(*batch)

    # -- workers ------------------------------------------------------------------------------

    def join(self) -> None:
        """Sign on and start beating from a thread, until `leave()`."""
        self.server.sadd(self.key("workers"), self.worker_id)
        self.tick()
        self.beat()
        self._stop_beating.clear()
        self._beating = threading.Thread(target=self._beat_while_moving, daemon=True)
        self._beating.start()

    def tick(self) -> None:
        """The reactor is moving (called from it): keep the heartbeat going."""
        self._ticked = time.monotonic()

    def _beat_while_moving(self) -> None:
        while not self._stop_beating.wait(self.heartbeat / 3):
            if time.monotonic() - self._ticked < STALL_HEARTBEATS * self.heartbeat:
                self.beat()

    def beat(self) -> None:
        """Tell the others this worker is alive for one more heartbeat period."""
        self.server.set(
            self.key("worker", self.worker_id), iso_utc(datetime.now(UTC)),
            px=int(self.heartbeat * 1000),
        )  # fmt: skip

    def alive(self, worker: str) -> bool:
        return bool(self.server.exists(self.key("worker", worker)))

    def live_workers(self) -> list[str]:
        return [
            worker
            for worker in sorted(_text(w) for w in self.server.smembers(self.key("workers")))
            if self.alive(worker)
        ]

    def leave(self) -> bool:
        """Sign off; true when no other worker is alive (this one is the last out)."""
        self._stop_beating.set()
        if self._beating is not None:
            self._beating.join()
        self.server.srem(self.key("workers"), self.worker_id)
        self.server.delete(self.key("worker", self.worker_id))
        return not self.live_workers()

    # -- requests and leases ------------------------------------------------------------------

    def pop(self, queue_key: str) -> tuple[bytes, str] | None:
        """The next request of a queue, now leased by this worker, and the lease's id."""
        popped = self._pop(
            keys=[queue_key, f"{queue_key}:leases", f"{queue_key}:owners"], args=[self.worker_id]
        )
        if not popped:
            return None
        member, lease = popped
        return bytes(member), _text(lease)

    def release(self, family: str, lease: str) -> None:
        queue = self.queue_key(family)
        self._release(keys=[f"{queue}:leases", f"{queue}:owners"], args=[lease, self.worker_id])

    def drop_lease(self, queue_key: str, lease: str) -> None:
        """Forget a lease whose request came back as a retry or a redirect (now leased anew)."""
        self.server.hdel(f"{queue_key}:leases", lease)
        self.server.hdel(f"{queue_key}:owners", lease)

    def recover(self, family: str) -> int:
        """Put back into the queue the requests leased by workers that stopped beating; how many."""
        queue = self.queue_key(family)
        owners = self.server.hgetall(f"{queue}:owners")
        recovered = 0
        for lease, owner in owners.items():
            worker = _text(owner).split(" ", 1)[0]
            if worker == self.worker_id or self.alive(worker):
                continue
            recovered += int(
                self._requeue(
                    keys=[queue, f"{queue}:leases", f"{queue}:owners"],
                    args=[_text(lease), _text(owner)],
                )
            )
        if recovered:
            logger.warning("took back %d requests from a worker that stopped", recovered)
        return recovered

    def pending_requests(self, family: str) -> int:
        """Requests of a family queued or leased, by any worker."""
        queue = self.queue_key(family)
        return int(self.server.zcard(queue)) + int(self.server.hlen(f"{queue}:leases"))

    # -- listings -----------------------------------------------------------------------------

    def track(self, label: str, requests: Iterable[str]) -> None:
        """Count requests as scheduled for a source before they reach the queue (`enqueue`)."""
        ids = list(requests)
        if ids:
            self.server.sadd(self._listing_keys(label)[0], *ids)

    def page_done(self, label: str, request: str, outcome: PageOutcome) -> PageMerge:
        """Add what one answered request gave its source, atomically; see the module's doc."""
        reply = self._page_done(
            keys=self._listing_keys(label),
            args=[
                request, int(outcome.parsed_page), outcome.error or "",
                f"{outcome.unchanged_details} {outcome.unchanged_postings}",
                len(outcome.new_requests), *outcome.new_requests, *outcome.seen_ids,
            ],
        )  # fmt: skip
        counted, still_open, finished, *fresh = reply
        return PageMerge(
            bool(counted), int(still_open), bool(finished), frozenset(_text(f) for f in fresh)
        )

    def listing_result(self, source: SourceBase) -> ListingResult:
        """The source's whole listing, from every worker's pages."""
        _, _, seen_key, state_key = self._listing_keys(source.label)
        state = {_text(k): _text(v) for k, v in self.server.hgetall(state_key).items()}
        error = state.get("error")
        return ListingResult(
            source=source.kind,
            source_key=source.key,
            complete=error is None,
            seen_ids=sorted(_text(i) for i in self.server.smembers(seen_key)),
            error=error,
            pages=int(state.get("pages", 0)),
            unchanged_details=int(state.get("unchanged", 0)),
            unchanged_postings=int(state.get("unchanged_postings", 0)),
        )

    def open_listings(self, labels: Iterable[str]) -> list[str]:
        """The sources among `labels` whose listing has not finished yet."""
        return [
            label
            for label in labels
            if not self.server.hexists(self._listing_keys(label)[3], "listed")
        ]


# -- the worker's Scrapy parts ----------------------------------------------------------------------


class LeasedPriorityQueue(PriorityQueue):  # type: ignore[misc]
    """
    scrapy-redis's priority queue, except that a popped request stays leased to its worker.

    Set as `SCHEDULER_QUEUE_CLASS`; the spider must be a `DistributedSpider` (it knows the worker).
    """

    def pop(self, timeout: int = 0) -> scrapy.Request | None:
        shared: SharedCrawl = self.spider.shared
        popped = shared.pop(self.key)
        if popped is None:
            return None
        member, lease = popped
        request: scrapy.Request = self._decode_request(member)
        superseded = request.meta.get(LEASE)
        if superseded and superseded != lease:
            shared.drop_lease(self.key, superseded)
        request.meta[LEASE] = lease
        return request


@dataclass(frozen=True)
class RequestDone:
    """An internal item, last of what one request produced: its lease ends at the last pipeline."""

    family: str
    lease: str | None


class DistributedSpider(ApiSourceSpider):
    """
    A family's spider (mixed in before it) whose listing accounts live in Redis.

    It sends no start requests of its own: `enqueue()` queued them. Every callback runs the family's
    own code against a fresh per-request listing state, then adds that state to the shared accounts
    (`SharedCrawl.page_done`) before anything it produced is scheduled or stored.
    """

    def __init__(
        self,
        sources: Sequence[SourceBase] | None = None,
        *,
        shared: SharedCrawl,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        **kwargs: Any,
    ) -> None:
        super().__init__(sources, **kwargs)
        self.shared = shared
        self.idle_timeout = idle_timeout
        self._revisions: dict[str, dict[str, str]] = {}
        self._active_at = time.monotonic()
        self._ticking: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._on_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        """No start requests here: `jobcrawl enqueue` put them into the shared queue."""
        none: tuple[scrapy.Request, ...] = ()
        for request in none:
            yield request

    def first_requests(self, source: SourceBase) -> list[scrapy.Request]:
        """The source's first listing requests, with their callbacks and ids, for the queue."""
        requests = [self._track(request, source) for request in self.listing_requests(source)]
        for request in requests:
            request.meta[REQUEST_ID] = request_id(request)
        return requests

    # -- callbacks: the family's own, then the shared accounts ---------------------------------

    def _on_listing_page(self, response: Response, source: SourceBase) -> Iterator[Any]:
        return self._settle(response.request, source, super()._on_listing_page(response, source))

    def _on_listing_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        source = request.cb_kwargs["source"]
        return self._settle(request, source, super()._on_listing_error(failure))

    def _on_detail(self, response: Response, source: SourceBase, detail: Any) -> Iterator[Any]:
        outcome = super()._on_detail(response, source, detail)
        return self._settle(response.request, source, outcome)

    def _on_detail_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        source = request.cb_kwargs["source"]
        return self._settle(request, source, super()._on_detail_error(failure))

    def _settle(
        self, request: scrapy.Request | None, source: SourceBase, outcome: Iterator[Any]
    ) -> Iterator[Any]:
        assert request is not None  # noqa: S101 (Scrapy sets response.request)
        label = source.label
        state = _ListingState(source, pending=1, revisions=self._revisions.get(label))
        self._listings[label] = state
        produced = [item for item in outcome if not isinstance(item, ListingResult)]
        if state.revisions is not None:
            self._revisions[label] = state.revisions
        follow = [item for item in produced if isinstance(item, scrapy.Request)]
        for item in follow:
            item.meta[REQUEST_ID] = request_id(item)
        merge = self.shared.page_done(
            label,
            request_id(request),
            PageOutcome(
                parsed_page=state.pages > 0,
                error=state.error,
                seen_ids=state.seen_ids,
                unchanged_details=state.unchanged_details,
                unchanged_postings=state.unchanged_postings,
                new_requests=[item.meta[REQUEST_ID] for item in follow],
            ),
        )
        for item in produced:
            if not isinstance(item, scrapy.Request) or merge.schedules(item.meta[REQUEST_ID]):
                yield item
        if merge.finished:
            yield self.shared.listing_result(source)
        yield RequestDone(self.name, request.meta.get(LEASE))
        self._active_at = time.monotonic()

    # -- staying, leaving, and the heartbeat --------------------------------------------------

    def _on_opened(self) -> None:
        self._ticking = LoopingCall(self.shared.tick)
        self._ticking.start(self.shared.heartbeat / 3, now=True)

    def _on_closed(self) -> None:
        if self._ticking is not None and self._ticking.running:
            self._ticking.stop()

    def _on_idle(self) -> None:
        """Wait while any worker may still produce requests; close when all is accounted for."""
        self.shared.tick()
        self.shared.recover(self.name)
        if self.shared.pending_requests(self.name):
            self._active_at = time.monotonic()
            raise DontCloseSpider
        unfinished = self.shared.open_listings(source.label for source in self.sources)
        if not unfinished:
            return
        if time.monotonic() - self._active_at < self.idle_timeout:
            raise DontCloseSpider
        self.logger.warning(
            "no request for %.0f s; giving up on the unfinished listings of %s",
            self.idle_timeout,
            ", ".join(unfinished),
        )


_DISTRIBUTED: dict[type[ApiSourceSpider], type[DistributedSpider]] = {}


def distributed_class(family: type[scrapy.Spider]) -> type[DistributedSpider]:
    """The family's spider with `DistributedSpider` in front of it (one class per family)."""
    if not issubclass(family, ApiSourceSpider):
        raise ConfigError(f"{family.name}: this family's spider cannot be shared by workers")
    if family not in _DISTRIBUTED:
        _DISTRIBUTED[family] = type(
            f"Distributed{family.__name__}", (DistributedSpider, family), {}
        )
    return _DISTRIBUTED[family]


class SharedStorePipeline(StorePipeline):
    """
    The store stage of a worker: its tallies are added to the other workers' of the same run.

    A listing's outcome is added as soon as this worker finishes the listing, with what it stored
    so far committed, rather than when the worker closes: a worker killed later must not take the
    outcome of a listing it finished with it (Redis already counts that listing as done, so no
    other worker would report it). What the worker adds afterwards is added when it closes.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._requests_added: dict[str, tuple[int, dict[str, int]]] = {}

    def process_item(self, item: Any) -> Any:
        result = super().process_item(item)
        if isinstance(item, ListingResult):
            self._add((item.source, item.source_key))
        return result

    def close_spider(self) -> None:
        for key in list(self.tallies):
            self._add(key)

    def _add(self, key: tuple[str, str]) -> None:
        """Add the tally of one source to the run's, and start a new one for what comes after."""
        store = open_store(self.db)  # the pipeline's own store: one per database per process
        if not isinstance(store, PostgresStore) or self.run_id is None:
            return
        tally = self.tallies.pop(key)
        label = f"{tally.source}:{tally.source_key}"
        if self.crawler.stats is not None:
            requests, statuses = source_requests(self.crawler.stats, label)
            before, counted = self._requests_added.get(label, (0, {}))
            tally.requests = requests - before
            tally.statuses = {
                status: count - counted.get(status, 0)
                for status, count in statuses.items()
                if count > counted.get(status, 0)
            }
            self._requests_added[label] = (requests, statuses)
        store.commit()
        store.merge_source(self.run_id, tally)
        store.commit()


class LeasePipeline:
    """The last stage of a worker: a request's lease ends once everything it produced was stored."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, RequestDone):
            return item
        spider = self.crawler.spider
        if item.lease is not None and isinstance(spider, DistributedSpider):
            spider.shared.release(item.family, item.lease)
        raise DropItem("request done", log_level="DEBUG")


# -- enqueue, work, finish --------------------------------------------------------------------------


@dataclass(frozen=True)
class EnqueueReport:
    """The run `enqueue()` started, and the requests it queued per family."""

    run_id: int
    sources: int
    requests: int
    families: dict[str, int]


def enqueue(
    sources: Sequence[SourceBase],
    *,
    shared: SharedCrawl,
    store: PostgresStore,
    settings: Settings | None = None,
    reset: bool = False,
) -> EnqueueReport:
    """
    Start a run: record it in the database and queue every source's first requests.

    Refuses while the previous run under the same prefix is still going (requests queued or
    leased, listings open), unless `reset`, which records that run as interrupted and drops it.
    """
    settings = settings or project_settings()
    progress = shared.progress()
    if progress.run_id is not None and shared.run() is not None:  # a run nobody finished
        if progress.busy and not reset:
            raise JobcrawlError(
                f"run {progress.run_id} is still going under {shared.prefix!r}:"
                f" {progress.queued} requests queued, {progress.leased} in flight,"
                f" {len(progress.open_listings)} listings open, {progress.workers} workers;"
                " wait for its workers, or pass --reset to abandon it"
            )
        abandoned = store.get_run(progress.run_id)
        if abandoned is not None and abandoned.status == "running":
            store.finish_run(progress.run_id, datetime.now(UTC), "interrupted")
    shared.clear()
    started = datetime.now(UTC)
    run_id = store.start_run(started)
    loader = SpiderLoader.from_settings(settings)
    families: dict[str, int] = {}
    for family, group in RunInfo(run_id, started, list(sources)).by_family().items():
        spider_class = distributed_class(loader.load(family))
        spider = spider_class.from_crawler(
            Crawler(spider_class, settings), sources=group, shared=shared
        )
        queue = LeasedPriorityQueue(shared.server, spider, shared.queue_key(family))
        dupefilter = RFPDupeFilter(shared.server, shared.key(family, "dupefilter"))
        for source in group:
            requests = spider.first_requests(source)
            shared.track(source.label, (request.meta[REQUEST_ID] for request in requests))
            for request in requests:
                if not dupefilter.request_seen(request):
                    queue.push(request)
                    families[family] = families.get(family, 0) + 1
    shared.publish_run(RunInfo(run_id, started, list(sources)))
    return EnqueueReport(run_id, len(sources), sum(families.values()), families)


@dataclass
class WorkerReport:
    """What one worker did."""

    worker_id: str
    run_id: int | None = None
    requests: int = 0
    postings: int = 0
    finished_run: str | None = None
    """The run's status when this worker was the last out and finished it."""
    tallies: list[SourceTally] = field(default_factory=list)


def worker_settings(
    shared: SharedCrawl,
    redis_url: str,
    db: str,
    run: RunInfo,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """The project's settings with scrapy-redis's scheduler and the worker's pipelines."""
    settings = project_settings(overrides)
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    pipelines.update(
        {
            "pipelines.store.StorePipeline": None,
            "crawler.distributed.SharedStorePipeline": 400,
            "pipelines.alerts.AlertsPipeline": None,  # the last worker out runs the alerts step
            "crawler.distributed.LeasePipeline": 900,
        }
    )
    settings.setdict(
        {
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_PERSIST": True,  # never flush the queue the other workers still use
            "SCHEDULER_QUEUE_CLASS": "crawler.distributed.LeasedPriorityQueue",
            "SCHEDULER_QUEUE_KEY": f"{shared.prefix}:%(spider)s:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"{shared.prefix}:%(spider)s:dupefilter",
            "REDIS_URL": redis_url,
            "ITEM_PIPELINES": pipelines,
            "JOBCRAWL_DB": db,
            "JOBCRAWL_RUN_ID": run.run_id,
            "JOBCRAWL_RUN_STARTED": run.started.isoformat(),
        },
        priority="cmdline",
    )
    return settings


def work(
    shared: SharedCrawl,
    store: PostgresStore,
    *,
    redis_url: str,
    overrides: dict[str, Any] | None = None,
) -> WorkerReport:
    """
    Work on the run in Redis until it is done (or nothing came for the idle timeout), then leave.

    Starts a reactor: call it once per process.
    """
    settings = project_settings(overrides)
    idle_timeout = settings.getfloat("JOBCRAWL_WORKER_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT)
    poll = settings.getfloat("JOBCRAWL_WORKER_POLL", DEFAULT_POLL)
    report = WorkerReport(shared.worker_id)
    run = shared.wait_for_run(idle_timeout, poll)
    if run is None:
        return report
    report.run_id = run.run_id
    recorded = store.get_run(run.run_id)
    if recorded is None:
        raise ConfigError(
            f"{store.path}: no run {run.run_id}: the workers must write to the database that"
            " `jobcrawl enqueue` recorded the run in"
        )
    _quiet_scrapy_redis(poll)
    shared.join()
    crawlers = []
    try:
        process = AsyncCrawlerProcess(worker_settings(shared, redis_url, store.url, run, overrides))
        for family, group in run.by_family().items():
            spider_class = distributed_class(process.spider_loader.load(family))
            crawler = process.create_crawler(spider_class)
            process.crawl(crawler, sources=group, shared=shared, idle_timeout=idle_timeout)
            crawlers.append(crawler)
        process.start()
    finally:
        last = shared.leave()
    for crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        report.requests += int(stats.get("downloader/request_count", 0))
        pipeline = crawler.get_item_pipeline(SharedStorePipeline)
        tallies = pipeline.tallies.values() if pipeline else []
        report.postings += sum(t.new + t.updated + t.unchanged for t in tallies)
    if last and _drained(shared, run) and shared.finish():
        report.finished_run, report.tallies = finish_run(store, run, settings)
    return report


def _drained(shared: SharedCrawl, run: RunInfo) -> bool:
    return not any(shared.pending_requests(family) for family in run.by_family())


def _quiet_scrapy_redis(poll: float) -> None:
    """
    Two process-wide adjustments for a worker.

    scrapy-redis 0.9 passes `spider` to the stats collector, which Scrapy 2.13+ warns about on every
    request. And Scrapy asks an idle scheduler for requests only every 5 s (its engine's slot
    heartbeat, a class constant): a worker waiting for pages that other workers queue polls every
    `poll` seconds instead.
    """
    from scrapy.core.engine import ExecutionEngine

    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")
    ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = poll


def finish_run(
    store: PostgresStore, run: RunInfo, settings: Settings
) -> tuple[str, list[SourceTally]]:
    """
    End a run from the last worker out: what no worker finished is recorded as such, duplicates
    are marked, alerts raised and delivered, and the run gets its status.
    """
    record = store.get_run(run.run_id)
    recorded = {(t.source, t.source_key): t for t in (record.sources if record else [])}
    tallies = []
    for source in run.sources:
        tally = recorded.get((source.kind, source.key)) or SourceTally(source.kind, source.key)
        if tally.finished_at is None and tally.error is None:
            tally.error = "the listing did not finish: no worker parsed all of its pages"
            store.record_source(run.run_id, tally)
        tallies.append(tally)
    if settings.getbool("JOBCRAWL_DEDUPE"):
        snapshot = snapshot_path(settings, settings.get("JOBCRAWL_DB") or "")
        refresh_duplicates(store, dedupe_settings(settings), snapshot)
    _alerts_step(store, run, settings)
    status = run_status(tallies)
    store.finish_run(run.run_id, datetime.now(UTC), status)
    return status, tallies


def _alerts_step(store: PostgresStore, run: RunInfo, settings: Settings) -> None:
    """The alerts pipeline's end-of-run step, once for the whole run."""
    try:
        config = load_alerts_config(settings.get("JOBCRAWL_ALERTS_CONFIG"))
    except ConfigError as exc:
        logger.error("alerts: none raised this run: %s", exc)
        return
    step = run_alert_step(
        store,
        TrackingStore(store),
        config,
        at=run.started,
        policy=AlertPolicy(expiry_days=settings.getint("JOBCRAWL_EXPIRY_WARNING_DAYS", 3)),
        sources=sorted((source.kind, source.key) for source in run.sources),
    )
    logger.info("alerts: %d raised; %s", len(step.raised), step.delivery.summary())

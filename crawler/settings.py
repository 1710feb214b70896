"""
Scrapy settings for jobcrawl: project defaults and every `JOBCRAWL_*` setting.

`scrapy crawl` reads this module through `scrapy.cfg`; `jobcrawl crawl` starts from it and overrides
a few values from the command line. Each setting has a one-line comment; groups are alphabetical.
"""

from __future__ import annotations

BOT_NAME = "jobcrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# -- politeness -------------------------------------------------------------------------------------
AUTOTHROTTLE_ENABLED = True  # adapt the delay to each server's latency
AUTOTHROTTLE_START_DELAY = 1.0  # first delay, seconds, before latency is known
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0  # average parallel requests per remote server
CONCURRENT_REQUESTS = 32  # across all domains
CONCURRENT_REQUESTS_PER_DOMAIN = 4  # never more than this in parallel on one host
DOWNLOAD_TIMEOUT = 60  # seconds
RETRY_ENABLED = True  # retry 429 and 5xx answers, and connection failures
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]  # answers worth retrying
RETRY_TIMES = 3  # retries after the first attempt
ROBOTSTXT_OBEY = True  # obey robots.txt unless a user turns it off
USER_AGENT = "jobcrawl/0.1 (+https://github.com/jobcrawl/jobcrawl)"  # honest, with a contact

EXTENSIONS = {
    "scrapy.extensions.feedexport.FeedExporter": None,  # replaced by the one below
    "crawler.feeds.PostingFeedExporter": 0,  # `-O file` exports postings, not bookkeeping items
    "crawler.logs.JsonLogs": 0,  # JSON log lines when JOBCRAWL_LOG_FORMAT is "json"
}

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,  # replaced by the one below
    "crawler.middlewares.RetryAfterMiddleware": 550,  # waits for Retry-After / backoff, then retries
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,  # replaced by the one below
    "crawler.middlewares.ContactUserAgentMiddleware": 500,  # adds JOBCRAWL_CONTACT to the User-Agent
    "crawler.middlewares.SourceStatsMiddleware": 950,  # requests and statuses per source, every retry
}

# Conditional requests (ETag / Last-Modified revalidation) through Scrapy's HTTP cache, off by default:
# `--set HTTPCACHE_ENABLED=True` turns them on; unchanged listings then come back as 304, bodyless.
HTTPCACHE_ENABLED = False
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"  # revalidates, obeys Cache-Control
HTTPCACHE_STORAGE = (
    "scrapy.extensions.httpcache.DbmCacheStorage"  # one file per spider, not per URL
)
HTTPCACHE_IGNORE_HTTP_CODES = [429, 500, 502, 503, 504]  # never replay a failure

# -- Scrapy plumbing ------------------------------------------------------------------------------
# Items processed at once per response. The pipelines are synchronous, and Scrapy starts this many
# tasks for every response: 4 instead of 100 cut a one-page-per-posting crawl's CPU by 25 %
# (docs/benchmarks.md).
CONCURRENT_ITEMS = 4
FEED_EXPORT_ENCODING = "utf-8"  # feeds keep non-ASCII text readable
LOG_LEVEL = "INFO"  # DEBUG lists every request
TELNETCONSOLE_ENABLED = False  # nothing listens on a port during a crawl
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # Scrapy's default too

ITEM_PIPELINES = {
    "pipelines.normalise.NormalisePipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.lifecycle.LifecyclePipeline": 350,
    "pipelines.store.StorePipeline": 400,
    "pipelines.alerts.AlertsPipeline": 500,  # at the end of the run: raise alerts, deliver the outbox
}

# -- jobcrawl -------------------------------------------------------------------------------------
JOBCRAWL_CHROMIUM_PATH = "/usr/bin/chromium"  # browser for `render:` sources (Debian chromium)
JOBCRAWL_ALERTS_CONFIG = (
    None  # alerts settings file; None: $JOBCRAWL_ALERTS_CONFIG or ~/.config/jobcrawl/alerts.yaml
)
JOBCRAWL_CONTACT = None  # your e-mail or URL, added to the User-Agent so sites know whom to ask
JOBCRAWL_CLOSE_AFTER_MISSES = 1  # complete listings in a row a job must be missing from to close
JOBCRAWL_DB = None  # database path; None: $JOBCRAWL_DB or ~/.local/share/jobcrawl/jobcrawl.db
JOBCRAWL_DEDUPE = True  # mark reposts and cross-source duplicates at the end of every run
JOBCRAWL_DEDUPE_CONTAINMENT_MIN = None  # None: the measured default (docs/dedupe.md)
JOBCRAWL_DEDUPE_DESCRIPTION_MIN = None  # None: the measured default (docs/dedupe.md)
JOBCRAWL_DEDUPE_REPOST_DESCRIPTION_MIN = None  # None: the measured default (docs/dedupe.md)
JOBCRAWL_DEDUPE_SNAPSHOT = None  # index kept between runs; None: <db>.dedupe for SQLite; "": none
JOBCRAWL_DEDUPE_TITLE_MIN = None  # None: the measured default (docs/dedupe.md)
JOBCRAWL_EXPIRY_WARNING_DAYS = (
    3  # alert when a saved job is expected to close within this many days
)
JOBCRAWL_JOB_LIFETIME_DAYS = (
    60  # estimated days open, for expires_at, while a source's history is short
)
JOBCRAWL_LIFETIME_MIN_HISTORY = (
    5  # closed jobs a source needs before its own median lifetime is used
)
JOBCRAWL_LOG_FORMAT = "text"  # "json": one JSON object per log line, for log shippers
JOBCRAWL_REDIS_PREFIX = "jobcrawl"  # name under which a distributed crawl's keys live in Redis
JOBCRAWL_REDIS_URL = (
    None  # the shared queue's Redis; None: $JOBCRAWL_REDIS_URL or redis://127.0.0.1:6379/0
)
JOBCRAWL_REFETCH_DETAILS = (
    False  # True: fetch every job's detail, even when its listing revision is unchanged
)
JOBCRAWL_RENDER_TIMEOUT = 30.0  # seconds a rendered page may take to load and show its jobs
JOBCRAWL_RETRY_AFTER_MAX = 120.0  # never wait longer than this, seconds, before a retry
JOBCRAWL_RETRY_BACKOFF = 1.0  # first backoff, seconds, when a 429/5xx has no Retry-After; doubles
JOBCRAWL_RUN_ID = None  # the `runs` row to record into; None: the store pipeline opens its own run
JOBCRAWL_RUN_STARTED = (
    None  # ISO time the run started, the "now" for relative dates; None: spider open
)
JOBCRAWL_WORKER_HEARTBEAT = 15.0  # seconds after its last heartbeat that a worker counts as dead
JOBCRAWL_WORKER_IDLE_TIMEOUT = (
    60.0  # seconds a worker waits for a run, or a request while listings are open
)
JOBCRAWL_WORKER_POLL = 0.5  # seconds between an idle worker's looks at the shared queue
JOBCRAWL_SUSPECT_LISTING_RATIO = (
    0.5  # a listing under this share of the last complete one closes nothing
)
JOBCRAWL_STORE_BATCH_SIZE = 500  # postings per database transaction

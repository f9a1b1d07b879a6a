"""Scrapy settings for newsagg, and every NEWSAGG_* setting with its default.

The defaults are the polite live-crawl defaults. ``newsagg crawl --replica`` (and the tests)
relax the pace for the local replica only (never the retries); see
``crawler.crawl.LOCAL_OVERRIDES``.
Each NEWSAGG_* setting is documented in the README's settings table (a test checks that).
"""

from __future__ import annotations

from crawler.resources import default_db

BOT_NAME = "newsagg"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- politeness (live mode) -------------------------------------------------------------
# An honest User-Agent with a contact URL; set NEWSAGG_CONTACT to your own page or mailbox.
NEWSAGG_CONTACT = "https://github.com/newsagg/newsagg"
USER_AGENT = f"newsagg/0.1 (+{NEWSAGG_CONTACT}; news research crawler)"
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
CONCURRENT_REQUESTS = 16
# Scrapy starts this many tasks for the output of every response; an article page yields one
# item, so the default 100 mostly costs the main process task churn.
CONCURRENT_ITEMS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# Feeds, sitemaps and listings may be larger than an article (a 50,000-URL sitemap is ~10 MiB).
NEWSAGG_SITEMAP_MAXSIZE = 50 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Scrapy's list without CannotResolveHostError: a name that does not resolve will not resolve
# two seconds later, and retrying it with backoff is what made a crawl with no network take
# minutes. A refused connection is retried only on a host that has answered before:
# UnreachableHostsMiddleware refuses every further request to a host that never did.
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    # Raised by HttpCompressionMiddleware for an empty compressed body.
    OSError,
    "scrapy.core.downloader.handlers.http11.TunnelError",
]
TELNETCONSOLE_ENABLED = False
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
# Bot protection answers 401/403; they reach the spider so they can be recorded as `blocked`.
# 304 answers the conditional GETs of feeds and sitemaps.
HTTPERROR_ALLOWED_CODES = [304, 401, 403, 404, 410, 451]

# --- components -------------------------------------------------------------------------
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.PrefilterMiddleware": 600,
}
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.PrivateAddressGuard": 90,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    "crawler.middlewares.ConditionalGetMiddleware": 580,
    "crawler.middlewares.UnreachableHostsMiddleware": 560,
}
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 300,
    "pipelines.relevance.RelevancePipeline": 400,
    "pipelines.dedupe.DedupePipeline": 500,
    "pipelines.store.StorePipeline": 900,
}
EXTENSIONS = {
    # Before the built-in extensions (0): a bare `scrapy crawl` (scrapyd) gets its run row,
    # sources and local-server settings before anything reads them. See crawler/extensions.py.
    "crawler.extensions.RunRecorder": -100,
    "crawler.middlewares.ProgressReporter": 500,
    "crawler.health.HealthMonitor": 500,
    # Only with NEWSAGG_REDIS_URL: a seeder's or worker's part in a Redis run (crawler/frontier.py).
    "crawler.frontier.FrontierExtension": 600,
}

LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.middlewares.QuietLogFormatter"
FEED_EXPORT_ENCODING = "utf-8"

# --- newsagg ----------------------------------------------------------------------------
# Where everything is stored (one SQLite file): data/news.db inside a checkout, else the
# user's data directory (crawler.resources.default_db decides, for the CLI too).
NEWSAGG_DB = default_db()
# Source ids (rows of `sources`) to crawl for; empty means: tracked sources, else the bundled one.
NEWSAGG_SOURCE_IDS: list[int] = []
# Outlet slug -> base URL overrides (a JSON object in the environment or on the command line).
NEWSAGG_OUTLET_URLS: dict[str, str] = {}
# Date window around the source's date; candidates outside it are not fetched.
NEWSAGG_WINDOW_DAYS_BEFORE = 21
NEWSAGG_WINDOW_DAYS_AFTER = 14
# Explicit window bounds (ISO dates); they override the window computed from the source.
NEWSAGG_SINCE: str | None = None
NEWSAGG_UNTIL: str | None = None
# Score (0..1) an extracted article needs to be linked to a source in `coverage`.
NEWSAGG_MIN_SCORE = 0.27
# Articles scoring at least this before feedback teach the scorer the story's vocabulary.
NEWSAGG_FEEDBACK_MIN_SCORE = 0.40
# Quick score (0..1) on discovery metadata (title, keywords, description) needed to fetch.
NEWSAGG_PREFILTER_MIN_SCORE = 0.04
# Languages to keep, where discovery says (Reuters' news sitemap mixes languages).
NEWSAGG_LANGUAGES = ["en"]
# Bodies shorter than this many words are rejected as extraction failures.
NEWSAGG_MIN_WORDS = 40
# Estimated Jaccard similarity (MinHash of word 3-shingles) that makes two texts near-duplicates.
NEWSAGG_NEAR_DUPLICATE_SIMILARITY = 0.7
# Share of a credited wire copy's shingles the original must have to be linked `syndicated`.
NEWSAGG_SYNDICATION_CONTAINMENT = 0.6
# Extraction worker processes ("auto": one per core; 0: extract in the crawl process).
NEWSAGG_EXTRACT_WORKERS = "auto"
# Seconds one page may take to extract before its worker is killed and the page recorded failed.
NEWSAGG_EXTRACT_TIMEOUT = 20.0
# Address-space cap of each extraction worker, in MiB (0: none).
NEWSAGG_EXTRACT_MEMORY_MB = 2048
# Rows written per transaction by the store pipeline.
NEWSAGG_BATCH_SIZE = 50
# Fetch articles again even when they are already stored.
NEWSAGG_REFRESH = False
# Base of the exponential backoff between retries (seconds); Retry-After wins when sent.
NEWSAGG_RETRY_BACKOFF = 2.0
# Longest wait a Retry-After header may impose (seconds).
NEWSAGG_RETRY_AFTER_MAX = 120.0
# Links an endpoint lists but that are not followed (another host, not an article, a bad URL)
# recorded in `discoveries` per endpoint and run; beyond it, one summary row counts the rest.
NEWSAGG_MAX_DROPPED_PER_ENDPOINT = 50
# Seconds between progress lines on stderr during a crawl (0 disables them).
NEWSAGG_PROGRESS_INTERVAL = 10.0
# Redis frontier (crawler/frontier.py): the URL (redis://HOST:PORT/DB) shared by the seeder
# (`newsagg crawl --redis`), the workers and the writer; unset: one process crawls.
NEWSAGG_REDIS_URL: str | None = None
# Seconds a worker's lease on a request lasts unrenewed (the visibility timeout): then a dead
# worker's requests go back to the queue.
NEWSAGG_REDIS_LEASE = 30.0
# Set by the commands: "seed" or "worker" (unset: no Redis).
NEWSAGG_REDIS_ROLE: str | None = None
# Set by `newsagg worker`: its id in the run's register and in its leases.
NEWSAGG_REDIS_WORKER: str | None = None
# Set for a worker from DOWNLOAD_DELAY: the shared per-host interval (0: no shared slot).
NEWSAGG_REDIS_HOST_DELAY = 0.0
# The `runs` row this crawl reports into (set by `newsagg crawl`; a bare `scrapy crawl` makes one).
NEWSAGG_RUN_ID: int | None = None
# Field health and drift alarms (crawler/health.py): the baseline is the outlet's last this
# many runs that fetched at least NEWSAGG_HEALTH_MIN_ARTICLES articles; with fewer than
# NEWSAGG_HEALTH_MIN_RUNS such runs (the first runs) nothing is compared.
NEWSAGG_HEALTH_RUNS = 5
NEWSAGG_HEALTH_MIN_RUNS = 3
NEWSAGG_HEALTH_MIN_ARTICLES = 10

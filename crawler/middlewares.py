"""Spider and downloader middlewares and the progress extension.

- ``PrefilterMiddleware`` decides, before any article is fetched, whether a candidate is worth
  it: already stored, outside the date window, or too far from every source on its metadata.
  Each "no" becomes a ``Discovery`` item, so the store records it.
- ``RobotsTxtMiddleware`` is Scrapy's, with a fix for requests that wait on one robots.txt.
- ``UnreachableHostsMiddleware`` counts connection failures per host and sends nothing more to
  a host that could not be connected to at all, so the CLI can say at once which hosts could
  not be reached instead of ending minutes later with an empty database and no reason.
- ``ProgressReporter`` prints a progress line now and then during long crawls.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import sqlite3
import sys
import time
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as BaseRobotsTxtMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    IgnoreRequest,
    NotConfigured,
)
from scrapy.logformatter import LogFormatter
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import error as txerror
from twisted.internet import task
from twisted.internet.defer import Deferred

from crawler import db as dbmod
from crawler.items import Discovery
from crawler.scoring import quick_score
from crawler.timeutil import now_iso
from crawler.urls import canonical_url, outlet_urls
from pipelines.relevance import crawl_profiles

logger = logging.getLogger(__name__)

# The share of NEWSAGG_PREFILTER_MIN_SCORE a candidate known only by its URL needs.
SLUG_BAR = 0.5


def prefilter_bar(candidate: dict, min_score: float) -> float:
    """The quick score a candidate needs: ``min_score``, or half of it when all discovery
    knows is the URL's slug (a plain sitemap's bare <loc>). A slug has a headline's words but
    no teaser or keywords to match; held to the same bar, a story's article whose only listing
    is a dated sitemap would never be fetched."""
    bare = candidate.get("title_from_url") and not (
        candidate.get("description") or candidate.get("keywords")
    )
    return min_score * (SLUG_BAR if bare else 1.0)


def searched_for(candidate: dict, profile) -> list[str]:
    query = candidate.get("search_query")
    return [query] if query and query in profile.queries else []


class PrefilterMiddleware(BaseSpiderMiddleware):
    def __init__(self, crawler, profiles, window, min_score, refresh, db_path, languages=("en",)):
        super().__init__(crawler)
        self.languages = {lang.lower() for lang in languages}
        self.profiles = profiles
        self.since, self.until = window
        self.min_score = min_score
        self.refresh = refresh
        # None: a Redis frontier's worker, which knows stored URLs from Redis (is_known).
        self.conn = dbmod.read_only(db_path) if db_path else None
        # canonical URL -> the candidate dict its pending request carries
        self.passed: dict[str, dict] = {}
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        db_path = crawler.settings.get("NEWSAGG_DB")
        dbmod.connect(db_path).close()  # make sure the schema exists before opening read-only
        return cls(crawler, db_path=db_path, **cls.options(crawler))

    @staticmethod
    def options(crawler) -> dict:
        settings = crawler.settings
        profiles, window = crawl_profiles(crawler)
        return {
            "profiles": profiles,
            "window": window,
            "min_score": settings.getfloat("NEWSAGG_PREFILTER_MIN_SCORE"),
            "refresh": settings.getbool("NEWSAGG_REFRESH"),
            "languages": settings.getlist("NEWSAGG_LANGUAGES"),
        }

    def close(self, spider=None):
        if self.conn is not None:
            self.conn.close()

    # The pre-filter's memory: what is stored, what passed in this run. A Redis frontier's
    # workers share it (crawler.frontier.SharedPrefilterMiddleware).

    def is_known(self, canonical: str) -> bool:
        return dbmod.known_url(self.conn, canonical)

    def repeat(self, canonical: str, candidate: dict) -> bool:
        """Has the URL passed already in this run? Then its pending candidate takes what this
        sighting adds."""
        if canonical in self.passed:
            merge_candidates(self.passed[canonical], candidate)
            return True
        return False

    def remember(self, canonical: str, candidate: dict) -> bool:
        """Record a passed candidate; False when another path passed it meanwhile."""
        self.passed[canonical] = candidate
        return True

    def process_spider_output(self, response, result, spider=None):
        for obj in result:
            yield from self._expand(self._get_processed(obj, response))

    async def process_spider_output_async(self, response, result, spider=None):
        async for obj in result:
            for out in self._expand(self._get_processed(obj, response)):
                yield out

    def _expand(self, obj):
        """A passed candidate goes on as its request plus a ``queued`` record in SQLite, so a
        crawl killed before the article is stored fetches it in the next run."""
        if obj is None:
            return
        if (
            isinstance(obj, Request)
            and "candidate" in obj.meta
            and "prefilter" in obj.meta["candidate"]
        ):
            candidate = obj.meta["candidate"]
            yield Discovery.about(
                candidate,
                obj.meta["canonical"],
                "queued",
                "fetching",
                candidate=json.dumps({k: v for k, v in candidate.items() if k != "prefilter"}),
            )
        yield obj

    def get_processed_request(self, request, response):
        candidate = request.meta.get("candidate")
        if candidate is None:
            return request
        stats = self.crawler.stats
        spider = self.crawler.spider
        canonical = canonical_url(request.url, getattr(spider, "base_urls", {}))
        # A URL is judged again when another path finds it (a sitemap has keywords a feed
        # lacks); once it passes, later sightings are repeats.
        if self.repeat(canonical, candidate):
            stats.inc_value("newsagg/prefilter/repeat")
            return None
        stats.inc_value("newsagg/candidates")
        if not self.refresh and self.is_known(canonical):
            stats.inc_value("newsagg/prefilter/known")
            return None
        language = candidate.get("language")
        if language and language.split("-")[0].lower() not in self.languages:
            stats.inc_value("newsagg/prefilter/language")
            return self._skip(candidate, canonical, "language", None)
        day = candidate.get("published") or candidate.get("modified")
        if day and not self._in_window(date.fromisoformat(day[:10])):
            stats.inc_value("newsagg/prefilter/out_of_window")
            return self._skip(candidate, canonical, "out-of-window", None)
        scores = {
            p.source_id: quick_score(
                p,
                candidate.get("title"),
                candidate.get("description"),
                # A search hit matched its query somewhere in its text: evidence as good as
                # a keyword, though only for the source whose query it was.
                [*(candidate.get("keywords") or []), *searched_for(candidate, p)],
            )["score"]
            for p in self.profiles
        }
        best = max(scores.values(), default=0.0)
        if self.profiles and best < prefilter_bar(candidate, self.min_score):
            stats.inc_value("newsagg/prefilter/low_score")
            return self._skip(candidate, canonical, "prefilter-score", best)
        candidate["prefilter"] = scores
        request.meta["canonical"] = canonical
        if not self.remember(canonical, candidate):
            stats.inc_value("newsagg/prefilter/repeat")
            return None
        stats.inc_value("newsagg/prefilter/passed")
        return request

    def _in_window(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )

    def _skip(self, candidate: dict, canonical: str, reason: str, score: float | None) -> Discovery:
        return Discovery.about(candidate, canonical, "skipped", reason, score=score)


def merge_candidates(pending: dict, other: dict) -> None:
    """Fill what a pending candidate lacks from another sighting of the same URL.

    The request already in flight carries ``pending``, so a news sitemap's title and keywords
    reach the article even when a plain sitemap listed the URL first.
    """
    if pending.get("title_from_url") and other.get("title") and not other.get("title_from_url"):
        pending["title"], pending["title_from_url"] = other["title"], False
    for key in ("published", "modified", "keywords", "description", "language"):
        if not pending.get(key) and other.get(key):
            pending[key] = other[key]
    if pending.get("published") and len(pending["published"]) == 10 and other.get("published"):
        pending["published"] = max(pending["published"], other["published"], key=len)


class RobotsTxtMiddleware(BaseRobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, made safe for requests that wait on one robots.txt.

    In Scrapy 2.19 with the asyncio reactor, every request after the first that waits for a
    host's robots.txt awaits the same Deferred through ``asFuture``, whose callback returns
    None: those requests get no parser and are let through, disallowed or not. After the wait
    the parsed robots.txt is in ``_parsers``, so it is read from there.
    """

    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        if parser is None:
            cached = self._parsers.get(urlsplit(request.url).netloc)
            if cached is not None and not isinstance(cached, Deferred):
                return cached
        return parser


class ConditionalGetMiddleware:
    """Conditional GET for feeds, sitemaps and listings: ETag / Last-Modified kept in the DB.

    Validators are remembered per set of sources, so a source added later still reads every
    endpoint in full once. New validators are written when the engine stops, after the
    pipelines have stored everything.
    """

    def __init__(self, crawler, db_path: str, refresh: bool):
        self.crawler = crawler
        self.db_path = db_path
        self.refresh = refresh
        self.sources = ",".join(
            sorted(str(i) for i in crawler.settings.getlist("NEWSAGG_SOURCE_IDS"))
        )
        self.seen: dict[str, dict] = {}
        # Validators are kept under the outlet's real endpoint URL: an outlet pointed at the
        # replica (a new port each run) or a mirror keeps them, and two outlets served from
        # one host never share them.
        self.base_urls = outlet_urls(crawler.settings)
        # After the pipelines have stored everything: a crash before that keeps no validator,
        # so the next run reads the endpoints in full again.
        crawler.signals.connect(self.save, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(crawler, settings.get("NEWSAGG_DB"), settings.getbool("NEWSAGG_REFRESH"))

    def known(self) -> dict[str, tuple[str | None, str | None]]:
        if not hasattr(self, "_known"):
            conn = dbmod.read_only(self.db_path)
            try:
                rows = conn.execute(
                    "select url, etag, last_modified from endpoints where sources = ?",
                    [self.sources],
                ).fetchall()
            except sqlite3.OperationalError:
                rows = []
            finally:
                conn.close()
            self._known = {u: (e, m) for u, e, m in rows}
        return self._known

    def process_request(self, request):
        if not request.meta.get("endpoint") or self.refresh:
            return None
        etag, modified = self.known().get(canonical_url(request.url, self.base_urls), (None, None))
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if modified:
            request.headers.setdefault("If-Modified-Since", modified)
        return None

    def process_response(self, request, response):
        if request.meta.get("endpoint") and response.status == 200:
            etag = response.headers.get("ETag")
            modified = response.headers.get("Last-Modified")
            if etag or modified:
                self.seen[canonical_url(request.url, self.base_urls)] = {
                    "etag": etag.decode("latin-1") if etag else None,
                    "last_modified": modified.decode("latin-1") if modified else None,
                }
        return response

    def save(self):
        if not self.seen:
            return
        db = dbmod.connect(self.db_path)
        try:
            rows = [
                {"url": u, "sources": self.sources, "checked_at": now_iso(), **v}
                for u, v in self.seen.items()
            ]
            with dbmod.immediate(db):
                db.table("endpoints").upsert_all(rows, pk=("url", "sources"))
        finally:
            db.close()


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, waiting before each one: ``Retry-After`` on 429/503 when the site
    sends it (capped by NEWSAGG_RETRY_AFTER_MAX), else exponential backoff from
    NEWSAGG_RETRY_BACKOFF seconds. Only the retried request waits; the crawl goes on."""

    @classmethod
    def from_crawler(cls, crawler):
        mw = super().from_crawler(crawler)
        mw.backoff = crawler.settings.getfloat("NEWSAGG_RETRY_BACKOFF")
        mw.cap = crawler.settings.getfloat("NEWSAGG_RETRY_AFTER_MAX")
        return mw

    async def process_response(self, request, response):
        result = super().process_response(request, response)
        if isinstance(result, Request):
            delay = retry_after(response.headers.get("Retry-After"), self.cap)
            if delay is None:
                tries = result.meta.get("retry_times", 1)
                delay = min(self.cap, self.backoff * 2 ** (tries - 1))
            if delay > 0:
                # Imported here: importing the reactor at module level would install one.
                from twisted.internet import reactor

                self.crawler.stats.inc_value("newsagg/retry/waited_seconds", round(delay, 1))
                await maybe_deferred_to_future(task.deferLater(reactor, delay))
        return result


def retry_after(value: bytes | None, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return min(cap, float(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return min(cap, max(0.0, (when - datetime.now(when.tzinfo)).total_seconds()))


class PrivateAddressGuard:
    """No request to loopback, private, link-local or otherwise non-public addresses.

    Feed links, sitemap locations, redirects (RedirectMiddleware sends the new request through
    here again) and robots.txt requests are all checked; host names are resolved and every
    answer must be public. Only the hosts the user named (``--replica``, ``--outlet-url``,
    NEWSAGG_OUTLET_URLS) are let through, and only on the port named.
    """

    def __init__(self, stats, allowed: set[str]):
        self.stats = stats
        self.allowed = allowed
        self.verdicts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler):
        allowed = {urlsplit(u).netloc.lower() for u in outlet_urls(crawler.settings).values()}
        return cls(crawler.stats, allowed)

    def process_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme not in {"http", "https"}:
            return self.refuse(request, f"scheme {parts.scheme or '(none)'}")
        if parts.netloc.lower() in self.allowed:
            return None
        host = (parts.hostname or "").lower()
        if host not in self.verdicts:
            self.verdicts[host] = non_public_reason(host)
        if self.verdicts[host]:
            return self.refuse(request, self.verdicts[host])
        return None

    def refuse(self, request, why: str):
        self.stats.inc_value("newsagg/guard/refused")
        raise IgnoreRequest(f"non-public address refused: {why} ({request.url})")


def non_public_reason(host: str) -> str | None:
    """Why a host must not be contacted (it is, or resolves to, a non-public address).

    Addresses are parsed, never matched as text: ``2130706433``, ``0x7f000001``, ``127.1`` and
    ``0177.0.0.1`` are all 127.0.0.1 to the resolver that will connect, so they are resolved
    the same way (``getaddrinfo``, which reads the C library's forms) and every answer checked.
    """
    if not host:
        return "no host"
    try:
        addresses = {ipaddress.ip_address(host.strip("[]"))}
    except ValueError:
        addresses = resolve(host)
        if addresses is None:
            # A fully qualified name ("localhost.") resolves where the bare one does.
            addresses = resolve(host.rstrip(".")) if host.endswith(".") else None
        if addresses is None:
            return None  # unresolvable: the download fails on its own and is recorded
    for address in addresses:
        why = address_reason(address)
        if why is not None:
            return f"{host} is {address}{why}"
    return None


def resolve(host: str) -> set | None:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return None
    return {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """ "" for a non-public address (" via X" when it carries a non-public IPv4 address X), or
    None for a public one.

    An IPv6 address may carry an IPv4 one (mapped ``::ffff:a.b.c.d``, compatible ``::a.b.c.d``,
    6to4, NAT64) that the network stack or a gateway connects to: that one is checked too, so
    the answer does not depend on how a Python version classifies those ranges.
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        # ::/96 less :: and ::1 (unspecified and loopback: not public by themselves)
        if embedded is None and (address in NAT64 or 1 < int(address) < 2**32):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and address_reason(embedded) is not None:
            return f" (via {embedded})"
        if address.is_site_local:
            return ""
    if not address.is_global or address.is_multicast:
        return ""
    return None


class UnreachableHost(IgnoreRequest):
    """A request not attempted: its host failed to connect earlier in this crawl. The spider
    records it as ``unreachable-host: HOST: ERROR`` (``crawler.spiders.base.failure_reason``)."""

    def __init__(self, host: str, error: str):
        super().__init__(f"unreachable host {host}: {error}")
        self.reason = f"{UNREACHABLE_REASON}{host}: {error}"


UNREACHABLE_REASON = "unreachable-host: "


class UnreachableHostsMiddleware:
    """Per host: responses seen and connection-level failures; a host that could not be
    connected to (no such name, nothing listening, no route) and never answered gets no
    further request in this crawl.

    Without it a crawl with no network tries every feed, sitemap and search URL of every
    outlet, each with its retries and backoff: minutes to learn what the first request knew.
    A refused request raises ``IgnoreRequest`` naming the host, so its errback records it in
    ``discoveries`` like any failed endpoint or article, and the stats count it.
    A timeout is not such a failure: a slow site is slow, not absent.
    """

    def __init__(self, stats):
        self.stats = stats
        self.answered: set[str] = set()
        # host -> name of the connection failure that ruled it out
        self.unreachable: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_request(self, request):
        host = urlsplit(request.url).netloc
        if host in self.unreachable:
            self.stats.inc_value("newsagg/unreachable/not_attempted")
            self.stats.inc_value(f"newsagg/host_not_attempted/{host}")
            raise UnreachableHost(host, self.unreachable[host])
        return None

    def process_response(self, request, response):
        host = urlsplit(request.url).netloc
        self.answered.add(host)
        self.stats.inc_value(f"newsagg/host_ok/{host}")
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, IgnoreRequest):  # refused by us (robots, guard), not unreachable
            return None
        host = urlsplit(request.url).netloc
        name = failure_name(exception)
        self.stats.set_value(f"newsagg/host_error/{host}", name)
        if connection_failure(exception):
            self.stats.inc_value(f"newsagg/host_connect_failed/{host}")
            if host not in self.answered and host not in self.unreachable:
                self.unreachable[host] = name
                logger.warning(
                    "%s cannot be reached (%s): no further request to it in this crawl",
                    host,
                    exception,
                )
        return None


# Failures to connect at all. A timeout or a cut-off answer is not one of them: a slow or
# overloaded site may answer the next request. Scrapy wraps Twisted's DNSLookupError and
# ConnectionRefusedError in its own exceptions; NoRouteError and the other ConnectErrors
# (EHOSTUNREACH, ...) come through as they are.
CONNECTION_FAILURES = (CannotResolveHostError, DownloadConnectionRefusedError, txerror.ConnectError)
NOT_CONNECTION_FAILURES = (txerror.TCPTimedOutError, txerror.ConnectingCancelledError)


def connection_failure(exception: BaseException) -> bool:
    return isinstance(exception, CONNECTION_FAILURES) and not isinstance(
        exception, NOT_CONNECTION_FAILURES
    )


def failure_name(exception: BaseException) -> str:
    """What went wrong, in the words a user would search for."""
    if isinstance(exception, (CannotResolveHostError, txerror.DNSLookupError)):
        return "DNS lookup failed"
    if isinstance(exception, (DownloadConnectionRefusedError, txerror.ConnectionRefusedError)):
        return "connection refused"
    if isinstance(exception, txerror.NoRouteError):
        return "no route to host"
    return type(exception).__name__


def unreachable_hosts(stats: dict) -> dict[str, str]:
    """Hosts that failed at the connection level and never answered, with the error name."""
    failed = {
        k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("newsagg/host_error/")
    }
    return {h: e for h, e in failed.items() if not stats.get(f"newsagg/host_ok/{h}")}


class QuietLogFormatter(LogFormatter):
    """Dropped items are decisions recorded in ``discoveries``: one line at INFO, no item dump."""

    def dropped(self, item, exception, response, spider=None):
        return {
            "level": logging.INFO,
            "msg": "Dropped %(url)s: %(exception)s",
            "args": {"url": getattr(item, "url", "?"), "exception": exception},
        }


class ProgressReporter:
    """One line on stderr every NEWSAGG_PROGRESS_INTERVAL seconds: candidates, fetched, linked."""

    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("NEWSAGG_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured  # NEWSAGG_PROGRESS_INTERVAL is 0 (quietly: no message)
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider):
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(self.interval, now=False)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()

    def report(self, spider):
        get = self.crawler.stats.get_value
        print(
            f"[{spider.name}] {time.monotonic() - self.started:5.0f}s  "
            f"candidates {get('newsagg/candidates', 0)}  "
            f"fetched {get('newsagg/extract/ok', 0)}  linked {get('newsagg/relevance/linked', 0)}",
            file=sys.stderr,
            flush=True,
        )

"""The shared outlet spider: discovery and dispatch only.

It reads the endpoints the outlet module declares (feeds, news sitemaps and their daily
files, full sitemap indexes, section listings, site search), turns each entry into a
candidate request (the pre-filter middleware decides whether it is fetched) and hands fetched
pages to the item pipelines as ``ArticleItem``. It never extracts, scores or stores anything.

robots.txt is Scrapy's RobotsTxtMiddleware's business, checked at run time: a disallowed
endpoint is never requested, and it is recorded in ``discoveries`` with reason ``robots``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict
from datetime import date, timedelta
from urllib.parse import quote_plus, urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawler import db as dbmod
from crawler.feeds import FeedError, parse_rss, parse_sitemap
from crawler.items import ArticleItem, Candidate, Discovery
from crawler.middlewares import UnreachableHost
from crawler.outlets import get_outlet
from crawler.timeutil import iso_utc, parse_datetime
from crawler.urls import (
    canonical_url,
    literal_address,
    outlet_link,
    outlet_urls,
    rebase,
    strip_noise,
)
from pipelines.relevance import crawl_profiles

MAX_SITEMAP_DEPTH = 3
# Richer sources first: feeds and news sitemaps carry titles, dates and keywords that a plain
# sitemap or a listing lacks, and the first sighting of a URL is the one fetched.
PRIORITY = {"rss": 20, "news-sitemap": 20, "listing": 10, "search": 10, "sitemap": 0}
MAX_DATED_SITEMAPS = 62
BLOCK_STATUSES = (401, 403)
BOT_MARKERS = ("x-datadome", "cf-mitigated", "x-amzn-waf-action", "x-px-block")


def slug_title(url: str) -> str | None:
    """A readable title from a URL slug, for sitemap entries that carry none."""
    slug = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    words = re.sub(r"-?\d{4}-\d{2}-\d{2}$", "", slug).replace("-", " ").strip()
    return words[:1].upper() + words[1:] if len(words.split()) >= 3 else None


def failure_reason(failure) -> tuple[str, str]:
    """(decision, reason) for a request that produced no usable response.

    Refusals by policy (robots.txt, a non-public address) are ``skipped``; everything the
    site or the network did wrong is ``failed``.
    """
    if failure.check(HttpError):  # an IgnoreRequest too, but a real answer from the site
        return "failed", f"http-{failure.value.response.status}"
    if failure.check(UnreachableHost):
        return "failed", failure.value.reason
    if not failure.check(IgnoreRequest):
        return "failed", f"download-error: {failure.type.__name__}"
    text = str(failure.value).lower()
    if "robots" in text:
        return "skipped", "robots"
    if "non-public" in text:
        return "skipped", "non-public-address"
    if "maxsize" in text or "exceeded" in text:
        return "failed", "too-large"
    if "redirect" in text:
        return "failed", "redirect-loop"
    return "failed", f"ignored: {text[:80]}"


class OutletSpider(scrapy.Spider):
    outlet_slug: str = ""

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.outlet = get_outlet(cls.outlet_slug)
        spider.configure()
        return spider

    def configure(self) -> None:
        """Read the crawl's settings; again when a `scrapy crawl` joins a Redis run, whose
        settings (the outlets' base URLs) arrive after the spider is made."""
        settings = self.crawler.settings
        self.base_urls = outlet_urls(settings)
        self.base = self.base_urls.get(self.outlet_slug, self.outlet.base_url)
        self.sitemap_maxsize = settings.getint("NEWSAGG_SITEMAP_MAXSIZE")
        self.max_dropped = settings.getint("NEWSAGG_MAX_DROPPED_PER_ENDPOINT")

    # --- discovery -------------------------------------------------------------------------

    async def start(self):
        outlet = self.outlet
        profiles, _ = crawl_profiles(self.crawler)
        for entry in self.queued():
            # Last in line: a feed or news sitemap seeing the same URL first brings richer
            # metadata, which the pre-filter merges into this pending request.
            for request in self.candidate_request(entry, entry["via"], priority=-10):
                yield request
        # robots.txt may advertise sitemaps the module does not declare (SitemapSpider's way).
        # Not a conditional GET: its sitemaps are read on every run, changed or not.
        yield scrapy.Request(
            self.robots_url(),
            callback=self.parse_robots,
            errback=self.endpoint_error,
            cb_kwargs={"via": "sitemap"},
            priority=PRIORITY["sitemap"] + 5,
        )
        for path in outlet.feeds:
            yield self.endpoint_request(self.base + path, self.parse_feed, "rss")
        for path in outlet.news_sitemaps:
            yield self.endpoint_request(self.base + path, self.parse_sitemap, "news-sitemap")
        for day in self.window_days() if outlet.dated_news_sitemap else ():
            url = self.base + outlet.dated_news_sitemap.format(day=day)
            yield self.endpoint_request(url, self.parse_sitemap, "news-sitemap")
        for path in outlet.sitemaps:
            yield self.endpoint_request(self.base + path, self.parse_sitemap, "sitemap")
        for path in outlet.listings:
            yield self.endpoint_request(self.base + path, self.parse_listing, "listing")
        if outlet.search:
            for query in dict.fromkeys(q for p in profiles for q in p.queries):
                url = self.base + outlet.search.format(query=quote_plus(query))
                yield self.endpoint_request(url, self.parse_listing, "search", query=query)

    @property
    def since(self) -> date | None:
        """First day of the crawl's window (None: open)."""
        return crawl_profiles(self.crawler)[1][0]

    @property
    def until(self) -> date | None:
        return crawl_profiles(self.crawler)[1][1]

    def robots_url(self) -> str:
        """robots.txt sits at the root of the base's host, even under a path prefix."""
        return urljoin(self.base, "/robots.txt")

    def declared_sitemaps(self) -> set[str]:
        """Real URLs of the sitemaps the outlet module names, to skip them in robots.txt."""
        paths = [*self.outlet.news_sitemaps, *self.outlet.sitemaps]
        return {canonical_url(self.outlet.base_url + p) for p in paths}

    def queued(self) -> list[dict]:
        """Candidates an earlier run passed but never finished (it was killed), or that failed
        for a reason that may pass (a timeout, a 5xx): fetch them now, feeds or no feeds."""
        conn = dbmod.read_only(self.crawler.settings.get("NEWSAGG_DB"))
        try:
            entries = dbmod.pending_candidates(conn, self.outlet_slug)
        finally:
            conn.close()
        self.crawler.stats.set_value(f"newsagg/{self.outlet_slug}/resumed", len(entries))
        return entries

    def window_days(self) -> list[date]:
        """Each day of the window (not beyond today), for outlets with daily sitemaps."""
        if self.since is None:
            return []
        last = min(self.until or date.today(), date.today())
        days = [self.since + timedelta(days=i) for i in range((last - self.since).days + 1)]
        return days[:MAX_DATED_SITEMAPS]

    def endpoint_request(self, url: str, callback, via: str, **kwargs) -> scrapy.Request:
        """A feed, sitemap, listing or search request; its failure is recorded, not raised."""
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.endpoint_error,
            cb_kwargs={"via": via, **kwargs},
            # Sitemaps may be larger than an article page may be.
            meta={"endpoint": True, "download_maxsize": self.sitemap_maxsize},
            priority=PRIORITY.get(via, 0) + 5,
        )

    def endpoint_error(self, failure):
        request = failure.request
        via = request.cb_kwargs.get("via", "rss")
        decision, reason = failure_reason(failure)
        if decision == "skipped":
            self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/{reason}")
        else:
            self.endpoint_status(request.url, reason)
        yield self.endpoint_failed(request.url, via, reason, decision=decision)

    def unusable(self, response, via: str) -> list[Discovery] | None:
        """None to parse the endpoint's answer; else what to yield instead (maybe nothing).

        304 Not Modified (conditional GET, see ConditionalGetMiddleware) means nothing new;
        4xx/5xx is a recorded failure.
        """
        if response.status == 304:
            self.crawler.stats.inc_value("newsagg/not_modified")
            self.endpoint_status(response.url, "not-modified")
            return []
        if response.status >= 400:
            self.endpoint_status(response.url, f"http-{response.status}")
            return [self.endpoint_failed(response.url, via, f"http-{response.status}")]
        return None

    def endpoint_status(self, url: str, status: str, entries: int | None = None) -> None:
        """What an endpoint answered this run ("ok" with its entries, "not-modified",
        "http-404", "bad-feed: ..."), for the run's health (crawler/health.py)."""
        key = canonical_url(url, self.base_urls)
        stats = self.crawler.stats
        stats.set_value(f"newsagg/{self.outlet_slug}/endpoint/{key}", status)
        if entries is not None:
            stats.set_value(f"newsagg/{self.outlet_slug}/endpoint_entries/{key}", entries)

    def parse_robots(self, response, via: str):
        """Sitemaps (and sitemap indexes) that robots.txt advertises with ``Sitemap:`` lines."""
        if response.status >= 400 or not isinstance(response, TextResponse):
            # No robots.txt is common (a mirror, a test server): nothing advertised.
            self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/robots_missing")
            self.endpoint_status(response.url, f"http-{response.status}")
            return
        self.endpoint_status(response.url, "ok")
        dropped = DroppedLinks(self, response.url, via)
        declared = self.declared_sitemaps()
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            real, reason = self.link_verdict(url)
            if real is None:
                yield from dropped.record({"url": url}, reason)
            elif canonical_url(real) not in declared:
                self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/robots_sitemaps")
                kind = "news-sitemap" if "news" in real.lower() else "sitemap"
                target = rebase(real, self.outlet, self.base)
                yield self.endpoint_request(target, self.parse_sitemap, kind)
        yield from dropped.summary()

    def parse_feed(self, response, via: str):
        if (instead := self.unusable(response, via)) is not None:
            yield from instead
            return
        try:
            entries = parse_rss(response.body)
        except FeedError as exc:
            self.endpoint_status(response.url, f"bad-feed: {exc}")
            yield self.endpoint_failed(response.url, via, f"bad-feed: {exc}")
            return
        self.endpoint_status(response.url, "ok", len(entries))
        self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/feed_entries", len(entries))
        yield from self.candidate_requests(entries, via, response.url)

    def parse_sitemap(self, response, via: str, depth: int = 0):
        if (instead := self.unusable(response, via)) is not None:
            yield from instead
            return
        try:
            kind, entries = parse_sitemap(response.body)
        except FeedError as exc:
            self.endpoint_status(response.url, f"bad-sitemap: {exc}")
            yield self.endpoint_failed(response.url, via, f"bad-sitemap: {exc}")
            return
        self.endpoint_status(response.url, "ok", len(entries))
        if kind == "index":
            if depth >= MAX_SITEMAP_DEPTH:
                yield self.endpoint_failed(response.url, via, "sitemap-index-too-deep")
                return
            dropped = DroppedLinks(self, response.url, via)
            for entry in entries:
                if self.older_than_window(entry.get("lastmod")):
                    self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/sitemaps_too_old")
                    continue
                real, reason = self.link_verdict(entry["url"])
                if real is None:
                    yield from dropped.record(entry, reason)
                    continue
                url = rebase(real, self.outlet, self.base)
                yield self.endpoint_request(url, self.parse_sitemap, via, depth=depth + 1)
            yield from dropped.summary()
            return
        yield from self.candidate_requests(entries, via, response.url)

    def parse_listing(self, response, via: str, query: str | None = None):
        if (instead := self.unusable(response, via)) is not None:
            yield from instead
            return
        if not isinstance(response, TextResponse):
            self.endpoint_status(response.url, "not-html")
            yield self.endpoint_failed(response.url, via, "not-html")
            return
        entries = self.outlet.parse_listing(response.text)
        self.endpoint_status(response.url, "ok", len(entries))
        self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/{via}_entries", len(entries))
        # Relative links are the page's own: joined to where it was fetched from (the base).
        entries = [
            {**e, "url": urljoin(response.url, e["url"] or ""), "search_query": query}
            for e in entries
        ]
        yield from self.candidate_requests(entries, via, response.url)

    def older_than_window(self, lastmod: str | None) -> bool:
        """A child sitemap whose newest entry predates the window holds nothing for us."""
        stamp = parse_datetime(lastmod) if lastmod else None
        return bool(stamp and self.since and stamp.date() < self.since)

    def link_verdict(self, link) -> tuple[str | None, str]:
        """(the outlet's real URL for a link, "") or (None, why it is not followed).

        A link is the outlet's when it is on one of its hosts or on the base it was pointed
        at (a mirror lists its own URLs); everything else is dropped, with a reason.
        """
        if not isinstance(link, str) or not link.strip():
            return None, "malformed-url"
        link = link.strip()
        try:
            parts = urlsplit(link)
            parts.port  # noqa: B018 (a bad port raises here)
        except ValueError:
            return None, "malformed-url"
        if parts.scheme.lower() not in {"http", "https"}:
            return None, f"scheme-{parts.scheme.lower()}" if parts.scheme else "malformed-url"
        if not parts.hostname:
            return None, "malformed-url"
        real = outlet_link(link, self.outlet, self.base)
        if real is None:
            address = literal_address(parts.hostname)
            # The base's own host outside its prefix is another site there, not an address
            # we refuse (a test server or mirror may hold several outlets).
            own_host = parts.netloc.lower() == urlsplit(self.base).netloc.lower()
            if address is not None and not address.is_global and not own_host:
                return None, "non-public-address"
            return None, "other-host"
        return real, ""

    def candidate_requests(self, entries: list[dict], via: str, endpoint: str):
        """Requests for an endpoint's entries; each entry dropped here is on record (up to
        NEWSAGG_MAX_DROPPED_PER_ENDPOINT rows, then one summary row)."""
        dropped = DroppedLinks(self, endpoint, via)
        for entry in entries:
            real, reason = self.link_verdict(entry.get("url"))
            if real is not None and not self.outlet.is_article(real):
                real, reason = None, "not-article"
            if real is None:
                yield from dropped.record(entry, reason)
            else:
                yield from self.candidate_request({**entry, "url": real}, via)
        yield from dropped.summary()

    def candidate_request(self, entry: dict, via: str, priority: int | None = None):
        """A request for an entry whose URL is the outlet's real article URL."""
        url = entry["url"]
        tz = self.outlet.timezone
        published = iso_utc(entry.get("published"), tz)
        if published is None and self.outlet.url_date:
            # A sitemap <lastmod> is not a publication time; the URL's day is the next best.
            day = self.outlet.url_date(url)
            published = day.isoformat() if day else None
        candidate = Candidate(
            url=url,
            outlet=self.outlet_slug,
            via=via,
            title=entry.get("title") or slug_title(url),
            title_from_url=not entry.get("title"),
            published=published,
            modified=iso_utc(entry.get("lastmod"), tz),
            keywords=entry.get("keywords") or [],
            description=entry.get("description"),
            language=entry.get("language"),
            search_query=entry.get("search_query"),
        )
        yield scrapy.Request(
            strip_noise(rebase(url, self.outlet, self.base), self.outlet),
            callback=self.parse_article,
            errback=self.article_failed,
            meta={"candidate": asdict(candidate)},
            priority=PRIORITY.get(via, 0) if priority is None else priority,
            # The pre-filter already drops repeats; without the dupe filter a redirect back to
            # the same URL ends as a recorded redirect loop instead of vanishing.
            dont_filter=True,
        )

    # --- dispatch --------------------------------------------------------------------------

    def parse_article(self, response):
        candidate = response.meta["candidate"]
        self.crawler.stats.inc_value("newsagg/articles_fetched")
        if response.status in BLOCK_STATUSES:
            # Bot protection or a geo block: keep what discovery knew, never work around it.
            self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/blocked")
            for marker in (h for h in BOT_MARKERS if h in response.headers):
                self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/blocked/{marker}")
            yield self.article_item(response, candidate, html=None, access="blocked")
            return
        if response.status >= 400:
            yield self.discovery(candidate, "failed", f"http-{response.status}")
            return
        if not isinstance(response, TextResponse):
            yield self.discovery(candidate, "failed", "not-html")
            return
        yield self.article_item(response, candidate, html=response.text)

    def article_item(
        self, response, candidate: dict, html: str | None, access: str | None = None
    ) -> ArticleItem:
        return ArticleItem(
            url=response.url,
            canonical_url=canonical_url(response.url, self.base_urls),
            outlet=self.outlet_slug,
            via=candidate["via"],
            http_status=response.status,
            html=html,
            candidate=candidate,
            access=access,
        )

    def article_failed(self, failure):
        candidate = failure.request.meta["candidate"]
        yield self.discovery(candidate, *failure_reason(failure))

    def discovery(self, candidate: dict, decision: str, reason: str) -> Discovery:
        url = canonical_url(candidate["url"], self.base_urls)
        return Discovery.about(candidate, url, decision, reason)

    def endpoint_failed(
        self, url: str, via: str, reason: str, decision: str = "failed"
    ) -> Discovery:
        self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/endpoint_errors")
        # A path robots.txt disallows is skipped by design (recorded, counted): no warning.
        log = self.logger.info if decision == "skipped" else self.logger.warning
        log("%s: %s", url, reason)
        return Discovery(
            url=canonical_url(url, self.base_urls),
            outlet=self.outlet_slug,
            via=via,
            decision=decision,
            reason=reason,
        )


class DroppedLinks:
    """The links one endpoint listed that are not followed: each on record as a skipped
    discovery with its reason, up to a bound; beyond it, counted in one summary row."""

    def __init__(self, spider: OutletSpider, endpoint: str, via: str):
        self.spider = spider
        self.endpoint = endpoint
        self.via = via
        self.counts: Counter[str] = Counter()

    def record(self, entry: dict, reason: str):
        spider = self.spider
        spider.crawler.stats.inc_value(f"newsagg/{spider.outlet_slug}/dropped/{reason}")
        self.counts[reason] += 1
        if self.counts.total() > spider.max_dropped:
            return
        link = entry.get("url")
        link = link.strip()[:2000] if isinstance(link, str) and link.strip() else repr(link)
        try:
            url = canonical_url(link, spider.base_urls) if reason != "malformed-url" else link
        except ValueError:
            url = link
        yield Discovery(
            url=url,
            outlet=spider.outlet_slug,
            via=self.via,
            decision="skipped",
            reason=reason,
            title=entry.get("title") if isinstance(entry.get("title"), str) else None,
        )

    def summary(self):
        unrecorded = self.counts.total() - self.spider.max_dropped
        if unrecorded <= 0:
            return
        kinds = ", ".join(f"{reason} {n}" for reason, n in self.counts.most_common())
        yield Discovery(
            url=f"{canonical_url(self.endpoint, self.spider.base_urls)}#dropped",
            outlet=self.spider.outlet_slug,
            via=self.via,
            decision="skipped",
            reason=f"dropped-links: {unrecorded} more not recorded ({kinds})",
        )

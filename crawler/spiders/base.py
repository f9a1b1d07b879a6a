"""The shared outlet spider: discovery and dispatch only.

It reads the outlet's feeds and news sitemaps, turns each entry into a candidate request
(the pre-filter middleware decides whether it is fetched) and hands fetched pages to the item
pipelines as ``ArticleItem``. It never extracts, scores or stores anything itself.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import scrapy
from scrapy.http import TextResponse

from crawler.feeds import FeedError, parse_rss, parse_sitemap
from crawler.items import ArticleItem, Candidate, Discovery
from crawler.outlets import get_outlet
from crawler.timeutil import iso_utc
from crawler.urls import canonical_url, rebase, strip_noise

MAX_SITEMAP_DEPTH = 3


def outlet_urls(settings) -> dict[str, str]:
    """NEWSAGG_OUTLET_URLS as a dict, whether it came as a dict or as JSON text."""
    value = settings.get("NEWSAGG_OUTLET_URLS") or {}
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else {}
    return {str(k): str(v).rstrip("/") for k, v in dict(value).items()}


class OutletSpider(scrapy.Spider):
    outlet_slug: str = ""

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.outlet = get_outlet(cls.outlet_slug)
        spider.base_urls = outlet_urls(crawler.settings)
        spider.base = spider.base_urls.get(cls.outlet_slug, spider.outlet.base_url)
        return spider

    # --- discovery -------------------------------------------------------------------------

    async def start(self):
        for path in self.outlet.feeds:
            yield self.endpoint_request(self.base + path, self.parse_feed, "rss")
        for path in self.outlet.news_sitemaps:
            yield self.endpoint_request(self.base + path, self.parse_sitemap, "news-sitemap")

    def endpoint_request(self, url: str, callback, via: str, **kwargs) -> scrapy.Request:
        """A feed, sitemap or search request; its failure is recorded, not raised."""
        return scrapy.Request(
            url, callback=callback, errback=self.endpoint_error, cb_kwargs={"via": via, **kwargs}
        )

    def endpoint_error(self, failure):
        request = failure.request
        yield self.endpoint_failed(
            request.url,
            request.cb_kwargs.get("via", "rss"),
            f"download-error: {failure.type.__name__}",
        )

    def parse_feed(self, response, via: str):
        try:
            entries = parse_rss(response.body)
        except FeedError as exc:
            yield self.endpoint_failed(response.url, via, f"bad-feed: {exc}")
            return
        self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/feed_entries", len(entries))
        for entry in entries:
            yield from self.candidate_request(entry, via)

    def parse_sitemap(self, response, via: str, depth: int = 0):
        try:
            kind, entries = parse_sitemap(response.body)
        except FeedError as exc:
            yield self.endpoint_failed(response.url, via, f"bad-sitemap: {exc}")
            return
        if kind == "index":
            if depth >= MAX_SITEMAP_DEPTH:
                yield self.endpoint_failed(response.url, via, "sitemap-index-too-deep")
                return
            for entry in entries:
                url = rebase(entry["url"], self.outlet, self.base)
                if self.outlet.owns(entry["url"]) or url.startswith(self.base):
                    yield self.endpoint_request(url, self.parse_sitemap, via, depth=depth + 1)
            return
        for entry in entries:
            yield from self.candidate_request(entry, via)

    def candidate_request(self, entry: dict, via: str):
        """A request for a feed/sitemap entry; other hosts and non-articles are dropped."""
        candidate = Candidate(
            url=entry["url"],
            outlet=self.outlet_slug,
            via=via,
            title=entry.get("title"),
            published=iso_utc(entry.get("published") or entry.get("lastmod"), self.outlet.timezone),
            keywords=entry.get("keywords") or [],
            description=entry.get("description"),
            language=entry.get("language"),
        )
        if not self.outlet.owns(candidate.url) or not self.outlet.is_article(candidate.url):
            self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/not_article")
            return
        url = strip_noise(rebase(candidate.url, self.outlet, self.base), self.outlet)
        yield scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            meta={"candidate": asdict(candidate)},
        )

    # --- dispatch --------------------------------------------------------------------------

    def parse_article(self, response):
        candidate = response.meta["candidate"]
        if response.status >= 400:
            yield self.discovery(candidate, "failed", f"http-{response.status}")
            return
        if not isinstance(response, TextResponse):
            yield self.discovery(candidate, "failed", "not-html")
            return
        yield ArticleItem(
            url=response.url,
            canonical_url=canonical_url(response.url, self.base_urls),
            outlet=self.outlet_slug,
            via=candidate["via"],
            http_status=response.status,
            html=response.text,
            candidate=candidate,
        )

    def article_failed(self, failure):
        candidate = failure.request.meta["candidate"]
        yield self.discovery(candidate, "failed", f"download-error: {failure.type.__name__}")

    def discovery(self, candidate: dict, decision: str, reason: str) -> Discovery:
        return Discovery(
            url=canonical_url(candidate["url"], self.base_urls),
            outlet=self.outlet_slug,
            via=candidate["via"],
            decision=decision,
            reason=reason,
            title=candidate.get("title"),
            published=candidate.get("published"),
        )

    def endpoint_failed(self, url: str, via: str, reason: str) -> Discovery:
        self.crawler.stats.inc_value(f"newsagg/{self.outlet_slug}/endpoint_errors")
        self.logger.warning("%s: %s", url, reason)
        return Discovery(
            url=url, outlet=self.outlet_slug, via=via, decision="failed", reason=reason
        )

"""`newsagg doctor`: is each outlet still the site its module expects, right now?

One look per outlet, with the crawl's own code: robots.txt (read as Scrapy reads it, with
Protego), each feed, news sitemap, sitemap index and listing the outlet module declares
(``crawler/feeds.py`` and the module's listing reader: reachable, parses, has entries, the
newest entry's time), then the newest article found, fetched and read by ``extract_article``
with the outlet's quirks (title, byline, time with minutes, body from the outlet's markup and
of a usual length, access as the module expects). One line per check, one verdict per outlet.

Plain HTTP (urllib) with the crawl's User-Agent; every URL is checked against robots.txt
first, and live sites get a pause between requests (the crawl's DOWNLOAD_DELAY). Site search
and the daily sitemaps of a story's window are left out: they need a story's queries and days.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

from protego import Protego

from crawler import settings as defaults
from crawler.feeds import FeedError, parse_rss, parse_sitemap
from crawler.health import endpoint_path, has_minutes
from crawler.outlets import Outlet
from crawler.timeutil import UTC, parse_datetime
from crawler.urls import canonical_url, outlet_link, rebase, strip_noise
from pipelines.extract import extract_article

OK, WARN, FAIL = "ok", "warn", "FAIL"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
BLOCK_STATUSES = (401, 403)
# Live: the newest entry of a feed older than this means the feed stopped moving.
STALE_DAYS = 3
TIMEOUT = 20
MAX_BODY = defaults.NEWSAGG_SITEMAP_MAXSIZE
# Local servers (the replica, a test server) are reached directly, never through a proxy.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
PROXIED = urllib.request.build_opener()


@dataclass
class Check:
    status: str  # OK, WARN or FAIL
    name: str
    text: str


@dataclass
class Answer:
    url: str
    status: int | None  # None: no answer (refused, DNS, timeout)
    body: bytes = b""
    content_type: str = ""
    error: str = ""

    @property
    def why(self) -> str:
        return f"http-{self.status}" if self.status is not None else f"unreachable: {self.error}"


@dataclass
class Report:
    outlet: Outlet
    base: str
    checks: list[Check] = field(default_factory=list)

    def add(self, status: str, name: str, text: str) -> None:
        self.checks.append(Check(status, name, text))

    @property
    def verdict(self) -> str:
        statuses = {c.status for c in self.checks}
        return "broken" if FAIL in statuses else "warnings" if WARN in statuses else "ok"

    def lines(self) -> list[str]:
        width = max((len(c.name) for c in self.checks), default=0)
        out = [f"{self.outlet.slug} ({self.base})"]
        out += [f"  {c.status:4}  {c.name.ljust(width)}  {c.text}" for c in self.checks]
        failed = sum(c.status == FAIL for c in self.checks)
        warned = sum(c.status == WARN for c in self.checks)
        counts = ", ".join(
            f"{n} {label}" for n, label in ((failed, "failed"), (warned, "warnings")) if n
        )
        out.append(
            f"  verdict: {self.outlet.slug} {self.verdict}" + (f" ({counts})" if counts else "")
        )
        return out


class Fetcher:
    """GETs with the crawl's User-Agent, robots.txt obeyed, a pause between live requests."""

    def __init__(self, base: str, delay: float, user_agent: str = defaults.USER_AGENT):
        self.base = base
        self.delay = delay
        self.user_agent = user_agent
        self.robots: Protego | None = None
        self.last = 0.0
        host = urlsplit(base).hostname or ""
        self.opener = DIRECT if host in {"127.0.0.1", "localhost", "::1"} else PROXIED

    def get(self, url: str) -> Answer:
        wait = self.last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)  # politeness towards a live site, not a wait for a condition
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with self.opener.open(request, timeout=TIMEOUT) as answer:
                body = answer.read(MAX_BODY + 1)
                return Answer(url, answer.status, body, answer.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as exc:
            body = exc.read(MAX_BODY + 1)
            return Answer(url, exc.code, body, exc.headers.get("Content-Type", ""))
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return Answer(url, None, error=str(reason)[:120])
        finally:
            self.last = time.monotonic()

    def allowed(self, url: str) -> bool:
        return self.robots is None or self.robots.can_fetch(url, self.user_agent)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def newest(entries: list[dict], tz=UTC) -> datetime | None:
    stamps = [parse_datetime(e.get("published") or e.get("lastmod"), tz) for e in entries]
    stamps = [s for s in stamps if s is not None]
    return max(stamps) if stamps else None


def age_text(when: datetime | None, now: datetime | None) -> tuple[str, bool]:
    """("newest entry 2025-04-26 01:15 UTC, 2 h old", stale?) for a feed's newest entry."""
    if when is None:
        return "entries undated", False
    text = f"newest entry {when.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    if now is None:
        return text, False
    hours = max(0.0, (now - when).total_seconds() / 3600)
    old = f"{hours:.0f} h old" if hours < 48 else f"{hours / 24:.0f} days old"
    return f"{text}, {old}", hours > STALE_DAYS * 24


class Doctor:
    """Checks one outlet at one base URL (``now``: the time against which feed ages are
    judged; None to show the newest entries' times without judging them)."""

    def __init__(self, outlet: Outlet, base: str, now: datetime | None, delay: float = 0.0):
        self.outlet = outlet
        self.base = base.rstrip("/")
        self.now = now
        self.fetcher = Fetcher(self.base, delay)
        self.report = Report(outlet, self.base)
        # Article links found in the endpoints, with their time: the newest is read.
        self.articles: list[tuple[datetime | None, str]] = []

    def run(self) -> Report:
        self.check_robots()
        outlet = self.outlet
        self.articles.clear()
        for path in outlet.feeds:
            self.check_endpoint(path, "rss")
        for path in outlet.news_sitemaps:
            self.check_endpoint(path, "news-sitemap")
        for path in outlet.sitemaps:
            self.check_endpoint(path, "sitemap")
        for path in outlet.listings:
            self.check_endpoint(path, "listing")
        self.check_article()
        return self.report

    def check_robots(self) -> None:
        url = urljoin(self.base, "/robots.txt")
        answer = self.fetcher.get(url)
        add = self.report.add
        if answer.status == 200:
            text = answer.body.decode("utf-8", errors="replace")
            self.fetcher.robots = Protego.parse(text)
            sitemaps = len(list(self.fetcher.robots.sitemaps))
            rules = sum(
                line.strip().lower().startswith(("allow:", "disallow:"))
                for line in text.splitlines()
            )
            add(
                OK,
                "robots.txt",
                f"200, {plural(rules, 'rule')}, {plural(sitemaps, 'sitemap')} named",
            )
        elif answer.status == 404:
            add(WARN, "robots.txt", "404: none, so everything is allowed")
        elif answer.status in BLOCK_STATUSES:
            add(FAIL, "robots.txt", f"{answer.why}: blocked (a bot wall?)")
        else:
            add(FAIL, "robots.txt", answer.why)

    def read(self, url: str, via: str) -> tuple[str, str, list[dict]]:
        """(problem or "", kind, entries) of one endpoint: "feed", "listing", "index" or
        "urlset", read with the crawl's readers."""
        if not self.fetcher.allowed(url):
            return "robots", "", []
        answer = self.fetcher.get(url)
        if answer.status != 200:
            blocked = " (blocked)" if answer.status in BLOCK_STATUSES else ""
            return f"{answer.why}{blocked}", "", []
        try:
            if via == "rss":
                return "", "feed", parse_rss(answer.body)
            if via == "listing":
                text = answer.body.decode("utf-8", errors="replace")
                found = self.outlet.parse_listing(text)
                return (
                    "",
                    "listing",
                    [{**e, "url": urljoin(url, e.get("url") or "")} for e in found],
                )
            return "", *parse_sitemap(answer.body)
        except FeedError as exc:
            return f"200 but does not parse: {exc}", "", []

    def check_endpoint(self, path: str, via: str) -> None:
        problem, kind, entries = self.read(self.base + path, via)
        add = self.report.add
        if problem == "robots":
            add(WARN, path, f"{via}: robots.txt disallows it (the crawl skips it)")
        elif problem:
            add(FAIL, path, f"{via}: {problem}")
        elif not entries:
            add(FAIL, path, f"{via}: 200, parses, but has no entries")
        elif kind == "index":
            add(OK, path, f"{via}: 200, an index of {len(entries)} sitemaps")
            self.check_child(entries, via)
        else:
            self.entries_found(path, via, entries)

    def entries_found(self, name: str, via: str, entries: list[dict]) -> None:
        age, stale = age_text(newest(entries, self.outlet.timezone), self.now)
        self.report.add(WARN if stale else OK, name, f"{via}: 200, {len(entries)} entries, {age}")
        for entry in entries:
            real = outlet_link(entry.get("url") or "", self.outlet, self.base)
            if real and self.outlet.is_article(real):
                stamp = parse_datetime(entry.get("published"), self.outlet.timezone)
                self.articles.append((stamp, canonical_url(real)))

    def check_child(self, children: list[dict], via: str) -> None:
        """An index's newest sitemap with entries (one level down, up to three tried): where
        its articles are. Newest by ``lastmod``, else by URL (daily files name their day)."""
        tz = self.outlet.timezone
        ordered = sorted(
            children,
            key=lambda c: (parse_datetime(c.get("lastmod"), tz) or EPOCH, c.get("url") or ""),
            reverse=True,
        )
        name = "  newest sitemap"
        for child in ordered[:3]:
            real = outlet_link(child.get("url") or "", self.outlet, self.base)
            if real is None:
                self.report.add(FAIL, name, f"{child.get('url')}: not on the outlet's site")
                return
            problem, kind, entries = self.read(rebase(real, self.outlet, self.base), via)
            if problem:
                self.report.add(FAIL, name, f"{endpoint_path(real)}: {problem}")
                return
            if entries and kind == "urlset":
                self.entries_found(name, f"{via} {endpoint_path(real)}", entries)
                return
        self.report.add(WARN, name, "the newest sitemaps of the index have no entries")

    def check_article(self) -> None:
        add = self.report.add
        if not self.articles:
            add(FAIL, "article", "no article link found in any endpoint to check")
            return
        dated = [a for a in self.articles if a[0] is not None]
        real = max(dated)[1] if dated else self.articles[0][1]
        url = strip_noise(rebase(real, self.outlet, self.base), self.outlet)
        if not self.fetcher.allowed(url):
            add(WARN, "article", f"{real}: robots.txt disallows it")
            return
        answer = self.fetcher.get(url)
        expected = self.outlet.access
        if answer.status in BLOCK_STATUSES:
            status = OK if "blocked" in expected else FAIL
            add(
                status,
                "article",
                f"{real}: {answer.why}, access blocked (expected {'/'.join(expected)})",
            )
            return
        if answer.status != 200:
            add(FAIL, "article", f"{real}: {answer.why}")
            return
        fields = extract_article(answer.body, real, self.outlet.slug)
        access = fields["access"]
        add(
            OK if access in expected else FAIL,
            "article",
            f"{real}: 200, access {access} (expected {'/'.join(expected)})",
        )
        self.check_fields(fields)

    def local(self, published: str) -> str:
        """A stored time as the page showed it: "2025-04-26 00:00 +0900"."""
        when = parse_datetime(published, self.outlet.timezone)
        return f"{when.astimezone(self.outlet.timezone):%Y-%m-%d %H:%M %z}" if when else published

    def check_fields(self, fields: dict) -> None:
        add = self.report.add
        title = fields.get("title")
        add(OK if title else FAIL, "title", title or "none found")
        authors = fields.get("authors") or []
        add(OK if authors else FAIL, "byline", ", ".join(authors) or "none found")
        published = fields.get("published")
        if has_minutes(published, self.outlet.timezone):
            add(OK, "time", published)
        else:
            add(
                FAIL,
                "time",
                f"no time of day ({self.local(published)})" if published else "none found",
            )
        words = fields.get("word_count") or 0
        markup = fields.get("outlet_body")
        if fields["access"] != "full":
            add(OK if words else FAIL, "body", f"{words} words ({fields['access']}: a preview)")
        elif markup is False:
            add(
                FAIL,
                "body",
                f"the outlet's body markup was not found ({words} words by generic extraction)",
            )
        elif words < defaults.NEWSAGG_MIN_WORDS:
            add(FAIL, "body", f"{words} words (under {defaults.NEWSAGG_MIN_WORDS})")
        else:
            source = "from the outlet's body markup" if markup else "generic extraction"
            add(OK, "body", f"{words} words, {source}")

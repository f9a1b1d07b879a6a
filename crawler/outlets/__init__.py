"""The outlet registry: one module per outlet, plain data plus small pure functions.

Each module defines ``OUTLET``. The registry is validated at import, so a broken outlet module
fails loudly before any crawl starts.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from urllib.parse import urlsplit

import lxml.html

from crawler.timeutil import UTC

DISCOVERY_METHODS = ("rss", "news-sitemap", "sitemap", "listing", "search")


@dataclass(frozen=True)
class Outlet:
    slug: str
    name: str
    base_url: str
    domains: tuple[str, ...]
    article_path: re.Pattern[str]
    timezone: tzinfo = UTC
    feeds: tuple[str, ...] = ()
    news_sitemaps: tuple[str, ...] = ()
    # A Google-News sitemap per day: a path template with {date:%Y%m%d}-style fields.
    dated_news_sitemap: str | None = None
    # Full sitemap indexes, for dates older than the news sitemaps hold.
    sitemaps: tuple[str, ...] = ()
    # Section listing pages, read with ``parse_listing``.
    listings: tuple[str, ...] = ()
    # Site search: a path template with {query}; results are read with ``parse_listing``.
    search: str | None = None
    title_suffixes: tuple[str, ...] = ()
    # Query parameters that are tracking or navigation noise on this outlet.
    noise_params: frozenset[str] = frozenset()
    # Names by which a source piece cites this outlet ("As reported by Yonhap News Agency").
    aliases: tuple[str, ...] = ()
    # Page quirks: pure functions of an lxml tree / the extracted text.
    page_fields: Callable[..., dict] | None = None
    # Listing and search-result pages: html -> [{url, title, published}] (urls may be relative).
    parse_listing: Callable[[str], list[dict]] | None = None
    # The publication day written in an article URL, for entries that carry no date.
    url_date: Callable[[str], date | None] | None = None
    # Versions of one story: url -> (story key, version number), for `update` links.
    story_version: Callable[[str], tuple[str, int] | None] | None = None
    # The outlet a text credits as its source ("(Yonhap)" in a dateline), for `syndicated`.
    credited: Callable[[str], str | None] | None = None
    clean_text: Callable[[str], str] | None = None
    clean_title: Callable[[str], str] | None = None
    notes: tuple[str, ...] = field(default=())
    # ``page_fields`` reads the body itself: a page where it finds none has changed layout.
    reads_body: bool = False
    # The access a fetched article page has when all is well (checked by `newsagg doctor`).
    access: tuple[str, ...] = ("full",)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    def discovery_methods(self) -> list[str]:
        methods = []
        if self.feeds:
            methods.append("rss")
        if self.news_sitemaps or self.dated_news_sitemap:
            methods.append("news-sitemap")
        if self.sitemaps:
            methods.append("sitemap")
        if self.listings:
            methods.append("listing")
        if self.search:
            methods.append("search")
        return methods

    def owns(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host in self.domains

    def is_article(self, url: str) -> bool:
        return bool(self.article_path.search(urlsplit(url).path))


def first_text(tree, xpath: str) -> str | None:
    """The stripped text of the first element ``xpath`` finds in a page, if any."""
    found = tree.xpath(xpath)
    return found[0].text_content().strip() if found else None


def br_lines(element) -> list[str]:
    """The text lines of an element split at its <br/> children (the tree is not changed):
    bylines and notes share a paragraph, old layouts separate paragraphs with <br><br>."""
    lines, current = [], [element.text or ""]
    for child in element:
        if child.tag == "br":
            lines.append("".join(current))
            current = [child.tail or ""]
        else:
            current.append(child.text_content() + (child.tail or ""))
    lines.append("".join(current))
    # Line breaks in the markup are spaces on the page.
    return [" ".join(line.split()) for line in lines if line.strip()]


def split_names(names: str) -> list[str]:
    """ "Kim Seo-yeon and Lee Ha-eun" / "A, B and C" -> a list of names."""
    return [n.strip() for n in re.split(r",|\band\b|&", names) if n.strip()]


def byline_names(pattern: re.Pattern[str], line: str) -> list[str]:
    """Names in a byline line matched by an outlet's pattern (with a ``names`` group)."""
    match = pattern.match(line)
    return split_names(match["names"]) if match else []


def listing_entries(
    html: str, item: str, link: str, title: str | None, date: str | None
) -> list[dict]:
    """Entries of a listing or search page: one per ``item`` element, with the first ``link``,
    its ``title`` (else the link's text) and its ``date`` (an element's text or an @attribute)."""
    entries = []
    for element in lxml.html.fromstring(html).xpath(item):
        links = element.xpath(link)
        if not links:
            continue
        heading = element.xpath(title) if title else []
        when = element.xpath(date) if date else []
        stamp = when[0] if when else None
        entries.append(
            {
                "url": links[0].get("href"),
                "title": (heading[0] if heading else links[0]).text_content().strip(),
                "published": stamp.strip()
                if isinstance(stamp, str)
                else (stamp.text_content().strip() if stamp is not None else None),
            }
        )
    return entries


def article_links(html: str) -> list[dict]:
    """Every link on a page with its text: a listing reader for sites without a stable list."""
    tree = lxml.html.fromstring(html)
    return [
        {"url": a.get("href"), "title": a.text_content().strip() or None, "published": None}
        for a in tree.xpath("//a[@href]")
    ]


MODULES = ("yonhap", "koreaherald", "reuters", "nikkei")


def _load() -> dict[str, Outlet]:
    registry: dict[str, Outlet] = {}
    for name in MODULES:
        outlet = importlib.import_module(f"crawler.outlets.{name}").OUTLET
        _validate(outlet, name)
        registry[outlet.slug] = outlet
    return registry


def _validate(outlet: Outlet, module: str) -> None:
    problems = []
    if outlet.slug != module:
        problems.append(f"slug {outlet.slug!r} differs from its module name")
    if urlsplit(outlet.base_url).netloc not in outlet.domains:
        problems.append("base_url host is not among its domains")
    if not outlet.discovery_methods():
        problems.append("declares no discovery endpoint")
    paths = [*outlet.feeds, *outlet.news_sitemaps, *outlet.sitemaps, *outlet.listings]
    if (outlet.listings or outlet.search) and outlet.parse_listing is None:
        problems.append("has listing or search pages but no parse_listing")
    problems += [f"endpoint {p!r} is not a path" for p in paths if not p.startswith("/")]
    if problems:
        raise ValueError(f"outlet module {module}: " + "; ".join(problems))


OUTLETS: dict[str, Outlet] = _load()


def get_outlet(slug: str) -> Outlet:
    try:
        return OUTLETS[slug]
    except KeyError:
        known = ", ".join(sorted(OUTLETS))
        raise KeyError(f"unknown outlet {slug!r} (known: {known})") from None


def outlet_for_url(url: str) -> Outlet | None:
    return next((o for o in OUTLETS.values() if o.owns(url)), None)

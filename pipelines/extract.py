"""Extraction: trafilatura plus the page's own metadata plus the outlet's quirks.

``extract_article`` is the pure library call (DESIGN.md contract); ``ExtractPipeline`` applies
it to fetched pages. This is the only module that calls trafilatura.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import html as htmllib
import itertools
import json
import logging
import multiprocessing
import os
import re
import resource
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import htmldate
import lxml.etree
import lxml.html
import pebble
import trafilatura
import trafilatura.metadata
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.http import TextResponse

from crawler import neardup, pagemeta
from crawler.health import page_health
from crawler.items import ArticleItem
from crawler.outlets import OUTLETS, Outlet
from crawler.scoring import scoring_text, text_features
from crawler.textutil import fold, normalise, tidy
from crawler.timeutil import UTC, iso_utc, parse_datetime
from crawler.urls import canonical_url
from pipelines.dedupe import content_hash

logger = logging.getLogger(__name__)


def extract_article(html: str | bytes, url: str, outlet: str | None = None) -> dict:
    """Title, authors, dates (UTC ISO), language, description, text and access of one page.

    ``html`` is the page's text, or its bytes (decoded as the crawl decodes a response).
    ``outlet`` is a registry slug; None means a page from anywhere (generic metadata only).
    """
    spec: Outlet | None = OUTLETS.get(outlet) if outlet else None
    tz = spec.timezone if spec else UTC
    tree = parse_page(html)
    if tree is None:
        return _empty()
    meta = pagemeta.meta_tags(tree)
    objects = pagemeta.json_ld_objects(tree)
    ld = pagemeta.news_article(tree, url, objects)
    site = SiteNames.of(pagemeta.site_names(meta, objects, ld), url)
    quirks = spec.page_fields(tree) if spec and spec.page_fields else {}
    lang = (
        tree.get("lang")
        or meta.get("og:locale")
        or ld_str(ld, "inLanguage")
        or first_meta(meta, _LANGUAGE_META)
    )
    canonical = pagemeta.canonical_link(tree)
    headlines = shown_headlines(tree)
    times = tree.xpath("//time/@datetime")[:20]
    # An outlet that reads the text from the page's data (Nikkei's __NEXT_DATA__) skips
    # trafilatura.
    doc = None if "text" in quirks else extract_body(tree, url)
    text = normalise_text(
        quirks.get("text") or getattr(doc, "text", None) or ld_str(ld, "articleBody") or ""
    )
    if spec and spec.clean_text:
        text = spec.clean_text(text)
    title = quirks.get("title") or page_title(headlines, meta, ld, doc, site, tree)
    title = clean_title(tidy(title or ""), spec)
    text = without_headline(text, [title, *headlines["h1"][:1]])
    if quirks.get("published"):
        published = iso_utc(quirks["published"], tz)
    else:
        published = page_published(ld, meta, times, doc, tz)
    # The outlet's reading of the byline wins, even when it finds only an agency credit.
    if "authors" in quirks:
        authors = quirks["authors"]
    else:
        authors = page_authors(
            pagemeta.ld_authors(ld.get("author")),
            site,
            more=lambda: _other_bylines(doc, tree),
            marked=pagemeta.marked_bylines(tree),
        )
    modified = quirks.get("modified") or ld.get("dateModified") or meta.get("article:modified_time")
    description = (
        quirks.get("description")
        or ld_str(ld, "description")
        or first_meta(meta, _DESCRIPTION_META)
    )
    return {
        "title": title or None,
        "authors": authors,
        "published": published,
        "modified": iso_utc(modified, tz),
        "language": (lang or "").split("-")[0].split("_")[0] or None,
        "description": normalise(description) if description else None,
        "keywords": pagemeta.keywords(
            quirks.get("keywords")
            or ld.get("keywords")
            or meta.get("news_keywords")
            or meta.get("keywords")
        ),
        "text": text,
        "word_count": len(text.split()),
        "access": quirks.get("access") or "full",
        "canonical": canonical,
        # Did the outlet module's page reader find the body (None: it reads no body)? A site
        # that renamed its body container falls back to generic extraction: health notices.
        "outlet_body": ("text" in quirks) if spec and spec.reads_body else None,
    }


# Where a page states its title, language or description besides <title>, <html lang>, og
# and JSON-LD.
_TITLE_META = ("title", "dc.title", "dcterms.title", "parsely-title", "sailthru.title")
_LANGUAGE_META = ("language", "dc.language", "dcterms.language", "content-language")
_DESCRIPTION_META = (
    "og:description",
    "description",
    "twitter:description",
    "dc.description",
    "dcterms.description",
)


def first_meta(meta: dict, keys: tuple[str, ...]) -> str | None:
    """The first of these meta tags the page fills."""
    return next(filter(None, map(meta.get, keys)), None)


def ld_str(ld: dict, key: str) -> str | None:
    return pagemeta.ld_text(ld.get(key))


# --- Titles -----------------------------------------------------------------------------

# Between a headline and the site's name: " | Site", " - Site", " – Site". A colon is not one:
# "Kicker: Headline" is the headline.
_SEPARATOR = re.compile(r"\s+[-|–—·•»/]\s+|\s*[|ㅣ｜：]\s*")
# What may follow a headline that another candidate spells in full: "Headline - Site",
# "Headline-Section|Site" (a bare hyphen counts here, the headline being known).
_AFFIX = re.compile(r"\s*[-|–—·•»/ㅣ｜：]")


def without_headline(text: str, headlines: list[str]) -> str:
    """The body without the headline repeated at its top (trafilatura keeps an <h1> that sits
    inside the article), and without a kicker printed above it ("Il caso"): the body is what
    follows the headline."""
    keys = {_compact(h) for h in headlines if h} - {""}
    lines = text.split("\n", 3)
    for i, line in enumerate(lines[:3]):
        if i + 1 < len(lines) and _compact(line) in keys:
            return "\n".join(lines[i + 1 :]).lstrip()
        if len(line.split()) > 4:  # a line of text, not a kicker: the headline is not above it
            break
    return text


def _compact(text: str) -> str:
    return fold(text).removeprefix("the ").replace(" ", "")


@dataclass(frozen=True)
class SiteNames:
    """What the site calls itself (``names``) and its host's labels (``hosts``), compacted:
    "The Namibian" and namibian.com.na both give "namibian"."""

    names: frozenset[str]
    hosts: frozenset[str]
    host: str = ""

    @classmethod
    def of(cls, names: list[str], url: str) -> SiteNames:
        host = (urlsplit(url).hostname or "").removeprefix("www.")
        labels = {label for label in host.split(".")[:-1] if len(label) > 2}
        # thespacereview.com is "The Space Review", whose key drops the "The".
        labels |= {label.removeprefix("the") for label in labels if label.startswith("the")}
        names_ = frozenset(filter(None, map(_compact, names)))
        return cls(names_, frozenset({*labels, _compact(host)} - {""}), _compact(host))

    def named(self, text: str) -> bool:
        key = _compact(text)
        return bool(key) and (key in self.names or key in self.hosts)


# An h1 in a list or a navigation bar is the site's (a breadcrumb, a strip of sections)...
_LISTED = "ancestor::li or ancestor::nav or ancestor::ul or ancestor::footer"
# ...and the article's headline is then the heading that opens the <article>.
_ARTICLE_HEADING = (
    f"//article//h1[not({_LISTED})] | //article//hgroup//h2[not({_LISTED})]"
    f" | //article//header//h2[not({_LISTED})]"
)


def shown_headlines(tree) -> dict[str, list[str]]:
    """The headlines a reader sees, read before trafilatura: the h1s (the heading that opens
    the <article> first where the page's h1s stand in lists or navigation) and the <title>."""
    elements = list(tree.iter("h1"))
    opening = []
    if elements and all(h.xpath(_LISTED) for h in elements):
        opening = tree.xpath(_ARTICLE_HEADING)[:1]
    h1s = [tidy(" ".join(h.itertext())) for h in opening + elements]
    titles = tree.xpath("//head/title/text()") or tree.xpath("//title[not(ancestor::svg)]/text()")
    return {
        "h1": [h for h in h1s if h][:10],
        "opening": h1s[: len(opening)],
        "title": [tidy(t) for t in titles[:1] if t.strip()],
    }


def _splits(text: str) -> list[tuple[str, str]]:
    return [(text[: m.start()], text[m.end() :]) for m in _SEPARATOR.finditer(text)]


def _agrees(h1: str, other: str) -> bool:
    """``other`` is ``h1`` up to spacing and punctuation (an h1 built of spans), maybe with a
    site name or section after or before a separator; the headline is the longer side, so a
    logo's h1 does not agree with a <title>."""
    key = _compact(h1)
    if not key:
        return False
    if _compact(other) == key:
        return True
    return any(
        (_compact(head) == key and len(head) >= len(tail))
        or (_compact(tail) == key and len(tail) >= len(head))
        for head, tail in _splits(other)
    )


def _kicked(h1: str, headline: str) -> bool:
    """``h1`` is a kicker run into ``headline`` ("Verkehrschaos Marode Brücke gesperrt: …",
    its spans joined without a separator): the headline is most of it, three words or more."""
    key, whole = _compact(headline), _compact(h1)
    return (
        len(headline.split()) >= 3
        and whole != key
        and whole.endswith(key)
        and len(key) >= 0.6 * len(whole)
    )


def strip_site_name(title: str, site: SiteNames) -> str:
    """The title without a site name before or after a separator ("Headline - The
    Namibian"); a part that is not the site's name stays, dashes and all."""
    for head, tail in reversed(_splits(title)):
        if head.strip() and site.named(tail):
            return strip_site_name(head.strip(), site)
    for head, tail in _splits(title):
        if tail.strip() and site.named(head):
            return strip_site_name(tail.strip(), site)
    # "The Space Review: Headline": the site's name as a kicker.
    head, colon, tail = title.partition(": ")
    if colon and tail.strip() and site.named(head):
        return tail.strip()
    return title


def headline_part(title: str, others: list[str], site: SiteNames) -> str:
    """``title`` without what surrounds the headline: the site's name, or whatever follows
    (or precedes) a separator when another of the page's headlines is exactly the rest
    ("Headline – DW – 13.06.2023" where twitter:title is "Headline")."""
    title = strip_site_name(title, site)
    for other in sorted({o.strip() for o in others if o}, key=len, reverse=True):
        if len(other) >= len(title):
            continue
        if title.startswith(other) and _AFFIX.match(title[len(other) :]):
            return other
        # "Section | Headline"; a shorter headline after a colon drops a kicker, not a site.
        if title.endswith(other) and re.search(r"[-|–—·•»ㅣ｜]\s*$", title[: -len(other)]):
            return other
    return title


def page_title(
    headlines: dict[str, list[str]], meta: dict, ld: dict, doc, site: SiteNames, tree=None
) -> str:
    """The headline as the page shows it.

    A JSON-LD headline is often written for search engines, so the shown ones come first:
    og:title or twitter:title (the headline of the page's card, one string where an h1 is
    often built of a kicker and title spans) when the page's text shows it too; else an h1
    that agrees with the JSON-LD headline or the <title> (a card headline that appears
    nowhere on the page is a teaser written for social media); else the card; the JSON-LD
    headline only when nothing is shown or it agrees with the <title>; each without the
    site's name.
    """
    h1s = [h for h in headlines["h1"] if not site.named(h)]
    page = headlines["title"][0] if headlines["title"] else None
    headline = ld_str(ld, "headline") or _unescape(meta.get("headline")) or ld_str(ld, "name")
    social = [_unescape(meta.get(k)) for k in ("og:title", "twitter:title")]
    social = [t for t in social if t and not site.named(t)]
    others = [*h1s, *social, headline, page]
    cards = [headline_part(t, others, site) for t in social]
    # The heading that opens the article, where the site's h1 is a navigation item, is the
    # headline when the JSON-LD headline confirms it; spelled as JSON-LD does, as a heading
    # built of a kicker's and a title's spans loses the colon between them.
    opening = headlines.get("opening") or []
    if opening and headline and _agrees(opening[0], headline):
        return headline
    if tree is not None and h1s and not all(_agrees(h1s[0], c) for c in cards):
        shown = visible_text(tree)
        # A card that opens the h1 ("Headline" of "Headline – and more") is the h1 shortened:
        # the h1 is the headline.
        whole = _compact(h1s[0])
        if any(
            _compact(c) and whole != _compact(c) and whole.startswith(_compact(c)) for c in cards
        ):
            return h1s[0]
        visible = [c for c in cards if _compact(c) in shown]
        if visible:
            cards = visible
        elif not any(_agrees(h1s[0], c) for c in cards):
            cards = []
    if cards:
        # A card cut short by a quote its attribute did not escape: the h1 holds it whole.
        uncut = [
            h for h in h1s if h.startswith(cards[0]) and h[len(cards[0]) :].lstrip()[:1] in _QUOTES
        ]
        if uncut:
            return uncut[0]
        # The h1 that says the card with other quotes or dashes: as the page prints it.
        same = [h for h in h1s[:1] if _quotes(h) == _quotes(cards[0])]
        return same[0] if same else cards[0]
    # An h1 confirmed by the JSON-LD headline, the <title> (without the site's name, so that
    # "Opinion | Headline | Site" confirms "Headline") or JSON-LD's alternativeHeadline; an h1
    # that is a kicker's span and the JSON-LD headline is that headline.
    alternative = ld_str(ld, "alternativeHeadline")
    for other in filter(None, (headline, page, alternative)):
        agreeing = [
            h
            for h in h1s
            if _agrees(h, other) or _agrees(h, strip_site_name(other, site)) or _kicked(h, other)
        ]
        if agreeing:
            return headline_part(other, agreeing, site)
    if social:
        return headline_part(social[0], others, site)
    if headline and (not page or _agrees(headline, page)):
        return headline
    stated = _unescape(first_meta(meta, _TITLE_META))
    fallback = page or stated or getattr(doc, "title", None) or headline
    if fallback:
        return headline_part(fallback, others, site)
    return h1s[0] if len(h1s) == 1 else ""


_QUOTES = "\"'“”„«»‘’"
# Quotes, apostrophes and dashes as a card often writes them (ASCII): the only difference an
# h1 may have from its card for the h1's spelling to be taken.
_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def _quotes(text: str) -> str:
    return text.translate(_PLAIN)


_VISIBLE = (
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]"
)


def visible_text(tree) -> str:
    """The page's body text as a reader could see it, compacted as headlines are compared."""
    return _compact(" ".join(tree.xpath(_VISIBLE)))


def _unescape(value: str | None) -> str:
    """A meta value once more through the HTML decoder: some pages escape it twice."""
    return tidy(htmllib.unescape(value)) if value else ""


# --- Authors and dates ------------------------------------------------------------------


def page_authors(
    stated: list[str],
    site: SiteNames,
    more: Callable[[], Iterable[list[str]]] = tuple,
    marked: list[str] = (),
) -> list[str]:
    """The people who wrote the page, each once ("Jane Doe" and the slug "Jane-Doe" are one).

    ``stated`` is the JSON-LD byline; ``more`` the page's other bylines, read one after the
    other only while none names a person: trafilatura's (meta tags, byline elements), every
    author meta tag, byline elements, author links. ``marked`` are the names marked up as
    authors (co-authors where they confirm the byline). The site's own name ("The Namibian"
    on namibian.com.na) is no author when any of them names a person; when the site credits
    only itself, that credit is the byline.
    """
    credit: list[str] = []
    for names in itertools.chain((stated,), more()):
        people = [n for n in names if not _is_site(n, site)]
        if people:
            return _each_once(people + _coauthors(people, marked))
        credit = credit or names
    return _each_once(credit)


def _coauthors(people: list[str], marked: list[str]) -> list[str]:
    """The other names marked up as authors where the markup names one of ``people``: the
    page's markup confirms the byline, so its other marked authors wrote the piece too. A
    page that marks more is marking its teasers' authors as well (related articles)."""
    keys = {_compact(p) for p in people}
    if len(marked) > _MARKED_BYLINE or not any(_compact(m) in keys for m in marked):
        return []
    return [m for m in marked if _compact(m) not in keys]


_MARKED_BYLINE = 3


def _each_once(names: list[str]) -> list[str]:
    people: dict[str, str] = {}
    for name in (tidy(n) for n in names):
        key = _compact(name.replace("-", " "))
        if not key:
            continue
        # Keep the spelling that reads like a name: spaces and capitals over a slug.
        if key not in people or _name_like(name) > _name_like(people[key]):
            people[key] = name
    return list(people.values())


def _is_site(name: str, site: SiteNames) -> bool:
    key = _compact(name)
    if key in site.names:
        return True
    # A host label is compared only with one-word bylines: "janedoe.com" may be Jane Doe's.
    # The whole host is the site however it is spaced ("Mdr De" for mdr.de).
    return key == site.host or (key in site.hosts and " " not in fold(name).removeprefix("the "))


def _name_like(name: str) -> tuple[int, int]:
    return name.count(" "), sum(c.isupper() for c in name)


# Where pages state their publication time besides JSON-LD (OpenGraph, its misspelling,
# schema.org microdata, Dublin Core and older habits), in the order they are trusted.
_PUBLISHED_META = (
    "article:published_time",
    "article:published:time",
    "datepublished",
    "dc.date.issued",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "date",
)
_ELSEWHERE = timezone(timedelta(hours=5))


def page_published(ld: dict, meta: dict, times: list[str], doc, tz) -> str | None:
    """The page's first publication (UTC ISO).

    A live blog moves its datePublished (and often article:published_time) to its latest
    update; its start is coverageStartTime, or the earliest date it gives. A value without
    a zone, or a day without a time (trafilatura's), takes the zone and time of another of
    the page's own dates that says the same (a ``<time datetime>``, a meta tag).
    """
    stated = [ld.get("datePublished"), *(meta.get(k) for k in _PUBLISHED_META)]
    # A template's placeholder ("0001-01-01T00:00:00Z", the Unix epoch) dates nothing.
    stated = [v for v in stated if isinstance(v, str) and _web_era(iso_utc(v, tz))]
    if "LiveBlogPosting" in pagemeta.ld_types(ld):
        starts = [iso_utc(v, tz) for v in (ld.get("coverageStartTime"), *stated[:2]) if v]
        if starts := [s for s in starts if s]:
            return min(starts)

    def candidates():
        yield from stated
        yield getattr(doc, "date", None)  # trafilatura's metadata, read only if needed

    for value in candidates():
        if value and _web_era(parsed := iso_utc(value, tz)):
            return _precise(value, [*stated, *times]) or parsed
    return None


def _web_era(iso: str | None) -> bool:
    """A date a web page can have been published on (the first went up in 1991)."""
    return bool(iso) and iso >= "1991"


def _precise(value: str, others: list[str]) -> str | None:
    """Another date of the page's with an explicit zone and the same wall-clock time (or,
    for a bare day, the same day), as UTC ISO; None when there is none."""
    if not _naive(value):
        return None
    wall = _wall_clock(value)
    for other in others:
        if other == value or _naive(other) or not (local := _wall_clock(other)):
            continue
        if local == wall or (len(value.strip()) == 10 and local[:10] == wall[:10]):
            return iso_utc(other)
    return None


def _naive(value: str) -> bool:
    return iso_utc(value, UTC) != iso_utc(value, _ELSEWHERE)


def _wall_clock(value: str) -> str | None:
    """The date and time as written, to the minute, whatever its zone."""
    parsed = parse_datetime(value, UTC)
    if parsed is None:
        return None
    written = None if _naive(value) else _OFFSET.search(value.strip())
    if not written:  # naive (read as UTC) or written in UTC
        return parsed.isoformat()[:16]
    hours, minutes = int(written[2]), int(written[3] or 0)
    delta = timedelta(hours=hours, minutes=minutes) * (-1 if written[1] == "-" else 1)
    return (parsed + delta).replace(tzinfo=None).isoformat()[:16]


_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})?$")


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """The text of a page's bytes, decoded exactly as the crawl decodes ``response.text``.

    Scrapy's TextResponse tries the BOM, the Content-Type charset, a ``<meta>`` or XML
    declaration, then UTF-8 and a detected encoding; unknown charsets are skipped and
    undecodable bytes become U+FFFD, so it never raises.
    """
    headers = {"Content-Type": content_type} if content_type else {}
    return TextResponse(url="about:blank", body=body, headers=headers).text


# XML 1.0 has no place for these, and one of them makes trafilatura give up on a whole page:
# C0 controls other than \t \n \r (a form feed is HTML whitespace), U+FFFE/U+FFFF, and the
# lone surrogates a str can carry but no encoding can. The page is handed to lxml as UTF-8
# bytes, which it parses faster than a str; in UTF-8 a byte under 0x20 is always that
# control character, and EF BF BE/BF always U+FFFE/U+FFFF.
_C0 = bytes(c for c in range(0x20) if c not in b"\t\n\r\x0c")
_FORM_FEED = bytes.maketrans(b"\x0c", b" ")
_SURROGATE = re.compile("[\ud800-\udfff]")
# lxml reads a declared encoding over the parser's: the page is UTF-8 by now.
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def page_markup(html: str | bytes) -> bytes:
    """The page as UTF-8 that lxml and trafilatura accept, with every readable character kept."""
    if isinstance(html, bytes):
        html = decode_page(html)
    html = html.removeprefix("\ufeff")
    try:
        data = html.encode("utf-8")
    except UnicodeEncodeError:
        data = _SURROGATE.sub("\ufffd", html).encode("utf-8")
    data = (
        data.translate(_FORM_FEED, _C0).replace(b"\xef\xbf\xbe", b"").replace(b"\xef\xbf\xbf", b"")
    )
    return _XML_DECLARATION.sub(b"", data)


# As trafilatura parses a page itself: comments and processing instructions dropped, so that a
# comment inside a paragraph does not split its text into a tail that extraction loses.
_PARSER = lxml.html.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False
)


def parse_page(html: str | bytes):
    """The page's lxml tree, or None for a page with no markup at all."""
    markup = page_markup(html)
    if not markup.strip():
        return None
    try:
        return lxml.html.fromstring(markup, parser=_PARSER)
    except lxml.etree.ParserError:  # "Document is empty": only comments or a bare doctype
        return None


def _empty() -> dict:
    return {
        "title": None,
        "authors": [],
        "published": None,
        "modified": None,
        "language": None,
        "description": None,
        "keywords": [],
        "text": "",
        "word_count": 0,
        "access": "full",
        "canonical": None,
    }


def clean_title(title: str, spec: Outlet | None) -> str:
    for suffix in spec.title_suffixes if spec else ():
        if title.endswith(suffix):
            title = title[: -len(suffix)]
    if spec and spec.clean_title:
        title = spec.clean_title(title)
    return title.strip()


# A line of its own that is a credit or a pointer to another story, not the story: "Reporting
# by …; Editing by …", "Contributing: …", "Read more: <headline>", "Lesen Sie auch: …".
_NOT_BODY_LINE = re.compile(
    r"^(?:(?:additional )?reporting by|writing by|editing by|edited by|compiled by|lire aussi"
    r"|lesen sie auch|auch interessant|mehr zum thema|leggi anche|lee también"
    r"|czytaj (?:też|także)|les også|läs också|lees ook)\b"
    r"|^(?:contributing(?: to this report)?|(?:read|see) (?:more|also)|more|related|also read)"
    r"\s*:",
    re.IGNORECASE,
)


def normalise_text(text: str) -> str:
    """Valid UTF-8, no control characters, paragraphs on their own lines, every character as
    published (quotes and dashes are folded only where texts are compared), without credit
    and cross-link lines."""
    lines = (tidy(line) for line in text.split("\n"))
    kept = (line for line in lines if line and not _NOT_BODY_LINE.match(line))
    return "\n".join(kept).strip()


def _other_bylines(doc, tree) -> Iterator[list[str]]:
    """Bylines besides JSON-LD's, each read only when the ones before it name nobody: the
    meta tags, trafilatura's reading (meta tags and byline elements), the page's text."""
    yield pagemeta.meta_bylines(tree)
    yield _doc_authors(doc)
    yield from pagemeta.page_bylines(tree)


def _doc_authors(doc) -> list[str]:
    raw = getattr(doc, "author", None) or ""
    names = pagemeta.without_address([n for a in raw.split(";") for n in pagemeta.split_names(a)])
    # trafilatura splits at commas, so "Doe, Jane" comes back as two one-word "people".
    if len(names) == 2 and all(" " not in n and n[:1].isupper() for n in names):
        return [f"{names[1]} {names[0]}"]
    return names


# --- Body -------------------------------------------------------------------------------


def extract_body(tree, url: str):
    """trafilatura's document for the page: its fast path, and its full cascade (readability
    and jusText compared) only when the fast result looks wrong.

    The fast path is most of the speed budget, but on some layouts it returns the site's
    menu, or a fragment of the article: a result that reads like navigation, or that holds
    under a fifth of the page's paragraph text, is extracted again and the result that reads
    more like an article kept.
    """
    fast = _trafilatura(tree, url, fast=True)
    text = getattr(fast, "text", None) or ""
    if not text:
        return PageDoc(tree, url, getattr(embedded_body(tree, url), "text", None))
    links = link_texts(tree)
    if (
        not navigation_like(text, links)
        and len(text) >= SHORT_TEXT
        and len(text) >= SHORT_SHARE * paragraph_chars(tree)
    ):
        return PageDoc(tree, url, text)
    careful = _trafilatura(tree, url, fast=False)
    better = getattr(careful, "text", None) or ""
    return PageDoc(tree, url, better if _reading(better, links) > _reading(text, links) else text)


class PageDoc:
    """trafilatura's reading of a page: the body's text at once; its byline, its date
    (htmldate's) and its title each only when asked for, where the page's JSON-LD and meta
    tags did not give one (its whole extract_metadata costs a quarter of the extraction
    time, and minutes on a pathological page)."""

    def __init__(self, tree, url: str, text: str | None) -> None:
        self.text = text
        self._tree, self._url = tree, url

    @functools.cached_property
    def author(self) -> str | None:
        return _trafilatura_author(self._tree)

    @functools.cached_property
    def date(self) -> str | None:
        return _htmldate(self._tree, self._url)

    @functools.cached_property
    def title(self) -> str | None:
        return trafilatura.metadata.extract_title(self._tree)


def _htmldate(tree, url: str) -> str | None:
    """The date trafilatura's extract_metadata finds: htmldate's original date, searched
    extensively, no later than today, with the page's own address (og:url, then its canonical
    link, then where it was fetched) for a date in the URL."""
    og_url = "".join(tree.xpath("(//meta[@property='og:url'])[1]/@content")).strip()
    return htmldate.find_date(
        tree,
        url=og_url or pagemeta.canonical_link(tree) or url,
        original_date=True,
        extensive_search=True,
        max_date=datetime.now().astimezone().strftime("%Y-%m-%d"),
    )


def _trafilatura_author(tree) -> str | None:
    """trafilatura's byline as its extract_metadata reads it (meta tags, then JSON-LD, then
    byline elements), without the date search that costs most of that call."""
    found = trafilatura.metadata.examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None
    with contextlib.suppress(Exception):  # trafilatura guards its JSON-LD reader the same way
        found = trafilatura.metadata.extract_meta_json(tree, found)
    return found.author or trafilatura.metadata.extract_author(tree)


# A string literal in a script, long enough to hold an article.
_LITERAL = re.compile(r'"((?:[^"\\]|\\.){400,})"')


def _html_strings(script: str, depth: int = 0):
    """HTML held in a script's string literals, decoded once per level of JSON escaping (a
    page's state, or a framework's payload that holds JSON as a string)."""
    for match in _LITERAL.finditer(script):
        literal = match.group(0)
        if "u003cp" not in literal and "<p" not in literal:
            continue
        try:
            value = json.loads(literal)
        except ValueError:
            continue
        if '\\"' in value or value.lstrip()[:1] in ("{", "["):  # JSON inside a string
            if depth < 2:
                yield from _html_strings(value, depth + 1)
        elif value.count("<p") >= 3:
            yield value


def embedded_body(tree, url: str):
    """The article a page renders in the browser from data in its scripts, when its HTML
    holds none (trafilatura found no text): the longest HTML with paragraphs in a script's
    strings, extracted as a page of its own."""
    best = max(
        (h for script in tree.xpath("//script/text()") for h in _html_strings(script)),
        key=len,
        default="",
    )
    if not best:
        return None
    inner = parse_page(f"<html><body><article>{best}</article></body></html>")
    doc = _trafilatura(inner, url, fast=False) if inner is not None else None
    return doc if getattr(doc, "text", None) else None


def _reading(text: str, links: frozenset[str]) -> int:
    """Prose gained minus menu carried: a result that adds the article to the menu (fast
    trafilatura on some layouts) loses to the article alone."""
    prose = prose_chars(text, links)
    return 2 * prose - len(text.replace("\n", ""))


# A fast result under this share of the page's paragraph text is a fragment (measured on the
# development set: below it, the full cascade recovers whole articles; above, it rarely helps).
SHORT_SHARE = 0.2
# A fast result this short is checked against the full cascade whatever the page's <p> text
# (pages that set their story in <div>s hold little of it in paragraphs); short pages are
# cheap to extract twice.
SHORT_TEXT = 1000


def paragraph_chars(tree) -> int:
    return sum(len(" ".join(p.itertext()).strip()) for p in tree.iter("p"))


def _trafilatura(tree, url: str, fast: bool):
    # bare_extraction works on a copy: the tree stays whole for the second pass.
    return trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=False,  # read when needed (PageDoc)
        include_comments=False,
        include_tables=True,  # a data table in an article is its text
        fast=fast,
    )


def link_texts(tree) -> frozenset[str]:
    """The texts of the page's links: a line of output that is one is a menu entry."""
    texts = (_line_key(" ".join(a.itertext())) for a in tree.iter("a"))
    return frozenset(t for t in texts if t)


def _line_key(line: str) -> str:
    # Cheaper than ``fold``: a page has hundreds of links, and both sides come from one tree.
    return " ".join(line.split()).casefold()


_SENTENCE_END = tuple('.!?…。！？"”»)')


def prose_chars(text: str, links: frozenset[str]) -> int:
    """Characters in lines that read as prose: not a link's text, and a sentence or long."""
    return sum(
        len(line)
        for line in text.split("\n")
        if line.strip()
        and _line_key(line) not in links
        and (len(line) >= 80 or line.rstrip().endswith(_SENTENCE_END))
    )


def navigation_like(text: str, links: frozenset[str]) -> bool:
    """Mostly link texts and short lines without sentences: a menu, not an article."""
    return prose_chars(text, links) < 0.5 * len(text.replace("\n", ""))


def _limit_memory(megabytes: int) -> None:
    """Worker initializer: cap the address space so one page cannot exhaust the machine."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class WorkerPool:
    """One pool of extraction processes per crawl process, shared by the outlets' crawlers.

    pebble kills a worker whose page runs past the time limit (concurrent.futures cannot),
    and a worker that dies (the memory cap) is replaced; either way the page is a recorded
    failure and the crawl goes on.
    """

    _pool: pebble.ProcessPool | None = None
    _users = 0

    @classmethod
    def acquire(cls, workers: int, memory_mb: int) -> pebble.ProcessPool:
        if cls._pool is None:
            cls._pool = pebble.ProcessPool(
                max_workers=workers,
                initializer=_limit_memory,
                initargs=(memory_mb,),
                context=multiprocessing.get_context("spawn"),
            )
        cls._users += 1
        return cls._pool

    @classmethod
    def release(cls) -> None:
        cls._users -= 1
        if cls._users <= 0 and cls._pool is not None:
            cls._pool.close()
            cls._pool.join()
            cls._pool = None


# A page with more elements than this is no article page (real ones have a few thousand): it
# fails at once instead of holding a worker until the time limit.
MAX_ELEMENTS = 100_000


class PageTooComplex(Exception):
    """A page too large in elements to extract."""


def extract_for_crawl(html: str, url: str, outlet: str | None, candidate: dict) -> dict:
    """An extraction worker's job: ``extract_article``, what discovery said where the page says
    nothing, and what the main process would otherwise compute from the text
    (``precomputed``: relevance features, content hash, MinHash signature)."""
    elements = html.count("<")
    if elements > MAX_ELEMENTS:
        raise PageTooComplex(f"{elements} elements")
    fields = extract_article(html, url, outlet)
    # What the page gives by itself, before discovery fills its gaps.
    fields["health"] = page_health(fields, outlet)
    fields.pop("outlet_body", None)
    fields["title"] = fields["title"] or candidate.get("title")
    fields["published"] = fields["published"] or candidate.get("published")
    fields["keywords"] = fields["keywords"] or candidate.get("keywords") or []
    fields["language"] = fields["language"] or candidate.get("language")
    body = scoring_text(fields["description"], fields["keywords"], fields["text"])
    fields["precomputed"] = {"features": text_features(fields["title"], body)}
    if fields["text"]:
        fields["precomputed"]["content_hash"] = content_hash(fields["text"])
        fields["precomputed"]["signature"] = neardup.signature(fields["text"])
    return fields


class ExtractPipeline:
    """Fills an ArticleItem from its HTML; drops pages with no usable body, saying why.

    Extraction runs in worker processes (NEWSAGG_EXTRACT_WORKERS) so that it neither blocks
    the downloads in the reactor thread nor stays on one core; 0 extracts in-process.
    """

    def __init__(self, min_words: int, workers: int = 0, timeout: float = 20.0, memory_mb: int = 0):
        self.min_words = min_words
        self.workers = workers
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.pool: pebble.ProcessPool | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        workers = settings.get("NEWSAGG_EXTRACT_WORKERS")
        pipe = cls(
            min_words=settings.getint("NEWSAGG_MIN_WORDS"),
            # "auto": a core each, but one: the crawl process itself keeps a core busy.
            workers=max(1, (os.cpu_count() or 1) - 1)
            if workers in (None, "", "auto")
            else int(workers),
            timeout=settings.getfloat("NEWSAGG_EXTRACT_TIMEOUT"),
            memory_mb=settings.getint("NEWSAGG_EXTRACT_MEMORY_MB"),
        )
        pipe.crawler = crawler
        return pipe

    def open_spider(self):
        if self.workers > 0:
            self.pool = WorkerPool.acquire(self.workers, self.memory_mb)

    def close_spider(self):
        if self.pool is not None:
            self.pool = None
            WorkerPool.release()

    async def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        if item.access == "blocked":
            return self.from_discovery(item)
        fields = await self.extract(item)
        return self.apply(item, fields)

    async def extract(self, item: ArticleItem) -> dict:
        stats = self.crawler.stats
        args = (item.html or "", item.url, item.outlet, item.candidate)
        try:
            if self.pool is None:
                return extract_for_crawl(*args)
            future = self.pool.schedule(extract_for_crawl, args=args, timeout=self.timeout)
            return await asyncio.wrap_future(future)
        except PageTooComplex as exc:
            stats.inc_value("newsagg/extract/too_complex")
            raise DropItem(f"too-complex: {exc}") from exc
        except FutureTimeout as exc:
            stats.inc_value("newsagg/extract/timeout")
            raise DropItem(f"extraction-timeout: over {self.timeout:g} s") from exc
        except pebble.ProcessExpired as exc:
            stats.inc_value("newsagg/extract/crashed")
            raise DropItem(f"extraction-crashed: {exc}") from exc
        except Exception as exc:  # a hostile page must not stop the crawl
            logger.warning("extraction failed for %s: %r", item.url, exc)
            stats.inc_value("newsagg/extract/error")
            raise DropItem(f"extraction-error: {type(exc).__name__}") from exc

    def apply(self, item: ArticleItem, fields: dict) -> ArticleItem:
        adapter = ItemAdapter(item)
        stats = self.crawler.stats
        item.precomputed = fields.pop("precomputed", None) or {}
        item.health = fields.pop("health", None) or {}
        self.follow_canonical(item, fields.pop("canonical"))
        for key, value in fields.items():
            adapter[key] = value
        item.html = None  # not needed downstream; keeps memory flat
        if fields["access"] == "full" and fields["word_count"] < self.min_words:
            stats.inc_value("newsagg/extract/too_short")
            raise DropItem(f"too-short: {fields['word_count']} words")
        stats.inc_value("newsagg/extract/ok")
        return item

    def follow_canonical(self, item: ArticleItem, link: str | None) -> None:
        """Honour rel=canonical when it stays on the outlet's own domains."""
        outlet = OUTLETS.get(item.outlet)
        if not link or outlet is None or not outlet.owns(link) or not outlet.is_article(link):
            return
        canonical = canonical_url(link)
        if canonical != item.canonical_url:
            self.crawler.stats.inc_value("newsagg/extract/rel_canonical")
            item.canonical_url = canonical

    def from_discovery(self, item: ArticleItem) -> ArticleItem:
        """A blocked page has no body: the row keeps what the feed or sitemap said."""
        candidate = item.candidate
        item.title = candidate.get("title")
        item.published = candidate.get("published")
        item.modified = candidate.get("modified")
        item.keywords = candidate.get("keywords") or []
        item.language = candidate.get("language")
        item.description = candidate.get("description")
        item.text, item.word_count, item.html = None, 0, None
        self.crawler.stats.inc_value("newsagg/extract/blocked")
        return item

"""Yonhap News Agency, English service (en.yna.co.kr).

Quirks (OUTLETS.md): RSS pubDate without offset (KST); tracking queries on feed links; no
NewsArticle JSON-LD and `//` comments in the JSON-LD that is there; `article:author` is a
Korean desk name, the reporter is in a "By NAME" first paragraph; the body ends with the
reporter's e-mail and "(END)"; headlines carry version prefixes such as "(LEAD)", kept in the
title as published (the version is the URL's, ``story_version``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.outlets import Outlet, br_lines, first_text, listing_entries
from crawler.outlets import byline_names as names_in_byline
from crawler.timeutil import KST

# /view/AEN + YYYYMMDD + 4-digit story + 2-digit version + 3-digit desk
ARTICLE_PATH = re.compile(
    r"^/view/AEN(?P<date>\d{8})(?P<story>\d{4})(?P<version>\d{2})(?P<desk>\d{3})$"
)
_BYLINE = re.compile(r"^\s*By\s+(?P<names>[A-Z][\w'\-]+(?:[ ,]+(?:and\s+)?[A-Z][\w'\-]+)*)\s*$")
_TRAILER = re.compile(r"\s*(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*)?\(END\)\s*$")
# "(ATTN: UPDATES with ... in last 2 paras)": a note to editors, not body text.
_EDITORS_NOTE = re.compile(r"^\s*\(ATTN:.*\)\s*$", re.IGNORECASE)
_EMAIL_LINE = re.compile(r"\n+\s*[\w.+-]+@yna\.co\.kr\s*$")


def version(url_path: str) -> tuple[str, str, int] | None:
    """(date, story number, version) of an article path: versions of one story share the first two."""
    match = ARTICLE_PATH.search(url_path)
    if not match:
        return None
    return match["date"], match["story"], int(match["version"])


def story_version(url: str) -> tuple[str, int] | None:
    """("yonhap:20250425:0015", 51) for the (LEAD) of story 0015 of April 25."""
    parts = version(urlsplit(url).path)
    return (f"yonhap:{parts[0]}:{parts[1]}", parts[2]) if parts else None


def byline_names(line: str) -> list[str]:
    return names_in_byline(_BYLINE, line)


def clean_text(text: str) -> str:
    """Drop the editor's note, the byline, the e-mail and the "(END)" trailer."""
    lines = text.strip().split("\n")
    while lines and (_EDITORS_NOTE.match(lines[0]) or byline_names(lines[0])):
        lines = lines[1:]
    body = "\n".join(lines)
    body = _TRAILER.sub("", body)
    return _EMAIL_LINE.sub("", body).strip()


def page_fields(tree) -> dict:
    """What the page's own structure says, beyond generic metadata."""
    fields: dict = {}
    if title := first_text(
        tree, '//header[contains(@class,"title-article01")]//h1[contains(@class,"tit")]'
    ):
        fields["title"] = title
    paragraphs = tree.xpath('//article[contains(@class,"story-news")]/p')
    if paragraphs:
        # An updated version shares its first paragraph between the editor's note and the
        # byline: "(ATTN: UPDATES with ...)<br/>By NAME". Each <br/> starts a line.
        fields["authors"] = next(
            (names for line in br_lines(paragraphs[0]) if (names := byline_names(line))), []
        )
        # The body is these paragraphs and nothing around them: a generic extractor given the
        # whole page pulls the headline, "Keywords", "All News" and a time line into short
        # briefs. ``clean_text`` then cuts the note, the byline, the e-mail and "(END)".
        fields["text"] = "\n".join(line for p in paragraphs for line in br_lines(p))
    return fields


def parse_listing(html: str) -> list[dict]:
    """The /news listing and search results: ``ul.list01 li`` with a title and a KST time."""
    return listing_entries(
        html,
        item='//ul[contains(@class,"list01")]/li',
        link='.//a[contains(@href,"/view/")]',
        title='.//*[contains(@class,"tit")]',
        date='.//*[contains(@class,"txt-time")]',
    )


OUTLET = Outlet(
    slug="yonhap",
    name="Yonhap News Agency",
    base_url="https://en.yna.co.kr",
    domains=("en.yna.co.kr", "m-en.yna.co.kr"),
    article_path=ARTICLE_PATH,
    timezone=KST,
    # The all-news feed and the section feed of the beat trade stories run in.
    feeds=("/RSS/news.xml", "/RSS/economy.xml"),
    news_sitemaps=("/news-sitemap.xml",),
    listings=("/news",),
    search="/search/index?query={query}",
    title_suffixes=(" | Yonhap News Agency",),
    noise_params=frozenset({"section", "input", "site", "from", "utm_source"}),
    aliases=("Yonhap News Agency", "Yonhap"),
    page_fields=page_fields,
    reads_body=True,
    clean_text=clean_text,
    parse_listing=parse_listing,
    story_version=story_version,
)

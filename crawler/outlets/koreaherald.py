"""The Korea Herald (www.koreaherald.com), on the platform it moved to in late 2024.

Quirks (OUTLETS.md): RSS ``/rss/newsAll`` with CDATA titles, HTML teasers and ``+0900`` or
``+09:00`` offsets; one NewsArticle JSON-LD block whose ``datePublished`` has no offset (KST);
``og:title`` ends in " - The Korea Herald"; the body starts or ends with "By NAME (email)";
Yonhap copy is credited "(Yonhap)" in the dateline and by an agency author.
"""

from __future__ import annotations

import re

from crawler.outlets import Outlet, br_lines, first_text, listing_entries
from crawler.outlets import byline_names as names_in_byline
from crawler.pagemeta import ld_authors, news_article
from crawler.timeutil import KST

ARTICLE_PATH = re.compile(r"^/(?:article/\d{7,8}|view\.php)$")
AGENCIES = {"yonhap", "the korea herald", "korea herald", "herald corporation", "newsis"}
_BYLINE = re.compile(r"^\s*By\s+(?P<names>[^()]+?)\s*\((?P<email>[\w.+-]+@[\w.-]+)\)\s*$")
_LEADING_BYLINE = re.compile(r"^By\s+[^()\n]{1,80}?\s*\([\w.+-]+@[\w.-]+\)\s*")
_TRAILING_BYLINE = re.compile(r"\s*\bBy\s+[^()\n]{1,80}?\s*\([\w.+-]+@[\w.-]+\)$")
_CREDIT = re.compile(r"\n\s*\(Yonhap\)\s*$")


def byline_names(line: str) -> list[str]:
    return names_in_byline(_BYLINE, line)


def clean_text(text: str) -> str:
    """Drop the "By NAME (email)" byline at either end (a line of its own, or run into the
    first or last sentence by a layout of <br> paragraphs) and a trailing "(Yonhap)" credit."""
    text = _LEADING_BYLINE.sub("", text.strip())
    text = _TRAILING_BYLINE.sub("", text)
    return _CREDIT.sub("", text).strip()


_DATELINE_CREDIT = re.compile(
    r"^[A-Z][A-Za-z .,'/-]+, \w+\.? \d{1,2} \((Yonhap|AFP|AP|Reuters)\) --"
)
CREDITED_OUTLETS = {"Yonhap": "yonhap", "Reuters": "reuters"}


def credited(text: str) -> str | None:
    """The outlet a wire copy credits in its dateline: "SEOUL, April 22 (Yonhap) -- ..."."""
    match = _DATELINE_CREDIT.match(text.strip())
    return CREDITED_OUTLETS.get(match.group(1)) if match else None


def page_fields(tree) -> dict:
    fields: dict = {}
    if title := first_text(tree, '//h1[contains(@class,"news_title")]'):
        fields["title"] = title
    lines = body_lines(tree)
    names = []
    for line in lines[:1] + lines[-1:]:
        names = names or byline_names(line)
    writer = tree.xpath('//p[contains(@class,"news_writer")]')
    if not names and writer:
        names = [writer[0].text_content().strip().removeprefix("By ").strip()]
    if not names:  # the NewsArticle JSON-LD names the author too
        names = ld_authors(news_article(tree).get("author"))
    # Agency credits are not authors; an empty list beats "Yonhap" as a person.
    fields["authors"] = [n for n in names if n.lower() not in AGENCIES]
    return fields


def body_lines(tree) -> list[str]:
    """The body's paragraphs: ``<p>`` elements, or lines between <br>s in older layouts."""
    paragraphs = tree.xpath('//article[contains(@class,"article-body")]/p')
    if paragraphs:
        return [p.text_content().strip() for p in paragraphs]
    body = tree.xpath('//article[contains(@class,"article-body")]')
    return br_lines(body[0]) if body else []


def parse_listing(html: str) -> list[dict]:
    """Section and search pages: ``ul.news_list li a`` with a title and a KST date."""
    return listing_entries(
        html,
        item='//ul[contains(@class,"news_list")]/li',
        link=".//a[@href]",
        title='.//*[contains(@class,"news_title")]',
        date='.//*[contains(@class,"date")]',
    )


OUTLET = Outlet(
    slug="koreaherald",
    name="The Korea Herald",
    base_url="https://www.koreaherald.com",
    domains=("www.koreaherald.com", "koreaherald.com", "m.koreaherald.com"),
    article_path=ARTICLE_PATH,
    timezone=KST,
    feeds=("/rss/newsAll",),
    listings=("/National", "/Business", "/World"),
    search="/search?q={query}",
    title_suffixes=(" - The Korea Herald", " | The Korea Herald"),
    noise_params=frozenset({"np", "nn", "kr", "mp"}),
    aliases=("The Korea Herald", "Korea Herald"),
    page_fields=page_fields,
    clean_text=clean_text,
    parse_listing=parse_listing,
    credited=credited,
)

"""Nikkei Asia (asia.nikkei.com): a Next.js site behind a hard paywall.

Quirks (OUTLETS.md): RSS items carry no dates; the Google-News sitemap is an index of daily
files (``/news_sitemap.xml?date=YYYYMMDD``), which allow a backfill by date; the page's
``__NEXT_DATA__`` holds headline, subhead, ``createdDate`` (unix seconds), byline, tags and the
public preview, and ``body`` only for subscribers; class names carry build hashes, so they are
matched on prefixes. Non-subscribers get the preview only: such pages are ``partial``.
"""

from __future__ import annotations

import json
import re

import lxml.html

from crawler.outlets import Outlet, listing_entries, split_names

# Lowercase section paths and a slug, no date; older links use Title-Case paths.
ARTICLE_PATH = re.compile(
    r"^/(?!(?i:search|rss|sitemap|latestnews|topic|author|tag)s?(?:/|$))"
    r"(?:[A-Za-z-]+/){1,4}[A-Za-z0-9-]{12,}$"
)


def person_name(text: str) -> str:
    """ "SEO JI-HOON" -> "Seo Ji-hoon"; "KENJI MORITA" -> "Kenji Morita"."""
    return " ".join(part[:1].upper() + part[1:].lower() for part in text.split())


def byline_names(byline: str) -> list[str]:
    """Names in a Nikkei byline: "KENJI MORITA and SEO JI-HOON, Nikkei staff writers"."""
    return [person_name(n) for n in split_names(byline.split(",")[0])]


def next_data(tree) -> dict:
    scripts = tree.xpath('//script[@id="__NEXT_DATA__"]/text()')
    if not scripts:
        return {}
    try:
        data = json.loads(scripts[0])
    except ValueError:
        return {}
    return data.get("props", {}).get("pageProps", {}).get("data") or {}


def _paragraphs(html: str) -> str:
    if not html or not html.strip():
        return ""
    fragment = lxml.html.fromstring(f"<div>{html}</div>")
    return "\n".join(
        p.text_content().strip() for p in fragment.xpath("//p") if p.text_content().strip()
    )


def page_fields(tree) -> dict:
    data = next_data(tree)
    if not data:
        return {}
    body = _paragraphs(data.get("body") or "")
    preview = _paragraphs(data.get("preview") or "") or "\n".join(
        p.text_content().strip() for p in tree.xpath('//div[@id="article-body-preview"]//p')
    )
    tags = [t.get("name") for t in data.get("tags") or [] if isinstance(t, dict) and t.get("name")]
    primary = (data.get("primaryTag") or {}).get("name")
    return {
        "title": data.get("headline"),
        "description": data.get("subhead"),
        "published": data.get("createdDate"),
        "modified": data.get("updatedDate"),
        "authors": byline_names(data.get("byline") or ""),
        "keywords": list(dict.fromkeys([t for t in [primary, *tags] if t])),
        "text": body or preview,
        "access": "full" if body else "partial",
    }


def parse_listing(html: str) -> list[dict]:
    """Search results: ``article`` cards (class prefix ArticleCard_) with a link and a time."""
    return listing_entries(
        html,
        item='//article[starts-with(@class,"ArticleCard_")]',
        link=".//h2//a[@href] | .//h3//a[@href]",
        title=None,
        date=".//time/@datetime",
    )


OUTLET = Outlet(
    slug="nikkei",
    name="Nikkei Asia",
    base_url="https://asia.nikkei.com",
    domains=("asia.nikkei.com",),
    article_path=ARTICLE_PATH,
    feeds=("/rss/feed/nar",),
    news_sitemaps=("/sitemap_news.xml",),
    dated_news_sitemap="/news_sitemap.xml?date={day:%Y%m%d}",
    search="/search?query={query}",
    title_suffixes=(" - Nikkei Asia", " | Nikkei Asia"),
    noise_params=frozenset({"n_cid", "utm_source", "utm_medium"}),
    aliases=("Nikkei Asia", "Nikkei Asian Review", "Nikkei"),
    page_fields=page_fields,
    reads_body=True,
    access=("partial",),
    parse_listing=parse_listing,
)

"""Reuters (www.reuters.com).

Quirks (OUTLETS.md): RSS is gone; the news sitemap index and its pages are the reliable path
(entries carry title, date, keywords and language: keep ``en``); a full sitemap index covers
older dates; robots.txt disallows ``/search`` and ``/site-search/``; article pages usually
answer bots with HTTP 401 and ``x-datadome: protected`` (stored as ``blocked`` with the sitemap's
metadata, never worked around); when served, NewsArticle JSON-LD has ``isAccessibleForFree:
false`` but the whole text is there, ending in a sign-off and the "Our Standards" trailer.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from crawler.outlets import Outlet, article_links, first_text

ARTICLE_PATH = re.compile(
    r"^/(?:world|markets|business|legal|technology|sustainability|breakingviews|science)/"
    r"(?:[a-z0-9-]+/)*[a-z0-9-]+-\d{4}-\d{2}-\d{2}/?$"
)
_SIGN_OFF = re.compile(
    r"^(?:Reporting by|Additional reporting by|Writing by|Editing by|Compiled by)\b", re.I
)
_TRAILER = re.compile(r"^Our Standards:|^Sign up here\.?$|^Get a look at the day ahead")


_URL_DATE = re.compile(r"-(\d{4})-(\d{2})-(\d{2})/?$")


def url_date(url: str) -> date | None:
    """Reuters slugs end in the publication day (UTC): ``...-2025-04-24/``."""
    match = _URL_DATE.search(urlsplit(url).path)
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def clean_text(text: str) -> str:
    """Cut the sign-off line and everything from "Our Standards:" on."""
    kept = []
    for line in text.split("\n"):
        if _TRAILER.search(line.strip()):
            break
        if _SIGN_OFF.search(line.strip()):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def page_fields(tree) -> dict:
    fields: dict = {}
    if title := first_text(tree, '//h1[@data-testid="Heading"]'):
        fields["title"] = title
    paragraphs = tree.xpath('//div[starts-with(@data-testid,"paragraph-")]')
    if paragraphs:
        fields["text"] = "\n".join(p.text_content().strip() for p in paragraphs)
    return fields


OUTLET = Outlet(
    slug="reuters",
    name="Reuters",
    base_url="https://www.reuters.com",
    domains=("www.reuters.com", "reuters.com", "mobile.reuters.com"),
    article_path=ARTICLE_PATH,
    news_sitemaps=("/arc/outboundfeeds/news-sitemap-index/?outputType=xml",),
    sitemaps=("/arc/outboundfeeds/sitemap-index/?outputType=xml",),
    search="/site-search/?query={query}",
    title_suffixes=(" | Reuters",),
    noise_params=frozenset({"rpc", "taid", "utm_source", "utm_medium", "utm_campaign"}),
    aliases=("Reuters", "Thomson Reuters"),
    page_fields=page_fields,
    reads_body=True,
    # DataDome answers crawlers 401; a page served in full is read in full.
    access=("blocked", "full"),
    clean_text=clean_text,
    url_date=url_date,
    # Never reached while robots.txt disallows /site-search/; checked at run time.
    parse_listing=article_links,
)

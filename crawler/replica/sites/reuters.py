"""The Reuters replica: news-sitemap index and pages, a full sitemap index for older dates,
robots.txt that disallows search, and article pages that answer bots with DataDome's 401.

Two article pages are served in full, as Reuters sometimes does: NewsArticle JSON-LD with
``isAccessibleForFree: false`` and no ``articleBody``, paragraphs in
``div[data-testid^=paragraph-]``, a sign-off and the "Our Standards" trailer.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from crawler.replica.sites import SNAPSHOT, write

BASE = "https://www.reuters.com"
FEEDS = "arc/outboundfeeds"
NEWS_SITEMAP_HOURS = 96
PAGE_SIZE = 10
SERVED = (
    "/world/asia-pacific/south-korea-us-agree-craft-july-package-tariffs-2025-04-24/",
    "/markets/commodities/gold-tops-3500-first-time-safe-haven-demand-2025-04-22/",
)
ROBOTS = f"""User-agent: *
Disallow: /search
Disallow: /site-search/
Disallow: /pf/api/
Disallow: /graphics/

Sitemap: {BASE}/arc/outboundfeeds/news-sitemap-index/?outputType=xml
Sitemap: {BASE}/arc/outboundfeeds/sitemap-index/?outputType=xml
"""
BLOCKED = """<!DOCTYPE html><html lang="en"><head><title>reuters.com</title>
<meta name="viewport" content="width=device-width, initial-scale=1.0"></head>
<body style="margin:0"><p id="cmsg">Please enable JS and disable any ad blocker</p>
<script data-cfasync="false">var dd={'rt':'c','cid':'AHrlqAAAAAMA','hsh':'2013457ADA70C67D6A4123E0A76873','t':'fe','s':43907,'host':'geo.captcha-delivery.com'}</script>
<script data-cfasync="false" src="https://ct.captcha-delivery.com/c.js"></script>
</body></html>
"""
BLOCK_HEADERS = {
    "x-datadome": "protected",
    "x-dd-b": "1",
    "Set-Cookie": "datadome=AHrlqAAAAAMA~replica; Max-Age=31536000; Domain=.reuters.com; Path=/; Secure; SameSite=Lax",
    "Cache-Control": "private, no-cache, no-store",
}


def utc(published: str) -> datetime:
    return datetime.fromisoformat(published.replace("Z", "+00:00"))


def page(article: dict) -> str:
    title = escape(article["title"])
    url = BASE + article["path"]
    ld = {
        "@context": "http://schema.org",
        "@type": "NewsArticle",
        "headline": article["title"],
        "datePublished": article["published"],
        "dateModified": article.get("modified") or article["published"],
        "author": [
            {"@type": "Person", "name": n, "url": f"{BASE}/authors/{n.lower().replace(' ', '-')}/"}
            for n in article["authors"]
        ],
        "isAccessibleForFree": False,
        "hasPart": {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".article-body__content",
        },
        "publisher": {"@type": "Organization", "name": "Reuters"},
        "keywords": article.get("keywords", []),
        "description": article["summary"],
    }
    paragraphs = [f"{article['dateline']} - {article['paragraphs'][0]}", *article["paragraphs"][1:]]
    body = "\n".join(
        f'      <div data-testid="paragraph-{i}" class="text__text__1FZLe text__dark-grey__3Ml43 body__full_width__ekUdw">{escape(p)}</div>'
        for i, p in enumerate(paragraphs)
    )
    byline = " and ".join(
        f'<a href="/authors/{escape(n.lower().replace(" ", "-"))}/">{escape(n)}</a>'
        for n in article["authors"]
    )
    stamp = utc(article["published"])
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<title>{title} | Reuters</title>
<meta name="description" content="{escape(article["summary"])}">
<meta property="og:title" content="{title}">
<meta property="og:description" content="{escape(article["summary"])}">
<meta property="og:url" content="{url}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="{article["published"]}">
<meta property="article:content_tier" content="metered">
<meta name="article:content_tier" content="metered">
<link rel="canonical" href="{url}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head>
<body>
<div id="fusion-app">
  <header class="site-header__container__3aPBH"><a href="/" aria-label="Reuters home">Reuters</a></header>
  <main id="main-content" class="regular-article-layout__main__1tplD">
    <article class="article__container__2-VR2">
      <header class="article-header__container__3zT3W">
        <h1 data-testid="Heading" class="text__text__1FZLe text__heading_2__1K_hh">{title}</h1>
        <div data-testid="AuthorByline" class="author-name-list__container__2Jjvl">By {byline}</div>
        <time data-testid="Body" datetime="{article["published"]}">{stamp:%B %d, %Y %I:%M %p} UTC</time>
      </header>
      <div class="article-body__content__17Yit">
{body}
        <p data-testid="SignOffLine" class="sign-off__text__PU2cZ">{escape(article["signoff"])}</p>
      </div>
      <div class="trust-badge"><p data-testid="Body">Our Standards: <a href="https://www.thomsonreuters.com/en/about-us/trust-principles.html">The Thomson Reuters Trust Principles.</a></p></div>
    </article>
  </main>
  <footer class="site-footer__container__1D8Pn"><p>All quotes delayed a minimum of 15 minutes.</p></footer>
</div>
</body>
</html>
"""


def news_urlset(articles: list[dict]) -> str:
    urls = []
    for a in articles:
        keywords = ", ".join(a.get("keywords", []))
        slug = a["path"].rstrip("/").rsplit("/", 1)[-1]
        urls.append(
            f"""<url><loc>{BASE}{xml_escape(a["path"])}</loc>
<news:news><news:publication><news:name>Reuters</news:name><news:language>{a["language"]}</news:language></news:publication>
<news:publication_date>{a["published"]}</news:publication_date>
<news:title>{xml_escape(a["title"])}</news:title>{f"<news:keywords>{xml_escape(keywords)}</news:keywords>" if keywords else ""}</news:news>
<image:image><image:loc>https://www.reuters.com/resizer/v2/{slug[:24].upper()}.jpg?width=1200</image:loc></image:image>
</url>"""
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
        'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n'
        + "\n".join(urls)
        + "\n</urlset>\n"
    )


def plain_urlset(articles: list[dict]) -> str:
    urls = "\n".join(
        f"<url><loc>{BASE}{xml_escape(a['path'])}</loc><lastmod>{a.get('modified') or a['published']}</lastmod></url>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}\n</urlset>\n'
    )


def sitemap_index(children: list[tuple[str, str | None]]) -> str:
    rows = "\n".join(
        f"<sitemap><loc>{xml_escape(loc)}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</sitemap>"
        for loc, mod in children
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}\n</sitemapindex>\n'
    )


def paged(out: Path, name: str, articles: list[dict], render) -> list[tuple[str, str | None]]:
    """Write ``name`` sitemap pages of PAGE_SIZE (``?outputType=xml&from=N``); return index rows."""
    children = []
    for start in range(0, max(len(articles), 1), PAGE_SIZE):
        chunk = articles[start : start + PAGE_SIZE]
        write(out / FEEDS / name / f"index@from={start}&outputType=xml", render(chunk))
        newest = chunk[0]["published"] if chunk else None
        children.append((f"{BASE}/{FEEDS}/{name}/?outputType=xml&from={start}", newest))
    return children


def build(content: dict, out: Path, snapshot: str = SNAPSHOT) -> int:
    articles = sorted(content["articles"], key=lambda a: utc(a["published"]), reverse=True)
    cut = datetime.fromisoformat(snapshot)
    live = [a for a in articles if utc(a["published"]) <= cut]
    recent = [a for a in live if utc(a["published"]) >= cut - timedelta(hours=NEWS_SITEMAP_HOURS)]
    news = paged(out, "news-sitemap", recent, news_urlset)
    write(out / FEEDS / "news-sitemap-index" / "index@outputType=xml", sitemap_index(news))
    # The full sitemap is the archive: it lists everything published, up to the snapshot.
    full = paged(out, "sitemap", live, plain_urlset)
    write(out / FEEDS / "sitemap-index" / "index@outputType=xml", sitemap_index(full))
    for article in articles:
        write(out / article["path"].strip("/") / "index.html", page(article))
    rules = [
        {
            "match": r"^/(world|markets|business)/.+-\d{4}-\d{2}-\d{2}/?$",
            "unless": [f"^{re.escape(p)}?$" for p in SERVED],
            "status": 401,
            "headers": BLOCK_HEADERS,
            "body": "_datadome.html",
        }
    ]
    write(out / "_rules.json", json.dumps(rules, indent=1))
    write(out / "_datadome.html", BLOCKED)
    write(out / "robots.txt", ROBOTS)
    return len(articles)

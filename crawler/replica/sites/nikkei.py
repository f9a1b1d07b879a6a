"""The Nikkei Asia replica: undated RSS, a news-sitemap index of daily files, search, and
Next.js article pages that show non-subscribers only a preview."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from crawler.replica.sites import SNAPSHOT, news_sitemap, write

BASE = "https://asia.nikkei.com"
JST = timezone(timedelta(hours=9))
BUILD = "5WTIa"  # the build hash in class names
ROBOTS = """User-agent: *
Disallow:

Sitemap: https://asia.nikkei.com/sitemap_news.xml
"""


def jst(published: str) -> datetime:
    return datetime.fromisoformat(published.replace("Z", "+00:00")).astimezone(JST)


def next_data(article: dict) -> dict:
    preview = "".join(f"<p>{escape(p)}</p>" for p in article["preview"])
    return {
        "props": {
            "pageProps": {
                "data": {
                    "path": article["path"],
                    "headline": article["headline"],
                    "subhead": article["subhead"],
                    "createdDate": int(jst(article["published"]).timestamp()),
                    "byline": article["byline"],
                    "primaryTag": {"name": article["primary_tag"]},
                    "tags": [{"name": t} for t in article["tags"]],
                    "preview": preview,
                    "body": None,
                    "isSubscriberOnly": True,
                }
            }
        },
        "page": "/[...slug]",
        "buildId": "nar-2025.04.2",
    }


def page(article: dict) -> str:
    stamp = jst(article["published"])
    headline = escape(article["headline"])
    preview = "\n".join(f"        <p>{escape(p)}</p>" for p in article["preview"])
    tags = "".join(
        f'<a href="/topic/{escape(t.lower().replace(" ", "-"))}">{escape(t)}</a>'
        for t in article["tags"]
    )
    data = json.dumps(next_data(article), ensure_ascii=False).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{headline} - Nikkei Asia</title>
<meta name="description" content="{escape(article["subhead"])}">
<meta property="og:title" content="{headline}">
<meta property="og:description" content="{escape(article["subhead"])}">
<meta property="og:url" content="{BASE}{article["path"]}">
<meta property="og:type" content="article">
<link rel="canonical" href="{BASE}{article["path"]}">
</head>
<body>
<div id="__next">
  <header class="Header_header__{BUILD}"><a href="/" class="Header_logo__{BUILD}">Nikkei Asia</a></header>
  <main class="NewsArticle_main__{BUILD}">
    <article class="NewsArticle_article__{BUILD}">
      <div class="NewsArticleHeader_primaryTag__{BUILD}"><a href="/topic/x">{escape(article["primary_tag"])}</a></div>
      <h1 class="NewsArticleHeader_headline__{BUILD}">{headline}</h1>
      <p class="NewsArticleHeader_subhead__{BUILD}">{escape(article["subhead"])}</p>
      <div class="NewsArticleByline_byline__{BUILD}">{escape(article["byline"])}</div>
      <time class="NewsArticleHeader_timestamp__{BUILD}" datetime="{stamp.isoformat()}">{stamp:%B %d, %Y %H:%M} JST</time>
      <div id="article-body-preview" class="NewsArticleBody_preview__{BUILD}">
{preview}
      </div>
      <div class="Paywall_paywall__{BUILD}">
        <h2>Continue reading with a subscription</h2>
        <p>Get unlimited access to all stories. Cancel anytime.</p>
        <a href="/subscribe">Subscribe now</a>
      </div>
      <div class="NewsArticleTags_tags__{BUILD}">{tags}</div>
    </article>
  </main>
  <footer class="Footer_footer__{BUILD}">Nikkei Inc. No reproduction without permission.</footer>
</div>
<script id="__NEXT_DATA__" type="application/json">{data}</script>
</body>
</html>
"""


def rss(articles: list[dict]) -> str:
    items = "\n".join(
        f"<item><title>{xml_escape(a['headline'])}</title><link>{BASE}{xml_escape(a['path'])}</link>"
        f"<description>{xml_escape(a['subhead'])}</description></item>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
        "<title>Nikkei Asia</title><link>https://asia.nikkei.com</link>\n"
        "<description>Nikkei Asia latest news</description>\n" + items + "\n</channel></rss>\n"
    )


def search_spec(articles: list[dict]) -> dict:
    index = [
        {
            "url": a["path"],
            "title": a["headline"],
            "summary": a["subhead"],
            "date": jst(a["published"]).isoformat(),
            "haystack": " ".join([a["headline"], a["subhead"], *a["preview"]]).lower(),
        }
        for a in articles
    ]
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Search - Nikkei Asia</title></head>
<body><div id="__next"><main class="SearchResults_main__{BUILD}">
<h1>Results for "{{query}}"</h1>
<div class="SearchResults_list__{BUILD}">
{{results}}
</div></main></div></body></html>
"""
    item = (
        f'<article class="ArticleCard_card__{BUILD}"><h2 class="ArticleCard_headline__{BUILD}">'
        '<a href="{url}">{title}</a></h2><p>{summary}</p><time datetime="{date}"></time></article>'
    )
    return {
        "path": "/search",
        "param": "query",
        "limit": 20,
        "page": page,
        "item": item,
        "index": index,
    }


def build(content: dict, out: Path, snapshot: str = SNAPSHOT) -> int:
    articles = sorted(content["articles"], key=lambda a: a["published"], reverse=True)
    cut = datetime.fromisoformat(snapshot)
    live = [a for a in articles if jst(a["published"]) <= cut]
    for article in articles:
        write(out / (article["path"].lstrip("/") + ".html"), page(article))
    write(out / "rss" / "feed" / "nar", rss(live[:50]))
    by_day: dict[date, list[dict]] = {}
    for a in live:
        by_day.setdefault(jst(a["published"]).date(), []).append(a)
    # Daily files exist for every day (empty ones too); the index lists the last 30 days.
    first, last = cut.date() - timedelta(days=30), cut.date()
    span = range(-30, 31)
    days = sorted(set(by_day) | {cut.date() + timedelta(days=i) for i in span})
    for day in days:
        entries = [
            {
                "url": BASE + a["path"],
                "title": a["headline"],
                "published": jst(a["published"]).isoformat(),
            }
            for a in by_day.get(day, [])
        ]
        write(out / f"news_sitemap.xml@date={day:%Y%m%d}", news_sitemap(entries, "Nikkei Asia"))
    index = "\n".join(
        f"<sitemap><loc>{BASE}/news_sitemap.xml?date={d:%Y%m%d}</loc></sitemap>"
        for d in days
        if first <= d <= last
    )
    write(
        out / "sitemap_news.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{index}\n</sitemapindex>\n',
    )
    write(out / "_search.json", json.dumps(search_spec(live), ensure_ascii=False, indent=1))
    write(out / "robots.txt", ROBOTS)
    return len(articles)

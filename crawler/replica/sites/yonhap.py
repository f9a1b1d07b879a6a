"""The Yonhap replica: RSS with naive KST dates and tracking queries, a news sitemap, pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from crawler.replica.sites import SNAPSHOT, news_sitemap, published_before, write

YONHAP_DESKS = {
    "320": "경제부",
    "315": "정치부",
    "325": "북한부",
    "311": "사회부",
    "701": "문화부",
    "722": "스포츠부",
    "309": "국제부",
}
YONHAP_SECTIONS = {
    "economy": ("Economy", "economy-finance/economy"),
    "politics": ("Politics", "national/politics"),
    "nk": ("North Korea", "nk/index"),
    "national": ("National", "national/society"),
    "world": ("World", "international/all"),
    "culture": ("Culture", "culture/all"),
    "sports": ("Sports", "sports/all"),
}

YONHAP_SNAPSHOT = SNAPSHOT
YONHAP_BASE = "https://en.yna.co.kr"


def yonhap_rss_date(published: str) -> str:
    """Yonhap's pubDate: RFC 822 layout but no zone (the time is KST)."""
    return datetime.fromisoformat(published).strftime("%a, %d %b %Y %H:%M:%S")


def yonhap_page(article: dict, latest: list[dict]) -> str:
    section_name, section_path = YONHAP_SECTIONS[article["section"]]
    desk = YONHAP_DESKS.get(article["id"][-3:], "영문뉴스부")
    pub = datetime.fromisoformat(article["published"])
    title = escape(article["title"])
    url = f"{YONHAP_BASE}/view/{article['id']}"
    paragraphs = [f"<p>By {escape(article['reporter'])}</p>"]
    body = article["paragraphs"]
    paragraphs.append(f"<p>{escape(article['dateline'])} -- {escape(body[0])}</p>")
    paragraphs += [f"<p>{escape(p)}</p>" for p in body[1:]]
    paragraphs.append(f"<p>{escape(article['email'])}<br>\n(END)</p>")
    modified = article.get("modified") or article["published"]
    keywords = ", ".join(article.get("keywords", []))
    latest_items = "\n".join(
        f'        <li><a href="/view/{a["id"]}?section=news">{escape(a["title"])}</a></li>'
        for a in latest
    )
    keyword_links = "\n".join(
        f'        <a href="/search/index?query={escape(k)}" class="keyword">#{escape(k)}</a>'
        for k in article.get("keywords", [])
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | Yonhap News Agency</title>
<meta name="description" content="{escape(article["summary"])}">
<meta name="keywords" content="{escape(keywords)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Yonhap News Agency">
<meta property="og:title" content="{title} | Yonhap News Agency">
<meta property="og:description" content="{escape(article["summary"])}">
<meta property="og:url" content="{url}">
<meta property="og:image" content="https://img.yna.co.kr/etc/inner/EN/2025/{article["id"][3:7]}/{article["id"]}_P4.jpg">
<meta property="article:published_time" content="{article["published"]}">
<meta property="article:modified_time" content="{modified}">
<meta property="article:author" content="{desk}">
<meta property="article:section" content="{section_name}">
<link rel="canonical" href="{url}">
<link rel="alternate" media="only screen and (max-width: 640px)" href="https://m-en.yna.co.kr/view/{article["id"]}">
<script type="application/ld+json">
{{
  // 연합뉴스 Organization
  "@context": "https://schema.org",
  "@type": "Organization",
  "name": "Yonhap News Agency",
  "url": "https://en.yna.co.kr", // English service
  "logo": "https://r.yna.co.kr/global/home/v01/img/yonhapnews_logo_en.png",
  "sameAs": ["https://www.facebook.com/YonhapNewsAgency", "https://x.com/yonhaptweet"]
}}
</script>
<script type="application/ld+json">
{{
  "@context": "https://schema.org",
  "@type": "Person", // 기자
  "name": "{escape(article["reporter"])}",
  "email": "{escape(article["email"])}",
  "worksFor": {{"@type": "Organization", "name": "Yonhap News Agency"}},
}}
</script>
<link rel="stylesheet" href="/css/en/common.css">
</head>
<body>
<div id="skipNav"><a href="#container">Skip to content</a></div>
<header class="header-wrap">
  <div class="header">
    <h1 class="logo"><a href="/">Yonhap News Agency</a></h1>
    <nav class="gnb">
      <ul>
        <li><a href="/national/politics">National</a></li>
        <li><a href="/nk/index">North Korea</a></li>
        <li><a href="/economy-finance/economy">Economy</a></li>
        <li><a href="/market-industry/all">Market</a></li>
        <li><a href="/culture/all">Culture</a></li>
        <li><a href="/sports/all">Sports</a></li>
        <li><a href="/news">Latest</a></li>
      </ul>
    </nav>
    <form class="search" action="/search/index"><input type="text" name="query" title="Search"></form>
  </div>
</header>
<main id="container">
  <div class="content03">
    <section class="content-article">
      <header class="title-article01">
        <p class="sub-tit"><a href="/{section_path}">{section_name}</a></p>
        <h1 class="tit">{title}</h1>
        <p class="update-time" data-published-time="{pub:%Y%m%d%H%M}">{pub:%H:%M %B %d, %Y}</p>
        <div class="share-box"><button type="button" class="btn-share">Share</button><button type="button" class="btn-print">Print</button></div>
      </header>
      <div class="story-news-wrap">
        <article class="story-news article">
{chr(10).join("          " + p for p in paragraphs)}
        </article>
        <div class="keyword-zone">
{keyword_links}
        </div>
        <p class="copyright">(C) Yonhap News Agency. All Rights Reserved</p>
      </div>
    </section>
    <aside class="aside-box01">
      <h2 class="tit-aside">Latest News</h2>
      <ul class="list01">
{latest_items}
      </ul>
    </aside>
  </div>
</main>
<footer class="footer">
  <p class="address">Yonhap News Agency, 25 Yulgok-ro 2-gil, Jongno-gu, Seoul, Republic of Korea</p>
  <p class="copy">Copyright (C) Yonhap News Agency. All Rights Reserved.</p>
</footer>
</body>
</html>
"""


def listing_page(articles: list[dict]) -> str:
    """/news: the latest stories, newest first."""
    items = "\n".join(
        f'    <li><div class="item-box01"><a href="/view/{a["id"]}?section=news" class="tit-wrap">'
        f'<strong class="tit">{escape(a["title"])}</strong></a>'
        f'<span class="txt-time">{datetime.fromisoformat(a["published"]):%Y-%m-%d %H:%M}</span>'
        f"</div></li>"
        for a in articles
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Latest News | Yonhap News Agency</title></head>
<body>
<main id="container"><section class="content-list">
  <h2 class="tit-section">Latest News</h2>
  <ul class="list01">
{items}
  </ul>
  <div class="paging"><a href="/news?page=2">2</a><a href="/news?page=3">3</a></div>
</section></main>
</body></html>
"""


def yonhap_rss(articles: list[dict]) -> str:
    items = []
    for a in articles:
        section_path = YONHAP_SECTIONS[a["section"]][1]
        items.append(
            f"""<item>
<title><![CDATA[{a["title"]}]]></title>
<link>{YONHAP_BASE}/view/{a["id"]}?section={section_path}&amp;input=rss</link>
<description><![CDATA[{a["summary"]}]]></description>
<dc:creator>{xml_escape(a["reporter"])}</dc:creator>
<pubDate>{yonhap_rss_date(a["published"])}</pubDate>
</item>"""
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        "<title>Yonhap News Agency</title>\n<link>https://en.yna.co.kr</link>\n"
        "<description>Latest news from Yonhap News Agency</description>\n<language>en</language>\n"
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    )


YONHAP_ROBOTS = """User-agent: *
Disallow: /search/
Disallow: /*/search/
Disallow: /member/

User-agent: GPTBot
Disallow: /

Sitemap: https://en.yna.co.kr/news-sitemap.xml
"""


def build(content: dict, out: Path, snapshot: str = YONHAP_SNAPSHOT) -> int:
    """Render the Yonhap replica into ``out``; returns the number of article pages."""
    articles = sorted(content["articles"], key=lambda a: a["published"], reverse=True)
    cut = datetime.fromisoformat(snapshot)
    live = [a for a in articles if datetime.fromisoformat(a["published"]) <= cut]
    for index, article in enumerate(articles):
        latest = published_before(articles, article)[: 5 + index % 3]
        write(out / "view" / f"{article['id']}.html", yonhap_page(article, latest))
    write(out / "RSS" / "news.xml", yonhap_rss(live[:100]))
    # A section feed (/RSS/{channel}.xml): the same items, one section's only.
    write(out / "RSS" / "economy.xml", yonhap_rss([a for a in live if a["section"] == "economy"]))
    recent = [
        a for a in live if datetime.fromisoformat(a["published"]) >= cut - timedelta(hours=48)
    ]
    write(
        out / "news-sitemap.xml",
        news_sitemap(
            [
                {
                    "url": f"{YONHAP_BASE}/view/{a['id']}",
                    "title": a["title"],
                    "published": a["published"],
                    "keywords": a.get("keywords", []),
                }
                for a in recent
            ],
            "Yonhap News Agency",
        ),
    )
    write(out / "news.html", listing_page(live[:20]))
    write(out / "robots.txt", YONHAP_ROBOTS)
    return len(articles)

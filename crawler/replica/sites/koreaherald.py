"""The Korea Herald replica: RSS ``/rss/newsAll``, section pages, site search, article pages.

Shaped as OUTLETS.md describes the new platform: CDATA titles and HTML teasers in RSS, with
``+0900`` or ``+09:00`` offsets; one NewsArticle JSON-LD block whose ``datePublished`` has no
offset (KST); ``og:title`` ending in " - The Korea Herald"; a "By NAME (email)" line at the
start or the end of the body; Yonhap copies credited "(Yonhap)" in the dateline.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from pathlib import Path

from crawler.replica.sites import SNAPSHOT, published_before, write

BASE = "https://www.koreaherald.com"
SECTIONS = ("National", "Business", "World", "Politics", "Entertainment", "Sports", "Life")
RSS_ITEMS = 20  # the real feed has ~50 items, about half a day of the Herald's output
ROBOTS = """User-agent: *
Disallow: /admin/
Disallow: /api/
Disallow: /common/

User-agent: GPTBot
Disallow: /
"""


def naive_kst(published: str) -> str:
    """JSON-LD datePublished as the Herald writes it: KST wall time, no offset."""
    return datetime.fromisoformat(published).strftime("%Y-%m-%dT%H:%M:%S")


def rss_date(published: str, index: int) -> str:
    stamp = datetime.fromisoformat(published)
    zone = "+09:00" if index % 3 == 2 else "+0900"
    return stamp.strftime(f"%a, %d %b %Y %H:%M:%S {zone}")


def body_paragraphs(article: dict) -> list[str]:
    paragraphs = [escape(p) for p in article["paragraphs"]]
    if article.get("dateline"):
        paragraphs[0] = f"{escape(article['dateline'])} -- {paragraphs[0]}"
        paragraphs.append("(Yonhap)")
    elif article.get("author"):
        byline = f"By {escape(article['author'])} ({escape(article['email'])})"
        if int(article["id"]) % 2:
            paragraphs.append(byline)
        else:
            paragraphs.insert(0, byline)
    return paragraphs


def page(article: dict, latest: list[dict]) -> str:
    url = f"{BASE}/article/{article['id']}"
    title = escape(article["title"])
    published = datetime.fromisoformat(article["published"])
    author = (
        {"@type": "Person", "name": article["author"]}
        if article.get("author")
        else {"@type": "Organization", "name": article.get("credit") or "The Korea Herald"}
    )
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article["title"],
        "datePublished": naive_kst(article["published"]),
        "dateModified": naive_kst(article.get("modified") or article["published"]),
        "author": author,
        "publisher": {"@type": "Organization", "name": "The Korea Herald"},
        "mainEntityOfPage": url,
        "image": f"https://wimg.heraldcorp.com/news/cms/2025/{article['id']}.jpg",
        "description": article["summary"],
    }
    body = "\n".join(f"      <p>{p}</p>" for p in body_paragraphs(article))
    writer = (
        f'<p class="news_writer">By {escape(article["author"])}</p>'
        if article.get("author")
        else ""
    )
    latest_items = "\n".join(
        f'        <li><a href="/article/{a["id"]}"><p class="news_title">{escape(a["title"])}</p></a></li>'
        for a in latest
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} - The Korea Herald</title>
<meta name="description" content="{escape(article["summary"])}">
<meta name="keywords" content="{escape(", ".join(article.get("keywords", [])))}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="The Korea Herald">
<meta property="og:title" content="{title} - The Korea Herald">
<meta property="og:description" content="{escape(article["summary"])}">
<meta property="og:url" content="{url}">
<link rel="canonical" href="{url}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
<link rel="stylesheet" href="/css/common.css?v=20250401">
</head>
<body>
<div id="wrap">
  <header class="header">
    <h1 class="logo"><a href="/">The Korea Herald</a></h1>
    <nav class="gnb"><ul>
{chr(10).join(f'      <li><a href="/{s}">{s}</a></li>' for s in SECTIONS)}
    </ul></nav>
    <form class="search_box" action="/search"><input type="text" name="q"></form>
  </header>
  <div class="view_area">
    <div class="news_title_area">
      <p class="news_category"><a href="/{article["section"]}">{article["section"]}</a></p>
      <h1 class="news_title">{title}</h1>
      <p class="news_date">Published : {published:%b. %d, %Y - %H:%M:%S}</p>
      {writer}
    </div>
    <article class="article-body" id="articleText">
{body}
    </article>
    <div class="related_news"><h3>Most Popular</h3><ul class="news_list">
{latest_items}
    </ul></div>
  </div>
  <footer class="footer"><p>Herald Corporation. All rights reserved.</p></footer>
</div>
</body>
</html>
"""


def listing_item(article: dict) -> str:
    stamp = datetime.fromisoformat(article["published"])
    return (
        f'<li><a href="/article/{article["id"]}">'
        f'<p class="news_title">{escape(article["title"])}</p>'
        f'<p class="news_text">{escape(article["summary"])}</p>'
        f'<p class="date">{stamp:%Y.%m.%d %H:%M}</p></a></li>'
    )


def listing_page(title: str, articles: list[dict]) -> str:
    items = "\n".join(f"    {listing_item(a)}" for a in articles)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} - The Korea Herald</title></head>
<body>
<div class="section_list">
  <h2 class="section_title">{escape(title)}</h2>
  <ul class="news_list">
{items}
  </ul>
  <div class="paging"><a href="?page=2">2</a><a href="?page=3">3</a></div>
</div>
</body></html>
"""


def rss(articles: list[dict]) -> str:
    items = []
    for i, a in enumerate(articles):
        items.append(
            f"""<item>
<title><![CDATA[{a["title"]}]]></title>
<link>{BASE}/article/{a["id"]}</link>
<description><![CDATA[<p>{escape(a["summary"])}</p>]]></description>
<author><![CDATA[{a.get("author") or a.get("credit") or ""}]]></author>
<pubDate>{rss_date(a["published"], i)}</pubDate>
</item>"""
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        "<title><![CDATA[The Korea Herald]]></title>\n<link>https://www.koreaherald.com</link>\n"
        "<description><![CDATA[All the news]]></description>\n<language>en</language>\n"
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    )


def search_spec(articles: list[dict]) -> dict:
    """The Herald's search: every article, newest first; matches title, teaser and text."""
    index = []
    for a in articles:
        stamp = datetime.fromisoformat(a["published"])
        index.append(
            {
                "url": f"/article/{a['id']}",
                "title": a["title"],
                "summary": a["summary"],
                "date": f"{stamp:%Y.%m.%d %H:%M}",
                "haystack": " ".join([a["title"], a["summary"], *a["paragraphs"]]).lower(),
            }
        )
    return {
        "path": "/search",
        "param": "q",
        "limit": 20,
        "page": listing_page("Search results for {query}", []).replace(
            "\n\n  </ul>", "\n{results}\n  </ul>"
        ),
        "item": '    <li><a href="{url}"><p class="news_title">{title}</p>'
        '<p class="news_text">{summary}</p><p class="date">{date}</p></a></li>',
        "index": index,
    }


def build(content: dict, out: Path, snapshot: str = SNAPSHOT) -> int:
    articles = sorted(content["articles"], key=lambda a: a["published"], reverse=True)
    cut = datetime.fromisoformat(snapshot)
    live = [a for a in articles if datetime.fromisoformat(a["published"]) <= cut]
    for i, article in enumerate(articles):
        latest = published_before(articles, article)[: 4 + i % 3]
        write(out / "article" / f"{article['id']}.html", page(article, latest))
    write(out / "rss" / "newsAll", rss(live[:RSS_ITEMS]))
    for section in ("National", "Business", "World"):
        in_section = [a for a in live if a["section"] == section][:10]
        write(out / f"{section}.html", listing_page(section, in_section))
    write(out / "_search.json", json.dumps(search_spec(live), ensure_ascii=False, indent=1))
    write(out / "robots.txt", ROBOTS)
    return len(articles)

"""One mirror per outlet: routes that build every response in code from ``content``.

A mirror serves its outlet's real paths under an optional prefix, and every link it prints
points back at itself (``origin + prefix + real path``), never at the real host.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, quote_plus

from .content import KOREAHERALD, NIKKEI, REUTERS, YONHAP, Story

KST = timezone(timedelta(hours=9), "KST")
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = HTML
    headers: list[tuple[str, str]] = field(default_factory=list)


def when(story: Story) -> datetime:
    """The story's publication time, aware; the Korea Herald's naive times are KST."""
    stamp = datetime.fromisoformat(story.published.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=KST)


def text(value: str) -> str:
    """Escape for HTML text, keeping the line breaks the outlets write into paragraphs."""
    return html.escape(value, quote=False).replace("&lt;br/&gt;", "<br/>")


def attr(value: str) -> str:
    return html.escape(value, quote=True)


def xml(value: str) -> str:
    return html.escape(value, quote=False)


def ok(body: str, content_type: str = HTML) -> Response:
    return Response(200, body.encode("utf-8"), content_type)


def not_found() -> Response:
    return Response(404, b"<html><body><h1>404 Not Found</h1></body></html>")


def redirect(location: str) -> Response:
    return Response(301, b"", HTML, [("Location", location)])


class Mirror:
    """Base: an outlet mounted at ``prefix`` on a server whose origin is set after binding."""

    outlet = ""
    disallow: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()

    def __init__(self, stories: list[Story], prefix: str = "") -> None:
        self.stories = stories
        self.prefix = prefix
        self.origin = ""
        self.by_path = {story.path: story for story in stories}

    @property
    def base(self) -> str:
        return self.origin + self.prefix

    def own(self, path: str) -> str:
        """The absolute own-host URL of a real path."""
        return self.base + path

    def rel(self, path: str) -> str:
        """A root-relative link to a real path, as a listing on the mirror would print it."""
        return self.prefix + path

    def newest_first(self, stories: list[Story] | None = None) -> list[Story]:
        return sorted(stories if stories is not None else self.stories, key=when, reverse=True)

    def oldest_first(self, stories: list[Story] | None = None) -> list[Story]:
        return sorted(stories if stories is not None else self.stories, key=when)

    def respond(self, path: str, query: str) -> Response:
        raise NotImplementedError

    @staticmethod
    def params(query: str) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(query).items()}


# --------------------------------------------------------------------------------------------


class YonhapMirror(Mirror):
    outlet = "yonhap"
    disallow = ("/search/", "/common/")
    sitemaps = ("/news-sitemap.xml",)
    listings = {
        "/news": None,
        "/national/politics": "Politics",
        "/economy-finance/economy": "Economy",
        "/nk/index": "North Korea",
    }

    def respond(self, path: str, query: str) -> Response:
        if path == "/RSS/news.xml":
            return ok(self.rss(self.newest_first(), "news"), RSS)
        if path == "/RSS/economy.xml":
            economy = [s for s in self.stories if s.section == "Economy"]
            return ok(self.rss(self.oldest_first(economy), "economy"), RSS)
        if path.startswith("/RSS/"):
            return not_found()
        if path == "/news-sitemap.xml":
            return ok(self.news_sitemap(), XML)
        if path in self.listings:
            return ok(self.listing(path, self.params(query)))
        if path.startswith("/search/"):
            return ok(self.search_page(self.params(query).get("query", "")))
        if path in self.by_path:
            return ok(self.article(self.by_path[path]))
        return not_found()

    # -- discovery --------------------------------------------------------------------------

    def rss(self, stories: list[Story], channel: str) -> str:
        items = []
        for index, story in enumerate(stories):
            link = f"{self.own(story.path)}?section={channel}&amp;input=rss"
            if channel == "economy" and index == 1:
                link = f"\n        {link}\n      "  # the feed wraps this one over lines
            parts = [
                f"      <title>{xml(story.title)}</title>",
                f"      <link>{link}</link>",
                f"      <pubDate>{when(story).astimezone(KST):%a, %d %b %Y %H:%M:%S}</pubDate>",
            ]
            # Optional fields come and go: no dc:creator without a byline or on every fourth
            # item, no description on every third.
            if story.byline and index % 4 != 3:
                parts.append(f"      <dc:creator>{xml(story.byline)}</dc:creator>")
            if index % 3 != 2:
                lead = story.paragraphs[0].split(" -- ", 1)[-1]
                parts.append(f"      <description>{xml(lead[:180])}</description>")
            items.append("    <item>\n" + "\n".join(parts) + "\n    </item>")
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            "  <channel>\n"
            "    <title>Yonhap News Agency</title>\n"
            f"    <link>{self.own('/' + channel)}</link>\n"
            "    <description>Yonhap News Agency English news</description>\n"
            "    <language>en</language>\n" + "\n".join(items) + "\n  </channel>\n</rss>\n"
        )

    def news_sitemap(self) -> str:
        entries = []
        for story in self.newest_first():
            entries.append(
                "<url>"
                f"<loc>{self.own(story.path)}</loc>"
                "<news:news><news:publication><news:name>Yonhap News Agency</news:name>"
                "<news:language>en</news:language></news:publication>"
                f"<news:publication_date>{when(story).astimezone(KST).isoformat()}"
                "</news:publication_date>"
                f"<news:title>{xml(story.title)}</news:title></news:news>"
                "</url>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            + "\n".join(entries)
            + "</urlset>"
        )

    def listing(self, path: str, params: dict[str, str]) -> str:
        section = self.listings[path]
        stories = [s for s in self.newest_first() if section is None or s.section == section]
        if params.get("page", "1") != "1":
            stories = []
        rows = "\n".join(
            f'<li><div class="item-box01"><a href="{self.rel(s.path)}" class="tit-wrap">'
            f'<strong class="tit-news">{text(s.title)}</strong></a>'
            f'<span class="txt-time">{when(s).astimezone(KST):%H:%M %B %d, %Y}</span></div></li>'
            for s in stories
        )
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<title>All News | Yonhap News Agency</title></head><body>"
            f'<div class="list-type038"><ul class="list01">\n{rows}\n</ul></div>'
            f'<div class="paging"><a href="{self.rel(path)}?page=2">2</a></div></body></html>'
        )

    def search_page(self, query: str) -> str:
        return (
            "<!DOCTYPE html><html><head><title>Search | Yonhap News Agency</title></head>"
            f"<body><h2>Results for {text(query)}</h2><ul></ul></body></html>"
        )

    # -- article ----------------------------------------------------------------------------

    def article(self, story: Story) -> str:
        real = "https://en.yna.co.kr" + story.path
        published = when(story).astimezone(KST)
        paragraphs: list[str] = []
        if story.note and story.byline:
            paragraphs.append(f"<p>{text(story.note)}<br/>By {text(story.byline)}</p>")
        elif story.byline:
            paragraphs.append(f"<p>By {text(story.byline)}</p>")
        for index, body in enumerate(story.paragraphs):
            paragraphs.append(f"<p>{text(body)}</p>")
            if story.image and index in (0, 3):
                paragraphs.append(self.photo(story, index))
        if story.email:
            if story.note:
                paragraphs.append(f"<p>{story.email}</p>\n<p>(END)</p>")
            else:
                paragraphs.append(f"<p>{story.email}<br/>(END)</p>")
        others = [s for s in self.newest_first() if s.path != story.path][:5]
        all_news = "".join(
            f'<li><a href="{self.rel(s.path)}">{text(s.title)}</a>'
            f'<span class="txt-time">{when(s).astimezone(KST):%H:%M %B %d, %Y}</span></li>'
            for s in others
        )
        keywords = "".join(
            f'<li><a href="{self.rel("/search/index")}?query={quote_plus(word)}">#{text(word)}</a></li>'
            for word in self.keywords(story)
        )
        person = (
            f'"name": "{story.byline}", // reporter\n  "worksFor": "Yonhap News Agency"'
            if story.byline
            else '"name": "Yonhap News Agency"'
        )
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{text(story.title)} | Yonhap News Agency</title>
<meta name="description" content="{attr(story.paragraphs[0][:150])}">
<meta property="og:type" content="article">
<meta property="og:title" content="{attr(story.title)} | Yonhap News Agency">
<meta property="og:url" content="{real}">
<meta property="og:site_name" content="Yonhap News Agency">
<meta property="article:published_time" content="{published.isoformat()}">
<meta property="article:modified_time" content="{(published + timedelta(minutes=7)).isoformat()}">
<meta property="article:author" content="{attr(story.desk or "")}">
<meta property="article:section" content="{attr(story.section)}">
<link rel="canonical" href="{real}">
<script type="application/ld+json">
{{
  // publisher
  "@context": "https://schema.org",
  "@type": "Organization",
  "name": "Yonhap News Agency",
  "url": "https://en.yna.co.kr", // home page
  "logo": "https://img.yna.co.kr/basic/svc/common/logo-en.png"
}}
</script>
<script type="application/ld+json">
{{
  "@context": "https://schema.org",
  "@type": "Person",
  {person}
}}
</script>
</head>
<body>
<div id="container"><div class="container591">
<header class="title-article01">
  <span class="section01">{text(story.section)}</span>
  <h1 class="tit">{text(story.title)}</h1>
  <p class="update-time" data-published-time="{published:%Y%m%d%H%M}">{published:%H:%M %B %d, %Y}</p>
</header>
<div class="story-news-wrap">
<article class="story-news article">
{chr(10).join(paragraphs)}
</article>
<aside class="aside-box01"><div class="ad-box">Advertisement</div></aside>
<div class="keyword-zone01"><strong class="tit">Keywords</strong><ul class="list">{keywords}</ul></div>
<div class="list-type212"><strong class="tit">All News</strong><ul>{all_news}</ul></div>
</div></div></div>
<footer class="footer"><p>(C) Yonhap News Agency</p></footer>
</body>
</html>
"""

    def photo(self, story: Story, index: int) -> str:
        stamp = when(story).astimezone(KST)
        src = self.own(f"/photo/yna/YH/{stamp:%Y/%m/%d}/PYH{stamp:%Y%m%d}0{index}10000315_P4.jpg")
        return (
            '<div class="comp-box photo-group"><figure class="img-con">'
            f'<span class="img"><img src="{src}" alt="{attr(story.title)} - {index // 3 + 1}"></span>'
            '<figcaption class="desc-con"><p class="caption"></p></figcaption></figure></div>'
        )

    @staticmethod
    def keywords(story: Story) -> list[str]:
        words = [w.strip("'(),:") for w in story.title.split()]
        return [w for w in words if len(w) > 6][:3]


# --------------------------------------------------------------------------------------------


class HeraldMirror(Mirror):
    outlet = "koreaherald"
    disallow = ("/search", "/api/")
    sections = ("National", "Business", "World")

    def respond(self, path: str, query: str) -> Response:
        if path == "/rss/newsAll":
            return ok(self.rss(), RSS)
        if path.startswith("/rss/"):
            # Section feeds such as kh_National answer, but empty.
            return ok(self.rss(empty=True), RSS)
        if path.strip("/") in self.sections:
            return ok(self.section_page(path.strip("/")))
        if path == "/view.php":
            ud = self.params(query).get("ud", "")
            for story in self.stories:
                if story.extra.get("old_ud") == ud:
                    return redirect(self.own(story.path))
            return not_found()
        if path == "/search" or path.startswith("/search/"):
            return ok("<html><body><h2>Search</h2><ul class='news_list'></ul></body></html>")
        if path in self.by_path:
            return ok(self.article(self.by_path[path]))
        return not_found()

    def rss(self, empty: bool = False) -> str:
        items = []
        stories = [] if empty else self.oldest_first([s for s in self.stories if s.in_feed])
        for index, story in enumerate(stories):
            stamp = when(story).astimezone(KST)
            offset = "+0900" if index % 2 == 0 else "+09:00"
            parts = [
                f"<title><![CDATA[{story.title}]]></title>",
                f"<link>{self.own(story.path)}</link>",
                f'<guid isPermaLink="true">{self.own(story.path)}</guid>',
            ]
            if index % 3 != 1:
                teaser = story.description or story.paragraphs[0][:160]
                image = (
                    f'<img src="{self.own("/resources/online/" + story.path[-8:] + ".jpg")}"/>'
                    if index % 2
                    else ""
                )
                parts.append(f"<description><![CDATA[{image}<p>{teaser}...</p>]]></description>")
            parts.append(f"<pubDate>{stamp:%a, %d %b %Y %H:%M:%S} {offset}</pubDate>")
            items.append("<item>" + "".join(parts) + "</item>")
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n'
            "<title><![CDATA[The Korea Herald]]></title>\n"
            f"<link>{self.base}/</link>\n"
            "<description><![CDATA[All news]]></description>\n"
            + "\n".join(items)
            + "\n</channel></rss>"
        )

    def section_page(self, section: str) -> str:
        rows = []
        for story in self.newest_first():
            if story.section != section:
                continue
            ud = story.extra.get("old_ud")
            href = self.rel(f"/view.php?ud={ud}") if ud else self.rel(story.path)
            rows.append(
                f'<li><a href="{attr(href)}"><div class="news_img"></div>'
                f'<p class="news_title">{text(story.title)}</p></a>'
                f'<span class="date">{when(story).astimezone(KST):%Y.%m.%d %H:%M}</span></li>'
            )
        return (
            f"<!DOCTYPE html><html><head><title>{section} - The Korea Herald</title></head><body>"
            f'<div class="section_title"><h2>{section}</h2></div>'
            f'<ul class="news_list">{"".join(rows)}</ul></body></html>'
        )

    def article(self, story: Story) -> str:
        real = "https://www.koreaherald.com" + story.path
        stamp = when(story).astimezone(KST).replace(tzinfo=None)
        og_title = story.title + (" - The Korea Herald" if story.extra.get("og_suffix") else "")
        og_url = f'<meta property="og:url" content="{real}">\n' if story.extra.get("og_url") else ""
        author = {"@type": "Person", "name": story.byline} if story.byline else None
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "datePublished": stamp.isoformat(),
            "dateModified": (stamp + timedelta(minutes=23)).isoformat(),
            "publisher": {"@type": "Organization", "name": "The Korea Herald"},
        }
        if author:
            ld["author"] = author
        byline = f"By {story.byline} ({story.email})" if story.email else None
        blocks = list(story.paragraphs)
        where = story.extra.get("byline_at")
        if byline and where == "start":
            blocks.insert(0, byline)
        elif byline and where == "end":
            blocks.append(byline)
        if story.extra.get("layout") == "br":
            body = "<br><br>\n".join(text(b) for b in blocks)
        else:
            body = "\n".join(f"<p>{text(b)}</p>" for b in blocks)
        popular = "".join(
            f'<li><a href="{self.rel(s.path)}">{text(s.title)}</a></li>'
            for s in self.newest_first()[:6]
            if s.path != story.path
        )
        return f"""<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>{text(og_title)}</title>
<meta property="og:title" content="{attr(og_title)}">
{og_url}<meta property="og:site_name" content="The Korea Herald">
<meta name="description" content="{attr(story.paragraphs[0][:140])}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head>
<body>
<div class="news_content">
  <div class="news_title_area">
    <p class="news_category">{text(story.section)}</p>
    <h1 class="news_title">{text(story.title)}</h1>
    <p class="date">Published : {stamp:%b. %d, %Y - %H:%M:%S}</p>
  </div>
  <article class="article-body" id="articleText">
{body}
  </article>
  <div class="news_list_area"><h3 class="title">Most Popular</h3><ul class="news_list">{popular}</ul></div>
</div>
<footer><p>The Korea Herald by Herald Corporation. Copyright Herald Corporation.</p></footer>
</body>
</html>
"""


# --------------------------------------------------------------------------------------------


class ReutersMirror(Mirror):
    outlet = "reuters"
    disallow = ("/search", "/site-search/", "/pf/api/")
    sitemaps = (
        "/arc/outboundfeeds/news-sitemap-index/?outputType=xml",
        "/arc/outboundfeeds/sitemap-index/?outputType=xml",
    )
    page_size = 100

    def respond(self, path: str, query: str) -> Response:
        params = self.params(query)
        path = path if path.endswith("/") or "." in path.rsplit("/", 1)[-1] else path + "/"
        if path == "/arc/outboundfeeds/news-sitemap-index/":
            return ok(self.index("news-sitemap"), XML)
        if path == "/arc/outboundfeeds/news-sitemap/":
            return ok(self.news_page(int(params.get("from", "0") or 0)), XML)
        if path == "/arc/outboundfeeds/sitemap-index/":
            return ok(self.index("sitemap", pages=1), XML)
        if path == "/arc/outboundfeeds/sitemap/":
            return ok(self.plain_page(), XML)
        if path in self.by_path:
            return self.blocked()
        return not_found()

    def pages(self) -> dict[int, list[Story]]:
        """The news sitemap in pages of ``from=N``: the three newest days first."""
        newest = self.newest_first()
        cut = datetime(2025, 4, 24, tzinfo=timezone.utc)
        return {
            0: [s for s in newest if when(s) >= cut],
            self.page_size: [s for s in newest if when(s) < cut],
        }

    def index(self, kind: str, pages: int = 2) -> str:
        entries = "".join(
            f"<sitemap><loc>{self.own(f'/arc/outboundfeeds/{kind}/')}?outputType=xml&amp;from={n * self.page_size}</loc>"
            f"<lastmod>2025-04-26T23:5{n}:00.000Z</lastmod></sitemap>\n"
            for n in range(pages)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</sitemapindex>"
        )

    def news_page(self, start: int) -> str:
        entries = []
        for story in self.pages().get(start, []):
            news = [
                "<news:publication><news:name>Reuters</news:name>"
                f"<news:language>{story.language}</news:language></news:publication>",
                f"<news:publication_date>{story.published}</news:publication_date>",
                f"<news:title>{xml(story.title)}</news:title>",
            ]
            if story.keywords:
                news.append(f"<news:keywords>{xml(', '.join(story.keywords))}</news:keywords>")
            image = ""
            if story.image:
                digest = hashlib.sha1(story.path.encode()).hexdigest()[:26].upper()
                image = (
                    f"<image:image><image:loc>{self.own('/resizer/v2/' + digest + '.jpg')}"
                    "?auth=0&amp;width=1200</image:loc>"
                    f"<image:caption>{xml(story.title)}</image:caption></image:image>"
                )
            entries.append(
                f"  <url>\n    <loc>{self.own(story.path)}</loc>\n"
                f"    <lastmod>{story.published}</lastmod>\n"
                f"    <news:news>{''.join(news)}</news:news>{image}\n  </url>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" '
            'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n'
            + "\n".join(entries)
            + "\n</urlset>"
        )

    def plain_page(self) -> str:
        entries = "".join(
            f"<url><loc>{self.own(s.path)}</loc><lastmod>{s.published}</lastmod></url>"
            for s in self.oldest_first()
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
        )

    @staticmethod
    def blocked() -> Response:
        token = hashlib.sha1(b"othersite-datadome").hexdigest() * 2
        body = (
            "<html><head><title>reuters.com</title>"
            "<style>#cmsg{animation: A 1.5s;}@keyframes A{0%{opacity:0;}99%{opacity:0;}"
            '100%{opacity:1;}}</style></head><body style="margin:0">'
            '<p id="cmsg">Please enable JS and disable any ad blocker</p>'
            "<script data-cfasync=\"false\">var dd={'rt':'c','cid':'AHrlqAAAAAMA1p3k',"
            "'hsh':'2013457ADA70C67D6A4123E0A76873','t':'fe','s':46743,'e':'x',"
            "'host':'geo.captcha-delivery.com'}</script>"
            '<script data-cfasync="false" src="https://ct.captcha-delivery.com/c.js"></script>'
            "</body></html>"
        )
        return Response(
            401,
            body.encode(),
            HTML,
            [
                ("x-datadome", "protected"),
                ("x-dd-b", "1"),
                ("Set-Cookie", f"datadome={token}; Max-Age=31536000; Path=/; SameSite=Lax"),
                ("Cache-Control", "max-age=0, private, no-cache, no-store, must-revalidate"),
            ],
        )


# --------------------------------------------------------------------------------------------


class NikkeiMirror(Mirror):
    outlet = "nikkei"
    disallow = ()
    sitemaps = ("/sitemap_news.xml",)
    days = tuple(f"202504{d:02d}" for d in range(20, 27))

    def __init__(self, stories: list[Story], prefix: str = "") -> None:
        super().__init__(stories, prefix)
        self.legacy = {s.extra["legacy_path"]: s for s in stories if "legacy_path" in s.extra}

    def respond(self, path: str, query: str) -> Response:
        params = self.params(query)
        if path == "/rss/feed/nar":
            return ok(self.rss(), RSS)
        if path == "/sitemap_news.xml":
            return ok(self.index(), XML)
        if path == "/news_sitemap.xml":
            day = params.get("date")
            if day is None:
                return not_found()
            return ok(self.daily(day), XML)
        if path == "/search":
            return ok(self.search(params.get("query", "")))
        if path in self.legacy:
            return redirect(self.own(self.legacy[path].path))
        if path in self.by_path:
            return ok(self.article(self.by_path[path]))
        return not_found()

    def rss(self) -> str:
        items = []
        for index, story in enumerate(self.newest_first()):
            link = self.own(story.extra.get("legacy_path", story.path))
            description = (
                f"\n  <description>{xml(story.subhead)}</description>" if index % 2 else ""
            )
            items.append(
                f"<item>\n  <title>{xml(story.title)}</title>\n  <link>{link}</link>"
                f"{description}\n</item>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
            "<title>Nikkei Asia</title>\n"
            f"<link>{self.base}</link>\n"
            "<description>Nikkei Asia: news and analysis from Asia</description>\n"
            + "\n".join(items)
            + "\n</channel>\n</rss>\n"
        )

    def index(self) -> str:
        entries = "\n".join(
            f"  <sitemap>\n    <loc>{self.own('/news_sitemap.xml')}?date={day}</loc>\n"
            f"    <lastmod>{day[:4]}-{day[4:6]}-{day[6:]}T23:59:00+09:00</lastmod>\n  </sitemap>"
            for day in sorted(self.days, reverse=True)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}\n</sitemapindex>\n"
        )

    def daily(self, day: str) -> str:
        stories = [s for s in self.oldest_first() if f"{when(s).astimezone(KST):%Y%m%d}" == day]
        entries = "".join(
            "<url>"
            f"<loc>{self.own(s.path)}</loc>"
            "<news:news><news:publication><news:name>Nikkei Asia</news:name>"
            "<news:language>en</news:language></news:publication>"
            f"<news:publication_date>{when(s).astimezone(KST).isoformat()}"
            "</news:publication_date>"
            f"<news:title>{xml(s.title)}</news:title></news:news></url>\n"
            for s in stories
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            f"{entries}</urlset>\n"
        )

    def search(self, query: str) -> str:
        words = {w.lower() for w in re.findall(r"\w+", query)}
        hits = [s for s in self.newest_first() if words & set(re.findall(r"\w+", s.title.lower()))]
        rows = "".join(
            f'<li class="SearchResult_item__c81Zq"><a href="{self.rel(s.path)}">{text(s.title)}</a></li>'
            for s in hits
        )
        return f"<!DOCTYPE html><html><body><ul>{rows}</ul></body></html>"

    def article(self, story: Story) -> str:
        real = "https://asia.nikkei.com" + story.path
        created = int(when(story).timestamp())
        preview = "".join(f"<p>{text(p)}</p>" for p in story.paragraphs)
        tag_slug = story.tag.lower().replace(" ", "-")
        data = {
            "id": int(hashlib.sha1(story.path.encode()).hexdigest()[:7], 16),
            "path": story.path,
            "headline": story.title,
            "subhead": story.subhead,
            "createdDate": created,
            "changedDate": created + 600,
            "byline": story.byline,
            "primaryTag": {"name": story.tag, "slug": tag_slug, "path": f"/{tag_slug}"},
            "tags": [{"name": story.tag, "slug": tag_slug}],
            "preview": preview,
            "isSubscriberOnly": True,
            "image": {"imageUrl": self.own(f"/images/{created}.jpg"), "caption": ""},
        }
        next_data = {
            "props": {"pageProps": {"data": data, "isPreview": True}, "__N_SSP": True},
            "page": "/[...slug]",
            "query": {"slug": story.path.strip("/").split("/")},
            "buildId": "q3Zt0xk_9nYqP2wE7uTFa",
            "isFallback": False,
            "gssp": True,
            "scriptLoader": [],
        }
        stamp = when(story).astimezone(KST)
        return f"""<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/>
<title>{text(story.title)} - Nikkei Asia</title>
<meta name="description" content="{attr(story.subhead)}"/>
<meta property="og:title" content="{attr(story.title)}"/>
<meta property="og:description" content="{attr(story.subhead)}"/>
<link rel="canonical" href="{real}"/>
<link rel="preload" href="{self.rel("/_next/static/css/5c1f0e6a7d1b.css")}" as="style"/>
</head><body><div id="__next"><div class="Layout_layout__Gh3dS"><main class="Layout_main__Q7x2k">
<article class="NewsArticle_article__kR3mP">
<div class="NewsArticle_tag__Ab12c"><a href="{self.rel("/" + tag_slug)}">{text(story.tag)}</a></div>
<h1 class="NewsArticle_headline__5WTIa">{text(story.title)}</h1>
<p class="NewsArticle_subhead__pL9xe">{text(story.subhead)}</p>
<div class="NewsArticle_byline__Zk0Qe"><span>{text(story.byline or "")}</span>
<time class="Timestamp_timestamp__x1aBc" dateTime="{stamp.isoformat()}">{stamp:%B %d, %Y %H:%M} JST</time></div>
<div id="article-body-preview" class="ArticleBody_preview__m2Zr8">{preview}</div>
<div class="Paywall_paywall__Tg3sV" data-testid="paywall"><h2 class="Paywall_title__w1Xy0">Subscribe to read the full story</h2>
<p>Get unlimited access to Nikkei Asia.</p><a class="Paywall_cta__3kLm9" href="{self.rel("/subscribe")}">Subscribe</a></div>
</article></main></div></div>
<script id="__NEXT_DATA__" type="application/json">{json.dumps(next_data)}</script>
</body></html>
"""


def build_mirrors() -> dict[str, Mirror]:
    return {
        "yonhap": YonhapMirror(YONHAP),
        "koreaherald": HeraldMirror(KOREAHERALD),
        "reuters": ReutersMirror(REUTERS, prefix="/reuters"),
        "nikkei": NikkeiMirror(NIKKEI, prefix="/nikkei"),
    }

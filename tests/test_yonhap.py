"""Golden tests of the Yonhap outlet module against the replica's pages and feeds."""

from __future__ import annotations

import re

from conftest import REPLICA, replica_articles

from crawler.feeds import parse_rss, parse_sitemap
from crawler.outlets import get_outlet
from crawler.outlets.yonhap import clean_text, version
from crawler.urls import canonical_url, strip_noise

ARTICLES = replica_articles("yonhap")


BRIEF_PAGE = """<html><head><title>(LEAD) S. Korea, U.S. agree | Yonhap News Agency</title></head>
<body><header class="title-article01"><h1 class="tit">(LEAD) S. Korea, U.S. agree on 'July package'</h1>
</header><section><article class="story-news article">
<p>(ATTN: UPDATES with minister's remarks in paras 4-5)<br/>By Kim Seo-yeon</p>
<p>WASHINGTON, April 24 (Yonhap) -- South Korea and the United States agreed Thursday to draw
up a package on tariffs before early July, the finance ministry said after the talks ended.</p>
<div class="comp-box photo-group"><figure><img alt="(LEAD) S. Korea, U.S. agree - 1"/></figure></div>
<p>The two sides will discuss tariffs, economic security, investment and currency policy.<br/>(END)</p>
</article><div class="keyword-zone01"><strong>Keywords</strong><a href="/search/index?query=tariff">#tariff</a></div>
<aside><h2>All News</h2><span>13:32 April 24, 2025</span></aside></section></body></html>"""


def test_the_headline_keeps_its_version_prefix_and_the_body_is_the_paragraphs():
    from pipelines.extract import extract_article

    got = extract_article(BRIEF_PAGE, "https://en.yna.co.kr/view/AEN20250424005051320", "yonhap")
    # The headline as published; the version is the URL's (51 = LEAD), see story_version.
    assert got["title"] == "(LEAD) S. Korea, U.S. agree on 'July package'"
    assert got["authors"] == ["Kim Seo-yeon"]
    # From the dateline to the last sentence: no note, byline, headline, widgets or "(END)".
    assert got["text"].startswith("WASHINGTON, April 24 (Yonhap) -- South Korea")
    assert got["text"].endswith("investment and currency policy.")
    for noise in ("ATTN", "Kim Seo-yeon", "Keywords", "All News", "13:32", "(END)", "- 1"):
        assert noise not in got["text"], noise


def test_versions_of_one_story_share_date_and_story_number():
    first = version("/view/AEN20250425001500320")
    lead = version("/view/AEN20250425001551320")
    second = version("/view/AEN20250425001552320")
    assert first[:2] == lead[:2] == second[:2] == ("20250425", "0015")
    assert [first[2], lead[2], second[2]] == [0, 51, 52]
    assert version("/view/not-an-article") is None


def test_byline_email_and_end_trailer_are_removed():
    text = "By Kim Seo-yeon\nSEOUL, April 24 (Yonhap) -- Lede.\nBody.\nsykim@yna.co.kr\n(END)"
    assert clean_text(text) == "SEOUL, April 24 (Yonhap) -- Lede.\nBody."


def test_json_ld_with_comments_is_read_tolerantly():
    html = (REPLICA / "yonhap" / "view" / f"{ARTICLES[0]['id']}.html").read_text(encoding="utf-8")
    assert "// " in html  # the replica keeps Yonhap's commented JSON-LD
    import lxml.html

    from crawler.pagemeta import json_ld_objects

    kinds = {obj.get("@type") for obj in json_ld_objects(lxml.html.fromstring(html))}
    assert kinds == {"Organization", "Person"}


def test_rss_items_have_naive_kst_dates_and_tracking_queries():
    items = parse_rss((REPLICA / "yonhap" / "RSS" / "news.xml").read_bytes())
    assert len(items) >= 24
    for item in items:
        assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2}", item["published"])
        assert "input=rss" in item["url"]
    outlet = get_outlet("yonhap")
    link = items[0]["url"]
    assert "?" not in strip_noise(link, outlet)
    assert canonical_url(link) == link.split("?")[0]


def test_news_sitemap_carries_titles_dates_and_keywords():
    kind, entries = parse_sitemap((REPLICA / "yonhap" / "news-sitemap.xml").read_bytes())
    assert kind == "urlset"
    assert entries
    for entry in entries:
        assert entry["title"] and entry["published"].endswith("+09:00")
        assert entry["language"] == "en"
        assert get_outlet("yonhap").is_article(entry["url"])


def test_mobile_host_and_queries_map_to_one_canonical_url():
    desktop = "https://en.yna.co.kr/view/AEN20250422005200320"
    assert canonical_url("http://m-en.yna.co.kr/view/AEN20250422005200320?section=news") == desktop
    assert canonical_url(f"{desktop}?input=rss&utm_source=x#top") == desktop
    replica = {"yonhap": "http://127.0.0.1:8765"}
    assert canonical_url("http://127.0.0.1:8765/view/AEN20250422005200320", replica) == desktop


def test_replica_robots_txt_disallows_search():
    robots = (REPLICA / "yonhap" / "robots.txt").read_text(encoding="utf-8")
    assert "Disallow: /search/" in robots

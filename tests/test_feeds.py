from __future__ import annotations

import gzip

import pytest

from crawler.feeds import FeedError, inflate, parse_rss, parse_sitemap

RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>t</title>
<item><title><![CDATA[One]]></title><link>https://a.example/1</link>
<pubDate>Fri, 25 Apr 2025 07:41:12</pubDate><description><![CDATA[<p>teaser</p>]]></description></item>
<item><title>No link</title></item>
</channel></rss>"""

NEWS_SITEMAP = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://a.example/1</loc><news:news>
<news:publication><news:name>A</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2025-04-24T22:41:07Z</news:publication_date>
<news:title>Title one</news:title><news:keywords>Trade, Tariffs</news:keywords>
</news:news></url></urlset>"""


def test_rss_items_keep_title_link_date_description():
    items = parse_rss(RSS)
    assert items == [
        {
            "url": "https://a.example/1",
            "title": "One",
            "published": "Fri, 25 Apr 2025 07:41:12",
            "description": "<p>teaser</p>",
            "author": None,
        }
    ]


def test_news_sitemap_keeps_the_nested_news_fields():
    kind, entries = parse_sitemap(NEWS_SITEMAP)
    assert kind == "urlset"
    assert entries[0]["title"] == "Title one"
    assert entries[0]["published"] == "2025-04-24T22:41:07Z"
    assert entries[0]["keywords"] == ["Trade", "Tariffs"]
    assert entries[0]["language"] == "en"


def test_sitemap_index_lists_child_sitemaps():
    body = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>"
    )
    assert parse_sitemap(body) == ("index", [{"url": "https://a.example/s1.xml", "lastmod": None}])


def test_gzipped_sitemaps_are_inflated_and_bombs_refused():
    assert parse_sitemap(gzip.compress(NEWS_SITEMAP))[1][0]["title"] == "Title one"
    with pytest.raises(FeedError, match="inflates beyond"):
        inflate(gzip.compress(b"\0" * 2_000_000), limit=1_000_000)


def test_external_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss><channel><item><title>&x;</title><link>https://a.example/1</link></item>"
        "</channel></rss>"
    ).encode()
    items = parse_rss(body)
    assert all("TOPSECRET" not in (item["title"] or "") for item in items)


def test_html_page_is_not_a_feed():
    with pytest.raises(FeedError):
        parse_rss(b"<html><body><p>Consent required</p></body></html>")
    with pytest.raises(FeedError):
        parse_sitemap(b"")


def test_truncated_feed_yields_what_it_has():
    cut = RSS[: RSS.index(b"<item><title>No link")]
    assert [i["url"] for i in parse_rss(cut)] == ["https://a.example/1"]


def test_feed_with_a_lone_surrogate_reference_parses_without_it():
    body = RSS.replace(b"<![CDATA[One]]>", b"One &#xD800; two")
    items = parse_rss(body)
    assert items and items[0]["url"] == "https://a.example/1"
    for item in items:
        (item["title"] or "").encode("utf-8")  # no lone surrogate survives


def test_a_feed_body_that_is_a_local_path_is_text_not_a_file_to_open():
    with pytest.raises(FeedError):
        parse_rss(b"/etc/passwd")
    with pytest.raises(FeedError):
        parse_sitemap(b"file:///etc/passwd")


def test_a_sitemap_with_60000_urls():
    urls = "".join(f"<url><loc>https://a.example/{i}</loc></url>" for i in range(60_000))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
    kind, entries = parse_sitemap(body)
    assert kind == "urlset" and len(entries) == 60_000

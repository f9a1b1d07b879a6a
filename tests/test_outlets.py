"""Every outlet in the registry: golden pages, page quirks, URL rules and discovery readers."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import REPLICA, ROOT

from crawler.feeds import parse_rss, parse_sitemap
from crawler.outlets import OUTLETS, get_outlet
from crawler.replica.sites import replica_articles
from crawler.timeutil import iso_utc
from crawler.urls import canonical_url
from pipelines.extract import extract_article

sys.path.insert(0, str(ROOT / "tests" / "golden"))
import regen

GOLDEN = sorted((ROOT / "tests" / "golden").glob("*/*.json"))
ARTICLES = replica_articles(REPLICA / "content")


def test_every_outlet_has_golden_pages():
    for slug in OUTLETS:
        assert len(list((ROOT / "tests" / "golden" / slug).glob("*.json"))) >= 2, slug


@pytest.mark.parametrize("path", GOLDEN, ids=[f"{p.parent.name}/{p.stem}" for p in GOLDEN])
def test_golden_page_extracts_as_recorded(path: Path):
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert regen.expected(stored["outlet"], stored["page"]) == stored


def _page(outlet: str, article: dict) -> Path:
    if outlet == "yonhap":
        return REPLICA / "yonhap" / "view" / f"{article['id']}.html"
    if outlet == "koreaherald":
        return REPLICA / "koreaherald" / "article" / f"{article['id']}.html"
    if outlet == "reuters":
        return REPLICA / "reuters" / article["path"].strip("/") / "index.html"
    return REPLICA / "nikkei" / (article["path"].lstrip("/") + ".html")


def _expected_authors(outlet: str, article: dict) -> list[str]:
    if outlet == "yonhap":
        return [article["reporter"]]
    if outlet == "koreaherald":
        return [article["author"]] if article["author"] else []  # agency copy: no person
    if outlet == "reuters":
        return article["authors"]
    return [p.strip().title() for p in article["byline"].split(",")[0].split(" and ")]


CASES = sorted(ARTICLES.items())


@pytest.mark.parametrize(("url", "case"), CASES, ids=[u.split("/", 3)[3][:60] for u, _ in CASES])
def test_replica_page_extracts_to_its_content(url, case):
    """Content files are the truth: title, people, UTC instant, text bounds, access."""
    outlet, article = case
    got = extract_article(_page(outlet, article).read_text(encoding="utf-8"), url, outlet)
    title = article.get("title") or article["headline"]
    clean = get_outlet(outlet).clean_title
    assert got["title"] == (clean(title) if clean else title)
    people = [a.lower() for a in got["authors"]]
    assert people == [a.lower() for a in _expected_authors(outlet, article)]
    assert got["published"] == iso_utc(article["published"])
    last = (article["preview"] if outlet == "nikkei" else article["paragraphs"])[-1]
    assert got["text"].endswith(last[-40:])
    if outlet == "nikkei":
        assert got["access"] == "partial"
        assert got["description"] == article["subhead"]
        assert got["text"].split("\n")[0] == article["preview"][0]
    else:
        assert got["access"] == "full"
        first = article["paragraphs"][0]
        assert first[:60] in got["text"].split("\n")[0]
    for junk in ("(END)", "Our Standards", "Reporting by", "@heraldcorp.com", "@yna.co.kr"):
        assert junk not in got["text"]


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "http://m.koreaherald.com/article/10502397?np=1",
            "https://www.koreaherald.com/article/10502397",
        ),
        (
            "https://www.koreaherald.com/view.php?ud=20250424000123",
            "https://www.koreaherald.com/view.php?ud=20250424000123",
        ),
        (
            "https://www.reuters.com/world/asia-pacific/x-y-z-2025-04-24/?utm_source=rss",
            "https://www.reuters.com/world/asia-pacific/x-y-z-2025-04-24",
        ),
        (
            "https://asia.nikkei.com/Politics/International-relations/Korea-and-Japan-court-US-with-Alaska-LNG?n_cid=abc#x",
            "https://asia.nikkei.com/Politics/International-relations/Korea-and-Japan-court-US-with-Alaska-LNG",
        ),
    ],
)
def test_canonical_urls(url, canonical):
    assert canonical_url(url) == canonical


def test_article_url_rules():
    assert get_outlet("koreaherald").is_article("https://www.koreaherald.com/article/10502397")
    assert get_outlet("koreaherald").is_article(
        "https://www.koreaherald.com/view.php?ud=20250424000123"
    )
    assert not get_outlet("koreaherald").is_article("https://www.koreaherald.com/National")
    reuters = get_outlet("reuters")
    assert reuters.is_article("https://www.reuters.com/markets/asia/a-b-c-2025-04-25/")
    assert not reuters.is_article("https://www.reuters.com/world/asia-pacific/")
    assert reuters.url_date("https://www.reuters.com/markets/asia/a-b-c-2025-04-25/") == date(
        2025, 4, 25
    )
    nikkei = get_outlet("nikkei")
    assert nikkei.is_article(
        "https://asia.nikkei.com/economy/trade-war/south-korea-us-agree-on-july-package"
    )
    assert nikkei.is_article(
        "https://asia.nikkei.com/Politics/International-relations/Korea-and-Japan-court-US"
    )
    assert not nikkei.is_article("https://asia.nikkei.com/search/some-query-here-long")
    assert not nikkei.is_article("https://asia.nikkei.com/rss/feed/nar")


def test_korea_herald_rss_has_cdata_and_both_offset_forms():
    raw = (REPLICA / "koreaherald" / "rss" / "newsAll").read_bytes()
    assert b"+0900</pubDate>" in raw and b"+09:00</pubDate>" in raw
    items = parse_rss(raw)
    assert items and all(i["title"] and i["description"].startswith("<p>") for i in items)
    assert {iso_utc(i["published"])[-6:] for i in items} == {"+00:00"}


def test_korea_herald_listing_and_search_pages():
    reader = get_outlet("koreaherald").parse_listing
    section = reader((REPLICA / "koreaherald" / "Business.html").read_text(encoding="utf-8"))
    assert section and all(e["url"].startswith("/article/") and e["title"] for e in section)
    assert section[0]["published"][:4] == "2025"
    from crawler.replica import Site

    page = Site(REPLICA / "koreaherald").search_page("Choi Sang-mok")
    hits = reader(page)
    assert hits and all("/article/" in h["url"] for h in hits)


def test_nikkei_rss_has_no_dates_and_daily_sitemaps_do():
    items = parse_rss((REPLICA / "nikkei" / "rss" / "feed" / "nar").read_bytes())
    assert items and all(i["published"] is None for i in items)
    kind, days = parse_sitemap((REPLICA / "nikkei" / "sitemap_news.xml").read_bytes())
    assert kind == "index" and "news_sitemap.xml?date=" in days[0]["url"]
    kind, entries = parse_sitemap(
        (REPLICA / "nikkei" / "news_sitemap.xml@date=20250425").read_bytes()
    )
    assert kind == "urlset" and entries and all(e["title"] and e["published"] for e in entries)


def test_nikkei_search_results_are_read_by_class_prefix():
    from crawler.replica import Site

    hits = get_outlet("nikkei").parse_listing(Site(REPLICA / "nikkei").search_page("Ahn Duk-geun"))
    assert hits and all(h["url"].startswith("/") and h["published"] for h in hits)


def test_reuters_news_sitemap_index_pages_and_languages():
    feeds = REPLICA / "reuters" / "arc" / "outboundfeeds"
    kind, pages = parse_sitemap(
        (feeds / "news-sitemap-index" / "index@outputType=xml").read_bytes()
    )
    assert kind == "index" and len(pages) >= 2
    languages = set()
    for page in sorted((feeds / "news-sitemap").iterdir()):
        kind, entries = parse_sitemap(page.read_bytes())
        languages |= {e["language"] for e in entries}
        assert all(e["title"] and e["published"].endswith("Z") for e in entries)
    assert "en" in languages and languages - {"en"}
    robots = (REPLICA / "reuters" / "robots.txt").read_text()
    assert "Disallow: /search" in robots and "Disallow: /site-search/" in robots


def test_reuters_answers_bots_with_datadome_401():
    import urllib.error
    import urllib.request

    from crawler.replica import Replica

    with Replica(["reuters"]) as replica:
        base = replica.base_urls["reuters"]
        try:
            urllib.request.urlopen(
                base
                + "/world/asia-pacific/south-korea-finance-minister-choi-heads-washington-open-door-2025-04-22/"
            )
        except urllib.error.HTTPError as exc:
            assert exc.code == 401
            assert exc.headers["x-datadome"] == "protected"
            assert b"Please enable JS" in exc.read()
        else:
            raise AssertionError("expected 401")
        with urllib.request.urlopen(
            base + "/world/asia-pacific/south-korea-us-agree-craft-july-package-tariffs-2025-04-24/"
        ) as page:
            assert b'"isAccessibleForFree": false' in page.read()

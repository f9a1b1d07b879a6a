"""Bad input never crashes a run and never loses good items (issue: robust crawls).

One crawl against a Yonhap-shaped fault server covers many failures at once: every fault is
one article URL in the same feed as two good articles. A canary server must see no request.
The crawl runs with the default retry settings: a local server is retried like a live one.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import REPLICA, run_newsagg
from faultserver import FAULTS, GOOD, CanaryServer, FaultServer, good_page

from crawler import db as dbmod
from crawler.urls import url_id

URL = "https://en.yna.co.kr/view/{}"
REPLICA_VIEW = REPLICA / "yonhap" / "view"


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    db = tmp_path_factory.mktemp("faults") / "news.db"
    # An article stored by an earlier run that now answers 404 must survive.
    conn = dbmod.connect(db)
    gone = URL.format(FAULTS["status-404"])
    conn.table("articles").insert(
        {
            "id": url_id(gone),
            "url": gone,
            "canonical_url": gone,
            "outlet": "yonhap",
            "title": "Earlier",
            "text": "kept",
            "access": "full",
            "first_seen": "2025-04-24T00:00:00+00:00",
        }
    )
    conn.close()
    with CanaryServer() as canary, FaultServer(canary.url) as server:
        result = run_newsagg(
            "crawl",
            "--outlet",
            "yonhap",
            "--db",
            str(db),
            "--outlet-url",
            f"yonhap={server.url}",
            "--refresh",
            "-s",
            "DOWNLOAD_TIMEOUT=3",
        )
        seen = list(server.requests)
        times = dict(server.times)
        canary_seen = list(canary.requests)
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        articles = {r["canonical_url"]: dict(r) for r in conn.execute("select * from articles")}
        decisions = {r["url"]: dict(r) for r in conn.execute("select * from discoveries")}
        integrity = conn.execute("pragma integrity_check").fetchone()[0]
    return result, articles, decisions, seen, canary_seen, integrity, db, times


def test_the_run_finishes_and_keeps_the_good_articles(faulty):
    result, articles, integrity = faulty[0], faulty[1], faulty[5]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    for good in GOOD:
        assert articles[URL.format(good)]["access"] == "full"
    assert integrity == "ok"


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("status-500", "http-500"),
        ("status-410", "http-410"),
        ("empty-200", "too-short"),
        ("png-as-html", None),
        ("consent-wall", "too-short"),
        ("redirect-loop", "redirect-loop"),
        ("short-body", "download-error"),
        ("gzip-bomb", "too-large"),
        ("never-answers", "download-error"),
        ("redirect-to-canary", "non-public-address"),
        ("redirect-to-metadata", "non-public-address"),
        ("redirect-to-decimal-loopback", "non-public-address"),
        ("redirect-to-mapped-loopback", "non-public-address"),
        ("redirect-to-localhost", "non-public-address"),
        ("robots-disallowed", "robots"),
        ("robots-disallowed-too", "robots"),
    ],
)
def test_each_failure_is_recorded_with_its_reason(faulty, fault, reason):
    decisions = faulty[2]
    url = URL.format(FAULTS[fault])
    row = decisions[url]
    assert row["decision"] in {"failed", "skipped"}, row
    if reason:
        assert row["reason"].startswith(reason), row


@pytest.mark.parametrize(
    ("fault", "requests"),
    [("status-503-then-200", 2), ("status-429-retry-after", 2), ("status-503-twice-then-200", 3)],
)
def test_retried_statuses_end_up_stored_in_the_same_run(faulty, fault, requests):
    # Default settings (RETRY_TIMES 2) on a local server: 503, 503, 200 is stored.
    _, articles, _, seen, *_ = faulty
    assert articles[URL.format(FAULTS[fault])]["access"] == "full"
    assert sum(p.startswith(f"/view/{FAULTS[fault]}") for p in seen) == requests


def test_local_servers_are_retried_exactly_like_live_sites():
    from crawler.crawl import CrawlOptions, build_settings

    live = build_settings(CrawlOptions(db_path="x.db", outlets=["yonhap"]), [1], 1, {})
    local = build_settings(
        CrawlOptions(db_path="x.db", outlets=["yonhap"], replica=True),
        [1],
        1,
        {"yonhap": "http://127.0.0.1:8000"},
    )
    assert local.getfloat("DOWNLOAD_DELAY") == 0  # the pace may differ...
    for name in ("RETRY_ENABLED", "RETRY_TIMES", "RETRY_HTTP_CODES", "RETRY_EXCEPTIONS"):
        assert local.get(name) == live.get(name), name  # ...how often a request is tried not


def test_articles_robots_txt_disallows_are_never_requested_and_recorded(faulty):
    _, articles, decisions, seen, *_ = faulty
    assert "/robots.txt" in seen
    for fault in ("robots-disallowed", "robots-disallowed-too"):
        url = URL.format(FAULTS[fault])
        assert not [p for p in seen if FAULTS[fault] in p]
        assert url not in articles
        assert (decisions[url]["decision"], decisions[url]["reason"]) == ("skipped", "robots")


def test_an_article_already_stored_is_not_deleted_by_a_404(faulty):
    _, articles, *_ = faulty
    assert articles[URL.format(FAULTS["status-404"])]["text"] == "kept"


def test_no_stored_text_is_empty_invalid_or_holds_nul(faulty):
    _, articles, *_ = faulty
    for row in articles.values():
        text = row["text"]
        assert text, row["canonical_url"]
        assert "\x00" not in text
        text.encode("utf-8")  # valid UTF-8: no lone surrogates
    nul = articles.get(URL.format(FAULTS["nul-and-surrogate"]))
    assert nul and "Sang-mok" in nul["text"]  # stored, cleaned


def test_deep_nesting_is_never_stored_with_an_empty_body(faulty):
    _, articles, decisions, *_ = faulty
    url = URL.format(FAULTS["deep-nesting"])
    if url in articles:
        assert "tariff talks" in articles[url]["text"]
    else:
        assert decisions[url]["decision"] == "failed"


def test_the_canary_sees_nothing_and_bad_schemes_are_never_requested(faulty):
    # Redirects to the canary as 127.0.0.1, 2130706433, [::ffff:127.0.0.1] and localhost.
    _, _, _, seen, canary_seen, *_ = faulty
    assert canary_seen == []
    assert not [p for p in seen if "etc/passwd" in p or "javascript" in p]


def test_export_of_the_faulty_crawl_parses(faulty, tmp_path):
    db = faulty[6]
    out = run_newsagg("export", "--include-duplicates", "--db", str(db))
    assert out.returncode == 0
    for line in out.stdout.splitlines():
        json.loads(line)


def test_retry_after_is_honoured(faulty):
    times = faulty[7][f"/view/{FAULTS['status-429-retry-after']}"]
    assert len(times) == 2 and times[1] - times[0] >= 0.9  # the server asked for 1 s


class _Stats:
    def __init__(self):
        self.values: dict = {}

    def inc_value(self, key, count=1):
        self.values[key] = self.values.get(key, 0) + count


def extract_with_pool(timeout: float):
    """An ExtractPipeline with one worker process and recorded stats; close_spider after."""
    from pipelines.extract import ExtractPipeline

    pipe = ExtractPipeline(min_words=40, workers=1, timeout=timeout)
    pipe.crawler = type("Crawler", (), {"stats": _Stats()})()
    pipe.open_spider()
    return pipe


def page_item(html: str, url: str = "https://en.yna.co.kr/view/AEN20250424099900320"):
    from crawler.items import ArticleItem

    return ArticleItem(
        url=url, canonical_url=url, outlet="yonhap", via="rss", http_status=200, html=html
    )


def extracted(pipe, item):
    import asyncio

    return asyncio.run(pipe.process_item(item))


def tiny_elements(count: int) -> str:
    return "<html><body>" + "<div><span>x</span></div>" * count + "</body></html>"


def slow_by_construction() -> str:
    """An article page as large as a crawl lets through (under DOWNLOAD_MAXSIZE, 10 MiB, and
    far under MAX_ELEMENTS): 11,000 paragraphs of 825,000 distinct words. Every word is parsed,
    extracted, shingled and scored: about two minutes on an idle core when written, and at
    least tens of seconds with any extractor, however fast. CPU load only makes it slower."""
    words = iter(range(10**7))
    paragraph = "<p>" + " ".join("tariff{:x}" for _ in range(75)) + "</p>"
    body = "".join(paragraph.format(*(next(words) for _ in range(75))) for _ in range(11_000))
    return f"<html><body><article>{body}</article></body></html>"


def test_a_page_that_extracts_too_long_is_cut_off_and_the_next_one_still_extracts():
    from scrapy.exceptions import DropItem

    from pipelines.extract import MAX_ELEMENTS

    page = slow_by_construction()
    assert page.count("<") < MAX_ELEMENTS and len(page.encode()) < 10 * 1024 * 1024
    # Seconds, not tenths: the good page must extract within it on a loaded machine too.
    pipe = extract_with_pool(timeout=5)
    try:
        with pytest.raises(DropItem, match="extraction-timeout"):
            extracted(pipe, page_item(page))
        good = (REPLICA_VIEW / f"{GOOD[0]}.html").read_text(encoding="utf-8")
        assert extracted(pipe, page_item(good, URL.format(GOOD[0]))).word_count > 100
        assert pipe.crawler.stats.values["newsagg/extract/timeout"] == 1
    finally:
        pipe.close_spider()


def test_a_page_of_too_many_elements_fails_at_once_without_holding_a_worker():
    from scrapy.exceptions import DropItem

    from pipelines.extract import MAX_ELEMENTS

    pipe = extract_with_pool(timeout=60)
    try:
        # Refused by counting, long before the 60 s limit; the timeout never fires.
        with pytest.raises(DropItem, match="too-complex"):
            extracted(pipe, page_item(tiny_elements(MAX_ELEMENTS // 2)))
        assert pipe.crawler.stats.values["newsagg/extract/too_complex"] == 1
        assert "newsagg/extract/timeout" not in pipe.crawler.stats.values
    finally:
        pipe.close_spider()


def test_a_feed_that_is_an_html_page_and_a_sitemap_index_loop_end_the_run_cleanly(tmp_path):
    db = tmp_path / "news.db"
    with FaultServer(broken_feeds=True) as server:
        result = run_newsagg(
            "crawl", "--outlet", "yonhap", "--db", str(db), "--outlet-url", f"yonhap={server.url}"
        )
        seen = list(server.requests)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # Each index is read once: the loop ends instead of recursing.
    assert seen.count("/news-sitemap.xml") == 1 and seen.count("/news-sitemap-2.xml") == 1
    with sqlite3.connect(db) as conn:
        reasons = dict(
            conn.execute("select url, reason from discoveries where decision = 'failed'")
        )
    assert any(r.startswith("bad-feed: not a feed") for r in reasons.values())


def test_an_etag_comes_back_as_if_none_match_and_the_304_stores_nothing_new(tmp_path):
    db = tmp_path / "news.db"
    pages = {i: (good_page(i), "text/html; charset=utf-8") for i in GOOD}
    with FaultServer(pages=pages) as server:
        crawl = ("crawl", "--outlet", "yonhap", "--db", str(db))
        first = run_newsagg(*crawl, "--outlet-url", f"yonhap={server.url}")
        assert first.returncode == 0, first.stderr
        assert server.not_modified == {}  # nothing to match yet: full answers, with an ETag
        stored = stored_articles(db)
        assert {URL.format(i) for i in GOOD} <= stored
        before = len(server.requests)
        second = run_newsagg(*crawl, "--outlet-url", f"yonhap={server.url}")
        again = server.requests[before:]
        not_modified = dict(server.not_modified)
    assert second.returncode == 0, second.stderr
    # The second run sent each ETag back; the server answered 304 to both.
    assert not_modified == {"/RSS/news.xml": 1, "/news-sitemap.xml": 1}
    assert not [p for p in again if p.startswith("/view/")]
    assert stored_articles(db) == stored
    with sqlite3.connect(db) as conn:
        stats = json.loads(conn.execute("select stats from runs order by id desc").fetchone()[0])
    assert stats["yonhap"]["newsagg/not_modified"] == 2


def stored_articles(db) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {u for (u,) in conn.execute("select canonical_url from articles")}


def test_hosts_that_do_not_resolve_are_tried_once_named_and_the_crawl_exits_3(tmp_path):
    # .invalid never resolves (RFC 6761): the no-network case, offline.
    db = tmp_path / "news.db"
    hosts = {"yonhap": "newsagg-test.invalid", "nikkei": "nikkei.newsagg-test.invalid"}
    args = [
        arg
        for slug, host in hosts.items()
        for arg in ("--outlet", slug, "--outlet-url", f"{slug}=http://{host}")
    ]
    result = run_newsagg("crawl", "--db", str(db), *args)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for host in hosts.values():
        assert f"{host} (DNS lookup failed)" in errors[0]
    with sqlite3.connect(db) as conn:
        stats = json.loads(conn.execute("select stats from runs").fetchone()[0])
        rows = conn.execute("select outlet, decision, reason from discoveries").fetchall()
    for slug, host in hosts.items():
        outlet = stats[slug]
        # One request reached the network (robots.txt; two at most with per-host concurrency),
        # none was retried, and every other one was refused unsent and put on record.
        assert outlet["downloader/request_count"] <= 2
        assert outlet.get("retry/count", 0) == 0
        assert outlet[f"newsagg/host_connect_failed/{host}"] <= 2
        refused = outlet[f"newsagg/host_not_attempted/{host}"]
        assert refused >= 5  # robots.txt, feeds, sitemaps, listing, searches
        recorded = [(d, r) for o, d, r in rows if o == slug]
        assert len(recorded) == refused
        assert {d for d, _ in recorded} == {"failed"}
        assert all(r.startswith(f"unreachable-host: {host}") for _, r in recorded)

"""A rebased outlet owns its base: a mirror lists its own URLs, under a path prefix too.

The mirror here is a rewriting proxy in front of the replica, as an archive or an internal
mirror would be: every link to the real host (absolute or root-relative) is rewritten to the
mirror's own prefixed URL, and robots.txt sits at the mirror's root. Crawling it must give
exactly what crawling the replica directly gives, stored under the real outlets' URLs.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import run_newsagg

from crawler.outlets import OUTLETS
from crawler.replica import Replica
from crawler.urls import canonical_url, from_base, literal_address, outlet_link, rebase

PREFIXES = {"yonhap": "/yna", "koreaherald": "/kh"}
# One link per reason a feed entry is not followed, as a hostile or sloppy feed has them.
JUNK = {
    "other-host": "https://example.com/view/AEN20250424000100320",
    "scheme-javascript": "javascript:alert(1)",
    "scheme-data": "data:text/html,<p>hi</p>",
    "scheme-file": "file:///etc/passwd",
    "non-public-address": "http://10.0.0.1/view/AEN20250424000200320",
    "not-article": "{base}/national/politics",
    "malformed-url": "http://[::1/view/AEN20250424000300320",
}
EXTRA_SITEMAP_LINKS = 12
MAX_DROPPED = 7


def junk_items(base: str) -> str:
    return "".join(
        f"<item><title>junk {reason}</title><link>{url.format(base=base).replace('&', '&amp;')}"
        f"</link></item>\n"
        for reason, url in JUNK.items()
    )


class MirrorHandler(BaseHTTPRequestHandler):
    server: Mirror

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        mirror = self.server
        with mirror.lock:
            mirror.requests.append(self.path)
        if self.path == "/robots.txt":
            body = (
                "User-agent: *\nDisallow: /yna/search/\nDisallow: /kh/admin/\n\n"
                f"Sitemap: {mirror.url}/yna/extra-sitemap.xml\n"
            )
            return self.send(200, body.encode(), "text/plain")
        slug, prefix = next(
            ((s, p) for s, p in PREFIXES.items() if self.path.startswith(p + "/")), (None, "")
        )
        if slug is None:
            return self.send(404, b"not here", "text/plain")
        rest = self.path[len(prefix) :]
        if rest == "/RSS/economy.xml":  # a broken section feed: a consent page
            return self.send(200, b"<html><body><p>Accept cookies</p></body></html>")
        if rest == "/extra-sitemap.xml":
            locs = "".join(
                f"<url><loc>https://elsewhere.example/a/{i}</loc></url>"
                for i in range(EXTRA_SITEMAP_LINKS)
            )
            body = f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}">{locs}</urlset>'
            return self.send(200, body.encode(), "application/xml")
        status, kind, body = mirror.fetch(slug, rest)
        if rest.startswith("/RSS/news.xml"):
            body = body.replace(
                b"</channel>", junk_items(mirror.url + prefix).encode() + b"</channel>"
            )
        self.send(status, body, kind)

    def send(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8"):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


class Mirror(ThreadingHTTPServer):
    """Serves each outlet of a replica under its prefix, its links rewritten to the mirror."""

    def __init__(self, upstream: dict[str, str]):
        super().__init__(("127.0.0.1", 0), MirrorHandler)
        self.upstream = upstream
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fetch(self, slug: str, rest: str) -> tuple[int, str, bytes]:
        try:
            with urllib.request.urlopen(self.upstream[slug] + rest) as answer:
                status, kind, body = answer.status, answer.headers["Content-Type"], answer.read()
        except urllib.error.HTTPError as exc:
            status, kind, body = exc.code, exc.headers["Content-Type"] or "text/html", exc.read()
        own = (self.url + PREFIXES[slug]).encode()
        body = body.replace(OUTLETS[slug].base_url.encode(), own)
        # Root-relative links are the site's own too: a prefix mirror rewrites them.
        return status, kind, re.sub(rb'(href|src)="/(?!/)', rb'\1="' + own + b"/", body)

    def __enter__(self) -> Mirror:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


def crawl_db(db, *args: str) -> dict:
    result = run_newsagg(
        "crawl", "--outlet", "yonhap", "--outlet", "koreaherald", "--db", str(db), *args
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return {
            "db": db,
            "articles": {
                r["canonical_url"]: dict(r) for r in conn.execute("select * from articles")
            },
            "coverage": {r[0] for r in conn.execute("select article_id from coverage")},
            "discoveries": [dict(r) for r in conn.execute("select * from discoveries")],
        }


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mirror")
    direct = crawl_db(tmp / "direct.db", "--replica")
    with Replica(list(PREFIXES)) as replica, Mirror(replica.base_urls) as mirror:
        bases = [f"--outlet-url={s}={mirror.url}{p}" for s, p in PREFIXES.items()]
        mirrored = crawl_db(
            tmp / "mirror.db", *bases, "-s", f"NEWSAGG_MAX_DROPPED_PER_ENDPOINT={MAX_DROPPED}"
        )
        seen = list(mirror.requests)
    return direct, mirrored, seen


def test_a_prefixed_mirror_yields_what_the_real_site_yields(crawls):
    direct, mirrored, _ = crawls
    assert len(direct["articles"]) > 20
    assert set(mirrored["articles"]) == set(direct["articles"])
    assert mirrored["coverage"] == direct["coverage"]
    assert {a["access"] for a in mirrored["articles"].values()} == {"full"}


def test_mirrored_articles_are_stored_under_the_real_urls_and_fetched_from_the_mirror(crawls):
    _, mirrored, seen = crawls
    hosts = {re.match(r"https://[^/]+", u)[0] for u in mirrored["articles"]}
    assert hosts == {"https://en.yna.co.kr", "https://www.koreaherald.com"}
    fetched = [a["url"] for a in mirrored["articles"].values()]
    assert all(re.match(r"http://127\.0\.0\.1:\d+/(yna|kh)/", u) for u in fetched), fetched[:3]
    assert any(p.startswith("/yna/view/AEN") for p in seen)
    assert any(p.startswith("/kh/article/") for p in seen)


def test_robots_txt_at_the_mirror_root_governs_the_prefixed_paths(crawls):
    _, _, seen = crawls
    assert "/robots.txt" in seen
    assert not [p for p in seen if p.startswith("/yna/search/")]


def test_every_dropped_feed_link_is_on_record_with_its_reason(crawls):
    _, mirrored, _ = crawls
    junk = {
        d["reason"]: d for d in mirrored["discoveries"] if (d["title"] or "").startswith("junk")
    }
    assert set(junk) == set(JUNK)
    assert {d["decision"] for d in junk.values()} == {"skipped"}
    assert {d["via"] for d in junk.values()} == {"rss"}
    assert junk["not-article"]["url"] == "https://en.yna.co.kr/national/politics"


@pytest.mark.parametrize("reason", ["scheme-javascript", "other-host", "malformed-url"])
def test_why_a_dropped_link_was_never_fetched_is_answered(crawls, reason):
    _, mirrored, _ = crawls
    link = JUNK[reason]
    result = run_newsagg("related", "--explain", link, "--db", str(mirrored["db"]))
    assert result.returncode == 0, result.stderr
    assert f"decision: skipped ({reason})" in result.stdout


def test_sitemaps_advertised_in_robots_are_read_and_their_drops_bounded(crawls):
    _, mirrored, seen = crawls
    assert "/yna/extra-sitemap.xml" in seen
    rows = [d for d in mirrored["discoveries"] if "elsewhere.example" in d["url"]]
    assert len(rows) == MAX_DROPPED
    assert {d["reason"] for d in rows} == {"other-host"}
    (summary,) = [d for d in mirrored["discoveries"] if d["url"].endswith("#dropped")]
    assert summary["reason"].startswith(f"dropped-links: {EXTRA_SITEMAP_LINKS - MAX_DROPPED} more")


def test_a_broken_section_feed_is_recorded_and_the_crawl_goes_on(crawls):
    _, mirrored, seen = crawls
    assert "/yna/RSS/economy.xml" in seen
    (row,) = [d for d in mirrored["discoveries"] if d["url"].endswith("/RSS/economy.xml")]
    assert row["decision"] == "failed"
    assert row["reason"].startswith("bad-feed")


# --- the URL rules behind it -------------------------------------------------------------

YONHAP = OUTLETS["yonhap"]
ARTICLE = "/view/AEN20250424000951320"


@pytest.mark.parametrize(
    ("base", "link", "real"),
    [
        ("http://127.0.0.1:8000", f"http://127.0.0.1:8000{ARTICLE}?input=rss", True),
        ("http://mirror.example/yna", f"http://mirror.example/yna{ARTICLE}", True),
        ("http://mirror.example/yna/", f"http://mirror.example/yna{ARTICLE}", True),
        ("http://mirror.example", f"http://mirror.example:80{ARTICLE}", True),
        ("http://mirror.example/yna", f"http://mirror.example/other{ARTICLE}", False),
        ("http://mirror.example/yna", f"http://mirror.example/ynab{ARTICLE}", False),
        ("http://127.0.0.1:8000", f"http://127.0.0.1:8001{ARTICLE}", False),
        ("http://127.0.0.1:8000", f"https://127.0.0.1:8000{ARTICLE}", False),
        ("http://127.0.0.1:8000", f"https://example.com{ARTICLE}", False),
    ],
)
def test_a_link_on_the_base_belongs_to_the_outlet(base, link, real):
    found = outlet_link(link, YONHAP, base)
    assert (found is not None) is real
    if real:
        assert found.startswith(f"https://en.yna.co.kr{ARTICLE}")
        assert canonical_url(link, {"yonhap": base.rstrip("/")}) == f"https://en.yna.co.kr{ARTICLE}"


def test_real_host_links_are_fetched_from_the_base_under_its_prefix():
    real = f"https://en.yna.co.kr{ARTICLE}?section=news"
    assert rebase(real, YONHAP, "http://mirror.example/yna") == (
        f"http://mirror.example/yna{ARTICLE}?section=news"
    )
    assert from_base(rebase(real, YONHAP, "http://m.example/yna"), YONHAP, "http://m.example/yna")
    assert (
        rebase("https://example.com/x", YONHAP, "http://m.example/yna") == "https://example.com/x"
    )


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("[::ffff:10.0.0.1]", "10.0.0.1"),
        ("[::1]", "::1"),
        ("en.yna.co.kr", None),
        ("1password.example", None),
    ],
)
def test_literal_addresses_are_read_in_every_form(host, address):
    found = literal_address(host)
    assert (str(found) if found else None) == address

"""A Yonhap-shaped server whose pages fail in every way a real site can, for the fault tests.

It serves robots.txt, an RSS feed and a news sitemap that list one article URL per fault,
plus two good articles copied from the replica, and logs every request it answers. Tests
point the yonhap outlet at it with --outlet-url. A second "canary" server counts requests that
must never happen.

The feed and the sitemap carry an ``ETag`` and answer 304 to a request whose ``If-None-Match``
matches it (``not_modified`` counts those); robots.txt disallows the ``robots-disallowed*``
articles, which must never be requested.
"""

from __future__ import annotations

import gzip
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPLICA = Path(__file__).resolve().parent.parent / "data" / "replica" / "yonhap"
GOOD = ("AEN20250422005200320", "AEN20250423002100320")
TITLE = "S. Korea, U.S. tariff talks: Choi Sang-mok and Ahn Duk-geun meet Bessent, Greer"


def story(n: int) -> str:
    return f"AEN202504240{n:03d}00320"


# fault name -> article id; each id's page misbehaves as named
FAULTS = {
    name: story(i)
    for i, name in enumerate(
        [
            "status-500",
            "status-503-then-200",
            "status-429-retry-after",
            "status-404",
            "status-410",
            "empty-200",
            "cut-mid-tag",
            "png-as-html",
            "wrong-charset",
            "unknown-charset",
            "deep-nesting",
            "tiny-elements",
            "gzip-bomb",
            "short-body",
            "redirect-loop",
            "redirect-to-canary",
            "redirect-to-metadata",
            "consent-wall",
            "nul-and-surrogate",
            "never-answers",
            "status-503-twice-then-200",
            "robots-disallowed",
            "robots-disallowed-too",
            "redirect-to-decimal-loopback",
            "redirect-to-mapped-loopback",
            "redirect-to-localhost",
        ],
        start=100,
    )
}


# Every one of these is 127.0.0.1, where the canary listens.
LOOPBACK_FORMS = {
    "redirect-to-decimal-loopback": "2130706433",
    "redirect-to-mapped-loopback": "[::ffff:127.0.0.1]",
    "redirect-to-localhost": "localhost",
}
ROBOTS_DISALLOWED = ("robots-disallowed", "robots-disallowed-too")
ETAGS = {"/RSS/news.xml": '"feed-1"', "/news-sitemap.xml": '"sitemap-1"'}


def good_page(article_id: str) -> bytes:
    return (REPLICA / "view" / f"{article_id}.html").read_bytes()


class FaultHandler(BaseHTTPRequestHandler):
    server: FaultServer

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.server.log(self.path)
        path = self.path.split("?")[0]
        if path == "/robots.txt":
            return self.send(200, self.server.robots(), "text/plain")
        if path in ETAGS and self.headers.get("If-None-Match") == ETAGS[path]:
            self.server.count_not_modified(path)
            return self.send(304, b"", headers={"ETag": ETAGS[path]})
        if path == "/RSS/news.xml":
            if self.server.broken_feeds:  # a consent page where the feed should be
                return self.send(
                    200, b"<html><body><h1>Consent</h1><p>Accept cookies</p></body></html>"
                )
            return self.send(200, self.server.feed(), "application/rss+xml")
        if path == "/news-sitemap.xml":
            if self.server.broken_feeds:  # an index that lists itself and a twin that lists it back
                return self.send(
                    200, self.server.index_loop("/news-sitemap-2.xml"), "application/xml"
                )
            return self.send(200, self.server.sitemap(), "application/xml")
        if path == "/news-sitemap-2.xml":
            return self.send(200, self.server.index_loop("/news-sitemap.xml"), "application/xml")
        if path.startswith("/view/"):
            return self.article(path.removeprefix("/view/"))
        return self.send(404, b"<html><body>Not found</body></html>")

    def article(self, article_id: str):
        if article_id in GOOD:
            return self.send(200, good_page(article_id))
        fault = {v: k for k, v in FAULTS.items()}.get(article_id)
        count = self.server.count(self.path.split("?")[0])
        if article_id in self.server.pages:
            return self.send(200, *self.server.pages[article_id])
        # A page of its own: the good page's text, without its rel=canonical and og:url.
        page = re.sub(
            rb'<link rel="canonical"[^>]*>|<meta property="og:url"[^>]*>',
            b"",
            good_page(GOOD[0]).replace(
                b"Finance minister leaves", b"Fault page " + article_id.encode()
            ),
        )
        if fault == "status-500":
            return self.send(500, b"<html>Internal error</html>")
        if fault == "status-503-then-200":
            return self.send(503, b"busy") if count == 1 else self.send(200, page)
        if fault == "status-503-twice-then-200":
            return self.send(503, b"busy") if count <= 2 else self.send(200, page)
        if fault == "status-429-retry-after":
            if count == 1:
                return self.send(429, b"slow down", headers={"Retry-After": "1"})
            return self.send(200, page)
        if fault in {"status-404", "status-410"}:
            return self.send(int(fault[-3:]), b"<html>gone</html>")
        if fault == "empty-200":
            return self.send(200, b"")
        if fault == "cut-mid-tag":
            return self.send(200, page[: len(page) // 2] + b'<p class="unfinished')
        if fault == "png-as-html":
            return self.send(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
        if fault == "wrong-charset":
            return self.send(
                200, page.decode("utf-8").encode("utf-8"), "text/html; charset=shift_jis"
            )
        if fault == "unknown-charset":
            return self.send(200, page, "text/html; charset=x-no-such-charset")
        if fault == "deep-nesting":
            body = (
                b"<div>" * 300
                + b"<p>"
                + b" ".join([b"tariff talks in Washington"] * 80)
                + b"</p>"
                + b"</div>" * 300
            )
            return self.send(200, b"<html><body>" + body + b"</body></html>")
        if fault == "tiny-elements":
            return self.send(200, b"<html><body>" + b"<span>x</span>" * 380_000 + b"</body></html>")
        if fault == "gzip-bomb":
            bomb = gzip.compress(b"\0" * (60 * 1024 * 1024))
            return self.send(200, bomb, headers={"Content-Encoding": "gzip"})
        if fault == "short-body":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page) + 5000))
            self.end_headers()
            self.wfile.write(page[:2000])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if fault == "redirect-loop":
            return self.send(302, b"", headers={"Location": self.path})
        if fault == "redirect-to-canary":
            return self.send(
                302, b"", headers={"Location": f"{self.server.canary_url}/view/{article_id}"}
            )
        if fault in LOOPBACK_FORMS:  # the canary's address, spelt so no string test sees it
            port = self.server.canary_url.rsplit(":", 1)[1]
            location = f"http://{LOOPBACK_FORMS[fault]}:{port}/view/{article_id}"
            return self.send(302, b"", headers={"Location": location})
        if fault == "redirect-to-metadata":
            return self.send(
                302, b"", headers={"Location": "http://169.254.169.254/latest/meta-data/"}
            )
        if fault == "consent-wall":
            return self.send(
                200,
                b"<html><body><h1>Before you continue</h1><p>We use cookies.</p>"
                b"<button>Accept all</button></body></html>",
            )
        if fault == "nul-and-surrogate":
            text = (
                page.decode("utf-8")
                .replace("Choi", "Ch\x00oi")
                .replace("tariff", "tar\udcffiff", 1)
            )
            return self.send(200, text.encode("utf-8", "surrogatepass"))
        if fault == "never-answers":
            self.server.hold.wait(30)  # until the test ends; the crawl's timeout gives up first
            return None
        return self.send(404, b"no such fault")

    def send(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if status == 200 and self.path.split("?")[0] in ETAGS:
            self.send_header("ETag", ETAGS[self.path.split("?")[0]])
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        return None


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        canary_url: str = "http://127.0.0.1:9",
        broken_feeds: bool = False,
        pages: dict[str, tuple[bytes, str]] | None = None,
    ):
        """``pages``: article id -> (body, Content-Type) served as is; when given, the feed
        lists these pages instead of the faults."""
        super().__init__(("127.0.0.1", 0), FaultHandler)
        self.canary_url = canary_url
        self.broken_feeds = broken_feeds
        self.pages = pages or {}
        self.requests: list[str] = []
        self.counts: dict[str, int] = {}
        self.times: dict[str, list[float]] = {}
        self.lock = threading.Lock()
        self.hold = threading.Event()
        # path -> 304s answered to a matching If-None-Match
        self.not_modified: dict[str, int] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def log(self, path: str) -> None:
        with self.lock:
            self.requests.append(path)
            self.times.setdefault(path.split("?")[0], []).append(time.monotonic())

    def count(self, path: str) -> int:
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            return self.counts[path]

    def count_not_modified(self, path: str) -> None:
        with self.lock:
            self.not_modified[path] = self.not_modified.get(path, 0) + 1

    def robots(self) -> bytes:
        paths = ["/search/", *(f"/view/{FAULTS[f]}" for f in ROBOTS_DISALLOWED)]
        return ("User-agent: *\n" + "".join(f"Disallow: {p}\n" for p in paths)).encode()

    def ids(self) -> list[str]:
        return list(self.pages) if self.pages else [*GOOD, *FAULTS.values()]

    def feed(self) -> bytes:
        items = "".join(
            f"<item><title>{TITLE} {i}</title><link>https://en.yna.co.kr/view/{i}?input=rss</link>"
            f"<pubDate>Thu, 24 Apr 2025 10:00:00</pubDate></item>"
            for i in self.ids()
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()

    def sitemap(self) -> bytes:
        bad = [
            "javascript:alert(1)",
            "data:text/html,hi",
            "file:///etc/passwd",
            f"{self.canary_url}/view/{story(999)}",
        ]
        urls = "".join(f"<url><loc>{u}</loc></url>" for u in bad)
        return (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>"
        ).encode()

    def index_loop(self, other: str) -> bytes:
        locs = "".join(
            f"<sitemap><loc>https://en.yna.co.kr{p}</loc></sitemap>"
            for p in ("/news-sitemap.xml", other)
        )
        return (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{locs}</sitemapindex>"
        ).encode()

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.hold.set()
        self.shutdown()
        self.server_close()


class CanaryServer(ThreadingHTTPServer):
    """Answers 200 to anything and counts: every request it sees is a failure of the guard."""

    daemon_threads = True

    def __init__(self):
        outer = self
        self.requests: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_GET(self):
                outer.requests.append(self.path)
                self.send_response(200)
                self.end_headers()

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()

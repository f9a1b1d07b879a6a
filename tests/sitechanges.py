"""The replica changed the ways real sites change, for one outlet: a rewriting proxy in front of
its replica server.

``ChangedSite(upstream)`` serves on 127.0.0.1 what the upstream (a ``Replica`` server) serves,
passed through the change in effect (``site.change = "byline"``; None: unchanged). The crawl
and ``newsagg doctor`` are pointed at it with ``--outlet-url yonhap=<site.url>``. The changes
are written for Yonhap's pages (the outlet the health tests crawl):

- ``byline``: the "By NAME" paragraph leaves the article body for a new writer box;
- ``body``: the body container ``article.story-news`` becomes ``div.article-txt``;
- ``feed-moved``: the all-news feed answers 404;
- ``feed-html``: the all-news feed answers 200 with an HTML page;
- ``no-minutes``: article pages give their dates without the time of day;
- ``bot-wall``: every path, robots.txt included, answers 403 with a challenge page;
- ``article-wall``: article pages alone answer 403 (feeds stay open, as DataDome does).

Every request the upstream answers passes through here, conditional GETs included; a body
the change rewrote loses its validators (it is not the upstream's any more).
"""

from __future__ import annotations

import contextlib
import re
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FEED = "/RSS/news.xml"
CHANGES = ("byline", "body", "feed-moved", "feed-html", "no-minutes", "bot-wall", "article-wall")
CHALLENGE = (
    b"<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>"
)
MOVED = (
    b"<!DOCTYPE html><html><head><title>RSS | Yonhap News Agency</title></head><body>"
    b"<h1>Our RSS service has moved</h1><p>Find our new feeds on the RSS page.</p></body></html>"
)


def move_byline(html: str) -> str:
    found = re.search(r"<p>By ([^<]+)</p>\s*", html)
    if not found:
        return html
    html = html.replace(found.group(0), "", 1)
    box = f'<div class="writer-box"><span class="writer-name">{found.group(1)}</span></div>'
    return html.replace('<div class="story-news-wrap">', f'<div class="story-news-wrap">{box}', 1)


def rename_body(html: str) -> str:
    html = html.replace('<article class="story-news article">', '<div class="article-txt">')
    return html.replace("</article>", "</div>")


def drop_minutes(html: str) -> str:
    """ISO times become days; the shown "08:03 February 02, 2024" loses its time."""
    html = re.sub(r"(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:?\d{2}|Z)?", r"\1", html)
    html = re.sub(r'data-published-time="(\d{8})\d{4}"', r'data-published-time="\1"', html)
    return re.sub(r">\d{2}:\d{2} ([A-Z][a-z]+ \d{2}, \d{4})<", r">\1<", html)


# No proxy from the environment between two local servers.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
PAGE_CHANGES = {"byline": move_byline, "body": rename_body, "no-minutes": drop_minutes}


class ChangedHandler(BaseHTTPRequestHandler):
    server: ChangedSite

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        change = self.server.change
        path = self.path
        if change == "bot-wall" or (change == "article-wall" and path.startswith("/view/")):
            return self.send(403, CHALLENGE, {"cf-mitigated": "challenge"})
        if change == "feed-moved" and path.startswith(FEED):
            return self.send(404, b"<html><body>Not Found</body></html>")
        if change == "feed-html" and path.startswith(FEED):
            return self.send(200, MOVED)
        status, headers, body = self.server.fetch(path, self.headers)
        if change in PAGE_CHANGES and path.startswith("/view/") and status == 200:
            changed = PAGE_CHANGES[change](body.decode("utf-8")).encode("utf-8")
            if changed != body:
                body = changed
                headers = {k: v for k, v in headers.items() if k.lower() == "content-type"}
        return self.send(status, body, headers)

    def send(self, status: int, body: bytes, headers: dict | None = None):
        headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in {"content-length", "transfer-encoding", "connection"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class ChangedSite(ThreadingHTTPServer):
    """A proxy for one outlet's replica server; ``change`` may be switched between runs."""

    daemon_threads = True

    def __init__(self, upstream: str):
        super().__init__(("127.0.0.1", 0), ChangedHandler)
        self.upstream = upstream.rstrip("/")
        self.change: str | None = None
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fetch(self, path: str, request_headers) -> tuple[int, dict, bytes]:
        passed = {
            k: v
            for k, v in request_headers.items()
            if k.lower() in {"if-none-match", "if-modified-since", "user-agent"}
        }
        request = urllib.request.Request(self.upstream + path, headers=passed)
        try:
            with DIRECT.open(request, timeout=10) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def __enter__(self) -> ChangedSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


def main() -> None:
    """``python tests/sitechanges.py CHANGE``: serve Yonhap's replica with CHANGE until Ctrl-C,
    for a look with `newsagg doctor --outlet-url yonhap=URL` or a crawl."""
    import sys

    from crawler.replica import Replica

    if len(sys.argv) != 2 or sys.argv[1] not in CHANGES:
        sys.exit(f"usage: python tests/sitechanges.py {{{','.join(CHANGES)}}}")
    with Replica(["yonhap"]) as replica, ChangedSite(replica.base_urls["yonhap"]) as site:
        site.change = sys.argv[1]
        print(f"yonhap with change {site.change!r} at {site.url} (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()

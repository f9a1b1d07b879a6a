"""An independent test site: mirrors of the four outlets on 127.0.0.1, built in code.

Yonhap and the Korea Herald each get a server of their own at the root; Reuters and Nikkei
Asia share a third server under the path prefixes ``/reuters`` and ``/nikkei``, with one
robots.txt at that server's root naming the prefixed paths.

    with OtherSite() as site:
        site.base_urls["reuters"]      # "http://127.0.0.1:PORT/reuters"
        site.requests("yonhap")        # paths with query the Yonhap mirror saw, in order
        site.articles                  # what a crawler should find, with the expected labels
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from .content import ACCESS, REAL_BASES, STORIES, Story
from .mirrors import Mirror, Response, build_mirrors, not_found, when

__all__ = ["OtherSite"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mounts: list[Mirror]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        # The longest prefix wins, so "/reuters/..." is not taken by a root mount.
        self.mounts = sorted(mounts, key=lambda m: len(m.prefix), reverse=True)
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"
        for mirror in mounts:
            mirror.origin = self.origin
        self.lock = threading.Lock()
        self.seen: list[str] = []

    def record(self, target: str) -> None:
        with self.lock:
            self.seen.append(target)

    def robots(self) -> str:
        lines = [
            "# Mirror of " + ", ".join(m.outlet for m in self.mounts),
            "User-agent: GPTBot",
            "Disallow: /",
            "",
            "User-agent: *",
        ]
        for mirror in self.mounts:
            lines += [f"Disallow: {mirror.prefix}{rule}" for rule in mirror.disallow]
        lines.append("")
        for mirror in self.mounts:
            lines += [f"Sitemap: {mirror.own(path)}" for path in mirror.sitemaps]
        return "\n".join(lines) + "\n"

    def route(self, target: str) -> Response:
        parts = urlsplit(target)
        if parts.path == "/robots.txt":
            return Response(200, self.robots().encode(), "text/plain; charset=utf-8")
        for mirror in self.mounts:
            if not mirror.prefix:
                return mirror.respond(parts.path, parts.query)
            if parts.path.startswith(mirror.prefix + "/"):
                return mirror.respond(parts.path[len(mirror.prefix) :], parts.query)
        return not_found()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "othersite/1.0"

    def do_GET(self) -> None:
        self.answer(send_body=True)

    def do_HEAD(self) -> None:
        self.answer(send_body=False)

    def answer(self, send_body: bool) -> None:
        self.server.record(self.path)
        response = self.server.route(self.path)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is kept in memory for the tests instead."""


class OtherSite:
    """Start the three servers on free ports; stop them on exit."""

    def __init__(self) -> None:
        self.mirrors = build_mirrors()
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> OtherSite:
        shared = _Server([self.mirrors["reuters"], self.mirrors["nikkei"]])
        self._servers = {
            "yonhap": _Server([self.mirrors["yonhap"]]),
            "koreaherald": _Server([self.mirrors["koreaherald"]]),
            "reuters": shared,
            "nikkei": shared,
        }
        for server in {id(s): s for s in self._servers.values()}.values():
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for server in {id(s): s for s in self._servers.values()}.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=10)

    # -- what the tests look at -------------------------------------------------------------

    @property
    def base_urls(self) -> dict[str, str]:
        return {name: mirror.base for name, mirror in self.mirrors.items()}

    def server_requests(self, outlet: str) -> list[str]:
        """Every path with query the outlet's server saw, robots.txt and other mounts included."""
        server = self._servers[outlet]
        with server.lock:
            return list(server.seen)

    def requests(self, outlet: str) -> list[str]:
        """The paths with query under the outlet's own mount, in order."""
        prefix = self.mirrors[outlet].prefix
        if not prefix:
            return self.server_requests(outlet)
        return [t for t in self.server_requests(outlet) if t.startswith(prefix + "/")]

    def robots_txt(self, outlet: str) -> str:
        return self._servers[outlet].robots()

    def robots_url(self, outlet: str) -> str:
        return self._servers[outlet].origin + "/robots.txt"

    @property
    def articles(self) -> list[dict[str, object]]:
        return [self._describe(story) for story in STORIES]

    def _describe(self, story: Story) -> dict[str, object]:
        mirror = self.mirrors[story.outlet]
        return {
            "outlet": story.outlet,
            "url": mirror.own(story.path),
            "path": story.path,
            "canonical_url": REAL_BASES[story.outlet] + story.path,
            "title": story.title,
            "published": when(story),
            "related": story.related,
            "access": ACCESS[story.outlet],
            "group": story.group,
            "language": story.language,
            "byline": story.byline,
            "subhead": story.subhead,
            "preview": story.paragraphs[0] if story.outlet == "nikkei" else None,
            "in_feed": story.in_feed,
            "desk": story.desk,
        }

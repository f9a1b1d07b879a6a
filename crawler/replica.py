"""Serve the offline replica (``data/replica/<outlet>/``) on 127.0.0.1, one port per outlet.

Each outlet gets its own server so that its robots.txt sits at the root, as on the real host.
Used by ``newsagg crawl --replica``, the tests and the benchmarks; ``python -m crawler.replica``
serves it for a look in a browser.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPLICA_ROOT = Path(__file__).resolve().parent.parent / "data" / "replica"


class ReplicaHandler(SimpleHTTPRequestHandler):
    """Static files, with the real sites' extension-less article paths mapped to .html."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".xml": "application/xml; charset=utf-8",
        ".html": "text/html; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
    }

    def translate_path(self, path: str) -> str:
        root = Path(self.directory)
        rel = unquote(urlsplit(path).path).lstrip("/")
        target = (root / rel).resolve()
        if root.resolve() not in target.parents and target != root.resolve():
            return str(root / "__outside__")
        if target.is_dir() and (target / "index.html").exists():
            return str(target / "index.html")
        if not target.exists() and target.with_name(target.name + ".html").exists():
            return str(target.with_name(target.name + ".html"))
        return str(target)

    def list_directory(self, path):
        self.send_error(404, "Not Found")
        return None

    def log_message(self, format, *args):  # quiet: the crawl logs what matters
        pass


class Replica:
    """Servers for the given outlets; ``base_urls`` maps slug -> http://127.0.0.1:PORT."""

    def __init__(self, slugs: list[str], root: Path = REPLICA_ROOT):
        self.servers: dict[str, ThreadingHTTPServer] = {}
        self.root = root
        for slug in slugs:
            directory = root / slug
            if not directory.is_dir():
                raise FileNotFoundError(f"no replica for outlet {slug!r} in {root}")
            handler = partial(ReplicaHandler, directory=str(directory))
            self.servers[slug] = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.threads = [
            threading.Thread(target=s.serve_forever, name=f"replica-{slug}", daemon=True)
            for slug, s in self.servers.items()
        ]

    @property
    def base_urls(self) -> dict[str, str]:
        return {slug: f"http://127.0.0.1:{s.server_address[1]}" for slug, s in self.servers.items()}

    def __enter__(self) -> Replica:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()


def available(root: Path = REPLICA_ROOT) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "robots.txt").exists())


if __name__ == "__main__":
    with Replica(sys.argv[1:] or available()) as replica:
        for slug, url in replica.base_urls.items():
            print(f"{slug:12} {url}")
        print("serving; Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()

"""Serve the offline replica (``data/replica/<outlet>/``) on 127.0.0.1, one port per outlet.

Each outlet gets its own server so that its robots.txt sits at the root, as on the real host.
Used by ``newsagg crawl --replica``, the tests and the benchmarks; ``python -m crawler.replica``
serves it for a look in a browser.

What the real sites do beyond static files is data in the outlet's folder, written by
``crawler.replica_build``:
- ``PATH@QUERY`` files answer requests whose query string matters (``?date=20250424``);
- ``_rules.json`` gives some paths another status and headers (Reuters' 401 with
  ``x-datadome``), with a body file;
- ``_search.json`` describes a site search: the path, the query parameter, page templates and
  an index of the articles it can find.

The base folders show the sites as they stood at ``SNAPSHOT``; ``Replica(..., snapshot=DAY)``
lays a later snapshot's overlay (``data/replica/at-DAY/<outlet>/``: the feeds, sitemaps,
listings and search that changed) over them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import threading
from datetime import date, timedelta
from functools import partial
from html import escape
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from crawler.replica_sites import SNAPSHOT, overlay_dir

REPLICA_ROOT = Path(__file__).resolve().parent.parent / "data" / "replica"


def query_key(path: str, query: str) -> str:
    """The file name that answers PATH?QUERY: ``a/b/index@k=v&x=y`` (sorted parameters)."""
    rel = unquote(path).lstrip("/")
    if not rel or rel.endswith("/"):
        rel += "index"
    return f"{rel}@{urlencode(sorted(parse_qsl(query)))}" if query else rel


class Site:
    """One outlet's folder (under an optional snapshot overlay), rules and search loaded once."""

    def __init__(self, directory: Path, overlay: Path | None = None):
        self.directory = directory
        self.roots = [d.resolve() for d in (overlay, directory) if d is not None and d.is_dir()]
        rules = self.find("_rules.json")
        self.rules = json.loads(rules.read_text(encoding="utf-8")) if rules else []
        search = self.find("_search.json")
        self.search = json.loads(search.read_text(encoding="utf-8")) if search else None
        self.requests: list[str] = []
        self.lock = threading.Lock()

    def find(self, rel: str) -> Path | None:
        """The file for ``rel``: the overlay's if it has one, else the base folder's."""
        for root in self.roots:
            target = (root / rel).resolve()
            if root not in target.parents:
                return None
            # Like the real sites: /a/b serves a/b, a/b.html or (for /a/b/ and /a/b) a/b/index.html.
            for candidate in (
                target,
                target.with_name(target.name + ".html"),
                target / "index.html",
            ):
                if candidate.is_file():
                    return candidate
        return None

    def rule_for(self, path: str) -> dict | None:
        for rule in self.rules:
            if re.search(rule["match"], path) and not any(
                re.search(u, path) for u in rule.get("unless", [])
            ):
                return rule
        return None

    def search_page(self, query: str) -> str:
        spec = self.search
        words = [w for w in re.findall(r"\w[\w+'-]*", query.lower()) if len(w) > 1]
        hits = [doc for doc in spec["index"] if words and all(w in doc["haystack"] for w in words)]
        hits.sort(key=lambda d: d["date"], reverse=True)
        items = "\n".join(
            spec["item"].format(**{k: escape(str(v)) for k, v in doc.items()})
            for doc in hits[: spec.get("limit", 20)]
        )
        return spec["page"].replace("{query}", escape(query)).replace("{results}", items)


class ReplicaHandler(SimpleHTTPRequestHandler):
    """Static files, query-keyed files, status rules and search, as described above."""

    site: Site

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".xml": "application/xml; charset=utf-8",
        ".html": "text/html; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
    }

    def do_GET(self):
        parts = urlsplit(self.path)
        with self.site.lock:
            self.site.requests.append(self.path)
        spec = self.site.search
        if spec and parts.path == spec["path"]:
            query = dict(parse_qsl(parts.query)).get(spec["param"], "")
            return self.send_text(HTTPStatus.OK, self.site.search_page(query), "text/html")
        rule = self.site.rule_for(parts.path)
        if rule:
            body = self.site.find(rule["body"]).read_text(encoding="utf-8")
            return self.send_text(rule["status"], body, "text/html", rule.get("headers", {}))
        return super().do_GET()

    def send_text(self, status: int, body: str, kind: str, headers: dict | None = None):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def translate_path(self, path: str) -> str:
        parts = urlsplit(path)
        for rel in (query_key(parts.path, parts.query), query_key(parts.path, "")):
            found = self.site.find(rel)
            if found:
                return str(found)
        return str(self.site.directory / "__missing__")

    def guess_type(self, path):
        if Path(path).suffix in self.extensions_map:
            return super().guess_type(path)
        try:
            with open(path, "rb") as fh:
                head = fh.read(64).lstrip()
        except OSError:  # send_head answers 404 right after
            return "text/html; charset=utf-8"
        return (
            "application/xml; charset=utf-8"
            if head.startswith(b"<?xml")
            else "text/html; charset=utf-8"
        )

    def list_directory(self, path):
        self.send_error(404, "Not Found")
        return None

    def log_message(self, format, *args):  # quiet: the crawl logs what matters
        pass


class Replica:
    """Servers for the given outlets; ``base_urls`` maps slug -> http://127.0.0.1:PORT."""

    def __init__(self, slugs: list[str], root: Path = REPLICA_ROOT, snapshot: str | None = None):
        self.servers: dict[str, ThreadingHTTPServer] = {}
        self.sites: dict[str, Site] = {}
        if snapshot and (problem := unknown_snapshot(snapshot, root)):
            raise FileNotFoundError(problem)
        overlay = overlay_dir(root, snapshot) if snapshot else None
        for slug in slugs:
            directory = root / slug
            if not (directory / "robots.txt").is_file():
                raise FileNotFoundError(f"no replica for outlet {slug!r} in {root}")
            site = self.sites[slug] = Site(directory, overlay and overlay / slug)
            handler = type(f"{slug.title()}Handler", (ReplicaHandler,), {"site": site})
            self.servers[slug] = ThreadingHTTPServer(
                ("127.0.0.1", 0), partial(handler, directory=str(directory))
            )
        self.threads = [
            threading.Thread(target=s.serve_forever, name=f"replica-{slug}", daemon=True)
            for slug, s in self.servers.items()
        ]

    @property
    def base_urls(self) -> dict[str, str]:
        return {slug: f"http://127.0.0.1:{s.server_address[1]}" for slug, s in self.servers.items()}

    def requests(self, slug: str) -> list[str]:
        """Paths (with queries) this outlet's server was asked for, in order."""
        return list(self.sites[slug].requests)

    def __enter__(self) -> Replica:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()


def available(root: Path = REPLICA_ROOT) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "robots.txt").is_file())


def snapshots(root: Path = REPLICA_ROOT) -> list[str]:
    """The days the replica can show, oldest first: the base snapshot, then the overlays."""
    return [SNAPSHOT[:10], *sorted(p.name[3:] for p in root.glob("at-*") if p.is_dir())]


def unknown_snapshot(day: str, root: Path = REPLICA_ROOT) -> str | None:
    """Why ``day`` is no snapshot of the replica, or None when it is one."""
    days = snapshots(root)
    return None if day in days else f"no replica snapshot {day!r} (there are: {', '.join(days)})"


def snapshot_for(published: list[str], root: Path = REPLICA_ROOT) -> str:
    """The first snapshot at least two days after the newest of these source dates (the
    coverage has had time to appear), else the last one."""
    days = snapshots(root)
    if not published:
        return days[0]
    wanted = (date.fromisoformat(max(published)[:10]) + timedelta(days=2)).isoformat()
    return next((d for d in days if d >= wanted), days[-1])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the offline replica on 127.0.0.1.")
    parser.add_argument("outlets", nargs="*", help="default: all")
    parser.add_argument("--at", choices=snapshots(), help="snapshot day (default: the first)")
    args = parser.parse_args()
    with Replica(args.outlets or available(), snapshot=args.at) as replica:
        for slug, url in replica.base_urls.items():
            print(f"{slug:12} {url}")
        print("serving; Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()

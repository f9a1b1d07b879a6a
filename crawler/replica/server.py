"""Serve the offline replica (``data/replica/<outlet>/``) on 127.0.0.1, one port per outlet.

Each outlet gets its own server so that its robots.txt sits at the root, as on the real host.
Used by ``newsagg crawl --replica``, the tests and the benchmarks; ``python -m crawler.replica``
serves it for a look in a browser.

What the real sites do beyond static files is data in the outlet's folder, written by
``crawler.replica.build``:
- ``PATH@QUERY`` files answer requests whose query string matters (``?date=20250424``);
- ``_rules.json`` gives some paths another status and headers (Reuters' 401 with
  ``x-datadome``), with a body file;
- ``_search.json`` describes a site search: the path, the query parameter, page templates and
  an index of the articles it can find.

The base folders show the sites as they stood at ``SNAPSHOT``; ``Replica(..., snapshot=DAY)``
lays a later snapshot's overlay (``data/replica/at-DAY/<outlet>/``: the feeds, sitemaps,
listings and search that changed) over them.

Validators come from the content, as a CMS's do, never from the files' mtimes (the same in
every snapshot): the ``ETag`` is a hash of the body and ``Last-Modified`` the newest item in it
(``pubDate``, ``lastmod``, ``news:publication_date``; for a page, the newest timestamp it
shows). ``If-None-Match`` and ``If-Modified-Since`` get a 304 only when the content is the
same, so a crawl of a later snapshot reads every feed that changed.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from functools import partial
from html import escape
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from crawler.replica.sites import SNAPSHOT, overlay_dir
from crawler.resources import data_path

REPLICA_ROOT = data_path("replica")


def query_key(path: str, query: str) -> str:
    """The file name that answers PATH?QUERY: ``a/b/index@k=v&x=y`` (sorted parameters)."""
    rel = unquote(path).lstrip("/")
    if not rel or rel.endswith("/"):
        rel += "index"
    return f"{rel}@{urlencode(sorted(parse_qsl(query)))}" if query else rel


# The dates a feed or sitemap gives its items (RSS, Atom, Dublin Core, sitemaps, news sitemaps).
ITEM_DATE = re.compile(
    r"<(pubDate|lastmod|news:publication_date|published|updated|dc:date)>\s*"
    r"(?:<!\[CDATA\[)?([^<\]]+?)(?:\]\]>)?\s*</\1>"
)
# Any ISO-8601 timestamp with a time of day: what a page or listing shows of its own age.
ISO_TIME = re.compile(
    r"\b(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?\b"
)


def parse_when(text: str) -> datetime | None:
    """An RFC 822 or ISO-8601 date (naive ones read as UTC: stable, which is what matters)."""
    text = text.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def newest_item(body: bytes) -> datetime | None:
    """When the content last changed, read from the content: the newest item of a feed or
    sitemap, else the newest timestamp a page shows; None for a file without dates
    (robots.txt, Nikkei's undated RSS), which then has an ETag only."""
    text = body.decode("utf-8", errors="replace")
    found = [parse_when(m.group(2)) for m in ITEM_DATE.finditer(text)]
    if not any(found):
        found = [
            parse_when("T".join(m.group(1, 2)) + (m.group(3) or ""))
            for m in ISO_TIME.finditer(text)
        ]
    dates = [d for d in found if d is not None]
    return max(dates) if dates else None


class Validators(NamedTuple):
    etag: str
    last_modified: datetime | None

    @classmethod
    def of(cls, body: bytes) -> Validators:
        return cls(f'"{hashlib.sha256(body).hexdigest()[:32]}"', newest_item(body))

    def headers(self) -> dict[str, str]:
        out = {"ETag": self.etag}
        if self.last_modified:
            out["Last-Modified"] = format_datetime(
                self.last_modified.astimezone(timezone.utc), usegmt=True
            )
        return out

    def not_modified(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """RFC 9110 13.2.2: If-None-Match decides when sent (weak comparison); otherwise
        If-Modified-Since, against a Last-Modified the content gives."""
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or self.etag in tags
        if if_modified_since is None or self.last_modified is None:
            return False
        since = parse_when(if_modified_since)
        # HTTP dates have whole seconds: compare at that precision.
        return since is not None and self.last_modified.replace(microsecond=0) <= since


class Hit(NamedTuple):
    """One request as the server saw and answered it."""

    path: str
    status: int
    if_none_match: str | None
    if_modified_since: str | None


class Site:
    """One outlet's folder (under an optional snapshot overlay), rules and search loaded once."""

    def __init__(self, directory: Path, overlay: Path | None = None):
        self.directory = directory
        self.requests: list[str] = []
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self._validators: dict[Path, Validators] = {}
        self.show(overlay)

    def show(self, overlay: Path | None) -> None:
        """Serve the base folder under this overlay (None: the base snapshot alone)."""
        self.roots = [
            d.resolve() for d in (overlay, self.directory) if d is not None and d.is_dir()
        ]
        rules = self.find("_rules.json")
        self.rules = json.loads(rules.read_text(encoding="utf-8")) if rules else []
        search = self.find("_search.json")
        self.search = json.loads(search.read_text(encoding="utf-8")) if search else None

    def validators(self, path: Path, body: bytes) -> Validators:
        """A file's validators, computed once: the files do not change while it is served."""
        if path not in self._validators:
            self._validators[path] = Validators.of(body)
        return self._validators[path]

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
            data = self.site.search_page(query).encode("utf-8")
            return self.send_content(data, "text/html; charset=utf-8", Validators.of(data))
        rule = self.site.rule_for(parts.path)
        if rule:
            body = self.site.find(rule["body"]).read_text(encoding="utf-8")
            return self.send_text(rule["status"], body, "text/html", rule.get("headers", {}))
        return super().do_GET()

    def send_head(self):
        """A static file with its content's validators, or 304 when the client has it."""
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        data = path.read_bytes()
        return self.send_content(
            data, self.guess_type(str(path)), self.site.validators(path, data), write=False
        )

    def send_content(self, data: bytes, kind: str, validators: Validators, write: bool = True):
        """200 with the body, or 304 without it; returns the body to copy when not written."""
        headers = validators.headers()
        if validators.not_modified(
            self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        ):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            return None
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if write:
            self.wfile.write(data)
            return None
        return io.BytesIO(data)

    def send_text(self, status: int, body: str, kind: str, headers: dict | None = None):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_response(self, code, message=None):
        # Every answer passes here once (send_error too): the tests count 304s by it. A
        # malformed request is answered before it has a path or headers.
        headers = getattr(self, "headers", None) or {}
        hit = Hit(
            getattr(self, "path", ""),
            int(code),
            headers.get("If-None-Match"),
            headers.get("If-Modified-Since"),
        )
        with self.site.lock:
            self.site.hits.append(hit)
        super().send_response(code, message)

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
        self.root = root
        overlay = self.overlay(snapshot)
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

    def overlay(self, snapshot: str | None) -> Path | None:
        if snapshot and (problem := unknown_snapshot(snapshot, self.root)):
            raise FileNotFoundError(problem)
        return overlay_dir(self.root, snapshot) if snapshot else None

    def move_to(self, snapshot: str) -> None:
        """Show another snapshot on the same addresses: the sites as they stand later, the
        way a scheduled crawl meets them (between requests, not during one)."""
        overlay = self.overlay(snapshot)
        for slug, site in self.sites.items():
            with site.lock:
                site.show(overlay and overlay / slug)

    @property
    def base_urls(self) -> dict[str, str]:
        return {slug: f"http://127.0.0.1:{s.server_address[1]}" for slug, s in self.servers.items()}

    def requests(self, slug: str) -> list[str]:
        """Paths (with queries) this outlet's server was asked for, in order."""
        return list(self.sites[slug].requests)

    def hits(self, slug: str) -> list[Hit]:
        """What this outlet's server answered, in order: path, status and the validators the
        request carried."""
        return list(self.sites[slug].hits)

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

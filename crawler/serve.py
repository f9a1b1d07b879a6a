"""`newsagg serve`: Datasette on one newsagg database, named ``news``, read-only, with the
metadata, canned queries and story page shipped in crawler/datasette/; and the Atom feed of
a source's coverage for `newsagg export --atom`.
"""

from __future__ import annotations

import importlib.resources
import signal
import socket
import sqlite3
from collections.abc import Callable
from pathlib import Path

import yaml

from crawler import db as dbmod
from crawler.datasette import plugin

DATABASE = plugin.DATABASE
STORY_PATH = "/-/dashboards/story"
# The story page's timeline is rendered by Vega as SVG (embedOptions in metadata.yaml), one
# <path> per covered article in the group of the Vega-Lite layer named "article" (Vega gives a
# layer's marks the class "<name>_marks"; "role-mark" leaves out the legend's symbols).
# A test counts them with document.querySelectorAll(STORY_MARK_SELECTOR).length, once the SVG
# has appeared (vegaEmbed renders after the chart's data is fetched).
STORY_MARK_SELECTOR = "#chart-timeline svg g.mark-symbol.role-mark.article_marks > path"
# The dashed rules joining a copy to its representative, one per copy whose representative
# is linked to the same source.
STORY_COPY_LINK_SELECTOR = "#chart-timeline svg g.mark-rule.role-mark.copy_link_marks > line"
SETTINGS = {
    # Long texts stay readable in table views; the runs query reads JSON stats.
    "truncate_cells_html": 300,
    "sql_time_limit_ms": 5000,
    "allow_download": False,
}


class ServeError(RuntimeError):
    """The database cannot be served: missing, not a newsagg database, port taken."""


def metadata_text() -> str:
    """The shipped metadata.yaml (package data: works from an installed wheel)."""
    files = importlib.resources.files("crawler.datasette")
    return files.joinpath("metadata.yaml").read_text(encoding="utf-8")


def load_metadata(public: bool = False) -> dict:
    metadata = yaml.safe_load(metadata_text())
    # Marks the instance as newsagg's: the plugin's hooks do nothing without it.
    metadata.setdefault("plugins", {})["newsagg"] = {"public": public}
    return metadata


def canned_query_sql(name: str) -> str:
    return yaml.safe_load(metadata_text())["databases"][DATABASE]["queries"][name]["sql"]


def check_database(path: str | Path) -> Path:
    """The file exists, is SQLite and has newsagg's tables; opened read-only to check."""
    path = Path(path)
    if not path.is_file():
        raise ServeError(f"database not found: {path} (run `newsagg crawl` first)")
    try:
        conn = dbmod.read_only(path)
        try:
            tables = {r[0] for r in conn.execute("select name from sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ServeError(f"cannot open {path}: {exc}") from None
    if not {"articles", "coverage", "sources"} <= tables:
        raise ServeError(f"{path} is not a newsagg database (no articles/coverage/sources)")
    return path


def register_plugin() -> None:
    from datasette.plugins import pm

    if not pm.is_registered(plugin):
        pm.register(plugin, name="newsagg")


def build_datasette(db_path: str | Path, public: bool = False):
    """A Datasette serving the file as ``news``.

    Datasette opens a file it may not write to with ``?mode=ro``: every read sees the last
    committed state of a WAL database while a crawl writes (``immutable=1`` would not), and
    Datasette 0.65 has no write API. With ``public``, arbitrary SQL is denied
    (default_allow_sql off); the canned queries and the story page keep working.
    """
    from datasette.app import Datasette

    path = check_database(db_path)
    register_plugin()
    settings = {**SETTINGS, "default_allow_sql": not public}
    ds = Datasette([str(path)], metadata=load_metadata(public), settings=settings)
    # The URLs are /news/... whatever the file is called.
    database = ds.get_database()
    ds.remove_database(database.name)
    ds.add_database(database, name=DATABASE)
    return ds


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before Datasette starts: a taken port is one clear error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8001,
    public: bool = False,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve until Ctrl-C or SIGTERM (uvicorn handles both and returns)."""
    import uvicorn

    ds = build_datasette(db_path, public=public)
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    url = f"http://{f'[{host}]' if ':' in host else host}:{bound_port}/"
    announce(f"serving {db_path} at {url}")
    announce(f"story page: {url}-{STORY_PATH[2:]}   coverage feed: {url}{DATABASE}/coverage.atom")
    announce("Ctrl-C to stop")
    config = uvicorn.Config(ds.app(), log_level="warning", access_log=False, lifespan="on")
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again: stopping
    # is the normal end of a server here, exit status 0.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


# --- Atom -------------------------------------------------------------------------------------


def feed_rows(
    db_path: str | Path,
    source_id: int | None = None,
    outlet: str | None = None,
    since: str | None = None,
) -> list[dict]:
    """The rows of the coverage_feed canned query (the same SQL Datasette serves)."""
    conn = dbmod.read_only(db_path)
    try:
        conn.row_factory = sqlite3.Row
        plugin.register_sql_functions(conn)
        params = {"source_id": "" if source_id is None else str(source_id)}
        rows = [dict(r) for r in conn.execute(canned_query_sql("coverage_feed"), params)]
    finally:
        conn.close()
    return [
        r
        for r in rows
        if (outlet is None or r["outlet"] == outlet) and (since is None or r["published"] >= since)
    ]


def atom_feed(rows: list[dict], title: str, feed_id: str) -> bytes:
    """An Atom document with one entry per row, in the rows' order (newest first)."""
    from feedgen.feed import FeedGenerator

    from crawler.timeutil import now_iso

    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.generator("newsagg")
    fg.updated(max((r["atom_updated"] for r in rows), default=now_iso()))
    for row in rows:
        entry = fg.add_entry(order="append")
        entry.id(row["atom_id"])
        entry.title(row["atom_title"] or row["atom_link"])
        entry.updated(row["atom_updated"])
        entry.link(href=row["atom_link"])
        entry.author({"name": row["atom_author_name"]})
        entry.content(row["atom_content"], type="text")
    return fg.atom_str(pretty=True)


def feed_title(db_path: str | Path, source_id: int | None) -> str:
    if source_id is None:
        return "newsagg coverage"
    conn = dbmod.read_only(db_path)
    try:
        row = conn.execute("select title from sources where id = ?", [source_id]).fetchone()
    finally:
        conn.close()
    if row is None:
        raise ServeError(f"no source {source_id} (see `newsagg sources list`)")
    return f"newsagg coverage: {row[0]}"

"""The Datasette hooks of `newsagg serve` (registered by crawler/serve.py, never by an entry
point, so a plain `datasette` run elsewhere in this environment is left alone).

Every hook is inert unless the instance carries the ``newsagg`` plugin config that
crawler/serve.py puts in its metadata.
"""

from __future__ import annotations

import contextvars
import html
import re
from datetime import datetime, timezone
from urllib.parse import parse_qs, quote

from datasette import hookimpl
from markupsafe import Markup

DATABASE = "news"
# The path of the `explain` canned query; the SQL function explain_path() builds its links.
EXPLAIN_PATH = f"/{DATABASE}/explain?url="
# The Atom feed of a source lives on the coverage_feed query (newest first); the coverage query
# itself is best first, so /news/coverage.atom is served as /news/coverage_feed.atom.
FEED_ALIASES = {f"/{DATABASE}/coverage.atom": f"/{DATABASE}/coverage_feed.atom"}
DASHBOARD_PATH = re.compile(r"^/-/dashboards/[^/]+(/[^/]+)?(/embed)?$")

# The request being answered: permission_allowed() gets no request, and with --public it must
# tell the story page and its own queries from arbitrary SQL.
_scope: contextvars.ContextVar[dict | None] = contextvars.ContextVar("newsagg_scope", default=None)


def _config(datasette) -> dict | None:
    return datasette.plugin_config("newsagg")


def explain_path(url: str | None) -> str | None:
    """The `explain` query's path for one URL (what the "why?" links point at)."""
    return None if url is None else EXPLAIN_PATH + quote(url, safe="")


def html_escape(text) -> str | None:
    return None if text is None else html.escape(str(text))


def register_sql_functions(conn) -> None:
    """The SQL functions the canned queries use (also for `newsagg export --atom`)."""
    conn.create_function("explain_path", 1, explain_path, deterministic=True)
    conn.create_function("html_escape", 1, html_escape, deterministic=True)


@hookimpl
def prepare_connection(conn, database, datasette):
    if _config(datasette) is not None:
        register_sql_functions(conn)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def newsagg_app(scope, receive, send):
            if scope.get("type") == "http" and _config(datasette) is not None:
                alias = FEED_ALIASES.get(scope.get("path", ""))
                if alias:
                    scope = {**scope, "path": alias, "raw_path": alias.encode()}
                if scope["path"] == FEED_PATH and (empty := await _empty_feed(datasette, scope)):
                    return await _send(send, empty, "application/xml; charset=utf-8")
            token = _scope.set(scope)
            try:
                await app(scope, receive, send)
            finally:
                _scope.reset(token)

        return newsagg_app

    return wrap


FEED_PATH = f"/{DATABASE}/coverage_feed.atom"


async def _empty_feed(datasette, scope) -> bytes | None:
    """A valid empty Atom document when a source has no coverage yet (datasette-atom fails on
    zero rows: a feed reader following a new story would get a 500), else None."""
    params = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    source = (params.get("source_id") or [""])[0]
    query = await datasette.get_canned_query(DATABASE, "coverage_feed", None)
    result = await datasette.get_database(DATABASE).execute(query["sql"], {"source_id": source})
    if result.rows:
        return None
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(f"urn:newsagg:coverage:{source or 'all'}")
    feed.title("newsagg coverage")
    feed.updated(datetime.now(timezone.utc))
    return feed.atom_str(pretty=True)


async def _send(send, body: bytes, kind: str) -> None:
    headers = [(b"content-type", kind.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@hookimpl
def permission_allowed(datasette, actor, action, resource):
    """With --public, arbitrary SQL is off (the default_allow_sql setting); the story page and
    the exact queries its charts send stay allowed, so the page works there too."""
    config = _config(datasette)
    if action != "execute-sql" or not config or not config.get("public"):
        return None
    scope = _scope.get()
    if scope is None:
        return None
    path = scope.get("path", "")
    if DASHBOARD_PATH.match(path):
        return True
    if path == f"/{DATABASE}.json":
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        sql = query.get("sql", [None])[-1]
        return True if sql is not None and sql in _dashboard_queries(datasette) else None
    return None


def _dashboard_queries(datasette) -> set[str]:
    dashboards = datasette.plugin_config("datasette-dashboards") or {}
    return {
        chart["query"]
        for dashboard in dashboards.values()
        for chart in (dashboard.get("charts") or {}).values()
        if chart.get("query") and chart.get("db") == DATABASE
    }


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Article URLs link to the page and to the coverage explanation ("why?")."""
    if _config(datasette) is None or database != DATABASE or not isinstance(value, str):
        return None
    if column == "explain" and value.startswith(EXPLAIN_PATH):
        return Markup('<a href="{}">why?</a>').format(datasette.urls.path(value))
    if table == "articles" and column == "canonical_url" and value.startswith("http"):
        return Markup('<a href="{}">{}</a> (<a href="{}">why?</a>)').format(
            value, value, datasette.urls.path(explain_path(value))
        )
    return None

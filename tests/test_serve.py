"""`newsagg serve`: Datasette on a database crawled from the replica, asked through its own
test client (and once as the real command), and the Atom feed, served and exported.

The browser's view of the same pages is tests/test_browser.py.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest
from conftest import ROOT, newsagg_command, run_newsagg

from crawler import serve as servemod

# Each canned query, the URL it is asked with and the columns a reader (and the browser tests)
# rely on.
CANNED = {
    "coverage": (
        "source_id=1",
        {"title", "outlet", "published", "score", "tier", "access", "url", "copies", "explain"},
    ),
    "timeline": ("source_id=1", {"day", "outlet", "articles"}),
    "copies": (
        "",
        {
            "copy_title",
            "copy_outlet",
            "relation",
            "representative_title",
            "representative_outlet",
        },
    ),
    "blocked": ("", {"outlet", "access", "title", "url"}),
    "skipped": ("", {"decision", "reason", "urls"}),
    "runs": ("", {"id", "started_at", "finished_at", "status", "requests", "fetched", "linked"}),
    "coverage_feed": ("source_id=1", {"atom_id", "atom_title", "atom_updated", "atom_link"}),
    "claims": ("source_id=1", {"position", "status", "score", "outlet", "claim", "passage", "url"}),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """One replica crawl; the file is not called news.db, yet its URLs are /news/..."""
    path = tmp_path_factory.mktemp("serve") / "story-crawl.db"
    done = run_newsagg("crawl", "--replica", "--db", str(path))
    assert done.returncode == 0, done.stderr
    return path


def fetch(db: Path, *paths: str, public: bool = False) -> list:
    """Datasette's responses to the paths, in one event loop (its locks belong to one)."""

    async def run():
        ds = servemod.build_datasette(db, public=public)
        return [await ds.client.get(path) for path in paths]

    return asyncio.run(run())


def rows(db: Path, path: str, public: bool = False) -> list[dict]:
    (response,) = fetch(db, path, public=public)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


def query(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def representatives(db: Path, source_id: int = 1) -> int:
    """Coverage rows that are not copies of another article linked to the same source."""
    return query(
        db,
        "select count(*) from coverage c join articles a on a.id = c.article_id "
        "where c.source_id = ? and (a.duplicate_of is null or not exists (select 1 from "
        "coverage r where r.article_id = a.duplicate_of and r.source_id = c.source_id))",
        source_id,
    )[0][0]


# --- the canned queries, search, facets, links ----------------------------------------------


@pytest.mark.parametrize("name", sorted(CANNED))
def test_every_canned_query_returns_rows_with_its_columns(db, name):
    params, columns = CANNED[name]
    found = rows(db, f"/news/{name}.json?_shape=array&{params}")
    assert found, name
    assert columns <= set(found[0]), (name, sorted(found[0]))


def test_coverage_folds_copies_under_their_representative_event_first_best_first(db):
    found = rows(db, "/news/coverage.json?_shape=array&source_id=1")
    assert len(found) == representatives(db)
    tiers = [r["tier"] for r in found]
    assert tiers == sorted(tiers, key=lambda t: t == "background")
    for tier in ("event", "background"):
        scores = [r["score"] for r in found if r["tier"] == tier]
        assert scores == sorted(scores, reverse=True)
    copies = query(db, "select count(*) from articles where duplicate_of is not null")[0][0]
    assert copies and sum(r["copies"] for r in found) == copies


def test_timeline_counts_every_covered_article_per_day_and_outlet(db):
    found = rows(db, "/news/timeline.json?_shape=array&source_id=1")
    covered = query(db, "select count(*) from coverage where source_id = 1")[0][0]
    assert sum(r["articles"] for r in found) == covered
    assert [(r["day"], r["outlet"]) for r in found] == sorted(
        (r["day"], r["outlet"]) for r in found
    )


def test_full_text_search_finds_tariff(db):
    found = rows(db, "/news/articles.json?_shape=array&_search=tariff")
    assert found
    assert all("tariff" in f"{r['title']} {r['text']}".lower() for r in found)


def test_facets_on_outlet_access_and_relation_are_on_by_default(db):
    (articles,) = fetch(db, "/news/articles.json")
    facets = articles.json()["facet_results"]
    assert {"outlet", "access", "relation"} <= set(facets)
    assert {v["value"] for v in facets["outlet"]["results"]} == {
        "yonhap",
        "koreaherald",
        "reuters",
        "nikkei",
    }
    (discoveries,) = fetch(db, "/news/discoveries.json")
    assert {"decision", "outlet"} <= set(discoveries.json()["facet_results"])


def test_tier_is_a_column_of_the_coverage_query_and_the_story_page(db):
    """/news/coverage is the canned query (it shadows the table of that name)."""
    tiers = {r["tier"] for r in rows(db, "/news/coverage.json?_shape=array&source_id=1")}
    assert tiers == {"event", "background"}


def test_article_rows_link_to_their_url_and_their_explanation(db):
    url = query(
        db, "select a.canonical_url from coverage c join articles a on a.id = c.article_id"
    )[0][0]
    explain = f"/news/explain?url={quote(url, safe='')}"
    table, coverage, explained = fetch(
        db,
        f"/news/articles?canonical_url={quote(url, safe='')}",
        "/news/coverage?source_id=1",
        explain,
    )
    for page in (table, coverage):
        assert f'<a href="{html.escape(url)}">' in page.text
        assert f'href="{html.escape(explain)}">why?</a>' in page.text
    assert explained.status_code == 200 and "components" in explained.text
    (why,) = rows(db, f"/news/explain.json?_shape=array&url={quote(url, safe='')}")
    assert why["decision"] == "linked" and '"components"' in why["matched"]


def test_the_database_page_lists_the_queries_and_describes_the_tables(db):
    (page,) = fetch(db, "/news")
    assert page.status_code == 200
    for name in CANNED:
        assert f'href="/news/{name}"' in page.text, name
    metadata = servemod.load_metadata()
    # A query added to the metadata gets its columns checked above.
    assert set(metadata["databases"]["news"]["queries"]) == set(CANNED) | {"explain"}
    tables = metadata["databases"]["news"]["tables"]
    for table in ("sources", "articles", "coverage", "discoveries", "runs"):
        assert table in page.text
        assert tables[table]["description"], table
    # Every column a user meets in those tables has a description.
    for table in ("sources", "articles", "coverage", "discoveries", "runs"):
        stored = {r[1] for r in query(db, f"pragma table_info({table})")}
        assert stored <= set(tables[table]["columns"]), table


# --- the story page -------------------------------------------------------------------------


def test_story_page_loads_nothing_from_outside_the_server(db):
    (page,) = fetch(db, "/-/dashboards/story?source_id=1")
    assert page.status_code == 200
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert any("vega-lite.min.js" in a for a in assets)
    served = fetch(db, *assets)
    assert [r.status_code for r in served] == [200] * len(assets)
    assert "renderer" in page.text and '"svg"' in page.text


def test_story_timeline_has_one_row_per_covered_article_and_links_copies(db):
    """The chart draws one mark per row of its query (STORY_MARK_SELECTOR counts them)."""
    charts = servemod.load_metadata()["plugins"]["datasette-dashboards"]["story"]["charts"]
    sql = charts["timeline"]["query"]
    (response,) = fetch(db, f"/news.json?_shape=array&source_id=1&sql={quote(sql)}")
    found = response.json()
    assert len(found) == query(db, "select count(*) from coverage where source_id = 1")[0][0]
    copies = [r for r in found if r["representative_published"]]
    assert copies and all(r["relation"] != "original" for r in copies)
    assert "article_marks" in servemod.STORY_MARK_SELECTOR


# --- --public -------------------------------------------------------------------------------


def test_public_refuses_arbitrary_sql_and_keeps_queries_and_the_story_page(db):
    charts = servemod.load_metadata()["plugins"]["datasette-dashboards"]["story"]["charts"]
    chart_sql = charts["timeline"]["query"]
    paths = [
        "/news?sql=select+1",
        "/news.json?sql=select+1",
        f"/news.json?sql={quote(chart_sql + ' ')}",
        "/news/coverage.json?source_id=1",
        "/news/runs",
        "/news/articles?_search=tariff",
        "/-/dashboards/story?source_id=1",
        f"/news.json?source_id=1&_shape=objects&sql={quote(chart_sql)}",
        "/news/coverage.atom?source_id=1",
    ]
    codes = [r.status_code for r in fetch(db, *paths, public=True)]
    assert codes == [403, 403, 403] + [200] * 6
    # Without --public a reader may write SQL (read-only all the same).
    assert [r.status_code for r in fetch(db, "/news.json?sql=select+1")] == [200]


def test_no_writes_even_without_public(db):
    """Datasette takes only SELECTs from the page, and its connections to the file are
    read-only (``mode=ro``) under that."""
    sneaky = "with x as (select 1) insert into runs (status) select 'x' from x"

    async def run():
        ds = servemod.build_datasette(db)
        response = await ds.client.get("/news.json?sql=" + quote(sneaky))
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await ds.get_database("news").execute("insert into runs (status) values ('x')")
        return response

    before = query(db, "select count(*) from runs")
    assert asyncio.run(run()).status_code == 400
    assert query(db, "select count(*) from runs") == before


def test_serves_the_last_committed_state_while_a_crawl_writes(db, tmp_path):
    copy = tmp_path / "news.db"
    with sqlite3.connect(db) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    writer = sqlite3.connect(copy, isolation_level=None)
    try:
        assert writer.execute("pragma journal_mode = wal").fetchone()[0] == "wal"
        writer.execute("begin immediate")
        writer.execute("delete from coverage")  # not committed: readers must not see it
        found = rows(copy, "/news/coverage.json?_shape=array&source_id=1")
        assert len(found) == representatives(db)
    finally:
        writer.execute("rollback")
        writer.close()


# --- Atom -----------------------------------------------------------------------------------


def check_feed(feed, db: Path) -> list[str]:
    assert not feed.bozo, feed.bozo_exception
    entries = feed.entries
    assert len(entries) == representatives(db)
    times = [e.updated_parsed for e in entries]
    assert times == sorted(times, reverse=True)
    for entry in entries:
        assert entry.link.startswith("https://")
        assert entry.author in {"yonhap", "koreaherald", "reuters", "nikkei"}
        assert re.search(r" UTC · (event|background) · score ", entry.summary), entry.summary
    return [e.id for e in entries]


def test_serve_publishes_the_coverage_as_atom_newest_first(db):
    served, alias = fetch(
        db, "/news/coverage.atom?source_id=1", "/news/coverage_feed.atom?source_id=1"
    )
    assert served.status_code == 200 and served.text == alias.text
    check_feed(feedparser.parse(served.content), db)


def test_a_source_with_no_coverage_yet_is_an_empty_feed_not_an_error(db):
    # Source 999 does not exist: no coverage, and a feed reader must still get a feed.
    (served,) = fetch(db, "/news/coverage.atom?source_id=999")
    assert served.status_code == 200
    parsed = feedparser.parse(served.content)
    assert not parsed.bozo and parsed.entries == []


def test_export_atom_writes_the_same_entries_as_serve(db, tmp_path):
    out = tmp_path / "story.atom"
    done = run_newsagg("export", "--atom", "-o", str(out), "--source", "1", "--db", str(db))
    assert done.returncode == 0, done.stderr
    exported = check_feed(feedparser.parse(out.read_bytes()), db)
    (served,) = fetch(db, "/news/coverage.atom?source_id=1")
    assert exported == [e.id for e in feedparser.parse(served.content).entries]
    title = query(db, "select title from sources where id = 1")[0][0]
    assert feedparser.parse(out.read_bytes()).feed.title == f"newsagg coverage: {title}"


# --- the command ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, deadline: float) -> int:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_serve_command_prints_its_url_answers_and_stops_on_ctrl_c(db, tmp_path):
    port = free_port()
    log = tmp_path / "serve.out"
    env = {**os.environ}
    env.pop("NEWSAGG_DB", None)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*newsagg_command(), "serve", "--db", str(db), "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/news", proc, time.monotonic() + 60) == 200
        assert f"http://127.0.0.1:{port}/" in log.read_text()
    finally:
        proc.send_signal(signal.SIGINT)
        status = proc.wait(timeout=30)
    assert status == 0, log.read_text()


def test_serve_errors_are_one_line_and_exit_2(db, tmp_path):
    missing = run_newsagg("serve", "--db", str(tmp_path / "none.db"), timeout=60)
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "database not found" in missing.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run_newsagg("serve", "--db", str(db), "--port", str(port), timeout=60)
    assert busy.returncode == 2
    assert busy.stderr.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in busy.stderr


# --- packaging ------------------------------------------------------------------------------


def test_the_metadata_loads_from_an_installed_wheel(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    assert (site / "crawler" / "datasette" / "metadata.yaml").is_file()
    probe = (
        "import crawler.serve as s; m = s.load_metadata(); "
        "import json; print(s.__file__); print(json.dumps(sorted(m['databases']['news']['queries'])))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    where, queries = done.stdout.splitlines()
    assert where.startswith(str(site))
    assert set(CANNED) | {"explain"} <= set(json.loads(queries))

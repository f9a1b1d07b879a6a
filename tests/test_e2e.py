"""End to end: the real `newsagg crawl --replica` into a temporary DB, then the query commands."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import replica_articles, run_newsagg

from crawler.outlets.yonhap import clean_title

YONHAP = {f"https://en.yna.co.kr/view/{a['id']}": a for a in replica_articles("yonhap")}


def by_label(label: str) -> set[str]:
    return {url for url, a in YONHAP.items() if a["label"] == label}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Two crawls of the replica into one DB; returns (db path, first run, second run)."""
    db = tmp_path_factory.mktemp("e2e") / "news.db"
    first = run_newsagg("crawl", "--replica", "--db", str(db))
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(db) as conn:
        before = {
            t: conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("articles", "coverage", "discoveries", "sources")
        }
    second = run_newsagg("crawl", "--replica", "--db", str(db))
    assert second.returncode == 0, second.stderr
    return db, first, second, before


def query(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_coverage_links_every_related_article_and_no_unrelated_one(crawled):
    db = crawled[0]
    linked = {
        u
        for (u,) in query(
            db, "select a.canonical_url from coverage c join articles a on a.id = c.article_id"
        )
    }
    in_feeds = {u for (u,) in query(db, "select url from discoveries")}
    related_seen = by_label("related") & in_feeds
    assert related_seen == by_label("related")
    assert related_seen <= linked
    assert not linked & by_label("unrelated")


def test_every_rejection_is_recorded_with_its_reason(crawled):
    db = crawled[0]
    rows = query(db, "select url, decision, reason from discoveries")
    decisions = {url: (decision, reason) for url, decision, reason in rows}
    for url in by_label("unrelated") & decisions.keys():
        assert decisions[url][0] in {"skipped", "rejected"}
        assert decisions[url][1] in {"prefilter-score", "low-score", "out-of-window"}
    skipped = [u for u, (d, _) in decisions.items() if d == "skipped"]
    assert skipped, "the pre-filter should leave unrelated candidates unfetched"
    fetched = {u for (u,) in query(db, "select canonical_url from articles")}
    assert not set(skipped) & fetched


def test_articles_carry_metadata_in_utc(crawled):
    db = crawled[0]
    rows = query(
        db,
        "select canonical_url, title, authors, published, outlet, access, discovered_via, word_count from articles",
    )
    assert rows
    for url, title, authors, published, outlet, access, via, words in rows:
        article = YONHAP[url]
        assert title == clean_title(article["title"])
        assert outlet == "yonhap" and access == "full" and via in {"rss", "news-sitemap"}
        assert json.loads(authors) == [article["reporter"]]
        assert published.endswith("+00:00")
        assert words >= 100


def test_second_crawl_adds_no_rows_and_fetches_nothing_again(crawled):
    db, _, second, before = crawled
    with sqlite3.connect(db) as conn:
        after = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in before}
        runs = conn.execute("select status, stats from runs order by id").fetchall()
    assert after == before
    assert [status for status, _ in runs] == ["finished", "finished"]
    stats = json.loads(runs[1][1])["yonhap"]
    assert stats.get("newsagg/extract/ok", 0) == 0
    assert stats["newsagg/prefilter/known"] >= len(by_label("related"))
    assert "fetched 0" in second.stdout


def test_related_lists_linked_coverage_with_scores(crawled):
    db = crawled[0]
    table = run_newsagg("related", "--db", str(db))
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split() == [
        "src",
        "outlet",
        "published",
        "score",
        "title",
        "url",
    ]
    as_json = run_newsagg("related", "1", "--json", "--db", str(db))
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert len(rows) == query(db, "select count(*) from coverage")[0][0]
    assert all(0 < r["score"] <= 1 and r["matched"]["entities"] for r in rows)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_explain_shows_why_a_candidate_was_rejected(crawled):
    db = crawled[0]
    url = next(
        iter(by_label("unrelated") & {u for (u,) in query(db, "select url from discoveries")})
    )
    out = run_newsagg("related", "--explain", url + "?section=news", "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert "decision:" in out.stdout and url in out.stdout


def test_search_finds_coverage_in_newsagg_and_in_sqlite_utils(crawled):
    db = crawled[0]
    out = run_newsagg("search", "tariff", "--json", "--db", str(db))
    hits = [json.loads(line) for line in out.stdout.splitlines()]
    assert hits and all(h["canonical_url"] in YONHAP for h in hits)
    tool = shutil.which("sqlite-utils", path=str(Path(sys.executable).parent)) or shutil.which(
        "sqlite-utils"
    )
    result = subprocess.run(
        [tool, "search", str(db), "articles", "tariff"], capture_output=True, text=True, check=True
    )
    assert len(json.loads(result.stdout)) >= 1


def test_export_writes_one_json_object_per_covered_article(crawled, tmp_path):
    db = crawled[0]
    out = tmp_path / "out.jsonl"
    result = run_newsagg("export", "-o", str(out), "--db", str(db))
    assert result.returncode == 0, result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    covered = query(db, "select count(distinct article_id) from coverage")[0][0]
    assert len(lines) == covered
    for line in lines:
        row = json.loads(line)
        assert row["canonical_url"] in YONHAP
        assert row["coverage"][0]["score"] > 0
        assert isinstance(row["authors"], list)
    assert f"exported {covered} articles" in result.stderr


def test_unreachable_outlet_ends_with_a_clear_message(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_newsagg(
        "crawl",
        "--db",
        str(tmp_path / "n.db"),
        "--outlet-url",
        f"yonhap=http://127.0.0.1:{port}",
        "-s",
        "RETRY_TIMES=0",
    )
    assert result.returncode == 3
    assert f"could not reach 127.0.0.1:{port}" in result.stderr
    assert "--replica" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_scrapy_list_and_a_bare_scrapy_crawl_work_from_the_repo_root(tmp_path):
    from conftest import ROOT

    from crawler.replica import Replica

    scrapy = [sys.executable, "-m", "scrapy"]
    listed = subprocess.run([*scrapy, "list"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "yonhap" in listed.stdout.split()
    db = tmp_path / "bare.db"
    with Replica(["yonhap"]) as replica:
        urls = json.dumps({"yonhap": replica.base_urls["yonhap"]})
        subprocess.run(
            [
                *scrapy,
                "crawl",
                "yonhap",
                "-s",
                f"NEWSAGG_DB={db}",
                "-s",
                f"NEWSAGG_OUTLET_URLS={urls}",
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=0",
                "-s",
                "LOG_LEVEL=WARNING",
                "-s",
                "NEWSAGG_PROGRESS_INTERVAL=0",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    # No tracked source: the bundled one is used, and the spider records its own run.
    assert query(db, "select count(*) from sources")[0][0] == 1
    assert query(db, "select count(*) from coverage")[0][0] >= 15
    assert query(db, "select status from runs") == [("finished",)]

"""Scheduled and incremental crawls: conditional GET, one writer at a time, the schedule loop."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys

from conftest import ROOT, newsagg_command, run_newsagg

from crawler.crawl import writer_lock
from crawler.replica import Replica

OUTLETS = ["yonhap", "koreaherald", "reuters", "nikkei"]
ARTICLE = ("/view/", "/article/", "/world/", "/markets/", "/business/", "/politics/", "/economy/")


def article_urls(db) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {u for (u,) in conn.execute("select canonical_url from articles")}


def test_second_crawl_of_an_unchanged_replica_requests_no_article_and_gets_304(tmp_path):
    db = tmp_path / "news.db"
    with Replica(OUTLETS) as replica:
        args = [a for s, u in replica.base_urls.items() for a in ("--outlet-url", f"{s}={u}")]
        assert run_newsagg("crawl", "--db", str(db), *args).returncode == 0
        stored = article_urls(db)
        before = {s: len(replica.hits(s)) for s in OUTLETS}
        second = run_newsagg("crawl", "--db", str(db), *args)
        again = {s: replica.hits(s)[before[s] :] for s in OUTLETS}
    assert second.returncode == 0, second.stderr
    for slug, hits in again.items():
        assert not [h for h in hits if h.path.startswith(ARTICLE)], (slug, hits)
        # Every feed, sitemap, listing and search page was asked for with the ETag the first
        # run kept, and the replica, whose content is the same, answered 304 to each.
        endpoints = [h for h in hits if h.path != "/robots.txt"]
        assert endpoints, slug
        assert all(h.if_none_match and h.status == 304 for h in endpoints), (slug, endpoints)
    assert article_urls(db) == stored
    with sqlite3.connect(db) as conn:
        stats = json.loads(conn.execute("select stats from runs order by id desc").fetchone()[0])
    for slug in OUTLETS:
        assert stats[slug]["newsagg/not_modified"] == len(
            [h for h in again[slug] if h.status == 304]
        ), slug
        assert stats[slug].get("newsagg/articles_fetched", 0) == 0


def test_a_later_snapshot_of_the_same_sites_is_read_where_it_changed(tmp_path):
    """Following one story: the same source, the sites on 2025-04-26, then on 2025-05-01.
    The second run sends the validators it kept; what changed answers 200 and its new
    articles are stored, what did not answers 304."""
    db = tmp_path / "news.db"
    with Replica(OUTLETS) as replica:
        args = [a for s, u in replica.base_urls.items() for a in ("--outlet-url", f"{s}={u}")]
        assert run_newsagg("crawl", "--db", str(db), *args).returncode == 0
        first = article_urls(db)
        before = {s: len(replica.hits(s)) for s in OUTLETS}
        replica.move_to("2025-05-01")
        second = run_newsagg("crawl", "--db", str(db), *args)
        again = {s: replica.hits(s)[before[s] :] for s in OUTLETS}
    assert second.returncode == 0, second.stderr
    answered = {(s, h.path): h for s, hits in again.items() for h in hits}
    # Yonhap's main feed and news sitemap gained the stories of 04-26..04-30; its economy
    # feed did not change.
    for path, status in (
        ("/RSS/news.xml", 200),
        ("/news-sitemap.xml", 200),
        ("/RSS/economy.xml", 304),
    ):
        hit = answered["yonhap", path]
        assert hit.if_none_match and hit.if_modified_since, hit
        assert hit.status == status, hit
    new = article_urls(db) - first
    assert new, "the later snapshot's coverage was not stored"
    with sqlite3.connect(db) as conn:
        stats = json.loads(conn.execute("select stats from runs order by id desc").fetchone()[0])
    assert sum(stats[s].get("newsagg/articles_fetched", 0) for s in OUTLETS) >= len(new)
    with sqlite3.connect(db) as conn:
        outlets = {
            o for (o, u) in conn.execute("select outlet, canonical_url from articles") if u in new
        }
    assert {"yonhap", "koreaherald", "nikkei"} <= outlets


def test_a_second_crawl_on_the_same_db_exits_at_once_with_the_pid(tmp_path):
    db = tmp_path / "news.db"
    with writer_lock(str(db)):
        result = run_newsagg("crawl", "--replica", "--db", str(db))
    assert result.returncode == 4
    assert (
        "already running" in result.stderr and f"(pid {__import__('os').getpid()})" in result.stderr
    )


def test_a_lock_left_by_a_killed_run_does_not_block(tmp_path):
    db = tmp_path / "news.db"
    (tmp_path / "news.db.lock").write_text("999999")  # a pid that holds no lock
    result = run_newsagg("crawl", "--replica", "--outlet", "yonhap", "--db", str(db))
    assert result.returncode == 0, result.stderr


def test_schedule_runs_the_crawl_repeatedly(tmp_path):
    db = tmp_path / "news.db"
    result = run_newsagg(
        "schedule",
        "--every",
        "1s",
        "--times",
        "2",
        "--replica",
        "--outlet",
        "yonhap",
        "--db",
        str(db),
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert [s for (s,) in conn.execute("select status from runs")] == ["finished", "finished"]


def test_schedule_stops_cleanly_on_sigterm(tmp_path):
    db = tmp_path / "news.db"
    command = [
        *newsagg_command(),
        "schedule",
        "--every",
        "1h",
        "--replica",
        "--outlet",
        "yonhap",
        "--db",
        str(db),
    ]
    with subprocess.Popen(
        command, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    ) as proc:
        for line in proc.stderr:  # blocks until the first crawl is over and the loop waits
            if line.startswith("[schedule] next crawl in"):
                break
        proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read()
        assert proc.wait(timeout=60) == 0
    assert "[schedule] stopped" in rest


def test_schedule_rejects_a_bad_interval(tmp_path):
    result = run_newsagg("schedule", "--every", "soon", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2 and "--every wants a duration" in result.stderr


def test_query_commands_cannot_write_to_the_database(tmp_path):
    db = tmp_path / "news.db"
    assert run_newsagg("crawl", "--replica", "--outlet", "yonhap", "--db", str(db)).returncode == 0

    def state():
        return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in tmp_path.glob("news.db*")}

    before = state()
    for args in (["related"], ["search", "tariff"], ["export"], ["sources", "list"]):
        assert run_newsagg(*args, "--db", str(db)).returncode == 0
    after = state()
    assert after["news.db"] == before["news.db"]
    assert all(
        after[name][1] == 0 for name in after.keys() - before.keys() if name.endswith("-wal")
    )


def bare_scrapy_crawl(db, *settings: str) -> subprocess.CompletedProcess:
    """`scrapy crawl yonhap` as scrapyd runs it: no `newsagg crawl` around it."""
    args = [
        a for s in ("LOG_LEVEL=INFO", "NEWSAGG_PROGRESS_INTERVAL=0", *settings) for a in ("-s", s)
    ]
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "yonhap", "-s", f"NEWSAGG_DB={db}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_bare_scrapy_crawl_is_a_whole_run_with_rescoring_and_local_settings(tmp_path):
    db = tmp_path / "news.db"
    with Replica(["yonhap"]) as replica:
        urls = json.dumps({"yonhap": replica.base_urls["yonhap"]})
        result = bare_scrapy_crawl(db, f"NEWSAGG_OUTLET_URLS={urls}")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        runs = conn.execute("select id, status, args, stats from runs").fetchall()
        linked = conn.execute("select count(*) from coverage").fetchone()[0]
        stored_by = {r for (r,) in conn.execute("select distinct run_id from articles")}
    assert [(r[0], r[1]) for r in runs] == [(1, "finished")]
    args, stats = json.loads(runs[0][2]), json.loads(runs[0][3])
    assert args["started_by"] == "scrapy crawl" and args["source_ids"] == [1]
    assert stored_by == {1}
    # rescore_all ran at the end: its counts are on the run row.
    assert stats["sources"]["1"]["linked"] == linked > 0
    assert set(stats["copies"]) == {"update", "syndicated"}
    assert stats["yonhap"]["finish_reason"] == "finished"
    # The replica is local: the politeness delays were relaxed as `newsagg crawl` does.
    assert "'DOWNLOAD_DELAY_JITTER': 0" in result.stderr


def test_a_bare_scrapy_crawl_while_another_crawl_holds_the_db_writes_nothing(tmp_path):
    db = tmp_path / "news.db"
    assert run_newsagg("crawl", "--replica", "--outlet", "yonhap", "--db", str(db)).returncode == 0
    with sqlite3.connect(db) as conn:
        before = conn.execute("select count(*) from discoveries").fetchone()[0]
    with writer_lock(str(db)):
        result = bare_scrapy_crawl(db)
    assert result.returncode == 0, result.stderr
    assert f"ERROR: newsagg: a crawl is already running on {db} (pid {os.getpid()})" in (
        result.stderr
    )
    assert "'finish_reason': 'newsagg_locked'" in result.stderr
    assert "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select status from runs").fetchall() == [("finished",)]
        assert conn.execute("select count(*) from discoveries").fetchone()[0] == before


def test_a_later_snapshot_adds_the_new_coverage_and_fetches_nothing_twice(tmp_path):
    """Following a story: the crawl on 2025-04-26, then on 2025-05-01 with a second source."""
    db = tmp_path / "news.db"
    destroyer = str(ROOT / "data" / "sources" / "nk-destroyer-choe-hyon.txt")
    first = run_newsagg(
        "crawl", "--replica-at", "2025-04-26", "--outlet", "yonhap", "--db", str(db)
    )
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(db) as conn:
        before = {u for (u,) in conn.execute("select canonical_url from articles")}
    second = run_newsagg(
        "crawl",
        "--replica-at",
        "2025-05-01",
        "--outlet",
        "yonhap",
        "--db",
        str(db),
        "--source",
        destroyer,
    )
    assert second.returncode == 0, second.stderr
    with sqlite3.connect(db) as conn:
        after = {u for (u,) in conn.execute("select canonical_url from articles")}
        stats = json.loads(conn.execute("select stats from runs order by id desc").fetchone()[0])
        linked = {
            u
            for (u,) in conn.execute(
                "select a.canonical_url from coverage c join articles a on a.id = c.article_id "
                "join sources s on s.id = c.source_id where s.title like '%Warship%'"
            )
        }
    new = after - before
    # The 04-30 test-fire coverage was not out on 04-26; it is now, and only it is fetched.
    assert "https://en.yna.co.kr/view/AEN20250430605000325" in new
    assert "https://en.yna.co.kr/view/AEN20250430605000325" in linked
    assert stats["yonhap"]["newsagg/articles_fetched"] == len(new)


def test_an_unknown_replica_snapshot_is_refused(tmp_path):
    out = run_newsagg("crawl", "--replica-at", "2031-01-01", "--db", str(tmp_path / "n.db"))
    assert out.returncode == 2
    assert "2025-05-01" in out.stderr and "Traceback" not in out.stderr

"""Crash safety: SIGKILL at random moments never corrupts the DB, and a clean run afterwards
ends with exactly the articles and coverage of an uninterrupted crawl."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess

from conftest import ROOT, newsagg_command, run_newsagg


def rows(db) -> tuple[set, set]:
    """Stored articles, and coverage of the articles whose text was fetched.

    Coverage of ``blocked`` rows is left out: they are scored on discovery metadata alone, and
    which sighting of a URL (news sitemap with a title, or plain sitemap with only the slug)
    reaches the request first is a race in any crawl, interrupted or not.
    """
    with sqlite3.connect(db) as conn:
        articles = {r for (r,) in conn.execute("select canonical_url from articles")}
        coverage = set(
            conn.execute(
                "select c.source_id, c.article_id from coverage c join articles a "
                "on a.id = c.article_id where a.access != 'blocked'"
            )
        )
    return articles, coverage


def test_kill_9_at_random_moments_then_a_clean_run_matches_an_uninterrupted_crawl(tmp_path):
    reference = tmp_path / "reference.db"
    assert run_newsagg("crawl", "--replica", "--db", str(reference)).returncode == 0
    crashed = tmp_path / "crashed.db"
    rng = random.Random(20250424)
    kills = 0
    command = [*newsagg_command(), "crawl", "--replica", "--db", str(crashed)]
    for _ in range(10):
        with subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ) as proc:
            try:
                proc.wait(timeout=rng.uniform(0.3, 4.0))  # a random moment of the crawl
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills += 1
        with sqlite3.connect(crashed) as conn:
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert kills >= 8
    final = run_newsagg("crawl", "--replica", "--db", str(crashed))
    assert final.returncode == 0, final.stderr
    got, want = rows(crashed), rows(reference)
    assert got[0] == want[0], (sorted(got[0] - want[0]), sorted(want[0] - got[0]))
    assert got[1] == want[1], (sorted(got[1] - want[1]), sorted(want[1] - got[1]))
    with sqlite3.connect(crashed) as conn:
        statuses = [s for (s,) in conn.execute("select status from runs order by id")]
    assert statuses[-1] == "finished" and "running" not in statuses


def test_work_queued_by_a_killed_run_is_finished_by_the_next_one(tmp_path):
    db = tmp_path / "news.db"
    assert run_newsagg("crawl", "--replica", "--outlet", "yonhap", "--db", str(db)).returncode == 0
    url = "https://en.yna.co.kr/view/AEN20250422005200320"
    with sqlite3.connect(db) as conn:  # as if the run had been killed before storing it
        conn.execute("delete from articles where canonical_url = ?", [url])
        conn.execute(
            "update discoveries set decision = 'queued', reason = 'fetching' where url = ?", [url]
        )
    again = run_newsagg("crawl", "--replica", "--outlet", "yonhap", "--db", str(db))
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(db) as conn:
        assert (
            conn.execute("select count(*) from articles where canonical_url = ?", [url]).fetchone()[
                0
            ]
            == 1
        )
        assert (
            conn.execute("select count(*) from discoveries where decision = 'queued'").fetchone()[0]
            == 0
        )
        stats = json.loads(conn.execute("select stats from runs order by id desc").fetchone()[0])
    assert stats["yonhap"]["newsagg/yonhap/resumed"] == 1
    assert stats["yonhap"]["newsagg/not_modified"] >= 1  # not rediscovered through the feeds

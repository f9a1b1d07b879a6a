"""Crash safety: SIGKILL at random moments never corrupts the DB, and a clean run afterwards
ends with exactly the articles and coverage of an uninterrupted crawl.

Each kill waits until the run has written rows (the DB file is polled), so it interrupts
writes and the work queued between them rather than the start-up before the first one."""

from __future__ import annotations

import contextlib
import json
import random
import signal
import sqlite3
import subprocess
import time

import pytest
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


def latest_run(db) -> tuple[int, int]:
    """(id, rows written so far) of the newest run in ``db``; (0, 0) before there is one."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            row = conn.execute(
                "select r.id, (select count(*) from articles where run_id = r.id)"
                " + (select count(*) from discoveries where run_id = r.id)"
                " from runs r order by r.id desc limit 1"
            ).fetchone()
    except sqlite3.OperationalError:  # not created yet, or no schema yet
        return 0, 0
    return row or (0, 0)


def kill_once_written(command: list[str], db, rows: int, deadline: float = 180.0) -> bool:
    """Run ``command`` and SIGKILL it as soon as its run has written ``rows`` rows of
    articles and discoveries (polling the DB file); False when it finished first."""
    before, _ = latest_run(db)
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as proc:
        give_up = time.monotonic() + deadline
        while time.monotonic() < give_up:
            run, written = latest_run(db)
            if run > before and written >= rows:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            try:
                proc.wait(timeout=0.05)  # the next look at the DB, or the crawl's end
                return False
            except subprocess.TimeoutExpired:
                pass
        proc.kill()
        pytest.fail(f"no run wrote {rows} rows within {deadline:g} s")


def test_kill_9_at_random_moments_then_a_clean_run_matches_an_uninterrupted_crawl(tmp_path):
    reference = tmp_path / "reference.db"
    assert run_newsagg("crawl", "--replica", "--db", str(reference)).returncode == 0
    crashed = tmp_path / "crashed.db"
    rng = random.Random(20250424)
    # --refresh: every run stores all its articles again (~230 rows of articles and
    # discoveries), so each kill lands among writes, not before the first one.
    command = [*newsagg_command(), "crawl", "--replica", "--refresh", "--db", str(crashed)]
    kills = 0
    for _ in range(10):
        kills += kill_once_written(command, crashed, rows=rng.randint(1, 200))
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

"""Drift alarms: the replica changed the six ways real sites change, each caught by the run
that meets it, and by `newsagg doctor`; an unchanged site raises nothing.

One outlet (Yonhap), one proxy in front of its replica server (tests/sitechanges.py) whose
change is switched between runs. Five runs of the unchanged site make the baseline (with
NEWSAGG_HEALTH_MIN_RUNS=2 the last three are compared); each scenario then crawls a copy of
that database once with the change in effect. Every run is ``--refresh``: on a live site each
run fetches new articles, and here the same ones must be fetched again for their fields to be
measured (a run that fetches nothing new is a quiet one; see the last test).
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import run_newsagg
from sitechanges import ChangedSite

from crawler.replica import Replica

MIN_RUNS = 2
FEED = "endpoint https://en.yna.co.kr/RSS/news.xml"
# The change, the alarm it must raise (field) and what the warning line must say.
SCENARIOS = {
    "byline": ("byline", "yonhap: byline 100% → 0%"),
    "body": ("markup", "yonhap: outlet body markup 100% → 0%"),
    "feed-moved": (FEED, "yonhap: endpoint /RSS/news.xml ok (40 entries) → http-404"),
    "feed-html": (FEED, "yonhap: endpoint /RSS/news.xml ok (40 entries) → bad-feed: not a feed"),
    "no-minutes": ("time", "yonhap: time with minutes 100% → 0%"),
    "bot-wall": ("endpoints", "yonhap: endpoints 5 of 5 ok → all failing (http-403;"),
}


def crawl(site: ChangedSite, db, *extra: str):
    return run_newsagg(
        "crawl",
        "--outlet",
        "yonhap",
        "--outlet-url",
        f"yonhap={site.url}",
        "--db",
        str(db),
        "-s",
        f"NEWSAGG_HEALTH_MIN_RUNS={MIN_RUNS}",
        *extra,
    )


def query(db, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def alarms(db, run_id: int) -> dict[str, str]:
    return dict(
        query(db, "select field, alarm from health where run_id = ? and alarm is not null", run_id)
    )


@pytest.fixture(scope="module")
def site():
    with Replica(["yonhap"]) as replica, ChangedSite(replica.base_urls["yonhap"]) as changed:
        yield changed


@pytest.fixture(scope="module")
def baseline(site, tmp_path_factory):
    """Five runs of the unchanged site into one DB; returns (db, their results)."""
    db = tmp_path_factory.mktemp("health") / "news.db"
    results = [crawl(site, db, "--refresh") for _ in range(5)]
    return db, results


def test_five_unchanged_runs_raise_no_alarm(baseline):
    db, results = baseline
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "warning" not in result.stderr, result.stderr
    assert query(db, "select id, status from runs") == [(i, "finished") for i in range(1, 6)]
    assert query(db, "select count(*) from health where alarm is not null") == [(0,)]
    # Every run measured the fields and the endpoints; the last three had a baseline.
    fields = dict(query(db, "select field, value from health where run_id = 5"))
    assert fields["articles"] >= 20 and fields["byline"] == 1.0 and fields[FEED] == 40
    assert query(db, "select count(*) from health where baseline is not null and run_id = 1") == [
        (0,)
    ]


@pytest.mark.parametrize("change", list(SCENARIOS))
def test_a_changed_site_raises_exactly_its_alarm(baseline, site, tmp_path, change):
    db = tmp_path / "news.db"
    with sqlite3.connect(baseline[0]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    field, line = SCENARIOS[change]
    site.change = change
    try:
        result = crawl(site, db, "--refresh")
    finally:
        site.change = None
    assert result.returncode == 0, result.stderr
    assert alarms(db, 6).keys() == {field}, alarms(db, 6)
    assert query(db, "select status from runs where id = 6") == [("degraded",)]
    stats = json.loads(query(db, "select stats from runs where id = 6")[0][0])
    assert stats["alarms"] == [alarms(db, 6)[field]]
    warnings = [w for w in result.stderr.splitlines() if w.startswith("warning: yonhap")]
    assert len(warnings) == 1 and line in warnings[0], result.stderr
    assert "e.g. https://en.yna.co.kr/" in warnings[0]
    assert "run 6 is degraded" in result.stderr


def test_a_quiet_run_is_no_drop(baseline, site, tmp_path):
    """Without --refresh nothing new is fetched (feeds answer 304): no field is compared, the
    endpoints are healthy, the run is not degraded."""
    db = tmp_path / "news.db"
    with sqlite3.connect(baseline[0]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    result = crawl(site, db)
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr
    assert "fetched 0" in result.stdout
    assert query(db, "select status from runs where id = 6") == [("finished",)]
    statuses = [
        json.loads(d)["status"]
        for (d,) in query(
            db, "select detail from health where run_id = 6 and field like 'endpoint %'"
        )
    ]
    assert "not-modified" in statuses and set(statuses) <= {"ok", "not-modified"}

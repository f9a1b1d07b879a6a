"""Drift alarms: the replica changed the six ways real sites change (and a seventh: a bot wall
on article pages alone), each caught by the run that meets it, and by `newsagg doctor`; an
unchanged site raises nothing.

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

from crawler.health import Limits, compare, measure
from crawler.replica import Replica

MIN_RUNS = 2
FEED = "endpoint https://en.yna.co.kr/RSS/news.xml"
ENDPOINTS = {"robots.txt", "/RSS/news.xml", "/RSS/economy.xml", "/news-sitemap.xml", "/news"}
# The change, the alarm it must raise (field), what the warning line must say and the checks
# `newsagg doctor` must fail.
SCENARIOS = {
    "byline": ("byline", "yonhap: byline 100% → 0%"),
    "body": ("markup", "yonhap: outlet body markup 100% → 0%"),
    "feed-moved": (FEED, "yonhap: endpoint /RSS/news.xml ok (40 entries) → http-404"),
    "feed-html": (FEED, "yonhap: endpoint /RSS/news.xml ok (40 entries) → bad-feed: not a feed"),
    "no-minutes": ("time", "yonhap: time with minutes 100% → 0%"),
    "bot-wall": ("endpoints", "yonhap: endpoints 5 of 5 ok → all failing (http-403;"),
    "article-wall": ("blocked", "yonhap: blocked 0% → 100% (26 articles;"),
}


DOCTOR = {
    "byline": {"byline"},
    "body": {"body"},
    "feed-moved": {"/RSS/news.xml"},
    "feed-html": {"/RSS/news.xml"},
    "no-minutes": {"time"},
    "bot-wall": {*ENDPOINTS, "article"},
    "article-wall": {"article"},
}


def doctor(site: ChangedSite):
    """`newsagg doctor` on the changed site: (exit status, the checks it failed, its output)."""
    result = run_newsagg("doctor", "--outlet", "yonhap", "--outlet-url", f"yonhap={site.url}")
    failed = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("  FAIL")}
    return result.returncode, failed, result.stdout


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
        checked = doctor(site)
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
    status, failed, out = checked
    assert status == 1 and failed == DOCTOR[change], out
    assert "verdict: yonhap broken" in out and "1 broken (yonhap)" in out
    listed = run_newsagg("health", "--db", str(db), "--outlet", "yonhap", "--runs", "2")
    assert listed.returncode == 0, listed.stderr
    newest = listed.stdout.splitlines()[2].split()  # under the outlet's name and the headers
    assert (newest[0], newest[2]) == ("6", "degraded")
    assert f"  run 6 alarm: {alarms(db, 6)[field]}" in listed.stdout.splitlines()


def test_doctor_passes_an_unchanged_site_and_the_replica(site):
    status, failed, out = doctor(site)
    assert status == 0 and not failed, out
    assert "verdict: yonhap ok" in out and "doctor: 1 of 1 outlets working" in out
    replica = run_newsagg("doctor", "--replica")
    assert replica.returncode == 0, replica.stdout + replica.stderr
    assert "doctor: 4 of 4 outlets working" in replica.stdout
    # Each outlet's newest article was read, with the access its module expects.
    assert replica.stdout.count("  ok    article") == 4
    assert "http-401, access blocked (expected blocked/full)" in replica.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "say which sites to check"),
        (("--replica", "--live"), "say which sites to check"),
        (("--replica", "--outlet", "nope"), "unknown outlet 'nope'"),
        (
            ("--outlet-url", "yonhap=http://127.0.0.1:9", "--outlet", "nikkei"),
            "no --outlet-url for 'nikkei'",
        ),
    ],
)
def test_doctor_usage_errors_are_one_line(args, message):
    result = run_newsagg("doctor", *args)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


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
    listed = run_newsagg("health", "--db", str(db), "--runs", "2", "--json")
    runs = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["outlet"], r["run_id"], r["status"]) for r in runs] == [
        ("yonhap", 6, "finished"),
        ("yonhap", 5, "finished"),
    ]
    quiet = runs[0]["fields"]
    assert quiet["articles"]["value"] == 0 and "byline" not in quiet
    assert not any(f["alarm"] for r in runs for f in r["fields"].values())


# --- the comparison alone, on the stats of made-up runs ---------------------------------------

LIMITS = Limits(runs=5, min_runs=3, min_articles=10)


def run_stats(read=30, byline=None, words=300, blocked=0, feed=("ok", 40)) -> dict:
    """A Yonhap crawler's stats: ``read`` pages, ``byline`` of them with one (all by default),
    each of ``words`` words, ``blocked`` blocked pages, and the feed's (status, entries)."""
    byline = read if byline is None else byline
    prefix = "newsagg/yonhap/health/"
    stats = {
        f"{prefix}read": read,
        f"{prefix}byline/of": read,
        f"{prefix}byline": byline,
        f"{prefix}words": [words] * read,
        f"{prefix}shortest": [words, "https://en.yna.co.kr/view/AEN20250425001500320"],
        "newsagg/yonhap/blocked": blocked,
        f"{prefix}missing/blocked": "https://en.yna.co.kr/view/AEN20250425001552320",
        "newsagg/yonhap/endpoint/https://en.yna.co.kr/RSS/news.xml": feed[0],
        "newsagg/yonhap/endpoint/https://en.yna.co.kr/news": "ok",
        "newsagg/yonhap/endpoint_entries/https://en.yna.co.kr/news": 20,
    }
    if byline < read:
        stats[f"{prefix}missing/byline"] = "https://en.yna.co.kr/view/AEN20250425001500320"
    if feed[1] is not None:
        stats["newsagg/yonhap/endpoint_entries/https://en.yna.co.kr/RSS/news.xml"] = feed[1]
    return stats


def history(*runs: dict) -> list[dict[str, dict]]:
    """Health rows of these runs (oldest given first), as ``history_of`` reads them: newest
    first, each compared with the ones before it."""
    past: list[dict[str, dict]] = []
    for stats in runs:
        current, words = measure("yonhap", stats)
        readings = compare("yonhap", current, words, past, LIMITS)
        past.insert(
            0, {r.field: {"value": r.value, "detail": r.detail, "alarm": r.alarm} for r in readings}
        )
    return past


def alarms_of(stats: dict, past: list[dict]) -> dict[str, str]:
    current, words = measure("yonhap", stats)
    return {r.field: r.alarm for r in compare("yonhap", current, words, past, LIMITS) if r.alarm}


def test_no_alarm_before_enough_baseline_runs():
    two = [run_stats(), run_stats()]
    assert alarms_of(run_stats(byline=0), history(*two)) == {}
    assert alarms_of(run_stats(byline=0), history(*two, run_stats())).keys() == {"byline"}


def test_no_field_alarm_on_a_tiny_sample_or_a_quiet_run_but_endpoints_still_count():
    past = history(run_stats(), run_stats(), run_stats())
    assert alarms_of(run_stats(read=4, byline=0, words=20), past) == {}
    quiet = run_stats(read=0, feed=("not-modified", None))
    assert alarms_of(quiet, past) == {}
    moved = alarms_of(run_stats(read=0, feed=("http-404", None)), past)
    assert moved == {
        FEED: f"yonhap: endpoint /RSS/news.xml ok (40 entries) → http-404 (e.g. {FEED[9:]})"
    }
    # Quiet runs are no baseline for page fields: three of them change nothing.
    quiet_past = history(run_stats(), run_stats(), run_stats(), quiet, quiet, quiet)
    assert alarms_of(run_stats(byline=0), quiet_past).keys() == {"byline"}


def test_a_modest_drop_is_no_alarm_a_sharp_one_is():
    past = history(*[run_stats(byline=27)] * 3)  # 90%
    assert alarms_of(run_stats(byline=21), past) == {}  # 70%
    (alarm,) = alarms_of(run_stats(byline=0), past).values()
    assert alarm.startswith("yonhap: byline 90% → 0% (30 articles; e.g. https://en.yna.co.kr/view/")


def test_body_collapse_and_a_blocked_jump():
    past = history(*[run_stats()] * 3)
    collapsed = alarms_of(run_stats(words=60), past)
    assert collapsed.keys() == {"words", "body"}
    assert collapsed["words"].startswith("yonhap: median body words 300 → 60")
    assert alarms_of(run_stats(read=10, blocked=20), past) == {
        "blocked": "yonhap: blocked 0% → 67% (30 articles; e.g. "
        "https://en.yna.co.kr/view/AEN20250425001552320)"
    }
    assert alarms_of(run_stats(read=28, blocked=2), past) == {}


def test_an_endpoint_that_empties_alarms_and_one_always_failing_does_not():
    past = history(*[run_stats()] * 3)
    assert alarms_of(run_stats(feed=("ok", 0)), past) == {
        FEED: f"yonhap: endpoint /RSS/news.xml ok (40 entries) → no entries (e.g. {FEED[9:]})"
    }
    broken = history(*[run_stats(feed=("http-500", None))] * 3)
    assert alarms_of(run_stats(feed=("http-500", None)), broken) == {}


def test_an_alarm_is_no_baseline_it_stays_until_fixed():
    past = history(*[run_stats()] * 3, *[run_stats(byline=0)] * 5)
    assert alarms_of(run_stats(byline=0), past).keys() == {"byline"}
    assert alarms_of(run_stats(), past) == {}


def test_doctor_names_an_unreachable_site_in_one_line_per_check():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_newsagg("doctor", "--outlet-url", f"yonhap=http://127.0.0.1:{port}")
    assert result.returncode == 1 and "Traceback" not in result.stderr + result.stdout
    assert "  FAIL  robots.txt         unreachable: " in result.stdout
    assert "verdict: yonhap broken (6 failed)" in result.stdout

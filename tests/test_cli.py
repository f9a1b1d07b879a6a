"""The CLI's promises: one clear line and exit status 2 for bad input, never a traceback."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, run_newsagg

from crawler.outlets import OUTLETS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "--outlet", "nosuch"], "unknown outlet 'nosuch'"),
        (["crawl", "--source", "does/not/exist.txt"], "source file not found"),
        (["crawl", "--since", "last week"], "not a date"),
        (
            ["crawl", "--since", "2025-05-01", "--until", "2025-04-01"],
            "--since 2025-05-01 is later than --until 2025-04-01",
        ),
        (["crawl", "--outlet-url", "yonhap"], "--outlet-url wants NAME="),
        (["crawl", "--outlet-url", "nosuch=http://127.0.0.1:1"], "unknown outlet 'nosuch'"),
        (["sources", "add", "notes.pdf"], "source file not found"),
        (["export", "--since", "2025/04/01"], "not a date"),
        (["export", "--outlet", "nosuch"], "unknown outlet"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    result = run_newsagg(*args, "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_queries_on_a_missing_database_say_so(tmp_path):
    result = run_newsagg("related", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2
    assert "database not found" in result.stderr


def test_bad_fts_query_is_reported(tmp_path):
    db = tmp_path / "x.db"
    assert (
        run_newsagg(
            "sources", "add", str(ROOT / "data/sources/korea-us-2plus2-talks.txt"), "--db", str(db)
        ).returncode
        == 0
    )
    result = run_newsagg("search", '"unbalanced', "--db", str(db))
    assert result.returncode == 2
    assert "bad search query" in result.stderr


def test_sources_add_and_list(tmp_path):
    db = tmp_path / "x.db"
    added = run_newsagg(
        "sources", "add", str(ROOT / "data/sources/korea-us-2plus2-talks.txt"), "--db", str(db)
    )
    assert added.returncode == 0, added.stderr
    assert "Choi Sang-mok" in added.stdout and "Nikkei Asia" in added.stdout
    again = run_newsagg(
        "sources", "add", str(ROOT / "data/sources/korea-us-2plus2-talks.txt"), "--db", str(db)
    )
    assert again.stdout.startswith("source 1:")  # the same text is one source
    listed = run_newsagg("sources", "list", "--db", str(db))
    assert listed.stdout.splitlines()[1].split()[:2] == ["1", "2025-04-22"]


def test_outlets_lists_endpoints_and_discovery_methods():
    result = run_newsagg("outlets")
    assert result.returncode == 0
    for outlet in OUTLETS.values():
        assert f"{outlet.slug}: {outlet.name}" in result.stdout
        for path in (*outlet.feeds, *outlet.news_sitemaps):
            assert path in result.stdout


def test_help_explains_every_command():
    result = run_newsagg("--help")
    for command in ("crawl", "sources", "related", "search", "export", "outlets"):
        assert command in result.stdout


def test_sources_add_fetches_a_url_once_and_extracts_it(tmp_path):
    from crawler.replica import Replica

    db = tmp_path / "x.db"
    with Replica(["yonhap"]) as replica:
        url = replica.base_urls["yonhap"] + "/view/AEN20250422005200320"
        added = run_newsagg("sources", "add", url, "--db", str(db))
    assert added.returncode == 0, added.stderr
    assert "Finance minister leaves for Washington" in added.stdout
    assert "2025-04-22" in added.stdout
    listed = run_newsagg("sources", "list", "--json", "--db", str(db))
    assert json.loads(listed.stdout.splitlines()[0])["origin"] == url


def test_sources_add_reports_an_unreachable_url(tmp_path):
    result = run_newsagg(
        "sources", "add", "http://127.0.0.1:9/post", "--db", str(tmp_path / "x.db")
    )
    assert result.returncode == 2
    assert "could not fetch http://127.0.0.1:9/post" in result.stderr

"""The replica: rendered files match their content, and the server behaves like the sites."""

from __future__ import annotations

import urllib.error
import urllib.request

from conftest import REPLICA

from crawler.replica import Replica, snapshot_for, snapshots
from crawler.replica_build import build_all


def test_rendered_replica_is_up_to_date(tmp_path):
    """Golden files come from `python -m crawler.replica_build`, never from hand edits."""
    (tmp_path / "content").symlink_to(REPLICA / "content")
    build_all(tmp_path)
    for built in (p for p in tmp_path.rglob("*") if p.is_file() and "content" not in p.parts):
        committed = REPLICA / built.relative_to(tmp_path)
        assert committed.exists(), f"{committed} missing: run python -m crawler.replica_build"
        assert committed.read_bytes() == built.read_bytes(), f"{committed} is stale"


def test_server_maps_article_paths_and_hides_what_is_outside():
    with Replica(["yonhap"]) as replica:
        base = replica.base_urls["yonhap"]
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{base}/view/AEN20250422005200320?section=news") as page:
            assert page.headers["Content-Type"].startswith("text/html")
            assert b"Finance minister leaves" in page.read()
        with urllib.request.urlopen(f"{base}/robots.txt") as robots:
            assert b"Disallow: /search/" in robots.read()
        for path in ("/view/AEN00000000000000000", "/../content/yonhap-related.json", "/view/"):
            try:
                urllib.request.urlopen(base + path)
            except urllib.error.HTTPError as exc:
                assert exc.code == 404
            else:
                raise AssertionError(f"{path} should be 404")


def fetch(url: str) -> str:
    with urllib.request.urlopen(url) as response:
        return response.read().decode("utf-8")


def test_a_later_snapshot_shows_what_was_published_since_and_nothing_before_it_does():
    later_story = "AEN20250430605000325"  # published 2025-04-30 06:14 KST
    with Replica(["yonhap", "koreaherald"]) as then:
        assert later_story not in fetch(then.base_urls["yonhap"] + "/RSS/news.xml")
        assert "/article/10511276" not in fetch(
            then.base_urls["koreaherald"] + "/search?q=destroyer"
        )
    with Replica(["yonhap", "koreaherald"], snapshot="2025-05-01") as now:
        assert later_story in fetch(now.base_urls["yonhap"] + "/RSS/news.xml")
        assert "/article/10511276" in fetch(now.base_urls["koreaherald"] + "/search?q=destroyer")
        # Pages themselves are the same in every snapshot; robots.txt comes from the base.
        page = fetch(now.base_urls["yonhap"] + "/view/AEN20250422005200320")
        assert "Finance minister leaves" in page
        assert "Disallow: /search/" in fetch(now.base_urls["yonhap"] + "/robots.txt")


def test_snapshot_choice_and_unknown_snapshots():
    assert snapshots()[0] == "2025-04-26"
    assert "2025-05-01" in snapshots()
    assert snapshot_for(["2025-04-22"]) == "2025-04-26"
    assert snapshot_for(["2025-04-22", "2025-04-29"]) == "2025-05-01"
    assert snapshot_for([]) == "2025-04-26"
    try:
        Replica(["yonhap"], snapshot="2031-01-01")
    except FileNotFoundError as exc:
        assert "2025-05-01" in str(exc)
    else:
        raise AssertionError("an unknown snapshot must be refused")

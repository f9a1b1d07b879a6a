"""The replica: rendered files match their content, and the server behaves like the sites."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import datetime
from email.utils import parsedate_to_datetime

from conftest import REPLICA

from crawler.replica import Replica, snapshot_for, snapshots
from crawler.replica.build import build_all


def test_rendered_replica_is_up_to_date(tmp_path):
    """Golden files come from `python -m crawler.replica.build`, never from hand edits."""
    (tmp_path / "content").symlink_to(REPLICA / "content")
    build_all(tmp_path)
    for built in (p for p in tmp_path.rglob("*") if p.is_file() and "content" not in p.parts):
        committed = REPLICA / built.relative_to(tmp_path)
        assert committed.exists(), f"{committed} missing: run python -m crawler.replica.build"
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


def get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    """Status, headers and body, 304 included (urllib raises it as an error)."""
    request = urllib.request.Request(
        url, headers={k.replace("_", "-"): v for k, v in headers.items()}
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_etag_round_trip_if_none_match_and_if_modified_since():
    with Replica(["yonhap"]) as replica:
        feed = replica.base_urls["yonhap"] + "/RSS/news.xml"
        status, headers, body = get(feed)
        etag, modified = headers["ETag"], headers["Last-Modified"]
        assert status == 200 and body and etag.startswith('"')
        assert get(feed, If_None_Match=etag)[0] == 304
        assert get(feed, If_None_Match=f'W/{etag}, "other"')[0] == 304
        stale = get(feed, If_None_Match='"not-the-content"')
        assert stale[0] == 200 and stale[2] == body and stale[1]["ETag"] == etag
        # If-None-Match decides when sent: a matching date does not rescue a stale tag.
        assert get(feed, If_None_Match='"stale"', If_Modified_Since=modified)[0] == 200
        assert get(feed, If_Modified_Since=modified)[0] == 304
        assert get(feed, If_Modified_Since="Mon, 21 Apr 2025 00:00:00 GMT")[0] == 200
        hits = replica.hits("yonhap")
    assert [h.status for h in hits] == [200, 304, 304, 200, 200, 304, 200]
    assert hits[1].if_none_match == etag and hits[0].if_none_match is None


def test_validators_come_from_the_content_not_the_files():
    path = "/news-sitemap.xml"
    published = re.findall(
        r"<news:publication_date>([^<]+)<",
        (REPLICA / "yonhap" / path[1:]).read_text(encoding="utf-8"),
    )
    newest = max(datetime.fromisoformat(p) for p in published)
    with Replica(["yonhap"]) as then:
        _, sitemap, _ = get(then.base_urls["yonhap"] + path)
        _, robots, _ = get(then.base_urls["yonhap"] + "/robots.txt")
    # Last-Modified is the newest item's date, not the file's mtime.
    assert parsedate_to_datetime(sitemap["Last-Modified"]) == newest
    with Replica(["yonhap"], snapshot="2025-05-01") as now:
        base = now.base_urls["yonhap"]
        status, later, _ = get(base + path, If_None_Match=sitemap["ETag"])
        assert status == 200 and later["ETag"] != sitemap["ETag"]
        assert parsedate_to_datetime(later["Last-Modified"]) > newest
        assert get(base + path, If_Modified_Since=sitemap["Last-Modified"])[0] == 200
        # robots.txt is the same file in both snapshots: the same tag, so 304.
        assert get(base + "/robots.txt", If_None_Match=robots["ETag"])[0] == 304

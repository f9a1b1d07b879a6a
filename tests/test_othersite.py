"""End to end against an independent test site (``tests/othersite``).

The site was written without looking at the crawler's outlet code or its replica, from the
outlet facts in OUTLETS.md only. ``newsagg crawl`` is run as a black box (a subprocess of the
installed console script) with ``--outlet-url`` for all four outlets, and the SQLite file is
then checked against the contracts in DESIGN.md.
"""

from __future__ import annotations

import math
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import pytest
from othersite import OtherSite

REPO = Path(__file__).resolve().parent.parent
NEWSAGG = Path(sys.executable).with_name("newsagg")
OUTLETS = ("yonhap", "koreaherald", "reuters", "nikkei")
ACCESS = {"yonhap": "full", "koreaherald": "full", "reuters": "blocked", "nikkei": "partial"}
# A crawler may judge a few related pieces too weak to link; it may not miss most of them.
RELATED_SHARE = 0.6


@dataclass
class Crawl:
    site: OtherSite
    db: Path
    returncode: int
    stdout: str
    stderr: str

    def rows(self, sql: str, *params: object) -> list[dict[str, object]]:
        with sqlite3.connect(self.db) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(row) for row in conn.execute(sql, params)]

    @property
    def output(self) -> str:
        return f"exit {self.returncode}\n--- stdout\n{self.stdout[-3000:]}\n--- stderr\n{self.stderr[-6000:]}"


def key(url: str) -> str:
    return url.rstrip("/")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    db = tmp_path_factory.mktemp("othersite") / "news.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSAGG_")}
    with OtherSite() as site:
        args = [str(NEWSAGG), "crawl", "--db", str(db)]
        for outlet, base in site.base_urls.items():
            args += ["--outlet-url", f"{outlet}={base}"]
        proc = subprocess.run(
            args, cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False
        )
        yield Crawl(site, db, proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="module")
def expected(crawl: Crawl) -> dict[str, dict[str, object]]:
    """The site's articles by canonical URL."""
    return {key(str(a["canonical_url"])): a for a in crawl.site.articles}


@pytest.fixture(scope="module")
def stored(crawl: Crawl, expected: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """Stored rows of the site's articles, by canonical URL (unknown URLs left out)."""
    if not crawl.db.exists():
        pytest.fail(f"no database was written\n{crawl.output}")
    rows = crawl.rows("select * from articles")
    return {
        key(str(r["canonical_url"])): r for r in rows if key(str(r["canonical_url"])) in expected
    }


@pytest.fixture(scope="module")
def linked(crawl: Crawl) -> list[dict[str, object]]:
    return crawl.rows("select a.*, c.score from coverage c join articles a on a.id = c.article_id")


def utc(value: object) -> datetime | None:
    if not value:
        return None
    stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def story_of(article: dict[str, object]) -> str:
    """Versions of one Yonhap story count once; a syndicated copy counts for its own outlet."""
    if article["outlet"] == "yonhap" and article["group"]:
        return str(article["group"])
    return str(article["path"])


# --------------------------------------------------------------------------------------------


def test_crawl_command_succeeds_against_the_other_site(crawl: Crawl) -> None:
    assert crawl.returncode == 0, crawl.output
    assert "Traceback" not in crawl.stderr, crawl.output


def test_crawl_prints_no_python_warnings(crawl: Crawl) -> None:
    # The project treats warnings as errors (pytest filterwarnings = error).
    warnings = [line for line in crawl.stderr.splitlines() if "Warning:" in line]
    assert not warnings, warnings


def test_every_stored_article_has_its_real_canonical_url(
    crawl: Crawl, expected: dict[str, dict[str, object]]
) -> None:
    rows = crawl.rows("select outlet, canonical_url, url from articles")
    assert rows, f"no articles stored\n{crawl.output}"
    unknown = [r for r in rows if key(str(r["canonical_url"])) not in expected]
    assert not unknown, (
        "stored canonical URLs that are not articles of the real outlets "
        f"(mirror host, query noise, old-form or Title-Case path, listing page): {unknown}"
    )
    for row in rows:
        canonical = str(row["canonical_url"])
        assert "127.0.0.1" not in canonical
        assert expected[key(canonical)]["outlet"] == row["outlet"], row


def test_each_outlet_has_stored_articles(stored: dict[str, dict[str, object]]) -> None:
    by_outlet = {o: [u for u, r in stored.items() if r["outlet"] == o] for o in OUTLETS}
    assert all(by_outlet.values()), {o: len(urls) for o, urls in by_outlet.items()}


def test_related_coverage_comes_from_all_four_outlets(
    linked: list[dict[str, object]], expected: dict[str, dict[str, object]]
) -> None:
    report = {}
    for outlet in OUTLETS:
        related = {story_of(a) for a in expected.values() if a["outlet"] == outlet and a["related"]}
        found = {
            story_of(expected[key(str(r["canonical_url"]))])
            for r in linked
            if key(str(r["canonical_url"])) in expected
            and expected[key(str(r["canonical_url"]))]["outlet"] == outlet
            and expected[key(str(r["canonical_url"]))]["related"]
        }
        need = max(2, math.ceil(RELATED_SHARE * len(related)))
        report[outlet] = (len(found), need, sorted(related - found))
    short = {o: r for o, r in report.items() if r[0] < r[1]}
    assert not short, f"(linked, needed, missed stories) per outlet: {short}"


def test_no_unrelated_article_is_linked(
    linked: list[dict[str, object]], expected: dict[str, dict[str, object]]
) -> None:
    wrong = [
        (r["canonical_url"], r["title"], r["score"])
        for r in linked
        if key(str(r["canonical_url"])) not in expected
        or not expected[key(str(r["canonical_url"]))]["related"]
    ]
    assert not wrong, f"unrelated, non-English or unknown articles linked: {wrong}"


def test_linked_articles_have_their_outlets_access(linked: list[dict[str, object]]) -> None:
    wrong = [
        (r["outlet"], r["canonical_url"], r["access"])
        for r in linked
        if r["access"] != ACCESS.get(str(r["outlet"]))
    ]
    assert not wrong, wrong


def test_stored_articles_have_their_outlets_access(stored: dict[str, dict[str, object]]) -> None:
    # A candidate kept from metadata alone may be `metadata`; a fetched one has the outlet's.
    wrong = [
        (r["outlet"], url, r["access"], r["http_status"])
        for url, r in stored.items()
        if r["access"] not in (ACCESS[str(r["outlet"])], "metadata")
    ]
    assert not wrong, wrong
    for outlet in OUTLETS:
        assert any(
            r["outlet"] == outlet and r["access"] == ACCESS[outlet] for r in stored.values()
        ), f"no {outlet} article stored with access {ACCESS[outlet]}"


def test_reuters_blocked_pages_keep_the_sitemap_metadata(
    stored: dict[str, dict[str, object]], expected: dict[str, dict[str, object]]
) -> None:
    rows = {u: r for u, r in stored.items() if r["outlet"] == "reuters"}
    assert rows, "no Reuters article stored"
    for url, row in rows.items():
        want = expected[url]
        assert row["access"] in ("blocked", "metadata"), (url, row["access"])
        if row["access"] == "blocked":
            assert row["http_status"] == 401, (url, row["http_status"])
        assert row["title"] == want["title"], (url, row["title"])
        assert utc(row["published"]) == want["published"], (url, row["published"])


def test_reuters_block_is_not_retried(crawl: Crawl, expected: dict[str, dict[str, object]]) -> None:
    seen = crawl.site.requests("reuters")
    paths = [urlsplit(t).path for t in seen]
    repeated = {
        a["path"]: paths.count("/reuters" + str(a["path"]))
        for a in expected.values()
        if a["outlet"] == "reuters" and paths.count("/reuters" + str(a["path"])) > 1
    }
    assert not repeated, f"blocked Reuters pages requested more than once: {repeated}"


def test_nikkei_paywalled_pages_are_partial_with_the_public_preview(
    stored: dict[str, dict[str, object]], expected: dict[str, dict[str, object]]
) -> None:
    rows = {
        u: r for u, r in stored.items() if r["outlet"] == "nikkei" and r["access"] != "metadata"
    }
    assert rows, "no Nikkei article fetched"
    for url, row in rows.items():
        want = expected[url]
        assert row["access"] == "partial", (url, row["access"])
        assert row["title"] == want["title"], (url, row["title"])
        assert str(want["preview"])[:80] in str(row["text"] or ""), (url, row["text"])
        assert utc(row["published"]) == want["published"], (url, row["published"])


def test_published_times_are_stored_in_utc(
    stored: dict[str, dict[str, object]], expected: dict[str, dict[str, object]]
) -> None:
    # Yonhap RSS and the Korea Herald's JSON-LD give KST without an offset; a naive date
    # read as UTC lands nine hours late.
    wrong = [
        (url, row["published"], expected[url]["published"].isoformat())
        for url, row in stored.items()
        if utc(row["published"]) != expected[url]["published"]
    ]
    assert not wrong, wrong


def test_yonhap_versions_of_one_story_are_linked_as_updates(
    stored: dict[str, dict[str, object]], expected: dict[str, dict[str, object]]
) -> None:
    versions = {u: r for u, r in stored.items() if expected[u]["group"] and r["outlet"] == "yonhap"}
    assert len(versions) >= 2, f"versions stored: {sorted(versions)}"
    group_ids = {r["id"] for u, r in stored.items() if expected[u]["group"] == "yonhap-talks"}
    yonhap_ids = {r["id"] for r in versions.values()}
    heads = [u for u, r in versions.items() if r["duplicate_of"] is None]
    assert len(heads) <= 1, f"several Yonhap versions stand alone: {heads}"
    for url, row in versions.items():
        if row["duplicate_of"] is None:
            continue
        assert row["duplicate_of"] in group_ids, (url, row["duplicate_of"])
        if row["duplicate_of"] in yonhap_ids:
            assert row["relation"] == "update", (url, row["relation"])


def test_korea_herald_yonhap_copy_is_linked_to_the_yonhap_story(
    stored: dict[str, dict[str, object]], expected: dict[str, dict[str, object]]
) -> None:
    copy = stored.get("https://www.koreaherald.com/article/10473855")
    assert copy is not None, "the Korea Herald's Yonhap copy was not stored"
    yonhap = {
        r["id"]: u for u, r in stored.items() if expected[u]["group"] and r["outlet"] == "yonhap"
    }
    assert yonhap, "no version of the Yonhap story stored"
    forward = copy["duplicate_of"] in yonhap
    backward = any(stored[u]["duplicate_of"] == copy["id"] for u in yonhap.values())
    assert forward or backward, (copy["duplicate_of"], copy["relation"])
    assert forward, "the copy is the representative; the Yonhap original should be"
    assert copy["relation"] in ("syndicated", "near-duplicate"), copy["relation"]


LEAD = "https://en.yna.co.kr/view/AEN20250425000351320"
SECOND_LD = "https://en.yna.co.kr/view/AEN20250425000352320"


def test_yonhap_title_and_body_come_from_the_page(stored: dict[str, dict[str, object]]) -> None:
    lead = stored.get(LEAD)
    assert lead is not None, "the (LEAD) version was not stored"
    assert not str(lead["title"]).endswith("Yonhap News Agency"), lead["title"]
    text = str(lead["text"] or "")
    assert "exemption from the reciprocal tariff" in text
    for noise in ("Keywords", "All News", "LG Twins"):
        assert noise not in text, (noise, text[-400:])


@pytest.mark.parametrize("url", [LEAD, SECOND_LD])
def test_yonhap_editors_note_is_not_body_text(
    stored: dict[str, dict[str, object]], url: str
) -> None:
    # "(ATTN: UPDATES ...)<br/>By NAME" is one paragraph: neither part is body text.
    row = stored.get(url)
    assert row is not None, f"{url} was not stored"
    text = str(row["text"] or "")
    assert "ATTN" not in text, text[:200]


@pytest.mark.parametrize("url", [LEAD, SECOND_LD])
def test_yonhap_updated_version_keeps_the_reporter_byline(
    stored: dict[str, dict[str, object]], url: str
) -> None:
    row = stored.get(url)
    assert row is not None, f"{url} was not stored"
    authors = str(row["authors"] or "")
    assert "Park Ji-won" in authors, authors
    assert "ATTN" not in authors and "경제부" not in authors, authors


def test_yonhap_author_is_the_reporter_not_the_desk(stored: dict[str, dict[str, object]]) -> None:
    rows = {u: r for u, r in stored.items() if r["outlet"] == "yonhap" and r["access"] == "full"}
    assert rows
    for url, row in rows.items():
        assert not any(ord(ch) >= 0xAC00 for ch in str(row["authors"] or "")), (url, row["authors"])


def test_yonhap_short_brief_text_has_no_page_widgets() -> None:
    # The brief is unrelated, so the crawl may rightly never fetch it: read it directly.
    from urllib.request import urlopen

    from pipelines.extract import extract_article

    with OtherSite() as site:
        url = site.base_urls["yonhap"] + "/view/AEN20250423005500315"
        with urlopen(url) as answer:
            html = answer.read().decode("utf-8")
    text = str(extract_article(html, url, "yonhap")["text"] or "")
    assert "yellow dust advisory" in text.lower()
    for noise in ("Keywords", "All News", "July package", "LG Twins"):
        assert noise not in text, (noise, text)


def test_korea_herald_fields_come_from_the_page(stored: dict[str, dict[str, object]]) -> None:
    article = stored.get("https://www.koreaherald.com/article/10471322")
    assert article is not None, "https://www.koreaherald.com/article/10471322 was not stored"
    assert (
        article["title"] == "Finance minister flies to Washington for 'door-opening' tariff talks"
    )
    text = str(article["text"] or "")
    assert "calm and composed" in text
    assert "Most Popular" not in text and "Early heat" not in text, text[-400:]


def herald_bylined(
    stored: dict[str, dict[str, object]], expected: dict[str, dict[str, object]]
) -> dict[str, dict[str, object]]:
    """Fetched Korea Herald pieces of the paper's own reporters (not Yonhap copy)."""
    return {
        u: r
        for u, r in stored.items()
        if r["outlet"] == "koreaherald"
        and r["access"] == "full"
        and expected[u]["byline"] not in (None, "Yonhap")
    }


def test_korea_herald_authors_are_found(
    stored: dict[str, dict[str, object]], expected: dict[str, dict[str, object]]
) -> None:
    # Each of these pages names the reporter twice: JSON-LD author.name and a "By NAME (e-mail)"
    # line at the start or the end of article.article-body.
    rows = herald_bylined(stored, expected)
    assert rows, "no Korea Herald article of its own reporters was fetched"
    missing = {
        u: (expected[u]["byline"], r["authors"])
        for u, r in rows.items()
        if str(expected[u]["byline"]) not in str(r["authors"] or "")
    }
    assert not missing, missing


def test_korea_herald_byline_line_is_not_body_text(
    stored: dict[str, dict[str, object]], expected: dict[str, dict[str, object]]
) -> None:
    rows = herald_bylined(stored, expected)
    assert rows
    kept = {
        u: str(r["text"])[-120:] for u, r in rows.items() if "@heraldcorp.com" in str(r["text"])
    }
    assert not kept, kept


def test_robots_txt_is_read_on_every_server(crawl: Crawl) -> None:
    for outlet in ("yonhap", "koreaherald", "reuters"):
        seen = crawl.site.server_requests(outlet)
        assert "/robots.txt" in seen, (outlet, seen[:10])


def test_no_path_disallowed_by_robots_txt_is_requested(crawl: Crawl) -> None:
    for outlet in ("yonhap", "koreaherald", "reuters"):
        robots = RobotFileParser()
        robots.parse(crawl.site.robots_txt(outlet).splitlines())
        origin = crawl.site.robots_url(outlet).removesuffix("/robots.txt")
        bad = [
            t
            for t in crawl.site.server_requests(outlet)
            if not robots.can_fetch("newsagg", origin + t)
        ]
        assert not bad, (outlet, bad)


def test_prefixed_outlets_are_read_under_their_prefix(crawl: Crawl) -> None:
    seen = crawl.site.server_requests("reuters")
    stray = [t for t in seen if t != "/robots.txt" and not t.startswith(("/reuters/", "/nikkei/"))]
    assert not stray, stray
    assert crawl.site.requests("reuters"), "nothing read from the Reuters mount"
    assert crawl.site.requests("nikkei"), "nothing read from the Nikkei mount"


def test_every_feed_entry_leaves_a_discovery_row(
    crawl: Crawl, expected: dict[str, dict[str, object]]
) -> None:
    prefixes = {"/reuters", "/nikkei"}

    def path_of(url: str) -> str:
        path = urlsplit(url).path
        for prefix in prefixes:
            if path.startswith(prefix + "/"):
                path = path[len(prefix) :]
        return path.rstrip("/").lower()

    considered = {path_of(str(r["url"])) for r in crawl.rows("select url from discoveries")}
    missing = [
        a["canonical_url"]
        for a in expected.values()
        if a["in_feed"] and str(a["path"]).rstrip("/").lower() not in considered
    ]
    assert not missing, f"feed or sitemap entries with no row in discoveries: {missing}"


def test_no_discovery_is_left_queued_after_the_run(crawl: Crawl) -> None:
    # A redirected URL (the Korea Herald's old /view.php form, Nikkei's Title-Case path) must
    # still end with a decision, not stay "queued" once the run has finished.
    runs = crawl.rows("select status from runs")
    assert runs and runs[-1]["status"] == "finished", runs
    pending = crawl.rows(
        "select url, via, decision, reason from discoveries where decision in ('queued', 'pending')"
    )
    assert not pending, pending

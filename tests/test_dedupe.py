"""Duplicates: canonical URLs, and each relation type through the real dedupe and store code."""

from __future__ import annotations

import random

import pytest
from scrapy.utils.test import get_crawler

from crawler import db as dbmod
from crawler.items import ArticleItem
from crawler.urls import canonical_url, url_id
from pipelines.dedupe import DedupePipeline, link_copies, resolve
from pipelines.extract import ExtractPipeline
from pipelines.store import StorePipeline


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        # scheme and host case; http -> https
        (
            "HTTP://EN.YNA.CO.KR/view/AEN20250422005200320",
            "https://en.yna.co.kr/view/AEN20250422005200320",
        ),
        # mobile hosts -> the canonical host
        (
            "https://m-en.yna.co.kr/view/AEN20250422005200320",
            "https://en.yna.co.kr/view/AEN20250422005200320",
        ),
        (
            "https://m.koreaherald.com/article/10502397",
            "https://www.koreaherald.com/article/10502397",
        ),
        (
            "https://koreaherald.com/article/10502397",
            "https://www.koreaherald.com/article/10502397",
        ),
        # tracking and navigation queries
        (
            "https://en.yna.co.kr/view/AEN20250422005200320?section=news&input=rss",
            "https://en.yna.co.kr/view/AEN20250422005200320",
        ),
        (
            "https://example.com/a?utm_source=x&utm_medium=y&fbclid=z&id=7",
            "https://example.com/a?id=7",
        ),
        # fragments and trailing slashes
        (
            "https://www.reuters.com/world/a-b-c-2025-04-24/#main",
            "https://www.reuters.com/world/a-b-c-2025-04-24",
        ),
        # AMP variants
        (
            "https://en.yna.co.kr/amp/view/AEN20250422005200320",
            "https://en.yna.co.kr/view/AEN20250422005200320",
        ),
        ("https://example.com/story/amp/", "https://example.com/story"),
        ("https://example.com/story.amp.html", "https://example.com/story.html"),
        ("https://example.com/story?amp=1", "https://example.com/story"),
        (
            "https://www.reuters.com/world/a-b-c-2025-04-24/?outputType=amp",
            "https://www.reuters.com/world/a-b-c-2025-04-24",
        ),
        # query order does not matter
        ("https://example.com/s?b=2&a=1", "https://example.com/s?a=1&b=2"),
    ],
)
def test_canonicalisation_rules(url, canonical):
    assert canonical_url(url) == canonical


def test_a_replica_or_mirror_host_maps_to_the_real_one():
    bases = {"koreaherald": "http://127.0.0.1:9999"}
    assert (
        canonical_url("http://127.0.0.1:9999/article/1?np=2", bases)
        == "https://www.koreaherald.com/article/1"
    )


@pytest.fixture
def pipelines(tmp_path):
    db_path = tmp_path / "d.db"
    db = dbmod.connect(db_path)
    run = dbmod.start_run(db, {})
    crawler = get_crawler(
        settings_dict={
            "NEWSAGG_DB": str(db_path),
            "NEWSAGG_RUN_ID": run,
            "NEWSAGG_SOURCE_IDS": [1],
            "NEWSAGG_BATCH_SIZE": 1,
            "NEWSAGG_NEAR_DUPLICATE_SIMILARITY": 0.7,
            "NEWSAGG_MIN_WORDS": 40,
        }
    )
    dedupe = DedupePipeline.from_crawler(crawler)
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()

    def put(url: str, text: str, outlet: str = "example", **fields) -> ArticleItem:
        item = ArticleItem(
            url=url,
            canonical_url=canonical_url(url),
            outlet=outlet,
            via="rss",
            http_status=200,
            title=fields.pop("title", "t"),
            text=text,
            word_count=len(text.split()),
            access="full",
            published=fields.pop("published", "2025-04-24T00:00:00+00:00"),
        )
        dedupe.process_item(item)
        store.process_item(item)
        return item

    yield db, put
    store.close_spider()
    dedupe.close_spider()


WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
]


def text(seed: int, length: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + str(rng.randrange(50)) for _ in range(length))


def test_exact_duplicate_at_another_url_is_linked(pipelines):
    _, put = pipelines
    first = put("https://example.com/a", text(1))
    second = put("https://example.com/b", text(1).upper())  # case and punctuation do not count
    assert second.content_hash == first.content_hash
    assert second.duplicate_of == url_id(first.canonical_url)
    assert second.relation == "near-duplicate"


def test_light_edit_is_a_near_duplicate_across_runs_and_unrelated_text_is_not(pipelines):
    db, put = pipelines
    original = put("https://example.com/a", text(1))
    words = text(1).split()
    words[40], words[200] = "changed", "edited"
    edited = put("https://example.com/b", " ".join(words[:-8]))
    other = put("https://example.com/c", text(2))
    assert edited.duplicate_of == url_id(original.canonical_url)
    assert other.duplicate_of is None
    # The bands are in SQLite: a later run finds the original from the database alone.
    assert db.execute("select count(distinct article_id) from lsh").fetchone()[0] == 3


def test_yonhap_versions_collapse_to_the_latest(pipelines):
    db, put = pipelines
    base = "https://en.yna.co.kr/view/AEN202504250015{}320"
    for version, minute in (("00", "10"), ("51", "40"), ("52", "55")):
        put(
            base.format(version),
            text(int(version)),
            outlet="yonhap",
            published=f"2025-04-24T22:{minute}:00+00:00",
        )
    put("https://en.yna.co.kr/view/AEN20250425003000320", text(9), outlet="yonhap")
    counts = link_copies(db, (None, None), containment=0.6)
    assert counts == {"update": 2, "syndicated": 0}
    rows = dict(
        db.execute("select canonical_url, duplicate_of || ':' || relation from articles").fetchall()
    )
    latest = url_id(base.format("52"))
    assert rows[base.format("00")] == f"{latest}:update"
    assert rows[base.format("51")] == f"{latest}:update"
    assert rows[base.format("52")] is None
    assert rows["https://en.yna.co.kr/view/AEN20250425003000320"] is None


def test_credited_copy_is_syndicated_to_the_original_whichever_came_first(pipelines):
    db, put = pipelines
    body = text(5)
    # The Herald's copy is stored first; the Yonhap original then matches it as a near-duplicate.
    copy = put(
        "https://www.koreaherald.com/article/10506720",
        "SEOUL, April 25 (Yonhap) -- " + body,
        outlet="koreaherald",
    )
    original = put(
        "https://en.yna.co.kr/view/AEN20250425003000320",
        "SEOUL, April 25 (Yonhap) -- " + body[:-40],
        outlet="yonhap",
    )
    assert original.duplicate_of == url_id(copy.canonical_url)
    assert link_copies(db, (None, None), containment=0.6)["syndicated"] == 1
    rows = dict(
        db.execute("select outlet, duplicate_of || ':' || relation from articles").fetchall()
    )
    assert rows["koreaherald"] == f"{url_id(original.canonical_url)}:syndicated"
    assert rows["yonhap"] is None


def test_resolve_points_copies_at_the_root_and_breaks_loops():
    assert resolve({"a": ("b", "update"), "b": ("c", "update"), "c": (None, None)})["a"] == (
        "c",
        "update",
    )
    assert resolve({"a": ("b", "near-duplicate"), "b": ("a", "near-duplicate")}) == {
        "a": (None, None),
        "b": (None, None),
    }


def test_re_edited_article_updates_its_row_and_keeps_the_old_text(pipelines):
    db, put = pipelines
    put("https://example.com/a", text(1), title="First title")
    put("https://example.com/a?utm_source=rss", text(3), title="Corrected title")
    rows = db.execute("select title, content_hash from articles").fetchall()
    assert len(rows) == 1 and rows[0][0] == "Corrected title"
    history = db.execute("select title, content_hash from article_history").fetchall()
    assert len(history) == 1 and history[0][0] == "First title" and history[0][1] != rows[0][1]
    urls = dict(db.execute("select url, article_id from article_urls").fetchall())
    assert set(urls.values()) == {url_id("https://example.com/a")}
    assert "https://example.com/a?utm_source=rss" in urls


class _Stats:
    def __init__(self):
        self.values = {}

    def inc_value(self, key, count=1):
        self.values[key] = self.values.get(key, 0) + count


def test_rel_canonical_is_honoured_only_on_the_outlets_own_domain():
    pipe = ExtractPipeline(min_words=40)
    pipe.crawler = type("C", (), {"stats": _Stats()})()
    item = ArticleItem(
        url="https://en.yna.co.kr/view/AEN20250422005200320?x=1",
        canonical_url="https://en.yna.co.kr/view/AEN20250422005200320?x=1",
        outlet="yonhap",
        via="rss",
        http_status=200,
    )
    pipe.follow_canonical(item, "https://elsewhere.example/view/AEN20250422005200320")
    assert item.canonical_url.endswith("?x=1")
    pipe.follow_canonical(item, "https://en.yna.co.kr/view/AEN20250422005200320")
    assert item.canonical_url == "https://en.yna.co.kr/view/AEN20250422005200320"


def test_names_that_resolve_to_non_public_addresses_are_refused():
    from crawler.middlewares import non_public_reason

    for host in (
        "localhost",
        "127.0.0.1",
        "10.0.0.8",
        "192.168.1.1",
        "169.254.169.254",
        "[::1]",
        "0.0.0.0",
    ):
        assert non_public_reason(host), host
    assert non_public_reason("8.8.8.8") is None

"""Storage: articles, coverage links and discovery decisions, batched into one transaction.

Every URL the crawl considered ends up here: an article row (and coverage rows for the sources
it is relevant to) or a ``discoveries`` row saying why not. Dropped items are caught through the
``item_dropped`` signal, so extraction failures are recorded too.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from scrapy import signals

from crawler import db as dbmod
from crawler.items import ArticleItem, Discovery
from crawler.source import default_source_ids
from crawler.timeutil import now_iso
from crawler.urls import canonical_url, url_id

logger = logging.getLogger(__name__)

ARTICLE_FIELDS = (
    "url",
    "canonical_url",
    "outlet",
    "title",
    "authors",
    "published",
    "modified",
    "language",
    "description",
    "keywords",
    "text",
    "word_count",
    "access",
    "http_status",
    "content_hash",
    "duplicate_of",
    "relation",
    "minhash",
    "story_key",
    "version",
)


class StorePipeline:
    def __init__(self, db_path: str, batch_size: int, run_id: int | None):
        self.db_path = db_path
        self.batch_size = batch_size
        # Set by `newsagg crawl`, or by RunRecorder for a bare `scrapy crawl`.
        self.run_id = run_id
        self.articles: list[dict] = []
        self.coverage: list[dict] = []
        self.discoveries: list[dict] = []
        self.urls: list[dict] = []
        self.lsh_keys: dict[str, list[int]] = {}
        self.db = None
        self._source_ids: list[int] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipe = cls(
            db_path=settings.get("NEWSAGG_DB"),
            batch_size=settings.getint("NEWSAGG_BATCH_SIZE"),
            run_id=settings.getint("NEWSAGG_RUN_ID") or None,
        )
        pipe.crawler = crawler
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        return pipe

    def open_spider(self):
        self.db = dbmod.connect(self.db_path)

    def close_spider(self):
        self.flush()
        self.db.close()

    # --- items -----------------------------------------------------------------------------

    def process_item(self, item):
        if isinstance(item, ArticleItem):
            self.add_article(item)
        elif isinstance(item, Discovery):
            self.add_discovery(asdict(item))
        if self.pending() >= self.batch_size:
            self.flush()
        return item

    def item_dropped(self, item, response, exception, spider=None):
        if isinstance(item, ArticleItem):
            self.crawler.stats.inc_value("newsagg/store/dropped")
            # Recorded under the URL discovery found, even if rel=canonical pointed elsewhere.
            found = item.candidate.get("url")
            discovery = Discovery.about(
                self.item_candidate(item),
                canonical_url(found) if found else item.canonical_url,
                "failed",
                str(exception),
                title=item.title or item.candidate.get("title"),
                published=item.published or item.candidate.get("published"),
            )
            self.add_discovery(asdict(discovery))

    @staticmethod
    def item_candidate(item: ArticleItem) -> dict:
        return {**item.candidate, "outlet": item.outlet, "via": item.via}

    def add_article(self, item: ArticleItem) -> None:
        now = now_iso()
        row = {key: getattr(item, key) for key in ARTICLE_FIELDS}
        row.update(
            id=url_id(item.canonical_url),
            authors=dbmod.dumps(item.authors),
            keywords=dbmod.dumps(item.keywords),
            discovered_via=item.via,
            last_seen=now,
            run_id=self.run_id,
        )
        self.articles.append(row)
        self.lsh_keys[row["id"]] = item.lsh_keys
        seen = {item.url, item.canonical_url, item.candidate.get("url")} - {None}
        self.urls += [{"url": u, "article_id": row["id"], "first_seen": now} for u in seen]
        for source_id, result in item.scores.items():
            if result["linked"]:
                self.coverage.append(
                    {
                        "source_id": source_id,
                        "article_id": row["id"],
                        "score": result["score"],
                        "matched": dbmod.dumps(result),
                        "linked_at": now,
                    }
                )
            linked = result["linked"]
            # The URL discovery found may differ (a redirect, rel=canonical): its queued row
            # is settled too, naming where the article went, so no later run resumes it.
            for url, why in self.decided_urls(item):
                discovery = Discovery.about(
                    self.item_candidate(item),
                    url,
                    "linked" if linked else "rejected",
                    ("score" if linked else "low-score") + why,
                    source_id=source_id,
                    title=item.title,
                    published=item.published,
                    score=result["score"],
                )
                self.add_discovery(asdict(discovery))

    @staticmethod
    def decided_urls(item: ArticleItem) -> list[tuple[str, str]]:
        """(url, note) pairs a decision about this article is recorded under."""
        found = item.candidate.get("url")
        found = canonical_url(found) if found else item.canonical_url
        pairs = [(item.canonical_url, "")]
        if found != item.canonical_url:
            pairs.append((found, f"; stored as {item.canonical_url}"))
        return pairs

    def add_discovery(self, row: dict) -> None:
        row = dict(row, at=now_iso(), run_id=self.run_id)
        sources = [row["source_id"]] if row.get("source_id") is not None else self.source_ids()
        for source_id in sources:
            self.discoveries.append(dict(row, source_id=source_id))

    def source_ids(self) -> list[int]:
        """Sources a source-less decision (a skipped candidate, a failure) is recorded for."""
        if self._source_ids is None:
            ids = self.crawler.settings.getlist("NEWSAGG_SOURCE_IDS")
            self._source_ids = [int(s) for s in ids] or default_source_ids(self.db) or [0]
        return self._source_ids

    def pending(self) -> int:
        return len(self.articles) + len(self.coverage) + len(self.discoveries)

    def flush(self) -> None:
        if not self.pending():
            return
        with dbmod.immediate(self.db) as db:
            if self.articles:
                self.write_articles(db)
            if self.coverage:
                db.table("coverage").upsert_all(self.coverage, pk=("source_id", "article_id"))
            if self.discoveries:
                db.table("discoveries").upsert_all(self.discoveries, pk=("url", "source_id"))
        self.crawler.stats.inc_value("newsagg/store/articles", len(self.articles))
        self.crawler.stats.inc_value("newsagg/store/coverage", len(self.coverage))
        self.crawler.stats.inc_value("newsagg/store/batches")
        self.articles, self.coverage, self.discoveries, self.urls = [], [], [], []
        self.lsh_keys = {}

    def write_articles(self, db) -> None:
        """Upsert the batch's articles; keep replaced texts, their URLs and their LSH bands."""
        ids = [a["id"] for a in self.articles]
        marks = ",".join("?" * len(ids))
        existing = {
            r["id"]: r
            for r in db.query(
                f"select id, first_seen, content_hash, title, text from articles where id in ({marks})",
                ids,
            )
        }
        history = []
        for row in self.articles:
            old = existing.get(row["id"])
            row["first_seen"] = old["first_seen"] if old else row["last_seen"]
            if (
                old
                and old["content_hash"]
                and row["content_hash"] not in (None, old["content_hash"])
            ):
                history.append(
                    {
                        "article_id": row["id"],
                        "content_hash": old["content_hash"],
                        "title": old["title"],
                        "text": old["text"],
                        "replaced_at": row["last_seen"],
                    }
                )
        db.table("articles").upsert_all(self.articles, pk="id")
        if history:
            db.table("article_history").insert_all(history)
            self.crawler.stats.inc_value("newsagg/store/re_edited", len(history))
        db.execute(f"delete from lsh where article_id in ({marks})", ids)
        bands = [{"key": k, "article_id": i} for i, keys in self.lsh_keys.items() for k in keys]
        if bands:
            db.table("lsh").insert_all(bands, pk=("key", "article_id"), ignore=True)
        db.table("article_urls").insert_all(self.urls, pk="url", ignore=True)

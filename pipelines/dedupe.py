"""Duplicates, first version: the same normalised text at another URL is linked, not stored twice.

The article keeps its own row (its URL was seen) and points at the first copy through
``duplicate_of`` with relation ``near-duplicate``; export leaves it out by default.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3

from crawler.items import ArticleItem
from crawler.urls import url_id


def content_hash(text: str) -> str:
    """Hash of the text with case, punctuation and whitespace normalised away."""
    normal = re.sub(r"[\W_]+", " ", text.lower()).strip()
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()


class DedupePipeline:
    def __init__(self, db_path: str):
        self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        self.hashes: dict[str, str] = {}  # this run's hashes, not yet visible in the DB

    @classmethod
    def from_crawler(cls, crawler):
        pipe = cls(crawler.settings.get("NEWSAGG_DB"))
        pipe.crawler = crawler
        return pipe

    def close_spider(self):
        self.conn.close()

    def process_item(self, item):
        if not isinstance(item, ArticleItem) or not item.text:
            return item
        item.content_hash = content_hash(item.text)
        own_id = url_id(item.canonical_url)
        original = self.hashes.get(item.content_hash) or self._stored(item.content_hash, own_id)
        if original and original != own_id:
            item.duplicate_of = original
            item.relation = "near-duplicate"
            self.crawler.stats.inc_value("newsagg/dedupe/exact")
        else:
            self.hashes.setdefault(item.content_hash, own_id)
        return item

    def _stored(self, digest: str, own_id: str) -> str | None:
        row = self.conn.execute(
            "select id from articles where content_hash = ? and id != ? and duplicate_of is null "
            "order by first_seen limit 1",
            [digest, own_id],
        ).fetchone()
        return row[0] if row else None

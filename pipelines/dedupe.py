"""Duplicates: one story, one representative row, and typed links from its copies.

While the crawl runs, each article is checked against everything stored, across runs: the
same normalised text (``content_hash``) or a MinHash near-duplicate found through the LSH
bands kept in SQLite (``crawler/neardup.py``). A match sets ``duplicate_of`` and a relation.

When the crawl ends, ``link_copies`` settles the relations over the window, independent of
the order pages arrived in:
- ``update``: versions of one story at one outlet (Yonhap's 00 -> 51 (LEAD) -> 52 (2nd LD));
  the representative is the latest version;
- ``syndicated``: a copy at another outlet that credits the original in its dateline (a Korea
  Herald "(Yonhap)" piece); the representative is the original;
- ``near-duplicate``: any other pair above the similarity threshold; the representative is
  the one stored first.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections import deque
from datetime import date, timedelta

from crawler import db as dbmod
from crawler import neardup
from crawler.items import ArticleItem
from crawler.outlets import OUTLETS
from crawler.urls import url_id

LINK_FIELDS = "id, outlet, published, text, story_key, version, duplicate_of, relation"


def content_hash(text: str) -> str:
    """Hash of the text with case, punctuation and whitespace normalised away."""
    normal = re.sub(r"[\W_]+", " ", text.lower()).strip()
    return hashlib.sha1(normal.encode("utf-8")).hexdigest()


class NearDuplicateIndex:
    """Look-ups against the stored LSH bands plus this run's not-yet-written articles."""

    # Articles remembered in memory until the store has surely written them (it writes every
    # NEWSAGG_BATCH_SIZE items); older ones are found in the database.
    RECENT = 2000

    def __init__(self, conn: sqlite3.Connection, threshold: float):
        self.conn = conn
        self.threshold = threshold
        self.hashes: dict[str, str] = {}
        self.pending: dict[int, set[str]] = {}
        self.signatures: dict[str, object] = {}
        self.recent: deque[tuple[str, str, list[int]]] = deque()

    def exact(self, digest: str, own_id: str) -> str | None:
        if digest in self.hashes and self.hashes[digest] != own_id:
            return self.hashes[digest]
        row = self.conn.execute(
            "select id from articles where content_hash = ? and id != ? order by first_seen limit 1",
            [digest, own_id],
        ).fetchone()
        return row[0] if row else None

    def similar(self, sig, keys: list[int], own_id: str) -> tuple[str, float] | None:
        """The most similar stored or pending article at or above the threshold."""
        found: set[str] = set()
        for key in keys:
            found |= self.pending.get(key, set())
        marks = ",".join("?" * len(keys))
        rows = self.conn.execute(
            f"select a.id, a.minhash from lsh join articles a on a.id = lsh.article_id "
            f"where lsh.key in ({marks})",
            keys,
        ).fetchall()
        stored = {i: neardup.from_blob(b) for i, b in rows if b}
        candidates = {**{i: self.signatures[i] for i in found}, **stored}
        candidates.pop(own_id, None)
        best = max(
            ((neardup.similarity(sig, other), i) for i, other in candidates.items()), default=None
        )
        return (best[1], best[0]) if best and best[0] >= self.threshold else None

    def remember(self, article_id: str, digest: str, sig, keys: list[int]) -> None:
        self.hashes.setdefault(digest, article_id)
        self.signatures[article_id] = sig
        for key in keys:
            self.pending.setdefault(key, set()).add(article_id)
        self.recent.append((article_id, digest, keys))
        if len(self.recent) > self.RECENT:
            self.forget(*self.recent.popleft())

    def forget(self, article_id: str, digest: str, keys: list[int]) -> None:
        if self.hashes.get(digest) == article_id:
            del self.hashes[digest]
        self.signatures.pop(article_id, None)
        for key in keys:
            members = self.pending.get(key)
            if members is not None:
                members.discard(article_id)
                if not members:
                    del self.pending[key]

    def close(self) -> None:
        self.conn.close()


class DedupePipeline:
    def __init__(self, db_path: str, threshold: float):
        self.index = NearDuplicateIndex(dbmod.read_only(db_path), threshold)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipe = cls(
            settings.get("NEWSAGG_DB"), settings.getfloat("NEWSAGG_NEAR_DUPLICATE_SIMILARITY")
        )
        pipe.crawler = crawler
        return pipe

    def close_spider(self):
        self.index.close()

    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        outlet = OUTLETS.get(item.outlet)
        if outlet and outlet.story_version:
            item.story_key, item.version = outlet.story_version(item.canonical_url) or (None, None)
        if not item.text:
            return item
        own_id = url_id(item.canonical_url)
        item.content_hash = item.precomputed.get("content_hash") or content_hash(item.text)
        sig = item.precomputed.get("signature")
        sig = neardup.signature(item.text) if sig is None else sig
        item.minhash, item.lsh_keys = neardup.to_blob(sig), neardup.band_keys(sig)
        original = self.index.exact(item.content_hash, own_id)
        if original:
            item.duplicate_of, item.relation = original, "near-duplicate"
            self.crawler.stats.inc_value("newsagg/dedupe/exact")
        elif match := self.index.similar(sig, item.lsh_keys, own_id):
            item.duplicate_of, item.relation = match[0], "near-duplicate"
            self.crawler.stats.inc_value("newsagg/dedupe/near")
        self.index.remember(own_id, item.content_hash, sig, item.lsh_keys)
        return item


def link_copies(db, window: tuple[date | None, date | None], containment: float) -> dict:
    """Settle ``update`` and ``syndicated`` relations over the window; returns counts."""
    lo, hi = window
    clauses, params = ["1"], []
    if lo:
        clauses.append("published >= ?")
        params.append((lo - timedelta(days=3)).isoformat())
    if hi:
        clauses.append("published < ?")
        params.append((hi + timedelta(days=2)).isoformat())
    rows = list(
        db.query(f"select {LINK_FIELDS} from articles where {' and '.join(clauses)}", params)
    )
    links: dict[str, tuple[str | None, str | None]] = {}
    # Versions of one story: the latest is the representative.
    chains: dict[str, list[dict]] = {}
    for row in rows:
        if row["story_key"]:
            chains.setdefault(row["story_key"], []).append(row)
    representative: dict[str, str] = {}
    for members in chains.values():
        if len(members) < 2:
            continue
        latest = max(members, key=lambda r: (r["version"] or 0, r["published"] or ""))
        for row in members:
            representative[row["id"]] = latest["id"]
            links[row["id"]] = (None, None) if row is latest else (latest["id"], "update")
    # Wire copies credited in their dateline: the original is the representative.
    by_outlet: dict[str, list[dict]] = {}
    for row in rows:
        by_outlet.setdefault(row["outlet"], []).append(row)
    for row in rows:
        outlet = OUTLETS.get(row["outlet"])
        source = outlet.credited(row["text"] or "") if outlet and outlet.credited else None
        if not source or source == row["outlet"]:
            continue
        best = max(
            (
                (neardup.containment(row["text"], other["text"] or ""), other["id"])
                for other in by_outlet.get(source, [])
                if _near_in_time(row["published"], other["published"])
            ),
            default=None,
        )
        if best and best[0] >= containment:
            links[row["id"]] = (representative.get(best[1], best[1]), "syndicated")
    stored = {r["id"]: (r["duplicate_of"], r["relation"]) for r in rows}
    merged = {**stored, **links}
    # The originals of typed links are representatives, whatever a near-duplicate match said.
    for target, _ in links.values():
        if target is not None and target not in links:
            merged[target] = (None, None)
    final = resolve(merged)
    changed = [
        {"id": i, "duplicate_of": d, "relation": r}
        for i, (d, r) in final.items()
        if i in stored and stored[i] != (d, r)
    ]
    if changed:
        with dbmod.immediate(db):
            for change in changed:
                db.table("articles").update(change["id"], change)
    relations = [r for _, r in links.values() if r]
    return {"update": relations.count("update"), "syndicated": relations.count("syndicated")}


def resolve(links: dict[str, tuple[str | None, str | None]]) -> dict[str, tuple]:
    """Point every copy at the root of its chain; a chain that loops back frees its start.

    A Yonhap original first matched as a near-duplicate of its Korea Herald copy must not
    stay a copy once the Herald piece is linked to it as ``syndicated``.
    """
    out = {}
    for start, (target, relation) in links.items():
        seen = {start}
        while target is not None and target in links and links[target][0] is not None:
            if target in seen:
                break
            seen.add(target)
            target = links[target][0]
        if target is None or target in seen or target == start:
            out[start] = (None, None)
        else:
            out[start] = (target, relation)
    return out


def _near_in_time(copy: str | None, original: str | None, days: int = 3) -> bool:
    if not copy or not original:
        return False
    gap = date.fromisoformat(copy[:10]) - date.fromisoformat(original[:10])
    return -1 <= gap.days <= days

"""Relevance: score each extracted article against every source of the crawl."""

from __future__ import annotations

from crawler import db as dbmod
from crawler.items import ArticleItem
from crawler.scoring import Profile, full_score


def load_profiles(db_path: str, source_ids: list[int]) -> list[Profile]:
    db = dbmod.connect(db_path)
    try:
        return [
            Profile.from_analysis(s["id"], s["analysis"]) for s in dbmod.get_sources(db, source_ids)
        ]
    finally:
        db.close()


class RelevancePipeline:
    """Fills ``item.scores`` for every source; the store links those at or above the threshold."""

    def __init__(self, profiles: list[Profile], min_score: float):
        self.profiles = profiles
        self.min_score = min_score

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipe = cls(
            profiles=load_profiles(
                settings.get("NEWSAGG_DB"), settings.getlist("NEWSAGG_SOURCE_IDS")
            ),
            min_score=settings.getfloat("NEWSAGG_MIN_SCORE"),
        )
        pipe.crawler = crawler
        return pipe

    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        for profile in self.profiles:
            result = full_score(profile, item.title, item.text, item.published)
            result["prefilter"] = item.candidate.get("prefilter", {}).get(profile.source_id)
            result["linked"] = result["score"] >= self.min_score
            item.scores[profile.source_id] = result
        linked = any(r["linked"] for r in item.scores.values())
        self.crawler.stats.inc_value("newsagg/relevance/" + ("linked" if linked else "rejected"))
        return item

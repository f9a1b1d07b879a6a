"""Relevance: score each extracted article against every source of the crawl.

Articles are scored as they arrive (the ``coverage`` rows appear while the crawl runs). When
the crawl ends, ``rescore_source`` revisits the source's date window in the database: it learns
the story's vocabulary from the articles linked with high confidence (Rocchio feedback), keeps
it on the ``sources`` row for the next runs, and re-decides every stored article of the window
with it. Coverage written after the source piece ("July package") is linked that way, and a
source added later is scored against what is already stored.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from crawler import db as dbmod
from crawler.items import ArticleItem
from crawler.scoring import (
    Profile,
    TextFeatures,
    cosine,
    feedback_vector,
    full_score,
    scoring_text,
    term_vector,
    text_features,
)
from crawler.source import default_source_ids, event_dates
from crawler.storydates import (
    COVERAGE_SAMPLE,
    event_name,
    event_span,
    in_core,
    infer_published,
    tier,
)
from crawler.timeutil import now_iso, parse_day


def load_profiles(db_path: str, source_ids: list) -> list[Profile]:
    """Profiles of the given sources; none given: the tracked ones, else the bundled piece."""
    db = dbmod.connect(db_path)
    try:
        ids = [int(i) for i in source_ids] or default_source_ids(db)
        return [Profile.from_source(row) for row in dbmod.get_sources(db, ids)]
    finally:
        db.close()


def crawl_profiles(crawler) -> tuple[list[Profile], tuple[date | None, date | None]]:
    """The sources' profiles and the date window of this crawler, loaded once and shared by
    the spider, the pre-filter and the relevance pipeline."""
    if not hasattr(crawler, "newsagg_profiles"):
        settings = crawler.settings
        profiles = load_profiles(settings.get("NEWSAGG_DB"), settings.getlist("NEWSAGG_SOURCE_IDS"))
        crawler.newsagg_profiles = profiles, date_window(profiles, settings)
    return crawler.newsagg_profiles


def date_window(profiles: list[Profile], settings) -> tuple[date | None, date | None]:
    """[since, until] from the settings, else around the sources' dates; None = open."""
    since = settings.get("NEWSAGG_SINCE")
    until = settings.get("NEWSAGG_UNTIL")
    days = [p.published for p in profiles if p.published]
    before = timedelta(days=settings.getint("NEWSAGG_WINDOW_DAYS_BEFORE"))
    after = timedelta(days=settings.getint("NEWSAGG_WINDOW_DAYS_AFTER"))
    lo = parse_day(since) if since else (min(days) - before if days else None)
    hi = parse_day(until) if until else (max(days) + after if days else None)
    return lo, hi


class RelevancePipeline:
    """Fills ``item.scores`` for every source; the store links those at or above the threshold."""

    def __init__(self, profiles: list[Profile], min_score: float):
        self.profiles = profiles
        self.min_score = min_score

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipe = cls(
            profiles=crawl_profiles(crawler)[0],
            min_score=settings.getfloat("NEWSAGG_MIN_SCORE"),
        )
        pipe.crawler = crawler
        return pipe

    def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        body = scoring_text(item.description, item.keywords, item.text)
        features = item.precomputed.get("features") or text_features(item.title, body)
        remember_features(item.canonical_url, item.title, body, features)
        for profile in self.profiles:
            result = full_score(profile, item.title, body, item.published, features)
            result["prefilter"] = item.candidate.get("prefilter", {}).get(profile.source_id)
            result["linked"] = result["score"] >= self.min_score
            item.scores[profile.source_id] = result
        linked = any(r["linked"] for r in item.scores.values())
        self.crawler.stats.inc_value("newsagg/relevance/" + ("linked" if linked else "rejected"))
        return item


# Text features of the articles scored in this process, for the end-of-crawl rescoring:
# canonical URL -> (hash of the scored text, features). About 45 KB an article, so bounded
# (~90 MB); a miss is recomputed.
_FEATURES: dict[str, tuple[int, TextFeatures]] = {}
FEATURES_KEPT = 2_000


def remember_features(url: str, title: str | None, body: str, features: TextFeatures) -> None:
    if len(_FEATURES) >= FEATURES_KEPT:
        _FEATURES.clear()
    _FEATURES[url] = (hash((title, body)), features)


def features_of(url: str, title: str | None, body: str) -> TextFeatures:
    """The text features of a stored article: from this crawl if it scored the same text."""
    known = _FEATURES.get(url)
    if known and known[0] == hash((title, body)):
        return known[1]
    return text_features(title, body)


# Below this many words of text an article is judged by its headline's neighbours too.
THIN_WORDS = 40
NEIGHBOURS = 3
# Headline similarity (cosine) a neighbour needs to count; the closest count most (cubed).
NEIGHBOUR_MIN_SIMILARITY = 0.2


def by_headline(rows: list[dict], results: dict[int, dict]) -> None:
    """Thin rows (blocked pages: a headline, a date, maybe keywords) borrow the judgement of
    the articles with a text whose headlines are most like theirs.

    A 401 leaves too few words for the term and name components to say much, but a headline
    much like those of articles that were read and scored is about what they are about
    (unless its own names say it is another country's story). The
    neighbours' scores, weighted by headline similarity, stand in when they are higher; the
    neighbours are recorded in ``matched`` for ``related --explain``.
    """
    thin = {r["id"] for r in rows if len((r["text"] or "").split()) < THIN_WORDS}
    rich = [r for r in rows if r["id"] not in thin]
    headlines = {r["id"]: term_vector(headline_text(r)) for r in rows}
    for row in rows:
        # A headline whose own names make it another country's story (focus 0: "Japan's
        # negotiator plans second trip") borrows nothing from this story's headlines.
        if row["id"] not in thin or results[row["id"]]["components"]["focus"] == 0:
            continue
        mine = headlines[row["id"]]
        near = sorted(
            ((cosine(mine, headlines[r["id"]]), r) for r in rich),
            key=lambda pair: -pair[0],
        )[:NEIGHBOURS]
        near = [(sim, r) for sim, r in near if sim >= NEIGHBOUR_MIN_SIMILARITY]
        if not near:
            continue
        borrowed = sum(sim**3 * results[r["id"]]["score"] for sim, r in near) / sum(
            sim**3 for sim, _ in near
        )
        result = results[row["id"]]
        result["neighbours"] = [
            {"title": r["title"], "similarity": round(sim, 3), "score": results[r["id"]]["score"]}
            for sim, r in near
        ]
        result["own_score"] = result["score"]
        result["score"] = round(max(result["score"], borrowed), 4)


def headline_text(row: dict) -> str:
    keywords = row["keywords"]
    if isinstance(keywords, str):
        keywords = json.loads(keywords or "[]")
    return "\n".join([row["title"] or "", *(keywords or [])])


def infer_source_dates(db, source_ids: list[int], min_score: float) -> dict[int, dict]:
    """Date the sources that have no date of their own, from their best-matching coverage and
    their text (``crawler.storydates.infer_published``); a date a user gave is never touched.

    The candidates are the articles this source's crawls considered (its ``discoveries``),
    scored on content alone; the best COVERAGE_SAMPLE of those at or above ``min_score`` say
    when the source was written. The day goes on the ``sources`` row (``published``,
    ``published_inferred`` = 1, ``date_evidence``) and into its analysis, so the window, the
    date component and the event span use it. Returns {source id: evidence} for those dated.
    """
    dated = {}
    for row in dbmod.get_sources(db, source_ids or None):
        if row["published"] and not row.get("published_inferred"):
            continue
        analysis = {**row["analysis"], "published": None, "event_dates": []}
        profile = Profile.from_source({**row, "analysis": analysis, "feedback": {}})
        candidates = db.query(
            "select distinct a.canonical_url, a.title, a.description, a.keywords, a.text, "
            "a.published from articles a join discoveries d on d.url = a.canonical_url "
            "where d.source_id = ? and a.published is not null",
            [row["id"]],
        )
        scored = sorted(
            (
                (
                    full_score(
                        profile,
                        a["title"],
                        body,
                        None,
                        features_of(a["canonical_url"], a["title"], body),
                    )["score"],
                    a["published"],
                )
                for a in candidates
                if (body := scoring_text(a["description"], a["keywords"], a["text"]))
            ),
            reverse=True,
        )
        days = [
            date.fromisoformat(p[:10])
            for score, p in scored[:COVERAGE_SAMPLE]
            if score >= min_score
        ]
        inferred = infer_published(f"{row['title'] or ''}\n{row['text'] or ''}", days)
        if inferred is None:
            continue
        day = inferred.day.isoformat()
        evidence = {**inferred.evidence, "confidence": inferred.confidence}
        analysis = {
            **row["analysis"],
            "published": day,
            "event_dates": event_dates(f"{row['title'] or ''}\n{row['text'] or ''}", day),
        }
        with dbmod.immediate(db):
            db.table("sources").update(
                row["id"],
                {
                    "published": day,
                    "published_inferred": 1,
                    "date_evidence": dbmod.dumps(evidence),
                    "analysis": dbmod.dumps(analysis),
                },
            )
        dated[row["id"]] = {"published": day, **evidence}
    return dated


def rescore_source(
    db,
    profile: Profile,
    window: tuple[date | None, date | None],
    min_score: float,
    feedback_min_score: float,
    feedback_docs: int = 20,
) -> dict:
    """Re-decide coverage of one source over its window, with story feedback; returns counts."""
    lo, hi = window
    clauses, params = ["1"], []
    if lo:
        clauses.append("(published is null or published >= ?)")
        params.append(lo.isoformat())
    if hi:
        clauses.append("(published is null or published < ?)")
        params.append((hi + timedelta(days=1)).isoformat())
    rows = list(
        db.query(
            "select id, canonical_url, outlet, discovered_via, title, description, keywords, "
            f"text, published from articles where {' and '.join(clauses)}",
            params,
        )
    )
    for r in rows:
        r["body"] = scoring_text(r["description"], r["keywords"], r["text"])
    features = {r["id"]: features_of(r["canonical_url"], r["title"], r["body"]) for r in rows}
    base = profile.with_feedback({})
    first = sorted(
        (
            (
                full_score(base, r["title"], r["body"], r["published"], features[r["id"]])["score"],
                r["id"],
            )
            for r in rows
        ),
        reverse=True,
    )
    confident = [features[i].vector for s, i in first if s >= feedback_min_score][:feedback_docs]
    story = feedback_vector(confident) if len(confident) >= 2 else {}
    final = profile.with_feedback(story)
    results = {
        r["id"]: full_score(final, r["title"], r["body"], r["published"], features[r["id"]])
        for r in rows
    }
    by_headline(rows, results)
    span = event_span(profile.published, list(profile.dates))
    name = event_name(
        profile.headline,
        [
            r["title"] or ""
            for r in rows
            if results[r["id"]]["score"] >= min_score and in_core(span, r["published"])
        ],
        profile.people_words,
    )
    now = now_iso()
    coverage, decisions = [], []
    for r in rows:
        result = results[r["id"]]
        result["linked"] = result["score"] >= min_score
        if result["linked"]:
            result["tier"], result["tier_reason"] = tier(
                span, r["published"], r["text"] or r["title"] or "", name
            )
            coverage.append(
                {
                    "source_id": profile.source_id,
                    "article_id": r["id"],
                    "score": result["score"],
                    "tier": result["tier"],
                    "matched": dbmod.dumps(result),
                    "linked_at": now,
                }
            )
        decisions.append(
            {
                "url": r["canonical_url"],
                "source_id": profile.source_id,
                "outlet": r["outlet"],
                "via": r["discovered_via"],
                "title": r["title"],
                "published": r["published"],
                "decision": "linked" if result["linked"] else "rejected",
                "reason": "score" if result["linked"] else "low-score",
                "score": result["score"],
                "at": now,
            }
        )
    top_terms = dict(sorted(story.items(), key=lambda kv: -kv[1])[:150])
    with dbmod.immediate(db):
        ids = [r["id"] for r in rows]
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            db.execute(
                f"delete from coverage where source_id = ? and article_id in ({','.join('?' * len(part))})",
                [profile.source_id, *part],
            )
        # Links outside this window (an earlier, wider window; a source undated while it was
        # crawled) are kept, and get their tier by the same rule.
        for other in db.query(
            "select a.id, a.published, a.title, a.text from coverage c join articles a "
            "on a.id = c.article_id where c.source_id = ? and c.tier is null",
            [profile.source_id],
        ):
            if other["id"] not in results:
                kind, _ = tier(
                    span,
                    other["published"],
                    other["text"] or other["title"] or "",
                    profile.headline,
                )
                db.execute(
                    "update coverage set tier = ? where source_id = ? and article_id = ?",
                    [kind, profile.source_id, other["id"]],
                )
        if coverage:
            db.table("coverage").upsert_all(coverage, pk=("source_id", "article_id"))
        if decisions:
            db.table("discoveries").upsert_all(decisions, pk=("url", "source_id"))
        db.table("sources").update(profile.source_id, {"feedback": dbmod.dumps(top_terms)})
    return {"articles": len(rows), "linked": len(coverage), "feedback_docs": len(confident)}

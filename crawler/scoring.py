"""Relevance of a candidate to a source piece: a quick score before fetching, a full one after.

Pure functions over the source's stored analysis, so the pre-filter, the pipeline, the
``related --explain`` view and the benchmark all score the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from crawler.textutil import bigrams, phrase_key, rarity, terms

KIND_WEIGHT = {"person": 1.6, "organisation": 1.2, "place": 0.5, "other": 0.6}
# Full score = weighted mix of these components (they sum to 1).
WEIGHTS = {"terms": 0.4, "entities": 0.4, "date": 0.2}
DATE_SCALE_DAYS = 10.0


@dataclass(frozen=True)
class Profile:
    """What a source piece is about, ready for matching."""

    source_id: int
    terms: dict[str, float]
    entities: list[tuple[str, tuple[str, ...], float]]  # (name, match keys, weight)
    dates: tuple[date, ...]
    published: date | None

    @classmethod
    def from_analysis(cls, source_id: int, analysis: dict) -> Profile:
        ents = []
        for ent in analysis.get("entities", []):
            weight = KIND_WEIGHT.get(ent["kind"], 0.6) * (1 + math.log(ent["count"]))
            weight *= rarity(ent["variants"][0])
            ents.append((ent["name"], tuple(ent["variants"]), weight))
        days = []
        for value in analysis.get("event_dates", []):
            if not value.startswith("--"):
                days.append(date.fromisoformat(value))
        published = analysis.get("published")
        pub = date.fromisoformat(published[:10]) if published else None
        if pub:
            days.append(pub)
        return cls(
            source_id=source_id,
            terms={t: float(w) for t, w in analysis.get("terms", [])},
            entities=ents,
            dates=tuple(sorted(set(days))),
            published=pub,
        )


def _bag(text: str) -> set[str]:
    tokens = terms(text)
    return set(tokens) | set(bigrams(tokens))


def _keyed(text: str) -> str:
    return f" {' '.join(phrase_key(text).split())} "


def term_overlap(profile: Profile, bag: set[str]) -> tuple[float, list[str]]:
    total = sum(profile.terms.values()) or 1.0
    matched = [t for t in profile.terms if t in bag]
    return sum(profile.terms[t] for t in matched) / total, matched


def entity_overlap(profile: Profile, keyed: str) -> tuple[float, list[str]]:
    total = sum(w for _, _, w in profile.entities) or 1.0
    matched = [(n, w) for n, keys, w in profile.entities if any(f" {k} " in keyed for k in keys)]
    return sum(w for _, w in matched) / total, [n for n, _ in matched]


def date_proximity(profile: Profile, published: str | None) -> tuple[float, int | None]:
    """1.0 on an event date, decaying with distance; 0.5 when either side has no date."""
    if not published or not profile.dates:
        return 0.5, None
    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return 0.5, None
    distance = min(abs((day - d).days) for d in profile.dates)
    return math.exp(-distance / DATE_SCALE_DAYS), distance


def quick_score(profile: Profile, title: str | None, description: str | None, keywords) -> dict:
    """Score on what discovery knows; only the share of the source's strongest signals counts."""
    text = " ".join([title or "", description or "", " ".join(keywords or [])])
    bag, keyed = _bag(text), _keyed(text)
    top = dict(sorted(profile.terms.items(), key=lambda tw: -tw[1])[:15])
    matched_terms = [t for t in profile.terms if t in bag]
    matched_ents = [n for n, keys, _ in profile.entities if any(f" {k} " in keyed for k in keys)]
    gained = sum(profile.terms[t] for t in matched_terms) + sum(
        w for n, _, w in profile.entities if n in matched_ents
    )
    score = min(1.0, gained / (sum(top.values()) or 1.0))
    return {"score": round(score, 4), "terms": matched_terms, "entities": matched_ents}


def full_score(
    profile: Profile, title: str | None, text: str | None, published: str | None
) -> dict:
    """The 0..1 score of an extracted article, with what matched."""
    body = f"{title or ''}\n{text or ''}"
    t_score, t_matched = term_overlap(profile, _bag(body))
    e_score, e_matched = entity_overlap(profile, _keyed(body))
    d_score, distance = date_proximity(profile, published)
    components = {"terms": t_score, "entities": e_score, "date": d_score}
    score = sum(WEIGHTS[k] * v for k, v in components.items())
    return {
        "score": round(score, 4),
        "components": {k: round(v, 4) for k, v in components.items()},
        "terms": t_matched,
        "entities": e_matched,
        "date_distance_days": distance,
    }

"""Relevance of a candidate to a source piece: a quick score before fetching, a full one after.

Pure functions over the source's stored analysis, so the pre-filter, the pipeline, the
``related --explain`` view and the benchmark all score the same way.

The full score is the content match, scaled down when the article is someone else's story:

    score = (0.6 terms + 0.25 entities + 0.15 date)
            x (FOCUS_FLOOR + (1 - FOCUS_FLOOR) focus) x min(1, topic / TOPIC_GATE)

- ``terms``: cosine similarity between rarity-weighted term vectors of the source and the
  article. The source vector is expanded with the story's own vocabulary, learnt from the
  articles already linked with high confidence (Rocchio feedback, see ``feedback_vector``), so
  coverage written after the source ("July package") is still recognised;
- ``entities``: the weighted share of the source's people, organisations and places that the
  article names;
- ``date``: closeness of the article's date to the source's date and the dates it mentions;
- ``focus``: the other direction: the share of the article's own most mentioned names that the
  source knows, 0 when its main actor is a stranger. A piece on Japan's tariff talks names
  Bessent and Trump too, but its Akazawa, Tokyo and Ishiba are not the source's story. Focus
  only ever takes away: an article that names nobody foreign is judged on its content. Names
  are not the only sign of a story, though: when the article's subject matter (``topic``)
  is the story's, its unknown names are actors in it (the carmakers hoping the talks bring
  tariff relief), so the focus is at least ``topic / TOPIC_FULL``. Another country's story
  (focus 0) gets no such relief: Japan's talks are on the very same subject;
- ``topic``: the cosine similarity of the two term vectors without the names in either (the
  people, places and countries), the words that say what the article is about. Below
  TOPIC_GATE the score shrinks in proportion: an article that shares the source's names but
  not its subject (the acting president's condolences on a pope's death) is not coverage.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache

from crawler.textutil import (
    CAPITALS,
    COUNTRIES,
    COUNTRY_WORDS,
    bigrams,
    name_key,
    name_phrases,
    normalise,
    phrase_key,
    rarity,
    stem,
    terms,
)

KIND_WEIGHT = {"person": 1.6, "organisation": 1.2, "place": 0.5, "other": 0.6}
WEIGHTS = {"terms": 0.6, "entities": 0.25, "date": 0.15}
# What is left of the content score when the focus is 0.
FOCUS_FLOOR = 0.4
# The article-side names that count for ``focus``: its most mentioned ones.
FOCUS_NAMES = 6
# Cosine similarity at which the terms component saturates at 1.0.
COSINE_FULL = 0.5
# Weight of the story feedback vector relative to the source's own vector.
FEEDBACK_WEIGHT = 1.0
DATE_SCALE_DAYS = 10.0
# Topic similarity below which the score shrinks in proportion (see the module docstring).
TOPIC_GATE = 0.06
# Topic similarity at which unknown names no longer count against the focus.
TOPIC_FULL = 0.15


def term_vector(text: str) -> dict[str, float]:
    """Unit-length vector of sublinear term frequency times rarity, words and word pairs."""
    counts: Counter[str] = Counter()
    for line in text.split("\n"):
        tokens = terms(line)
        counts.update(tokens)
        counts.update(bigrams(tokens))
    vector = {t: (1 + math.log(c)) * rarity(t) for t, c in counts.items()}
    return normalised(vector)


def normalised(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {k: v / norm for k, v in vector.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def feedback_vector(vectors: list[dict[str, float]], limit: int = 300) -> dict[str, float]:
    """Centroid of confidently linked articles' vectors: the story's vocabulary."""
    if not vectors:
        return {}
    centroid: Counter[str] = Counter()
    for vector in vectors:
        for k, v in vector.items():
            centroid[k] += v / len(vectors)
    return normalised(dict(centroid.most_common(limit)))


@dataclass(frozen=True)
class Profile:
    """What a source piece is about, ready for matching."""

    source_id: int
    terms: dict[str, float]
    entities: list[tuple[str, tuple[str, ...], float]]  # (name, match keys, weight)
    dates: tuple[date, ...]
    published: date | None
    vector: dict[str, float] = field(default_factory=dict)
    feedback: dict[str, float] = field(default_factory=dict)
    # Site-search queries: the source's main people and its strongest phrases.
    queries: tuple[str, ...] = ()
    # Name keys of the places it names: the story's setting, not its subject.
    places: frozenset[str] = frozenset()
    # The countries it writes about: named (or their people) at least twice.
    home: frozenset[str] = frozenset()
    # The terms of its headline: what its event is called ("2+2", "tariff", "talk").
    headline: frozenset[str] = frozenset()
    # Every word of the people it names: who is in its story, not what happens in it.
    people_words: frozenset[str] = frozenset()

    @cached_property
    def entity_keys(self) -> frozenset[str]:
        return frozenset(k for _, keys, _ in self.entities for k in keys)

    @cached_property
    def entity_words(self) -> frozenset[str]:
        return frozenset(w for w in self.name_words if len(w) > 3)

    @cached_property
    def setting_keys(self) -> tuple[frozenset[str], frozenset[str]]:
        """The keys of its places and of every country, and their words (see ``setting``)."""
        places = self.places | COUNTRIES
        return places, frozenset(w for p in places for w in p.split())

    @cached_property
    def known(self) -> frozenset[str]:
        """What ``entity_focus`` counts as the source's own: its names and key terms."""
        return self.entity_keys | self.terms.keys()

    @cached_property
    def name_words(self) -> frozenset[str]:
        """Every word of its names: what ``topic_similarity`` leaves out. ("Trade" in "Ministry
        of Trade" goes too: taking only the words a text never writes in lower case lets
        the trade-war background of the same weeks in, two more links to the bundled piece.)"""
        return frozenset(w for k in self.entity_keys for w in k.split())

    @cached_property
    def topic(self) -> TopicTerms:
        """The expanded vector without its names and countries (see ``topic_similarity``)."""
        return TopicTerms.of(self.expanded, self.name_words)

    @classmethod
    def from_source(cls, row: dict) -> Profile:
        """From a ``sources`` row (decoded), with its stored story feedback if any."""
        analysis = row["analysis"]
        ents = []
        places: set[str] = set()
        people: set[str] = set()
        for ent in analysis.get("entities", []):
            weight = KIND_WEIGHT.get(ent["kind"], 0.6) * (1 + math.log(ent["count"]))
            weight *= rarity(ent["variants"][0])
            # As written (to find in running text) and as named (to compare with names).
            keys = tuple(
                dict.fromkeys(
                    name_key(v, aliases) for aliases in (False, True) for v in ent["variants"]
                )
            )
            ents.append((ent["name"], keys, weight))
            if ent["kind"] == "person":
                people.update(w for k in keys for w in k.split())
            if ent["kind"] == "place":
                places.update(keys)
        days = [
            date.fromisoformat(v) for v in analysis.get("event_dates", []) if not v.startswith("--")
        ]
        published = analysis.get("published")
        pub = date.fromisoformat(published[:10]) if published else None
        if pub:
            days.append(pub)
        return cls(
            source_id=row["id"],
            terms={t: float(w) for t, w in analysis.get("terms", [])},
            entities=ents,
            dates=tuple(sorted(set(days))),
            published=pub,
            vector=term_vector(f"{row.get('title') or ''}\n{row.get('text') or ''}"),
            feedback=row.get("feedback") or {},
            queries=search_queries(analysis),
            places=frozenset(places),
            home=home_countries(f"{row.get('title') or ''}\n{row.get('text') or ''}"),
            headline=frozenset(terms(normalise(row.get("title") or ""))),
            people_words=frozenset(people),
        )

    def with_feedback(self, feedback: dict[str, float]) -> Profile:
        return replace(self, feedback=feedback)

    @cached_property
    def expanded(self) -> dict[str, float]:
        """The source's vector plus the story feedback (weighted), normalised."""
        if not self.feedback:
            return self.vector
        keys = self.vector.keys() | self.feedback.keys()
        return normalised(
            {k: self.vector.get(k, 0.0) + FEEDBACK_WEIGHT * self.feedback.get(k, 0.0) for k in keys}
        )


QUERY_MIN_RARITY = 0.55


# Below this many words a source is short: a country it names once is one it writes about.
SHORT_SOURCE_WORDS = 300


def home_countries(text: str, least: int | None = None) -> frozenset[str]:
    """Country keys the text mentions ``least`` times or more (twice; once in a short text),
    by name ("South Korea", "U.S."), by its people ("South Korean", "American", "Chinese")
    or by its capital ("Seoul", "Washington")."""
    if least is None:
        least = 1 if len(text.split()) < SHORT_SOURCE_WORDS else 2
    # A capital named is where something happened as often as who acted ("a summit in
    # Tokyo"): it makes no country the source's own.
    counts = Counter(
        c
        for name in name_phrases(text)
        if name_key(name) not in CAPITALS and (c := country_of(name))
    )
    return frozenset(c for c, n in counts.items() if n >= least)


def country_of(name: str) -> str | None:
    """The country key a name or demonym stands for, if any: the name itself, or a country
    that shares all but the last word and the last word's first four letters ("South Korean"
    -> "south korea", "Chinese" -> "china"), or, for "-an" forms, the alias ("American")."""
    key = name_key(name)
    if key in COUNTRIES:
        return key
    if key in CAPITALS:  # "Seoul said", "Washington called": the government, the country
        return CAPITALS[key]
    trimmed = name_key(name[:-1]) if name.endswith("n") else ""
    if trimmed in COUNTRIES:
        return trimmed
    words = key.split()
    if not words or len(words[-1]) < 5:
        return None
    for country in COUNTRIES:
        parts = country.split()
        if parts[:-1] == words[:-1] and parts[-1][:4] == words[-1][:4]:
            return country
    return None


@lru_cache(maxsize=50_000)
def is_country_word(word: str) -> bool:
    """A word of a country's name or a demonym: "korea", "chinese", "american"."""
    return word in COUNTRY_WORDS or country_of(word) is not None


def names_in(term: str, name_words: frozenset[str]) -> bool:
    """Whether a term (a word or a word pair) has a word of a name or a country in it."""
    return any(w.replace("-", "") in name_words or is_country_word(w) for w in term.split())


def search_queries(analysis: dict, people: int = 3, phrases: int = 3) -> tuple[str, ...]:
    """The source's main people, then its strongest phrases that name nobody.

    People rank by mentions and by how rare their name is: a site search for "Donald Trump"
    returns the whole news of the day, one for "Han Duck-soo" his. After the first two, only
    people named at least twice.
    """
    persons = [e for e in analysis.get("entities", []) if e["kind"] == "person"]
    persons.sort(key=lambda e: -(1 + math.log(e["count"])) * rarity(e["name"]))
    names = [e["name"] for i, e in enumerate(persons[:people]) if i < 2 or e["count"] >= 2]
    name_words = {w.lower() for e in persons for w in e["name"].split()}
    # A phrase worth a search: two words, nobody's name, not a country (every page of the site
    # says "South Korea"), and not common ("korea trade").
    found = [
        t
        for t, _ in analysis.get("terms", [])
        if " " in t
        and not set(t.split()) & name_words
        and not any(f" {c} " in f" {t} " for c in COUNTRIES)
        and rarity(t) >= QUERY_MIN_RARITY
    ]
    return tuple(names + found[:phrases])


@dataclass(frozen=True)
class TopicTerms:
    """A term vector without the terms that name someone or a country, indexed by word so
    that the other side's names can be taken out quickly."""

    weights: dict[str, float]
    norm2: float
    # word (without hyphens) -> the terms that have it
    index: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, vector: dict[str, float], name_words: frozenset[str]) -> TopicTerms:
        weights = {k: v for k, v in vector.items() if not names_in(k, name_words)}
        index: dict[str, list[str]] = {}
        for key in weights:
            for word in set(key.replace("-", "").split()):
                index.setdefault(word, []).append(key)
        return cls(
            weights,
            sum(v * v for v in weights.values()),
            {w: tuple(keys) for w, keys in index.items()},
        )

    def without(self, words: frozenset[str]) -> tuple[set[str], float]:
        """The terms that have one of ``words``, and the squared norm left without them."""
        dropped = {k for w in words for k in self.index.get(w, ())}
        return dropped, self.norm2 - sum(self.weights[k] ** 2 for k in dropped)


@dataclass(frozen=True)
class TextFeatures:
    """What scoring reads from an article's text, computed once per text (in an extraction
    worker when there is one) and shared by every source, the pipeline and the rescoring."""

    vector: dict[str, float]
    keyed: str
    # The text's name keys and their counts, most mentioned first.
    names: tuple[tuple[str, int], ...]
    name_words: frozenset[str]
    # The vector without its own names and countries.
    topic: TopicTerms


def text_features(title: str | None, text: str | None) -> TextFeatures:
    # Titles and bodies are stored as published (curly quotes, dashes); names and terms are
    # matched in the folded form.
    body = normalise(f"{title or ''}\n{text or ''}")
    counts = Counter(k for k in (name_key(n) for n in name_phrases(body)) if k)
    vector = term_vector(body)
    words = frozenset(w for k in counts for w in k.split())
    return TextFeatures(
        vector, _keyed(body), tuple(counts.most_common()), words, TopicTerms.of(vector, words)
    )


def entity_focus(profile: Profile, names: tuple[tuple[str, int], ...]) -> tuple[float, list[str]]:
    """Share of the text's most mentioned names the source knows (0.5 when it names none).

    Known: the source's names (or a word of one: "Choi") and its key terms ("2+2"). When
    one of them is a country the source does not name, the focus is 0.
    """
    top = names[:FOCUS_NAMES]
    total = sum(c for _, c in top)
    if not total:
        return 0.5, []
    known = profile.known
    words = profile.entity_words
    home = profile.home
    # A country (or its capital: "Seoul said") the source writes about is its own.
    foreign = [
        k
        for k, _ in top
        if not (k in known or any(w in words for w in k.split()) or CAPITALS.get(k) in home)
    ]
    if any(
        (k in COUNTRIES and k not in home) or (n > 1 and k in CAPITALS and CAPITALS[k] not in home)
        for k, n in top
    ):
        # A country (or its capital, named more than once) among its main names that the
        # source does not write about (never names, or names once in passing): another
        # country's story (Japan's tariff talks name Bessent and Trump too, but mostly Japan
        # and Tokyo).
        return 0.0, foreign
    return 1 - sum(c for k, c in top if k in foreign) / total, foreign


def topic_similarity(profile: Profile, features: TextFeatures) -> float | None:
    """Cosine similarity of the story's and the article's terms that name nobody (no word of
    a name on either side, no country): what the two are about, not who is in them. None
    when either side has no such term (a headline of names only): no evidence either way."""
    story, article = profile.topic, features.topic
    # The story's terms with a word the article names are gone from the article's side
    # already; the article's terms with a word the story names go now.
    _, story_norm2 = story.without(features.name_words)
    dropped, article_norm2 = article.without(profile.name_words)
    dot = sum(v * story.weights.get(k, 0.0) for k, v in article.weights.items() if k not in dropped)
    if story_norm2 < 1e-9 or article_norm2 < 1e-9:
        return None
    return min(1.0, dot / math.sqrt(story_norm2 * article_norm2))


def _keyed(text: str) -> str:
    """Text in the form entity keys are matched in: ``name_key`` word by word."""
    return f" {' '.join(stem(w) for w in phrase_key(text).split())} "


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


# What a match on a place counts for in the quick score: where the story happens (every
# Korean outlet's every headline says "Korea" or "Seoul") says little about what it is about.
SETTING_WEIGHT = 0.3


def setting(profile: Profile, keys) -> float:
    """SETTING_WEIGHT for a place (one the source names, or a country, or words of one:
    "korea"), else 1."""
    places, words = profile.setting_keys
    for key in keys:
        key = name_key(key, aliases=False)
        if key in places or (key and all(w in words for w in key.split())):
            return SETTING_WEIGHT
    return 1.0


def quick_score(profile: Profile, title: str | None, description: str | None, keywords) -> dict:
    """Score on what discovery knows; only the share of the source's strongest signals counts."""
    text = " ".join([title or "", description or "", " ".join(keywords or [])])
    tokens = terms(text)
    bag = set(tokens) | set(bigrams(tokens))
    keyed = _keyed(text)
    top = sorted(profile.terms.values(), reverse=True)[:15]
    matched_terms = [t for t in profile.terms if t in bag]
    matched_ents = [n for n, keys, _ in profile.entities if any(f" {k} " in keyed for k in keys)]
    gained = sum(profile.terms[t] * setting(profile, [t]) for t in matched_terms) + sum(
        w * setting(profile, keys) for n, keys, w in profile.entities if n in matched_ents
    )
    # Only the story's strongest words (the centroid also holds generic ones: "april").
    story = [
        t
        for t in bag
        if profile.feedback.get(t, 0.0) >= 0.1 and t not in profile.terms and rarity(t) >= 0.5
    ]
    gained += sum(profile.feedback[t] for t in story) * sum(top) / 3
    score = min(1.0, gained / (sum(top) or 1.0))
    return {"score": round(score, 4), "terms": matched_terms + story, "entities": matched_ents}


def full_score(
    profile: Profile,
    title: str | None,
    text: str | None,
    published: str | None,
    features: TextFeatures | None = None,
) -> dict:
    """The 0..1 score of an extracted article, with what matched; ``features`` are
    ``text_features(title, text)`` when the caller has them already."""
    features = features or text_features(title, text)
    vector = features.vector
    expanded = profile.expanded
    similarity = cosine(expanded, vector)
    e_score, e_matched = entity_overlap(profile, features.keyed)
    f_score, foreign = entity_focus(profile, features.names)
    d_score, distance = date_proximity(profile, published)
    topic = topic_similarity(profile, features)
    if topic is not None and foreign and f_score > 0:
        f_score = max(f_score, min(1.0, topic / TOPIC_FULL))
    components = {
        "terms": min(1.0, similarity / COSINE_FULL),
        "entities": e_score,
        "focus": f_score,
        "date": d_score,
        "topic": topic,
    }
    content = sum(WEIGHTS[k] * components[k] for k in WEIGHTS)
    gate = 1.0 if topic is None else min(1.0, topic / TOPIC_GATE)
    score = content * (FOCUS_FLOOR + (1 - FOCUS_FLOOR) * f_score) * gate
    shared = sorted((k for k in vector if k in expanded), key=lambda k: -vector[k] * expanded[k])[
        :15
    ]
    return {
        "score": round(score, 4),
        "components": {k: v if v is None else round(v, 4) for k, v in components.items()},
        "terms": shared,
        "entities": e_matched,
        "foreign_names": foreign,
        "date_distance_days": distance,
        "feedback": bool(profile.feedback),
    }


def scoring_text(description: str | None, keywords, text: str | None) -> str:
    """What an article is scored on besides its title: teaser, keywords and body.

    Blocked pages have no body and paywalled ones only a preview; their teaser and keywords
    from discovery still say what they are about.
    """
    if isinstance(keywords, str):
        keywords = json.loads(keywords or "[]")
    return "\n".join(part for part in (description, ", ".join(keywords or []), text) if part)

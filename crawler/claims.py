"""Attributed claims: link each statement a source credits to an outlet to the passage behind it.

Pure functions, no Scrapy and no database: ``claims_of`` reads the claims out of a source's
text (``crawler.source.cited_outlets`` finds the attributions), ``check_claim`` finds the best
supporting passage among the cited outlet's articles and gives the claim one status:

- ``supported``: a passage of a readable article says it;
- ``headline-only``: only the headline (a 401 page) or the paywall preview of a page matches;
- ``contradicted``: the best passage on the same subject gives other numbers or dates;
- ``not-found``: nothing at that outlet says it (or the outlet is not one newsagg crawls).

The support score is transparent: the share of the claim's content that the passage repeats,
each word weighted by its rarity in English (``textutil.rarity``: "Alaska" counts more than
"plan") times its rarity among the stored articles (the story's own words, "tariff" and
"talks", tell passages apart less than the claim's particulars). What the claim is:

- the part credited to the outlet: the attribution ("As reported by X,") and the source's
  closing comment ("..., an outcome that has tempered expectations in Seoul") are left out;
- words compared on their Snowball stems ("firings" and "test-fires"), a few synonym groups
  ("cars" and "automobiles") and a country's adjective ("Japanese" and Japan);
- every number and date of the claim counts as rare words that match only an agreeing number,
  and a quotation as more;
- names must agree: each name the claim gives is in the article in full and referred to in
  the passage or headline, if only by a part (the surname, the adjective, the capital).

A 401 page is its headline, a paywalled one its headline, subhead and preview: a headline
must also be said by the claim (the share of the headline's weight the claim repeats; its
words on the source's own subject, from the source's title and standfirst, count neither
way). Of two passages about as good, the one published closer to the source wins.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import snowballstemmer

from crawler.source import cited_outlets, entity_kind, spaced
from crawler.storydates import MONTH_PATTERN, MONTHS
from crawler.textutil import (
    CAPITALS,
    COUNTRIES,
    STOPWORDS,
    name_key,
    name_phrases,
    phrase_key,
    rarity,
    sentences,
    stem,
    terms,
    words,
)

# The best passage's support must reach this to count as saying the claim. On the replica's
# four stories (bench/claims.py), the labelled passages score 0.26-1.0 and the best passages
# of articles weeks away from the claim's events (the off-story check) up to 0.37: a source
# paraphrases, so even a faithful claim shares only some of its words with the original.
SUPPORTED_MIN = 0.3
# A headline is a few words: its score is the lesser of the share of the claim it says and
# the share of it the claim says.
HEADLINE_MIN = 0.3
# A passage or headline must have at least this many of the claim's words, numbers and
# quotations: one word in common ("partnership") is a coincidence, however rare the word.
MIN_SHARED = 2
# A passage "on the same subject" whose numbers differ: the support without the numbers must
# reach this before different numbers are a contradiction rather than another story.
CONTRADICTION_MIN = 0.4
# Articles published up to this long after the source still count (a live page updated later),
# and from this long before it: a source credits recent reporting ("as Reuters recently
# reported"); older pages on the same people are other stories (Ishiba's June congratulations
# are no evidence for an August summit).
DAYS_AFTER_SOURCE = 1
DAYS_BEFORE_SOURCE = 30
# Weights are counted in units of the claim's rarest word (its heaviest), so that they do not
# depend on how many articles are stored. One number of the claim weighs as much as two such
# words (numbers are what a claim must get right); a date a quarter of that, since a source
# frames a claim with its own days ("how much can be achieved on April 24").
NUMBER_WEIGHT = 2.0
DATE_WEIGHT = 0.5
# The weight a passage must repeat to say a whole claim. A source wraps what it credits in its
# own words, so a long claim is not expected to be repeated whole: its support is measured
# against at most this many units (five rare words) and is at most 1.
SCORE_SCALE = 5.0
# A quotation the claim repeats ("open the door") weighs as much as two of its rarest words:
# quoted words are the publisher's own, the surest trace of where a claim comes from.
QUOTE_WEIGHT = 2.0
# A source credits recent reporting: of two passages, the one published closer to the source
# wins unless the other says the claim better by this share of its score per 30 days.
RECENCY = 0.1 / 30
# Passages are one sentence or two in a row (a claim often spans a lead and its follow-up).
WINDOW = 2


@dataclass(frozen=True)
class Quantity:
    """A number with what it counts: ``kind`` is pct, date, a currency, or the next word."""

    kind: str
    value: float
    # Half the last written digit, scaled: "49.4 percent" agrees with 49.42, not with 49.6.
    tolerance: float

    def agrees(self, other: Quantity) -> bool:
        # The epsilon keeps a written half ("41.15" for "41.2") on the agreeing side of float.
        slack = self.tolerance + 1e-9 * max(1.0, abs(self.value))
        return self.kind == other.kind and abs(self.value - other.value) <= slack


@dataclass
class Evidence:
    status: str
    score: float = 0.0
    article_id: str | None = None
    url: str | None = None
    passage: str | None = None
    details: dict = field(default_factory=dict)


# --- numbers and dates ----------------------------------------------------------------------

_DATE = re.compile(
    rf"\b(?:(?P<m1>{MONTH_PATTERN})\.? (?P<d1>\d{{1,2}})|(?P<d2>\d{{1,2}}) (?P<m2>{MONTH_PATTERN}))\b(?!,\d)",
    re.IGNORECASE,
)
_SCALES = {"trillion": 1e12, "tn": 1e12, "billion": 1e9, "bn": 1e9, "million": 1e6, "mn": 1e6}
_NUMBER = re.compile(
    r"(?<![\w+.$/-])(?P<cur>US\$|\$|€|£|¥)?(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?![\w+]|\.\d)(?:\s?(?P<scale>trillion|billion|million|bn|mn|tn)\b)?"
    r"(?:\s?(?P<unit>%|percent\b|per cent\b|pct\b|percentage points?\b|won\b|dollars\b|"
    r"yen\b|yuan\b|euros?\b)|\s(?P<noun>[A-Za-z][a-z-]+))?",
    re.IGNORECASE,
)
_UNIT_KIND = {
    "%": "pct",
    "percent": "pct",
    "per cent": "pct",
    "pct": "pct",
    "percentage point": "points",
    "percentage points": "points",
    "dollars": "usd",
    "won": "won",
    "yen": "jpy",
    "yuan": "cny",
    "euro": "eur",
    "euros": "eur",
}
_CURRENCY_KIND = {"$": "usd", "us$": "usd", "€": "eur", "£": "gbp", "¥": "jpy"}


def quantities(text: str) -> list[Quantity]:
    """The numbers and dates a text states: "25 percent" = "25%", "$44 billion" = "44 billion
    dollars", "April 24" = "24 April". Years, ordinals and numbers inside names ("2+2",
    "G20") are left out: they do not state an amount."""
    found: list[Quantity] = []
    for match in _DATE.finditer(text):
        month = MONTHS[(match["m1"] or match["m2"]).lower().rstrip(".")]
        found.append(Quantity("date", month * 100 + int(match["d1"] or match["d2"]), 0.0))
    undated = _DATE.sub(" ", text)
    for match in _NUMBER.finditer(undated):
        raw = match["num"].replace(",", "")
        value = float(raw)
        decimals = len(raw.partition(".")[2])
        scale = _SCALES.get((match["scale"] or "").lower(), 1.0)
        unit = (match["unit"] or "").lower()
        if match["cur"]:
            kind = _CURRENCY_KIND[match["cur"].lower()]
        elif unit:
            kind = _UNIT_KIND.get(unit, unit)
        elif match["noun"] and not (1900 <= value <= 2100 and not decimals):
            kind = _noun_kind(match["noun"])
        else:
            continue
        if kind is None:
            continue
        found.append(Quantity(kind, value * scale, 0.5 * 10.0**-decimals * scale))
    return found


# Words after a number that say what it counts only loosely: "5 years", "3 times".
_VAGUE_NOUNS = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "the",
        "years",
        "year",
        "months",
        "month",
        "days",
        "day",
        "weeks",
        "week",
        "hours",
        "times",
        "time",
        "more",
        "less",
        "than",
        "per",
    ]
)


def _noun_kind(noun: str) -> str | None:
    word = noun.lower()
    if word in _VAGUE_NOUNS:
        return None
    stems = terms(word)
    return f"n:{stems[0]}" if stems else None


# --- words ----------------------------------------------------------------------------------


# Words are compared on their Snowball (Porter 2) stems: "negotiators" and "negotiations",
# "firings" and "fires", "sectors" and "sectoral" are one word here.
_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=100_000)
def word_key(term: str) -> str:
    """The match key of a term (``textutil.terms`` form): its stem, or its synonym group's."""
    key = _STEMMER.stemWord(term)
    return SYNONYMS.get(key, key)


# Words news copy uses for one another; a source paraphrases ("cars" for "automobiles").
_SYNONYM_GROUPS = (
    "car auto automobile automaker carmaker vehicle",
    "chip semiconductor chipmaker",
    "deal agreement agree pact accord",
    "tariff levy duty",
    "buy purchase",
    "vote ballot",
    "talk negotiation negotiate negotiator",
    "prepare ready",
    "propose suggest initiate",
    # Liquefied natural gas.
    "gas lng",
    # A country and its adjective, also in lower case (a headline made from a URL's slug:
    # "South korean stocks"); a capitalised "Alaskan" loses its "n" (see word_keys).
    "japan japanese",
    "china chinese",
    "korea korean",
    "russia russian",
    "america american",
)
SYNONYMS = {
    _STEMMER.stemWord(word): _STEMMER.stemWord(group.split()[0])
    for group in _SYNONYM_GROUPS
    for word in group.split()
}


def word_keys(text: str) -> dict[str, float]:
    """Content words of a text, each as its match key with its rarity (of the word as
    written: "series" is common, its stem "seri" is not a word)."""
    out: dict[str, float] = {}
    for raw in words(text):
        # "cost-sharing" is "cost" and "sharing": a paraphrase splits compounds ("test-fires",
        # "fired"); a name counts once for each of its parts ("Moon-soo").
        for written in raw.replace("’", "'").split("-"):
            part = written.lower()
            term = stem(part)
            if term in STOPWORDS or len(term) < 2 or term.isdigit():
                continue
            # A place's adjective is the place: "Alaskan" gas is Alaska's, "Korean" Korea's.
            if written[:1].isupper() and term.endswith("an") and len(term) > 5:
                term = term[:-1]
            key = word_key(term)
            out[key] = max(out.get(key, 0.0), rarity(part.removesuffix("'s")))
    return out


_QUOTED = re.compile(r"[\"“]([^\"“”]{3,120})[\"”]|(?<![A-Za-z])'([^']{3,80})'(?![A-Za-z])")


def quotations(text: str) -> list[str]:
    """Quoted phrases of two words or more, in comparable form."""
    found = (m.group(1) or m.group(2) for m in _QUOTED.finditer(text))
    return [key for q in found if len((key := phrase_key(q)).split()) >= 2]


def claim_names(text: str, cited: str) -> set[str]:
    """The names a claim gives (people, organisations, places: "Korean" or "American" say
    too little), less the outlet it credits, as ``name_key``s."""
    outlet = phrase_key(cited).removeprefix("the ")
    out = {_DEMONYMS[w.lower()] for w in re.findall(r"[A-Z][a-z]+", text) if w.lower() in _DEMONYMS}
    for phrase in name_phrases(text):
        key = name_key(phrase)
        if not key or key in outlet or key in _DEMONYMS:
            continue
        kind = entity_kind(phrase)
        if kind in ("person", "organisation") or key in COUNTRIES:
            out.add(key)
    return out


# A country named by its adjective is still the country: "Japanese negotiators" are Japan's.
_DEMONYMS = {
    "korean": "korea",
    "japanese": "japan",
    "chinese": "china",
    "american": "united state",
    "russian": "russia",
}


def names_found(text: str) -> set[str]:
    """The names a text gives, as ``name_key``s; a capital stands for its country
    ("Washington" for the United States, as in "Washington said")."""
    found = {name_key(p) for p in name_phrases(text)}
    # A place opening a sentence or a headline ("Tokyo watches as ...") is no name phrase
    # there, but it is the place: looked up, a capitalised word is enough.
    found |= {name_key(w) for w in re.findall(r"\b[A-Z][a-z]{2,}\b", text)}
    found |= {CAPITALS[k] for k in found if k in CAPITALS}
    # "Korea" is found in "South Korea".
    found |= {k.split(" ", 1)[1] for k in found if k.startswith(("south ", "north "))}
    return found


def _named(name: str, found: set[str]) -> bool:
    return name in found or CAPITALS.get(name) in found


def _names_in_passage(
    names: dict[str, set[str]], in_article: set[str], passage: str, keys: dict[str, float]
) -> set[str]:
    """The claim's names (``name_key`` -> its word keys) that the article gives in full and
    the passage refers to, by a part ("Kim" for "Kim Moon-soo", "Japanese" for Japan) or
    by its capital."""
    out = set()
    for name, parts in names.items():
        if name in in_article and (parts & keys.keys() or _named(name, names_found(passage))):
            out.add(name)
    return out


# --- claims ---------------------------------------------------------------------------------


def claims_of(text: str, title: str | None = None) -> list[dict]:
    """The attributed claims of a source text, in order: the claim as written, what it says
    without its attribution (``content``), the outlet's slug (or None) and name, and the
    source's subject that the claim takes for granted (``context``: its title and the first
    two sentences of its text)."""
    lead = sentences(text.strip().split("\n\n")[0])[:2]
    context = " ".join([title or "", *lead]).strip()
    out = []
    for position, found in enumerate(cited_outlets(spaced(text)), start=1):
        claim = found.get("claim") or found["sentence"]
        content = claim.replace(found.get("cited_as") or found["name"], " ", 1)
        content = re.sub(r"^[\s,;:]*(?:that\s+)?", "", content)
        content, framing = _without_framing(content)
        out.append(
            {
                "position": position,
                "claim": claim,
                "content": content,
                "outlet": found["outlet"],
                "cited_as": found["name"],
                "context": context,
                "framing": framing,
            }
        )
    return out


# The source's own comment closing a sentence it credits: an appositive that sums up what
# the outlet said and goes on with the source's words ("..., an outcome that has tempered
# expectations in Seoul", "..., a move that ...", "..., a sign that ...").
_FRAMING = re.compile(r",\s+(?:an?|the)\s+[a-z]+\s+(?:that|which)\s+[^,;]+[.!?]?\s*$")
# The credited part must keep at least this many content words for the comment to go.
FRAMING_MIN_WORDS = 5


def _without_framing(content: str) -> tuple[str, str | None]:
    """The claim without the source's closing comment (``_FRAMING``), and the comment."""
    match = _FRAMING.search(content)
    if not match or len(terms(content[: match.start()])) < FRAMING_MIN_WORDS:
        return content, None
    return content[: match.start()] + ".", match.group(0).strip(" ,")


def eligible(articles: list[dict], outlet: str | None, source_day: str | None) -> list[dict]:
    """The cited outlet's stored articles published in the month before the source, or up to
    a day after it (see ``DAYS_BEFORE_SOURCE``)."""
    if outlet is None:
        return []
    earliest, latest = "", "9999"
    if source_day:
        day = date.fromisoformat(source_day[:10])
        earliest = (day - timedelta(days=DAYS_BEFORE_SOURCE)).isoformat()
        latest = (day + timedelta(days=DAYS_AFTER_SOURCE)).isoformat()
    return [
        a
        for a in articles
        if a.get("outlet") == outlet
        and (not a.get("published") or earliest <= a["published"][:10] <= latest)
    ]


def check_claim(
    claim: dict,
    articles: list[dict],
    corpus: list[dict] | None = None,
    source_day: str | None = None,
) -> Evidence:
    """The best passage for one claim among its outlet's articles (see ``eligible``); words
    are weighed by their document frequency in ``corpus`` (default: the articles), and of
    two passages that say the claim about as well, the one published closer to the source's
    day (``source_day``) wins."""
    ranked = rank_passages(claim, articles, corpus, source_day)
    if not ranked:
        return Evidence(status="not-found")
    return _decided(ranked[0])


def rank_passages(
    claim: dict,
    articles: list[dict],
    corpus: list[dict] | None = None,
    source_day: str | None = None,
) -> list[Evidence]:
    """Every passage of these articles as evidence for the claim, best first (status unset):
    ranked on the score (less ``RECENCY`` for each day between the article and the source),
    then on the weight repeated, since two passages that both say the whole claim (score 1)
    are told apart by how much of it they say."""
    content = claim["content"]
    words = word_keys(content)
    numbers = quantities(content)
    quotes = quotations(content)
    names = claim_names(content, claim.get("cited_as") or "")
    weight = _weigher(articles if corpus is None else corpus)
    # What the source has already said about its subject (its headline and standfirst): a
    # claim does not repeat it ("Kim watched the firings" is about the source's destroyer).
    context = word_keys(claim.get("context") or "")
    claim_weights = {k: r * weight(k) for k, r in words.items()}
    words_total = sum(claim_weights.values())
    unit = max(claim_weights.values(), default=1.0) or 1.0
    total = words_total + unit * (_number_weight(numbers) + QUOTE_WEIGHT * len(quotes))
    ranked: list[tuple[tuple[float, float], int, Evidence]] = []
    # The names must agree: each name the claim gives ("Kim Moon-soo", Japan) must be in
    # the article in full and referred to in the passage or the headline, if only by a part
    # (an article goes on with the surname: "Kim received 41.15 percent"); its words then
    # count as said by the passage.
    name_parts = {n: set(word_keys(n)) & words.keys() for n in names}
    for article in articles:
        nearness = 1.0 - RECENCY * _days_apart(article.get("published"), source_day)
        found = names_found("\n".join(article.get(f) or "" for f in RECORD_FIELDS))
        in_article = {n for n in names if _named(n, found)}
        title = article.get("title") or ""
        for passage, headline in _passages(article):
            keys = word_keys(passage) | _months_meant(passage, article.get("published"))
            if article.get("text"):
                agreed = _names_in_passage(name_parts, in_article, f"{title}\n{passage}", keys)
                name_share = len(agreed) / len(names) if names else 1.0
            else:
                # A 401 page is a headline: too few words to judge its names by.
                agreed, name_share = set(names), 1.0
            shared = words.keys() & keys.keys()
            shared |= {k for n in agreed for k in name_parts[n]}
            lexical = sum(claim_weights[k] for k in shared) / words_total if words_total else 0.0
            agree, differ = _number_agreement(numbers, quantities(passage))
            plain = f" {phrase_key(passage)} "
            quoted = [q for q in quotes if f" {q} " in plain]
            matched = lexical * words_total
            matched += unit * (_number_weight(agree) + QUOTE_WEIGHT * len(quoted))
            # The share of the claim the passage says; a source wraps what it credits in its
            # own words, so the claim's weight counts up to ``SCORE_SCALE`` units.
            said_share = matched / min(total, unit * SCORE_SCALE) if total else 0.0
            headline_said = None
            if headline:
                # A headline cannot hold a whole claim, nor be evidence for one it is not
                # about: it must also be said by the claim (the share of its weight the
                # claim repeats). Its words on the source's own subject, which the claim
                # leaves to its context, count neither way.
                said = {
                    k: r * weight(k) for k, r in keys.items() if k in shared or k not in context
                }
                repeated = sum(said.get(k, 0.0) for k in shared)
                headline_said = repeated / sum(said.values()) if said else 0.0
                said_share = min(said_share, headline_said)
            if len(shared) + len(agree) + len(quoted) < MIN_SHARED:
                said_share = 0.0
            said_share *= name_share
            # Ranked on the share said before it is capped at 1: of two passages that both
            # say the whole claim, the one that says more of it wins.
            score = min(1.0, said_share)
            evidence = Evidence(
                status="",
                score=round(score, 3),
                article_id=article.get("id"),
                url=article.get("canonical_url"),
                passage=passage,
                details={
                    "access": article.get("access"),
                    "headline": headline,
                    "headline_said": None if headline_said is None else round(headline_said, 3),
                    "shared": sorted(shared),
                    "words": round(lexical, 3),
                    "quotes": quoted,
                    "numbers_agree": [_show(q) for q in agree],
                    "numbers_differ": [_show(q) for q in differ],
                    "names_agree": round(name_share, 3),
                },
            )
            ranked.append(((said_share * nearness, matched * name_share), len(ranked), evidence))
    # Ties keep the first passage found (the sort is on the rank, then on the order).
    ranked.sort(key=lambda r: (-r[0][0], -r[0][1], r[1]))
    return [evidence for _, _, evidence in ranked]


def _number_weight(numbers: list[Quantity]) -> float:
    return sum(DATE_WEIGHT if q.kind == "date" else NUMBER_WEIGHT for q in numbers)


# What newsagg stores of an article: its headline, its description (a paywall's subhead) and
# the text it could read.
RECORD_FIELDS = ("title", "description", "text")


def _weigher(articles: list[dict]):
    """A word's weight among these articles: its rarity in English (``textutil.rarity``,
    applied by the caller) times how few of the articles use it, so that the story's own
    words ("tariff", "talks"), which every candidate shares, tell the articles apart less
    than the claim's particulars."""
    docs = [set(word_keys(" ".join(a.get(f) or "" for f in RECORD_FIELDS))) for a in articles]
    count = len(docs)

    def weight(key: str) -> float:
        if count < 2:
            return 1.0
        df = sum(1 for d in docs if key in d)
        return math.log(1 + count / max(df, 1)) / math.log(1 + count)

    return weight


_RELATIVE_MONTH = re.compile(r"\b(last|this|next) month\b", re.IGNORECASE)
# Each month's full name ("july"), the longest of its spellings.
_MONTH_NAMES = [max((k for k, v in MONTHS.items() if v == m), key=len) for m in range(1, 13)]


def _months_meant(passage: str, published: str | None) -> dict[str, float]:
    """The months a passage names relative to its article's date, as words: "last month" in
    an article of August is July (a source writes "the deal struck at the end of July")."""
    if not published:
        return {}
    out: dict[str, float] = {}
    for match in _RELATIVE_MONTH.finditer(passage):
        shift = {"last": -1, "this": 0, "next": 1}[match.group(1).lower()]
        month = (int(published[5:7]) - 1 + shift) % 12
        out.update(word_keys(_MONTH_NAMES[month]))
    return out


def _days_apart(published: str | None, source_day: str | None) -> int:
    """Days between an article and its source (0 when either date is unknown), at most
    ``DAYS_BEFORE_SOURCE``."""
    if not published or not source_day:
        return 0
    apart = abs((date.fromisoformat(published[:10]) - date.fromisoformat(source_day[:10])).days)
    return min(apart, DAYS_BEFORE_SOURCE)


# A headline's label is no part of what it says: "Analysis: ...", "[Explainer] ...",
# "(LEAD) ...", and "analysis-..." in a URL's slug.
_KICKER = re.compile(
    r"^\s*(?:[\[(](?:news\s+)?(?:analysis|explainer|focus|lead|update|exclusive|interview|"
    r"factbox|news focus)[\])]|(?:analysis|explainer|factbox|exclusive|update \d+)\b:?)\s*",
    re.IGNORECASE,
)


def headline_text(title: str | None) -> str:
    """A headline without its label ("Analysis:", "[Explainer]", "(LEAD)")."""
    return _KICKER.sub("", title or "", count=1)


def _decided(evidence: Evidence) -> Evidence:
    details = evidence.details
    score, lexical = evidence.score, details["words"]
    readable = details["access"] == "full" and not details["headline"]
    if details["numbers_differ"] and lexical >= CONTRADICTION_MIN:
        evidence.status = "contradicted"
    elif not readable:
        evidence.status = "headline-only" if score >= HEADLINE_MIN else "not-found"
    else:
        evidence.status = "supported" if score >= SUPPORTED_MIN else "not-found"
    if evidence.status == "not-found":
        # The nearest passage stays in ``details`` for a reader; the claim has no source.
        details["nearest"] = {"url": evidence.url, "passage": evidence.passage}
        evidence.article_id = evidence.url = evidence.passage = None
    return evidence


def _passages(article: dict) -> list[tuple[str, bool]]:
    """(passage, is_headline) pairs: one or two sentences in a row of a read text; the
    headline (and the paywall's subhead) of a page newsagg could not read in full."""
    text = article.get("text") or ""
    out: list[tuple[str, bool]] = []
    if article.get("access") != "full" or not text:
        headline = " ".join(
            x for x in (headline_text(article.get("title")), article.get("description")) if x
        )
        if headline:
            out.append((headline, True))
    parts = sentences(text)
    for i in range(len(parts)):
        for size in range(1, WINDOW + 1):
            if i + size <= len(parts):
                out.append((" ".join(parts[i : i + size]), False))
    return out


def _overlap(claim: dict[str, float], passage: dict[str, float], headline: bool):
    """The rarity-weighted share of the claim's words the passage has; for a headline, the
    share of the headline's words the claim has (a headline cannot hold a whole claim)."""
    shared = claim.keys() & passage.keys()
    base = passage if headline else claim
    total = sum(base.values())
    return (sum(base[k] for k in shared) / total if total else 0.0), shared


def _number_agreement(claim: list[Quantity], passage: list[Quantity]):
    """The claim's numbers the passage repeats, and those it states otherwise: a claim's number
    that nothing agrees with, while the passage gives another of the same kind that agrees
    with none of the claim's ("25%" against "24%"). A passage that gives only some of the
    claim's numbers ("49.4 percent" of "49.4 ... against 41.2 percent") differs in none."""
    agree = [q for q in claim if any(q.agrees(p) for p in passage)]
    others = {p.kind for p in passage if not any(q.agrees(p) for q in claim)}
    differ = [q for q in claim if q not in agree and q.kind in others]
    return agree, differ


def _show(quantity: Quantity) -> str:
    if quantity.kind == "date":
        month, day = divmod(int(quantity.value), 100)
        return f"{month:02d}-{day:02d}"
    return f"{quantity.value:g} {quantity.kind}"


def check_source(source: dict, articles: list[dict]) -> list[dict]:
    """Every attributed claim of a source row with its evidence: rows for the claims table."""
    rows = []
    day = source.get("published")
    for claim in claims_of(source.get("text") or "", source.get("title")):
        evidence = check_claim(claim, eligible(articles, claim["outlet"], day), articles, day)
        rows.append(
            {
                "source_id": source.get("id"),
                "position": claim["position"],
                "claim": claim["claim"],
                "cited_as": claim["cited_as"],
                "outlet": claim["outlet"],
                "article_id": evidence.article_id,
                "url": evidence.url,
                "passage": evidence.passage,
                "score": evidence.score,
                "status": evidence.status,
                "details": evidence.details,
            }
        )
    return rows

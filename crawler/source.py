"""The source piece: load it from a file or URL, strip site boilerplate, analyse it.

The analysis (title, date, key terms, name-like phrases, cited outlets, event dates) is stored
as JSON on the ``sources`` row and drives the pre-filter and the scorer.
"""

from __future__ import annotations

import json
import math
import re
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from w3lib.encoding import read_bom

from crawler import db as dbmod
from crawler import storydates
from crawler.outlets import OUTLETS
from crawler.resources import data_path
from crawler.textutil import (
    COUNTRIES,
    bigrams,
    fold,
    name_key,
    name_phrases,
    normalise,
    phrase_key,
    rarity,
    sentences,
    terms,
)
from crawler.timeutil import parse_day

BUNDLED_SOURCE = data_path("sources") / "korea-us-2plus2-talks.txt"
SOURCE_SUFFIXES = {".txt", ".md", ".html", ".htm"}
MAX_SOURCE_BYTES = 10 * 1024 * 1024

# Lines that belong to the page around a post, not to the post.
_BOILERPLATE = re.compile(
    r"^(?:\d+\s*min(?:ute)?s?\s+read|share(?: this(?: article| post)?)?|leave a (?:comment|reply)|"
    r"\d+\s+comments?|comments?|related (?:posts|articles|stories)|you may also like|"
    r"subscribe.*newsletter.*|follow us.*|tags?:.*|advertisement|read more|print|email|"
    # Consent banners scraped with the page: "We use cookies ... Accept".
    r".*\bcookies?\b.*\b(?:accept|agree|consent|continu\w*|use|policy)\b.*)$",
    re.IGNORECASE,
)
_READ_TIME = re.compile(r"^\d+\s*min(?:ute)?s?\s+read$", re.IGNORECASE)
_NAMEISH = r"(?:The )?[A-Z][\w.]*(?: [A-Z][\w.]*)*"
# A credit that names no paper: "North Korean state media", "Chinese state television".
_MEDIA_TAIL = (
    r"(?: (?:state|state-run|official|local) (?:media|television|TV|radio|news agency|press))?"
)
_ATTRIBUTION = re.compile(
    rf"(?:[Aa]s reported by|[Aa]ccording to|[Aa]s reported in|[Cc]iting|[Tt]old)\s+"
    rf"(?P<who>{_NAMEISH}{_MEDIA_TAIL})"
    rf"|[Aa]s (?P<who2>{_NAMEISH}{_MEDIA_TAIL}) (?:recently |also |first |has |had )?(?:reported|noted|said)"
    # "Yonhap News Agency reported", "Reuters, citing two officials, reported", "Reuters said"
    rf"|(?P<who3>{_NAMEISH}(?: [Nn]ews(?: [Aa]gency)?)?)(?:, [^,]{{1,80}},)? "
    rf"(?:reported|wrote|said in a report|said|noted)"
    # A credit in brackets: "... rose 5 percent (Yonhap)."
    rf"|\((?P<who4>{_NAMEISH})\)"
)
# A sentence that goes on with the claim of the one before: "It added ...", "The agency said".
_CONTINUATION = re.compile(
    r"^(?:It|The (?:agency|newspaper|paper|report|outlet|daily|broadcaster|wire service))\b"
)
# Words that make a name a news organisation when the registry does not know it.
_MEDIA_WORDS = re.compile(
    r"\b(?:news|times|post|herald|daily|agency|journal|press|tribune|gazette|wire|"
    r"broadcasting|television|tv|radio|media|magazine|asia|reuters|bloomberg|ap|afp)\b",
    re.IGNORECASE,
)
_ORG_WORDS = {
    "ministry",
    "agency",
    "association",
    "department",
    "bank",
    "treasury",
    "representative",
    "center",
    "centre",
    "institute",
    "commission",
    "council",
    "party",
    "office",
    "house",
    "administration",
    "group",
    "motor",
    "electronics",
    "corp",
    "co",
    "inc",
    "fund",
    "forum",
    "federation",
    "assembly",
    "court",
    "news",
    "herald",
    "times",
    "asia",
    "reuters",
    "nikkei",
    "army",
    "navy",
    "force",
    "forces",
    "staff",
    "command",
    "committee",
    "union",
    "university",
    "framework",
    "industries",
    "company",
    "people",
}
_PLACES = {
    "washington",
    "seoul",
    "beijing",
    "tokyo",
    "china",
    "japan",
    "korea",
    "south korea",
    "north korea",
    "incheon",
    "alaska",
    "united states",
    "us",
    "asia",
    "indopacific",
    "taiwan",
    "vietnam",
    "europe",
    "middle east",
    "pyongyang",
    "busan",
    "australia",
}


class SourceError(ValueError):
    """A source that cannot be read; the message is shown to the user as is."""


@dataclass
class SourcePiece:
    title: str
    text: str
    published: str | None = None
    url: str | None = None
    origin: str = ""
    analysis: dict = field(default_factory=dict)


def load_source(spec: str, title: str | None = None, published: str | None = None) -> SourcePiece:
    """Read a source piece from a .txt/.md/.html file or an http(s) URL and analyse it."""
    piece = _from_url(spec) if spec.startswith(("http://", "https://")) else _from_file(Path(spec))
    if title:
        piece.title = title
    if published:
        piece.published = _checked_day(published)
    if not piece.text.strip():
        raise SourceError(f"{spec}: no article text found")
    piece.analysis = analyse(piece.title, piece.text, piece.published)
    return piece


def _checked_day(value: str) -> str:
    try:
        return parse_day(value).isoformat()
    except ValueError as exc:
        raise SourceError(str(exc)) from None


def _from_file(path: Path) -> SourcePiece:
    if not path.exists():
        raise SourceError(f"source file not found: {path}")
    if path.is_dir():
        raise SourceError(f"source is a directory, not a file: {path}")
    suffix = path.suffix.lower()
    if suffix not in SOURCE_SUFFIXES:
        raise SourceError(
            f"{path}: unsupported source type {suffix or '(none)'}; use .txt, .md or .html"
        )
    raw = path.read_bytes()[:MAX_SOURCE_BYTES]
    _refuse_binary(raw, str(path))
    meta = _sidecar(path)
    if suffix in {".html", ".htm"}:
        piece = _from_html(_decoded(raw, "text/html"), url=meta.get("url"))
    else:
        piece = _from_text(_decoded(raw, "text/plain"), markdown=suffix == ".md")
    piece.origin = str(path)
    piece.title = meta.get("title") or piece.title
    piece.published = _checked_day(meta["published"]) if meta.get("published") else piece.published
    piece.url = meta.get("url") or piece.url
    return piece


def _sidecar(path: Path) -> dict:
    """Metadata next to a source file: ``name.json`` with title, published, url."""
    side = path.with_suffix(".json")
    if not side.exists():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise SourceError(f"{side}: not valid JSON ({exc})") from None
    return data if isinstance(data, dict) else {}


def _from_url(url: str) -> SourcePiece:
    from crawler.settings import USER_AGENT

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read(MAX_SOURCE_BYTES)
            content_type = response.headers.get("Content-Type")
    except (OSError, ValueError) as exc:
        raise SourceError(f"could not fetch {url}: {getattr(exc, 'reason', exc)}") from None
    _refuse_binary(raw, url)
    piece = _from_html(_decoded(raw, content_type), url=url)
    piece.origin = url
    piece.url = url
    return piece


# Formats people pick up by mistake: PNG, JPEG, GIF, PDF, ZIP (and so .docx/.epub), gzip.
_BINARY_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"%PDF-",
    b"PK\x03\x04",
    b"\x1f\x8b",
)
# Bytes no text file holds more than a stray few of: C0 controls other than whitespace and ESC.
_CONTROL_BYTES = frozenset(range(32)) - set(b"\t\n\r\x0c\x1b")


def looks_binary(raw: bytes) -> bool:
    """Whether bytes are a file format rather than text: a known magic number, a NUL (outside
    UTF-16/32, where NULs are part of the text) or a high share of control bytes."""
    head = raw[:8192]
    if head.startswith(_BINARY_MAGIC):
        return True
    bom_encoding, _ = read_bom(head)
    if bom_encoding and bom_encoding.startswith(("utf-16", "utf-32")):
        return False
    controls = sum(1 for byte in head if byte in _CONTROL_BYTES)
    return b"\x00" in head or controls * 20 > len(head)


def _refuse_binary(raw: bytes, where: str) -> None:
    # Analysed as text, an image or a PDF yields nonsense names and terms that then steer
    # the whole crawl; better to say no.
    if looks_binary(raw):
        raise SourceError(f"{where}: binary data, not text; a source is a .txt, .md or .html page")


def _decoded(raw: bytes, content_type: str | None) -> str:
    """Text from a file's or a download's bytes, decoded as the crawl decodes a response: BOM,
    Content-Type charset, ``<meta>``, then UTF-8 or a detected encoding; never raises."""
    from pipelines.extract import decode_page  # the extraction stack loads only when used

    return decode_page(raw, content_type)


def _from_html(html: str, url: str | None) -> SourcePiece:
    from crawler.urls import outlet_for_url
    from pipelines.extract import extract_article

    outlet = outlet_for_url(url) if url else None
    fields = extract_article(html, url or "", outlet.slug if outlet else None)
    lines = without_header(fields["text"].split("\n"), fields["title"] or "")
    text, _ = strip_boilerplate(lines)
    published = fields["published"][:10] if fields["published"] else None
    return SourcePiece(title=fields["title"] or "", text=text, published=published, url=url)


def _from_text(raw: str, markdown: bool) -> SourcePiece:
    lines = [normalise(line) for line in raw.replace("\r\n", "\n").split("\n")]
    if markdown:
        lines = [_unmarkdown(line) for line in lines]
    lines = [line for line in lines if line]
    # Page furniture above the headline (a consent banner) is no title.
    while lines and _BOILERPLATE.match(lines[0]):
        lines = lines[1:]
    if not lines:
        return SourcePiece(title="", text="")
    title, rest = lines[0], lines[1:]
    # Blog headers put a quote box, the author and "N Min Read" between title and post.
    for i, line in enumerate(rest[:8]):
        if _READ_TIME.match(line):
            rest = rest[i + 1 :]
            break
    text, _ = strip_boilerplate(rest)
    return SourcePiece(title=title, text=text)


def _unmarkdown(line: str) -> str:
    line = re.sub(r"^#{1,6}\s*|^>\s*|^[-*+]\s+", "", line)
    line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)
    return re.sub(r"[*_`]{1,3}", "", line).strip()


# A line that is one quotation and nothing else: a blog's quote box ("pull quote").
_QUOTATION = re.compile(r'^["“‘\'].{3,300}["”’\']$')
# The body has begun at the first line of this many words.
_BODY_WORDS = 20


def without_header(lines: list[str], title: str) -> list[str]:
    """The post without what a blog puts between its title and its first paragraph: the
    headline repeated, a quote box, a read-time line. Only lines before the first
    paragraph-length line are judged, so quotations in the body stay."""
    key = fold(title)
    out, in_body = [], False
    for line in lines:
        text = line.strip()
        in_body = in_body or len(text.split()) >= _BODY_WORDS
        if not in_body and (
            (key and fold(text) == key) or _QUOTATION.match(text) or _READ_TIME.match(text)
        ):
            continue
        out.append(line)
    return out


def strip_boilerplate(lines: list[str]) -> tuple[str, list[str]]:
    """Drop share/comment/read-time lines; return the text and what was dropped."""
    kept, dropped = [], []
    for line in lines:
        (dropped if _BOILERPLATE.match(line.strip()) else kept).append(line)
    return "\n".join(kept).strip(), dropped


def spaced(text: str) -> str:
    """Scraped text loses the space after punctuation ("Yonhap news agency,citing a
    source,reported"); put it back where a word follows, so words and names separate.
    Numbers ("1,000", "2.5") and abbreviations ("U.S.") are left alone."""
    text = re.sub(r"(?<=[A-Za-z\)\"”’])([,;:])(?=[A-Za-z\"“])", r"\1 ", text)
    return re.sub(r"(?<=[a-z]{2})([.!?])(?=[A-Z][a-z])", r"\1 ", text)


def analyse(title: str, text: str, published: str | None) -> dict:
    """Key terms, names, cited outlets and event dates of a cleaned source text."""
    title, text = spaced(title), spaced(text)
    body = f"{title}\n{text}"
    return {
        "title": title,
        "published": published,
        "terms": key_terms(title, text),
        "entities": entities(body),
        "outlets": cited_outlets(text),
        "event_dates": event_dates(body, published),
        "word_count": len(text.split()),
    }


def key_terms(title: str, text: str, limit: int = 40) -> list[list]:
    """Top terms and two-word phrases: sublinear frequency times rarity (an IDF stand-in)."""
    counts: Counter[str] = Counter()
    for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
        tokens = terms(sentence)
        counts.update(tokens)
        counts.update(b for b in bigrams(tokens))
    title_tokens = terms(title)
    counts.update(title_tokens)
    counts.update(bigrams(title_tokens))
    scored = []
    for term, count in counts.items():
        if " " in term and count < 2:
            continue
        weight = (1 + math.log(count)) * rarity(term)
        scored.append((term, round(weight, 3)))
    scored.sort(key=lambda tw: (-tw[1], tw[0]))
    return [[t, w] for t, w in scored[:limit]]


_DEMONYMS = {
    "korean",
    "american",
    "chinese",
    "japanese",
    "asian",
    "european",
    "russian",
    "eastern",
    "western",
}


def entity_kind(name: str) -> str:
    key = phrase_key(name)
    words = key.split()
    if words and words[-1] in _DEMONYMS:
        return "other"
    if key in _PLACES or (words and words[-1] in _PLACES and len(words) <= 2):
        return "place"
    if name_key(name) in COUNTRIES:
        return "place"
    if any(w in _ORG_WORDS for w in words) or (name.isupper() and len(name) >= 3):
        return "organisation"
    if 2 <= len(words) <= 3 and "-" in name:
        return "person"
    if 2 <= len(words) <= 3 and all(p[:1].isupper() for p in name.split()):
        return "person" if not any(w in _PLACES for w in words) else "place"
    return "other"


def entities(text: str, limit: int = 40) -> list[dict]:
    """Name-like phrases with kind, count and the variant keys used for matching."""
    counts: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for phrase in name_phrases(text):
        key = phrase_key(phrase)
        if not key or len(key) < 3:
            continue
        counts[key] += 1
        surface.setdefault(key, phrase)
    kinds = {key: entity_kind(surface[key]) for key in counts}
    owner = surname_owners(counts, kinds)
    for short, full in owner.items():
        counts[full] += counts.pop(short)
    result = []
    for key, count in counts.most_common():
        name = surface[key]
        kind = kinds[key]
        if count < 2 and len(key.split()) < 2 and kind != "place":
            continue
        found = variants(name, kind)
        found += [short for short, full in owner.items() if full == key]
        result.append({"name": name, "kind": kind, "count": count, "variants": found})
    return result[:limit]


def surname_owners(counts: Counter[str], kinds: dict[str, str]) -> dict[str, str]:
    """One-word names that stand for a person the text names in full: "Han" after "Han
    Duck-soo", "Trump" after "Donald Trump" (first or last word, one such person only)."""
    people = [k for k in counts if kinds[k] == "person" and len(k.split()) >= 2]
    owner = {}
    for key in counts:
        if " " in key or kinds[key] == "place":
            continue
        mine = [p for p in people if key in (p.split()[0], p.split()[-1])]
        if len(mine) == 1:
            owner[key] = mine[0]
    return owner


def variants(name: str, kind: str) -> list[str]:
    """Match keys: the name, and for Korean-style person names the reversed order."""
    key = phrase_key(name)
    out = [key]
    parts = name.split()
    if kind == "person" and len(parts) == 2:
        out.append(phrase_key(f"{parts[1]} {parts[0]}"))
    if key in {"us", "u s"}:
        out = ["us", "united states"]
    return out


def cited_outlets(text: str) -> list[dict]:
    """Outlets the text attributes claims to: for each attribution, the outlet's name as
    written, its registry slug (None for an outlet newsagg does not know), the attributing
    sentence, the ``claim`` (that sentence, and the next one when it goes on with the same
    claim: "It added ...") and the attributing words (``cited_as``)."""
    found: list[dict] = []
    seen: set[tuple] = set()
    parts = sentences(text)
    for i, sentence in enumerate(parts):
        for match in _ATTRIBUTION.finditer(sentence):
            who = next((w for w in match.group("who", "who2", "who3", "who4") if w), "").strip()
            if not who:
                continue
            slug = _outlet_slug(who)
            # "X reported", "X said", "told X", "citing X", "(X)" name people, offices and
            # documents too: kept only for a news organisation.
            loose = (
                match.group("who3")
                or match.group("who4")
                or match.group("who2")
                or match.group(0).lower().startswith(("citing", "told"))
            )
            if slug is None and loose and not _MEDIA_WORDS.search(who):
                continue
            key = (slug or phrase_key(who), i)
            if key in seen:
                continue
            seen.add(key)
            claim = sentence.strip()
            if i + 1 < len(parts) and _CONTINUATION.match(parts[i + 1]):
                claim = f"{claim} {parts[i + 1].strip()}"
            found.append(
                {
                    "name": who,
                    "outlet": slug,
                    "sentence": sentence.strip(),
                    "claim": claim,
                    "cited_as": match.group(0).strip(),
                }
            )
    return found


def _outlet_slug(name: str) -> str | None:
    key = phrase_key(name).removeprefix("the ")
    for outlet in OUTLETS.values():
        if any(key.startswith(phrase_key(alias).removeprefix("the ")) for alias in outlet.aliases):
            return outlet.slug
    return None


def event_dates(text: str, published: str | None) -> list[str]:
    """Dates the text mentions ("April 24", "24 April 2025", "on Thursday"), resolved around the
    source's date when it has one (crawler/storydates.py reads them).

    Without a date, a day written without its year is kept as ``--MM-DD`` (ISO 8601's
    yearless form) and weekdays are left out.
    """
    written = date.fromisoformat(published[:10]) if published else None
    found = []
    for mention in storydates.mentions(text):
        if written is not None:
            day = storydates.resolve(mention, written) or storydates.weekday_day(mention, written)
        elif mention.month and mention.year:
            day = storydates.resolve(mention, date(mention.year, 1, 1))
        elif mention.month:
            found.append(f"--{mention.month:02d}-{mention.day:02d}")
            continue
        else:
            day = None
        if day is not None:
            found.append(day.isoformat())
    return sorted(set(found))


def default_source_ids(db) -> list[int]:
    """The tracked sources; with none, the bundled source piece (added on first use)."""
    tracked = [s["id"] for s in dbmod.get_sources(db)]
    return tracked or [dbmod.add_source(db, load_source(str(BUNDLED_SOURCE)))]

"""When a story happened: the dates a text describes, a date for an undated source piece, and
whether an article reports the source's event or its background.

Pure functions of text and dates, so the source analysis, the end-of-crawl rescoring and
``related --explain`` share them.

- ``mentions`` reads a text's explicit days ("April 24", "24 April 2025"), weekdays ("on
  Thursday") and relative phrases ("earlier this week", "next month"), each with the tense of
  its sentence: "will meet on April 24" was written before that day, "met on April 24" after.
- ``infer_published`` dates an undated source from two kinds of evidence: the publication
  days of the articles that match it best on content alone (the source was written among
  them) and its own date mentions, resolved around those days; the result carries a
  confidence and the evidence.
- ``event_span`` is the source's event in days: its own date and the dates it names near it
  (the run-up, the event, the outcome and the first reactions), not every date it recalls.
- ``tier`` says whether an article reports that event (``event``) or the same subject at
  another time (``background``): from its publication day and the days its lead describes.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from crawler.textutil import COUNTRY_WORDS, TITLES, normalise, sentences, terms

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"\b(?:(?P<m1>{MONTH_PATTERN})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?|"
    rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{MONTH_PATTERN})\b\.?)"
    r"(?:,?\s+(?P<year>(?:19|20)\d\d))?\b",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(rf"\b({'|'.join(WEEKDAYS)})\b", re.IGNORECASE)
# Relative phrases: days from the writing day (a range where the phrase is vague).
RELATIVE = {
    "today": (0, 0),
    "tonight": (0, 0),
    "yesterday": (-1, -1),
    "tomorrow": (1, 1),
    "earlier this week": (-6, -1),
    "later this week": (1, 6),
    "this week": (-6, 6),
    "last week": (-13, -2),
    "next week": (2, 13),
    "earlier this month": (-30, -1),
    "last month": (-60, -10),
    "next month": (10, 60),
}
_RELATIVE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, RELATIVE), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
# Cues of a sentence about what is still to come, and of one about what has happened.
_FUTURE = re.compile(
    r"\b(?:will|shall|would|is to|are to|set to|due to|plans? to|planning to|expected to|"
    r"scheduled|upcoming|ahead of|next|heading to|heads to|are heading|is heading|to hold|"
    r"to meet|to visit|to travel|to attend|to begin|to start|will be)\b",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(?:held|met|agreed|signed|said|told|announced|reached|concluded|wrapped up|ended|"
    r"departed|left|arrived|visited|was|were|had|did|took place|issued|accused|launched|"
    r"voted|won|lost|fired|killed|released|reported|took|gave|made|came|went|became|began|"
    r"chose|named|elected|sworn|\w+ed on)\b",
    re.IGNORECASE,
)

# The event: days of the source's story named within this many days of its writing day.
EVENT_NEAR_DAYS = 7
# Around that core: the run-up and the reactions.
RUNUP_DAYS = 5
AFTERMATH_DAYS = 3
# Articles that best match a source on content, whose days say when it was written.
COVERAGE_SAMPLE = 10


@dataclass(frozen=True)
class Mention:
    """A day a text names: explicit (``day``; ``year`` None when it gave none), a weekday, or a
    relative phrase (``offsets``: days from the writing day), with its sentence's tense."""

    text: str
    tense: str | None
    month: int | None = None
    day: int | None = None
    year: int | None = None
    weekday: int | None = None
    offsets: tuple[int, int] | None = None


def sentence_tense(sentence: str) -> str | None:
    """ "future", "past" or None (both or neither cue): how a sentence stands to its days."""
    future, past = bool(_FUTURE.search(sentence)), bool(_PAST.search(sentence))
    if future == past:
        return None
    return "future" if future else "past"


def mentions(text: str) -> list[Mention]:
    """The days a text names, in order, each with its sentence's tense."""
    found: list[Mention] = []
    for sentence in sentences(text):
        tense = sentence_tense(sentence)
        for match in _DAY_MONTH.finditer(sentence):
            month = MONTHS[(match["m1"] or match["m2"]).lower()]
            day = int(match["d1"] or match["d2"])
            if 1 <= day <= 31:
                year = int(match["year"]) if match["year"] else None
                found.append(Mention(match[0], tense, month, day, year))
        for match in _WEEKDAY.finditer(sentence):
            found.append(Mention(match[0], tense, weekday=WEEKDAYS.index(match[1].lower())))
        for match in _RELATIVE.finditer(sentence):
            found.append(Mention(match[0], tense, offsets=RELATIVE[match[1].lower()]))
    return found


def resolve(mention: Mention, around: date) -> date | None:
    """The calendar day an explicit mention names, in the year that puts it nearest to
    ``around`` (a yearless "April 24" in a piece from late April is that April's)."""
    if mention.month is None or mention.day is None:
        return None
    years = [mention.year] if mention.year else [around.year - 1, around.year, around.year + 1]
    days = []
    for year in years:
        try:
            days.append(date(year, mention.month, mention.day))
        except ValueError:
            continue
    return min(days, key=lambda d: abs((d - around).days), default=None)


def weekday_day(mention: Mention, written: date) -> date | None:
    """The day "on Thursday" names, seen from the writing day: the next one in a sentence
    about what is to come, else the last one (or that day itself)."""
    if mention.weekday is None:
        return None
    back = (written.weekday() - mention.weekday) % 7
    if mention.tense == "future":
        return written + timedelta(days=(mention.weekday - written.weekday()) % 7 or 7)
    return written - timedelta(days=back)


def resolved_days(text: str, written: date) -> list[date]:
    """Every explicit and weekday mention of a text, as calendar days seen from ``written``."""
    days = []
    for mention in mentions(text):
        day = resolve(mention, written) or weekday_day(mention, written)
        if day is not None:
            days.append(day)
    return days


# --- an undated source ---------------------------------------------------------------------


@dataclass(frozen=True)
class Inferred:
    day: date
    confidence: float
    evidence: dict


def infer_published(text: str, coverage_days: list[date]) -> Inferred | None:
    """The day an undated source was most likely written, or None with no evidence at all.

    ``coverage_days`` are the publication days of the articles that match the source best on
    content; their median is where the search starts (and gives the year). The text's own
    mentions then bound it: a day named in a sentence about the future is after the writing
    day, one in a sentence about the past is on or before it; "earlier this week" and its
    like put named days a few days back. The inferred day is the one nearest the median
    that breaks the fewest of these bounds.
    """
    if not coverage_days:
        return None
    centre = sorted(coverage_days)[len(coverage_days) // 2]
    spread = statistics.pstdev([d.toordinal() for d in coverage_days]) if coverage_days else 0.0
    bounds: list[tuple[str, date | None, date | None]] = []  # (why, earliest, latest)
    for mention in mentions(text):
        named = resolve(mention, centre)
        if named is not None and mention.tense == "future":
            bounds.append((f'"{mention.text}" is still to come', None, named - timedelta(days=1)))
        elif named is not None and mention.tense == "past":
            bounds.append((f'"{mention.text}" has happened', named, None))
        elif mention.offsets is not None:
            # The writing day is a few days after what "earlier this week" refers to; with no
            # day of its own the phrase only says the piece is recent: no bound.
            continue
    candidates = [centre + timedelta(days=k) for k in range(-14, 15)]

    def broken(day: date) -> int:
        return sum(
            (lo is not None and day < lo) or (hi is not None and day > hi) for _, lo, hi in bounds
        )

    weekdays = [m for m in mentions(text) if m.weekday is not None and m.tense]

    def stretch(day: date) -> float:
        """Days between the writing day and the weekdays it names ("met on Wednesday"
        written on a Wednesday is today, on a Tuesday six days back): news names the days
        just past or just ahead, so the writing day that keeps them close is likelier."""
        return sum(abs((weekday_day(m, day) - day).days) for m in weekdays) / 7

    best = min(
        candidates,
        key=lambda d: (broken(d), stretch(d) + 0.5 * abs((d - centre).days)),
    )
    kept = [why for why, lo, hi in bounds if not ((lo and best < lo) or (hi and best > hi))]
    agree = sum(abs((d - best).days) <= 2 for d in coverage_days) / len(coverage_days)
    confidence = round(min(1.0, 0.3 + 0.5 * agree + 0.1 * min(len(kept), 2)), 2)
    evidence = {
        "coverage_days": [d.isoformat() for d in sorted(coverage_days)],
        "coverage_median": centre.isoformat(),
        "coverage_spread_days": round(spread, 1),
        "text": kept,
        "text_overruled": [why for why, _, _ in bounds if why not in kept],
    }
    return Inferred(best, confidence, evidence)


# --- the event and its background ----------------------------------------------------------


def in_core(span: tuple[date, date] | None, published: str | None) -> bool:
    """Published on the event's own days (the span without its run-up and aftermath)."""
    if span is None or not published:
        return False
    day = date.fromisoformat(published[:10])
    return span[0] + timedelta(days=RUNUP_DAYS) <= day <= span[1] - timedelta(days=AFTERMATH_DAYS)


def event_span(published: date | None, named: list[date]) -> tuple[date, date] | None:
    """The source's event in days: its writing day and the days it names within
    EVENT_NEAR_DAYS of it, widened by the run-up and the reactions. Days it recalls from
    further back (the phone call two weeks before) are background, not the event."""
    if published is None:
        return None
    core = [published, *(d for d in named if abs((d - published).days) <= EVENT_NEAR_DAYS)]
    return (
        min(core) - timedelta(days=RUNUP_DAYS),
        max(core) + timedelta(days=AFTERMATH_DAYS),
    )


def lead(text: str, count: int = 2) -> str:
    """The first sentences of an article: what it reports (later ones recall and explain)."""
    return " ".join(sentences(text)[:count])


# Headline terms shared by this many of the event's own coverage name the event.
EVENT_NAME_DOCS = 2


def event_name(
    headline: frozenset[str], core_titles: list[str], names: frozenset[str] = frozenset()
) -> frozenset[str]:
    """What the event is called: the source's headline terms and the terms the headlines of
    its core days' coverage share ("2+2", "july package"; "elect", "sworn"), its people
    (``names``: the words of their names) and country words aside. An article of the run-up or
    the aftermath must name the event, not only its people, to be the event's."""
    counts: dict[str, int] = {}
    for title in core_titles:
        for term in set(terms(normalise(title))):
            counts[term] = counts.get(term, 0) + 1
    shared = {t for t, n in counts.items() if n >= EVENT_NAME_DOCS}
    return frozenset(
        t
        for t in headline | shared
        if not is_country_term(t)
        # Neither a person ("yoon") nor a person's title ("president", "minister"), unless
        # the source's headline names them: its protagonist ("Lee Jae-myung wins ...").
        and (
            t in headline or not all(w.replace("-", "") in names or w in TITLES for w in t.split())
        )
    )


def is_country_term(term: str) -> bool:
    return all(word in COUNTRY_WORDS for word in term.split())


def tier(
    span: tuple[date, date] | None,
    published: str | None,
    text: str,
    headline: frozenset[str] = frozenset(),
) -> tuple[str, str]:
    """("event" or "background", why) for an article linked to a source with this span.

    ``headline`` holds the terms of the source's headline: an article from the run-up or the
    aftermath (inside the span, outside its core days) belongs to the event only when its
    lead names it ("ahead of the 2+2 talks", "after Lee's election win"); a new story of the
    same days about the same people (a bill passed the day after an election) does not."""
    if span is None:
        return "event", "the source has no date: no span to hold the article to"
    if not published:
        return "event", "the article has no date"
    day = date.fromisoformat(published[:10])
    lo, hi = span
    if day < lo or day > hi:
        side = "before" if day < lo else "after"
        return "background", f"published {day} {side} the event's days ({lo} to {hi})"
    # What its first sentence says happened: a past day (a deadline ahead, "before July 8",
    # is no event of its own; later sentences recall and explain). One day of the event's
    # own named there ("Tuesday's election") keeps it the event's.
    first = [(m, resolve(m, day) or weekday_day(m, day)) for m in mentions(lead(text, 1))]
    named = [d for _, d in first if d is not None]
    # The writing day in the paper's own time zone may be a day after its UTC date.
    named += [
        d
        for m, _ in first
        if m.weekday is not None and (d := weekday_day(m, day + timedelta(days=1)))
    ]
    # Only a day written out counts against it: a weekday seen from a UTC date can be a week
    # off for a paper in another time zone ("voted on Tuesday", published Monday in UTC).
    before = [
        d
        for m, d in first
        if d is not None
        and m.weekday is None
        and m.tense == "past"
        and d <= day - timedelta(days=2)
        and d < lo
    ]
    if before and not any(lo <= d <= hi for d in named):
        days = ", ".join(sorted({d.isoformat() for d in before}))
        return "background", f"its lead reports {days}, before the event's days ({lo} to {hi})"
    core = (lo + timedelta(days=RUNUP_DAYS), hi - timedelta(days=AFTERMATH_DAYS))
    named_event = set(terms(normalise(lead(text, 2)))) & headline
    if headline and not in_core(span, published) and not named_event:
        return "background", (
            f"published {day}, around the event ({core[0]} to {core[1]}), but its lead "
            "does not name it"
        )
    return "event", f"published {day}, within the event's days ({lo} to {hi})"

"""Extraction quality on real pages with checked answers, newsagg vs plain trafilatura (not a test).

    python bench/extraction.py --data /work/devset [--failures 10] [--only PATTERN]
                               [--failures-of newsagg|trafilatura] [--dump results.jsonl]
                               [--newsagg TREE] [--repeat N]

``--data`` is a development set written by ``bench/devset.py`` (pages of fundus's parser tests
in languages other than English, and trafilatura's ``tests/cache`` pages with its snippets).
Every page goes, in this process and one after the other, through newsagg's
``pipelines.extract.extract_article(html, url, None)`` (no outlet: a page from anywhere) and
through ``trafilatura.bare_extraction(html, url=url, with_metadata=True)`` with its defaults.
Both get the same input: the page's bytes, or its text when the set says how it is encoded.

Scored, per source and overall:

- title: equal after stripping surrounding whitespace, share of pages ("up to spaces/NFC"
  also forgives the Unicode form, no-break or ideographic spaces, soft hyphens and zero-width
  characters, to tell those apart from other defects);
- authors: equal as sets (case-folded, whitespace collapsed), share of pages whose answer has
  authors (trafilatura's "A; B" is split on ";");
- published: the same UTC minute, share of pages whose answer has a dated instant (trafilatura
  returns a day by default, so "day" also counts a match of the calendar day, UTC or as written);
- body (fundus): precision, recall and F1 of word 4-shingles, as multisets, averaged over
  pages; tokens are the lower-cased words of the NFKC text, so punctuation does not count, and
  each Han, kana character is a token of its own (those scripts put no spaces between words);
- body (trafilatura's pages): share of "with" snippets found, share of "without" snippets absent
  (whitespace-normalised substrings, as trafilatura's own evaluation, both sides in NFC) and the
  snippet F1 (found "with" are true positives, present "without" false positives);
- pages/s: pages divided by the CPU time this process spent in the extraction calls only (one
  core's work, so the figure holds on a machine whose cores other jobs share); with
  ``--repeat N`` each page counts its fastest of N runs, as the host's speed drifts.

``--failures N`` lists, per field, the N worst pages of one extractor with expected and got.
``--newsagg TREE`` scores another source tree of newsagg, e.g. the last commit while the working
tree is being edited: ``git archive HEAD | tar -x -C /tmp/head`` then ``--newsagg /tmp/head``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean

import trafilatura

ROOT = Path(__file__).resolve().parent.parent
EXTRACTORS = ("newsagg", "trafilatura")
SHINGLE = 4
# Scripts written without spaces between words: each character is a token, or a Japanese or
# Chinese sentence would be one "word".
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
WORD = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")
# Invisible or layout-only differences a reader does not see in a title.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")


@dataclass
class Page:
    source: str
    id: str
    html: str | bytes
    answer: dict


@dataclass
class Got:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    text: str = ""
    seconds: float = 0.0
    error: str | None = None


# ---------------------------------------------------------------------------------------------
# running the extractors


def import_newsagg(tree: Path) -> None:
    """Import ``extract_article`` from a newsagg source tree (this checkout by default)."""
    global extract_article
    sys.path.insert(0, str(tree.resolve()))
    from pipelines.extract import extract_article


def run_newsagg(page: Page) -> Got:
    fields = extract_article(page.html, page.answer["url"], None)
    return Got(fields["title"], fields["authors"], fields["published"], fields["text"] or "")


def run_trafilatura(page: Page) -> Got:
    doc = trafilatura.bare_extraction(page.html, url=page.answer["url"], with_metadata=True)
    if doc is None:
        return Got()
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Got(doc.title, authors, doc.date, doc.text or "")


RUNNERS = {"newsagg": run_newsagg, "trafilatura": run_trafilatura}


def run(name: str, page: Page) -> Got:
    start = time.process_time()
    try:
        got = RUNNERS[name](page)
    except Exception as exc:  # a crash on a page is a result: every field of it is wrong
        got = Got(error=f"{type(exc).__name__}: {exc}")
    got.seconds = time.process_time() - start
    return got


# ---------------------------------------------------------------------------------------------
# scoring one page


def norm_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def title_ok(expected: str, got: str | None) -> bool:
    return expected.strip() == (got or "").strip()


def title_near(expected: str, got: str | None) -> bool:
    """Equal up to the Unicode form, kinds of space and invisible characters."""

    def fold(text: str) -> str:
        return norm_space(_INVISIBLE.sub("", unicodedata.normalize("NFC", text)))

    return fold(expected) == fold(got or "")


def author_key(name: str) -> str:
    return norm_space(name).casefold()


def authors_ok(expected: list[str], got: list[str]) -> bool:
    return {author_key(a) for a in expected} == {author_key(a) for a in got}


def parse_moment(value: str | None) -> datetime | None:
    """An ISO value as an aware UTC datetime (a naive one read as UTC), or None."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def published_ok(expected: str, got: str | None) -> bool:
    want, have = parse_moment(expected), parse_moment(got)
    if want is None or have is None:
        return False
    return want.replace(second=0, microsecond=0) == have.replace(second=0, microsecond=0)


def published_day_ok(answer: dict, got: str | None) -> bool:
    if not got:
        return False
    days = {answer["published"][:10], (answer.get("published_written") or "")[:10]}
    return got.strip()[:10] in days


def shingles(text: str) -> Counter:
    words = WORD.findall(unicodedata.normalize("NFKC", text).lower())
    if len(words) < SHINGLE:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def body_prf(expected: str, got: str) -> tuple[float, float, float]:
    want, have = shingles(expected), shingles(got)
    common = sum((want & have).values())
    precision = common / sum(have.values()) if have else 0.0
    recall = common / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def snippets(answer: dict, got: str) -> tuple[list[str], list[str]]:
    """The "with" snippets missing and the "without" snippets present in the text."""

    def fold(text: str) -> str:
        return norm_space(unicodedata.normalize("NFC", text))

    text = fold(got)
    missing = [s for s in answer["with"] if fold(s) not in text]
    present = [s for s in answer["without"] if fold(s) in text]
    return missing, present


# ---------------------------------------------------------------------------------------------
# the set


def load(data: Path, only: str | None) -> list[Page]:
    pages = []
    for path in sorted(data.glob("*/*.json")):
        source, page_id = path.parent.name, path.stem
        if only and not re.search(only, f"{source}/{page_id}"):
            continue
        answer = json.loads(path.read_text(encoding="utf-8"))
        raw = path.with_suffix(".html").read_bytes()
        html = raw.decode(answer["encoding"]) if answer.get("encoding") else raw
        pages.append(Page(source, page_id, html, answer))
    return pages


# ---------------------------------------------------------------------------------------------
# report


def share(hits: list[bool]) -> str:
    return f"{100 * sum(hits) / len(hits):5.1f}% ({sum(hits)}/{len(hits)})" if hits else "-"


def row(label: str, cells: list[str]) -> str:
    return f"  {label:<34}" + "".join(f"{cell:>22}" for cell in cells)


def scores(pages: list[Page], results: dict[str, dict[str, Got]]) -> dict[str, dict]:
    """Per extractor: the lists of per-page outcomes of every field."""
    out: dict[str, dict] = {}
    for name in EXTRACTORS:
        s: dict[str, list] = {
            k: []
            for k in (
                *("title", "title_near", "authors", "published", "day", "body"),
                *("missing", "present", "time"),
            )
        }
        s["with_total"] = s["without_total"] = 0
        s["errors"] = 0
        for page in pages:
            got, answer = results[page.id][name], page.answer
            s["time"].append(got.seconds)
            s["errors"] += got.error is not None
            if answer.get("title"):
                s["title"].append(title_ok(answer["title"], got.title))
                s["title_near"].append(title_near(answer["title"], got.title))
            if answer.get("authors"):
                s["authors"].append(authors_ok(answer["authors"], got.authors))
            if answer.get("published"):
                s["published"].append(published_ok(answer["published"], got.published))
                s["day"].append(published_day_ok(answer, got.published))
            if answer.get("body"):
                s["body"].append(body_prf(answer["body"], got.text))
            if "with" in answer:
                missing, present = snippets(answer, got.text)
                s["missing"].append(len(missing))
                s["present"].append(len(present))
                s["with_total"] += len(answer["with"])
                s["without_total"] += len(answer["without"])
        out[name] = s
    return out


def table(title: str, pages: list[Page], results: dict[str, dict[str, Got]]) -> list[str]:
    s = scores(pages, results)
    lines = [f"{title} ({len(pages)} pages)", row("", list(EXTRACTORS))]
    if any(s[n]["title"] for n in EXTRACTORS):
        lines.append(row("title exact", [share(s[n]["title"]) for n in EXTRACTORS]))
        cells = [share(s[n]["title_near"]) for n in EXTRACTORS]
        lines.append(row("title up to spaces/NFC", cells))
    if any(s[n]["authors"] for n in EXTRACTORS):
        lines.append(row("authors set", [share(s[n]["authors"]) for n in EXTRACTORS]))
    if any(s[n]["published"] for n in EXTRACTORS):
        lines.append(row("published minute UTC", [share(s[n]["published"]) for n in EXTRACTORS]))
        lines.append(row("published day", [share(s[n]["day"]) for n in EXTRACTORS]))
    if any(s[n]["body"] for n in EXTRACTORS):
        for i, label in enumerate(("precision", "recall", "F1")):
            cells = [f"{mean(p[i] for p in s[n]['body']):.3f}" for n in EXTRACTORS]
            lines.append(row(f"body {label} (4-shingles, mean)", cells))
        cells = [f"{sum(p[2] >= 0.95 for p in s[n]['body'])}" for n in EXTRACTORS]
        lines.append(row("body pages with F1 >= 0.95", cells))
    if any(s[n]["with_total"] for n in EXTRACTORS):
        found, absent, f1 = [], [], []
        for n in EXTRACTORS:
            tp = s[n]["with_total"] - sum(s[n]["missing"])
            fp = sum(s[n]["present"])
            fn = sum(s[n]["missing"])
            found.append(f"{100 * tp / s[n]['with_total']:5.1f}% ({tp}/{s[n]['with_total']})")
            tn = s[n]["without_total"] - fp
            absent.append(
                f"{100 * tn / s[n]['without_total']:5.1f}% ({tn}/{s[n]['without_total']})"
            )
            f1.append(f"{2 * tp / (2 * tp + fp + fn):.3f}")
        lines.append(row("snippets 'with' found", found))
        lines.append(row("snippets 'without' absent", absent))
        lines.append(row("snippet F1", f1))
    lines.append(
        row(
            "pages per CPU second",
            [f"{len(pages) / sum(s[n]['time']):.1f}" for n in EXTRACTORS],
        )
    )
    if any(s[n]["errors"] for n in EXTRACTORS):
        lines.append(row("pages that raised", [str(s[n]["errors"]) for n in EXTRACTORS]))
    return lines


def clip(text: str | None, width: int = 110, raw: bool = False) -> str:
    """repr of the text, cut to width; ``raw`` keeps its spaces as they are (no-break ones show)."""
    if text is None:
        return "None"
    text = text if raw else norm_space(text)
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def failures(pages: list[Page], results: dict[str, dict[str, Got]], name: str, n: int) -> list:
    def similarity(a: str, b: str) -> float:
        return difflib.SequenceMatcher(None, a, b).ratio()

    title, authors, published, body, snippet = [], [], [], [], []
    for page in pages:
        got, answer = results[page.id][name], page.answer
        key = f"{page.source}/{page.id}"
        if answer.get("title") and not title_ok(answer["title"], got.title):
            rank = similarity(answer["title"], got.title or "")
            title.append(
                (
                    rank,
                    key,
                    f"want {clip(answer['title'], raw=True)}\n      got  {clip(got.title, raw=True)}",
                )
            )
        if answer.get("authors") and not authors_ok(answer["authors"], got.authors):
            want = {author_key(a) for a in answer["authors"]}
            have = {author_key(a) for a in got.authors}
            rank = len(want & have) / len(want | have)
            text = f"want {answer['authors']}\n      got  {got.authors}"
            authors.append((rank, key, text))
        if answer.get("published") and not published_ok(answer["published"], got.published):
            want, have = parse_moment(answer["published"]), parse_moment(got.published)
            rank = -abs((want - have).total_seconds()) if have and want else float("-inf")
            text = f"want {answer['published']} (written {answer.get('published_written')})"
            published.append((rank, key, f"{text}\n      got  {got.published}"))
        if answer.get("body"):
            p, r, f1 = body_prf(answer["body"], got.text)
            if f1 < 0.95:
                text = (
                    f"P {p:.2f} R {r:.2f} F1 {f1:.2f}, tokens want {len(WORD.findall(answer['body']))}"
                    f" got {len(WORD.findall(got.text))}\n      want starts {clip(answer['body'], 90)}"
                    f"\n      got  starts {clip(got.text, 90)}"
                )
                body.append((f1, key, text))
        if "with" in answer:
            missing, present = snippets(answer, got.text)
            if missing or present:
                rank = -(len(missing) + len(present))
                text = f"missing {[clip(m, 60) for m in missing]}\n      present {present}"
                snippet.append((rank, key, text))
    sections = [
        ("title", title),
        ("authors", authors),
        ("published", published),
        ("body (fundus)", body),
        ("snippets (trafilatura)", snippet),
    ]
    lines = []
    for label, items in sections:
        if not items:
            continue
        lines.append(f"\n{name}: worst {label} ({len(items)} wrong, {min(n, len(items))} shown)")
        for _, key, text in sorted(items, key=lambda item: (item[0], item[1]))[:n]:
            error = results[key.split("/", 1)[1]][name].error
            lines.append(f"  {key}" + (f"  [raised {error}]" if error else ""))
            lines.append(f"      {text}")
    return lines


def dump(path: Path, pages: list[Page], results: dict[str, dict[str, Got]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for page in pages:
            record = {"source": page.source, "id": page.id, "answer": page.answer}
            for name in EXTRACTORS:
                got = results[page.id][name]
                record[name] = {
                    "title": got.title,
                    "authors": got.authors,
                    "published": got.published,
                    "text": got.text,
                    "error": got.error,
                }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", required=True, type=Path, help="set written by bench/devset.py")
    parser.add_argument("--only", help="regex on SOURCE/ID (e.g. 'fundus/de\\.', 'Taz')")
    parser.add_argument("--failures", type=int, default=0, metavar="N", help="N worst per field")
    parser.add_argument("--failures-of", choices=EXTRACTORS, default="newsagg")
    parser.add_argument("--dump", type=Path, help="write every page's results as JSON lines")
    parser.add_argument(
        "--newsagg",
        type=Path,
        default=ROOT,
        metavar="TREE",
        help="newsagg source tree to score (default: this checkout; e.g. a `git archive` of HEAD)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="time each page N times and count its fastest run (default 1)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    import_newsagg(args.newsagg)
    if not args.data.is_dir():
        print(f"no such directory: {args.data}", file=sys.stderr)
        return 2
    pages = load(args.data, args.only)
    if not pages:
        print(f"no pages in {args.data}" + (f" matching {args.only!r}" if args.only else ""))
        return 2
    # One call each first, so that the timing leaves out lazy imports and first-call set-up.
    for name in EXTRACTORS:
        run(name, pages[0])
    results = {page.id: {name: run(name, page) for name in EXTRACTORS} for page in pages}
    # The host's speed drifts (other machines share it): each page's time is the least of
    # --repeat runs, the figure a quiet machine gives.
    for _ in range(args.repeat - 1):
        for page in pages:
            for name in EXTRACTORS:
                got = results[page.id][name]
                got.seconds = min(got.seconds, run(name, page).seconds)

    lines = []
    for source in sorted({page.source for page in pages}):
        lines += [*table(source, [p for p in pages if p.source == source], results), ""]
    lines += table("overall", pages, results)
    if args.failures:
        lines += failures(pages, results, args.failures_of, args.failures)
    print("\n".join(lines))
    if args.dump:
        dump(args.dump, pages, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

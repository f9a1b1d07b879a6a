"""Queries at scale on a store of many articles (not a test).

    python bench/scale.py --db /tmp/scale1m.db [--size 1000000]

Builds the store first if ``--db`` does not exist: ``--size`` synthetic articles written
through the store pipeline (StorePipeline, in batches, FTS triggers and LSH bands included).
The corpus has a realistic vocabulary: background words drawn with their English frequencies
(wordfreq), and stories, each with its own people, places and topic words that recur in its
articles and titles; 10 % of the articles are light edits of a recent one.

Then links every stored article to one source (so that `export` has coverage to stream) and
prints: `newsagg search` time over 100 queries (p50, p95; the same function the command
calls, crawler.db.search), with queries made the way people search news (a name, a word or a
1-3 word phrase taken from a stored title, never a stopword alone), the worst case (one of
the most common content words), `newsagg export` time and its peak RSS (export streams), and
the near-duplicate lookup time per article.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throughput import run_measured  # noqa: E402  (bench/ is on the path)

from crawler import db as dbmod  # noqa: E402
from crawler import neardup  # noqa: E402
from pipelines.dedupe import NearDuplicateIndex  # noqa: E402

# Words at least this common (wordfreq Zipf scale: "the" 7.7, "said" 6.3) are stopwords:
# nobody searches a news archive for them alone.
STOPWORD_ZIPF = 6.0
SYLLABLES = [
    "ka",
    "ri",
    "mo",
    "sen",
    "ta",
    "lu",
    "vi",
    "an",
    "de",
    "ho",
    "jin",
    "su",
    "na",
    "el",
    "ba",
    "ko",
    "mi",
    "ra",
    "to",
    "yu",
    "se",
    "pa",
    "li",
    "go",
    "do",
    "ne",
    "ha",
    "chu",
    "won",
    "bel",
    "tor",
    "gan",
    "ver",
    "lis",
    "mar",
    "fen",
    "dal",
    "os",
    "qui",
    "zan",
]


def vocabulary(size: int = 40_000) -> tuple[list[str], list[float]]:
    """The most frequent English words (letters only) with their frequencies."""
    import wordfreq

    words = [w for w in wordfreq.top_n_list("en", size) if w.isalpha()]
    return words, [wordfreq.word_frequency(w, "en") for w in words]


def made_up_name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


class Corpus:
    """Stories of related articles over a Zipf background; yields article dicts in order."""

    def __init__(self, size: int, seed: int = 11):
        self.size = size
        self.rng = rng = random.Random(seed)
        self.words, weights = vocabulary()
        # Cumulative weights once: rng.choices would rebuild them on every call.
        self.cum = list(_accumulate(weights))
        content = self.words[300:20_000]  # topic words: not the commonest ones
        firsts = sorted({made_up_name(rng, 2) for _ in range(3000)})
        lasts = sorted({made_up_name(rng, rng.choice((2, 3))) for _ in range(20_000)})
        places = sorted({made_up_name(rng, 3) for _ in range(3000)})
        self.stories = []
        for _ in range(max(1, size // 40)):
            people = [f"{rng.choice(firsts)} {rng.choice(lasts)}" for _ in range(rng.randint(1, 4))]
            self.stories.append(
                {
                    "people": people,
                    "places": rng.sample(places, rng.randint(1, 2)),
                    "topic": rng.sample(content, rng.randint(5, 12)),
                }
            )

    def background(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)

    def article(self, story: dict) -> tuple[str, str]:
        rng = self.rng
        people = [p.split() for p in story["people"]]
        names = [" ".join(p) for p in people] + [p[-1] for p in people] * 3 + story["places"]
        title = [rng.choice(names), *rng.sample(story["topic"], min(3, len(story["topic"])))]
        title += self.background(rng.randint(2, 5))
        rng.shuffle(title)
        sentences = []
        for _ in range(rng.randint(8, 20)):
            words = self.background(rng.randint(10, 24))
            for _ in range(rng.randint(1, 3)):
                words.insert(rng.randrange(len(words)), rng.choice(story["topic"]))
            if rng.random() < 0.6:
                words.insert(rng.randrange(len(words)), rng.choice(names))
            sentences.append(_sentence_case(" ".join(words)) + ".")
        return _sentence_case(" ".join(title)), " ".join(sentences)

    def __iter__(self):
        rng = self.rng
        start = datetime(2023, 5, 1)
        recent: list[tuple[str, str, str]] = []
        # Story sizes follow a long tail: a few big stories, many small ones.
        story_weights = list(_accumulate(1 / (i + 1) ** 0.8 for i in range(len(self.stories))))
        for i in range(self.size):
            published = (start + timedelta(seconds=i * 63_072_000 // self.size)).isoformat()
            if recent and rng.random() < 0.10:
                url, title, text = rng.choice(recent[-2000:])
                words = text.split()
                for _ in range(rng.randint(1, 4)):
                    words[rng.randrange(len(words))] = rng.choice(self.words[:5000])
                text = " ".join(words[: -rng.randint(0, 12) or None])
                yield f"https://example.com/n/{i}", title, text, published
                continue
            story = rng.choices(self.stories, cum_weights=story_weights)[0]
            title, text = self.article(story)
            url = f"https://example.com/a/{i}"
            recent.append((url, title, text))
            if len(recent) > 4000:
                del recent[:2000]
            yield url, title, text, published


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def _accumulate(values):
    total = 0.0
    for v in values:
        total += v
        yield total


def produce(size: int, queue, chunk: int = 1000) -> None:
    """Worker process: the corpus with each article's MinHash, in chunks (None ends it)."""
    rows = []
    for row in Corpus(size):
        sig = neardup.signature(row[2])
        rows.append((*row, neardup.to_blob(sig), neardup.band_keys(sig)))
        if len(rows) >= chunk:
            queue.put(rows)
            rows = []
    queue.put(rows)
    queue.put(None)


def build(db_path: Path, size: int, batch: int) -> float:
    """Store ``size`` articles through StorePipeline; returns articles per second.

    A second process makes the texts and fingerprints while this one stores them.
    """
    import multiprocessing

    from scrapy.utils.test import get_crawler

    from crawler.items import ArticleItem
    from pipelines.store import StorePipeline

    db = dbmod.connect(db_path)
    crawler = get_crawler(
        settings_dict={
            "NEWSAGG_DB": str(db_path),
            "NEWSAGG_RUN_ID": dbmod.start_run(db, {"bench": "scale"}),
            "NEWSAGG_SOURCE_IDS": [1],
            "NEWSAGG_BATCH_SIZE": batch,
        }
    )
    db.close()
    store = StorePipeline.from_crawler(crawler)
    store.open_spider()
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=16)
    producer = context.Process(target=produce, args=(size, queue), daemon=True)
    producer.start()
    n = 0
    while (rows := queue.get()) is not None:
        for url, title, text, published, blob, keys in rows:
            store.process_item(
                ArticleItem(
                    url=url,
                    canonical_url=url,
                    outlet="example",
                    via="sitemap",
                    http_status=200,
                    title=title,
                    text=text,
                    published=published,
                    language="en",
                    word_count=len(text.split()),
                    access="full",
                    minhash=blob,
                    lsh_keys=keys,
                )
            )
            n += 1
            if n % 100_000 == 0:
                rate = n / (time.perf_counter() - started)
                print(f"  {n} stored, {rate:.0f}/s", file=sys.stderr, flush=True)
    producer.join()
    store.close_spider()
    return size / (time.perf_counter() - started)


def make_queries(db, count: int, seed: int = 3) -> list[str]:
    """Queries as people type them: a name, a word, or a 1-3 word phrase from a stored title.

    Titles are sampled by random rowid (cheap on a million rows); stopwords never make a
    query on their own.
    """
    import wordfreq

    rng = random.Random(seed)
    top = db.execute("select max(rowid) from articles").fetchone()[0]
    queries: list[str] = []
    while len(queries) < count:
        row = db.execute("select title from articles where rowid = ?", [rng.randint(1, top)])
        title = (row.fetchone() or [""])[0] or ""
        words = [w.strip(".,") for w in title.split()]
        content = [w for w in words if w and wordfreq.zipf_frequency(w, "en") < STOPWORD_ZIPF]
        if not content:
            continue
        roll = rng.random()
        names = [w for w in content if w[0].isupper() and not wordfreq.zipf_frequency(w, "en")]
        if roll < 0.3 and names:
            queries.append(rng.choice(names))  # a name
        elif roll < 0.55:
            queries.append(rng.choice(content))  # one word
        elif roll < 0.8:
            start = rng.randrange(len(words) - 1) if len(words) > 1 else 0
            queries.append('"' + " ".join(words[start : start + 2]) + '"')  # a phrase
        else:
            queries.append(" ".join(rng.sample(content, min(len(content), rng.randint(2, 3)))))
    return queries


def timed_search(db, query: str) -> tuple[float, int]:
    start = time.perf_counter()
    rows = dbmod.search(db, query, limit=20)
    return (time.perf_counter() - start) * 1000, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="the store (built first if missing)")
    parser.add_argument("--size", type=int, default=1_000_000, help="articles, when building")
    parser.add_argument("--batch", type=int, default=2000, help="rows per transaction, building")
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    figures: dict = {}
    if not Path(args.db).exists():
        t0 = time.perf_counter()
        figures["build_articles_per_second"] = round(build(Path(args.db), args.size, args.batch))
        figures["build_minutes"] = round((time.perf_counter() - t0) / 60, 1)
    db = dbmod.connect(args.db)
    total = db.execute("select count(*) from articles").fetchone()[0]
    if not db.execute("select 1 from coverage limit 1").fetchone():
        with dbmod.immediate(db):
            db.execute(
                "insert or ignore into sources (id, title, text, tracked) values (1, 'bench', '', 0)"
            )
            db.execute(
                "insert into coverage (source_id, article_id, score, matched, linked_at) "
                "select 1, id, 0.5, '{}', first_seen from articles"
            )
    queries = make_queries(db, args.queries)
    for query in queries[:10]:  # warm the page cache the way a used database is
        dbmod.search(db, query)
    timings = sorted(timed_search(db, q)[0] for q in queries)
    matches = sorted(
        db.execute("select count(*) from articles_fts where articles_fts match ?", [q]).fetchone()[
            0
        ]
        for q in queries
    )
    common = [
        w
        for w in vocabulary(2000)[0]
        if STOPWORD_ZIPF - 0.5 <= __import__("wordfreq").zipf_frequency(w, "en") < STOPWORD_ZIPF
    ][:5]
    worst = {w: round(timed_search(db, w)[0], 1) for w in common}
    export = run_measured(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "export",
            "--include-duplicates",
            "--db",
            args.db,
            "-o",
            "/dev/null",
        ],
        cwd=ROOT,
    )
    texts = [r[0] for r in db.execute("select text from articles order by random() limit 200")]
    index = NearDuplicateIndex(db.conn, 0.7)
    sigs = [neardup.signature(t) for t in texts]
    keys = [neardup.band_keys(s) for s in sigs]
    start = time.perf_counter()
    for sig, key in zip(sigs, keys, strict=True):
        index.similar(sig, key, "-")
    lookup_ms = (time.perf_counter() - start) / len(sigs) * 1000
    figures |= {
        "articles": total,
        "query_examples": " | ".join(queries[:8]),
        "query_matches_p50": matches[len(matches) // 2],
        "query_matches_max": matches[-1],
        "fts_query_ms_p50": round(statistics.median(timings), 2),
        "fts_query_ms_p95": round(timings[int(0.95 * len(timings)) - 1], 2),
        "fts_common_word_ms": worst,
        "export_seconds": round(export["wall_seconds"], 1),
        "export_peak_rss_mb": round(export["peak_rss_mb"], 1),
        "export_lines": export["stderr"].strip().split()[1] if export["stderr"] else None,
        "near_duplicate_lookup_ms": round(lookup_ms, 3),
        "db_mb": round(os.path.getsize(args.db) / 2**20),
    }
    for key, value in figures.items():
        print(f"{key:26} {value}")


if __name__ == "__main__":
    main()

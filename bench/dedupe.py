"""Duplicate detection at scale through the real dedupe and store pipelines (not a test).

    python bench/dedupe.py [--size 100000] [--db PATH]

Builds a synthetic corpus with known structure: base articles, 10 % near-duplicates with
light edits (a few words changed, a tail cut), 2 % wire copies at another outlet that credit
the original in their dateline; stores it through DedupePipeline and StorePipeline into a
fresh SQLite file, and prints precision and recall of duplicate detection, inserts per second,
the lookup time per article against the full store, the DB size and the machine's cores.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scrapy.utils.test import get_crawler  # noqa: E402

from crawler import db as dbmod  # noqa: E402
from crawler import neardup  # noqa: E402
from crawler.items import ArticleItem  # noqa: E402
from crawler.urls import url_id  # noqa: E402
from pipelines.dedupe import DedupePipeline  # noqa: E402
from pipelines.store import StorePipeline  # noqa: E402

VOCABULARY = [f"w{i}" for i in range(20000)]
WEIGHTS = [1 / (i + 10) for i in range(len(VOCABULARY))]  # Zipf-like word frequencies


def corpus(size: int, seed: int = 1):
    """Yield (url, outlet, text, original url or None) in publication order."""
    rng = random.Random(seed)
    bases: list[tuple[str, str]] = []
    for i in range(size):
        roll = rng.random()
        if bases and roll < 0.10:
            url, text = rng.choice(bases[-5000:])
            words = text.split()
            for _ in range(rng.randint(1, 4)):
                words[rng.randrange(len(words))] = rng.choice(VOCABULARY)
            if rng.random() < 0.5:
                words = words[: -rng.randint(3, 12)]
            yield f"https://example.com/n/{i}", "example", " ".join(words), url
        elif bases and roll < 0.12:
            url, text = rng.choice(bases[-5000:])
            yield (
                f"https://www.koreaherald.com/article/{10_000_000 + i}",
                "koreaherald",
                ("SEOUL, April 24 (Yonhap) -- " + text),
                url,
            )
        else:
            words = rng.choices(VOCABULARY, WEIGHTS, k=rng.randint(150, 400))
            text = " ".join(words)
            url = f"https://example.com/a/{i}"
            bases.append((url, text))
            yield url, "example", text, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--db", help="keep the store here (default: a temporary file)")
    parser.add_argument("--probes", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(args.db or Path(tmp) / "dedupe.db")
        db = dbmod.connect(db_path)
        crawler = get_crawler(
            settings_dict={
                "NEWSAGG_DB": str(db_path),
                "NEWSAGG_RUN_ID": dbmod.start_run(db, {}),
                "NEWSAGG_SOURCE_IDS": [1],
                "NEWSAGG_BATCH_SIZE": 500,
                "NEWSAGG_NEAR_DUPLICATE_SIMILARITY": 0.7,
            }
        )
        dedupe, store = DedupePipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)
        store.open_spider()
        truth, predicted, cluster = {}, {}, {}
        started = time.perf_counter()
        elapsed = 0.0  # only the pipelines are timed, not the corpus generator
        for n, (url, outlet, text, original) in enumerate(corpus(args.size), 1):
            item = ArticleItem(
                url=url,
                canonical_url=url,
                outlet=outlet,
                via="sitemap",
                http_status=200,
                title=text[:40],
                text=text,
                word_count=len(text.split()),
                access="full",
            )
            t0 = time.perf_counter()
            dedupe.process_item(item)
            store.process_item(item)
            elapsed += time.perf_counter() - t0
            own = url_id(url)
            cluster[own] = cluster.get(url_id(original), url_id(original)) if original else own
            if original:
                truth[own] = cluster[own]
            if item.duplicate_of:
                predicted[own] = cluster.get(item.duplicate_of, item.duplicate_of)
            if n % 100_000 == 0:
                print(
                    f"  {n} stored, {n / elapsed:.0f}/s, {time.perf_counter() - started:.0f} s",
                    file=sys.stderr,
                )
        t0 = time.perf_counter()
        store.close_spider()
        elapsed += time.perf_counter() - t0
        correct = sum(1 for k, v in predicted.items() if truth.get(k) == v)
        # Lookups against the full store: fresh light edits of stored bases, and new texts.
        rng = random.Random(7)
        stored = [
            r[0]
            for r in db.execute(
                "select text from articles where duplicate_of is null order by random() limit ?",
                [args.probes],
            )
        ]
        probes = []
        for text in stored:
            words = text.split()
            words[rng.randrange(len(words))] = "probe"
            probes.append(" ".join(words))
        sigs = [neardup.signature(t) for t in probes]
        keys = [neardup.band_keys(s) for s in sigs]
        t0 = time.perf_counter()
        found = sum(1 for s, k in zip(sigs, keys, strict=True) if dedupe.index.similar(s, k, "-"))
        lookup_ms = (time.perf_counter() - t0) / len(probes) * 1000
        dedupe.close_spider()
        size_mb = db_path.stat().st_size / 2**20
    figures = {
        "articles_stored": args.size,
        "true_duplicates": len(truth),
        "detected": len(predicted),
        "precision": round(correct / len(predicted), 4) if predicted else None,
        "recall": round(correct / len(truth), 4) if truth else None,
        "inserts_per_second": round(args.size / elapsed, 1),
        "lookup_ms_per_article": round(lookup_ms, 3),
        "probe_recall": round(found / len(probes), 4),
        "db_mb": round(size_mb, 1),
        "cores": os.cpu_count(),
    }
    for key, value in figures.items():
        print(f"{key:24} {value}")


if __name__ == "__main__":
    main()

"""Queries at scale on a store of many articles (not a test).

    python bench/dedupe.py --size 1000000 --db /tmp/big.db   # builds the store (slow)
    python bench/scale.py --db /tmp/big.db

Links every stored article to one source (so that `export` has coverage to stream), then
prints: full-text search time over 100 queries (p50, p95), `newsagg export` time and its
peak RSS (export streams), and the near-duplicate lookup time per article.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler import db as dbmod  # noqa: E402
from crawler import neardup  # noqa: E402
from pipelines.dedupe import NearDuplicateIndex  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="a store built by bench/dedupe.py")
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args()
    db = dbmod.connect(args.db)
    total = db.execute("select count(*) from articles").fetchone()[0]
    if not db.execute("select count(*) from coverage").fetchone()[0]:
        with dbmod.immediate(db):
            db.execute(
                "insert or ignore into sources (id, title, text, tracked) values (1, 'bench', '', 0)"
            )
            db.execute(
                "insert into coverage (source_id, article_id, score, matched, linked_at) "
                "select 1, id, 0.5, '{}', first_seen from articles"
            )
    rng = random.Random(3)
    words = [f"w{rng.randrange(20, 2000)}" for _ in range(args.queries)]
    timings = []
    for word in words:
        start = time.perf_counter()
        list(db.table("articles").search(word, limit=20, columns=["id", "title"]))
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    start = time.perf_counter()
    export = subprocess.run(
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
        capture_output=True,
        text=True,
        check=True,
    )
    export_seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    texts = [r[0] for r in db.execute("select text from articles order by random() limit 200")]
    index = NearDuplicateIndex(db.conn, 0.7)
    sigs = [neardup.signature(t) for t in texts]
    keys = [neardup.band_keys(s) for s in sigs]
    start = time.perf_counter()
    for sig, key in zip(sigs, keys, strict=True):
        index.similar(sig, key, "-")
    lookup_ms = (time.perf_counter() - start) / len(sigs) * 1000
    figures = {
        "articles": total,
        "fts_query_ms_p50": round(statistics.median(timings), 2),
        "fts_query_ms_p95": round(timings[int(0.95 * len(timings)) - 1], 2),
        "export_seconds": round(export_seconds, 1),
        "export_peak_rss_mb": round(rss, 1),
        "export_lines": export.stderr.strip().split()[1] if export.stderr else None,
        "near_duplicate_lookup_ms": round(lookup_ms, 3),
    }
    for key, value in figures.items():
        print(f"{key:26} {value}")


if __name__ == "__main__":
    main()

"""Throughput of the full crawl against a generated replica-shaped site (not a test).

    python bench/throughput.py [--articles 1000]

Generates a Yonhap-shaped site of N articles (recombined from the replica's own texts: a mix
of related and unrelated pieces, all inside the news sitemap), serves it on 127.0.0.1, runs the
real `newsagg crawl` against it into a fresh DB, and prints articles per second, CPU seconds
and the crawl process's peak memory.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.replica import Replica  # noqa: E402
from crawler.replica_sites import load_content  # noqa: E402
from crawler.replica_sites.yonhap import build as build_yonhap  # noqa: E402

SNAPSHOT = datetime.fromisoformat("2025-04-25T12:00:00+09:00")


def synthetic_content(count: int, seed: int = 7) -> dict:
    """N articles recombined from the replica's texts, ids unique, dates in the last 47 hours."""
    rng = random.Random(seed)
    templates = load_content("yonhap", ROOT / "data" / "replica" / "content")["articles"]
    articles = []
    for i in range(count):
        base = rng.choice(templates)
        published = SNAPSHOT - timedelta(minutes=rng.randrange(0, 47 * 60))
        paragraphs = list(base["paragraphs"])
        rng.shuffle(paragraphs[1:])
        articles.append(
            {
                **base,
                "id": f"AEN{published:%Y%m%d}{i % 10000:04d}00{base['id'][-3:]}",
                "title": f"{base['title']} ({i})",
                "published": published.isoformat(timespec="seconds"),
                "paragraphs": paragraphs,
            }
        )
    return {"articles": articles}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--workers", default="auto", help="NEWSAGG_EXTRACT_WORKERS (0: in-process)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "yonhap"
        build_yonhap(synthetic_content(args.articles), site, SNAPSHOT.isoformat())
        db = Path(tmp) / "bench.db"
        with Replica(["yonhap"], root=Path(tmp)) as replica:
            start = time.perf_counter()
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "crawler.cli",
                    "crawl",
                    "--outlet",
                    "yonhap",
                    "--db",
                    str(db),
                    "--outlet-url",
                    f"yonhap={replica.base_urls['yonhap']}",
                    "-s",
                    "NEWSAGG_PROGRESS_INTERVAL=0",
                    "-s",
                    f"NEWSAGG_EXTRACT_WORKERS={args.workers}",
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"crawl failed:\n{result.stderr}")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        with sqlite3.connect(db) as conn:
            stored = conn.execute("select count(*) from articles").fetchone()[0]
            candidates = conn.execute("select count(*) from discoveries").fetchone()[0]
            stats = json.loads(conn.execute("select stats from runs").fetchone()[0])["yonhap"]
    figures = {
        "articles_in_site": args.articles,
        "candidates": stats.get("newsagg/candidates"),
        "articles_fetched_and_stored": stored,
        "discoveries_rows": candidates,
        "wall_seconds": round(wall, 2),
        "articles_per_second": round(stored / wall, 1),
        "candidates_per_second": round((stats.get("newsagg/candidates") or 0) / wall, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }
    for key, value in figures.items():
        print(f"{key:30} {value}")


if __name__ == "__main__":
    main()

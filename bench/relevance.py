"""Relevance on the replica: precision, recall and fetch cost per source (not a test).

    python bench/relevance.py [--source FILE] [--published DATE]

Crawls the bundled replica with the real `newsagg crawl --replica` into a fresh DB, then
compares the `coverage` rows with the replica's labels (data/replica/content/*.json: every
article is `related`, `background` or `unrelated` for the seed story) and prints, per outlet
and overall: precision, recall, F1, background and unrelated articles linked, and article
fetches per related article found.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "data" / "replica" / "content"
sys.path.insert(0, str(ROOT))

from crawler.replica_sites import URL_TEMPLATES, replica_articles  # noqa: E402


def labels() -> dict[str, tuple[str, str]]:
    """canonical URL -> (outlet, label) for every replica article."""
    return {url: (outlet, a["label"]) for url, (outlet, a) in replica_articles(CONTENT).items()}


def evaluate(db: Path, source_id: int = 1) -> dict[str, dict]:
    truth = labels()
    with sqlite3.connect(db) as conn:
        linked = {
            u
            for (u,) in conn.execute(
                "select a.canonical_url from coverage c join articles a on a.id = c.article_id "
                "where c.source_id = ?",
                [source_id],
            )
        }
        fetched = {u for (u,) in conn.execute("select canonical_url from articles")}
    report = {}
    for outlet in [*URL_TEMPLATES, "all"]:
        mine = {u: lab for u, (o, lab) in truth.items() if outlet in ("all", o)}
        related = {u for u, lab in mine.items() if lab == "related"}
        hits = linked & mine.keys()
        tp = len(hits & related)
        precision = tp / len(hits) if hits else 0.0
        recall = tp / len(related) if related else 0.0
        kinds = Counter(mine[u] for u in hits)
        report[outlet] = {
            "related": len(related),
            "linked": len(hits),
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(2 * precision * recall / (precision + recall), 3) if tp else 0.0,
            "background_linked": kinds["background"],
            "unrelated_linked": kinds["unrelated"],
            "fetches_per_related_found": round(len(fetched & mine.keys()) / tp, 2) if tp else None,
            "unrelated_left_unfetched": round(
                1
                - len(fetched & {u for u, lab in mine.items() if lab == "unrelated"})
                / max(1, sum(lab == "unrelated" for lab in mine.values())),
                3,
            ),
        }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", help="source piece (default: the bundled one)")
    parser.add_argument("--published", help="its publication day, if it has none")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        command = [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            "--replica",
            "--db",
            str(db),
            "-s",
            "NEWSAGG_PROGRESS_INTERVAL=0",
        ]
        if args.source:
            command += ["--source", args.source]
        if args.published:
            command += ["--published", args.published]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            sys.exit(f"crawl failed:\n{result.stderr}")
        report = evaluate(db)
    columns = list(next(iter(report.values())))
    print(f"{'outlet':12} " + " ".join(f"{c:>10.10}" for c in columns))
    for outlet, row in report.items():
        print(f"{outlet:12} " + " ".join(f"{row[c]!s:>10.10}" for c in columns))


if __name__ == "__main__":
    main()

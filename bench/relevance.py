"""Relevance on the replica: precision, recall and fetch cost for each source piece (not a test).

    python bench/relevance.py [--source FILE --published DATE --story KEY]

For each source piece (by default: the bundled one, the seed in ../shared/seed/ when it is
there, and the second story's piece, data/sources/nk-destroyer-choe-hyon.txt), crawls the
replica with the real `newsagg crawl --replica` into a fresh DB (the snapshot is the one the
crawl picks for the piece's date), then compares the `coverage` rows with the replica's labels
(data/replica/content/*.json: `label` related/background/unrelated for the 2+2 story,
`story`/`story_label` for the others). Only articles the snapshot had published count. Prints,
per outlet and overall: precision, recall, F1, background and unrelated articles linked,
article fetches per related article found, the share of unrelated candidates (articles
discovery found) left unfetched,
and related articles the pre-filter skipped.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "data" / "replica" / "content"
SEED = ROOT.parent / "shared" / "seed" / "source-piece.txt"
sys.path.insert(0, str(ROOT))

from crawler.replica.sites import LATER_SNAPSHOTS, SNAPSHOT, URL_TEMPLATES, replica_articles  # noqa: E402

# name -> (source file, its publication day if it has none, story key in the labels)
SOURCES = {
    "bundled": (ROOT / "data" / "sources" / "korea-us-2plus2-talks.txt", None, None),
    "seed": (SEED, "2025-04-22", None),
    "second (destroyer)": (
        ROOT / "data" / "sources" / "nk-destroyer-choe-hyon.txt",
        None,
        "destroyer",
    ),
}


def label_of(article: dict, story: str | None) -> str:
    if story is None:
        return article["label"]
    return article.get("story_label", "unrelated") if article.get("story") == story else "unrelated"


def labels(story: str | None, until: datetime) -> dict[str, tuple[str, str]]:
    """canonical URL -> (outlet, label) for every replica article published by ``until``."""
    return {
        url: (outlet, label_of(a, story))
        for url, (outlet, a) in replica_articles(CONTENT).items()
        if datetime.fromisoformat(a["published"].replace("Z", "+00:00")) <= until
    }


def evaluate(db: Path, truth: dict[str, tuple[str, str]], source_id: int = 1) -> dict[str, dict]:
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
        candidates = {u for (u,) in conn.execute("select url from discoveries")} | fetched
        prefiltered = {
            u
            for (u,) in conn.execute(
                "select url from discoveries where source_id = ? and reason = 'prefilter-score'",
                [source_id],
            )
        }
    report = {}
    for outlet in [*URL_TEMPLATES, "all"]:
        mine = {u: lab for u, (o, lab) in truth.items() if outlet in ("all", o)}
        related = {u for u, lab in mine.items() if lab == "related"}
        unrelated = {u for u, lab in mine.items() if lab == "unrelated"}
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
            # Of the unrelated articles discovery found (candidates), the share never fetched.
            "unrelated_left_unfetched": round(
                1 - len(fetched & unrelated) / max(1, len(candidates & unrelated)), 3
            ),
            "related_lost_in_prefilter": len(related & prefiltered),
        }
    return report


def crawl(db: Path, source: Path, published: str | None) -> None:
    command = [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        "--replica",
        "--db",
        str(db),
        "--source",
        str(source),
        "-s",
        "NEWSAGG_PROGRESS_INTERVAL=0",
    ]
    if published:
        command += ["--published", published]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"crawl of {source} failed:\n{result.stderr}")


def crawled_snapshot(db: Path) -> str:
    """The replica snapshot the crawl served (recorded in its `runs` row)."""
    with sqlite3.connect(db) as conn:
        (day,) = conn.execute("select json_extract(args, '$.replica_at') from runs").fetchone()
    return day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", help="one source piece instead of the default three")
    parser.add_argument("--published", help="its publication day, if it has none")
    parser.add_argument("--story", help="its story key in the labels (default: the 2+2 story)")
    args = parser.parse_args()
    sources = (
        {args.source: (Path(args.source), args.published, args.story)}
        if args.source
        else {k: v for k, v in SOURCES.items() if v[0].exists()}
    )
    snapshot_times = {s[:10]: datetime.fromisoformat(s) for s in (SNAPSHOT, *LATER_SNAPSHOTS)}
    for name, (path, published, story) in sources.items():
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            crawl(db, path, published)
            snapshot = crawled_snapshot(db)
            report = evaluate(db, labels(story, snapshot_times[snapshot]))
        print(f"\n{name}: {path.name} (replica snapshot {snapshot})")
        columns = list(next(iter(report.values())))
        print(f"{'outlet':12} " + " ".join(f"{c:>10.10}" for c in columns))
        for outlet, row in report.items():
            print(f"{outlet:12} " + " ".join(f"{row[c]!s:>10.10}" for c in columns))


if __name__ == "__main__":
    main()

"""Relevance on the replica: precision, recall and fetch cost for each source piece (not a test).

    python bench/relevance.py [--only NAME] [--source FILE --published DATE --story KEY
                              --true-date DAY]

For each source piece (by default: the bundled one, the seed in ../shared/seed/ when it is
there, the second story's piece, data/sources/nk-destroyer-choe-hyon.txt, and the third and
fourth stories' pieces, data/sources/lee-jae-myung-election-win.txt and
lee-trump-summit-washington.txt), crawls the replica with the real `newsagg crawl --replica`
into a fresh DB (the snapshot is the one the crawl picks for the piece's date), then compares
the `coverage` rows with the replica's labels (data/replica/content/*.json: `label`
related/background/unrelated and `tier` event/background for the 2+2 story,
`story`/`story_label` for the others, `story_label` event (or related)/background/unrelated,
`hard_negative` on unrelated articles that share the story's people or places).

An undated piece with a known true date (the seed, the election piece) runs twice: without
`--published` (the crawl must infer the date; it runs at the snapshot of the true day, as a
user follows a story while it is news) and with `--published` set to the true date. Its
labels are counted as of the snapshot the true date picks, so a wrong inferred date shows as
lost recall. Otherwise only articles the crawled snapshot had published count.

Prints, per outlet and overall: precision, recall, F1, background and unrelated articles
linked, article fetches per related article found, the share of unrelated candidates (articles
discovery found) left unfetched, related articles the pre-filter skipped; then the tiers:
event articles, recall of the event's coverage (`ev_recall`), precision of the links with tier
`event` (`ev_prec`, an untiered link counts as event), background articles linked as event
(`bg_as_ev`), event articles linked as background (`ev_as_bg`) and hard negatives linked
(`hardneg_lk`).
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

from crawler.replica import snapshot_for  # noqa: E402
from crawler.replica.sites import LATER_SNAPSHOTS, SNAPSHOT, URL_TEMPLATES, replica_articles  # noqa: E402

SOURCE_DIR = ROOT / "data" / "sources"
# name -> (source file, the day to pass as --published, story key in the labels, true day).
# The true day is set for pieces that carry no date (none in a sidecar, none with a year in the
# text); such a piece is run both without --published and with --published <true day>.
SOURCES = {
    "bundled": (SOURCE_DIR / "korea-us-2plus2-talks.txt", None, None, None),
    # The seed says "April 24" and "earlier this week" but never its own date or a year; its
    # coverage says it was written on 2025-04-22.
    "seed": (SEED, None, None, "2025-04-22"),
    "second (destroyer)": (SOURCE_DIR / "nk-destroyer-choe-hyon.txt", None, "destroyer", None),
    # Short, scraped, undated: "Tuesday's snap presidential election", "on Wednesday",
    # "June 3". True date: 2025-06-04, the day Lee was sworn in (snapshot 2025-06-06).
    "third (election)": (
        SOURCE_DIR / "lee-jae-myung-election-win.txt",
        None,
        "election",
        "2025-06-04",
    ),
    # Dated 2025-08-26 in its sidecar: the day after the Lee-Trump summit of 2025-08-25 (ET).
    "fourth (summit)": (SOURCE_DIR / "lee-trump-summit-washington.txt", None, "summit", None),
}


# Articles labelled for another story that are this story's background (the same subject,
# another event): for the Lee-Trump summit, the April 2025 2+2 talks (the 2+2 story's related
# articles) and the July 2025 2+2 round, earlier stages of the trade deal the summit followed up.
JULY_2PLUS2 = {
    "https://en.yna.co.kr/view/AEN20250722348000320",
    "https://en.yna.co.kr/view/AEN20250724402600320",
    "https://www.koreaherald.com/article/10549320",
    "https://www.koreaherald.com/article/10551480",
    "https://www.reuters.com/world/asia-pacific/south-korea-trade-minister-yeo-presses-us-ahead-august-deadline-2025-07-22",
    "https://www.reuters.com/world/asia-pacific/south-korea-us-2-2-trade-talks-postponed-bessent-schedule-2025-07-24",
    "https://asia.nikkei.com/economy/trade-war/south-korea-us-2-2-trade-talks-postponed-over-bessent-schedule",
}
BACKGROUND_FROM_OTHER_STORIES = {
    "summit": lambda url, a: (
        a.get("story") is None and (a["label"] == "related" or url in JULY_2PLUS2)
    ),
}


def label_of(article: dict, story: str | None, url: str = "") -> str:
    """related/background/unrelated, as the precision and recall columns count them."""
    if story is None:
        return article["label"]
    if article.get("story") != story:
        other = BACKGROUND_FROM_OTHER_STORIES.get(story)
        return "background" if other and other(url, article) else "unrelated"
    label = article.get("story_label", "unrelated")
    return "related" if label == "event" else label


def tier_of(article: dict, story: str | None, url: str = "") -> str:
    """event/background/unrelated: the article's tier for this story."""
    if story is None:
        if article["label"] == "related":
            return article.get("tier") or "event"
        return "background" if article["label"] == "background" else "unrelated"
    if article.get("story") != story:
        return label_of(article, story, url)
    label = article.get("story_label", "unrelated")
    return "event" if label in ("event", "related") else label


def is_hard_negative(article: dict, story: str | None) -> bool:
    if story is None:
        return "hard negative" in article.get("event", "")
    return article.get("story") == story and bool(article.get("hard_negative"))


def labels(story: str | None, until: datetime) -> dict[str, tuple[str, str, str, bool]]:
    """canonical URL -> (outlet, label, tier, hard negative) for every replica article published
    by ``until``."""
    return {
        url: (outlet, label_of(a, story, url), tier_of(a, story, url), is_hard_negative(a, story))
        for url, (outlet, a) in replica_articles(CONTENT).items()
        if datetime.fromisoformat(a["published"].replace("Z", "+00:00")) <= until
    }


def evaluate(
    db: Path, truth: dict[str, tuple[str, str, str, bool]], source_id: int = 1
) -> dict[str, dict]:
    with sqlite3.connect(db) as conn:
        has_tier = any(row[1] == "tier" for row in conn.execute("pragma table_info(coverage)"))
        tier_sql = "coalesce(c.tier, 'event')" if has_tier else "'event'"
        link_tiers = dict(
            conn.execute(
                f"select a.canonical_url, {tier_sql} from coverage c "
                "join articles a on a.id = c.article_id where c.source_id = ?",
                [source_id],
            ).fetchall()
        )
        linked = set(link_tiers)
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
        mine = {u: lab for u, (o, lab, _, _) in truth.items() if outlet in ("all", o)}
        tiers = {u: tier for u, (o, _, tier, _) in truth.items() if outlet in ("all", o)}
        hard = {u for u, (o, _, _, h) in truth.items() if h and outlet in ("all", o)}
        event = {u for u, tier in tiers.items() if tier == "event"}
        as_event = {u for u in linked & tiers.keys() if link_tiers[u] == "event"}
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
            "event": len(event),
            "ev_recall": round(len(linked & event) / len(event), 3) if event else None,
            "ev_prec": round(len(as_event & event) / len(as_event), 3) if as_event else None,
            "bg_as_ev": sum(1 for u in as_event if tiers[u] == "background"),
            # Event coverage linked, but put under background.
            "ev_as_bg": len((linked & event) - as_event),
            "hardneg_lk": len(linked & hard),
        }
    return report


def crawl(db: Path, source: Path, published: str | None, replica_at: str | None = None) -> None:
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
    if replica_at:
        command += ["--replica-at", replica_at]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"crawl of {source} failed:\n{result.stderr}")


def crawled_snapshot(db: Path) -> str:
    """The replica snapshot the crawl served (recorded in its `runs` row)."""
    with sqlite3.connect(db) as conn:
        (day,) = conn.execute("select json_extract(args, '$.replica_at') from runs").fetchone()
    return day


def runs(sources: dict) -> list[tuple[str, Path, str | None, str | None, str | None]]:
    """(name, path, --published, story, true day) per crawl: an undated piece with a known
    true date twice, without and with --published."""
    out = []
    for name, (path, published, story, true_day) in sources.items():
        if published is None and true_day:
            out.append((f"{name}, undated", path, None, story, true_day))
            out.append((f"{name}, --published {true_day}", path, true_day, story, true_day))
        else:
            out.append((name, path, published, story, true_day))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", help="only the default sources whose name contains this")
    parser.add_argument("--source", help="one source piece instead of the default ones")
    parser.add_argument("--published", help="its publication day, if it has none")
    parser.add_argument("--story", help="its story key in the labels (default: the 2+2 story)")
    parser.add_argument(
        "--true-date", help="its true day, when it has none: labels as of that day's snapshot"
    )
    args = parser.parse_args()
    sources = (
        {args.source: (Path(args.source), args.published, args.story, args.true_date)}
        if args.source
        else {
            k: v for k, v in SOURCES.items() if v[0].exists() and (not args.only or args.only in k)
        }
    )
    snapshot_times = {s[:10]: datetime.fromisoformat(s) for s in (SNAPSHOT, *LATER_SNAPSHOTS)}
    for name, path, published, story, true_day in runs(sources):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            # A user follows a story while it is news: an undated piece is crawled at the
            # snapshot of its true day (the crawl cannot pick it from a date it lacks).
            at = snapshot_for([true_day]) if true_day and not published else None
            crawl(db, path, published, at)
            snapshot = crawled_snapshot(db)
            # The coverage a correct date would have let the crawl see.
            expected = snapshot_for([true_day]) if true_day else snapshot
            report = evaluate(db, labels(story, snapshot_times[expected]))
        note = "" if expected == snapshot else f"; the true date's snapshot is {expected}"
        print(f"\n{name}: {path.name} (replica snapshot {snapshot}{note})")
        columns = list(next(iter(report.values())))
        print(f"{'outlet':12} " + " ".join(f"{c:>10.10}" for c in columns))
        for outlet, row in report.items():
            print(f"{outlet:12} " + " ".join(f"{row[c]!s:>10.10}" for c in columns))


if __name__ == "__main__":
    main()

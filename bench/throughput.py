"""Throughput of the full crawl against a generated replica-shaped site (not a test).

    python bench/throughput.py [--articles 2000] [--workers auto]

Generates a Yonhap-shaped site of N articles recombined from the replica's own texts: related
and unrelated pieces, exact copies under a second URL, near-copies (a few words changed, the
last paragraph cut) and one pathological page (about 5 MB of tiny nested elements), all in the
news sitemap. Serves it on 127.0.0.1 and, one after the other, each in its own process:

- ``full``: the real `newsagg crawl` (politeness off for the local host, as for the replica);
- ``full-all-pages``: the same with the pre-filter off, so it fetches every page as the naive
  spider does (the like-for-like comparison);
- ``full-no-pathological``: the same site with the pathological page rendered normally;
- ``naive-no-pathological``: bench/naive_spider.py on that same site: a plain Scrapy spider
  calling trafilatura in its callback and inserting each item with sqlite-utils, with the same
  concurrency and no delay;
- ``naive`` (only if asked with --runs: trafilatura spends minutes on the pathological page
  in the crawl process, stalling everything else): the naive spider on the full site.

For each run it prints wall seconds, articles per second, CPU seconds (the run and all its
child processes) and peak RSS: of the main process, and of all its processes together (sampled
from /proc every 50 ms). Then the ratios full/naive (like for like: both on the same site) and the cost of the
pathological page.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.replica import Replica  # noqa: E402
from crawler.replica.sites import load_content  # noqa: E402
from crawler.replica.sites.yonhap import build as build_yonhap  # noqa: E402

SNAPSHOT = datetime.fromisoformat("2025-04-25T12:00:00+09:00")
# Shares of the generated articles (the rest are originals, ~40 % of them related).
EXACT_COPIES = 0.06
NEAR_COPIES = 0.06
PATHOLOGICAL_MB = 5


def synthetic_content(count: int, seed: int = 7) -> tuple[dict, str]:
    """N articles recombined from the replica's texts, ids unique, dates in the last 47 hours.

    Returns the content and the id of the article whose page is made pathological.
    """
    rng = random.Random(seed)
    templates = load_content("yonhap", ROOT / "data" / "replica" / "content")["articles"]
    related = [t for t in templates if t["label"] == "related"]
    others = [t for t in templates if t["label"] != "related"]
    articles: list[dict] = []
    for i in range(count):
        published = SNAPSHOT - timedelta(minutes=rng.randrange(0, 47 * 60))
        uid = f"AEN{published:%Y%m%d}{i % 10000:04d}00"
        roll = rng.random()
        originals = [a for a in articles if a["kind"] in ("related", "unrelated")]
        if originals and roll < EXACT_COPIES:
            # The same page under a second URL (a re-posted story, a section alias).
            copy = dict(rng.choice(originals), kind="copy")
            articles.append({**copy, "id": uid + copy["id"][-3:]})
            continue
        if originals and roll < EXACT_COPIES + NEAR_COPIES:
            base = rng.choice(originals)
            paragraphs = list(base["paragraphs"])
            for _ in range(rng.randint(1, 3)):
                p = rng.randrange(len(paragraphs))
                words = paragraphs[p].split()
                words[rng.randrange(len(words))] = rng.choice(("also", "reportedly", "now"))
                paragraphs[p] = " ".join(words)
            if len(paragraphs) > 3:
                paragraphs.pop()
            articles.append(
                {**base, "kind": "near-copy", "id": uid + base["id"][-3:], "paragraphs": paragraphs}
            )
            continue
        pool = related if rng.random() < 0.4 else others
        base = rng.choice(pool)
        # The lead stays; the rest is shuffled, with up to two paragraphs of a sibling.
        body = base["paragraphs"][1:] + rng.choice(pool)["paragraphs"][1:][: rng.randint(0, 2)]
        rng.shuffle(body)
        paragraphs = [base["paragraphs"][0], *body]
        articles.append(
            {
                **base,
                "kind": "related" if pool is related else "unrelated",
                "id": uid + base["id"][-3:],
                "title": f"{base['title']} ({i})",
                "published": published.isoformat(timespec="seconds"),
                "paragraphs": paragraphs,
            }
        )
    # The pathological page: one related original, in the middle of the crawl.
    candidates = [a for a in articles if a["kind"] == "related"]
    victim = candidates[len(candidates) // 2]
    victim["kind"] = "pathological"
    return {"articles": articles}, victim["id"]


def pathological_html(page: str, megabytes: int = PATHOLOGICAL_MB) -> str:
    """The article page with megabytes of tiny nested elements before its body's end."""
    unit = "<div>" * 12 + "".join(f"<span>{c}</span>" for c in "abcde") + "</div>" * 12
    blob = unit * (megabytes * 2**20 // len(unit))
    return page.replace("</article>", f"<div class='widget'>{blob}</div>\n</article>", 1)


def build_site(out: Path, count: int) -> tuple[str, dict]:
    """Render the site; returns the pathological page's id and the counts of each kind."""
    content, victim = synthetic_content(count)
    build_yonhap(content, out, SNAPSHOT.isoformat())
    kinds: dict[str, int] = {}
    for a in content["articles"]:
        kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
    return victim, kinds


def set_pathological(site: Path, victim: str, on: bool) -> None:
    path = site / "view" / f"{victim}.html"
    normal = site / "view" / f"{victim}.normal"
    if not normal.exists():
        normal.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    page = normal.read_text(encoding="utf-8")
    path.write_text(pathological_html(page) if on else page, encoding="utf-8")


# --- measuring one process tree ----------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """The process and all its descendants (children of every thread)."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo += [int(c) for c in handle.read().split()]
        except OSError:
            continue
    return out


def _memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of one process, 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            status = handle.read()
    except OSError:
        return 0, 0
    rss = re.search(r"VmRSS:\s+(\d+)", status)
    hwm = re.search(r"VmHWM:\s+(\d+)", status)
    return (int(rss.group(1)) if rss else 0), (int(hwm.group(1)) if hwm else 0)


def run_measured(cmd: list[str], interval: float = 0.05, **kwargs) -> dict:
    """Run a command; wall and CPU seconds (its whole tree), and peak RSS.

    RUSAGE_CHILDREN's ru_maxrss is useless here: it is the maximum over every child so far,
    and a child's high-water mark starts with its parent's pages (fork before exec). So the
    tree is sampled: ``peak_rss_mb`` is the main process's own VmHWM, ``peak_rss_total_mb``
    the largest sum of VmRSS over the main process and its workers at one instant.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs
    )
    peak = {"main": 0, "total": 0}
    done = threading.Event()

    def sample() -> None:
        time.sleep(interval)  # past exec: the child's own memory, not its parent's
        while not done.is_set():
            total = 0
            for pid in _tree(proc.pid):
                rss, hwm = _memory_kb(pid)
                total += rss
                if pid == proc.pid:
                    peak["main"] = max(peak["main"], hwm)
            peak["total"] = max(peak["total"], total)
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "returncode": proc.returncode,
        "stdout": stdout,
        "stderr": stderr,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "peak_rss_mb": peak["main"] / 1024,
        "peak_rss_total_mb": peak["total"] / 1024,
    }


# --- the runs ----------------------------------------------------------------------------------


def run_full(base_url: str, db: Path, workers: str, extra: tuple[str, ...] = ()) -> dict:
    cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--outlet", "yonhap", "--db", str(db)]
    cmd += ["--outlet-url", f"yonhap={base_url}", "-s", "NEWSAGG_PROGRESS_INTERVAL=0"]
    cmd += ["-s", f"NEWSAGG_EXTRACT_WORKERS={workers}"]
    for setting in extra:
        cmd += ["-s", setting]
    result = run_measured(cmd, cwd=ROOT)
    if result["returncode"] != 0:
        sys.exit(f"crawl failed:\n{result['stderr']}")
    with sqlite3.connect(db) as conn:
        result["stored"] = conn.execute("select count(*) from articles").fetchone()[0]
        stats = json.loads(conn.execute("select stats from runs").fetchone()[0])["yonhap"]
        result["failed"] = dict(
            conn.execute(
                "select reason, count(*) from discoveries where decision = 'failed' group by reason"
            ).fetchall()
        )
    result["fetched"] = stats.get("newsagg/articles_fetched", 0)
    result["skipped"] = stats.get("newsagg/prefilter/low_score", 0)
    return result


def run_naive(base_url: str, db: Path) -> dict:
    cmd = [sys.executable, str(ROOT / "bench" / "naive_spider.py"), "--base", base_url]
    result = run_measured([*cmd, "--db", str(db)], cwd=ROOT)
    if result["returncode"] != 0:
        sys.exit(f"naive spider failed:\n{result['stderr']}")
    with sqlite3.connect(db) as conn:
        result["stored"] = conn.execute("select count(*) from articles").fetchone()[0]
    result["fetched"] = result["stored"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", default="auto", help="NEWSAGG_EXTRACT_WORKERS (0: in-process)")
    parser.add_argument(
        "--runs",
        default="full,full-all-pages,full-no-pathological,naive-no-pathological",
        help="comma-separated subset of the runs, in order",
    )
    args = parser.parse_args()
    runs = args.runs.split(",")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "yonhap"
        victim, kinds = build_site(site, args.articles)
        print(f"site: {args.articles} articles {kinds}, pathological page {victim}")
        with Replica(["yonhap"], root=Path(tmp)) as replica:
            base_url = replica.base_urls["yonhap"]
            for name in runs:
                set_pathological(site, victim, on=not name.endswith("no-pathological"))
                db = Path(tmp) / f"{name}.db"
                if name.startswith("naive"):
                    results[name] = run_naive(base_url, db)
                else:
                    extra = ("NEWSAGG_PREFILTER_MIN_SCORE=0",) if name == "full-all-pages" else ()
                    results[name] = run_full(base_url, db, args.workers, extra)
                r = results[name]
                print(
                    f"{name:21} stored {r['stored']:5}  fetched {r['fetched']:5}  "
                    f"wall {r['wall_seconds']:6.2f} s  "
                    f"site articles/s {args.articles / r['wall_seconds']:6.1f}  "
                    f"stored/s {r['stored'] / r['wall_seconds']:6.1f}  "
                    f"cpu {r['cpu_seconds']:6.2f} s  "
                    f"peak rss {r['peak_rss_mb']:5.0f} MB (all processes {r['peak_rss_total_mb']:4.0f} MB)",
                    flush=True,
                )
                if r.get("failed"):
                    print(f"{'':21} failed: {r['failed']}")
    report(results, args.articles)


def report(results: dict[str, dict], articles: int) -> None:
    """The comparisons the acceptance criteria ask for."""
    rate = {name: articles / r["wall_seconds"] for name, r in results.items()}
    pairs = [
        ("full", "naive"),
        ("full-all-pages", "naive"),
        ("full-no-pathological", "naive-no-pathological"),
        ("full-all-pages", "naive-no-pathological"),
    ]
    for full, naive in pairs:
        if full in results and naive in results:
            cpu = results[full]["cpu_seconds"] / results[naive]["cpu_seconds"]
            print(
                f"ratio {full}/{naive} (articles/s): {rate[full] / rate[naive]:.2f}  "
                f"(cpu seconds {cpu:.2f})"
            )
    if "full" in results and "full-no-pathological" in results:
        drop = 1 - rate["full"] / rate["full-no-pathological"]
        extra = results["full"]["wall_seconds"] - results["full-no-pathological"]["wall_seconds"]
        print(
            f"pathological page: {rate['full']:.1f} vs {rate['full-no-pathological']:.1f} "
            f"articles/s without it: {drop:+.1%} ({extra:+.1f} s; its own share: {1 / articles:.2%})"
        )


if __name__ == "__main__":
    main()

"""Scale-out: one process against a Redis frontier with 1 and 2 workers (not a test).

    python bench/scale_out.py [--articles 2000] [--workers 1,2] [--delay 0]

Generates the Yonhap-shaped site of bench/throughput.py (N articles recombined from the
replica's texts, copies and near-copies; its pathological page rendered normally), serves it
on 127.0.0.1, starts a real ``redis-server`` on a free port and crawls the site:

- ``one process``: ``newsagg crawl`` (the reference);
- ``W workers``: ``newsagg crawl --redis`` (the seeder), W ``newsagg worker`` processes and
  ``newsagg store`` (the writer), all on this machine.

For each run it prints the wall time, articles stored per second, the CPU seconds of each
process (with its extraction children; GNU time), and the request rate the site saw (its
server records when each request arrived): requests per second overall, the most requests in
one second, the median and the shortest gap between two requests. With ``--delay D`` every run
uses ``DOWNLOAD_DELAY=D`` and the script says whether the site saw at most 1/D requests per
second with a median gap of at least D, across all workers together. Gaps are measured where
the requests arrive: one that took its slot on time but left a busy worker late arrives close
to the next one, so the shortest gap can be below D.
"""

from __future__ import annotations

import argparse
import itertools
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throughput import build_site, set_pathological  # noqa: E402  (bench/ is on the path)

from crawler.frontier import local_redis  # noqa: E402
from crawler.replica import Replica  # noqa: E402

SLACK = 0.002


class TimedRequests(list):
    """The replica's request log, with the time each request arrived."""

    def __init__(self):
        super().__init__()
        self.times: list[float] = []
        self.lock = threading.Lock()

    def append(self, path):
        with self.lock:
            self.times.append(time.monotonic())
        super().append(path)


def timed(name: str, args: list[str], tmp: Path) -> tuple[subprocess.Popen, Path]:
    """Start a newsagg command under GNU time (CPU of the process and its children)."""
    cpu_file = tmp / f"{name}.cpu"
    cmd = ["/usr/bin/time", "-f", "%U %S", "-o", str(cpu_file)]
    cmd += [sys.executable, "-m", "crawler.cli", *args]
    log = open(tmp / f"{name}.log", "w")  # noqa: SIM115 (closed right after the start)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return proc, cpu_file


def cpu_seconds(path: Path) -> float:
    user, system = path.read_text().split()[-2:]
    return float(user) + float(system)


def crawl_args(base_url: str, db: Path, delay: float) -> list[str]:
    args = ["crawl", "--outlet", "yonhap", "--outlet-url", f"yonhap={base_url}"]
    args += ["--db", str(db), "-s", "NEWSAGG_PROGRESS_INTERVAL=0"]
    if delay:
        args += ["-s", f"DOWNLOAD_DELAY={delay}", "-s", "DOWNLOAD_DELAY_JITTER=0"]
    return args


def run(name: str, workers: int, base_url: str, tmp: Path, redis_url: str, delay: float):
    db = tmp / f"{name.replace(' ', '-')}.db"
    procs: dict[str, tuple[subprocess.Popen, Path]] = {}
    start = time.perf_counter()
    if workers == 0:
        procs["crawl"] = timed("crawl", crawl_args(base_url, db, delay), tmp)
    else:
        procs["seeder"] = timed(
            "seeder", [*crawl_args(base_url, db, delay), "--redis", redis_url], tmp
        )
        for i in range(1, workers + 1):
            procs[f"worker{i}"] = timed(f"worker{i}", ["worker", "--redis", redis_url], tmp)
        procs["writer"] = timed("writer", ["store", "--redis", redis_url, "--db", str(db)], tmp)
    for label, (proc, _) in procs.items():
        if proc.wait() != 0:
            sys.exit(f"{name}: {label} failed:\n{(tmp / f'{label}.log').read_text()[-3000:]}")
    wall = time.perf_counter() - start
    with sqlite3.connect(db) as conn:
        stored = conn.execute("select count(*) from articles").fetchone()[0]
    cpu = {label: cpu_seconds(path) for label, (_, path) in procs.items()}
    return wall, stored, cpu


def rate(times: list[float]) -> dict:
    """Requests per second, the busiest second, the shortest and the median gap."""
    times = sorted(times)
    if len(times) < 2:
        return {"per_second": 0.0, "busiest": len(times), "shortest": 0.0, "median": 0.0}
    gaps = sorted(b - a for a, b in itertools.pairwise(times))
    busiest, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= 1.0:
            lo += 1
        busiest = max(busiest, hi - lo + 1)
    return {
        "per_second": (len(times) - 1) / (times[-1] - times[0]),
        "busiest": busiest,
        "shortest": gaps[0],
        "median": gaps[len(gaps) // 2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", default="1,2", help="worker counts to run, comma-separated")
    parser.add_argument("--delay", type=float, default=0.0, help="DOWNLOAD_DELAY (s) per host")
    parser.add_argument("--no-single", action="store_true", help="skip the one-process run")
    args = parser.parse_args()
    counts = ([] if args.no_single else [0]) + [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        site = tmp / "yonhap"
        victim, kinds = build_site(site, args.articles)
        set_pathological(site, victim, on=False)
        print(f"site: {args.articles} articles {kinds}; DOWNLOAD_DELAY {args.delay}")
        with local_redis(tmp) as redis_url, Replica(["yonhap"], root=tmp) as replica:
            base_url = replica.base_urls["yonhap"]
            for workers in counts:
                name = "one process" if workers == 0 else f"{workers} worker(s)"
                log = replica.sites["yonhap"].requests = TimedRequests()
                wall, stored, cpu = run(name, workers, base_url, tmp, redis_url, args.delay)
                seen = rate(log.times)
                cpus = "  ".join(f"{k} {v:.1f}" for k, v in cpu.items())
                print(
                    f"{name:12} stored {stored:5}  wall {wall:6.1f} s  "
                    f"articles/s {stored / wall:6.1f}  cpu s: {cpus} (total {sum(cpu.values()):.1f})"
                )
                line = (
                    f"{'':12} site saw {len(log.times)} requests: {seen['per_second']:.1f}/s, "
                    f"at most {seen['busiest']} in one second, gaps: median "
                    f"{seen['median'] * 1000:.1f} ms, shortest {seen['shortest'] * 1000:.1f} ms"
                )
                if args.delay:
                    limit = 1 / args.delay
                    ok = seen["per_second"] <= limit and seen["median"] >= args.delay - SLACK
                    line += (
                        f"; limit {limit:.1f}/s: {'respected' if ok else 'EXCEEDED'} "
                        "(a gap shorter than the delay is arrival jitter: a request starts "
                        "in its slot but reaches the server late when its worker is busy)"
                    )
                print(line, flush=True)


if __name__ == "__main__":
    main()

"""Many workers, one writer, a real Redis: the same database as one process, killed workers
and writers included.

Each test starts its own ``redis-server`` (Debian's; CI installs it) on a free port, runs the
real commands against the bundled replica (snapshot pinned) and compares the database with a
one-process ``newsagg crawl`` of the same snapshot: the same articles (text, relations and
representatives) and the same coverage (scores and tiers).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import redis
from conftest import ROOT, newsagg_command, run_newsagg
from test_recipes import OUTLETS, Scrapyd, free_port

from crawler.frontier import local_redis

REDIS_SERVER = "/usr/bin/redis-server"
SNAPSHOT = "2025-04-26"
DEADLINE = 240

# Outside CI, a machine without Debian's redis-server leaves these tests out with the reason
# (the quick start needs only python3); CI (`.ci/run`, CI=true) installs it, and there a
# missing server is a failure, not a skip.
pytestmark = pytest.mark.skipif(
    not os.path.exists(REDIS_SERVER) and not os.environ.get("CI"),
    reason="Debian's redis-server is not installed (apt-get install redis-server; CI does)",
)


def wait_for(condition, what: str, timeout: float = 30.0, every: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def redis_url(tmp_path):
    with local_redis(tmp_path, REDIS_SERVER) as url:
        yield url


@pytest.fixture(scope="module")
def one_process_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("single") / "news.db"
    out = run_newsagg("crawl", "--replica-at", SNAPSHOT, "--db", str(db))
    assert out.returncode == 0, out.stderr
    return db


class Run:
    """The processes of one distributed run, their logs in ``tmp``."""

    def __init__(self, tmp: Path, url: str, db: Path):
        self.tmp, self.url, self.db = tmp, url, db
        self.procs: dict[str, subprocess.Popen] = {}
        self.env = {**os.environ, "NEWSAGG_PROGRESS_INTERVAL": "0"}
        self.env.pop("NEWSAGG_DB", None)
        self.env.pop("NEWSAGG_REDIS_URL", None)

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [*newsagg_command(), *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self.procs[name] = proc
        return proc

    def seeder(self):
        return self.start(
            "seeder", "crawl", "--replica-at", SNAPSHOT, "--db", str(self.db), "--redis", self.url
        )

    def worker(self, name: str, *args: str):
        return self.start(name, "worker", "--redis", self.url, *args)

    def writer(self, name: str = "writer"):
        return self.start(name, "store", "--redis", self.url, "--db", str(self.db))

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text()

    def finish(self, *names: str) -> None:
        """Wait for these processes; each must exit 0."""
        for name in names:
            proc = self.procs[name]
            try:
                status = proc.wait(timeout=DEADLINE)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise AssertionError(f"{name} did not finish:\n{self.log(name)[-3000:]}") from None
            assert status == 0, f"{name} exited {status}:\n{self.log(name)[-3000:]}"

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture
def run(tmp_path, redis_url):
    r = Run(tmp_path, redis_url, tmp_path / "news.db")
    yield r
    r.stop_all()


def snapshot(db: Path) -> dict:
    """What a crawl decided: articles (by canonical URL, with their representative's URL) and
    coverage (score to 4 places, tier). Times and run ids differ between runs."""
    conn = sqlite3.connect(db)
    try:
        url_of = dict(conn.execute("select id, canonical_url from articles"))
        articles = {
            row[0]: (*row[1:7], url_of.get(row[7]), row[8])
            for row in conn.execute(
                "select canonical_url, outlet, title, published, access, text, content_hash, "
                "duplicate_of, relation from articles"
            )
        }
        coverage = {
            (source, url_of[article]): (round(score, 4), tier)
            for source, article, score, tier in conn.execute(
                "select source_id, article_id, score, tier from coverage"
            )
        }
        runs = list(conn.execute("select status from runs"))
    finally:
        conn.close()
    return {"articles": articles, "coverage": coverage, "runs": runs}


def assert_same_db(distributed: Path, single: Path) -> None:
    got, want = snapshot(distributed), snapshot(single)
    assert want["articles"] and want["coverage"]
    assert set(got["articles"]) == set(want["articles"])
    for url, row in want["articles"].items():
        assert got["articles"][url] == row, url
    assert got["coverage"] == want["coverage"]
    assert got["runs"] == [("finished",)]


def health_of(db: Path) -> dict:
    """The run's health readings per outlet and measure (crawler/health.py)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("select outlet, field, value, alarm from health")
        return {(o, f): (None if v is None else round(v, 4), a) for o, f, v, a in rows}
    finally:
        conn.close()


def frontier_is_empty(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        leftovers = [
            key.decode()
            for key in client.scan_iter("newsagg:*")
            if key.decode().endswith((":requests", ":articles")) or ":leases:" in key.decode()
        ]
        assert [k for k in leftovers if client.zcard(k)] == []
        assert client.hlen(b"newsagg:yonhap:leased") == 0
        assert client.xpending("newsagg:items", "store")["pending"] == 0
        assert client.exists("newsagg:done")
    finally:
        client.close()


def test_three_workers_and_one_writer_store_what_one_process_stores(run, one_process_db):
    run.seeder()
    for name in ("w1", "w2", "w3"):
        run.worker(name)
    run.writer()
    run.finish("writer", "seeder", "w1", "w2", "w3")
    assert_same_db(run.db, one_process_db)
    # The workers' stats reach the writer whole: the same field health, endpoint by endpoint
    # (but the candidates count: the pre-filter counts sightings, and which outlet's endpoint
    # sights a shared URL first depends on the order the endpoints answer in).
    health = {k: v for k, v in health_of(one_process_db).items() if k[1] != "candidates"}
    assert any(field.startswith("endpoint ") for _, field in health)
    assert {k: v for k, v in health_of(run.db).items() if k[1] != "candidates"} == health
    frontier_is_empty(run.url)
    assert "linked" in run.log("writer")
    # The workers learnt the replica's base URLs from Redis: they were given none.
    assert all("worker" in run.log(w) and "run 1" in run.log(w) for w in ("w1", "w2", "w3"))


def leases_of(client: redis.Redis, pid: int) -> int:
    """Requests a worker process (by pid) holds leases on, over every outlet."""
    marker = f":{pid}:".encode()
    return sum(
        1
        for key in client.scan_iter("newsagg:*:leased")
        for lease in client.hkeys(key)
        if marker in lease
    )


def test_a_killed_worker_loses_nothing(run, one_process_db):
    """SIGKILL a worker that holds leases; after the lease (2 s) its requests go back to the
    queue, another worker takes them and the database is the same."""
    client = redis.Redis.from_url(run.url)
    run.seeder()
    victim = run.worker("victim", "--lease", "2")
    held = wait_for(lambda: leases_of(client, victim.pid), "the worker to lease requests")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    # Its leases outlive it: nobody released them.
    assert leases_of(client, victim.pid) >= 1, held
    run.worker("w2", "--lease", "2")
    run.writer()
    run.finish("writer", "seeder", "w2")
    assert leases_of(client, victim.pid) == 0
    client.close()
    assert_same_db(run.db, one_process_db)
    frontier_is_empty(run.url)


def test_a_killed_writer_loses_nothing(run, one_process_db):
    """Entries a writer read and never acknowledged are taken over by the next writer
    (XAUTOCLAIM): a consumer that read 20 entries and died, and a writer killed mid-run."""
    client = redis.Redis.from_url(run.url)
    run.seeder()
    run.worker("w1")
    run.worker("w2")
    wait_for(
        lambda: client.exists("newsagg:items") and client.xlen("newsagg:items") >= 40,
        "items in the stream",
        timeout=120,
    )
    # A consumer that read entries and died before acknowledging them.
    read = client.xreadgroup("store", "dead-writer", {"newsagg:items": ">"}, count=20)
    assert len(read[0][1]) == 20
    first = run.writer("writer1")

    def writing():
        pending = client.xpending("newsagg:items", "store")
        mine = {c["name"]: c["pending"] for c in pending["consumers"]}
        return first.poll() is None and any(n for name, n in mine.items() if name != b"dead-writer")

    # Killed while it holds entries it has not acknowledged, when that moment comes.
    with contextlib.suppress(AssertionError):
        wait_for(writing, "the writer to hold unacknowledged entries", timeout=60, every=0.001)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    run.writer("writer2")
    run.finish("writer2", "seeder", "w1", "w2")
    client.close()
    assert_same_db(run.db, one_process_db)
    frontier_is_empty(run.url)


def test_worker_and_store_refuse_a_redis_they_cannot_reach(tmp_path):
    url = f"redis://127.0.0.1:{free_port()}/0"
    for args in (
        ["worker", "--redis", url],
        ["store", "--redis", url, "--db", str(tmp_path / "n.db")],
    ):
        out = run_newsagg(*args, timeout=60)
        assert out.returncode == 2, out
        assert out.stderr.strip().startswith("Error: cannot use Redis at"), out.stderr
        assert "Traceback" not in out.stderr


def test_a_second_run_is_refused_while_one_is_open(tmp_path, redis_url):
    client = redis.Redis.from_url(redis_url)
    client.set("newsagg:run", '{"run_id": 7, "outlets": []}')
    out = run_newsagg(
        "crawl", "--replica-at", SNAPSHOT, "--db", str(tmp_path / "n.db"), "--redis", redis_url
    )
    assert out.returncode == 2, out
    assert "run 7 is still open in Redis" in out.stderr
    client.close()


def dequeued(log: str) -> int:
    """Requests a scrapy job took from the Redis frontier (its final stats)."""
    found = re.findall(r"'scheduler/dequeued/redis': (\d+)", log)
    return int(found[-1]) if found else 0


def test_workers_deployed_to_two_scrapyd_take_work_from_the_shared_frontier(
    tmp_path, redis_url, one_process_db
):
    """The README's recipe: the egg deployed to two scrapyd (`scrapyd-deploy -a`), each
    outlet's spider scheduled on both with the run's Redis; the jobs join the open run as
    workers, both take requests, and the writer stores what one process stores."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    for package in ("crawler", "pipelines"):
        shutil.copytree(
            ROOT / package, project / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    # Workers read nothing of data/ (the run comes from Redis): the egg may go without it.
    (project / "data").mkdir()
    servers = [Scrapyd(tmp_path / "scrapyd-a"), Scrapyd(tmp_path / "scrapyd-b")]
    targets = "".join(
        f"[deploy:{name}]\nurl = {s.url}\nproject = newsagg\n\n"
        for name, s in zip("ab", servers, strict=True)
    )
    (project / "scrapy.cfg").write_text(f"[settings]\ndefault = crawler.settings\n\n{targets}")
    for server in servers:  # one job per outlet at once
        conf = server.directory / "scrapyd.conf"
        conf.write_text(conf.read_text().replace("max_proc = 1", "max_proc = 4"))
    run = Run(tmp_path, redis_url, tmp_path / "news.db")
    try:
        with servers[0], servers[1]:
            deploy = subprocess.run(
                [str(Path(sys.executable).with_name("scrapyd-deploy")), "-a"],
                cwd=project,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            assert deploy.returncode == 0, deploy.stdout + deploy.stderr
            assert deploy.stdout.count('"status": "ok"') == 2, deploy.stdout
            jobs = []
            for server in servers:  # before the seeder: a job waits for the run
                for spider in OUTLETS:
                    body = urllib.parse.urlencode(
                        {
                            "project": "newsagg",
                            "spider": spider,
                            "setting": f"NEWSAGG_REDIS_URL={redis_url}",
                        }
                    ).encode()
                    with urllib.request.urlopen(
                        server.url + "schedule.json", body, timeout=30
                    ) as r:
                        reply = json.loads(r.read())
                    assert reply["status"] == "ok", reply
                    jobs.append((server, spider, reply["jobid"]))
            run.seeder()
            run.writer()
            run.finish("writer", "seeder")
            for server, _, job in jobs:
                wait_for(
                    lambda s=server, j=job: (
                        j in {x["id"] for x in s.get("listjobs.json?project=newsagg")["finished"]}
                    ),
                    f"job {job} to finish",
                    timeout=60,
                    every=0.2,
                )
            taken = {s.url: 0 for s in servers}
            for server, spider, job in jobs:
                log = (server.directory / "logs" / "newsagg" / spider / f"{job}.log").read_text()
                assert "Traceback" not in log, log
                assert "'finish_reason': 'finished'" in log, log
                taken[server.url] += dequeued(log)
    finally:
        run.stop_all()
    assert all(taken.values()), taken
    assert_same_db(run.db, one_process_db)
    frontier_is_empty(run.url)

"""The README's scheduling recipes (cron, systemd, scrapyd), run as written.

Each recipe is read from README.md, its install directory (/srv/newsagg) replaced by a
temporary one laid out like an install, and run against the offline replica: the recipes take
no test-only options, so the replica comes in through the environment (NEWSAGG_OUTLET_URLS,
as the CLI allows) or, for scrapyd, one more `setting=` on the schedule call.
"""

from __future__ import annotations

import configparser
import itertools
import json
import os
import queue
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from conftest import ROOT

from crawler.replica import Replica
from crawler.source import BUNDLED_SOURCE

INSTALL = "/srv/newsagg"
OUTLETS = ["yonhap", "koreaherald", "reuters", "nikkei"]
SCHEDULING = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Scheduling\n", 1)[1]
SCHEDULING = SCHEDULING.split("\n## ", 1)[0]
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", SCHEDULING, re.S)


def recipe(lang: str, marker: str) -> str:
    found = [body for kind, body in BLOCKS if kind == lang and marker in body]
    assert len(found) == 1, f"one ```{lang} block with {marker!r} in the Scheduling section"
    return found[0]


@pytest.fixture
def install(tmp_path) -> Path:
    """/srv/newsagg as the recipes expect it: the project files and .venv/bin with the tools."""
    root = tmp_path / "srv" / "newsagg"
    root.mkdir(parents=True)
    for name in ("scrapy.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, root / name)
    for package in ("crawler", "pipelines"):
        shutil.copytree(
            ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("newsagg", "scrapyd-deploy"):
        script = Path(sys.executable).with_name(tool)
        assert script.exists(), f"{tool} is not installed next to {sys.executable}"
        (bin_dir / tool).symlink_to(script)
    return root


def crawl_env(tmp_path: Path, base_urls: dict[str, str]) -> dict[str, str]:
    """The bare environment cron and systemd give a job, plus the replica's addresses."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "NEWSAGG_OUTLET_URLS": json.dumps(base_urls),
    }


def assert_one_finished_run(db: Path, outlets: list[str]) -> dict:
    """The DB holds exactly one run, finished, with per-outlet stats, articles and coverage."""
    with sqlite3.connect(db) as conn:
        runs = conn.execute("select id, status, stats, args from runs").fetchall()
        assert [(r[0], r[1]) for r in runs] == [(1, "finished")]
        stats = json.loads(runs[0][2])
        for outlet in outlets:
            assert stats[outlet]["newsagg/candidates"] > 0, outlet
            stored = conn.execute(
                "select count(*) from articles where outlet = ? and run_id = 1", [outlet]
            ).fetchone()[0]
            assert stored > 0, outlet
        # The end-of-crawl rescore ran: its counts are on the run row and match the table.
        linked = dict(conn.execute("select source_id, count(*) from coverage group by source_id"))
        assert linked and {int(k): v["linked"] for k, v in stats["sources"].items()} == linked
        assert "copies" in stats
    return {"stats": stats, "args": json.loads(runs[0][3])}


# --- cron -------------------------------------------------------------------------------------


def cron_values(field: str, low: int, high: int) -> set[int]:
    """The values of one cron time field (`*`, `a-b`, lists and `/step`)."""
    values: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = low, high
        elif "-" in span:
            first, last = (int(v) for v in span.split("-"))
        else:
            first = int(span)
            last = high if step else first
        values.update(range(first, last + 1, int(step or 1)))
    return values


def test_cron_recipe_runs_every_30_minutes_and_records_a_finished_run(install, tmp_path):
    lines = [
        line
        for line in recipe("cron", "newsagg crawl").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) == 1
    minute, hour, day, month, weekday, command = lines[0].split(None, 5)
    assert cron_values(minute, 0, 59) == {0, 30}
    assert cron_values(hour, 0, 23) == set(range(24))
    assert (day, month, weekday) == ("*", "*", "*")
    assert "%" not in command  # cron would turn it into a newline
    assert INSTALL in command
    with Replica(OUTLETS) as replica:
        result = subprocess.run(
            ["sh", "-c", command.replace(INSTALL, str(install))],
            cwd=tmp_path,
            env=crawl_env(tmp_path, replica.base_urls),
            capture_output=True,
            text=True,
            timeout=120,
        )
    log = (install / "crawl.log").read_text(encoding="utf-8")
    assert result.returncode == 0, log
    assert result.stdout == result.stderr == ""  # all output goes to crawl.log
    assert log.startswith("run 1:") or "\nrun 1:" in log
    run = assert_one_finished_run(install / "data" / "news.db", OUTLETS)
    assert run["args"]["db_path"] == "data/news.db"  # the default, inside the install


# --- systemd ----------------------------------------------------------------------------------


def unit(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(text)
    return parser


def test_systemd_units_start_a_crawl_every_30_minutes(install, tmp_path):
    service_text = recipe("ini", "[Service]")
    timer_text = recipe("ini", "[Timer]")
    service, timer = unit(service_text), unit(timer_text)
    assert service["Service"]["Type"] == "oneshot"
    workdir = service["Service"]["WorkingDirectory"]
    argv = shlex.split(service["Service"]["ExecStart"])
    assert workdir == INSTALL
    assert argv == [f"{INSTALL}/.venv/bin/newsagg", "crawl"]
    assert timer["Timer"]["OnCalendar"] == "*:0/30"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"

    analyze = shutil.which("systemd-analyze")
    if analyze:  # the machine can check the units as systemd reads them
        units = tmp_path / "units"
        units.mkdir()
        (units / "newsagg.service").write_text(service_text.replace(INSTALL, str(install)))
        (units / "newsagg.timer").write_text(timer_text)
        verify = subprocess.run(
            [
                analyze,
                "verify",
                "--man=no",
                str(units / "newsagg.service"),
                str(units / "newsagg.timer"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert verify.returncode == 0 and "newsagg" not in verify.stdout + verify.stderr, (
            verify.stdout + verify.stderr
        )
        calendar = subprocess.run(
            [analyze, "calendar", "--iterations=4", timer["Timer"]["OnCalendar"]],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        assert "Normalized form: *-*-* *:00/30:00" in calendar
        times = [
            datetime.strptime(m, "%Y-%m-%d %H:%M:%S")
            for m in re.findall(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", calendar)
        ]
        assert len(times) == 4
        assert {t.minute for t in times} == {0, 30}
        assert {(b - a).total_seconds() for a, b in itertools.pairwise(times)} == {1800}

    # As systemd runs it: no shell, in WorkingDirectory, with a bare environment.
    with Replica(OUTLETS) as replica:
        result = subprocess.run(
            [a.replace(INSTALL, str(install)) for a in argv],
            cwd=workdir.replace(INSTALL, str(install)),
            env=crawl_env(tmp_path, replica.base_urls),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("run 1:")
    assert_one_finished_run(install / "data" / "news.db", OUTLETS)


# --- scrapyd ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Scrapyd:
    """A scrapyd server in its own directory; its log lines are read as they come."""

    def __init__(self, directory: Path):
        directory.mkdir()
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        (directory / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            "bind_address = 127.0.0.1\n"
            f"http_port = {self.port}\n"
            "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\n"
            "max_proc = 1\n"
            "poll_interval = 0.1\n"
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []

    def __enter__(self) -> Scrapyd:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scrapyd", "--pidfile="],
            cwd=self.directory,
            # Jobs must run the deployed egg, not a checkout put on the path.
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(f"Site starting on {self.port}")
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put("")  # end of output: scrapyd exited

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """Block until a log line contains ``text``; fail if scrapyd exits or time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"scrapyd never logged {text!r}:\n{''.join(self.seen)}")
            if not line:
                pytest.fail(f"scrapyd exited before logging {text!r}:\n{''.join(self.seen)}")
            self.seen.append(line)
            if text in line:
                return line

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.loads(response.read())


def test_scrapyd_recipe_deploys_the_egg_and_a_scheduled_job_is_a_newsagg_run(install, tmp_path):
    script = recipe("bash", "scrapyd-deploy")
    commands = [line for line in script.splitlines() if line.strip()]
    assert commands[-1].startswith("curl http://localhost:6800/schedule.json ")
    assert "-d project=newsagg" in commands[-1] and "-d spider=yonhap" in commands[-1]
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "scrapy.cfg")
    assert cfg["deploy"]["project"] == "newsagg"
    assert cfg["deploy"]["url"] == "http://localhost:6800/"
    db = install / "data" / "news.db"

    with Scrapyd(tmp_path / "scrapyd") as scrapyd, Replica(["yonhap"]) as replica:
        # Only the server's address differs from the README: scrapy.cfg's target and the curl.
        cfg_text = (
            (install / "scrapy.cfg").read_text().replace("http://localhost:6800/", scrapyd.url)
        )
        (install / "scrapy.cfg").write_text(cfg_text)
        run = (
            script.replace(INSTALL, str(install))
            .replace("story.txt", str(BUNDLED_SOURCE))
            .replace("http://localhost:6800/", scrapyd.url)
            .rstrip()
        )
        urls = json.dumps({"yonhap": replica.base_urls["yonhap"]})
        run += " --data-urlencode " + shlex.quote(f"setting=NEWSAGG_OUTLET_URLS={urls}")
        result = subprocess.run(
            ["sh", "-ec", run],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        replies = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        deployed, scheduled = replies[-2], replies[-1]
        assert deployed["status"] == "ok" and deployed["spiders"] == len(OUTLETS), deployed
        assert scheduled["status"] == "ok", scheduled
        job = scheduled["jobid"]
        scrapyd.wait_for(f"job='{job}'")  # Process started
        ended = scrapyd.wait_for(f"job='{job}'")  # Process finished (or died)
        assert "Process finished" in ended, "".join(scrapyd.seen)
        jobs = scrapyd.get("listjobs.json?project=newsagg")
        assert [j["id"] for j in jobs["finished"]] == [job]
        log = (scrapyd.directory / "logs" / "newsagg" / "yonhap" / f"{job}.log").read_text()
        assert len(list((scrapyd.directory / "eggs" / "newsagg").glob("*.egg"))) == 1

        # The job runs the egg's code, whose bundled source sits in the zip, out of reach: a DB
        # without a tracked source is refused with a clear error, and nothing is recorded in it.
        empty = tmp_path / "empty.db"
        refused = subprocess.run(
            [
                *("curl", "-sS", scrapyd.url + "schedule.json", "-d", "project=newsagg"),
                *("-d", "spider=yonhap", "-d", f"setting=NEWSAGG_DB={empty}"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        refused_job = json.loads(refused.stdout)["jobid"]
        scrapyd.wait_for(f"job='{refused_job}'")
        assert "Process finished" in scrapyd.wait_for(f"job='{refused_job}'")
        refused_log = (
            scrapyd.directory / "logs" / "newsagg" / "yonhap" / f"{refused_job}.log"
        ).read_text()

    assert "newsagg: no tracked source in" in refused_log, refused_log
    assert ".egg/crawler/_data/sources/" in refused_log and "newsagg sources add" in refused_log
    assert "'finish_reason': 'newsagg_no_source'" in refused_log
    with sqlite3.connect(empty) as conn:
        assert conn.execute("select count(*) from runs").fetchone()[0] == 0
        assert conn.execute("select count(*) from discoveries").fetchone()[0] == 0

    assert "Traceback" not in log and " ERROR: " not in log, log
    assert "'finish_reason': 'finished'" in log
    run = assert_one_finished_run(db, ["yonhap"])
    assert run["args"]["job"] == job and run["args"]["started_by"] == "scrapy crawl"
    with sqlite3.connect(db) as conn:
        # The source was the tracked one added by the recipe, not a bundled piece from data/.
        assert conn.execute("select id, tracked from sources").fetchall() == [(1, 1)]
        assert run["args"]["source_ids"] == [1]
        linked = conn.execute("select count(*) from coverage where source_id = 1").fetchone()[0]
    assert linked >= 15

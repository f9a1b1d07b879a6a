"""Shared fixtures: the replica's content and labels, a CLI runner, temporary databases."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.replica.sites import load_content

ROOT = Path(__file__).resolve().parent.parent
REPLICA = ROOT / "data" / "replica"
SEED = ROOT.parent / "shared" / "seed" / "source-piece.txt"


def replica_articles(outlet: str) -> list[dict]:
    """Every content entry of one outlet's replica (labels included)."""
    return load_content(outlet, REPLICA / "content")["articles"]


@pytest.fixture(scope="session")
def yonhap_articles() -> list[dict]:
    return replica_articles("yonhap")


def newsagg_command() -> list[str]:
    """The installed console script next to this Python, else the module."""
    script = Path(sys.executable).with_name("newsagg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "crawler.cli"]


def run_newsagg(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: int = 300):
    """Run the real `newsagg` command; returns the CompletedProcess (text mode)."""
    full_env = {**os.environ, "NEWSAGG_PROGRESS_INTERVAL": "0", **(env or {})}
    full_env.pop("NEWSAGG_DB", None)
    return subprocess.run(
        [*newsagg_command(), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def project_copy(dest: Path) -> Path:
    """The files a build reads, copied: setuptools keeps ``build/lib`` between builds (a file
    deleted from the tree would still be shipped), and other runs may build in the checkout."""
    skip = shutil.ignore_patterns("__pycache__", "news.db*", "*.lock")
    for name in ("crawler", "pipelines", "data"):
        shutil.copytree(ROOT / name, dest / name, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, dest / name)
    return dest


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """newsagg's wheel, built once per test session from a copy of the tree."""
    src = project_copy(tmp_path_factory.mktemp("src"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(src)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("newsagg-*.whl")
    return built

"""An installed newsagg carries what its commands read: the wheel, built and unpacked here."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import click
from click.testing import CliRunner
from conftest import ROOT

from crawler.cli import cli
from crawler.resources import DEFAULT_DB_RULE, default_db, user_db


def test_the_wheel_ships_the_bundled_source_and_the_whole_replica(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "crawler/_data/sources/korea-us-2plus2-talks.txt" in names
    for outlet in ("yonhap", "koreaherald", "reuters", "nikkei"):
        assert f"crawler/_data/replica/{outlet}/robots.txt" in names
    replica = {
        "crawler/_data/" + p.relative_to(ROOT / "data").as_posix()
        for p in (ROOT / "data" / "replica").rglob("*")
        if p.is_file()
    }
    assert replica <= names  # content/ and the at-DAY overlays included
    assert not [n for n in names if "news.db" in n or n.endswith(".lock")]


def test_an_unpacked_wheel_reads_its_package_data_from_any_directory(wheel, tmp_path):
    site = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = (
        "from crawler.resources import data_path, default_db\n"
        "from crawler.source import BUNDLED_SOURCE\n"
        "from crawler.replica import REPLICA_ROOT, available\n"
        "print(data_path(), BUNDLED_SOURCE.is_file(), available(), default_db(), sep='\\n')\n"
    )
    # The unpacked wheel comes first on sys.path, before the editable install's finder.
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    assert out[0] == str(site / "crawler" / "_data")
    assert out[1] == "True"
    assert out[2] == str(["koreaherald", "nikkei", "reuters", "yonhap"])
    assert out[3] == str(tmp_path / "xdg" / "newsagg" / "news.db")


def test_the_default_db_is_the_checkout_s_inside_one_else_the_user_data_dir(tmp_path, monkeypatch):
    assert default_db(ROOT) == "data/news.db"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db(tmp_path) == str(tmp_path / "xdg" / "newsagg" / "news.db")
    monkeypatch.setenv("XDG_DATA_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert user_db() == tmp_path / ".local" / "share" / "newsagg" / "news.db"


def commands(group, prefix=()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_help_with_db_and_the_readme_say_which_default_applies():
    with_db = [path for path, c in commands(cli) if any(p.name == "db_path" for p in c.params)]
    assert len(with_db) >= 6
    for path in with_db:
        result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=200)
        text = " ".join(result.output.split())
        assert f"Default: {DEFAULT_DB_RULE}." in text, path
        assert f"[default: ({default_db()})]" in text, path
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `NEWSAGG_DB` |"))
    assert "`data/news.db` in a checkout" in row and "~/.local/share/newsagg/news.db" in row
    assert "`$XDG_DATA_HOME/newsagg/news.db`" in readme

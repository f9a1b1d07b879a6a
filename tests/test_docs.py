"""The README is part of the product: its quick start, commands and settings stay true."""

from __future__ import annotations

import re

from conftest import ROOT

from crawler import settings

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_exactly_two_commands():
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", section, re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2
    assert "crawl --replica" in commands[0]
    assert "pytest" in commands[1]


def test_every_newsagg_setting_is_documented():
    names = [n for n in dir(settings) if n.startswith("NEWSAGG_")]
    assert names
    for name in names:
        assert f"`{name}`" in README, name


def test_every_command_is_documented():
    """Every command the CLI has (walked from click, subcommands too) is in the README."""
    import click

    from crawler.cli import cli

    def names(group: click.Group, prefix: str = "") -> list[str]:
        out = []
        for name, command in group.commands.items():
            full = f"{prefix}{name}"
            if isinstance(command, click.Group):
                out += names(command, f"{full} ")
            else:
                out.append(full)
        return out

    commands = names(cli)
    assert {"crawl", "serve", "sources add"} <= set(commands)
    for command in commands:
        assert f"newsagg {command}" in README, command


def test_every_table_of_the_schema_is_documented():
    from crawler.db import SCHEMA

    for table in SCHEMA:
        assert f"`{table}`" in README, table


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "ruff check" in ci and "ruff format --check" in ci and "pytest" in ci

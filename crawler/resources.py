"""Where newsagg's files live: the bundled data (source piece, replica) and the default DB.

In a checkout (and an editable install, which runs the checkout's code) the bundled data is
the repository's ``data/``; an installed wheel carries the same files as the package data
``crawler/_data`` (pyproject.toml maps ``data/`` there). Everything that reads them goes
through ``data_path``; the default database is decided by ``default_db`` alone.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

# The repository root when this module runs from a checkout; in a wheel, site-packages.
CHECKOUT = Path(__file__).resolve().parent.parent


def is_checkout(directory: Path) -> bool:
    """Is ``directory`` the root of a newsagg source tree (a clone, an unpacked sdist)?"""
    pyproject = directory / "pyproject.toml"
    if not (pyproject.is_file() and (directory / "crawler").is_dir()):
        return False
    return 'name = "newsagg"' in pyproject.read_text(encoding="utf-8", errors="replace")


def data_root() -> Path:
    """The bundled data folder: the checkout's ``data/``, else the installed package data.

    A real directory in both cases: the replica server serves files out of its folders, and
    a wheel is always unpacked on disk (newsagg is not zip-safe)."""
    if is_checkout(CHECKOUT) and (CHECKOUT / "data" / "replica").is_dir():
        return CHECKOUT / "data"
    # Through the regular package ``crawler``: ``crawler._data`` has no __init__.py, and
    # files() of a namespace package is no plain Path before Python 3.12.
    root = files("crawler") / "_data"
    # Not raised here when missing: modules resolve their paths at import, and a command
    # that needs no bundled file should still run; the reader names the missing file.
    return root if isinstance(root, Path) else Path(str(root))


def data_path(*parts: str) -> Path:
    """A path under the bundled data folder (``data_path("replica")``)."""
    return data_root().joinpath(*parts)


def user_db() -> Path:
    """``$XDG_DATA_HOME/newsagg/news.db`` (``~/.local/share/newsagg/news.db`` by default)."""
    base = os.environ.get("XDG_DATA_HOME") or ""
    # The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "newsagg" / "news.db"


# How `--help` and the README state the rule below.
DEFAULT_DB_RULE = (
    "data/news.db when run inside a newsagg checkout, else $XDG_DATA_HOME/newsagg/news.db "
    "(~/.local/share/newsagg/news.db)"
)


def default_db(cwd: Path | None = None) -> str:
    """The database used when neither ``--db`` nor ``NEWSAGG_DB`` names one.

    Inside a checkout (the current directory is one, as in the README's quick start and its
    cron and systemd recipes) it is ``data/news.db`` there, next to the code and writable.
    Anywhere else (a wheel or pipx install run from any directory) a ``data/`` folder would be
    created wherever the command happens to run, so it is the user's data directory."""
    here = Path.cwd() if cwd is None else cwd
    return "data/news.db" if is_checkout(here) else str(user_db())

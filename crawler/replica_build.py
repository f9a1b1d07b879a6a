"""Render the offline replica from its content files: ``python -m crawler.replica_build``.

``data/replica/content/<outlet>-*.json`` holds the articles (text written for this project,
facts and dates from OUTLETS.md) with labels for the evaluation. The renderers in
``crawler/replica_sites/`` turn them into ``data/replica/<outlet>/`` in the shape of the real
sites: robots.txt, feeds, sitemaps, search and article pages. The rendered files are
committed; a test checks they are up to date.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from pathlib import Path

from crawler.replica_sites import load_content

REPLICA = Path(__file__).resolve().parent.parent / "data" / "replica"
OUTLETS = ("yonhap", "koreaherald", "reuters", "nikkei")


def build_all(root: Path = REPLICA) -> dict[str, int]:
    counts = {}
    for slug in OUTLETS:
        out = root / slug
        if out.exists() and not out.is_symlink():
            shutil.rmtree(out)
        module = importlib.import_module(f"crawler.replica_sites.{slug}")
        counts[slug] = module.build(load_content(slug, root / "content"), out)
    return counts


if __name__ == "__main__":
    counts = build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else REPLICA)
    print(", ".join(f"{slug}: {n} articles" for slug, n in counts.items()))

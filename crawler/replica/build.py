"""Render the offline replica from its content files: ``python -m crawler.replica.build``.

``data/replica/content/<outlet>-*.json`` holds the articles (text written for this project,
facts and dates from OUTLETS.md) with labels for the evaluation. The renderers in
``crawler/replica/sites/`` turn them into ``data/replica/<outlet>/`` in the shape of the real
sites: robots.txt, feeds, sitemaps, search and article pages, as they stood at ``SNAPSHOT``.
Each later snapshot is an overlay, ``data/replica/at-YYYY-MM-DD/<outlet>/``, holding only the
files that differ (feeds, sitemaps, listings, search). The rendered files are committed; a
test checks they are up to date.
"""

from __future__ import annotations

import filecmp
import importlib
import shutil
import sys
import tempfile
from pathlib import Path

from crawler.replica.sites import LATER_SNAPSHOTS, SNAPSHOT, load_content, overlay_dir
from crawler.resources import data_path

REPLICA = data_path("replica")
OUTLETS = ("yonhap", "koreaherald", "reuters", "nikkei")


def build_all(root: Path = REPLICA) -> dict[str, int]:
    counts = {}
    for slug in OUTLETS:
        out = root / slug
        if out.exists() and not out.is_symlink():
            shutil.rmtree(out)
        module = importlib.import_module(f"crawler.replica.sites.{slug}")
        content = load_content(slug, root / "content")
        counts[slug] = module.build(content, out, SNAPSHOT)
        for snapshot in LATER_SNAPSHOTS:
            overlay = overlay_dir(root, snapshot) / slug
            if overlay.exists():
                shutil.rmtree(overlay)
            with tempfile.TemporaryDirectory() as tmp:
                module.build(content, Path(tmp), snapshot)
                for path in sorted(Path(tmp).rglob("*")):
                    rel = path.relative_to(tmp)
                    base = out / rel
                    if path.is_file() and not (base.is_file() and filecmp.cmp(path, base, False)):
                        (overlay / rel).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(path, overlay / rel)
    return counts


if __name__ == "__main__":
    counts = build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else REPLICA)
    print(", ".join(f"{slug}: {n} articles" for slug, n in counts.items()))

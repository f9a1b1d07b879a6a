"""Regenerate the golden extraction files: ``python tests/golden/regen.py``.

For each outlet in the registry, a few replica pages (listed in PAGES) are run through
``extract_article`` and the result is stored as ``tests/golden/<outlet>/<name>.json``:
title, authors, published (UTC), language, access, and the first and last sentence of the
text. Review the diff before committing; never edit these files by hand.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipelines.extract import extract_article  # noqa: E402

GOLDEN = Path(__file__).resolve().parent
REPLICA = ROOT / "data" / "replica"
# outlet -> {name: (page path under data/replica/<outlet>, article URL)}
PAGES = {
    "yonhap": {
        "first-version": "view/AEN20250425001500320.html",
        "lead": "view/AEN20250425001551320.html",
        "second-lead": "view/AEN20250425001552320.html",
        "departure": "view/AEN20250422005200320.html",
        "unrelated": "view/AEN20250417348500320.html",
    },
    "koreaherald": {
        "yonhap-copy": "article/10502397.html",
        "own-reporting": "article/10506492.html",
        "byline-at-end": "article/10506880.html",
        "unrelated": "article/10484080.html",
    },
    "reuters": {
        "served-related": "world/asia-pacific/south-korea-us-agree-craft-july-package-tariffs-2025-04-24/index.html",
        "served-unrelated": "markets/commodities/gold-tops-3500-first-time-safe-haven-demand-2025-04-22/index.html",
    },
    "nikkei": {
        "paywalled": "economy/trade-war/south-korea-us-agree-on-july-package-in-2-2-tariff-talks.html",
        "title-case-path": "Politics/International-relations/Korea-and-Japan-court-US-with-Alaska-LNG.html",
        "background": "economy/trade-war/akazawa-meets-trump-in-surprise-start-to-japan-us-tariff-talks.html",
    },
}
BASES = {
    "yonhap": "https://en.yna.co.kr",
    "koreaherald": "https://www.koreaherald.com",
    "reuters": "https://www.reuters.com",
    "nikkei": "https://asia.nikkei.com",
}


def page_url(outlet: str, page: str) -> str:
    path = re.sub(r"(/index)?\.html$", "", page)
    return f"{BASES[outlet]}/{path}" + ("/" if page.endswith("/index.html") else "")


def sentences(text: str) -> list[str]:
    """Split after a lower-case word ending a sentence ("U.S." and quotes do not end one)."""
    return [s for s in re.split(r"(?<=[a-z0-9][.!?])[\"”]?\s+(?=[A-Z\"“])", text.strip()) if s]


def expected(outlet: str, page: str) -> dict:
    html = (REPLICA / outlet / page).read_text(encoding="utf-8")
    got = extract_article(html, page_url(outlet, page), outlet)
    parts = sentences(got["text"])
    return {
        "outlet": outlet,
        "page": page,
        "url": page_url(outlet, page),
        "title": got["title"],
        "authors": got["authors"],
        "published": got["published"],
        "language": got["language"],
        "access": got["access"],
        "first_sentence": parts[0] if parts else None,
        "last_sentence": parts[-1] if parts else None,
    }


def main() -> None:
    for outlet, pages in PAGES.items():
        folder = GOLDEN / outlet
        folder.mkdir(exist_ok=True)
        for name, page in pages.items():
            data = json.dumps(expected(outlet, page), ensure_ascii=False, indent=1) + "\n"
            (folder / f"{name}.json").write_text(data, encoding="utf-8")
            print(f"{outlet}/{name}.json")


if __name__ == "__main__":
    main()

"""Renderers of the offline replica, one module per outlet, and what they share.

Each module has ``build(content, out) -> int``: it renders the outlet's content (articles
written for this project, ``data/replica/content/<outlet>-*.json``) into ``out`` in the shape
of the real site, and returns the number of article pages.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

# The moment the replica's feeds, sitemaps, listings and search show. The base snapshot is
# the first story's (2+2 talks, 2025-04-24); later ones are overlays in data/replica/at-DAY/
# holding only the files that differ, so that a scheduled crawl can follow a story as it
# develops and the second source piece (2025-04-29) has its coverage published. The third
# and fourth stories (the June 3 presidential election, whose undated source was written on
# 2025-06-04; the Lee-Trump summit of 2025-08-25, source 2025-08-26) each have their own.
SNAPSHOT = "2025-04-26T12:00:00+09:00"
LATER_SNAPSHOTS = (
    "2025-05-01T12:00:00+09:00",
    "2025-06-06T12:00:00+09:00",
    "2025-08-28T12:00:00+09:00",
)


def overlay_dir(root: Path, snapshot: str) -> Path | None:
    """Where a later snapshot's overlay lives (``at-YYYY-MM-DD``); None for the base one."""
    day = snapshot[:10]
    return None if day == SNAPSHOT[:10] else root / f"at-{day}"


def published_before(articles: list[dict], article: dict) -> list[dict]:
    """The other articles out before this one, newest first: a page's "latest" box as it was
    when the page was published (the same in every snapshot)."""
    when = datetime.fromisoformat(article["published"])
    return sorted(
        (
            a
            for a in articles
            if a is not article and datetime.fromisoformat(a["published"]) <= when
        ),
        key=lambda a: datetime.fromisoformat(a["published"]),
        reverse=True,
    )


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# How each outlet's content entries become real article URLs.
URL_TEMPLATES = {
    "yonhap": "https://en.yna.co.kr/view/{id}",
    "koreaherald": "https://www.koreaherald.com/article/{id}",
    "reuters": "https://www.reuters.com{path}",
    "nikkei": "https://asia.nikkei.com{path}",
}


def replica_articles(root: Path) -> dict[str, tuple[str, dict]]:
    """Canonical URL -> (outlet, content entry) for every replica article, labels included."""
    out = {}
    for outlet, template in URL_TEMPLATES.items():
        for article in load_content(outlet, root)["articles"]:
            out[template.format(**article).rstrip("/")] = (outlet, article)
    return out


def load_content(outlet: str, root: Path) -> dict:
    """All content files of one outlet merged: {"articles": [...]}."""
    merged: dict = {"articles": []}
    for path in sorted(root.glob(f"{outlet}-*.json")):
        merged["articles"].extend(json.loads(path.read_text(encoding="utf-8"))["articles"])
    return merged


def news_sitemap(entries: list[dict], publication: str) -> str:
    """A Google-News sitemap; entries have url, title, published, keywords."""
    urls = []
    for e in entries:
        keywords = ", ".join(e.get("keywords", []))
        urls.append(
            f"""<url>
<loc>{xml_escape(e["url"])}</loc>
<news:news>
<news:publication><news:name>{xml_escape(publication)}</news:name><news:language>en</news:language></news:publication>
<news:publication_date>{e["published"]}</news:publication_date>
<news:title>{xml_escape(e["title"])}</news:title>
{f"<news:keywords>{xml_escape(keywords)}</news:keywords>" if keywords else ""}
</news:news>
</url>"""
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        + "\n".join(urls)
        + "\n</urlset>\n"
    )

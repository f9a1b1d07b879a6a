"""Extraction on pages written without sight of newsagg's code (tests/pages/README.md).

Each set's figures, as ``bench/extraction.py --data tests/pages`` prints them, must not
fall: a rule that helps one site and breaks others shows here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from statistics import mean

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import extraction  # noqa: E402  (bench/extraction.py: the scoring the bench prints)

from pipelines.extract import extract_article  # noqa: E402

PAGES = ROOT / "tests" / "pages"

# Right answers per set of 24 (title, authors, published to the minute) and mean body F1.
FLOORS = {
    "cms1": (24, 24, 23, 0.975),
    "cms2": (21, 22, 22, 0.915),
}


@pytest.fixture(scope="module")
def scored() -> dict[str, list[tuple[extraction.Page, dict]]]:
    out: dict[str, list] = {}
    for page in extraction.load(PAGES, None):
        fields = extract_article(page.html, page.answer["url"], None)
        out.setdefault(page.source, []).append((page, fields))
    return out


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_sets_figures_do_not_fall(scored, name):
    pages = scored[name]
    assert len(pages) == 24
    titles = sum(extraction.title_ok(p.answer["title"], f["title"]) for p, f in pages)
    authors = sum(extraction.authors_ok(p.answer["authors"], f["authors"]) for p, f in pages)
    published = sum(
        extraction.published_ok(p.answer["published"], f["published"]) for p, f in pages
    )
    body = mean(extraction.body_prf(p.answer["body"], f["text"] or "")[2] for p, f in pages)
    got = (titles, authors, published, round(body, 3))
    floor = FLOORS[name]
    assert all(g >= w for g, w in zip(got, floor, strict=True)), f"{name}: {got} < {floor}"

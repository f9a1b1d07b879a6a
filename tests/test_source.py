from __future__ import annotations

import pytest
from conftest import SEED

from crawler.source import BUNDLED_SOURCE, SourceError, load_source


@pytest.fixture(scope="module")
def bundled():
    return load_source(str(BUNDLED_SOURCE))


def test_bundled_source_has_title_date_and_no_page_boilerplate(bundled):
    assert bundled.title.startswith("Seoul Sends Its Top Economic Team")
    assert bundled.published == "2025-04-22"
    for junk in ("6 Min Read", "Share This Article", "Leave a Comment", "marek olsen", "pencil"):
        assert junk not in bundled.text
    assert 850 <= bundled.analysis["word_count"] <= 950


def test_analysis_finds_the_people_and_the_four_cited_outlets(bundled):
    names = {e["name"] for e in bundled.analysis["entities"]}
    assert {"Choi Sang-mok", "Ahn Duk-geun", "Scott Bessent", "Jamieson Greer"} <= names
    kinds = {e["name"]: e["kind"] for e in bundled.analysis["entities"]}
    assert kinds["Choi Sang-mok"] == "person"
    assert kinds["Washington"] == "place"
    cited = {o["name"] for o in bundled.analysis["outlets"]}
    assert cited == {"Yonhap News Agency", "The Korea Herald", "Reuters", "Nikkei Asia"}
    yonhap = next(o for o in bundled.analysis["outlets"] if o["name"] == "Yonhap News Agency")
    assert yonhap["outlet"] == "yonhap"
    assert yonhap["sentence"].startswith("As reported by Yonhap News Agency")


def test_boilerplate_does_not_pollute_terms_or_entities(bundled):
    words = {t for t, _ in bundled.analysis["terms"]}
    names = {e["name"].lower() for e in bundled.analysis["entities"]}
    for junk in ("min", "read", "share", "comment", "leave", "marek", "olsen"):
        assert junk not in words
        assert all(junk not in n.split() for n in names)


def test_event_dates_resolve_with_the_source_year(bundled):
    assert "2025-04-24" in bundled.analysis["event_dates"]
    assert "2025-04-08" in bundled.analysis["event_dates"]


def test_real_seed_loads_without_its_page_boilerplate():
    if not SEED.exists():
        pytest.skip(f"the shared seed is not beside this checkout ({SEED})")
    seed = load_source(str(SEED))
    assert seed.title.startswith("South Korea US Trade Talks")
    assert seed.published is None
    assert seed.analysis["event_dates"] == ["--04-24"]
    for junk in ("6 Min Read", "Share This Article", "Leave a Comment", "luna rosalia"):
        assert junk not in seed.text
    assert len(seed.analysis["outlets"]) == 4


def test_markdown_and_html_sources(tmp_path):
    md = tmp_path / "post.md"
    md.write_text(
        "# Choi Sang-mok goes to Washington\n\nFinance Minister **Choi Sang-mok** left.\n"
    )
    piece = load_source(str(md), published="2025-04-22")
    assert piece.title == "Choi Sang-mok goes to Washington"
    assert "**" not in piece.text
    html = tmp_path / "post.html"
    html.write_text(
        "<html><head><title>Ahn departs</title>"
        '<meta property="article:published_time" content="2025-04-23T09:00:00+09:00"></head>'
        "<body><article><h1>Ahn departs</h1>"
        + "<p>Industry Minister Ahn Duk-geun left for Washington for tariff talks today.</p>" * 5
        + "</article></body></html>"
    )
    piece = load_source(str(html))
    assert piece.title == "Ahn departs"
    assert piece.published == "2025-04-23"
    assert "Ahn Duk-geun" in piece.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "not found"),
        ("post.pdf", "x", "unsupported source type"),
        ("empty.txt", "\n\n", "no article text"),
    ],
)
def test_bad_sources_give_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(SourceError, match=message):
        load_source(str(path))


def test_bad_published_date_is_an_error():
    with pytest.raises(SourceError, match="YYYY-MM-DD"):
        load_source(str(BUNDLED_SOURCE), published="April 22")


def test_surnames_count_for_the_person_named_in_full():
    from crawler.source import entities

    text = (
        "Acting President Han Duck-soo met Donald Trump. On Monday, Han said the talks went "
        "well and that Trump agreed. Kim Jong-un and Kim Yo-jong were absent; later Kim said "
        "nothing."
    )
    found = {e["name"]: e for e in entities(text)}
    assert found["Han Duck-soo"]["count"] == 2 and "han" in found["Han Duck-soo"]["variants"]
    assert found["Donald Trump"]["count"] == 2 and "Trump" not in found
    # Two people could be "Kim": it stays apart from both.
    assert found["Kim Jong-un"]["count"] == found["Kim Yo-jong"]["count"] == 1


def test_entity_kinds_for_countries_armies_and_long_headings():
    from crawler.source import entities, entity_kind

    assert entity_kind("Russia") == "place"
    assert entity_kind("Revolutionary Army") == "organisation"
    assert entity_kind("Middle Eastern") == "other"
    heading = "North Korea's Biggest Warship Fires Its First Missiles as Kim Pushes for a Navy"
    names = {e["name"] for e in entities(f"{heading}\nKim Jong-un watched. Kim Jong-un left.")}
    assert "Kim Pushes" not in names and "Biggest Warship Fires Its First Missiles" not in names

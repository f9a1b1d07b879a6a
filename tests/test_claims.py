"""Attributed claims: each statement a source credits to an outlet, linked to the passage behind
it (crawler/claims.py), checked at the end of a real `newsagg crawl --replica`, and shown by
`newsagg claims`, `related --explain` and `export`.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import run_newsagg

from crawler import claims as claimsmod
from crawler import db as dbmod
from crawler.claims import (
    Quantity,
    check_claim,
    claims_of,
    headline_text,
    names_found,
    quantities,
    word_keys,
)
from crawler.crawl import check_claims
from crawler.source import analyse, load_source
from crawler.textutil import rarity

OPEN_THE_DOOR = "https://en.yna.co.kr/view/AEN20250422005200320"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Path:
    """One replica crawl of the bundled source."""
    path = tmp_path_factory.mktemp("claims") / "news.db"
    done = run_newsagg("crawl", "--replica", "--db", str(path))
    assert done.returncode == 0, done.stderr
    return path


def stored(path: Path, source_id: int = 1) -> list[dict]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return [
            dict(r)
            for r in conn.execute(
                "select k.*, a.outlet as article_outlet, a.access, a.published "
                "from claims k left join articles a on a.id = k.article_id "
                "where k.source_id = ? order by k.position",
                [source_id],
            )
        ]


def claim(content: str, outlet: str | None = "yonhap", cited_as: str = "Yonhap") -> dict:
    return {"position": 1, "claim": content, "content": content, "outlet": outlet,
            "cited_as": cited_as}  # fmt: skip


def article(text: str | None, title: str = "A headline", access: str = "full", **more) -> dict:
    return {"id": more.pop("id", "a1"), "canonical_url": "https://en.yna.co.kr/view/A1",
            "outlet": "yonhap", "title": title, "description": None, "text": text,
            "published": "2025-04-20T00:00:00+00:00", "access": access, **more}  # fmt: skip


# --- the bundled source, crawled ------------------------------------------------------------


def test_bundled_sources_attributions_are_all_claims_with_their_outlets(crawled):
    rows = stored(crawled)
    assert [r["outlet"] for r in rows] == ["yonhap", "koreaherald", "reuters", "nikkei"]
    assert rows[0]["claim"].startswith("As reported by Yonhap News Agency")
    assert {r["status"] for r in rows} <= {"supported", "headline-only", "not-found"}


def test_yonhap_claim_is_linked_to_the_yonhap_original_and_its_quoted_words(crawled):
    yonhap = stored(crawled)[0]
    assert yonhap["status"] == "supported"
    assert yonhap["url"] == OPEN_THE_DOOR
    assert '"open the door"' in yonhap["passage"]
    assert json.loads(yonhap["details"])["quotes"] == ["open the door"]


def test_reuters_claim_on_the_replica_is_headline_only_at_a_401_page(crawled):
    reuters = stored(crawled)[2]
    assert reuters["status"] == "headline-only"
    assert reuters["article_outlet"] == "reuters" and reuters["access"] == "blocked"
    # The analysis of Alaska gas as Seoul's costly bargaining chip, not the neighbouring
    # headline on Han's video meeting about it (the source says that one in its own words).
    assert reuters["url"].endswith(
        "analysis-alaska-gas-dream-becomes-seouls-costly-bargaining-chip-2025-04-16"
    )
    assert reuters["passage"].lower().startswith("alaska gas dream")


def test_linked_claims_point_at_the_cited_outlet_before_the_source_or_a_day_after(crawled):
    for row in stored(crawled):
        if row["article_id"]:
            assert row["article_outlet"] == row["outlet"]
            assert row["published"][:10] <= "2025-04-23"  # the source: 2025-04-22
            assert 0 < row["score"] <= 1


def test_claims_are_rewritten_for_a_source_not_added_again(crawled, tmp_path):
    copy = tmp_path / "again.db"
    shutil.copy(crawled, copy)
    db = dbmod.connect(copy)
    assert check_claims(db, [1]) == {1: check_claims(db, [1])[1]}
    assert len(stored(copy)) == 4


# --- statuses -------------------------------------------------------------------------------

NUMBERED = (
    "Yonhap News Agency reported that a 25 percent reciprocal tariff on South Korea was due to "
    "take effect under the sweeping trade measures Trump unveiled."
)


def test_a_claim_whose_number_the_outlet_states_otherwise_is_contradicted():
    said = "The call came a day before a 24 percent reciprocal tariff on South Korea took effect "
    said += "under the sweeping trade measures Trump unveiled."
    (found,) = claims_of(NUMBERED)
    evidence = check_claim(found, [article(said)])
    assert evidence.status == "contradicted"
    assert evidence.details["numbers_differ"] == ["25 pct"]
    assert check_claim(found, [article(said.replace("24", "25"))]).status == "supported"


def test_a_changed_number_in_a_stored_article_turns_a_supported_claim_contradicted(
    crawled, tmp_path
):
    copy = tmp_path / "numbers.db"
    shutil.copy(crawled, copy)
    source = tmp_path / "tariff.txt"
    source.write_text(f"Seoul braces for tariffs\n\n{NUMBERED}\n", encoding="utf-8")
    db = dbmod.connect(copy)
    source_id = dbmod.add_source(db, load_source(str(source), published="2025-04-09"))
    check_claims(db, [source_id])
    (before,) = stored(copy, source_id)
    assert before["status"] == "supported" and before["article_outlet"] == "yonhap"
    with dbmod.immediate(db):
        db.execute(
            "update articles set text = replace(text, '25 percent', '24 percent') "
            "where outlet = 'yonhap'"
        )
    check_claims(db, [source_id])
    (after,) = stored(copy, source_id)
    assert after["status"] == "contradicted"
    assert "24 percent" in after["passage"]


def test_a_claim_no_article_of_the_outlet_says_is_not_found():
    found = claim("the central bank will cut interest rates by half a point in May.")
    unrelated = article(
        "Fine dust will reach bad levels in central regions as yellow dust moves in."
    )
    evidence = check_claim(found, [unrelated])
    assert evidence.status == "not-found"
    assert evidence.article_id is None and evidence.passage is None
    assert evidence.details["nearest"]["url"] == unrelated["canonical_url"]
    assert check_claim(found, []).status == "not-found"


def test_a_reuters_claim_whose_only_record_is_a_401_headline_is_headline_only():
    (found,) = claims_of(
        "Reuters reported that Washington called the election free and fair, while a White "
        "House official voiced concern about Chinese influence in democracies."
    )
    blocked = article(
        None,
        title="US says South Korea election was free and fair, flags concern over China",
        access="blocked",
        outlet="reuters",
    )
    evidence = check_claim(found, [blocked])
    assert evidence.status == "headline-only"
    assert evidence.passage == blocked["title"]
    other = {**blocked, "title": "ECB cuts rates for the seventh time as trade war clouds outlook"}
    assert check_claim(found, [other]).status == "not-found"


def test_a_paywall_preview_that_says_the_claim_is_headline_only_not_supported():
    found = claim("Korean Air will buy 103 Boeing aircraft worth 36 billion dollars.")
    preview = "SEOUL -- Korean Air will buy 103 Boeing aircraft worth $36 billion, it said."
    evidence = check_claim(found, [article(preview, access="partial", outlet="nikkei")])
    assert evidence.status == "headline-only"
    assert evidence.details["numbers_agree"] == ["103 n:boeing", "3.6e+10 usd"]


def test_an_outlet_newsagg_does_not_crawl_is_kept_and_not_found():
    text = "The Busan Daily reported that shipyards were hiring welders again."
    (found,) = claims_of(text)
    assert found["outlet"] is None and found["cited_as"] == "The Busan Daily"
    (row,) = claimsmod.check_source({"id": 7, "text": text, "published": "2025-04-22"}, [])
    assert row["status"] == "not-found" and row["outlet"] is None


def test_names_of_the_claim_must_be_in_the_article():
    found = claim("Choi Sang-mok said he hoped to open the door to negotiations in Washington.")
    same = "Choi Sang-mok said he hoped to open the door to negotiations in Washington."
    other = "Akazawa said he hoped to open the door to negotiations in Washington."
    assert check_claim(found, [article(same)]).status == "supported"
    assert check_claim(found, [article(other)]).score < check_claim(found, [article(same)]).score


def test_articles_after_the_day_after_the_source_or_a_month_before_it_do_not_count():
    pages = [
        article("x", id="late", published="2025-04-24T01:00:00+00:00"),
        article("x", id="next-day", published="2025-04-23T20:00:00+00:00"),
        article("x", id="old", published="2025-03-01T00:00:00+00:00"),
        article("x", id="other", outlet="reuters"),
    ]
    kept = claimsmod.eligible(pages, "yonhap", "2025-04-22")
    assert [a["id"] for a in kept] == ["next-day"]


# --- numbers and attributions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("claimed", "stated", "agree"),
    [
        ("25 percent", "25%", True),
        ("49.4 percent", "49.42 percent", True),
        ("41.2 percent", "41.15 percent", True),
        ("49.4 percent", "49.6 percent", False),
        ("$44 billion", "44 billion dollars", True),
        ("April 24", "24 April", True),
        ("April 24", "April 25", False),
    ],
)
def test_numbers_agree_across_the_ways_news_writes_them(claimed, stated, agree):
    (mine,) = quantities(claimed)
    (theirs,) = quantities(stated)
    assert mine.agrees(theirs) is agree


def test_years_and_numbers_inside_names_are_no_amounts():
    assert quantities("the 2+2 talks in 2025 at the G20") == []
    assert quantities("28,500 troops") == [Quantity("n:troop", 28500, 0.5)]


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("Yonhap said the talks would resume on Monday.", "yonhap"),
        ("As The Korea Herald noted, the talks would resume.", "koreaherald"),
        ("Exports to the US fell 5 percent in April (Yonhap).", "yonhap"),
        ("Nikkei Asia noted that carmakers were cautious.", "nikkei"),
    ],
)
def test_said_noted_and_bracketed_credits_are_attributions(text, outlet):
    (found,) = analyse("", text, None)["outlets"]
    assert found["outlet"] == outlet


@pytest.mark.parametrize(
    "text",
    [
        "Han said it was Washington that had suggested the meeting.",
        "Korean Air said it would buy 103 Boeing aircraft.",
        "Officials at the Korea International Trade Association (KITA) urged speed.",
    ],
)
def test_people_companies_and_acronyms_saying_things_are_not_outlets(text):
    assert analyse("", text, None)["outlets"] == []


def test_a_claim_takes_the_next_sentence_when_it_goes_on_with_it():
    text = (
        "According to Nikkei Asia, Seoul sees the gas project as strategic. It would reduce "
        "dependency on Middle Eastern energy. Officials declined to comment."
    )
    (found,) = claims_of(text)
    assert found["claim"].endswith("Middle Eastern energy.")
    assert "Officials" not in found["claim"]
    assert found["content"].startswith("Seoul sees")


def test_a_claim_is_one_sentence_across_abbreviations_and_broken_lines():
    text = "As reported by Yonhap News Agency, the U.S. initiated\nthe meeting. Then more."
    (found,) = claims_of(text)
    assert found["claim"] == "As reported by Yonhap News Agency, the U.S. initiated the meeting."


# --- what a claim says and how passages are weighed -----------------------------------------


def test_words_match_on_their_stems_and_a_country_on_its_adjective():
    assert "fire" in word_keys("Kim watched the firings").keys() & word_keys("test-fires")
    assert "sector" in word_keys("three sectors").keys() & word_keys("sectoral duties")
    assert word_keys("Japanese negotiators").keys() >= word_keys("Japan").keys()
    assert word_keys("automobiles").keys() == word_keys("cars").keys()
    assert word_keys("LNG").keys() == word_keys("gas").keys()
    assert word_keys("the Alaskan gas project").keys() >= word_keys("Alaska").keys()
    assert "woman" in word_keys("Woman") and "veteran" in word_keys("veteran")


def test_one_word_in_common_is_a_coincidence_however_rare():
    found = claim("both countries aim to modernize their partnership.", outlet="koreaherald")
    once = article("Seoul is preparing technology partnerships for shipbuilding talks.")
    assert check_claim(found, [once]).status == "not-found"
    twice = article("Officials said the two countries aim to deepen their partnership.")
    assert check_claim(found, [twice]).status == "supported"


def test_a_words_rarity_is_that_of_the_word_as_written_not_its_stem():
    # "series" is common English; its stems ("sery", "seri") are not words at all.
    assert word_keys("a series of trials")["seri"] == rarity("series")


def test_the_sources_closing_comment_is_no_part_of_the_claim():
    text = (
        "According to Nikkei Asia, Japanese negotiators who held their own first round of "
        "tariff talks in Washington returned home without a breakthrough, an outcome that has "
        "tempered expectations in Seoul."
    )
    (found,) = claims_of(text)
    assert found["content"].endswith("without a breakthrough.")
    assert found["framing"] == "an outcome that has tempered expectations in Seoul."
    # A short credited part keeps its comma clause: there would be too little left.
    (short,) = claims_of("Yonhap reported a deal, a move that surprised many analysts.")
    assert short["framing"] is None


def test_a_name_counts_in_a_passage_that_refers_to_it_by_a_part():
    found = claim("Lee took 49.4 percent of the vote against 41.2 percent for Kim Moon-soo.")
    text = (
        "Lee Jae-myung won the presidential election, defeating Kim Moon-soo, the election "
        "commission said on Wednesday. Turnout was the highest in decades. Officials counted "
        "ballots through the night. Kim received 41.15 percent, Lee 49.42 percent."
    )
    evidence = check_claim(found, [article(text)])
    assert evidence.status == "supported"
    assert evidence.passage.endswith("Lee 49.42 percent.")
    assert evidence.details["names_agree"] == 1.0
    # Someone else's numbers: Kim is not in the article in full, so the name does not agree.
    other = "Kim Jong-un oversaw the tests. Kim received 41.15 percent, Lee 49.42 percent."
    assert check_claim(found, [article(other)]).details["names_agree"] < 1.0


def test_a_place_opening_a_headline_is_still_the_place():
    assert "japan" in names_found("Tokyo watches as Seoul's investment terms remain unsettled")


def test_a_headline_is_scored_both_ways_and_the_sources_subject_counts_neither_way():
    found = claim(
        "Washington has been pressing Asian allies to commit to buying gas from the Alaska LNG "
        "project, a costly pipeline plan that Korean companies have treated with caution.",
        outlet="reuters",
        cited_as="Reuters",
    )
    found["context"] = "Seoul sends its top economic team to Washington for tariff talks"
    said_more = article(
        None, title="Analysis: Alaska gas dream becomes Seoul's costly bargaining chip",
        access="blocked", id="analysis",
    )  # fmt: skip
    shorter = article(
        None, title="South Korea's Han says Alaska LNG video meeting due", access="blocked",
        id="han",
    )  # fmt: skip
    # What else is stored: the story's words ("Korea", "Seoul", "talks") are everywhere.
    corpus = [article(f"South Korea and Seoul in tariff talks, day {i}.") for i in range(10)]
    corpus += [shorter, said_more]
    evidence = check_claim(found, [shorter, said_more], corpus)
    assert evidence.article_id == "analysis" and evidence.status == "headline-only"
    # The label is no part of the headline.
    assert evidence.passage == "Alaska gas dream becomes Seoul's costly bargaining chip"
    # "Seoul" is the source's subject: without the source's context, it counts against.
    found["context"] = ""
    assert check_claim(found, [said_more], corpus).score < evidence.score


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("Analysis: Seoul plays for time", "Seoul plays for time"),
        ("[Explainer] What's at stake", "What's at stake"),
        ("(LEAD) N. Korea's Kim oversees test", "N. Korea's Kim oversees test"),
        ("[News Analysis] Kim's nuclear navy push", "Kim's nuclear navy push"),
        ("Analysis alaska gas dream", "alaska gas dream"),
        ("Analysts say tariffs bite", "Analysts say tariffs bite"),
    ],
)
def test_a_headlines_label_is_left_out(title, headline):
    assert headline_text(title) == headline


def test_of_two_passages_that_say_a_claim_the_one_closer_to_the_source_wins():
    found = claim("Kim called for faster nuclear arming of the navy.")
    text = "Kim called for faster nuclear arming of the navy, state media said."
    older = article(text, id="older", published="2025-04-02T00:00:00+00:00")
    newer = article(text, id="newer", published="2025-04-20T00:00:00+00:00")
    for order in ([older, newer], [newer, older]):
        assert check_claim(found, order, source_day="2025-04-22").article_id == "newer"


def test_words_every_stored_article_uses_tell_passages_apart_less():
    found = claim("Seoul will press the exchange rate issue in the tariff talks.")
    story = article("Seoul said the tariff talks would start soon.", id="story")
    particular = article("Officials said the exchange rate issue was on the table.", id="rate")
    corpus = [article(f"Tariff talks with Seoul, day {i}.", id=f"c{i}") for i in range(20)]
    evidence = check_claim(found, [story, particular], corpus=[story, particular, *corpus])
    assert evidence.article_id == "rate"


def test_last_month_in_an_article_is_the_month_a_claim_names():
    found = claim("Aides prepared for questions on defense costs and the deal struck in July.")
    text = "Aides prepared for questions on defense costs and last month's tariff deal."
    august = article(text, published="2025-08-24T00:00:00+00:00")
    evidence = check_claim(found, [august])
    assert "juli" in evidence.details["shared"]
    assert evidence.score > check_claim(found, [{**august, "published": None}]).score


# --- where users see them -------------------------------------------------------------------


def test_claims_command_prints_each_claim_and_json_and_refuses_an_unknown_source(crawled):
    done = run_newsagg("claims", "--db", str(crawled))
    assert done.returncode == 0, done.stderr
    assert "#1 supported" in done.stdout and OPEN_THE_DOOR in done.stdout
    done = run_newsagg("claims", "1", "--json", "--db", str(crawled))
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["position"] for r in rows] == [1, 2, 3, 4]
    assert {"claim", "outlet", "article_id", "passage", "score", "status"} <= set(rows[0])
    done = run_newsagg("claims", "99", "--db", str(crawled))
    assert done.returncode == 2 and done.stderr.strip().count("\n") == 0
    assert "no source 99" in done.stderr


def test_explain_of_the_supporting_article_lists_its_claims(crawled):
    done = run_newsagg("related", "--explain", OPEN_THE_DOOR, "--db", str(crawled))
    assert done.returncode == 0, done.stderr
    assert "claims of the source this article is the evidence for" in done.stdout
    assert "#1 supported" in done.stdout
    done = run_newsagg("related", "--explain", OPEN_THE_DOOR, "--json", "--db", str(crawled))
    (row,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert [c["position"] for c in row["claims"]] == [1]


def test_export_of_a_source_carries_the_claims_on_the_articles_that_support_them(crawled):
    done = run_newsagg("export", "--source", "1", "--db", str(crawled))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    with_claims = {r["canonical_url"]: r["claims"] for r in lines if "claims" in r}
    assert [c["status"] for c in with_claims[OPEN_THE_DOOR]] == ["supported"]
    # The export is of covered articles: a claim whose evidence the scorer did not link to
    # the source (Nikkei on Japan's own talks) is in `newsagg claims`, not here.
    with sqlite3.connect(crawled) as conn:
        covered = {a for (a,) in conn.execute("select article_id from coverage")}
    linked = [r for r in stored(crawled) if r["article_id"] in covered]
    assert linked and sum(len(c) for c in with_claims.values()) == len(linked)

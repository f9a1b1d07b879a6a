from __future__ import annotations

import pytest
from conftest import REPLICA, replica_articles

from crawler.scoring import (
    Profile,
    date_proximity,
    feedback_vector,
    full_score,
    quick_score,
    term_vector,
)
from crawler.source import BUNDLED_SOURCE, load_source
from pipelines.extract import extract_article


@pytest.fixture(scope="module")
def profile():
    piece = load_source(str(BUNDLED_SOURCE))
    return Profile.from_source(
        {"id": 1, "analysis": piece.analysis, "title": piece.title, "text": piece.text}
    )


@pytest.fixture(scope="module")
def scored(profile):
    out = []
    for article in replica_articles("yonhap"):
        html = (REPLICA / "yonhap" / "view" / f"{article['id']}.html").read_text(encoding="utf-8")
        fields = extract_article(html, "https://en.yna.co.kr/view/" + article["id"], "yonhap")
        result = full_score(profile, fields["title"], fields["text"], fields["published"])
        out.append((article, fields, result))
    return out


def test_scores_are_between_zero_and_one(scored):
    for _, _, result in scored:
        assert 0.0 <= result["score"] <= 1.0
        assert set(result["components"]) == {"terms", "entities", "focus", "date", "topic"}
        topic = result["components"]["topic"]
        assert topic is None or 0.0 <= topic <= 1.0


def test_related_articles_score_well_above_unrelated_ones_before_feedback(scored):
    related = sorted(r["score"] for a, _, r in scored if a["label"] == "related")
    unrelated = sorted(r["score"] for a, _, r in scored if a["label"] == "unrelated")
    # Without story feedback the weakest related pieces (written after the source, in words
    # it does not use) sit near the unrelated ones; the typical related piece is far above.
    assert related[len(related) // 2] > unrelated[-1] + 0.2
    assert related[0] > unrelated[len(unrelated) // 2]


def test_story_feedback_separates_related_from_unrelated(profile, scored):
    confident = [
        term_vector(f"{f['title']}\n{f['text']}") for _, f, r in scored if r["score"] >= 0.55
    ]
    assert len(confident) >= 5
    story = profile.with_feedback(feedback_vector(confident))
    related, unrelated = [], []
    for article, fields, _ in scored:
        score = full_score(story, fields["title"], fields["text"], fields["published"])["score"]
        (
            related
            if article["label"] == "related"
            else unrelated
            if article["label"] == "unrelated"
            else []
        ).append(score)
    assert min(related) > max(unrelated)


def test_matched_names_the_shared_people(scored):
    talks = next(r for a, _, r in scored if a["id"] == "AEN20250425001552320")
    assert {"Choi Sang-mok", "Ahn Duk-geun", "Scott Bessent"} <= set(talks["entities"])
    assert talks["date_distance_days"] <= 1


def test_date_proximity_decays_with_distance(profile):
    near, _ = date_proximity(profile, "2025-04-24T01:00:00+00:00")
    far, distance = date_proximity(profile, "2024-10-04T01:00:00+00:00")
    assert near == pytest.approx(1.0)
    assert far < 0.01 and distance > 100
    assert date_proximity(profile, None) == (0.5, None)


def test_quick_score_keeps_related_titles_and_drops_unrelated_ones(profile):
    def quick(title):
        return quick_score(profile, title, None, [])["score"]

    related = quick("Finance minister leaves for Washington for tariff talks")
    assert related > 0.15
    # Naming the story's places only (its setting) is worth little; naming nothing, nothing.
    assert quick("Seoul weather: rain and yellow dust across Korea") < related / 3
    assert quick("KBO tops 2 million fans in fewest games ever") == 0.0


def test_focus_marks_articles_whose_own_names_are_not_the_sources(profile, scored):
    japan = next(r for a, _, r in scored if a["id"] == "AEN20250417512000309")
    talks = next(r for a, _, r in scored if a["id"] == "AEN20250425001552320")
    assert japan["components"]["focus"] < 0.6 < talks["components"]["focus"]
    assert "japan" in japan["foreign_names"] and len(japan["foreign_names"]) >= 2


def test_sentence_openers_are_not_names_but_names_are():
    from crawler.textutil import name_key, name_phrases

    text = (
        "Analysis: Seoul bets on shipbuilding.\n"
        "Inside the deal, officials in Seoul and Tokyo disagreed. Hanwha said so."
    )
    names = name_phrases(text)
    assert "Analysis" not in names and "Inside" not in names
    assert {"Seoul", "Tokyo", "Hanwha"} <= set(names)  # Hanwha is rare, so a name anywhere
    # A rare word that opens a sentence but is written in lower case elsewhere is a noun.
    assert name_phrases("Carmakers wait. Hyundai said carmakers would.") == ["Hyundai"]
    assert name_key("U.S.") == name_key("United States") == name_key("America")
    assert name_key("South Koreas") == name_key("South Korea's") == "south korea"


def test_thin_rows_borrow_the_judgement_of_read_articles_with_similar_headlines(profile):
    from pipelines.relevance import by_headline

    def row(i, title, text=None):
        return {"id": i, "title": title, "keywords": "[]", "text": text}

    rows = [
        row(1, "Finance minister leaves for Washington for tariff talks", "word " * 200),
        row(2, "Fine dust to reach bad levels in central regions", "word " * 200),
        row(3, "South Korea finance minister heads to Washington for tariff talks"),
        row(4, "Yellow dust and fine dust levels rise in central regions"),
        row(5, "KBO tops two million fans"),
        row(6, "Japan's finance minister leaves for Washington for tariff talks"),
    ]
    scores = {1: 0.9, 2: 0.1, 3: 0.3, 4: 0.2, 5: 0.05, 6: 0.2}
    # Row 6's own names make it another country's story: its focus is 0.
    results = {
        i: {"score": v, "components": {"focus": 0.0 if i == 6 else 1.0}} for i, v in scores.items()
    }
    by_headline(rows, results)
    assert results[3]["score"] == 0.9 and results[3]["own_score"] == 0.3
    assert results[3]["neighbours"][0]["title"].startswith("Finance minister")
    assert results[4]["score"] == 0.2  # a low-scoring neighbour never lowers a score
    assert "neighbours" not in results[5]  # nothing alike: its own score stands
    assert results[5]["score"] == 0.05
    assert "neighbours" not in results[1]  # read articles keep their own judgement
    # Alike headline, someone else's story: it borrows nothing.
    assert results[6]["score"] == 0.2 and "neighbours" not in results[6]


def test_home_countries_are_the_ones_the_source_writes_about():
    from crawler.scoring import country_of, home_countries

    assert country_of("South Korean") == country_of("South Korea") == "south korea"
    assert country_of("Chinese") == "china" and country_of("U.S.") == country_of("American")
    # A capital stands for its government, so for its country ("Seoul said").
    assert country_of("Seoul") == "south korea" and country_of("Washington") == country_of("US")
    assert country_of("Incheon") is None
    text = "The US and South Korea met. US officials and South Korean ones agreed. Japan waits."
    # Named twice or more (its people count): home. Once, in passing: not. A capital is
    # where things happen as often as who acts: it makes no country home.
    assert home_countries(text, least=2) == {country_of("US"), "south korea"}
    assert home_countries("Seoul said so. Seoul and Washington talked.", least=1) == frozenset()
    # In a short text one mention is not "in passing": it is one of few.
    assert home_countries(text) == {country_of("US"), "south korea", "japan"}
    longer = text + " The talks went on through the afternoon." * 60
    assert home_countries(longer) == {country_of("US"), "south korea"}


def test_another_countrys_story_has_no_focus_even_if_the_source_names_it_once(profile):
    from dataclasses import replace

    japan = (
        "Japan's tariff envoy Akazawa met Trump and Bessent. Japan hopes for a deal. "
        "Akazawa said Japan would not rush. Tokyo is cautious."
    )
    once = replace(profile, entities=[*profile.entities, ("Japan", ("japan",), 0.5)])
    assert "japan" in once.entity_keys and "japan" not in once.home
    assert full_score(once, "Japan's envoy meets Trump", japan, None)["components"]["focus"] == 0


# A piece on the talks' industry angle: the source never names these companies.
CARMAKERS = (
    "Hyundai Motor and Kia are weighing a shift of production to their U.S. plants as Seoul "
    "seeks relief from the 25 percent tariff on cars in its trade talks with Washington. "
    "Hyundai said tariff costs would weigh on margins; Kia said it would hold prices. "
    "Hyundai and Kia urged negotiators to make autos and steel the centerpiece of the talks "
    "on reciprocal tariffs, and Hyundai warned the levy could erode profits. Kia agreed."
)
# The source's people, no subject of its own in common with it.
CONDOLENCES = (
    "Acting President Han Duck-soo offered condolences on Monday over the death of Pope "
    "Francis, recalling the pope's 2014 visit to South Korea. Han said Pope Francis had "
    "comforted the families of the ferry victims. Han Duck-soo sent a message to the Vatican. "
    "Catholics in Seoul gathered at Myeongdong Cathedral to pray for Pope Francis."
)


def test_topic_is_the_subject_without_the_names(profile):
    from crawler.scoring import text_features, topic_similarity

    carmakers = topic_similarity(profile, text_features("Carmakers seek relief", CARMAKERS))
    condolences = topic_similarity(profile, text_features("Han mourns pope", CONDOLENCES))
    assert carmakers > 0.1 > 0.05 > condolences


def test_a_headline_of_names_only_says_nothing_about_the_topic(profile):
    from crawler.scoring import text_features, topic_similarity

    title = "Choi Sang-mok, Scott Bessent in Washington"
    assert topic_similarity(profile, text_features(title, None)) is None
    result = full_score(profile, title, None, None)
    assert result["components"]["topic"] is None and result["score"] > 0.1  # not gated


def test_names_without_the_subject_are_not_coverage(profile):
    result = full_score(
        profile, "Han offers condolences over Pope Francis' death", CONDOLENCES, None
    )
    assert "Han Duck-soo" in result["entities"]  # the source's main person is there...
    assert result["components"]["topic"] < 0.06  # ...but not what it is about
    assert result["score"] < 0.15


def test_on_topic_strangers_are_actors_in_the_story_not_another_story(profile):
    from crawler.scoring import TOPIC_FULL, entity_focus, text_features

    features = text_features("Hyundai and Kia seek tariff relief", CARMAKERS)
    by_names, foreign = entity_focus(profile, features.names)
    assert {"hyundai", "kia"} <= set(foreign) and by_names < 0.7
    result = full_score(profile, "Hyundai and Kia seek tariff relief", CARMAKERS, None, features)
    topic = result["components"]["topic"]
    assert result["components"]["focus"] == pytest.approx(
        max(by_names, min(1, topic / TOPIC_FULL)), abs=1e-3
    )
    assert result["components"]["focus"] > by_names


def test_search_queries_are_the_sources_main_people_and_rare_phrases():
    from crawler.scoring import search_queries

    piece = load_source(str(BUNDLED_SOURCE))
    queries = search_queries(piece.analysis)
    # "Han" and "Trump" count for Han Duck-soo and Donald Trump; a search for Trump would
    # return the whole day's news, so the rarer names go first.
    assert queries[:3] == ("Han Duck-soo", "Ahn Duk-geun", "Choi Sang-mok")
    assert "Donald Trump" not in queries
    assert all(" " in q for q in queries[3:])


def test_a_candidate_known_only_by_its_url_needs_half_the_quick_score():
    from crawler.middlewares import prefilter_bar

    bare = {"title": "Alaska gas dream becomes seouls bargaining chip", "title_from_url": True}
    assert prefilter_bar(bare, 0.04) == pytest.approx(0.02)
    # A headline, a teaser or keywords from discovery: the full bar.
    assert prefilter_bar({**bare, "keywords": ["LNG"]}, 0.04) == 0.04
    assert prefilter_bar({**bare, "title_from_url": False}, 0.04) == 0.04

"""When a story happened: date mentions and their tense, an undated source's inferred date,
the event's span and the tier of each linked article."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date

import pytest
from conftest import ROOT, run_newsagg

from crawler.storydates import (
    event_span,
    infer_published,
    mentions,
    resolve,
    sentence_tense,
    tier,
    weekday_day,
)


def test_a_sentence_about_what_is_to_come_is_future_and_one_about_what_happened_past():
    assert sentence_tense("The ministers are heading to Washington for talks on April 24.") == (
        "future"
    )
    assert sentence_tense("The two sides agreed on a package on April 24.") == "past"
    assert sentence_tense("Officials said the talks will resume.") is None  # both cues


def test_days_are_read_in_the_forms_news_writes_them():
    found = mentions("Talks open on April 24. The deadline is 8 July 2025. They met Thursday.")
    assert [(m.month, m.day, m.year) for m in found if m.month] == [(4, 24, None), (7, 8, 2025)]
    assert [m.weekday for m in found if m.weekday is not None] == [3]
    written = date(2025, 4, 22)
    assert resolve(found[0], written) == date(2025, 4, 24)
    # A yearless day is the one nearest the writing day: late December seen from January.
    (december,) = mentions("The vote was held on Dec. 30.")
    assert resolve(december, date(2026, 1, 3)) == date(2025, 12, 30)
    (thursday,) = [m for m in mentions("They will meet on Thursday.") if m.weekday is not None]
    assert weekday_day(thursday, written) == date(2025, 4, 24)  # a Tuesday: the next one


def test_an_undated_source_is_dated_among_its_coverage_and_bounded_by_its_text():
    coverage = [date(2025, 4, d) for d in (18, 22, 22, 23, 24, 24, 25, 25, 25, 26)]
    text = "The ministers are heading to Washington for a summit on April 24."
    inferred = infer_published(text, coverage)
    # The median of the coverage is April 24, but the summit is still to come: the 23rd.
    assert inferred.day == date(2025, 4, 23)
    assert inferred.evidence["text"] == ['"April 24" is still to come']
    assert 0 < inferred.confidence <= 1
    assert infer_published(text, []) is None


def test_the_event_is_the_writing_day_and_the_days_named_near_it_not_every_recalled_day():
    # Written April 22, naming the talks of April 24 and the phone call of April 8.
    span = event_span(date(2025, 4, 22), [date(2025, 4, 8), date(2025, 4, 24)])
    assert span == (date(2025, 4, 17), date(2025, 4, 27))
    assert event_span(None, [date(2025, 4, 24)]) is None


@pytest.mark.parametrize(
    ("published", "text", "expected"),
    [
        (
            "2025-04-24T09:00:00+00:00",
            "The two sides agreed on a July package on Thursday.",
            "event",
        ),
        # A deadline ahead is no event of its own.
        (
            "2025-04-24T09:00:00+00:00",
            "They agreed to act before the pause ends on July 8.",
            "event",
        ),
        ("2025-04-08T09:00:00+00:00", "Han and Trump held phone talks on Tuesday.", "background"),
        (
            "2025-07-22T09:00:00+00:00",
            "A new round of 2+2 talks was set for July 25.",
            "background",
        ),
        # Within the days, but its first sentence reports an older event.
        (
            "2025-04-23T09:00:00+00:00",
            "Trump and Han held a call on April 8. Talks near.",
            "background",
        ),
    ],
)
def test_an_article_is_the_event_or_its_background(published, text, expected):
    span = (date(2025, 4, 17), date(2025, 4, 27))
    kind, why = tier(span, published, text)
    assert kind == expected, why


@pytest.fixture(scope="module")
def undated(tmp_path_factory):
    """The bundled piece without its sidecar: no date in metadata, none with a year in text."""
    tmp = tmp_path_factory.mktemp("undated")
    piece = tmp / "piece.txt"
    shutil.copy(ROOT / "data" / "sources" / "korea-us-2plus2-talks.txt", piece)
    db = tmp / "news.db"
    result = run_newsagg("crawl", "--replica", "--source", str(piece), "--db", str(db))
    assert result.returncode == 0, result.stderr
    return db, piece, result


def test_an_undated_source_gets_an_inferred_date_with_its_evidence(undated):
    db, _, result = undated
    with sqlite3.connect(db) as conn:
        published, inferred, evidence = conn.execute(
            "select published, published_inferred, date_evidence from sources"
        ).fetchone()
    # The piece was written on 2025-04-22 (its sidecar, left out here, says so).
    assert abs((date.fromisoformat(published) - date(2025, 4, 22)).days) <= 1
    assert inferred == 1
    assert json.loads(evidence)["coverage_days"]
    assert "(inferred" in result.stdout
    listed = run_newsagg("sources", "list", "--db", str(db))
    assert f"{published} (inferred)" in listed.stdout
    assert "date inferred with confidence" in listed.stdout


def test_coverage_is_split_into_the_event_and_its_background(undated):
    db = undated[0]
    with sqlite3.connect(db) as conn:
        tiers = dict(
            conn.execute(
                "select a.canonical_url, c.tier from coverage c join articles a on a.id = c.article_id"
            ).fetchall()
        )
    assert tiers["https://en.yna.co.kr/view/AEN20250408011200315"] == "background"  # Apr 8 call
    assert tiers["https://en.yna.co.kr/view/AEN20250425001552320"] == "event"  # the outcome
    related = run_newsagg("related", "--db", str(db)).stdout
    assert related.index(": the event") < related.index(": background")


def test_a_date_the_user_gives_wins_over_an_inferred_one(undated):
    db, piece, _ = undated
    result = run_newsagg("sources", "add", str(piece), "--published", "2025-04-21", "--db", str(db))
    assert result.returncode == 0, result.stderr
    crawl = run_newsagg("crawl", "--replica", "--db", str(db))
    assert crawl.returncode == 0, crawl.stderr
    with sqlite3.connect(db) as conn:
        row = conn.execute("select published, published_inferred from sources").fetchone()
    assert row == ("2025-04-21", 0)


def test_an_article_of_the_days_around_the_event_must_name_it():
    from crawler.storydates import event_name

    span = (date(2025, 5, 29), date(2025, 6, 7))  # core days June 3 to June 4
    headline = frozenset({"lee", "jae-myung", "win", "snap", "election", "sworn"})
    core_titles = ["Lee elected president", "Lee Jae-myung elected, sworn in", "Yoon era ends"]
    name = event_name(headline, core_titles, names=frozenset({"yoon", "suk", "yeol"}))
    assert {"elected", "win", "lee"} <= name and "yoon" not in name
    reaction = "Congratulations poured in after Lee Jae-myung took office."
    bill = "Parliament passed special counsel bills targeting former President Yoon."
    assert tier(span, "2025-06-05T09:00:00+00:00", reaction, name)[0] == "event"
    assert tier(span, "2025-06-05T09:00:00+00:00", bill, name)[0] == "background"
    # On the event's own days nothing more is asked.
    assert tier(span, "2025-06-04T09:00:00+00:00", bill, name)[0] == "event"


def test_an_undated_piece_is_dated_where_the_weekdays_it_names_are_near():
    coverage = [date(2025, 6, d) for d in (2, 3, 3, 3, 4, 4)]
    text = "Lee won Tuesday's election and took the oath on Wednesday."
    # The coverage centres on Tuesday, June 3; "took the oath on Wednesday" was written on
    # or after Wednesday, June 4 (from June 3 it would be six days back).
    assert infer_published(text, coverage).day == date(2025, 6, 4)


def test_a_line_broken_mid_sentence_is_one_sentence():
    (wednesday,) = [
        m for m in mentions("Lee won the vote and\ntook the oath on Wednesday.") if m.weekday
    ]
    assert wednesday.tense == "past"

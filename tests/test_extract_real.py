"""Extraction on pages from anywhere (outlet None): the defect classes real pages showed.

Every page here is written for the test, each showing one pattern seen on real news sites
(issue 13): how headlines, bylines and dates are published, and layouts that fool a fast
extractor.
"""

from __future__ import annotations

import json

import pytest

from crawler import pagemeta
from crawler.scoring import text_features
from pipelines.extract import extract_article, parse_page

URL = "https://www.riversidepost.example/news/2025/03/10/pier-rebuild"
STORY = [
    "The harbour board voted on Tuesday to rebuild the northern pier after winter storms "
    "cracked its deck in three places.",
    "Engineers said the old timber piles had rotted faster than expected because the sea wall "
    "no longer broke the swell.",
    "Fishermen who tie up at the pier asked for a temporary landing stage so that the spring "
    "season is not lost.",
    "The board chair promised a stage by April and said the full rebuild would take two "
    "summers to finish.",
]


def ld(*objects: dict) -> str:
    return "".join(
        f'<script type="application/ld+json">{json.dumps(o, ensure_ascii=False)}</script>'
        for o in objects
    )


def page(head: str = "", h1: str = "", body: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in STORY)
    return (
        f"<html><head>{head}</head><body><article><h1>{h1}</h1>{body}{paragraphs}"
        "</article></body></html>"
    )


def meta(prop: str, content: str) -> str:
    return f'<meta property="{prop}" content="{content}">'


def extract(html: str, url: str = URL) -> dict:
    return extract_article(html, url, None)


# --- Titles ---------------------------------------------------------------------------------


def test_html_entities_in_the_json_ld_headline_are_decoded():
    html = page(
        ld(
            {
                "@type": "NewsArticle",
                "headline": "Board&#8217;s &#8216;pier plan&#8217; &amp; its cost",
            }
        )
    )
    assert extract(html)["title"] == "Board’s ‘pier plan’ & its cost"


def test_the_headline_the_page_shows_wins_over_a_search_headline():
    shown = "Harbour board votes to rebuild storm-hit pier"
    html = page(
        meta("og:title", shown)
        + ld({"@type": "NewsArticle", "headline": "Pier rebuild 2025: costs, dates, what to know"}),
        h1=shown,
    )
    assert extract(html)["title"] == shown


def test_the_title_is_stored_as_published_and_compared_folded():
    html = page(meta("og:title", "Fishermen’s “landing stage” – a stopgap"))
    title = extract(html)["title"]
    assert title == "Fishermen’s “landing stage” – a stopgap"
    # Scoring sees the same words as in a headline written with straight quotes.
    folded = text_features('Fishermen\'s "landing stage" - a stopgap', "")
    assert text_features(title, "").vector == folded.vector


def test_a_site_name_suffix_is_stripped_but_a_headline_dash_stays():
    named = meta("og:site_name", "The Riverside Post")
    html = page(named + meta("og:title", "Pier to be rebuilt - The Riverside Post"))
    assert extract(html)["title"] == "Pier to be rebuilt"
    # No site name given: the host says it ("| Riverside Post" on riversidepost.example).
    html = page("<title>Pier to be rebuilt | Riverside Post</title>")
    assert extract(html)["title"] == "Pier to be rebuilt"
    html = page(named + meta("og:title", "Pier to be rebuilt - and soon"))
    assert extract(html)["title"] == "Pier to be rebuilt - and soon"
    # The site's name as a kicker, on a host that writes it with its "The".
    html = page("<title>The Riverside Post: Pier to be rebuilt</title>", h1="Pier to be rebuilt")
    assert extract(html, "https://theriversidepost.example/a/1")["title"] == "Pier to be rebuilt"
    html = page("<title>Storm damage: pier to be rebuilt</title>")
    assert extract(html, "https://theriversidepost.example/a/1")["title"] == (
        "Storm damage: pier to be rebuilt"
    )


def test_a_headline_meta_tag_tells_the_headline_from_a_section_glued_to_it():
    # A card "Headline-Section｜Site" (a bare hyphen: "COVID-19" looks the same), and the page
    # states its headline in <meta name="headline">.
    card = meta("og:title", "Pier to be rebuilt-Harbour｜Riverside Post")
    html = page(card + '<meta name="headline" content="Pier to be rebuilt">')
    assert extract(html)["title"] == "Pier to be rebuilt"
    assert extract(page(card))["title"] == "Pier to be rebuilt-Harbour"


def test_a_page_without_title_card_or_heading_takes_its_dublin_core_title():
    html = (
        '<html><head><meta name="DC.title" content="Pier to be rebuilt"></head><body><div>'
        + "".join(f"<p>{p}</p>" for p in STORY)
        + "</div></body></html>"
    )
    assert extract(html)["title"] == "Pier to be rebuilt"


def test_a_card_headline_the_page_never_shows_is_a_teaser_not_the_title():
    shown = "Harbour board votes to rebuild storm-hit pier"
    teaser = "Why your pier may be next"
    html = page(
        meta("og:title", teaser)
        + f"<title>{shown} | Riverside Post</title>"
        + ld({"@type": "NewsArticle", "headline": shown}),
        h1=shown,
    )
    assert extract(html)["title"] == shown
    # Two cards: the one the page shows is the headline, the other a teaser.
    html = page(meta("og:title", teaser) + meta("twitter:title", shown), h1=shown)
    assert extract(html)["title"] == shown
    # The same card headline printed on the page (a kicker line, a teaser box) is the title.
    html = page(
        meta("og:title", teaser) + ld({"@type": "NewsArticle", "headline": shown}),
        h1=shown,
        body=f"<p class='standfirst'>{teaser}</p>",
    )
    assert extract(html)["title"] == teaser


def test_an_h1_confirmed_another_way_beats_a_teaser_card():
    shown = "Harbour board votes to rebuild storm-hit pier"
    seo = "Riverside pier rebuild: what we know"
    teaser = "Why your pier may be next"
    # Only JSON-LD's alternativeHeadline says what the h1 says.
    head = meta("og:title", teaser) + f"<title>{seo}</title>"
    html = page(
        head + ld({"@type": "NewsArticle", "headline": seo, "alternativeHeadline": shown}), h1=shown
    )
    assert extract(html)["title"] == shown
    # A kicker's span run into the h1; JSON-LD gives the headline alone.
    html = page(
        meta("og:title", teaser) + ld({"@type": "NewsArticle", "headline": shown}),
        h1=f"<span class='kicker'>Storm damage</span><span>{shown}</span>",
    )
    got = extract(html)
    assert got["title"] == shown and got["text"].startswith(STORY[0])
    # A section before the headline and the site after it in the <title>; a card with the
    # section's label.
    html = page(
        meta("og:title", f"Opinion: {shown}")
        + f"<title>Opinion | {shown} | Riverside Post</title>",
        h1=shown,
    )
    assert extract(html)["title"] == shown


def test_a_card_that_is_the_h1_cut_short_or_in_plain_quotes_gives_way_to_the_h1():
    shown = "Elk and calf refuse to leave the schoolyard – lessons move indoors"
    html = page(
        meta("og:title", "Elk and calf refuse to leave the schoolyard")
        + ld({"@type": "NewsArticle", "headline": shown}),
        h1=shown,
    )
    assert extract(html)["title"] == shown
    shown = "‘It’s our pier, not theirs’: volunteers race to save it"
    html = page(
        meta("og:title", "'It's our pier, not theirs': volunteers race to save it"), h1=shown
    )
    assert extract(html)["title"] == shown


def test_a_kicker_and_the_headline_at_the_top_of_the_text_are_not_the_body():
    html = page(
        ld({"@type": "NewsArticle", "headline": "Pier to be rebuilt"}),
        body="<div class='kicker'>Harbour</div><h2>Pier to be rebuilt</h2>",
    )
    assert extract(html)["text"].startswith(STORY[0])


def test_a_card_headline_cut_short_by_an_unescaped_quote_is_read_whole_from_the_h1():
    whole = 'Pier reopens with "royal visit"'
    html = page('<meta property="og:title" content="Pier reopens with "royal visit"">', h1=whole)
    assert extract(html)["title"] == whole


def test_where_the_sites_h1_is_a_navigation_item_the_heading_opening_the_article_is_the_title():
    shown = "Harbour board votes to rebuild storm-hit pier"
    nav = "Riverside news: pier, harbour, weather"
    html = (
        f"<html><head>{meta('og:title', nav)}"
        + ld({"@type": "NewsArticle", "headline": f"Pier: {shown}"})
        + f"</head><body><ul><li><h1>{nav}</h1></li></ul><article><hgroup>"
        f"<h2><span>Pier</span> <span>{shown}</span></h2></hgroup>"
        + "".join(f"<p>{p}</p>" for p in STORY)
        + "</article></body></html>"
    )
    # Spelled as JSON-LD has it: the kicker's colon is lost between the heading's spans.
    assert extract(html)["title"] == f"Pier: {shown}"


# --- Authors --------------------------------------------------------------------------------


def test_a_json_ld_byline_naming_two_people_is_split():
    html = page(ld({"@type": "NewsArticle", "author": "Mara Lind and Tom Okafor"}))
    assert extract(html)["authors"] == ["Mara Lind", "Tom Okafor"]


@pytest.mark.parametrize(
    ("author", "names"),
    [
        # A role after the name, an address after it: one person.
        ("By MARA LIND, AP Harbour Writer", ["MARA LIND"]),
        ("Mara Lind, Hamburg, Germany", ["Mara Lind"]),
        ("Analysis by Mara Lind, CNN Editor-at-large", ["Mara Lind"]),
        # A desk's credit stays one.
        ("Reuters Staff", ["Reuters Staff"]),
    ],
)
def test_a_reporters_role_or_address_in_the_byline_is_no_person(author, names):
    html = page(ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": author}}))
    assert extract(html)["authors"] == names


def test_a_byline_box_with_a_date_a_role_and_buttons_names_the_reporter():
    box = (
        '<div class="byline-block"><div><time datetime="2025-03-10T09:00:00Z">10 March 2025'
        "</time></div><div><div>By Mara Lind</div><div>Harbour reporter, Riverside Post</div>"
        "</div><div><button>Share</button><button>Save</button></div></div>"
    )
    assert extract(page(body=box))["authors"] == ["Mara Lind"]


def test_a_reporter_box_and_a_reporters_page_link_name_the_reporter():
    box = (
        '<div class="news-reporter"><span>Haber:</span> <a href="/muhabir/ela-demir">Ela Demir'
        "</a> | <span>Foto:</span> <span>Kaan Arslan</span></div>"
    )
    assert extract(page(body=box))["authors"] == ["Ela Demir"]
    box = "<p>Door <a href='/nieuws/pieter'>Pieter van Houten</a>, Regioverslaggever</p>"
    assert extract(page(body=box))["authors"] == ["Pieter van Houten"]


def test_a_strip_of_links_before_the_date_is_no_byline():
    strip = "".join(f"<a href='/{w}'>{w}</a> " for w in ("Immobilien", "Stellen", "Kfz Markt"))
    html = page(body=f"<div><aside>{strip}</aside><time class='date'>10.03.2025</time></div>")
    assert extract(html)["authors"] == []


def test_an_article_nested_in_a_web_page_is_found_and_surname_first_stays_one_person():
    article = {"@type": "NewsArticle", "headline": "Pier", "author": {"name": "Rachel Stone"}}
    html = page(
        '<meta name="author" content="Stone, Rachel">'
        + ld({"@context": "https://schema.org", "@type": "WebPage", "mainEntity": article})
    )
    assert extract(html)["authors"] == ["Rachel Stone"]
    # Without JSON-LD, the meta byline written surname first is still one person.
    assert extract(page('<meta name="author" content="Stone, Rachel">'))["authors"] == [
        "Rachel Stone"
    ]
    assert pagemeta.split_names("Stone, Rachel") == ["Stone, Rachel"]


def test_one_person_spelled_twice_is_listed_once():
    people = [{"@type": "Person", "name": n} for n in ("Mara Lind", "mara-lind")]
    html = page(ld({"@type": "NewsArticle", "author": people}))
    assert extract(html)["authors"] == ["Mara Lind"]


def test_the_sites_own_name_is_no_author_when_a_person_wrote_the_piece():
    site = meta("og:site_name", "The Riverside Post")
    org = {"@type": "Organization", "name": "The Riverside Post"}
    both = page(site + ld({"@type": "NewsArticle", "author": [org, {"name": "Tom Okafor"}]}))
    assert extract(both)["authors"] == ["Tom Okafor"]
    # The byline elsewhere on the page names the person when JSON-LD credits only the site.
    html = page(
        site
        + '<meta name="author" content="Tom Okafor">'
        + ld({"@type": "NewsArticle", "author": org})
    )
    assert extract(html)["authors"] == ["Tom Okafor"]


# --- Dates ----------------------------------------------------------------------------------


def test_a_live_blog_is_dated_by_its_start_not_its_latest_update():
    blog = {
        "@type": "LiveBlogPosting",
        "headline": "Storm live: pier closed",
        "coverageStartTime": "2025-03-10T07:00:00+00:00",
        "datePublished": "2025-03-10T18:45:00+00:00",
        "dateModified": "2025-03-10T18:45:00+00:00",
        "liveBlogUpdate": [
            {
                "@type": "BlogPosting",
                "headline": "Gusts ease",
                "datePublished": "2025-03-10T18:45:00+00:00",
            },
            {
                "@type": "BlogPosting",
                "headline": "Pier shut",
                "datePublished": "2025-03-10T07:05:00+00:00",
            },
        ],
    }
    html = page(meta("article:published_time", "2025-03-10T18:45:00+00:00") + ld(blog))
    assert extract(html)["published"] == "2025-03-10T07:00:00+00:00"


def test_json_ld_about_a_linked_older_story_does_not_date_the_page():
    related = {
        "@type": "NewsArticle",
        "url": "https://www.riversidepost.example/news/2024/11/02/storm-damage",
        "headline": "Storm damages pier",
        "datePublished": "2024-11-02T09:00:00+00:00",
        "author": {"name": "Old Reporter"},
    }
    own = {
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@id": URL},
        "author": {"name": "Mara Lind"},
    }
    video = {"@type": "VideoObject", "name": "Storm", "uploadDate": "2024-11-01T12:00:00+00:00"}
    html = page(
        meta("article:published_time", "2025-03-10T10:30:00+01:00") + ld(related, video, own)
    )
    got = extract(html)
    assert got["published"] == "2025-03-10T09:30:00+00:00"
    assert got["authors"] == ["Mara Lind"]


def test_a_date_written_without_its_zone_takes_it_from_the_pages_time_element():
    article = {"@type": "NewsArticle", "datePublished": "Mon Mar 10 10:30:00 CET 2025"}
    html = page(ld(article), body='<time datetime="2025-03-10T10:30:00+01:00">10 March</time>')
    assert extract(html)["published"] == "2025-03-10T09:30:00+00:00"


def test_a_templates_placeholder_date_dates_nothing():
    article = {"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00Z"}
    html = page(ld(article) + meta("article:published_time", "1970-01-01T00:00:00Z"))
    assert extract(html)["published"].startswith("2025-03-10")  # the page's address says it


def test_a_page_that_states_no_date_in_its_metadata_is_dated_from_its_own_address():
    # Fetched at a short link; the og:url the page gives is its dated address.
    html = page(meta("og:url", URL))
    assert extract(html, "https://rvp.example/s/4821")["published"].startswith("2025-03-10")
    dated_text = page(body="<p class='date'>Published on 12 March 2025</p>")
    assert extract(dated_text, "https://rvp.example/s/4821")["published"].startswith("2025-03-12")


def test_language_and_description_come_from_the_pages_other_meta_tags():
    head = '<meta name="language" content="de-CH"><meta name="twitter:description" content="Neu">'
    got = extract(page(head))
    assert (got["language"], got["description"]) == ("de", "Neu")
    head = '<meta http-equiv="Content-Language" content="fr">'
    assert extract(page(head))["language"] == "fr"


# --- Body -----------------------------------------------------------------------------------


def test_credit_and_cross_link_lines_are_not_the_body():
    paragraphs = [
        STORY[0],
        "Read more: Ferry fares to rise in spring",
        STORY[1],
        "Lesen Sie auch: Neue Fähre für den Hafen",
        *STORY[2:],
        "Reporting by Mara Lind; Editing by Tom Okafor",
        "Contributing: Ines Berg",
    ]
    html = (
        "<html><body><article><h1>Pier to be rebuilt</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></body></html>"
    )
    assert extract(html)["text"].split("\n") == STORY


def test_a_layout_that_makes_fast_extraction_return_the_menu_gives_the_article():
    menu = "".join(
        f"<li><a href='/s{i}'>Section number {i} news and more</a></li>" for i in range(40)
    )
    story = "".join(f"<span>{s}</span><br>" for s in STORY)
    html = (
        f"<html><head><title>Pier</title></head><body><nav><ul>{menu}</ul></nav>"
        f"<p>Short lead.</p><section>{story}</section><footer><p>Contact us</p></footer></body></html>"
    )
    text = extract(html)["text"]
    assert "Section number" not in text
    assert STORY[0] in text and STORY[-1] in text


def test_the_page_keys_match_an_article_id_with_a_fragment():
    tree = parse_page(page(f'<link rel="canonical" href="{URL}">'))
    assert pagemeta.url_key(URL + "/#article") in pagemeta.page_keys(tree, None)


def test_a_byline_in_the_page_names_the_person_when_the_metadata_credits_the_site():
    site = (
        meta("og:site_name", "Riverside Post")
        + '<meta name="author" content="riversidepost.example">'
    )
    # A byline element with the desk after the name; the host as trafilatura spells it.
    html = page(site, body='<p class="author">von Mara Lind, RIVERSIDE DESK</p>')
    assert extract(html)["authors"] == ["Mara Lind"]
    # A link to the author's page.
    html = page(site, body='<p>By <a href="/autoren/tom-okafor">Dr. Tom Okafor</a></p>')
    assert extract(html)["authors"] == ["Dr. Tom Okafor"]
    # Buttons and labels in byline boxes are no people.
    html = page(site, body='<div class="author-box"><a href="/author/follow">Folgen</a></div>')
    assert not any("Folgen" in name for name in extract(html)["authors"])


def test_every_author_meta_tag_is_read_and_a_reporters_title_is_not_a_name():
    html = page(
        '<meta property="og:site_name" content="강변일보">'
        '<meta name="author" content="강변일보"><meta name="author" content="김하늘 기자">',
        h1="부두 재건 확정",
    )
    assert extract(html, "https://www.gangbyeon.example/article/1")["authors"] == ["김하늘"]


def test_a_chinese_editors_credit_names_the_editors():
    html = page(body="<div class='edit'>(责编：王小明、李华)</div>")
    assert extract(html, "https://www.riverside.example.cn/n1/2025/0310/c1-1.html")["authors"] == [
        "王小明",
        "李华",
    ]


def test_a_page_that_renders_its_story_from_script_data_gives_the_story():
    story = "".join(f"<p>{p}</p>" for p in STORY)
    # A framework payload: the page state as JSON, itself inside a script's string.
    state = json.dumps({"article": {"id": 7, "contentHtml": f"<figure>x</figure>{story}"}})
    payload = json.dumps([1, state])
    html = (
        "<html><head><title>Pier to be rebuilt</title></head><body><div id='root'></div>"
        f"<script>self.__next_f.push({payload})</script></body></html>"
    )
    text = extract(html)["text"]
    assert STORY[0] in text and STORY[-1] in text
    assert "contentHtml" not in text and "<p>" not in text


def test_a_byline_printed_as_a_label_and_a_name_beats_a_site_credit_with_its_address():
    html = page(
        '<meta name="author" content="Riverside Post (www.riversidepost.example)">',
        body="<ul><li><strong>Datum</strong> 10.03.2025</li>"
        "<li><strong>Autorin/Autor</strong> Mara Lind</li></ul>",
    )
    assert extract(html)["authors"] == ["Mara Lind"]


def test_every_reporter_marked_up_as_author_is_listed_where_json_ld_names_one():
    marked = "".join(
        f'<address><a rel="author" href="mailto:x@example.org">{n}</a></address>'
        for n in ("Mara Lind", "Tom Okafor")
    )
    html = page(ld({"@type": "NewsArticle", "author": {"name": "Tom Okafor"}}), body=marked)
    assert extract(html)["authors"] == ["Tom Okafor", "Mara Lind"]
    # A page that marks many authors marks its teasers' too: the byline stays as stated.
    teasers = "".join(f'<a rel="author" href="/a/{i}">{n}</a>' for i, n in enumerate(
        ("Mara Lind", "Tom Okafor", "Ines Park", "Omar Haddad")
    ))  # fmt: skip
    html = page(ld({"@type": "NewsArticle", "author": {"name": "Tom Okafor"}}), body=teasers)
    assert extract(html)["authors"] == ["Tom Okafor"]


def test_a_name_before_the_date_line_or_a_sign_off_is_the_byline():
    html = page(
        body="<div><span>Mara Lind &nbsp;|</span><span class='date'>10.03.2025</span></div>"
    )
    assert extract(html)["authors"] == ["Mara Lind"]
    # A teaser before a date is no byline.
    html = page(
        body="<div><a href='/x'>Sun, Sand – The...</a><span class='date'>10.03.2025</span></div>"
    )
    assert extract(html)["authors"] == []
    html = page(body="<p style='text-align: right;'><strong>Tom Okafor</strong></p>")
    assert extract(html)["authors"] == ["Tom Okafor"]


BY_LINES = {
    # A "By" line with the names linked to profile pages whose addresses say nothing.
    '<div class="meta">By <a href="/people/mara">Mara Lind</a> and <a href="/people/tom">'
    "Tom Okafor</a></div>": ["Mara Lind", "Tom Okafor"],
    # The names run to the date.
    "<p>\nBy Mara Lind on Monday, March 10, 2025 at 9:04 a.m.</p>": ["Mara Lind"],
    '<div class="info">By Mara Lind | 10 March 2025</div>': ["Mara Lind"],
    # A label of its own, and a list item of people links after a colon.
    "<div><span>Story by</span> <a href='/staff/mara'>Mara Lind</a></div>": ["Mara Lind"],
    '<ul><li class="info-item">Von: <span><a href="/mara-lind">Mara LIND</a>,</span> '
    '<span><a href="/tom">Tom OKAFOR</a></span></li></ul>': ["Mara LIND", "Tom OKAFOR"],
    # Not bylines: a sentence, a teaser of another story (in its link), a menu entry.
    "<p>By 2030 the harbour will have a new pier.</p>": [],
    "<p>By contrast, the board said little.</p>": [],
    "<ul><li><a href='/news/2025/03/01/ferry'><span>Ferry fares rise</span> "
    "<span>By Ines Berg, Oslo</span></a></li></ul>": [],
    "<nav><a href='/topics'>By subject</a></nav>": [],
}


@pytest.mark.parametrize("body", sorted(BY_LINES))
def test_a_line_that_opens_with_by_names_the_authors(body):
    assert extract(page(body=body))["authors"] == BY_LINES[body]

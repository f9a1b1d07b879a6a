"""Hostile bytes are text, not failures (issue 12, item 3).

A page with a NUL, C0 controls, invalid UTF-8, a BOM, an XML declaration or a charset declared
only in ``<meta>`` is extracted like its clean twin: by the library call on its bytes, on the
text Scrapy decodes from them, and by a crawl of a server that serves them.
"""

from __future__ import annotations

import sqlite3

import pytest
from conftest import run_newsagg
from faultserver import FaultServer
from scrapy.http import HtmlResponse

from pipelines.extract import decode_page, extract_article

URL = "https://en.yna.co.kr/view/{}"
CLEAN_ID = "AEN20250425003000320"

# A Yonhap-shaped article written for this test. {charset} is the page's encoding declaration;
# the curly quotes, the é and the dash are what a wrong decoding breaks.
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
{charset}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Seoul’s trade envoy heads to Washington as “2+2” tariff talks near | Yonhap News Agency</title>
<meta name="description" content="Trade Minister Ahn Duk-geun leaves for Washington with a draft communiqué on tariffs, shipbuilding and energy purchases.">
<meta property="og:type" content="article">
<meta property="og:title" content="Seoul’s trade envoy heads to Washington as “2+2” tariff talks near | Yonhap News Agency">
<meta property="article:published_time" content="2025-04-25T09:12:00+09:00">
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "NewsArticle",
  "headline": "Seoul’s trade envoy heads to Washington as “2+2” tariff talks near",
  "datePublished": "2025-04-25T09:12:00+09:00",
  "author": {{"@type": "Person", "name": "Lee Min-ji"}}}}
</script>
</head>
<body>
<header class="header-wrap"><nav class="gnb"><ul>
  <li><a href="/national/politics">National</a></li>
  <li><a href="/economy-finance/economy">Economy</a></li>
  <li><a href="/news">Latest</a></li>
</ul></nav></header>
<main id="container">
  <section class="content-article">
    <header class="title-article01">
      <h1 class="tit">Seoul’s trade envoy heads to Washington as “2+2” tariff talks near</h1>
      <p class="update-time">09:12 April 25, 2025</p>
    </header>
    <div class="story-news-wrap">
      <article class="story-news article">
<p>By Lee Min-ji</p>
<p>SEOUL, April 25 (Yonhap) -- Trade Minister Ahn Duk-geun left for Washington on Friday
carrying what officials called a “working draft” of a joint communiqué, a day before the
two countries’ finance and trade chiefs sit down for their first “2+2” meeting on tariffs.</p>
<p>Ahn told reporters at Incheon airport that Seoul would not rush into a package deal. “We
will listen carefully first, and we will not trade away our farmers for a quick headline,”
he said, adding that shipbuilding cooperation and purchases of Alaskan liquefied natural gas
were both on the table.</p>
<p>Finance Minister Choi Sang-mok, who arrived in Washington a day earlier for meetings of the
Group of 20, is expected to lead the Korean side alongside Ahn. Their counterparts are
Treasury Secretary Scott Bessent and Trade Representative Jamieson Greer.</p>
<p>Officials in Seoul said the draft lists exchange rates, non-tariff barriers and investment
as separate tracks — a structure meant to keep a dispute on one track from stalling the
others. The government’s aim is a phased agreement before the 90-day pause on reciprocal
tariffs expires in July.</p>
<p>Business groups welcomed the trip but warned that car parts and steel, already under
separate duties, could slip out of the talks. A senior official said those items “remain
our first priority” and would be raised at the opening session.</p>
<p>mjlee@yna.co.kr
(END)</p>
      </article>
    </div>
    <aside class="related"><h2>Related articles</h2><ul>
      <li><a href="/view/AEN20250424007100320">Choi leaves for G20 meetings</a></li>
    </ul></aside>
  </section>
</main>
<footer><p>Copyright Yonhap News Agency</p></footer>
</body>
</html>
"""

UTF8 = '<meta charset="utf-8">'
CP1252 = '<meta charset="windows-1252">'
CP1252_EQUIV = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
CLEAN = PAGE.format(charset=UTF8)


def _replace(text: str, pairs: dict[str, str]) -> str:
    for old, new in pairs.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


# name -> (body, Content-Type as served: no charset, so the body must say)
VARIANTS: dict[str, tuple[bytes, str]] = {
    "nul": (_replace(CLEAN, {"Choi": "Ch\x00oi", "envoy": "en\x00voy"}).encode(), "text/html"),
    "c0-controls": (
        _replace(
            CLEAN,
            {
                "tariff": "tar\x01iff",
                "Washington": "Wash\x08ington",
                "Lee Min-ji": "Lee\x1f Min-ji",
            },
        ).encode(),
        "text/html",
    ),
    # A lone continuation byte, an invalid start byte and a truncated sequence.
    "invalid-utf8": (
        CLEAN.encode()
        .replace(b"shipbuilding cooperation", b"ship\x80building co\xffoperation")
        .replace(b"and steel", b"and st\xe2\x80eel"),
        "text/html",
    ),
    "utf8-bom": (b"\xef\xbb\xbf" + CLEAN.encode(), "text/html"),
    # The BOM wins over the page's own (now wrong) <meta charset="utf-8">, as in a browser.
    "utf16-bom": (CLEAN.encode("utf-16"), "text/html"),
    "meta-charset-cp1252": (PAGE.format(charset=CP1252).encode("cp1252"), "text/html"),
    "meta-http-equiv-cp1252": (PAGE.format(charset=CP1252_EQUIV).encode("cp1252"), "text/html"),
    "xml-declaration": (
        ('<?xml version="1.0" encoding="utf-8"?>\n' + CLEAN).encode(),
        "text/html",
    ),
}
# Only these differ from the clean twin in what they say: a byte no decoding can read is U+FFFD.
UNREADABLE = {"invalid-utf8"}
FIELDS = ("title", "authors", "published", "text")


def comparable(fields: dict, variant: str) -> dict:
    """The fields compared with the clean twin's, with U+FFFD dropped where bytes were invalid."""
    out = {key: fields[key] for key in FIELDS}
    if variant in UNREADABLE:
        assert "\ufffd" in out["text"]  # decoded, not dropped or mis-read
        out["text"] = out["text"].replace("\ufffd", "")
    return out


@pytest.fixture(scope="module", params=[None, "yonhap"])
def clean(request):
    outlet = request.param
    fields = extract_article(CLEAN, URL.format(CLEAN_ID), outlet)
    return outlet, fields


def test_the_clean_twin_extracts_fully(clean):
    _, fields = clean
    # The headline as published: its curly quotes are the publisher's, not folded.
    assert fields["title"] == "Seoul’s trade envoy heads to Washington as “2+2” tariff talks near"
    assert fields["authors"] == ["Lee Min-ji"]
    assert fields["published"] == "2025-04-25T00:12:00+00:00"
    assert fields["word_count"] >= 150
    # The body as published too: quotes are folded only where texts are compared.
    assert "a “working draft” of a joint communiqué" in fields["text"]
    assert "the two countries’ finance" in fields["text"]
    assert "tracks — a structure" in fields["text"]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_hostile_bytes_extract_like_the_clean_twin(clean, variant):
    outlet, expected = clean
    body, _ = VARIANTS[variant]
    fields = extract_article(body, URL.format(CLEAN_ID), outlet)
    assert comparable(fields, variant) == comparable(expected, "clean")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_text_scrapy_decodes_extracts_like_the_clean_twin(clean, variant):
    """What the spider hands over: ``response.text`` of the bytes as served."""
    outlet, expected = clean
    body, content_type = VARIANTS[variant]
    url = URL.format(CLEAN_ID)
    text = HtmlResponse(url, body=body, headers={"Content-Type": content_type}).text
    fields = extract_article(text, url, outlet)
    assert comparable(fields, variant) == comparable(expected, "clean")


@pytest.mark.parametrize("variant", ["meta-charset-cp1252", "meta-http-equiv-cp1252"])
def test_a_charset_declared_only_in_meta_gives_the_right_characters(variant):
    text = decode_page(VARIANTS[variant][0], "text/html")
    assert "Seoul’s trade envoy" in text and "“2+2”" in text and "communiqué" in text
    assert "tracks — a structure" in text and "\ufffd" not in text


def test_invalid_utf8_is_replaced_and_an_unknown_charset_is_no_failure():
    assert decode_page(b"<p>co\xffoperation</p>", "text/html; charset=utf-8") == (
        "<p>co\ufffdoperation</p>"
    )
    text = decode_page(CLEAN.encode(), "text/html; charset=x-nonsense")
    assert "Seoul’s trade envoy" in text  # the page's own <meta charset> is used instead


def test_a_lone_surrogate_and_a_comment_only_page_are_no_failures():
    url = URL.format(CLEAN_ID)
    fields = extract_article(CLEAN.replace("Choi", "Ch\udcffoi"), url, "yonhap")
    assert "Ch\ufffdoi Sang-mok" in fields["text"]
    assert extract_article("<!-- nothing here -->", url)["text"] == ""


def page_id(n: int) -> str:
    return f"AEN202504250{n:03d}00320"


def test_a_crawl_stores_hostile_pages_like_their_clean_twin(tmp_path):
    names = sorted(VARIANTS)
    ids = {name: page_id(31 + i) for i, name in enumerate(names)}
    pages = {CLEAN_ID: (CLEAN.encode(), "text/html")}
    pages |= {ids[name]: VARIANTS[name] for name in names}
    db = tmp_path / "news.db"
    with FaultServer(pages=pages) as server:
        result = run_newsagg(
            "crawl", "--outlet", "yonhap", "--db", str(db), "--outlet-url", f"yonhap={server.url}"
        )
        counts = dict(server.counts)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # Each page was fetched once: no retry, no failure.
    assert {path: counts.get(path) for path in (f"/view/{i}" for i in pages)} == {
        f"/view/{i}": 1 for i in pages
    }
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = {r["canonical_url"]: dict(r) for r in conn.execute("select * from articles")}
    twin = rows[URL.format(CLEAN_ID)]
    assert twin["title"] == extract_article(CLEAN, URL.format(CLEAN_ID), "yonhap")["title"]
    assert twin["access"] == "full" and "communiqué" in twin["text"]
    for name in names:
        row = rows.get(URL.format(ids[name]))
        assert row is not None, f"{name} was not stored"
        assert (row["access"], row["published"], row["authors"]) == (
            "full",
            twin["published"],
            twin["authors"],
        ), name
        assert row["title"] == twin["title"], name
        text = row["text"]
        if name in UNREADABLE:
            assert "\ufffd" in text, name
            text = text.replace("\ufffd", "")
        assert text == twin["text"], name

"""A page's own metadata: meta tags, rel=canonical and JSON-LD, read tolerantly.

Pure functions of an lxml tree, so the outlet code and the tests can use them on a string.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from crawler.textutil import COUNTRIES, name_key

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
NEWS_TYPES = {
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "ReviewNewsArticle",
    "BlogPosting",
    "LiveBlogPosting",
}
# Where a page's JSON-LD nests its article: a WebPage's mainEntity, a graph.
_NESTING = ("@graph", "mainEntity")


def strip_json_comments(text: str) -> str:
    """Remove // and /* */ comments that lie outside JSON strings (Yonhap ships them)."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
        elif ch == '"':
            in_string = True
            out.append(ch)
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def loads_lenient(text: str) -> Any:
    """json.loads that survives comments, trailing commas and control characters."""
    text = text.strip().rstrip(";")
    try:  # most pages ship valid JSON; the character-by-character cleaning is slow
        return json.loads(text, strict=False)
    except ValueError:
        pass
    cleaned = strip_json_comments(text)
    for candidate in (cleaned, _TRAILING_COMMA.sub(r"\1", cleaned)):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def json_ld_objects(tree) -> list[dict]:
    """Every JSON-LD object on the page in document order, flattening lists, @graph and a
    page's mainEntity (never an object's parts: a liveBlogUpdate or a review's item is not
    the page's)."""
    found: list[dict] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        stack = [loads_lenient(script.text or "")]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                found.append(node)
                stack.extend(node[key] for key in reversed(_NESTING) if key in node)
    return found


def ld_types(obj: dict) -> set[str]:
    kinds = obj.get("@type")
    return {k for k in kinds if isinstance(k, str)} if isinstance(kinds, list) else {kinds}


def news_article(tree, url: str | None = None, objects: list[dict] | None = None) -> dict:
    """The JSON-LD object that is the page's own article, or {}.

    Pages also describe other items in JSON-LD (a related story, a second article in a
    sidebar), and those must not lend the page their dates or bylines. The only article-like
    object is the page's (real pages name themselves loosely: a home page as
    mainEntityOfPage, a short alias, no scheme). Among several, a live blog is the page (its
    updates are parts of it); else the first whose url, @id or mainEntityOfPage is this page
    (the URL fetched, rel=canonical or og:url); else the first that names no page at all; one
    that names another page never is. ``objects`` are the page's ``json_ld_objects`` when
    the caller has them already.
    """
    if objects is None:
        objects = json_ld_objects(tree)
    articles = [obj for obj in objects if ld_types(obj) & NEWS_TYPES]
    if len(articles) <= 1:
        return articles[0] if articles else {}
    live = [a for a in articles if "LiveBlogPosting" in ld_types(a)]
    if live:
        return live[0]
    page = page_keys(tree, url)
    named = [(a, _identities(a, url)) for a in articles]
    own = [a for a, ids in named if ids & page]
    anonymous = [a for a, ids in named if not ids]
    return (own or anonymous or [{}])[0]


def page_keys(tree, url: str | None) -> set[str]:
    """The page's own address as ``url_key``s: the URL fetched, rel=canonical and og:url."""
    found = [url, canonical_link(tree), *tree.xpath('//meta[@property="og:url"]/@content')]
    return {key for key in (url_key(u, url) for u in found if u) if key}


def url_key(value: str, base: str | None = None) -> str | None:
    """A URL reduced to host and path (no scheme, www, query, fragment or final slash), so
    that an article's @id ("…/story/#article") and the page's URL compare equal."""
    value = urljoin(base or "", unquote(value.strip()))
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts.netloc.lower().removeprefix("www.") + unquote(parts.path).rstrip("/")


def _identities(obj: dict, base: str | None) -> set[str]:
    values = [obj.get("url"), obj.get("@id")]
    entity = obj.get("mainEntityOfPage")
    values += [entity.get("@id"), entity.get("url")] if isinstance(entity, dict) else [entity]
    found = {url_key(v, base) for v in values if isinstance(v, str) and not v.startswith("_:")}
    return {key for key in found if key}


_SITE_CREDIT = re.compile(r"^(.+?)\s*\((?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/?\)$")


def site_names(meta: dict[str, str], objects: list[dict], article: dict) -> list[str]:
    """What the site calls itself: og:site_name, the app name, the JSON-LD WebSite's name,
    the article's publisher, and an author credit that gives a web address ("Deutsche Welle
    (www.dw.com)")."""
    names = [
        meta.get(k) for k in ("og:site_name", "application-name", "apple-mobile-web-app-title")
    ]
    if credit := _SITE_CREDIT.match(meta.get("author") or ""):
        names.append(credit.group(1))
    names += [ld_text(o.get("name")) for o in objects if "WebSite" in ld_types(o)]
    publishers = article.get("publisher")
    for publisher in publishers if isinstance(publishers, list) else [publishers]:
        if isinstance(publisher, dict):
            names.append(ld_text(publisher.get("name")))
    return [n for n in names if n]


def meta_tags(tree) -> dict[str, str]:
    """<meta property|name|itemprop|http-equiv=... content=...>, first value wins, keys
    lower-cased."""
    tags: dict[str, str] = {}
    for el in tree.xpath("//meta[@content]"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        key = (key or "").strip().lower()
        if key and key not in tags:
            tags[key] = el.get("content", "").strip()
    return tags


def canonical_link(tree) -> str | None:
    links = tree.xpath('//link[@rel="canonical"]/@href')
    return links[0].strip() if links else None


def ld_text(value: Any) -> str | None:
    """A JSON-LD string as a reader sees it: publishers write HTML entities into JSON
    ("&#8216;family&#8217;", "&amp;"), which JSON does not decode."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    return html.unescape(value).strip() or None


def ld_authors(value: Any) -> list[str]:
    """Author names from a JSON-LD author/creator value (a string, an object or a list)."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or item.get("byline") or _given_family(item)
        name = ld_text(item)
        if name:
            names.extend(split_names(name))
    return names


def _given_family(person: dict) -> str | None:
    parts = [person.get("givenName"), person.get("familyName")]
    return " ".join(p for p in parts if isinstance(p, str)) or None


# "A and B", "A & B", "A; B": one string, several people (German, French, Spanish,
# Portuguese, Italian, Nordic, Dutch and Czech pages use their own "and").
_AND = re.compile(r"\s*[;&]\s*|\s+(?:and|und|et|y|e|og|och|en|i|a)\s+")
# "By Jane Doe", "Von ...", "Autor: ...": the word before the name is not part of it.
_BY = re.compile(r"^(?:by|von|par|por|di|door|af|av|autor|author|text)\b[:\s]*", re.IGNORECASE)
# A label before the byline's own "By": "Capital Von Jane Doe" (lower-case "von" is a name's).
# The word before a name in a byline, as printed ("By", "Von", "Par", …).
_BY_NAME = ("By", "Von", "Par", "Por", "Door", "Af", "Av")
_LABEL_BY = re.compile(
    rf"^.*?\s(?:{'|'.join(_BY_NAME)})\s+(?=\S)"
    r"|^(?i:analysis|opinion|commentary|review|story|written|reporting|words|text|interview"
    r"|photos?|video|column)\s+by\s+"
)
# A reporter's initials or role after the name: "Jane Doe (jd)", "신현주 기자" (reporter).
_PAREN = re.compile(r"\s*\([^)]*\)\s*$|\s+(?:기자|특파원|記者|特派員|记者)$")
# More words than a name has: a description ("professor at ... university").
_NAME_WORDS = 5


# A reporter's role, printed where a name is expected ("AP Auto Writer", "CNN Editor-at-large").
# A desk's credit ("Reuters Staff", "Letters to the Editor") is the page's answer: not here.
_ROLES = frozenset(("writer", "editor-at-large", "correspondent", "reporter", "columnist",
    "journalist", "photographer", "journaliste", "rédacteur", "rédactrice", "redactor",
    "periodista", "giornalista", "corrispondente"))  # fmt: skip
# Roles that also end compounds ("Regioverslaggever", "Wirtschaftsredakteurin").
_ROLE_ENDS = ("verslaggever", "redakteur", "redakteurin", "korrespondent", "korrespondentin")


# A button's or a share bar's words, read with a byline box ("NBS Wales Share Save").
_BUTTONS = frozenset(("share", "save", "follow", "subscribe", "print", "email", "e-mail",
    "comments", "facebook", "twitter", "whatsapp", "linkedin", "teilen", "folgen", "merken",
    "drucken", "partager", "suivre", "compartir", "seguir", "condividi"))  # fmt: skip


_NO_NAME = _ROLES | _BUTTONS


def _role(text: str) -> bool:
    """A reporter's role or a button where a name is expected (a role also as the end of a
    compound: "Regioverslaggever", "Wirtschaftsredakteurin")."""
    words = [w.lower().strip(".,") for w in text.split()]
    return any(w in _NO_NAME or w.endswith(_ROLE_ENDS) for w in words)


def without_address(names: list[str]) -> list[str]:
    """The names before an address ("SPIEGEL ONLINE, Hamburg, Germany" names one)."""
    names = list(names)
    if len(names) >= 2 and name_key(names[-1]) in COUNTRIES:
        names.pop()
        if len(names) >= 2 and " " not in names[-1]:
            names.pop()
    return names


def split_names(byline: str) -> list[str]:
    """The people one byline string names, each as written.

    Commas separate people ("Jane Doe, John Roe", "Jane Doe, dpa") except in "Doe, Jane",
    one person written surname first; a part longer than a name is a description.
    """
    names = []
    for part in _AND.split(byline.strip()):
        pieces = [
            _BY.sub("", _LABEL_BY.sub("", _PAREN.sub("", p))).strip() for p in part.split(",")
        ]
        pieces = without_address([p for p in pieces if p and not _role(p)])
        if len(pieces) == 2 and all(" " not in p and p[:1].isupper() for p in pieces):
            names.append(", ".join(pieces))
            continue
        names.extend(p for p in pieces if len(p.split()) <= _NAME_WORDS)
    return names


def keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    return []


# Meta tags that name a page's author, besides the first "author" (meta_tags keeps one value
# per key; a page may give the site in one and the reporter in another).
_AUTHOR_META = (
    "author",
    "article:author",
    "byl",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
)
_AUTHOR_META_XPATH = "//meta[@content][{}]".format(
    " or ".join(
        f"translate(@name,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')='{k}'"
        f" or @property='{k}'"
        for k in _AUTHOR_META
    )
)
_LOWER = "translate(@class,'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
_NOT_ASIDE = (
    "not(ancestor-or-self::*[contains(" + _LOWER + ",'comment') or self::footer or self::nav"
    " or self::script or self::style])"
)
_ASIDE_TAGS = frozenset({"footer", "nav", "script", "style"})
# Where pages print a byline, most explicit first: marked up as the author; an element whose
# class says byline or author; a link to an author's page.
_MARKED_XPATH = f"//*[(@rel='author' or @itemprop='author') and {_NOT_ASIDE}]"
_BYLINE_CLASS = re.compile(r"byline|author|reporter", re.IGNORECASE)
# Author pages: /author/, /autor(en|e)/, /auteur/, /journalist(e|en)/, /reporter/, /muhabir/.
_AUTHOR_PATHS = ("/author", "/autor", "/auteur", "/journalist", "/reporter", "/muhabir")
_AUTHOR_LINK_XPATH = "//a[({}) and {}]".format(
    " or ".join(f"contains(@href,'{p}')" for p in _AUTHOR_PATHS), _NOT_ASIDE
)
_DATE_CLASS = re.compile(r"date|datum|tarih|fecha|data", re.IGNORECASE)


def _aside(el) -> bool:
    """In comments, a footer or a navigation bar (or a script): no byline of the page's."""
    for node in (el, *el.iterancestors()):
        if node.tag in _ASIDE_TAGS or "comment" in (node.get("class") or "").lower():
            return True
    return False


def _classed(tree, pattern: re.Pattern, tags: tuple[str, ...] = ()) -> list:
    """Elements whose class matches ``pattern`` (or of one of ``tags``), in page order,
    outside comments, footers and navigation: one pass, the class tested in Python."""
    xpath = " | ".join(["//*[@class]", *(f"//{t}" for t in tags)])
    return [
        el
        for el in tree.xpath(xpath)
        if (el.tag in tags or pattern.search(el.get("class") or "")) and not _aside(el)
    ]


# A byline printed as a label and a name ("<strong>Autorin/Autor</strong> Jane Doe").
_LABELS = ("author", "authors", "autor", "autorin", "autorin/autor", "autoren", "auteur",
           "autore", "written by", "by", "von", "text", "door", "forfatter", "författare",
           "yazar", "tác giả")  # fmt: skip
_LABEL_XPATH = "//*[self::strong or self::b or self::span or self::dt or self::th or self::label][{}]".format(
    " or ".join(
        f"translate(normalize-space(text()),'ABCDEFGHIJKLMNOPQRSTUVWXYZ:','abcdefghijklmnopqrstuvwxyz')='{w}'"
        for w in _LABELS
    )
)
# A byline line: a text that opens with the word before a name ("By Jane Doe | 3 March",
# "Von: <a>Jane Doe</a>, <a>John Roe</a>"), the names running to a separator or a date.
_BY_WORDS = (*_BY_NAME, "BY", "Written by", "Story by", "Words by", "Reporting by", "Text von",
             "Texto de", "Testo di")  # fmt: skip
# The first letter is tested first: normalize-space for every word costs seconds on a page of
# hundreds of thousands of text nodes.
_BY_FIRSTS = "".join(sorted({w[0] for w in _BY_WORDS}))
_BY_LINE_XPATH = (
    f"//body//text()[contains('{_BY_FIRSTS}', substring(normalize-space(.), 1, 1))"
    " and normalize-space(.) != ''][{}]"
).format(
    " or ".join(
        f"normalize-space(.)='{w}' or normalize-space(.)='{w}:' or starts-with(normalize-space(.),"
        f"'{w} ') or starts-with(normalize-space(.),'{w}: ')"
        for w in _BY_WORDS
    )
)
_BY_LINE_IN = "." + _BY_LINE_XPATH.removeprefix("//body")
_BY_LINE_END = re.compile(r"\s[|•·–—-]\s|[|•·]|\d|\s(?:on|am)\s|\b(?:Published|Updated|Posted)\b")
_BY_WORD = re.compile("|".join(rf"{w}\b:?" for w in _BY_WORDS))


def _by_line(line) -> str:
    """The names after a byline's opening word: in the text's element, or in its parent's
    where the word is a label of its own ("<span>Story by</span> <a>Jane Doe</a>")."""
    el = line.getparent()
    if line.is_tail:  # "<i class=icon></i> By Jane Doe": the text is the icon's tail
        el = el.getparent()
    if el is None or el.xpath("ancestor-or-self::a"):
        return ""  # a teaser's byline, in its link to another story
    opening = " ".join(str(line).split())
    for _ in range(2):
        if el is None or _aside(el):
            return ""
        text = _text(el)
        start = text.find(opening)
        word = _BY_WORD.match(text, max(start, 0))
        if start < 0 or word is None:
            return ""
        names = _BY_LINE_END.split(text[word.end() :], maxsplit=1)[0].strip(" :,")
        if names:
            return names
        el = el.getparent()
    return ""


_SIGN_OFF_XPATH = (
    "//p[contains(translate(@style,' ',''),'text-align:right')][strong or b]"
    "[not(normalize-space(text()))]"
)
_EDITOR_XPATH = "//*[contains(text(),'责编') or contains(text(),'责任编辑')]/text()"
_EDITOR_CREDIT = re.compile(r"[（(](?:责编|责任编辑)[:：]\s*([^)）]+)[)）]")
_PARTICLES = frozenset(
    [
        "von",
        "van",
        "de",
        "da",
        "del",
        "der",
        "den",
        "di",
        "du",
        "la",
        "le",
        "bin",
        "al",
        "el",
        "dos",
        "das",
        "y",
    ]
)
_BYLINE_CHARS = 120


def looks_like_name(text: str, marked: bool = True) -> bool:
    """A person's name as bylines print it: one to four words, no digits or addresses;
    in scripts with capitals, the words capitalised (name particles aside), not all
    upper-case ("MDR THÜRINGEN" is a desk, "APA" an agency). Text not ``marked`` as the
    author (a byline box, an author link) must be two words in a script with capitals: a
    box also holds buttons and labels ("Folgen", 著者一覧)."""
    words = text.split()
    if not 1 <= len(words) <= 4 or any(c.isdigit() or c in "@/:|…" for c in text):
        return False
    if "..." in text or any(not any(c.isalpha() for c in w) for w in words):
        return False  # a teaser cut short, a dash between two phrases
    if _role(text):
        return False
    cased = [w for w in words if w[:1].isalpha() and w[:1].lower() != w[:1].upper()]
    if not cased:
        return marked and len(text) <= 12  # a name in a script without capitals (한국어, 中文)
    if any(not w[:1].isupper() and w.lower() not in _PARTICLES for w in cased):
        return False
    return len(cased) >= (1 if marked else 2) and not all(w.isupper() for w in cased)


_SURNAME_FIRST = re.compile(r"^([^,\s]+),\s*([^,\s]+)$")


def meta_bylines(tree) -> list[str]:
    """The people every author meta tag names (all of them: meta_tags keeps the first),
    given name first ("Stone, Rachel" is Rachel Stone)."""
    return [
        _SURNAME_FIRST.sub(r"\2 \1", n)
        for el in tree.xpath(_AUTHOR_META_XPATH)
        if not el.get("content", "").startswith(("http", "/"))
        for n in split_names(el.get("content", ""))
        if looks_like_name(n)
    ]


def _text(el) -> str:
    return " ".join(" ".join(el.itertext()).split())


def _byline_names(text: str, marked: bool, limit: int = _BYLINE_CHARS) -> list[str]:
    """The names one byline's text gives (none for a text longer than a byline)."""
    if not text or len(text) > limit:
        return []
    return [n for n in split_names(text) if looks_like_name(n, marked=marked)]


def marked_bylines(tree) -> list[str]:
    """The names of every element marked up as the author (rel=author, itemprop=author), in
    page order: a page with two reporters marks both, where its JSON-LD may list one."""
    names: list[str] = []
    for el in tree.xpath(_MARKED_XPATH)[:10]:
        names += [n for n in _byline_names(_text(el), marked=True) if n not in names]
    return names


def page_bylines(tree) -> Iterator[list[str]]:
    """The people a page's bylines in its text name, one list per byline, most explicit
    first: each element marked up as the author, each element whose class says byline or
    author, each author link (names in scripts without capitals only where marked up), a
    label and a name ("Autorin/Autor Jane Doe"), a name before the date line, a sign-off,
    a Chinese editor's credit ("(责编：A、B)")."""
    probes = (
        lambda: tree.xpath(_MARKED_XPATH),
        lambda: _classed(tree, _BYLINE_CLASS),
        lambda: tree.xpath(_AUTHOR_LINK_XPATH),
    )
    for rank, probe in enumerate(probes):
        for el in probe()[:20]:
            # A byline box that also holds the date, a role and buttons: its "By" line.
            for line in el.xpath(_BY_LINE_IN)[:2] if rank == 1 else ():
                yield _byline_names(_by_line(line), marked=False)
            yield _byline_names(_text(el), marked=rank == 0)
    for label in tree.xpath(_LABEL_XPATH)[:5]:
        text = _text(label.getparent()).replace(" ".join(label.text_content().split()), "", 1)
        yield _byline_names(text.strip(" :"), marked=False)
    for line in tree.xpath(_BY_LINE_XPATH)[:5]:
        yield _byline_names(_by_line(line), marked=False)
    # A name printed just before the date line ("Jane Doe | 05.04.2025").
    for el in _classed(tree, _DATE_CLASS, tags=("time",))[:3]:
        before = el.getprevious()
        # A strip of links before the date is a menu, not a name.
        if before is not None and isinstance(before.tag, str) and len(before.xpath(".//a")) < 2:
            text = _text(before).strip(" |·•–-")
            if "," not in text:
                yield _byline_names(text, marked=False, limit=_BYLINE_CHARS // 2)
    # A sign-off: the reporter's name, bold and set to the right, closing the story.
    for el in tree.xpath(_SIGN_OFF_XPATH)[-1:]:
        yield _byline_names(_text(el), marked=False)
    for text in tree.xpath(_EDITOR_XPATH)[:5]:
        match = _EDITOR_CREDIT.search(text)
        if match:
            yield [n.strip() for n in re.split(r"[、,，]", match.group(1)) if n.strip()]

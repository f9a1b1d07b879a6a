"""Feed and sitemap readers: RSS 2.0 / Atom and (Google-News) sitemaps, parsed safely.

Entity expansion, external entities and network access are off in every parser; gzip bodies
are inflated with a size cap. Pure functions of bytes, so they are tested without Scrapy.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib

from lxml import etree

MAX_INFLATED = 50 * 1024 * 1024
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
}


class FeedError(ValueError):
    """The body is not a feed or sitemap we can read."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
    )


def inflate(body: bytes, limit: int = MAX_INFLATED) -> bytes:
    """Gunzip a .gz sitemap, refusing to inflate beyond ``limit`` (gzip bombs)."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
        try:
            data = stream.read(limit + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise FeedError(f"bad gzip data: {exc}") from None
    if len(data) > limit:
        raise FeedError(f"gzip body inflates beyond {limit} bytes")
    return data


# Character references to UTF-16 surrogates (&#xD800;) are not characters: lxml accepts
# them in recover mode and then fails to decode the text. They become U+FFFD first.
_SURROGATE_REF = re.compile(rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*5[5-7][0-9]{3});")


def _drop_surrogate_refs(data: bytes) -> bytes:
    def replace(match: re.Match) -> bytes:
        ref = match.group(0)[2:-1]
        code = int(ref[1:], 16) if ref[:1] in b"xX" else int(ref)
        return b"&#xFFFD;" if 0xD800 <= code <= 0xDFFF else match.group(0)

    return _SURROGATE_REF.sub(replace, data)


def _root(body: bytes):
    data = _drop_surrogate_refs(inflate(body).lstrip())
    if not data:
        raise FeedError("empty body")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not XML: {exc}") from None
    if root is None:
        raise FeedError("not XML")
    return root


def _local(tag) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _text(el, *names: str) -> str | None:
    for child in el:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_rss(body: bytes) -> list[dict]:
    """Items of an RSS 2.0 or Atom feed: url, title, published (raw), description, author."""
    root = _root(body)
    kind = _local(root.tag)
    if kind not in {"rss", "feed", "rdf"}:
        raise FeedError(f"not a feed (root element <{kind}>)")
    items = []
    for el in root.iter():
        name = _local(el.tag)
        if name == "item":
            link = _text(el, "link") or _text(el, "guid")
        elif name == "entry":
            links = [c for c in el if _local(c.tag) == "link"]
            link = next(
                (c.get("href") for c in links if c.get("rel", "alternate") == "alternate"), None
            )
        else:
            continue
        if not link:
            continue
        items.append(
            {
                "url": link,
                "title": _text(el, "title"),
                "published": _text(el, "pubdate", "published", "updated", "date"),
                "description": _text(el, "description", "summary"),
                "author": _text(el, "creator", "author"),
            }
        )
    return items


def parse_sitemap(body: bytes) -> tuple[str, list[dict]]:
    """("index", [{url}]) or ("urlset", [{url, lastmod, title, published, keywords, language}])."""
    root = _root(body)
    kind = _local(root.tag)
    if kind not in {"sitemapindex", "urlset"}:
        raise FeedError(f"not a sitemap (root element <{kind}>)")
    entries = []
    for el in root:
        if _local(el.tag) not in {"sitemap", "url"}:
            continue
        loc = _text(el, "loc")
        if not loc:
            continue
        entry: dict = {"url": loc, "lastmod": _text(el, "lastmod")}
        news = next((c for c in el if _local(c.tag) == "news"), None)
        if news is not None:
            publication = next((c for c in news if _local(c.tag) == "publication"), None)
            keywords = _text(news, "keywords")
            entry.update(
                title=_text(news, "title"),
                published=_text(news, "publication_date"),
                keywords=[k.strip() for k in keywords.split(",") if k.strip()] if keywords else [],
                language=_text(publication, "language") if publication is not None else None,
            )
        entries.append(entry)
    return ("index" if kind == "sitemapindex" else "urlset"), entries

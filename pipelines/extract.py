"""Extraction: trafilatura plus the page's own metadata plus the outlet's quirks.

``extract_article`` is the pure library call (DESIGN.md contract); ``ExtractPipeline`` applies
it to fetched pages. This is the only module that calls trafilatura.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import re
import resource
from concurrent.futures import TimeoutError as FutureTimeout

import lxml.etree
import lxml.html
import pebble
import trafilatura
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.http import TextResponse

from crawler import neardup, pagemeta
from crawler.items import ArticleItem
from crawler.outlets import OUTLETS, Outlet
from crawler.scoring import scoring_text, text_features
from crawler.textutil import normalise
from crawler.timeutil import UTC, iso_utc
from crawler.urls import canonical_url
from pipelines.dedupe import content_hash

logger = logging.getLogger(__name__)


def extract_article(html: str | bytes, url: str, outlet: str | None = None) -> dict:
    """Title, authors, dates (UTC ISO), language, description, text and access of one page.

    ``html`` is the page's text, or its bytes (decoded as the crawl decodes a response).
    ``outlet`` is a registry slug; None means a page from anywhere (generic metadata only).
    """
    spec: Outlet | None = OUTLETS.get(outlet) if outlet else None
    tz = spec.timezone if spec else UTC
    tree = parse_page(html)
    if tree is None:
        return _empty()
    meta = pagemeta.meta_tags(tree)
    ld = pagemeta.news_article(tree)
    quirks = spec.page_fields(tree) if spec and spec.page_fields else {}
    lang = tree.get("lang") or meta.get("og:locale") or ld.get("inLanguage")
    canonical = pagemeta.canonical_link(tree)
    # trafilatura prunes the tree it is given, so it gets the tree only after we have read it.
    # An outlet that reads the text from the page's data (Nikkei's __NEXT_DATA__) skips it.
    doc = None
    if "text" not in quirks:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            fast=True,
        )
    text = normalise_text(
        quirks.get("text") or getattr(doc, "text", None) or ld.get("articleBody") or ""
    )
    if spec and spec.clean_text:
        text = spec.clean_text(text)
    title = (
        quirks.get("title")
        or ld.get("headline")
        or meta.get("og:title")
        or getattr(doc, "title", None)
        or ""
    )
    title = clean_title(normalise(title), spec)
    # The outlet's reading of the byline wins, even when it finds only an agency credit.
    if "authors" in quirks:
        authors = quirks["authors"]
    else:
        authors = pagemeta.ld_authors(ld.get("author")) or _doc_authors(doc)
    published = (
        quirks.get("published")
        or ld.get("datePublished")
        or meta.get("article:published_time")
        or getattr(doc, "date", None)
    )
    modified = quirks.get("modified") or ld.get("dateModified") or meta.get("article:modified_time")
    description = (
        quirks.get("description")
        or ld.get("description")
        or meta.get("og:description")
        or meta.get("description")
        or getattr(doc, "description", None)
    )
    return {
        "title": title or None,
        "authors": authors,
        "published": iso_utc(published, tz),
        "modified": iso_utc(modified, tz),
        "language": (lang or getattr(doc, "language", None) or "").split("-")[0].split("_")[0]
        or None,
        "description": normalise(description) if description else None,
        "keywords": pagemeta.keywords(
            quirks.get("keywords")
            or ld.get("keywords")
            or meta.get("news_keywords")
            or meta.get("keywords")
        ),
        "text": text,
        "word_count": len(text.split()),
        "access": quirks.get("access") or "full",
        "canonical": canonical,
    }


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """The text of a page's bytes, decoded exactly as the crawl decodes ``response.text``.

    Scrapy's TextResponse tries the BOM, the Content-Type charset, a ``<meta>`` or XML
    declaration, then UTF-8 and a detected encoding; unknown charsets are skipped and
    undecodable bytes become U+FFFD, so it never raises.
    """
    headers = {"Content-Type": content_type} if content_type else {}
    return TextResponse(url="about:blank", body=body, headers=headers).text


# XML 1.0 has no place for these, and one of them makes trafilatura give up on a whole page:
# C0 controls other than \t \n \r (a form feed is HTML whitespace), U+FFFE/U+FFFF, and the
# lone surrogates a str can carry but no encoding can.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# lxml refuses a str that declares its encoding; a str is decoded already, so it is moot.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def page_markup(html: str | bytes) -> str:
    """The page as text that lxml and trafilatura accept, with every readable character kept."""
    if isinstance(html, bytes):
        html = decode_page(html)
    html = _NOT_XML.sub("", html.replace("\x0c", " "))
    html = _SURROGATE.sub("\ufffd", html)
    return _XML_DECLARATION.sub("", html.removeprefix("\ufeff"))


def parse_page(html: str | bytes):
    """The page's lxml tree, or None for a page with no markup at all."""
    markup = page_markup(html)
    if not markup.strip():
        return None
    try:
        return lxml.html.fromstring(markup)
    except lxml.etree.ParserError:  # "Document is empty": only comments or a bare doctype
        return None


def _empty() -> dict:
    return {
        "title": None,
        "authors": [],
        "published": None,
        "modified": None,
        "language": None,
        "description": None,
        "keywords": [],
        "text": "",
        "word_count": 0,
        "access": "full",
        "canonical": None,
    }


def clean_title(title: str, spec: Outlet | None) -> str:
    for suffix in spec.title_suffixes if spec else ():
        if title.endswith(suffix):
            title = title[: -len(suffix)]
    if spec and spec.clean_title:
        title = spec.clean_title(title)
    return title.strip()


def normalise_text(text: str) -> str:
    """Valid UTF-8, no NULs, paragraphs on their own lines."""
    lines = (normalise(line) for line in text.split("\n"))
    return re.sub(r"\n{2,}", "\n", "\n".join(line for line in lines if line)).strip()


def _doc_authors(doc) -> list[str]:
    raw = getattr(doc, "author", None) or ""
    return [a.strip() for a in raw.split(";") if a.strip()]


def _limit_memory(megabytes: int) -> None:
    """Worker initializer: cap the address space so one page cannot exhaust the machine."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class WorkerPool:
    """One pool of extraction processes per crawl process, shared by the outlets' crawlers.

    pebble kills a worker whose page runs past the time limit (concurrent.futures cannot),
    and a worker that dies (the memory cap) is replaced; either way the page is a recorded
    failure and the crawl goes on.
    """

    _pool: pebble.ProcessPool | None = None
    _users = 0

    @classmethod
    def acquire(cls, workers: int, memory_mb: int) -> pebble.ProcessPool:
        if cls._pool is None:
            cls._pool = pebble.ProcessPool(
                max_workers=workers,
                initializer=_limit_memory,
                initargs=(memory_mb,),
                context=multiprocessing.get_context("spawn"),
            )
        cls._users += 1
        return cls._pool

    @classmethod
    def release(cls) -> None:
        cls._users -= 1
        if cls._users <= 0 and cls._pool is not None:
            cls._pool.close()
            cls._pool.join()
            cls._pool = None


# A page with more elements than this is no article page (real ones have a few thousand): it
# fails at once instead of holding a worker until the time limit.
MAX_ELEMENTS = 100_000


class PageTooComplex(Exception):
    """A page too large in elements to extract."""


def extract_for_crawl(html: str, url: str, outlet: str | None, candidate: dict) -> dict:
    """An extraction worker's job: ``extract_article``, what discovery said where the page says
    nothing, and what the main process would otherwise compute from the text
    (``precomputed``: relevance features, content hash, MinHash signature)."""
    elements = html.count("<")
    if elements > MAX_ELEMENTS:
        raise PageTooComplex(f"{elements} elements")
    fields = extract_article(html, url, outlet)
    fields["title"] = fields["title"] or candidate.get("title")
    fields["published"] = fields["published"] or candidate.get("published")
    fields["keywords"] = fields["keywords"] or candidate.get("keywords") or []
    fields["language"] = fields["language"] or candidate.get("language")
    body = scoring_text(fields["description"], fields["keywords"], fields["text"])
    fields["precomputed"] = {"features": text_features(fields["title"], body)}
    if fields["text"]:
        fields["precomputed"]["content_hash"] = content_hash(fields["text"])
        fields["precomputed"]["signature"] = neardup.signature(fields["text"])
    return fields


class ExtractPipeline:
    """Fills an ArticleItem from its HTML; drops pages with no usable body, saying why.

    Extraction runs in worker processes (NEWSAGG_EXTRACT_WORKERS) so that it neither blocks
    the downloads in the reactor thread nor stays on one core; 0 extracts in-process.
    """

    def __init__(self, min_words: int, workers: int = 0, timeout: float = 20.0, memory_mb: int = 0):
        self.min_words = min_words
        self.workers = workers
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.pool: pebble.ProcessPool | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        workers = settings.get("NEWSAGG_EXTRACT_WORKERS")
        pipe = cls(
            min_words=settings.getint("NEWSAGG_MIN_WORDS"),
            # "auto": a core each, but one: the crawl process itself keeps a core busy.
            workers=max(1, (os.cpu_count() or 1) - 1)
            if workers in (None, "", "auto")
            else int(workers),
            timeout=settings.getfloat("NEWSAGG_EXTRACT_TIMEOUT"),
            memory_mb=settings.getint("NEWSAGG_EXTRACT_MEMORY_MB"),
        )
        pipe.crawler = crawler
        return pipe

    def open_spider(self):
        if self.workers > 0:
            self.pool = WorkerPool.acquire(self.workers, self.memory_mb)

    def close_spider(self):
        if self.pool is not None:
            self.pool = None
            WorkerPool.release()

    async def process_item(self, item):
        if not isinstance(item, ArticleItem):
            return item
        if item.access == "blocked":
            return self.from_discovery(item)
        fields = await self.extract(item)
        return self.apply(item, fields)

    async def extract(self, item: ArticleItem) -> dict:
        stats = self.crawler.stats
        args = (item.html or "", item.url, item.outlet, item.candidate)
        try:
            if self.pool is None:
                return extract_for_crawl(*args)
            future = self.pool.schedule(extract_for_crawl, args=args, timeout=self.timeout)
            return await asyncio.wrap_future(future)
        except PageTooComplex as exc:
            stats.inc_value("newsagg/extract/too_complex")
            raise DropItem(f"too-complex: {exc}") from exc
        except FutureTimeout as exc:
            stats.inc_value("newsagg/extract/timeout")
            raise DropItem(f"extraction-timeout: over {self.timeout:g} s") from exc
        except pebble.ProcessExpired as exc:
            stats.inc_value("newsagg/extract/crashed")
            raise DropItem(f"extraction-crashed: {exc}") from exc
        except Exception as exc:  # a hostile page must not stop the crawl
            logger.warning("extraction failed for %s: %r", item.url, exc)
            stats.inc_value("newsagg/extract/error")
            raise DropItem(f"extraction-error: {type(exc).__name__}") from exc

    def apply(self, item: ArticleItem, fields: dict) -> ArticleItem:
        adapter = ItemAdapter(item)
        stats = self.crawler.stats
        item.precomputed = fields.pop("precomputed", None) or {}
        self.follow_canonical(item, fields.pop("canonical"))
        for key, value in fields.items():
            adapter[key] = value
        item.html = None  # not needed downstream; keeps memory flat
        if fields["access"] == "full" and fields["word_count"] < self.min_words:
            stats.inc_value("newsagg/extract/too_short")
            raise DropItem(f"too-short: {fields['word_count']} words")
        stats.inc_value("newsagg/extract/ok")
        return item

    def follow_canonical(self, item: ArticleItem, link: str | None) -> None:
        """Honour rel=canonical when it stays on the outlet's own domains."""
        outlet = OUTLETS.get(item.outlet)
        if not link or outlet is None or not outlet.owns(link) or not outlet.is_article(link):
            return
        canonical = canonical_url(link)
        if canonical != item.canonical_url:
            self.crawler.stats.inc_value("newsagg/extract/rel_canonical")
            item.canonical_url = canonical

    def from_discovery(self, item: ArticleItem) -> ArticleItem:
        """A blocked page has no body: the row keeps what the feed or sitemap said."""
        candidate = item.candidate
        item.title = candidate.get("title")
        item.published = candidate.get("published")
        item.modified = candidate.get("modified")
        item.keywords = candidate.get("keywords") or []
        item.language = candidate.get("language")
        item.description = candidate.get("description")
        item.text, item.word_count, item.html = None, 0, None
        self.crawler.stats.inc_value("newsagg/extract/blocked")
        return item

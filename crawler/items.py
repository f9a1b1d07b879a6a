"""Items: what discovery knows about a URL, what a fetched page becomes, and decisions.

Read them through ItemAdapter everywhere; pipelines pass through item types they do not handle.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Candidate:
    """A URL found by discovery, with whatever the feed, sitemap or search page said."""

    url: str
    outlet: str
    via: str
    title: str | None = None
    published: str | None = None
    modified: str | None = None
    keywords: list[str] = field(default_factory=list)
    description: str | None = None
    language: str | None = None
    # The title was made from the URL's slug (the entry had none).
    title_from_url: bool = False
    # The site-search query that returned it: the site says the article matches it.
    search_query: str | None = None


@dataclass
class ArticleItem:
    """A fetched page on its way through extract -> relevance -> dedupe -> store."""

    url: str
    canonical_url: str
    outlet: str
    via: str
    http_status: int
    html: str | None = None
    candidate: dict = field(default_factory=dict)
    # Filled by the extract pipeline.
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    description: str | None = None
    keywords: list[str] = field(default_factory=list)
    text: str | None = None
    word_count: int = 0
    access: str | None = None
    # Computed from the text by the extraction worker (not stored): relevance ``features``,
    # ``content_hash`` and MinHash ``signature`` for dedupe.
    precomputed: dict = field(default_factory=dict)
    # What the page gave by itself, for the run's field health (crawler/health.py; not stored).
    health: dict = field(default_factory=dict)
    # Filled by the relevance pipeline: {source_id: {"score": .., "matched": {...}}}.
    scores: dict = field(default_factory=dict)
    # Filled by the dedupe pipeline.
    content_hash: str | None = None
    duplicate_of: str | None = None
    relation: str | None = None
    minhash: bytes | None = None
    lsh_keys: list[int] = field(default_factory=list)
    story_key: str | None = None
    version: int | None = None


@dataclass
class Discovery:
    """A decision about a URL that did not (or not yet) become an article row."""

    url: str
    outlet: str
    via: str
    decision: str
    reason: str
    source_id: int | None = None
    title: str | None = None
    published: str | None = None
    score: float | None = None
    # For ``queued`` decisions: the whole candidate (JSON), so a later run can resume it.
    candidate: str | None = None

    @classmethod
    def about(cls, found: dict, url: str, decision: str, reason: str, **fields) -> Discovery:
        """A decision about a candidate (``found``: its dict); ``fields`` override it."""
        return cls(
            **{
                "url": url,
                "outlet": found["outlet"],
                "via": found["via"],
                "decision": decision,
                "reason": reason,
                "title": found.get("title"),
                "published": found.get("published"),
                **fields,
            }
        )

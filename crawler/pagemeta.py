"""A page's own metadata: meta tags, rel=canonical and JSON-LD, read tolerantly.

Pure functions of an lxml tree, so the outlet code and the tests can use them on a string.
"""

from __future__ import annotations

import json
import re
from typing import Any

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
NEWS_TYPES = {
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "BlogPosting",
}


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
    cleaned = strip_json_comments(text.strip().rstrip(";"))
    for candidate in (cleaned, _TRAILING_COMMA.sub(r"\1", cleaned)):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def json_ld_objects(tree) -> list[dict]:
    """Every JSON-LD object on the page, flattening lists and @graph."""
    found: list[dict] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        data = loads_lenient(script.text or "")
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                found.append(node)
                if isinstance(node.get("@graph"), list):
                    stack.extend(node["@graph"])
    return found


def news_article(tree) -> dict:
    """The first NewsArticle-like JSON-LD object, or {}."""
    for obj in json_ld_objects(tree):
        kinds = obj.get("@type")
        kinds = set(kinds) if isinstance(kinds, list) else {kinds}
        if kinds & NEWS_TYPES:
            return obj
    return {}


def meta_tags(tree) -> dict[str, str]:
    """<meta property|name=... content=...>, first value wins, keys lower-cased."""
    tags: dict[str, str] = {}
    for el in tree.xpath("//meta[@content]"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key and key not in tags:
            tags[key] = el.get("content", "").strip()
    return tags


def canonical_link(tree) -> str | None:
    links = tree.xpath('//link[@rel="canonical"]/@href')
    return links[0].strip() if links else None


def ld_authors(value: Any) -> list[str]:
    """Author names from a JSON-LD author/creator value (a string, an object or a list)."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            name = item.get("name") or item.get("byline")
            if isinstance(name, str):
                names.append(name)
    return [n.strip() for n in names if n and n.strip()]


def keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    return []

"""The outlet registry: one module per outlet, plain data plus small pure functions.

Each module defines ``OUTLET``. The registry is validated at import, so a broken outlet module
fails loudly before any crawl starts.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from urllib.parse import urlsplit

from crawler.timeutil import UTC

DISCOVERY_METHODS = ("rss", "news-sitemap", "sitemap", "search")


@dataclass(frozen=True)
class Outlet:
    slug: str
    name: str
    base_url: str
    domains: tuple[str, ...]
    article_path: re.Pattern[str]
    timezone: tzinfo = UTC
    feeds: tuple[str, ...] = ()
    news_sitemaps: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    search: str | None = None
    title_suffixes: tuple[str, ...] = ()
    # Query parameters that are tracking or navigation noise on this outlet.
    noise_params: frozenset[str] = frozenset()
    # Names by which a source piece cites this outlet ("As reported by Yonhap News Agency").
    aliases: tuple[str, ...] = ()
    # Page quirks: pure functions of an lxml tree / the extracted text.
    page_fields: Callable[..., dict] | None = None
    clean_text: Callable[[str], str] | None = None
    clean_title: Callable[[str], str] | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    def discovery_methods(self) -> list[str]:
        methods = []
        if self.feeds:
            methods.append("rss")
        if self.news_sitemaps:
            methods.append("news-sitemap")
        if self.sitemaps:
            methods.append("sitemap")
        if self.search:
            methods.append("search")
        return methods

    def owns(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host in self.domains

    def is_article(self, url: str) -> bool:
        return bool(self.article_path.search(urlsplit(url).path))


MODULES = ("yonhap",)


def _load() -> dict[str, Outlet]:
    registry: dict[str, Outlet] = {}
    for name in MODULES:
        outlet = importlib.import_module(f"crawler.outlets.{name}").OUTLET
        _validate(outlet, name)
        registry[outlet.slug] = outlet
    return registry


def _validate(outlet: Outlet, module: str) -> None:
    problems = []
    if outlet.slug != module:
        problems.append(f"slug {outlet.slug!r} differs from its module name")
    if urlsplit(outlet.base_url).netloc not in outlet.domains:
        problems.append("base_url host is not among its domains")
    if not outlet.discovery_methods():
        problems.append("declares no discovery endpoint")
    paths = [*outlet.feeds, *outlet.news_sitemaps, *outlet.sitemaps]
    problems += [f"endpoint {p!r} is not a path" for p in paths if not p.startswith("/")]
    if problems:
        raise ValueError(f"outlet module {module}: " + "; ".join(problems))


OUTLETS: dict[str, Outlet] = _load()


def get_outlet(slug: str) -> Outlet:
    try:
        return OUTLETS[slug]
    except KeyError:
        known = ", ".join(sorted(OUTLETS))
        raise KeyError(f"unknown outlet {slug!r} (known: {known})") from None


def outlet_for_url(url: str) -> Outlet | None:
    return next((o for o in OUTLETS.values() if o.owns(url)), None)

"""URLs: the one canonicalisation function, and rebasing an outlet onto a replica or mirror."""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.outlets import OUTLETS, Outlet, outlet_for_url

# Noise on every site: analytics and campaign parameters.
AMP_PARAMS = frozenset({"amp", "outputtype", "_amp"})
GLOBAL_NOISE = frozenset(
    {"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "cmpid", "ocid", "taid", "s_cid", "rss"}
)


def canonical_url(url: str, base_urls: dict[str, str] | None = None) -> str:
    """The one canonical form of an article URL.

    https, lower-case host, an outlet's mirror/mobile/replica host mapped to its real host,
    tracking and navigation queries and fragments dropped, no trailing slash on the path.
    ``base_urls`` maps outlet slugs to the base URLs they were rebased onto for this crawl,
    so a page fetched from the replica is stored under the real outlet's URL.
    """
    outlet = _outlet_of(url, base_urls or {})
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    scheme = parts.scheme.lower() or "https"
    if outlet is not None:
        real = urlsplit(outlet.base_url)
        scheme, host = real.scheme, real.netloc
    elif scheme == "http":
        scheme = "https"
    query = _kept_query(parts.query, outlet.noise_params if outlet else frozenset())
    path = _without_amp(parts.path or "/")
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def _kept_query(query: str, noise: frozenset[str]) -> list[tuple[str, str]]:
    """Query parameters minus tracking, navigation and AMP noise (global and the outlet's)."""
    return [
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if k.lower() not in noise | GLOBAL_NOISE
        and not k.lower().startswith("utm_")
        and not (k.lower() in AMP_PARAMS and v.lower() in {"", "1", "true", "amp"})
    ]


def _without_amp(path: str) -> str:
    """/amp/x, /x/amp and /x.amp.html are the AMP variants of /x."""
    path = re.sub(r"^/amp(?=/)", "", path)
    path = re.sub(r"/amp/?$", "", path) or "/"
    return re.sub(r"\.amp(\.html?)$", r"\1", path)


def outlet_urls(settings) -> dict[str, str]:
    """NEWSAGG_OUTLET_URLS as a dict, whether it came as a dict or as JSON text."""
    value = settings.get("NEWSAGG_OUTLET_URLS") or {}
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else {}
    return {str(k): str(v).rstrip("/") for k, v in dict(value).items()}


def url_id(canonical: str) -> str:
    """Stable article id: a hash of the canonical URL."""
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]


def _outlet_of(url: str, base_urls: dict[str, str]) -> Outlet | None:
    netloc = urlsplit(url).netloc.lower()
    for slug, base in base_urls.items():
        if urlsplit(base).netloc.lower() == netloc and slug in OUTLETS:
            return OUTLETS[slug]
    return outlet_for_url(url)


def rebase(url: str, outlet: Outlet, base_url: str | None) -> str:
    """Point a link on one of ``outlet``'s hosts at ``base_url`` (a replica or a mirror).

    Feeds and sitemaps name the real hosts; when the outlet is rebased, those links must be
    followed on the base instead. Links to other hosts are returned unchanged.
    """
    if not base_url or not outlet.owns(url):
        return url
    parts = urlsplit(url)
    base = urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


def strip_noise(url: str, outlet: Outlet) -> str:
    """Drop an outlet's tracking queries from a URL but keep its host (what we request)."""
    parts = urlsplit(url)
    query = _kept_query(parts.query, outlet.noise_params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))

"""URLs: the one canonicalisation function, and rebasing an outlet onto a replica or mirror."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import socket
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.outlets import OUTLETS, Outlet, outlet_for_url

# Noise on every site: analytics and campaign parameters.
AMP_PARAMS = frozenset({"amp", "outputtype", "_amp"})
DEFAULT_PORTS = {"http": 80, "https": 443}
GLOBAL_NOISE = frozenset(
    {"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "cmpid", "ocid", "taid", "s_cid", "rss"}
)


def canonical_url(url: str, base_urls: dict[str, str] | None = None) -> str:
    """The one canonical form of an article URL.

    https, lower-case host, an outlet's mirror/mobile/replica host mapped to its real host,
    tracking and navigation queries and fragments dropped, no trailing slash on the path.
    ``base_urls`` maps outlet slugs to the base URLs they were rebased onto for this crawl,
    so a page fetched from the replica or a mirror (under its path prefix, if it has one) is
    stored under the real outlet's URL.
    """
    outlet, url = _resolve(url.strip(), base_urls or {})
    parts = urlsplit(url)
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


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host name spells out literally, in any form a resolver accepts
    (``127.1``, ``0x7f000001``, ``2130706433``, ``[::ffff:10.0.0.1]``); None for a name."""
    host = host.strip("[]").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if not re.fullmatch(r"[0-9a-fx.]+", host) or not host[0].isdigit():
            return None
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def url_id(canonical: str) -> str:
    """Stable article id: a hash of the canonical URL."""
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]


def _resolve(url: str, base_urls: dict[str, str]) -> tuple[Outlet | None, str]:
    """(outlet, real URL): a URL on a base an outlet was pointed at becomes that outlet's."""
    for slug, base in base_urls.items():
        if slug in OUTLETS and (real := from_base(url, OUTLETS[slug], base)):
            return OUTLETS[slug], real
    return outlet_for_url(url), url


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    """scheme, host and port, the default port spelled out (http://a and http://a:80 match)."""
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme)


def _prefix(base: SplitResult) -> str:
    return base.path.rstrip("/")


def from_base(url: str, outlet: Outlet, base_url: str | None) -> str | None:
    """The real outlet URL of a link on ``base_url`` (same scheme, host and port, under the
    base's path prefix), or None when the link is not on the base.

    A mirror's feeds list the mirror's own URLs: ``http://mirror/yna/view/AEN1`` on the base
    ``http://mirror/yna`` is ``https://en.yna.co.kr/view/AEN1``.
    """
    if not base_url:
        return None
    try:
        parts, base = urlsplit(url), urlsplit(base_url)
        if _origin(parts) != _origin(base):
            return None
    except ValueError:  # a malformed port
        return None
    prefix = _prefix(base)
    if prefix and not (parts.path == prefix or parts.path.startswith(prefix + "/")):
        return None
    real = urlsplit(outlet.base_url)
    path = parts.path[len(prefix) :] or "/"
    return urlunsplit((real.scheme, real.netloc, path, parts.query, parts.fragment))


def outlet_link(url: str, outlet: Outlet, base_url: str | None) -> str | None:
    """The real URL of a link that belongs to ``outlet`` (on one of its hosts, or on the base
    it was pointed at); None for a link to anywhere else."""
    if outlet.owns(url):
        return url
    return from_base(url, outlet, base_url)


def rebase(url: str, outlet: Outlet, base_url: str | None) -> str:
    """Point a link on one of ``outlet``'s hosts at ``base_url`` (a replica or a mirror),
    under the base's path prefix if it has one.

    Feeds and sitemaps may name the real hosts; when the outlet is rebased, those links must
    be followed on the base instead. Links to other hosts are returned unchanged.
    """
    if not base_url or not outlet.owns(url):
        return url
    parts = urlsplit(url)
    base = urlsplit(base_url)
    path = _prefix(base) + (parts.path or "/")
    return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))


def strip_noise(url: str, outlet: Outlet) -> str:
    """Drop an outlet's tracking queries from a URL but keep its host (what we request)."""
    parts = urlsplit(url)
    query = _kept_query(parts.query, outlet.noise_params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))

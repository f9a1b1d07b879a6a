"""The private-address guard: no request to loopback, private, link-local or otherwise
non-public addresses, however the address is spelt; the hosts the user named get through.

Each URL goes through ``PrivateAddressGuard.process_request``, as a feed link, a sitemap
location or a redirect does in a crawl. The crawl-level twin (redirects to the canary server
as 2130706433, [::ffff:127.0.0.1] and localhost) is in test_faults.py.
"""

from __future__ import annotations

import socket

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.middlewares import PrivateAddressGuard, non_public_reason


def guard(outlet_urls: dict[str, str] | None = None) -> PrivateAddressGuard:
    crawler = get_crawler(settings_dict={"NEWSAGG_OUTLET_URLS": outlet_urls or {}})
    return PrivateAddressGuard.from_crawler(crawler)


NON_PUBLIC = [
    # 127.0.0.1 in every form a resolver accepts
    "http://127.0.0.1/",
    "http://127.0.0.2/",
    "http://127.255.255.254:8080/",
    "http://2130706433/",  # decimal
    "http://017700000001/",  # octal
    "http://0x7f000001/",  # hex
    "http://0x7f.1/",
    "http://127.1/",  # short dotted
    "http://0177.0.0.1/",  # octal-ish dotted
    "http://0177.1/",
    "http://127.000.000.001/",
    "http://user@127.0.0.1/",
    # IPv6 forms of it, and IPv6 carrying private IPv4 addresses
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::127.0.0.1]/",  # IPv4-compatible
    "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
    "http://[2002:c0a8:101::1]/",  # 6to4 of 192.168.1.1
    # every private, shared and link-local range, both ends where it matters
    "http://10.0.0.1/",
    "http://10.255.255.254/",
    "http://172.16.0.1/",
    "http://172.31.255.1/",
    "http://192.168.0.1/",
    "http://192.168.255.254/",
    "http://169.254.169.254/",  # cloud metadata
    "http://100.64.0.1/",  # CGNAT
    "http://100.127.255.254/",
    "http://198.18.0.1/",  # benchmarking
    "http://0.0.0.0/",
    "http://0/",
    "http://240.0.0.1/",  # reserved
    "http://255.255.255.255/",
    "http://[::]/",
    "http://[fc00::1]/",  # unique local (fc00::/7)
    "http://[fd12:3456:789a::1]/",
    "http://[fe80::1]/",  # link-local (fe80::/10)
    "http://[febf::1]/",
    "http://[fec0::1]/",  # site-local (deprecated, never public)
    # multicast, which is_global alone lets through
    "http://224.0.0.1/",
    "http://239.255.255.250/",
    "http://[ff02::1]/",
    # names that resolve to one
    "http://localhost/",
    "http://LOCALHOST:8000/",
    "http://localhost./",
]


@pytest.mark.parametrize("url", NON_PUBLIC)
def test_every_form_of_a_non_public_address_is_refused(url):
    mw = guard()
    with pytest.raises(IgnoreRequest, match="non-public address refused"):
        mw.process_request(Request(url))
    assert mw.stats.get_value("newsagg/guard/refused") == 1


def test_a_name_that_resolves_to_a_private_address_is_refused(monkeypatch):
    answers = {
        "intranet.example": ["10.1.2.3"],
        "split.example": ["93.184.216.34", "172.20.0.5"],  # one private answer is enough
        "v6.example": ["fd00::5"],
        "public.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    }

    def getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0))
            for a in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for host in ("intranet.example", "split.example", "v6.example"):
        with pytest.raises(IgnoreRequest, match=f"{host} is"):
            guard().process_request(Request(f"https://{host}/feed.xml"))
    assert guard().process_request(Request("https://public.example/feed.xml")) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/",
        "https://93.184.216.34:8443/news",
        "http://[2606:2800:220:1:248:1893:25c8:1946]/",
        "http://[::ffff:93.184.216.34]/",
        "http://[64:ff9b::5db8:d822]/",  # NAT64 of 93.184.216.34
    ],
)
def test_a_public_address_is_let_through(url):
    assert guard().process_request(Request(url)) is None


def test_the_hosts_the_user_named_are_let_through_on_their_port_only():
    mw = guard({"yonhap": "http://127.0.0.1:8000", "nikkei": "http://[::1]:8001/mirror/"})
    assert mw.process_request(Request("http://127.0.0.1:8000/view/AEN1")) is None
    assert mw.process_request(Request("http://[::1]:8001/mirror/rss")) is None
    for url in ("http://127.0.0.1:8001/", "http://127.0.0.1/", "http://2130706433:8000/"):
        with pytest.raises(IgnoreRequest):
            mw.process_request(Request(url))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://93.184.216.34/x", "data:,hi"])
def test_schemes_other_than_http_are_refused(url):
    with pytest.raises(IgnoreRequest, match="scheme"):
        guard().process_request(Request(url))


def test_the_reason_names_the_address_the_form_stands_for():
    assert non_public_reason("2130706433") == "2130706433 is 127.0.0.1"
    assert non_public_reason("::ffff:10.0.0.1") == "::ffff:10.0.0.1 is ::ffff:a00:1 (via 10.0.0.1)"
    assert non_public_reason("93.184.216.34") is None

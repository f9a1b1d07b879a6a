from __future__ import annotations

from crawler.spiders.base import OutletSpider


class ReutersSpider(OutletSpider):
    name = "reuters"
    outlet_slug = "reuters"

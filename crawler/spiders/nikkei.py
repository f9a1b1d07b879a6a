from __future__ import annotations

from crawler.spiders.base import OutletSpider


class NikkeiSpider(OutletSpider):
    name = "nikkei"
    outlet_slug = "nikkei"

from __future__ import annotations

from crawler.spiders.base import OutletSpider


class YonhapSpider(OutletSpider):
    name = "yonhap"
    outlet_slug = "yonhap"

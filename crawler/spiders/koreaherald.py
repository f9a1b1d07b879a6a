from __future__ import annotations

from crawler.spiders.base import OutletSpider


class KoreaHeraldSpider(OutletSpider):
    name = "koreaherald"
    outlet_slug = "koreaherald"

"""One thin spider per outlet, all on ``crawler.spiders.base.OutletSpider``."""

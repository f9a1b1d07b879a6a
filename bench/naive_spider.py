"""The naive baseline for bench/throughput.py: what a first script would do (not a test).

    python bench/naive_spider.py --base http://127.0.0.1:PORT --db naive.db

One plain Scrapy spider: it reads the site's news sitemap, fetches every article in it,
calls trafilatura (text and metadata) in the callback, in the crawl process, and inserts each
article with sqlite-utils ``table.insert``, one commit per article. No pre-filter, no worker
processes, no batching, no duplicate detection, no relevance scoring.
"""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

import scrapy
import sqlite_utils
import trafilatura
from scrapy.crawler import CrawlerProcess

# The same politeness-off settings `newsagg crawl` uses for a local host.
SETTINGS = {
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ROBOTSTXT_OBEY": True,
    "RETRY_TIMES": 1,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
    "LOG_LEVEL": "WARNING",
}


class NaiveSpider(scrapy.Spider):
    name = "naive"

    def __init__(self, base: str, db_path: str, sitemap: str = "/news-sitemap.xml", **kwargs):
        super().__init__(**kwargs)
        self.base = base.rstrip("/")
        self.sitemap = sitemap
        self.table = sqlite_utils.Database(db_path)["articles"]

    async def start(self):
        yield scrapy.Request(self.base + self.sitemap, callback=self.parse_sitemap)

    def parse_sitemap(self, response):
        response.selector.remove_namespaces()
        for loc in response.xpath("//url/loc/text()").getall():
            # The sitemap lists the real host's URLs; fetch them from the local copy.
            parts = urlsplit(loc.strip())
            yield scrapy.Request(self.base + parts.path, callback=self.parse_article)

    def parse_article(self, response):
        html = response.text
        text = trafilatura.extract(html, url=response.url, include_comments=False)
        meta = trafilatura.extract_metadata(html, default_url=response.url)
        if not text:
            return
        self.table.insert(
            {
                "url": response.url,
                "title": meta.title if meta else None,
                "author": meta.author if meta else None,
                "published": meta.date if meta else None,
                "description": meta.description if meta else None,
                "text": text,
                "word_count": len(text.split()),
            },
            pk="url",
            replace=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="the site's base URL")
    parser.add_argument("--db", required=True, help="SQLite file to insert into")
    args = parser.parse_args()
    process = CrawlerProcess(SETTINGS)
    process.crawl(NaiveSpider, base=args.base, db_path=args.db)
    process.start()


if __name__ == "__main__":
    main()

"""A bare ``scrapy crawl`` (the way scrapyd runs a spider) as a real newsagg run.

``newsagg crawl`` takes the database's writer lock, records a `runs` row, passes its id to the
spiders as NEWSAGG_RUN_ID and, when the spiders are done, links copies and rescores the sources
(``crawler.crawl.run_crawl``). A spider started by ``scrapy crawl`` skips all of that;
``RunRecorder`` does it instead, with the same functions, whenever NEWSAGG_RUN_ID is unset.
"""

from __future__ import annotations

import contextlib
import logging

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured

from crawler import db as dbmod
from crawler.crawl import LOCAL_OVERRIDES, CrawlLocked, _all_local, close_run, open_run, writer_lock
from crawler.source import SourceError, default_source_ids
from crawler.urls import outlet_urls

logger = logging.getLogger(__name__)

LOCKED = "newsagg_locked"
NO_SOURCE = "newsagg_no_source"


class RunRecorder:
    """Writer lock, `runs` row, sources and end-of-crawl rescoring for a ``scrapy crawl``.

    Everything that must reach the other components happens in ``from_crawler``: extensions
    are built before the crawler freezes its settings and before the item pipelines read
    NEWSAGG_RUN_ID and NEWSAGG_SOURCE_IDS. A crawl that cannot run (the lock is held, there is
    no source) gets neither the pre-filter nor the item pipelines, writes nothing and closes at
    once with an error.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.settings = crawler.settings
        self.db_path = self.settings.get("NEWSAGG_DB")
        self.lock = contextlib.ExitStack()
        self.run_id: int | None = None
        self.refusal: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        from crawler.spiders.base import OutletSpider

        if not isinstance(crawler.spider, OutletSpider):
            raise NotConfigured  # not a newsagg outlet spider (scrapy fetch, shell)
        if crawler.settings.get("NEWSAGG_REDIS_URL") and not crawler.settings.get(
            "NEWSAGG_REDIS_ROLE"
        ):
            from crawler.frontier import join_as_worker

            join_as_worker(crawler)  # a worker of the open Redis run (scrapyd, newsagg worker)
            raise NotConfigured  # the run is recorded by its writer
        if crawler.settings.get("NEWSAGG_RUN_ID"):
            raise NotConfigured  # the run is recorded by `newsagg crawl` (quietly: no message)
        ext = cls(crawler)
        ext.begin()
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    def begin(self) -> None:
        settings, name = self.settings, self.crawler.spider.name
        try:
            self.lock.enter_context(writer_lock(self.db_path))
        except CrawlLocked as exc:
            return self.refuse(LOCKED, f"{exc}; this {name} crawl stops without fetching")
        db = dbmod.connect(self.db_path)
        try:
            given = [int(i) for i in settings.getlist("NEWSAGG_SOURCE_IDS")]
            try:
                source_ids = given or default_source_ids(db)
            except SourceError as exc:
                self.lock.close()
                return self.refuse(
                    NO_SOURCE,
                    f"no tracked source in {self.db_path} and no bundled one ({exc}): add one "
                    "with `newsagg sources add FILE|URL --db <that file>`",
                )
            self.run_id = open_run(
                db,
                {
                    "db_path": self.db_path,
                    "outlets": [name],
                    "source_ids": source_ids,
                    "started_by": "scrapy crawl",
                    "job": getattr(self.crawler.spider, "_job", None),  # scrapyd's job id
                },
            )
        finally:
            db.close()
        settings.set("NEWSAGG_RUN_ID", self.run_id, priority="cmdline")
        settings.set("NEWSAGG_SOURCE_IDS", source_ids, priority="cmdline")
        if _all_local(outlet_urls(settings)):
            # As `newsagg crawl` does for test servers; settings given with -s still win.
            settings.setdict(LOCAL_OVERRIDES, priority="project")
        logger.info("newsagg run %s on %s, sources %s", self.run_id, self.db_path, source_ids)
        return None

    def refuse(self, reason: str, message: str) -> None:
        logger.error("newsagg: %s", message)
        self.refusal = reason
        # The pre-filter loads the sources and the pipelines write: neither may run.
        self.settings.set("SPIDER_MIDDLEWARES", {}, priority="cmdline")
        self.settings.set("ITEM_PIPELINES", {}, priority="cmdline")

    def spider_opened(self, spider):
        if self.refusal:
            raise CloseSpider(self.refusal)
        # Connected now, after the built-in extensions: the stats are complete when it runs.
        self.crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_closed(self, spider, reason):
        if self.run_id is None:
            return
        ended = reason == "finished" or reason.startswith("closespider_")
        db = dbmod.connect(self.db_path)
        try:
            stats = {spider.name: dict(self.crawler.stats.get_stats(), finish_reason=reason)}
            end = close_run(
                db, self.run_id, self.settings, stats, "finished" if ended else "interrupted"
            )
            for alarm in end.alarms:
                logger.warning("newsagg health: %s (run %s degraded)", alarm, self.run_id)
        finally:
            db.close()
            self.lock.close()

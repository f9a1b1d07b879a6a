"""Running a crawl: settings for this run, the replica if asked, one spider per outlet, the run row."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass, field

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from crawler import claims as claimsmod
from crawler import db as dbmod
from crawler import health
from crawler.middlewares import UNREACHABLE_REASON, connection_failure, unreachable_hosts
from crawler.replica import Replica, snapshot_for
from pipelines.dedupe import link_copies
from pipelines.relevance import date_window, infer_source_dates, load_profiles, rescore_source

# Replica and local test servers: nothing to be polite to but ourselves. Only the pace
# changes, never how often a request is retried: a page answering 503, 503, 200 is stored on
# a local server exactly as on a live one.
LOCAL_OVERRIDES = {
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "NEWSAGG_RETRY_BACKOFF": 0,
}
STAT_COLUMNS = (
    ("candidates", "newsagg/candidates"),
    ("known", "newsagg/prefilter/known"),
    ("skipped", None),
    ("fetched", "newsagg/extract/ok"),
    ("blocked", "newsagg/extract/blocked"),
    ("failed", "newsagg/store/dropped"),
    ("linked", "newsagg/relevance/linked"),
)


@dataclass
class CrawlOptions:
    db_path: str
    outlets: list[str]
    outlet_urls: dict[str, str] = field(default_factory=dict)
    replica: bool = False
    # Replica snapshot day; None: chosen from the sources' dates (``snapshot_for``).
    replica_at: str | None = None
    since: str | None = None
    until: str | None = None
    refresh: bool = False
    overrides: dict = field(default_factory=dict)
    log_level: str = "WARNING"


@dataclass
class CrawlResult:
    run_id: int
    stats: dict[str, dict]
    unreachable: dict[str, str]
    sources: dict[int, dict] = field(default_factory=dict)
    copies: dict[str, int] = field(default_factory=dict)
    # Drift alarms of this run (crawler/health.py), one line each; the run is then `degraded`.
    alarms: list[str] = field(default_factory=list)

    @property
    def not_attempted(self) -> int:
        """Requests never sent because their host could not be reached (each in `discoveries`)."""
        return sum(s.get("newsagg/unreachable/not_attempted", 0) for s in self.stats.values())

    def summary_lines(self) -> list[str]:
        lines = [f"run {self.run_id}:"]
        for outlet, stats in sorted(self.stats.items()):
            counts = []
            for label, key in STAT_COLUMNS:
                if key is None:
                    value = sum(
                        v
                        for k, v in stats.items()
                        if k.startswith("newsagg/prefilter/")
                        and k.split("/")[-1] in {"out_of_window", "low_score"}
                    )
                else:
                    value = stats.get(key, 0)
                counts.append(f"{label} {value}")
            lines.append(f"  {outlet:12} " + "  ".join(counts))
        for source_id, counts in sorted(self.sources.items()):
            lines.append(
                f"  source {source_id}: {counts['linked']} articles linked of {counts['articles']} "
                f"stored in its window (story feedback from {counts['feedback_docs']})"
            )
            if inferred := counts.get("inferred"):
                lines.append(
                    f"  source {source_id}: published {inferred['published']} (inferred, "
                    f"confidence {inferred['confidence']}; see `newsagg sources list`)"
                )
            if claimed := counts.get("claims"):
                statuses = ", ".join(f"{n} {status}" for status, n in sorted(claimed.items()))
                lines.append(f"  source {source_id}: claims {statuses} (`newsagg claims`)")
        if self.copies:
            lines.append(
                f"  copies linked: {self.copies['update']} updates, "
                f"{self.copies['syndicated']} syndicated"
            )
        return lines


def build_settings(
    options: CrawlOptions, source_ids: list[int], run_id: int, base_urls: dict
) -> Settings:
    return project_settings(run_values(options, source_ids, run_id, base_urls))


def project_settings(values: dict) -> Settings:
    """The project's settings with a run's values (``run_values``) on top."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(values, priority="cmdline")
    return settings


def run_values(options: CrawlOptions, source_ids: list[int], run_id: int, base_urls: dict) -> dict:
    """The settings one run gives its crawlers (JSON: a Redis run publishes them)."""
    values = {
        "NEWSAGG_DB": options.db_path,
        "NEWSAGG_SOURCE_IDS": source_ids,
        "NEWSAGG_OUTLET_URLS": base_urls,
        "NEWSAGG_RUN_ID": run_id,
        "NEWSAGG_REFRESH": options.refresh,
        "LOG_LEVEL": options.log_level,
    }
    if options.since:
        values["NEWSAGG_SINCE"] = options.since
    if options.until:
        values["NEWSAGG_UNTIL"] = options.until
    if options.replica or _all_local(base_urls):
        values.update(LOCAL_OVERRIDES)
    values.update(options.overrides)
    return values


def _all_local(base_urls: dict[str, str]) -> bool:
    return bool(base_urls) and all(
        "//127.0.0.1" in u or "//localhost" in u for u in base_urls.values()
    )


class CrawlLocked(RuntimeError):
    """Another crawl holds the database's writer lock."""

    def __init__(self, path: str, pid: str):
        super().__init__(f"a crawl is already running on {path} (pid {pid or 'unknown'})")
        self.pid = pid


@contextlib.contextmanager
def writer_lock(db_path: str):
    """One crawl per database: an exclusive flock on ``<db>.lock`` holding our pid.

    The kernel drops the lock when its process dies, so a killed crawl never blocks the next.
    """
    path = f"{db_path}.lock"
    handle = open(path, "a+")  # noqa: SIM115 (held for the whole crawl)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise CrawlLocked(db_path, handle.read().strip()) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def run_crawl(options: CrawlOptions, source_ids: list[int]) -> CrawlResult:
    """Crawl every selected outlet in one process and record the run; blocks until done."""
    with writer_lock(options.db_path):
        return _run_crawl(options, source_ids)


def _run_crawl(options: CrawlOptions, source_ids: list[int]) -> CrawlResult:
    db = dbmod.connect(options.db_path)
    choose_snapshot(db, options, source_ids)
    run_id = open_run(db, {**_jsonable(options), "source_ids": source_ids})
    status, per_outlet, settings, ended = "failed", {}, None, RunEnd()
    try:
        with contextlib.ExitStack() as stack:
            base_urls = outlet_bases(options, stack)
            settings = build_settings(options, source_ids, run_id, base_urls)
            process = CrawlerProcess(settings)
            if options.log_level != "DEBUG":
                _one_line_errors(options.outlets)
            loader = SpiderLoader.from_settings(settings)
            crawlers = {}
            for slug in options.outlets:
                crawler = process.create_crawler(loader.load(slug))
                crawlers[slug] = crawler
                process.crawl(crawler)
            process.start()
            per_outlet = {slug: c.stats.get_stats() for slug, c in crawlers.items()}
        status = "finished"
    finally:
        try:
            ended = close_run(db, run_id, settings, per_outlet, status)
        finally:
            db.close()
    unreachable: dict[str, str] = {}
    for s in per_outlet.values():
        unreachable.update(unreachable_hosts(s))
    return CrawlResult(
        run_id=run_id,
        stats=per_outlet,
        unreachable=unreachable,
        sources=ended.sources,
        copies=ended.copies,
        alarms=ended.alarms,
    )


def choose_snapshot(db, options: CrawlOptions, source_ids: list[int]) -> None:
    """With --replica and no --replica-at: the snapshot the sources' dates call for."""
    if options.replica and not options.replica_at:
        options.replica_at = snapshot_for(source_days(db, source_ids))


def outlet_bases(options: CrawlOptions, stack: contextlib.ExitStack) -> dict[str, str]:
    """Outlet base URLs of a crawl: --outlet-url, and with --replica the replica's servers
    (started here, stopped with ``stack``)."""
    base_urls = dict(options.outlet_urls)
    if options.replica:
        replica = stack.enter_context(Replica(options.outlets, snapshot=options.replica_at))
        base_urls.update(replica.base_urls)
    return base_urls


def open_run(db, args: dict) -> int:
    """Start a `runs` row. The caller holds the writer lock, so a run still marked running was
    killed: it is marked interrupted first."""
    with dbmod.immediate(db):
        db.execute("update runs set status = 'interrupted' where status = 'running'")
    return dbmod.start_run(db, args)


@dataclass
class RunEnd:
    """What the end of a run found: per-source counts, copies linked, health alarms."""

    sources: dict[int, dict] = field(default_factory=dict)
    copies: dict = field(default_factory=dict)
    alarms: list[str] = field(default_factory=list)


def close_run(
    db, run_id: int, settings: Settings | None, per_outlet: dict[str, dict], status: str
) -> RunEnd:
    """End a run: unless the crawl failed, settle copies and rescore (``rescore_all``) and
    measure each outlet's health against its recent runs (an alarm makes the run
    `degraded`); then record the status and the stats (per outlet, per source, copies) on its
    `runs` row.

    A failing rescore marks the run failed and is raised.
    """
    end = RunEnd()
    try:
        if status != "failed":
            try:
                end.sources, end.copies = rescore_all(db, settings)
            except BaseException:
                status = "failed"
                raise
        if status == "finished":
            limits = health.Limits.from_settings(settings)
            end.alarms = health.assess(db, run_id, per_outlet, limits)
            if end.alarms:
                status = "degraded"
    finally:
        stats = {slug: _jsonable(s) for slug, s in per_outlet.items()}
        stats["sources"] = {str(k): v for k, v in end.sources.items()}
        stats["copies"] = end.copies
        if end.alarms:
            stats["alarms"] = end.alarms
        dbmod.finish_run(db, run_id, status, stats)
    return end


def source_days(db, source_ids: list[int]) -> list[str]:
    """Publication days of these sources (the tracked ones if none), where known."""
    rows = dbmod.get_sources(db, source_ids or None)
    return [r["analysis"]["published"] for r in rows if r["analysis"].get("published")]


def rescore_all(db, settings: Settings) -> tuple[dict[int, dict], dict]:
    """End of crawl: settle duplicate links, then re-decide each source's window with the
    story feedback learnt so far. A source without a date of its own is dated first, from
    its coverage and its text, so its window and its event span are known."""
    source_ids = [int(i) for i in settings.getlist("NEWSAGG_SOURCE_IDS")]
    inferred = infer_source_dates(db, source_ids, settings.getfloat("NEWSAGG_MIN_SCORE"))
    profiles = load_profiles(settings.get("NEWSAGG_DB"), source_ids)
    window = date_window(profiles, settings)
    copies = link_copies(db, window, settings.getfloat("NEWSAGG_SYNDICATION_CONTAINMENT"))
    counts = {
        p.source_id: rescore_source(
            db,
            p,
            window,
            min_score=settings.getfloat("NEWSAGG_MIN_SCORE"),
            feedback_min_score=settings.getfloat("NEWSAGG_FEEDBACK_MIN_SCORE"),
        )
        for p in profiles
    }
    for source_id, evidence in inferred.items():
        if source_id in counts:
            counts[source_id]["inferred"] = evidence
    for source_id, statuses in check_claims(db, list(counts)).items():
        counts[source_id]["claims"] = statuses
    return counts, copies


def check_claims(db, source_ids: list[int]) -> dict[int, dict[str, int]]:
    """Link each source's attributed claims to the passages behind them (crawler/claims.py),
    after rescoring, so an inferred date bounds which articles count. Returns the number of
    claims per status and source."""
    out: dict[int, dict[str, int]] = {}
    for source in dbmod.get_sources(db, source_ids) if source_ids else []:
        found = claimsmod.claims_of(source["text"] or "")
        outlets = sorted({c["outlet"] for c in found if c["outlet"]})
        rows = claimsmod.check_source(source, dbmod.outlet_articles(db, outlets))
        dbmod.replace_claims(db, source["id"], rows)
        out[source["id"]] = dict(Counter(r["status"] for r in rows))
    return out


class _NoTraceback(logging.Filter):
    """Network failures are expected in a crawl: log them as one line, without a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            record.msg = f"{record.getMessage()}: {record.exc_info[1]!r}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


NOISY_LOGGERS = (
    "scrapy.downloadermiddlewares.robotstxt",
    "scrapy.downloadermiddlewares.retry",
    "scrapy.core.scraper",
    "scrapy.core.engine",
)


class _OncePerHost(logging.Filter):
    """An unreachable host is named once, by UnreachableHostsMiddleware (and by the CLI at the
    end); every request it refused is on record in `discoveries`. Without this, a crawl with no
    network prints a line for each feed, sitemap and search URL of every outlet, and one more
    for each robots.txt."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, dict):  # RobotsTxtMiddleware: "Error downloading %(request)s: ..."
            return not connection_failure(args.get("f_exception"))
        # OutletSpider.endpoint_failed and article failures: "%s: %s" % (url, reason)
        return not any(str(a).startswith(UNREACHABLE_REASON) for a in args or ())


def _one_line_errors(outlets: list[str]) -> None:
    # trafilatura warns about every page it cannot use; the store records those as decisions.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    for name in [*outlets, "scrapy.downloadermiddlewares.robotstxt"]:
        log = logging.getLogger(name)
        if not any(isinstance(f, _OncePerHost) for f in log.filters):
            # Before _NoTraceback, which rewrites the record's arguments into its message.
            log.addFilter(_OncePerHost())
    for name in NOISY_LOGGERS:
        log = logging.getLogger(name)
        if not any(isinstance(f, _NoTraceback) for f in log.filters):
            log.addFilter(_NoTraceback())


def _jsonable(value) -> dict:
    raw = value if isinstance(value, dict) else value.__dict__
    return json.loads(json.dumps(raw, default=str))

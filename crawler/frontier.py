"""Many crawl workers, one store: a shared frontier in Redis (scrapy-redis).

Roles (each a ``newsagg`` command; see the README's "Running on several machines"):

- the **seeder** (``newsagg crawl --redis URL``) opens the run in SQLite, publishes the run's
  configuration to Redis (sources, outlet base URLs, settings, the URLs already stored), runs
  the outlet spiders' discovery start (``start()``: feeds, sitemaps, listings, searches, the
  candidates a killed run left) into the shared frontier and marks seeding done. It fetches
  nothing itself; it stays until the run is done (it serves the replica with ``--replica``).
- **workers** (``newsagg worker --redis URL``, any number, on any machine) learn the run from
  Redis, take requests from the frontier, fetch, extract and score, and push every item to a
  Redis stream. They never open the SQLite file.
- the **writer** (``newsagg store --redis URL --db PATH``, exactly one: it holds the database's
  writer lock) reads the stream through a consumer group, runs dedupe and the store pipeline
  (the same classes as a one-process crawl), acknowledges entries after their commit, and ends
  the run once (copies, story feedback, claims, the run row) when the frontier is empty, no
  request is in flight and the stream is drained.

scrapy-redis provides the scheduler, the priority queue and the duplicate filter. Its queue
pops a request destructively; here a pop also *leases* it, atomically (one Lua script): the
request moves to the spider's lease set (a sorted set scored by the lease's expiry, Redis
time) with its data in a hash. The worker renews its leases every ``TICK`` seconds and
releases each one when Scrapy is done with the request (it has left the engine's in-progress
set: downloaded, its callback run and every item it yielded pushed to the stream). A worker
that dies stops renewing: after ``NEWSAGG_REDIS_LEASE`` seconds (the visibility timeout) any
worker or the writer puts its requests back in the queue with their priority. The stream's
pending entries list does the same for items: a writer killed before acknowledging leaves its
entries pending, and the next writer takes them over (XAUTOCLAIM) and writes them again
(every write is an upsert).

Politeness is per host across all workers: before a request goes out, its worker takes the
host's slot in Redis (``SET NX PX`` with ``DOWNLOAD_DELAY``), so all workers together start at
most one request per delay on each host.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import socket
import subprocess
import time
import uuid
import warnings
from dataclasses import asdict, fields
from urllib.parse import urlsplit

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured, ScrapyDeprecationWarning
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.defer import deferred_to_future
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from crawler import db as dbmod
from crawler import health, neardup
from crawler.items import ArticleItem, Discovery
from crawler.middlewares import PrefilterMiddleware, merge_candidates

logger = logging.getLogger(__name__)

PREFIX = "newsagg"
RUN = f"{PREFIX}:run"  # the run's configuration (JSON)
KNOWN = f"{PREFIX}:known"  # canonical URLs stored before the run (set)
PASSED = f"{PREFIX}:passed"  # canonical URL -> candidate that passed the pre-filter (hash)
STREAM = f"{PREFIX}:items"  # finished items, for the writer
GROUP = "store"
SEEDED = f"{PREFIX}:seeded"
DONE = f"{PREFIX}:done"
WORKERS = f"{PREFIX}:workers"  # worker id -> running / closed (hash)
QUEUE_KEY = f"{PREFIX}:%(spider)s:requests"
DUPEFILTER_KEY = f"{PREFIX}:%(spider)s:dupefilter"
# Seconds between a worker's lease renewals, heartbeats and looks at the queue.
TICK = 0.5


def frontier_keys(spider: str) -> dict[str, str]:
    """One outlet's frontier: discovery requests (feeds, sitemaps, listings, searches) and
    article requests (each a priority queue), their leases (lease id -> expiry) and the leased
    requests (lease id -> "queue score request")."""
    base = f"{PREFIX}:{spider}"
    return {
        "discovery": QUEUE_KEY % {"spider": spider},
        "articles": f"{base}:articles",
        "discovery_leases": f"{base}:leases:discovery",
        "article_leases": f"{base}:leases:articles",
        "leased": f"{base}:leased",
    }


FRONTIER_ORDER = ("discovery", "articles", "discovery_leases", "article_leases", "leased")


def alive_key(worker: str) -> str:
    return f"{PREFIX}:alive:{worker}"


class FrontierError(RuntimeError):
    """Redis cannot be used for this run (unreachable, or another run is open)."""


def connect(url: str) -> redis.Redis:
    try:
        client = redis.Redis.from_url(url)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise FrontierError(f"cannot use Redis at {url}: {exc}") from None
    return client


def quiet_scrapy_redis() -> None:
    """scrapy-redis 0.9.1 passes ``spider=`` to the stats (deprecated in Scrapy 2.19)."""
    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")


@contextlib.contextmanager
def local_redis(directory, server: str = "redis-server", timeout: float = 10.0):
    """A throwaway ``redis-server`` on a free port of 127.0.0.1, without persistence, for a
    run on one machine (the tests, bench/scale_out.py). Yields its URL; stopped after."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + timeout
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise FrontierError(f"{server} did not answer on port {port}") from None
                time.sleep(0.02)
        client.close()
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def role_settings(role: str, url: str) -> dict:
    """What turns the project's settings into a seeder's or a worker's (see the module doc)."""
    from crawler import settings as project

    spider_mw = dict(project.SPIDER_MIDDLEWARES)
    del spider_mw["crawler.middlewares.PrefilterMiddleware"]
    spider_mw["crawler.frontier.SharedPrefilterMiddleware"] = 600
    if role == "worker":
        spider_mw["crawler.frontier.NoStartRequests"] = 1000
    downloader_mw = {
        **project.DOWNLOADER_MIDDLEWARES,
        # Validators live in SQLite, which workers do not open: no conditional GET.
        "crawler.middlewares.ConditionalGetMiddleware": None,
        "crawler.frontier.SharedHostBudget": 950,
    }
    values = {
        "SCHEDULER": "crawler.frontier.FrontierScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.frontier.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": url,
        "NEWSAGG_REDIS_URL": url,
        "NEWSAGG_REDIS_ROLE": role,
        "SPIDER_MIDDLEWARES": spider_mw,
        "DOWNLOADER_MIDDLEWARES": downloader_mw,
        "ITEM_PIPELINES": {
            "pipelines.extract.ExtractPipeline": 300,
            "pipelines.relevance.RelevancePipeline": 400,
            "crawler.frontier.ShipPipeline": 950,
        },
    }
    return values


# --- the frontier: scheduler and leased queue ------------------------------------------------

# Pop the best request and lease it (KEYS: FRONTIER_ORDER; ARGV: lease seconds, lease id).
# Discovery first: an article request is taken only when no discovery request of the outlet
# is queued or leased anywhere, so every sighting of a URL (feed, news sitemap, plain sitemap)
# has been merged into its candidate before the page is fetched, whichever worker finished
# first.
POP = """
local queue, leases = KEYS[1], KEYS[3]
local found = redis.call('ZRANGE', queue, 0, 0, 'WITHSCORES')
if #found == 0 then
  if redis.call('ZCARD', KEYS[3]) > 0 then return false end
  queue, leases = KEYS[2], KEYS[4]
  found = redis.call('ZRANGE', queue, 0, 0, 'WITHSCORES')
  if #found == 0 then return false end
end
redis.call('ZREMRANGEBYRANK', queue, 0, 0)
local t = redis.call('TIME')
local now = t[1] + t[2] / 1000000
redis.call('ZADD', leases, now + ARGV[1], ARGV[2])
redis.call('HSET', KEYS[5], ARGV[2], queue .. ' ' .. found[2] .. ' ' .. found[1])
return found[1]
"""
# Renew the given leases (those still held: XX). KEYS: the two lease sets.
RENEW = """
local t = redis.call('TIME')
local now = t[1] + t[2] / 1000000
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + ARGV[1], ARGV[i])
  redis.call('ZADD', KEYS[2], 'XX', now + ARGV[1], ARGV[i])
end
return 0
"""
# Put the requests of expired leases back in their queue, with their priority.
# KEYS: the two lease sets, the leased hash.
REQUEUE = """
local t = redis.call('TIME')
local now = t[1] + t[2] / 1000000
local count = 0
for k = 1, 2 do
  local expired = redis.call('ZRANGEBYSCORE', KEYS[k], '-inf', now)
  for _, id in ipairs(expired) do
    local value = redis.call('HGET', KEYS[3], id)
    if value then
      local a = string.find(value, ' ', 1, true)
      local b = string.find(value, ' ', a + 1, true)
      redis.call('ZADD', string.sub(value, 1, a - 1), string.sub(value, a + 1, b - 1),
                 string.sub(value, b + 1))
    end
    redis.call('HDEL', KEYS[3], id)
    redis.call('ZREM', KEYS[k], id)
    count = count + 1
  end
end
return count
"""


class LeasedQueue(PriorityQueue):
    """scrapy-redis' priority queue, in two (discovery, articles), whose pop leases the
    request (see the module doc and POP)."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.keys = frontier_keys(spider.name)
        self.lease_seconds = spider.settings.getfloat("NEWSAGG_REDIS_LEASE")
        self.worker = spider.settings.get("NEWSAGG_REDIS_WORKER") or worker_id()
        self.held: dict[str, object] = {}
        self._count = 0
        self._pop = server.register_script(POP)
        self._renew = server.register_script(RENEW)

    def __len__(self):
        return self.server.zcard(self.keys["discovery"]) + self.server.zcard(self.keys["articles"])

    def push(self, request):
        key = self.keys["articles" if "candidate" in request.meta else "discovery"]
        self.server.execute_command("ZADD", key, -request.priority, self._encode_request(request))

    def pop(self, timeout=0):
        self._count += 1
        lease = f"{self.worker}:{self._count}"
        keys = [self.keys[k] for k in FRONTIER_ORDER]
        data = self._pop(keys=keys, args=[self.lease_seconds, lease])
        if data is None:
            return None
        request = self._decode_request(data)
        self.held[lease] = request
        return request

    def clear(self):
        self.server.delete(*self.keys.values())

    def settle(self, in_progress) -> None:
        """Release the leases of requests Scrapy is done with; renew the others."""
        done = [lease for lease, request in self.held.items() if request not in in_progress]
        if done:
            pipe = self.server.pipeline()
            pipe.zrem(self.keys["discovery_leases"], *done)
            pipe.zrem(self.keys["article_leases"], *done)
            pipe.hdel(self.keys["leased"], *done)
            pipe.execute()
            for lease in done:
                del self.held[lease]
        if self.held:
            leases = [self.keys["discovery_leases"], self.keys["article_leases"]]
            self._renew(keys=leases, args=[self.lease_seconds, *self.held])

    def requeue_expired(self) -> int:
        return requeue_expired(self.server, self.spider.name)


def requeue_expired(server: redis.Redis, spider: str) -> int:
    keys = frontier_keys(spider)
    script = server.register_script(REQUEUE)
    return script(keys=[keys["discovery_leases"], keys["article_leases"], keys["leased"]])


def frontier_busy(server: redis.Redis, spider: str) -> bool:
    """Requests of this outlet queued or leased anywhere (expired leases put back first)."""
    requeue_expired(server, spider)
    keys = frontier_keys(spider)
    return any(server.zcard(keys[k]) for k in FRONTIER_ORDER if k != "leased")


class FrontierScheduler(Scheduler):
    """scrapy-redis' scheduler; a seeder only pushes, a worker pops (and leases)."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.seeding = crawler.settings.get("NEWSAGG_REDIS_ROLE") == "seed"
        # Requests a worker holds at once (downloading, or their items waiting for an
        # extraction process): without a bound, the first worker leases hundreds of pages
        # while the others wait, and a killed one takes them all down with it.
        scheduler.max_held = 2 * crawler.settings.getint("CONCURRENT_REQUESTS")
        crawler.newsagg_scheduler = scheduler
        return scheduler

    def next_request(self):
        if self.seeding:
            return None
        if len(self.queue.held) >= self.max_held:
            self.queue.settle(self.crawler.engine._slot.inprogress)
            if len(self.queue.held) >= self.max_held:
                return None
        return super().next_request()

    def has_pending_requests(self):
        return False if self.seeding else super().has_pending_requests()


class NoStartRequests:
    """A worker does not discover: the seeder ran ``start()`` already. Never iterated, the
    spider's ``start()`` does not even begin (it would read the SQLite file)."""

    async def process_start(self, start):
        return
        yield  # an async generator that yields nothing


class SharedPrefilterMiddleware(PrefilterMiddleware):
    """The pre-filter with its memory in Redis: URLs stored before the run (a set the seeder
    fills) and candidates passed by any process of the run (a hash), so a URL found by two
    workers is fetched once and its fetcher sees what every sighting said.

    A pass belongs to the process that made it: if that worker died (its heartbeat expired),
    its request may never have reached the queue, so the URL may pass again (the dead worker's
    feed request comes back through its lease and is parsed again).
    """

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler, db_path=None, **cls.options(crawler))
        mw.redis = connect(crawler.settings.get("NEWSAGG_REDIS_URL"))
        mw.owner = crawler.settings.get("NEWSAGG_REDIS_WORKER") or "seed"
        return mw

    def is_known(self, canonical: str) -> bool:
        return bool(self.redis.sismember(KNOWN, canonical))

    def _passed(self, canonical: str) -> dict | None:
        """The live pass of a URL: {"owner": process id, "candidate": {...}}."""
        stored = self.redis.hget(PASSED, canonical)
        if stored is None:
            return None
        entry = json.loads(stored)
        owner = entry["owner"]
        if owner in ("seed", self.owner) or self.redis.exists(alive_key(owner)):
            return entry
        return None

    def repeat(self, canonical: str, candidate: dict) -> bool:
        entry = self._passed(canonical)
        if entry is None:
            return False
        merge_candidates(entry["candidate"], candidate)
        self.redis.hset(PASSED, canonical, json.dumps(entry))
        return True

    def remember(self, canonical: str, candidate: dict) -> bool:
        entry = json.dumps({"owner": self.owner, "candidate": candidate})
        if self.redis.hsetnx(PASSED, canonical, entry):
            return True
        if self.repeat(canonical, candidate):
            return False
        self.redis.hset(PASSED, canonical, entry)  # a dead worker's pass: ours now
        return True

    def process_spider_input(self, response, spider=None):
        """The fetched candidate as every sighting so far made it (merged in Redis)."""
        canonical = response.meta.get("canonical")
        if canonical and "candidate" in response.meta:
            stored = self.redis.hget(PASSED, canonical)
            if stored is not None:
                response.meta["candidate"].update(json.loads(stored)["candidate"])


class SharedHostBudget:
    """Politeness across workers: one request start per host and ``DOWNLOAD_DELAY``, for all
    workers together (a ``SET NX PX`` slot per host in Redis; the worker moves the delay to
    NEWSAGG_REDIS_HOST_DELAY, see ``worker_values``). Off when the delay is 0."""

    def __init__(self, server: redis.Redis, delay: float):
        self.redis = server
        self.delay_ms = max(1, int(delay * 1000))

    @classmethod
    def from_crawler(cls, crawler):
        delay = crawler.settings.getfloat("NEWSAGG_REDIS_HOST_DELAY")
        url = crawler.settings.get("NEWSAGG_REDIS_URL")
        if not url or delay <= 0:
            raise NotConfigured
        return cls(connect(url), delay)

    async def process_request(self, request, spider=None):
        from twisted.internet import reactor  # the one Scrapy installed

        key = f"{PREFIX}:host:{urlsplit(request.url).netloc.lower()}"
        while not self.redis.set(key, 1, px=self.delay_ms, nx=True):
            wait = max(int(self.redis.pttl(key)), 1) / 1000
            await deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        return None


# --- items: workers push, the writer stores --------------------------------------------------


def item_record(item, kind: str | None = None, reason: str | None = None) -> dict:
    """A stream entry for an item (JSON; the MinHash signature as bytes in base64)."""
    if isinstance(item, Discovery):
        return {"kind": "discovery", "data": json.dumps(asdict(item))}
    data = {f.name: getattr(item, f.name) for f in fields(ArticleItem)}
    data["html"] = None
    pre = item.precomputed
    signature = pre.get("signature")
    data["precomputed"] = {
        "content_hash": pre.get("content_hash"),
        "signature": (
            base64.b64encode(neardup.to_blob(signature)).decode() if signature is not None else None
        ),
    }
    data["minhash"] = None
    record = {"kind": kind or "article", "data": json.dumps(data, default=str)}
    if reason is not None:
        record["reason"] = reason
    return record


def article_from(data: dict) -> ArticleItem:
    item = ArticleItem(**data)
    item.scores = {int(k): v for k, v in item.scores.items()}
    signature = item.precomputed.get("signature")
    item.precomputed = {
        k: v
        for k, v in {
            "content_hash": item.precomputed.get("content_hash"),
            "signature": neardup.from_blob(base64.b64decode(signature)) if signature else None,
        }.items()
        if v is not None
    }
    return item


class ShipPipeline:
    """The last pipeline of a seeder or worker: every item goes to the writer's stream."""

    def __init__(self, server: redis.Redis):
        self.redis = server

    @classmethod
    def from_crawler(cls, crawler):
        pipe = cls(connect(crawler.settings.get("NEWSAGG_REDIS_URL")))
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        return pipe

    def process_item(self, item):
        if isinstance(item, (ArticleItem, Discovery)):
            self.redis.xadd(STREAM, item_record(item))
        return item

    def item_dropped(self, item, response, exception, spider=None):
        if isinstance(item, ArticleItem):
            self.redis.xadd(STREAM, item_record(item, "dropped", str(exception)))


class FrontierExtension:
    """Keeps a worker on its run: heartbeat, leases settled and renewed, expired leases put
    back, the engine woken when the queue has work, and the spider kept open (on
    ``spider_idle``) until seeding is done and nothing is queued or leased for it anywhere.
    At the end its stats go to the writer (for the run row)."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.redis = connect(settings.get("NEWSAGG_REDIS_URL"))
        self.seeding = settings.get("NEWSAGG_REDIS_ROLE") == "seed"
        self.worker = settings.get("NEWSAGG_REDIS_WORKER")
        self.lease = settings.getfloat("NEWSAGG_REDIS_LEASE")
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("NEWSAGG_REDIS_URL"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    @property
    def queue(self) -> LeasedQueue:
        return self.crawler.newsagg_scheduler.queue

    @property
    def entry(self) -> str:
        """This crawler in the run's register of workers: "worker id|outlet"."""
        return f"{self.worker}|{self.crawler.spider.name}"

    def opened(self, spider):
        if not self.seeding:
            self.redis.hset(WORKERS, self.entry, "running")
            self.redis.set(alive_key(self.worker), 1, px=int(self.lease * 1000))
            self.loop = task.LoopingCall(self.tick)
            self.loop.start(TICK)

    def tick(self):
        try:
            self.redis.set(alive_key(self.worker), 1, px=int(self.lease * 1000))
            engine = self.crawler.engine
            slot = getattr(engine, "_slot", None)
            if slot is None:
                return
            self.queue.settle(slot.inprogress)
            self.queue.requeue_expired()
            # Work pushed by other workers, or the frontier's end: seen now, not at Scrapy's
            # next heartbeat (5 s).
            slot.nextcall.schedule()
        except redis.RedisError as exc:
            logger.warning("frontier: %s", exc)

    def idle(self, spider):
        if self.seeding:
            return
        self.queue.settle(set())  # the engine is idle: nothing is in progress here
        if not self.redis.exists(SEEDED) or frontier_busy(self.redis, spider.name):
            raise DontCloseSpider

    def closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        stats = _plain(self.crawler.stats.get_stats())
        self.redis.xadd(STREAM, {"kind": "stats", "outlet": spider.name, "data": json.dumps(stats)})
        if not self.seeding:
            self.redis.hset(WORKERS, self.entry, "closed")


def _plain(stats: dict) -> dict:
    """The stats a writer can merge: numbers (counts), strings (an endpoint's status) and
    lists (the health monitor's word counts); times and other objects stay here."""
    return {k: v for k, v in stats.items() if isinstance(v, (int, float, str, list))}


# --- the processes ---------------------------------------------------------------------------


def clear_run(server: redis.Redis, outlets: list[str]) -> None:
    keys = [RUN, KNOWN, PASSED, STREAM, SEEDED, DONE, WORKERS]
    for slug in outlets:
        keys += [*frontier_keys(slug).values(), DUPEFILTER_KEY % {"spider": slug}]
    server.delete(*keys)


def open_run_in_redis(server: redis.Redis, config: dict, known: list[str]) -> None:
    """Publish a run (refused while another one is open)."""
    if server.exists(RUN) and not server.exists(DONE):
        other = json.loads(server.get(RUN))
        raise FrontierError(
            f"run {other['run_id']} is still open in Redis (its writer has not ended it); "
            "start `newsagg store` for it, or use another Redis database"
        )
    clear_run(server, config["outlets"])
    for start in range(0, len(known), 1000):
        server.sadd(KNOWN, *known[start : start + 1000])
    server.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    server.set(RUN, json.dumps(config, default=str))


def wait_for_run(server: redis.Redis, announce) -> dict:
    """The open run's configuration; waits (announced once) while there is none."""
    said = False
    while True:
        raw = server.get(RUN)
        if raw is not None and not server.exists(DONE):
            return json.loads(raw)
        if not said:
            announce("waiting for a run (start `newsagg crawl --redis URL`)")
            said = True
        time.sleep(TICK)


def frontier_idle(server: redis.Redis, outlets: list[str]) -> bool:
    """Seeding done, nothing queued or leased (expired leases put back first), no worker
    still running (one that died stops its heartbeat)."""
    if not server.exists(SEEDED):
        return False
    if any(frontier_busy(server, slug) for slug in outlets):
        return False
    for entry, state in server.hgetall(WORKERS).items():
        worker = entry.decode().rsplit("|", 1)[0]
        if state == b"running" and server.exists(alive_key(worker)):
            return False
    return True


class PipelineHost:
    """What the dedupe and store pipelines need of a crawler, for the writer."""

    def __init__(self, settings):
        self.settings = settings
        self.signals = SignalManager(self)
        self.stats = MemoryStatsCollector(self)


class Writer:
    """The one process that writes the SQLite file of a Redis run."""

    def __init__(self, server: redis.Redis, config: dict, settings, batch: int):
        from pipelines.dedupe import DedupePipeline
        from pipelines.store import StorePipeline

        self.redis = server
        self.config = config
        self.settings = settings
        self.batch = batch
        self.name = worker_id()
        host = PipelineHost(settings)
        self.dedupe = DedupePipeline.from_crawler(host)
        self.store = StorePipeline.from_crawler(host)
        self.store.open_spider()
        self.per_outlet: dict[str, dict] = {slug: {} for slug in config["outlets"]}
        self.written = 0

    def close(self) -> None:
        self.store.close_spider()
        self.dedupe.close_spider()

    def handle(self, fields_: dict) -> None:
        f = {k.decode(): v.decode() for k, v in fields_.items()}
        kind, data = f["kind"], json.loads(f["data"])
        if kind == "stats":
            health.merge_stats(self.per_outlet.setdefault(f["outlet"], {}), data)
        elif kind == "discovery":
            self.store.process_item(Discovery(**data))
        elif kind == "dropped":
            item = article_from(data)
            self.per_outlet.setdefault(item.outlet, {})
            outlet = self.per_outlet[item.outlet]
            outlet["newsagg/store/dropped"] = outlet.get("newsagg/store/dropped", 0) + 1
            self.store.item_dropped(item, None, Exception(f["reason"]))
        else:
            self.store.process_item(self.dedupe.process_item(article_from(data)))
            self.written += 1

    def write(self, entries: list) -> None:
        """Store a batch of stream entries, commit, then acknowledge them."""
        if not entries:
            return
        for _, fields_ in entries:
            self.handle(fields_)
        self.store.flush()
        self.redis.xack(STREAM, GROUP, *[entry_id for entry_id, _ in entries])

    def take_over(self) -> int:
        """Entries a killed writer read and never acknowledged: claimed and written again."""
        taken, start = 0, "0-0"
        while True:
            start, entries, _ = self.redis.xautoclaim(
                STREAM, GROUP, self.name, min_idle_time=0, start_id=start, count=self.batch
            )
            entries = [e for e in entries if e[1]]
            self.write(entries)
            taken += len(entries)
            if start in (b"0-0", "0-0"):
                return taken

    def read(self, block_ms: int) -> list:
        answer = self.redis.xreadgroup(
            GROUP, self.name, {STREAM: ">"}, count=self.batch, block=block_ms
        )
        return answer[0][1] if answer else []

    def drained(self) -> bool:
        return self.redis.xpending(STREAM, GROUP)["pending"] == 0

    def run(self) -> None:
        self.take_over()
        while True:
            entries = self.read(block_ms=int(TICK * 1000))
            if entries:
                self.write(entries)
                continue
            if frontier_idle(self.redis, self.config["outlets"]):
                # Workers are gone: what they pushed is all in the stream now.
                while entries := self.read(block_ms=1):
                    self.write(entries)
                if self.drained():
                    return


def run_seeder(options, source_ids: list[int], url: str, announce) -> int:
    """``newsagg crawl --redis``: open the run, publish it, seed the frontier, then wait (and
    serve the replica, if asked) until the writer has ended the run. Returns the run id."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiderloader import SpiderLoader

    from crawler import crawl

    quiet_scrapy_redis()
    server = connect(url)
    if server.exists(RUN) and not server.exists(DONE):
        open_run_in_redis(server, {"outlets": []}, [])  # raises, naming the open run
    with crawl.writer_lock(options.db_path):
        db = dbmod.connect(options.db_path)
        try:
            crawl.choose_snapshot(db, options, source_ids)
            args = {**crawl._jsonable(options), "source_ids": source_ids, "redis": url}
            run_id = crawl.open_run(db, args)
            sources = dbmod.get_sources(db, source_ids or None)
            known = [r[0] for r in db.execute("select canonical_url from articles").fetchall()]
        finally:
            db.close()
    with contextlib.ExitStack() as stack:
        base_urls = crawl.outlet_bases(options, stack)
        values = crawl.run_values(options, source_ids, run_id, base_urls)
        config = {
            "run_id": run_id,
            "outlets": options.outlets,
            "settings": {k: v for k, v in values.items() if k not in ("NEWSAGG_DB", "LOG_LEVEL")},
            "sources": sources,
        }
        open_run_in_redis(server, config, known)
        settings = crawl.project_settings({**values, **role_settings("seed", url)})
        process = CrawlerProcess(settings)
        if options.log_level != "DEBUG":
            crawl._one_line_errors(options.outlets)
        loader = SpiderLoader.from_settings(settings)
        for slug in options.outlets:
            process.crawl(process.create_crawler(loader.load(slug)))
        process.start()
        server.set(SEEDED, 1)
        announce(f"run {run_id}: frontier seeded; waiting for the workers and the writer")
        while not server.exists(DONE):
            time.sleep(TICK)
    return run_id


def worker_values(config: dict, url: str, worker: str, settings) -> dict:
    """A worker's settings: the run's (as the seeder published them) and the worker role's.

    With a delay, the shared per-host slot (SharedHostBudget) is the only pacing: a request
    that took its slot must go out at once, not wait behind a local delay, AutoThrottle or a
    per-domain concurrency limit (two requests that waited there would leave together).
    """
    values = {**config["settings"], **role_settings("worker", url), "NEWSAGG_REDIS_WORKER": worker}
    delay = float(values.get("DOWNLOAD_DELAY", settings.getfloat("DOWNLOAD_DELAY")))
    if delay > 0:
        values.update(
            NEWSAGG_REDIS_HOST_DELAY=delay,
            DOWNLOAD_DELAY=0,
            AUTOTHROTTLE_ENABLED=False,
            CONCURRENT_REQUESTS_PER_DOMAIN=int(
                values.get("CONCURRENT_REQUESTS", settings.getint("CONCURRENT_REQUESTS"))
            ),
        )
    return values


def join_as_worker(crawler) -> None:
    """Make a crawler (``newsagg worker``'s, or a bare ``scrapy crawl`` under scrapyd given
    NEWSAGG_REDIS_URL) a worker of the open run: its settings, sources and outlet URLs from
    Redis. Called while extensions are built, before the engine reads any of them."""
    from crawler.scoring import Profile
    from pipelines.relevance import date_window

    quiet_scrapy_redis()
    settings = crawler.settings
    url = settings.get("NEWSAGG_REDIS_URL")
    server = connect(url)
    config = wait_for_run(server, logger.warning)
    worker = settings.get("NEWSAGG_REDIS_WORKER") or worker_id()
    settings.setdict(worker_values(config, url, worker, settings), priority="cmdline")
    profiles = [Profile.from_source(row) for row in config["sources"]]
    crawler.newsagg_profiles = profiles, date_window(profiles, settings)  # not from SQLite
    crawler.spider.configure()
    logger.info("worker %s joins run %s", worker, config["run_id"])


def run_worker(url: str, log_level: str, lease: float | None, announce) -> None:
    """``newsagg worker``: one crawler per outlet of the open run, each joining it
    (``join_as_worker``, through RunRecorder), until the run's frontier is empty."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiderloader import SpiderLoader

    from crawler import crawl

    quiet_scrapy_redis()
    server = connect(url)
    config = wait_for_run(server, announce)
    worker = worker_id()
    values = {"NEWSAGG_REDIS_URL": url, "NEWSAGG_REDIS_WORKER": worker, "LOG_LEVEL": log_level}
    if lease is not None:
        values["NEWSAGG_REDIS_LEASE"] = lease
    settings = crawl.project_settings(values)
    process = CrawlerProcess(settings)
    if log_level != "DEBUG":
        crawl._one_line_errors(config["outlets"])
    loader = SpiderLoader.from_settings(settings)
    for slug in config["outlets"]:
        process.crawl(process.create_crawler(loader.load(slug)))
    announce(f"worker {worker} on run {config['run_id']}")
    process.start()


def run_writer(url: str, db_path: str, announce):
    """``newsagg store``: write the open run's items into ``db_path`` and end the run."""
    from crawler import crawl
    from crawler.middlewares import unreachable_hosts

    server = connect(url)
    config = wait_for_run(server, announce)
    run_id = config["run_id"]
    with crawl.writer_lock(db_path):
        db = dbmod.connect(db_path)
        try:
            row = db.execute("select status from runs where id = ?", [run_id]).fetchone()
        finally:
            db.close()
        if row is None or row[0] != "running":
            raise FrontierError(
                f"run {run_id} is not running in {db_path}: give the seeder's database (--db)"
            )
        settings = crawl.project_settings({**config["settings"], "NEWSAGG_DB": db_path})
        writer = Writer(server, config, settings, settings.getint("NEWSAGG_BATCH_SIZE"))
        announce(f"writer for run {run_id} on {db_path}")
        try:
            writer.run()
        finally:
            writer.close()
        db = dbmod.connect(db_path)
        try:
            ended = crawl.close_run(db, run_id, settings, writer.per_outlet, "finished")
        finally:
            db.close()
        server.set(DONE, 1)
    unreachable: dict[str, str] = {}
    for stats in writer.per_outlet.values():
        unreachable.update(unreachable_hosts(stats))
    return crawl.CrawlResult(
        run_id=run_id,
        stats=writer.per_outlet,
        unreachable=unreachable,
        sources=ended.sources,
        copies=ended.copies,
        alarms=ended.alarms,
    )

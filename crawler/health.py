"""Field health per run and outlet, and drift alarms against the outlet's own recent history.

News sites change their markup, feeds and bot protection without notice; a scheduled crawl
then keeps running and quietly stores worse data. Each run measures, per outlet, what its
endpoints answered and what its fetched pages gave, writes one `health` row per measure and
compares it with the outlet's baseline: the same measure in its last NEWSAGG_HEALTH_RUNS runs.

During the crawl the counting is Scrapy's: the spider sets each endpoint's outcome in the stats
(``newsagg/<outlet>/endpoint/<url>``), and ``HealthMonitor`` (an extension on the
item_scraped / item_dropped signals) counts what each extracted page gave
(``newsagg/<outlet>/health/...``). ``assess`` turns a finished run's stats into rows and alarms.

What is measured where (so a second run of an unchanged site is no "drop"):
- page fields (title, byline, time with minutes, body, the outlet's body markup) on the pages
  fetched and read in *this* run, as the page gives them (before discovery's title or time
  fill a gap). A run that fetched fewer than NEWSAGG_HEALTH_MIN_ARTICLES articles (nothing new,
  a quiet day) is measured but neither compared nor part of later baselines;
- endpoints (robots.txt, feeds, sitemaps, listings) on every run: each is requested every
  run, and a 304 (conditional GET, nothing new) counts as healthy.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapy import signals

from crawler import db as dbmod
from crawler.items import ArticleItem
from crawler.outlets import OUTLETS
from crawler.timeutil import UTC, parse_datetime

# Shares of the pages read (not blocked) that have each field, as the page gives it.
SHARE_FIELDS = ("title", "byline", "time", "markup", "body")
LABELS = {
    "title": "title",
    "byline": "byline",
    "time": "time with minutes",
    "markup": "outlet body markup",
    "body": "body of usual length",
    "words": "median body words",
    "blocked": "blocked",
}
# A share alarms when it falls to at most half its baseline and by at least 30 points: bylines
# 90% -> 0% alarm, 90% -> 70% (a few agency items without one) does not, nor 20% -> 5%.
SHARE_DROP_RATIO = 0.5
SHARE_DROP_POINTS = 0.30
# A body counts as "of usual length" at half the outlet's usual median word count or more;
# the median collapsing to under half of it is an alarm of its own.
USUAL_BODY = 0.5
WORDS_COLLAPSE = 0.5
# The blocked share alarms when it rises by 30 points or more (a new bot wall on articles).
BLOCKED_JUMP = 0.30
# A healthy endpoint answers ok, or 304 (nothing new since the last run).
HEALTHY = ("ok", "not-modified")


@dataclass
class Limits:
    runs: int = 5  # NEWSAGG_HEALTH_RUNS: baseline size
    min_runs: int = 3  # NEWSAGG_HEALTH_MIN_RUNS: no comparison with fewer baseline runs
    min_articles: int = 10  # NEWSAGG_HEALTH_MIN_ARTICLES: fewer fetched = a quiet run

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            runs=settings.getint("NEWSAGG_HEALTH_RUNS"),
            min_runs=settings.getint("NEWSAGG_HEALTH_MIN_RUNS"),
            min_articles=settings.getint("NEWSAGG_HEALTH_MIN_ARTICLES"),
        )


@dataclass
class Reading:
    """One measure of one outlet in one run: a `health` row before comparison."""

    field: str
    value: float | None
    detail: dict = field(default_factory=dict)
    baseline: float | None = None
    alarm: str | None = None


# --- during the crawl ------------------------------------------------------------------------


def has_minutes(published: str | None, tz) -> bool:
    """Does this time say more than the day? Midnight in the outlet's zone is read as a bare
    date (the extractor turns "2025-04-22" into 00:00 of that day)."""
    if not published or len(published) <= 10:
        return False
    when = parse_datetime(published, tz)
    if when is None:
        return False
    local = when.astimezone(tz)
    return (local.hour, local.minute, local.second) != (0, 0, 0)


def page_health(fields: dict, outlet: str | None) -> dict:
    """What one extracted page gave by itself (``extract_article``'s fields, before discovery
    fills gaps): the inputs of the shares above."""
    spec = OUTLETS.get(outlet) if outlet else None
    return {
        "title": bool(fields.get("title")),
        "byline": bool(fields.get("authors")),
        "time": has_minutes(fields.get("published"), spec.timezone if spec else UTC),
        "markup": fields.get("outlet_body"),
        "words": int(fields.get("word_count") or 0),
    }


def stat(slug: str, name: str) -> str:
    return f"newsagg/{slug}/health/{name}"


def _addable(old, value) -> bool:
    numbers = (int, float)
    return (isinstance(old, numbers) and isinstance(value, numbers)) or (
        isinstance(old, list) and isinstance(value, list)
    )


def merge_stats(totals: dict, more: dict) -> None:
    """Add one process's crawl stats to ``totals`` (a Redis run's workers each send theirs):
    counts add up, lists (word counts) join, the shortest page is the shorter one, and a
    value such as an endpoint's status is the one process's that read it."""
    for key, value in more.items():
        old = totals.get(key)
        if key.endswith("/shortest"):
            if old is None or (value and value[0] < old[0]):
                totals[key] = value
        elif _addable(old, value):
            totals[key] = old + value
        elif old is None:
            totals[key] = value


class HealthMonitor:
    """Counts, per outlet, what each extracted page gave (``ArticleItem.health``), in the
    crawl's stats, whether the item is stored or dropped (a too-short body is dropped)."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler.stats)
        crawler.signals.connect(ext.item_done, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_done, signal=signals.item_dropped)
        return ext

    def item_done(self, item, **kwargs):
        if not isinstance(item, ArticleItem):
            return
        if item.access == "blocked":
            key = stat(item.outlet, "missing/blocked")
            if self.stats.get_value(key) is None:
                self.stats.set_value(key, item.canonical_url)
        elif item.health:
            self.count(item.outlet, item.canonical_url, item.health)

    def count(self, slug: str, url: str, health: dict) -> None:
        stats = self.stats
        stats.inc_value(stat(slug, "read"))
        for name in ("title", "byline", "time", "markup"):
            value = health.get(name)
            if value is None:
                continue
            stats.inc_value(stat(slug, f"{name}/of"))
            if value:
                stats.inc_value(stat(slug, name))
            elif stats.get_value(stat(slug, f"missing/{name}")) is None:
                stats.set_value(stat(slug, f"missing/{name}"), url)
        words = stats.get_value(stat(slug, "words"))
        if words is None:
            words = []
            stats.set_value(stat(slug, "words"), words)
        words.append(health.get("words", 0))
        shortest = stats.get_value(stat(slug, "shortest"))
        if shortest is None or health.get("words", 0) < shortest[0]:
            stats.set_value(stat(slug, "shortest"), [health.get("words", 0), url])


# --- at the end of a run ---------------------------------------------------------------------


def endpoint_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


FAILURE_KEYS = ("too_short", "too_complex", "timeout", "crashed", "error")


def measure(slug: str, stats: dict) -> tuple[dict[str, Reading], list[int]]:
    """This run's readings for one outlet, from its crawl stats (before any comparison), and
    the word counts of the pages it read."""
    out: dict[str, Reading] = {}
    read = stats.get(stat(slug, "read"), 0)
    blocked = stats.get(f"newsagg/{slug}/blocked", 0)
    articles = read + blocked
    out["articles"] = Reading("articles", articles, {"read": read, "blocked": blocked})
    out["candidates"] = Reading("candidates", stats.get("newsagg/candidates", 0))
    failures = {
        k: stats[f"newsagg/extract/{k}"] for k in FAILURE_KEYS if stats.get(f"newsagg/extract/{k}")
    }
    out["failures"] = Reading("failures", sum(failures.values()), failures)
    for name in ("title", "byline", "time", "markup"):
        of = stats.get(stat(slug, f"{name}/of"), 0)
        if of:
            detail = {"n": of}
            if missing := stats.get(stat(slug, f"missing/{name}")):
                detail["sample"] = missing
            out[name] = Reading(name, stats.get(stat(slug, name), 0) / of, detail)
    words = stats.get(stat(slug, "words")) or []
    if words:
        shortest = stats.get(stat(slug, "shortest")) or [None, None]
        out["words"] = Reading(
            "words", float(statistics.median(words)), {"n": len(words), "sample": shortest[1]}
        )
        out["body"] = Reading("body", None, {"n": len(words), "sample": shortest[1]})
    if articles:
        detail = {"n": articles}
        if sample := stats.get(stat(slug, "missing/blocked")):
            detail["sample"] = sample
        out["blocked"] = Reading("blocked", blocked / articles, detail)
    prefix = f"newsagg/{slug}/endpoint/"
    for key, status in stats.items():
        if key.startswith(prefix):
            url = key[len(prefix) :]
            entries = stats.get(f"newsagg/{slug}/endpoint_entries/{url}")
            value = entries if status == "ok" else None
            name = f"endpoint {url}"
            out[name] = Reading(name, value, {"status": status, "sample": url})
    return out, list(words)


def _median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return float(statistics.median(values)) if values else None


def _mean(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{round(100 * value)}%"


def compare(
    slug: str,
    current: dict[str, Reading],
    words_all: list[int],
    history: list[dict[str, dict]],
    limits: Limits,
) -> list[Reading]:
    """Set each reading's baseline and alarm from the outlet's history (its earlier runs'
    `health` rows, newest first: {field: {value, detail, alarm}}). Returns the readings to
    store (the alarms among them)."""
    articles = current["articles"].value or 0
    # Runs that fetched enough to say something about page fields (quiet runs do not).
    full = [h for h in history if (h.get("articles") or {}).get("value", 0) >= limits.min_articles]
    enough = articles >= limits.min_articles

    def baseline_of(name: str, runs: list[dict[str, dict]]) -> list[float]:
        # A reading that alarmed is not the outlet's normal: the alarm stays until fixed.
        rows = [h[name] for h in runs if name in h and not h[name].get("alarm")]
        return [r["value"] for r in rows[: limits.runs]]

    usual_words = _median(baseline_of("words", full))
    if "body" in current:
        usual = usual_words if usual_words is not None else _median(words_all)
        bar = USUAL_BODY * (usual or 0)
        current["body"].value = sum(w >= bar for w in words_all) / len(words_all)
        current["body"].detail["usual_words"] = usual
    for name, reading in current.items():
        if name.startswith("endpoint "):
            _compare_endpoint(reading, history, limits)
            continue
        if name in ("articles", "candidates"):
            reading.baseline = _median(baseline_of(name, full))
            continue
        if name not in (*SHARE_FIELDS, "words", "blocked"):
            continue
        values = baseline_of(name, full)
        reading.baseline = _median(values) if name == "words" else _mean(values)
        if not enough or len(values) < limits.min_runs or reading.baseline is None:
            continue  # the first runs, a tiny sample, a quiet day: nothing to compare
        reading.alarm = _field_alarm(slug, reading)
    _all_endpoints(slug, current)
    return list(current.values())


def _field_alarm(slug: str, r: Reading) -> str | None:
    before, after, sample = r.baseline, r.value, r.detail.get("sample")
    tail = f" ({r.detail.get('n')} articles; e.g. {sample})" if sample else ""
    if r.field in SHARE_FIELDS:
        if after <= before * SHARE_DROP_RATIO and before - after >= SHARE_DROP_POINTS:
            return f"{slug}: {LABELS[r.field]} {pct(before)} → {pct(after)}{tail}"
    elif r.field == "words":
        if before > 0 and after < before * WORDS_COLLAPSE:
            return f"{slug}: {LABELS[r.field]} {before:.0f} → {after:.0f}{tail}"
    elif r.field == "blocked" and after - before >= BLOCKED_JUMP:
        return f"{slug}: {LABELS[r.field]} {pct(before)} → {pct(after)}{tail}"
    return None


def _compare_endpoint(reading: Reading, history: list[dict[str, dict]], limits: Limits) -> None:
    rows = [h[reading.field] for h in history if reading.field in h][: limits.runs]
    healthy = [r for r in rows if (r.get("detail") or {}).get("status") in HEALTHY]
    entries = [r["value"] for r in healthy if r.get("value") is not None]
    reading.baseline = _median(entries)
    reading.detail["was_healthy"] = len(rows) >= limits.min_runs and len(healthy) * 2 > len(rows)
    if not reading.detail["was_healthy"]:
        return  # new, or failing most of the time already: no news
    status = reading.detail["status"]
    path = endpoint_path(reading.field.removeprefix("endpoint "))
    before = f"ok ({reading.baseline:.0f} entries)" if reading.baseline is not None else "ok"
    if status not in HEALTHY:
        reading.alarm = f"endpoint {path} {before} → {status}"
    elif reading.value == 0 and (reading.baseline or 0) > 0:
        reading.alarm = f"endpoint {path} {before} → no entries"


def _all_endpoints(slug: str, current: dict[str, Reading]) -> None:
    """Every endpoint that used to work fails now: one alarm for the outlet (a bot wall, a
    moved site), not one per endpoint. Otherwise each failing endpoint keeps its own."""
    was = [r for n, r in current.items() if n.startswith("endpoint ") and r.detail["was_healthy"]]
    failing = [r for r in was if r.detail["status"] not in HEALTHY]
    for r in current.values():
        if r.alarm and r.field.startswith("endpoint "):
            r.alarm = f"{slug}: {r.alarm} (e.g. {r.detail['sample']})"
    if len(was) < 2 or len(failing) < len(was):
        return
    statuses = sorted({r.detail["status"] for r in failing})
    for r in failing:
        r.alarm = None
    current["endpoints"] = Reading(
        "endpoints",
        0.0,
        {"failing": len(failing), "statuses": statuses, "sample": failing[0].detail["sample"]},
        baseline=float(len(was)),
        alarm=f"{slug}: endpoints {len(was)} of {len(was)} ok → all failing "
        f"({', '.join(statuses)}; e.g. {failing[0].detail['sample']})",
    )


def history_of(db, slug: str, run_id: int, limit: int = 50) -> list[dict[str, dict]]:
    """The outlet's `health` rows in its earlier completed runs, newest run first."""
    rows = db.query(
        "select h.run_id, h.field, h.value, h.detail, h.alarm from health h "
        "join runs r on r.id = h.run_id where h.outlet = ? and h.run_id < ? "
        "and r.status in ('finished', 'degraded') order by h.run_id desc",
        [slug, run_id],
    )
    runs: dict[int, dict[str, dict]] = {}
    for row in rows:
        if row["run_id"] not in runs and len(runs) >= limit:
            break
        detail = json.loads(row["detail"]) if row["detail"] else {}
        runs.setdefault(row["run_id"], {})[row["field"]] = {**row, "detail": detail}
    return list(runs.values())


def assess(db, run_id: int, per_outlet: dict[str, dict], limits: Limits) -> list[str]:
    """Measure and compare every outlet of a finished run, write its `health` rows; returns
    the alarms (one line each)."""
    alarms: list[str] = []
    rows = []
    for slug, stats in sorted(per_outlet.items()):
        if slug not in OUTLETS:
            continue
        current, words = measure(slug, stats)
        readings = compare(slug, current, words, history_of(db, slug, run_id), limits)
        for r in readings:
            rows.append(
                {
                    "run_id": run_id,
                    "outlet": slug,
                    "field": r.field,
                    "value": r.value,
                    "baseline": r.baseline,
                    "alarm": r.alarm,
                    "detail": dbmod.dumps(r.detail),
                }
            )
            if r.alarm:
                alarms.append(r.alarm)
    with dbmod.immediate(db):
        db.table("health").insert_all(rows, pk=("run_id", "outlet", "field"), replace=True)
    return alarms


# --- reading it back ---------------------------------------------------------------------------

COLUMNS = ("articles", "title", "byline", "time", "markup", "body", "words", "blocked")


def recent(db, outlet: str | None, runs: int) -> dict[str, list[dict]]:
    """Per outlet, its last ``runs`` runs with health rows, newest first: ``run_id``,
    ``finished_at``, ``status`` and ``fields`` ({field: {value, baseline, alarm, detail}})."""
    if not db.table("health").exists():
        return {}
    where, params = ("where h.outlet = ?", [outlet]) if outlet else ("", [])
    rows = db.query(
        "select h.*, r.finished_at, r.status from health h join runs r on r.id = h.run_id "
        f"{where} order by h.outlet, h.run_id desc",
        params,
    )
    out: dict[str, list[dict]] = {}
    for row in rows:
        listed = out.setdefault(row["outlet"], [])
        if not listed or listed[-1]["run_id"] != row["run_id"]:
            if len(listed) >= runs:
                continue
            listed.append(
                {
                    "run_id": row["run_id"],
                    "finished_at": row["finished_at"],
                    "status": row["status"],
                    "fields": {},
                }
            )
        listed[-1]["fields"][row["field"]] = {
            "value": row["value"],
            "baseline": row["baseline"],
            "alarm": row["alarm"],
            "detail": json.loads(row["detail"]) if row["detail"] else {},
        }
    return out


def cells(run: dict) -> list[str]:
    """One run's row in `newsagg health`: its measures as shown."""
    fields = run["fields"]
    out = []
    for name in COLUMNS:
        value = (fields.get(name) or {}).get("value")
        if value is None:
            out.append("-")
        elif name in ("articles", "words"):
            out.append(f"{value:.0f}")
        else:
            out.append(pct(value))
    endpoints = [f for n, f in fields.items() if n.startswith("endpoint ")]
    healthy = sum((f["detail"] or {}).get("status") in HEALTHY for f in endpoints)
    out.append(f"{healthy}/{len(endpoints)}" if endpoints else "-")
    return out

"""The ``newsagg`` command: a thin click layer over the crawler, the store and the replica."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import click

from crawler import db as dbmod
from crawler.outlets import OUTLETS
from crawler.replica import snapshots as replica_snapshots
from crawler.replica import unknown_snapshot
from crawler.resources import DEFAULT_DB_RULE, default_db
from crawler.source import SourceError, default_source_ids, load_source
from crawler.timeutil import parse_datetime, parse_day

EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_LOCKED = 4


class UserError(click.ClickException):
    """One line on stderr and exit status 2: bad input, missing file, unknown outlet."""

    exit_code = EXIT_USAGE


def db_option(f):
    return click.option(
        "--db",
        "db_path",
        default=lambda: os.environ.get("NEWSAGG_DB") or default_db(),
        # The default in effect here and now (it depends on the current directory).
        show_default=default_db(),
        type=click.Path(dir_okay=False),
        help=f"SQLite file (env NEWSAGG_DB). Default: {DEFAULT_DB_RULE}.",
    )(f)


def open_db(path: str, create: bool = False):
    try:
        return dbmod.connect(path, create=create)
    except dbmod.DatabaseError as exc:
        raise UserError(str(exc)) from None


def check_day(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_day(value).isoformat()
    except ValueError as exc:
        raise UserError(str(exc)) from None


def check_window(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """--since and --until as ISO days; a window that ends before it starts is a usage error
    (it would crawl nothing and exit 0)."""
    since, until = check_day(since), check_day(until)
    if since and until and since > until:
        raise UserError(f"--since {since} is later than --until {until}: the window is empty")
    return since, until


def check_snapshot(day: str | None) -> str | None:
    if day is not None and (problem := unknown_snapshot(day)):
        raise UserError(problem)
    return day


def check_outlets(names: tuple[str, ...]) -> list[str]:
    unknown = [n for n in names if n not in OUTLETS]
    if unknown:
        raise UserError(f"unknown outlet {unknown[0]!r} (known: {', '.join(sorted(OUTLETS))})")
    return list(names) or sorted(OUTLETS)


def parse_outlet_urls(pairs: tuple[str, ...]) -> dict[str, str]:
    """NEWSAGG_OUTLET_URLS (a JSON object) overlaid with --outlet-url NAME=URL pairs."""
    urls: dict[str, str] = {}
    env = os.environ.get("NEWSAGG_OUTLET_URLS", "").strip()
    if env:
        try:
            urls.update(json.loads(env))
        except ValueError:
            raise UserError("NEWSAGG_OUTLET_URLS is not a JSON object") from None
    for pair in pairs:
        name, sep, url = pair.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise UserError(f"--outlet-url wants NAME=http(s)://HOST[:PORT], got {pair!r}")
        urls[name] = url
    check_outlets(tuple(urls))
    return {k: v.rstrip("/") for k, v in urls.items()}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsagg")
def cli():
    """Follow a news story: from one source piece to a database of the coverage behind it.

    Typical use: `newsagg crawl --replica` (offline demo), then `newsagg related`,
    `newsagg search tariff` and `newsagg export -o coverage.jsonl`.
    """


# --- crawl -----------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="FILE|URL",
    help="Source piece to follow (repeatable). Default: tracked sources, else the bundled one.",
)
@click.option(
    "--outlet",
    "outlets",
    multiple=True,
    metavar="NAME",
    help="Crawl only this outlet (repeatable). See `newsagg outlets`.",
)
@db_option
@click.option(
    "--replica", is_flag=True, help="Serve the bundled offline replica on 127.0.0.1 and crawl it."
)
@click.option(
    "--replica-at",
    metavar="DAY",
    help="Replica snapshot to crawl (implies --replica): "
    + ", ".join(replica_snapshots())
    + ". Default: the first one at least two days after the newest source piece.",
)
@click.option(
    "--outlet-url",
    "outlet_urls",
    multiple=True,
    metavar="NAME=BASE_URL",
    help="Read an outlet from another base URL (mirror, test server). Repeatable.",
)
@click.option("--since", metavar="DATE", help="Earliest publication day to fetch (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Latest publication day to fetch (YYYY-MM-DD).")
@click.option("--refresh", is_flag=True, help="Fetch articles again even if already stored.")
@click.option(
    "--published",
    metavar="DATE",
    help="Publication day of the --source piece(s), if they lack one.",
)
@click.option(
    "-s",
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy or NEWSAGG_* setting (repeatable).",
)
@click.option(
    "--redis",
    "redis_url",
    envvar="NEWSAGG_REDIS_URL",
    metavar="URL",
    help="Seed a shared Redis frontier (redis://HOST:PORT/DB) for `newsagg worker` processes "
    "and wait until `newsagg store` has ended the run; fetch nothing here (env NEWSAGG_REDIS_URL).",
)
@click.option("-v", "--verbose", count=True, help="Show Scrapy's log (-v info, -vv debug).")
def crawl(
    sources,
    outlets,
    db_path,
    replica,
    replica_at,
    outlet_urls,
    since,
    until,
    refresh,
    published,
    overrides,
    redis_url,
    verbose,
):
    """Discover, fetch, score and store the coverage of the source piece(s).

    With --redis, only discover: the frontier is in Redis, `newsagg worker` processes fetch,
    extract and score, and `newsagg store` writes the database and ends the run.
    """
    from crawler.crawl import CrawlLocked, CrawlOptions, run_crawl

    since, until = check_window(since, until)
    options = CrawlOptions(
        db_path=db_path,
        outlets=check_outlets(outlets),
        outlet_urls=parse_outlet_urls(outlet_urls),
        replica=replica or bool(replica_at),
        replica_at=check_snapshot(replica_at),
        since=since,
        until=until,
        refresh=refresh,
        overrides=dict(_pair(o) for o in overrides),
        log_level={0: "WARNING", 1: "INFO"}.get(verbose, "DEBUG"),
    )
    db = open_db(db_path, create=True)
    try:
        source_ids = resolve_sources(db, sources, check_day(published))
    finally:
        db.close()
    if redis_url:
        from crawler.frontier import FrontierError, run_seeder

        try:
            run_id = run_seeder(options, source_ids, redis_url, _announce)
        except CrawlLocked as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_LOCKED)
        except FrontierError as exc:
            raise UserError(str(exc)) from None
        click.echo(f"run {run_id}: done (see `newsagg related`)")
        return
    try:
        result = run_crawl(options, source_ids)
    except CrawlLocked as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    if options.replica:
        click.echo(f"replica snapshot {options.replica_at} (see --replica-at)")
    report(result)


def _announce(message: str) -> None:
    click.echo(f"[newsagg] {message}", err=True)


def report(result) -> None:
    """A crawl's summary; exit 3 when an outlet could not be reached at all."""
    for line in result.summary_lines():
        click.echo(line)
    for alarm in result.alarms:
        click.echo(f"warning: {alarm}", err=True)
    if result.alarms:
        click.echo(
            f"warning: run {result.run_id} is degraded: an outlet changed "
            "(`newsagg health`, `newsagg doctor`)",
            err=True,
        )
    if result.unreachable:
        hosts = ", ".join(f"{h} ({e})" for h, e in sorted(result.unreachable.items()))
        skipped = (
            f"; {result.not_attempted} requests to them not attempted (in `discoveries`)"
            if result.not_attempted
            else ""
        )
        click.echo(
            f"error: could not reach {hosts}{skipped}. No network? Try `newsagg crawl "
            "--replica` for the offline replica.",
            err=True,
        )
        sys.exit(EXIT_UNREACHABLE)


redis_option = click.option(
    "--redis",
    "redis_url",
    envvar="NEWSAGG_REDIS_URL",
    required=True,
    metavar="URL",
    help="The run's Redis (redis://HOST:PORT/DB; env NEWSAGG_REDIS_URL).",
)


@cli.command()
@redis_option
@click.option(
    "--lease",
    type=click.FloatRange(min=1),
    help="Seconds a taken request stays leased unrenewed before others may take it "
    "(NEWSAGG_REDIS_LEASE, default 30).",
)
@click.option("-v", "--verbose", count=True, help="Show Scrapy's log (-v info, -vv debug).")
def worker(redis_url, lease, verbose):
    """Fetch, extract and score requests of the Redis frontier that `newsagg crawl --redis`
    seeded; items go to `newsagg store`. Learns the run (sources, outlets, settings) from
    Redis; waits for one if none is open; exits when the run's frontier is empty."""
    from crawler.frontier import FrontierError, run_worker

    try:
        run_worker(redis_url, {0: "WARNING", 1: "INFO"}.get(verbose, "DEBUG"), lease, _announce)
    except FrontierError as exc:
        raise UserError(str(exc)) from None


@cli.command()
@redis_option
@db_option
def store(redis_url, db_path):
    """The one writer of a Redis run: store the workers' items in the database (dedupe, the
    store's batches, acknowledged after each commit), then end the run once: copies, story
    feedback, claims and the run row. Give it the seeder's --db."""
    from crawler.crawl import CrawlLocked
    from crawler.frontier import FrontierError, run_writer

    try:
        result = run_writer(redis_url, db_path, _announce)
    except CrawlLocked as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    except FrontierError as exc:
        raise UserError(str(exc)) from None
    report(result)


def parse_interval(text: str) -> float:
    """ "90s", "30m", "2h", "1d" -> seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text or "")
    if not match or float(match.group(1)) <= 0:
        raise UserError(f"--every wants a duration such as 30m, 2h or 90s, got {text!r}")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option(
    "--every", required=True, metavar="DURATION", help="Time between crawl starts: 30m, 2h, 90s."
)
@click.option(
    "--times",
    type=click.IntRange(1),
    help="Stop after this many crawls (default: run until stopped).",
)
@click.argument("crawl_args", nargs=-1, type=click.UNPROCESSED)
def schedule(every, times, crawl_args):
    """Run `newsagg crawl [CRAWL_ARGS]` every DURATION in the foreground until Ctrl-C or SIGTERM.

    Each crawl runs in its own process; a crawl still running when the next is due is waited
    for. Ctrl-C or SIGTERM stops the current crawl cleanly and exits 0.
    """
    interval = parse_interval(every)
    stop = threading.Event()
    child: list[subprocess.Popen] = []

    def on_signal(signum, frame):
        stop.set()
        for proc in child:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runs = 0
    while not stop.is_set():
        started = time.monotonic()
        click.echo(f"[schedule] crawl {runs + 1} starting", err=True)
        proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", *crawl_args])
        child[:] = [proc]
        status = proc.wait()
        runs += 1
        click.echo(f"[schedule] crawl {runs} ended with status {status}", err=True)
        if times and runs >= times:
            break
        wait = max(0.0, interval - (time.monotonic() - started))
        click.echo(f"[schedule] next crawl in {wait:.0f} s", err=True)
        stop.wait(wait)
    click.echo("[schedule] stopped", err=True)


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise UserError(f"--set wants NAME=VALUE, got {text!r}")
    return name, value


def resolve_sources(db, specs: tuple[str, ...], published: str | None) -> list[int]:
    """--source pieces (added if new), else the tracked sources, else the bundled piece."""
    if not specs:
        return default_source_ids(db)
    ids = []
    for spec in specs:
        try:
            piece = load_source(spec, published=published)
        except SourceError as exc:
            raise UserError(str(exc)) from None
        ids.append(dbmod.add_source(db, piece))
    return ids


# --- sources ---------------------------------------------------------------------------------


@cli.group()
def sources():
    """Add and list the source pieces newsagg follows."""


@sources.command("add")
@click.argument("spec", metavar="FILE|URL")
@click.option("--title", help="Title, if the file has none or a wrong one.")
@click.option("--published", metavar="DATE", help="Publication day (YYYY-MM-DD).")
@db_option
def sources_add(spec, title, published, db_path):
    """Add a source piece (.txt, .md, .html file, or a URL fetched once) and track it."""
    db = open_db(db_path, create=True)
    try:
        piece = load_source(spec, title=title, published=check_day(published))
    except SourceError as exc:
        raise UserError(str(exc)) from None
    source_id = dbmod.add_source(db, piece)
    analysis = piece.analysis
    click.echo(f"source {source_id}: {piece.title} ({piece.published or 'no date'})")
    click.echo(f"  terms:    {', '.join(t for t, _ in analysis['terms'][:12])}")
    click.echo(f"  entities: {', '.join(e['name'] for e in analysis['entities'][:12])}")
    cited = sorted({o["name"] for o in analysis["outlets"]})
    click.echo(f"  cites:    {', '.join(cited) or '-'}")


@sources.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
def sources_list(db_path, as_json):
    """List the stored source pieces."""
    db = open_db(db_path)
    rows = list(
        db.query(
            "select s.id, s.published, s.published_inferred, s.date_evidence, s.title, "
            "s.origin, s.tracked, "
            "(select count(*) from coverage c where c.source_id = s.id) as linked, "
            "(select count(*) from coverage c where c.source_id = s.id "
            "and c.tier = 'background') as background "
            "from sources s order by s.id"
        )
    )
    if as_json:
        for row in rows:
            click.echo(json.dumps(dbmod.decode_row(row), ensure_ascii=False))
        return
    print_table(
        ["id", "published", "linked", "background", "title", "origin"],
        [
            [
                r["id"],
                dbmod.published_label(r),
                r["linked"],
                r["background"],
                r["title"],
                r["origin"],
            ]
            for r in rows
        ],
    )
    for r in rows:
        if r["published_inferred"] and r["date_evidence"]:
            click.echo(f"source {r['id']}: {date_evidence_line(json.loads(r['date_evidence']))}")


def date_evidence_line(evidence: dict) -> str:
    """Why an inferred date is what it is, in one line."""
    text = "; ".join(evidence.get("text") or []) or "no day in its text bounds it"
    return (
        f"date inferred with confidence {evidence.get('confidence')}: its best-matching "
        f"coverage is from {', '.join(sorted(set(evidence.get('coverage_days') or [])))} "
        f"(median {evidence.get('coverage_median')}); {text}"
    )


# --- queries ---------------------------------------------------------------------------------


@cli.command()
@click.argument("source_id", required=False, type=int)
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per linked article.")
@click.option("--explain", metavar="URL", help="The whole score breakdown of one candidate URL.")
def related(source_id, db_path, as_json, explain):
    """The coverage linked to a source (all sources if none is given), best first."""
    db = open_db(db_path)
    if explain:
        return explain_url(db, explain, source_id, as_json)
    rows = dbmod.group_copies(dbmod.related(db, source_id))
    if as_json:
        for row in rows:
            click.echo(json.dumps(_without_bulk(row), ensure_ascii=False))
        return
    if not rows:
        click.echo("no linked coverage yet; run `newsagg crawl` first", err=True)
        return
    sources = {s["id"]: s for s in dbmod.get_sources(db, sorted({r["source_id"] for r in rows}))}
    for (source, kind), group in itertools.groupby(rows, key=lambda r: (r["source_id"], r["tier"])):
        heading = "the event" if kind == "event" else "background (the subject at other times)"
        published = dbmod.published_label(sources.get(source, {}))
        click.echo(f"source {source}, published {published}: {heading}")
        table = []
        for r in group:
            table.append(_related_cells(r, r["source_id"], r["outlet"]))
            for copy in r["copies"]:
                table.append(_related_cells(copy, "", f"  ↳ {copy['outlet']} ({copy['relation']})"))
        print_table(["src", "outlet", "published", "score", "access", "title", "url"], table)
        click.echo()


def _related_cells(row: dict, source, outlet: str) -> list:
    return [
        source,
        outlet,
        (row["published"] or "")[:16].replace("T", " "),
        f"{row['score']:.2f}",
        row["access"],
        row["title"],
        row["canonical_url"],
    ]


def _without_bulk(row: dict) -> dict:
    """A row for --json: no text or binary fingerprint, copies likewise."""
    out = {k: v for k, v in row.items() if k not in {"text", "minhash"}}
    if "copies" in out:
        out["copies"] = [_without_bulk(c) for c in out["copies"]]
    return out


def explain_url(db, url: str, source_id: int | None, as_json: bool) -> None:
    from crawler.urls import canonical_url

    try:
        canonical = canonical_url(url)
    except ValueError:  # a malformed link is on record as it was written
        canonical = url.strip()
    # A link dropped before fetching (another host, a bad URL) is on record as written.
    clauses = "d.url in (?, ?)" + (" and d.source_id = ?" if source_id else "")
    params = [canonical, url.strip(), *([source_id] if source_id else [])]
    rows = [
        dbmod.decode_row(r)
        for r in db.query(
            f"select d.*, c.matched from discoveries d left join coverage c on c.source_id = d.source_id "
            f"and c.article_id = (select id from articles where canonical_url = d.url) where {clauses}",
            params,
        )
    ]
    if not rows:
        raise UserError(f"no record of {canonical}")
    article = next(db.query("select id from articles where canonical_url = ?", [canonical]), None)
    for row in rows:
        row["claims"] = [
            c
            for c in (dbmod.claims(db, row["source_id"], article["id"]) if article else [])
            if c["status"] != "not-found"
        ]
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
            continue
        click.echo(f"{row['url']}  (source {row['source_id']}, via {row['via']})")
        click.echo(f"  decision: {row['decision']} ({row['reason']}), score {row['score']}")
        matched = row.get("matched")
        if matched and matched.get("tier"):
            click.echo(f"  tier: {matched['tier']} ({matched.get('tier_reason')})")
        if not matched:
            matched = rescored(db, row)
            if matched:
                click.echo(f"  (not linked; scored again now: {matched['score']})")
        for key in EXPLAINED:
            if matched.get(key) not in (None, [], {}):
                click.echo(f"  {key}: {matched[key]}")
        if matched.get("neighbours"):
            click.echo("  neighbours (read articles with the most alike headlines):")
        for near in matched.get("neighbours") or []:
            click.echo(
                f"    {near['similarity']:.2f} alike, score {near['score']}: {near['title']}"
            )
        supported = row.get("claims") or []
        if supported:
            click.echo("  claims of the source this article is the evidence for:")
        for claim in supported:
            click.echo(f"    #{claim['position']} {claim['status']} ({claim['score']:.2f}): "
                       f"{claim['claim']}")  # fmt: skip
            click.echo(f"      passage: {claim['passage']}")


EXPLAINED = (
    "components",
    "entities",
    "terms",
    "foreign_names",
    "date_distance_days",
    "prefilter",
    "own_score",
)


def rescored(db, row: dict) -> dict:
    """The breakdown of a stored article that was not linked (coverage keeps linked ones):
    scored again now, with the source's current story feedback."""
    from crawler.scoring import Profile, full_score, scoring_text

    article = next(db.query("select * from articles where canonical_url = ?", [row["url"]]), None)
    sources = dbmod.get_sources(db, [row["source_id"]]) if row.get("source_id") else []
    if article is None or not sources:
        return {}
    body = scoring_text(article["description"], article["keywords"], article["text"])
    return full_score(Profile.from_source(sources[0]), article["title"], body, article["published"])


@cli.command()
@click.argument("source_id", required=False, type=int)
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per claim.")
def claims(source_id, db_path, as_json):
    """What the source credits to an outlet, and the passage behind each claim.

    Each claim has a status: supported, headline-only (only a 401 headline or a paywall preview
    matches), contradicted (other numbers or dates) or not-found. Checked at the end of each
    crawl.
    """
    db = open_db(db_path)
    if source_id and not dbmod.get_sources(db, [source_id]):
        raise UserError(f"no source {source_id} (see `newsagg sources list`)")
    rows = dbmod.claims(db, source_id)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo("no attributed claims yet; run `newsagg crawl` first", err=True)
        return
    for row in rows:
        click.echo(claim_line(row))
        if row["passage"]:
            click.echo(f"    {row['url']}")
            click.echo(f"    passage: {row['passage']}")


def claim_line(row: dict) -> str:
    outlet = row["outlet"] or f"{row['cited_as']} (not an outlet newsagg crawls)"
    return (
        f"source {row['source_id']} #{row['position']} {row['status']} "
        f"({row['score']:.2f}) {outlet}: {row['claim']}"
    )


@cli.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit.")
def search(query, limit, db_path, as_json):
    """Full-text search over stored articles (SQLite FTS5 syntax: tariff, "july package", a OR b)."""
    db = open_db(db_path)
    try:
        rows = dbmod.search(db, query, limit=limit)
    except sqlite3.OperationalError as exc:
        raise UserError(f"bad search query {query!r}: {exc}") from None
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    print_table(
        ["outlet", "published", "title", "url"],
        [[r["outlet"], (r["published"] or "")[:10], r["title"], r["canonical_url"]] for r in rows],
    )


@cli.command()
@click.option("--source", "source_id", type=int, help="Only coverage of this source id.")
@click.option("--outlet", help="Only this outlet.")
@click.option("--since", metavar="DATE", help="Only articles published on or after this day.")
@click.option(
    "--include-duplicates", is_flag=True, help="Also export copies linked to a representative."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="File to write (default: stdout).",
)
@click.option(
    "--atom",
    is_flag=True,
    help="Write the Atom feed of the coverage instead (newest first, copies folded), as "
    "`newsagg serve` serves it at /news/coverage.atom.",
)
@db_option
def export(source_id, outlet, since, include_duplicates, output, db_path, atom):
    """Covered articles as JSON lines, one article per line with its coverage scores (streams)."""
    if outlet:
        check_outlets((outlet,))
    since = check_day(since)
    if atom:
        return export_atom(db_path, source_id, outlet, since, include_duplicates, output)
    db = open_db(db_path)
    rows = dbmod.export_rows(db, source_id, outlet, since, include_duplicates)
    count = 0
    with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    click.echo(f"exported {count} articles to {'stdout' if output == '-' else output}", err=True)


def export_atom(db_path, source_id, outlet, since, include_duplicates, output) -> None:
    from crawler import serve as servemod

    if include_duplicates:
        raise UserError("--atom has one entry per representative: drop --include-duplicates")
    try:
        servemod.check_database(db_path)
        title = servemod.feed_title(db_path, source_id)
    except servemod.ServeError as exc:
        raise UserError(str(exc)) from None
    rows = servemod.feed_rows(db_path, source_id, outlet, since)
    feed_id = f"urn:newsagg:coverage:{source_id or 'all'}"
    with click.open_file(output, "wb", atomic=output != "-") as out:
        out.write(servemod.atom_feed(rows, title, feed_id))
    click.echo(f"exported {len(rows)} entries to {'stdout' if output == '-' else output}", err=True)


# --- serve -----------------------------------------------------------------------------------


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: a free one, printed).",
)
@click.option(
    "--public",
    is_flag=True,
    help="No arbitrary SQL from the page: only the tables, search, facets, the canned "
    "queries and the story page.",
)
def serve(db_path, host, port, public):
    """Explore the database in Datasette (read-only): the coverage, the story page, its Atom feed.

    Runs until Ctrl-C. Safe while a crawl writes to the same file.
    """
    from crawler import serve as servemod

    try:
        servemod.serve(db_path, host=host, port=port, public=public, announce=click.echo)
    except servemod.ServeError as exc:
        raise UserError(str(exc)) from None


@cli.command()
@click.option("--outlet", metavar="NAME", help="Only this outlet.")
@click.option(
    "--runs", default=10, show_default=True, type=click.IntRange(1), help="Runs per outlet."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per outlet and run.")
@db_option
def health(outlet, runs, as_json, db_path):
    """Recent runs per outlet: articles fetched, the share of them with a title, byline, time
    with minutes, the outlet's body markup, a body of usual length; median words; blocked
    share; healthy endpoints; and each drift alarm raised (the run is then `degraded`)."""
    from crawler import health as healthmod

    if outlet:
        check_outlets((outlet,))
    db = open_db(db_path)
    found = healthmod.recent(db, outlet, runs)
    if as_json:
        for slug, listed in found.items():
            for run in listed:
                click.echo(json.dumps({"outlet": slug, **run}, ensure_ascii=False))
        return
    if not found:
        click.echo("no run has recorded health yet; run `newsagg crawl` first", err=True)
        return
    headers = ["run", "finished", "status", *healthmod.COLUMNS, "endpoints"]
    for slug, listed in found.items():
        click.echo(f"{slug} ({OUTLETS[slug].name if slug in OUTLETS else slug})")
        rows = []
        for run in listed:
            rows.append([run["run_id"], (run["finished_at"] or "")[:16], run["status"]])
            rows[-1].extend(healthmod.cells(run))
        print_table(headers, rows)
        for run in listed:
            for field in run["fields"].values():
                if field["alarm"]:
                    click.echo(f"  run {run['run_id']} alarm: {field['alarm']}")
        click.echo()


@cli.command()
@click.option(
    "--outlet", "outlets", multiple=True, metavar="NAME", help="Only this outlet (repeatable)."
)
@click.option("--replica", is_flag=True, help="Check the bundled replica (served on 127.0.0.1).")
@click.option(
    "--outlet-url",
    "outlet_urls",
    multiple=True,
    metavar="NAME=BASE_URL",
    help="Check this outlet at another base URL (a mirror, a test server). Repeatable.",
)
@click.option(
    "--live", is_flag=True, help="Check the real sites (network; polite: robots.txt, 1 s apart)."
)
def doctor(outlets, replica, outlet_urls, live):
    """Check now that each outlet is the site its module expects: robots.txt, each feed,
    sitemap and listing (reachable, parses, has entries, newest entry), and its newest
    article read as the crawl reads it (title, byline, time with minutes, body from the
    outlet's markup, access). One line per check, a verdict per outlet; exit 1 when an
    outlet is broken."""
    from datetime import datetime

    from crawler.doctor import Doctor
    from crawler.replica import Replica
    from crawler.replica.sites import SNAPSHOT
    from crawler.settings import DOWNLOAD_DELAY
    from crawler.timeutil import UTC

    urls = parse_outlet_urls(outlet_urls) if outlet_urls else {}
    if sum(map(bool, (replica, urls, live))) != 1:
        raise UserError("say which sites to check: --replica, --outlet-url NAME=URL or --live")
    chosen = check_outlets(outlets)
    if urls:
        missing = [o for o in outlets if o not in urls]
        if missing:
            raise UserError(f"no --outlet-url for {missing[0]!r}")
        chosen = [o for o in chosen if o in urls]
    reports = []
    with contextlib.ExitStack() as stack:
        if replica:
            served = stack.enter_context(Replica(chosen))
            urls, now, delay = served.base_urls, parse_datetime(SNAPSHOT), 0.0
        elif live:
            urls = {o: OUTLETS[o].base_url for o in chosen}
            now, delay = datetime.now(UTC), DOWNLOAD_DELAY
        else:
            now, delay = None, 0.0
        for slug in chosen:
            report = Doctor(OUTLETS[slug], urls[slug], now, delay).run()
            for line in report.lines():
                click.echo(line)
            click.echo()
            reports.append(report)
    broken = [r.outlet.slug for r in reports if r.verdict == "broken"]
    fine = len(reports) - len(broken)
    tail = f", {len(broken)} broken ({', '.join(broken)})" if broken else ""
    click.echo(f"doctor: {fine} of {len(reports)} outlets working{tail}")
    if broken:
        sys.exit(1)


@cli.command("outlets")
def outlets_cmd():
    """The outlets newsagg knows: endpoints and discovery methods."""
    for outlet in OUTLETS.values():
        click.echo(f"{outlet.slug}: {outlet.name}  {outlet.base_url}")
        click.echo(f"  discovery: {', '.join(outlet.discovery_methods())}")
        endpoints = (
            ("feeds", outlet.feeds),
            ("news sitemaps", outlet.news_sitemaps),
            (
                "daily news sitemaps",
                (outlet.dated_news_sitemap,) if outlet.dated_news_sitemap else (),
            ),
            ("sitemaps", outlet.sitemaps),
            ("listings", outlet.listings),
            ("search", (outlet.search,) if outlet.search else ()),
        )
        for label, paths in endpoints:
            if paths:
                click.echo(f"  {label}: {', '.join(paths)}")
        click.echo(f"  articles: {outlet.article_path.pattern}")
    click.echo("Every path is checked against the outlet's robots.txt when the crawl runs.")


def print_table(headers: list[str], rows: list[list]) -> None:
    """A plain aligned table; long cells are cut so a row fits a terminal line."""
    width = {"title": 60, "url": 70, "origin": 50}
    cells = [[str(c) for c in row] for row in rows]
    for row in cells:
        for i, h in enumerate(headers):
            limit = width.get(h)
            if limit and len(row[i]) > limit:
                row[i] = row[i][: limit - 1] + "…"
    sizes = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(s) for h, s in zip(headers, sizes, strict=False)).rstrip())
    for row in cells:
        click.echo("  ".join(c.ljust(s) for c, s in zip(row, sizes, strict=False)).rstrip())


def main() -> None:
    try:
        cli(standalone_mode=True)
    except Exception as exc:  # the promise: one line, never a traceback
        if os.environ.get("NEWSAGG_DEBUG"):
            raise
        click.echo(
            f"error: {type(exc).__name__}: {exc} (set NEWSAGG_DEBUG=1 for details)", err=True
        )
        sys.exit(1)


if __name__ == "__main__":
    main()

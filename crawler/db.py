"""The SQLite file: schema (DESIGN.md contract), connections, transactions and queries.

sqlite-utils does the writing (explicit tables, upserts in one transaction, FTS with triggers);
the CLI and the pipelines share these functions so each query lives in one place.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from crawler.timeutil import now_iso

SCHEMA = {
    "sources": (
        {
            "id": int,
            "url": str,
            "title": str,
            "text": str,
            "published": str,
            "added_at": str,
            "origin": str,
            "text_hash": str,
            "analysis": str,
            "tracked": int,
            "feedback": str,
            # 1 when ``published`` was inferred (crawler/storydates.py), with its evidence.
            "published_inferred": int,
            "date_evidence": str,
        },
        "id",
    ),
    "articles": (
        {
            "id": str,
            "url": str,
            "canonical_url": str,
            "outlet": str,
            "title": str,
            "authors": str,
            "published": str,
            "modified": str,
            "language": str,
            "description": str,
            "keywords": str,
            "text": str,
            "word_count": int,
            "access": str,
            "http_status": int,
            "content_hash": str,
            "duplicate_of": str,
            "relation": str,
            "discovered_via": str,
            "first_seen": str,
            "last_seen": str,
            "run_id": int,
            "minhash": bytes,
            "story_key": str,
            "version": int,
        },
        "id",
    ),
    # Every URL under which an article was seen maps to its row.
    "article_urls": ({"url": str, "article_id": str, "first_seen": str}, "url"),
    # Earlier texts of articles re-edited at the same URL.
    "article_history": (
        {
            "id": int,
            "article_id": str,
            "content_hash": str,
            "title": str,
            "text": str,
            "replaced_at": str,
        },
        "id",
    ),
    # MinHash LSH bands: one row per (band key, article); see crawler/neardup.py.
    "lsh": ({"key": int, "article_id": str}, ("key", "article_id")),
    # Validators of feeds, sitemaps and listings for conditional GET, per set of sources.
    "endpoints": (
        {"url": str, "sources": str, "etag": str, "last_modified": str, "checked_at": str},
        ("url", "sources"),
    ),
    "coverage": (
        {
            "source_id": int,
            "article_id": str,
            "score": float,
            # "event" (the source's event) or "background" (the subject at another time).
            "tier": str,
            "matched": str,
            "linked_at": str,
        },
        ("source_id", "article_id"),
    ),
    "discoveries": (
        {
            "url": str,
            "outlet": str,
            "source_id": int,
            "via": str,
            "title": str,
            "published": str,
            "decision": str,
            "reason": str,
            "score": float,
            "at": str,
            "run_id": int,
            "candidate": str,
        },
        ("url", "source_id"),
    ),
    # Statements the source credits to an outlet and the passage behind each (crawler/claims.py),
    # rewritten for a source at the end of each crawl.
    "claims": (
        {
            "id": int,
            "source_id": int,
            "position": int,
            "claim": str,
            "cited_as": str,
            "outlet": str,
            "article_id": str,
            "url": str,
            "passage": str,
            "score": float,
            "status": str,
            "details": str,
            "checked_at": str,
        },
        "id",
    ),
    # Field health per run and outlet (crawler/health.py): one row per measure, its baseline
    # (the outlet's recent runs) and the alarm it raised, if any.
    "health": (
        {
            "run_id": int,
            "outlet": str,
            "field": str,
            "value": float,
            "baseline": float,
            "alarm": str,
            "detail": str,
        },
        ("run_id", "outlet", "field"),
    ),
    "runs": (
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "stats": str,
            "args": str,
        },
        "id",
    ),
}
INDEXES = [
    ("articles", ["canonical_url"], True),
    ("articles", ["outlet", "published"], False),
    ("articles", ["published"], False),
    ("articles", ["content_hash"], False),
    ("articles", ["duplicate_of"], False),
    ("articles", ["story_key"], False),
    ("article_urls", ["article_id"], False),
    ("article_history", ["article_id"], False),
    ("lsh", ["article_id"], False),
    ("coverage", ["article_id"], False),
    ("discoveries", ["decision"], False),
    ("sources", ["text_hash"], True),
    ("claims", ["source_id"], False),
    ("claims", ["article_id"], False),
    ("health", ["outlet", "run_id"], False),
]
JSON_COLUMNS = {
    "authors",
    "keywords",
    "matched",
    "stats",
    "analysis",
    "args",
    "feedback",
    "date_evidence",
    "details",
}


class DatabaseError(RuntimeError):
    """The database cannot be opened or is not a newsagg database."""


def read_only(path: str | Path) -> sqlite3.Connection:
    """A connection that cannot write: for look-ups during a crawl and for query commands."""
    return sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=30)


def connect(path: str | Path, create: bool = True) -> sqlite_utils.Database:
    """Open the DB with WAL and a busy timeout; create the schema if needed."""
    path = Path(path)
    if not create and not path.exists():
        raise DatabaseError(f"database not found: {path} (run `newsagg crawl` first)")
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Query commands open the file read-only: they cannot write to it, even by mistake.
        conn = sqlite3.connect(str(path), timeout=30) if create else read_only(path)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA busy_timeout = 30000")
        if create:
            db.enable_wal()
            ensure_schema(db)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot open {path}: {exc}") from None
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    for name, (columns, pk) in SCHEMA.items():
        table = db.table(name)
        if not table.exists():
            not_null = {"canonical_url"} if name == "articles" else set()
            table.create(columns, pk=pk, not_null=not_null)
            continue
        # Columns added after a database was created: add them, never drop anything.
        for column, kind in columns.items():
            if column not in table.columns_dict:
                table.add_column(column, kind)
    for table, columns, unique in INDEXES:
        db.table(table).create_index(columns, unique=unique, if_not_exists=True)
    articles = db.table("articles")
    if not articles.detect_fts():
        articles.enable_fts(["title", "text"], create_triggers=True)


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction that takes the write lock up front (no upgrade deadlocks)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")


def dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def decode_row(row: dict) -> dict:
    """JSON columns as Python values."""
    out = dict(row)
    for key in JSON_COLUMNS & out.keys():
        if isinstance(out[key], str):
            with contextlib.suppress(ValueError):
                out[key] = json.loads(out[key])
    return out


# --- sources ------------------------------------------------------------------------------


def text_hash(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def add_source(db: sqlite_utils.Database, piece) -> int:
    """Store a SourcePiece (or refresh its analysis); the same text is one row."""
    digest = text_hash(piece.text)
    existing = list(db.query("select id from sources where text_hash = ?", [digest]))
    row = {
        "url": piece.url,
        "title": piece.title,
        "text": piece.text,
        "published": piece.published,
        "origin": piece.origin,
        "analysis": dumps(piece.analysis),
        "text_hash": digest,
        "tracked": 1,
        # A date the user or the piece gives replaces an inferred one; none is inferred anew.
        "published_inferred": 0,
        "date_evidence": None,
    }
    with immediate(db):
        if existing:
            source_id = existing[0]["id"]
            db.table("sources").update(source_id, row)
        else:
            row["added_at"] = now_iso()
            source_id = db.table("sources").insert(row).last_pk
    return int(source_id)


def published_label(row: dict) -> str:
    """A source's date as shown: "2025-04-22", "2025-04-22 (inferred)" or "no date"."""
    if not row.get("published"):
        return "no date"
    return row["published"] + (" (inferred)" if row.get("published_inferred") else "")


def get_sources(db: sqlite_utils.Database, ids: list[int] | None = None) -> list[dict]:
    if ids:
        marks = ",".join("?" * len(ids))
        rows = db.query(f"select * from sources where id in ({marks}) order by id", ids)
    else:
        rows = db.query("select * from sources where tracked = 1 order by id")
    return [decode_row(r) for r in rows]


# --- runs ---------------------------------------------------------------------------------


def start_run(db: sqlite_utils.Database, args: dict) -> int:
    with immediate(db):
        return int(
            db.table("runs")
            .insert({"started_at": now_iso(), "status": "running", "args": dumps(args)})
            .last_pk
        )


def finish_run(db: sqlite_utils.Database, run_id: int, status: str, stats: dict) -> None:
    with immediate(db):
        db.table("runs").update(
            run_id, {"finished_at": now_iso(), "status": status, "stats": dumps(stats)}
        )


# --- reads --------------------------------------------------------------------------------


# Failures worth another try in a later run (SQL over discoveries.reason).
TRANSIENT = (
    "reason like 'download-error%' or reason like 'extraction-timeout%' "
    "or reason like 'extraction-crashed%' or reason like 'http-5%' or reason = 'http-429' "
    "or reason like 'unreachable-host%'"
)


def pending_candidates(conn: sqlite3.Connection, outlet: str) -> list[dict]:
    """Candidates of an outlet that an earlier run queued but never finished, or that failed
    for a reason that may pass; each as the candidate dict discovery made (or what is left)."""
    try:
        rows = conn.execute(
            "select url, via, title, published, max(candidate) from discoveries where outlet = ? "
            f"and (decision = 'queued' or (decision = 'failed' and ({TRANSIENT}))) group by url",
            [outlet],
        ).fetchall()
    except sqlite3.OperationalError:  # a database from before the column existed
        return []
    return [
        json.loads(c) if c else {"url": u, "via": v, "title": t, "published": p}
        for u, v, t, p, c in rows
    ]


def known_url(conn: sqlite3.Connection, canonical: str) -> bool:
    row = conn.execute("select 1 from articles where canonical_url = ?", [canonical]).fetchone()
    return row is not None


# The source's event first, then its background (an unknown tier with the event), best first.
COVERAGE_SQL = """
select c.source_id, c.score, coalesce(c.tier, 'event') as tier, c.matched, a.*
from coverage c join articles a on a.id = c.article_id
where {where}
order by c.source_id, coalesce(c.tier, 'event') = 'background', c.score desc, a.published desc
"""


def related(db: sqlite_utils.Database, source_id: int | None = None) -> list[dict]:
    where, params = ("c.source_id = ?", [source_id]) if source_id else ("1", [])
    return [decode_row(r) for r in db.query(COVERAGE_SQL.format(where=where), params)]


def group_copies(rows: list[dict]) -> list[dict]:
    """Representatives in order, each with the copies linked to it under ``copies``.

    A copy whose representative is not among the rows (not linked to that source) stays a
    row of its own, so no linked coverage disappears from view.
    """
    keys = {(r["source_id"], r["id"]) for r in rows}
    grouped: dict[tuple, dict] = {}
    for row in rows:
        if (row["source_id"], row["duplicate_of"]) not in keys:
            grouped[(row["source_id"], row["id"])] = {**row, "copies": []}
    for row in rows:
        parent = grouped.get((row["source_id"], row["duplicate_of"]))
        if parent is not None:
            parent["copies"].append(row)
    return list(grouped.values())


def export_rows(
    db: sqlite_utils.Database,
    source_id: int | None = None,
    outlet: str | None = None,
    since: str | None = None,
    include_duplicates: bool = False,
) -> Iterator[dict]:
    """Covered articles, one dict each, streamed from the cursor (constant memory)."""
    clauses, params = ["1"], []
    if source_id:
        clauses.append("c.source_id = ?")
        params.append(source_id)
    if outlet:
        clauses.append("a.outlet = ?")
        params.append(outlet)
    if since:
        clauses.append("a.published >= ?")
        params.append(since)
    if not include_duplicates:
        # A copy is left out when its representative is exported for the same source.
        clauses.append(
            "(a.duplicate_of is null or not exists (select 1 from coverage r "
            "where r.article_id = a.duplicate_of and r.source_id = c.source_id))"
        )
    # The claims of the exported sources that this article is the evidence for.
    claimed = f"""(select json_group_array(json_object('source_id', k.source_id,
            'position', k.position, 'claim', k.claim, 'status', k.status, 'score', k.score,
            'passage', k.passage))
        from claims k where k.article_id = a.id and k.status != 'not-found'
        {"and k.source_id = ?" if source_id else ""})"""
    has_claims = db.table("claims").exists()
    sql = f"""
        select a.*, json_group_array(json_object(
            'source_id', c.source_id, 'score', c.score, 'tier', c.tier,
            'matched', json(c.matched))) as coverage,
            {claimed if has_claims else "'[]'"} as claims
        from articles a join coverage c on c.article_id = a.id
        where {" and ".join(clauses)}
        group by a.id order by a.published, a.id
    """
    params = ([source_id] if source_id and has_claims else []) + params
    for row in db.query(sql, params):
        row.pop("minhash", None)
        claims = json.loads(row.pop("claims") or "[]")
        out = {**row, "coverage": json.loads(row["coverage"])}
        if claims:
            out["claims"] = claims
        yield decode_row(out)


SEARCH_COLUMNS = ("id", "outlet", "published", "title", "canonical_url")


def search(
    db: sqlite_utils.Database, query: str, limit: int = 20, columns=SEARCH_COLUMNS
) -> list[dict]:
    """Articles matching an FTS5 query, best bm25 rank first (`newsagg search`).

    FTS5 ranks the matches inside its own index and hands back only the ``limit`` best
    rowids; only those rows are then read from ``articles``. Raises sqlite3.OperationalError
    on a malformed query.
    """
    wanted = ", ".join(f'a."{c}"' for c in columns)
    sql = (
        f"select {wanted} from (select rowid, rank from articles_fts "
        "where articles_fts match ? order by rank limit ?) as f "
        "join articles a on a.rowid = f.rowid order by f.rank"
    )
    return list(db.query(sql, [query, limit]))


# --- claims -------------------------------------------------------------------------------


# What claims matching reads of an article: enough to find and show a passage.
CLAIM_ARTICLE_COLUMNS = "id, canonical_url, outlet, title, description, text, published, access"


def outlet_articles(db: sqlite_utils.Database, outlets: list[str]) -> list[dict]:
    """The stored articles of these outlets, copies included (an update may hold the passage)."""
    if not outlets:
        return []
    marks = ",".join("?" * len(outlets))
    return list(
        db.query(f"select {CLAIM_ARTICLE_COLUMNS} from articles where outlet in ({marks})", outlets)
    )


def replace_claims(db: sqlite_utils.Database, source_id: int, rows: list[dict]) -> None:
    """A source's claims as checked now, in place of the last check's."""
    at = now_iso()
    with immediate(db):
        db.execute("delete from claims where source_id = ?", [source_id])
        db.table("claims").insert_all(
            [{**r, "details": dumps(r.get("details") or {}), "checked_at": at} for r in rows]
        )


def claims(
    db: sqlite_utils.Database, source_id: int | None = None, article_id: str | None = None
) -> list[dict]:
    """Stored claims, by source and order in the source; optionally of one source or article."""
    clauses, params = ["1"], []
    if source_id:
        clauses.append("source_id = ?")
        params.append(source_id)
    if article_id:
        clauses.append("article_id = ?")
        params.append(article_id)
    try:
        rows = db.query(
            f"select * from claims where {' and '.join(clauses)} order by source_id, position",
            params,
        )
        return [decode_row(r) for r in rows]
    except sqlite3.OperationalError:  # a database from before claims existed
        return []

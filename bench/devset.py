"""Build the extraction development set from fundus's and trafilatura's test pages (not a test).

    python bench/devset.py --fundus GITDIR --trafilatura GITDIR [--aeb GITDIR] --out /work/devset

``GITDIR`` is a git directory (bare, or a checkout's ``.git``) of ``flairNLP/fundus`` and of
``adbar/trafilatura`` (and, optionally, of ``scrapinghub/article-extraction-benchmark``); files
are read from ``HEAD`` with ``git show``, no work tree needed.
Nothing of theirs enters this repository: the pages and answers are written to ``--out`` only.

Written, one pair per page::

    OUT/fundus/<cc>.<Publisher>_<date>.html   the page as fundus stored it (UTF-8 bytes)
    OUT/fundus/<cc>.<Publisher>_<date>.json   url, language, title, authors, published, body
    OUT/trafilatura/<file stem>.html           the page's raw bytes (any encoding)
    OUT/trafilatura/<file stem>.json           url, "with" and "without" snippets
    OUT/aeb/<sha256 id>.html                   the page's bytes (with --aeb)
    OUT/aeb/<sha256 id>.json                   url, body (the benchmark's articleBody)
    OUT/MANIFEST.json                          sources, commits, publishers kept and excluded

fundus: each publisher of ``tests/resources/parser/test_data/<cc>/`` has one page per parser
version (``<Publisher>_<YYYY_MM_DD>.html.gz``, its URL and crawl date in ``meta.info``) and one
``<Publisher>.json`` keyed by version name (``V1``, ``V1_1``...), then attribute. A page belongs
to the version fundus's ``ParserProxy`` picks for its crawl date: the oldest whose
``VALID_UNTIL`` (read here from the parser's source, ``date.max`` when absent) is not before it.
``body`` is fundus's ``ArticleBody`` as text: the summary, then each section's headline and
paragraphs, one paragraph a line. ``published`` is converted to UTC; a date without an offset
stays as written in ``published_local`` and ``published`` is null (its UTC instant is unknown);
``published_written`` is fundus's value as it stands.

Only pages in a language other than English are written: the English ones are kept for an
independent check and are never decompressed here. A publisher's languages come from fundus's
registry (``src/fundus/publishers/<cc>/__init__.py``: each source's ``languages``, else the
group's ``default_language``). Whole English-language country folders are skipped unread; a
publisher whose registry lists English is skipped unless it is listed in ``MIXED`` with the URL
pattern of its non-English pages, checked on the URL in ``meta.info`` before the page is read;
``ENGLISH_DESPITE_REGISTRY`` names English papers the registry files under another language.

trafilatura: ``tests/evaldata.json`` gives, per URL, the page's file and the text snippets that
must be in the extracted body ("with") and must not ("without"); the pages under
``tests/cache/`` are used (the larger ``tests/eval/`` corpus is not).

article-extraction-benchmark: 181 pages from English-language news and blog sites, each with
the article body a person checked (``ground-truth.json``: ``articleBody`` and ``url`` per id;
pages in ``html/<id>.html.gz``). Its ids are hashes of the URLs; its publishers are not
fundus's test pages.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

FUNDUS_DATA = "tests/resources/parser/test_data"
FUNDUS_REGISTRY = "src/fundus/publishers"
# Country folders of English-language publishers, skipped without reading their pages.
ENGLISH_COUNTRIES = {"au", "ca", "ie", "in", "na", "nz", "uk", "us", "za", "ls"}
# Publishers whose registry lists English among other languages: the pattern their
# non-English article URLs match, and that language. Any other such publisher is skipped.
MIXED = {
    "Correctiv": (r"^https://correctiv\.org/(?!en/)", "de"),
    "DW": (r"^https://www\.dw\.com/de/", "de"),
    "LBCGroup": (r"/ar/?$", "ar"),
    "Pravda": (r"^https://www\.pravda\.com\.ua/rus/", "ru"),
}
# English-language papers the registry files under their country's language (Malay Mail is
# English though MY's default language is "ms"): skipped like any English publisher.
ENGLISH_DESPITE_REGISTRY = {"MalayMail"}
URL_SOURCES = {"RSSFeed", "Sitemap", "NewsMap"}


class Git:
    """Read-only access to one commit of a git directory."""

    def __init__(self, git_dir: str, rev: str = "HEAD") -> None:
        self.git_dir = git_dir
        self.rev = rev
        self.commit = self._run("rev-parse", rev).decode().strip()

    def _run(self, *args: str) -> bytes:
        done = subprocess.run(["git", "--git-dir", self.git_dir, *args], capture_output=True)
        if done.returncode:
            raise RuntimeError(f"git {' '.join(args)}: {done.stderr.decode().strip()}")
        return done.stdout

    def read(self, path: str) -> bytes:
        return self._run("show", f"{self.commit}:{path}")

    def text(self, path: str) -> str:
        return self.read(path).decode("utf-8")

    def names(self, folder: str) -> list[str]:
        out = self._run("ls-tree", "--name-only", self.commit, folder.rstrip("/") + "/")
        return [line.rsplit("/", 1)[-1] for line in out.decode().splitlines()]

    def files(self, folder: str) -> list[str]:
        out = self._run("ls-tree", "-r", "--name-only", self.commit, folder.rstrip("/") + "/")
        return out.decode().splitlines()


# ---------------------------------------------------------------------------------------------
# fundus


def registry_languages(source: str) -> dict[str, set[str]]:
    """Publisher attribute name -> languages of its sources, from one country's ``__init__``."""
    languages: dict[str, set[str]] = {}
    for group in (node for node in ast.parse(source).body if isinstance(node, ast.ClassDef)):
        default = None
        for stmt in group.body:
            if _assigns(stmt) == "default_language" and isinstance(stmt.value, ast.Constant):
                default = stmt.value.value
        for stmt in group.body:
            call = stmt.value if isinstance(stmt, ast.Assign) else None
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "Publisher"):
                continue
            found: set[str] = set()
            for kw in call.keywords:
                if kw.arg != "sources":
                    continue
                for node in ast.walk(kw.value):
                    if isinstance(node, ast.Call):
                        found |= _source_languages(node, default)
            languages[_assigns(stmt)] = found or {default or "?"}
    return languages


def _assigns(stmt: ast.stmt) -> str | None:
    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id
    return None


def _source_languages(call: ast.Call, default: str | None) -> set[str]:
    for kw in call.keywords:
        if kw.arg == "languages":
            try:
                return {str(v) for v in ast.literal_eval(kw.value)}
            except ValueError:
                return {"?"}  # computed: unknown, so never taken as non-English
    if getattr(call.func, "id", "") in URL_SOURCES:
        return {default or "?"}
    return set()


def parser_versions(git: Git) -> dict[str, list[tuple[date, str]]]:
    """Parser proxy class name -> its versions as (VALID_UNTIL, name), oldest first."""
    raw: dict[str, list[tuple[date | tuple[str, str], str]]] = {}
    for path in git.files(FUNDUS_REGISTRY):
        if not path.endswith(".py"):
            continue
        for cls in ast.walk(ast.parse(git.text(path))):
            if isinstance(cls, ast.ClassDef) and any(
                getattr(b, "id", "") == "ParserProxy" for b in cls.bases
            ):
                raw[cls.name] = [
                    (_valid_until(inner), inner.name)
                    for inner in cls.body
                    if isinstance(inner, ast.ClassDef)
                ]

    def resolve(until: date | tuple[str, str]) -> date:
        if isinstance(until, date):
            return until
        proxy, version = until
        return resolve(dict((name, u) for u, name in raw[proxy])[version])

    return {
        proxy: sorted((resolve(until), name) for until, name in versions)
        for proxy, versions in raw.items()
    }


def _valid_until(cls: ast.ClassDef) -> date | tuple[str, str]:
    """A version's VALID_UNTIL: a date, or (proxy, version) when it borrows another's."""
    for stmt in cls.body:
        if _assigns(stmt) != "VALID_UNTIL":
            continue
        value = stmt.value
        # FunkeParser.V1_1.VALID_UNTIL
        if (
            isinstance(value, ast.Attribute)
            and isinstance(value.value, ast.Attribute)
            and isinstance(value.value.value, ast.Name)
        ):
            return value.value.value.id, value.value.attr
        # date(Y, M, D), datetime.date(...), datetime(year=..., ...).date() and so on
        for call in (node for node in ast.walk(value) if isinstance(node, ast.Call)):
            args = [ast.literal_eval(arg) for arg in call.args]
            args += [ast.literal_eval(kw.value) for kw in call.keywords if kw.arg]
            if len(args) >= 3:
                return date(*args[:3])
        raise ValueError(f"unreadable VALID_UNTIL in {cls.name}")
    return date.max


def publisher_parsers(source: str) -> dict[str, str]:
    """Publisher attribute name -> the name of its parser proxy class."""
    parsers = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if getattr(node.value.func, "id", "") != "Publisher":
                continue
            for kw in node.value.keywords:
                if kw.arg == "parser" and isinstance(kw.value, ast.Name):
                    parsers[_assigns(node)] = kw.value.id
    return parsers


def body_text(body: dict) -> str:
    """fundus's ArticleBody as text: summary, then each section's headline and paragraphs."""
    lines = list(body.get("summary", []))
    for section in body.get("sections", []):
        lines += section.get("headline", []) + section.get("paragraphs", [])
    return "\n".join(line.strip() for line in lines if line.strip())


def utc_iso(value: str | None) -> tuple[str | None, str | None]:
    """(UTC ISO, None) for a dated value with an offset; (None, as written) without one."""
    if not value:
        return None, None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return None, value
    return moment.astimezone(UTC).isoformat(), None


def language_of(name: str, url: str, languages: set[str]) -> str | None:
    """The page's language if it is not English (decided on registry and URL only), else None."""
    if name in ENGLISH_DESPITE_REGISTRY:
        return None
    if "en" not in languages and "?" not in languages:
        return sorted(languages)[0] if len(languages) == 1 else "/".join(sorted(languages))
    if name in MIXED and re.search(MIXED[name][0], url):
        return MIXED[name][1]
    return None


def build_fundus(git: Git, out: Path) -> dict:
    versions = parser_versions(git)
    kept: dict[str, list[str]] = {}
    excluded: dict[str, list[str]] = {}
    unregistered: list[str] = []
    seen: set[tuple[str, str]] = set()
    folder = out / "fundus"
    folder.mkdir(parents=True, exist_ok=True)
    for cc in sorted(git.names(FUNDUS_DATA)):
        if cc.endswith(".py"):
            continue
        if cc in ENGLISH_COUNTRIES:
            excluded[cc] = ["(whole country folder)"]
            continue
        init = git.text(f"{FUNDUS_REGISTRY}/{cc}/__init__.py")
        languages = registry_languages(init)
        parsers = publisher_parsers(init)
        present = set(git.names(f"{FUNDUS_DATA}/{cc}"))
        # meta.info can outlive a page that was replaced: only the pages in the tree count
        meta = {
            file: info
            for file, info in json.loads(git.text(f"{FUNDUS_DATA}/{cc}/meta.info")).items()
            if file in present
        }
        for name in sorted({f.split("_", 1)[0] for f in meta}):
            if name not in languages or name not in parsers:
                unregistered.append(f"{cc}/{name}")  # a test page fundus no longer registers
                continue
            pages = sorted((f, m) for f, m in meta.items() if f.split("_", 1)[0] == name)
            keep = [
                (f, m, lang)
                for f, m in pages
                if (lang := language_of(name, m["url"], languages[name]))
            ]
            if len(keep) < len(pages):
                excluded.setdefault(cc, []).append(name)
            if not keep:
                continue
            kept.setdefault(cc, []).append(name)
            answers = json.loads(git.text(f"{FUNDUS_DATA}/{cc}/{name}.json"))
            proxy = versions[parsers[name]]
            for file, info, lang in keep:
                crawled = datetime.fromisoformat(info["crawl_date"]).date()
                version = next(v for until, v in proxy if until >= crawled)
                if (name, version) in seen:
                    raise ValueError(f"{file}: a second page for {name} {version}")
                seen.add((name, version))
                answer = answers[version]
                stem = f"{cc}.{file.removesuffix('.html.gz')}"
                page = gzip.decompress(git.read(f"{FUNDUS_DATA}/{cc}/{file}"))
                published, published_local = utc_iso(answer.get("publishing_date"))
                record = {
                    "url": info["url"],
                    "language": lang,
                    "encoding": "utf-8",  # fundus stores every page re-encoded as UTF-8
                    "title": answer.get("title"),
                    "authors": answer.get("authors") or [],
                    "published": published,
                    "published_local": published_local,
                    "published_written": answer.get("publishing_date"),
                    "body": body_text(answer["body"]) if answer.get("body") else None,
                    "origin": {
                        "repo": "flairNLP/fundus",
                        "commit": git.commit,
                        "path": f"{FUNDUS_DATA}/{cc}/{file}",
                        "publisher": name,
                        "version": version,
                        "crawl_date": info["crawl_date"],
                    },
                }
                (folder / f"{stem}.html").write_bytes(page)
                _write_json(folder / f"{stem}.json", record)
    return {"kept": kept, "excluded_as_english": excluded, "unregistered": unregistered}


# ---------------------------------------------------------------------------------------------
# trafilatura


def build_trafilatura(git: Git, out: Path) -> dict:
    evaldata = json.loads(git.text("tests/evaldata.json"))
    cached = set(git.names("tests/cache"))
    folder = out / "trafilatura"
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for url, item in sorted(evaldata.items()):
        if item["file"] not in cached:
            continue
        stem = item["file"].removesuffix(".html").removesuffix(".htm")
        (folder / f"{stem}.html").write_bytes(git.read(f"tests/cache/{item['file']}"))
        record = {
            "url": url,
            "language": None,
            "with": item["with"],
            "without": item["without"],
            "origin": {
                "repo": "adbar/trafilatura",
                "commit": git.commit,
                "path": f"tests/cache/{item['file']}",
                "annotations": "tests/evaldata.json",
            },
        }
        _write_json(folder / f"{stem}.json", record)
        written += 1
    return {"pages": written}


def build_aeb(git: Git, out: Path) -> dict:
    truth = json.loads(git.text("ground-truth.json"))
    folder = out / "aeb"
    folder.mkdir(parents=True, exist_ok=True)
    for page_id, item in sorted(truth.items()):
        (folder / f"{page_id}.html").write_bytes(
            gzip.decompress(git.read(f"html/{page_id}.html.gz"))
        )
        record = {
            "url": item["url"],
            "language": None,
            "body": item["articleBody"],
            "origin": {
                "repo": "scrapinghub/article-extraction-benchmark",
                "commit": git.commit,
                "path": f"html/{page_id}.html.gz",
                "annotations": "ground-truth.json",
            },
        }
        _write_json(folder / f"{page_id}.json", record)
    return {"pages": len(truth)}


def _write_json(path: Path, record: dict) -> None:
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--fundus", required=True, help="git directory of flairNLP/fundus")
    parser.add_argument("--trafilatura", required=True, help="git directory of adbar/trafilatura")
    parser.add_argument("--aeb", help="git directory of scrapinghub/article-extraction-benchmark")
    parser.add_argument("--out", required=True, type=Path, help="where to write the set")
    args = parser.parse_args(argv)
    fundus, trafilatura = Git(args.fundus), Git(args.trafilatura)
    manifest = {
        "fundus": {"commit": fundus.commit, **build_fundus(fundus, args.out)},
        "trafilatura": {"commit": trafilatura.commit, **build_trafilatura(trafilatura, args.out)},
    }
    if args.aeb:
        aeb = Git(args.aeb)
        manifest["aeb"] = {"commit": aeb.commit, **build_aeb(aeb, args.out)}
    _write_json(args.out / "MANIFEST.json", manifest)
    pages = {source: len(list((args.out / source).glob("*.json"))) for source in manifest}
    print(f"{args.out}: {pages}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`newsagg serve` seen in a real browser: Debian's Chromium, headless, driven by Playwright.

A database crawled from the replica is served on a free port of 127.0.0.1 and each page is
checked for what a person would see: the canned queries' rows, the search for "tariff", the
story page's title, chart and coverage list, the Atom feed, and that no page logs an error or
asks for anything outside 127.0.0.1 (so nothing loads from a CDN). Playwright drives the
system's /usr/bin/chromium; nothing downloads a browser (`.ci/run` installs Debian's package).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT, newsagg_command, run_newsagg
from playwright.sync_api import BrowserContext, Page, Response, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# Where `newsagg serve` publishes the coverage of source 1 as Atom.
FEED_PATH = "/news/coverage.atom?source_id=1"
STORY_PATH = "/-/dashboards/story?source_id=1"
CANNED_QUERIES = [
    "coverage?source_id=1",
    "timeline?source_id=1",
    "copies",
    "blocked",
    "skipped",
    "runs",
    "claims?source_id=1",
]
CHROMIUM = Path("/usr/bin/chromium")
# CI (`.ci/run`, CI=true) installs Debian's chromium and these tests must run there: a missing
# browser fails them (the `browser` fixture). On a machine without it (the README's quick
# start needs only python3) they are left out, saying how to run them.
if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
        f"{CHROMIUM} is missing: `apt-get install --no-install-recommends chromium` to run the "
        "browser tests (CI installs it and fails without it)",
        allow_module_level=True,
    )
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
# Datasette's results table (table and query pages alike).
RESULT_ROWS = "table.rows-and-columns tbody tr"
SERVE_START_TIMEOUT = 60.0
PAGE_TIMEOUT_MS = 30_000


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """One `newsagg serve` process; its output goes to a file so a full pipe never blocks it."""

    db: Path
    workdir: Path
    public: bool = False
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def output(self) -> str:
        return (self.workdir / "serve.log").read_text(errors="replace")

    def start(self) -> None:
        args = ["serve", "--db", str(self.db), "--port", str(self.port), "--host", "127.0.0.1"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # the printed URL is seen at once
        env.pop("NEWSAGG_DB", None)
        self.log = (self.workdir / "serve.log").open("w")
        self.proc = subprocess.Popen(
            [*newsagg_command(), *args, *(["--public"] if self.public else [])],
            cwd=self.workdir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + SERVE_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"newsagg serve exited with {self.proc.returncode}:\n{self.output}")
            try:
                with urllib.request.urlopen(self.url + "/news", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        pytest.fail(f"newsagg serve did not answer {self.url}/news in time:\n{self.output}")

    def stop(self) -> None:
        if self.log.closed:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        self.log.close()


@pytest.fixture(scope="module")
def crawled_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("browser-db") / "news.db"
    result = run_newsagg("crawl", "--replica", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return db


def serve(db: Path, workdir: Path, public: bool = False) -> Iterator[Server]:
    server = Server(db=db, workdir=workdir, public=public)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(crawled_db, tmp_path_factory) -> Iterator[Server]:
    yield from serve(crawled_db, tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="module")
def public_server(crawled_db, tmp_path_factory) -> Iterator[Server]:
    yield from serve(crawled_db, tmp_path_factory.mktemp("serve-public"), public=True)


def query_db(db: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql, params).fetchall()


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[BrowserContext]:
    """Debian's Chromium with a fresh profile; missing, it is a failure (CI installs it)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
            "(apt-get install --no-install-recommends chromium; .ci/run does this)"
        )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


@dataclass
class Visit:
    """A page as opened, with what the browser reported while it loaded."""

    page: Page
    response: Response | None
    errors: list[str]
    requests: list[str] = field(repr=False)

    def rows(self) -> int:
        return self.page.locator(RESULT_ROWS).count()

    def text(self) -> str:
        return normalise(self.page.locator("body").inner_text())

    def outside_requests(self) -> list[str]:
        """Requests for anything not on 127.0.0.1 (data: and blob: never leave the page)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob")
            and urlsplit(url).hostname != "127.0.0.1"
        ]


def open_page(
    context: BrowserContext, url: str, wait_for: str | None = None, screenshot: Path | None = None
) -> Visit:
    """Open ``url`` in a new tab and wait until it has settled (and ``wait_for`` is shown)."""
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url} {r.failure}"))
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(url, wait_until="load")
    if wait_for is not None:
        try:
            page.wait_for_selector(wait_for, state="attached")
        except PlaywrightTimeoutError:
            # Left to the tests to report (the element count, the errors logged meanwhile).
            errors.append(f"never shown: {wait_for}")
    page.wait_for_load_state("networkidle")
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=screenshot, full_page=True)
    return Visit(page, response, errors, requests)


@pytest.fixture
def visit(browser) -> Iterator[Callable[..., Visit]]:
    pages: list[Page] = []

    def _visit(url: str, wait_for: str | None = None) -> Visit:
        opened = open_page(browser, url, wait_for)
        pages.append(opened.page)
        return opened

    yield _visit
    for page in pages:
        page.close()


@pytest.fixture(scope="module")
def story_mark_selector() -> str:
    from crawler.serve import STORY_MARK_SELECTOR

    return STORY_MARK_SELECTOR


@pytest.fixture(scope="module")
def story(server, browser, story_mark_selector) -> Iterator[Visit]:
    """The story page once its chart is drawn; its screenshot is kept in tests/artifacts/."""
    opened = open_page(
        browser,
        server.url + STORY_PATH,
        wait_for=story_mark_selector,
        screenshot=ARTIFACTS / "story.png",
    )
    yield opened
    opened.page.close()


def normalise(text: str) -> str:
    return " ".join(text.split())


# --- what a person sees ---------------------------------------------------------------------


def test_serve_prints_the_url_it_serves(server):
    assert server.url in server.output


def test_database_page_links_every_canned_query(server, visit):
    page = visit(server.url + "/news")
    assert page.response is not None and page.response.status == 200
    for query in CANNED_QUERIES:
        name = query.split("?")[0]
        assert page.page.locator(f'a[href="/news/{name}"]').count() >= 1, name


@pytest.mark.parametrize("query", CANNED_QUERIES)
def test_canned_query_page_shows_a_table_with_rows(server, visit, query):
    page = visit(f"{server.url}/news/{query}")
    assert page.response is not None and page.response.status == 200, page.text()[:500]
    assert page.rows() >= 1, page.text()[:500]


def test_search_for_tariff_shows_matching_articles(server, visit, crawled_db):
    [(matches,)] = query_db(
        crawled_db, "select count(*) from articles_fts where articles_fts match 'tariff'"
    )
    assert matches > 0  # the replica's coverage is about tariffs
    page = visit(server.url + "/news/articles?_search=tariff")
    assert 1 <= page.rows() <= matches


def test_search_for_a_word_no_article_has_shows_no_rows(server, visit):
    page = visit(server.url + "/news/articles?_search=zzyzxnotaword")
    assert page.response is not None and page.response.status == 200
    assert page.rows() == 0


def test_story_page_shows_the_source_title_and_date(story, crawled_db):
    [(title, published)] = query_db(crawled_db, "select title, published from sources where id = 1")
    text = story.text()
    assert normalise(title) in text
    assert published[:10] in text


def test_story_chart_has_one_mark_per_covered_article(story, story_mark_selector, crawled_db):
    [(covered,)] = query_db(crawled_db, "select count(*) from coverage where source_id = 1")
    assert covered > 0
    assert story.page.locator(story_mark_selector).count() == covered, story.errors


def test_story_page_lists_the_best_covered_articles(story, crawled_db):
    best = query_db(
        crawled_db,
        "select a.title from coverage c join articles a on a.id = c.article_id "
        "where c.source_id = 1 and a.duplicate_of is null and a.title is not null "
        "order by c.score desc limit 3",
    )
    text = story.text()
    for (title,) in best:
        assert normalise(title) in text


def test_story_page_is_saved_as_a_screenshot(story):
    screenshot = ARTIFACTS / "story.png"
    assert screenshot.stat().st_size > 10_000  # a drawn page, not a blank one
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "path",
    ["/", "/news", "/news/articles?_search=tariff"]
    + [f"/news/{query}" for query in CANNED_QUERIES],
)
def test_page_logs_no_error_and_loads_nothing_from_outside(server, visit, path):
    page = visit(server.url + path)
    assert page.errors == []
    assert page.requests and page.outside_requests() == []


def test_story_page_logs_no_error_and_loads_nothing_from_outside(story):
    assert story.errors == []
    assert story.requests and story.outside_requests() == []


def test_coverage_is_an_atom_feed_with_entries(server, browser):
    response = browser.request.get(server.url + FEED_PATH)
    assert response.status == 200
    # datasette-atom serves application/xml so that a browser shows the feed instead of
    # downloading it; what matters is that it parses as Atom.
    assert "xml" in response.headers["content-type"]
    feed = ET.fromstring(response.body())
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.tag == f"{atom}feed"
    entries = feed.findall(f"{atom}entry")
    assert entries
    for entry in entries:
        assert (entry.findtext(f"{atom}title") or "").strip()
        assert entry.find(f"{atom}link").get("href", "").startswith("http")


SQL_PROBE = "/news?sql=select+'probe-'||(6*7)+as+probe"


def test_arbitrary_sql_runs_on_a_private_server(server, visit):
    page = visit(server.url + SQL_PROBE)
    assert "probe-42" in page.text()


def test_public_server_refuses_arbitrary_sql(public_server, visit):
    page = visit(public_server.url + SQL_PROBE)
    assert page.response is not None and page.response.status == 403
    assert "probe-42" not in page.text()


def test_public_server_still_shows_the_canned_queries(public_server, visit):
    page = visit(public_server.url + "/news/coverage?source_id=1")
    assert page.response is not None and page.response.status == 200
    assert page.rows() >= 1


def test_public_server_still_draws_the_story_chart(
    public_server, visit, story_mark_selector, crawled_db
):
    [(covered,)] = query_db(crawled_db, "select count(*) from coverage where source_id = 1")
    page = visit(public_server.url + STORY_PATH, wait_for=story_mark_selector)
    assert page.page.locator(story_mark_selector).count() == covered, page.errors
    assert page.errors == []

"""`ledger fetch` against a web server the tests start on 127.0.0.1 (no test reaches the
internet): pages, a feed, a 404, a slow page, a huge page, a redirect loop, robots.txt."""

from __future__ import annotations

import csv
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.fetch import (
    Fetcher,
    FetchPolicy,
    feed_links,
    fetch_pages,
    file_name_for,
    update_manifest,
)

PAGES = Path(__file__).parent / "fixtures" / "pages"
HARBOUR = (PAGES / "harbour-wire-chip-exports.html").read_bytes()
VALLEY = (PAGES / "valley-gazette-water-bills.html").read_bytes()  # Windows-1252, declared
NORTHERN = (PAGES / "northern-post-rail-fares.html").read_bytes()  # Latin-1, undeclared
HTML = "text/html; charset=utf-8"


class Site(BaseHTTPRequestHandler):
    """A small news site; `requests` records every path asked for, with its User-Agent."""

    requests: list[tuple[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.requests.append((self.path, self.headers.get("User-Agent", "")))
        route = {
            "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n"),
            "/news/chip-exports": (200, HTML, HARBOUR),
            "/news/water-bills": (200, "text/html", VALLEY),
            "/news/rail-fares": (200, "text/html; charset=iso-8859-1", NORTHERN),
            "/private/memo": (200, HTML, HARBOUR),
            "/report.pdf": (200, "application/pdf", b"%PDF-1.4 ..."),
            "/feed.xml": (200, "application/rss+xml", self.feed()),
        }.get(self.path)
        if self.path == "/slow":
            time.sleep(2)
            route = (200, HTML, HARBOUR)
        elif self.path == "/huge":
            return self.huge()
        elif self.path in ("/loop-a", "/loop-b"):
            return self.redirect("/loop-b" if self.path == "/loop-a" else "/loop-a")
        elif self.path == "/moved":
            return self.redirect("/news/chip-exports")
        status, kind, body = route or (404, "text/html", b"<h1>Not found</h1>")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def feed(self) -> bytes:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        items = "".join(
            f"<item><title>{title}</title><link>{base}{path}</link></item>"
            for title, path in [
                ("Chip exports", "/news/chip-exports"),
                ("Water bills", "/news/water-bills"),
                ("Rail fares", "/news/rail-fares"),
            ]
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Business</title>'
            f"<link>{base}/</link>{items}</channel></rss>"
        ).encode()

    def huge(self) -> None:
        """2 MB with no Content-Length: only counting what arrives can stop it."""
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.end_headers()
        for _ in range(2048):
            self.wfile.write(b"<p>" + b"x" * 1017 + b"</p>\n")

    def redirect(self, to: str) -> None:
        self.send_response(302)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-page (as fetch does past its size cap or time) is expected;
        anything else is printed as http.server would."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = QuietServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetch(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["fetch", *args])
    return result.exit_code, result.stdout, result.stderr


def manifest_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_pages_are_saved_byte_for_byte_with_their_manifest_rows_then_ingested(
    site: str, tmp_path: Path
):
    folder = tmp_path / "sources"
    urls = [f"{site}/news/chip-exports", f"{site}/news/water-bills", f"{site}/news/rail-fares"]
    code, out, err = fetch(*urls, "--into", str(folder))
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        "3 page(s) saved: 3 added, 0 updated, 0 unchanged; 0 already fetched; 0 failed"
    )
    names = [file_name_for(url) for url in urls]
    assert [(folder / name).read_bytes() for name in names] == [HARBOUR, VALLEY, NORTHERN]
    rows = manifest_rows(folder)
    assert [(r["file"], r["url"], r["title"], r["publisher"], r["published"]) for r in rows] == [
        (names[0], "https://www.harbourwire.example/business/2024/03/14/chip-exports-jump",
         "Chip exports jump 18% as new plants open", "Harbour Wire", "2024-03-14"),
        (names[1], urls[1], "Water bills to rise by £86 a year", "Valley Gazette", "2024-10-02"),
        (names[2], "https://northernpost.example/news/rail-fares-rise",
         "Rail fares: commuters face 4.9% rise", "", "2025-01-08"),
    ]  # fmt: skip
    assert all(r["retrieved_at"].endswith("Z") for r in rows)
    # the charset said only in the HTTP header is kept where ingest will read it
    assert [r["encoding"] for r in rows] == ["", "", "iso-8859-1"]
    assert {agent for _, agent in Site.requests} == {
        f"ledger/{__import__('ledger').__version__} (fact-check ledger; fetches news pages a"
        " person asked for)"
    }

    db = tmp_path / "claims.db"
    ingested = CliRunner().invoke(cli, ["ingest", str(folder), "--db", str(db)])
    assert ingested.exit_code == 0, ingested.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*), count(retrieved_at) from sources").fetchone() == (
            3,
            3,
        )
        quotes = conn.execute("select quote from claims order by source_id, start").fetchall()
    assert ("41,000 euros",) in quotes and ("£28.50",) in quotes and ("£1.9 billion",) in quotes

    # fetched again: the same files, nothing new; a person's edit to the manifest is kept
    rows[0]["title"] = "Edited by a person"
    with (folder / "manifest.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, out, _ = fetch(urls[0], "--into", str(folder))
    assert code == 0 and out.startswith(f"unchanged: {urls[0]} -> ")
    assert manifest_rows(folder)[0]["title"] == "Edited by a person"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "HTTP 404 Not Found"),
        ("/report.pdf", "not an HTML page (content type application/pdf)"),
        ("/slow", "timed out after 0.5 s"),
        ("/huge", "too large (over the limit of 1,048,576 bytes)"),
        ("/loop-a", "more than 5 redirects (a redirect loop?)"),
        ("/private/memo", "refused by the site's robots.txt (--ignore-robots fetches it)"),
    ],
)
def test_a_bad_url_is_one_line_naming_it_and_the_others_are_still_fetched(
    site: str, tmp_path: Path, path: str, reason: str
):
    folder = tmp_path / "sources"
    good = f"{site}/news/chip-exports"
    code, out, err = fetch(
        f"{site}{path}", good, "--into", str(folder), "--timeout", "0.5", "--max-size", "1"
    )
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.startswith(f"failed: {site}{path}: {reason}")
    assert out.splitlines()[-1].endswith(
        "1 added, 0 updated, 0 unchanged; 0 already fetched; 1 failed"
    )
    assert [r["file"] for r in manifest_rows(folder)] == [file_name_for(good)]


def test_only_http_and_https_and_a_fetch_that_saves_nothing_makes_no_folder(tmp_path: Path):
    folder = tmp_path / "sources"
    code, _, err = fetch(
        "file:///etc/passwd", "ftp://example.com/x", "http://[::1", "http://a..b/", "--into",
        str(folder),
    )  # fmt: skip
    assert code == 1
    *lines, empty_label = err.splitlines()
    assert lines == [
        "failed: file:///etc/passwd: only http and https URLs are fetched, not file",
        "failed: ftp://example.com/x: only http and https URLs are fetched, not ftp",
        # no traceback from urllib's parser or the host name's codec, before any request
        "failed: http://[::1: not a URL (Invalid IPv6 URL)",
    ]
    assert empty_label.startswith("failed: http://a..b/: not a URL (encoding with 'idna' codec")
    assert os.listdir(tmp_path) == []


def test_a_fetch_into_a_file_is_refused_before_anything_is_fetched(site: str, tmp_path: Path):
    """The folder is made only when a page is saved: a file in its place must still be refused
    first, not after a download (the CLI's --into refuses a file itself)."""
    into = tmp_path / "notes.txt"
    into.write_text("not a folder\n", encoding="utf-8")
    with Fetcher(FetchPolicy()) as fetcher, pytest.raises(NotADirectoryError) as error:
        fetch_pages([f"{site}/news/chip-exports"], into, fetcher)
    assert (error.value.filename, error.value.strerror) == (str(into), "not a folder")
    assert into.read_text(encoding="utf-8") == "not a folder\n"


def test_robots_can_be_ignored_and_a_redirect_is_followed(site: str, tmp_path: Path):
    code, out, err = fetch(
        f"{site}/private/memo", f"{site}/moved", "--into", str(tmp_path), "--ignore-robots"
    )
    assert (code, err) == (0, "")
    assert "2 added" in out.splitlines()[-1]
    # a page reached through a redirect keeps the name of the URL asked for
    assert (tmp_path / file_name_for(f"{site}/moved")).read_bytes() == HARBOUR


def test_a_feed_fetches_its_articles_and_skips_those_already_fetched(site: str, tmp_path: Path):
    folder = tmp_path / "sources"
    assert fetch(f"{site}/news/chip-exports", "--into", str(folder))[0] == 0
    code, out, err = fetch("--feed", f"{site}/feed.xml", "--into", str(folder))
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        "2 page(s) saved: 2 added, 0 updated, 0 unchanged; 1 already fetched; 0 failed"
    )
    assert len(manifest_rows(folder)) == 3
    code, out, _ = fetch("--feed", f"{site}/feed.xml", "--into", str(folder))
    assert out.splitlines()[-1].startswith("0 page(s) saved") and "3 already fetched" in out
    assert fetch("--feed", f"{site}/news/chip-exports", "--into", str(folder))[2] == (
        f"failed: {site}/news/chip-exports: not a feed (content type text/html)\n"
    )


def test_feed_links_are_absolute(site: str):
    with Fetcher(FetchPolicy()) as fetcher:
        assert feed_links(f"{site}/feed.xml", fetcher) == [
            f"{site}/news/chip-exports", f"{site}/news/water-bills", f"{site}/news/rail-fares"
        ]  # fmt: skip


def test_fetch_needs_something_to_fetch(tmp_path: Path):
    code, _, err = fetch("--into", str(tmp_path))
    assert code == 2 and "give at least one URL or --feed URL" in err


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        # a quote never closed: csv read the rows after it as one cell, and rewrote them so
        (b'file,publisher\n"old.txt,Wire\nother.txt,Wire\n', "line 2: a quote opened here"),
        # Windows-1252: a traceback
        (b"file,publisher\nold.txt,Caf\xe9 Wire\n", "line 2: not UTF-8 text (byte 0xe9)"),
        (None, "not a file; a manifest is a CSV file"),  # a folder: "Is a directory", unnamed
    ],
)
def test_a_manifest_fetch_cannot_rewrite_is_refused_before_anything_is_fetched(
    site: str, tmp_path: Path, manifest: bytes | None, message: str
):
    path = tmp_path / "manifest.csv"
    if manifest is None:
        path.mkdir()
    else:
        path.write_bytes(manifest)
    code, out, err = fetch(f"{site}/news/chip-exports", "--into", str(tmp_path))
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: {path}") and message in err and err.count("\n") == 1, err
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.csv"]  # no page saved
    if manifest is not None:
        assert path.read_bytes() == manifest


def test_manifest_update_keeps_other_columns_and_their_spelling(tmp_path: Path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "File Name,Headline,Date,licence\nold.txt,Old story,2001,CC\npage.html,,,\n", "utf-8"
    )
    update_manifest(
        manifest,
        {"file": "page.html", "url": "https://e.x/p", "retrieved_at": "2026-01-02T03:04:05Z",
         "title": "From the page", "publisher": None, "author": "Ann", "published": "2025-05-06"},
    )  # fmt: skip
    assert manifest.read_text("utf-8").splitlines() == [
        "File Name,Headline,Date,licence,url,retrieved_at,publisher,author",
        "old.txt,Old story,2001,CC,,,,",
        "page.html,From the page,2025-05-06,,https://e.x/p,2026-01-02T03:04:05Z,,Ann",
    ]


def test_a_robots_txt_the_server_fails_to_give_forbids_all(tmp_path: Path):
    """RFC 9309: a 5xx for robots.txt means the whole site is off limits."""

    class Failing(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(503 if self.path == "/robots.txt" else 200)
            self.send_header("Content-Type", HTML)
            self.send_header("Content-Length", str(len(HARBOUR)))
            self.end_headers()
            self.wfile.write(HARBOUR)

        def log_message(self, *args: object) -> None:
            pass

    server = QuietServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/news/story"
        code, _, err = fetch(url, "--into", str(tmp_path))
        assert code == 1
        assert err == (
            f"failed: {url}: the site's robots.txt could not be read (HTTP 503), which forbids"
            " all (--ignore-robots fetches it)\n"
        )
        assert fetch(url, "--into", str(tmp_path), "--ignore-robots")[0] == 0
    finally:
        server.shutdown()
        server.server_close()

"""Download news pages into a sources folder: `ledger fetch URL... --into DIR`, and `--feed URL`.

Each page is fetched with httpx under a `FetchPolicy` (a timeout for the whole download, a size
cap, http and https only, a redirect limit, a User-Agent that says what is asking, and the site's
robots.txt unless told otherwise), saved byte for byte in DIR under a name made from its URL (the
same URL always gives the same file, so a second fetch updates it), and its row in DIR's
manifest.csv is added or updated: url, retrieved_at, and what the page says of itself (title,
publisher, author, published). `ledger ingest DIR` then reads the pages as any other source.

One URL that fails (404, not HTML, too slow, too big, a redirect loop, refused by robots.txt) is a
`FetchFailure` naming it; the other URLs are still fetched.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import re
import time
import urllib.robotparser
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx

from ledger import __version__
from ledger.sources import (
    MANIFEST_COLUMNS,
    MANIFEST_NAME,
    ManifestError,
    ReadOptions,
    SourceError,
    load_manifest,
    read_page,
)

PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = (
    "application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
    "application/rdf+xml", "application/feed+json",
)  # fmt: skip
USER_AGENT = f"ledger/{__version__} (fact-check ledger; fetches news pages a person asked for)"
ROBOTS_AGENT = "ledger"  # the token robots.txt rules name
# What `ledger fetch` writes in a manifest row, in this order when it adds the columns.
FETCHED_COLUMNS = ("file", "url", "retrieved_at", "title", "publisher", "author", "published")
NAME_MAX_CHARS = 80
_FORBID_ALL = ["User-agent: *", "Disallow: /"]


@dataclass(frozen=True)
class FetchPolicy:
    """The guards every download runs under."""

    timeout: float = 20.0  # seconds for the whole download, not for each read
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    obey_robots: bool = True


class FetchFailure(Exception):
    """One URL that could not be fetched, and why (in one line)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Download:
    """A response read whole: where it ended up (after redirects), its type and its bytes."""

    url: str
    content_type: str
    charset: str | None
    body: bytes


@dataclass(frozen=True)
class Saved:
    """A page saved in the folder: its URL, file, and whether it was new, changed or the same."""

    url: str
    path: Path
    status: str  # "added" | "updated" | "unchanged"


@dataclass
class FetchReport:
    """What one `ledger fetch` did."""

    saved: list[Saved] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # feed entries already in the folder
    failures: list[FetchFailure] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the terminal.

        >>> FetchReport(skipped=["u"]).summary()
        '0 page(s) saved: 0 added, 0 updated, 0 unchanged; 1 already fetched; 0 failed'
        """
        count = {status: 0 for status in ("added", "updated", "unchanged")}
        for saved in self.saved:
            count[saved.status] += 1
        return (
            f"{len(self.saved)} page(s) saved: {count['added']} added, {count['updated']} updated,"
            f" {count['unchanged']} unchanged; {len(self.skipped)} already fetched;"
            f" {len(self.failures)} failed"
        )


def file_name_for(url: str) -> str:
    """The file a URL's page is saved as: its host and last path words, and a digest of the whole
    URL so that two pages never share a name (the name's stem is the source id).

    >>> file_name_for("https://www.example.com/news/2024/03/14/chip-exports-jump?ref=rss")
    'example-com-chip-exports-jump-606cd3d7.html'
    """
    parts = urlsplit(url)
    host = parts.hostname or "page"
    host = host.removeprefix("www.")
    words = [word for word in parts.path.split("/") if word and not word.isdigit()]
    last = re.sub(r"\.(s?html?|php|aspx?)$", "", words[-1]) if words else "index"
    slug = re.sub(r"[^a-z0-9]+", "-", f"{host}-{last}".lower()).strip("-")
    digest = hashlib.sha256(url.encode()).hexdigest()[:8]
    return f"{slug[: NAME_MAX_CHARS - 14]}-{digest}.html"


class Fetcher:
    """Downloads under one policy, with one connection pool and each site's robots.txt read once."""

    def __init__(
        self, policy: FetchPolicy = FetchPolicy(), transport: httpx.BaseTransport | None = None
    ) -> None:
        self.policy = policy
        self.client = httpx.Client(
            headers={"User-Agent": policy.user_agent},
            timeout=httpx.Timeout(policy.timeout),
            follow_redirects=True,
            max_redirects=policy.max_redirects,
            transport=transport,
        )
        # each site's robots.txt, and why it could not be read (None when it was)
        self._robots: dict[str, tuple[urllib.robotparser.RobotFileParser, str | None]] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(self, url: str, accept: tuple[str, ...]) -> Download:
        """Download `url`, whose content type must be one of `accept`; a `FetchFailure` says why
        not (scheme, robots.txt, status, type, size, time, redirects, network)."""
        try:
            parts = urlsplit(url)  # "http://[::1": an address never closed
            (parts.hostname or "").encode("idna")  # "http://a..b/": an empty label
        except ValueError as error:  # UnicodeError, the codec's, is one
            raise FetchFailure(url, f"not a URL ({error})") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            given = scheme or "a bare path"
            raise FetchFailure(url, f"only http and https URLs are fetched, not {given}")
        refusal = self._robots_refusal(url) if self.policy.obey_robots else None
        if refusal is not None:
            raise FetchFailure(url, f"{refusal} (--ignore-robots fetches it)")
        try:
            return self._download(url, accept)
        except httpx.TooManyRedirects:
            raise FetchFailure(
                url, f"more than {self.policy.max_redirects} redirects (a redirect loop?)"
            ) from None
        except httpx.TimeoutException:
            raise FetchFailure(url, f"timed out after {self.policy.timeout:g} s") from None
        except httpx.HTTPError as error:
            raise FetchFailure(url, f"cannot fetch ({type(error).__name__}: {error})") from None

    def _download(self, url: str, accept: tuple[str, ...]) -> Download:
        deadline = time.monotonic() + self.policy.timeout
        with self.client.stream("GET", url) as response:
            if response.status_code != 200:
                raise FetchFailure(url, f"HTTP {response.status_code} {response.reason_phrase}")
            content_type = response.headers.get("content-type", "")
            media_type = content_type.split(";")[0].strip().lower()
            if media_type not in accept:
                kind = "an HTML page" if accept == PAGE_TYPES else "a feed"
                raise FetchFailure(url, f"not {kind} (content type {media_type or 'not given'})")
            length = response.headers.get("content-length", "")
            declared = int(length) if length.isdigit() else 0  # a bad one: counted as it comes
            if declared > self.policy.max_bytes:
                raise FetchFailure(url, self._too_big(declared))
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.policy.max_bytes:
                    raise FetchFailure(url, self._too_big(None))
                if time.monotonic() > deadline:  # a page that trickles in never times out a read
                    raise FetchFailure(url, f"timed out after {self.policy.timeout:g} s")
            return Download(str(response.url), media_type, response.charset_encoding, bytes(body))

    def _too_big(self, size: int | None) -> str:
        """Why a page is refused for its size: `size` as declared, or None when it was sent with
        no length and passed the cap on its way in."""
        limit = self.policy.max_bytes
        if size is None:
            return f"too large (over the limit of {limit:,} bytes)"
        return f"too large ({size:,} bytes; the limit is {limit:,})"

    def _robots_refusal(self, url: str) -> str | None:
        """Why the site's robots.txt refuses `url` to `ROBOTS_AGENT`, or None when it allows it.
        RFC 9309: a missing robots.txt allows all; one the server fails to give, or refuses to
        show, forbids all."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            robots = urllib.robotparser.RobotFileParser(site + "/robots.txt")
            unread = None
            try:
                response = self.client.get(site + "/robots.txt")
                if response.status_code >= 500 or response.status_code in (401, 403):
                    unread = f"HTTP {response.status_code}"
                elif response.status_code < 400:
                    robots.parse(response.text.splitlines())
            except httpx.HTTPError as error:
                unread = type(error).__name__
            if unread is not None:
                robots.parse(_FORBID_ALL)
            self._robots[site] = (robots, unread)
        robots, unread = self._robots[site]
        if robots.can_fetch(ROBOTS_AGENT, url):
            return None
        if unread is not None:
            return f"the site's robots.txt could not be read ({unread}), which forbids all"
        return "refused by the site's robots.txt"


def fetch_pages(
    urls: Iterable[str],
    into: str | os.PathLike[str],
    fetcher: Fetcher,
    *,
    feeds: Iterable[str] = (),
) -> FetchReport:
    """Fetch each URL, and each article a feed lists that the folder does not hold yet, into
    `into`, updating its manifest.csv after each page (an interrupted fetch keeps what it saved).
    A manifest the rows could not be written into as it stands (not a file, not UTF-8, a quote
    never closed: csv would read the rest of it as one cell) is a `ManifestError` before anything
    is downloaded. The folder is made when the first page is saved: a fetch that saves nothing
    leaves no empty folder behind.
    """
    folder = Path(into)
    if os.path.lexists(folder) and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(folder))
    if os.path.lexists(folder / MANIFEST_NAME):
        load_manifest(folder / MANIFEST_NAME)
    report = FetchReport()
    for url in _wanted(urls, feeds, folder, fetcher, report):
        try:
            report.saved.append(_fetch_one(url, folder, fetcher))
        except FetchFailure as failure:
            report.failures.append(failure)
    return report


def _wanted(
    urls: Iterable[str], feeds: Iterable[str], folder: Path, fetcher: Fetcher, report: FetchReport
) -> Iterator[str]:
    """The URLs given, then the new articles of each feed (those already in the folder, by file
    or by the manifest's url, are skipped)."""
    yield from urls
    manifest = folder / MANIFEST_NAME
    for feed in feeds:
        try:
            links = feed_links(feed, fetcher)
        except FetchFailure as failure:
            report.failures.append(failure)
            continue
        known = _known_urls(manifest)
        for link in links:
            if link in known or (folder / file_name_for(link)).exists():
                report.skipped.append(link)
            else:
                yield link


def feed_links(feed_url: str, fetcher: Fetcher) -> list[str]:
    """The article URLs an RSS or Atom feed lists, in its order."""
    download = fetcher.get(feed_url, FEED_TYPES)
    parsed = feedparser.parse(download.body)
    if parsed.bozo and not parsed.entries:
        raise FetchFailure(feed_url, f"not a readable feed ({parsed.get('bozo_exception')})")
    links = []
    for entry in parsed.entries:
        link = entry.get("link")
        if link:
            links.append(urljoin(download.url, link))
    return links


def _fetch_one(url: str, folder: Path, fetcher: Fetcher) -> Saved:
    download = fetcher.get(url, PAGE_TYPES)
    path = folder / file_name_for(url)
    # read as `ledger ingest` will read it, the HTTP header's charset first: a page with no
    # article is not saved
    options = ReadOptions(max_bytes=fetcher.policy.max_bytes, encoding=download.charset)
    try:
        meta = read_page(path, download.body, options).page
    except SourceError as error:
        raise FetchFailure(url, error.reason) from None
    status = "added"
    if path.exists():
        status = "unchanged" if path.read_bytes() == download.body else "updated"
    folder.mkdir(parents=True, exist_ok=True)
    if status != "unchanged":
        _write_atomically(path, download.body)
    row = {
        "file": path.name,
        "url": meta.url or download.url,
        "retrieved_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "title": meta.title,
        "publisher": meta.publisher,
        "author": meta.author,
        "published": meta.published.isoformat() if meta.published else None,
    }
    if download.charset and not re.search(rb"<meta[^>]+charset", download.body[:4096], re.I):
        row["encoding"] = download.charset  # said only in the HTTP header, which is not kept
    update_manifest(folder / MANIFEST_NAME, row)
    return Saved(url, path, status)


def update_manifest(path: Path, row: dict[str, str | None]) -> None:
    """Add `row` to the manifest at `path`, or update the row of its file: url, retrieved_at and
    encoding are the fetch's to set; the page's metadata only fills cells that are empty (what a
    person wrote there wins). Columns are found by meaning, so any accepted spelling is kept."""
    header: list[str] = []
    rows: list[dict[str, str]] = []
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            rows = list(reader)
    column: dict[str, str] = {}  # meaning -> the column as the manifest spells it
    for name in header:
        key = re.sub(r"[\s-]+", "_", name.strip().lower())
        for meaning, spellings in MANIFEST_COLUMNS.items():
            if key in spellings:
                column.setdefault(meaning, name)
    for meaning in (*FETCHED_COLUMNS, *(("encoding",) if "encoding" in row else ())):
        if meaning not in column:
            column[meaning] = meaning
            header.append(meaning)
    mine = next((r for r in rows if r.get(column["file"]) == row["file"]), None)
    if mine is None:
        mine = {}
        rows.append(mine)
    for meaning, value in row.items():
        cell = column[meaning]
        if meaning in ("url", "retrieved_at", "encoding") or not mine.get(cell):
            mine[cell] = value or ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows({name: r.get(name, "") for name in header} for r in rows)
    _write_atomically(path, buffer.getvalue().encode("utf-8"))


def _known_urls(manifest: Path) -> set[str]:
    """The URLs a folder's manifest already lists (by the url column)."""
    if not manifest.exists():
        return set()
    try:
        return {meta.url for meta in load_manifest(manifest).rows.values() if meta.url}
    except ManifestError:
        return set()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside `path` and rename into place: a killed fetch never leaves half a page."""
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)

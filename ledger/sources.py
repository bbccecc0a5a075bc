"""Find and read source articles: `.txt`, `.md` and saved web pages (`.html`, `.htm`), with
metadata from one `manifest.csv` per folder.

A source's id is its file name's stem (`sources/000_abc.txt` -> `000_abc`), so it stays the same
wherever the folder is checked out; two files with one stem are refused, not merged. Metadata
lives in a `manifest.csv` beside the articles, one row per file (`MANIFEST_COLUMNS` is the
contract: what each column means and the spellings accepted for it). A file with no row still
ingests, and its title is then its first non-empty line (or its page's title).

Text files are decoded as UTF-8 (a leading byte-order mark is dropped), or, when they are not
UTF-8, in the encoding charset-normalizer detects (`decode_source`); a page's text is the article
`ledger.article` finds in it. Claim offsets refer to the text as decoded or extracted, which is
what the ledger stores; the file itself is kept as it is. A file that cannot be read as text is a
`SourceError` naming the file and the reason, never a crash of the whole ingest.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ledger.models import SourceMeta, validation_message
from ledger.sentences import Sentences

TEXT_SUFFIXES = (".txt", ".md")
PAGE_SUFFIXES = (".html", ".htm")
SOURCE_SUFFIXES = TEXT_SUFFIXES + PAGE_SUFFIXES
MANIFEST_NAME = "manifest.csv"
# What each manifest column means, and the spellings accepted for it (compared in lower case,
# with spaces and hyphens read as "_"). The README's "Sources and their metadata" lists them.
MANIFEST_COLUMNS: dict[str, tuple[str, ...]] = {
    "file": ("file", "filename", "file_name"),
    "publisher": ("publisher", "site", "site_name", "sitename", "outlet", "publication"),
    "title": ("title", "headline"),
    "author": ("author", "authors", "byline"),
    "url": ("url", "link", "canonical_url"),
    "published": ("published", "date", "published_at", "publication_date", "date_published"),
    "published_confidence": ("published_confidence", "date_confidence"),
    "retrieved_at": ("retrieved_at", "retrieved", "fetched_at"),
    "encoding": ("encoding", "charset"),
    "notes": ("notes", "note"),
}
# Columns that describe where a copy of the article came from (as in a research corpus's
# manifest): accepted, and not stored, since the ledger keeps the file itself.
PROVENANCE_COLUMNS = (
    "source_repo", "commit", "source_path", "licence", "license", "words", "word_count",
    "category",
)  # fmt: skip
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TITLE_MAX_CHARS = 120
MANIFESTS_KEPT = 2  # folders whose manifest stays parsed while files are found
# Encodings tried, in this order, among those charset-normalizer finds equally likely: the
# WHATWG default for legacy Western pages first (a superset of Latin-1's printable characters).
# Among equally likely guesses: Western first; then GB18030 (a superset of GBK and GB2312), as a
# short Chinese text in GBK is to the detector as likely Korean (cp949) as Chinese
PREFERRED_ENCODINGS = ("cp1252", "latin_1", "iso8859_15", "cp1250", "gb18030")
DETECTION_MAX_CHAOS = 0.1  # charset-normalizer's "mess" above which a guess is not trusted
# <meta charset="..."> or <meta http-equiv="Content-Type" content="text/html; charset=...">
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


class SourceError(Exception):
    """One file that could not be ingested, and why (the rest of the ingest goes on)."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, str]]:
        # An ingest's worker process sends its failures back pickled, and an exception pickles
        # as its args (here the one message): rebuilt from those, __init__ would lack `reason`
        # and the whole pool would break on the first file that failed in a worker.
        return (SourceError, (self.path, self.reason))


class ManifestError(ValueError):
    """A manifest.csv that cannot be trusted: the whole ingest stops before writing anything."""


@dataclass(frozen=True)
class SourceFile:
    """A file found for ingest, with its id and what the manifest says of it."""

    path: Path
    source_id: str
    meta: SourceMeta = field(default_factory=SourceMeta)


@dataclass(frozen=True)
class ReadOptions:
    """How files are read: the largest accepted, and an encoding that overrides detection."""

    max_bytes: int = DEFAULT_MAX_BYTES
    encoding: str | None = None


@dataclass(frozen=True)
class SourceText:
    """A source read from disk: the digest of its bytes, its text (decoded, or the article
    extracted from a page), how it was decoded, and for a page what made the text and the
    metadata the page gives."""

    sha256: str
    text: str
    size: int
    encoding: str = "utf-8"
    text_extractor: str | None = None
    page: SourceMeta = field(default_factory=SourceMeta)


@dataclass
class Manifest:
    """A folder's manifest: metadata by file name, the rows refused (by file name) and the
    problems that name no usable file. Each problem is named by its line."""

    path: str
    rows: dict[str, SourceMeta] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # file name -> its row's line
    refused: dict[str, str] = field(default_factory=dict)  # file name -> why its row was refused
    problems: list[SourceError] = field(default_factory=list)


# A line that credits a picture rather than titling the article ("Photo: VCG", "Image credit: AP").
PHOTO_CREDIT = re.compile(
    r"""
    ^\s*
    (?:file\s+)?                        # "File photo: ..."
    (?:photo|image|picture|pic)s?       # what is credited
    (?:\s+credits?)?                    # "Photo credit: ..."
    \s*[:/]                             # then a colon or slash, and the credit
    """,
    re.IGNORECASE | re.VERBOSE,
)


def title_from_text(text: str) -> str | None:
    """The first non-empty line that is not a photo credit, stripped (Markdown heading marks
    dropped), for sources the manifest gives no title.

    A first line that is a whole paragraph gives its first sentence, cut at a word near
    `TITLE_MAX_CHARS`.

    >>> title_from_text("\\n\\n  # Chip output rises  \\nBody")
    'Chip output rises'
    >>> title_from_text("Photo: VCG\\nU.S. curbs bite. Chinese groups respond.")
    'U.S. curbs bite.'
    >>> title_from_text("   \\n") is None
    True
    """
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line and not PHOTO_CREDIT.match(line):
            title = line[: Sentences(line).around(0)[1]]
            if len(title) > TITLE_MAX_CHARS:
                title = title[: TITLE_MAX_CHARS - 1].rsplit(" ", 1)[0] + "\u2026"
            return title
    return None


def _column_meanings(path: Path, header: list[str]) -> list[str]:
    """What each column of a manifest's header means ("" for a provenance column); a column of
    unknown meaning, or two columns of one meaning, is a `ManifestError`."""
    spellings = {alias: meaning for meaning, names in MANIFEST_COLUMNS.items() for alias in names}
    found = []
    for column in header:
        key = re.sub(r"[\s-]+", "_", column.strip().lower())
        found.append(spellings.get(key, "" if key in PROVENANCE_COLUMNS else None))
    if "file" not in found:
        raise ManifestError(f"{path}: manifest has no 'file' column (header: {','.join(header)})")
    unknown = [column for column, meaning in zip(header, found, strict=True) if meaning is None]
    if unknown:
        raise ManifestError(
            f"{path}: unknown manifest column(s) {', '.join(unknown)}; the columns are "
            f"{', '.join(MANIFEST_COLUMNS)} (other spellings in the README), and provenance "
            f"columns that are not stored ({', '.join(PROVENANCE_COLUMNS)})"
        )
    first: dict[str, str] = {}
    for column, meaning in zip(header, found, strict=True):
        if meaning and meaning in first:
            raise ManifestError(
                f"{path}: columns {first[meaning]!r} and {column!r} both mean {meaning!r}"
            )
        first[meaning or column] = column
    return [meaning or "" for meaning in found]


def load_manifest(path: str | os.PathLike[str]) -> Manifest:
    """Read a manifest.csv. A bad row is refused (named by its line) and the others are kept; a
    manifest that cannot be read or whose columns are not understood is a `ManifestError`."""
    path = Path(path)
    if not path.is_file():  # a folder, or a FIFO that would never be read to its end
        raise ManifestError(f"{path}: not a file; a manifest is a CSV file")
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:  # saved by a spreadsheet as Windows-1252, say
        line = error.object[: error.start].count(b"\n") + 1
        byte = error.object[error.start]
        raise ManifestError(
            f"{path}, line {line}: not UTF-8 text (byte 0x{byte:02x}); save the manifest as UTF-8"
        ) from None
    except OSError as error:
        raise ManifestError(f"{path}: cannot read manifest ({error.strerror or error})") from error
    reader = csv.reader(io.StringIO(raw, newline=""))
    manifest = Manifest(str(path))
    row_start = next_start = 1  # the lines the last row read and the next one start on
    try:
        meanings = _column_meanings(path, next(reader, []))
        next_start = reader.line_num + 1
        for fields in reader:
            row_start, next_start = next_start, reader.line_num + 1
            if any(value.strip() for value in fields):
                _manifest_row(manifest, reader.line_num, meanings, fields)
    except csv.Error as error:  # e.g. a field over csv.field_size_limit() (131,072 characters)
        raise ManifestError(f"{path}, line {reader.line_num}: {error}") from None
    if _never_closed(raw, row_start):
        # csv reads the rest of the file into the open field: the rows after it would be lost
        # without a word (their files read with no metadata), so none is trusted
        raise ManifestError(f"{path}, line {row_start}: a quote opened here is never closed")
    return manifest


def _never_closed(raw: str, line: int) -> bool:
    """Whether the row of a manifest's text starting on `line` opens a quoted field that runs to
    the end of the file (csv, unless strict, reads all of it into the field without a word)."""
    rest = "".join(io.StringIO(raw, newline="").readlines()[line - 1 :])
    try:
        for _row in csv.reader(io.StringIO(rest, newline=""), strict=True):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def _manifest_row(manifest: Manifest, line: int, meanings: list[str], fields: list[str]) -> None:
    """Add one row to `manifest`, or the reason it is refused."""
    values = {m: value.strip() for m, value in zip(meanings, fields, strict=False) if m}
    name = values.pop("file", "")
    if len(fields) != len(meanings):
        more_or_fewer = "more" if len(fields) > len(meanings) else "fewer"
        reason = f"{more_or_fewer} fields than columns"
    elif not name:
        reason = "empty 'file'"
    elif "/" in name or os.sep in name:
        reason = f"{name} is a path: a manifest describes the files beside it"
        name = ""  # no file here has this name: the row is a problem of the manifest's own
    elif name in manifest.rows or name in manifest.refused:
        reason = f"{name} is listed twice (first on line {manifest.lines[name]})"
        name = ""  # the first row stands
    else:
        try:
            manifest.rows[name] = SourceMeta.model_validate(
                {key: value or None for key, value in values.items()}
            )
            manifest.lines[name] = line
            return
        except ValidationError as error:
            reason = validation_message(error, "published")
    if name and name not in manifest.refused:
        manifest.refused[name] = f"line {line}: {reason}; {name} skipped"
        manifest.lines[name] = line
    else:
        manifest.problems.append(SourceError(manifest.path, f"line {line}: {reason}"))


def find_sources(
    paths: Iterable[str | os.PathLike[str]], *, follow_links: bool = False
) -> tuple[list[SourceFile], list[SourceError]]:
    """Every source file under `paths` and the paths that failed, as lists (see `iter_sources`)."""
    failures: list[SourceError] = []
    found = list(iter_sources(paths, failures, follow_links=follow_links))
    return found, failures


UnchangedFolder = Callable[[str, list[str]], bool]
"""`unchanged(folder, names)`: whether a walked folder's source files (absolute folder path, file
names) are known to be stored as they are, so that none of them needs to be looked at."""


@dataclass(frozen=True)
class _Folder:
    """Source files of one folder, as `_expand` finds them: the absolute folder, the file names,
    the paths as given, and whether this is the whole folder (not files named one by one)."""

    folder: str
    names: list[str]
    given: list[str]
    whole: bool


def iter_sources(
    paths: Iterable[str | os.PathLike[str]],
    failures: list[SourceError],
    *,
    unchanged: UnchangedFolder | None = None,
    follow_links: bool = False,
) -> Iterator[SourceFile]:
    """Expand files and folders into the source files to ingest, lazily, in a stable order.

    Folders are walked recursively (hidden entries skipped, names sorted) for source files, one
    folder at a time, so a million-file corpus is never listed in memory; the ids already taken
    are kept on disk (`_TakenIds`). Each folder's manifest is read when the folder comes up (one
    that cannot be understood raises `ManifestError` there); its refused rows, and the rows of a
    walked folder that name no file in it, are failures. A folder that `unchanged` says is stored
    as it is yields nothing (its ids are still taken). A missing path, a file of another type
    named explicitly, anything that is not a regular file (a FIFO, a device), a symbolic link
    that leads out of the folder being read (unless `follow_links`), a file whose manifest row
    was refused, or a second file with an id already taken are appended to `failures` and
    skipped.
    """
    manifests: dict[str, Manifest] = {}  # the few folders being walked
    with _TakenIds() as taken:
        # Plain strings until the end: a corpus may hold a million files, and pathlib costs more.
        for found in _expand(paths, failures, follow_links):
            manifest = _folder_manifest(manifests, found.folder)
            if found.whole:
                failures += manifest.problems
                present = set(found.names)
                failures += [
                    SourceError(manifest.path, f"line {line}: names {name}, which is not here")
                    for name, line in manifest.lines.items()
                    if name not in present and not os.path.exists(os.path.join(found.folder, name))
                ]
            found = _text_names(found, failures)
            free = []
            holders = taken.take_folder(found.folder, found.names)
            for name, given, holder in zip(found.names, found.given, holders, strict=True):
                if name in manifest.refused:
                    failures.append(SourceError(manifest.path, manifest.refused[name]))
                elif holder is None:
                    free.append((name, given))
                elif holder != os.path.join(found.folder, name):  # else a file named twice (in a
                    source_id = os.path.splitext(name)[0]  # folder and on its own): once is enough
                    reason = f"source id {source_id!r} is already taken by {holder} in this ingest"
                    failures.append(SourceError(given, reason))
            if unchanged is not None and free and unchanged(found.folder, [n for n, _ in free]):
                continue
            for name, given in free:
                meta = manifest.rows.get(name) or SourceMeta()
                yield SourceFile(path=Path(given), source_id=os.path.splitext(name)[0], meta=meta)


def _text_names(found: _Folder, failures: list[SourceError]) -> _Folder:
    """`found` without the files whose path is not UTF-8 (bytes Python keeps as surrogates),
    each a failure: ids and paths are stored as text, which they cannot be written in."""
    names, given = [], []
    for name, path in zip(found.names, found.given, strict=True):
        try:
            os.path.join(found.folder, path).encode("utf-8")
        except UnicodeEncodeError:
            failures.append(SourceError(path, "the file's path is not UTF-8: rename it"))
            continue
        names.append(name)
        given.append(path)
    if len(names) == len(found.names):
        return found
    return _Folder(found.folder, names, given, found.whole)


def _folder_manifest(manifests: dict[str, Manifest], folder: str) -> Manifest:
    """The manifest of `folder` (empty when it has none), parsed once while its files come up."""
    if folder not in manifests:
        if len(manifests) >= MANIFESTS_KEPT:
            del manifests[next(iter(manifests))]
        path = os.path.join(folder, MANIFEST_NAME)
        manifests[folder] = load_manifest(path) if os.path.lexists(path) else Manifest(path)
    return manifests[folder]


_IDS_PER_QUERY = 500  # well under SQLite's least limit on a statement's parameters (999)


class _TakenIds:
    """Which file took each source id in one walk, kept in a private temporary SQLite database.

    A dict of a million ids costs about 140 MB; SQLite keeps a few MB of pages in memory and
    writes the rest to a temporary file, deleted when the walk ends.
    """

    def __init__(self) -> None:
        # "" is SQLite's private temporary on-disk database (":memory:" would never spill). An
        # abandoned walk may be closed by whichever thread collects its generator.
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.execute("create table taken (id text primary key, path text not null)")

    def take_folder(self, folder: str, names: list[str]) -> list[str | None]:
        """Give each file of `folder` its id: for each, None if the id was free, else the path
        that already holds it. Two statements a folder, not one a file.

        >>> with _TakenIds() as taken:
        ...     print(taken.take_folder("/a", ["x.md", "x.txt", "y.md"]))
        ...     print(taken.take_folder("/b", ["y.txt"]))
        [None, '/a/x.md', None]
        ['/a/y.md']
        """
        ids = [os.path.splitext(name)[0] for name in names]
        holders: dict[str, str] = {}
        for start in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[start : start + _IDS_PER_QUERY]
            marks = ", ".join("?" for _ in chunk)
            holders.update(
                self._db.execute(f"select id, path from taken where id in ({marks})", chunk)
            )
        found: list[str | None] = []
        new: list[tuple[str, str]] = []
        for source_id, name in zip(ids, names, strict=True):
            holder = holders.get(source_id)
            if holder is None:  # taken now, also against a twin in the same folder (x.txt, x.md)
                holders[source_id] = os.path.join(folder, name)
                new.append((source_id, holders[source_id]))
            found.append(holder)
        self._db.executemany("insert into taken values (?, ?)", new)
        return found

    def __enter__(self) -> _TakenIds:
        return self

    def __exit__(self, *exc: object) -> None:
        self._db.close()


def _expand(
    paths: Iterable[str | os.PathLike[str]], failures: list[SourceError], follow_links: bool
) -> Iterator[_Folder]:
    """The source files under `paths`, a folder at a time; a file named on its own comes as a
    folder of one."""
    for given in paths:
        path = os.fspath(given)
        if os.path.isdir(path):
            yield from _walk(path, failures, follow_links)
        elif not os.path.lexists(path):
            failures.append(SourceError(path, missing_reason(path)))
        elif not path.lower().endswith(SOURCE_SUFFIXES):
            failures.append(
                SourceError(path, f"not a source file (expected {', '.join(SOURCE_SUFFIXES)})")
            )
        else:
            folder, name = os.path.split(os.path.abspath(path))
            refused = _refused_entry(path, folder, follow_links)
            if refused:
                failures.append(SourceError(path, refused))
            else:
                yield _Folder(folder, [name], [path], whole=False)


def missing_reason(path: str) -> str:
    """Why a path given is not read when nothing is there: a URL is fetched first.

    >>> missing_reason("https://example.com/story")
    'a URL, not a file: fetch it first (ledger fetch URL --into DIR)'
    """
    if re.match(r"(?i)https?://", path):
        return "a URL, not a file: fetch it first (ledger fetch URL --into DIR)"
    return "no such file or folder"


def _refused_entry(path: str, root: str, follow_links: bool) -> str | None:
    """Why the file at `path` is not read, or None: a link leading out of `root` (unless
    `follow_links`), or anything that is not a regular file (reading a FIFO would wait forever).
    """
    if os.path.islink(path) and not follow_links:
        target = os.path.realpath(path)
        if os.path.commonpath([target, os.path.realpath(root)]) != os.path.realpath(root):
            return f"a symbolic link to {target}, outside {root} (--follow-links reads it)"
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return f"cannot read ({error.strerror or error})"
    if not stat.S_ISREG(mode):
        return f"not a regular file ({_file_kind(mode)}), skipped"
    return None


def _file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words.

    >>> _file_kind(stat.S_IFIFO)
    'a named pipe'
    """
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a folder" if stat.S_ISDIR(mode) else "not a file"


def _walk(root: str, failures: list[SourceError], follow_links: bool) -> Iterator[_Folder]:
    """Each folder under `root`, as `_expand` gives it: its own files by name, then its
    subfolders by name. Links are read only when they stay inside `root` (or `follow_links`);
    a linked folder is entered only with `follow_links`, and each real folder only once."""
    real_root = os.path.realpath(root)
    seen = {real_root}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            failures.append(SourceError(folder, f"cannot list ({error.strerror or error})"))
            continue
        names, subfolders = [], []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry.path)
            elif entry.is_symlink() and entry.is_dir():
                if follow_links and os.path.realpath(entry.path) not in seen:
                    seen.add(os.path.realpath(entry.path))
                    subfolders.append(entry.path)
            elif entry.name.lower().endswith(SOURCE_SUFFIXES):
                # A regular file that is no link needs no more look than the listing gave.
                plain = entry.is_file(follow_symlinks=False)
                refused = None if plain else _refused_entry(entry.path, real_root, follow_links)
                if refused:
                    failures.append(SourceError(entry.path, refused))
                else:
                    names.append(entry.name)
        has_manifest = any(entry.name == MANIFEST_NAME for entry in entries)
        if names or has_manifest:
            absolute = os.path.abspath(folder)
            yield _Folder(absolute, names, [os.path.join(folder, n) for n in names], whole=True)
        stack.extend(reversed(subfolders))


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def read_source(path: str | os.PathLike[str], options: ReadOptions = ReadOptions()) -> SourceText:
    """Read a source file as text (a page: its article), or raise `SourceError` saying why it
    cannot be one. Only a regular file is read: a FIFO put in its place is refused, not waited on.
    """
    try:
        # O_NONBLOCK: opening a FIFO would otherwise block until a writer came along.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(descriptor, "rb") as handle:
            mode, size = os.fstat(descriptor).st_mode, os.fstat(descriptor).st_size
            if not stat.S_ISREG(mode):
                raise SourceError(path, f"not a regular file ({_file_kind(mode)}), skipped")
            if size > options.max_bytes:
                limit = options.max_bytes
                raise SourceError(path, f"too large ({size:,} bytes; the limit is {limit:,})")
            data = handle.read(options.max_bytes + 1)
    except OSError as error:
        raise SourceError(path, f"cannot read ({error.strerror or error})") from error
    if os.fspath(path).lower().endswith(PAGE_SUFFIXES):
        return read_page(path, data, options)
    return decode_source(path, data, options)


def read_page(path: str | os.PathLike[str], data: bytes, options: ReadOptions) -> SourceText:
    """A saved web page's article text and metadata (see `ledger.article`)."""
    from ledger.article import read_article, text_extractor  # lxml and trafilatura: pages only

    page = decode_source(path, data, options, html=True)
    article = read_article(page.text)
    if not article.text.strip():
        raise SourceError(path, "no article text found in the page")
    return SourceText(
        sha256=page.sha256,
        text=article.text,
        size=page.size,
        encoding=page.encoding,
        text_extractor=text_extractor(),
        page=article.meta,
    )


def decode_source(
    path: str | os.PathLike[str],
    data: bytes,
    options: ReadOptions = ReadOptions(),
    *,
    html: bool = False,
) -> SourceText:
    """Check and decode a source's bytes (named failures for empty, binary, undecodable, too big).

    UTF-8 first (a byte-order mark dropped), then a page's declared charset, then the encoding
    charset-normalizer detects when it is confident; `options.encoding` overrides all of them.

    >>> decode_source("a.txt", b"\\xef\\xbb\\xbfGDP grew 2.3%").text
    'GDP grew 2.3%'
    >>> read = decode_source("b.txt", "Up 2.3% \\u2014 the most since 1990.".encode("cp1252"))
    >>> read.encoding, read.text == "Up 2.3% \\u2014 the most since 1990."
    ('cp1252', True)
    >>> decode_source("c.txt", b"caf\\xe9", ReadOptions(encoding="latin-1")).text
    'caf\\xe9'
    """
    if len(data) > options.max_bytes:
        limit = options.max_bytes
        raise SourceError(path, f"too large ({len(data):,} bytes; the limit is {limit:,})")
    named = options.encoding
    if b"\x00" in data and not named:  # UTF-16 text has NULs: named, or marked, it is read
        named = _unicode_by_mark(data)
        if named is None:
            nul = data.index(b"\x00")
            raise SourceError(path, f"binary file (NUL byte at offset {nul})")
    text, encoding = _decode(path, data, named, html)
    if not text.strip():
        raise SourceError(path, "empty (no text)")
    return SourceText(
        sha256=hashlib.sha256(data).hexdigest(), text=text, size=len(data), encoding=encoding
    )


def _unicode_by_mark(data: bytes) -> str | None:
    """The UTF-16 or UTF-32 a byte-order mark says the bytes are in (Windows Notepad's "Unicode"
    is UTF-16 with one), else None. Asked only of bytes with NULs, as any ASCII character in
    UTF-16 has one: "\xff\xfe bad bytes" is no UTF-16. UTF-32's marks first: UTF-32-LE's begins
    with UTF-16-LE's.

    >>> _unicode_by_mark("GDP".encode("utf-16")), _unicode_by_mark(b"GDP")
    ('utf-16', None)
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _decode(
    path: str | os.PathLike[str], data: bytes, override: str | None, html: bool
) -> tuple[str, str]:
    """(text, the encoding's codec name) for a source's bytes; see `decode_source`."""
    if override:
        try:
            codec = codecs.lookup(override).name
            return data.decode(codec), codec
        except LookupError:
            raise SourceError(path, f"unknown encoding {override!r}") from None
        except UnicodeDecodeError as error:
            bad = data[error.start : error.start + 1].hex()
            raise SourceError(
                path, f"not valid {codec} (byte 0x{bad} at offset {error.start})"
            ) from None
    declared = _declared_charset(data) if html else None
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8"
    except UnicodeDecodeError as error:
        first_bad = error
    if declared is not None:
        with_declared = _try_decode(data, declared)
        if with_declared is not None:
            return with_declared, declared
    detected = _detect(data)
    if detected is None:
        bad = data[first_bad.start : first_bad.start + 1].hex()
        raise SourceError(
            path,
            f"not valid UTF-8 (byte 0x{bad} at offset {first_bad.start}) and its encoding "
            "could not be detected with confidence; name it with --encoding",
        )
    return data.decode(detected), detected


def _try_decode(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _declared_charset(data: bytes) -> str | None:
    """The codec a page declares in a <meta> of its first 4 KB, as browsers read it (WHATWG:
    "iso-8859-1" and "ascii" mean windows-1252); None when undeclared or unknown.

    >>> _declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=latin1">')
    'cp1252'
    """
    match = _DECLARED_CHARSET.search(data[:4096])
    if match is None:
        return None
    try:
        codec = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return "cp1252" if codec in ("iso8859-1", "ascii", "latin-1") else codec


def _detect(data: bytes) -> str | None:
    """The encoding charset-normalizer finds for bytes that are not UTF-8, or None when it has
    no confident guess. Among equally likely guesses, `PREFERRED_ENCODINGS` decides: short
    Western text is as "likely" Central European as Western to the detector.

    >>> _detect("The \\u00a385m fund, up 4% \\u2014 said Chlo\\u00e9.".encode("cp1252"))
    'cp1252'
    """
    from charset_normalizer import from_bytes  # only for the few files that are not UTF-8

    # UTF-16 and -32 are left out: their text has NUL bytes, refused as binary before this, so
    # a guess of them is a guess of noise (b"\\xff\\xfe" and a few bytes).
    matches = [
        match
        for match in from_bytes(data)
        if match.chaos <= DETECTION_MAX_CHAOS and not match.encoding.startswith("utf_")
    ]
    if not matches:
        return None
    least = min(match.chaos for match in matches)
    candidates = [
        codec
        for match in matches
        if match.chaos == least
        for codec in (match.encoding, *match.could_be_from_charset)
    ]
    preferred = [codec for codec in PREFERRED_ENCODINGS if codec in candidates]
    return codecs.lookup(preferred[0] if preferred else candidates[0]).name

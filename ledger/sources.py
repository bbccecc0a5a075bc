"""Find and read source articles: `.txt` and `.md` files, with metadata from one `manifest.csv`.

A source's id is its file name's stem (`sources/000_abc.txt` -> `000_abc`), so it stays the same
wherever the folder is checked out. Metadata lives in a `manifest.csv` beside the articles, one row
per file (columns `file,publisher,title,url,published,published_confidence,notes`); a file with no
row still ingests, and its title is then its first non-empty line.

Text is decoded as UTF-8 (a leading byte-order mark is dropped); claim offsets refer to the text as
decoded, which is what the ledger stores. A file that cannot be read as text is a `SourceError`
naming the file and the reason, never a crash of the whole ingest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ledger.models import SourceMeta, validation_message

SOURCE_SUFFIXES = (".txt", ".md")
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = (
    "file",
    "publisher",
    "title",
    "url",
    "published",
    "published_confidence",
    "notes",
)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TITLE_MAX_CHARS = 120
MANIFESTS_KEPT = 2  # folders whose manifest stays parsed while files are found


class SourceError(Exception):
    """One file that could not be ingested, and why (the rest of the ingest goes on)."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class ManifestError(ValueError):
    """A manifest.csv that cannot be trusted: the whole ingest stops before writing anything."""


@dataclass(frozen=True)
class SourceFile:
    """A file found for ingest, with its id and what the manifest says of it."""

    path: Path
    source_id: str
    meta: SourceMeta = field(default_factory=SourceMeta)


@dataclass(frozen=True)
class SourceText:
    """A source read from disk: the digest of its bytes and its decoded text."""

    sha256: str
    text: str
    size: int


def source_id_for(path: str | os.PathLike[str]) -> str:
    """The id a file gets in the ledger: its name without the extension.

    >>> source_id_for("sources/000_06537919e2765593.txt")
    '000_06537919e2765593'
    """
    return Path(path).stem


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

# Where a line's first sentence ends: a stop after a lowercase letter or digit (so not "U.S."),
# then space and a capital.
SENTENCE_END = re.compile(
    r"""
    (?<=[a-z0-9)"\u201d])   # the sentence's last word ends in lowercase, a digit or a closing mark
    [.!?]                   # the stop
    (?=\s+["\u201c]?[A-Z])  # then space and the next sentence's capital
    """,
    re.VERBOSE,
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
            end = SENTENCE_END.search(line)
            title = line[: end.end()] if end else line
            if len(title) > TITLE_MAX_CHARS:
                title = title[: TITLE_MAX_CHARS - 1].rsplit(" ", 1)[0] + "\u2026"
            return title
    return None


def load_manifest(path: str | os.PathLike[str]) -> dict[str, SourceMeta]:
    """Read a manifest.csv into {file name: metadata}; anything malformed is a `ManifestError`."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path}: cannot read manifest ({error})") from error
    reader = csv.DictReader(io.StringIO(raw, newline=""), restkey="\x00extra")
    header = reader.fieldnames or []
    if "file" not in header:
        raise ManifestError(f"{path}: manifest has no 'file' column (header: {','.join(header)})")
    unknown = [name for name in header if name not in MANIFEST_COLUMNS]
    if unknown:
        raise ManifestError(
            f"{path}: unknown manifest column(s) {', '.join(unknown)}; "
            f"expected {','.join(MANIFEST_COLUMNS)}"
        )
    entries: dict[str, SourceMeta] = {}
    for row in reader:
        line = reader.line_num
        if "\x00extra" in row:
            raise ManifestError(f"{path}, line {line}: more fields than columns")
        if any(value is None for value in row.values()):
            raise ManifestError(f"{path}, line {line}: fewer fields than columns")
        name = row.pop("file").strip()
        if not name:
            raise ManifestError(f"{path}, line {line}: empty 'file'")
        if name in entries:
            raise ManifestError(f"{path}, line {line}: {name} is listed twice")
        try:
            entries[name] = SourceMeta.model_validate(
                {key: (value.strip() or None) for key, value in row.items()}
            )
        except ValidationError as error:
            raise ManifestError(f"{path}, line {line}: {validation_message(error)}") from error
    return entries


def find_sources(
    paths: Iterable[str | os.PathLike[str]],
) -> tuple[list[SourceFile], list[SourceError]]:
    """Every source file under `paths` and the paths that failed, as lists (see `iter_sources`)."""
    failures: list[SourceError] = []
    found = list(iter_sources(paths, failures))
    return found, failures


UnchangedFolder = Callable[[str, list[str]], bool]
"""`unchanged(folder, names)`: whether a walked folder's source files (absolute folder path, file
names) are known to be stored as they are, so that none of them needs to be looked at."""


def iter_sources(
    paths: Iterable[str | os.PathLike[str]],
    failures: list[SourceError],
    *,
    unchanged: UnchangedFolder | None = None,
) -> Iterator[SourceFile]:
    """Expand files and folders into the source files to ingest, lazily, in a stable order.

    Folders are walked recursively (hidden entries skipped, names sorted) for `.txt` and `.md`
    files, one folder at a time, so a million-file corpus is never listed in memory; the ids
    already taken are kept on disk (`_TakenIds`). Each folder's manifest is read when its first
    file comes up (a bad one raises `ManifestError` there). A folder that `unchanged` says is
    stored as it is yields nothing (its ids are still taken). A missing path, a file of another
    type named explicitly, or a second file with an id already taken are appended to `failures`
    and skipped.
    """
    manifests: dict[str, dict[str, SourceMeta]] = {}  # the few folders being walked
    with _TakenIds() as taken:
        # Plain strings until the end: a corpus may hold a million files, and pathlib costs more.
        for folder, names, given_paths in _expand(paths, failures):
            free = []
            holders = taken.take_folder(folder, names)
            for name, given, holder in zip(names, given_paths, holders, strict=True):
                if holder is None:
                    free.append((name, given))
                elif holder != os.path.join(folder, name):  # else a file named twice (in a folder
                    source_id = os.path.splitext(name)[0]  # and on its own): once is enough
                    reason = f"source id {source_id!r} is already taken by {holder} in this ingest"
                    failures.append(SourceError(given, reason))
            if unchanged is not None and free and unchanged(folder, [name for name, _ in free]):
                continue
            for name, given in free:
                if folder not in manifests:
                    if len(manifests) >= MANIFESTS_KEPT:
                        del manifests[next(iter(manifests))]
                    manifest = os.path.join(folder, MANIFEST_NAME)
                    manifests[folder] = load_manifest(manifest) if os.path.isfile(manifest) else {}
                meta = manifests[folder].get(name) or SourceMeta()
                yield SourceFile(path=Path(given), source_id=os.path.splitext(name)[0], meta=meta)


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
    paths: Iterable[str | os.PathLike[str]], failures: list[SourceError]
) -> Iterator[tuple[str, list[str], list[str]]]:
    """(absolute folder, file names, paths as given) of the source files, a folder at a time; a
    file named on its own comes as a folder of one."""
    for given in paths:
        path = os.fspath(given)
        if os.path.isdir(path):
            yield from _walk(path)
        elif os.path.isfile(path):
            if path.lower().endswith(SOURCE_SUFFIXES):
                folder, name = os.path.split(os.path.abspath(path))
                yield folder, [name], [path]
            else:
                failures.append(
                    SourceError(path, f"not a source file (expected {', '.join(SOURCE_SUFFIXES)})")
                )
        else:
            failures.append(SourceError(path, "no such file or folder"))


def _walk(folder: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """Each folder under `folder`, as `_expand` gives it: its own files by name, then its
    subfolders by name."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        names = sorted(
            name
            for name in files
            if not name.startswith(".") and name.lower().endswith(SOURCE_SUFFIXES)
        )
        if names:
            yield os.path.abspath(root), names, [os.path.join(root, name) for name in names]


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def read_source(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceText:
    """Read a source file as text, or raise `SourceError` saying why it cannot be one."""
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            raise SourceError(path, f"too large ({size:,} bytes; the limit is {max_bytes:,})")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise SourceError(path, f"cannot read ({error.strerror or error})") from error
    return decode_source(path, data, max_bytes=max_bytes)


def decode_source(
    path: str | os.PathLike[str], data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> SourceText:
    """Check and decode a source's bytes (named failures for empty, binary, non-UTF-8, too big).

    >>> decode_source("a.txt", b"\\xef\\xbb\\xbfGDP grew 2.3%").text
    'GDP grew 2.3%'
    >>> decode_source("b.txt", b"caf\\xe9")
    Traceback (most recent call last):
    ...
    ledger.sources.SourceError: b.txt: not valid UTF-8 (byte 0xe9 at offset 3)
    """
    if len(data) > max_bytes:
        raise SourceError(path, f"too large ({len(data):,} bytes; the limit is {max_bytes:,})")
    if b"\x00" in data:
        nul = data.index(b"\x00")
        raise SourceError(path, f"binary file (NUL byte at offset {nul})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        raise SourceError(
            path, f"not valid UTF-8 (byte 0x{bad} at offset {error.start})"
        ) from error
    if not text.strip():
        raise SourceError(path, "empty (no text)")
    return SourceText(sha256=hashlib.sha256(data).hexdigest(), text=text, size=len(data))

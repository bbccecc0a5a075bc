"""Ingest: read sources, extract their claims (in worker processes with `jobs` > 1) and write
them into a ledger through one writer.

    >>> from ledger.store import Ledger
    >>> with Ledger(":memory:") as ledger:
    ...     ingest(ledger, []).summary().startswith("0 file(s)")
    True

Ingest is incremental and crash-safe: a file whose bytes (sha256), publication date and extractor
version are unchanged is skipped without extraction; every other source is written whole, several
to a transaction, so a crash or Ctrl-C leaves each source fully ingested or untouched. A claim's id
is `claim_id(source_id, fingerprint)`, so it survives edits elsewhere in its source and its notes
stay attached. A claim that no longer comes out of its source is deleted, unless a note refers to
it: it is then kept with `retired_at` set, and its notes count as orphaned.

`Writer` is the one write path: `ingest` feeds it what its workers extract, and
`ledger.distributed.load_shards` what a Dask cluster extracted.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import posixpath
import signal
import sqlite3
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ledger import extraction, review
from ledger.models import Claim, DatePrecision, SourceMeta, claim_id, fingerprint_occurrences
from ledger.references import load_folder_references
from ledger.rules import default_rules
from ledger.schema import CLAIM_COLUMNS, SCHEMA_VERSION, SENTENCE_COLUMNS, SOURCE_COLUMNS
from ledger.sources import (
    DEFAULT_MAX_BYTES,
    MANIFEST_NAME,
    ReadOptions,
    SourceError,
    SourceFile,
    iter_sources,
    read_source,
    title_from_text,
)
from ledger.store import now

if TYPE_CHECKING:
    from ledger.store import Ledger

Extractor = Callable[..., Any]
"""`extract(text, *, published=None) -> list[Claim]`, or a function returning
`(claims, rule_timeouts)` when passed as `extractor_reports_timeouts`."""
Progress = Callable[[SourceFile, str, int], None]
"""`progress(source, status, total)`: called once per file, once it is stored."""

WARM_UP_TEXT = "Output rose 2.3% to $1.5 billion in 2020."
BATCH_FILES = 16  # files per task sent to a worker process
STAT_TRUST_NS = 2_000_000_000  # a file's mtime is trusted once it is 2 s older than its hashing


@dataclass
class IngestReport:
    """What one ingest did; also stored as a row in `runs`."""

    files_seen: int = 0
    files_added: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    failures: list[SourceError] = field(default_factory=list)
    claims_added: int = 0
    claims_removed: int = 0
    claims_retired: int = 0
    rule_timeouts: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    run_id: int | None = None

    @property
    def files_failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        """One line for the terminal."""
        line = (
            f"{self.files_seen} file(s): {self.files_added} added, {self.files_changed} changed, "
            f"{self.files_unchanged} unchanged, {self.files_failed} failed; "
            f"claims: {self.claims_added} added, {self.claims_removed} removed"
        )
        if self.claims_retired:
            line += f", {self.claims_retired} retired (kept for their notes)"
        if self.rule_timeouts:
            line += f"; {len(self.rule_timeouts)} rule timeout(s)"
        return line + f"; {self.seconds:.2f}s"


@dataclass(frozen=True)
class CommitEvery:
    """How many finished sources the writer gathers into one transaction.

    Each commit rewrites every b-tree and full-text page its transaction touched: one commit per
    1 KB news story wrote about 125 WAL pages. A transaction holds whole sources only, so a crash
    still leaves each source whole or absent, and the next ingest redoes the lost batch.
    """

    sources: int = 256
    chars: int = 4_000_000  # of text held for the batch, so memory stays bounded
    seconds: float = 0.25  # since the first of them was ready, so progress is saved regularly


@dataclass(frozen=True)
class _Job:
    """One file for a worker: what it needs to read, skip or extract it (small and picklable)."""

    source: SourceFile
    known_sha256: str | None
    options: ReadOptions
    extractor: Extractor | None
    # The publication date the stored claims were resolved against: a page's own date is known
    # only once the page is read, so the worker decides whether the date changed.
    known_published: str | None = None


Stat = tuple[int, int | None]
"""(size, mtime_ns) of a file as hashed; mtime_ns is None when the file was too fresh to trust."""


@dataclass
class Extracted:
    """What became of one file: read and extracted, unchanged, or failed (a worker's answer)."""

    source: SourceFile  # its meta: the manifest's, over what the page itself gives
    status: str  # "unchanged" | "extracted" | "failed"
    sha256: str | None = None
    text: str | None = None
    encoding: str | None = None  # how the file's bytes were decoded
    text_extractor: str | None = None  # what took the text out of a page ("trafilatura 2.3.1")
    # The claims as the extractor gave them, or (for the writer) as rows: see `source_rows`.
    claims: list[Claim] = field(default_factory=list)
    rows: SourceRows | None = None
    rule_timeouts: list[str] = field(default_factory=list)
    error: SourceError | None = None
    stat: Stat | None = None  # to store, so the next ingest can skip the file on its stat
    stored: tuple[Any, ...] | None = None  # the source's stored metadata, when already read


def extractor_version() -> str:
    # read from the module at call time, so a test's monkeypatch of it is seen
    return str(getattr(extraction, "EXTRACTOR_VERSION", "unknown"))


def _run_extractor(
    extractor: Extractor | None,
    text: str,
    published: date | None,
    precision: DatePrecision | None = None,
) -> tuple[list[Claim], list[str]]:
    """Call the extractor; use its timeout-reporting variant when it has one. The package's
    own extractor is told how much of the date is known (`precision`): a manifest's "2005" is
    stored as 2005-01-01, and must not give "last month" a made-up December 2004."""
    if extractor is None:
        module = extraction
        reporting = getattr(module, "extract_with_report", None)
        if reporting is not None:
            result = reporting(text, published=published, published_precision=precision)
            claims = getattr(result, "claims", None)
            if claims is None:
                claims, timeouts = result
            else:
                timeouts = getattr(result, "timed_out", None) or []
            return list(claims), [str(rule) for rule in timeouts]
        extractor = module.extract
    assert extractor is not None
    return list(extractor(text, published=published)), []


def file_stat(path: str | os.PathLike[str]) -> Stat | None:
    """The (size, mtime_ns) to remember for a file about to be hashed.

    Like git's "racy" rule: a file modified less than `STAT_TRUST_NS` before it is hashed could
    change again within the same mtime tick, so its mtime is not remembered and the next ingest
    hashes it again.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    fresh = time.time_ns() - st.st_mtime_ns < STAT_TRUST_NS
    return st.st_size, None if fresh else st.st_mtime_ns


def folder_signature(folder: str, names: Sequence[str], version: str) -> str | None:
    """A digest of what decides whether a folder's sources are stored as they are: the folder as
    stored, each source file's name, size and mtime_ns, its manifest's bytes, the extractor and
    schema versions. None when some file (or the manifest) cannot be trusted: too fresh (see
    `file_stat`), or gone.
    """
    digest = hashlib.sha256(f"{version}\x1f{SCHEMA_VERSION}\x1f{_display_path(folder)}".encode())
    trusted_before = time.time_ns() - STAT_TRUST_NS
    try:
        manifest = os.path.join(folder, MANIFEST_NAME)
        if os.path.exists(manifest):
            with open(manifest, "rb") as handle:
                digest.update(b"\x1f" + hashlib.sha256(handle.read()).digest())
        for name in names:
            st = os.stat(os.path.join(folder, name))
            if st.st_mtime_ns >= trusted_before:
                return None
            digest.update(f"\x1f{name}\x1e{st.st_size}\x1e{st.st_mtime_ns}".encode())
    except OSError:
        return None
    return digest.hexdigest()


def extract_source(source: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES) -> Extracted:
    """Read, hash and extract one file with the package's extractor, as an ingest worker does."""
    return _process(_Job(source, None, ReadOptions(max_bytes), None))


def _taken_by_another_file(source: SourceFile, stored_path: str) -> SourceError | None:
    """A failure when the ledger's source of this id is another file that is still on disk (two
    folders with a `report.txt` each): ids stay the file names' stems, so that existing ledgers
    and their notes keep theirs, and a collision is refused rather than one file replacing the
    other. A file moved (its stored path gone) or seen from another directory keeps its id.
    """
    if stored_path == _display_path(source.path) or not os.path.isfile(stored_path):
        return None
    with contextlib.suppress(OSError):
        if os.path.samefile(stored_path, source.path):
            return None
    return SourceError(
        source.path,
        f"source id {source.source_id!r} is already taken by {stored_path}; "
        "rename one of the two files",
    )


def _process(job: _Job) -> Extracted:
    """Read, hash and (unless unchanged) extract one file. Runs in a worker process with --jobs."""
    stat = file_stat(job.source.path)  # before reading: a later change then shows on next stat
    options = job.options
    if options.encoding is None and job.source.meta.encoding:
        options = replace(options, encoding=job.source.meta.encoding)
    try:
        read = read_source(job.source.path, options)
    except SourceError as error:
        return Extracted(job.source, "failed", error=error)
    source = replace(job.source, meta=job.source.meta.over(read.page))
    published = source.meta.published
    if read.sha256 == job.known_sha256 and _iso(published) == job.known_published:
        return Extracted(source, "unchanged", sha256=read.sha256, stat=stat)
    try:
        claims, timeouts = _run_extractor(
            job.extractor, read.text, published, source.meta.published_precision
        )
    except Exception as error:  # an extractor bug must name the file, not end the ingest
        reason = f"extractor failed ({type(error).__name__}: {error})"
        return Extracted(source, "failed", error=SourceError(job.source.path, reason))
    return Extracted(
        source, "extracted", sha256=read.sha256, text=read.text, claims=claims,
        rule_timeouts=timeouts, stat=stat, encoding=read.encoding,
        text_extractor=read.text_extractor,
    )  # fmt: skip


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _process_for_writer(job: _Job) -> Extracted:
    """`_process`, with the claims turned into the rows the writer stores (see `claim_rows`)."""
    result = _process(job)
    if not result.claims:
        return result
    return replace(result, claims=[], rows=source_rows(job.source.source_id, result.claims))


def _worker_init(parent: int) -> None:
    """Set up a worker process: it ends when the ingest process `parent` ends, however that ends.

    Ctrl-C is the writer's to handle (it rolls back and stops the pool): workers carry on with
    their batch quietly instead of each printing a KeyboardInterrupt traceback. A parent killed
    with SIGKILL cannot stop its pool, and its workers would go on extracting for nobody: on
    Linux the kernel kills them (PR_SET_PDEATHSIG); elsewhere a thread watches for the parent.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _die_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent was already gone before the above took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where that is not there."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _process_batch(jobs: list[_Job]) -> list[Extracted]:
    """Several files per round trip to a worker: small articles cost less in IPC than in work."""
    return [_process_for_writer(job) for job in jobs]


def _batches(jobs: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Consecutive groups of at most `size` jobs.

    >>> [len(batch) for batch in _batches(iter(range(5)), 2)]
    [2, 2, 1]
    """
    batch: list[Any] = []
    for job in jobs:
        batch.append(job)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bounded_map(
    executor: ProcessPoolExecutor,
    jobs: Iterable[_Job | Extracted],
    window: int,
    batch: int = BATCH_FILES,
) -> Iterator[Extracted]:
    """Like `executor.map` but with at most `window` batches in flight, results in input order.

    `Executor.map` submits every job at once and holds every result until it is consumed; over a
    large corpus that is the whole corpus in memory. This keeps memory bounded by the window.
    Items already settled (`Extracted`, e.g. unchanged by stat) pass straight through.
    """
    pending: deque[Future[list[Extracted]]] = deque()
    for group in _batches(jobs, batch):
        settled = [item for item in group if isinstance(item, Extracted)]
        work = [item for item in group if not isinstance(item, Extracted)]
        yield from settled
        if not work:
            continue
        pending.append(executor.submit(_process_batch, work))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def _display_path(path: str | os.PathLike[str]) -> str:
    """The path as stored: relative to the working directory when inside it, POSIX separators."""
    absolute, cwd = os.path.abspath(path), os.getcwd()
    if absolute.startswith(cwd + os.sep):
        absolute = absolute[len(cwd) + 1 :]
    return absolute.replace(os.sep, "/")


def _upsert_sql(
    table: str,
    columns: Iterable[str],
    from_table: str,
    keep: Iterable[str] = (),
    key: Sequence[str] = ("id",),
) -> str:
    """INSERT ... SELECT ... ON CONFLICT(key) DO UPDATE: every row of `from_table` into `table`
    (an update re-indexes only changed text). Columns in `keep` are written on insert and left
    alone on update.

    >>> for part in _upsert_sql("t", ["id", "a", "b"], "temp.s", keep=["b"]).split(" on "):
    ...     print(part)
    insert into [t] ([id], [a], [b]) select [id], [a], [b] from temp.s where true
    conflict(id) do update set [a] = excluded.[a]
    """
    columns, keep = list(columns), {*keep, *key}
    names = ", ".join(f"[{column}]" for column in columns)
    updates = ", ".join(
        f"[{column}] = excluded.[{column}]" for column in columns if column not in keep
    )
    # "where true" tells SQLite's parser that ON CONFLICT belongs to the insert, not to a join
    return (
        f"insert into [{table}] ({names}) select {names} from {from_table} where true"
        f" on conflict({', '.join(key)}) do update set {updates}"
    )


# The claims columns the writer sets as it stores a row; the others come from the extractor.
_WRITTEN_COLUMNS = ("extractor_version", "first_seen", "last_seen", "retired_at")
_EXTRACTED_COLUMNS = tuple(column for column in CLAIM_COLUMNS if column not in _WRITTEN_COLUMNS)
# Source fields that can change while the text does not (compared on an unchanged re-ingest).
_META_COLUMNS = ("path", "title", "publisher", "url", "published_confidence", "notes")
# Read past the text: written once by the schema's second version, and rarely changed.
_LATER_META_COLUMNS = ("author", "published_precision", "retrieved_at", "text_extractor")
_SENTENCE_KEY = ("source_id", "start")


@dataclass
class _BatchRows:
    """The rows one batch writes to `sources`, `claims`, `sentences`, `file_stats` and
    `folder_stats`,
    gathered source by source and written at the end of the batch's transaction.

    SQLite runs an insert's full-text trigger inside a savepoint of its statement, and FTS5
    writes out its pending index at each one: with a statement per row, indexing cost four times
    what it costs for the same rows in one statement. So sources, claims and sentences go to a
    temporary table first (no triggers there), and from it into theirs with one statement each.
    """

    sources: list[tuple[Any, ...]] = field(default_factory=list)
    claims: list[tuple[Any, ...]] = field(default_factory=list)
    sentences: list[tuple[Any, ...]] = field(default_factory=list)
    reextracted: list[tuple[str]] = field(default_factory=list)  # sources whose claims changed
    stats: list[tuple[Any, ...]] = field(default_factory=list)  # (id, bytes, mtime_ns, version)
    forgotten_stats: list[tuple[str]] = field(default_factory=list)  # stats not to trust
    folders: list[tuple[str, str, int]] = field(default_factory=list)  # (id, signature, files)
    forgotten_folders: set[str] = field(default_factory=set)  # signatures no longer true

    def write(self, conn: sqlite3.Connection) -> None:
        _upsert_through_staging(conn, "sources", list(SOURCE_COLUMNS), self.sources)
        _upsert_through_staging(
            conn, "claims", [*_EXTRACTED_COLUMNS, *_WRITTEN_COLUMNS], self.claims, ["first_seen"]
        )
        _upsert_through_staging(
            conn, "sentences", list(SENTENCE_COLUMNS), self.sentences, key=_SENTENCE_KEY
        )
        # A sentence goes when no claim of its source (live or retired) starts there any more.
        conn.executemany(
            "delete from sentences where source_id = ?1 and start not in"
            " (select sentence_start from claims where source_id = ?1)",
            self.reextracted,
        )
        conn.executemany(
            "insert or replace into file_stats (id, bytes, mtime_ns, extractor_version) "
            "values (?, ?, ?, ?)",
            self.stats,
        )
        conn.executemany("delete from file_stats where id = ?", self.forgotten_stats)
        conn.executemany(
            "delete from folder_stats where id = ?", [(f,) for f in sorted(self.forgotten_folders)]
        )
        conn.executemany(
            "insert or replace into folder_stats (id, signature, files) values (?, ?, ?)",
            self.folders,
        )


@dataclass
class _OpenFolder:
    """A folder whose signature is stored once the writer has stored each of its files."""

    key: str  # the folder as stored (`_display_path`)
    signature: str
    files: int
    left: int
    failed: bool = False


class _FolderSignatures:
    """The folders of one ingest that need not be looked into, and those to sign (`folder_stats`,
    `folder_signature`): what makes a re-ingest of an unchanged corpus a walk of its listing.

    The walk asks `unchanged` of each folder before it lists the folder's files. A folder whose
    stored signature is the same counts as unchanged, file by file, with no row read. Any other
    is signed by the writer in the transaction that stores its last file, unless one of its files
    failed; an interrupted ingest signs only the folders it finished.
    """

    def __init__(self, writer: Writer, *, force: bool) -> None:
        self.writer, self.force = writer, force
        self.open: dict[str, _OpenFolder] = {}  # absolute folder -> what to sign it with

    def unchanged(self, folder: str, names: list[str]) -> bool:
        writer = self.writer
        signature = folder_signature(folder, names, writer.version)
        if signature is None:
            return False
        key = _display_path(folder)
        stored = writer.db.execute(
            "select signature from folder_stats where id = ?", [key]
        ).fetchone()
        if self.force or stored is None or stored[0] != signature:
            self.open[folder] = _OpenFolder(key, signature, len(names), len(names))
            return False
        writer.report.files_seen += len(names)
        writer.report.files_unchanged += len(names)
        if writer.progress is not None:
            for name in names:
                source = SourceFile(Path(folder, name), os.path.splitext(name)[0])
                writer.progress(source, "unchanged", writer.total)
        return True

    def written(self, result: Extracted, rows: _BatchRows) -> None:
        """Count a stored file against its folder; sign the folder with `rows` after its last."""
        folder = os.path.dirname(os.path.abspath(result.source.path))
        waiting = self.open.get(folder)
        if waiting is None:
            return
        waiting.failed = waiting.failed or result.status == "failed"
        waiting.left -= 1
        if waiting.left == 0:
            del self.open[folder]
            if not waiting.failed:
                rows.folders.append((waiting.key, waiting.signature, waiting.files))


def _upsert_through_staging(
    conn: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    keep: Iterable[str] = (),
    key: Sequence[str] = ("id",),
) -> None:
    """Upsert `rows` into `table` with one statement, by way of an empty temporary copy of it."""
    if not rows:
        return
    staging = f"temp.[{table}_incoming]"
    names = ", ".join(f"[{column}]" for column in columns)
    conn.execute(f"create table if not exists {staging} as select {names} from [{table}] where 0")
    conn.executemany(f"insert into {staging} values ({', '.join('?' for _ in columns)})", rows)
    conn.execute(_upsert_sql(table, columns, staging, keep, key))
    conn.execute(f"delete from {staging}")


def _remember_stat(rows: _BatchRows, source_id: str, stat: Stat | None, version: str) -> None:
    """Keep (or forget) the stat a file had when hashed, with the extractor version its claims
    came from."""
    if stat is None:
        rows.forgotten_stats.append((source_id,))
    else:
        rows.stats.append((source_id, *stat, version))


class SourceRows(NamedTuple):
    """A source's claims as the writer stores them, built where they were extracted: in a worker
    process they cost the single writer nothing, and tuples of plain values come back through
    the pipe cheaper than pydantic models."""

    claims: list[tuple[Any, ...]]  # rows of `claims`: the columns from the extractor, id first
    sentences: list[tuple[Any, ...]]  # rows of `sentences`: (source_id, start, text), each once


def source_rows(source_id: str, claims: Sequence[Claim]) -> SourceRows:
    """`claims` (one source's, in document order) as the rows the writer stores."""
    fingerprints = [claim.fingerprint for claim in claims]
    if not all(fingerprints) or len(set(fingerprints)) < len(fingerprints):
        fingerprints = fingerprint_occurrences(claim.model_dump() for claim in claims)
    ids = [claim_id(source_id, fp) for fp in fingerprints]
    by_fingerprint = dict(zip(fingerprints, ids, strict=True))
    rows = []
    sentences: dict[int, str] = {}
    for claim, fp, cid in zip(claims, fingerprints, ids, strict=True):
        row = claim.model_dump(exclude={"sentence"})
        row.update(
            id=cid,
            source_id=source_id,
            fingerprint=fp,
            related=json.dumps(
                [by_fingerprint.get(other) or claim_id(source_id, other) for other in claim.related]
            ),
        )
        rows.append(tuple(row[column] for column in _EXTRACTED_COLUMNS))
        # the longest, should two claims' sentences starting here differ (one widened)
        if len(claim.sentence) > len(sentences.get(claim.sentence_start, "")):
            sentences[claim.sentence_start] = claim.sentence
    return SourceRows(rows, [(source_id, start, text) for start, text in sentences.items()])


class Writer:
    """The one way extracted sources get into a ledger: whole, several to a transaction, each
    source's claims upserted by stable id, the run recorded in `runs` by `finish`.

        writer = Writer(ledger)
        writer.write(results)  # `Extracted` results, as `extract_source` makes them
        report = writer.finish()
    """

    def __init__(
        self,
        ledger: Ledger,
        *,
        progress: Progress | None = None,
        commit_every: CommitEvery = CommitEvery(),
    ) -> None:
        self.ledger, self.db = ledger, ledger.db
        self.progress, self.commit_every = progress, commit_every
        self.version = extractor_version()
        self.report = IngestReport()
        self.total = 0  # files, for `progress`, when known
        self._started, self._started_at = time.perf_counter(), now()

    def stored_sha256(self, source: SourceFile) -> str | None:
        """The stored hash of `source` if this extractor version made its claims, from the same
        publication date (the extractor reads it to resolve "last year"); else None.

        One primary-key lookup per source, as in `plan`, so memory stays flat.
        """
        row = self.db.execute(
            "select sha256, published from sources where id = ? and extractor_version = ?",
            [source.source_id, self.version],
        ).fetchone()
        published = source.meta.published.isoformat() if source.meta.published else None
        return row[0] if row is not None and row[1] == published else None

    def plan(
        self, source: SourceFile, force: bool, options: ReadOptions, extractor: Extractor | None
    ) -> _Job | Extracted:
        """What to do with one file: nothing (same stat as when hashed), hash it, or extract it.

        One primary-key lookup per file rather than a table of every stored source in memory, so
        memory stays flat however large the corpus. Only columns stored before `text` are read
        from `sources` (later ones sit past the text's overflow pages); the extractor version
        comes from the small `file_stats` row.
        """
        stored = self.db.execute(
            "select sources.sha256, sources.published, file_stats.extractor_version, "
            "file_stats.bytes, file_stats.mtime_ns, "
            + ", ".join(f"sources.{column}" for column in _META_COLUMNS)
            + " from sources left join file_stats on file_stats.id = sources.id"
            + " where sources.id = ?",
            [source.source_id],
        ).fetchone()
        if stored is not None and not force:
            taken = _taken_by_another_file(source, stored[5])
            if taken is not None:
                return Extracted(source, "failed", error=taken)
        if force or stored is None:
            return _Job(source, None, options, extractor)
        # A page's own date is read with the page: with no date in the manifest, the worker
        # compares it (`_Job.known_published`).
        same_date = stored[1] == _iso(source.meta.published)
        if same_date and stored[4] is not None and stored[2] == self.version:
            try:
                st = os.stat(source.path)
            except OSError:
                return _Job(source, None, options, extractor)  # the worker names the failure
            if (st.st_size, st.st_mtime_ns) == (stored[3], stored[4]):
                return Extracted(source, "unchanged", sha256=stored[0], stored=stored[5:])
        (stored_version,) = self.db.execute(
            "select extractor_version from sources where id = ?", [source.source_id]
        ).fetchone()
        if stored_version != self.version:
            return _Job(source, None, options, extractor)
        return _Job(source, stored[0], options, extractor, known_published=stored[1])

    def write(
        self, results: Iterable[Extracted], signatures: _FolderSignatures | None = None
    ) -> None:
        """Write results as they come, in batches of whole sources (see `CommitEvery`), and sign
        the folders they finish (`signatures`).

        A batch is gathered first and written in one short transaction, so the write lock is
        never held while a file is being extracted and other writers (notes) get their turn.
        """
        batch: list[Extracted] = []
        chars = 0
        first_ready = 0.0
        every = self.commit_every
        for result in results:
            if not batch:
                first_ready = time.monotonic()
            batch.append(result)
            chars += len(result.text or "")
            if (
                len(batch) >= every.sources
                or chars >= every.chars
                or time.monotonic() - first_ready >= every.seconds
            ):
                self._write_batch(batch, signatures)
                batch, chars = [], 0
        if batch:
            self._write_batch(batch, signatures)

    def _write_batch(self, batch: list[Extracted], signatures: _FolderSignatures | None) -> None:
        """Write a batch of results in one transaction, then tell `progress` of each."""
        with self.ledger.transaction():
            rows = _BatchRows()
            for result in batch:
                if signatures is not None:
                    signatures.written(result, rows)
                if result.status == "failed":
                    assert result.error is not None
                    self.report.failures.append(result.error)
                elif result.status == "unchanged":
                    self.report.files_unchanged += 1
                    self._refresh_metadata(result, rows)
                else:
                    self._write_source(result, rows)
            rows.write(self.db.conn)
            review.reconcile(
                self.db, [r.source.source_id for r in batch if r.status == "extracted"]
            )
        if self.progress is not None:
            for result in batch:
                self.progress(result.source, result.status, self.total)

    def _write_source(self, result: Extracted, rows: _BatchRows) -> None:
        """Store one extracted source and its claims, inside the caller's transaction: the rows
        go to `rows`, which the caller writes before it commits.

        Claims still found keep their id and first_seen; new ones are added; ones gone are deleted
        or, if a note refers to them, retired. Counts are added to `report`.
        """
        assert result.sha256 is not None and result.text is not None
        source, stored = result.source, result.rows or SourceRows([], [])
        stamp = now()
        source_id = source.source_id
        ids = [row[0] for row in stored.claims]  # id is a claim row's first column
        existed = self.db.execute("select path from sources where id = ?", [source_id]).fetchone()
        # A claim a reviewer added is not the extractor's to remove: review.reconcile re-anchors it.
        old = {
            row[0]
            for row in self.db.execute(
                "select id from claims where source_id = ? and added_by is null", [source_id]
            )
        }
        row = _source_row(result, self.version, stamp)
        rows.sources.append(tuple(row[c] for c in SOURCE_COLUMNS))
        # its folder's signature (and that of the folder it came from before) no longer holds:
        # an ingest re-signs the folder it is walking once it has stored each file
        rows.forgotten_folders.add(posixpath.dirname(row["path"]))
        if existed:
            rows.forgotten_folders.add(posixpath.dirname(existed[0]))
        _remember_stat(rows, source_id, result.stat, self.version)
        # The _WRITTEN_COLUMNS: first_seen is kept as it was when the claim is already there.
        written = (self.version, stamp, stamp, None)
        rows.claims += [(*claim, *written) for claim in stored.claims]
        rows.sentences += stored.sentences
        rows.reextracted.append((source_id,))
        kept = set(ids)
        gone = [cid for cid in old if cid not in kept]
        retired = self._retire_or_delete(gone, stamp)
        report = self.report
        report.rule_timeouts += [
            {"source_id": source_id, "rule": rule} for rule in result.rule_timeouts
        ]
        report.claims_added += sum(1 for cid in kept if cid not in old)
        report.claims_removed += len(gone) - retired
        report.claims_retired += retired
        if existed:
            report.files_changed += 1
        else:
            report.files_added += 1

    def _retire_or_delete(self, claim_ids: list[str], stamp: str) -> int:
        """Delete claims that no longer come out, but keep (retire) those a note refers to."""
        retired = 0
        for cid in claim_ids:
            if self.db.execute("select 1 from notes where claim_id = ? limit 1", [cid]).fetchone():
                self.db.execute(
                    "update claims set retired_at = coalesce(retired_at, ?) where id = ?",
                    [stamp, cid],
                )
                retired += 1
            else:
                # Checks are derived data (`ledger check` rebuilds them); drop the dead claim's.
                self.db.execute("delete from checks where claim_id = ?", [cid])
                self.db.execute("delete from claims where id = ?", [cid])
        return retired

    def _refresh_metadata(self, result: Extracted, rows: _BatchRows) -> None:
        """Text unchanged: bring the path, manifest fields and remembered stat up to date (part of
        the caller's transaction; the stat goes to `rows`)."""
        source, stored = result.source, result.stored
        if stored is None:
            stored = self.db.execute(
                f"select {', '.join(_META_COLUMNS)} from sources where id = ?", [source.source_id]
            ).fetchone()
        assert stored is not None
        later = self.db.execute(
            f"select {', '.join(_LATER_META_COLUMNS)} from sources where id = ?",
            [source.source_id],
        ).fetchone()
        stored = (*stored, *later)
        meta = source.meta
        if later[-1] is not None:  # a page: what the manifest leaves empty, the page gave
            kept = dict(zip(_META_COLUMNS + _LATER_META_COLUMNS, stored, strict=True))
            meta = meta.over(SourceMeta.model_validate(kept))
        wanted: dict[str, Any] = {
            "path": _display_path(source.path),
            "title": meta.title or stored[1],
            "publisher": meta.publisher,
            "url": meta.url,
            "published_confidence": meta.published_confidence,
            "notes": meta.notes,
            "author": meta.author,
            "published_precision": meta.published_precision,
            "retrieved_at": meta.retrieved_at,
        }
        # Only what changed: naming the title in an update (even unchanged) fires its FTS trigger.
        changed = {
            column: value
            for (column, value), was in zip(wanted.items(), stored[: len(wanted)], strict=True)
            if value != was
        }
        if changed:
            self.db.table("sources").update(source.source_id, changed)
        if "path" in changed and posixpath.dirname(stored[0]) != posixpath.dirname(wanted["path"]):
            rows.forgotten_folders.add(posixpath.dirname(stored[0]))  # it no longer holds this file
        if result.stat is not None:
            _remember_stat(rows, source.source_id, result.stat, self.version)

    def finish(self) -> IngestReport:
        """Close the run: its time, and its `runs` row (`report.run_id`)."""
        report = self.report
        report.seconds = time.perf_counter() - self._started
        with self.ledger.transaction():
            table = self.db.table("runs").insert(
                {
                    "started_at": self._started_at,
                    "extractor_version": self.version,
                    "files_seen": report.files_seen,
                    "files_added": report.files_added,
                    "files_changed": report.files_changed,
                    "files_unchanged": report.files_unchanged,
                    "files_failed": report.files_failed,
                    "claims_added": report.claims_added,
                    "claims_removed": report.claims_removed,
                    "claims_retired": report.claims_retired,
                    "seconds": round(report.seconds, 3),
                    "failures": json.dumps(
                        [{"path": f.path, "error": f.reason} for f in report.failures]
                    ),
                    "rule_timeouts": json.dumps(report.rule_timeouts),
                }
            )
        report.run_id = int(str(table.last_pk))
        return report


def _source_row(result: Extracted, version: str, stamp: str) -> dict[str, Any]:
    """The `sources` row of an extracted file."""
    source, text = result.source, result.text or ""
    meta = source.meta
    return {
        "id": source.source_id,
        "path": _display_path(source.path),
        "sha256": result.sha256,
        "title": meta.title or title_from_text(text),
        "publisher": meta.publisher,
        "url": meta.url,
        "published": meta.published.isoformat() if meta.published else None,
        "published_confidence": meta.published_confidence,
        "notes": meta.notes,
        "ingested_at": stamp,
        "chars": len(text),
        "text": text,
        "extractor_version": version,
        "author": meta.author,
        "published_precision": meta.published_precision,
        "retrieved_at": meta.retrieved_at,
        "encoding": result.encoding,
        "text_extractor": result.text_extractor,
    }


def ingest(
    ledger: Ledger,
    paths: Iterable[str | os.PathLike[str]],
    *,
    jobs: int = 1,
    force: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    extractor: Extractor | None = None,
    progress: Progress | None = None,
    commit_every: CommitEvery = CommitEvery(),
    encoding: str | None = None,
    follow_links: bool = False,
) -> IngestReport:
    """Ingest files and folders into `ledger`; return what was done (also recorded in `runs`).

    `jobs` > 1 extracts in that many worker processes while this process writes the sources,
    whole, several per transaction (`commit_every`). `force` re-extracts unchanged files.
    `progress(source, status, total)` is called once per file, once it is stored. A bad
    manifest raises `ManifestError` before anything is written. A folder whose listing,
    manifest and extractor are as they were when it was last ingested whole is counted as
    unchanged without a look at its files (`_FolderSignatures`). `encoding` decodes every
    file (else UTF-8 or what is detected); `follow_links` reads symbolic links that lead out
    of the folders given.
    """
    options = ReadOptions(max_bytes=max_bytes, encoding=encoding)
    writer = Writer(ledger, progress=progress, commit_every=commit_every)
    report = writer.report
    paths = list(paths)
    if progress is not None:  # a count for the progress bar: one quick walk beforehand
        writer.total = sum(1 for _ in iter_sources(paths, [], follow_links=follow_links))
    signatures = _FolderSignatures(writer, force=force)
    found_failures: list[SourceError] = []
    found = iter_sources(
        paths, found_failures, unchanged=signatures.unchanged, follow_links=follow_links
    )
    # A references.csv in an ingested folder holds the figures `ledger check` compares with.
    _, bad_references = load_folder_references(ledger.db, paths)
    report.failures += [SourceError(path, reason) for path, reason in bad_references]

    def planned() -> Iterator[_Job | Extracted]:
        for source in found:
            report.files_seen += 1
            yield writer.plan(source, force, options, extractor)

    if jobs > 1:
        _write_from_workers(writer, planned(), jobs, extractor, signatures)
    else:
        writer.write(
            (job if isinstance(job, Extracted) else _process_for_writer(job) for job in planned()),
            signatures,
        )
    report.files_seen += len(found_failures)
    report.failures += found_failures
    return writer.finish()


def _write_from_workers(
    writer: Writer,
    jobs: Iterator[_Job | Extracted],
    workers: int,
    extractor: Extractor | None,
    signatures: _FolderSignatures,
) -> None:
    """`writer.write` what `workers` processes extract; they end with this process, however it
    ends (Ctrl-C, an error, or SIGKILL: see `_worker_init`)."""
    # Compile the extractor's rules here, once: forked workers inherit them instead of each
    # paying the compile (seconds) before its first file. The lazy patterns too: the workers
    # would each compile those they meet.
    with contextlib.suppress(Exception):  # a broken extractor is named per file later
        _run_extractor(extractor, WARM_UP_TEXT, None)
        if extractor is None:
            default_rules().compiled.compile()
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_init, initargs=(os.getpid(),)
    )
    # The writer reads no results while it writes a batch: enough files must be in flight for
    # the workers to stay busy meanwhile.
    window = max(workers * 2, 2 * writer.commit_every.sources // BATCH_FILES)
    try:
        writer.write(_bounded_map(pool, jobs, window), signatures)
    except BaseException:  # Ctrl-C or an error: stop now, drop the batches not started
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()

"""The ledger's Python API: ingest sources into claims.db, add and list notes, query claims.

    >>> from ledger.store import Ledger
    >>> with Ledger(":memory:") as ledger:
    ...     ledger.claims()
    []

Ingest is incremental and crash-safe: a file whose bytes (sha256), publication date and extractor
version are unchanged is skipped without extraction; every other source is written whole, several
to a transaction, so a crash or Ctrl-C leaves each source fully ingested or untouched. A claim's id
is `claim_id(source_id, fingerprint)`, so it survives edits elsewhere in its source and its notes
stay attached. A claim that no longer comes out of its source is deleted, unless a note refers to
it: it is then kept with `retired_at` set, and its notes count as orphaned.

The CLI (`ledger.cli`) is a thin layer over this module; nothing there that is not here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import posixpath
import re
import signal
import sqlite3
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from ledger import extraction, review
from ledger.models import VERDICTS, Claim, SourceMeta, claim_id
from ledger.references import load_folder_references
from ledger.rules import default_rules
from ledger.schema import CLAIM_COLUMNS, SCHEMA_VERSION, SOURCE_COLUMNS, ensure_schema
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

Extractor = Callable[..., Any]
"""`extract(text, *, published=None) -> list[Claim]`, or a function returning
`(claims, rule_timeouts)` when passed as `extractor_reports_timeouts`."""


WARM_UP_TEXT = "Output rose 2.3% to $1.5 billion in 2020."
BATCH_FILES = 16  # files per task sent to a worker process
CACHE_KIB = 32 * 1024  # SQLite's page cache for a ledger's connection
CLAIMS_BATCH = 500  # claims read at a time by `Ledger.iter_claims`, their checks in one query
# Claims are listed along idx_claims_source_id, so SQLite sorts one source's claims at a time. Left
# to choose, it takes the index of a filter (metric, FTS rowids) and sorts every match at once, in
# memory (temp_store is memory): 400 MB for `--metric other` on a million claims. The ordered walk
# costs about 0.5 s per million claims however few match.
_IN_READING_ORDER = "claims indexed by idx_claims_source_id"
STAT_TRUST_NS = 2_000_000_000  # a file's mtime is trusted once it is 2 s older than its hashing


class LedgerError(ValueError):
    """A request the ledger refuses (unknown claim, bad verdict, empty text): one-line message."""


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
class _Extracted:
    """A worker's answer for one file."""

    source: SourceFile  # its meta: the manifest's, over what the page itself gives
    status: str  # "unchanged" | "extracted" | "failed"
    sha256: str | None = None
    text: str | None = None
    encoding: str | None = None  # how the file's bytes were decoded
    text_extractor: str | None = None  # what took the text out of a page ("trafilatura 2.3.1")
    # The claims as the extractor gave them, or (for the writer) as rows: see `claim_rows`.
    claims: list[Claim] = field(default_factory=list)
    claim_rows: list[tuple[Any, ...]] = field(default_factory=list)
    rule_timeouts: list[str] = field(default_factory=list)
    error: SourceError | None = None
    stat: Stat | None = None  # to store, so the next ingest can skip the file on its stat
    stored: tuple[Any, ...] | None = None  # the source's stored metadata, when already read


def extractor_version() -> str:
    # read from the module at call time, so a test's monkeypatch of it is seen
    return str(getattr(extraction, "EXTRACTOR_VERSION", "unknown"))


def _run_extractor(
    extractor: Extractor | None, text: str, published: date | None
) -> tuple[list[Claim], list[str]]:
    """Call the extractor; use its timeout-reporting variant when it has one."""
    if extractor is None:
        module = extraction
        reporting = getattr(module, "extract_with_report", None)
        if reporting is not None:
            result = reporting(text, published=published)
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


def _process(job: _Job) -> _Extracted:
    """Read, hash and (unless unchanged) extract one file. Runs in a worker process with --jobs."""
    stat = file_stat(job.source.path)  # before reading: a later change then shows on next stat
    options = job.options
    if options.encoding is None and job.source.meta.encoding:
        options = replace(options, encoding=job.source.meta.encoding)
    try:
        read = read_source(job.source.path, options)
    except SourceError as error:
        return _Extracted(job.source, "failed", error=error)
    source = replace(job.source, meta=job.source.meta.over(read.page))
    published = source.meta.published
    if read.sha256 == job.known_sha256 and _iso(published) == job.known_published:
        return _Extracted(source, "unchanged", sha256=read.sha256, stat=stat)
    try:
        claims, timeouts = _run_extractor(job.extractor, read.text, published)
    except Exception as error:  # an extractor bug must name the file, not end the ingest
        reason = f"extractor failed ({type(error).__name__}: {error})"
        return _Extracted(source, "failed", error=SourceError(job.source.path, reason))
    return _Extracted(
        source, "extracted", sha256=read.sha256, text=read.text, claims=claims,
        rule_timeouts=timeouts, stat=stat, encoding=read.encoding,
        text_extractor=read.text_extractor,
    )  # fmt: skip


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _process_for_writer(job: _Job) -> _Extracted:
    """`_process`, with the claims turned into the rows the writer stores (see `claim_rows`)."""
    result = _process(job)
    if not result.claims:
        return result
    rows = claim_rows(job.source.source_id, result.claims)
    return replace(result, claims=[], claim_rows=rows)


def _worker_ignores_ctrl_c() -> None:
    """Ctrl-C is the writer's to handle (it rolls back and stops the pool); workers carry on
    with their batch quietly instead of each printing a KeyboardInterrupt traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _process_batch(jobs: list[_Job]) -> list[_Extracted]:
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
    jobs: Iterable[_Job | _Extracted],
    window: int,
    batch: int = BATCH_FILES,
) -> Iterator[_Extracted]:
    """Like `executor.map` but with at most `window` batches in flight, results in input order.

    `Executor.map` submits every job at once and holds every result until it is consumed; over a
    large corpus that is the whole corpus in memory. This keeps memory bounded by the window.
    Items already settled (`_Extracted`, e.g. unchanged by stat) pass straight through.
    """
    pending: deque[Future[list[_Extracted]]] = deque()
    for group in _batches(jobs, batch):
        settled = [item for item in group if isinstance(item, _Extracted)]
        work = [item for item in group if not isinstance(item, _Extracted)]
        yield from settled
        if not work:
            continue
        pending.append(executor.submit(_process_batch, work))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _display_path(path: str | os.PathLike[str]) -> str:
    """The path as stored: relative to the working directory when inside it, POSIX separators."""
    absolute, cwd = os.path.abspath(path), os.getcwd()
    if absolute.startswith(cwd + os.sep):
        absolute = absolute[len(cwd) + 1 :]
    return absolute.replace(os.sep, "/")


def _upsert_sql(
    table: str, columns: Iterable[str], from_table: str, keep: Iterable[str] = ()
) -> str:
    """INSERT ... SELECT ... ON CONFLICT(id) DO UPDATE: every row of `from_table` into `table`
    (an update re-indexes only changed text). Columns in `keep` are written on insert and left
    alone on update.

    >>> for part in _upsert_sql("t", ["id", "a", "b"], "temp.s", keep=["b"]).split(" on "):
    ...     print(part)
    insert into [t] ([id], [a], [b]) select [id], [a], [b] from temp.s where true
    conflict(id) do update set [a] = excluded.[a]
    """
    columns, keep = list(columns), set(keep)
    names = ", ".join(f"[{column}]" for column in columns)
    updates = ", ".join(
        f"[{column}] = excluded.[{column}]"
        for column in columns
        if column != "id" and column not in keep
    )
    # "where true" tells SQLite's parser that ON CONFLICT belongs to the insert, not to a join
    return (
        f"insert into [{table}] ({names}) select {names} from {from_table} where true"
        f" on conflict(id) do update set {updates}"
    )


# The claims columns the writer sets as it stores a row; the others come from the extractor.
_WRITTEN_COLUMNS = ("extractor_version", "first_seen", "last_seen", "retired_at")
_EXTRACTED_COLUMNS = tuple(column for column in CLAIM_COLUMNS if column not in _WRITTEN_COLUMNS)
# Source fields that can change while the text does not (compared on an unchanged re-ingest).
_META_COLUMNS = ("path", "title", "publisher", "url", "published_confidence", "notes")
# Read past the text: written once by the schema's second version, and rarely changed.
_LATER_META_COLUMNS = ("author", "published_precision", "retrieved_at", "text_extractor")


@dataclass
class _BatchRows:
    """The rows one batch writes to `sources`, `claims`, `file_stats` and `folder_stats`,
    gathered source by source and written at the end of the batch's transaction.

    SQLite runs an insert's full-text trigger inside a savepoint of its statement, and FTS5
    writes out its pending index at each one: with a statement per row, indexing cost four times
    what it costs for the same rows in one statement. So sources and claims go to a temporary
    table first (no triggers there), and from it into theirs with one statement each.
    """

    sources: list[tuple[Any, ...]] = field(default_factory=list)
    claims: list[tuple[Any, ...]] = field(default_factory=list)
    stats: list[tuple[Any, ...]] = field(default_factory=list)  # (id, bytes, mtime_ns, version)
    forgotten_stats: list[tuple[str]] = field(default_factory=list)  # stats not to trust
    folders: list[tuple[str, str, int]] = field(default_factory=list)  # (id, signature, files)
    forgotten_folders: set[str] = field(default_factory=set)  # signatures no longer true

    def write(self, conn: sqlite3.Connection) -> None:
        _upsert_through_staging(conn, "sources", list(SOURCE_COLUMNS), self.sources)
        _upsert_through_staging(
            conn, "claims", [*_EXTRACTED_COLUMNS, *_WRITTEN_COLUMNS], self.claims, ["first_seen"]
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

    def __init__(
        self,
        ledger: Ledger,
        version: str,
        report: IngestReport,
        *,
        force: bool,
        progress: Callable[[SourceFile, str, int], None] | None,
        total: int,
    ) -> None:
        self.ledger, self.version, self.report = ledger, version, report
        self.force, self.progress, self.total = force, progress, total
        self.open: dict[str, _OpenFolder] = {}  # absolute folder -> what to sign it with

    def unchanged(self, folder: str, names: list[str]) -> bool:
        signature = folder_signature(folder, names, self.version)
        if signature is None:
            return False
        key = _display_path(folder)
        stored = self.ledger.db.execute(
            "select signature from folder_stats where id = ?", [key]
        ).fetchone()
        if self.force or stored is None or stored[0] != signature:
            self.open[folder] = _OpenFolder(key, signature, len(names), len(names))
            return False
        self.report.files_seen += len(names)
        self.report.files_unchanged += len(names)
        if self.progress is not None:
            for name in names:
                source = SourceFile(Path(folder, name), os.path.splitext(name)[0])
                self.progress(source, "unchanged", self.total)
        return True

    def written(self, result: _Extracted, rows: _BatchRows) -> None:
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
) -> None:
    """Upsert `rows` into `table` with one statement, by way of an empty temporary copy of it."""
    if not rows:
        return
    staging = f"temp.[{table}_incoming]"
    names = ", ".join(f"[{column}]" for column in columns)
    conn.execute(f"create table if not exists {staging} as select {names} from [{table}] where 0")
    conn.executemany(f"insert into {staging} values ({', '.join('?' for _ in columns)})", rows)
    conn.execute(_upsert_sql(table, columns, staging, keep))
    conn.execute(f"delete from {staging}")


def _remember_stat(rows: _BatchRows, source_id: str, stat: Stat | None, version: str) -> None:
    """Keep (or forget) the stat a file had when hashed, with the extractor version its claims
    came from."""
    if stat is None:
        rows.forgotten_stats.append((source_id,))
    else:
        rows.stats.append((source_id, *stat, version))


def _unique_fingerprints(claims: Sequence[Claim]) -> list[str]:
    """Each claim's fingerprint, made unique within the source in document order.

    The same sentence repeated in one article gives the same fingerprint twice; the second copy
    gets the occurrence number, so both keep stable, distinct ids.
    """
    seen: Counter[str] = Counter()
    out = []
    for claim in claims:
        base = claim.fingerprint or claim.compute_fingerprint()
        occurrence = seen[base]
        seen[base] += 1
        out.append(base if occurrence == 0 else claim.compute_fingerprint(occurrence))
    return out


def claim_rows(source_id: str, claims: Sequence[Claim]) -> list[tuple[Any, ...]]:
    """A source's claims as rows of `claims` (the columns from the extractor, id first).

    Built where the claims were extracted: in a worker process they cost the single writer
    nothing, and tuples of plain values come back through the pipe cheaper than pydantic models.
    """
    fingerprints = _unique_fingerprints(claims)
    ids = [claim_id(source_id, fp) for fp in fingerprints]
    by_fingerprint = dict(zip(fingerprints, ids, strict=True))
    rows = []
    for claim, fp, cid in zip(claims, fingerprints, ids, strict=True):
        row = claim.model_dump()
        row.update(
            id=cid,
            source_id=source_id,
            fingerprint=fp,
            related=json.dumps(
                [by_fingerprint.get(other) or claim_id(source_id, other) for other in claim.related]
            ),
        )
        rows.append(tuple(row[column] for column in _EXTRACTED_COLUMNS))
    return rows


def fts_query(words: str) -> str:
    """Quote each word so user input is matched as words, never parsed as FTS syntax.

    >>> fts_query('chip "output" OR')
    '"chip" "output" "OR"'
    """
    tokens = [token.replace('"', "") for token in words.split()]
    return " ".join(f'"{token}"' for token in tokens if token)


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _search_clause(search: str, params: dict[str, Any]) -> str:
    """The SQL condition for `--search`: the porter index for words, the trigram index for text
    written without spaces (Chinese), where a word shorter than three characters (芯片) is
    matched as a substring of the quote or sentence."""
    if _HAN.search(search) is None:
        params["search"] = fts_query(search)
        return "claims.rowid in (select rowid from claims_fts where claims_fts match :search)"
    conditions = []
    long_words = [w for w in search.replace('"', "").split() if len(w) >= 3]
    if long_words:
        params["trigram"] = fts_query(" ".join(long_words))
        conditions.append(
            "claims.rowid in (select rowid from claims_fts_trigram"
            " where claims_fts_trigram match :trigram)"
        )
    for i, word in enumerate(w for w in search.replace('"', "").split() if len(w) < 3):
        params[f"short{i}"] = f"%{word}%"
        conditions.append(f"(claims.quote like :short{i} or claims.sentence like :short{i})")
    return " and ".join(conditions)


class Ledger:
    """A claims.db opened for reading and writing (schema created or brought up to date)."""

    def __init__(self, path: str | os.PathLike[str] = "claims.db", *, create: bool = True) -> None:
        """Open (and bring up to date) the ledger at `path`; with `create=False` a missing file is
        a `LedgerError` rather than a new empty ledger (a mistyped --db should not make one)."""
        self.path = str(path)
        if not create and self.path != ":memory:" and not os.path.isfile(self.path):
            raise LedgerError(f"no ledger at {self.path} (build one with `ledger ingest`)")
        try:
            self.db = sqlite_utils.Database(self.path)
            ensure_schema(self.db)
            # With WAL, NORMAL still makes every commit atomic and survives a killed process;
            # only a power cut may lose the last commits (whole sources, never half of one).
            # FULL costs an fsync per commit.
            self.db.execute("pragma synchronous = normal")
            # A batch of sources is one transaction of many statements, each with a statement
            # journal: on disk (the default) those were most of the ingest's writes. And the
            # claims' random-key indexes (id, checkworthiness) need more than the default 2 MB
            # of cache not to read their pages back from the OS on every insert.
            self.db.execute("pragma temp_store = memory")
            self.db.execute(f"pragma cache_size = -{CACHE_KIB}")
        except sqlite3.DatabaseError as error:  # not SQLite, or locked beyond the busy timeout
            raise LedgerError(f"{self.path}: cannot open the ledger ({error})") from error

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT: take the write lock up front (waits on busy_timeout)."""
        self.db.execute("begin immediate")
        try:
            yield
        except BaseException:
            self.db.rollback()
            raise
        else:
            self.db.commit()

    # ---------------------------------------------------------------- ingest

    def ingest(
        self,
        paths: Iterable[str | os.PathLike[str]],
        *,
        jobs: int = 1,
        force: bool = False,
        max_bytes: int = DEFAULT_MAX_BYTES,
        extractor: Extractor | None = None,
        progress: Callable[[SourceFile, str, int], None] | None = None,
        commit_every: CommitEvery = CommitEvery(),
        encoding: str | None = None,
        follow_links: bool = False,
    ) -> IngestReport:
        """Ingest files and folders; return what was done (also recorded in `runs`).

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
        started = time.perf_counter()
        started_at = _now()
        version = extractor_version()
        paths = list(paths)
        report = IngestReport()
        total = 0
        if progress is not None:  # a count for the progress bar: one quick walk beforehand
            total = sum(1 for _ in iter_sources(paths, [], follow_links=follow_links))
        signatures = _FolderSignatures(
            self, version, report, force=force, progress=progress, total=total
        )
        found_failures: list[SourceError] = []
        found = iter_sources(
            paths, found_failures, unchanged=signatures.unchanged, follow_links=follow_links
        )
        # A references.csv in an ingested folder holds the figures `ledger check` compares with.
        _, bad_references = load_folder_references(self.db, paths)
        report.failures += [SourceError(path, reason) for path, reason in bad_references]

        def planned() -> Iterator[_Job | _Extracted]:
            for source in found:
                report.files_seen += 1
                yield self._plan(source, version, force, options, extractor)

        job_list = planned()
        if jobs > 1:
            # Compile the extractor's rules here, once: forked workers inherit them instead of
            # each paying the compile (seconds) before its first file. The lazy patterns too:
            # the workers would each compile those they meet.
            with contextlib.suppress(Exception):  # a broken extractor is named per file later
                _run_extractor(extractor, WARM_UP_TEXT, None)
                if extractor is None:
                    default_rules().compiled.compile()
            pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_ignores_ctrl_c)
            # The writer reads no results while it writes a batch: enough files must be in
            # flight for the workers to stay busy meanwhile.
            window = max(jobs * 2, 2 * commit_every.sources // BATCH_FILES)
            try:
                self._write_all(
                    _bounded_map(pool, job_list, window),
                    report,
                    version,
                    progress,
                    total,
                    commit_every,
                    signatures,
                )
            except BaseException:  # Ctrl-C or an error: stop now, drop the batches not started
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
        else:
            self._write_all(
                (
                    job if isinstance(job, _Extracted) else _process_for_writer(job)
                    for job in job_list
                ),
                report,
                version,
                progress,
                total,
                commit_every,
                signatures,
            )

        report.files_seen += len(found_failures)
        report.failures += found_failures
        return self.finish_run(report, started, started_at, version)

    def _plan(
        self,
        source: SourceFile,
        version: str,
        force: bool,
        options: ReadOptions,
        extractor: Extractor | None,
    ) -> _Job | _Extracted:
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
                return _Extracted(source, "failed", error=taken)
        if force or stored is None:
            return _Job(source, None, options, extractor)
        # A page's own date is read with the page: with no date in the manifest, the worker
        # compares it (`_Job.known_published`).
        same_date = stored[1] == _iso(source.meta.published)
        if same_date and stored[4] is not None and stored[2] == version:
            try:
                st = os.stat(source.path)
            except OSError:
                return _Job(source, None, options, extractor)  # the worker names the failure
            if (st.st_size, st.st_mtime_ns) == (stored[3], stored[4]):
                return _Extracted(source, "unchanged", sha256=stored[0], stored=stored[5:])
        (stored_version,) = self.db.execute(
            "select extractor_version from sources where id = ?", [source.source_id]
        ).fetchone()
        if stored_version != version:
            return _Job(source, None, options, extractor)
        return _Job(source, stored[0], options, extractor, known_published=stored[1])

    def _unchanged_sha256(self, source: SourceFile, version: str) -> str | None:
        """The stored hash of `source` if this extractor version made its claims, from the same
        publication date (the extractor reads it to resolve "last year"); else None.

        One primary-key lookup per source, as in `_plan`, so memory stays flat.
        """
        row = self.db.execute(
            "select sha256, published from sources where id = ? and extractor_version = ?",
            [source.source_id, version],
        ).fetchone()
        published = source.meta.published.isoformat() if source.meta.published else None
        return row[0] if row is not None and row[1] == published else None

    def _write_all(
        self,
        results: Iterable[_Extracted],
        report: IngestReport,
        version: str,
        progress: Callable[[SourceFile, str, int], None] | None,
        total: int = 0,
        commit_every: CommitEvery = CommitEvery(),
        signatures: _FolderSignatures | None = None,
    ) -> None:
        """Write results as they come, in batches of whole sources (see `CommitEvery`), and sign
        the folders they finish (`signatures`).

        A batch is gathered first and written in one short transaction, so the write lock is
        never held while a file is being extracted and other writers (notes) get their turn.
        """
        batch: list[_Extracted] = []
        chars = 0
        first_ready = 0.0
        for result in results:
            if not batch:
                first_ready = time.monotonic()
            batch.append(result)
            chars += len(result.text or "")
            if (
                len(batch) >= commit_every.sources
                or chars >= commit_every.chars
                or time.monotonic() - first_ready >= commit_every.seconds
            ):
                self._write_batch(batch, report, version, progress, total, signatures)
                batch, chars = [], 0
        if batch:
            self._write_batch(batch, report, version, progress, total, signatures)

    def _write_batch(
        self,
        batch: list[_Extracted],
        report: IngestReport,
        version: str,
        progress: Callable[[SourceFile, str, int], None] | None,
        total: int,
        signatures: _FolderSignatures | None,
    ) -> None:
        """Write a batch of results in one transaction, then tell `progress` of each."""
        with self._transaction():
            rows = _BatchRows()
            for result in batch:
                if signatures is not None:
                    signatures.written(result, rows)
                if result.status == "failed":
                    assert result.error is not None
                    report.failures.append(result.error)
                elif result.status == "unchanged":
                    report.files_unchanged += 1
                    self._refresh_metadata(result.source, result.stored, result.stat, version, rows)
                else:
                    assert result.sha256 is not None and result.text is not None
                    self._write_source(
                        result.source,
                        sha256=result.sha256,
                        text=result.text,
                        read=(result.encoding, result.text_extractor),
                        claim_rows=result.claim_rows,
                        rule_timeouts=result.rule_timeouts,
                        report=report,
                        version=version,
                        stat=result.stat,
                        rows=rows,
                    )
            rows.write(self.db.conn)
            review.reconcile(
                self.db, [r.source.source_id for r in batch if r.status == "extracted"]
            )
        if progress is not None:
            for result in batch:
                progress(result.source, result.status, total)

    def _source_row(
        self,
        source: SourceFile,
        sha256: str,
        text: str,
        version: str,
        now: str,
        read: tuple[str | None, str | None] = (None, None),
    ) -> dict[str, Any]:
        """The `sources` row; `read` is how the file was read: (encoding, text extractor)."""
        meta = source.meta
        return {
            "id": source.source_id,
            "path": _display_path(source.path),
            "sha256": sha256,
            "title": meta.title or title_from_text(text),
            "publisher": meta.publisher,
            "url": meta.url,
            "published": meta.published.isoformat() if meta.published else None,
            "published_confidence": meta.published_confidence,
            "notes": meta.notes,
            "ingested_at": now,
            "chars": len(text),
            "text": text,
            "extractor_version": version,
            "author": meta.author,
            "published_precision": meta.published_precision,
            "retrieved_at": meta.retrieved_at,
            "encoding": read[0],
            "text_extractor": read[1],
        }

    def _write_source(
        self,
        source: SourceFile,
        *,
        read: tuple[str | None, str | None] = (None, None),
        sha256: str,
        text: str,
        claim_rows: Sequence[tuple[Any, ...]],
        rule_timeouts: Sequence[str],
        report: IngestReport,
        version: str,
        stat: Stat | None,
        rows: _BatchRows,
    ) -> None:
        """Store one extracted source and its claims, inside the caller's transaction: the rows
        go to `rows`, which the caller writes before it commits.

        Claims still found keep their id and first_seen; new ones are added; ones gone are deleted
        or, if a note refers to them, retired. Counts are added to `report`.
        """
        now = _now()
        source_id = source.source_id
        ids = [row[0] for row in claim_rows]  # id is a claim row's first column
        existed = self.db.execute("select path from sources where id = ?", [source_id]).fetchone()
        # A claim a reviewer added is not the extractor's to remove: review.reconcile re-anchors it.
        old = {
            row[0]
            for row in self.db.execute(
                "select id from claims where source_id = ? and added_by is null", [source_id]
            )
        }
        row = self._source_row(source, sha256, text, version, now, read)
        rows.sources.append(tuple(row[c] for c in SOURCE_COLUMNS))
        # its folder's signature (and that of the folder it came from before) no longer holds:
        # an ingest re-signs the folder it is walking once it has stored each file
        rows.forgotten_folders.add(posixpath.dirname(row["path"]))
        if existed:
            rows.forgotten_folders.add(posixpath.dirname(existed[0]))
        _remember_stat(rows, source_id, stat, version)
        # The _WRITTEN_COLUMNS: first_seen is kept as it was when the claim is already there.
        written = (version, now, now, None)
        rows.claims += [(*row, *written) for row in claim_rows]
        kept = set(ids)
        gone = [cid for cid in old if cid not in kept]
        retired = self._retire_or_delete(gone, now)
        report.rule_timeouts += [{"source_id": source_id, "rule": rule} for rule in rule_timeouts]
        report.claims_added += sum(1 for cid in kept if cid not in old)
        report.claims_removed += len(gone) - retired
        report.claims_retired += retired
        if existed:
            report.files_changed += 1
        else:
            report.files_added += 1

    def _retire_or_delete(self, claim_ids: list[str], now: str) -> int:
        """Delete claims that no longer come out, but keep (retire) those a note refers to."""
        retired = 0
        for cid in claim_ids:
            if self.db.execute("select 1 from notes where claim_id = ? limit 1", [cid]).fetchone():
                self.db.execute(
                    "update claims set retired_at = coalesce(retired_at, ?) where id = ?",
                    [now, cid],
                )
                retired += 1
            else:
                # Checks are derived data (`ledger check` rebuilds them); drop the dead claim's.
                self.db.execute("delete from checks where claim_id = ?", [cid])
                self.db.execute("delete from claims where id = ?", [cid])
        return retired

    def _refresh_metadata(
        self,
        source: SourceFile,
        stored: tuple[Any, ...] | None,
        stat: Stat | None,
        version: str,
        rows: _BatchRows,
    ) -> None:
        """Text unchanged: bring the path, manifest fields and remembered stat up to date (part of
        the caller's transaction; the stat goes to `rows`)."""
        if stored is None:
            stored = self.db.execute(
                f"select {', '.join(_META_COLUMNS)} from sources where id = ?", [source.source_id]
            ).fetchone()
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
        if stat is not None:
            _remember_stat(rows, source.source_id, stat, version)

    def finish_run(
        self, report: IngestReport, started: float, started_at: str, version: str
    ) -> IngestReport:
        """Close an ingest (or a load of shards): its time and its `runs` row.

        `started` is the run's `time.perf_counter()` at its start, `started_at` its wall time.
        """
        report.seconds = time.perf_counter() - started
        report.run_id = self.record_run(report, started_at, version)
        return report

    def record_run(self, report: IngestReport, started_at: str, version: str | None = None) -> int:
        """Add the `runs` row for an ingest (or a load of shards); return its id."""
        version = version if version is not None else extractor_version()
        with self._transaction():
            table = self.db.table("runs").insert(
                {
                    "started_at": started_at,
                    "extractor_version": version,
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
        return int(str(table.last_pk))

    # ---------------------------------------------------------------- notes

    def add_note(
        self,
        claim_id: str,
        verdict: str | None,
        text: str,
        *,
        evidence_url: str | None = None,
        reviewer: str | None = None,
    ) -> dict[str, Any]:
        """Append a verification note (`ledger.review.add_note`); with no verdict, a comment."""
        try:
            return review.add_note(
                self.db, claim_id, verdict, text, evidence_url=evidence_url, reviewer=reviewer
            )
        except review.ReviewError as error:
            raise LedgerError(str(error)) from error

    def notes(self, claim_id: str | None = None, *, orphaned: bool = False) -> list[dict[str, Any]]:
        """Notes, oldest first, with their claim's quote and whether the note is orphaned."""
        if (
            claim_id is not None
            and not self.db.execute("select 1 from claims where id = ?", [claim_id]).fetchone()
        ):
            raise LedgerError(f"no claim with id {claim_id!r}")
        where, params = [], []
        if claim_id is not None:
            where.append("notes.claim_id = ?")
            params.append(claim_id)
        if orphaned:
            where.append("(claims.id is null or claims.retired_at is not null)")
        sql = f"""
            select notes.id, notes.claim_id, notes.verdict, notes.text, notes.evidence_url,
                   notes.reviewer, notes.created_at, claims.source_id, claims.quote,
                   (claims.id is null or claims.retired_at is not null) as orphaned
            from notes left join claims on claims.id = notes.claim_id
            {"where " + " and ".join(where) if where else ""}
            order by notes.created_at, notes.id
        """
        rows = [dict(row) for row in self.db.query(sql, params)]
        for row in rows:
            row["orphaned"] = bool(row["orphaned"])
        return rows

    # ---------------------------------------------------------------- claims

    def claims(
        self,
        *,
        metric: str | None = None,
        source: str | None = None,
        verdict: str | None = None,
        search: str | None = None,
        include_retired: bool = False,
        rejected: bool = False,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Claims with provenance, latest verdict and check outcomes, in reading order.

        `source` matches a source id or publisher; `verdict` matches the latest verdict, or
        "unverified" for claims with no note; `search` is words matched in the quote or sentence.
        A list of every match: `iter_claims` gives the same rows one at a time.
        """
        return list(
            self.iter_claims(
                metric=metric, source=source, verdict=verdict, search=search,
                include_retired=include_retired, rejected=rejected, limit=limit,
            )
        )  # fmt: skip

    def iter_claims(
        self,
        *,
        metric: str | None = None,
        source: str | None = None,
        verdict: str | None = None,
        search: str | None = None,
        include_retired: bool = False,
        rejected: bool = False,
        limit: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """`claims()` as a generator: rows are read as they are consumed, so memory stays flat
        however many claims match. Bad filters raise `LedgerError` here, before any row is read."""
        if verdict is not None and verdict not in (*VERDICTS, "unverified"):
            raise LedgerError(
                f"unknown verdict {verdict!r}; choose one of {', '.join(VERDICTS)}, unverified"
            )
        where: list[str] = []
        params: dict[str, Any] = {}
        if not include_retired:
            where.append("claims.retired_at is null")
        # a claim a reviewer rejected is listed only when asked for (`rejected=True`, alone)
        where.append(f"claims.rejected_at is {'not ' if rejected else ''}null")
        if metric:
            where.append("claims.metric = :metric")
            params["metric"] = metric
        if source:
            source = self.source_id(source)
            # an id, or a publisher's sources; the "+" keeps SQLite on the reading-order walk
            # (see _IN_READING_ORDER) rather than looking up each source and sorting all matches
            where.append(
                "+claims.source_id in (select id from sources"
                " where id = :source or publisher = :source collate nocase)"
            )
            params["source"] = source
        if verdict:
            where.append("coalesce(latest.verdict, 'unverified') = :verdict")
            params["verdict"] = verdict
        if search:
            query = fts_query(search)
            if not query:
                raise LedgerError("--search needs at least one word")
            where.append(_search_clause(search, params))
        return self._claim_rows(where, params, limit)

    def source_id(self, given: str) -> str:
        """A source id, publisher, or unique prefix of a source id, as `--source` takes it: the
        id or publisher as given, else the one id that starts with it; ambiguous is an error."""
        known = self.db.execute(
            "select 1 from sources where id = ? or publisher = ? collate nocase limit 1",
            [given, given],
        ).fetchone()
        if known:
            return given
        escaped = given.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        ids = [row[0] for row in self.db.execute(
            "select id from sources where id like ? escape '\\' order by id limit 6",
            [escaped + "%"],
        )]  # fmt: skip
        if len(ids) > 1:
            shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
            raise LedgerError(f"source {given!r} is ambiguous: {shown}")
        return ids[0] if ids else given

    def claim(self, claim_id: str) -> dict[str, Any]:
        """One claim by id (retired ones included), or `LedgerError`."""
        with contextlib.closing(
            self._claim_rows(["claims.id = :id"], {"id": claim_id}, scan="claims")
        ) as rows:
            row = next(rows, None)
        if row is None:
            raise LedgerError(f"no claim with id {claim_id!r}")
        return row

    def _claim_rows(
        self,
        where: list[str],
        params: dict[str, Any],
        limit: int | None = None,
        *,
        scan: str = _IN_READING_ORDER,
    ) -> Generator[dict[str, Any], None, None]:
        """The claims matching `where` (SQL terms on claims, sources and `latest`, the latest
        note), with their checks, in reading order, read `CLAIMS_BATCH` at a time. `scan` is the
        FROM term for claims: a lookup by id needs no ordered walk."""
        # The latest note and the note count come from idx_notes_claim_id, claim by claim: a
        # window over all notes was computed whole before the first row, even for one claim.
        sql = f"""
            select claims.*, sources.path as source_path, sources.title as source_title,
                   sources.publisher as source_publisher, sources.url as source_url,
                   sources.published as source_published,
                   coalesce(latest.verdict, 'unverified') as verdict,
                   latest.text as verdict_text, latest.reviewer as verdict_reviewer,
                   latest.evidence_url as verdict_evidence_url, latest.created_at as verdict_at,
                   (select count(*) from notes where notes.claim_id = claims.id) as notes_count
            from {scan}
            join sources on sources.id = claims.source_id
            left join notes as latest on latest.id = (
                select notes.id from notes where notes.claim_id = claims.id
                and notes.verdict is not null
                order by notes.created_at desc, notes.id desc limit 1
            )
            {"where " + " and ".join(where) if where else ""}
            order by claims.source_id, claims.start, claims.end, claims.id
            {"limit :limit" if limit else ""}
        """
        if limit:
            params = {**params, "limit": limit}
        cursor = self.db.execute(sql, params)
        try:
            columns = [column[0] for column in cursor.description]
            while batch := cursor.fetchmany(CLAIMS_BATCH):
                rows = [dict(zip(columns, values, strict=True)) for values in batch]
                checks = self._checks_for([row["id"] for row in rows])
                for row in rows:
                    row["related"] = json.loads(row["related"] or "[]")
                    row["checks"] = checks.get(row["id"], [])
                    row["check_summary"] = _check_summary(row["checks"])
                    yield row
        finally:
            cursor.close()

    def _checks_for(self, claim_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """These claims' check outcomes from the `checks` table (filled by `ledger check`), by
        claim, through idx_checks_claim_id: one query for a batch of claims."""
        if not claim_ids:
            return {}
        found: dict[str, list[dict[str, Any]]] = {}
        for checked, *values in self.db.execute(
            f"select claim_id, {', '.join(_CHECK_FIELDS)} from checks "
            f"where claim_id in ({', '.join('?' for _ in claim_ids)}) order by claim_id, id",
            claim_ids,
        ):
            found.setdefault(checked, []).append(dict(zip(_CHECK_FIELDS, values, strict=True)))
        return found


# What a claim row's `checks` tell of each check, in this order.
_CHECK_FIELDS = ("against_type", "against_id", "outcome", "other_value", "other_unit",
                 "difference_pct", "period_match")  # fmt: skip


def _check_summary(checks: list[dict[str, Any]]) -> str | None:
    """'consistent' or e.g. 'inconsistent 1, consistent 2' (most telling outcome first).

    >>> _check_summary([{"outcome": "consistent"}, {"outcome": "inconsistent"}])
    'inconsistent 1, consistent 1'
    >>> _check_summary([]) is None
    True
    """
    if not checks:
        return None
    order = ["inconsistent", "ambiguous", "consistent", "no-reference"]
    counts = Counter(str(check["outcome"]) for check in checks)
    if len(counts) == 1:
        return next(iter(counts))
    ranked = sorted(counts, key=lambda o: (order.index(o) if o in order else len(order), o))
    return ", ".join(f"{outcome} {counts[outcome]}" for outcome in ranked)


__all__ = ["IngestReport", "Ledger", "LedgerError", "SourceMeta", "fts_query"]

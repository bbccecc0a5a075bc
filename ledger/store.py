"""The ledger's Python API: open claims.db, add and list notes, query claims.

    >>> from ledger.store import Ledger
    >>> with Ledger(":memory:") as ledger:
    ...     ledger.claims()
    []

Opening is not writing. `Ledger(path, read_only=True)` opens the file read-only (it works on a
0444 file and leaves the file byte- and mtime-identical), checks its schema version without
writing and never migrates: a ledger from an earlier version is a `LedgerError` naming the
command that upgrades it, as is one from a newer version. A ledger opened to write is migrated
when it is behind (`ledger.migrations`). With `create=False` a missing file is an error, not a
new empty ledger: a mistyped `--db` must not make one.

Ingest (reading sources, extracting, writing claims) is `ledger.ingest`; `Ledger.ingest` runs it.
The CLI (`ledger.cli`) is a thin layer over these modules; nothing there that is not here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Generator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import sqlite_utils

from ledger import review
from ledger.migrations import SchemaError, newer_message, schema_state, upgrade
from ledger.models import VERDICTS, SourceMeta
from ledger.schema import CLAIM_SENTENCE, ensure_schema

if TYPE_CHECKING:
    from ledger.ingest import IngestReport

CACHE_KIB = 32 * 1024  # SQLite's page cache for a ledger's connection
BUSY_TIMEOUT_MS = 10_000  # how long a write waits for another writer's lock
CLAIMS_BATCH = 500  # claims read at a time by `Ledger.iter_claims`, their checks in one query
# Claims are listed along idx_claims_source_id, so SQLite sorts one source's claims at a time. Left
# to choose, it takes the index of a filter (metric, FTS rowids) and sorts every match at once, in
# memory (temp_store is memory): 400 MB for `--metric other` on a million claims. The ordered walk
# costs about 0.5 s per million claims however few match.
_IN_READING_ORDER = "claims indexed by idx_claims_source_id"
# The tables that make a SQLite file a ledger.
LEDGER_TABLES = frozenset({"sources", "claims"})


def now() -> str:
    """A timestamp as the ledger stores them (UTC, ISO 8601, microseconds)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class ClaimFilters(TypedDict, total=False):
    """The filters `Ledger.claims` takes, as `Ledger.iter_claims` names and reads them."""

    metric: str | None
    source: str | None
    verdict: str | None
    search: str | None
    include_retired: bool
    rejected: bool
    limit: int | None


class LedgerError(ValueError):
    """A request the ledger refuses (unknown claim, bad verdict, empty text, a file that is not a
    ledger it can open): one-line message."""


def no_ledger(path: str | os.PathLike[str]) -> LedgerError:
    """The error for a --db that names no file: a typo must not make a new ledger."""
    return LedgerError(f"no ledger at {path} (build one with `ledger ingest sources/`)")


def open_database(
    path: str | os.PathLike[str], *, read_only: bool = False, create: bool = True
) -> sqlite_utils.Database:
    """The ledger at `path`, ready to read (`read_only`) or to write (migrated, schema complete).

    The one way every command opens a ledger. Refused with a `LedgerError`: a missing file when
    reading or when `create` is False; a file that is not SQLite or not a ledger; a ledger from a
    newer version; for reading, a ledger from an earlier version (a write upgrades it).
    """
    name = str(path)
    if name != ":memory:" and (read_only or not create) and not os.path.isfile(name):
        raise no_ledger(name)
    try:
        db = connect_read_only(Path(name)) if read_only else sqlite_utils.Database(name)
        try:
            if read_only:
                _check_readable(db, name)
            else:
                _prepare_for_writing(db, name, create=create)
        except BaseException:
            db.close()
            raise
    except SchemaError as error:
        raise LedgerError(f"{name}: {error}") from error
    except sqlite3.DatabaseError as error:  # not SQLite, or locked beyond the busy timeout
        folder = None if read_only else unwritable_folder(name)
        if folder is not None and "unable to open" in str(error):
            raise LedgerError(
                f"{name}: cannot write to the ledger: its folder {folder} is not writable"
                " (SQLite keeps a ledger's -wal and -shm files beside it)"
            ) from error
        raise LedgerError(f"{name}: cannot open the ledger ({error})") from error
    return db


def unwritable_folder(path: str | os.PathLike[str]) -> str | None:
    """The folder `path` is in, when this user may not write there, else None.

    SQLite makes a new database, and a WAL database's -wal and -shm files, beside the file: in a
    read-only folder a write fails with no more than "unable to open database file".
    """
    folder = os.path.dirname(os.path.abspath(path))
    return None if os.access(folder, os.W_OK) else folder


def connect_read_only(path: Path) -> sqlite_utils.Database:
    """An existing SQLite file, through a connection that cannot write (SQLite's mode=ro),
    whatever the file's permissions.

    A ledger in WAL mode needs its -shm file to be read; where that cannot be made (a folder
    the user may not write to) the file is opened as immutable, which is what it then is.
    """
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.OperationalError as error:
        conn.close()
        if "unable to open" not in str(error) or not path.is_file():
            raise
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True)
        conn.execute("select count(*) from sqlite_master").fetchone()
    conn.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
    return sqlite_utils.Database(conn)


def _check_readable(db: sqlite_utils.Database, name: str) -> None:
    """Refuse, without writing, a file that is not a ledger this program reads as it stands."""
    missing = LEDGER_TABLES - set(db.table_names())
    if missing:
        raise LedgerError(f"{name} is not a ledger (no {', '.join(sorted(missing))} table)")
    state = schema_state(db)
    if state.newer:
        raise SchemaError(newer_message(state))
    if state.behind:
        raise SchemaError(
            f"the ledger was written by an earlier version (schema {state.version});"
            f" `ledger migrate --db {name}` upgrades it, notes kept"
        )


def _prepare_for_writing(db: sqlite_utils.Database, name: str, *, create: bool) -> None:
    """Migrate a ledger that is behind, create what the schema lacks, and set the pragmas. An
    empty file (SQLite reads it as an empty database) becomes a ledger only when `create`: a
    command that writes to a ledger never makes one of a file given by mistake."""
    db.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
    tables = set(db.table_names())
    if tables and not tables & LEDGER_TABLES:
        raise LedgerError(f"{name} is a SQLite database, but not a ledger")
    if not tables and not create:
        raise LedgerError(f"{name} is not a ledger (no {', '.join(sorted(LEDGER_TABLES))} table)")
    if db.execute("pragma journal_mode").fetchone()[0] != "wal":
        db.execute("pragma journal_mode = wal")  # before migrating: readers go on meanwhile
    upgrade(db)
    ensure_schema(db)
    # With WAL, NORMAL still makes every commit atomic and survives a killed process; only a
    # power cut may lose the last commits (whole sources, never half of one). FULL costs an
    # fsync per commit.
    db.execute("pragma synchronous = normal")
    # A batch of sources is one transaction of many statements, each with a statement journal:
    # on disk (the default) those were most of the ingest's writes. And the claims' random-key
    # indexes (id, checkworthiness) need more than the default 2 MB of cache not to read their
    # pages back from the OS on every insert.
    db.execute("pragma temp_store = memory")
    db.execute(f"pragma cache_size = -{CACHE_KIB}")


def fts_query(words: str) -> str:
    """Quote each word so user input is matched as words, never parsed as FTS syntax.

    >>> fts_query('chip "output" OR')
    '"chip" "output" "OR"'
    """
    tokens = [token.replace('"', "") for token in words.split()]
    return " ".join(f'"{token}"' for token in tokens if token)


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def search_clause(search: str, params: dict[str, Any]) -> str:
    """The SQL condition for `--search`, on the claim's sentence (the quote is part of it): the
    porter index for words, the trigram index for text written without spaces (Chinese), where
    a word shorter than three characters (芯片) is matched as a substring."""
    in_sentences = (
        "claims.sentence_start in (select start from sentences where sentences.source_id"
        " = claims.source_id and {})"
    )
    if _HAN.search(search) is None:
        params["search"] = fts_query(search)
        return in_sentences.format(
            "rowid in (select rowid from sentences_fts where sentences_fts match :search)"
        )
    conditions = []
    long_words = [w for w in search.replace('"', "").split() if len(w) >= 3]
    if long_words:
        params["trigram"] = fts_query(" ".join(long_words))
        conditions.append(
            "rowid in (select rowid from sentences_fts_trigram"
            " where sentences_fts_trigram match :trigram)"
        )
    for i, word in enumerate(w for w in search.replace('"', "").split() if len(w) < 3):
        params[f"short{i}"] = f"%{word}%"
        conditions.append(f"sentences.text like :short{i}")
    return in_sentences.format(" and ".join(conditions))


def source_by_prefix(db: sqlite_utils.Database, given: str) -> str:
    """The source whose id is `given` or the one id that starts with it; none or several is a
    `LedgerError` naming them."""
    escaped = given.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    ids: list[str] = [row[0] for row in db.execute(
        "select id from sources where id like ? escape '\\' order by (id = ?) desc, id limit 6",
        [escaped + "%", given],
    )]  # fmt: skip
    if ids and ids[0] == given:
        return given
    if len(ids) > 1:
        shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
        raise LedgerError(f"source {given!r} is ambiguous: {shown}")
    if not ids:
        raise LedgerError(f"no source with id {given!r} or starting with it")
    return ids[0]


class Ledger:
    """A claims.db opened for reading and writing (migrated when behind), or `read_only`."""

    def __init__(
        self,
        path: str | os.PathLike[str] = "claims.db",
        *,
        create: bool = True,
        read_only: bool = False,
    ) -> None:
        """Open the ledger at `path` (see `open_database`)."""
        self.path = str(path)
        self.read_only = read_only
        self.db = open_database(path, read_only=read_only, create=create)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """BEGIN IMMEDIATE ... COMMIT: take the write lock up front (waits on busy_timeout)."""
        return review.writing(self.db)

    def ingest(self, paths: Any, **options: Any) -> IngestReport:
        """`ledger.ingest.ingest` into this ledger: read, extract and store sources."""
        from ledger.ingest import ingest

        return ingest(self, paths, **options)

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

    def claims(self, **filters: Unpack[ClaimFilters]) -> list[dict[str, Any]]:
        """Claims with provenance, latest verdict and check outcomes, in reading order, filtered
        as `iter_claims` says. A list of every match: `iter_claims` gives the same rows one at
        a time."""
        return list(self.iter_claims(**filters))

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
    ) -> Generator[dict[str, Any], None, None]:
        """`claims()` as a generator: rows are read as they are consumed, so memory stays flat
        however many claims match. Bad filters raise `LedgerError` here, before any row is read.

        `source` matches a source id or publisher; `verdict` matches the latest verdict, or
        "unverified" for claims with no note; `search` is words matched in the quote or sentence.
        """
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
        if metric is not None:
            if not metric.strip():
                raise LedgerError("--metric needs a metric name (e.g. rd_spending)")
            where.append("claims.metric = :metric")
            params["metric"] = metric
        if source is not None:
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
        if search is not None:
            query = fts_query(search)
            if not query:
                raise LedgerError("--search needs at least one word")
            where.append(search_clause(search, params))
        return self._claim_rows(where, params, limit)

    def source_id(self, given: str) -> str:
        """A source id, publisher, or unique prefix of a source id, as `--source` takes it: the
        id or publisher as given, else the one id that starts with it; ambiguous or unknown is
        an error."""
        if not given.strip():
            # an empty prefix starts every id: it would pick the only source or call all ambiguous
            raise LedgerError("--source needs a source id, a unique prefix of one, or a publisher")
        known = self.db.execute(
            "select 1 from sources where id = ? or publisher = ? collate nocase limit 1",
            [given, given],
        ).fetchone()
        if known:
            return given
        try:
            return source_by_prefix(self.db, given)
        except LedgerError as error:
            if "ambiguous" in str(error):
                raise
            raise LedgerError(f"{error}, and no publisher is called that") from None

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
            select claims.*, sentences.text as sentence,
                   sources.path as source_path, sources.title as source_title,
                   sources.publisher as source_publisher, sources.url as source_url,
                   sources.published as source_published,
                   coalesce(latest.verdict, 'unverified') as verdict,
                   latest.text as verdict_text, latest.reviewer as verdict_reviewer,
                   latest.evidence_url as verdict_evidence_url, latest.created_at as verdict_at,
                   exists(select 1 from signoffs where signoffs.note_id = latest.id)
                     as verdict_signed_off,
                   (select count(*) from notes where notes.claim_id = claims.id) as notes_count
            from {scan}
            join sources on sources.id = claims.source_id
            {CLAIM_SENTENCE}
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


__all__ = ["Ledger", "LedgerError", "SourceMeta", "fts_query", "open_database"]

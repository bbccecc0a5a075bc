"""Check a ledger end to end, read-only, and copy it safely while it is in use.

`verify` answers "can this ledger be trusted as it stands?": SQLite's own integrity check, every
live claim's quote against its source's stored text at its offsets, every stored text against its
stored hash, every stored hash against the file on disk (drift), and every note's claim (present,
or kept and marked orphaned). `backup` copies a ledger with SQLite's online backup API, so a copy
taken while `ledger ingest` or the web app writes is still a consistent snapshot.
"""

from __future__ import annotations

import glob
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from ledger.migrations import schema_state
from ledger.schema import CLAIM_SENTENCE, SCHEMA_VERSION
from ledger.sources import ManifestError, file_sha256, find_sources
from ledger.store import connect_read_only, no_ledger

MAX_LISTED = 20  # problems printed per check; the count says how many there were in all


@dataclass
class Check:
    """One check's outcome: how many things it looked at, and what was wrong with them."""

    name: str
    summary: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Report:
    """Every check run over one ledger, in order."""

    db_path: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def problem_count(self) -> int:
        return sum(len(check.problems) for check in self.checks)

    def lines(self, max_listed: int = MAX_LISTED) -> Iterator[str]:
        """The report as text: one line per check, then its problems indented beneath."""
        width = max(len(check.name) for check in self.checks)
        for check in self.checks:
            status = "ok" if check.ok else "FAIL"
            yield f"{check.name:<{width}}  {status:<4}  {check.summary}"
            for problem in check.problems[:max_listed]:
                yield f"    {problem}"
            if len(check.problems) > max_listed:
                yield f"    ... and {len(check.problems) - max_listed:,} more"
        if self.ok:
            yield f"{self.db_path}: all {len(self.checks)} checks passed"
        else:
            failed = sum(not check.ok for check in self.checks)
            yield (
                f"{self.db_path}: {self.problem_count:,} problem(s) in {failed} of "
                f"{len(self.checks)} checks"
            )


def open_read_only(db_path: str | os.PathLike[str]) -> sqlite_utils.Database:
    """Open an existing ledger without any way to change it (verify must not repair by accident),
    whatever its schema version: an outdated one is reported, not refused."""
    path = Path(db_path)
    if not path.is_file():
        raise no_ledger(path)
    return connect_read_only(path)


def verify(
    db_path: str | os.PathLike[str], sources_dir: str | os.PathLike[str] | None = None
) -> Report:
    """Run every check over the ledger at `db_path`; files are looked up under `sources_dir`.

    Without `sources_dir` each source's stored path is used, as given at ingest (relative to the
    current folder) or else relative to the ledger's folder.
    """
    db = open_read_only(db_path)
    try:
        report = Report(str(db_path))
        for name, check in [
            ("integrity", _integrity),
            ("schema", _schema_version),
            ("tables", _tables),
            ("foreign keys", _foreign_keys),
            ("quotes", _quotes),
            ("source text", _source_text),
            ("files", lambda db: _files(db, Path(db_path), sources_dir)),
            ("notes", _notes),
        ]:
            try:
                report.checks.append(check(db))
            except sqlite3.DatabaseError as error:
                # A damaged file: say which check could not read it, and go on with the rest.
                report.checks.append(Check(name, "could not be run", [f"SQLite: {error}"]))
            if name == "tables" and not report.checks[-1].ok:
                break
        return report
    finally:
        db.close()


def _tables(db: sqlite_utils.Database) -> Check:
    missing = sorted({"sources", "claims", "notes"} - set(db.table_names()))
    return Check("tables", "sources, claims and notes present", [f"no table {t}" for t in missing])


def _integrity(db: sqlite_utils.Database) -> Check:
    rows = [row[0] for row in db.execute("pragma integrity_check").fetchall()]
    problems = [] if rows == ["ok"] else rows
    return Check("integrity", "PRAGMA integrity_check", problems)


def _schema_version(db: sqlite_utils.Database) -> Check:
    state = schema_state(db)
    version = state.version or 0
    check = Check("schema", f"schema version {version} (this program writes {SCHEMA_VERSION})")
    if state.newer:
        check.problems.append(f"ledger is at schema version {version}, newer than this program")
    elif version < SCHEMA_VERSION:
        check.problems.append(
            f"ledger is at schema version {version}: `ledger migrate` (or any write) upgrades it"
        )
    return check


def _foreign_keys(db: sqlite_utils.Database) -> Check:
    # Notes whose claim is missing are the notes check's business (it says which note and claim).
    rows = [row for row in db.execute("pragma foreign_key_check").fetchall() if row[0] != "notes"]
    problems = [
        f"{table} row {rowid} refers to a missing {parent} row" for table, rowid, parent, _ in rows
    ]
    return Check("foreign keys", "PRAGMA foreign_key_check (claims, checks)", problems)


def _live_claims_clause(db: sqlite_utils.Database) -> str:
    return "claims.retired_at is null" if "retired_at" in db["claims"].columns_dict else "1"


def _quotes(db: sqlite_utils.Database) -> Check:
    """Every live claim's quote is its source's stored text at its offsets; so is its sentence."""
    live = _live_claims_clause(db)
    if "sentence" in db["claims"].columns_dict:  # a ledger from before `sentences` (schema < 2)
        sentence_column, join = "claims.sentence", ""
    else:
        sentence_column, join = "sentences.text", CLAIM_SENTENCE
    checked = 0
    problems: list[str] = []
    texts = db.execute("select id, text from sources order by id")
    for source_id, text in texts:
        text = text or ""
        for claim_id, start, end, quote, sentence, sentence_start in db.execute(
            f"select claims.id, claims.start, claims.[end], claims.quote, {sentence_column},"
            f" claims.sentence_start from claims {join}"
            f" where claims.source_id = ? and {live} order by claims.start",
            [source_id],
        ):
            checked += 1
            if not (
                isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)
            ):
                problems.append(
                    f"{claim_id}: offsets {start}..{end} outside {source_id} ({len(text):,} chars)"
                )
            elif text[start:end] != quote:
                found = text[start:end]
                problems.append(
                    f"{claim_id}: quote {quote[:80]!r}"
                    f" but {source_id}[{start}:{end}] is {found[:80]!r}"
                )
            elif sentence and isinstance(sentence_start, int):
                sentence_end = sentence_start + len(sentence)
                if text[sentence_start:sentence_end] != sentence:
                    problems.append(
                        f"{claim_id}: sentence is not {source_id}'s text at {sentence_start}"
                    )
                elif not sentence_start <= start <= end <= sentence_end:
                    problems.append(
                        f"{claim_id}: quote at {start}..{end} is not inside its sentence"
                        f" at {sentence_start}..{sentence_end}"
                    )
    orphans = db.execute(
        f"select id, source_id from claims where {live}"
        " and source_id not in (select id from sources)"
    ).fetchall()
    checked += len(orphans)
    problems.extend(
        f"{claim_id}: its source {source_id} is not in the ledger"
        for claim_id, source_id in orphans
    )
    return Check("quotes", f"{checked:,} live claims: quote == source text[start:end]", problems)


def text_sha256_candidates(text: str, encoding: str | None = None) -> set[str]:
    """The sha256 a file with this decoded text had: in its encoding (UTF-8 unless named), with
    or without a UTF-8 byte-order mark.

    >>> hashlib.sha256(b"GDP grew 2%").hexdigest() in text_sha256_candidates("GDP grew 2%")
    True
    >>> hashlib.sha256(b"caf\\xe9").hexdigest() in text_sha256_candidates("caf\\xe9", "cp1252")
    True
    """
    try:
        data = text.encode(encoding or "utf-8")
    except (LookupError, UnicodeEncodeError):
        return set()
    return {hashlib.sha256(data).hexdigest(), hashlib.sha256(b"\xef\xbb\xbf" + data).hexdigest()}


def _source_text(db: sqlite_utils.Database) -> Check:
    """The stored text is what was hashed: nobody edited a source's text in the database.

    A page's stored text is the article taken out of it, not its bytes: it is not counted here
    (`files` compares the page itself with its stored sha256).
    """
    problems = []
    count = pages = 0
    read_how = (
        "encoding, text_extractor"
        if "text_extractor" in db["sources"].columns_dict
        else ("null, null")
    )
    for source_id, text, sha256, encoding, extractor in db.execute(
        f"select id, text, sha256, {read_how} from sources order by id"
    ):
        if extractor is not None:
            pages += 1
            continue
        count += 1
        if sha256 not in text_sha256_candidates(text or "", encoding):
            problems.append(f"{source_id}: stored text does not hash to its stored sha256")
    summary = f"{count:,} sources: stored text matches stored sha256"
    if pages:
        summary += f" ({pages:,} pages: their article text, checked by the files check)"
    return Check("source text", summary, problems)


def _files(
    db: sqlite_utils.Database, db_path: Path, sources_dir: str | os.PathLike[str] | None
) -> Check:
    """Each source's file on disk still has the bytes that were ingested (drift otherwise)."""
    by_id: dict[str, Path] = {}
    if sources_dir is not None:
        try:
            found, _ = find_sources([sources_dir])
        except ManifestError as error:
            return Check("files", f"files under {sources_dir}", [str(error)])
        by_id = {source.source_id: source.path for source in found}
    problems = []
    count = 0
    for source_id, stored_path, sha256 in db.execute(
        "select id, path, sha256 from sources order by id"
    ):
        count += 1
        path = _locate(source_id, stored_path, by_id, sources_dir, db_path)
        if path is None:
            where = f"under {sources_dir}" if sources_dir is not None else f"at {stored_path}"
            problems.append(f"{source_id}: file missing ({where})")
            continue
        on_disk = file_sha256(path)
        if on_disk != sha256:
            problems.append(
                f"{source_id}: drift: {path} has sha256 {on_disk[:12]},"
                f" ledger has {(sha256 or '')[:12]} (re-ingest to update)"
            )
    where = f"under {sources_dir}" if sources_dir is not None else "at their stored paths"
    return Check("files", f"{count:,} source files {where}: sha256 unchanged", problems)


def _locate(
    source_id: str,
    stored_path: str | None,
    by_id: dict[str, Path],
    sources_dir: str | os.PathLike[str] | None,
    db_path: Path,
) -> Path | None:
    if sources_dir is not None:
        return by_id.get(source_id)
    if not stored_path:
        return None
    for candidate in (Path(stored_path), db_path.parent / stored_path):
        if candidate.is_file():
            return candidate
    return None


def _notes(db: sqlite_utils.Database) -> Check:
    """Every note's claim is in the ledger; a note on a retired claim counts as orphaned (kept)."""
    retired = "claims.retired_at is not null" if "retired_at" in db["claims"].columns_dict else "0"
    live = orphaned = 0
    problems = []
    for note_id, claim_id, claim_exists, is_retired in db.execute(
        f"select notes.id, notes.claim_id, claims.id is not null, {retired}"
        " from notes left join claims on claims.id = notes.claim_id order by notes.id"
    ):
        if not claim_exists:
            problems.append(
                f"note {note_id}: its claim {claim_id} is not in the ledger (note lost its claim)"
            )
        elif is_retired:
            orphaned += 1
        else:
            live += 1
    total = live + orphaned + len(problems)
    summary = (
        f"{total:,} notes: {live:,} on live claims, {orphaned:,} orphaned (claim retired, kept)"
    )
    return Check("notes", summary, problems)


@dataclass(frozen=True)
class BackupResult:
    target: Path
    bytes: int
    claims: int
    notes: int
    sources: int


def backup(
    db_path: str | os.PathLike[str], target: str | os.PathLike[str], *, overwrite: bool = False
) -> BackupResult:
    """Copy the ledger to `target` with SQLite's online backup API, even while others write to it.

    The copy is made beside the target under a temporary name, checked with `integrity_check`,
    then renamed into place, so `target` is never a half-written file.
    """
    source_path, target_path = Path(db_path), Path(target)
    if not source_path.is_file():
        raise no_ledger(source_path)
    if target_path.exists() and not overwrite:
        raise FileExistsError(f"{target_path} already exists (use --force to replace it)")
    if target_path.exists() and target_path.resolve() == source_path.resolve():
        raise FileExistsError(f"{target_path} is the ledger itself")
    if not target_path.parent.is_dir():
        raise FileNotFoundError(f"no folder {target_path.parent} to write the backup into")
    remove_stale_partials(target_path)
    partial = partial_path(target_path)
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        source.execute("pragma busy_timeout = 10000")
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one consistent snapshot
            # A standalone file: fold the copy back to a rollback journal so it is one file.
            copy.execute("pragma journal_mode = delete")
            check = copy.execute("pragma integrity_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"backup failed its integrity check: {check}")
            counts = {
                table: copy.execute(f"select count(*) from [{table}]").fetchone()[0]
                if _has_table(copy, table)
                else 0
                for table in ("claims", "notes", "sources")
            }
        finally:
            copy.close()
        os.replace(partial, target_path)
    finally:
        source.close()
        partial.unlink(missing_ok=True)
    return BackupResult(
        target=target_path,
        bytes=target_path.stat().st_size,
        claims=counts["claims"],
        notes=counts["notes"],
        sources=counts["sources"],
    )


def partial_path(target: Path) -> Path:
    """Where this process writes `target` before renaming it into place: hidden, beside it, and
    named for the process, so a killed writer's leftover can be told from a live one's."""
    return target.with_name(f".{target.name}{_PARTIAL}{os.getpid()}")


_PARTIAL = ".partial-"


def remove_stale_partials(target: Path) -> list[Path]:
    """Delete what killed writers left of `target` (see `partial_path`); return what went.

    A partial whose process is still running is another writer's work in progress, and stays.
    """
    removed = []
    for leftover in target.parent.glob(f".{glob.escape(target.name)}{_PARTIAL}*"):
        pid = leftover.name.rsplit(_PARTIAL, 1)[1]
        if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return (
        conn.execute(
            "select 1 from sqlite_master where type = 'table' and name = ?", [name]
        ).fetchone()
        is not None
    )

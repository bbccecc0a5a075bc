"""Ordered schema migrations: a ledger written by an earlier version is upgraded in place.

The database records its version in `schema_version` (one row, id 1). A ledger with tables but
no such row was written before versioning existed: version 0. Each migration moves it up one
version inside one transaction, together with the new version number, so a crash leaves the
ledger at the old version or the new one, never between. Migrations only add and fill; a note
is never rewritten or dropped.

Each migration is written against the schema of its own time (plain SQL, no imports of the
current column lists), so it keeps meaning the same thing after the schema moves on.
`ensure_schema` calls `upgrade` first, then creates whatever the current schema adds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from ledger.models import Claim


@dataclass(frozen=True)
class Migration:
    """One step up: `apply` brings a database at `version - 1` to `version`."""

    version: int
    summary: str
    apply: Callable[[sqlite_utils.Database], None]


def _add_columns(db: sqlite_utils.Database, table: str, columns: dict[str, str]) -> None:
    """ALTER TABLE ... ADD COLUMN for each column the table lacks (tables it lacks are skipped)."""
    if not db[table].exists():
        return
    existing = set(db[table].columns_dict)
    for column, sql_type in columns.items():
        if column not in existing:
            db.execute(f"alter table [{table}] add column [{column}] {sql_type}")


def _fingerprint_rows(rows: list[dict]) -> dict[str, str]:
    """Fingerprint each claim row as the extractor would, keyed by claim id.

    A figure said twice in the same sentence is told apart by its occurrence number, counted in
    order of position within the source.

    >>> row = {"id": "a", "source_id": "s", "start": 4, "sentence": "It  cost $5.", "quote": "$5",
    ...        "kind": "money", "value": 5.0, "value_high": None, "unit": "USD", "bound": "exact"}
    >>> twin = dict(row, id="b", start=9)
    >>> prints = _fingerprint_rows([twin, row])
    >>> prints["a"] == Claim.model_construct(**row).compute_fingerprint(0)
    True
    >>> prints["b"] == Claim.model_construct(**row).compute_fingerprint(1)
    True
    """
    seen: dict[tuple, int] = {}
    fingerprints: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: (r["source_id"], r["start"] or 0, r["id"])):
        claim = Claim.model_construct(
            sentence=row["sentence"] or "",
            quote=row["quote"] or "",
            kind=row["kind"] or "",
            value=row["value"],
            value_high=row["value_high"],
            unit=row["unit"],
            bound=row["bound"] or "exact",
        )
        key = (
            row["source_id"],
            " ".join(claim.sentence.split()),
            claim.quote,
            claim.kind,
            repr(claim.value),
            repr(claim.value_high),
            claim.unit,
            claim.bound,
        )
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        fingerprints[row["id"]] = claim.compute_fingerprint(occurrence)
    return fingerprints


def _v1_fingerprints(db: sqlite_utils.Database) -> None:
    """Version 0 -> 1: claims get fingerprint and retired_at, notes get evidence_url.

    Also the source metadata columns and the run record's rule timeouts that came with them.
    Existing claims keep their ids (their notes stay attached); each gets the fingerprint the
    extractor would give it.
    """
    _add_columns(db, "claims", {"fingerprint": "TEXT", "retired_at": "TEXT"})
    _add_columns(db, "notes", {"evidence_url": "TEXT"})
    _add_columns(db, "sources", {"published_confidence": "TEXT", "notes": "TEXT"})
    _add_columns(db, "runs", {"rule_timeouts": "TEXT"})
    if not db["claims"].exists():
        return
    rows = list(
        db.query(
            "select id, source_id, start, sentence, quote, kind, value, value_high, unit, bound"
            " from claims where fingerprint is null or fingerprint = ''"
        )
    )
    db.conn.executemany(
        "update claims set fingerprint = ? where id = ?",
        [(fp, claim_id) for claim_id, fp in _fingerprint_rows(rows).items()],
    )


def _v2_source_reading(db: sqlite_utils.Database) -> None:
    """Version 1 -> 2: sources record their author, how much of the publication date is known,
    when a fetched page was retrieved, how the bytes were decoded, and what extracted a page's
    text. Every source stored before was a UTF-8 text file, with a full date if any."""
    _add_columns(
        db,
        "sources",
        {
            "author": "TEXT",
            "published_precision": "TEXT",
            "retrieved_at": "TEXT",
            "encoding": "TEXT",
            "text_extractor": "TEXT",
        },
    )
    if db["sources"].exists():
        db.execute("update sources set encoding = 'utf-8' where encoding is null")
        db.execute(
            "update sources set published_precision = 'day'"
            " where published is not null and published_precision is null"
        )


def _v3_basis(db: sqlite_utils.Database) -> None:
    """Version 2 -> 3: claims.basis, what a change is measured against (同比, 环比, 两年平均).

    Claims extracted before it have none, which is what the extractor gives English claims.
    """
    _add_columns(db, "claims", {"basis": "TEXT"})


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "claims.fingerprint, claims.retired_at, notes.evidence_url", _v1_fingerprints),
    Migration(
        2,
        "sources.author, published_precision, retrieved_at, encoding, text_extractor",
        _v2_source_reading,
    ),
    Migration(3, "claims.basis", _v3_basis),
)
LATEST = MIGRATIONS[-1].version


def current_version(db: sqlite_utils.Database) -> int | None:
    """The ledger's schema version: None for an empty database, 0 for one made before versions."""
    if db["schema_version"].exists():
        row = db.execute("select max(version) from schema_version").fetchone()
        if row and row[0] is not None:
            return int(row[0])
    if not db.table_names():
        return None
    return 0


def pending(
    db: sqlite_utils.Database,
    target: int = LATEST,
    migrations: tuple[Migration, ...] = MIGRATIONS,
) -> list[Migration]:
    """The migrations still to run to bring `db` to `target`, in order."""
    version = current_version(db)
    if version is None:
        return []
    return sorted((m for m in migrations if version < m.version <= target), key=lambda m: m.version)


def upgrade(
    db: sqlite_utils.Database,
    target: int = LATEST,
    migrations: tuple[Migration, ...] = MIGRATIONS,
) -> list[int]:
    """Run the pending migrations in order, each in its own transaction; return the versions run.

    A database newer than this code is refused rather than half-understood.
    """
    version = current_version(db)
    if version is not None and version > target:
        raise RuntimeError(
            f"this ledger is at schema version {version}, newer than this program knows"
            f" ({target}); upgrade ledger"
        )
    applied: list[int] = []
    for migration in pending(db, target, migrations):
        # IMMEDIATE: take the write lock before reading, so a writer in another process makes
        # this wait (busy timeout) instead of failing with "database is locked" mid-migration.
        db.execute("begin immediate")
        try:
            if (current_version(db) or 0) < migration.version:  # another process may have run it
                migration.apply(db)
                _record_version(db.conn, migration.version)
                applied.append(migration.version)
        except BaseException:
            db.rollback()
            raise
        db.commit()
    return applied


def _record_version(conn: sqlite3.Connection, version: int) -> None:
    conn.execute(
        "create table if not exists schema_version (id integer primary key, version integer)"
    )
    conn.execute("insert or replace into schema_version (id, version) values (1, ?)", (version,))

"""Ordered schema migrations, run by sqlite-utils' `Migrations`: a ledger written by an earlier
version is upgraded in place, and only by a command that writes.

sqlite-utils records each migration it applies, by name, in `_sqlite_migrations`. Ledgers from
before that recorded a number in `schema_version` (none at all: version 0); the first that many
of `STEPS` count as applied. Each step also writes its position to `schema_version`, which is all
an older `ledger` reads, so an older program refuses a ledger it would misread.

All pending steps run in one IMMEDIATE transaction with their records, so a crash (or a second
process migrating at the same moment) leaves the ledger wholly at the old version or the new one.
Steps only add and fill; a note is never rewritten or dropped. Each is written against the schema
of its own time (plain SQL, no current column lists), so it keeps meaning the same thing.

To change the schema: append a function to `STEPS`. Never rename, reorder or edit one that has
shipped. `ensure_schema` runs after the steps and creates whatever else the current schema adds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import sqlite_utils
from sqlite_utils.migrations import Migrations

from ledger.models import fingerprint_occurrences

MIGRATION_SET = "ledger"
Step = Callable[[sqlite_utils.Database], None]


def _add_columns(db: sqlite_utils.Database, table: str, columns: dict[str, str]) -> None:
    """ALTER TABLE ... ADD COLUMN for each column the table lacks (tables it lacks are skipped)."""
    if not db[table].exists():
        return
    existing = set(db[table].columns_dict)
    for column, sql_type in columns.items():
        if column not in existing:
            db.execute(f"alter table [{table}] add column [{column}] {sql_type}")


def fingerprints(db: sqlite_utils.Database) -> None:
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
            " order by source_id, start, id"
        )
    )
    by_source: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_source.setdefault(row["source_id"], []).append(row)
    db.conn.executemany(
        "update claims set fingerprint = ? where id = ?",
        [
            (fp, row["id"])
            for source_rows in by_source.values()
            for row, fp in zip(
                source_rows,
                fingerprint_occurrences(
                    {
                        "sentence": row["sentence"] or "",
                        "quote": row["quote"] or "",
                        "kind": row["kind"] or "",
                        "value": row["value"],
                        "value_high": row["value_high"],
                        "unit": row["unit"],
                        "bound": row["bound"] or "exact",
                    }
                    for row in source_rows
                ),
                strict=True,
            )
        ],
    )


def source_reading(db: sqlite_utils.Database) -> None:
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


# The views of version 2 that read claims.sentence; `ensure_schema` recreates the current ones.
_V1_VIEWS = ("claims_in_context", "claim_status", "check_outcomes", "claims_review")


def sentences_stored_once(db: sqlite_utils.Database) -> None:
    """Version 2 -> 3: each sentence is stored once, in `sentences`, not copied into every claim.

    A sentence with N figures was stored N times (and indexed N times): one 200 KB line with no
    sentence end made a 1.9 GB ledger. Claims keep `sentence_start`; their sentence is the
    `sentences` row of (source_id, start). `claims_fts` then indexes the quote alone
    (`ensure_schema` rebuilds it, and indexes the sentences).
    """
    db.execute(
        "create table if not exists [sentences] ([source_id] TEXT REFERENCES [sources]([id]),"
        " [start] INTEGER, [text] TEXT, PRIMARY KEY ([source_id], [start]))"
    )
    if not db["claims"].exists() or "sentence" not in db["claims"].columns_dict:
        return
    # One row per (source, start); where old claims disagree, the longest (a widened) sentence.
    db.execute(
        "insert or ignore into sentences (source_id, start, text)"
        " select source_id, sentence_start, sentence from ("
        "  select source_id, sentence_start, sentence, max(length(sentence)) from claims"
        "  where sentence_start is not null group by source_id, sentence_start)"
    )
    for view in _V1_VIEWS:
        db.execute(f"drop view if exists [{view}]")
    for trigger in ("claims_ai", "claims_ad", "claims_au"):
        db.execute(f"drop trigger if exists [{trigger}]")
    for shadow in ("claims_fts",):
        db.execute(f"drop table if exists [{shadow}]")
    db.execute("alter table claims drop column sentence")


def review_desk(db: sqlite_utils.Database) -> None:
    """Version 3 -> 4: what reviewers write beside notes (ledger/review.py): claims they added,
    rejected or corrected, and the corrections, rejections, sign-offs and audit themselves."""
    _add_columns(
        db,
        "claims",
        {"added_by": "TEXT", "occurrence": "INTEGER", "rejected_at": "TEXT",
         "corrected_at": "TEXT", "summary": "TEXT"},
    )  # fmt: skip
    anchor = "[claim_id] TEXT, [source_id] TEXT, [start] INTEGER, [end] INTEGER, [quote] TEXT,"
    anchor += " [sentence] TEXT,"
    for sql in (
        f"[corrections] ([id] INTEGER PRIMARY KEY, {anchor} [fields] TEXT, [original] TEXT,"
        " [reason] TEXT, [reviewer] TEXT, [created_at] TEXT, [orphaned_at] TEXT)",
        f"[rejections] ([id] INTEGER PRIMARY KEY, {anchor} [action] TEXT, [rule] TEXT,"
        " [reason] TEXT, [reviewer] TEXT, [created_at] TEXT, [orphaned_at] TEXT)",
        "[extracted_readings] ([claim_id] TEXT PRIMARY KEY, [reading] TEXT)",
        "[signoffs] ([id] INTEGER PRIMARY KEY, [note_id] INTEGER, [claim_id] TEXT,"
        " [reviewer] TEXT, [created_at] TEXT)",
        "[audit] ([id] INTEGER PRIMARY KEY, [at] TEXT, [reviewer] TEXT, [action] TEXT,"
        " [claim_id] TEXT, [detail] TEXT)",
    ):
        db.execute(f"create table if not exists {sql}")


def check_subjects(db: sqlite_utils.Database) -> None:
    """What each check took the claim's subject to be (its code, and how it was inferred when
    the sentence named none), and whether its period was inferred from the publication date."""
    _add_columns(
        db,
        "checks",
        {"subject_code": "TEXT", "subject_inferred": "TEXT", "period_inferred": "INTEGER"},
    )


def change_basis(db: sqlite_utils.Database) -> None:
    """Version 5 -> 6: claims.basis, what a change is measured against (同比 yoy, 环比
    previous_period, 两年平均 two_year_average; issue 20). Claims stored before have none, which
    is what the extractor gives a level or an English change that names no basis."""
    _add_columns(db, "claims", {"basis": "TEXT"})


def attribution_type(db: sqlite_utils.Database) -> None:
    """Version 6 -> 7: claims.attribution_type, whether the attribution names a person or an
    organisation (issue 14; ClaimReview's author type). Claims stored before get the type their
    attribution's words read as, the reading ClaimReview made of them until now."""
    _add_columns(db, "claims", {"attribution_type": "TEXT"})
    if not db["claims"].exists():
        return
    from ledger.extraction.sentence_fields import source_type
    from ledger.rules import default_rules

    rules = default_rules()
    names = [row[0] for row in db.execute(
        "select distinct attribution from claims"
        " where attribution is not null and attribution != '' and attribution_type is null"
    ).fetchall()]  # fmt: skip
    db.conn.executemany(
        "update claims set attribution_type = ? where attribution = ? and attribution_type is null",
        [(source_type(rules, name), name) for name in names],
    )


STEPS: tuple[Step, ...] = (
    fingerprints,
    source_reading,
    sentences_stored_once,
    review_desk,
    check_subjects,
    change_basis,
    attribution_type,
)
"""Every migration, in order; a step's position (from 1) is the version it brings a ledger to."""

LATEST = len(STEPS)


def _migration_set(steps: Sequence[Step], done: int = 0) -> Migrations:
    """`steps` as sqlite-utils migrations; the first `done` are recorded, not run (a ledger that
    had them before it recorded names, or one created at the current schema)."""
    migrations = Migrations(MIGRATION_SET)
    for version, step in enumerate(steps, start=1):
        migrations(name=step.__name__)(
            _skipped(step) if version <= done else _recording_version(step, version)
        )
    return migrations


def _skipped(step: Step) -> Step:
    def skip(db: sqlite_utils.Database) -> None:
        """Already applied before the ledger recorded migration names."""

    skip.__name__ = step.__name__
    return skip


def _recording_version(step: Step, version: int) -> Step:
    """`step`, then `schema_version` set to `version` (what an older `ledger` reads)."""

    def run(db: sqlite_utils.Database) -> None:
        step(db)
        _record_legacy_version(db, version)

    run.__name__ = step.__name__
    return run


class SchemaState(NamedTuple):
    """Where a ledger's schema stands, read without writing anything."""

    version: int | None  # how many of `STEPS` it has had; None for an empty database
    unknown: tuple[str, ...]  # migrations applied to it that this program does not know

    @property
    def newer(self) -> bool:
        return bool(self.unknown) or (self.version or 0) > LATEST

    @property
    def behind(self) -> bool:
        return self.version is not None and self.version < LATEST


def schema_state(db: sqlite_utils.Database, steps: Sequence[Step] = STEPS) -> SchemaState:
    """The ledger's schema version and any migrations from a newer program (read-only)."""
    known = [step.__name__ for step in steps]
    applied = [m.name for m in Migrations(MIGRATION_SET).applied(db)]
    legacy = _legacy_version(db)
    if legacy is None and not applied:
        return SchemaState(None, ())
    unknown = tuple(name for name in applied if name not in known)
    version = max(legacy or 0, sum(1 for name in applied if name in known))
    return SchemaState(version, unknown)


def _legacy_version(db: sqlite_utils.Database) -> int | None:
    """`schema_version`'s number; 0 for a ledger from before it; None for an empty database."""
    if db["schema_version"].exists():
        row = db.execute("select max(version) from schema_version").fetchone()
        if row and row[0] is not None:
            return int(row[0])
    tables = set(db.table_names())
    return 0 if tables - {Migrations.migrations_table} else None


def upgrade(db: sqlite_utils.Database, steps: Sequence[Step] = STEPS) -> list[str]:
    """Run the pending migrations, in order, in one transaction; return the names run.

    A database newer than this code is refused rather than half-understood. An empty database
    has nothing to migrate (`stamp` records a new ledger as current).
    """
    # IMMEDIATE: take the write lock before reading, so another process migrating at the same
    # moment makes this wait (busy timeout) and then finds nothing left to do.
    db.execute("begin immediate")
    try:
        state = schema_state(db, steps)
        if state.newer:
            raise SchemaError(newer_message(state))
        ran: list[str] = []
        if state.version is not None:
            migrations = _migration_set(steps, done=state.version)
            had = {step.__name__ for step in steps[: state.version]}
            ran = [m.name for m in migrations.pending(db) if m.name not in had]
            migrations.apply(db)
    except BaseException:
        db.rollback()
        raise
    db.commit()
    return ran


def stamp(db: sqlite_utils.Database, steps: Sequence[Step] = STEPS) -> None:
    """Record a ledger just created at the current schema as having had every migration."""
    with db.atomic():
        _migration_set(steps, done=len(steps)).apply(db)
        _record_legacy_version(db, len(steps))


def _record_legacy_version(db: sqlite_utils.Database, version: int) -> None:
    db.execute(
        "create table if not exists schema_version (id integer primary key, version integer)"
    )
    db.execute("insert or replace into schema_version (id, version) values (1, ?)", [version])


class SchemaError(ValueError):
    """A ledger this program cannot read or write as it stands (one-line message)."""


def newer_message(state: SchemaState) -> str:
    names = f" (migrations {', '.join(state.unknown)})" if state.unknown else ""
    return (
        f"the ledger is at schema version {state.version}{names}, newer than this program knows"
        f" ({LATEST}); upgrade ledger"
    )

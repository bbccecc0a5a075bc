"""The shape of claims.db: tables, indexes, views and full-text search, created with sqlite-utils.

A ledger opened for writing is migrated (`ledger.migrations`) and then passed to `ensure_schema`,
which creates whatever is missing and is idempotent, so nothing already in the ledger is lost. A
ledger opened for reading is only looked at (`ledger.store.open_database`).
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.db import DescIndex

from ledger.migrations import LATEST, schema_state, stamp

SCHEMA_VERSION = LATEST

CLAIM_COLUMNS: dict[str, type] = {
    "id": str,
    "source_id": str,
    "fingerprint": str,
    "start": int,
    "end": int,
    "quote": str,
    "value": float,
    "value_high": float,
    "kind": str,
    "unit": str,
    "bound": str,
    "change": str,
    "basis": str,  # what a change is measured against (同比 yoy, 环比 previous_period, ...)
    "metric": str,
    "subject": str,
    "period": str,
    "attribution": str,
    "attribution_type": str,  # person | organisation: who the attribution names
    "sentence_start": int,  # the claim's sentence is the `sentences` row (source_id, start)
    "rule": str,
    "checkworthiness": float,
    "related": str,  # JSON list of claim ids
    "extractor_version": str,
    "first_seen": str,
    "last_seen": str,
    # Set when a re-extraction no longer finds the claim but a note still refers to it: the row
    # stays so the note keeps its claim, and the note counts as orphaned.
    "retired_at": str,
}

# Claims columns only review writes (ledger/review.py); the ingest writer leaves them alone.
REVIEW_CLAIM_COLUMNS: dict[str, type] = {
    "added_by": str,  # the reviewer who added the claim the extractor missed
    "occurrence": int,  # an added claim's quote is its n-th appearance in the source (from 1)
    "rejected_at": str,  # set while a reviewer says it is not a claim
    "corrected_at": str,  # the latest correction applied to this reading
    "summary": str,  # the reviewer's short wording of the claim (ClaimReview claimReviewed)
}

# Where a correction or rejection was made: the claim's words, so it can follow them when a
# re-extraction gives the claim another id (ledger/review.py `reconcile`).
_ANCHOR_COLUMNS: dict[str, type] = {
    "claim_id": str, "source_id": str, "start": int, "end": int, "quote": str, "sentence": str,
}  # fmt: skip

CORRECTION_COLUMNS: dict[str, type] = {
    "id": int,
    **_ANCHOR_COLUMNS,
    "fields": str,  # JSON: the corrected fields and their new values
    "original": str,  # JSON: the extractor's reading of those fields when corrected
    "reason": str,
    "reviewer": str,
    "created_at": str,
    "orphaned_at": str,  # no claim at its words after a re-extraction: kept, listed
}

REJECTION_COLUMNS: dict[str, type] = {
    "id": int,
    **_ANCHOR_COLUMNS,
    "action": str,  # reject | restore; the latest decides
    "rule": str,  # the extractor rule that produced the claim (`ledger rejections`)
    "reason": str,
    "reviewer": str,
    "created_at": str,
    "orphaned_at": str,
}

REVIEW_TABLES: dict[str, dict[str, type]] = {
    # derived, like checks: the same claim in several places (ledger/matching.py), rebuilt by
    # `ledger check`; group_id is the smallest claim id of the group
    "claim_groups": {"claim_id": str, "group_id": str},
    "corrections": CORRECTION_COLUMNS,
    "rejections": REJECTION_COLUMNS,
    "extracted_readings": {"claim_id": str, "reading": str},  # JSON: the extractor's reading
    "signoffs": {"id": int, "note_id": int, "claim_id": str, "reviewer": str, "created_at": str},
    # every review write: note, comment, correction, reject, restore, add-claim, sign-off, and
    # the moves and orphanings a re-ingest makes (reviewer empty)
    "audit": {
        "id": int,
        "at": str,
        "reviewer": str,
        "action": str,
        "claim_id": str,
        "detail": str,
    },  # fmt: skip
}

SOURCE_COLUMNS: dict[str, type] = {
    "id": str,
    "path": str,
    "sha256": str,
    "title": str,
    "publisher": str,
    "url": str,
    "published": str,
    "published_confidence": str,
    "notes": str,
    "ingested_at": str,
    "chars": int,
    "text": str,
    # Which extractor produced this source's claims: a new version re-extracts unchanged files.
    "extractor_version": str,
    # Added by `migrations.source_reading`: the page's or the manifest's author; how much of
    # `published` is known ("year", "month", "day"); when the page was fetched; how the file's
    # bytes were decoded; and for a page, what extracted `text` from it ("trafilatura 2.3.1"),
    # the file itself being kept as it was.
    "author": str,
    "published_precision": str,
    "retrieved_at": str,
    "encoding": str,
    "text_extractor": str,
}

# A cache, not provenance: each source file's size and mtime when last hashed, so a re-ingest
# trusts an identical stat instead of re-reading (as git does); mtime_ns is left empty when the
# file was too fresh to trust. Losing this table only costs one re-hash of every file.
FILE_STAT_COLUMNS: dict[str, type] = {
    "id": str,
    "bytes": int,
    "mtime_ns": int,
    "extractor_version": str,  # of the claims stored for that file (read here, not past the text)
}

# A cache too: for each folder an ingest found whole and unchanged, a signature of its listing
# (each source file's name, size and mtime_ns), its manifest's bytes and the extractor version
# (ingest._FolderSignatures). A re-ingest skips a folder whose signature is the same without
# looking at its files' rows; writing a source that came from another folder drops that folder's.
FOLDER_STAT_COLUMNS: dict[str, type] = {
    "id": str,  # the folder, as the paths of its sources are stored
    "signature": str,
    "files": int,
}

# Each sentence that holds a claim, once: a sentence with N figures was stored N times when it
# was a claims column (quadratic in a long sentence). Keyed by (source_id, start).
SENTENCE_COLUMNS: dict[str, type] = {
    "source_id": str,
    "start": int,  # code-point offset in the source's text, as claims.sentence_start
    "text": str,
}

NOTE_COLUMNS: dict[str, type] = {
    "id": int,
    "claim_id": str,
    "verdict": str,
    "text": str,
    "evidence_url": str,
    "reviewer": str,
    "created_at": str,
}

RUN_COLUMNS: dict[str, type] = {
    "id": int,
    "started_at": str,
    "extractor_version": str,
    "files_seen": int,
    "files_added": int,
    "files_changed": int,
    "files_unchanged": int,
    "files_failed": int,
    "claims_added": int,
    "claims_removed": int,
    "claims_retired": int,  # gone from the extractor's output but kept for their notes
    "seconds": float,
    "failures": str,  # JSON list of {"path", "error"}
    "rule_timeouts": str,  # JSON list of {"source_id", "rule"}
}

REFERENCE_COLUMNS: dict[str, type] = {
    "id": str,
    "metric": str,
    "subject": str,
    "period": str,
    "value": float,
    "unit": str,
    "bound": str,
    # "|"-separated words, one of which must be in the claim's clause (capacity vs demand share)
    "keywords": str,
    "publisher": str,
    "title": str,
    "url": str,
    "published": str,
    "note": str,
}

CHECK_COLUMNS: dict[str, type] = {
    "id": int,
    "claim_id": str,
    "against_type": str,  # "reference" (cited), "official" (a statistical series) or "claim"
    "against_id": str,
    "other_value": float,  # converted into the claim's unit
    "other_unit": str,
    "rate_used": str,
    "difference_pct": float,
    # consistent | inconsistent | revised | forecast | ambiguous | no-reference
    "outcome": str,
    # exact | nearest-to-publication | inferred-from-publication | inferred-from-baseline | none
    "period_match": str,
    "tolerance_pct": float,
    "explanation": str,
    "checked_at": str,
    "subject_code": str,  # ISO alpha-3 or a World Bank aggregate (official checks)
    "subject_inferred": str,  # how, when the sentence named none: paragraph, headline, dateline
    "period_inferred": int,  # 1 when the period was inferred (publication date, a baseline)
}

# The columns each table's full-text index holds (`claims_fts`, `sentences_fts`, `sources_fts`).
FTS_COLUMNS = {"claims": ["quote"], "sentences": ["text"], "sources": ["title", "text"]}

# A second index of the sentences for text with no spaces between words (Chinese): FTS5's trigram
# tokenizer matches any substring of three characters or more, where the porter index above
# (unicode61) takes a whole run of Han characters for one word. English keeps its stemming.
TRIGRAM_FTS = "sentences_fts_trigram"

# A claim's sentence, for a query over claims: `{CLAIM_SENTENCE}` after `from claims ...`.
CLAIM_SENTENCE = (
    "left join sentences on sentences.source_id = claims.source_id"
    " and sentences.start = claims.sentence_start"
)

VIEWS = {
    "claims_in_context": """
        select claims.id, claims.quote, claims.value, claims.value_high, claims.kind, claims.unit,
               claims.bound, claims.change, claims.metric, claims.subject, claims.period,
               claims.attribution, claims.attribution_type, claims.checkworthiness,
               sentences.text as sentence,
               sentences.rowid as sentence_rowid, claims.sentence_start, claims.start,
               claims.end, claims.source_id, sources.title as source_title,
               sources.publisher, sources.published, sources.url
        from claims join sources on sources.id = claims.source_id
        left join sentences on sentences.source_id = claims.source_id
                           and sentences.start = claims.sentence_start
        where claims.retired_at is null and claims.rejected_at is null
    """,
    # The latest verdict (a comment, a note without one, leaves it as it was) and the claim's
    # state for the source page's colours: rejected, corrected, its verdict, or unverified.
    "claim_status": """
        select claims.id as claim_id, claims.source_id, claims.metric, claims.quote,
               coalesce(latest.verdict, 'unverified') as verdict,
               latest.reviewer, latest.created_at as verdict_at,
               case when claims.retired_at is null then 0 else 1 end as orphaned,
               case when claims.rejected_at is not null then 'rejected'
                    when claims.corrected_at is not null then 'corrected'
                    else coalesce(latest.verdict, 'unverified') end as state,
               latest.id as note_id
        from claims left join (
            select id, claim_id, verdict, reviewer, created_at,
                   row_number() over (partition by claim_id order by created_at desc, id desc) as n
            from notes where verdict is not null
        ) as latest on latest.claim_id = claims.id and latest.n = 1
    """,
    # One outcome per checked claim (ledger/check.py). A forecast is never checked. Cited
    # references that disagree make it ambiguous; official series are several measures of one
    # thing (an annual average and December on December, national and modelled rates), so
    # matching one is consistent, and missing all by no more than a revision band is revised.
    # `conflicts` counts other claims it contradicts. A suggestion only: the verdict is in notes.
    "check_outcomes": """
        select claim_id,
               case
                 when sum(outcome = 'forecast') > 0 then 'forecast'
                 when sum(against_type = 'reference' and outcome = 'consistent') > 0
                  and sum(against_type = 'reference' and outcome = 'inconsistent') > 0
                   then 'ambiguous'
                 when sum(against_type = 'reference' and outcome = 'inconsistent') > 0
                   then 'inconsistent'
                 when sum(against_type = 'reference' and outcome = 'consistent') > 0
                   then 'consistent'
                 when sum(against_type = 'reference' and outcome = 'ambiguous') > 0
                   then 'ambiguous'
                 when sum(against_type = 'official' and outcome = 'consistent') > 0
                   then 'consistent'
                 when sum(against_type = 'official' and outcome = 'revised') > 0
                   then 'revised'
                 when sum(against_type = 'official' and outcome = 'ambiguous') > 0
                   then 'ambiguous'
                 when sum(against_type = 'official' and outcome = 'inconsistent') > 0
                   then 'inconsistent'
                 when sum(against_type is null and outcome = 'ambiguous') > 0 then 'ambiguous'
                 else 'no-reference'
               end as outcome,
               sum(against_type = 'claim' and outcome = 'inconsistent') as conflicts,
               group_concat(case when against_type in ('reference', 'official') then against_id end)
                 as reference_ids,
               max(subject_code) as subject_code,
               max(checked_at) as checked_at
        from checks group by claim_id
    """,
    # Every current claim with all it is faceted by in Datasette (ledger/web): what, how, who
    # published it, the checks' outcome and the latest verdict, in one place.
    "claims_review": """
        select claims.id, claims.quote, claims.value, claims.value_high, claims.unit, claims.kind,
               claims.bound, claims.change, claims.metric, claims.subject, claims.period,
               claims.checkworthiness, claims.source_id, sources.publisher, sources.published,
               coalesce(check_outcomes.outcome, 'unchecked') as check_outcome,
               check_outcomes.subject_code,
               -- the latest note's verdict, as claim_status gives it, but looked up per row
               -- through idx_notes_claim_id: joining claim_status scanned every claim again
               -- and timed out on a million claims
               coalesce((select notes.verdict from notes where notes.claim_id = claims.id
                         and notes.verdict is not null
                         order by notes.created_at desc, notes.id desc limit 1),
                        'unverified') as verdict
        from claims
        join sources on sources.id = claims.source_id
        left join check_outcomes on check_outcomes.claim_id = claims.id
        where claims.retired_at is null and claims.rejected_at is null
    """,
}


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create whatever is missing; never drop or rewrite what exists. Run after the migrations
    (`ledger.store.open_database`); a database it finds empty is recorded as having had them."""
    if db.execute("pragma journal_mode").fetchone()[0] != "wal":
        db.execute("pragma journal_mode = wal")  # readers and one writer at once
    db.execute("pragma busy_timeout = 10000")
    new = schema_state(db).version is None
    _tables(db)
    _indexes(db)
    _search_indexes(db)
    _views(db)
    if new:
        stamp(db)


def _tables(db: sqlite_utils.Database) -> None:
    """Every table, with the columns it lacks added."""
    _table(db, "sources", SOURCE_COLUMNS, pk="id")
    _table(db, "claims", CLAIM_COLUMNS | REVIEW_CLAIM_COLUMNS, pk="id",
           fks=[("source_id", "sources", "id")])  # fmt: skip
    _table(
        db,
        "sentences",
        SENTENCE_COLUMNS,
        pk=("source_id", "start"),
        fks=[("source_id", "sources", "id")],
    )
    _table(db, "notes", NOTE_COLUMNS, pk="id", fks=[("claim_id", "claims", "id")])
    _table(db, "runs", RUN_COLUMNS, pk="id")
    _table(db, "file_stats", FILE_STAT_COLUMNS, pk="id")
    _table(db, "folder_stats", FOLDER_STAT_COLUMNS, pk="id")
    _table(db, "references", REFERENCE_COLUMNS, pk="id")
    _table(db, "checks", CHECK_COLUMNS, pk="id", fks=[("claim_id", "claims", "id")])
    for name, review_columns in REVIEW_TABLES.items():
        _table(db, name, review_columns, pk="id" if "id" in review_columns else "claim_id")


def _indexes(db: sqlite_utils.Database) -> None:
    """The indexes the commands and the web app's queries and facets read."""
    # No index on claims.fingerprint: no query looks a claim up by it (ids are derived from it),
    # and keeping a random-key index costs every insert (5% of ingest's write CPU at 10 MB, more
    # once the index outgrows the cache). Ledgers made before keep theirs.
    for table, columns in {
        "claims": ["source_id", "metric", "unit", "kind", "period", "subject"],
        "notes": ["claim_id", "verdict"],
        "references": ["metric"],
        "checks": ["claim_id", "outcome"],
        "corrections": ["claim_id", "source_id"],
        "rejections": ["claim_id", "source_id"],
        "signoffs": ["note_id"],
        "audit": ["claim_id"],
        "claim_groups": ["group_id"],
    }.items():
        for column in columns:
            db.table(table).create_index([column], if_not_exists=True)
    # At a million claims (bench/serve_scale.py): the bound facet, the claims table's default sort
    # and its next pages, and a claim page's "same metric, subject and period" from indexes.
    db.table("claims").create_index(["bound"], if_not_exists=True)
    db.table("claims").create_index([DescIndex("checkworthiness"), "id"], if_not_exists=True)
    db.table("claims").create_index(["metric", "subject", "period"], if_not_exists=True)
    # ... and the sources table's default sort (newest first) and publisher facet: without them
    # its first page sorted every source with its full text (1 s on 212k sources).
    db.table("sources").create_index([DescIndex("published"), "id"], if_not_exists=True)
    db.table("sources").create_index(["publisher"], if_not_exists=True)


def _search_indexes(db: sqlite_utils.Database) -> None:
    """The full-text indexes of claims, sentences and sources (words; trigrams of sentences,
    for Chinese)."""
    # replace=True is a no-op when the index and its triggers are in place, and rebuilds the index
    # when a crash between creating it and its triggers left it to go silently stale.
    for table, fts_columns in FTS_COLUMNS.items():
        db.table(table).enable_fts(
            fts_columns, create_triggers=True, tokenize="porter", replace=True
        )
        _narrow_fts_update_trigger(db, table, fts_columns)
    _trigram_index(db, TRIGRAM_FTS, "sentences", FTS_COLUMNS["sentences"])


def _views(db: sqlite_utils.Database) -> None:
    """The views, made or brought up to date."""
    # SQLite stores a view's SQL without trailing whitespace: strip it, so an unchanged view
    # compares equal and is left alone. A changed one is dropped and recreated in one transaction,
    # so a reader (the web app) never finds it missing.
    with db.atomic():
        for name, sql in VIEWS.items():
            db.create_view(name, sql.strip(), replace=True)


def _trigram_index(db: sqlite_utils.Database, name: str, table: str, columns: list[str]) -> None:
    """An external-content FTS5 index of `table` with the trigram tokenizer, kept by triggers;
    made and filled once (a ledger from before it is indexed when first opened)."""
    if db[name].exists():
        return
    listed = ", ".join(f'"{column}"' for column in columns)
    new = ", ".join(f'new."{column}"' for column in columns)
    old = ", ".join(f'old."{column}"' for column in columns)
    changed = " or ".join(f'old."{c}" is not new."{c}"' for c in columns)
    forget = (
        f'insert into "{name}"("{name}", rowid, {listed}) values (\'delete\', old.rowid, {old});'
    )
    with db.atomic():
        db.execute(
            f'create virtual table "{name}" using fts5({listed}, content="{table}",'
            " tokenize='trigram')"
        )
        db.execute(f'insert into "{name}"("{name}") values (\'rebuild\')')
        db.execute(
            f'create trigger "{name}_ai" after insert on "{table}" begin'
            f' insert into "{name}"(rowid, {listed}) values (new.rowid, {new}); end'
        )
        db.execute(f'create trigger "{name}_ad" after delete on "{table}" begin {forget} end')
        db.execute(
            f'create trigger "{name}_au" after update on "{table}" when {changed} begin {forget}'
            f' insert into "{name}"(rowid, {listed}) values (new.rowid, {new}); end'
        )


def _fts_update_trigger(table: str, columns: list[str]) -> str:
    """The `{table}_au` trigger, re-indexing a row only when an indexed column really changes.

    sqlite-utils' own re-indexes on any update, so refreshing a moved file's path re-indexed its
    whole text, and re-extracting a source re-indexed every claim it still holds.
    """
    listed = ", ".join(f'"{column}"' for column in columns)
    changed = " or ".join(f'old."{column}" is not new."{column}"' for column in columns)
    old = ", ".join(f'old."{column}"' for column in columns)
    new = ", ".join(f'new."{column}"' for column in columns)
    return (
        f'CREATE TRIGGER "{table}_au" AFTER UPDATE OF {listed} ON "{table}" WHEN {changed} BEGIN\n'
        f'  INSERT INTO "{table}_fts" ("{table}_fts", rowid, {listed})'
        f" VALUES('delete', old.rowid, {old});\n"
        f'  INSERT INTO "{table}_fts" (rowid, {listed}) VALUES (new.rowid, {new});\n'
        "END"
    )


def _narrow_fts_update_trigger(db: sqlite_utils.Database, table: str, columns: list[str]) -> None:
    """Put `_fts_update_trigger` in place of sqlite-utils' trigger of the same name (the name
    is all `enable_fts(replace=True)` checks, so it leaves this one alone)."""
    wanted = _fts_update_trigger(table, columns)
    name = f"{table}_au"
    row = db.execute("select sql from sqlite_master where type = 'trigger' and name = ?", [name])
    if row.fetchone() != (wanted,):
        with db.atomic():
            db.execute(f'drop trigger if exists "{name}"')
            db.execute(wanted)


def _table(
    db: sqlite_utils.Database,
    name: str,
    columns: dict[str, type],
    *,
    pk: str | tuple[str, ...],
    fks: list[tuple[str, str, str]] | None = None,
) -> None:
    table = db.table(name)
    if not table.exists():
        db.create_table(name, columns, pk=pk, foreign_keys=fks or [])
        return
    existing = set(table.columns_dict)
    for column, kind in columns.items():
        if column not in existing:
            table.add_column(column, kind)

"""Ledgers written by earlier versions are upgraded in place by a write, notes kept; reads never
migrate; ledgers from a newer version are refused."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from ledger.migrations import (
    LATEST,
    STEPS,
    attribution_type,
    check_subjects,
    fingerprints,
    schema_state,
    source_reading,
    upgrade,
)
from ledger.models import Claim
from ledger.schema import CLAIM_COLUMNS, NOTE_COLUMNS, SCHEMA_VERSION, SOURCE_COLUMNS
from ledger.store import Ledger, LedgerError, open_database
from ledger.verify import verify

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def v0(tmp_path: Path) -> Path:
    path = tmp_path / "claims.db"
    shutil.copy(FIXTURES / "ledger_v0.db", path)
    return path


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    """claims.db as the last version before `sentences` wrote it from sources/ (schema_version 1,
    no migration names, a claim's sentence in each claim row)."""
    path = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "ledger_v1.db", path)
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_fixture_is_schema_zero(v0: Path) -> None:
    db = sqlite_utils.Database(v0)
    state = schema_state(db)
    assert (state.version, state.behind, state.newer) == (0, True, False)
    assert "fingerprint" not in db["claims"].columns_dict
    assert "evidence_url" not in db["notes"].columns_dict
    assert "basis" not in db["claims"].columns_dict


def test_a_write_upgrades_in_place_keeping_every_note(v0: Path) -> None:
    notes_before = rows(v0, "select id, claim_id, verdict, text, reviewer, created_at from notes")
    claims_before = rows(v0, "select id, quote, start, [end], value from claims order by id")
    sentences_before = dict(rows(v0, "select id, sentence from claims"))
    assert len(notes_before) == 3

    open_database(v0).close()

    assert rows(v0, "select version from schema_version") == [(SCHEMA_VERSION,)]
    assert SCHEMA_VERSION == LATEST == len(STEPS)
    assert rows(v0, "select migration_set, name from _sqlite_migrations order by id") == [
        ("ledger", step.__name__) for step in STEPS
    ]
    notes_after = rows(v0, "select id, claim_id, verdict, text, reviewer, created_at from notes")
    assert notes_after == notes_before
    assert rows(v0, "select evidence_url from notes") == [(None,)] * 3
    assert (
        rows(v0, "select id, quote, start, [end], value from claims order by id") == claims_before
    )
    assert rows(v0, "pragma integrity_check") == [("ok",)]
    db = sqlite_utils.Database(v0)
    for table, columns in [
        ("claims", CLAIM_COLUMNS),
        ("notes", NOTE_COLUMNS),
        ("sources", SOURCE_COLUMNS),
    ]:
        assert set(columns) <= set(db[table].columns_dict), table
    assert "sentence" not in db["claims"].columns_dict
    assert {"references", "checks", "sentences"} <= set(db.table_names())
    # each sentence is stored once, and every claim still has its own
    assert rows(v0, "select count(*) from sentences") == [(2,)]
    with Ledger(v0, read_only=True) as ledger:
        assert {row["id"]: row["sentence"] for row in ledger.claims()} == sentences_before


def test_fingerprints_are_the_extractors(v0: Path) -> None:
    open_database(v0).close()
    db = sqlite_utils.Database(v0)
    by_quote = {
        r["quote"]: r
        for r in db.query(
            "select claims.*, sentences.text as sentence from claims join sentences"
            " on sentences.source_id = claims.source_id and sentences.start = claims.sentence_start"
        )
    }
    assert len(by_quote) == 4
    money = by_quote["$12 million"]
    expected = Claim.model_construct(
        sentence=money["sentence"],
        quote="$12 million",
        kind="money",
        value=12e6,
        value_high=None,
        unit="USD",
        bound="exact",
    ).compute_fingerprint(0)
    assert money["fingerprint"] == expected
    assert len({r["fingerprint"] for r in by_quote.values()}) == 4
    assert all(r["retired_at"] is None for r in by_quote.values())


def test_upgraded_ledger_is_searchable_and_has_verdicts(v0: Path) -> None:
    open_database(v0).close()
    with Ledger(v0, read_only=True) as ledger:
        found = [row["quote"] for row in ledger.claims(search="bridge")]
        assert sorted(found) == ["$12 million", "about 20% more"]
        status = {r["quote"]: r["verdict"] for r in ledger.db.query("select * from claim_status")}
    assert status == {
        "$12 million": "accurate",
        "about 20% more": "needs-context",
        "some 4,000 cars": "unverified",
        "4,000 cars": "unverified",
    }


def test_the_last_versions_ledger_migrates_and_verifies(v1: Path) -> None:
    assert schema_state(sqlite_utils.Database(v1)).version == 1
    claims_before = rows(v1, "select id, quote, sentence from claims order by id")
    open_database(v1).close()
    assert schema_state(sqlite_utils.Database(v1)).version == LATEST
    with Ledger(v1, read_only=True) as ledger:
        after = [(r["id"], r["quote"], r["sentence"]) for r in ledger.claims()]
    assert sorted(after) == claims_before
    report = verify(v1)
    assert [check.name for check in report.checks if not check.ok] in ([], ["files"])


def test_a_read_never_migrates(v0: Path) -> None:
    before = v0.read_bytes(), v0.stat().st_mtime_ns
    with pytest.raises(LedgerError, match="earlier version .*ledger migrate"):
        Ledger(v0, read_only=True)
    assert (v0.read_bytes(), v0.stat().st_mtime_ns) == before


def test_second_open_runs_nothing(v0: Path) -> None:
    open_database(v0).close()
    fingerprints_before = rows(v0, "select id, fingerprint from claims order by id")
    db = sqlite_utils.Database(v0)
    assert not schema_state(db).behind
    assert upgrade(db) == []
    db.close()
    open_database(v0).close()
    assert rows(v0, "select id, fingerprint from claims order by id") == fingerprints_before
    assert len(rows(v0, "select * from _sqlite_migrations")) == len(STEPS)


def test_new_ledger_starts_at_current_version(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    assert schema_state(sqlite_utils.Database(path)).version is None
    open_database(path).close()
    state = schema_state(sqlite_utils.Database(path))
    assert (state.version, state.behind, state.newer) == (LATEST, False, False)


@pytest.mark.parametrize("how", ["migration name", "schema_version"])
def test_ledger_from_the_future_is_refused(v0: Path, how: str) -> None:
    open_database(v0).close()
    with sqlite3.connect(v0) as conn:
        if how == "migration name":
            conn.execute(
                "insert into _sqlite_migrations (migration_set, name, applied_at)"
                " values ('ledger', 'from_the_future', '2030-01-01')"
            )
        else:
            conn.execute("update schema_version set version = ?", [LATEST + 1])
    for read_only in (True, False):
        with pytest.raises(LedgerError, match="newer than this program knows"):
            Ledger(v0, read_only=read_only)


def test_failed_migration_leaves_the_old_version(v0: Path) -> None:
    def half_done(db: sqlite_utils.Database) -> None:
        db.execute("alter table notes add column [half] TEXT")
        raise ValueError("disk full, say")

    db = sqlite_utils.Database(v0)
    with pytest.raises(ValueError, match="disk full"):
        upgrade(db, (fingerprints, half_done))
    assert schema_state(db).version == 0
    assert "half" not in db["notes"].columns_dict
    assert "fingerprint" not in db["claims"].columns_dict  # the steps run as one transaction
    assert upgrade(db) == [step.__name__ for step in STEPS]
    assert schema_state(db).version == LATEST
    assert "basis" in db["claims"].columns_dict  # change_basis: a change's basis (issue 20)


def test_steps_are_run_in_order_and_only_once(v0: Path) -> None:
    db = sqlite_utils.Database(v0)
    assert upgrade(db, (fingerprints,)) == ["fingerprints"]
    assert schema_state(db).version == 1
    assert upgrade(db, (fingerprints, source_reading)) == ["source_reading"]
    assert upgrade(db) == [step.__name__ for step in STEPS[2:]]
    assert upgrade(db) == []


def test_a_ledger_at_schema_version_2_of_the_last_program_adopts_it(v0: Path) -> None:
    """The program before sqlite-utils' migrations numbered its steps; 2 meant fingerprints and
    source_reading, which are STEPS' first two, so only the steps after them run."""
    db = sqlite_utils.Database(v0)
    fingerprints(db)
    source_reading(db)
    db.execute("create table schema_version (id integer primary key, version integer)")
    db.execute("insert into schema_version values (1, 2)")
    db.conn.commit()
    assert schema_state(db).version == 2
    assert upgrade(db) == [
        "sentences_stored_once", "review_desk", "check_subjects", "change_basis",
        "attribution_type",
    ]  # fmt: skip


def test_source_reading_records_how_earlier_sources_were_read(v0: Path) -> None:
    db = sqlite_utils.Database(v0)
    upgrade(db, (fingerprints,))
    dated = rows(v0, "select count(*) from sources where published is not null")[0][0]
    upgrade(db)
    assert rows(v0, "select distinct encoding, text_extractor from sources") == [("utf-8", None)]
    assert rows(v0, "select count(*) from sources where published_precision = 'day'") == [(dated,)]
    assert {"author", "retrieved_at"} <= set(db["sources"].columns_dict)


def test_check_subjects_adds_what_each_check_took_the_subject_to_be(v0: Path) -> None:
    db = sqlite_utils.Database(v0)
    upgrade(db, STEPS[: STEPS.index(check_subjects)])
    db["checks"].insert({"id": 1, "claim_id": "c-1", "outcome": "consistent"}, pk="id", alter=True)
    assert "subject_code" not in db["checks"].columns_dict
    assert upgrade(db) == ["check_subjects", "change_basis", "attribution_type"]
    assert {"subject_code", "subject_inferred", "period_inferred"} <= set(db["checks"].columns_dict)
    assert db.execute("select outcome, subject_code from checks").fetchall() == [
        ("consistent", None)
    ]


def test_attribution_type_types_the_attributions_stored_before(v0: Path) -> None:
    """A ledger from before claims.attribution_type gets the type each attribution's words
    read as (what ClaimReview read from them until then); claims with none keep none."""
    db = sqlite_utils.Database(v0)
    upgrade(db, STEPS[: STEPS.index(attribution_type)])
    assert "attribution_type" not in db["claims"].columns_dict
    ids = [row[0] for row in db.execute("select id from claims order by id").fetchall()]
    for claim, name in zip(ids, ["National Bureau of Statistics", "Gina Raimondo"], strict=False):
        db.execute("update claims set attribution = ? where id = ?", [name, claim])
    db.conn.commit()
    assert upgrade(db) == ["attribution_type"]
    typed = db.execute("select attribution, attribution_type from claims order by id").fetchall()
    assert typed == [
        ("National Bureau of Statistics", "organisation"),
        ("Gina Raimondo", "person"),
        *[(None, None)] * (len(ids) - 2),
    ]

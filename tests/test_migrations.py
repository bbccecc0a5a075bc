"""A ledger written by the first version (schema 0) opens and is upgraded in place, notes kept."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from ledger.migrations import LATEST, Migration, current_version, pending, upgrade
from ledger.models import Claim
from ledger.schema import CLAIM_COLUMNS, NOTE_COLUMNS, SCHEMA_VERSION, SOURCE_COLUMNS, ensure_schema

FIXTURE = Path(__file__).parent / "fixtures" / "ledger_v0.db"


@pytest.fixture
def v0(tmp_path: Path) -> Path:
    path = tmp_path / "claims.db"
    shutil.copy(FIXTURE, path)
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_fixture_is_schema_zero(v0: Path) -> None:
    db = sqlite_utils.Database(v0)
    assert current_version(db) == 0
    assert "fingerprint" not in db["claims"].columns_dict
    assert "evidence_url" not in db["notes"].columns_dict
    assert [m.version for m in pending(db)] == [1, 2, 3]
    assert "basis" not in db["claims"].columns_dict


def test_upgrade_in_place_keeps_every_note(v0: Path) -> None:
    notes_before = rows(v0, "select id, claim_id, verdict, text, reviewer, created_at from notes")
    claims_before = rows(v0, "select id, quote, start, [end], value from claims order by id")
    assert len(notes_before) == 3

    db = sqlite_utils.Database(v0)
    ensure_schema(db)
    db.close()

    assert rows(v0, "select version from schema_version") == [(SCHEMA_VERSION,)]
    assert SCHEMA_VERSION == LATEST
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
    assert {"references", "checks"} <= set(db.table_names())


def test_fingerprints_are_the_extractors(v0: Path) -> None:
    db = sqlite_utils.Database(v0)
    ensure_schema(db)
    by_quote = {r["quote"]: r for r in db.query("select * from claims")}
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
    db = sqlite_utils.Database(v0)
    ensure_schema(db)
    found = [r["quote"] for r in db["claims"].search("bridge")]
    assert sorted(found) == ["$12 million", "about 20% more"]
    status = {r["quote"]: r["verdict"] for r in db.query("select * from claim_status")}
    assert status == {
        "$12 million": "accurate",
        "about 20% more": "needs-context",
        "some 4,000 cars": "unverified",
        "4,000 cars": "unverified",
    }


def test_second_open_runs_nothing(v0: Path) -> None:
    db = sqlite_utils.Database(v0)
    ensure_schema(db)
    fingerprints = rows(v0, "select id, fingerprint from claims order by id")
    assert pending(db) == []
    assert upgrade(db) == []
    ensure_schema(db)
    assert rows(v0, "select id, fingerprint from claims order by id") == fingerprints


def test_new_ledger_starts_at_current_version(tmp_path: Path) -> None:
    db = sqlite_utils.Database(tmp_path / "new.db")
    assert current_version(db) is None
    ensure_schema(db)
    assert current_version(db) == SCHEMA_VERSION


def test_ledger_from_the_future_is_refused(v0: Path) -> None:
    db = sqlite_utils.Database(v0)
    ensure_schema(db)
    db.execute("update schema_version set version = ?", [SCHEMA_VERSION + 1])
    with pytest.raises(RuntimeError, match="newer than this program knows"):
        ensure_schema(db)


def test_failed_migration_leaves_the_old_version(v0: Path) -> None:
    def half_done(db: sqlite_utils.Database) -> None:
        db.execute("alter table notes add column [half] TEXT")
        raise ValueError("disk full, say")

    db = sqlite_utils.Database(v0)
    broken = (Migration(1, "adds a column then fails", half_done),)
    with pytest.raises(ValueError, match="disk full"):
        upgrade(db, 1, broken)
    assert current_version(db) == 0
    assert "half" not in db["notes"].columns_dict
    assert upgrade(db) == [1, 2, 3]
    assert current_version(db) == 3
    assert "basis" in db["claims"].columns_dict  # version 3: a change's basis (issue 20)


def test_v2_records_how_earlier_sources_were_read(v0: Path) -> None:
    db = sqlite_utils.Database(v0)
    upgrade(db, 1)
    dated = rows(v0, "select count(*) from sources where published is not null")[0][0]
    upgrade(db)
    assert rows(v0, "select distinct encoding, text_extractor from sources") == [("utf-8", None)]
    assert rows(v0, "select count(*) from sources where published_precision = 'day'") == [(dated,)]
    assert {"author", "retrieved_at"} <= set(db["sources"].columns_dict)

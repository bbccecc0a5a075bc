"""The committed claims.db is what `ledger ingest sources/` builds today (content, not bytes).

When this fails, rebuild it: `rm claims.db && ledger ingest sources/` and commit claims.db.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ledger.schema import CLAIM_SENTENCE
from ledger.store import Ledger

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "claims.db"
REBUILD = "rebuild it with `rm claims.db && .venv/bin/ledger ingest sources/` and commit it"
SOURCE_FIELDS = "id, sha256, title, publisher, url, published, published_confidence, chars, text"
CLAIM_FIELDS = (
    "id, claims.source_id, fingerprint, claims.start, `end`, quote, value, value_high, kind, "
    "unit, bound, change, metric, subject, period, attribution, attribution_type, sentences.text, "
    "sentence_start, rule, checkworthiness, related, extractor_version"
)


def content(path: Path) -> dict[str, list[tuple]]:
    # Read-only, so the test never touches the committed file (no WAL files left beside it).
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {
            "sources": connection.execute(
                f"select {SOURCE_FIELDS} from sources order by id"
            ).fetchall(),
            "claims": connection.execute(
                f"select {CLAIM_FIELDS} from claims {CLAIM_SENTENCE}"
                " where retired_at is null order by id"
            ).fetchall(),
        }
    finally:
        connection.close()


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rebuild") / "claims.db"
    with Ledger(path) as ledger:
        report = ledger.ingest([ROOT / "sources"])
    assert report.failures == []
    return path


def test_committed_claims_db_exists():
    assert COMMITTED.is_file(), f"claims.db is missing: {REBUILD}"


def test_committed_sources_match_a_rebuild(rebuilt: Path):
    committed, fresh = content(COMMITTED), content(rebuilt)
    assert [row[0] for row in committed["sources"]] == [row[0] for row in fresh["sources"]], REBUILD
    assert committed["sources"] == fresh["sources"], f"sources differ: {REBUILD}"


def test_committed_claims_match_a_rebuild(rebuilt: Path):
    committed, fresh = content(COMMITTED), content(rebuilt)
    assert len(fresh["claims"]) > 0
    assert [row[0] for row in committed["claims"]] == [row[0] for row in fresh["claims"]], (
        f"claim ids differ: {REBUILD}"
    )
    assert committed["claims"] == fresh["claims"], f"claim fields differ: {REBUILD}"

"""Bugs found by the fuzzer, the crash tests and by reading the code, each kept as a test.

Each test says what failed and how it was found; the input is the smallest that showed it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
from ledger_rows import insert_claims

from ledger import extract
from ledger.schema import ensure_schema


def test_crash_between_fts_table_and_its_triggers_is_repaired(tmp_path: Path) -> None:
    """Found reading ensure_schema for the crash tests: enable_fts creates the index, fills it,
    then adds its triggers in separate commits. A kill in between left an index that never
    updated again, because the next open saw the index existed and moved on."""
    db = sqlite_utils.Database(tmp_path / "claims.db")
    ensure_schema(db)
    for table in ("claims", "sentences"):
        for trigger in ("ai", "ad", "au"):
            db.execute(f"drop trigger [{table}_{trigger}]")
    ensure_schema(db)  # the next run opens the ledger
    db["sources"].insert({"id": "s1", "text": "Tariffs rose 5%."})
    insert_claims(
        db, [{"id": "c1", "source_id": "s1", "quote": "5%", "sentence": "Tariffs rose 5%."}]
    )
    assert [row["source_id"] for row in db["sentences"].search("tariffs")] == ["s1"]
    assert [row["id"] for row in db["claims"].search('"5"')] == ["c1"]


def test_opening_a_ledger_leaves_its_views_alone(tmp_path: Path) -> None:
    """Found by tests/test_concurrency.py: every open (each `ledger note`, each ingest) dropped
    and recreated every view in separate commits, because SQLite stores a view's SQL without the
    trailing whitespace the definition had, so it never compared equal. Datasette, reading in
    between, answered 404 "Table not found" for claim_status."""
    ensure_schema(sqlite_utils.Database(tmp_path / "claims.db"))
    statements: list[str] = []
    db = sqlite_utils.Database(tmp_path / "claims.db", tracer=lambda sql, _: statements.append(sql))
    ensure_schema(db)
    changes = [sql for sql in statements if sql.split()[0].upper() in ("DROP", "CREATE")]
    assert [sql for sql in changes if "IF NOT EXISTS" not in sql] == []


@pytest.mark.parametrize(
    "text,quote",
    [
        # Found by `ledger verify` on a ledger of Reuters-21578 stories, which are hard-wrapped:
        # 34 of 11,020 claims on 2,000 stories.
        ("Money supply rose 2.1 billion\ndlrs in the week, the Fed said.\n", "2.1 billion\ndlrs"),
        # Found by bench/fuzz_extract.py (atheris): a range across a paragraph break.
        ("It cost 5-\n\n7 billion dollars.\n", "7 billion dollars"),
    ],
    ids=["wrapped-line", "range-across-paragraphs"],
)
def test_a_figure_over_a_line_break_lies_inside_its_sentence(text: str, quote: str) -> None:
    """A figure wrapped over a line break widens its sentence; one never spans a blank line."""
    claims = extract(text)
    assert [c.quote for c in claims] == [quote]
    for claim in claims:
        assert claim.sentence_start <= claim.start, claim.quote
        assert claim.end <= claim.sentence_start + len(claim.sentence), claim.quote


def test_a_sentence_widened_after_an_earlier_claim_holds_every_claim() -> None:
    """Found in review: the qualifier sits before the line break and another figure was read
    earlier in the same sentence, whose cached (narrow) sentence survived the widening."""
    text = "Acme said first-quarter sales rose 12 pct to about\n$5.1 billion, beating forecasts."
    claims = extract(text + " Shares rose.")
    assert [c.quote for c in claims] == ["12 pct", "about\n$5.1 billion"]
    for claim in claims:
        assert claim.sentence == text
        assert claim.sentence_start == 0


def test_a_figure_after_a_line_of_blanks_in_a_table_is_read() -> None:
    """Found by the check census's two-worker ingest of 20,461 Reuters and BBC stories: a table
    cell indented under a line of spaces left only blanks and a line break before the figure,
    and looking for a label there raised IndexError, so the whole story failed to extract."""
    table = (
        "Rates on its notes were set as follows:\n"
        "    MATURITY   NEW RATE  OLD RATE\n"
        + " " * 40
        + "\n"
        + " " * 30
        + "30-123 days  5.00 pct\n"
    )
    assert [(claim.quote, claim.value) for claim in extract(table)] == [
        ("30-123 days", 30.0),
        ("5.00 pct", 5.0),
    ]

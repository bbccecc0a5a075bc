"""Reading a big ledger: a lookup costs the same however many claims there are, a listing is
read as it is consumed and never sorted whole, an export writes each row before reading the next.

The ledgers here are written row by row (a few thousand claims in well under a second); the cost
of a query is counted in SQLite virtual-machine steps, which do not depend on the machine's load.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ledger_rows import insert_claims

from ledger import export, store
from ledger.export import COLUMNS, FORMATS, write, write_rows, write_table
from ledger.store import Ledger

CLAIMS_PER_SOURCE = 10


def fill(ledger: Ledger, sources: int) -> list[str]:
    """`sources` sources of CLAIMS_PER_SOURCE claims each, every claim checked, every 7th noted
    twice; returns the claim ids in reading order. Inserted in reverse, so rowid order is not
    reading order."""
    rows, checks, notes = [], [], []
    for s in range(sources):
        for c in range(CLAIMS_PER_SOURCE):
            cid = f"c-{s:05d}-{c:02d}"
            rows.append(
                {"id": cid, "source_id": f"s{s:05d}", "start": c * 10, "end": c * 10 + 3,
                 "quote": f"{c}%", "value": float(c), "kind": "percent", "unit": "percent",
                 "metric": "other" if c % 3 else "growth", "sentence": f"It rose {c}% in s{s}.",
                 "sentence_start": c * 10, "related": "[]"}
            )  # fmt: skip
            checks += [
                {"claim_id": cid, "against_type": "reference", "outcome": "no-reference"},
                {"claim_id": cid, "against_type": "claim", "against_id": "x",
                 "outcome": "inconsistent"},
            ]  # fmt: skip
            if (s * CLAIMS_PER_SOURCE + c) % 7 == 0:
                notes += [
                    {"claim_id": cid, "verdict": "inaccurate", "text": "first",
                     "created_at": "2025-01-01T00:00:00"},
                    {"claim_id": cid, "verdict": "accurate", "text": "second",
                     "created_at": "2025-01-02T00:00:00"},
                ]  # fmt: skip
    db = ledger.db
    with db.conn:
        db["sources"].insert_all(
            {"id": f"s{s:05d}", "path": f"s{s}.txt", "publisher": "Daily" if s % 2 else "Weekly",
             "text": "x"} for s in reversed(range(sources))
        )  # fmt: skip
        insert_claims(db, reversed(rows))
        db["checks"].insert_all(reversed(checks))
        db["notes"].insert_all(notes)
    return [row["id"] for row in rows]


def steps(ledger: Ledger, call: Callable[[], Any]) -> int:
    """SQLite virtual-machine steps (in hundreds) that `call` makes on the ledger's connection."""
    count = 0

    def tick() -> int:
        nonlocal count
        count += 1
        return 0

    ledger.db.conn.set_progress_handler(tick, 100)
    try:
        call()
    finally:
        ledger.db.conn.set_progress_handler(None, 0)
    return count


@pytest.fixture
def small(tmp_path: Path) -> Iterator[tuple[Ledger, list[str]]]:
    with Ledger(tmp_path / "small.db") as ledger:
        yield ledger, fill(ledger, 5)


@pytest.fixture
def big(tmp_path: Path) -> Iterator[tuple[Ledger, list[str]]]:
    with Ledger(tmp_path / "big.db") as ledger:
        yield ledger, fill(ledger, 300)


def test_a_claim_lookup_costs_the_same_in_a_ledger_60_times_larger(small, big):
    (little, few), (large, many) = small, big
    assert len(many) == 60 * len(few)
    cost_small = steps(little, lambda: little.claim(few[21]))
    cost_big = steps(large, lambda: large.claim(many[1505]))
    assert cost_big <= 1.5 * cost_small + 5  # it read every claim and check before: 60 times
    row = large.claim(many[1505])
    assert row == next(r for r in large.iter_claims() if r["id"] == many[1505])
    assert (row["verdict"], row["verdict_text"], row["notes_count"]) == ("accurate", "second", 2)
    assert [check["against_type"] for check in row["checks"]] == ["claim", "reference"]  # by id


def test_a_listing_is_read_as_it_is_consumed(big, monkeypatch: pytest.MonkeyPatch):
    ledger, ids = big
    monkeypatch.setattr(store, "CLAIMS_BATCH", 50)
    first = steps(ledger, lambda: next(ledger.iter_claims()))
    whole = steps(ledger, lambda: list(ledger.iter_claims()))
    assert first * 10 < whole  # the first row needs the first batch, not every claim and check
    assert steps(ledger, lambda: ledger.claims(limit=3)) * 10 < whole


def test_batches_give_the_rows_claims_gave_in_one_go(big, monkeypatch: pytest.MonkeyPatch):
    ledger, ids = big
    whole = ledger.claims()
    assert [row["id"] for row in whole] == ids  # reading order, not insertion order
    monkeypatch.setattr(store, "CLAIMS_BATCH", 7)  # batch edges fall inside sources
    assert list(ledger.iter_claims()) == whole
    assert {len(row["checks"]) for row in whole} == {2}
    assert {row["check_summary"] for row in whole} == {"inconsistent 1, no-reference 1"}
    noted = [row for row in whole if row["notes_count"]]
    assert len(noted) == len(ids) // 7 + 1
    assert {(row["verdict"], row["notes_count"]) for row in noted} == {("accurate", 2)}


@pytest.mark.parametrize(
    "filters",
    [{}, {"metric": "other"}, {"source": "daily"}, {"source": "s00007"}, {"search": "rose"},
     {"verdict": "accurate"}, {"verdict": "unverified", "limit": 5}],
)  # fmt: skip
def test_a_listing_never_sorts_more_than_a_source(big, filters: dict[str, str]):
    """Left to choose, SQLite takes a filter's index and sorts every match at once, in memory
    (the ledger's temp_store): 400 MB for `--metric other` on a million claims."""
    ledger, ids = big
    statements: list[str] = []
    ledger.db.conn.set_trace_callback(statements.append)
    try:
        rows = list(ledger.iter_claims(**filters))
    finally:
        ledger.db.conn.set_trace_callback(None)
    assert rows
    [listing] = [sql for sql in statements if "from claims indexed by" in sql]
    # The query's own steps (a latest-note subquery sorts one claim's notes: that is fine).
    plan = [row[3] for row in ledger.db.execute("explain query plan " + listing) if row[1] == 0]
    assert "SCAN claims USING INDEX idx_claims_source_id" in plan, plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
    assert [row["id"] for row in rows] == [i for i in ids if i in {row["id"] for row in rows}]


def test_bad_filters_fail_before_any_row_is_read(big):
    ledger, _ = big
    with pytest.raises(store.LedgerError, match="unknown verdict"):
        ledger.iter_claims(verdict="true")
    with pytest.raises(store.LedgerError, match="at least one word"):
        ledger.iter_claims(search=' " ')


class Watched:
    """Rows handed out one at a time, noting what had been written when each was asked for."""

    def __init__(self, rows: list[dict[str, Any]], out: io.StringIO) -> None:
        self.rows, self.out, self.written_before = rows, out, []

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.written_before.append(self.out.getvalue())
            yield row


def claim_row(n: int) -> dict[str, Any]:
    row: dict[str, Any] = {column: None for column in COLUMNS}
    row.update(id=f"c-{n:04d}", quote=f"{n}%", sentence=f"It was {n}%.", verdict="accurate",
               verdict_at="2025-01-01", checks=[], related=[])  # fmt: skip
    return row


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_writes_each_claim_before_reading_the_next(fmt: str):
    out = io.StringIO()
    rows = [claim_row(n) for n in range(5)]
    watched = Watched(rows, out)
    assert write(watched, fmt, out) == 5
    for n, before in enumerate(watched.written_before[1:], start=1):
        assert f"c-{n - 1:04d}" in before and f"c-{n:04d}" not in before
    if fmt in ("json", "claimreview"):
        assert len(json.loads(out.getvalue())) == 5


@pytest.mark.parametrize("fmt", ["json", "nl", "csv"])
def test_plain_rows_are_written_as_they_come(fmt: str):
    out = io.StringIO()
    watched = Watched([{"id": f"n-{n}", "text": "t"} for n in range(3)], out)
    assert write_rows(watched, fmt, out) == 3
    assert "n-0" in watched.written_before[1] and "n-1" not in watched.written_before[1]


def test_a_table_waits_for_its_widths_in_a_file_not_in_memory(monkeypatch: pytest.MonkeyPatch):
    rolled_over = []

    class Spooled(tempfile.SpooledTemporaryFile):  # type: ignore[type-arg]
        def rollover(self) -> None:
            rolled_over.append(True)
            super().rollover()

    monkeypatch.setattr(export, "SPOOL_BYTES", 64)
    monkeypatch.setattr(export.tempfile, "SpooledTemporaryFile", Spooled)
    out = io.StringIO()
    rows = [{"id": f"c-{n}", "text": "a | b\tc\nd " * (n % 3)} for n in range(40)]
    assert write_table(rows, {"id": 6, "text": 12}, out) == 40
    assert rolled_over
    lines = out.getvalue().splitlines()
    assert lines[:3] == ["id    text", "----  ------------", "c-0"]
    assert lines[4] == "c-2   a | b c d a…"
    assert len(lines) == 42

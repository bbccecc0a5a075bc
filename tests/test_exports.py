"""The read commands print, byte for byte, what they printed before they streamed
(tests/export_ledger.py builds the ledger; tests/fixtures/exports/ holds the outputs)."""

from __future__ import annotations

import os
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
    result = CliRunner().invoke(
        cli, ["export", "--format", fmt, "--db", str(fixture_db), "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote 6 claim(s) as {fmt} to {target}\n"
    assert target.read_bytes() == output(fixture_db, ["export", "--format", fmt])


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

"""The read commands print, byte for byte, what they printed before they streamed
(tests/export_ledger.py builds the ledger; tests/fixtures/exports/ holds the outputs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from export_ledger import COMMANDS, OUTPUTS, build, output

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

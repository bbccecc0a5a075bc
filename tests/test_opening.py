"""Opening is not writing: how each command opens a ledger, as a user meets it.

A read command leaves claims.db byte- and mtime-identical and works on a file nobody may write; a
mistyped --db makes no file; a file that is not a ledger, a ledger from a newer version and a
write the file refuses are one-line errors, never tracebacks (issue 19: 13, 15). Also what a
killed command leaves behind (issue 19: 14).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from synthetic import write_corpus

from ledger.cli import cli
from ledger.migrations import LATEST
from ledger.serve import ServeError, build_datasette
from ledger.store import Ledger

SOURCES = Path(__file__).resolve().parent.parent / "sources"

# Every command that only reads the ledger, with its arguments.
READS = {
    "claims": ["claims", "--limit", "1"],
    "claims --json": ["claims", "--json", "--search", "chips"],
    "notes": ["notes"],
    "export": ["export", "--format", "csv"],
    "export claimreview": ["export", "--format", "claimreview", "--site-url", "https://fc.example"],
    "reference list": ["reference", "list"],
    "verify": ["verify"],
}
# Every command that writes to an existing ledger, with its arguments.
WRITES = {
    "note": ["note", "c-x", "--verdict", "accurate", "--text", "t", "--reviewer", "ana"],
    "check": ["check"],
    "reference add": [
        "reference",
        "add",
        "--id",
        "r",
        "--metric",
        "m",
        "--value",
        "1",
        "--unit",
        "percent",
        "--publisher",
        "p",
    ],  # fmt: skip
    "reference load": ["reference", "load", str(SOURCES / "references.csv")],
    "migrate": ["migrate"],
}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's sources ingested and checked, with one note."""
    path = tmp_path_factory.mktemp("built") / "claims.db"
    assert run("ingest", str(SOURCES), "--db", str(path))[0] == 0
    assert run("check", "--db", str(path))[0] == 0
    with Ledger(path) as ledger:
        first = ledger.claims(limit=1)[0]["id"]
        ledger.add_note(first, "accurate", "Checked against the bulletin.", reviewer="ana")
    return path


@pytest.fixture
def ledger_path(built: Path, tmp_path: Path) -> Path:
    path = tmp_path / "claims.db"
    shutil.copy(built, path)
    return path


def state(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.mark.parametrize("name", READS)
def test_a_read_command_leaves_the_ledger_byte_and_mtime_identical(ledger_path: Path, name: str):
    before = state(ledger_path)
    time.sleep(0.01)  # an mtime that moved would show
    code, output = run(*READS[name], "--db", str(ledger_path))
    assert code == 0, output
    assert state(ledger_path) == before


@pytest.mark.parametrize("name", [*READS, *WRITES])
def test_a_mistyped_db_creates_nothing(tmp_path: Path, name: str):
    typo = tmp_path / "clams.db"
    code, output = run(*{**READS, **WRITES}[name], "--db", str(typo))
    assert code == 1
    assert output.strip() == f"Error: no ledger at {typo} (build one with `ledger ingest sources/`)"
    assert os.listdir(tmp_path) == []


# verify reports on any file, a ledger or not, in its own lines (tests/test_verify.py)
@pytest.mark.parametrize("name", [name for name in [*READS, *WRITES] if name != "verify"])
def test_an_empty_file_is_made_a_ledger_by_no_command_but_ingest(tmp_path: Path, name: str):
    """SQLite reads an empty file as an empty database: `check --db notes.txt` made one a ledger."""
    path = tmp_path / "notes.txt"
    path.touch()
    code, output = run(*{**READS, **WRITES}[name], "--db", str(path))
    assert (code, output) == (1, f"Error: {path} is not a ledger (no claims, sources table)\n")
    assert path.stat().st_size == 0 and os.listdir(tmp_path) == ["notes.txt"]


def test_an_ingest_with_nothing_there_to_read_makes_no_ledger(tmp_path: Path):
    typo = tmp_path / "sorces"
    code, output = run("ingest", str(typo), "https://example.com/a", "--db", str(tmp_path / "c.db"))
    assert (code, output) == (
        1,
        f"Error: {typo}: no such file or folder; https://example.com/a: a URL, not a file: "
        "fetch it first (ledger fetch URL --into DIR)\n",
    )
    assert os.listdir(tmp_path) == []


def test_check_explain_of_an_unknown_claim_checks_nothing(ledger_path: Path):
    before = state(ledger_path)
    code, output = run("check", "--explain", "c-0000", "--db", str(ledger_path))
    assert (code, output) == (1, "Error: no claim with id 'c-0000' (see `ledger claims`)\n")
    assert state(ledger_path) == before


@pytest.mark.parametrize("name", [*READS, *WRITES, "ingest"])
def test_a_file_that_is_not_sqlite_is_a_one_line_error(tmp_path: Path, name: str):
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just notes\n" * 100, encoding="utf-8")
    before = state(path)
    args = {**READS, **WRITES, "ingest": ["ingest", str(SOURCES)]}[name]
    code, output = run(*args, "--db", str(path))
    assert code == 1
    assert output.count("\n") == 1 and output.startswith("Error: "), output
    assert "not a database" in output or "not a ledger" in output
    assert state(path) == before


@pytest.mark.parametrize("name", [*READS, *WRITES, "ingest"])
def test_a_ledger_from_a_newer_version_is_a_one_line_error(ledger_path: Path, name: str):
    with sqlite3.connect(ledger_path) as conn:
        conn.execute("update schema_version set version = ?", [LATEST + 1])
    before = state(ledger_path)
    args = {**READS, **WRITES, "ingest": ["ingest", str(SOURCES)]}[name]
    code, output = run(*args, "--db", str(ledger_path))
    assert code == 1
    if name == "verify":  # a diagnosis: it says so among its checks, and reads the rest
        assert f"ledger is at schema version {LATEST + 1}, newer than this program" in output
    else:
        assert output.count("\n") == 1, output
        assert "newer than this program knows" in output
    assert state(ledger_path) == before


def test_serve_refuses_a_ledger_from_a_newer_version(ledger_path: Path):
    with sqlite3.connect(ledger_path) as conn:
        conn.execute(
            "insert into _sqlite_migrations (migration_set, name, applied_at)"
            " values ('ledger', 'from_the_future', '2030-01-01')"
        )
    with pytest.raises(ServeError, match="newer than this program knows"):
        build_datasette(ledger_path)
    code, output = run("serve", "--db", str(ledger_path), "--port", "1")
    assert code == 1 and "newer than this program knows" in output


@contextlib.contextmanager
def unwritable(*paths: Path) -> Iterator[None]:
    """`paths` made read-only as they are for a user on a 0444 file (or a 0555 folder).

    Mode bits do not stop root, so as root the files are also made immutable (chattr +i), which
    does: SQLite then meets the same refusal a user meets.
    """
    modes = {path: path.stat().st_mode for path in paths}
    immutable: list[Path] = []
    try:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
            if os.geteuid() == 0:
                done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
                if done.returncode != 0:
                    pytest.skip(f"as root, and chattr +i is refused here: {done.stderr!r}")
                immutable.append(path)
        yield
    finally:
        for path in immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        for path, mode in modes.items():
            path.chmod(mode)


@pytest.mark.parametrize("name", READS)
def test_read_commands_work_on_a_read_only_ledger(ledger_path: Path, name: str):
    with unwritable(ledger_path):
        before = state(ledger_path)
        code, output = run(*READS[name], "--db", str(ledger_path))
    assert code == 0, output
    assert state(ledger_path) == before


def test_read_commands_work_in_a_read_only_folder(ledger_path: Path):
    """Where not even SQLite's -shm file can be made, the ledger is read as the immutable file
    it then is."""
    with unwritable(ledger_path, ledger_path.parent):
        code, output = run("claims", "--db", str(ledger_path), "--search", "satellites")
        listed = run("notes", "--db", str(ledger_path))
    assert code == 0, output
    assert "claim(s)" in output and "satellites" in output
    assert listed[0] == 0 and "Checked against the bulletin." in listed[1]


@pytest.mark.parametrize("name", ["check", "note", "reference add"])
def test_a_write_to_a_read_only_ledger_is_a_one_line_error(ledger_path: Path, name: str):
    with Ledger(ledger_path, read_only=True) as ledger:
        claim = ledger.claims(limit=1)[0]["id"]
    args = [claim if arg == "c-x" else arg for arg in WRITES[name]]
    with unwritable(ledger_path):
        before = state(ledger_path)
        code, output = run(*args, "--db", str(ledger_path))
    assert code == 1
    assert output.count("\n") == 1, output
    assert output.startswith(f"Error: {ledger_path}: cannot write to the ledger")
    assert state(ledger_path) == before


@pytest.mark.parametrize("name", [*WRITES, "ingest"])
def test_a_write_in_a_read_only_folder_names_the_folder(ledger_path: Path, name: str):
    """SQLite makes a WAL ledger's -wal and -shm files beside it: in a folder the user may not
    write to, every write said no more than "unable to open database file"."""
    args = {**WRITES, "ingest": ["ingest", str(SOURCES)]}[name]
    folder = ledger_path.parent
    with unwritable(ledger_path, folder):
        before = state(ledger_path)
        code, output = run(*args, "--db", str(ledger_path))
        assert state(ledger_path) == before
    assert (code, output) == (
        1,
        f"Error: {ledger_path}: cannot write to the ledger: its folder {folder} is not writable"
        " (SQLite keeps a ledger's -wal and -shm files beside it)\n",
    )
    assert sorted(os.listdir(folder)) == ["claims.db"]


def test_serve_in_a_read_only_folder_names_the_folder(ledger_path: Path):
    folder = ledger_path.parent
    with unwritable(ledger_path, folder):
        code, output = run("serve", "--db", str(ledger_path), "--port", "1", "--no-pack")
    assert (code, output) == (
        1,
        f"Error: {ledger_path}: its folder {folder} is not writable: reviewers' notes are written"
        " into the ledger, and SQLite keeps its -wal and -shm files beside it\n",
    )
    assert sorted(os.listdir(folder)) == ["claims.db"]


def test_an_import_in_a_read_only_folder_names_the_folder(tmp_path: Path):
    rates = tmp_path / "rates.csv"
    rates.write_text("date,rate\n2020-03-11,0.25\n", encoding="utf-8")
    folder = tmp_path / "references"
    folder.mkdir()
    with unwritable(folder):
        code, output = run("reference", "import", "boe-bank-rate", "--references-db",
                           str(folder / "references.db"), str(rates))  # fmt: skip
    assert (code, output) == (
        1,
        f"Error: {folder / 'references.db'}: cannot import into it: its folder {folder} is not "
        "writable\n",
    )
    assert os.listdir(folder) == []


def test_an_import_into_a_read_only_reference_database_is_a_one_line_error(tmp_path: Path):
    """It was a traceback: the importer's write met SQLite's refusal uncaught."""
    rates, more = tmp_path / "rates.csv", tmp_path / "more.csv"
    rates.write_text("date,rate\n2020-03-11,0.25\n", encoding="utf-8")
    more.write_text("date,rate\n2021-12-16,0.25\n", encoding="utf-8")
    target = tmp_path / "references.db"
    args = ["reference", "import", "boe-bank-rate", "--references-db", str(target)]
    assert run(*args, str(rates))[0] == 0
    with unwritable(target):
        before = state(target)
        code, output = run(*args, str(more))
        assert state(target) == before
    assert (code, output) == (
        1,
        f"Error: {target}: cannot import into it (attempt to write a readonly database)\n",
    )


def test_an_import_into_the_ledger_itself_is_refused(ledger_path: Path, tmp_path: Path):
    """`--references-db claims.db` wrote the statistics' tables into the ledger."""
    rates = tmp_path / "rates.csv"
    rates.write_text("date,rate\n2020-03-11,0.25\n", encoding="utf-8")
    before = state(ledger_path)
    code, output = run("reference", "import", "boe-bank-rate", str(rates), "--db",
                       str(ledger_path), "--references-db", str(ledger_path))  # fmt: skip
    assert (code, output) == (
        1,
        f"Error: {ledger_path} is a ledger: statistics are imported into a database of their own"
        " (references.db beside the ledger, or another --references-db)\n",
    )
    assert state(ledger_path) == before


def test_a_read_only_connection_cannot_write_even_as_root(ledger_path: Path):
    with Ledger(ledger_path, read_only=True) as ledger, pytest.raises(sqlite3.OperationalError):
        ledger.db.execute("delete from notes")


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (read from /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return status != "Z"
    return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_ingest_workers_die_with_a_killed_ingest(tmp_path: Path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 3_000, seed=7)
    command = [sys.executable, "-c", "from ledger.cli import cli; cli()", "ingest", str(corpus),
               "--jobs", "2", "--db", str(tmp_path / "claims.db")]  # fmt: skip
    ingest = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers := children(ingest.pid)) < 2:
            assert ingest.poll() is None, "the ingest ended before its workers were seen"
            assert time.monotonic() < deadline, "no workers started"
            time.sleep(0.05)
        ingest.send_signal(signal.SIGKILL)
        ingest.wait()
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if alive(pid)], "workers outlived the killed ingest"
    finally:  # a failed test must not leave workers running
        ingest.kill()
        for pid in workers | children(ingest.pid):
            with contextlib.suppress(OSError):
                if str(corpus).encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)


def test_a_killed_backups_leftover_is_removed_by_the_next(ledger_path: Path, tmp_path: Path):
    target = tmp_path / "copy.db"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process id that is no longer running
    stale = tmp_path / f".copy.db.partial-{dead.pid}"
    stale.write_bytes(b"\0" * 4096)
    live = tmp_path / f".copy.db.partial-{os.getppid()}"  # a running writer's: not touched
    live.write_bytes(b"\0")
    code, output = run("backup", str(target), "--db", str(ledger_path))
    assert code == 0, output
    assert not stale.exists() and live.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [live.name]


def test_a_killed_exports_leftover_is_removed_by_the_next(ledger_path: Path, tmp_path: Path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".out.csv.partial-{dead.pid}"
    stale.write_text("id,quote\n", encoding="utf-8")
    code, output = run("export", "--db", str(ledger_path), "-o", str(tmp_path / "out.csv"))
    assert code == 0, output
    assert not stale.exists()

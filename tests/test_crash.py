"""Crash safety: `ledger ingest` killed with SIGKILL at random moments loses nothing.

After every kill the ledger passes `PRAGMA integrity_check`, every source in it is fully ingested
(its live claims are exactly a clean ingest's count, for the version of the file it holds) or
absent, no note is lost, and the next ingest finishes the job with the same ids a clean one gives.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner
from synthetic import article, write_corpus

from ledger.cli import cli
from ledger.sources import file_sha256
from ledger.store import Ledger

LEDGER = [sys.executable, "-c", "from ledger.cli import cli; cli()"]
SOURCES = 200
KILLS = 20


def query(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def live_counts(db: Path) -> dict[str, int]:
    return dict(
        query(
            db,
            "select sources.id, count(claims.id) from sources left join claims"
            " on claims.source_id = sources.id and claims.retired_at is null group by sources.id",
        )
    )


def check_consistent(
    db: Path,
    notes: list[tuple],
    expected: dict[tuple[str, str], int],
) -> None:
    """What must hold after any kill; `expected` maps (source id, sha256) to a live claim count."""
    assert query(db, "pragma integrity_check") == [("ok",)]
    assert query(db, "select * from notes order by id") == notes
    assert query(
        db, "select count(*) from notes where claim_id not in (select id from claims)"
    ) == [(0,)]
    assert query(
        db, "select count(*) from claims where source_id not in (select id from sources)"
    ) == [(0,)]
    counts = live_counts(db)
    for source_id, sha256 in query(db, "select id, sha256 from sources"):
        assert (source_id, sha256) in expected, f"{source_id} holds bytes no ingest saw"
        assert counts[source_id] == expected[(source_id, sha256)], f"{source_id} half-ingested"


def test_sigkill_during_ingest_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(20261123)
    sources = tmp_path / "sources"
    files = write_corpus(sources, SOURCES, seed=5)
    db = tmp_path / "claims.db"

    # A ledger with notes: the first 30 sources, ten notes on claims of the first ten.
    with Ledger(db) as ledger:
        ledger.ingest(files[:30])
        noted = [
            ledger.db.execute(
                "select id from claims where source_id = ? order by start limit 1", [f.stem]
            ).fetchone()[0]
            for f in files[:10]
        ]
        for n, claim in enumerate(noted):
            ledger.add_note(
                claim, "accurate", f"checked against the council minutes, item {n}", reviewer="ana"
            )
    notes = query(db, "select * from notes order by id")
    expected = _with_sha(db)  # (source id, sha256) -> live claims, for every version ingested

    # Then the files change: five rewritten (their noted claims go: retired, notes kept), five
    # with a paragraph appended (their noted claims stay).
    for n, path in enumerate(files[:10]):
        if n < 5:
            path.write_text(article(random.Random(1000 + n), 1000 + n), encoding="utf-8")
        else:
            with path.open("a", encoding="utf-8") as handle:
                handle.write("\nA later update said the figure was revised to 7.5% in 2025.\n")

    # A clean ingest of the final files: the counts and ids every source must end with.
    reference = tmp_path / "reference.db"
    done = subprocess.run(
        [*LEDGER, "ingest", str(sources), "--db", str(reference)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    expected.update(_with_sha(reference))
    reference_ids = set(query(reference, "select id from claims"))
    assert sum(live_counts(reference).values()) > 2 * SOURCES  # the extractor found claims

    forced = killed_mid_run = 0
    for _ in range(KILLS):
        # Most runs are --force: they rewrite every source, and are killed once a random number
        # of sources (seeded) has been written, a few milliseconds into the next one, wherever
        # that is (extracting, inside its transaction, committing). The others resume whatever
        # the last kill left undone, and are killed after a random time.
        force = rng.random() < 0.75
        command = [*LEDGER, "ingest", str(sources), "--db", str(db), *(["--force"] * force)]
        before = dict(query(db, "select id, ingested_at from sources"))
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if force:
            forced += 1
            _wait_for_progress(db, before, rng.randint(1, SOURCES - 1), process)
        else:
            time.sleep(rng.uniform(0.1, 1.0))
        process.send_signal(signal.SIGKILL)
        if process.wait() == -signal.SIGKILL and force:
            killed_mid_run += 1
        check_consistent(db, notes, expected)
    print(f"{killed_mid_run} of {forced} forced runs killed mid-run, {KILLS} kills in all")
    assert killed_mid_run >= forced * 3 // 4, f"only {killed_mid_run} of {forced} killed mid-run"

    finish = subprocess.run(
        [*LEDGER, "ingest", str(sources), "--db", str(db)], capture_output=True, text=True
    )
    assert finish.returncode == 0, finish.stderr
    check_consistent(db, notes, expected)
    live = set(query(db, "select id from claims where retired_at is null"))
    assert live == reference_ids
    assert {sha for sid, sha in query(db, "select id, sha256 from sources")} == {
        file_sha256(path) for path in files
    }
    retired = query(db, "select count(*) from claims where retired_at is not null")[0][0]
    assert retired >= 5  # the rewritten sources' noted claims, kept for their notes
    result = CliRunner().invoke(cli, ["verify", "--db", str(db), "--sources", str(sources)])
    assert result.exit_code == 0, result.output


def _wait_for_progress(
    db: Path, before: dict[str, str], written: int, process: subprocess.Popen
) -> None:
    """Return once `written` sources have been (re)written since `before`, or the run ended."""
    with sqlite3.connect(db, timeout=30) as conn:
        while process.poll() is None:
            rows = conn.execute("select id, ingested_at from sources").fetchall()
            if sum(before.get(sid) != at for sid, at in rows) >= written:
                return
            time.sleep(0.005)


def _with_sha(db: Path) -> dict[tuple[str, str], int]:
    counts = live_counts(db)
    return {(sid, sha): counts[sid] for sid, sha in query(db, "select id, sha256 from sources")}

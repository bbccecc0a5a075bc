"""The ledger's read commands on a ledger of a million claims or more: seconds and peak memory.

    python bench/read_scale.py --work /tmp/ledger-read-scale            # builds, then measures
    python bench/read_scale.py --work /tmp/ledger-read-scale --only export-csv,claim

The ledger is `bench/serve_scale.py`'s (`build_ledger`: real extraction of `--seed-mb` MB of the
corpora, copied up to `--claims` claims), copied once into WORK/reads.db and given what a ledger
in use has: the shipped references, a note on every 100th claim (a second one on every 500th) and
a retired, noted claim every 10,000th (orphaned notes). `ledger check` runs first, so every later
command sees a full `checks` table.

Each command runs as a child process, its output written to WORK/out/NAME; its peak memory is the
child's own `ru_maxrss` from wait4. The sha256 of each output is printed, so two runs (before and
after a change) can be compared byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import require_corpora  # noqa: E402
from ingest import db_figures, ledger_command, load_average  # noqa: E402
from serve_scale import build_ledger  # noqa: E402

REFERENCES = Path(__file__).resolve().parent.parent / "sources" / "references.csv"
NOTED_EVERY, RENOTED_EVERY, RETIRED_EVERY = 100, 500, 10_000


def prepare(work: Path, claims: int, jobs: int, seed_mb: float) -> Path:
    """WORK/reads.db: the big ledger with references, notes and orphaned notes (made once)."""
    reads = work / "reads.db"
    if reads.exists():
        return reads
    big = build_ledger(work, claims, jobs, seed_mb)
    db_figures(big)  # checkpoints the WAL, so copying the file copies the whole ledger
    partial = reads.with_suffix(".partial")
    shutil.copyfile(big, partial)
    subprocess.run(
        [*ledger_command(), "reference", "load", str(REFERENCES), "--db", str(partial)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    connection = sqlite3.connect(partial)
    with connection:
        for every, verdict, day in [(NOTED_EVERY, "accurate", 1), (RENOTED_EVERY, "misleading", 2)]:
            connection.execute(
                "insert into notes (claim_id, verdict, text, reviewer, created_at) "
                "select id, ?, 'bench note', 'bench', ? from claims where rowid % ? = 0",
                [verdict, f"2025-01-0{day}T00:00:00.000000+00:00", every],
            )
        connection.execute(
            "update claims set retired_at = '2025-01-03T00:00:00+00:00' where rowid % ? = 0",
            [RETIRED_EVERY],
        )
    connection.execute("pragma wal_checkpoint(truncate)")  # all of it in the file to be renamed
    connection.close()
    partial.rename(reads)
    return reads


def pick(db: Path) -> dict[str, str]:
    """A live noted claim mid-table, a retired one, and a metric with about 1% of the claims."""
    with sqlite3.connect(db) as connection:
        total = connection.execute("select max(rowid) from claims").fetchone()[0]
        middle = total // 2 // NOTED_EVERY * NOTED_EVERY + NOTED_EVERY
        live = connection.execute(
            "select id from claims where rowid >= ? and retired_at is null order by rowid limit 1",
            [middle],
        ).fetchone()[0]
        retired = connection.execute(
            "select id from claims where retired_at is not null order by rowid limit 1"
        ).fetchone()[0]
        metric = connection.execute(
            "select metric, count(*) as n from claims group by metric order by abs(n - ?) limit 1",
            [total // 100],
        ).fetchone()[0]
    return {"live": live, "retired": retired, "metric": metric}


def commands(db: Path, out: Path, picked: dict[str, str]) -> dict[str, list[str]]:
    """Name -> argv (after `ledger`), in the order they run: `check` first fills `checks`."""
    d = ["--db", str(db)]
    ledger = f"Ledger({str(db)!r})"
    lookup = f"from ledger.store import Ledger; print({ledger}.claim({picked['live']!r}))"
    named: dict[str, list[str]] = {
        "check": ["check", *d],
        "check-explain": ["check", "--explain", picked["live"], *d],
        "claims-limit-20": ["claims", "--limit", "20", *d],
        "claims-metric": ["claims", "--metric", picked["metric"], *d],
        "claims": ["claims", *d],
        "claims-json": ["claims", "--json", *d],
        "claim": [sys.executable, "-c", lookup],
    }
    for fmt in ("csv", "json", "jsonl", "markdown", "claimreview"):
        named[f"export-{fmt}"] = ["export", "--format", fmt, "-o", str(out / f"export.{fmt}"), *d]
    named |= {
        "notes": ["notes", *d],
        "notes-claim": ["notes", picked["live"], *d],
        "notes-orphaned": ["notes", "--orphaned", *d],
        "verify": ["verify", *d],
        "backup": ["backup", str(out / "backup.db"), "--force", *d],
        "reference-list": ["reference", "list", *d],
    }
    return named


def run(argv: list[str], output: Path) -> dict:
    """One command in a child process: wall seconds, CPU seconds, peak RSS, exit code."""
    command = argv if argv[0] == sys.executable else [*ledger_command(), *argv]
    started = time.perf_counter()
    with open(output, "wb") as handle:
        child = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)  # the child's own peak RSS, not the sum
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss * 1024 / 1e6),
        "exit": os.waitstatus_to_exitcode(status),
    }


def digest(path: Path) -> str:
    """sha256 of a command's output, and of the file it wrote (-o) when there is one."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()[:16]


@click.command()
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("/tmp/ledger-read-scale"),
    show_default=True,
    help="Where the ledger and the outputs go (outside the repository).",
)
@click.option("--claims", default=1_000_000, show_default=True, help="Claims to build up to.")
@click.option("--jobs", default=2, show_default=True, help="ledger ingest --jobs when building.")
@click.option("--seed-mb", default=10.0, show_default=True, help="MB really ingested, then copied.")
@click.option("--only", help="Comma-separated command names (default: all, in order).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON too.")
def main(work: Path, claims: int, jobs: int, seed_mb: float, only: str | None, as_json: bool):
    """Build (or reuse) a big ledger and time each read command on it."""
    require_corpora()
    work.mkdir(parents=True, exist_ok=True)
    db = prepare(work, claims, jobs, seed_mb)
    out = work / "out"
    out.mkdir(exist_ok=True)
    picked = pick(db)
    figures = db_figures(db)
    click.echo(
        f"ledger: {figures['claims']:,} claims from {figures['sources']:,} sources, "
        f"{figures['db_bytes'] / 1e9:.2f} GB; {load_average()}"
    )
    named = commands(db, out, picked)
    wanted = only.split(",") if only else list(named)
    unknown = [name for name in wanted if name not in named]
    if unknown:
        raise click.ClickException(f"unknown command(s) {', '.join(unknown)}; see --help")
    results = {}
    click.echo(f"{'command':16} {'seconds':>8} {'cpu s':>7} {'peak MB':>8} exit  output sha256")
    for name in wanted:
        stdout = out / f"{name}.out"
        result = run(named[name], stdout)
        written = next((Path(arg) for arg in named[name] if str(out) in arg), None)
        hashed = written if written is not None and written.suffix != ".db" else stdout
        result["sha256"] = digest(hashed)
        results[name] = result
        click.echo(
            f"{name:16} {result['seconds']:8.2f} {result['cpu_seconds']:7.2f} "
            f"{result['peak_rss_mb']:8,} {result['exit']:4}  {result['sha256']}"
        )
    if as_json:
        click.echo(json.dumps({"ledger": figures, "picked": picked, "results": results}, indent=2))


if __name__ == "__main__":
    main()

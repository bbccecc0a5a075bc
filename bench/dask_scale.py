"""Extraction on Dask against one machine's `ledger ingest --jobs`, on the same corpus.

    python bench/dask_scale.py --work /tmp/ledger-dask --mb 10 --workers 2

Builds `--mb` MB of BBC and Reuters stories, one per file (bench/corpora.py), then times, each
in a child process as a user runs it:
- `ledger extract --engine dask --workers N --output shards/ CORPUS`: the local cluster's start
  included, as a user pays it;
- `ledger load shards/ --db dask.db`: the shards merged into a fresh ledger;
- `ledger ingest CORPUS --jobs N --db ingest.db`: both steps on one machine, for comparison;
and checks that the two ledgers hold the same claim ids. Wall and CPU seconds (the children's)
for each, with the machine's load average, since the machine may be shared.
"""

from __future__ import annotations

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

from corpora import build_corpus, require_corpora  # noqa: E402
from ingest import fresh, ledger_command, load_average  # noqa: E402


def timed_command(arguments: list[str]) -> dict:
    """Run `ledger ARGUMENTS` to completion: wall and CPU seconds, and its last line of output."""
    cpu_before = os.times()
    started = time.perf_counter()
    done = subprocess.run(
        [*ledger_command(), *arguments], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    cpu_after = os.times()
    if done.returncode != 0:
        raise click.ClickException(
            f"ledger {' '.join(arguments)} failed ({done.returncode}): {done.stderr.strip()}"
        )
    cpu = (cpu_after.children_user - cpu_before.children_user) + (
        cpu_after.children_system - cpu_before.children_system
    )
    lines = (done.stdout + done.stderr).strip().splitlines()
    return {
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "said": lines[-1] if lines else "",
    }


def claim_ids(db: Path) -> set[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return {row[0] for row in connection.execute("select id from claims")}


@click.command()
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("/tmp/ledger-dask"),
    show_default=True,
)
@click.option("--mb", default=10.0, show_default=True, help="MB of stories to extract.")
@click.option("--workers", default=2, show_default=True, help="Dask workers, and ingest --jobs.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON too.")
def main(work: Path, mb: float, workers: int, as_json: bool) -> None:
    """Time `ledger extract --engine dask` + `ledger load` against `ledger ingest --jobs`."""
    require_corpora()
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"corpus-{mb:g}mb"
    built = build_corpus(corpus, mb)
    shards = work / "shards"
    shutil.rmtree(shards, ignore_errors=True)
    dask_db, ingest_db = fresh(work / "dask.db"), fresh(work / "ingest.db")
    click.echo(f"{built['files']:,} files, {built['bytes'] / 1e6:.1f} MB; {load_average()}")
    rows = {
        f"ledger extract --engine dask --workers {workers}": timed_command(
            [
                "extract",
                "--engine",
                "dask",
                "--workers",
                str(workers),
                "--output",
                str(shards),
                str(corpus),
            ]
        ),  # fmt: skip
        "ledger load shards/": timed_command(["load", str(shards), "--db", str(dask_db)]),
        f"ledger ingest --jobs {workers}": timed_command(
            ["ingest", str(corpus), "--jobs", str(workers), "--db", str(ingest_db)]
        ),
    }
    same = claim_ids(dask_db) == claim_ids(ingest_db)
    click.echo("| step | wall s | CPU s (children) | said |")
    click.echo("|---|---:|---:|---|")
    for step, row in rows.items():
        click.echo(f"| `{step}` | {row['seconds']} | {row['cpu_seconds']} | {row['said']} |")
    click.echo(f"same claim ids in both ledgers: {same}; {load_average()}")
    if as_json:
        click.echo(json.dumps({"corpus": built, "rows": rows, "same_claims": same}, indent=2))
    if not same:
        raise click.ClickException("the Dask ledger and the ingested one differ")


if __name__ == "__main__":
    main()

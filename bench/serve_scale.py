"""Serving at scale: a ledger of a million claims or more under `ledger serve`, loaded from a
second process on loopback (bench/load.py), with median and p95 latency per page.

    python bench/serve_scale.py --work /tmp/ledger-serve              # builds, serves, measures
    python bench/serve_scale.py --db /tmp/ledger-bench/growth-1000.db # an existing big ledger

The ledger is built by `ledger ingest --jobs 2` over news stories repeated from the BBC and
Reuters corpora under new ids (bench/corpora.py) until it holds `--claims` claims. Goals (issue 6):
a claim page under 50 ms and the claims table with its default facets under 500 ms, at p95.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import build_corpus, require_corpora  # noqa: E402
from ingest import db_figures, ledger_command, run_ingest  # noqa: E402
from load import format_table, run_load  # noqa: E402

GOALS_MS = {"claim page": 50.0, "claims table, default facets": 500.0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def claim_count(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("select count(*) from claims").fetchone()[0])


def build_ledger(work: Path, claims: int, jobs: int) -> Path:
    """Ingest ever larger corpora (doubling) into one ledger until it holds `claims` claims."""
    db = work / "claims.db"
    megabytes = 50.0
    while not db.exists() or claim_count(db) < claims:
        corpus = work / f"corpus-{megabytes:g}mb"
        built = build_corpus(corpus, megabytes)
        run = run_ingest(corpus, db, jobs=jobs)
        count = claim_count(db)
        click.echo(
            f"ingested {built['bytes'] / 1e6:.0f} MB in {run['seconds']:.0f}s: {count:,} claims",
            err=True,
        )
        if count >= claims:
            break
        # claims grow in proportion to text: aim straight at the target, with 10% to spare
        megabytes = round(megabytes * claims / max(count, 1) * 1.1)
    return db


def pick_paths(db: Path, database: str, search: str) -> dict[str, str]:
    """The pages to load: the claims table, a full-text search, a claim page (mid-table)."""
    with sqlite3.connect(db) as connection:
        total = connection.execute("select max(rowid) from claims").fetchone()[0]
        row = connection.execute(
            "select id from claims where rowid >= ? order by rowid limit 1", [total // 2]
        ).fetchone()
    return {
        "claims table, default facets": f"/{database}/claims",
        f"full-text search '{search}'": f"/{database}/claims?_search={quote(search)}",
        "claim page": f"/{database}/claims/{row[0]}",
    }


def wait_for(port: int, server: subprocess.Popen, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise click.ClickException(f"ledger serve exited with code {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise click.ClickException(f"ledger serve did not answer on port {port} in {seconds:.0f}s")


@click.command()
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("/tmp/ledger-serve"),
    show_default=True,
)
@click.option(
    "--db",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve this ledger instead of building one.",
)
@click.option("--claims", default=1_000_000, show_default=True, help="Claims to build up to.")
@click.option("--jobs", default=2, show_default=True, help="ledger ingest --jobs when building.")
@click.option("--requests", default=100, show_default=True, help="Requests per page, at most.")
@click.option("--concurrency", default=2, show_default=True, help="Client threads.")
@click.option("--seconds", default=300.0, show_default=True, help="Time limit for the load.")
@click.option("--search", default="profits", show_default=True, help="Words for the FTS page.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON too.")
def main(
    work: Path,
    db: Path | None,
    claims: int,
    jobs: int,
    requests: int,
    concurrency: int,
    seconds: float,
    search: str,
    as_json: bool,
) -> None:
    """Build (or take) a big ledger, serve it with `ledger serve`, load it, report latency."""
    if db is None:
        require_corpora()
        work.mkdir(parents=True, exist_ok=True)
        db = build_ledger(work, claims, jobs)
    figures = db_figures(db)
    click.echo(
        f"ledger: {figures['claims']:,} claims from {figures['sources']:,} sources, "
        f"{figures['db_bytes'] / 1e9:.2f} GB"
    )
    port = free_port()
    log = open(db.with_suffix(".serve.log"), "w")  # noqa: SIM115 (lives as long as the server)
    server = subprocess.Popen(
        [*ledger_command(), "serve", "--db", str(db), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        started = time.perf_counter()
        wait_for(port, server)
        click.echo(f"ledger serve answered after {time.perf_counter() - started:.1f}s")
        paths = pick_paths(db, db.stem, search)
        results = run_load(
            f"http://127.0.0.1:{port}",
            list(paths.values()),
            requests=requests,
            concurrency=concurrency,
            seconds=seconds,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    click.echo(format_table(results))
    for (name, _), result in zip(paths.items(), results, strict=True):
        goal = GOALS_MS.get(name)
        verdict = ""
        if goal is not None:
            verdict = "met" if result.p95_ms < goal else f"MISSED by {result.p95_ms - goal:.0f} ms"
            verdict = f" (goal p95 < {goal:.0f} ms: {verdict})"
        click.echo(
            f"{name}: median {result.median_ms} ms, p95 {result.p95_ms} ms, "
            f"{result.requests_per_second} req/s, {result.errors} errors{verdict}"
        )
    if as_json:
        click.echo(
            json.dumps(
                {"ledger": figures, "pages": paths, "results": [r.__dict__ for r in results]},
                indent=2,
            )
        )


if __name__ == "__main__":
    main()

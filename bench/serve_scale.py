"""Serving at scale: a ledger of a million claims or more under `ledger serve`, loaded from a
second process on loopback (bench/load.py), with median and p95 latency per page.

    python bench/serve_scale.py --work /tmp/ledger-serve              # builds, serves, measures
    python bench/serve_scale.py --db /tmp/ledger-bench/growth-100.db  # an existing big ledger

The ledger is built from the corpora: `ledger ingest --jobs 2` of `--seed-mb` MB of BBC and Reuters
stories (bench/corpora.py), then copied under new source ids until it holds `--claims` claims
(see `build_ledger`). The server runs in its own process; the load comes from this one, on
loopback, bounded in requests and time. Goals (issue 6): a claim page under 50 ms and the claims
table with its default facets under 500 ms, at p95. The claims_review view (all seven facets,
joined from three tables) is measured too.

Claim pages are `--sample` distinct claims drawn at random, one after another, not one page
again and again. The other pages are warm after their first request (`ledger serve` keeps facet
counts until the file changes), so each is also timed `--misses` times right after the ledger
file's mtime moves on, as after a commit: the misses, reported apart from the warm hits.
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

from ledger.models import claim_id

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import build_corpus, require_corpora  # noqa: E402
from ingest import db_figures, fresh, ledger_command, run_ingest  # noqa: E402
from load import format_table, run_load  # noqa: E402

GOALS_MS = {"claim page": 50.0, "claims table, default facets": 500.0}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def claim_count(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("select count(*) from claims").fetchone()[0])


def build_ledger(work: Path, claims: int, jobs: int, seed_mb: float) -> Path:
    """A ledger of at least `claims` claims: `ledger ingest` of `seed_mb` MB of the corpora (real
    extraction, real write path), then its sources and claims copied under new source ids
    (`k<n>-<id>`), claim ids recomputed with `claim_id`, full-text index kept by its triggers.

    Copying instead of extracting 200 MB keeps the build to minutes; the copies have the
    distribution of fields, sentence lengths and FTS terms of real extracted claims.
    """
    db = work / "claims.db"
    if db.exists() and claim_count(db) >= claims:
        return db
    fresh(db)
    corpus = work / f"corpus-{seed_mb:g}mb"
    build_corpus(corpus, seed_mb)
    run = run_ingest(corpus, db, jobs=jobs)
    seed = claim_count(db)
    click.echo(f"seed: ledger ingest of {seed_mb:g} MB in {run['seconds']:.0f}s: {seed:,} claims")
    if seed == 0:
        raise click.ClickException("the seed ingest found no claims")
    connection = sqlite3.connect(db)
    fingerprints = dict(connection.execute("select id, fingerprint from claims"))

    def remap(related: str | None, source_id: str) -> str:
        ids = json.loads(related or "[]")
        return json.dumps([claim_id(source_id, fingerprints.get(i, i)) for i in ids])

    connection.create_function("claim_id", 2, claim_id, deterministic=True)
    connection.create_function("remap", 2, remap, deterministic=True)
    source_columns = [r[1] for r in connection.execute("pragma table_info(sources)")]
    claim_columns = [r[1] for r in connection.execute("pragma table_info(claims)")]
    copy = 0
    started = time.perf_counter()
    while seed * (copy + 1) < claims:
        copy += 1
        prefix = f"k{copy}-"
        computed = {"id": "? || id"}
        sources_select = ", ".join(computed.get(c, f"[{c}]") for c in source_columns)
        computed = {
            "id": "claim_id(? || source_id, fingerprint)",
            "source_id": "? || source_id",
            "related": "remap(related, ? || source_id)",
        }
        claims_select = ", ".join(computed.get(c, f"[{c}]") for c in claim_columns)
        with connection:
            connection.execute(
                f"insert into sources ({', '.join(f'[{c}]' for c in source_columns)}) "
                f"select {sources_select} from sources where id not like 'k%'",
                [prefix],
            )
            connection.execute(
                f"insert into claims ({', '.join(f'[{c}]' for c in claim_columns)}) "
                f"select {claims_select} from claims where source_id not like 'k%'",
                [prefix, prefix, prefix],
            )
            connection.execute(
                "insert into sentences (source_id, start, text) select ? || source_id, start,"
                " text from sentences where source_id not like 'k%'",
                [prefix],
            )
    connection.execute("pragma optimize")
    connection.close()
    click.echo(
        f"copied {copy} times in {time.perf_counter() - started:.0f}s: {claim_count(db):,} claims"
    )
    return db


def pick_paths(database: str, search: str) -> dict[str, str]:
    """The pages to load: the claims table, the review view, a full-text search, and claim
    pages (`{id}`: each request another of `--sample` claims drawn at random)."""
    return {
        "claims table, default facets": f"/{database}/claims",
        "claims_review view, 7 facets": f"/{database}/claims_review",
        f"full-text search '{search}'": f"/{database}/claims?_search={quote(search)}",
        "claim page": f"/{database}/claims/{{id}}",
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
@click.option("--seed-mb", default=10.0, show_default=True, help="MB really ingested, then copied.")
@click.option("--requests", default=100, show_default=True, help="Requests per page, at most.")
@click.option("--concurrency", default=2, show_default=True, help="Client threads.")
@click.option("--seconds", default=300.0, show_default=True, help="Time limit for the load.")
@click.option("--search", default="profits", show_default=True, help="Words for the FTS page.")
@click.option("--sample", default=1000, show_default=True, help="Distinct claim pages to load.")
@click.option(
    "--misses",
    default=5,
    show_default=True,
    help="Facet-cache misses per page (moves the ledger file's mtime, as a commit does).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON too.")
def main(
    work: Path,
    db: Path | None,
    claims: int,
    jobs: int,
    seed_mb: float,
    requests: int,
    concurrency: int,
    seconds: float,
    search: str,
    sample: int,
    misses: int,
    as_json: bool,
) -> None:
    """Build (or take) a big ledger, serve it with `ledger serve`, load it, report latency."""
    if db is None:
        require_corpora()
        work.mkdir(parents=True, exist_ok=True)
        db = build_ledger(work, claims, jobs, seed_mb)
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
        paths = pick_paths(db.stem, search)
        results = run_load(
            f"http://127.0.0.1:{port}",
            list(paths.values()),
            requests=requests,
            concurrency=concurrency,
            seconds=seconds,
            db=db,
            sample=sample,
            misses=misses,
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    click.echo(format_table(results))
    names = [*paths, *(f"{name}, facet cache miss" for name in paths if name != "claim page")]
    for name, result in zip(names, results, strict=False):
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

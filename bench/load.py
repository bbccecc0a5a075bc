"""A bounded loopback load: GET a few pages of a served ledger, report latency, requests/s, errors.

Loopback only, bounded by a request count and a time limit, so it always stops by itself:

    python bench/load.py http://127.0.0.1:8001 /claims/claims /claims/claims/c-49925087ba170da9 \
        --requests 200 --concurrency 4 --seconds 60

Each path is loaded in turn (all workers on one path, then the next), so each figure is the
page's own. Any status other than 200 or a socket error counts as an error.

A path with `{id}` in it is a family of pages: each request fills it with the next of `--sample`
claim ids drawn at random from `--db`, so the figure is many claims' pages, not one page served
again and again from every cache:

    python bench/load.py http://127.0.0.1:8001 '/claims/claims/{id}' --db claims.db --sample 500

The first request to each path is timed apart, as `first_ms`: for a facet page it computes the
facets (`ledger serve` keeps them until the database file changes). `--misses N` (with `--db`)
also times N requests of each path right after the ledger file's mtime is moved on, as a commit
moves it (its content is not touched): the facet-cache misses, reported apart from the hits.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import random
import socket
import sqlite3
import statistics
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click


@dataclass
class PathResult:
    """What one path's load measured; latencies in milliseconds."""

    path: str
    requests: int
    errors: int
    seconds: float
    requests_per_second: float
    median_ms: float
    p95_ms: float
    max_ms: float
    bytes_per_response: int
    distinct: int = 1  # distinct pages the requests were spread over
    first_ms: float = float("nan")  # the first request, not counted above (a cold cache)

    @classmethod
    def measured(
        cls,
        path: str,
        requests: int,
        errors: int,
        wall: float,
        latencies: list[float],
        sizes: list[int],
        **more: Any,
    ) -> PathResult:
        """The figures of `requests` requests in `wall` seconds, `latencies` (ms) and `sizes`
        those of the ones answered 200."""
        return cls(
            path=path,
            requests=requests,
            errors=errors,
            seconds=round(wall, 3),
            requests_per_second=round(requests / wall, 1) if wall else 0.0,
            median_ms=round(statistics.median(latencies), 1) if latencies else float("nan"),
            p95_ms=round(percentile(latencies, 0.95), 1) if latencies else float("nan"),
            max_ms=round(max(latencies), 1) if latencies else float("nan"),
            bytes_per_response=int(statistics.mean(sizes)) if sizes else 0,
            **more,
        )


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of `values`.

    >>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.95)
    5.0
    >>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5)
    3.0
    """
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def check_loopback(base_url: str) -> tuple[str, int]:
    """Host and port of `base_url`, refused unless it is a loopback address.

    >>> check_loopback("http://127.0.0.1:8001")
    ('127.0.0.1', 8001)
    >>> check_loopback("http://example.org")
    Traceback (most recent call last):
    ...
    click.exceptions.ClickException: refusing a non-loopback host: example.org
    """
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme != "http" or not host:
        raise click.ClickException(f"not an http:// URL: {base_url}")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise click.ClickException(f"refusing a non-loopback host: {host}")
    return host, parts.port or 80


def get(connection: http.client.HTTPConnection, path: str) -> tuple[int, int]:
    """One keep-alive GET: the status and the body's size."""
    connection.request("GET", path, headers={"Connection": "keep-alive"})
    response = connection.getresponse()
    body = response.read()
    return response.status, len(body)


def load_path(
    host: str,
    port: int,
    path: str | list[str],
    *,
    requests: int,
    concurrency: int,
    seconds: float,
    timeout: float = 30.0,
    name: str | None = None,
) -> PathResult:
    """GET `path` `requests` times from `concurrency` threads (keep-alive), stopping early at
    `seconds`; the first request is timed apart (`first_ms`) and not counted. A list of paths
    spreads the requests over them in turn (many claims' pages, say)."""
    variants = [path] if isinstance(path, str) else path
    latencies: list[float] = []
    sizes: list[int] = []
    errors = 0
    issued = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors, issued
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        while True:
            with lock:
                if issued >= requests or time.monotonic() >= deadline:
                    break
                target = variants[(issued + 1) % len(variants)]  # [0] was the first request
                issued += 1
            started = time.perf_counter()
            try:
                status, size = get(connection, target)
                ok = status == 200
            except (OSError, http.client.HTTPException):
                ok, size = False, 0
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                    sizes.append(size)
                else:
                    errors += 1
        connection.close()

    first = time.perf_counter()
    warm = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        get(warm, variants[0])
    except (OSError, http.client.HTTPException):
        pass
    finally:
        warm.close()
    first_ms = (time.perf_counter() - first) * 1000
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    done = len(latencies) + errors
    return PathResult.measured(
        name or variants[0], done, errors, wall, latencies, sizes,
        distinct=len(set(variants)), first_ms=round(first_ms, 1),
    )  # fmt: skip


def load_misses(
    host: str, port: int, path: str, db: Path, *, count: int, timeout: float = 60.0
) -> PathResult:
    """`count` GETs of `path`, one at a time, each right after the ledger file's mtime moves on
    (its content untouched), as a commit moves it: what a page costs when `ledger serve`'s facet
    cache cannot answer it."""
    latencies: list[float] = []
    sizes: list[int] = []
    errors = 0
    started = time.perf_counter()
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    for _ in range(count):
        now = time.time_ns()
        os.utime(db, ns=(now, now))
        begun = time.perf_counter()
        try:
            status, size = get(connection, path)
        except (OSError, http.client.HTTPException):
            status, size = 0, 0
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        if status == 200:
            latencies.append((time.perf_counter() - begun) * 1000)
            sizes.append(size)
        else:
            errors += 1
    connection.close()
    wall = time.perf_counter() - started
    return PathResult.measured(f"{path} (facet cache miss)", count, errors, wall, latencies, sizes)


def sample_claim_ids(db: Path, count: int, seed: int = 18) -> list[str]:
    """`count` distinct claim ids drawn at random from the ledger `db` (opened read-only)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        total = connection.execute("select max(rowid) from claims").fetchone()[0] or 0
        rng = random.Random(seed)
        rowids = rng.sample(range(1, total + 1), min(total, count * 2))
        ids: list[str] = []
        for start in range(0, len(rowids), 500):
            chunk = rowids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"select id from claims where rowid in ({marks})"
            ids += [row[0] for row in connection.execute(query, chunk)]
    if not ids:
        raise click.ClickException(f"no claims in {db}")
    return ids[:count]


def run_load(
    base_url: str,
    paths: list[str],
    *,
    requests: int = 200,
    concurrency: int = 4,
    seconds: float = 60.0,
    db: Path | None = None,
    sample: int = 200,
    misses: int = 0,
) -> list[PathResult]:
    """Load each path in turn against a loopback server; see `load_path`. A path with `{id}`
    is spread over `sample` claim ids of `db`; with `misses`, each path is also timed `misses`
    times as a facet-cache miss (`load_misses`)."""
    host, port = check_loopback(base_url)
    if requests < 1 or concurrency < 1 or seconds <= 0 or sample < 1 or misses < 0:
        raise click.ClickException(
            "--requests, --concurrency, --seconds and --sample must be positive"
        )
    if db is None and (misses or any("{id}" in path for path in paths)):
        raise click.ClickException("a path with {id}, or --misses, needs --db")
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as error:
        raise click.ClickException(f"nothing answers at {host}:{port}: {error}") from error
    ids = sample_claim_ids(db, sample) if db and any("{id}" in p for p in paths) else []
    results = []
    for path in paths:
        variants = [path.replace("{id}", i) for i in ids] if "{id}" in path else [path]
        results.append(
            load_path(
                host,
                port,
                variants,
                requests=requests,
                concurrency=concurrency,
                seconds=seconds / len(paths),
                name=path,
            )
        )
    if misses and db is not None:
        results += [
            load_misses(host, port, path, db, count=misses) for path in paths if "{id}" not in path
        ]
    return results


def format_table(results: list[PathResult]) -> str:
    """A markdown table of the results."""
    lines = [
        "| path | pages | requests | errors | req/s | first ms | median ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| `{r.path}` | {r.distinct} | {r.requests} | {r.errors} | {r.requests_per_second} "
            f"| {r.first_ms} | {r.median_ms} | {r.p95_ms} | {r.max_ms} |"
        )
    return "\n".join(lines)


@click.command()
@click.argument("base_url")
@click.argument("paths", nargs=-1, required=True)
@click.option("--requests", default=200, show_default=True, help="Requests per path, at most.")
@click.option("--concurrency", default=4, show_default=True, help="Client threads.")
@click.option("--seconds", default=60.0, show_default=True, help="Time limit for the whole run.")
@click.option(
    "--db",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The served ledger: where {id} paths draw claim ids, and whose mtime --misses moves.",
)
@click.option("--sample", default=200, show_default=True, help="Claim ids for a {id} path.")
@click.option("--misses", default=0, show_default=True, help="Facet-cache misses per path.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def main(
    base_url: str,
    paths: tuple[str, ...],
    requests: int,
    concurrency: int,
    seconds: float,
    db: Path | None,
    sample: int,
    misses: int,
    as_json: bool,
) -> None:
    """Load PATHS of a ledger served at BASE_URL (loopback only) and report latency and errors."""
    results = run_load(
        base_url,
        list(paths),
        requests=requests,
        concurrency=concurrency,
        seconds=seconds,
        db=db,
        sample=sample,
        misses=misses,
    )
    if as_json:
        click.echo(json.dumps([asdict(r) for r in results], indent=2))
    else:
        click.echo(format_table(results))


if __name__ == "__main__":
    main()

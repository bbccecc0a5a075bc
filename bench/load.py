"""A bounded loopback load: GET a few pages of a served ledger, report latency, requests/s, errors.

Loopback only, bounded by a request count and a time limit, so it always stops by itself:

    python bench/load.py http://127.0.0.1:8001 /claims/claims /claims/claims/c-49925087ba170da9 \
        --requests 200 --concurrency 4 --seconds 60

Each path is loaded in turn (all workers on one path, then the next), so each figure is the
page's own. Any status other than 200 or a socket error counts as an error.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import statistics
import threading
import time
from dataclasses import asdict, dataclass
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


def load_path(
    host: str,
    port: int,
    path: str,
    *,
    requests: int,
    concurrency: int,
    seconds: float,
    timeout: float = 30.0,
) -> PathResult:
    """GET `path` `requests` times from `concurrency` threads (keep-alive), stopping early at
    `seconds`; one warm-up request first, not counted."""
    latencies: list[float] = []
    sizes: list[int] = []
    errors = 0
    issued = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def get(connection: http.client.HTTPConnection) -> tuple[int, int]:
        connection.request("GET", path, headers={"Connection": "keep-alive"})
        response = connection.getresponse()
        body = response.read()
        return response.status, len(body)

    def worker() -> None:
        nonlocal errors, issued
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        while True:
            with lock:
                if issued >= requests or time.monotonic() >= deadline:
                    break
                issued += 1
            started = time.perf_counter()
            try:
                status, size = get(connection)
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

    warm = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        get(warm)
    except (OSError, http.client.HTTPException):
        pass
    finally:
        warm.close()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    done = len(latencies) + errors
    return PathResult(
        path=path,
        requests=done,
        errors=errors,
        seconds=round(wall, 3),
        requests_per_second=round(done / wall, 1) if wall else 0.0,
        median_ms=round(statistics.median(latencies), 1) if latencies else float("nan"),
        p95_ms=round(percentile(latencies, 0.95), 1) if latencies else float("nan"),
        max_ms=round(max(latencies), 1) if latencies else float("nan"),
        bytes_per_response=int(statistics.mean(sizes)) if sizes else 0,
    )


def run_load(
    base_url: str,
    paths: list[str],
    *,
    requests: int = 200,
    concurrency: int = 4,
    seconds: float = 60.0,
) -> list[PathResult]:
    """Load each path in turn against a loopback server; see `load_path`."""
    host, port = check_loopback(base_url)
    if requests < 1 or concurrency < 1 or seconds <= 0:
        raise click.ClickException("--requests, --concurrency and --seconds must be positive")
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as error:
        raise click.ClickException(f"nothing answers at {host}:{port}: {error}") from error
    return [
        load_path(
            host,
            port,
            path,
            requests=requests,
            concurrency=concurrency,
            seconds=seconds / len(paths),
        )
        for path in paths
    ]


def format_table(results: list[PathResult]) -> str:
    """A markdown table of the results."""
    lines = [
        "| path | requests | errors | req/s | median ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| `{r.path}` | {r.requests} | {r.errors} | {r.requests_per_second} | "
            f"{r.median_ms} | {r.p95_ms} | {r.max_ms} |"
        )
    return "\n".join(lines)


@click.command()
@click.argument("base_url")
@click.argument("paths", nargs=-1, required=True)
@click.option("--requests", default=200, show_default=True, help="Requests per path, at most.")
@click.option("--concurrency", default=4, show_default=True, help="Client threads.")
@click.option("--seconds", default=60.0, show_default=True, help="Time limit for the whole run.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def main(
    base_url: str, paths: tuple[str, ...], requests: int, concurrency: int, seconds: float, as_json
) -> None:
    """Load PATHS of a ledger served at BASE_URL (loopback only) and report latency and errors."""
    results = run_load(
        base_url, list(paths), requests=requests, concurrency=concurrency, seconds=seconds
    )
    if as_json:
        click.echo(json.dumps([asdict(r) for r in results], indent=2))
    else:
        click.echo(format_table(results))


if __name__ == "__main__":
    main()

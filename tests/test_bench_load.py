"""bench/load.py, the bounded loopback load client the serving and reliability figures come from."""

from __future__ import annotations

import doctest
import http.server
import sqlite3
import threading

import click
import load
import pytest


class Pages(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a browser and Datasette's server do
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        body = b"ok" * 50
        Pages.seen.append(self.path)
        ok = self.path == "/ok" or self.path.startswith("/claims/c-")
        self.send_response(200 if ok else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_counts_requests_errors_and_latency(server):
    ok, missing = load.run_load(server, ["/ok", "/missing"], requests=40, concurrency=3, seconds=20)
    assert (ok.path, ok.requests, ok.errors, ok.bytes_per_response) == ("/ok", 40, 0, 100)
    assert 0 < ok.median_ms <= ok.p95_ms <= ok.max_ms
    assert ok.requests_per_second > 0
    assert (missing.requests, missing.errors) == (40, 40)
    table = load.format_table([ok, missing])
    assert "| `/ok` | 1 | 40 | 0 |" in table and "| `/missing` | 1 | 40 | 40 |" in table


def test_stops_at_its_time_limit(server):
    (result,) = load.run_load(server, ["/ok"], requests=10**9, concurrency=2, seconds=0.5)
    assert 0 < result.requests < 10**9 and result.seconds < 5


@pytest.mark.parametrize(
    "url,message",
    [
        ("http://192.0.2.1:80", "refusing a non-loopback host: 192.0.2.1"),
        ("https://127.0.0.1:8001", "not an http:// URL"),
        ("http://127.0.0.1:9", "nothing answers at 127.0.0.1:9"),
    ],
)
def test_refuses_anything_but_a_live_loopback_server(url, message):
    with pytest.raises(click.ClickException, match=message):
        load.run_load(url, ["/"], requests=1)


@pytest.fixture
def ledger_file(tmp_path):
    db = tmp_path / "claims.db"
    with sqlite3.connect(db) as connection:
        connection.execute("create table claims (id text primary key)")
        connection.executemany(
            "insert into claims values (?)", [(f"c-{n:04d}",) for n in range(50)]
        )
    return db


def test_spreads_an_id_path_over_distinct_claims(server, ledger_file):
    Pages.seen.clear()
    (result,) = load.run_load(
        server, ["/claims/{id}"], requests=30, concurrency=2, db=ledger_file, sample=20
    )
    assert (result.path, result.distinct, result.requests, result.errors) == (
        "/claims/{id}",
        20,
        30,
        0,
    )
    assert len(set(Pages.seen)) == 20 and all(p.startswith("/claims/c-") for p in Pages.seen)
    assert result.first_ms > 0


def test_times_facet_cache_misses_apart_by_moving_the_mtime(server, ledger_file):
    before = ledger_file.stat().st_mtime_ns
    content = ledger_file.read_bytes()
    hits, misses = load.run_load(server, ["/ok"], requests=5, db=ledger_file, misses=3)
    assert (hits.path, hits.requests) == ("/ok", 5)
    assert (misses.path, misses.requests, misses.errors) == ("/ok (facet cache miss)", 3, 0)
    assert ledger_file.stat().st_mtime_ns > before and ledger_file.read_bytes() == content


def test_an_id_path_needs_the_ledger(server):
    with pytest.raises(click.ClickException, match="needs --db"):
        load.run_load(server, ["/claims/{id}"], requests=1)


def test_doctests():
    assert doctest.testmod(load).failed == 0

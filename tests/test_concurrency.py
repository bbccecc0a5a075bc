"""Concurrent use: ingest while `ledger serve` answers readers and reviewers add notes.

Notes come three ways at once: the Python API in a thread, `ledger note` processes, and a
reviewer signed in to the served app posting the note form.

The ledger runs in WAL mode with a busy timeout, so readers never wait for the writer and writers
queue for each other: no "database is locked" may reach a user (a web page, a command's output)
and every note written is there at the end.
"""

from __future__ import annotations

import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from synthetic import write_corpus

from ledger.store import Ledger

LEDGER = [sys.executable, "-c", "from ledger.cli import cli; cli()"]
LOCKED = "database is locked"
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def test_ingest_while_serving_and_noting(tmp_path: Path) -> None:
    write_corpus(tmp_path / "first", 40, seed=1)
    write_corpus(tmp_path / "more", 120, seed=2, start=40)
    db = tmp_path / "claims.db"
    with Ledger(db) as ledger:
        ledger.ingest([tmp_path / "first"])
    claims = [row[0] for row in sqlite3.connect(db).execute("select id from claims order by id")]
    assert len(claims) > 80

    reviewers = tmp_path / "reviewers.json"
    added = subprocess.run(
        [*LEDGER, "reviewer", "add", "ana", "--reviewers", str(reviewers), "--password", PASSWORD],
        capture_output=True,
        text=True,
    )
    assert added.returncode == 0, added.stderr
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*LEDGER, "serve", "--db", str(db), "--port", str(port), "--reviewers", str(reviewers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stop = threading.Event()
    problems: list[str] = []
    written: list[str] = []
    pages: list[tuple[float, int]] = []  # (when, status)
    noted_at: list[float] = []

    def read_pages() -> None:
        urls = [
            "/claims/claims.json?_size=100",
            "/claims/claims?_facet=metric&_size=50",
            "/claims/claims.json?_search=council",
            "/claims/notes.json?_size=max",
            "/claims/claim_status.json?_size=100",
        ]
        with httpx.Client(base_url=base, timeout=30) as client:
            n = 0
            while not stop.is_set():
                url = urls[n % len(urls)] if n % 6 else f"/claims/claims/{claims[n % len(claims)]}"
                response = client.get(url)
                pages.append((time.monotonic(), response.status_code))
                if response.status_code != 200 or LOCKED in response.text:
                    problems.append(f"GET {url}: {response.status_code} {response.text[:200]}")
                n += 1

    def add_notes_in_process() -> None:
        with Ledger(db) as ledger:
            n = 0
            while not stop.is_set():
                text = f"in-process note {n}"
                try:
                    ledger.add_note(claims[n % len(claims)], "accurate", text, reviewer="thread")
                    written.append(text)
                    noted_at.append(time.monotonic())
                except sqlite3.OperationalError as error:
                    problems.append(f"add_note: {error}")
                n += 1
                time.sleep(0.01)

    def add_notes_on_the_web() -> None:
        """A reviewer signed in to `ledger serve`, posting the note form as the claim page does."""
        with httpx.Client(base_url=base, timeout=30) as client:
            page = client.get("/-/login")
            token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
            assert token, page.text[:300]
            form = {"username": "ana", "password": PASSWORD, "csrftoken": token.group(1)}
            assert client.post("/-/login", data=form).status_code == 302
            n = 0
            while not stop.is_set():
                text = f"web note {n}"
                response = client.post(
                    "/claims/add_note",
                    data={
                        "claim_id": claims[(3 * n) % len(claims)],
                        "verdict": "needs-context",
                        "text": text,
                        "evidence_url": "",
                        "csrftoken": token.group(1),
                    },
                    headers={"accept": "application/json"},
                )
                if response.status_code == 200 and response.json().get("ok"):
                    written.append(text)
                    noted_at.append(time.monotonic())
                else:
                    problems.append(f"POST add_note: {response.status_code} {response.text[:200]}")
                n += 1
                time.sleep(0.02)

    def add_notes_by_command() -> None:
        n = 0
        while not stop.is_set():
            text = f"command-line note {n}"
            claim = claims[(7 * n) % len(claims)]
            done = subprocess.run(
                [
                    *LEDGER,
                    "note",
                    claim,
                    "--verdict",
                    "misleading",
                    "--text",
                    text,
                    "--reviewer",
                    "cli",
                    "--db",
                    str(db),
                ],
                capture_output=True,
                text=True,
            )
            if done.returncode == 0:
                written.append(text)
                noted_at.append(time.monotonic())
            else:
                problems.append(f"ledger note: {done.stderr.strip()}")
            n += 1

    try:
        wait_for(f"{base}/claims/claims.json?_size=1", server)
        workers = [
            threading.Thread(target=work)
            for work in (
                read_pages,
                read_pages,
                add_notes_in_process,
                add_notes_by_command,
                add_notes_on_the_web,
            )
        ]
        for worker in workers:
            worker.start()
        ingest_started = time.monotonic()
        ingest = subprocess.run(
            [*LEDGER, "ingest", str(tmp_path / "more"), "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        ingest_ended = time.monotonic()
        time.sleep(0.5)  # writers keep going a moment after the ingest's last commit
    finally:
        stop.set()
        for worker in workers:
            worker.join()
        server.terminate()
        _, server_errors = server.communicate(timeout=10)

    during = [status for when, status in pages if ingest_started <= when <= ingest_ended]
    notes_during = [when for when in noted_at if ingest_started <= when <= ingest_ended]
    print(
        f"ingest {ingest_ended - ingest_started:.2f} s; during it {len(during)} pages served,"
        f" {len(notes_during)} notes added"
    )
    assert ingest.returncode == 0, ingest.stderr
    assert LOCKED not in ingest.stdout + ingest.stderr
    assert LOCKED not in server_errors
    assert problems == []
    assert {status for _, status in pages} == {200}
    assert len(during) >= 10 and len(notes_during) >= 10
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        texts = [row[0] for row in conn.execute("select text from notes")]
        sources = conn.execute("select count(*) from sources").fetchone()[0]
    assert sorted(texts) == sorted(written)  # every note written is there, none twice
    for kind in ("in-process note", "command-line note", "web note"):
        assert sum(text.startswith(kind) for text in written) >= 2, kind
    assert sources == 160

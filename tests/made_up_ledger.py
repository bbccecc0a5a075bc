"""A small made-up ledger (invented text, hostile strings included) for the web and browser
tests, and `served`, which runs `ledger serve` on it. The `ledger` fixture (tests/conftest.py)
builds it in tmp_path."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from ledger_rows import insert_claims

from ledger.schema import ensure_schema

HOSTILE = '<script>alert("xss")</script>'
PASSWORD = "correct horse battery"

TEXT_A = (
    "Chip imports cost more than 3.3 trillion yuan in 2023, customs data showed. "
    "Officials said exports rose about 5.2% over the same year. "
    f"A reader wrote {HOSTILE} <img src=x onerror=alert(1)> in the comments."
)
# A file name with a space, a tilde and an accent: the links must still find the pages.
SOURCE_B = "wire story~1 é"
TEXT_B = "Imports of chips reached 2.9 trillion yuan in 2023, a ministry said."


def claim_row(source_id: str, text: str, quote: str, **fields: Any) -> dict[str, Any]:
    """A claims row whose offsets and sentence are computed from the text, as ingest stores them."""
    start = text.index(quote)
    sentence_start = text.rfind(". ", 0, start)
    sentence_start = 0 if sentence_start < 0 else sentence_start + 2
    sentence_end = text.find(". ", start)
    sentence_end = len(text) if sentence_end < 0 else sentence_end + 1
    row = {
        "id": f"c-{hashlib.sha256((source_id + quote).encode()).hexdigest()[:16]}",
        "source_id": source_id,
        "fingerprint": hashlib.sha256(quote.encode()).hexdigest()[:16],
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        "sentence": text[sentence_start:sentence_end],
        "sentence_start": sentence_start,
        "rule": "test",
        "checkworthiness": 0.5,
        "related": "[]",
        "bound": "exact",
        "metric": "other",
        "first_seen": "2026-11-23T00:00:00Z",
        "last_seen": "2026-11-23T00:00:00Z",
    }
    row.update(fields)
    return row


def make_ledger(path: Path) -> dict[str, str]:
    """Build a small ledger at path; return the ids the tests look up."""
    db = sqlite_utils.Database(path)
    ensure_schema(db)
    db["sources"].insert_all(
        [
            {
                "id": "src_a",
                "path": "sources/src_a.txt",
                "sha256": hashlib.sha256(TEXT_A.encode()).hexdigest(),
                "title": f"Chip imports {HOSTILE}",
                "publisher": "Made-up Daily",
                "url": "javascript:alert(1)",
                "published": "2024-01-15",
                "chars": len(TEXT_A),
                "text": TEXT_A,
            },
            {
                "id": SOURCE_B,
                "path": "sources/src_b.txt",
                "sha256": hashlib.sha256(TEXT_B.encode()).hexdigest(),
                "title": "Ministry figures",
                "publisher": "Invented Wire",
                "url": "https://wire.example/chips",
                "published": "2024-02-01",
                "chars": len(TEXT_B),
                "text": TEXT_B,
            },
        ]
    )
    big = claim_row(
        "src_a",
        TEXT_A,
        "more than 3.3 trillion yuan",
        value=3.3e12,
        kind="money",
        unit="CNY",
        bound="more_than",
        metric="chip_imports",
        subject="China",
        period="2023",
        attribution="customs data",
        checkworthiness=0.9,
    )
    rise = claim_row(
        "src_a",
        TEXT_A,
        "about 5.2%",
        value=5.2,
        kind="percent",
        unit="percent",
        bound="approx",
        change="increase",
        metric="exports",
        period="2023",
        attribution="Officials",
        checkworthiness=0.7,
    )
    other = claim_row(
        SOURCE_B,
        TEXT_B,
        "2.9 trillion yuan",
        value=2.9e12,
        kind="money",
        unit="CNY",
        metric="chip_imports",
        subject="China",
        period="2023",
        attribution="a ministry",
        checkworthiness=0.8,
    )
    rise["related"] = json.dumps([other["id"]])  # linked by the extractor, another unit
    insert_claims(db, [big, rise, other])
    db["references"].insert(
        {
            "id": "ref-imports-2023",
            "metric": "chip_imports",
            "subject": "China",
            "period": "2023",
            "value": 3.1e12,
            "unit": "CNY",
            "bound": "exact",
            "publisher": "Invented Statistics Office",
            "title": "Trade yearbook 2023",
            "url": "https://stats.example/yearbook",
        }
    )
    db["checks"].insert_all(
        [
            {
                "claim_id": big["id"],
                "against_type": "reference",
                "against_id": "ref-imports-2023",
                "other_value": 3.1e12,
                "other_unit": "CNY",
                "difference_pct": 6.5,
                "outcome": "inconsistent",
                "period_match": "exact",
                "tolerance_pct": 5.0,
                "explanation": "6.5% above the yearbook",
                "checked_at": "2026-11-23T00:00:00Z",
            },
            {
                "claim_id": big["id"],
                "against_type": "claim",
                "against_id": other["id"],
                "other_value": 2.9e12,
                "other_unit": "CNY",
                "difference_pct": 13.8,
                "outcome": "inconsistent",
                "period_match": "exact",
                "tolerance_pct": 5.0,
                "explanation": "13.8% above Invented Wire",
                "checked_at": "2026-11-23T00:00:00Z",
            },
        ]
    )
    db["notes"].insert_all(
        [
            {
                "claim_id": big["id"],
                "verdict": "needs-context",
                "text": "First look.",
                "evidence_url": "https://stats.example/yearbook",
                "reviewer": "ana",
                "created_at": "2026-11-20T10:00:00Z",
            },
            {
                "claim_id": rise["id"],
                "verdict": "misleading",
                "text": HOSTILE,
                "evidence_url": "javascript:alert(2)",
                "reviewer": "bo",
                "created_at": "2026-11-21T10:00:00Z",
            },
        ]
    )
    db.close()
    return {"big": big["id"], "rise": rise["id"], "other": other["id"]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(db: Path, reviewers: Path | None = None) -> Iterator[str]:
    """Run `ledger serve` on a free loopback port until the block ends; yield its base URL."""
    port = free_port()
    command = [sys.executable, "-c", "from ledger.cli import cli; cli()", "serve",
               "--db", str(db), "--port", str(port)]  # fmt: skip
    if reviewers:
        command += ["--reviewers", str(reviewers)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "LEDGER_REVIEWERS": ""},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"ledger serve did not start: {output}")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

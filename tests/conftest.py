"""Fixtures and settings shared by the tests.

bench/ is put on sys.path here, once, for the tests that run a benchmark's shapes or corpora
(`corpora`, `pathological`, `load`). Tests that take long are marked `slow`: `pytest -m "not slow"`
is the quick loop.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from made_up_ledger import make_ledger

from ledger.store import Ledger

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


@pytest.fixture
def new_ledger(tmp_path: Path) -> Iterator[Ledger]:
    """An empty ledger, open for writing, at tmp_path/claims.db."""
    with Ledger(tmp_path / "claims.db") as opened:
        yield opened


@pytest.fixture
def ledger(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The made-up ledger of tests/made_up_ledger.py at tmp_path/claims.db, and the ids of its
    claims the tests look up ("big", "rise", "other")."""
    path = tmp_path / "claims.db"
    return path, make_ledger(path)

"""The shared news corpora, where bench/corpora.py finds them (../shared beside the project
root, or $LEDGER_SHARED): read in place, never copied into the project."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpora import CORPORA


def corpus_path(name: str) -> Path:
    """The corpus file `name` ("bbc", "reuters"), or a visible skip on a machine without it."""
    path = CORPORA[name]
    if not path.exists():
        pytest.skip(f"corpus {name} is not available at {path} (set LEDGER_SHARED)")
    return path

"""Claims written straight into a ledger, for tests that make up their rows: each row's
`sentence` goes to the `sentences` table, where the ledger keeps one copy of each sentence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils


def insert_claims(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> None:
    """Insert claim rows (with a `sentence` and a `sentence_start`) and their sentences."""
    claims, sentences = [], {}
    for row in rows:
        row = dict(row)
        sentence = row.pop("sentence", None)
        if sentence is not None:
            key = (row["source_id"], row.get("sentence_start") or 0)
            row.setdefault("sentence_start", key[1])
            sentences[key] = sentence
        claims.append(row)
    db["claims"].insert_all(claims)
    db["sentences"].insert_all(
        ({"source_id": source_id, "start": start, "text": text}
         for (source_id, start), text in sentences.items()),
        replace=True,
    )  # fmt: skip

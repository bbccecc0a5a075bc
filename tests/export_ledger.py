"""A small ledger written row by row (no extractor), and what the read commands print for it.

The outputs in `fixtures/exports/` were made by the read commands before they streamed; the test
(tests/test_exports.py) builds the same ledger and checks every command still prints them byte for
byte. The ledger has what the formats must get right: unicode, a `|` and line breaks in a
sentence, floats that only print right with repr, a range, a retired claim with a note, two notes
at the same time (the id breaks the tie), every verdict, and checks of both kinds.

Run from the project root to rebuild the outputs (only when a format is meant to change):
.venv/bin/python tests/export_ledger.py
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from ledger_rows import insert_claims

from ledger.cli import cli
from ledger.store import Ledger

OUTPUTS = Path(__file__).parent / "fixtures" / "exports"

SOURCES = [
    {"id": "alpha", "path": "sources/alpha.txt", "title": "Café prices – up 5%",
     "publisher": "Daily Alpha", "url": "https://alpha.example/1", "published": "2024-03-01",
     "text": "Prices rose 5% in 2023, the National Bureau of Statistics said. Some 540 satellites "
             "(the actual number has exceeded 900) orbit."},
    {"id": "beta", "path": "sources/beta.md", "title": None, "publisher": None, "url": None,
     "published": None,
     "text": "Output | fell by between 3 and 4.5 per cent\nlast year, Wang Zhigang said."},
    {"id": "gamma", "path": "sources/gamma.txt", "title": "Ölpreis\u2028steigt",
     "publisher": "Reuters", "url": "https://gamma.example/ö", "published": "2023-11-30",
     "text": "Spending hit 3.3 trillion yuan — 0.30000000000000004 of it \"new\"; 0.00001 more."},
]  # fmt: skip

# The sentences each claim is in, by source (each claim's quote is found in its sentence).
SENTENCES = {
    "alpha": ["Prices rose 5% in 2023, the National Bureau of Statistics said.",
              "Some 540 satellites (the actual number has exceeded 900) orbit."],
    "beta": [SOURCES[1]["text"]],
    "gamma": [SOURCES[2]["text"]],
}  # fmt: skip
CLAIMS = [
    ("c-a1", "alpha", 0, "5%", 5.0, None, "percent", "percent", "exact", "increase", "inflation",
     "China", "2023", "National Bureau of Statistics", 0.9, ["c-a2"]),
    ("c-a2", "alpha", 1, "Some 540 satellites", 540.0, None, "count", "satellite", "approx", None,
     "satellites", None, None, None, 0.55, ["c-a1", "c-a3"]),
    ("c-a3", "alpha", 1, "exceeded 900", 900.0, None, "count", "satellite", "more_than", None,
     "satellites", None, None, None, 0.55, []),
    ("c-b1", "beta", 0, "between 3 and 4.5 per cent", 3.0, 4.5, "percent", "percent", "range",
     "decrease", "output", None, "2023", "Wang Zhigang", 0.8, []),
    ("c-g1", "gamma", 0, "3.3 trillion yuan", 3.3e12, None, "money", "CNY", "exact", None,
     "rd_spending", "China", None, None, 0.75, []),
    ("c-g2", "gamma", 0, "0.30000000000000004", 0.30000000000000004, None, "number", None,
     "exact", None, "other", None, None, None, 0.3, []),
    ("c-g3", "gamma", 0, "0.00001", 1e-05, None, "number", None, "exact", None, "other", None,
     None, None, 0.3, []),
]  # fmt: skip
CLAIM_FIELDS = ("id", "source_id", "sentence", "quote", "value", "value_high", "kind", "unit",
                "bound", "change", "metric", "subject", "period", "attribution",
                "checkworthiness", "related")  # fmt: skip
# the type the extractor stores with each attribution
ATTRIBUTION_TYPES = {"National Bureau of Statistics": "organisation", "Wang Zhigang": "person"}
RETIRED = "c-a3"  # no longer extracted, kept for its note
RETIRED_AT = "2025-01-08T00:00:00.000000+00:00"

NOTES = [
    ("c-a1", "inaccurate", "First look.", None, "ana", "2025-01-02T09:00:00.000000+00:00"),
    ("c-a1", "mostly-accurate", "Second | look,\nwith \"quotes\".", "https://stats.example/1",
     "bo", "2025-01-03T09:00:00.000000+00:00"),
    ("c-b1", "needs-context", "Same minute, lower id.", None, "cy",
     "2025-01-04T09:00:00.000000+00:00"),
    ("c-b1", "accurate", "Same minute, higher id: the verdict.", None, "cy",
     "2025-01-04T09:00:00.000000+00:00"),
    ("c-g1", "unverifiable", "No public data.", None, None, "2025-01-05T09:00:00.000000+00:00"),
    ("c-g3", "misleading", "Wrong base year.", None, "dee", "2025-01-06T09:00:00.000000+00:00"),
    (RETIRED, "accurate", "Kept though the claim is gone.", None, "ana",
     "2025-01-07T09:00:00.000000+00:00"),
]  # fmt: skip

CHECKS = [
    ("c-a1", "reference", "cpi-2023", 4.9, "percent", None, -2.0, "consistent", "exact"),
    ("c-a1", "claim", "c-a2", 540.0, "percent", None, 10700.0, "inconsistent", "none"),
    ("c-a2", "reference", None, None, None, None, None, "no-reference", "none"),
    ("c-g1", "reference", "rd-2023", 3335710000000.0, "CNY", None, 1.08, "consistent",
     "nearest-to-publication"),
    ("c-g1", "reference", "rd-2023-prelim", 3.3278e12, "CNY", None, 0.84, "inconsistent",
     "nearest-to-publication"),
]  # fmt: skip


def build(path: Path) -> None:
    """Write the ledger at `path` (a new file)."""
    with Ledger(path) as ledger:
        db = ledger.db
        texts = {source["id"]: source["text"] for source in SOURCES}
        db["sources"].insert_all(
            [{**source, "sha256": "0" * 64, "chars": len(source["text"])} for source in SOURCES]
        )
        for values in CLAIMS:
            claim = dict(zip(CLAIM_FIELDS, values, strict=True))
            text = texts[claim["source_id"]]
            sentence = SENTENCES[claim["source_id"]][claim["sentence"]]
            sentence_start = text.index(sentence)
            start = text.index(claim["quote"], sentence_start)
            claim |= {
                "fingerprint": claim["id"].removeprefix("c-") + "0" * 12,
                "start": start,
                "end": start + len(claim["quote"]),
                "sentence": sentence,
                "sentence_start": sentence_start,
                "rule": "fixture",
                "related": json.dumps(claim["related"]),
                "attribution_type": ATTRIBUTION_TYPES.get(claim["attribution"]),
                "extractor_version": "1.0.0",
                "first_seen": "2025-01-01T00:00:00.000000+00:00",
                "last_seen": "2025-01-01T00:00:00.000000+00:00",
                "retired_at": RETIRED_AT if claim["id"] == RETIRED else None,
            }
            insert_claims(db, [claim])
        names = ("claim_id", "verdict", "text", "evidence_url", "reviewer", "created_at")
        db["notes"].insert_all([dict(zip(names, note, strict=True)) for note in NOTES])
        names = ("claim_id", "against_type", "against_id", "other_value", "other_unit",
                 "rate_used", "difference_pct", "outcome", "period_match")  # fmt: skip
        db["checks"].insert_all([dict(zip(names, check, strict=True)) for check in CHECKS])


# Output file -> the command's arguments (each run with --db on the fixture ledger).
COMMANDS: dict[str, list[str]] = {
    "claims.txt": ["claims"],
    "claims-metric.txt": ["claims", "--metric", "satellites"],
    "claims-source.txt": ["claims", "--source", "daily alpha"],
    "claims-search.jsonl": ["claims", "--nl", "--search", "satellites"],
    "claims-limit.csv": ["claims", "--csv", "--limit", "2", "--verdict", "unverified"],
    "claims.json": ["claims", "--json"],
    "claims.jsonl": ["claims", "--nl"],
    "claims.csv": ["claims", "--csv"],
    "claims-none.json": ["claims", "--json", "--metric", "nothing"],
    "claims-none.txt": ["claims", "--metric", "nothing"],
    "export.csv": ["export", "--format", "csv"],
    "export.json": ["export", "--format", "json"],
    "export.jsonl": ["export", "--format", "jsonl"],
    "export.md": ["export", "--format", "markdown"],
    "export-claimreview.json": ["export", "--format", "claimreview", "--site-url",
                                "https://fc.example/", "--organisation", "Fixture Checks"],
    "export-none.json": ["export", "--format", "json", "--verdict", "inaccurate"],
    "export-none-claimreview.json": ["export", "--format", "claimreview", "--metric", "x",
                                     "--site-url", "https://fc.example/"],
    "export-none.csv": ["export", "--format", "csv", "--metric", "x"],
    "export-none.md": ["export", "--format", "markdown", "--metric", "x"],
    "export-verdict.jsonl": ["export", "--format", "jsonl", "--verdict", "accurate"],
    "notes.txt": ["notes"],
    "notes.json": ["notes", "--json"],
    "notes.jsonl": ["notes", "--nl"],
    "notes.csv": ["notes", "--csv"],
    "notes-orphaned.txt": ["notes", "--orphaned"],
    "notes-claim.json": ["notes", "c-a1", "--json"],
}  # fmt: skip


def output(db: Path, arguments: list[str]) -> bytes:
    """What `ledger ARGUMENTS --db DB` prints on stdout."""
    result = CliRunner().invoke(cli, [*arguments, "--db", str(db)])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "claims.db"
        build(db)
        OUTPUTS.mkdir(exist_ok=True)
        for name, arguments in COMMANDS.items():
            (OUTPUTS / name).write_bytes(output(db, arguments))

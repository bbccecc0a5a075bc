"""Reading files for `ledger extract` and writing its claims as jsonl, json, csv or a table.

Kept apart from the extractor (a pure function of text) and from the click layer (ledger.cli),
so a notebook can call `extract_files` and `render` directly.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from ledger.escaping import csv_cell, printable
from ledger.extraction import extract_with_report
from ledger.models import Claim, SourceMeta
from ledger.rules import Rules, default_rules
from ledger.sources import (
    DEFAULT_MAX_BYTES,
    MANIFEST_NAME,
    ManifestError,
    ReadOptions,
    SourceError,
    load_manifest,
    missing_reason,
    read_source,
)
from ledger.zh_rules import rule_rows as zh_rule_rows

FORMATS = ("jsonl", "json", "csv", "table")
COLUMNS = list(Claim.model_fields)


class InputError(ValueError):
    """A file that cannot be read as a source (missing, a folder, binary, undecodable)."""


def read_file(
    path: str | Path, encoding: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, SourceMeta]:
    """A file's text and metadata, read as `ledger ingest` reads it (`ledger.sources`): a page's
    article text, a text file decoded; the metadata of its row in a manifest.csv beside it, over
    what a page gives itself."""
    file = Path(path)
    if not file.exists():
        raise InputError(f"{path}: {missing_reason(str(path))}")
    if file.is_dir():
        raise InputError(f"{path}: is a folder, not a text file")
    try:
        manifest_path = file.parent / MANIFEST_NAME
        # a folder or a FIFO in a manifest's place is named (load_manifest), not passed over
        manifest = load_manifest(manifest_path) if os.path.lexists(manifest_path) else None
        row = manifest.rows.get(file.name) if manifest else None
        if manifest is not None and file.name in manifest.refused:
            raise InputError(f"{manifest_path}: {manifest.refused[file.name]}")
        row = row or SourceMeta()
        read = read_source(file, ReadOptions(max_bytes, encoding or row.encoding))
    except (SourceError, ManifestError) as error:
        raise InputError(str(error)) from None
    return read.text, row.over(read.page)


class FileClaims(NamedTuple):
    """One file's claims and the rules that timed out on it, or why it could not be read."""

    path: str
    claims: list[Claim]
    timed_out: list[str]
    error: str | None = None


def extract_files(
    paths: Iterable[str | Path],
    *,
    published: date | None = None,
    rules: Rules | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[FileClaims]:
    """Each file's claims; `published` overrides manifests. A file that cannot be read gives its
    `error` and the rest are still read, as `ledger ingest` names a bad file and reads the rest."""
    for path in paths:
        try:
            text, meta = read_file(path, encoding, max_bytes)
        except InputError as error:
            yield FileClaims(str(path), [], [], str(error))
            continue
        when = published or meta.published
        report = extract_with_report(text, published=when, rules=rules)
        yield FileClaims(str(path), report.claims, report.timed_out)


def _row(source: str, claim: Claim) -> dict[str, Any]:
    return {"source": source, **claim.model_dump()}


def render(results: Iterable[tuple[str, list[Claim]]], fmt: str) -> str:
    """The claims of several files in one of FORMATS."""
    rows = [_row(source, c) for source, claims in results for c in claims]
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, ["source", *COLUMNS], lineterminator="\n")
        writer.writeheader()
        for r in rows:
            row = {**r, "related": json.dumps(r["related"])}
            writer.writerow({key: csv_cell(value) for key, value in row.items()})
        return out.getvalue()
    if fmt == "table":
        head = ["source", "quote", "value", "kind", "unit", "bound", "metric", "subject", "period"]
        lines = [[printable(r[h]) if r[h] is not None else "" for h in head] for r in rows]
        for line, r in zip(lines, rows, strict=True):
            line[0] = printable(Path(r["source"]).name)[:24]
            line[2] = f"{r['value']:g}" + (f"-{r['value_high']:g}" if r["value_high"] else "")
        widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(head)]
        fmt_line = "  ".join(f"{{:{w}}}" for w in widths)
        return "\n".join([fmt_line.format(*head)] + [fmt_line.format(*x) for x in lines]) + "\n"
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def rules_table(rules: Rules | None = None) -> list[dict[str, str]]:
    """One row per rule in the rule files: file, kind of rule, id, comment."""
    files = (rules or default_rules()).files
    rows = []
    sections: list[tuple[str, str, list[Any]]] = [
        ("patterns.toml", "pattern", files.pattern),
        ("numbers.toml", "scale", files.scale),
        ("numbers.toml", "fraction", files.fraction),
        ("numbers.toml", "multiple", files.multiple),
        ("currencies.toml", "currency", files.currency),
        ("currencies.toml", "context", files.context),
        ("currencies.toml", "word_context", files.word_context),
        ("units.toml", "unit", files.unit),
        ("units.toml", "named", files.named),
        ("qualifiers.toml", "qualifier", files.qualifier),
        ("cues.toml", "change", files.change),
        ("cues.toml", "attribution", files.attribution),
        ("cues.toml", "subject_name", files.subject_name),
        ("cues.toml", "period", files.period),
        ("subjects.toml", "subject", files.subject),
        ("metrics.toml", "metric", files.metric),
        ("restatements.toml", "restatement", files.restatement),
    ]
    # the one-off tables of a file, listed under their table name
    tables: list[tuple[str, str, Any]] = [
        ("numbers.toml", "number_words", files.number_words),
        ("numbers.toml", "metre_distances", files.metre_distances),
        ("units.toml", "per", files.per),
        ("units.toml", "nouns", files.nouns),
        ("cues.toml", "period_words", files.period_words),
        ("cues.toml", "period_baseline", files.period_baseline),
        ("cues.toml", "period_span", files.period_span),
        ("cues.toml", "period_reach", files.period_reach),
        ("cues.toml", "subject_self", files.subject_self),
        ("cues.toml", "own_aside", files.own_aside),
        ("cues.toml", "state_body", files.state_body),
        ("cues.toml", "headline_subject", files.headline_subject),
        ("cues.toml", "subject_object", files.subject_object),
        ("cues.toml", "subject_owned", files.subject_owned),
        ("cues.toml", "reported_subject", files.reported_subject),
        ("cues.toml", "security_term", files.security_term),
        ("cues.toml", "place_in_name", files.place_in_name),
        ("cues.toml", "rating_agency", files.rating_agency),
        ("cues.toml", "listing_place", files.listing_place),
        ("cues.toml", "attribution_words", files.attribution_words),
        ("cues.toml", "comparison", files.comparison),
        ("patterns.toml", "not_labels", files.not_labels),
    ]
    for file, kind, entries in sections:
        for entry in entries:
            comment = " ".join(entry.comment.split())
            rows.append({"file": file, "kind": kind, "id": entry.id, "comment": comment})
    for file, name, table in tables:
        comment = " ".join(table.comment.split())
        rows.append({"file": file, "kind": "table", "id": name, "comment": comment})
    return rows + zh_rule_rows(rules.zh if rules else None)  # the Chinese path (zh_rules.py)

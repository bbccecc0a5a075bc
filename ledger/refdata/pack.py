"""The default reference pack: official statistics shipped with ledger, checked with no extra step.

The pack is two package files, `ledger/data/reference-pack.csv.gz` (every value: dataset,
indicator, subject, period, frequency, value, unit, status) and `reference-pack.json` (each
dataset's provenance and licence, each indicator's name and unit). `ledger reference build-pack
FOLDER` makes them from the official-statistics folder with the importers, following
`ledger/refdata/pack.toml`, and refuses any dataset whose licence does not allow redistribution.

`ensure_pack` turns them into a database beside the ledger (`reference-pack.db`), the first time
it is needed and again whenever the shipped pack or the schema changes (their sha256 is kept in
the database);
it is built in a temporary file and moved into place, so a reader never sees half a pack.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import itertools
import json
import os
import sqlite3
import tempfile
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from ledger.refdata import store
from ledger.refdata.base import (
    Dataset,
    Indicator,
    Observation,
    Part,
    ReferenceDataError,
    format_settings,
)
from ledger.refdata.formats import FORMATS

PACK_DB = "reference-pack.db"
VALUES_FILE = "reference-pack.csv.gz"
PROVENANCE_FILE = "reference-pack.json"
# Six significant digits: finer than any figure in the news, and the pack stays small.
VALUE_FORMAT = "{:.6g}"


def pack_settings() -> dict[str, Any]:
    text = resources.files("ledger.refdata").joinpath("pack.toml").read_text("utf-8")
    return tomllib.loads(text)


def build_pack_files(folder: Path, output: Path) -> tuple[int, list[str]]:
    """Read the files pack.toml names under `folder` and write the pack's two files into
    `output`; returns the number of values and the datasets."""
    settings = pack_settings()
    allowed = set(settings["licences"])
    with tempfile.TemporaryDirectory() as scratch:
        db_path = Path(scratch) / "pack.db"
        connection = store.connect(db_path, create=True)
        try:
            for entry in settings["file"]:
                for relative in entry["paths"]:
                    part = FORMATS[entry["format"]](folder / relative, entry.get("vintage"))
                    if part.dataset.licence not in allowed:
                        raise ReferenceDataError(
                            f"{relative}: licence {part.dataset.licence!r} is not one the pack "
                            f"may ship ({', '.join(sorted(allowed))})"
                        )
                    if entry.get("known_only"):
                        part = _known_only(part)
                    with connection:
                        store.write_part(connection, part, None)
            return _export(connection, output)
        finally:
            connection.close()


def _known_only(part: Part) -> Part:
    """Only the values of indicators formats.toml reads into comparable units."""
    known = {f"BOEM:{name}" for name in format_settings()["millennium"]}
    observations = (o for o in part.observations if o.indicator in known)
    return Part(part.dataset, part.indicators, observations, part.files)


def _export(connection: sqlite3.Connection, output: Path) -> tuple[int, list[str]]:
    connection.row_factory = sqlite3.Row
    datasets = [dict(row) for row in connection.execute("select * from datasets order by id")]
    used = {
        (row[0], row[1])
        for row in connection.execute("select distinct dataset, indicator from ref_values")
    }
    indicators = [
        dict(row)
        for row in connection.execute("select * from indicators order by dataset, code")
        if (row["dataset"], row["code"]) in used
    ]
    for dataset in datasets:
        dataset.pop("imported_at", None)
    provenance = {"datasets": datasets, "indicators": indicators}
    (output / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=1) + "\n", "utf-8")
    count = 0
    # mtime=0: the same values give the same bytes, so a rebuild with no change is no change
    with (
        open(output / VALUES_FILE, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed,
    ):
        text = io.TextIOWrapper(packed, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(["dataset", *Observation._fields])
        for row in connection.execute(
            "select * from ref_values order by dataset, indicator, subject, frequency, period"
        ):
            values = list(row)
            values[5] = VALUE_FORMAT.format(values[5])
            writer.writerow(values)
            count += 1
        text.flush()
        text.detach()
    return count, [dataset["id"] for dataset in datasets]


def shipped_files() -> tuple[Path, Path]:
    data = resources.files("ledger").joinpath("data")
    return Path(str(data.joinpath(VALUES_FILE))), Path(str(data.joinpath(PROVENANCE_FILE)))


def pack_path(ledger_path: str | os.PathLike[str]) -> Path:
    """Where the pack's database lives: beside the ledger."""
    return Path(os.path.abspath(ledger_path)).parent / PACK_DB


def ensure_pack(ledger_path: str | os.PathLike[str]) -> Path:
    """The pack's database beside the ledger, built from the shipped files when it is missing or
    was built from another version of them."""
    values_file, provenance_file = shipped_files()
    # the schema counts too: a new index or view rebuilds a pack built before it
    shipped = values_file.read_bytes() + provenance_file.read_bytes() + store.SCHEMA.encode()
    digest = hashlib.sha256(shipped).hexdigest()
    target = pack_path(ledger_path)
    if _built_from(target) == digest:
        return target
    handle, scratch = tempfile.mkstemp(prefix=".reference-pack-", suffix=".db", dir=target.parent)
    os.close(handle)
    try:
        connection = store.connect(scratch, create=True)
        try:
            with connection:
                _load_pack(connection, values_file, provenance_file)
                connection.execute("create table pack (sha256 text)")
                connection.execute("insert into pack values (?)", [digest])
        finally:
            connection.close()
        os.chmod(scratch, 0o644)  # mkstemp's 0600 would hide the pack from a server's user
        os.replace(scratch, target)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return target


def _built_from(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            row = connection.execute("select sha256 from pack").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def _load_pack(connection: sqlite3.Connection, values_file: Path, provenance_file: Path) -> None:
    """Datasets and indicators from the provenance file, then every value in one pass."""
    provenance = json.loads(provenance_file.read_text("utf-8"))
    indicators: dict[str, list[Indicator]] = {}
    for row in provenance["indicators"]:
        dataset_id = row.pop("dataset")
        indicators.setdefault(dataset_id, []).append(Indicator(**row))
    for row in provenance["datasets"]:
        dataset = Dataset(**row)
        store.write_part(connection, Part(dataset, indicators.get(dataset.id, []), iter(())), None)
    with gzip.open(values_file, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = iter(reader)
        while batch := list(itertools.islice(rows, store.BATCH_ROWS)):
            connection.executemany(
                "insert or replace into ref_values values (?, ?, ?, ?, ?, ?, ?, ?)", batch
            )

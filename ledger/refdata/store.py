"""The official-statistics database: datasets, indicators and values, kept apart from claims.db.

`ledger reference import FORMAT PATH...` writes here (by default `references.db` beside the
ledger); the default pack (ledger/refdata/pack.py) is a database of the same shape. Each value is
one row of `ref_values`, keyed by dataset, indicator, subject, period and frequency, so importing
a file again replaces rows with themselves and changes nothing; a file whose bytes were imported
before is skipped. Each file is written in one transaction: an interrupted import leaves every
file whole or absent. The view `official_references` gives each value with everything it needs
to be cited: publisher, dataset, indicator code and name, subject, period, frequency, value, unit,
vintage, licence and url.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ledger.refdata.formats import FORMATS, Observation, Part, ReferenceDataError, expand

SCHEMA = """
create table if not exists datasets (
    id text primary key, publisher text not null, title text not null, licence text, url text,
    vintage text, format text not null, imported_at text
);
create table if not exists indicators (
    dataset text not null references datasets(id), code text not null, name text not null,
    unit text, frequency text, notes text, url text, primary key (dataset, code)
);
create table if not exists ref_values (
    dataset text not null, indicator text not null, subject text not null, period text not null,
    frequency text not null, value real not null, unit text not null,
    status text not null default 'actual',
    primary key (dataset, indicator, subject, period, frequency)
) without rowid;
create index if not exists ref_values_lookup on ref_values (indicator, subject);
-- the served databases facet by subject code (Datasette's facet has 200 ms)
create index if not exists ref_values_subject on ref_values (subject);
create table if not exists imports (
    path text primary key, sha256 text not null, format text not null, dataset text,
    vintage text, rows integer, imported_at text
);
create view if not exists official_references as
select datasets.publisher, ref_values.dataset, datasets.title as dataset_title,
       ref_values.indicator, indicators.name as indicator_name, ref_values.subject,
       ref_values.period, ref_values.frequency, ref_values.value, ref_values.unit,
       ref_values.status, datasets.vintage, datasets.licence,
       coalesce(indicators.url, datasets.url) as url
from ref_values
join datasets on datasets.id = ref_values.dataset
left join indicators on indicators.dataset = ref_values.dataset
                    and indicators.code = ref_values.indicator;
"""

BATCH_ROWS = 20_000
IMPORTED_DB = "references.db"


def imported_path(ledger_path: str | os.PathLike[str]) -> Path:
    """Where `ledger reference import` writes by default: beside the ledger."""
    return Path(os.path.abspath(ledger_path)).parent / IMPORTED_DB


def connect(path: str | os.PathLike[str], *, create: bool = False) -> sqlite3.Connection:
    """The reference database at `path`; created only when asked (a read never makes a file)."""
    if not create and not os.path.isfile(path):
        raise ReferenceDataError(f"no reference database at {path}")
    connection = sqlite3.connect(path)
    if create:
        connection.executescript(SCHEMA)
    return connection


@dataclass
class FileImport:
    path: Path
    format: str
    dataset: str = ""
    rows: int = 0
    skipped: bool = False  # the same bytes were imported before


@dataclass
class ImportSummary:
    files: list[FileImport] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        imported = [f for f in self.files if not f.skipped]
        datasets = sorted({f.dataset for f in imported})
        return (
            f"{len(self.files)} file(s): {len(imported)} imported, "
            f"{len(self.files) - len(imported)} unchanged; "
            f"{sum(f.rows for f in imported):,} values"
            + (f" in {', '.join(datasets)}" if datasets else "")
            + f"; {self.seconds:.2f}s"
        )


def import_paths(
    db_path: str | os.PathLike[str],
    fmt: str,
    paths: Iterable[str | os.PathLike[str]],
    *,
    vintage: str | None = None,
) -> ImportSummary:
    """Import files of format `fmt` (or "auto": recognised by their header) into the reference
    database at `db_path`. Every path is resolved and every header checked first, so a
    mistyped path or a file of another format fails before anything is written."""
    if fmt != "auto" and fmt not in FORMATS:
        raise ReferenceDataError(f"unknown format {fmt!r} (known: auto, {', '.join(FORMATS)})")
    started = time.perf_counter()
    pairs = [pair for path in paths for pair in expand(fmt, Path(path))]
    pairs = _one_per_weo_folder(pairs)
    # every file's header is read before the first is written; a database not made yet is made
    # only then, so an import that fails at a header leaves no empty one behind
    made = os.path.isfile(db_path)
    connection = connect(db_path if made else ":memory:", create=True)
    summary = ImportSummary()
    try:
        plans = [_plan(connection, file_format, path, vintage) for file_format, path in pairs]
        _date_copies([plan.part for plan in plans if plan.part is not None])
        if not made:
            connection.close()
            connection = connect(db_path, create=True)
        for plan in plans:
            summary.files.append(_write_plan(connection, plan, vintage))
    except BaseException:
        connection.close()
        if not made and not summary.files:  # its first file failed in its values: none left
            with contextlib.suppress(FileNotFoundError):
                os.remove(db_path)
        raise
    connection.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _date_copies(parts: list[Part]) -> None:
    """A dataset that states no vintage, copied from an upstream repository with a manifest,
    takes the date its newest file was written there."""
    copied = UpstreamDates()
    newest: dict[str, str] = {}
    for part in parts:
        if part.dataset.vintage is None:
            for file in part.files:
                date = copied.date_of(file)
                if date and date > newest.get(part.dataset.id, ""):
                    newest[part.dataset.id] = date
    for part in parts:
        if part.dataset.vintage is None:
            part.dataset.vintage = newest.get(part.dataset.id)


class UpstreamDates:
    """When each file of a copy of upstream repositories was last written there, from the
    MANIFEST.json at the top of the copy (the shared official-statistics folder has one: a list
    of {dest, last_commit_date}); the vintage of a file that states none."""

    LEVELS_UP = 5

    def __init__(self) -> None:
        self.manifests: dict[Path, dict[Path, str]] = {}

    def date_of(self, path: Path) -> str | None:
        resolved = path.resolve()
        for folder in list(resolved.parents)[: self.LEVELS_UP]:
            if (folder / "MANIFEST.json").is_file():
                return self._read(folder).get(resolved)
        return None

    def _read(self, folder: Path) -> dict[Path, str]:
        if folder not in self.manifests:
            try:
                entries = json.loads((folder / "MANIFEST.json").read_text("utf-8"))
            except (OSError, ValueError):
                entries = []
            self.manifests[folder] = {
                (folder / str(entry["dest"])).resolve(): str(entry["last_commit_date"])[:10]
                for entry in entries if isinstance(entry, dict)
                and entry.get("dest") and entry.get("last_commit_date")
            }  # fmt: skip
        return self.manifests[folder]


def _one_per_weo_folder(pairs: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """A WEO folder is read whole: one entry per folder, whichever of its files was named."""
    seen: set[Path] = set()
    kept = []
    for fmt, path in pairs:
        if fmt == "weo":
            folder = path if path.is_dir() else path.parent
            if folder in seen:
                continue
            seen.add(folder)
            path = folder
        kept.append((fmt, path))
    return kept


def _fingerprint(path: Path) -> str:
    """sha256 of a file, or of a folder's files (names and bytes) for a DDF folder."""
    digest = hashlib.sha256()
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode() + b"\0")
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@dataclass
class _Plan:
    """A file to import: its key and hash, and its part (None when these bytes were imported)."""

    done: FileImport
    key: str
    sha: str
    part: Part | None


def _plan(connection: sqlite3.Connection, fmt: str, path: Path, vintage: str | None) -> _Plan:
    key = str(path.resolve())
    sha = _fingerprint(path)
    done = connection.execute(
        "select dataset from imports where path = ? and sha256 = ? and format = ? and vintage is ?",
        [key, sha, fmt, vintage],
    ).fetchone()
    if done:
        return _Plan(FileImport(path, fmt, done[0], skipped=True), key, sha, None)
    part = FORMATS[fmt](path, vintage)
    return _Plan(FileImport(path, fmt, part.dataset.id), key, sha, part)


def _write_plan(connection: sqlite3.Connection, plan: _Plan, vintage: str | None) -> FileImport:
    if plan.part is None:
        return plan.done
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with connection:  # one transaction a file
        plan.done.rows = write_part(connection, plan.part, stamp)
        connection.execute(
            "insert or replace into imports values (?, ?, ?, ?, ?, ?, ?)",
            [
                plan.key,
                plan.sha,
                plan.done.format,
                plan.done.dataset,
                vintage,
                plan.done.rows,
                stamp,
            ],
        )
    return plan.done


_DAY = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
# How a period is written at each frequency, as the checker looks values up.
PERIOD_SHAPES = {
    "A": re.compile(r"\d{4}"),
    "H": re.compile(r"\d{4}-H[12]"),
    "Q": re.compile(r"\d{4}-Q[1-4]"),
    "M": re.compile(r"\d{4}-(?:0[1-9]|1[0-2])"),
    "W": re.compile(_DAY),
    "D": re.compile(_DAY),
    "E": re.compile(_DAY),
}


def _well_dated(part: Part) -> Iterator[Observation]:
    """The part's values, refused (`ReferenceDataError`, the file's transaction rolled back) at
    the first whose period is not written as its frequency's are: a cell a reader took as a date
    ("not a date", "31/12/2020") was stored as a period no check would ever ask for."""
    for observation in part.observations:
        shape = PERIOD_SHAPES.get(observation.frequency)
        if shape is None or not shape.fullmatch(observation.period):
            where = part.files[0] if part.files else part.dataset.id
            raise ReferenceDataError(
                f"{where}: {observation.period!r} is not a period of frequency"
                f" {observation.frequency} ({observation.indicator}, {observation.subject});"
                " nothing imported from it"
            )
        yield observation


def write_part(connection: sqlite3.Connection, part: Part, stamp: str | None) -> int:
    """Upsert a part's dataset, values (streamed, in batches) and indicators; returns the count
    of values. The caller holds the transaction."""
    d = part.dataset
    connection.execute(
        "insert into datasets values (?, ?, ?, ?, ?, ?, ?, ?) on conflict(id) do update set "
        "publisher = excluded.publisher, title = excluded.title, licence = excluded.licence, "
        "url = excluded.url, vintage = coalesce(excluded.vintage, datasets.vintage), "
        "format = excluded.format, imported_at = excluded.imported_at",
        [d.id, d.publisher, d.title, d.licence, d.url, d.vintage, d.format, stamp],
    )
    count = 0
    observations: Iterator = ((d.id, *observation) for observation in _well_dated(part))
    while batch := list(itertools.islice(observations, BATCH_ROWS)):
        connection.executemany(
            "insert or replace into ref_values values (?, ?, ?, ?, ?, ?, ?, ?)", batch
        )
        count += len(batch)
    connection.executemany(
        "insert or replace into indicators values (?, ?, ?, ?, ?, ?, ?)",
        [(d.id, i.code, i.name, i.unit, i.frequency, i.notes, i.url) for i in part.indicators],
    )
    return count


def list_datasets(db_path: str | os.PathLike[str]) -> list[dict[str, object]]:
    """Each dataset with its provenance and how many values it holds."""
    connection = connect(db_path)
    connection.row_factory = sqlite3.Row
    try:
        rows = connection.execute(
            "select datasets.*, (select count(*) from ref_values where dataset = datasets.id) "
            "as [values] from datasets order by id"
        )
        return [dict(row) for row in rows]
    finally:
        connection.close()

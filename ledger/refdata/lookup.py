"""Official values for the checker: which databases, and an indicator's values for a subject.

`ledger check` reads the default pack (built beside the ledger on first use, see pack.py) and,
when present, what `ledger reference import` wrote (`references.db` beside the ledger). Values
are read by (indicators, subject), a few thousand rows at most, and kept in a bounded cache: a
ledger of a million claims asks about a few hundred subjects, so memory stays flat.
"""

from __future__ import annotations

import os
import sqlite3
from collections import OrderedDict
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ledger.refdata.pack import PACK_DB, ensure_pack
from ledger.refdata.store import IMPORTED_DB, imported_path

CACHE_ENTRIES = 2048

# The reference databases that may sit beside a ledger: the default pack, then what was imported.
BESIDE = (PACK_DB, IMPORTED_DB)


def databases_beside(ledger_path: str | os.PathLike[str]) -> list[Path]:
    """The reference databases beside a ledger that exist (never built here: pages only read)."""
    folder = Path(os.path.abspath(ledger_path)).parent
    return [folder / name for name in BESIDE if (folder / name).is_file()]


def reference_databases(
    ledger_path: str | os.PathLike[str], imported: str | os.PathLike[str] | None, *, pack: bool
) -> list[Path]:
    """The reference databases a check of this ledger reads: the pack (built when missing or
    stale) unless `pack` is off, and the imported database if it exists. A path given
    explicitly must exist."""
    paths = [ensure_pack(ledger_path)] if pack else []
    chosen = Path(imported) if imported else imported_path(ledger_path)
    if chosen.is_file():
        paths.append(chosen)
    elif imported:
        from ledger.refdata.formats import ReferenceDataError

        raise ReferenceDataError(f"no reference database at {imported}")
    return paths


@dataclass(frozen=True)
class DatasetInfo:
    id: str
    publisher: str
    title: str
    licence: str | None
    url: str | None
    vintage: str | None
    origin: str  # the database file's name: reference-pack.db or references.db


class OfficialValue(NamedTuple):
    dataset: DatasetInfo
    indicator: str
    indicator_name: str
    subject: str
    period: str
    frequency: str
    value: float
    unit: str
    status: str

    @property
    def key(self) -> str:
        """How the checks table names it: dataset:indicator:subject:period."""
        return f"{self.dataset.id}:{self.indicator}:{self.subject}:{self.period}"

    def citation(self) -> str:
        """Publisher, dataset, indicator, vintage and licence: the attribution a check shows."""
        d = self.dataset
        vintage = f", vintage {d.vintage}" if d.vintage else ""
        licence = d.licence or "licence not stated"
        what = f"{self.indicator} {self.indicator_name}"
        return f"{d.publisher}, {d.title}: {what}{vintage}; {licence}"


class OfficialReferences:
    """Official values from one or more reference databases, opened read-only."""

    def __init__(self, paths: list[Path]) -> None:
        self.connections = [
            sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            for path in paths
        ]
        self.datasets: dict[tuple[int, str], DatasetInfo] = {}
        self.names: dict[tuple[int, str, str], str] = {}
        for number, (path, connection) in enumerate(zip(paths, self.connections, strict=True)):
            for dataset_id, publisher, title, licence, url, vintage in connection.execute(
                "select id, publisher, title, licence, url, vintage from datasets"
            ):
                self.datasets[(number, dataset_id)] = DatasetInfo(
                    dataset_id, publisher, title, licence, url, vintage, path.name
                )
            for dataset, code, name in connection.execute(
                "select dataset, code, name from indicators"
            ):
                self.names[(number, dataset, code)] = name
        self._cache: OrderedDict[tuple[tuple[str, ...], str], list[OfficialValue]] = OrderedDict()

    def close(self) -> None:
        for connection in self.connections:
            connection.close()

    def values(self, indicators: tuple[str, ...], subject: str) -> list[OfficialValue]:
        """Every value of these indicators for this subject, in every database."""
        key = (indicators, subject)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        found = []
        marks = ", ".join("?" for _ in indicators)
        for number, connection in enumerate(self.connections):
            rows = connection.execute(
                "select dataset, indicator, subject, period, frequency, value, unit, status "
                f"from ref_values where indicator in ({marks}) and subject = ?",
                [*indicators, subject],
            )
            for dataset, indicator, *rest in rows:
                info = self.datasets[(number, dataset)]
                name = self.names.get((number, dataset, indicator), indicator)
                found.append(OfficialValue(info, indicator, name, *rest))
        self._cache[key] = found
        if len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)
        return found


class ChartSeries(NamedTuple):
    """One official series as the chart draws it, and where it comes from."""

    citation: str  # publisher, dataset, indicator, vintage, licence
    origin: str  # the database file it was read from (reference-pack.db, references.db)
    dataset: str
    indicator: str
    values: list[tuple[str, float]]  # (period, value), oldest first


def chart_series(
    ledger_path: str | os.PathLike[str], indicators: list[str], subject: str, unit: str | None
) -> ChartSeries | None:
    """For the chart of one metric and subject: the first of `indicators` with annual values
    for `subject` in `unit`, from the databases beside the ledger that exist (never built here:
    a page only reads); None when there is none."""
    paths = databases_beside(ledger_path)
    if not paths or not indicators:
        return None
    references = OfficialReferences(paths)
    try:
        values = references.values(tuple(indicators), subject)
    finally:
        references.close()
    for indicator in indicators:
        series = sorted(
            (v for v in values if v.indicator == indicator and v.frequency == "A"),
            key=lambda v: v.period,
        )
        series = [v for v in series if unit in (None, v.unit) and v.status == "actual"]
        if series:
            first = series[0]
            return ChartSeries(
                first.citation(),
                first.dataset.origin,
                first.dataset.id,
                indicator,
                [(v.period, v.value) for v in series if v.dataset == first.dataset],
            )
    return None


def series_subjects(ledger_path: str | os.PathLike[str], indicators: list[str]) -> list[str]:
    """The subjects the databases beside the ledger hold an annual series of `indicators` for,
    so the chart can draw a subject's official line even before any claim is about it."""
    found: set[str] = set()
    if not indicators:
        return []
    marks = ", ".join("?" for _ in indicators)
    for path in databases_beside(ledger_path):
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            rows = connection.execute(
                f"select distinct subject from ref_values where indicator in ({marks}) "
                "and frequency = 'A'",
                indicators,
            )
            found.update(subject for (subject,) in rows)
    return sorted(found)

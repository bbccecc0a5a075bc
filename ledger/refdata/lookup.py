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
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ledger.refdata.pack import ensure_pack
from ledger.refdata.store import imported_path

CACHE_ENTRIES = 2048


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


def chart_series(
    ledger_path: str | os.PathLike[str], indicators: list[str], subject: str, unit: str | None
) -> tuple[str, list[tuple[str, float]]]:
    """For the chart of one metric and subject: the first of `indicators` with annual values
    for `subject` in `unit`, from the databases beside the ledger that exist (never built here:
    a page only reads). Returns its citation and (period, value) pairs; ("", []) when none."""
    paths = [
        path
        for path in (Path(os.path.abspath(ledger_path)).parent / name for name in (
            "reference-pack.db", "references.db"))
        if path.is_file()
    ]  # fmt: skip
    if not paths or not indicators:
        return "", []
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
            return series[0].citation(), [(v.period, v.value) for v in series]
    return "", []

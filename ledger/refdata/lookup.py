"""Official values for the checker: which databases, and an indicator's values for a subject.

`ledger check` reads the default pack (built beside the ledger on first use, see pack.py) and,
when present, what `ledger reference import` wrote (`references.db` beside the ledger). Values
are read by (indicators, subject), a few thousand rows at most, and kept in a bounded cache: a
ledger of a million claims asks about a few hundred subjects, so memory stays flat.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import tomllib
from collections import OrderedDict, defaultdict
from contextlib import closing
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ledger.refdata.pack import PACK_DB, ensure_pack
from ledger.refdata.store import IMPORTED_DB, imported_path

CACHE_ENTRIES = 2048

# The reference databases that may sit beside a ledger: the default pack, then what was imported.
BESIDE = (PACK_DB, IMPORTED_DB)


def databases_beside(ledger_path: str | os.PathLike[str]) -> list[Path]:
    """The reference databases beside a ledger that exist (never built here: pages only read)."""
    folder = Path(os.path.abspath(ledger_path)).parent
    return [folder / name for name in BESIDE if (folder / name).is_file()]


class DerivedSeries(BaseModel):
    """A growth series computed from a level series, or a share of one series in another
    (ledger/data/derived.toml)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    code: str
    source: str = Field(alias="from")
    frequency: Literal["Q", "M", "A"]
    lag: int | None = Field(None, gt=0)  # a change on the value `lag` periods before, or
    over: str | None = None  # a share of this series' value of the same period, in percent
    basis: str
    name: str = Field(min_length=10)

    @model_validator(mode="after")
    def _one_way(self) -> DerivedSeries:
        if (self.lag is None) == (self.over is None):
            raise ValueError(f"derived series {self.code}: give either lag or over")
        return self

    @property
    def levels(self) -> tuple[str, ...]:
        """The stored series it is computed from."""
        return (self.source,) if self.over is None else (self.source, self.over)


class _DerivedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    derived: list[DerivedSeries]


@functools.cache
def derived_series() -> dict[str, DerivedSeries]:
    """The derived series by code."""
    text = resources.files("ledger").joinpath("data", "derived.toml").read_text("utf-8")
    return {d.code: d for d in _DerivedFile.model_validate(tomllib.loads(text)).derived}


def _periods_back(period: str, lag: int, frequency: str) -> str | None:
    """The period `lag` periods before `period` ("2004-Q1", 1, "Q" -> "2003-Q4").

    >>> _periods_back("2004-Q1", 1, "Q"), _periods_back("2004-03", 12, "M")
    ('2003-Q4', '2003-03')
    >>> _periods_back("2004", 1, "A"), _periods_back("2004-H1", 1, "Q")
    ('2003', None)
    """
    try:
        if frequency == "A":
            return str(int(period) - lag)
        year, part = period.split("-")
        if frequency == "Q":
            index = int(year) * 4 + int(part.removeprefix("Q")) - 1 - lag
            return f"{index // 4}-Q{index % 4 + 1}"
        index = int(year) * 12 + int(part) - 1 - lag
        return f"{index // 12}-{index % 12 + 1:02d}"
    except ValueError:
        return None


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
    url: str | None = None  # the indicator's own page, when the publisher has one

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

    @property
    def page(self) -> str | None:
        """The page the value comes from: the indicator's, else the dataset's."""
        return self.url or self.dataset.url


class OfficialReferences:
    """Official values from one or more reference databases, opened read-only."""

    def __init__(self, paths: list[Path]) -> None:
        self.connections = [
            sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            for path in paths
        ]
        self.datasets: dict[tuple[int, str], DatasetInfo] = {}
        self.names: dict[tuple[int, str, str], tuple[str, str | None]] = {}
        for number, (path, connection) in enumerate(zip(paths, self.connections, strict=True)):
            for dataset_id, publisher, title, licence, url, vintage in connection.execute(
                "select id, publisher, title, licence, url, vintage from datasets"
            ):
                self.datasets[(number, dataset_id)] = DatasetInfo(
                    dataset_id, publisher, title, licence, url, vintage, path.name
                )
            for dataset, code, name, url in connection.execute(
                "select dataset, code, name, url from indicators"
            ):
                self.names[(number, dataset, code)] = (name, url)
        self._cache: OrderedDict[tuple[tuple[str, ...], str], list[OfficialValue]] = OrderedDict()

    def close(self) -> None:
        for connection in self.connections:
            connection.close()

    @functools.cached_property
    def indicators(self) -> frozenset[str]:
        """The indicator codes the databases hold (a derived one counts when its levels do)."""
        held = {code for _, _, code in self.names}
        return frozenset(
            held | {code for code, d in derived_series().items() if set(d.levels) <= held}
        )

    def values(self, indicators: tuple[str, ...], subject: str) -> list[OfficialValue]:
        """Every value of these indicators for this subject, in every database; a derived
        indicator (ledger/data/derived.toml) is computed from its level series."""
        key = (indicators, subject)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        derived = [derived_series()[code] for code in indicators if code in derived_series()]
        stored = tuple(code for code in indicators if code not in derived_series())
        levels = tuple({level for d in derived for level in d.levels} - set(stored))
        found = self._stored(stored + levels, subject)
        found = [v for v in found if v.indicator not in levels] + [
            value for series in derived for value in _derive(series, found)
        ]
        self._cache[key] = found
        if len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)
        return found

    def _stored(self, indicators: tuple[str, ...], subject: str) -> list[OfficialValue]:
        found = []
        marks = ", ".join("?" for _ in indicators)
        for number, connection in enumerate(self.connections):
            rows = connection.execute(
                "select dataset, indicator, subject, period, frequency, value, unit, status "
                f"from ref_values where indicator in ({marks}) and subject = ?",
                [*indicators, subject],
            )
            for dataset, indicator, code, period, frequency, value, unit, status in rows:
                info = self.datasets[(number, dataset)]
                name, url = self.names.get((number, dataset, indicator), (indicator, None))
                found.append(
                    OfficialValue(
                        info, indicator, name, code, period, frequency, value, unit, status, url
                    )
                )
        return found


def _derive(series: DerivedSeries, values: list[OfficialValue]) -> list[OfficialValue]:
    """`series` from the level values among `values`: each dataset's own levels, so a growth
    rate or a share never mixes two publishers' (or two vintages') values."""
    levels: dict[DatasetInfo, dict[str, OfficialValue]] = defaultdict(dict)
    bases: dict[DatasetInfo, dict[str, OfficialValue]] = defaultdict(dict)
    for value in values:
        if value.frequency == series.frequency and value.indicator == series.source:
            levels[value.dataset][value.period] = value
        elif value.frequency == series.frequency and value.indicator == series.over:
            bases[value.dataset][value.period] = value
    derived = []
    for dataset, by_period in levels.items():
        for period, value in sorted(by_period.items()):
            if series.lag is None:  # a share: "a current account deficit of 5% of GDP"
                before = bases[dataset].get(period)
            else:
                before = by_period.get(_periods_back(period, series.lag, series.frequency) or "")
            if before is None or before.value == 0:
                continue
            ratio = value.value / before.value
            change = round((ratio if series.lag is None else ratio - 1) * 100, 6)
            status = "actual" if "actual" == value.status == before.status else value.status
            derived.append(
                value._replace(
                    indicator=series.code,
                    indicator_name=series.name,
                    value=change,
                    unit="percent",
                    status=status,
                )  # fmt: skip
            )
    return derived


class ChartSeries(NamedTuple):
    """One official series as the chart draws it, and where it comes from."""

    citation: str  # publisher, dataset, indicator, vintage, licence
    origin: str  # the database file it was read from (reference-pack.db, references.db)
    dataset: str
    indicator: str
    frequency: str
    derived: bool  # computed from a level series (ledger/data/derived.toml), not stored
    values: list[tuple[str, float]]  # (period, value), oldest first


# The frequencies a chart falls back on, coarsest first: a year's line is short and readable,
# a day's is thousands of points.
CHART_FREQUENCIES = ("A", "Q", "M", "W", "E", "D")


def chart_series(
    ledger_path: str | os.PathLike[str],
    indicators: list[str],
    subject: str,
    unit: str | None,
    frequencies: tuple[str, ...] = CHART_FREQUENCIES,
) -> ChartSeries | None:
    """For the chart of one metric and subject: the first of `indicators` with values for
    `subject` in `unit` at the first of `frequencies` any has (the claims' own first), from
    the databases beside the ledger that exist (never built here: a page only reads); None
    when there is none."""
    paths = databases_beside(ledger_path)
    if not paths or not indicators:
        return None
    references = OfficialReferences(paths)
    try:
        values = references.values(tuple(indicators), subject)
    finally:
        references.close()
    values = [v for v in values if unit in (None, v.unit) and v.status == "actual"]
    for frequency in frequencies:
        for indicator in indicators:
            series = sorted(
                (v for v in values if v.indicator == indicator and v.frequency == frequency),
                key=lambda v: v.period,
            )
            if series:
                first = series[0]
                return ChartSeries(
                    first.citation(),
                    first.dataset.origin,
                    first.dataset.id,
                    indicator,
                    frequency,
                    indicator in derived_series(),
                    [(v.period, v.value) for v in series if v.dataset == first.dataset],
                )
    return None


def series_subjects(ledger_path: str | os.PathLike[str], indicators: list[str]) -> list[str]:
    """The subjects the databases beside the ledger hold a series of `indicators` for (of the
    level a derived one is computed from), so the chart can draw a subject's official line
    even before any claim is about it."""
    derived = derived_series()
    stored = {
        level
        for code in indicators
        for level in (derived[code].levels if code in derived else (code,))
    }
    found: set[str] = set()
    if not stored:
        return []
    marks = ", ".join("?" for _ in stored)
    for path in databases_beside(ledger_path):
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            rows = connection.execute(
                f"select distinct subject from ref_values where indicator in ({marks})",
                sorted(stored),
            )
            found.update(subject for (subject,) in rows)
    return sorted(found)

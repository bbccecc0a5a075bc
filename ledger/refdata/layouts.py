"""Readers for publishers' own layouts that are neither a plain CSV of one series nor a data
package: the World Bank's Pink Sheet workbook, the Federal Reserve's Data Download CSV, Our World
in Data's grapher CSV and CSET's ETO supply-chain tables.

Each returns a `Part` like the readers in formats.py and streams its rows (the workbook through
openpyxl's read-only mode, a row at a time).
"""

from __future__ import annotations

import csv
import itertools
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger.refdata.base import (
    Dataset,
    Indicator,
    Observation,
    Part,
    ReferenceDataError,
    csv_rows,
    datapackage_json,
    format_settings,
    frequency_of,
    number_or_none,
    package_licence,
    period_of,
    subject_code,
    unit_of,
)

# --- World Bank Commodity Price Data (the Pink Sheet): an .xlsx workbook, whatever its name ----

PINK_SHEETS = {
    "Monthly Prices": ("M", ""),
    "Annual Prices (Nominal)": ("A", ""),
    "Annual Prices (Real)": ("A", ":REAL2010"),
}
_UPDATED = re.compile(r"Updated on ([A-Z][a-z]+ \d{1,2}, \d{4})")
_UNIT = re.compile(r"^\(\$/(?P<per>[^)]+)\)$")
_MONTH = re.compile(r"^(\d{4})M(\d{2})$")


def pink_sheet_names(path: Path) -> list[str]:
    """The sheets of an .xlsx workbook (the Pink Sheet is one, though named .xls), read from its
    zip directory without opening it; [] for any other file."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return []
    return re.findall(r'<sheet [^>]*name="([^"]+)"', workbook)


def read_pink_sheet(path: Path, vintage: str | None) -> Part:
    """Every commodity price of the workbook's price sheets (monthly nominal; annual nominal and
    real 2010 US$), one indicator per commodity and sheet, the commodity as subject."""
    import openpyxl

    sheets = [name for name in pink_sheet_names(path) if name in PINK_SHEETS]
    if not sheets:
        raise ReferenceDataError(f"{path}: not a Pink Sheet workbook (no sheet of prices)")
    try:
        # a file object: openpyxl refuses the .xls name the World Bank gives an .xlsx workbook
        book = openpyxl.load_workbook(open(path, "rb"), read_only=True, data_only=True)  # noqa: SIM115
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise ReferenceDataError(f"{path}: cannot read the workbook ({error})") from error
    indicators: list[Indicator] = []

    def values() -> Iterator[Observation]:
        try:
            for sheet in sheets:
                yield from _pink_sheet_values(book[sheet], sheet, indicators)
        finally:
            book.close()

    # the licence the repository the workbook comes with declares (the file itself states none)
    dataset = Dataset(
        "wb-pink-sheet",
        "World Bank",
        "Commodity Price Data (The Pink Sheet)",
        package_licence(datapackage_json(path.parent.parent)),
        "https://www.worldbank.org/en/research/commodity-markets",
        vintage or _pink_sheet_updated(book[sheets[0]]),
        "pink-sheet",
    )
    return Part(dataset, indicators, values(), [path])


def _pink_sheet_updated(sheet: Any) -> str | None:
    """The "Updated on July 02, 2026" line of a sheet's title rows, as a date."""
    for row in sheet.iter_rows(max_row=8, values_only=True):
        updated = _UPDATED.search(str(row[0] if row else ""))
        if updated:
            return datetime.strptime(updated[1], "%B %d, %Y").date().isoformat()
    return None


def _pink_sheet_values(sheet: Any, name: str, indicators: list[Indicator]) -> Iterator[Observation]:
    """One sheet: title rows, a row of commodity names, a row of units ("($/bbl)"), then a row
    a period."""
    frequency, suffix = PINK_SHEETS[name]
    names: tuple[Any, ...] = ()
    series: dict[int, tuple[str, str]] = {}  # column -> (code, subject)
    for row in sheet.iter_rows(values_only=True):
        first = row[0] if row else None
        if not series:
            units = [cell for cell in row[1:] if isinstance(cell, str) and _UNIT.match(cell)]
            if units:
                series = _pink_sheet_series(names, row, suffix, frequency, indicators)
            names = row
            continue
        period = _pink_period(first, frequency)
        if period is None:
            continue
        for column, (code, subject) in series.items():
            value = row[column] if column < len(row) else None
            if isinstance(value, int | float):
                yield Observation(code, subject, period, frequency, float(value), "USD")


def _pink_sheet_series(
    names: tuple[Any, ...], units: tuple[Any, ...], suffix: str, frequency: str,
    indicators: list[Indicator],
) -> dict[int, tuple[str, str]]:  # fmt: skip
    series = {}
    subjects: dict[str, str] = format_settings()["pink_sheet_subjects"]
    for column, (name, unit) in enumerate(zip(names, units, strict=False)):
        if column == 0 or not isinstance(name, str) or not isinstance(unit, str):
            continue
        per = _UNIT.match(unit)
        if per is None:
            continue
        label = " ".join(name.replace("*", "").split())
        slug = re.sub(r"[^A-Z0-9]+", "_", label.upper()).strip("_")
        subject = subjects.get(label, slug)
        code = f"CMO:{slug}{suffix}"
        real = " (real 2010 US$)" if suffix else ""
        indicators.append(Indicator(code, f"{label}, US$ per {per['per']}{real}", "USD", frequency))
        series[column] = (code, subject)
    return series


def _pink_period(cell: Any, frequency: str) -> str | None:
    """
    >>> _pink_period("1960M01", "M"), _pink_period(1960, "A"), _pink_period(None, "A")
    ('1960-01', '1960', None)
    """
    if frequency == "M":
        match = _MONTH.match(str(cell or ""))
        return f"{match[1]}-{match[2]}" if match else None
    return str(cell) if isinstance(cell, int) and 1900 < cell < 2200 else None


# --- Federal Reserve Data Download Program CSV: "Series Description", "Unit:", ... then dates -----

FED_META_ROWS = (
    6  # Series Description, Unit:, Multiplier:, Currency:, Unique Identifier:, Time Period
)
_FED_PERIOD = re.compile(r"^\d{4}(-\d{2}(-\d{2})?|-Q[1-4])?$")


def read_fed_ddp(path: Path, vintage: str | None) -> Part:
    """One series as the Fed's Data Download Program writes it (H.15 interest rates, G.17...):
    six metadata rows, then period,value; the series id names it, the unit and multiplier
    scale it. US series: the subject is USA."""
    meta = _fed_meta(path)
    identifier = meta.get("Unique Identifier:", "")
    if not meta.get("Series Description") or not identifier:
        raise ReferenceDataError(f"{path}: not a Fed Data Download CSV (no series description)")
    release = identifier.split("/")[0]
    code = f"FED:{identifier.split('/')[-1]}"
    written = meta.get("Unit:", "").replace("_", " ").split(":")[0]
    unit, factor = unit_of(written)
    factor *= number_or_none(meta.get("Multiplier:", "1")) or 1.0

    def values() -> Iterator[Observation]:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = (row for row in csv.reader(handle) if len(row) >= 2)
            dated = (row for row in rows if _FED_PERIOD.match(row[0].strip()))
            first_two = list(itertools.islice(dated, 2))
            if not first_two:
                return
            periods = [row[0].strip() for row in first_two] + [None]
            frequency = "Q" if "Q" in str(periods[0]) else frequency_of(str(periods[0]), periods[1])
            name = " ".join(meta["Series Description"].split())
            indicators.append(Indicator(code, name, unit, frequency))
            for when, text, *_ in itertools.chain(first_two, dated):
                value = number_or_none(text)  # "ND" (no data) is skipped
                if value is not None:
                    period = period_of(when.strip(), frequency)
                    yield Observation(code, "USA", period, frequency, value * factor, unit)

    indicators: list[Indicator] = []
    dataset = Dataset(
        f"fed-{release.lower()}",
        "Federal Reserve Board",
        f"Release {release}",
        package_licence(datapackage_json(path.parent.parent)),
        "https://www.federalreserve.gov/datadownload/",
        vintage,
        "fed-ddp",
    )
    return Part(dataset, indicators, values(), [path])


def _fed_meta(path: Path) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            head = [row for _, row in zip(range(FED_META_ROWS), csv.reader(handle), strict=False)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ReferenceDataError(f"{path}: cannot read ({error})") from error
    return {row[0].strip(): row[1].strip() for row in head if len(row) >= 2}


# --- Our World in Data grapher CSV: Entity,Code,Year,<one column of values> ----------------------


def read_owid(path: Path, vintage: str | None) -> Part:
    """An OWID chart's data: one indicator (the value column's title), a row per entity and
    year; the entity's ISO code is its subject (OWID_WRL is the world), else its name."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ReferenceDataError(f"{path}: cannot read ({error})") from error
    if header[:3] != ["Entity", "Code", "Year"] or len(header) != 4:
        raise ReferenceDataError(f"{path}: not an OWID grapher CSV (Entity,Code,Year,VALUE)")
    column = header[3]
    slug = re.sub(r"[^a-z0-9]+", "-", column.casefold()).strip("-")
    code = f"OWID:{slug}"
    unit, factor = unit_of(column)
    rows = csv_rows(path, header)

    def values() -> Iterator[Observation]:
        for row in rows:
            value = number_or_none(row[column])
            if value is not None and row["Year"].strip().isdigit():
                subject = subject_code(row["Code"].strip() or row["Entity"])
                yield Observation(code, subject, row["Year"].strip(), "A", value * factor, unit)

    dataset = Dataset(
        f"owid-{slug}"[:60],
        "Our World in Data",
        column,
        # OWID's own data are CC BY 4.0, but a copy states only what its repository says
        package_licence(datapackage_json(path.parent)),
        f"https://ourworldindata.org/grapher/{path.stem}",
        vintage,
        "owid",
    )
    return Part(dataset, [Indicator(code, column, unit, "A")], values(), [path])


# --- CSET / ETO semiconductor supply chain: provision.csv, with providers.csv beside it ---------

CSET_COLUMNS = ["provider_name", "provider_id", "provided_name", "provided_id", "share_provided"]


def read_cset(path: Path, vintage: str | None) -> Part:
    """Market shares in the semiconductor supply chain (provision.csv): an indicator per segment
    or input (`ETO:S1` Design...), a country's share (its ISO code is the provider's name) or a
    firm's (its name as subject). Research estimates, not official statistics; the licence is
    read from the LICENSE.md above the data (CC BY-NC 4.0: never shipped, import it yourself)."""
    period = str(format_settings()["cset"]["period"])
    rows = csv_rows(path, CSET_COLUMNS)
    indicators: list[Indicator] = []
    named: set[str] = set()

    def values() -> Iterator[Observation]:
        for row in rows:
            share = number_or_none(row["share_provided"].strip().rstrip("%"))
            if share is None:
                continue  # blank, or marked negligible in the next column
            code = f"ETO:{row['provided_id'].strip()}"
            if code not in named:  # the indicators fill as the rows stream (written last)
                named.add(code)
                name = " ".join(row["provided_name"].split())
                indicators.append(Indicator(code, f"Market share: {name}", "percent", "A"))
            subject = row["provider_name"].strip()
            yield Observation(code, subject, period, "A", share, "percent")

    dataset = Dataset(
        "cset-eto-supply-chain",
        "Center for Security and Emerging Technology (Emerging Technology Observatory)",
        "Advanced Semiconductor Supply Chain Dataset",
        _licence_in_text(path.parent.parent / "LICENSE.md"),
        "https://eto.tech/dataset-docs/chipexplorer",
        vintage,
        "cset",
    )
    return Part(dataset, indicators, values(), [path])


def _licence_in_text(path: Path) -> str | None:
    """The licence a LICENSE file names in words (formats.toml `[licence_text]`), if any."""
    try:
        text = " ".join(path.read_text("utf-8").split())
    except (OSError, UnicodeDecodeError):
        return None
    phrases: dict[str, str] = format_settings()["licence_text"]
    return next((name for phrase, name in phrases.items() if phrase in text), None)

"""Readers for official-statistics files, one per publisher's format, each a stream of values.

A reader turns one file (or, for the IMF's DDF, one folder) into a `Part`: the dataset it belongs
to (publisher, title, licence, url, vintage), the indicators it holds (code, name, unit,
frequency) and a generator of `Observation`s, read row by row so a file of any size is never
held in memory. Units are brought into the extractor's terms on the way in (US$ billions ->
USD with the scale applied, persons millions -> person), so a check compares like with like.

Formats (`FORMATS`): wdi, weo, fred, eia, boe-bank-rate, boe-millennium, ons, bls; `detect`
names the format of a file from its header, for `ledger reference import auto FOLDER`.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ledger.refdata.base import (
    PERIOD_LENGTH,
    Dataset,
    Indicator,
    Observation,
    Part,
    ReferenceDataError,
    csv_rows,
    datapackage_json,
    format_settings,
    licence_name,
    number_or_none,
    package_licence,
    unit_of,
)
from ledger.refdata.datapackage import is_series, read_datapackage
from ledger.refdata.layouts import (
    CSET_COLUMNS,
    PINK_SHEETS,
    pink_sheet_names,
    read_cset,
    read_fed_ddp,
    read_owid,
    read_pink_sheet,
)

__all__ = [
    "FORMATS",
    "Dataset",
    "Indicator",
    "Observation",
    "Part",
    "ReferenceDataError",
    "detect",
    "expand",
    "licence_name",
    "unit_of",
]


# --- World Bank WDI: Country Name,Country Code,Year,Value (one indicator a file) ------------------


def read_wdi(path: Path, vintage: str | None) -> Part:
    """A WDI indicator's long CSV, described by the datapackage.json beside it."""
    path = path / "data.csv" if path.is_dir() else path
    package = datapackage_json(path.parent)
    code = str((package.get("worldbank") or {}).get("indicator") or package.get("name") or "")
    if not code:
        raise ReferenceDataError(f"{path}: no datapackage.json naming the WDI indicator beside it")
    code = code.upper()
    name = str(package.get("title") or code)
    unit, factor = _wdi_unit(code, name)
    readme = str(package.get("readme") or "")[:2000]
    url = f"https://data.worldbank.org/indicator/{code}"
    indicator = Indicator(code, name, unit, "A", readme, url)

    rows = csv_rows(path, ["Country Code", "Year", "Value"])

    def values() -> Iterator[Observation]:
        for row in rows:
            value = number_or_none(row["Value"])
            if value is not None:
                yield Observation(code, row["Country Code"], row["Year"], "A", value * factor, unit)

    dataset = Dataset(
        "wb-wdi",
        "World Bank",
        "World Development Indicators",
        package_licence(package, "CC-BY-4.0"),
        "https://datacatalog.worldbank.org/search/dataset/0037712",
        vintage,
        "wdi",
    )
    return Part(dataset, [indicator], values(), [path])


def _wdi_unit(code: str, title: str) -> tuple[str, float]:
    """WDI titles carry the unit in brackets: "(current US$)", "(annual %)", "(% of GDP)"."""
    if "US$" in title and "per US$" not in title:
        return "USD", 1.0
    if "%" in title:
        return "percent", 1.0
    if code == "SP.POP.TOTL":
        return "person", 1.0
    if code == "PA.NUS.FCRF":
        return "LCU per USD", 1.0
    return title[title.rfind("(") + 1 : -1] if title.endswith(")") else "count", 1.0


# --- IMF WEO as DDF (Gapminder Open Numbers): one folder, a datapoints file per concept -----------


def read_weo(path: Path, vintage: str | None) -> Part:
    folder = path if path.is_dir() else path.parent
    concepts_file = folder / WEO_CONCEPTS
    if not concepts_file.is_file():
        raise ReferenceDataError(
            f"{folder}: not a WEO DDF folder (no ddf--concepts--continuous.csv)"
        )
    concepts = {}
    for row in csv_rows(concepts_file, ["concept", "weo_subject_code", "unit", "scale"]):
        unit, factor = unit_of(f"{row['unit']} {row['scale']}".strip())
        if unit == f"{row['unit']} {row['scale']}".strip():
            unit, factor = unit_of(row["unit"])
        concepts[row["concept"]] = (row, unit, factor)
    files = sorted(folder.glob("ddf--datapoints--*--by--country--year.csv"))
    last_actual, updated = _weo_notes(folder / "ddf--notes.csv")
    vintage = vintage or updated
    indicators = [
        Indicator(
            concepts[c][0]["weo_subject_code"],
            _weo_name(concepts[c][0]),
            concepts[c][1],
            "A",
            concepts[c][0]["subject_notes"][:2000],
        )
        for c in (_weo_concept(f) for f in files)
        if c in concepts
    ]

    # every datapoints file's header is checked now; their rows are read one file at a time
    streams = [
        (concept, csv_rows(file, ["year", "country", concept]))
        for concept in (_weo_concept(file) for file in files)
        if concept in concepts
        for file in [folder / f"ddf--datapoints--{concept}--by--country--year.csv"]
    ]

    def values() -> Iterator[Observation]:
        for concept, rows in streams:
            meta, unit, factor = concepts[concept]
            code = meta["weo_subject_code"]
            for row in rows:
                value = number_or_none(row[concept])
                if value is None:
                    continue
                actual_until = last_actual.get((row["country"], concept))
                projected = actual_until is not None and int(row["year"]) > actual_until
                status = "estimate" if projected else "actual"
                subject = row["country"].upper()
                yield Observation(code, subject, row["year"], "A", value * factor, unit, status)

    title = f"World Economic Outlook ({vintage})" if vintage else "World Economic Outlook"
    dataset = Dataset(
        f"imf-weo-{vintage}" if vintage else "imf-weo",
        "International Monetary Fund",
        title,
        package_licence(datapackage_json(folder)),
        "https://www.imf.org/en/Publications/WEO",
        vintage,
        "weo",
    )
    return Part(dataset, indicators, values(), [folder])


def _weo_concept(file: Path) -> str:
    return file.name.removeprefix("ddf--datapoints--").removesuffix("--by--country--year.csv")


def _weo_name(row: dict[str, str]) -> str:
    scale = f", {row['scale']}" if row["scale"] else ""
    return f"{row['subject_descriptor']} ({row['unit']}{scale})"


_UPDATED = re.compile(r"Data last updated: (\d{1,2})/(\d{4})")


def _weo_notes(path: Path) -> tuple[dict[tuple[str, str], int], str | None]:
    """The last year of actual data for each (country, concept), and the vintage the notes
    imply: the WEO release (April or October) after the latest "Data last updated" month that
    at least 5% of the notes give (a few series carry stray later dates)."""
    last_actual: dict[tuple[str, str], int] = {}
    months: Counter[tuple[int, int]] = Counter()
    if not path.is_file():
        return last_actual, None
    for row in csv_rows(path, ["country", "concept", "estimates_start_after"]):
        year = number_or_none(row["estimates_start_after"])
        if year is not None:
            last_actual[(row["country"], row["concept"])] = int(year)
        for month, year_text in _UPDATED.findall(row.get("country_series_specific_notes") or ""):
            months[(int(year_text), int(month))] += 1
    common = [month for month, n in months.items() if n >= 0.05 * sum(months.values())]
    if not common:
        return last_actual, None
    year, month = max(common)
    release = f"{year}-04" if month <= 4 else f"{year}-10" if month <= 10 else f"{year + 1}-04"
    return last_actual, release


# --- FRED (Federal Reserve H.10/G.5) exchange rates: Date,Country,Exchange rate -------------------


def read_fred(path: Path, vintage: str | None) -> Part:
    currencies: dict[str, str] = format_settings()["fred_currency"]
    rows = csv_rows(path, ["Date", "Country", "Exchange rate"])
    frequency = "A" if "annual" in path.name or "yearly" in path.name else "M"
    frequency = "D" if "daily" in path.name else frequency
    indicator = Indicator(
        "FRED:EXCH",
        "Foreign currency units per US dollar (FRED, Federal Reserve H.10/G.5)",
        "per USD",
        frequency,
        "Every value is units of the foreign currency per 1 US$, EUR and GBP included.",
    )

    def values() -> Iterator[Observation]:
        for row in rows:
            currency = currencies.get(row["Country"])
            value = number_or_none(row["Exchange rate"])
            if currency is None or value is None or value <= 0:
                continue
            period = row["Date"][: PERIOD_LENGTH[frequency]]
            yield Observation("FRED:EXCH", currency, period, frequency, value, currency)

    dataset = Dataset(
        "fred-exchange-rates",
        "Federal Reserve Board (via FRED, Federal Reserve Bank of St. Louis)",
        "Foreign exchange rates (H.10 / G.5)",
        package_licence(datapackage_json(path.parent.parent), "PDDL"),
        "https://fred.stlouisfed.org/categories/94",
        vintage,
        "fred",
    )
    return Part(dataset, [indicator], values(), [path])


# --- EIA spot prices: Date,Price; the file name gives the series and the frequency ----------------

_EIA_FREQUENCY = {"daily": "D", "weekly": "W", "monthly": "M", "year": "A", "annual": "A"}


def read_eia(path: Path, vintage: str | None) -> Part:
    series_name, _, frequency_name = path.stem.partition("-")
    series = format_settings()["eia_series"].get(series_name)
    frequency = _EIA_FREQUENCY.get(frequency_name)
    if series is None or frequency is None:
        raise ReferenceDataError(
            f"{path}: an EIA file is named SERIES-FREQUENCY.csv "
            f"(SERIES: {', '.join(format_settings()['eia_series'])}; "
            f"FREQUENCY: {', '.join(_EIA_FREQUENCY)})"
        )
    rows = csv_rows(path, ["Date", "Price"])
    # Monthly values are dated the 15th, annual ones 30 June (averages): the period is what counts
    indicator = Indicator(
        f"EIA:{series['code']}",
        f"{series['name']} (US$ per barrel)",
        "USD",
        frequency,
        "Weekly: week ending Friday; monthly and annual: averages of daily prices.",
    )

    def values() -> Iterator[Observation]:
        for row in rows:
            value = number_or_none(row["Price"])
            if value is not None:
                period = row["Date"][: PERIOD_LENGTH[frequency]]
                yield Observation(
                    indicator.code, series["subject"], period, frequency, value, "USD"
                )

    dataset = Dataset(
        "eia-spot-prices",
        "U.S. Energy Information Administration",
        "Spot prices (petroleum)",
        package_licence(datapackage_json(path.parent.parent), "PDDL"),
        "https://www.eia.gov/dnav/pet/pet_pri_spt_s1_d.htm",
        vintage,
        "eia",
    )
    return Part(dataset, [indicator], values(), [path])


# --- Bank of England Bank Rate: date,rate, one row per change -----------------------------------


def read_boe_bank_rate(path: Path, vintage: str | None) -> Part:
    """Bank Rate changes: `date,rate`, or the Bank's own layout (`year,day,"Mon",rate`, no
    header; a blank year is the row above's, a blank day the 1st, as the Bank's table leaves
    them)."""
    with open(path, encoding="utf-8-sig") as handle:
        original = _BOE_ORIGINAL.match(handle.readline()) is not None
    rows = _boe_original_rows(path) if original else csv_rows(path, ["date", "rate"])
    indicator = Indicator(
        "BOE:BANKRATE",
        "Bank Rate (official rate; minimum lending / repo rate in earlier eras)",
        "percent",
        "E",
        "One value per change, in force from its date until the next change.",
    )

    def values() -> Iterator[Observation]:
        for row in rows:
            value = number_or_none(row["rate"])
            if value is not None:
                yield Observation(indicator.code, "GBR", row["date"][:10], "E", value, "percent")

    dataset = Dataset(
        "boe-bank-rate",
        "Bank of England",
        "Official Bank Rate history",
        package_licence(datapackage_json(path.parent.parent), "PDDL"),
        "https://www.bankofengland.co.uk/boeapps/database/Bank-Rate.asp",
        vintage,
        "boe-bank-rate",
    )
    return Part(dataset, [indicator], values(), [path])


_BOE_ORIGINAL = re.compile(r'^"?\d{4}"?,\d*,"?[A-Za-z]{3,5}"?,[\d.]+\s*$')


def _boe_original_rows(path: Path) -> Iterator[dict[str, str]]:
    """The Bank's own table as `date,rate` rows."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        year = ""
        for line, row in enumerate(csv.reader(handle), 1):
            if len(row) != 4:
                raise ReferenceDataError(f"{path}, line {line}: not year,day,month,rate")
            year = row[0].strip() or year
            month = _MONTHS.get(row[2].strip()[:3].upper())
            if not year or month is None:
                raise ReferenceDataError(f"{path}, line {line}: no year or month")
            day = int(row[1]) if row[1].strip().isdigit() else 1
            yield {"date": f"{year}-{month:02d}-{day:02d}", "rate": row[3]}


# --- BoE "A Millennium of Macroeconomic Data": year,variable_id,variable,section,unit,value -----


def read_boe_millennium(path: Path, vintage: str | None) -> Part:
    known: dict[str, dict[str, Any]] = format_settings()["millennium"]
    rows = csv_rows(path, ["year", "variable_id", "variable", "unit", "value"])
    indicators: list[Indicator] = []
    named: set[str] = set()

    def values() -> Iterator[Observation]:
        for row in rows:
            value = number_or_none(row["value"])
            if value is None:
                continue
            variable = row["variable_id"]
            setting = known.get(variable, {"unit": row["unit"], "factor": 1.0})
            code = f"BOEM:{variable}"
            if code not in named:
                named.add(code)
                indicators.append(
                    Indicator(code, f"{row['variable']} ({row['unit']})", setting["unit"], "A")
                )
            yield Observation(
                code, "GBR", row["year"], "A", value * setting["factor"], setting["unit"]
            )

    dataset = Dataset(
        "boe-millennium",
        "Bank of England",
        "A Millennium of Macroeconomic Data for the UK (Thomas and Dimsdale, v3.1)",
        package_licence(datapackage_json(path.parent.parent), "OGL-UK-3.0"),
        "https://www.bankofengland.co.uk/statistics/research-datasets",
        vintage or "2017",
        "boe-millennium",
    )
    # The variables are known only once the file is read: the list fills as the values stream
    # (the store writes a part's indicators after its values).
    return Part(dataset, indicators, values(), [path])


# --- ONS time series CSV: metadata rows ("Title", "CDID", ...), then "period","value" -----------

_ONS_PERIOD = re.compile(r"^(\d{4})(?: (Q[1-4])| ([A-Z]{3}))?$")
_MONTH_NAMES = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC"
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES.split(), 1)}


def read_ons(path: Path, vintage: str | None) -> Part:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            head = [row for _, row in zip(range(8), csv.reader(handle), strict=False)]
    except (OSError, UnicodeDecodeError) as error:
        raise ReferenceDataError(f"{path}: cannot read ({error})") from error
    meta = {row[0]: (row[1] if len(row) > 1 else "") for row in head if row}
    if "CDID" not in meta or "Title" not in meta:
        raise ReferenceDataError(f"{path}: not an ONS time-series CSV (no Title and CDID rows)")
    unit, factor = unit_of(f"{meta.get('PreUnit', '')}{meta.get('Unit', '')}")
    if unit.startswith("Index"):
        unit = "index"
    code = f"ONS:{meta['CDID']}"
    indicator = Indicator(code, meta["Title"], unit, "A")
    released = _ons_date(meta.get("Release date", ""))

    def values() -> Iterator[Observation]:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                match = _ONS_PERIOD.match(row[0].strip()) if len(row) == 2 else None
                value = number_or_none(row[1]) if match else None
                if match is None or value is None:
                    continue
                year, quarter, month = match.groups()
                if quarter:
                    period, frequency = f"{year}-{quarter}", "Q"
                elif month in _MONTHS:
                    period, frequency = f"{year}-{_MONTHS[month]:02d}", "M"
                else:
                    period, frequency = year, "A"
                yield Observation(code, "GBR", period, frequency, value * factor, unit)

    dataset = Dataset(
        f"ons-{meta.get('Source dataset ID', 'ts').lower()}",
        "Office for National Statistics",
        f"{meta.get('Source dataset ID', 'ONS')} time series",
        licence_name("OGL-UK-3.0"),
        f"https://www.ons.gov.uk/timeseriestool?topic=&query={meta['CDID']}",
        vintage or released,
        "ons",
    )
    return Part(dataset, [indicator], values(), [path])


def _ons_date(text: str) -> str | None:
    """ONS writes release dates as DD-MM-YYYY."""
    match = re.fullmatch(r"(\d{2})-(\d{2})-(\d{4})", text.strip())
    return f"{match[3]}-{match[2]}-{match[1]}" if match else None


# --- BLS: CPI-U (Date,Index,Inflation) and CPS table A-1 (year,...,unemployed_percent,...) -----


def read_bls(path: Path, vintage: str | None) -> Part:
    with open(path, encoding="utf-8-sig") as handle:
        header = handle.readline()
    if header.startswith("Date,Index"):
        return _bls_cpi(path, vintage)
    if header.startswith("year,population"):
        return _bls_cps(path, vintage)
    if header.strip().startswith("HOUSEHOLD DATA"):
        return _bls_cps(path, vintage, _bls_text_rows(path))
    raise ReferenceDataError(
        f"{path}: not a BLS file this importer knows (cpiai.csv, aat1.csv or the aat1.txt table)"
    )


def _bls_cpi(path: Path, vintage: str | None) -> Part:
    """The CPI-U index by month, and what news reports of it: the 12-month change of each month,
    the annual average's change and the December-to-December change (computed here: the file's
    own `Inflation` column is month-on-month)."""
    rows = csv_rows(path, ["Date", "Index"])
    index_code = "BLS:CUUR0000SA0"
    indicators = [
        Indicator(index_code, "CPI-U, US city average, all items (1982-84=100)", "index", "M"),
        Indicator(f"{index_code}:MOM", "CPI-U, month-on-month change", "percent", "M"),
        Indicator(f"{index_code}:YOY", "CPI-U, 12-month change", "percent", "M"),
        Indicator(f"{index_code}:AVG", "CPI-U, annual average change", "percent", "A"),
        Indicator(f"{index_code}:DEC", "CPI-U, December-to-December change", "percent", "A"),
    ]

    def values() -> Iterator[Observation]:
        by_month: dict[str, float] = {}
        year_total: dict[str, list[float]] = {}
        for row in rows:
            value = number_or_none(row["Index"])
            if value is None:
                continue
            month = row["Date"][:7]
            year = month[:4]
            yield Observation(index_code, "USA", month, "M", value, "index")
            previous = by_month.get(_month_before(month, 1))
            if previous:
                yield _change(f"{index_code}:MOM", month, "M", value, previous)
            year_ago = by_month.get(_month_before(month, 12))
            if year_ago:
                yield _change(f"{index_code}:YOY", month, "M", value, year_ago)
                if month.endswith("-12"):
                    yield _change(f"{index_code}:DEC", year, "A", value, year_ago)
            by_month[month] = value
            year_total.setdefault(year, []).append(value)
            last_year = year_total.get(str(int(year) - 1))
            this_year = year_total[year]
            if month.endswith("-12") and last_year and len(last_year) == 12 == len(this_year):
                yield _change(f"{index_code}:AVG", year, "A", sum(this_year), sum(last_year))

    return Part(
        _bls_dataset(
            "bls-cpi", "Consumer Price Index (CPI-U)", path, vintage, "https://www.bls.gov/cpi/"
        ),
        indicators,
        values(),
        [path],
    )


def _change(code: str, period: str, frequency: str, value: float, base: float) -> Observation:
    return Observation(
        code, "USA", period, frequency, round((value / base - 1) * 100, 4), "percent"
    )


def _month_before(month: str, months: int) -> str:
    """
    >>> _month_before("2005-01", 1), _month_before("2005-03", 12)
    ('2004-12', '2004-03')
    """
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 - months
    return f"{index // 12}-{index % 12 + 1:02d}"


def _bls_cps(
    path: Path, vintage: str | None, table: Iterator[dict[str, str]] | None = None
) -> Part:
    """CPS table A-1 as the CSV has it, or as `table` gives its rows (the text table)."""
    columns: dict[str, dict[str, Any]] = format_settings()["bls_cps"]
    rows = table if table is not None else csv_rows(path, ["year", *columns])
    indicators = [
        Indicator(f"BLS:{c['code']}", c["name"], c["unit"], "A") for c in columns.values()
    ]

    def values() -> Iterator[Observation]:
        for row in rows:
            # 1947 appears twice (persons 14+, then 16+): the later row replaces the first, so
            # the basis used from then on is the one kept
            year = row["year"].strip()[:4]
            for column, setting in columns.items():
                value = number_or_none(row[column])
                if value is not None:
                    code = f"BLS:{setting['code']}"
                    yield Observation(
                        code, "USA", year, "A", value * setting["factor"], setting["unit"]
                    )

    return Part(
        _bls_dataset(
            "bls-cps",
            "Current Population Survey, table A-1",
            path,
            vintage,
            "https://www.bls.gov/cps/cpsaat01.htm",
        ),
        indicators,
        values(),
        [path],
    )


# The text table's columns, in order, by the CSV's names for them.
_BLS_TABLE_COLUMNS = [
    "population", "labor_force", "population_percent", "employed_total", "employed_percent",
    "agriculture", "nonagriculture", "unemployed", "unemployed_percent", "not_in_labor",
]  # fmt: skip
_BLS_TABLE_ROW = re.compile(r"^\s+(\d{4})(?:\s*\(\d+\))?\.{3,}\s+((?:[\d,.]+\s+){9}[\d,.]+)\s*$")


def _bls_text_rows(path: Path) -> Iterator[dict[str, str]]:
    """CPS table A-1 as BLS prints it (aat1.txt): a row a year, "1947......  106,018 ...", its
    footnote marks ("2010 (1)") dropped; rows of the CSV's columns."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = _BLS_TABLE_ROW.match(line)
            if match:
                numbers = [cell.replace(",", "") for cell in match[2].split()]
                yield {"year": match[1], **dict(zip(_BLS_TABLE_COLUMNS, numbers, strict=True))}


def _bls_dataset(dataset_id: str, title: str, path: Path, vintage: str | None, url: str) -> Dataset:
    licence = package_licence(datapackage_json(path.parent.parent), "PDDL")
    return Dataset(
        dataset_id, "U.S. Bureau of Labor Statistics", title, licence, url, vintage, "bls"
    )


Reader = Callable[[Path, "str | None"], Part]

FORMATS: dict[str, Reader] = {
    "wdi": read_wdi,
    "weo": read_weo,
    "fred": read_fred,
    "eia": read_eia,
    "boe-bank-rate": read_boe_bank_rate,
    "boe-millennium": read_boe_millennium,
    "ons": read_ons,
    "bls": read_bls,
    "datapackage": read_datapackage,
    "pink-sheet": read_pink_sheet,
    "fed-ddp": read_fed_ddp,
    "owid": read_owid,
    "cset": read_cset,
}

# What `auto` reads in a folder: CSV, the BLS text table, the Pink Sheet workbook.
SUFFIXES = {".csv", ".txt", ".xls", ".xlsx"}

WEO_CONCEPTS = "ddf--concepts--continuous.csv"

# The first line of each format's files (a folder of DDF files is WEO).
_HEADERS = {
    "Country Name,Country Code,Year,Value": "wdi",
    "Date,Country,Exchange rate": "fred",
    "date,rate": "boe-bank-rate",
    "year,variable_id,variable,section,unit,value": "boe-millennium",
    "Date,Index,Inflation": "bls",
}


def detect(path: Path) -> str | None:
    """The format of a file, from its first line (and name, for EIA; its sheets, for a
    workbook; the data package listing it, for any other CSV), or None.

    >>> detect(Path("no-such-file.csv")) is None
    True
    """
    if path.name.startswith("ddf--") and (path.parent / WEO_CONCEPTS).is_file():
        # a DDF folder is read whole: its concepts file stands for it, the rest are skipped
        return "weo" if path.name == WEO_CONCEPTS else None
    if path.suffix.lower() in (".xls", ".xlsx"):
        return "pink-sheet" if set(pink_sheet_names(path)) & set(PINK_SHEETS) else None
    try:
        with open(path, encoding="utf-8-sig") as handle:
            first = handle.readline().strip()
    except (OSError, UnicodeDecodeError):
        return None
    return _detect_header(path, first) or (
        "datapackage" if path.suffix == ".csv" and is_series(path) else None
    )


def _detect_header(path: Path, first: str) -> str | None:
    """The format a file's first line names."""
    if first in _HEADERS:
        return _HEADERS[first]
    if first.startswith(("year,population,labor_force", "HOUSEHOLD DATA")):
        return "bls"
    if first.startswith('"Title",'):
        return "ons"
    if first.startswith('"Series Description",'):
        return "fed-ddp"
    if first.startswith("Entity,Code,Year,"):
        return "owid"
    if first.startswith(",".join(CSET_COLUMNS)):
        return "cset"
    if _BOE_ORIGINAL.match(first):
        return "boe-bank-rate"
    if first == "Date,Price" and path.stem.partition("-")[0] in format_settings()["eia_series"]:
        return "eia"
    return None


def expand(fmt: str, path: Path) -> list[tuple[str, Path]]:
    """The (format, file) pairs a path stands for: a file as it is; a folder's files of the
    format (every recognised file, for `auto`), in name order."""
    if not path.exists():
        raise ReferenceDataError(f"{path}: no such file or folder")
    if path.is_file():
        found = detect(path) if fmt == "auto" else fmt
        if found is None:
            raise ReferenceDataError(f"{path}: not a format this importer knows")
        return [(found, path)]
    pairs = []
    for file in sorted(path.rglob("*")):
        if file.suffix.lower() not in SUFFIXES or not file.is_file():
            continue
        found = detect(file)
        if found is not None and (fmt in ("auto", found)):
            pairs.append((found, file))
    if not pairs:
        raise ReferenceDataError(f"{path}: no {fmt if fmt != 'auto' else 'known'} files in it")
    return pairs

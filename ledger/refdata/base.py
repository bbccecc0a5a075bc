"""What every reader of official statistics shares: the records a file becomes (`Observation`,
`Indicator`, `Dataset`, `Part`), the settings in formats.toml, and the small readers of CSV rows,
datapackage.json files, numbers, units and licences.

The readers themselves are in formats.py (the formats the pack is built from), datapackage.py
(any Frictionless data package) and layouts.py (the Pink Sheet workbook, the Fed's Data Download
CSV, OWID grapher CSV, CSET's ETO tables).
"""

from __future__ import annotations

import csv
import json
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import pycountry


class ReferenceDataError(ValueError):
    """A file the importer cannot read as the format it was given: one line naming it."""


# How much of an ISO date a period of each frequency keeps.
PERIOD_LENGTH = {"A": 4, "M": 7, "W": 10, "D": 10, "E": 10}


class Observation(NamedTuple):
    """One official figure: an indicator's value for a subject and period."""

    indicator: str
    subject: str  # ISO alpha-3, World Bank aggregate (EMU, EUU, WLD), currency or benchmark
    period: str  # 2004, 2004-Q3, 2004-08, 2004-08-05
    frequency: str  # A, Q, M, W, D, or E (an event: the value in force from that day)
    value: float
    unit: str
    status: str = "actual"  # or "estimate": the publisher's projection when it released the file


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    frequency: str
    notes: str = ""
    url: str | None = None  # the indicator's own page, when the publisher has one


@dataclass
class Dataset:
    id: str
    publisher: str
    title: str
    licence: str | None
    url: str | None
    vintage: str | None  # when the publisher released it (YYYY, YYYY-MM or YYYY-MM-DD)
    format: str


@dataclass
class Part:
    """What one file adds: its dataset, its indicators and its values (a generator). A reader
    may add to `indicators` while its values are read: the store writes them last."""

    dataset: Dataset
    indicators: list[Indicator]
    observations: Iterator[Observation]
    files: list[Path] = field(default_factory=list)


@cache
def format_settings() -> dict[str, Any]:
    """formats.toml: units, licences, subject spellings and each format's settings, read once."""
    text = resources.files("ledger.refdata").joinpath("formats.toml").read_text("utf-8")
    return tomllib.loads(text)


def unit_of(written: str) -> tuple[str, float]:
    """A publisher's unit text as the extractor's unit and the factor its scale needs.

    >>> unit_of("U.S. dollars Billions"), unit_of("Percent change"), unit_of("Index")
    (('USD', 1000000000.0), ('percent', 1.0), ('Index', 1.0))
    """
    key = " ".join(written.casefold().split())
    for entry in format_settings()["unit"]:
        if key in entry["written"]:
            return entry["unit"], float(entry["factor"])
    return written.strip(), 1.0


def number_or_none(text: str) -> float | None:
    """A cell's number, or None for a blank or a marker ("..", "n/a").

    >>> number_or_none("10.14"), number_or_none(".."), number_or_none("")
    (10.14, None, None)
    """
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def csv_rows(path: Path, expected: list[str]) -> Iterator[dict[str, str]]:
    """The rows of a CSV file, streamed; its header is checked now, before any row is read,
    so a file of the wrong format fails before anything is written."""
    try:
        # closed by the stream below once read (or on an early error): it outlives this call
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as error:
        raise ReferenceDataError(f"{path}: cannot read ({error.strerror})") from error
    reader = csv.DictReader(handle)
    try:
        header = reader.fieldnames or []
    except (UnicodeDecodeError, csv.Error) as error:
        handle.close()
        raise ReferenceDataError(f"{path}: not a CSV file ({error})") from error
    missing = [column for column in expected if column not in header]
    if missing:
        handle.close()
        raise ReferenceDataError(f"{path}: not this format (no column {missing[0]!r})")

    def stream() -> Iterator[dict[str, str]]:
        with handle:
            try:
                yield from reader
            except (UnicodeDecodeError, csv.Error) as error:
                raise ReferenceDataError(f"{path}, line {reader.line_num}: {error}") from error

    return stream()


def datapackage_json(folder: Path) -> dict[str, Any]:
    """The folder's datapackage.json as a dict ({} when there is none)."""
    path = folder / "datapackage.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise ReferenceDataError(f"{path}: not JSON ({error})") from error
    return data if isinstance(data, dict) else {}


def package_licence(package: dict[str, Any], default: str | None = None) -> str | None:
    """The licence a datapackage declares, by one name (PDDL-1.0, CC-BY-4.0, OGL-UK-3.0)."""
    licences = package.get("licenses") or []
    name = default
    if licences and isinstance(licences[0], dict):
        first = licences[0]
        name = str(first.get("name") or first.get("id") or default)
        if name.casefold() == "other":  # a licence with no id: its title says what it allows
            name = str(first.get("title") or name)
    return licence_name(name) if name else None


def licence_name(name: str) -> str:
    """
    >>> licence_name("public_domain_dedication_and_license"), licence_name("CC-BY-4.0")
    ('PDDL-1.0', 'CC-BY-4.0')
    """
    return str(format_settings()["licence"].get(name.casefold(), name))


class LicenceTerms(NamedTuple):
    title: str
    url: str


def licence_terms(name: str | None) -> LicenceTerms | None:
    """A licence's full title and the page of its terms (formats.toml), when known.

    >>> licence_terms("CC-BY-4.0").url
    'https://creativecommons.org/licenses/by/4.0/'
    >>> licence_terms(None) is None, licence_terms("IMF terms") is None
    (True, True)
    """
    terms = format_settings()["licence_terms"].get(name or "")
    return LicenceTerms(terms["title"], terms["url"]) if terms else None


def subject_code(name: str) -> str:
    """A publisher's name for a country or group as the checks' subject code: formats.toml's
    spellings first ("Total World" -> WLD), then the subjects the extractor knows (the rule
    data's names, every ISO 3166 country), else the name as written (a region no code names).

    >>> subject_code("US"), subject_code("Total World"), subject_code("Russian Federation")
    ('USA', 'WLD', 'RUS')
    >>> subject_code("Other Asia Pacific")
    'Other Asia Pacific'
    """
    from ledger.rules import default_rules
    from ledger.subjects import subject_codes

    name = " ".join(name.replace("#", "").split())
    spelled = format_settings()["subject_names"].get(name)
    if spelled:
        return str(spelled)
    known = subject_codes(default_rules().files).get(name)
    if known and known.code:
        return known.code
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return name


def frequency_of(first: str, second: str | None) -> str:
    """A dated series' frequency from its first two dates: a year alone is annual, a month
    monthly; full dates by their distance (year-end, quarter-end or first-of-month dates).

    >>> frequency_of("1984-12-31", "1985-12-31"), frequency_of("1984-03-31", "1984-06-30")
    ('A', 'Q')
    >>> frequency_of("1953-04-01", "1953-05-01"), frequency_of("1833", None)
    ('M', 'A')
    """
    if len(first) == 4:
        return "A"
    if len(first) == 7:
        return "M"
    if second is None or len(second) < 10:
        return "D"
    days = (date.fromisoformat(second[:10]) - date.fromisoformat(first[:10])).days
    # the least distance between two dates of each frequency (a quarter's: 89 to 92 days)
    steps = [("A", 360), ("Q", 88), ("M", 28), ("W", 7)]
    return next((frequency for frequency, least in steps if days >= least), "D")


def period_of(when: str, frequency: str) -> str:
    """The period a dated value is about, at its frequency.

    >>> period_of("1984-06-30", "Q"), period_of("1984-12-31", "A"), period_of("1953-04-01", "M")
    ('1984-Q2', '1984', '1953-04')
    >>> period_of("2020-Q1", "Q")
    '2020-Q1'
    """
    if frequency == "Q":
        if "-Q" in when:
            return when[:7]
        return f"{when[:4]}-Q{(int(when[5:7]) - 1) // 3 + 1}"
    return when[: PERIOD_LENGTH.get(frequency, 10)]

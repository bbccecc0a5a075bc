"""Any Frictionless data package (a folder with a datapackage.json listing its CSV resources):
the layout of the datasets/* repositories most of the shared official statistics come from.

A resource's schema says which column is the time (a date, year or yearmonth field), which
names the country (a string field called country or entity), and which hold values (number and
integer fields): each value column is an indicator. The package gives the dataset (its name,
title, first source, licence; a version that is a year or a date is the vintage). What a
package does not say (a publisher's series code, the subject of a single series, the unit in the
extractor's terms) formats.toml adds under `[datapackage."NAME"]`; a package it does not list
still imports, its indicators named `NAME:column` and its subject the package's name.

Covers, in the shared folder: the Bank of England's 10-year gilt yields, the Fed's H.15 10-year
Treasury yield, gold prices, the ONS RPI series as split by the cpi-gb package, and BP's
Statistical Review (production and consumption by country, spot prices).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

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

TIME_TYPES = {"date", "year", "yearmonth", "datetime"}
SUBJECT_COLUMNS = {"country", "entity", "location", "region"}
# How far above a CSV file its datapackage.json may be (data/x.csv, data/sub/x.csv).
LEVELS_UP = 3


class Resource(NamedTuple):
    """A CSV file's place in its data package."""

    folder: Path  # where datapackage.json is
    package: dict[str, Any]
    resource: dict[str, Any]


def find_resource(path: Path) -> Resource | None:
    """The data package and resource that list this CSV file, if any.

    >>> find_resource(Path("no/such/file.csv")) is None
    True
    """
    resolved = path.resolve()
    for folder in list(resolved.parents)[:LEVELS_UP]:
        if not (folder / "datapackage.json").is_file():
            continue
        try:
            package = datapackage_json(folder)
        except ReferenceDataError:
            return None
        for resource in package.get("resources") or []:
            if (
                isinstance(resource, dict)
                and (folder / str(resource.get("path", ""))).resolve() == resolved
            ):
                return Resource(folder, package, resource)
    return None


class Columns(NamedTuple):
    """What a resource's schema says its columns are."""

    time: dict[str, Any] | None  # the date, year or yearmonth field
    subject: str | None  # the column naming the country, if any
    values: list[dict[str, Any]]  # number and integer fields


def columns_of(resource: dict[str, Any]) -> Columns:
    schema = resource.get("schema") or {}
    fields = [f for f in schema.get("fields") or [] if isinstance(f, dict) and f.get("name")]
    time = next((f for f in fields if f.get("type") in TIME_TYPES), None) or next(
        (f for f in fields if str(f["name"]).casefold() in ("year", "date")), None
    )
    subject = next(
        (f["name"] for f in fields if str(f["name"]).casefold() in SUBJECT_COLUMNS), None
    )
    values = [f for f in fields if f.get("type") in ("number", "integer") and f is not time]
    return Columns(time, subject, values)


def is_series(path: Path) -> bool:
    """True for a CSV file a data package lists with a time column and value columns: what
    `auto` imports as `datapackage`."""
    found = find_resource(path)
    if found is None:
        return False
    columns = columns_of(found.resource)
    return columns.time is not None and bool(columns.values)


def read_datapackage(path: Path, vintage: str | None) -> Part:
    found = find_resource(path)
    if found is None:
        raise ReferenceDataError(f"{path}: no datapackage.json above it lists it as a resource")
    time, subject_field, values = columns_of(found.resource)
    if time is None:
        raise ReferenceDataError(f"{path}: its schema names no date or year column")
    if not values:
        raise ReferenceDataError(f"{path}: its schema names no number column")
    name = str(found.package.get("name") or found.folder.name)
    settings: dict[str, Any] = format_settings()["datapackage"].get(name, {})
    series = {f["name"]: _series(name, found.resource, f, settings) for f in values}
    rows = csv_rows(path, [time["name"], *([subject_field] if subject_field else []), *series])

    indicators: list[Indicator] = []

    def observations() -> Iterator[Observation]:
        first_two = list(itertools.islice(rows, 2))
        dates = [row[time["name"]].strip() for row in first_two] + [None]
        frequency = frequency_of(str(dates[0] or ""), dates[1])
        # the frequency is known once the first dates are read (the store writes indicators last)
        indicators.extend(
            Indicator(one.code, one.name, one.unit, frequency, one.notes) for one in series.values()
        )
        seen: set[tuple[str, str, str]] = set()
        for row in itertools.chain(first_two, rows):
            when = row[time["name"]].strip()
            if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", when[:10]):
                continue
            period = period_of(when, frequency)
            for column, one in series.items():
                value = number_or_none(row[column])
                subject = subject_code(row[subject_field]) if subject_field else one.subject
                key = (one.code, subject, period)
                # the first value of a period wins: BP's 2019 rows repeat, the later two being
                # spreadsheet side columns (growth, share) captured as values
                if value is None or key in seen:
                    continue
                seen.add(key)
                yield Observation(
                    one.code, subject, period, frequency, value * one.factor, one.unit
                )

    package = found.package
    sources = [s for s in package.get("sources") or [] if isinstance(s, dict)]
    version = str(package.get("version") or "")
    dataset = Dataset(
        str(settings.get("dataset", name)),
        str(settings.get("publisher") or (sources[0].get("title") if sources else None) or name),
        str(package.get("title") or name),
        package_licence(package),
        str((sources[0].get("path") if sources else None) or package.get("homepage") or "") or None,
        vintage or (version if re.fullmatch(r"\d{4}(-\d{2}){0,2}", version) else None),
        "datapackage",
    )
    return Part(dataset, indicators, observations(), [path])


class _Series(NamedTuple):
    code: str
    name: str
    subject: str
    unit: str
    factor: float
    notes: str


def _series(
    package: str, resource: dict[str, Any], field: dict[str, Any], settings: dict[str, Any]
) -> _Series:
    """One value column as an indicator: formats.toml's code, name, subject and unit for it
    (keyed by resource name and column), else what the package says."""
    column = str(field["name"])
    resource_name = str(resource.get("name") or "")
    given: dict[str, Any] = {
        **settings.get("columns", {}).get(column, {}),
        **settings.get("resources", {}).get(resource_name, {}),
    }
    description = str(field.get("description") or field.get("title") or "")
    unit, factor = unit_of(given.get("unit_written", description or column))
    return _Series(
        str(given.get("code") or f"{package}:{resource_name or column}:{column}"),
        str(
            given.get("name") or description or f"{resource.get('title') or resource_name} {column}"
        ),
        str(given.get("subject") or settings.get("subject") or package.upper()),
        str(given.get("unit") or unit),
        float(given.get("factor", factor)),
        description,
    )

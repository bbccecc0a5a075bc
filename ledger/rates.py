"""Exchange rates kept as data: annual averages, each with its citation, to compare money figures.

`ledger/data/rates.csv` holds one row per currency and year, the rate written the way its
publisher quotes it: `units_per_usd` (7.0809 yuan per dollar) or `usd_per_unit` (1.0817 dollars per
euro), never both. Conversions go through the US dollar, use the rate of the year the figure is
about, and say which rate they used; a year missing from the table falls back to the nearest year
there, and the description says so.

    >>> rates = load_rates()
    >>> conversion = rates.convert(344e9, "CNY", "USD", 2023)
    >>> round(conversion.value / 1e9, 2)
    48.58
    >>> conversion.description
    '1 USD = 7.0809 CNY (Board of Governors of the Federal Reserve System, annual average 2023)'
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ledger.models import validation_message

BASE = "USD"


class RatesError(ValueError):
    """A rates file that cannot be trusted, or a conversion the table cannot make."""


class Rate(BaseModel):
    """One annual average rate against the US dollar, as published."""

    model_config = ConfigDict(extra="forbid")

    currency: str = Field(pattern=r"^[A-Z]{3}$")
    year: int = Field(ge=1900, le=2100)
    units_per_usd: float | None = Field(None, gt=0)
    usd_per_unit: float | None = Field(None, gt=0)
    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://\S+$")
    published: date

    @model_validator(mode="before")
    @classmethod
    def _empty_is_none(cls, data: dict[str, object]) -> dict[str, object]:
        return {key: (None if value == "" else value) for key, value in data.items()}

    @model_validator(mode="after")
    def _one_quote(self) -> Rate:
        if (self.units_per_usd is None) == (self.usd_per_unit is None):
            raise ValueError("give exactly one of units_per_usd and usd_per_unit")
        return self

    def usd_value(self, amount: float) -> float:
        """`amount` of this currency in US dollars."""
        if self.usd_per_unit is not None:
            return amount * self.usd_per_unit
        assert self.units_per_usd is not None
        return amount / self.units_per_usd

    def from_usd(self, amount: float) -> float:
        """`amount` US dollars in this currency."""
        if self.units_per_usd is not None:
            return amount * self.units_per_usd
        assert self.usd_per_unit is not None
        return amount / self.usd_per_unit

    def quote(self) -> str:
        """The rate as its publisher gives it, with the citation."""
        if self.units_per_usd is not None:
            said = f"1 USD = {self.units_per_usd:g} {self.currency}"
        else:
            said = f"1 {self.currency} = {self.usd_per_unit:g} USD"
        return f"{said} ({self.publisher}, annual average {self.year})"


@dataclass(frozen=True)
class Conversion:
    """A converted amount and, in words, the rate(s) used."""

    value: float
    description: str


class RateTable:
    """The rates, by currency and year; read-only once built."""

    def __init__(self, rates: list[Rate]) -> None:
        self._rates: dict[str, dict[int, Rate]] = {}
        for rate in rates:
            by_year = self._rates.setdefault(rate.currency, {})
            if rate.year in by_year:
                raise RatesError(f"rate for {rate.currency} {rate.year} given twice")
            by_year[rate.year] = rate

    def currencies(self) -> set[str]:
        """Every currency the table can convert, the dollar included."""
        return {BASE, *self._rates}

    def rate(self, currency: str, year: int | None) -> tuple[Rate, str]:
        """The rate for `currency` in `year`, or the nearest year's (the latest when the year is
        unknown), with a note when it is not the year asked for."""
        by_year = self._rates.get(currency)
        if not by_year:
            raise RatesError(f"no exchange rate for {currency}")
        if year is None:
            used = max(by_year)
            note = f"; year unknown, {used} used"
        else:
            used = min(by_year, key=lambda known: (abs(known - year), -known))
            note = "" if used == year else f"; no {year} rate in the table, {used} used"
        return by_year[used], note

    def convert(self, amount: float, source: str, target: str, year: int | None) -> Conversion:
        """`amount` in currency `source` expressed in `target`, at `year`'s annual averages."""
        if source == target:
            return Conversion(amount, "")
        parts: list[str] = []
        usd = amount
        if source != BASE:
            rate, note = self.rate(source, year)
            usd = rate.usd_value(amount)
            parts.append(rate.quote() + note)
        value = usd
        if target != BASE:
            rate, note = self.rate(target, year)
            value = rate.from_usd(usd)
            parts.append(rate.quote() + note)
        return Conversion(value, "; ".join(parts))


def parse_rates(rows: list[dict[str, str]], *, name: str) -> RateTable:
    """Validate rate rows; the first bad one raises `RatesError` naming its line."""
    rates = []
    for number, row in enumerate(rows, start=2):
        try:
            rates.append(Rate.model_validate(row))
        except ValidationError as error:
            raise RatesError(
                f"{name}, line {number}: {validation_message(error, 'row')}"
            ) from error
    return RateTable(rates)


def load_rates(path: str | os.PathLike[str] | None = None) -> RateTable:
    """Read the rates file (default: the one shipped in the package)."""
    if path is None:
        text = resources.files("ledger").joinpath("data/rates.csv").read_text(encoding="utf-8")
        name = "ledger/data/rates.csv"
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
        name = str(path)
    return parse_rates(list(csv.DictReader(text.splitlines())), name=name)

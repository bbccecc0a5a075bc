"""A claim's figure in words, as a fact-checker reads it out: "more than 3.3 trillion CNY, 2023".

The one wording every output uses: `ledger claims`, exports, check explanations and the web pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.models import BOUND_WORDS
from ledger.numbers import plural
from ledger.rules import default_rules

SCALES: tuple[tuple[float, str], ...] = (
    (1e12, "trillion"),
    (1e9, "billion"),
    (1e6, "million"),
)

CHANGE_WORDS: dict[str, str] = {"increase": "a rise of ", "decrease": "a fall of "}
# a change's basis (同比, 环比, 两年平均), read after the figure
BASIS_WORDS: dict[str, str] = {
    "yoy": " year on year",
    "previous_period": " on the previous period",
    "two_year_average": " a year on average over two years",
}


def number_in_words(value: float) -> str:
    """A figure the way a reporter would write it: scale word above a million, commas below;
    up to six significant digits (a check compares 3.3278 with 3.33571 trillion).

    >>> number_in_words(3.3e12)
    '3.3 trillion'
    >>> number_in_words(3335710000000.0)
    '3.33571 trillion'
    >>> number_in_words(1_234_567)
    '1.23457 million'
    >>> number_in_words(48_000)
    '48,000'
    >>> number_in_words(-2.5e9)
    '-2.5 billion'
    >>> number_in_words(0.25)
    '0.25'
    """
    for scale, word in SCALES:
        if abs(value) >= scale:
            return f"{value / scale:.6g} {word}"
    return _plain(value)


def _plain(value: float) -> str:
    text = f"{round(value, 3):,}"
    return text.removesuffix(".0")


def with_unit(number: str, unit: str | None, kind: str) -> str:
    """Attach the unit: '%' for percent, 'times' for multiples, else the unit after a space,
    a counted noun or a span of time in the plural unless there is one of it.

    >>> with_unit("5.2", "percent", "percent")
    '5.2%'
    >>> with_unit("3", "percentage_point", "percent")
    '3 percentage points'
    >>> with_unit("3.3 trillion", "CNY", "money")
    '3.3 trillion CNY'
    >>> with_unit("2", None, "multiple")
    '2 times'
    >>> with_unit("about 540", "satellite", "count"), with_unit("1", "year", "duration")
    ('about 540 satellites', '1 year')
    """
    if unit == "percent":
        return f"{number}%"
    if unit == "percentage_point":
        return f"{number} percentage points"
    if kind == "multiple" and not unit:
        return f"{number} times"
    if unit and kind in ("count", "duration") and number != "1":
        unit = plural(unit, default_rules())
    return f"{number} {unit}" if unit else number


def describe_value(
    value: float,
    unit: str | None,
    kind: str,
    bound: str = "exact",
    *,
    value_high: float | None = None,
    change: str | None = None,
    period: str | None = None,
    basis: str | None = None,
) -> str:
    """A claim's normalised figure in words, as a fact-checker reads it out (in English for
    every language: the original quote is shown beside it).

    >>> describe_value(3.3e12, "CNY", "money", "more_than", period="2023")
    'more than 3.3 trillion CNY, 2023'
    >>> describe_value(5.2, "percent", "percent", "approx", change="increase")
    'a rise of about 5.2%'
    >>> describe_value(3e9, "USD", "money", "range", value_high=5e9, period="2020-Q4")
    'between 3 billion and 5 billion USD, 2020-Q4'
    >>> describe_value(1200, "workers", "count")
    '1,200 workers'
    >>> describe_value(38.0, "percent", "percent", change="increase", basis="yoy",
    ...                period="2021-01/2021-11")
    'a rise of 38% year on year, 2021-01 to 2021-11'
    """
    if bound == "range" and value_high is not None:
        high = with_unit(number_in_words(value_high), unit, kind)
        figure = f"between {number_in_words(value)} and {high}"
    else:
        figure = BOUND_WORDS.get(bound, "") + with_unit(number_in_words(value), unit, kind)
    if change:
        figure = CHANGE_WORDS.get(change, "") + figure
    if basis:
        figure += BASIS_WORDS.get(basis, "")
    if period:
        figure += ", " + period.replace("/", " to ")
    return figure


def claim_words(claim: Mapping[str, Any]) -> str:
    """A claim row's figure in words ('more than 3.3 trillion CNY, 2023')."""
    return describe_value(
        claim["value"],
        claim.get("unit"),
        claim.get("kind") or "count",
        claim.get("bound") or "exact",
        value_high=claim.get("value_high"),
        change=claim.get("change"),
        period=claim.get("period"),
        basis=claim.get("basis"),
    )

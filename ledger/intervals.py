"""Figures as intervals: the values a claim allows, given its bound and the tolerance, and how
a reference's interval compares with a claim's (ledger.check, ledger.refdata.checking)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

APPROX_TOLERANCE_PCT = 10.0


@dataclass(frozen=True)
class Interval:
    """The values a figure allows; open ends exclude the end itself."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def contains_interval(self, other: Interval) -> bool:
        """True when every value `other` allows, this one allows too.

        >>> Interval(900, math.inf, low_open=True).contains_interval(Interval(950, 950))
        True
        >>> Interval(900, math.inf, low_open=True).contains_interval(Interval(900, 900))
        False
        """
        low_ok = other.low > self.low or (
            other.low == self.low and (not self.low_open or other.low_open)
        )
        high_ok = other.high < self.high or (
            other.high == self.high and (not self.high_open or other.high_open)
        )
        return low_ok and high_ok

    def meets(self, other: Interval) -> bool:
        """True when the two intervals share at least one value.

        >>> Interval(486, 594).meets(Interval(900, math.inf, low_open=True))
        False
        """
        if self.high < other.low or other.high < self.low:
            return False
        if self.high == other.low:
            return not (self.high_open or other.low_open)
        if other.high == self.low:
            return not (other.high_open or self.low_open)
        return True


def rounding_half_unit(value: float) -> float:
    """Half a unit of the figure's last significant digit: the rounding it may hide.

    >>> rounding_half_unit(3.3e12), rounding_half_unit(8.4), rounding_half_unit(540.0)
    (50000000000.0, 0.05, 5.0)
    """
    if value == 0 or not math.isfinite(value):
        return 0.0
    digits = f"{abs(value):.12e}".split("e")
    mantissa = digits[0].replace(".", "").rstrip("0") or "0"
    exponent = int(digits[1])
    return 0.5 * 10 ** (exponent - len(mantissa) + 1)


_WRITTEN = re.compile(r"\d[\d,]*(?:\.(\d+))?")


def written_place(
    quote: str, value: float, value_high: float | None = None, *, after_point: bool = False
) -> float | None:
    """The place of the last digit a quote writes, in the claim's unit: 1e9 for "$52bn", 0.01
    for "5.00 pct" (a zero written after the point counts), 1e11 for "3.3 trillion". None when
    the quote gives no one plain number (words, fractions, a range), or, with `after_point`,
    writes no digit after the point ("1,000": are its zeros written or rounded?).

    >>> written_place("$52bn", 52e9), written_place("5.00 pct", 5.0)
    (1000000000.0, 0.01)
    >>> written_place("two metals", 2.0), written_place("9-13/16 pct", 9.8125)
    (None, None)
    >>> written_place("1,000", 1000.0, after_point=True), written_place("$1.30bn", 1.3e9)
    (None, 10000000.0)
    """
    numbers = list(_WRITTEN.finditer(quote))
    if len(numbers) != 1 or value_high is not None or "/" in quote:
        return None
    if after_point and not numbers[0].group(1):
        return None
    written = float(numbers[0].group().replace(",", ""))
    if not written or not value:
        return None
    scale = math.log10(abs(value / written))
    if abs(scale - round(scale)) > 1e-9:
        return None  # not a power of ten: "half a million", a conversion
    return 10.0 ** (round(scale) - len(numbers[0].group(1) or ""))


def claim_interval(
    value: float,
    value_high: float | None,
    bound: str,
    tolerance_pct: float,
    place: float | None = None,
) -> Interval:
    """The values a claim allows, given its bound and the tolerance. Half a unit of its last
    digit counts too: of `place` when given (`written_place`: "17.00 dlrs" is written to the
    cent, though its value 17.0 shows the dollar), else of the value.

    >>> claim_interval(900, None, "more_than", 2)
    Interval(low=900, high=inf, low_open=True, high_open=False)
    >>> claim_interval(540, None, "approx", 2)
    Interval(low=486.0, high=594.0, low_open=False, high_open=False)
    >>> claim_interval(5, 10, "range", 0)
    Interval(low=5.0, high=10.0, low_open=False, high_open=False)
    >>> claim_interval(2.0, None, "exact", 0)
    Interval(low=1.8, high=2.2, low_open=False, high_open=False)
    >>> claim_interval(2.0, None, "exact", 0, place=0.1)
    Interval(low=1.95, high=2.05, low_open=False, high_open=False)
    """
    if bound == "more_than":
        return Interval(value, math.inf, low_open=True)
    if bound == "at_least":
        return Interval(value, math.inf)
    if bound == "less_than":
        return Interval(-math.inf, value, high_open=True)
    if bound == "at_most":
        return Interval(-math.inf, value)
    if bound == "range" and value_high is not None:
        low, high = sorted((value, value_high))
        return Interval(
            low - abs(low) * tolerance_pct / 100, high + abs(high) * tolerance_pct / 100
        )
    if bound == "approx":
        slack = abs(value) * max(tolerance_pct, APPROX_TOLERANCE_PCT) / 100
    else:
        # The rounding of the last digit counts, but never beyond the approx tolerance
        # ("1000" would otherwise allow +/-500).
        half = place / 2 if place else rounding_half_unit(value)
        rounding = min(half, abs(value) * APPROX_TOLERANCE_PCT / 100)
        slack = max(abs(value) * tolerance_pct / 100, rounding)
    return Interval(value - slack, value + slack)


def reference_interval(value: float, bound: str) -> Interval:
    """A reference's figure: a point when exact, else what its own bound allows."""
    if bound == "exact":
        return Interval(value, value)
    return claim_interval(value, None, bound, 0.0)


def compare(claim: Interval, other: Interval) -> str:
    """consistent / inconsistent / ambiguous, for a reference's interval against a claim's."""
    if claim.contains_interval(other):
        return "consistent"
    if not claim.meets(other):
        return "inconsistent"
    return "ambiguous"

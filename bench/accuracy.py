"""Accuracy against the peers, on the peers' own English test suites (issue 2).

    python bench/accuracy.py                       # in a venv with `pip install -e '.[bench]'`
    python bench/accuracy.py --misses ledger       # also list the in-scope cases ledger gets wrong
    python bench/accuracy.py --suite CurrencyModel # one suite
    python bench/accuracy.py --chinese             # the Chinese suite (bench/accuracy_zh.py)

Runs `ledger.extract`, quantulum3 and Recognizers-Text on the same cases from
../shared/peer-specs/ (formats in SOURCES.md there) and prints, per suite, how many in-scope
cases each gets right. A peer that is not installed is noted and its column shows "-".

What counts as right, the same for all three extractors:
- every in-scope expected value is found: a figure of the suite's type (money, percent,
  measure, temperature)
  whose span overlaps the expected span and whose value equals it (relative tolerance 1e-6);
  for money the currency must be the expected ISO code when the suite gives or implies one;
- and no figure of the suite's type is found where the suite expects none (a false positive
  makes the case wrong; that is how the suites' empty-result cases count). A figure of another
  type is no false positive: "100° Celsius" in the dimension suite is a temperature, and
  "20 minutes" is a duration, which no suite here scores.
Fair adaptations, each a convention rather than an error, the same rule for every extractor
(only ledger reports a range as low..high, so the first one only ever helps ledger):
- a range found as low..high is right against its midpoint (quantulum3 expects midpoint and
  uncertainty) or against either end (Recognizers-Text reads "eight to 10 feet" as 10 feet);
- a range quantulum3 expects is also right when both its ends are found inside its span as two
  figures: ledger keeps "rose from $350 per kg to $680 per kg" as a before and an after;
- an amount in cents or pence may come out normalised to the main unit (50 cents = 0.50 USD),
  which issue 2 asks for.

In scope: what a news-claim extractor should find. Out of scope, with why (keep this short):
- Recognizers-Text NumberModel*, NumberRangeModel*: bare numbers and bare ranges with nothing
  counted or measured ("192.168.1.2", "three twenty firsts", "greater than 100 and smaller than
  300"). Issue 2's claims are figures of something (money, percent, a counted noun, a measure, a
  multiple); number and scale words are still exercised inside the unit suites below.
- OrdinalModel*: ordinals are by contract never claims ("20th CPC National Congress").
- PercentModel's "per cent of 210" read as 210%: English writes the figure before "per cent"; the
  reading mirrors Chinese word order, and in news "a per cent of 2023 sales" is no 2023%.
- AgeModel: a person's age ("29 years old") describes someone; it is not a figure to check.
- DimensionModel's `Angle` values ("rotate 90 degrees", "make a half turn"): commands to a
  device, not figures in the news. Bare degrees count as a temperature when ledger gives them the
  metric `temperature` (a sentence about heat or weather), as a reader would.
- quantulum3 expand.json tests spoken-form output, not extraction. errors.json is used only as a
  robustness row: inputs that must not raise.
- In the quantulum3 suites, these expected values: `dimensionless` ones (bare numbers, years,
  model numbers: "Voyager 2 in 1979", "Intel Core i7 860", issue 2's not-claims); durations
  (issue 2 makes time a claim's period, and has no duration kind); counting words taken as units
  ("a gross", "a baker's dozen": ledger reads them as the numbers 144 and 13); and laboratory
  physics units no news figure uses (UNITS_OUT_OF_SCOPE below); and an article read as one
  ("a gallon of beer", "a penny", "A kibibyte is..."): a unit named, not a figure stated
  (number words such as "a hundred", "a third" and "half" stay in scope).
These suites were also used to find what ledger missed, so they measure fit as much as accuracy;
every rule added for them was also run over 3 MB of BBC and Reuters text against the previous
extractor, and the readings that changed were read in context.
Cases the Recognizers-Text specs flag `NotSupported: python` stay in scope: they are the same
cases for every extractor, and the flag only says the peer's Python build is known to fail them.
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click

PEER_SPECS = Path(__file__).resolve().parent.parent.parent / "shared" / "peer-specs"

# Recognizers-Text suites in scope, and the figure type each one is about.
RECOGNIZERS_SUITES = {
    "PercentModel": "percent",
    "PercentModelPercentMode": "percent",
    "CurrencyModel": "money",
    "DimensionModel": "measure",
    "TemperatureModel": "temperature",
}
QUANTULUM_SUITES = ["quantities", "quantities.ambiguity"]

DURATIONS = {"second", "minute", "hour", "day", "week", "month", "year", "gigayear", "megayear"}
COUNTING_UNITS = {"dozen", "baker's dozen", "gross"}
UNITS_OUT_OF_SCOPE = {
    "electronvolt", "teraelectronvolt", "inverse femtobarn", "barn", "gray", "milligray",
    "joule second", "candela second", "inverse second", "kilometre per square second",
    "joule per square metre per year", "attometre", "count per week", "watt per minute",
}  # fmt: skip

# Currency names the suites use without an ISO code. "Dollar" alone is the US dollar, as "$" is
# in issue 2; coins are the main unit's hundredth.
CURRENCY_NAMES = {
    "dollar": "USD", "united states dollar": "USD", "euro": "EUR", "pound": "GBP",
    "pound sterling": "GBP", "british pound": "GBP", "chinese yuan": "CNY", "yuan": "CNY",
    "renminbi": "CNY", "japanese yen": "JPY", "yen": "JPY", "canadian dollar": "CAD",
    "australian dollar": "AUD", "hong kong dollar": "HKD", "new zealand dollar": "NZD",
    "swiss franc": "CHF", "indian rupee": "INR", "mexican peso": "MXN", "turkish lira": "TRY",
    "cent": "USD", "penny": "GBP", "pence": "GBP", "dime": "USD",
}  # fmt: skip
# Unit symbols ledger may give a temperature or a duration (a measure to ledger, another type here).
LEDGER_TEMPERATURES = {"°C", "°F", "C", "F", "K", "degC", "degF", "celsius", "fahrenheit"}
LEDGER_DURATIONS = {"s", "min", "h", "hour", "day", "week", "month", "year"}
# Recognizers-Text's "per cent of 210" (210%), and quantulum3's "a gallon": out of scope (above).
PERCENT_WORD_FIRST = re.compile(r"per\s?cents?\b", re.IGNORECASE)
ARTICLE_AS_ONE = re.compile(
    r"an?\s+(?!(?:hundred|thousand|million|billion|trillion|dozen|third|quarter|half|fifth)\b)",
    re.IGNORECASE,
)
COINS = {"cent": 100.0, "penny": 100.0, "pence": 100.0, "sen": 100.0, "dime": 10.0}


@dataclass
class Figure:
    """One figure an extractor found: span (end exclusive), value(s), type, currency."""

    start: int
    end: int
    value: float
    value_high: float | None
    type: str  # money | percent | measure | temperature | duration | count | other
    currency: str | None = None

    def values(self) -> list[float]:
        if self.value_high is None:
            return [self.value]
        return [self.value, self.value_high, (self.value + self.value_high) / 2]


@dataclass
class Expected:
    """One value a suite expects; span None when the suite gives none and the surface is lost."""

    start: int | None
    end: int | None
    values: list[float]
    type: str
    currency: str | None
    in_scope: bool
    ends: tuple[float, float] | None = None  # a range's low and high end, when the suite gives them


@dataclass
class Case:
    text: str
    expected: list[Expected]
    type: str | None  # the suite's figure type; None: per expected value (quantulum3 suites)

    def in_scope(self) -> bool:
        return not self.expected or any(e.in_scope for e in self.expected)


@dataclass
class Suite:
    name: str
    cases: list[Case] = field(default_factory=list)


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(str(text).rstrip("%").replace(",", ""))
    except ValueError:
        return None


def load_recognizers_suite(path: Path, figure_type: str) -> Suite:
    suite = Suite(path.stem)
    for raw in json.loads(path.read_text(encoding="utf-8")):
        expected = []
        for result in raw["Results"]:
            resolution = result.get("Resolution") or {}
            value = _float(resolution.get("value"))
            if value is None:  # a bare unit name ("convert to fahrenheit"): nothing to check
                continue
            unit = (resolution.get("unit") or "").lower()
            values = [value]
            if unit in COINS:
                values.append(value / COINS[unit])
            currency = None
            if figure_type == "money":
                currency = resolution.get("isoCurrency") or CURRENCY_NAMES.get(unit)
            end = result["End"] + 1  # Recognizers-Text ends are inclusive
            in_scope = resolution.get("subtype") != "Angle" and not PERCENT_WORD_FIRST.match(
                result["Text"]
            )
            expected.append(Expected(result["Start"], end, values, figure_type, currency, in_scope))
        suite.cases.append(Case(raw["Input"], expected, figure_type))
    return suite


def unit_type(unit: str, entity: str | None = None) -> str:
    """The figure type of a quantulum3 unit name (money, percent, temperature, duration...).

    >>> [unit_type(u) for u in ("dollar per hour", "percentage", "degree Celsius", "day", "mile")]
    ['money', 'percent', 'temperature', 'duration', 'measure']
    """
    if unit == "percentage" or "percent" in unit or "per cent" in unit:
        return "percent"
    if unit == "dimensionless":
        return "count"
    if entity == "temperature" or unit.startswith("degree ") or unit == "kelvin":
        return "temperature"
    if entity == "time" or unit in DURATIONS:
        return "duration"
    if entity == "currency" or unit.split(" per ")[0] in CURRENCY_NAMES:
        return "money"  # "dollar per hour" is an amount of money too
    return "measure"


def load_quantulum_suite(path: Path) -> Suite:
    suite = Suite(path.name.removesuffix(".json"))
    for raw in json.loads(path.read_text(encoding="utf-8")):
        text = raw["req"]
        expected = []
        for result in raw["res"]:
            unit = result["unit"]
            figure_type = unit_type(unit, result.get("entity"))
            start = text.find(result["surface"])
            if start < 0:
                start = text.lower().find(result["surface"].lower())
            span = (start, start + len(result["surface"])) if start >= 0 else (None, None)
            value = float(result["value"])
            values = [value]
            uncertainty = float(result.get("uncertainty") or 0.0)
            ends = (value - uncertainty, value + uncertainty) if uncertainty else None
            if unit in COINS:
                values.append(value / COINS[unit])
            in_scope = not (
                unit == "dimensionless"
                or unit in DURATIONS
                or unit in COUNTING_UNITS
                or unit in UNITS_OUT_OF_SCOPE
                or bool(ARTICLE_AS_ONE.match(result["surface"]))
            )
            currency = (
                CURRENCY_NAMES.get(unit.split(" per ")[0]) if figure_type == "money" else None
            )
            expected.append(Expected(*span, values, figure_type, currency, in_scope, ends))
        suite.cases.append(Case(text, expected, None))
    return suite


# --- the three extractors, each as text -> list[Figure] -------------------------------------


def ledger_extractor() -> Callable[[str], list[Figure]] | str:
    try:
        from ledger import extract
    except ImportError as error:
        return f"ledger is not importable ({error})"
    kinds = {"money": "money", "percent": "percent", "measure": "measure", "count": "count"}

    def figure_type(kind: str, unit: str | None, metric: str) -> str:
        if kind == "measure" and (unit in LEDGER_TEMPERATURES or metric == "temperature"):
            return "temperature"  # bare degrees are a temperature where the metric says so
        if kind == "measure" and unit in LEDGER_DURATIONS:
            return "duration"
        return kinds.get(kind, "other")

    def run(text: str) -> list[Figure]:
        return [
            Figure(
                c.start,
                c.end,
                c.value,
                c.value_high,
                figure_type(c.kind, c.unit, c.metric),
                c.unit if c.kind == "money" else None,
            )
            for c in extract(text)
        ]

    return run


def quantulum_extractor() -> Callable[[str], list[Figure]] | str:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from quantulum3 import parser
    except ImportError as error:
        return f"quantulum3 is not installed ({error}); pip install -e '.[bench]'"

    def run(text: str) -> list[Figure]:
        figures = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantities = parser.parse(text)
        for q in quantities:
            unit = q.unit.name
            entity = q.unit.entity.name if q.unit.entity else None
            figure_type = unit_type(unit, entity)
            code = getattr(q.unit, "currency_code", None)
            currency = code or CURRENCY_NAMES.get(unit.split(" per ")[0])
            figures.append(
                Figure(q.span[0], q.span[1], float(q.value), None, figure_type, currency)
            )
        return figures

    return run


def recognizers_extractor() -> Callable[[str], list[Figure]] | str:
    try:
        from recognizers_suite import (
            Culture,
            recognize_currency,
            recognize_dimension,
            recognize_percentage,
            recognize_temperature,
        )
    except ImportError as error:
        return f"Recognizers-Text is not installed ({error}); pip install -e '.[bench]'"
    models = [
        (recognize_currency, "money"),
        (recognize_percentage, "percent"),
        (recognize_dimension, "measure"),
        (recognize_temperature, "temperature"),
    ]

    def run(text: str) -> list[Figure]:
        figures = []
        for recognize, figure_type in models:
            for result in recognize(text, Culture.English):
                resolution = result.resolution or {}
                value = _float(resolution.get("value"))
                if value is None:
                    continue
                unit = (resolution.get("unit") or "").lower()
                currency = resolution.get("isoCurrency") or CURRENCY_NAMES.get(unit)
                figures.append(
                    Figure(result.start, result.end + 1, value, None, figure_type, currency)
                )
        return figures

    return run


# --- scoring ---------------------------------------------------------------------------------


def _overlaps(a_start: int, a_end: int, b_start: int | None, b_end: int | None) -> bool:
    if b_start is None or b_end is None:
        return True
    return a_start < b_end and b_start < a_end


def _found(expected: Expected, figures: list[Figure]) -> bool:
    """Whether a figure matches the expected value, or two figures its range's ends.

    >>> gallium = Expected(0, 26, [515.0], "money", "USD", True, ends=(350.0, 680.0))
    >>> _found(gallium, [Figure(0, 4, 350.0, None, "money", "USD")])
    False
    >>> _found(gallium, [Figure(0, 4, 350.0, None, "money", "USD"),
    ...                  Figure(18, 22, 680.0, None, "money", "USD")])
    True
    """
    candidates = [
        f
        for f in figures
        if f.type == expected.type
        and _overlaps(f.start, f.end, expected.start, expected.end)
        and not (expected.currency and f.currency != expected.currency)
    ]

    def matched(wanted: float) -> bool:
        return any(math.isclose(v, wanted, rel_tol=1e-6) for f in candidates for v in f.values())

    if any(matched(w) for w in expected.values):
        return True
    return expected.ends is not None and all(matched(end) for end in expected.ends)


def case_is_right(case: Case, figures: list[Figure]) -> bool:
    """Every in-scope value found, and no figure of the suite's types where none is expected.

    "$774m" read as 774 dollars is wrong; 7.74e8 USD over the same span is right:
    >>> case = Case("a $774m fund", [Expected(2, 7, [7.74e8], "money", "USD", True)], "money")
    >>> case_is_right(case, [Figure(2, 6, 774.0, None, "money", "USD")])
    False
    >>> case_is_right(case, [Figure(2, 7, 7.74e8, None, "money", "USD")])
    True

    A figure of the suite's type where the suite expects nothing makes the case wrong:
    >>> case_is_right(Case("5G networks", [], "measure"), [Figure(0, 2, 5.0, None, "measure")])
    False
    """
    types = {case.type} if case.type else {"money", "percent", "measure", "temperature"}
    if not all(_found(e, figures) for e in case.expected if e.in_scope):
        return False
    for f in figures:
        if f.type in types and not any(
            _overlaps(f.start, f.end, e.start, e.end) for e in case.expected
        ):
            return False
    return True


@dataclass
class Score:
    """One extractor on one suite: cases right, in-scope values found, and what it missed."""

    cases: int = 0
    values: int = 0
    misses: list[str] = field(default_factory=list)


def run_suite(suite: Suite, run: Callable[[str], list[Figure]]) -> Score:
    score = Score()
    for case in suite.cases:
        if not case.in_scope():
            continue
        try:
            figures = run(case.text)
        except Exception as error:  # a peer crashing on a case gets it wrong, and goes on
            score.misses.append(f"{case.text!r}: raised {type(error).__name__}")
            continue
        score.values += sum(1 for e in case.expected if e.in_scope and _found(e, figures))
        if case_is_right(case, figures):
            score.cases += 1
        else:
            found = [(f.value, f.type, f.currency) for f in figures]
            score.misses.append(f"{case.text!r}: {found}")
    return score


def robustness(path: Path, run: Callable[[str], list[Figure]]) -> int:
    """How many of quantulum3's errors.json inputs run without raising."""
    ok = 0
    for text in json.loads(path.read_text(encoding="utf-8")):
        try:
            run(text)
            ok += 1
        except Exception:  # counting crashes is the point of this row
            pass
    return ok


def _cell(right: int, cases: int) -> str:
    return f"{right:>5} ({100 * right / cases:5.1f}%)" if cases else f"{'':>14}"


def load_suites(specs: Path) -> list[Suite]:
    suites = [
        load_recognizers_suite(specs / "recognizers-text" / f"{name}.json", figure_type)
        for name, figure_type in RECOGNIZERS_SUITES.items()
    ]
    suites += [
        load_quantulum_suite(specs / "quantulum3" / f"{name}.json") for name in QUANTULUM_SUITES
    ]
    return suites


@click.command()
@click.option(
    "--peer-specs",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=PEER_SPECS,
    show_default=True,
    help="Folder with recognizers-text/ and quantulum3/ suites.",
)
@click.option("--suite", "only", multiple=True, help="Run only this suite (repeatable).")
@click.option(
    "--misses",
    type=click.Choice(["ledger", "quantulum3", "recognizers"]),
    help="Also list the in-scope cases this extractor gets wrong.",
)
@click.option(
    "--chinese",
    is_flag=True,
    help="Run the Chinese suite instead: ledger against Recognizers-Text on bench/zh_set.toml.",
)
def main(peer_specs: Path, only: tuple[str, ...], misses: str | None, chinese: bool) -> None:
    """Per suite, the in-scope cases ledger, quantulum3 and Recognizers-Text get right."""
    if chinese:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from accuracy_zh import report

        report(click.echo, show_misses=misses is not None)
        return
    suites = load_suites(peer_specs)
    if only:
        unknown = set(only) - {s.name for s in suites}
        if unknown:
            raise click.ClickException(f"no such suite: {', '.join(sorted(unknown))}")
        suites = [s for s in suites if s.name in only]
    extractors: dict[str, Callable[[str], list[Figure]] | str] = {
        "ledger": ledger_extractor(),
        "quantulum3": quantulum_extractor(),
        "recognizers": recognizers_extractor(),
    }
    for name, run in extractors.items():
        if isinstance(run, str):
            click.echo(f"note: {name} column left empty: {run}")
    started = time.perf_counter()
    scores = {
        suite.name: {
            name: run_suite(suite, run)
            for name, run in extractors.items()
            if not isinstance(run, str)
        }
        for suite in suites
    }
    for title, count, attribute in (
        ("cases", lambda s: sum(1 for c in s.cases if c.in_scope()), "cases"),
        (
            "values",
            lambda s: sum(e.in_scope for c in s.cases if c.in_scope() for e in c.expected),
            "values",
        ),
    ):
        header = f"{'suite':<24} {title + ' in scope':>15} "
        header += " ".join(f"{name:>14}" for name in ("ledger", "quantulum3", "Recognizers"))
        click.echo(f"\n{title} right")
        click.echo(header)
        click.echo("-" * len(header))
        totals = {name: 0 for name in extractors}
        total = 0
        for suite in suites:
            n = count(suite)
            total += n
            cells = []
            for name in extractors:
                score = scores[suite.name].get(name)
                if score is None:
                    cells.append(f"{'-':>14}")
                    continue
                totals[name] += getattr(score, attribute)
                cells.append(_cell(getattr(score, attribute), n))
            click.echo(f"{suite.name:<24} {n:>15} " + " ".join(cells))
        click.echo("-" * len(header))
        cells = [
            f"{'-':>14}" if isinstance(run, str) else _cell(totals[name], total)
            for name, run in extractors.items()
        ]
        click.echo(f"{'all in-scope':<24} {total:>15} " + " ".join(cells))
    errors = peer_specs / "quantulum3" / "errors.json"
    if errors.exists() and not only:
        n = len(json.loads(errors.read_text(encoding="utf-8")))
        cells = [
            f"{'-':>14}" if isinstance(run, str) else f"{robustness(errors, run):>14}"
            for run in extractors.values()
        ]
        click.echo(f"\n{'errors.json (no raise)':<24} {n:>15} " + " ".join(cells))
    click.echo(f"({time.perf_counter() - started:.1f}s)", err=True)
    if misses:
        click.echo(f"\n{misses} gets wrong:")
        for suite in suites:
            for line in scores[suite.name][misses].misses if misses in scores[suite.name] else []:
                click.echo(f"  {suite.name}: {line}")


if __name__ == "__main__":
    sys.exit(main())

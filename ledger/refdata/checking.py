"""A claim against official statistics: which series, which period, and what the comparison says.

For a claim whose metric has official indicators (ledger/rules/metrics.toml `[[definition]]`):

1. Forecasts ("is expected to grow 3%", "will", a period not yet over) are never compared: the
   outcome is `forecast`.
2. Company, sector and market figures, figures about a company or an organisation, and figures
   about a region or city are never compared with national statistics.
3. The subject becomes a code (ledger/subjects.py); a figure whose sentence names none takes
   the subject of its paragraph, its headline or its dateline ("TOKYO, March 3 -"), and the
   check says it was inferred. Exchange rates take a currency, oil prices a benchmark instead.
4. The frequency: the metric's own (a quarter's growth), else the claim's period (2004, 2004-Q3,
   2004-03), else words in its clause ("last month", "in the fourth quarter"), else what an
   undated figure of its metric is about at the publication date (the day's oil price; the
   latest month's jobless rate), marked as inferred. A monthly or quarterly figure is never
   compared with an annual series.
5. Each series compared gives a row: `consistent` or `inconsistent` as for cited references;
   `revised` when it misses by no more than the indicator's revision band
   (ledger/data/revisions.toml) in data released after the claim was published.

The rules this reads are data: ledger/data/checking.toml and ledger/data/revisions.toml.
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from ledger.intervals import Interval, claim_interval, compare, reference_interval
from ledger.refdata.lookup import CACHE_ENTRIES, OfficialReferences, OfficialValue, derived_series
from ledger.references import period_end, period_months
from ledger.rules import packaged_number_words

if TYPE_CHECKING:
    from ledger.rules import MetricDefinition

FLAGS = re.IGNORECASE | re.VERBOSE
# Where a figure's own words stop: a comma, a semicolon, a bracket, a dash or a conjunction.
# "when" and "because" open a clause of their own ("would be lower than in 1986 when it reached
# 20.9 pct": the forecast words before them are not the figure's).
_BOUNDARY = re.compile(
    r"[,;:()]|\s[-–]\s|\b(?:but|while|whereas|and|after|against|when|because)\b", re.I
)
# A short aside in brackets, or one between commas saying when something was issued ("its latest
# forecast, issued last month, of 1.5 to two pct growth"), is no clause of its own.
_ASIDE = re.compile(
    r"\([^()]{1,40}\)|,\s*(?:issued|made|published|released|announced|given)\s[^,;()]{1,30},", re.I
)
# A money flow (exports, a current account, GDP) below this share of the national total is a
# part of it ("exports to Japan", "coffee exports"), not the total news would state.
PART_OF_TOTAL = 0.5
# A quote this many times above every value of its series around its date is no quote of it, but
# the price of something else quoted in that money ("805.50 stg" a tonne of a metal, a fare of "299
# Canadian dollars", a conversion price of "1,052 yen"), or a rate in force read off "half a
# point" (50); far below, it is a move (PART_OF_TOTAL).
FAR_ABOVE = 3.0
# For an exchange rate the bar is lower: twice every rate of its days is another currency's rate
# that shares the name ("about 1.36 pounds to the dollar", Egypt's pound; "2.5 pounds", Sudan's:
# sterling was never worth less than 0.95 dollars) or no rate at all, not a misquote.
FAR_ABOVE_RATE = 2.0
# How far before a figure, in its sentence, the currency or crude benchmark it is quoted in is
# looked for ("one euro worth $1.3218").
NAMED_REACH = 120
# How far before a figure the words naming what it is compared with are looked for ("will slow
# from more than", "against last year's").
BASELINE_REACH = 80
# How far after a place's name an organisation noun that makes it no place ("U.S. Embassy",
# "British Airways", [[not_a_place]] in checking.toml) is looked for: the cues are anchored right
# after the name, so this needs only the room of a few spaces and the longest noun.
NOT_A_PLACE_REACH = 40
# What [benchmarks] in checking.toml names another crude or an oil product by.
NOT_A_BENCHMARK = "none"
# A day's quote (oil) is compared with the days of the week before publication.
DAY_WINDOW = timedelta(days=7)
_FRENCH = re.compile(r"\bfrench\b|\bFFR\b", re.I)
# A move of a market's price whose one end is more than 30% above the other: a day's or a week's
# never is this large (`_long_move`). The ratio of the higher end to the lower.
LONG_MOVE_HIGH_OVER_LOW = 1.3
_MOVE_UNIT = (
    r"(?:\s*(?:u\.s\.\s+)?(?:dlrs?|dollars?|yen|marks|francs|stg))?"  # "28 dlrs", "145 yen"
    r"(?:\s+(?:a|per)\s+(?:barrel|bbl))?"  # "a barrel"
)
# The other end of a move spelled out ("to below nine dlrs"), from two: "to one stg" is a counter
# ("1.6030 U.S. Dlrs to one stg").
_NUMBER_WORDS = {
    word.casefold(): value for word, value in packaged_number_words().items() if value > 1
}
_MOVE_VALUE = (
    r"(?:(?:about|around|some|over|below|above|under|just)\s+)*\$?"
    rf"(?P<value>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{'|'.join(_NUMBER_WORDS)})\b"
)
_MOVE_AFTER = re.compile(  # "from 25 dlrs" after "to around 12 dlrs"; "to below nine dlrs"
    r"\s*(?:(?:a|per)\s+(?:barrel|bbl)\s+)?(?:from|to)\s+" + _MOVE_VALUE, re.I
)
_MOVE_BEFORE = re.compile(  # "from about 28 dlrs a barrel to" before "below nine dlrs"
    r"\b(?:from|to)\s+" + _MOVE_VALUE + _MOVE_UNIT + r"\s+(?:to|from)\s+"
    r"(?:(?:about|around|some|below|above|under|over|just)\s+)*\Z",
    re.I,
)
# The sentence says a move's end is the present price ("has fallen to", "now").
_NOW = re.compile(
    r"\b(?:has|have)\s+(?:\w+\s+)?(?:fallen|risen|dropped|climbed|slipped|recovered|rebounded|"
    r"gained|lost|declined|firmed|eased|moved|come|gone)\b|\b(?:now|today|currently|current)\b",
    re.I,
)
_DATELINE = re.compile(r"^\s*([A-Z][A-Z .'-]+?),\s+[A-Z][a-z]{2,}\.?\s+\d{1,2}\s*-", re.M)


def _blank_dateline(text: str) -> str:
    """The text with its dateline made spaces, its offsets kept: "LONDON, April 14 -", at the
    start of a line, says where the story was filed, not a place or a market it is about.

    >>> _blank_dateline("HEADLINE\\nDUBAI, April 7 - Oman crude")
    'HEADLINE\\n                 Oman crude'
    """
    dateline = _DATELINE.search(text)
    if dateline is None:
        return text
    start, end = dateline.start(1), dateline.end()  # the spaces and lines before it kept
    return text[:start] + " " * (end - start) + text[end:]


class Cue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    comment: str
    pattern: str
    examples: list[str] = Field(min_length=1)
    counterexamples: list[str] = []
    # before: the figure's clause up to it; after: right after it; tail: the sentence from it
    # on; opening: the sentence's first words; lead: the words right before it across any
    # boundary ("until the price gets above"), for patterns anchored at their end (\Z)
    where: Literal["before", "after", "tail", "opening", "lead", "anywhere"] = "anywhere"
    frequency: Literal["A", "Q", "M", "D"] | None = None
    max_value: float | None = None  # the largest figure the cue is read of ("$1.30", not "$5bn")
    unless_year: bool = False  # a [[frequency]] cue not read of a year's figure named before it

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        re.compile(pattern, FLAGS)
        return pattern

    @model_validator(mode="after")
    def _examples_match(self) -> Cue:
        missed = [text for text in self.examples if not self.search(text)]
        if missed:
            raise ValueError(f"cue {self.id} does not match its example(s) {missed}")
        wrong = [text for text in self.counterexamples if self.search(text)]
        if wrong:
            raise ValueError(f"cue {self.id} matches its counterexample(s) {wrong}")
        return self

    def search(self, text: str) -> bool:
        return _compiled(self.pattern).search(text) is not None


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, FLAGS)


class WordTable(BaseModel):
    model_config = ConfigDict(extra="allow")

    comment: str
    # the words read once at load: tables are looked up per figure and per value checked
    _words: dict[str, str] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any) -> None:
        self._words = {k: v for k, v in (self.model_extra or {}).items() if isinstance(v, str)}

    def table(self) -> dict[str, str]:
        return self._words

    def pattern(self) -> re.Pattern[str]:
        """Any of the table's words, whole, case-insensitive; compiled once."""
        return _word_alternation(tuple(self.table()))


@functools.cache
def _word_alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    longest_first = sorted(words, key=len, reverse=True)  # "swiss franc" before "franc"
    return re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + r")\b", re.I)


@functools.cache
def _last_season(words: tuple[str, ...]) -> re.Pattern[str]:
    """ "last summer", "this past winter": a season named as the last one."""
    return re.compile(r"\b(?:last|this\s+past)\s+(" + "|".join(words) + r")\b", re.I)


@functools.cache
def _currency_names(words: tuple[str, ...], dollar: str) -> re.Pattern[str]:
    """Any currency's name: a word of the table (the longest first: "australian dollar" before
    "dollar") or the dollar's (`dollar`, a pattern)."""
    longest_first = sorted(words, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + f")\\b|{dollar}", FLAGS)


class IdList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str
    ids: list[str]


class CheckingRules(BaseModel):
    """ledger/data/checking.toml."""

    model_config = ConfigDict(extra="forbid")

    forecast: list[Cue]
    own_clause: list[Cue]
    subnational: list[Cue]
    region_named: list[Cue]
    frequency: list[Cue]
    year_on_year: list[Cue]
    delivery: list[Cue]
    not_a_place: list[Cue]
    anaphora: list[Cue]
    growth_words: list[Cue]
    not_the_economy: list[Cue]
    share_after: list[Cue]
    allowed_for: list[Cue]
    period_elsewhere: list[Cue]
    undated_past: list[Cue]
    day_after: list[Cue]
    moved_since: list[Cue]
    since_month: list[Cue]
    not_a_market_price: list[Cue]
    nominal: list[Cue]
    compared: list[Cue]
    company_rate: list[Cue]
    money_market: list[Cue]
    instrument: list[Cue]
    affiliation: list[Cue]
    speaker: list[Cue]
    sector: list[Cue]
    economy: list[Cue]
    currency_price: list[Cue]
    dollar_named: list[Cue]
    level_crossed: list[Cue]
    quoted_level: list[Cue]
    baseline_period: list[Cue]
    present: list[Cue]
    whole_year: list[Cue]
    averaged: list[Cue]
    average_to_date: list[Cue]
    earlier_forecast: list[Cue]
    currency_role: list[Cue]
    counter_after: list[Cue]
    per_hundred: list[Cue]
    adjusted: list[Cue]
    unadjusted: IdList
    baseline_year: list[Cue]
    a_year_earlier: list[Cue]
    last_years: list[Cue]
    moved_other: list[Cue]
    currency_words: WordTable
    benchmarks: WordTable
    stored_under: WordTable
    franc_of: WordTable
    seasons: WordTable
    speakers: IdList
    datelines: WordTable
    since_events: WordTable

    @field_validator("seasons")
    @classmethod
    def _months_of_seasons(cls, seasons: WordTable) -> WordTable:
        # read when a quote names a season: a typo would fail mid-check, so it fails at load
        wrong = [f"{name} = {months!r}" for name, months in seasons.table().items()
                 if not re.fullmatch(r"(?:0[1-9]|1[0-2])/(?:0[1-9]|1[0-2])", months)]  # fmt: skip
        if wrong:
            raise ValueError(f"seasons are 'MM/MM', first and last month: {', '.join(wrong)}")
        return seasons


class RevisionBand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    indicators: list[str] = Field(min_length=1)
    absolute: float | None = None
    relative: float | None = None
    reason: str = Field(min_length=10)

    def allows(self, difference: float, reference: float) -> bool:
        """True when `difference` (claim minus reference) is within the band."""
        limit = max(self.absolute or 0.0, abs(reference) * (self.relative or 0.0) / 100)
        return abs(difference) <= limit + 1e-9


class Revisions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    band: list[RevisionBand]

    def by_indicator(self) -> dict[str, RevisionBand]:
        return {code: band for band in self.band for code in band.indicators}


def _data(name: str) -> dict:
    return tomllib.loads(resources.files("ledger").joinpath("data", name).read_text("utf-8"))


@functools.cache
def checking_rules() -> CheckingRules:
    return CheckingRules.model_validate(_data("checking.toml"))


@functools.cache
def revision_bands() -> dict[str, RevisionBand]:
    return Revisions.model_validate(_data("revisions.toml")).by_indicator()


class FigureWords(NamedTuple):
    """The words of a figure's own clause, either side of it."""

    before: str  # from the last boundary (or the figure before it) to the figure
    after: str  # from the figure to the next boundary

    @classmethod
    def of(cls, sentence: str, clause: str, start: int, end: int) -> FigureWords:
        """`start`, `end`: the figure's offsets in the sentence; `clause`: its clause
        (ledger.check.clauses), which begins where the figure before it ends.

        >>> s = "It grew 2.6% last year and is forecast to grow 2.1% in 2005."
        >>> FigureWords.of(s, " last year and is forecast to grow 2.1% in 2005.", 47, 51)
        FigureWords(before=' is forecast to grow ', after=' in 2005.')
        """
        begin = max(0, sentence.rfind(clause, 0, end + len(clause))) if clause else 0
        # a short aside in brackets is no clause of its own: "he expects Japan's gross national
        # product (GNP) to grow three pct" is said of the future
        before = _ASIDE.sub(" ", sentence[min(begin, start) : start])
        cuts = list(_BOUNDARY.finditer(before))
        if cuts:
            before = before[cuts[-1].end() :]
        after = sentence[end : end + 120]
        stop = _BOUNDARY.search(after)
        return cls(before, after[: stop.start()] if stop else after)

    @property
    def both(self) -> str:
        return f"{self.before} {self.after}"


@dataclass
class Subject:
    code: str | None
    inferred: str | None = None  # how: paragraph, headline, dateline


@dataclass
class Figure:
    """What the official check needs of a claim."""

    value: float  # signed: a decrease is negative
    value_high: float | None
    bound: str
    unit: str | None
    change: str | None
    metric: str
    period: str | None
    published: date | None
    words: FigureWords
    clause: str
    subject: Subject
    subject_kind: str
    sentence: str = ""
    offset: int = 0  # where the figure starts in `sentence`
    place: float | None = None  # its last digit's, when written after the point ("17.00")
    end: int = 0  # where the figure ends in `sentence`

    @property
    def next_words(self) -> str:
        """The sentence right after the figure, past any boundary ("$1.20 against the euro":
        `words.after` stops at "against")."""
        return self.sentence[self.end : self.end + NAMED_REACH]


class Series:
    """One subject's values of a metric's indicators, indexed once for every figure that asks:
    by (frequency, period), and each frequency's values in period order (a daily price series
    holds ten thousand values; a day's window is found by bisection, not a scan)."""

    def __init__(self, values: list[OfficialValue]) -> None:
        self.by_period: dict[tuple[str, str], list[OfficialValue]] = defaultdict(list)
        ordered: dict[str, list[OfficialValue]] = defaultdict(list)
        for value in values:
            self.by_period[(value.frequency, value.period)].append(value)
            ordered[value.frequency].append(value)
        self.ordered = {f: sorted(vs, key=lambda v: v.period) for f, vs in ordered.items()}
        self.periods = {f: [v.period for v in vs] for f, vs in self.ordered.items()}

    def __bool__(self) -> bool:
        return bool(self.ordered)

    def without(self, indicators: frozenset[str]) -> Series:
        """The same series but for the values of these indicators."""
        kept = [v for vs in self.ordered.values() for v in vs if v.indicator not in indicators]
        return Series(kept)

    def at(self, frequency: str, period: str) -> list[OfficialValue]:
        return self.by_period.get((frequency, period), [])

    def between(self, frequency: str, low: str, high: str) -> list[OfficialValue]:
        """Values of `frequency` with low <= period <= high."""
        periods = self.periods.get(frequency, [])
        start, stop = bisect.bisect_left(periods, low), bisect.bisect_right(periods, high)
        return self.ordered[frequency][start:stop] if periods else []

    def before(self, frequency: str, period: str, count: int) -> list[OfficialValue]:
        """The last `count` values of `frequency` whose period sorts before `period`."""
        periods = self.periods.get(frequency, [])
        stop = bisect.bisect_left(periods, period)
        return self.ordered[frequency][max(0, stop - count) : stop] if periods else []


class Verdict(NamedTuple):
    """One row's substance; ledger.check turns it into a checks row."""

    outcome: str
    explanation: str
    value: OfficialValue | None = None
    other_value: float | None = None
    difference_pct: float | None = None
    period_match: str = "none"


def _present(figure: Figure, rules: CheckingRules) -> bool:
    """The figure is the level in force when the words were said ("currently at 8.2 pct")."""
    return any(cue.search(figure.words.before) for cue in rules.present)


def is_forecast(figure: Figure, rules: CheckingRules, aggregation: str | None = None) -> str | None:
    """Why a figure is a forecast, or None: forecast words, or a period not over when it was
    published ("its deficit has swelled to $10.7bn this year", in December: an estimate). A
    price or a rate at a point in time (`aggregation` "point") in a period that has begun is
    the level of the day it was quoted ("oil rose to $17 today", dated this month)."""
    if _present(figure, rules):
        return None  # "may increase rates from their current 4.75%": the rate in force
    if _past_baseline(figure, rules, aggregation):
        return None  # "growth will slow from more than 3% in 2004 to ...", said in 2005
    own = _own_words(figure, rules)
    for cue in rules.forecast:
        if cue.where == "opening":
            if _opening_forecast(figure, cue, rules):
                return f"forecast words ({cue.id})"
            continue
        text = {
            "after": figure.words.after,
            "tail": figure.sentence[figure.offset :],
            "lead": figure.sentence[max(0, figure.offset - BASELINE_REACH) : figure.offset],
        }.get(cue.where, own)
        if cue.search(text):
            return f"forecast words ({cue.id})"
    continued = _continued_clause(figure, rules)
    for cue in rules.forecast:
        if continued and cue.where == "before" and cue.search(continued):
            return f"forecast words ({cue.id}) in the clause its words continue"
    end = period_end(figure.period)
    if end is None or figure.published is None or end <= figure.published:
        return None
    begun = _period_first_day(figure.period) <= figure.published
    if aggregation == "point" and begun:
        return None
    return f"its period {figure.period} was not over when it was published"


def _own_words(figure: Figure, rules: CheckingRules) -> str:
    """The words a figure's `before` cues read: its clause up to it, or, when the words since
    the figure before it have no verb of their own ("if the dollar falls to about 140 or 138
    yen"), its whole clause from the last boundary, that figure's words too."""
    if _clause_word(rules, figure.words.before):
        return figure.words.before
    head = figure.sentence[: figure.offset]
    cuts = list(_BOUNDARY.finditer(head))
    return head[cuts[-1].end() :] if cuts else head


def _past_baseline(figure: Figure, rules: CheckingRules, aggregation: str | None = None) -> bool:
    """The figure is what a forecast is measured from ("It forecast growth will slow from more
    than 3% in 2004 to a little below 2.5%", in 2005), of a period over when it was published,
    or a quote of the day (`aggregation` "point", of no period or one begun: "will push the
    dollar back up from its record low of 144.70 yen today"): a fact the forecast starts from,
    not part of it; but not an earlier forecast it is revised from ("lowered its GNP forecast
    for 1986/87 from four pct")."""
    end = period_end(figure.period)
    head = figure.sentence[max(0, figure.offset - BASELINE_REACH) : figure.offset]
    over = end is not None and figure.published is not None and end < figure.published
    today = (
        aggregation == "point"
        and figure.published is not None
        and (figure.period is None or _period_first_day(figure.period) <= figure.published)
    )
    return (
        (over or today)
        and any(cue.search(head) for cue in rules.compared)
        and not any(cue.search(head) for cue in rules.earlier_forecast)
    )


def _continued_clause(figure: Figure, rules: CheckingRules) -> str:
    """The clause a figure's verbless words continue ("..., then to 50 dlrs", "... 140 yen and
    a crude oil price of 18 dlrs"): walking back across commas, "and" and "or" only, the first
    clause with a verb (or the sentence's opening one); "" when the figure's own words, before
    or after it, have a verb or a baseline word, or another boundary ("after", "when", a
    bracket) comes first.

    >>> rules = checking_rules()
    >>> s = "He added that prices will rise to 35 dlrs, then to 50 dlrs after 1990."
    >>> figure = Figure(50.0, None, "exact", "USD", None, "oil_price", None, None,
    ...                 FigureWords(" then to ", " "), "", Subject(None), "none", s, 50)
    >>> _continued_clause(figure, rules)
    'He added that prices will rise to 35 dlrs'
    """
    if _clause_word(rules, figure.words.after):
        return ""  # "1986 growth of 2.4 pct was revised": its verb comes after it
    head = figure.sentence[: figure.offset]
    cuts = list(_BOUNDARY.finditer(head))
    end = len(head)
    for index in range(len(cuts) - 1, -1, -1):
        segment = head[cuts[index].end() : end]
        found = _clause_word(rules, segment)
        if found:
            return segment if found == "verb" and end < len(head) else ""
        if cuts[index].group().strip().casefold() not in (",", "and", "or"):
            return ""
        end = cuts[index].start()
    return "" if not cuts or _clause_word(rules, head[:end]) == "baseline" else head[:end]


def _clause_word(rules: CheckingRules, text: str) -> str | None:
    """ "baseline" when the words compare with something ("below 1986's"), "verb" when they
    have a verb of their own, else None (`own_clause` in checking.toml)."""
    found = {cue.id for cue in rules.own_clause if cue.search(text)}
    return "baseline" if "baseline" in found else next(iter(found), None)


def _opening_forecast(figure: Figure, cue: Cue, rules: CheckingRules) -> bool:
    """A sentence opened by a forecast ("Mexico expects one to two pct growth ..., and inflation
    near 80 pct") makes each of its figures with no period of their own a forecast, but for a
    baseline it is compared with ("after 105 pct last year")."""
    head = figure.sentence[: figure.offset]
    return (
        figure.period is None
        and cue.search(head)
        and not any(compared.search(head) for compared in rules.compared)
    )


def frequency_of(figure: Figure, definition: MetricDefinition, rules: CheckingRules) -> str | None:
    """The figure's frequency: its metric's, its words', its period's (a month's or a quarter's
    figure is never an annual one, whatever its metric), else its metric's default (None:
    undated)."""
    if definition.frequency in ("Q", "M"):
        return definition.frequency
    within_year = _period_frequency(figure.period)
    for cue in rules.frequency:  # "grew 0.2% in the last three months of 2004": not the year's
        if cue.search(figure.words.both) and not (cue.unless_year and _year_before(figure)):
            return cue.frequency
    if within_year not in (None, "A"):
        return within_year
    return definition.frequency or within_year


def _year_before(figure: Figure) -> bool:
    """The figure is a year's, named in its own words before it ("reported a 1986 rise of just
    two pct in February"), not a month's its clause names after it ("a 3.27 pct increase in
    january", in a sentence naming 1986 later)."""
    period = figure.period
    return period is not None and len(period) == 4 and period in figure.words.before


def _quarter_ending(period: str) -> str:
    """A quarter's figure dated by its last month ("the three months to September 2004") is that
    quarter's; other periods are kept.

    >>> _quarter_ending("2004-09"), _quarter_ending("2004-11"), _quarter_ending("2004-Q3")
    ('2004-Q3', '2004-11', '2004-Q3')
    """
    if len(period) == 7 and period[5:].isdigit() and int(period[5:]) % 3 == 0:
        return f"{period[:4]}-Q{int(period[5:]) // 3}"
    return period


def _period_frequency(period: str | None) -> str | None:
    """A period's frequency: 2004 A, 2004-Q3 Q, 2004-H1 H, 2004-03 M, a fiscal year F (None: no
    period). A span START/END is a quarter's, a month's or a year's by its length ("between
    October and December", "the 12 months to October": October's twelve-month rate), and P
    when it covers several years (an average over them: no series gives it).

    >>> [_period_frequency(p) for p in ("2004", "2004-Q3", "2004-H1", "2004-03", "FY1986", None)]
    ['A', 'Q', 'H', 'M', 'F', None]
    >>> [_period_frequency(p) for p in ("2004-10/2004-12", "2003-11/2004-10", "2004-01/2004-12")]
    ['Q', 'M', 'A']
    >>> _period_frequency("1990/2010"), _period_frequency("2004-01/2004-06")
    ('P', 'H')
    """
    if not period:
        return None
    if period.startswith("FY"):
        return "F"
    if "/" in period:
        return _span_frequency(*period.split("/", 1))
    if "Q" in period or "H" in period:
        return "Q" if "Q" in period else "H"
    return "M" if len(period) == 7 else "A"


def _span_frequency(first: str, last: str) -> str:
    months = period_months(last)[1] - period_months(first)[0] + 1
    if months <= 1:
        return "M"
    if months <= 3:
        return "Q"
    if months <= 6:
        return "H"
    if months == 12:
        return "A" if first.endswith(("-01", "-Q1", "-H1")) or len(first) == 4 else "M"
    return "P" if months > 12 else "M"


def _period_at(period: str, frequency: str) -> str:
    """The label a series of `frequency` gives the period (a span's last part: "2004-10/2004-12"
    is 2004-Q4, "2003-11/2004-10" October 2004).

    >>> _period_at("2004-10/2004-12", "Q"), _period_at("2003-11/2004-10", "M")
    ('2004-Q4', '2004-10')
    >>> _period_at("2004", "A"), _period_at("2004-09", "Q")
    ('2004', '2004-Q3')
    """
    last = period.rsplit("/", 1)[-1]
    if frequency == "A":
        return last[:4]
    if frequency == "Q":
        return _quarter_ending(last)
    return last


def _period_first_day(period: str | None) -> date:
    """The first day of a claim's period (a span's first part); date.max when it has none.

    >>> _period_first_day("2004-10/2004-12"), _period_first_day("2004-H2")
    (datetime.date(2004, 10, 1), datetime.date(2004, 7, 1))
    """
    if not period or period.startswith("FY"):
        return date.max
    try:
        year, month = divmod(period_months(period.split("/", 1)[0])[0], 12)
    except ValueError:
        return date.max
    return date(year, month + 1, 1)


class Matcher:
    """Compares figures with official series (no database access but through `references`)."""

    def __init__(
        self,
        references: OfficialReferences,
        definitions: dict[str, MetricDefinition],
        tolerance_pct: float,
        convert: Callable[[float, str, str, int | None], float],
    ) -> None:
        self.references = references
        self.definitions = definitions
        self.tolerance_pct = tolerance_pct
        self.convert = convert  # (value, unit, into unit, year): another currency, or ValueError
        self.rules = checking_rules()
        self.bands = revision_bands()
        self._series: OrderedDict[tuple[str, str, str | None, str | None], Series] = OrderedDict()

    def _interval(self, figure: Figure, value: float, own: float | None = None) -> Interval:
        """The values the figure allows: its rounding, its bound, and `own` percent either side
        (the check's tolerance unless given)."""
        place = figure.place
        if place is None and _whole_percentage(figure, value):
            place = 1.0  # "20 pct" is rounded to the unit, as "two pct" is, not to the ten
        tolerance = self.tolerance_pct if own is None else own
        interval = claim_interval(value, figure.value_high, figure.bound, tolerance, place)
        if _rounded_to_the_unit(figure, value):
            # "GDP grew two pct", "inflation of 5 pct": a statistic rounded to its unit digit
            # allows half a unit either side, whatever share of the figure that is
            return Interval(min(interval.low, value - 0.5), max(interval.high, value + 0.5))
        return interval

    def quotes_a_market(self, metric: str) -> bool:
        """The metric's series are a market's quotes (a benchmark crude's, a currency's), which
        no speaker owns."""
        definition = self.definitions.get(metric)
        return definition is not None and _market_quote(definition) is not None

    def checkable(self, metric: str) -> bool:
        definition = self.definitions.get(metric)
        return bool(definition and definition.indicators and definition.scope == "national")

    def verdicts(self, figure: Figure) -> list[Verdict]:
        """Rows for one figure: compared series, or one row saying why none was."""
        definition = self.definitions.get(figure.metric)
        if definition is None or not definition.indicators:
            return []
        match = ("exact", "")
        last_year = self._last_years(figure)
        if last_year:  # "to 2.6 per cent this year against last year's 2.1 per cent"
            figure = replace(figure, period=last_year)
            match = ("inferred-from-publication", f"period {last_year}, last year's: ")
        why = self._refusal(figure, definition)
        if why:
            outcome = "forecast" if why.startswith("forecast") else "no-reference"
            return [Verdict(outcome, why.removeprefix("forecast: "))]
        if _market_quote(definition) == "currency" and figure.unit == "percent":
            return self._moved_since(figure, definition)
        if figure.period and (
            any(cue.search(figure.sentence) for cue in self.rules.delivery)
            or _quoted_on_the_day(figure, definition)
            or _present(figure, self.rules)
            or self._baselines_period(figure)
        ):
            # "April crude closed at 17.75": today's quote; "from the current rate of 6.3 pct":
            # the latest rate at publication, whatever year the sentence names for another
            # figure; "from $8 in mid-1986 to $18": the year is the baseline's
            figure = replace(figure, period=None)
        # after the day's period is dropped: "The average value of the dollar was 155 yen in the
        # period", in a story dated by its dateline's day
        unnamed_average = figure.period is None and self._average_elsewhere(figure, definition)
        if figure.period is None and _market_quote(definition):
            day = self._day_after(figure)
            if day:  # "its all-time low of 1.4510 francs set on September 26, 1978"
                figure = replace(figure, period=day)
                match = ("exact", f"period {day}, the month of the day named after it: ")
        frequency = frequency_of(figure, definition, self.rules)
        if self._month_change(figure, definition, frequency):
            definition = self.definitions[str(definition.month_change)]  # "rose 0.4 pct in May"
        subject = self._series_subject(figure, definition)
        if subject is None:
            return [Verdict("no-reference", "no subject to look official series up by")]
        cross = self.cross_quoted(figure) if _market_quote(definition) == "currency" else None
        if cross:  # "The Australian dollar was firmer at ... 103.32 yen": yen per A$
            series = self._cross_series(definition, subject, cross)
            subject = f"{subject}/{cross}"
        else:
            series = self._series_of(
                definition,
                subject,
                self._basis(figure, definition),
                self._benchmark_named(figure) if _market_quote(definition) == "oil" else None,
            )
        if not series:
            return [Verdict("no-reference", f"no official series of {figure.metric} for {subject}")]
        season = self._season(figure) if _market_quote(definition) and not figure.period else None
        if season:  # "oil fell below 10 dlrs last summer": a day's price in those months
            quoted = self._quote_over(figure, series, *season)
            if quoted:
                return quoted
        said = f"{figure.sentence[: figure.offset]} {figure.words.after}"
        if frequency in ("M", "Q") and any(cue.search(said) for cue in self.rules.adjusted):
            # "rose a seasonally adjusted 0.4 pct in February": BLS's CPI-U is not adjusted
            series = series.without(frozenset(self.rules.unadjusted.ids))
            if frequency not in series.ordered:
                often = _FREQUENCY_WORDS[frequency]
                why = (f"a seasonally adjusted {often} figure: the official {often} series for "
                       f"{subject} are not adjusted")  # fmt: skip
                return [Verdict("no-reference", why)]
        undated: list[str] = list(definition.undated)
        if frequency == "A" and any(cue.search(figure.words.both) for cue in self.rules.whole_year):
            undated.append("A")  # "GDP up 2.3% for the full year", in February: the year over
        dated_by_publication = frequency in undated and frequency in series.ordered
        if frequency is None or (figure.period is None and dated_by_publication):
            # "The average value of the dollar was 155 yen in the period": a firm's half-year,
            # perhaps, which the months around publication may confirm but cannot refute
            rows = self._undated(figure, definition, undated, series, subject, not unnamed_average)
            if unnamed_average and not any(row.outcome == "consistent" for row in rows):
                why = f"an average over a period its words do not name: {rows[0].explanation}"
                return [Verdict("no-reference", why)]
            return rows
        if figure.period is None and frequency == "A":
            # "The output measure rose 2.8 pct year-on-year, down from 3.8 pct in 1985"
            figure = replace(figure, period=self._year_after_baseline(figure))
            if figure.period:
                why = f"period {figure.period} inferred as the year after its baseline's: "
                return self._dated(figure, definition, series, subject, frequency,
                                   ("inferred-from-baseline", why))  # fmt: skip
        if figure.period is None:
            found = ", ".join(_FREQUENCY_WORDS.get(f, f) for f in sorted(series.ordered))
            said = _FREQUENCY_WORDS.get(frequency, frequency)
            why = (f"{_article(said)} {said} figure with no period; official series for "
                   f"{subject} are {found}")  # fmt: skip
            return [Verdict("no-reference", why)]
        rows = self._dated(figure, definition, series, subject, frequency, match)
        if self._average_a_year_before(figure, definition) and not any(
            row.outcome == "consistent" for row in rows
        ):  # "... 155 yen in the period from 190 a year earlier": the firm's period, unnamed
            why = f"an average a year before a period its words do not name: {rows[0].explanation}"
            return [Verdict("no-reference", why)]
        return rows

    def _average_a_year_before(self, figure: Figure, definition: MetricDefinition) -> bool:
        """A market's average compared with another "a year earlier" ("The dollar averaged 157
        yen, against 192 a year earlier"): of the year before the other's period, which may be a
        firm's half or quarter the words do not name."""
        return (
            _market_quote(definition) is not None
            and any(cue.search(figure.words.after) for cue in self.rules.a_year_earlier)
            and any(cue.search(self._scope_words(figure)) for cue in self.rules.averaged)
        )

    def _dated(
        self,
        figure: Figure,
        definition: MetricDefinition,
        series: Series,
        subject: str,
        frequency: str,
        match: tuple[str, str],
    ) -> list[Verdict]:
        """A figure with a period (its own, or one `match` says was inferred, and how) against
        the values of that period."""
        period = str(figure.period)
        if frequency == "F":
            why = "a fiscal year's figure: official series are calendar years"
            return [Verdict("no-reference", why)]
        if frequency == "P":  # "$500bn in 1990-2010": a total or an average over years
            why = f"a figure over {period.replace('/', ' to ')}, not one period's"
            return [Verdict("no-reference", why)]
        period = _period_at(period, frequency)
        if frequency == "M" and "M" not in series.ordered and "E" in series.ordered:
            return self._month_in_force(figure, series, subject, period)
        said = f"{figure.sentence[: figure.offset]} {figure.words.after}"
        a_days_quote = bool(_market_quote(definition)) and not any(
            cue.search(said) for cue in self.rules.averaged
        )
        if a_days_quote:
            quoted = self._quote_in(figure, series, period)
            if quoted:
                return quoted
        chosen = [v for v in series.at(frequency, period) if not _projection(v)]
        if not chosen and frequency in ("A", "H", "Q") and definition.measure == "level":
            # FRED gives the mark's months, no year; no series gives a half-year's or a
            # quarter's average of a rate ("averaged 158 yen in the second half of 1986")
            chosen = _mean_of_months(series, period)
        if not chosen:
            said = _FREQUENCY_WORDS.get(frequency, frequency)
            a_said = f"{_article(said)} {said}"
            why = f"{a_said} figure: no official {said} value for {subject} in {period}"
            return self._unloaded_measures(definition, [Verdict("no-reference", why)])
        rows = [self._point(figure, definition, value, match[0]) for value in chosen]
        rows = [row._replace(explanation=match[1] + row.explanation) for row in rows]
        if a_days_quote and frequency == "A" and not any(r.outcome == "consistent" for r in rows):
            # "from 27 dlrs a year earlier", at the end of 1985: a day's price, and the year's
            # average alone (no daily or monthly prices before 1986) cannot refute it
            compared = self._point(figure, definition, chosen[0], match[0], refutes=False)
            why = (f"a quote of a day in {period}, and only the year's average to compare: "
                   f"{match[1]}{compared.explanation}")  # fmt: skip
            return [Verdict("no-reference", why)]
        return self._unloaded_measures(definition, rows)

    def _average_elsewhere(self, figure: Figure, definition: MetricDefinition) -> bool:
        """A market's average its clause gives no period ("The average value of the dollar was
        155 yen in the period", of a firm's half-year; "The average yen/dollar rate used for the
        statistics was 153.67 yen", of the trade figures' first ten days): perhaps of months
        around publication, perhaps of others another sentence names, unless its words make it
        the average to date ("the current average of about 18 dlrs")."""
        said = figure.words.both
        return (
            _market_quote(definition) is not None
            and any(cue.search(said) for cue in self.rules.averaged)
            and not any(cue.search(said) for cue in self.rules.average_to_date)
        )

    def _season(self, figure: Figure) -> tuple[int, int, str] | None:
        """The months (counted from year 0) and the name of the last season a quote's words
        name ("last summer", in a story of April 1987: June to August 1986; in October 1987:
        June to August 1987): the last one over before the month of publication."""
        if figure.published is None:
            return None
        table = self.rules.seasons.table()
        found = _last_season(tuple(table)).search(figure.words.both)
        if not found:
            return None
        start, _, end = table[found.group(1).casefold()].partition("/")
        first_month, last_month = int(start), int(end)
        month = figure.published.year * 12 + figure.published.month - 1
        for year in range(figure.published.year, figure.published.year - 2, -1):
            first = year * 12 + first_month - 1 - (12 if last_month < first_month else 0)
            last = year * 12 + last_month - 1
            if last < month:
                return (
                    first,
                    last,
                    f"{found.group(0)} ({_month_label(first)}..{_month_label(last)})",
                )
        return None

    def _last_years(self, figure: Figure) -> str | None:
        """The year before publication, for a figure said to be last year's right before it
        ("against last year's 2.1 per cent") whose period is not already another year."""
        if figure.published is None or not any(
            cue.search(figure.words.before) for cue in self.rules.last_years
        ):
            return None
        year = str(figure.published.year - 1)
        return year if figure.period in (None, year, str(figure.published.year)) else None

    def since_month(self, figure: Figure) -> str | None:
        """The month (YYYY-MM) a currency's move is counted from, named in its sentence ("since
        September 1985", "since the beginning of 1986", "since the Plaza accord"), else None."""
        for cue in self.rules.since_month:
            found = _compiled(cue.pattern).search(figure.sentence)
            if found and found.group("year"):
                month = _MONTH_NUMBERS[(found.group("month") or "jan").casefold()]
                return f"{found.group('year')}-{month:02d}"
        event = self.rules.since_events.pattern().search(figure.sentence)
        return self.rules.since_events.table()[event.group(0).casefold()] if event else None

    def _moved_since(self, figure: Figure, definition: MetricDefinition) -> list[Verdict]:
        """A currency's percentage move against another since a month ("The won has risen six
        pct against the dollar since September 1985"; "the dollar's 40 pct fall against the yen
        since the Plaza accord"): the change of the one that moved, from the monthly average of
        that month to the one of its publication month (FRED's rates: the dollar's move is
        now/then - 1; another currency's then/now - 1 as its price in dollars, or 1 - now/then as
        the rate's move, and a figure the two readings judge apart is not settled: the won's
        "some six pct" is +5.8% or +5.5%, the Taiwan dollar's "about 15 pct" +16.7% or +14.3%). A
        cross rate, or a move with no month it is counted from, is not read."""
        since = self.since_month(figure)
        if since is None or figure.published is None:
            return [Verdict("no-reference", "a currency's move with no month it is counted from")]
        moved, against = self._moved_pair(figure)
        if moved is None or (moved != "USD") == (against != "USD"):
            return [Verdict("no-reference", "a move of one currency against another, neither "
                            "or both the dollar: the series are rates to the dollar")]  # fmt: skip
        other = against if moved == "USD" else moved
        series = self._series_of(definition, other, None)
        then = series.at("M", since)
        # the day it was said: a rate among the monthly averages of its month and those either side
        now = _window(series, "M", figure.published)
        if not then or not now:
            return [Verdict("no-reference", f"no monthly rates of {other} for {since} and "
                            f"{figure.published:%Y-%m}")]  # fmt: skip
        rate_then = then[0].value
        rates_now = (min(v.value for v in now), max(v.value for v in now))
        changes = [
            sorted((rate / rate_then - 1) * 100 for rate in rates_now),  # the rate's own move
            sorted((rate_then / rate - 1) * 100 for rate in rates_now),  # its inverse's
        ]
        if moved == "USD":  # the rate is the dollar's price: its move is the dollar's
            readings = [(changes[0][0], changes[0][1])]
        else:  # the currency's price in dollars, or the rate's move said of the currency
            readings = [(changes[1][0], changes[1][1]), (-changes[0][1], -changes[0][0])]
        readings = [(low, high) for low, high in readings if high > -100]
        interval = self._interval(figure, figure.value)
        outcomes = {
            "consistent" if interval.meets(Interval(low, high)) else "inconsistent"
            for low, high in readings
        }
        outcome = outcomes.pop() if len(outcomes) == 1 else "not settled"
        given = " or ".join(f"{low:+.1f}% to {high:+.1f}%" for low, high in readings)
        explanation = (
            f"{'the dollar' if moved == 'USD' else moved} against "
            f"{'the dollar' if against == 'USD' else against} since {since}: the monthly average "
            f"{_num(rate_then)} {other} per US$ ({then[0].period}) and "
            f"{_num(rates_now[0])}-{_num(rates_now[1])} ({now[0].period}..{now[-1].period}) give "
            f"{given}; {then[0].citation()}; {outcome}{_page(then[0])}"
        )
        if outcome == "not settled":  # "has risen 15 pct": +16.7% as its price, 14.3% as the rate
            return [Verdict("no-reference", f"read two ways, {explanation}")]
        near = min(readings[0], key=lambda change: abs(change - figure.value))
        difference = _difference(figure.value, near) if outcome == "inconsistent" else 0.0
        return [Verdict(outcome, explanation, then[0], near, difference, "exact")]

    def _moved_pair(self, figure: Figure) -> tuple[str | None, str]:
        """The codes of the currency that moved (the last named before the figure as what is
        priced) and the one it moved against (named after "against" in the words after it;
        the dollar when none is)."""
        table = self.rules.currency_words.table()
        dollar = "|".join(f"(?:{cue.pattern})" for cue in self.rules.dollar_named)

        def code(name: str | None) -> str | None:
            if name is None:
                return None
            return table.get(name.casefold()) or ("USD" if _compiled(dollar).search(name) else None)

        moved = code(self.priced_before(figure.sentence[: figure.offset]))
        counter = re.search(r"\bagainst\s+(?:the\s+|one\s+|a\s+)?", figure.next_words, re.I)
        against = None
        if counter:
            named = self._currency_names().match(figure.next_words, counter.end())
            against = code(named.group(0)) if named else None
        return moved, against or "USD"

    def _day_after(self, figure: Figure) -> str | None:
        """The month (YYYY-MM) of the day named right after a quote ("set on September 26,
        1978"; with no year, the last such month at publication), else None."""
        for cue in self.rules.day_after:
            found = _compiled(cue.pattern).search(figure.next_words)
            if not found:
                continue
            month = _MONTH_NUMBERS[found.group("month").casefold()]
            if found.group("year"):
                return f"{found.group('year')}-{month:02d}"
            if figure.published is not None:
                year = figure.published.year - (month > figure.published.month)
                return f"{year}-{month:02d}"
        return None

    def _year_after_baseline(self, figure: Figure) -> str | None:
        """The year after the one named with the baseline right after a figure with no period
        ("rose 2.8 pct, down from 3.8 pct in 1985": 1986), when that year was over at
        publication; else None."""
        for cue in self.rules.baseline_year:
            found = _compiled(cue.pattern).search(figure.next_words)
            if found and figure.published and int(found.group("year")) + 1 < figure.published.year:
                return str(int(found.group("year")) + 1)
        return None

    def _unloaded_measures(
        self, definition: MetricDefinition, rows: list[Verdict]
    ) -> list[Verdict]:
        """A figure none of the loaded measures confirms may be one of those not loaded (the
        default pack has the WDI's average CPI, not the IMF WEO's December-on-December rate,
        whose licence does not let it ship): the rows say which are missing, and how to add
        them."""
        missing = [code for code in definition.indicators if code not in self.references.indicators]
        if not missing or any(row.outcome == "consistent" for row in rows):
            return rows
        note = (f"; not loaded, so not compared: {', '.join(missing)} (`ledger reference "
                "import` adds them)")  # fmt: skip
        return [row._replace(explanation=row.explanation + note) for row in rows]

    def _month_change(
        self, figure: Figure, definition: MetricDefinition, frequency: str | None
    ) -> bool:
        """A month's rise or fall of a rate that has a month-on-month form, unless its words say
        year on year ("consumer prices rose 0.4 pct in February": the month's own change)."""
        return bool(
            frequency == "M"
            and figure.change
            and definition.month_change
            and not any(cue.search(figure.words.both) for cue in self.rules.year_on_year)
        )

    def _basis(self, figure: Figure, definition: MetricDefinition) -> str | None:
        """When the metric reads derived growth series (ledger/data/derived.toml), the figure's
        basis: year on year when its words say so, else its metric's (a quarter's growth is on
        the quarter before, as UK and European releases give it). None: any series will do."""
        if not any(code in derived_series() for code in definition.indicators):
            return None
        yoy = any(cue.search(figure.words.both) for cue in self.rules.year_on_year)
        return "yoy" if yoy else definition.basis

    def _series_of(
        self,
        definition: MetricDefinition,
        subject: str,
        basis: str | None,
        named: str | None = None,
    ) -> Series:
        """The metric's values for `subject` (of one basis, when given), indexed; kept in a
        bounded cache, as the references keep their values. A market's series stored under a
        country (`stored_under`: the BoE Millennium's annual crude price) join for the years the
        benchmark's own series lack (before EIA's daily prices begin), and for every year when
        the figure names no benchmark (`named` None): any crude's average may be the one meant."""
        key = (definition.id, subject, basis, named)
        found = self._series.get(key)
        if found is not None:
            self._series.move_to_end(key)
            return found
        derived = derived_series()
        stored_under = self.rules.stored_under.table()
        own = tuple(code for code in definition.indicators if code not in stored_under)
        values = [
            v for v in self.references.values(own, subject)
            if basis is None or v.indicator not in derived or derived[v.indicator].basis == basis
        ]  # fmt: skip
        if _market_quote(definition):
            years = {v.period for v in values if v.frequency == "A"}
            for code in definition.indicators:
                if code in stored_under:
                    values += [
                        v for v in self.references.values((code,), stored_under[code])
                        if named is None or v.frequency != "A" or v.period not in years
                    ]  # fmt: skip
        found = Series(values)
        self._series[key] = found
        if len(self._series) > CACHE_ENTRIES:
            self._series.popitem(last=False)
        return found

    def _own_franc(self, figure: Figure) -> str | None:
        """The franc of the country a figure is of ("ZURICH, April 7 - The dollar was trading
        between 1.5340 and 1.5475 francs": Swiss), when its words read as French francs but name
        no French franc; else None."""
        if figure.unit != "FRF" or figure.subject.code is None:
            return None
        said = figure.sentence[max(0, figure.offset - 20) : figure.end + 20]
        if _FRENCH.search(said):
            return None
        return self.rules.franc_of.table().get(figure.subject.code)

    def _benchmark_named(self, figure: Figure) -> str | None:
        """The crude benchmark a figure's words name nearest it (NOT_A_BENCHMARK for another
        crude or a product), else None; a dateline's city ("DUBAI, April 7 -") is where the
        story was filed, not a market named."""
        return _nearest_named(
            self.rules.benchmarks, replace(figure, sentence=_blank_dateline(figure.sentence))
        )

    def _refusal(self, figure: Figure, definition: MetricDefinition) -> str | None:
        """Why a figure is not compared with its metric's series, or None. A company's, a
        sector's or a region's figure is refused as such before a forecast is looked for:
        said of the future or not, it is never a national statistic's."""
        scope = self._scope_refusal(figure, definition)
        if scope:
            return scope
        forecast = is_forecast(figure, self.rules, definition.aggregation)
        if forecast:
            return f"forecast: {forecast}"
        if definition.aggregation == "point" and any(
            cue.search(figure.sentence[: figure.offset]) for cue in self.rules.period_elsewhere
        ):  # "In the same time span the Taiwan dollar rose to 36.77"
            return "a quote of a time another sentence names, not of a day the check can read"
        undated = figure.period is None or (
            figure.published is not None and figure.period == f"{figure.published:%Y-%m}"
        )  # none of its own: the month it was said in is the extractor's guess
        if (
            definition.aggregation == "point"
            and undated
            and any(cue.search(figure.sentence[: figure.offset]) for cue in self.rules.undated_past)
        ):  # "when crude oil was at 26 dlrs a barrel"
            return "a quote of a past time its sentence does not date, not of the day it was said"
        if _market_quote(definition) and undated and _long_move(figure):
            return (
                "one end of a move too large for a day's or a week's (one end more than "
                f"{_num(round((LONG_MOVE_HIGH_OVER_LOW - 1) * 100))}% above the other), which its "
                "sentence does not date: "
                "not the quote of the day it was said"
            )
        if (
            definition.measure == "level"
            and figure.change is not None
            and not (_market_quote(definition) == "currency" and self.since_month(figure))
        ):  # "The won has risen six pct against the dollar since September 1985" is read
            return "a change of a level: the series give levels"
        if definition.measure == "growth" and any(
            cue.search(f"{figure.sentence[: figure.offset]} {figure.words.after}")
            for cue in self.rules.nominal
        ):
            return "growth in current prices: the series give real growth"
        if definition.unit == "person" and _people(figure):
            return None
        if definition.unit and figure.unit != definition.unit:
            return f"in {figure.unit or 'no unit'}, the series in {definition.unit}"
        return None

    def _scope_refusal(self, figure: Figure, definition: MetricDefinition) -> str | None:
        """Why the figure is not the nation's (or its benchmark's): a company's, a sector's, a
        region's, a posted price; None when it is."""
        if definition.scope != "national":
            return f"a {definition.scope} figure: never compared with national statistics"
        market = _market_quote(definition)  # "In London, Brent fell to $49.74": its market
        if figure.subject_kind == "company" or (
            figure.subject_kind in ("organisation", "region") and not market
        ):
            # a market quote's series is its benchmark's or its currency's, whoever spoke of it
            # ("after Opec's comments, US light crude fell to $51.43"), but a price a company is
            # the subject of is its own: a posting, a bid, a contract, its shares' price
            return f"about a {figure.subject_kind}: never compared with national statistics"
        if any(cue.search(_cue_text(cue, figure)) for cue in self.rules.company_rate):
            return "a company's own rate or price: never compared with national statistics"
        if "E" in definition.undated and any(
            cue.search(_cue_text(cue, figure)) for cue in self.rules.money_market
        ):  # a policy rate's series is set by dated changes; a market's rate is not it
            return "a money-market or bill rate: never compared with the central bank's rate"
        if any(cue.search(figure.words.after) for cue in self.rules.instrument):
            return "a security's or another good's price: never compared with national statistics"
        if any(cue.search(self._scope_words(figure)) for cue in self.rules.sector):
            return "a sector's figure: never compared with national statistics"
        if definition.measure == "growth" and any(
            cue.search(figure.sentence[: figure.offset]) for cue in self.rules.moved_other
        ):
            return (
                "the change of another measure (earnings, wages, income, money supply) named "
                "before it"
            )
        if figure.subject.inferred and any(
            cue.search(figure.sentence) for cue in self.rules.region_named
        ):
            return "a region's figure (its sentence names the region, its story a country)"
        own = _blank_dateline(figure.clause)
        if not market and any(cue.search(own) for cue in self.rules.subnational):
            return "a regional or city figure: never compared with national statistics"
        if market == "oil" and self._not_a_benchmark(figure):
            return "another crude's or an oil product's price, or a posted one: never a benchmark's"
        return None

    def cross_quoted(self, figure: Figure) -> str | None:
        """The code of the currency a figure in one currency quotes the price of, neither the
        dollar (a cross rate), else None: the currency whose price its sentence gives, the last
        one named before the figure as no quote's unit nor a counter ("The Australian dollar was
        firmer at 1.2964 marks, 103.32 yen from 103.15"; not "the dollar rose against the yen to
        145 yen"), or the counter right after it ("103.62 yen to the Australian dollar"). A bare
        "franc" in a Swiss or Belgian story is that country's ("96.84 yen to the franc", filed
        from Zurich)."""
        if figure.unit in (None, "USD", "percent"):  # a move's percentage: `_moved_since`
            return None
        table = self.rules.currency_words.table()
        quoted = self.priced_before(figure.sentence[: figure.offset])
        counter = self.counter_after(figure.next_words)
        if counter:
            quoted = counter
        code = table.get(quoted.casefold(), "USD") if quoted else "USD"
        if code == "FRF" and figure.subject.code is not None and not _FRENCH.search(quoted or ""):
            code = self.rules.franc_of.table().get(figure.subject.code, code)
        return None if code in (figure.unit, "USD") else code

    def _cross_series(self, definition: MetricDefinition, unit: str, quoted: str) -> Series:
        """A cross rate's series: `unit` per `quoted`, the ratio of the two currencies' rates to
        the dollar in each month or year both are given (FRED: foreign currency per US$, the
        pound's too), so that "103.32 yen" to the Australian dollar is checked as yen per US$ over
        Australian dollars per US$. Each value says so in its indicator's name, which the check's
        explanation (and `--explain`) cites."""
        own, other = (self._series_of(definition, code, None) for code in (unit, quoted))
        values = []
        for frequency, listed in own.ordered.items():
            for value in listed:
                legs = [v for v in other.at(frequency, value.period) if v.value]
                if not legs or value.indicator != legs[0].indicator:
                    continue
                name = f"{value.indicator_name}: a cross rate, {unit} per US$ over {quoted} per US$"
                values.append(
                    value._replace(
                        indicator_name=name,
                        subject=f"{unit}/{quoted}",
                        value=value.value / legs[0].value,
                    )
                )
        return Series(values)

    def _currency_names(self) -> re.Pattern[str]:
        dollar = "|".join(f"(?:{cue.pattern})" for cue in self.rules.dollar_named)
        return _currency_names(tuple(self.rules.currency_words.table()), dollar)

    def priced_before(self, head: str) -> str | None:
        """The name of the last currency `head` names as what is priced: not a quote's unit
        ("1.2964 marks") nor a counter ("against the yen")."""
        quoted = None
        for named in self._currency_names().finditer(head):
            if not any(cue.search(head[: named.start()]) for cue in self.rules.currency_role):
                quoted = named.group(0)
        return quoted

    def counter_after(self, after: str) -> str | None:
        """The name of the currency a figure is priced in, named right after it ("to the
        Australian dollar", "against the dollar")."""
        counter = self._currency_names().search(after)
        before = after[: counter.start()] if counter else ""
        if counter and any(cue.search(before) for cue in self.rules.counter_after):
            return counter.group(0)
        return None

    def priced_in_dollars(self, sentence: str, start: int, end: int) -> str | None:
        """The code of the currency a bare number prices in dollars ("The won was fixed at
        804.90 against the dollar", "MIDRATE OF THE WON AT 844.30 TO THE DOLLAR"): the
        dollar named right after it as its counter, another currency before it as what is
        priced; else None."""
        table = self.rules.currency_words.table()
        counter = self.counter_after(sentence[end : end + NAMED_REACH])
        if counter is None or counter.casefold() in table:
            return None
        quoted = self.priced_before(sentence[:start])
        return table.get(quoted.casefold()) if quoted else None

    def _baselines_period(self, figure: Figure) -> bool:
        """The figure's period is the year named with the baseline of a move "from" it "to" the
        figure ("from around eight dollars in mid-1986 to around 18 dlrs"), not its own."""
        head = figure.sentence[: figure.offset]
        for cue in self.rules.baseline_period:
            found = _compiled(cue.pattern).search(head)
            if found and figure.period and figure.period in found.group():
                return True
        return False

    def _scope_words(self, figure: Figure) -> str:
        """Where a figure's sector is named: its own words before it, or, for a baseline it is
        compared with ("Industry grew 11.1 pct in 1986 compared with 6.6 pct in 1985"), its
        sentence up to it, where the figure it is compared with has its sector."""
        if any(cue.search(figure.words.before) for cue in self.rules.compared):
            return figure.sentence[: figure.offset]
        return figure.words.before

    def _not_a_benchmark(self, figure: Figure) -> bool:
        """Another crude or an oil product named nearest the figure, or a posted, official or
        OPEC price, a cost or a price a gallon in its sentence before it (or, for a cue `after`,
        in its words right after it: "the 18 dlr benchmark price")."""
        return self._benchmark_named(figure) == NOT_A_BENCHMARK or any(
            cue.search(_cue_text(cue, figure)) for cue in self.rules.not_a_market_price
        )

    def _series_subject(self, figure: Figure, definition: MetricDefinition) -> str | None:
        """The subject code a series is stored under: a country, or a currency or benchmark."""
        market = _market_quote(definition)
        if market == "currency":
            if figure.unit and figure.unit != "USD":
                return self._own_franc(figure) or figure.unit
            return _nearest_named(self.rules.currency_words, figure, self.rules.counter_after)
        if market == "oil":
            # no benchmark named: WTI, the US one news quoted before Brent's series begins
            return self._benchmark_named(figure) or "WTI"
        return figure.subject.code

    def _undated(
        self,
        figure: Figure,
        definition: MetricDefinition,
        undated: list[str],
        series: Series,
        subject: str,
        refutes: bool = True,
    ) -> list[Verdict]:
        """A figure with no period, taken to be about its publication date (marked inferred):
        each of the `undated` frequencies in turn (`refutes` off: values that miss it say "not
        settled")."""
        if figure.published is None:
            return [Verdict("ambiguous", "no period, and no publication date to infer one from")]
        day = figure.published
        rows: list[Verdict] = []
        for frequency in undated:  # a day's quote: the week's prices, or the months'
            window = _window(series, frequency, day)
            if window and frequency == "A":  # the year just over: revised as any year's figure
                inferred = f"period inferred from the publication date {day}: "
                rows += [
                    self._point(
                        figure, definition, value, "inferred-from-publication", refutes=refutes
                    )
                    for value in window
                ]
                rows = [row._replace(explanation=inferred + row.explanation) for row in rows]
            elif window:
                dated = f"period inferred from the publication date {day}"
                rows += self._range(figure, window, frequency, dated, refutes=refutes)
            if any(row.outcome == "consistent" for row in rows):
                break
        if rows:
            return rows
        wanted = "/".join(_FREQUENCY_WORDS.get(f, f) for f in undated) or "dated"
        return [
            Verdict(
                "no-reference",
                f"no period: taken as the {wanted} figure at {day}, and no such official value "
                f"for {subject}",
            )
        ]

    def _month_in_force(
        self, figure: Figure, series: Series, subject: str, month: str
    ) -> list[Verdict]:
        """A month's figure of a rate set by dated changes ("base rates were at 10 pct, early
        last October"): the rates in force at some time in that month."""
        window = series.before("E", f"{month}-01", 1) + series.between("E", month, f"{month}-~")
        if not window:
            return [Verdict("no-reference", f"no rate in force for {subject} in {month}")]
        return self._range(figure, window, "E", f"in force in {month}", "exact")

    def _quote_in(self, figure: Figure, series: Series, period: str) -> list[Verdict]:
        """A market's quote said of a month or a year, not its average ("the dollar rose above
        1.87 marks in March", "last year's peak of $55.67 a barrel"): a day's price in that
        period, judged against the period's daily prices, else the monthly averages of its
        months (and, for one month, those either side); [] when the series have neither."""
        try:
            first, last = period_months(period)
        except ValueError:
            return []
        return self._quote_over(figure, series, first, last, period)

    def _quote_over(
        self, figure: Figure, series: Series, first: int, last: int, period: str
    ) -> list[Verdict]:
        """`_quote_in` for the months `first` to `last` (counted from year 0), named `period`."""
        published = figure.published
        one_month = first == last
        so_far = published is not None and first <= published.year * 12 + published.month - 1 < last
        if published is not None and so_far:  # "early this year": up to its publication
            last = published.year * 12 + published.month - 1
            days = series.between("D", _month_label(first), published.isoformat())
        else:
            days = series.between("D", _month_label(first), _month_label(last) + "~")
        if days:
            return self._range(figure, days, "D", f"a quote of a day in {period}", "exact")
        if one_month:  # a span cut to its first month at publication is still that span's
            first, last = first - 1, last + 1
        months = series.between("M", _month_label(first), _month_label(last))
        if months:
            return self._range(figure, months, "M", f"a quote of a day in {period}", "exact")
        return []

    def _range(
        self,
        figure: Figure,
        window: list[OfficialValue],
        frequency: str,
        dated: str,
        match: str = "inferred-from-publication",
        *,
        refutes: bool = True,
    ) -> list[Verdict]:
        """The figure against the values around its publication date (or of the period it
        names: `dated` says which): consistent when it is one of them (within the tolerance),
        else inconsistent ("not settled" in its words when the values cannot refute it: `refutes`
        off)."""
        low, high = min(v.value for v in window), max(v.value for v in window)
        if figure.unit == "USD" and window[0].indicator == "FRED:EXCH":
            low, high = 1 / high, 1 / low  # "$1.29 to the euro": the series give euros per $
        quoted = _market_series(window[0].indicator)
        off = _off_the_level(
            figure.value, low, high, quoted or frequency == "E", _far_above(window[0].indicator)
        )
        if off:
            return [Verdict("no-reference", f"the series for {window[0].subject} are at {off}")]
        reach = Interval(low, high)
        slack = ""
        own = self.tolerance_pct
        if frequency != "D":
            # averages of months: a day's quote may lie a little outside all of them
            margin = self.tolerance_pct / 100
            reach = Interval(low * (1 - margin), high * (1 + margin))
            slack = f" (a day's quote: within {_num(self.tolerance_pct)}% of them)"
            if frequency == "M":
                # that margin is the quote's tolerance against averages, not added to its own:
                # "137.25 yen" on 27 April 1987 is 2.3% under May's 140.48, so not within 2%
                # of them; only its rounding and an "about" widen it
                own = 0.0
        inside = self._interval(figure, figure.value, own).meets(reach)
        outcome = "consistent" if inside else "inconsistent"
        said = "not settled" if outcome == "inconsistent" and not refutes else outcome
        first = window[0]
        periods = f"{first.period}..{window[-1].period}" if len(window) > 1 else first.period
        explanation = (
            f"{dated}: {_FREQUENCY_WORDS.get(frequency, frequency)} values for {first.subject} "
            f"{periods} range {_num(low)}-{_num(high)}{slack}; {first.citation()}; "
            f"{said}{_page(first)}"
        )
        near = min((low, high), key=lambda v: abs(v - figure.value))
        difference = _difference(figure.value, near) if not inside else 0.0
        return [Verdict(outcome, explanation, first, near, difference, match)]

    def _point(
        self,
        figure: Figure,
        definition: MetricDefinition,
        value: OfficialValue,
        match: str,
        *,
        refutes: bool = True,
    ) -> Verdict:
        """The figure against one official value of its period. Where the value cannot refute
        the figure (`refutes` off), a difference beyond the tolerance is said to be "not
        settled", not "inconsistent"."""
        try:
            other = self._in_figure_unit(figure, value)
        except ValueError as error:
            return Verdict("no-reference", f"{value.indicator}: {error}")
        signed = figure.value
        if definition.negate and _compiled(definition.negate).search(figure.clause):
            signed = -abs(signed)  # "a deficit of 4.5% of GDP" is a balance of -4.5
        part = abs(signed) < PART_OF_TOTAL * abs(other)
        # a flow's part: one partner, product or sector; a population's: a town, a group of
        # citizens ("Police arrested two Polish citizens")
        total = definition.aggregation == "flow" and figure.unit != "percent"
        if (total or definition.unit == "person") and part:
            why = (f"{value.indicator}: {_num(other)} for {value.subject} {value.period}; "
                   "the figure is less than half the national total: a part of it (one "
                   "partner, product or sector; one town or group), not the total")  # fmt: skip
            return Verdict("no-reference", why)
        # a count of people far above the nation's is another group's ("500 million people, or
        # about 10 pct of the world's population", in a story filed from Brazil)
        quoted = _market_series(value.indicator) or definition.unit == "person"
        off = _off_the_level(signed, other, other, quoted, _far_above(value.indicator))
        if quoted and off:  # "May crude closed 17 cents higher"
            return Verdict("no-reference", f"{value.indicator} for {value.subject} is at {off}")
        outcome = compare(self._interval(figure, signed), reference_interval(other, "exact"))
        difference = _difference(signed, other)
        reason = ""
        band = self.bands.get(value.indicator)
        if (
            outcome == "inconsistent"
            and band
            and band.allows(signed - other, other)
            and _revised_after(value, figure.published)
        ):
            outcome = "revised"
            reason = f"; within the {band.id} revision band ({_band_words(band)})"
        said = "not settled" if outcome == "inconsistent" and not refutes else outcome
        explanation = (
            f"{value.citation()}: {_num(other)} {figure.unit or value.unit} for {value.subject} "
            f"{value.period}; {said}{_signed(difference)}{reason}{_page(value)}"
        )
        return Verdict(outcome, explanation, value, other, difference, match)

    def _in_figure_unit(self, figure: Figure, value: OfficialValue) -> float:
        """The official value in the figure's unit: the same, a count of people, another
        currency (at the year's rate), or a dollar price of a currency FRED quotes per dollar."""
        if value.indicator == "FRED:EXCH":
            return 1 / value.value if figure.unit == "USD" else value.value
        if value.unit == figure.unit or (value.unit == "person" and _people(figure)):
            return value.value
        if figure.unit is None:
            raise ValueError(f"the figure has no unit, the series is in {value.unit}")
        return self.convert(value.value, value.unit, figure.unit, int(value.period[:4]))


_MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_FREQUENCY_WORDS = {"A": "annual", "H": "half-yearly", "Q": "quarterly", "M": "monthly",
                    "W": "weekly", "D": "daily", "E": "dated-change"}  # fmt: skip


def _far_above(indicator: str) -> float:
    """How many times every value of its days a figure must be to be another series' (an
    exchange rate's bar is lower: FAR_ABOVE_RATE)."""
    return FAR_ABOVE_RATE if indicator == "FRED:EXCH" else FAR_ABOVE


def subject_id(subject_ids: dict[str, str], name: str) -> str | None:
    """The subject a name of the subject table stands for, as written or with its spaces made
    one ("West\nGermany", a wire line's break inside the name)."""
    return subject_ids.get(name) or subject_ids.get(" ".join(name.split()))


def _off_the_level(
    value: float, low: float, high: float, quoted: bool, far: float = FAR_ABOVE
) -> str | None:
    """Why a level's figure is no level of its series (low-high): under half of it, a move of the
    price ("a 1.50 dlrs a barrel rise", "fell 6.60 won"); for a quote (`quoted`), over `far`
    times it, the price of something else. None when it is near enough to be compared.

    >>> _off_the_level(0.17, 18.6, 18.9, True)
    '18.6-18.9: the figure is less than half of that, a move of the price, not its level'
    >>> _off_the_level(805.5, 0.6, 0.628, True)
    '0.6-0.628: the figure is more than 3 times that, the price of something else'
    >>> _off_the_level(1.36, 0.6, 0.628, True, FAR_ABOVE_RATE)
    '0.6-0.628: the figure is more than 2 times that, the price of something else'
    >>> _off_the_level(18.0, 18.6, 18.9, True) is None
    True
    """
    levels = f"{_num(low)}-{_num(high)}" if low != high else _num(low)
    if abs(value) < PART_OF_TOTAL * low:
        return f"{levels}: the figure is less than half of that, a move of the price, not its level"
    if quoted and abs(value) > far * high:
        times = f"more than {_num(far)} times that"
        return f"{levels}: the figure is {times}, the price of something else"
    return None


def _long_move(figure: Figure) -> bool:
    """The figure is one end of a move whose other end is named beside it ("prices collapsed from
    about 28 dlrs a barrel to below nine dlrs", "the fall in oil prices to around 12 dlrs from 25
    dlrs") and one end is more than 30% above the other (LONG_MOVE_HIGH_OVER_LOW): a move of
    months or years, not a day's, so neither end is the price of the day it was said, unless the
    sentence says it is now ("has fallen to 145 yen from 240", "now").

    >>> words = FigureWords("collapsed from about 28 dlrs a barrel to ", "")
    >>> _long_move(Figure(9, None, "less_than", "USD", None, "oil_price", None, None, words,
    ...     "", Subject(None), "", sentence="Prices collapsed from about 28 dlrs a barrel to "
    ...     "below nine dlrs.", offset=48, end=62))
    True
    """
    head = figure.sentence[max(0, figure.offset - NAMED_REACH) : figure.offset]
    if _NOW.search(figure.sentence[: figure.offset]):
        return False
    other = _MOVE_AFTER.match(figure.next_words) or _MOVE_BEFORE.search(head)
    if other is None:
        return False
    said = other.group("value").casefold().replace(",", "")
    value = _NUMBER_WORDS[said] if said in _NUMBER_WORDS else float(said)
    low, high = sorted((abs(value), abs(figure.value)))
    return low > 0 and high / low > LONG_MOVE_HIGH_OVER_LOW


def _market_series(indicator: str) -> bool:
    """Whether an indicator's values are a market's quotes (FRED's exchange rates, EIA's crude
    prices), whose levels a figure far above is no quote of."""
    return (
        indicator == "FRED:EXCH"
        or indicator.startswith("EIA:")
        or indicator in checking_rules().stored_under.table()
    )


def _cue_text(cue: Cue, figure: Figure) -> str:
    """Where a cue about what a figure is (a company's price, a posting) is searched: its words
    right after it for an `after` cue, else its sentence up to it."""
    return figure.words.after if cue.where == "after" else figure.sentence[: figure.offset]


def _market_quote(definition: MetricDefinition) -> str | None:
    """Which market's quotes a metric is checked against (oil: EIA spot prices, currency: FRED
    rates), else None."""
    if any(code.startswith("EIA:") for code in definition.indicators):
        return "oil"
    return "currency" if "FRED:EXCH" in definition.indicators else None


def _nearest_named(
    words: WordTable, figure: Figure, counters: list[Cue] | None = None
) -> str | None:
    """The code of the table's word nearest the figure: the last one in its sentence before it
    ("one euro worth $1.32, and one pound buying $1.91": each rate its own currency), else the
    first after it ("$1.2944 against the euro"); with `counters`, one after it only when the
    words between are one of them (not the sterling of "1.76 dlrs a lb in 1986, assuming a
    sterling rate of 1.55 dlrs")."""
    pattern = words.pattern()
    head = figure.sentence[max(0, figure.offset - NAMED_REACH) : figure.offset]
    before = list(pattern.finditer(head))
    found: re.Match[str] | None
    if before:
        found = before[-1]
    elif counters is None:
        found = pattern.search(figure.sentence, figure.offset, figure.offset + NAMED_REACH)
    else:
        after = figure.next_words
        found = pattern.search(after)
        if found and not any(cue.search(after[: found.start()]) for cue in counters):
            found = None
    return words.table()[found.group(0).casefold()] if found else None


def _quoted_on_the_day(figure: Figure, definition: MetricDefinition) -> bool:
    """A price or a rate of a point in time whose period holds its publication date ("the dollar
    closed at 153.40 yen", dated this month) is the day's quote: it is judged as one, against
    the week's prices or the months around it, not against the month's average alone."""
    if definition.aggregation != "point" or figure.published is None:
        return False
    if figure.period is None or "/" in figure.period:
        return False  # a span ("between March 31, 1987 and March 31, 1989"): a term, not a day
    end = period_end(figure.period)
    return end is not None and _period_first_day(figure.period) <= figure.published <= end


def _whole_percentage(figure: Figure, value: float) -> bool:
    """An exact whole percentage written with no digit after the point ("20 pct", "5%")."""
    return (
        figure.unit == "percent"
        and figure.bound == "exact"
        and figure.value_high is None
        and figure.place is None
        and value == int(value)
    )


def _rounded_to_the_unit(figure: Figure, value: float) -> bool:
    """An exact whole percentage whose last digit is not a zero ("two pct", "5%"), whose half
    unit may be more than the approximate tolerance allows; not "20%" (its half unit is within
    it: `_whole_percentage`), nor "2.0%", written to the tenth.

    >>> words = FigureWords("grew ", "")
    >>> figure = Figure(2.0, None, "exact", "percent", None, "gdp_growth", "1986", None, words,
    ...                 "", Subject("FRA"), "country")
    >>> _rounded_to_the_unit(figure, 2.0), _rounded_to_the_unit(figure, 20.0)
    (True, False)
    """
    return _whole_percentage(figure, value) and int(value) % 10 != 0


def _people(figure: Figure) -> bool:
    """A count of people is in persons whatever noun it counts ("127 million", "people")."""
    return (figure.unit or "person") in {"person", "people", "inhabitant", "resident", "citizen"}


def _mean_of_months(series: Series, period: str) -> list[OfficialValue]:
    """A year's, a half-year's or a quarter's average of a level from its monthly averages, where
    a series has months and no value of that period (FRED's marks, pounds and francs by year; any
    rate by half-year or quarter), one per dataset and indicator, only when every month of it is
    there; named as the span of months it averages, so the check never cites a value no file
    holds."""
    try:
        first, last = period_months(period)
    except ValueError:
        return []
    frequency, name = {11: ("A", "year"), 5: ("H", "half-year"), 2: ("Q", "quarter")}.get(
        last - first, ("M", "month")
    )
    months: dict[tuple[str, str], list[OfficialValue]] = defaultdict(list)
    for value in series.between("M", _month_label(first), _month_label(last)):
        if value.status == "actual":
            months[(value.dataset.id, value.indicator)].append(value)
    count = last - first + 1
    span = f"{_month_label(first)}/{_month_label(last)}"
    return [
        found[0]._replace(
            period=span,
            frequency=frequency,
            value=round(sum(v.value for v in found) / len(found), 6),
            indicator_name=f"{found[0].indicator_name}, the mean of the {name}'s {count} months",
        )
        for found in months.values()
        if len(found) == count
    ]


def _projection(value: OfficialValue) -> bool:
    """An estimate the publisher made for a year not over when its data were released: a
    forecast in the data, not a fact to check against."""
    return value.status == "estimate"


def _revised_after(value: OfficialValue, published: date | None) -> bool:
    """True when the series was released after the claim was published (or either is unknown)."""
    vintage = value.dataset.vintage
    if not vintage or not published:
        return True
    return vintage[:10] > published.isoformat()[: len(vintage[:10])]


def _window(series: Series, frequency: str, day: date) -> list[OfficialValue]:
    """The values of one frequency around a publication date: the week before it for daily
    prices, the month and those either side for monthly averages, the last two quarters over
    (the one just released, and the one before), the rate in force, the one the day before (a
    story filed on the day of a cut may quote the rate before it: "base lending rates fell ... on
    March 9 to the current 10.5 pct", dated March 18, the day of the next cut) and any change in
    the week before for dated changes, the last year over for annual ones."""
    if frequency == "D":
        return series.between("D", (day - DAY_WINDOW).isoformat(), day.isoformat())
    if frequency == "M":  # none if the series begins after the day's month (Brent's, May 1987)
        months = series.between("M", _shift(day, -1), _shift(day, 1))
        return months if any(v.period <= _shift(day, 0) for v in months) else []
    if frequency == "Q":
        return series.before("Q", f"{day.year}-Q{(day.month - 1) // 3 + 1}", 2)
    if frequency == "E":
        in_force = series.before("E", day.isoformat() + "~", 1)  # "~" sorts after any date
        eve = series.before("E", (day - timedelta(days=1)).isoformat() + "~", 1)
        recent = series.between("E", (day - DAY_WINDOW).isoformat(), day.isoformat())
        rates = dict.fromkeys(eve + in_force + recent)  # a change on the day is in two
        return sorted(rates, key=lambda v: v.period)
    if frequency == "A":  # the year just over: the year of publication is not over
        return [v for v in series.at("A", str(day.year - 1)) if v.status == "actual"]
    return []


def _shift(day: date, months: int) -> str:
    return _month_label(day.year * 12 + day.month - 1 + months)


def _month_label(index: int) -> str:
    """A month counted from year 0 (as `period_months` counts) as its label.

    >>> _month_label(2004 * 12 + 9)
    '2004-10'
    """
    return f"{index // 12}-{index % 12 + 1:02d}"


def _difference(claimed: float, other: float) -> float | None:
    """How far `other` is from the claim, in percent of the claim."""
    return None if claimed == 0 else round((other - claimed) / abs(claimed) * 100, 2)


def _num(value: float) -> str:
    return f"{value:.6g}"


def _article(word: str) -> str:
    """
    >>> _article("annual"), _article("monthly")
    ('an', 'a')
    """
    return "an" if word[:1] in "aeiou" else "a"


def _page(value: OfficialValue) -> str:
    """Where the value can be seen, closing a check's explanation (the attribution its licence
    asks for: publisher, dataset, vintage and licence come before it)."""
    return f"; source {value.page}" if value.page else ""


def _signed(difference: float | None) -> str:
    return "" if difference is None else f" ({difference:+.1f}%)"


def _band_words(band: RevisionBand) -> str:
    parts = []
    if band.absolute:
        parts.append(f"±{band.absolute:g}")
    if band.relative:
        parts.append(f"±{band.relative:g}%")
    return " or ".join(parts)


_PARAGRAPH = re.compile(r"\n[ \t]*\n|\n(?=[ \t]{2,}\S)")  # a blank line, or a wire's indent


class SourceContext:
    """Where a figure whose sentence names no subject takes one from: the countries (and groups)
    named earlier in its paragraph, else in the headline, else earlier in the story, else the
    dateline's city. Companies and organisations are never taken: a national figure is about a
    place."""

    def __init__(
        self,
        text: str,
        subject_pattern: Any,
        subject_ids: dict[str, str],
        places: set[str],
        not_a_place: list[Cue] = [],  # noqa: B006 (never mutated)
    ) -> None:
        self.text = text
        self.headline_end = text.find("\n") if "\n" in text else len(text)
        headline = text[: self.headline_end]
        # a wire headline in capitals ("CHILEAN GDP UP 5.7 PCT IN 1986") is also read with its
        # words capitalised as the story writes names ("Chilean"); offsets stay the same
        readings = [text]
        if headline.isupper():
            readings.append(" ".join(word.capitalize() for word in headline.split(" ")))
        found = {
            (m.start(), subject_id(subject_ids, m.group()))
            for reading in readings
            for m in subject_pattern.finditer(reading)
            if not any(
                cue.search(reading[m.end() : m.end() + NOT_A_PLACE_REACH]) for cue in not_a_place
            )
        }
        self.found = sorted((at, name) for at, name in found if name in places)
        self.breaks = [m.end() for m in _PARAGRAPH.finditer(text)]
        dateline = _DATELINE.search(text[:400])
        self.dateline = dateline.group(1).strip() if dateline else None

    def subject_at(self, offset: int, datelines: dict[str, str]) -> tuple[str | None, str, str]:
        """(subject name or None, subject code or None, how it was found) for a figure at
        `offset`; the code is set only for a dateline (which names a city, not a subject)."""
        paragraph = max((b for b in self.breaks if b <= offset), default=0)
        before = [name for at, name in self.found if at < offset]
        in_paragraph = [name for at, name in self.found if paragraph <= at < offset]
        if in_paragraph:
            return in_paragraph[-1], "", "paragraph"
        headline = [name for at, name in self.found if at < self.headline_end]
        if headline:
            return headline[0], "", "headline"
        if before:
            return before[0], "", "story"
        code = datelines.get(self.dateline or "")
        if code:
            return None, code, f"dateline {self.dateline}"
        return None, "", ""

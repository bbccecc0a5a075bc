"""Load the extractor's rule files (ledger/rules/*.toml), validate them and compile them once.

The rules are data: a user adds a currency, a unit or a metric by editing TOML, never Python.
Every file is validated by a pydantic model with `extra="forbid"`, so a misspelt key or a
pattern that refers to an unknown piece fails loudly at load time (`RulesError`).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ledger.case_pins import pin_caseless_sets
from ledger.gates import EdgeGates as EdgeGates
from ledger.gates import Gated as Gated
from ledger.gates import last_letters as last_letters
from ledger.gates import norm as norm
from ledger.models import Bound, Change, Kind, validation_message
from ledger.sentences import boundary_pattern
from ledger.subjects import country_names
from ledger.watchdog import budget_paused

if TYPE_CHECKING:
    from ledger.zh_rules import ZhRules

RULE_FILES = (
    "patterns",
    "numbers",
    "currencies",
    "units",
    "qualifiers",
    "cues",
    "subjects",
    "metrics",
    "restatements",
)
_REF = regex.compile(r"\{([a-z_]+)\}")
# {&name}: the piece called, not written in (see _source)
_CALL = regex.compile(r"\{&([a-z_]+)\}")
_CODE = regex.compile(r"[\p{L}.]+")  # a currency prefix in letters: RMB, U.S.
_GLUED = regex.compile(r"[\p{L}.]+[^\p{L}\d\s.]")  # letters glued to a symbol: HK$, R$
# a space or hyphen in a rule's words: \s is any Unicode space (no-break and thin ones too)
_SPACE, _HYPHEN = r"[\s\-‑]+", r"[\s\-‑]*"
_WHITESPACE = r"\s+"  # a space in a change cue's words (see _cue_regex)
Pattern = regex.Pattern[str]
FLAGS = regex.VERBOSE  # VERSION0: VERSION1 with IGNORECASE folds full case, ~5x slower


# The contract between the rule files and the extractor's Python, in one place: every pattern
# id it reads from patterns.toml with the named groups it reads of each, the groups it reads of
# the cues of cues.toml, and the unit words it looks up. `check_contract` holds the files to it
# when they load, so a rules folder that lacks one fails there with one line, not in extract.
_SCAN_GROUPS = (
    "skip",
    "first",
    "unit",
    "second",
    "unit2",
    "sep",
    "neg",
    "mult",
    "frac",
    "named",
    "vague",
)
PATTERN_GROUPS: dict[str, tuple[str, ...]] = {
    "anchor": (),  # where a figure can start: digits
    "anchor_point": (),  # ... a decimal point with no whole part
    "anchor_word": (),  # ... and number words
    "scan": _SCAN_GROUPS,
    # the scan as it reads at a digit: the same groups, as the reader asks every match for them
    "scan_digits": _SCAN_GROUPS,
    # ... read in two steps: the figure up to its scale word (the same groups), then what follows
    # it if anything can
    "scan_digits_head": _SCAN_GROUPS,
    "scan_head": _SCAN_GROUPS,  # ... and so is scan, at a word or a symbol
    "figure_tail": ("scale", "unit", "sep", "second", "unit2"),
    "figure_tail_unranged": ("scale", "unit", "ranged"),  # ... where no range may follow
    "figure_tail_start": (),  # asked, not run: whether the word after the digits starts a tail
    "figure_end": (),  # where a figure with no tail may end
    "figure": (),  # a piece of scan and and_range
    "unit": (),  # a unit right after a year: "2020 tonnes" is no lone year
    "scale": (),  # ... nor is "2020 million"
    "before": ("qual", "code", "glue", "minus"),
    "noun_after": ("w1", "w2", "w3", "w4", "open", "close"),
    "and_range": ("second", "unit2"),
    "ratio_after": ("den",),
    "listed_ahead": (),
    "metre_size_after": (),
    "metre_size_before": (),
    "accounting_negative": (),
    "money_tail": ("scale", "minor"),
    "measure_tail": ("mword", "minor"),
    "date_before": (),
    "date_after": (),
    "time_after": (),
    "age_before": (),  # "aged 34", "at the age of 22": an age, with no noun after it
    "age_group_before": (),  # "children under five": an age group, in years
    "fraction_point_after": (),  # "1/2 point over LIBOR": percentage points
    "spread_after": (),  # "1-1/8 pct over Libor": a margin, in percentage points
    "multiple_as_modifier": (),  # "a double eviction": an adjective, no figure
    "multiple_verb_before": (),  # "to double output": a verb, a figure
    "partitive_after": (),  # "23 of the 77 cases": the noun after "of the" is counted
    "elided_subject_after": (),  # "The 12 affected by the ruling": a count of what was named
    "remainder_before": (),  # "the remaining 11", "all but 92": a part of a whole counted
    "list_item_before": (),  # "and one from Marsh": a list's item whose noun is left out
    "list_item_after": (),  # ... and the words it goes on with
    "list_gap_figure": (),  # ... with no other figure between it and the list's first item
    "number_of_before": ("noun", "people"),  # "the number of hotspots ... reach 200,000": hotspots
    "month_near_before": (),  # "February 21 through 28 were": a day, not an elided subject
    "age_apposition": (),  # "Liam Mower, 12,": an age after a person's name
    "rank_before": (),  # "the top three companies": a rank, not a count
    "label_before": ("cap",),
    "person_before": ("who",),
    "source_name": (),  # a piece of the attribution cues
}
# the source's name, or a pronoun ("he said") resolved to the last person named
ATTRIBUTION_GROUPS = (("who", "pronoun"),)
# the organisation a subject-name cue finds
SUBJECT_NAME_GROUPS = ("name",)
# the groups a period cue of each kind reads its value from: at least one of each tuple
PERIOD_GROUPS: dict[str, tuple[tuple[str, ...], ...]] = {
    # a year, and with `fy` one written across two ("1986/87": FY1987), with `end` an interval
    "year": (("year",),),
    "quarter": (("q", "qword"),),
    "half": (("h", "hword"),),
    "month": (("month",),),
    "relative": (("relword",), ("relunit",)),
    # a company's own year ("FY2024", "fiscal 1985/86"), and its quarter when named ("Q2 FY2024")
    "fiscal": (("fy",),),
    # the quarter that ends in a month: "the quarter to end December 31" is Q4
    "quarter_end": (("month",),),
    # the time of writing: "today", "currently" (the publication date's year)
    "now": (),
    # a step from the sentence's own period: "a year earlier", "the following year"
    "shift": (("shiftunit",), ("shiftdir",)),
    # a company's year named by the month it ended in: "the year ended March 31"
    "fiscal_end": (("month",),),
    # a date that dates no figure: "the week ended March 21", "April crude"
    "none": (),
    # the whole years before the publication year: "for the past three years" (2021: 2018/2020)
    "past_years": (("count",),),
}
# a lone fraction of a whole is a percent, "1/2 point" a percentage point; "800m" is metres
UNIT_WORDS = ("percent", "percentage points", "metres")


class RulesError(ValueError):
    """A rule file is missing, malformed or refers to something that does not exist."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ValueExample(_Strict):
    """A text and what the extractor reads from it first. `kind` and `unit` are given where the
    rule does not fix them itself (a scale, a qualifier: see tests/test_rules.py)."""

    text: str
    value: float
    kind: Kind | None = None
    unit: str | None = None


class PatternRule(_Strict):
    id: str
    comment: str = Field(min_length=3)
    regex: str
    case_sensitive: bool = False
    # compiled the first time the extractor asks for it, not at load: a pattern few texts need
    # (and_range, after "between") or one it only uses inside others (figure)
    lazy: bool = False
    # the spaces and hyphens of its word trees called as one piece each, not written in where
    # each word has one (see _source): for a pattern that reaches few of its tree's words
    call_spaces: bool = False
    examples: list[str] = Field(min_length=1)
    counter_examples: list[str] = []


class ScaleRule(_Strict):
    id: str
    comment: str = Field(min_length=3)
    words: list[str]
    glued_words: list[str] = []
    factor: float
    examples: list[ValueExample] = Field(min_length=1)


class NumberWords(_Strict):
    comment: str
    examples: list[ValueExample] = Field(min_length=1)
    units: dict[str, float]
    teens: dict[str, float]
    tens: dict[str, float]
    scaled_only: dict[str, float]
    added: dict[str, float] = {}  # after a whole number word: "two and a half"


class MetreDistances(_Strict):
    comment: str
    values: list[str]
    examples: list[ValueExample] = Field(min_length=1)


class _WordsRule(_Strict):
    """A rule of words with a value of their own, checked by its examples."""

    id: str
    comment: str = Field(min_length=3)
    words: list[str] = Field(min_length=1)
    examples: list[ValueExample] = Field(min_length=1)


class FractionRule(_WordsRule):
    percent: float


class VagueRule(_WordsRule):
    """A plural number word that names an order of magnitude ("dozens of"): a range, approx."""

    low: float
    high: float


class MultipleRule(_Strict):
    id: str
    comment: str = Field(min_length=3)
    words: list[str] = []
    factor: float | None = None
    factors: dict[str, float] = {}
    change: Change | None = None
    examples: list[ValueExample] = Field(min_length=1)


class CurrencyRule(_Strict):
    id: str = Field(pattern=r"^[A-Z]{3}$")
    comment: str = Field(min_length=3)
    iso_4217: bool = True  # false for a code in use that ISO does not list (BTC)
    prefixes: list[str]
    words: list[str]
    examples: list[ValueExample] = Field(min_length=1)


class ContextChoice(_Strict):
    code: str = Field(pattern=r"^[A-Z]{3}$")
    cue: str


class CurrencyContext(_Strict):
    id: str
    comment: str = Field(min_length=3)
    symbol: str
    default: str = Field(pattern=r"^[A-Z]{3}$")
    rules: list[ContextChoice]
    examples: list[ValueExample] = Field(min_length=1)


class CurrencyWordChoice(_Strict):
    code: str = Field(pattern=r"^[A-Z]{3}$")
    names: list[str] = Field(min_length=1)  # matched as words, in their case


class CurrencyWordContext(_Strict):
    """A currency word several currencies write ("dlrs"): the choice whose name comes first in
    the sentence gives the currency, unless a name of `unless` is there too; else the word's own
    currency stands."""

    id: str
    comment: str = Field(min_length=3)
    words: list[str] = Field(min_length=1)
    unless: list[str] = Field(min_length=1)
    choices: list[CurrencyWordChoice] = Field(min_length=1)
    # where the sentence names no choice and no `unless`, the story's headline and first lines
    # decide as the sentence would have ("SWISS SIGHT DEPOSITS FALL ... reserves rose by 9.4
    # mln francs"): wire copy names the country once, at the top
    story: bool = False
    examples: list[ValueExample] = Field(min_length=1)


class WordContext(_Strict):
    id: str
    comment: str = Field(min_length=3)
    words: list[str] = Field(min_length=1)
    cue: str
    kind: Kind
    unit: str
    examples: list[ValueExample] = Field(min_length=1)


class UnitRule(_Strict):
    id: str
    comment: str = Field(min_length=3)
    kind: Kind
    unit: str
    factor: float = 1.0
    words: list[str]
    symbols: list[str]
    # symbols that are also common words, each with the regex that must follow it for it to be
    # the unit: "2 in thick" (but "2 in March")
    guarded: dict[str, str] = {}
    # a smaller unit that may follow, and its factor into this one: 5 feet 2 inches
    minor: dict[str, float] = {}
    examples: list[ValueExample] = Field(min_length=1)


class NounRules(_Strict):
    comment: str
    irregular: dict[str, str]
    adjectives: list[str]
    attributive: list[str] = []  # plurals that describe the plural after them ("drugs tests")
    not_nouns: list[str] = []  # words after "a 12" that are not its noun ("a 5,000 strong crowd")
    # words that make a measure's word another unit ("long tons", "nautical miles"): a counted
    # noun ending in a measure's word is that measure only without one of them
    measure_qualifiers: list[str] = []
    time_nouns: list[str]
    # the time nouns that measure a span ("for 16 years", "a 41-year high"): a duration claim;
    # the other time nouns ("round", "night", "o'clock") make no claim
    durations: list[str]
    stop: list[str]
    examples: list[ValueExample] = Field(min_length=1)


class QualifierRule(_Strict):
    id: str
    comment: str = Field(min_length=3)
    bound: Bound
    words: list[str] = Field(min_length=1)
    examples: list[ValueExample] = Field(min_length=1)


class ChangeCue(_Strict):
    id: str
    comment: str = Field(min_length=3)
    direction: Change
    where: Literal["before", "after"]
    regex: str
    # word lists the regex refers to as {name}, written in as a tree (see _cue_regex)
    words: dict[str, list[str]] = {}
    increase_verbs: list[str] = []
    # the cue counts only after a figure in one of these units ("30% more", not "five more
    # replacements"); every figure when empty
    units: list[str] = []
    # nor after a figure in one of these ("105 basis points above Treasuries" is a spread, "32
    # kilometres above Whakatane" a place)
    except_units: list[str] = []
    # nor of these kinds, before or after the figure (its kind is known when its claim is read):
    # "a loss of $387m" is a level of money, "a loss of 2 pct" a change
    except_kinds: list[Literal["money", "percent", "measure", "count", "multiple", "duration"]] = []
    # lower-case words of which its sentence must hold one: a cue with triggers is tried only
    # there, and only where the cues without triggers found none (a cue before the figure is
    # read backwards at every figure, so a rarer or costlier one waits for its words)
    triggers: list[Annotated[str, Field(pattern=r"^[a-z]+$")]] = []
    examples: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _units_only_after(self) -> ChangeCue:
        # a cue before the figure is read before its unit is known (extraction's _change_before)
        if self.where == "before" and (self.units or self.except_units):
            raise ValueError(f"{self.id}: units and except_units apply to a cue after the figure")
        return self


# Lower-case strings of which a sentence (lower-cased) must also hold one for a rule to be tried,
# besides its trigger word: what every match of its regex holds ("year", "quarter" or "month" for
# "last year"; "rate" for a central bank's rate), so that a sentence with "last" or "bank" alone
# is not searched. Read in ASCII sentences only (sentence_fields.holds_also).
Also = list[Annotated[str, Field(pattern=r"^[^A-Z]+$")]]


def _check_trigger_fields(rule: RegexCue | MetricRule) -> None:
    """The fields a cue and a metric share that say where they are tried: each example holds
    one of `also`, and opens_with_trigger has triggers to open with."""
    missed = [e for e in rule.examples if not any(a in e.lower() for a in rule.also)]
    if rule.also and missed:
        raise ValueError(f"{rule.id}: example(s) {missed} hold none of `also` {rule.also}")
    if rule.opens_with_trigger and not rule.triggers:
        raise ValueError(f"{rule.id}: opens_with_trigger needs triggers to open with")
    if getattr(rule, "closes_with_trigger", False) and not rule.triggers:
        raise ValueError(f"{rule.id}: closes_with_trigger needs triggers to close with")


class RegexCue(_Strict):
    id: str
    comment: str = Field(min_length=3)
    regex: str
    # lower-case words of which one must be in the sentence for the cue to be tried at all
    triggers: list[str] = []
    # strings of which the sentence must hold one for the cue to be tried ("<" for a wire
    # story's brackets, "19" or "20" for a year): what its trigger words cannot say
    needs: list[str] = []
    also: Also = []
    # every match opens with one of the trigger words, a word of its own ("according to", "firm
    # Granitco"): the cue is then tried only where one stands, not searched through the sentence
    # (sentence_fields._trigger_starts)
    opens_with_trigger: bool = False
    # every match ends with one of the trigger words, or the word after one ("told reporters"):
    # the cue is searched no further than the word after the last one in the sentence
    # (sentence_fields._trigger_end)
    closes_with_trigger: bool = False
    examples: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _tried_where_it_can_match(self) -> RegexCue:
        _check_trigger_fields(self)
        return self


class AttributionCue(RegexCue):
    """A cue that finds who a figure is attributed to (see [[attribution]] in cues.toml)."""

    # the source is cited for the figure ("according to the World Bank", "a report by KPMG"),
    # so it is no subject of it
    cites: bool = False
    # the cue's words say the source is an organisation ("a Nissan spokeswoman said", "the DIW
    # economic institute said"), whatever its name reads as
    organisation: bool = False
    # the name may be a place or its people's ("A Brazilian farm federation said"), who speak
    # for no body there: a name the subject table lists is then left out
    may_be_place: bool = True
    # word lists the regex refers to as {name}, written in as prefix trees matched in the case
    # written (a source's verbs are lower-case: "United States" is no "United ... states")
    words: dict[str, list[str]] = {}


class SubjectNameCue(RegexCue):
    """A cue that names an organisation a sentence is about (see [[subject_name]] in cues.toml)."""

    # the cue also catches people ("Gordon Brown's plans"): a name that reads as a person's
    # (two to four capitalised words) is then left out
    may_be_person: bool = False
    # the cue also catches places and their peoples ("500 mln Japanese shares"), which name no
    # organisation there: a name the subject table lists is then left out
    may_be_place: bool = True
    # word lists the regex refers to as {name}, written in as a prefix tree (see trie)
    words: dict[str, list[str]] = {}
    # the words right before a match that belong to it ("Swiss cement" before "firm Granitco"),
    # read backwards from where it starts: kept out of the pattern so that it starts at a word
    lead: str | None = None
    # for a cue whose first alternative opens the sentence (\A, see past_head): lower-case words
    # of which one must be in the sentence for it to be searched past its start, the words its
    # other alternatives open with; without one it is tried at the start alone
    past_head_triggers: list[str] = []


PeriodKind = Literal[
    "year",
    "quarter",
    "half",
    "month",
    "relative",
    "fiscal",
    "fiscal_end",
    "quarter_end",
    "now",
    "shift",
    "none",
    "past_years",
]


class PeriodRule(RegexCue):
    """A period cue, and which kind of period it names: its value is read from its named groups
    (PERIOD_GROUPS says which), so a new rule of a known kind needs no Python."""

    period: PeriodKind


class PeriodWords(_Strict):
    """The words of periods: month names, ordinals of quarters and halves, relative words."""

    comment: str
    months: dict[str, int]  # "sept" -> 9
    ordinals: dict[str, int]  # "second" -> 2 ("second quarter", "second half")
    relative: dict[str, int]  # "last" -> -1: the step from the publication date
    shifts: dict[str, int]  # "earlier" -> -1: the step from the sentence's own period
    future: frozenset[str]  # "will": a month later in the year than the story is this year's
    day_ends: frozenset[str]  # "ended": a day after it ends a period, and keeps its month


class PeriodSpan(_Strict):
    """Two period cues that make one interval ("from 2010 to 2020", "between the second half of
    2022 and the first half of 2024"): what opens it before the first, what joins the two."""

    comment: str
    opens: str  # a regex that ends where the first cue starts
    joins: str  # a regex for the whole text between the two cues
    examples: list[str] = Field(min_length=1)


class PeriodReach(_Strict):
    """How far after a figure its period is looked for (see [period_reach] in cues.toml)."""

    comment: str
    within: str  # a regex: where a figure's own words stop
    clause: str  # a regex: where a period closing the clause stops covering earlier figures
    when: str  # a regex right after a cue: the clause it opens is that period's ("in 1974 when")
    owned: str  # a regex for all between a cue and a figure that is the cue's ("1986's 2.5 pct")
    # a regex: what parts a month's or a quarter's clause from the future words of another
    future_apart: str
    change_from: str  # a regex ending where a change's starting figure begins ("down from ")
    change_words: list[str]  # the words of change_from, one of which its every match holds
    # a regex ending where a comparison's figure begins ("compared with "): a cue right after
    # that figure's words is its own
    baseline_figure: str
    revision_words: list[str]  # a sentence that revises a figure: its old one is of its period
    examples: list[str] = Field(min_length=1)


class AttributionWords(_Strict):
    """Words around a source's name (see [attribution_words] in cues.toml)."""

    comment: str
    titles: list[str] = Field(min_length=1)  # "Dr." also matches "Dr"
    not_sources: list[str]
    people: list[str] = []  # no organisation when the whole name: "Shareholders will receive"
    # page furniture a name may run into ("Share on Facebook Share on X ... KPMG said"): stripped
    # from the start of a source, each a regex
    furniture: list[str] = []
    organisations: list[str]
    capitalised_only: list[str]  # subject ids


class SubjectSelf(_Strict):
    """An organisation a sentence opens with, speaking of itself (see [subject_self])."""

    comment: str
    regex: str
    suffixes: list[str]  # legal suffixes dropped from the name: Inc, Corp, PLC
    # lower-case words of which one must be in the sentence for the regex to be tried at all
    triggers: list[str] = []
    # a lone common noun, lower-case, that names no organisation in particular ("The Bank said")
    generic: list[str] = []
    examples: list[str] = Field(min_length=1)


class ComparisonWords(_Strict):
    """What makes a figure's sentence a comparison (see [comparison] in cues.toml)."""

    comment: str
    words: list[str] = Field(min_length=1)
    phrases: str  # a regex of the phrases of several words
    triggers: list[str]  # one of them is in every phrase: the phrases are tried only then


class WordTable(_Strict):
    comment: str
    words: list[str] = Field(min_length=1)


class ChangeNouns(_Strict):
    """Nouns of a change a figure sizes inside a noun phrase an article or a possessive opens,
    right after the figure or one word on ("a 3.8% boost", "a 30 pct tariff increase")."""

    comment: str
    increase: list[str] = Field(min_length=1)
    decrease: list[str] = Field(min_length=1)
    determiners: list[str] = Field(min_length=1)  # one of the two words before the figure
    # words that end the phrase, so a noun after them is not the figure's ("two countries to
    # rise", "three quarters of contraction")
    not_between: list[str] = Field(min_length=1)
    # nouns that name a change only after a percent; after money they name a profit ("a 17 mln
    # dlr net gain")
    percent_only: list[str] = []
    # nouns that are verbs as often ("Its 51% stake falls to 40%"): read right after the figure only
    next_only: list[str] = []
    examples: list[str] = Field(min_length=1)


class ChangeWords(_Strict):
    """Word lists several [[change]] cues refer to as {name}, written once ([change_words] in
    cues.toml); a cue's own `words.<name>` may not reuse a name listed here."""

    comment: str
    words: dict[str, list[str]] = Field(min_length=1)


class RestatementRule(_Strict):
    """Words between two linked figures that make the second a restatement of the first (read
    by `ledger check`): "some 540 satellites (the actual number has exceeded 900)"."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    comment: str = Field(min_length=3)
    regex: str
    examples: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _examples_match(self) -> RestatementRule:
        try:
            pattern = regex.compile(self.regex, FLAGS | regex.IGNORECASE)
        except regex.error as error:
            raise ValueError(f"not a regular expression: {error}") from error
        missed = [text for text in self.examples if not pattern.search(text)]
        if missed:
            raise ValueError(f"restatement {self.id} does not match its example(s) {missed}")
        return self


def month_abbreviations(months: dict[str, int]) -> list[str]:
    """The month names that shorten a longer one, capitalised: "Sept", not "May".

    >>> month_abbreviations({"september": 9, "sep": 9, "sept": 9, "may": 5})
    ['Sep', 'Sept']
    """
    longest: dict[int, str] = {}
    for name, number in months.items():
        if len(name) > len(longest.get(number, "")):
            longest[number] = name
    return sorted(name.capitalize() for name, number in months.items() if name != longest[number])


def packaged_month_abbreviations() -> list[str]:
    """The month abbreviations of the package's own cues.toml, read without loading the rules."""
    raw = resources.files("ledger").joinpath("rules", "cues.toml").read_text("utf-8")
    return month_abbreviations(tomllib.loads(raw)["period_words"]["months"])


def packaged_number_words() -> dict[str, float]:
    """The whole numbers spelled out in the package's own numbers.toml (units, teens, tens: "two",
    "a dozen", "ninety"), read without loading the rules."""
    raw = resources.files("ledger").joinpath("rules", "numbers.toml").read_text("utf-8")
    words = tomllib.loads(raw)["number_words"]
    return {**words["units"], **words["teens"], **words["tens"]}


class SecurityTerm(_Strict):
    """Where a figure is a security's term, no figure about its issuer ([security_term] in
    cues.toml): `after` matched from the figure's end, `before` read backwards from its start."""

    comment: str
    after: str
    before: str
    comparative: str  # matched from the figure's end: a change, no term, whatever else matches
    words: list[str] = Field(min_length=1)  # one of them is in every match of either
    examples: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _examples_hold_words(self) -> SecurityTerm:
        missed = [e for e in self.examples if not any(w in e.lower() for w in self.words)]
        if missed:
            raise ValueError(f"security_term: example(s) {missed} hold none of `words`")
        return self


class RatingAgency(_Strict):
    """A credit rating agency, no subject of the debt it rates ([rating_agency] in cues.toml):
    `regex` searched in a subject's name, where the sentence holds one of the rating `words`."""

    comment: str
    regex: str
    words: list[str] = Field(min_length=1)
    examples: list[str] = Field(min_length=1)


class ListingPlace(_Strict):
    """Where a place names the exchange a security is listed on, no subject ([listing_place] in
    cues.toml): `regex` read backwards from the place's name, where the sentence holds one of the
    listing `words`."""

    comment: str
    regex: str
    words: list[str] = Field(min_length=1)
    examples: list[str] = Field(min_length=1)


class RegexTable(_Strict):
    """A cue that is one regex of its own (period_baseline, own_aside, state_body,
    headline_subject, subject_object, subject_owned, reported_subject), not a list of rules."""

    comment: str
    regex: str
    examples: list[str] = Field(min_length=1)


class BaselineTable(RegexTable):
    """[period_baseline]: a regex read back from a period cue, with what every match of it holds,
    so that a substring test can rule it out (sentence_fields._may_be_baseline): `also`, strings
    of which the words before the cue (lower-cased) hold one, or `also_words`, words of which they
    hold one whole (between characters that are no letter, digit or "_")."""

    also: Also = []
    also_words: Also = []

    @model_validator(mode="after")
    def _examples_hold_also(self) -> BaselineTable:
        held = [
            e
            for e in self.examples
            if any(a in e.lower() for a in self.also)
            or not set(self.also_words).isdisjoint(re.findall(r"\w+", e.lower()))
        ]
        if (self.also or self.also_words) and len(held) < len(self.examples):
            missed = [e for e in self.examples if e not in held]
            raise ValueError(f"period_baseline: example(s) {missed} hold none of `also`")
        return self


class SubjectRule(_Strict):
    id: str
    comment: str = Field(min_length=3)
    names: list[str] = Field(min_length=1)
    # names that make it the subject only of a sentence that names no other: "worldwide" in
    # "employs 50,000 people worldwide, with about 7,000 in the UK" leaves the 7,000 the UK's
    names_alone: list[str] = []
    examples: list[str] = Field(min_length=1)
    # what official statistics call it (ISO alpha-3, a World Bank aggregate), and what it is
    code: str | None = Field(None, pattern=r"^[A-Z]{3,4}$")
    kind: Literal["country", "aggregate", "region", "organisation", "central_bank", "company"] = (
        "company"
    )


class PycountrySettings(_Strict):
    """Country names from pycountry the extractor leaves alone (subjects.toml `[pycountry]`)."""

    comment: str
    skip: list[str] = []


class MetricDefinition(_Strict):
    """What a metric measures, and which official indicators measure it (metrics.toml)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    comment: str = Field(min_length=3)
    # level: a stock, price or rate at a time; change: a change of a level; growth: a rate of
    # change that is itself the statistic (GDP growth, inflation)
    measure: Literal["level", "change", "growth"]
    # how a growth is measured: year on year, month on month, quarter on quarter, or a quarter's
    # change at an annual rate (the US convention)
    basis: Literal["yoy", "mom", "qoq", "qoq_annualised"] | None = None
    # over the year: its average, its end (December to December), or a value at a point in time
    aggregation: Literal["annual_average", "end_of_period", "point", "flow"] | None = None
    # the figure's own frequency when its words fix it (a quarter's growth is never annual data)
    frequency: Literal["A", "Q", "M", "D", "E"] | None = None
    # frequencies a figure with no period is taken to be about, at its publication date
    undated: list[Literal["A", "Q", "M", "D", "E"]] = []
    scope: Literal["national", "company", "sector", "market", "subnational", "other"] = "national"
    indicators: list[str] = []
    unit: str | None = None  # the unit a figure must be in to be compared (percent, USD, person)
    negate: str | None = None  # words that turn its sign: a "deficit" is a negative balance
    # the metric a month's rise or fall of it is, unless its words say year on year ("consumer
    # prices rose 0.4 pct in February": the month's change, not the 12-month rate)
    month_change: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")


class MetricRule(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    metric: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    comment: str = Field(min_length=3)
    keywords: str
    kinds: list[Kind] = Field(min_length=1)
    units: list[str] | None = None
    min_value: float | None = None
    max_value: float | None = None
    # a narrower form of another metric ("a quarter's growth" of gdp_growth): it applies when a
    # figure's metric is `variant_of` and its keywords are among the figure's own words
    variant_of: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    triggers: list[str] = []
    also: Also = []
    # every keyword match opens with one of the trigger words, a word of its own (as a cue's
    # opens_with_trigger): matched where one stands, not searched through the sentence
    opens_with_trigger: bool = False
    examples: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _tried_where_it_can_match(self) -> MetricRule:
        _check_trigger_fields(self)
        return self


class NamedQuantity(_Strict):
    """A quantity named by words alone, a figure by definition: absolute zero is 0 K."""

    id: str
    comment: str = Field(min_length=3)
    words: list[str] = Field(min_length=1)
    kind: Kind
    unit: str
    value: float
    cue: str  # words of the sentence that make the phrase the quantity, not an idiom
    examples: list[ValueExample] = Field(min_length=1)


class PerRules(_Strict):
    """What may follow "/" or "per" after a measure, besides another measure: 10 l/km, 2 kb/s."""

    comment: str
    units: dict[str, str]  # as written -> unit symbol: second -> s, hour -> h
    rates: list[str]  # units that are already a rate: "one mln bpd per day" stays bpd
    examples: list[ValueExample] = Field(min_length=1)


class RuleFiles(_Strict):
    """Everything in ledger/rules/*.toml, validated."""

    pattern: list[PatternRule]
    scale: list[ScaleRule]
    number_words: NumberWords
    metre_distances: MetreDistances
    fraction: list[FractionRule]
    vague: list[VagueRule] = []
    multiple: list[MultipleRule]
    currency: list[CurrencyRule]
    context: list[CurrencyContext]
    currency_word_context: list[CurrencyWordContext] = []
    word_context: list[WordContext]
    unit: list[UnitRule]
    per: PerRules
    named: list[NamedQuantity]
    nouns: NounRules
    qualifier: list[QualifierRule]
    change: list[ChangeCue]
    change_words: ChangeWords
    attribution: list[AttributionCue]
    subject_name: list[SubjectNameCue] = []
    period: list[PeriodRule]
    period_words: PeriodWords
    attribution_words: AttributionWords
    comparison: ComparisonWords
    not_labels: WordTable
    anchor_marks: WordTable
    minus_words: WordTable
    label_words: WordTable
    restatement: list[RestatementRule] = Field(min_length=1)
    period_baseline: BaselineTable
    period_span: PeriodSpan
    period_reach: PeriodReach
    subject_self: SubjectSelf
    own_aside: RegexTable
    change_nouns: ChangeNouns
    state_body: RegexTable
    headline_subject: RegexTable
    subject_object: RegexTable
    subject_owned: RegexTable
    reported_subject: RegexTable
    security_term: SecurityTerm
    place_in_name: RegexTable
    rating_agency: RatingAgency
    listing_place: ListingPlace
    subject: list[SubjectRule]
    pycountry: PycountrySettings | None = None
    metric: list[MetricRule]
    definition: list[MetricDefinition] = []

    @field_validator(
        "pattern",
        "scale",
        "fraction",
        "vague",
        "multiple",
        "currency",
        "unit",
        "metric",
        "definition",
    )
    @classmethod
    def _unique_ids(cls, entries: list[Any]) -> list[Any]:
        ids = [entry.id for entry in entries]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate ids: {', '.join(duplicates)}")
        return entries

    @field_validator("metric")
    @classmethod
    def _other_last(cls, metrics: list[MetricRule]) -> list[MetricRule]:
        if not metrics or metrics[-1].id != "other":
            raise ValueError("the last metric must be 'other'")
        return metrics

    @model_validator(mode="after")
    def _month_changes_defined(self) -> RuleFiles:
        ids = {definition.id for definition in self.definition}
        named = {d.month_change for d in self.definition if d.month_change}
        if named - ids:
            raise ValueError(
                f"month_change names no [[definition]]: {', '.join(sorted(named - ids))}"
            )
        return self


def suffix_tree(words: list[str] | set[str], *, space: str = _SPACE) -> str:
    """A regex matching any of `words`, shaped as a tree of their endings; a space matches
    `space` (by default spaces and hyphens, as a hyphen does). For pieces read backwards (`(?r)`
    patterns, look-behinds): the engine reads a word from its last character there, so the tree
    rejects a position after a letter or two, where a flat list of words would try each in turn.
    At each branch a longer word is tried before the one that ends there, as a flat list sorted
    longest first would: "no more than" before "more than".

    >>> suffix_tree(["more than", "no more than", "less than"])
    '(?:(?:no[\\\\s\\\\-‑]+|)more|less)[\\\\s\\\\-‑]+than'
    >>> suffix_tree(["a third", "one-third"])
    '(?:one[\\\\s\\\\-‑]*|a[\\\\s\\\\-‑]+)third'
    """
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        # a word's parts, last first: its characters, and runs of spaces or hyphens
        for piece in reversed(regex.split(r"([\s\-‑]+)", word)):
            if piece.isspace():
                parts = [space]
            elif piece and set(piece) <= {"-", "‑"}:
                parts = [_HYPHEN]
            else:
                parts = [regex.escape(c, special_only=True, literal_spaces=False) for c in piece]
            for part in reversed(parts):
                node = node.setdefault(part, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        # what comes before each part is read after it, so it is written to its left
        alternatives = [build(child) + part for part, child in sorted(node.items()) if part]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
        return f"(?:{body}|)" if "" in node else body  # the longer words first, as `?` would

    return build(tree)


@dataclass(frozen=True)
class UnitInfo:
    kind: str
    unit: str | None
    factor: float = 1.0


class Patterns(dict[str, "Pattern"]):
    """The compiled patterns of patterns.toml by id: a plain dict, but a pattern not compiled at
    load (`lazy`) is compiled the first time it is looked up. `regex` compiles in Python, some
    3 us a character of pattern (and_range alone holds 20,000): most texts never need it."""

    def __init__(self, compilers: dict[str, Callable[[], Pattern]]) -> None:
        super().__init__()
        self.compilers = compilers

    def __missing__(self, name: str) -> Pattern:
        self.compile([name])
        return self[name]

    def compile(self, names: Iterable[str] | None = None) -> None:
        """Compile these patterns (all when None) if they are not yet: at load, or before
        forking workers that would each compile the lazy ones they meet."""
        for name in self.compilers if names is None else names:
            if name not in self:
                # up to half a second, once a process: not the cost of the text whose reading
                # met the pattern first, so not charged to its CPU budget (ledger.watchdog)
                with budget_paused():
                    self[name] = self.compilers[name]()


@dataclass(frozen=True)
class Rules:
    """The compiled rules: patterns compiled once, lookups as plain dicts never mutated (but for
    a lazy pattern, added when first needed)."""

    files: RuleFiles
    compiled: Patterns  # pattern id -> compiled regex
    scales: dict[str, float]  # norm(word) -> factor; glued words keyed as written
    number_words: dict[str, float]
    number_added: dict[str, float]  # norm("and a half") -> 0.5
    metre_distances: frozenset[str]
    fractions: dict[str, float]
    vague: dict[str, tuple[float, float]]  # norm("dozens") -> (24, 99)
    named: dict[str, tuple[UnitInfo, Pattern]]  # norm(words) -> (kind, unit, value as factor; cue)
    multiples: dict[str, tuple[float, str | None]]
    symbols: dict[str, str]  # "$" -> USD
    glue: dict[str, str]  # "HK" (+$) -> HKD
    codes: dict[str, str]  # "RMB" -> CNY
    contexts: dict[str, tuple[tuple[Pattern, str], ...]]
    context_default: dict[str, str]
    # norm(word) -> (the choices' names as one pattern, a group named by each code; the names
    # that keep the word's own currency): "dlrs" in a sentence about Canada are CAD
    currency_word_contexts: dict[str, tuple[Pattern, Pattern, bool]]
    units_by_word: dict[str, UnitInfo]
    units_by_symbol: dict[str, UnitInfo]
    per_units: dict[str, str]  # norm(word) -> symbol, for the divisor of a compound unit
    rate_units: frozenset[str]  # unit symbols that take no divisor
    word_contexts: dict[str, tuple[Pattern, UnitInfo]]  # norm(word) -> (cue, what it is then)
    minor_units: dict[str, dict[str, float]]  # unit -> norm(minor word) -> factor
    qualifiers: dict[str, str]
    irregular: dict[str, str]
    plurals: dict[str, str]  # singular -> the first plural `irregular` gives it
    adjectives: frozenset[str]
    attributive: frozenset[str]
    not_nouns: frozenset[str]
    measure_qualifiers: frozenset[str]
    time_nouns: frozenset[str]
    durations: frozenset[str]
    duration_compound: Pattern  # "-year", "-month-old" right after a figure: "a 41-year high"
    durations_after: Pattern  # " days", " years" right after a figure: "10 days ago"
    stop: frozenset[str]
    change_cues: tuple[tuple[ChangeCue, Pattern], ...]
    change_before: Pattern
    # the cues before the figure that have triggers, each alone with its words, in file order
    change_before_gated: tuple[tuple[ChangeCue, Pattern, frozenset[str]], ...]
    change_after: Pattern
    attribution_cues: Gated[tuple[AttributionCue, Pattern, frozenset[str]]]
    # organisations named in a sentence ("Swiss cement firm Holcim", "Marine Midland Banks Inc")
    subject_name_cues: Gated[tuple[SubjectNameCue, Pattern, frozenset[str]]]
    # a currency named by a country's demonym ("Canadian dlrs", "Swiss franc"): no subject
    currency_names: Pattern
    subject_name_leads: dict[str, Pattern]  # cue id -> its `lead`, read backwards
    period_cues: Gated[tuple[PeriodRule, Pattern, frozenset[str]]]
    # "subject_name:acts" -> the cue past its sentence-start alternative (see past_head)
    past_head: dict[str, Pattern]
    baseline: Pattern
    # what every match of `baseline` holds: strings, and words held whole ([period_baseline])
    baseline_also: tuple[str, ...]
    baseline_also_words: tuple[str, ...]
    span_opens: Pattern  # what opens an interval of two period cues (period_span)
    span_joins: Pattern
    period_within: Pattern  # where a figure's own words end, for its period (period_reach)
    subject_self: Pattern  # an organisation opening its sentence, speaking of itself
    subject_self_triggers: frozenset[str]  # none: tried on every sentence with no subject
    subject_self_generic: frozenset[str]  # a lone common noun: "The Bank also said it provided"
    legal_suffix: Pattern  # "Inc", "Corp" at the end of a name, to drop
    period_clause: Pattern
    period_when: Pattern  # read with match, right after a period cue (period_reach when)
    period_owned: Pattern  # read with fullmatch, between a cue and its figure (period_reach owned)
    period_change_from: Pattern  # read backwards from a figure: it is a change's start
    period_revision_words: frozenset[str]  # where a change's start keeps the level's period
    period_change_words: frozenset[str]  # period_change_from's words: a gate before it
    period_baseline_figure: Pattern  # read backwards from a figure: it is a comparison's
    future_apart: Pattern  # what parts a month's clause from another's future words
    own_aside: Pattern
    state_body: Pattern  # a state's own body ("U.S. Treasury"): its country stays the subject
    headline_subject: Pattern  # the company a wire headline in capitals opens with
    subject_object: Pattern  # read backwards from a subject: it is a preposition's object
    subject_owned: Pattern  # fullmatch between a stake figure and the company it is in
    subject_stake: Pattern  # the same read backwards from a subject (its `stake` group: "stake in")
    reported_subject: Pattern  # fullmatch from a speaker's verb to the subject of what it says
    security_after: Pattern  # match from a figure's end: it is a security's term (no subject)
    security_before: Pattern  # the same read backwards from its start ("paying ", "priced at ")
    security_words: frozenset[str]  # one of them is in every match of either
    security_comparative: Pattern  # ... but a comparative after the figure: "paying 12% more"
    place_in_name: Pattern  # a national body's words: a place opening its name stays a subject
    place_ids: frozenset[str]  # the subject ids that are countries (a place in a name: _opens_name)
    rating_agency: Pattern  # searched in a subject's name: an agency rating another's debt
    rating_words: frozenset[str]  # one of them in the sentence: it speaks of a rating
    listing_place: Pattern  # read backwards from a place: the exchange a security is listed on
    listing_words: frozenset[str]  # one of them in the sentence: it speaks of a listing
    subject_pattern: Pattern
    # where subject_pattern may match, found by `re` (see _hint); None: it is searched alone
    subject_hint: re.Pattern[str] | None
    subject_ids: dict[str, str]
    subject_alone: frozenset[str]  # names that are a subject only where no other is named
    # the longest word of each name, lower-case: a sentence holding none names none (name_words)
    subject_words: frozenset[str]
    metrics: Gated[tuple[MetricRule, Pattern | None, frozenset[str]]]
    titles: Pattern  # the title words before a source's name, to strip
    title_words: frozenset[str]  # the same, lower-case and without a dot: "president Vernes"
    # the same as written, without a dot: a text holding none of them has no title to strip
    # (sentence_fields._titled), where `titles` costs a regex call however short the text
    title_heads: tuple[str, ...]
    furniture: Pattern  # page furniture before a source's name, to strip
    not_sources: frozenset[str]
    people: frozenset[str]  # words naming people in general, no organisation alone
    organisations: frozenset[str]
    capitalised_only: frozenset[str]
    comparison_words: frozenset[str]
    comparison: Pattern  # the comparison words and phrases, in one pattern
    comparison_triggers: frozenset[str]
    not_labels: frozenset[str]
    change_nouns: dict[str, Change]  # a change's noun a word after its figure: its direction
    change_noun_words: frozenset[str]  # ... as a set, to ask a sentence's words once
    change_determiners: frozenset[str]  # ... in a noun phrase one of these opens
    change_not_between: frozenset[str]  # ... with none of these between
    change_percent_only: frozenset[str]  # ... these after a percent only
    change_next_only: frozenset[str]  # ... these right after the figure only
    # what the context before a figure (pattern `before`) can end with: the last letters of its
    # words (last_letters) and the marks that are no letters ("~", the "-" of "minus-130")
    before_words: frozenset[str]
    before_pairs: frozenset[str]  # the last two words of a qualifier of several ("up to")
    before_pair_ends: frozenset[str]  # ... and the last of them
    before_codes: frozenset[str]  # the currency prefixes read in their case ("US", "RMB")
    before_marks: frozenset[str]
    label_words: frozenset[str]  # [label_words] of patterns.toml
    # the characters a candidate starts at, searched for one by one ([anchor_marks], symbols)
    anchor_marks: tuple[str, ...]
    month_words: frozenset[str]  # the month names and abbreviations, case-folded
    restatements: tuple[tuple[str, Pattern], ...]  # (id, compiled), in file order
    sentence_boundary: Pattern  # where a sentence ends; the rules' month abbreviations end none
    sources: tuple[str, ...] = field(default=())
    # the Chinese path's rules, from zh.toml in the same folder; None: the package's own
    zh: ZhRules | None = None
    # where a number word may start, a place for anchor_word to be asked at (anchor_word_hint)
    anchor_word_hint: re.Pattern[str] | None = None
    # the scan's head at a digit is the package's: plain digits may be read without it
    # (extraction._plain_digits_end, which stands for its alternatives)
    plain_digits: bool = False
    # figure_end is the package's: told by the character after a figure (extraction._figure_ends)
    plain_end: bool = False
    # scan_head and scan_words_head are the package's: at a letter the latter is asked
    words_head: bool = False
    # figure_tail_unranged, scale and unit are the package's: the tail is read part by part
    # (extraction._tail_in_parts); and figure_tail and figure: a range is read by the tail only
    # where a second figure may follow (extraction._second_may_follow)
    tail_in_parts: bool = False
    # noun_after is the package's: where its word gap cannot open is told by the characters
    # after a figure (candidate._word_gap_may_open)
    plain_noun_gap: bool = False
    # the unit pattern by the character its unit starts with (_units_by_first); empty: a rules
    # folder's own unit pattern, asked whole
    units_by_first: dict[str, Pattern] = field(default_factory=dict, compare=False, repr=False)
    # the tokens next to a figure that let each context pattern match, found as met
    edges: EdgeGates = field(default_factory=EdgeGates, compare=False, repr=False)


def _read_files(directory: Path | None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in RULE_FILES:
        try:
            if directory is None:
                raw = resources.files("ledger").joinpath("rules", f"{name}.toml").read_bytes()
            else:
                raw = (directory / f"{name}.toml").read_bytes()
            content = tomllib.loads(raw.decode("utf-8"))
        except FileNotFoundError as error:
            raise RulesError(f"rule file {name}.toml not found") from error
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise RulesError(f"{name}.toml: {error}") from error
        overlap = set(content) & set(data)
        if overlap:
            raise RulesError(f"{name}.toml: tables defined twice: {sorted(overlap)}")
        data.update(content)
    return data


def trie(words: set[str] | list[str], *, fold_case: bool = True) -> str:
    """A regex matching any of `words`, shaped as a prefix tree; spaces and hyphens match either.

    A tree of alternatives lets the engine reject a position after a letter or two, where a flat
    list of words would try each in turn: it is what keeps the candidate scan near regex speed.
    With `fold_case`, the first letter, where most positions are rejected, is a set of its two
    cases matched case-sensitively; the rest of the word is a case-insensitive literal, which the
    `regex` package parses several times faster than sets of cases and matches as fast (it takes
    45% off the rules' compile time). A later i, k or s then also matches the Turkish İ, the long
    ſ or the Kelvin sign.

    >>> trie({"two", "twelve", "ten", "a third"})
    '(?-i:(?:[aA](?i:[\\\\s\\\\-‑]+third)|[tT](?i:(?:en|w(?:elve|o)))))'
    >>> trie({"US", "UK"}, fold_case=False)
    '(?-i:U(?:K|S))'
    >>> trie({"mile", "miles"})
    '(?-i:[mM](?i:ile(?:s|)))'
    """
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in regex.sub(r"\s+", " ", word.strip()):
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any], first: bool) -> str:
        alternatives = []
        for char, child in sorted(node.items()):
            if char == "":
                continue
            if first and fold_case and char.isalpha() and char.lower() != char.upper():
                head = f"[{char.lower()}{char.upper()}]"
            elif char == " ":
                head = _SPACE
            elif char in "-‑":
                head = _HYPHEN
            else:
                head = regex.escape(char)
            tail = build(child, False)
            if first and fold_case and tail:
                tail = f"(?i:{tail})"
            alternatives.append(head + tail)
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
        if "" in node:
            # a word that ends here may also go on ("mile", "miles"): the longer is tried first,
            # as `?` would, but an empty alternative is no repeat. `regex` resets each repeat of
            # a pattern on every call, so the scan pattern's 1,100 `?` cost each candidate some
            # 4 us of the 13 us its match took.
            body = f"(?:{body}|)"
        return body

    return f"(?-i:{build(tree, True)})"


@dataclass(frozen=True)
class CurrencyPrefixes:
    """The currency prefixes of currencies.toml, by how they are written before a figure."""

    codes: dict[str, str]  # letters: "RMB" -> CNY, "US" -> USD
    glue: dict[tuple[str, str], str]  # letters glued to a symbol: ("HK", "$") -> HKD
    symbols: dict[str, str]  # a symbol alone: "$" -> USD


def currency_prefixes(currencies: list[CurrencyRule]) -> CurrencyPrefixes:
    """Sort each currency's prefixes into codes, glued letters and symbols.

    >>> rules = [CurrencyRule(id="HKD", comment="Hong Kong dollar", prefixes=["HK$", "HKD"],
    ...     words=[], examples=[ValueExample(text="HK$5", value=5)])]
    >>> currency_prefixes(rules)
    CurrencyPrefixes(codes={'HKD': 'HKD'}, glue={('HK', '$'): 'HKD'}, symbols={})
    """
    codes: dict[str, str] = {}
    glue: dict[tuple[str, str], str] = {}
    symbols: dict[str, str] = {}
    for currency in currencies:
        for prefix in currency.prefixes:
            if _CODE.fullmatch(prefix):
                codes[prefix] = currency.id
            elif _GLUED.fullmatch(prefix):
                glue[(prefix[:-1], prefix[-1])] = currency.id
            else:
                symbols[prefix] = currency.id
    return CurrencyPrefixes(codes, glue, symbols)


def check_contract(files: RuleFiles, pieces: dict[str, str]) -> None:
    """Fail with one line when the rule files lack a pattern, group or word the extractor reads
    (see PATTERN_GROUPS). Groups are looked for in a pattern's source with its pieces written
    in, so no pattern is compiled for it."""
    ids = {rule.id for rule in files.pattern}
    for pattern_id, groups in PATTERN_GROUPS.items():
        if pattern_id not in ids:
            raise RulesError(
                f"patterns.toml: pattern {pattern_id!r} is missing; the extractor reads it"
            )
        require_groups(
            f"patterns.toml: pattern {pattern_id!r}", _source(pattern_id, pieces), groups
        )
    _check_word_starts(files)
    for cue in files.attribution:
        require_groups(f"cues.toml: attribution {cue.id!r}", cue.regex, ATTRIBUTION_GROUPS)
    for named in files.subject_name:
        require_groups(f"cues.toml: subject_name {named.id!r}", named.regex, SUBJECT_NAME_GROUPS)
        if named.past_head_triggers and past_head(_with_words(named)) is None:
            raise RulesError(
                f"cues.toml: subject_name {named.id!r} has past_head_triggers, but its regex does"
                " not open with an alternative anchored at the sentence's start ((?:\\A...|...))"
            )
    for period in files.period:
        where = f"cues.toml: period {period.id!r} ({period.period})"
        require_groups(where, period.regex, PERIOD_GROUPS[period.period])


def _check_word_starts(files: RuleFiles) -> None:
    """The scan pattern (patterns.toml) relies on how these words start: number words, multiples,
    fractions, vague and named quantities are tried only where a letter stands, (?=\\p{L}), and
    at a digit scan_digits reads as scan does only as no currency symbol starts with one; the space
    before a unit or a scale word is possessive, ?+, so none of those starts with a space or a
    hyphen (each shortcut spares the scan a try of a word tree at most figures)."""
    nw = files.number_words
    number_words = [*nw.units, *nw.teens, *nw.tens, *nw.scaled_only]
    lettered = [
        *[("numbers.toml", w) for w in number_words],
        *[("numbers.toml", w) for m in files.multiple for w in [*m.words, *m.factors]],
        *[("numbers.toml", w) for rule in [*files.fraction, *files.vague] for w in rule.words],
        *[("units.toml", w) for n in files.named for w in n.words],
    ]
    for where, word in lettered:
        if not word[:1].isalpha():
            raise RulesError(f"{where}: {word!r} must start with a letter, as the scan reads it")
    # at a digit the scan_digits pattern stands in for scan, and leaves the symbols out
    symbols = [s for c in files.currency for s in c.prefixes] + [c.symbol for c in files.context]
    for symbol in symbols:
        if symbol[:1].isdecimal():
            raise RulesError(
                f"currencies.toml: {symbol!r} must not start with a digit, as the scan reads it"
            )
    spaced = [
        *[("units.toml", w) for u in files.unit for w in [*u.words, *u.symbols, *u.guarded]],
        *[("currencies.toml", w) for c in files.currency for w in [*c.words, *c.prefixes]],
        *[("numbers.toml", w) for scale in files.scale for w in scale.words],
    ]
    for where, word in spaced:
        if word[:1].isspace() or word[:1] in "-‑":
            raise RulesError(
                f"{where}: {word!r} must not start with a space or a hyphen, as the scan reads it"
            )


def _currency_names(files: RuleFiles) -> Pattern:
    """The currencies named in more than one word ("Canadian dlrs", "Swiss francs"), whose first
    word may also name a subject.

    >>> from ledger.rules import default_rules
    >>> pattern = _currency_names(default_rules().files)
    >>> bool(pattern.match("Canadian dlrs of")), bool(pattern.match("Canadian banks"))
    (True, False)
    """
    names = [word for c in files.currency for word in c.words if " " in word.strip()]
    return regex.compile(trie(names) + r"(?![\p{L}])" if names else "(?!)")


def require_groups(where: str, source: str, groups: Iterable[str | tuple[str, ...]]) -> None:
    """Each of `groups` (or one of each tuple of them) is a named group of `source`."""
    for wanted in groups:
        any_of = (wanted,) if isinstance(wanted, str) else wanted
        if not any(f"(?P<{group}>" in source for group in any_of):
            name = " or ".join(f"(?P<{group}>...)" for group in any_of)
            raise RulesError(f"{where} has no group {name}; the extractor reads it")


@dataclass(frozen=True)
class _UnitWords:
    """The words and symbols the `unit` pattern's pieces are built of (units.toml, currencies)."""

    words: frozenset[str]  # unit and currency words, any case: "tonnes", "dlrs"
    measure_words: frozenset[str]  # a compound's first unit ("l/km", "kb per second")
    measure_symbols: frozenset[str]
    per_words: frozenset[str]  # ... and its divisor
    per_symbols: frozenset[str]
    symbols: frozenset[str]  # as written: "kg", "%", "€"
    guarded: tuple[tuple[str, str], ...]  # (symbol, the look-ahead that guards it)

    @classmethod
    def of(cls, files: RuleFiles) -> _UnitWords:
        prefixes = currency_prefixes(files.currency)
        currency_symbols = set(prefixes.symbols) | {symbol for _glue, symbol in prefixes.glue}
        currency_symbols |= {c.symbol for c in files.context}
        measures = [u for u in files.unit if u.kind == "measure"]
        measure_words = frozenset(w for u in measures for w in u.words)
        measure_symbols = frozenset(s for u in measures for s in u.symbols)
        return cls(
            words=frozenset(
                {w for u in files.unit for w in u.words}
                | {w for c in files.currency for w in c.words}
            ),
            measure_words=measure_words,
            measure_symbols=measure_symbols,
            per_words=measure_words | frozenset(files.per.units),
            per_symbols=measure_symbols,
            symbols=frozenset({s for u in files.unit for s in u.symbols} | currency_symbols),
            guarded=tuple((s, after) for u in files.unit for s, after in u.guarded.items()),
        )

    def by_first(self) -> dict[str, _UnitWords]:
        """The words and symbols by a character of a text that can start them, as the pattern
        matches them: a word tree's first letter in either case (trie), a symbol as written (a
        set holding it in both cases is no narrower). The compound's divisor stays whole."""
        grouped: dict[str, dict[str, set[str]]] = {}
        named = {
            "words": self.words,
            "measure_words": self.measure_words,
            "measure_symbols": self.measure_symbols,
            "symbols": self.symbols,
        }
        for name, words in named.items():
            for word in words:
                first = word.strip()[:1]
                for char in {first, first.lower(), first.upper()}:
                    grouped.setdefault(char, {}).setdefault(name, set()).add(word)
        guarded: dict[str, list[tuple[str, str]]] = {}
        for symbol, after in self.guarded:
            for char in {symbol[:1], symbol[:1].lower(), symbol[:1].upper()}:
                guarded.setdefault(char, []).append((symbol, after))
        return {
            char: _UnitWords(
                words=frozenset(grouped.get(char, {}).get("words", ())),
                measure_words=frozenset(grouped.get(char, {}).get("measure_words", ())),
                measure_symbols=frozenset(grouped.get(char, {}).get("measure_symbols", ())),
                per_words=self.per_words,
                per_symbols=self.per_symbols,
                symbols=frozenset(grouped.get(char, {}).get("symbols", ())),
                guarded=tuple(guarded.get(char, ())),
            )
            for char in grouped.keys() | guarded.keys()
        }


def _tree(words: frozenset[str], *, fold_case: bool = True) -> str:
    """trie(words), or a pattern that never matches for none (trie's empty tree matches)."""
    return trie(set(words), fold_case=fold_case) if words else "(?!)"


def _unit_pieces(units: _UnitWords, divisor: str | None = None) -> dict[str, str]:
    """The pieces the `unit` pattern is written of (patterns.toml), and the unguarded symbols;
    `divisor`: the compound's divisor as already written."""
    return {
        "unit_word": _tree(units.words),
        "measure_unit": _word_or_symbol(units.measure_words, units.measure_symbols),
        "per_unit": divisor or _word_or_symbol(units.per_words, units.per_symbols),
        # a unit symbol after the figure; currency symbols too ("10 €", "100₾")
        "unit_symbol": _tree(units.symbols, fold_case=False),
        "unit_guarded": "|".join(
            rf"(?-i:{regex.escape(symbol)})(?={after})" for symbol, after in units.guarded
        )
        or "(?!)",
        # ... and the same symbols unguarded, for a gate that sees only the word after a figure
        # (figure_tail_start): a guard may look back past that word, into the figure
        "unit_guarded_symbol": _tree(
            frozenset(symbol for symbol, _after in units.guarded), fold_case=False
        ),
    }


def _generated_pieces(files: RuleFiles) -> dict[str, str]:
    """Regex pieces built from the word lists of the data files."""
    prefixes = currency_prefixes(files.currency)
    currency_codes = set(prefixes.codes)
    currency_glue = {glue for glue, _symbol in prefixes.glue}
    currency_symbols = set(prefixes.symbols) | {symbol for _glue, symbol in prefixes.glue}
    currency_symbols |= {c.symbol for c in files.context}
    nw = files.number_words
    tens, units = trie(list(nw.tens)), trie(list(nw.units))
    scale_spaced = {w for s in files.scale for w in s.words}
    added = rf"(?:[\s\u00a0]+(?:{trie(list(nw.added))}))?" if nw.added else ""
    number_word = (
        # the words that need a scale or unit after them first: "three quarters billion" is
        # not "three" followed by "quarters"
        rf"(?:{trie(list(nw.scaled_only))})"
        # (the scale and unit words by reference to their pieces below: one tree built, not two;
        # the unit words called, as this is written in at eight places of the scan pattern)
        r"(?=[\s\u00a0-]+(?:{scale_spaced}|{&unit_word})\b)"
        rf"|(?:(?:{tens})(?:[\s-](?:{units}))?|{trie(list(nw.teens))}|{units}){added}"
    )
    multiple_words = {w for m in files.multiple for w in [*m.words, *m.factors]}
    fraction_words = {w for f in files.fraction for w in f.words}
    named_words = {w for n in files.named for w in n.words}
    vague_words = {w for v in files.vague for w in v.words}
    anchor_words = {*nw.units, *nw.teens, *nw.tens, *multiple_words, *fraction_words, *named_words}
    anchor_words |= vague_words
    anchor_words |= {f"{w} {s}" for w in nw.scaled_only for s in scale_spaced}
    return {
        # in lower case, matched in its case on the lower-cased text (see the anchor_word pattern)
        "anchor_words": trie({w.lower() for w in anchor_words}, fold_case=False),
        "scale_spaced": trie(scale_spaced),
        "scale_glued": trie({w for s in files.scale for w in s.glued_words}, fold_case=False),
        "currency_symbol": trie(currency_symbols, fold_case=False),
        # these three and the qualifier are read backwards only: before a figure, in a look-behind
        "currency_code": suffix_tree(currency_codes),
        "currency_glue": suffix_tree(currency_glue),
        # letters that may stand a space apart from "$" ("HK $ 10"); of one letter only the
        # lower-case "c" of tokenised wire copy ("c $ 300 million", not "Vitamin C $5"): "a $5"
        # is a word and "music ' s $ 500 million" a possessive
        "currency_glue_spaced": suffix_tree({g for g in currency_glue if len(g) > 1})
        + ("|(?-i:c)" if "C" in currency_glue else ""),
        "currency_word": trie({w for c in files.currency for w in c.words}),
        **_unit_pieces(_UnitWords.of(files)),
        "number_word": number_word,
        "minor_unit_word": trie({w for u in files.unit for w in u.minor}),
        "named_quantity": trie(named_words) if named_words else "(?!)",
        "fraction": trie({w for f in files.fraction for w in f.words}),
        "vague_word": trie(vague_words) if vague_words else "(?!)",
        "multiple_word": trie(multiple_words),
        "qualifier": suffix_tree({w for q in files.qualifier for w in q.words}),
        "minus_word": suffix_tree(files.minus_words.words),
        "label_word": suffix_tree(files.label_words.words),
        # capitalised: a pattern that holds it matches case as it says ("March 5", not "march")
        "month_name": "|".join(
            sorted((m.capitalize() for m in files.period_words.months), key=lambda m: (-len(m), m))
        ),
        # ... and as a wire headline writes it: "INDUSTRIAL PRICES UP 0.2 PCT IN JANUARY"
        "month_caps": "|".join(
            sorted((m.upper() for m in files.period_words.months), key=lambda m: (-len(m), m))
        ),
    }


def _side_of(cues: list[ChangeCue], shared: ChangeWords, where: str) -> str:
    """All change cues of one side in one pattern, tried in file order: one call per figure.
    Group c<i> names the i-th cue of the file, whichever side it is on. The cues with triggers
    are left out: each is tried alone, in a sentence holding one of its words."""
    return (
        "(?:"
        + "|".join(
            f"(?P<c{i}>{_cue_regex(c, shared)})"
            for i, c in enumerate(cues)
            if c.where == where and not c.triggers
        )
        + ")"
    )


def _cue_regex(cue: ChangeCue, shared: ChangeWords) -> str:
    """The cue's regex with its word lists (its own, and the [change_words] it names) written
    in, as suffix trees: a cue before the figure is read backwards (one after it matches the
    same words, if no faster). A space in a word matches a run of whitespace, as `\\s+` did
    when the words were written in the regex; other {names} are pieces of patterns.toml,
    resolved later."""
    reused = cue.words.keys() & shared.words.keys()
    if reused:
        raise RulesError(
            f"cues.toml: change {cue.id!r} lists words.{min(reused)}, a name [change_words] "
            "already gives: refer to that one"
        )

    def expand(match: regex.Match[str]) -> str:
        words = cue.words.get(match.group(1)) or shared.words.get(match.group(1))
        if words is None:
            return str(match.group())
        return f"(?:{suffix_tree(words, space=_WHITESPACE)})"

    return _REF.sub(expand, cue.regex)


def _with_words(cue: SubjectNameCue | AttributionCue) -> str:
    """The cue's regex with its word lists written in as prefix trees (a regex starting at one
    of many words rejects most places after a letter or two; a flat `a|b|c` tries each), case-
    blind in a [[subject_name]] cue, in the case written in an [[attribution]] one."""
    fold_case = isinstance(cue, SubjectNameCue)

    def expand(match: regex.Match[str]) -> str:
        words = cue.words.get(match.group(1))
        if words is None:
            return str(match.group())
        return f"(?:{trie(words, fold_case=fold_case)})"

    return _REF.sub(expand, cue.regex)


def past_head(source: str) -> str | None:
    r"""A verbose regex without its first alternative, when that one is anchored at the start
    (`(?:\A...|...)...`) and captures nothing: the pattern searched past a sentence's start.
    None for any other regex.

    `regex` skips ahead to where a pattern can start when every alternative opens with what it
    can look for (a word boundary, a letter); one anchored at the start opens with nothing it
    can, so a search of the whole pattern tries every position ([[subject_name]] acts: twice
    the instructions). Past the start that alternative can never match, so the extractor tries
    the whole pattern at the start and searches this one after it (Doc.find_all).

    >>> head = r"\A(?:[^,|]{1,30},\s+)?  # an opening (phrase|words)"
    >>> past_head("(?:" + head + "\n" + r"|\bsaid\s+)(?P<who>\w+)")
    '(?:\\bsaid\\s+)(?P<who>\\w+)'
    >>> past_head(r"\b(?:said|says)"), past_head(r"(?:\A(?P<x>a)|b)c")
    (None, None)
    """
    text = source.strip()
    if not text.startswith("(?:\\A"):
        return None
    depth, at, in_class = 1, 3, False
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            at += text.startswith("^", at + 1)
            at += text.startswith("]", at + 1)  # a leading ] is one of the class's characters
        elif char == "#":  # a comment, to the end of its line
            end = text.find("\n", at)
            at = len(text) if end == -1 else end
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return None  # no second alternative
        elif char == "|" and depth == 1:
            head = text[3:at]
            return None if "(?P<" in head or "(?<" in head else "(?:" + text[at + 1 :]
        at += 1
    return None


_NAME_WORD = regex.compile(r"[\w&]+")  # a word as Sentence.lower_words finds them


def _name_word(name: str) -> str:
    """The longest word of a name, lower-cased (the first of the longest)."""
    words: list[str] = _NAME_WORD.findall(name.lower())
    return max(words, key=len)


def name_words(names: Iterable[str]) -> frozenset[str]:
    """The longest word of each name, lower-cased: a sentence that holds none of them can name
    none of the names, so the search for them is skipped (a long word is a rare one).

    >>> sorted(name_words(["Bank of England", "U.S.", "The Netherlands"]))
    ['england', 'netherlands', 'u']
    """
    return frozenset(map(_name_word, names))


def _titles(titles: list[str]) -> str:
    r"""What strips the titles before a name, up to the last: "Finance Minister Liu Kun".

    >>> _titles(["Minister", "Dr."])
    '^.*\\b(?:Minister|Dr\\.?)\\s+'
    """
    words = [regex.escape(t[:-1]) + r"\.?" if t.endswith(".") else regex.escape(t) for t in titles]
    return rf"^.*\b(?:{'|'.join(words)})\s+"


def _word_or_symbol(words: frozenset[str], symbols: frozenset[str]) -> str:
    """Words in any case, symbols exactly as written (a capital M is no milli-)."""
    return rf"(?:{_tree(words)})(?![\p{{L}}])|(?-i:{_tree(symbols, fold_case=False)})"


def _resolve(name: str, pieces: dict[str, str], stack: tuple[str, ...] = ()) -> str:
    """The piece's source with every {piece} it refers to written in; a {&piece} becomes a call
    of the group _source defines."""
    if name in stack:
        raise RulesError(f"pattern {name!r} refers to itself: {' -> '.join([*stack, name])}")
    if name not in pieces:
        where = f" (in {stack[-1]!r})" if stack else ""
        raise RulesError(f"unknown pattern piece {{{name}}}{where}")

    def expand(match: regex.Match[str]) -> str:
        return f"(?:{_resolve(match.group(1), pieces, (*stack, name))})"

    def call(match: regex.Match[str]) -> str:
        _resolve(match.group(1), pieces, (*stack, name))  # an unknown name or a cycle fails here
        return f"(?&{_CALLED}{match.group(1)})"

    return _CALL.sub(call, _REF.sub(expand, pieces[name]))


# The group a called piece is defined as: a name no rule gives a group of its own.
_CALLED = "piece_"


def _source(name: str, pieces: dict[str, str], *, call_spaces: bool = False) -> str:
    """The whole source of a pattern: the piece resolved, then a definition of each piece it
    calls ({&piece}), once, however many places call it.

    Why call: `regex` sets up every repeat (+, *, ?, {m,n}) of a pattern on each match, run or
    not, some 20 instructions each; a piece written in at eight places costs that eight times on
    every call. A call costs nothing until it runs, and then saves and restores the repeats in
    progress, so it suits a piece that is written in at many places but rarely reached: the unit
    words a scaled number word needs after it ("three quarters billion") were a third of the
    scan pattern's repeats. A called piece is matched with the pattern's own flags, not those
    of the group around the call (the generated word trees set their own case).

    With `call_spaces`, the space and the hyphen between the words of its word trees (`trie`)
    are called too: figure_tail held a thousand, each a repeat. A call that runs costs more
    than the repeats it saves, so that suits a pattern that reaches few of its words (the units
    after a figure, 16% of figure_tail_unranged's instructions), not one that often crosses a
    space in them (scan_head's number words doubled its cost so).
    """
    source = _resolve(name, pieces)
    defined: dict[str, str] = {}
    wanted = set(_CALLS_IN.findall(source))
    while wanted - defined.keys():
        called = min(wanted - defined.keys())
        defined[called] = _resolve(called, pieces)
        wanted |= set(_CALLS_IN.findall(defined[called]))
    for piece, (written, found) in _SHARED_REPEATS.items() if call_spaces else ():
        call = f"(?&{_CALLED}{piece})"
        source = found.sub(call, source)
        defined = {n: found.sub(call, body) for n, body in defined.items()}
        defined[piece] = written
    if not defined:
        return source
    groups = "".join(f"(?P<{_CALLED}{n}>{body})" for n, body in sorted(defined.items()))
    return f"{source}\n(?(DEFINE){groups})"


_CALLS_IN = regex.compile(rf"\(\?&{_CALLED}([a-z_]+)\)")
# The space and the hyphen of the word trees (see trie) as written there, and how they are
# found in a pattern to be called (call_spaces): not where a lazy, possessive or counted repeat
# of them is written ("[\s\-‑]++"), which a call would change.
_SHARED_REPEATS = {
    name: (written, regex.compile(rf"(?<!\\){regex.escape(written)}(?![?+*{{])"))
    for name, written in (("tree_space", _SPACE), ("tree_hyphen", _HYPHEN))
}


def _compile(source: str, what: str, *, ignore_case: bool = True) -> Pattern:
    try:
        if ignore_case:
            return regex.compile(pin_caseless_sets(source), FLAGS | regex.IGNORECASE)
        return regex.compile(source, FLAGS)
    except regex.error as error:
        raise RulesError(f"{what}: bad regex: {error}") from error


def load_rules(directory: str | Path | None = None) -> Rules:
    """Read, validate and compile the rule files (the package's own when `directory` is None)."""
    path = Path(directory) if directory is not None else None
    try:
        files = RuleFiles.model_validate(_read_files(path))
    except ValidationError as error:
        raise RulesError(f"invalid rule files at {validation_message(error)}") from error
    pieces = _generated_pieces(files)
    for rule in files.pattern:
        if rule.id in pieces:
            raise RulesError(f"pattern id {rule.id!r} clashes with a generated piece")
        pieces[rule.id] = rule.regex
    check_contract(files, pieces)
    compiled = Patterns(
        {
            rule.id: functools.partial(
                _compile,
                _source(rule.id, pieces, call_spaces=rule.call_spaces),
                f"pattern {rule.id}",
                ignore_case=not rule.case_sensitive,
            )
            for rule in files.pattern
        }
    )
    # the package's own lazy patterns wait (its tests compile them all); a folder a user edited
    # is compiled whole, so that a typo fails now, not at the first text that needs the pattern
    compiled.compile(None if path else [rule.id for rule in files.pattern if not rule.lazy])

    def cue(source: str, what: str) -> Pattern:
        pieces["__cue__"] = source
        return _compile(_source("__cue__", pieces), what)

    cues = _cues(files, cue)
    _check_trigger_openings(cues)
    return Rules(
        files=files,
        compiled=compiled,
        **_word_lookups(files),
        **_unit_lookups(files),
        **cues,
        sources=tuple(f"{name}.toml" for name in RULE_FILES),
        zh=_folder_zh_rules(path),
        anchor_word_hint=anchor_word_hint(files, pieces),
        plain_digits=path is None or _own_head(compiled["scan_digits_head"]),
        plain_end=path is None or _own_pattern(compiled["figure_end"], "figure_end"),
        words_head=path is None or _own_words_head(compiled),
        tail_in_parts=path is None
        or all(
            _own_pattern(compiled[name], name)
            for name in ("figure_tail_unranged", "scale", "unit", "figure_tail", "figure")
        ),
        plain_noun_gap=path is None or _own_pattern(compiled["noun_after"], "noun_after"),
        units_by_first=_units_by_first(files, pieces)
        if path is None or _own_pattern(compiled["unit"], "unit")
        else {},
    )


# where `unit` reads its first character, and what it may read before: one of these, which
# each of its alternatives passes over (units.toml's words start with none of them: checked)
UNIT_GAP = frozenset(" \t\n\r\u00a0-")
# ... and a bracket, before which its bracketed symbols' alternative reads the whole tree
UNIT_BRACKETS = frozenset("([{<")


def _units_by_first(files: RuleFiles, pieces: dict[str, str]) -> dict[str, Pattern]:
    """The `unit` pattern for each character its unit can start with, holding only the words
    and symbols that start with it (extraction.unit_at): one alternative of each tree where
    the whole pattern tries some thirty, and a few repeats to set up where it has 300 (some
    6,000 instructions a call before it reads a character). Built with the pattern's own
    pieces, so each matches as the whole does where its character stands. Only for ASCII, not
    for the brackets (the whole pattern is asked there: a few units start elsewhere, and each
    pattern costs the rules' load), and none where a unit could start with a gap."""
    by_first = _UnitWords.of(files).by_first()
    if by_first.keys() & UNIT_GAP:
        return {}
    rule = next(r for r in files.pattern if r.id == "unit")
    # a letter's two cases hold the same words: one pattern; the divisor's tree built once
    by_words: dict[_UnitWords, Pattern] = {}
    found = {}
    for char, starting in sorted(by_first.items()):
        if char in UNIT_BRACKETS or not char.isascii():
            continue  # the whole pattern is asked there: few units start outside ASCII
        if starting not in by_words:
            # where no compound starts, its divisor is never read
            measures = starting.measure_words or starting.measure_symbols
            written = _unit_pieces(starting, pieces["per_unit"] if measures else "(?!)")
            source = _source("unit", {**pieces, **written})
            what = f"pattern unit ({char})"
            by_words[starting] = _compile(source, what, ignore_case=not rule.case_sensitive)
        found[char] = by_words[starting]
    return found


def _check_trigger_openings(cues: dict[str, Any]) -> None:
    """A rule marked `opens_with_trigger` (or a [[subject_name]] cue's part past its sentence's
    head, with past_head_triggers) is matched only where one of those words stands
    (sentence_fields._trigger_starts): a match opening elsewhere would be lost without a word.
    Each of its examples is searched whole, and every match must open with one of them."""
    openings = [
        (rule, pattern, triggers, "opens_with_trigger")
        for group in ("attribution_cues", "subject_name_cues", "metrics")
        for rule, pattern, triggers in cues[group].entries
        if getattr(rule, "opens_with_trigger", False) and pattern is not None
    ]
    past_heads = cues["past_head"]
    openings += [
        (named, past_heads[f"subject_name:{named.id}"], named.past_head_triggers, "past_head")
        for named, _pattern, _triggers in cues["subject_name_cues"].entries
        if named.past_head_triggers
    ]
    for rule, pattern, triggers, flag in openings:
        for example in rule.examples:
            lower = example.lower()
            for m in pattern.finditer(example):
                if not any(lower.startswith(word, m.start()) for word in triggers):
                    raise RulesError(
                        f"{rule.id}: {flag}, but its match {m.group()!r} in the example "
                        f"{example!r} opens with none of its trigger words"
                    )
    closing_cues = [*cues["attribution_cues"].entries, *cues["subject_name_cues"].entries]
    for rule, pattern, triggers in closing_cues:
        if not rule.closes_with_trigger:
            continue
        # the last word of each match, or the one before it, is one of the triggers
        closing = re.compile(r"\b(?:" + "|".join(map(re.escape, triggers)) + r")(?:\s+\w+)?\Z")
        for example in rule.examples:
            for m in pattern.finditer(example):
                if closing.search(m.group().lower()) is None:
                    raise RulesError(
                        f"{rule.id}: closes_with_trigger, but its match {m.group()!r} in the "
                        f"example {example!r} closes with none of its trigger words"
                    )


def _own_head(head: Pattern) -> bool:
    """Whether a rules folder's scan head at a digit is the package's own, as compiled."""
    return _own_pattern(head, "scan_digits_head")


def _own_words_head(compiled: Patterns) -> bool:
    """Whether a rules folder's scan head and its head at a letter are the package's own (a
    folder written before the latter has none)."""
    return (
        "scan_words_head" in compiled.compilers
        and _own_pattern(compiled["scan_head"], "scan_head")
        and _own_pattern(compiled["scan_words_head"], "scan_words_head")
    )


def _own_pattern(pattern: Pattern, name: str) -> bool:
    """Whether a rules folder's pattern `name` is the package's own, as compiled."""
    own = default_rules().compiled[name]
    return pattern.pattern == own.pattern and pattern.flags == own.flags


# anchor_word as patterns.toml writes it, comments and spaces aside (see anchor_word_hint)
_ANCHOR_WORD = r"\b(?:{anchor_words})\b"


def anchor_word_hint(files: RuleFiles, pieces: dict[str, str]) -> re.Pattern[str] | None:
    r"""anchor_word's tree of number words, compiled by the standard library's `re`, where it
    crosses a text far more cheaply than `regex` does: what it finds is a place where
    anchor_word may match, to be asked there (extraction._hinted_starts). It is read in the
    text's `letters_only` form (every character but a-z made a space, a space put before it),
    so that it can open with a plain space, which `re` skips ahead to as to any literal, where
    a set of characters before the word (`[^a-z]`) cost a call per character of the text. It
    finds every place anchor_word matches: a word starts after no a-z letter, now a space; the
    tree's letters are a-z and stay; what stands between its words (`[\s\-‑]`) becomes a
    space, which that set holds. It does not ask where the word ends, so that no difference in
    what the two engines call a word character hides a start. None (anchor_word runs alone)
    where a rules folder writes anchor_word otherwise, or its tree holds a character other than
    a-z between its words, or is not `re`'s syntax.

    A match starts at the space before the word: in `letters_only`'s text, one character
    longer, that is where the word starts in the text.

    >>> hint = default_rules().anchor_word_hint
    >>> [m.start() for m in hint.finditer(letters_only("two have two-thirds, often a\ndozen"))]
    [0, 9, 27]
    """
    rule = next((r for r in files.pattern if r.id == "anchor_word"), None)
    if rule is None or "".join(regex.sub(r"#.*", "", rule.regex).split()) != _ANCHOR_WORD:
        return None
    tree = pieces["anchor_words"]
    letters = _TREE_SYNTAX.sub("", tree)
    if not (letters.isascii() and letters.isalpha() and letters.islower()):
        return None
    try:
        return re.compile(rf" (?:{tree})")
    except re.error:
        return None


# what a number words' tree (trie, fold_case=False) writes besides its words' letters: groups,
# alternatives, and the space or hyphen between words
_TREE_SYNTAX = regex.compile(
    "|".join([r"\(\?(?:-i)?:", r"[|)]", regex.escape(_SPACE), regex.escape(_HYPHEN)])
)
# every byte but a-z made a space (letters_only)
_LETTERS_ONLY = bytes(c if 97 <= c <= 122 else 32 for c in range(256))


def letters_only(lowered: str) -> str:
    """A lower-cased text with every character but a-z made a space, and a space put before it,
    where anchor_word_hint reads: the same length but for that space, so that the text's
    offset i is this one's i + 1. Three passes in C (a character outside ASCII is one "?").

    >>> letters_only("two-thirds, ½ ａ\u2011b")
    ' two thirds      b'
    """
    return " " + lowered.encode("ascii", "replace").translate(_LETTERS_ONLY).decode("ascii")


def _hint(tree: str) -> re.Pattern[str] | None:
    r"""A prefix tree of literal words (trie(fold_case=False)) compiled by the standard library's
    `re`: it skips from one of the words' first characters to the next with a table, where
    `regex` tries the whole tree at every character, so that a pattern built on the tree is
    asked only where the hint finds a start. It finds every such start: the tree's words match
    alike, and `re`'s \s holds every space `regex`'s does; what the pattern adds around the tree
    (, a look-ahead) is left to the pattern. None where `re` cannot read the tree.

    >>> [m.start() for m in _hint(trie({"UK", "U.S."}, fold_case=False)).finditer("a UK-U.S. deal")]
    [2, 5]
    """
    try:
        return re.compile(tree)
    except re.error:
        return None


def _folder_zh_rules(directory: Path | None) -> ZhRules | None:
    """The Chinese rules of a rules folder: its zh.toml, checked like the other files; None (the
    package's own zh.toml) when the folder has none, so a folder made before the Chinese path
    existed keeps working."""
    if directory is None or not (directory / "zh.toml").is_file():
        return None
    from ledger.zh_rules import load_zh_rules  # here: zh_rules imports RulesError from this module

    return load_zh_rules(directory / "zh.toml")


def _word_lookups(files: RuleFiles) -> dict[str, Any]:
    """The words of numbers.toml, qualifiers.toml and currencies.toml, keyed by norm(word)."""
    nw = files.number_words
    number_words: dict[str, float] = {}
    for table in (nw.units, nw.teens, nw.tens, nw.scaled_only):
        number_words.update({norm(k): float(v) for k, v in table.items()})
    scales: dict[str, float] = {}
    for s in files.scale:
        scales.update({norm(w): s.factor for w in s.words})
        scales.update({w: s.factor for w in s.glued_words})
    multiples: dict[str, tuple[float, str | None]] = {}
    for m in files.multiple:
        if m.factor is None and not m.factors:
            raise RulesError(f"multiple {m.id!r} needs a factor or factors")
        multiples.update({norm(w): (float(m.factor or 0), m.change) for w in m.words})
        multiples.update({norm(w): (float(f), m.change) for w, f in m.factors.items()})
    prefixes = currency_prefixes(files.currency)
    return {
        "scales": scales,
        "number_words": number_words,
        "number_added": {norm(k): float(v) for k, v in nw.added.items()},
        "metre_distances": frozenset(files.metre_distances.values),
        "fractions": {norm(w): f.percent for f in files.fraction for w in f.words},
        "vague": {norm(w): (v.low, v.high) for v in files.vague for w in v.words},
        "multiples": multiples,
        "symbols": prefixes.symbols,
        "glue": {letters.upper(): code for (letters, _), code in prefixes.glue.items()},
        "codes": prefixes.codes,
        "qualifiers": {norm(w): q.bound for q in files.qualifier for w in q.words},
        "not_sources": frozenset(files.attribution_words.not_sources),
        "people": frozenset(files.attribution_words.people),
        "organisations": frozenset(files.attribution_words.organisations),
        "capitalised_only": frozenset(files.attribution_words.capitalised_only),
        "comparison_words": frozenset(files.comparison.words),
        "comparison_triggers": frozenset(files.comparison.triggers),
        "not_labels": frozenset(files.not_labels.words),
        "change_nouns": {
            **{w: "increase" for w in files.change_nouns.increase},
            **{w: "decrease" for w in files.change_nouns.decrease},
        },
        "change_noun_words": frozenset(files.change_nouns.increase + files.change_nouns.decrease),
        "change_determiners": frozenset(files.change_nouns.determiners),
        "change_not_between": frozenset(files.change_nouns.not_between),
        "change_percent_only": frozenset(files.change_nouns.percent_only),
        "change_next_only": frozenset(files.change_nouns.next_only),
        **_context_ends(files, prefixes),
        "label_words": frozenset(files.label_words.words),
        "anchor_marks": _anchor_marks(files, prefixes),
        "month_words": frozenset(m.casefold() for m in files.period_words.months),
    }


def _anchor_marks(files: RuleFiles, prefixes: CurrencyPrefixes) -> tuple[str, ...]:
    """The characters a candidate can start at, each searched for in the text (see [anchor_marks]
    in patterns.toml): those the table lists, and the first of each currency symbol."""
    symbols = {*prefixes.symbols, *(symbol for _glue, symbol in prefixes.glue)}
    symbols |= {c.symbol for c in files.context}
    for mark in files.anchor_marks.words:
        if len(mark) != 1:
            raise RulesError(f"patterns.toml: anchor_marks {mark!r} must be one character")
    return tuple(sorted({*files.anchor_marks.words, *(symbol[0] for symbol in symbols)}))


def _context_ends(files: RuleFiles, prefixes: CurrencyPrefixes) -> dict[str, frozenset[str]]:
    """What the words before a figure end with when the `before` pattern can read a context in
    them (see read_candidate): a qualifier's last word (its last two, for one of several: "up
    to", "in excess of"; "to" and "of" alone are before most figures), a minus word, a currency
    prefix (a code or a letter glued to "$" is read in its case: "a $5" holds no "A$")."""
    qualifiers = {w for q in files.qualifier for w in q.words}
    words = qualifiers | set(files.minus_words.words)
    glue = {letters for letters, _symbol in prefixes.glue}
    any_case = set(files.minus_words.words) | {g for g in glue if len(g) > 1}  # "Us $", "us$"
    pairs = set()
    for qualifier in qualifiers:
        parts = regex.split(r"[\s\-‑]+", qualifier.strip())
        if len(parts) > 1:
            pairs.add(f"{last_letters(parts[-2])} {last_letters(parts[-1])}")
        else:
            any_case.add(qualifier)
    in_case = set(prefixes.codes) | glue | ({"c"} if "C" in glue else set())  # "c $ 300"
    marks = {w[-1] for w in words | in_case if not w[-1].isalpha()} | {"-"}
    return {
        "before_words": frozenset(filter(None, map(last_letters, any_case))),
        "before_pairs": frozenset(pairs),
        "before_pair_ends": frozenset(pair.rsplit(" ", 1)[-1] for pair in pairs),
        "before_codes": frozenset(filter(None, (last_letters(w, fold=False) for w in in_case))),
        "before_marks": frozenset(marks),
    }


def _unit_lookups(files: RuleFiles) -> dict[str, Any]:
    """The units of units.toml and currencies.toml, by word and by symbol."""
    units_by_word: dict[str, UnitInfo] = {}
    units_by_symbol: dict[str, UnitInfo] = {}
    for cur in files.currency:
        units_by_word.update({norm(w): UnitInfo("money", cur.id) for w in cur.words})
    for u in files.unit:
        info = UnitInfo(u.kind, u.unit or None, u.factor)
        units_by_word.update({norm(w): info for w in u.words})
        units_by_symbol.update({s: info for s in [*u.symbols, *u.guarded]})
    for symbol, code in currency_prefixes(files.currency).symbols.items():
        units_by_symbol.setdefault(symbol, UnitInfo("money", code))
    missing = [word for word in UNIT_WORDS if norm(word) not in units_by_word]
    if missing:
        raise RulesError(f"units.toml: no unit has the word {missing[0]!r}; the extractor reads it")
    return {
        "units_by_word": units_by_word,
        "units_by_symbol": units_by_symbol,
        "per_units": {norm(word): symbol for word, symbol in files.per.units.items()},
        "rate_units": frozenset(files.per.rates),
        "minor_units": {
            u.unit: {norm(w): f for w, f in u.minor.items()} for u in files.unit if u.minor
        },
        "irregular": dict(files.nouns.irregular),
        # reversed, so that the first plural listed for a singular is the one kept
        "plurals": {one: many for many, one in reversed(files.nouns.irregular.items())},
        "adjectives": frozenset(w.lower() for w in files.nouns.adjectives),
        "attributive": frozenset(files.nouns.attributive),
        "not_nouns": frozenset(files.nouns.not_nouns),
        "measure_qualifiers": frozenset(files.nouns.measure_qualifiers),
        "time_nouns": frozenset(files.nouns.time_nouns),
        "durations": frozenset(files.nouns.durations),
        # lower case only: "the 14th Five-Year Plan" is a name, not a span of time
        "duration_compound": regex.compile(
            rf"-({'|'.join(map(regex.escape, files.nouns.durations))})s?(?:-olds?)?(?![\w-])"
            # a wire headline in capitals: "SELLS 9-7/8 PCT 30-YEAR DEBENTURES"
            rf"|-({'|'.join(regex.escape(d.upper()) for d in files.nouns.durations)})S?(?![\w-])"
        ),
        "durations_after": regex.compile(
            rf"[ \t\u00a0]+(?:{'|'.join(map(regex.escape, files.nouns.durations))})s\b"
        ),
        "stop": frozenset(files.nouns.stop),
    }


def _cues(files: RuleFiles, cue: Callable[[str, str], Pattern]) -> dict[str, Any]:
    """The sentence-level rules and context cues, compiled with `cue` (which resolves pieces)."""
    subject_ids = {
        regex.sub(r"[\s\u00a0\-‑]+", " ", name): s.id
        for s in files.subject
        for name in [*s.names, *s.names_alone]
    }
    skip = files.pycountry.skip if files.pycountry else []
    for name, subject in country_names(skip).items():  # every other country, by its ISO name
        subject_ids.setdefault(name, subject)
    return {
        "named": {
            norm(w): (UnitInfo(n.kind, n.unit, n.value), cue(n.cue, f"named {n.id}"))
            for n in files.named
            for w in n.words
        },
        "contexts": {
            c.symbol: tuple((regex.compile(r.cue), r.code) for r in c.rules) for c in files.context
        },
        "context_default": {c.symbol: c.default for c in files.context},
        "currency_word_contexts": {
            norm(word): (
                # one search for any choice's names, as prefix trees matched in their case: a
                # sentence naming no country costs one cheap pass (a case-blind list ten)
                regex.compile(
                    r"\b(?:"
                    + "|".join(f"(?P<{c.code}>{trie(c.names, fold_case=False)})" for c in w.choices)
                    + r")\b"
                ),
                regex.compile(rf"\b{trie(w.unless, fold_case=False)}\b"),
                w.story,
            )
            for w in files.currency_word_context
            for word in w.words
        },
        "word_contexts": {
            norm(word): (cue(w.cue, f"word_context {w.id}"), UnitInfo(w.kind, w.unit))
            for w in files.word_context
            for word in w.words
        },
        "change_cues": tuple(
            (
                c,
                cue(
                    ("(?r)" if c.where == "before" else "") + _cue_regex(c, files.change_words),
                    f"change {c.id}",
                ),
            )
            for c in files.change
        ),
        "change_before": cue(
            "(?r)" + _side_of(files.change, files.change_words, "before"), "change cues before"
        ),
        "change_before_gated": tuple(
            (
                c,
                cue("(?r)" + _cue_regex(c, files.change_words), f"change {c.id}"),
                frozenset(c.triggers),
            )
            for c in files.change
            if c.where == "before" and c.triggers
        ),
        "change_after": cue(
            _side_of(files.change, files.change_words, "after"), "change cues after"
        ),
        "attribution_cues": Gated(
            (a, cue(_with_words(a), f"attribution {a.id}"), frozenset(a.triggers))
            for a in files.attribution
        ),
        "subject_name_cues": Gated(
            (n, cue(_with_words(n), f"subject_name {n.id}"), frozenset(n.triggers))
            for n in files.subject_name
        ),
        "currency_names": _currency_names(files),
        "subject_name_leads": {
            n.id: cue(rf"(?r)(?:{n.lead})\Z", f"subject_name {n.id} lead")
            for n in files.subject_name
            if n.lead
        },
        "period_cues": Gated(
            (p, cue(p.regex, f"period {p.id}"), frozenset(p.triggers)) for p in files.period
        ),
        "past_head": {
            f"{kind}:{entry.id}": cue(rest, f"{kind} {entry.id}")
            for kind, entry, source in [
                *(("subject_name", n, _with_words(n)) for n in files.subject_name),
                *(("period", p, p.regex) for p in files.period),
            ]
            if (rest := past_head(source)) is not None
        },
        # read back from a cue with .match: where it ends (\Z) is the only place it can match
        "baseline": cue("(?r)(?:" + files.period_baseline.regex + r")\Z", "period_baseline"),
        "baseline_also": tuple(files.period_baseline.also),
        "baseline_also_words": tuple(files.period_baseline.also_words),
        "span_opens": cue("(?r)(?:" + files.period_span.opens + r")\Z", "period_span opens"),
        "span_joins": cue(files.period_span.joins, "period_span joins"),  # read with fullmatch
        "period_within": cue(files.period_reach.within, "period_reach within"),
        "subject_self": cue(files.subject_self.regex, "subject_self"),
        "subject_self_triggers": frozenset(files.subject_self.triggers),
        "subject_self_generic": frozenset(files.subject_self.generic),
        "legal_suffix": regex.compile(
            r"(?:,?\s+(?:" + "|".join(map(regex.escape, files.subject_self.suffixes)) + r"))+$"
        ),
        "period_clause": cue(files.period_reach.clause, "period_reach clause"),
        "period_when": cue(files.period_reach.when, "period_reach when"),
        "period_owned": cue(files.period_reach.owned, "period_reach owned"),
        "period_change_from": cue(
            "(?r)(?:" + files.period_reach.change_from + r")\Z", "period_reach change_from"
        ),
        "period_baseline_figure": cue(
            "(?r)(?:" + files.period_reach.baseline_figure + r")\Z", "period_reach baseline_figure"
        ),
        "period_revision_words": frozenset(files.period_reach.revision_words),
        "period_change_words": frozenset(files.period_reach.change_words),
        "future_apart": cue(files.period_reach.future_apart, "period_reach future_apart"),
        "own_aside": cue(files.own_aside.regex, "own_aside"),
        "state_body": cue(files.state_body.regex, "state_body"),
        "headline_subject": cue(files.headline_subject.regex, "headline_subject"),
        "subject_object": cue("(?r)(?:" + files.subject_object.regex + r")\Z", "subject_object"),
        "subject_owned": cue(r"\s*(?:" + files.subject_owned.regex + ")", "subject_owned"),
        "subject_stake": cue("(?r)(?:" + files.subject_owned.regex + r")\Z", "subject_owned"),
        "reported_subject": cue(files.reported_subject.regex, "reported_subject"),
        "security_after": cue(files.security_term.after, "security_term after"),
        "security_before": cue(
            "(?r)(?:" + files.security_term.before + r")\Z", "security_term before"
        ),
        "security_words": frozenset(files.security_term.words),
        "security_comparative": cue(files.security_term.comparative, "security_term comparative"),
        "place_in_name": cue(files.place_in_name.regex, "place_in_name"),
        "rating_agency": cue(files.rating_agency.regex, "rating_agency"),
        "rating_words": frozenset(files.rating_agency.words),
        "listing_place": cue("(?r)(?:" + files.listing_place.regex + r")\Z", "listing_place"),
        "listing_words": frozenset(files.listing_place.words),
        "place_ids": frozenset(
            [s.id for s in files.subject if s.kind == "country"]
            + list(country_names(skip).values())
        ),
        "subject_pattern": regex.compile(
            # \b rather than a look-behind first: the engine rejects most positions at once;
            # a name a currency's "$" follows is the currency's ("more than US$5 billion")
            r"\b(?:" + trie(list(subject_ids), fold_case=False) + r")(?![\p{L}\d$])",
            0,
        ),
        "subject_hint": _hint(trie(list(subject_ids), fold_case=False)),
        "subject_ids": subject_ids,
        "subject_alone": frozenset(name for s in files.subject for name in s.names_alone),
        "subject_words": name_words(subject_ids),
        "restatements": tuple(
            (r.id, _compile(r.regex, f"restatement {r.id}")) for r in files.restatement
        ),
        "titles": regex.compile(_titles(files.attribution_words.titles)),
        "title_words": frozenset(t.lower().rstrip(".") for t in files.attribution_words.titles),
        "title_heads": tuple(t.removesuffix(".") for t in files.attribution_words.titles),
        "furniture": _compile(
            r"^(?:(?:" + "|".join(files.attribution_words.furniture or ["(?!)"]) + r")\s+)+",
            "attribution_words furniture",
        ),
        "sentence_boundary": boundary_pattern(month_abbreviations(files.period_words.months)),
        "comparison": cue(
            rf"\b(?:{'|'.join(sorted(files.comparison.words))}|{files.comparison.phrases})\b",
            "comparison",
        ),
        "metrics": Gated(
            (
                m,
                cue(m.keywords, f"metric {m.id}") if m.keywords.strip() else None,
                frozenset(m.triggers),
            )
            for m in files.metric
        ),
    }


@functools.cache
def default_rules() -> Rules:
    """The package's own rules, loaded and compiled once per process (they never change)."""
    return load_rules()

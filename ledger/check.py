"""Cross-checking: every current claim against the reference figures and against other claims.

A check suggests; it never writes a verdict. For each claim (claims.retired_at is null):

1. References with the same metric and subject (and, when the reference has `keywords`, one of
   them in the claim's clause) whose unit can be brought into the claim's unit: same unit, or two
   currencies through the rates table (`ledger/rates.py`). Percent and percentage points are never
   compared; such a reference is named in the explanation and left out.
2. Period: a claim with a period takes the references for exactly that period. A claim without
   one takes the references nearest the source's publication date: the latest period ending on or
   before it, else the earliest after it, within 18 months; those rows are marked
   `nearest-to-publication`.
3. Each figure becomes an interval (`claim_interval`): "exceeded 900" is (900, inf); "some 540" is
   540 +/- the approx tolerance (10%, or --tolerance if larger); an exact figure is its value +/-
   the tolerance or the rounding of its last digit, whichever is larger. The outcome is
   `consistent` when the reference lies within the claim's interval, `inconsistent` when the two
   do not meet, `ambiguous` when they overlap only in part (a bound against a bound).
4. Claims against each other: same metric, subject and period, same kind of figure (level or
   change), same keywords matched, comparable units; within one source only figures the extractor
   linked (see `Checker.against_claims`). When their intervals do not meet, each gets an
   `inconsistent` row naming the other ("some 540 satellites ... (the actual number has exceeded
   900)").

A claim with no usable reference gets one `no-reference` row saying why. `run_checks` replaces the
whole `checks` table in one transaction; the view `check_outcomes` sums up each claim.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import sqlite3
import tempfile
import tomllib
from collections import defaultdict
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import regex
import sqlite_utils
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
)

from ledger.conflicts import load_scope_cues, restates, words_after
from ledger.describe import describe_value, number_in_words, with_unit
from ledger.intervals import (
    APPROX_TOLERANCE_PCT,
    Interval,
    claim_interval,
    compare,
    reference_interval,
    written_place,
)
from ledger.models import validation_message
from ledger.rates import RatesError, RateTable, load_rates
from ledger.refdata.checking import (
    NAMED_REACH,
    CheckingRules,
    Cue,
    Figure,
    FigureWords,
    Matcher,
    SourceContext,
    Subject,
    subject_id,
)
from ledger.refdata.lookup import OfficialReferences
from ledger.references import period_end
from ledger.rules import FLAGS as RULE_FLAGS
from ledger.rules import RestatementRule, default_rules
from ledger.schema import CHECK_COLUMNS, ensure_schema
from ledger.subjects import SubjectCode, subject_codes

DEFAULT_TOLERANCE_PCT = 2.0
# A claim without a period is matched to a reference at most this far from its publication date.
NEAREST_WINDOW_DAYS = 550
# Rows kept per claim for each other figure that contradicts it (the rest are the same story).
MAX_CONFLICTS_PER_FIGURE = 5
# How far either side of a figure its growth words, and a sector that owns them, are read.
GROWTH_REACH = 80
# A quote's words before its number: "around" in "around 1.5750 dlrs", "below" in "below 139 yen".
_LEADING_WORDS = regex.compile(r"[^\d$£€¥]*")
# "in" right after a figure, before the place it is of ("minus 0.8 pct in West Germany").
_IN_PLACE = regex.compile(r"\s*in\s+(?:the\s+(?=[A-Z]))?")
# A bare number compared with a quote right before it in its sentence is another quote of it
# ("Sterling closed at 1.6175 dlrs, after 1.6150 at the opening") only within this factor of it
# either way: a quote moves by a few percent between two readings, while a figure half or twice
# its size beside it is something else (a volume, a count, another currency's rate).
SAME_QUOTE_FACTOR = 2.0
# Metrics the extractor gives a currency's figure from another word of its sentence ("to trade
# quietly", "Share prices plunged ... as ... 143.75 yen to the dollar") that the check reads as
# the dollar's rate when its own words say so (`_read_dollar_rate`).
MISREAD_DOLLAR_RATE = ("trade", "share_price")
# How far before a company's name the words making it a speaker's employer are read ("Allen
# Sinai, chief economist at", [[affiliation]] in checking.toml, anchored at the name), and how far
# after it the verb of a speaker ("<XON> said", ", the bank's chief economist, said": [[speaker]],
# anchored after it, with an aside of up to 60 characters between).
EMPLOYER_REACH = 60
SPEAKER_REACH = 80
OUTCOMES = ("consistent", "inconsistent", "revised", "forecast", "ambiguous", "no-reference")

# A decrease is a negative change: "fell more than 5%" is a change below -5%.
MIRRORED = {"more_than": "less_than", "less_than": "more_than", "at_least": "at_most",
            "at_most": "at_least"}  # fmt: skip
PERCENTAGES = {"percent", "percentage_point"}


class CheckError(ValueError):
    """A request the checker refuses (unknown claim id, bad tolerance): one-line message."""


class Restatements(BaseModel):
    """ledger/rules/restatements.toml."""

    model_config = ConfigDict(extra="forbid")

    restatement: list[RestatementRule] = Field(min_length=1)

    def between(self, text: str) -> str | None:
        """The id of the first cue found in `text`, if any.

        >>> load_restatements().between(" in space (the actual number has exceeded ")
        'bracket'
        >>> load_restatements().between(" from ") is None
        True
        """
        flags = RULE_FLAGS | regex.IGNORECASE  # as every rule file's regex is read
        return next(
            (cue.id for cue in self.restatement if regex.search(cue.regex, text, flags)), None
        )


def load_restatements(text: str | None = None) -> Restatements:
    """Read and validate the restatement cues (default: the rule file shipped in the package)."""
    if text is None:
        text = resources.files("ledger").joinpath("rules/restatements.toml").read_text("utf-8")
    try:
        return Restatements.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise CheckError(f"restatements.toml: {error}") from error
    except ValidationError as error:
        raise CheckError(f"restatements.toml: {validation_message(error)}") from error


class Incomparable(ValueError):
    """Two units that cannot be brought into one (percent vs percentage points, yuan vs people)."""


def convert_unit(
    value: float, unit: str, target: str, year: int | None, rates: RateTable
) -> tuple[float, str]:
    """`value` in `unit` expressed in `target`, and the rate used ("" when none was needed).

    >>> convert_unit(3.3e12, "CNY", "CNY", 2023, load_rates())
    (3300000000000.0, '')
    >>> convert_unit(8.4, "percent", "percentage_point", 2023, load_rates())
    Traceback (most recent call last):
    ...
    ledger.check.Incomparable: percent vs percentage_point: not the same measure
    """
    if unit.casefold() == target.casefold():
        return value, ""
    if {unit, target} == PERCENTAGES:
        raise Incomparable(f"{unit} vs {target}: not the same measure")
    currencies = rates.currencies()
    if unit in currencies and target in currencies:
        try:
            conversion = rates.convert(value, unit, target, year)
        except RatesError as error:
            raise Incomparable(str(error)) from error
        return conversion.value, conversion.description
    raise Incomparable(f"{unit} vs {target}: different units")


@dataclass
class ClaimRow:
    """What the checker needs of a claim (and its source's date)."""

    id: str
    source_id: str
    quote: str
    value: float
    value_high: float | None
    kind: str
    unit: str | None
    bound: str
    change: str | None
    metric: str
    subject: str | None
    period: str | None
    published: date | None
    clause: str
    basis: str | None = None  # 同比 yoy, 环比 previous_period, 两年平均: what a change is against
    related: frozenset[str] = frozenset()
    start: int = 0
    end: int = 0
    sentence: str = ""
    sentence_start: int = 0
    # a subject taken from the story when the sentence names none: (name, code, how)
    context_subject: tuple[str | None, str, str] | None = None
    metric_from: str | None = None  # where a metric its words lack came from (`_infer_metrics`)

    def signed(self) -> tuple[float, float | None, str]:
        """Value, upper value and bound with a decrease made negative."""
        if self.change != "decrease":
            return self.value, self.value_high, self.bound
        high = -self.value_high if self.value_high is not None else None
        return -self.value, high, MIRRORED.get(self.bound, self.bound)

    def interval(self, tolerance_pct: float) -> Interval:
        value, high, bound = self.signed()
        return claim_interval(value, high, bound, tolerance_pct)

    def year(self) -> int | None:
        """The year of the claim's period ("FY1987" -> 1987, "2023-Q1" -> 2023), else of its
        publication."""
        if self.period:
            found = regex.search(r"\d{4}", self.period)
            return int(found.group()) if found else None
        return self.published.year if self.published else None

    def describe(self) -> str:
        """The claim's figure in words: "more than 3.3 trillion CNY, 2023" (`ledger.describe`)."""
        return describe_value(
            self.value,
            self.unit,
            self.kind,
            self.bound,
            value_high=self.value_high,
            change=self.change,
            period=self.period,
        )


def percent_difference(claimed: float, other: float) -> float | None:
    """How far `other` is from the claim, in percent of the claim."""
    if claimed == 0:
        return None
    return round((other - claimed) / abs(claimed) * 100, 2)


def signed_pct(difference: float | None) -> str:
    return "" if difference is None else f" ({difference:+.1f}%)"


def _keywords_match(keywords: str | None, clause: str) -> bool:
    if not keywords:
        return True
    lowered = clause.casefold()
    return any(word.strip().casefold() in lowered for word in keywords.split("|") if word.strip())


def _subject_key(subject: str | None) -> str:
    """Subjects are the same when they are equal but for case (none is the empty subject)."""
    return (subject or "").casefold()


def claims_by_source(db: sqlite_utils.Database) -> Generator[list[ClaimRow], None, None]:
    """Every current claim with its clause (see `clauses`), one source's claims at a time, in
    reading order: a ledger of any size is checked one source in memory at a time."""
    # Along idx_claims_source_id, so SQLite too sorts one source at a time (see ledger/store.py).
    cursor = db.execute(
        """
        select claims.id, claims.source_id, claims.quote, claims.value, claims.value_high,
               claims.kind, claims.unit, claims.bound, claims.change, claims.metric,
               claims.subject, claims.period, claims.related, claims.start, claims.[end],
               sentences.text as sentence, claims.sentence_start, claims.basis,
               sources.published as source_published
        from claims indexed by idx_claims_source_id
        join sources on sources.id = claims.source_id
        left join sentences on sentences.source_id = claims.source_id
                           and sentences.start = claims.sentence_start
        where claims.retired_at is null and claims.rejected_at is null
        order by claims.source_id, claims.sentence_start, claims.start
        """
    )
    try:
        columns = [column[0] for column in cursor.description]
        rows = (dict(zip(columns, values, strict=True)) for values in cursor)
        for _, source_rows in itertools.groupby(rows, key=lambda row: row["source_id"]):
            yield _source_claims(list(source_rows))
    finally:
        cursor.close()


def _source_claims(rows: list[dict]) -> list[ClaimRow]:
    """One source's claim rows, in reading order, as the checker takes them. A claim's
    `related` are claims of its own source (the extractor links figures of one sentence)."""
    by_sentence: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_sentence[row["sentence_start"]].append(row)
    clause_of: dict[str, str] = {}
    for group in by_sentence.values():
        first = group[0]
        found = clauses(first["sentence"], first["sentence_start"], [row["end"] for row in group])
        clause_of.update(zip([row["id"] for row in group], found, strict=True))
    by_id = {row["id"]: row for row in rows}
    related = {row["id"]: _related_ids(row) for row in rows}  # JSON: parsed once
    return [
        ClaimRow(
            id=row["id"],
            source_id=row["source_id"],
            quote=row["quote"],
            value=row["value"],
            value_high=row["value_high"],
            kind=row["kind"],
            unit=row["unit"],
            bound=row["bound"] or "exact",
            change=row["change"],
            metric=row["metric"] or "other",
            subject=row["subject"] or _related_subject(row, related[row["id"]], by_id),
            period=row["period"],
            published=_date(row["source_published"]),
            clause=clause_of[row["id"]],
            related=frozenset(related[row["id"]]),
            start=row["start"],
            end=row["end"],
            sentence=row["sentence"],
            sentence_start=row["sentence_start"],
            basis=row["basis"],
        )
        for row in rows
    ]


def _related_ids(row: dict) -> list[str]:
    """The ids of the claims the extractor linked to this one (`claims.related`, a JSON list)."""
    try:
        related = json.loads(row["related"] or "[]")
    except (TypeError, ValueError):
        return []
    return [str(other) for other in related] if isinstance(related, list) else []


def _related_subject(row: dict, related: list[str], by_id: dict[str, dict]) -> str | None:
    """A figure linked to another of the same metric ("some 540 satellites ... (the actual number
    has exceeded 900)") is about the same subject when it names none itself."""
    for other_id in related:
        other = by_id.get(other_id)
        if other and other["metric"] == row["metric"] and other["subject"]:
            return str(other["subject"])
    return None


def clauses(sentence: str, sentence_start: int, ends: list[int]) -> list[str]:
    """The words that belong to each figure of a sentence: from the end of the figure before it
    (or the sentence start) to its own end; the last figure also keeps the rest of the sentence.
    `ends` are the figures' end offsets in the source, in order.

    >>> s = "capacity was 7 per cent but demand was 33 per cent of the total"
    >>> clauses(s, 100, [123, 150])
    ['capacity was 7 per cent', ' but demand was 33 per cent of the total']
    """
    found = []
    begin = 0
    for number_, end in enumerate(ends):
        stop = len(sentence) if number_ == len(ends) - 1 else end - sentence_start
        found.append(sentence[begin : max(stop, begin)])
        begin = max(begin, end - sentence_start)
    return found


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _nearest(candidates: list[dict], published: date) -> list[dict]:
    """Among references whose period ends within NEAREST_WINDOW_DAYS of `published`, those ending
    last on or before it, else those ending first after it (a later figure the text could not
    have known, but about the same time)."""
    dated = [(period_end(ref["period"]), ref) for ref in candidates]
    near = [
        end
        for end, _ in dated
        if end is not None and abs((end - published).days) <= NEAREST_WINDOW_DAYS
    ]
    before = [end for end in near if end <= published]
    chosen = max(before) if before else min(near, default=None)
    return [ref for end, ref in dated if chosen is not None and end == chosen]


def _scope(claim: ClaimRow) -> str:
    """Part, whole or plain figure: only claims of one scope may conflict (ledger/conflicts.py)."""
    at = claim.clause.rfind(claim.quote)
    before = claim.clause[:at] if at >= 0 else claim.clause
    after = words_after(claim.sentence, claim.end - claim.sentence_start)
    return load_scope_cues().scope_of(before, after)


class GroupKey(NamedTuple):
    """What claims compared with each other share (`Checker.group_key`)."""

    metric: str
    subject: str  # casefolded
    period: str | None
    level: bool  # a level, not a change
    scope: str  # part, whole or a plain figure (ledger/conflicts.py `scope_of`)
    # a change's basis: 同比 +18.3% and 环比 +0.6% for one quarter measure different things
    basis: str | None
    aspects: frozenset[str]  # the references' keywords the clause holds

    @property
    def across_sources(self) -> bool:
        """Claims are compared across sources when their period is known."""
        return self.period is not None


class Checker:
    """Checks claims against references and each other, in memory: no database access."""

    def __init__(
        self,
        references: list[dict],
        *,
        rates: RateTable | None = None,
        tolerance_pct: float = DEFAULT_TOLERANCE_PCT,
        official: OfficialReferences | None = None,
    ) -> None:
        if not (0 <= tolerance_pct < 100) or math.isnan(tolerance_pct):
            raise CheckError(f"tolerance must be a percentage from 0 to 100, not {tolerance_pct}")
        self.tolerance_pct = tolerance_pct
        self.rules = default_rules()
        files = self.rules.files
        self.subject_codes = subject_codes(files)
        # how far after a figure its own place is read: " in the " and the longest name of a
        # country or an aggregate the subject table holds, whole
        self.place_reach = len(" in the ") + max(
            len(name)
            for name, subject in self.rules.subject_ids.items()
            if subject in self.subject_codes
            and self.subject_codes[subject].kind in ("country", "aggregate")
        )
        definitions = {definition.id: definition for definition in files.definition}
        self.matcher = (
            Matcher(official, definitions, tolerance_pct, self._convert) if official else None
        )
        self.rates = rates or load_rates()
        self.restatements = load_restatements()
        # Looked up for every claim: by metric and subject, not a scan of the metric's references
        # (a table of monthly figures can hold thousands of one metric).
        self.about: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.keywords: dict[str, set[str]] = defaultdict(set)  # the distinct ones, by metric
        for reference in references:
            self.about[(reference["metric"], _subject_key(reference["subject"]))].append(reference)
            if reference["keywords"]:
                self.keywords[reference["metric"]].add(reference["keywords"])

    def check(self, claims: Iterable[ClaimRow]) -> list[dict]:
        """The `checks` rows for these claims (without id and checked_at)."""
        claims = list(claims)
        rows: list[dict] = []
        for claim in claims:
            rows += self.against_references(claim)
        rows += self.against_claims(claims)
        return rows

    def _row(self, claim: ClaimRow, **fields: object) -> dict:
        base: dict[str, object] = {
            "claim_id": claim.id,
            "against_type": None,
            "against_id": None,
            "other_value": None,
            "other_unit": None,
            "rate_used": None,
            "difference_pct": None,
            "outcome": "no-reference",
            "period_match": "none",
            "tolerance_pct": self.tolerance_pct,
            "subject_code": None,
            "subject_inferred": None,
            "period_inferred": 0,
        }
        base.update(fields)
        return base

    def _unmatched(self, claim: ClaimRow, why: str, outcome: str = "no-reference") -> list[dict]:
        """The single row of a claim that was compared with no reference, saying why."""
        explanation = f"claim: {claim.describe()}; {why}; {outcome}"
        return [self._row(claim, outcome=outcome, explanation=explanation)]

    def against_references(self, claim: ClaimRow) -> list[dict]:
        """One row per reference or official series the claim is compared with, or one row
        saying why it was compared with none (`no-reference`) or need not be (`forecast`)."""
        official = self.against_official(claim)
        if official and official[0]["outcome"] == "forecast":
            return official
        cited = self.against_cited(claim)
        if not official:
            return cited
        compared = [row for row in official if row["against_type"]]
        if cited[0]["against_type"] is None:  # no cited reference: the official rows say why
            return compared or official
        return cited + compared

    def _convert(self, value: float, unit: str, target: str, year: int | None) -> float:
        try:
            return convert_unit(value, unit, target, year, self.rates)[0]
        except Incomparable as error:
            raise ValueError(str(error)) from error

    def _place(self, claim: ClaimRow) -> str | None:
        """The claim's subject as a place: an organisation with no country of its own ("the
        IMF said Liberia's GDP rose 2%") or a company a speaker works for ("chief economist at
        Shearson Lehman Brothers") reports a figure, it is not what the figure is about."""
        named = self._place_right_after(claim)
        if named:
            return named
        if claim.subject is None:
            return None
        code = self.subject_codes.get(claim.subject)
        if code and code.kind == "organisation" and not code.code:
            return None
        if code is None and (self._speakers_employer(claim) or self._speaker_of_a_quote(claim)):
            return None
        return claim.subject

    def _place_right_after(self, claim: ClaimRow) -> str | None:
        """A country or an aggregate named right after the figure ("..., 1.4 pct in the U.S.,
        Minus 0.8 pct in West Germany and minus 1.5 pct in Japan"): the figure's own, where the
        sentence names another place (or none) as its subject; never a company's figure's."""
        if claim.subject is not None:
            own = self.subject_codes.get(claim.subject)
            if own is None or own.kind not in ("country", "aggregate"):
                return None
        after = claim.sentence[claim.end - claim.sentence_start :][: self.place_reach]
        lead = _IN_PLACE.match(after)
        if lead is None:
            return None
        found = self.rules.subject_pattern.match(after, lead.end())
        if found is None:
            return None
        name = subject_id(self.rules.subject_ids, found.group())
        code = self.subject_codes.get(name) if name else None
        return name if code is not None and code.kind in ("country", "aggregate") else None

    def _speakers_employer(self, claim: ClaimRow) -> bool:
        """The claim's subject (a company) is named in its sentence as where a speaker works."""
        named = claim.sentence.find(str(claim.subject))
        return (
            self.matcher is not None
            and named > 0
            and _cued(
                self.matcher.rules.affiliation,
                claim.sentence[max(0, named - EMPLOYER_REACH) : named],
            )
        )

    def _speaker_of_a_quote(self, claim: ClaimRow) -> bool:
        """The claim is a market quote and its subject (a person or a firm) is named as who
        speaks ("Viermetz said ... the dollar was trading at 152.50 yen"): the quote is the
        market's, not the speaker's own price."""
        if self.matcher is None or not self.matcher.quotes_a_market(claim.metric):
            return False
        subject = str(claim.subject)
        named = claim.sentence.find(subject)
        after = claim.sentence[named + len(subject) : named + len(subject) + SPEAKER_REACH]
        return named >= 0 and _cued(self.matcher.rules.speaker, after)

    def needs_context(self, claim: ClaimRow) -> bool:
        """True when a claim could be checked against official series but names no place."""
        return self._place(claim) is None and bool(
            self.matcher and self.matcher.checkable(claim.metric)
        )

    def against_official(self, claim: ClaimRow) -> list[dict]:
        """The claim against official series (ledger/refdata/checking.py); [] when its metric
        has none, or no official references are loaded."""
        if self.matcher is None or not self.matcher.checkable(claim.metric):
            return []
        figure = self._figure(claim)
        rows = []
        for verdict in self.matcher.verdicts(figure):
            value = verdict.value
            inferred = figure.subject.inferred
            # a currency's or a crude's series is looked up by its name, not by the place
            used = value is None or value.subject == figure.subject.code
            said = (
                f" (subject {figure.subject.code} from the {inferred})" if inferred and used else ""
            )
            if claim.metric_from:
                said += f" (metric {claim.metric} from {claim.metric_from})"
            rows.append(
                self._row(
                    claim,
                    against_type="official" if value else None,
                    against_id=value.key if value else None,
                    other_value=verdict.other_value,
                    other_unit=claim.unit if value else None,
                    difference_pct=verdict.difference_pct,
                    outcome=verdict.outcome,
                    period_match=verdict.period_match,
                    tolerance_pct=self._tolerance_for(claim),
                    subject_code=figure.subject.code,
                    subject_inferred=inferred,
                    period_inferred=int(verdict.period_match.startswith("inferred")),
                    explanation=f"claim: {claim.describe()}{said}; {verdict.explanation}",
                )
            )
        return rows

    def _figure(self, claim: ClaimRow) -> Figure:
        value, high, bound = claim.signed()
        start = claim.start - claim.sentence_start
        words = FigureWords.of(
            claim.sentence, claim.clause, start, claim.end - claim.sentence_start
        )
        name, code, how = self._place(claim), "", ""
        if name is None and claim.context_subject:
            name, code, how = claim.context_subject
        if name:  # a name no rule or ISO country knows is a company's or an organisation's
            found = self.subject_codes.get(name) or self._unknown_subject(claim, name)
        else:
            found = SubjectCode(code or None, "country" if code else "none")
        subject = Subject(found.code, how or None)
        place = written_place(claim.quote, claim.value, claim.value_high, after_point=True)
        return Figure(value, high, bound, claim.unit, claim.change, claim.metric, claim.period,
                      claim.published, words, claim.clause, subject, found.kind,
                      claim.sentence, start, place, claim.end - claim.sentence_start)  # fmt: skip

    def _unknown_subject(self, claim: ClaimRow, name: str) -> SubjectCode:
        """A subject no rule or ISO country knows: a company's or an organisation's, but the
        dollar's when a market quote's subject names it ("The U.S. Currency ended at 1.8270/80
        marks", "The U.S. Unit eased"): the quote is then the currency's, whoever trades it."""
        if (
            self.matcher is not None
            and self.matcher.quotes_a_market(claim.metric)
            and _cued(self.matcher.rules.dollar_named, name)
        ):
            return SubjectCode(None, "none")
        return SubjectCode(None, "company")

    def against_cited(self, claim: ClaimRow) -> list[dict]:
        """One row per cited reference (sources/references.csv) the claim is compared with, or
        one `no-reference` row."""
        if claim.metric == "other" or not claim.unit:
            why = "no metric" if claim.metric == "other" else "no unit"
            return self._unmatched(claim, f"{why}, nothing to compare")
        about = self.about.get((claim.metric, _subject_key(claim.subject)), [])
        candidates = [ref for ref in about if _keywords_match(ref["keywords"], claim.clause)]
        if claim.change is not None and claim.kind != "percent":
            # "比上年增加2574.2亿元", "up $5 billion": an amount of change meets only references
            # whose keywords say they are a change, never the level itself
            candidates = [ref for ref in candidates if ref["keywords"]]
        if not candidates:
            subject = claim.subject or "no subject"
            why = f"no reference for {claim.metric} of {subject}"
            if about:
                words = " / ".join(sorted({ref["keywords"] for ref in about}))
                why += f" about what the claim's words say (references need: {words})"
            return self._unmatched(claim, why)
        comparable: list[tuple[dict, float, str]] = []
        refused: list[str] = []
        for ref in candidates:
            year = int(ref["period"][:4]) if ref["period"] else claim.year()
            try:
                value, rate = convert_unit(ref["value"], ref["unit"], claim.unit, year, self.rates)
            except Incomparable as error:
                refused.append(f"{ref['id']} ({error})")
                continue
            comparable.append((ref, value, rate))
        if not comparable:
            return self._unmatched(claim, f"not compared: {'; '.join(refused)}")
        if claim.period:
            chosen = [item for item in comparable if item[0]["period"] in (claim.period, None)]
            match = "exact"
            if not chosen:
                periods = ", ".join(sorted({item[0]["period"] for item in comparable}))
                return self._unmatched(claim, f"references for {periods}, none for {claim.period}")
        elif claim.published is None:
            why = "no period, and no publication date to choose a reference by"
            return self._unmatched(claim, why, outcome="ambiguous")
        else:
            nearest = _nearest([item[0] for item in comparable], claim.published)
            if not nearest:
                periods = ", ".join(sorted(str(item[0]["period"]) for item in comparable))
                why = f"no reference within 18 months of {claim.published} (have {periods})"
                return self._unmatched(claim, why)
            chosen = [item for item in comparable if any(item[0] is ref for ref in nearest)]
            match = "nearest-to-publication"
        rows = []
        interval = claim.interval(self.tolerance_pct)
        claimed = claim.signed()[0]
        for ref, value, rate in chosen:
            outcome = compare(interval, reference_interval(value, ref["bound"] or "exact"))
            difference = percent_difference(claimed, value)
            reference = self._describe_reference(ref, value, claim, rate, match)
            rows.append(
                self._row(
                    claim,
                    against_type="reference",
                    against_id=ref["id"],
                    other_value=value,
                    other_unit=claim.unit,
                    rate_used=rate or None,
                    difference_pct=difference,
                    outcome=outcome,
                    period_match=match if ref["period"] else "none",
                    tolerance_pct=self._tolerance_for(claim),
                    explanation=f"claim: {claim.describe()}; {reference}; "
                    f"{outcome}{signed_pct(difference)}",
                )
            )
        return rows

    def _tolerance_for(self, claim: ClaimRow) -> float:
        if claim.bound == "approx":
            return max(self.tolerance_pct, APPROX_TOLERANCE_PCT)
        return self.tolerance_pct

    @staticmethod
    def _describe_reference(ref: dict, value: float, claim: ClaimRow, rate: str, match: str) -> str:
        published = (ref["published"] or "")[:4] or "date not given"
        words = describe_value(ref["value"], ref["unit"], claim.kind, ref["bound"] or "exact")
        text = f"reference: {words}"
        if ref["period"] and (match != "exact" or ref["period"] != claim.period):
            text += f" ({ref['period']}, {match})"
        text += f", {ref['publisher']}, {published}"
        if rate:
            converted = with_unit(number_in_words(value), claim.unit, claim.kind)
            text += f"; = {converted} at {rate}"
        return text

    def against_claims(self, claims: list[ClaimRow]) -> list[dict]:
        """`inconsistent` rows, both ways, for claims about the same thing (`group_key`) whose
        figures do not meet:

        - in one source, only figures the extractor linked (`linked_conflicts`);
        - across sources, figures with the same known period (`figure_conflicts`).
        """
        groups: dict[GroupKey, list[ClaimRow]] = defaultdict(list)
        for claim in claims:
            key = self.group_key(claim)
            if key is not None:
                groups[key].append(claim)
        rows = []
        for key, group in groups.items():
            rows += self.linked_conflicts(group)
            if key.across_sources:
                rows += self.figure_conflicts(group)
        return rows

    def group_key(self, claim: ClaimRow) -> GroupKey | None:
        """What claims compared with this one share, or None when it is compared with none (no
        metric, subject or unit)."""
        if claim.metric == "other" or not claim.subject or not claim.unit:
            return None
        aspects = frozenset(
            keywords
            for keywords in self.keywords.get(claim.metric, ())
            if _keywords_match(keywords, claim.clause)
        )
        # a change said with no basis is taken as year on year, as news writes growth
        basis = None if claim.basis == "yoy" else claim.basis
        return GroupKey(claim.metric, claim.subject.casefold(), claim.period, claim.change is None,
                        _scope(claim), basis, aspects)  # fmt: skip

    def linked_conflicts(self, group: list[ClaimRow]) -> list[dict]:
        """Within one source, only figures the extractor linked (`related`), in one sentence and
        one unit, with a restatement cue between them (ledger/rules/restatements.toml): "some
        540 satellites in space (the actual number has exceeded 900)". Other figures of one
        article with the same metric are mostly different things (exports and imports are both
        `trade`), linked ones are mostly comparisons ("rose to 4.7% from 4.6%"), and a linked
        figure in another currency is the writer's own conversion. `group` is claims of one
        `group_key`; linked ones are of one source, so one source's share of a group will do."""
        by_id = {claim.id: claim for claim in group}
        rows = []
        for claim in group:
            for other_id in sorted(claim.related):
                other = by_id.get(other_id)
                if other and self._restates(claim, other):
                    rows += self._pair(claim, other)
        return rows

    def figure_conflicts(self, group: list[ClaimRow]) -> Iterator[dict]:
        """Across sources, claims of one `group_key` (with a period) whose figures do not meet.
        Claims with the same figure are compared once (a corpus that repeats a figure a
        thousand times costs one comparison), and each claim gets at most
        MAX_CONFLICTS_PER_FIGURE rows per contradicting figure. The rows are yielded as made:
        a group of many figures gives many rows, and they go to disk as they come."""
        by_figure: dict[tuple, list[ClaimRow]] = defaultdict(list)
        for claim in sorted(group, key=lambda claim: claim.id):
            by_figure[(*claim.signed(), claim.unit)].append(claim)
        for figure, members in by_figure.items():
            for other_figure, others in by_figure.items():
                if other_figure == figure or not self._pair(members[0], others[0]):
                    continue
                for claim in members:
                    elsewhere = (other for other in others if other.source_id != claim.source_id)
                    for other in itertools.islice(elsewhere, MAX_CONFLICTS_PER_FIGURE):
                        yield from self._pair(claim, other)

    def _restates(self, claim: ClaimRow, other: ClaimRow) -> bool:
        """Two linked figures of one sentence are two sayings of one number (ledger/conflicts.py,
        the one definition of a conflict)."""
        return restates(claim, other, self.restatements)

    def _pair(self, claim: ClaimRow, other: ClaimRow) -> list[dict]:
        """One `inconsistent` row when `other`'s figure does not meet the claim's, else none."""
        assert claim.unit and other.unit
        year = claim.year()
        value, high, bound = other.signed()
        try:
            low, rate = convert_unit(value, other.unit, claim.unit, year, self.rates)
            if high is not None:
                high, _ = convert_unit(high, other.unit, claim.unit, year, self.rates)
        except Incomparable:
            return []
        other_interval = claim_interval(low, high, bound, self.tolerance_pct)
        if claim.interval(self.tolerance_pct).meets(other_interval):
            return []
        difference = percent_difference(claim.signed()[0], low)
        where = "same source" if other.source_id == claim.source_id else other.source_id
        explanation = (
            f"claim: {claim.describe()}; other claim {other.id} ({where}): "
            f'"{other.quote}" = {other.describe()}'
            + (f" at {rate}" if rate else "")
            + f"; inconsistent{signed_pct(difference)}"
        )
        return [
            self._row(
                claim,
                against_type="claim",
                against_id=other.id,
                other_value=low,
                other_unit=claim.unit,
                rate_used=rate or None,
                difference_pct=difference,
                outcome="inconsistent",
                period_match="exact" if claim.period else "none",
                tolerance_pct=self._tolerance_for(claim),
                explanation=explanation,
            )
        ]


@dataclass
class CheckSummary:
    """What a run found: claims by suggested outcome, and conflicts between claims."""

    claims: int
    outcomes: dict[str, int]
    conflicts: int
    references: int = 0
    official: int = 0  # official datasets read (the pack's and imported ones)

    def line(self) -> str:
        counts = ", ".join(f"{self.outcomes.get(name, 0)} {name}" for name in OUTCOMES)
        line = (
            f"checked {self.claims} claims: {counts}; "
            f"{self.conflicts} claims contradicted by another claim"
        )
        if not self.references and not self.official:
            line += " (no references loaded: `ledger reference load sources/references.csv`)"
        return line


def run_checks(
    db: sqlite_utils.Database,
    *,
    tolerance_pct: float = DEFAULT_TOLERANCE_PCT,
    rates: RateTable | None = None,
    now: datetime | None = None,
    official: list[Path] | None = None,
) -> CheckSummary:
    """Check every current claim and replace the `checks` table with the result.

    Claims are read a source at a time (`claims_by_source`): its claims against the cited
    references, the official series of the databases in `official` (ledger/refdata: the default
    pack and what was imported; `ledger check` passes them) and its linked figures against each
    other. What cross-source comparison needs of a claim with a period waits in a scratch file
    with the rows made so far, and is compared a `group_key` at a time once every source is
    read. Memory holds one source or one group.
    """
    ensure_schema(db)
    references = OfficialReferences(official) if official else None
    checker = Checker(
        list(db["references"].rows), rates=rates, tolerance_pct=tolerance_pct, official=references
    )
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    # closing(): a failure mid-way closes the cursors before the scratch file is detached
    with (
        _Scratch(db, stamp) as scratch,
        contextlib.closing(claims_by_source(db)) as sources,
        contextlib.closing(references or _Nothing()),
    ):
        for claims in sources:
            _infer_metrics(db, checker, claims)
            _infer_subjects(db, checker, claims)
            groups: dict[GroupKey, list[ClaimRow]] = defaultdict(list)
            for claim in claims:
                scratch.add(checker.against_references(claim))
                key = checker.group_key(claim)
                if key is not None:
                    groups[key].append(claim)
            for key, group in groups.items():
                scratch.add(checker.linked_conflicts(group))
                if key.across_sources:
                    scratch.keep(key, group)
        with contextlib.closing(scratch.groups()) as kept:
            for group in kept:
                scratch.add(checker.figure_conflicts(group))
        scratch.replace_checks()
    summary = summarize(db)
    summary.official = len(references.datasets) if references else 0
    return summary


class _Nothing:
    def close(self) -> None:
        pass


def _infer_metrics(db: sqlite_utils.Database, checker: Checker, claims: list[ClaimRow]) -> None:
    """A figure whose own words name no metric, when official series could check it: "It rose
    8.3 pct last year." takes the metric of the sentence right before it (ledger/data/
    checking.toml `anaphora`), "... compared with 8.2% in 2003" that of the figure it is compared
    with (`compared`), each only from a figure of its kind (a percentage from a percentage);
    "Growth was 1.1% in 2004" in a story about an economy is GDP growth (`growth_words`,
    `economy`); "Sterling traded today around 1.5750 dlrs" is the pound's price in dollars
    (`currency_price`). Marked in `metric_from`. A level crossed ("the dollar fell below 139
    yen", `level_crossed`) is read as the level, not as a change."""
    if checker.matcher is None:
        return
    before: ClaimRow | None = None  # the last claim with a checkable metric, in reading order
    text: list[str] = []  # the source's text, read once when a bare growth needs it
    for claim in claims:
        words = claim.sentence[: claim.start - claim.sentence_start]
        if claim.metric == "other" and claim.kind in ("percent", "money", "count"):
            _infer_metric(db, checker, claim, before, words, text)
        elif claim.metric in MISREAD_DOLLAR_RATE and claim.kind == "money":
            _read_dollar_rate(db, checker, claim, words, text, claim.metric == "trade")
        elif claim.metric == "share_of_gdp" and _growth_not_a_share(
            checker.matcher.rules, words, claim.sentence[claim.end - claim.sentence_start :]
        ):
            claim.metric, claim.metric_from = "gdp_growth", "growth words, and no share named"
        elif (
            claim.metric == "inflation"
            and _cued(checker.matcher.rules.allowed_for, words)
            and _growth_of_an_economy(
                checker.matcher.rules, words, claim.sentence[claim.end - claim.sentence_start :]
            )
        ):  # "the economy, ... allowing for inflation, shrank 19 pct in 1986"
            claim.metric, claim.metric_from = "gdp_growth", "growth words, inflation allowed for"
        if checker.matcher.checkable(claim.metric):
            _read_level_crossed(checker.matcher, claim, _with_leading_words(words, claim))
            before = claim


def _infer_metric(
    db: sqlite_utils.Database,
    checker: Checker,
    claim: ClaimRow,
    before: ClaimRow | None,
    words: str,
    text: list[str],
) -> None:
    """The metric of one figure its words give none (`_infer_metrics`), when one is found."""
    assert checker.matcher is not None
    rules = checker.matcher.rules
    akin = before if before is not None and before.kind == claim.kind else None
    if akin is not None and claim.kind == "money" and not _a_quote(checker.matcher, akin):
        akin = None  # "It was 696 mln dlrs": a balance's sign is in the sentence before
    if (
        akin is not None
        and _follows(akin, claim)
        and _cued(rules.anaphora, words)
        and (claim.unit in ("USD", akin.unit) or _cued(rules.dollar_named, akin.sentence))
    ):
        claim.metric, claim.metric_from = akin.metric, "the sentence before"
    elif (
        akin is not None
        and akin.sentence_start == claim.sentence_start
        and _cued(rules.compared, words)
    ):
        claim.metric, claim.metric_from = akin.metric, "the figure it is compared with"
    elif claim.kind == "count":
        code = (
            None
            if claim.unit
            else checker.matcher.priced_in_dollars(
                claim.sentence, claim.start - claim.sentence_start, claim.end - claim.sentence_start
            )
        )
        if code:  # "The won was fixed at 804.90 against the dollar"
            claim.metric, claim.unit, claim.kind = "exchange_rate", code, "money"
            claim.metric_from = f"a number priced in dollars, in the {code} named before it"
        elif (
            before is not None
            and before.sentence_start == claim.sentence_start
            and before.unit
            and _a_quote(checker.matcher, before)
            and _cued(rules.compared, words)
            and abs(before.value) / SAME_QUOTE_FACTOR
            <= abs(claim.value)
            <= abs(before.value) * SAME_QUOTE_FACTOR
        ):  # "Sterling closed at 1.6175 dlrs, after 1.6150 at the opening": the same quote's
            claim.metric, claim.unit, claim.kind = before.metric, before.unit, "money"
            claim.metric_from = "the quote it is compared with"
    elif claim.kind == "money" and _per_hundred(checker.matcher, claim, words):
        # "The mark was quoted at 332.72/75 francs per 100": a cross rate, one mark's price
        claim.value /= 100
        if claim.value_high is not None:
            claim.value_high /= 100
        claim.metric, claim.metric_from = (
            "exchange_rate",
            "a price per 100 of the currency before it",
        )
    elif claim.kind == "money":
        if claim.unit == "USD" and _currency_priced(
            rules, _with_leading_words(words, claim), claim.value
        ):
            claim.metric, claim.metric_from = "exchange_rate", "a currency named before it"
        else:
            _read_dollar_rate(db, checker, claim, words, text, True)
    elif (
        claim.kind == "percent"
        and _cued(rules.since_month, claim.sentence)  # the rarer, and the cheaper to look for
        and _placed(rules.moved_since, words, claim.sentence[claim.end - claim.sentence_start :])
    ):  # "The won has risen six pct against the dollar since September 1985"
        claim.metric, claim.metric_from = "exchange_rate", "a currency's move since a month"
    elif _growth_of_an_economy(
        rules, words, claim.sentence[claim.end - claim.sentence_start :]
    ) and (_of_a_country(checker, claim) or _in_an_economys_story(db, rules, claim, text)):
        claim.metric, claim.metric_from = "gdp_growth", "growth words in an economy's story"


def _read_dollar_rate(
    db: sqlite_utils.Database,
    checker: Checker,
    claim: ClaimRow,
    words: str,
    text: list[str],
    quoted: bool,
) -> None:
    """A figure in another currency than the dollar that is the dollar's rate in it: priced
    "to the dollar" right after it ("an opening foreign exchange record low of 143.75 yen to the
    dollar", whatever metric its sentence's share prices gave it), or, when `quoted` may be read
    (a figure with no metric, or one the extractor took for trade: "It briefly dipped below 145
    yen, ..., to trade quietly"), a level quoted in the dollar's story ("It hit a new record low
    of 148.20 yen", "It closed at 145.25 yen in Tokyo"). Read as the exchange rate, marked."""
    assert checker.matcher is not None
    rules = checker.matcher.rules
    if claim.unit == "USD":
        # "the Canadian dollar, which rose to 76.85 U.S. cts", in a story of trade figures
        if quoted and _currency_priced(rules, _with_leading_words(words, claim), claim.value):
            claim.metric, claim.metric_from = "exchange_rate", "a currency named before it"
        return
    if claim.unit not in rules.currency_words.table().values():
        return
    after = claim.sentence[claim.end - claim.sentence_start :][:NAMED_REACH]
    counter = checker.matcher.counter_after(after)
    if counter is not None and _cued(rules.dollar_named, counter):
        claim.metric, claim.metric_from = "exchange_rate", "priced to the dollar right after it"
    elif counter is not None and rules.currency_words.table().get(counter.casefold()) not in (
        None,
        claim.unit,
    ):  # "The exchange rate has been set at 96.84 yen to the franc": a cross rate
        claim.metric, claim.metric_from = "exchange_rate", "priced to another currency after it"
    elif (
        quoted
        and _cued(rules.quoted_level, _with_leading_words(words, claim))
        and _named_before(db, rules.dollar_named, claim, text, reach=None)
    ):  # "It hit a new record low of 148.20 yen yesterday", in a story of the dollar
        claim.metric = "exchange_rate"
        claim.metric_from = "a level quoted in the dollar's story"


def _per_hundred(matcher: Matcher, claim: ClaimRow, words: str) -> bool:
    """A figure in another currency than the dollar priced per 100 of the currency named
    before it ("The mark was quoted at an early 332.72/75 francs per 100")."""
    if (
        claim.unit in (None, "USD")
        or claim.unit not in matcher.rules.currency_words.table().values()
    ):
        return False
    after = claim.sentence[claim.end - claim.sentence_start :][:NAMED_REACH]
    if not _cued(matcher.rules.per_hundred, after):
        return False
    quoted = matcher.priced_before(words)
    code = matcher.rules.currency_words.table().get(quoted.casefold()) if quoted else None
    return code is not None and code != claim.unit


def _currency_priced(rules: CheckingRules, said: str, value: float) -> bool:
    """A dollar figure said of a currency named before it, trading or standing there
    ("Sterling traded today around 1.5750 dlrs": `currency_price`), at most its cue's size."""
    return any(
        cue.search(said) and value <= (cue.max_value or math.inf) for cue in rules.currency_price
    )


def _growth_not_a_share(rules: CheckingRules, before: str, after: str) -> bool:
    """A share of GDP by its sentence's words ("measured in terms of gross domestic product"),
    said as growth ("after contracting 8.1 pct") with no share named after it ("of GDP").
    `before` and `after`: the figure's sentence either side of it."""
    return _growth_of_an_economy(rules, before, after) and not _placed(rules.share_after, "", after)


def _a_quote(matcher: Matcher, claim: ClaimRow) -> bool:
    """The claim's metric is a price or a rate quoted at a point in time (an exchange rate, an
    oil price): a figure said of it by a pronoun is another quote of it."""
    definition = matcher.definitions.get(claim.metric)
    return definition is not None and definition.aggregation == "point"


def _with_leading_words(words: str, claim: ClaimRow) -> str:
    """The words up to a figure with its quote's own words before the number ("around" in
    "around 1.5750 dlrs", "below" in "below 139 yen"): what a cue ending at the figure reads."""
    return words + _LEADING_WORDS.match(claim.quote).group()  # type: ignore[union-attr]


def _read_level_crossed(matcher: Matcher, claim: ClaimRow, words: str) -> None:
    """A change of a level said as the level it crossed ("the dollar fell below 139 yen") is
    that level: its bound (below: less than) stays, its change goes."""
    definition = matcher.definitions.get(claim.metric)
    if (
        claim.change is not None
        and definition is not None
        and definition.measure == "level"
        and _cued(matcher.rules.level_crossed, words)
    ):
        claim.change = None


def _of_a_country(checker: Checker, claim: ClaimRow) -> bool:
    """The claim's sentence names a country or an aggregate ("China's tax chief confirmed that
    growth had topped 9%")."""
    code = checker.subject_codes.get(claim.subject) if claim.subject else None
    return bool(code and code.code and code.kind in ("country", "aggregate"))


def _in_an_economys_story(
    db: sqlite_utils.Database, rules: CheckingRules, claim: ClaimRow, text: list[str]
) -> bool:
    """Economy words in the claim's sentence or the words before it."""
    return _named_before(db, rules.economy, claim, text)


def _named_before(
    db: sqlite_utils.Database,
    cues: list[Cue],
    claim: ClaimRow,
    text: list[str],
    reach: int | None = 300,
) -> bool:
    """One of `cues` in the claim's sentence up to it or the `reach` characters before (None:
    the whole story before it, its headline too); `text` keeps the source's text once read."""
    if not text:
        row = db.execute("select text from sources where id = ?", [claim.source_id])
        text.append((row.fetchone() or [""])[0] or "")
    start = 0 if reach is None else max(0, claim.sentence_start - reach)
    return _cued(cues, text[0][start : claim.end])


def _follows(before: ClaimRow, claim: ClaimRow) -> bool:
    """`claim`'s sentence comes right after `before`'s."""
    gap = claim.sentence_start - (before.sentence_start + len(before.sentence))
    return before.sentence_start != claim.sentence_start and 0 <= gap <= 3


def _cued(cues: list[Cue], text: str) -> bool:
    return any(cue.search(text) for cue in cues)


def _placed(cues: list[Cue], before: str, after: str) -> bool:
    """Whether a cue matches on its side of a figure: `before` (the words up to it) or `after`."""
    return any(cue.search(after if cue.where == "after" else before) for cue in cues)


def _growth_of_an_economy(rules: CheckingRules, before: str, after: str) -> bool:
    """A figure said as bare growth ("growth had topped 9%", "1.2 pct growth"), of no sector,
    firm or market ("growth of 13.1% in the manufacturing sector")."""
    before, after = before[-GROWTH_REACH:], after[:GROWTH_REACH]
    return _placed(rules.growth_words, before, after) and not _placed(
        rules.not_the_economy, before, after
    )


def _infer_subjects(db: sqlite_utils.Database, checker: Checker, claims: list[ClaimRow]) -> None:
    """Give each claim that official series could check but whose sentence names no subject
    the subject of its paragraph, headline, story or dateline (read from the source's text
    only when some claim needs it)."""
    needing = [claim for claim in claims if checker.needs_context(claim)]
    if not needing:
        return
    row = db.execute("select text from sources where id = ?", [needing[0].source_id]).fetchone()
    if not row or not row[0]:
        return
    rules = default_rules()
    checking = checker.matcher.rules if checker.matcher else None
    speakers = set(checking.speakers.ids) if checking else set()
    places = {
        name for name, code in checker.subject_codes.items()
        if code.kind in ("country", "aggregate", "central_bank") and name not in speakers
    }  # fmt: skip
    context = SourceContext(row[0], rules.subject_pattern, rules.subject_ids, places,
                            checking.not_a_place if checking else [])  # fmt: skip
    datelines = checking.datelines.table() if checking else {}
    for claim in needing:
        found = context.subject_at(claim.start, datelines)
        if found[0] or found[1]:
            claim.context_subject = found


class _Scratch:
    """A database file of the run's own, attached to the ledger's connection as `scratch` and
    deleted afterwards: check rows and the claims for `figure_conflicts` wait there, on disk
    (the ledger's own temp tables may be kept in memory). It is made beside the ledger, where
    there is room for the checks table it becomes (/tmp may be memory)."""

    # What `figure_conflicts` reads of a claim (it compares no clauses and no links).
    KEPT = ("id", "source_id", "quote", "value", "value_high", "kind", "unit", "bound", "change",
            "metric", "subject", "period", "published")  # fmt: skip
    COLUMNS = [column for column in CHECK_COLUMNS if column != "id"]
    FLUSH_ROWS = 10_000

    def __init__(self, db: sqlite_utils.Database, stamp: str) -> None:
        self.db, self.stamp = db, stamp
        self.rows: list[list[object]] = []

    def __enter__(self) -> _Scratch:
        main = next(row[2] for row in self.db.execute("pragma database_list") if row[1] == "main")
        folder = os.path.dirname(main) if main else None  # an in-memory ledger: the temp folder
        handle, self.path = tempfile.mkstemp(prefix=".ledger-check-", suffix=".db", dir=folder)
        os.close(handle)
        try:
            self.db.execute("attach database ? as scratch", [self.path])
        except sqlite3.Error:  # e.g. called inside a transaction
            os.unlink(self.path)
            raise
        self.db.execute("pragma scratch.journal_mode = off")  # thrown away if anything fails
        self.db.execute("pragma scratch.synchronous = off")
        names = ", ".join(f"[{column}]" for column in self.COLUMNS)
        self.db.execute(f"create table scratch.checks ({names})")
        self.db.execute(f"create table scratch.kept ([group], {', '.join(self.KEPT)})")
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.conn.rollback()  # nothing uncommitted may stay open on the ledger's connection
        self.db.execute("detach database scratch")
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    def add(self, rows: Iterable[dict]) -> None:
        """Check rows (without id and checked_at), kept in order and written to the scratch
        file every FLUSH_ROWS rows, however many come at once."""
        for row in rows:
            self.rows.append(
                [self.stamp if column == "checked_at" else row[column] for column in self.COLUMNS]
            )
            if len(self.rows) >= self.FLUSH_ROWS:
                self._flush()

    def _flush(self) -> None:
        marks = ", ".join("?" for _ in self.COLUMNS)
        self.db.conn.executemany(f"insert into scratch.checks values ({marks})", self.rows)
        self.rows = []

    def keep(self, key: GroupKey, claims: list[ClaimRow]) -> None:
        """Claims of one group key, to be compared across sources by `groups`."""
        group = json.dumps([*key[:-1], sorted(key.aspects)])
        rows = []
        for claim in claims:
            kept = {field: getattr(claim, field) for field in self.KEPT}
            kept["published"] = claim.published.isoformat() if claim.published else None
            rows.append([group, *kept.values()])
        marks = ", ".join("?" for _ in range(len(self.KEPT) + 1))
        self.db.conn.executemany(f"insert into scratch.kept values ({marks})", rows)

    def groups(self) -> Generator[list[ClaimRow], None, None]:
        """The kept claims, a group key at a time, each group in id order."""
        cursor = self.db.execute(
            f"select [group], {', '.join(self.KEPT)} from scratch.kept order by [group], id"
        )
        try:
            for _, rows in itertools.groupby(cursor, key=lambda row: row[0]):
                group = []
                for row in rows:
                    kept = dict(zip(self.KEPT, row[1:], strict=True))
                    kept["published"] = _date(kept["published"])
                    group.append(ClaimRow(**kept, clause=""))
                yield group
        finally:
            cursor.close()

    def replace_checks(self) -> None:
        """The rows made, in order, in place of the ledger's checks: in one transaction, so
        readers see the old checks or the new ones, never a mix."""
        self._flush()
        self.db.conn.commit()  # the run's reads end here: the write below starts afresh
        names = ", ".join(f"[{column}]" for column in self.COLUMNS)
        with self.db.conn:
            self.db.execute("delete from checks")
            self.db.execute(
                f"insert into checks ({names}) select {names} from scratch.checks order by rowid"
            )


def summarize(db: sqlite_utils.Database) -> CheckSummary:
    """Counts from the `check_outcomes` view."""
    outcomes = {
        row["outcome"]: row["n"]
        for row in db.query("select outcome, count(*) as n from check_outcomes group by outcome")
    }
    conflicts = next(db.query("select count(*) as n from check_outcomes where conflicts > 0"))["n"]
    return CheckSummary(
        claims=sum(outcomes.values()),
        outcomes=outcomes,
        conflicts=conflicts,
        references=db.table("references").count,
    )


def explainable_claim(db: sqlite_utils.Database, claim_id: str) -> dict[str, Any]:
    """The claim `explain` is asked for; a `CheckError` when there is none or it is retired, so
    `ledger check --explain` refuses a mistyped id before it checks (and writes) anything."""
    query = "select id, quote, source_id, retired_at from claims where id = ?"
    claim = next(db.query(query, [claim_id]), None)
    if claim is None:
        raise CheckError(f"no claim with id {claim_id!r} (see `ledger claims`)")
    if claim["retired_at"]:
        raise CheckError(f"claim {claim_id} is retired (no longer in its source): not checked")
    return claim


def explain(db: sqlite_utils.Database, claim_id: str) -> str:
    """The stored checks of one claim in plain words, with the reviewer's verdict beside them."""
    claim = explainable_claim(db, claim_id)
    rows = list(
        db.query(
            "select * from checks where claim_id = ? order by against_type = 'claim', id",
            [claim_id],
        )
    )
    if not rows:
        raise CheckError(f"claim {claim_id} has not been checked: run `ledger check` first")
    summary = next(db.query("select * from check_outcomes where claim_id = ?", [claim_id]))
    # The claim's latest note, as the claim_status view gives it, through idx_notes_claim_id:
    # the view's window over every note is not narrowed to one claim.
    latest = db.execute(
        "select verdict from notes where claim_id = ? order by created_at desc, id desc limit 1",
        [claim_id],
    ).fetchone()
    lines = [f'{claim_id} "{claim["quote"]}" ({claim["source_id"]})']
    lines += [row["explanation"] for row in rows]
    conflicts = (
        f", contradicts {summary['conflicts']} other claim(s)" if summary["conflicts"] else ""
    )
    lines.append(
        f"suggested: {summary['outcome']}{conflicts}; reviewer's verdict: "
        + (latest[0] if latest else "unverified")
    )
    return "\n".join(lines)

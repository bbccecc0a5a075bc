"""The Chinese path's rules (`ledger/rules/zh.toml`): validated with pydantic, compiled once.

Every table and word list the Chinese extractor reads is declared here, so a typo in the rule
file fails loudly at load time rather than silently reading nothing.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ledger.rules import RulesError, require_groups

# The contract between zh.toml and ledger/extract_zh.py, in one place: the pattern ids it reads
# with their named groups, the period ids it knows how to read with theirs, and the attribution
# group. `check_contract` holds a zh.toml to it when it loads, so a rules folder whose zh.toml
# lacks one fails there with one line, not in the middle of an extraction.
PATTERN_GROUPS: dict[str, tuple[str, ...]] = {
    "figure": ("sign", "arabic", "chinese", "more", "scale", "more2", "unit"),
    "percent_words": ("number",),
    "fraction": ("den", "num"),
    "tenths": ("number", "half"),
    "doubling": ("number", "more"),
    "shared_unit": ("unit",),
}
PERIOD_GROUPS: dict[str, tuple[str, ...]] = {
    "month_interval": ("year", "from", "to"),
    "quarters_to_date": ("year", "quarter"),
    "quarter": ("year", "quarter"),
    "half": ("year", "half"),
    "year_month": ("year", "rel", "month"),
    "year_span": ("from_year", "to_year"),
    "year": ("year",),
    "relative_year": ("rel",),
}
ATTRIBUTION_GROUPS = ("who",)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Language(_Strict):
    comment: str
    han_share: float = Field(gt=0.0, le=1.0)
    sentence_end: str
    fold_from: str
    fold_into: str
    examples: list[str] = Field(min_length=1)


class Example(_Strict):
    text: str
    value: float


class Scale(_Strict):
    id: str
    comment: str
    words: list[str]
    factor: float
    examples: list[Example] = Field(min_length=1)


class Unit(_Strict):
    id: str
    comment: str
    words: list[str]
    kind: str
    unit: str | None = None
    factor: float = 1.0
    decimal_only: bool = False  # a quantity only with a decimal point (9.08年; 2021年 is a date)
    examples: list[Example] = Field(min_length=1)


class Counter(_Strict):
    id: str
    comment: str
    words: list[str]
    unit: str
    nouns: dict[str, str] = {}
    keywords: dict[str, str] = {}
    examples: list[str] = Field(min_length=1)


class Bound(_Strict):
    id: str
    comment: str
    before: list[str]
    after: list[str]
    examples: list[str] = Field(min_length=1)


class Change(_Strict):
    comment: str
    increase: list[str]
    decrease: list[str]
    adjacent_only: list[str]
    not_followed_by: list[str]
    nouns: list[str]
    clause_ends: str
    list_joiners: list[str]
    after_figure: dict[str, Literal["increase", "decrease"]]
    examples: list[str] = Field(min_length=1)


class WordRule(_Strict):
    id: str
    comment: str
    words: list[str]
    not_before: list[str] = []
    examples: list[str] = Field(min_length=1)


class RegexRule(_Strict):
    """A named regex: a pattern, a period or an attribution cue. A period or a cue with `needs`
    is tried only on a sentence holding one of those words (a test far cheaper than the regex)."""

    id: str
    comment: str
    regex: str
    needs: list[str] = []
    examples: list[str] = Field(min_length=1)


class MetricRule(_Strict):
    id: str
    comment: str
    keywords: list[str]
    kinds: list[str]
    examples: list[str] = Field(min_length=1)


class Commented(_Strict):
    comment: str
    examples: list[str] = Field(min_length=1)


class Traps(Commented):
    after: list[str]
    before: list[str]
    title_after: list[str]


class BareNumber(Commented):
    keywords: list[str]


class Periods(Commented):
    base_before: list[str]
    target_after: list[str]
    target_year: list[str]


class SubjectCarry(Commented):
    other_places: list[str]


class Range(Commented):
    joiners: list[str]
    between_joiners: list[str]
    between_end: str


class Per(Commented):
    words: dict[str, str]


class Pieces(Commented):
    numeral: str


class ZhRuleFile(_Strict):
    """zh.toml, validated: the declared contract of the Chinese path's rules."""

    language: Language
    pattern: list[RegexRule]
    pieces: Pieces
    scale: list[Scale]
    unit: list[Unit]
    per: Per
    counter: list[Counter]
    bound: list[Bound]
    range: Range
    change: Change
    multiple_as_rise: Commented
    basis: list[WordRule]
    traps: Traps
    bare_number: BareNumber
    periods: Periods
    period: list[RegexRule]
    subject: list[WordRule]
    subject_carry: SubjectCarry | None = None  # without it, no subject is carried past ；
    metric: list[MetricRule]
    attribution: list[RegexRule]


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of `words`, longest first, each escaped.

    >>> alternation(["亿", "万亿", "万"])
    '万亿|万|亿'
    """
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


WORD_SPACES = " \t"  # what may stand between a word and its figure (约 5%)


@dataclass(frozen=True)
class WordSet:
    """Words found by slicing the text at an offset and looking the slice up, where a regex
    search per figure would cost four times as much: the longest word ending or starting
    there, a space or a tab allowed between it and the offset. Most offsets have none of the
    words' first (or last) characters next to them, and are let go after one set lookup. The
    lookups are ledger.extract_zh's word_ending_at and word_starting_at (compiled; this module
    is not)."""

    words: frozenset[str]
    lengths: tuple[int, ...]  # longest first
    firsts: frozenset[str]  # the words' first characters, and a space or a tab
    lasts: frozenset[str]  # their last characters, and a space or a tab

    @classmethod
    def of(cls, words: Iterable[str]) -> WordSet:
        found = frozenset(words)
        lengths = tuple(sorted({len(w) for w in found}, reverse=True))
        spaces = frozenset(WORD_SPACES)
        return cls(found, lengths, spaces | {w[0] for w in found}, spaces | {w[-1] for w in found})


@dataclass(frozen=True)
class ZhRules:
    """The compiled Chinese rules: regexes compiled once, lookups as plain dicts."""

    file: ZhRuleFile
    fold: dict[str, str]  # a full-width character -> its ASCII form
    to_fold: Any  # a character to fold
    sentence_end: Any
    figure: Any
    # the numbers of the figure pattern's groups in PATTERN_GROUPS's order (sign, arabic,
    # chinese, more, scale, more2, unit): a match's spans are read from its regs by them
    figure_groups: tuple[int, int, int, int, int, int, int]
    percent_words: Any
    fraction: Any
    tenths: Any
    doubling: Any
    scales: dict[str, float]
    units: dict[str, Unit]
    unit_readings: dict[str, tuple[str, str | None, float]]  # unit word -> (kind, unit, factor)
    decimal_units: frozenset[str]  # unit words that make a figure only after a decimal point
    counters: dict[str, Counter]
    counter_nouns: dict[str, list[tuple[str, str]]]  # counter word -> its nouns, longest first
    bound_before: WordSet  # the words of bounds before a figure (约, 超过)
    bound_after: WordSet  # ... and after it (左右, 以上)
    bounds: dict[str, str]  # (side + word) -> bound id
    change_words: Any
    changes: dict[str, str]  # word -> increase / decrease (nouns map to "")
    basis_words: Any
    bases: dict[str, str]
    trap_before: WordSet  # 第, 每
    trap_after: WordSet  # right after a number: 年, 月, 个月, 位数 ...
    title_after: WordSet  # ”榜单: the number ends the name of a list
    bare_number_words: Any  # 性别比, 指数: a sentence where a bare decimal is a figure
    shared_unit: Any  # 和0.6个百分点: the unit a bare number before it shares
    change_after: WordSet  # 的正增长: a change named after the figure
    periods: list[tuple[str, frozenset[str], Any]]  # (id, needs, compiled)
    period_needs: tuple[str, ...]  # every period's needs, each once
    base_before: WordSet  # 比, 较: before a period that is a comparison base
    target_after: WordSet  # 的预期目标: after a figure that is a target
    subject_words: Any
    subjects: dict[str, str]
    # a part of a sentence naming one takes no subject carried to it; None: none is carried
    other_places: tuple[str, ...] | None
    metric_words: Any  # every metric keyword
    metric_words_overlapped: Any  # the same, in `regex`, to find them overlapping
    straddlers: dict[str, tuple[str, ...]]  # keyword -> those that may start inside it and run past
    metric_ids: dict[str, tuple[str, ...]]  # keyword -> the metrics with a keyword it holds
    metrics_of_kind: dict[str, tuple[str, ...]]  # kind of figure -> the metrics of it, in order
    attributions: list[tuple[frozenset[str], Any]]  # (needs, compiled)
    attribution_needs: tuple[str, ...]
    clause_marks: tuple[str, ...]  # the clause marks, each once (change.clause_ends)
    target_words: Any  # any of target_after's words: a sentence that may hold a target


def _bounds(rules: list[Bound]) -> tuple[WordSet, WordSet, dict[str, str]]:
    words: dict[str, str] = {}
    for rule in rules:
        words.update({f"<{w}": rule.id for w in rule.before})
        words.update({f">{w}": rule.id for w in rule.after})
    before = [w[1:] for w in words if w[0] == "<"]
    after = [w[1:] for w in words if w[0] == ">"]
    return WordSet.of(before), WordSet.of(after), words


def check_contract(file: ZhRuleFile) -> None:
    """Fail with one line when zh.toml lacks a pattern or group the Chinese extractor reads, or
    names a period it cannot read (see PATTERN_GROUPS and PERIOD_GROUPS)."""
    patterns = {p.id: p.regex for p in file.pattern}
    for pattern_id, groups in PATTERN_GROUPS.items():
        if pattern_id not in patterns:
            raise RulesError(f"zh.toml: pattern {pattern_id!r} is missing; the extractor reads it")
        require_groups(f"zh.toml: pattern {pattern_id!r}", patterns[pattern_id], groups)
    for period in file.period:
        if period.id not in PERIOD_GROUPS:
            known = ", ".join(PERIOD_GROUPS)
            raise RulesError(f"zh.toml: period {period.id!r} is none the extractor reads ({known})")
        require_groups(f"zh.toml: period {period.id!r}", period.regex, PERIOD_GROUPS[period.id])
    for cue in file.attribution:
        require_groups(f"zh.toml: attribution {cue.id!r}", cue.regex, ATTRIBUTION_GROUPS)
    if len(file.language.fold_from) != len(file.language.fold_into):
        raise RulesError("zh.toml: language.fold_from and fold_into are not one for one")


def _compile(source: str, what: str, verbose: bool = False, first: str = "re") -> Any:
    """A zh.toml pattern compiled by the standard `re`, whose matcher takes half the time of
    `regex`'s on the figure pattern; by `regex` when it uses that module's extras (\\p{Han}, a
    class such as [\\d-—]), as a rules folder's zh.toml written for it may, or when `first` says
    so: `re` tries a pattern that may begin with an optional part (the periods' `(?:2023年)?1-7月`)
    at every place of the text, where `regex` skips to the characters a match can begin with
    (a sixth of the time on those patterns)."""
    if first == "re":
        try:
            return re.compile(source, re.VERBOSE if verbose else 0)
        except re.error:
            pass
    try:
        return regex.compile(source, regex.VERBOSE if verbose else 0)
    except regex.error as error:
        raise RulesError(f"zh.toml: {what}: bad regex: {error}") from error


def _compile_file(file: ZhRuleFile) -> ZhRules:
    numeral = file.pieces.numeral
    scales = {w: s.factor for s in file.scale for w in s.words}
    units = {w: u for u in file.unit for w in u.words}
    counters = {w: c for c in file.counter for w in c.words}
    pieces = {
        "{numeral}": numeral,
        # the numeral class's characters, to be written into another class ([-\d{numerals}])
        "{numerals}": numeral[1:-1],
        "{scale}": alternation(scales),
        "{unit}": alternation(set(units) | set(counters)),
        "{joiner}": alternation(file.change.list_joiners),
    }

    def pattern(pid: str) -> Any:
        source = next(p.regex for p in file.pattern if p.id == pid)
        simple = re.fullmatch(r"\[[^\[\]]+\]", numeral) is not None
        if "{numerals}" in source and not simple:
            raise RulesError(
                f"zh.toml: pattern {pid!r} uses {{numerals}}, and pieces.numeral is no class"
            )
        for name, piece in pieces.items():
            source = source.replace(name, piece)
        return _compile(source, f"pattern {pid!r}", verbose=True)

    figure = pattern("figure")
    before, after, bound_words = _bounds(file.bound)
    change = file.change
    changes = {w: "increase" for w in change.increase}
    changes.update({w: "decrease" for w in change.decrease})
    changes.update({w: "" for w in change.nouns})
    bases = {w: b.id for b in file.basis for w in b.words}
    subjects = {w: s.id for s in file.subject for w in s.words}
    not_before = [w for s in file.subject for w in s.not_before]
    keywords = [k for m in file.metric for k in m.keywords]
    periods = [
        (p.id, frozenset(p.needs), _compile(p.regex, f"period {p.id!r}", True, "regex"))
        for p in file.period
    ]
    period_needs = tuple({w: None for p in file.period for w in p.needs})
    fold = dict(zip(file.language.fold_from, file.language.fold_into, strict=True))  # checked
    return ZhRules(
        file=file,
        fold=fold,
        to_fold=re.compile(f"[{re.escape(file.language.fold_from)}]" if fold else "(?!)"),
        sentence_end=_compile(file.language.sentence_end, "language.sentence_end"),
        figure=figure,
        figure_groups=_figure_groups(figure),
        percent_words=pattern("percent_words"),
        fraction=pattern("fraction"),
        tenths=pattern("tenths"),
        doubling=pattern("doubling"),
        scales=scales,
        units=units,
        unit_readings={w: (u.kind, u.unit, u.factor) for w, u in units.items()},
        decimal_units=frozenset(w for w, u in units.items() if u.decimal_only),
        counters=counters,
        counter_nouns={
            word: sorted(c.nouns.items(), key=lambda noun: len(noun[0]), reverse=True)
            for word, c in counters.items()
        },
        bound_before=before,
        bound_after=after,
        bounds=bound_words,
        change_words=re.compile(alternation(changes)),
        changes=changes,
        basis_words=re.compile(alternation(bases)),
        bases=bases,
        trap_before=WordSet.of(file.traps.before),
        trap_after=WordSet.of(file.traps.after),
        title_after=WordSet.of(file.traps.title_after),
        bare_number_words=re.compile(alternation(file.bare_number.keywords)),
        shared_unit=pattern("shared_unit"),
        change_after=WordSet.of(change.after_figure),
        periods=periods,
        period_needs=period_needs,
        base_before=WordSet.of(file.periods.base_before),
        target_after=WordSet.of(file.periods.target_after),
        subject_words=re.compile(
            rf"(?:{alternation(subjects)})(?!{alternation(not_before)})"
            if not_before
            else alternation(subjects)
        ),
        subjects=subjects,
        other_places=tuple(file.subject_carry.other_places) if file.subject_carry else None,
        metric_words=re.compile(alternation(keywords)),
        metric_words_overlapped=regex.compile(alternation(keywords)),
        straddlers=_straddlers(keywords),
        metric_ids=_metric_ids(file.metric),
        metrics_of_kind={
            kind: tuple(m.id for m in file.metric if kind in m.kinds)
            for kind in {k for m in file.metric for k in m.kinds}
        },
        attributions=[
            (frozenset(a.needs), _compile(a.regex, f"attribution {a.id!r}", verbose=True))
            for a in file.attribution
        ],
        attribution_needs=tuple({w: None for a in file.attribution for w in a.needs}),
        clause_marks=tuple(dict.fromkeys(change.clause_ends)),
        target_words=re.compile(alternation(file.periods.target_after) or "(?!)"),
    )


def _figure_groups(figure: Any) -> tuple[int, int, int, int, int, int, int]:
    """The numbers of the figure pattern's groups, in PATTERN_GROUPS's order."""
    sign, arabic, chinese, more, scale, more2, unit = (
        figure.groupindex[g] for g in PATTERN_GROUPS["figure"]
    )
    return sign, arabic, chinese, more, scale, more2, unit


def _straddlers(words: list[str]) -> dict[str, tuple[str, ...]]:
    """Each word in which another may start and run past the end, and those others: a pass that
    finds the one does not find the other (研发支出 and 出口, in 研发支出口径).

    >>> _straddlers(["研发支出", "出口", "芯片", "集成电路"])
    {'研发支出': ('出口',)}
    """
    found = {
        word: tuple(
            other
            for other in words
            if any(
                other.startswith(word[i:]) and len(other) > len(word) - i
                for i in range(1, len(word))
            )
        )
        for word in words
    }
    return {word: others for word, others in found.items() if others}


def _metric_ids(metrics: list[MetricRule]) -> dict[str, tuple[str, ...]]:
    """Each keyword -> the metrics with a keyword inside it. A pass over a sentence finds, at each
    place, the longest keyword starting there; a metric whose shorter keyword starts there too
    is named by it all the same.

    >>> rule = functools.partial(MetricRule, comment="", kinds=["percent"], examples=["x"])
    >>> chips = rule(id="chips", keywords=["芯片"])
    >>> trade = rule(id="chip_trade", keywords=["芯片出口"])
    >>> _metric_ids([chips, trade])
    {'芯片': ('chips',), '芯片出口': ('chips', 'chip_trade')}
    """
    keywords = {k for m in metrics for k in m.keywords}
    return {
        word: tuple(m.id for m in metrics if any(k in word for k in m.keywords))
        for word in sorted(keywords)
    }


def load_zh_rules(path: str | Path | None = None) -> ZhRules:
    """Read, validate and compile zh.toml (the package's own when `path` is None)."""
    try:
        if path is None:
            raw = resources.files("ledger").joinpath("rules", "zh.toml").read_bytes()
        else:
            raw = Path(path).read_bytes()
        file = ZhRuleFile.model_validate(tomllib.loads(raw.decode("utf-8")))
    except FileNotFoundError as error:
        raise RulesError(f"rule file {path} not found") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RulesError(f"zh.toml: {error}") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RulesError(f"invalid zh.toml at {where}: {first['msg']}") from error
    check_contract(file)
    return _compile_file(file)


@functools.cache
def default_zh_rules() -> ZhRules:
    """The package's own Chinese rules, loaded and compiled once per process."""
    return load_zh_rules()


def rule_rows(rules: ZhRules | None = None) -> list[dict[str, str]]:
    """One row per entry and table of zh.toml, as `ledger rules` lists the other files."""
    file = (rules or default_zh_rules()).file
    rows = []
    for kind in ZhRuleFile.model_fields:
        value = getattr(file, kind)
        for entry in value if isinstance(value, list) else [value] if value else []:
            comment = " ".join(entry.comment.split())
            rows.append(
                {
                    "file": "zh.toml",
                    "kind": kind,
                    "id": getattr(entry, "id", kind),
                    "comment": comment,
                }
            )
    return rows

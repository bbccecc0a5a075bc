"""The state of one extraction: the text, its sentences, the claims found, guarded regex calls."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Final, NamedTuple

import regex

from ledger.models import DatePrecision
from ledger.rules import ChangeCue, MetricRule, Rules
from ledger.sentences import Sentences

Pattern = regex.Pattern[str]
Match = regex.Match[str]

# The fourth argument of a pattern's match and search (`concurrent`): False keeps the GIL for
# the call. Passed by position on the hot calls, so no keyword is parsed (see Doc.call).
RELEASE_GIL = False
# Seconds any one regex call may take before it is abandoned and reported (in timed mode).
SCAN_TIMEOUT = 5.0
RULE_TIMEOUT = 0.5
# Calls over at most this many characters run without a timer (see Doc.call).
WINDOW = 600
# How far from a figure a pattern anchored at it reads, in characters (and how near two things
# stand to be read as one phrase). A reach keeps each call short whatever the text around, and a
# reading from running on into another clause; each holds the longest phrase of its kind with
# room to spare.
SHORT_REACH: Final = 24  # the next few words: a split's "-for-1", "of the" after a count, an
#                          age's "aged" or "children under" before it
WORD_REACH: Final = 40  # a figure's own words: a qualifier, currency or label before it ("more
#                         than US$", "Boeing"), its unit, ratio, noun or size after it ("to one",
#                         "-member board"); the words between two figures or names of one phrase
CLAUSE_REACH: Final = 60  # a clause's words: a change cue or a baseline's words before a figure
#                           ("an increase of more than", "compared with"), a tail after it
#                           ("dollars and 45 cents", "feet 2 inches")
# CPU seconds a text may take, read untimed, before it is read again under the per-call timers
# (ledger.watchdog). Per character: ten times the most any news story took (4 us; 1.1 us on
# average), four times the slowest of bench/pathological.py's linear inputs ("1 1 1 ...", 11 us),
# so that no ordinary text, however long, is read twice. The floor covers a short text's set-up.
BUDGET_FLOOR = 0.5
BUDGET_PER_CHAR = 50e-6


_WORDS = regex.compile(r"[\w&]+")
# what is not in _WORDS's [\w&] among ASCII characters, made a space: a table for bytes, which
# translate in C a byte at a time (a str's table is a dict looked up per character)
_ASCII_NOT_WORDS = bytes(c if chr(c).isalnum() or chr(c) in "_&" else ord(" ") for c in range(256))
# an address's local part starts where a run of its characters does: tried at each character of
# the run, it rescanned the run to its end each time (quadratic on Chinese, all word characters)
_URL = regex.compile(r"(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+")


@dataclass(slots=True)
class Found:
    """A claim as the extractor builds it: the Claim's fields, and what the reading of the
    sentences needs to know of it before it becomes a Claim."""

    start: int
    end: int
    quote: str
    value: float
    kind: str
    unit: str | None
    bound: str
    change: str | None
    rule: str
    sentence: str
    sentence_start: int
    value_high: float | None = None
    metric: str | None = None  # None until the sentence pass names it
    subject: str | None = None
    period: str | None = None
    attribution: str | None = None
    attribution_type: str | None = None  # person | organisation
    checkworthiness: float = 0.0
    fingerprint: str = ""
    related: list[str] = field(default_factory=list)
    # a figure nothing explains yet ("46", "(1)"): dropped unless a neighbour lends it a unit
    bare: bool = False
    listable: bool = False  # bare, and so may share the unit of a figure listed after it
    scale: float | None = None  # what a bare figure listed before it is multiplied by
    level: bool = False  # a level a change went between, kept without the change's unit
    carried_from: Found | None = None  # the claim it took its unit from
    # the Chinese path's growth basis; the English one reads none, but a Claim built from
    # attributes asks for it, and a missing attribute costs a raised and caught AttributeError
    basis: str | None = None


class Source(NamedTuple):
    """Who a figure is attributed to, and whether that is a person or an organisation."""

    name: str
    type: str  # person | organisation
    cited: bool = False  # cited for the figure ("according to"), so no subject of it
    # where the words it says open (document offset; -1 for a cited source): "Moody's said |it
    # may upgrade Upjohn's debt"
    said_end: int = -1
    # where the cue that names it opens (document offset): a figure between this and said_end
    # is in the writer's words about the speaker ("Kestrel Corp, a 5.1 billion dlr holding
    # company, said"), not in what it says
    opens: int = -1


class PeriodCue(NamedTuple):
    """A period named in a sentence: where, its value, and whether it is a baseline."""

    start: int
    end: int
    value: str | None
    baseline: bool
    # a step right after a figure ("from 200.9 mln dlrs a year ago"): that figure's period,
    # never one looked back to by a figure after it
    after_figure: bool = False
    # the bracketed aside that holds it ("(American but acquired by Siemens in 2017)"), whose
    # period is its own: never a figure's outside it
    aside: tuple[int, int] | None = None


class OwnCuts(NamedTuple):
    """Where a sentence's clauses are cut for a figure's own words (sentence_fields._own_words):
    the starts and ends of the cuts, and whether they are those any window of it finds."""

    starts: list[int]
    ends: list[int]
    exact: bool


@dataclass
class Sentence:
    """One sentence of the text, and what was found in it, each found once when first asked."""

    start: int
    end: int
    text: str
    subjects: list[tuple[int, str]] | None = None
    own_subject: str | None = None  # "" when looked for and not found (sentence_fields)
    metric_rules: list[tuple[MetricRule, Pattern | None]] | None = None
    # metric rule id -> where its keywords are in the sentence (offsets in the sentence)
    keyword_spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    periods: list[PeriodCue] | None = None
    # period rule id -> its matches in the sentence
    period_matches: dict[str, list[Match]] = field(default_factory=dict)
    attribution: Source | None = None
    attribution_done: bool = False
    asides: list[tuple[int, int]] | None = None  # the writer's own asides (own_aside in cues.toml)
    words: frozenset[str] | None = None
    lower: str | None = None  # the text lower-cased (lower_text)
    compares: bool | None = None  # holds comparison words (see sentence_fields.compares)
    names_change: bool | None = None  # holds a change's noun (candidate._change_noun_after)
    names_number: bool | None = None  # holds "number of" (candidate.NUMBER_OF_MARKS)
    # the change cues with triggers that its words let it try, each with those of its
    # triggers the sentence holds (candidate._change_before)
    change_cues: tuple[tuple[ChangeCue, Pattern, tuple[str, ...]], ...] | None = None
    subject_starts: list[int] | None = None
    clauses: list[int] | None = None
    period_starts: list[int] | None = None
    own_cuts: OwnCuts | None = None  # see sentence_fields._own_words

    def lower_text(self) -> str:
        """The sentence's text lower-cased, once."""
        if self.lower is None:
            self.lower = self.text.lower()
        return self.lower

    def lower_words(self) -> frozenset[str]:
        """The sentence's words (runs of [\\w&]), lower-cased, found once: they say which
        sentence-level rules are worth trying on it (Gated.triggered)."""
        if self.words is None:
            lower = self.lower_text()
            if lower.isascii():
                # the same words as _WORDS finds, by one translation and a split (no regex pass)
                ascii_words = lower.encode("ascii").translate(_ASCII_NOT_WORDS).decode("ascii")
                self.words = frozenset(ascii_words.split())
            else:
                self.words = frozenset(_WORDS.findall(lower, concurrent=RELEASE_GIL))
        return self.words


class Doc:
    """The per-call state of one extraction: the text, its sentences and what was found."""

    def __init__(
        self,
        text: str,
        published: date | None,
        rules: Rules,
        published_precision: DatePrecision | None = None,
        timeout: float | None = RULE_TIMEOUT,
    ) -> None:
        self.text = text
        # seconds a sentence-level regex call may take; None under a watchdog (ledger.watchdog)
        self.timeout = timeout
        self.published = published
        # "year" or "month" when the date is known only that far (its day, or month, made up):
        # a year-only date resolves "last year" but not "last month" or "in August"
        self.published_precision = published_precision
        self.rules = rules
        self.sentences = Sentences(text, rules.sentence_boundary)
        self.widened = False  # a sentence grew after some of its claims were read
        self.cache: dict[int, Sentence] = {}
        self.timed_out: list[str] = []
        self.last_sentence = -1  # sentence_start of the last claim found
        self.quotations: dict[int, list[tuple[int, int]]] = {}  # paragraph start -> spans
        self._line_starts: list[int] | None = None
        self.urls = (
            [m.span() for m in _URL.finditer(text)]
            if ("://" in text or "www." in text or "@" in text)
            else []
        )

    @property
    def line_starts(self) -> list[int]:
        """Offsets where each line begins, found once: a per-figure rfind is quadratic on one
        long line."""
        if self._line_starts is None:
            # each line starts one past the end of the line before: sums of the line lengths
            lines = self.text.split("\n")[:-1]
            self._line_starts = [0, *itertools.accumulate(len(line) + 1 for line in lines)]
        return self._line_starts

    # -- guarded regex calls --------------------------------------------------------------------
    def call(
        self,
        rule: str,
        method: Callable[..., Match | None],
        text: str,
        pos: int = 0,
        end: int | None = None,
        *,
        timed: bool = False,
    ) -> Match | None:
        """`method(text, pos, end)`, a pattern's bound match or search, abandoned and reported
        as `rule` if it runs too long.

        Sentence-level rules (metrics, attribution, periods: the ones users extend) run under the
        timer in timed mode (`timeout` set). Under a watchdog (`timeout` None) nothing is timed:
        each timed call reads the process's CPU clock twice, by a system call, some 6 us a call
        against the 1 us of a short match, and the watchdog bounds the whole text instead. The
        built-in context patterns of patterns.toml, read on windows of at
        most WINDOW characters around a figure, run without it: arming the timer costs more than
        such a call (about 1.7 us against 1 us), and they are tested not to backtrack. The
        candidate stage (`candidate`, `_scan`), which makes some 40,000 such calls per MB, calls
        its patterns directly, `pattern.match(text, pos, end, RELEASE_GIL)`, on windows of at most
        250 characters: this wrapper would cost about as much again as each of those calls.

        Calls keep the GIL (RELEASE_GIL), as do the passes over each sentence's words and
        boundaries: by default `regex` lets go of it and takes it back around each call, each
        match a finditer yields and each block its backtracking stack grows by, which costs this
        single-threaded work more than it frees (1.5% of the extractor's instructions; 26% of
        the time finding a sentence's words).

        match and search take (string, pos, endpos, concurrent): passed by position, as `regex`
        reads a keyword argument by comparing names, some 0.3 us a call, more than a short match
        takes.
        """
        end = len(text) if end is None else min(end, len(text))
        timeout = self.timeout
        try:
            if timeout is None or (not timed and end - pos <= WINDOW):
                return method(text, pos, end, RELEASE_GIL)
            return method(text, pos, end, RELEASE_GIL, timeout=timeout)
        except TimeoutError:
            self.timed_out.append(rule)
            return None

    def find_all(
        self,
        rule: str,
        pattern: Pattern,
        text: str,
        starts: list[int] | None = None,
        end: int | None = None,
    ) -> list[Match]:
        """Every match of a sentence-level rule, under the timer. A rule with an alternative
        anchored at the sentence's start is tried there, then searched past it without that
        alternative (rules.past_head): the same matches, found at the cost of the rest. Given
        the `starts` (in order) that every match (past the head) opens at, it is tried there
        alone (see matches_at); given the `end` no match runs past, a rule with no such
        alternative is searched no further."""
        try:
            rest = self.rules.past_head.get(rule)
            if rest is None:
                if starts is not None and self.timeout is None:
                    return matches_at(pattern, text, starts, 0)
                return list(self._finditer(pattern, text, 0, end))
            if self.timeout is None:
                first = pattern.match(text, 0, len(text), RELEASE_GIL)
            else:
                first = pattern.match(text, 0, len(text), RELEASE_GIL, timeout=self.timeout)
            if first is not None and first.end() == 0:  # an empty match: as finditer goes on
                return list(self._finditer(pattern, text))
            after = first.end() if first is not None else 0
            found = [first] if first is not None else []
            if starts is not None and self.timeout is None:
                found += matches_at(rest, text, starts, after)
            else:
                found += self._finditer(rest, text, after)
            return found
        except TimeoutError:
            self.timed_out.append(rule)
            return []

    def each_match(
        self,
        rule: str,
        pattern: Pattern,
        text: str,
        starts: list[int] | None = None,
        end: int | None = None,
    ) -> Iterator[Match]:
        """The matches of a sentence-level rule one at a time, under one timer for them all:
        for a caller that stops at the first match it can use, the rest is never searched.
        Given the `starts` every match opens at, it is tried there alone (see matches_at); given
        the `end` no match runs past, it is searched no further."""
        try:
            if starts is not None and self.timeout is None:
                yield from matches_at(pattern, text, starts, 0)
                return
            yield from self._finditer(pattern, text, 0, len(text) if end is None else end)
        except TimeoutError:
            self.timed_out.append(rule)

    def _finditer(
        self, pattern: Pattern, text: str, pos: int = 0, end: int | None = None
    ) -> Iterator[Match]:
        """pattern.finditer(text, pos, end) under this extraction's timer, if any. The arguments
        go by position (string, pos, endpos, overlapped, concurrent, partial, timeout): `regex`
        reads keywords by comparing names, 2.5 us a call, more than most of these calls take."""
        stop = len(text) if end is None else end
        return pattern.finditer(text, pos, stop, False, RELEASE_GIL, False, self.timeout)

    def sentence(self, offset: int) -> Sentence:
        start, end = self.sentences.around(offset)
        found = self.cache.get(start)
        if found is None:
            found = self.cache[start] = Sentence(start, end, self.text[start:end])
        return found

    def widen(self, sentence: Sentence, start: int, end: int) -> Sentence:
        """The sentence around `sentence` grown to hold start..end (a figure over a line break)."""
        low = min(start, sentence.start)
        first = min(low, self.sentences.around(low)[0])  # `low`'s own sentence may start earlier
        self.sentences.join(first, end)
        for key in [k for k in self.cache if first <= k < end]:  # no narrow copy may survive
            del self.cache[key]
        self.widened = True
        return self.sentence(first)

    def in_url(self, offset: int) -> bool:
        return any(a <= offset < b for a, b in self.urls)


def matches_at(pattern: Pattern, text: str, starts: list[int], after: int) -> list[Match]:
    r"""What pattern.finditer(text, after) finds, for a pattern whose every match opens at one of
    `starts` (in rising order): the pattern matched at each of them from `after` on, and past the
    end of each match found, as finditer goes on. A match call reads a few characters where a
    search tries the pattern at each one of the sentence (a sixth of the instructions for
    [[subject_name]] acts, whose matches past the head open at "said", "that" and the like).
    Untimed: only under the watchdog (Doc.timeout None).

    >>> pattern = regex.compile(r"\bsaid\s+\w+")
    >>> text = "He said it; she said so, and said no"
    >>> [m.group() for m in matches_at(pattern, text, [3, 16, 29], 0)]
    ['said it', 'said so', 'said no']
    """
    found = []
    size, match = len(text), pattern.match
    for at in starts:
        if at < after:
            continue
        m = match(text, at, size, RELEASE_GIL)
        if m is not None:
            found.append(m)
            after = m.end()  # (never empty: each opens with a word)
    return found


def hinted_matches(
    pattern: Pattern, hint: re.Pattern[str], text: str, hinted: str, lo: int, end: int
) -> list[Match]:
    """What `pattern.finditer(text, lo, end)` finds (untimed: `re` takes no timeout), the
    pattern asked only where `hint` finds a place it may start: the hint finds every such place
    and more, far more cheaply than the pattern looks (rules._hint, rules.anchor_word_hint).
    As finditer, each match is looked for from where the one before ended. The hint reads
    `hinted`, whose offsets are the text's where its matches start: the text itself, or the
    text with a space before it for a hint that matches the character before a word."""
    found: list[Match] = []
    search, match = hint.search, pattern.match
    at = lo
    while (place := search(hinted, at, end + 1)) is not None:
        at = place.start()
        matched = match(text, at, end, RELEASE_GIL)
        if matched is None:
            at += 1
        else:
            found.append(matched)
            at = max(matched.end(), at + 1)
    return found


def cpu_budget(length: int) -> float:
    """CPU seconds a text of `length` characters may take under the watchdog."""
    return BUDGET_FLOOR + BUDGET_PER_CHAR * length


class ByNumber:
    """A match whose groups are asked for by name many times, read by number instead.

    `regex` reads a group by name by first trying the name as a number and formatting the
    TypeError that raises: about 0.5 us a read, against 0.1 us here. Worth it for the matches
    read most: the context before each figure (some nine reads), the words after it.
    """

    __slots__ = ("match", "numbers")

    def __init__(self, match: Match) -> None:
        self.match = match
        self.numbers = match.re.groupindex

    def group(self, name: str) -> str | None:
        found: str | None = self.match.group(self.numbers[name])
        return found

    def start(self, name: str) -> int:
        return self.match.start(self.numbers[name])

    def end(self, name: str) -> int:
        return self.match.end(self.numbers[name])


def groupdict(m: Match) -> dict[str, str | None]:
    """m.groupdict(), a third of its cost: `regex` looks each name up by first trying it as a
    number and formatting the TypeError that raises (3 us for the scan pattern's nine groups).
    Where every group has a name of its own, the groups are zipped with the names in one C call.

    >>> groupdict(regex.match(r"(?P<a>\\d)(x)?(?P<b>y)?", "1"))
    {'a': '1', 'b': None}
    >>> groupdict(regex.match(r"(?P<a>\\d)(?P<b>y)?", "1"))
    {'a': '1', 'b': None}
    """
    names = _group_names(m.re)
    if names is not None:
        return dict(zip(names, m.groups(), strict=True))
    groups = m.groups()
    return {name: groups[number - 1] for name, number in m.re.groupindex.items()}


@functools.lru_cache(maxsize=256)
def _group_names(pattern: Pattern) -> tuple[str, ...] | None:
    """The names of a pattern's groups in number order, when every group has a name of its own
    (None otherwise): found once per pattern, not per match."""
    numbers = pattern.groupindex
    if sorted(numbers.values()) != list(range(1, pattern.groups + 1)):
        return None
    return tuple(sorted(numbers, key=numbers.__getitem__))

"""Find every quantitative claim in a news text and normalise it (issue 2).

How it works, and why it is fast:
1. Cheap passes over the whole text find where a candidate can start (`anchor`: digits;
   `anchor_point`: a decimal point with no whole part; a plain search for each currency symbol
   and vulgar fraction; `anchor_word`: a prefix tree of number words, fractions and multiples,
   on the lower-cased text).
   Years on their own are dropped there. The full `scan` pattern (ledger/rules/patterns.toml) is
   tried only at those places: figure, scale word, unit and range; dates, times and phone
   numbers are recognised and skipped by it. At a digit it is read in two steps, the digits
   and then their scale, unit and range only where the word after the digits can start one.
2. Each candidate is read in its immediate context with small patterns anchored at its edges:
   the qualifier and currency prefix before it ("over US$"), the counted noun after it, and the
   words that make it a name or a date ("Boeing 737", "March 5").
3. Only sentences holding a figure are looked at again, once each: subject, metric, attribution
   and period cues (each gated by trigger words, so most are never run), looked up per figure by
   bisection; the cost is in the figures, not in the prose, and linear in both.
4. A figure with no unit, noun or scale ("46", "(1)") is kept only when it states a change or
   is a second estimate of the figure before it ("(the actual number has exceeded 900)"), which
   lends it its unit; the two are then `related`.

Everything the rules say lives in ledger/rules/*.toml; nothing here holds state between calls.

The modules, in the order a text flows through them: `document` (the per-call state and the
guarded regex calls), `candidate` (where a figure starts and ends), `figures` (its value),
`sentence_fields` (subject, metric, attribution, period) and `finish` (carried units, links,
scores, fingerprints). The checkworthiness score is described in `finish`.
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import regex

from ledger.extract_zh import Sentence, extract_chinese, gaps, merge_chinese
from ledger.extraction.candidate import Scanned, read_candidate, scanned
from ledger.extraction.document import (
    RELEASE_GIL,
    RULE_TIMEOUT,
    SCAN_TIMEOUT,
    WORD_REACH,
    Doc,
    Found,
    cpu_budget,
    groupdict,
    hinted_matches,
)
from ledger.extraction.finish import finish
from ledger.models import Claim, DatePrecision, unchecked_claim
from ledger.rules import UNIT_BRACKETS, UNIT_GAP, Pattern, Rules, default_rules, letters_only
from ledger.sentences import ASCII_ALNUM
from ledger.watchdog import can_watch, run_within_budget

__all__ = ["EXTRACTOR_VERSION", "Extraction", "extract", "extract_with_report"]

# How far past the end of a stretch between Chinese sentences its last anchor may look: the
# longest anchor word ("three-quarters") and a lookahead after it.
_AHEAD = 40

EXTRACTOR_VERSION = "1.24.0"


@dataclass
class Extraction:
    """What one run of the extractor produced: the claims and the rules that timed out."""

    claims: list[Claim]
    timed_out: list[str] = field(default_factory=list)
    # the text ran past its CPU budget untimed and was read again under per-call timers
    # (extract_with_report): hostile text, or a rule that backtracks on it
    reread: bool = False


def extract(
    text: str,
    *,
    published: date | None = None,
    rules: Rules | None = None,
    published_precision: DatePrecision | None = None,
) -> list[Claim]:
    """Every quantitative claim in a news text, normalised, with provenance, in order of start.
    `published_precision` ("year", "month") says how much of `published` is known: a story
    dated only 2005 has a "last year" (2004) but no "last month".

    >>> [(c.quote, c.value, c.unit, c.bound) for c in extract("China has some 540 satellites.")]
    [('some 540 satellites', 540.0, 'satellite', 'approx')]
    """
    return extract_with_report(
        text, published=published, rules=rules, published_precision=published_precision
    ).claims


def extract_with_report(
    text: str,
    *,
    published: date | None = None,
    rules: Rules | None = None,
    published_precision: DatePrecision | None = None,
) -> Extraction:
    """Every claim in `text` (in order of start) and the ids of rules that timed out.

    No regex call may hang the extraction, nor hide which rule did. In the main thread the text
    is read with untimed regex calls under a watchdog, a CPU budget for the whole text
    (ledger.watchdog); only if that runs out is it read again from the start with
    each call timed, so claims and timeouts are those of the timed reading either way. In any
    other thread (no signals there) it is read timed at once."""
    rules = rules or default_rules()  # compiled before the budget starts: not the text's cost
    if not can_watch():
        return _read(text, published, rules, published_precision, RULE_TIMEOUT)
    found = run_within_budget(
        cpu_budget(len(text)), lambda: _read(text, published, rules, published_precision, None)
    )
    if found is not None:
        return found
    reread = _read(text, published, rules, published_precision, RULE_TIMEOUT)
    reread.reread = True
    return reread


def _read(
    text: str,
    published: date | None,
    rules: Rules,
    published_precision: DatePrecision | None,
    timeout: float | None,
) -> Extraction:
    """The claims of `text`, each sentence-level regex call given `timeout` seconds (None: no
    timer, under a watchdog)."""
    chinese, sentences = extract_chinese(text, published=published, rules=rules.zh)  # extract_zh.py
    try:
        starts = anchors(text, rules, sentences, SCAN_TIMEOUT if timeout is not None else None)
    except TimeoutError:
        return Extraction(claims=chinese, timed_out=["anchor"])
    if not starts:  # nothing for the English path (a Chinese text): its sentences are not split
        return Extraction(claims=chinese)
    doc = Doc(text, published, rules, published_precision, timeout)
    found: list[Found] = []
    try:
        _scan(doc, found, starts)
    except TimeoutError:
        doc.timed_out.append("anchor")
    finish(doc, found)
    claims = [to_claim(c) for c in found]
    if sentences:  # the Chinese path owns its sentences
        claims = merge_chinese(claims, chinese, sentences)
    return Extraction(claims=claims, timed_out=sorted(set(doc.timed_out)))


def anchors(
    text: str,
    rules: Rules,
    chinese: list[Sentence] | None = None,
    timeout: float | None = SCAN_TIMEOUT,
) -> list[int]:
    """Where candidates can start outside the `chinese` sentences: digits and currency symbols,
    then number words, in order. Only the stretches between those sentences are crossed. Each
    pass may take `timeout` seconds (None: no timer)."""
    compiled = rules.compiled
    anchor, point, anchor_word = (
        compiled["anchor"],
        compiled["anchor_point"],
        compiled["anchor_word"],
    )
    lowered = _lowered(text)  # the number words are a tree in lower case (patterns.toml)
    hint = rules.anchor_word_hint if timeout is None else None
    # the hint reads the text as letters and spaces, a space before it (rules.letters_only);
    # made once for the text, not once per stretch (a copy per stretch was quadratic)
    padded = letters_only(lowered) if hint is not None else ""
    found: list[int] = []
    for lo, hi in gaps(len(text), chinese) if chinese else [(0, len(text))]:
        at = _starts(anchor, text, lo, hi, timeout) + _starts(point, text, lo, hi, timeout)
        at += _marks(text, rules.anchor_marks, lo, hi)
        if hint is not None:
            at += _hinted_starts(anchor_word, hint, lowered, padded, lo, hi)
        else:
            at += _starts(anchor_word, lowered, lo, hi, timeout)
        found += sorted(at)
    return found


def _marks(text: str, marks: tuple[str, ...], lo: int, hi: int) -> list[int]:
    """Where each of `marks` (single characters) stands from `lo` to `hi`: a plain search in C
    for each, where a pattern of them all is tried at every character of the text."""
    found = []
    for mark in marks:
        at = text.find(mark, lo, hi)
        while at != -1:
            found.append(at)
            at = text.find(mark, at + 1, hi)
    return found


def _lowered(text: str) -> str:
    """The text in lower case, character for character, so that an offset in it is one in the
    text: str.lower(), but a character it would lengthen (the Turkish İ) stays as it is.

    >>> _lowered("Two THIRDS"), len(_lowered("İki TWO")) == len("İki TWO")
    ('two thirds', True)
    """
    lowered = text.lower()
    if len(lowered) == len(text):  # lower() never shortens a character: none was lengthened
        return lowered
    return "".join(low if len(low := char.lower()) == 1 else char for char in text)


def _starts(
    pattern: regex.Pattern[str], text: str, lo: int, hi: int, timeout: float | None
) -> list[int]:
    """Where `pattern` matches from `lo` to `hi`, each match read with what follows `hi` (up to
    _AHEAD characters) as in the whole text."""
    end = min(hi + _AHEAD, len(text))
    # RELEASE_GIL: see Doc.call (each match yielded would let go of the GIL and take it back);
    # by position (string, pos, endpos, overlapped, concurrent, partial, timeout): see Doc._finditer
    found = [m.start() for m in pattern.finditer(text, lo, end, False, RELEASE_GIL, False, timeout)]
    while end > hi and found and found[-1] >= hi:
        found.pop()
    return found


def _hinted_starts(
    pattern: regex.Pattern[str],
    hint: re.Pattern[str],
    text: str,
    padded: str,
    lo: int,
    hi: int,
) -> list[int]:
    """What _starts finds (untimed), `pattern` asked only where `hint` finds a place
    (document.hinted_matches). `padded` is `text` as rules.letters_only makes it, a space before
    it, where the hint reads: the text's i is the padded one's i + 1, so a hint's match starts
    at the word's start."""
    end = min(hi + _AHEAD, len(text))
    found = [m.start() for m in hinted_matches(pattern, hint, text, padded, lo, end)]
    while end > hi and found and found[-1] >= hi:
        found.pop()
    return found


def _scan(doc: Doc, found: list[Found], starts: list[int]) -> None:
    """Add the figures of the text to `found`, read at each anchor (`starts`) the scan pattern
    matches, in order; each claim ends where the next may start."""
    text, rules = doc.text, doc.rules
    compiled = rules.compiled
    pos = 0
    for at in starts:
        if at < pos or _lone_year(text, at, rules):
            continue
        # at a digit (most anchors) the scan without what starts with a letter or a symbol
        # matches as the whole one does, with a third of the set-up (scan_digits, patterns.toml)
        if text[at].isdecimal():
            head, whole = compiled["scan_digits_head"], compiled["scan_digits"]
        elif rules.words_head and text[at].isalpha():
            # at a letter (a number word) what starts with a digit or a symbol is left out too
            head, whole = compiled["scan_words_head"], compiled["scan"]
        else:
            head, whole = compiled["scan_head"], compiled["scan"]
        plain = rules.plain_digits and "0" <= text[at] <= "9"
        s = None
        if at and text[at - 1] in "-−+(" and text[at].isdigit():
            # a minus sign, or the + or ( of a phone number, starts the candidate
            s = _scan_in_two_steps(rules, head, whole, text, at - 1, at + 250)
        if s is None or s.end == s.start:
            s = _scan_in_two_steps(rules, head, whole, text, at, at + 250, plain)
        if s is None or s.end == s.start:
            continue
        if s.groups["skip"] is not None:
            pos = s.end
            continue
        claim, resume = read_candidate(doc, s)
        pos = max(resume, at + 1)
        if claim is not None and not (found and claim.start < found[-1].end):
            found.append(claim)
            doc.last_sentence = claim.sentence_start


def _scan_in_two_steps(
    rules: Rules, head: Pattern, whole: Pattern, text: str, pos: int, end: int, plain: bool = False
) -> Scanned | None:
    """What the `whole` scan pattern matches at `pos`, read in two steps: its `head` (up to the
    end of the first figure before its scale word), then the figure's scale, unit and range
    (figure_tail) only where the word after it can start one, as the rules' partial matching
    says: most figures have none, and the tail's word trees are half of the whole pattern's
    cost. The head's match is the first reading the whole pattern tries, so the tail's first
    match after it is the whole one's; where the tail finds none, the whole pattern, which would
    go on to the head's other readings, is asked.

    Where `plain` (an ASCII digit at `pos`, under rules whose head is the package's), the digits
    of a plain figure ("5", "1,400", "3.75") are read without the head (_plain_digits_end)."""
    compiled = rules.compiled
    body_end = _plain_digits_end(text, pos, end) if plain else -1
    if plain and body_end < 0 and _head_fails_after_point(text, pos, end):
        return None
    if body_end > pos:
        groups = _no_groups(head).copy()
        groups["first"] = text[pos:body_end]
        first_start = pos
    else:
        found = head.match(text, pos, end, RELEASE_GIL)
        if found is None:
            return None
        groups = groupdict(found)
        pos, body_end = found.start(), found.end()
        if groups["first"] is None:  # a skipped run or a word the scan reads whole ("doubled")
            return Scanned(groups, pos, body_end, -1, -1, -1, -1)
        first_start = found.regs[found.re.groupindex["first"]][0]
        if text[body_end : body_end + 1] == "/":
            offered = _two_way_price(rules, groups, text, pos, first_start, body_end, end)
            if offered is not None:
                return offered
    if not rules.edges.lets_after(compiled["figure_tail_start"], text, body_end, end):
        if _figure_ends(rules, text, body_end, end):
            return Scanned(groups, pos, body_end, body_end, -1, -1, -1)
    else:
        parts = _tail_in_parts(rules, text, body_end, end) if rules.tail_in_parts else None
        if parts is not None and parts.ranged and not _second_may_follow(rules, text, parts, end):
            # a dash or "to" that no figure follows ("-bank", "to shareholders", a table's
            # "--"): figure_tail's range finds no second figure, and it reads what the parts did
            parts = parts._replace(ranged=False)
        if parts is not None and not parts.ranged:
            groups["scale"], groups["ranged"] = text[body_end : parts.scale_end], None
            unit_start, unit_end = parts.unit_start, parts.unit_end
            groups["unit"] = text[unit_start:unit_end] if unit_start >= 0 else None
            if parts.scale_end > body_end:  # the first figure's group holds its scale word
                groups["first"] = text[first_start : parts.scale_end]
            tail_end = max(parts.scale_end, unit_end)
            return Scanned(groups, pos, tail_end, parts.scale_end, unit_start, unit_end, -1)
        if parts is None:
            tail = compiled["figure_tail_unranged"].match(text, body_end, end, RELEASE_GIL)
        if parts is not None or (
            tail is not None and tail.group(tail.re.groupindex["ranged"]) is not None
        ):
            tail = compiled["figure_tail"].match(text, body_end, end, RELEASE_GIL)
        if tail is not None:
            groups.update(groupdict(tail))
            numbers, spans = tail.re.groupindex, tail.regs  # all spans in one call, by number
            first_end = spans[numbers["scale"]][1]
            if first_end > body_end:  # the first figure's group holds its scale word
                groups["first"] = text[first_start:first_end]
            unit, second = spans[numbers["unit"]], numbers.get("second")  # no range: unranged
            second_start = -1 if second is None else spans[second][0]
            return Scanned(groups, pos, tail.end(), first_end, unit[0], unit[1], second_start)
    m = whole.match(text, pos, end, RELEASE_GIL)
    return None if m is None else scanned(m)


def _two_way_price(
    rules: Rules,
    groups: dict[str, str | None],
    text: str,
    pos: int,
    first_start: int,
    body_end: int,
    end: int,
) -> Scanned | None:
    """A two-way price written as a bid, a slash and the offer's last digits, then its unit
    ("145.20/30 yen", "6.0650/0700 francs", "1.8195/205 marks", "4.43/32 pct", "118.25/118.75"):
    the figure is its bid, with the unit written after the offer, as the labels read it. None
    where the digits after the slash are no offer of a decimal bid (3/4, 1986/87, 10.5/3/87), or
    no unit follows but the next row's code in a table ("STG 1.6190/6200 DMK 1.8210/20")."""
    bid = text[first_start:body_end]
    point = bid.find(".")
    decimals = len(bid) - point - 1
    if point < 1 or decimals < 2 or not bid.isascii():
        return None
    i = j = body_end + 1
    stop = min(end, len(text))
    while j < stop and text[j] in _ASCII_DIGITS:
        j += 1
    if j < stop and text[j] == "." and j - i == point:  # the whole offer: 118.25/118.75
        k = j + 1
        while k < stop and text[k] in _ASCII_DIGITS:
            k += 1
        if k - j - 1 != decimals or not 0.9 < float(text[i:k]) / float(bid) < 1.1:
            return None  # an offer within a tenth of its bid, not a range: "up 0.50/1.50 dlr"
        j = k
    elif not 1 <= j - i <= decimals:
        return None
    if j >= stop - 1 or text[j] in "/.,:-" and text[j + 1] in _ASCII_DIGITS:
        return None
    tail = rules.compiled["figure_tail_unranged"].match(text, j, end, RELEASE_GIL)
    if tail is None:
        return None
    numbers, spans = tail.re.groupindex, tail.regs
    unit_start, unit_end = spans[numbers["unit"]]
    if unit_start < 0 or spans[numbers["scale"]][1] > j or spans[numbers["ranged"]][0] >= 0:
        return None
    after = tail.end()
    while after < stop and text[after] in " \t":
        after += 1
    if after < stop and text[after] in _ASCII_DIGITS:
        return None  # a table's row: "OMAN 0.38495/05 STG 1.6180/90", the code the next one's
    groups = groups.copy()
    groups["scale"], groups["unit"], groups["ranged"] = "", text[unit_start:unit_end], None
    return Scanned(groups, pos, tail.end(), body_end, unit_start, unit_end, -1)


class TailParts(NamedTuple):
    """figure_tail_unranged's match read part by part (_tail_in_parts)."""

    scale_end: int  # where its scale word ends (where it starts when there is none)
    unit_start: int  # its unit's span, -1 for none
    unit_end: int
    ranged: bool  # a range's separator follows: figure_tail reads it


def _tail_in_parts(rules: Rules, text: str, at: int, end: int) -> TailParts | None:
    """What figure_tail_unranged matches at `at` (read up to `end`), asked of its parts, the
    scale and the unit patterns, each only where the word after lets it start (rules.EdgeGates),
    and then whether a range's separator follows or the figure ends. The tail's unit tree is
    most of its cost, and its scale and unit are most often one short word or none: the two
    smaller calls, most often one, cost half the tail's. The parts' first readings are the
    first the tail tries, so where they end the figure they are its match; where they do not
    (a scale word after which another may stand, "hundred billion"; a unit glued to a letter),
    None: the tail, which would try its other readings, is asked.

    >>> from ledger.rules import default_rules
    >>> _tail_in_parts(default_rules(), "5 mln dlrs, up", 1, 250)
    TailParts(scale_end=5, unit_start=5, unit_end=10, ranged=False)
    >>> _tail_in_parts(default_rules(), "5 pct to 6 pct", 1, 250)
    TailParts(scale_end=1, unit_start=1, unit_end=5, ranged=True)
    """
    compiled, edges = rules.compiled, rules.edges
    scale_end = at
    scale = compiled["scale"]
    if edges.lets_after(scale, text, at, end):
        found = scale.match(text, at, end, RELEASE_GIL)
        if found is not None:
            scale_end = found.end()
            if not text[scale_end - 1].isascii() or text[scale_end - 1] in "dD":
                return None  # "hundred", "thousand": a second scale word may follow
    unit_start = unit_end = -1
    after = scale_end
    # gated as the tail is: a guarded unit's guard may look back into the figure ("2.123 pm"),
    # which a gate of the unit pattern itself does not see
    if scale_end == at or edges.lets_after(compiled["figure_tail_start"], text, scale_end, end):
        found = unit_at(rules, text, scale_end, end)
        if found is not None:
            unit_start, unit_end = found.span()
            after = unit_end
    if _range_follows(text, after, end):
        return TailParts(scale_end, unit_start, unit_end, True)
    if _figure_ends(rules, text, after, end):
        return TailParts(scale_end, unit_start, unit_end, False)
    return None


def unit_at(rules: Rules, text: str, at: int, end: int) -> regex.Match[str] | None:
    """What the `unit` pattern matches at `at` (read up to `end`), asked of the pattern for the
    character its unit would start with (rules.units_by_first: the words and symbols that start
    with it), a third of the whole one's cost; None at once where no unit starts with it. The
    whole pattern is asked where that character is not told plainly (past the window, a
    character outside printable ASCII before it), at a bracket and outside ASCII.

    >>> from ledger.rules import default_rules
    >>> [unit_at(default_rules(), t, 1, 20) for t in ["5 of them", "5-"]]
    [None, None]
    >>> [unit_at(default_rules(), t, 1, 20).group() for t in ["5 pct", "5%", "5 (kg)", "5-litre"]]
    [' pct', '%', ' (kg)', '-litre']
    """
    by_first = rules.units_by_first
    if by_first and at + 1 < min(end, len(text)):
        first = text[at]
        if first in UNIT_GAP:
            first = text[at + 1]  # each alternative passes over one (a hyphen: the words')
        elif not (first.isascii() and first.isprintable()):
            first = ""  # perhaps a space the pattern's \s passes over
        if first and first.isascii() and first not in UNIT_BRACKETS:
            pattern = by_first.get(first)
            return None if pattern is None else pattern.match(text, at, end, RELEASE_GIL)
    return rules.compiled["unit"].match(text, at, end, RELEASE_GIL)


def _second_may_follow(rules: Rules, text: str, parts: TailParts, end: int) -> bool:
    """Whether figure_tail's range may read a second figure after the dash or "to" that
    follows the parts of a figure's tail (read up to `end`): where the words after each way its
    separator may be read (patterns.toml figure_after's `sep`: a dash, a dash and "to", "to",
    each between gaps) let `figure` start, asked of their tokens (rules.EdgeGates). Not where
    the figure may not end before its gap (asked of figure_end: a range's "to" glued on):
    figure_tail is asked there.

    >>> from ledger.rules import default_rules
    >>> rules = default_rules()
    >>> [_second_may_follow(rules, t, TailParts(1, -1, -1, True), 250)
    ...  for t in ["5 to shareholders", "5 -- and", "5 to five", "5-10", "5 - to $6", "5to"]]
    [False, False, True, True, True, True]
    """
    at = max(parts.scale_end, parts.unit_end)
    stop = min(end, len(text))
    if not (text[at : at + 1] in _SEP_GAP and _figure_ends(rules, text, at, end)):
        return True
    sep = _gap_end(text, at, stop)
    starts = []
    if text[sep : sep + 1] in _DASHES:
        after = _gap_end(text, sep + 1, stop)
        starts.append(after)
        if text[after : after + 2].lower() == "to":
            starts.append(_gap_end(text, after + 2, stop))
    elif text[sep : sep + 2].lower() == "to":
        starts.append(_gap_end(text, sep + 2, stop))
    else:
        return True  # what _range_follows saw is not read so here: the tail says
    figure = rules.compiled["figure"]
    return any(rules.edges.lets_after(figure, text, start, end) for start in starts)


_DASHES = frozenset("-–—")
# what may stand between a figure and a range's separator (patterns.toml gap)
_SEP_GAP = frozenset(" \t\u00a0\r\n-–—")


def _gap_end(text: str, at: int, stop: int) -> int:
    """Where the longest reading of patterns.toml's `gap` from `at` ends (up to `stop`): blanks,
    then perhaps one line break and blanks."""
    while at < stop and text[at] in _GAP:
        at += 1
    if at + 1 < stop and text[at] == "\r" and text[at + 1] == "\n":
        at += 1
    if at < stop and text[at] == "\n":
        at += 1
        while at < stop and text[at] in _GAP:
            at += 1
    return at


_GAP = frozenset(" \t\u00a0")  # the tail's gap: spaces, a line break among them


def _range_follows(text: str, at: int, end: int) -> bool:
    r"""Whether figure_tail_unranged's `ranged` look-ahead holds at `at` (read up to `end`): a
    gap, then a dash or "to" (patterns.toml: gap).

    >>> [_range_follows(t, 1, 20) for t in ["5 - 6", "5 \r\n TO", "5 tonnes", "5\n\n-", "5 ,"]]
    [True, True, True, False, False]
    """
    stop = min(end, len(text))
    at = _gap_end(text, at, stop)
    if at < stop and text[at] in _DASHES:
        return True
    return at + 1 < stop and text[at] in "tT" and text[at + 1] in "oO"


# what may stand just before digits read without the scan's head (_plain_digits_end): nothing
# its look-behinds turn on (a letter, a digit, a point, a comma, a hyphen, a minus, a +)
_PLAIN_BEFORE = frozenset(" \t\n\r([\"'“‘$£€\u00a0")
_ASCII_DIGITS = frozenset("0123456789")
# after the digits, what may make them a fraction, a date, a time or a power: the head is asked
_NOT_PLAIN_AFTER = frozenset("/:xX×±½¼¾⅓⅔⅕⅛⅜⅝⅞")


def _plain_digits_end(text: str, at: int, end: int) -> int:
    """Where the scan's head (scan_digits_head, read up to `end`) ends at the ASCII digit `at`
    for a plain figure, as most are: digits, with commas between thousands or a decimal part
    ("5", "1,400", "3.75"); -1 where the head must say (a date, a time, a phone number, a
    fraction, a power, an odd grouping, the window's end). A call of the head costs as much as
    all of a figure's other reading in Python; these checks a tenth of it. Each check stands
    for an alternative of `skip` or `number` (patterns.toml) that could match there: tests
    hold the two to the same figures (test_extract_work.py).

    >>> [_plain_digits_end(t + " of it", 0, 250) for t in ["5", "1,400", "3.75", "10:30", "1/4"]]
    [1, 5, 4, -1, -1]
    """
    if at and text[at - 1] not in _PLAIN_BEFORE:
        return -1
    stop = min(end, len(text)) - 4  # what the checks read after a figure stays in the window
    i = at
    while i < stop and text[i] in _ASCII_DIGITS:
        i += 1
    if i == at or i >= stop:
        return -1
    run, mark = i - at, text[i]
    if mark in _NOT_PLAIN_AFTER or mark.isdecimal():
        return -1
    if text[i + 1].isdecimal():
        if mark == ",":  # thousands: each group three digits ("1,00,000" is the head's)
            if run > 3:
                return -1
            group = text[i + 1 : i + 4]
            while text[i] == "," and group.isdecimal() and not text[i + 4].isdecimal():
                i += 4
                group = text[i + 1 : i + 4]
                if i >= stop:
                    return -1
        elif mark in "-‑" and (run in (3, 4) or "/" in text[i + 2 : i + 4]):
            return -1  # perhaps 2023-09-06, 202-555-0143, 8-1/8
        elif mark not in ".-‑–—":
            return -1  # a space or a mark and digits: "1 000", "5 1/2", a phone number
        # the decimals; after three digits alone a point may be a phone number's (202.555.0143)
        if text[i] == "." and text[i + 1] in _ASCII_DIGITS and (run != 3 or i > at + run):
            i += 1
            while i < stop and text[i] in _ASCII_DIGITS:
                i += 1
    elif (
        run <= 2
        and (text[i] in "aApP" or text[i + 1] in "aApP")
        and (text[i + 1] in ".mM" or text[i + 2] in ".mM")
    ):
        return -1  # perhaps a time: 5am, 3 p.m.
    if i >= stop:
        return -1
    after = text[i]
    if (
        after.isdecimal()
        or after in _NOT_PLAIN_AFTER
        or (after in ".," and text[i + 1].isdecimal())
        or (after in " \t\u00a0" and text[i + 1] in "xX×±")
    ):
        return -1
    return i


_AM_PM = frozenset("aApP")


def _head_fails_after_point(text: str, at: int, end: int) -> bool:
    """Whether the scan's head (scan_digits_head, read up to `end`) surely finds nothing at the
    ASCII digit `at` after a point or a comma ("...644 vs", "(7.9)"): its number may not start
    there (`number`: not the tail of another number), nor a minus, and none of its skipped runs
    (`skip`: a date, a time, a phone number) goes on from the digits with what follows them.
    False where one might: the head says.

    >>> [_head_fails_after_point(t, 3, 250) for t in ["...644 vs", "...5:30", "...5 pm", "a 5 "]]
    [True, False, False, False]
    """
    if not (at and text[at - 1] in ".,"):
        return False
    stop = min(end, len(text)) - 2
    i = at
    while i < stop and text[i] in _ASCII_DIGITS:
        i += 1
    if i >= stop:
        return False
    after = text[i]
    if not (after.isascii() and after.isprintable()) or after.isdigit() or after in "-/.:":
        return False  # a date's, a time's or a phone number's mark may follow
    # not where it may be a time: 3 p.m., 10 am
    return not (after in _AM_PM or (after == " " and text[i + 1] in _AM_PM))


_FOOT_MARKS = ("'", "′")  # a digit after one is inches: 6'4


def _figure_ends(rules: Rules, text: str, at: int, end: int) -> bool:
    """Whether `figure_end` matches at `at` (read up to `end`): told by the character there
    where it is ASCII and the pattern the package's own (`not glued to a letter or digit, but
    a digit after a foot mark`), a tenth of a call of the pattern.

    >>> from ledger.rules import default_rules
    >>> [_figure_ends(default_rules(), t, 1, 9) for t in ["5 m", "5G", "5", "5é", "5'4"]]
    [True, False, True, False, True]
    >>> [_figure_ends(default_rules(), t, 2, 9) for t in ["6'4", "6.4"]]
    [True, False]
    """
    if rules.plain_end:
        if at >= end or at >= len(text):
            return True
        char = text[at]
        if char.isascii():
            if char not in ASCII_ALNUM:
                return True
            return char.isdigit() and text[at - 1 : at] in _FOOT_MARKS
    return rules.compiled["figure_end"].match(text, at, end, RELEASE_GIL) is not None


@functools.lru_cache(maxsize=16)
def _no_groups(pattern: Pattern) -> dict[str, str | None]:
    """Every group of a pattern, by name, none matched: a match's groupdict where only one
    group is then set (found once per pattern)."""
    numbers = pattern.groupindex
    return dict.fromkeys(sorted(numbers, key=numbers.__getitem__))


def _lone_year(text: str, at: int, rules: Rules) -> bool:
    """A year on its own (the common case, so decided before the scan): "in 2020", not
    "2020.5", "2,020" or "2020 tonnes"."""
    return (
        text[at] in "12"
        and text[at : at + 4].isdigit()
        and "1500" <= text[at : at + 4] <= "2100"
        and not text[at + 4 : at + 5].isdigit()
        and not (text[at + 4 : at + 5] in ".,-/" and text[at + 5 : at + 6].isdigit())
        and not (at and (text[at - 1].isdigit() or text[at - 1] in ".,"))
        and not _unit_or_scale_after(text, at + 4, rules)
    )


def _unit_or_scale_after(text: str, end: int, rules: Rules) -> bool:
    """Whether a unit or a scale word follows a year's digits: asked of the patterns only where
    the word after them can start either (figure_tail_start, as the scan asks it), which the
    words after most years ("in 2020, the") cannot."""
    compiled = rules.compiled
    # the gate's window is the shorter of the two: a word it cuts short is not gated
    return rules.edges.lets_after(compiled["figure_tail_start"], text, end, end + 20) and bool(
        unit_at(rules, text, end, end + WORD_REACH)
        or compiled["scale"].match(text, end, end + 20, RELEASE_GIL)
    )


# Claim's fields in its order, read off a Found in one C call; the fields validation sets (all:
# a Found has every attribute) and the ones it would turn from int into float ("5" -> 5.0)
_CLAIM_FIELDS = tuple(Claim.model_fields)
_READ_FIELDS = operator.attrgetter(*_CLAIM_FIELDS)
_ALL_SET = frozenset(_CLAIM_FIELDS)


def to_claim(found: Found) -> Claim:
    """The Claim of a claim found, built as pydantic's validation builds it from the Found's
    attributes (the same values and types, in Claim's field order, every field set) without
    checking each field again: the extractor made every value of its type, and validating
    them cost a third of building the records. tests/test_extract_work.py holds every record
    of the seeds equal to the validated one."""
    values = dict(zip(_CLAIM_FIELDS, _READ_FIELDS(found), strict=True))
    values["value"] = float(found.value)  # a factor from the rules may be a whole number
    if found.value_high is not None:
        values["value_high"] = float(found.value_high)
    values["checkworthiness"] = float(found.checkworthiness)
    values["related"] = list(found.related)  # a list of its own, as validation copies it
    return unchecked_claim(values, _ALL_SET)

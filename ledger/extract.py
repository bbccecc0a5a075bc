"""Find every quantitative claim in a news text and normalise it (issue 2).

How it works, and why it is fast:
1. Two cheap passes over the whole text find where a candidate can start (`anchor`: digits and
   currency symbols; `anchor_word`: a prefix tree of number words, fractions and multiples).
   Years on their own are dropped there. The full `scan` pattern (ledger/rules/patterns.toml) is
   tried only at those places: figure, scale word, unit and range; dates, times and phone numbers
   are recognised and skipped by it.
2. Each candidate is read in its immediate context with small patterns anchored at its edges:
   the qualifier and currency prefix before it ("over US$"), the counted noun after it, and the
   words that make it a name or a date ("Boeing 737", "March 5").
3. Only sentences holding a figure are looked at again, once each: subject, metric, attribution
   and period cues (each gated by trigger words, so most are never run), looked up per figure by
   bisection; the cost is in the figures, not in the prose, and linear in both.
4. A figure with no unit, noun or scale ("46", "(1)") is kept only when it states a change or
   is a second estimate of the figure before it ("(the actual number has exceeded 900)"), which
   lends it its unit; the two are then `related`.

Everything the rules say lives in ledger/rules/*.toml; this module holds no state between calls.

checkworthiness (0..1) is the sum of:
  0.30 a figure was found at all
  0.15 it is specific: it has a unit (currency, percent, measure, counted noun)
  0.15 a metric rule named what it measures (metric != "other")
  0.10 a subject was found
  0.15 someone is named as its source (attribution)
  0.05 its period is known
  0.10 it is a comparison: a change, a bound other than exact, or comparison words
       ("than", "compared", "record", "largest", ...) in its sentence
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import regex

from ledger.extract_zh import extract_chinese, merge_chinese, outside
from ledger.models import Claim
from ledger.numbers import digits_value, is_plural, scale_factor, singular, word_value
from ledger.rules import MetricRule, Rules, UnitInfo, default_rules, norm
from ledger.sentences import Sentences

EXTRACTOR_VERSION = "1.5.0"

# The fourth argument of a pattern's match and search (`concurrent`), passed by position on
# the hot calls: the GIL is kept and no keyword is parsed (see _Doc.call).
_HOLD_GIL = False
# Seconds any one regex call may take before it is abandoned and reported.
SCAN_TIMEOUT = 5.0
RULE_TIMEOUT = 0.5
# Calls over at most this many characters run without a timer (see _Doc.call).
WINDOW = 600

# Words that make a sentence a comparison, and the phrases of several words that do.
_COMPARISON_WORDS = frozenset(
    {"than", "compared", "versus", "record", "largest", "biggest", "highest", "lowest",
     "fastest", "slowest", "most", "least"}
)  # fmt: skip
_COMPARISON = regex.compile(
    rf"\b(?:{'|'.join(sorted(_COMPARISON_WORDS))}|year-on-year|from\s+a\s+year)\b",
    regex.IGNORECASE,
)
_TITLE_WORDS = regex.compile(
    r"^.*\b(?:Minister|Secretary|President|Premier|Governor|Chairman|Chairwoman|Chair|Director"
    r"|Spokesman|Spokeswoman|Spokesperson|CEO|Chief|Head|Official|Ambassador|Mayor|Senator"
    r"|Representative|Adviser|Advisor|Analyst|Economist|Professor|Dr\.?|Mr\.?|Ms\.?|Mrs\.?)\s+",
)
# The patterns of what ends a gap (\Z) are read backwards, (?r), and tried by .match at the
# gap's end only: a forward search tries them at every position of the gap first.
# What between two figures says they are the same quantity: a conversion in brackets, or the
# value it moved from ("up from", "compared with").
_SAME_THING = regex.compile(
    r"""(?r)
        \A\s*[(\[]\s*(?:about|around|some|roughly|approximately|nearly|or)?\s*\Z  # (about
      | (?:\b(?:up|down)\s+from|\bfrom|\bcompared\s+(?:with|to)|\bversus|\bvs\.?)\s*\Z
    """,
    regex.VERBOSE | regex.IGNORECASE,
)
_CLAUSE = regex.compile(r";|\s(?:but|while|whereas|though|although)\s", regex.IGNORECASE)
_WORDS = regex.compile(r"[\w&]+")
# what is not in _WORDS's [\w&] among ASCII characters, made a space
_ASCII_NOT_WORDS = str.maketrans(
    {c: " " for c in map(chr, range(128)) if not (c.isalnum() or c in "_&")}
)
# three or more digits, then one space: the figure after it is part of a number torn apart
# ("245 23 yen"), unless the digits are a year ("in 2020 23 firms"); "50 50-dollar bills" is a
# count of bills, and "1 000" is read whole by the number pattern before this is asked
_YEAR = regex.compile(r"(?:1[5-9]|20)\d\d")
_TORN_NUMBER = regex.compile(rf"(?r)(?<![\d.,])(?!{_YEAR.pattern}\b)\d{{3,}} \Z")
_COMPARED_AFTER = regex.compile(
    r"[ \t\u00a0]+(?:below|above|higher|lower|more|less|up|down|over|under)\b", regex.I
)
_LISTED = regex.compile(r"[ \t\u00a0]*(?:,|,?[ \t\u00a0]*(?P<word>and|or|&))[ \t\u00a0]+")
_CARRY_GAP = regex.compile(r"(?r)\b(?:at|to|of|vs\.?|versus|from|or|put\s+it)\s*\Z", regex.I)
_LIST_NUMBER = regex.compile(r"[.)][ \t]+\p{Lu}")
_FILE_SUFFIX = regex.compile(r"\.[a-z]{2,4}\b")
_SPACES = regex.compile(r"[\s\u00a0\-‑]+")  # as rules.trie() matches a space in a name
# Words that a source-name pattern can catch but that name no source.
_NOT_SOURCES = frozenset(
    """it this that they he she we i there the a an but and or so yet also then however
    meanwhile its their his her our these those inc corp co ltd plc llc""".split()  # noqa: SIM905
)
_ARTICLE = regex.compile(r"^(?:The|A|An)\s+")
_POSSESSIVE = regex.compile(r"^(\p{Lu}[\p{L}.]*(?:\s\p{Lu}[\p{L}.]*)?)['’]s\s+(?=\p{Lu})")
_AND_END = regex.compile(r"(?r)\band\s*\Z")
_QUOTES = regex.compile(r"[\"“”]")
_URL = regex.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2}
_ORDINAL_WORDS |= {"3rd": 3, "4th": 4}
_LABEL_EXEMPT = frozenset(
    [
        "about",
        "above",
        "after",
        "all",
        "almost",
        "an",
        "and",
        "another",
        "approximately",
        "around",
        "at",
        "below",
        "between",
        "but",
        "by",
        "closer",
        "close",
        "each",
        "estimated",
        "every",
        "exactly",
        "exceeded",
        "exceeding",
        "fewer",
        "for",
        "from",
        "in",
        "its",
        "just",
        "less",
        "more",
        "nearly",
        "no",
        "of",
        "on",
        "only",
        "or",
        "our",
        "over",
        "precisely",
        "roughly",
        "since",
        "some",
        "than",
        "that",
        "the",
        "their",
        "these",
        "this",
        "those",
        "to",
        "under",
        "until",
        "up",
        "upwards",
        "when",
        "while",
        "with",
        "within",
        "yet",
        "also",
        "still",
        "some",
        "then",
        "so",
        "around",
    ]
)


@dataclass
class Extraction:
    """What one run of the extractor produced: the claims and the rules that timed out."""

    claims: list[Claim]
    timed_out: list[str] = field(default_factory=list)


@dataclass
class _Sentence:
    start: int
    end: int
    text: str
    subjects: list[tuple[int, str]] | None = None
    metric_rules: list[tuple[MetricRule, Any]] | None = None
    keywords_held: dict[str, bool] = field(default_factory=dict)  # metric rule id -> found
    periods: list[tuple[int, int, str | None, str]] | None = None
    attribution: str | None = None
    attribution_done: bool = False
    words: frozenset[str] | None = None
    compares: bool | None = None  # holds comparison words (see _compares)
    subject_starts: list[int] | None = None
    clauses: list[int] | None = None
    period_starts: list[int] | None = None

    def lower_words(self) -> frozenset[str]:
        """The sentence's words (runs of [\\w&]), lower-cased, found once: they say which
        sentence-level rules are worth trying on it (Gated.triggered)."""
        if self.words is None:
            lower = self.text.lower()
            if lower.isascii():
                # the same words as _WORDS finds, by one translation and a split (no regex pass)
                self.words = frozenset(lower.translate(_ASCII_NOT_WORDS).split())
            else:
                # concurrent=False: see _Doc.call
                self.words = frozenset(_WORDS.findall(lower, concurrent=False))
        return self.words


class _Doc:
    """The per-call state of one extraction: the text, its sentences and what was found."""

    def __init__(self, text: str, published: date | None, rules: Rules) -> None:
        self.text = text
        self.published = published
        self.rules = rules
        self.sentences = Sentences(text)
        self.widened = False  # a sentence grew after some of its claims were read
        self.cache: dict[int, _Sentence] = {}
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
        pattern: Any,
        method: str,
        text: str,
        pos: int = 0,
        end: int | None = None,
        *,
        timed: bool = False,
    ) -> Any:
        """pattern.<method>(text, pos, end), abandoned and reported if it runs too long.

        Sentence-level rules (metrics, attribution, periods: the ones users extend) always run
        under the timer. The built-in context patterns of patterns.toml, read on windows of at
        most WINDOW characters around a figure, run without it: arming the timer costs more than
        such a call (about 1.7 us against 1 us), and they are tested not to backtrack.

        Calls keep the GIL (concurrent=False), as do the passes over each sentence's words and
        boundaries: by default `regex` lets go of it and takes it back around each call, each
        match a finditer yields and each block its backtracking stack grows by, which costs this
        single-threaded work more than it frees (1.5% of the extractor's instructions; 26% of
        the time finding a sentence's words).

        `method` is match or search, whose first arguments are (string, pos, endpos,
        concurrent): passed by position, as `regex` reads a keyword argument by comparing names,
        some 0.3 us a call, more than a short match takes.
        """
        end = len(text) if end is None else min(end, len(text))
        try:
            if not timed and end - pos <= WINDOW:
                return getattr(pattern, method)(text, pos, end, _HOLD_GIL)
            return getattr(pattern, method)(text, pos, end, _HOLD_GIL, timeout=RULE_TIMEOUT)
        except TimeoutError:
            self.timed_out.append(rule)
            return None

    def find_all(self, rule: str, pattern: Any, text: str) -> list[Any]:
        """Every match of a sentence-level rule, under the timer."""
        try:
            return list(pattern.finditer(text, concurrent=False, timeout=RULE_TIMEOUT))
        except TimeoutError:
            self.timed_out.append(rule)
            return []

    def sentence(self, offset: int) -> _Sentence:
        start, end = self.sentences.around(offset)
        found = self.cache.get(start)
        if found is None:
            found = self.cache[start] = _Sentence(start, end, self.text[start:end])
        return found

    def widen(self, sentence: _Sentence, start: int, end: int) -> _Sentence:
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


# --- reading one candidate ------------------------------------------------------------------------


class _ByNumber:
    """A match whose groups are asked for by name many times, read by number instead.

    `regex` reads a group by name by first trying the name as a number and formatting the
    TypeError that raises: about 0.5 us a read, against 0.1 us here. Worth it for the matches
    read most: the context before each figure (some nine reads), the words after it.
    """

    __slots__ = ("match", "numbers")

    def __init__(self, match: Any) -> None:
        self.match = match
        self.numbers = match.re.groupindex

    def group(self, name: str) -> Any:
        return self.match.group(self.numbers[name])

    def start(self, name: str) -> int:
        return self.match.start(self.numbers[name])

    def end(self, name: str) -> int:
        return self.match.end(self.numbers[name])


def _by_number(m: Any) -> Any:
    """The match (or None) as a _ByNumber; Any, as the extractor's matches are."""
    return None if m is None else _ByNumber(m)


def _groupdict(m: Any) -> dict[str, Any]:
    """m.groupdict(), a third of its cost: `regex` looks each name up by first trying it as a
    number and formatting the TypeError that raises (3 us for the scan pattern's nine groups).

    >>> _groupdict(regex.match(r"(?P<a>\\d)(x)?(?P<b>y)?", "1"))
    {'a': '1', 'b': None}
    """
    groups = m.groups()
    return {name: groups[number - 1] for name, number in m.re.groupindex.items()}


def _currency(doc: _Doc, symbol: str | None, before: Any, sentence_text: str) -> str | None:
    rules = doc.rules
    if symbol:
        symbol = symbol.strip()
        if before is not None and before.group("glue") and symbol == "$":
            return rules.glue.get(before.group("glue").upper(), rules.symbols.get(symbol))
        if symbol in rules.contexts:
            for cue, code in rules.contexts[symbol]:
                if cue.search(sentence_text):
                    return code
            return rules.context_default[symbol]
        return rules.symbols.get(symbol)
    if before is not None and before.group("code"):
        return rules.codes.get(before.group("code"))
    return None


_FIGURE_PARTS = regex.compile(r"(?P<cur>[^\d\p{L}\s]+)?\s?(?P<body>.+)", regex.DOTALL)
_MIXED = regex.compile(
    r"(?P<whole>\d+)[-\s](?P<num>\d{1,2})/(?P<den>[1-9]\d?)(?P<rest>.*)", regex.DOTALL
)
_FRACTION = regex.compile(r"(?P<num>\d{1,2})/(?P<den>[1-9]\d?)(?P<rest>.*)", regex.DOTALL)
_VULGAR = regex.compile(r"(?P<whole>\d{0,3})(?P<frac>[½¼¾⅓⅔⅕⅛⅜⅝⅞])(?P<rest>.*)", regex.DOTALL)
_LONE_FRACTION = regex.compile(r"\d{1,2}/\d{1,2}|[½¼¾⅓⅔⅕⅛⅜⅝⅞]")
_FRACTION_CHARS = frozenset("/½¼¾⅓⅔⅕⅛⅜⅝⅞")  # a figure without them needs no fraction regex
_OF_AFTER = regex.compile(
    r"[ \t\u00a0]+of\b(?![ \t\u00a0]+an?\b)", regex.IGNORECASE
)  # not "of an inch"
_POWER = regex.compile(
    r"(?P<mantissa>.+?)[ \t\u00a0]?[x×][ \t\u00a0]?(?P<base>\d{1,2})"
    r"\^?(?P<exponent>[-−]?\d{1,3}|⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})(?P<rest>.*)",
    regex.DOTALL,
)
_SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
_NUM_HEAD = regex.compile(
    r"(?P<num>(?:\d[\d,\s\u00a0\u2009\u202f\u2007]*)?\d(?:\.\d+)?)(?P<rest>.*)",
    regex.DOTALL,
)


def _figure(text: str, rules: Rules) -> tuple[str | None, float, bool, bool, str] | None:
    """Split a matched figure into (currency symbol, value, has scale, is digits, digits text)."""
    if _is_plain_number(text):
        return None, float(text.replace(",", "")), False, True, text  # most figures: 5.3, 1,400
    lead = text[:1]
    if lead.isdecimal() or lead.isalpha():  # \d or \p{L}: no symbol, the figure is all body
        symbol, body = None, text
    else:
        parts = _FIGURE_PARTS.fullmatch(text)
        if parts is None:
            return None
        symbol, body = parts.group("cur"), parts.group("body")
    sign = 1.0
    if symbol and symbol[-1] in "-−" and len(symbol) > 1:
        symbol, sign = symbol[:-1], -1.0  # $-99.99
    power = 1.0
    if ("x" in body or "×" in body) and (written := _POWER.fullmatch(body)) is not None:
        exponent = written.group("exponent").translate(_SUPERSCRIPTS).replace("−", "-")
        power = float(written.group("base")) ** int(exponent)
        body = written.group("mantissa") + written.group("rest")
    if "±" in body:  # 2,000.45±0.01 pounds: the figure is the central value
        central, _, spread = body.partition("±")
        spread_head = _NUM_HEAD.fullmatch(spread.strip())
        body = central.rstrip() + (spread_head.group("rest") if spread_head else "")
    head = _NUM_HEAD.fullmatch(body)
    fraction = mixed = None
    if not _FRACTION_CHARS.isdisjoint(body):
        fraction = _FRACTION.fullmatch(body) or _VULGAR.fullmatch(body)
        mixed = _MIXED.fullmatch(body)
    if fraction is not None:
        # "1/4", "½", "2½": digits is the fraction as written; on its own it needs a unit
        rest = fraction.group("rest")
        digits = body[: len(body) - len(rest)].rstrip()
        if "frac" in fraction.re.groupindex:
            whole = fraction.group("whole")
            value = float(whole or 0) + unicodedata.numeric(fraction.group("frac"))
        else:
            value = float(fraction.group("num")) / float(fraction.group("den"))
        is_digits = True
    elif mixed is not None:
        digits, rest = mixed.group("whole"), mixed.group("rest")
        value = float(digits) + float(mixed.group("num")) / float(mixed.group("den"))
        is_digits = True
    elif head is not None:
        digits, rest = head.group("num").rstrip(), head.group("rest")
        # a trailing separator-space before the scale belongs to the scale
        value = digits_value(digits)
        is_digits = True
    else:
        words = body.split()
        for n in range(min(len(words), 6), 0, -1):  # "twenty-five and a half million"
            candidate = " ".join(words[:n])
            found = word_value(candidate, rules)
            if found is not None:
                value, rest, digits = found, " ".join(words[n:]), candidate
                break
        else:
            found = word_value(body.split("-")[0], rules)
            if found is None:
                return None
            value, rest, digits = found, "", body
        is_digits = False
    has_scale = False
    if rest.strip(" -\u00a0"):
        factor = scale_factor(rest, rules)
        if factor is None:
            return None
        value *= factor
        has_scale = True
    return symbol, sign * power * value, has_scale, is_digits, digits


_PER = regex.compile(r"[ \t\u00a0]*/[ \t\u00a0]*|[ \t\u00a0]+per[ \t\u00a0]+", regex.IGNORECASE)


def _is_plain_number(text: str) -> bool:
    """Whether a figure is ASCII digits with thousands commas and a decimal part, nothing else
    (no symbol, space, scale or fraction): what _figure reads the long way as just that number.

    >>> [_is_plain_number(t) for t in ["5.3", "1,400", "1,400.5", "7", "1.5,3", "5,", "$5", "３"]]
    [True, True, True, True, False, False, False, False]
    """
    if not (text.isascii() and text[:1].isdigit() and text[-1:].isdigit()):
        return False
    whole, _, decimals = text.partition(".")
    return whole.replace(",", "").isdigit() and (not decimals or decimals.isdigit())


def _unit(text: str | None, rules: Rules) -> Any:
    if not text:
        return None
    stripped = text.strip().strip("-‑").strip().strip("()[]{}<>")  # 20 (kg)
    found = rules.units_by_symbol.get(stripped) or rules.units_by_word.get(norm(stripped))
    if found is None and _PER.search(stripped):
        # 10 l/km, two kb per second: the measure's unit over the divisor's
        measure, divisor = _PER.split(stripped, maxsplit=1)
        top, bottom = _unit(measure, rules), _unit(divisor, rules)
        below = bottom.unit if bottom is not None else rules.per_units.get(norm(divisor))
        if top is not None and below is not None and top.unit not in rules.rate_units:
            found = UnitInfo("measure", f"{top.unit}/{below}", top.factor)
        else:
            found = top  # "one mln bpd per day" is bpd
    return found


# an inch or foot mark may instead close a quotation: he said "we sold 10" and left
_QUOTE_OPENERS = {
    '"': regex.compile(r'(?:^|(?<=[\s(\[]))"'),
    "'": regex.compile(r"(?:^|(?<=[\s(\[]))['‘]"),
}
_QUOTE_CLOSERS = {
    '"': regex.compile(r'(?<=[^\s(\[])"'),
    "'": regex.compile(r"(?<=[^\s(\[\d])['’](?!\p{L})"),  # not 1990's, 2½'
}


def _closes_quotation(text: str, offset: int, mark: str) -> bool:
    """Whether a mark at `offset` closes a quotation opened earlier in its paragraph (a
    quotation may hold several sentences and, in wire copy, several lines).

    >>> _closes_quotation('"It was hard. We sold 10" of them', 24, '"')
    True
    >>> _closes_quotation('He said "no".\\n\\na 10" pen', 18, '"')
    False
    """
    paragraph = max(text.rfind("\n\n", 0, offset), offset - 3000)  # wire copy wraps lines
    before = text[max(0, paragraph) : offset]
    return len(_QUOTE_OPENERS[mark].findall(before)) > len(_QUOTE_CLOSERS[mark].findall(before))


def _noun(doc: _Doc, end: int, value: float) -> tuple[str | None, int, bool]:
    """The counted noun after a figure: (unit, end of the noun, is a time noun)."""
    rules = doc.rules
    m = _by_number(
        doc.call("noun_after", rules.compiled["noun_after"], "match", doc.text, end, end + 80)
    )
    if m is None:
        return None, end, False
    kept: list[str] = []
    last = 0
    for i in (1, 2, 3):
        word = m.group(f"w{i}")
        if word is None:
            break
        lower = word.lower()
        if lower in rules.stop:
            break
        if is_plural(word, rules.irregular) and value != 1:
            noun = singular(word, rules.irregular)
            if noun in rules.time_nouns:
                return None, m.end(f"w{i}"), True
            if m.group("open") and m.end(f"w{i}") == m.start("close"):
                # a term in quotes is the unit whole: three “little giants” -> little giant
                kept = [m.group(f"w{j}").lower() for j in range(1, i)]
            kept.append(noun)
            return " ".join(kept), _noun_end(m, i), False
        if lower in rules.adjectives or word[0].isupper() or lower.endswith("ly"):
            continue  # "two major deals", "125 million monthly users": describers, not the noun
        if i == 3 and value != 1:
            break
        kept.append(lower)
        last = i
    if value == 1 and kept:
        # "one aircraft carrier": a singular compound noun; "one step", "one insider pointed",
        # "one can" are idioms or pronouns, not counts
        if kept[-1] in rules.time_nouns:
            return None, m.end(f"w{last}"), True
        if len(kept) < 2 or any(w.endswith("ed") for w in kept):
            return None, end, False
        return " ".join(kept), _noun_end(m, last), False
    return None, end, False


def _noun_end(m: Any, i: int) -> int:
    """The end of the noun, with its closing quote when it was opened: three “little giants”."""
    if m.group("open") and m.group("close") and m.end(f"w{i}") == m.start("close"):
        return m.end("close")
    return m.end(f"w{i}")


def _change_cue(doc: _Doc, m: Any) -> str | None:
    """The direction of whichever change cue matched (groups c0, c1... in cues.toml order)."""
    if m is None:
        return None
    for i, (cue, _pattern) in enumerate(doc.rules.change_cues):
        if m.group(f"c{i}") if f"c{i}" in m.re.groupindex else None:
            if cue.increase_verbs and m.group("verb").lower() in cue.increase_verbs:
                return "increase"
            return cue.direction
    return None


def _change_before(doc: _Doc, start: int) -> str | None:
    """A cue that ends right where the figure (with its qualifier) begins, as cues.toml says of
    `where = "before"`: the pattern is read backwards and matched there only (a search would try
    each of the 60 positions before too; every cue ends in \\s+\\Z, so none matches there)."""
    pattern = doc.rules.change_before
    return _change_cue(
        doc, doc.call("change", pattern, "match", doc.text, max(0, start - 60), start)
    )


def _change_after(doc: _Doc, end: int) -> str | None:
    pattern = doc.rules.change_after
    return _change_cue(doc, doc.call("change", pattern, "match", doc.text, end, end + 30))


def _is_name_or_date(doc: _Doc, start: int, end: int) -> bool:
    """Numbers that are labels or dates: Boeing 737, page 3, March 5, 7 October."""
    rules, text = doc.rules, doc.text
    lo = max(0, start - 40)
    if doc.call("date_before", rules.compiled["date_before"], "search", text, lo, start):
        return True
    if doc.call("date_after", rules.compiled["date_after"], "match", text, end, end + 20):
        return True
    if doc.call("time_after", rules.compiled["time_after"], "match", text, end, end + 12):
        return True
    label = doc.call("label_before", rules.compiled["label_before"], "search", text, lo, start)
    if label is not None:
        cap = label.group("cap")
        if cap is None or cap.lower() not in _LABEL_EXEMPT and cap.lower() not in rules.qualifiers:
            return True
    # a list number: "2. China added...", "(Reuters) 3. Exports rose"
    if _LIST_NUMBER.match(text, end, end + 4, _HOLD_GIL):
        before = text[max(0, start - 3) : start].rstrip(" \t")
        if not before or before[-1] in "\n.)!?:":
            return True
    # a file name or code: 7655.txt
    return bool(_FILE_SUFFIX.match(text, end, end + 8, _HOLD_GIL))


def _read_candidate(doc: _Doc, m: Any) -> tuple[dict[str, Any] | None, int]:
    """Turn one scan match into a claim dict (or None), and say where scanning resumes."""
    rules, text = doc.rules, doc.text
    g = _groupdict(m)  # one call instead of one per group read
    start, end = m.start(), m.end()
    resume = end
    if doc.urls and doc.in_url(start):
        return None, resume
    # glued to more digits by a date/code separator: 2023-09-06, 3/4, 10.5.2 (but a unit may
    # stand before the slash: 30C/86F)
    if (
        end < len(text) - 1
        and text[end] in "-/:."
        and text[end + 1].isdigit()
        and not (text[end] == "/" and g["unit"] and not g["unit"][-1].isdigit())
    ):
        return None, resume
    if start > 1 and text[start - 1] in "/:" and text[start - 2].isdigit():
        return None, resume
    if (
        start > 1
        and text[start - 1] in "-‑"
        and text[start - 2].isalpha()
        and text[start].isalpha()
    ):
        return None, resume  # "tier-one", "second-half": a word, not a figure
    sentence = doc.sentence(start)
    before = doc.call("before", rules.compiled["before"], "search", text, max(0, start - 40), start)
    # every part of `before` is optional: an empty match holds no group, so it reads as none and
    # the nine group reads below are spared for most figures
    before = _by_number(before) if before is not None and before.end() > before.start() else None
    qualifier = None
    if before is not None and before.group("qual"):
        qualifier = rules.qualifiers.get(norm(before.group("qual")))

    claim: dict[str, Any] = {"value_high": None, "change": None, "bound": "exact"}
    bracket_open = None
    rule = "figure"
    if g["mult"]:
        factor, change = rules.multiples[norm(g["mult"])]
        claim.update(kind="multiple", unit=None, value=factor, change=change)
        rule = "multiple"
    elif g["frac"]:
        claim.update(kind="percent", unit="percent", value=rules.fractions[norm(g["frac"])])
        rule = "fraction"
    elif g["named"]:
        named, cue = rules.named[norm(g["named"])]
        if not cue.search(sentence.text):
            return None, resume  # "absolute zero chance": the idiom, not the temperature
        claim.update(kind=named.kind, unit=named.unit, value=named.factor)
        rule = "named"
    else:
        first = _figure(g["first"], rules)
        if first is None:
            return None, resume
        symbol, value, has_scale, is_digits, digits = first
        glued = bool(g["unit"]) and not g["unit"][0].isspace()  # 500 9mm rounds
        if (
            not symbol
            and not glued
            and _TORN_NUMBER.match(text, max(0, start - 8), start, _HOLD_GIL)
        ):
            return None, resume  # "245 23 yen": digits a space apart that no grouping explains
        unit = _unit(g["unit"], rules)
        mark = g["unit"].strip() if g["unit"] else ""
        if mark in _QUOTE_OPENERS and (
            _YEAR.fullmatch(digits) or _closes_quotation(text, m.start("unit"), mark)
        ):  # 'profits in 1986" he said' closes a quotation whatever came before
            unit, end, resume = None, m.end("first"), m.end("first")
        second = _figure(g["second"], rules) if g["second"] else None
        unit2 = _unit(g["unit2"], rules)
        sep = (g["sep"] or "").strip()
        from_change = (
            qualifier == "range"
            and norm(before.group("qual")) == "from"
            and _change_before(doc, before.start("qual")) is not None
        ) or (
            # "rise by $19bn to $420bn", "fell by 20,000 to 1.42 million": a change, then the
            # level it reached; but "rise by 1 to 1.5 percentage points" is a range (the first
            # figure is bare and the scale does not jump)
            sep.lower() == "to"
            and text[max(0, start - 4) : start].lower().endswith("by ")
            and second is not None
            and (
                bool(symbol or unit or has_scale)
                or (second[2] and value > digits_value_or_word(second[4], rules))
            )
        )
        side1 = ("money", symbol) if symbol else (unit.kind, unit.unit) if unit else None
        side2 = None
        if second is not None:
            side2 = (
                ("money", second[0]) if second[0] else (unit2.kind, unit2.unit) if unit2 else None
            )
        if g["second"] and (second is None or (side1 and side2 and side1 != side2) or from_change):
            # "grew 20% to $5 billion", "rose from 5% to 10%": two figures, not a range
            end = m.end("unit") if g["unit"] else m.end("first")
            resume, second, unit2 = m.start("second"), None, None
        if qualifier == "range" and second is None:
            if norm(before.group("qual")) == "between":
                and_range = rules.compiled["and_range"]
                more = doc.call("and_range", and_range, "match", text, end, end + 120)
                if more is not None:
                    second = _figure(more.group("second"), rules)
                    unit2 = _unit(more.group("unit2"), rules)
                    if second is not None:
                        end = resume = more.end()
            if second is None:
                qualifier = None
        if (
            not (symbol or unit or unit2)
            and not _FRACTION_CHARS.isdisjoint(digits)
            and _LONE_FRACTION.fullmatch(digits)
        ):
            # "1/4 mile" has its unit; "1/3 of voters" is a share; "24/7", "9/11" are names
            if second is not None or not _OF_AFTER.match(text, end, end + 6):
                return None, resume
            unit, value = rules.units_by_word[norm("percent")], 100.0 * value
        is_year = (
            is_digits
            and not has_scale
            and len(digits) == 4
            and digits.isdigit()
            and 1500 <= value <= 2100
        )
        bare = not (symbol or unit or unit2 or (before is not None and before.group("code")))
        if bare and is_year and (second is None or second[3]):
            return None, resume
        early_noun = None
        if bare and not has_scale and not (second and second[2]):
            if is_digits and doc.last_sentence != sentence.start:
                # nothing before it in its sentence can lend it a unit: without a noun or a
                # change cue it will be dropped, so decide that before the costlier checks
                early_noun = _noun(doc, end, value)
                ratio_after = rules.compiled["ratio_after"]
                if (
                    early_noun[0] is None
                    and not early_noun[2]
                    and not ratio_after.match(text, end, end + 40, _HOLD_GIL)
                    and not rules.compiled["listed_ahead"].match(text, end, end + 40, _HOLD_GIL)
                ):
                    lo = before.start("qual") if qualifier and before.group("qual") else start
                    if _change_before(doc, lo) is None and _change_after(doc, end) is None:
                        return None, resume
            if _is_name_or_date(doc, start, end):
                return None, resume
            if is_digits and digits.endswith(".0") and "." in digits:
                return None, resume  # "trade war 2.0"
        if second is not None:
            value_high = second[1]
            second_digits = digits_value_or_word(second[4], rules) if second[4] else 0.0
            if not has_scale and second[2] and 0 < value <= second_digits:
                # "30 to 40 billion yuan": the first figure takes the second's scale
                value *= value_high / second_digits
            negative = bool(g["neg"] or (before is not None and before.group("minus")))
            if value_high < (-value if negative else value):  # -78-0 degrees is a range
                if sep in ("-", "–", "—"):
                    return None, m.end()  # a score or code: 3-1
                end = m.end("unit") if g["unit"] else m.end("first")
                resume, second = m.start("second"), None
                if unit2 is not None and unit2.kind == "money" and value_high == 1:
                    unit2 = None  # an exchange rate, "35 to one U.S. Dollar": 35 is no USD
            else:
                claim["value_high"] = value_high
                qualifier = "range"
        if (
            symbol
            and unit is not None
            and unit.kind == "money"
            and g["unit"].strip() in (rules.symbols)
        ):
            # "$ 20,000.00 $ 37,305.97": the second "$" opens the next figure
            unit, end, resume = None, m.end("first"), m.start("unit")
        if symbol and not has_scale and g["unit"] and g["unit"].strip() in rules.scales:
            # "£12 m": after a currency symbol a spaced m is million, not metres
            value *= rules.scales[g["unit"].strip()]
            unit, has_scale = None, True
        symbol = symbol or (second[0] if second else None)
        unit = unit or unit2
        if unit is not None and not symbol and rules.word_contexts:
            unit_text = g["unit"] or g["unit2"] or ""
            context = rules.word_contexts.get(norm(unit_text.strip()))
            if context is not None and (
                # with a scale word only money ("a 5 million pound deal"), and then always
                (has_scale and context[1].kind == "money")
                or (not has_scale and context[0].search(sentence.text))
            ):
                unit = context[1]  # "lost 25 pounds": a weight; "a 20-pound note": GBP
        if unit is not None and unit.factor != 1.0:
            value *= unit.factor
            if claim["value_high"] is not None:
                claim["value_high"] *= unit.factor
        if (
            not symbol
            and unit is None
            and g["first"].endswith("m")
            and (
                digits in rules.metre_distances
                or rules.compiled["metre_size_after"].match(text, end, end + 40)
                or rules.compiled["metre_size_before"].search(text, max(0, start - 40), start)
            )
            and not (before is not None and (before.group("code") or before.group("glue")))
        ):
            # "won the 800m", "1.8m tall", "outreach is 48m": a distance or a size, not millions
            value, unit = digits_value(digits), rules.units_by_word[norm("metres")]
        currency = _currency(doc, symbol, before, sentence.text)
        if currency is None and unit is not None and unit.kind == "money":
            currency = unit.unit
        if currency is not None:
            if unit is not None and unit.kind == "money" and unit.factor == 1.0 and second is None:
                value, end, resume = _money_tail(doc, value, has_scale, end, resume)
            loss = None
            if text[end : end + 1] == ")":
                loss = rules.compiled["accounting_negative"].search(text, max(0, start - 16), start)
            if loss is not None:
                # "revenue was ($99.99)": a loss, as accounts write it; the brackets are quoted
                value, bracket_open = -value, text.rindex("(", loss.start(), start)
                end = resume = end + 1
            claim.update(kind="money", unit=currency, value=value)
            rule = "money"
        elif unit is not None:
            if unit.unit in rules.minor_units and second is None and not has_scale:
                value, end, resume = _measure_tail(doc, unit.unit, value, end, resume)
            claim.update(kind=unit.kind, unit=unit.unit, value=value)
            rule = unit.kind
        else:
            if text[end : end + 1] == "-" and text[end + 1 : end + 2].isalpha():
                # "5-year plan", "a 25-member team": a compound adjective, not a count
                return None, resume
            ratio = None
            if second is None and not has_scale:
                pattern = rules.compiled["ratio_after"]
                ratio = doc.call("ratio", pattern, "match", text, end, end + 40)
            den = _figure(ratio.group("den"), rules) if ratio is not None else None
            if ratio is not None and den is not None and value < den[1] <= 1000 and not den[2]:
                # "nine in ten households": a share, as a percentage
                claim.update(kind="percent", unit="percent", value=100.0 * value / den[1])
                end = resume = ratio.end()
                rule = "ratio"
            else:
                noun, noun_end, is_time = early_noun or _noun(doc, end, value)
                if is_time:
                    return None, max(resume, noun_end)
                if noun is None and not is_digits and not has_scale:
                    return None, resume  # "two" on its own
                claim.update(kind="count", unit=noun, value=value)
                # a bare figure ("46", "(1)", "4-7") stays only if a figure before it in its
                # sentence gives it a unit ("some 540 satellites ... exceeded 900"): _finish
                claim["_bare"] = noun is None and not has_scale and not (second and second[2])
                claim["_listable"] = claim["_bare"]  # may share the unit of a figure after it
                if noun is not None:
                    end = noun_end
                    resume = max(resume, end)
                rule = "count"
        if rule != "ratio" and (has_scale or (unit is not None and unit.factor != 1.0)):
            base = digits_value_or_word(digits, rules)
            if base:  # what a bare figure listed before this one is multiplied by: 20 and five
                claim["_scale"] = claim["value"] / base  # mln yen, 50 and 60 cents
        if g["neg"] or (before is not None and before.group("minus")):
            claim["value"] = -claim["value"]
    # the quote starts at the qualifier or the currency code written before the figure
    quote_start = start
    if before is not None:
        if before.group("code") or before.group("glue"):
            if rule == "money":
                quote_start = before.start("code") if before.group("code") else before.start("glue")
            elif before.group("glue"):
                pass
        if before.group("minus") and claim["kind"] != "multiple":
            quote_start = before.start("minus")
        if qualifier is not None and before.group("qual"):
            quote_start = before.start("qual")
    if bracket_open is not None:
        quote_start = bracket_open
    claim["bound"] = qualifier or "exact"
    change = _change_before(doc, quote_start) or _change_after(doc, end)
    if change and claim["change"] is None:
        claim["change"] = change
        claim["_bare"] = False  # "fell by 20,000": a change needs no unit to be a claim
    if quote_start < sentence.start or end > sentence.end:
        sentence = doc.widen(sentence, quote_start, end)  # "2.1 billion\ndlrs" in wire copy
    claim.update(
        start=quote_start,
        end=end,
        quote=text[quote_start:end],
        rule=rule,
        sentence=sentence.text,
        sentence_start=sentence.start,
    )
    return claim, resume


def _money_tail(
    doc: _Doc, value: float, has_scale: bool, end: int, resume: int
) -> tuple[float, int, int]:
    """An amount's currency word may be followed by its scale ("75 USD million") or by its
    cents ("13 dollars and 45 cents", "15 dollars 50."): (value, end, resume) with them read."""
    pattern = doc.rules.compiled["money_tail"]
    tail = doc.call("money_tail", pattern, "match", doc.text, end, end + 60)
    if tail is None:
        return value, end, resume
    if tail.group("scale"):
        factor = scale_factor(tail.group("scale"), doc.rules)
        if has_scale or factor is None:
            return value, end, resume
        return value * factor, tail.end(), max(resume, tail.end())
    minor = digits_value_or_word(tail.group("minor"), doc.rules)
    if has_scale or value != int(value) or not 0 < minor < 100 or minor != int(minor):
        return value, end, resume
    return value + minor / 100, tail.end(), max(resume, tail.end())


def _measure_tail(
    doc: _Doc, unit: str, value: float, end: int, resume: int
) -> tuple[float, int, int]:
    """A measure may be followed by a smaller unit ("5 feet 2 inches"): read it in."""
    pattern = doc.rules.compiled["measure_tail"]
    tail = doc.call("measure_tail", pattern, "match", doc.text, end, end + 60)
    if tail is None:
        return value, end, resume
    factor = doc.rules.minor_units[unit].get(norm(tail.group("mword")))
    if factor is None:
        return value, end, resume
    minor = digits_value_or_word(tail.group("minor"), doc.rules)
    return value + minor * factor, tail.end(), max(resume, tail.end())


def digits_value_or_word(text: str, rules: Rules) -> float:
    """The numeric value of the digits or number word of a figure (no scale)."""
    try:
        return digits_value(text)
    except ValueError:
        return word_value(text, rules) or 1.0


# --- sentence-level reading ---------------------------------------------------------------------


def _subjects(doc: _Doc, s: _Sentence) -> list[tuple[int, str]]:
    if s.subjects is None:
        ids = doc.rules.subject_ids
        s.subjects = [
            # a name written as listed needs no respacing ("Hong\u00a0Kong" does)
            (s.start + m.start(), ids.get(m.group()) or ids[_SPACES.sub(" ", m.group())])
            # a prefix tree of literal names: linear, so no timer needed
            for m in doc.rules.subject_pattern.finditer(s.text)
        ]
    return s.subjects


def _subject(doc: _Doc, s: _Sentence, start: int, end: int) -> str | None:
    """The first subject named in the figure's clause before it, else in its sentence before
    it, else the nearest after it (looked up by bisection: no rescan per figure)."""
    found = _subjects(doc, s)
    if not found:
        return None
    if s.subject_starts is None:
        s.subject_starts = [pos for pos, _ in found]
        s.clauses = [s.start + c.start() for c in _CLAUSE.finditer(s.text)]
    starts, clauses = s.subject_starts, s.clauses or []
    i = bisect.bisect_left(clauses, start)
    clause_start = clauses[i - 1] if i else s.start
    first = bisect.bisect_left(starts, clause_start)
    if first < len(starts) and starts[first] < start:
        return found[first][1]
    if starts[0] < start:
        return found[0][1]
    after = bisect.bisect_left(starts, end)
    if after < len(starts):
        return found[after][1]
    return None


def _metric_rules(doc: _Doc, s: _Sentence) -> list[tuple[MetricRule, Any]]:
    """The metric rules that may name a figure of the sentence, in file order, with their
    keywords: those its words trigger, and `other` (which needs no keywords)."""
    if s.metric_rules is None:
        s.metric_rules = [
            (rule, pattern)
            for rule, pattern, _triggers in doc.rules.metrics.triggered(s.lower_words())
            if pattern is not None and rule.id != "other"
        ]
        s.metric_rules += [(rule, None) for rule, _, _ in doc.rules.metrics if rule.id == "other"]
    return s.metric_rules


def _metric(doc: _Doc, s: _Sentence, claim: dict[str, Any]) -> str:
    """The first rule whose kinds, units and minimum fit the figure and whose keywords its
    sentence holds. The keywords are searched last, once a sentence, and only for a rule some
    figure fits: a rule for temperatures is never searched in a sentence with none."""
    for rule, pattern in _metric_rules(doc, s):
        if claim["kind"] not in rule.kinds:
            continue
        if rule.units is not None and (claim["unit"] or "") not in rule.units:
            continue
        if rule.min_value is not None and claim["value"] < rule.min_value:
            continue
        if pattern is None:
            return rule.metric or rule.id  # other
        held = s.keywords_held.get(rule.id)
        if held is None:
            found = doc.call(f"metric:{rule.id}", pattern, "search", s.text, timed=True)
            held = s.keywords_held[rule.id] = found is not None
        if held:
            return rule.metric or rule.id
    return "other"


def _clean_source(who: str, rules: Rules) -> str | None:
    who = who.strip(" ,.")
    who = _ARTICLE.sub("", who)
    # "China's National Bureau of Statistics" -> the bureau
    possessive = _POSSESSIVE.match(who)
    if possessive and possessive.group(1) in rules.subject_ids:
        who = who[possessive.end() :]
    who = _TITLE_WORDS.sub("", who)
    if not who or who.lower() in _NOT_SOURCES:
        return None
    if who in rules.subject_ids and rules.subject_ids[who] in ("China", "US") and " " not in who:
        # "Beijing said" stays a source; a bare demonym ("Chinese said") does not
        return who if who[0].isupper() else None
    return who


def _person_before(doc: _Doc, offset: int) -> str | None:
    """The last named person introduced with a speech verb before `offset` (for he/she)."""
    rules = doc.rules
    lo = max(0, offset - 4000)
    last = None
    for m in doc.find_all("person_before", rules.compiled["person_before"], doc.text[lo:offset]):
        who = m.group("who")
        first = who.split()[0]
        if who in rules.subject_ids or first in rules.subject_ids or first in ("The", "He", "She"):
            continue
        last = who
    if last is None:
        return None
    if " " not in last:
        # "Jiang added" -> the full name given earlier: "Jiang Jinquan"
        full = regex.search(
            rf"\b{regex.escape(last)}(?:\s+\p{{Lu}}\p{{Ll}}+)+",
            doc.text[max(0, offset - 8000) : offset],
        )
        if full is not None:
            return full.group()
    return last


def _attribution_in(doc: _Doc, s: _Sentence) -> str | None:
    if s.attribution_done:
        return s.attribution
    s.attribution_done = True
    for rule_id, pattern, _triggers in doc.rules.attribution_cues.triggered(s.lower_words()):
        m = doc.call(f"attribution:{rule_id}", pattern, "search", s.text, timed=True)
        if m is None:
            continue
        if "pronoun" in m.re.groupindex and m.group("pronoun"):
            who = _person_before(doc, s.start + m.start())
        else:
            who = _clean_source(m.group("who"), doc.rules)
        if who:
            s.attribution = who
            return who
    return None


def _quotation(doc: _Doc, offset: int) -> tuple[int, int] | None:
    """The quotation (open, close) in the paragraph that holds `offset`, if any.

    The quotations of a paragraph are found once (doc.quotations) and looked up by bisection,
    so a paragraph with many figures is not rescanned for each.
    """
    starts = doc.line_starts
    line = bisect.bisect_right(starts, offset) - 1
    lo = starts[line]
    spans = doc.quotations.get(lo)
    if spans is None:
        hi = starts[line + 1] - 1 if line + 1 < len(starts) else len(doc.text)
        spans = doc.quotations[lo] = _quotation_spans(doc.text, lo, hi)
    i = bisect.bisect_left(spans, (offset, -1)) - 1
    if i >= 0 and spans[i][0] < offset < spans[i][1]:
        return spans[i]
    return None


def _quotation_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """(open, close) of each quotation between lo and hi; one left open runs to hi."""
    spans: list[tuple[int, int]] = []
    opened = None
    for q in _QUOTES.finditer(text, lo, hi):
        char, at = q.group(), q.start()
        if char == '"':
            # a straight quote opens after a space or bracket, and closes otherwise
            before = text[at - 1] if at > lo else " "
            char = "“" if before.isspace() or before in "([{—–-:" else "”"
        if opened is None:
            if char == "“":
                opened = at
        elif char == "”":
            spans.append((opened, at))
            opened = None
    if opened is not None:
        spans.append((opened, hi))
    return spans


def _attribution(doc: _Doc, s: _Sentence, start: int) -> str | None:
    """Who the figure is attributed to: a cue in its own sentence, else around its quotation."""
    if "(" in s.text and any(
        a.start() <= start - s.start < a.end() for a in doc.rules.own_aside.finditer(s.text)
    ):
        return None  # the writer's own correction of the source
    own = _attribution_in(doc, s)
    if own:
        return own
    quoted = _quotation(doc, start)
    if quoted is None or quoted[1] - quoted[0] > 3000:
        return None
    open_at, close_at = quoted
    # a quotation longer than its sentence: the attribution sits just around the quotation
    if close_at < len(doc.text) and close_at >= s.end - 1:
        after = doc.sentence(min(close_at + 1, len(doc.text) - 1))
        if after.start != s.start and (found := _attribution_in(doc, after)):
            return found
    if open_at < s.start and (found := _attribution_in(doc, doc.sentence(open_at))):
        return found
    return None


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _period_value(doc: _Doc, rule_id: str, m: Any, s: _Sentence) -> str | None:
    """The period a cue names; quarters and months without a year take it from context."""
    pub = doc.published
    groups = _groupdict(m)
    year = groups.get("year")
    if rule_id == "year":
        return year
    if rule_id == "quarter_year":
        q = int(groups["q"]) if groups.get("q") else _ORDINAL_WORDS[groups["qword"].lower()]
        if year is None:
            year = _year_in_sentence(doc, s)
        if year is None and pub is not None:
            year = str(pub.year if q <= (pub.month - 1) // 3 + 1 else pub.year - 1)
        return f"{year}-Q{q}" if year else None
    if rule_id == "half_year":
        h = groups.get("h") or ("1" if groups["hword"].lower() == "first" else "2")
        return f"{year}-H{h}"
    if rule_id == "month_year":
        month = _MONTHS[groups["month"].lower().rstrip(".")]
        if year is None and groups.get("rel"):
            if pub is None:
                return None
            year = str(pub.year + {"last": -1, "this": 0, "next": 1}[groups["rel"].lower()])
        if year is None:
            year = _year_in_sentence(doc, s)
        if year is None:
            if pub is None:
                return None
            year = str(pub.year if month <= pub.month else pub.year - 1)
        return f"{year}-{month:02d}"
    if rule_id == "relative":
        if pub is None:
            return None
        word = groups["relword"].lower().split()[-1]
        step = 0 if word in ("this", "current") else (1 if word == "next" else -1)
        unit = groups["relunit"].lower()
        if unit == "year":
            return str(pub.year + step)
        if unit == "month":
            y, mth = _shift(pub.year, pub.month, step)
            return f"{y}-{mth:02d}"
        q_index = pub.year * 4 + (pub.month - 1) // 3 + step
        return f"{q_index // 4}-Q{q_index % 4 + 1}"
    return None


def _year_in_sentence(doc: _Doc, s: _Sentence) -> str | None:
    for rule_id, _pattern, _triggers in doc.rules.period_cues:
        if rule_id == "year":
            m = doc.call("period:year", _pattern, "search", s.text, timed=True)
            return m.group("year") if m else None
    return None


def _periods(doc: _Doc, s: _Sentence) -> list[tuple[int, int, str | None, str]]:
    if s.periods is not None:
        return s.periods
    taken: list[tuple[int, int]] = []
    cues: list[tuple[int, int, str | None, str]] = []
    for rule_id, pattern, _triggers in doc.rules.period_cues.triggered(s.lower_words()):
        for m in doc.find_all(f"period:{rule_id}", pattern, s.text):
            a, b = m.span()
            if any(a < y and x < b for x, y in taken):
                continue
            taken.append((a, b))
            base = doc.call(
                "period_baseline", doc.rules.baseline, "search", s.text, max(0, a - 60), a
            )
            kind = "baseline" if base is not None else "cue"
            cues.append((s.start + a, s.start + b, _period_value(doc, rule_id, m, s), kind))
    cues.sort()
    s.periods = cues
    return cues


def _period(doc: _Doc, s: _Sentence, claim: dict[str, Any], next_start: int) -> str | None:
    """The first period cue after the figure in its clause, else the nearest one before it;
    baselines ("compared to the previous year") never count."""
    cues = _periods(doc, s)
    if not cues:
        return None
    if s.period_starts is None:
        s.period_starts = [c[0] for c in cues]
    starts = s.period_starts
    limit = min(next_start, claim["end"] + 100)
    semicolon = doc.text.find(";", claim["end"], limit)
    if semicolon != -1:
        limit = semicolon
    i = bisect.bisect_left(starts, claim["end"])
    while i < len(cues) and cues[i][0] < limit:
        if cues[i][3] != "baseline":
            return cues[i][2]
        i += 1
    j = bisect.bisect_left(starts, claim["start"]) - 1
    while j >= 0:
        if cues[j][1] <= claim["start"] and cues[j][3] != "baseline":
            return cues[j][2]
        j -= 1
    # "grew 10% to 328 billion yuan last year": a period closing the clause covers every
    # figure in it, also those before the next figure
    semicolon = doc.text.find(";", claim["end"], s.end)
    clause_end = s.end if semicolon == -1 else semicolon
    while i < len(cues) and cues[i][0] < clause_end:
        if cues[i][3] != "baseline":
            return cues[i][2]
        i += 1
    return None


# --- the whole text -----------------------------------------------------------------------------


def _anchors(text: str, rules: Rules) -> list[int]:
    """Where candidates can start: digits and currency symbols, then number words, in order."""
    # concurrent=False: see _Doc.call (each match yielded would let go of the GIL and take it back)
    anchor, anchor_word = rules.compiled["anchor"], rules.compiled["anchor_word"]
    at = [m.start() for m in anchor.finditer(text, concurrent=False, timeout=SCAN_TIMEOUT)]
    words = [m.start() for m in anchor_word.finditer(text, concurrent=False, timeout=SCAN_TIMEOUT)]
    return sorted(at + words) if words else at


def extract_with_report(
    text: str, *, published: date | None = None, rules: Rules | None = None
) -> Extraction:
    """Every claim in `text` (in order of start) and the ids of rules that timed out."""
    rules = rules or default_rules()
    doc = _Doc(text, published, rules)
    scan = rules.compiled["scan"]
    skip = scan.groupindex["skip"]  # read by number, as _ByNumber explains
    found: list[dict[str, Any]] = []
    pos = 0
    unit, scale = rules.compiled["unit"], rules.compiled["scale"]
    chinese, sentences = extract_chinese(text, published=published)  # ledger/extract_zh.py
    try:
        for at in outside(_anchors(text, rules), sentences):
            if at < pos:
                continue
            if (
                text[at] in "12"
                and text[at : at + 4].isdigit()
                and "1500" <= text[at : at + 4] <= "2100"
                and not text[at + 4 : at + 5].isdigit()
                and not (text[at + 4 : at + 5] in ".,-/" and text[at + 5 : at + 6].isdigit())
                and not (at and (text[at - 1].isdigit() or text[at - 1] in ".,"))
                and not unit.match(text, at + 4, at + 40, _HOLD_GIL)
                and not scale.match(text, at + 4, at + 20, _HOLD_GIL)
            ):
                continue  # a year on its own (the common case, so decided before the scan)
            m = None
            if at and text[at - 1] in "-−+(" and text[at].isdigit():
                # a minus sign, or the + or ( of a phone number, starts the candidate
                m = doc.call("scan", scan, "match", text, at - 1, at + 250)
            if m is None or m.end() == m.start():
                m = doc.call("scan", scan, "match", text, at, at + 250)
            if m is None or m.end() == m.start():
                continue
            if m.group(skip) is not None:
                pos = m.end()
                continue
            claim, resume = _read_candidate(doc, m)
            pos = max(resume, at + 1)
            if claim is not None and not (found and claim["start"] < found[-1]["end"]):
                found.append(claim)
                doc.last_sentence = claim["sentence_start"]
    except TimeoutError:
        doc.timed_out.append("anchor")
    _finish(doc, found)
    claims = [_claim(c) for c in found]
    if sentences:
        claims = merge_chinese(claims, chinese, sentences)
    return Extraction(claims=claims, timed_out=sorted(set(doc.timed_out)))


_FIELDS = tuple(Claim.model_fields)
_FIELD_SET = frozenset(_FIELDS)


def _claim(values: dict[str, Any]) -> Claim:
    """A Claim from a dict that holds every field, already of the right types.

    What Claim.model_construct does, minus its per-field default handling (a third of the time
    the extractor spent on building results); tests check the result validates as a Claim.
    """
    claim = Claim.__new__(Claim)
    object.__setattr__(claim, "__dict__", {name: values[name] for name in _FIELDS})
    object.__setattr__(claim, "__pydantic_fields_set__", set(_FIELD_SET))
    object.__setattr__(claim, "__pydantic_extra__", None)
    object.__setattr__(claim, "__pydantic_private__", None)
    return claim


def extract(text: str, *, published: date | None = None, rules: Rules | None = None) -> list[Claim]:
    """Every quantitative claim in a news text, normalised, with provenance, in order of start.

    >>> [(c.quote, c.value, c.unit, c.bound) for c in extract("China has some 540 satellites.")]
    [('some 540 satellites', 540.0, 'satellite', 'approx')]
    """
    return extract_with_report(text, published=published, rules=rules).claims


def _finish(doc: _Doc, found: list[dict[str, Any]]) -> None:
    """Sentence-level fields, carried units, related links, scores and fingerprints."""
    if doc.widened:
        for claim in found:
            s = doc.sentence(claim["start"])
            claim["sentence"], claim["sentence_start"] = s.text, s.start
    # 1. "(the actual number has exceeded 900)": a figure with no unit takes the unit of the
    # figure before it in its sentence; bare figures nothing explains are dropped
    by_sentence: dict[int, list[dict[str, Any]]] = {}
    for claim in found:
        by_sentence.setdefault(claim["sentence_start"], []).append(claim)
    for claims in by_sentence.values():
        for before, claim in reversed(list(zip(claims, claims[1:], strict=False))):
            listed = (
                before.get("_listable")
                and claim["unit"] is not None
                and claim["kind"] != "count"
                # "34,000, and 5% below", "45 and 50% of voters": not a list of two figures
                and not _COMPARED_AFTER.match(doc.text, claim["end"])
                and not (claim["kind"] == "percent" and _OF_AFTER.match(doc.text, claim["end"]))
            )
            gap = _LISTED.fullmatch(doc.text, before["end"], claim["start"]) if listed else None
            if gap is not None and (
                # "45 and 50 mg", or a comma inside a list that ends so: "3, 4 or 5 km"; but
                # "closed at 34,000, and 5% below its peak" and "1,500, or 3 percent" restate
                (gap.group("word") and "," not in gap.group()) or "carried_from" in claim
            ):
                # a bare figure listed before one with a unit shares its unit and its scale
                # ("1.25 and 1.89 mln tonnes", "50 and 60 cents"), unless it is whole already
                # ("500,000 and one mln dlrs")
                before["kind"], before["unit"] = claim["kind"], claim["unit"]
                if abs(before["value"]) < 1000 and "_scale" in claim:
                    before["value"] *= claim["_scale"]
                    before["_scale"] = claim["_scale"]  # and passes it on: 20, 30 and 40 million
                before["carried_from"] = claim
                before["_bare"] = False
        for before, claim in zip(claims, claims[1:], strict=False):
            gap = doc.text[before["end"] : claim["start"]]
            if (
                claim["kind"] == "count"
                and claim["unit"] is None
                and before["kind"] != "multiple"
                and (before["unit"] is not None or before["kind"] != "count" or "_level" in before)
                and not before.get("_bare")
                # a second estimate of the same thing: in brackets, with a bound, or "at 15"
                and ("(" in gap or claim["bound"] != "exact" or _CARRY_GAP.match(gap))
            ):
                claim["_bare"] = False
                level = before["kind"] == "percent" and abs(claim["value"]) > 100
                if level or "_level" in before:
                    # "rose 1.7 pct to 562.01", "fell by 23% from 36,185 to 28,041": the levels
                    # a change went between, kept without the change's percent
                    claim["_level"] = True
                    continue
                claim["kind"], claim["unit"] = before["kind"], before["unit"]
                claim["carried_from"] = before
    found[:] = [c for c in found if not c.pop("_bare", False)]
    by_sentence = {}
    for claim in found:
        by_sentence.setdefault(claim["sentence_start"], []).append(claim)
    links: list[tuple[int, int]] = []
    index = {id(c): i for i, c in enumerate(found)}
    for sentence_start, claims in by_sentence.items():
        s = doc.cache[sentence_start]
        previous: dict[str, Any] | None = None
        for i, claim in enumerate(claims):
            next_start = claims[i + 1]["start"] if i + 1 < len(claims) else s.end
            if previous is not None:
                gap = doc.text[previous["end"] : claim["start"]]
                if claim.get("carried_from") is previous or previous.get("carried_from") is claim:
                    links.append((index[id(previous)], index[id(claim)]))
                elif _SAME_THING.match(gap) and (
                    claim["unit"] == previous["unit"]
                    or claim["kind"] == previous["kind"] == "money"
                ):
                    # "10 billion yuan ($1.4 billion)", "$3.4 billion, up from $2.9 billion"
                    links.append((index[id(previous)], index[id(claim)]))
                # "grown 2.3 percent in 2020 and 6.5 percent in Q4": the change carries over
                elif (
                    claim["change"] is None
                    and previous["change"] is not None
                    and claim["unit"] == previous["unit"]
                    and len(gap) <= 40
                    and _AND_END.match(gap)
                ):
                    claim["change"] = previous["change"]
            claim["subject"] = _subject(doc, s, claim["start"], claim["end"])
            claim["period"] = _period(doc, s, claim, next_start)
            claim["attribution"] = _attribution(doc, s, claim["start"])
            claim["basis"] = None
            previous = claim
        for claim in claims:
            if "carried_from" in claim:
                source = claim.pop("carried_from")
                claim["metric"] = source.get("metric") or _metric(doc, s, source)
            else:
                claim["metric"] = _metric(doc, s, claim)
    for claim in found:
        claim["checkworthiness"] = _score(claim, doc.cache[claim["sentence_start"]])
    occurrences: Counter[tuple[Any, ...]] = Counter()
    normalized: dict[int, str] = {}  # sentence start -> its words joined by single spaces
    # sentence start -> sha256 already fed "sentence\x1f": each claim copies it and hashes only
    # its own parts, so a sentence with N figures is hashed once, not N times (linear, same ids)
    hashed: dict[int, Any] = {}
    for claim in found:
        sentence = normalized.get(claim["sentence_start"])
        if sentence is None:
            sentence = normalized[claim["sentence_start"]] = " ".join(claim["sentence"].split())
            hashed[claim["sentence_start"]] = hashlib.sha256(f"{sentence}\x1f".encode())
        key = (
            sentence,
            claim["quote"],
            claim["kind"],
            claim["value"],
            claim["value_high"],
            claim["unit"],
            claim["bound"],
        )
        claim["fingerprint"] = _fingerprint(
            hashed[claim["sentence_start"]], claim, occurrences[key]
        )
        occurrences[key] += 1
        claim["related"] = []
    for a, b in links:
        found[a]["related"].append(found[b]["fingerprint"])
        found[b]["related"].append(found[a]["fingerprint"])


def _fingerprint(sentence_hash: Any, claim: dict[str, Any], occurrence: int) -> str:
    """Same hash as Claim.compute_fingerprint, without a model; `sentence_hash` is a sha256 that
    has been fed the normalised sentence and the separator."""
    parts = [
        claim["quote"],
        claim["kind"],
        repr(float(claim["value"])),
        repr(claim["value_high"]),
        claim["unit"] or "",
        claim["bound"],
        str(occurrence),
    ]
    digest = sentence_hash.copy()
    digest.update("\x1f".join(parts).encode())
    return digest.hexdigest()[:16]


def _score(claim: dict[str, Any], s: _Sentence) -> float:
    score = 0.30
    if claim["unit"]:
        score += 0.15
    if claim["metric"] != "other":
        score += 0.15
    if claim["subject"]:
        score += 0.10
    if claim["attribution"]:
        score += 0.15
    if claim["period"]:
        score += 0.05
    if claim["change"] or claim["bound"] != "exact" or _compares(s):
        score += 0.10
    return round(min(score, 1.0), 3)


def _compares(s: _Sentence) -> bool:
    """Whether the sentence holds comparison words; found once per sentence, and only for a
    figure that is not already a comparison by its change or bound."""
    if s.compares is None:
        words = s.lower_words()
        if s.text.isascii() and "&" not in s.text:
            # its words are then the runs _COMPARISON's \b sees: only the phrases need the regex
            s.compares = not words.isdisjoint(_COMPARISON_WORDS) or (
                "year" in words and _COMPARISON.search(s.text) is not None
            )
        else:
            s.compares = _COMPARISON.search(s.text) is not None
    return s.compares

"""One figure the scan found, read in its immediate context (the extractor half).

`read_candidate` decides where the figure's quote starts and ends and where scanning resumes,
in named steps over a `Reading`: reject what is not a figure (a date, a code, a name), read a
range, settle the unit, then the kind (money, measure, percent, count), then the quote's span
and any change cue around it. ledger.extraction.figures turns the words into values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import regex

from ledger.extraction.document import (
    CLAUSE_REACH,
    RELEASE_GIL,
    SHORT_REACH,
    WORD_REACH,
    ByNumber,
    Doc,
    Found,
    Match,
    Pattern,
    Sentence,
)
from ledger.extraction.document import groupdict as _groupdict
from ledger.extraction.figures import (
    FRACTION_CHARS,
    Figure,
    digits_value_or_word,
    read_figure,
    read_unit,
)
from ledger.numbers import digits_value, is_plural, scale_factor, singular
from ledger.rules import ChangeCue, Rules, UnitInfo, last_letters, norm

_YEAR = regex.compile(r"(?:1[5-9]|20)\d\d")
# three or more digits, then one space: the figure after it is part of a number torn apart
# ("245 23 yen"), unless the digits are a year ("in 2020 23 firms"); "50 50-dollar bills" is a
# count of bills, and "1 000" is read whole by the number pattern before this is asked
_TORN_NUMBER = regex.compile(rf"(?r)(?<![\d.,])(?!{_YEAR.pattern}\b)\d{{3,}} \Z")
_LIST_NUMBER = regex.compile(r"[.)][ \t]+\p{Lu}")
_FILE_SUFFIX = regex.compile(r"\.[a-z]{2,4}\b")
# digits with a thousands comma or a decimal part: a statistic, never a label or a year
# (or a mixed fraction, as wire copy quotes prices and coupons: "trading at 19-1/4")
_STATED_NUMBER = regex.compile(r"\d,\d{3}|\d\.\d|\d[-\s]\d{1,2}/\d")
_STATED_MARKS = frozenset(",./")
# a whole number and a nought, the way versions are numbered: "trade war 2.0", "Web 3.0"
_VERSION_NUMBER = regex.compile(r"\d\.0")
# a capitalised number word between a lower-case word and a capitalised one: part of a name
_NAMED_NUMBER_WORD = regex.compile(r"(?<=\p{Ll}[ \t]+)\p{Lu}\p{Ll}+[ \t]+\p{Lu}\p{Ll}")
# another score just before or after a pair of figures joined by a dash: "6-4 5-7 6-3"
_SCORE_BEFORE = regex.compile(r"(?r)(?<![\d.,/])\d{1,2}[-–]\d{1,2}[ \t,]+\Z")
_SCORE_AFTER = regex.compile(r"[ \t,]+\d{1,2}[-–]\d{1,2}(?![\d.,/%])")
_POSSESSIVES = ("'s", "’s", "s'", "s’")
# words in title case after a figure, the last a plural: "16 Early Black Friday Deals"
_TITLE_CASE_PLURAL = regex.compile(
    r"(?:[ \t\u00a0]+\p{Lu}\p{Ll}+){1,3}[ \t\u00a0]+\p{Lu}\p{Ll}+[^\Ws](?<!ss)s\b"
)
# an acronym's plural: "GPUs", "MPs" (which the plural test of lower-case words misses)
_ACRONYM_PLURAL = regex.compile(r"\p{Lu}{2,}s")
_THOUSANDS = regex.compile(r"\d{1,3},\d{3}")
_LONE_FRACTION = regex.compile(r"\d{1,2}/\d{1,2}|[½¼¾⅓⅔⅕⅛⅜⅝⅞]")
OF_AFTER = regex.compile(r"[ \t\u00a0]+of\b(?![ \t\u00a0]+an?\b)", regex.IGNORECASE)  # not "of an"
_DASHES = ("-", "–", "—")

# an inch or foot mark may instead close a quotation: he said "we sold 10" and left
_QUOTE_OPENERS = {
    '"': regex.compile(r'(?:^|(?<=[\s(\[]))"'),
    "'": regex.compile(r"(?:^|(?<=[\s(\[]))['‘]"),
}
_QUOTE_CLOSERS = {
    '"': regex.compile(r'(?<=[^\s(\[])"'),
    "'": regex.compile(r"(?<=[^\s(\[\d])['’](?!\p{L})"),  # not 1990's, 2½'
}


class Scanned(NamedTuple):
    """A candidate the scan found at an anchor: the scan pattern's groups by name, and the spans
    of its parts that the reading asks for (-1 for a part it does not have)."""

    groups: dict[str, str | None]
    start: int
    end: int
    first_end: int  # the first figure's, with its scale word
    unit_start: int
    unit_end: int
    second_start: int  # a range's second figure


def scanned(m: Match) -> Scanned:
    """The Scanned of a match of a whole scan pattern (`scan`, `scan_digits`)."""
    numbers, spans = m.re.groupindex, m.regs  # all spans in one call, read by number
    unit = spans[numbers["unit"]]
    first, second = spans[numbers["first"]], spans[numbers["second"]]
    return Scanned(_groupdict(m), m.start(), m.end(), first[1], unit[0], unit[1], second[0])


class Noun(NamedTuple):
    """The counted noun after a figure."""

    unit: str | None  # singular, lower case: "satellite"
    end: int  # where the noun ends (the figure's end when there is none)
    is_time: bool  # a time noun ("5 years"): a duration, not a count


@dataclass(slots=True)
class Reading:
    """A figure being read: where its quote ends, where scanning resumes, its value so far."""

    doc: Doc
    scanned: Scanned  # what the scan found
    g: dict[str, str | None]  # its groups
    start: int
    end: int
    resume: int
    sentence: Sentence
    before: ByNumber | None  # the qualifier and currency prefix before it ("over US$")
    qualifier: str | None  # the bound its qualifier words give
    # what the claim says, once read
    kind: str = "count"
    unit: str | None = None
    value: float = 0.0
    value_high: float | None = None
    change: str | None = None
    rule: str = "figure"
    bare: bool = False
    listable: bool = False
    scale: float | None = None
    bracket_open: int | None = None  # "($99.99)": the bracket that opens a loss
    lead: int | None = None  # words before the figure that belong to its quote: "aged 34"
    # a figure in digits or number words: its parts, as the steps settle them
    first: Figure | None = None
    symbol: str | None = None
    has_scale: bool = False
    unit_info: UnitInfo | None = None
    second: Figure | None = None  # the high end of a range
    unit2: UnitInfo | None = None
    sep: str = ""  # what stands between the two figures of a range
    early_noun: Noun | None = None

    def before_group(self, name: str) -> str | None:
        return self.before.group(name) if self.before is not None else None

    def negative(self) -> bool:
        """A minus sign in the figure or just before it ("minus 5", "-5")."""
        before = self.before
        return bool(self.g["neg"] or (before is not None and before.group("minus")))


def read_candidate(doc: Doc, s: Scanned) -> tuple[Found | None, int]:
    """Turn one candidate the scan found into a claim (or None), and say where scanning
    resumes."""
    rules, text = doc.rules, doc.text
    g, start, end = s.groups, s.start, s.end
    if _not_a_figure_here(doc, g, start, end):
        return None, end
    sentence = doc.sentence(start)
    context = None
    if _may_have_context(rules, text, start):
        context = rules.compiled["before"].search(
            text, max(0, start - WORD_REACH), start, RELEASE_GIL
        )
    # every part of the context is optional: an empty match holds no group, so it reads as none
    # and the nine group reads are spared for most figures
    before = ByNumber(context) if context is not None and context.end() > context.start() else None
    qual = before.group("qual") if before is not None else None
    qualifier = rules.qualifiers.get(norm(qual)) if qual else None
    r = Reading(doc, s, g, start, end, end, sentence, before, qualifier)
    if g["mult"]:
        if _multiple_as_modifier(doc, start):
            return None, end  # "a surprise double eviction", "the triple witching hour"
        factor, r.change = rules.multiples[norm(g["mult"])]
        r.kind, r.value, r.rule = "multiple", factor, "multiple"
        if qualifier is not None and r.change == "decrease" and factor < 1:
            # "more than halved" is a fall of more than 50%, not "more than 0.5 times"
            r.kind, r.unit, r.value = "percent", "percent", round(100 * (1 - factor), 6)
    elif g["frac"]:
        r.kind, r.unit, r.rule = "percent", "percent", "fraction"
        r.value = rules.fractions[norm(g["frac"])]
    elif g["vague"]:
        if not _read_vague(r):
            return None, r.resume
    elif g["named"]:
        named, cue = rules.named[norm(g["named"])]
        if not cue.search(sentence.text):
            return None, r.resume  # "absolute zero chance": the idiom, not the temperature
        r.kind, r.unit, r.value, r.rule = named.kind, named.unit, named.factor, "named"
    elif not _read_figure(r):
        return None, r.resume
    return _found(r), r.resume


def _may_have_context(rules: Rules, text: str, start: int) -> bool:
    """Whether the words before a figure can hold its qualifier, minus or currency prefix (the
    `before` pattern): they end with a word or mark the rules list for that. Most figures
    follow some other word ("rose 5%"), and the pattern is not run for them (2 us a figure)."""
    head = text[max(0, start - WORD_REACH) : start].rstrip()
    if not head:
        return False
    if head[-1] in rules.before_marks:
        return True
    written = last_letters(head, fold=False)
    last = written.casefold()
    if last in rules.before_words or written in rules.before_codes:
        return True
    if last not in rules.before_pair_ends:
        return False
    # "up to", "in excess of": the word before the last one too (spaces and hyphens alike)
    chunks = head.replace("‑", " ").replace("-", " ").rsplit(None, 2)
    return len(chunks) > 1 and f"{last_letters(chunks[-2])} {last}" in rules.before_pairs


def _multiple_as_modifier(doc: Doc, start: int) -> bool:
    """Whether a multiple's plain form is an adjective before a noun, not a verb."""
    compiled, text = doc.rules.compiled, doc.text
    return bool(
        compiled["multiple_as_modifier"].match(text, start, start + WORD_REACH, RELEASE_GIL)
        and not compiled["multiple_verb_before"].match(text, max(0, start - 20), start)
    )


def _not_a_figure_here(doc: Doc, g: dict[str, str | None], start: int, end: int) -> bool:
    """Digits that are part of a URL, a date, a code or a word, seen from their neighbours."""
    text = doc.text
    if doc.urls and doc.in_url(start):
        return True
    # glued to more digits by a date/code separator: 2023-09-06, 3/4, 10.5.2 (but a unit may
    # stand before the slash: 30C/86F)
    unit = g["unit"]
    if (
        end < len(text) - 1
        and text[end] in "-/:."
        and text[end + 1].isdigit()
        and not (text[end] == "/" and unit and not unit[-1].isdigit())
    ):
        return True
    if start > 1 and text[start - 1] in "/:" and text[start - 2].isdigit():
        return True
    # "tier-one", "second-half": a word, not a figure
    return (
        start > 1
        and text[start - 1] in "-‑"
        and text[start - 2].isalpha()
        and text[start].isalpha()
    )


def _read_figure(r: Reading) -> bool:
    """A figure in digits or number words, in steps; False when it is no claim."""
    return (
        _first_figure(r)
        and _range(r)
        and _lone_fraction(r)
        and not _unexplained(r)
        and _range_order(r)
        and _settle_unit(r)
        and _settle_kind(r)
    )


def _first_figure(r: Reading) -> bool:
    """Read the (first) figure and the unit written right after it."""
    doc, g, s = r.doc, r.g, r.scanned
    first = read_figure(str(g["first"]), doc.rules)
    if first is None:
        return False
    if (
        not first.is_digits
        and doc.text[r.start].isupper()  # the pattern's first letter: most number words have none
        and _NAMED_NUMBER_WORD.match(doc.text, r.start, r.end + 30)
    ):
        return False  # "the Six Nations", "the main Three Gorges Dam": a name
    r.first, r.symbol, r.value, r.has_scale = first, first.symbol, first.value, first.has_scale
    unit = g["unit"]
    glued = bool(unit) and not str(unit)[0].isspace()  # 500 9mm rounds
    if (
        not r.symbol
        and not glued
        # the pattern needs a digit and a space just before: most figures have neither
        and doc.text[r.start - 2 : r.start - 1].isdigit()
        and doc.text[r.start - 1 : r.start] == " "
        and _TORN_NUMBER.match(doc.text, max(0, r.start - 8), r.start, RELEASE_GIL)
    ):
        return False  # "245 23 yen": digits a space apart that no grouping explains
    r.unit_info = read_unit(unit, doc.rules) if unit else None
    mark = unit.strip() if unit else ""
    if mark in _QUOTE_OPENERS and (
        _YEAR.fullmatch(first.digits) or _closes_quotation(doc.text, s.unit_start, mark)
    ):  # 'profits in 1986" he said' closes a quotation whatever came before
        r.unit_info, r.end, r.resume = None, s.first_end, s.first_end
    return True


def _range(r: Reading) -> bool:
    """Read the second figure of a range ("30 to 40", "between 5 and 6"), or end the quote
    before it when it is a figure of its own ("grew 20% to $5 billion")."""
    doc, g, s, rules = r.doc, r.g, r.scanned, r.doc.rules
    assert r.first is not None
    r.second = read_figure(g["second"], rules) if g["second"] else None
    r.unit2 = read_unit(g["unit2"], rules) if g["unit2"] else None
    r.sep = (g["sep"] or "").strip()
    if g["second"] and (r.second is None or _two_figures(r)):
        # "grew 20% to $5 billion", "rose from 5% to 10%": two figures, not a range
        r.end = s.unit_end if g["unit"] else s.first_end
        r.resume, r.second, r.unit2 = s.second_start, None, None
    if r.qualifier == "range" and r.second is None:
        if norm(str(r.before_group("qual"))) == "between":
            more = rules.compiled["and_range"].match(doc.text, r.end, r.end + 120, RELEASE_GIL)
            if more is not None:
                r.second = read_figure(more.group("second"), rules)
                r.unit2 = read_unit(more.group("unit2"), rules)
                if r.second is not None:
                    r.end = r.resume = more.end()
        if r.second is None:
            r.qualifier = None
    return True


def _two_figures(r: Reading) -> bool:
    """Whether the second figure after "to" is a figure of its own: another unit, or the
    level a change reached."""
    doc, first, second, unit, unit2 = r.doc, r.first, r.second, r.unit_info, r.unit2
    assert first is not None and second is not None
    side1 = ("money", r.symbol) if r.symbol else (unit.kind, unit.unit) if unit else None
    side2 = (
        ("money", second.symbol) if second.symbol else (unit2.kind, unit2.unit) if unit2 else None
    )
    if side1 and side2 and side1 != side2:
        return True
    if r.qualifier == "range" and norm(str(r.before_group("qual"))) == "from":
        assert r.before is not None
        if _change_before(doc, r.before.start("qual")) is not None:
            return True
    if r.sep.lower() != "to":
        return False
    if doc.text[max(0, r.start - 4) : r.start].lower().endswith("by "):
        # "rise by $19bn to $420bn", "fell by 20,000 to 1.42 million": a change, then the level
        # it reached; but "rise by 1 to 1.5 percentage points" is a range (the first figure is
        # bare and the scale does not jump), and so is "cut by $1 billion to $2 billion" (the
        # same unit and scale, the second end a few times the first at most)
        if _same_scale_range(r, second):
            return False
        return bool(r.symbol or unit or r.has_scale) or (
            second.has_scale and r.value > digits_value_or_word(second.digits, doc.rules)
        )
    if _change_before(doc, r.start) is None:
        return False
    # "gained 0.7 percent to 6,327.80", "rose 64.06 points to 4,577.10": after a change cue, a
    # change in a unit and then the bare level it reached are two figures, never a range; so is
    # an amount of money or a measure and the level it reached, many times the change ("rose
    # 49p to 237p", "rose $2 to $45", "fell 1.5 mln barrels to 36.4 mln barrels"), where a
    # range is narrow ("to rise $2 to $3"); a percent is left a range ("rose 2% to 8%")
    return (unit is not None and unit2 is None and not second.symbol) or (
        side1 is not None
        and side1[0] != "percent"
        and side1 == side2
        and second.value > 3 * first.value
    )


def _same_scale_range(r: Reading, second: Figure) -> bool:
    """Whether "X to Y" is a range of one quantity: the same currency or unit, both scaled the
    same way, and the high end no more than five times the low ("$1 billion to $2 billion")."""
    first = r.first
    assert first is not None
    same_unit = (r.symbol or None) == (second.symbol or None) and r.unit2 == r.unit_info
    if not (same_unit and first.has_scale and second.has_scale):
        return False
    return 0 < first.value <= second.value <= 5 * first.value


def _lone_fraction(r: Reading) -> bool:
    """A lone fraction: "1/4 mile" has its unit; "1/3 of voters" is a share (as a percent);
    "24/7", "9/11" are names."""
    assert r.first is not None
    digits = r.first.digits
    if (
        not (r.symbol or r.unit_info or r.unit2)
        and not FRACTION_CHARS.isdisjoint(digits)
        and _LONE_FRACTION.fullmatch(digits)
    ):
        compiled, text, end = r.doc.rules.compiled, r.doc.text, r.end
        point = compiled["fraction_point_after"].match(text, end, end + 12)
        if r.second is None and point is not None:
            # "1/2 point over LIBOR": a fraction of a percentage point, as wire copy quotes
            # margins and moves in rates
            r.unit_info = r.doc.rules.units_by_word[norm("percentage points")]
            r.end = r.resume = point.end()
            return True
        if r.second is None and _margin_over_rate(r):
            r.unit_info = r.doc.rules.units_by_word[norm("percentage points")]  # "5/8 over LIBOR"
            return True
        if r.second is not None or not OF_AFTER.match(text, end, end + 6):
            return False
        r.unit_info, r.value = r.doc.rules.units_by_word[norm("percent")], 100.0 * r.value
    return True


def _unexplained(r: Reading) -> bool:
    """Whether a figure with no unit, symbol or scale is a year, a label, a date or a number
    that nothing around it makes a claim ("in 1990", "Boeing 737", "trade war 2.0")."""
    doc, first, second = r.doc, r.first, r.second
    assert first is not None
    digits, is_digits = first.digits, first.is_digits
    before = r.before
    if r.symbol or r.unit_info or r.unit2 or (before is not None and before.group("code")):
        return False  # it has a unit
    is_year = (
        is_digits
        and not first.has_scale
        and len(digits) == 4
        and digits.isdigit()
        and 1500 <= r.value <= 2100
    )
    if is_year and (second is None or second.is_digits):
        return True
    if r.has_scale or (second and second.has_scale):
        return False
    if is_digits and second is None and doc.last_sentence != r.sentence.start and not _stated(r):
        # nothing before it in its sentence can lend it a unit: without a noun or a change cue
        # it will be dropped, so decide that before the costlier checks
        r.early_noun = _noun(doc, r.start, r.end, r.value)
        if _nothing_after(r, r.early_noun):
            qualified = before is not None and r.qualifier and before.group("qual")
            lo = before.start("qual") if before is not None and qualified else r.start
            if (
                _change_before(doc, lo) is None
                and _change_after(doc, r.end) is None
                and _age_cue(r) is None
                and not _number_of_named(r)
            ):
                return True
    if _is_name_or_date(doc, r.start, r.end):
        return True
    return is_digits and _VERSION_NUMBER.fullmatch(digits) is not None  # "trade war 2.0"


def _stated(r: Reading) -> bool:
    """Whether the figure is written as a statistic is ("83,150", "126.8", "19-1/4"), is the
    subject of a verb, counting what its sentence named ("The 12 affected", "only 40 have
    pleaded"), or is the rest of a whole it counted ("the remaining 11", "all but 92")."""
    if r.first is None or not r.first.is_digits:
        return False
    written = r.g["first"] or ""
    # the pattern needs a comma, a point or a slash: a plain whole number is not searched
    if not _STATED_MARKS.isdisjoint(written) and _STATED_NUMBER.search(written):
        return True
    text, start, end, compiled = r.doc.text, r.start, r.end, r.doc.rules.compiled
    if r.second is not None:
        return False
    edges = r.doc.rules.edges
    if edges.before(compiled["remainder_before"], text, max(0, start - 16), start):
        return True
    return (
        text[end : end + 1] == " "
        and edges.after(compiled["elided_subject_after"], text, end, end + 12) is not None
        and compiled["month_near_before"].match(text, max(0, start - 30), start) is None
    )


def _nothing_after(r: Reading, noun: Noun) -> bool:
    """No noun, ratio or list goes on after the figure."""
    compiled, edges, text, end = r.doc.rules.compiled, r.doc.rules.edges, r.doc.text, r.end
    return (
        noun.unit is None
        and not noun.is_time
        and not edges.after(compiled["ratio_after"], text, end, end + WORD_REACH)
        and not edges.after(compiled["listed_ahead"], text, end, end + WORD_REACH)
        # "a 3-for-2 split": a stock split's ratio
        and not (_for_follows(text, end) and _split_after(r))
        # "a 41-year high", "the 12-nation Community": a hyphen joins the figure to its noun
        and not (
            text[end : end + 1] == "-"
            and (
                r.doc.rules.duration_compound.match(text, end)
                or _COMPOUND_NOUN.match(text, end, end + WORD_REACH)
            )
        )
    )


def _range_order(r: Reading) -> bool:
    """Make the second figure the high end of a range, lending the first its scale ("30 to 40
    billion"); a descending pair is two figures, or a score ("3-1")."""
    second = r.second
    if second is None:
        return True
    value_high = second.value
    second_digits = digits_value_or_word(second.digits, r.doc.rules) if second.digits else 0.0
    if not r.has_scale and second.has_scale and 0 < r.value <= second_digits:
        # "30 to 40 billion yuan": the first figure takes the second's scale
        r.value *= value_high / second_digits
    if value_high < (-r.value if r.negative() else r.value):  # -78-0 degrees is a range
        if r.sep in _DASHES:
            r.resume = r.scanned.end
            return False  # a score or code: 3-1
        r.end = r.scanned.unit_end if r.g["unit"] else r.scanned.first_end
        r.resume, r.second = r.scanned.second_start, None
        if r.unit2 is not None and r.unit2.kind == "money" and value_high == 1:
            r.unit2 = None  # an exchange rate, "35 to one U.S. Dollar": 35 is no USD
    elif r.sep in _DASHES and (
        _SCORE_BEFORE.match(r.doc.text, max(0, r.start - 8), r.start)
        or _SCORE_AFTER.match(r.doc.text, r.scanned.end, r.scanned.end + 8)
    ):
        r.resume = r.scanned.end
        return False  # a set of a tennis score: "6-4 5-7 6-3"
    else:
        r.value_high = value_high
        r.qualifier = "range"
    return True


def _settle_unit(r: Reading) -> bool:
    """The figure's one unit: of the first figure or the second, read in its sentence."""
    rules, g, s = r.doc.rules, r.g, r.scanned
    written = (g["unit"] or "").strip()
    money = r.unit_info is not None and r.unit_info.kind == "money"
    if r.symbol and money and written in rules.symbols:
        # "$ 20,000.00 $ 37,305.97": the second "$" opens the next figure
        r.unit_info, r.end, r.resume = None, s.first_end, s.unit_start
    if r.symbol and not r.has_scale and g["unit"] and written in rules.scales:
        # "£12 m": after a currency symbol a spaced m is million, not metres
        r.value *= rules.scales[written]
        r.unit_info, r.has_scale = None, True
    r.symbol = r.symbol or (r.second.symbol if r.second else None)
    r.unit_info = r.unit_info or r.unit2
    if r.unit_info is not None and not r.symbol and rules.word_contexts:
        context = rules.word_contexts.get(norm((g["unit"] or g["unit2"] or "").strip()))
        if context is not None and (
            # with a scale word only money ("a 5 million pound deal"), and then always
            (r.has_scale and context[1].kind == "money")
            or (not r.has_scale and context[0].search(r.sentence.text))
        ):
            r.unit_info = context[1]  # "lost 25 pounds": a weight; "a 20-pound note": GBP
    if r.unit_info is not None and r.unit_info.factor != 1.0:
        r.value *= r.unit_info.factor
        if r.value_high is not None:
            r.value_high *= r.unit_info.factor
    if not r.symbol and r.unit_info is None and str(g["first"]).endswith("m") and _is_metres(r):
        # "won the 800m", "1.8m tall", "outreach is 48m": a distance or a size, not millions
        assert r.first is not None
        r.value, r.unit_info = digits_value(r.first.digits), rules.units_by_word[norm("metres")]
    if r.unit_info is not None and r.unit_info.unit in _SPREAD_UNITS and _margin_over_rate(r):
        # "1-1/8 pct over Libor": a margin over a reference rate is in percentage points
        r.unit_info = rules.units_by_word[norm("percentage points")]
    return True


# a figure in these units quoted over a reference rate is a margin, in percentage points
_SPREAD_UNITS = frozenset({"percent", "point"})


def _margin_over_rate(r: Reading) -> bool:
    """Whether a reference rate follows the figure: "over LIBOR", "above the prime"."""
    text, end = r.doc.text, r.end
    rules = r.doc.rules
    return text[end : end + 1].isspace() and bool(
        rules.edges.after(rules.compiled["spread_after"], text, end, end + 64)
    )


def _is_metres(r: Reading) -> bool:
    """Whether the "m" after a figure with no unit is metres rather than millions."""
    compiled, text, start, end = r.doc.rules.compiled, r.doc.text, r.start, r.end
    assert r.first is not None
    return bool(
        r.first.digits in r.doc.rules.metre_distances
        or compiled["metre_size_after"].match(text, end, end + WORD_REACH)
        or compiled["metre_size_before"].search(text, max(0, start - WORD_REACH), start)
    ) and not (r.before_group("code") or r.before_group("glue"))


def _settle_kind(r: Reading) -> bool:
    """Money, a measure, a share ("nine in ten") or a count; read their tails."""
    doc, rules, text, unit = r.doc, r.doc.rules, r.doc.text, r.unit_info
    currency = _currency(r)
    if currency is None and unit is not None and unit.kind == "money":
        currency = _currency_of_word(r) or unit.unit
    if currency is not None:
        if unit is not None and unit.kind == "money" and unit.factor == 1.0 and r.second is None:
            r.value, r.end, r.resume = _money_tail(doc, r.value, r.has_scale, r.end, r.resume)
        if text[r.end : r.end + 1] == ")":
            pattern = rules.compiled["accounting_negative"]
            loss = pattern.search(text, max(0, r.start - 16), r.start)
            if loss is not None:
                # "revenue was ($99.99)": a loss, as accounts write it; the brackets are quoted
                r.value, r.bracket_open = -r.value, text.rindex("(", loss.start(), r.start)
                r.end = r.resume = r.end + 1
        r.kind, r.unit, r.rule = "money", currency, "money"
    elif unit is not None:
        if unit.unit in rules.minor_units and r.second is None and not r.has_scale:
            r.value, r.end, r.resume = _measure_tail(doc, str(unit.unit), r.value, r.end, r.resume)
        r.kind, r.unit, r.rule = unit.kind, unit.unit, unit.kind
    elif not _read_count(r):
        return False
    assert r.first is not None
    if r.rule != "ratio" and (r.has_scale or (unit is not None and unit.factor != 1.0)):
        base = digits_value_or_word(r.first.digits, rules)
        if base:  # what a bare figure listed before this one is multiplied by: 20 and five
            r.scale = r.value / base  # mln yen, 50 and 60 cents
    if r.negative():
        r.value = -r.value
    return True


def _read_count(r: Reading) -> bool:
    """A figure with no unit: a share ("nine in ten"), a count of a noun, or a bare figure that
    a neighbour may yet explain."""
    doc, text, end = r.doc, r.doc.text, r.end
    assert r.first is not None
    if _for_follows(text, end) and _read_split(r):
        return True
    if text[end : end + 1] == "-" and text[end + 1 : end + 2].isalpha():
        # "a 41-year high", "the 21-year-old" state a span of time, the last of a suspended list
        # counts its noun ("four-, five- and six-cylinder"), and so does a count in digits
        # joined to its noun ("the 12-nation Community", "a 300-shareholder threshold")
        return _read_compound_duration(r) or _read_suspended_list_end(r) or _read_compound_count(r)
    ratio = None
    if r.second is None and not r.has_scale:
        ratio = doc.rules.edges.after(
            doc.rules.compiled["ratio_after"], text, end, end + WORD_REACH
        )
    den = read_figure(ratio.group("den"), doc.rules) if ratio is not None else None
    if ratio is not None and den is not None and r.value < den.value <= 1000 and not den.has_scale:
        # "nine in ten households": a share, as a percentage
        r.kind, r.unit, r.value = "percent", "percent", 100.0 * r.value / den.value
        r.end = r.resume = ratio.end()
        r.rule = "ratio"
        return True
    noun = r.early_noun or _noun(doc, r.start, end, r.value)
    if noun.unit is None and not noun.is_time and r.second is None:
        lead = _age_cue(r)
        if lead is not None:  # "aged 34", "at the age of 22": an age, in years
            r.kind, r.unit, r.rule, r.lead = "duration", "year", "duration", lead
            return True
    if noun.is_time:
        r.resume = max(r.resume, noun.end)
        if noun.unit is None:
            return False  # "three rounds", "two nights": time, but no span a reader checks
        r.kind, r.unit, r.rule = "duration", noun.unit, "duration"
        r.end = noun.end
        return True
    if noun.unit is None and not r.first.is_digits and not r.has_scale:
        listed = doc.rules.edges.after(
            doc.rules.compiled["listed_ahead"], text, end, end + WORD_REACH
        )
        if listed is None and not _list_item(r) and (r.value == 1 or not _number_of_named(r)):
            return False  # "two" on its own; "one" as a pronoun ("one senior banker said")
        # "eight or nine euros", "four-, five- and six-cylinder": it may share the unit of
        # the figure listed after it (finish.carry_listed_units), or is dropped
    r.kind, r.unit, r.rule = "count", noun.unit, "count"
    unit = _unit_of_noun(r, noun.unit) if noun.unit is not None and r.unit_info is None else None
    if unit is not None:  # "a 300 mln mark placement": the unit, written as a modifier
        r.kind, r.unit, r.rule = unit.kind, unit.unit, unit.kind
        if unit.kind == "money" and noun.unit is not None:  # "a 200 mln crown loan" in Oslo
            r.unit = _currency_of_word(r, noun.unit + "s") or unit.unit
    # a bare figure ("46", "(1)", "4-7") stays only if a figure before it in its sentence gives
    # it a unit ("some 540 satellites ... exceeded 900"): see finish.carry_units
    r.listable = noun.unit is None and not r.has_scale and not (r.second and r.second.has_scale)
    # a figure written with a thousands comma or decimals ("83,150", "126.8") is a statistic
    # whose noun is elided ("the count is 83,150", "the index at 126.8"): kept bare
    r.bare = r.listable and not _stated(r)
    if noun.unit is not None:
        r.end = noun.end
        r.resume = max(r.resume, r.end)
    return True


def _number_of_named(r: Reading) -> bool:
    """Whether "the number of" and a plural stand before the figure in its sentence ("The
    number of flight attendants rose from 370 to 870", "limit the number of casinos to
    eight"): the figure, with no noun of its own, counts that plural
    (finish._carry_counted_nouns). Searched only in a sentence holding one of the words."""
    sentence = r.sentence
    if not names_number(sentence):
        return False
    pattern = r.doc.rules.compiled["number_of_before"]
    return pattern.search(r.doc.text, sentence.start, r.start, RELEASE_GIL) is not None


# what a sentence holds where "the number of" may name what a figure counts
NUMBER_OF_MARKS = ("number of", "Number of", "total of", "Total of", "count of")


def names_number(sentence: Sentence) -> bool:
    """Whether the sentence holds one of NUMBER_OF_MARKS, looked for once a sentence."""
    if sentence.names_number is None:
        sentence.names_number = any(mark in sentence.text for mark in NUMBER_OF_MARKS)
    return sentence.names_number


def _list_item(r: Reading) -> bool:
    """Whether a number word with no noun is a list's next item that leaves out the noun of a
    figure before it in its sentence ("two executives from AIG and one from Marsh", "two hours
    on Thursday, four on Friday"): kept bare, it counts that noun (finish.carry_elided_nouns)
    or is dropped. "One" goes on with a verb as a pronoun ("and one has to wonder"), so only
    the others may ("25 children have died ... and two have been")."""
    if r.doc.last_sentence != r.sentence.start:
        return False  # no figure before it in its sentence
    return list_item_at(r.doc, r.start, r.end, verb=r.value != 1)


def list_item_at(doc: Doc, start: int, end: int, verb: bool = True) -> bool:
    """Whether the figure at start:end follows a list's comma, "and", "or" or "while" and goes
    on as a list's item that leaves out its noun: with a time, a place or a source ("180 on
    Friday", "and one from Marsh"), or with a verb it is the subject of ("and two remain")
    where `verb`."""
    text, compiled, edges = doc.text, doc.rules.compiled, doc.rules.edges
    if edges.before(compiled["list_item_before"], text, max(0, start - 8), start) is None:
        return False
    return bool(
        edges.after(compiled["list_item_after"], text, end, end + SHORT_REACH)
        or (verb and edges.after(compiled["elided_subject_after"], text, end, end + 12))
    )


def _read_compound_duration(r: Reading) -> bool:
    """A figure joined by a hyphen to a time noun ("a 41-year high", "a 12-month inquiry", "the
    21-year-old"): a duration, the noun its unit."""
    if r.second is not None or r.has_scale:
        return False
    m = r.doc.rules.duration_compound.match(r.doc.text, r.end)
    if m is None:
        return False
    r.kind, r.unit, r.rule = "duration", (m.group(1) or m.group(2)).lower(), "duration"
    r.end = r.resume = m.end()
    return True


def _for_follows(text: str, end: int) -> bool:
    """Whether "for" comes next after a hyphen or a run of spaces, as _SPLIT_AFTER reads it: a
    cheap look before that pattern is asked."""
    window = text[end : end + 12]
    ahead = window[1:] if window[:1] == "-" else window.lstrip(" \t\u00a0")
    return len(ahead) < len(window) and ahead[:3].lower() == "for"


# "two-for-one", "3-FOR-2", "three for two": the rest of a stock split's ratio, where a split,
# a bonus issue or a stock dividend follows ("a two-for-one stock split", "a one-for-four bonus
# issue") or comes just before ("split its stock two-for-one", "SPLITS STOCK 2-FOR-1")
_SPLIT_AFTER = regex.compile(
    r"""(?:-|[ \t\u00a0]+)for(?:-|[ \t\u00a0]+)(?P<den>\d{1,3}|\p{L}+)\b(?![-‑.,]?\d)
        (?=(?:\s+(?:common|stock|share|reverse|capital|ordinary))*\s+
              (?:(?:stock\s+)?split|bonus|scrip|stock\s+dividend)
           |(?P<split>))""",
    regex.IGNORECASE | regex.VERBOSE,
)
_SPLIT_BEFORE = regex.compile(
    r"(?r)\bsplit(?:s|ting)?(?:\s+(?:its|the|their|common|stock|shares?))*\s+\Z", regex.IGNORECASE
)


def _split_after(r: Reading) -> Match | None:
    """The rest of a stock split's ratio after the figure, with a split named around it."""
    text = r.doc.text
    if r.second is not None or r.has_scale or r.first is None:
        return None
    m = _SPLIT_AFTER.match(text, r.end, r.end + SHORT_REACH, RELEASE_GIL)
    if m is None or (
        m.group("split") is not None
        and not _SPLIT_BEFORE.match(text, max(0, r.start - WORD_REACH), r.start, RELEASE_GIL)
    ):
        return None
    return m


def _read_split(r: Reading) -> bool:
    """A stock split's ratio, "two-for-one": the figure is the shares after one split share
    (2, or 1.5 for "three-for-two"), a bare figure, as "two to one" is 2."""
    m = _split_after(r)
    if m is None:
        return False
    den = read_figure(m.group("den"), r.doc.rules)
    if den is None or den.has_scale or not 0 < den.value <= 100 or not 0 < r.value <= 100:
        return False
    r.kind, r.unit, r.rule = "count", None, "split"
    r.value = r.value / den.value
    r.end = r.resume = m.end("den")
    return True


def _read_compound_count(r: Reading) -> bool:
    """A whole number joined by a hyphen to the noun it counts ("the 12-nation Community", "a
    25-member team", "a three-judge panel"), not to a word that is no noun ("a 5,000-strong
    crowd", "a five-star hotel"); "one-off" and "one-time" are no counts."""
    first, rules = r.first, r.doc.rules
    if first is None or r.second is not None or r.has_scale:
        return False
    if not (first.digits.isdigit() if first.is_digits else 2 <= r.value == int(r.value)):
        return False
    m = _COMPOUND_NOUN.match(r.doc.text, r.end, r.end + WORD_REACH, RELEASE_GIL)
    if m is None or not _modifier(word := m.group(1)) or word in rules.not_nouns:
        return False
    if is_plural(word, rules.irregular):
        return False  # "a two-thirds majority": a share; the noun of a compound is singular
    if norm(word) in rules.units_by_word or norm(word + "s") in rules.units_by_word:
        return False  # "a 100-franc share", "60-kilo bags", "the 12-point scale": a unit's size
    r.kind, r.unit, r.rule = "count", word, "count"
    r.end = r.resume = m.end()
    return True


_SUSPENDED_BEFORE = regex.compile(r"(?r)[\p{L}\d]-,?[ \t\u00a0]+(?:(?:and|or|&)[ \t\u00a0]+)?\Z")
_OF = regex.compile(r"\s+of\b", regex.IGNORECASE)
_COMPOUND_NOUN = regex.compile(r"-(\p{Ll}+)\b(?![-‑])")


def _read_suspended_list_end(r: Reading) -> bool:
    """The last figure of a list with suspended hyphens ("four-, five- and six-cylinder"): a
    count of the noun it is joined to, which the figures before it share."""
    doc = r.doc
    if r.second is not None or r.has_scale:
        return False
    if not _SUSPENDED_BEFORE.match(doc.text, max(0, r.start - 12), r.start, RELEASE_GIL):
        return False
    m = _COMPOUND_NOUN.match(doc.text, r.end, r.end + WORD_REACH, RELEASE_GIL)
    if m is None:
        return False
    r.kind, r.unit, r.rule = "count", singular(m.group(1), doc.rules.irregular), "count"
    r.end = r.resume = m.end()
    return True


def _age_cue(r: Reading) -> int | None:
    """Where the words that make a figure an age start ("aged 34", "the age of 22"); None if
    there are none. A plain look for "age" first: the cue pattern runs before few figures."""
    text, start, end, compiled = r.doc.text, r.start, r.end, r.doc.rules.compiled
    if (
        text[start - 2 : start] == ", "
        and text[end : end + 1] in (",", ".", ";")
        and r.first is not None
        and r.first.digits.isdigit()
        and len(r.first.digits) <= 3
        and compiled["age_apposition"].match(text, max(0, start - SHORT_REACH), start, RELEASE_GIL)
    ):
        return start  # "Liam Mower, 12,": the age of the person named
    before = r.before
    if r.qualifier in ("less_than", "more_than") and before is not None and before.group("qual"):
        at = before.start("qual")
        if compiled["age_group_before"].match(text, max(0, at - SHORT_REACH), at, RELEASE_GIL):
            return at  # "children under five", "people over 60": an age group, in years
    if "age" not in text[max(0, start - 12) : start].lower():
        return None
    cue = compiled["age_before"].match(text, max(0, start - 20), start, RELEASE_GIL)
    return cue.start() if cue is not None else None


def _read_vague(r: Reading) -> bool:
    """ "dozens of protesters", "billions of dollars": an order of magnitude, read as an
    approximate range of what follows "of" (numbers.toml [[vague]])."""
    doc, rules = r.doc, r.doc.rules
    r.value, r.value_high = rules.vague[norm(str(r.g["vague"]))]
    r.qualifier, r.rule = "approx", "vague"
    of = _OF.match(doc.text, r.end, r.end + 8, RELEASE_GIL)
    after = of.end() if of is not None else r.end
    noun = _noun(doc, after, after, r.value)
    if noun.is_time:
        if noun.unit is None:
            return False  # "thousands of times larger": no quantity of anything
        r.kind = "duration"  # "hundreds of years"
    unit = _unit_of_noun(r, noun.unit) if noun.unit else None
    if unit is not None:  # "billions of dollars", "thousands of tonnes"
        r.kind, r.unit = unit.kind, unit.unit
    else:
        r.unit = noun.unit
    if noun.unit is not None:
        r.end = r.resume = noun.end
    return True


def _unit_of_noun(r: Reading, noun: str) -> UnitInfo | None:
    """The unit a counted noun names, if it is a unit word: "billions of dollars", "a 300 mln
    mark placement"; an ambiguous word ("pounds") is decided by its sentence."""
    rules = r.doc.rules
    for key in (norm(noun), norm(noun) + "s"):
        context = rules.word_contexts.get(key)
        if context is not None and context[0].search(r.sentence.text):
            return context[1]
        unit = rules.units_by_word.get(key)
        if unit is not None and unit.factor == 1.0:
            return unit
    describers, _, head = noun.rpartition(" ")
    # "780 mln revenue passenger miles": a measure, described; not "long tons"
    if describers and describers.rpartition(" ")[2] not in rules.measure_qualifiers:
        unit = rules.units_by_word.get(norm(head) + "s")
        if unit is not None and unit.kind == "measure" and unit.factor == 1.0:
            return unit
    return None


def _found(r: Reading) -> Found:
    """The claim read: its quote's span (with the qualifier or currency code written before the
    figure), its bound, and the change a cue around it states."""
    doc, before, start = r.doc, r.before, r.start
    quote_start = start
    if before is not None:
        code, glue = before.group("code"), before.group("glue")
        if r.rule == "money" and (code or glue):
            quote_start = before.start("code") if code else before.start("glue")
        if before.group("minus") and r.kind != "multiple":
            quote_start = before.start("minus")
        if r.qualifier is not None and before.group("qual"):
            quote_start = before.start("qual")
    if r.bracket_open is not None:
        quote_start = r.bracket_open
    if r.lead is not None:
        quote_start = r.lead
    change = _change_before(doc, quote_start, r.kind, r.sentence) or _change_after(
        doc, r.end, r.unit, r.kind
    )
    if change is None and r.change is None and r.kind != "duration":
        change = _change_noun_after(r, quote_start)
    if change is None and r.change is None and r.unit in _SIGNED_CHANGE_UNITS:
        quote_start, change = _signed_change(r, quote_start)
    elif change == "increase" and r.value < 0 and r.unit in _SIGNED_CHANGE_UNITS and r.g["neg"]:
        r.value, change = -r.value, "decrease"  # "a growth rate of -0.1%": a fall of 0.1%
    if change and r.change is None:
        r.change = change
        r.bare = False  # "fell by 20,000": a change needs no unit to be a claim
    sentence = r.sentence
    if quote_start < sentence.start or r.end > sentence.end:
        sentence = doc.widen(sentence, quote_start, r.end)  # "2.1 billion\ndlrs" in wire copy
    found = Found(
        quote_start,
        r.end,
        doc.text[quote_start : r.end],
        r.value,
        r.kind,
        r.unit,
        r.qualifier or "exact",
        r.change,
        r.rule,
        sentence.text,
        sentence.start,
        r.value_high,
    )
    found.bare, found.listable, found.scale = r.bare, r.listable, r.scale
    return found


def _change_noun_after(r: Reading, quote_start: int) -> str | None:
    """The direction of a change's noun right after the figure or one word on, in a noun phrase
    an article or a possessive opens ("a 3.8% boost", "a 30 pct tariff increase"; cues.toml
    [change_nouns]). Only in a sentence holding one of the nouns, asked once per sentence
    (its words are read for its fields anyway): most hold none."""
    rules, text, sentence = r.doc.rules, r.doc.text, r.sentence
    if sentence.names_change is None:
        sentence.names_change = not rules.change_noun_words.isdisjoint(sentence.lower_words())
    if not sentence.names_change or not text[r.end : r.end + 1].isspace():
        return None  # "5%-owned", "30 pct," : no noun phrase goes on
    after = text[r.end : r.end + WORD_REACH].split(None, 2)[:2]
    if not after:
        return None
    nouns = rules.change_nouns
    noun = _bare_word(after[0])
    if (
        noun not in nouns
        and len(after) == 2
        and after[0].isalpha()
        and r.kind != "count"  # "two countries to rise": the count's noun ended the phrase
        and noun not in rules.change_not_between
    ):
        noun = _bare_word(after[1])  # "a 30 pct tariff increase"
        if noun in rules.change_next_only:
            return None  # "Its 51% stake falls to 40%": a verb
    direction = nouns.get(noun)
    if direction is None or (noun in rules.change_percent_only and r.kind != "percent"):
        return None
    before = text[max(0, quote_start - WORD_REACH) : quote_start].lower().split()[-2:]
    return direction if not rules.change_determiners.isdisjoint(before) else None


def _bare_word(word: str) -> str:
    """A word lower-cased without the marks after it ("boost," -> "boost")."""
    return word.lower().rstrip(".,;:!?)\"'’")


# a sign glued to a figure in these units states a move: "Dow +0.2%", "FTSE -0.6%"
_SIGNED_CHANGE_UNITS = frozenset({"percent", "percentage_point", "point"})


def _signed_change(r: Reading, quote_start: int) -> tuple[int, str | None]:
    """A percent or points written with its sign after a space, a colon or a bracket ("Dow
    +0.2%", "(-0.6%)") is a change: up for +, down for - (the value is then its size)."""
    text, start = r.doc.text, r.start
    if r.g["neg"] and r.value < 0 and (start == 0 or text[start - 1] in " \t\u00a0(:"):
        r.value = -r.value
        return quote_start, "decrease"
    if start and text[start - 1] == "+" and (start == 1 or text[start - 2] in " \t\u00a0(:"):
        return start - 1, "increase"
    return quote_start, None


# --- the words around a figure ---------------------------------------------------------------


def _currency(r: Reading) -> str | None:
    """The currency of the symbol or code written before the figure, if any."""
    rules, before, symbol = r.doc.rules, r.before, r.symbol
    if symbol:
        symbol = symbol.strip()
        glue = r.before_group("glue")
        if glue and symbol == "$":
            return rules.glue.get(glue.upper(), rules.symbols.get(symbol))
        if symbol in rules.contexts:
            for cue, code in rules.contexts[symbol]:
                if cue.search(r.sentence.text):
                    return code
            return rules.context_default[symbol]
        return rules.symbols.get(symbol)
    written = before.group("code") if before is not None else None
    return rules.codes.get(written) if written else None


def _currency_of_word(r: Reading, word: str | None = None) -> str | None:
    """The currency a word several currencies write (the figure's unit word, or `word`) stands
    for in this sentence ("dlrs" in a sentence about Canada are CAD), or None where the word's
    own currency stands."""
    written = word or (r.g["unit"] or r.g["unit2"] or "").strip()
    context = r.doc.rules.currency_word_contexts.get(norm(written))
    if context is None:
        return None
    choices, unless, story = context
    sentence = r.sentence.text
    named = choices.search(sentence)
    if named is None and story and not unless.search(sentence):
        # the sentence names no country: the story's headline and lead may ("BELGIAN
        # GOVERNMENT TO CUT ..." over "exceed the target by 22.5 billion francs"), where the
        # text is a story with a headline (a line, then a blank line), not loose sentences
        text = r.doc.text
        if text.find("\n\n", 0, _HEADLINE) < 0:
            return None
        lead = text[:_STORY_LEAD]
        return None if unless.search(lead) else _one_named_code(choices, lead)
    if named is None or unless.search(sentence):
        return None
    return named.lastgroup


# how far into a story its headline and lead run, where wire copy names the country once
_STORY_LEAD = 300
_HEADLINE = 200  # ... and how long a headline may be


def _one_named_code(choices: Pattern, lead: str) -> str | None:
    """The one currency a story's lead names among a word's choices; None where it names none or
    two ("BELGIAN BANK BUYS SWISS UNIT": which francs is not said)."""
    codes = {m.lastgroup for m in choices.finditer(lead)}
    return codes.pop() if len(codes) == 1 else None


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


_WORD_GAP_BLANKS = frozenset(" \t\u00a0")


def _word_gap_may_open(text: str, at: int) -> bool:
    r"""Whether noun_after's `word_gap` (patterns.toml) may match at `at`: blanks, or a line
    break before a lower-case letter (wire copy's wrapped line). False where it cannot: after
    a figure a mark ("5,", "5.") or a line break before a capital, a digit or a blank line
    (a table's next row), a third of the places a noun is looked for.

    >>> [_word_gap_may_open(t, 1) for t in ["5 cars", "5,", "5\nThe", "5\n\n", "5\n  cars"]]
    [True, False, False, False, True]
    """
    first = text[at : at + 1]
    if first in _WORD_GAP_BLANKS:
        return True
    if first == "\r":
        at += 1
        first = text[at : at + 1]
    if first != "\n":
        return False
    at += 1
    while text[at : at + 1] in _WORD_GAP_BLANKS and at < len(text):
        at += 1
    after = text[at : at + 1]
    # the gap ends before a lower-case letter (\p{Ll}): not at the text's end, nor at an ASCII
    # character but a-z
    return bool(after) and not (after.isascii() and not "a" <= after <= "z")


def _noun(doc: Doc, start: int, end: int, value: float) -> Noun:
    """The counted noun after a figure (which starts at `start` and ends at `end`)."""
    rules = doc.rules
    # " of ", or "\nof " where wire copy wraps ("437\nof the 1,084 firms")
    if value != 1 and doc.text[end + 1 : end + 4] == "of " and doc.text[end : end + 1] in " \n":
        partitive = rules.compiled["partitive_after"].match(
            doc.text, end, end + SHORT_REACH, RELEASE_GIL
        )
        if partitive is not None:
            # "23 of the 77 cases", "up to four of these fabs": the whole's noun is counted,
            # the quote stays the figure ("one of the officers" is a pronoun)
            whole = _noun(doc, start, partitive.end() - 1, value)  # from the space before it
            if whole.unit is not None and not whole.is_time:
                return Noun(whole.unit, end, False)
            return Noun(None, end, False)
    if rules.plain_noun_gap and not _word_gap_may_open(doc.text, end):
        return Noun(None, end, False)
    found = rules.compiled["noun_after"].match(doc.text, end, end + 80, RELEASE_GIL)
    if found is None:
        return Noun(None, end, False)
    m = ByNumber(found)
    kept: list[str] = []
    last = joined = 0
    for i in (1, 2, 3, 4):
        word = m.group(f"w{i}")
        if word is None:
            break
        lower = word.lower()
        if lower in ("and", "&") and _joins_names(m, i):
            continue  # "460 Kia and Hyundai vehicles": two brands describe the noun
        if lower in ("and", "or") and _joins_describers(rules, m, i):
            # "three former or current executives", "3 new or used cars"
            kept += [lower] if kept else []
            joined += 1
            continue
        if lower in rules.stop or (value == 1 and "." in lower):
            break  # "one U.S. official said": "one" as an article
        if lower[-1] in "'’" and singular(lower[:-1], rules.irregular) in rules.durations:
            # "six weeks' time": the possessive of a span of time
            return Noun(singular(lower[:-1], rules.irregular), m.end(f"w{i}") - 1, True)
        if value != 1 and _counted_plural(rules, m, i, kept):
            return _plural_noun(rules, m, i, kept)  # "300 fishermen", "1,000 GPUs"
        if i == 1 and value >= 1000 and _money_modifier(rules, m, lower):
            # "a privately-placed 1.2 billion franc bond", "400 MLN MARK BOND": an amount
            # written as a modifier, with or without an article, in capitals too
            return Noun(lower, m.end("w1"), False)
        if i == 1 and 1 < value < 1000 and lower.removesuffix("-long") in rules.durations:
            # "a 24 hour wait", "a two month break", "a three month-long poll"
            return Noun(lower.removesuffix("-long"), m.end("w1"), True)
        if word[0].isdigit():
            if value == 1 or not _names_next(m, i):
                break  # "3 x 10-12 reps": another figure, not a model number
            continue  # "two new 737 Max jets": a model number describes the noun
        if (
            lower in rules.adjectives
            or word[0].isupper()
            or lower.endswith("ly")
            or lower.endswith(_DESCRIBER_ENDINGS)
        ):
            # "two major deals", "125 million monthly users", "the four most important
            # scientific journals": describers, not the noun
            if value == 1 and (lower in rules.adjectives or lower.endswith("ly")):
                return Noun(None, end, False)  # "one big con trick": "one" as an article
            continue
        if i - joined >= 3 and value != 1 or i == 4:
            break
        kept.append(lower)
        last = i
    if value == 1 and kept:
        # "one aircraft carrier": a singular compound noun; "one step", "one insider pointed",
        # "one can" are idioms or pronouns, not counts
        if kept[-1] in rules.time_nouns:
            span = kept[-1] if len(kept) == 1 and kept[-1] in rules.durations else None
            return Noun(span, m.end(f"w{last}"), True)
        if len(kept) < 2 or any(w.endswith(("ed", "ing")) for w in kept):
            return Noun(None, end, False)
        return Noun(" ".join(kept), _noun_end(m, last), False)
    first = str(m.group("w1")).lower()
    if (
        kept
        and kept[0] == first
        # a small count ("a 12 page document"), or a unit at any size ("a 300 mln mark issue")
        and (1 < value < 1000 and value == int(value) or norm(first + "s") in rules.units_by_word)
        and first not in rules.not_nouns
        and _after_article(doc.text, start)
        and _modifier(first)
    ):
        # "a 12 page document", "a 3 cylinder engine": a singular noun used as a modifier
        return Noun(kept[0], m.end("w1"), False)
    return Noun(None, end, False)


def _money_modifier(rules: Rules, m: ByNumber, word: str) -> bool:
    """Whether the word after a large figure is a currency's singular before the noun it
    describes ("franc" of "francs" in "1.2 billion franc bond"); not a threshold ("passed the
    2,000 mark for the first time", where no noun follows)."""
    unit = rules.units_by_word.get(norm(word + "s"))
    if unit is None or unit.kind != "money":
        return False
    noun = m.group("w2")
    return bool(noun and noun.isalpha() and noun.lower() not in rules.stop)


def _counted_plural(rules: Rules, m: ByNumber, i: int, kept: list[str]) -> bool:
    """Whether the i-th word after a figure is the plural it counts: a plural ("300 fishermen")
    or an acronym's, first after the figure ("1,000 GPUs", "25 MPs"; not "billions also use
    PCs"), unless it describes the plural after it."""
    word = str(m.group(f"w{i}"))
    plural = is_plural(word, rules.irregular) or bool(not kept and _ACRONYM_PLURAL.fullmatch(word))
    return plural and not _describes_plural(rules, m, i)


def _describes_plural(rules: Rules, m: ByNumber, i: int) -> bool:
    """Whether the i-th word after a figure looks plural but describes the plural after it, not
    the noun counted: a plural that is its own singular ("three head coaches", "two fish
    farms"), or a name ("two Texas bank accounts")."""
    word = str(m.group(f"w{i}"))
    after = [str(w) for w in (m.group(f"w{j}") for j in range(i + 1, 5)) if w is not None]
    if not after:
        return False
    if rules.irregular.get(word.lower()) == word.lower():
        return is_plural(after[0], rules.irregular)
    # a name before a noun and its plural ("Texas bank accounts"), not before a verb
    return (
        word[0].isupper()
        and not word.isupper()
        and len(after) > 1
        and after[0][0].islower()
        and not after[0].endswith(("ed", "ing"))
        and not is_plural(after[0], rules.irregular)
        and after[1][0].islower()
        and is_plural(after[1], rules.irregular)
    )


def _plural_noun(rules: Rules, m: ByNumber, i: int, kept: list[str]) -> Noun:
    """The noun of a figure whose i-th word after it is plural ("300 fishermen")."""
    word = str(m.group(f"w{i}"))
    noun = singular(word, rules.irregular)
    if noun in rules.time_nouns:
        span = noun if noun in rules.durations else None  # "16 years", not "3 rounds"
        return Noun(span, m.end(f"w{i}"), True)
    if m.group("open") and m.end(f"w{i}") == m.start("close"):
        # a term in quotes is the unit whole: three “little giants” -> little giant
        kept = [str(m.group(f"w{j}")).lower() for j in range(1, i)]
    following = m.group(f"w{i + 1}") if i < 4 else None
    if (
        following is not None
        and following.islower()
        and is_plural(following, rules.irregular)
        and following not in rules.stop
        and (word[0].isupper() or word.lower() in rules.attributive)
    ):
        # "three drugs tests", "four securities houses": a plural that describes the plural
        # after it; "three Six Nations games", "12 Texas savings associations": a name
        if word[0].isupper():
            return _plural_noun(rules, m, i + 1, kept)
        head = singular(following, rules.irregular)
        if head not in rules.time_nouns:
            return Noun(" ".join([*kept, word.lower(), head]), _noun_end(m, i + 1), False)
    return Noun(" ".join([*kept, noun]), _noun_end(m, i), False)


def _names_next(m: ByNumber, i: int) -> bool:
    """Whether the word after the i-th is capitalised ("737 Max")."""
    following = m.group(f"w{i + 1}") if i < 4 else None
    return bool(following and following[0].isupper())


def _joins_names(m: ByNumber, i: int) -> bool:
    """Whether the i-th word ("and") stands between two capitalised words ("Kia and Hyundai")."""
    before, after = m.group(f"w{i - 1}") if i > 1 else None, m.group(f"w{i + 1}") if i < 4 else None
    return bool(before and after and before[0].isupper() and after[0].isupper())


def _joins_describers(rules: Rules, m: ByNumber, i: int) -> bool:
    """Whether the i-th word ("or") joins the word before it to one that, like it, describes
    the plural after them ("three former or current executives")."""
    before = str(m.group(f"w{i - 1}")) if i > 1 else ""
    after = [w for w in (m.group(f"w{j}") for j in range(i + 1, 5)) if w]
    return (
        before.islower()
        and before not in rules.time_nouns  # "one year and two years": two figures
        and len(after) >= 2
        and after[0].isalpha()
        and after[0].islower()
        and after[0] not in rules.stop
        and after[0] not in rules.number_words
        and not after[0].endswith("ing")  # "70,000 now and boosting prices": a verb
        and not is_plural(after[0], rules.irregular)
        and is_plural(after[1], rules.irregular)
    )


# endings of adjectives that may stand between a figure's first describer and its noun
_DESCRIBER_ENDINGS = ("ic", "ous", "ful", "able", "ible")
_ARTICLE_BEFORE = regex.compile(r"(?r)(?<![\p{L}\d])an?[ \t\u00a0]+\Z", regex.IGNORECASE)


def _after_article(text: str, start: int) -> bool:
    """Whether "a" or "an" is written just before a figure: "a 12 page document"."""
    return bool(_ARTICLE_BEFORE.match(text, max(0, start - 4), start, RELEASE_GIL))


def _modifier(word: str) -> bool:
    """Whether a singular word after "a 12" can be the noun it counts: a word of letters, not
    a verb form or an adverb ("a 12 page document", "a three-test series", not "a 12 inched";
    superlatives are in the rules' adjectives)."""
    endings = ("ly", "ed", "ing", "al", "ic", "ous", "ive", "ful", "less", "able", "ible")
    return word.isalpha() and not word.endswith(endings) and len(word) > 2


def _noun_end(m: ByNumber, i: int) -> int:
    """The end of the noun, with its closing quote when it was opened: three “little giants”."""
    if m.group("open") and m.group("close") and m.end(f"w{i}") == m.start("close"):
        return m.end("close")
    return m.end(f"w{i}")


def _change_cue(doc: Doc, m: Match, unit: str | None = None, kind: str | None = None) -> str | None:
    """The direction of whichever change cue matched (groups c0, c1... in cues.toml order),
    None where the cue is for other units or kinds than the figure's (a kind not yet known,
    None, is none the cue leaves out)."""
    for i, (cue, _pattern) in enumerate(doc.rules.change_cues):
        if m.group(f"c{i}") if f"c{i}" in m.re.groupindex else None:
            return _cue_direction(cue, m, unit, kind)
    return None


def _cue_direction(cue: ChangeCue, m: Match, unit: str | None, kind: str | None) -> str | None:
    """The direction a change cue's match gives a figure in `unit` of `kind`, if any."""
    if (cue.units and unit not in cue.units) or unit in cue.except_units:
        return None
    if kind is not None and kind in cue.except_kinds:
        return None
    if cue.increase_verbs and m.group("verb").lower() in cue.increase_verbs:
        return "increase"
    return cue.direction


def _change_before(
    doc: Doc, start: int, kind: str | None = None, sentence: Sentence | None = None
) -> str | None:
    """A cue that ends right where the figure (with its qualifier) begins, as cues.toml says of
    `where = "before"`: the pattern is read backwards and matched there only (a search would try
    each of the CLAUSE_REACH positions before too; every cue ends in \\s+\\Z, so none matches
    there)."""
    rules = doc.rules
    lo = max(0, start - CLAUSE_REACH)
    cue = rules.edges.before(rules.change_before, doc.text, lo, start)
    if cue is not None:
        return _change_cue(doc, cue, kind=kind)
    if sentence is None or not rules.change_before_gated:
        return None
    # the cues with triggers ("rose a seasonally adjusted", "growth was"), each where its
    # sentence holds one of its words (`sentence` given: the claim is being read), and tried
    # only where one of those words is also in the clause before the figure (the words a
    # cue reads there: "a loss of", "a revised", "grew at", "growth was")
    cues = sentence.change_cues
    if cues is None:  # found once a sentence
        words = sentence.lower_words()
        cues = sentence.change_cues = tuple(
            (gated, pattern, tuple(sorted(triggers & words)))
            for gated, pattern, triggers in rules.change_before_gated
            if not triggers.isdisjoint(words)
        )
    if not cues:
        return None
    window = doc.text[lo:start].lower()
    for gated, pattern, present in cues:
        if any(word in window for word in present):
            found = rules.edges.before(pattern, doc.text, lo, start)
            if found is not None:
                return _cue_direction(gated, found, None, kind)
    return None


def _change_after(
    doc: Doc, end: int, unit: str | None = None, kind: str | None = None
) -> str | None:
    """A cue that starts right where the figure ends ("a 5% rise", "34p down at"); a cue for
    some units only ("30% more") counts after a figure in one of them."""
    rules = doc.rules
    cue = rules.edges.after(rules.change_after, doc.text, end, end + 30)
    return None if cue is None else _change_cue(doc, cue, unit, kind)


def _is_name_or_date(doc: Doc, start: int, end: int) -> bool:
    """Numbers that are labels or dates: Boeing 737, page 3, March 5, 7 October."""
    rules, text, compiled = doc.rules, doc.text, doc.rules.compiled
    lo = max(0, start - WORD_REACH)
    head = text[lo:start].rstrip(" \t\u00a0")
    if _may_end_a_date(rules, head) and compiled["date_before"].search(
        text, lo, start, RELEASE_GIL
    ):
        return True
    if text[max(0, start - 4) : start - 1].lower() == "top" and compiled["rank_before"].match(
        text, lo, start, RELEASE_GIL
    ):
        return True  # "the top three companies", "the top 10 were": a rank, not a count
    if rules.edges.after(compiled["date_after"], text, end, end + 20):
        return True
    if rules.edges.after(compiled["time_after"], text, end, end + 12):
        return True
    label = None
    if _may_end_a_label(rules, head):
        label = compiled["label_before"].search(text, lo, start, RELEASE_GIL)
    if label is not None:
        cap = label.group("cap")
        if (
            cap is not None
            and (cap.endswith(_POSSESSIVES) or _THOUSANDS.match(text, start, end) is not None)
        ) or (
            text[start].isdigit()
            and (
                _TITLE_CASE_PLURAL.match(text, end, end + CLAUSE_REACH)
                or (text[end : end + 1] == "-" and rules.duration_compound.match(text, end))
                or rules.durations_after.match(text, end, end + 12)
            )
        ):
            # "Britain's 11,500 growers", "Boeing 1,200": a count, not "Boeing 737"; and a
            # headline's count in title case ("Gear 16 Early Black Friday Deals") or a span of
            # time ("SELLS 30-YEAR DEBENTURES", "the Grand Prix 10 days ago")
            pass
        elif (
            cap is None
            or cap.lower() not in rules.not_labels
            and cap.lower() not in rules.qualifiers
        ):
            return True
    if text[end : end + 1] not in (".", ")"):
        return False  # what follows is neither a list number's mark nor a file suffix's dot
    # a list number: "2. China added...", "(Reuters) 3. Exports rose"
    if _LIST_NUMBER.match(text, end, end + 4, RELEASE_GIL):
        before = text[max(0, start - 3) : start].rstrip(" \t")
        if not before or before[-1] in "\n.)!?:":
            return True
    # a file name or code: 7655.txt
    return bool(_FILE_SUFFIX.match(text, end, end + 8, RELEASE_GIL))


# what a date before a figure may end with besides a month name: its day's ordinal ending
_DAY_ENDINGS = frozenset({"st", "nd", "rd", "th"})
# ... and a label besides a word: a code's marks ("keyCode === 13", "data/log/7655", "id:")
_LABEL_MARKS = frozenset("=<>/\\@_#:")


def _may_end_a_date(rules: Rules, head: str) -> bool:
    """Whether the words before a figure (`head`, spaces stripped) can end with a month or its
    day as `date_before` reads them ("March 5, ", "Dec. "). Most end with another word, and the
    pattern is not run for them."""
    if not head:
        return False
    if head[-1].isdigit() or head[-1] == ",":
        return True
    last = last_letters(head)
    return last in rules.month_words or last in _DAY_ENDINGS


def _may_end_a_label(rules: Rules, head: str) -> bool:
    """Whether the words before a figure (`head`, spaces stripped) can end with a label as
    `label_before` reads them: a label word ("page"), a capitalised word ("Boeing", "Committee
    of"), a code's mark. Most end with a lower-case word, and the pattern is not run for them."""
    head = head.removesuffix(".")
    words = head.rsplit(None, 1)
    if not words:  # nothing but blanks and line breaks before it: a table's indented cell
        return False
    if head[-1] in _LABEL_MARKS or any(map(str.isupper, words[-1])):
        return True
    last = last_letters(head)
    return last == "of" or last in rules.label_words


def _money_tail(
    doc: Doc, value: float, has_scale: bool, end: int, resume: int
) -> tuple[float, int, int]:
    """An amount's currency word may be followed by its scale ("75 USD million") or by its
    cents ("13 dollars and 45 cents", "15 dollars 50."): (value, end, resume) with them read."""
    tail = doc.rules.edges.after(
        doc.rules.compiled["money_tail"], doc.text, end, end + CLAUSE_REACH
    )
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
    doc: Doc, unit: str, value: float, end: int, resume: int
) -> tuple[float, int, int]:
    """A measure may be followed by a smaller unit ("5 feet 2 inches"): read it in."""
    pattern = doc.rules.compiled["measure_tail"]
    tail = pattern.match(doc.text, end, end + CLAUSE_REACH, RELEASE_GIL)
    if tail is None:
        return value, end, resume
    factor = doc.rules.minor_units[unit].get(norm(tail.group("mword")))
    if factor is None:
        return value, end, resume
    minor = digits_value_or_word(tail.group("minor"), doc.rules)
    return value + minor * factor, tail.end(), max(resume, tail.end())

"""The Chinese path of the extractor (issue 20): figures in sentences written in Chinese.

A sentence goes this way when at least `han_share` of its letters are Han characters; the English
extractor keeps every other sentence. The text is folded one character for one (full-width digits
and ％), so every offset stays an offset into the original text. Per sentence: find each figure's
span (`figure` pattern and the word forms 百分之N, X分之Y, N成), then read it: the numeral with
`cn2an` after the scale word is cut off, the unit or counter, the bound, the nearest change word
in its clause, the growth basis, the period, metric, subject and attribution. All the words are
in ledger/rules/zh.toml.
"""

from __future__ import annotations

import bisect
import functools
from datetime import date
from typing import Any, NamedTuple

import cn2an
import regex

from ledger.models import Claim, fingerprint_occurrences, unchecked_claim
from ledger.sentences import ASCII_ALNUM, places_of
from ledger.zh_rules import WORD_SPACES, WordSet, ZhRules, default_zh_rules

_HAN = regex.compile(r"\p{Han}")
_NOT_HAN = regex.compile(r"\P{Han}+")  # deleted, what is left is counted: no list of matches
# letters that are not Han, and digits (〇 is both): what a sentence's Han share is taken of
_NOT_OTHER_LETTERS = regex.compile(r"(?V1)[^\p{N}[\p{L}--\p{Han}]]+")
# sets, not strings: the empty slice before a sentence's first character is in every string
_CODE_JOINERS = frozenset("-/._")


class Sentence(NamedTuple):
    """A Chinese sentence: where it starts and ends in the text, and its (folded) text."""

    start: int
    end: int
    text: str


class Figure(NamedTuple):
    """A figure's span and reading, before the sentence-level fields are added."""

    start: int
    end: int
    value: float
    kind: str
    unit: str | None
    bound: str
    number_start: int  # where the number itself starts (after a bound word)
    multiple: bool
    value_high: float | None = None  # the upper end of a range (182万-201万元)


# A NamedTuple's own __new__ is Python code, run by the interpreter for every tuple made (some
# 2,000 instructions each): the figures, sentences and periods of the hot path are made by
# tuple.__new__ instead, every field given (defaults are not filled in), by these typed makers.
def _figure(
    start: int,
    end: int,
    value: float,
    kind: str,
    unit: str | None,
    bound: str,
    number_start: int,
    multiple: bool,
    value_high: float | None,
) -> Figure:
    fields = (start, end, value, kind, unit, bound, number_start, multiple, value_high)
    return tuple.__new__(Figure, fields)


def _sentence(start: int, end: int, text: str) -> Sentence:
    return tuple.__new__(Sentence, (start, end, text))


def chinese_sentences(text: str, rules: ZhRules) -> list[Sentence]:
    """The sentences of `text` written in Chinese, on the folded text (offsets unchanged).

    >>> [s.text for s in chinese_sentences("It rose 5%. 增长８．４％。Fine.", default_zh_rules())]
    ['增长8.4%。']
    """
    if text.isascii() or _HAN.search(text) is None:
        return []  # isascii: a test at C speed that spares most English text the search
    # each character to fold replaced where it is: str.translate costs 50 ns a character
    folded = rules.to_fold.sub(lambda m: rules.fold[m.group()], text)
    found: list[Sentence] = []
    start = 0
    share = rules.file.language.han_share
    for end_mark in rules.sentence_end.finditer(folded):
        end = end_mark.end()
        _add_sentence(folded, start, end, share, found)
        start = end
    _add_sentence(folded, start, len(folded), share, found)
    return found


def unified_ideographs(text: str) -> int:
    """How many characters of `text` are CJK Unified Ideographs (U+3400-U+4DBF, U+4E00-U+9FFF),
    every one of them Han: a count of Han never too high. A compiled loop over the code points,
    a seventh of the instructions of deleting the others with `re` and measuring what is left.

    >>> unified_ideographs("增长8.4%，\u3400\u4dc0")
    3
    """
    count = 0
    for i in range(len(text)):
        code = ord(text[i])
        if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            count += 1
    return count


def _add_sentence(folded: str, start: int, end: int, share: float, found: list[Sentence]) -> None:
    while start < end and folded[start].isspace():
        start += 1
    piece = folded[start:end].rstrip()
    if not piece:
        return
    if unified_ideographs(piece) >= share * len(piece):
        found.append(_sentence(start, start + len(piece), piece))  # most Chinese sentences
        return
    han = len(_NOT_HAN.sub("", piece))
    if not han:
        return
    # every character that is not Han is at most another letter: when the share holds even
    # so (most Chinese sentences), the other letters need not be counted
    if han >= share * len(piece) or han >= share * (han + len(_NOT_OTHER_LETTERS.sub("", piece))):
        found.append(_sentence(start, start + len(piece), piece))


@functools.lru_cache(maxsize=4096)
def chinese_number(text: str) -> float | None:
    """A Chinese or Arabic numeral without a scale word, read by cn2an; None if it is no number.
    Cached: cn2an takes 30 µs a numeral, and news repeats the same few (一, 两, 三点三).

    >>> chinese_number("一千一百四十三"), chinese_number("三点三"), chinese_number("百")
    (1143.0, 3.3, 100.0)
    >>> chinese_number("12.5")
    12.5
    """
    if text[:1].isascii():
        try:
            return float(text)
        except ValueError:
            return None
    if text[:1] in "十百千":
        text = "一" + text  # cn2an reads 一百 but not 百
    try:
        return float(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def word_ending_at(words: WordSet, text: str, at: int, window: int) -> tuple[str, int] | None:
    """The word of `words` (and where it starts) ending at `at`, or before a space there, that
    starts no more than `window` characters before `at`; the earliest starting when several do.
    Here, compiled, not in zh_rules: these lookups run for every figure (some 50,000 calls per
    200,000 characters)."""
    if not at or text[at - 1] not in words.lasts:
        return None
    ends = (at, at - 1) if text[at - 1] in WORD_SPACES else (at,)
    floor = max(at - window, 0)
    for length in words.lengths:  # longest first: the earliest start for one end
        for end in ends:
            start = end - length
            if start >= floor and text[start:end] in words.words:
                return text[start:end], start
    return None


def word_starting_at(words: WordSet, text: str, at: int) -> tuple[str, int] | None:
    """The longest word of `words` (and where it ends) starting at `at`, or after a space there
    (compiled, as word_ending_at)."""
    if text[at : at + 1] not in words.firsts:
        return None
    begin = at + 1 if text[at] in WORD_SPACES else at
    for length in words.lengths:
        word = text[begin : begin + length]
        if len(word) == length and word in words.words:
            return word, begin + length
    return None


def _unit_reading(
    rules: ZhRules, word: str, text: str, i: int, digits: bool
) -> tuple[str, str | None, float] | None:
    """(kind, unit, factor) of the unit or counter `word` ending at `i` in the sentence `text`;
    None when a counter names nothing and the number is in words (一个 with no known noun)."""
    reading = rules.unit_readings.get(word)
    if reading is not None:
        if reading[1] and text[i : i + 1] == "/":  # 元/人: what the unit is divided by
            per = rules.file.per.words.get(text[i + 1 : i + 2])
            if per is not None:
                return reading[0], f"{reading[1]}/{per}", reading[2]
        return reading
    for noun, named in rules.counter_nouns[word]:  # longest first
        if text.startswith(noun, i, i + 8):
            return "count", named, 1.0
    counter = rules.counters[word]
    for keyword, named in counter.keywords.items():
        if keyword in text:
            return "count", named, 1.0
    if counter.unit:
        return "count", counter.unit, 1.0
    return ("count", None, 1.0) if digits else None


def _bound(rules: ZhRules, text: str, start: int, end: int, more: bool) -> tuple[str, int, int]:
    """The bound and the quote's widened start and end in the sentence `text` (bound words are
    part of the quote); `more` when 多 or 余 follows the number (4万多家)."""
    after = word_starting_at(rules.bound_after, text, end)
    if after is not None:  # 低于3%左右的目标: 左右 bounds the figure, 低于 compares with it
        return rules.bounds[">" + after[0]], start, after[1]
    before = word_ending_at(rules.bound_before, text, start, 4)
    if before is None:
        return ("more_than" if more else "exact"), start, end
    return ("more_than" if more else rules.bounds["<" + before[0]]), before[1], end


def _touches_code(text: str, i: int, end: int, has_unit: bool) -> bool:
    """Whether the number from `i` to `end` in the sentence `text` is part of a name or code:
    5G, 7nm, IPv6, GB/T4754-2017."""
    before = text[i - 1 : i]
    if before in ASCII_ALNUM or (before in _CODE_JOINERS and text[i - 2 : i - 1] in ASCII_ALNUM):
        return True
    return not has_unit and text[end : end + 1] in ASCII_ALNUM


def _read_figure(
    rules: ZhRules, s: Sentence, regs: tuple[tuple[int, int], ...], dash_at: int
) -> Figure | None:
    """Read one match of the `figure` pattern, given by its `regs` (the match's span, then each
    group's: taken once by the caller, as a match builds them anew each time they are asked
    for); None for a trap or a number nothing explains. A sign at `dash_at` (where the figure
    before ends: 182万-201万元) is a range's dash.

    The groups' spans are taken at once (unmatched: (-1, -1)) and the text sliced only where it
    is read: this runs for every number in the text, and most of them (years, dates, 一方面) are
    dropped at the first test. Offsets are the sentence's until the figure is made."""
    at, text = s.start, s.text
    g = rules.figure_groups  # indexed here, compiled: an itemgetter call cost a tenth of this
    sign, arabic_at, chinese_at, more = regs[g[0]], regs[g[1]], regs[g[2]], regs[g[3]]
    scale_at, more2, unit_at = regs[g[4]], regs[g[5]], regs[g[6]]
    # a group is absent when its span is empty: (-1, -1) when it took no part in the match,
    # (p, p) when it took part and matched nothing (zh.toml's optional groups always take part)
    scale = text[scale_at[0] : scale_at[1]] if scale_at[0] >= 0 else ""
    arabic = text[arabic_at[0] : arabic_at[1]] if arabic_at[0] >= 0 else ""
    has_unit = unit_at[0] < unit_at[1]
    has_chinese = chinese_at[0] < chinese_at[1]
    end = unit_at[1] if has_unit else regs[0][1]
    unit_word, unit_end = (text[unit_at[0] : end], end) if has_unit else ("", end)
    if arabic and not (unit_word or scale):
        shared = rules.shared_unit.match(text, end)  # 0.4和0.6个百分点
        if shared is not None:
            unit_word, unit_end = shared.group("unit"), shared.end()
    if not (unit_word or scale) and not _bare_figure(rules, text, arabic):
        return None  # a bare number: a year, a date, an ordinal, 十四五, 一方面
    if not (arabic or scale or has_chinese):
        return None  # a dash and a unit with no number (同比增长-%: none to report)
    decimal = "." in arabic
    if not decimal and unit_word in rules.decimal_units:
        return None  # 2021年: a year, the commonest number that is no figure, let go first
    signed = sign[0] < sign[1]
    start = sign[0] if signed else regs[0][0]
    if signed and (text[start - 1 : start] in ASCII_ALNUM or start + at == dash_at):
        start += 1
    number: float | None = 1.0
    if arabic:
        number = float(arabic.replace(",", "")) if "," in arabic else float(arabic)
    elif has_chinese:
        number = chinese_number(text[chinese_at[0] : chinese_at[1]])
    if number is None or _touches_code(text, start, end, has_unit):
        return None
    if word_ending_at(rules.trap_before, text, start, 2):
        return None
    # right after the number and its 多/余: unmatched groups end at -1, 多 comes after the number
    number_end = more[1] if more[0] < more[1] else max(arabic_at[1], chinese_at[1])
    trap = word_starting_at(rules.trap_after, text, number_end)
    if trap is not None and not (decimal and trap[0] == unit_word):
        return None  # 2021年, 13个月, 10多年: a date, a period, a duration (not 9.08年)
    if text[end : end + 1] in '”"' and word_starting_at(rules.title_after, text, end):
        return None  # “研发投入500家”榜单: the name of a list
    if signed and start == sign[0]:
        number = -number
    kind, unit, factor = "count", None, 1.0
    if unit_word:
        reading = _unit_reading(rules, unit_word, text, unit_end, bool(arabic))
        if reading is None:
            return None
        kind, unit, factor = reading
    value = number * rules.scales.get(scale, 1.0) * factor
    if not arabic and has_chinese and number == 1.0 and not scale and kind != "multiple":
        return None  # 一个, 一家, 一次: 'a', 'one', not a figure to check (一倍 is)
    more_after = more[0] < more[1] or more2[0] < more2[1]  # 多 or 余 after the number
    bound, q_start, q_end = _bound(rules, text, start, end, more_after)
    if not unit_word and not arabic and bound == "exact":
        return None  # 万亿 alone: a scale word with no number needs a bound (近万亿)
    return _figure(
        at + q_start, at + q_end, value, kind, unit, bound, at + start, kind == "multiple", None
    )


def _bare_figure(rules: ZhRules, text: str, arabic: str) -> bool:
    """Whether a number with no unit or scale is a figure: one with a decimal point, in a sentence
    about a ratio or an index (性别比为105.07). Searched only for such rare numbers."""
    return "." in arabic and rules.bare_number_words.search(text) is not None


def _word_figures(rules: ZhRules, s: Sentence) -> list[Figure]:
    """百分之N, X分之Y, N成 and 翻N番: percentages written in words."""
    found: list[Figure] = []
    if "分之" not in s.text and "成" not in s.text and "番" not in s.text:
        return found  # the common case: none of the four words is there
    for m in rules.percent_words.finditer(s.text):
        number = chinese_number(m.group("number"))
        if number is not None:
            found.append(_word_figure(rules, s, m, number))
    for m in rules.fraction.finditer(s.text):
        if any(f.start <= s.start + m.start() < f.end for f in found):
            continue  # the 百分之 of 百分之四十二点八, read above
        den, num = chinese_number(m.group("den")), chinese_number(m.group("num"))
        if den and num is not None:
            found.append(_word_figure(rules, s, m, round(num / den * 100, 2)))
    for m in rules.tenths.finditer(s.text):
        number = 0.5 if m.group("number") == "半" else chinese_number(m.group("number"))
        if number is not None:
            found.append(_word_figure(rules, s, m, number * 10 + (5 if m.group("half") else 0)))
    for m in rules.doubling.finditer(s.text):
        times = chinese_number(m.group("number"))
        if times:
            start, end = s.start + m.start(), s.start + m.end()
            bound = "more_than" if m.group("more") else "exact"
            # the number starts after 翻, so that 翻 is the change word right before it
            rise = (2**times - 1) * 100
            found.append(Figure(start, end, rise, "percent", "percent", bound, start + 1, False))
    return found


def _word_figure(rules: ZhRules, s: Sentence, m: Any, value: float) -> Figure:
    start, end = m.span()
    bound, q_start, q_end = _bound(rules, s.text, start, end, False)
    at = s.start
    return Figure(at + q_start, at + q_end, value, "percent", "percent", bound, at + start, False)


def _figures(rules: ZhRules, s: Sentence) -> list[Figure]:
    """Every figure of a sentence, in order, none overlapping another."""
    found = _word_figures(rules, s)
    taken = [(f.start, f.end) for f in found]
    last_end = -1
    text = s.text
    _, arabic_group, _, _, scale_group, _, unit_group = rules.figure_groups
    for m in rules.figure.finditer(text):
        regs: tuple[tuple[int, int], ...] = m.regs  # typed: unpacked natively, compiled
        lo, hi = regs[0]
        if lo == hi:
            continue
        # the numbers no reading can make a figure, let go before one is tried: two matches in
        # five (一 of 一方面, 2021 of 2021年) -- the same tests _read_figure begins with
        unit_lo, unit_hi = regs[unit_group]
        arabic_lo, arabic_hi = regs[arabic_group]
        if unit_lo == unit_hi:  # no unit (an empty span: -1, -1 or p, p; see _read_figure)
            scale_lo, scale_hi = regs[scale_group]
            if scale_lo == scale_hi and (
                arabic_lo == arabic_hi
                or ("." not in text[arabic_lo:arabic_hi] and not rules.shared_unit.match(text, hi))
            ):
                continue
        elif text[unit_lo:unit_hi] in rules.decimal_units and "." not in text[arabic_lo:arabic_hi]:
            continue
        if taken and any(a < s.start + hi and s.start + lo < b for a, b in taken):
            continue
        figure = _read_figure(rules, s, regs, last_end)
        if figure is not None:
            found.append(figure)
            last_end = figure.end
    return _ranges(rules, s, sorted(found))


def _joined_as_range(rules: ZhRules, s: Sentence, low: Figure, high: Figure) -> bool:
    """Whether the text between two figures makes them a range: a dash (182万-201万元), or 至/到
    closed by 之间 (在5000万人至1亿人之间)."""
    between = s.text[low.end - s.start : high.start - s.start]
    if between in rules.file.range.joiners:
        return True
    end = high.end - s.start
    closing = rules.file.range.between_end
    return between in rules.file.range.between_joiners and s.text.startswith(closing, end)


def _ranges(rules: ZhRules, s: Sentence, figures: list[Figure]) -> list[Figure]:
    """Two figures joined by a range word (182万-201万元, 在3%至5%之间) made one range; the first
    takes the unit of the second when it has none."""
    joined: list[Figure] = []
    for f in figures:
        low = joined[-1] if joined else None
        if (
            low is not None
            and low.bound == "exact"
            and f.bound == "exact"
            and low.value_high is None
            and low.unit in (None, f.unit)
            and low.value < f.value
            and _joined_as_range(rules, s, low, f)
        ):
            joined[-1] = low._replace(
                end=f.end, kind=f.kind, unit=f.unit, bound="range", value_high=f.value
            )
        else:
            joined.append(f)
    return joined


def clause_marks(text: str, marks: tuple[str, ...]) -> list[int]:
    """Where each clause mark (`marks`: single characters) stands in `text`, in order.

    >>> clause_marks("增长5%，其中：出口(美元)增长", ("，", "：", "(", ")"))
    [4, 7, 10, 13]
    """
    return places_of(text, marks)


def _clause_before(s: Sentence, marks: list[int], at: int, floor: int) -> tuple[int, str]:
    """The clause before offset `at`, where it starts and its text: from the last clause mark
    (`marks`: the sentence's, in order) or `floor` to `at`. The marks are found once per
    sentence, not searched for again for each figure."""
    i = at - s.start
    lo = max(floor - s.start, 0)
    last = bisect.bisect_left(marks, i) - 1  # the last mark before the figure
    if last >= 0 and marks[last] >= lo:
        lo = marks[last] + 1
    return s.start + lo, s.text[lo:i]


def _change(
    rules: ZhRules, text: str, lo: int, hi: int, spans: list[tuple[int, int]]
) -> str | None:
    """The nearest change word before the figure in its clause, text[lo:hi], unless a level
    follows it. The sentence's change words are found once (`spans`) and the clause's are those
    wholly inside it, as a search of the clause alone finds them; unless a word runs across an
    end of the clause, where such a search may find others: then the clause is searched."""
    if any(a < lo < b or a < hi < b for a, b in spans):
        spans = [m.span() for m in rules.change_words.finditer(text, lo, hi)]
    nearest = -1, -1
    for a, b in spans:
        if lo <= a and b <= hi:
            nearest = a, b
    start, end = nearest
    if start < 0 or not rules.changes[text[start:end]]:
        return None
    word = text[start:end]
    if word in rules.file.change.adjacent_only and text[end:hi].strip():
        return None
    if text[end : min(end + 1, hi)] in rules.file.change.not_followed_by:
        return None  # 提高至48%: the level reached, not the rise
    return rules.changes[word]


def _change_and_basis(
    rules: ZhRules,
    s: Sentence,
    f: Figure,
    clause: str,
    previous: dict[str, Any] | None,
    changes: list[tuple[int, int]],
    basis_named: bool,
) -> tuple[str | None, str | None]:
    """A figure's change and growth basis, from its clause (the sentence's text up to the
    figure's number); a figure listed after another (分别增长39.9%、31.2%) has the other's, and a
    change named after it (24.8%的正增长) wins. `changes` are the spans of the sentence's change
    words, and `basis_named` whether it holds a basis word: a clause of a sentence with none is
    not searched for one."""
    if previous is not None and clause.strip() in rules.file.change.list_joiners:
        change, basis = previous["change"], previous["basis"]
    else:
        hi = f.number_start - s.start
        change = _change(rules, s.text, hi - len(clause), hi, changes) if changes else None
        found = rules.basis_words.search(clause) if basis_named else None
        basis = rules.bases[found.group()] if found else None
    after = word_starting_at(rules.change_after, s.text, f.end - s.start)
    if after is not None:
        change = rules.file.change.after_figure[after[0]]
    return change, basis


class Mention(NamedTuple):
    """A period named in a sentence; `own` when 的 follows it (2020年的110亿元)."""

    start: int
    end: int
    period: str | None
    base: bool
    own: bool


def _month_year(year: str | None, month: int, rel: str | None, published: date | None) -> int:
    if year:
        return int(year)
    if published is None:
        raise LookupError
    if rel in ("去年", "上年"):
        return published.year - 1
    return published.year - 1 if rel is None and month > published.month else published.year


def _period_of(pid: str, m: Any, published: date | None) -> str | None:
    """The period a match of period rule `pid` names, resolved against `published`."""
    g = m.groupdict()
    try:
        if pid == "month_interval":
            to = int(g["to"])
            year = _month_year(g["year"], to, None, published)
            return f"{year}-{int(g['from'] or 1):02d}/{year}-{to:02d}"
        if pid == "quarters_to_date":
            q = "一二三四".find(g["quarter"]) + 1 or int(g["quarter"])
            year = _month_year(g["year"], q * 3, None, published)
            return f"{year}-01/{year}-{q * 3:02d}"
        if pid == "quarter":
            q = "一二三四".find(g["quarter"]) + 1 or int(g["quarter"])
            return f"{_month_year(g['year'], q * 3, None, published)}-Q{q}"
        if pid == "half":
            h = 1 if g["half"] == "上" else 2
            return f"{_month_year(g['year'], h * 6, None, published)}-H{h}"
        if pid == "year_month":
            month = int(g["month"])
            return f"{_month_year(g['year'], month, g['rel'], published)}-{month:02d}"
        if pid == "year_span":
            return f"{g['from_year']}/{g['to_year']}"
        if pid == "year":
            named: str = g["year"]
            return named
        if published is None:
            return None
        shift = {"今年": 0, "前年": 2}.get(g["rel"], 1)
        return str(published.year - shift)
    except LookupError:
        return None


def _mentions(rules: ZhRules, s: Sentence, published: date | None) -> list[Mention]:
    """The periods a sentence names, earlier rules winning over later ones they overlap."""
    found: list[Mention] = []
    text = s.text
    present = {word for word in rules.period_needs if word in text}  # each looked for once
    for pid, needs, pattern in rules.periods:
        if needs and present.isdisjoint(needs):
            continue
        for m in pattern.finditer(text):
            lo, hi = m.span()
            if found and any(f.start < hi and lo < f.end for f in found):
                continue
            base_word = word_ending_at(rules.base_before, text, lo, 2)
            # 是去年的3倍: the base of a multiple, never the period of the figure after it
            own = text[hi : hi + 1] == "的" and not (base_word and base_word[0] == "是")
            period = _period_of(pid, m, published)
            found.append(tuple.__new__(Mention, (lo, hi, period, base_word is not None, own)))
    return sorted(found)


def _period(mentions: list[Mention], text: str, at: int, ends: str) -> str | None:
    """The nearest period named before offset `at` (in the sentence), else the first after; a
    figure's own period (followed by 的) only within its clause, and a comparison base's (比2010年
    的3.10人) only for the figure right after it. Tried from the nearest: the first that holds
    is the answer."""
    for m in reversed(mentions):
        if (
            m.end <= at
            and not (m.own and any(c in ends for c in text[m.end : at]))
            and not (m.base and not (m.own and not any(c.isdigit() for c in text[m.end : at])))
        ):
            return m.period
    for m in mentions:
        if m.start >= at and not m.base and not m.own:
            return m.period
    return None


def _target_period(
    rules: ZhRules,
    s: Sentence,
    f: Figure,
    clause_start: int,
    mentions: list[Mention],
    published: date | None,
) -> str | None:
    """A target's period: one named in its own clause only (全年 there is the publication year)."""
    lo, at = clause_start - s.start, f.number_start - s.start
    named = [m.period for m in mentions if lo <= m.start and m.end <= at and not m.base]
    if named:
        return named[-1]
    clause = s.text[lo:at]
    if published is not None and any(w in clause for w in rules.file.periods.target_year):
        return str(published.year)
    return None


def _metrics_named(rules: ZhRules, s: Sentence) -> set[str]:
    """The metrics whose keywords the sentence holds, found in one pass over it. Keywords found
    inside another are named by it (`metric_ids`); only where a keyword found may hold the start
    of another that runs past its end, and the sentence holds that other (研发支出口径: 出口), is
    it searched again, at every place, with overlapping matches."""
    text = s.text
    found = rules.metric_words.findall(text)
    straddlers = rules.straddlers
    if straddlers.keys().isdisjoint(found) or not any(
        other in text for word in found for other in straddlers.get(word, ())
    ):
        return {metric for word in found for metric in rules.metric_ids[word]}
    everywhere = rules.metric_words_overlapped.finditer(s.text, overlapped=True)
    return {metric for word in everywhere for metric in rules.metric_ids[word.group()]}


def _metric(rules: ZhRules, kind: str, named: set[str], known: dict[str, str]) -> str:
    """The first metric for this kind of figure among those `named` (`known` keeps the answer
    per kind for the sentence's other figures)."""
    if kind not in known:
        known[kind] = next((m for m in rules.metrics_of_kind.get(kind, ()) if m in named), "other")
    return known[kind]


def _attribution(rules: ZhRules, s: Sentence) -> str | None:
    present = {word for word in rules.attribution_needs if word in s.text}
    for needs, pattern in rules.attributions:
        if needs and present.isdisjoint(needs):
            continue
        m = pattern.search(s.text)
        if m is not None:
            who: str = m.group("who")
            return who.strip()
    return None


def _carry_currency(figures: list[Figure]) -> list[Figure]:
    """A currency named once in a sentence carries to scaled figures that omit it (1.36万亿)."""
    for f in figures:
        if f.kind == "money":
            currency = f.unit
            break
    else:
        return figures
    if currency is None:
        return figures
    return [
        _figure(
            f.start,
            f.end,
            f.value,
            "money",
            currency,
            f.bound,
            f.number_start,
            f.multiple,
            f.value_high,
        )
        if f.unit is None and f.value >= 1e4
        else f
        for f in figures
    ]


class Carried(NamedTuple):
    """What a part of a sentence cut at ； hands to the next part: its period and subject."""

    period: str | None
    subject: str | None


_NOTHING_CARRIED = Carried(None, None)


def _sentence_claims(
    rules: ZhRules, text: str, s: Sentence, published: date | None, carried: Carried
) -> list[dict[str, Any]]:
    """Claim fields of every figure in one Chinese sentence; `carried` is what the part before
    it hands on when the sentence was cut at ；."""
    figures = _carry_currency(_figures(rules, s))
    if not figures:
        return []
    mentions = _mentions(rules, s, published)
    named_subject = rules.subject_words.search(s.text)
    if named_subject is not None:
        subject: str | None = rules.subjects[named_subject.group()]
    elif (
        carried.subject
        and rules.other_places is not None
        and not any(place in s.text for place in rules.other_places)
    ):
        subject = carried.subject
    else:
        subject = None
    attribution = _attribution(rules, s)
    original = text[s.start : s.end]
    ends = rules.file.change.clause_ends
    metrics: dict[str, str] = {}
    named = _metrics_named(rules, s)
    changes: list[tuple[int, int]] = [m.span() for m in rules.change_words.finditer(s.text)]
    basis_named = rules.basis_words.search(s.text) is not None
    claims: list[dict[str, Any]] = []
    floor = s.start
    targets = rules.target_words.search(s.text) is not None
    marks = clause_marks(s.text, rules.clause_marks)
    at, sentence = s.start, s.text
    for f in figures:
        start, end, value, kind, unit, bound, number_start, multiple, high = f
        clause_start, clause = _clause_before(s, marks, number_start, floor)
        previous = claims[-1] if claims else None
        change, basis = _change_and_basis(rules, s, f, clause, previous, changes, basis_named)
        if multiple and change == "increase":
            kind, unit, value = "percent", "percent", round(value * 100, 6)
        elif multiple:
            unit = None
        metric = metrics[kind] if kind in metrics else _metric(rules, kind, named, metrics)
        if targets and word_starting_at(rules.target_after, sentence, end - at):
            period = _target_period(rules, s, f, clause_start, mentions, published)
        else:
            period = (
                mentions and _period(mentions, sentence, number_start - at, ends)
            ) or carried.period
        qualified = bool(change or bound != "exact" or basis)
        score = (
            bool(unit) << 5
            | (metric != "other") << 4
            | bool(subject) << 3
            | bool(attribution) << 2
            | bool(period) << 1
            | qualified
        )
        claims.append(
            {
                "start": start,
                "end": end,
                "quote": text[start:end],
                "value": value,
                "value_high": high,
                "kind": kind,
                "unit": unit,
                "bound": bound,
                "change": change,
                "basis": basis,
                "metric": metric,
                "subject": subject,
                "period": period,
                "attribution": attribution,
                "attribution_type": None,  # the English path's person / organisation only
                "sentence": original,
                "sentence_start": at,
                "rule": "zh_figure",
                "checkworthiness": _SCORES[score],
            }
        )
        floor = end
    return claims


def _period_handed_on(rules: ZhRules, text: str, claims: list[dict[str, Any]]) -> str | None:
    """The period of a part's last figure that is no target (a target's own period, 全年, is not
    the period the next part reports on)."""
    for i in range(len(claims) - 1, -1, -1):  # mypyc 2.4.1 fails on reversed() of this list
        claim = claims[i]
        if not word_starting_at(rules.target_after, text, claim["end"]):
            period: str | None = claim["period"]
            return period
    return None


def _score(
    unit: bool, metric: bool, subject: bool, attribution: bool, period: bool, qualified: bool
) -> float:
    """Checkworthiness by the same weights as the English path (README), added in their order:
    for a claim with a unit, a metric, a subject, an attribution, a period, and a change, bound
    or basis (`qualified`)."""
    weight = 0.0
    if unit:
        weight += 0.15
    if metric:
        weight += 0.15
    if subject:
        weight += 0.10
    if attribution:
        weight += 0.15
    if period:
        weight += 0.05
    if qualified:
        weight += 0.10
    return round(min(0.30 + weight, 1.0), 3)


# every score there is, by the six answers as bits (unit the highest): looked up per claim
_SCORES = tuple(_score(*(bool(n >> bit & 1) for bit in range(5, -1, -1))) for n in range(64))


def extract_chinese(
    text: str, *, published: date | None = None, rules: ZhRules | None = None
) -> tuple[list[Claim], list[Sentence]]:
    """The claims of the Chinese sentences of `text`, and those sentences.

    >>> claims, _ = extract_chinese("研究与试验发展经费33357.1亿元，比上年增长8.4%。")
    >>> [(c.quote, c.value, c.unit, c.change, c.basis, c.metric) for c in claims]
    [('33357.1亿元', 3335710000000.0, 'CNY', None, None, 'rd_spending'), \
('8.4%', 8.4, 'percent', 'increase', 'yoy', 'rd_spending')]
    """
    rules = rules or default_zh_rules()
    sentences = chinese_sentences(text, rules)
    found: list[dict[str, Any]] = []
    carried = _NOTHING_CARRIED
    for i, s in enumerate(sentences):
        after = sentences[i + 1] if i + 1 < len(sentences) else None
        claims = _sentence_claims(rules, text, s, published, carried)
        found.extend(claims)
        # a part cut at ； hands its period and subject to the next part of the same sentence
        joined = after is not None and not text[s.end : after.start].strip()
        carried = _NOTHING_CARRIED
        if joined and s.text[-1] in "；;" and claims:
            carried = Carried(_period_handed_on(rules, text, claims), claims[-1]["subject"])
    # each sentence hashed once, however many figures it holds
    fingerprints = fingerprint_occurrences(found)
    return [_record(values, fp) for values, fp in zip(found, fingerprints, strict=True)], sentences


_GIVEN = frozenset(Claim.model_fields) - {"attribution_type", "related"}  # as validation sets it


def _record(values: dict[str, Any], fingerprint: str) -> Claim:
    """The Claim of a figure's fields, in Claim's field order and of its types, as the path
    makes them: built as pydantic's validation would build it, without checking each field
    again (that took a seventh of the path's time). tests/test_extract_zh_work.py holds every
    record of the labelled sets equal to the validated one, fields set and their order too."""
    values["fingerprint"] = fingerprint
    values["related"] = []
    return unchecked_claim(values, _GIVEN)


def gaps(length: int, sentences: list[Sentence]) -> list[tuple[int, int]]:
    """The stretches of a text of `length` characters that no Chinese sentence covers: where the
    English path looks for figures.

    >>> gaps(12, [Sentence(4, 10, "")]), gaps(10, [Sentence(0, 10, "")])
    ([(0, 4), (10, 12)], [])
    """
    found, at = [], 0
    for s in sentences:
        if s.start > at:
            found.append((at, s.start))
        at = s.end
    if at < length:
        found.append((at, length))
    return found


def merge_chinese(
    english: list[Claim], chinese: list[Claim], sentences: list[Sentence]
) -> list[Claim]:
    """The English path's claims outside the Chinese sentences, and the Chinese ones, by start."""
    starts = [s.start for s in sentences]
    ends = [s.end for s in sentences]

    def in_chinese(claim: Claim) -> bool:
        i = bisect.bisect_right(starts, claim.start) - 1
        return i >= 0 and claim.start < ends[i]

    return sorted([c for c in english if not in_chinese(c)] + chinese, key=lambda c: c.start)

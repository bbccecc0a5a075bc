"""Reading the value of a figure the scan found (the parser half): its number, scale and unit.

Nothing here looks at the text around the figure; ledger.extraction.candidate decides where a
figure starts and ends, and hands the words here.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

import regex

from ledger.numbers import compound_word_value, digits_value, scale_factor, word_value
from ledger.rules import Rules, UnitInfo, norm

# a currency symbol, perhaps with capitals after it ("$US55,931,000", "$A82m"), then the figure
_FIGURE_PARTS = regex.compile(
    r"(?P<cur>[^\d\p{L}\s.]+(?:\p{Lu}{1,2}(?=\d))?)?\s?(?P<body>.+)", regex.DOTALL
)
_MIXED = regex.compile(
    r"(?P<whole>\d+)[-\s](?P<num>\d{1,2})/(?P<den>[1-9]\d?)(?P<rest>.*)", regex.DOTALL
)
_FRACTION = regex.compile(r"(?P<num>\d{1,2})/(?P<den>[1-9]\d?)(?P<rest>.*)", regex.DOTALL)
_VULGAR = regex.compile(r"(?P<whole>\d{0,3})(?P<frac>[½¼¾⅓⅔⅕⅛⅜⅝⅞])(?P<rest>.*)", regex.DOTALL)
FRACTION_CHARS = frozenset("/½¼¾⅓⅔⅕⅛⅜⅝⅞")  # a figure without them needs no fraction regex
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
_PER = regex.compile(r"[ \t\u00a0]*/[ \t\u00a0]*|[ \t\u00a0]+per[ \t\u00a0]+", regex.IGNORECASE)


class Figure(NamedTuple):
    """A figure's words read as a number."""

    symbol: str | None  # the currency symbol written before it ("$", "HK$" is read apart)
    value: float  # sign, power and scale applied
    has_scale: bool  # a scale word followed it ("bn", "million")
    is_digits: bool  # written in digits, not words
    digits: str  # the number as written, without symbol or scale


def read_figure(text: str, rules: Rules) -> Figure | None:
    """A matched figure as (currency symbol, value, has scale, is digits, digits text).

    >>> from ledger.rules import default_rules
    >>> read_figure("$-1.5bn", default_rules())
    Figure(symbol='$', value=-1500000000.0, has_scale=True, is_digits=True, digits='1.5')
    >>> read_figure("twenty-five million", default_rules()).value
    25000000.0
    """
    if is_plain_number(text):
        return Figure(None, float(text.replace(",", "")), False, True, text)  # 5.3, 1,400
    if text[:1] == "." and text[1:2].isdigit():
        text = "0" + text  # ".001 per cent", ".125 dlrs": a decimal with no whole part
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
    number = _read_number(body, rules)
    if number is None:
        return None
    value, rest, digits, is_digits = number
    has_scale = False
    if rest.strip(" -\u00a0"):
        factor = scale_factor(rest, rules)
        if factor is None:
            return None
        value *= factor
        has_scale = True
    return Figure(symbol, sign * power * value, has_scale, is_digits, digits)


def _read_number(body: str, rules: Rules) -> tuple[float, str, str, bool] | None:
    """The number at the head of a figure's body: (value, the rest, digits, is digits)."""
    head = _NUM_HEAD.fullmatch(body)
    fraction = mixed = None
    if not FRACTION_CHARS.isdisjoint(body):
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
        return value, rest, digits, True
    if mixed is not None:
        digits, rest = mixed.group("whole"), mixed.group("rest")
        value = float(digits) + float(mixed.group("num")) / float(mixed.group("den"))
        return value, rest, digits, True
    if head is not None:
        # a trailing separator-space before the scale belongs to the scale
        digits = head.group("num").rstrip()
        return digits_value(digits), head.group("rest"), digits, True
    words = body.split()
    for n in range(min(len(words), 6), 0, -1):  # "twenty-five and a half million"
        candidate = " ".join(words[:n])
        found = word_value(candidate, rules) or compound_word_value(candidate, rules)
        if found is not None:
            return found, " ".join(words[n:]), candidate, False
    found = word_value(body.split("-")[0], rules)
    if found is None:
        return None
    return found, "", body, False


def is_plain_number(text: str) -> bool:
    """Whether a figure is ASCII digits with thousands commas and a decimal part, nothing else
    (no symbol, space, scale or fraction): what read_figure reads the long way as just that.

    >>> [is_plain_number(t) for t in ["5.3", "1,400", "1,400.5", "7", "1.5,3", "5,", "$5", "３"]]
    [True, True, True, True, False, False, False, False]
    """
    if not (text.isascii() and text[:1].isdigit() and text[-1:].isdigit()):
        return False
    whole, _, decimals = text.partition(".")
    return whole.replace(",", "").isdigit() and (not decimals or decimals.isdigit())


def read_unit(text: str | None, rules: Rules) -> UnitInfo | None:
    """The unit written after a figure: a symbol, a word, or one over another ("l/km").

    >>> from ledger.rules import default_rules
    >>> read_unit(" km/h", default_rules())
    UnitInfo(kind='measure', unit='km/h', factor=1.0)
    """
    if not text:
        return None
    stripped = text.strip().strip("-‑").strip().strip("()[]{}<>")  # 20 (kg)
    found = rules.units_by_symbol.get(stripped) or rules.units_by_word.get(norm(stripped))
    if found is None and _PER.search(stripped):
        # 10 l/km, two kb per second: the measure's unit over the divisor's
        measure, divisor = _PER.split(stripped, maxsplit=1)
        top, bottom = read_unit(measure, rules), read_unit(divisor, rules)
        below = bottom.unit if bottom is not None else rules.per_units.get(norm(divisor))
        if top is not None and below is not None and top.unit not in rules.rate_units:
            found = UnitInfo("measure", f"{top.unit}/{below}", top.factor)
        else:
            found = top  # "one mln bpd per day" is bpd
    return found


def digits_value_or_word(text: str, rules: Rules) -> float:
    """The numeric value of the digits or number word of a figure (no scale).

    >>> from ledger.rules import default_rules
    >>> [digits_value_or_word(t, default_rules()) for t in ("1,400", "twelve", "lots")]
    [1400.0, 12.0, 1.0]
    """
    try:
        return digits_value(text)
    except ValueError:
        return word_value(text, rules) or 1.0

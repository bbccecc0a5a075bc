"""Small helpers that turn the words of a figure into a number and a counted noun."""

from __future__ import annotations

import unicodedata

import regex

from ledger.rules import Rules, norm

_SEPARATORS = regex.compile(r"[,\s\u00a0\u2009\u202f\u2007]")


def digits_value(digits: str) -> float:
    """The value of a run of digits with thousands separators, in any script.

    >>> digits_value("1,400,000")
    1400000.0
    >>> digits_value("1\u00a0000")
    1000.0
    >>> digits_value("３.５")
    3.5
    """
    if digits.isascii():
        return float(digits.replace(",", "").replace(" ", ""))
    cleaned = _SEPARATORS.sub("", digits)
    return float("".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in cleaned))


def word_value(words: str, rules: Rules) -> float | None:
    """The value of a spelled-out number ("forty-two", "a dozen", "two"), or None.

    >>> from ledger.rules import default_rules
    >>> word_value("forty-two", default_rules())
    42.0
    >>> word_value("A dozen", default_rules())
    12.0
    >>> word_value("two and a half", default_rules())
    2.5
    """
    key = norm(words)
    if key in rules.number_words:
        return rules.number_words[key]
    for added, value in rules.number_added.items():
        if key.endswith(" " + added):
            head = word_value(key[: -len(added) - 1], rules)
            return None if head is None else head + value
    parts = key.split()
    if len(parts) == 2 and parts[0] in rules.number_words and parts[1] in rules.number_words:
        return rules.number_words[parts[0]] + rules.number_words[parts[1]]
    return None


def compound_word_value(words: str, rules: Rules) -> float | None:
    """The value of a number in several words past a hundred, or None: one that ends in a scale
    word is left to the scale reader ("twenty-eight thousand" is 28 and a scale).

    >>> from ledger.rules import default_rules
    >>> compound_word_value("twenty-eight thousand six hundred forty-two", default_rules())
    28642.0
    >>> compound_word_value("a hundred and two", default_rules())
    102.0
    >>> compound_word_value("twenty-eight thousand", default_rules()) is None
    True
    """
    tokens = [t for t in norm(words).split() if t != "and"]
    if len(tokens) < 3 or tokens[-1] in rules.scales:
        return None
    total = current = 0.0
    for at, token in enumerate(tokens):
        factor = rules.scales.get(token)
        if factor is not None and current:
            if factor < 1000:
                current *= factor  # six hundred
            else:
                total, current = total + current * factor, 0.0  # twenty-eight thousand
            continue
        value = rules.number_words.get(token)
        if value is None or value != int(value) or (token in ("a", "an") and at != 0):
            return None
        current += value
    return total + current


def scale_factor(word: str, rules: Rules) -> float | None:
    """The factor of a scale word ("bn" -> 1e9); glued one-letter forms are case-sensitive.

    >>> from ledger.rules import default_rules
    >>> scale_factor("tn", default_rules())
    1000000000000.0
    >>> scale_factor("hundred million", default_rules())
    100000000.0
    """
    word = word.strip().strip("-‑").strip()
    if word in rules.scales:
        return rules.scales[word]
    key = norm(word)
    if key in rules.scales:
        return rules.scales[key]
    parts = key.split()  # "hundred billion": two scales, multiplied
    if len(parts) == 2 and parts[0] in rules.scales and parts[1] in rules.scales:
        return rules.scales[parts[0]] * rules.scales[parts[1]]
    return None


def singular(noun: str, irregular: dict[str, str]) -> str:
    """The singular of a counted noun, for the claim's unit.

    >>> [singular(w, {"people": "person"}) for w in ["people", "companies", "launches", "sites"]]
    ['person', 'company', 'launch', 'site']
    >>> [singular(w, {}) for w in ["prizes", "sizes", "quizzes", "waltzes"]]
    ['prize', 'size', 'quiz', 'waltz']
    """
    lower = noun.lower()
    if lower in irregular:
        return irregular[lower]
    if lower.endswith("ies") and len(lower) > 4:
        return lower[:-3] + "y"
    if lower.endswith("zzes"):
        return lower[:-3]  # quizzes
    if lower.endswith(("ches", "shes", "xes", "sses", "tzes")):
        return lower[:-2]
    if lower.endswith("s") and not lower.endswith("ss"):
        return lower[:-1]
    return lower


def plural(noun: str, rules: Rules) -> str:
    """The plural of a counted noun's singular (a claim's unit), for a figure in words:
    the rules' irregular plural, else the regular English forms. A unit a reviewer typed in
    the plural is left as it is.

    >>> from ledger.rules import default_rules
    >>> words = ["person", "company", "day", "launch", "series", "site", "workers"]
    >>> [plural(w, default_rules()) for w in words]
    ['people', 'companies', 'days', 'launches', 'series', 'sites', 'workers']
    """
    if is_plural(noun, rules.irregular):
        return noun
    if noun in rules.plurals:
        return rules.plurals[noun]
    if noun.endswith("y") and len(noun) > 1 and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("ch", "sh", "x", "s", "z")):
        return noun + "es"
    return noun + "s"


def is_plural(word: str, irregular: dict[str, str]) -> bool:
    """Whether a word looks like a plural noun.

    >>> words = ["satellites", "people", "status", "across", "its"]
    >>> [is_plural(w, {"people": "person"}) for w in words]
    [True, True, False, False, False]
    """
    lower = word.lower()
    if lower in irregular:
        return True
    return (
        len(lower) > 3
        and lower.endswith("s")
        and not lower.endswith(("ss", "us", "is", "'s", "’s"))
    )

"""The lookups the extractor makes most often, compiled with it (ledger.compiled): the key a
word is looked up by (`norm`, `last_letters`), which sentence-level rules a sentence's words
trigger (`Gated`) and which context patterns the word next to a figure lets match (`EdgeGates`).
They are called tens of thousands of times a megabyte (EdgeGates.lets_after some 27,000,
Gated.triggered 15,000): interpreted, they cost some 2-3% of the compiled extractor's
instructions. ledger.rules, which builds them, cannot itself be compiled (mypyc's C for it next
to pydantic does not build), so they live here and rules.py imports them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Final, Generic, TypeVar

import regex

Pattern = regex.Pattern[str]
_NORM_SPLIT = regex.compile(r"[\s\u00a0\u2009\u202f\-‑.]+")
# the tokens EdgeGates keeps answers for, per pattern
_MAX_TOKENS: Final = 200_000


def norm(word: str) -> str:
    """The lookup key of a word: lower case, runs of spaces/hyphens/dots made one space.

    >>> norm("Per-Cent")
    'per cent'
    >>> norm("U.S.  dollars")
    'u s dollars'
    """
    if word.isascii() and word.isalpha() and word.islower():
        return word  # already a key, as most words looked up are ("percent", "from")
    return " ".join(_NORM_SPLIT.split(word.lower(), 0, False)).strip()  # keeping the GIL


def last_letters(text: str, *, fold: bool = True) -> str:
    """The letters a text ends with, past its full stops, case-folded (unless not `fold`): how
    the word before a figure is looked up among the words its context can end with.

    >>> [last_letters(t) for t in ["U.S.", "rose (about", "Rs.", "5", "more than", "~"]]
    ['s', 'about', 'rs', '', 'than', '']
    >>> last_letters("paid US", fold=False)
    'US'
    """
    words = text.rsplit(None, 1)
    chunk = words[-1].rstrip(".") if words else ""
    if not chunk.isalpha():
        start = len(chunk)
        while start and chunk[start - 1].isalpha():
            start -= 1
        chunk = chunk[start:]
    return chunk.casefold() if fold else chunk


# A sentence-level rule: (rule or id, compiled pattern, trigger words).
_Entry = TypeVar("_Entry", bound=tuple[Any, "Pattern | None", frozenset[str]])


class Gated(Generic[_Entry]):
    """Sentence-level rules in file order, each tried only on a sentence that holds one of its
    trigger words (or on every sentence, when it has none). Which words trigger which rules is
    indexed once, so a sentence's rules come from one set intersection of its words with all
    the trigger words, not a test per rule."""

    def __init__(self, entries: Iterable[_Entry]) -> None:
        self.entries = tuple(entries)
        by_word: dict[str, list[int]] = {}
        # a trigger ending in "*" is a prefix: "fy*" is any word glued to FY ("fy2024", "fy23")
        by_prefix: dict[str, list[int]] = {}
        for i, (_rule, _pattern, triggers) in enumerate(self.entries):
            for word in triggers:
                if word.endswith("*"):
                    by_prefix.setdefault(word[:-1], []).append(i)
                else:
                    by_word.setdefault(word, []).append(i)
        self.by_word = {word: tuple(rules) for word, rules in by_word.items()}
        self.by_prefix = tuple((prefix, tuple(rules)) for prefix, rules in by_prefix.items())
        self.prefixes = tuple(by_prefix)
        self.words = frozenset(by_word)
        self.ungated = tuple(i for i, entry in enumerate(self.entries) if not entry[2])
        # the entries a sentence gets when one trigger word is all it holds (most sentences):
        # looked up whole, not merged and sorted per sentence
        self.alone = {
            word: tuple(self.entries[i] for i in sorted({*self.ungated, *rules}))
            for word, rules in self.by_word.items()
        }
        self.ungated_entries = tuple(self.entries[i] for i in self.ungated)

    def __iter__(self) -> Iterator[_Entry]:
        return iter(self.entries)

    def triggered(self, words: frozenset[str]) -> list[_Entry]:
        """The entries worth trying on a sentence of these (lower-case) words, in file order."""
        hit = self.words.intersection(words)
        prefixed: list[tuple[int, ...]] = []
        if self.prefixes:
            # a word starts with a prefix where a space and the prefix are in the words joined by
            # spaces (words hold none): one join and a substring search each, in C, not a loop
            # over the words in Python
            joined = " " + " ".join(words)
            prefixed = [r for p, r in self.by_prefix if " " + p in joined]
        if not prefixed:
            if not hit:
                return list(self.ungated_entries)
            if len(hit) == 1:
                return list(self.alone[next(iter(hit))])
        chosen = set(self.ungated)
        for word in hit:
            chosen.update(self.by_word[word])
        for rules in prefixed:
            chosen.update(rules)
        return [self.entries[i] for i in sorted(chosen)]


class EdgeGates:
    """Context patterns of the candidate stage, matched next to a figure only where the word
    they would read first lets them: the token right after the figure (whitespace, then what
    runs to the next whitespace) for a pattern read forwards, the one right before it for a
    pattern read backwards. Most such calls find nothing ("rose" is before few figures, "in
    ten" after fewer), and that word alone says so.

    Which tokens let a pattern match is asked of the pattern itself, by `regex`'s partial
    matching (could any text going on past the token match?), once per pattern and token, and
    then looked up: about 0.5 us a call against 2-4 us. The token is cut at whitespace, and a
    pattern read forwards sees the character before the token and the whitespace after it too,
    as it does in the text (where the window holds it), so a word is not taken for the start of
    a longer one ("in" for "increase"). So no match is turned away
    (but by a look-behind reaching further back at the very start of a forward pattern, which
    these patterns do not begin with: tests/test_extract_work.py holds them to that). A token
    that fills its window (no whitespace to cut at) is not gated. The answers are kept per
    pattern object (a copy of the rules with a pattern swapped has its own), _MAX_TOKENS at
    most each."""

    def __init__(self) -> None:
        self.tokens: dict[Pattern, dict[str, bool]] = {}
        # (text, position, token) of the token last read after a figure, as one tuple (threads
        # may share the rules): several patterns are tried at the same end
        self.last: tuple[str, int, str] = ("", -1, "")

    def after(self, pattern: Pattern, text: str, pos: int, end: int) -> regex.Match[str] | None:
        """`pattern.match(text, pos, end)`, where the token after `pos` lets it match."""
        return (
            pattern.match(text, pos, end, False)
            if self.lets_after(pattern, text, pos, end)
            else None
        )

    def lets_after(self, pattern: Pattern, text: str, pos: int, end: int) -> bool:
        """Whether the token after `pos` lets `pattern.match(text, pos, end)` match: when not,
        it finds nothing."""
        last_text, last_pos, token = self.last
        if not (pos == last_pos and text is last_text and len(token) <= end - pos + 1):
            window = text[pos:end]
            body = window.lstrip()
            if not body or not pos:
                return True  # only spaces: nothing to tell by
            word = body.split(None, 1)[0]
            cut = pos + len(window) - len(body) + len(word)
            if len(word) == len(body) and cut < len(text):
                return True  # no whitespace to cut at
            # with the character before it, which \b, \B and a look-behind read there too, and
            # the whitespace after it where the pattern reads that far: the word ends there,
            # so "in" or "a" is not let through as the start of "increase" or "annual"
            token = text[pos - 1 : cut + 1] if cut < end else text[pos - 1 : cut]
            self.last = (text, pos, token)
        seen = self.tokens.get(pattern)
        lets = seen.get(token) if seen is not None else None
        if lets is None:
            lets = self._learn(pattern, token, 1)
        return lets

    def before(self, pattern: Pattern, text: str, pos: int, end: int) -> regex.Match[str] | None:
        """`pattern.match(text, pos, end)` for a pattern read backwards (it ends at `end`),
        where the token before `end` lets it match."""
        window = text[pos:end]
        body = window.rstrip()
        if body:
            token = body.rsplit(None, 1)[-1]
            if len(token) == len(body) and pos:
                return pattern.match(text, pos, end, False)  # no whitespace to cut at
            window = window[len(body) - len(token) :]
        seen = self.tokens.get(pattern)
        lets = seen.get(window) if seen is not None else None
        if lets is None:
            lets = self._learn(pattern, window, 0)
        return pattern.match(text, pos, end, False) if lets else None

    def _learn(self, pattern: Pattern, token: str, start: int) -> bool:
        """Whether any text going on past `token` (read from `start`) can match `pattern`."""
        lets = pattern.match(token, start, partial=True) is not None
        seen = self.tokens.setdefault(pattern, {})
        if len(seen) < _MAX_TOKENS:
            seen[token] = lets
        return lets

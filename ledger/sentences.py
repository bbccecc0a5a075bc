"""Sentence boundaries that survive "U.S.", "Dr.", decimal points and closing quotes.

Two passes over the text find every boundary (the places a sentence-final mark may end one, then
each line break); the extractor asks for the sentence around a figure with a binary search, so the
cost does not depend on how many figures there are.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable

import regex

# Abbreviations whose dot ends no sentence; the months' come from the rules ([period_words]).
_ABBREVIATIONS = r"""Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Inc|Ltd|Co|Corp|Gen|Gov|Sen|Rep|Rev|No|vs|etc
    |approx|est|Fig|Vol|Art|U\.S|U\.K|U\.N|E\.U|a\.m|p\.m|e\.g|i\.e"""
# A boundary is the whitespace after a sentence-final mark (and any closing quotes/brackets),
# when the next sentence starts with a capital, a digit or an opening quote (this pattern, read
# at each _MARK); or a line break and the whitespace after it (_white_space_end, see _soft_wrap).
_BOUNDARY = r"""
    [.!?…。！？]                                   # a sentence-final mark
    (?<!                                           # ... that does not end an abbreviation
        \b(?:ABBREVIATIONS)\.
    )
    (?<!\b\p{Lu}\.)                                # nor an initial: J. Smith
    ["'”’»)\]]*                                    # closing quotes and brackets stay behind
    [ \t\u00a0]+                                   # the space between the sentences
    (?=["'“‘«(\[]*[\p{Lu}\d])                      # next one opens with a capital or digit
"""
# Where the boundary pattern can match: a mark with closing quotes and a space after it. The
# standard library's `re` finds these three times faster than `regex` scans for the mark (it
# skips to a mark with a table; `regex` tries each character against the set), and the full
# pattern, with its look-behinds, is then read at those few places only.
_MARK = re.compile(r"""[.!?…。！？](?=["'”’»)\]]*[ \t\u00a0])""")


def places_of(text: str, needles: Iterable[str]) -> list[int]:
    """Where each of `needles` stands in `text`, in order (overlaps too): a str.find per needle,
    where a pattern of them all would make a match object for each place (a third of the
    instructions).

    >>> places_of("He said that she said so", ["said", "that"])
    [3, 8, 17]
    """
    found: list[int] = []
    for needle in needles:
        at = text.find(needle)
        while at != -1:
            found.append(at)
            at = text.find(needle, at + 1)
    found.sort()
    return found


def boundary_pattern(month_abbreviations: Iterable[str]) -> regex.Pattern[str]:
    """The sentence-boundary pattern, with these month abbreviations ("Sept.") ending none."""
    months = "|".join(regex.escape(m) for m in month_abbreviations)
    return regex.compile(
        _BOUNDARY.replace("ABBREVIATIONS", f"{_ABBREVIATIONS}|{months}"), regex.VERBOSE
    )


@functools.cache
def default_boundary() -> regex.Pattern[str]:
    """The boundary pattern with the package's own month names (read from cues.toml without
    compiling the rest of the rules)."""
    from ledger.rules import packaged_month_abbreviations

    return boundary_pattern(packaged_month_abbreviations())


_LEADING = " \t\r\n\ufeff\u00a0\u200b"
# The longest a "sentence" may be, in characters. Every claim shows its sentence (web page, export,
# `ledger extract`), so text with no sentence end (a 20 MB line) would otherwise make each of its
# figures carry the whole of it. About twice the longest sentence in the BBC and Reuters corpora.
MAX_SENTENCE = 2_000
# Where an over-long stretch is cut: after a clause's comma or semicolon, else at a space.
_CUT = regex.compile(r"[,;]\s+|\s+")


# A line ending in one of these words ("fell 9.3 pct in") goes on on the next line.
_OPEN_ENDED = frozenset(
    ["in", "of", "to", "the", "a", "an", "and", "or", "for", "by", "from", "at", "with", "on", "as"]
)
_ASCII_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
# A company's legal suffix: no sentence opens with one, so a line that does goes on from the line
# before ("Atlantic Southeast Airlines\nInc reported": a name wrapped before its suffix)
_LEGAL_SUFFIXES = frozenset(
    ["Inc", "Corp", "Co", "Cos", "Ltd", "PLC", "Plc", "LLC", "AG", "NV", "GmbH", "SpA", "Bhd"]
)
_WORD_END = re.compile(r"[\s,.<(]|\Z")  # where a suffix's word ends: "Inc said", "Co <ORV>"
_SUFFIX_INITIALS = frozenset(suffix[0] for suffix in _LEGAL_SUFFIXES)
# how far a suffix's word end is looked for: the longest suffix, the character ending it, one more
_SUFFIX_REACH = max(map(len, _LEGAL_SUFFIXES)) + 2
# what str.isspace() counts that `regex`'s \s (Unicode's White_Space) does not
_NOT_WHITE_SPACE = "\x1c\x1d\x1e\x1f"


def _white_space_end(text: str, at: int) -> int:
    """Where the run of whitespace from `at` ends, as `regex`'s \\s reads it (str.isspace()
    less the four separators \\x1c-\\x1f): the few characters after a line break, read one
    by one, where a pattern's match costs some 1,000 instructions before it reads one (17,000
    line breaks a MB of wire copy).

    >>> _white_space_end("a\\n   b", 2), _white_space_end("a\\n\\x1cb", 2)
    (5, 2)
    """
    end, size = at, len(text)
    while end < size and text[end].isspace() and text[end] not in _NOT_WHITE_SPACE:
        end += 1
    return end


def _open_ended(line: str) -> bool:
    r"""Whether `line` ends in one of _OPEN_ENDED after a space, as regex
    `\s(?:in|of|...)\Z` would say, without a search that tries the pattern at every character
    (a twentieth of the sentence splitter's cost): the word is the run of a-z it ends with.

    >>> [_open_ended(line) for line in ["fell 9.3 pct in", "the plan", "in", "5 of"]]
    [True, False, False, True]
    """
    start = len(line)
    while start and line[start - 1] in _ASCII_LOWER:
        start -= 1
    if not start or line[start:] not in _OPEN_ENDED:
        return False
    space = line[start - 1]
    return space.isspace() and space not in _NOT_WHITE_SPACE


def _soft_wrap(text: str, at: int, after: int) -> bool:
    r"""Whether the line break at `at` only wraps a line (hard-wrapped wire copy, 60-80 columns).

    A break ends a sentence unless the line before is wrap-sized, does not end a sentence and the
    next line goes on (no blank line). Headings, captions and one-paragraph-per-line text (the
    seeds) keep every break.

    >>> text = "The group received two contracts totaling 29.2 mln dlrs for work on the Air\nForce."
    >>> _soft_wrap(text, text.index("\n"), text.index("\n") + 1)
    True
    >>> _soft_wrap("Photo: VCG\nText", 10, 11)
    False
    >>> text = "    While Wyss left his first-quarter forecast of real U.S.\ngross national product"
    >>> _soft_wrap(text, text.index("\n"), text.index("\n") + 1)
    True
    >>> first = ("Alpine sugar group Sucrelle, which is\n"
    ...          "49.6 pct owned by an Italian holding company, is to raise its\ncapital")
    >>> _soft_wrap(first, first.index("\n"), first.index("\n") + 1)
    True
    """
    if text.find("\n", at + 1, after) != -1:
        return False
    line_start = text.rfind("\n", 0, at) + 1
    line = text[line_start:at].rstrip()
    if after >= len(text):
        return False
    if line[-1:] in '.!?:"”’…':
        # no sentence opens in lower case: "real U.S.\ngross national product" goes on
        return line[-1:] == "." and text[after].islower() and 55 <= len(line) <= 80
    if at - line_start >= 55:
        return 55 <= len(line) <= 80 or _opens_with_suffix(text, after)
    if _opens_with_suffix(text, after):
        return True
    if len(line) < 20:
        return False  # a caption, a label, a heading's word
    # a wrapped line may fall short of 55 columns: after a full line of the same paragraph, or
    # where it is a story's first line whose dateline was cut off ("PARIS, March 23 - ") and the
    # next line goes on in lower case
    following = text[after : after + 1]
    if following.islower() or following.isdigit() or _open_ended(line):
        return True
    before_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
    before = text[before_start : max(line_start - 1, 0)].rstrip()
    return line_start > 0 and len(line) >= 40 and 55 <= len(before) <= 80


def _opens_with_suffix(text: str, at: int) -> bool:
    """Whether the line at `at` opens with a legal suffix as a word of its own ("Inc reported",
    "Corp <ORV> said"), which only ends a company's name wrapped on the line before.

    >>> [_opens_with_suffix(t, 0) for t in ["Inc reported", "Co.", "Corp", "Incoming", "Co-op"]]
    [True, True, True, False, False]
    """
    if text[at : at + 1] not in _SUFFIX_INITIALS:
        return False  # most lines: no suffix opens with their first letter
    end = _WORD_END.search(text, at, min(len(text), at + _SUFFIX_REACH))
    return end is not None and text[at : end.start()] in _LEGAL_SUFFIXES


def _mark_ends(text: str, boundary: regex.Pattern[str]) -> list[int]:
    """Where each boundary after a sentence-final mark ends: the boundary pattern read at each
    place it can start (_MARK), keeping the GIL (concurrent=False: releasing it around each call
    costs more than the call)."""
    size = len(text)
    match = boundary.match
    return [
        m.end()
        for at in [mark.start() for mark in _MARK.finditer(text)]
        if (m := match(text, at, size, False)) is not None
    ]


def _line_ends(text: str) -> list[int]:
    """Where each line break that ends a sentence ends, with the whitespace after it (`\r\n`
    read as one break): each break found by str.find, in C, not by a pattern tried at every
    character; a break that only wraps a line (_soft_wrap) ends none."""
    ends = []
    find = text.find
    at = find("\n")
    while at != -1:
        end = _white_space_end(text, at + 1)
        start = at - 1 if at and text[at - 1] == "\r" else at
        if not _soft_wrap(text, start, end):
            ends.append(end)
        at = find("\n", end)
    return ends


class Sentences:
    """The sentences of one text, found once; look one up by a character offset."""

    def __init__(self, text: str, boundary: regex.Pattern[str] | None = None) -> None:
        self.text = text
        self._spans: dict[int, tuple[int, int]] = {}  # sentence index -> trimmed span, as asked
        self.starts = [0]
        ends = _mark_ends(text, boundary or default_boundary()) + _line_ends(text)
        ends.sort()  # the two never meet: a mark's boundary ends before a letter, digit or quote
        for end in ends:
            if end - self.starts[-1] > MAX_SENTENCE:
                self._cut_long(end)
            self.starts.append(end)
        self._cut_long(len(text))

    def _cut_long(self, end: int) -> None:
        """Cut the stretch from the last start to `end` into pieces of at most `MAX_SENTENCE`
        characters, each ending at a clause or word break in its last half where there is one.

        >>> s = Sentences("and " * 1_200)
        >>> [b - a for a, b in (s.around(start) for start in s.starts)]
        [1999, 1999, 799]
        """
        start = self.starts[-1]
        while end - start > MAX_SENTENCE:
            limit = start + MAX_SENTENCE
            breaks = list(_CUT.finditer(self.text, start + MAX_SENTENCE // 2, limit))
            start = breaks[-1].end() if breaks else limit
            self.starts.append(start)

    def join(self, start: int, end: int) -> None:
        """Make `start`..`end` one sentence: a figure wrapped over a line break ("2.1 billion\\n
        dlrs") is read whole, so its sentence must hold it whole.

        >>> s = Sentences("Money supply rose 2.1 billion\\ndlrs in the week. Next")
        >>> s.join(18, 34); s.text[slice(*s.around(18))]
        'Money supply rose 2.1 billion\\ndlrs in the week.'
        """
        first = bisect.bisect_right(self.starts, start)
        last = bisect.bisect_left(self.starts, end)
        if first < last:
            del self.starts[first:last]
            self._spans.clear()

    def around(self, offset: int) -> tuple[int, int]:
        """(start, end) of the sentence holding `offset`, surrounding whitespace trimmed.

        >>> s = Sentences("The U.S. spent $5bn. Dr. Li said 3.3 percent. Next")
        >>> [s.text[slice(*s.around(i))] for i in (10, 30)]
        ['The U.S. spent $5bn.', 'Dr. Li said 3.3 percent.']
        """
        index = bisect.bisect_right(self.starts, offset) - 1
        found = self._spans.get(index)
        if found is not None:
            return found
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        chunk = self.text[start:end]
        stripped = chunk.lstrip(_LEADING)
        start += len(chunk) - len(stripped)
        end = start + len(stripped.rstrip(_LEADING))
        self._spans[index] = (start, end)
        return start, end

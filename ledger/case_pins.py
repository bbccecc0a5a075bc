r"""Character sets that case cannot change, pinned case-sensitive in a case-blind pattern.

`regex` matches a set ([ \t\u00a0], [^,;], \p{L}) in an IGNORECASE pattern by finding every
case of the text's character and trying each against the set (SET_IGN, re_get_all_cases), at
every character it crosses (some 6% of the extractor's instructions, most of it in the word
trees' letters, which case does change). A set that holds every case of each character it
holds (spaces, digits, punctuation, all letters) matches the same either way, and written
`(?-i:[...])` it is matched with one test (0.3% of the extractor's instructions).
`pin_caseless_sets` does that to a pattern's source where it can tell (a set of caseless
characters, \s \d \w and their negations, \p{L} \p{N} ...); a set it cannot tell about
([a-z], [bB], \p{Lu}, \p{M}, whose cases differ) is left as it was written.
tests/test_rules.py holds every set it pins in the package's patterns to match each character
that has a case as the case-blind set does.

>>> pin_caseless_sets(r"[ \t]+\p{L}[bB]\p{Lu}  # [a comment]")
'(?-i:[ \\t])+(?-i:\\p{L})[bB]\\p{Lu}  # [a comment]'
>>> pin_caseless_sets(r"[\p{L}][^\p{L}\d]")
'(?-i:[\\p{L}])(?-i:[^\\u0345\\p{L}\\d])'
"""

from __future__ import annotations

import unicodedata

# escapes whose set is the same in every case: classes closed under case, escaped punctuation
_CLOSED_ESCAPES = frozenset("sSdDwWtnrfv") | frozenset("\\-]^[.$|()?*+{}/'\"#&,:;!<>=@%~`_ ")
# properties closed under case alone and in a set; \p{L} in a set with other members is closed
# with U+0345 added (a combining mark that folds to iota, so that a case-blind set of letters
# holds it too; `regex` reads [\p{L}] and [^\p{L}] as the bare property, which does not)
_CLOSED_PROPERTIES = frozenset({"L", "N", "Nd", "P", "S", "Z", "Zs"})
_IOTA_MARK = "\\u0345"


def pin_caseless_sets(source: str) -> str:
    """`source` (a verbose pattern, VERSION0) with each set that case cannot change written
    `(?-i:...)`; the same pattern otherwise, match for match."""
    out: list[str] = []
    at, size = 0, len(source)
    try:
        while at < size:
            char = source[at]
            if char == "\\":
                end = _property_end(source, at) or at + 2
                piece = source[at:end]
                closed = end > at + 2 and source[at + 3 : end - 1] in _CLOSED_PROPERTIES
                out.append(f"(?-i:{piece})" if closed else piece)
            elif char == "#":  # a comment, to the end of its line
                end = source.find("\n", at)
                end = size if end < 0 else end
                out.append(source[at:end])
            elif char == "[":
                end, closed = _set_end(source, at)
                piece = source[at:end]
                head = 2 if piece.startswith("[^") else 1  # "[^" or "["
                # \p{L} alone in a set is read as the bare property, which takes in no U+0345
                # case-blind; with other members it is a set, which does
                if closed and r"\p{L}" in piece and piece[head:-1] != r"\p{L}":
                    # first in the set, where it cannot end a range
                    closed = piece[head] not in "]-"
                    piece = f"{piece[:head]}{_IOTA_MARK}{piece[head:]}" if closed else piece
                out.append(f"(?-i:{piece})" if closed else piece)
            else:
                end = at + 1
                out.append(char)
            at = end
    except (IndexError, ValueError):
        return source  # a source this reader does not follow is left as written
    return "".join(out)


def _property_end(source: str, at: int) -> int:
    """Where a \\p{...} or \\P{...} starting at `at` ends (0: none starts there)."""
    if source[at + 1] in "pP" and source[at + 2] == "{":
        return source.index("}", at) + 1
    return 0


def _set_end(source: str, at: int) -> tuple[int, bool]:
    """Where the set opened at `at` ends, and whether case cannot change it."""
    pos = at + 1
    if source[pos] == "^":
        pos += 1
    opened = pos  # a "-" here, or before the closing "]", is a hyphen, not a range
    closed, first = True, True
    while True:
        char = source[pos]
        if char == "]" and not first:
            return pos + 1, closed
        first = False
        if char == "\\":
            escape = source[pos + 1]
            if end := _property_end(source, pos):
                closed = closed and source[pos + 3 : end - 1] in _CLOSED_PROPERTIES
                pos = end
            elif escape in "ux":
                digits = 4 if escape == "u" else 2
                closed = closed and _caseless(chr(int(source[pos + 2 : pos + 2 + digits], 16)))
                pos += 2 + digits
            else:
                closed = closed and escape in _CLOSED_ESCAPES
                pos += 2
            continue
        if char == "[" or (char == "-" and pos != opened and source[pos + 1] != "]"):
            closed = False  # a nested set or a range: not looked into
        elif not _caseless(char):
            closed = False
        pos += 1


def _caseless(char: str) -> bool:
    """A character with no other case: no letter, and lower, upper and folded case alike."""
    if unicodedata.category(char).startswith("L"):
        return False
    return char.lower() == char == char.upper() == char.casefold()

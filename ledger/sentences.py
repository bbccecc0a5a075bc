"""Sentence boundaries that survive "U.S.", "Dr.", decimal points and closing quotes.

One compiled pass over the text finds every boundary; the extractor asks for the sentence around
a figure with a binary search, so the cost does not depend on how many figures there are.
"""

from __future__ import annotations

import bisect

import regex

# A boundary is the whitespace after a sentence-final mark (and any closing quotes/brackets),
# when the next sentence starts with a capital, a digit or an opening quote; or a line break.
_BOUNDARY = regex.compile(
    r"""
    (?:
        [.!?…。！？]                               # a sentence-final mark (first: a fast scan)
        (?<!                                       # ... that does not end an abbreviation
            \b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Inc|Ltd|Co|Corp|Gen|Gov|Sen|Rep|Rev|No|vs|etc
               |approx|est|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Fig|Vol|Art
               |U\.S|U\.K|U\.N|E\.U|a\.m|p\.m|e\.g|i\.e)\.
        )
        (?<!\b\p{Lu}\.)                            # nor an initial: J. Smith
        ["'”’»)\]]*                                # closing quotes and brackets stay behind
        [ \t\u00a0]+                               # the space between the sentences
        (?=["'“‘«(\[]*[\p{Lu}\d])                  # next one opens with a capital or digit
    |
        \r?\n[\s]*                                # a line break always ends a sentence
    )
    """,
    regex.VERBOSE,
)
_LEADING = " \t\r\n\ufeff\u00a0\u200b"


class Sentences:
    """The sentences of one text, found once; look one up by a character offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in _BOUNDARY.finditer(text))]

    def around(self, offset: int) -> tuple[int, int]:
        """(start, end) of the sentence holding `offset`, surrounding whitespace trimmed.

        >>> s = Sentences("The U.S. spent $5bn. Dr. Li said 3.3 percent. Next")
        >>> [s.text[slice(*s.around(i))] for i in (10, 30)]
        ['The U.S. spent $5bn.', 'Dr. Li said 3.3 percent.']
        """
        index = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        chunk = self.text[start:end]
        stripped = chunk.lstrip(_LEADING)
        start += len(chunk) - len(stripped)
        end = start + len(stripped.rstrip(_LEADING))
        return start, end


def split_sentences(text: str) -> list[str]:
    """Every sentence of a text.

    >>> split_sentences('He said "It grew 2.3%." Then it fell.\\r\\nNew line')
    ['He said "It grew 2.3%."', 'Then it fell.', 'New line']
    """
    found = Sentences(text)
    spans = {found.around(start) for start in found.starts}
    return [text[a:b] for a, b in sorted(spans) if b > a]

"""The speed of the document set-up and of the sentence pass's fields, guarded by counting work
(see tests/test_extract_work.py): what made them fast must not silently come back slow."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path
from typing import Any

import regex

import ledger.sentences as sentences
from ledger.sentences import MAX_SENTENCE, Sentences, _soft_wrap, default_boundary

SOURCES = Path(__file__).resolve().parent.parent / "sources"
SEEDS = [
    (SOURCES / row["file"]).read_text(encoding="utf-8")
    for row in csv.DictReader((SOURCES / "manifest.csv").open(encoding="utf-8"))
]
UGLY = [
    "a.\r\n\r\nB",
    "x.  \u00a0Y",
    "Dr. Li said 3.3 percent. Next",
    "a\r\rb\n \n\x1c c",
    "end.\x1cX",
    "The U.S. A",
    "x.”  ‘Y",
    "x\r\n\r\n\r\ny",
    "x\n\x1cY",
    "a\u2028\nb\u3000\n",
    "Sept. 5 sales rose. He",
    "GDP grew 2.3% to $1.4tn.",
]


def starts_read_whole(text: str) -> list[int]:
    """The sentence starts as the boundary pattern, with a line break as one more alternative,
    finds them in one pass tried at every character (how Sentences found them until issue 14's
    sixth round): the reference the faster reading must equal."""
    whole = regex.compile(
        default_boundary().pattern + r"| (?P<line>\r?\n[\s]*)", default_boundary().flags
    )
    starts = [0]
    probe = Sentences("")
    probe.text, probe.starts = text, starts
    for m in whole.finditer(text):
        if m.group("line") is None or not _soft_wrap(text, m.start(), m.end()):
            if m.end() - starts[-1] > MAX_SENTENCE:
                probe._cut_long(m.end())
            starts.append(m.end())
    probe._cut_long(len(text))
    return starts


def test_sentences_are_found_as_one_pass_tried_at_every_character_finds_them() -> None:
    """Marks found by `re`, line breaks by str.find: the same boundaries, on the seeds, on ugly
    line ends and separators, and on random strings of the characters that matter."""
    rnd = random.Random(14)
    pieces = ["a", "B", ".", "!", " ", "\n", "\r", "\u00a0", "”", "(", "1", "U.S.", "Dr.", "\x1c"]
    fuzz = ["".join(rnd.choices(pieces, k=rnd.randint(1, 40))) for _ in range(3_000)]
    for text in SEEDS + UGLY + fuzz:
        assert Sentences(text).starts == starts_read_whole(text), text[:80]


def test_the_whitespace_after_a_line_break_is_regex_whitespace() -> None:
    """`re`'s \\s less \\x1c-\\x1f is `regex`'s \\s, over all of Unicode (what the boundary
    pattern took after a line break)."""
    everything = "".join(map(chr, range(0x110000)))
    one = sentences._LINE_REST.pattern.removesuffix("*")  # one character of the run
    assert regex.findall(r"\s", everything) == re.findall(one, everything)


class CountedPattern:
    """A compiled pattern that counts its calls (match, search, finditer)."""

    def __init__(self, pattern: Any) -> None:
        self.pattern, self.calls = pattern, 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.pattern, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return method(*args, **kwargs)

        return counted


def test_the_boundary_pattern_is_read_only_after_a_mark_and_a_space() -> None:
    """The boundary pattern, with its look-behinds for abbreviations, is read only where a mark
    is followed by closing quotes and a space, never tried at every character of the text: on
    the seeds, fewer calls than one in a hundred characters."""
    for text in SEEDS:
        counted = CountedPattern(default_boundary())
        assert Sentences(text, counted).starts == Sentences(text).starts  # type: ignore[arg-type]
        places = len(regex.findall(r"[.!?…。！？][\"'”’»)\]]*[ \t\u00a0]", text))
        assert counted.calls == places < len(text) / 100

"""The speed of the document set-up and of the sentence pass's fields, guarded by counting work
(see tests/test_extract_work.py): what made them fast must not silently come back slow."""

from __future__ import annotations

import csv
import dataclasses
import random
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import regex

import ledger.sentences as sentences
from ledger.extraction import extract_with_report
from ledger.rules import Gated, Rules, default_rules
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
    """str.isspace() less \\x1c-\\x1f is `regex`'s \\s, over all of Unicode (what the boundary
    pattern took after a line break), and a run of it ends where `regex` ends it."""
    everything = "".join(map(chr, range(0x110000)))
    spaces = regex.findall(r"\s", everything)
    assert spaces == [c for c in everything if sentences._white_space_end(c, 0) == 1]
    run = "".join(spaces) + "x" + "".join(spaces)
    assert sentences._white_space_end(run, 0) == regex.match(r"\s*", run).end()


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


def counted_rules(kind: str) -> tuple[Rules, Counter[str]]:
    """The default rules, their metric keywords or period cues (`kind`) counting their searches
    by rule id."""
    calls: Counter[str] = Counter()
    rules = default_rules()

    class Counting:
        def __init__(self, rule_id: str, pattern: Any) -> None:
            self.rule_id, self.pattern = rule_id, pattern

        def __getattr__(self, name: str) -> Any:
            calls[self.rule_id] += 1
            return getattr(self.pattern, name)

    table = getattr(rules, kind)
    counted = Gated(
        (rule, Counting(rule.id, pattern) if pattern is not None else None, triggers)
        for rule, pattern, triggers in table
    )
    return dataclasses.replace(rules, **{kind: counted}), calls


def test_a_period_cue_is_not_searched_in_a_sentence_without_what_all_its_matches_hold() -> None:
    """The word "last" triggers the relative cue, but every match holds its unit ("last year"):
    a sentence with "last" and no year, quarter or month is not searched (`also`), one that has
    one is, once; so is a sentence in other letters, where lower-casing cannot tell."""
    rules, calls = counted_rules("period_cues")
    claims = extract_with_report("The last 42 boats were sold for $5 each.", rules=rules).claims
    assert [c.period for c in claims] == [None, None] and calls["relative"] == 0
    text = "Sales rose 5% last year."
    claims = extract_with_report(text, rules=rules, published=date(2021, 3, 1)).claims
    assert [c.period for c in claims] == ["2020"] and calls["relative"] == 1
    extract_with_report("The last 42 boats were sold for €5 each.", rules=rules)
    assert calls["relative"] == 2


def test_a_metric_is_not_searched_in_a_sentence_without_what_all_its_keywords_hold() -> None:
    """The word "bank" triggers the central bank's rate, but each of its keywords holds "rate",
    "funds" or "costs": a bank's figure in a sentence with none of them is not searched for it."""
    rules, calls = counted_rules("metrics")
    claims = extract_with_report("The bank lent 5.5 pct more to farmers.", rules=rules).claims
    assert [c.metric for c in claims] == ["other"] and calls["central_bank_rate"] == 0
    text = "The bank cut its discount rate to 5.5 pct."
    claims = extract_with_report(text, rules=rules).claims
    assert [c.metric for c in claims] == ["central_bank_rate"]
    assert calls["central_bank_rate"] == 1


def test_an_attribution_cue_s_word_list_is_a_prefix_tree_matched_in_the_case_written() -> None:
    """[[attribution]] source_verb's verbs are written in from `words.verbs` as a prefix tree (a
    flat list of 40 verbs was tried verb by verb after each name and each shorter one), in the
    case written: a capitalised "Says" is a word of a name, no verb."""
    rules = default_rules()
    cue = next(pattern for rule, pattern, _ in rules.attribution_cues if rule.id == "source_verb")
    assert "said|says" not in cue.pattern and "{verbs}" not in cue.pattern
    found = [
        (m.group("who"), m.group().split()[-1])
        for m in cue.finditer(
            "Orvane says sales rose, Pellam Says Co disclosed 5 pct, Varrow Forecasts forecast 2."
        )
    ]
    assert found == [
        ("Orvane", "says"),
        ("Pellam Says Co", "disclosed"),
        ("Varrow Forecasts", "forecast"),
    ]

"""The extractor's speed, guarded by counting work rather than timing it (CI machines are noisy).

bench/throughput.py times ledger.extract against a bare pattern pass (issue 14: 1/90 of it or
better). What made it fast, or slow again, is structural: a rule run once per figure that could
run once per sentence, a search for what cannot match, the Chinese path crossing English text.
These tests count that work on the seed articles, so such a change fails here, not weeks later
as a slower benchmark nobody can bisect.
"""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import ledger.extract_zh as extract_zh
import ledger.extraction.sentence_fields as sentence_fields
from ledger.extraction import extract_with_report
from ledger.rules import Gated, Rules, default_rules

SOURCES = Path(__file__).resolve().parent.parent / "sources"
SEEDS = [
    (SOURCES / row["file"]).read_text(encoding="utf-8")
    for row in csv.DictReader((SOURCES / "manifest.csv").open(encoding="utf-8"))
]


class Counted:
    """A compiled pattern that counts its calls by (string, pos, endpos), for the tests."""

    def __init__(self, name: str, pattern: Any, calls: Counter[tuple[str, str, int, int]]):
        self.name, self.pattern, self.calls = name, pattern, calls

    def __getattr__(self, attribute: str) -> Any:
        method = getattr(self.pattern, attribute)
        if attribute not in ("match", "search", "finditer", "findall", "fullmatch"):
            return method

        def counted(string: str, pos: int = 0, endpos: int | None = None, *rest: Any, **kw: Any):
            end = len(string) if endpos is None else min(endpos, len(string))
            self.calls[(self.name, string, pos, end)] += 1
            return method(string, pos, endpos if endpos is not None else len(string), *rest, **kw)

        return counted


def counted_sentence_rules(rules: Rules) -> tuple[Rules, Counter[tuple[str, str, int, int]]]:
    """A copy of `rules` whose sentence-level patterns (metric keywords, period and attribution
    cues, subjects, the writer's asides) count their calls."""
    calls: Counter[tuple[str, str, int, int]] = Counter()

    def gated(table: Gated[Any], kind: str) -> Gated[Any]:
        return Gated(
            (rule, Counted(f"{kind}:{i}", pattern, calls) if pattern else None, triggers)
            for i, (rule, pattern, triggers) in enumerate(table)
        )

    counted = dataclasses.replace(
        rules,
        metrics=gated(rules.metrics, "metric"),
        period_cues=gated(rules.period_cues, "period"),
        attribution_cues=gated(rules.attribution_cues, "attribution"),
        subject_name_cues=gated(rules.subject_name_cues, "subject_name"),
        own_aside=Counted("own_aside", rules.own_aside, calls),
        subject_pattern=Counted("subject", rules.subject_pattern, calls),
    )
    return counted, calls


@pytest.mark.parametrize("text", SEEDS, ids=[f"seed{i}" for i in range(len(SEEDS))])
def test_sentence_rules_run_once_per_sentence(text: str) -> None:
    """Subjects, metric keywords, period and attribution cues and the writer's asides are found
    once per sentence and looked up per figure: none runs twice over the same sentence, however
    many figures it holds (the asides once ran for each figure)."""
    rules, calls = counted_sentence_rules(default_rules())
    claims = extract_with_report(text, rules=rules).claims
    assert extract_with_report(text).claims == claims  # counting changes nothing
    assert bool(calls) == bool(claims)  # sentence rules run where figures are, only there
    repeated = {(name, string[:60]): n for (name, string, _, _), n in calls.items() if n > 1}
    assert repeated == {}


def test_a_figure_no_metric_fits_does_not_read_its_own_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A figure whose sentence names no metric takes `other` at once: the search for its own
    clause (which only tells apart metrics whose keywords it holds) is not run for it."""

    def not_called(*args: object) -> tuple[int, int]:
        raise AssertionError("the figure's own words were searched with no metric to choose")

    monkeypatch.setattr(sentence_fields, "_own_words", not_called)
    claims = extract_with_report("The club has 42 members and 7 boats.").claims
    assert [(c.quote, c.metric) for c in claims] == [("42 members", "other"), ("7 boats", "other")]


def test_english_text_never_enters_the_chinese_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Chinese hook runs on every text; with no Han character it stops at one search, so
    English text pays nothing for it (its sentences are neither folded nor split)."""

    def not_called(*args: object, **kwargs: object) -> None:
        raise AssertionError("English text went down the Chinese path")

    monkeypatch.setattr(extract_zh, "_add_sentence", not_called)
    monkeypatch.setattr(extract_zh, "_sentence_claims", not_called)
    english = [text for text in SEEDS if not extract_zh._HAN.search(text)]
    assert len(english) == 4  # one seed quotes a few Han characters
    for text in english:
        assert extract_with_report(text).claims  # each has figures; would raise in the path

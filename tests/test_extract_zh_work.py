"""The Chinese path's speed, guarded by counting its work rather than timing it (issue 20: no
more per character than the English path; bench/throughput.py --chinese times it).

What made it slow is structural, so it is counted here on the labelled Chinese sentences
(bench/golden_claims.py's documents: each sentence alone, each source's sentences joined, and
after an English sentence): a sentence rule run twice over one sentence, the English path
crossing Chinese text, cn2an asked for what it need not read.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from typing import Any

import pytest
from golden_claims import chinese_documents

import ledger.extract_zh as extract_zh
import ledger.extraction as extraction
from ledger.extraction import extract_with_report
from ledger.models import Claim
from ledger.rules import default_rules
from ledger.zh_rules import ZhRules, default_zh_rules

DOCUMENTS = list(chinese_documents())
MIXED = [text for doc_id, text, _ in DOCUMENTS if doc_id.endswith("/mixed")]
CHINESE = [text for doc_id, text, _ in DOCUMENTS if not doc_id.endswith("/mixed")]


class Counted:
    """A compiled pattern that counts its searches by (name, string, pos, endpos)."""

    def __init__(self, name: str, pattern: Any, calls: Counter[tuple[str, str, int, int]]):
        self.name, self.pattern, self.calls = name, pattern, calls

    def __getattr__(self, attribute: str) -> Any:
        method = getattr(self.pattern, attribute)
        if attribute not in ("match", "search", "finditer", "findall", "sub"):
            return method

        def counted(*args: Any, **kwargs: Any) -> Any:
            string = args[1] if attribute == "sub" else args[0]
            pos = args[1] if len(args) > 1 and attribute != "sub" else 0
            endpos = args[2] if len(args) > 2 and attribute != "sub" else len(string)
            self.calls[(self.name, string, pos, endpos)] += 1
            return method(*args, **kwargs)

        return counted


def counted_rules(rules: ZhRules) -> tuple[ZhRules, Counter[tuple[str, str, int, int]]]:
    """A copy of the Chinese rules whose sentence-level patterns count their calls."""
    calls: Counter[tuple[str, str, int, int]] = Counter()
    once = (
        *("figure", "subject_words", "metric_words", "metric_words_overlapped", "percent_words"),
        *("fraction", "tenths", "target_words"),
    )
    counted = dataclasses.replace(
        rules,
        **{name: Counted(name, getattr(rules, name), calls) for name in once},
        periods=[(pid, needs, Counted(pid, p, calls)) for pid, needs, p in rules.periods],
        attributions=[
            (needs, Counted(f"attribution:{i}", p, calls))
            for i, (needs, p) in enumerate(rules.attributions)
        ],
    )
    return counted, calls


def test_sentence_rules_run_once_per_chinese_sentence() -> None:
    """The figure pattern, the word forms, periods, attribution cues, subjects, metric keywords,
    target words and clause marks each cross a sentence once, however many figures it holds;
    no labelled sentence is searched again for overlapping metric keywords."""
    rules, calls = counted_rules(default_zh_rules())
    total = 0
    with_figures = 0
    for doc_id, text, published in DOCUMENTS:
        calls.clear()
        claims, sentences = extract_zh.extract_chinese(text, published=published, rules=rules)
        assert claims == extract_zh.extract_chinese(text, published=published)[0], doc_id
        total += len(claims)
        repeated = {(name, s[:30]): n for (name, s, _, _), n in calls.items() if n > 1}
        assert repeated == {}, doc_id
        # the figure pattern crossed each sentence whole, once
        figure = sorted((s, pos, end) for (name, s, pos, end) in calls if name == "figure")
        assert figure == sorted((s.text, 0, len(s.text)) for s in sentences), doc_id
        with_figures += len({c.sentence_start for c in claims})
        assert not any(name == "metric_words_overlapped" for (name, *_) in calls), doc_id
    assert total > 1_500 and with_figures > 600


def test_clause_marks_are_where_a_pattern_of_them_all_finds_them() -> None:
    """A sentence's clause marks, found by a str.find per mark, are the places a pattern of
    them all finds, in order, in every labelled sentence and where marks stand side by side."""
    rules = default_zh_rules()
    pattern = re.compile(f"[{re.escape(rules.file.change.clause_ends)}]")
    assert len(rules.clause_marks) == len(set(rules.file.change.clause_ends)) > 4
    texts = [s.text for text in CHINESE for s in extract_zh.chinese_sentences(text, rules)]
    texts += ["（）：，,(1)", "", "，"]
    for text in texts:
        marks = extract_zh.clause_marks(text, rules.clause_marks)
        assert marks == [m.start() for m in pattern.finditer(text)], text
    assert sum(len(extract_zh.clause_marks(t, rules.clause_marks)) for t in texts) > 500


def test_metric_keywords_that_overlap_are_all_named() -> None:
    """Keywords are found in one pass; where a keyword found may hold the start of another that
    runs past its end (研发支出 and 出口) and the sentence holds that other, it is searched again
    for overlapping ones, as a pass at every place would find them."""
    rules = default_zh_rules()
    assert rules.straddlers == {"研发支出": ("出口",)}

    def named(text: str) -> set[str]:
        return extract_zh._metrics_named(rules, extract_zh.Sentence(0, len(text), text))

    assert named("研发支出口径调整") == {"rd_spending", "trade"}
    assert named("研发支出增长，出口下降") == {"rd_spending", "trade"}
    assert named("全国居民消费价格上涨") == {"inflation"}
    assert named("芯片出口") == {"semiconductor_share", "trade"}
    assert named("没有关键词") == set()


def test_every_record_s_checkworthiness_is_the_weights_added() -> None:
    """The score looked up per claim is the README's weights added in their order from the
    claim's own fields, for every record of the labelled sets (and the table holds every one of
    the 64 answers)."""
    assert len(set(extract_zh._SCORES)) > 10 and extract_zh._SCORES[0] == 0.3
    assert extract_zh._SCORES[63] == 1.0
    records = 0
    for _, text, published in DOCUMENTS:
        for c in extract_zh.extract_chinese(text, published=published)[0]:
            weight = 0.0
            for holds, add in (
                (c.unit, 0.15),
                (c.metric != "other", 0.15),
                (c.subject, 0.10),
                (c.attribution, 0.15),
                (c.period, 0.05),
                (c.change or c.bound != "exact" or c.basis, 0.10),
            ):
                weight += add if holds else 0.0
            assert c.checkworthiness == round(min(0.30 + weight, 1.0), 3), c.quote
            records += 1
    assert records > 1_500


@pytest.mark.pure_python
def test_a_chinese_text_builds_nothing_for_the_english_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A text all in Chinese sentences leaves the English path no anchor, so its sentence index
    (a pass of the English boundary pattern over the whole text) is never built."""

    def not_built(*args: object, **kwargs: object) -> None:
        raise AssertionError("the English path's document was built for a Chinese text")

    monkeypatch.setattr(extraction, "Doc", not_built)
    rules = default_zh_rules()
    whole = [
        text
        for text in CHINESE
        if not any(
            text[lo:hi].strip()
            for lo, hi in extract_zh.gaps(len(text), extract_zh.chinese_sentences(text, rules))
        )
    ]
    assert len(whole) > 0.9 * len(CHINESE)  # a few hold a sentence mostly in Latin letters
    assert sum(len(extract_with_report(text).claims) for text in whole) > 1_000


@pytest.fixture
def crossed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The spans of text the English anchor passes cross, recorded as they cross them."""
    spans: list[tuple[int, int]] = []
    starts = extraction._starts

    def counted(pattern: Any, text: str, lo: int, hi: int, *rest: Any) -> list[int]:
        spans.append((lo, hi))
        return starts(pattern, text, lo, hi, *rest)

    monkeypatch.setattr(extraction, "_starts", counted)
    hinted = extraction._hinted_starts  # the number words' pass, asked where re finds a place

    def counted_hinted(
        pattern: Any, hint: Any, text: str, padded: str, lo: int, hi: int
    ) -> list[int]:
        spans.append((lo, hi))
        return hinted(pattern, hint, text, padded, lo, hi)

    monkeypatch.setattr(extraction, "_hinted_starts", counted_hinted)
    return spans


@pytest.mark.pure_python
def test_english_anchors_cross_only_the_text_between_chinese_sentences(
    crossed: list[tuple[int, int]],
) -> None:
    """In a text mixing both, the English path's anchor passes read only what no Chinese
    sentence covers (plus a few characters after each stretch), not the Chinese text again."""
    for text in MIXED:
        crossed.clear()
        claims = extract_with_report(text).claims
        sentences = extract_zh.chinese_sentences(text, default_zh_rules())
        outside = len(text) - sum(s.end - s.start for s in sentences)
        # anchor, anchor_point and anchor_word
        assert sum(hi - lo for lo, hi in crossed) == 3 * outside
        assert claims[0].rule != "zh_figure" and claims[-1].rule == "zh_figure"


@pytest.mark.pure_python
def test_english_text_crosses_its_text_once_per_anchor_pattern(
    crossed: list[tuple[int, int]],
) -> None:
    """With no Han character the Chinese path stops before folding or splitting, and the
    anchors cross the whole text once each."""
    text = "China's R&D spending rose 8.4% to 3.3 trillion yuan in 2023. Exports fell 2%."
    assert extract_zh.chinese_sentences(text, default_zh_rules()) == []
    claims = extract_with_report(text, rules=default_rules()).claims
    assert [c.quote for c in claims] == ["8.4%", "3.3 trillion yuan", "2%"]
    assert crossed == [(0, len(text))] * 3


def test_cn2an_reads_only_numerals_in_words_each_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Digits are read by float(); cn2an (some 30 us a call) only reads numerals in words, and
    each distinct one once, however often the text repeats it."""
    asked: Counter[str] = Counter()
    read = extract_zh.cn2an.cn2an

    def counted(text: str, mode: str) -> Any:
        asked[text] += 1
        return read(text, mode)

    monkeypatch.setattr(extract_zh.cn2an, "cn2an", counted)
    extract_zh.chinese_number.cache_clear()
    try:
        for _, text, published in DOCUMENTS:
            extract_with_report(text, published=published)
    finally:
        extract_zh.chinese_number.cache_clear()  # no reading made under the counter is kept
    assert asked and max(asked.values()) == 1
    assert not any(any(c.isascii() and c.isdigit() for c in numeral) for numeral in asked)


def test_other_letters_are_counted_only_where_the_han_share_is_in_doubt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sentence's letters other than Han are counted only when its Han characters are too
    few to make the share whatever the rest are: in 3 of the labelled sentences (two of them
    mostly digits, one a URL), and in one as much Latin as Han."""
    pattern = extract_zh._NOT_OTHER_LETTERS
    calls: Counter[tuple[str, str, int, int]] = Counter()
    monkeypatch.setattr(extract_zh, "_NOT_OTHER_LETTERS", Counted("other", pattern, calls))
    sentences = 0
    for text in CHINESE:
        sentences += len(extract_zh.chinese_sentences(text, default_zh_rules()))
    counted = {string for (_, string, _, _) in calls}
    assert sentences > 300 and len(counted) == 3
    assert any("GB/T4754" in string for string in counted)
    calls.clear()
    doubtful = "Huawei的HarmonyOS设备达到7亿台。"
    found = extract_zh.chinese_sentences(doubtful, default_zh_rules())
    assert [s.text for s in found] == [doubtful] and list(calls) == [
        ("other", doubtful, 0, len(doubtful))
    ]


@pytest.mark.pure_python
def test_numbers_no_reading_takes_are_let_go_before_one_is_tried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Years, dates and lone numerals (2021年, 一方面, 十四五) are two matches in five of the figure
    pattern: they are let go on their group spans, and a figure is read for few that it drops."""
    read = extract_zh._read_figure
    tried: list[bool] = []

    def counted(*args: Any) -> Any:
        figure = read(*args)
        tried.append(figure is not None)
        return figure

    monkeypatch.setattr(extract_zh, "_read_figure", counted)
    matches = 0
    for _, text, published in DOCUMENTS:
        _, sentences = extract_zh.extract_chinese(text, published=published)
        figure = default_zh_rules().figure
        matches += sum(1 for s in sentences for m in figure.finditer(s.text) if m.end() > m.start())
    assert len(tried) > 1_500 and matches > 1.4 * len(tried)
    assert tried.count(False) < 0.06 * len(tried)


def test_records_are_the_claims_validation_would_build() -> None:
    """The Chinese path builds its records without validating each field again: every record
    of the labelled sets is the one pydantic builds from the same fields, the same types (5.0,
    not 5), in the same order, with the same fields set."""
    records = 0
    for doc_id, text, published in DOCUMENTS:
        for claim in extract_zh.extract_chinese(text, published=published)[0]:
            given = {name: getattr(claim, name) for name in claim.model_fields_set}
            validated = Claim.model_validate(given)
            assert [repr(item) for item in claim.__dict__.items()] == [
                repr(item) for item in validated.__dict__.items()
            ], doc_id
            assert claim.model_fields_set == validated.model_fields_set
            assert claim.model_dump_json() == validated.model_dump_json()
            records += 1
    assert records > 1_500
    claim.related.append("0123456789abcdef")  # a record of its own, changed like any other
    assert claim.related == ["0123456789abcdef"] and validated.related == []


def test_han_is_counted_exactly_only_where_the_unified_ideographs_fall_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A sentence's share of Han is first taken from the CJK Unified Ideographs alone (counted
    by code point, every one of them Han, so a count never too high); the exact `\\p{Han}` count
    runs only on the few sentences that share does not settle, and they are read as before."""
    every = "".join(chr(c) for c in [*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000)])
    assert extract_zh._HAN.sub("", every) == ""  # all Han, as the regex module reads Unicode
    assert extract_zh.unified_ideographs(every) == len(every) == 6592 + 20992
    # the code points either side of the two blocks are not counted (〇 is Han, but not in them)
    outside = "\u33ff\u4dc0\u4dff\ua000〇a1，"
    assert extract_zh.unified_ideographs(outside) == 0
    calls: Counter[tuple[str, str, int, int]] = Counter()
    monkeypatch.setattr(extract_zh, "_NOT_HAN", Counted("han", extract_zh._NOT_HAN, calls))
    sentences = sum(len(extract_zh.chinese_sentences(text, default_zh_rules())) for text in CHINESE)
    counted = {string for (_, string, _, _) in calls}
    assert sentences > 300 and 0 < len(counted) <= 6
    assert any("GB/T4754" in string for string in counted)
    calls.clear()
    mostly_latin = "Huawei的HarmonyOS设备达到7亿台。"  # Han share in doubt: counted, still Chinese
    assert [s.text for s in extract_zh.chinese_sentences(mostly_latin, default_zh_rules())] == [
        mostly_latin
    ]
    assert list(calls) == [("han", mostly_latin, 0, len(mostly_latin))]

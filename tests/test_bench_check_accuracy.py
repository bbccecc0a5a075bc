"""bench/check_accuracy.py's labelled sets and what it prints for them: a sealed set shows its four
totals and nothing a tuner could read a figure from. The checker itself is not run here (the
sealed sets are run by the lead only), so these tests build the results by hand."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date

import check_accuracy
import pytest
from check_accuracy import LABEL_FILES, SEALED, Label, Result, cause, read_labels, report
from corpora import document_text
from shared_corpora import corpus_path

OUTCOME_BY_CATEGORY = {
    "checkable": {"consistent", "inconsistent", "revised"},
    "forecast": {"forecast"},
    "frequency": {"no-reference"},
    "company": {"no-reference"},
    "subnational": {"no-reference"},
}
OUTCOME_COUNTS = "\nby expected outcome (expected -> got), sealed sets left out:"
MISSES = "\nmisses (sealed sets left out):"
# A figure's span holds digits or a number word ("two pct", "NINE PCT").
FIGURE = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|half)\b", re.I)


@pytest.mark.parametrize("name", ["heldout3", "heldout4", "heldout5"])
def test_a_set_unsealed_by_issue_15s_fourth_fifth_or_sixth_round_is_seen_its_misses_are_listed(
    name: str,
) -> None:
    seen = read_labels(LABEL_FILES[name])
    assert name not in SEALED

    lines = report({name: seen}, wrong_results(seen), references="pack", misses=True)

    assert [line.split()[1] for line in lines[lines.index(MISSES) + 1 :]] == [
        label.doc_id for label in seen
    ]


def test_heldout6_is_sealed_and_its_run_prints_no_row() -> None:
    # labelled to judge the round that unseals heldout5; run by the lead only, at the end
    fresh = read_labels(LABEL_FILES["heldout6"])
    assert {"heldout6"} == SEALED

    lines = report({"heldout6": fresh}, wrong_results(fresh), references="pack", misses=True)

    assert len(lines) == 5 + 2  # its header and four totals, then two empty headings
    assert lines[-2:] == [OUTCOME_COUNTS, MISSES]


@pytest.mark.parametrize("name", sorted(SEALED))
def test_a_sealed_set_is_a_split_of_the_command(name: str) -> None:
    assert LABEL_FILES[name].name == f"official_checks_{name}.csv"
    assert LABEL_FILES[name].exists()
    split = next(p for p in check_accuracy.main.params if p.name == "split")
    assert name in split.type.choices  # type: ignore[attr-defined]
    assert name in (split.help or "")


def wrong_results(labels: list[Label]) -> list[Result]:
    """Every label judged wrongly, so each one would be listed if its set were open."""
    return [
        Result(
            label,
            "consistent" if label.expected != "consistent" else "inconsistent",
            "a quote",
            1,
            "compared with a made-up reference",
        )
        for label in labels
    ]


@pytest.mark.parametrize("name", sorted(SEALED))
def test_a_sealed_set_prints_its_four_totals_and_no_row(name: str) -> None:
    sealed = read_labels(LABEL_FILES[name])
    fit = read_labels(LABEL_FILES["fit"])[:2]
    results = wrong_results(sealed) + wrong_results(fit)

    lines = report({name: sealed, "fit": fit}, results, references="pack", misses=True)

    text = "\n".join(lines)
    words = set(text.split())
    for label in sealed:
        assert label.doc_id not in words
        assert label.note not in text
    header = lines.index(f"\n{len(sealed)} labelled figures ({LABEL_FILES[name].name}); "
                         "references: pack")  # fmt: skip
    totals = lines[header + 1 : header + 5]
    checkable = sum(label.category == "checkable" for label in sealed)
    company = sum(label.category == "company" for label in sealed)
    uncheckable = len(sealed) - checkable
    # every checkable figure got a verdict (a wrong one), none agrees, every other one was judged
    assert [line.split()[-4:] for line in totals] == [
        [str(checkable), "/", str(checkable), "100.0%"],
        ["0", "/", str(len(sealed)), "0.0%"],
        [str(uncheckable), "/", str(uncheckable), "100.0%"],
        [str(company), "/", str(company), "100.0%"],
    ]
    # the open set's rows are still listed: its outcome counts and its misses
    counts = lines[lines.index(OUTCOME_COUNTS) + 1 : lines.index(MISSES)]
    assert sum(int(line.split()[-1]) for line in counts) == len(fit)
    assert [line.split()[1] for line in lines[lines.index(MISSES) + 1 :]] == [
        label.doc_id for label in fit
    ]


@pytest.mark.parametrize("name", sorted(SEALED))
def test_a_sealed_set_alone_prints_no_outcome_counts(name: str) -> None:
    sealed = read_labels(LABEL_FILES[name])

    lines = report({name: sealed}, wrong_results(sealed), references="pack", misses=True)

    assert lines[lines.index(OUTCOME_COUNTS) + 1 :] == [MISSES]


def publication_date(published: str) -> date:
    """A day, a month or a year (BBC stories are dated from their text, some only to the month),
    as the day it starts on."""
    year, month, day = (published.split("-") + ["01", "01"])[:3]
    return date(int(year), int(month), int(day))


@pytest.mark.parametrize("split", sorted(LABEL_FILES))
def test_label_rows_are_well_formed(split: str) -> None:
    labels = read_labels(LABEL_FILES[split])
    assert len(labels) >= 60
    for label in labels:
        assert label.corpus in ("bbc", "reuters")
        assert 0 <= label.start < label.end
        assert label.expected in OUTCOME_BY_CATEGORY[label.category], label
        assert publication_date(label.published), label
        assert label.note
    assert len({(label.doc_id, label.start) for label in labels}) == len(labels)


def test_the_third_held_out_set_has_no_story_of_an_earlier_set() -> None:
    earlier = {
        label.doc_id
        for split in ("fit", "heldout", "heldout2")
        for label in read_labels(LABEL_FILES[split])
    }
    stories = {label.doc_id for label in read_labels(LABEL_FILES["heldout3"])}
    assert len(stories) >= 50
    assert not stories & earlier


@pytest.mark.parametrize(
    ("name", "earlier_splits"),
    [
        ("heldout4", ("fit", "heldout", "heldout2", "heldout3")),
        ("heldout5", ("fit", "heldout", "heldout2", "heldout3", "heldout4")),
        ("heldout6", ("fit", "heldout", "heldout2", "heldout3", "heldout4", "heldout5")),
    ],
)
def test_a_later_held_out_set_has_no_story_of_an_earlier_set(
    name: str, earlier_splits: tuple[str, ...]
) -> None:
    earlier = {
        label.doc_id for split in earlier_splits for label in read_labels(LABEL_FILES[split])
    }
    labels = read_labels(LABEL_FILES[name])
    stories = {label.doc_id for label in labels}
    assert len(stories) >= 50
    assert not stories & earlier
    # at most two figures a story, as it was picked
    assert max(sum(label.doc_id == story for label in labels) for story in stories) <= 2


def test_every_labelled_span_is_a_figure_in_its_story() -> None:
    labels = [label for split in LABEL_FILES for label in read_labels(LABEL_FILES[split])]
    wanted = {label.doc_id for label in labels}
    texts = {}
    for corpus in ("bbc", "reuters"):
        with gzip.open(corpus_path(corpus), "rt", encoding="utf-8") as lines:
            for line in lines:
                document = json.loads(line)
                if document["id"] in wanted:
                    texts[document["id"]] = document_text(document)
    bad = [
        (label.doc_id, label.start, label.end)
        for label in labels
        if label.end > len(texts[label.doc_id])
        or not FIGURE.search(texts[label.doc_id][label.start : label.end])
    ]
    assert bad == []  # ids and offsets only: no story text in a failure message


def label(category: str, expected: str, note: str) -> Label:
    return Label("reuters", "reuters21578-1", 10, 17, "1987-03-20", category, expected, note)


@pytest.mark.parametrize(
    ("outcome", "explanation", "expected", "note", "why"),
    [
        ("no-reference", "not extracted", "consistent", "FRA 1986", "not extracted"),
        ("no-reference", "claim: 1.8%, 1986; no metric, nothing to compare; no-reference",
         "revised", "AUT 1986 GDP", "no metric"),
        ("no-reference", "claim: 2%, 1986-02; a monthly figure: no official monthly value for "
         "FRA in 1986-02; not loaded, so not compared: NGDP_RPCH", "consistent", "FRA 1986 GDP",
         "frequency mismatch (read as monthly)"),
        ("forecast", "claim: more than 3%, 2004; forecast words (expected_to)", "revised",
         "GBR 2004", "refusal cue firing wrongly: forecast expected_to"),
        ("inconsistent", "claim: 9%, 1986; World Bank: 3.55 percent for LCN 1986; inconsistent",
         "consistent", "PER 1986 GDP: WDI 9.43", "wrong subject"),
        ("revised", "claim: 2.4%, 1986; WDI: 2.29 percent for DEU 1986; revised; not loaded, "
         "so not compared: NGDP_RPCH", "consistent", "DEU (West) 1986 GNP: WEO 2.42",
         "missing series in the pack"),
        ("inconsistent", "claim: 55.67 USD, 2004; U.S. Energy Information Administration, Spot "
         "prices (petroleum): EIA:RWTC Cushing WTI Spot Price; PDDL-1.0: 41.51 USD for WTI "
         "2004; inconsistent", "consistent", "WTI October 2004 daily high 56.37",
         "a day's quote checked against the year's average"),
    ],
)  # fmt: skip
def test_why_names_the_step_that_lost_a_figure(
    outcome: str, explanation: str, expected: str, note: str, why: str
) -> None:
    result = Result(label("checkable", expected, note), outcome, "a quote", 0, explanation)
    assert cause(result) == why


@pytest.mark.parametrize("name", sorted(SEALED))
def test_why_lists_no_figure_of_a_sealed_set(name: str) -> None:
    sealed = read_labels(LABEL_FILES[name])
    fit = read_labels(LABEL_FILES["fit"])[:3]
    results = wrong_results(sealed) + wrong_results(fit)

    lines = report({name: sealed, "fit": fit}, results, references="pack", misses=False, why=True)

    why = lines[lines.index("\nwhy (figures judged wrongly, sealed sets left out):") + 1 :]
    listed = [line.split()[0] for line in why if line.startswith("  reuters") or
              line.startswith("  bbc")]  # fmt: skip
    assert listed == [label.doc_id for label in fit]
    assert sum(int(line.split()[0]) for line in why[why.index("by cause:") + 1 :]) == len(fit)

"""bench/accuracy.py's sealed news batches: registered as suites, their labels readable, and
`--misses` refused on them before any extractor is set up (a sealed batch's misses, once read,
would make it a fit set). Nothing here runs an extractor on a news sentence. The third batch was
sealed until issue 14's fourth round; the refusal is tested with it sealed again for the test."""

from __future__ import annotations

import doctest
from collections import Counter
from pathlib import Path

import accuracy
import pytest
from click.testing import CliRunner
from news_labels import BOUNDS, HELDOUT3, load_labels
from shared_corpora import corpus_path

ROOT = Path(__file__).resolve().parent.parent


def test_the_third_batch_is_a_news_suite_seen_since_the_fourth_round():
    assert accuracy.NEWS_SETS["news-heldout3"] == HELDOUT3
    assert "news-heldout3" not in accuracy.HELD_OUT_SETS
    assert HELDOUT3.exists()
    assert accuracy.sealed_sets_asked(("news-heldout3",), HELDOUT3) == []


@pytest.fixture
def third_batch_sealed(monkeypatch):
    """The third batch sealed again, as it was until the fourth round, to test the refusal."""
    monkeypatch.setattr(accuracy, "HELD_OUT_SETS", {"news-heldout3"})


@pytest.fixture
def no_extractor(monkeypatch):
    """Setting up any extractor, or scoring any set, fails the test: the refusal comes first."""

    def forbidden(*args, **kwargs):
        raise AssertionError("accuracy.py went on to run a sealed set")

    for name in (
        "load_suites",
        "ledger_extractor",
        "quantulum_extractor",
        "recognizers_extractor",
        "cqe_extractor",
        "run_news",
    ):
        monkeypatch.setattr(accuracy, name, forbidden)


@pytest.mark.parametrize(
    "args, named",
    [
        (["--suite", "news-heldout3"], "news-heldout3"),
        (["--suite", "news-heldout3", "--suite", "news"], "news-heldout3"),
        # the same labels given to the `news` suite, by another spelling of the path
        (["--suite", "news", "--labels", "bench/labels/news_heldout3.jsonl"], "news --labels"),
        (["--labels", "bench/../bench/labels/news_heldout3.jsonl"], "news --labels"),
    ],
)
def test_misses_are_refused_on_a_sealed_batch(
    args, named, third_batch_sealed, no_extractor, monkeypatch, tmp_path
):
    monkeypatch.chdir(ROOT)
    # --peer-specs must name a folder that exists; a clean clone may have no ../shared beside it
    peer_specs = ["--peer-specs", str(tmp_path)]
    result = CliRunner().invoke(accuracy.main, [*args, *peer_specs, "--misses", "ledger"])
    assert result.exit_code == 1, result.output
    assert f"--misses refused: {named}" in result.output
    assert "is sealed" in result.output


def test_the_first_three_held_out_batches_are_seen():
    # issue 14's third round read the misses of the first two, its fourth those of the third
    assert not {"news-heldout", "news-heldout2", "news-heldout3"} & accuracy.HELD_OUT_SETS
    seen = ("news-heldout", "news-heldout2", "news-heldout3")
    assert accuracy.sealed_sets_asked(seen, accuracy.LABELS) == []


def test_misses_of_the_fit_set_are_not_refused(third_batch_sealed):
    assert accuracy.sealed_sets_asked(("news",), accuracy.LABELS) == []
    assert accuracy.sealed_sets_asked(("CurrencyModel",), HELDOUT3) == []


def test_doctests():
    assert doctest.testmod(accuracy).failed == 0


def test_the_third_batch_resolves_in_the_corpora():
    corpus_path("bbc"), corpus_path("reuters")
    sentences = load_labels(HELDOUT3)
    assert [s.id for s in sentences] == [f"s{n}" for n in range(2301, 2445)]
    assert Counter(s.corpus for s in sentences) == {"bbc": 48, "reuters": 48, "topical": 48}
    quantities = [q for s in sentences for q in s.quantities]
    assert len(quantities) == 186
    assert sum(q.checkworthy for q in quantities) == 149
    for sentence in sentences:
        for q in sentence.quantities:
            quote = sentence.text[q.start - sentence.start : q.end - sentence.start]
            assert sentence.start <= q.start < q.end <= sentence.end
            assert quote and quote == quote.strip(), (sentence.id, quote)
            assert q.bound in BOUNDS
            assert (q.value is None) == q.vague, (sentence.id, quote)
            # fields only on check-worthy figures
            assert q.checkworthy or not (q.period or q.subject or q.attribution)

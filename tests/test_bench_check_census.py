"""bench/check_census.py: what it counts as a flag, and which stories it leaves out."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import check_census  # noqa: E402


def test_a_sentence_is_flagged_by_each_class_it_names() -> None:
    assert check_census.flags(
        "Exxon Corp signed a deal to buy Saudi crude for 17.52 dlrs a barrel."
    ) == ["company named"]
    assert check_census.flags("London house prices rose 10% last year.") == [
        "sector or trade",
        "city or region",
    ]
    assert check_census.flags("Standard Oil rejected the 70 dlrs per share tender offer.") == [
        "shares or index"
    ]
    assert check_census.flags("The economy grew 2.5% in 1986.") == []
    # the banks' base rates in general are Bank Rate (the check compares them), one bank's its own
    assert check_census.flags("Major U.K. banks lowered their base lending rates to 9.5 pct.") == []
    assert check_census.flags("Barclays cut its base rate to 10 pct.") == ["its / the company's"]
    assert check_census.flags("The firms raised their prices by 5 pct.") == ["its / the company's"]
    assert check_census.flags(None) == []  # type: ignore[arg-type]


def test_every_labelled_story_is_left_out() -> None:
    stories = check_census.labelled_stories()
    with open(BENCH / "labels" / "official_checks.csv", encoding="utf-8", newline="") as handle:
        fit = {row["doc_id"] for row in csv.DictReader(handle)}
    assert fit <= stories
    assert len(stories) > len(fit)  # the news sets' stories too

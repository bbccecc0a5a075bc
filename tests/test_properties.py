"""Invariants of `ledger.extract` for any text (hypothesis): no crash, offsets true, ids stable.

Examples are derandomised (the same inputs on every run) and capped so the file runs in seconds;
bench/fuzz_extract.py is the long, open-ended search for the same failures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import extract
from ledger.models import Claim, claim_id

PROPERTY = settings(
    max_examples=150,
    deadline=timedelta(seconds=2),
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# Pieces of news-like text: figures, scale words, currencies, qualifiers, and the odd characters
# real pages carry (no-break and thin spaces, other scripts' digits, fractions, superscripts).
FRAGMENTS = [
    "1", "12", "3.5", "1,000", "1,234,567", "0.05", "2024", "1.2.3", "10,00", "1e6", "-4", "+7",
    "$", "US$", "£", "€", "¥", "%", " per cent", " percent", " percentage points", "bn", "m",
    " million", " billion", " trillion", " thousand", "k", " people", " tonnes", " km", "mph",
    "about ", "nearly ", "more than ", "at least ", "up to ", "between ", " and ", " to ", "-",
    "–", "—", " rose ", " fell ", " by ", " from ", " times", "half", "a third", "Q4 ", "March ",
    " said", ", according to Reuters", ".", ",", ";", ":", "(", ")", "[", "]", '"', "'", "\n",
    "\n\n", " ", "\u00a0", "\u2009", "\u202f", "\t", "٣", "१२", "１２", "½", "²", "e\u0301",
    "\ufeff", "\u200b", "😀", "İ", "ß", "ﬁ", "\r\n",
]  # fmt: skip

newsy_text = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=200), newsy_text)

# A sentence with figures, built from a small grammar, and number-free text to wrap it in.
SUBJECTS = ["The economy", "Exports", "Chip output", "Spending on research", "The city's budget"]
VERBS = ["grew", "fell", "reached", "was", "rose to", "dropped to"]
UNRELATED = [
    "The weather was mild.",
    "Officials met on Tuesday.",
    "Critics were not convinced.",
    "The report was published online.",
    "Nobody answered the phone at the ministry.",
    "Photo: VCG\n",  # a caption line: a break of its own
]


def _number(n: int, decimals: int) -> str:
    return f"{n:,}" if decimals == 0 else f"{n / 10**decimals:,.{decimals}f}"


numbers = st.builds(_number, st.integers(1, 999_999), st.integers(0, 2))
whole_numbers = st.builds(_number, st.integers(2, 999_999), st.just(0))  # things counted
figures = st.one_of(
    st.builds("${} {}".format, numbers, st.sampled_from(["million", "billion", "trillion"])),
    st.builds("{}%".format, numbers),
    st.builds("{} per cent".format, numbers),
    st.builds("{} people".format, whole_numbers),
    st.builds("about {} tonnes".format, numbers),
    st.builds("between {} and {} jobs".format, whole_numbers, whole_numbers),
)
claim_sentences = st.builds(
    "{} {} {} in {}.".format,
    st.sampled_from(SUBJECTS),
    st.sampled_from(VERBS),
    figures,
    st.integers(1990, 2030),
)
unrelated_text = st.lists(st.sampled_from(UNRELATED), max_size=4).map(" ".join)
joiners = st.sampled_from([" ", "\n", "\n\n"])


def check_offsets(text: str, claims: list[Claim]) -> None:
    for claim in claims:
        assert 0 <= claim.start <= claim.end <= len(text)
        assert text[claim.start : claim.end] == claim.quote
        sentence_end = claim.sentence_start + len(claim.sentence)
        assert text[claim.sentence_start : sentence_end] == claim.sentence
        assert claim.sentence_start <= claim.start and claim.end <= sentence_end


def normalised(claim: Claim, shift: int = 0) -> dict:
    """What a claim says, offsets made relative, so the same claim compares equal anywhere."""
    return claim.model_dump(exclude={"related"}) | {
        "start": claim.start - shift,
        "end": claim.end - shift,
        "sentence_start": claim.sentence_start - shift,
    }


@PROPERTY
@given(any_text)
def test_any_text_extracts_with_true_offsets(text: str) -> None:
    claims = extract(text)
    assert isinstance(claims, list)
    check_offsets(text, claims)


@PROPERTY
@given(any_text)
def test_same_text_same_claims_and_ids(text: str) -> None:
    first, second = extract(text), extract(text)
    assert [c.model_dump() for c in first] == [c.model_dump() for c in second]
    ids = [claim_id("src", c.fingerprint) for c in first]
    assert len(set(ids)) == len(ids), "two claims in one text share an id"


@PROPERTY
@given(claim_sentences)
def test_grammar_sentences_give_claims(sentence: str) -> None:
    """The wrapping property below is only worth something if these sentences have claims."""
    claims = extract(sentence)
    check_offsets(sentence, claims)
    assert claims, sentence
    assert all(c.fingerprint for c in claims)


@PROPERTY
@given(unrelated_text, joiners, claim_sentences, joiners, unrelated_text)
def test_unrelated_text_around_a_sentence_changes_nothing(
    before: str, join_before: str, sentence: str, join_after: str, after: str
) -> None:
    prefix = before + join_before if before else ""
    suffix = join_after + after if after else ""
    text = prefix + sentence + suffix
    alone = [normalised(c) for c in extract(sentence)]
    wrapped = extract(text)
    check_offsets(text, wrapped)
    assert [normalised(c, shift=len(prefix)) for c in wrapped] == alone


SAMPLE = (
    "Harbour Town said on Monday its new bridge cost $12 million, about 20% more than planned.\n\n"
    "Traffic rose 4.5 per cent to some 40,000 cars a day in 2024, the council said. "
    "Between 300 and 400 jobs were created; 1.2 million people live nearby."
)

IDS_SCRIPT = """
import json, sys
from ledger import extract
from ledger.models import claim_id
text = sys.stdin.read()
print(json.dumps([[c.quote, claim_id("900_sample", c.fingerprint)] for c in extract(text)]))
"""


def test_ids_are_the_same_in_other_processes() -> None:
    """Nothing in an id may depend on the process: hash seeds, set order, import order."""
    here = [[c.quote, claim_id("900_sample", c.fingerprint)] for c in extract(SAMPLE)]
    assert len(here) >= 4
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", IDS_SCRIPT],
            input=SAMPLE,
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=60,
        ).stdout
        assert json.loads(out) == here

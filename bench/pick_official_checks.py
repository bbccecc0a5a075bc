"""Draw the candidate figures an official-statistics labelled set is picked from, at random with
recorded seeds, as bench/labels/official_checks_heldout3.csv, official_checks_heldout4.csv,
official_checks_heldout5.csv and official_checks_heldout6.csv were (bench/labels/README.md): `--set`
names the set whose exact procedure (sets left out, draws) is repeated.

A candidate is a figure ("2.5 pct", "9.5%", "145 yen", "$41.48", "18 dlrs a barrel") in a sentence
with a macro word, in a Reuters story tagged with a macro topic or a BBC business story, in none of
the labelled sets that existed when the set was picked, nor repeating a sentence of theirs. Each
draw samples its own pool; the labeller reads the draws in order and labels, or passes over, each
figure. Ledger is never run here: the candidates come from these patterns alone, so labelling them
tells nothing of ledger's output.

Prints one JSON line per drawn figure: the draw, its rank in the draw, corpus, story id, character
span in the story's title + text (bench/corpora.py `document_text`), the wire date, and the
sentence, for reading only: write the output outside the repository, never commit it.

    python bench/pick_official_checks.py --set heldout6 > /tmp/official-candidates.jsonl
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import click
from corpora import document_text, iter_corpus, require_corpora

LABELS = Path(__file__).resolve().parent / "labels"
# The labelled sets that existed when official_checks_heldout3.csv was picked: their stories are
# left out, and so is any sentence of theirs repeated in another story.
EARLIER_SETS_HELDOUT3 = (
    "official_checks.csv",
    "official_checks_heldout.csv",
    "official_checks_heldout2.csv",
    "news.jsonl",
    "news_heldout.jsonl",
    "news_heldout2.jsonl",
    "news_fields_heldout.jsonl",
    "news_fields_heldout2.jsonl",
)
# Each later set also leaves out the set before it and the news batch labelled beside that one.
EARLIER_SETS_HELDOUT4 = (
    *EARLIER_SETS_HELDOUT3,
    "official_checks_heldout3.csv",
    "news_heldout3.jsonl",
)
EARLIER_SETS_HELDOUT5 = (
    *EARLIER_SETS_HELDOUT4,
    "official_checks_heldout4.csv",
    "news_heldout4.jsonl",
)
EARLIER_SETS_HELDOUT6 = (
    *EARLIER_SETS_HELDOUT5,
    "official_checks_heldout5.csv",
    "news_heldout5.jsonl",
)
REUTERS_TOPICS = {"gnp", "cpi", "jobs", "bop", "trade", "money-fx", "interest", "crude"}
MACRO_WORD = re.compile(
    r"""growth | grew | \bgdp\b | \bgnp\b | gross\ (?:domestic|national)\ product | econom
    | inflation | consumer\ prices | cost\ of\ living | retail\ prices     # prices
    | unemploy | jobless | current\ account | trade\ (?:deficit|surplus)
    | dollar | \byen\b | \bmarks?\b | sterling | \beuro\b | francs?          # currencies
    | \boil\b | crude | barrel
    | base\ rate | interest\ rate | discount\ rate""",
    re.IGNORECASE | re.VERBOSE,
)
GROWTH_PRICES_JOBS = re.compile(
    r"growth|grew|\bgdp\b|\bgnp\b|inflation|consumer prices|unemploy|jobless", re.IGNORECASE
)
A_YEAR = re.compile(r"\b(?:19[5-9]\d|200[0-5])\b|last year", re.IGNORECASE)
FIGURE = re.compile(
    r"""(?:\$|US\$)?\d+(?:[.,]\d+)*(?:\s|-)?                       # a number, maybe after $
        (?:(?:pct|per\ cent|percent|yen|marks|francs|dlrs\ a\ barrel|dlrs|a\ barrel)\b|%)
    | \$\d+(?:\.\d+)?(?:\ a\ barrel)?                             # $41.48, $6bn's $6
    | \b(?:one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:pct|per\ cent)""",
    re.IGNORECASE | re.VERBOSE,
)
# A sentence ends at . ! or ? before a capital or a quote, or at a blank line.
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])|\n\s*\n")
BBC_MARKET_LEVEL = re.compile(
    r"[0-9] a barrel|\$1\.[0-9]|[0-9] yen|base rate|interest rates? (?:at|to) "
)
REGIONAL_WORD = re.compile(
    r"\b(?:London|Scotland|Scottish|Wales|Welsh|Northern Ireland|California|Texas|Alberta"
    r"|Ontario|Quebec|Bavaria|province|state's|region's)\b"
)
MARKET_LEVEL = re.compile(r"yen|marks|barrel", re.IGNORECASE)  # a rate or a price, not a change
POUND_IN_DOLLARS = re.compile(r"\A\$?1[.,]\d+\s*dlrs\Z")  # "1.6075 dlrs", sterling's rate
OIL_OR_CURRENCY = re.compile(r"oil|crude|barrel|dollar|euro|yen|sterling", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    corpus: str
    doc_id: str
    start: int
    end: int
    figure: str
    sentence: str  # whitespace folded, for reading
    published: str  # the wire date; BBC stories have none
    year_dated: bool  # a growth, price or jobs word and a year in the sentence


@dataclass(frozen=True)
class Draw:
    name: str
    seed: int
    count: int
    keep: Callable[[Candidate], bool]


@dataclass(frozen=True)
class Procedure:
    """How one labelled set was picked: the sets whose stories it leaves out, and its draws."""

    earlier_sets: tuple[str, ...]
    draws: tuple[Draw, ...]


def is_bbc(candidate: Candidate) -> bool:
    return candidate.corpus == "bbc"


def opening_draws(seed_base: int) -> tuple[Draw, ...]:
    """The five draws heldout4 and later sets open with, seeded seed_base + 1 to + 5: all figures,
    year-dated ones, BBC growth/price/jobs ones, BBC market levels and regional ones."""
    return (
        Draw("A", seed_base + 1, 120, lambda c: True),
        Draw("B", seed_base + 2, 200, lambda c: c.year_dated),
        Draw(
            "C",
            seed_base + 3,
            60,
            lambda c: is_bbc(c) and bool(GROWTH_PRICES_JOBS.search(c.sentence)),
        ),
        Draw(
            "D",
            seed_base + 4,
            50,
            lambda c: is_bbc(c) and bool(BBC_MARKET_LEVEL.search(c.sentence)),
        ),
        Draw("E", seed_base + 5, 30, lambda c: bool(REGIONAL_WORD.search(c.sentence))),
    )


# In the order they were read. Each samples its own pool, so one draw never shifts another.
DRAWS_HELDOUT3 = (
    Draw("A", 41, 110, lambda c: True),
    Draw("B", 5, 60, lambda c: c.year_dated),
    Draw("C", 51, 40, lambda c: is_bbc(c) and bool(GROWTH_PRICES_JOBS.search(c.sentence))),
    Draw("E", 6, 100, lambda c: c.year_dated),
    Draw("F", 7, 160, lambda c: c.year_dated),
    Draw("G", 71, 40, lambda c: is_bbc(c) and bool(BBC_MARKET_LEVEL.search(c.sentence))),
    Draw("H", 81, 12, lambda c: bool(REGIONAL_WORD.search(c.sentence))),
    Draw("D", 52, 30, lambda c: is_bbc(c) and bool(OIL_OR_CURRENCY.search(c.sentence))),
)
PROCEDURES = {
    "heldout3": Procedure(EARLIER_SETS_HELDOUT3, DRAWS_HELDOUT3),
    # heldout3 and the news batch labelled beside it are left out too, with new seeds.
    "heldout4": Procedure(
        EARLIER_SETS_HELDOUT4,
        (
            *opening_draws(400),
            # read after A-E gave fewer checkable figures than heldout3's share
            Draw("F", 406, 150, lambda c: c.year_dated),
            Draw("G", 407, 60, lambda c: bool(MARKET_LEVEL.search(c.figure))),
        ),
    ),
    "heldout5": Procedure(
        EARLIER_SETS_HELDOUT5,
        (
            *opening_draws(500),
            Draw("F", 506, 60, lambda c: bool(MARKET_LEVEL.search(c.figure))),
            # read after A-F gave fewer checkable figures than the earlier sets' share (B had
            # drawn nearly all of the 203 year-dated ones)
            Draw("G", 507, 100, lambda c: bool(MARKET_LEVEL.search(c.figure))),
            Draw("H", 508, 150, lambda c: True),
        ),
    ),
    "heldout6": Procedure(
        EARLIER_SETS_HELDOUT6,
        (
            *opening_draws(600),
            Draw("F", 606, 60, lambda c: bool(MARKET_LEVEL.search(c.figure))),
            # read after A-F gave far fewer checkable figures than the earlier sets' share (B
            # drew all 151 year-dated ones)
            Draw("G", 607, 150, lambda c: bool(MARKET_LEVEL.search(c.figure))),
            Draw("H", 608, 200, lambda c: True),
            # then, still short of checkable and of BBC figures: sterling's dollar rates and
            # BBC figures of any kind
            Draw("I", 609, 40, lambda c: bool(POUND_IN_DOLLARS.search(c.figure))),
            Draw("J", 610, 60, is_bbc),
            # and, with about 27 checkable figures after A-J, every yen, mark or barrel level
            # (the 187 of them: F and G had drawn 165) and 200 more of all; then, at about 34,
            # 250 more of all
            Draw("K", 611, 200, lambda c: bool(MARKET_LEVEL.search(c.figure))),
            Draw("L", 612, 200, lambda c: True),
            Draw("M", 613, 250, lambda c: True),
        ),
    ),
}


def sentences(text: str) -> Iterator[tuple[int, str]]:
    """Each sentence of `text` with its offset.

    >>> list(sentences("Growth was 2 pct. Inflation fell.\\n\\nREUTER"))
    [(0, 'Growth was 2 pct.'), (18, 'Inflation fell.'), (35, 'REUTER')]
    """
    start = 0
    for match in SENTENCE_BREAK.finditer(text):
        yield start, text[start : match.start()]
        start = match.end()
    yield start, text[start:]


def fold(sentence: str) -> str:
    return " ".join(sentence.split())


def earlier_stories(earlier_sets: tuple[str, ...]) -> set[str]:
    stories: set[str] = set()
    for name in earlier_sets:
        with open(LABELS / name, encoding="utf-8", newline="") as handle:
            if name.endswith(".csv"):
                stories |= {row["doc_id"] for row in csv.DictReader(handle)}
            else:
                stories |= {json.loads(line)["doc"] for line in handle}
    return stories


def is_macro_story(corpus: str, document: dict) -> bool:
    if corpus == "reuters":
        return bool(REUTERS_TOPICS & set(document.get("topics") or []))
    return document.get("category") == "business"


def candidates(earlier_sets: tuple[str, ...]) -> list[Candidate]:
    """Every figure near a macro word in the macro stories of no earlier set, each sentence once:
    the corpora repeat stories under other ids, so a sentence of an earlier set's story is out."""
    earlier = earlier_stories(earlier_sets)
    seen: set[str] = set()  # the earlier sets' sentences, then every sentence taken
    for corpus in ("reuters", "bbc"):
        for document in iter_corpus(corpus):
            if document["id"] in earlier:
                seen |= {fold(s) for _, s in sentences(document_text(document)) if len(s) > 40}
    found = []
    for corpus in ("reuters", "bbc"):
        for document in iter_corpus(corpus):
            if document["id"] in earlier or not is_macro_story(corpus, document):
                continue
            for offset, sentence in sentences(document_text(document)):
                folded = fold(sentence)
                if not MACRO_WORD.search(sentence) or folded in seen:
                    continue
                seen.add(folded)
                year_dated = bool(GROWTH_PRICES_JOBS.search(sentence) and A_YEAR.search(sentence))
                found += [
                    Candidate(
                        corpus,
                        document["id"],
                        offset + figure.start(),
                        offset + figure.end(),
                        figure.group(),
                        folded,
                        (document.get("date") or "")[:10],
                        year_dated,
                    )  # fmt: skip
                    for figure in FIGURE.finditer(sentence)
                ]
    return found


def drawn(pool: list[Candidate], draws: tuple[Draw, ...]) -> Iterator[tuple[Draw, int, Candidate]]:
    """Each draw's sample of its pool, the pool sorted by story id and offset first."""
    ordered = sorted(pool, key=lambda c: (c.doc_id, c.start))
    for draw in draws:
        kept = [candidate for candidate in ordered if draw.keep(candidate)]
        sample = random.Random(draw.seed).sample(kept, min(draw.count, len(kept)))
        for rank, candidate in enumerate(sample):
            yield draw, rank, candidate


@click.command()
@click.option(
    "--set",
    "labelled_set",
    type=click.Choice(list(PROCEDURES)),
    default="heldout6",
    show_default=True,
    help="The labelled set whose picking is repeated.",
)
def main(labelled_set: str) -> None:
    """Print the drawn candidates as JSON lines (count of candidates and stories on stderr)."""
    require_corpora()
    procedure = PROCEDURES[labelled_set]
    pool = candidates(procedure.earlier_sets)
    click.echo(f"{len(pool)} candidates in {len({c.doc_id for c in pool})} stories", err=True)
    for draw, rank, candidate in drawn(pool, procedure.draws):
        click.echo(json.dumps({"draw": draw.name, "rank": rank, **asdict(candidate)}))


if __name__ == "__main__":
    main()

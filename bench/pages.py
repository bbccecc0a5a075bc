"""Saved news pages: the article's figures found, furniture claims, and what reading a page costs.

    .venv/bin/python bench/pages.py               # the fixture pages, best of 20 runs each
    .venv/bin/python bench/pages.py --repeat 50

For each page in tests/fixtures/pages/ (written for the tests: navigation, share bars, "most
read" lists, adverts with prices, footers with phone numbers around an article), against what
tests/fixtures/pages/expected.toml says the article holds:

- in text: the article's figures (those the extractor makes claims of, and those it misses)
  found in the text `ledger.sources` stores for the page: what reading the page kept;
- claimed: the article's figures `ledger.extract` makes claims of, on that text;
- furniture: claims whose quote is none of the article's figures (the goal is 0);
- raw: the claims `ledger.extract` makes of the page's markup as it is (what `ledger extract
  x.html` did before pages were read), for contrast;
- time per page, in CPU milliseconds (best of --repeat): reading the page (decoding, furniture
  dropped, trafilatura's article and metadata) against `ledger.extract` on the text it gives,
  and their ratio, measured in the same run.
"""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from ledger import extract
from ledger.sources import ReadOptions, decode_source, read_page

PAGES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"


def best_ms(work: Callable[[], object], repeat: int) -> float:
    """The least CPU time of `repeat` runs of `work`, in milliseconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best * 1000


@dataclass
class PageCount:
    """One page's (or all pages') figures and claims."""

    figures: int = 0  # the article's figures, claims and misses (expected.toml)
    in_text: int = 0  # of them, in the stored text
    claimed: int = 0  # of them, made claims of
    furniture: int = 0  # claims that are none of the article's figures
    raw: int = 0  # claims made of the page's raw markup
    read_ms: float = 0.0
    extract_ms: float = 0.0

    def add(self, other: PageCount) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def measure(page: dict, repeat: int) -> PageCount:
    path = PAGES / page["file"]
    data = path.read_bytes()
    read = read_page(path, data, ReadOptions())
    quotes = [claim.quote for claim in extract(read.text)]
    wanted = list(page["figures"])
    claimed = 0
    for quote in quotes:
        if quote in wanted:
            wanted.remove(quote)
            claimed += 1
    every = [*page["figures"], *page.get("missed", [])]
    return PageCount(
        figures=len(every),
        in_text=sum(1 for words in every if words in read.text),
        claimed=claimed,
        furniture=len(quotes) - claimed,
        raw=len(extract(decode_source(path, data, ReadOptions(), html=True).text)),
        read_ms=best_ms(lambda: read_page(path, data, ReadOptions()), repeat),
        extract_ms=best_ms(lambda: extract(read.text), repeat),
    )


@click.command()
@click.option("--repeat", type=click.IntRange(min=1), default=20, show_default=True)
def main(repeat: int) -> None:
    expected = tomllib.loads((PAGES / "expected.toml").read_text("utf-8"))["page"]
    extract(" warm up: 1.5% ")  # the rules compile once, outside the timings
    click.echo(
        f"{'page':34} {'in text':>8} {'claimed':>8} {'furniture':>9} {'raw':>4} {'read ms':>8}"
        f" {'extract ms':>10} {'ratio':>6}"
    )
    total = PageCount()
    for page in expected:
        count = measure(page, repeat)
        total.add(count)
        click.echo(
            f"{page['file'][:34]:34} {count.in_text:>4}/{count.figures:<3} "
            f"{count.claimed:>4}/{count.figures:<3} {count.furniture:>9} {count.raw:>4}"
            f" {count.read_ms:>8.2f} {count.extract_ms:>10.2f}"
            f" {count.read_ms / count.extract_ms:>6.1f}"
        )
    pages = len(expected)
    click.echo(
        f"all {pages} pages: {total.in_text}/{total.figures} of the article figures in the text,"
        f" {total.claimed}/{total.figures} as claims; {total.furniture} furniture claims (the raw"
        f" markup gives {total.raw} claims); per page {total.read_ms / pages:.2f} ms to read"
        f" against {total.extract_ms / pages:.2f} ms to extract"
        f" ({total.read_ms / total.extract_ms:.1f}x)"
    )


if __name__ == "__main__":
    main()

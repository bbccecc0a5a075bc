"""Saved news pages: the article's figures found, furniture claims, and what reading a page costs.

    .venv/bin/python bench/pages.py               # the fixture pages, best of 20 runs each
    .venv/bin/python bench/pages.py --repeat 50

For each page in tests/fixtures/pages/ (written for the tests: navigation, share bars, "most
read" lists, adverts with prices, footers with phone numbers around an article), against what
tests/fixtures/pages/expected.toml says the article holds:

- figures: the article's figures found by `ledger.extract` on the text `ledger.sources` stores;
- furniture claims: claims whose quote is not one of the article's figures (0 is the goal);
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


@click.command()
@click.option("--repeat", type=click.IntRange(min=1), default=20, show_default=True)
def main(repeat: int) -> None:
    expected = tomllib.loads((PAGES / "expected.toml").read_text("utf-8"))["page"]
    extract(" warm up: 1.5% ")  # the rules compile once, outside the timings
    click.echo(
        f"{'page':34} {'figures':>9} {'furniture':>9} {'raw':>5} {'read ms':>8}"
        f" {'extract ms':>10} {'ratio':>6}"
    )
    totals = [0, 0, 0, 0, 0.0, 0.0]
    for page in expected:
        path = PAGES / page["file"]
        data = path.read_bytes()
        read = read_page(path, data, ReadOptions())
        quotes = [claim.quote for claim in extract(read.text)]
        wanted = list(page["figures"])
        found = 0
        for quote in quotes:
            if quote in wanted:
                wanted.remove(quote)
                found += 1
        furniture = len(quotes) - found
        raw = len(extract(decode_source(path, data, ReadOptions(), html=True).text))
        read_ms = best_ms(lambda p=path, d=data: read_page(p, d, ReadOptions()), repeat)
        extract_ms = best_ms(lambda t=read.text: extract(t), repeat)
        click.echo(
            f"{page['file'][:34]:34} {found:>4}/{len(page['figures']):<4} {furniture:>9}"
            f" {raw:>5} {read_ms:>8.2f} {extract_ms:>10.2f} {read_ms / extract_ms:>6.1f}"
        )
        for index, value in enumerate(
            (found, len(page["figures"]), furniture, raw, read_ms, extract_ms)
        ):
            totals[index] += value
    found, wanted_total, furniture, raw, read_ms, extract_ms = totals
    pages = len(expected)
    click.echo(
        f"all {pages} pages: {found:g}/{wanted_total:g} figures, {furniture:g} furniture claims"
        f" (the raw markup gives {raw:g} claims); per page {read_ms / pages:.2f} ms to read against"
        f" {extract_ms / pages:.2f} ms to extract ({read_ms / extract_ms:.1f}x)"
    )


if __name__ == "__main__":
    main()

"""Hostile input in linear time: `ledger.extract` on 1 MB and 10 MB of text built to hurt regexes.

    .venv/bin/python bench/pathological.py                  # every input at 1 MB and 10 MB
    .venv/bin/python bench/pathological.py --long-line 50   # plus one line of 50 MB
    .venv/bin/python bench/pathological.py -i commas --sizes 0.1,1
    .venv/bin/python bench/pathological.py --ingest --sizes 0.2,1   # `ledger ingest`, one line

With --ingest each input is stored by `ledger ingest` instead (a file of one input, a new ledger):
CPU seconds, the child's peak memory and the ledger's size. One line with no sentence end and a
figure every few words used to store its whole self once per figure (a 200 KB line made a 1.9 GB
ledger, 1 MB was killed at 24 GB); now each sentence is stored once, and a "sentence" is capped.

Each input is a run of one shape ("1,1,1,...", "1 1 1 ...", "$$$$", nested brackets, figures on
one line with no sentence break, sentences on one line, a file of only digits). Extraction is
linear when 10 MB takes about 10 times as long as 1 MB: the ratio is printed for each input,
measured in the same run, in CPU seconds of the extracting process (wall time on a shared
machine measures the neighbours). Every
measurement runs in a fresh process with a time limit, so a hang shows up as "timeout" instead of
stopping the benchmark; tests/test_pathological.py runs the same shapes at small sizes.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass

import click

MB = 1_000_000
REPEAT = 3  # best of, for runs under a second

# A sentence-free stretch of news-like words with figures in it, repeated: one line, one
# "sentence" as long as the file.
LONG_LINE_UNIT = "and the fund grew 3.5 percent to $1,200 million as 40,000 jobs went "
# Whole sentences with figures, repeated with no line break: a page whose markup was stripped.
ONE_LINE_UNIT = "The fund grew 3.5 percent to $1,200 million in 2023, and 40,000 jobs went. "
# Chinese sentences between English ones: many stretches of English text between them.
MIXED_UNIT = "全国居民消费价格同比上涨2.1%。The fund rose two percent.\n"
# The security probe's input (issue 19): news words and figures, no sentence end, ever.
FIGURES_LINE_UNIT = "Output rose 2.3% to $1.5 billion in 2020, officials said, and exports fell 4% "


def _repeat(unit: str) -> Callable[[int], str]:
    def build(size: int) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return build


def _nested_brackets(size: int) -> str:
    """`(((...[{1}]...)))`: bracket depth half the file, a number at the bottom."""
    half = (size - 1) // 2
    opening = ("([{" * (half // 3 + 1))[:half]
    closing = "".join({"(": ")", "[": "]", "{": "}"}[c] for c in reversed(opening))
    return (opening + "1" + closing).ljust(size)


def _unbroken_word(size: int) -> str:
    """One word as long as the file (a base64 blob, a minified script), then a figure and an
    e-mail address: an address's local part, tried from each letter, was read to the word's end."""
    tail = " rose 5% (mail@example.com)"
    return "a" * (size - len(tail)) + tail


INPUTS: dict[str, Callable[[int], str]] = {
    "commas": _repeat("1,"),  # 1,1,1,1,...: one endless thousands-grouped number?
    "spaces": _repeat("1 "),  # 1 1 1 1 ...: numbers with spaces as group separators?
    "dollars": _repeat("$"),  # $$$$: a currency sign with no number after it, ever
    "brackets": _nested_brackets,  # ((([{...}]))): depth, for any balanced-bracket logic
    "long-line": _repeat(LONG_LINE_UNIT),  # claims in one line with no sentence end
    "one-line": _repeat(ONE_LINE_UNIT),  # sentences with claims, all on one line
    "figures-line": _repeat(FIGURES_LINE_UNIT),  # a figure every few words, no sentence end
    "digits": _repeat("0123456789"),  # one number millions of digits long
    "unbroken-word": _unbroken_word,  # a word the whole file long, an address after it
    "mixed-chinese": _repeat(MIXED_UNIT),  # English stretches between Chinese sentences
}


@dataclass(frozen=True)
class Timing:
    name: str
    size: int
    seconds: float | None  # None: did not finish within the time limit
    claims: int
    error: str | None = None
    peak_mb: float | None = None  # --ingest: the child's peak resident memory
    ledger_mb: float | None = None  # --ingest: the ledger's size on disk


def _ingest_in_child(name: str, size: int, results: multiprocessing.Queue) -> None:
    import resource
    import tempfile
    from pathlib import Path

    from ledger.store import Ledger

    with tempfile.TemporaryDirectory(prefix="pathological_") as work:
        source = Path(work, "sources", f"{name}.txt")
        source.parent.mkdir()
        source.write_text(INPUTS[name](size), encoding="utf-8")
        try:
            started = time.process_time()
            with Ledger(Path(work, "claims.db")) as ledger:
                report = ledger.ingest([source.parent])
            seconds = time.process_time() - started
            ledger_mb = Path(work, "claims.db").stat().st_size / MB
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            claims = report.claims_added
            results.put((seconds, claims, None, peak_mb, ledger_mb))
        except Exception as error:
            results.put((None, 0, f"{type(error).__name__}: {error}", None, None))


def _extract_in_child(name: str, size: int, results: multiprocessing.Queue) -> None:
    from ledger import extract

    text = INPUTS[name](size)
    try:
        extract("Warm-up: rules compile on the first call, which is not the input's cost, 5%.")
        best = float("inf")
        for _ in range(REPEAT):
            # CPU time of this process: on a shared machine, wall time measures the neighbours.
            started = time.process_time()
            claims = extract(text)
            best = min(best, time.process_time() - started)
            if best > 1.0:  # one run is enough once it is long: noise no longer matters
                break
        results.put((best, len(claims), None, None, None))
    except Exception as error:  # reported, not raised: the benchmark goes on
        results.put((None, 0, f"{type(error).__name__}: {error}", None, None))


def measure(name: str, size: int, timeout: float, ingest: bool = False) -> Timing:
    """Time `extract` (or `ledger ingest`) on `size` bytes of input `name` in a fresh process
    (killed at `timeout`)."""
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue = context.Queue()
    target = _ingest_in_child if ingest else _extract_in_child
    child = context.Process(target=target, args=(name, size, results))
    child.start()
    try:
        seconds, claims, error, peak_mb, ledger_mb = results.get(timeout=timeout)
    except Exception:  # queue.Empty: no answer in time
        child.kill()
        child.join()
        return Timing(name, size, None, 0, f"timeout after {timeout:g} s")
    child.join()
    return Timing(name, size, seconds, claims, error, peak_mb, ledger_mb)


def _fmt(timing: Timing) -> str:
    if timing.seconds is None:
        return "timeout" if timing.error and timing.error.startswith("timeout") else "error"
    return f"{timing.seconds:.3f}s"


@click.command()
@click.option(
    "-i", "--input", "names", multiple=True, type=click.Choice(list(INPUTS)), help="Only these."
)
@click.option("--sizes", default="1,10", show_default=True, help="Sizes in MB, small first.")
@click.option("--long-line", type=float, default=0, help="Also time 'one-line' at N MB.")
@click.option("--timeout", type=float, default=600, show_default=True, help="Seconds per run.")
@click.option("--ingest", is_flag=True, help="Time `ledger ingest` (memory, ledger size) instead.")
def main(
    names: tuple[str, ...], sizes: str, long_line: float, timeout: float, ingest: bool
) -> None:
    """Time ledger.extract on each hostile input at each size; print the big/small time ratio.

    Times are CPU seconds of the extracting process (best of 3 when under a second).
    """
    size_list = [int(float(s) * MB) for s in sizes.split(",")]
    if ingest:
        _ingest_table(names or ("figures-line", "long-line", "one-line"), size_list, timeout)
        return
    small, big = size_list[0], size_list[-1]
    header = "  ".join(f"{s / MB:>7g} MB" for s in size_list)
    click.echo(f"{'input':<10}  {header}  {'ratio':>7}  {'ideal':>5}  claims at largest")
    for name in names or INPUTS:
        timings = [measure(name, size, timeout) for size in size_list]
        cells = "  ".join(f"{_fmt(t):>10}" for t in timings)
        first, last = timings[0], timings[-1]
        ratio = (
            f"{last.seconds / first.seconds:7.1f}"
            if first.seconds and last.seconds is not None
            else f"{'-':>7}"
        )
        click.echo(f"{name:<10}  {cells}  {ratio}  {big / small:5g}  {last.claims:,}")
        for timing in timings:
            if timing.error:
                click.echo(f"    {timing.size / MB:g} MB: {timing.error}")
    if long_line:
        timing = measure("one-line", int(long_line * MB), timeout)
        click.echo(
            f"one-line at {long_line:g} MB: {_fmt(timing)}, {timing.claims:,} claims"
            + (f" ({timing.error})" if timing.error else "")
        )


def _ingest_table(names: tuple[str, ...], size_list: list[int], timeout: float) -> None:
    click.echo(f"{'input':<13} {'MB':>6} {'cpu s':>8} {'peak MB':>8} {'ledger MB':>10}  claims")
    for name in names:
        for size in size_list:
            t = measure(name, size, timeout, ingest=True)
            if t.seconds is None:
                click.echo(f"{name:<13} {size / MB:6g} {_fmt(t):>8}  {t.error}")
                continue
            click.echo(
                f"{name:<13} {size / MB:6g} {t.seconds:8.2f} {t.peak_mb:8.0f}"
                f" {t.ledger_mb:10.2f}  {t.claims:,}"
            )


if __name__ == "__main__":
    main()

"""Hostile input at small sizes: nothing hangs, and 10x the input takes about 10x as long.

The same shapes as bench/pathological.py (which measures 1 MB against 10 MB), here from 3 KB up
to 100 KB, so the test stays fast. It must not flake on a busy machine, where a neighbour's burst
can make any one run slower, so no time is compared with a time taken earlier: at each size the
hostile input is timed in turn with as much ordinary news text (figures in short sentences,
whose cost is linear by construction), in the process's CPU time, and it is their ratio that may
grow at most 3 times from 3 KB to 100 KB (linear growth keeps it flat; quadratic growth makes it
33 times larger). No single call may take more than 4 s, so a superlinear input fails early
instead of running for minutes. A real hang kills the run with a traceback (faulthandler), since
regex matching holds the GIL and no Python-level timeout could interrupt it.
"""

from __future__ import annotations

import faulthandler
import functools
import gc
import importlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pathological import INPUTS

from ledger import extract
from ledger.rules import Rules
from ledger.sentences import MAX_SENTENCE
from ledger.store import Ledger

SIZES = (3_000, 10_000, 30_000, 100_000)
SLACK = 3.0  # times the hostile-to-ordinary ratio may grow from the smallest size
CALL_LIMIT = 4.0  # CPU seconds for any one call
TICK = 1e-5  # seconds: a time is never taken as less (an input may cost next to nothing)
HANG_SECONDS = 120


@pytest.fixture
def no_hang() -> Iterator[None]:
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


# Ordinary news text: a sentence a line, with a figure in it, as news has one every few lines.
ORDINARY = (
    "The committee met on Tuesday to discuss the plan for the region's schools, and its members "
    "said that a budget of $2.3 billion would be enough for the next few years.\n"
)


def ordinary(size: int) -> str:
    return (ORDINARY * (size // len(ORDINARY) + 1))[:size]


def cpu_seconds(text: str) -> float:
    """The extractor's own CPU time on `text`: the cyclic collector is held off while it runs,
    as its passes cost in proportion to what the earlier tests of the run left on the heap, not
    to the input (in a whole-suite run a text dense in claims took 2.7 times its time alone)."""
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        extract(text)
        return time.process_time() - started
    finally:
        gc.enable()


def paired_times(text: str, reference: str, repeat: int) -> tuple[float, float]:
    """CPU seconds of `text` and of `reference`, each the best of `repeat` runs taken in turn,
    so that a busy spell of the machine slows both (one run is enough once a run is slow)."""
    best = best_reference = float("inf")
    for _ in range(repeat):
        best = min(best, cpu_seconds(text))
        best_reference = min(best_reference, cpu_seconds(reference))
        if best > 0.5:
            break
    return best, best_reference


@pytest.mark.parametrize("name", list(INPUTS))
def test_hostile_input_is_linear(name: str, no_hang: None) -> None:
    extract(INPUTS[name](100))  # warm up: compiling the rules is not the input's cost
    extract(ordinary(100))
    base = seconds = 0.0
    for size, previous in zip(SIZES, (0, *SIZES), strict=False):
        # Fail before a call that would pass the limit even if growth from here were linear.
        expected = seconds * size / previous if previous else 0.0
        assert expected < CALL_LIMIT, f"{name}: {previous:,} chars took {seconds:.1f} s"
        text = INPUTS[name](size)
        assert len(text) == size
        seconds, reference = paired_times(text, ordinary(size), repeat=3 if size == SIZES[0] else 2)
        assert seconds < CALL_LIMIT, f"{name}: {size:,} chars took {seconds:.1f} s"
        ratio = max(seconds, TICK) / max(reference, TICK)
        base = base or ratio
        assert ratio <= SLACK * base, (
            f"{name}: {size:,} chars took {seconds:.3f} s, {ratio:.2f} x as much ordinary text "
            f"(at {SIZES[0]:,} chars: {base:.2f} x; linear growth keeps that ratio)"
        )
    small = INPUTS[name](SIZES[0])
    for claim in extract(small):
        assert small[claim.start : claim.end] == claim.quote


def test_rule_timeouts_are_recorded_in_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backtracking_rules: Rules
) -> None:
    """A rule abandoned at its regex timeout is named in `runs.rule_timeouts`, claims still kept.

    The ingest reads with rules holding a metric that backtracks without end on one sentence,
    as a catastrophic pattern in a newsroom's own rule file would.
    """
    extraction = importlib.import_module("ledger.extraction")
    reading = functools.partial(extraction.extract_with_report, rules=backtracking_rules)
    monkeypatch.setattr(extraction, "extract_with_report", reading)
    sources = tmp_path / "sources"
    sources.mkdir()
    sentence = "The National Bureau of Statistics reported that the economy grew 5.2 percent. "
    text = sentence * 19 + "\n\n" + "a" * 300 + " 540 satellites.\n"
    (sources / "001_slow.txt").write_text(text, encoding="utf-8")
    with Ledger(tmp_path / "claims.db") as ledger:
        report = ledger.ingest([sources])
        rows = list(ledger.db.query("select rule_timeouts from runs"))
        claims = ledger.db.execute("select count(*) from claims").fetchone()[0]
    assert "1 rule timeout(s)" in report.summary()
    logged = json.loads(rows[-1]["rule_timeouts"])
    assert logged == [{"source_id": "001_slow", "rule": "metric:slow"}]
    assert claims == 20


def test_one_line_of_figures_is_stored_in_linear_space(tmp_path: Path) -> None:
    """Issue 19.1: a line with no sentence end and a figure every few words. Each claim stored
    its whole sentence: 200 KB made a 1.9 GB ledger and took 3.3 GB of memory. Now a sentence is
    stored once (`sentences`) and is at most MAX_SENTENCE characters."""
    sizes: dict[int, int] = {}
    for size in (0, 20_000, 100_000):
        sources = tmp_path / f"s{size}"
        sources.mkdir()
        text = INPUTS["figures-line"](size)
        if text:
            (sources / "line.txt").write_text(text, encoding="utf-8")
        path = tmp_path / f"{size}.db"
        with Ledger(path) as ledger:
            report = ledger.ingest([sources])
            stored = ledger.db.execute("select sum(length(text)) from sentences").fetchone()[0]
            longest = max((len(row["sentence"]) for row in ledger.claims()), default=0)
        assert report.claims_added >= size // 30  # a figure every few words, all kept
        assert (stored or 0) <= size  # every sentence once: at most the text itself
        assert longest <= 2 * MAX_SENTENCE
        sizes[size] = path.stat().st_size
    assert sizes[100_000] < 40 * 100_000  # was about 470 MB
    growth = (sizes[100_000] - sizes[0]) / (sizes[20_000] - sizes[0])
    assert growth < 7, f"5 times the text grew the ledger {growth:.1f} times (quadratic: 25)"

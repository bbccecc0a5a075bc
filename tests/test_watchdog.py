"""The watchdog that keeps hostile text from hanging extraction (ledger.watchdog).

In the main thread a text is read with untimed regex calls under one CPU budget for the whole
text; only if the budget runs out is it read again from the start with each sentence-level call
timed, as every text was before (extraction.extract_with_report). These tests hold that a rule
backtracking without end is still stopped and named, with the claims of the timed reading; that
no call is timed in the main thread (each timed call reads the CPU clock by a system call) while
other threads still time each call; and that no handler or timer outlives an extraction, however
it ends.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from corpora import CORPORA, sample_text

from ledger.extraction import extract_with_report
from ledger.extraction.document import RULE_TIMEOUT, cpu_budget
from ledger.rules import Gated, Rules, default_rules
from ledger.watchdog import budget_paused, run_within_budget

T = TypeVar("T")

SOURCES = Path(__file__).resolve().parent.parent / "sources"
SEEDS = [path.read_text(encoding="utf-8") for path in sorted(SOURCES.glob("*.txt"))]
ALL_SEEDS = "\n\n".join(SEEDS)  # 18 claims
HOSTILE = "a" * 300 + " 540 satellites."  # the backtracking_rules fixture's metric hangs on it


def in_thread(run: Callable[[], T]) -> T:
    """run() in a thread of its own, where no signal handler can be set."""
    results: list[T] = []
    worker = threading.Thread(target=lambda: results.append(run()))
    worker.start()
    worker.join()
    assert len(results) == 1, "the thread raised"
    return results[0]


def assert_nothing_installed() -> None:
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


class Recorded:
    """A compiled pattern that records the timeout each match, search or finditer was given,
    by keyword or by position (match: string, pos, endpos, concurrent, partial, timeout;
    finditer: string, pos, endpos, overlapped, concurrent, partial, timeout)."""

    PLACE = {"match": 4, "search": 4, "finditer": 5}

    def __init__(self, pattern: Any, timeouts: list[float | None]) -> None:
        self.pattern, self.timeouts = pattern, timeouts

    def __getattr__(self, attribute: str) -> Any:
        method = getattr(self.pattern, attribute)
        place = self.PLACE.get(attribute)
        if place is None:
            return method

        def recorded(string: str, *args: Any, **kw: Any) -> Any:
            self.timeouts.append(kw.get("timeout", args[place] if len(args) > place else None))
            return method(string, *args, **kw)

        return recorded


def recording_timeouts(rules: Rules) -> tuple[Rules, list[float | None]]:
    """A copy of `rules` whose sentence-level cues (metrics, periods, attribution, named
    subjects: the rules users extend) record the timeout of each call."""
    timeouts: list[float | None] = []

    def gated(table: Gated[Any]) -> Gated[Any]:
        return Gated(
            (rule, Recorded(pattern, timeouts) if pattern else None, triggers)
            for rule, pattern, triggers in table
        )

    recording = dataclasses.replace(
        rules,
        metrics=gated(rules.metrics),
        period_cues=gated(rules.period_cues),
        attribution_cues=gated(rules.attribution_cues),
        subject_name_cues=gated(rules.subject_name_cues),
    )
    return recording, timeouts


def test_a_backtracking_rule_is_stopped_and_the_text_read_again_timed(
    backtracking_rules: Rules,
) -> None:
    """The budget runs out on the hanging rule; the text is read again with timed calls, and
    gives exactly what the timed reading of a thread gives: the seeds' claims, the rule named."""
    text = f"{ALL_SEEDS}\n\n{HOSTILE}\n"
    published = date(2024, 12, 4)
    started = time.process_time()
    watched = extract_with_report(text, published=published, rules=backtracking_rules)
    seconds = time.process_time() - started
    assert_nothing_installed()
    timed = in_thread(
        lambda: extract_with_report(text, published=published, rules=backtracking_rules)
    )
    assert watched.reread and not timed.reread
    assert watched.timed_out == timed.timed_out == ["metric:slow"]
    assert watched.claims == timed.claims
    assert len(watched.claims) > 15
    assert ("540 satellites", "satellites") in [(c.quote, c.metric) for c in watched.claims]
    # bounded: the budget, then the timed reading, where the rule gives up after RULE_TIMEOUT
    assert seconds < cpu_budget(len(text)) + RULE_TIMEOUT + 3.0


def test_the_main_thread_times_no_call_and_other_threads_time_every_one() -> None:
    """The guard on the gain: in the main thread no sentence-level call reads the CPU clock,
    and every text is read once; a thread (dask workers, Datasette) times each such call."""
    rules, timeouts = recording_timeouts(default_rules())
    watched = [extract_with_report(text, rules=rules) for text in SEEDS]
    assert_nothing_installed()
    assert not any(report.reread for report in watched)
    assert len(timeouts) > 50 and set(timeouts) == {None}
    timeouts.clear()
    timed = in_thread(lambda: [extract_with_report(text, rules=rules) for text in SEEDS])
    assert len(timeouts) > 50 and set(timeouts) == {RULE_TIMEOUT}
    assert [r.claims for r in timed] == [r.claims for r in watched]


def test_a_long_ordinary_text_is_read_once() -> None:
    """The budget grows with the text: half a megabyte of news in one text is no hostile
    input, and is not read twice."""
    if not CORPORA["bbc"].exists():
        pytest.skip("the shared corpora are not available (set LEDGER_SHARED)")
    text = sample_text(500_000)
    report = extract_with_report(text)
    assert not report.reread and report.timed_out == []
    assert len(report.claims) > 1_000


def test_an_alarm_someone_else_set_is_left_alone() -> None:
    """A caller's own SIGALRM handler (its alarm, or pytest-timeout's) keeps its signal: the
    text is read timed."""

    def callers(signum: int, frame: object) -> None:
        raise AssertionError("no alarm was set")

    previous = signal.signal(signal.SIGALRM, callers)
    try:
        rules, timeouts = recording_timeouts(default_rules())
        report = extract_with_report(ALL_SEEDS, rules=rules)
        assert signal.getsignal(signal.SIGALRM) is callers
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert not report.reread and report.claims
        assert timeouts and set(timeouts) == {RULE_TIMEOUT}
    finally:
        signal.signal(signal.SIGALRM, previous)


class BrokenRules:
    """Chinese rules that raise when read: an extraction that fails where the watchdog is set."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"the rules could not be read ({name})")


def test_nothing_is_left_installed_when_the_extraction_raises() -> None:
    rules = dataclasses.replace(default_rules(), zh=BrokenRules())  # read at a Chinese sentence
    with pytest.raises(RuntimeError, match="could not be read"):
        extract_with_report(
            "GDP grew 2.3% in 2020. 研究与试验发展经费比上年增长8.4%。", rules=rules
        )
    assert_nothing_installed()


def test_a_budget_running_out_at_any_moment_leaves_nothing_behind() -> None:
    """Budgets from a tenth to about as long as the work (some 20 ms): the signal lands
    anywhere, in the work, on its last line or in the restoring of the handler. Each run is
    done or stopped, nothing is raised past run_within_budget, nothing is left installed."""
    done = sum(range(600_000))

    def work() -> int:
        total = 0
        for i in range(600_000):
            total += i
        return total

    stopped = 0
    for attempt in range(60):
        result = run_within_budget(0.002 * (attempt % 12 + 1), work)
        assert result in (None, done)
        stopped += result is None
        assert_nothing_installed()
    assert 0 < stopped < 60


def test_a_pattern_that_never_ends_is_stopped_by_the_budget() -> None:
    """`regex` checks for signals as it backtracks: the watchdog stops a call that no
    Python-level check could interrupt."""
    import regex

    pattern = regex.compile(r"(?:a|aa)+(?:a|aa)+(?:a|aa)+(?:a|aa)+ \d+ [#]")
    started = time.process_time()
    assert run_within_budget(0.2, lambda: pattern.search(HOSTILE, 0, len(HOSTILE), False)) is None
    assert time.process_time() - started < 2.0
    assert_nothing_installed()


def spin(seconds: float) -> None:
    """Use `seconds` of CPU time."""
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass


def test_work_done_with_the_budget_paused_is_not_charged() -> None:
    """A pattern compiled on its first use (up to half a second, once a process) is not the
    text's cost: Patterns compiles with the budget paused, and a short budget survives it."""

    def compile_then_read() -> str:
        with budget_paused():
            spin(0.3)
        return "read"

    assert run_within_budget(0.1, compile_then_read) == "read"
    assert run_within_budget(0.1, lambda: spin(0.3)) is None
    assert_nothing_installed()
    with budget_paused():  # with no watchdog set, nothing to pause and nothing set after
        pass
    assert_nothing_installed()


class SlowToFree:
    """An object whose finaliser takes a while: a signal landing in it is raised there, and
    Python prints and drops what a finaliser raises."""

    def __del__(self) -> None:
        spin(0.3)


# the finaliser's BudgetSpent, printed and dropped by Python, as pytest reports
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_budget_spent_in_a_finaliser_still_stops_the_work() -> None:
    def work() -> str:
        SlowToFree()  # freed at once: the first signal lands in its finaliser, and is dropped
        spin(5.0)  # hostile work that would then run on unwatched
        return "ran on"

    started = time.process_time()
    assert run_within_budget(0.05, work) is None
    assert time.process_time() - started < 2.0
    assert_nothing_installed()

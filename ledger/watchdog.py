"""A CPU-time budget for one call, kept by a signal instead of a clock read at every step.

`regex` can time each call itself (its `timeout`), but it reads the process's CPU clock by a
system call to do so, twice a call: some 6 us against the 1 us a short match takes. One
ITIMER_PROF timer for a whole text costs four system calls, however many calls the text makes;
when it runs out, its SIGPROF handler raises BudgetSpent wherever the work is, even inside
`regex`, which checks for signals as it matches. Python runs signal handlers only in the main
thread, so elsewhere (can_watch) callers time each call as before.

CPU time, not wall time: a busy machine slows the work and its budget alike. A profiler or
tracer that slows the work tenfold or more (valgrind) can run past a budget set for news.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

T = TypeVar("T")
# CPU seconds between the signals after the first: a raise that lands in a finaliser (`__del__`,
# where Python prints and drops it) is made again, so the work cannot run on unwatched. Far
# longer than the few lines that put the handler back, so that at most one lands in them.
_AGAIN = 0.05
SignalHandler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


class BudgetSpent(BaseException):
    """Raised by the watchdog's signal handler when the work has used up its CPU budget. A
    BaseException, as KeyboardInterrupt is, so that no `except Exception` on the way swallows it
    and lets the work run on unwatched."""


def _spend(signum: int, frame: FrameType | None) -> None:
    raise BudgetSpent


def can_watch() -> bool:
    """Whether a watchdog can be set here: in the main thread, the only one Python runs signal
    handlers in, where setitimer exists (not on Windows), and with SIGPROF unclaimed: its default
    action ends the process, so no one else's timer can be running; a sampling profiler's
    handler, or a watchdog already set by a caller, is left alone."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGPROF) == signal.SIG_DFL
    )


def run_within_budget(seconds: float, run: Callable[[], T]) -> T | None:
    """run(), or None if it used more than `seconds` of the process's CPU time (all its threads),
    stopped wherever it was by BudgetSpent. Only where can_watch(); the previous handler and
    timer are put back however run() ends. A signal may land on any line, these included; the
    next comes _AGAIN later, after the handler is put back."""
    previous_handler = signal.signal(signal.SIGPROF, _spend)
    previous_timer = (0.0, 0.0)
    try:
        previous_timer = signal.setitimer(signal.ITIMER_PROF, seconds, _AGAIN)
        return run()
    except BudgetSpent:
        return None
    finally:
        try:
            _restore(previous_handler, previous_timer)
        except BudgetSpent:  # a signal landed in _restore: the next would come too late
            _restore(previous_handler, previous_timer)


def _restore(handler: SignalHandler, timer: tuple[float, float]) -> None:
    # the timer first: signal.signal runs a signal still pending before it swaps the handler,
    # so that the signal is ours to handle (and raise) before the previous handler is back
    signal.setitimer(signal.ITIMER_PROF, *timer)
    signal.signal(signal.SIGPROF, handler)


@contextmanager
def budget_paused() -> Iterator[None]:
    """The budget of the watchdog, if one is set, stopped for the duration: for work that is not
    the watched call's to pay for (a pattern compiled on its first use in the process). With no
    watchdog set there is no timer to stop, and this does nothing."""
    if not hasattr(signal, "setitimer"):
        yield
        return
    # a timer that ran out a moment ago reads as none left: its signal raises at once anyway
    remaining = signal.setitimer(signal.ITIMER_PROF, 0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, *remaining)

"""A CPU-time budget for one call, kept by a signal instead of a clock read at every step.

`regex` can time each call itself (its `timeout`), but it reads the process's CPU clock by a
system call to do so, twice a call: some 6 us against the 1 us a short match takes. A watchdog
for a whole text costs a handful of system calls, however many regex calls the text makes: a
wall-clock timer (ITIMER_REAL) whose SIGALRM handler, once the budget's time has passed, checks
the thread's CPU time, and raises BudgetSpent wherever the work is once that is spent too, even
inside `regex`, which checks for signals as it matches. A CPU-time timer (ITIMER_PROF) would need
no check, but while one is set Linux keeps the process's CPU clock only to the tick (4 ms), which
every CPU timing around the call (benchmarks, tests) would see. Python runs signal handlers only
in the main thread, so elsewhere (can_watch) callers time each call as before.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

T = TypeVar("T")
SignalHandler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None
# Seconds between the signals after the first: the CPU time is checked again (a busy machine
# gives the work less CPU than wall time), and a raise that landed in a finaliser (`__del__`,
# where Python prints and drops it) is made again, so the work cannot run on unwatched. Far
# longer than the few lines that put the handler back, so that at most one lands in them.
_AGAIN = 0.05


class BudgetSpent(BaseException):
    """Raised by the watchdog's signal handler when the work has used up its CPU budget. A
    BaseException, as KeyboardInterrupt is, so that no `except Exception` on the way swallows it
    and lets the work run on unwatched."""


class _Watch:
    """The budget of one run_within_budget: the main thread's CPU time it ends at."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.thread_time() + seconds
        self.on = True
        self.paused = 0  # budget_paused bodies under way

    def alarm(self, signum: int, frame: FrameType | None) -> None:
        if self.on and not self.paused and time.thread_time() >= self.deadline:
            raise BudgetSpent


def can_watch() -> bool:
    """Whether a watchdog can be set here: in the main thread, the only one Python runs signal
    handlers in, where setitimer exists (not on Windows), and with SIGALRM unclaimed: its default
    action ends the process, so no one else's alarm can be set; the handler of a caller's own
    alarm, or of a watchdog already set, is left alone."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) == signal.SIG_DFL
    )


def run_within_budget(seconds: float, run: Callable[[], T]) -> T | None:
    """run(), or None if it used more than `seconds` of the main thread's CPU time, stopped
    wherever it was by BudgetSpent. Only where can_watch(); the previous handler and timer are
    put back however run() ends. A signal may land on any line, these included; the next comes
    _AGAIN later."""
    watch = _Watch(seconds)
    previous_handler = signal.signal(signal.SIGALRM, watch.alarm)
    previous_timer = (0.0, 0.0)
    try:
        previous_timer = signal.setitimer(signal.ITIMER_REAL, seconds, _AGAIN)
        return run()
    except BudgetSpent:
        return None
    finally:
        try:
            _restore(watch, previous_handler, previous_timer)
        except BudgetSpent:  # one landed before the watch was off: the next would come too late
            _restore(watch, previous_handler, previous_timer)


def _restore(watch: _Watch, handler: SignalHandler, timer: tuple[float, float]) -> None:
    watch.on = False  # a signal still pending, run by signal.signal before the swap, does nothing
    # SIGALRM held back while the timer stops and a signal it already sent is taken away: where
    # delivery lags (under valgrind), one sent before the stop would otherwise land after the
    # swap, on the default action, which ends the process
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        signal.setitimer(signal.ITIMER_REAL, *timer)
        if signal.SIGALRM in signal.sigpending():
            signal.sigtimedwait({signal.SIGALRM}, 0)
        signal.signal(signal.SIGALRM, handler)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextmanager
def budget_paused() -> Iterator[None]:
    """The CPU time of the body not charged to the watchdog's budget, if one is set: for work
    that is not the watched call's to pay for (a pattern compiled on its first use in the
    process). With no watchdog set, this does nothing."""
    handler = signal.getsignal(signal.SIGALRM) if hasattr(signal, "SIGALRM") else None
    watch = getattr(handler, "__self__", None)
    if not isinstance(watch, _Watch):
        yield
        return
    started = time.thread_time()
    watch.paused += 1
    try:
        yield
    finally:
        watch.deadline += time.thread_time() - started
        watch.paused -= 1

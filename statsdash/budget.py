"""The time a page or an export may spend fetching: one deadline, seen by every worker thread.

A page (app.py's frame) or `export` opens `budget(seconds)`; the services' worker threads run
under the same deadline (`run_within`). Past it, requests are no longer retried or started,
and the services stop waiting: what arrived is shown and the rest is named as timed out.
Per thread, like Streamlit's sessions: each session runs its page in a thread of its own.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from statsdash.errors import TimedOut

T = TypeVar("T")
_local = threading.local()


class Deadline:
    """A point on the monotonic clock and the budget it came from (for messages)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.at

    def message(self) -> str:
        return f"timed out: no answer within the {self.seconds:g} s fetch budget"


@contextlib.contextmanager
def budget(seconds: float | None) -> Iterator[Deadline | None]:
    """Run the block under a deadline `seconds` from now (None: none). An enclosing budget
    wins: a page's loaders share the page's budget instead of each starting one."""
    outer = current()
    if outer is not None or seconds is None:
        yield outer
        return
    _local.deadline = Deadline(seconds)
    try:
        yield _local.deadline
    finally:
        _local.deadline = None


def current() -> Deadline | None:
    return getattr(_local, "deadline", None)


def remaining() -> float | None:
    """Seconds left of this thread's budget, or None without one."""
    deadline = current()
    return None if deadline is None else deadline.remaining()


def run_within(deadline: Deadline | None, fn: Callable[..., T]) -> Callable[..., T]:
    """`fn` for a worker thread, run under the submitting thread's deadline."""

    def run(*args: Any, **kwargs: Any) -> T:
        previous = current()
        _local.deadline = deadline
        try:
            return fn(*args, **kwargs)
        finally:
            _local.deadline = previous

    return run


def check(source: str) -> None:
    """Raise the timed-out FetchError for `source` when this thread's budget is spent."""
    deadline = current()
    if deadline is not None and deadline.expired():
        raise TimedOut(source, deadline.message())

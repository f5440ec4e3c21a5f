"""The time a page or an export may spend fetching, per service, seen by every worker thread.

A page (app.py's frame) or `export` opens `budget(seconds)`. Each service (GA, YouTube) gets
its own deadline `seconds` after it first fetches in that block, so a stuck GA does not use
up YouTube's time. The services run their worker threads under that deadline
(`run_within`): past it, no request is started or retried, and the services stop waiting:
what arrived is shown and the rest is named as timed out.

Per thread, like Streamlit's sessions: each session runs its page in a thread of its own.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
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


class Budget:
    """`seconds` per service, each counted from that service's first fetch."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._deadlines: dict[str, Deadline] = {}
        self._lock = threading.Lock()

    def deadline(self, service: str) -> Deadline:
        with self._lock:
            if service not in self._deadlines:
                self._deadlines[service] = Deadline(self.seconds)
            return self._deadlines[service]


@contextlib.contextmanager
def budget(seconds: float | None) -> Iterator[Budget | None]:
    """Run the block under a fetch budget (None: none). An enclosing budget wins: a page's
    loaders share the page's budget instead of each starting its own."""
    outer = getattr(_local, "budget", None)
    if outer is not None or seconds is None:
        yield outer
        return
    _local.budget = Budget(seconds)
    try:
        yield _local.budget
    finally:
        _local.budget = None


def deadline_for(service: str) -> Deadline | None:
    """The deadline of `service` in this thread's budget (started now if it was not), or
    the deadline this worker thread runs under, or None."""
    spent = getattr(_local, "budget", None)
    return spent.deadline(service) if spent is not None else current()


def current() -> Deadline | None:
    """The deadline a worker thread runs under (`run_within`), if any."""
    return getattr(_local, "deadline", None)


def run_within(deadline: Deadline | None, fn: Callable[..., T]) -> Callable[..., T]:
    """`fn` for a worker thread, run under `deadline` (usually the submitting page's)."""

    def run(*args: Any, **kwargs: Any) -> T:
        previous = current()
        _local.deadline = deadline
        try:
            return fn(*args, **kwargs)
        finally:
            _local.deadline = previous

    return run


def in_background(service: str, fn: Callable[[], T], name: str) -> Future[T]:
    """Start `fn()` on a thread of its own under `service`'s deadline (the caller's); its
    result or error is the Future's."""
    future: Future[T] = Future()
    timed = run_within(deadline_for(service), fn)

    def run() -> None:
        try:
            future.set_result(timed())
        except BaseException as error:  # handed to whoever waits for the result
            future.set_exception(error)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


def check(source: str) -> None:
    """Raise TimedOut for `source` when this thread's deadline has passed."""
    deadline = current()
    if deadline is not None and deadline.expired():
        raise TimedOut(source, deadline.message())

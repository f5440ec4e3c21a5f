"""Shared, memoised, parallel YouTube queries for one report selection.

Each query shape (metrics by dimensions) is asked once per date range for all selected
channels together; tables that need the same shape share the answer. Queries run on a
small thread pool; composing their answers stays on the caller's thread, so a worker
never waits for another worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass
from typing import Any

from statsdash import budget
from statsdash.errors import AuthError, FetchError, TimedOut

SOURCE = "YouTube Analytics"

MAX_WORKERS = 8


@dataclass(frozen=True)
class Shape:
    """One reports.query shape; `split` adds the `channel` dimension (tables per group);
    `comparable` shapes are asked for the comparison periods too; `money` shapes ask
    revenue metrics, in the configured currency, and a group YouTube refuses them for is
    left out of their table only."""

    label: str
    metrics: tuple[str, ...]
    dimensions: tuple[str, ...] = ()
    split: bool = True
    sort: str | None = None
    max_results: int | None = None
    comparable: bool = True
    money: bool = False


TOTALS = Shape(
    "channel totals",
    (
        "views",
        "engagedViews",
        "estimatedMinutesWatched",
        "likes",
        "dislikes",
        "comments",
        "shares",
        "subscribersGained",
        "subscribersLost",
    ),
)
NET_SUBSCRIBERS = Shape("subscribers gained since", ("subscribersGained", "subscribersLost"))
COUNTRIES = Shape(
    "countries",
    ("views", "engagedViews", "estimatedMinutesWatched", "subscribersGained", "subscribersLost"),
    ("country",),
    split=False,
)
TOP_VIDEOS = Shape(
    "top videos",
    ("estimatedMinutesWatched", "views", "engagedViews"),
    ("video", "creatorContentType"),  # a video has one format: the same rows, labelled
    split=False,
    sort="-estimatedMinutesWatched",
    max_results=10,
    comparable=False,  # the comparison periods are asked for this period's top videos
)
FORMATS = Shape(
    "formats",
    ("views", "engagedViews", "estimatedMinutesWatched"),
    ("creatorContentType",),
)
# The additive parts only: cpm and playbackBasedCpm are rebuilt from them per group.
REVENUE = Shape(
    "revenue",
    (
        "estimatedRevenue",
        "estimatedAdRevenue",
        "grossRevenue",
        "monetizedPlaybacks",
        "adImpressions",
    ),
    money=True,
)
# Views and engaged views ride along for the drivers (youtube/insights.py), which split them by
# traffic source too: one query per period serves both.
TRAFFIC = Shape(
    "traffic sources",
    ("estimatedMinutesWatched", "views", "engagedViews"),
    ("insightTrafficSourceType",),
)
DAILY = Shape(
    "daily figures",
    ("views", "engagedViews", "estimatedMinutesWatched", "subscribersGained", "subscribersLost"),
    ("day",),
    comparable=False,
)


class Fetcher:
    """Runs each distinct query once (keyed), in parallel, reporting progress as they finish."""

    def __init__(
        self,
        progress: Callable[[int, int], None] | None = None,
        max_workers: int = MAX_WORKERS,
        pool: ThreadPoolExecutor | None = None,
    ) -> None:
        self.progress = progress
        self.max_workers = max_workers
        self._futures: dict[Hashable, Future] = {}
        self._lock = threading.Lock()
        # A shared pool (the client's, whose threads keep their connections) is never shut
        # down here; without one, a pool of our own lives while queries are pending.
        self._shared = pool
        self._pool: ThreadPoolExecutor | None = pool

    def submit(self, key: Hashable, fn: Callable[[], Any]) -> Future:
        """The future of `fn()`, started only the first time `key` is asked for."""
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self.max_workers, "statsdash-youtube")
                future = self._pool.submit(budget.run_within(budget.deadline_for("youtube"), fn))
                self._futures[key] = future
        return future

    def gather(self, futures: dict[Hashable, Future]) -> dict[Hashable, Any | FetchError]:
        """Each result, or the FetchError it raised; an AuthError stops everything."""
        done, total = 0, len(futures)
        by_future = {}
        for name, future in futures.items():
            by_future.setdefault(future, []).append(name)
        results: dict[Hashable, Any] = {}
        deadline = budget.deadline_for("youtube")
        wait = deadline.remaining() if deadline is not None else None
        try:
            for future in as_completed(by_future, timeout=wait):
                try:
                    value = future.result()
                except AuthError:
                    raise
                except FetchError as error:
                    value = error
                for name in by_future[future]:
                    results[name] = value
                    done += 1
                if self.progress is not None:
                    self.progress(done, total)
        except FuturesTimeout:  # what is still out is named as timed out; the rest renders
            late = TimedOut(SOURCE, deadline.message())
            for name in futures:
                results.setdefault(name, late)
        self._release_idle_pool()
        return {name: results[name] for name in futures}

    def _release_idle_pool(self) -> None:
        """Let the worker threads (and their connections) go between tables: an object may be
        kept for minutes to share answers, and idle threads would pile up meanwhile."""
        with self._lock:
            if self._shared is not None:
                return
            if self._pool is not None and all(f.done() for f in self._futures.values()):
                self._pool.shutdown(wait=False)
                self._pool = None

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._shared is None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

"""How many requests about one GA4 property (or one YouTube content owner) may be in flight.

GA4 allows 10 concurrent requests per property; more are refused with 429. Threads of one
process share a LocalLimiter; processes sharing `cache: {url: redis://...}` share a
RedisLimiter (statsdash.cache_redis), so replicas and a cron `warm` stay under the limit
together.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

PER_PROPERTY = 10


class LocalLimiter:
    """At most `limit` holders of a slot per key, across this process's threads."""

    def __init__(self, limit: int = PER_PROPERTY) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    @contextlib.contextmanager
    def slot(self, key: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._slots.setdefault(key, threading.BoundedSemaphore(self.limit))
        with semaphore:
            yield


# One limiter per store per process: a limit only holds if everyone asks the same one.
_limiters: dict[str | None, Any] = {}
_limiters_lock = threading.Lock()


def limiter_for(settings: Any | None) -> Any:
    """The process's limiter for a CacheConfig: Redis-backed with `url`, else local."""
    url = getattr(settings, "url", None) if settings is not None and settings.enabled else None
    with _limiters_lock:
        limiter = _limiters.get(url)
        if limiter is None:
            if url:
                from statsdash.cache_redis import RedisLimiter

                limiter = RedisLimiter(url)
            else:
                limiter = LocalLimiter()
            _limiters[url] = limiter
        return limiter

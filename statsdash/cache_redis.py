"""Redis for several replicas: the response cache (`cache: {url: redis://...}`) and the
per-property limit on requests in flight, shared by every process pointed at one Redis.

Answers that are kept for good have no TTL; recent ones expire in Redis itself. The size
cap is Redis's own (`maxmemory` with `maxmemory-policy allkeys-lru`, set on the server).
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from statsdash.cache import PROVISIONAL_TTL, hit_rate, pack, request_key, unpack
from statsdash.errors import StatsdashError
from statsdash.google_api import decoding_paused, hold_decoding, let_go_decoding
from statsdash.limiter import PER_PROPERTY

PREFIX = "statsdash:answer:"
SLOTS = "statsdash:inflight:"
LEASE = 120.0  # seconds a slot outlives a process that died holding it
POLL = 0.02

# Take a slot if fewer than the limit are held; stale leases (dead holders) are dropped.
# Server time, so clocks of the replicas do not matter.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[2])
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3])))
  return 1
end
return 0
"""


def _client(url: str) -> Any:
    try:
        import redis
    except ImportError:
        raise StatsdashError(
            "cache.url needs the redis package: python -m pip install -r requirements.txt"
        ) from None
    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)


class RedisCache:
    """The ResponseCache interface over Redis; a Redis that cannot be reached is a miss."""

    backend = "redis"

    def __init__(self, url: str, *, recent_ttl: float = PROVISIONAL_TTL) -> None:
        import redis

        self.url = url
        self.recent_ttl = recent_ttl
        self.enabled = True
        self.hits = 0
        self.misses = 0
        self.error: str | None = None
        self._errors = (redis.RedisError, OSError)
        self._client = _client(url)
        self._lock = threading.Lock()

    def _count(self, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def get(self, request: dict, *, refresh: bool = False) -> dict | None:
        blob = None
        if not refresh:
            try:
                let_go_decoding()  # a round trip: not in GA's decoding slot
                blob = self._client.get(PREFIX + request_key(request))
            except self._errors as error:
                self.error = str(error)
        self._count(blob is not None)
        if blob is None:
            return None
        hold_decoding()  # the answer is decoded in the slot (see google_api.one_decoder)
        return unpack(blob)

    def put(self, request: dict, response: dict, ttl: float | None) -> None:
        if ttl is not None and ttl <= 0:
            return
        expiry = None if ttl is None else max(1, int(ttl))
        blob = pack(response)
        try:
            with decoding_paused():  # a round trip: not in GA's decoding slot
                self._client.set(PREFIX + request_key(request), blob, ex=expiry)
        except self._errors as error:
            self.error = str(error)

    def _keys(self) -> list[bytes]:
        return list(self._client.scan_iter(match=PREFIX + "*", count=1000))

    def clear(self) -> int:
        keys = self._keys()
        for start in range(0, len(keys), 500):
            self._client.delete(*keys[start : start + 500])
        return len(keys)

    def stats(self) -> dict[str, Any]:
        keys = self._keys()
        pipe = self._client.pipeline(transaction=False)
        for key in keys:
            pipe.strlen(key)
            pipe.ttl(key)
        answers = pipe.execute() if keys else []
        sizes, ttls = answers[0::2], answers[1::2]
        return {
            "backend": self.backend,
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": hit_rate(self.hits, self.misses),
            "entries": len(keys),
            "kept_for_good": sum(1 for t in ttls if t == -1),
            "bytes": sum(sizes),
            "max_bytes": None,
        }

    def close(self) -> None:
        self._client.close()
        self.enabled = False


class RedisLimiter:
    """At most `limit` holders of a slot per key across every process on this Redis."""

    def __init__(self, url: str, limit: int = PER_PROPERTY) -> None:
        self.limit = limit
        self._client = _client(url)
        self._acquire = self._client.register_script(_ACQUIRE)

    @contextlib.contextmanager
    def slot(self, key: str) -> Iterator[None]:
        import redis

        name, token = SLOTS + key, uuid.uuid4().hex
        try:
            while not self._acquire(keys=[name], args=[self.limit, token, LEASE]):
                time.sleep(POLL)
        except (redis.RedisError, OSError):
            yield  # Redis is down: the request still goes (Google's 429s are retried)
            return
        try:
            yield
        finally:
            with contextlib.suppress(redis.RedisError, OSError):
                self._client.zrem(name, token)

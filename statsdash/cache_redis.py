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
import zlib
from collections.abc import Iterator
from typing import Any

import orjson

from statsdash.cache import PROVISIONAL_TTL, Rows, WriteBehind, hit_rate, request_key
from statsdash.errors import StatsdashError
from statsdash.google_api import hold_decoding, let_go_decoding
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
        self._writer = WriteBehind(self._store)  # stores pipelined, off the fetching threads

    def _count(self, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def get(self, request: dict, *, refresh: bool = False) -> dict | None:
        return self.get_many([request], refresh=refresh)[0]

    def get_many(self, requests: list[dict], *, refresh: bool = False) -> list[dict | None]:
        """`get` of several requests in one round trip (MGET)."""
        keys, now = [request_key(r) for r in requests], time.time()
        texts: dict[str, bytes] = {}
        if not refresh:
            texts = {k: text for k in keys if (text := self._writer.pending(k, now)) is not None}
            wanted = list(dict.fromkeys(k for k in keys if k not in texts))
            try:
                let_go_decoding()  # a round trip: not in GA's decoding slot
                blobs = self._client.mget([PREFIX + k for k in wanted]) if wanted else []
            except self._errors as error:
                self.error = str(error)
                blobs = [None] * len(wanted)  # a Redis that cannot be reached: misses
            found = zip(wanted, blobs, strict=True)
            texts |= {k: zlib.decompress(b) for k, b in found if b is not None}
        for key in keys:
            self._count(key in texts)
        if texts:
            hold_decoding()  # answers are decoded in the slot (see google_api.one_decoder)
        return [orjson.loads(texts[k]) if k in texts else None for k in keys]

    def put(self, request: dict, response: dict, ttl: float | None) -> None:
        if ttl is not None and ttl <= 0:
            return
        now = time.time()
        self._writer.add(request_key(request), response, None if ttl is None else now + ttl, now)

    def _store(self, rows: Rows, touched: dict[str, float]) -> None:
        """A batch of packed answers in one round trip (WriteBehind's thread); Redis keeps
        each for what is left of its TTL, at least a second. Nothing is touched: Redis's
        own LRU sees every read."""
        pipe = self._client.pipeline(transaction=False)
        for key, blob, expires, now in rows:
            pipe.set(PREFIX + key, blob, ex=None if expires is None else max(1, int(expires - now)))
        try:
            pipe.execute()
        except self._errors as error:
            self.error = str(error)

    def flush(self) -> None:
        """Write the answers stored so far (see WriteBehind)."""
        self._writer.flush()

    def _keys(self) -> list[bytes]:
        return list(self._client.scan_iter(match=PREFIX + "*", count=1000))

    def clear(self) -> int:
        self._writer.flush()
        keys = self._keys()
        for start in range(0, len(keys), 500):
            self._client.delete(*keys[start : start + 500])
        return len(keys)

    def stats(self) -> dict[str, Any]:
        self._writer.flush()
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
            "error": self.error or self._writer.error,
        }

    def close(self) -> None:
        self._writer.flush()
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

"""The response cache: Google's answers stored by the canonical form of each request.

The one persistent cache layer (request -> response cache -> tables -> page): it exists so that
a closed date range is asked of Google once, ever, and a recent one at most once per
`recent_ttl`, whichever process asks (Streamlit sessions, several replicas, a cron `warm`).
Only API responses are stored, never credentials. SQLite (stdlib, one file, 0600) is the
default; `cache: {url: redis://...}` shares one Redis between replicas (statsdash.cache_redis).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
import zlib
from pathlib import Path
from typing import Any

import orjson

from statsdash.google_api import decoding_paused, hold_decoding, let_go_decoding

# ttl=None keeps an answer for good: a closed range's figures no longer change.
FINAL_TTL: float | None = None
PROVISIONAL_TTL = 3600.0  # default `cache.recent_ttl`: ranges touching still-processing days
DEFAULT_MAX_MB = 512.0
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, body BLOB NOT NULL,"
    " size INTEGER NOT NULL, stored_at REAL NOT NULL, expires_at REAL, used_at REAL NOT NULL)"
)
# Reading refreshes a row's LRU stamp only when older than this, so reads rarely write.
TOUCH_EVERY = 60.0
# How long a lookup waits for another writer before it reads a miss, or leaves an answer's
# "last used" for a later lookup: lookups read beside writers (WAL), only a touch writes.
READ_WAIT = 0.05


def request_key(request: dict) -> str:
    """A stable hash of a request: same content, same key, whatever the dict order."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def pack(response: Any) -> bytes:
    """The stored form: the answer's JSON, compressed; its own bytes when it kept them
    (google_api.Answer), as encoding it again cost as much as decoding it."""
    text = getattr(response, "text", None)
    if text is None:  # e.g. one report of a batch's answer (ga.analytics, _batch)
        text = orjson.dumps(response)
    return zlib.compress(text, 1)


def unpack(blob: bytes) -> Any:
    return orjson.loads(zlib.decompress(blob))  # less than half json.loads' time


def private_file(path: Path) -> None:
    """Create `path` (and its folder, if missing) readable by this user only, before any
    byte is written: 0600 file, 0700 folder. An existing file is tightened to 0600."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class ResponseCache:
    """SQLite get/put of JSON responses by request; `enabled=False` makes every call a miss.

    Safe for threads and processes: WAL, one connection for lookups and one for stores,
    each behind a lock of its own, so a store waiting on another process's write lock (up
    to the busy timeout) holds up no lookup, and neither waits in GA's decoding slot.
    Past `max_mb`, the least recently used answers are evicted.
    """

    backend = "sqlite"

    def __init__(
        self,
        path: str | Path | None,
        *,
        enabled: bool = True,
        recent_ttl: float = PROVISIONAL_TTL,
        max_mb: float = DEFAULT_MAX_MB,
    ) -> None:
        self.enabled = enabled and path is not None
        self.path = Path(path) if path is not None else None
        self.recent_ttl = recent_ttl
        self.max_bytes = int(max_mb * 1024 * 1024)
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._read_lock = threading.Lock()
        self._written = 0  # bytes put since the size was last checked
        if self.enabled:
            private_file(self.path)
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=30
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("DROP TABLE IF EXISTS responses")  # the pre-0600, no-LRU layout
            self._db.execute(SCHEMA)
            self._db.execute("CREATE INDEX IF NOT EXISTS answers_used ON answers (used_at)")
            self._reader = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=READ_WAIT
            )

    def get(self, request: dict, *, refresh: bool = False) -> dict | None:
        """The stored response, or None when absent, expired, disabled or `refresh` is set."""
        if not self.enabled or refresh:
            self.misses += self.enabled
            return None
        key, now = request_key(request), time.time()
        let_go_decoding()  # a lookup is a wait; a miss must not queue for the slot
        with self._read_lock:
            try:
                row = self._reader.execute(
                    "SELECT body, expires_at, used_at FROM answers WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.OperationalError:  # locked past READ_WAIT (rare in WAL): a miss
                row = None
            if row is not None and row[1] is not None and row[1] < now:
                row = None
            elif row is not None and now - row[2] > TOUCH_EVERY:
                # Another process's write lock: this answer's "last used" waits for a
                # later lookup rather than the lookup for the lock.
                with contextlib.suppress(sqlite3.OperationalError):
                    self._reader.execute("UPDATE answers SET used_at = ? WHERE key = ?", (now, key))
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        hold_decoding()  # the answer is decoded in the slot (see google_api.one_decoder)
        return unpack(row[0])

    def put(self, request: dict, response: dict, ttl: float | None) -> None:
        """Store `response`; `ttl` seconds, or None (FINAL_TTL) to keep it for good."""
        if not self.enabled:
            return
        blob, now = pack(response), time.time()
        expires = None if ttl is None else now + ttl
        with decoding_paused(), self._lock:  # may wait on another process's write lock
            self._db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                (request_key(request), blob, len(blob), now, expires, now),
            )
            self._written += len(blob)
            if self._written > self.max_bytes // 20:
                self._written = 0
                self._evict(now)

    def _evict(self, now: float) -> None:
        """Drop expired answers, then the least recently used until under 90% of the cap."""
        self._db.execute("DELETE FROM answers WHERE expires_at < ?", (now,))
        total = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM answers").fetchone()[0]
        if total <= self.max_bytes:
            return
        excess, doomed = total - int(self.max_bytes * 0.9), []
        for key, size in self._db.execute("SELECT key, size FROM answers ORDER BY used_at"):
            if excess <= 0:
                break
            doomed.append((key,))
            excess -= size
        self._db.executemany("DELETE FROM answers WHERE key = ?", doomed)

    def clear(self) -> int:
        """Forget every stored answer; how many there were."""
        if not self.enabled:
            return 0
        with self._lock:
            return self._db.execute("DELETE FROM answers").rowcount

    def stats(self) -> dict[str, Any]:
        """hits, misses, hit_rate (this process), entries, kept_for_good, bytes (the store)."""
        entries = kept = size = 0
        if self.enabled:
            with self._lock:
                entries, kept, size = self._db.execute(
                    "SELECT COUNT(*), COUNT(*) - COUNT(expires_at), COALESCE(SUM(size), 0) "
                    "FROM answers WHERE expires_at IS NULL OR expires_at >= ?",
                    (time.time(),),
                ).fetchone()
        return {
            "backend": self.backend,
            "hits": self.hits,
            "misses": self.misses,
            "hit_rate": hit_rate(self.hits, self.misses),
            "entries": entries,
            "kept_for_good": kept,
            "bytes": size,
            "max_bytes": self.max_bytes,
        }

    def close(self) -> None:
        if self._db is not None:
            with self._read_lock:
                self._reader.close()
                self._reader = None
            self._db.close()
            self._db = None
            self.enabled = False


def hit_rate(hits: int, misses: int) -> float | None:
    return hits / (hits + misses) if hits + misses else None


# One cache per store per process, shared by both services' clients and every session: one
# connection (or Redis pool) instead of one per client, and one set of hit counters.
_open: dict[tuple, Any] = {}
_open_lock = threading.Lock()


def open_cache(settings: Any) -> Any:
    """The process's cache for a CacheConfig: ResponseCache, RedisCache, or a disabled one."""
    if not settings.enabled:
        return ResponseCache(None, enabled=False)
    url = getattr(settings, "url", None)
    key = (url or str(Path(settings.path).resolve()), settings.recent_ttl, settings.max_mb)
    with _open_lock:
        cache = _open.get(key)
        if cache is None or not cache.enabled:
            if url:
                from statsdash.cache_redis import RedisCache

                cache = RedisCache(url, recent_ttl=settings.recent_ttl)
            else:
                cache = ResponseCache(
                    settings.path, recent_ttl=settings.recent_ttl, max_mb=settings.max_mb
                )
            _open[key] = cache
        return cache


def cache_location(settings: Any) -> str:
    """Where the cache lives, for people: the file, or the Redis URL without its password."""
    if getattr(settings, "url", None):
        from urllib.parse import urlsplit

        url = urlsplit(settings.url)
        host = url.hostname or ""
        port = f":{url.port}" if url.port else ""
        return f"{url.scheme}://{host}{port}{url.path}"
    return str(settings.path)


def format_stats(stats: dict, where: str) -> str:
    """`cache stats` as a few lines."""
    rate = stats.get("hit_rate")
    lines = [
        f"cache: {stats['backend']} at {where}",
        f"entries: {stats['entries']:,} ({stats.get('kept_for_good', 0):,} kept for good)",
        f"size: {stats['bytes'] / 1e6:,.1f} MB"
        + (f" of {stats['max_bytes'] / 1e6:,.0f} MB" if stats.get("max_bytes") else ""),
        f"this process: {stats['hits']:,} hits, {stats['misses']:,} misses"
        + (f" ({rate:.0%} hit rate)" if rate is not None else ""),
    ]
    return "\n".join(lines)

"""The response cache: Google's answers stored by the canonical form of each request.

The one persistent cache layer (request -> response cache -> tables -> page): it exists so that
a closed date range is asked of Google once, ever, and a recent one at most once per
`recent_ttl`, whichever process asks (Streamlit sessions, several replicas, a cron `warm`).
Only API responses are stored, never credentials. SQLite (stdlib, one file, 0600) is the
default; `cache: {url: redis://...}` shares one Redis between replicas (statsdash.cache_redis).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import sqlite3
import threading
import time
import weakref
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from statsdash.google_api import hold_decoding, let_go_decoding

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
    """The stored form: the answer's JSON, compressed."""
    return zlib.compress(_json(response), 1)


def _json(response: Any) -> bytes:
    """The answer's JSON: its own bytes when it kept them (google_api.Answer), as encoding
    it again cost as much as decoding it."""
    text = getattr(response, "text", None)
    if text is None:  # e.g. one report of a batch's answer (ga.analytics, _batch)
        text = orjson.dumps(response)
    return text


def unpack(blob: bytes) -> Any:
    return orjson.loads(zlib.decompress(blob))  # less than half json.loads' time


# A store item: (key, answer, expires_at or None for good, stored_at).
Item = tuple[str, Any, "float | None", float]
# What the writer's store function is given: packed rows (key, blob, expires_at,
# stored_at), and answers read since their "last used" was written: key -> when.
Rows = list[tuple[str, bytes, "float | None", float]]
Store = Callable[[Rows, dict[str, float]], None]


class WriteBehind:
    """Answers stored by one background thread, in batches, not by the thread that fetched
    them: at 80 sites an export's 1,800 stores (encoding, compressing, one SQLite commit
    each) took 0.8 s of CPU on the fetching threads, in GA's decoding slot and one after
    another behind the store's lock, and the export ran 0.9 s longer with the cache on
    than off. A lookup's "last used" stamp is written the same way (it was a write
    transaction per cached answer read). An answer not yet stored is still found
    (`pending`) by this process; other processes see it once its batch is written, a few
    milliseconds later. `flush` waits for everything given so far; a process flushes at
    exit (`flush_all`). A batch that cannot be stored is dropped and its error kept in
    `error`: a cache that fails to store costs requests later, never the answers in hand."""

    def __init__(self, store: Store):
        self._store = store
        self._changed = threading.Condition()
        self._queue: list[Item] = []
        self._touched: dict[str, float] = {}
        self._pending: dict[str, tuple[Any, float | None]] = {}
        self._writing = False
        self._thread: threading.Thread | None = None
        self.error: str | None = None
        _writers.add(self)

    def add(self, key: str, response: Any, expires: float | None, now: float) -> None:
        with self._changed:
            self._queue.append((key, response, expires, now))
            self._pending[key] = (response, expires)
            self._wake()

    def touch(self, key: str, now: float) -> None:
        """Note that the stored answer under `key` was used at `now` (for the LRU)."""
        with self._changed:
            self._touched[key] = now
            self._wake()

    def _wake(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="statsdash-cache-writer", daemon=True
            )
            self._thread.start()
        self._changed.notify_all()

    def pending(self, key: str, now: float) -> bytes | None:
        """The JSON of the answer given for `key` and not yet written, if any and fresh."""
        response, expires = self._pending.get(key, (None, None))
        if response is None or (expires is not None and expires < now):
            return None
        return _json(response)

    def flush(self, timeout: float | None = 60.0) -> bool:
        """Wait until everything given so far is written (or dropped); whether it was."""
        with self._changed:
            return self._changed.wait_for(self._idle, timeout=timeout)

    def _idle(self) -> bool:
        return not self._queue and not self._touched and not self._writing

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._queue or self._touched)
                batch, self._queue = self._queue, []
                touched, self._touched = self._touched, {}
                self._writing = True
            try:
                rows = [(key, pack(answer), exp, now) for key, answer, exp, now in batch]
                self._store(rows, touched)
            except Exception as error:  # noqa: BLE001  (any store failure: dropped, kept)
                self.error = f"{type(error).__name__}: {error}"
            finally:
                with self._changed:
                    for key, answer, _, _ in batch:
                        if self._pending.get(key, (None,))[0] is answer:
                            del self._pending[key]
                    self._writing = False
                    self._changed.notify_all()


# Every write-behind of the process, flushed at its end: at exit (atexit), and before an
# export's os._exit (statsdash.__main__), which skips atexit.
_writers: weakref.WeakSet[WriteBehind] = weakref.WeakSet()


def flush_all(timeout: float = 60.0) -> None:
    """Write every answer this process has stored but not yet written."""
    for writer in list(_writers):
        writer.flush(timeout)


atexit.register(flush_all)


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
    to the busy timeout) holds up no lookup. Stores are written behind (`WriteBehind`),
    a batch in one transaction. Past `max_mb`, the least recently used answers are evicted.
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
        self._writer = WriteBehind(self._store)
        if self.enabled:
            private_file(self.path)
            self._db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=30
            )
            self._wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("DROP TABLE IF EXISTS responses")  # the pre-0600, no-LRU layout
            self._db.execute(SCHEMA)
            self._db.execute("CREATE INDEX IF NOT EXISTS answers_used ON answers (used_at)")
            self._reader = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=READ_WAIT
            )

    def _wal(self) -> None:
        """Switch the file to WAL. Two processes opening a new file at once (a cron `warm`
        and a replica starting) both ask, and SQLite answers the second "database is
        locked" at once, without its busy timeout: asked again until the timeout."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def get(self, request: dict, *, refresh: bool = False) -> dict | None:
        """The stored response, or None when absent, expired, disabled or `refresh` is set."""
        return self.get_many([request], refresh=refresh)[0]

    def get_many(self, requests: list[dict], *, refresh: bool = False) -> list[dict | None]:
        """`get` of several requests in one lookup (a batchRunReports' reports): the
        lookups of a round's first ~50 calls queue for the one reading connection."""
        if not self.enabled or refresh:
            self.misses += len(requests) if self.enabled else 0
            return [None] * len(requests)
        keys, now = [request_key(r) for r in requests], time.time()
        texts = {k: text for k in keys if (text := self._writer.pending(k, now)) is not None}
        wanted = list(dict.fromkeys(k for k in keys if k not in texts))
        if wanted:
            texts |= self._read(wanted, now)
        found = sum(k in texts for k in keys)
        self.hits += found
        self.misses += len(keys) - found
        if found:
            hold_decoding()  # answers are decoded in the slot (see google_api.one_decoder)
        return [orjson.loads(texts[k]) if k in texts else None for k in keys]

    def _read(self, keys: list[str], now: float) -> dict[str, bytes]:
        """The JSON of the stored, unexpired answers of `keys`; each one's "last used"
        noted for the writer when older than TOUCH_EVERY."""
        marks = ",".join("?" * len(keys))
        let_go_decoding()  # a lookup is a wait; a miss must not queue for the slot
        with self._read_lock:
            try:
                rows = self._reader.execute(
                    f"SELECT key, body, expires_at, used_at FROM answers WHERE key IN ({marks})",
                    keys,
                ).fetchall()
            except sqlite3.OperationalError:  # locked past READ_WAIT (rare in WAL): misses
                rows = []
        texts = {}
        for key, body, expires, used in rows:
            if expires is not None and expires < now:
                continue
            if now - used > TOUCH_EVERY:
                self._writer.touch(key, now)
            texts[key] = zlib.decompress(body)
        return texts

    def put(self, request: dict, response: dict, ttl: float | None) -> None:
        """Store `response`; `ttl` seconds, or None (FINAL_TTL) to keep it for good."""
        if not self.enabled:
            return
        now = time.time()
        self._writer.add(request_key(request), response, None if ttl is None else now + ttl, now)

    def _store(self, rows: Rows, touched: dict[str, float]) -> None:
        """A batch of packed answers and "last used" stamps in one transaction
        (WriteBehind's thread)."""
        with self._lock:  # may wait on another process's write lock
            if self._db is None:  # closed meanwhile
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                    [(key, blob, len(blob), now, exp, now) for key, blob, exp, now in rows],
                )
                self._db.executemany(
                    "UPDATE answers SET used_at = ? WHERE key = ?",
                    [(now, key) for key, now in touched.items()],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._written += sum(len(blob) for _, blob, _, _ in rows)
            if self._written > self.max_bytes // 20:
                self._written = 0
                self._evict(time.time())

    def flush(self) -> None:
        """Write the answers stored so far (see WriteBehind)."""
        self._writer.flush()

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
        self._writer.flush()
        with self._lock:
            return self._db.execute("DELETE FROM answers").rowcount

    def stats(self) -> dict[str, Any]:
        """hits, misses, hit_rate (this process), entries, kept_for_good, bytes (the store)."""
        entries = kept = size = 0
        if self.enabled:
            self._writer.flush()
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
            "error": self._writer.error,
        }

    def close(self) -> None:
        if self._db is not None:
            self._writer.flush()
            with self._read_lock:
                self._reader.close()
                self._reader = None
            with self._lock:
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
    if stats.get("error"):
        lines.append(f"last store failed: {stats['error']}")
    return "\n".join(lines)

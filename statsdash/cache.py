"""Persistent API response cache in SQLite, keyed by the canonical form of each request.

Only API responses are stored (never credentials). Responses for days whose data is
final are kept long; anything touching recent, still-processing days expires quickly.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path

# Seconds a response is kept: final data rarely changes, provisional data does.
FINAL_TTL = 30 * 24 * 3600
PROVISIONAL_TTL = 3600


def request_key(request: dict) -> str:
    """A stable hash of a request: same content, same key, whatever the dict order."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ResponseCache:
    """get/put JSON responses by request; `enabled=False` makes every call a miss."""

    def __init__(self, path: str | Path | None, *, enabled: bool = True) -> None:
        self.enabled = enabled and path is not None
        self.path = Path(path) if path is not None else None
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        if self.enabled:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS responses ("
                " key TEXT PRIMARY KEY, body TEXT NOT NULL, stored_at REAL, expires_at REAL)"
            )

    def get(self, request: dict, *, refresh: bool = False) -> dict | None:
        """The stored response, or None when absent, expired, disabled or `refresh` is set."""
        if not self.enabled or refresh:
            self.misses += self.enabled
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT body, expires_at FROM responses WHERE key = ?", (request_key(request),)
            ).fetchone()
        if row is None or row[1] < time.time():
            self.misses += 1
            return None
        self.hits += 1
        return json.loads(row[0])

    def put(self, request: dict, response: dict, ttl: float) -> None:
        if not self.enabled:
            return
        now = time.time()
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?)",
                (request_key(request), json.dumps(response), now, now + ttl),
            )

    def clear(self) -> None:
        if self.enabled:
            with self._lock:
                self._db.execute("DELETE FROM responses")

    def stats(self) -> dict[str, int]:
        entries = 0
        if self.enabled:
            with self._lock:
                entries = self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
        return {"hits": self.hits, "misses": self.misses, "entries": entries}

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
            self.enabled = False

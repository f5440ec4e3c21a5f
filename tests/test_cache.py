"""The SQLite response cache: canonical keys, expiry, refresh bypass, disabled mode, kept-for-good
answers, the size cap's LRU eviction, private files and several processes at once."""

import multiprocessing
import sqlite3
import stat

from statsdash.cache import (
    FINAL_TTL,
    ResponseCache,
    flush_all,
    format_stats,
    open_cache,
    request_key,
)
from statsdash.config import CacheConfig


def test_key_ignores_dict_order():
    assert request_key({"a": 1, "b": [1, 2]}) == request_key({"b": [1, 2], "a": 1})
    assert request_key({"a": 1}) != request_key({"a": 2})


def test_put_get_expiry_and_refresh(tmp_path):
    cache = ResponseCache(tmp_path / "c" / "cache.sqlite")
    request = {"property": "1", "body": {"dateRanges": [{"startDate": "2026-10-01"}]}}
    assert cache.get(request) is None
    cache.put(request, {"rows": [1]}, ttl=60)
    assert cache.get(request) == {"rows": [1]}
    assert cache.get(request, refresh=True) is None
    cache.put({"x": 1}, {"rows": []}, ttl=-1)
    assert cache.get({"x": 1}) is None
    stats = cache.stats()
    assert (stats["hits"], stats["misses"], stats["entries"]) == (1, 3, 1)  # expired not counted
    assert stats["hit_rate"] == 0.25
    assert stats["kept_for_good"] == 0


def test_closed_ranges_are_kept_for_good(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite")
    cache.put({"k": "closed"}, {"v": 1}, FINAL_TTL)
    cache.put({"k": "recent"}, {"v": 2}, 3600)
    assert cache.get({"k": "closed"}) == {"v": 1}
    stats = cache.stats()
    assert (stats["entries"], stats["kept_for_good"]) == (2, 1)
    assert stats["bytes"] > 0


def test_survives_a_restart(tmp_path):
    path = tmp_path / "cache.sqlite"
    first = ResponseCache(path)
    first.put({"k": 1}, {"v": 2}, ttl=3600)
    first.close()
    assert ResponseCache(path).get({"k": 1}) == {"v": 2}


def test_disabled_cache_stores_nothing(tmp_path):
    cache = ResponseCache(tmp_path / "cache.sqlite", enabled=False)
    cache.put({"k": 1}, {"v": 2}, ttl=3600)
    assert cache.get({"k": 1}) is None
    assert not (tmp_path / "cache.sqlite").exists()


def test_file_and_new_folder_are_private_from_the_first_write(tmp_path):
    path = tmp_path / "new" / "cache.sqlite"
    cache = ResponseCache(path)
    cache.put({"k": 1}, {"v": "x" * 5000}, FINAL_TTL)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for file in path.parent.iterdir():  # the database and its -wal / -shm companions
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name


def test_an_existing_readable_file_is_tightened(tmp_path):
    path = tmp_path / "cache.sqlite"
    path.touch(mode=0o644)
    ResponseCache(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_size_cap_evicts_the_least_recently_used(tmp_path):
    import random

    noise = random.Random(1)
    cache = ResponseCache(tmp_path / "cache.sqlite", max_mb=0.2)  # about 200 kB
    body = lambda: {"v": "".join(noise.choice("abcdef0123") for _ in range(20_000))}  # noqa: E731
    cache.put({"k": "old"}, body(), FINAL_TTL)
    cache.put({"k": "used"}, body(), FINAL_TTL)
    cache._db.execute("UPDATE answers SET used_at = used_at - 1000")  # both long unused
    assert cache.get({"k": "used"}) is not None  # ... then "used" is read again
    for i in range(30):
        cache.put({"k": i}, body(), FINAL_TTL)
    stats = cache.stats()
    assert stats["bytes"] <= stats["max_bytes"]
    assert cache.get({"k": "old"}) is None
    assert cache.get({"k": 29}) is not None


def _writer(path: str, worker: int, n: int) -> None:
    cache = ResponseCache(path)
    for i in range(n):
        cache.put({"w": worker, "i": i}, {"v": i}, FINAL_TTL)
        assert cache.get({"w": 1 - worker, "i": i}) in (None, {"v": i})


def test_two_processes_write_one_file(tmp_path):
    path = str(tmp_path / "cache.sqlite")
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(path, w, 200)) for w in (0, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert ResponseCache(path).stats()["entries"] == 400


def test_open_cache_shares_one_cache_per_store(tmp_path):
    settings = CacheConfig(path=tmp_path / "c.sqlite")
    assert open_cache(settings) is open_cache(CacheConfig(path=tmp_path / "c.sqlite"))
    assert open_cache(CacheConfig(enabled=False)).enabled is False
    recent = open_cache(CacheConfig(path=tmp_path / "d.sqlite", recent_ttl=60))
    recent.put({"k": 1}, {"v": 1}, recent.recent_ttl)
    recent.flush()  # written behind: in the file once flushed
    row = recent._db.execute("SELECT expires_at - stored_at FROM answers").fetchone()
    assert abs(row[0] - 60) < 1


def test_data_status_line_shows_hit_rate_entries_and_size(tmp_path):
    from statsdash.ui.data import cache_line

    cache = ResponseCache(tmp_path / "cache.sqlite")
    cache.put({"k": 1}, {"v": "x" * 3000}, FINAL_TTL)
    cache.get({"k": 1})
    cache.get({"k": 2})
    line = cache_line(cache.stats())
    assert line.startswith("Response cache (sqlite): 1 hits, 1 misses (50% hit rate)")
    assert "1 answers stored" in line and "MB" in line


def test_processes_opening_a_new_file_at_once_all_get_it(tmp_path):
    # A cron `warm` and a replica starting together on a new cache file: SQLite answers the
    # second switch to WAL "database is locked" at once, without its busy timeout. Threads
    # race the same way (6 at once on 100 new files: 8 failed before the retry).
    import threading

    failures = []
    for round_ in range(100):
        path = tmp_path / f"c{round_}.sqlite"
        start = threading.Barrier(6)

        def open_it(path=path, start=start):
            start.wait()
            try:
                ResponseCache(path).put({"k": 1}, {"v": 1}, FINAL_TTL)
            except sqlite3.OperationalError as error:
                failures.append(str(error))

        threads = [threading.Thread(target=open_it) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert failures == []
    flush_all()
    assert ResponseCache(tmp_path / "c99.sqlite").get({"k": 1}) == {"v": 1}


def test_get_many_reads_stored_and_pending_answers_in_one_lookup(tmp_path):
    path = tmp_path / "c.sqlite"
    cache = ResponseCache(path)
    cache.put({"k": "stored"}, {"v": 1}, FINAL_TTL)
    cache.put({"k": "expired"}, {"v": 2}, -1)
    cache.flush()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing: this one's store waits
    cache.put({"k": "pending"}, {"v": 3}, FINAL_TTL)
    asked = [{"k": "stored"}, {"k": "missing"}, {"k": "expired"}, {"k": "pending"}, {"k": "stored"}]
    got = cache.get_many(asked)
    assert got == [{"v": 1}, None, None, {"v": 3}, {"v": 1}]
    assert got[0] is not got[4]  # callers take values out: a copy each
    assert (cache.hits, cache.misses) == (3, 2)
    assert ResponseCache(path).get({"k": "pending"}) is None  # not in the file yet
    other.execute("COMMIT")
    cache.flush()
    assert ResponseCache(path).get({"k": "pending"}) == {"v": 3}


def test_an_answer_that_cannot_be_stored_is_dropped_and_named(tmp_path):
    from statsdash.ui.data import cache_line

    cache = ResponseCache(tmp_path / "c.sqlite")
    cache._db.execute("PRAGMA query_only = 1")  # the store refuses every write, as a full disk
    cache.put({"k": 1}, {"v": 1}, FINAL_TTL)  # returns: the answer in hand is not lost
    stats = cache.stats()  # waits for the store to be tried
    assert cache.get({"k": 1}) is None
    assert stats["entries"] == 0
    assert "readonly" in stats["error"]
    assert "last store failed: OperationalError" in cache_line(stats)
    assert "last store failed" in format_stats(stats, "here")

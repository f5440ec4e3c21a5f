"""The SQLite response cache: canonical keys, expiry, refresh bypass, disabled mode."""

from statsdash.cache import ResponseCache, request_key


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
    assert cache.stats() == {"hits": 1, "misses": 3, "entries": 2}


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

"""Several replicas on one Redis (Debian's redis-server, started here on a loopback port):
the shared response cache, the shared per-property limit on requests in flight, and two app
processes of which the second draws its cold page without a single request."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from statsdash.cache import FINAL_TTL
from statsdash.demo import DEMO_CONFIG

ROOT = Path(__file__).resolve().parents[1]
REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS is None, reason="redis-server is not installed (apt-get install redis-server)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    import redis

    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    client.close()
    server.terminate()
    server.wait(10)


@pytest.fixture
def redis_cache(redis_url):
    from statsdash.cache_redis import RedisCache

    cache = RedisCache(redis_url, recent_ttl=60)
    cache.clear()
    yield cache
    cache.clear()


def test_answers_ttls_stats_and_clear(redis_cache):
    import redis

    redis_cache.put({"k": "closed"}, {"v": 1}, FINAL_TTL)
    redis_cache.put({"k": "recent"}, {"v": 2}, redis_cache.recent_ttl)
    assert redis_cache.get({"k": "closed"}) == {"v": 1}
    assert redis_cache.get({"k": "nothing"}) is None
    assert redis_cache.get({"k": "closed"}, refresh=True) is None
    stats = redis_cache.stats()
    assert (stats["entries"], stats["kept_for_good"], stats["hits"], stats["misses"]) == (
        2,
        1,
        1,
        2,
    )
    raw = redis.Redis.from_url(redis_cache.url)
    ttls = sorted(raw.ttl(k) for k in raw.scan_iter(match="statsdash:answer:*"))
    assert ttls[0] == -1 and 55 <= ttls[1] <= 60  # the recent one expires in Redis itself
    assert redis_cache.clear() == 2
    assert redis_cache.stats()["entries"] == 0


KEEP_MAX = "if tonumber(ARGV[1]) > tonumber(redis.call('GET', KEYS[1]) or 0) then redis.call('SET', KEYS[1], ARGV[1]) end"  # noqa: E501


def _hold_slots(url: str, limit: int, threads: int) -> None:
    """Threads that each take a slot, count holders in Redis, and keep the peak there."""
    import threading

    import redis

    from statsdash.cache_redis import RedisLimiter

    limiter, raw = RedisLimiter(url, limit=limit), redis.Redis.from_url(url)

    def hold() -> None:
        for _ in range(3):
            with limiter.slot("ga:123"):
                now = raw.incr("probe:holders")
                raw.eval(KEEP_MAX, 1, "probe:peak", now)
                time.sleep(0.05)
                raw.decr("probe:holders")

    workers = [threading.Thread(target=hold) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def test_the_limit_holds_across_processes(redis_url):
    import redis

    raw = redis.Redis.from_url(redis_url)
    raw.delete("probe:holders", "probe:peak")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_hold_slots, args=(redis_url, 4, 6)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert int(raw.get("probe:peak")) == 4  # reached, never passed, by 12 threads in 2 processes


APP_RUN = textwrap.dedent(
    """
    import sys
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(sys.argv[1], default_timeout=300)
    at.query_params.update({"period": "custom", "start": "2026-10-01", "end": "2026-10-28"})
    at.run()
    if at.exception:
        sys.exit("page failed: " + " | ".join(e.message for e in at.exception))
    """
)


@pytest.mark.slow
def test_a_second_replica_draws_its_cold_page_from_the_first_ones_answers(
    redis_url, emulator, clean_emulator, tmp_path
):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    data = yaml.safe_load(DEMO_CONFIG.read_text())
    data["youtube"]["endpoint"] = data["google_analytics"]["endpoint"] = emulator.url
    data["cache"] = {"url": redis_url}
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    env = os.environ | {
        "STATSDASH_CONFIG": str(config),
        "STATSDASH_TODAY": emulator.network.today.isoformat(),
    }
    env.pop("STATSDASH_DEMO", None)

    def replica() -> None:
        done = subprocess.run(
            [sys.executable, "-c", APP_RUN, str(ROOT / "app.py")],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]

    replica()
    first = clean_emulator.requests()
    assert first["total"] > 0
    assert max(first["peak_in_flight"].values()) <= 10
    replica()
    assert clean_emulator.requests()["total"] == first["total"]  # the second asked nothing


def test_several_answers_are_read_in_one_round_trip(redis_cache):
    import redis

    redis_cache.put({"k": 1}, {"v": 1}, FINAL_TTL)
    redis_cache.put({"k": 2}, {"v": 2}, FINAL_TTL)
    redis_cache.flush()
    raw = redis.Redis.from_url(redis_cache.url)
    before = raw.info("commandstats").get("cmdstat_mget", {}).get("calls", 0)
    got = redis_cache.get_many([{"k": 1}, {"k": "none"}, {"k": 2}])
    assert got == [{"v": 1}, None, {"v": 2}]
    assert raw.info("commandstats")["cmdstat_mget"]["calls"] == before + 1
    assert (redis_cache.hits, redis_cache.misses) == (2, 1)

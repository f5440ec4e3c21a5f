"""The emulator's on-disk facts cache: facts read back are the facts the generator draws, bit
for bit (they are every test's ground truth), a changed generator is a new key that draws
again, an unreadable block is drawn again, and the files are private."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from statsdash.emulator import Network, facts_cache, stores
from statsdash.emulator import network as network_module

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 20)
# Months with every kind of row: the first month, a leap day, the events' week, the latest.
MONTHS = ((2023, 1), (2024, 2), (2026, 11), (2026, 12))
NOV = (date(2026, 11, 1), date(2026, 11, 30))


def _forget_stores() -> None:
    """Drop the in-memory stores, so the next Network reads (or draws) every block again."""
    network_module._ga_store.cache_clear()
    network_module._channel_catalogue.cache_clear()
    network_module._network_for.cache_clear()


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("STATSDASH_FACTS_CACHE", str(tmp_path / "facts"))
    _forget_stores()
    yield tmp_path / "facts"
    _forget_stores()


def _every_frame(net: Network) -> dict[str, pd.DataFrame]:
    frames = {pid: net.ga_facts(pid, *NOV) for pid in net.ga_properties}
    frames["youtube"] = net.yt_facts(list(net.yt_channels), *NOV)
    frames["subscribers"] = pd.DataFrame(
        {"n": [net.subscriber_count(c) for c in net.yt_channels]}
    )  # every month since 2023: the lifetime counts read them all
    return frames


def test_facts_from_the_cache_equal_freshly_drawn_facts(cache_dir, monkeypatch):
    monkeypatch.setenv("STATSDASH_FACTS_CACHE", "off")
    fresh = _every_frame(Network(TODAY))
    assert not cache_dir.exists()  # off means off
    monkeypatch.setenv("STATSDASH_FACTS_CACHE", str(cache_dir))
    _forget_stores()
    drawn = _every_frame(Network(TODAY))  # drawn again, and written
    written = sorted(p.name for p in next(cache_dir.iterdir()).iterdir())
    assert len(written) > 12 * 1 + 9 * 40, len(written)
    _forget_stores()
    read = _every_frame(Network(TODAY))  # read back from disk
    for name, frame in fresh.items():
        pd.testing.assert_frame_equal(drawn[name], frame, check_exact=True)
        pd.testing.assert_frame_equal(read[name], frame, check_exact=True)


def test_every_stored_block_is_the_generated_block_exactly(cache_dir):
    net = Network(TODAY)
    ga = [network_module._ga_store(pid) for pid in net.ga_properties]
    for store in [*ga, *net._yt_stores.values()]:
        for year, month in MONTHS:
            truth = store._make_month(year, month)  # the generator, no cache involved
            stored = facts_cache.load(store._name, year, month)
            assert stored is None  # nothing stored yet
            stores.ColumnStore(store._make_month, store._name).span(
                stores.day_number(date(year, month, 1)), stores.day_number(date(year, month, 1))
            )
            stored = facts_cache.load(store._name, year, month)
            assert list(stored) == list(truth)
            for column, values in truth.items():
                assert stored[column].dtype == values.dtype, (store._name, column)
                assert np.array_equal(stored[column], values), (store._name, column)


def test_a_changed_generator_is_a_new_key_and_draws_again(cache_dir, monkeypatch, tmp_path):
    store = network_module._ga_store("311204581")
    truth = store._make_month(2026, 11)
    # A block stored under the current key is what the store serves (proof it reads the cache)
    forged = {c: v.copy() for c, v in truth.items()}
    forged["screenPageViews"] += 1
    facts_cache.save(store._name, 2026, 11, forged)
    served = stores.ColumnStore(store._make_month, store._name).span(*_nov_days())
    assert served["screenPageViews"].sum() == truth["screenPageViews"].sum() + len(truth["dh"])
    # Any change to an emulator source file changes the key: a new folder, drawn afresh.
    copy = tmp_path / "emulator"
    copy.mkdir()
    for path in facts_cache.SOURCE_FOLDER.glob("*.py"):
        (copy / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(facts_cache, "SOURCE_FOLDER", copy)
    facts_cache.source_key.cache_clear()
    unchanged = facts_cache.source_key()
    with (copy / "stores.py").open("a") as f:
        f.write("\n# a changed generator\n")
    facts_cache.source_key.cache_clear()
    try:
        changed = facts_cache.source_key()
        assert changed != unchanged
        served = stores.ColumnStore(store._make_month, store._name).span(*_nov_days())
        assert np.array_equal(served["screenPageViews"], truth["screenPageViews"])
        assert sorted(p.name for p in cache_dir.iterdir()) == sorted([unchanged, changed])
    finally:
        facts_cache.source_key.cache_clear()


def _nov_days() -> tuple[int, int]:
    return stores.day_number(date(2026, 11, 1)), stores.day_number(date(2026, 11, 30))


def test_an_unreadable_block_is_drawn_again_and_rewritten(cache_dir):
    store = network_module._ga_store("340017723")
    truth = store._make_month(2026, 11)
    stores.ColumnStore(store._make_month, store._name).span(*_nov_days())
    (path,) = next(cache_dir.iterdir()).glob(f"{store._name}-2026-11.npy")
    path.write_bytes(path.read_bytes()[:1000])  # truncated, as by a full disk
    served = stores.ColumnStore(store._make_month, store._name).span(*_nov_days())
    assert all(np.array_equal(served[c], truth[c]) for c in truth)
    again = facts_cache.load(store._name, 2026, 11)
    assert again is not None and np.array_equal(again["sessions"], truth["sessions"])


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:9],  # not even a header
        lambda data: data.replace(b"'descr'", b"'dexcr'"),  # a header numpy never writes
        lambda data: data.replace(b"'shape': (", b"'shape': (1", 1),  # more rows than stored
        lambda data: b"\x93NUMPY\x01\x00" + b"\xff" * 500,  # the magic, then garbage
    ],
)
def test_a_foreign_or_damaged_file_is_drawn_again(cache_dir, damage):
    store = network_module._ga_store("340017723")
    truth = store._make_month(2026, 11)
    stores.ColumnStore(store._make_month, store._name).span(*_nov_days())
    (path,) = next(cache_dir.iterdir()).glob(f"{store._name}-2026-11.npy")
    path.write_bytes(damage(path.read_bytes()))
    assert facts_cache.load(store._name, 2026, 11) is None
    served = stores.ColumnStore(store._make_month, store._name).span(*_nov_days())
    assert all(np.array_equal(served[c], truth[c]) for c in truth)


def test_cache_files_are_private(cache_dir):
    store = network_module._ga_store("311204581")
    stores.ColumnStore(store._make_month, store._name).span(*_nov_days())
    (key,) = cache_dir.iterdir()
    assert cache_dir.stat().st_mode & 0o777 == 0o700
    assert key.stat().st_mode & 0o777 == 0o700
    files = list(key.iterdir())
    assert files and all(p.stat().st_mode & 0o777 == 0o600 for p in files)


def test_drawing_ahead_makes_the_first_pages_months_and_changes_no_fact(monkeypatch):
    monkeypatch.setenv("STATSDASH_FACTS_CACHE", "off")
    _forget_stores()
    try:
        requested = _every_frame(Network(TODAY))  # every block drawn as requests ask
        _forget_stores()
        network_module.draw_ahead(TODAY)  # what a demo does while the app imports
        channels, _, channel_stores = network_module._channel_catalogue()
        months = stores.ColumnStore._index
        for channel, store in zip(channels, channel_stores, strict=True):
            lifetime = list(range(months(stores.DATA_START_DAY), months(_nov_days()[0]) + 1))
            assert sorted(store._blocks) == (lifetime if channel.group else []), channel.title
        for pid in Network(TODAY).ga_properties:
            drawn = sorted(network_module._ga_store(pid)._blocks)
            assert drawn == list(range(months(stores.day_number(date(2025, 10, 1))), drawn[-1] + 1))
            assert drawn[-1] == months(_nov_days()[0]), pid
        ahead = _every_frame(Network(TODAY))
        for name, frame in requested.items():
            pd.testing.assert_frame_equal(ahead[name], frame, check_exact=True)
    finally:
        _forget_stores()


def test_threads_asking_at_once_share_one_store(monkeypatch):
    """The demo's drawing thread and the emulator's request threads ask for the same stores
    as the demo starts: they must get one store each, not draw a property's months twice."""
    monkeypatch.setenv("STATSDASH_FACTS_CACHE", "off")
    _forget_stores()
    start = threading.Barrier(8)

    def ask(_):
        start.wait()
        return network_module._ga_store("311204581"), network_module._channel_catalogue()

    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(ask, range(8)))
        assert len({id(store) for store, _ in answers}) == 1
        assert len({id(catalogue) for _, catalogue in answers}) == 1
    finally:
        _forget_stores()


DEMO_START = """
import threading, time
from datetime import date
from statsdash.emulator import server
from statsdash.emulator.network import demo_network
day = date(2026, 11, 20)
# What the app's demo emulator process runs (serve-emulator --draw-ahead).
serving = {"port": 0, "today": day, "draw_ahead": True}
threading.Thread(target=server.serve, kwargs=serving, daemon=True).start()
seen = False
for _ in range(3000):
    drawing = any(t.name == "draw-ahead" for t in threading.enumerate())
    seen = seen or drawing
    if seen and not drawing:
        break
    time.sleep(0.02)
print(sum(len(s._blocks) for s in set(demo_network(day)._yt_stores.values())))
"""


def test_a_demo_emulator_drawing_ahead_fills_the_stores_it_serves(tmp_path):
    """A fresh process, as the app's demo emulator: the months drawn ahead are the served
    stores' months (every configured channel's every month, for its lifetime counts)."""
    env = os.environ | {"STATSDASH_FACTS_CACHE": "off", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", DEMO_START], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    channels, _, _ = network_module._channel_catalogue()
    configured = sum(1 for c in channels if c.group is not None)
    months = stores.ColumnStore._index(_nov_days()[0]) + 1  # January 2023 to November 2026
    assert int(done.stdout) == configured * months


def test_half_written_files_of_an_ended_process_are_removed(cache_dir):
    """The drawing thread is a daemon: a process ending mid-write left its temporary file
    (several MB) in the folder for good. An old one goes at the next process's first write;
    a fresh one (another process writing now) stays."""
    key = cache_dir / facts_cache.source_key()
    key.mkdir(parents=True)
    orphan, fresh = key / "tmpa1b2.tmp", key / "tmpc3d4.tmp"
    orphan.write_bytes(b"\x93NUMPY half")
    fresh.write_bytes(b"\x93NUMPY being written")
    old = time.time() - facts_cache.ORPHAN_SECONDS - 60
    os.utime(orphan, (old, old))
    facts_cache._prepare.cache_clear()
    store = network_module._ga_store("311204581")
    stores.ColumnStore(store._make_month, store._name).span(*_nov_days())
    assert not orphan.exists() and fresh.exists()
    assert any(p.suffix == ".npy" for p in key.iterdir())  # the write itself happened


def test_draw_makes_every_month_before_any_request_and_changes_no_answer(cache_dir):
    """`POST /_emulator/draw` (benchmarks, before timing): every property's and channel's
    every month from the first to today's is made, and an answer is the same as when its
    months were drawn on request."""
    from statsdash.emulator.process import control
    from statsdash.emulator.server import start_emulator

    months = stores.ColumnStore._index
    every = list(range(months(stores.DATA_START_DAY), months(_nov_days()[0]) + 1))
    request = {
        "dateRanges": [{"startDate": "2026-10-01", "endDate": "2026-11-15"}],
        "dimensions": [{"name": "date"}],
        "metrics": [{"name": "screenPageViews"}],
    }
    with start_emulator(port=0, today=TODAY) as handle:
        asked = _run_report(handle.url, request)
    _forget_stores()
    with start_emulator(port=0, today=TODAY) as handle:
        assert control(handle.url, "draw", {}, timeout=600)["drawn"] is True
        for pid in handle.network.ga_properties:
            assert sorted(network_module._ga_store(pid)._blocks) == every, pid
        _, _, channel_stores = network_module._channel_catalogue()
        assert all(sorted(store._blocks) == every for store in channel_stores)
        assert _run_report(handle.url, request) == asked


def _run_report(url: str, request: dict) -> dict:
    import json
    import urllib.request

    pid = next(iter(Network(TODAY).ga_properties))
    post = urllib.request.Request(
        f"{url}/v1beta/properties/{pid}:runReport",
        data=json.dumps(request).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(post, timeout=60) as answer:
        report = json.load(answer)
    report.pop("propertyQuota", None)  # the tokens left differ between the two emulators
    return report

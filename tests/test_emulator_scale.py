"""The emulator at a benchmark's size: `copies` repeats every property and channel under new
IDs with the same facts; the server reports the most requests about one property in flight."""

from __future__ import annotations

import dataclasses
import re
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from statsdash.config import CacheConfig, Config, Property, Site, load_config
from statsdash.emulator import DEMO_CONFIG, start_emulator
from statsdash.emulator.network import Network
from statsdash.periods import Period
from statsdash.reports import Selection, build_report

TODAY = date(2026, 11, 20)
OCT_DAYS = (date(2026, 10, 1), date(2026, 10, 31))
OCT = Period("October", *OCT_DAYS)


def test_copies_serve_the_same_facts_under_new_ids():
    base, big = Network(TODAY), Network(TODAY, copies=3)
    assert len(big.ga_properties) == 3 * len(base.ga_properties)
    assert len(big.yt_channels) == 3 * len(base.yt_channels)
    assert len(big.channel_groups) == 3 * len(base.channel_groups)
    pid = next(iter(base.ga_properties))
    copy = f"{pid}002"
    assert copy in big.ga_properties and copy.isdigit()
    assert big.ga_facts(copy, *OCT_DAYS).equals(base.ga_facts(pid, *OCT_DAYS))
    assert all(re.fullmatch(r"UC[\w-]{22}", cid) for cid in big.yt_channels)
    cid = next(iter(base.yt_channels))
    twin = next(c for c in big.yt_channels if c != cid and c.startswith(cid[:21]))
    assert big.subscriber_count(twin) == base.subscriber_count(cid)


def test_copies_serve_realtime_too():
    # A copy's realtime rows are its original's: `export --all` on a benchmark network once
    # failed every copied property's runRealtimeReport with a 500 (StopIteration).
    base, big = Network(TODAY), Network(TODAY, copies=2)
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    pid = next(iter(base.ga_properties))
    assert big.ga_realtime_facts(f"{pid}001", now).equals(base.ga_realtime_facts(pid, now))


def test_peak_in_flight_per_property():
    with start_emulator(port=0, today=TODAY) as handle:
        handle.add_fault("slow", times=6, latency_ms=300)
        import httplib2

        pid = next(iter(handle.network.ga_properties))
        url = f"{handle.url}/v1beta/properties/{pid}:runReport"
        body = '{"dateRanges": [{"startDate": "2026-10-01", "endDate": "2026-10-02"}]}'

        def ask():
            httplib2.Http().request(url, "POST", body, {"Content-Type": "application/json"})

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert handle.requests()["peak_in_flight"][pid] == 4


def test_an_injected_latency_is_the_answers_whole_time_and_answers_are_made_in_turn(
    monkeypatch,
):
    """benchmarks/speed.py's 200 ms is Google's time to answer, the making included: made
    after the wait, a cold page's 40 early answers came 0.2-1.1 s after their requests."""
    import time

    import httplib2

    from statsdash.emulator import server

    real, making, most = server._answer, [0], [0]
    count = threading.Lock()

    def slow_to_make(*args):
        with count:
            making[0] += 1
            most[0] = max(most[0], making[0])
        time.sleep(0.3)  # a report the fake takes 300 ms to make
        try:
            return real(*args)
        finally:
            with count:
                making[0] -= 1

    monkeypatch.setattr(server, "_answer", slow_to_make)
    with start_emulator(port=0, today=TODAY) as handle:
        pid = next(iter(handle.network.ga_properties))
        url = f"{handle.url}/v1beta/properties/{pid}:runReport"
        body = (
            '{"dateRanges": [{"startDate": "2026-10-01", "endDate": "2026-10-02"}], '
            '"metrics": [{"name": "screenPageViews"}]}'
        )

        def ask():
            answer, _ = httplib2.Http().request(
                url, "POST", body, {"Content-Type": "application/json"}
            )
            assert answer.status == 200

        handle.add_fault("slow", times=1, latency_ms=500)
        started = time.monotonic()
        ask()
        took = time.monotonic() - started
        assert 0.5 <= took < 0.7  # made within the 500 ms, not after them (0.8 s)
        threads = [threading.Thread(target=ask) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert most[0] == 1


def test_timeline_tells_when_each_request_was_out():
    """benchmarks/speed.py reads when a page's requests were out from the emulator's
    timeline: one span per request, each at least its injected latency long."""
    import json
    import time
    import urllib.request

    sys_path_root = Path(__file__).resolve().parents[1] / "benchmarks"
    with start_emulator(port=0, today=TODAY) as handle:
        handle.add_fault("slow", times=2, latency_ms=200)
        pid = next(iter(handle.network.ga_properties))
        url = f"{handle.url}/v1beta/properties/{pid}:runReport"
        body = '{"dateRanges": [{"startDate": "2026-10-01", "endDate": "2026-10-02"}]}'
        opened = time.time()
        import httplib2

        for _ in range(2):
            httplib2.Http().request(url, "POST", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(f"{handle.url}/_emulator/timeline", timeout=30) as r:
            answer = json.load(r)
    spans = answer["timeline"]
    assert [s["who"] for s in spans] == [pid, pid]
    assert all(opened <= s["start"] and s["end"] - s["start"] >= 0.2 for s in spans)
    assert spans[0]["end"] <= spans[1]["start"]  # asked one after the other
    import sys

    sys.path.insert(0, str(sys_path_root))
    try:
        from speed import wire
    finally:
        sys.path.remove(str(sys_path_root))
    summary = wire(answer, opened)
    assert summary["peak_in_flight"] == 1
    assert summary["busy_s"] >= 0.4
    assert 0 <= summary["first_sent_s"] <= summary["last_answered_s"] - summary["busy_s"]


def _forty_properties(url: str, cache, **fetch) -> Config:
    """20 sites x 2 properties of a 4-copy emulator (48 properties)."""
    demo = load_config(DEMO_CONFIG, check_files=False).with_endpoint(url)
    big = Network(TODAY, copies=4)
    ids = list(big.ga_properties)[:40]
    pairs = zip(ids[::2], ids[1::2], strict=True)
    sites = {
        f"site{i:02d}": Site(name=f"site{i:02d}", properties=tuple(Property(id=p) for p in pair))
        for i, pair in enumerate(pairs)
    }
    ga = dataclasses.replace(demo.google_analytics, sites=sites)
    return dataclasses.replace(
        demo, google_analytics=ga, cache=cache, fetch=dataclasses.replace(demo.fetch, **fetch)
    )


@pytest.mark.parametrize(("limit", "low", "high"), [(64, 21, 64), (6, 1, 6)])
def test_a_round_asks_every_property_at_once_within_the_limits(tmp_path, limit, low, high):
    """The GA client's pool grows with the properties (a fixed 20 threads made a round of 40
    properties two waves, of 160 eight), bounded by fetch.max_in_flight; GA4's 10 per
    property hold whatever the pool."""
    with start_emulator(port=0, today=TODAY, copies=4) as handle:
        # Long enough that a round's 40 requests overlap however busy the process is: in the
        # whole suite, with 150 ms, threads left by earlier tests slowed the sending so that
        # no more than 20 were ever out together (CI, 3 Dec 2026).
        handle.add_fault("slow", times=10**6, latency_ms=500)
        config = _forty_properties(handle.url, CacheConfig(enabled=False), max_in_flight=limit)
        result = build_report("ga-summary", Selection(config, OCT, ("previous",), today=TODAY))
        asked = handle.requests()
    assert not result.failures
    assert low <= asked["peak_in_flight_total"] <= high
    assert max(asked["peak_in_flight"].values()) <= 10


def test_many_connections_at_once_are_all_taken_while_the_emulator_is_busy():
    # A cold page's threads connect together (40 GA properties and YouTube's workers);
    # Google takes every connection. With socketserver's backlog of 5 the kernel dropped
    # those past it while the accept loop was busy, and each came back a second later.
    import socket
    import time

    from statsdash.emulator.server import _make_server

    server = _make_server("127.0.0.1", 0, date(2026, 11, 20))  # listening, not accepting
    try:
        port = server.server_address[1]
        sockets, late = [], []
        for i in range(64):
            conn = socket.socket()
            conn.settimeout(0.5)  # a dropped SYN is sent again after 1 s
            sockets.append(conn)
            started = time.monotonic()
            try:
                conn.connect(("127.0.0.1", port))
            except TimeoutError:
                late.append(i)
                continue
            if time.monotonic() - started > 0.4:
                late.append(i)
        for conn in sockets:
            conn.close()
        assert not late, f"connections {late[:5]}... of 64 were not taken at once"
    finally:
        server.server_close()

"""Twenty sessions at once, with faults injected while they load: every session gets the
same KPIs (equal to the emulator's raw facts), no property ever has more than GA4's 10
requests in flight at the emulator, and the response cache is left whole and reusable."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
import time
from datetime import date, timedelta

import pytest

from statsdash.config import CacheConfig, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.periods import Period
from statsdash.reports import Selection, build_report

TODAY = date(2026, 11, 20)
OCT = Period("October", date(2026, 10, 1), date(2026, 10, 31))
SESSIONS = 20
# Sessions differ in comparisons (so they do not all share one fetch), not in the period.
COMPARISONS = ((), ("previous",), ("yoy",), ("previous", "yoy"))
ONE_SITE, ITS_PROPERTY = "retrorig.com", "327790114"


@pytest.fixture
def config(emulator, tmp_path):
    demo = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(demo, cache=CacheConfig(path=tmp_path / "cache.sqlite"))


def shifted(i: int) -> Period:
    """Session i's own 30 days (September moved on by i days): nothing to share."""
    start = date(2026, 9, 1) + timedelta(days=i)
    return Period(f"30 days from {start}", start, start + timedelta(days=29))


def kpis(config, own: bool = False) -> list[tuple]:
    """Each session's (web pageviews, users, sessions, YouTube views by group), at once.

    `own`: every session asks ONE_SITE for a period of its own (`shifted`), so no two share
    a table, a fetch or a cached answer: its property is asked by twenty sessions at once."""
    out: list[tuple | BaseException] = [None] * SESSIONS
    start = threading.Barrier(SESSIONS)

    def session(i: int) -> None:
        period, compare = (shifted(i), ()) if own else (OCT, COMPARISONS[i % 4])
        sites = (ONE_SITE,) if own else ()
        selection = Selection(config, period, compare, sites=sites, today=TODAY)
        start.wait()
        try:
            web = build_report("ga-summary", selection)
            tube = build_report("yt-channels", selection)
            assert not web.failures and not tube.failures, (web.failures, tube.failures)
            row = web.table.iloc[0]
            views = dict(zip(tube.table["channel"], tube.table["views"], strict=True))
            out[i] = (int(row["pageviews"]), int(row["users"]), int(row["sessions"]), views)
        except BaseException as error:  # reported below, with the session's number
            out[i] = error

    threads = [threading.Thread(target=session, args=(i,)) for i in range(SESSIONS)]
    for thread in threads:
        thread.start()
    return threads, out


@pytest.mark.slow
def test_twenty_sessions_with_faults_mid_load(config, clean_emulator, network, tmp_path):
    threads, out = kpis(config)
    deadline = time.monotonic() + 60
    while clean_emulator.requests()["total"] < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    # Mid-load: connections dropped and server errors, each retried by the client.
    clean_emulator.add_fault("drop", endpoint="ga.batchRunReports", times=3)
    clean_emulator.add_fault("500", endpoint="yt.reports.query", times=2)
    for thread in threads:
        thread.join(timeout=300)
    errors = [(i, o) for i, o in enumerate(out) if isinstance(o, BaseException)]
    assert not errors, errors

    facts = [network.ga_facts(p, OCT.start, OCT.end) for p in network.ga_properties]
    pageviews = sum(int(f["screenPageViews"].sum()) for f in facts)
    groups = network.channel_groups
    views = {
        g: int(network.yt_facts(ids, OCT.start, OCT.end)["views"].sum())
        for g, ids in groups.items()
    }
    assert {o[0] for o in out} == {pageviews}
    assert all(o == out[0] for o in out)  # identical KPIs in every session
    assert out[0][3] == views
    assert [e for e in clean_emulator.requests()["log"] if e["status"] != 200]  # faults hit

    asked = clean_emulator.requests()
    peak = asked["peak_in_flight"]
    print(
        f"\n20 sessions, same period: {asked['total']} requests, "
        f"{sum(e['status'] != 200 for e in asked['log'])} answered with an error, peak in "
        f"flight per property {max(peak[p] for p in network.ga_properties)}"
    )
    assert max(peak[p] for p in network.ga_properties) <= 10, peak

    with sqlite3.connect(tmp_path / "cache.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    before = clean_emulator.requests()["total"]
    again, more = kpis(dataclasses.replace(config))  # a new config: no memoised tables
    for thread in again:
        thread.join(timeout=300)
    assert more == out
    assert clean_emulator.requests()["total"] == before  # all from the cache, read back whole


@pytest.mark.slow
def test_twenty_sessions_that_share_nothing_keep_ten_in_flight_per_property(
    config, clean_emulator, network, tmp_path
):
    """The sessions above share fetches (the same period), and the client's pool (two
    threads per property) spreads over 12 properties, so none saw more than 2 requests at
    once. Here every session asks the one property of retrorig.com for a period of its own
    (20 wanting in at once, the pool's 24 threads free for it, each answer 150 ms late), a
    fault lands mid-load, each session's KPIs are its raw facts, and the limiter holds the
    property at GA4's 10."""
    clean_emulator.add_fault("slow", times=10**6, latency_ms=150)
    started = time.monotonic()
    threads, out = kpis(config, own=True)
    while clean_emulator.requests()["total"] < 3 and time.monotonic() < started + 60:
        time.sleep(0.01)
    clean_emulator.add_fault("drop", endpoint="ga.batchRunReports", times=2)
    for thread in threads:
        thread.join(timeout=300)
    assert not [(i, o) for i, o in enumerate(out) if isinstance(o, BaseException)], out
    for i, got in enumerate(out):
        period = shifted(i)
        facts = network.ga_facts(ITS_PROPERTY, period.start, period.end)
        assert got[0] == int(facts["screenPageViews"].sum()), i
        for group, ids in network.channel_groups.items():
            views = network.yt_facts(ids, period.start, period.end)["views"].sum()
            assert got[3][group] == views, (i, group)
    asked = clean_emulator.requests()
    peak = asked["peak_in_flight"][ITS_PROPERTY]
    print(
        f"\n20 sessions, one property, periods of their own: {asked['total']} requests in "
        f"{time.monotonic() - started:.1f} s, peak in flight at the property {peak}, "
        f"at once in all {asked['peak_in_flight_total']}"
    )
    assert peak <= 10, peak
    assert peak >= 6, peak  # the demand did press on the limit (20 wanted in)
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)

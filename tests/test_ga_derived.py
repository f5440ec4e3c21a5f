"""Reports cut from a wider report's rows (statsdash.ga.derived), so that a property's GA4
requests are two calls: the daily series and history from one report by date, key events
from one by name and day, cut to the like-for-like ranges. Expected figures come from the
emulator's raw facts with plain pandas, for a period whose last days are still processing
(like for like cuts the contract ranges, not the daily series')."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from statsdash.ga.aggregate_data import AnalyticsData
from statsdash.ga.analytics import Analytics
from statsdash.ga.derived import covering
from statsdash.ga.insights import history_period
from statsdash.periods import Period

TODAY = date(2026, 11, 20)
LAST_28 = Period("last 28 days", TODAY - timedelta(days=28), TODAY - timedelta(days=1))
EVENTS = {"gearhaven.co.uk": ["newsletter_signup", "purchase"]}  # the demo config's list


def d(day: int, month: int = 1) -> date:
    return date(2026, month, day)


def test_covering_merges_overlapping_and_touching_spans():
    spans = [(d(10), d(20)), (d(1), d(9)), (d(15), d(25)), (d(1, 3), d(5, 3))]
    assert covering(spans) == [(d(1), d(25)), (d(1, 3), d(5, 3))]


def test_covering_keeps_at_most_four_spans_joining_the_closest():
    starts = [d(1), d(1, 2), d(10, 2), d(1, 4), d(1, 6)]  # gaps of 30, 8, 50 and 61 days
    spans = [(s, s + timedelta(days=1)) for s in starts]
    got = covering(spans)
    assert len(got) == 4
    days = {s + timedelta(n) for s, e in spans for n in range((e - s).days + 1)}
    assert all(any(a <= day <= b for a, b in got) for day in days)  # every day still asked
    assert all(a[1] < b[0] for a, b in zip(got, got[1:], strict=False))  # disjoint, in order
    assert (d(1, 2), d(11, 2)) in got  # the two nearest are one


@pytest.fixture(scope="module")
def data(emulator_config):
    made = AnalyticsData(
        emulator_config,
        (),
        LAST_28,
        ("previous", "yoy"),
        analytics=Analytics(emulator_config, today=TODAY),
        today=TODAY,
        like_for_like=True,
    )
    assert made.compared().days_compared < 28  # the cut applies to the contract ranges
    return made


def facts_of(network, data: AnalyticsData, period: Period) -> pd.DataFrame:
    return pd.concat(
        [
            network.ga_facts(p.id, period.start, period.end).assign(site=s, property=p.id)
            for s, p in data.properties
        ],
        ignore_index=True,
    )


def per_day(facts: pd.DataFrame) -> dict:
    metrics = ["screenPageViews", "totalUsers", "sessions"]
    sums = facts.groupby(["property", "date"])[metrics].sum()
    sums = sums[(sums > 0).any(axis=1)]
    return {k: tuple(v) for k, v in sums.iterrows()}


def test_the_daily_series_and_history_are_the_days_raw_facts(data, network):
    ranges = {**data.full_ranges, "date_range_0": history_period(data.period)}
    frames = {"daily": data.frame("daily"), "history": data.frame("history")}
    for name, period in ranges.items():
        frame = frames["history" if name == "date_range_0" else "daily"]
        rows = frame[frame["range"] == name]
        assert rows["date"].between(period.start, period.end).all(), name
        got = {
            (p, day): (pv, u, s)
            for p, day, pv, u, s in zip(
                rows["property"], rows["date"], rows["pageviews"], rows["users"],
                rows["sessions"], strict=True,
            )
        }  # fmt: skip
        facts = facts_of(network, data, period)
        assert got == per_day(facts.assign(date=pd.to_datetime(facts["date"]).dt.date)), name


def test_key_events_are_each_like_for_like_ranges_raw_facts(data, network):
    every = ["file_download", "newsletter_signup", "purchase", "sign_up"]
    frame = data.frame("key_events")
    for name, period in data.ranges.items():
        facts = facts_of(network, data, period)
        want = {}
        for (site, prop), part in facts.groupby(["site", "property"]):
            for event in EVENTS.get(site, every):
                if total := int(part[f"keyEvents:{event}"].sum()):
                    want[(prop, event)] = total
        rows = frame[frame["range"] == name]
        pairs = zip(rows["property"], rows["key_event"], strict=True)
        got = dict(zip(pairs, rows["key_events"], strict=True))
        assert got == want, name

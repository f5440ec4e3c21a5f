"""Anomaly flags against the emulator: the demo network's deliberate events of 23-29 Nov
2026 are found (a viral article, a tag that stopped firing, an upload that took off), plain
synthetic days and days still processing are not flagged, and each expected range is the
median ± spread of the same weekday's previous 8 weeks computed from the raw facts."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from statsdash import anomalies as a
from statsdash.config import CacheConfig, load_config
from statsdash.emulator import DEMO_CONFIG, events, start_emulator
from statsdash.periods import Period
from statsdash.reports import Selection, build_report

EVENT_TODAY = date(2026, 12, 1)
EVENT_WEEK = Period("event week", date(2026, 11, 23), date(2026, 11, 29))
PLAIN_TODAY = date(2026, 11, 20)  # the session emulator's day (conftest)


def demo_config(url: str):
    config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(url)
    return dataclasses.replace(config, cache=CacheConfig(enabled=False))


@pytest.fixture(scope="module")
def event_emulator():
    handle = start_emulator(port=0, today=EVENT_TODAY)
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def event_flags(event_emulator):
    selection = Selection(
        demo_config(event_emulator.url), EVENT_WEEK, ("previous",), today=EVENT_TODAY
    )
    result = build_report("anomalies", selection)
    assert result.failures == {}
    return result.table


def site_day(network, site: str, day: date, metric: str = "screenPageViews") -> float:
    return float(sum(network.ga_facts(p, day, day)[metric].sum() for p in network.sites[site]))


def expected_range(values: list[float]) -> tuple[float, float]:
    rule = a.Rule()
    median = float(np.median(values))
    mad = float(np.median(np.abs(np.array(values) - median)))
    half = max(rule.k * 1.4826 * mad, rule.min_spread * median)
    return max(median - half, 0.0), median + half


def test_the_demo_events_are_flagged_and_nothing_else(event_flags):
    found = {(r.date, r.service, r.entity, r.metric, r.kind) for r in event_flags.itertuples()}
    assert found == {
        ("2026-11-23", "ga", "gearhaven.co.uk", "pageviews", "tracking_break"),
        ("2026-11-24", "ga", "gearhaven.co.uk", "pageviews", "tracking_break"),
        ("2026-11-24", "ga", "pixelpost.net", "pageviews", "spike"),
        ("2026-11-24", "ga", "pixelpost.net", "sessions", "spike"),
        ("2026-11-25", "ga", "pixelpost.net", "pageviews", "spike"),
        ("2026-11-25", "ga", "pixelpost.net", "sessions", "spike"),
        *{
            (day.isoformat(), "youtube", events.UPLOAD_CHANNEL, "views", "spike")
            for day in events.UPLOAD_DAYS
        },
    }
    breaks = event_flags[event_flags["kind"] == "tracking_break"]
    assert all(f"property {events.BROKEN_PROPERTY} sent no data" in d for d in breaks["detail"])
    assert "traffic drop" in breaks["detail"].iloc[0]


def test_values_and_expected_ranges_come_from_the_raw_facts(event_flags, event_emulator):
    network = event_emulator.network
    day = date(2026, 11, 24)
    row = event_flags[
        (event_flags["entity"] == "pixelpost.net")
        & (event_flags["metric"] == "pageviews")
        & (event_flags["date"] == day.isoformat())
    ].iloc[0]
    assert row["value"] == site_day(network, "pixelpost.net", day)
    history = [site_day(network, "pixelpost.net", day - timedelta(weeks=w)) for w in range(1, 9)]
    assert (row["expected_low"], row["expected_high"]) == pytest.approx(expected_range(history))

    ids = network.channel_groups[events.UPLOAD_CHANNEL]
    views = network.yt_facts(ids, day - timedelta(weeks=8), EVENT_WEEK.end)
    daily = views.groupby("date")["views"].sum()
    upload = event_flags[event_flags["service"] == "youtube"].iloc[0]
    first = pd.Timestamp(upload["date"])
    assert upload["value"] == daily[first]
    same_weekday = [float(daily[first - pd.Timedelta(weeks=w)]) for w in range(1, 9)]
    assert upload["expected_high"] == pytest.approx(expected_range(same_weekday)[1])


def test_plain_days_and_days_still_processing_are_not_flagged(emulator):
    # 13-19 Nov seen on 20 Nov: GA complete through the 18th (the 19th has 12 hours),
    # YouTube through the 17th; none of the events yet.
    selection = Selection(
        demo_config(emulator.url),
        Period("plain", date(2026, 11, 13), date(2026, 11, 19)),
        ("previous",),
        today=PLAIN_TODAY,
    )
    result = build_report("anomalies", selection)
    assert result.failures == {}
    assert result.table.empty
    assert list(result.table.columns) == list(a.ANOMALY_COLUMNS)


def test_a_stricter_rule_flags_more_and_k_is_a_setting():
    values = pd.DataFrame(
        {"site": [100.0] * 8 + [90.0]},
        index=[date(2026, 1, 5) + timedelta(weeks=w) for w in range(9)],
    )
    day = [values.index[-1]]
    assert a.outside(a.expected(values, day, a.Rule())).empty
    strict = a.outside(a.expected(values, day, a.Rule(k=4.0, min_spread=0.05)))
    assert strict["kind"].tolist() == ["drop"]
    assert (strict["expected_low"].iloc[0], strict["expected_high"].iloc[0]) == (95.0, 105.0)


def test_a_period_without_a_complete_day_has_no_flags(emulator):
    # Yesterday seen on 20 Nov: GA has 12 hours of it, YouTube nothing yet.
    day = PLAIN_TODAY - timedelta(days=1)
    selection = Selection(
        demo_config(emulator.url), Period("yesterday", day, day), ("previous",), today=PLAIN_TODAY
    )
    result = build_report("anomalies", selection)
    assert result.table.empty and list(result.table.columns) == list(a.ANOMALY_COLUMNS)

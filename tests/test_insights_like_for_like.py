"""Insights like for like against the emulator: month to date on the 1st has no complete day
on either service, so no drivers (not −100 %) and the "no complete day yet" line; on a
Monday, last week's drivers cover each service's complete days against the same days and
say so. Expected days and totals come from the raw facts (see test_like_for_like)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from test_like_for_like import (
    MONDAY,
    TUESDAY,
    demo_config,
    emulators,  # noqa: F401 (fixture)
    expected_ranges,
    ga_complete_through,
    ga_pageviews,
    yt_complete_through,
    yt_views,
)

from statsdash import narrative
from statsdash.periods import day_text, preset
from statsdash.reports import Selection, build_report, compared_lines

pytestmark = pytest.mark.slow  # two emulators, the drivers of two selections


def drivers(handle, day: date, key: str):
    config = demo_config(handle.url)
    selection = Selection(config, preset(key, day), ("previous",), today=day)
    result = build_report("drivers", selection)
    assert result.failures == {}
    return config, selection.period, result


def test_month_to_date_on_the_1st_explains_nothing_yet(emulators):  # noqa: F811
    handle = emulators(TUESDAY)
    config, period, result = drivers(handle, TUESDAY, "month_to_date")
    web = ga_complete_through(handle.network, config, TUESDAY)
    youtube = yt_complete_through(handle.network, TUESDAY)
    assert web < period.start and youtube < period.start  # independently: no complete day
    assert result.table.empty  # no −100 % against the provisional hours of 1 Dec
    assert narrative.headlines(result.table, "previous") == []
    assert compared_lines(result) == [
        f"Web: no complete day yet — Web's latest complete day is {day_text(web)}",
        f"YouTube: no complete day yet — YouTube's latest complete day is {day_text(youtube)}",
    ]


def test_last_week_on_a_monday_compares_the_same_days(emulators):  # noqa: F811
    handle = emulators(MONDAY)
    net = handle.network
    config, period, result = drivers(handle, MONDAY, "last_week")
    web, youtube = ga_complete_through(net, config, MONDAY), yt_complete_through(net, MONDAY)
    web_days, yt_days = (web - period.start).days + 1, (youtube - period.start).days + 1
    assert 0 < yt_days <= web_days < period.days
    assert compared_lines(result) == [
        f"Web: {web_days} of 7 days (through {day_text(web)}), compared with the same "
        f"{web_days} days",
        f"YouTube: {yt_days} of 7 days (through {day_text(youtube)}), compared with the same "
        f"{yt_days} days",
    ]
    table = result.table
    pageviews = table[(table["metric"] == "pageviews") & (table["dimension"] == "site")]
    ranges = expected_ranges(period, web)
    assert ranges[""][1] - ranges[""][0] == timedelta(days=web_days - 1)
    assert pageviews["total_current"].iloc[0] == ga_pageviews(net, config, *ranges[""])
    assert pageviews["total_base"].iloc[0] == ga_pageviews(net, config, *ranges["prev"])
    views = table[(table["metric"] == "views") & (table["dimension"] == "channel")]
    ranges = expected_ranges(period, youtube)
    groups = list(net.channel_groups)
    assert views["total_current"].iloc[0] == sum(yt_views(net, g, *ranges[""]) for g in groups)
    assert views["total_base"].iloc[0] == sum(yt_views(net, g, *ranges["prev"]) for g in groups)

"""Shorts, long-form and live: the emulator's creatorContentType dimension (and its limits),
yt-formats per channel group and the format of top videos, against the raw facts."""

from __future__ import annotations

from datetime import date

import httplib2
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from statsdash.periods import Period
from statsdash.youtube.aggregate_data import YoutubeData
from statsdash.youtube.analytics import Analytics

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
YEAR_AGO = (date(2025, 10, 1), date(2025, 10, 31))
COUNTS = {
    "views": "views",
    "engaged_views": "engagedViews",
    "watch_minutes": "estimatedMinutesWatched",
}


@pytest.fixture
def yt_analytics(emulator):
    """A client of its own: the session's shared connection may have been closed meanwhile."""
    return build(
        "youtubeAnalytics",
        "v2",
        client_options={"api_endpoint": emulator.url},
        static_discovery=True,
        cache_discovery=False,
        http=httplib2.Http(),
    )


def make(config, network, comparisons=()):
    analytics = Analytics(config, today=network.today, sleep=lambda seconds: None)
    period = Period("custom", *OCTOBER)
    return YoutubeData(config, (), period, comparisons, analytics=analytics, today=network.today)


def group_facts(network, start, end):
    ids = [c for group in network.channel_groups.values() for c in group]
    rows = network.yt_facts(ids, start, end)
    return rows.assign(group=rows["channel"].map(lambda c: network.yt_channels[c].group))


def test_the_emulator_splits_views_by_content_type(yt_analytics, network):
    ids = network.channel_groups["Gear Haven"]
    answer = (
        yt_analytics.reports()
        .query(
            ids=f"contentOwner=={network.content_owner_id}",
            startDate="2026-10-01",
            endDate="2026-10-31",
            metrics="views,engagedViews",
            dimensions="channel,creatorContentType",
            filters=f"channel=={','.join(ids)}",
        )
        .execute()
    )
    assert [h["name"] for h in answer["columnHeaders"]] == [
        "channel",
        "creatorContentType",
        "views",
        "engagedViews",
    ]
    got = {(c, k): (v, e) for c, k, v, e in answer["rows"]}
    rows = network.yt_facts(ids, *OCTOBER)
    want = rows.groupby(["channel", "creatorContentType"])[["views", "engagedViews"]].sum()
    assert got == {key: tuple(int(x) for x in vals) for key, vals in want.iterrows()}


@pytest.mark.parametrize(
    ("metrics", "dimensions"),
    [
        ("subscribersGained", "creatorContentType"),  # it splits views and watch time only
        ("views", "creatorContentType,country,deviceType"),  # not one of the report shapes
    ],
)
def test_unsupported_content_type_combinations_answer_like_the_api(
    yt_analytics, network, metrics, dimensions
):
    ids = network.channel_groups["Gear Haven"]
    with pytest.raises(HttpError) as error:
        yt_analytics.reports().query(
            ids=f"contentOwner=={network.content_owner_id}",
            startDate="2026-10-01",
            endDate="2026-10-31",
            metrics=metrics,
            dimensions=dimensions,
            filters=f"channel=={','.join(ids)}",
        ).execute()
    assert error.value.resp.status == 400
    assert "The query is not supported." in error.value.content.decode()


def test_formats_per_channel_group_with_shares_and_year_ago(emulator_config, network):
    table = make(emulator_config, network, ("yoy",)).format_table()
    assert [c for c in table.columns if not c.endswith(("_yoy", "_change", "_pct"))] == [
        "channel",
        "format",
        "views",
        "engaged_views",
        "watch_minutes",
    ]
    now, then = group_facts(network, *OCTOBER), group_facts(network, *YEAR_AGO)
    sums = now.groupby(["group", "creatorContentType"])[list(COUNTS.values())].sum()
    before = then.groupby(["group", "creatorContentType"])[list(COUNTS.values())].sum()
    assert len(table) == len(sums)
    for _, row in table.iterrows():
        key = (row["channel"], row["format"])
        group = sums.loc[row["channel"]]
        for column, metric in COUNTS.items():
            assert row[column] == sums.loc[key, metric]
            assert row[f"{column}_share_pct"] == pytest.approx(
                100 * sums.loc[key, metric] / group[metric].sum()
            )
            assert row[f"{column}_yoy"] == before.loc[key, metric]
    gear = table[table["channel"] == "Gear Haven"]
    assert gear["views_share_pct"].sum() == pytest.approx(100)
    assert len(network.channel_groups["Gear Haven"]) == 3  # rolled up over three channels


def test_top_videos_carry_their_format(emulator_config, network):
    table = make(emulator_config, network).video_table()
    assert list(table.columns[:4]) == ["video", "title", "channel", "format"]
    for video, kind in zip(table["video"], table["format"], strict=True):
        assert kind == network.yt_videos[video].content_type

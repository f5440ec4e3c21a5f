"""YouTube tables against the emulator over HTTP; expected numbers come from the network's raw
fact rows with plain pandas, never from the code under test."""

import dataclasses
import re
from datetime import date, timedelta

import pandas as pd
import pytest

from statsdash.config import CacheConfig, ChannelGroup, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.periods import Period
from statsdash.youtube.aggregate_data import YoutubeData
from statsdash.youtube.analytics import Analytics

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
PREVIOUS = (date(2026, 8, 31), date(2026, 9, 30))
YEAR_AGO = (date(2025, 10, 1), date(2025, 10, 31))
METRICS = [
    "views",
    "estimatedMinutesWatched",
    "likes",
    "dislikes",
    "comments",
    "shares",
    "subscribersGained",
    "subscribersLost",
]


@pytest.fixture(scope="module")
def config(emulator):
    demo = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(demo, cache=CacheConfig(enabled=False))


@pytest.fixture
def make_data(config, clean_emulator):
    """YoutubeData on the emulator's day; retries do not sleep."""
    today = clean_emulator.network.today

    def make(start, end, comparisons=(), channels=(), cfg=None):
        cfg = cfg or config
        analytics = Analytics(cfg, today=today, sleep=lambda seconds: None)
        period = Period("custom", start, end)
        return YoutubeData(cfg, channels, period, comparisons, analytics=analytics, today=today)

    return make


def facts(net, groups, start, end) -> pd.DataFrame:
    """Raw fact rows of the groups' channels with their group as `group`."""
    ids = [cid for g in groups for cid in net.channel_groups[g]]
    rows = net.yt_facts(ids, start, end)
    return rows.assign(group=rows["channel"].map(lambda cid: net.yt_channels[cid].group))


def group_totals(net, start, end, groups=None) -> pd.DataFrame:
    groups = groups or list(net.channel_groups)
    return facts(net, groups, start, end).groupby("group")[METRICS].sum()


def subscribers_at(net, group, end) -> int:
    """Current subscribers of the group's channels minus those gained net after `end`."""
    ids = net.channel_groups[group]
    current = sum(net.subscriber_count(cid) for cid in ids)
    after = net.yt_facts(ids, end + timedelta(days=1), net.today)
    return current - int(after["subscribersGained"].sum() - after["subscribersLost"].sum())


def base_columns(table: pd.DataFrame) -> list[str]:
    """The contract's columns, without the comparison columns that follow each metric."""
    return [c for c in table.columns if not re.search(r"_(prev|yoy|wow)(_change|_pct)?$", c)]


def by_channel(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index("channel")


def test_demo_config_groups_are_the_networks(config, network):
    configured = {name: list(group.ids) for name, group in config.youtube.channels.items()}
    assert configured == network.channel_groups


def test_channel_summary_with_previous_and_year_ago(make_data, network):
    table = make_data(*OCTOBER, ("previous", "yoy")).channel_summary_table()
    assert list(table.columns[:5]) == [
        "channel",
        "subscribers",
        "subscribers_prev",
        "subscribers_prev_change",
        "subscribers_prev_pct",
    ]
    assert list(table["watch_minutes"]) == sorted(table["watch_minutes"], reverse=True)
    rows = by_channel(table)
    assert set(rows.index) == set(network.channel_groups)
    for suffix, (start, end) in {"": OCTOBER, "_prev": PREVIOUS, "_yoy": YEAR_AGO}.items():
        expected = group_totals(network, start, end)
        for group in network.channel_groups:
            row, want = rows.loc[group], expected.loc[group]
            assert row[f"views{suffix}"] == want["views"]
            assert row[f"watch_minutes{suffix}"] == want["estimatedMinutesWatched"]
            change = want["subscribersGained"] - want["subscribersLost"]
            assert row[f"subscriber_change{suffix}"] == change
            assert row[f"subscribers{suffix}"] == subscribers_at(network, group, end)
    for group in network.channel_groups:
        row = rows.loc[group]
        assert row["views_prev_change"] == row["views"] - row["views_prev"]
        assert row["views_yoy_pct"] == pytest.approx(
            100 * (row["views"] - row["views_yoy"]) / row["views_yoy"]
        )


def test_subscribers_at_the_end_of_a_week_across_a_month_end(make_data, network):
    start, end = date(2026, 10, 28), date(2026, 11, 3)
    table = by_channel(make_data(start, end, ("previous", "week_ago")).channel_summary_table())
    for group in network.channel_groups:
        assert table.loc[group, "subscribers"] == subscribers_at(network, group, end)
        # previous and a week ago are the same 7 days here: Oct 21-27
        assert table.loc[group, "subscribers_prev"] == subscribers_at(
            network, group, date(2026, 10, 27)
        )
        assert table.loc[group, "subscribers_wow"] == table.loc[group, "subscribers_prev"]
        totals = group_totals(network, start, end).loc[group]
        assert table.loc[group, "views"] == totals["views"]


def test_channel_stats_rates_per_thousand_and_like_ratio(make_data, network):
    table = make_data(*OCTOBER, ("previous",)).channel_stats_table()
    assert list(table.columns[:2]) == ["channel", "views"]
    assert list(table["views"]) == sorted(table["views"], reverse=True)
    rows = by_channel(table)
    expected = group_totals(network, *OCTOBER)
    for group, want in expected.iterrows():
        row = rows.loc[group]
        for column, metric in [
            ("likes", "likes"),
            ("dislikes", "dislikes"),
            ("comments", "comments"),
            ("shares", "shares"),
            ("subscribers_gained", "subscribersGained"),
        ]:
            assert row[column] == want[metric]
        assert row["like_rate"] == pytest.approx(1000 * want["likes"] / want["views"])
        assert row["comment_rate"] == pytest.approx(1000 * want["comments"] / want["views"])
        assert row["share_rate"] == pytest.approx(1000 * want["shares"] / want["views"])
        assert row["subs_rate"] == pytest.approx(1000 * want["subscribersGained"] / want["views"])
        if want["dislikes"]:
            assert row["like_ratio"] == pytest.approx(want["likes"] / want["dislikes"])
    # Tinker Trail Kids has no dislikes: the ratio is empty, never a division by zero.
    assert expected.loc["Tinker Trail Kids", "dislikes"] == 0
    assert pd.isna(rows.loc["Tinker Trail Kids", "like_ratio"])
    assert pd.isna(rows.loc["Tinker Trail Kids", "like_ratio_prev_pct"])


def test_country_table_is_the_selections_top_20_by_watch_minutes(make_data, network):
    table = make_data(*OCTOBER, ("yoy",)).country_table()
    rows = facts(network, network.channel_groups, *OCTOBER)
    expected = rows.groupby("country")[METRICS].sum()
    expected = expected.sort_values("estimatedMinutesWatched", ascending=False).head(20)
    assert list(table["country"]) == list(expected.index)
    assert list(table["watch_minutes"]) == list(expected["estimatedMinutesWatched"])
    assert list(table["views"]) == list(expected["views"])
    change = expected["subscribersGained"] - expected["subscribersLost"]
    assert list(table["subscriber_change"]) == list(change)
    year_ago = facts(network, network.channel_groups, *YEAR_AGO).groupby("country")["views"].sum()
    assert list(table["views_yoy"]) == list(year_ago.reindex(expected.index, fill_value=0))


def test_video_table_top_10_across_groups_with_titles(make_data, network):
    table = make_data(*OCTOBER, ("previous",)).video_table()
    assert base_columns(table) == [
        "video",
        "title",
        "channel",
        "format",
        "watch_minutes",
        "views",
        "engaged_views",
    ]
    rows = facts(network, network.channel_groups, *OCTOBER)
    expected = rows.groupby("video")[["estimatedMinutesWatched", "views"]].sum()
    expected = expected.sort_values("estimatedMinutesWatched", ascending=False).head(10)
    assert list(table["video"]) == list(expected.index)
    assert list(table["watch_minutes"]) == list(expected["estimatedMinutesWatched"])
    assert list(table["views"]) == list(expected["views"])
    for _, row in table.iterrows():
        video = network.yt_videos[row["video"]]
        assert row["title"] == video.title
        assert row["channel"] == network.yt_channels[video.channel_id].group
    assert table["channel"].nunique() > 1  # the top 10 spans groups
    previous = facts(network, network.channel_groups, *PREVIOUS).groupby("video")["views"].sum()
    assert list(table["views_prev"]) == list(previous.reindex(expected.index, fill_value=0))


def test_traffic_shares_sum_to_100_per_group(make_data, network):
    table = make_data(*OCTOBER, ("previous",)).traffic_source_table()
    assert list(table.columns[:2]) == ["channel", "source_type"]
    rows = facts(network, network.channel_groups, *OCTOBER)
    expected = rows.groupby(["group", "insightTrafficSourceType"])["estimatedMinutesWatched"].sum()
    got = table.set_index(["channel", "source_type"])["watch_minutes"]
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()
    # Source types are whatever the data has, not a fixed list.
    assert set(table["source_type"]) == set(rows["insightTrafficSourceType"])
    for _group, shares in table.groupby("channel")["share_pct"]:
        assert shares.sum() == pytest.approx(100.0)
    shares_prev = table.groupby("channel")["share_pct_prev"].sum()
    assert shares_prev.to_numpy() == pytest.approx([100.0] * len(shares_prev))


def test_selection_restricts_every_table(make_data, network):
    chosen = ("Quill and Ink", "Pixel Post")
    data = make_data(*OCTOBER, ("previous",), channels=chosen)
    assert set(data.channel_summary_table()["channel"]) == set(chosen)
    assert set(data.channel_stats_table()["channel"]) == set(chosen)
    assert set(data.traffic_source_table()["channel"]) == set(chosen)
    assert set(data.video_table()["channel"]) <= set(chosen)
    rows = facts(network, chosen, *OCTOBER)
    countries = data.country_table().set_index("country")["views"]
    assert countries.to_dict() == rows.groupby("country")["views"].sum().to_dict()


def test_daily_series_and_availability_of_a_recent_period(make_data, network):
    start, end = network.today - timedelta(days=10), network.today - timedelta(days=1)
    data = make_data(start, end)
    summary = data.channel_summary_table()
    through = network.today - timedelta(days=3)
    assert len(data.notes) == 1
    assert f"complete only through {through.isoformat()}" in data.notes[0]
    for group in network.channel_groups:
        assert group in data.notes[0]
    availability = data.check_available_data()
    assert list(availability.columns) == ["group", "channel", "complete_through"]
    assert set(availability["complete_through"]) == {pd.Timestamp(through)}
    daily = data.daily_series()
    assert list(daily.columns) == [
        "date",
        "channel",
        "views",
        "engaged_views",
        "watch_minutes",
        "subscriber_change",
    ]
    rows = facts(network, network.channel_groups, start, end)
    expected = rows.groupby(["date", "group"])[["views", "estimatedMinutesWatched"]].sum()
    got = daily.set_index(["date", "channel"])
    assert got["views"].to_dict() == expected["views"].to_dict()
    assert daily["date"].max() == pd.Timestamp(through)
    assert by_channel(summary)["views"].sum() == daily["views"].sum()


def test_an_old_period_needs_no_availability_query(make_data, network, clean_emulator):
    data = make_data(*OCTOBER)
    data.channel_stats_table()
    assert data.notes == []
    assert clean_emulator.requests()["by_endpoint"]["yt.reports.query"] == 1
    availability = data.check_available_data()
    assert set(availability["complete_through"]) == {pd.Timestamp(OCTOBER[1])}


def test_a_failed_query_is_named_and_the_other_tables_render(make_data, clean_emulator, network):
    # The traffic query is refused whichever channels it names (October's and its previous
    # period's, and each group's when they are asked alone): it fails for every group.
    clean_emulator.add_fault(
        "400", endpoint="yt.reports.query", match="insightTrafficSourceType", times=10**6
    )
    data = make_data(*OCTOBER, ("previous",))
    traffic = data.traffic_source_table()
    assert len(traffic) == 0
    assert list(traffic.columns[:4]) == [
        "channel",
        "source_type",
        "watch_minutes",
        "watch_minutes_prev",
    ]
    ((source, message),) = data.failures.items()
    assert source.startswith("Channel groups ")
    for group in network.channel_groups:
        assert group in source
    assert message.startswith("traffic sources 2026-10-01..2026-10-31: HTTP 400")
    assert len(data.channel_stats_table()) == len(network.channel_groups)


def test_a_failed_comparison_period_leaves_only_its_columns_empty(make_data, clean_emulator):
    year_ago = "startDate=2025-10-01"
    clean_emulator.add_fault("500", endpoint="yt.reports.query", match=year_ago, times=5)
    data = make_data(*OCTOBER, ("previous", "yoy"))
    table = data.channel_stats_table()
    assert table["views_yoy"].isna().all()
    assert table["views_yoy_pct"].isna().all()
    assert table["views_prev"].notna().all()
    message = next(iter(data.failures.values()))
    assert message.startswith("channel totals 2025-10-01..2025-10-31: HTTP 500 after 5 tries")


def test_a_channel_youtube_refuses_fails_alone(make_data, config, network, clean_emulator):
    ghost = "UC" + "x" * 22
    channels = {**config.youtube.channels, "Ghost": ChannelGroup("Ghost", (ghost,))}
    youtube = dataclasses.replace(config.youtube, channels=channels)
    data = make_data(*OCTOBER, cfg=dataclasses.replace(config, youtube=youtube))
    table = data.channel_summary_table()
    assert set(table["channel"]) == set(network.channel_groups)
    assert "Channel group Ghost" in data.failures
    assert f"channel {ghost}" in data.failures
    expected = group_totals(network, *OCTOBER)
    assert by_channel(table)["views"].to_dict() == expected["views"].to_dict()


def test_country_change_from_a_net_loss_has_the_sign_of_the_change(make_data, network):
    # A day on which some country's net subscribers went from negative to higher.
    rows = facts(network, network.channel_groups, date(2026, 9, 30), date(2026, 10, 31))
    net = (
        (rows["subscribersGained"] - rows["subscribersLost"])
        .groupby([rows["date"], rows["country"]])
        .sum()
        .unstack(fill_value=0)
    )
    before, after = net.shift(1).iloc[1:], net.iloc[1:]
    rises = (before < 0) & (after > before)
    day, country = rises.stack()[lambda s: s].index[0]
    base, now = before.loc[day, country], after.loc[day, country]
    table = make_data(day.date(), day.date(), ("previous",)).country_table()
    row = table.set_index("country").loc[country]
    assert (row["subscriber_change"], row["subscriber_change_prev"]) == (now, base)
    assert row["subscriber_change_prev_pct"] == pytest.approx(100 * (now - base) / -base)
    assert row["subscriber_change_prev_pct"] > 0

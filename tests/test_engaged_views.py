"""Engaged views beside views: the emulator's facts change counting on YouTube's dates, the
tables carry engaged_views from those facts, and a range straddling a change is noted."""

import dataclasses
from datetime import date

import pandas as pd
import pytest
import yaml

from statsdash.cli import main
from statsdash.config import CacheConfig, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.periods import Period, comparison_periods, day_text
from statsdash.youtube import view_counting
from statsdash.youtube.aggregate_data import YoutubeData
from statsdash.youtube.analytics import Analytics

SHORTS_DAY, ALL_DAY = date(2025, 3, 31), date(2026, 8, 27)
NOTE = "YouTube changed how views are counted on"


@pytest.fixture(scope="module")
def config(emulator):
    demo = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(demo, cache=CacheConfig(enabled=False))


def make(config, network, start, end, comparisons=(), channels=()):
    analytics = Analytics(config, today=network.today, sleep=lambda seconds: None)
    period = Period("custom", start, end)
    return YoutubeData(
        config, channels, period, comparisons, analytics=analytics, today=network.today
    )


def all_facts(network, start, end) -> pd.DataFrame:
    return network.yt_facts(list(network.yt_channels), start, end)


def test_the_emulator_counts_views_the_new_way_from_each_change_day(network):
    rows = all_facts(network, date(2025, 3, 1), date(2026, 10, 31))
    shorts = rows["creatorContentType"] == "SHORTS"
    before_shorts = rows["date"] < pd.Timestamp(SHORTS_DAY)
    before_all = rows["date"] < pd.Timestamp(ALL_DAY)
    # The old way: views are engaged views, row by row.
    old = (shorts & before_shorts) | (~shorts & before_all)
    assert (rows.loc[old, "views"] == rows.loc[old, "engagedViews"]).all()
    assert (rows["views"] >= rows["engagedViews"]).all()
    # The new way adds starts and replays: Shorts from 2025-03-31, every format from 2026-08-27.
    new_shorts = rows[shorts & ~before_shorts]
    assert new_shorts["views"].sum() / new_shorts["engagedViews"].sum() > 1.4
    new_long = rows[~shorts & ~before_all]
    assert 1.1 < new_long["views"].sum() / new_long["engagedViews"].sum() < 1.3
    assert set(rows["creatorContentType"]) == {"SHORTS", "VIDEO_ON_DEMAND", "LIVE_STREAM", "STORY"}


@pytest.mark.parametrize(
    ("start", "end", "comparisons", "days"),
    [
        # each side of the Shorts change, then straddling it
        (date(2025, 3, 1), date(2025, 3, 30), ("previous",), []),
        (date(2025, 4, 1), date(2025, 4, 30), ("previous",), [SHORTS_DAY]),  # prev ends 03-31
        (date(2025, 5, 1), date(2025, 5, 31), ("previous",), []),
        (date(2025, 10, 1), date(2025, 10, 31), ("yoy",), [SHORTS_DAY]),
        # each side of the all-formats change, then straddling it
        (date(2026, 8, 1), date(2026, 8, 26), ("previous",), []),
        (date(2026, 8, 27), date(2026, 9, 26), ("previous",), [ALL_DAY]),
        (date(2026, 10, 1), date(2026, 10, 31), ("previous",), []),
        (date(2026, 10, 1), date(2026, 10, 31), ("yoy",), [ALL_DAY]),
        (date(2026, 10, 1), date(2026, 10, 31), ("previous", "yoy"), [ALL_DAY]),
        # a two-year span takes in both
        (date(2025, 1, 1), date(2026, 10, 31), (), [SHORTS_DAY, ALL_DAY]),
        # one period containing the day (a daily chart would jump there)
        (date(2026, 8, 20), date(2026, 9, 5), (), [ALL_DAY]),
        (date(2026, 8, 27), date(2026, 9, 5), (), []),
    ],
)
def test_ranges_on_each_side_of_each_change(start, end, comparisons, days):
    period = Period("custom", start, end)
    compared = comparison_periods(period, comparisons)
    found = view_counting.changes_between(period, compared)
    assert [c.day for c in found] == days
    note = view_counting.view_count_note(period, compared)
    if days:
        assert note.startswith(NOTE)
        assert note.endswith("; engaged views compare like for like")
        assert all(f"{day_text(d, weekday=False, year=True)}" in note for d in days)
    else:
        assert note is None


def test_only_the_straddling_comparison_leads_with_engaged_views():
    period = Period("custom", date(2026, 10, 1), date(2026, 10, 31))
    compared = comparison_periods(period, ("previous", "yoy"))
    assert view_counting.straddling_comparisons(period, compared) == ["yoy"]


def test_channel_groups_roll_up_engaged_views_with_comparisons(config, network):
    october, year_ago = (
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2025, 10, 1), date(2025, 10, 31)),
    )
    data = make(config, network, *october, ("yoy",))
    table = data.channel_summary_table().set_index("channel")
    columns = list(table.columns)
    assert columns[columns.index("views") + 4] == "engaged_views"  # after views and views_yoy_*
    for group, ids in network.channel_groups.items():
        now = network.yt_facts(ids, *october)
        then = network.yt_facts(ids, *year_ago)
        assert table.loc[group, "engaged_views"] == now["engagedViews"].sum()
        assert table.loc[group, "engaged_views_yoy"] == then["engagedViews"].sum()
        assert table.loc[group, "views"] == now["views"].sum()
    assert len(network.channel_groups["Gear Haven"]) == 3  # a roll-up over three IDs
    assert any(n.startswith(NOTE) and "27 Aug 2026" in n for n in data.notes)
    # Engaged views compare like for like: their year-on-year rise is smaller than views'.
    gear = table.loc["Gear Haven"]
    assert gear["engaged_views_yoy_pct"] < gear["views_yoy_pct"]


def test_stats_countries_and_videos_carry_engaged_views(config, network):
    october = (date(2026, 10, 1), date(2026, 10, 31))
    data = make(config, network, *october, ("previous",))
    rows = all_facts(network, *october)
    rows = rows[rows["channel"].map(lambda c: network.yt_channels[c].group).notna()]
    stats = data.channel_stats_table()
    columns = list(stats.columns)
    assert columns.index("engaged_views") == columns.index("views") + 4  # after views_prev_*
    group = rows["channel"].map(lambda c: network.yt_channels[c].group)
    want = rows.groupby(group)["engagedViews"].sum()
    assert stats.set_index("channel")["engaged_views"].to_dict() == want.to_dict()
    countries = data.country_table().set_index("country")
    by_country = rows.groupby("country")["engagedViews"].sum()
    assert (countries["engaged_views"] == by_country.reindex(countries.index)).all()
    videos = data.video_table().set_index("video")
    by_video = rows.groupby("video")["engagedViews"].sum()
    assert (videos["engaged_views"] == by_video.reindex(videos.index)).all()
    assert not any(n.startswith(NOTE) for n in data.notes)  # Sep-Oct 2026: one method


def test_cli_writes_the_note_to_stderr_only_when_a_range_straddles(emulator, tmp_path, capsys):
    data = yaml.safe_load(DEMO_CONFIG.read_text())
    data["youtube"]["endpoint"] = data["google_analytics"]["endpoint"] = emulator.url
    data["cache"] = {"enabled": False}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    base = ["export", "yt-channels", "--config", str(path), "--start", "2026-10-01"]
    assert main([*base, "--end", "2026-10-31", "--compare", "yoy"]) == 0
    out = capsys.readouterr()
    assert "engaged_views_yoy" in out.out.splitlines()[0]
    assert f"note: {NOTE} 27 Aug 2026" in out.err
    assert main([*base, "--end", "2026-10-31", "--compare", "previous"]) == 0
    assert NOTE not in capsys.readouterr().err


def test_the_formats_caption_names_both_counting_changes_in_the_apps_date_format():
    from statsdash.youtube.view_counting import CHANGES, counting_history

    text = counting_history()
    assert (
        [f"{day_text(c.day, weekday=False, year=True)}" in text for c in CHANGES]
        == [True] * len(CHANGES)
        == [True] * 2
    )
    assert "2025-03-31" not in text and "2026-08-27" not in text

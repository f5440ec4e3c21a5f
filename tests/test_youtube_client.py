"""The YouTube client against the emulator: retry policy, request counts, batching, the long-URL
POST form, content owner lookup, discovery and the response cache."""

import dataclasses
import time
from datetime import date, timedelta

import pytest
import yaml

from statsdash.config import CacheConfig, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.errors import AuthError, BadResponse, FetchError, QuotaExhausted
from statsdash.periods import Period
from statsdash.youtube import analytics as client
from statsdash.youtube.aggregate_data import YoutubeData
from statsdash.youtube.analytics import Analytics, discover_channels

OCTOBER = Period("October", date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture(scope="module")
def config(emulator):
    demo = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(demo, cache=CacheConfig(enabled=False))


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def analytics(config, clean_emulator, sleeps):
    return Analytics(config, today=clean_emulator.network.today, sleep=sleeps.append)


def counts(emulator) -> dict[str, int]:
    return emulator.requests()["by_endpoint"]


def october_views(analytics, network):
    ids = network.channel_groups["Pixel Post"]
    return analytics.rollup_ids(ids, OCTOBER.start, OCTOBER.end, ["views"])


# ------------------------------------------------------------ retry policy


@pytest.mark.parametrize(
    ("kind", "retried", "error"),
    [
        ("yt_rate", True, None),  # 403 rateLimitExceeded: wait and retry
        ("500", True, None),
        ("503", True, None),
        ("malformed", True, None),
        ("yt_quota", False, QuotaExhausted),  # 403 quotaExceeded: only tomorrow helps
        ("403", False, FetchError),
        ("400", False, FetchError),
        ("401", False, AuthError),
    ],
)
def test_retry_table(analytics, clean_emulator, network, sleeps, kind, retried, error):
    clean_emulator.add_fault(kind, endpoint="yt.reports.query")
    if error is None:
        frame = october_views(analytics, network)
        facts = network.yt_facts(network.channel_groups["Pixel Post"], OCTOBER.start, OCTOBER.end)
        assert frame["views"].tolist() == [facts["views"].sum()]
    else:
        with pytest.raises(error) as caught:
            october_views(analytics, network)
        assert "YouTube Analytics" in str(caught.value)
    assert counts(clean_emulator)["yt.reports.query"] == (2 if retried else 1)
    assert len(sleeps) == (1 if retried else 0)
    if kind == "503":
        assert sleeps[0] >= 1.0  # Retry-After: 1


def test_gives_up_after_five_tries_naming_the_source(analytics, clean_emulator, network, sleeps):
    clean_emulator.add_fault("503", endpoint="yt.reports.query", times=5)
    with pytest.raises(FetchError) as caught:
        october_views(analytics, network)
    assert str(caught.value).startswith("YouTube Analytics: HTTP 503 after 5 tries")
    assert counts(clean_emulator)["yt.reports.query"] == 5
    assert len(sleeps) == 4
    assert all(later >= earlier / 2 for earlier, later in zip(sleeps, sleeps[1:], strict=False))


def test_malformed_every_time_is_a_bad_response(analytics, clean_emulator, network):
    clean_emulator.add_fault("malformed", endpoint="yt.reports.query", times=5)
    with pytest.raises(BadResponse):
        october_views(analytics, network)


# ------------------------------------------------------------ request counts


TABLES = [
    ("channel_summary_table", {"yt.reports.query": 2, "yt.channels.list": 1}),
    ("channel_stats_table", {"yt.reports.query": 1}),
    ("country_table", {"yt.reports.query": 1}),
    ("video_table", {"yt.reports.query": 1, "yt.videos.list": 1}),
    ("traffic_source_table", {"yt.reports.query": 1}),
]


@pytest.mark.parametrize(("table", "expected"), TABLES)
def test_one_request_per_query_shape_not_per_channel(
    analytics, config, clean_emulator, table, expected
):
    # 9 channel IDs in 5 groups: the old tool asked once per ID per table.
    data = YoutubeData(config, (), OCTOBER, (), analytics=analytics, today=analytics.today)
    getattr(data, table)()
    made = {k: v for k, v in counts(clean_emulator).items() if v}
    assert made == expected
    for entry in clean_emulator.requests()["log"]:
        if entry["endpoint"] == "yt.reports.query" and "channel==" in entry["key"]:
            assert entry["key"].count("UC") == len(data.ids)


@pytest.mark.parametrize(("table", "expected"), TABLES)
def test_each_comparison_costs_one_query_per_shape(
    analytics, config, clean_emulator, table, expected
):
    data = YoutubeData(config, (), OCTOBER, ("previous", "yoy"), analytics=analytics)
    getattr(data, table)()
    # yt-channels: subscribers at the previous period's end follow from the current
    # period's own figures, so only the year-ago end needs a query of its own.
    extra = 3 if table == "channel_summary_table" else 2
    assert counts(clean_emulator)["yt.reports.query"] == expected["yt.reports.query"] + extra


def test_tables_share_queries_of_the_same_shape(analytics, config, clean_emulator):
    data = YoutubeData(config, (), OCTOBER, (), analytics=analytics)
    for table, _ in TABLES:
        getattr(data, table)()
    for table, _ in TABLES:  # asking again costs nothing
        getattr(data, table)()
    made = counts(clean_emulator)
    # totals (shared by yt-channels and yt-stats), subscribers since, countries, videos, traffic
    assert made["yt.reports.query"] == 5
    assert made["yt.channels.list"] == 1
    assert made["yt.videos.list"] == 1


def test_progress_is_reported_per_finished_query(analytics, config, clean_emulator):
    seen = []
    data = YoutubeData(
        config, (), OCTOBER, ("previous",), analytics=analytics, progress=lambda *p: seen.append(p)
    )
    data.channel_summary_table()
    assert seen[-1][0] == seen[-1][1] == len(seen)


# ------------------------------------------------------------ batching and long URLs


def test_video_titles_in_batches_of_50(analytics, clean_emulator, network):
    ids = [v.video_id for v in network.video_list if v.published <= network.today][:120]
    videos = analytics.get_video(ids)
    assert counts(clean_emulator)["yt.videos.list"] == 3
    assert {v: videos[v]["title"] for v in ids} == {v: network.yt_videos[v].title for v in ids}
    assert {videos[v]["channel_id"] for v in ids} <= set(network.yt_channels)


def test_channel_statistics_at_most_50_ids_a_call(analytics, clean_emulator, network, monkeypatch):
    monkeypatch.setattr(client, "MAX_IDS_PER_CALL", 4)
    ids = [cid for group in network.channel_groups.values() for cid in group]
    stats = analytics.get_stats(ids)
    assert counts(clean_emulator)["yt.channels.list"] == 3  # 9 IDs, 4 a call
    assert {cid: s["subscriberCount"] for cid, s in stats.items()} == {
        cid: network.subscriber_count(cid) for cid in ids
    }
    rolled = analytics.rollup_stats(network.channel_groups["Gear Haven"])
    assert rolled["subscriberCount"] == sum(
        network.subscriber_count(cid) for cid in network.channel_groups["Gear Haven"]
    )


def test_a_url_over_2048_characters_goes_as_post(analytics, clean_emulator, network):
    ids = [v.video_id for v in network.video_list if v.published <= date(2026, 9, 1)][:190]
    frame = analytics.run_analytics_report(
        OCTOBER.start,
        OCTOBER.end,
        ["views"],
        ["video"],
        filters=f"video=={','.join(ids)}",
        sort="-views",
        max_results=200,
    )
    (entry,) = clean_emulator.requests()["log"]
    assert entry["method"] == "POST" and entry["status"] == 200
    rows = network.yt_facts(list(network.yt_channels), OCTOBER.start, OCTOBER.end)
    expected = rows[rows["video"].isin(ids)].groupby("video")["views"].sum()
    assert frame.set_index("video")["views"].to_dict() == expected.to_dict()


# ------------------------------------------------------------ owner, discovery, availability


def test_content_owner_is_looked_up_when_not_configured(config, clean_emulator, network):
    youtube = dataclasses.replace(config.youtube, content_owner_id=None)
    analytics = Analytics(dataclasses.replace(config, youtube=youtube), today=network.today)
    assert analytics.content_owner_id == network.content_owner_id
    october_views(analytics, network)
    october_views(analytics, network)
    assert counts(clean_emulator)["yt.contentOwners.list"] == 1


def test_discover_prints_every_managed_channel(config, clean_emulator, network):
    youtube = dataclasses.replace(config.youtube, content_owner_id=None)
    snippet = discover_channels(dataclasses.replace(config, youtube=youtube))
    parsed = yaml.safe_load(snippet)["youtube"]
    assert parsed["content_owner_id"] == network.content_owner_id
    listed = {cid: title for title, ids in parsed["channels"].items() for cid in ids}
    assert listed == {cid: c.title for cid, c in network.yt_channels.items()}
    assert counts(clean_emulator)["yt.channels.list"] == 1  # 11 channels fit one page of 50


def test_data_available_per_channel(analytics, network):
    ids = network.channel_groups["Gear Haven"]
    last = network.today - timedelta(days=3)
    assert analytics.data_available(ids, last) == dict.fromkeys(ids, True)
    assert analytics.data_available(ids, last + timedelta(days=1)) == dict.fromkeys(ids, False)


# ------------------------------------------------------------ response cache


def test_cached_answers_are_reused_unless_refreshing(config, clean_emulator, network, tmp_path):
    cached = dataclasses.replace(config, cache=CacheConfig(enabled=True, path=tmp_path / "c.db"))

    def stats_table(refresh=False):
        analytics = Analytics(cached, today=network.today, refresh=refresh)
        return YoutubeData(cached, (), OCTOBER, (), analytics=analytics).channel_stats_table()

    first = stats_table()
    assert counts(clean_emulator)["yt.reports.query"] == 1
    assert stats_table().equals(first)
    assert counts(clean_emulator)["yt.reports.query"] == 1
    stats_table(refresh=True)
    assert counts(clean_emulator)["yt.reports.query"] == 2


def test_prefetch_starts_every_table_query_once(analytics, config, clean_emulator):
    data = YoutubeData(config, (), OCTOBER, ("previous", "yoy"), analytics=analytics)
    data.prefetch()
    tables = [getattr(data, table)() for table, _ in TABLES]
    # totals, countries, traffic, formats and (the demo has it on) revenue for 3 periods;
    # subscribers since 2 ends; top videos; the top videos' comparison figures (2, once the
    # top 10 is known); daily series
    expected = 5 * 3 + 2 + 1 + 2 + 1
    # The prefetch asks on threads of its own: a query no table above waited for may still
    # be on its way when they are done (CI counted 20 of the 21), so wait for it, then
    # check that nothing more comes.
    waited = time.monotonic() + 10
    while counts(clean_emulator)["yt.reports.query"] < expected and time.monotonic() < waited:
        time.sleep(0.05)
    time.sleep(0.3)
    assert counts(clean_emulator)["yt.reports.query"] == expected
    fresh = YoutubeData(config, (), OCTOBER, ("previous", "yoy"), analytics=analytics)
    for table, (name, _) in zip(tables, TABLES, strict=True):
        assert table.equals(getattr(fresh, name)())


def test_prefetch_asks_the_top_videos_of_the_compared_days(analytics, config, clean_emulator):
    """Like for like cuts a recent period to its complete days: the prefetched top-videos
    query is the one video_table asks (it asked the whole period, an extra request)."""
    today = clean_emulator.network.today
    recent = Period("last 28 days", today - timedelta(days=28), today - timedelta(days=1))

    def videos(prefetch: bool) -> tuple[object, int]:
        clean_emulator.reset()
        data = YoutubeData(
            config, (), recent, ("previous",), analytics=analytics, like_for_like=True
        )
        if prefetch:
            data.prefetch(("video_table",))
        table = data.video_table()
        return table, clean_emulator.requests()["total"]

    alone, asked_alone = videos(prefetch=False)
    assert alone["watch_minutes"].sum() > 0
    prefetched, asked = videos(prefetch=True)
    assert asked == asked_alone
    assert prefetched.equals(alone)

"""YouTube failures across the queries of one page or export, as GA's across its rounds: a
channel group that failed on its own is not asked again by later queries, and is named
once. Requests are counted at the emulator; expected figures come from its raw facts."""

import dataclasses
from datetime import date

import pytest

from statsdash.config import CacheConfig, ChannelGroup, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.errors import BadResponse, FetchError, QuotaExhausted, TimedOut
from statsdash.periods import Period
from statsdash.youtube.aggregate_data import YoutubeData
from statsdash.youtube.analytics import Analytics
from statsdash.youtube.selection import AskedBefore

OCTOBER = Period("custom", date(2026, 10, 1), date(2026, 10, 31))
GHOST = "UC" + "g" * 22  # a channel YouTube does not return: its queries are refused (403)


@pytest.fixture(scope="module")
def config(emulator):
    demo = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(demo, cache=CacheConfig(enabled=False))


def youtube(config, emulator, comparisons=(), ghost=False) -> YoutubeData:
    if ghost:
        channels = {**config.youtube.channels, "Ghost": ChannelGroup("Ghost", (GHOST,))}
        config = dataclasses.replace(
            config, youtube=dataclasses.replace(config.youtube, channels=channels)
        )
    today = emulator.network.today
    analytics = Analytics(config, today=today, sleep=lambda seconds: None)
    return YoutubeData(config, (), OCTOBER, comparisons, analytics=analytics, today=today)


def queries(emulator) -> list[dict]:
    return [e for e in emulator.requests()["log"] if e["endpoint"] == "yt.reports.query"]


def views_by_group(network) -> dict[str, int]:
    ids = [cid for ids in network.channel_groups.values() for cid in ids]
    rows = network.yt_facts(ids, OCTOBER.start, OCTOBER.end)
    group = rows["channel"].map(lambda cid: network.yt_channels[cid].group)
    return rows.groupby(group)["views"].sum().to_dict()


def test_a_refused_group_is_asked_alone_once_and_left_out_of_later_queries(
    config, clean_emulator, network
):
    data = youtube(config, clean_emulator, ("previous", "yoy"), ghost=True)
    stats = data.channel_stats_table()  # three periods' queries at once, each refused
    first = queries(clean_emulator)
    alone = [e for e in first if e["key"].endswith(f" channel=={GHOST}")]
    assert len(alone) == 1, "Ghost is asked alone once, not once per query"

    countries = data.country_table()
    later = queries(clean_emulator)[len(first) :]
    assert len(later) == 3  # one query per period, Ghost left out: no 403, no split
    assert all(GHOST not in e["key"] and e["status"] == 200 for e in later)

    assert [s for s in data.failures if "Ghost" in s] == ["Channel group Ghost"]
    assert "; " not in data.failures["Channel group Ghost"]  # named once
    views = stats.set_index("channel")["views"].to_dict()
    assert views == views_by_group(network)
    assert countries["views"].sum() == sum(views_by_group(network).values())


def test_youtube_failing_every_group_is_not_asked_again_by_later_tables(config, clean_emulator):
    data = youtube(config, clean_emulator)
    clean_emulator.add_fault("500", endpoint="yt.reports.query", times=5)  # every try fails
    assert data.channel_stats_table().empty
    asked = len(queries(clean_emulator))
    assert asked == 5  # the one query of the table, with its retries

    assert data.country_table().empty  # would be answered now: the fault is used up
    assert data.traffic_source_table().empty
    assert len(queries(clean_emulator)) == asked
    ((source, message),) = data.failures.items()
    assert source.startswith("Channel groups ")
    assert message.startswith("channel totals 2026-10-01..2026-10-31: HTTP 500 after 5 tries")
    assert "countries" not in message and "traffic" not in message


@pytest.mark.parametrize(
    ("error", "own"),
    [
        (FetchError("YouTube Analytics", "HTTP 503 after 4 tries"), True),  # retries exhausted
        (BadResponse("YouTube Analytics", "unreadable answer"), True),
        (QuotaExhausted("YouTube Analytics", "quota exhausted: daily limit"), True),
        (FetchError("YouTube Analytics", "HTTP 400: bad dimension", status=400), False),
        (TimedOut("YouTube Analytics", "the page's budget ran out"), False),
        (AskedBefore("YouTube Analytics", "failed earlier"), False),
    ],
    ids=["5xx", "bad-response", "quota", "4xx", "timed-out", "asked-before"],
)
def test_which_failures_keep_channel_groups_out_of_later_queries(error, own):
    from statsdash.youtube.selection import own_failure

    assert own_failure(error) is own


def test_a_channel_youtube_cannot_report_on_fails_its_group_alone(config, clean_emulator, network):
    # A 400 about one channel (every query that names it): the other groups' tables render.
    (group, bad), *_ = ((g, ids[0]) for g, ids in network.channel_groups.items() if len(ids) > 1)
    clean_emulator.add_fault("400", endpoint="yt.reports.query", match=bad, times=10**6)
    data = youtube(config, clean_emulator, ("previous",))
    stats = data.channel_stats_table()
    first = queries(clean_emulator)
    assert sum(e["status"] == 400 for e in first) == 2 * 2  # both periods: all, then the group

    expected = {g: v for g, v in views_by_group(network).items() if g != group}
    views = stats.set_index("channel")["views"].dropna().to_dict()
    assert views == expected
    assert list(data.failures) == [f"Channel group {group}"]
    assert "HTTP 400" in data.failures[f"Channel group {group}"]

    countries = data.country_table()
    later = queries(clean_emulator)[len(first) :]
    assert later and all(bad not in e["key"] and e["status"] == 200 for e in later)
    assert countries["views"].sum() == sum(expected.values())


def test_a_400_every_group_gets_alone_leaves_none_out_of_later_tables(
    config, clean_emulator, network
):
    # The query itself is refused (here: by its dimension), whichever channels it names.
    clean_emulator.add_fault(
        "400", endpoint="yt.reports.query", match="dimensions=country", times=10**6
    )
    data = youtube(config, clean_emulator)
    assert data.country_table().empty
    groups = len(network.channel_groups)
    assert len(queries(clean_emulator)) == 1 + groups  # all at once, then each group alone
    ((source, message),) = data.failures.items()
    assert source.startswith("Channel groups ") and message.startswith("countries ")

    stats = data.channel_stats_table()  # no group was left out: every one renders
    assert stats.set_index("channel")["views"].to_dict() == views_by_group(network)

"""The emulator's YouTube Analytics, YouTube Data and partner APIs, called through
google-api-python-client over HTTP; expected numbers come from the raw facts."""

from __future__ import annotations

import json
from datetime import date, timedelta

import httplib2
import pandas as pd
import pytest
from googleapiclient.errors import HttpError

from statsdash.emulator.catalog import DATA_START

OCT = ("2026-10-01", "2026-10-31")


def query(yt_analytics, network, **params) -> dict:
    params.setdefault("ids", f"contentOwner=={network.content_owner_id}")
    params.setdefault("startDate", OCT[0])
    params.setdefault("endDate", OCT[1])
    return yt_analytics.reports().query(**params).execute()


def to_frame(table: dict) -> pd.DataFrame:
    return pd.DataFrame(table.get("rows", []), columns=[h["name"] for h in table["columnHeaders"]])


def facts(network, channels, start=OCT[0], end=OCT[1]) -> pd.DataFrame:
    f = network.yt_facts(channels, date.fromisoformat(start), date.fromisoformat(end))
    f["day"] = f["date"].dt.strftime("%Y-%m-%d")
    f["month"] = f["date"].dt.strftime("%Y-%m")
    return f


def _error(call) -> HttpError:
    with pytest.raises(HttpError) as caught:
        call()
    return caught.value


def test_day_by_channel_report_for_a_channel_group(yt_analytics, network):
    group = network.channel_groups["Gear Haven"]
    table = query(
        yt_analytics,
        network,
        metrics="views,estimatedMinutesWatched,averageViewDuration,subscribersGained",
        dimensions="day,channel",
        filters="channel==" + ",".join(group),
    )
    assert table["kind"] == "youtubeAnalytics#resultTable"
    assert table["columnHeaders"][:2] == [
        {"name": "day", "columnType": "DIMENSION", "dataType": "STRING"},
        {"name": "channel", "columnType": "DIMENSION", "dataType": "STRING"},
    ]
    assert {h["dataType"] for h in table["columnHeaders"][2:]} == {"INTEGER"}
    assert all(isinstance(v, int) for v in table["rows"][0][2:])
    got = to_frame(table).set_index(["day", "channel"])
    want = (
        facts(network, group)
        .groupby(["day", "channel"])[["views", "estimatedMinutesWatched", "subscribersGained"]]
        .sum()
    )
    assert len(got) == 31 * len(group)
    assert got["views"].to_dict() == want["views"].to_dict()
    assert got["subscribersGained"].to_dict() == want["subscribersGained"].to_dict()
    seconds = (want["estimatedMinutesWatched"] * 60 / want["views"]).round().astype(int)
    assert got["averageViewDuration"].to_dict() == seconds.to_dict()
    # Without sort, rows come by dimension values.
    assert got.index.tolist() == sorted(got.index.tolist())


def test_multi_channel_totals_and_country_report(yt_analytics, network):
    group = network.channel_groups["Pixel Post"]
    metrics = "views,likes,dislikes,comments,shares,subscribersGained,subscribersLost"
    total = query(yt_analytics, network, metrics=metrics, filters="channel==" + ",".join(group))
    f = facts(network, group)
    assert total["rows"] == [[int(f[m].sum()) for m in metrics.split(",")]]
    by_country = query(
        yt_analytics,
        network,
        metrics="estimatedMinutesWatched,views",
        dimensions="country",
        filters=f"channel=={','.join(group)};country==GB,US",
        sort="-estimatedMinutesWatched",
    )
    want = f[f.country.isin(["GB", "US"])].groupby("country")["estimatedMinutesWatched"].sum()
    assert [r[0] for r in by_country["rows"]] == want.sort_values(ascending=False).index.tolist()
    assert {r[0]: r[1] for r in by_country["rows"]} == want.to_dict()


def test_top_videos_sort_and_paging(yt_analytics, network):
    channels = list(network.yt_channels)[:4]
    params = dict(
        metrics="estimatedMinutesWatched,views",
        dimensions="video",
        filters="channel==" + ",".join(channels),
        sort="-estimatedMinutesWatched",
        maxResults=10,
    )
    first = to_frame(query(yt_analytics, network, **params))
    second = to_frame(query(yt_analytics, network, startIndex=11, **params))
    want = (
        facts(network, channels)
        .groupby("video")["estimatedMinutesWatched"]
        .sum()
        .sort_values(ascending=False, kind="stable")
    )
    got = pd.concat([first, second])
    assert len(got) == 20
    assert got["estimatedMinutesWatched"].tolist() == want.iloc[:20].tolist()
    assert set(first["video"]) | set(second["video"]) <= set(want.index)
    assert all(network.yt_videos[v].channel_id in channels for v in got["video"])


def test_long_urls_go_as_post_with_method_override(yt_analytics, network, clean_emulator):
    videos = [v.video_id for v in network.yt_videos.values() if v.published < date(2026, 1, 1)]
    videos = videos[:150]
    params = dict(
        metrics="views",
        dimensions="channel",
        filters="video==" + ",".join(videos),
    )
    table = query(yt_analytics, network, **params)
    entry = clean_emulator.requests()["log"][-1]
    assert entry["method"] == "POST" and entry["endpoint"] == "yt.reports.query"
    assert entry["status"] == 200
    f = facts(network, list(network.yt_channels))
    want = f[f.video.isin(videos)].groupby("channel")["views"].sum()
    assert {r[0]: r[1] for r in table["rows"]} == want.to_dict()


def test_channel_mine_report(yt_analytics, network):
    table = query(yt_analytics, network, ids="channel==MINE", metrics="views", dimensions="month")
    mine = next(iter(network.yt_channels))
    assert table["rows"] == [["2026-10", int(facts(network, [mine])["views"].sum())]]


def test_a_group_without_dislikes(yt_analytics, network):
    kids = network.channel_groups["Tinker Trail Kids"]
    table = query(yt_analytics, network, metrics="dislikes,likes", filters="channel==" + kids[0])
    assert table["rows"][0][0] == 0 and table["rows"][0][1] > 0


def test_freshness_stops_three_days_before_today(yt_analytics, network):
    today = network.today
    group = network.channel_groups["Quill and Ink"]
    table = query(
        yt_analytics,
        network,
        startDate=(today - timedelta(days=6)).isoformat(),
        endDate=today.isoformat(),
        metrics="views",
        dimensions="day",
        filters="channel==" + ",".join(group),
    )
    days = [r[0] for r in table["rows"]]
    assert days[-1] == (today - timedelta(days=3)).isoformat() and len(days) == 4
    assert network.yt_available_through(group[0]) == today - timedelta(days=3)
    recent = query(
        yt_analytics,
        network,
        startDate=(today - timedelta(days=2)).isoformat(),
        endDate=today.isoformat(),
        metrics="views",
        filters="channel==" + group[0],
    )
    assert "rows" not in recent


def test_subscriber_count_identity(yt_data, yt_analytics, network):
    channel = network.channel_groups["Gear Haven"][0]
    item = yt_data.channels().list(part="statistics", id=channel).execute()["items"][0]
    current = int(item["statistics"]["subscriberCount"])
    everything = facts(network, [channel], DATA_START.isoformat(), network.today.isoformat())
    net_gain = everything["subscribersGained"].sum() - everything["subscribersLost"].sum()
    assert current == network.subscriber_count(channel)
    assert current == network.yt_channels[channel].base_subscribers + net_gain
    # Subscribers at the end of October = current - net gained after October.
    after = query(
        yt_analytics,
        network,
        startDate="2026-11-01",
        endDate=network.today.isoformat(),
        metrics="subscribersGained,subscribersLost",
        filters="channel==" + channel,
    )["rows"][0]
    upto = everything[everything["date"] <= "2026-10-31"]
    at_end = network.yt_channels[channel].base_subscribers + (
        upto["subscribersGained"].sum() - upto["subscribersLost"].sum()
    )
    assert current - (after[0] - after[1]) == at_end


def test_channels_list_by_id(yt_data, network):
    group = network.channel_groups["Pixel Post"]
    response = (
        yt_data.channels()
        .list(part="snippet,statistics,contentDetails", id=",".join([*group, "UC" + "x" * 22]))
        .execute()
    )
    assert response["kind"] == "youtube#channelListResponse"
    assert [i["id"] for i in response["items"]] == group  # unknown ids are left out
    item = response["items"][0]
    assert item["snippet"]["title"] == network.yt_channels[group[0]].title
    stats = item["statistics"]
    assert stats["hiddenSubscriberCount"] is False
    assert all(isinstance(stats[k], str) for k in ("viewCount", "subscriberCount", "videoCount"))
    assert item["contentDetails"]["relatedPlaylists"]["uploads"] == "UU" + group[0][2:]
    too_many = ",".join([group[0]] * 51)
    error = _error(lambda: yt_data.channels().list(part="statistics", id=too_many).execute())
    assert error.status_code == 400


def test_channels_managed_by_me_paging(yt_data, network):
    seen, token = [], None
    while True:
        page = (
            yt_data.channels()
            .list(
                part="snippet,contentOwnerDetails",
                managedByMe=True,
                onBehalfOfContentOwner=network.content_owner_id,
                maxResults=4,
                pageToken=token,
            )
            .execute()
        )
        seen += page["items"]
        assert page["pageInfo"]["totalResults"] == len(network.yt_channels)
        token = page.get("nextPageToken")
        if not token:
            break
    assert [i["id"] for i in seen] == list(network.yt_channels)
    configured = {c for ids in network.channel_groups.values() for c in ids}
    assert len(set(network.yt_channels) - configured) >= 2  # managed but not in the config
    assert {i["contentOwnerDetails"]["contentOwner"] for i in seen} == {network.content_owner_id}
    wrong = yt_data.channels().list(
        part="snippet", managedByMe=True, onBehalfOfContentOwner="someoneElse"
    )
    assert _error(wrong.execute).status_code == 403


def test_videos_list(yt_data, network):
    videos = list(network.yt_videos.values())[:3]
    response = (
        yt_data.videos()
        .list(part="snippet,statistics", id=",".join([v.video_id for v in videos] + ["nope"]))
        .execute()
    )
    assert [i["id"] for i in response["items"]] == [v.video_id for v in videos]
    snippet = response["items"][0]["snippet"]
    assert snippet["title"] == videos[0].title
    assert snippet["channelId"] == videos[0].channel_id
    assert snippet["channelTitle"] == network.yt_channels[videos[0].channel_id].title
    assert snippet["publishedAt"].startswith(videos[0].published.isoformat())
    lifetime = facts(
        network, [videos[0].channel_id], DATA_START.isoformat(), network.today.isoformat()
    )
    views = int(lifetime.loc[lifetime.video == videos[0].video_id, "views"].sum())
    assert response["items"][0]["statistics"]["viewCount"] == str(views)
    too_many = ",".join([videos[0].video_id] * 51)
    assert _error(yt_data.videos().list(part="snippet", id=too_many).execute).status_code == 400


def test_content_owners_fetch_mine(emulator, network, clean_emulator):
    url = emulator.url + "/youtube/partner/v1/contentOwners?fetchMine=true&alt=json"
    resp, content = httplib2.Http().request(url)
    assert resp.status == 200
    assert json.loads(content) == {
        "kind": "youtubePartner#contentOwnerList",
        "items": [
            {
                "kind": "youtubePartner#contentOwner",
                "id": network.content_owner_id,
                "displayName": network.content_owner_name,
            }
        ],
    }
    assert clean_emulator.requests()["by_endpoint"]["yt.contentOwners.list"] == 1


# ---------------------------------------------------------------- errors


def test_not_supported_queries_are_400(yt_analytics, network):
    channel = next(iter(network.yt_channels))
    cases = [
        dict(metrics="views"),  # content owner without a channel/video filter
        dict(metrics="subscribersGained", dimensions="insightTrafficSourceType"),
        dict(metrics="views", dimensions="deviceType,country"),
        dict(metrics="views", dimensions="video", sort="-views", maxResults=201),
        dict(metrics="views", dimensions="video", maxResults=10),  # no sort
    ]
    for params in cases:
        params.setdefault("filters", "channel==" + channel)
        if params["metrics"] == "views" and "dimensions" not in params:
            params.pop("filters")
        error = _error(lambda p=params: query(yt_analytics, network, **p))
        assert error.status_code == 400, params
        assert error.reason.startswith("The query is not supported."), params
        assert error.error_details[0]["reason"] == "badRequest"


def test_bad_parameters_are_400_and_strangers_403(yt_analytics, network):
    channel = f"channel=={next(iter(network.yt_channels))}"
    error = _error(lambda: query(yt_analytics, network, metrics="viewz", filters=channel))
    assert error.status_code == 400
    assert "Unknown identifier (viewz) given in field parameters.metrics." in error.reason
    error = _error(
        lambda: query(
            yt_analytics, network, metrics="views", filters=channel, startDate="2026-11-01"
        )
    )
    assert error.status_code == 400
    stranger = _error(
        lambda: query(
            yt_analytics, network, ids="contentOwner==other", metrics="views", filters=channel
        )
    )
    assert stranger.status_code == 403 and stranger.error_details[0]["reason"] == "forbidden"
    unmanaged = "channel==UC" + "a" * 22
    error = _error(lambda: query(yt_analytics, network, metrics="views", filters=unmanaged))
    assert error.status_code == 403


YT_FAULTS = {
    "yt_quota": (403, "quotaExceeded"),
    "yt_rate": (403, "rateLimitExceeded"),
    "500": (500, "backendError"),
    "503": (503, "backendError"),
    "401": (401, "authError"),
    "rate": (429, "rateLimitExceeded"),
}


@pytest.mark.parametrize("kind", YT_FAULTS)
def test_injected_faults(yt_analytics, yt_data, network, clean_emulator, kind):
    status, reason = YT_FAULTS[kind]
    clean_emulator.add_fault(kind, endpoint="yt.reports.query")
    channel = f"channel=={next(iter(network.yt_channels))}"
    error = _error(lambda: query(yt_analytics, network, metrics="views", filters=channel))
    assert error.status_code == status
    assert error.error_details[0]["reason"] == reason
    # Only the named endpoint was hit.
    assert yt_data.channels().list(part="id", id=channel[9:]).execute()["items"]
    assert query(yt_analytics, network, metrics="views", filters=channel)["rows"]

"""The synthetic network itself: its shape, the invariants of its fact rows, freshness,
determinism, and the bundled demo config that describes it."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from datetime import date, timedelta

import pandas as pd
import pytest
import yaml

from statsdash.emulator import DEMO_CONFIG, Network
from statsdash.emulator.catalog import SPAM_SOURCES, default_channel_group

TODAY = date(2026, 11, 20)
OCT = (date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture(scope="module")
def net() -> Network:
    return Network(TODAY)


@pytest.fixture(scope="module")
def october(net) -> dict[str, pd.DataFrame]:
    return {pid: net.ga_facts(pid, *OCT) for pid in net.ga_properties}


def test_sites_accounts_and_properties(net):
    assert 6 <= len(net.sites) <= 7
    assert len(net.accounts) == 3
    assert 10 <= len(net.ga_properties) <= 14
    assert all(1 <= len(ids) <= 3 for ids in net.sites.values())
    for account in net.accounts:
        sites = {p.site for p in net.ga_properties.values() if p.account_id == account}
        assert 2 <= len(sites) <= 3
    for pid, prop in net.ga_properties.items():
        assert re.fullmatch(r"\d{9}", pid) and prop.property_id == pid
        assert prop.host_name.endswith(prop.site)
    props = list(net.ga_properties.values())
    assert sum(p.thresholded for p in props) == 1
    assert sum(p.other_row for p in props) == 1
    assert sum(p.lag_days == 1 for p in props) == 1
    assert {p.time_zone for p in props} == {"Europe/London", "America/New_York"}


def test_pages_paths_and_titles(october):
    f = pd.concat(october.values())
    assert not f["pagePath"].str.contains("?", regex=False).any()
    assert f["pagePathPlusQueryString"].str.contains("?utm_source=", regex=False).any()
    assert f["pagePathPlusQueryString"].str.contains("?page=2", regex=False).any()
    assert (f["pagePath"] + f["queryString"] == f["pagePathPlusQueryString"]).all()
    per_site = f.groupby(f["hostName"].str.replace(r"^(www|amp|docs)\.", "", regex=True))
    assert per_site["pagePath"].nunique().between(30, 65).all()
    assert f["pagePath"].str.startswith("/amp/news/").any()
    assert f["pagePath"].str.startswith("/forum/").any() and (f["pagePath"] == "/login.php").any()
    titles = set(f["pageTitle"])
    for entity in ("&amp;", "&#39;", "&quot;"):
        assert any(entity in t for t in titles), entity
    assert {t[0] for t in titles} >= {"=", "+", "-", "@"}
    amp = f[f["pagePath"].str.startswith("/amp/")]
    canonical = f.drop_duplicates("pagePath").set_index("pagePath")["pageTitle"]
    pairs = amp.drop_duplicates("pagePath").set_index("pagePath")["pageTitle"]
    known = [p for p in pairs.index if p.removeprefix("/amp") in canonical.index]
    assert known and all(pairs[p] == canonical[p.removeprefix("/amp")] for p in known)
    assert html.unescape("&amp;") == "&"  # titles are left encoded, as GA4 reports them


def test_sources_channel_groups_and_countries(october):
    f = pd.concat(october.values())
    pairs = f.drop_duplicates(["sessionSource", "sessionMedium"])
    for row in pairs.itertuples():
        assert row.sessionDefaultChannelGroup == default_channel_group(
            row.sessionSource, row.sessionMedium
        )
        assert row.sessionSourceMedium == f"{row.sessionSource} / {row.sessionMedium}"
    group = dict(zip(pairs.sessionSourceMedium, pairs.sessionDefaultChannelGroup, strict=True))
    assert group["google / organic"] == "Organic Search"
    assert group["(direct) / (none)"] == "Direct"
    assert group["newsletter / email"] == "Email"
    assert group["t.co / referral"] == "Organic Social"
    assert group["m.facebook.com / referral"] == "Organic Social"
    assert group["facebook / cpc"] == "Paid Social"
    assert group["en.wikipedia.org / referral"] == "Referral"
    assert set(SPAM_SOURCES) <= set(f["sessionSource"])
    countries = f.drop_duplicates("country").set_index("country")["countryId"]
    assert len(countries) >= 15 and countries["United Kingdom"] == "GB"
    assert set(f["deviceCategory"]) == {"desktop", "mobile", "tablet"}


def test_ga_fact_invariants(october):
    for pid, f in october.items():
        assert (f["screenPageViews"] >= f["sessions"]).all(), pid
        assert (f["sessions"] >= f["totalUsers"]).all() and (f["totalUsers"] >= 1).all()
        assert (f["activeUsers"] <= f["totalUsers"]).all()
        assert (f["newUsers"] <= f["totalUsers"]).all()
        assert (f["engagedSessions"] <= f["sessions"]).all()
        assert f["date"].is_monotonic_increasing
        per_day = f.groupby("date").size()
        assert per_day.between(60, 120).all(), pid
        assert (f.groupby("date")["hour"].nunique() == 24).all(), pid


def test_fact_dtypes(net):
    f = net.ga_facts("311204581", *OCT)
    assert f["date"].dtype.kind == "M"
    assert f["hour"].dtype == "int64" and f["screenPageViews"].dtype == "int64"
    y = net.yt_facts(next(iter(net.yt_channels)), *OCT)
    assert y["date"].dtype.kind == "M" and y["views"].dtype == "int64"


def test_weekly_seasonality_and_growth(net):
    pid = "298451006"
    year = net.ga_facts(pid, date(2025, 10, 1), date(2026, 9, 30))
    daily = year.groupby("date")["sessions"].sum()
    weekend = daily[daily.index.day_of_week >= 5].mean()
    assert weekend < 0.9 * daily[daily.index.day_of_week < 5].mean()
    before = net.ga_facts(pid, date(2024, 10, 1), date(2025, 9, 30))["sessions"].sum()
    assert daily.sum() > before


def test_data_from_2023_including_leap_day(net):
    assert net.ga_facts("311204581", date(2022, 12, 1), date(2022, 12, 31)).empty
    assert len(net.ga_facts("311204581", date(2023, 1, 1), date(2023, 1, 1))) >= 60
    leap = net.ga_facts("311204581", date(2024, 2, 29), date(2024, 2, 29))
    assert leap["hour"].nunique() == 24
    assert not net.yt_facts(next(iter(net.yt_channels)), date(2023, 1, 1), date(2023, 1, 1)).empty


def test_freshness(net):
    for pid, prop in net.ga_properties.items():
        last = net.ga_available_through(pid)
        assert last == TODAY - timedelta(days=2 + prop.lag_days)
        f = net.ga_facts(pid, last - timedelta(days=1), TODAY)
        hours = f.groupby("date")["hour"].nunique()
        assert hours.to_dict() == {
            pd.Timestamp(last - timedelta(days=1)): 24,
            pd.Timestamp(last): 24,
            pd.Timestamp(last + timedelta(days=1)): 12,
        }
    channel = next(iter(net.yt_channels))
    y = net.yt_facts(channel, TODAY - timedelta(days=10), TODAY)
    assert y["date"].max() == pd.Timestamp(TODAY - timedelta(days=3))


def test_numbers_do_not_depend_on_today(net):
    later = Network(date(2027, 3, 1))
    for pid in ("311204581", "340017723"):
        pd.testing.assert_frame_equal(net.ga_facts(pid, *OCT), later.ga_facts(pid, *OCT))
    channels = list(net.yt_channels)[:3]
    pd.testing.assert_frame_equal(net.yt_facts(channels, *OCT), later.yt_facts(channels, *OCT))
    # A fresh process that generates only this month draws the same numbers.
    code = (
        "from datetime import date; from statsdash.emulator import Network;"
        "f = Network(date(2026, 11, 20))"
        ".ga_facts('311204581', date(2026, 10, 1), date(2026, 10, 31));"
        "print(int(f.screenPageViews.sum()), int(f.sessionDuration.sum()), len(f))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    f = net.ga_facts("311204581", *OCT)
    assert out.stdout.split() == [
        str(f.screenPageViews.sum()), str(f.sessionDuration.sum()), str(len(f)),
    ]  # fmt: skip


def test_channels_videos_and_youtube_facts(net):
    assert 4 <= len(net.channel_groups) <= 5
    assert all(1 <= len(ids) <= 3 for ids in net.channel_groups.values())
    for cid, channel in net.yt_channels.items():
        assert re.fullmatch(r"UC[A-Za-z0-9_-]{22}", cid) and channel.channel_id == cid
        videos = [v for v in net.yt_videos.values() if v.channel_id == cid]
        assert 20 <= len(videos) <= 40
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{11}", v) for v in net.yt_videos)
    titles = [v.title for v in net.yt_videos.values()]
    assert any(t.startswith("=") for t in titles) and any("&" in t for t in titles)
    no_dislikes = [g for g, ids in net.channel_groups.items() if all(
        net.yt_channels[c].no_dislikes for c in ids
    )]  # fmt: skip
    assert len(no_dislikes) == 1
    y = net.yt_facts(list(net.yt_channels), *OCT)
    assert y.groupby(["channel", "date"]).size().between(30, 60).all()
    assert (y["engagedViews"] <= y["views"]).all() and (y["views"] >= 1).all()
    assert y.loc[y.channel.isin(net.channel_groups[no_dislikes[0]]), "dislikes"].sum() == 0
    assert {"YT_SEARCH", "SUGGESTED", "SHORTS", "END_SCREEN"} <= set(y["insightTrafficSourceType"])
    assert set(y["deviceType"]) == {"DESKTOP", "MOBILE", "TABLET", "TV"}
    published = y["video"].map(lambda v: net.yt_videos[v].published)
    assert (published <= y["date"].dt.date).all()  # no views before a video exists


def test_subscriber_count_is_base_plus_net_gained(net):
    for cid, channel in net.yt_channels.items():
        y = net.yt_facts(cid, date(2023, 1, 1), TODAY)
        gained = int(y["subscribersGained"].sum() - y["subscribersLost"].sum())
        assert net.subscriber_count(cid) == channel.base_subscribers + gained


def test_demo_config_matches_the_network(net):
    config = yaml.safe_load(DEMO_CONFIG.read_text())
    ga = config["google_analytics"]
    assert ga["credentials"] == "none" and ga["endpoint"].startswith("http://127.0.0.1:")
    configured = {
        site: [e["id"] if isinstance(e, dict) else e for e in entries if "key_events" not in e]
        for site, entries in ga["sites"].items()
    }
    assert configured == net.sites
    not_waited = [
        e["id"] for es in ga["sites"].values() for e in es if e.get("wait_for_data") is False
    ]
    assert not_waited == [p.property_id for p in net.ga_properties.values() if p.lag_days]
    f = pd.concat(net.ga_facts(pid, *OCT) for pid in net.ga_properties)
    prefixes = tuple(p for p in ga["article_exclude_paths"] if p != "/")  # "/" is the home page
    excluded = f["pagePath"].str.startswith(prefixes) | (f["pagePath"] == "/")
    assert set(f.loc[excluded, "pagePath"]) >= {"/login.php", "/forum/", "/forum/thread/1042"}
    assert not f.loc[excluded, "pagePath"].str.startswith("/news/").any()
    assert set(SPAM_SOURCES) <= set(ga["referral_exclude_sources"])
    assert 3 <= len(ga["countries"]) <= 5 and set(ga["countries"]) <= set(f["country"])
    yt = config["youtube"]
    assert yt["credentials"] == "none" and yt["content_owner_id"] == net.content_owner_id
    assert yt["channels"] == net.channel_groups
    assert 3 <= len(config["brands"]) <= 4
    for brand in config["brands"].values():
        assert set(brand["sites"]) <= set(net.sites)
        assert set(brand["channels"]) <= set(net.channel_groups)

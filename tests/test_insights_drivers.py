"""The drivers report against the emulator: contributions add up to each total change, and
the totals, sites, sources, articles, devices, channel groups and videos match the raw
facts (plain pandas); the extra requests are one call per property and a few YouTube
queries."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date

import numpy as np
import pandas as pd
import pytest

from statsdash import drivers as d
from statsdash.cli import main
from statsdash.config import CacheConfig, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.periods import Period
from statsdash.reports import Selection, build_report

TODAY = date(2026, 11, 20)
OCT = Period("October", date(2026, 10, 1), date(2026, 10, 31))
SEP = (date(2026, 8, 31), date(2026, 9, 30))  # October's previous period: as many days


@pytest.fixture(scope="module")
def config(emulator):
    config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(config, cache=CacheConfig(enabled=False))


@pytest.fixture(scope="module")
def drivers(config, emulator):
    emulator.reset()
    selection = Selection(config, OCT, ("previous",), today=TODAY)
    result = build_report("drivers", selection)
    assert result.failures == {}
    return result.table, emulator.requests()


def ga(network, start, end) -> pd.DataFrame:
    parts = [
        network.ga_facts(pid, start, end).assign(site=site)
        for site, pids in network.sites.items()
        for pid in pids
    ]
    facts = pd.concat(parts, ignore_index=True)
    return facts.assign(article=facts["site"] + facts["pagePath"])


def yt(network, start, end) -> pd.DataFrame:
    group_of = {c: g for g, ids in network.channel_groups.items() for c in ids}
    facts = network.yt_facts(list(group_of), start, end)
    return facts.assign(group=facts["channel"].map(group_of))


def rows(table, metric, dimension, comparison="previous") -> pd.DataFrame:
    mask = (
        (table["metric"] == metric)
        & (table["dimension"] == dimension)
        & (table["comparison"] == comparison)
    )
    return table[mask].set_index(["key", "effect"] if metric in d.RATIO_METRICS else "key")


def test_every_dimension_adds_up_to_the_total_change(drivers):
    table, _ = drivers
    groups = table.groupby(["metric", "comparison", "dimension"])
    assert len(groups) >= 20
    for (metric, _, dimension), group in groups:
        change = group["total_current"].iloc[0] - group["total_base"].iloc[0]
        assert group["contribution"].sum() == pytest.approx(change, abs=1e-9), (metric, dimension)
        if metric not in d.RATIO_METRICS:
            assert (group["contribution"] == group["current"] - group["base"]).all()


def test_web_contributions_match_the_raw_facts(drivers, network):
    table, _ = drivers
    now, then = ga(network, OCT.start, OCT.end), ga(network, *SEP)

    def change(key, metric="screenPageViews"):
        return now.groupby(key)[metric].sum().sub(then.groupby(key)[metric].sum(), fill_value=0)

    sites = rows(table, "pageviews", "site")
    assert sites["total_current"].iloc[0] == now["screenPageViews"].sum()
    assert sites["total_base"].iloc[0] == then["screenPageViews"].sum()
    assert sites["contribution"].to_dict() == change("site").to_dict()
    users = rows(table, "users", "device_category")["contribution"]
    assert users.to_dict() == change("deviceCategory", "totalUsers").to_dict()

    sources = rows(table, "sessions", "source_medium").drop(d.EVERYTHING_ELSE)
    expected = change("sessionSourceMedium", "sessions")
    assert len(sources) == d.TOP_KEYS
    assert sources["contribution"].to_dict() == expected[sources.index].to_dict()
    # The keys shown are the ones that moved most.
    assert sources["contribution"].abs().min() >= expected.drop(sources.index).abs().max()

    articles = rows(table, "pageviews", "article").drop(d.EVERYTHING_ELSE)
    by_article = change("article")
    top = by_article.abs().sort_values(ascending=False).index[0]
    assert articles.loc[top, "contribution"] == by_article[top]
    assert articles.loc[top, "label"] != top  # the article's title


def test_pages_per_session_splits_into_mix_and_rate(drivers, network):
    table, _ = drivers
    now, then = ga(network, OCT.start, OCT.end), ga(network, *SEP)
    split = rows(table, "pages_per_session", "site")
    assert set(split.index.get_level_values("effect")) == {"mix", "rate"}
    ratio = lambda f: f["screenPageViews"].sum() / f["sessions"].sum()  # noqa: E731
    assert split["total_current"].iloc[0] == pytest.approx(ratio(now))
    assert split["contribution"].sum() == pytest.approx(ratio(now) - ratio(then))
    site = "gearhaven.co.uk"
    r1, r0 = ratio(now[now["site"] == site]), ratio(then[then["site"] == site])
    w1 = now.loc[now["site"] == site, "sessions"].sum() / now["sessions"].sum()
    assert split.loc[(site, "rate"), "contribution"] == pytest.approx(w1 * (r1 - r0))


def test_youtube_contributions_match_the_raw_facts(drivers, network):
    table, _ = drivers
    now, then = yt(network, OCT.start, OCT.end), yt(network, *SEP)
    views = rows(table, "views", "channel")["contribution"]
    expected = now.groupby("group")["views"].sum() - then.groupby("group")["views"].sum()
    assert views.to_dict() == expected.to_dict()
    net = rows(table, "net_subscribers", "channel")
    gained = lambda f: (f["subscribersGained"] - f["subscribersLost"]).sum()  # noqa: E731
    assert net["total_current"].iloc[0] - net["total_base"].iloc[0] == gained(now) - gained(then)
    engaged = rows(table, "engaged_views", "source_type")
    assert engaged["total_current"].iloc[0] == now["engagedViews"].sum()
    videos = rows(table, "watch_minutes", "video").drop(d.EVERYTHING_ELSE)
    minutes = (
        now.groupby("video")["estimatedMinutesWatched"]
        .sum()
        .sub(then.groupby("video")["estimatedMinutesWatched"].sum(), fill_value=0)
    )
    assert videos["contribution"].to_dict() == minutes[videos.index].to_dict()
    titles = {v: network.yt_videos[v].title for v in videos.index}
    assert videos["label"].to_dict() == titles


def test_drivers_cost_one_more_call_per_property_and_few_youtube_queries(drivers, network):
    _, requests = drivers
    ga_calls = Counter(
        e["key"] for e in requests["log"] if e["endpoint"] in ("ga.runReport", "ga.batchRunReports")
    )
    properties = {p for ids in network.sites.values() for p in ids}
    # The first round the pages fetch anyway (the device parts ride in its devices report).
    assert ga_calls == Counter(dict.fromkeys(properties, 1))
    by_endpoint = requests["by_endpoint"]
    # Two periods x (channel totals, traffic sources, videos) and one videos.list; the
    # traffic sources' query is yt-traffic's own.
    assert by_endpoint["yt.reports.query"] == 6
    assert by_endpoint["yt.videos.list"] == 1


def test_export_drivers_writes_one_metric(config, tmp_path, capsys, monkeypatch):
    path = tmp_path / "config.yaml"
    path.write_text(DEMO_CONFIG.read_text().replace("http://127.0.0.1:8765", config_url(config)))
    out = tmp_path / "drivers.csv"
    args = ["export", "drivers", "--config", str(path), "--start", "2026-10-01"]
    args += ["--end", "2026-10-31", "--compare", "previous", "--metric", "views", "-o", str(out)]
    assert main(args) == 0
    table = pd.read_csv(out)
    assert list(table.columns[:7]) == [
        "metric", "comparison", "dimension", "key", "current", "base", "contribution",
    ]  # fmt: skip
    assert set(table["metric"]) == {"views"}
    assert set(table["dimension"]) == {"channel", "video", "source_type"}
    for _, group in table.groupby("dimension"):
        assert np.isclose(group["contribution"].sum(), group["current"].sum() - group["base"].sum())


def test_export_drivers_rejects_an_unknown_metric_in_one_line(capsys):
    assert main(["export", "drivers", "--demo", "--metric", "bounces"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--metric 'bounces' is not a drivers metric" in err[0]


def config_url(config) -> str:
    return config.google_analytics.endpoint

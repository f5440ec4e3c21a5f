"""Revenue for content owners (`youtube: {revenue: true}`): the emulator's monetary metrics
and Google's refusals, yt-revenue per channel group against the raw facts (CPMs rebuilt
from parts), the monetary scope at sign-in, the config keys and the Revenue section."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
import yaml
from googleapiclient.errors import HttpError
from streamlit.testing.v1 import AppTest

from statsdash.cli import main
from statsdash.config import ChannelGroup, ConfigError, load_config, parse_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.emulator.revenue import RATES
from statsdash.periods import Period
from statsdash.reports import Selection, available_reports, build_report
from statsdash.youtube.auth import MONETARY_SCOPE, SCOPES, _flow

APP = Path(__file__).resolve().parents[1] / "app.py"
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
SEPTEMBER = (date(2026, 8, 31), date(2026, 9, 30))  # October's previous period
PARTS = ["estimatedRevenue", "estimatedAdRevenue", "grossRevenue"]
COUNTS = ["monetizedPlaybacks", "adImpressions"]
COLUMNS = {
    "estimated_revenue": "estimatedRevenue",
    "estimated_ad_revenue": "estimatedAdRevenue",
    "gross_revenue": "grossRevenue",
    "monetized_playbacks": "monetizedPlaybacks",
    "ad_impressions": "adImpressions",
}


def northwind(network) -> list[str]:
    """The demo network's channel that is not monetised (not in the demo config)."""
    return [c for c, ch in network.yt_channels.items() if ch.title == "Northwind Shorts"]


@pytest.fixture(scope="module")
def config(emulator_config, network):
    """The demo config (revenue on) plus a group YouTube refuses revenue for."""
    demo = emulator_config
    groups = {
        **demo.youtube.channels,
        "Northwind": ChannelGroup("Northwind", tuple(northwind(network))),
    }
    youtube = dataclasses.replace(demo.youtube, channels=groups)
    return dataclasses.replace(demo, youtube=youtube)


def selection(config, network, comparisons=("previous",), **extra) -> Selection:
    period = Period("custom", *OCTOBER)
    return Selection(config, period, comparisons, today=network.today, refresh=True, **extra)


def group_sums(network, config, start, end) -> pd.DataFrame:
    """Each monetised group's summed revenue parts, from the raw facts with plain pandas."""
    groups = {n: g.ids for n, g in config.youtube.channels.items() if n != "Northwind"}
    ids = [c for ids in groups.values() for c in ids]
    rows = network.yt_facts(ids, start, end)
    group_of = {c: n for n, ids in groups.items() for c in ids}
    return rows.assign(group=rows["channel"].map(group_of)).groupby("group")[PARTS + COUNTS].sum()


def table_with(at: AppTest, column: str) -> pd.DataFrame | None:
    """The drawn table that has `column` (by raw name, below any grouped heading), or None."""
    for element in at.dataframe:
        frame = element.value
        if isinstance(frame.columns, pd.MultiIndex):
            frame = frame.droplevel(0, axis=1)
        if column in frame.columns:
            return frame
    return None


def query(yt_analytics, network, ids, metrics, **params):
    return (
        yt_analytics.reports()
        .query(
            ids=f"contentOwner=={network.content_owner_id}",
            startDate="2026-10-01",
            endDate="2026-10-31",
            metrics=metrics,
            filters=f"channel=={','.join(ids)}",
            **params,
        )
        .execute()
    )


# ------------------------------------------------------------ the emulator


def test_the_emulator_serves_revenue_per_channel_from_the_raw_facts(yt_analytics, network):
    ids = network.channel_groups["Gear Haven"]
    metrics = [*PARTS, *COUNTS, "cpm", "playbackBasedCpm"]
    answer = query(yt_analytics, network, ids, ",".join(metrics), dimensions="channel")
    types = {h["name"]: h["dataType"] for h in answer["columnHeaders"]}
    assert types == {
        "channel": "STRING",
        **dict.fromkeys(PARTS + ["cpm", "playbackBasedCpm"], "FLOAT"),
        **dict.fromkeys(COUNTS, "INTEGER"),
    }
    got = pd.DataFrame(answer["rows"], columns=list(types)).set_index("channel")
    want = network.yt_facts(ids, *OCTOBER).groupby("channel")[PARTS + COUNTS].sum()
    assert sorted(got.index) == sorted(want.index)
    for cid, row in want.iterrows():
        for m in PARTS:
            assert got.loc[cid, m] == pytest.approx(row[m], abs=0.001)
        for m in COUNTS:
            assert got.loc[cid, m] == row[m]
        assert got.loc[cid, "cpm"] == pytest.approx(
            1000 * row["grossRevenue"] / row["adImpressions"], abs=0.001
        )
        assert got.loc[cid, "playbackBasedCpm"] == pytest.approx(
            1000 * row["grossRevenue"] / row["monetizedPlaybacks"], abs=0.001
        )


def test_the_currency_parameter_converts_money_not_counts(yt_analytics, network):
    ids = network.channel_groups["Pixel Post"]
    usd = query(yt_analytics, network, ids, "estimatedRevenue,adImpressions,cpm")["rows"][0]
    eur = query(yt_analytics, network, ids, "estimatedRevenue,adImpressions,cpm", currency="EUR")[
        "rows"
    ][0]
    assert eur[0] == pytest.approx(usd[0] * RATES["EUR"], abs=0.002)
    assert eur[1] == usd[1]
    assert eur[2] == pytest.approx(usd[2] * RATES["EUR"], abs=0.002)
    with pytest.raises(HttpError) as error:
        query(yt_analytics, network, ids, "estimatedRevenue", currency="XYZ")
    assert error.value.resp.status == 400


def test_a_channel_that_is_not_monetised_answers_403_like_google(yt_analytics, network):
    ids = [*network.channel_groups["Pixel Post"], *northwind(network)]
    with pytest.raises(HttpError) as error:
        query(yt_analytics, network, ids, "estimatedRevenue", dimensions="channel")
    assert error.value.resp.status == 403
    body = json.loads(error.value.content)["error"]
    assert body["message"] == "Forbidden"
    assert body["errors"][0]["reason"] == "forbidden"
    # The same channel's views are fine: only money is refused.
    assert query(yt_analytics, network, northwind(network), "views")["rows"][0][0] > 0


def test_revenue_does_not_split_by_traffic_source_or_device(yt_analytics, network):
    ids = network.channel_groups["Pixel Post"]
    for dimension in ("deviceType", "insightTrafficSourceType", "creatorContentType"):
        with pytest.raises(HttpError) as error:
            query(yt_analytics, network, ids, "estimatedRevenue", dimensions=dimension)
        assert error.value.resp.status == 400
        assert "The query is not supported." in error.value.content.decode()


# ------------------------------------------------------------ yt-revenue


def test_yt_revenue_rolls_up_channel_ids_and_rebuilds_cpm_from_parts(config, network):
    result = build_report("yt-revenue", selection(config, network))
    table = result.table.set_index("channel")
    now, before = group_sums(network, config, *OCTOBER), group_sums(network, config, *SEPTEMBER)
    assert sorted(table.index) == sorted(now.index)  # Northwind refused, the rest all there
    assert list(result.table["channel"]) == list(
        now["estimatedRevenue"].sort_values(ascending=False).index
    )
    for group, row in now.iterrows():
        for column, part in COLUMNS.items():
            assert table.loc[group, column] == pytest.approx(row[part], abs=0.01)
            assert table.loc[group, f"{column}_prev"] == pytest.approx(
                before.loc[group, part], abs=0.01
            )
        assert table.loc[group, "cpm"] == pytest.approx(
            1000 * row["grossRevenue"] / row["adImpressions"]
        )
        assert table.loc[group, "playback_based_cpm"] == pytest.approx(
            1000 * row["grossRevenue"] / row["monetizedPlaybacks"]
        )
        assert table.loc[group, "cpm_prev"] == pytest.approx(
            1000 * before.loc[group, "grossRevenue"] / before.loc[group, "adImpressions"]
        )
    # Gear Haven has three channels of quite different CPMs: the mean of theirs is not it.
    ids = network.channel_groups["Gear Haven"]
    per_channel = (
        network.yt_facts(ids, *OCTOBER).groupby("channel")[["grossRevenue", "adImpressions"]].sum()
    )
    averaged = (1000 * per_channel["grossRevenue"] / per_channel["adImpressions"]).mean()
    assert len(ids) == 3
    assert abs(table.loc["Gear Haven", "cpm"] - averaged) > 0.2
    assert set(table["currency"]) == {"USD"}


def test_a_group_that_is_not_monetised_is_one_named_line_and_nothing_else_changes(config, network):
    chosen = selection(config, network)
    revenue = build_report("yt-revenue", chosen)
    assert list(revenue.failures) == ["Channel group Northwind"]
    (line,) = revenue.failures.values()
    assert "\n" not in line and "not monetised" in line and "HTTP 403: Forbidden" in line
    assert set(revenue.table["complete"]) == {"false"}
    # Every other report of the same selection still has Northwind, and nothing failed.
    channels = build_report("yt-channels", chosen)
    assert not channels.failures and "Northwind" in set(channels.table["channel"])
    views = network.yt_facts(northwind(network), *OCTOBER)["views"].sum()
    assert channels.table.set_index("channel").loc["Northwind", "views"] == views


def test_a_sign_in_without_the_monetary_scope_says_to_sign_in_again(
    config, network, clean_emulator
):
    clean_emulator.add_fault(
        "yt_scope", endpoint="yt.reports.query", match="estimatedRevenue", times=100
    )
    chosen = selection(config, network, ("previous", "yoy"))
    revenue = build_report("yt-revenue", chosen)
    (source,) = revenue.failures
    assert source.startswith("Channel groups ")  # the sign-in, not one group
    line = revenue.failures[source]
    assert "\n" not in line and line.count("monetary scope") == 1
    assert "re-run `python -m statsdash auth youtube --config" in line
    assert revenue.table.empty
    stats = build_report("yt-stats", chosen)
    assert not stats.failures and len(stats.table) == len(config.youtube.channels)


def test_currency_is_asked_of_youtube_and_named_in_the_table(config, network):
    euros = dataclasses.replace(config, youtube=dataclasses.replace(config.youtube, currency="EUR"))
    table = build_report("yt-revenue", selection(euros, network, ())).table.set_index("channel")
    usd = group_sums(network, config, *OCTOBER)
    assert set(table["currency"]) == {"EUR"}
    for group, row in usd.iterrows():
        assert table.loc[group, "estimated_revenue"] == pytest.approx(
            row["estimatedRevenue"] * RATES["EUR"], abs=0.02
        )


def test_without_revenue_nothing_of_it_is_asked_and_the_export_says_how(
    config, network, clean_emulator, tmp_path, capsys
):
    off = dataclasses.replace(config, youtube=dataclasses.replace(config.youtube, revenue=False))
    assert "yt-revenue" not in available_reports(off)
    from statsdash.reports import prefetch

    prefetch(selection(off, network))
    build_report("yt-channels", selection(off, network))
    asked = [r for r in clean_emulator.requests()["log"] if r["endpoint"] == "yt.reports.query"]
    assert asked and not any("Revenue" in json.dumps(r) for r in clean_emulator.requests()["log"])

    data = yaml.safe_load(DEMO_CONFIG.read_text())
    data["youtube"]["endpoint"] = data["google_analytics"]["endpoint"] = "http://127.0.0.1:9"
    data["youtube"]["revenue"] = False
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    assert main(["export", "yt-revenue", "--config", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err == (
        f"statsdash: yt-revenue is off: set `youtube: {{revenue: true}}` in {path}, then re-run "
        "`python -m statsdash auth youtube` to grant the monetary scope"
    )


def test_export_yt_revenue_writes_its_columns(emulator, network, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("STATSDASH_TODAY", network.today.isoformat())
    data = yaml.safe_load(DEMO_CONFIG.read_text())
    data["youtube"]["endpoint"] = data["google_analytics"]["endpoint"] = emulator.url
    data["cache"] = {"enabled": False}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    code = main(
        [
            "export",
            "yt-revenue",
            "--config",
            str(path),
            "--start",
            "2026-10-01",
            "--end",
            "2026-10-31",
        ]
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == [
        "channel", "estimated_revenue", "estimated_ad_revenue", "cpm", "monetized_playbacks",
        "playback_based_cpm", "gross_revenue", "ad_impressions", "currency",
        "complete", "days_compared", "complete_through",
    ]  # fmt: skip
    assert len(rows) == 1 + len(data["youtube"]["channels"])
    assert {r[-3] for r in rows[1:]} == {"true"}


# ------------------------------------------------------------ sign-in and config


def youtube_section(tmp_path, **extra) -> dict:
    secrets = {
        "installed": {
            "client_id": "demo-client.apps.googleusercontent.com",
            "client_secret": "demo-secret",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "http://127.0.0.1:9/token",
            "redirect_uris": ["http://localhost"],
        }
    }
    (tmp_path / "client_secret.json").write_text(json.dumps(secrets))
    return {
        "credentials": "token.json",
        "client_secrets": "client_secret.json",
        "channels": {"Demo": ["UC" + "a" * 22]},
        **extra,
    }


def parse(tmp_path, **extra):
    data = {"youtube": youtube_section(tmp_path, **extra)}
    return parse_config(data, source="config.yaml", base_dir=tmp_path, check_files=False)


@pytest.mark.parametrize("revenue", [True, False])
def test_auth_asks_for_the_monetary_scope_only_with_revenue(tmp_path, revenue):
    flow = _flow(parse(tmp_path, revenue=revenue))
    flow.redirect_uri = "http://localhost"
    url, _ = flow.authorization_url(access_type="offline", prompt="consent")
    asked = set(parse_qs(urlparse(url).query)["scope"][0].split())
    assert asked == set(SCOPES) | ({MONETARY_SCOPE} if revenue else set())
    assert MONETARY_SCOPE == "https://www.googleapis.com/auth/yt-analytics-monetary.readonly"


def test_revenue_is_off_and_in_dollars_by_default(tmp_path):
    youtube = parse(tmp_path).youtube
    assert (youtube.revenue, youtube.currency) == (False, "USD")
    assert parse(tmp_path, revenue=True, currency="GBP").youtube.currency == "GBP"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"revenue": "yes please"},
            "config.yaml: youtube.revenue: must be true or false; found text",
        ),
        (
            {"revenue": True, "currency": "usd"},
            "config.yaml: youtube.currency: must be a three-letter ISO 4217 code like USD or "
            'EUR; found "usd"',
        ),
    ],
)
def test_bad_revenue_settings_are_one_line(tmp_path, extra, message):
    with pytest.raises(ConfigError) as error:
        parse(tmp_path, **extra)
    assert str(error.value) == message


# ------------------------------------------------------------ the page


def test_youtube_channels_shows_revenue_from_the_raw_facts(network, monkeypatch):
    monkeypatch.setenv("STATSDASH_DEMO", "1")
    monkeypatch.setenv("STATSDASH_TODAY", network.today.isoformat())
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.query_params.update({"period": "custom", "start": "2026-10-01", "end": "2026-10-31"})
    at.run()
    at.switch_page("pages/youtube_channels.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert "Revenue (USD)" in [h.value for h in at.subheader]
    shown = table_with(at, "estimated_revenue")
    demo = load_config(DEMO_CONFIG, check_files=False)
    want = group_sums(network, demo, *OCTOBER)
    assert dict(zip(shown["channel"], shown["estimated_revenue"], strict=True)) == pytest.approx(
        want["estimatedRevenue"].to_dict(), abs=0.01
    )


def channels_page(path: Path, monkeypatch, network) -> AppTest:
    """YouTube Channels of the app run with the config file at `path` (its own, not the demo's:
    the process keeps one config, so it is taken for this run and dropped afterwards)."""
    import streamlit as st

    from statsdash.ui.session import load_app_config

    monkeypatch.delenv("STATSDASH_DEMO", raising=False)
    monkeypatch.setenv("STATSDASH_CONFIG", str(path))
    monkeypatch.setenv("STATSDASH_TODAY", network.today.isoformat())
    load_app_config.clear()
    st.cache_data.clear()
    try:
        at = AppTest.from_file(str(APP), default_timeout=180)
        at.query_params.update({"period": "custom", "start": "2026-10-01", "end": "2026-10-31"})
        at.run()
        at.switch_page("pages/youtube_channels.py").run()
    finally:
        load_app_config.clear()
        st.cache_data.clear()
    assert not at.exception, [e.message for e in at.exception]
    return at


def app_config(emulator, network, tmp_path, revenue: bool) -> Path:
    data = yaml.safe_load(DEMO_CONFIG.read_text())
    data["youtube"]["endpoint"] = data["google_analytics"]["endpoint"] = emulator.url
    data["youtube"]["revenue"] = revenue
    data["youtube"]["channels"]["Northwind"] = northwind(network)
    data["cache"] = {"enabled": False}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_group_without_revenue_is_one_line_on_the_page(emulator, network, tmp_path, monkeypatch):
    at = channels_page(app_config(emulator, network, tmp_path, True), monkeypatch, network)
    said = [w.value for w in [*at.warning, *at.error]]
    assert sum("Northwind" in text and "not monetised" in text for text in said) == 1, said
    groups = table_with(at, "subscribers")
    assert "Northwind" in set(groups["channel"])  # its other figures are all there
    revenue = table_with(at, "estimated_revenue")
    assert "Northwind" not in set(revenue["channel"])


def test_without_revenue_the_page_has_no_revenue_section(
    emulator, network, tmp_path, monkeypatch, clean_emulator
):
    at = channels_page(app_config(emulator, network, tmp_path, False), monkeypatch, network)
    assert not any("Revenue" in h.value for h in at.subheader)
    assert table_with(at, "estimated_revenue") is None
    assert table_with(at, "subscribers") is not None
    assert not any("Revenue" in r["key"] for r in clean_emulator.requests()["log"])
    assert clean_emulator.requests()["by_endpoint"]["yt.reports.query"] > 0

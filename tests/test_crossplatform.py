"""Brands and daily reports from the services' own tables (stand-in tables, no API)."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from statsdash import crossplatform
from statsdash.config import parse_config
from statsdash.periods import Period, comparison_periods, like_for_like
from statsdash.reports import Selection
from statsdash.utilities import to_csv

CONFIG = parse_config(
    {
        "network_name": "Test Network",
        "google_analytics": {
            "credentials": "none",
            "endpoint": "http://127.0.0.1:9",
            "sites": {"a.example": ["111"], "b.example": ["222"], "c.example": ["333"]},
        },
        "youtube": {
            "credentials": "none",
            "endpoint": "http://127.0.0.1:9",
            "channels": {
                "Alpha": ["UC" + "a" * 22],
                "Beta": ["UC" + "b" * 22],
            },
        },
        "brands": {"Alpha brand": {"sites": ["a.example"], "channels": ["Alpha"]}},
    }
)
PERIOD = Period("custom", date(2026, 10, 1), date(2026, 10, 31))


class FakeData:
    def __init__(self, tables, failures=None, notes=()):
        self.tables = tables
        self.failures = dict(failures or {})
        self.notes = list(notes)

    def compared(self):
        """A closed range: every day in, nothing cut."""
        return like_for_like(PERIOD, comparison_periods(PERIOD, ("previous",)), None)

    def __getattr__(self, name):
        if name in self.__dict__.get("tables", {}):
            return lambda: self.tables[name].copy()
        raise AttributeError(name)


SITES = pd.DataFrame(
    {
        "site": ["a.example", "b.example", "c.example"],
        "pageviews": [600, 300, 100],
        "pageviews_prev": [500, 300, 0],
        "pageviews_prev_change": [100, 0, 100],
        "pageviews_prev_pct": [20.0, 0.0, np.nan],
        "users": [60, 30, 10],
        "users_prev": [50, 30, 0],
        "users_prev_change": [10, 0, 10],
        "users_prev_pct": [20.0, 0.0, np.nan],
    }
)
CHANNELS = pd.DataFrame(
    {
        "channel": ["Alpha", "Beta"],
        "views": [900, 100],
        "views_prev": [1000, np.nan],
        "views_prev_change": [-100, np.nan],
        "views_prev_pct": [-10.0, np.nan],
        "watch_minutes": [5000, 200],
        "watch_minutes_prev": [4000, np.nan],
        "watch_minutes_prev_change": [1000, np.nan],
        "watch_minutes_prev_pct": [25.0, np.nan],
    }
)


@pytest.fixture
def services(monkeypatch):
    fakes = {
        "ga": FakeData({"site_summary_table": SITES}, notes=["GA note"]),
        "youtube": FakeData(
            {"channel_summary_table": CHANNELS}, failures={"Channel group Beta": "HTTP 500"}
        ),
    }
    monkeypatch.setattr(crossplatform, "service_data", lambda service, sel: fakes[service])
    return fakes


def selection(**kwargs):
    return Selection(CONFIG, PERIOD, ("previous",), **kwargs)


def test_brands_pair_sites_with_channel_groups_and_add_up(services):
    result = crossplatform.brands_report(selection())
    table = result.table
    assert table["brand"].tolist() == ["Alpha brand", "b.example", "c.example", "Beta"]
    assert table.columns[:5].tolist() == [
        "brand",
        "web_pageviews",
        "web_pageviews_prev",
        "web_pageviews_prev_change",
        "web_pageviews_prev_pct",
    ]
    assert table.columns[-6:-4].tolist() == ["web_pageviews_share_pct", "yt_views_share_pct"]
    assert table.columns[-4:].tolist() == [  # issue 8: each service's compared days, last
        "web_days_compared", "web_complete_through", "yt_days_compared", "yt_complete_through",
    ]  # fmt: skip
    assert set(table["web_days_compared"]) == {31} and set(table["yt_complete_through"]) == {
        "2026-10-31"
    }
    alpha = table.iloc[0]
    assert (alpha["web_pageviews"], alpha["yt_views"], alpha["yt_watch_minutes"]) == (
        600,
        900,
        5000,
    )
    assert alpha["web_pageviews_share_pct"] == 60.0
    assert alpha["yt_views_share_pct"] == 90.0
    assert table["web_pageviews"].sum() == SITES["pageviews"].sum()
    assert table["yt_views"].sum() == CHANNELS["views"].sum()


def test_brands_comparisons_follow_the_contract(services):
    table = crossplatform.brands_report(selection()).table.set_index("brand")
    assert table.loc["Alpha brand", "web_pageviews_prev"] == 500
    assert table.loc["Alpha brand", "web_pageviews_prev_pct"] == 20.0
    assert np.isnan(table.loc["c.example", "web_pageviews_prev_pct"])  # base 0: empty, never 0
    # Beta's previous YouTube figures are unknown (failed): comparison stays empty.
    assert pd.isna(table.loc["Beta", "yt_views_prev"])
    assert pd.isna(table.loc["Beta", "yt_views_prev_pct"])


def test_brands_carry_failures_and_notes(services):
    result = crossplatform.brands_report(selection())
    assert result.failures == {"Channel group Beta": "HTTP 500"}
    assert result.notes == ["GA note"]


def test_brands_follow_the_selection(services):
    table = crossplatform.brands_report(selection(sites=("a.example",), channels=("Alpha",))).table
    assert table["brand"].tolist() == ["Alpha brand"]


def test_brands_csv_writes_counts_as_integers(services):
    text = to_csv(crossplatform.brands_report(selection()).table)
    assert "\r\nAlpha brand,600,500,100,20.0,60,50,10,20.0,900,1000,-100,-10.0," in text


def test_daily_is_long_and_sorted(monkeypatch):
    ga = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-10-02", "2026-10-01"]),
            "site": ["a.example", "a.example"],
            "pageviews": [20, 10],
            "users": [2, 1],
        }
    )
    yt = pd.DataFrame({"date": pd.to_datetime(["2026-10-01"]), "channel": ["Alpha"], "views": [7]})
    fakes = {"ga": FakeData({"daily_series": ga}), "youtube": FakeData({"daily_series": yt})}
    monkeypatch.setattr(crossplatform, "service_data", lambda service, sel: fakes[service])
    table = crossplatform.daily_report(selection()).table
    assert table.columns.tolist() == ["date", "service", "entity", "metric", "value"]
    assert table.values.tolist() == [
        ["2026-10-01", "ga", "a.example", "pageviews", 10],
        ["2026-10-01", "ga", "a.example", "users", 1],
        ["2026-10-01", "youtube", "Alpha", "views", 7],
        ["2026-10-02", "ga", "a.example", "pageviews", 20],
        ["2026-10-02", "ga", "a.example", "users", 2],
    ]
    assert to_csv(table).splitlines()[1] == "2026-10-01,ga,a.example,pageviews,10"


def test_a_brand_without_a_selected_site_has_no_web_figures_not_zero(services):
    table = crossplatform.brands_report(selection(sites=("b.example",))).table.set_index("brand")
    assert table.index.tolist() == ["Alpha brand", "b.example", "Beta"]
    # Alpha brand is listed for its channel group; its site is not in the selection.
    assert pd.isna(table.loc["Alpha brand", "web_pageviews"])
    assert pd.isna(table.loc["Alpha brand", "web_pageviews_share_pct"])
    assert table.loc["Alpha brand", "yt_views"] == 900
    assert pd.isna(table.loc["b.example", "yt_views"])
    assert "\r\nAlpha brand,,,,," in to_csv(table.reset_index())


def test_daily_for_one_platform_never_asks_the_other(monkeypatch):
    ga = pd.DataFrame(
        {"date": pd.to_datetime(["2026-10-01"]), "site": ["a.example"], "pageviews": [10]}
    )
    asked = []

    def data(service, sel):
        asked.append(service)
        return FakeData({"daily_series": ga}, failures={"x": "y"} if service != "ga" else None)

    monkeypatch.setattr(crossplatform, "service_data", data)
    result = crossplatform.daily_report(selection(), services=("ga",))
    assert asked == ["ga"]
    assert result.failures == {}
    assert result.table["service"].unique().tolist() == ["ga"]

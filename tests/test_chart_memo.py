"""Charts built once per data (statsdash.ui.chart_memo): equal data gives the chart already
built, and the spec Streamlit draws from it is the one a fresh chart gives; other data, or
a call outside Streamlit's converter, builds anew."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from statsdash.ui import charts, insight_charts
from statsdash.ui.chart_memo import csv_of
from statsdash.utilities import to_csv


def daily(start=date(2026, 10, 5), bump=0) -> pd.DataFrame:
    days = [start + timedelta(days=i) for i in range(14)]
    return pd.DataFrame(
        {
            "date": days * 2,
            "series": ["a.example"] * 14 + ["b.example"] * 14,
            "value": [100 + i + bump for i in range(28)],
            "provisional": [i % 14 >= 12 for i in range(28)],
        }
    )


def drawn(chart) -> str:
    """The spec as Streamlit sends it (datasets as Arrow bytes, named by their content)."""
    spec = _convert_altair_to_vega_lite_spec(chart)
    return json.dumps(spec, sort_keys=True, default=lambda b: b.hex())


def test_equal_data_draws_the_chart_already_built_with_the_same_spec():
    colors = {"a.example": "#111111", "b.example": "#222222"}
    first = charts.time_series(daily(), "day", "Pageviews", colors)
    again = charts.time_series(daily(), "day", "Pageviews", dict(colors))  # equal, not same
    assert again is first
    fresh = charts.time_series.__wrapped__(daily(), "day", "Pageviews", colors)
    assert drawn(first) == drawn(fresh)
    assert drawn(again) == drawn(fresh)  # the remembered spec, not one emptied by a draw


def test_other_data_or_arguments_build_another_chart():
    base = charts.time_series(daily(), "day", "Pageviews")
    assert charts.time_series(daily(bump=1), "day", "Pageviews") is not base
    assert charts.time_series(daily(), "week", "Pageviews") is not base
    assert charts.time_series(daily(), "day", "Views") is not base
    assert drawn(charts.time_series(daily(bump=1), "day", "Pageviews")) != drawn(base)


def test_a_remembered_chart_inside_another_is_keyed_by_its_data():
    points = pd.DataFrame(
        {"date": [date(2026, 10, 9)], "series": ["a.example"], "value": [109.0],
         "expected": ["about 100"], "kind": ["high"]}
    )  # fmt: skip
    ring = insight_charts.flag_layer(points)
    assert insight_charts.flag_layer(points.copy()) is ring
    chart = charts.time_series(daily(), "day", "Pageviews", extra=ring)
    assert charts.time_series(daily(), "day", "Pageviews", extra=ring) is chart
    assert charts.time_series(daily(), "day", "Pageviews") is not chart


def test_outside_streamlit_to_dict_is_altairs_own():
    chart = charts.time_series(daily(), "day", "Pageviews")
    spec = chart.to_dict()  # the default transformer: rows inline, as Altair gives them
    rows = [r for values in spec["datasets"].values() for r in values]
    assert {r["series"] for r in rows} == {"a.example", "b.example"}


def test_a_download_is_the_export_csv_made_once_per_table():
    table = pd.DataFrame(
        {"site": ["=cmd", "a.example"], "pageviews": [10, 20], "rate": [0.5, 1 / 3]}
    )
    first = csv_of(table)
    assert first == to_csv(table)
    assert csv_of(table.copy()) is first
    changed = table.assign(pageviews=[10, 21])
    assert csv_of(changed) == to_csv(changed) != first

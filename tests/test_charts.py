"""Charts as Vega-Lite specs: bucketing, dashed provisional stretches, labelled scales."""

from datetime import date, timedelta

import pandas as pd
import pytest

from statsdash.ui import charts


def daily(days=14, start=date(2026, 10, 5), provisional_last=2, series=("a.example",)):
    rows = []
    for name in series:
        for i in range(days):
            rows.append(
                {
                    "date": start + timedelta(days=i),
                    "series": name,
                    "value": 100 + i,
                    "provisional": i >= days - provisional_last,
                }
            )
    return pd.DataFrame(rows)


def datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def test_weeks_start_monday_and_partial_weeks_are_provisional():
    # Wed 7 Oct .. Tue 20 Oct 2026: a partial first week, one full week, a partial last week.
    frame = charts.to_buckets(daily(14, date(2026, 10, 7), provisional_last=0), "week")
    assert [d.date() for d in frame["date"]] == [
        date(2026, 10, 5),
        date(2026, 10, 12),
        date(2026, 10, 19),
    ]
    assert frame["days"].tolist() == [5, 7, 2]
    assert frame["provisional"].tolist() == [True, False, True]
    assert frame["value"].sum() == sum(100 + i for i in range(14))


def test_months_sum_days_and_know_their_length():
    frame = charts.to_buckets(daily(61, date(2026, 9, 1), provisional_last=0), "month")
    assert frame["days"].tolist() == [30, 31]
    assert frame["provisional"].tolist() == [False, False]


def test_provisional_days_are_drawn_dashed_and_joined_to_the_line():
    spec = charts.time_series(daily(10, provisional_last=2), "day", "Pageviews").to_dict()
    rows = datasets(spec)[0]
    dashed = [r for r in rows if r["segment"] == charts.PROVISIONAL]
    solid = [r for r in rows if r["segment"] == charts.COMPLETE]
    assert len(solid) == 8
    assert len(dashed) == 3  # the two provisional days plus the last complete one
    line = spec["layer"][0]
    assert line["mark"]["type"] == "line"
    assert line["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [5, 4]]
    assert line["encoding"]["y"]["title"] == "Pageviews"


def test_web_vs_youtube_indexed_starts_at_100_and_keeps_actuals():
    frame = pd.concat(
        [
            daily(7, provisional_last=0, series=("Web pageviews",)),
            daily(7, provisional_last=0, series=("YouTube views",)).assign(
                value=lambda d: d["value"] * 10
            ),
        ]
    )
    spec = charts.web_vs_youtube(frame, "day", mode="indexed").to_dict()
    rows = [r for data in datasets(spec) for r in data if "series" in r]
    first = [r for r in rows if r["date"].startswith("2026-10-05")]
    assert {r["value"] for r in first} == {100.0}
    assert {r["actual"] for r in first} == {100, 1000}
    assert "Index (first day = 100)" in str(spec)


def test_web_vs_youtube_two_axes_are_independent_and_named():
    frame = pd.concat([daily(7, series=("Web pageviews",)), daily(7, series=("YouTube views",))])
    spec = charts.web_vs_youtube(frame, "week", mode="dual").to_dict()
    assert spec["resolve"]["scale"]["y"] == "independent"
    titles = [layer["layer"][0]["encoding"]["y"]["title"] for layer in spec["layer"]]
    assert titles == ["Web pageviews", "YouTube views"]


@pytest.mark.parametrize("mode", ["indexed", "dual"])
def test_overview_charts_are_drawn_on_a_canvas(mode):
    frame = pd.concat([daily(7, series=("Web pageviews",)), daily(7, series=("YouTube views",))])
    shares = pd.DataFrame(
        {"country": ["Germany"] * 2, "platform": ["Web", "YouTube"], "share": [1.0] * 2}
    ).assign(value=1)
    for chart in (charts.web_vs_youtube(frame, "day", mode=mode), charts.platform_shares(shares)):
        spec = chart.to_dict()
        assert spec["usermeta"]["embedOptions"]["renderer"] == "canvas"
        assert spec["config"]["mark"]["aria"] is False


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_empty_series_still_make_a_chart(grain):
    empty = pd.DataFrame(columns=["date", "series", "value", "provisional"])
    assert charts.time_series(empty, grain, "Views").to_dict()["layer"]


def test_platform_shares_order_countries_by_web_share():
    frame = pd.DataFrame(
        {
            "country": ["Germany", "United Kingdom", "Germany", "United Kingdom"],
            "platform": ["Web", "Web", "YouTube", "YouTube"],
            "share": [10.0, 60.0, 30.0, 40.0],
            "value": [10, 60, 30, 40],
        }
    )
    spec = charts.platform_shares(frame).to_dict()
    assert spec["encoding"]["y"]["sort"] == ["United Kingdom", "Germany"]
    assert spec["encoding"]["yOffset"]["field"] == "platform"


def test_stacked_share_normalises():
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2026-09-01", "2026-09-01", "2026-10-01"]),
            "device_category": ["mobile", "desktop", "mobile"],
            "users": [60, 40, 100],
        }
    )
    spec = charts.stacked_share(frame, "month", "device_category", "users", "Device").to_dict()
    assert spec["encoding"]["y"]["stack"] == "normalize"


@pytest.mark.parametrize(("days", "ticks"), [(5, 5), (31, 8), (90, 10)])
def test_date_ticks_sit_on_buckets_and_stay_few(days, ticks):
    spec = charts.time_series(daily(days, provisional_last=0), "day", "Views").to_dict()
    values = spec["layer"][0]["encoding"]["x"]["axis"]["values"]
    assert len(values) == ticks
    assert values[0] == {"year": 2026, "month": 10, "date": 5}


@pytest.mark.parametrize("mode", ["indexed", "dual"])
def test_web_vs_youtube_without_data_is_an_empty_chart(mode):
    empty = pd.DataFrame(columns=["date", "series", "value", "provisional"])
    assert charts.web_vs_youtube(empty, "day", mode).to_dict()["layer"]


def test_cut_buckets_say_how_many_days_they_have():
    from statsdash.ui.charts import to_buckets

    days = pd.date_range("2026-11-30", "2026-12-02")  # Mon-Wed: a week cut by the period
    daily = pd.DataFrame({"date": days, "series": "a", "value": 1.0, "provisional": False})
    [week] = to_buckets(daily, "week").to_dict("records")
    assert week["provisional"] and week["coverage"] == "3 of 7 days"
    [month] = to_buckets(daily.iloc[1:], "month").to_dict("records")  # 1-2 Dec
    assert month["coverage"] == "2 of 31 days"


def test_each_entity_keeps_its_colour_and_rest_of_world_comes_last():
    from statsdash.config import load_config
    from statsdash.demo import DEMO_CONFIG
    from statsdash.ui.charts import PALETTE, REST_OF_WORLD, _order, entity_colors

    config = load_config(DEMO_CONFIG, check_files=False)
    colors = entity_colors(config)
    sites = list(config.google_analytics.sites)
    assert [colors[s] for s in sites] == PALETTE[: len(sites)]  # config order, every page
    frame = pd.DataFrame({"c": ["UK", REST_OF_WORLD, "US"], "share": [30.0, 50.0, 20.0]})
    assert _order(frame, "c", "share") == ["UK", "US", REST_OF_WORLD]


def _colour_of(spec: dict) -> dict[str, str]:
    """Name -> colour from a chart's colour scale, wherever in the layers it is."""
    found: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            scale = node.get("scale") if node.get("field") in ("series", "site") else None
            if isinstance(scale, dict) and "domain" in scale:
                found.update(zip(scale["domain"], scale["range"], strict=True))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def test_25_sites_get_25_colours_and_keep_them_from_chart_to_chart():
    from types import SimpleNamespace

    sites = [f"site{i:02d}.example" for i in range(25)]
    config = SimpleNamespace(
        brands={},
        google_analytics=SimpleNamespace(sites=dict.fromkeys(sites)),
        youtube=SimpleNamespace(channels=dict.fromkeys(f"Group {i}" for i in range(25))),
    )
    colors = charts.entity_colors(config)
    assert len({colors[s] for s in sites}) == 25  # none repeats past the tenth
    assert len({colors[f"Group {i}"] for i in range(25)}) == 25
    assert len(set(charts.distinct_colors(2000))) == 2000
    # The Summary's lines over time draw every site; Content's top articles only some, in
    # another order: each site has the same colour in both.
    over_time = charts.time_series(daily(series=tuple(sites)), "day", "Pageviews", colors)
    top = pd.DataFrame(
        {"title": ["a", "b", "c"], "pageviews": [9, 5, 1], "site": [sites[24], sites[3], sites[12]]}
    )
    bars = charts.ranked_bars(top, "title", "pageviews", "Title", "Pageviews", "site", colors)
    lines, tops = _colour_of(over_time.to_dict()), _colour_of(bars.to_dict())
    assert set(lines) == set(sites) and set(tops) == {sites[24], sites[3], sites[12]}
    assert all(tops[name] == lines[name] == colors[name] for name in tops)


def test_bars_coloured_by_their_own_label_have_no_legend():
    """Revenue's bars are the channel groups themselves: a legend only repeated the axis."""
    frame = pd.DataFrame({"channel": ["A", "B"], "estimated_revenue": [9.0, 5.0]})
    colors = {"A": "#111111", "B": "#222222"}
    own = charts.ranked_bars(
        frame, "channel", "estimated_revenue", "Group", "Revenue", "channel", colors
    )
    assert own.to_dict()["encoding"]["color"]["legend"] is None
    top = frame.rename(columns={"channel": "title"}).assign(site=["A", "B"])
    other = charts.ranked_bars(
        top, "title", "estimated_revenue", "Title", "Revenue", "site", colors
    )
    assert other.to_dict()["encoding"]["color"]["legend"]["orient"] == "top"


def test_stacked_bars_keep_one_order_of_parts_on_every_bar():
    """Ordered per bar by its own shares, Quill and Ink's bar began with Shorts and the
    others' with Long-form: the parts now stand in one order, largest overall first."""
    frame = pd.DataFrame(
        {
            "group": ["A", "A", "A", "B", "B", "B"],
            "format": ["Long-form", "Shorts", "Live", "Long-form", "Shorts", "Live"],
            "share": [60.0, 30.0, 10.0, 20.0, 70.0, 10.0],
        }
    )
    spec = charts.stacked_bars(frame, "group", "format", "share", "Format").to_dict()
    (rows,) = datasets(spec)
    encoding = spec.get("encoding") or spec["layer"][0]["encoding"]
    order_field = encoding["order"]["field"]
    assert encoding["color"]["sort"] == ["Shorts", "Long-form", "Live"]  # 100 > 80 > 20
    for group in ("A", "B"):
        parts = sorted((r for r in rows if r["group"] == group), key=lambda r: r[order_field])
        assert [r["format"] for r in parts] == ["Shorts", "Long-form", "Live"]


def test_a_chart_of_nothing_or_of_provisional_days_only_has_no_figures():
    from statsdash.ui.render import has_figures

    assert has_figures(daily(3, provisional_last=1), "value")
    assert not has_figures(daily(3, provisional_last=3), "value")  # the 1st: only today's hours
    assert not has_figures(daily(0), "value")
    assert not has_figures(None, "value")
    bars = pd.DataFrame({"channel": ["A", "B"], "estimated_revenue": [float("nan")] * 2})
    assert not has_figures(bars, "estimated_revenue")  # rows, but no day to sum
    assert has_figures(bars.assign(estimated_revenue=[0.0, float("nan")]), "estimated_revenue")


def test_stacked_bars_give_each_part_its_colour_whatever_its_rank():
    """Coloured by rank, Shorts feed and External swapped colours from one day to the next
    on YouTube audience: a part's colour now follows the list of every value it can take."""
    known = ("Browse features", "Suggested videos", "Shorts feed", "External")

    def colour_of(shares: list[float]) -> dict[str, str]:
        frame = pd.DataFrame(
            {"group": ["A", "A"], "source": ["Shorts feed", "External"], "share": shares}
        )
        spec = charts.stacked_bars(frame, "group", "source", "share", "Source", known).to_dict()
        encoding = spec.get("encoding") or spec["layer"][0]["encoding"]
        scale = encoding["color"]["scale"]
        return dict(zip(scale["domain"], scale["range"], strict=True))

    monday, wednesday = colour_of([70.0, 30.0]), colour_of([30.0, 70.0])
    assert monday == wednesday
    assert monday["Shorts feed"] != monday["External"]
    assert monday["Shorts feed"] == charts.PALETTE[2]  # its place among the known values
    # A value outside the list still gets a colour no known value has.
    frame = pd.DataFrame({"group": ["A", "A"], "source": ["Browse features", "Teleport"]})
    spec = charts.stacked_bars(
        frame.assign(share=[50.0, 50.0]), "group", "source", "share", "Source", known
    ).to_dict()
    encoding = spec.get("encoding") or spec["layer"][0]["encoding"]
    scale = encoding["color"]["scale"]
    assert sorted(scale["domain"]) == ["Browse features", "Teleport"]
    teleport = dict(zip(scale["domain"], scale["range"], strict=True))["Teleport"]
    assert teleport not in charts.PALETTE[:4]
    # The legend lists the parts as the bars stack them: largest first.
    frame = pd.DataFrame({"group": ["A", "A"], "source": ["Browse features", "External"]})
    spec = charts.stacked_bars(
        frame.assign(share=[20.0, 80.0]), "group", "source", "share", "Source", known
    ).to_dict()
    encoding = spec.get("encoding") or spec["layer"][0]["encoding"]
    assert encoding["color"]["scale"]["domain"] == ["External", "Browse features"]

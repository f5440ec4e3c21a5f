"""The app's charts: functions from tidy DataFrames to `alt.Chart`s on one shared look.

Time series take long frames `date, series, value, provisional` (one row per day and line).
Days whose data is still arriving, and weeks or months the period only partly covers, are
drawn dashed so a reader never mistakes them for a drop.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from statsdash.ui.chart_memo import memo_chart

WEB_COLOR = "#1f6feb"  # the app's primary colour: web
YT_COLOR = "#d1242f"  # YouTube red
# Sites, channel groups, devices...: Vega's tableau10 first (the colours people know), then
# tableau20's lighter partners and category20b's darker tones, so that a network of 30
# sites still gives each its own colour; past that, colours are generated (extra_color).
PALETTE = [
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#b279a2",
    "#eeca3b",
    "#72b7b2",
    "#9d755d",
    "#ff9da6",
    "#bab0ac",
    "#e45756",
    "#393b79",
    "#9ecae9",
    "#ffbf79",
    "#637939",
    "#88d27a",
    "#843c39",
    "#d6a5c9",
    "#b79a20",
    "#439894",
    "#7b4173",
    "#fcbfd2",
    "#79706e",
    "#5254a3",
    "#8ca252",
    "#d8b5a5",
    "#ad494a",
    "#83bcb6",
    "#bd9e39",
    "#a55194",
    "#f2cf5b",
]


REST_OF_WORLD = "Rest of world"  # always the last bar, as it is the last row of tables


def extra_color(n: int) -> str:
    """The n-th colour past PALETTE: hues a golden angle apart, in three lightness bands."""
    hue = (n * 0.381966) % 1.0
    light = (0.38, 0.52, 0.66)[n % 3]
    sat = 0.55 + 0.3 * ((n // 3) % 2)
    red, green, blue = colorsys.hls_to_rgb(hue, light, sat)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def distinct_colors(count: int) -> list[str]:
    """`count` different colours: PALETTE, then generated ones (skipping any repeat)."""
    colors = list(dict.fromkeys(PALETTE))[:count]
    seen, n = set(colors), 0
    while len(colors) < count:
        color = extra_color(n)
        n += 1
        if color not in seen:
            seen.add(color)
            colors.append(color)
    return colors


def entity_colors(config) -> dict[str, str]:
    """Name -> colour for every brand, site and channel group: each keeps its colour on every
    page and chart, by its place in config.yaml (a chart shows one kind at a time)."""
    colors: dict[str, str] = {}
    kinds = [
        list(config.brands),
        list(config.google_analytics.sites) if config.google_analytics else [],
        list(config.youtube.channels) if config.youtube else [],
    ]
    for names in kinds:
        for name, color in zip(names, distinct_colors(len(names)), strict=True):
            colors.setdefault(name, color)
    return colors


def _scale(names, colors: dict[str, str] | None):
    """A colour scale giving each of `names` its own colour (config order), if known."""
    if not colors:
        return alt.Undefined
    domain = [n for n in colors if n in set(names)] + [n for n in names if n not in colors]
    domain = list(dict.fromkeys(domain))
    return alt.Scale(domain=domain, range=[colors.get(n, "#8c959f") for n in domain])


def _order(frame: pd.DataFrame, category: str, value: str) -> list[str]:
    """Largest first, Rest of world last."""
    ranked = frame.groupby(category, sort=False)[value].sum().sort_values(ascending=False)
    names = [str(n) for n in ranked.index]
    return [n for n in names if n != REST_OF_WORLD] + [n for n in names if n == REST_OF_WORLD]


HEIGHT = 300
ROW = 26  # pixels per row of a horizontal bar chart


def _per_row(step: int = ROW) -> alt.Step:
    """Height by rows: Streamlit ignores a fixed height on charts with a discrete y axis."""
    return alt.Step(step, **{"for": "position"})


GRAINS = {"day": "D", "week": "W-MON", "month": "MS"}
DATE_FORMATS = {"day": "%a %-d %b", "week": "w/c %-d %b", "month": "%b %Y"}
COMPLETE, PROVISIONAL = "complete", "provisional or partial"


def _style(chart):
    """The shared look: quiet axes, legend on top, no frame."""
    return (
        chart.configure_axis(labelFontSize=12, titleFontSize=12, titleFontWeight="normal")
        .configure_legend(orient="top", labelFontSize=12, titleFontSize=12, symbolStrokeWidth=3)
        .configure_view(strokeWidth=0)
        .configure_range(category=PALETTE)
    )


def to_buckets(daily: pd.DataFrame, grain: str) -> pd.DataFrame:
    """Sum a daily long frame into day/week/month buckets (weeks start Monday).

    A bucket is provisional when any of its days is, or when the period covers only part
    of it (a 3-day "week" is not a drop).
    """
    if daily.empty:
        return daily.assign(
            days=pd.Series(dtype="int64"),
            full_days=pd.Series(dtype="int64"),
            coverage=pd.Series(dtype=str),
        )
    frame = daily.assign(date=pd.to_datetime(daily["date"]))
    if grain == "week":
        frame["bucket"] = frame["date"] - pd.to_timedelta(frame["date"].dt.day_of_week, unit="D")
        full = pd.Series(7, index=frame.index)
    elif grain == "month":
        frame["bucket"] = frame["date"].dt.to_period("M").dt.to_timestamp()
        full = frame["date"].dt.days_in_month
    else:
        frame["bucket"] = frame["date"]
        full = pd.Series(1, index=frame.index)
    frame["full_days"] = full
    out = frame.groupby(["bucket", "series"], sort=True, as_index=False).agg(
        value=("value", "sum"),
        provisional=("provisional", "any"),
        days=("date", "nunique"),
        full_days=("full_days", "first"),
    )
    partial = out["days"] < out["full_days"]
    out["provisional"] = out["provisional"] | partial
    # A cut bucket says how much of it there is ("1 of 7 days"), not only that it is dashed.
    out["coverage"] = [
        f"{d} of {f} days" if d < f else ""
        for d, f in zip(out["days"], out["full_days"], strict=True)
    ]
    return out.rename(columns={"bucket": "date"})


def _segments(frame: pd.DataFrame) -> pd.DataFrame:
    """Split each line into runs of complete and provisional points.

    A provisional run takes its complete neighbours along, so the dashed stretch joins the
    solid line instead of floating beside it; `run` keeps runs from joining each other.
    """
    parts = []
    for series, rows in frame.sort_values("date").groupby("series", sort=False):
        rows = rows.reset_index(drop=True)
        status = rows["provisional"].to_numpy(dtype=bool)
        runs = np.cumsum(np.r_[True, status[1:] != status[:-1]])
        for run in np.unique(runs):
            where = np.flatnonzero(runs == run)
            dashed = bool(status[where[0]])
            if dashed:
                where = np.arange(max(where[0] - 1, 0), min(where[-1] + 2, len(rows)))
            parts.append(
                rows.iloc[where].assign(
                    segment=PROVISIONAL if dashed else COMPLETE, run=f"{series}#{run}"
                )
            )
    if not parts:
        return frame.assign(segment=pd.Series(dtype=str), run=pd.Series(dtype=str))
    return pd.concat(parts, ignore_index=True)


MAX_TICKS = 10


def _x(grain: str, dates: pd.Series) -> alt.X:
    """Dates on the buckets themselves (a tick between two days would repeat a label)."""
    days = sorted(pd.to_datetime(dates).unique())
    step = max(1, -(-len(days) // MAX_TICKS))
    # Vega-Lite DateTime objects as plain dicts (the same spec): an alt.DateTime carries
    # every field of its schema, and layering copies each tick of each layer several times.
    ticks = [{"year": d.year, "month": d.month, "date": d.day} for d in days[::step]]
    return alt.X(
        "date:T",
        title=None,
        axis=alt.Axis(format=DATE_FORMATS[grain], labelAngle=0, values=ticks or alt.Undefined),
    )


def _dash(legend: bool) -> alt.StrokeDash:
    """Dashed for provisional stretches; the legend entry only when there are some."""
    return alt.StrokeDash(
        "segment:N",
        title=None,
        scale=alt.Scale(domain=[COMPLETE, PROVISIONAL], range=[[1, 0], [5, 4]]),
        legend=alt.Legend(orient="top") if legend else None,
    )


def _lines(frame: pd.DataFrame, grain: str, y: alt.Y, color: alt.Color, tooltip: list):
    """Solid lines with dashed provisional stretches and a point per bucket for tooltips."""
    # Only the fields drawn or in the tooltip go to the browser: the buckets' bookkeeping
    # (provisional, days, full_days; coverage on a daily chart) was a third of the fields of
    # the Web summary's 580-row chart, each parsed and copied into Vega's data there.
    drawn = ["date", "value", "series", "segment", "run"]
    drawn += [t.shorthand.split(":")[0] for t in tooltip]
    segments = _segments(frame)
    base = alt.Chart(segments[[c for c in dict.fromkeys(drawn) if c in segments]])
    dashed = bool(frame["provisional"].any()) if len(frame) else False
    x = _x(grain, frame["date"])
    line = base.mark_line(strokeWidth=2.5).encode(
        x, y, color, _dash(dashed), detail="run:N", tooltip=tooltip
    )
    points = base.mark_point(filled=True, size=30).encode(x, y, color, tooltip=tooltip)
    return line + points


def _tooltip(grain: str, value_title: str, value_format: str = ",.0f") -> list:
    tips = [
        alt.Tooltip("date:T", title=grain.capitalize(), format=DATE_FORMATS[grain]),
        alt.Tooltip("series:N", title="Line"),
        alt.Tooltip("value:Q", title=value_title, format=value_format),
        alt.Tooltip("segment:N", title="Data"),
    ]
    if grain != "day":
        tips.append(alt.Tooltip("coverage:N", title="Partial"))
    return tips


@memo_chart
def time_series(
    daily: pd.DataFrame,
    grain: str,
    value_title: str,
    colors: dict[str, str] | None = None,
    extra: alt.Chart | None = None,
) -> alt.LayerChart:
    """One line per series over time, bucketed by `grain`; `extra` is layered on top (the
    anomaly marks of daily charts)."""
    frame = to_buckets(daily, grain)
    scale = _scale(frame["series"].unique().tolist(), colors)
    color = alt.Color(
        "series:N", title=None, scale=scale, legend=alt.Legend(orient="right", labelLimit=260)
    )
    y = alt.Y("value:Q", title=value_title, axis=alt.Axis(format="~s"))
    chart = _lines(frame, grain, y, color, _tooltip(grain, value_title))
    if extra is not None:
        chart = chart + extra
    return _many_marks(_style(chart.properties(height=HEIGHT)), len(frame))


CANVAS_POINTS = 150  # a chart with more points than this is drawn on a canvas


def _many_marks(chart, points: int):
    """A chart of many points (a line per site: 20 sites x 28 days, 560 hover points) drawn
    on one canvas, without a screen-reader label per point: as SVG each point was a DOM node
    with its own label, every tooltip field formatted into it (~1,200 nodes of the Web summary's
    2,300 for the browser to lay out). It looks the same and its tooltips stay; Streamlit does
    this itself, but only past 2,000 points."""
    return on_canvas(chart) if points > CANVAS_POINTS else chart


def on_canvas(chart):
    """`chart` drawn by Vega on one canvas, without a screen-reader label per mark: the same
    look and tooltips, no DOM node per mark for the browser to build, label and lay out."""
    return chart.configure_mark(aria=False).properties(
        usermeta={"embedOptions": {"renderer": "canvas"}}
    )


def indexed(frame: pd.DataFrame) -> pd.DataFrame:
    """Each series as an index of its first complete bucket (= 100); `actual` keeps values."""
    out = frame.sort_values("date").copy()
    out["actual"] = out["value"]
    if out.empty:
        return out

    def base(rows: pd.DataFrame) -> float:
        complete = rows.loc[~rows["provisional"], "value"]
        first = complete.iloc[0] if len(complete) else rows["value"].iloc[0]
        return float(first) if first else np.nan

    bases = out.groupby("series")[["value", "provisional"]].apply(base)
    out["value"] = out["value"] / out["series"].map(bases) * 100
    return out


@memo_chart
def web_vs_youtube(daily: pd.DataFrame, grain: str, mode: str = "indexed") -> alt.LayerChart:
    """Web pageviews and YouTube views on one chart: indexed to 100, or on two labelled axes.

    On a canvas, like the countries' bars below: as SVG the Overview's two charts were ~290
    of its ~1,675 DOM nodes (each point and bar a labelled node) for the browser to build and
    lay out on every look at the page; the same look and tooltips."""
    frame = to_buckets(daily, grain)
    colors = alt.Scale(domain=["Web pageviews", "YouTube views"], range=[WEB_COLOR, YT_COLOR])
    color = alt.Color("series:N", title=None, scale=colors)
    if mode == "indexed":
        frame = indexed(frame)
        first = frame["date"].min()
        title = f"Index (first {grain} = 100)" if pd.notna(first) else "Index"
        y = alt.Y("value:Q", title=title, scale=alt.Scale(zero=False))
        tooltip = [
            *_tooltip(grain, "Index", ",.1f")[:2],
            alt.Tooltip("actual:Q", title="Actual", format=",.0f"),
            alt.Tooltip("value:Q", title="Index", format=",.1f"),
            alt.Tooltip("segment:N", title="Data"),
        ]
        rule = alt.Chart(pd.DataFrame({"y": [100]})).mark_rule(color="#8c959f").encode(y="y:Q")
        chart = rule + _lines(frame, grain, y, color, tooltip)
        return on_canvas(_style(chart.properties(height=HEIGHT)))
    layers = []
    for series, hue in (("Web pageviews", WEB_COLOR), ("YouTube views", YT_COLOR)):
        part = frame[frame["series"] == series]
        y = alt.Y(
            "value:Q",
            title=series,
            axis=alt.Axis(format="~s", titleColor=hue, labelColor=hue),
        )
        layers.append(_lines(part, grain, y, color, _tooltip(grain, series)))
    chart = alt.layer(*layers).resolve_scale(y="independent")
    return on_canvas(_style(chart.properties(height=HEIGHT)))


@memo_chart
def stacked_share(
    frame: pd.DataFrame, x: str, category: str, value: str, category_title: str
) -> alt.Chart:
    """100%-stacked bars of `value` by `category` per month in column `x`."""
    chart = (
        alt.Chart(frame[[x, category, value]])  # only what is drawn goes to the browser
        .mark_bar()
        .encode(
            alt.X(f"yearmonth({x}):O", title=None, axis=alt.Axis(format="%b %y", labelAngle=0)),
            alt.Y(f"sum({value}):Q", stack="normalize", title="Share", axis=alt.Axis(format="%")),
            alt.Color(f"{category}:N", title=category_title),
            alt.Order(f"{category}:N"),
            tooltip=[
                alt.Tooltip(f"yearmonth({x}):O", title="Month", format="%B %Y"),
                alt.Tooltip(f"{category}:N", title=category_title),
                alt.Tooltip(f"sum({value}):Q", title=value.replace("_", " "), format=",.0f"),
            ],
        )
    )
    return _style(chart.properties(height=HEIGHT))


@memo_chart
def share_bars(frame: pd.DataFrame, category: str, share: str, category_title: str) -> alt.Chart:
    """Horizontal bars of each category's percent share, largest first (Rest of world
    last), each labelled with its percent."""
    frame = frame[[category, share]]  # only what is drawn goes to the browser
    frame = frame.assign(share_label=frame[share].map(lambda v: "" if pd.isna(v) else f"{v:.1f}%"))
    base = alt.Chart(frame).encode(
        alt.Y(
            f"{category}:N",
            sort=_order(frame, category, share),
            title=None,
            axis=alt.Axis(labelLimit=260),
        ),
        alt.X(f"{share}:Q", title="Share (%)", axis=alt.Axis(format=".0f")),
        tooltip=[
            alt.Tooltip(f"{category}:N", title=category_title),
            alt.Tooltip(f"{share}:Q", title="Share (%)", format=".1f"),
        ],
    )
    bars = base.mark_bar(color=WEB_COLOR)
    labels = base.mark_text(align="left", dx=3, fontSize=11).encode(text="share_label:N")
    return _style((bars + labels).properties(height=_per_row(), width="container"))


@memo_chart
def platform_shares(frame: pd.DataFrame) -> alt.Chart:
    """Countries side by side: each country's share of web pageviews and of YouTube views.

    `frame` is long: country, platform ("Web" / "YouTube"), share (percent), value.
    """
    web = frame[frame["platform"] == "Web"]
    order = _order(web if len(web) else frame, "country", "share")
    order += [c for c in frame["country"].unique() if c not in order]
    if REST_OF_WORLD in order:  # last, as in the tables
        order = [c for c in order if c != REST_OF_WORLD] + [REST_OF_WORLD]
    colors = alt.Scale(domain=["Web", "YouTube"], range=[WEB_COLOR, YT_COLOR])
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            alt.Y("country:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
            alt.YOffset("platform:N", sort=["Web", "YouTube"]),
            alt.X("share:Q", title="Share of the platform's total (%)"),
            alt.Color("platform:N", title=None, scale=colors),
            tooltip=[
                alt.Tooltip("country:N", title="Country"),
                alt.Tooltip("platform:N", title="Platform"),
                alt.Tooltip("share:Q", title="Share (%)", format=".1f"),
                alt.Tooltip("value:Q", title="Pageviews / views", format=",.0f"),
            ],
        )
    )
    return on_canvas(_style(chart.properties(height=_per_row(34), width="container")))


@memo_chart
def ranked_bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    category_title: str,
    value_title: str,
    color_by: str | None = None,
    colors: dict[str, str] | None = None,
) -> alt.Chart:
    """Horizontal bars, largest first (top-N lists such as articles and videos); `colors`
    keeps each site's or channel group's colour of the other charts."""
    color = (
        alt.Color(
            f"{color_by}:N",
            title=None,
            scale=_scale(frame[color_by].unique().tolist(), colors),
            # In columns: one row of seven sites' names ran off the chart's right edge. No
            # legend when the bars are the coloured things: it only repeated the axis.
            legend=None
            if color_by == category
            else alt.Legend(orient="top", columns=4, labelLimit=220),
        )
        if color_by
        else alt.value(WEB_COLOR)
    )
    tooltip = [
        alt.Tooltip(f"{category}:N", title=category_title),
        alt.Tooltip(f"{value}:Q", title=value_title, format=",.0f"),
    ]
    if color_by and color_by != category:
        tooltip.append(alt.Tooltip(f"{color_by}:N"))
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            alt.Y(f"{category}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format="~s")),
            color,
            tooltip=tooltip,
        )
    )
    return _style(chart.properties(height=_per_row(), width="container"))


@memo_chart
def stacked_bars(
    frame: pd.DataFrame,
    row: str,
    category: str,
    share: str,
    category_title: str,
    known: Sequence[str] = (),
) -> alt.Chart:
    """One horizontal bar per `row`, split by `category` into its percent `share`; the
    parts stand in one order on every bar (the largest overall first), so rows compare by
    eye (ordered per bar, one row began with Shorts and the next with Long-form).

    Each category keeps its colour whatever its rank: the n-th of `known` (every value the
    category can take, most common first) the n-th colour, others after them by name.
    Coloured by rank, Shorts feed and External swapped colours from one day to the next."""
    # Only the drawn columns go to the browser: the whole report (every metric and
    # comparison, ~40 columns) was 28 kB of YouTube channels' page for a 3-column chart.
    drawn = frame[[row, category, share]]
    order = list(
        drawn.groupby(category, sort=False)[share].sum().sort_values(ascending=False).index
    )
    drawn = drawn.assign(_part=drawn[category].map({c: i for i, c in enumerate(order)}))
    stable = list(dict.fromkeys([*known, *sorted(map(str, order))]))
    colors = distinct_colors(len(stable))
    present = [str(c) for c in order]  # the legend as the stacking: largest first
    chart = (
        alt.Chart(drawn)
        .mark_bar()
        .encode(
            alt.Y(f"{row}:N", title=None, axis=alt.Axis(labelLimit=220)),
            alt.X(f"{share}:Q", stack="normalize", title="Share", axis=alt.Axis(format="%")),
            alt.Color(
                f"{category}:N",
                title=category_title,
                sort=order,
                scale=alt.Scale(domain=present, range=[colors[stable.index(c)] for c in present]),
                legend=alt.Legend(orient="bottom", columns=4, labelLimit=220),
            ),
            alt.Order("_part:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip(f"{row}:N"),
                alt.Tooltip(f"{category}:N", title=category_title),
                alt.Tooltip(f"{share}:Q", title="Share (%)", format=".1f"),
            ],
        )
    )
    return _style(chart.properties(height=_per_row(36), width="container"))


@memo_chart
def minute_bars(by_minute: pd.DataFrame) -> alt.Chart:
    """Realtime active users per minute, the oldest minute on the left and now on the right."""
    chart = (
        alt.Chart(by_minute)
        .mark_bar(color=WEB_COLOR)
        .encode(
            alt.X("minutes_ago:O", title="Minutes ago", sort="descending"),
            alt.Y("active_users:Q", title="Active users"),
            tooltip=[
                alt.Tooltip("minutes_ago:O", title="Minutes ago"),
                alt.Tooltip("active_users:Q", title="Active users", format=",.0f"),
            ],
        )
    )
    return _style(chart.properties(width="container"))

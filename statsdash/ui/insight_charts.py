"""Insights charts and tables: the drivers waterfall, risers and fallers, anomaly marks.

Pure: DataFrames in, `alt.Chart`s or DataFrames out (the digest renders the same charts).
"""

from __future__ import annotations

from collections import Counter

import altair as alt
import pandas as pd

from statsdash import drivers as d
from statsdash.ui.chart_memo import memo_chart
from statsdash.ui.charts import HEIGHT, _style
from statsdash.ui.format import GREEN, RED

TOTAL_COLOR = "#8c959f"
DIMENSION_LABELS = {
    "site": "Sites",
    "channel": "Channel groups",
    "article": "Articles",
    "source_medium": "Sources",
    "country": "Countries",
    "device_category": "Devices",
    "video": "Videos",
    "source_type": "Traffic sources",
}


def to_waterfall(rows: pd.DataFrame, base_label: str, current_label: str) -> pd.DataFrame:
    """Steps of a waterfall from one metric/comparison/dimension's drivers rows:
    step (text, in order), start, end, amount, kind (total / rise / fall)."""
    if rows.empty:
        return pd.DataFrame(columns=["step", "start", "end", "amount", "kind", "order"])
    base, current = float(rows["total_base"].iloc[0]), float(rows["total_current"].iloc[0])
    steps = [{"step": base_label, "start": 0.0, "end": base, "amount": base, "kind": "total"}]
    level = base
    for _, row in rows.iterrows():
        amount = float(row["contribution"])
        steps.append(
            {
                "step": str(row["label"]),
                "start": level,
                "end": level + amount,
                "amount": amount,
                "kind": "rise" if amount >= 0 else "fall",
            }
        )
        level += amount
    steps.append(
        {"step": current_label, "start": 0.0, "end": current, "amount": current, "kind": "total"}
    )
    out = pd.DataFrame(steps)
    # Labels may repeat (two articles of one title); each bar needs its own.
    seen: Counter[str] = Counter()
    unique = []
    for step in out["step"]:
        seen[step] += 1
        unique.append(step if seen[step] == 1 else f"{step} ({seen[step]})")
    out["step"] = unique
    out["order"] = range(len(out))
    return out


@memo_chart
def waterfall(steps: pd.DataFrame, value_title: str, width: int | None = None) -> alt.Chart:
    """Previous total, each contributor's bar from where the last one ended, current total."""
    colors = alt.Scale(domain=["total", "rise", "fall"], range=[TOTAL_COLOR, GREEN, RED])
    x = alt.X(
        "step:N",
        sort=list(steps["step"]),
        title=None,
        # Every bar is named: the angled labels fit, but Vega-Lite hid every other one.
        axis=alt.Axis(labelAngle=-30, labelLimit=200, labelOverlap=False),
    )
    # The axis starts near the smallest level reached, so a change of a few percent shows;
    # its top is set too (clamped with only a bottom, the highest bar was cut off).
    levels = pd.concat([steps["end"], steps["start"][1:-1]])
    scale = {"zero": False, "clamp": True}
    if len(levels) and levels.min() > 0:
        scale["domainMin"] = 0.9 * float(levels.min())
        scale["domainMax"] = 1.02 * float(levels.max())
    y = alt.Y("start:Q", title=value_title, scale=alt.Scale(**scale), axis=alt.Axis(format="~s"))
    tooltip = [
        alt.Tooltip("step:N", title="Step"),
        alt.Tooltip("amount:Q", title=value_title, format=",.2~f"),
    ]
    bars = (
        alt.Chart(steps)
        .mark_bar(size=28)
        .encode(
            x, y, alt.Y2("end:Q"), alt.Color("kind:N", scale=colors, legend=None), tooltip=tooltip
        )
    )
    sized = bars.properties(height=HEIGHT, **({"width": width} if width else {}))
    return _style(sized)


def risers_and_fallers(rows: pd.DataFrame, n: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The named contributors that rose and fell most: label, base, current, change, pct."""
    named = rows[rows["key"] != d.EVERYTHING_ELSE]
    shown = named.rename(columns={"contribution": "change"})[
        ["label", "base", "current", "change", "change_pct"]
    ]
    risers = shown[shown["change"] > 0].nlargest(n, "change")
    fallers = shown[shown["change"] < 0].nsmallest(n, "change")
    return risers.reset_index(drop=True), fallers.reset_index(drop=True)


def flag_points(flags: pd.DataFrame, service: str, metric: str) -> pd.DataFrame:
    """Anomaly rows of one service and metric as chart points: date, series, value, note."""
    rows = flags[(flags["service"] == service) & (flags["metric"] == metric)]
    return pd.DataFrame(
        {
            "date": pd.to_datetime(rows["date"]),
            "series": rows["entity"].astype("str"),
            "value": rows["value"].astype("float64"),
            "expected": [
                f"{lo:,.0f}–{hi:,.0f}"
                for lo, hi in zip(rows["expected_low"], rows["expected_high"], strict=True)
            ],
            "kind": rows["kind"].str.replace("_", " "),
        }
    )


@memo_chart
def flag_layer(points: pd.DataFrame) -> alt.Chart:
    """Hollow red rings on flagged days, with what was expected in the tooltip."""
    return (
        alt.Chart(points)
        .mark_point(shape="circle", size=220, strokeWidth=2.5, filled=False, color=RED)
        .encode(
            x="date:T",
            y="value:Q",
            tooltip=[
                alt.Tooltip("date:T", title="Day", format="%a %-d %b"),
                alt.Tooltip("series:N", title="Line"),
                alt.Tooltip("value:Q", title="Value", format=",.0f"),
                alt.Tooltip("expected:N", title="Expected"),
                alt.Tooltip("kind:N", title="Flag"),
            ],
        )
    )

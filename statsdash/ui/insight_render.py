"""Insights pieces other pages show: the unusual days list and the flags on daily charts.

Outside text (site and channel names, details) goes through st.text, never Markdown.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from statsdash import anomalies, narrative
from statsdash.insights import service_anomalies
from statsdash.reports import Selection
from statsdash.ui import charts
from statsdash.ui import insight_charts as ic
from statsdash.ui.data import MAX_ENTRIES, TTL, from_key, selection_key
from statsdash.ui.render import render_chart, waiting_for
from statsdash.ui.text import md


# A loader of the page layer (like statsdash.ui.data's): a rerun puts the flags on a daily
# chart without judging every day again.
@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _flags(service: str, key) -> pd.DataFrame:
    return service_anomalies(service, from_key(key)).table


def load_flags(service: str, selection: Selection) -> pd.DataFrame:
    """One service's anomaly flags for the selection (its failures show with its reports)."""
    return _flags(service, selection_key(selection))


def flag_marks(service: str, metric: str, selection: Selection, grain: str) -> alt.Chart | None:
    """Rings on a daily chart's flagged days, or None (other grains, metrics, no flags)."""
    if grain != "day" or metric not in anomalies.METRICS[service]:
        return None
    points = ic.flag_points(load_flags(service, selection), service, metric)
    return ic.flag_layer(points) if len(points) else None


def render_daily_by_entity(
    service: str,
    lines: pd.DataFrame,
    metric: str,
    title: str,
    selection: Selection,
    grain: str,
    result,
) -> None:
    """A service's daily chart, a line per site or channel group, with its unusual days
    ringed and a caption saying so (one line instead, without figures: see render_chart)."""
    flags = flag_marks(service, metric, selection, grain)
    colors = charts.entity_colors(selection.config)
    drawn = render_chart(
        lambda: charts.time_series(lines, grain, title, colors, extra=flags),
        lines,
        "value",
        waiting=waiting_for(result),
    )
    if drawn and flags is not None:
        st.caption("Rings mark unusual days; the Insights page says what was unusual about each.")


def render_unusual_days(flags: pd.DataFrame, limit: int | None = None) -> None:
    """One line per flagged day (the first `limit`), then how many more there are; a
    tracking break's line explains itself on hover (st.text: the line is never Markdown;
    its help tooltip is, so it is escaped)."""
    shown = flags if limit is None else flags.head(limit)
    for _, row in shown.iterrows():
        detail = row["detail"] if row["kind"] == "tracking_break" else None
        # The tooltip renders Markdown: the channel ids and names in it are outside text.
        st.text(narrative.anomaly_short(row), help=md(detail) if detail else None)
    if limit is not None and len(flags) > limit:
        st.caption(f"and {len(flags) - limit} more on the Insights page.")

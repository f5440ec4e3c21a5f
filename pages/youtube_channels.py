"""YouTube channels: network totals, each channel group, engagement and the daily trend."""

import streamlit as st

from statsdash.ui import charts
from statsdash.ui.data import load_daily, load_reports
from statsdash.ui.format import LABELS
from statsdash.ui.frame import page_selection
from statsdash.ui.insight_render import render_daily_by_entity
from statsdash.ui.kpis import render_kpis
from statsdash.ui.render import (
    end_label,
    has_figures,
    render_chart,
    render_freshness,
    render_header,
    render_problems,
    render_table,
    waiting_for,
)
from statsdash.ui.tables import changes, to_lines, to_network_row
from statsdash.youtube.names import FORMAT_NAMES, format_name
from statsdash.youtube.view_counting import counting_history, view_count_note, view_metrics

selection, grain = page_selection(__file__)
render_header("YouTube channels", selection, ("youtube",))
if not selection.channel_names():
    st.info("No YouTube channel groups are configured.")
    st.stop()

# Revenue is optional (`youtube: {revenue: true}`): without it nothing of it is asked.
revenue_on = selection.config.youtube.revenue
reports = ["yt-channels", "yt-stats", "yt-formats", *(["yt-revenue"] if revenue_on else [])]
results = load_reports(reports, selection)
render_problems(results.values())
freshness = render_freshness(selection, youtube_only=True)

channels = results["yt-channels"]
compared = selection.comparison_periods()
view_columns = view_metrics(selection.period, compared)  # engaged first across a change
views_note = view_count_note(selection.period, compared)
metrics = [*view_columns, "watch_minutes", "subscriber_change", "subscribers"]
suffixes = list(compared)
render_kpis(
    to_network_row(channels.table, metrics, suffixes) if len(channels.table) else None,
    {m: LABELS[m] for m in view_columns}
    | {
        "watch_minutes": "Watch minutes",
        "subscriber_change": "Net subscribers",
        "subscribers": f"Subscribers at {end_label(channels)}",
    },
    selection,
    incomplete=list(channels.failures),
    provisional=freshness.youtube_note,
    notes={"views": views_note} if views_note else None,
    result=channels,
)

st.subheader("By channel group over time")
metric = st.segmented_control(
    "Metric",
    [*view_columns, "watch_minutes", "subscriber_change"],
    format_func=LABELS.get,
    default=view_columns[0],
    key="yt_channels_metric",
    label_visibility="collapsed",
)
metric = metric or view_columns[0]
daily = load_daily("youtube", selection)
lines = to_lines(daily, "youtube", metric, complete_through=freshness.youtube)
render_daily_by_entity("youtube", lines, metric, LABELS[metric], selection, grain, channels)
colors = charts.entity_colors(selection.config)  # the revenue chart below, in the same colours

table = channels.table
render_table(
    "Channel groups",
    channels,
    "yt-channels",
    selection,
    columns=[
        "channel",
        "subscribers",
        *changes(table, "subscriber_change"),
        *changes(table, "watch_minutes"),
        *changes(table, view_columns[0]),
        *changes(table, view_columns[1]),
    ],
    caption=f"Subscribers at {end_label(channels)}; the download has their comparisons too.",
)
stats = results["yt-stats"]
render_table(
    "Engagement",
    stats,
    "yt-stats",
    selection,
    columns=[
        "channel",
        *view_columns,
        *changes(stats.table, "like_rate"),
        *changes(stats.table, "comment_rate"),
        *changes(stats.table, "share_rate"),
        *changes(stats.table, "subs_rate"),
        "like_ratio",
    ],
    caption="Rates are per 1,000 views; like ratio is likes per dislike (empty without "
    "dislikes). The download has the counts behind them.",
)

formats = results["yt-formats"]
st.subheader("Shorts, long-form and live")
share = f"{view_columns[0]}_share_pct"  # engaged views lead when views changed meaning
readable = formats.table.assign(format=formats.table["format"].map(format_name))
render_chart(
    lambda: charts.stacked_bars(
        readable, "channel", "format", share, "Format", known=tuple(FORMAT_NAMES.values())
    ),
    readable,
    share,
    waiting=waiting_for(formats),
)
render_table(
    "Formats",
    formats,
    "yt-formats",
    selection,
    columns=[
        "channel",
        "format",
        *changes(formats.table, view_columns[0]),
        share,
        *changes(formats.table, "watch_minutes"),
        "watch_minutes_share_pct",
    ],
    display={"format": format_name},  # "Long-form", as in the chart above, not VIDEO_ON_DEMAND
    caption="Each format's share of its channel group (YouTube's creatorContentType). "
    f"{counting_history()}; engaged views count the old way.",
)

if revenue_on:
    revenue, currency = results["yt-revenue"], selection.config.youtube.currency
    st.subheader(f"Revenue ({currency})")
    if has_figures(revenue.table, "estimated_revenue"):  # else the table below says why
        value = f"Estimated revenue ({currency})"
        st.altair_chart(
            charts.ranked_bars(
                revenue.table,
                "channel",
                "estimated_revenue",
                "Channel group",
                value,
                "channel",
                colors,
            )
        )
    # Revenue's changes only, so the table fits at 1280 px (the CSV has every column's).
    revenue_changes = changes(revenue.table, "estimated_revenue")
    render_table(
        None,
        revenue,
        "yt-revenue",
        selection,
        columns=["channel", *revenue_changes, "estimated_ad_revenue", "cpm", "playback_based_cpm"],
        caption=f"YouTube's estimates in {currency}. CPM and playback-based CPM are gross ad "
        "revenue per 1,000 ad impressions and per 1,000 monetized playbacks, from each group's "
        "totals; the download has monetized playbacks and impressions behind them.",
    )

"""YouTube audience: countries, and traffic sources per channel group."""

import streamlit as st

from statsdash.ui import charts
from statsdash.ui.countries import country_name
from statsdash.ui.data import load_reports
from statsdash.ui.format import top_caption, top_of
from statsdash.ui.frame import page_selection
from statsdash.ui.render import has_figures, render_header, render_problems, render_table
from statsdash.ui.tables import with_share
from statsdash.youtube.aggregate_data import TOP_COUNTRIES
from statsdash.youtube.names import SOURCE_TYPE_ORDER, source_type_name

selection, _ = page_selection(__file__)
render_header("YouTube audience", selection, ("youtube",))
if not selection.channel_names():
    st.info("No YouTube channel groups are configured.")
    st.stop()

results = load_reports(["yt-countries", "yt-traffic"], selection)
render_problems(results.values())

countries = results["yt-countries"]
shown = top_of(len(countries.table), TOP_COUNTRIES, "country", "countries")
st.subheader("Countries")
render_table(
    None,
    countries,
    "yt-countries",
    selection,
    caption=f"{top_caption(len(countries.table), TOP_COUNTRIES, 'country', 'countries')}, "
    "by watch minutes.",
    display={"country": country_name},
)
if has_figures(countries.table, "watch_minutes"):
    named = countries.table.assign(country=countries.table["country"].map(country_name))
    chart, _ = st.columns([3, 2])
    chart.altair_chart(
        charts.share_bars(with_share(named, "watch_minutes"), "country", "share", "Country")
    )
    chart.caption(f"Share of the watch minutes of {shown}.")

traffic = results["yt-traffic"]
st.subheader("Traffic sources per channel group")
if has_figures(traffic.table, "share_pct"):
    readable = traffic.table.assign(source_type=traffic.table["source_type"].map(source_type_name))
    st.altair_chart(
        charts.stacked_bars(
            readable,
            "channel",
            "source_type",
            "share_pct",
            "Traffic source",
            known=SOURCE_TYPE_ORDER,
        )
    )
render_table(
    None,
    traffic,
    "yt-traffic",
    selection,
    caption="Share is of the channel group's watch minutes.",
    display={"source_type": source_type_name},
)

"""Overview: web and YouTube side by side, the brands table and countries on both platforms."""

import pandas as pd
import streamlit as st

from statsdash.ui import charts
from statsdash.ui.countries import country_name
from statsdash.ui.data import load_reports, overview_reports
from statsdash.ui.format import USERS_SUM, duration, top_caption
from statsdash.ui.frame import page_selection
from statsdash.ui.insight_render import render_unusual_days
from statsdash.ui.kpis import render_kpis
from statsdash.ui.render import (
    covers,
    end_label,
    render_chart,
    render_download,
    render_freshness,
    render_header,
    render_problems,
    render_table,
    waiting_for,
)
from statsdash.ui.tables import changes, to_country_shares, to_lines, to_network_row
from statsdash.ui.text import md
from statsdash.youtube.aggregate_data import TOP_COUNTRIES
from statsdash.youtube.view_counting import view_count_note

selection, grain = page_selection(__file__)
has_web = bool(selection.site_names())
has_youtube = bool(selection.channel_names())

render_header(selection.config.network_name, selection)
results = load_reports(overview_reports(selection), selection)  # asked by app.py already
render_problems(results.values())
freshness = render_freshness(selection)
suffixes = list(selection.comparison_periods())

if has_web:
    st.markdown(f"##### :material/language: Web · {md(covers(selection, 'ga'))}")
    web = results["ga-summary"]
    row = web.table.iloc[0] if len(web.table) else None
    render_kpis(
        row,
        {
            "pageviews": "Pageviews",
            "users": USERS_SUM,
            "sessions": "Sessions",
            "avg_session_seconds": "Avg. session",
        },
        selection,
        incomplete=list(web.failures),
        provisional=freshness.web_note,
        formats={"avg_session_seconds": duration},
        result=web,
    )
if has_youtube:
    st.markdown(f"##### :material/smart_display: YouTube · {md(covers(selection, 'youtube'))}")
    channels = results["yt-channels"]
    views_note = view_count_note(selection.period, selection.comparison_periods())
    metrics = ["views", "watch_minutes", "subscriber_change", "subscribers"]
    total = to_network_row(channels.table, metrics, suffixes) if len(channels.table) else None
    render_kpis(
        total,
        {
            "views": "Views",
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

flags = results["anomalies"].table
if len(flags):
    st.markdown("##### :material/crisis_alert: Unusual days")
    render_unusual_days(flags, limit=5)

daily = results["daily"].table
st.subheader("Web pageviews and YouTube views")
mode = st.segmented_control(
    "Scale",
    ["indexed", "dual"],
    format_func={"indexed": "Indexed to 100", "dual": "Two axes"}.get,
    default="indexed",
    key="overview_scale",
    label_visibility="collapsed",
)
lines = [
    to_lines(daily, "ga", "pageviews", label="Web pageviews", complete_through=freshness.web),
    to_lines(daily, "youtube", "views", label="YouTube views", complete_through=freshness.youtube),
]
lines = pd.concat(lines)
waiting = waiting_for(results["brands"])  # neither service has a complete day yet
if render_chart(
    lambda: charts.web_vs_youtube(lines, grain, mode or "indexed"), lines, "value", waiting=waiting
):
    if (mode or "indexed") == "indexed":
        st.caption(
            f"Each line is divided by its own first complete {grain} and multiplied by 100, so "
            "both platforms' growth reads on one scale; hover for actual numbers. The download "
            "has every site's and channel group's daily figures."
        )
    render_download(results["daily"], "daily", selection)

brands = results["brands"]
render_table(
    "Brands",
    brands,
    "brands",
    selection,
    columns=[
        "brand",
        *changes(brands.table, "web_pageviews"),
        "web_pageviews_share_pct",
        *changes(brands.table, "yt_views"),
        "yt_views_share_pct",
    ],
    caption="Each site beside its channel group; shares are of the selection's totals. "
    "The download has users, watch minutes and every comparison too.",
    # By the first figure shown (the download keeps the configuration's order).
    order_by="web_pageviews" if has_web else "yt_views",
)

if has_web or has_youtube:
    st.subheader("Countries on both platforms")
    youtube_total = total["views"] if has_youtube and total is not None else 0
    shares = to_country_shares(
        results["ga-countries"].table if has_web else None,
        results["yt-countries"].table if has_youtube else None,
        youtube_total,
    )
    render_chart(lambda: charts.platform_shares(shares), shares, "share", waiting=waiting)
    # One table at a time, each the page's full width: side by side their change columns
    # did not fit. Only the open tab's grid is drawn (a click draws the other's, see
    # table_draw.draw_table); the other tab keeps its download.
    # Fixed labels: Streamlit keeps the open tab by its label, and one that counted the
    # countries sent a reader on the YouTube tab back to Web when the count changed.
    names = [t for t, on in (("Web", has_web), ("YouTube", has_youtube)) if on]
    tabs = iter(st.tabs(names, key="overview-countries", on_change="rerun"))
    if has_web:
        tab, web_countries = next(tabs), results["ga-countries"]
        with tab:
            if tab.open:
                render_table(
                    None,
                    web_countries,
                    "ga-countries",
                    selection,
                    # Ranked by users (the report's order), so that column shows too.
                    columns=["country", *changes(web_countries.table, "pageviews"), "users"],
                )
            elif not waiting_for(web_countries):  # no CSV of rows without figures
                render_download(web_countries, "ga-countries", selection)
    if has_youtube:
        tab, yt_countries = next(tabs), results["yt-countries"]
        with tab:
            if tab.open:
                render_table(
                    None,
                    yt_countries,
                    "yt-countries",
                    selection,
                    # Ranked by watch minutes (the report's order), so that column leads.
                    columns=["country", "watch_minutes", *changes(yt_countries.table, "views")],
                    caption=top_caption(
                        len(yt_countries.table), TOP_COUNTRIES, "country", "countries"
                    )
                    + ", by watch minutes.",
                    display={"country": country_name},
                )
            elif not waiting_for(yt_countries):  # no CSV of rows without figures
                render_download(yt_countries, "yt-countries", selection)

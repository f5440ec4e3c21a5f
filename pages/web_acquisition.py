"""Web acquisition: traffic sources, referring sites with their articles, social networks."""

import streamlit as st

from statsdash.ui import charts
from statsdash.ui.data import load_reports
from statsdash.ui.frame import page_selection
from statsdash.ui.render import (
    has_figures,
    render_grouped,
    render_header,
    render_problems,
    render_table,
)
from statsdash.ui.tables import changes, with_share

selection, _ = page_selection(__file__)
render_header("Acquisition", selection, ("ga",))
if not selection.site_names():
    st.info("No Google Analytics sites are configured.")
    st.stop()

results = load_reports(["ga-traffic", "ga-referrals", "ga-social"], selection)
render_problems(results.values())

traffic = results["ga-traffic"]
st.subheader("Traffic sources")
# The table has the page's width (beside the chart its comparisons ran off at 1280 px).
render_table(None, traffic, "ga-traffic", selection, caption="Top 10 by users.")
if has_figures(traffic.table, "users"):
    chart, _ = st.columns([3, 2])
    shares = with_share(traffic.table, "users")
    chart.altair_chart(charts.share_bars(shares, "source_medium", "share", "Source / medium"))
    chart.caption("Share of the top 10 sources' users.")

st.subheader("Top sources and their articles")
st.caption(
    "The top 5 session sources by users (referring sites, newsletters and other campaign "
    "sources; the configured exclusions removed), each with the articles it sent readers to."
)
referrals = results["ga-referrals"]
render_grouped(
    referrals,
    "ga-referrals",
    selection,
    group="source",
    headline="pageviews",
    items=["title", "path", *changes(referrals.table, "article_pageviews")],
)

social = results["ga-social"]
st.subheader("Social networks")
render_table(None, social, "ga-social", selection, caption="Organic social, by source.")
if has_figures(social.table, "users"):
    chart, _ = st.columns([3, 2])
    shares = with_share(social.table, "users")
    chart.altair_chart(charts.share_bars(shares, "social_network", "share", "Social network"))
    chart.caption("Share of social users.")

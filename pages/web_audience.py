"""Web audience: devices (with twelve months of device share) and countries."""

import streamlit as st

from statsdash.ui import charts
from statsdash.ui.data import load_reports, safe_service_table
from statsdash.ui.format import device_name
from statsdash.ui.frame import page_selection
from statsdash.ui.render import has_figures, render_header, render_problems, render_table
from statsdash.ui.tables import with_share
from statsdash.ui.text import md

selection, _ = page_selection(__file__)
render_header("Audience", selection, ("ga",))
if not selection.site_names():
    st.info("No Google Analytics sites are configured.")
    st.stop()

results = load_reports(["ga-devices", "ga-countries"], selection)
render_problems(results.values())

st.subheader("Devices")
# The table has the page's width (beside the chart its comparisons ran off at 1280 px).
render_table(
    None, results["ga-devices"], "ga-devices", selection, display={"device_category": device_name}
)
months, error = safe_service_table("ga", "device_share_by_month", selection)
if error:
    st.warning(f"Device share by month could not be loaded: {md(error)}")
elif months is not None and len(months):
    chart, _ = st.columns([3, 2])
    months = months.assign(device_category=months["device_category"].map(device_name))
    chart.altair_chart(charts.stacked_share(months, "month", "device_category", "users", "Device"))
    chart.caption("Share of users by device, for the twelve months up to the period's end.")

countries = results["ga-countries"]
st.subheader("Countries")
render_table(None, countries, "ga-countries", selection)
if has_figures(countries.table, "pageviews"):
    chart, _ = st.columns([3, 2])
    shares = with_share(countries.table, "pageviews")
    chart.altair_chart(charts.share_bars(shares, "country", "share", "Country"))
    chart.caption("Share of pageviews.")

"""Data status: how fresh and how whole the data is, per GA4 property and YouTube channel."""

import streamlit as st

from statsdash.ui.data import emulator_requests, load_status
from statsdash.ui.frame import page_selection
from statsdash.ui.render import render_header, render_status_table
from statsdash.ui.session import load_app_config

selection, _ = page_selection(__file__)
app = load_app_config()
render_header("Data status", selection)
st.caption(
    "Checked now, for the selected period. GA4 counts a day complete once all 24 hours are in "
    "(for properties that wait for data); YouTube once it returns rows for the day."
)
status = load_status(selection)

if selection.site_names():
    st.subheader("Google Analytics properties")
    render_status_table(status.get("ga"), "ga-status", selection)
if selection.channel_names():
    st.subheader("YouTube channels")
    render_status_table(
        status.get("youtube"),
        "yt-status",
        selection,
        column_config={"channel": st.column_config.TextColumn("Channel ID")},
    )

st.subheader("Fetching")
cols = st.columns(3)
for column, service, title in zip(
    cols[:2], ("ga", "youtube"), ("Google Analytics", "YouTube"), strict=True
):
    info = status.get(service)
    with column.container(border=True):
        st.markdown(f"**{title}**")
        if info is None:
            st.caption("Not configured for this selection.")
            continue
        st.markdown(info.fetch_lines())
with cols[2].container(border=True):
    st.markdown("**Requests**")
    if app.demo and app.emulator_url:
        counts = emulator_requests(app.emulator_url)
        if counts is None:
            st.caption("The demo emulator's counter could not be read.")
        else:
            st.metric("Requests served by the demo emulator", f"{counts.get('total', 0):,}")
            by_endpoint = counts.get("by_endpoint") or {}
            st.caption("  \n".join(f"{k}: {v:,}" for k, v in sorted(by_endpoint.items())))
    else:
        st.caption("Quota left is shown above where Google reported it.")

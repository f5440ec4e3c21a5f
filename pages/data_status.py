"""Data status: how fresh and how whole the data is, per GA4 property and YouTube channel."""

from datetime import datetime

import pandas as pd
import streamlit as st

from statsdash.periods import day_text
from statsdash.ui.data import emulator_requests, load_status
from statsdash.ui.frame import page_selection
from statsdash.ui.render import render_header, render_rows, render_status_table
from statsdash.ui.session import load_app_config
from statsdash.ui.text import md

selection, _ = page_selection(__file__)
app = load_app_config()
render_header("Data status", selection)
st.caption(
    "Checked now: *complete through* is the latest day whose data is whole, and *period "
    "complete* says whether the chosen period is wholly in. GA4 counts a day complete once all "
    "24 hours are in (for properties that wait for data); YouTube once it returns rows for it."
)
status = load_status(selection)

# GA4 quota columns shown beside availability (the download has every quota reported).
QUOTA = {
    "tokens_per_day_remaining": (
        "Tokens left (day)",
        "GA4 tokens the property may still use today; a day ends at midnight Pacific time",
    ),
    "tokens_per_hour_remaining": (
        "Tokens left (hour)",
        "GA4 tokens the property may still use within the hour",
    ),
    "tokens_per_project_per_hour_remaining": (
        "Tokens left (project hour)",
        "The share of the property's hour that one Cloud project (these credentials) may use",
    ),
    # The server's clock, its zone in the heading: a reader elsewhere cannot guess it.
    "as_of": (
        f"Quota as of ({datetime.now().astimezone().tzname()})",
        "When Google gave the answer that reported this quota, by this server's clock",
    ),
    "from_cache": (
        "Cached",
        "Ticked: that answer came from the response cache, so its quota is as it was then",
    ),
}

QUOTA_IN_DOWNLOAD_ONLY = (
    "concurrent_requests_remaining",
    "server_errors_per_project_per_hour_remaining",
    "potentially_thresholded_requests_per_hour_remaining",
)


def as_of(value) -> str:
    if pd.isna(value):
        return ""
    when = pd.Timestamp(value)
    return (
        f"{when:%H:%M:%S}"
        if when.date() == datetime.now().date()
        else f"{day_text(when, weekday=False)} {when:%H:%M}"
    )


if selection.site_names():
    st.subheader("Google Analytics properties")
    ga = status.get("ga")
    shown = ga.availability if ga is not None and ga.availability is not None else pd.DataFrame()
    # Availability and quota side by side ran off the page at 1280 px: quota gets its own
    # table below, by property (the one download has both).
    quota = [c for c in QUOTA if c in shown]
    render_status_table(
        ga,
        "ga-status",
        selection,
        columns=[c for c in shown.columns if c not in (*quota, *QUOTA_IN_DOWNLOAD_ONLY)] or None,
    )
    if quota:
        st.markdown("**Quota left**")
        by_property = shown[["site", "property", *quota]]
        if "as_of" in quota:
            by_property = by_property.assign(as_of=by_property["as_of"].map(as_of))
        render_rows(
            by_property,
            selection,
            # "Property" (not "GA4 property"): with the heading above, seven columns fit.
            column_config={
                "property": st.column_config.Column("Property"),
                **{c: st.column_config.Column(t, help=h) for c, (t, h) in QUOTA.items()},
            },
        )
    st.caption(
        "**Quota left** is what GA4 reported with each property's newest answer (no extra "
        "request). Reports cost tokens, most fewer than 10: a standard property has 200,000 a "
        "day and 40,000 an hour, of which one Cloud project may use 14,000 (Analytics 360: ten "
        "times as many). When one runs out, GA4 refuses the property's requests until it "
        "refills. An answer from the response cache carries the quota of when it was fetched "
        "(*Cached*); Refresh asks again."
    )
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
            st.caption("  \n".join(f"{md(k)}: {v:,}" for k, v in sorted(by_endpoint.items())))
    else:
        st.caption("Quota left is shown above where Google reported it.")

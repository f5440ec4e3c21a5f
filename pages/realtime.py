"""Realtime: active users of the last 30 minutes per site and for the network, by minute,
top pages and countries; refreshes itself every minute while open."""

import streamlit as st

from statsdash.errors import StatsdashError
from statsdash.ui import charts
from statsdash.ui.data import load_realtime
from statsdash.ui.format import LABELS, number
from statsdash.ui.frame import page_selection
from statsdash.ui.render import scope_label
from statsdash.ui.text import md

selection, _ = page_selection(__file__)
st.title("Realtime")
# Now, not the sidebar's period: its dates and comparisons do not apply here.
st.caption(f"**{md(scope_label(selection, ('ga',)))}** · the last 30 minutes")
HEADINGS = {"site": LABELS["site"], "country": LABELS["country"], "page": "Page"}
HEADINGS["active_users"] = "Active users"
if not selection.site_names():
    st.info("No Google Analytics sites are configured.")
    st.stop()


@st.fragment(run_every=60)
def render_now() -> None:
    try:
        now = load_realtime(selection)
    except StatsdashError as error:
        st.error(md(error), icon=":material/error:")
        return
    st.caption(
        f"Fetched {now.fetched_at:%H:%M:%S} UTC; refreshes every 60 seconds. Active users in "
        "the last 30 minutes, summed over properties (a person on two sites counts twice)."
    )
    for source, why in now.failures.items():
        st.warning(f"**{md(source)}** could not be fetched: {md(why)}", icon=":material/warning:")
    st.metric("Active users, network", number(now.sites["active_users"].sum()))
    left, right = st.columns(2)
    with left:
        st.markdown("##### By site")
        st.dataframe(now.sites, hide_index=True, width="stretch", column_config=HEADINGS)
        st.markdown("##### Top countries")
        st.dataframe(now.countries, hide_index=True, width="stretch", column_config=HEADINGS)
    with right:
        st.markdown("##### By minute")
        st.altair_chart(charts.minute_bars(now.by_minute))
        st.markdown("##### Top pages now")
        st.dataframe(now.pages, hide_index=True, width="stretch", column_config=HEADINGS)


render_now()

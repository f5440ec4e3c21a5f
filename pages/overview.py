"""Overview: the network at a glance."""

import streamlit as st

from statsdash.ui.session import load_app_config

app = load_app_config()
config = app.config
selection = st.session_state["selection"]

st.title(config.network_name)
st.caption(selection.period.label)

left, right = st.columns(2)
with left:
    st.subheader("Sites")
    if config.google_analytics:
        st.dataframe(
            [
                {"site": s.name, "GA4 properties": ", ".join(p.id for p in s.properties)}
                for s in config.google_analytics.sites.values()
            ],
            hide_index=True,
        )
with right:
    st.subheader("Channel groups")
    if config.youtube:
        st.dataframe(
            [
                {"channel group": g.name, "channels": len(g.ids)}
                for g in config.youtube.channels.values()
            ],
            hide_index=True,
        )

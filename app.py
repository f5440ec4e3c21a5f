"""Statsdash: the router and frame. Shared sidebar, demo banner, then the chosen page runs."""

import streamlit as st

from statsdash.config import ConfigError
from statsdash.ui.session import load_app_config, today
from statsdash.ui.sidebar import render_sidebar

st.set_page_config(page_title="Statsdash", page_icon=":bar_chart:", layout="wide")

try:
    app = load_app_config()
except ConfigError as error:
    st.error(f"Configuration problem: {error}")
    st.stop()

if app.demo:
    st.info(
        "**Demo data.** This is a synthetic network served by Statsdash's local emulator of "
        "the Google APIs. To see your own sites and channels, copy `config.yaml.example` to "
        "`config.yaml`, fill in your GA4 property IDs and YouTube channel IDs, and restart "
        "(see the README for credentials).",
        icon=":material/science:",
    )

pages = {
    "": [st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True)],
}
nav = st.navigation(pages)
chosen = render_sidebar(app.config, today())
if chosen is None:
    st.stop()
st.session_state["selection"], st.session_state["granularity"] = chosen
nav.run()

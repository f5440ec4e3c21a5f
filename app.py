"""Statsdash: the router and frame. Shared sidebar, demo banner, then the chosen page runs."""

import streamlit as st

from statsdash.collector import collector_paused

# A server's first run imports pandas, numpy, the Google client and Streamlit's elements here:
# with the collector on, the objects they make set off full collections over the growing
# heap (0.3-0.6 s of a restarted server's first page), for modules that live for good.
with collector_paused():
    import statsdash.ui.demo_ahead  # noqa: F401  (demo mode: the emulator's facts start now)
    from statsdash.config import ConfigError
    from statsdash.ui.access import require_access
    from statsdash.ui.data import refresh
    from statsdash.ui.frame import run_page
    from statsdash.ui.session import (
        freeze_long_lived,
        is_repeat_probe,
        load_app_config,
        probe_done,
        skip_repl_check,
        today,
    )
    from statsdash.ui.sidebar import render_sidebar
    from statsdash.ui.text import md

freeze_long_lived()  # from the second run on, the collector skips the libraries
skip_repl_check()  # before the first element (see there)
st.set_page_config(page_title="Statsdash", page_icon=":bar_chart:", layout="wide")
# A KPI card is a quarter of the main area: below 1280 px a seven-digit figure in the theme's
# size is cut ("1,01…"), so the figure shrinks with the window (still readable at 1024 px).
st.html(
    """<style>
@media (max-width: 1279px) { [data-testid="stMetricValue"] { font-size: 1.9rem; } }
@media (max-width: 1179px) { [data-testid="stMetricValue"] { font-size: 1.6rem; } }
@media (max-width: 1099px) { [data-testid="stMetricValue"] { font-size: 1.3rem; } }
</style>"""
)

try:
    app = load_app_config()
except ConfigError as error:
    st.error(f"Configuration problem: {md(error)}")
    st.stop()
if is_repeat_probe():
    st.stop()  # the config loads: ready; the first probe drew the page (session.is_probe)
require_access(app.config)  # with access: in the config, only allowed people get further

if app.demo:
    st.info(
        "**Demo data.** This is a synthetic network served by Statsdash's local emulator of "
        "the Google APIs. To see your own sites and channels, copy `config.yaml.example` to "
        "`config.yaml`, fill in your GA4 property IDs and YouTube channel IDs, and restart "
        "(see the README for credentials).",
        icon=":material/science:",
    )


def page(path: str, title: str, icon: str, **kwargs) -> st.Page:
    return st.Page(path, title=title, icon=f":material/{icon}:", **kwargs)


pages = {
    "": [
        page("pages/overview.py", "Overview", "dashboard", default=True),
        page("pages/insights.py", "Insights", "insights"),
    ],
    "Web": [
        page("pages/web_summary.py", "Summary", "language"),
        page("pages/web_content.py", "Content", "article"),
        page("pages/web_acquisition.py", "Acquisition", "travel_explore"),
        page("pages/web_audience.py", "Audience", "groups"),
        page("pages/realtime.py", "Realtime", "bolt"),
    ],
    "YouTube": [
        page("pages/youtube_channels.py", "Channels", "smart_display"),
        page("pages/youtube_videos.py", "Videos", "video_library"),
        page("pages/youtube_audience.py", "Audience", "public"),
    ],
    # A blank-looking second heading: Data status closes the list, under no section.
    " ": [page("pages/data_status.py", "Data status", "monitor_heart")],
}
nav = st.navigation(pages)
chosen = render_sidebar(app.config, today())
if chosen is None:
    st.stop()
selection, granularity = chosen
run_page(nav, refresh(selection) if selection.refresh else selection, granularity)
probe_done()

"""YouTube videos: the selection's top videos by watch time."""

import streamlit as st

from statsdash.ui import charts
from statsdash.ui.data import load_reports
from statsdash.ui.frame import page_selection
from statsdash.ui.render import has_figures, render_header, render_problems, render_table
from statsdash.ui.tables import changes
from statsdash.youtube.names import format_name

selection, _ = page_selection(__file__)
render_header("Top videos", selection, ("youtube",))
if not selection.channel_names():
    st.info("No YouTube channel groups are configured.")
    st.stop()

results = load_reports(["yt-videos"], selection)
render_problems(results.values())
videos = results["yt-videos"]

render_table(
    None,
    videos,
    "yt-videos",
    selection,
    columns=[
        "title",
        "channel",
        "format",
        *changes(videos.table, "watch_minutes"),
        *changes(videos.table, "views"),
        *changes(videos.table, "engaged_views"),
        "video",
    ],
    caption="The 10 videos with the most watch minutes across the selected channel groups.",
    display={
        "video": lambda video: f"https://www.youtube.com/watch?v={video}",
        "format": format_name,
    },
    column_config={"video": st.column_config.LinkColumn("Video", display_text=r"v=(.*)$")},
)
if has_figures(videos.table, "watch_minutes"):
    st.altair_chart(
        charts.ranked_bars(
            videos.table,
            "title",
            "watch_minutes",
            "Video",
            "Watch minutes",
            color_by="channel",
            colors=charts.entity_colors(selection.config),
        )
    )

"""Web content: the selection's top articles across all its sites."""

import streamlit as st

from statsdash.ui import charts
from statsdash.ui.data import load_reports
from statsdash.ui.frame import page_selection
from statsdash.ui.render import has_figures, render_header, render_problems, render_table
from statsdash.ui.tables import changes

selection, _ = page_selection(__file__)
render_header("Top articles", selection, ("ga",))
if not selection.site_names():
    st.info("No Google Analytics sites are configured.")
    st.stop()

results = load_reports(["ga-articles"], selection)
render_problems(results.values())
articles = results["ga-articles"]

render_table(
    None,
    articles,
    "ga-articles",
    selection,
    columns=["title", "site", *changes(articles.table, "pageviews"), "path"],
    caption="The 20 most viewed articles across the selected sites; query strings removed, "
    "AMP pages marked (AMP).",
)
if has_figures(articles.table, "pageviews"):  # else the table says why
    top = articles.table.head(10)
    st.altair_chart(
        charts.ranked_bars(
            top,
            "title",
            "pageviews",
            "Article",
            "Pageviews",
            color_by="site",
            colors=charts.entity_colors(selection.config),
        )
    )

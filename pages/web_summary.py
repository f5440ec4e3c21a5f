"""Web summary: the network's totals, each site, the daily trend and month to date."""

from datetime import date

import streamlit as st

from statsdash.ui.data import load_daily, load_reports, safe_service_table
from statsdash.ui.format import (
    LABELS,
    USERS_SUM,
    duration,
    fraction,
    month_caption,
    month_headings,
    number,
)
from statsdash.ui.frame import page_selection
from statsdash.ui.insight_render import render_daily_by_entity
from statsdash.ui.kpis import render_kpis
from statsdash.ui.render import (
    render_download,
    render_freshness,
    render_header,
    render_problems,
    render_service_table,
    render_table,
)
from statsdash.ui.tables import changes, to_lines

selection, grain = page_selection(__file__)
render_header("Web summary", selection, ("ga",))
if not selection.site_names():
    st.info("No Google Analytics sites are configured.")
    st.stop()

results = load_reports(["ga-summary", "ga-sites"], selection)
render_problems(results.values())
freshness = render_freshness(selection, web_only=True)

summary = results["ga-summary"]
render_kpis(
    summary.table.iloc[0] if len(summary.table) else None,
    {
        "pageviews": "Pageviews",
        "users": USERS_SUM,
        "sessions": "Sessions",
        "key_events": "Key events",
    },
    selection,
    incomplete=list(summary.failures),
    provisional=freshness.web_note,
    result=summary,
)
row = summary.table.iloc[0] if len(summary.table) else None
# No complete day yet: the line above says so once; no cards or caption of empty figures.
nothing_yet = bool(summary.compared) and not any(c.days_compared for c in summary.compared.values())
fair = not selection.whole_periods
if not nothing_yet:
    render_kpis(
        row,
        {
            "pages_per_session": "Pages / session",
            "avg_session_seconds": "Avg. session",
            "avg_engagement_seconds": "Engagement / active user",
            "engaged_sessions": "Engaged sessions",
            "engagement_rate": "Engagement rate",
        },
        selection,
        incomplete=list(summary.failures),
        # Like for like, these cover complete days only (the line above the first row says so).
        provisional=None if summary.compared and fair else freshness.web_note,
        formats={
            "engagement_rate": fraction,
            "avg_engagement_seconds": duration,
            "avg_session_seconds": duration,
            "pages_per_session": lambda v: number(v, 2),
        },
    )
    split, _ = safe_service_table("ga", "users_split", selection)
    if split is not None and len(split):
        users = split.iloc[0]
        st.caption(
            f"Users are GA4 total users ({number(users['users'])}), summed over properties. "
            f'GA4\'s own reports call active users "Users": {number(users["active_users"])}; '
            f"new users: {number(users['new_users'])}. Engagement rate = engaged sessions / "
            "sessions; key events count the events each site lists in the config (else all)."
        )
    render_download(summary, "ga-summary", selection)

st.subheader("By site over time")
metric = st.segmented_control(
    "Metric",
    ["pageviews", "users", "sessions"],
    format_func=LABELS.get,
    default="pageviews",
    key="web_summary_metric",
    label_visibility="collapsed",
)
metric = metric or "pageviews"
lines = to_lines(load_daily("ga", selection), "ga", metric, complete_through=freshness.web)
render_daily_by_entity("ga", lines, metric, LABELS[metric], selection, grain, summary)

sites = results["ga-sites"]
render_table(
    "Sites",
    sites,
    "ga-sites",
    selection,
    columns=[
        "site",
        *changes(sites.table, "pageviews"),
        *changes(sites.table, "users"),
        *changes(sites.table, "sessions"),
        "pages_per_session",
        "avg_session_seconds",
        "engagement_rate",
        *changes(sites.table, "key_events"),
    ],
    caption="Pages per session, session length and engagement rate are rebuilt from the "
    "sites' totals; the download has their comparisons too.",
    order_by="pageviews",  # the first figure shown (the CSV's order is by users, DESIGN.md)
)

end = selection.period.end
st.subheader(f"Month to date: {end:%B %Y}")
mtd, error = safe_service_table("ga", "month_to_date", selection)
caption = "The month so far, and where it ends at the same daily pace."
columns = ["site", "pageviews", "projected_pageviews", "last_month_pageviews"]
if mtd is not None and len(mtd):
    today = selection.today or date.today()
    caption = month_caption(mtd.iloc[0], end, freshness.web if fair else None, today)
    if not mtd.iloc[0]["days_elapsed"]:
        columns = ["site", "last_month_pageviews"]  # nothing so far to show or project
    mtd = mtd.sort_values(["pageviews", "last_month_pageviews"], ascending=False, kind="stable")
heads = (
    month_headings(end, int(mtd.iloc[0]["days_elapsed"])) if mtd is not None and len(mtd) else {}
)
render_service_table(
    mtd,
    error,
    "ga-month-to-date",
    selection,
    caption=caption,
    columns=columns,
    column_config={c: st.column_config.Column(t) for c, t in heads.items()},
)

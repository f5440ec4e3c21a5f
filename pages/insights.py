"""Insights: what drove each headline metric's change, and which days were unusual."""

import streamlit as st

from statsdash import drivers as d
from statsdash import narrative
from statsdash.periods import COMPARISON_LABELS
from statsdash.ui import insight_charts as ic
from statsdash.ui.data import load_reports
from statsdash.ui.format import (
    fraction,
    number,
    signed_int,
    signed_pct,
    signed_pp,
)
from statsdash.ui.frame import page_selection
from statsdash.ui.insight_render import render_unusual_days
from statsdash.ui.render import render_compared, render_download, render_header, render_problems
from statsdash.youtube.names import source_type_name

selection, _ = page_selection(__file__)
render_header("Insights", selection)
results = load_reports(["drivers", "anomalies"], selection)
render_problems(results.values())


def render_drivers(result) -> None:
    """What changed: sentences, the waterfall of one metric and split, risers and fallers."""
    drivers = result.table
    st.subheader("What changed")
    # Like for like: which days each service's figures cover, or that none is complete yet
    # (then that service has no rows: its provisional hours are not a fall to zero).
    if render_compared(result):
        return
    comparisons = list(dict.fromkeys(drivers["comparison"]))
    if not comparisons:
        st.info("Nothing to explain: no figures could be fetched for this selection.")
        return

    comparison = comparisons[0]
    if len(comparisons) > 1:
        comparison = (
            st.segmented_control(
                "Compared with",
                comparisons,
                format_func=COMPARISON_LABELS.get,
                default=comparison,
                key="insights_comparison",
            )
            or comparison
        )
    elif not selection.comparisons:
        st.caption(
            "No comparison is chosen in the sidebar, so this compares with the previous period."
        )

    # Outside text (article and video titles, sources): st.text never reads it as Markdown.
    for sentence in narrative.headlines(drivers, comparison):
        st.text(sentence)

    present = [m for m in d.METRICS if m in set(drivers["metric"])]
    metric = (
        st.segmented_control(
            "Metric",
            present,
            format_func=d.METRIC_LABELS.get,
            default=present[0],
            key="insights_metric",
        )
        or present[0]
    )
    of_metric = drivers[(drivers["metric"] == metric) & (drivers["comparison"] == comparison)]
    dimensions = list(dict.fromkeys(of_metric["dimension"]))
    dimension = (
        st.segmented_control(
            "Split by",
            dimensions,
            format_func=ic.DIMENSION_LABELS.get,
            default=dimensions[0],
            key="insights_dimension",
        )
        or dimensions[0]
    )
    rows = of_metric[of_metric["dimension"] == dimension]
    if dimension == "source_type":  # YouTube's API keys, named as YouTube Audience names them
        rows = rows.assign(label=rows["key"].map(source_type_name))
    if metric in d.RATIO_METRICS:
        rows = rows.assign(label=rows["label"] + " (" + rows["effect"] + ")")
        st.caption(
            "A ratio moves because each site's own rate moved (rate effect) or because sessions "
            "moved between sites with different rates (mix effect); the two add up to the change."
        )
    label = COMPARISON_LABELS.get(comparison, comparison)
    steps = ic.to_waterfall(rows, label, "This period")
    st.altair_chart(ic.waterfall(steps, d.METRIC_LABELS[metric]))
    st.caption(
        "From the compared period's total, each contributor's change, to this period's total. "
        "(everything else) holds the rest, so the bars add up exactly."
    )

    risers, fallers = ic.risers_and_fallers(rows)
    decimals = 3 if metric in d.RATIO_METRICS else 0
    shown = {
        "base": lambda v: number(v, decimals),
        "current": lambda v: number(v, decimals),
        "change": signed_int if not decimals else (lambda v: f"{v:+.{decimals}f}"),
        "change_pct": signed_pct,
    }
    if metric in narrative.FRACTION_METRICS:  # 0.581 reads 58.1%, its change in points
        shown |= {"base": fraction, "current": fraction, "change": lambda v: signed_pp(100 * v)}
    names = {"label": "Contributor", "base": label, "current": "This period", "change": "Change"}
    # Risers above fallers, each at the page's width (side by side they ran off at 1280 px).
    for title, table in (("Risers", risers), ("Fallers", fallers)):
        st.markdown(f"##### {title}")
        if table.empty:
            st.caption("None.")
        else:
            st.dataframe(
                table.style.format(shown),
                hide_index=True,
                column_config=names | {"change_pct": "Change %"},
            )


render_drivers(results["drivers"])
render_download(results["drivers"], "drivers", selection)

st.subheader("Unusual days")
flags = results["anomalies"].table
judged = [c.days_compared for c in results["drivers"].compared.values()]
if flags.empty and judged and not any(judged):  # only complete days are judged
    st.caption("No day of the period is complete yet, so none is judged.")
elif flags.empty:
    st.caption("No day of the period is outside its expected range.")
render_unusual_days(flags)
rule = selection.config.anomalies
st.caption(
    f"Each day against the same weekday of the previous 8 weeks: flagged outside the median "
    f"± {rule.k:g} median absolute deviations (× 1.4826, and at least ± {rule.min_spread:.0%}"
    "). A source that sends nothing is a likely tracking break, not a drop."
)
render_download(results["anomalies"], "anomalies", selection)

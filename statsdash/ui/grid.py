"""Table headings on screen: a metric's comparison columns grouped under the metric's name.

Streamlit's st.dataframe draws a two-level heading from a pandas MultiIndex on the columns
(the upper level spans its columns, an empty one draws nothing; format.to_styler builds it).
Columns keep their raw names in the lower level, so column_config and column_order still
address them by name; the heading a reader sees comes from column_config's label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from statsdash.ui.format import LABELS, SUFFIX_LABELS, split_column


def metric_label(metric: str) -> str:
    return LABELS.get(metric, metric.replace("_", " ").capitalize())


def header_groups(
    columns: Sequence[str], names: Mapping[str, str], period_title: str
) -> dict[str, tuple[str, str]]:
    """{column: (group, title)} for a table with comparison columns, else {}.

    A metric shown with a change heads a group: its own value is titled by the period's dates
    (`period_title`, "23–29 Nov"), its share of the total (`<metric>_share_pct`) "Share",
    each change by the comparison's short name ("vs prev. week", from `names`: suffix ->
    name; the heading's help has it in full). Other columns have no group, keep their label.
    """
    grouped = {split_column(c)[0] for c in columns if split_column(c)[1] is not None}
    if not grouped:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for column in columns:
        metric, suffix, part = split_column(column)
        owner = metric.removesuffix("_share_pct")
        if suffix is None and owner != metric and owner in grouped and metric not in grouped:
            out[column] = (metric_label(owner), "Share")
            continue
        if metric not in grouped:
            continue
        when = names.get(suffix, SUFFIX_LABELS.get(suffix, "")) if suffix else ""
        if suffix is None:
            title = period_title
        elif part in ("pct", "") or metric.endswith("share_pct"):
            title = when if part else f"({when.removeprefix('vs ')})"
        else:
            title = f"change {when}"
        out[column] = (metric_label(metric), title)
    return out

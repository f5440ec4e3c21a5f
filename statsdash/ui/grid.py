"""Table headings on screen: a metric's comparison columns grouped under the metric's name.

Streamlit's st.dataframe draws a two-level heading from a pandas MultiIndex on the columns
(the upper level spans its columns, an empty one draws nothing; format.to_styler builds it).
Columns keep their raw names in the lower level, so column_config and column_order still
address them by name; the heading a reader sees comes from column_config's label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from statsdash.periods import COMPARISONS, Period, comparison
from statsdash.reports import Selection
from statsdash.ui.format import (
    LABELS,
    SUFFIX_LABELS,
    column_labels,
    comparison_name,
    comparison_names,
    short_comparison_name,
    short_range,
    split_column,
)


def metric_label(metric: str) -> str:
    return LABELS.get(metric, metric.replace("_", " ").capitalize())


def header_groups(
    columns: Sequence[str],
    names: Mapping[str, str],
    period_title: str,
    titles: Mapping[str, str] | None = None,
) -> dict[str, tuple[str, str]]:
    """{column: (group, title)} for a table with comparison columns, else {}.

    A metric shown with a change heads a group: its own value is titled by the period's dates
    (`period_title`, "23–29 Nov"), its share of the total (`<metric>_share_pct`) "Share",
    each change by the comparison's short name ("vs prev. week", from `names`: suffix ->
    name; the heading's help has it in full). Other columns have no group, keep their label.
    `titles` (metric -> dates) replaces `period_title` for a metric covering fewer days.
    """
    titles = titles or {}
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
            title = titles.get(metric, period_title)
        elif part in ("pct", "") or metric.endswith("share_pct"):
            title = when if part else f"({when.removeprefix('vs ')})"
        else:
            title = f"change {when}"
        out[column] = (metric_label(metric), title)
    return out


def compared_periods(selection: Selection) -> dict[str, str]:
    """Column suffix -> "previous week, 9 Nov 2026 – 15 Nov 2026" for help texts."""
    days = selection.period.days
    return {
        COMPARISONS[key]: f"{comparison_name(key, days).removeprefix('vs ')}, "
        f"{comparison(selection.period, key).label}"
        for key in selection.comparisons
    }


def names_of(selection: Selection) -> dict[str, str]:
    """Column suffix -> the chosen comparison's name ("vs previous week")."""
    return comparison_names(selection.comparisons, selection.period.days)


PREFIXES = {"web": "ga", "yt": "youtube"}  # brands' columns: web_pageviews, yt_views


def covered_titles(columns: Sequence[str], covered: Mapping[str, Period]) -> dict[str, str]:
    """Column -> the dates its figures cover ("23–28 Nov"), from each service's compared days
    (`covered`: service -> period): a brands table's `web_` and `yt_` columns each their own
    service's, any other column the one service's. Only on screen: CSV names stay as they are."""
    titles = {}
    for column in columns:
        metric = split_column(column)[0]
        service = PREFIXES.get(metric.split("_", 1)[0])
        if service is None and len(covered) == 1:
            service = next(iter(covered))
        if service in covered:
            titles[metric] = short_range(covered[service].start, covered[service].end)
    return titles


def headings(
    columns: Sequence[str], selection: Selection, covered: Mapping[str, Period] | None = None
) -> tuple[dict, dict]:
    """({column: group}, {column: (title, help)}) for a table on screen: with comparisons, a
    metric's columns sit under its name, titled by the dates its figures cover (`covered`:
    service -> its compared days, like for like; else the period's) and each comparison."""
    labels = column_labels(columns, compared_periods(selection), names_of(selection))
    p = selection.period
    short = {COMPARISONS[k]: short_comparison_name(k, p.days) for k in selection.comparisons}
    titles = covered_titles(columns, covered) if covered else {}
    grouped = header_groups(columns, short, short_range(p.start, p.end), titles)
    for column, (_, title) in grouped.items():
        help_text = labels[column][1] or (f"{p.name}: {p.label}" if title else None)
        labels[column] = (title, help_text)
    return {c: group for c, (group, _) in grouped.items()}, labels

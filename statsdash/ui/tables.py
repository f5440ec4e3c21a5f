"""Pure pandas shaping for the pages: network totals, chart lines, countries side by side.

None of these mutate their input; each returns a new DataFrame or Series.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from statsdash.ui.countries import country_name
from statsdash.ui.format import is_shown_change, split_column
from statsdash.utilities import pct_change, ratio

REST_OF_WORLD = "Rest of world"
LINE_COLUMNS = ["date", "series", "value", "provisional"]


def to_network_row(table: pd.DataFrame, metrics: Sequence[str], suffixes: Sequence[str]):
    """Sum per-row `metrics` (and their comparison values) into one row; percents rebuilt.

    A comparison value that is unknown for any row stays unknown for the total.
    """
    row: dict[str, float] = {}
    for metric in metrics:
        row[metric] = float(table[metric].sum())
        for suffix in suffixes:
            column = f"{metric}_{suffix}"
            if column not in table:
                continue
            known = table[column].notna().all()
            base = float(table[column].sum()) if known else np.nan
            row[column] = base
            row[f"{column}_change"] = row[metric] - base
            row[f"{column}_pct"] = float(pct_change(pd.Series([row[metric]]), pd.Series([base]))[0])
    return pd.Series(row)


def to_lines(
    daily: pd.DataFrame,
    service: str,
    metric: str,
    *,
    label: str | None = None,
    complete_through: date | None = None,
) -> pd.DataFrame:
    """Chart lines from the long `daily` report: one per entity, or one total named `label`.

    Days after `complete_through` are marked provisional.
    """
    rows = daily[(daily["service"] == service) & (daily["metric"] == metric)]
    frame = rows.assign(date=pd.to_datetime(rows["date"]), series=rows["entity"])
    if label is not None:
        frame = frame.groupby("date", as_index=False)["value"].sum().assign(series=label)
    cutoff = pd.Timestamp(complete_through) if complete_through else None
    provisional = frame["date"] > cutoff if cutoff is not None else False
    return frame.assign(provisional=provisional)[LINE_COLUMNS].reset_index(drop=True)


def to_country_shares(
    web: pd.DataFrame | None, youtube: pd.DataFrame | None, youtube_total: float
) -> pd.DataFrame:
    """Long `country, platform, share, value`: web's countries, YouTube's in the same groups.

    Web rows are the configured countries plus Rest of world. YouTube's ISO codes are named
    like GA4's; what falls outside the web's countries is Rest of world, computed from the
    YouTube total so a country missing from YouTube's top list is not lost.
    """
    parts = []
    named: list[str] = []
    if web is not None and len(web):
        total = web["pageviews"].sum()
        named = [c for c in web["country"] if c != REST_OF_WORLD]
        parts.append(
            pd.DataFrame(
                {
                    "country": web["country"],
                    "platform": "Web",
                    "share": ratio(web["pageviews"], pd.Series(total, index=web.index), 100.0),
                    "value": web["pageviews"],
                }
            )
        )
    if youtube is not None and len(youtube):
        views = youtube.assign(country=youtube["country"].map(country_name))
        by_name = views.groupby("country")["views"].sum()
        kept = [c for c in named if c in by_name.index] if named else list(by_name.index)
        values = by_name.reindex(kept)
        if named:
            rest = max(float(youtube_total) - float(values.sum()), 0.0)
            values = pd.concat([values, pd.Series({REST_OF_WORLD: rest})])
        whole = float(youtube_total) or float(values.sum())
        parts.append(
            pd.DataFrame(
                {
                    "country": values.index,
                    "platform": "YouTube",
                    "share": values.to_numpy() / whole * 100 if whole else np.nan,
                    "value": values.to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["country", "platform", "share", "value"])
    return pd.concat(parts, ignore_index=True)


def with_share(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """A copy with `share`: each row's percent of the table's `metric` total."""
    total = pd.Series(float(table[metric].sum()), index=table.index)
    return table.assign(share=ratio(table[metric], total, 100.0))


def changes(table: pd.DataFrame, metric: str) -> list[str]:
    """`metric` and the changes a reader sees (percent; points for shares), in table order."""
    return [metric] + [
        c for c in table.columns if split_column(c)[0] == metric and is_shown_change(c)
    ]

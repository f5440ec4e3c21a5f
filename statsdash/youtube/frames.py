"""Pure pandas steps of the YouTube tables: API names to contract names, comparison columns
that stay empty when a value is unknown, and data availability per channel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from statsdash.periods import Period
from statsdash.utilities import add_comparisons, comparison_columns

RENAMES = {
    "estimatedMinutesWatched": "watch_minutes",
    "engagedViews": "engaged_views",
    "subscribersGained": "subscribers_gained",
    "insightTrafficSourceType": "source_type",
    "creatorContentType": "format",
    "day": "date",
    "estimatedRevenue": "estimated_revenue",
    "estimatedAdRevenue": "estimated_ad_revenue",
    "grossRevenue": "gross_revenue",
    "monetizedPlaybacks": "monetized_playbacks",
    "adImpressions": "ad_impressions",
}
AVAILABILITY_COLUMNS = ("group", "channel", "complete_through")


def span(period: Period) -> str:
    return f"{period.start.isoformat()}..{period.end.isoformat()}"


def tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """API names to contract names, with subscriber_change from its parts."""
    out = frame.rename(columns=RENAMES)
    if "subscribersLost" in out:
        out["subscriber_change"] = out["subscribers_gained"] - out.pop("subscribersLost")
    return out


def empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})


def whole(series: pd.Series) -> pd.Series:
    """Integers stay integers: int64 when complete, nullable Int64 (empty cells) otherwise."""
    if series.isna().any():
        return series.round().astype("Int64")
    return series.astype("int64")


def _blank(frame: pd.DataFrame, rows: np.ndarray, columns: Sequence[str]) -> None:
    """Empty these cells in place (integer columns become nullable to hold them)."""
    for col in columns:
        if pd.api.types.is_integer_dtype(frame[col]):
            frame[col] = frame[col].astype("Int64")
        frame.loc[rows, col] = pd.NA


def compare(
    current: pd.DataFrame,
    others: Mapping[str, pd.DataFrame | None],
    keys: Sequence[str],
    metrics: Sequence[str],
) -> pd.DataFrame:
    """`add_comparisons`, except that a failed period (None) or a value unknown there (NA)
    leaves its comparison cells empty instead of counting as 0."""
    fetched = {sfx: f for sfx, f in others.items() if f is not None}
    out = add_comparisons(current, fetched, keys, metrics) if fetched else current.copy()
    for sfx, other in others.items():
        for m in metrics:
            cols = [f"{m}_{sfx}", f"{m}_{sfx}_change", f"{m}_{sfx}_pct"]
            if other is None:
                for col in cols:
                    out[col] = np.nan
            elif other[m].isna().any():
                unknown = other.loc[other[m].isna(), list(keys)].drop_duplicates()
                found = out[list(keys)].merge(unknown, how="left", indicator=True)
                _blank(out, found["_merge"].eq("both").to_numpy(), cols)
    dims = [c for c in current.columns if c not in metrics]
    return out[dims + comparison_columns(metrics, list(others))]


def availability(daily: pd.DataFrame, group_of: Mapping[str, str]) -> pd.DataFrame:
    """Per channel ID: group, channel, complete_through (last `day` with rows, or NaT)."""
    last = daily.groupby("channel")["day"].max()
    ids = list(group_of)
    through = [last.get(c, pd.NaT) for c in ids]
    return pd.DataFrame(
        {
            "group": pd.Series([group_of[c] for c in ids], dtype="str"),
            "channel": pd.Series(ids, dtype="str"),
            "complete_through": pd.to_datetime(pd.Series(through, dtype="object")),
        }
    )


def availability_notes(
    table: pd.DataFrame, groups: Mapping[str, Sequence[str]], period: Period
) -> list[str]:
    """One note per last-complete day, naming the groups (or single channels) behind."""
    end = pd.Timestamp(period.end)
    through = table["complete_through"]
    behind = table[through.isna() | (through < end)].assign(
        through=through.astype("datetime64[ns]").fillna(pd.Timestamp.min)
    )
    labels: dict[pd.Timestamp, list[str]] = {}
    for (group, day), rows in behind.groupby(["group", "through"], sort=False):
        whole_group = len(rows) == len(groups[group])
        label = group if whole_group else f"{group} ({', '.join(rows['channel'])})"
        labels.setdefault(day, []).append(label)
    notes = []
    for day, names in labels.items():
        if day == pd.Timestamp.min:
            notes.append(
                f"YouTube has no data yet in {span(period)} for {', '.join(names)}; "
                "their figures are missing, not zero"
            )
        else:
            notes.append(
                f"YouTube data is complete only through {day.date().isoformat()} for "
                f"{', '.join(names)}; later days of the period are missing from their "
                "figures, not zero"
            )
    return notes

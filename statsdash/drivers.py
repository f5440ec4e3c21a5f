"""What drove the change: each headline metric's change split into contributions.

Pure pandas over per-key sums of two periods. For a count (pageviews, views...) a key's
contribution is its own change, the few largest (by size) are shown and `(everything else)`
carries the rest, so a dimension's contributions always add up to the total change exactly:
its current and base are the totals minus the keys shown. That remainder also holds what a
dimension cannot split (rows GA4 grouped as "(other)", excluded paths, and for `users` the
people counted in two countries or sources, as GA4's totals count a person once).

A ratio (pages per session, engagement rate) changes because each key's own rate moved
(`rate` effect) or because the weight moved between keys with different rates (`mix`
effect): with weights w = sessions share and rates r, R1 - R0 = Σ (w1 - w0)·r0 + Σ w1·(r1 - r0),
which is exact. A key absent from one period takes the other period's rate there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from statsdash.utilities import pct_change

EVERYTHING_ELSE = "(everything else)"
TOP_KEYS = 8
DRIVER_COLUMNS = (
    "metric",
    "comparison",
    "dimension",
    "key",
    "current",
    "base",
    "contribution",
    "change_pct",
    "effect",
    "label",
    "total_current",
    "total_base",
)
GA_METRICS = ("pageviews", "users", "sessions")
YT_METRICS = ("views", "engaged_views", "watch_minutes", "net_subscribers")
RATIO_METRICS = {
    "pages_per_session": ("pageviews", "sessions"),
    "engagement_rate": ("engaged_sessions", "sessions"),
}
METRICS = (*GA_METRICS, *RATIO_METRICS, *YT_METRICS)
METRIC_LABELS = {
    "pageviews": "Pageviews",
    "users": "Users",
    "sessions": "Sessions",
    "pages_per_session": "Pages per session",
    "engagement_rate": "Engagement rate",
    "views": "YouTube views",
    "engaged_views": "Engaged views",
    "watch_minutes": "Watch minutes",
    "net_subscribers": "Net subscribers",
}


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in DRIVER_COLUMNS})


def _dtype(column: str) -> str:
    text = ("metric", "comparison", "dimension", "key", "effect", "label")
    return "str" if column in text else "float64"


def sums(frame: pd.DataFrame, key: str, metric: str, range_name: str) -> pd.Series:
    """Per `key`: the sum of `metric` over the rows of one range."""
    rows = frame[frame["range"] == range_name]
    return rows.groupby(key, sort=True)[metric].sum().astype("float64")


def additive(
    current: pd.Series,
    base: pd.Series,
    total_current: float,
    total_base: float,
    top: int | None = TOP_KEYS,
) -> pd.DataFrame:
    """key, current, base, contribution: the `top` keys that moved most (all with None),
    largest rise first, then `(everything else)` so the contributions add up exactly."""
    both = pd.concat([current.rename("current"), base.rename("base")], axis=1).fillna(0.0)
    # In numpy from here (the same stable orders as pandas'): a drivers report makes ~50 of
    # these small tables, and each pandas step cost a millisecond or more.
    keys = np.asarray(both.index.astype("str"), dtype=object)
    now = both["current"].to_numpy(dtype="float64")
    then = both["base"].to_numpy(dtype="float64")
    change = now - then
    rows = np.arange(len(keys))
    if top is not None:
        rows = np.argsort(-np.abs(change), kind="stable")[:top]
        rows = rows[change[rows] != 0]
    key_rank = pd.Series(keys[rows], dtype="str").rank(method="dense").to_numpy()
    rows = rows[np.lexsort((key_rank, -change[rows]))]
    keys, now, then, change = keys[rows].tolist(), now[rows], then[rows], change[rows]
    rest_current = total_current - now.sum()
    rest_base = total_base - then.sum()
    if not (np.isclose(rest_current, 0) and np.isclose(rest_base, 0)):
        keys.append(EVERYTHING_ELSE)
        now = np.append(now, rest_current)
        then = np.append(then, rest_base)
        change = np.append(change, rest_current - rest_base)
    return pd.DataFrame(
        {
            "key": pd.Series(keys, dtype="str"),
            "current": now,
            "base": then,
            "contribution": change,
            "effect": pd.Series(["change"] * len(keys), dtype="str"),
        }
    )


def mix_and_rate(
    numerator: tuple[pd.Series, pd.Series], denominator: tuple[pd.Series, pd.Series]
) -> pd.DataFrame:
    """key, current (rate now), base (rate then), contribution, effect (mix / rate), two rows
    per key; empty when either period has no denominator (no ratio to explain)."""
    (n1, n0), (d1, d0) = numerator, denominator
    keys = d1.index.union(d0.index).union(n1.index).union(n0.index)
    n1, n0, d1, d0 = (s.reindex(keys, fill_value=0.0) for s in (n1, n0, d1, d0))
    if d1.sum() == 0 or d0.sum() == 0:
        return pd.DataFrame(columns=["key", "current", "base", "contribution", "effect"])
    w1, w0 = d1 / d1.sum(), d0 / d0.sum()
    r1 = (n1 / d1.where(d1 != 0)).astype("float64")
    r0 = (n0 / d0.where(d0 != 0)).astype("float64")
    r1, r0 = r1.fillna(r0).fillna(0.0), r0.fillna(r1).fillna(0.0)
    parts = []
    for effect, contribution in (("mix", (w1 - w0) * r0), ("rate", w1 * (r1 - r0))):
        parts.append(
            pd.DataFrame(
                {
                    "key": keys.astype("str"),
                    "current": r1.to_numpy(),
                    "base": r0.to_numpy(),
                    "contribution": contribution.to_numpy(),
                    "effect": effect,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["key", "effect"], kind="stable").reset_index(drop=True)


def labelled(
    rows: pd.DataFrame,
    metric: str,
    comparison: str,
    dimension: str,
    totals: tuple[float, float],
    labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """`rows` (from additive or mix_and_rate) with the contract's columns filled in."""
    # Each column made once with its dtype: assigning them to a copy of `rows` and casting
    # the frame after cost ~10 ms a call, for the ~50 parts of a drivers report.
    n = len(rows)
    keys = rows["key"].tolist()
    values = {
        "metric": [metric] * n,
        "comparison": [comparison] * n,
        "dimension": [dimension] * n,
        "key": keys,
        "current": rows["current"],
        "base": rows["base"],
        "contribution": rows["contribution"],
        "change_pct": pct_change(rows["current"], rows["base"]) if n else [],
        "effect": rows["effect"],
        "label": [(labels or {}).get(k, k) for k in keys],
        "total_current": [float(totals[0])] * n,
        "total_base": [float(totals[1])] * n,
    }
    return pd.DataFrame(
        {c: pd.Series(values[c], index=rows.index, dtype=_dtype(c)) for c in DRIVER_COLUMNS}
    )


def combined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The drivers table: metrics in METRICS order, comparisons and dimensions as built."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty()
    table = pd.concat(parts, ignore_index=True)
    order = table["metric"].map({m: i for i, m in enumerate(METRICS)})
    return table.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def ratio_total(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else np.nan

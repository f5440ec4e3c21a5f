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
    part = additive_part(current, base, total_current, total_base, top)
    return pd.DataFrame(
        {
            "key": pd.Series(part["key"], dtype="str"),
            "current": part["current"],
            "base": part["base"],
            "contribution": part["contribution"],
            "effect": pd.Series(part["effect"], dtype="str"),
        }
    )


def additive_part(
    current: pd.Series,
    base: pd.Series,
    total_current: float,
    total_base: float,
    top: int | None = TOP_KEYS,
) -> dict:
    """`additive`'s columns as lists and arrays, not a DataFrame: a drivers report makes ~50
    of these small tables, and building a DataFrame (text columns and all) for each, then
    concatenating them, was most of the report's CPU; `table_of` builds one for them all."""
    if current.index.equals(base.index):
        index = current.index
        now = current.to_numpy(dtype="float64")
        then = base.to_numpy(dtype="float64")
    else:
        both = pd.concat([current.rename("current"), base.rename("base")], axis=1).fillna(0.0)
        index = both.index
        now = both["current"].to_numpy(dtype="float64")
        then = both["base"].to_numpy(dtype="float64")
    # In numpy from here (the same stable orders as pandas').
    keys = np.asarray(index.astype("str"), dtype=object)
    if np.isnan(now).any() or np.isnan(then).any():  # as the join's fillna(0.0) does
        now, then = np.nan_to_num(now, nan=0.0), np.nan_to_num(then, nan=0.0)
    change = now - then
    rows = np.arange(len(keys))
    if top is not None:
        rows = np.argsort(-np.abs(change), kind="stable")[:top]
        rows = rows[change[rows] != 0]
    # Ties in change go by key (code point order, as pandas ranks text).
    _, key_rank = np.unique(keys[rows], return_inverse=True)
    rows = rows[np.lexsort((key_rank.reshape(-1), -change[rows]))]
    keys, now, then, change = keys[rows].tolist(), now[rows], then[rows], change[rows]
    rest_current = total_current - now.sum()
    rest_base = total_base - then.sum()
    if not (np.isclose(rest_current, 0) and np.isclose(rest_base, 0)):
        keys.append(EVERYTHING_ELSE)
        now = np.append(now, rest_current)
        then = np.append(then, rest_base)
        change = np.append(change, rest_current - rest_base)
    return {
        "key": keys,
        "current": now,
        "base": then,
        "contribution": change,
        "effect": ["change"] * len(keys),
    }


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
    return table_of([labelled_part(rows, metric, comparison, dimension, totals, labels)])


def labelled_part(
    rows: pd.DataFrame | dict,
    metric: str,
    comparison: str,
    dimension: str,
    totals: tuple[float, float],
    labels=None,
) -> dict:
    """`labelled`'s columns as lists and arrays (see additive_part); `rows` is a DataFrame
    or an additive_part. `labels` is anything with `.get(key, default)`."""
    keys = rows["key"].tolist() if isinstance(rows, pd.DataFrame) else list(rows["key"])
    n = len(keys)
    figures = {
        c: np.asarray(rows[c], dtype="float64").reshape(-1)
        for c in ("current", "base", "contribution")
    }
    effect = rows["effect"]
    return {
        "metric": [metric] * n,
        "comparison": [comparison] * n,
        "dimension": [dimension] * n,
        "key": keys,
        **figures,
        "change_pct": _pct_change(figures["current"], figures["base"]),
        "effect": effect.tolist() if isinstance(effect, pd.Series) else list(effect),
        "label": [(labels or {}).get(k, k) for k in keys],
        "total_current": np.full(n, float(totals[0])),
        "total_base": np.full(n, float(totals[1])),
    }


def _pct_change(current: np.ndarray, base: np.ndarray) -> np.ndarray:
    """utilities.pct_change in numpy: (current - base) / |base| x 100, NaN where base is 0."""
    den = np.abs(base)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (current - base) * 100.0 / np.where(den != 0, den, np.nan)
    out[np.isinf(out)] = np.nan
    return out


def table_of(parts: list[dict]) -> pd.DataFrame:
    """One drivers table from labelled_parts, in their order: each column made once."""
    columns = {}
    for c in DRIVER_COLUMNS:
        if _dtype(c) == "str":
            values = [v for p in parts for v in p[c]]
        else:
            values = np.concatenate([p[c] for p in parts]) if parts else []
        columns[c] = pd.Series(values, dtype=_dtype(c))
    return pd.DataFrame(columns)


def combined(parts: list[pd.DataFrame | dict]) -> pd.DataFrame:
    """The drivers table: metrics in METRICS order, comparisons and dimensions as built.
    Parts are tables or labelled_parts (not both)."""
    parts = [p for p in parts if len(p["key"])]
    if not parts:
        return empty()
    dicts = isinstance(parts[0], dict)
    table = table_of(parts) if dicts else pd.concat(parts, ignore_index=True)
    order = table["metric"].map({m: i for i, m in enumerate(METRICS)})
    return table.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def ratio_total(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else np.nan

"""Which days were unusual: each day against the same weekday of the previous 8 weeks.

A day's expected range is median ± max(k · MAD · 1.4826, min_spread · median) of those 8
days' values (MAD = median absolute deviation; the factor 1.4826 makes it estimate a
standard deviation for normal noise). k defaults to 4 and min_spread to 0.2 (20 % of the
median): eight days give a noisy spread, and a day-to-day wobble of 10-15 % is common on a
site or channel, so a tighter range flags ordinary days. Both are configurable
(`anomalies: {k, min_spread}`). Days outside the range are flagged `spike` or `drop`.

A source (GA4 property or YouTube channel) that sends nothing on a day where it usually has
at least `min_baseline` is flagged `tracking_break` for its site or channel group instead:
a tag that stopped firing, not a traffic drop. Only days every source has finished
processing are judged, so a day still arriving is never flagged.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

ANOMALY_COLUMNS = (
    "date",
    "service",
    "entity",
    "metric",
    "value",
    "expected_low",
    "expected_high",
    "kind",
    "detail",
)
WEEKS = 8
MIN_WEEKS = 4  # fewer same-weekday days than this in the history: no judgement
MAD_SCALE = 1.4826
# Judged per service; watch minutes follow views and are noisier (a few long sessions).
METRICS = {"ga": ("pageviews", "sessions"), "youtube": ("views",)}


@dataclass(frozen=True)
class Rule:
    """How far from its usual a day must be to be flagged (see the module docstring)."""

    k: float = 4.0
    min_spread: float = 0.2
    min_baseline: float = 50.0  # a source usually this big that sends nothing is a break


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in ANOMALY_COLUMNS})


def _dtype(column: str) -> str:
    return "float64" if column in ("value", "expected_low", "expected_high") else "str"


def wide(frame: pd.DataFrame, key: str, metric: str, first: date, last: date) -> pd.DataFrame:
    """Days (every calendar day first..last) x `key` values of `metric`, 0 where no rows."""
    days = pd.Index([first + timedelta(days=i) for i in range((last - first).days + 1)])
    table = frame.pivot_table(index="date", columns=key, values=metric, aggfunc="sum")
    return table.reindex(days, fill_value=0).fillna(0.0).astype("float64")


def expected(values: pd.DataFrame, days: Iterable[date], rule: Rule) -> pd.DataFrame:
    """Per judged day and column: date, entity, value, expected_low, expected_high, median
    (days without enough history left out).

    In numpy, every judged day and column at once: a row per day and entity through pandas
    cost seconds on a 40-property network (the Overview's slowest table), and a median call
    per day was still most of it. A day with fewer than WEEKS same weekdays in the history
    has the missing ones as NaN, which the medians leave out as they would absent rows."""
    columns = ["date", "entity", "value", "expected_low", "expected_high", "median"]
    position = {day: i for i, day in enumerate(values.index)}
    grid = values.to_numpy(dtype="float64")
    entities = np.array([str(e) for e in values.columns], dtype=object)
    missing = len(grid)  # the NaN row appended below
    judged, weeks = [], []
    for day in days:
        back = [
            position[b] for w in range(1, WEEKS + 1) if (b := day - timedelta(weeks=w)) in position
        ]
        if len(back) < MIN_WEEKS or day not in position:
            continue
        judged.append(day)
        weeks.append(back + [missing] * (WEEKS - len(back)))
    if not judged or not len(entities):
        return pd.DataFrame([], columns=columns)
    padded = np.vstack([grid, np.full((1, grid.shape[1]), np.nan)])
    history = padded[np.array(weeks)]  # judged days x WEEKS x entities
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column: NaN, as pandas
        median = np.nanmedian(history, axis=1)
        mad = np.nanmedian(np.abs(history - median[:, np.newaxis, :]), axis=1)
    half = np.maximum(rule.k * MAD_SCALE * mad, rule.min_spread * median)
    value = grid[[position[day] for day in judged]].ravel()
    median, half = median.ravel(), half.ravel()
    return pd.DataFrame(
        {
            "date": np.repeat(np.array(judged, dtype=object), len(entities)),
            "entity": np.tile(entities, len(judged)),
            "value": value,
            "expected_low": np.maximum(median - half, 0.0),
            "expected_high": median + half,
            "median": median,
        },
        columns=columns,
    )


def outside(ranges: pd.DataFrame) -> pd.DataFrame:
    """The rows of `expected` outside their range, with `kind` spike or drop."""
    high = ranges["value"] > ranges["expected_high"]
    low = ranges["value"] < ranges["expected_low"]
    flagged = ranges[high | low]
    return flagged.assign(kind=np.where(high[high | low], "spike", "drop"), detail="")


def breaks(
    sources: pd.DataFrame, source_entity: dict[str, str], noun: str, unit: str, rule: Rule
) -> pd.DataFrame:
    """Source-days (from `expected` over sources) with nothing where there is usually at
    least `min_baseline`: date, entity (the source's site or group), detail."""
    silent = sources[(sources["value"] == 0) & (sources["median"] >= rule.min_baseline)]
    return pd.DataFrame(
        {
            "date": silent["date"],
            "entity": silent["entity"].map(source_entity),
            "detail": [
                f"{noun} {s} sent no data (usually about {m:,.0f} {unit}): likely a tracking "
                "break, not a traffic drop"
                for s, m in zip(silent["entity"], silent["median"], strict=True)
            ],
        }
    )


def combine(
    service: str,
    by_metric: dict[str, pd.DataFrame],
    broken: pd.DataFrame,
    primary: str,
) -> pd.DataFrame:
    """Flags of one service: traffic flags, except that an entity-day with a tracking break
    shows that instead (on the primary metric, with the entity's own value and range)."""
    parts = []
    if len(broken):
        details = broken.groupby(["date", "entity"], sort=False)["detail"].agg("; ".join)
        ranges = by_metric[primary].set_index(["date", "entity"])
        shown = ranges.loc[ranges.index.intersection(details.index)]
        parts.append(
            shown.assign(kind="tracking_break", detail=details[shown.index], metric=primary)
            .reset_index()
            .assign(service=service)
        )
    broken_days = set(zip(broken["date"], broken["entity"], strict=True))
    for metric, ranges in by_metric.items():
        flagged = outside(ranges)
        keep = [
            (d, e) not in broken_days
            for d, e in zip(flagged["date"], flagged["entity"], strict=True)
        ]
        keep = pd.Series(keep, index=flagged.index, dtype=bool)  # a plain [] would pick columns
        parts.append(flagged[keep].assign(metric=metric, service=service))
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty()
    out = pd.concat(parts, ignore_index=True)
    return out[list(ANOMALY_COLUMNS)]


def finish(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The anomalies table: by date, service, entity, metric; dates as YYYY-MM-DD."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty()
    table = pd.concat(parts, ignore_index=True)
    table = table.sort_values(["date", "service", "entity", "metric"], kind="stable")
    table["date"] = pd.to_datetime(table["date"]).dt.strftime("%Y-%m-%d")
    return table.reset_index(drop=True).astype({c: _dtype(c) for c in ANOMALY_COLUMNS})

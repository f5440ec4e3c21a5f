"""GA4 reports behind Insights, riding in the web rounds' calls (no call of their own):

- `device_parts`: pageviews, users, sessions and engaged sessions by device for every date
  range (DEVICE_PART_METRICS, asked in the first round's devices report), so every
  headline metric can be split by device and engagement rate rebuilt.
- `history`: pageviews, users and sessions per day from `HISTORY_WEEKS` weeks before the
  period through its end (cut from the early round's report by date), the baseline the
  anomaly flags compare each day with.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pandas as pd

from statsdash import anomalies as a
from statsdash import drivers as d
from statsdash.ga import tables as t
from statsdash.ga.query import ReportRequest, date_ranges
from statsdash.periods import Period

HISTORY_WEEKS = 8  # the same weekday of the previous 8 weeks is a day's baseline


DEVICE_PART_METRICS = ("screenPageViews", "totalUsers", "sessions", "engagedSessions")


def device_parts_request(ranges: Mapping[str, Period]) -> ReportRequest:
    return ReportRequest(date_ranges(ranges), DEVICE_PART_METRICS, ("deviceCategory",))


def history_period(period: Period) -> Period:
    return Period("history", period.start - timedelta(weeks=HISTORY_WEEKS), period.end)


def prefetch(data, *, drivers: bool = True) -> None:
    """Start the round that carries the history (the early one) in the background, and
    for drivers the first round with its article reports."""
    data.prefetch(first=drivers, articles=drivers)


# Drivers: every split comes from the rows the web pages fetch anyway, except devices.


def driver_frames(data) -> dict[str, tuple[pd.DataFrame, str, dict[str, str]]]:
    """Dimension -> (rows with `range` and metric columns, key column, key -> label)."""
    data.want_articles()  # in the first round, if it has not left yet
    sources = data.frame("sources")
    sources = sources.assign(source_medium=sources["source"] + " / " + sources["medium"])
    articles = data.frame("articles")
    articles = articles[articles["path"] != t.OTHER]
    articles = articles.assign(article=articles["site"] + articles["path"])
    titles = _Titles(articles)
    devices = data.frame("device_parts").rename(columns={"engagedSessions": "engaged_sessions"})
    totals = data.frame("countries", totals=True)
    return {
        "site": (totals, "site", {}),
        "article": (articles, "article", titles),
        "source_medium": (sources, "source_medium", {}),
        "country": (data.frame("countries"), "country", {}),
        "device_category": (devices, "device_category", {}),
    }


class _Titles:
    """Article key -> its title (the last row's, decoded and AMP-marked), made for the keys
    a drivers table shows only: decoding every article row's title was a tenth of the
    report's CPU, for the ~20 keys shown."""

    def __init__(self, articles: pd.DataFrame) -> None:
        # dict() keeps each key's last pair, as the comprehension it replaces did.
        pairs = zip(articles["title"], articles["path"], strict=True)
        self._rows = dict(zip(articles["article"], pairs, strict=True))
        self._done: dict[str, str] = {}

    def __bool__(self) -> bool:
        return bool(self._rows)

    def get(self, key: str, default: str | None = None) -> str | None:
        if key not in self._done:
            row = self._rows.get(key)
            if row is None:
                return default
            self._done[key] = t.clean_title(*row)
        return self._done[key]


DIMENSIONS_OF = {
    "pageviews": ("site", "article", "source_medium", "country", "device_category"),
    "users": ("site", "source_medium", "country", "device_category"),
    "sessions": ("site", "source_medium", "country", "device_category"),
}


def driver_table(data, comparisons: Mapping[str, str]) -> pd.DataFrame:
    """The web part of the drivers report; `comparisons` maps comparison key -> suffix."""
    frames = driver_frames(data)
    totals, devices = frames["site"][0], frames["device_category"][0]
    sums = _Sums()
    parts = []
    for comparison, suffix in comparisons.items():
        for metric, dimensions in DIMENSIONS_OF.items():
            whole = (_total(totals, metric, t.CURRENT), _total(totals, metric, suffix))
            for dimension in dimensions:
                rows, key, labels = frames[dimension]
                table = d.additive_part(
                    sums(rows, key, metric, t.CURRENT),
                    sums(rows, key, metric, suffix),
                    *whole,
                    top=None if dimension == "site" else d.TOP_KEYS,
                )
                parts.append(d.labelled_part(table, metric, comparison, dimension, whole, labels))
        for metric, (num, den) in d.RATIO_METRICS.items():
            source = totals if num in totals else devices
            split = d.mix_and_rate(
                (sums(source, "site", num, t.CURRENT), sums(source, "site", num, suffix)),
                (sums(source, "site", den, t.CURRENT), sums(source, "site", den, suffix)),
            )
            whole = tuple(
                d.ratio_total(_total(source, num, r), _total(source, den, r))
                for r in (t.CURRENT, suffix)
            )
            parts.append(d.labelled_part(split, metric, comparison, "site", whole))
    return d.combined(parts)


class _Sums:
    """drivers.sums, from one groupby per frame and key for every range and metric (the
    drivers asked one per range, metric and comparison: ~60 groupbys a report)."""

    def __init__(self) -> None:
        self._grouped: dict[tuple[int, str], pd.DataFrame] = {}
        self._ranges: dict[tuple, pd.DataFrame] = {}

    def __call__(self, frame: pd.DataFrame, key: str, metric: str, range_name: str):
        cache_key = (id(frame), key)
        if cache_key not in self._grouped:
            metrics = [c for c in frame.columns if c not in (key, "range") and _summable(frame[c])]
            self._grouped[cache_key] = frame.groupby(["range", key], sort=True)[metrics].sum()
        grouped = self._grouped[cache_key]
        if metric not in grouped.columns or range_name not in grouped.index.levels[0]:
            return d.sums(frame, key, metric, range_name)
        # One cross-section per range, for every metric asked of it.
        part = self._ranges.get((cache_key, range_name))
        if part is None:
            part = self._ranges[cache_key, range_name] = grouped.xs(range_name, level="range")
        return part[metric].astype("float64")


def _summable(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _total(frame: pd.DataFrame, metric: str, range_name: str) -> float:
    return float(frame.loc[frame["range"] == range_name, metric].sum())


# Anomalies: each site's days, and each property's (for tracking breaks).


def anomaly_table(data, rule: a.Rule) -> pd.DataFrame:
    """Flagged days of the period for the sites whose every property answered."""
    history = data.frame("history")
    available = data.check_available_data()
    if history.empty or available.empty:
        return a.empty()
    through = dict(zip(available["property"], available["complete_through"], strict=True))
    site_of = {p.id: s for s, p in data.properties}
    whole = [s for s, site in data.sites.items() if all(p.id in through for p in site.properties)]
    last = min(data.period.end, max(through.values()))
    first = history_period(data.period).start
    days = [day for day in data.period.dates() if day <= last]

    def judged(ranges: pd.DataFrame, until: dict[str, object]) -> pd.DataFrame:
        keep = [
            day <= until.get(e, first)
            for day, e in zip(ranges["date"], ranges["entity"], strict=True)
        ]
        return ranges[pd.Series(keep, index=ranges.index, dtype=bool)]  # [] would pick columns

    site_through = {s: min(through[p.id] for p in data.sites[s].properties) for s in whole}
    by_metric = {}
    for metric in a.METRICS["ga"]:
        values = a.wide(history[history["site"].isin(whole)], "site", metric, first, last)
        by_metric[metric] = judged(a.expected(values, days, rule), site_through)
    per_property = a.wide(history, "property", "pageviews", first, last)
    sources = judged(a.expected(per_property, days, rule), through)
    broken = a.breaks(sources, site_of, "property", "pageviews", rule)
    return a.combine("ga", by_metric, broken, "pageviews")

"""YouTube queries and tables behind Insights, asked through a YoutubeData's shared fetcher.

Beyond the channel totals the pages ask anyway, drivers need per period one query by video
(the top `VIDEO_ROWS` by views) and one by traffic source type per channel, plus one
videos.list call for the titles shown; anomaly flags need one daily query over the
previous 8 weeks.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import wait
from datetime import timedelta

import pandas as pd

from statsdash import anomalies as a
from statsdash import budget
from statsdash import drivers as d
from statsdash.periods import Period
from statsdash.youtube import frames
from statsdash.youtube.fetch import DAILY, TOTALS, TRAFFIC, Shape

VIDEO_ROWS = 200  # the most a video query may return
VIEW_METRICS = ("views", "engagedViews", "estimatedMinutesWatched")
VIDEO_DRIVERS = Shape(
    "videos for drivers",
    (*VIEW_METRICS, "subscribersGained", "subscribersLost"),
    ("video",),
    split=False,
    sort="-views",
    max_results=VIDEO_ROWS,
)
# Traffic source types only go with view metrics (YouTube answers 400 otherwise): yt-traffic's
# query asks them, so the drivers share its answers.
TRAFFIC_DRIVERS = TRAFFIC
RENAMES = {"engagedViews": "engaged_views", "subscriber_change": "net_subscribers"}
DIMENSIONS_OF = {
    "views": ("channel", "video", "source_type"),
    "engaged_views": ("channel", "video", "source_type"),
    "watch_minutes": ("channel", "video", "source_type"),
    "net_subscribers": ("channel", "video"),
}


def prefetch(data, *, drivers: bool = True, anomalies: bool = True) -> None:
    """Ask every query drivers and/or anomalies need at once (answers are shared by key)."""
    for shape in (TOTALS, TRAFFIC_DRIVERS, VIDEO_DRIVERS) if drivers else ():
        for period in data._periods().values():
            data._query(shape, period)
    if anomalies:
        data._query(DAILY, history_period(data.period))


def _tidy(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if frame is None else frames.tidy(frame).rename(columns=RENAMES)


def _groups(data, frame: pd.DataFrame | None, keys=()) -> pd.DataFrame | None:
    return None if frame is None else data._to_groups(frame, list(keys)).rename(columns=RENAMES)


def _video_sums(current: pd.DataFrame, base: pd.DataFrame, metric: str):
    """Per video, the sums of both periods for the videos known in both: a video missing
    from a list cut at VIDEO_ROWS may still have had views there, so it is left to
    `(everything else)` rather than counted as 0."""
    now, then = (f.set_index("video")[metric].astype("float64") for f in (current, base))
    known = now.index.intersection(then.index)
    if len(base) < VIDEO_ROWS:
        known = known.union(now.index)
    if len(current) < VIDEO_ROWS:
        known = known.union(then.index)
    return now.reindex(known, fill_value=0.0), then.reindex(known, fill_value=0.0)


def driver_table(data, comparisons: Mapping[str, str]) -> pd.DataFrame:
    """The YouTube part of the drivers report; `comparisons` maps comparison key -> suffix."""
    return _titled(data, _untitled(data, comparisons))


def start_titles(data, comparisons: Mapping[str, str]) -> None:
    """Ahead of the drivers report (`export --all` does this on its YouTube lane, while the
    web tables are built): its table without titles made, and the titles' videos.list call
    started, so the report neither waits for that call nor builds the table again.

    Only when every answer the table reads is in without a failure: a failure is recorded
    when it is read, and must be no earlier than the report's own (the reports built
    before it, brands and daily, would name it)."""
    needed = [
        data._query(shape, period)
        for shape in (TOTALS, TRAFFIC_DRIVERS, VIDEO_DRIVERS)
        for period in data._periods().values()
    ]
    if data._needs_availability_check():
        needed.append(data._query(DAILY, data.period))
    deadline = budget.deadline_for("youtube")
    _, pending = wait(needed, timeout=deadline.remaining() if deadline is not None else None)
    if pending or data.failures or any(f.exception() is not None for f in needed):
        return
    ids = _video_ids(_untitled(data, comparisons))
    if ids:
        data._fetcher.submit(("titles", ids), lambda: data.analytics.get_video(ids))


def _untitled(data, comparisons: Mapping[str, str]) -> pd.DataFrame:
    """driver_table before its titles, made once per data object and comparisons (the
    answers it reads never change); callers get their own copy."""
    key = tuple(comparisons.items())
    memo = data.__dict__.setdefault("_driver_tables", {})
    if key not in memo:
        memo[key] = _driver_parts(data, comparisons)
    return memo[key].copy()


def _driver_parts(data, comparisons: Mapping[str, str]) -> pd.DataFrame:
    totals = {s: _groups(data, f) for s, f in data._by_shape(TOTALS).items()}
    traffic = {
        s: _groups(data, f, ["source_type"]) for s, f in data._by_shape(TRAFFIC_DRIVERS).items()
    }
    videos = {s: _tidy(f) for s, f in data._by_shape(VIDEO_DRIVERS).items()}
    parts = []
    for comparison, suffix in comparisons.items():
        for metric, dimensions in DIMENSIONS_OF.items():
            # Channel totals carry engaged views once the pages ask for them; until then
            # the traffic split (which covers every view) gives them.
            whole_of = totals if _has(totals, metric) else traffic
            now, then = whole_of[""], whole_of[suffix]
            if now is None or then is None or metric not in now:
                continue
            whole = (float(now[metric].sum()), float(then[metric].sum()))
            for dimension in dimensions:
                pair = _pair(dimension, metric, suffix, whole_of, traffic, videos)
                if pair is None:
                    continue
                top = None if dimension == "channel" else d.TOP_KEYS
                table = d.additive_part(*pair, *whole, top=top)
                parts.append(d.labelled_part(table, metric, comparison, dimension, whole))
    return d.combined(parts)


def _has(tables: dict, metric: str) -> bool:
    now = tables.get("")
    return now is not None and metric in now


def _pair(dimension, metric, suffix, totals, traffic, videos):
    if dimension == "channel":
        now, then = totals[""], totals[suffix]
        return _by(now, "channel", metric), _by(then, "channel", metric)
    if dimension == "source_type":
        now, then = traffic[""], traffic[suffix]
        if now is None or then is None:
            return None
        return _by(now, "source_type", metric), _by(then, "source_type", metric)
    now, then = videos[""], videos[suffix]
    if now is None or then is None:
        return None
    return _video_sums(now, then, metric)


def _by(frame: pd.DataFrame, key: str, metric: str) -> pd.Series:
    return frame.groupby(key, sort=True)[metric].sum().astype("float64")


def _titled(data, table: pd.DataFrame) -> pd.DataFrame:
    """Video rows labelled with their titles: one videos.list call (50 ids a call)."""
    rows = _video_rows(table)
    ids = _video_ids(table)
    if not ids:
        return table
    future = data._fetcher.submit(("titles", ids), lambda: data.analytics.get_video(ids))
    got = data._gather({"titles": future}, {"titles": "video titles (videos.list)"})["titles"]
    titles = {v: info.get("title") or v for v, info in (got or {}).items()}
    table.loc[rows, "label"] = table.loc[rows, "key"].map(lambda v: titles.get(v, v))
    return table


def _video_rows(table: pd.DataFrame) -> pd.Series:
    return (table["dimension"] == "video") & (table["key"] != d.EVERYTHING_ELSE)


def _video_ids(table: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sorted(set(table.loc[_video_rows(table), "key"])))


def history_period(period: Period, weeks: int = 8) -> Period:
    return Period("history", period.start - timedelta(weeks=weeks), period.end)


def daily_history(data) -> pd.DataFrame | None:
    """Per channel ID per day, 8 weeks before the period through its end (None: failed)."""
    period = history_period(data.period)
    what = {"": f"daily history {frames.span(period)}"}
    frame = data._gather({"": data._query(DAILY, period)}, what)[""]
    return _tidy(frame)


def anomaly_table(data, rule: a.Rule) -> pd.DataFrame:
    """Flagged days of the period per channel group, and channels that went silent."""
    history = daily_history(data)
    if history is None or history.empty:
        return a.empty()
    history = history.assign(date=pd.to_datetime(history["date"]).dt.date)
    # The last day YouTube has rows for at all: later days are still arriving, not zero.
    last = min(data.period.end, history["date"].max())
    first = history_period(data.period).start
    days = [day for day in data.period.dates() if day <= last]
    groups = [g for g in data.groups if g not in data._failed_groups]
    history = history[history["channel"].map(data.group_of).isin(groups)]
    grouped = history.assign(group=history["channel"].map(data.group_of))
    values = a.wide(grouped, "group", "views", first, last)
    by_metric = {"views": a.expected(values, days, rule)}
    per_channel = a.expected(a.wide(history, "channel", "views", first, last), days, rule)
    broken = a.breaks(per_channel, data.group_of, "channel", "views", rule)
    return a.combine("youtube", by_metric, broken, "views")

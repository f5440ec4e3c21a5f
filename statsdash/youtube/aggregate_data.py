"""YouTube report tables for a selection of channel groups, period and comparisons.

Every table asks one reports.query per query shape and period for all selected channels
(`channel==A,B,...`, split by the `channel` dimension where a table is per group) and sums
the channels of each group afterwards. `channel` in every table is the group's name.

Tables that are not CSV contracts:
- `daily_series()`: one row per channel group per day with data: date (datetime64),
  channel, views, watch_minutes, subscriber_change; days without rows are absent, not 0.
- `check_available_data()`: one row per channel ID: group, channel (the ID),
  complete_through (the last day of the period with rows, or NaT).
Countries are ISO 3166 alpha-2 codes as YouTube returns them (`ZZ` = unknown).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future
from datetime import date, timedelta

import numpy as np
import pandas as pd

from statsdash.config import Config
from statsdash.errors import FetchError
from statsdash.periods import COMPARISONS, Period, comparison
from statsdash.reports import SelectionError
from statsdash.utilities import comparison_columns, per_thousand, ratio, share_pct, top_n
from statsdash.youtube import frames
from statsdash.youtube.analytics import PROVISIONAL_DAYS, Analytics
from statsdash.youtube.fetch import (
    COUNTRIES,
    DAILY,
    NET_SUBSCRIBERS,
    TOP_VIDEOS,
    TOTALS,
    TRAFFIC,
    Fetcher,
    Shape,
)

SUMMARY_METRICS = ("subscribers", "subscriber_change", "watch_minutes", "views")
STATS_METRICS = (
    "views",
    "likes",
    "dislikes",
    "comments",
    "shares",
    "subscribers_gained",
    "like_rate",
    "comment_rate",
    "share_rate",
    "subs_rate",
    "like_ratio",
)
COUNTRY_METRICS = ("views", "watch_minutes", "subscriber_change")
VIDEO_METRICS = ("watch_minutes", "views")
TRAFFIC_METRICS = ("watch_minutes", "share_pct")
TOP_COUNTRIES = 20
TOP_VIDEO_COUNT = TOP_VIDEOS.max_results


class YoutubeData:
    """The YouTube tables for `channels` (channel group names; empty = all) and `period`."""

    def __init__(
        self,
        config: Config,
        channels: Sequence[str],
        period: Period,
        comparisons: Sequence[str] = (),
        *,
        refresh: bool = False,
        analytics: Analytics | None = None,
        today: date | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        yt = config.youtube
        names = tuple(channels) or tuple(yt.channels)
        for name in names:
            if name not in yt.channels:
                raise SelectionError(
                    f"unknown channel group {name!r}; configured: {', '.join(yt.channels)}"
                )
        self.config = config
        self.period = period
        self.groups = {name: yt.channels[name].ids for name in names}
        self.group_of = {cid: name for name, ids in self.groups.items() for cid in ids}
        self.ids = tuple(self.group_of)
        self.comparisons = {COMPARISONS[k]: comparison(period, k) for k in comparisons}
        self.analytics = analytics or Analytics(config, refresh=refresh, today=today)
        self.today = today or self.analytics.today
        self.failures: dict[str, str] = {}
        self.notes: list[str] = []
        self._fetcher = Fetcher(progress)
        self._availability_noted = False

    # ------------------------------------------------------------ queries and failures

    def close(self) -> None:
        self._fetcher.close()

    def _groups_label(self, names: Sequence[str] | None = None) -> str:
        names = list(names or self.groups)
        return f"Channel group{'s' if len(names) > 1 else ''} {', '.join(names)}"

    def _fail(self, source: str, message: str) -> None:
        known = self.failures.get(source)
        if known is None:
            self.failures[source] = message
        elif message not in known:
            self.failures[source] = f"{known}; {message}"

    def _query(self, shape: Shape, period: Period) -> Future:
        def run() -> pd.DataFrame:
            return self.analytics.rollup_ids(
                self.ids,
                period.start,
                period.end,
                shape.metrics,
                shape.dimensions,
                sort=shape.sort,
                max_results=shape.max_results,
                split=shape.split,
            )

        return self._fetcher.submit(("report", shape, period.start, period.end), run)

    def _periods(self) -> dict[str, Period]:
        """ "" (the period itself) and each comparison suffix -> its period."""
        return {"": self.period, **self.comparisons}

    def _gather(
        self, futures: Mapping[Hashable, Future], what: Mapping[Hashable, str]
    ) -> dict[Hashable, object]:
        """Results by name; a failed one is None and recorded against every selected group."""
        if self._needs_availability_check():
            futures = {**futures, "_availability": self._query(DAILY, self.period)}
        results = self._fetcher.gather(dict(futures))
        for name, value in results.items():
            if isinstance(value, FetchError):
                label = what.get(name, "data availability check")
                self._fail(self._groups_label(), f"{label}: {value.reason}")
                results[name] = None
        if "_availability" in results:
            self._note_availability(results.pop("_availability"))
        return results

    def _by_shape(self, shape: Shape) -> dict[str, pd.DataFrame | None]:
        """The shape for the period and each comparison period, keyed by suffix ("" = now)."""
        periods = self._periods()
        futures = {sfx: self._query(shape, p) for sfx, p in periods.items()}
        what = {sfx: f"{shape.label} {frames.span(p)}" for sfx, p in periods.items()}
        return self._gather(futures, what)

    # ------------------------------------------------------------ shared pandas steps

    def _to_groups(self, frame: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
        """Channel IDs -> their group (as `channel`), summed per group and `keys`."""
        out = frames.tidy(frame)
        out["channel"] = out["channel"].map(self.group_of).astype("str")
        metrics = [c for c in out.columns if c not in ("channel", *keys)]
        return out.groupby(["channel", *keys], sort=False, as_index=False)[metrics].sum()

    def _all_groups(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Every selected group gets a row, 0 where it had no data."""
        out = frame.set_index("channel").reindex(list(self.groups), fill_value=0)
        return out.rename_axis("channel").reset_index()

    def _contract_empty(self, columns: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
        dims = [c for c in columns if c not in metrics]
        return frames.empty(dims + comparison_columns(metrics, list(self.comparisons)))

    # ------------------------------------------------------------ data availability

    def _needs_availability_check(self) -> bool:
        """Only recent periods can lack days: older data is final."""
        recent = self.period.end >= self.today - timedelta(days=PROVISIONAL_DAYS)
        return recent and not self._availability_noted

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _note_availability(self, daily: pd.DataFrame | None) -> None:
        self._availability_noted = True
        if daily is not None:
            table = frames.availability(daily, self.group_of)
            for note in frames.availability_notes(table, self.groups, self.period):
                self._note(note)

    def check_available_data(self) -> pd.DataFrame:
        """Per channel ID: its group and the last day of the period YouTube has rows for."""
        what = f"data availability check {frames.span(self.period)}"
        daily = self._gather({"daily": self._query(DAILY, self.period)}, {"daily": what})["daily"]
        if daily is None:
            return frames.empty(frames.AVAILABILITY_COLUMNS)
        self._note_availability(daily)
        return frames.availability(daily, self.group_of)

    # ------------------------------------------------------------ yt-channels

    def _current_counts(self, stats: dict | None) -> pd.Series:
        """Current subscribers per channel ID, NaN where unknown (failure or note says why)."""
        counts = pd.Series(np.nan, index=list(self.ids), dtype="float64")
        if stats is None:
            return counts
        for cid in self.ids:
            group = self.group_of[cid]
            if cid not in stats:
                self._fail(
                    f"channel {cid}",
                    f"channels.list did not return this channel of {group} (deleted, mistyped "
                    f"in the config, or not visible to this account); {group}'s subscribers "
                    "are left empty",
                )
            elif "subscriberCount" not in stats[cid]:
                self._note(
                    f"channel {cid} ({group}) hides its subscriber count; "
                    f"{group}'s subscribers are left empty"
                )
            else:
                counts[cid] = stats[cid]["subscriberCount"]
        return counts

    def _net_by_channel(self, frame: pd.DataFrame | None) -> pd.Series:
        """Net subscribers gained per channel ID (0 without rows, NaN when the query failed)."""
        if frame is None:
            return pd.Series(np.nan, index=list(self.ids), dtype="float64")
        net = (
            (frame["subscribersGained"] - frame["subscribersLost"]).groupby(frame["channel"]).sum()
        )
        return net.reindex(list(self.ids), fill_value=0).astype("float64")

    def _subscriber_queries(self) -> dict[Hashable, tuple[Future, str]]:
        """Net subscribers from each period's end to today: one query per end, except that
        the previous period's follows from the current period's (its end is our start - 1)."""
        queries = {}
        for sfx, period in self._periods().items():
            derived = sfx and period.end + timedelta(days=1) == self.period.start
            if derived or period.end >= self.today:
                continue
            after = Period("after", period.end + timedelta(days=1), self.today)
            label = f"subscribers gained {frames.span(after)}"
            queries[("after", sfx)] = (self._query(NET_SUBSCRIBERS, after), label)
        return queries

    def _subscribers_at_ends(self, results: dict) -> dict[str, pd.Series]:
        """Per suffix: subscribers per channel ID at that period's end, exactly."""
        current = self._current_counts(results["stats"])
        after: dict[str, pd.Series] = {}
        for sfx, period in self._periods().items():
            if ("after", sfx) in results:
                after[sfx] = self._net_by_channel(results[("after", sfx)])
            elif period.end >= self.today:
                after[sfx] = pd.Series(0.0, index=list(self.ids))
            else:
                after[sfx] = after[""] + self._net_by_channel(results[("totals", "")])
        return {sfx: current - net for sfx, net in after.items()}

    def _summary(self, totals: pd.DataFrame, subscribers: pd.Series) -> pd.DataFrame:
        groups = self._all_groups(self._to_groups(totals))
        by_group = subscribers.groupby(self.group_of).agg(lambda s: s.sum(skipna=False))
        return pd.DataFrame(
            {
                "channel": groups["channel"],
                "subscribers": frames.whole(groups["channel"].map(by_group).astype("float64")),
                "subscriber_change": groups["subscriber_change"],
                "watch_minutes": groups["watch_minutes"],
                "views": groups["views"],
            }
        )

    def channel_summary_table(self) -> pd.DataFrame:
        """yt-channels: subscribers at the period's end, their change, watch minutes, views."""
        periods = self._periods()
        futures = {("totals", s): self._query(TOTALS, p) for s, p in periods.items()}
        what = {("totals", s): f"channel totals {frames.span(p)}" for s, p in periods.items()}
        futures["stats"] = self._fetcher.submit(
            ("stats", self.ids), lambda: self.analytics.get_stats(self.ids)
        )
        what["stats"] = "current subscriber counts (channels.list)"
        for key, (future, label) in self._subscriber_queries().items():
            futures[key], what[key] = future, label
        results = self._gather(futures, what)
        if results[("totals", "")] is None:
            return self._contract_empty(("channel", *SUMMARY_METRICS), SUMMARY_METRICS)
        subscribers = self._subscribers_at_ends(results)
        tables = {
            sfx: None
            if results[("totals", sfx)] is None
            else self._summary(results[("totals", sfx)], subscribers[sfx])
            for sfx in periods
        }
        current = top_n(tables.pop(""), "watch_minutes", len(self.groups))
        return frames.compare(current, tables, ["channel"], SUMMARY_METRICS)

    # ------------------------------------------------------------ yt-stats

    def _stats(self, totals: pd.DataFrame) -> pd.DataFrame:
        out = self._all_groups(self._to_groups(totals))
        out["like_rate"] = per_thousand(out["likes"], out["views"])
        out["comment_rate"] = per_thousand(out["comments"], out["views"])
        out["share_rate"] = per_thousand(out["shares"], out["views"])
        out["subs_rate"] = per_thousand(out["subscribers_gained"], out["views"])
        out["like_ratio"] = ratio(out["likes"], out["dislikes"])
        return out[["channel", *STATS_METRICS]]

    def channel_stats_table(self) -> pd.DataFrame:
        """yt-stats: engagement counts, rates per 1,000 views and likes per dislike."""
        results = self._by_shape(TOTALS)
        if results[""] is None:
            return self._contract_empty(("channel", *STATS_METRICS), STATS_METRICS)
        tables = {s: None if f is None else self._stats(f) for s, f in results.items()}
        current = top_n(tables.pop(""), "views", len(self.groups))
        return frames.compare(current, tables, ["channel"], STATS_METRICS)

    # ------------------------------------------------------------ yt-countries

    def country_table(self) -> pd.DataFrame:
        """yt-countries: the top 20 countries of the selection by watch minutes."""
        columns = ("country", *COUNTRY_METRICS)
        results = self._by_shape(COUNTRIES)
        if results[""] is None:
            return self._contract_empty(columns, COUNTRY_METRICS)
        tables = {
            s: None if f is None else frames.tidy(f)[list(columns)] for s, f in results.items()
        }
        current = top_n(tables.pop(""), "watch_minutes", TOP_COUNTRIES)
        return frames.compare(current, tables, ["country"], COUNTRY_METRICS)

    # ------------------------------------------------------------ yt-videos

    def _video_values(self, ids: tuple[str, ...], period: Period) -> Future:
        def run() -> pd.DataFrame:
            return self.analytics.run_analytics_report(
                period.start,
                period.end,
                TOP_VIDEOS.metrics,
                ["video"],
                filters=f"video=={','.join(ids)}",
                sort=TOP_VIDEOS.sort,
                max_results=len(ids),
            )

        return self._fetcher.submit(("videos", ids, period.start, period.end), run)

    def video_table(self) -> pd.DataFrame:
        """yt-videos: the selection's top 10 videos by watch minutes, titled, with their group."""
        columns = ("video", "title", "channel", *VIDEO_METRICS)
        span = frames.span(self.period)
        top = self._gather({"": self._query(TOP_VIDEOS, self.period)}, {"": f"top videos {span}"})
        if top[""] is None:
            return self._contract_empty(columns, VIDEO_METRICS)
        current = top_n(frames.tidy(top[""]), "watch_minutes", TOP_VIDEO_COUNT)
        ids = tuple(current["video"])
        futures, what = {}, {}
        if ids:
            futures["titles"] = self._fetcher.submit(
                ("titles", ids), lambda: self.analytics.get_video(ids)
            )
            what["titles"] = "video titles (videos.list)"
            for sfx, period in self.comparisons.items():
                futures[sfx] = self._video_values(ids, period)
                what[sfx] = f"top videos' figures {frames.span(period)}"
        results = self._gather(futures, what)
        info = [(results.get("titles") or {}).get(v, {}) for v in ids]
        current.insert(1, "title", pd.Series([i.get("title", "") for i in info], dtype="str"))
        groups = [self.group_of.get(i.get("channel_id", ""), "") for i in info]
        current.insert(2, "channel", pd.Series(groups, dtype="str"))
        others = {
            sfx: frames.tidy(results[sfx]) if results.get(sfx) is not None else None
            for sfx in self.comparisons
        }
        if not ids:
            others = dict.fromkeys(self.comparisons, current)
        return frames.compare(current, others, ["video"], VIDEO_METRICS)

    # ------------------------------------------------------------ yt-traffic

    def _traffic(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = self._to_groups(frame, ["source_type"])
        group_total = out.groupby("channel")["watch_minutes"].transform("sum")
        out["share_pct"] = share_pct(out["watch_minutes"], group_total)
        out = out.assign(_total=group_total).sort_values(
            ["_total", "channel", "watch_minutes"], ascending=[False, True, False], kind="stable"
        )
        return out[["channel", "source_type", *TRAFFIC_METRICS]].reset_index(drop=True)

    def traffic_source_table(self) -> pd.DataFrame:
        """yt-traffic: each group's watch minutes by traffic source type and their share."""
        results = self._by_shape(TRAFFIC)
        if results[""] is None:
            return self._contract_empty(
                ("channel", "source_type", *TRAFFIC_METRICS), TRAFFIC_METRICS
            )
        tables = {s: None if f is None else self._traffic(f) for s, f in results.items()}
        return frames.compare(tables.pop(""), tables, ["channel", "source_type"], TRAFFIC_METRICS)

    # ------------------------------------------------------------ daily

    def daily_series(self) -> pd.DataFrame:
        """Per channel group per day with data: date, channel, views, watch_minutes,
        subscriber_change (long format, for charts and the cross-platform daily report)."""
        columns = ["date", "channel", "views", "watch_minutes", "subscriber_change"]
        label = {"": f"daily figures {frames.span(self.period)}"}
        daily = self._gather({"": self._query(DAILY, self.period)}, label)[""]
        if daily is None:
            return frames.empty(columns)
        out = self._to_groups(daily, ["date"])[columns]
        return out.sort_values(["date", "channel"], kind="stable").reset_index(drop=True)

"""YouTube report tables for a selection of channel groups, period and comparisons.

`channel` in every table is the channel group's name; a group's channel IDs are summed.
Tables that are not CSV contracts:
- `daily_series()`: one row per channel group per day with data: date (datetime64),
  channel, views, engaged_views, watch_minutes, subscriber_change; days without rows are
  absent, not 0.
- `check_available_data()`: one row per channel ID: group, channel (the ID),
  complete_through (the last day of the period with rows, or NaT).
Countries are ISO 3166 alpha-2 codes as YouTube returns them (`ZZ` = unknown).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from concurrent.futures import Future
from datetime import timedelta

import numpy as np
import pandas as pd

from statsdash.periods import Period
from statsdash.reports import REVENUE_OFF, SelectionError
from statsdash.utilities import per_thousand, ratio, share_pct, top_n
from statsdash.youtube import frames
from statsdash.youtube.fetch import (
    COUNTRIES,
    DAILY,
    FORMATS,
    NET_SUBSCRIBERS,
    REVENUE,
    TOP_VIDEOS,
    TOTALS,
    TRAFFIC,
)
from statsdash.youtube.selection import ChannelSelection

SUMMARY_METRICS = ("subscribers", "subscriber_change", "watch_minutes", "views", "engaged_views")
STATS_METRICS = (
    "views",
    "engaged_views",
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
COUNTRY_METRICS = ("views", "engaged_views", "watch_minutes", "subscriber_change")
VIDEO_METRICS = ("watch_minutes", "views", "engaged_views")
TRAFFIC_METRICS = ("watch_minutes", "share_pct")
FORMAT_COUNTS = ("views", "engaged_views", "watch_minutes")
FORMAT_METRICS = (*FORMAT_COUNTS, *(f"{m}_share_pct" for m in FORMAT_COUNTS))
# yt-revenue: money in the configured currency; both CPMs are gross revenue per 1,000 ad
# impressions / monetized playbacks (Google's definitions), rebuilt from the group's sums.
REVENUE_METRICS = (
    "estimated_revenue",
    "estimated_ad_revenue",
    "cpm",
    "monetized_playbacks",
    "playback_based_cpm",
    "gross_revenue",
    "ad_impressions",
)
TOP_COUNTRIES = 20
TOP_VIDEO_COUNT = TOP_VIDEOS.max_results
TABLES = (
    "channel_summary_table",
    "channel_stats_table",
    "country_table",
    "video_table",
    "traffic_source_table",
    "format_table",
    "revenue_table",
    "daily_series",
)
# The query shapes each table asks before anything that depends on their answers.
TABLE_SHAPES = {
    "channel_stats_table": (TOTALS,),
    "country_table": (COUNTRIES,),
    "video_table": (TOP_VIDEOS,),
    "traffic_source_table": (TRAFFIC,),
    "format_table": (FORMATS,),
    "revenue_table": (REVENUE,),
    "daily_series": (DAILY,),
}


class YoutubeData(ChannelSelection):
    """The YouTube tables for `channels` (group names; empty = all), `period`, comparisons.

    Construct with `(config, channels, period, comparisons, refresh=False)`; keyword-only
    extras: `analytics` (a shared client), `today`, `progress(done, total)`.
    """

    _channel_summary: pd.DataFrame | None = None  # see channel_summary_table

    def prefetch(self, tables: Sequence[str] = TABLES) -> None:
        """Start the queries of these tables (method names) now, all at once, without waiting.

        A page showing several tables then waits about one round of requests in all instead
        of one round per table; each table still collects its own answers and failures.
        """
        shapes = {shape for name in tables for shape in TABLE_SHAPES.get(name, ())}
        if not self.config.youtube.revenue:  # nothing revenue-related is asked when off
            shapes.discard(REVENUE)
        # What depends on no other answer goes out first: every other range waits, in
        # `_periods`, for the like-for-like check's query of the recent days.
        if DAILY in shapes or self._needs_availability_check():
            self._query(DAILY, self.period)
        if "channel_summary_table" in tables:
            self._stats_query()
        periods = self._periods()
        for shape in shapes - {DAILY}:
            # The top videos are those of the compared days (video_table), not the period's.
            for period in periods.values() if shape.comparable else (periods[""],):
                self._query(shape, period)
        if "channel_summary_table" in tables:
            self._summary_queries()

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
            derived = sfx and period.end + timedelta(days=1) == self._periods()[""].start
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
                "engaged_views": groups["engaged_views"],
            }
        )

    def _stats_query(self) -> Future:
        """channels.list for the current subscriber counts (needs no other answer)."""
        return self._fetcher.submit(("stats", self.ids), lambda: self.analytics.get_stats(self.ids))

    def _summary_queries(self) -> tuple[dict[Hashable, Future], dict[Hashable, str]]:
        periods = self._periods()
        futures = {("totals", s): self._query(TOTALS, p) for s, p in periods.items()}
        what = {("totals", s): f"channel totals {frames.span(p)}" for s, p in periods.items()}
        futures["stats"] = self._stats_query()
        what["stats"] = "current subscriber counts (channels.list)"
        for key, (future, label) in self._subscriber_queries().items():
            futures[key], what[key] = future, label
        return futures, what

    def channel_summary_table(self) -> pd.DataFrame:
        """yt-channels: subscribers at the period's end, their change, watch minutes, views.

        Built once per object (callers get their own copy-on-write copy): the Overview reads
        it for yt-channels and again for brands, and each build was ~0.09 s of its CPU."""
        if self._channel_summary is None:
            self._channel_summary = self._channel_summary_table()
        return self._channel_summary.copy()

    def _channel_summary_table(self) -> pd.DataFrame:
        self._note_view_counting()
        periods = self._periods()
        results = self._gather(*self._summary_queries())
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
        self._note_view_counting()
        results = self._by_shape(TOTALS)
        if results[""] is None:
            return self._contract_empty(("channel", *STATS_METRICS), STATS_METRICS)
        tables = {s: None if f is None else self._stats(f) for s, f in results.items()}
        current = top_n(tables.pop(""), "views", len(self.groups))
        return frames.compare(current, tables, ["channel"], STATS_METRICS)

    # ------------------------------------------------------------ yt-countries

    def country_table(self) -> pd.DataFrame:
        """yt-countries: the top 20 countries of the selection by watch minutes."""
        self._note_view_counting()
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
        self._note_view_counting()
        columns = ("video", "title", "channel", "format", *VIDEO_METRICS)
        periods = self._periods()
        now, comparisons = periods.pop(""), periods
        span = frames.span(now)
        top = self._gather({"": self._query(TOP_VIDEOS, now)}, {"": f"top videos {span}"})
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
            for sfx, period in comparisons.items():
                futures[sfx] = self._video_values(ids, period)
                what[sfx] = f"top videos' figures {frames.span(period)}"
        results = self._gather(futures, what)
        info = [(results.get("titles") or {}).get(v, {}) for v in ids]
        current.insert(1, "title", pd.Series([i.get("title", "") for i in info], dtype="str"))
        groups = [self.group_of.get(i.get("channel_id", ""), "") for i in info]
        current.insert(2, "channel", pd.Series(groups, dtype="str"))
        current.insert(3, "format", current.pop("format").astype("str"))
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

    # ------------------------------------------------------------ yt-formats

    def _formats(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = self._to_groups(frame, ["format"])
        for m in FORMAT_COUNTS:
            out[f"{m}_share_pct"] = share_pct(out[m], out.groupby("channel")[m].transform("sum"))
        order = {name: i for i, name in enumerate(self.groups)}
        out = out.assign(_group=out["channel"].map(order)).sort_values(
            ["_group", "watch_minutes", "format"], ascending=[True, False, True], kind="stable"
        )
        return out[["channel", "format", *FORMAT_METRICS]].reset_index(drop=True)

    def format_table(self) -> pd.DataFrame:
        """yt-formats: each group's views, engaged views and watch minutes by format
        (creatorContentType) and each one's share of the group's."""
        self._note_view_counting()
        results = self._by_shape(FORMATS)
        if results[""] is None:
            return self._contract_empty(("channel", "format", *FORMAT_METRICS), FORMAT_METRICS)
        tables = {s: None if f is None else self._formats(f) for s, f in results.items()}
        return frames.compare(tables.pop(""), tables, ["channel", "format"], FORMAT_METRICS)

    # ------------------------------------------------------------ yt-revenue

    def _revenue(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = self._to_groups(frame)
        left_out = self._failed_groups | self._refused_groups
        names = [g for g in self.groups if g not in left_out]
        out = out.set_index("channel").reindex(names, fill_value=0)
        out = out.rename_axis("channel").reset_index()
        out["cpm"] = per_thousand(out["gross_revenue"], out["ad_impressions"])
        out["playback_based_cpm"] = per_thousand(out["gross_revenue"], out["monetized_playbacks"])
        return out[["channel", *REVENUE_METRICS]]

    def revenue_table(self) -> pd.DataFrame:
        """yt-revenue (with `youtube.revenue: true`): each group's estimated revenue, ad
        revenue, CPMs rebuilt from their parts, monetized playbacks, in the configured currency
        (`currency` column). A group YouTube refuses revenue for is left out and named."""
        if not self.config.youtube.revenue:
            raise SelectionError(REVENUE_OFF.format(source=self.config.source))
        currency = self.config.youtube.currency
        results = self._by_shape(REVENUE)
        if results[""] is None:
            table = self._contract_empty(("channel", *REVENUE_METRICS), REVENUE_METRICS)
        else:
            tables = {s: None if f is None else self._revenue(f) for s, f in results.items()}
            current = top_n(tables.pop(""), "estimated_revenue", len(self.groups))
            table = frames.compare(current, tables, ["channel"], REVENUE_METRICS)
        return table.assign(currency=pd.Series(currency, index=table.index, dtype="str"))

    # ------------------------------------------------------------ daily

    def daily_series(self) -> pd.DataFrame:
        """Per channel group per day with data: date, channel, views, engaged_views,
        watch_minutes, subscriber_change (for charts and the cross-platform daily report)."""
        self._note_view_counting(compared=False)
        columns = [
            "date",
            "channel",
            "views",
            "engaged_views",
            "watch_minutes",
            "subscriber_change",
        ]
        label = {"": f"daily figures {frames.span(self.period)}"}
        daily = self._gather({"": self._query(DAILY, self.period)}, label)[""]
        if daily is None:
            return frames.empty(columns)
        out = self._to_groups(daily, ["date"])[columns]
        return out.sort_values(["date", "channel"], kind="stable").reset_index(drop=True)

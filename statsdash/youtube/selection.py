"""The channel groups, period and comparisons a YouTube report is about, and how their
queries are asked: all selected channels at once, shared between tables, failures named.

Every query shape is asked once per date range for all selected channels
(`channel==A,B,...`); tables per group split it by the `channel` dimension and sum each
group's channels afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future
from datetime import date, timedelta

import pandas as pd

from statsdash.config import Config
from statsdash.errors import FetchError, TimedOut
from statsdash.periods import Compared, Period, comparison_periods, like_for_like
from statsdash.reports import SelectionError
from statsdash.utilities import comparison_columns
from statsdash.youtube import frames, view_counting
from statsdash.youtube.analytics import PROVISIONAL_DAYS, Analytics, combine
from statsdash.youtube.auth import auth_command
from statsdash.youtube.fetch import DAILY, SOURCE, Fetcher, Shape


def _forbidden(error: FetchError) -> bool:
    """A plain 403 refusal (classify() sets no status on quota or rate-limit 403s)."""
    return error.status == 403


class AskedBefore(FetchError):
    """A query not sent: every group it would ask failed on its own in an earlier one of the
    same page or export, which already names them."""


def own_failure(error: FetchError) -> bool:
    """The channels' own failure, so later queries need not ask them: retries exhausted (a
    5xx, a dropped connection, an unreadable answer) or the quota gone (QuotaExhausted
    carries no HTTP status); not a refusal of the query's own arguments (a 4xx, with its
    status) nor the page's budget running out while it waited."""
    return error.status is None and not isinstance(error, TimedOut | AskedBefore)


def _refusal(error: FetchError) -> bool:
    """YouTube refused the query's arguments (a 4xx): one channel may be the cause (a 403 for a
    channel the content owner no longer manages, a 400 for one YouTube cannot report on), so
    the groups are asked on their own to find it. A scope the sign-in lacks is everyone's."""
    return error.status is not None and 400 <= error.status < 500 and not _lacks_scope(error)


def _lacks_scope(error: FetchError) -> bool:
    """Google's 403 for a token without a scope the query needs (the same for every group)."""
    return _forbidden(error) and "insufficient authentication scopes" in error.reason.lower()


# How far back the like-for-like check looks: YouTube's 48-72 h lag and a margin.
RECENT_DAYS = 7


class ChannelSelection:
    """Channel groups (names; empty = all), a period and comparisons, with shared queries."""

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
        like_for_like: bool = False,
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
        self.comparisons = comparison_periods(period, tuple(comparisons))
        self.analytics = analytics or Analytics(config, refresh=refresh, today=today)
        self.today = today or self.analytics.today
        self.failures: dict[str, str] = {}
        # Revenue refusals (a group not monetised, a sign-in without the monetary scope) are
        # the revenue table's own: every other table of the group is complete without it.
        self.revenue_failures: dict[str, str] = {}
        self.notes: list[str] = []
        self._fetcher = Fetcher(progress, pool=getattr(self.analytics, "pool", None))
        self._availability_noted = False
        self._failed_groups: set[str] = set()
        self._refused_groups: set[str] = set()  # refused revenue only
        self._gave_up: set[str] = set()  # failed with every group at once: not asked again
        self._answered_alone: set[tuple[str, bool]] = set()  # (group, money) asked alone
        self._group_locks: dict[tuple[str, bool], threading.Lock] = {}
        self._lock = threading.Lock()
        self.like_for_like = like_for_like
        self._compared: Compared | None = None
        self._compared_lock = threading.Lock()

    # ------------------------------------------------------------ queries and failures

    def close(self) -> None:
        self._fetcher.close()

    def _groups_label(self, names: Sequence[str] | None = None) -> str:
        names = list(names or self.groups)
        return f"Channel group{'s' if len(names) > 1 else ''} {', '.join(names)}"

    def _fail(self, source: str, message: str, money: bool = False) -> None:
        with self._lock:
            self._record(source, message, self.revenue_failures if money else self.failures)

    def _record(self, source: str, message: str, into: dict[str, str] | None = None) -> None:
        into = self.failures if into is None else into
        known = into.get(source)
        if known is None:
            into[source] = message
        elif message not in known:
            into[source] = f"{known}; {message}"

    def failures_of(self, table: str) -> dict[str, str]:
        """The failures a table's reader must know of (revenue refusals only on revenue)."""
        if table == "revenue_table":
            return {**self.failures, **self.revenue_failures}
        return dict(self.failures)

    def _ask(self, ids: Sequence[str], shape: Shape, period: Period) -> pd.DataFrame:
        try:
            return self.analytics.rollup_ids(
                ids,
                period.start,
                period.end,
                shape.metrics,
                shape.dimensions,
                sort=shape.sort,
                max_results=shape.max_results,
                split=shape.split,
                currency=self.config.youtube.currency if shape.money else None,
            )
        except FetchError as error:
            if shape.money and _forbidden(error):
                raise self._refused(error) from None
            raise

    def _refused(self, error: FetchError) -> FetchError:
        """A revenue 403 as the one line a reader can act on, Google's words last."""
        if _lacks_scope(error):
            fix = (
                "the YouTube sign-in lacks the monetary scope revenue needs; re-run "
                f"`{auth_command(self.config)}` (with revenue: true it asks for it)"
            )
        else:
            fix = (
                "not monetised: YouTube refuses revenue for a channel of this group (not in "
                "the YouTube Partner Program, or not the content owner's); take that channel "
                "out of the group, or leave revenue off"
            )
        return FetchError(error.source, f"{fix} ({error.reason})", status=error.status)

    def _query(self, shape: Shape, period: Period) -> Future:
        """All selected channels in one query; if YouTube refuses it (a 4xx: a 403 for a channel
        no longer managed by the content owner, a 400 for one it cannot report on), each group
        on its own so the others render. A 400 every group gets alone too is the query's, not
        a group's: it is named for all of them and none is left out of later queries.

        A group that failed on its own in an earlier query of this object is not asked again
        (nor, for revenue, one refused it), as GA leaves a failed property out of its later
        rounds: a refused channel was asked again, alone, by every query of a page."""

        def run() -> pd.DataFrame:
            groups = self._asking(shape)
            if not groups:
                raise AskedBefore(SOURCE, "every selected channel group failed earlier")
            ids = tuple(cid for group_ids in groups.values() for cid in group_ids)
            try:
                return self._ask(ids, shape, period)
            except FetchError as error:
                if own_failure(error) and not shape.money:  # YouTube failed every group
                    with self._lock:  # their figures already in stay; nothing more is asked
                        self._gave_up.update(groups)
                if not _refusal(error) or len(groups) == 1:
                    raise
                parts, refused = [], []
                for name, group_ids in groups.items():
                    try:
                        parts.append(self._ask_group(name, group_ids, shape, period))
                    except AskedBefore:
                        continue  # refused in another query meanwhile: named there
                    except FetchError as group_error:
                        refused.append((name, group_error))
                if parts or _forbidden(error):
                    label = self._label(shape, period)
                    for name, group_error in refused:
                        self._exclude(name, label, group_error, everywhere=not shape.money)
                if not parts:
                    raise
                dims = (["channel"] if shape.split else []) + list(shape.dimensions)
                return combine(parts, dims, shape.metrics, shape.sort, shape.max_results)

        return self._fetcher.submit(("report", shape, period.start, period.end), run)

    def _asking(self, shape: Shape) -> dict[str, tuple[str, ...]]:
        """The groups a query of `shape` asks: those that have not failed on their own."""
        with self._lock:
            out = self._failed_groups | self._gave_up
            out |= self._refused_groups if shape.money else set()
        return {name: ids for name, ids in self.groups.items() if name not in out}

    def _ask_group(self, name: str, ids: Sequence[str], shape: Shape, period: Period):
        """One group's part of a refused query. Until the group has answered alone once, its
        asks wait for one another: queries run in parallel, and each asked a refused group."""
        kind = (name, shape.money)
        if kind in self._answered_alone:
            return self._ask(ids, shape, period)
        with self._group_locks.setdefault(kind, threading.Lock()):
            if name not in self._asking(shape):
                raise AskedBefore(SOURCE, f"{name} failed earlier")
            frame = self._ask(ids, shape, period)
            self._answered_alone.add(kind)
            return frame

    def _exclude(self, group: str, label: str, error: FetchError, everywhere: bool = True) -> None:
        """Leave a group out of every table (or, not `everywhere`, of the revenue table only),
        naming it and why in `failures` (`revenue_failures`)."""
        with self._lock:
            failed = self._failed_groups if everywhere else self._refused_groups
            if group in failed:
                return  # named by the query it failed first (several may run at once)
            failed.add(group)
            into = self.failures if everywhere else self.revenue_failures
            self._record(self._groups_label([group]), f"{label}: {error.reason}", into)

    def _periods(self) -> dict[str, Period]:
        """ "" (the period) and each comparison suffix -> its period, as the tables compare
        them: like for like, cut to the complete days (see `compared`); with no complete day
        yet, whole (their rows are kept, the registry empties their figures)."""
        compared = self.compared()
        if compared.current is None:
            return {"": self.period, **self.comparisons}
        return {"": compared.current, **compared.comparisons}

    def _recent_days(self) -> Period | None:
        """The days through the period's end that YouTube may not have yet, or None."""
        start = self.today - timedelta(days=RECENT_DAYS)
        end = min(self.period.end, self.today)
        return Period("recent", start, end) if start <= end else None

    def compared(self) -> Compared:
        """The period's compared days (like for like) and the comparison ranges cut alike.

        A YouTube day is complete once rows come back for it; the service's latest complete
        day is the earliest last day with rows over the channels that have any recently.
        Without like for like, or for a period that ended before the recent days, every day
        counts. Asks one daily query for the recent days first, if needed."""
        with self._compared_lock:
            if self._compared is None:
                through = None
                recent = self._recent_days() if self.like_for_like else None
                if recent is not None:
                    through = self._complete_through(recent)
                self._compared = like_for_like(self.period, self.comparisons, through)
            return self._compared

    def _complete_through(self, recent: Period) -> date | None:
        what = {"recent": f"recent days' availability {frames.span(recent)}"}
        daily = self._fetcher.gather({"recent": self._query(DAILY, recent)})["recent"]
        if isinstance(daily, AskedBefore):
            return None
        if isinstance(daily, FetchError):
            self._fail(self._groups_label(), f"{what['recent']}: {daily.reason}")
            return None  # the failure is named; the figures are not cut on a guess
        table = frames.availability(daily, self.group_of)
        last = table.loc[~table["group"].isin(self._failed_groups), "complete_through"].dropna()
        if last.empty:
            return recent.start - timedelta(days=1)
        return last.min().date()

    def _gather(
        self,
        futures: Mapping[Hashable, Future],
        what: Mapping[Hashable, str],
        money: bool = False,
    ) -> dict[Hashable, object]:
        """Results by name; a failed one is None and recorded against every selected group
        (with `money`, as a revenue failure)."""
        if self._needs_availability_check():
            futures = {**futures, "_availability": self._query(DAILY, self.period)}
        results = self._fetcher.gather(dict(futures))
        for name, value in results.items():
            if isinstance(value, AskedBefore):  # every group is named by its own failure
                results[name] = None
            elif isinstance(value, FetchError):
                label = what.get(name, "data availability check")
                is_money = money and name != "_availability"
                self._fail(self._groups_label(), f"{label}: {value.reason}", is_money)
                results[name] = None
        if "_availability" in results:
            self._note_availability(results.pop("_availability"))
        return results

    def _by_shape(self, shape: Shape) -> dict[str, pd.DataFrame | None]:
        """The shape for the period and each comparison period, keyed by suffix ("" = now)."""
        periods = self._periods()
        futures = {sfx: self._query(shape, p) for sfx, p in periods.items()}
        what = {sfx: self._label(shape, p) for sfx, p in periods.items()}
        return self._gather(futures, what, money=shape.money)

    @staticmethod
    def _label(shape: Shape, period: Period) -> str:
        """What a failure names; a revenue refusal holds for every range, so it says it once."""
        return shape.label if shape.money else f"{shape.label} {frames.span(period)}"

    # ------------------------------------------------------------ shared pandas steps

    def _to_groups(self, frame: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
        """Channel IDs -> their group (as `channel`), summed per group and `keys`."""
        out = frames.tidy(frame)
        out["channel"] = out["channel"].map(self.group_of).astype("str")
        metrics = [c for c in out.columns if c not in ("channel", *keys)]
        return out.groupby(["channel", *keys], sort=False, as_index=False)[metrics].sum()

    def _all_groups(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Every selected group that did not fail gets a row, 0 where it had no data."""
        names = [g for g in self.groups if g not in self._failed_groups]
        out = frame.set_index("channel").reindex(names, fill_value=0)
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

    def _note_view_counting(self, compared: bool = True) -> None:
        """Say so when views are counted differently across the ranges a table shows."""
        note = view_counting.view_count_note(self.period, self.comparisons if compared else {})
        if note:
            self._note(note)

    def _note_availability(self, daily: pd.DataFrame | None) -> None:
        self._availability_noted = True
        if daily is not None:
            table = frames.availability(daily, self.group_of)
            table = table[~table["group"].isin(self._failed_groups)]
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

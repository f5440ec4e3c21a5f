"""The web report's tables for a selection of sites, a period and its comparisons.

Requests are few and shared: two rounds of one `batchRunReports` per property, each packed
with the five reports Google allows, and every report carrying every date range (current +
comparisons) it needs, so the number of calls does not grow with the number of comparisons
(nor with the tables: `export --all` asks 2 per property, and one runRealtimeReport):
- "early": what needs nothing else first: which recent hours exist (like for like cuts
  the first round's ranges to the complete days), the daily series with the insights'
  history, month to date, devices by month and key events by day;
- "first": every contract table's report over the (cut) ranges, the top sources' articles
  read from one report of every source's (see statsdash.ga.derived);
- "articles": the first round's two article reports, in a round of their own when the
  first went out without them: the Overview reads neither, and they were most of its
  bytes to fetch and decode (see `want_articles`); `export --all` still asks them in the
  first round.
Each round is fetched once per AnalyticsData and every table method reads it. Properties
are fetched in parallel, every property of a round at once (see analytics.pool_size); with
no recent day to check, the two rounds travel side by side (see `prefetch`).

Every answer reports the property's quota; `quota_table()` gives the latest per property.

A property that fails (after retries) is named in `failures` and the tables are built from
the others. An AuthError is recorded the same way, unless every property failed with one:
then it is raised, as nothing can be shown and the fix (renew the credentials) is the same.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Future, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from datetime import date, timedelta

import pandas as pd

from statsdash import budget
from statsdash.config import Config, Property
from statsdash.errors import AuthError, FetchError, TimedOut
from statsdash.ga import derived, insights, series
from statsdash.ga import tables as t
from statsdash.ga.analytics import Analytics, quota_recency
from statsdash.ga.query import QUOTA_FIELDS, Report, ReportRequest, parse_report, stack_tables
from statsdash.periods import Compared, Period, comparison_periods, like_for_like
from statsdash.reports import SelectionError
from statsdash.utilities import give_back_memory

ROUND_OF = {
    "hours": "early",
    "dates": "early",
    "month": "early",
    "device_months": "early",
    "key_event_days": "early",
    "countries": "first",
    "sources": "first",
    "devices": "first",
    "articles": "first",
    "source_articles": "first",
}
# Reports read from another's rows (see statsdash.ga.derived): the insights' device parts
# ride in the devices report (same dimension and ranges, more metrics); the daily series and
# history are cut from one report by date, key events by name from one by name and date,
# and the top sources' articles from one of every source's.
SAME_ROWS = {
    "device_parts": "devices",
    "daily": "dates",
    "history": "dates",
    "key_events": "key_event_days",
    "referral": "source_articles",
    "social": "source_articles",
}
# What the progress callback is told each round is fetching.
ROUND_LABELS = {
    "early": "which recent days are complete, daily series and history",
    "first": "web reports",
    "articles": "top articles",
    "second": "top articles of sources (large properties)",
}
# The first round's reports that may travel in a round of their own (see want_articles).
ARTICLE_REPORTS = ("articles", "source_articles")
# The history report's one range, as Google names an unnamed range.
HISTORY = "date_range_0"
# Days before today that GA4 may still be processing (72 h), plus one for time zones.
CHECK_DAYS = 4
Progress = Callable[[int, int, str], None]
QUOTA_LEFT = [f"{stem}_remaining" for stem in QUOTA_FIELDS.values()]
QUOTA_COLUMNS = ["site", "property", *QUOTA_LEFT, "as_of", "from_cache"]
FRAMES_KEPT = 1  # stacked frames kept at once (see AnalyticsData.frame)


def _memoised(method: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """Build a table once per AnalyticsData (part of the tables layer: the object is shared
    by every page of its selection); callers get their own (copy-on-write) copy."""

    @functools.wraps(method)
    def table(self: AnalyticsData, *args, **kwargs) -> pd.DataFrame:
        key = (method.__name__, args, tuple(sorted(kwargs.items())))
        if key not in self._tables:
            self._tables[key] = method(self, *args, **kwargs)
        return self._tables[key].copy()

    return table


class AnalyticsData:
    """GA4 tables (DataFrames with the CSV contract's columns) for `sites` over `period`."""

    def __init__(
        self,
        config: Config,
        sites: Sequence[str] = (),
        period: Period | None = None,
        comparisons: Sequence[str] = (),
        *,
        refresh: bool = False,
        analytics: Analytics | None = None,
        progress: Progress | None = None,
        today: date | None = None,
        like_for_like: bool = False,
    ) -> None:
        ga = config.google_analytics
        if ga is None:
            raise SelectionError(f"{config.source} has no google_analytics section")
        if period is None:
            raise ValueError("AnalyticsData needs a period")
        for name in sites:
            if name not in ga.sites:
                raise SelectionError(f"unknown site {name!r}; configured: {', '.join(ga.sites)}")
        self.config = ga
        self._config_source = config.source
        self.sites = {name: ga.sites[name] for name in (sites or ga.sites)}
        self.period = period
        self.comparisons = tuple(comparisons)
        # The whole period and comparisons (charts draw every day); the contract tables use
        # `ranges`, which like for like cuts to the complete days (see `compared`).
        self.full_ranges = {t.CURRENT: period} | comparison_periods(period, self.comparisons)
        self.suffixes = tuple(self.full_ranges)[1:]
        self.like_for_like = like_for_like
        self._compared: Compared | None = None
        self.refresh = refresh
        self.analytics = analytics or Analytics(config, today=today)
        self.today = today or self.analytics.today or date.today()
        self.progress = progress
        self.failures: dict[str, str] = {}
        # Labels of properties that answered a round with an error of their own (not those
        # the page's budget cut off while queued, nor realtime's): later rounds skip them.
        self._failed_rounds: set[str] = set()
        self.notes: list[str] = []
        self._rounds: dict[str, dict[str, dict[str, Report]]] = {}
        self._frames: OrderedDict[str, pd.DataFrame] = OrderedDict()
        self._frames_lock = threading.Lock()
        self._tables: dict[tuple, pd.DataFrame] = {}
        self._top_sources: dict[str, list[str]] | None = None
        self._short: set[str] | None = None  # see _cut_short
        self._sources_of: pd.Series | None = None  # property -> its sources (second round)
        self._availability_table: pd.DataFrame | None = None
        self._sites_by_id: dict[str, str] | None = None
        self._availability_of: dict | None = None  # the round it was built from
        self._realtime: Future | None = None  # see prefetch_realtime
        self._started: set[str] = set()  # rounds `prefetch` has started
        # Whether the first round carries the article reports: None until its requests are
        # made, then fixed (see want_articles).
        self._want_articles = False
        self._first_articles: bool | None = None
        self._lock = threading.RLock()
        self._round_locks = {name: threading.Lock() for name in ROUND_LABELS}
        # A request of each report name, for the columns of a report nobody answered.
        # (Every source's articles may be asked of no property: all known to be large.)
        self._shapes: dict[str, ReportRequest] = {
            "source_articles": derived.source_articles_request(self.full_ranges, (), ())
        }

    # Fetching

    @property
    def properties(self) -> list[tuple[str, Property]]:
        return [(name, p) for name, site in self.sites.items() for p in site.properties]

    @staticmethod
    def label(site: str, prop: Property) -> str:
        return f"{site} (property {prop.id})"

    def _fetch_all(
        self, fetch: Callable[[str, Property], object], items: list[tuple[str, Property]], what: str
    ) -> dict[str, object]:
        """fetch(site, property) for each item in parallel; failures recorded by label."""
        results: dict[str, object] = {}
        errors: dict[str, Exception] = {}
        cut_off: set[str] = set()  # still out when the budget ended: not their own failure
        items = self._not_failed_before(items)
        if not items:
            return results
        deadline = budget.deadline_for("ga")
        pool = self.analytics.pool  # the client's: its threads' connections are reused
        timed = budget.run_within(deadline, fetch)
        futures = {pool.submit(timed, site, prop): (site, prop) for site, prop in items}
        wait = deadline.remaining() if deadline is not None else None
        try:
            for done, future in enumerate(as_completed(futures, timeout=wait), start=1):
                site, prop = futures[future]
                try:
                    results[prop.id] = future.result()
                except (FetchError, AuthError) as error:
                    errors[prop.id] = error
                if self.progress:
                    self.progress(done, len(items), f"{what}: {self.label(site, prop)}")
        except FuturesTimeout:
            # Past the deadline the page goes on without waiting for the requests still out
            # (they end by their own timeout and start no retry); queued ones never start.
            for future, (site, prop) in futures.items():
                if not future.done():
                    future.cancel()
                    errors[prop.id] = TimedOut(self.label(site, prop), deadline.message())
                    cut_off.add(prop.id)
        auth = [e for e in errors.values() if isinstance(e, AuthError)]
        if auth and len(auth) == len(items):
            raise AuthError(refused_message(self._config_source, self.config, auth[0], len(items)))
        for site, prop in items:  # in configuration order
            if prop.id in errors:
                error = errors[prop.id]
                label = self.label(site, prop)
                reason = error.reason if isinstance(error, FetchError) else str(error)
                self.failures.setdefault(label, reason.removeprefix(f"{label}: "))
                if prop.id not in cut_off:
                    self._failed_rounds.add(label)
        return results

    def _not_failed_before(self, items: list[tuple[str, Property]]) -> list:
        """The items that did not fail in an earlier round of this object: a property that
        failed keeps its reason and is not asked again (the object lives FAILURE_WINDOW;
        Refresh makes a new one). A property answering 500 was asked, with every retry, by
        every round of a page. Properties the budget cut off while waiting, and realtime
        failures (a quota of its own), do not count: the next page asks them again."""
        return [(s, p) for s, p in items if self.label(s, p) not in self._failed_rounds]

    def _site_of(self, prop: Property) -> str:
        # A dict, not a scan of `properties` (a new list each time) per property: that was
        # quadratic in the properties, for every round.
        # Filled before it is published: the prefetch thread and the page's ask at once.
        if self._sites_by_id is None:
            sites: dict[str, str] = {}
            for name, p in self.properties:
                sites.setdefault(p.id, name)
            self._sites_by_id = sites
        return self._sites_by_id[prop.id]

    def _requests_first(self, prop: Property) -> dict[str, ReportRequest]:
        """Every contract table's report over the like-for-like ranges (see `ranges`)."""
        requests = {
            "countries": t.countries_request(self.ranges, self._events(prop)),
            "sources": t.sources_request(self.ranges),
            "devices": t.devices_request(self.ranges, insights.DEVICE_PART_METRICS),
        }
        return (requests | self._requests_articles(prop)) if self._first_articles else requests

    def _requests_articles(self, prop: Property) -> dict[str, ReportRequest]:
        """The top articles, and one report of every source's articles (the referring sites'
        and social networks' articles are read from it)."""
        requests = {"articles": t.articles_request(self.ranges, self.config.article_exclude_paths)}
        # A property known to pass the cap asks its top sources' articles straight away (the
        # second round), not a capped page of every source's first.
        if prop.id not in self.analytics.large_source_articles:
            requests["source_articles"] = derived.source_articles_request(
                self.ranges, self.config.referral_exclude_sources, self.config.article_exclude_paths
            )
        return requests

    def want_articles(self) -> bool:
        """A table about to be built (or a page about to ask for it) reads the article
        reports: before the first round's requests are made, they ride in it; after, they
        are their own round. Whether they have a round of their own."""
        with self._lock:
            if self._first_articles is None:
                self._want_articles = True
                return False
            return not self._first_articles

    def _requests_early(self, prop: Property) -> dict[str, ReportRequest]:
        """The reports that depend on no other answer, in one call per property: the recent
        hours (which cut the first round's ranges, so they come first), the daily series
        with the insights' history, month to date, devices by month, and key events by day
        (cut to the like-for-like ranges when read)."""
        recent = self._recent_days()
        hours = {"hours": t.hours_request(recent)} if recent is not None else {}
        days = [*self.full_ranges.values(), insights.history_period(self.period)]
        return hours | {
            "dates": derived.days_request(days, series.DAILY_METRICS),
            "month": series.month_request(self.period),
            "device_months": series.device_months_request(self.period),
            "key_event_days": derived.key_event_days_request(self.full_ranges, self._events(prop)),
        }

    def _cut_short(self) -> set[str]:
        """The properties that answered the first round without every source's articles:
        past derived.SOURCE_ARTICLE_ROWS now, or known to be from an earlier selection (the
        client remembers, so a large property is not sent a capped page every time)."""
        # Not under self._lock: the round's requests take it.
        articles = self._round(self._round_of("source_articles"))
        with self._lock:
            if self._short is None:
                short = set()
                for pid, reports in articles.items():
                    report = reports.get("source_articles")
                    if report is None or derived.cut_short(report):
                        short.add(pid)
                self.analytics.large_source_articles.update(short)
                self._short = short
            return self._short

    def _requests_second(self, prop: Property) -> dict[str, ReportRequest]:
        """A large property's articles of the top sources and networks it has sessions from
        (the others' are read from their every-source report)."""
        if prop.id not in self._cut_short():
            return {}
        with self._lock:
            if self._sources_of is None:  # once a round, not a scan of every row a property
                sources = self.frame("sources")
                self._sources_of = sources.groupby("property", sort=False)["source"].unique()
        seen = set(self._sources_of.get(prop.id, ()))
        requests = {}
        for name in ("referral", "social"):
            if mine := [s for s in self._top_sources_of(name) if s in seen]:
                requests[name] = derived.top_source_articles_request(
                    self.ranges, mine, self.config.article_exclude_paths, social=name == "social"
                )
        return requests

    def _events(self, prop: Property) -> tuple[str, ...]:
        return self.sites[self._site_of(prop)].key_events

    def _top_sources_of(self, name: str) -> list[str]:
        """The sources whose articles ga-referrals ("referral") or ga-social ("social")
        shows: the top referral sources, and every source of the top social networks."""
        with self._lock:
            if self._top_sources is None:
                sources = self.frame("sources")
                referral = t.referral_sources(sources, self.config.referral_exclude_sources)
                self._top_sources = {
                    "referral": t.top_keys(referral, "source", t.N_REFERRALS),
                    "social": t.network_sources(
                        sources,
                        t.top_keys(t.social_sources(sources), "social_network", t.N_SOCIAL),
                    ),
                }
            return self._top_sources[name]

    def _recent_days(self) -> Period | None:
        """The days GA4 may still be processing through the period's end, or None when the
        period ended before them. They start before a short period does, so that a period
        with no complete day yet still tells which day is the latest complete one."""
        start = self.today - timedelta(days=CHECK_DAYS)
        end = min(self.period.end, self.today)
        return Period("recent", start, end) if start <= end else None

    @property
    def ranges(self) -> dict[str, Period]:
        """The ranges the contract tables cover: like for like, the complete days of the
        period and the same days of each comparison; with no complete day yet, the whole
        ranges (their rows are kept, the registry empties their figures)."""
        compared = self.compared()
        if compared.current is None:
            return self.full_ranges
        return {t.CURRENT: compared.current} | compared.comparisons

    def compared(self) -> Compared:
        """The period's compared days (like for like) and the comparison ranges cut alike.

        GA4's days are complete once every property with `wait_for_data` has all 24 hours;
        without like for like, or for a period that ended before GA4's processing window,
        every day counts. Asks one small `dateHour` report per property first, if needed."""
        with self._lock:
            if self._compared is None:
                comparisons = dict(list(self.full_ranges.items())[1:])
                through = None
                if self.like_for_like and self._recent_days() is not None:
                    self._round("early")
                    table = self._availability()
                    waiting = table.loc[table["wait_for_data"], "complete_through"]
                    through = min(waiting) if len(waiting) else None
                self._compared = like_for_like(self.period, comparisons, through)
            return self._compared

    def _round_of(self, report: str) -> str:
        read = SAME_ROWS.get(report, report)
        if read in ARTICLE_REPORTS and self.want_articles():
            return "articles"
        return ROUND_OF[read]

    def _round(self, name: str) -> dict[str, dict[str, Report]]:
        """Property id -> report name -> Report for one round of requests (memoised).

        Under the round's lock: the app shares one AnalyticsData between sessions showing the
        same selection, and two pages asking at once must not fetch twice or note twice; other
        rounds may be fetched meanwhile (see `prefetch`)."""
        if name in self._rounds:
            return self._rounds[name]
        with self._round_locks[name]:
            return self._round_locked(name)

    def prefetch(self, *, first: bool = True, articles: bool = True) -> None:
        """Start the rounds in the background: the one that depends on no other ("early"),
        and with `first` (for tables that read it) the first round, which like for like
        needs the early round's hours, so it goes out the moment they are in, not when the
        page next asks for a table (the page may still be importing or drawing meanwhile).
        With no recent day to check, the two travel side by side. With `articles`, the
        article reports ride in the first round, or go out in their own if it has left
        without them (see want_articles)."""
        rounds = ("early", "first") if first else ("early",)
        if first and articles and self.want_articles():
            rounds += ("articles",)
        with self._lock:
            wanted = [r for r in rounds if r not in self._started]
            if not wanted:
                return
            self._started.update(wanted)
        chained = self.like_for_like and self._recent_days() is not None

        def rounds(names: list[str]) -> None:
            for name in names:
                self._round(name)

        # Under the page's (or export's) deadline: a background round without one waited for
        # a hung property's every retry (the Overview took 195-300 s with a 60 s budget),
        # and the tables that need the round wait for it. A failure stays in the unread
        # Future: the table that needs the round meets it again, and raises it. A property
        # that failed the early round is not asked in the first (see _not_failed_before).
        # The article reports' own round needs only the early round's hours, as the first.
        jobs = [[r] for r in wanted if r == "articles"]
        wanted = [r for r in wanted if r != "articles"]
        jobs += [wanted] if chained and wanted else [[name] for name in wanted]
        for names in jobs:
            budget.in_background("ga", lambda names=names: rounds(names), "ga-prefetch")

    def _round_locked(self, name: str) -> dict[str, dict[str, Report]]:
        if name not in self._rounds:
            if name == "first":
                self.ranges  # noqa: B018  (like for like: the early round's hours come first)
                with self._lock:  # what the round carries is decided once, now
                    self._first_articles = self._want_articles
            make = getattr(self, f"_requests_{name}")
            jobs = {p.id: requests for _, p in self.properties if (requests := make(p))}
            for requests in jobs.values():
                self._shapes.update(requests)
            items = [(site, p) for site, p in self.properties if p.id in jobs]
            self._rounds[name] = self._fetch_all(
                lambda site, prop: self._fetch(site, prop, jobs[prop.id]), items, ROUND_LABELS[name]
            )
            give_back_memory()  # the round's answers are parsed and gone (see there)
            if name in ("second", "articles"):  # articles asked on their own: their flags
                fetched = self._fetched(self._rounds[name])
                for note in series.quality_notes(fetched, self.label, zones=False):
                    if note not in self.notes:
                        self.notes.append(note)
            if name == "first":
                fetched = self._fetched(self._rounds[name])
                self.notes += series.quality_notes(fetched, self.label)
                if self._recent_days() is not None:  # the hours the availability notes read
                    self._round("early")
                self.notes += series.availability_notes(self._availability(), self.period)
        return self._rounds[name]

    def _fetch(self, site: str, prop: Property, requests: dict[str, ReportRequest]):
        """One HTTP call for the property: runReport for one report, else batchRunReports."""
        source = self.label(site, prop)
        if len(requests) == 1:
            [(name, request)] = requests.items()
            report = self.analytics.fetch(prop.id, request, source=source, refresh=self.refresh)
            return {name: report}
        reports = self.analytics.fetch_batch(
            prop.id, list(requests.values()), source=source, refresh=self.refresh
        )
        return dict(zip(requests, reports, strict=True))

    def first_round(self) -> dict[str, dict[str, Report]]:
        """Every contract table's reports, one batchRunReports per property."""
        return self._round("first")

    def _fetched(self, reports: dict[str, dict[str, Report]]) -> list:
        return [(s, p, reports[p.id]) for s, p in self.properties if p.id in reports]

    def frame(self, name: str, *, totals: bool = False) -> pd.DataFrame:
        """Report `name` of every fetched property stacked, with site/property/range columns.

        Only the last FRAMES_KEPT stacked frames are kept: at 2,000 properties one is tens of
        MB (a text value per row for site, property and range) and all of them were still
        held after the tables built from them, which are memoised anyway. Stacking again from
        the rounds' compact arrays costs little."""
        key = f"{name}:totals" if totals else name
        with self._frames_lock:
            if (kept := self._frames.get(key)) is not None:
                self._frames.move_to_end(key)
                return kept
        # Not under the lock: the round may still be fetched (its own lock orders that).
        if name in ("referral", "social") and not totals:
            # Only the top sources' rows are stacked: every source's articles of every
            # property (2.5M rows at 2,000 properties) was the app's largest frame, stacked
            # to read five sources' articles.
            rows = self._stacked(SAME_ROWS[name], sources=self._top_sources_of(name))
            frame = self._derived(name, rows)
        elif name in SAME_ROWS:
            frame = self._derived(name, self.frame(SAME_ROWS[name], totals=totals))
        else:
            frame = self._stacked(name, totals=totals)
        with self._frames_lock:
            self._frames[key] = frame
            self._frames.move_to_end(key)
            while len(self._frames) > FRAMES_KEPT:
                self._frames.popitem(last=False)
        return frame

    def _stacked(
        self, name: str, *, totals: bool = False, sources: list[str] | None = None
    ) -> pd.DataFrame:
        """Report `name` of every fetched property stacked (with `sources`, only their rows)."""
        fetched = self._fetched(self._round(self._round_of(name)))
        parts = [
            (r.total_rows if totals else r.rows, {"site": site, "property": prop.id})
            for site, prop, reports in fetched
            if (r := reports.get(name)) is not None
        ]
        if sources is not None:
            parts = [(table.rows_in("sessionSource", sources), extra) for table, extra in parts]
        if not parts:  # nothing fetched: the same columns, no rows
            empty = parse_report({}, self._shapes[name])
            parts = [(empty.total_rows if totals else empty.rows, {"site": "", "property": ""})]
        return stack_tables(parts).rename(columns=t.RENAME)

    def _derived(self, name: str, rows: pd.DataFrame) -> pd.DataFrame:
        """Report `name`'s frame from the rows of the one it is read from (SAME_ROWS)."""
        if name == "daily":
            return derived.by_dates(rows, self.full_ranges)
        if name == "history":
            return derived.by_dates(rows, {HISTORY: insights.history_period(self.period)})
        if name == "key_events":
            # Asked in the early round, shown beside the first round's tables: a property
            # that failed the first is left out here too, as it is there.
            answered = rows["property"].isin(list(self.first_round()))
            return derived.key_events(rows[answered], self.ranges)
        if name in ("referral", "social"):
            return self._source_articles(name, rows)
        return rows

    def _source_articles(self, name: str, rows: pd.DataFrame) -> pd.DataFrame:
        """ga-referrals' or ga-social's articles: read from the every-source rows, and for a
        property whose rows were cut short, from its own round of requests."""
        top = self._top_sources_of(name)
        short = self._cut_short()
        read = derived.articles_of(
            rows[~rows["property"].isin(short)], top, social=name == "social"
        )
        if not short:
            return read
        asked = self._fetched(self._round("second"))
        parts = [
            (r.rows, {"site": s, "property": p.id})
            for s, p, reports in asked
            if (r := reports.get(name)) is not None
        ]
        if not parts:
            return read
        own = stack_tables(parts).rename(columns=t.RENAME)[read.columns]
        return pd.concat([read, own], ignore_index=True)

    # Tables (CSV contract)

    def _summary_parts(self) -> pd.DataFrame:
        return t.summary_parts(self.frame("countries", totals=True))

    @_memoised
    def summary_table(self) -> pd.DataFrame:
        return self._unless_nothing_fetched(t.summary_table(self._summary_parts(), self.suffixes))

    @_memoised
    def site_summary_table(self) -> pd.DataFrame:
        parts = self._summary_parts()
        return t.site_summary_table(parts, self._answered_sites("first"), self.suffixes)

    def realtime_table(self) -> pd.DataFrame:
        """ga-realtime: each site's active users in the last 30 minutes, fetched now (the
        period does not apply), or as `prefetch_realtime` fetched them; a property that
        failed is named in `failures`."""
        with self._lock:
            pending, self._realtime = self._realtime, None
        now = pending.result() if pending is not None else self._fetch_realtime()
        with self._lock:
            self.failures.update(now.failures)
        return now.sites

    def prefetch_realtime(self) -> None:
        """Start ga-realtime's calls in the background, for the next `realtime_table`:
        `export --all` starts them once the first round is in, so that they travel while
        the tables are built rather than after them."""
        with self._lock:
            if self._realtime is None:
                self._realtime = budget.in_background("ga", self._fetch_realtime, "ga-realtime")

    def _fetch_realtime(self):
        from statsdash.ga.realtime import fetch_realtime

        # A property that failed this object's other calls is not asked again within the
        # failure window (see reports.FAILURE_WINDOW); it stays named in `failures`.
        asked = {
            name: dataclasses.replace(
                site,
                properties=tuple(
                    p for p in site.properties if self.label(name, p) not in self._failed_rounds
                ),
            )
            for name, site in self.sites.items()
        }
        return fetch_realtime(self.analytics, asked, pages=False)  # per site only

    @_memoised
    def users_split(self) -> pd.DataFrame:
        """Not a CSV contract: users, active_users, new_users of the period (one row)."""
        return self._unless_nothing_fetched(t.users_split(self.frame("devices")))

    @_memoised
    def key_event_table(self) -> pd.DataFrame:
        """ga-key-events: each site's key events (its listed ones, else all) by name."""
        sites = self._answered_sites("first")
        return t.key_event_table(self.frame("key_events"), sites, self.suffixes)

    @_memoised
    def article_table(self) -> pd.DataFrame:
        return t.article_table(self.frame("articles"), self.suffixes)

    @_memoised
    def country_table(self) -> pd.DataFrame:
        rows, totals = self.frame("countries"), self.frame("countries", totals=True)
        table = t.country_table(rows, totals, self.config.countries, self.suffixes)
        return self._unless_nothing_fetched(table)

    def _unless_nothing_fetched(self, table: pd.DataFrame) -> pd.DataFrame:
        """No rows rather than zeros when no property answered (see `failures`)."""
        return table if self.first_round() else table.iloc[:0]

    @_memoised
    def traffic_source_table(self) -> pd.DataFrame:
        return t.traffic_source_table(self.frame("sources"), self.suffixes)

    @_memoised
    def referring_sites_table(self, n_articles: int = 5) -> pd.DataFrame:
        if n_articles > 0:
            self.want_articles()  # in the first round, if it has not left yet
        sources = t.referral_sources(self.frame("sources"), self.config.referral_exclude_sources)
        articles = self.frame("referral") if n_articles > 0 else None
        return t.source_table(
            sources,
            "source",
            ["pageviews", "users"],
            t.N_REFERRALS,
            self.suffixes,
            articles,
            n_articles,
        )

    @_memoised
    def social_network_table(self, n_articles: int = 0) -> pd.DataFrame:
        """Top social networks by users (session sources mapped by t.SOCIAL_NETWORKS);
        with `n_articles`, each network's top articles over all its sources."""
        if n_articles > 0:
            self.want_articles()  # in the first round, if it has not left yet
        social = t.social_sources(self.frame("sources"))
        articles = t.social_articles(self.frame("social")) if n_articles > 0 else None
        return t.source_table(
            social,
            "social_network",
            ["pageviews", "users", "sessions"],
            t.N_SOCIAL,
            self.suffixes,
            articles,
            n_articles,
        )

    @_memoised
    def device_table(self) -> pd.DataFrame:
        return t.device_table(self.frame("devices"), self.suffixes)

    # Other tables

    @_memoised
    def daily_series(self, include_comparisons: bool = False) -> pd.DataFrame:
        """date, site, pageviews, users, sessions per site per day of the period; with
        `include_comparisons` also the comparison periods' days, with `period` and `day`."""
        return series.daily_series(self.frame("daily"), self.ranges, include_comparisons)

    @_memoised
    def month_to_date(self) -> pd.DataFrame:
        """site, pageviews, days_elapsed, days_left, projected_pageviews, last_month_pageviews
        for the month of the period's end, through the period's end (like for like, through
        GA4's last complete day: the days still arriving would make the pace look low)."""
        through = self.compared().complete_through if self.like_for_like else None
        return series.month_to_date(
            self.frame("month"), self._answered_sites("early"), self.period, through
        )

    @_memoised
    def device_share_by_month(self) -> pd.DataFrame:
        """month, device_category, users, share_pct for the 12 months ending with the period's."""
        return series.device_share_by_month(self.frame("device_months"))

    # Data availability

    def check_available_data(self) -> pd.DataFrame:
        """Per property: site, property, time_zone, wait_for_data, complete_through, complete."""
        self._round(self._round_of("hours"))
        return self._availability()

    def _availability(self) -> pd.DataFrame:
        # Not fetched yet only when no recent day is asked about: then every day is complete.
        done = self._rounds.get(self._round_of("hours"))
        if done is None:
            return series.availability([], self.period, self._recent_days())
        # Built once per round (a round never changes once in): like for like, the notes
        # and check_available_data each read it, for every property.
        if self._availability_of is not done:
            table = series.availability(self._fetched(done), self.period, self._recent_days())
            self._availability_table, self._availability_of = table, done
        return self._availability_table.copy()

    def quota_table(self) -> pd.DataFrame:
        """Per property that answered: the quota left as GA4 last reported it.

        Columns: site, property, `<quota>_remaining` for tokens_per_day, tokens_per_hour,
        tokens_per_project_per_hour (this project's share of the property's hour),
        concurrent_requests, server_errors_per_project_per_hour and
        potentially_thresholded_requests_per_hour (empty where not reported), then `as_of`
        (when Google gave that answer) and `from_cache` (True: the answer, so its quota,
        came from the response cache and is as of then, not now).

        "Last" is the newest answer of every round fetched so far (the first round is
        fetched if it was not); not memoised, so later rounds freshen it.
        """
        self.first_round()
        with self._lock:
            rounds = list(self._rounds.values())
        rows = []
        for site, prop in self.properties:
            if not any(prop.id in done for done in rounds):
                continue  # failed: named in `failures`
            answers = [r for done in rounds for r in done.get(prop.id, {}).values()]
            reported = [q for r in answers if (q := r.metadata.get("quota"))]
            # Other pages' and periods' answers count too: the client keeps the newest.
            if (known := self.analytics.latest_quota.get(prop.id)) is not None:
                reported.append(known)
            latest = max(reported, key=quota_recency, default={})
            rows.append(
                {"site": site, "property": prop.id} | {c: latest.get(c) for c in QUOTA_COLUMNS[2:]}
            )
        table = pd.DataFrame(rows, columns=QUOTA_COLUMNS)
        return table.astype(
            {"site": "str", "property": "str", "as_of": "datetime64[us]", "from_cache": "boolean"}
            | dict.fromkeys(QUOTA_LEFT, "Int64")
        )

    def _answered_sites(self, round_name: str) -> list[str]:
        """Sites with at least one property that answered the round."""
        answered = self._round(round_name)
        return [
            s for s, site in self.sites.items() if any(p.id in answered for p in site.properties)
        ]


def refused_message(source: str, ga, error: AuthError, count: int) -> str:
    """One line for credentials refused on every property: what, and the command to check."""
    detail = str(error).split(": ", 1)[-1]
    if ga.credentials is not None:
        key = str(ga.credentials)
    elif ga.credentials_info is not None:
        key = "[gcp_service_account] in .streamlit/secrets.toml"
    else:
        key = "(none: `credentials: none`)"
    return (
        f"Google Analytics refused the credentials for all {count} properties asked ({detail}). "
        f"Check the service-account key {key} (Google Cloud console > IAM & Admin > Service "
        "accounts > Keys: it may have been deleted or disabled) and that the account is a "
        "user of each property, then run "
        f"`python -m statsdash discover ga --config {source}` to list what it can read"
    )

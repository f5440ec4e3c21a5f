"""The report registry: one name per report, shared by the CLI export and the pages' downloads.

Both go through `build_report`, so a page's CSV download and `python -m statsdash export`
are the same bytes for the same selection.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from statsdash import budget
from statsdash.collector import collector_paused
from statsdash.config import Config
from statsdash.errors import StatsdashError
from statsdash.periods import Compared, Period, compared_sentence, comparison_periods


class SelectionError(StatsdashError):
    """The chosen sites, channel groups or report do not exist in the configuration."""


@dataclass(frozen=True)
class Selection:
    """What a report is about: sites, channel groups, period and comparisons."""

    config: Config
    period: Period
    comparisons: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()  # empty = every configured site
    channels: tuple[str, ...] = ()  # empty = every configured channel group
    refresh: bool = False
    today: date | None = None  # the services' today (the app's pinned day); None = real today
    # False (default): like for like, each service's figures cover its complete days and
    # its comparisons the same days; True: whole periods, however much of them is in.
    whole_periods: bool = False

    def site_names(self) -> tuple[str, ...]:
        ga = self.config.google_analytics
        return self.sites or (tuple(ga.sites) if ga else ())

    def channel_names(self) -> tuple[str, ...]:
        yt = self.config.youtube
        return self.channels or (tuple(yt.channels) if yt else ())

    def comparison_periods(self) -> dict[str, Period]:
        """Column suffix -> period, in the order chosen."""
        return comparison_periods(self.period, self.comparisons)

    @property
    def all_selected(self) -> bool:
        return not self.sites and not self.channels


@dataclass
class ReportResult:
    """A report table plus what the reader must know: failed sources and data-quality notes."""

    table: pd.DataFrame
    failures: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Service ("ga", "youtube") -> which days its figures cover and compare (like for like).
    compared: dict[str, Compared] = field(default_factory=dict)


GA_REPORTS = {
    "ga-summary": "summary_table",
    "ga-sites": "site_summary_table",
    "ga-articles": "article_table",
    "ga-countries": "country_table",
    "ga-traffic": "traffic_source_table",
    "ga-referrals": "referring_sites_table",
    "ga-social": "social_network_table",
    "ga-devices": "device_table",
    "ga-key-events": "key_event_table",
    "ga-realtime": "realtime_table",
}
YT_REPORTS = {
    "yt-channels": "channel_summary_table",
    "yt-stats": "channel_stats_table",
    "yt-countries": "country_table",
    "yt-videos": "video_table",
    "yt-traffic": "traffic_source_table",
    "yt-formats": "format_table",
    "yt-revenue": "revenue_table",
}
# Revenue is optional (the monetary scope): without it yt-revenue is not offered at all.
REVENUE_OFF = (
    "yt-revenue is off: set `youtube: {{revenue: true}}` in {source}, then re-run "
    "`python -m statsdash auth youtube` to grant the monetary scope"
)
CROSS_REPORTS = ("brands", "daily")
SERVICE_LABELS = {"ga": "Web", "youtube": "YouTube"}
# Last columns of every GA and YouTube report (after issue 9's `complete`).
COMPARED_COLUMNS = ("days_compared", "complete_through")
INSIGHT_REPORTS = ("drivers", "anomalies")
REPORT_NAMES = (*GA_REPORTS, *YT_REPORTS, *CROSS_REPORTS, *INSIGHT_REPORTS)


def validate_selection(selection: Selection) -> None:
    """Raise SelectionError for a site or channel group the configuration does not have."""
    ga, yt = selection.config.google_analytics, selection.config.youtube
    known_sites = tuple(ga.sites) if ga else ()
    known_channels = tuple(yt.channels) if yt else ()
    for name in selection.sites:
        if name not in known_sites:
            raise SelectionError(f"unknown site {name!r}; configured: {', '.join(known_sites)}")
    for name in selection.channels:
        if name not in known_channels:
            raise SelectionError(
                f"unknown channel group {name!r}; configured: {', '.join(known_channels)}"
            )


def build_report(name: str, selection: Selection) -> ReportResult:
    """The named report's table for `selection`, with failures and notes.

    GA, YouTube and cross-platform tables end with `complete` ("true"/"false": was every
    source fetched), so a CSV read without its command's exit code still says so."""
    validate_selection(selection)
    builder = _builder(name, selection.config)
    result = builder(selection)
    if name in COMPLETE_REPORTS:
        result.table = with_complete(result.table, not result.failures)
    return result


COMPLETE_REPORTS = (*GA_REPORTS, *YT_REPORTS, *CROSS_REPORTS)
# The columns that follow `complete` at the end of a table (issue 8's like-for-like days).
AFTER_COMPLETE = ("days_compared", "complete_through")


def with_complete(table: pd.DataFrame, complete: bool) -> pd.DataFrame:
    """`table` with the `complete` column before the trailing AFTER_COMPLETE columns."""
    out = table.drop(columns="complete", errors="ignore")
    # brands carries them per service (web_days_compared, ...): any column ending so.
    trailing = [i for i, c in enumerate(out.columns) if str(c).endswith(AFTER_COMPLETE)]
    at = trailing[0] if trailing else out.shape[1]
    out.insert(at, "complete", "true" if complete else "false")
    return out


def _builder(name: str, config: Config) -> Callable[[Selection], ReportResult]:
    if name in GA_REPORTS:
        if config.google_analytics is None:
            raise SelectionError(f"{config.source} has no google_analytics section for {name}")
        return lambda sel: _service_report("ga", GA_REPORTS[name], sel)
    if name in YT_REPORTS:
        if config.youtube is None:
            raise SelectionError(f"{config.source} has no youtube section for {name}")
        if name == "yt-revenue" and not config.youtube.revenue:
            raise SelectionError(REVENUE_OFF.format(source=config.source))
        return lambda sel: _service_report("youtube", YT_REPORTS[name], sel)
    if name in CROSS_REPORTS:
        from statsdash import crossplatform

        return getattr(crossplatform, f"{name}_report")
    if name in INSIGHT_REPORTS:
        from statsdash import insights

        return getattr(insights, f"{name}_report")
    raise SelectionError(f"unknown report {name!r}; choose one of: {', '.join(REPORT_NAMES)}")


# Recently built AnalyticsData / YoutubeData objects: the tables layer of the ladder. They
# exist so that every table of a page, of the pages sharing a selection and of one CLI run is
# built from one round of requests. An object that saw a failure is kept FAILURE_WINDOW only,
# so a failing source is asked at most once in that window (Refresh asks again at once).
_DATA_TTL = 600.0
_DATA_MAX = 16
FAILURE_WINDOW = 120.0
_data_memo: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
_memo_lock = threading.Lock()


def service_data(service: str, selection: Selection):
    """The service's table builder (AnalyticsData or YoutubeData) for the selection, memoised."""
    names = selection.site_names() if service == "ga" else selection.channel_names()
    key = (
        service,
        id(selection.config),
        selection.period,
        selection.comparisons,
        names,
        selection.today,
        selection.whole_periods,
    )
    now = time.monotonic()
    with _memo_lock:
        hit = _data_memo.get(key)
        # A memoised object keeps its config alive, so id(config) cannot be reused meanwhile.
        if hit and not selection.refresh:
            lifetime = FAILURE_WINDOW if getattr(hit[1], "failures", None) else _DATA_TTL
            if now - hit[0] < lifetime:
                _data_memo.move_to_end(key)
                return hit[1]
        data = _new_service_data(service, selection, names)
        _data_memo[key] = (now, data)
        while len(_data_memo) > _DATA_MAX:
            _data_memo.popitem(last=False)
    return data


def retry_in(source: str) -> float | None:
    """Seconds until a failed source (a `failures` key) is fetched again, or None."""
    now = time.monotonic()
    with _memo_lock:
        waits = [
            FAILURE_WINDOW - (now - built)
            for built, data in _data_memo.values()
            if source in getattr(data, "failures", {})
        ]
    return max(0.0, max(waits)) if waits else None


# Where the services report fetch progress. Per thread: each Streamlit session runs its
# script in its own thread and the services call back on the thread that asked for a table.
_progress = threading.local()


def set_progress(callback: Callable[[int, int, str], None] | None) -> None:
    """Send this thread's fetch progress, (done, total, what), to `callback` (None: nowhere)."""
    _progress.callback = callback


def report_progress(done: int, total: int, what: str = "") -> None:
    callback = getattr(_progress, "callback", None)
    if callback is not None:
        callback(done, total, what)


# One API client per service, config and day, shared by every selection: building one reads
# credentials, opens the response cache and fetches a token, none of which should repeat per
# selection, and its thread pool keeps its HTTP connections. Not a cache of data.
# (The YouTube client carries `refresh`, so that is part of its key.)
_clients: OrderedDict[tuple, tuple[Config, object]] = OrderedDict()
_CLIENTS_MAX = 8


def _client(service: str, selection: Selection):
    refresh = selection.refresh and service == "youtube"
    key = (service, id(selection.config), selection.today, refresh)
    hit = _clients.get(key)
    if hit is not None and hit[0] is selection.config:
        return hit[1]
    if service == "ga":
        from statsdash.ga.analytics import Analytics

        client = Analytics(selection.config, today=selection.today)
    else:
        from statsdash.youtube.analytics import Analytics

        client = Analytics(selection.config, refresh=refresh, today=selection.today)
    _clients[key] = (selection.config, client)  # holding the config keeps its id unique
    while len(_clients) > _CLIENTS_MAX:
        _clients.popitem(last=False)
    return client


def _new_service_data(service: str, selection: Selection, names: tuple[str, ...]):
    if service == "ga":
        from statsdash.ga.aggregate_data import AnalyticsData as Data
    else:
        from statsdash.youtube.aggregate_data import YoutubeData as Data
    return Data(
        selection.config,
        names,
        selection.period,
        selection.comparisons,
        refresh=selection.refresh,
        today=selection.today,
        progress=report_progress,
        analytics=_client(service, selection),
        like_for_like=not selection.whole_periods,
    )


def _service_report(service: str, method: str, selection: Selection) -> ReportResult:
    data = service_data(service, selection)
    table = getattr(data, method)()
    if method == GA_REPORTS["ga-realtime"]:  # now, not a period: no days to compare or cut
        return ReportResult(table, dict(data.failures), list(data.notes))
    compared = data.compared()
    failures = data.failures_of(method) if service == "youtube" else data.failures
    return ReportResult(
        with_compared(table, compared),
        dict(failures),
        list(data.notes),
        {service: compared},
    )


def blank_figures(table: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """The table with its figures (numeric columns, or `columns`) emptied, never 0: for a
    period with no complete day yet, whose rows stay but have nothing to show."""
    out = table.copy()
    if columns is None:
        columns = [
            c
            for c in out.columns
            if pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])
        ]
    for column in columns:
        integer = pd.api.types.is_integer_dtype(out[column])
        out[column] = pd.Series(None, index=out.index, dtype="Int64" if integer else "float64")
    return out


def with_compared(
    table: pd.DataFrame, compared: Compared, prefix: str = "", *, blank: bool = True
) -> pd.DataFrame:
    """`table` with `<prefix>days_compared` and `<prefix>complete_through` (YYYY-MM-DD) last;
    with `blank`, its figures emptied when no day is complete yet."""
    empty = blank and compared.days_compared == 0
    out = blank_figures(table) if empty else table.copy()
    out[f"{prefix}days_compared"] = pd.Series(
        compared.days_compared, index=out.index, dtype="int64"
    )
    through = compared.complete_through.isoformat()
    out[f"{prefix}complete_through"] = pd.Series(through, index=out.index, dtype="str")
    return out


def compared_lines(result: ReportResult) -> list[str]:
    """One sentence per service whose figures do not cover the whole period (see
    periods.compared_sentence), e.g. "YouTube: 6 of 7 days (through Sat 28 Nov), compared
    with the same 6 days"."""
    lines = []
    for service, compared in result.compared.items():
        line = compared_sentence(SERVICE_LABELS[service], compared)
        if line:
            lines.append(line)
    return lines


# The YouTube tables each non-YouTube report reads (YouTube reports name theirs in YT_REPORTS).
_YT_TABLES_OF = {"brands": ("channel_summary_table",), "daily": ("daily_series",)}


# Reports whose GA rows all come from the early round (realtime asks its own).
_GA_EARLY_ONLY = ("daily", "anomalies", "ga-realtime")
# Reports that read GA's article reports (statsdash.ga.aggregate_data, want_articles).
_GA_ARTICLES = ("ga-articles", "ga-referrals", "ga-social", "drivers")


def services_of(name: str) -> tuple[str, ...]:
    """The services a report reads."""
    if name in GA_REPORTS:
        return ("ga",)
    if name in YT_REPORTS:
        return ("youtube",)
    return ("ga", "youtube")


def prefetch(selection: Selection, names: Iterable[str] = REPORT_NAMES) -> Future | None:
    """Start, without waiting, the requests of every table these reports read, so that they
    travel as a few rounds in parallel (per property or channel) instead of one per table.
    The Future is done once YouTube's queries are all asked (None: none to ask)."""
    names = list(names)
    wanted = {service for name in names for service in services_of(name)}
    if "ga" in wanted and selection.config.google_analytics and selection.site_names():
        # The first round only for reports that read it (daily and anomalies read the early
        # one's rows): out as soon as the early round's hours are in.
        first = any(n not in _GA_EARLY_ONLY for n in names if "ga" in services_of(n))
        # The article reports only for reports that read them: the Overview does not.
        articles = any(n in _GA_ARTICLES for n in names)
        service_data("ga", selection).prefetch(first=first, articles=articles)
    if "youtube" in wanted and selection.config.youtube and selection.channel_names():
        data = service_data("youtube", selection)
        # Drivers' video queries (over the comparisons chosen: without any, drivers compare
        # with a selection of their own) and the anomalies' history depend on no other
        # answer: out with the first round, not a round of their own once an export or the
        # page reaches them (the Overview's last request).
        drivers = "drivers" in names and bool(selection.comparisons)
        tables = {YT_REPORTS[n] for n in names if n in YT_REPORTS}
        tables |= {t for n in names for t in _YT_TABLES_OF.get(n, ())}

        def youtube() -> None:
            if drivers or "anomalies" in names:
                from statsdash.youtube import insights as yt_insights

                yt_insights.prefetch(data, drivers=drivers, anomalies="anomalies" in names)
            data.prefetch(tuple(tables))

        # On a thread of its own: like for like, YouTube's queries wait for its check of the
        # recent days, and the caller's GA tables (the first round) waited behind it (1-3 s
        # of a cold Overview). A failure stays in the unread Future: the table that needs
        # the query meets it again.
        return budget.in_background("youtube", youtube, "youtube-prefetch")
    return None


def available_reports(config: Config) -> list[str]:
    """Every registered report this configuration can build (its services are configured)."""
    out = []
    for name in REPORT_NAMES:
        try:
            _builder(name, config)
        except SelectionError:
            continue
        out.append(name)
    return out


@collector_paused()  # answers parsed, tables built: see there
def build_all(selection: Selection) -> dict[str, ReportResult | StatsdashError]:
    """Every report the configuration can build, from one round of requests per service;
    a report that cannot be built at all maps to its error."""
    names = available_reports(selection.config)
    prefetch(selection, names)
    # YouTube's reports are built on a thread of their own meanwhile: GA's tables wait for
    # its two rounds in turn, YouTube's answers are in before them (and its tables read
    # only their own service's data, which takes its own locks).
    youtube = [n for n in names if n in YT_REPORTS]
    lane = None
    if youtube:
        lane = budget.in_background(
            "youtube", lambda: _youtube_lane(youtube, names, selection), "youtube-reports"
        )
    built: dict[str, ReportResult | StatsdashError] = {}
    realtime = "ga-realtime" in names and bool(selection.site_names())
    for name in names:
        if name in YT_REPORTS:
            continue
        if lane is not None and name not in GA_REPORTS:
            built |= lane.result()  # the reports across services read YouTube's tables
            lane = None
        built[name] = _built(name, selection)
        if realtime and name in GA_REPORTS:
            # The first GA report waited for the rounds: the realtime calls go out now and
            # travel while the other tables are built, not after them.
            service_data("ga", selection).prefetch_realtime()
            realtime = False
    if lane is not None:
        built |= lane.result()
    return {name: built[name] for name in names}


def _youtube_lane(youtube: list[str], names: list[str], selection: Selection) -> dict:
    """YouTube's reports, then (with drivers to build) drivers' YouTube part ahead: its
    titles' call travels while the web tables are built, not after them."""
    built = {n: _built(n, selection) for n in youtube}
    if "drivers" in names:
        from statsdash import insights

        # A failure here is met again by the drivers report, which says so.
        with contextlib.suppress(StatsdashError):
            insights.youtube_ahead(selection)
    return built


def _built(name: str, selection: Selection) -> ReportResult | StatsdashError:
    try:
        return build_report(name, selection)
    except StatsdashError as error:
        return error


def status_selection(selection: Selection) -> Selection:
    """What Data status asks for availability: the last 7 days, without comparison ranges
    (only the recent days matter there, whatever period is chosen)."""
    from statsdash.periods import preset

    today = selection.today or date.today()
    return replace(selection, period=preset("last_7_days", today), comparisons=())


# Tables of the pages beyond the reports (statsdash.ui.data.load_service_table).
PAGE_EXTRAS = {
    "ga": ("month_to_date", "device_share_by_month", "check_available_data"),
    "youtube": ("check_available_data",),
}


def warm(selection: Selection) -> list[ReportResult]:
    """Fetch every table of every page for the selection (and Data status's recent days)
    into the response cache, so the first visitor's pages make no requests for them."""
    built = build_all(selection)
    results = [r for r in built.values() if isinstance(r, ReportResult)]
    config = selection.config
    for service, section in (("ga", config.google_analytics), ("youtube", config.youtube)):
        names = selection.site_names() if service == "ga" else selection.channel_names()
        if section is None or not names:
            continue
        for sel in (selection, status_selection(selection)):
            data = service_data(service, sel)
            for method in PAGE_EXTRAS[service] if sel is selection else ("check_available_data",):
                try:
                    getattr(data, method)()
                except StatsdashError as error:
                    results.append(ReportResult(pd.DataFrame(), {service: str(error)}))
            results.append(ReportResult(pd.DataFrame(), dict(data.failures), list(data.notes)))
    return results

"""The report registry: one name per report, shared by the CLI export and the pages' downloads.

Both go through `build_report`, so a page's CSV download and `python -m statsdash export`
are the same bytes for the same selection.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from statsdash.config import Config
from statsdash.errors import StatsdashError
from statsdash.periods import Period, comparison_periods


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


GA_REPORTS = {
    "ga-summary": "summary_table",
    "ga-sites": "site_summary_table",
    "ga-articles": "article_table",
    "ga-countries": "country_table",
    "ga-traffic": "traffic_source_table",
    "ga-referrals": "referring_sites_table",
    "ga-social": "social_network_table",
    "ga-devices": "device_table",
}
YT_REPORTS = {
    "yt-channels": "channel_summary_table",
    "yt-stats": "channel_stats_table",
    "yt-countries": "country_table",
    "yt-videos": "video_table",
    "yt-traffic": "traffic_source_table",
}
CROSS_REPORTS = ("brands", "daily")
REPORT_NAMES = (*GA_REPORTS, *YT_REPORTS, *CROSS_REPORTS)


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
    """The named report's table for `selection`, with failures and notes."""
    validate_selection(selection)
    builder = _builder(name, selection.config)
    return builder(selection)


def _builder(name: str, config: Config) -> Callable[[Selection], ReportResult]:
    if name in GA_REPORTS:
        if config.google_analytics is None:
            raise SelectionError(f"{config.source} has no google_analytics section for {name}")
        return lambda sel: _service_report("ga", GA_REPORTS[name], sel)
    if name in YT_REPORTS:
        if config.youtube is None:
            raise SelectionError(f"{config.source} has no youtube section for {name}")
        return lambda sel: _service_report("youtube", YT_REPORTS[name], sel)
    if name in CROSS_REPORTS:
        from statsdash import crossplatform

        return getattr(crossplatform, f"{name}_report")
    raise SelectionError(f"unknown report {name!r}; choose one of: {', '.join(REPORT_NAMES)}")


# Recently built AnalyticsData / YoutubeData objects, so the several tables of one page (or
# of one CLI run) share one round of requests instead of fetching per table.
_DATA_TTL = 600.0
_DATA_MAX = 16
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
    )
    now = time.monotonic()
    with _memo_lock:
        hit = _data_memo.get(key)
        # A memoised object keeps its config alive, so id(config) cannot be reused meanwhile;
        # one that saw failures is rebuilt so the next look tries the failed sources again.
        fresh = hit and now - hit[0] < _DATA_TTL and not getattr(hit[1], "failures", None)
        if fresh and not selection.refresh:
            _data_memo.move_to_end(key)
            return hit[1]
        data = _new_service_data(service, selection, names)
        _data_memo[key] = (now, data)
        while len(_data_memo) > _DATA_MAX:
            _data_memo.popitem(last=False)
    return data


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
# selection. (The YouTube client carries `refresh`, so that is part of its key.)
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
    )


def _service_report(service: str, method: str, selection: Selection) -> ReportResult:
    data = service_data(service, selection)
    table = getattr(data, method)()
    return ReportResult(table, dict(data.failures), list(data.notes))

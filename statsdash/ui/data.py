"""Cached loaders: the pages' only way to data, keyed on plain values, never holding widgets.

Each loader rebuilds the Selection from hashable parts (report name, site and channel
tuples, dates, comparisons) with the process's config, then calls `statsdash.reports`.
Cached values are returned as copies by `st.cache_data`, so pages may not mutate them anyway.

The page layer of the cache ladder (README, Architecture): `st.cache_data` exists so that a
rerun (every click) redraws from the last result instead of rebuilding tables; the tables
and the answers below it have their own layers (statsdash.reports, statsdash.cache).
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

import pandas as pd
import streamlit as st

from statsdash.collector import collector_paused
from statsdash.errors import AuthError, StatsdashError
from statsdash.periods import Period
from statsdash.reports import (
    ReportResult,
    Selection,
    build_report,
    prefetch,
    service_data,
    set_progress,
    status_selection,
)
from statsdash.ui.session import load_app_config
from statsdash.ui.text import md, md_join
from statsdash.utilities import give_back_memory

TTL = 15 * 60  # seconds; the response cache below keeps final days much longer
MAX_ENTRIES = 256

Key = tuple[tuple[str, ...], tuple[str, ...], str, date, date, tuple[str, ...], date | None, bool]


def selection_key(selection: Selection) -> Key:
    """The plain, hashable values a Selection is rebuilt from."""
    p = selection.period
    return (
        selection.sites,
        selection.channels,
        p.name,
        p.start,
        p.end,
        selection.comparisons,
        selection.today,
        selection.whole_periods,
    )


def from_key(key: Key) -> Selection:
    sites, channels, name, start, end, comparisons, today, whole_periods = key
    period = Period(name, start, end)
    config = load_app_config().config
    return Selection(
        config, period, comparisons, sites, channels, today=today, whole_periods=whole_periods
    )


class _Incomplete(Exception):
    """Carries a result with failed sources out of the cache, so it is not kept there."""

    def __init__(self, result: ReportResult) -> None:
        super().__init__(result.failures)
        self.result = result


# Wall-clock time each service's tables were last built (not served from st.cache_data).
LAST_BUILT: dict[str, datetime] = {}


def _services_of(name: str) -> tuple[str, ...]:
    if name.startswith("ga-"):
        return ("ga",)
    if name.startswith("yt-"):
        return ("youtube",)
    return ("ga", "youtube")


# (report, key) -> when `_report` last built it here. Without a recent build the cached
# loader would fetch, and a fetch inside st.cache_data cannot update a progress bar drawn
# outside it (the cache records and replays elements), so the fetch is done before, visibly.
_built: dict[tuple[str, Key], float] = {}
# A report load_report just built visibly, handed to the cached loader to keep as it is
# (building it again there doubled every cold page: Insights' anomalies cost seconds).
_handed: dict[tuple[str, Key], ReportResult] = {}


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _report(name: str, key: Key) -> ReportResult:
    result = _handed.pop((name, key), None) or build_report(name, from_key(key))
    now = time.monotonic()
    for stale in [k for k, at in _built.items() if now - at > TTL]:
        _built.pop(stale, None)
    for service in _services_of(name):
        LAST_BUILT[service] = datetime.now().astimezone()
    if result.failures:
        raise _Incomplete(result)
    _built[(name, key)] = now  # only kept results skip the visible fetch next time
    return result


def _cached_report(name: str, key: Key) -> ReportResult:
    try:
        return _report(name, key)
    except _Incomplete as incomplete:  # not kept: the next look tries the failed sources again
        return incomplete.result


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _service_table(service: str, method: str, key: Key):
    data = service_data(service, from_key(key))
    LAST_BUILT[service] = datetime.now().astimezone()
    return getattr(data, method)()


def load_report(
    name: str, selection: Selection, progress: Callable[[int, int, str], None] | None = None
) -> ReportResult:
    """A report for the selection; a source that fails is in `failures`, not an exception.

    `progress(done, total, what)` hears about each property or query fetched, if any is.
    """
    key = selection_key(selection)
    built = _built.get((name, key))
    if progress is None or (built is not None and time.monotonic() - built < TTL):
        return _cached_report(name, key)
    set_progress(progress)
    try:
        result = build_report(name, from_key(key))  # fills the shared service data
    finally:
        set_progress(None)
    if result.failures:
        return result  # never cached, so not built twice now
    _handed[(name, key)] = result
    try:
        return _cached_report(name, key)  # kept as built (or as another session kept it)
    finally:
        _handed.pop((name, key), None)


def load_service_table(service: str, method: str, selection: Selection):
    """An extra table of a service (`daily_series`, `month_to_date`, ...), cached like reports."""
    return _service_table(service, method, selection_key(selection))


REALTIME_TTL = 50  # seconds: the realtime page refreshes every 60 s, a rerun sooner reuses


@st.cache_data(ttl=REALTIME_TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _realtime(key: Key):
    from statsdash.ga.realtime import fetch_realtime

    data = service_data("ga", from_key(key))
    return fetch_realtime(data.analytics, data.sites, refresh=True)


def load_realtime(selection: Selection):
    """The selected sites' realtime figures (statsdash.ga.realtime.Realtime), fetched now."""
    return _realtime(selection_key(selection))


@st.cache_data(ttl=TTL, max_entries=MAX_ENTRIES, show_spinner=False)
def _daily(service: str, key: Key) -> pd.DataFrame:
    from statsdash.crossplatform import daily_report

    return daily_report(from_key(key), services=(service,)).table


def load_daily(service: str, selection: Selection) -> pd.DataFrame:
    """The `daily` report's lines of one platform only: a web page does not fetch YouTube's
    daily figures (nor show their warnings), and the other way round."""
    return _daily(service, selection_key(selection))


def refresh(selection: Selection) -> Selection:
    """Drop cached tables and refetch once, bypassing the response cache; the selection to use.

    The fresh AnalyticsData / YoutubeData replace the memoised ones, so every table of the
    page then comes from the one refetch instead of each table refetching by itself.
    """
    st.cache_data.clear()
    _built.clear()  # the cache is empty: the next loads fetch again, with their progress
    config = selection.config
    for service, section in (("ga", config.google_analytics), ("youtube", config.youtube)):
        if section is not None:
            service_data(service, selection)
            LAST_BUILT[service] = datetime.now().astimezone()  # the refetch starts now
    return replace(selection, refresh=False)


LABELS = {
    "ga-summary": "network summary",
    "ga-sites": "sites",
    "ga-articles": "top articles",
    "ga-countries": "countries",
    "ga-traffic": "traffic sources",
    "ga-referrals": "referring sites",
    "ga-social": "social networks",
    "ga-devices": "devices",
    "yt-channels": "channel groups",
    "yt-stats": "engagement",
    "yt-countries": "countries",
    "yt-videos": "top videos",
    "yt-traffic": "traffic sources",
    "brands": "brands",
    "daily": "daily series",
}


def overview_reports(selection: Selection) -> list[str]:
    """The reports the Overview loads (pages/overview.py), for the selection's services."""
    names = ["brands", "daily", "anomalies"]
    names += ["ga-summary", "ga-countries"] if selection.site_names() else []
    names += ["yt-channels", "yt-countries"] if selection.channel_names() else []
    return names


# A page's URL path (st.Page.url_path; the default page's is "") -> the reports it loads.
PAGE_REPORTS: dict[str, Callable[[Selection], list[str]]] = {"": overview_reports}


def prefetch_page(url_path: str, selection: Selection) -> None:
    """app.py, before the page runs: start the requests of the reports the page will load
    (PAGE_REPORTS), unless all are kept. A server's first page imported its own modules
    (Altair's, ~0.3 s of CPU, and the rest of the page's) before its first request left;
    they now load while the requests travel. A problem is the page's to show: its own
    load_reports meets it again."""
    names_of = PAGE_REPORTS.get(url_path)
    if names_of is None:
        return
    names = names_of(selection)
    if _all_kept(names, selection_key(selection)):
        return
    with contextlib.suppress(StatsdashError):
        prefetch(selection, names)


def _all_kept(names: list[str], key: Key) -> bool:
    now = time.monotonic()
    return all(now - _built.get((name, key), -TTL) < TTL for name in names)


def load_reports(names: Iterable[str], selection: Selection) -> dict[str, ReportResult]:
    """Several reports, with a progress bar while they load (gone again once all are in).

    The bar names the table being built and, while the services fetch, each property or
    query as it arrives. A report that cannot be built at all (no such section, a bad
    selection) raises; a property or channel that fails is named in `failures` instead.
    """
    names = list(names)
    key = selection_key(selection)
    if _all_kept(names, key):
        # Every table is kept: no bar drawn and taken down again (three redraws of the page
        # top in the browser for a wait nobody sees).
        return {name: _cached_report(name, key) for name in names}
    with collector_paused():  # answers parsed, tables built: see there
        results = _load_visibly(names, selection)
    give_back_memory()  # building the tables freed what drawing them can reuse
    return results


def _load_visibly(names: list[str], selection: Selection) -> dict[str, ReportResult]:
    prefetch(selection, names)  # every table's requests at once, not one round per table
    box = st.empty()
    bar = box.progress(0.0, text=f"Loading {len(names)} tables…")
    results: dict[str, ReportResult] = {}
    for i, name in enumerate(names):
        step = f"Loading {LABELS.get(name, name)} ({i + 1} of {len(names)})"

        def fetched(done: int, total: int, what: str = "", i=i, step=step) -> None:
            text = f"{step} · fetched {done} of {total}" + (f", last {md(what)}" if what else "")
            bar.progress((i + done / total) / len(names), text=text)

        bar.progress(i / len(names), text=f"{step}…")
        results[name] = load_report(name, selection, fetched)
    box.empty()
    return results


def emulator_requests(url: str) -> dict | None:
    """The demo emulator's request counter, or None when it cannot be read."""
    try:
        with urllib.request.urlopen(f"{url}/_emulator/requests", timeout=5) as response:
            return json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError):
        return None


def safe_service_table(service: str, method: str, selection: Selection):
    """(table, error message): an extra table that failed as a whole must not stop the page."""
    try:
        return load_service_table(service, method, selection), None
    except StatsdashError as error:
        return None, str(error)


def empty(table) -> bool:
    return table is None or (isinstance(table, pd.DataFrame) and table.empty)


@dataclass
class ServiceStatus:
    """What the Data status page tells about one service for the selection."""

    availability: pd.DataFrame | None
    error: str | None
    failures: dict[str, str]
    notes: list[str]
    cache: dict[str, int] | None  # hits, misses, entries; None when the cache is off
    last_built: datetime | None
    service: str = "ga"
    quota: pd.DataFrame | None = None  # GA4: AnalyticsData.quota_table(), also in availability

    def fetch_lines(self) -> str:
        built = (
            f"{self.last_built:%H:%M:%S %Z}".strip()
            if self.last_built
            else "not yet in this server"
        )
        lines = [f"Tables last built: {built}"]
        if self.cache is None:
            lines.append("Response cache: off")
        else:
            lines.append(cache_line(self.cache))
        lines.append(self.quota_line())
        if self.failures:
            lines.append(f":orange[Failing: {md_join(self.failures)}]")
        return "  \n".join(lines)

    def quota_line(self) -> str:
        """The quota left in one line: GA4's lowest per property, or why there is none."""
        if self.service == "youtube":
            return YOUTUBE_QUOTA
        quota = self.quota
        left = quota[list(QUOTA_LINE)].min() if quota is not None and not quota.empty else None
        if left is None or left.isna().all():
            return "Quota left: not reported by the API for these requests"
        parts = [f"{left[c]:,} {what}" for c, what in QUOTA_LINE.items() if not pd.isna(left[c])]
        cached = " (some from cached answers)" if quota["from_cache"].fillna(False).any() else ""
        return f"Quota left, lowest property{cached}: {' · '.join(parts)}"


# GA4 quotas summed up in the Fetching box: column -> what its number counts.
QUOTA_LINE = {
    "tokens_per_day_remaining": "tokens a day",
    "tokens_per_hour_remaining": "an hour",
    "tokens_per_project_per_hour_remaining": "an hour for this project",
}
YOUTUBE_QUOTA = (
    "Quota left: not reported in YouTube's answers; the YouTube Data API's 10,000 units a day "
    "per Cloud project shows only in the Google Cloud console (APIs & Services > Quotas)"
)


def cache_line(stats: dict) -> str:
    """The response cache in one line: this server's hit rate, and what the store holds."""
    rate = stats.get("hit_rate")
    rate_text = f" ({rate:.0%} hit rate)" if rate is not None else ""
    return (
        f"Response cache ({stats.get('backend', 'sqlite')}): {stats['hits']:,} hits, "
        f"{stats['misses']:,} misses{rate_text} · {stats['entries']:,} answers stored, "
        f"{stats.get('bytes', 0) / 1e6:,.1f} MB"
        + (f" · :orange[last store failed: {md(stats['error'])}]" if stats.get("error") else "")
    )


def _latest_availability(service: str, selection: Selection) -> pd.DataFrame:
    """Availability as of today, whatever period is chosen: "complete through" is the latest
    complete day, and `complete` says whether the chosen period is wholly in."""
    status = status_selection(selection)
    # GA's availability reads the hours since CHECK_DAYS before today through the period's
    # end, the same request for any period ending that day: a chosen period ending when the
    # last 7 days do (every preset ending yesterday) has them already, with no round of 40
    # requests (at 20 sites) for Data status. YouTube's reads the whole period: its own.
    if service == "ga" and selection.period.end == status.period.end:
        status = selection
    table = service_data(service, status).check_available_data()
    through = pd.to_datetime(table["complete_through"])  # NaT (no data yet) compares False
    return table.assign(complete=through >= pd.Timestamp(selection.period.end))


def load_status(selection: Selection) -> dict[str, ServiceStatus]:
    """Per configured service of the selection: availability, failures, notes, cache use.

    Not cached: it reads the live state of the services' memoised data objects.
    """
    out = {}
    for service, names in (("ga", selection.site_names()), ("youtube", selection.channel_names())):
        if not names:
            continue
        data = service_data(service, selection)
        quota = None
        try:
            availability, error = _latest_availability(service, selection), None
            if service == "ga":  # quota left beside each property's availability
                quota = data.quota_table()
                availability = availability.merge(quota, on=["site", "property"], how="left")
        except AuthError:
            raise  # refused credentials: the frame's one message, as on every page
        except StatsdashError as problem:
            availability, error = None, str(problem)
        cache = data.analytics.cache
        out[service] = ServiceStatus(
            availability=availability,
            error=error,
            failures=dict(data.failures),
            notes=list(dict.fromkeys(data.notes)),
            cache=cache.stats() if cache.enabled else None,
            last_built=LAST_BUILT.get(service),
            service=service,
            quota=quota,
        )
    return out

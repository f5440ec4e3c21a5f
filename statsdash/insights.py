"""Insights reports across both services: `drivers` (what moved each headline metric) and
`anomalies` (days outside their expected range, tracking breaks).

Both read the same memoised service data the pages use, so the contract tables' rows are
reused; each service adds one round of its own requests (see ga/insights.py and
youtube/insights.py).
"""

from __future__ import annotations

import dataclasses

from statsdash import anomalies as a
from statsdash import drivers as d
from statsdash.periods import COMPARISONS
from statsdash.reports import ReportResult, Selection, SelectionError, service_data

DEFAULT_COMPARISON = "previous"


def prefetch(selection: Selection, *, drivers: bool = True, anomalies: bool = True) -> None:
    """Start the requests of the insights reports, without waiting for them (on GA the
    drivers read the first round only, which their report asks for at once; the anomalies'
    history is in the early round)."""
    if selection.site_names() and anomalies:
        from statsdash.ga import insights as ga

        ga.prefetch(service_data("ga", selection), drivers=drivers)
    if selection.channel_names():
        from statsdash.youtube import insights as yt

        data = service_data("youtube", selection)
        yt.prefetch(data, drivers=drivers, anomalies=anomalies)


def check_metric(metric: str) -> None:
    """Raise SelectionError for a metric drivers cannot split."""
    if metric != "all" and metric not in d.METRICS:
        raise SelectionError(
            f"--metric {metric!r} is not a drivers metric; choose one of: {', '.join(d.METRICS)}"
        )


def with_comparison(selection: Selection) -> Selection:
    """Drivers need something to compare with: the previous period when none is chosen."""
    if selection.comparisons:
        return selection
    return dataclasses.replace(selection, comparisons=(DEFAULT_COMPARISON,))


def youtube_ahead(selection: Selection) -> None:
    """Build the YouTube part of the drivers report ahead and start its titles' call (see
    youtube.insights.start_titles): `export --all` does this on its YouTube lane, so the
    report's last request no longer waits at its end. Nothing when the report would use
    other data (no comparisons chosen) or has no YouTube rows."""
    if not selection.comparisons or not selection.channel_names():
        return
    from statsdash.youtube import insights as yt

    data = service_data("youtube", selection)
    if data.compared().days_compared:
        yt.start_titles(data, {key: COMPARISONS[key] for key in selection.comparisons})


def drivers_report(selection: Selection) -> ReportResult:
    """Contributions to each headline metric's change, per comparison and dimension.

    Like for like, as every report: each service's complete days against the same days of
    each comparison (`compared` says which); a service with no complete day yet has no rows."""
    selection = with_comparison(selection)
    prefetch(selection, anomalies=False)
    comparisons = {key: COMPARISONS[key] for key in selection.comparisons}
    parts, failures, notes, compared = [], {}, [], {}
    if selection.site_names():
        from statsdash.ga import insights as ga

        data = service_data("ga", selection)
        compared["ga"] = data.compared()
        # No complete day yet: the period's rows are provisional hours, not a fall to zero.
        if compared["ga"].days_compared:
            parts.append(ga.driver_table(data, comparisons))
        failures |= data.failures
        notes += data.notes
    if selection.channel_names():
        from statsdash.youtube import insights as yt

        data = service_data("youtube", selection)
        compared["youtube"] = data.compared()
        if compared["youtube"].days_compared:
            parts.append(yt.driver_table(data, comparisons))
        failures |= data.failures
        notes += data.notes
    return ReportResult(d.combined(parts), failures, list(dict.fromkeys(notes)), compared)


def _rule(selection: Selection) -> a.Rule:
    settings = selection.config.anomalies
    return a.Rule(k=settings.k, min_spread=settings.min_spread)


def service_anomalies(service: str, selection: Selection) -> ReportResult:
    """One service's flags (for a page that charts only that service)."""
    names = selection.site_names() if service == "ga" else selection.channel_names()
    if not names:
        return ReportResult(a.empty())
    if service == "ga":
        from statsdash.ga import insights as module
    else:
        from statsdash.youtube import insights as module
    data = service_data(service, selection)
    table = a.finish([module.anomaly_table(data, _rule(selection))])
    return ReportResult(table, dict(data.failures), list(data.notes))


def anomalies_report(selection: Selection) -> ReportResult:
    """Days of the period outside their expected range, per site and channel group."""
    prefetch(selection, drivers=False)
    parts = [service_anomalies(service, selection) for service in ("ga", "youtube")]
    notes = [n for p in parts for n in p.notes]
    return ReportResult(
        a.finish([p.table for p in parts]),
        {k: v for p in parts for k, v in p.failures.items()},
        list(dict.fromkeys(notes)),
    )

"""GA4 tables beyond the CSV contract (daily series, month to date, device share by month)
and what the reader must be told: data availability and data-quality notes."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from statsdash.config import Property
from statsdash.ga.query import Report, ReportRequest, date_ranges, day_numbers
from statsdash.periods import Period, days_left_in_month
from statsdash.utilities import rollup, share_pct

Fetched = Sequence[tuple[str, Property, dict[str, Report]]]
MONTHS = 12


# Per day, for the daily series and the insights' history (one report, see ga.derived).
DAILY_METRICS = ("screenPageViews", "totalUsers", "sessions")


def month_request(period: Period) -> ReportRequest:
    """Pageviews by day of the month of the period's end so far, and of the month before it
    (by day, so that month to date can leave out the days still arriving)."""
    first = period.end.replace(day=1)
    last_end = first - timedelta(days=1)
    return ReportRequest(
        date_ranges(
            {"month": (first, period.end), "last_month": (last_end.replace(day=1), last_end)}
        ),
        ("screenPageViews",),
        ("date",),
    )


def device_months_request(period: Period) -> ReportRequest:
    """Users by device for the 12 calendar months ending with the period's month."""
    start = period.end.replace(day=1)
    for _ in range(MONTHS - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return ReportRequest(
        date_ranges([(start, period.end)]), ("totalUsers",), ("yearMonth", "deviceCategory")
    )


def daily_series(
    frame: pd.DataFrame, ranges: dict[str, Period], include_comparisons: bool = False
) -> pd.DataFrame:
    """Per site per day: date, site, pageviews, users, sessions (days without data absent).

    With `include_comparisons`, the comparison periods' days too, and `period` (current or
    the comparison suffix) and `day` (0 = the first day of its period, to overlay lines).
    """
    metrics = ["pageviews", "users", "sessions"]
    names = list(ranges) if include_comparisons else list(ranges)[:1]
    parts = []
    for name in names:
        here = rollup(frame[frame["range"] == name], ["date", "site"], metrics)
        here = here.sort_values(["date", "site"], kind="stable")
        if include_comparisons:
            start = ranges[name].start
            here = here.assign(period=name, day=[(d - start).days for d in here["date"]])
        parts.append(here)
    return pd.concat(parts, ignore_index=True)


def month_to_date(
    frame: pd.DataFrame, sites: Sequence[str], period: Period, through: date | None = None
) -> pd.DataFrame:
    """Per site: site, pageviews (month so far), days_elapsed, days_left,
    projected_pageviews (straight line to the month's end), last_month_pageviews.

    `through` (the last complete day, like for like) leaves the later days out: the month so
    far is its complete days, and a month without one yet has no figures (empty, never 0)."""
    end = period.end if through is None else min(through, period.end)
    first = period.end.replace(day=1)
    if "date" in frame and len(frame):
        days = day_numbers(frame["date"])
        frame = frame[(frame["range"] != "month") | (days <= np.datetime64(end))]
    sums = rollup(frame, ["site", "range"], ["pageviews"])
    wide = sums.pivot(index="site", columns="range", values="pageviews")
    wide = wide.reindex(index=list(sites), columns=["month", "last_month"]).fillna(0)
    elapsed = max((end - first).days + 1, 0)
    month_days = calendar.monthrange(period.end.year, period.end.month)[1]
    so_far = wide["month"].astype("int64")
    if elapsed:
        projected = (so_far * month_days / elapsed).round().astype("int64").to_numpy()
        so_far = so_far.to_numpy()
    else:  # no complete day of the month yet
        so_far = projected = pd.array([pd.NA] * len(wide), dtype="Int64")
    return pd.DataFrame(
        {
            "site": pd.Series(list(sites), dtype="str"),
            "pageviews": so_far,
            "days_elapsed": elapsed,
            # The month's days after the period's end: a day still arriving is neither so
            # far nor left (counted as left, Monday 30 Nov said "2 days left").
            "days_left": days_left_in_month(period),
            "projected_pageviews": projected,
            "last_month_pageviews": wide["last_month"].astype("int64").to_numpy(),
        }
    )


def device_share_by_month(frame: pd.DataFrame) -> pd.DataFrame:
    """month (YYYY-MM), device_category, users, share_pct of that month's users."""
    monthly = rollup(frame, ["yearMonth", "device_category"], ["users"])
    whole = monthly.groupby("yearMonth")["users"].transform("sum")
    out = monthly.assign(
        month=monthly["yearMonth"].str[:4] + "-" + monthly["yearMonth"].str[4:],
        share_pct=share_pct(monthly["users"], whole),
    )
    out = out.sort_values(["month", "users"], ascending=[True, False], kind="stable")
    return out[["month", "device_category", "users", "share_pct"]].reset_index(drop=True)


# Availability


def hours_per_day(hours: np.ndarray) -> dict[date, int]:
    """Day -> how many of its hours have rows, from a report's `dateHour` values (datetime64;
    24 = complete). Straight from the parsed column: a DataFrame per property per call was
    most of the availability table's CPU."""
    days, counts = np.unique(np.asarray(hours).astype("datetime64[D]"), return_counts=True)
    return dict(zip(days.astype(object), counts.tolist(), strict=True))


def _complete_through(report: Report | None, period: Period, recent: Period | None) -> date:
    """The last day of the period through which every day has all 24 hours."""
    if recent is None or report is None:
        return period.end
    per_day = hours_per_day(report.rows.values("dateHour"))
    for day in recent.dates():
        if per_day.get(day, 0) < 24:
            return day - timedelta(days=1)
    return period.end


def _time_zone(reports: dict[str, Report]) -> str | None:
    return next((r.metadata.get("time_zone") for r in reports.values() if r.metadata), None)


def availability(fetched: Fetched, period: Period, recent: Period | None) -> pd.DataFrame:
    """Per property: site, property, time_zone, wait_for_data, complete_through, complete."""
    rows = []
    for site, prop, reports in fetched:
        through = _complete_through(reports.get("hours"), period, recent)
        rows.append(
            {
                "site": site,
                "property": prop.id,
                "time_zone": _time_zone(reports),
                "wait_for_data": prop.wait_for_data,
                "complete_through": through,
                "complete": through >= period.end,
            }
        )
    columns = ["site", "property", "time_zone", "wait_for_data", "complete_through", "complete"]
    return pd.DataFrame(rows, columns=columns)


def availability_notes(table: pd.DataFrame, period: Period) -> list[str]:
    """One note per date through which waiting properties are complete, naming them; and
    one per date for the properties that do not wait (`wait_for_data: false`), whose
    partial days are counted: with no note, a page showed their last day as complete."""
    notes = []
    incomplete = table[~table["complete"].astype(bool)]
    waits = incomplete["wait_for_data"].astype(bool)
    for through, group in incomplete[waits].groupby("complete_through"):
        first = max(through + timedelta(days=1), period.start)
        notes.append(
            f"GA4 data is complete only through {through.isoformat()} for {_named(group)}; "
            f"{_span(first, period.end)} {'is' if first >= period.end else 'are'} still being "
            "processed, so those figures are partial, not a drop"
        )
    for through, group in incomplete[~waits].groupby("complete_through"):
        first = max(through + timedelta(days=1), period.start)
        notes.append(
            f"{_named(group)} {'is' if len(group) == 1 else 'are'} counted without waiting "
            f"for complete data (wait_for_data: false): GA4 has its data complete through "
            f"{through.isoformat()}, so any later day shown ({_span(first, period.end)}) "
            "counts its figures as they stand, partial"
        )
    return notes


def _named(group: pd.DataFrame) -> str:
    """ "gearhaven.co.uk (properties 298451006, 298451007), pixelpost.net (property 1)"."""
    return ", ".join(
        f"{site} ({'property' if len(ids) == 1 else 'properties'} {', '.join(ids)})"
        for site, ids in group.groupby("site", sort=False)["property"]
    )


def _span(first: date, last: date) -> str:
    return first.isoformat() if first >= last else f"{first.isoformat()} to {last.isoformat()}"


# Data-quality notes


def quality_notes(
    fetched: Fetched, label: Callable[[str, Property], str], *, zones: bool = True
) -> list[str]:
    """Thresholding, data lost into "(other)", sampling per property; mixed time zones
    (unless `zones` is off: a round of only some properties)."""
    notes = []
    by_zone: dict[str, list[str]] = {}
    for site, prop, reports in fetched:
        meta = [r.metadata for r in reports.values() if r.metadata]
        name = label(site, prop)
        if any(m.get("thresholded") for m in meta):
            notes.append(
                f"{name}: GA4 applied thresholding (small numbers withheld for privacy), "
                "so its figures may be slightly low"
            )
        if any(m.get("other_row") for m in meta):
            notes.append(
                f'{name}: GA4 grouped rare pages into "(other)" (too many distinct values); '
                '"(other)" is left out of the article tables'
            )
        samples = [s for m in meta for s in m.get("sampling", [])]
        read, space = sum(s[0] for s in samples), sum(s[1] for s in samples)
        if space:
            notes.append(
                f"{name}: GA4 sampled this data ({read:,} of {space:,} events, "
                f"{100 * read / space:.1f}%)"
            )
        zone = _time_zone(reports)
        if zone and site not in by_zone.setdefault(zone, []):
            by_zone[zone].append(site)
    if zones and len(by_zone) > 1:
        listed = "; ".join(f"{zone}: {', '.join(sites)}" for zone, sites in by_zone.items())
        notes.append(
            f"The properties count days in different time zones ({listed}), so their days start "
            "at different moments"
        )
    return notes

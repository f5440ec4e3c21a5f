"""Report periods: presets relative to a day, and the periods a report is compared with."""

from __future__ import annotations

import calendar
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta


class PeriodError(ValueError):
    """A date range or preset that cannot be reported on."""


@dataclass(frozen=True)
class Period:
    """An inclusive range of whole days with a name for labels."""

    name: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise PeriodError(
                f"{self.name}: start {self.start.isoformat()} is after end {self.end.isoformat()}"
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.start == self.end:
            return day_text(self.start, year=True)
        first, last = (day_text(d, weekday=False, year=True) for d in (self.start, self.end))
        return f"{first} – {last}"

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def day_text(day: date, *, weekday: bool = True, year: bool = False) -> str:
    """A day as every heading, note and sentence writes it: "Tue 3 Nov", "3 Nov 2026"
    (the day of the month unpadded, as in the "3-29 Nov" column headings)."""
    text = f"{day.day} {day:%b}" + (f" {day.year}" if year else "")
    return f"{day:%a} {text}" if weekday else text


# Preset keys, in the order the sidebar offers them, with their labels.
PRESETS: dict[str, str] = {
    "yesterday": "Yesterday",
    "last_7_days": "Last 7 days",
    "last_week": "Last full week (Mon–Sun)",
    "last_28_days": "Last 28 days",
    "last_month": "Last month",
    "month_to_date": "Month to date",
    "year_to_date": "Year to date",
    "custom": "Custom",
}

# Comparison keys -> the suffix their columns carry (DESIGN.md: <m>_prev, <m>_yoy).
# Both year-ago variants fill the `yoy` columns, so a report has at most one of them.
# `week_ago` gives the old tool's "day vs same day last week".
COMPARISONS: dict[str, str] = {
    "previous": "prev",
    "yoy": "yoy",
    "yoy_weekday": "yoy",
    "week_ago": "wow",
}

COMPARISON_LABELS: dict[str, str] = {
    "previous": "Previous period",
    "yoy": "Year ago (same dates)",
    "yoy_weekday": "Same weekday last year",
    "week_ago": "Same days a week earlier",
}


def preset(key: str, today: date, start: date | None = None, end: date | None = None) -> Period:
    """The period a preset means on `today`; presets end yesterday, the last day with data."""
    yesterday = today - timedelta(days=1)
    if key == "yesterday":
        return Period(PRESETS[key], yesterday, yesterday)
    if key == "last_7_days":
        return Period(PRESETS[key], today - timedelta(days=7), yesterday)
    if key == "last_28_days":
        return Period(PRESETS[key], today - timedelta(days=28), yesterday)
    if key == "last_week":
        last_sunday = today - timedelta(days=today.isoweekday())
        return Period(PRESETS[key], last_sunday - timedelta(days=6), last_sunday)
    if key == "last_month":
        last_day = today.replace(day=1) - timedelta(days=1)
        return Period(PRESETS[key], last_day.replace(day=1), last_day)
    if key == "month_to_date":
        # On the 1st there is no finished day this month yet: report the 1st alone.
        return Period(PRESETS[key], today.replace(day=1), max(yesterday, today.replace(day=1)))
    if key == "year_to_date":
        first = today.replace(month=1, day=1)
        return Period(PRESETS[key], first, max(yesterday, first))
    if key == "custom":
        if start is None or end is None:
            raise PeriodError("custom period: give both a start and an end date")
        return Period(PRESETS[key], start, end)
    raise PeriodError(f"unknown period preset {key!r}; choose one of {', '.join(PRESETS)}")


def days_left_in_month(period: Period) -> int:
    """Days of the period's end month after its end (0 when the month is complete)."""
    month_days = calendar.monthrange(period.end.year, period.end.month)[1]
    return month_days - period.end.day


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February -> 28 February
        return day.replace(year=day.year - 1, day=28)


def comparison(period: Period, key: str) -> Period:
    """The period `period` is compared with under comparison `key` (see COMPARISONS)."""
    if key == "previous":
        end = period.start - timedelta(days=1)
        return Period(COMPARISON_LABELS[key], end - timedelta(days=period.days - 1), end)
    if key == "yoy":
        return Period(COMPARISON_LABELS[key], _year_back(period.start), _year_back(period.end))
    if key in ("yoy_weekday", "week_ago"):
        back = timedelta(days=364 if key == "yoy_weekday" else 7)
        return Period(COMPARISON_LABELS[key], period.start - back, period.end - back)
    raise PeriodError(f"unknown comparison {key!r}; choose from {', '.join(COMPARISONS)}")


def comparison_periods(period: Period, keys: tuple[str, ...]) -> dict[str, Period]:
    """Column suffix -> the period compared with, in the order the comparisons were chosen."""
    return {COMPARISONS[key]: comparison(period, key) for key in keys}


# Like for like


@dataclass(frozen=True)
class Compared:
    """The part of a period a service's figures cover, and the ranges they are compared with.

    `current` is the period cut to its complete days (None: no complete day yet), and
    `comparisons` (suffix -> period) are cut to the same offsets from their starts; with no
    complete day there is nothing to compare, so `comparisons` is empty.
    """

    period: Period
    current: Period | None
    comparisons: dict[str, Period] = field(default_factory=dict)
    # The service's latest complete day as known (None: not checked, the range is closed).
    latest_complete: date | None = None

    @property
    def days_compared(self) -> int:
        return self.current.days if self.current is not None else 0

    @property
    def trimmed(self) -> bool:
        """True when some of the period's days are left out of the compared figures."""
        return self.days_compared < self.period.days

    @property
    def complete_through(self) -> date:
        """The last day the figures cover, or the latest complete day before the period."""
        if self.current is not None:
            return self.current.end
        return self.latest_complete or self.period.start - timedelta(days=1)


def like_for_like(
    period: Period, comparisons: Mapping[str, Period], complete_through: date | None
) -> Compared:
    """`period` cut to its days through `complete_through`, every comparison cut alike.

    Each comparison keeps as many days from its own start as the period keeps (Mon-Sat this
    week vs Mon-Sat the week before and a year ago). `complete_through` None or on/after the
    period's end: nothing is cut, and the result covers exactly the ranges given.
    """
    if complete_through is None or complete_through >= period.end:
        return Compared(period, period, dict(comparisons), complete_through)
    days = (complete_through - period.start).days + 1
    if days <= 0:
        return Compared(period, None, {}, complete_through)
    keep = timedelta(days=days - 1)
    current = Period(period.name, period.start, complete_through)
    cut = {
        sfx: Period(p.name, p.start, min(p.end, p.start + keep)) for sfx, p in comparisons.items()
    }
    return Compared(period, current, cut, complete_through)


def compared_sentence(service: str, compared: Compared) -> str | None:
    """ "YouTube: 6 of 7 days (through Sat 28 Nov), compared with the same 6 days", the no
    complete day line, or None when the figures cover the whole period."""
    if compared.current is None:
        latest = f"{day_text(compared.complete_through)}"
        return f"{service}: no complete day yet — {service}'s latest complete day is {latest}"
    if not compared.trimmed:
        return None
    n, through = compared.days_compared, f"{day_text(compared.current.end)}"
    line = f"{service}: {n} of {compared.period.days} days (through {through})"
    if compared.comparisons:
        line += f", compared with the same {n} days" if n > 1 else ", compared with the same day"
    return line


def parse_comparisons(text: str | None) -> tuple[str, ...]:
    """`previous,yoy` -> ("previous", "yoy"); rejects unknown names and two year-ago variants."""
    if not text:
        return ()
    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    for key in keys:
        if key not in COMPARISONS:
            raise PeriodError(f"unknown comparison {key!r}; choose from {', '.join(COMPARISONS)}")
    suffixes = [COMPARISONS[k] for k in keys]
    if len(set(suffixes)) != len(suffixes):
        raise PeriodError("choose at most one of yoy and yoy_weekday, and each comparison once")
    return keys


# The GA4 Data API refuses dates before this one (start dates must be after 2015-08-13, as
# connectors validating against it note, e.g. estuary/connectors#2736): no GA4 data can exist.
GA4_EARLIEST = date(2015, 8, 14)


def check_reportable(
    period: Period, comparisons: Mapping[str, Period], today: date, *, web: bool
) -> None:
    """Raise PeriodError for a period ending after today, or (`web`) reaching before GA4.

    The latest day that can have data is today (partly); a range or comparison starting
    before GA4_EARLIEST would come back as zeros, which would read as "no traffic"."""
    if period.end > today:
        raise PeriodError(
            f"end {period.end.isoformat()} is in the future; the latest day that can have "
            f"data is today, {today.isoformat()}"
        )
    if not web:
        return
    for what, p in {
        "start": period,
        **{f"{s} comparison start": c for s, c in comparisons.items()},
    }.items():
        if p.start < GA4_EARLIEST:
            raise PeriodError(
                f"{what} {p.start.isoformat()} is before {GA4_EARLIEST.isoformat()}, the "
                "earliest day the GA4 Data API has data for; start on or after it"
            )


TODAY_ENV = "STATSDASH_TODAY"  # pins "today" for demos and tests; real today otherwise


def today() -> date:
    """$STATSDASH_TODAY when set (demos, tests), else the real today."""
    pinned = os.environ.get(TODAY_ENV)
    return parse_date(pinned, TODAY_ENV) if pinned else date.today()


def parse_date(text: str, what: str = "date") -> date:
    """ISO date from the command line or URL, with a message naming the argument."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise PeriodError(
            f"{what}: {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-10-31"
        ) from None

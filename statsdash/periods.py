"""Report periods: presets relative to a day, and the periods a report is compared with."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
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
            return self.start.strftime("%a %d %b %Y")
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


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


def parse_date(text: str, what: str = "date") -> date:
    """ISO date from the command line or URL, with a message naming the argument."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise PeriodError(
            f"{what}: {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-10-31"
        ) from None

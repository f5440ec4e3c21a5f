"""When YouTube's public `views` changed meaning, and whether compared ranges straddle a change.

YouTube Analytics API revision history (developers.google.com/youtube/analytics/revision_history):
- 2025-03-26 entry: from 2025-03-31 a Short's views count every time it starts or replays, with
  no minimum watch time; the 2025-06-24 entry adds `engaged_views` (the earlier method) to the
  bulk reports. Long-form videos were unchanged then.
- 2026-08-27 entry: public views of every format (long-form, live, Shorts) count when playback
  starts. It gives no other effective date, so the entry's date is the one used here.
`engagedViews` keeps the old definition throughout, so it compares like for like across both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from statsdash.periods import Period, day_text


@dataclass(frozen=True)
class CountingChange:
    """One change of what `views` counts, from `day` on."""

    day: date
    what: str


CHANGES = (
    CountingChange(date(2025, 3, 31), "Shorts count every start or replay"),
    CountingChange(date(2026, 8, 27), "every format counts a view when playback starts"),
)


def _straddles(change: CountingChange, periods: list[Period]) -> bool:
    """Some day of the ranges is before the change and some day on or after it."""
    return min(p.start for p in periods) < change.day <= max(p.end for p in periods)


def changes_between(period: Period, comparisons: Mapping[str, Period]) -> list[CountingChange]:
    """The counting changes the period and its comparison ranges, taken together, straddle."""
    ranges = [period, *comparisons.values()]
    return [c for c in CHANGES if _straddles(c, ranges)]


def straddling_comparisons(period: Period, comparisons: Mapping[str, Period]) -> list[str]:
    """Comparison suffixes whose range and the period count views differently somewhere."""
    return [sfx for sfx, other in comparisons.items() if changes_between(period, {sfx: other})]


def view_count_note(period: Period, comparisons: Mapping[str, Period]) -> str | None:
    """The reader's note when views are not counted alike across the ranges, else None."""
    changes = changes_between(period, comparisons)
    if not changes:
        return None
    when = " and ".join(f"{day_text(c.day, weekday=False, year=True)} ({c.what})" for c in changes)
    return f"YouTube changed how views are counted on {when}; engaged views compare like for like"


def counting_history() -> str:
    """Every change of what `views` counts, for a reader: "Views: Shorts count every start
    or replay from 31 Mar 2025; every format counts a view when playback starts from 27 Aug
    2026"."""
    return "Views: " + "; ".join(
        f"{c.what} from {day_text(c.day, weekday=False, year=True)}" for c in CHANGES
    )


def view_metrics(period: Period, comparisons: Mapping[str, Period]) -> tuple[str, str]:
    """The two view columns in the order to show them: engaged views first when some
    comparison counts views differently, so the like-for-like change leads."""
    if straddling_comparisons(period, comparisons):
        return ("engaged_views", "views")
    return ("views", "engaged_views")

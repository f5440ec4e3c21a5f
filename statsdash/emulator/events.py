"""Deliberate events in the demo network's last full week of November 2026, so the demo
shows what Insights finds and tests can assert it is found:

- a viral article: pixelpost.net's "Indie explained in five minutes" takes off from Reddit
  on Tue 24 Nov (the site's pageviews about double) and Wed 25 Nov (about +50 %);
- a tag that stops firing: gearhaven.co.uk's AMP property 298451007 counts nothing on
  Mon 23 and Tue 24 Nov (a tracking break, not a traffic drop);
- an upload that takes off: Coastline Chronicle's newest video, from the YouTube home and
  suggestions, Wed 25 to Fri 27 Nov (the channel's views about 2.7x).

Applied to each month's fact columns as they are generated, so the API and the raw facts
tests read agree. Dates are fixed: a day's numbers never depend on `today`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from statsdash.emulator import catalog as cat
from statsdash.emulator.stores import GA_METRICS, YT_METRICS, day_number

Month = Callable[[int, int], dict[str, np.ndarray]]

VIRAL_PROPERTY = "311204581"  # www.pixelpost.net
VIRAL_PAGE = 6  # its page "/news/2026-09-02-indie-explained-in-five-minutes"
VIRAL_DAYS = {date(2026, 11, 24): 5, date(2026, 11, 25): 3}  # day -> views multiplier
VIRAL_SOURCE = [s for s, _, _ in cat.SOURCES].index("reddit.com")
BROKEN_PROPERTY = "298451007"  # amp.gearhaven.co.uk
BROKEN_DAYS = (date(2026, 11, 23), date(2026, 11, 24))
UPLOAD_CHANNEL = "Coastline Chronicle"
UPLOAD_DAYS = (date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27))
UPLOAD_FACTOR = 6
UPLOAD_TRAFFIC = [t for t, _ in cat.TRAFFIC_SOURCES].index("SUGGESTED")


def _rows_of(day_column: np.ndarray, day: date, every: int) -> np.ndarray:
    """Every `every`-th row of the day (positions in the columns)."""
    return np.flatnonzero(day_column == day_number(day))[::every]


def ga_month(property_id: str, make: Month) -> Month:
    """`make` with this property's events applied to the months they fall in."""
    if property_id not in (VIRAL_PROPERTY, BROKEN_PROPERTY):
        return make

    def month(y: int, m: int) -> dict[str, np.ndarray]:
        cols = make(y, m)
        day = cols["dh"] // 24
        if property_id == VIRAL_PROPERTY:
            for when, factor in VIRAL_DAYS.items():
                rows = _rows_of(day, when, 4)
                cols["page"][rows] = VIRAL_PAGE
                cols["source"][rows] = VIRAL_SOURCE
                for metric in GA_METRICS:
                    cols[metric][rows] *= factor
        else:
            # The property still "answers" (its hours exist, so the days count as processed)
            # but with nothing in them: what a tag that stopped firing looks like.
            silent = np.isin(day, [day_number(d) for d in BROKEN_DAYS])
            for metric in GA_METRICS:
                cols[metric][silent] = 0
        return cols

    return month


def yt_month(title: str, make: Month, newest_video: int) -> Month:
    """`make` with the upload event applied when `title` is the event's channel."""
    if title != UPLOAD_CHANNEL:
        return make

    def month(y: int, m: int) -> dict[str, np.ndarray]:
        cols = make(y, m)
        for when in UPLOAD_DAYS:
            rows = _rows_of(cols["day"], when, 3)
            cols["video"][rows] = newest_video
            cols["traffic"][rows] = UPLOAD_TRAFFIC
            for metric in YT_METRICS:
                cols[metric][rows] *= UPLOAD_FACTOR
        return cols

    return month

"""Reports read from a wider report's rows, so that a property's requests fit two calls.

A property's reports are ten in two `batchRunReports` (five each, Google's limit), asked in
two rounds: "early" needs nothing, "first" the like-for-like ranges early's recent hours
give. Three reports used to wait for a round of their own or take a slot each; each is now
cut, exactly, from another's rows:

- the daily series and the insights' history are one report by `date` over every day either
  needs (`days_request`), each cut by date to its own ranges;
- key events by name are asked by `date` over the whole ranges in the early round
  (`key_event_days_request`) and summed per like-for-like range once the hours are in: an
  event count is a sum of its days;
- the articles of the top referral sources and social networks come from one report of
  every source's articles (`source_articles_request`), asked beside the sources report
  instead of after it: only the sources either table can show (not excluded, or social),
  and summed over channel group per source as the separate reports were. That report is
  capped at SOURCE_ARTICLE_ROWS rows: a big property has a row for every referring site and
  article, and all of them were paged in. A property whose rows pass the cap is asked for
  its top sources' articles in a round of its own (`top_source_articles_request`), as
  before: exact either way, two calls for most properties and three for the largest.

Only additive counts (pageviews, key events) are ever summed; users never are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from statsdash.ga import tables as t
from statsdash.ga.query import (
    MAX_DATE_RANGES,
    ReportRequest,
    all_of,
    by_metric,
    date_ranges,
    day_numbers,
    in_list,
    none_of,
)
from statsdash.periods import Period

Spans = list[tuple[date, date]]
# Rows of every source's articles asked at most: a small site's fit (the demo's have under
# 1,000 a month); past it, a property's top sources' articles are asked on their own (see
# the module's docstring), and the client remembers to skip the capped page next time.
SOURCE_ARTICLE_ROWS = 2_000


def covering(periods: Iterable[Period | tuple[date, date]]) -> Spans:
    """The fewest disjoint spans (at most four, a report's limit) holding every day of
    `periods`: overlapping or touching ones merged, then the closest pairs while too many
    (the days between are fetched and never used)."""
    spans = sorted((p.start, p.end) if isinstance(p, Period) else tuple(p) for p in periods)
    merged: Spans = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    while len(merged) > MAX_DATE_RANGES:
        gaps = [merged[i + 1][0] - merged[i][1] for i in range(len(merged) - 1)]
        i = gaps.index(min(gaps))
        merged[i : i + 2] = [(merged[i][0], merged[i + 1][1])]
    return merged


def days_request(periods: Iterable[Period], metrics: Sequence[str]) -> ReportRequest:
    """`metrics` per `date` over every day of `periods`."""
    return ReportRequest(date_ranges(covering(periods)), tuple(metrics), ("date",))


def by_dates(frame: pd.DataFrame, ranges: Mapping[str, Period]) -> pd.DataFrame:
    """The rows of a report by `date` once per range whose days they fall in, `range`
    being that range's name: what a report asked for `ranges` gives (in no promised order)."""
    days = day_numbers(frame["date"])
    parts = []
    for name, period in ranges.items():
        inside = (days >= np.datetime64(period.start)) & (days <= np.datetime64(period.end))
        part = frame[inside]
        parts.append(part.assign(range=pd.Series(name, index=part.index, dtype="str")))
    return pd.concat(parts, ignore_index=True)


def key_event_days_request(ranges: Mapping[str, Period], events: Sequence[str]) -> ReportRequest:
    """Key events by name and day over every day of `ranges` (the whole, uncut ones)."""
    named = t.key_events_request(ranges, events)
    return ReportRequest(
        date_ranges(covering(ranges.values())),
        named.metrics,
        (*named.dimensions, "date"),
        filters=named.filters,
    )


def key_events(frame: pd.DataFrame, ranges: Mapping[str, Period]) -> pd.DataFrame:
    """The key-events report for `ranges` from its rows by day: each range's days summed."""
    keys = ["key_event", "range", "site", "property"]
    summed = by_dates(frame, ranges).groupby(keys, sort=False, as_index=False)["key_events"].sum()
    return summed[["key_event", "range", "key_events", "site", "property"]]


def source_articles_request(
    ranges: Mapping[str, Period], exclude_sources: Sequence[str], exclude_paths: Sequence[str]
) -> ReportRequest:
    """Pageviews by source, channel group and article: every row the referral articles
    (a source not excluded, any group) or the social ones (a social group) can need."""
    social = in_list("sessionDefaultChannelGroup", t.SOCIAL_GROUPS)
    kept = none_of(_excluded_source(e) for e in exclude_sources)
    wanted = None if kept is None else {"orGroup": {"expressions": [social, kept]}}
    return ReportRequest(
        date_ranges(ranges),
        ("screenPageViews",),
        ("sessionSource", "sessionDefaultChannelGroup", "pagePath", "pageTitle"),
        filters=all_of(wanted, t.not_excluded(exclude_paths)),
        order_by=(by_metric("screenPageViews"),),
        limit=SOURCE_ARTICLE_ROWS,
    )


def cut_short(report) -> bool:
    """Whether an every-source report holds fewer rows than the property has (the cap)."""
    return report.row_count > len(report.rows)


def top_source_articles_request(
    ranges: Mapping[str, Period],
    sources: Sequence[str],
    exclude_paths: Sequence[str],
    *,
    social: bool,
) -> ReportRequest:
    """Pages viewed in sessions from `sources` (social channel groups only when `social`):
    a property's rows for `articles_of`, when its every-source report was cut short."""
    groups = in_list("sessionDefaultChannelGroup", t.SOCIAL_GROUPS) if social else None
    return ReportRequest(
        date_ranges(ranges),
        ("screenPageViews",),
        ("sessionSource", "pagePath", "pageTitle"),
        filters=all_of(in_list("sessionSource", sources), groups, t.not_excluded(exclude_paths)),
        order_by=(by_metric("screenPageViews"),),
    )


def _excluded_source(entry: str) -> dict:
    """GA4's form of `tables.is_excluded`: the entry itself or a subdomain, ignoring case."""

    def match(kind: str, value: str) -> dict:
        rule = {"matchType": kind, "value": value, "caseSensitive": False}
        return {"filter": {"fieldName": "sessionSource", "stringFilter": rule}}

    return {"orGroup": {"expressions": [match("EXACT", entry), match("ENDS_WITH", f".{entry}")]}}


def articles_of(frame: pd.DataFrame, sources: Sequence[str], *, social: bool) -> pd.DataFrame:
    """The rows a report of `sources`' articles (social channel groups only when `social`)
    gives, from the every-source report: its channel groups summed."""
    keep = frame["source"].isin(sources)
    if social:
        keep &= frame["channel_group"].isin(t.SOCIAL_GROUPS)
    keys = ["source", "path", "title", "range", "site", "property"]
    summed = frame[keep].groupby(keys, sort=False, as_index=False)["pageviews"].sum()
    return summed[["source", "path", "title", "range", "pageviews", "site", "property"]]

"""GA4 Data API v1beta properties.runRealtimeReport over the demo network: the last 30 minutes
of a property, minute by minute, checked like Google checks it (fields, minuteRanges, the
realtime schema) and charged to its own quota bucket, as Google's realtime quota is."""

from __future__ import annotations

import numpy as np

from statsdash.emulator import ga
from statsdash.emulator import ga_query as q
from statsdash.emulator.errors import GA_SCHEMA_URL, invalid

FIELDS = {
    "property",
    "dimensions",
    "metrics",
    "dimensionFilter",
    "metricFilter",
    "limit",
    "metricAggregations",
    "orderBys",
    "returnPropertyQuota",
    "minuteRanges",
}
# The part of Google's realtime schema the demo network has data for.
DIMENSIONS = ("minutesAgo", "unifiedScreenName", "country", "countryId", "deviceCategory")
METRICS = ("activeUsers", "screenPageViews", "keyEvents")
MAX_MINUTE_RANGES = 2
MAX_MINUTES_AGO = 29  # standard properties: the last 30 minutes (360 properties: 59)


def _minutes(value, field: str, default: int) -> int:
    if value is None:
        return default
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise invalid(f"Invalid value at '{field}' (TYPE_INT32), \"{value}\"") from None
    if not 0 <= minutes <= MAX_MINUTES_AGO:
        raise invalid(
            f"{field} must be between 0 and {MAX_MINUTES_AGO} for a standard property; "
            f"got {minutes}."
        )
    return minutes


def _minute_ranges(raw) -> list[tuple[int, int, str]]:
    """(startMinutesAgo, endMinutesAgo, name) per range; one range of 29..0 by default."""
    raw = raw or [{}]
    if len(raw) > MAX_MINUTE_RANGES:
        raise invalid(
            f"Requests are limited to {MAX_MINUTE_RANGES} minuteRanges within a request; "
            f"this request has {len(raw)} minuteRanges."
        )
    ranges = []
    for i, r in enumerate(raw):
        start = _minutes(r.get("startMinutesAgo"), "startMinutesAgo", MAX_MINUTES_AGO)
        end = _minutes(r.get("endMinutesAgo"), "endMinutesAgo", 0)
        if start < end:
            raise invalid(
                f"The minuteRange's startMinutesAgo ({start}) must be on or after its "
                f"endMinutesAgo ({end}): it counts minutes before now."
            )
        ranges.append((start, end, ga.range_name(r, i, "Minute range")))
    return ranges


def parse_request(body, today) -> tuple[ga.ReportRequest, list[tuple[int, int, str]]]:
    """A RunRealtimeReportRequest validated the way the API does, as a ReportRequest."""
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object.")
    for field in body:
        if field not in FIELDS:
            raise invalid(
                f'Invalid JSON payload received. Unknown name "{field}": Cannot find field.'
            )
    for kind, allowed in (("dimension", DIMENSIONS), ("metric", METRICS)):
        for item in body.get(f"{kind}s", []):
            if item.get("name") not in allowed:
                raise invalid(
                    f"Field {item.get('name')} is not a valid {kind} for a realtime report. "
                    f"For a list of valid realtime dimensions and metrics, see "
                    f"{GA_SCHEMA_URL.replace('api-schema', 'realtime-api-schema')} "
                )
    ranges = _minute_ranges(body.get("minuteRanges"))
    own = ("minuteRanges", "property", "dimensions", "metrics")
    core = {k: v for k, v in body.items() if k not in own}
    # The core parser checks the shared parts (counts, limit, aggregations); a realtime
    # report has minutes instead of dates and its own schema, checked above.
    placeholder = {
        "dateRanges": [{"startDate": "today", "endDate": "today"}] * len(ranges),
        "dimensions": [{"name": "country"}] * len(body.get("dimensions", [])),
        "metrics": [{"name": "sessions"}] * max(1, len(body.get("metrics", []))),
    }
    req = ga.parse_request(core | placeholder, today)
    req.dimensions = [d.get("name") for d in body.get("dimensions", [])]
    req.metrics = [m.get("name") for m in body.get("metrics", [])]
    if not req.dimensions and not req.metrics:
        raise invalid("A report request must specify at least one dimension or metric.")
    req.ranges = [(None, None, name) for _, _, name in ranges]
    return req, ranges


def run_realtime_report(net, property_id: str, body, quota: ga.PropertyQuota) -> dict:
    """properties.runRealtimeReport."""
    ga.check_property(net, property_id)
    req, ranges = parse_request(body, net.today)
    cols = net.ga_realtime(property_id)
    ago = cols["minutes_ago"]
    idx, codes = [], []
    for i, (start, end, _) in enumerate(ranges):  # overlapping ranges read a row twice
        mine = np.flatnonzero((ago <= start) & (ago >= end))
        idx.append(mine)
        codes.append(np.full(len(mine), i))
    rows = q.Rows(
        net, property_id, cols, np.concatenate(idx), np.concatenate(codes), [n for *_, n in ranges]
    )
    response = ga.report_table(rows, req)
    block = quota.charge(property_id, 1 + len(rows.idx) // 10_000)
    if req.return_quota:
        response["propertyQuota"] = block
    response["kind"] = "analyticsData#runRealtimeReport"
    return response

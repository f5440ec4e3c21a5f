"""GA4 Data API v1beta (runReport, batchRunReports, getMetadata) and Admin API v1beta
accountSummaries.list, answered from the synthetic network with Google's shapes."""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from statsdash.emulator import ga_query as q
from statsdash.emulator.errors import GA_NO_PERMISSION, ApiError, invalid
from statsdash.emulator.ga_schema import DIMENSIONS, METRICS

MAX_DATE_RANGES = 4
MAX_DIMENSIONS = 9
MAX_METRICS = 10
MAX_BATCH = 5
DEFAULT_LIMIT = 10_000
MAX_LIMIT = 250_000
REQUEST_FIELDS = {
    "property",
    "dimensions",
    "metrics",
    "dateRanges",
    "dimensionFilter",
    "metricFilter",
    "offset",
    "limit",
    "metricAggregations",
    "orderBys",
    "currencyCode",
    "cohortSpec",
    "keepEmptyRows",
    "returnPropertyQuota",
    "comparisons",
}
AGGREGATIONS = {
    "TOTAL": ("totals", "RESERVED_TOTAL"),
    "MAXIMUM": ("maximums", "RESERVED_MAX"),
    "MINIMUM": ("minimums", "RESERVED_MIN"),
}
_RELATIVE_DAYS = re.compile(r"(\d+)daysAgo")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_property(net, property_id: str):
    """The property, or 400 for a malformed id and 403 for one the caller cannot read."""
    if not property_id.isdigit():
        raise invalid(f"Invalid property ID: {property_id}. A property ID is numeric.")
    if property_id not in net.ga_properties:
        raise ApiError(403, GA_NO_PERMISSION)
    return net.ga_properties[property_id]


class PropertyQuota:
    """Token counters per property, reported when a request sets returnPropertyQuota."""

    LIMITS = {"tokensPerDay": 200_000, "tokensPerHour": 40_000, "tokensPerProjectPerHour": 14_000}

    def __init__(self):
        self._lock = threading.Lock()
        self._used: dict[str, int] = {}

    def charge(self, property_id: str, tokens: int) -> dict:
        with self._lock:
            used = self._used.get(property_id, 0) + tokens
            self._used[property_id] = used
        block = {
            k: {"consumed": tokens, "remaining": max(0, n - used)} for k, n in self.LIMITS.items()
        }
        block["concurrentRequests"] = {"consumed": 0, "remaining": 10}
        block["serverErrorsPerProjectPerHour"] = {"consumed": 0, "remaining": 10}
        block["potentiallyThresholdedRequestsPerHour"] = {"consumed": 0, "remaining": 120}
        return block


@dataclass
class ReportRequest:
    ranges: list[tuple[date, date, str]]
    dimensions: list[str]
    metrics: list[str]
    dimension_filter: dict | None
    metric_filter: dict | None
    order_bys: list[dict]
    limit: int
    offset: int
    aggregations: list[str]
    keep_empty_rows: bool
    return_quota: bool


def _day(value, today: date, field: str) -> date:
    text = str(value)
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    if m := _RELATIVE_DAYS.fullmatch(text):
        return today - timedelta(days=int(m.group(1)))
    try:
        if _ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise invalid(
        f'Field {field} has an invalid value "{text}". Dates must be in the format YYYY-MM-DD, '
        'or relative dates like "yesterday", "today", or "NdaysAgo".'
    )


def _date_ranges(raw, today: date) -> list[tuple[date, date, str]]:
    if not raw:
        raise invalid("A report request must specify at least one dateRange.")
    if len(raw) > MAX_DATE_RANGES:
        raise invalid(
            f"Requests are limited to {MAX_DATE_RANGES} dateRanges within a request; "
            f"this request has {len(raw)} dateRanges."
        )
    ranges = []
    for i, r in enumerate(raw):
        start = _day(r.get("startDate"), today, "startDate")
        end = _day(r.get("endDate"), today, "endDate")
        if start > end:
            raise invalid(
                f"The dateRange's startDate ({start.isoformat()}) must be on or before its "
                f"endDate ({end.isoformat()})."
            )
        ranges.append((start, end, range_name(r, i, "Date range")))
    return ranges


def range_name(entry: dict, index: int, noun: str) -> str:
    """A date or minute range's name: its own, or date_range_<index> (Google's default for
    both kinds), which a name of its own may not imitate."""
    name = entry.get("name") or f"date_range_{index}"
    if entry.get("name") and name.startswith(("date_range_", "RESERVED_")):
        raise invalid(f"{noun} name {name} cannot begin with date_range_ or RESERVED_.")
    return name


def _integer(body: dict, field: str, default: int) -> int:
    try:
        value = int(body.get(field) or default)
    except (TypeError, ValueError):
        raise invalid(f"Invalid value at '{field}' (TYPE_INT64), \"{body.get(field)}\"") from None
    if value < 0:
        raise invalid(f"{field} must be non-negative; got {value}.")
    return value


def parse_request(body, today: date) -> ReportRequest:
    """Validate a RunReportRequest the way the API does."""
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object.")
    for field in body:
        if field not in REQUEST_FIELDS:
            raise invalid(
                f'Invalid JSON payload received. Unknown name "{field}": Cannot find field.'
            )
    if body.get("cohortSpec") or body.get("comparisons"):
        raise invalid("cohortSpec and comparisons are not supported by this emulator.")
    dimensions = [d.get("name") for d in body.get("dimensions", [])]
    metrics = [m.get("name") for m in body.get("metrics", [])]
    if len(dimensions) > MAX_DIMENSIONS:
        raise invalid(
            f"Requests are limited to {MAX_DIMENSIONS} dimensions within a request; "
            f"this request has {len(dimensions)} dimensions."
        )
    if len(metrics) > MAX_METRICS:
        raise invalid(
            f"Requests are limited to {MAX_METRICS} metrics within a request; "
            f"this request has {len(metrics)} metrics."
        )
    if not dimensions and not metrics:
        raise invalid("A report request must specify at least one dimension or metric.")
    for d in dimensions:
        q.check_dimension(d)
    for m in metrics:
        q.check_metric(m)
    limit = _integer(body, "limit", DEFAULT_LIMIT) or DEFAULT_LIMIT
    if limit > MAX_LIMIT:
        raise invalid(f"limit {limit} must be positive and at most {MAX_LIMIT}.")
    aggregations = [
        q.enum_name(a, q.AGGREGATION_NUMBERS) for a in body.get("metricAggregations", [])
    ]
    for a in aggregations:
        if a not in AGGREGATIONS:
            raise invalid(f"Invalid metricAggregation: {a}.")
    return ReportRequest(
        ranges=_date_ranges(body.get("dateRanges"), today),
        dimensions=dimensions,
        metrics=metrics,
        dimension_filter=body.get("dimensionFilter"),
        metric_filter=body.get("metricFilter"),
        order_bys=list(body.get("orderBys", [])),
        limit=limit,
        offset=_integer(body, "offset", 0),
        aggregations=aggregations,
        keep_empty_rows=bool(body.get("keepEmptyRows")),
        return_quota=bool(body.get("returnPropertyQuota")),
    )


def _format(metric: str, values: np.ndarray) -> list[str]:
    """Metric values as the API's strings: integers for counts, full floats for ratios."""
    if q.metric_type(metric) == "TYPE_INTEGER" or metric == "userEngagementDuration":
        return [str(v) for v in values.astype(np.int64).tolist()]
    return [str(v) for v in values.astype(float).tolist()]


def _aggregate_rows(groups: q.Groups, req: ReportRequest, kind: str) -> list[dict]:
    """totals / maximums / minimums: one row per date range, ratios from summed parts."""
    names = [name for _, _, name in req.ranges]
    if kind == "TOTAL":
        ranges = np.arange(len(names))
        sums = {
            m: np.bincount(groups.range_code, groups.sums[m], minlength=len(names)).astype(np.int64)
            for m in q.base_metrics(req.metrics)
        }
        totals = q.Groups(groups.dimensions, [], groups.labels, ranges, sums)
        values = {m: totals.values(m) for m in req.metrics}
    else:
        ranges = np.unique(groups.range_code)
        pick = np.max if kind == "MAXIMUM" else np.min
        values = {
            m: np.array([pick(groups.values(m)[groups.range_code == r]) for r in ranges])
            for m in req.metrics
        }
    text = {m: _format(m, v) for m, v in values.items()}
    reserved = AGGREGATIONS[kind][1]
    rows = []
    for i, r in enumerate(ranges.tolist()):
        dims = [reserved] * len(req.dimensions) + ([names[r]] if len(names) > 1 else [])
        row = {"dimensionValues": [{"value": d} for d in dims]} if dims else {}
        row["metricValues"] = [{"value": text[m][i]} for m in req.metrics]
        rows.append(row)
    return rows


def _read_rows(net, property_id: str, req: ReportRequest) -> q.Rows:
    # Each range's rows gathered: the network makes only the months a range covers.
    parts, codes = [], []
    for i, (start, end, _) in enumerate(req.ranges):
        cols, lo, hi = net.ga_slice(property_id, start, end)
        parts.append(q.Lazy(lambda k, c=cols, lo=lo, hi=hi: c[k][lo:hi], tuple(cols)))
        codes.append(np.full(hi - lo, i))
    if len(parts) == 1:
        cols = parts[0]
    else:  # only the columns the report reads
        cols = q.Lazy(lambda k: np.concatenate([p[k] for p in parts]), tuple(parts[0]))
    names = [name for _, _, name in req.ranges]
    code = np.concatenate(codes)
    return q.Rows(net, property_id, cols, np.arange(len(code)), code, names)


def run_report(net, property_id: str, body, quota: PropertyQuota, *, encoded=False) -> dict:
    """properties.runReport (with `encoded`, its rows as RawJSON)."""
    prop = check_property(net, property_id)
    req = parse_request(body, net.today)
    rows = _read_rows(net, property_id, req)
    scanned = len(rows.idx)  # tokens go by fact rows read, not by their split per event
    if "eventName" in set(req.dimensions) | q.filter_fields(req.dimension_filter):
        others = [m for m in req.metrics if m not in q.EVENT_METRICS]
        if others:
            raise invalid(
                f"This emulator reports eventName with {', '.join(sorted(q.EVENT_METRICS))} "
                f"only, not {', '.join(others)}."
            )
        rows = rows.by_event()
    response = report_table(rows, req, encoded=encoded)
    response["metadata"] = {"currencyCode": prop.currency_code, "timeZone": prop.time_zone}
    if prop.thresholded:
        response["metadata"]["subjectToThresholding"] = True
    if prop.other_row and q.PAGE_DIMENSIONS & set(req.dimensions):
        response["metadata"]["dataLossFromOtherRow"] = True
    tokens = 1 + scanned // 10_000 + len(req.ranges) - 1
    block = quota.charge(property_id, tokens)
    if req.return_quota:
        response["propertyQuota"] = block
    response["kind"] = "analyticsData#runReport"
    return response


def report_table(rows: q.Rows, req: ReportRequest, *, encoded: bool = False) -> dict:
    """Headers, rows, aggregates and rowCount of a report over `rows` (runReport's and
    runRealtimeReport's shared part): filtered, grouped, ordered and paged. With `encoded`
    the rows are RawJSON (for the server, which sends them as they are)."""
    if req.dimension_filter:
        rows = rows.where(q.dimension_mask(req.dimension_filter, rows))
    dimensions = req.dimensions + (["dateRange"] if len(req.ranges) > 1 else [])
    groups = q.aggregate(rows, dimensions)
    keep = np.ones(len(groups), dtype=bool)
    if req.metric_filter:
        keep &= q.metric_mask(req.metric_filter, groups.values)
    if req.metrics and not req.keep_empty_rows:
        keep &= np.logical_or.reduce([groups.values(m) != 0 for m in req.metrics])
    groups = groups.subset(keep)
    response: dict = {}
    if dimensions:
        response["dimensionHeaders"] = [{"name": d} for d in dimensions]
    if req.metrics:
        response["metricHeaders"] = [{"name": m, "type": q.metric_type(m)} for m in req.metrics]
    if len(groups):
        page = q.order(groups, req.order_bys, req.metrics)[req.offset : req.offset + req.limit]
        if len(page):
            rows_of = _rows_json if encoded else _row_objects
            response["rows"] = rows_of(groups, page, req.metrics)
        for kind in req.aggregations:
            response[AGGREGATIONS[kind][0]] = _aggregate_rows(groups, req, kind)
        response["rowCount"] = len(groups)
    return response


def _row_objects(groups: q.Groups, page: np.ndarray, metrics: list[str]) -> list[dict]:
    dims = [
        labels[codes[page]].tolist()
        for codes, labels in zip(groups.codes, groups.labels, strict=True)
    ]
    mets = [_format(m, groups.values(m)[page]) for m in metrics]
    out = []
    for i in range(len(page)):
        row = {"dimensionValues": [{"value": d[i]} for d in dims]} if dims else {}
        row["metricValues"] = [{"value": m[i]} for m in mets]
        out.append(row)
    return out


class RawJSON:
    """A value already written as JSON text, exactly as json.dumps would write it: the
    server puts it into the answer as it is (see server._encoded)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _rows_json(groups: q.Groups, page: np.ndarray, metrics: list[str]) -> RawJSON:
    """_row_objects' rows as json.dumps writes them, each label written once: a dict per
    row and its encoding were most of the emulator's CPU (answers of 75,000 rows)."""
    value = '{{"value": {}}}'.format
    cells = []
    for codes, labels in zip(groups.codes, groups.labels, strict=True):
        used = codes[page]
        if len(labels) > len(used):  # a short page of many labels: only the ones shown
            cells.append([value(json.dumps(v)) for v in labels[used].tolist()])
            continue
        written = np.array([value(json.dumps(v)) for v in labels.tolist()], dtype=object)
        cells.append(written[used].tolist())
    dims = (
        [f'"dimensionValues": [{", ".join(row)}], ' for row in zip(*cells, strict=True)]
        if cells
        else []
    )
    # Metric values are digits, signs, dots and letters (inf, nan, e): nothing to escape.
    columns = [[f'{{"value": "{v}"}}' for v in _format(m, groups.values(m)[page])] for m in metrics]
    mets = [", ".join(row) for row in zip(*columns, strict=True)] if columns else [""] * len(page)
    rows = (
        [f'{{{d}"metricValues": [{m}]}}' for d, m in zip(dims, mets, strict=True)]
        if dims
        else [f'{{"metricValues": [{m}]}}' for m in mets]
    )
    return RawJSON(f"[{', '.join(rows)}]")


def batch_run_reports(net, property_id: str, body, quota: PropertyQuota, *, encoded=False) -> dict:
    """properties.batchRunReports: up to 5 requests for the property in the URL (with
    `encoded`, their rows as RawJSON)."""
    check_property(net, property_id)
    requests = body.get("requests") if isinstance(body, dict) else None
    if not requests:
        raise invalid("A batch request must contain at least one request.")
    if len(requests) > MAX_BATCH:
        raise invalid(
            f"Requests are limited to {MAX_BATCH} reports within a batch request; "
            f"this request has {len(requests)} reports."
        )
    for r in requests:
        own = r.get("property") if isinstance(r, dict) else None
        if own and own != f"properties/{property_id}":
            raise invalid(
                f"Each request's property must be empty or match the batch property "
                f"properties/{property_id}; got {own}."
            )
    return {
        "kind": "analyticsData#batchRunReports",
        "reports": [run_report(net, property_id, r, quota, encoded=encoded) for r in requests],
    }


def get_metadata(net, property_id: str) -> dict:
    """properties.getMetadata; property 0 gives the fields common to all properties."""
    if property_id != "0":
        check_property(net, property_id)
    return {
        "name": f"properties/{property_id}/metadata",
        "dimensions": [
            {"apiName": k, "uiName": ui, "description": desc, "category": category}
            for k, (ui, category, desc) in DIMENSIONS.items()
        ],
        "metrics": [
            {"apiName": k, "uiName": ui, "description": desc, "type": kind, "category": category}
            for k, (ui, kind, category, desc) in METRICS.items()
        ],
    }


def account_summaries(net, params: dict[str, str]) -> dict:
    """accountSummaries.list with pageSize (default 50, capped at 200) and page tokens."""
    try:
        size = int(params.get("pageSize") or 50)
        offset = (
            int(base64.urlsafe_b64decode(params["pageToken"]).decode()[1:])
            if params.get("pageToken")
            else 0
        )
    except (ValueError, UnicodeDecodeError):
        raise invalid("Invalid pageSize or pageToken.") from None
    if size < 0:
        raise invalid("pageSize must not be negative.")
    size = min(size or 50, 200)
    accounts = sorted(net.accounts)
    summaries = []
    for account_id in accounts[offset : offset + size]:
        summaries.append(
            {
                "name": f"accountSummaries/{account_id}",
                "account": f"accounts/{account_id}",
                "displayName": net.accounts[account_id],
                "propertySummaries": [
                    {
                        "property": f"properties/{p.property_id}",
                        "displayName": p.display_name,
                        "propertyType": "PROPERTY_TYPE_ORDINARY",
                        "parent": f"accounts/{account_id}",
                    }
                    for p in sorted(net.ga_properties.values(), key=lambda p: p.property_id)
                    if p.account_id == account_id
                ],
            }
        )
    response: dict = {"accountSummaries": summaries}
    if offset + size < len(accounts):
        response["nextPageToken"] = base64.urlsafe_b64encode(f"o{offset + size}".encode()).decode()
    return response

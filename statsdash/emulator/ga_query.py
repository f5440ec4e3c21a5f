"""GA4 report engine over one property's fact columns: dimensions as (codes, labels),
filter expressions, grouping by codes, ratios rebuilt from summed parts, and ordering."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from statsdash.emulator import catalog as cat
from statsdash.emulator.errors import GA_SCHEMA_URL, invalid
from statsdash.emulator.ga_schema import DIMENSIONS, METRICS
from statsdash.emulator.stores import GA_METRICS, KEY_EVENT_METRICS

RATIOS = {
    "screenPageViewsPerSession": ("screenPageViews", "sessions"),
    "averageSessionDuration": ("sessionDuration", "sessions"),
    "engagementRate": ("engagedSessions", "sessions"),
}
PAGE_DIMENSIONS = {"pagePath", "pagePathPlusQueryString", "pageTitle"}
# Fact rows hold key events only, per event name: a report by (or filtered on) eventName
# reads one row per fact row and event, which only event counts can be summed over.
EVENT_NAMES = np.array([name for name, _ in cat.KEY_EVENTS], dtype=object)
EVENT_METRICS = {"keyEvents"}
_STATIC_BASE = {
    "pagePath": "page",
    "pageTitle": "page",
    "pagePathPlusQueryString": "page_query",
    "hostName": None,
    "country": "country",
    "countryId": "country",
    "sessionSource": "source",
    "sessionMedium": "source",
    "sessionSourceMedium": "source",
    "sessionDefaultChannelGroup": "source",
    "deviceCategory": "device",
    "unifiedScreenName": "page",  # realtime: the page title on the web
}


def check_dimension(name: str) -> None:
    if name not in DIMENSIONS:
        raise invalid(
            f"Field {name} is not a valid dimension. For a list of valid dimensions and "
            f"metrics, see {GA_SCHEMA_URL} "
        )


# Google's JSON mapping takes an enum by name or by number; the official clients' REST
# transport sends numbers (enum-encoding=int). Numbers from google.analytics.data_v1beta.
MATCH_TYPES = (
    "MATCH_TYPE_UNSPECIFIED",
    "EXACT",
    "BEGINS_WITH",
    "ENDS_WITH",
    "CONTAINS",
    "FULL_REGEXP",
    "PARTIAL_REGEXP",
)
OPERATIONS = (
    "OPERATION_UNSPECIFIED",
    "EQUAL",
    "LESS_THAN",
    "LESS_THAN_OR_EQUAL",
    "GREATER_THAN",
    "GREATER_THAN_OR_EQUAL",
)
ORDER_TYPES = ("ORDER_TYPE_UNSPECIFIED", "ALPHANUMERIC", "CASE_INSENSITIVE_ALPHANUMERIC", "NUMERIC")
AGGREGATION_NUMBERS = {
    0: "METRIC_AGGREGATION_UNSPECIFIED",
    1: "TOTAL",
    4: "COUNT",
    5: "MINIMUM",
    6: "MAXIMUM",
}


def enum_name(value, names) -> object:
    """An enum value's name whether it came as its name or its number (`names`: a tuple
    indexed by number, or a dict); an unknown number stays as it came, for the error."""
    if isinstance(value, int) and not isinstance(value, bool):
        known = names.get(value) if isinstance(names, dict) else None
        if not isinstance(names, dict) and 0 <= value < len(names):
            known = names[value]
        return known if known is not None else value
    return value


def metric_type(name: str) -> str:
    """The metric's type; `keyEvents:NAME` (one key event's count) is an integer."""
    return "TYPE_INTEGER" if name.startswith("keyEvents:") else METRICS[name][1]


def check_metric(name: str) -> None:
    if name not in METRICS and name not in KEY_EVENT_METRICS:
        raise invalid(
            f"Field {name} is not a valid metric. For a list of valid dimensions and metrics, "
            f"see {GA_SCHEMA_URL} "
        )


def filter_fields(expr) -> set[str]:
    """Every fieldName a filter expression mentions."""
    if isinstance(expr, dict):
        own = {expr["fieldName"]} if isinstance(expr.get("fieldName"), str) else set()
        return own.union(*(filter_fields(v) for v in expr.values()))
    if isinstance(expr, list):
        return set().union(*(filter_fields(v) for v in expr))
    return set()


def _unique(values) -> tuple[np.ndarray, np.ndarray]:
    labels, mapping = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    return mapping, labels


_STATIC_TABLES: dict[str, dict] = {}


def _static_tables(net, property_id: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """dimension -> (base code -> label code, distinct labels); the same for every Network."""
    if property_id in _STATIC_TABLES:
        return _STATIC_TABLES[property_id]
    paths, titles = net.ga_page_labels(property_id)
    queries = np.array(cat.QUERY_STRINGS, dtype=object)
    plus = np.where(
        np.repeat(paths, len(queries)) == "(other)",
        "(other)",
        np.repeat(paths, len(queries)) + np.tile(queries, len(paths)),
    )
    sources = [(s, m) for s, m, _ in cat.SOURCES]
    tables = {
        "pagePath": _unique(paths),
        "pageTitle": _unique(titles),
        "pagePathPlusQueryString": _unique(plus),
        "hostName": _unique([net.ga_properties[property_id].host_name]),
        "country": _unique([c[0] for c in cat.COUNTRIES]),
        "countryId": _unique([c[1] for c in cat.COUNTRIES]),
        "sessionSource": _unique([s for s, _ in sources]),
        "sessionMedium": _unique([m for _, m in sources]),
        "sessionSourceMedium": _unique([f"{s} / {m}" for s, m in sources]),
        "sessionDefaultChannelGroup": _unique([cat.default_channel_group(*sm) for sm in sources]),
        "deviceCategory": _unique([d for d, _ in cat.DEVICES]),
        "unifiedScreenName": _unique(titles),
    }
    _STATIC_TABLES[property_id] = tables
    return tables


@dataclass
class Rows:
    """The fact rows a report reads: `idx` into the property's columns, with the index of
    the date range each row was read for (a row can be read for overlapping ranges)."""

    net: object
    property_id: str
    cols: Mapping[str, np.ndarray]
    idx: np.ndarray
    range_code: np.ndarray
    range_names: list[str]
    event: np.ndarray | None = None  # the key event of each row once split by event

    def where(self, mask: np.ndarray) -> Rows:
        return Rows(
            self.net,
            self.property_id,
            self.cols,
            self.idx[mask],
            self.range_code[mask],
            self.range_names,
            None if self.event is None else self.event[mask],
        )

    def by_event(self) -> Rows:
        """One row per fact row and key event name."""
        n = len(EVENT_NAMES)
        return Rows(
            self.net,
            self.property_id,
            self.cols,
            np.repeat(self.idx, n),
            np.repeat(self.range_code, n),
            self.range_names,
            np.tile(np.arange(n), len(self.idx)),
        )

    def column(self, name: str) -> np.ndarray:
        if self.event is not None and name in GA_METRICS:
            if name not in EVENT_METRICS:
                return np.zeros(len(self.idx), dtype=np.int64)  # never reported: see run_report
            # Each row's own event's count, picked from the events' columns side by side.
            counts = np.stack([self.cols[f"keyEvents:{event}"] for event in EVENT_NAMES])
            return counts[self.event, self.idx].astype(np.int64, copy=False)
        if name == "page_query":
            return self.column("page").astype(np.int64) * len(cat.QUERY_STRINGS) + self.column(
                "query"
            )
        return self.cols[name][self.idx]


def _day_labels(first: int, last: int) -> np.ndarray:
    iso = np.datetime_as_string(np.arange(first, last + 1).astype("datetime64[D]"))
    return np.char.replace(iso, "-", "").astype(object)


def dimension(name: str, rows: Rows) -> tuple[np.ndarray, np.ndarray]:
    """(label code per row, distinct labels) of a dimension over the rows."""
    if name == "dateRange":
        return rows.range_code, np.array(rows.range_names, dtype=object)
    if name == "minutesAgo":  # realtime rows only
        return rows.column("minutes_ago"), np.array([f"{m:02d}" for m in range(60)], dtype=object)
    if name == "eventName":
        if rows.event is None:
            raise AssertionError("eventName needs rows split by event (Rows.by_event)")
        return rows.event, EVENT_NAMES
    if name in _STATIC_BASE:
        mapping, labels = _static_tables(rows.net, rows.property_id)[name]
        base = _STATIC_BASE[name]
        if base is None:
            return np.zeros(len(rows.idx), dtype=np.int64), labels
        return mapping[rows.column(base)], labels
    dh = rows.column("dh").astype(np.int64)
    if name == "hour":
        return dh % 24, np.array([f"{h:02d}" for h in range(24)], dtype=object)
    day = dh // 24
    if name == "dayOfWeek":
        return (day + 4) % 7, np.array([str(d) for d in range(7)], dtype=object)
    if len(dh) == 0:
        return dh, np.array([], dtype=object)
    if name == "date":
        return day - day.min(), _day_labels(day.min(), day.max())
    if name == "dateHour":
        first = dh.min()
        span = np.arange(first, dh.max() + 1)
        hours = np.array([f"{h:02d}" for h in range(24)], dtype=object)
        labels = (
            _day_labels(first // 24, dh.max() // 24)[span // 24 - first // 24] + hours[span % 24]
        )
        return dh - first, labels
    if name == "yearMonth":
        first = day.min()  # each day's month looked up, not converted row by row
        months = np.arange(first, day.max() + 1).astype("datetime64[D]").astype("datetime64[M]")
        month = months.astype(np.int64)[day - first]
        span = np.arange(month.min(), month.max() + 1)
        labels = np.char.replace(np.datetime_as_string(span.astype("datetime64[M]")), "-", "")
        return month - month.min(), labels.astype(object)
    raise AssertionError(name)


# ---------------------------------------------------------------- filters


def _numeric(value: dict | None) -> float:
    if not isinstance(value, dict) or not ({"int64Value", "doubleValue"} & set(value)):
        raise invalid("A NumericValue must set int64Value or doubleValue.")
    try:
        return float(value.get("int64Value", value.get("doubleValue")))
    except (TypeError, ValueError):
        raise invalid(f"Invalid NumericValue {value}.") from None


_NUMERIC_OPS = {
    "EQUAL": np.equal,
    "LESS_THAN": np.less,
    "LESS_THAN_OR_EQUAL": np.less_equal,
    "GREATER_THAN": np.greater,
    "GREATER_THAN_OR_EQUAL": np.greater_equal,
}


def _numeric_mask(f: dict, numbers: np.ndarray) -> np.ndarray | None:
    """The mask of a numeric, between or empty filter, or None for another kind."""
    if "numericFilter" in f:
        op = enum_name(f["numericFilter"].get("operation"), OPERATIONS)
        if op not in _NUMERIC_OPS:
            raise invalid(f"Invalid numericFilter operation: {op}.")
        return _NUMERIC_OPS[op](numbers, _numeric(f["numericFilter"].get("value")))
    if "betweenFilter" in f:
        b = f["betweenFilter"]
        return (numbers >= _numeric(b.get("fromValue"))) & (numbers <= _numeric(b.get("toValue")))
    return None


def _string_predicate(f: dict):
    if "stringFilter" in f:
        s = f["stringFilter"]
        kind = enum_name(s.get("matchType", "EXACT"), MATCH_TYPES)
        value = str(s.get("value", ""))
        flags = 0 if s.get("caseSensitive") else re.IGNORECASE
        if kind in ("FULL_REGEXP", "PARTIAL_REGEXP"):
            try:
                pattern = re.compile(value, flags)
            except re.error as e:
                raise invalid(f"Invalid regular expression {value!r}: {e}.") from None
            return pattern.fullmatch if kind == "FULL_REGEXP" else pattern.search
        literal = re.escape(value)
        shapes = {
            "EXACT": f"{literal}\\Z",
            "MATCH_TYPE_UNSPECIFIED": f"{literal}\\Z",
            "BEGINS_WITH": literal,
            "ENDS_WITH": f".*{literal}\\Z",
            "CONTAINS": f".*{literal}",
        }
        if kind not in shapes:
            raise invalid(f"Invalid stringFilter matchType: {kind}.")
        return re.compile(shapes[kind], flags | re.DOTALL).match
    if "inListFilter" in f:
        spec = f["inListFilter"]
        if spec.get("caseSensitive"):
            values = {str(v) for v in spec.get("values", [])}
            return values.__contains__
        values = {str(v).lower() for v in spec.get("values", [])}
        return lambda s: s.lower() in values
    if "emptyFilter" in f:
        return lambda s: s in ("", "(not set)")
    raise invalid(f"Filter on {f.get('fieldName')} sets no known filter type.")


def _evaluate(expr, leaf, size: int) -> np.ndarray:
    if not isinstance(expr, dict):
        raise invalid("A FilterExpression must be an object.")
    kinds = [k for k in ("andGroup", "orGroup", "notExpression", "filter") if k in expr]
    if len(kinds) != 1:
        raise invalid(
            "A FilterExpression must set exactly one of andGroup, orGroup, notExpression or filter."
        )
    kind = kinds[0]
    if kind == "filter":
        return leaf(expr["filter"])
    if kind == "notExpression":
        return ~_evaluate(expr["notExpression"], leaf, size)
    parts = [_evaluate(e, leaf, size) for e in expr[kind].get("expressions", [])]
    if not parts:
        return np.ones(size, dtype=bool)
    return np.logical_and.reduce(parts) if kind == "andGroup" else np.logical_or.reduce(parts)


def dimension_mask(expr: dict, rows: Rows) -> np.ndarray:
    """Which rows a dimensionFilter keeps."""

    def leaf(f: dict) -> np.ndarray:
        name = f.get("fieldName")
        if name in METRICS:
            raise invalid(
                f"Field {name} is a metric; a dimensionFilter can only filter dimensions."
            )
        if not (name == "minutesAgo" and "minutes_ago" in rows.cols):  # realtime rows
            check_dimension(name)
        codes, labels = dimension(name, rows)
        if "numericFilter" in f or "betweenFilter" in f:
            label_mask = _numeric_mask(f, np.array([_to_float(s) for s in labels], dtype=float))
        else:
            predicate = _string_predicate(f)
            label_mask = np.fromiter((bool(predicate(s)) for s in labels), bool, len(labels))
        return label_mask[codes] if len(labels) else np.zeros(len(codes), dtype=bool)

    return _evaluate(expr, leaf, len(rows.idx))


def metric_mask(expr: dict, values) -> np.ndarray:
    """Which aggregated rows a metricFilter keeps; `values(name)` gives a metric per row."""
    size = len(values("sessions"))

    def leaf(f: dict) -> np.ndarray:
        name = f.get("fieldName")
        if name in DIMENSIONS:
            raise invalid(f"Field {name} is a dimension; a metricFilter can only filter metrics.")
        check_metric(name)
        numbers = values(name)
        if "emptyFilter" in f:
            return numbers == 0
        mask = _numeric_mask(f, numbers)
        if mask is None:
            raise invalid(
                f"Metric {name} can only be filtered with numericFilter or betweenFilter."
            )
        return mask

    return _evaluate(expr, leaf, size)


def _to_float(s: str) -> float:
    try:
        return float(s)
    except ValueError:
        return float("nan")


# ---------------------------------------------------------------- grouping


@dataclass
class Groups:
    """Aggregated rows: per dimension the label code of each row, base metric sums."""

    dimensions: list[str]
    codes: list[np.ndarray]
    labels: list[np.ndarray]
    range_code: np.ndarray
    sums: Mapping[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.range_code)

    def values(self, metric: str) -> np.ndarray:
        if metric == "bounceRate":
            return np.where(self.sums["sessions"] > 0, 1.0 - self.values("engagementRate"), 0.0)
        if metric in RATIOS:
            top, bottom = (self.sums[m] for m in RATIOS[metric])
            return np.divide(top, bottom, out=np.zeros(len(top)), where=bottom > 0)
        return self.sums[metric]

    def subset(self, keep: np.ndarray) -> Groups:
        sums = self.sums
        return Groups(
            self.dimensions,
            [c[keep] for c in self.codes],
            self.labels,
            self.range_code[keep],
            Lazy(lambda m: sums[m][keep], tuple(sums)),
        )


class Lazy(Mapping):
    """Name -> array, each made when first read: a report reads a few of the fact columns
    and base metrics, and making every one of them was a fifth of the emulator's CPU."""

    def __init__(self, compute: Callable[[str], np.ndarray], names: tuple[str, ...]) -> None:
        self._compute = compute
        self._names = names
        self._done: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._done:
            if name not in self._names:
                raise KeyError(name)
            self._done[name] = self._compute(name)
        return self._done[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def base_metrics(metrics: list[str]) -> list[str]:
    """The base metrics (sums) that Groups.values reads for `metrics`."""
    out = []
    for metric in metrics:
        parts = [metric]
        if metric == "bounceRate":
            parts = ["sessions", *RATIOS["engagementRate"]]
        elif metric in RATIOS:
            parts = list(RATIOS[metric])
        out += [m for m in parts if m not in out]
    return out


def _groups_of(key: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each distinct key, in key order; each row's group): np.unique's
    return_index and return_inverse. A key of few possible values is counted instead of
    sorted, 10-15 times faster (most reports: months x devices, days x ranges)."""
    if span > max(4 * len(key), 1 << 16):
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return first, inverse
    present = np.flatnonzero(np.bincount(key, minlength=span))
    group = np.zeros(span, dtype=np.int64)
    group[present] = np.arange(len(present))
    inverse = group[key]
    first = np.full(len(present), len(key), dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(len(key)))
    return first, inverse


def aggregate(rows: Rows, dimensions: list[str]) -> Groups:
    """Sum the base metrics per distinct combination of dimension values."""
    resolved = [dimension(d, rows) for d in dimensions]
    key = np.zeros(len(rows.idx), dtype=np.int64)
    span = 1
    for codes, labels in resolved:
        if span * max(len(labels), 1) > 2**62:  # keep the mixed-radix key inside int64
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
            span = int(key.max()) + 1 if len(key) else 1
        key = key * max(len(labels), 1) + codes
        span *= max(len(labels), 1)
    first, inverse = _groups_of(key, span)
    size = len(first)

    def summed(m: str) -> np.ndarray:
        return np.rint(np.bincount(inverse, weights=rows.column(m), minlength=size)).astype(
            np.int64
        )

    sums = Lazy(summed, GA_METRICS)
    return Groups(
        dimensions,
        [codes[first] for codes, _ in resolved],
        [labels for _, labels in resolved],
        rows.range_code[first],
        sums,
    )


def _ranks(labels: np.ndarray, order_type: str) -> np.ndarray:
    """Sort position of each label under a GA4 dimension orderType."""
    if order_type == "NUMERIC":
        numbers = np.array([_to_float(s) for s in labels], dtype=float)
        return np.argsort(np.argsort(np.nan_to_num(numbers, nan=-np.inf), kind="stable"))
    if order_type == "CASE_INSENSITIVE_ALPHANUMERIC":
        keys = np.array([s.lower() for s in labels], dtype=object)
    elif order_type in ("ALPHANUMERIC", "ORDER_TYPE_UNSPECIFIED"):
        keys = labels
    else:
        raise invalid(f"Invalid orderType: {order_type}.")
    return np.argsort(np.argsort(keys.astype(str), kind="stable"))


def order(groups: Groups, order_bys: list[dict], metrics: list[str]) -> np.ndarray:
    """Row order for orderBys; without them, first metric descending. Ties go by dimension
    values so a report is stable from request to request."""
    keys = []  # most significant first
    if not order_bys and metrics:
        order_bys = [{"metric": {"metricName": metrics[0]}, "desc": True}]
    for ob in order_bys:
        sign = -1 if ob.get("desc") else 1
        if "metric" in ob:
            name = ob["metric"].get("metricName")
            if name not in metrics:
                raise invalid(f"Field {name} in orderBys must be a metric in the request.")
            keys.append(sign * groups.values(name).astype(float))
        elif "dimension" in ob:
            name = ob["dimension"].get("dimensionName")
            if name not in groups.dimensions:
                raise invalid(f"Field {name} in orderBys must be a dimension in the request.")
            i = groups.dimensions.index(name)
            kind = enum_name(ob["dimension"].get("orderType", "ALPHANUMERIC"), ORDER_TYPES)
            ranks = _ranks(groups.labels[i], kind)
            keys.append(sign * ranks[groups.codes[i]])
        else:
            raise invalid("An OrderBy must set metric or dimension.")
    for i in range(len(groups.dimensions)):
        keys.append(_ranks(groups.labels[i], "ALPHANUMERIC")[groups.codes[i]])
    if not keys:
        return np.arange(len(groups))
    return np.lexsort(keys[::-1])

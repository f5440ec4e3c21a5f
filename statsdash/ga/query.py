"""GA4 Data API v1beta request bodies and the typed parsing of their answers (no I/O here).

Every request asks for `returnPropertyQuota`: the quota left rides along with the answers
the reports need anyway, at no extra call (see `property_quota`).

A report's date ranges are named (`current`, `prev`, `yoy`, `wow`): with two or more ranges
Google adds a `dateRange` dimension valued with those names, rows in no promised order, so
rows are always picked by that value. Parsed frames carry a `dateRange` column even for a
single range, so every table reads them the same way.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from statsdash.periods import Period

PAGE_SIZE = 100_000  # rows per request; Google's default is 10,000 and its maximum 250,000
MAX_DATE_RANGES = 4
MAX_BATCH = 5
DATE_RANGE = "dateRange"
INTEGER_TYPES = {"TYPE_INTEGER"}
# propertyQuota's QuotaStatus fields -> the stem of Statsdash's `<stem>_remaining` columns.
QUOTA_FIELDS = {
    "tokensPerDay": "tokens_per_day",
    "tokensPerHour": "tokens_per_hour",
    "tokensPerProjectPerHour": "tokens_per_project_per_hour",
    "concurrentRequests": "concurrent_requests",
    "serverErrorsPerProjectPerHour": "server_errors_per_project_per_hour",
    "potentiallyThresholdedRequestsPerHour": "potentially_thresholded_requests_per_hour",
}

Span = Period | tuple[date, date]


def _span(value: Span) -> tuple[date, date]:
    if isinstance(value, Period):
        return value.start, value.end
    start, end = value
    return start, end


def date_ranges(spec: Span | Sequence[Span] | Mapping[str, Span]) -> tuple[dict, ...]:
    """GA4 `dateRanges` from a Period or (start, end), a list of them, or {name: period}."""
    if isinstance(spec, Period) or (
        isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], date)
    ):
        spec = [spec]
    if isinstance(spec, Mapping):
        named = [(name, _span(span)) for name, span in spec.items()]
    else:
        named = [(None, _span(span)) for span in spec]
    if not 1 <= len(named) <= MAX_DATE_RANGES:
        raise ValueError(f"a GA4 report takes 1 to {MAX_DATE_RANGES} date ranges, not {len(named)}")
    ranges = []
    for name, (start, end) in named:
        item = {"startDate": start.isoformat(), "endDate": end.isoformat()}
        if name:
            item["name"] = name
        ranges.append(item)
    return tuple(ranges)


def range_names(ranges: Sequence[dict]) -> list[str]:
    """The value Google puts in the `dateRange` column for each range, in request order."""
    return [r.get("name") or f"date_range_{i}" for i, r in enumerate(ranges)]


# Filter expressions (FilterExpression JSON); None stands for "no filter".


def in_list(field_name: str, values: Iterable[str]) -> dict:
    """`field_name` is exactly one of `values`."""
    values = {"values": list(values), "caseSensitive": True}
    return {"filter": {"fieldName": field_name, "inListFilter": values}}


def begins_with(field_name: str, prefix: str) -> dict:
    """`field_name` starts with `prefix` (ignoring case, GA4's default)."""
    match = {"matchType": "BEGINS_WITH", "value": prefix}
    return {"filter": {"fieldName": field_name, "stringFilter": match}}


def all_of(*expressions: dict | None) -> dict | None:
    """Every expression holds; None parts are left out."""
    parts = [e for e in expressions if e is not None]
    if len(parts) <= 1:
        return parts[0] if parts else None
    return {"andGroup": {"expressions": parts}}


def none_of(expressions: Iterable[dict]) -> dict | None:
    """No expression holds; None when there are none."""
    parts = list(expressions)
    if not parts:
        return None
    return {"notExpression": parts[0] if len(parts) == 1 else {"orGroup": {"expressions": parts}}}


def by_metric(name: str, desc: bool = True) -> dict:
    """An OrderBy on a metric."""
    return {"metric": {"metricName": name}, "desc": desc}


@dataclass(frozen=True)
class ReportRequest:
    """One runReport request; `limit` caps the rows wanted in all (None: every row)."""

    date_ranges: tuple[dict, ...]
    metrics: tuple[str, ...]
    dimensions: tuple[str, ...] = ()
    filters: dict | None = None
    order_by: tuple[dict, ...] = ()
    limit: int | None = None
    totals: bool = False

    def body(self, offset: int = 0, page_size: int = PAGE_SIZE) -> dict:
        wanted = page_size if self.limit is None else min(page_size, self.limit - offset)
        body: dict[str, Any] = {
            "dateRanges": list(self.date_ranges),
            "metrics": [{"name": m} for m in self.metrics],
            "limit": max(wanted, 1),
            "returnPropertyQuota": True,
        }
        if self.dimensions:
            body["dimensions"] = [{"name": d} for d in self.dimensions]
        if self.filters:
            body["dimensionFilter"] = self.filters
        if self.order_by:
            body["orderBys"] = list(self.order_by)
        if offset:
            body["offset"] = offset
        if self.totals:
            body["metricAggregations"] = ["TOTAL"]
        return body

    def wanted(self, row_count: int) -> int:
        return row_count if self.limit is None else min(row_count, self.limit)


class Table:
    """A parsed table kept as compact column arrays, made a DataFrame when asked for.

    A page over 2,000 properties holds tens of thousands of small per-property tables until
    its tables are built; as DataFrames (about 10 KB each with Arrow-backed strings) they
    were most of the app's memory at that scale. Numbers stay numpy arrays; a text column is
    kept as small integer codes into its distinct values (`Text`): the same range name,
    country or device on every row was a Python string per row (~60 bytes) and is now one
    per table. Tables with the same columns share one dtypes mapping."""

    __slots__ = ("arrays", "dtypes", "length")

    def __init__(self, frame: pd.DataFrame | None = None) -> None:
        frame = pd.DataFrame() if frame is None else frame
        self.dtypes = _shared_dtypes(frame.dtypes.to_dict())
        self.length = len(frame)
        self.arrays = {
            name: _compact(frame[name].to_numpy(), dtype) if self.length else None
            for name, dtype in self.dtypes.items()
        }

    @classmethod
    def of(cls, columns: dict[str, tuple[np.ndarray, Any]]) -> Table:
        """A table from column -> (array, dtype), as `frame()` would hand them back; a text
        array holds Python strings only (as parsed from an answer)."""
        table = cls.__new__(cls)  # not __init__: an empty DataFrame per table was a third of it
        table.dtypes = _shared_dtypes({name: dtype for name, (_, dtype) in columns.items()})
        table.length = len(next(iter(columns.values()))[0]) if columns else 0
        table.arrays = {
            name: _compact_parsed(array, dtype) if table.length else None
            for name, (array, dtype) in columns.items()
        }
        return table

    def __len__(self) -> int:
        return self.length

    def rows_in(self, name: str, values: Iterable[str]) -> Table:
        """The rows whose text column `name` holds one of `values`, as a table of their own
        (in the same order; a text column keeps its distinct values, its codes are cut)."""
        if not self.length:
            return self
        column, wanted = self.arrays[name], set(values)
        if isinstance(column, Text):
            hit = np.array([u in wanted for u in column.uniques.tolist()], dtype=bool)
            keep = hit[column.codes]
        else:
            keep = np.array([v in wanted for v in column.tolist()], dtype=bool)
        table = Table.__new__(Table)
        table.dtypes, table.length = self.dtypes, int(keep.sum())
        table.arrays = {
            n: None
            if not table.length
            else Text(a.codes[keep], a.uniques)
            if isinstance(a, Text)
            else a[keep]
            for n, a in self.arrays.items()
        }
        return table

    def values(self, name: str) -> Any:
        """Column `name` as a numpy array (text as Python strings)."""
        column = self.arrays[name]
        if column is None:
            dtype = self.dtypes[name]
            return np.array([], dtype=dtype if isinstance(dtype, np.dtype) else object)
        if isinstance(column, Text):
            return column.expand()
        return _widened(column, self.dtypes[name])

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {name: pd.Series(self.values(name), dtype=dtype) for name, dtype in self.dtypes.items()}
        )


class Text:
    """A text column as codes (the smallest integer type that fits) into its distinct values."""

    __slots__ = ("codes", "uniques")

    def __init__(self, codes: np.ndarray, uniques: np.ndarray) -> None:
        self.codes, self.uniques = codes, uniques

    def expand(self) -> np.ndarray:
        return self.uniques[self.codes]


def _is_text(dtype: Any) -> bool:
    return isinstance(dtype, pd.StringDtype)


def _compact(array: np.ndarray, dtype: Any) -> Any:
    if not _is_text(dtype):
        return array
    codes, uniques = pd.factorize(array, use_na_sentinel=False)
    return Text(
        codes.astype(np.min_scalar_type(max(len(uniques) - 1, 0))),
        np.asarray(uniques, dtype=object),
    )


def _compact_parsed(array: np.ndarray, dtype: Any) -> Any:
    """A parsed column as kept: text and `date` columns as codes (`_compact_strings`),
    integers narrowed (`_narrow`), other numbers as they are."""
    if _is_text(dtype):
        return _compact_strings(array, dtype, intern=True)
    if dtype == OBJECT:  # datetime.date: a few distinct days, an 8-byte pointer per row
        return _compact_strings(array, dtype)
    return _narrow(array)


def _compact_strings(array: np.ndarray, dtype: Any, *, intern: bool = False) -> Any:
    """`_compact` of an array of Python strings (no missing values): the same codes and
    distinct values, in first-seen order, from a dict; pd.factorize's fixed cost per call
    was most of the parse of a small answer's text columns.

    With `intern`, each distinct value is the process's one string of that text (sys.intern,
    where that is freed with its last user, see `_mortal_interning`): the same source,
    country, device, path or title in every property's answer, and in several reports of one
    property, was a string each, kept from the decoded answer among its garbage (~60 MB at
    2,000 properties)."""
    if not (_is_text(dtype) or dtype == OBJECT):
        return array
    index: dict[Any, int] = {}
    codes = [index.setdefault(value, len(index)) for value in array.tolist()]
    kind = np.min_scalar_type(max(len(index) - 1, 0))
    uniques = np.empty(len(index), dtype=object)
    uniques[:] = list(map(_intern, index)) if intern and _intern else list(index)
    return Text(np.array(codes, dtype=kind), uniques)


def _mortal_interning() -> bool:
    """Whether sys.intern's strings are freed with their last user: not on CPython 3.12 (nor
    free-threaded builds), where every interned string is immortal, so each distinct path,
    title and source a server ever parsed would stay for good (a probe string stays there)."""
    probe = sys.intern("".join(("statsdash-intern-probe-", str(id(object())))))
    return sys.getrefcount(probe) < 1 << 30


_intern = sys.intern if _mortal_interning() else None


INT32 = np.iinfo(np.int32)


def _narrow(array: np.ndarray) -> np.ndarray:
    """An int64 column as int32 when every value fits (counts of a property's rows mostly
    do), half the bytes of the largest arrays kept; `Table.values` and stacking give int64
    back, the same numbers."""
    if array.dtype != INT64 or not len(array):
        return array
    if INT32.min <= array.min() and array.max() <= INT32.max:
        return array.astype(np.int32)
    return array


def _widened(array: np.ndarray, dtype: Any) -> np.ndarray:
    """A kept numeric array as its column's dtype again (see `_narrow`)."""
    if isinstance(dtype, np.dtype) and array.dtype != dtype:
        return array.astype(dtype)
    return array


_DTYPES: dict[tuple, dict[str, Any]] = {}


def _shared_dtypes(dtypes: dict[str, Any]) -> dict[str, Any]:
    """One dtypes mapping per distinct set of columns and types (read only)."""
    key = tuple(dtypes.items())
    return _DTYPES.setdefault(key, dtypes)


def _stacked(tables: Sequence[Table], name: str) -> np.ndarray:
    """Column `name` of the tables one after the other; text through its codes, so each
    distinct value of a table becomes a Python string once."""
    columns = [t.arrays[name] for t in tables if t.length]
    if not columns:
        return tables[0].values(name)
    coded = [isinstance(c, Text) for c in columns]
    if not all(coded):  # numbers; or dates kept as they are by Table(frame) beside parsed
        plain = [c.expand() if isinstance(c, Text) else c for c in columns]
        return _widened(np.concatenate(plain), tables[0].dtypes[name])
    offsets = np.cumsum([0] + [len(c.uniques) for c in columns[:-1]])
    codes = np.concatenate(
        [c.codes.astype(np.int64) + o for c, o in zip(columns, offsets, strict=True)]
    )
    return np.concatenate([c.uniques for c in columns])[codes]


def stack_tables(parts: Sequence[tuple[Table, dict[str, str]]]) -> pd.DataFrame:
    """The tables one under the other, each with its constant columns (e.g. site) added as
    str columns: column by column, without a DataFrame per table. Tables whose columns or
    types differ are stacked the general way (pd.concat)."""
    first = parts[0][0]
    extra = list(parts[0][1])
    same = all(
        (t.dtypes is first.dtypes or t.dtypes == first.dtypes) and list(c) == extra
        for t, c in parts
    )
    if not same:
        frames = [t.frame().assign(**c) for t, c in parts]
        return pd.concat(frames, ignore_index=True).astype({c: "str" for c in extra})
    tables = [t for t, _ in parts]
    lengths = [len(t) for t in tables]
    columns = {
        name: pd.Series(_stacked(tables, name), dtype=dtype) for name, dtype in first.dtypes.items()
    }
    for name in extra:
        values = np.array([c[name] for _, c in parts], dtype=object)
        columns[name] = pd.Series(np.repeat(values, lengths), dtype="str")
    return pd.DataFrame(columns)


class Report:
    """A parsed report: typed rows, the totals rows (when asked for), metadata, rowCount.

    `frame` and `totals` are built anew on each access from compact arrays (see Table).
    `metadata["quota"]` is the answer's `property_quota` (None when Google sent none); the
    client adds when Google gave that answer (`as_of`) and whether it came from the cache."""

    __slots__ = ("rows", "total_rows", "metadata", "row_count")

    def __init__(
        self,
        frame: pd.DataFrame | Table,
        totals: pd.DataFrame | Table,
        metadata: dict | None = None,
        row_count: int = 0,
    ) -> None:
        self.rows = frame if isinstance(frame, Table) else Table(frame)
        self.total_rows = totals if isinstance(totals, Table) else Table(totals)
        self.metadata = metadata if metadata is not None else {}
        self.row_count = row_count

    @property
    def frame(self) -> pd.DataFrame:
        return self.rows.frame()

    @property
    def totals(self) -> pd.DataFrame:
        return self.total_rows.frame()


def metadata(raw: dict | None) -> dict:
    """Response metadata with the flags a reader must be told about."""
    raw = raw or {}
    return {
        "time_zone": raw.get("timeZone"),
        "currency": raw.get("currencyCode"),
        "thresholded": bool(raw.get("subjectToThresholding")),
        "other_row": bool(raw.get("dataLossFromOtherRow")),
        "sampling": [
            (int(s.get("samplesReadCount", 0)), int(s.get("samplingSpaceSize", 0)))
            for s in raw.get("samplingMetadatas", [])
        ],
        "empty_reason": raw.get("emptyReason"),
    }


def property_quota(raw: dict | None) -> dict | None:
    """`<stem>_remaining` and `<stem>_consumed` (ints) per quota of a `propertyQuota`, e.g.
    `tokens_per_day_remaining`; None when the answer has none.

    Google's JSON leaves out zero counts (`"concurrentRequests": {"remaining": 10}` when
    nothing was consumed), so a count missing from a reported quota is 0; a quota missing
    altogether, or unreadable, is left out. `consumed` is what this one request cost."""
    if not isinstance(raw, dict):
        return None
    out = {}
    for name, stem in QUOTA_FIELDS.items():
        status = raw.get(name)
        if not isinstance(status, dict):
            continue
        try:
            remaining, consumed = (int(status.get(k) or 0) for k in ("remaining", "consumed"))
        except (TypeError, ValueError):
            continue
        out[f"{stem}_remaining"], out[f"{stem}_consumed"] = remaining, consumed
    return out or None


def parse_report(response: dict, request: ReportRequest) -> Report:
    """Typed frames from a runReport answer: integers as int64, other metrics as float64,
    `date` as datetime.date, `dateHour` as datetime64, a `dateRange` column always."""
    dims = [h["name"] for h in response.get("dimensionHeaders", [])] or [
        *request.dimensions,
        *([DATE_RANGE] if len(request.date_ranges) > 1 else []),
    ]
    headers = response.get("metricHeaders") or [{"name": m} for m in request.metrics]
    mets = [(h["name"], h.get("type", "TYPE_INTEGER")) for h in headers]
    names = range_names(request.date_ranges)
    return Report(
        frame=_frame(response.get("rows", []), dims, mets, names),
        totals=_frame(response.get("totals", []), dims, mets, names),
        metadata={
            **metadata(response.get("metadata")),
            "quota": property_quota(response.get("propertyQuota")),
        },
        row_count=int(response.get("rowCount", 0)),
    )


# Parsing makes the arrays a Table keeps straight from the answer's strings: building a
# DataFrame of Arrow-backed strings and taking its arrays back out was most of the CPU of a
# page drawn from cached answers (a restarted server parses every answer it reads). The
# dtypes are those pandas gives the same values, so `Table.frame()` is unchanged.
STR = pd.Series([], dtype="str").dtype
INT64, FLOAT64 = np.dtype("int64"), np.dtype("float64")
OBJECT = np.dtype("O")


def _frame(rows: list[dict], dims: list[str], mets: list[tuple[str, str]], names: list[str]):
    columns: dict[str, tuple[np.ndarray, Any]] = {}
    # Each row's lists taken once, each column's strings by C-level itemgetters: a Python
    # loop per value (row -> list -> cell -> "value") was a third of parsing every answer.
    # A report without dimensions has rows without `dimensionValues`, one without metrics
    # rows without `metricValues` (Google's JSON leaves empty lists out).
    dimension_values = list(map(_DIMENSION_VALUES, rows)) if dims else []
    for i, name in enumerate(dims):
        values = list(map(_VALUE, map(itemgetter(i), dimension_values)))
        columns[name] = _dimension(name, values, names)
    if DATE_RANGE not in columns:
        columns[DATE_RANGE] = (np.full(len(rows), names[0], dtype=object), STR)
    metric_values = list(map(_METRIC_VALUES, rows)) if mets else []
    for i, (name, kind) in enumerate(mets):
        values = list(map(_VALUE, map(itemgetter(i), metric_values)))
        columns[name] = _metric(values, INT64 if kind in INTEGER_TYPES else FLOAT64)
    return Table.of(columns)


_DIMENSION_VALUES = itemgetter("dimensionValues")
_METRIC_VALUES = itemgetter("metricValues")
_VALUE = itemgetter("value")


def _metric(values: list[str], dtype: np.dtype) -> tuple[np.ndarray, np.dtype]:
    """Google's metric strings as `dtype`; what numpy cannot read directly (an integer
    written "1e3" or "2.0", an int64 overflow) goes the way pandas reads numbers."""
    try:
        return np.array(values, dtype=dtype), dtype
    except (ValueError, OverflowError):
        numbers = pd.to_numeric(pd.Series(values, dtype=object)).astype(dtype)
        return numbers.to_numpy(), dtype


def day_numbers(days: pd.Series) -> np.ndarray:
    """A `date` column (datetime.date values) as datetime64[D], each distinct day converted
    once: a report by date has a few hundred days over many rows, and converting every row's
    date (numpy reading each object) was the most of cutting the daily rows into ranges
    (0.25 s for 300,000 rows; 0.014 s so)."""
    codes, distinct = pd.factorize(days, use_na_sentinel=False)
    return np.array(list(distinct), dtype="datetime64[D]")[codes]


@functools.lru_cache(maxsize=64)
def _parsed_days(name: str, distinct: tuple[str, ...]) -> tuple[dict, np.dtype]:
    """{value: parsed} of a report's distinct `date` (datetime.date) or `dateHour`
    (datetime64) values, and the column's dtype. Every property's answer to one request has
    the same days: parsing them was a pandas call per report, the most of a GA answer's
    parse (shared, read only)."""
    form = "%Y%m%d" if name == "date" else "%Y%m%d%H"
    parsed = pd.to_datetime(pd.Series(list(distinct), dtype="str"), format=form)
    if name == "date":
        return dict(zip(distinct, parsed.dt.date, strict=True)), OBJECT
    return dict(zip(distinct, parsed.to_numpy(), strict=True)), parsed.dtype


def _dimension(name: str, values: list[str], names: list[str]) -> tuple[np.ndarray, Any]:
    if name in ("date", "dateHour"):
        # Few distinct days (or hours) in many rows: each is parsed once.
        parsed, dtype = _parsed_days(name, tuple(dict.fromkeys(values)))
        return np.array([parsed[v] for v in values], dtype=dtype), dtype
    if name == DATE_RANGE:
        # Google uses the range's name when it has one, else date_range_<index>.
        positional = {f"date_range_{i}": n for i, n in enumerate(names)}
        return np.array([positional.get(v, v) for v in values], dtype=object), STR
    return np.array(values, dtype=object), STR

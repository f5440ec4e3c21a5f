"""YouTube Analytics v2 reports.query over the synthetic network, with Google's checks of
ids, filters and supported dimension/metric combinations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from statsdash.emulator import catalog as cat
from statsdash.emulator import revenue
from statsdash.emulator.errors import YT_NOT_SUPPORTED, ApiError
from statsdash.emulator.stores import YT_METRICS, day_number

DIMENSIONS = (
    "day",
    "month",
    "channel",
    "video",
    "country",
    "insightTrafficSourceType",
    "deviceType",
    "creatorContentType",
)
METRICS = (*YT_METRICS, "averageViewDuration", *revenue.METRICS)
FILTERS = (
    "channel",
    "video",
    "country",
    "insightTrafficSourceType",
    "deviceType",
    "creatorContentType",
)
# Dimension sets a report may use (order free), after Google's table of available reports.
SUPPORTED = {
    frozenset(d)
    for d in (
        (),
        ("day",),
        ("month",),
        ("channel",),
        ("channel", "day"),
        ("channel", "month"),
        ("country",),
        ("channel", "country"),
        ("video",),
        ("insightTrafficSourceType",),
        ("day", "insightTrafficSourceType"),
        ("channel", "insightTrafficSourceType"),
        ("deviceType",),
        ("day", "deviceType"),
        ("channel", "deviceType"),
    )
}
# creatorContentType (since 2022-12) is an optional dimension of the content-owner video
# reports (basic, time-based, geography, top videos, traffic source, device): it may join
# any of the sets above, but it splits views and watch time only. The emulator's reading of
# Google's tables; anything else answers "The query is not supported." as the API does.
CONTENT_TYPE = "creatorContentType"
SUPPORTED |= {s | {CONTENT_TYPE} for s in SUPPORTED}
VIEW_ONLY_DIMENSIONS = {"insightTrafficSourceType", "deviceType", CONTENT_TYPE}
VIEW_METRICS = {"views", "engagedViews", "estimatedMinutesWatched", "averageViewDuration"}
FLOATS = {*revenue.MONEY, *revenue.RATIOS}  # money and CPMs; every other metric counts
MAX_FILTER_IDS = 500
MAX_VIDEO_RESULTS = 200
_CODES = {
    "country": np.array([k for k, _ in cat.YT_COUNTRIES], dtype=object),
    "insightTrafficSourceType": np.array([k for k, _ in cat.TRAFFIC_SOURCES], dtype=object),
    "deviceType": np.array([k for k, _ in cat.DEVICE_TYPES], dtype=object),
}
_CODES[CONTENT_TYPE] = np.array(cat.CONTENT_TYPES, dtype=object)
_COLUMN = {"country": "country", "insightTrafficSourceType": "traffic", "deviceType": "device"}


def _content_types(net, video: np.ndarray) -> np.ndarray:
    """The creatorContentType code of each row's video."""
    kinds = np.array([cat.CONTENT_TYPES.index(v.content_type) for v in net.video_list])
    return kinds[video]


def bad_request(message: str, reason: str = "badRequest") -> ApiError:
    return ApiError(400, message, reason=reason)


def not_supported() -> ApiError:
    return bad_request(YT_NOT_SUPPORTED)


def forbidden() -> ApiError:
    return ApiError(403, "Forbidden", reason="forbidden")


def _names(text: str, field: str, known) -> list[str]:
    names = [n for n in text.split(",") if n] if text else []
    for n in names:
        if n not in known:
            raise bad_request(f"Unknown identifier ({n}) given in field parameters.{field}.")
    return names


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise bad_request(
            f"Invalid value '{text}'. Value must match the pattern: "
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "invalid",
        ) from None


def _parse_filters(text: str) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for part in filter(None, text.split(";")):
        name, sep, values = part.partition("==")
        if not sep or name not in FILTERS:
            raise bad_request(f"Unknown identifier ({name}) given in field parameters.filters.")
        ids = [v for v in values.split(",") if v]
        if not ids:
            raise bad_request(f"The filter {name} has no value.", "invalid")
        if len(ids) > MAX_FILTER_IDS:
            raise bad_request(f"The filter {name} accepts at most {MAX_FILTER_IDS} values.")
        filters[name] = ids
    return filters


def int_param(params: dict[str, str], name: str, default: int | None) -> int | None:
    """A positive integer parameter (maxResults, startIndex), or `default` when absent."""
    if name not in params:
        return default
    try:
        value = int(params[name])
    except ValueError:
        value = 0
    if value < 1:
        raise bad_request(f"Invalid value '{params[name]}' for {name}.", "invalid")
    return value


@dataclass
class _Facts:
    """Fact rows gathered over the queried channels; `channel` indexes the channel list."""

    channels: list[str]
    cols: dict[str, np.ndarray]

    @classmethod
    def read(cls, net, channels: list[str], start: date, end: date, money: bool = False) -> _Facts:
        parts = []
        for i, cid in enumerate(channels):
            cols, lo, hi = net.yt_slice(cid, start, end)
            part = {k: v[lo:hi] for k, v in cols.items()}
            if money:  # derived on demand: most queries ask no revenue
                part |= revenue.row_parts(net, cid, part)
            part["channel"] = np.full(hi - lo, i, dtype=np.int32)
            parts.append(part)
        keys = parts[0].keys()
        return cls(channels, {k: np.concatenate([p[k] for p in parts]) for k in keys})

    def where(self, mask: np.ndarray) -> None:
        self.cols = {k: v[mask] for k, v in self.cols.items()}


def _dimension(name: str, facts: _Facts, net, start: date) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, label per code) of a YouTube dimension."""
    c = facts.cols
    if name == "day":
        first = day_number(start)
        days = np.arange(first, int(c["day"].max(initial=first)) + 1).astype("datetime64[D]")
        return c["day"] - first, np.datetime_as_string(days).astype(object)
    if name == "month":
        month = c["day"].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        first = int(month.min(initial=0))
        span = np.arange(first, int(month.max(initial=first)) + 1).astype("datetime64[M]")
        return month - first, np.datetime_as_string(span).astype(object)
    if name == "channel":
        return c["channel"], np.array(facts.channels, dtype=object)
    if name == "video":
        return c["video"], np.array([v.video_id for v in net.video_list], dtype=object)
    if name == CONTENT_TYPE:
        return _content_types(net, c["video"]), _CODES[name]
    return c[_COLUMN[name]], _CODES[name]


def _owned_channels(net, filters: dict[str, list[str]]) -> list[str]:
    if "channel" in filters:
        channels = list(dict.fromkeys(filters["channel"]))
        if any(c not in net.yt_channels for c in channels):
            raise forbidden()
        return channels
    videos = [net.yt_videos[v] for v in filters["video"] if v in net.yt_videos]
    return list(dict.fromkeys(v.channel_id for v in videos)) or [next(iter(net.yt_channels))]


def reports_query(net, params: dict[str, str]) -> dict:
    """reports.query (GET /v2/reports, or its POST form for long URLs)."""
    for required in ("ids", "startDate", "endDate", "metrics"):
        if not params.get(required):
            raise bad_request(f"Required parameter: {required}", "required")
    ids = params["ids"]
    owner = ids.startswith("contentOwner==")
    if owner and ids != f"contentOwner=={net.content_owner_id}":
        raise forbidden()
    if (
        not owner
        and ids != "channel==MINE"
        and ids.removeprefix("channel==") not in net.yt_channels
    ):
        raise bad_request(f"Invalid value '{ids}' for ids.", "invalid")
    start, end = _date(params["startDate"], "startDate"), _date(params["endDate"], "endDate")
    if start > end:
        raise bad_request("The start date must be on or before the end date.", "invalid")
    metrics = _names(params["metrics"], "metrics", METRICS)
    dimensions = _names(params.get("dimensions", ""), "dimensions", DIMENSIONS)
    filters = _parse_filters(params.get("filters", ""))
    sort = [(s.lstrip("-"), s.startswith("-")) for s in params.get("sort", "").split(",") if s]
    _check_supported(owner, metrics, dimensions, filters, sort, params)
    if owner:
        channels = _owned_channels(net, filters)
    else:
        mine = ids.removeprefix("channel==")
        channels = [next(iter(net.yt_channels)) if mine == "MINE" else mine]
    rate = None
    if set(metrics) & set(revenue.METRICS):
        rate = revenue.currency_rate(params)
        # Google answers a plain 403 "Forbidden" when any queried channel earns nothing.
        if not all(revenue.monetised(net, c) for c in channels):
            raise forbidden()
    facts = _Facts.read(net, channels, start, end, money=rate is not None)
    _apply_filters(facts, filters, net)
    return _result_table(facts, net, start, dimensions, metrics, sort, params, rate)


def _check_supported(owner, metrics, dimensions, filters, sort, params) -> None:
    if owner and not {"channel", "video"} & set(filters):
        raise not_supported()
    if frozenset(dimensions) not in SUPPORTED or ("channel" in dimensions and not owner):
        raise not_supported()
    if VIEW_ONLY_DIMENSIONS & (set(dimensions) | set(filters)) and not set(metrics) <= VIEW_METRICS:
        raise not_supported()
    for field, _ in sort:
        if field not in dimensions and field not in metrics:
            raise bad_request(f"Unknown identifier ({field}) given in field parameters.sort.")
    if "video" in dimensions:
        limit = int_param(params, "maxResults", None)
        descending_metric = sort and sort[0][1] and sort[0][0] in metrics
        if not descending_metric or limit is None or limit > MAX_VIDEO_RESULTS:
            raise not_supported()


def _apply_filters(facts: _Facts, filters: dict[str, list[str]], net) -> None:
    mask = np.ones(len(facts.cols["day"]), dtype=bool)
    if "video" in filters:
        index = {v.video_id: i for i, v in enumerate(net.video_list)}
        wanted = np.array([index[v] for v in filters["video"] if v in index], dtype=np.int32)
        mask &= np.isin(facts.cols["video"], wanted)
    for name in VIEW_ONLY_DIMENSIONS | {"country"}:
        if name in filters:
            codes = [i for i, k in enumerate(_CODES[name]) if k in filters[name]]
            column = (
                _content_types(net, facts.cols["video"])
                if name == CONTENT_TYPE
                else facts.cols[_COLUMN[name]]
            )
            mask &= np.isin(column, codes)
    facts.where(mask)


def _result_table(facts, net, start, dimensions, metrics, sort, params, rate=None) -> dict:
    resolved = [_dimension(d, facts, net, start) for d in dimensions]
    key = np.zeros(len(facts.cols["day"]), dtype=np.int64)
    for codes, labels in resolved:
        key = key * len(labels) + codes
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    sums = {
        m: np.rint(np.bincount(inverse, facts.cols[m], minlength=len(first))).astype(np.int64)
        for m in YT_METRICS
    }
    minutes, views = sums["estimatedMinutesWatched"], sums["views"]
    sums["averageViewDuration"] = np.rint(
        np.divide(minutes * 60, views, out=np.zeros(len(views)), where=views > 0)
    ).astype(np.int64)
    if rate is not None:
        sums |= revenue.result_sums(facts.cols, inverse, len(first), rate)
    codes = [c[first] for c, _ in resolved]
    keys = []  # most significant first
    for field, desc in sort:
        if field in metrics:
            keys.append(-sums[field] if desc else sums[field])
        else:
            i = dimensions.index(field)
            ranks = np.argsort(np.argsort(resolved[i][1].astype(str)))[codes[i]]
            keys.append(-ranks if desc else ranks)
    keys += [
        np.argsort(np.argsort(labels.astype(str)))[c]
        for c, (_, labels) in zip(codes, resolved, strict=True)
    ]
    order = np.lexsort(keys[::-1]) if keys else np.arange(len(first))
    offset = int_param(params, "startIndex", 1) - 1
    limit = int_param(params, "maxResults", None)
    page = order[offset : None if limit is None else offset + limit]
    columns = [labels[c[page]].tolist() for c, (_, labels) in zip(codes, resolved, strict=True)]
    columns += [sums[m][page].tolist() for m in metrics]
    headers = [{"name": d, "columnType": "DIMENSION", "dataType": "STRING"} for d in dimensions]
    headers += [
        {"name": m, "columnType": "METRIC", "dataType": "FLOAT" if m in FLOATS else "INTEGER"}
        for m in metrics
    ]
    table = {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
    if len(page):
        table["rows"] = [list(row) for row in zip(*columns, strict=True)]
    return table

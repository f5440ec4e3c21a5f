"""Cross-platform reports: each brand's site beside its channel group, and the daily series.

Both are built from the services' own tables (no extra API calls): `brands` from the GA site
table and the YouTube channel-group table, `daily` from each service's `daily_series()`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from statsdash.reports import (
    ReportResult,
    Selection,
    blank_figures,
    service_data,
    with_compared,
)
from statsdash.utilities import add_comparisons, share_pct

BRAND_METRICS = ("web_pageviews", "web_users", "yt_views", "yt_watch_minutes")
WEB_METRICS = {"pageviews": "web_pageviews", "users": "web_users"}
YT_METRICS = {"views": "yt_views", "watch_minutes": "yt_watch_minutes"}
DAILY_COLUMNS = ("date", "service", "entity", "metric", "value")


def brand_members(selection: Selection) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(brand, its selected sites, its selected channel groups) in config order.

    Configured brands first; any selected site or channel group in no brand follows as a
    brand of its own, so the rows always add up to the selection's network totals.
    """
    sites, channels = selection.site_names(), selection.channel_names()
    members, seen_sites, seen_channels = [], set(), set()
    for brand in selection.config.brands.values():
        own_sites = tuple(s for s in brand.sites if s in sites)
        own_channels = tuple(c for c in brand.channels if c in channels)
        if own_sites or own_channels:
            members.append((brand.name, own_sites, own_channels))
            seen_sites.update(own_sites)
            seen_channels.update(own_channels)
    members += [(s, (s,), ()) for s in sites if s not in seen_sites]
    members += [(c, (), (c,)) for c in channels if c not in seen_channels]
    return members


def _service_table(service: str, method: str, selection: Selection, names: Sequence[str]):
    """(table, failures, notes) of a configured service, or (None, {}, []) without one."""
    if not names:
        return None, {}, []
    data = service_data(service, selection)
    return getattr(data, method)(), dict(data.failures), list(data.notes)


def _compared(service: str, selection: Selection, names: Sequence[str]) -> dict:
    """{service: Compared} for a selected service (its data is built already), else {}."""
    return {service: service_data(service, selection).compared()} if names else {}


# Per service: the brands columns of its figures, and the prefix of its compared days.
BRAND_SERVICES = {"ga": "web_", "youtube": "yt_"}


def _with_services_compared(table: pd.DataFrame, compared: dict) -> pd.DataFrame:
    """Per service `web_`/`yt_` days_compared and complete_through last (empty for a service
    not selected); a service with no complete day yet has its figures emptied."""
    out = table
    for service, prefix in BRAND_SERVICES.items():
        if service not in compared:
            out = out.assign(
                **{
                    f"{prefix}days_compared": pd.Series(pd.NA, index=out.index, dtype="Int64"),
                    f"{prefix}complete_through": pd.Series("", index=out.index, dtype="str"),
                }
            )
            continue
        if compared[service].days_compared == 0:
            out = blank_figures(out, [c for c in out.columns if c.startswith(prefix)])
        out = with_compared(out, compared[service], prefix, blank=False)
    return out


def _sum_known(values: np.ndarray) -> float:
    """A sum that stays unknown (NaN) when any part is unknown."""
    return float(values.sum()) if not np.isnan(values).any() else np.nan


def _per_brand(
    table: pd.DataFrame | None,
    key: str,
    metrics: dict[str, str],
    members: list,
    which: int,
    suffix: str = "",
) -> dict[str, float]:
    """Brand -> {brand metric: sum over its members' rows} for one period (suffix).

    From numpy columns and each key's row positions, found once: a boolean filter of the
    table per brand, period and service was most of the brands table (180 at 20 brands)."""
    unknown = dict.fromkeys(metrics.values(), np.nan)
    if table is None:
        return {brand: dict(unknown) for brand, *_ in members}
    rows_of: dict[object, list[int]] = {}
    for i, name in enumerate(table[key].tolist()):
        rows_of.setdefault(name, []).append(i)
    columns: dict[str, np.ndarray] = {}  # read when a brand first has all its rows
    out: dict[str, dict[str, float]] = {}
    for brand, *groups in members:
        names = set(groups[which])
        # A brand with no selected site (or channel group) has no figure there, not 0; nor
        # has one whose member failed to answer (no row of its own): unknown, not 0.
        if not names or any(name not in rows_of for name in names):
            out[brand] = dict(unknown)
            continue
        rows = sorted(i for name in names for i in rows_of[name])  # in the table's order
        if not columns:
            columns = {
                target: table[f"{source}{suffix}"].to_numpy(dtype="float64", na_value=np.nan)
                for source, target in metrics.items()
            }
        out[brand] = {target: _sum_known(values[rows]) for target, values in columns.items()}
    return out


def _brand_frame(ga, yt, members, suffix: str = "") -> pd.DataFrame:
    web = _per_brand(ga, "site", WEB_METRICS, members, 0, suffix)
    tube = _per_brand(yt, "channel", YT_METRICS, members, 1, suffix)
    rows = [{"brand": brand, **web[brand], **tube[brand]} for brand, *_ in members]
    frame = pd.DataFrame(rows, columns=["brand", *BRAND_METRICS])
    return frame


def _as_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole-number columns back to integers (nullable where a value is unknown)."""
    out = frame.copy()
    for column in out.columns:
        if column == "brand" or column.endswith("_pct"):
            continue
        series = out[column]
        out[column] = series.round().astype("Int64" if series.isna().any() else "int64")
    return out


def brands_report(selection: Selection) -> ReportResult:
    """Per brand: web pageviews and users, YouTube views and watch minutes, network shares."""
    members = brand_members(selection)
    ga, ga_failures, ga_notes = _service_table(
        "ga", "site_summary_table", selection, selection.site_names()
    )
    yt, yt_failures, yt_notes = _service_table(
        "youtube", "channel_summary_table", selection, selection.channel_names()
    )
    current = _brand_frame(ga, yt, members)
    periods = {sfx: _brand_frame(ga, yt, members, f"_{sfx}") for sfx in _suffixes(selection)}
    table = add_comparisons(current, periods, ["brand"], BRAND_METRICS)
    for sfx, other in periods.items():
        for metric in BRAND_METRICS:
            unknown = other[metric].isna().to_numpy()
            cols = [f"{metric}_{sfx}", f"{metric}_{sfx}_change", f"{metric}_{sfx}_pct"]
            table.loc[unknown, cols] = np.nan
    table["web_pageviews_share_pct"] = share_pct(current["web_pageviews"], _total(ga, "pageviews"))
    table["yt_views_share_pct"] = share_pct(current["yt_views"], _total(yt, "views"))
    compared = _compared("ga", selection, selection.site_names())
    compared |= _compared("youtube", selection, selection.channel_names())
    return ReportResult(
        _with_services_compared(_as_counts(table), compared),
        {**ga_failures, **yt_failures},
        _unique(ga_notes + yt_notes),
        compared,
    )


def _suffixes(selection: Selection) -> list[str]:
    return list(selection.comparison_periods())


def _total(table: pd.DataFrame | None, column: str) -> float:
    return float(table[column].sum()) if table is not None and len(table) else 0.0


def _unique(notes: list[str]) -> list[str]:
    return list(dict.fromkeys(notes))


def _long(frame: pd.DataFrame, service: str, entity: str) -> pd.DataFrame:
    metrics = [c for c in frame.columns if c not in ("date", entity)]
    out = frame.melt(id_vars=["date", entity], value_vars=metrics, var_name="metric")
    out = out.rename(columns={entity: "entity"}).assign(service=service)
    return out[list(DAILY_COLUMNS)]


def daily_report(
    selection: Selection, services: tuple[str, ...] = ("ga", "youtube")
) -> ReportResult:
    """Long daily figures: date, service (ga / youtube), entity (site / channel group).

    `services` narrows it to one platform, for a page that charts only that one.
    """
    parts, failures, notes = [], {}, []
    for service, entity, names in (
        ("ga", "site", selection.site_names()),
        ("youtube", "channel", selection.channel_names()),
    ):
        if service not in services:
            continue
        frame, failed, noted = _service_table(service, "daily_series", selection, names)
        failures |= failed
        notes += noted
        if frame is not None and len(frame):
            parts.append(_long(frame, service, entity))
    if not parts:
        return ReportResult(pd.DataFrame(columns=list(DAILY_COLUMNS)), failures, _unique(notes))
    table = pd.concat(parts, ignore_index=True)
    table["date"] = pd.to_datetime(table["date"]).dt.strftime("%Y-%m-%d")
    values = pd.to_numeric(table["value"])
    whole = values.notna().all() and (values == values.round()).all()
    table["value"] = values.astype("int64") if whole else values
    table = table.sort_values(["date", "service", "entity", "metric"], kind="stable")
    return ReportResult(table.reset_index(drop=True), failures, _unique(notes))

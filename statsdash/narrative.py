"""Sentences written from the drivers and anomalies tables, for the Insights page and the
digest: every figure in them is a cell of the table the download gives.

"Pageviews −4.1% vs the previous period. By site: gearhaven.co.uk −38k (its top article
“…”, −21k); partly offset by pixelpost.net +12k. By source: google / organic −17k."

Sites and sources are two splits of the same change (each adds up to it), so each has its
sentence. Rates 0-1 read as percentages and their changes in percentage points.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from statsdash import drivers as d
from statsdash.periods import day_text
from statsdash.youtube.names import source_type_name

WHEN = {
    "previous": "the previous period",
    "yoy": "a year ago",
    "yoy_weekday": "the same weekdays last year",
    "week_ago": "a week earlier",
}
TOP_DIMENSION = {"ga": "site", "youtube": "channel"}
SOURCE_DIMENSION = {"ga": "source_medium", "youtube": "source_type"}
# What each sentence's split is called: "By site: …", "By traffic source: …".
SPLIT_NAMES = {
    "site": "site",
    "channel": "channel group",
    "source_medium": "source",
    "source_type": "traffic source",
}
FRACTION_METRICS = {"engagement_rate"}  # 0-1: read as a percentage
KIND_WORDS = {"spike": "above", "drop": "below", "tracking_break": "likely tracking break"}


def service_of(metric: str) -> str:
    return "youtube" if metric in d.YT_METRICS else "ga"


def compact(value: float) -> str:
    """Signed and short: 38_210 -> "+38k", -1_234 -> "−1.2k", 950 -> "+950"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    sign = "+" if value > 0 else "−" if value < 0 else ""
    size = abs(float(value))
    for limit, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            scaled = size / limit
            text = f"{scaled:.1f}" if scaled < 10 else f"{scaled:.0f}"
            return f"{sign}{text.removesuffix('.0')}{suffix}"
    return f"{sign}{size:,.0f}" if size >= 1 or size == 0 else f"{sign}{size:.2f}"


def signed_percent(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "(no base to compare)"
    if round(value, 1) == 0:
        return "unchanged (0.0%)"
    return f"{'+' if value > 0 else '−'}{abs(value):.1f}%"


def _rows(table: pd.DataFrame, metric: str, comparison: str, dimension: str) -> pd.DataFrame:
    mask = (
        (table["metric"] == metric)
        & (table["comparison"] == comparison)
        & (table["dimension"] == dimension)
    )
    return table[mask]


def _named(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["key"] != d.EVERYTHING_ELSE]


def _movers(rows: pd.DataFrame, sign: float, n: int) -> pd.DataFrame:
    """The n named rows moving most in the direction `sign` (+1 rises, -1 falls)."""
    moving = _named(rows)
    moving = moving[moving["contribution"] * sign > 0]
    return moving.assign(_size=moving["contribution"].abs()).nlargest(n, "_size")


def _part(row) -> str:
    label = source_type_name(row["key"]) if row["dimension"] == "source_type" else row["label"]
    return f"{label} {compact(row['contribution'])}"


def quoted(title: str) -> str:
    """A title in curly quotes, its own quotes made single so they do not double up:
    'The "Indie" guide' -> “The ‘Indie’ guide”."""
    inner, opened = [], False
    for char in str(title):
        if char in '"“”':
            char, opened = ("’" if opened else "‘"), not opened
        inner.append(char)
    return f"“{''.join(inner)}”"


def headline(table: pd.DataFrame, metric: str, comparison: str) -> str | None:
    """One sentence on what drove `metric`'s change against `comparison` (None: no rows)."""
    service = service_of(metric)
    rows = _rows(table, metric, comparison, TOP_DIMENSION[service])
    if rows.empty:
        return None
    current, base = rows["total_current"].iloc[0], rows["total_base"].iloc[0]
    name, when = d.METRIC_LABELS[metric], WHEN.get(comparison, comparison)
    if metric in d.RATIO_METRICS:
        return _ratio_sentence(rows, name, when, current, base, metric)
    change = current - base
    pct = change / abs(base) * 100 if base else math.nan
    if change == 0:
        return f"{name} unchanged vs {when} ({compact(current).lstrip('+')})."
    sign = 1.0 if change > 0 else -1.0
    parts = []
    for i, (_, row) in enumerate(_movers(rows, sign, 2).iterrows()):
        text = _part(row)
        if i == 0 and metric == "pageviews":
            article = _top_article(table, comparison, row["key"], sign)
            text += (
                f" (its top article {quoted(article['label'])}, {compact(article['contribution'])})"
                if article is not None
                else ""
            )
        parts.append(text)
    offsets = [_part(row) for _, row in _movers(rows, -sign, 1).iterrows()]
    top = SPLIT_NAMES[TOP_DIMENSION[service]]
    text = f"{name} {signed_percent(pct)} vs {when}. By {top}: "
    text += (", ".join(parts) or "spread thinly") + (
        f"; partly offset by {', '.join(offsets)}." if offsets else "."
    )
    dimension = SOURCE_DIMENSION[service]
    source = _movers(_rows(table, metric, comparison, dimension), sign, 1)
    if len(source):
        text += (
            f" By {SPLIT_NAMES[dimension]}: {', '.join(_part(r) for _, r in source.iterrows())}."
        )
    return text


def _top_article(table: pd.DataFrame, comparison: str, site: str, sign: float):
    articles = _rows(table, "pageviews", comparison, "article")
    mine = articles[articles["key"].str.startswith(site + "/")]
    top = _movers(mine, sign, 1)
    return None if top.empty else top.iloc[0]


def _ratio_sentence(rows, name, when, current, base, metric) -> str:
    mix = rows.loc[rows["effect"] == "mix", "contribution"].sum()
    rate = rows.loc[rows["effect"] == "rate", "contribution"].sum()
    main = "rates within sites" if abs(rate) >= abs(mix) else "the mix of sites"
    if metric in FRACTION_METRICS:  # 0.581 -> "58.1%", changes in percentage points
        level, step = (lambda v: f"{100 * v:.1f}%"), (lambda v: _signed(100 * v, 1, " pp"))
    else:
        level, step = (lambda v: f"{v:.2f}"), (lambda v: _signed(v, 2, ""))
    return (
        f"{name} {level(current)} vs {level(base)} {when} ({step(current - base)}): "
        f"mostly {main} (rate effect {step(rate)}, mix effect {step(mix)})."
    )


def _signed(value: float, decimals: int, unit: str) -> str:
    """+1.2 pp, −0.03; what rounds to zero is 0.0, never −0.0."""
    shown = round(float(value), decimals)
    if shown == 0:
        return f"{0:.{decimals}f}{unit}"
    return f"{'+' if shown > 0 else '−'}{abs(shown):.{decimals}f}{unit}"


def headlines(table: pd.DataFrame, comparison: str, metrics=None) -> list[str]:
    """A sentence per metric in the table (in METRICS order) for one comparison."""
    present = set(table.loc[table["comparison"] == comparison, "metric"])
    wanted = [m for m in (metrics or d.METRICS) if m in present]
    return [s for m in wanted if (s := headline(table, m, comparison))]


def anomaly_line(row) -> str:
    """ "pixelpost.net pageviews Tue 24 Nov: 42,026, expected 19,449–29,174 (spike)"; a
    tracking break says which source went silent, then the total against its range."""
    day = date.fromisoformat(str(row["date"]))
    if row["kind"] == "tracking_break":
        return f"{row['entity']} {row['metric']} {day_text(day)}: {row['detail']}; {_total(row)}"
    head = f"{row['entity']} {row['metric']} {day_text(day)}: {row['value']:,.0f}"
    expected = f"expected {row['expected_low']:,.0f}–{row['expected_high']:,.0f}"
    return f"{head}, {expected} ({row['kind']})"


def anomaly_short(row) -> str:
    """A page's line, day first: "Tue 24 Nov · pixelpost.net pageviews 42,026 (expected
    19,449–29,174): spike"; a tracking break's line names the silent sources ("Tue 24 Nov ·
    gearhaven.co.uk: property 298451007 sent no data; site total 32,381, within the
    expected range"), its `help` the whole explanation (it ran to two lines)."""
    day = date.fromisoformat(str(row["date"]))
    if row["kind"] == "tracking_break":
        return f"{day_text(day)} · {row['entity']}: {'; '.join(_silent(row))}; {_total(row)}"
    value = f"{row['value']:,.0f} (expected {row['expected_low']:,.0f}–{row['expected_high']:,.0f})"
    return f"{day_text(day)} · {row['entity']} {row['metric']} {value}: {row['kind']}"


def _silent(row) -> list[str]:
    """ "property 298451007 sent no data" per silent source of a tracking break's detail."""
    parts = str(row["detail"]).split("; ")
    return [part.split(" (usually")[0].split(": likely")[0] for part in parts]


def _total(row) -> str:
    """The flagged entity's own total beside its range: a tracking break's site may still be
    within it (another property carried on), so "expected a–b" is said only outside it."""
    whole = "site" if row.get("service", "ga") == "ga" else "channel group"
    value, low, high = row["value"], row["expected_low"], row["expected_high"]
    if low <= value <= high:
        return f"{whole} total {value:,.0f}, within the expected range"
    return f"{whole} total {value:,.0f} (expected {low:,.0f}–{high:,.0f})"

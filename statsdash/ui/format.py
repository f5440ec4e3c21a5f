"""Readable numbers for the pages: labels, thousands separators, signed changes with arrows.

Pure functions over raw report tables. The raw table stays untouched (it is what the CSV
download writes); formatting only decides how a cell reads on screen.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from statsdash.periods import day_text
from statsdash.utilities import FRACTIONS

UP, DOWN = "▲", "▼"
GREEN, RED = "#1a7f37", "#cf222e"

# Comparison column suffix -> how a reader names the period compared with, when the
# comparison chosen is not known (both year-ago kinds fill the `yoy` columns).
SUFFIX_LABELS = {"prev": "vs previous period", "yoy": "vs last year", "wow": "vs a week earlier"}
SUFFIXES = tuple(SUFFIX_LABELS)
# One name per comparison, used alike by KPI cards, table headings and page subtitles.
COMPARISON_NAMES = {
    "previous": "vs previous period",
    "yoy": "vs same dates last year",
    "yoy_weekday": "vs same weekday last year",
    "week_ago": "vs a week earlier",
}
PREVIOUS_BY_DAYS = {1: "vs previous day", 7: "vs previous week"}


def comparison_name(key: str, days: int) -> str:
    """ "vs previous week" for a 7-day period, "vs same dates last year", ..."""
    if key == "previous" and days in PREVIOUS_BY_DAYS:
        return PREVIOUS_BY_DAYS[days]
    return COMPARISON_NAMES[key]


# The same comparisons named short enough for a KPI card's line at 1280 px (a card is a
# quarter of the page); the card's help and the page subtitle give the full names and dates.
# Both year-ago kinds read "vs last year": they cannot be chosen together.
SHORT_NAMES = {
    "previous": "vs prev. period",
    "yoy": "vs last year",
    "yoy_weekday": "vs last year",
    "week_ago": "vs week earlier",
}
PREVIOUS_SHORT_BY_DAYS = {1: "vs prev. day", 7: "vs prev. week"}


def short_comparison_name(key: str, days: int) -> str:
    """ "vs prev. week", "vs last year": a KPI card's comparison, see SHORT_NAMES."""
    if key == "previous" and days in PREVIOUS_SHORT_BY_DAYS:
        return PREVIOUS_SHORT_BY_DAYS[days]
    return SHORT_NAMES[key]


def short_range(start, end) -> str:
    """A period's dates as a column heading: "23–29 Nov", "28 Oct – 3 Nov", "Mon 30 Nov"."""
    if start == end:
        return f"{start:%a} {start.day} {start:%b}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%b}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {end.day} {end:%b}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def comparison_names(keys: Sequence[str], days: int) -> dict[str, str]:
    """Column suffix -> the name of the comparison chosen for it."""
    from statsdash.periods import COMPARISONS

    return {COMPARISONS[key]: comparison_name(key, days) for key in keys}


# Kept for pages that name a suffix without knowing the comparison (old name).
KPI_COMPARISONS = COMPARISON_NAMES
SUFFIX_SHORT = SUFFIX_LABELS

USERS_SUM = "Users (sum of properties)"

LABELS = {
    "site": "Site",
    "host": "Host",
    "path": "Path",
    "title": "Title",
    "pageviews": "Pageviews",
    "users": USERS_SUM,
    "sessions": "Sessions",
    "pages_per_session": "Pages / session",
    "avg_session_seconds": "Avg. session",
    "engaged_sessions": "Engaged sessions",
    "engagement_rate": "Engagement rate",
    "key_events": "Key events",
    "key_event": "Key event",
    "format": "Format",
    "views_share_pct": "Share of views",
    "engaged_views_share_pct": "Share of engaged views",
    "watch_minutes_share_pct": "Share of watch minutes",
    "avg_engagement_seconds": "Engagement / active user",
    "country": "Country",
    "source_medium": "Source / medium",
    "source": "Source",
    "article_pageviews": "Article pageviews",
    "social_network": "Social network",
    "device_category": "Device",
    "channel": "Channel group",
    "subscribers": "Subscribers",
    "subscriber_change": "Subscriber change",
    "watch_minutes": "Watch minutes",
    "views": "Views",
    "engaged_views": "Engaged views",
    "likes": "Likes",
    "dislikes": "Dislikes",
    "comments": "Comments",
    "shares": "Shares",
    "subscribers_gained": "Subscribers gained",
    "like_rate": "Likes / 1k views",
    "comment_rate": "Comments / 1k views",
    "share_rate": "Shares / 1k views",
    "subs_rate": "Subscribers / 1k views",
    "like_ratio": "Like ratio",
    "estimated_revenue": "Estimated revenue",
    "estimated_ad_revenue": "Estimated ad revenue",
    "gross_revenue": "Gross ad revenue",
    "cpm": "CPM",
    "playback_based_cpm": "Playback-based CPM",
    "monetized_playbacks": "Monetized playbacks",
    "ad_impressions": "Ad impressions",
    "currency": "Currency",
    "video": "Video",
    "source_type": "Traffic source",
    "share_pct": "Share",
    "brand": "Brand",
    "web_pageviews": "Web pageviews",
    "web_users": "Web users (sum of properties)",
    "yt_views": "YouTube views",
    "yt_watch_minutes": "YouTube watch minutes",
    "web_pageviews_share_pct": "Share of web pageviews",
    "yt_views_share_pct": "Share of YouTube views",
    "property": "GA4 property",
    "time_zone": "Time zone",
    "wait_for_data": "Waits for full days",
    "complete_through": "Complete through",
    "complete": "Period complete",
    "group": "Channel group",
    "days_elapsed": "Days so far",
    "days_left": "Days left",
    "projected_pageviews": "Projected pageviews",
    "last_month_pageviews": "Last month's pageviews",
    "month": "Month",
    "date": "Date",
    "service": "Service",
    "entity": "Site / channel group",
    "metric": "Metric",
    "value": "Value",
}


def top_of(rows: int, limit: int, one: str, many: str) -> str:
    """ "the top 20 countries", or "all 15 countries" when the selection has fewer than the
    limit ("Top 20" over 15 rows read as if some were missing), "the one country"; with no
    rows, the limit the list would have."""
    if rows == 1:
        return f"the one {one}"
    return f"all {rows} {many}" if 0 < rows < limit else f"the top {limit} {many}"


def top_caption(rows: int, limit: int, one: str, many: str) -> str:
    """`top_of` as a caption's start: "The top 20 countries", "All 15 countries"."""
    text = top_of(rows, limit, one, many)
    return text[0].upper() + text[1:]


def plural(count: int, word: str) -> str:
    """ "1 day", "7 days"."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def month_caption(
    first: pd.Series, end: date, web_through: date | None, today: date | None = None
) -> str:
    """What a month-to-date table covers, with every day count it compares: its complete days
    (`web_through`: GA4's last complete day), the month's length the projection runs to, and
    last month's, e.g. "28 complete days so far (Sun 29 Nov is still arriving)".

    The month's days after the period's end are "left" only when the period runs to
    yesterday or today (`today`, the app's day): last week's month to date read on 1 Dec
    said "1 day left" of a November already over, and read on 20 Nov for a week ending the
    15th "15 days left"; it says where the period stops instead."""
    elapsed, left = int(first["days_elapsed"]), int(first["days_left"])
    month_days = calendar.monthrange(end.year, end.month)[1]
    last_month = end.replace(day=1) - timedelta(days=1)
    before = f"Last month's pageviews: {last_month:%B}'s {last_month.day} days."
    if not elapsed:
        latest = f" (web data is complete through {day_text(web_through)})" if web_through else ""
        return f"{end:%B %Y}: no complete day yet{latest}. {before}"
    last = end.replace(day=elapsed)
    cut = last < end
    arriving = ""
    if cut:
        later = last + timedelta(days=1)
        span = f"{day_text(later)}" if later == end else f"{later:%a} {later.day}–{day_text(end)}"
        arriving = f" ({span} still arriving, left out)"
    days = plural(elapsed, "complete day") if cut or web_through else plural(elapsed, "day")
    if not left:
        rest = ""
    elif today is not None and end < today - timedelta(days=1):
        rest = f"; the period stops {plural(left, 'day')} before the month's end"
    else:
        rest = f", {plural(left, 'day')} left"
    return (
        f"{end:%B %Y} through {day_text(last)}: {days} so far{arriving}{rest}. Projected: all "
        f"{month_days} days of {end:%B} at the same daily pace. {before}"
    )


def month_headings(end: date, elapsed: int) -> dict[str, str]:
    """Month to date's headings on screen with the days each column counts: the month so
    far, the whole month projected, the whole month before (the CSV keeps its names)."""
    month_days = calendar.monthrange(end.year, end.month)[1]
    last_month = end.replace(day=1) - timedelta(days=1)
    return {
        "pageviews": f"Pageviews ({plural(elapsed, 'day')})",
        "projected_pageviews": f"Projected ({plural(month_days, 'day')})",
        "last_month_pageviews": f"{last_month:%B} ({plural(last_month.day, 'day')})",
    }


def split_column(column: str) -> tuple[str, str | None, str]:
    """`pageviews_yoy_pct` -> ("pageviews", "yoy", "pct"); a metric alone -> (m, None, "")."""
    for suffix in SUFFIXES:
        for part in ("_pct", "_change", ""):
            tail = f"_{suffix}{part}"
            if column.endswith(tail) and len(column) > len(tail):
                return column[: -len(tail)], suffix, part.lstrip("_")
    return column, None, ""


def is_share(metric: str) -> bool:
    """A percent share, whose change reads in percentage points."""
    return metric.endswith("share_pct")


def label(column: str, names: dict[str, str] | None = None) -> str:
    """A column's heading on screen: a change sits under its metric's name, e.g.
    `pageviews_prev_pct` -> "Pageviews vs previous week" (`names`: suffix -> comparison)."""
    metric, suffix, part = split_column(column)
    base = LABELS.get(metric, metric.replace("_", " ").capitalize())
    if suffix is None:
        return base
    if metric == "users":
        base = "Users"
    when = (names or {}).get(suffix, SUFFIX_LABELS[suffix])
    if part == "pct" or (part == "change" and is_share(metric)):
        return f"{base} {when}"
    if part == "change":
        return f"{base} change {when}"
    return f"{base} ({when.removeprefix('vs ')})"


def signed_pct(value: object) -> str:
    """12.345 -> "▲ +12.3%", -4 -> "▼ −4.0%", 0 -> "0.0%"; empty stays empty, never 0."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    number = float(value)
    if number == math.inf:  # from 0 to more (mark_new)
        return NEW
    if round(number, 1) == 0:
        return "0.0%"
    arrow = UP if number > 0 else DOWN
    return f"{arrow} {'+' if number > 0 else '−'}{abs(number):,.1f}%"


def signed_pp(value: object) -> str:
    """A share's change in percentage points: 1.23 -> "▲ +1.2 pp"; empty stays empty."""
    text = signed_pct(value)
    if text in ("", "0.0%"):
        return text.replace("%", " pp")
    return text.removesuffix("%") + " pp"


def signed_int(value: object) -> str:
    """1234 -> "+1,234", -5 -> "−5"; empty stays empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    number = float(value)
    if number == 0:
        return "0"
    return f"{'+' if number > 0 else '−'}{abs(number):,.0f}"


def number(value: object, decimals: int = 0) -> str:
    """Thousands separators: 1234567 -> "1,234,567"; empty stays empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return f"{float(value):,.{decimals}f}"


def duration(seconds: object) -> str:
    """125.4 -> "2m 05s"; empty stays empty."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return ""
    whole = round(float(seconds))
    minutes, secs = divmod(whole, 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


# GA4's deviceCategory values are lower case keys; on screen they read as names.
DEVICE_NAMES = {"smart tv": "Smart TV"}


def device_name(value: object) -> object:
    """ "mobile" -> "Mobile", "smart tv" -> "Smart TV"; anything else (empty) as it is."""
    if not isinstance(value, str):
        return value
    return DEVICE_NAMES.get(value, value[:1].upper() + value[1:])


def percent(value: object) -> str:
    """A share: 12.345 -> "12.3%"; empty stays empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return f"{float(value):,.1f}%"


def fraction(value: object) -> str:
    """A fraction 0-1 as a percent: 0.5834 -> "58.3%"; empty stays empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return percent(100 * float(value))


def change_colour(value: object) -> str:
    """CSS for a change cell: green up, red down, nothing when flat or empty."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    if math.isnan(number) or round(number, 1) == 0:
        return ""
    return f"color: {GREEN if number > 0 else RED}"


RATIO_DECIMALS = {"pages_per_session": 2, "like_ratio": 1}
# Money (yt-revenue) reads to the cent; its currency is named beside the table.
MONEY = ("estimated_revenue", "estimated_ad_revenue", "gross_revenue", "cpm", "playback_based_cpm")
RATIO_DECIMALS |= dict.fromkeys(MONEY, 2)


def cell_formatter(column: str, dtype) -> object:
    """The function that turns a raw cell of `column` into its on-screen text (None: as is)."""
    metric, suffix, part = split_column(column)
    if part == "pct":
        return signed_pct
    if part == "change" and is_share(metric):
        return signed_pp
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return None
    if part == "change" and metric in FRACTIONS:
        return lambda v: "" if pd.isna(v) else signed_pp(100 * float(v))
    if part == "change":
        return lambda v: signed_int(v) if metric not in RATIO_DECIMALS else _signed(v, metric)
    if is_share(metric):
        return percent
    if metric in ("avg_session_seconds", "avg_engagement_seconds"):
        return duration
    if metric in FRACTIONS:
        return fraction
    if metric.endswith("_rate"):
        return lambda v: number(v, 2)
    if metric in RATIO_DECIMALS:
        return lambda v: number(v, RATIO_DECIMALS[metric])
    return number


def _signed(value: object, metric: str) -> str:
    text = number(value, RATIO_DECIMALS[metric])
    return text if not text or text.startswith("-") else f"+{text}"


def is_shown_change(column: str) -> bool:
    """The change a reader sees: a percent, except for shares and rates 0-1 (engagement
    rate), whose change reads in percentage points (58.1% -> 58.3% is "+0.2 pp", not a
    relative "+0.3%")."""
    metric, suffix, part = split_column(column)
    if suffix is None:
        return False
    return part == ("change" if is_share(metric) or metric in FRACTIONS else "pct")


def visible_columns(table: pd.DataFrame, detail: bool = False) -> list[str]:
    """Columns to show: dimensions, metrics and their changes (all columns when `detail`)."""
    if detail:
        return list(table.columns)
    return [c for c in table.columns if split_column(c)[1] is None or is_shown_change(c)]


def _is_base(column: str) -> bool:
    """`pageviews_prev`: the comparison period's own value (kept for the download)."""
    _, suffix, part = split_column(column)
    return suffix is not None and part == ""


def to_styler(table: pd.DataFrame, colour: bool = True, groups: dict[str, str] | None = None):
    """A pandas Styler that shows `table` readably: formats per column, coloured changes
    (grey when `colour` is off: an incomplete table's changes are not real ones).

    With `groups` (column -> heading above it) the columns become two-level (group, name),
    which st.dataframe draws as grouped headings (see grid.py).
    """
    table = mark_new(table)
    formats = {c: f for c in table.columns if (f := cell_formatter(c, table[c].dtype)) is not None}
    changes = [c for c in table.columns if split_column(c)[2] in ("pct", "change")]
    if groups:
        key = {c: (groups.get(c, ""), c) for c in table.columns}
        table = table.set_axis(pd.MultiIndex.from_tuples(list(key.values())), axis=1)
        formats = {key[c]: f for c, f in formats.items()}
        changes = [key[c] for c in changes]
    styler = table.style.format(formats, na_rep="")
    if changes and colour:
        styler = styler.map(change_colour, subset=changes)
    return styler


NEW = "new"


def mark_new(table: pd.DataFrame) -> pd.DataFrame:
    """A percent change from 0 to more is +inf, which reads "new" (signed_pct): a page or
    source new since the compared period, not an empty cell that reads as missing data.
    Only where the compared value is in `table` (render_table marks before it drops it);
    nothing before and nothing now stays empty."""
    marks = {}
    for column in table.columns:
        metric, suffix, part = split_column(column)
        base = f"{metric}_{suffix}"
        if part != "pct" or metric not in table or base not in table:
            continue
        current = pd.to_numeric(table[metric], errors="coerce")
        before = pd.to_numeric(table[base], errors="coerce")
        new = table[column].isna() & (before == 0) & (current > 0)
        if new.any():
            marks[column] = table[column].astype(float).mask(new, math.inf)
    return table.assign(**marks) if marks else table


def column_labels(
    columns: Sequence[str],
    periods: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
) -> dict:
    """{column: (label, help)}; `periods` maps a suffix to the compared period's dates,
    `names` to the comparison's name."""
    out = {}
    for column in columns:
        metric, suffix, part = split_column(column)
        help_text = None
        if suffix is not None and periods and suffix in periods:
            name = LABELS.get(metric, metric)
            help_text = f"{name} compared with {periods[suffix]}"
            if part == "pct":
                help_text = f"{name}: percent change from {periods[suffix]}; new when that was 0"
            elif part == "change" and is_share(metric):
                help_text = f"{name}: change in percentage points from {periods[suffix]}"
        if metric == "users" and suffix is None:
            help_text = (
                "GA4 total users summed over properties: a person who visits two sites counts twice"
            )
        out[column] = (label(column, names), help_text)
    return out

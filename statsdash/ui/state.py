"""The sidebar selection as plain data, and its round trip through the URL's query parameters.

Pure functions (no `st.*`), so a shared link's meaning is testable without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from statsdash.periods import COMPARISONS, PRESETS, Period, preset
from statsdash.ui.text import md

GRANULARITIES = ("day", "week", "month")
DEFAULT_PRESET = "last_week"  # the question Statsdash answers first: how did last week go?
DEFAULT_COMPARISONS = ("previous", "yoy")


@dataclass(frozen=True)
class UiState:
    """What the sidebar holds: empty sites/channels mean all of them."""

    sites: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    preset: str = DEFAULT_PRESET
    start: date | None = None  # custom range only
    end: date | None = None
    comparisons: tuple[str, ...] = DEFAULT_COMPARISONS
    granularity: str = "day"
    brands: tuple[str, ...] = ()  # the brands picked (their sites and channels are above)

    def period(self, today: date) -> Period:
        return preset(self.preset, today, self.start, self.end)


MAX_YEARS_BACK = 5  # the range picker's limit (GA4 keeps no older data for most properties)


def earliest_day(today: date) -> date:
    return today - timedelta(days=MAX_YEARS_BACK * 366)


def _quoted(value: str) -> str:
    """A link's value as it may be shown: quoted, short, and never read as Markdown."""
    return "“" + md(value if len(value) <= 60 else value[:57] + "...") + "”"


def _listed(
    name: str, value: str | None, allowed: tuple[str, ...], what: str, problems: list[str]
) -> tuple[str, ...]:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    unknown = [v for v in items if v not in allowed]
    kept = tuple(dict.fromkeys(v for v in items if v in allowed))
    if unknown:
        shown = ", ".join(kept) if kept else f"all {what}"
        problems.append(
            f"Link parameter `{name}`: no {what[:-1] if what.endswith('s') else what} named "
            f"{', '.join(_quoted(v) for v in unknown)}; showing {_quoted(shown)} instead."
        )
    return kept


def _date(name: str, value: str | None, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"Link parameter `{name}`: {_quoted(value)} is not a date (YYYY-MM-DD).")
        return None


def _custom_range(
    start: date | None, end: date | None, today: date | None, problems: list[str]
) -> tuple[date, date] | None:
    """The link's custom range, kept within the picker's limits; None when unusable."""
    if start is None or end is None:
        if not problems:
            missing = "start" if start is None else "end"
            problems.append(f"Link parameter `{missing}` is missing for the custom period.")
        return None
    if start > end:
        problems.append(
            f"Link parameters `start` and `end`: {start.isoformat()} is after {end.isoformat()}."
        )
        return None
    if today is not None:
        low = earliest_day(today)
        if end > today:
            problems.append(
                f"Link parameter `end`: {end.isoformat()} is after today "
                f"({today.isoformat()}); the range ends today instead."
            )
            end = today
        if start < low:
            problems.append(
                f"Link parameter `start`: {start.isoformat()} is more than {MAX_YEARS_BACK} "
                f"years back; the range starts {low.isoformat()} instead."
            )
            start = low
        if start > end:
            return None
    return start, end


def read_query(
    params: Mapping[str, str],
    sites: tuple[str, ...],
    channels: tuple[str, ...],
    today: date | None = None,
    brands: Mapping[str, object] | None = None,
) -> tuple[UiState, list[str]]:
    """Read a shared link: the state it means, and one line per parameter it got wrong
    (naming the parameter, the bad value and what is shown instead). Never fails.

    `brands` maps a brand's name to its Brand (sites and channels); a link's `brands` fill
    the sites and channel groups when the link names none itself.
    """
    problems: list[str] = []
    brands = brands or {}
    chosen_brands = (
        _listed("brands", params.get("brands"), tuple(brands), "brands", problems)
        if "brands" in params
        else ()
    )
    chosen_preset = params.get("period", DEFAULT_PRESET)
    if chosen_preset not in PRESETS:
        problems.append(
            f"Link parameter `period`: no period named {_quoted(chosen_preset)}; showing "
            f"{PRESETS[DEFAULT_PRESET]} instead."
        )
        chosen_preset = DEFAULT_PRESET
    start = end = None
    if chosen_preset == "custom":
        dates: list[str] = []
        picked = _custom_range(
            _date("start", params.get("start"), dates),
            _date("end", params.get("end"), dates),
            today,
            dates,
        )
        if picked is None:
            dates[-1] = (
                dates[-1].removesuffix(".") + f"; showing {PRESETS[DEFAULT_PRESET]} instead."
            )
            chosen_preset = DEFAULT_PRESET
        else:
            start, end = picked
        problems += dates
    if "compare" in params:
        comparisons = _listed(
            "compare", params.get("compare"), tuple(COMPARISONS), "comparisons", problems
        )
        if "yoy" in comparisons and "yoy_weekday" in comparisons:
            comparisons = tuple(c for c in comparisons if c != "yoy_weekday")
            problems.append(
                "Link parameter `compare`: “yoy” and “yoy\\_weekday” both compare with last "
                "year; showing the same dates last year only."
            )
        if len(comparisons) > 2:
            problems.append(
                f"Link parameter `compare`: at most two comparisons; showing "
                f"{', '.join(comparisons[:2])} only."
            )
    else:
        comparisons = DEFAULT_COMPARISONS
    granularity = params.get("grain", "day")
    if granularity not in GRANULARITIES:
        problems.append(
            f"Link parameter `grain`: charts cannot be by {_quoted(granularity)}; showing "
            "them by day instead."
        )
        granularity = "day"
    chosen_sites = _listed("sites", params.get("sites"), sites, "sites", problems)
    chosen_channels = _listed(
        "channels", params.get("channels"), channels, "channel groups", problems
    )
    if chosen_brands and "sites" not in params and "channels" not in params:
        chosen_sites = tuple(s for s in sites if any(s in brands[b].sites for b in chosen_brands))
        chosen_channels = tuple(
            c for c in channels if any(c in brands[b].channels for b in chosen_brands)
        )
    state = UiState(
        sites=chosen_sites,
        channels=chosen_channels,
        preset=chosen_preset,
        start=start,
        end=end,
        comparisons=comparisons[:2],
        granularity=granularity,
        brands=chosen_brands,
    )
    return state, problems


def from_query(
    params: Mapping[str, str], sites: tuple[str, ...], channels: tuple[str, ...]
) -> UiState:
    """Read a shared link; unknown or malformed values fall back to defaults, never fail."""
    return read_query(params, sites, channels)[0]


def to_query(state: UiState) -> dict[str, str]:
    """The query parameters that reproduce `state` (defaults left out to keep links short)."""
    params: dict[str, str] = {}
    if state.brands:
        params["brands"] = ",".join(state.brands)
    if state.sites:
        params["sites"] = ",".join(state.sites)
    if state.channels:
        params["channels"] = ",".join(state.channels)
    if state.preset != DEFAULT_PRESET:
        params["period"] = state.preset
    if state.preset == "custom" and state.start and state.end:
        params["start"], params["end"] = state.start.isoformat(), state.end.isoformat()
    if state.comparisons != DEFAULT_COMPARISONS:
        params["compare"] = ",".join(state.comparisons)
    if state.granularity != "day":
        params["grain"] = state.granularity
    return params


def check_comparisons(keys: tuple[str, ...]) -> str | None:
    """A message when the chosen comparisons cannot be shown together, else None."""
    if len(keys) > 2:
        return "Choose at most two comparisons."
    if "yoy" in keys and "yoy_weekday" in keys:
        return "Choose one year-ago comparison: same dates or same weekday."
    return None

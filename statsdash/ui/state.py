"""The sidebar selection as plain data, and its round trip through the URL's query parameters.

Pure functions (no `st.*`), so a shared link's meaning is testable without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from statsdash.periods import COMPARISONS, PRESETS, Period, preset

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

    def period(self, today: date) -> Period:
        return preset(self.preset, today, self.start, self.end)


def _listed(value: str | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    items = [v for v in (value or "").split(",") if v]
    return tuple(dict.fromkeys(v for v in items if v in allowed))


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def from_query(
    params: Mapping[str, str], sites: tuple[str, ...], channels: tuple[str, ...]
) -> UiState:
    """Read a shared link; unknown or malformed values fall back to defaults, never fail."""
    chosen_preset = params.get("period", DEFAULT_PRESET)
    if chosen_preset not in PRESETS:
        chosen_preset = DEFAULT_PRESET
    start, end = _date(params.get("start")), _date(params.get("end"))
    if chosen_preset == "custom" and not (start and end and start <= end):
        chosen_preset, start, end = DEFAULT_PRESET, None, None
    if "compare" in params:
        comparisons = _listed(params.get("compare"), tuple(COMPARISONS))
        if "yoy" in comparisons and "yoy_weekday" in comparisons:
            comparisons = tuple(c for c in comparisons if c != "yoy_weekday")
    else:
        comparisons = DEFAULT_COMPARISONS
    granularity = params.get("grain", "day")
    return UiState(
        sites=_listed(params.get("sites"), sites),
        channels=_listed(params.get("channels"), channels),
        preset=chosen_preset,
        start=start if chosen_preset == "custom" else None,
        end=end if chosen_preset == "custom" else None,
        comparisons=comparisons[:2],
        granularity=granularity if granularity in GRANULARITIES else "day",
    )


def to_query(state: UiState) -> dict[str, str]:
    """The query parameters that reproduce `state` (defaults left out to keep links short)."""
    params: dict[str, str] = {}
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

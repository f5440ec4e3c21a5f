"""The shared sidebar: sites, channel groups, dates, comparisons, chart granularity, refresh.

Widget values live in st.session_state (so they survive page switches) and are mirrored
into the URL's query parameters (so a view can be shared as a link and survives reload).
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from statsdash.config import Config
from statsdash.periods import COMPARISON_LABELS, PRESETS, PeriodError, comparison, day_text
from statsdash.reports import Selection
from statsdash.ui.format import COMPARISON_NAMES, comparison_name, plural
from statsdash.ui.state import (
    GRANULARITIES,
    UiState,
    check_comparisons,
    earliest_day,
    read_query,
    to_query,
)
from statsdash.ui.text import md

SHOWN = "sd_shown"  # the last period shown (not a widget: it survives every page)
LINK = "sd_link"  # (what the shared link got wrong, the query it was read as)
KEYS = (
    "sd_brands",
    "sd_sites",
    "sd_channels",
    "sd_preset",
    "sd_range",
    "sd_compare",
    "sd_grain",
    "sd_fair",
)


def _site_names(config: Config) -> tuple[str, ...]:
    return tuple(config.google_analytics.sites) if config.google_analytics else ()


def _channel_names(config: Config) -> tuple[str, ...]:
    return tuple(config.youtube.channels) if config.youtube else ()


def _seed_from_url(config: Config, today: date) -> None:
    """On a fresh session, put the shared link's selection into the widgets' state, and
    keep what the link got wrong to say so on the page."""
    if "sd_preset" in st.session_state:
        return
    state, problems = read_query(
        st.query_params.to_dict(),
        _site_names(config),
        _channel_names(config),
        today,
        config.brands,
    )
    period = state.period(today)
    # Seeding again (Streamlit dropped the widgets' state while a page ran alone) reads the
    # URL the app already corrected: keep what the original link got wrong.
    if problems or LINK not in st.session_state:
        st.session_state[LINK] = (problems, to_query(state))
    st.session_state.update(
        sd_brands=list(state.brands),
        sd_sites=list(state.sites),
        sd_channels=list(state.channels),
        sd_preset=state.preset,
        sd_range=(period.start, period.end),
        sd_compare=list(state.comparisons),
        sd_grain=state.granularity,
    )


# The range picker lays out its weeks by the browser's locale (Streamlit passes
# navigator.language to it and has no option for the first day), so an en-US browser starts
# weeks on Sunday while every preset's week starts on Monday. Adding the Unicode extension
# "fw-mon" to that locale keeps its language and formats and starts weeks on Monday. The
# script is a constant; no outside text goes into it.
MONDAY_WEEKS = """<script>
(() => {
  const lang = window.navigator.language || "en-GB";
  if (lang.includes("-u-")) return;  // already extended (or set here on an earlier run)
  const monday = `${lang}-u-fw-mon`;
  Object.defineProperty(window.navigator, "language", { get: () => monday, configurable: true });
})();
</script>"""


def render_sidebar(config: Config, today: date) -> tuple[Selection, str] | None:
    """Draw the sidebar; (selection, granularity), or None while the choice is incomplete."""
    _seed_from_url(config, today)
    sb = st.sidebar
    sites, channels = _site_names(config), _channel_names(config)
    if config.brands:
        sb.multiselect(
            "Brands",
            list(config.brands),
            key="sd_brands",
            placeholder="Any brand",
            on_change=_brands_chosen,
            args=(config,),
            help="A brand's sites and its channel groups, chosen together. With none chosen, "
            "the sites and channel groups below are the selection.",
        )
    if sites:
        sb.multiselect(
            "Sites", sites, key="sd_sites", placeholder=f"All sites — {config.network_name}"
        )
    if channels:
        sb.multiselect(
            "Channel groups",
            channels,
            key="sd_channels",
            placeholder=f"All channels — {config.network_name}",
        )
    chosen = sb.selectbox("Dates", list(PRESETS), key="sd_preset", format_func=PRESETS.get)
    start = end = None
    if chosen == "custom":
        # Streamlit drops a widget's state while it is not drawn; without a value the picker
        # would come back as a single date, which can never complete a range.
        if "sd_range" not in st.session_state:
            st.session_state["sd_range"] = st.session_state.get(SHOWN, (today, today))
        picked = sb.date_input(
            "Range",
            key="sd_range",
            max_value=today,
            min_value=earliest_day(today),
            format="YYYY-MM-DD",
        )
        # While the user is picking, the range widget holds 0 or 1 dates: keep showing the
        # period last shown rather than blanking the page.
        if not isinstance(picked, tuple | list) or len(picked) != 2:
            start, end = st.session_state.get(SHOWN, (today - timedelta(days=1),) * 2)
            first, last = (day_text(d, weekday=False) for d in (start, end))
            sb.info(f"Pick the last day of the range; meanwhile {first} – {last}.")
        else:
            start, end = picked
    compare = sb.multiselect(
        "Compare with",
        list(COMPARISON_LABELS),
        key="sd_compare",
        format_func=lambda key: COMPARISON_NAMES[key].removeprefix("vs ").capitalize(),
        max_selections=2,
    )
    problem = check_comparisons(tuple(compare))
    if problem:
        # Both year-ago kinds fill the same columns: keep the one picked first, and say so
        # where the figures are, not only in the sidebar.
        kept = next(c for c in compare if c in ("yoy", "yoy_weekday"))
        compare = [c for c in compare if c not in ("yoy", "yoy_weekday") or c == kept]
        st.warning(
            f"{problem} Showing {COMPARISON_NAMES[kept].removeprefix('vs ')} only.",
            icon=":material/compare_arrows:",
        )
    grain = sb.segmented_control("Chart by", GRANULARITIES, key="sd_grain") or "day"
    fair = sb.toggle(
        "Complete days only",
        value=True,
        key="sd_fair",
        help="Like for like: when a service's last days are not complete yet, its totals cover "
        "the complete days and every comparison the same days (Mon–Sat against Mon–Sat). "
        "Off: whole periods, however much of them is in.",
    )
    if sb.button("Refresh data", help="Fetch again from Google, bypassing every cache"):
        st.session_state["sd_refresh"] = True  # app.py clears the caches and refetches
    # On every run, so that the locale is set before the reader first opens the picker (the
    # run that draws it re-renders the page with the new locale).
    sb.html(MONDAY_WEEKS, unsafe_allow_javascript=True)
    state = UiState(
        tuple(st.session_state.sd_sites),
        tuple(st.session_state.sd_channels),
        chosen,
        start,
        end,
        tuple(compare),
        grain,
        tuple(st.session_state.get("sd_brands", ())),
    )
    query = to_query(state)
    _link_problems(query)
    st.query_params.from_dict(query)
    try:
        period = state.period(today)
    except PeriodError as error:
        sb.error(md(error))
        return None
    st.session_state[SHOWN] = (period.start, period.end)  # where Custom starts from
    _caption_periods(sb, period, state.comparisons)
    selection = Selection(
        config,
        period,
        state.comparisons,
        state.sites,
        state.channels,
        refresh=st.session_state.pop("sd_refresh", False),
        today=today,
        whole_periods=not fair,
    )
    return selection, grain


def _brands_chosen(config: Config) -> None:
    """Picking brands picks their sites and channel groups (config order); none: all."""
    chosen = [config.brands[b] for b in st.session_state.get("sd_brands", ())]
    st.session_state["sd_sites"] = [
        s for s in _site_names(config) if any(s in b.sites for b in chosen)
    ]
    st.session_state["sd_channels"] = [
        c for c in _channel_names(config) if any(c in b.channels for b in chosen)
    ]


def _link_problems(query: dict[str, str]) -> None:
    """What the shared link got wrong, on the page, until the reader changes the selection."""
    problems, seeded = st.session_state.get(LINK, ([], None))
    if not problems:
        return
    if query != seeded:
        st.session_state[LINK] = ([], None)
        return
    st.warning(
        "**This link asked for something that cannot be shown.**\n"
        + "\n".join(f"- {line}" for line in problems),
        icon=":material/link_off:",
    )


def _caption_periods(sb, period, comparisons) -> None:
    lines = [f"**{period.label}** ({plural(period.days, 'day')})"]
    lines += [
        f"{comparison_name(key, period.days)}: {comparison(period, key).label}"
        for key in comparisons
    ]
    sb.caption("  \n".join(lines))

"""The sidebar selection's round trip through a shared link's query parameters."""

from datetime import date

import pytest

from statsdash.ui.state import UiState, check_comparisons, from_query, read_query, to_query

SITES = ("a.example", "b.example")
CHANNELS = ("Alpha", "Beta")


@pytest.mark.parametrize(
    "state",
    [
        UiState(),
        UiState(sites=("b.example",), channels=("Alpha", "Beta"), preset="last_month"),
        UiState(preset="custom", start=date(2024, 2, 1), end=date(2024, 2, 29)),
        UiState(comparisons=("yoy_weekday",), granularity="week"),
        UiState(comparisons=()),
    ],
)
def test_query_round_trip(state):
    assert from_query(to_query(state), SITES, CHANNELS) == state


def test_defaults_make_a_short_link():
    assert to_query(UiState()) == {}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sites": "a.example,gone.example"}, UiState(sites=("a.example",))),
        ({"period": "fortnight"}, UiState()),
        ({"period": "custom", "start": "2026-03-05", "end": "2026-03-01"}, UiState()),
        ({"period": "custom", "start": "yesterday"}, UiState()),
        ({"compare": "yoy,yoy_weekday"}, UiState(comparisons=("yoy",))),
        ({"grain": "hour"}, UiState()),
    ],
)
def test_bad_links_fall_back_to_defaults(params, expected):
    assert from_query(params, SITES, CHANNELS) == expected


def test_period_of_a_state():
    period = UiState(preset="last_week").period(date(2026, 11, 26))
    assert (period.start, period.end) == (date(2026, 11, 16), date(2026, 11, 22))


def test_comparison_choice_messages():
    assert check_comparisons(("previous", "yoy")) is None
    assert check_comparisons(("yoy", "yoy_weekday")) == (
        "Choose one year-ago comparison: same dates or same weekday."
    )
    assert check_comparisons(("previous", "yoy", "week_ago")) == "Choose at most two comparisons."


def _sidebar_script():
    from datetime import date

    import streamlit as st

    from statsdash.config import load_config
    from statsdash.demo import DEMO_CONFIG
    from statsdash.ui.sidebar import render_sidebar

    chosen = render_sidebar(load_config(DEMO_CONFIG, check_files=False), date(2026, 11, 20))
    st.write(repr(chosen[0].period.start) if chosen else "incomplete")


def test_the_range_picker_stays_a_range_after_another_preset():
    """Streamlit drops a widget's state while it is not drawn: back on Custom, the picker
    must still be a range (a single-date picker could never complete one)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_sidebar_script, default_timeout=30)
    at.query_params.update({"period": "custom", "start": "2026-09-07", "end": "2026-09-13"})
    at.run()
    assert at.date_input(key="sd_range").value == (date(2026, 9, 7), date(2026, 9, 13))
    at.session_state["sd_preset"] = "last_month"  # AppTest cannot pick a formatted option
    at.run()
    assert at.markdown[-1].value == "datetime.date(2026, 10, 1)"
    at.session_state["sd_preset"] = "custom"
    at.run()
    assert at.date_input(key="sd_range").value == (date(2026, 10, 1), date(2026, 10, 31))
    assert at.markdown[-1].value == "datetime.date(2026, 10, 1)"


TODAY = date(2026, 11, 20)


class _Brand:
    def __init__(self, sites, channels):
        self.sites, self.channels = sites, channels


BRANDS = {"Brand A": _Brand(("a.example",), ("Alpha",)), "Brand B": _Brand(("b.example",), ())}


@pytest.mark.parametrize(
    ("params", "named", "shown"),
    [
        ({"sites": "a.example,gone.example"}, ["`sites`", "“gone\\.example”"], "a\\.example"),
        ({"channels": "Gamma"}, ["`channels`", "“Gamma”"], "all channel groups"),
        ({"brands": "Brand Z"}, ["`brands`", "“Brand Z”"], "all brands"),
        ({"period": "fortnight"}, ["`period`", "“fortnight”"], "Last full week"),
        ({"period": "custom", "start": "2026-3-5", "end": "2026-03-09"}, ["`start`", "2026"], ""),
        (
            {"period": "custom", "start": "2026-03-05", "end": "2026-03-01"},
            ["`start` and `end`", "2026-03-05 is after 2026-03-01"],
            "Last full week",
        ),
        (
            {"period": "custom", "start": "2026-11-01", "end": "2026-12-31"},
            ["`end`", "2026-12-31 is after today (2026-11-20)"],
            "ends today instead",
        ),
        (
            {"period": "custom", "start": "2020-01-01", "end": "2020-01-31"},
            ["`start`", "2020-01-01 is more than 5 years back"],
            "starts 2021-11-16 instead",
        ),
        ({"grain": "hour"}, ["`grain`", "“hour”"], "by day instead"),
        ({"compare": "previous,lastweek"}, ["`compare`", "“lastweek”"], "“previous”"),
        ({"compare": "yoy,yoy_weekday"}, ["`compare`", "yoy"], "same dates last year only"),
    ],
)
def test_a_bad_link_says_what_was_wrong_and_what_is_shown(params, named, shown):
    """Each bad parameter gives one line naming the parameter, its value and the stand-in."""
    _, problems = read_query(params, SITES, CHANNELS, TODAY, BRANDS)
    assert len(problems) == 1, problems
    for part in named:
        assert part in problems[0]
    assert shown in problems[0]


def test_an_out_of_range_link_is_kept_within_the_picker():
    state, _ = read_query(
        {"period": "custom", "start": "2026-11-01", "end": "2026-12-31"}, SITES, CHANNELS, TODAY
    )
    assert (state.start, state.end) == (date(2026, 11, 1), TODAY)
    state, _ = read_query(
        {"period": "custom", "start": "2019-01-01", "end": "2026-01-31"}, SITES, CHANNELS, TODAY
    )
    assert (state.start, state.end) == (date(2021, 11, 16), date(2026, 1, 31))


def test_a_good_link_has_no_problems_and_brands_pick_their_sites_and_channels():
    state, problems = read_query({"brands": "Brand B,Brand A"}, SITES, CHANNELS, TODAY, BRANDS)
    assert problems == []
    assert state.brands == ("Brand B", "Brand A")
    assert (state.sites, state.channels) == (("a.example", "b.example"), ("Alpha",))
    assert read_query(to_query(state), SITES, CHANNELS, TODAY, BRANDS) == (state, [])


def test_a_link_value_is_never_markdown():
    _, [problem] = read_query({"sites": "[x](http://evil.example) **b**"}, SITES, CHANNELS)
    assert "[x](http" not in problem and "**b**" not in problem

"""Shared links and the brand selector through AppTest, in demo mode: a bad parameter opens
the page with a warning naming it (never a traceback, never a silent fallback), and brands
select their sites and channel groups, checked against the emulator's raw facts."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from statsdash.config import load_config
from statsdash.demo import DEMO_CONFIG

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TODAY = date(2026, 11, 20)  # as tests/test_app_pages.py: the app's emulator is shared
OCTOBER = {"period": "custom", "start": "2026-10-01", "end": "2026-10-31"}


@pytest.fixture(scope="module", autouse=True)
def demo_env():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STATSDASH_DEMO", "1")
        patch.setenv("STATSDASH_TODAY", TODAY.isoformat())
        yield


def shown(markdown: str) -> str:
    """The text a reader sees in an element's Markdown: outside text arrives escaped (md())."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def open_app(query: dict, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def metric(at: AppTest, label: str) -> int:
    [value] = [m.value for m in at.metric if m.label == label]
    return int(value.replace(",", ""))


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"sites": "nosuch.example"}, ["`sites`", "nosuch"]),
        ({"channels": "No Such Group"}, ["`channels`", "No Such Group"]),
        ({"brands": "Nobody"}, ["`brands`", "Nobody"]),
        ({"period": "fortnight"}, ["`period`", "fortnight", "Last full week"]),
        ({"period": "custom", "start": "2026-13-01", "end": "2026-11-10"}, ["`start`"]),
        ({"period": "custom", "start": "2026-11-10", "end": "2026-11-01"}, ["`start` and `end`"]),
        # The two that were Streamlit tracebacks (the picker's max and min values):
        ({"period": "custom", "start": "2026-11-01", "end": "2026-12-24"}, ["`end`", "today"]),
        ({"period": "custom", "start": "2019-01-01", "end": "2019-01-31"}, ["`start`", "5 years"]),
        ({"grain": "fortnight"}, ["`grain`", "by day instead"]),
        ({"compare": "previous,decade"}, ["`compare`", "decade"]),
        ({"compare": "yoy,yoy_weekday"}, ["`compare`", "same dates last year only"]),
    ],
)
def test_a_bad_link_opens_the_page_with_a_warning_naming_it(query, named):
    at = open_app(query)
    assert at.title[0].value == "Demo Network"  # the page is there, not a traceback
    [warning] = [w.value for w in at.warning if "This link asked" in w.value]
    for part in named:
        assert part in warning, warning


def test_a_bad_link_on_a_page_of_its_own():
    at = open_app(
        {"period": "custom", "start": "2026-11-01", "end": "2027-01-01"}, "pages/web_summary.py"
    )
    assert at.title[0].value == "Web summary"
    assert any("`end`" in w.value for w in at.warning)
    assert at.date_input(key="sd_range").value == (date(2026, 11, 1), TODAY)


def test_a_good_link_has_no_warning():
    at = open_app(OCTOBER | {"compare": "previous", "grain": "week"})
    assert not [w.value for w in at.warning]


@pytest.fixture(scope="module")
def raw(network):
    config = load_config(DEMO_CONFIG, check_files=False)
    ga, yt = config.google_analytics, config.youtube

    def pageviews(sites) -> int:
        ids = [p.id for s in sites for p in ga.sites[s].properties]
        return int(
            sum(
                network.ga_facts(i, date(2026, 10, 1), date(2026, 10, 31))["screenPageViews"].sum()
                for i in ids
            )
        )

    def views(groups) -> int:
        ids = [c for g in groups for c in yt.channels[g].ids]
        return int(network.yt_facts(ids, date(2026, 10, 1), date(2026, 10, 31))["views"].sum())

    return config, pageviews, views


def test_brands_select_their_sites_and_channel_groups(raw):
    config, pageviews, views = raw
    at = open_app(OCTOBER | {"brands": "Pixel Post,Quill and Ink"})
    assert at.multiselect(key="sd_brands").value == ["Pixel Post", "Quill and Ink"]
    assert at.multiselect(key="sd_sites").value == [
        "pixelpost.net",
        "retrorig.com",
        "quillandink.org",
    ]
    assert at.multiselect(key="sd_channels").value == ["Pixel Post", "Quill and Ink"]
    assert metric(at, "Pageviews") == pageviews(
        ["pixelpost.net", "retrorig.com", "quillandink.org"]
    )
    assert metric(at, "Views") == views(["Pixel Post", "Quill and Ink"])
    assert "Pixel Post, Quill and Ink (2 brands)" in shown(at.caption[0].value)


def _sidebar_script():
    from datetime import date

    import streamlit as st

    from statsdash.config import load_config
    from statsdash.demo import DEMO_CONFIG
    from statsdash.ui.sidebar import render_sidebar

    chosen = render_sidebar(load_config(DEMO_CONFIG, check_files=False), date(2026, 11, 20))
    st.write(repr((chosen[0].sites, chosen[0].channels)) if chosen else "incomplete")


def test_picking_a_brand_in_the_sidebar_picks_its_sites_and_channels():
    """The sidebar alone (AppTest loses a widget's change in app.py's page hand-over)."""
    at = AppTest.from_function(_sidebar_script, default_timeout=30)
    at.run()
    at.multiselect(key="sd_brands").select("Gear Haven").run()
    assert at.multiselect(key="sd_sites").value == ["gearhaven.co.uk"]
    assert at.multiselect(key="sd_channels").value == ["Gear Haven"]
    assert at.markdown[-1].value == "(('gearhaven.co.uk',), ('Gear Haven',))"
    assert at.query_params["brands"] == "Gear Haven"
    at.multiselect(key="sd_brands").select("Pixel Post").run()
    assert at.multiselect(key="sd_sites").value == [
        "pixelpost.net",
        "retrorig.com",
        "gearhaven.co.uk",
    ]
    at.multiselect(key="sd_brands").unselect("Gear Haven").unselect("Pixel Post").run()
    assert at.markdown[-1].value == "((), ())"  # no brand: everything again


def test_choosing_both_year_ago_kinds_is_explained_and_one_is_shown():
    at = AppTest.from_function(_sidebar_script, default_timeout=30)
    at.run()
    at.multiselect(key="sd_compare").unselect("previous").select("yoy_weekday").run()
    [warning] = [w.value for w in at.warning]
    assert "same dates last year only" in warning
    assert at.markdown[-1].value != "incomplete"


def test_picking_the_first_date_keeps_the_page():
    at = AppTest.from_function(_sidebar_script, default_timeout=30)
    at.query_params.update(OCTOBER)
    at.run()
    at.date_input(key="sd_range").set_value((date(2026, 9, 7),)).run()
    assert at.markdown[-1].value != "incomplete"  # the page still shows October
    assert "Pick the last day" in at.info[0].value


def test_sites_alone_say_youtube_covers_all_channel_groups(raw):
    config, pageviews, views = raw
    at = open_app(OCTOBER | {"sites": "retrorig.com"})
    assert metric(at, "Pageviews") == pageviews(["retrorig.com"])
    assert metric(at, "Views") == views(list(config.youtube.channels))
    assert "Web: retrorig.com · YouTube: all channel groups" in shown(at.caption[0].value)
    headings = " ".join(shown(m.value) for m in at.markdown)
    assert "YouTube · all channel groups" in headings
    at = open_app(OCTOBER | {"sites": "retrorig.com"}, "pages/youtube_channels.py")
    assert "YouTube: all channel groups" in shown(at.caption[0].value)
    assert "retrorig" not in shown(at.caption[0].value)

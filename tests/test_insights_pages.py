"""The Insights page, the Overview's unusual days and the flags on the daily charts in demo
mode through AppTest, seen on 1 Dec 2026: last week holds the demo network's events."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
pytestmark = pytest.mark.slow  # a week of every report, through the app


@pytest.fixture(scope="module", autouse=True)
def demo_on_event_week():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STATSDASH_DEMO", "1")
        patch.setenv("STATSDASH_TODAY", "2026-12-01")
        yield


def open_page(page: str | None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_overview_lists_the_unusual_days():
    at = open_page(None)
    lines = [t.value for t in at.text]
    assert any(line.startswith("Tue 24 Nov · pixelpost.net pageviews ") for line in lines)
    # A tracking break's line says which property went silent (the whole story on hover),
    # and never puts "expected a–b" around a total inside that range.
    breaks = [t for t in at.text if "property 298451007 sent no data" in t.value]
    assert breaks and all(len(t.value) <= 110 for t in at.text)  # one line at 1280 px
    assert all("likely a tracking break" in (t.proto.help or "") for t in breaks)
    assert any(t.value.endswith("within the expected range") for t in breaks)
    for line in lines:
        if found := re.search(r" ([\d,]+) \(expected ([\d,]+)–([\d,]+)\)", line):
            value, low, high = (int(g.replace(",", "")) for g in found.groups())
            assert not low <= value <= high, line
    assert len(lines) <= 5
    assert any("more on the Insights page" in c.value for c in at.caption)


def test_insights_page_explains_the_week():
    at = open_page("pages/insights.py")
    lines = [t.value for t in at.text]
    assert any(line.startswith("Pageviews +") and "pixelpost.net +" in line for line in lines)
    assert any("“‘Indie’ explained in five minutes”" in line for line in lines)  # not “"…"”
    assert not any("SUGGESTED" in line or re.search(r"−0(\.0+)?(?![.\d])", line) for line in lines)
    rate = next(line for line in lines if line.startswith("Engagement rate "))
    assert re.match(r"Engagement rate \d+\.\d% vs \d+\.\d% .* \([+−]?\d+\.\d pp\)", rate)
    pageviews = next(line for line in lines if line.startswith("Pageviews "))
    assert ". By site: " in pageviews and ". By source: " in pageviews
    assert any(line.startswith("Wed 25 Nov · Coastline Chronicle views ") for line in lines)
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert any(s.get("mark", {}).get("type") == "bar" and "y2" in s["encoding"] for s in specs)


def test_insights_on_the_1st_say_no_complete_day_yet():
    at = open_page("pages/insights.py", period="month_to_date")
    # Month to date on 1 Dec: GA4 is complete through 29 Nov and YouTube through 28 Nov (the
    # emulator's lag, see test_like_for_like), so neither has a day of December yet.
    infos = [i.value for i in at.info]
    assert "Web: no complete day yet — Web's latest complete day is Sun 29 Nov" in infos
    assert "YouTube: no complete day yet — YouTube's latest complete day is Sat 28 Nov" in infos
    assert not [t.value for t in at.text if "−100.0%" in t.value]
    assert not at.get("vega_lite_chart") and not at.dataframe  # no waterfall, no fallers
    captions = [c.value for c in at.caption]
    assert "No day of the period is complete yet, so none is judged." in captions


def test_daily_chart_rings_the_flagged_days():
    at = open_page("pages/web_summary.py")
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    rings = [
        layer for spec in specs for layer in layers(spec) if layer["mark"].get("filled") is False
    ]
    assert rings, "no anomaly marks on the daily chart"
    tooltips = [t["title"] for t in rings[0]["encoding"]["tooltip"]]
    assert "Expected" in tooltips
    assert any(c.value.startswith("Rings mark unusual days") for c in at.caption)  # the key


def layers(spec: dict) -> list[dict]:
    """Every single-mark layer of a (possibly nested) layered Vega-Lite spec."""
    if "layer" in spec:
        return [inner for layer in spec["layer"] for inner in layers(layer)]
    return [spec] if isinstance(spec.get("mark"), dict) else []

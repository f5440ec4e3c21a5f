"""Every page in demo mode through AppTest: no exception, headline numbers equal to the
emulator's raw facts summed with plain pandas, and every download byte-equal to the report
export for the same selection (built independently, against the session's own emulator)."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from statsdash.config import CacheConfig, load_config
from statsdash.demo import DEMO_CONFIG
from statsdash.emulator.process import control
from statsdash.periods import Period, day_text
from statsdash.reports import REPORT_NAMES, Selection, build_report
from statsdash.ui.format import signed_pct
from statsdash.utilities import to_csv

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TODAY = date(2026, 11, 20)  # the app's pinned day; the session emulator's too (conftest)
START, END = date(2026, 10, 1), date(2026, 10, 31)
PREV_START, PREV_END = date(2026, 8, 31), date(2026, 9, 30)
VIEWS_NOTE = "YouTube changed how views are counted on 27 Aug 2026"
QUERY = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}


def shown(markdown: str) -> str:
    """The text a reader sees in an element's Markdown: outside text arrives escaped (md())."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


# Each page and the report downloads it must offer.
PAGES = {
    "pages/overview.py": {"daily", "brands", "ga-countries", "yt-countries"},
    "pages/web_summary.py": {"ga-summary", "ga-sites"},
    "pages/web_content.py": {"ga-articles"},
    "pages/web_acquisition.py": {"ga-traffic", "ga-referrals", "ga-social"},
    "pages/web_audience.py": {"ga-devices", "ga-countries"},
    "pages/youtube_channels.py": {"yt-channels", "yt-stats", "yt-formats", "yt-revenue"},
    "pages/youtube_videos.py": {"yt-videos"},
    "pages/youtube_audience.py": {"yt-countries", "yt-traffic"},
    "pages/realtime.py": set(),
    "pages/data_status.py": set(),
    "pages/insights.py": {"drivers", "anomalies"},
}


def click_every_download(patch: pytest.MonkeyPatch) -> None:
    """Each download button is clicked as it is drawn: its CSV is written on a click only
    (a deferred callable), and the click stores the file the way a browser's would."""
    register = MediaFileManager.add_deferred

    def clicked(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = register(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        self.execute_deferred(file_id)
        return file_id

    patch.setattr(MediaFileManager, "add_deferred", clicked)


@pytest.fixture(scope="module")
def downloads():
    """File name -> text of every download button the last run drew."""
    captured: dict[str, str] = {}

    class Recording(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
            if filename:
                data = path_or_data
                captured[filename] = data.decode() if isinstance(data, bytes) else data
            return super().load_and_get_id(path_or_data, mimetype, kind, filename)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
        click_every_download(patch)
        patch.setenv("STATSDASH_DEMO", "1")  # a developer's config.yaml must not leak in
        patch.setenv("STATSDASH_TODAY", TODAY.isoformat())
        yield captured


def open_page(
    page: str, downloads: dict, query: dict | None = None, state: dict | None = None
) -> AppTest:
    """The page as a fresh session opens it (`state`: sidebar widgets set beforehand)."""
    downloads.clear()
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(query if query is not None else QUERY)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()  # through app.py first: st.navigation registers the pages
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture(scope="module")
def demo_config():
    return load_config(DEMO_CONFIG, check_files=False)


@pytest.fixture(scope="module")
def facts(network, demo_config):
    """Raw GA and YouTube facts of the whole demo configuration for a period."""
    assert network.today == TODAY
    sites = demo_config.google_analytics.sites.values()
    site_of = {p.id: s.name for s in sites for p in s.properties}
    yt_ids = [c for g in demo_config.youtube.channels.values() for c in g.ids]
    group_of = {c: g.name for g in demo_config.youtube.channels.values() for c in g.ids}

    def web(start: date, end: date) -> pd.DataFrame:
        parts = [network.ga_facts(pid, start, end).assign(site=site_of[pid]) for pid in site_of]
        return pd.concat(parts, ignore_index=True)

    def youtube(start: date, end: date) -> pd.DataFrame:
        frame = network.yt_facts(yt_ids, start, end)
        return frame.assign(group=frame["channel"].map(group_of))

    return web, youtube


@pytest.fixture(scope="module")
def expected_csv(emulator, demo_config):
    """Report name -> the CSV `python -m statsdash export` writes, built against the session
    emulator (not the app's), for the app's selection."""
    config = dataclasses.replace(
        demo_config.with_endpoint(emulator.url), cache=CacheConfig(enabled=False)
    )
    selection = Selection(config, Period("Custom", START, END), ("previous", "yoy"), today=TODAY)
    built: dict[str, str] = {}

    def get(name: str) -> str:
        if name not in built:
            built[name] = to_csv(build_report(name, selection).table)
        return built[name]

    return get


def metric(at: AppTest, label: str) -> int:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no KPI {label!r}; have {[m.label for m in at.metric]}"
    return int(found[0].replace(",", ""))


def kpi_cards(at: AppTest) -> dict[str, str]:
    """KPI label -> the Markdown under it (change lines and badge)."""
    texts = [m.value for m in at.markdown if "vs prev" in m.value]
    return {m.label: text for m, text in zip(at.metric, texts, strict=False)}


def tables(at: AppTest) -> list[pd.DataFrame]:
    """The tables on the page by their raw column names (a compared table's columns come
    as (group, name): a metric's changes sit under its name)."""
    frames = [d.value for d in at.dataframe]
    return [f.droplevel(0, axis=1) if isinstance(f.columns, pd.MultiIndex) else f for f in frames]


def check_downloads(page: str, downloads: dict, expected_csv) -> None:
    reports = {name.split("_")[0]: name for name in downloads}
    assert PAGES[page] <= set(reports), f"{page} lacks downloads {PAGES[page] - set(reports)}"
    for report, file_name in reports.items():
        if report not in REPORT_NAMES:
            continue  # a service's extra table (month to date, availability): no CLI twin
        assert file_name == f"{report}_{START}_{END}.csv"
        assert downloads[file_name] == expected_csv(report), f"{page}: {report} differs"


@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_and_downloads_equal_the_export(page, downloads, expected_csv):
    at = open_page(page, downloads)
    if page == "pages/overview.py":  # October is final: nothing drawn dashed
        dashes = [d for c in at.get("vega_lite_chart") for d in stroke_dashes(c.proto.spec)]
        assert dashes and not any(d.get("legend") for d in dashes)
    assert not at.error, [e.value for e in at.error]
    assert not at.warning, [w.value for w in at.warning]  # nothing failed in the demo
    check_downloads(page, downloads, expected_csv)


def test_overview_headlines_equal_the_raw_facts(downloads, facts):
    web, youtube = facts
    at = open_page("pages/overview.py", downloads)
    now, before = web(START, END), web(PREV_START, PREV_END)
    assert metric(at, "Pageviews") == now["screenPageViews"].sum()
    assert metric(at, "Users (sum of properties)") == now["totalUsers"].sum()
    assert metric(at, "Sessions") == now["sessions"].sum()
    tube = youtube(START, END)
    assert metric(at, "Views") == tube["views"].sum()
    assert metric(at, "Watch minutes") == tube["estimatedMinutesWatched"].sum()
    net = tube["subscribersGained"].sum() - tube["subscribersLost"].sum()
    assert metric(at, "Net subscribers") == net
    # The first card's change line: pageviews against the previous 31 days.
    change = 100 * (now["screenPageViews"].sum() / before["screenPageViews"].sum() - 1)
    lines = [m.value for m in at.markdown if "vs prev" in m.value]
    assert signed_pct(change) in lines[0]
    # The brands read by their first figure, largest first (Pixel Post sat above Gear Haven).
    (brands,) = [t for t in tables(at) if "brand" in t.columns]
    shown = brands["web_pageviews"]
    assert shown.dropna().is_monotonic_decreasing and shown.dropna().nunique() > 1
    assert shown.isna().tolist() == sorted(shown.isna().tolist())  # a brand without web last


def test_web_summary_sites_equal_the_raw_facts(downloads, facts):
    web, _ = facts
    at = open_page("pages/web_summary.py", downloads)
    now = web(START, END)
    assert metric(at, "Pageviews") == now["screenPageViews"].sum()
    sites = next(t for t in tables(at) if "site" in t.columns)
    by_site = now.groupby("site")["screenPageViews"].sum()
    assert sites.set_index("site")["pageviews"].to_dict() == by_site.to_dict()
    # On screen by pageviews, the first figure shown (the CSV keeps DESIGN.md's by-users).
    assert list(sites["site"]) == list(by_site.sort_values(ascending=False).index)
    by_users = now.groupby("site")["totalUsers"].sum().sort_values(ascending=False)
    assert list(by_users.index) != list(by_site.sort_values(ascending=False).index)


def test_youtube_channels_equal_the_raw_facts(downloads, facts):
    _, youtube = facts
    at = open_page("pages/youtube_channels.py", downloads)
    tube = youtube(START, END)
    assert metric(at, "Views") == tube["views"].sum()
    groups = next(t for t in tables(at) if "subscribers" in t.columns)
    by_group = tube.groupby("group")["estimatedMinutesWatched"].sum()
    assert groups.set_index("channel")["watch_minutes"].to_dict() == by_group.to_dict()


def test_cli_export_is_the_same_bytes_as_the_download(downloads):
    """One report through the real CLI (its own emulator, real today: October is final)."""
    open_page("pages/web_summary.py", downloads)
    result = subprocess.run(
        [sys.executable, "-m", "statsdash", "export", "ga-sites", "--demo"]
        + ["--start", START.isoformat(), "--end", END.isoformat(), "--compare", "previous,yoy"],
        capture_output=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode("utf-8") == downloads[f"ga-sites_{START}_{END}.csv"]


def _wait_until_quiet(url: str, seconds: float = 1.0, most: float = 60.0) -> None:
    """Until the emulator has answered no request for `seconds` (at most `most` seconds)."""
    last, since, started = None, time.monotonic(), time.monotonic()
    while time.monotonic() - started < most:
        total = control(url, "requests")["total"]
        if total != last:
            last, since = total, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return
        time.sleep(0.1)


def _app_emulator_url() -> str:
    from statsdash.ui.session import load_app_config

    return load_app_config().emulator_url


def test_a_failing_property_is_named_and_totals_are_marked_incomplete(downloads):
    open_page("pages/overview.py", downloads)  # the app's emulator is running now
    url = _app_emulator_url()
    fault = {"kind": "quota_day", "endpoint": "*", "match": "properties/298451007", "times": 50}
    request = urllib.request.Request(
        f"{url}/_emulator/faults",
        data=json.dumps({"faults": [fault]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=10).close()
    try:
        september = {"period": "custom", "start": "2026-09-01", "end": "2026-09-30"}
        at = open_page("pages/overview.py", downloads, september)
    finally:
        reset = urllib.request.Request(f"{url}/_emulator/reset", data=b"", method="POST")
        urllib.request.urlopen(reset, timeout=10).close()
    warnings = " ".join(shown(w.value) for w in at.warning)
    assert "gearhaven.co.uk (property 298451007)" in warnings
    # Remembered for a while, and the page says when it is asked again (issue 9, section 1).
    retry = " ".join(shown(c.value) for c in at.caption)
    assert re.search(r"Retrying gearhaven\.co\.uk \(property 298451007\) in [12]:\d\d", retry)
    # A download of a table that misses the property says so in its name and its rows.
    incomplete = downloads["ga-countries_2026-09-01_2026-09-30_incomplete.csv"]
    table = pd.read_csv(io.StringIO(incomplete))
    assert len(table) and not table["complete"].any()
    assert "yt-countries_2026-09-01_2026-09-30.csv" in downloads  # YouTube answered
    cards = kpi_cards(at)
    assert "Incomplete" in cards["Pageviews"]
    assert ":gray[" in cards["Pageviews"]  # the change is greyed, never a plain drop
    assert "Incomplete" not in cards["Views"]  # YouTube was not hit: its totals stay plain


def test_recent_days_are_compared_like_for_like(downloads, facts):
    """Last 7 days on the pinned today: GA4 is complete through today - 2, YouTube - 3; the
    figures cover those days (and say so), the charts still draw every day, dashed."""
    at = open_page("pages/overview.py", downloads, {"period": "last_7_days"})
    text = " ".join(c.value for c in at.caption)
    start = TODAY - timedelta(days=7)
    web_through = TODAY - timedelta(days=2)
    yt_through = TODAY - timedelta(days=3)
    assert f"Web data is complete through **{day_text(web_through)}**" in text
    assert f"YouTube reports data through **{day_text(yt_through)}**" in text
    assert (
        f"Web: 6 of 7 days (through {day_text(web_through)}), compared with the same 6 days"
    ) in text
    assert (
        f"YouTube: 5 of 7 days (through {day_text(yt_through)}), compared with the same 5 days"
    ) in text
    web, youtube = facts
    assert metric(at, "Pageviews") == web(start, web_through)["screenPageViews"].sum()
    assert metric(at, "Views") == youtube(start, yt_through)["views"].sum()
    dashes = [d for chart in at.get("vega_lite_chart") for d in stroke_dashes(chart.proto.spec)]
    assert any(d.get("legend") for d in dashes)  # the legend names dashed days only when shown
    cards = kpi_cards(at)
    assert "Provisional" not in cards["Pageviews"] and "Provisional" not in cards["Views"]
    assert at.toggle(key="sd_fair").value  # the sidebar switch, on by default


def test_complete_days_only_off_shows_whole_periods(downloads, facts):
    """The sidebar switch off: the same Last 7 days sum every day in so far, compared with
    the whole previous 7 days (raw facts), marked provisional, not cut like for like."""
    # The switch is set before the first run: AppTest runs this app twice per run(), and a
    # value set on the tree after the first is dropped in between (a real browser keeps it).
    at = open_page("pages/overview.py", downloads, {"period": "last_7_days"}, {"sd_fair": False})
    assert not at.toggle(key="sd_fair").value
    start, end = TODAY - timedelta(days=7), TODAY - timedelta(days=1)
    before = (start - timedelta(days=7), start - timedelta(days=1))
    web, youtube = facts
    pageviews = web(start, end)["screenPageViews"].sum()
    assert metric(at, "Pageviews") == pageviews
    assert pageviews > web(start, TODAY - timedelta(days=2))["screenPageViews"].sum()
    assert metric(at, "Views") == youtube(start, end)["views"].sum()
    change = 100 * (pageviews / web(*before)["screenPageViews"].sum() - 1)
    cards = kpi_cards(at)
    assert signed_pct(change) in cards["Pageviews"] and "Provisional" in cards["Pageviews"]
    text = " ".join(c.value for c in at.caption)
    assert "of 7 days" not in text  # no like-for-like line: the periods are whole


@pytest.mark.parametrize(
    ("page", "line"),
    [
        ("pages/web_content.py", "Web: 6 of 7 days (through {web})"),
        ("pages/youtube_audience.py", "YouTube: 5 of 7 days (through {yt})"),
    ],
)
def test_every_table_says_which_days_it_compares(downloads, page, line):
    """Not only the KPI cards: a table on any page says which days its figures cover."""
    at = open_page(page, downloads, {"period": "last_7_days"})
    expected = line.format(
        web=day_text(TODAY - timedelta(days=2)), yt=day_text(TODAY - timedelta(days=3))
    )
    captions = [c.value for c in at.caption if expected in c.value]
    assert captions, [c.value for c in at.caption]
    # Each table's CSV carries the compared days last (the daily series has every day).
    tables = {name: text for name, text in downloads.items() if not name.startswith("daily")}
    assert tables
    for text in tables.values():
        header = text.splitlines()[0].split(",")
        assert header[-1].endswith("complete_through"), header  # brands: yt_complete_through
        assert "days_compared" in header[-2] or "days_compared" in header[-4], header


def test_youtube_countries_say_all_n_when_fewer_than_the_top_twenty(downloads, facts):
    # The demo's channels are watched in fewer than 20 countries: "Top 20" over those rows
    # read as if some were missing.
    _, youtube = facts
    watched = youtube(START, END).groupby("country")["estimatedMinutesWatched"].sum()
    count = int((watched > 0).sum())
    assert 0 < count < 20
    at = open_page("pages/youtube_audience.py", downloads)
    captions = [c.value for c in at.caption]
    assert f"All {count} countries, by watch minutes." in captions, captions
    assert f"Share of the watch minutes of all {count} countries." in captions, captions
    assert not any("top 20" in c.lower() for c in captions), captions


def test_yesterday_says_no_complete_day_yet_instead_of_a_drop(downloads):
    at = open_page("pages/overview.py", downloads, {"period": "yesterday"})
    infos = [i.value for i in at.info]
    web_latest, yt_latest = TODAY - timedelta(days=2), TODAY - timedelta(days=3)
    assert (
        f"Web: no complete day yet — Web's latest complete day is {day_text(web_latest)}" in infos
    )
    assert (
        f"YouTube: no complete day yet — YouTube's latest complete day is {day_text(yt_latest)}"
    ) in infos
    assert not [m for m in at.metric if m.label in ("Pageviews", "Views")]  # no zero cards
    assert "−100" not in " ".join(m.value for m in at.markdown)


def stroke_dashes(spec: str) -> list[dict]:
    """Every strokeDash encoding in a Vega-Lite spec."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("strokeDash"), dict):
                found.append(node["strokeDash"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(spec))
    return found


def emulator_requests() -> int:
    with urllib.request.urlopen(f"{_app_emulator_url()}/_emulator/requests", timeout=10) as r:
        return json.loads(r.read())["total"]


def test_refresh_fetches_again_and_a_rerun_does_not(downloads):
    at = open_page("pages/overview.py", downloads)
    before = emulator_requests()
    at.run()
    assert emulator_requests() == before  # tables come from the caches
    # What the sidebar's Refresh button sets. (AppTest reruns a page script by itself, which
    # hands over to app.py, and a button's click does not survive that hand-over; the
    # browser test clicks the real button.)
    at.session_state["sd_refresh"] = True
    at.run()
    assert not at.exception
    assert emulator_requests() > before


@pytest.mark.parametrize("grain", ["week", "month"])
def test_chart_granularity_from_the_link(downloads, grain):
    at = open_page("pages/overview.py", downloads, QUERY | {"grain": grain})
    assert at.session_state["granularity"] == grain


def test_a_chosen_site_restricts_the_totals(downloads, facts):
    web, _ = facts
    at = open_page("pages/overview.py", downloads, QUERY | {"sites": "pixelpost.net"})
    now = web(START, END)
    assert (
        metric(at, "Pageviews") == now.loc[now["site"] == "pixelpost.net", "screenPageViews"].sum()
    )
    assert "pixelpost.net" in shown(at.caption[0].value)


def test_every_page_copes_with_a_period_without_data(downloads):
    """June 2022 is before the demo network's first day: empty tables, not errors."""
    before_data = {"period": "custom", "start": "2022-06-01", "end": "2022-06-30"}
    for page in PAGES:
        at = open_page(page, downloads, before_data)
        assert not at.error, (page, [e.value for e in at.error])
        shown = [m.value for m in at.metric]
        assert not [v for v in shown if "nan" in v.lower()], (page, shown)  # empty, not "nan"


def test_data_status_shows_the_quota_ga_reported(downloads):
    """The quota column is the one the app's emulator last reported for each property: a
    probe request afterwards finds exactly the probe's own cost gone since."""
    week = {"period": "custom", "start": "2026-09-07", "end": "2026-09-13"}
    # Earlier tests' pages may still have rounds out on the app's emulator (a prefetch the
    # page did not wait for): each spends the property's tokens after the page has shown them.
    _wait_until_quiet(_app_emulator_url())
    at = open_page("pages/data_status.py", downloads, week)
    [grid] = [d for d in at.dataframe if "tokens_per_day_remaining" in d.value.columns]
    table = grid.value
    shown = table.set_index("property")["tokens_per_day_remaining"]
    assert shown.notna().all() and (shown < 200_000).all()
    assert table["as_of"].str.fullmatch(r"\d\d:\d\d:\d\d").all(), table["as_of"]
    zone = datetime.now().astimezone().tzname()
    assert json.loads(grid.proto.columns)["as_of"]["label"] == f"Quota as of ({zone})"
    pid = shown.index[0]
    body = {
        "dateRanges": [{"startDate": "2026-09-07", "endDate": "2026-09-07"}],
        "metrics": [{"name": "sessions"}],
        "returnPropertyQuota": True,
    }
    probe = urllib.request.Request(
        f"{_app_emulator_url()}/v1beta/properties/{pid}:runReport",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(probe, timeout=10) as answer:
        day = json.loads(answer.read())["propertyQuota"]["tokensPerDay"]
    assert shown[pid] == day["remaining"] + day["consumed"]
    boxes = " ".join(m.value for m in at.markdown)
    lowest = f"{shown.min():,} tokens a day"
    assert f"Quota left, lowest property: {lowest}" in boxes  # readable, with separators
    assert "Quota left: not reported in YouTube's answers" in boxes
    assert any("tokens" in c.value and "200,000 a day" in c.value for c in at.caption)


def test_data_status_says_how_fresh_the_data_is_now_whatever_the_period(downloads, network):
    """An old period is wholly in, and "complete through" is still today's latest whole day."""
    old = {"period": "custom", "start": "2026-09-07", "end": "2026-09-13"}
    at = open_page("pages/data_status.py", downloads, old)
    # (The quota table below names properties too: availability is the one with days.)
    [ga] = [d.value for d in at.dataframe if {"property", "complete_through"} <= set(d.value)]
    [yt] = [d.value for d in at.dataframe if "channel" in d.value.columns]
    for row in ga.itertuples():
        expected = network.ga_available_through(row.property)  # the raw facts' last full day
        assert pd.Timestamp(row.complete_through) == pd.Timestamp(expected)
        assert row.complete
    for row in yt.itertuples():
        assert pd.Timestamp(row.complete_through) == pd.Timestamp(
            network.yt_available_through(row.channel)
        )
        assert row.complete


@pytest.mark.parametrize(
    ("compare", "first"), [("previous,yoy", "Engaged views"), ("previous", "Views")]
)
def test_youtube_channels_page_leads_with_engaged_views_across_a_change(
    downloads, facts, compare, first
):
    _, youtube = facts
    at = open_page("pages/youtube_channels.py", downloads, {**QUERY, "compare": compare})
    labels = [m.label for m in at.metric]
    assert labels[:2] == [first, "Engaged views" if first == "Views" else "Views"]
    tube = youtube(START, END)
    assert metric(at, "Engaged views") == tube["engagedViews"].sum()
    assert metric(at, "Views") == tube["views"].sum()
    notes = [c.value for c in at.caption if c.value.startswith(VIEWS_NOTE)]
    assert bool(notes) == (first == "Engaged views")


def test_web_summary_shows_engagement_and_key_events_from_the_raw_facts(downloads, facts):
    web, _ = facts
    at = open_page("pages/web_summary.py", downloads)
    rows = web(START, END)
    assert metric(at, "Engaged sessions") == rows["engagedSessions"].sum()
    gear = rows["site"] == "gearhaven.co.uk"  # the demo config counts two events there
    listed = rows["keyEvents:newsletter_signup"] + rows["keyEvents:purchase"]
    assert metric(at, "Key events") == listed.where(gear, rows["keyEvents"]).sum()
    rate = rows["engagedSessions"].sum() / rows["sessions"].sum()
    shown = next(m.value for m in at.metric if m.label == "Engagement rate")
    assert shown == f"{100 * rate:.1f}%"
    split = next(c.value for c in at.caption if "active users" in c.value)
    assert f"{rows['activeUsers'].sum():,}" in split and f"{rows['newUsers'].sum():,}" in split
    assert f"{rows['totalUsers'].sum():,}" in split


def test_realtime_page_shows_the_network_now_and_refreshes_itself(downloads, network):
    from datetime import UTC, datetime

    now = datetime(2026, 11, 20, 14, 7, tzinfo=UTC)
    # The app's demo emulator (a process of its own) serves the same network, at this now.
    control(_app_emulator_url(), "clock", {"now": now.isoformat()})
    try:
        at = open_page("pages/realtime.py", downloads)
    finally:
        control(_app_emulator_url(), "clock", {"now": None})
    facts = [network.ga_realtime_facts(p, now) for p in network.ga_properties]
    assert metric(at, "Active users, network") == sum(f["activeUsers"].sum() for f in facts)
    assert any(c.value.startswith("Fetched ") for c in at.caption)
    source = (ROOT / "pages" / "realtime.py").read_text()
    assert "@st.fragment(run_every=60)" in source  # AppTest does not advance the clock


def test_web_summary_without_a_complete_day_draws_no_empty_cards(downloads):
    """Yesterday (GA4 is complete through today - 2): one line says so; no second row of
    cards without figures, no caption of zero users. Month to date stops at that day."""
    at = open_page("pages/web_summary.py", downloads, {"period": "yesterday"})
    web_latest = TODAY - timedelta(days=2)
    infos = [i.value for i in at.info]
    assert (
        f"Web: no complete day yet — Web's latest complete day is {day_text(web_latest)}" in infos
    )
    assert not [m.label for m in at.metric], [m.label for m in at.metric]
    captions = " ".join(shown(c.value) for c in at.caption)
    assert "Users are GA4 total users" not in captions
    assert "no data then" not in " ".join(m.value for m in at.markdown)
    assert (
        f"{TODAY:%B %Y} through {day_text(web_latest)}: {web_latest.day} complete days so far "
        f"({day_text(TODAY - timedelta(days=1))} still arriving, left out)"
    ) in captions


@pytest.mark.parametrize(
    ("page", "services"),
    [("pages/overview.py", ("Web", "YouTube")), ("pages/youtube_channels.py", ("YouTube",))],
)
def test_no_complete_day_draws_no_empty_charts_or_downloads_and_says_so_once(
    downloads, page, services
):
    """Yesterday (GA4 is complete through today - 2, YouTube through today - 3): no axes
    without marks, no CSV of empty rows; each service's no-complete-day line once a page."""
    at = open_page(page, downloads, {"period": "yesterday"})
    assert not at.get("vega_lite_chart"), page
    assert not downloads, sorted(downloads)
    latest = {"Web": TODAY - timedelta(days=2), "YouTube": TODAY - timedelta(days=3)}
    infos = [i.value for i in at.info]
    for service in services:
        line = (
            f"{service}: no complete day yet — {service}'s latest complete day is "
            f"{day_text(latest[service])}"
        )
        assert infos.count(line) == 1, infos
    texts = [i.value for i in at.info] + [c.value for c in at.caption]
    assert sum("no complete day yet" in t for t in texts) == len(services), texts
    assert [c.value for c in at.caption if "Nothing to show until" in c.value]


@pytest.mark.parametrize(
    ("page", "line"),
    [
        ("pages/youtube_channels.py", "YouTube: 5 of 7 days (through {yt})"),
        ("pages/youtube_audience.py", "YouTube: 5 of 7 days (through {yt})"),
        ("pages/web_summary.py", "Web: 6 of 7 days (through {web})"),
    ],
)
def test_which_days_are_compared_is_said_once_a_page(downloads, page, line):
    """Last 7 days (GA4 complete through today - 2, YouTube - 3): the line is said by the
    first KPIs or table, not again under every table of the same service."""
    at = open_page(page, downloads, {"period": "last_7_days"})
    expected = line.format(
        web=day_text(TODAY - timedelta(days=2)), yt=day_text(TODAY - timedelta(days=3))
    )
    said = [c.value for c in at.caption if expected in c.value]
    assert len(said) == 1, said
    assert len([t for t in downloads if not t.startswith("ga-month")]) >= 2  # several tables

"""The web report as a whole against the emulator: HTTP calls per property, partial failure,
data availability, the tables beyond the CSV contract, and the CLI export. Expected
numbers come from the network's raw facts with plain pandas."""

from __future__ import annotations

import dataclasses
import io
import threading
from collections import Counter
from datetime import date, timedelta

import pandas as pd
import pytest

from statsdash.cache import ResponseCache
from statsdash.cli import main
from statsdash.config import CacheConfig, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.errors import AuthError
from statsdash.ga.aggregate_data import AnalyticsData
from statsdash.ga.analytics import Analytics
from statsdash.periods import Period
from statsdash.reports import GA_REPORTS as REPORT_METHODS
from statsdash.utilities import comparison_columns

TODAY = date(2026, 11, 20)
OCT = Period("October", date(2026, 10, 1), date(2026, 10, 31))
RECENT = Period("recent", date(2026, 11, 10), date(2026, 11, 19))
PIXELPOST = "pixelpost.net (property 311204581)"
GA_CALLS = ("ga.runReport", "ga.batchRunReports")


@pytest.fixture(scope="module")
def config(emulator):
    config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(config, cache=CacheConfig(enabled=False))


@pytest.fixture
def make_data(config):
    """AnalyticsData on the emulator's day, retrying without waiting."""

    def make(sites=(), period=OCT, comparisons=("previous", "yoy"), **kwargs):
        analytics = Analytics(config, today=TODAY, sleep=lambda seconds: None)
        return AnalyticsData(
            config, sites, period, comparisons, analytics=analytics, today=TODAY, **kwargs
        )

    return make


def whole_web_report(data: AnalyticsData) -> None:
    data.summary_table()
    data.site_summary_table()
    data.article_table()
    data.country_table()
    data.traffic_source_table()
    data.referring_sites_table(5)
    data.social_network_table(5)
    data.device_table()


def calls_per_property(emulator) -> Counter:
    log = emulator.requests()["log"]
    return Counter(e["key"] for e in log if e["endpoint"] in GA_CALLS)


def facts(network, property_ids, period: Period) -> pd.DataFrame:
    return pd.concat(network.ga_facts(p, period.start, period.end) for p in property_ids)


SELECTIONS = {
    "one site": ("fablefield.net",),
    "two multi-ID sites": ("pixelpost.net", "gearhaven.co.uk"),
    "every site": (),
}
COMPARISON_SETS = ((), ("previous",), ("previous", "yoy"), ("previous", "yoy", "week_ago"))


@pytest.mark.parametrize("period", [OCT, RECENT], ids=["past month", "recent days"])
@pytest.mark.parametrize("sites", SELECTIONS.values(), ids=list(SELECTIONS))
def test_whole_web_report_costs_at_most_3_calls_per_property(
    make_data, clean_emulator, network, sites, period
):
    properties = {p for s in (sites or network.sites) for p in network.sites[s]}
    totals = []
    for comparisons in COMPARISON_SETS:
        clean_emulator.reset()
        data = make_data(sites, period, comparisons)
        whole_web_report(data)
        per_property = calls_per_property(clean_emulator)
        assert set(per_property) == properties
        assert max(per_property.values()) <= 3
        totals.append(sum(per_property.values()))
        assert data.failures == {}
    whole_web_report(data)  # every table reads the reports fetched once
    assert sum(calls_per_property(clean_emulator).values()) == totals[-1]
    assert len(set(totals)) == 1, f"calls grew with the comparisons: {totals}"


def test_a_contract_table_alone_is_one_call_per_property(make_data, clean_emulator, network):
    make_data(("pixelpost.net",)).site_summary_table()
    assert calls_per_property(clean_emulator) == Counter(
        {p: 1 for p in network.sites["pixelpost.net"]}
    )
    assert clean_emulator.requests()["by_endpoint"]["ga.batchRunReports"] == 2


def test_article_reports_are_asked_only_for_tables_that_read_them(
    make_data, clean_emulator, network
):
    """The Overview's tables read no article report, so its first round asks none (they were
    most of its bytes); a later page's articles come in one round of their own, and a page
    or export that wants them from the start still has them in the first round."""
    # Every request that asks for pages fails: only the article reports group by pagePath.
    clean_emulator.add_fault("500", endpoint="ga.batchRunReports", match='"pagePath"', times=999)
    data = make_data(("pixelpost.net",))
    data.prefetch(articles=False)
    summary = data.summary_table()
    # The early round travels beside the first (a past period): the summary does not wait
    # for it, a table that reads it does. Counted before it was answered, this test saw one
    # call where there were two, and the next test saw the late one.
    data.daily_series()
    ids = network.sites["pixelpost.net"]
    assert data.failures == {}
    assert summary["pageviews"].iloc[0] == facts(network, ids, OCT)["screenPageViews"].sum()
    assert calls_per_property(clean_emulator) == Counter(dict.fromkeys(ids, 2))
    clean_emulator.reset()  # no fault, no count: the article page comes next
    articles = data.article_table()
    assert calls_per_property(clean_emulator) == Counter(dict.fromkeys(ids, 1))
    rows = facts(network, ids, OCT)
    top = articles.iloc[0]
    expected = rows[(rows["hostName"] == top["host"]) & (rows["pagePath"] == top["path"])]
    assert top["pageviews"] == expected["screenPageViews"].sum()
    assert data.failures == {}
    clean_emulator.reset()
    export_like = make_data(("pixelpost.net",))
    export_like.prefetch()  # every report wanted at once (export --all, warm)
    export_like.summary_table()
    export_like.article_table()
    export_like.referring_sites_table(5)
    export_like.daily_series()  # the early round, beside the first (see above)
    assert calls_per_property(clean_emulator) == Counter(dict.fromkeys(ids, 2))
    pd.testing.assert_frame_equal(export_like.article_table(), articles)


def test_tables_asked_from_two_threads_at_once_fetch_and_note_once(make_data, clean_emulator):
    # The app shares one AnalyticsData between sessions that show the same selection.
    data = make_data()
    both = threading.Barrier(2)

    def table(method: str) -> None:
        both.wait()
        getattr(data, method)()

    threads = [
        threading.Thread(target=table, args=(m,)) for m in ("summary_table", "country_table")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert data.notes and len(data.notes) == len(set(data.notes))
    assert max(calls_per_property(clean_emulator).values()) == 1


def test_a_failing_property_is_named_and_the_rest_reported(make_data, clean_emulator, network):
    clean_emulator.add_fault("503", endpoint="ga.batchRunReports", times=5, match="311204581")
    data = make_data()
    summary = data.summary_table()
    whole_web_report(data)
    assert data.failures == {
        PIXELPOST: "HTTP 503 after 5 tries: The service is currently unavailable."
    }
    others = [p for p in network.ga_properties if p != "311204581"]
    assert summary["pageviews"].iloc[0] == facts(network, others, OCT)["screenPageViews"].sum()
    sites = data.site_summary_table().set_index("site")
    assert (
        sites.loc["pixelpost.net", "pageviews"]
        == facts(network, ["311204582"], OCT)["screenPageViews"].sum()
    )


def test_an_exhausted_quota_is_recorded_per_property(make_data, clean_emulator):
    clean_emulator.add_fault("quota_day", endpoint="ga.batchRunReports", times=1, match="311204581")
    data = make_data(("pixelpost.net",))
    data.summary_table()
    assert list(data.failures) == [PIXELPOST]
    assert data.failures[PIXELPOST].startswith("quota exhausted: Exhausted property tokens per day")
    assert clean_emulator.requests()["by_endpoint"]["ga.batchRunReports"] == 2  # no retry


def test_refused_credentials_fail_one_property_or_raise_for_all(make_data, clean_emulator):
    clean_emulator.add_fault("401", endpoint="ga.batchRunReports", times=1, match="311204581")
    data = make_data(("pixelpost.net",))
    data.summary_table()
    assert data.failures[PIXELPOST].startswith("Google refused the credentials")
    clean_emulator.add_fault("401", endpoint="ga.batchRunReports", times=2)
    with pytest.raises(AuthError, match="refused the credentials"):
        make_data(("pixelpost.net",)).summary_table()


def test_availability_of_recent_days_names_waiting_properties(make_data, network, clean_emulator):
    data = make_data(period=RECENT)
    table = data.check_available_data()
    assert list(table.columns) == [
        "site", "property", "time_zone", "wait_for_data", "complete_through", "complete",
    ]  # fmt: skip
    assert table["property"].tolist() == [p for s in network.sites for p in network.sites[s]]
    for row in table.itertuples():
        assert row.complete_through == network.ga_available_through(row.property)
        assert row.time_zone == network.ga_properties[row.property].time_zone
        assert row.complete is False
    assert table.set_index("property").loc["298451008", "wait_for_data"] == False  # noqa: E712
    data.summary_table()
    [note] = [n for n in data.notes if "complete only through" in n]
    assert note.startswith("GA4 data is complete only through 2026-11-18 for pixelpost.net ")
    assert "gearhaven.co.uk (properties 298451006, 298451007)" in note
    assert "298451008" not in note  # it does not wait for data
    assert "2026-11-19 is still being processed" in note
    # The property that does not wait is named too: its partial days are counted.
    through = network.ga_available_through("298451008")
    [counted] = [n for n in data.notes if "298451008" in n]
    assert counted.startswith("gearhaven.co.uk (property 298451008) is counted without waiting")
    span = f"{through + timedelta(days=1)} to {RECENT.end}"
    assert f"GA4 has its data complete through {through}, so any later day shown" in counted
    assert counted.endswith(f"({span}) counts its figures as they stand, partial")
    # The hours ride in the early round (with the series), the summary in the first.
    assert calls_per_property(clean_emulator) == Counter(dict.fromkeys(network.ga_properties, 2))


def test_a_period_after_today_is_named_incomplete_not_shown_as_zero(make_data, network):
    ahead = Period("December", date(2026, 12, 1), date(2026, 12, 7))
    data = make_data(period=ahead, comparisons=())
    table = data.check_available_data().set_index("property")
    assert not table["complete"].any()
    for pid, row in table.iterrows():
        assert row["complete_through"] == network.ga_available_through(pid)
    assert data.summary_table()["pageviews"].iloc[0] == 0
    waiting = [p for p in network.ga_properties if p != "298451008"]
    [through] = {network.ga_available_through(p) for p in waiting}
    [note] = [n for n in data.notes if "complete only through" in n]
    assert note.startswith(f"GA4 data is complete only through {through.isoformat()} for ")
    assert "2026-12-01 to 2026-12-07 are still being processed" in note
    assert all(p in note for p in waiting) and "298451008" not in note


def test_a_past_period_is_complete_without_asking(make_data, clean_emulator):
    data = make_data(period=OCT)
    table = data.check_available_data()
    assert table["complete"].all()
    assert (table["complete_through"] == OCT.end).all()
    assert not any("complete only through" in n for n in data.notes)
    bodies = clean_emulator.requests()["log"]
    assert all(e["endpoint"] == "ga.batchRunReports" for e in bodies)


def test_daily_series_per_site_per_day(make_data, network):
    data = make_data(("pixelpost.net", "retrorig.com"), comparisons=("previous",))
    daily = data.daily_series()
    assert list(daily.columns) == ["date", "site", "pageviews", "users", "sessions"]
    for site in ("pixelpost.net", "retrorig.com"):
        f = facts(network, network.sites[site], OCT)
        want = f.groupby(f["date"].dt.date)[["screenPageViews", "totalUsers", "sessions"]].sum()
        got = daily[daily["site"] == site].set_index("date")
        assert got["pageviews"].to_dict() == want["screenPageViews"].to_dict()
        assert got["users"].to_dict() == want["totalUsers"].to_dict()
    both = data.daily_series(include_comparisons=True)
    assert list(both.columns) == ["date", "site", "pageviews", "users", "sessions", "period", "day"]
    prev = both[(both["period"] == "prev") & (both["site"] == "retrorig.com")]
    f = facts(network, ["327790114"], Period("p", date(2026, 8, 31), date(2026, 9, 30)))
    assert prev["pageviews"].tolist() == f.groupby("date")["screenPageViews"].sum().tolist()
    assert prev["day"].tolist() == list(range(31))


def test_month_to_date_projects_the_month_in_a_straight_line(make_data, network):
    period = Period("mtd", date(2026, 11, 1), date(2026, 11, 15))
    table = make_data(("gearhaven.co.uk", "fablefield.net"), period, ()).month_to_date()
    assert list(table.columns) == [
        "site", "pageviews", "days_elapsed", "days_left", "projected_pageviews",
        "last_month_pageviews",
    ]  # fmt: skip
    for row in table.itertuples():
        ids = network.sites[row.site]
        so_far = facts(network, ids, period)["screenPageViews"].sum()
        assert row.pageviews == so_far
        assert (row.days_elapsed, row.days_left) == (15, 15)
        assert row.projected_pageviews == round(so_far * 30 / 15)
        assert row.last_month_pageviews == facts(network, ids, OCT)["screenPageViews"].sum()


def test_device_share_by_month_covers_twelve_months(make_data, network):
    table = make_data(("tinkertrail.io",), OCT, ()).device_share_by_month()
    assert list(table.columns) == ["month", "device_category", "users", "share_pct"]
    f = facts(network, network.sites["tinkertrail.io"], Period("y", date(2025, 11, 1), OCT.end))
    f["month"] = f["date"].dt.strftime("%Y-%m")
    want = f.groupby(["month", "deviceCategory"])["totalUsers"].sum()
    assert sorted(table["month"].unique()) == [m for m in want.index.levels[0]]
    assert table["month"].nunique() == 12
    for row in table.itertuples():
        users = want[(row.month, row.device_category)]
        assert row.users == users
        assert row.share_pct == pytest.approx(100 * users / want[row.month].sum())


# Quota left, as the emulator reports it. Its rule (statsdash/emulator/ga.py run_report):
# each report costs 1 token, plus 1 per date range beyond the first, plus 1 per 10,000 fact
# rows read, charged to the property's day, hour and project-hour counters alike. The
# limits are GA4's for a standard property.
DAY, HOUR, PROJECT_HOUR = 200_000, 40_000, 14_000
WEEK = (date(2026, 10, 5), date(2026, 10, 11))
WEEK_PREV = (date(2026, 9, 28), date(2026, 10, 4))
WEEK_YOY = (date(2025, 10, 5), date(2025, 10, 11))
# The first round without the article reports (no table here reads them, so they are not
# asked): countries (with key events), sources and devices over the week and both comparisons.
FIRST_ROUND = [[WEEK, WEEK_PREV, WEEK_YOY]] * 3
# The early round (a past week: no hours report): daily series (the three ranges), month to
# date (this month so far and the last), devices by month (12 months through the week's
# end), the insights' history (8 weeks before the week through its end).
EARLY_ROUND = [
    [WEEK, WEEK_PREV, WEEK_YOY],
    [(date(2026, 10, 1), WEEK[1]), (date(2026, 9, 1), date(2026, 9, 30))],
    [(date(2025, 11, 1), WEEK[1])],
    [(WEEK[0] - timedelta(weeks=8), WEEK[1])],
]


def tokens(network, property_id: str, reports: list[list[tuple[date, date]]]) -> int:
    """Tokens the emulator charges the property for these reports (each a list of ranges)."""
    total = 0
    for ranges in reports:
        rows = sum(len(network.ga_facts(property_id, start, end)) for start, end in ranges)
        total += 1 + rows // 10_000 + len(ranges) - 1
    return total


def assert_quota_left(table: pd.DataFrame, used: dict[str, int]) -> None:
    left = table.set_index("property")
    assert sorted(left.index) == sorted(used)
    for pid, spent in used.items():
        row = left.loc[pid]
        assert row["tokens_per_day_remaining"] == DAY - spent, pid
        assert row["tokens_per_hour_remaining"] == HOUR - spent, pid
        assert row["tokens_per_project_per_hour_remaining"] == PROJECT_HOUR - spent, pid


def test_quota_left_rides_on_the_first_round(make_data, clean_emulator, network):
    week = Period("week", *WEEK)
    data = make_data(("pixelpost.net",), week, ("previous", "yoy"))
    table = data.quota_table()
    assert list(table.columns) == [
        "site", "property", "tokens_per_day_remaining", "tokens_per_hour_remaining",
        "tokens_per_project_per_hour_remaining", "concurrent_requests_remaining",
        "server_errors_per_project_per_hour_remaining",
        "potentially_thresholded_requests_per_hour_remaining", "as_of", "from_cache",
    ]  # fmt: skip
    ids = network.sites["pixelpost.net"]
    for pid in ids:  # few rows: the 10,000-row term is 0, so the articles filter cannot matter
        assert sum(len(network.ga_facts(pid, *r)) for r in FIRST_ROUND[0]) < 10_000
    first = {pid: tokens(network, pid, FIRST_ROUND) for pid in ids}
    assert first == dict.fromkeys(ids, 9)  # 3 reports x 3 date ranges
    assert_quota_left(table, first)
    assert (table["site"] == "pixelpost.net").all()
    assert not table["from_cache"].any() and table["as_of"].notna().all()
    assert (table["concurrent_requests_remaining"] == 10).all()
    assert calls_per_property(clean_emulator) == Counter(dict.fromkeys(ids, 1))  # no extra call
    # The counters are the API's, not this object's: a second look spends as much again.
    again = make_data(("pixelpost.net",), week, ("previous", "yoy"))
    assert_quota_left(again.quota_table(), {pid: 2 * n for pid, n in first.items()})


def test_a_later_round_reports_the_quota_left_after_it(make_data, clean_emulator, network):
    data = make_data(("gearhaven.co.uk",), Period("week", *WEEK), ("previous", "yoy"))
    before = data.quota_table()
    data.daily_series()  # the early round: one more call per property
    ids = network.sites["gearhaven.co.uk"]
    used = {pid: tokens(network, pid, FIRST_ROUND + EARLY_ROUND) for pid in ids}
    assert_quota_left(data.quota_table(), used)
    assert (data.quota_table()["as_of"] > before["as_of"]).all()
    assert calls_per_property(clean_emulator) == Counter(dict.fromkeys(ids, 2))


def test_a_cached_answer_quota_is_marked_and_keeps_its_time(
    config, clean_emulator, network, tmp_path
):
    cache = ResponseCache(tmp_path / "cache.sqlite")
    week = Period("week", *WEEK)

    def look(refresh: bool = False) -> pd.DataFrame:
        analytics = Analytics(config, cache=cache, today=TODAY, sleep=lambda seconds: None)
        data = AnalyticsData(
            config, ("retrorig.com",), week, ("previous", "yoy"),
            analytics=analytics, today=TODAY, refresh=refresh,
        )  # fmt: skip
        return data.quota_table()

    spent = tokens(network, "327790114", FIRST_ROUND)
    live = look()
    assert_quota_left(live, {"327790114": spent})
    assert not live["from_cache"].any()
    cached = look()
    assert calls_per_property(clean_emulator).total() == 1  # the second look asked nobody
    assert_quota_left(cached, {"327790114": spent})  # as it was then...
    assert cached["from_cache"].all()  # ...and marked so
    assert cached["as_of"].tolist() == live["as_of"].tolist()
    fresh = look(refresh=True)
    assert_quota_left(fresh, {"327790114": 2 * spent})
    assert not fresh["from_cache"].any()
    assert fresh["as_of"].iloc[0] > live["as_of"].iloc[0]
    cache.close()


def test_a_failing_property_has_no_quota_row(make_data, clean_emulator, network):
    clean_emulator.add_fault("503", endpoint="ga.batchRunReports", times=5, match="311204581")
    data = make_data(("pixelpost.net",), Period("week", *WEEK), ("previous", "yoy"))
    table = data.quota_table()
    assert list(data.failures) == [PIXELPOST]
    assert_quota_left(table, {"311204582": tokens(network, "311204582", FIRST_ROUND)})


# The CLI: python -m statsdash export ga-* writes the contract's columns.

PAIRS = ("prev", "yoy")
SUMMARY = [
    "pageviews",
    "users",
    "sessions",
    "pages_per_session",
    "avg_session_seconds",
    "engaged_sessions",
    "engagement_rate",
    "key_events",
    "avg_engagement_seconds",
]
CONTRACT = {
    "ga-summary": comparison_columns(SUMMARY, PAIRS),
    "ga-sites": ["site", *comparison_columns(SUMMARY, PAIRS)],
    "ga-articles": ["site", "host", "path", "title", *comparison_columns(["pageviews"], PAIRS)],
    "ga-countries": ["country", *comparison_columns(["pageviews", "users"], PAIRS)],
    "ga-traffic": ["source_medium", *comparison_columns(["pageviews", "users"], PAIRS)],
    "ga-referrals": [
        "source", *comparison_columns(["pageviews", "users"], PAIRS), "path", "title",
        *comparison_columns(["article_pageviews"], PAIRS),
    ],
    "ga-social": ["social_network", *comparison_columns(["pageviews", "users", "sessions"], PAIRS)],
    "ga-devices": ["device_category", *comparison_columns(["users"], PAIRS)],
    "ga-key-events": ["site", "key_event", *comparison_columns(["key_events"], PAIRS)],
}  # fmt: skip
ROWS = {"ga-summary": 1, "ga-sites": 7, "ga-articles": 20, "ga-countries": 6, "ga-traffic": 10}


@pytest.fixture
def config_file(emulator, tmp_path):
    text = DEMO_CONFIG.read_text().replace("http://127.0.0.1:8765", emulator.url)
    path = tmp_path / "config.yaml"
    path.write_text("cache: {enabled: false}\n" + text)
    return path


def export(config_file, report, *extra):
    period = ["--start", "2026-10-01", "--end", "2026-10-31", "--compare", "previous,yoy"]
    return main(["export", report, "--config", str(config_file), *period, *extra])


@pytest.mark.parametrize("report", CONTRACT)
def test_cli_export_writes_the_contract_columns(config_file, capsys, report):
    assert export(config_file, report) == 0
    out = capsys.readouterr().out
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == [
        *CONTRACT[report],
        "complete",
        "days_compared",
        "complete_through",
    ]
    assert set(table["days_compared"]) == {31}  # October, long complete
    assert table["complete"].tolist() == [True] * len(table)  # every property answered
    if report in ROWS:
        assert len(table) == ROWS[report]
    assert out.endswith("\r\n")


def test_cli_export_exits_1_naming_the_failing_property(config_file, capsys, clean_emulator):
    clean_emulator.add_fault("403", endpoint="ga.batchRunReports", times=1, match="311204581")
    assert export(config_file, "ga-sites") == 1
    captured = capsys.readouterr()
    assert f"could not fetch {PIXELPOST}: HTTP 403" in captured.err
    assert len(pd.read_csv(io.StringIO(captured.out))) == 7  # the other sites' numbers


def test_cli_export_exits_2_on_an_unknown_site(config_file, capsys):
    assert export(config_file, "ga-sites", "--sites", "nosuch.example") == 2
    assert "unknown site 'nosuch.example'" in capsys.readouterr().err


def test_when_every_property_fails_the_tables_are_empty_not_zero(make_data, clean_emulator):
    clean_emulator.add_fault("503", endpoint="ga.batchRunReports", times=10)
    # ga-key-events' batch (the extra round) fails too
    clean_emulator.add_fault("503", endpoint="ga.batchRunReports", times=10)
    data = make_data(("pixelpost.net",))
    for name, columns in CONTRACT.items():
        table = getattr(data, REPORT_METHODS[name])()
        assert list(table.columns) == columns, name
        assert table.empty, name
    assert list(data.failures) == [PIXELPOST, "pixelpost.net (property 311204582)"]


def test_cli_discover_prints_a_sites_snippet(config_file, capsys, network):
    assert main(["discover", "ga", "--config", str(config_file)]) == 0
    out = capsys.readouterr().out
    for property_id in network.ga_properties:
        assert f'- id: "{property_id}"' in out


def test_cli_export_neutralises_formula_like_titles(config, config_file, capsys, network):
    # pixelpost.net's fourth most read article is titled "=SUM(A1:A9) of Pixel prices".
    f = facts(network, network.sites["pixelpost.net"], OCT)
    excluded = config.google_analytics.article_exclude_paths
    home = (f["pagePath"] == "/") & ("/" in excluded)  # "/" alone is the home page, not a prefix
    f = f[~f["pagePath"].str.startswith(tuple(p for p in excluded if p != "/")) & ~home]
    top = f.groupby("pagePath")["screenPageViews"].sum().nlargest(20).index
    titles = f.drop_duplicates("pagePath").set_index("pagePath")["pageTitle"]
    formulas = {
        titles[p] + (" (AMP)" if p.startswith("/amp/") else "")
        for p in top
        if titles[p].startswith(("=", "+", "-", "@"))
    }
    assert formulas, "the emulator no longer puts a formula-like title in this top 20"
    assert export(config_file, "ga-articles", "--sites", "pixelpost.net") == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert {"'" + t for t in formulas} <= set(table["title"])
    text = table.select_dtypes(exclude=["number", "bool"])
    assert not text.map(lambda v: v.startswith(("=", "+", "-", "@"))).any(axis=None)

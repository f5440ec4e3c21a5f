"""Sources that misbehave on the wire: a connection dropped mid-body, a report that promises
rows it does not carry, API messages with markup. Each is retried, then a named failure of
that source while the others render; expected numbers come from the emulator's raw facts."""

from __future__ import annotations

import dataclasses
import threading
from datetime import date

import pandas as pd
import pytest

from statsdash import budget, google_api
from statsdash.cli import main
from statsdash.config import CacheConfig, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.errors import BadResponse, FetchError, QuotaExhausted
from statsdash.ga.aggregate_data import AnalyticsData
from statsdash.ga.analytics import Analytics
from statsdash.periods import Period
from statsdash.youtube.analytics import Analytics as YoutubeAnalytics

TODAY = date(2026, 11, 20)
OCT = Period("October", date(2026, 10, 1), date(2026, 10, 31))
PIXELPOST = "pixelpost.net (property 311204581)"


@pytest.fixture(scope="module")
def config(emulator):
    config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(config, cache=CacheConfig(enabled=False))


@pytest.fixture
def no_backoff(monkeypatch):
    """Retries without the real backoff pauses (the CLI sleeps for real)."""
    monkeypatch.setattr(google_api, "BASE_DELAY", 0.001)


def web(config, sites=()):
    analytics = Analytics(config, today=TODAY, sleep=lambda seconds: None)
    return AnalyticsData(config, sites, OCT, (), analytics=analytics, today=TODAY)


def pageviews(network, property_ids) -> int:
    return int(
        pd.concat(network.ga_facts(p, OCT.start, OCT.end) for p in property_ids)[
            "screenPageViews"
        ].sum()
    )


@pytest.fixture
def config_file(emulator, tmp_path):
    text = DEMO_CONFIG.read_text().replace("http://127.0.0.1:8765", emulator.url)
    path = tmp_path / "config.yaml"
    path.write_text("cache: {enabled: false}\n" + text)
    return path


def export(config_file, report, *extra):
    period = ["--start", "2026-10-01", "--end", "2026-10-31"]
    return main(["export", report, "--config", str(config_file), *period, *extra])


# ------------------------------------------------------------ dropped mid-body


def test_a_connection_dropped_once_is_retried(config, clean_emulator, network):
    clean_emulator.add_fault("drop", endpoint="ga.batchRunReports", match="311204581")
    data = web(config, ("pixelpost.net",))
    summary = data.summary_table()
    assert data.failures == {}
    assert summary["pageviews"].iloc[0] == pageviews(network, ["311204581", "311204582"])


def test_a_connection_dropped_every_time_fails_that_property_only(config, clean_emulator, network):
    clean_emulator.add_fault("drop", endpoint="ga.batchRunReports", match="311204581", times=5)
    data = web(config)
    summary = data.summary_table()
    assert list(data.failures) == [PIXELPOST]
    assert data.failures[PIXELPOST].startswith("network error: the connection closed mid-answer")
    others = [p for p in network.ga_properties if p != "311204581"]
    assert summary["pageviews"].iloc[0] == pageviews(network, others)


def test_cli_names_a_dropped_property_without_a_traceback(
    config_file, clean_emulator, capsys, no_backoff
):
    clean_emulator.add_fault("drop", endpoint="ga.batchRunReports", match="311204581", times=5)
    assert export(config_file, "ga-sites") == 1
    out, err = capsys.readouterr()
    assert f"could not fetch {PIXELPOST}: network error: the connection closed mid-answer" in err
    assert "Traceback" not in err and "IncompleteRead" not in err
    assert "fablefield.net" in out  # the other sites are written


def test_youtube_drop_is_retried_then_named(config, clean_emulator, network):
    clean_emulator.add_fault("drop", endpoint="yt.reports.query", times=5)
    client = YoutubeAnalytics(config, today=TODAY, sleep=lambda seconds: None)
    ids = network.channel_groups["Pixel Post"]
    with pytest.raises(FetchError, match="YouTube Analytics: network error: the connection"):
        client.rollup_ids(ids, OCT.start, OCT.end, ["views"])
    clean_emulator.add_fault("drop", endpoint="yt.reports.query", times=1)
    frame = client.rollup_ids(ids, OCT.start, OCT.end, ["views"])
    assert frame["views"].tolist() == [network.yt_facts(ids, OCT.start, OCT.end)["views"].sum()]


# ------------------------------------------------------------ rowCount without rows


def test_row_count_without_rows_once_is_retried(config, clean_emulator, network):
    clean_emulator.add_fault("no_rows", endpoint="ga.batchRunReports", match="311204581")
    data = web(config, ("pixelpost.net",))
    assert data.summary_table()["pageviews"].iloc[0] == pageviews(
        network, ["311204581", "311204582"]
    )
    assert data.failures == {}
    assert clean_emulator.requests()["by_endpoint"]["ga.batchRunReports"] == 3  # 1 retried


def test_row_count_without_rows_is_a_bad_response_of_that_property(config, clean_emulator, network):
    clean_emulator.add_fault("no_rows", endpoint="ga.batchRunReports", match="311204581", times=5)
    data = web(config)
    sites = data.site_summary_table().set_index("site")
    assert list(data.failures) == [PIXELPOST]
    assert "rowCount" in data.failures[PIXELPOST] and "no rows" in data.failures[PIXELPOST]
    # The site's other property still counts; nothing is read as zero.
    assert sites.loc["pixelpost.net", "pageviews"] == pageviews(network, ["311204582"])


def test_a_single_run_report_without_rows_raises_bad_response(config, clean_emulator):
    clean_emulator.add_fault("no_rows", endpoint="ga.runReport", times=5)
    client = Analytics(config, today=TODAY, sleep=lambda seconds: None)
    with pytest.raises(BadResponse, match="carries no rows"):
        client.run_report("311204581", OCT, ["sessions"], ["country"])


def test_a_property_failing_only_its_first_round_is_left_out_of_key_events_too(
    config, clean_emulator, network
):
    """Key events come from the early round (asked first, in the background) but are shown
    beside the first round's tables: a property whose early answer came and whose first
    round failed counted in ga-key-events while ga-sites left it out."""
    first_round = ["properties/311204581:", '"sessionSource"']  # the early round asks none
    clean_emulator.add_fault("500", endpoint="ga.batchRunReports", match=first_round, times=50)
    week = Period("Week", date(2026, 11, 13), date(2026, 11, 19))  # recent: an early round
    analytics = Analytics(config, today=TODAY, sleep=lambda seconds: None)
    data = AnalyticsData(config, ("pixelpost.net",), week, (), analytics=analytics, today=TODAY)
    data.frame("daily")  # the early round, as the page's prefetch asks it
    events = data.key_event_table()
    assert list(data.failures) == [PIXELPOST]
    asked = [e for e in clean_emulator.requests()["log"] if "311204581" in e["path"]]
    assert asked[0]["status"] == 200 and {e["status"] for e in asked[1:]} == {500}
    facts = network.ga_facts("311204582", week.start, week.end)
    names = [c.removeprefix("keyEvents:") for c in facts.columns if c.startswith("keyEvents:")]
    want = {e: int(facts[f"keyEvents:{e}"].sum()) for e in names}
    got = events.set_index("key_event")["key_events"].to_dict()
    assert got == {e: n for e, n in want.items() if n}  # the other property's counts only
    assert data.site_summary_table()["key_events"].iloc[0] == sum(got.values())


# ------------------------------------------------------------ markup in messages


def test_youtube_quota_message_loses_its_markup(config, clean_emulator, network):
    clean_emulator.add_fault("yt_quota", endpoint="yt.reports.query")
    client = YoutubeAnalytics(config, today=TODAY, sleep=lambda seconds: None)
    with pytest.raises(QuotaExhausted) as caught:
        client.rollup_ids(network.channel_groups["Pixel Post"], OCT.start, OCT.end, ["views"])
    assert str(caught.value).endswith("because you have exceeded your quota.")
    assert "<" not in str(caught.value) and "href" not in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        (
            'exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
            "exceeded your quota.",
        ),
        ("Tom &amp; Jerry <b>bold</b>\n  next", "Tom & Jerry bold next"),
        ("a < b and c > d", "a < b and c > d"),
    ],
)
def test_plain_text(raw, plain):
    assert google_api.plain_text(raw) == plain


# ------------------------------------------------------------ complete / --strict


def test_a_partial_csv_says_complete_false(config_file, clean_emulator, capsys, tmp_path):
    clean_emulator.add_fault("quota_day", endpoint="ga.batchRunReports", match="311204581")
    target = tmp_path / "sites.csv"
    assert export(config_file, "ga-sites", "-o", str(target)) == 1
    table = pd.read_csv(target)
    columns = list(table.columns)
    assert columns[columns.index("complete") :] == ["complete", "days_compared", "complete_through"]
    assert table["complete"].tolist() == [False] * len(table) and len(table) > 1
    assert export(config_file, "ga-sites", "-o", str(target)) == 0  # the fault is gone
    assert pd.read_csv(target)["complete"].all()


def test_strict_writes_nothing_when_incomplete(config_file, clean_emulator, capsys, tmp_path):
    clean_emulator.add_fault("quota_day", endpoint="ga.batchRunReports", match="311204581")
    target = tmp_path / "sites.csv"
    assert export(config_file, "ga-sites", "--strict", "-o", str(target)) == 1
    assert not target.exists()
    out, err = capsys.readouterr()
    assert out == ""
    assert f"could not fetch {PIXELPOST}: quota exhausted" in err
    assert err.rstrip().endswith("--strict: nothing written")
    assert export(config_file, "ga-sites", "--strict", "-o", str(target)) == 0
    assert target.exists()


def test_the_readme_troubleshooting_table_names_existing_tests():
    """The README has one troubleshooting section; every row of its table is backed by a
    test function that exists in the file named, and the count in its introduction is the
    number of rows."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    assert readme.count("\n## Troubleshooting\n") == 1
    section = readme.split("\n## Troubleshooting\n")[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \|.*`(test_\w+\.py)::(test_\w+)` \|$", section, re.M)
    count = int(re.search(r"(\d+) scenarios", section).group(1))
    assert len(rows) == count == len(re.findall(r"^\| \d+ \|", section, re.M))
    assert [int(n) for n, _, _ in rows] == list(range(1, count + 1))
    defined: dict[str, set[str]] = {}
    for _, file, name in rows:
        if file not in defined:
            tree = ast.parse((root / "tests" / file).read_text(encoding="utf-8"))
            defined[file] = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert name in defined[file], f"{file}::{name} does not exist"


def test_brands_without_any_ga_answer_leave_web_empty_not_zero(
    config_file, clean_emulator, network, capsys, tmp_path
):
    """GA failing for every property: the brands' web cells are empty (unknown), never 0,
    the YouTube figures still come from the raw facts, and every row says complete=false."""
    clean_emulator.add_fault("quota_day", endpoint="ga.batchRunReports", times=10_000)
    clean_emulator.add_fault("quota_day", endpoint="ga.runReport", times=10_000)
    target = tmp_path / "brands.csv"
    assert export(config_file, "brands", "-o", str(target)) == 1
    table = pd.read_csv(target, dtype={"brand": str})
    assert len(table) > 1
    for column in ("web_pageviews", "web_users", "web_pageviews_share_pct"):
        assert table[column].isna().all(), (column, table[column].tolist())
    assert table["complete"].tolist() == [False] * len(table)
    config = load_config(config_file)
    channel_ids = [cid for group in config.youtube.channels.values() for cid in group.ids]
    views = sum(int(network.yt_facts(c, OCT.start, OCT.end)["views"].sum()) for c in channel_ids)
    assert table["yt_views"].sum() == views


def test_a_property_cut_off_by_the_budget_is_asked_again_and_a_failed_one_is_not(config):
    """Only a property's own error keeps it out of later rounds: one the page's budget cut
    off while it waited is asked again under the next page's budget."""
    data = web(config, ["pixelpost.net", "gearhaven.co.uk"])
    (_, failing), (_, slow), *_ = data.properties
    release = threading.Event()

    def first(site, prop):
        if prop.id == failing.id:
            raise FetchError(data.label(site, prop), "HTTP 500 after 5 tries")
        if prop.id == slow.id:
            release.wait(10)  # still out when the 0.5 s budget ends
        return prop.id

    with budget.budget(0.5):
        data._fetch_all(first, data.properties, "first")
    release.set()
    assert {data.label("pixelpost.net", failing), data.label("pixelpost.net", slow)} <= set(
        data.failures
    )
    asked = []

    def second(site, prop):
        asked.append(prop.id)
        return prop.id

    with budget.budget(5):
        answered = data._fetch_all(second, data.properties, "second")
    assert slow.id in answered and failing.id not in asked
    assert len(asked) == len(data.properties) - 1

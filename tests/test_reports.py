"""The report registry's sharing: one API client per config, one data object per selection."""

from datetime import date

import pytest

from statsdash.config import load_config
from statsdash.demo import DEMO_CONFIG
from statsdash.periods import Period
from statsdash.reports import Selection, service_data

WEEK = Period("custom", date(2026, 10, 5), date(2026, 10, 11))
MONTH = Period("custom", date(2026, 10, 1), date(2026, 10, 31))


@pytest.fixture(scope="module")
def config():
    # Nothing here is fetched, so the emulator address is never called.
    return load_config(DEMO_CONFIG, check_files=False)


@pytest.mark.parametrize("service", ["ga", "youtube"])
def test_selections_share_one_client_but_not_their_tables(config, service):
    week = service_data(service, Selection(config, WEEK, today=date(2026, 11, 20)))
    month = service_data(service, Selection(config, MONTH, ("previous",), today=date(2026, 11, 20)))
    assert week is not month
    assert week.analytics is month.analytics  # credentials, cache and token read once
    again = service_data(service, Selection(config, WEEK, today=date(2026, 11, 20)))
    assert again is week


def test_another_config_gets_its_own_client(config):
    other = load_config(DEMO_CONFIG, check_files=False)
    first = service_data("ga", Selection(config, WEEK))
    second = service_data("ga", Selection(other, WEEK))
    assert first.analytics is not second.analytics


def test_prefetch_sends_the_youtube_anomaly_history_with_the_first_round(
    emulator_config, clean_emulator
):
    """The Overview shows the anomalies: their YouTube history depends on nothing, so it goes
    out with the page's prefetch, not as a round of its own when the page reaches them."""
    from concurrent.futures import wait

    from statsdash import reports
    from statsdash.insights import anomalies_report

    selection = Selection(emulator_config, MONTH, ("previous",), today=date(2026, 11, 20))
    reports.prefetch(selection, ["anomalies", "yt-channels"]).result()  # every query asked
    data = service_data("youtube", selection)
    wait(list(data._fetcher._futures.values()))
    asked = clean_emulator.requests()["by_endpoint"]["yt.reports.query"]
    flags = anomalies_report(selection)
    assert not flags.failures
    assert clean_emulator.requests()["by_endpoint"]["yt.reports.query"] == asked


def test_data_status_reads_ga_availability_from_the_page_period_ending_yesterday(
    emulator_config, clean_emulator, network
):
    """Data status asks GA which recent hours are in: the same request for any period ending
    yesterday, so after the Overview's tables it asks nothing (it asked every property)."""
    from statsdash.periods import preset
    from statsdash.ui.data import load_status

    today = date(2026, 11, 20)
    selection = Selection(
        emulator_config, preset("last_28_days", today), ("previous",), today=today
    )
    service_data("ga", selection).summary_table()
    asked = clean_emulator.requests()["by_endpoint"]["ga.batchRunReports"]
    table = load_status(selection)["ga"].availability
    assert clean_emulator.requests()["by_endpoint"]["ga.batchRunReports"] == asked
    assert sorted(table["property"]) == sorted(network.ga_properties)
    for row in table.itertuples():
        assert row.complete_through == network.ga_available_through(row.property)
        assert row.complete == (row.complete_through >= selection.period.end)

"""GA4 key events: the emulator's eventName reports, the ga-key-events table against raw facts
(several properties per site, a site's own list of key events) and the config's
`key_events` entry with one clear line per mistake."""

from __future__ import annotations

from datetime import date

import httplib2
import pandas as pd
import pytest
from googleapiclient.discovery import build

from statsdash.config import ConfigError, load_config
from statsdash.ga.aggregate_data import AnalyticsData
from statsdash.ga.analytics import Analytics
from statsdash.periods import Period

TODAY = date(2026, 11, 20)
OCTOBER = Period("October", date(2026, 10, 1), date(2026, 10, 31))
YEAR_AGO = (date(2025, 10, 1), date(2025, 10, 31))
EVENTS = ["file_download", "newsletter_signup", "purchase", "sign_up"]
LISTED = {"gearhaven.co.uk": ["newsletter_signup", "purchase"]}  # as the demo config says


@pytest.fixture
def ga_data(emulator):
    """A client of its own: the session's shared connection may have been closed meanwhile."""
    return build(
        "analyticsdata",
        "v1beta",
        client_options={"api_endpoint": emulator.url},
        static_discovery=True,
        cache_discovery=False,
        http=httplib2.Http(),
    )


def expected_events(network, sites, start, end) -> pd.Series:
    """(site, key_event) -> count from the raw facts, summing every property of a site."""
    out = {}
    for site in sites:
        facts = pd.concat([network.ga_facts(pid, start, end) for pid in network.sites[site]])
        for event in LISTED.get(site, EVENTS):
            if total := int(facts[f"keyEvents:{event}"].sum()):
                out[(site, event)] = total
    return pd.Series(out, dtype="int64")


def test_key_events_per_site_and_event_equal_the_raw_facts(emulator_config, network):
    sites = ("gearhaven.co.uk", "pixelpost.net")
    data = AnalyticsData(
        emulator_config,
        sites,
        OCTOBER,
        ("yoy",),
        analytics=Analytics(emulator_config, today=TODAY),
        today=TODAY,
    )
    table = data.key_event_table()
    assert list(table.columns) == [
        "site",
        "key_event",
        "key_events",
        "key_events_yoy",
        "key_events_yoy_change",
        "key_events_yoy_pct",
    ]
    assert table["site"].drop_duplicates().tolist() == list(sites)  # config order
    got = table.set_index(["site", "key_event"])
    want = expected_events(network, sites, OCTOBER.start, OCTOBER.end)
    assert got["key_events"].to_dict() == want.to_dict()
    assert set(got.loc["gearhaven.co.uk"].index) == set(LISTED["gearhaven.co.uk"])
    then = expected_events(network, sites, *YEAR_AGO)
    assert got["key_events_yoy"].to_dict() == then.reindex(want.index, fill_value=0).to_dict()
    # ga-sites' key_events is the same sum, per site, and the network's in ga-summary.
    by_site = data.site_summary_table().set_index("site")["key_events"]
    assert by_site.to_dict() == want.groupby(level=0).sum().to_dict()
    assert data.summary_table()["key_events"].iloc[0] == want.sum()


def test_engagement_rate_is_rebuilt_from_summed_parts_not_averaged(emulator_config, network):
    sites = ("gearhaven.co.uk", "retrorig.com")
    data = AnalyticsData(
        emulator_config,
        sites,
        OCTOBER,
        (),
        analytics=Analytics(emulator_config, today=TODAY),
        today=TODAY,
    )
    facts = pd.concat(
        [
            network.ga_facts(pid, OCTOBER.start, OCTOBER.end)
            for s in sites
            for pid in network.sites[s]
        ]
    )
    row = data.summary_table().iloc[0]
    assert row["engaged_sessions"] == facts["engagedSessions"].sum()
    assert row["engagement_rate"] == pytest.approx(
        facts["engagedSessions"].sum() / facts["sessions"].sum()
    )
    assert 0 < row["engagement_rate"] < 1
    assert row["avg_engagement_seconds"] == pytest.approx(
        facts["userEngagementDuration"].sum() / facts["activeUsers"].sum()
    )
    per_site = data.site_summary_table()["engagement_rate"]
    assert row["engagement_rate"] != pytest.approx(per_site.mean())  # not an average of rates


def test_the_emulator_reports_key_events_by_name_with_google_shapes(ga_data, network):
    body = {
        "dateRanges": [{"startDate": "2026-10-01", "endDate": "2026-10-31"}],
        "dimensions": [{"name": "eventName"}],
        "metrics": [{"name": "keyEvents"}],
        "dimensionFilter": {
            "filter": {"fieldName": "eventName", "inListFilter": {"values": ["purchase"]}}
        },
    }
    answer = ga_data.properties().runReport(property="properties/311204581", body=body).execute()
    assert answer["dimensionHeaders"] == [{"name": "eventName"}]
    assert answer["metricHeaders"] == [{"name": "keyEvents", "type": "TYPE_INTEGER"}]
    facts = network.ga_facts("311204581", date(2026, 10, 1), date(2026, 10, 31))
    assert answer["rows"] == [
        {
            "dimensionValues": [{"value": "purchase"}],
            "metricValues": [{"value": str(facts["keyEvents:purchase"].sum())}],
        }
    ]


WRITE = """google_analytics:
  credentials: none
  endpoint: http://127.0.0.1:1
  sites:
    a.net:
{entries}
"""


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            '      - id: "123"\n      - key_events: [news-letter]',
            'google_analytics.sites.a.net[1].key_events[0]: "news-letter" is not a GA4 event '
            "name (a letter, then letters, digits or _, at most 40), e.g. newsletter_signup",
        ),
        (
            '      - {id: "123", key_events: [purchase]}',
            "google_analytics.sites.a.net[0].key_events: belongs to the site, not a property: "
            "give it its own list item, like - key_events: [newsletter_signup, purchase]",
        ),
        (
            '      - id: "123"\n      - key_events: []',
            "google_analytics.sites.a.net[1].key_events: is empty; list event names or remove "
            "it (all count)",
        ),
        (
            '      - id: "123"\n      - key_events: [a]\n      - key_events: [b]',
            "google_analytics.sites.a.net[2]: key_events is listed twice; keep one list",
        ),
        (
            '      - id: "123"\n      - key_events: [a, b, c, d]',
            "google_analytics.sites.a.net[1].key_events: lists 4 events; at most 3 fit in the "
            "summary's GA4 report (10 metrics), or remove the list to count all",
        ),
        (
            "      - key_events: [purchase]",
            "google_analytics.sites.a.net: has no property IDs; list at least one, "
            'e.g. ["123456789"]',
        ),
    ],
)
def test_a_bad_key_events_entry_is_one_line_naming_where(tmp_path, entries, message):
    path = tmp_path / "config.yaml"
    path.write_text(WRITE.format(entries=entries))
    with pytest.raises(ConfigError) as error:
        load_config(path, check_files=False)
    assert str(error.value) == f"{path}: {message}"
    assert "\n" not in str(error.value)


def test_key_events_are_an_addition_to_the_list_of_ids(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(WRITE.format(entries='      - id: "123"\n      - key_events: [purchase]'))
    site = load_config(path, check_files=False).google_analytics.sites["a.net"]
    assert [p.id for p in site.properties] == ["123"]
    assert site.key_events == ("purchase",)


def test_the_config_limit_is_what_the_summary_report_has_room_for():
    from statsdash.config_parser import MAX_KEY_EVENTS
    from statsdash.ga.tables import MAX_LISTED_KEY_EVENTS, countries_request

    assert MAX_KEY_EVENTS == MAX_LISTED_KEY_EVENTS
    request = countries_request({"current": OCTOBER}, ["a", "b", "c"])
    assert len(request.metrics) == 10

"""The network right now: the emulator's runRealtimeReport (Google's shapes, checks and a quota
bucket of its own), the realtime tables summed over properties, `export ga-realtime`, and
the Realtime page; expected numbers from the network's realtime facts at a pinned minute."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
from datetime import UTC, datetime

import httplib2
import pandas as pd
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from statsdash.cli import main
from statsdash.config import CacheConfig, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.ga.analytics import Analytics
from statsdash.ga.realtime import fetch_realtime

NOW = datetime(2026, 11, 20, 14, 7, tzinfo=UTC)
PROPERTY = "298451006"


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


@pytest.fixture
def pinned(network):
    network.clock = lambda: NOW
    yield network
    network.clock = None


@pytest.fixture(scope="module")
def config(emulator):
    demo = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(demo, cache=CacheConfig(enabled=False))


def realtime(ga_data, **body):
    body.setdefault("metrics", [{"name": "activeUsers"}])
    call = ga_data.properties().runRealtimeReport(property=f"properties/{PROPERTY}", body=body)
    return call.execute()


def site_facts(network, site: str) -> pd.DataFrame:
    return pd.concat([network.ga_realtime_facts(pid, NOW) for pid in network.sites[site]])


def test_minutes_ago_with_google_shapes_and_its_own_quota(ga_data, pinned, clean_emulator):
    answer = realtime(
        ga_data,
        dimensions=[{"name": "minutesAgo"}],
        metricAggregations=["TOTAL"],
        returnPropertyQuota=True,
    )
    assert answer["kind"] == "analyticsData#runRealtimeReport"
    assert answer["dimensionHeaders"] == [{"name": "minutesAgo"}]
    assert answer["metricHeaders"] == [{"name": "activeUsers", "type": "TYPE_INTEGER"}]
    facts = pinned.ga_realtime_facts(PROPERTY, NOW)
    want = facts.groupby("minutesAgo")["activeUsers"].sum()
    got = {
        r["dimensionValues"][0]["value"]: int(r["metricValues"][0]["value"]) for r in answer["rows"]
    }
    assert got == want[want > 0].to_dict() and set(got) <= {f"{m:02d}" for m in range(30)}
    assert int(answer["totals"][0]["metricValues"][0]["value"]) == facts["activeUsers"].sum()
    assert answer["propertyQuota"]["tokensPerDay"]["consumed"] == 1
    # The realtime bucket is its own: the core reports' quota is untouched by it.
    core = ga_data.properties().runReport(
        property=f"properties/{PROPERTY}",
        body={
            "dateRanges": [{"startDate": "2026-10-01", "endDate": "2026-10-01"}],
            "metrics": [{"name": "sessions"}],
            "returnPropertyQuota": True,
        },
    )
    used = 200_000 - core.execute()["propertyQuota"]["tokensPerDay"]["remaining"]
    assert used == 1


def test_two_minute_ranges_add_a_date_range_dimension(ga_data, pinned):
    answer = realtime(
        ga_data,
        minuteRanges=[
            {"startMinutesAgo": 4, "endMinutesAgo": 0},
            {"name": "earlier", "startMinutesAgo": 29, "endMinutesAgo": 5},
        ],
    )
    assert answer["dimensionHeaders"] == [{"name": "dateRange"}]
    facts = pinned.ga_realtime_facts(PROPERTY, NOW)
    recent = facts["minutesAgo"].astype(int) <= 4
    got = {
        r["dimensionValues"][0]["value"]: int(r["metricValues"][0]["value"]) for r in answer["rows"]
    }
    assert got == {
        "date_range_0": facts.loc[recent, "activeUsers"].sum(),
        "earlier": facts.loc[~recent, "activeUsers"].sum(),
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"minuteRanges": [{}, {}, {}]}, "Requests are limited to 2 minuteRanges"),
        ({"minuteRanges": [{"startMinutesAgo": 30}]}, "startMinutesAgo must be between 0 and 29"),
        (
            {"minuteRanges": [{"startMinutesAgo": 3, "endMinutesAgo": 9}]},
            "startMinutesAgo (3) must be on or after its endMinutesAgo (9)",
        ),
        ({"dimensions": [{"name": "pagePath"}]}, "Field pagePath is not a valid dimension"),
        ({"dateRanges": [{"startDate": "today", "endDate": "today"}]}, 'Unknown name "dateRanges"'),
    ],
)
def test_bad_realtime_requests_are_400_with_googles_message(ga_data, pinned, body, message):
    with pytest.raises(HttpError) as error:
        realtime(ga_data, **body)
    assert error.value.resp.status == 400
    assert message in json.loads(error.value.content)["error"]["message"]


def test_sites_minutes_pages_and_countries_sum_the_properties(config, pinned):
    now = fetch_realtime(Analytics(config), config.google_analytics.sites)
    assert now.failures == {}
    per_site = {s: int(site_facts(pinned, s)["activeUsers"].sum()) for s in pinned.sites}
    assert now.sites.set_index("site")["active_users"].to_dict() == per_site
    assert list(now.sites["active_users"]) == sorted(per_site.values(), reverse=True)
    every = pd.concat([site_facts(pinned, s) for s in pinned.sites])
    minutes = every.groupby(every["minutesAgo"].astype(int))["activeUsers"].sum()
    assert now.by_minute.set_index("minutes_ago")["active_users"].to_dict() == {
        m: v for m, v in minutes.items() if v
    }
    countries = every.groupby("country")["activeUsers"].sum()
    top = countries[countries > 0].sort_values(ascending=False).head(10)
    assert now.countries.set_index("country")["active_users"].to_dict() == top.to_dict()
    assert now.pages["active_users"].iloc[0] == (
        every.groupby("unifiedScreenName")["activeUsers"].sum().max()
    )
    # Titles read as on the page: entities decoded (some demo titles carry them), and a
    # title counted once whichever way it was written.
    assert every["unifiedScreenName"].str.contains("&amp;").any()
    decoded = every.assign(page=every["unifiedScreenName"].map(html.unescape))
    pages = decoded.groupby("page")["activeUsers"].sum()
    pages = (
        pages[pages > 0].reset_index().sort_values(["activeUsers", "page"], ascending=[False, True])
    )
    assert now.pages.set_index("page")["active_users"].to_dict() == (
        pages.head(10).set_index("page")["activeUsers"].to_dict()
    )


def test_a_failing_property_is_named_and_the_rest_shown(config, pinned, clean_emulator):
    clean_emulator.add_fault("403", endpoint="ga.runRealtimeReport", match="298451007", times=10)
    now = fetch_realtime(Analytics(config, max_tries=1), config.google_analytics.sites)
    assert list(now.failures) == ["gearhaven.co.uk (property 298451007)"]
    gear = now.sites.set_index("site").loc["gearhaven.co.uk", "active_users"]
    others = [pid for pid in pinned.sites["gearhaven.co.uk"] if pid != "298451007"]
    assert gear == sum(pinned.ga_realtime_facts(p, NOW)["activeUsers"].sum() for p in others)


def test_export_ga_realtime(emulator, pinned, tmp_path, capsys):
    text = DEMO_CONFIG.read_text().replace("http://127.0.0.1:8765", emulator.url)
    path = tmp_path / "config.yaml"
    path.write_text("cache: {enabled: false}\n" + text)
    assert main(["export", "ga-realtime", "--config", str(path)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # Realtime is about now: no compared days, but like every GA report it says if it is whole.
    assert list(rows[0]) == ["site", "active_users", "complete"]
    assert {r["complete"] for r in rows} == {"true"}
    want = {s: int(site_facts(pinned, s)["activeUsers"].sum()) for s in pinned.sites}
    assert {r["site"]: int(r["active_users"]) for r in rows} == want

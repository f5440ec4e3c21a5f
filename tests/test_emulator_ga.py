"""The emulator's GA4 Data and Admin APIs, called through google-api-python-client over HTTP;
expected numbers come from the network's raw facts with plain pandas."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import httplib2
import pandas as pd
import pytest
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import GoogleAuthError
from googleapiclient.errors import HttpError

MAIN = "311204581"  # www.pixelpost.net
OCT = (date(2026, 10, 1), date(2026, 10, 31))
SCHEMA_URL = "https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema"


def run(ga_data, body: dict, property_id: str = MAIN) -> dict:
    return ga_data.properties().runReport(property=f"properties/{property_id}", body=body).execute()


def body_for(dimensions, metrics, *ranges, **extra) -> dict:
    return {
        "dateRanges": [
            {"startDate": s.isoformat(), "endDate": e.isoformat(), **({"name": n} if n else {})}
            for s, e, n in ((r + (None,))[:3] for r in ranges)
        ],
        "dimensions": [{"name": d} for d in dimensions],
        "metrics": [{"name": m} for m in metrics],
        **extra,
    }


def to_frame(response: dict) -> pd.DataFrame:
    """Rows of a runReport response as a DataFrame typed by the metric headers."""
    dims = [h["name"] for h in response.get("dimensionHeaders", [])]
    mets = response.get("metricHeaders", [])
    records = [
        [v["value"] for v in r.get("dimensionValues", [])] + [v["value"] for v in r["metricValues"]]
        for r in response.get("rows", [])
    ]
    frame = pd.DataFrame(records, columns=dims + [m["name"] for m in mets])
    for m in mets:
        frame[m["name"]] = frame[m["name"]].astype(int if m["type"] == "TYPE_INTEGER" else float)
    return frame


def facts(network, start: date, end: date, property_id: str = MAIN) -> pd.DataFrame:
    """Raw facts with the time dimensions spelled as the API spells them."""
    f = network.ga_facts(property_id, start, end)
    f["dateHour"] = f["date"].dt.strftime("%Y%m%d") + f["hour"].map("{:02d}".format)
    f["yearMonth"] = f["date"].dt.strftime("%Y%m")
    f["date"] = f["date"].dt.strftime("%Y%m%d")
    return f


def expected(f: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    g = f.groupby(dims, as_index=False)[
        ["screenPageViews", "sessions", "totalUsers", "sessionDuration", "engagedSessions"]
    ].sum()
    g["screenPageViewsPerSession"] = g["screenPageViews"] / g["sessions"]
    g["averageSessionDuration"] = g["sessionDuration"] / g["sessions"]
    g["engagementRate"] = g["engagedSessions"] / g["sessions"]
    return g


METRICS = ["screenPageViews", "totalUsers", "sessions", "screenPageViewsPerSession"]


def test_one_date_range_matches_the_facts(ga_data, network):
    response = run(ga_data, body_for(["country"], METRICS + ["averageSessionDuration"], OCT))
    assert response["kind"] == "analyticsData#runReport"
    assert [h["name"] for h in response["dimensionHeaders"]] == ["country"]
    assert [h["type"] for h in response["metricHeaders"]] == [
        "TYPE_INTEGER", "TYPE_INTEGER", "TYPE_INTEGER", "TYPE_FLOAT", "TYPE_SECONDS",
    ]  # fmt: skip
    assert all(isinstance(v["value"], str) for v in response["rows"][0]["metricValues"])
    got = to_frame(response).set_index("country")
    want = expected(facts(network, *OCT), ["country"]).set_index("country")
    assert response["rowCount"] == len(want)
    assert got["screenPageViews"].to_dict() == want["screenPageViews"].to_dict()
    assert got["totalUsers"].to_dict() == want["totalUsers"].to_dict()
    for m in ("screenPageViewsPerSession", "averageSessionDuration"):
        assert got[m].to_dict() == pytest.approx(want[m].to_dict())
    # Default order: first metric descending.
    assert got["screenPageViews"].is_monotonic_decreasing
    assert response["metadata"] == {"currencyCode": "GBP", "timeZone": "Europe/London"}


def test_three_date_ranges_add_a_date_range_column_last(ga_data, network):
    ranges = [
        OCT,
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2025, 10, 1), date(2025, 10, 31), "yoy"),
    ]
    response = run(ga_data, body_for(["deviceCategory"], ["screenPageViews"], *ranges))
    assert [h["name"] for h in response["dimensionHeaders"]] == ["deviceCategory", "dateRange"]
    got = to_frame(response)
    assert set(got["dateRange"]) == {"date_range_0", "date_range_1", "yoy"}
    # Rows are ordered by the metric across ranges, not grouped by range.
    assert got["screenPageViews"].is_monotonic_decreasing
    assert got["dateRange"].tolist() != sorted(got["dateRange"])
    for name, (start, end, *_) in zip(["date_range_0", "date_range_1", "yoy"], ranges, strict=True):
        part = got[got["dateRange"] == name].set_index("deviceCategory")["screenPageViews"]
        want = network.ga_facts(MAIN, start, end).groupby("deviceCategory")["screenPageViews"].sum()
        assert part.to_dict() == want.to_dict()


def test_batch_run_reports_answers_each_request(ga_data, network):
    requests = [
        body_for(["sessionDefaultChannelGroup"], ["sessions"], OCT),
        body_for(["hostName"], ["screenPageViews"], OCT) | {"property": f"properties/{MAIN}"},
    ]
    response = (
        ga_data.properties()
        .batchRunReports(property=f"properties/{MAIN}", body={"requests": requests})
        .execute()
    )
    assert response["kind"] == "analyticsData#batchRunReports"
    first, second = (to_frame(r) for r in response["reports"])
    f = network.ga_facts(MAIN, *OCT)
    groups = f.groupby("sessionDefaultChannelGroup")["sessions"].sum().to_dict()
    assert first.set_index("sessionDefaultChannelGroup")["sessions"].to_dict() == groups
    assert set(groups) == {
        "Organic Search", "Direct", "Email", "Organic Social", "Paid Social", "Referral",
    }  # fmt: skip
    assert second.to_dict("records") == [
        {"hostName": "www.pixelpost.net", "screenPageViews": int(f["screenPageViews"].sum())}
    ]


def _string(match_type, value, case_sensitive=None):
    spec = {"matchType": match_type, "value": value}
    if case_sensitive is not None:
        spec["caseSensitive"] = case_sensitive
    return {"filter": {"fieldName": "pagePath", "stringFilter": spec}}


FORUM = _string("BEGINS_WITH", "/forum")
DIMENSION_FILTERS = {
    "exact": (_string("EXACT", "/"), lambda f: f.pagePath == "/"),
    "exact, case-insensitive by default": (
        _string("EXACT", "/ABOUT"),
        lambda f: f.pagePath == "/about",
    ),
    "exact, case-sensitive": (_string("EXACT", "/ABOUT", True), lambda f: f.pagePath == "/ABOUT"),
    "begins with": (FORUM, lambda f: f.pagePath.str.startswith("/forum")),
    "ends with": (_string("ENDS_WITH", ".php"), lambda f: f.pagePath.str.endswith(".php")),
    "contains": (_string("CONTAINS", "REVIEW"), lambda f: f.pagePath.str.contains("review")),
    "full regexp": (
        _string("FULL_REGEXP", "/amp/news/.*"),
        lambda f: f.pagePath.str.fullmatch("/amp/news/.*"),
    ),
    "partial regexp": (
        _string("PARTIAL_REGEXP", r"guide|deal"),
        lambda f: f.pagePath.str.contains("guide|deal"),
    ),
    "in list": (
        {"filter": {"fieldName": "pagePath", "inListFilter": {"values": ["/", "/LOGIN.PHP"]}}},
        lambda f: f.pagePath.isin(["/", "/login.php"]),
    ),
    "numeric on a dimension": (
        {
            "filter": {
                "fieldName": "hour",
                "numericFilter": {"operation": "LESS_THAN", "value": {"int64Value": "6"}},
            }
        },
        lambda f: f.hour < 6,
    ),
    "between": (
        {
            "filter": {
                "fieldName": "hour",
                "betweenFilter": {"fromValue": {"int64Value": 9}, "toValue": {"doubleValue": 17}},
            }
        },
        lambda f: f.hour.between(9, 17),
    ),
    "empty": ({"filter": {"fieldName": "pagePath", "emptyFilter": {}}}, lambda f: f.pagePath == ""),
    "and group": (
        {"andGroup": {"expressions": [FORUM, _string("ENDS_WITH", "2088")]}},
        lambda f: f.pagePath == "/forum/thread/2088",
    ),
    "or group": (
        {"orGroup": {"expressions": [FORUM, _string("EXACT", "/")]}},
        lambda f: f.pagePath.str.startswith("/forum") | (f.pagePath == "/"),
    ),
    "not": ({"notExpression": FORUM}, lambda f: ~f.pagePath.str.startswith("/forum")),
}


@pytest.mark.parametrize("case", DIMENSION_FILTERS, ids=list(DIMENSION_FILTERS))
def test_dimension_filters(ga_data, network, case):
    expression, keep = DIMENSION_FILTERS[case]
    body = body_for(["pagePath"], ["screenPageViews"], OCT, dimensionFilter=expression)
    got = to_frame(run(ga_data, body))
    f = network.ga_facts(MAIN, *OCT)
    want = f[keep(f)].groupby("pagePath")["screenPageViews"].sum()
    assert got.set_index("pagePath")["screenPageViews"].to_dict() == want.to_dict()


def test_filter_on_a_dimension_not_reported(ga_data, network):
    expression = {
        "filter": {"fieldName": "sessionSource", "inListFilter": {"values": ["t.co", "reddit.com"]}}
    }
    body = body_for(["deviceCategory"], ["totalUsers"], OCT, dimensionFilter=expression)
    got = to_frame(run(ga_data, body)).set_index("deviceCategory")["totalUsers"]
    f = network.ga_facts(MAIN, *OCT)
    want = f[f.sessionSource.isin(["t.co", "reddit.com"])].groupby("deviceCategory")["totalUsers"]
    assert got.to_dict() == want.sum().to_dict()


def test_metric_filters_apply_to_aggregated_rows(ga_data, network):
    want = network.ga_facts(MAIN, *OCT).groupby("pagePath")["screenPageViews"].sum()
    cut = int(want.median())
    numeric = {
        "filter": {
            "fieldName": "screenPageViews",
            "numericFilter": {"operation": "GREATER_THAN_OR_EQUAL", "value": {"int64Value": cut}},
        }
    }
    got = to_frame(
        run(ga_data, body_for(["pagePath"], ["screenPageViews"], OCT, metricFilter=numeric))
    )
    assert set(got["pagePath"]) == set(want[want >= cut].index)
    between = {
        "filter": {
            "fieldName": "screenPageViews",
            "betweenFilter": {"fromValue": {"int64Value": 1}, "toValue": {"int64Value": cut}},
        }
    }
    got = to_frame(
        run(ga_data, body_for(["pagePath"], ["screenPageViews"], OCT, metricFilter=between))
    )
    assert set(got["pagePath"]) == set(want[want <= cut].index)


def test_order_bys(ga_data, network):
    body = body_for(
        ["pageTitle"],
        ["sessions"],
        OCT,
        orderBys=[
            {"dimension": {"dimensionName": "pageTitle", "orderType": "ALPHANUMERIC"}, "desc": True}
        ],
    )
    titles = to_frame(run(ga_data, body))["pageTitle"].tolist()
    assert titles == sorted(set(network.ga_facts(MAIN, *OCT)["pageTitle"]), reverse=True)
    body["orderBys"] = [
        {"dimension": {"dimensionName": "pageTitle", "orderType": "CASE_INSENSITIVE_ALPHANUMERIC"}}
    ]
    titles = to_frame(run(ga_data, body))["pageTitle"].tolist()
    assert titles == sorted(titles, key=str.lower)
    body = body_for(
        ["hour"],
        ["sessions"],
        OCT,
        orderBys=[{"dimension": {"dimensionName": "hour", "orderType": "NUMERIC"}}],
    )
    assert to_frame(run(ga_data, body))["hour"].tolist() == [f"{h:02d}" for h in range(24)]
    body["orderBys"] = [{"metric": {"metricName": "sessions"}}]
    assert to_frame(run(ga_data, body))["sessions"].is_monotonic_increasing


def test_paging_past_ten_thousand_rows(ga_data, network):
    start, end = date(2026, 5, 1), date(2026, 9, 30)
    dims = ["dateHour", "pagePathPlusQueryString"]
    want = expected(facts(network, start, end), dims)
    assert len(want) > 10_000
    first = run(ga_data, body_for(dims, ["screenPageViews"], (start, end)))
    assert len(first["rows"]) == 10_000 and first["rowCount"] == len(want)
    rest = run(
        ga_data, body_for(dims, ["screenPageViews"], (start, end), offset=10_000, limit=250_000)
    )
    assert len(rest["rows"]) == len(want) - 10_000
    got = pd.concat([to_frame(first), to_frame(rest)])
    assert not got.duplicated(dims).any()
    merged = got.merge(want, on=dims, suffixes=("", "_want"))
    assert len(merged) == len(want)
    assert (merged["screenPageViews"] == merged["screenPageViews_want"]).all()
    small = run(ga_data, body_for(dims, ["screenPageViews"], (start, end), limit="5", offset="7"))
    assert to_frame(small).equals(to_frame(first).iloc[7:12].reset_index(drop=True))


def test_metric_aggregations(ga_data, network):
    yoy = (date(2025, 10, 1), date(2025, 10, 31), "yoy")
    body = body_for(
        ["country"],
        ["sessions", "screenPageViewsPerSession"],
        OCT,
        yoy,
        metricAggregations=["TOTAL", "MAXIMUM", "MINIMUM"],
    )
    response = run(ga_data, body)
    for start, end, name in [(*OCT, "date_range_0"), yoy]:
        by_country = expected(facts(network, start, end), ["country"])
        total = next(t for t in response["totals"] if t["dimensionValues"][1]["value"] == name)
        assert total["dimensionValues"][0]["value"] == "RESERVED_TOTAL"
        sessions = by_country["sessions"].sum()
        views = by_country["screenPageViews"].sum()
        assert int(total["metricValues"][0]["value"]) == sessions
        assert float(total["metricValues"][1]["value"]) == pytest.approx(views / sessions)
        top = next(t for t in response["maximums"] if t["dimensionValues"][1]["value"] == name)
        assert top["dimensionValues"][0]["value"] == "RESERVED_MAX"
        assert int(top["metricValues"][0]["value"]) == by_country["sessions"].max()
        low = next(t for t in response["minimums"] if t["dimensionValues"][1]["value"] == name)
        assert float(low["metricValues"][1]["value"]) == pytest.approx(
            by_country["screenPageViewsPerSession"].min()
        )


def test_empty_result_has_no_rows_and_no_row_count(ga_data):
    response = run(
        ga_data, body_for(["date"], ["sessions"], (date(2022, 1, 1), date(2022, 12, 31)))
    )
    assert "rows" not in response and "rowCount" not in response
    assert response["dimensionHeaders"] == [{"name": "date"}]


def test_relative_dates_and_freshness(ga_data, network):
    # Complete days have all 24 dateHours, the next day hours 00-11, later days nothing.
    today = network.today
    body = body_for(["date", "dateHour"], ["sessions"])
    body["dateRanges"] = [{"startDate": "4daysAgo", "endDate": "today"}]
    hours = to_frame(run(ga_data, body)).groupby("date")["dateHour"].count().to_dict()
    day = lambda n: (today - timedelta(days=n)).strftime("%Y%m%d")  # noqa: E731
    assert hours == {day(4): 24, day(3): 24, day(2): 24, day(1): 12}
    assert network.ga_available_through(MAIN) == today - timedelta(days=2)
    lagging = next(p for p in network.ga_properties.values() if p.lag_days)
    body["dateRanges"] = [{"startDate": "4daysAgo", "endDate": "yesterday"}]
    hours = to_frame(run(ga_data, body, lagging.property_id)).groupby("date")["dateHour"].count()
    assert hours.to_dict() == {day(4): 24, day(3): 24, day(2): 12}


def test_metadata_flags(ga_data, network):
    props = network.ga_properties.values()
    thresholded = next(p for p in props if p.thresholded)
    other = next(p for p in props if p.other_row)
    new_york = next(p for p in props if p.time_zone == "America/New_York")
    meta = run(ga_data, body_for(["country"], ["sessions"], OCT), thresholded.property_id)[
        "metadata"
    ]
    assert meta["subjectToThresholding"] is True
    with_pages = run(ga_data, body_for(["pagePath"], ["sessions"], OCT), other.property_id)
    assert with_pages["metadata"]["dataLossFromOtherRow"] is True
    assert "(other)" in set(to_frame(with_pages)["pagePath"])
    without = run(ga_data, body_for(["country"], ["sessions"], OCT), other.property_id)
    assert "dataLossFromOtherRow" not in without["metadata"]
    meta = run(ga_data, body_for([], ["sessions"], OCT), new_york.property_id)["metadata"]
    assert meta["timeZone"] == "America/New_York"


def test_property_quota_is_reported_and_consumed(ga_data, clean_emulator):
    body = body_for(["country"], ["sessions"], OCT, returnPropertyQuota=True)
    first = run(ga_data, body)["propertyQuota"]
    second = run(ga_data, body)["propertyQuota"]
    assert first["tokensPerDay"]["consumed"] >= 1
    assert second["tokensPerDay"]["remaining"] < first["tokensPerDay"]["remaining"]
    assert set(first) >= {"tokensPerHour", "concurrentRequests", "tokensPerProjectPerHour"}
    assert "propertyQuota" not in run(ga_data, body_for(["country"], ["sessions"], OCT))


def test_get_metadata_lists_every_field(ga_data):
    meta = ga_data.properties().getMetadata(name=f"properties/{MAIN}/metadata").execute()
    assert meta["name"] == f"properties/{MAIN}/metadata"
    dims = {d["apiName"] for d in meta["dimensions"]}
    assert {"date", "dateHour", "pagePath", "sessionSourceMedium", "countryId"} <= dims
    types = {m["apiName"]: m["type"] for m in meta["metrics"]}
    assert types["screenPageViews"] == "TYPE_INTEGER"
    assert types["averageSessionDuration"] == "TYPE_SECONDS"
    assert types["engagementRate"] == "TYPE_FLOAT"
    assert all(d["uiName"] and d["category"] for d in meta["dimensions"])


def test_account_summaries_paging(ga_admin, network):
    seen, token, pages = [], None, 0
    while True:
        page = ga_admin.accountSummaries().list(pageSize=1, pageToken=token).execute()
        seen += page["accountSummaries"]
        pages += 1
        token = page.get("nextPageToken")
        if not token:
            break
    assert pages == len(network.accounts) == 3
    properties = {
        p["property"].removeprefix("properties/"): p for a in seen for p in a["propertySummaries"]
    }
    assert set(properties) == set(network.ga_properties)
    first = seen[0]
    assert first["name"].startswith("accountSummaries/") and first["account"].startswith(
        "accounts/"
    )
    assert all(p["parent"] == first["account"] for p in first["propertySummaries"])
    assert all(p["propertyType"] == "PROPERTY_TYPE_ORDINARY" for p in properties.values())
    everything = ga_admin.accountSummaries().list().execute()
    assert len(everything["accountSummaries"]) == 3 and "nextPageToken" not in everything


def test_anonymous_credentials_work(make_client):
    client = make_client("analyticsdata", "v1beta", credentials=AnonymousCredentials())
    response = run(client, body_for([], ["sessions"], OCT))
    assert int(response["rows"][0]["metricValues"][0]["value"]) > 0


# ---------------------------------------------------------------- errors like Google's


def _error(call) -> HttpError:
    with pytest.raises(HttpError) as caught:
        call()
    return caught.value


ALL_SESSIONS = body_for([], ["sessions"], OCT)
INVALID_BODIES = {
    "unknown metric": (
        body_for([], ["pageviews"], OCT),
        "Field pageviews is not a valid metric. For a list of valid dimensions and metrics, "
        f"see {SCHEMA_URL}",
    ),
    "unknown dimension": (
        body_for(["socialNetwork"], ["sessions"], OCT),
        "Field socialNetwork is not a valid dimension.",
    ),
    "five date ranges": (body_for([], ["sessions"], *[OCT] * 5), "limited to 4 dateRanges"),
    "ten dimensions": (body_for(["date"] * 10, ["sessions"], OCT), "limited to 9 dimensions"),
    "eleven metrics": (body_for([], ["sessions"] * 11, OCT), "limited to 10 metrics"),
    "bad date": (
        ALL_SESSIONS | {"dateRanges": [{"startDate": "2026-02-30", "endDate": "today"}]},
        'invalid value "2026-02-30"',
    ),
    "start after end": (body_for([], ["sessions"], (OCT[1], OCT[0])), "must be on or before"),
    "limit too big": (ALL_SESSIONS | {"limit": 250_001}, "250000"),
    "unknown field": (ALL_SESSIONS | {"dimensionFilters": {}}, 'Unknown name "dimensionFilters"'),
    "order by a metric not asked for": (
        ALL_SESSIONS | {"orderBys": [{"metric": {"metricName": "totalUsers"}}]},
        "orderBys",
    ),
    "bad regular expression": (
        ALL_SESSIONS | {"dimensionFilter": _string("FULL_REGEXP", "(unclosed")},
        "Invalid regular expression",
    ),
}


@pytest.mark.parametrize("case", INVALID_BODIES, ids=list(INVALID_BODIES))
def test_invalid_requests_are_400(ga_data, case):
    body, message = INVALID_BODIES[case]
    error = _error(lambda: run(ga_data, body))
    assert error.status_code == 400
    assert message in error.reason
    assert error.error_details == "" or "INVALID_ARGUMENT" in error.content.decode()


def test_unknown_property_is_403(ga_data):
    error = _error(lambda: run(ga_data, body_for([], ["sessions"], OCT), "999999999"))
    assert error.status_code == 403
    assert error.reason.startswith("User does not have sufficient permissions for this property.")
    assert b"PERMISSION_DENIED" in error.content


def test_batch_limits(ga_data):
    batch = ga_data.properties().batchRunReports
    six = {"requests": [body_for([], ["sessions"], OCT)] * 6}
    error = _error(lambda: batch(property=f"properties/{MAIN}", body=six).execute())
    assert error.status_code == 400 and "limited to 5" in error.reason
    other = {"requests": [body_for([], ["sessions"], OCT) | {"property": "properties/298451006"}]}
    error = _error(lambda: batch(property=f"properties/{MAIN}", body=other).execute())
    assert error.status_code == 400 and "must be empty or match" in error.reason


FAULTS = {
    "rate": (429, "Exhausted concurrent requests quota."),
    "quota_day": (429, "Exhausted property tokens per day for a project per property."),
    "quota_hour": (429, "Exhausted property tokens per hour for a project per property."),
    "500": (500, "Internal error encountered."),
    "503": (503, "The service is currently unavailable."),
    "401": (401, "Request had invalid authentication credentials."),
    "400": (400, "Request contains an invalid argument."),
    "403": (403, "The caller does not have permission"),
}


@pytest.mark.parametrize("kind", FAULTS)
def test_injected_faults_surface_as_http_errors(ga_data, clean_emulator, kind):
    status, message = FAULTS[kind]
    clean_emulator.add_fault(kind, endpoint="ga.runReport", times=2)
    for _ in range(2):
        error = _error(lambda: run(ga_data, body_for([], ["sessions"], OCT)))
        assert error.status_code == status
        assert error.reason.startswith(message)
    if kind == "503":
        assert error.resp["retry-after"] == "1"
    assert "rows" in run(ga_data, body_for([], ["sessions"], OCT))  # the fault is gone
    assert [e["status"] for e in clean_emulator.requests()["log"]] == [status, status, 200]


def test_fault_match_picks_requests(ga_data, clean_emulator):
    clean_emulator.add_fault("rate", match="298451006")
    assert "rows" in run(ga_data, body_for([], ["sessions"], OCT))
    assert (
        _error(lambda: run(ga_data, body_for([], ["sessions"], OCT), "298451006")).status_code
        == 429
    )


def test_slow_and_malformed_answers(ga_data, clean_emulator):
    clean_emulator.add_fault("slow", endpoint="ga.runReport", latency_ms=300)
    started = time.perf_counter()
    assert "rows" in run(ga_data, body_for([], ["sessions"], OCT))
    assert time.perf_counter() - started >= 0.3
    clean_emulator.add_fault("malformed", endpoint="*")
    # The client hands back a body that is not JSON as the text it got.
    broken = run(ga_data, body_for([], ["sessions"], OCT))
    assert isinstance(broken, str)
    with pytest.raises(ValueError):
        json.loads(broken)


def test_401_with_anonymous_credentials_is_an_auth_error(make_client, clean_emulator):
    # google-auth's AuthorizedHttp refreshes on 401, which anonymous credentials cannot do.
    client = make_client("analyticsdata", "v1beta", credentials=AnonymousCredentials())
    clean_emulator.add_fault("401")
    with pytest.raises((GoogleAuthError, HttpError)):
        run(client, body_for([], ["sessions"], OCT))


def test_counters_log_and_control_endpoints(ga_data, ga_admin, clean_emulator):
    run(ga_data, body_for([], ["sessions"], OCT))
    ga_data.properties().getMetadata(name=f"properties/{MAIN}/metadata").execute()
    ga_admin.accountSummaries().list().execute()
    _error(lambda: run(ga_data, body_for([], ["sessions"], OCT), "999999999"))
    http = httplib2.Http()
    _, content = http.request(clean_emulator.url + "/_emulator/requests")
    counts = json.loads(content)
    assert counts["total"] == 4
    assert counts["by_endpoint"]["ga.runReport"] == 2
    assert counts["by_endpoint"]["ga.getMetadata"] == 1
    assert counts["by_endpoint"]["admin.accountSummaries.list"] == 1
    assert counts["by_endpoint"]["yt.reports.query"] == 0
    assert counts["log"][-1] == {
        "endpoint": "ga.runReport",
        "method": "POST",
        "path": "/v1beta/properties/999999999:runReport",
        "key": "999999999",
        "status": 403,
    }
    faults = '{"faults": [{"endpoint": "ga.getMetadata", "kind": "503", "times": 1}]}'
    resp, _ = http.request(clean_emulator.url + "/_emulator/faults", "POST", body=faults)
    assert resp.status == 200
    resp, _ = http.request(
        clean_emulator.url + "/_emulator/faults", "POST", body='{"faults": [{"kind": "boom"}]}'
    )
    assert resp.status == 400
    error = _error(
        lambda: ga_data.properties().getMetadata(name=f"properties/{MAIN}/metadata").execute()
    )
    assert error.status_code == 503
    resp, _ = http.request(clean_emulator.url + "/_emulator/reset", "POST")
    assert resp.status == 200 and clean_emulator.requests()["total"] == 0


def test_demo_sites_differ_in_pages_per_session_and_session_length(ga_data, network):
    """Each site's readers have their own habits, as real sites do (not one ratio for all):
    GA4's ratios over a month, per main property, equal the raw facts' and spread widely."""
    mains = [p for p, prop in network.ga_properties.items() if prop.host_name.startswith("www.")]
    body = body_for([], ["screenPageViewsPerSession", "averageSessionDuration"], OCT)
    habits = {}
    for pid in mains:
        [row] = to_frame(run(ga_data, body, pid)).to_dict("records")
        facts = network.ga_facts(pid, *OCT)
        sessions = facts["sessions"].sum()
        assert row["screenPageViewsPerSession"] == pytest.approx(
            facts["screenPageViews"].sum() / sessions
        )
        assert row["averageSessionDuration"] == pytest.approx(
            facts["sessionDuration"].sum() / sessions
        )
        habits[pid] = (row["screenPageViewsPerSession"], row["averageSessionDuration"])
    pages, seconds = zip(*habits.values(), strict=True)
    assert len(habits) >= 5
    assert max(pages) / min(pages) > 1.4 and max(seconds) / min(seconds) > 1.6
    assert len({round(p, 2) for p in pages}) == len(pages)  # no two sites alike


@pytest.mark.parametrize(
    "dimensions, metrics, extra",
    [
        (["pagePath", "pageTitle"], ["screenPageViews", "totalUsers"], {}),
        (["country", "sessionSource"], ["sessions", "bounceRate", "engagementRate"], {}),
        (["date"], ["averageSessionDuration"], {"metricAggregations": ["TOTAL", "MAXIMUM"]}),
        ([], ["sessions", "screenPageViewsPerSession"], {}),
        (["eventName"], ["keyEvents"], {}),
        (["pagePath"], ["screenPageViews"], {"limit": 3, "offset": 2}),
    ],
)
def test_answers_sent_as_json_text_are_the_bytes_of_their_dicts(
    network, dimensions, metrics, extra
):
    """The server writes GA rows as JSON text (ga.RawJSON), without a dict per row: the
    bytes must be json.dumps' of the dict answer, titles with non-ASCII letters included."""
    from statsdash.emulator import ga, server

    body = {
        "requests": [
            body_for(dimensions, metrics, OCT, (date(2025, 10, 1), date(2025, 10, 31)), **extra),
            body_for(dimensions, metrics, OCT, **extra),
        ]
    }
    plain = ga.batch_run_reports(network, MAIN, body, ga.PropertyQuota())
    sent = server._encoded(
        ga.batch_run_reports(network, MAIN, body, ga.PropertyQuota(), encoded=True)
    )
    assert plain["reports"][0].get("rows"), "a report with rows"
    assert sent == json.dumps(plain).encode()


def test_rows_written_as_text_escape_labels_as_json_does():
    """Labels with quotes, backslashes, control characters and non-ASCII letters (the demo's
    catalogue has none, a disguised or real one may)."""
    import numpy as np

    from statsdash.emulator import ga
    from statsdash.emulator import ga_query as q

    labels = np.array(['S\u00e3o "Paulo"', "back\\slash", "tab\tnew\nline", "\u202eevil", "plain"])
    groups = q.Groups(
        ["city", "x"],
        [np.array([0, 1, 2, 3, 4, 0]), np.array([4, 3, 2, 1, 0, 4])],
        [labels, labels],
        np.zeros(6, dtype=int),
        {"sessions": np.array([5, 4, 3, 2, 1, 0]), "engagedSessions": np.arange(6)},
    )
    for page in (np.arange(6), np.array([5, 0])):
        for metrics in (["sessions", "engagementRate"], []):
            text = ga._rows_json(groups, page, metrics).text
            assert text == json.dumps(ga._row_objects(groups, page, metrics))
    no_dimensions = q.Groups([], [], [], np.zeros(2, dtype=int), {"sessions": np.array([1, 2])})
    text = ga._rows_json(no_dimensions, np.arange(2), ["sessions"]).text
    assert text == json.dumps(ga._row_objects(no_dimensions, np.arange(2), ["sessions"]))


def test_a_served_string_that_holds_the_mark_is_sent_as_itself():
    from statsdash.emulator import ga, server

    payload = {"a": "\x000\x00", "reports": [{"rows": ga.RawJSON('[{"metricValues": []}]')}]}
    expected = {"a": "\x000\x00", "reports": [{"rows": [{"metricValues": []}]}]}
    assert server._encoded(payload) == json.dumps(expected).encode()


@pytest.mark.parametrize("span", [7, 52, 5_000, 10**9])
def test_grouping_a_few_keys_by_counting_groups_as_sorting_does(span):
    """A key of few possible values (months x devices) is counted, not sorted: the same
    groups, in the same order, with the same first rows, as np.unique's."""
    import numpy as np

    from statsdash.emulator.ga_query import _groups_of

    key = np.random.default_rng(span).integers(0, span, 3_000)
    first, inverse = _groups_of(key, span)
    _, want_first, want_inverse = np.unique(key, return_index=True, return_inverse=True)
    assert first.tolist() == want_first.tolist()
    assert inverse.tolist() == want_inverse.tolist()


def test_realtime_minutes_kept_are_the_minutes_drawn():
    """A realtime minute is drawn once and kept: asked again, alone or in another window,
    it is the same rows as drawn afresh."""
    import numpy as np

    from statsdash.emulator import catalog as cat
    from statsdash.emulator import network, stores

    spec = cat.PROPERTY_SPECS[0]
    pages = network._site_pages(spec.site)
    window = np.arange(29_000_000, 29_000_030)
    first = stores.ga_realtime_minutes(spec, pages, 0, window)
    later = stores.ga_realtime_minutes(spec, pages, 0, window + 10)
    stores._MINUTES.clear()
    fresh = stores.ga_realtime_minutes(spec, pages, 0, window + 10)
    rows = stores.REALTIME_ROWS
    for column in first:
        assert (later[column] == fresh[column]).all()
        assert (first[column][10 * rows :] == later[column][: 20 * rows]).all()

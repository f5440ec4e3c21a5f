"""Google's own Data API client against the emulator, with only its endpoint changed: the
calls of Google's published samples (googleanalytics/python-docs-samples,
google-analytics-data/: aggregations, dimension and metric filters, ordering, batches,
key events), written afresh. Its REST transport sends enums as numbers (enum-encoding=int),
so these also prove the emulator reads both forms. Expected numbers come from raw facts."""

from __future__ import annotations

from datetime import date

import pytest
from google.analytics import data_v1beta
from google.analytics.data_v1beta import types
from google.auth.credentials import AnonymousCredentials

PROPERTY = "311204581"
OCTOBER = types.DateRange(start_date="2026-10-01", end_date="2026-10-31")
Match = types.Filter.StringFilter.MatchType
Operation = types.Filter.NumericFilter.Operation
OrderType = types.OrderBy.DimensionOrderBy.OrderType


@pytest.fixture(scope="module")
def client(emulator):
    return data_v1beta.BetaAnalyticsDataClient(
        transport="rest",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": emulator.url},
    )


@pytest.fixture(scope="module")
def october(network):
    return network.ga_facts(PROPERTY, date(2026, 10, 1), date(2026, 10, 31))


def string_filter(field: str, match, value: str) -> types.FilterExpression:
    inner = types.Filter.StringFilter(match_type=match, value=value)
    return types.FilterExpression(filter=types.Filter(field_name=field, string_filter=inner))


def test_aggregations_by_number(client, october):
    response = client.run_report(
        types.RunReportRequest(
            property=f"properties/{PROPERTY}",
            date_ranges=[OCTOBER],
            dimensions=[types.Dimension(name="country")],
            metrics=[types.Metric(name="sessions")],
            metric_aggregations=[
                types.MetricAggregation.TOTAL,
                types.MetricAggregation.MAXIMUM,
                types.MetricAggregation.MINIMUM,
            ],
        )
    )
    by_country = october.groupby("country")["sessions"].sum()
    assert int(response.totals[0].metric_values[0].value) == october["sessions"].sum()
    assert int(response.maximums[0].metric_values[0].value) == by_country.max()
    assert int(response.minimums[0].metric_values[0].value) == by_country.min()
    assert response.row_count == len(by_country)


def test_string_and_numeric_filters_by_number(client, october):
    threshold = 1000
    response = client.run_report(
        types.RunReportRequest(
            property=f"properties/{PROPERTY}",
            date_ranges=[OCTOBER],
            dimensions=[types.Dimension(name="pagePath")],
            metrics=[types.Metric(name="screenPageViews")],
            dimension_filter=string_filter("pagePath", Match.BEGINS_WITH, "/news/"),
            metric_filter=types.FilterExpression(
                filter=types.Filter(
                    field_name="screenPageViews",
                    numeric_filter=types.Filter.NumericFilter(
                        operation=Operation.GREATER_THAN,
                        value=types.NumericValue(int64_value=threshold),
                    ),
                )
            ),
        )
    )
    news = october[october["pagePath"].str.startswith("/news/")]
    views = news.groupby("pagePath")["screenPageViews"].sum()
    want = views[views > threshold]
    got = {r.dimension_values[0].value: int(r.metric_values[0].value) for r in response.rows}
    assert got == want.to_dict() and got


def test_ordering_by_a_dimension_with_an_order_type(client, october):
    response = client.run_report(
        types.RunReportRequest(
            property=f"properties/{PROPERTY}",
            date_ranges=[OCTOBER],
            dimensions=[types.Dimension(name="date")],
            metrics=[types.Metric(name="activeUsers")],
            order_bys=[
                types.OrderBy(
                    dimension=types.OrderBy.DimensionOrderBy(
                        dimension_name="date", order_type=OrderType.NUMERIC
                    ),
                    desc=True,
                )
            ],
        )
    )
    days = [r.dimension_values[0].value for r in response.rows]
    assert days == sorted(days, reverse=True) and days[0] == "20261031"
    first = int(response.rows[0].metric_values[0].value)
    assert first == october.loc[october["date"] == "2026-10-31", "activeUsers"].sum()


def test_a_batch_and_key_events_by_event_name(client, october):
    response = client.batch_run_reports(
        types.BatchRunReportsRequest(
            property=f"properties/{PROPERTY}",
            requests=[
                types.RunReportRequest(
                    date_ranges=[OCTOBER],
                    dimensions=[types.Dimension(name="eventName")],
                    metrics=[types.Metric(name="keyEvents")],
                    dimension_filter=string_filter("eventName", Match.EXACT, "purchase"),
                ),
                types.RunReportRequest(
                    date_ranges=[OCTOBER],
                    metrics=[types.Metric(name="engagedSessions"), types.Metric(name="sessions")],
                ),
            ],
        )
    )
    events, totals = response.reports
    assert [(r.dimension_values[0].value, int(r.metric_values[0].value)) for r in events.rows] == [
        ("purchase", october["keyEvents:purchase"].sum())
    ]
    values = [int(v.value) for v in totals.rows[0].metric_values]
    assert values == [october["engagedSessions"].sum(), october["sessions"].sum()]


def test_an_unknown_enum_number_is_still_a_400(emulator):
    import json
    import urllib.error
    import urllib.request

    body = {"dateRanges": [{"startDate": "2026-10-01", "endDate": "2026-10-31"}]}
    body |= {"metrics": [{"name": "sessions"}], "metricAggregations": [9]}
    request = urllib.request.Request(
        f"{emulator.url}/v1beta/properties/{PROPERTY}:runReport",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request)
    assert error.value.code == 400
    assert "Invalid metricAggregation: 9." in error.value.read().decode()

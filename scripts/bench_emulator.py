"""Latency of typical Statsdash queries against the emulator, over loopback HTTP through
google-api-python-client: first use per property/channel (fact generation), then the median
and 95th percentile of warm requests.

    python scripts/bench_emulator.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import httplib2
from googleapiclient.discovery import build

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from statsdash.emulator import start_emulator  # noqa: E402

TODAY = date(2026, 11, 20)
MONTH = {"startDate": "2026-10-01", "endDate": "2026-10-31"}
PREVIOUS = {"startDate": "2026-08-31", "endDate": "2026-09-30"}
YEAR_AGO = {"startDate": "2025-10-01", "endDate": "2025-10-31"}


def client(name: str, version: str, url: str):
    return build(name, version, http=httplib2.Http(), client_options={"api_endpoint": url})


def ga_body(dimensions, metrics, ranges, **extra) -> dict:
    return {
        "dateRanges": ranges,
        "dimensions": [{"name": d} for d in dimensions],
        "metrics": [{"name": m} for m in metrics],
        **extra,
    }


def queries(url: str, net) -> dict:
    """name -> a callable making one request."""
    ga = client("analyticsdata", "v1beta", url).properties()
    yta = client("youtubeAnalytics", "v2", url).reports()
    yt = client("youtube", "v3", url).channels()
    prop = "properties/298451006"
    owner = f"contentOwner=={net.content_owner_id}"
    group = "channel==" + ",".join(net.channel_groups["Gear Haven"])
    social = {
        "filter": {
            "fieldName": "sessionDefaultChannelGroup",
            "stringFilter": {"value": "Organic Social"},
        }
    }
    summary = ga_body(
        [], ["screenPageViews", "totalUsers", "sessions", "averageSessionDuration"], [MONTH]
    )
    return {
        "ga summary, 1 range": lambda: ga.runReport(property=prop, body=summary).execute(),
        "ga country, 3 ranges": lambda: ga.runReport(
            property=prop,
            body=ga_body(
                ["country"], ["screenPageViews", "totalUsers"], [MONTH, PREVIOUS, YEAR_AGO]
            ),
        ).execute(),
        "ga articles (path,title,host), 3 ranges": lambda: ga.runReport(
            property=prop,
            body=ga_body(
                ["hostName", "pagePath", "pageTitle"],
                ["screenPageViews"],
                [MONTH, PREVIOUS, YEAR_AGO],
                limit=100,
            ),
        ).execute(),
        "ga social (source), filter, 2 ranges": lambda: ga.runReport(
            property=prop,
            body=ga_body(
                ["sessionSource"],
                ["screenPageViews", "totalUsers", "sessions"],
                [MONTH, YEAR_AGO],
                dimensionFilter=social,
            ),
        ).execute(),  # fmt: skip
        "ga dateHour freshness, 2 days": lambda: ga.runReport(
            property=prop,
            body=ga_body(
                ["dateHour"],
                ["screenPageViews"],
                [{"startDate": "3daysAgo", "endDate": "yesterday"}],
            ),
        ).execute(),  # fmt: skip
        "ga batchRunReports x3": lambda: ga.batchRunReports(
            property=prop, body={"requests": [summary] * 3}
        ).execute(),
        "yt day x channel, group, month": lambda: yta.query(
            ids=owner,
            startDate="2026-10-01",
            endDate="2026-10-31",
            metrics="views,estimatedMinutesWatched,subscribersGained,subscribersLost",
            dimensions="day,channel",
            filters=group,
        ).execute(),  # fmt: skip
        "yt top videos, sort, maxResults 10": lambda: yta.query(
            ids=owner,
            startDate="2026-10-01",
            endDate="2026-10-31",
            metrics="estimatedMinutesWatched,views",
            dimensions="video",
            filters=group,
            sort="-estimatedMinutesWatched",
            maxResults=10,
        ).execute(),  # fmt: skip
        "yt channels.list statistics, 3 ids": lambda: yt.list(
            part="statistics", id=group.removeprefix("channel==")
        ).execute(),
    }


def cold_starts(url: str, net) -> list[float]:
    """Seconds of the first request per property: it generates the property's facts."""
    ga = client("analyticsdata", "v1beta", url).properties()
    body = ga_body(["country"], ["screenPageViews"], [MONTH])
    seconds = []
    for pid in net.ga_properties:
        started = time.perf_counter()
        ga.runReport(property=f"properties/{pid}", body=body).execute()
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="warm requests per query")
    args = parser.parse_args()
    handle = start_emulator(port=0, today=TODAY)
    try:
        cold = cold_starts(handle.url, handle.network)
        print(
            f"first request per property (fact generation, {len(cold)} properties): "
            f"median {statistics.median(cold) * 1000:.0f} ms, max {max(cold) * 1000:.0f} ms"
        )
        print(f"\n{'query':42} {'median ms':>10} {'p95 ms':>8}")
        for name, call in queries(handle.url, handle.network).items():
            call()  # warm: generation and connection set-up are not what is measured here
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                call()
                times.append((time.perf_counter() - started) * 1000)
            p95 = statistics.quantiles(times, n=20)[-1]
            print(f"{name:42} {statistics.median(times):10.2f} {p95:8.2f}")
    finally:
        handle.stop()


if __name__ == "__main__":
    main()

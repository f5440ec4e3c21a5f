"""The Google Analytics 4 client: the only Statsdash code that talks to the GA4 Data and Admin APIs.

Keeps the old tool's names (`execute_query`, `data_available`, `run_report`, `rollup_ids`) on
today's APIs. Every answer goes through the response cache, keyed by endpoint, method,
property and request body; answers touching the last few days expire quickly.

Each report carries the property's quota as that answer reported it (`metadata["quota"]`),
stamped with when Google gave the answer (`as_of`) and `from_cache`: a cached answer's quota
is as it was then, not now.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from google.auth.exceptions import GoogleAuthError, RefreshError

from statsdash import budget
from statsdash.cache import FINAL_TTL, ResponseCache, open_cache
from statsdash.config import Config, FetchConfig, GoogleAnalyticsConfig, Property, Site
from statsdash.errors import AuthError, BadResponse, StatsdashError
from statsdash.ga.query import (
    DATE_RANGE,
    MAX_BATCH,
    PAGE_SIZE,
    Report,
    ReportRequest,
    by_metric,
    parse_report,
    property_quota,
)
from statsdash.ga.query import date_ranges as build_date_ranges
from statsdash.ga.series import hours_per_day
from statsdash.google_api import (
    MAX_TRIES,
    TIMEOUT,
    HttpFactory,
    arrived_at,
    build_service,
    execute,
    let_go_decoding,
    one_decoder,
    refresh_failure,
    stamped,
)
from statsdash.limiter import limiter_for
from statsdash.utilities import ratio, rollup

SCOPE = "https://www.googleapis.com/auth/analytics.readonly"
GOOGLE_ENDPOINT = "https://analyticsdata.googleapis.com"
MAX_WORKERS = 10  # GA4 allows 10 concurrent requests per property
PROVISIONAL_DAYS = 3  # GA4 may still revise a day for up to 72 hours
# Stored beside a cached answer (never sent by Google): when Google gave it, in epoch seconds.
RECEIVED_AT = "statsdashReceivedAt"
# Ratio metrics and the metric that weights them when properties are rolled up.
RATIO_WEIGHTS = {
    "averageSessionDuration": "sessions",
    "screenPageViewsPerSession": "sessions",
    "engagementRate": "sessions",
    "bounceRate": "sessions",
}


def load_credentials(ga: GoogleAnalyticsConfig) -> Any | None:
    """Service-account credentials from the key file or secrets; None with `credentials: none`."""
    if ga.credentials is None and ga.credentials_info is None:
        return None
    from google.oauth2 import service_account

    where = str(ga.credentials) if ga.credentials else "[gcp_service_account] in secrets.toml"
    try:
        if ga.credentials is not None:
            return service_account.Credentials.from_service_account_file(
                str(ga.credentials), scopes=[SCOPE]
            )
        return service_account.Credentials.from_service_account_info(
            ga.credentials_info, scopes=[SCOPE]
        )
    except (ValueError, KeyError, OSError) as error:
        raise AuthError(
            f"{where}: not a usable service-account key ({error}); download a new JSON key in "
            "Google Cloud console > IAM & Admin > Service accounts > Keys"
        ) from None


def pool_size(config: Config | GoogleAnalyticsConfig) -> int:
    """Requests the client may have in flight: two per property (a round asks each property
    once, and the prefetched rounds travel beside it), at most fetch.max_in_flight. A round
    in waves of the pool's size waited a whole answer's time per wave: 20 made a 40-property
    round two waves, and a cold Overview's two rounds four."""
    ga = config.google_analytics if isinstance(config, Config) else config
    properties = sum(len(site.properties) for site in ga.sites.values()) if ga else 1
    limit = config.fetch.max_in_flight if isinstance(config, Config) else FetchConfig.max_in_flight
    return max(1, min(limit, 2 * properties))


REALTIME_TTL = 60.0  # seconds a realtime answer is reused (the Realtime page asks anew)


class Analytics:
    """GA4 Data API client built from the config; safe to share between threads."""

    def __init__(
        self,
        config: Config | GoogleAnalyticsConfig,
        *,
        cache: ResponseCache | None = None,
        today: date | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_tries: int = MAX_TRIES,
    ) -> None:
        ga = config.google_analytics if isinstance(config, Config) else config
        if ga is None:
            raise StatsdashError(f"{config.source} has no google_analytics section")
        if cache is None and isinstance(config, Config):
            cache = open_cache(config.cache)
        self.limiter = limiter_for(config.cache if isinstance(config, Config) else None)
        # One pool per client, for every round of every selection: its threads keep their
        # HTTP connections (one per thread, see HttpFactory), so later rounds reuse them.
        # A round asks every property at once, so the pool grows with the properties (a
        # fixed 20 made 80 sites take 4 waves a round), bounded by fetch.max_in_flight;
        # the limiter keeps each property at 10. Threads start only when needed.
        self.pool = ThreadPoolExecutor(pool_size(config), thread_name_prefix="statsdash-ga")
        self.endpoint = ga.endpoint
        self.cache = cache or ResponseCache(None, enabled=False)
        self.today = today
        self.sleep = sleep
        self.max_tries = max_tries
        timeout = config.fetch.timeout_seconds if isinstance(config, Config) else None
        self.http = HttpFactory(load_credentials(ga), timeout=timeout or TIMEOUT)
        self._data = None  # the Data API client, built at the first request (see `data`)
        self._data_lock = threading.Lock()
        self._properties = None  # see properties_api
        self._admin = None
        # The newest quota each property reported to this client, whichever page or period
        # asked: Data status shows the last word from Google, not that of one table's rounds.
        self.latest_quota: dict[str, dict] = {}
        self._quota_lock = threading.Lock()
        # Properties with more rows of every source's articles than one capped page (see
        # statsdash.ga.derived): later selections ask their top sources' articles directly.
        self.large_source_articles: set[str] = set()

    @property
    def data(self) -> Any:
        """The GA4 Data API service, built at the first request: a page answered from the
        response cache builds none (and imports no client library, see build_service)."""
        with self._data_lock:
            if self._data is None:
                self._data = build_service("analyticsdata", "v1beta", self.endpoint)
            return self._data

    @property
    def properties_api(self) -> Any:
        """The service's `properties()` resource, made once: the library builds its methods
        anew at every call (~1 ms of CPU per request), and it is as shareable as the service."""
        if self._properties is None:
            data = self.data
            with self._data_lock:
                if self._properties is None:
                    self._properties = data.properties()
        return self._properties

    # Requests

    def execute_query(self, request: Any, *, source: str = "Google Analytics", check=None) -> dict:
        """Execute a googleapiclient request under the shared retry policy (google_api.execute)."""
        try:
            http = self.http.get()  # refreshes the shared token once, for every thread
        except RefreshError as error:
            raise refresh_failure(error, source) from None
        except GoogleAuthError as error:
            raise AuthError(f"{source}: the credentials could not be used ({error})") from None
        # Under the page's ga deadline on any thread: calls made on the page's own
        # thread (not a worker's) were not bound by the budget.
        run = budget.run_within(budget.current() or budget.deadline_for("ga"), execute)
        return run(
            request,
            source=source,
            http=http,
            max_tries=self.max_tries,
            sleep=self.sleep,
            check=check,
        )

    def _call(
        self,
        method: str,
        property_id: str,
        body: dict,
        *,
        source: str,
        refresh: bool,
        ttl: float | None = None,
    ) -> tuple[dict, dict]:
        """(answer, stamp): stamp is {"as_of": when Google gave the answer, "from_cache"}."""
        key = self._key(method, property_id, body)
        cached = self.cache.get(key, refresh=refresh)  # decoded in the slot, on a hit only
        if cached is not None:
            return cached, _stamp(cached.pop(RECEIVED_AT, None), from_cache=True)
        let_go_decoding()  # a later page's miss: the request waits outside the slot
        resource = self.properties_api
        request = getattr(resource, method)(property=f"properties/{property_id}", body=body)
        with self.limiter.slot(f"ga:{property_id}"):  # GA4: 10 concurrent per property
            response = self.execute_query(
                request, source=source, check=lambda answer: _consistent(answer, body, source)
            )
        received = arrived_at()  # when Google's answer came, not when it was read
        if not isinstance(response, dict):
            raise BadResponse(source, f"{method} answered {type(response).__name__}, not an object")
        self.cache.put(key, stamped(response, RECEIVED_AT, received), ttl or self._ttl(body))
        return response, _stamp(received, from_cache=False)

    def _key(self, method: str, property_id: str, body: dict) -> dict:
        """The response cache's request: where it went, and what was asked."""
        return {
            "endpoint": self.endpoint or GOOGLE_ENDPOINT,
            "method": method,
            "property": property_id,
            "body": body,
        }

    def _batch(
        self, property_id: str, bodies: list[dict], *, source: str, refresh: bool
    ) -> list[tuple[dict, dict]]:
        """(answer, stamp) of each report's first page, asked in one batchRunReports.

        A batch's reports are cached one by one, each under the key its own runReport would
        have: a page that asks fewer of a property's reports (the Overview leaves the
        articles out) finds them after an export or a cron `warm` asked all of them in one
        batch, and the other way round; only the reports not kept are asked."""
        keys = [self._key("runReport", property_id, body) for body in bodies]
        out: list[tuple[dict, dict] | None] = [
            None
            if cached is None
            else (cached, _stamp(cached.pop(RECEIVED_AT, None), from_cache=True))
            for cached in self.cache.get_many(keys, refresh=refresh)
        ]
        missing = [i for i, answer in enumerate(out) if answer is None]
        if not missing:
            return out
        let_go_decoding()
        body = {"requests": [bodies[i] for i in missing]}
        request = self.properties_api.batchRunReports(
            property=f"properties/{property_id}", body=body
        )
        with self.limiter.slot(f"ga:{property_id}"):  # GA4: 10 concurrent per property
            response = self.execute_query(
                request, source=source, check=lambda answer: _consistent(answer, body, source)
            )
        received = arrived_at()  # when Google's answer came, not when it was read
        reports = response.get("reports") if isinstance(response, dict) else None
        if not isinstance(reports, list) or len(reports) != len(missing):
            raise BadResponse(source, f"batchRunReports answered no report list for {len(missing)}")
        stamp = _stamp(received, from_cache=False)
        for i, report in zip(missing, reports, strict=True):
            if not isinstance(report, dict):
                raise BadResponse(source, "batchRunReports answered a report that is no object")
            self.cache.put(keys[i], {**report, RECEIVED_AT: received}, self._ttl(bodies[i]))
            out[i] = (report, stamp)
        return out

    def _ttl(self, body: dict) -> float | None:
        recent = (self.today or date.today()) - timedelta(days=PROVISIONAL_DAYS)
        bodies = body.get("requests", [body])
        ends = [r["endDate"] for b in bodies for r in b.get("dateRanges", [])]
        if any(date.fromisoformat(e) >= recent for e in ends):
            return self.cache.recent_ttl
        return FINAL_TTL

    def realtime(
        self, property_id: str, body: dict, *, source: str, refresh: bool = False
    ) -> tuple[dict, dict]:
        """(answer, stamp) of one runRealtimeReport, cached REALTIME_TTL at most: a minute's
        figures are still that minute's, and several viewers share one call."""
        return self._call(
            "runRealtimeReport",
            property_id,
            body,
            source=source,
            refresh=refresh,
            ttl=REALTIME_TTL,
        )

    def fetch(
        self,
        property_id: str,
        request: ReportRequest,
        *,
        source: str | None = None,
        refresh: bool = False,
        page_size: int = PAGE_SIZE,
    ) -> Report:
        """One report, paged with `offset` until `rowCount` (or the request's limit).

        Its answer is decoded and read in the process's one decoding slot (see
        google_api.one_decoder), and gone once this returns."""
        with one_decoder():
            return self._fetch(property_id, request, source, refresh, page_size)

    def _fetch(self, property_id, request, source, refresh, page_size) -> Report:
        source = source or f"property {property_id}"
        first, stamp = self._call(
            "runReport", property_id, request.body(0, page_size), source=source, refresh=refresh
        )
        return self._complete(property_id, request, first, stamp, source, refresh, page_size)

    def fetch_batch(
        self,
        property_id: str,
        requests: Sequence[ReportRequest],
        *,
        source: str | None = None,
        refresh: bool = False,
        page_size: int = PAGE_SIZE,
    ) -> list[Report]:
        """Up to five reports of one property in one batchRunReports call (then paged),
        decoded and read in the one decoding slot as `fetch`'s."""
        if not 1 <= len(requests) <= MAX_BATCH:
            raise ValueError(f"batchRunReports takes 1 to {MAX_BATCH} reports, not {len(requests)}")
        with one_decoder():
            return self._fetch_batch(property_id, requests, source, refresh, page_size)

    def _fetch_batch(self, property_id, requests, source, refresh, page_size) -> list[Report]:
        source = source or f"property {property_id}"
        bodies = [r.body(0, page_size) for r in requests]
        answers = self._batch(property_id, bodies, source=source, refresh=refresh)
        return [
            self._complete(property_id, req, rep, stamp, source, refresh, page_size)
            for req, (rep, stamp) in zip(requests, answers, strict=True)
        ]

    def _complete(
        self, property_id, request, response, stamp, source, refresh, page_size
    ) -> Report:
        """The rest of the report's pages; its quota is the one the last page reported."""
        rows = list(response.get("rows", []))
        quota = _quota(response, stamp)
        wanted = request.wanted(int(response.get("rowCount", 0) or 0))
        while len(rows) < wanted:
            body = request.body(len(rows), page_size)
            page, page_stamp = self._call(
                "runReport", property_id, body, source=source, refresh=refresh
            )
            quota = _quota(page, page_stamp) or quota
            if not page.get("rows"):
                break
            rows += page["rows"]
        try:
            report = parse_report({**response, "rows": rows[:wanted]}, request)
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise BadResponse(source, f"unreadable report ({error!r})") from error
        report.metadata = _shared_metadata(report.metadata, quota)
        if quota is not None:
            with self._quota_lock:  # pool threads: compare and store as one step
                known = self.latest_quota.get(property_id)
                if known is None or quota_recency(quota) > quota_recency(known):
                    self.latest_quota[property_id] = quota
        return report

    def run_report(
        self,
        property_id: str,
        date_ranges: Any,
        metrics: Sequence[str],
        dimensions: Sequence[str] | None = None,
        filters: dict | None = None,
        order_by: str | Sequence[dict] | None = None,
        limit: int | None = None,
        *,
        refresh: bool = False,
        page_size: int = PAGE_SIZE,
    ) -> pd.DataFrame:
        """A typed DataFrame of one report; `df.attrs` holds `metadata` and `row_count`.

        `date_ranges` is a Period or (start, end), a list of them, or {name: period};
        `order_by` a metric name (descending) or GA4 OrderBy objects; `limit` caps all rows.
        """
        request = make_request(date_ranges, metrics, dimensions, filters, order_by, limit)
        report = self.fetch(property_id, request, refresh=refresh, page_size=page_size)
        frame = report.frame
        frame.attrs = {"metadata": report.metadata, "row_count": report.row_count}
        return frame

    def data_available(self, property_id: str, day: date, *, refresh: bool = True) -> bool:
        """True once all 24 `dateHour` rows of `day` exist (never answered from the cache)."""
        hours = self.run_report(
            property_id, (day, day), ["sessions"], ["dateHour"], refresh=refresh
        )
        return hours_per_day(hours["dateHour"].to_numpy()).get(day, 0) == 24

    def rollup_ids(
        self,
        properties: Iterable[str | Property] | Site,
        date_ranges: Any,
        metrics: Sequence[str],
        dimensions: Sequence[str] | None = None,
        filters: dict | None = None,
        order_by: str | Sequence[dict] | None = None,
        limit: int | None = None,
        *,
        refresh: bool = False,
    ) -> pd.DataFrame:
        """One report over several properties (a site): additive metrics summed, ratio metrics
        rebuilt weighted by their base (sessions), then ordered and cut to `limit`."""
        if isinstance(properties, Site):
            properties = properties.properties
        ids = [p.id if isinstance(p, Property) else str(p) for p in properties]
        for metric in metrics:
            weight = RATIO_WEIGHTS.get(metric)
            if weight and weight not in metrics:
                raise ValueError(f"rolling up {metric} needs {weight} in the metrics")
        request = make_request(date_ranges, metrics, dimensions, filters, None, None)
        fetch = budget.run_within(
            budget.deadline_for("ga"), lambda pid: self.fetch(pid, request, refresh=refresh)
        )
        reports = list(self.pool.map(fetch, ids))
        keys = [*(dimensions or ()), DATE_RANGE]
        frame = _sum_reports([r.frame for r in reports], keys, metrics)
        order = (
            [order_by]
            if isinstance(order_by, str)
            else [o["metric"]["metricName"] for o in (order_by or []) if "metric" in o]
        )
        frame = frame.sort_values(order or list(metrics[:1]), ascending=False, kind="stable")
        frame = frame.head(limit) if limit is not None else frame
        frame = frame.reset_index(drop=True)
        frame.attrs = {
            "metadata": {pid: r.metadata for pid, r in zip(ids, reports, strict=True)},
            "row_count": len(frame),
        }
        return frame

    # Admin API

    def account_summaries(self, page_size: int = 200) -> list[dict]:
        """Every account the credentials can read, with its property summaries (all pages)."""
        if self._admin is None:
            self._admin = build_service("analyticsadmin", "v1beta", self.endpoint)
        summaries, token = [], None
        while True:
            request = self._admin.accountSummaries().list(pageSize=page_size, pageToken=token)
            page = self.execute_query(request, source="Google Analytics Admin API")
            summaries += page.get("accountSummaries", [])
            token = page.get("nextPageToken")
            if not token:
                return summaries


def _consistent(answer: Any, body: dict, source: str) -> None:
    """BadResponse for a report whose rowCount promises rows it does not carry: read as
    zeros, such an answer made every site 0 with exit 0."""
    if not isinstance(answer, dict):
        return
    bodies = body.get("requests", [body])
    reports = answer.get("reports", [answer]) if "requests" in body else [answer]
    if not isinstance(reports, list):
        return
    for request, report in zip(bodies, reports, strict=False):
        if not isinstance(report, dict):
            continue
        try:
            count = int(report.get("rowCount", 0) or 0)
        except (TypeError, ValueError):
            raise BadResponse(
                source, f"rowCount {report.get('rowCount')!r} is not a number"
            ) from None
        if count > int(request.get("offset", 0) or 0) and not report.get("rows"):
            raise BadResponse(
                source, f"the answer says rowCount {count} but carries no rows (contradictory)"
            )


def quota_recency(quota: dict) -> tuple:
    """Newest answer first; of answers given at once (one batch), the one that counted the
    most use (fewest tokens left)."""
    return (quota.get("as_of") or datetime.min, -quota.get("tokens_per_day_remaining", 0))


def _stamp(received: float | None, *, from_cache: bool) -> dict:
    as_of = datetime.fromtimestamp(received) if received is not None else None
    return {"as_of": as_of, "from_cache": from_cache}


def _quota(response: dict, stamp: dict) -> dict | None:
    """The answer's property quota with its stamp, or None when it reported none.

    Equal quotas are one shared (read-only) dict: every report of a batch carries the
    batch's quota, and a dict per report was ~30 MB at 2,000 sites."""
    quota = property_quota(response.get("propertyQuota"))
    return _shared_quota(tuple({**quota, **stamp}.items())) if quota else None


@functools.lru_cache(maxsize=256)
def _shared_quota(items: tuple) -> dict:
    return dict(items)


def _shared_metadata(parsed: dict, quota: dict | None) -> dict:
    """The report's metadata with its quota, one shared (read-only) dict per distinct
    content: the reports of one answer, and most properties' answers, say the same (time
    zone, currency, no flags), and a dict and list per report was ~20 MB at 2,000 sites."""
    sampling = tuple(parsed.get("sampling", ()))
    rest = tuple((k, v) for k, v in parsed.items() if k not in ("sampling", "quota"))
    try:
        return _metadata_of(rest, sampling, tuple(quota.items()) if quota else None)
    except TypeError:  # an unhashable value (not Google's): a dict of its own
        return {**parsed, "quota": quota}


@functools.lru_cache(maxsize=1024)
def _metadata_of(rest: tuple, sampling: tuple, quota: tuple | None) -> dict:
    return {
        **dict(rest),
        "sampling": list(sampling),
        "quota": _shared_quota(quota) if quota else None,
    }


def make_request(date_ranges, metrics, dimensions=None, filters=None, order_by=None, limit=None):
    """A ReportRequest from run_report's arguments."""
    if isinstance(order_by, str):
        order_by = [by_metric(order_by)]
    return ReportRequest(
        date_ranges=build_date_ranges(date_ranges),
        metrics=tuple(metrics),
        dimensions=tuple(dimensions or ()),
        filters=filters,
        order_by=tuple(order_by or ()),
        limit=limit,
    )


def _sum_reports(frames: list[pd.DataFrame], keys: list[str], metrics: Sequence[str]):
    both = pd.concat(frames, ignore_index=True)
    weighted = {m: w for m, w in RATIO_WEIGHTS.items() if m in metrics}
    both = both.assign(**{m: both[m] * both[w] for m, w in weighted.items()})
    summed = rollup(both, keys, metrics)
    for m, w in weighted.items():
        summed[m] = ratio(summed[m], summed[w])
    return summed[[*keys, *metrics]]


def discover_sites(config: Config) -> str:
    """A `google_analytics.sites` YAML snippet of every property the credentials can read."""
    lines = [
        "# Properties these credentials can read; merge properties of one site under one name.",
        "google_analytics:",
        "  sites:",
    ]
    seen: set[str] = set()
    for account in Analytics(config).account_summaries():
        account_id = account.get("account", "").removeprefix("accounts/")
        lines.append(f"    # {account.get('displayName', '')} (account {account_id})")
        for prop in account.get("propertySummaries", []):
            base = name = prop.get("displayName") or prop["property"]
            count = 1
            while name in seen:
                count += 1
                name = f"{base} ({count})"
            seen.add(name)
            kind = prop.get("propertyType", "PROPERTY_TYPE_ORDINARY")
            note = "" if kind == "PROPERTY_TYPE_ORDINARY" else f"  # {kind}"
            lines.append(f"    {json.dumps(name, ensure_ascii=False)}:{note}")
            lines.append(f'      - id: "{prop["property"].removeprefix("properties/")}"')
    if len(lines) == 3:
        lines.append("    {}  # no properties: add the service account to each GA4 property")
    return "\n".join(lines) + "\n"

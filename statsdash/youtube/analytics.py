"""The YouTube API client: content-owner Analytics reports, channel statistics, video titles.

The only YouTube code that talks HTTP. Every call goes through `execute_query` (the shared
retry policy) and the response cache. Report queries cover many channels at once with
`channel==A,B,...`; the client library switches such long GETs to POST by itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pandas as pd
import yaml
from google.auth.exceptions import RefreshError

from statsdash import budget
from statsdash.cache import FINAL_TTL, PROVISIONAL_TTL, ResponseCache, open_cache
from statsdash.config import Config
from statsdash.errors import AuthError, BadResponse, FetchError
from statsdash.google_api import MAX_TRIES, HttpFactory, build_service, execute
from statsdash.limiter import limiter_for
from statsdash.youtube.auth import CredentialKeeper, auth_command, load_credentials, refresh_error

POOL_WORKERS = 8
MAX_IDS_PER_CALL = 50  # channels.list / videos.list `id` lists
MAX_FILTER_IDS = 500  # reports.query `channel==A,B,...`
PROVISIONAL_DAYS = 4  # report ranges ending this close to today may still change
STATS_TTL = 15 * 60  # channels.list statistics are current counts
TITLES_TTL = 24 * 3600
OWNER_TTL = 24 * 3600
GOOGLE_ROOT = "https://www.googleapis.com"
PARTNER_PATH = "/youtube/partner/v1/contentOwners"
SOURCE = "YouTube Analytics"
DATA_SOURCE = "YouTube Data API"

_UNSET = object()


def chunked(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def report_ttl(end: date, today: date, recent: float = PROVISIONAL_TTL) -> float | None:
    """Cache lifetime of a report: `recent` while its last day may still be processing,
    else kept for good (FINAL_TTL)."""
    return recent if end >= today - timedelta(days=PROVISIONAL_DAYS) else FINAL_TTL


def to_frame(response: dict, source: str = SOURCE) -> pd.DataFrame:
    """A reports.query result table as a typed DataFrame (`day` as datetime64)."""
    try:
        headers = response["columnHeaders"]
        names = [h["name"] for h in headers]
        rows = response.get("rows") or []
        frame = pd.DataFrame(rows, columns=names)
        for header in headers:
            name, kind = header["name"], header.get("dataType", "STRING")
            if name == "day":
                frame[name] = pd.to_datetime(frame[name], format="%Y-%m-%d")
            elif kind == "INTEGER":
                frame[name] = pd.to_numeric(frame[name]).astype("int64")
            elif kind == "FLOAT":
                frame[name] = pd.to_numeric(frame[name]).astype("float64")
            else:
                frame[name] = frame[name].astype("str")
    except (KeyError, TypeError, ValueError, AssertionError) as error:
        raise BadResponse(source, f"unexpected report table ({error!r})") from None
    return frame


class Analytics:
    """Content-owner YouTube Analytics v2 and Data v3 for one configuration."""

    def __init__(
        self,
        config: Config,
        *,
        refresh: bool = False,
        today: date | None = None,
        credentials: Any = _UNSET,
        cache: ResponseCache | None = None,
        max_tries: int = MAX_TRIES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if config.youtube is None:
            raise FetchError(SOURCE, f"{config.source} has no youtube section")
        self.config = config
        self.endpoint = config.youtube.endpoint
        self.refresh = refresh
        self.today = today or date.today()
        self.max_tries = max_tries
        self.sleep = sleep
        self._credentials = credentials
        self._session: tuple[CredentialKeeper, HttpFactory] | None = None
        self._services: dict[str, Any] = {}
        self._services_lock = threading.Lock()
        if cache is None:
            cache = open_cache(config.cache)
        self.cache = cache
        self.limiter = limiter_for(config.cache)
        # One pool per client, for every selection's queries: its threads keep their HTTP
        # connections (one per thread, see HttpFactory), so later rounds reuse them.
        self.pool = ThreadPoolExecutor(POOL_WORKERS, thread_name_prefix="statsdash-youtube")
        self._owner_lock = threading.Lock()
        self._session_lock = threading.Lock()
        self._owner_id = config.youtube.content_owner_id

    # ------------------------------------------------------------ plumbing

    def _service(self, name: str, version: str) -> Any:
        """A discovery client, built at its first request: a page answered from the
        response cache builds none (and imports no client library, see build_service)."""
        with self._services_lock:
            if name not in self._services:
                self._services[name] = build_service(name, version, self.endpoint)
            return self._services[name]

    @property
    def reports_api(self) -> Any:
        return self._service("youtubeAnalytics", "v2")

    @property
    def data_api(self) -> Any:
        return self._service("youtube", "v3")

    def _resource(self, name: str, version: str, resource: str) -> Any:
        """A service's resource (`reports()`, `channels()`, ...), made once: the library
        builds its methods anew at every call (videos(): ~1 ms of CPU), and it is as
        shareable as the service."""
        key = f"{name}.{resource}"
        with self._services_lock:
            made = self._services.get(key)
        if made is None:
            made = getattr(self._service(name, version), resource)()
            with self._services_lock:
                made = self._services.setdefault(key, made)
        return made

    def _signed_in(self) -> tuple[CredentialKeeper, HttpFactory]:
        """Credentials are read at the first request, so building a client never fails."""
        with self._session_lock:
            if self._session is None:
                creds = self._credentials
                if creds is _UNSET:
                    creds = load_credentials(self.config)
                http = HttpFactory(creds, timeout=self.config.fetch.timeout_seconds)
                self._session = (CredentialKeeper(self.config, creds), http)
            return self._session

    def execute_query(self, request: Any, *, source: str = SOURCE) -> dict:
        """Run a request under the shared retry policy, with a sign-in hint on auth failures."""
        keeper, http = self._signed_in()
        keeper.ensure_fresh()
        # Under the page's YouTube deadline on any thread: calls made on the page's own
        # thread (the content owner, channel lookups) were not bound by the budget.
        run = budget.run_within(budget.current() or budget.deadline_for("youtube"), execute)
        try:
            return run(
                request,
                source=source,
                http=http.get(),
                max_tries=self.max_tries,
                sleep=self.sleep,
            )
        except AuthError as error:
            if isinstance(error.__cause__, RefreshError):
                raise refresh_error(self.config, error.__cause__) from None
            if keeper.credentials is None:
                raise
            raise AuthError(
                f"{error}; run `{auth_command(self.config)}` to sign in again"
            ) from None

    def _cached(
        self, api: str, params: dict, ttl: float | None, make: Callable[[], Any], source: str
    ) -> dict:
        key = {"api": api, "endpoint": self.endpoint or "google", **params}
        hit = self.cache.get(key, refresh=self.refresh)
        if hit is not None:
            return hit
        with self.limiter.slot("youtube"):
            response = self.execute_query(make(), source=source)
        if not isinstance(response, dict):
            raise BadResponse(source, "the answer is not a JSON object")
        self.cache.put(key, response, ttl)
        return response

    @staticmethod
    def _parallel(fn: Callable[[Any], Any], items: list) -> list:
        if len(items) <= 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(8, len(items))) as pool:
            return list(pool.map(budget.run_within(budget.deadline_for("youtube"), fn), items))

    # ------------------------------------------------------------ content owner

    def get_content_owner(self) -> dict:
        """The content owner the signed-in account manages (Content ID API, no discovery doc)."""
        root = self.endpoint or GOOGLE_ROOT
        uri = f"{root}{PARTNER_PATH}?fetchMine=true&alt=json"

        def make() -> Any:
            from googleapiclient.http import HttpRequest
            from googleapiclient.model import JsonModel

            return HttpRequest(
                self._signed_in()[1].get(),
                JsonModel(data_wrapper=False).response,
                uri,
                method="GET",
                headers={"accept": "application/json"},
                methodId="youtubePartner.contentOwners.list",
            )

        source = "YouTube content owner lookup"
        response = self._cached(
            "yt.contentOwners.list", {"fetchMine": True}, OWNER_TTL, make, source
        )
        items = response.get("items") or []
        if not items or "id" not in items[0]:
            raise FetchError(
                source,
                "this Google account manages no YouTube content owner; sign in with the "
                "content owner's account or set youtube.content_owner_id",
            )
        return items[0]

    @property
    def content_owner_id(self) -> str:
        """From the config, else looked up once."""
        if self._owner_id is None:
            with self._owner_lock:
                if self._owner_id is None:
                    self._owner_id = str(self.get_content_owner()["id"])
        return self._owner_id

    def get_channel_id(self) -> list[dict]:
        """All channels the content owner manages: [{"id", "title"}], every page."""
        channels, token = [], None
        while True:
            request = self._resource("youtube", "v3", "channels").list(
                part="snippet",
                managedByMe=True,
                onBehalfOfContentOwner=self.content_owner_id,
                maxResults=MAX_IDS_PER_CALL,
                pageToken=token,
            )
            response = self.execute_query(request, source=f"{DATA_SOURCE} channels.list")
            for item in response.get("items") or []:
                title = (item.get("snippet") or {}).get("title", "")
                channels.append({"id": item["id"], "title": title})
            token = response.get("nextPageToken")
            if not token:
                return channels

    # ------------------------------------------------------------ channel statistics

    def _stats_chunk(self, ids: list[str]) -> dict[str, dict]:
        params = {"part": "statistics", "id": ",".join(ids), "maxResults": MAX_IDS_PER_CALL}

        def make() -> Any:
            return self._resource("youtube", "v3", "channels").list(**params)

        source = f"{DATA_SOURCE} channels.list"
        response = self._cached("yt.channels.list", params, STATS_TTL, make, source)
        return {item["id"]: item.get("statistics") or {} for item in response.get("items") or []}

    def get_stats(self, ids: Iterable[str]) -> dict[str, dict[str, int | bool]]:
        """Current statistics per channel ID (channels.list, at most 50 IDs a call).

        Channels the API does not return (deleted, mistyped) are absent; a hidden subscriber
        count is absent from its channel's dict, with `hiddenSubscriberCount` True. YouTube
        abbreviates subscriberCount to three significant figures (a 2019 policy), so figures
        built on it are exact only up to that rounding; the emulator answers exact counts.
        """
        ids = list(dict.fromkeys(ids))
        stats = self._by_chunks(self._stats_chunk, ids)
        return {cid: _typed_stats(stats[cid]) for cid in ids if cid in stats}

    def _by_chunks(self, fetch_chunk: Callable[[list[str]], dict], ids: list[str]) -> dict:
        """One Data API list call per 50 IDs, in parallel, answers merged by ID."""
        merged: dict = {}
        for part in self._parallel(fetch_chunk, chunked(ids, MAX_IDS_PER_CALL)):
            merged.update(part)
        return merged

    def rollup_stats(self, ids: Iterable[str]) -> dict[str, int | None]:
        """Statistics summed over channels; None where any channel lacks the figure."""
        ids = list(ids)
        stats = self.get_stats(ids)
        totals: dict[str, int | None] = {}
        for name in ("viewCount", "subscriberCount", "videoCount"):
            values = [stats.get(cid, {}).get(name) for cid in ids]
            totals[name] = None if any(v is None for v in values) else sum(values)
        return totals

    # ------------------------------------------------------------ videos

    def _video_chunk(self, ids: list[str]) -> dict[str, dict[str, str]]:
        params = {"part": "snippet", "id": ",".join(ids), "maxResults": MAX_IDS_PER_CALL}

        def make() -> Any:
            return self._resource("youtube", "v3", "videos").list(**params)

        response = self._cached(
            "yt.videos.list", params, TITLES_TTL, make, f"{DATA_SOURCE} videos.list"
        )
        found = {}
        for item in response.get("items") or []:
            snippet = item.get("snippet") or {}
            found[item["id"]] = {
                "title": snippet.get("title", ""),
                "channel_id": snippet.get("channelId", ""),
            }
        return found

    def get_video(self, ids: Iterable[str]) -> dict[str, dict[str, str]]:
        """{video id: {"title", "channel_id"}} via videos.list, 50 IDs a call."""
        return self._by_chunks(self._video_chunk, list(dict.fromkeys(ids)))

    # ------------------------------------------------------------ reports

    def run_analytics_report(
        self,
        start: date,
        end: date,
        metrics: Sequence[str],
        dimensions: Sequence[str] | None = None,
        filters: str | None = None,
        sort: str | None = None,
        max_results: int | None = None,
        currency: str | None = None,
    ) -> pd.DataFrame:
        """One content-owner reports.query as a typed DataFrame (one column per header);
        `currency` (ISO 4217) converts revenue metrics, which YouTube gives in USD."""
        params = {
            "ids": f"contentOwner=={self.content_owner_id}",
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "metrics": ",".join(metrics),
            "dimensions": ",".join(dimensions) if dimensions else None,
            "filters": filters,
            "sort": sort,
            "maxResults": max_results,
            "currency": currency,
        }
        params = {k: v for k, v in params.items() if v is not None}

        def make() -> Any:
            return self._resource("youtubeAnalytics", "v2", "reports").query(**params)

        ttl = report_ttl(end, self.today, self.cache.recent_ttl)
        return to_frame(self._cached("yt.reports.query", params, ttl, make, SOURCE))

    def rollup_ids(
        self,
        ids: Sequence[str],
        start: date,
        end: date,
        metrics: Sequence[str],
        dimensions: Sequence[str] | None = None,
        filters: str | None = None,
        sort: str | None = None,
        max_results: int | None = None,
        *,
        split: bool = False,
        currency: str | None = None,
    ) -> pd.DataFrame:
        """All `ids` in one query (`channel==A,B,...`), summed by the API over the channels.

        `split=True` adds the `channel` dimension first, for tables per channel group.
        More than 500 IDs take one query per 500, combined here the same way.
        """
        dims = (["channel"] if split else []) + list(dimensions or [])
        parts = [
            self.run_analytics_report(
                start,
                end,
                metrics,
                dims or None,
                ";".join([f"channel=={','.join(chunk)}", *([filters] if filters else [])]),
                sort,
                max_results,
                currency,
            )
            for chunk in chunked(list(ids), MAX_FILTER_IDS)
        ]
        return combine(parts, dims, metrics, sort, max_results)

    def data_available(self, channel_ids: Sequence[str], day: date) -> dict[str, bool]:
        """Per channel: whether YouTube returns rows for `day` yet (rows appear 2-3 days late)."""
        frame = self.rollup_ids(channel_ids, day, day, ["views"], split=True)
        present = set(frame["channel"])
        return {cid: cid in present for cid in channel_ids}


def combine(
    parts: Sequence[pd.DataFrame],
    dimensions: Sequence[str],
    metrics: Sequence[str],
    sort: str | None = None,
    max_results: int | None = None,
) -> pd.DataFrame:
    """Report tables of disjoint channel sets as one: summed per dimensions, re-sorted and
    cut as the query would have been."""
    if len(parts) == 1:
        return parts[0]
    frame = pd.concat(parts, ignore_index=True)
    if dimensions:
        frame = frame.groupby(list(dimensions), sort=False, as_index=False)[list(metrics)].sum()
    else:
        frame = frame[list(metrics)].sum().to_frame().T
    if sort:
        key = sort.lstrip("-")
        frame = frame.sort_values(key, ascending=not sort.startswith("-"), kind="stable")
    frame = frame.head(max_results) if max_results else frame
    return frame.reset_index(drop=True)


def _typed_stats(raw: dict) -> dict[str, int | bool]:
    typed: dict[str, int | bool] = {"hiddenSubscriberCount": bool(raw.get("hiddenSubscriberCount"))}
    for name in ("viewCount", "subscriberCount", "videoCount"):
        if raw.get(name) is not None:
            typed[name] = int(raw[name])
    if typed["hiddenSubscriberCount"]:
        typed.pop("subscriberCount", None)
    return typed


def discover_channels(config: Config) -> str:
    """A `youtube:` YAML snippet listing every channel the content owner manages, one group each."""
    analytics = Analytics(config, refresh=True)
    owner = analytics.content_owner_id
    channels = sorted(analytics.get_channel_id(), key=lambda c: c["title"].lower())
    groups: dict[str, list[str]] = {}
    for channel in channels:
        groups.setdefault(channel["title"] or channel["id"], []).append(channel["id"])
    snippet = yaml.safe_dump(
        {"youtube": {"content_owner_id": owner, "channels": groups}},
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
    )
    header = (
        f"# {len(channels)} channels managed by content owner {owner}; one group per channel.\n"
        "# Put channels reported together under one name, e.g. Eurogamer: [UCaaa, UCbbb].\n"
    )
    return header + snippet

"""The GA4 client (statsdash.ga.analytics) against the emulator over HTTP: typed reports,
paging, availability, roll-ups, the retry policy, the cache and property discovery.
Expected numbers come from the network's raw facts with plain pandas."""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date

import httplib2
import pandas as pd
import pytest
import yaml
from googleapiclient.errors import HttpError

from statsdash.cache import FINAL_TTL, PROVISIONAL_TTL, ResponseCache
from statsdash.config import CacheConfig, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.errors import AuthError, BadResponse, FetchError, QuotaExhausted
from statsdash.ga.analytics import Analytics, discover_sites
from statsdash.ga.query import ReportRequest, date_ranges, property_quota
from statsdash.google_api import classify
from statsdash.periods import Period

MAIN, AMP = "311204581", "311204582"  # pixelpost.net's two properties
OCT = Period("October", date(2026, 10, 1), date(2026, 10, 31))
SEP = Period("September", date(2026, 9, 1), date(2026, 9, 30))
TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def config(emulator):
    config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(config, cache=CacheConfig(enabled=False))


class Sleeps(list):
    """A sleep() that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def client(config, sleeps):
    return Analytics(config, today=TODAY, sleep=sleeps)


def calls(emulator, endpoint: str = "ga.runReport") -> int:
    return emulator.requests()["by_endpoint"][endpoint]


def test_run_report_is_typed_and_matches_the_facts(client, network, clean_emulator):
    frame = client.run_report(
        MAIN, OCT, ["screenPageViews", "averageSessionDuration"], ["date", "deviceCategory"]
    )
    assert list(frame.columns) == [
        "date", "deviceCategory", "dateRange", "screenPageViews", "averageSessionDuration",
    ]  # fmt: skip
    assert str(frame["screenPageViews"].dtype) == "int64"
    assert str(frame["averageSessionDuration"].dtype) == "float64"
    assert isinstance(frame["date"].iloc[0], date)
    facts = network.ga_facts(MAIN, OCT.start, OCT.end)
    facts["date"] = facts["date"].dt.date
    want = facts.groupby(["date", "deviceCategory"])[
        ["screenPageViews", "sessionDuration", "sessions"]
    ].sum()
    got = frame.set_index(["date", "deviceCategory"]).sort_index()
    assert got["screenPageViews"].to_dict() == want["screenPageViews"].to_dict()
    average = (want["sessionDuration"] / want["sessions"]).to_dict()
    assert got["averageSessionDuration"].to_dict() == pytest.approx(average)
    assert frame.attrs["metadata"]["time_zone"] == "Europe/London"
    assert frame.attrs["row_count"] == len(want)
    assert calls(clean_emulator) == 1


def test_named_date_ranges_are_picked_by_name(client, network):
    frame = client.run_report(MAIN, {"current": OCT, "prev": SEP}, ["sessions"], ["country"])
    for name, period in (("current", OCT), ("prev", SEP)):
        got = frame[frame["dateRange"] == name].set_index("country")["sessions"]
        facts = network.ga_facts(MAIN, period.start, period.end)
        assert got.to_dict() == facts.groupby("country")["sessions"].sum().to_dict()


def test_metadata_flags_thresholding_and_other_row(client):
    thresholded = client.run_report("327790114", OCT, ["sessions"], ["country"])
    assert thresholded.attrs["metadata"]["thresholded"] is True
    other = client.run_report("340017723", OCT, ["screenPageViews"], ["pagePath"])
    assert other.attrs["metadata"]["other_row"] is True
    assert "(other)" in set(other["pagePath"])
    new_york = client.run_report("289930475", OCT, ["sessions"])
    assert new_york.attrs["metadata"]["time_zone"] == "America/New_York"


def test_paging_past_10000_rows_with_offset(client, network, clean_emulator):
    period = Period("2026", date(2026, 1, 1), date(2026, 10, 31))
    dims = ["date", "pagePathPlusQueryString"]
    frame = client.run_report(MAIN, period, ["screenPageViews"], dims, page_size=10_000)
    facts = network.ga_facts(MAIN, period.start, period.end)
    want = facts.groupby(dims)["screenPageViews"].sum()
    assert len(want) > 10_000
    assert len(frame) == len(want)
    assert frame["screenPageViews"].sum() == want.sum()
    assert not frame.duplicated(dims).any()
    log = [e for e in clean_emulator.requests()["log"] if e["endpoint"] == "ga.runReport"]
    assert len(log) == math.ceil(len(want) / 10_000)


def test_a_paged_report_carries_the_quota_its_last_page_reported(client, network, clean_emulator):
    # The emulator charges each page 1 token (one range, under 10,000 fact rows read).
    facts = network.ga_facts(MAIN, OCT.start, OCT.end)
    paths = int((facts.groupby("pagePath")["screenPageViews"].sum() != 0).sum())
    pages = math.ceil(paths / 50)
    assert pages > 1 and len(facts) < 10_000
    frame = client.run_report(MAIN, OCT, ["screenPageViews"], ["pagePath"], page_size=50)
    assert calls(clean_emulator) == pages
    quota = frame.attrs["metadata"]["quota"]
    assert quota["tokens_per_day_remaining"] == 200_000 - pages
    assert quota["tokens_per_hour_remaining"] == 40_000 - pages
    assert quota["tokens_per_day_consumed"] == 1
    assert quota["from_cache"] is False and quota["as_of"] is not None


def test_property_quota_reads_googles_json_where_zero_counts_are_left_out():
    # proto3 JSON drops zero fields: nothing consumed -> no "consumed"; exhausted -> no
    # "remaining". int32 counts are JSON numbers, but a string is read too.
    raw = {
        "tokensPerDay": {"consumed": 3, "remaining": 199_997},
        "tokensPerHour": {"consumed": 3, "remaining": "39997"},
        "concurrentRequests": {"remaining": 10},
        "tokensPerProjectPerHour": {"consumed": 3},
        "serverErrorsPerProjectPerHour": {"remaining": "many"},
    }
    quota = property_quota(raw)
    assert quota == {
        "tokens_per_day_remaining": 199_997, "tokens_per_day_consumed": 3,
        "tokens_per_hour_remaining": 39_997, "tokens_per_hour_consumed": 3,
        "tokens_per_project_per_hour_remaining": 0, "tokens_per_project_per_hour_consumed": 3,
        "concurrent_requests_remaining": 10, "concurrent_requests_consumed": 0,
    }  # fmt: skip
    assert property_quota(None) is None and property_quota({}) is None


def test_limit_caps_the_rows_and_order_by_sorts(client, network):
    frame = client.run_report(
        MAIN, OCT, ["screenPageViews"], ["pagePath"], order_by="screenPageViews", limit=5
    )
    facts = network.ga_facts(MAIN, OCT.start, OCT.end)
    want = facts.groupby("pagePath")["screenPageViews"].sum().nlargest(5)
    assert frame["screenPageViews"].tolist() == want.tolist()


def test_data_available_needs_all_24_hours(client, network):
    complete = network.ga_available_through(MAIN)
    assert client.data_available(MAIN, complete) is True
    assert client.data_available(MAIN, date(2026, 11, 19)) is False  # hours 00-11 only
    assert client.data_available("298451008", complete) is False  # a day behind


def test_rollup_ids_sums_properties_and_rebuilds_ratios(client, network):
    metrics = ["screenPageViews", "sessions", "averageSessionDuration"]
    frame = client.rollup_ids([MAIN, AMP], OCT, metrics, ["deviceCategory"])
    facts = pd.concat([network.ga_facts(p, OCT.start, OCT.end) for p in (MAIN, AMP)])
    want = facts.groupby("deviceCategory")[["screenPageViews", "sessions", "sessionDuration"]].sum()
    got = frame.set_index("deviceCategory")
    assert got["screenPageViews"].to_dict() == want["screenPageViews"].to_dict()
    average = (want["sessionDuration"] / want["sessions"]).to_dict()
    assert got["averageSessionDuration"].to_dict() == pytest.approx(average)
    assert got["screenPageViews"].is_monotonic_decreasing
    assert set(frame.attrs["metadata"]) == {MAIN, AMP}


def test_rollup_ids_refuses_a_ratio_without_its_weight(client):
    with pytest.raises(ValueError, match="averageSessionDuration needs sessions"):
        client.rollup_ids([MAIN], OCT, ["averageSessionDuration"])


def test_batch_of_five_reports_is_one_call(client, network, clean_emulator):
    ranges = date_ranges({"current": OCT, "prev": SEP})
    dims = ["country", "deviceCategory", "hostName", "sessionSource", "pagePath"]
    requests = [ReportRequest(ranges, ("sessions",), (d,)) for d in dims]
    reports = client.fetch_batch(MAIN, requests)
    assert calls(clean_emulator, "ga.batchRunReports") == 1
    assert calls(clean_emulator) == 0
    facts = network.ga_facts(MAIN, OCT.start, OCT.end)
    for dim, report in zip(dims, reports, strict=True):
        got = report.frame[report.frame["dateRange"] == "current"].set_index(dim)["sessions"]
        assert got.to_dict() == facts.groupby(dim)["sessions"].sum().to_dict()
    with pytest.raises(ValueError, match="1 to 5 reports"):
        client.fetch_batch(MAIN, requests + requests[:1])


# The retry policy: (fault kind, how many times it fires) -> outcome and tries made.
RETRIES = {
    "429 rate limit, then success": ("rate", 2, None, 3),
    "500, then success": ("500", 2, None, 3),
    "503, then success": ("503", 2, None, 3),
    "malformed JSON, then success": ("malformed", 1, None, 2),
    "429 rate limit every time": ("rate", 9, "HTTP 429 after 5 tries", 5),
    "503 every time": ("503", 9, "HTTP 503 after 5 tries", 5),
    "429 daily token quota": ("quota_day", 9, "tokens per day", 1),
    "429 hourly token quota": ("quota_hour", 9, "tokens per hour", 1),
    "400 bad request": ("400", 9, "HTTP 400", 1),
    "403 no permission": ("403", 9, "HTTP 403", 1),
}


@pytest.mark.parametrize("case", RETRIES, ids=list(RETRIES))
def test_retry_policy(client, clean_emulator, sleeps, case):
    kind, times, failure, tries = RETRIES[case]
    clean_emulator.add_fault(kind, endpoint="ga.runReport", times=times, match=MAIN)
    if failure is None:
        frame = client.run_report(MAIN, OCT, ["sessions"])
        assert frame["sessions"].iloc[0] > 0
    else:
        expected = QuotaExhausted if kind.startswith("quota") else FetchError
        with pytest.raises(expected, match=failure) as raised:
            client.run_report(MAIN, OCT, ["sessions"])
        assert raised.value.source == f"property {MAIN}"
    assert calls(clean_emulator) == tries
    assert len(sleeps) == tries - 1


GA_429_MESSAGES = {
    "Exhausted concurrent requests quota.": True,
    "Exhausted property tokens per day quota.": False,
    "Exhausted property tokens per hour quota.": False,
    "Exhausted potentially thresholded requests per hour quota.": False,
}


@pytest.mark.parametrize("message", GA_429_MESSAGES)
def test_only_429s_for_an_hourly_or_daily_bucket_fail_fast(message):
    body = {"error": {"code": 429, "message": message, "status": "RESOURCE_EXHAUSTED"}}
    error = HttpError(httplib2.Response({"status": 429}), json.dumps(body).encode())
    retry, failure = classify(error, "pixelpost.net (property 311204581)")
    assert retry is GA_429_MESSAGES[message]
    assert isinstance(failure, QuotaExhausted) is not retry


def test_the_message_counts_the_tries_made(config, clean_emulator):
    client = Analytics(config, today=TODAY, sleep=lambda seconds: None, max_tries=2)
    clean_emulator.add_fault("500", endpoint="ga.runReport", times=2, match=MAIN)
    with pytest.raises(FetchError, match="HTTP 500 after 2 tries"):
        client.run_report(MAIN, OCT, ["sessions"])


def test_backoff_grows_and_honours_retry_after(client, clean_emulator, sleeps):
    clean_emulator.add_fault("rate", endpoint="ga.runReport", times=4, match=MAIN)
    client.run_report(MAIN, OCT, ["sessions"])
    assert len(sleeps) == 4
    for attempt, wait in enumerate(sleeps):  # base 1 s doubling, with jitter of up to half
        assert 2**attempt / 2 <= wait <= 2**attempt
    sleeps.clear()
    clean_emulator.add_fault("503", endpoint="ga.runReport", times=1, match=MAIN)  # Retry-After 1
    client.run_report(MAIN, SEP, ["sessions"])
    assert sleeps == [1.0]


def test_quota_exhausted_names_the_property_and_the_quota(client, clean_emulator):
    clean_emulator.add_fault("quota_day", endpoint="ga.batchRunReports", times=1, match=MAIN)
    request = ReportRequest(date_ranges(OCT), ("sessions",))
    with pytest.raises(QuotaExhausted) as raised:
        client.fetch_batch(MAIN, [request], source=f"pixelpost.net (property {MAIN})")
    assert str(raised.value).startswith(f"pixelpost.net (property {MAIN}): quota exhausted: ")
    assert "tokens per day" in str(raised.value)


def test_401_is_an_auth_error(client, clean_emulator):
    clean_emulator.add_fault("401", endpoint="ga.runReport", times=1, match=MAIN)
    with pytest.raises(AuthError, match="refused the credentials"):
        client.run_report(MAIN, OCT, ["sessions"])
    assert calls(clean_emulator) == 1


def test_malformed_every_time_is_a_bad_response(client, clean_emulator):
    clean_emulator.add_fault("malformed", endpoint="ga.runReport", times=5, match=MAIN)
    with pytest.raises(BadResponse, match="unreadable answer"):
        client.run_report(MAIN, OCT, ["sessions"])


class RecordingCache(ResponseCache):
    """A real cache that remembers the TTL of each answer it stores."""

    def __init__(self, path):
        super().__init__(path)
        self.ttls = []

    def put(self, request, response, ttl):
        self.ttls.append(ttl)
        super().put(request, response, ttl)


def test_cache_answers_repeats_and_refresh_bypasses_it(config, tmp_path, clean_emulator):
    cache = RecordingCache(tmp_path / "cache.sqlite")
    client = Analytics(config, cache=cache, today=TODAY)
    first = client.run_report(MAIN, OCT, ["sessions"], ["country"])
    again = client.run_report(MAIN, OCT, ["sessions"], ["country"])
    assert calls(clean_emulator) == 1
    pd.testing.assert_frame_equal(first, again)
    client.run_report(MAIN, OCT, ["sessions"], ["country"], refresh=True)
    assert calls(clean_emulator) == 2
    recent = Period("recent", date(2026, 11, 10), date(2026, 11, 17))
    client.run_report(MAIN, recent, ["sessions"])
    assert cache.ttls == [FINAL_TTL, FINAL_TTL, PROVISIONAL_TTL]


def test_a_batchs_reports_are_kept_one_by_one_and_only_missing_ones_asked(
    config, network, tmp_path, clean_emulator
):
    """A page that asks fewer of a property's reports than an export (or a cron warm) did
    finds them kept; a batch asks only the reports not kept, whatever it was combined with."""
    cache = ResponseCache(tmp_path / "cache.sqlite")
    ranges = date_ranges({"current": OCT, "prev": SEP})
    by = {
        d: ReportRequest(ranges, ("sessions",), (d,)) for d in ("country", "hostName", "pagePath")
    }
    Analytics(config, cache=cache, today=TODAY).fetch_batch(MAIN, list(by.values()))
    assert calls(clean_emulator, "ga.batchRunReports") == 1

    def sessions_by(report, dim: str) -> dict:
        got = report.frame[report.frame["dateRange"] == "current"]
        return got.set_index(dim)["sessions"].to_dict()

    facts = network.ga_facts(MAIN, OCT.start, OCT.end)
    again = Analytics(config, cache=cache, today=TODAY, sleep=lambda seconds: None)  # a new
    # process on the same file
    fewer = again.fetch_batch(MAIN, [by["country"], by["pagePath"]])
    assert calls(clean_emulator, "ga.batchRunReports") == 1  # both kept: nobody asked
    for dim, report in zip(("country", "pagePath"), fewer, strict=True):
        assert sessions_by(report, dim) == facts.groupby(dim)["sessions"].sum().to_dict()
        assert report.metadata["quota"]["from_cache"]
    # Every request that asks for countries fails from now on: a batch of the kept countries
    # report and a new one asks only the new one, so it gets through.
    clean_emulator.add_fault("500", endpoint="ga.batchRunReports", match='"country"', times=99)
    device = ReportRequest(ranges, ("sessions",), ("deviceCategory",))
    mixed = again.fetch_batch(MAIN, [by["country"], device])
    assert calls(clean_emulator, "ga.batchRunReports") == 2
    for dim, report in zip(("country", "deviceCategory"), mixed, strict=True):
        assert sessions_by(report, dim) == facts.groupby(dim)["sessions"].sum().to_dict()
    assert [r.metadata["quota"]["from_cache"] for r in mixed] == [True, False]
    with pytest.raises(FetchError):  # the fault is real: asked again, countries fail
        again.fetch_batch(MAIN, [by["country"], device], refresh=True)
    cache.close()


def test_cache_can_be_turned_off(config, tmp_path, clean_emulator):
    off = dataclasses.replace(config, cache=CacheConfig(enabled=False, path=tmp_path / "c.db"))
    client = Analytics(off, today=TODAY)
    client.run_report(MAIN, OCT, ["sessions"])
    client.run_report(MAIN, OCT, ["sessions"])
    assert calls(clean_emulator) == 2
    assert not (tmp_path / "c.db").exists()


def test_discover_sites_prints_every_property_as_config(config, network, clean_emulator):
    text = discover_sites(config)
    sites = yaml.safe_load(text)["google_analytics"]["sites"]
    ids = {entry["id"] for entries in sites.values() for entry in entries}
    assert ids == set(network.ga_properties)
    names = {network.ga_properties[p].display_name for p in network.ga_properties}
    assert set(sites) == names
    assert "# Pixel Media Ltd (account 100234567)" in text


def test_account_summaries_follow_page_tokens(client, network, clean_emulator):
    summaries = client.account_summaries(page_size=1)
    assert [s["account"] for s in summaries] == [f"accounts/{a}" for a in sorted(network.accounts)]
    assert calls(clean_emulator, "admin.accountSummaries.list") == len(network.accounts)


def test_a_retry_wait_leaves_the_decoding_slot_to_other_properties(config, clean_emulator):
    # pixelpost's main property answers half a JSON text once; while its client waits to
    # try again, another property's report must still be decoded and read (one_decoder's
    # slot is for reading answers, not for waiting).
    import threading

    others: list = []

    def sleep(seconds: float) -> None:
        done = threading.Event()

        def other() -> None:
            others.append(client.run_report(AMP, OCT, ["sessions"]))
            done.set()

        threading.Thread(target=other, daemon=True).start()
        others.append(done.wait(10))

    client = Analytics(config, today=TODAY, sleep=sleep)
    clean_emulator.add_fault("malformed", endpoint="ga.runReport", times=1, match=MAIN)
    frame = client.run_report(MAIN, OCT, ["sessions"])
    assert frame["sessions"].iloc[0] > 0
    assert others[-1] is True, "another property's answer waited for the retry's pause"
    facts = clean_emulator.network.ga_facts(AMP, OCT.start, OCT.end)
    assert others[0]["sessions"].iloc[0] == facts["sessions"].sum()


def test_a_silent_redis_cache_does_not_queue_the_properties_behind_each_other(config, network):
    # A Redis that does not answer is a miss (cache_redis): each property's lookup and store
    # wait out its socket timeout, side by side. Under one_decoder's slot they queued, the
    # round taking the properties' count times as long.
    import socket
    import threading
    import time

    redis = pytest.importorskip("redis")
    from statsdash.cache_redis import RedisCache

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        cache = RedisCache(url)
        cache._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        started = time.monotonic()
        assert cache.get({"probe": 1}) is None
        cache.put({"probe": 1}, {"answer": 1}, 60)
        one = time.monotonic() - started  # a lookup and a store on the silent Redis
        client = Analytics(config, today=TODAY, cache=cache, sleep=lambda seconds: None)
        ids = [p.id for site in config.google_analytics.sites.values() for p in site.properties]
        ids = ids[:6]
        sessions: dict[str, int] = {}

        def ask(pid: str) -> None:
            sessions[pid] = int(client.run_report(pid, OCT, ["sessions"])["sessions"].sum())

        threads = [threading.Thread(target=ask, args=(pid,)) for pid in ids]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        took = time.monotonic() - started
    for pid in ids:
        assert sessions[pid] == network.ga_facts(pid, OCT.start, OCT.end)["sessions"].sum()
    assert took < 3 * one, f"{len(ids)} properties took {took:.1f} s, one lookup+store {one:.1f} s"


def test_a_store_waiting_on_the_sqlite_lock_holds_up_no_answer(config, network, tmp_path):
    # Another process (a cron `warm`, a second replica) holds the cache's write lock: one
    # property's fresh answer waits to be stored (up to SQLite's busy timeout). The answer
    # itself is read meanwhile (stores are written behind), other properties' cached
    # answers too, and the store lands once the lock is let go.
    import sqlite3
    import threading
    import time

    path = tmp_path / "cache.sqlite"
    ids = [p.id for site in config.google_analytics.sites.values() for p in site.properties]
    fresh, kept = ids[0], ids[1:6]
    warm = Analytics(config, today=TODAY, cache=ResponseCache(path), sleep=lambda s: None)
    for pid in kept:
        warm.run_report(pid, OCT, ["sessions"])
    warm.cache.flush()
    client = Analytics(config, today=TODAY, cache=ResponseCache(path), sleep=lambda s: None)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the write lock; readers still read (WAL)
    released = threading.Event()
    read_while_locked: dict[str, bool] = {}
    sessions: dict[str, int] = {}

    def ask(pid: str) -> None:
        sessions[pid] = int(client.run_report(pid, OCT, ["sessions"])["sessions"].sum())
        read_while_locked[pid] = not released.is_set()

    threads = [threading.Thread(target=ask, args=(pid,)) for pid in [fresh, *kept]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5.0)
    released.set()
    time.sleep(0.2)  # the store is still waiting on the lock
    assert ResponseCache(path).stats()["entries"] == len(kept)
    other.execute("COMMIT")
    other.close()
    for thread in threads:
        thread.join(30)
    for pid in ids[:6]:
        assert sessions[pid] == network.ga_facts(pid, OCT.start, OCT.end)["sessions"].sum()
    waited = [pid for pid in [fresh, *kept] if not read_while_locked[pid]]
    assert not waited, f"answers of {waited} waited for a store"
    assert client.cache.stats()["hits"] == len(kept)  # stats wait for the store
    assert ResponseCache(path).stats()["entries"] == len(kept) + 1


def test_a_cold_request_goes_out_while_another_thread_reads_and_a_hit_waits_its_turn(
    config, network, clean_emulator, tmp_path
):
    # The process's one decoding slot (google_api.one_decoder) is for decoding answers:
    # a request not yet in the cache must go out while another thread holds it (a round's
    # early answers were being read while 9 of the Overview's 35 probes waited 1-2 s to
    # even look the cache up). A cached answer is still decoded in the slot, in turn.
    import threading
    import time

    from statsdash.google_api import hold_decoding, one_decoder

    cache = ResponseCache(tmp_path / "cache.sqlite")
    client = Analytics(config, today=TODAY, cache=cache, sleep=lambda s: None)
    client.run_report(AMP, OCT, ["sessions"])  # AMP's answer is kept, MAIN's is not
    holding, release = threading.Event(), threading.Event()

    def reader() -> None:  # another property's answer, being read into its tables
        with one_decoder():
            hold_decoding()
            holding.set()
            release.wait(10)

    done: dict[str, float] = {}
    frames: dict[str, pd.DataFrame] = {}

    def ask(pid: str) -> None:
        frames[pid] = client.run_report(pid, OCT, ["sessions"])
        done[pid] = time.monotonic()

    slot = threading.Thread(target=reader)
    slot.start()
    assert holding.wait(5)
    before = calls(clean_emulator)
    askers = [threading.Thread(target=ask, args=(pid,)) for pid in (MAIN, AMP)]
    for thread in askers:
        thread.start()
    deadline = time.monotonic() + 3
    while calls(clean_emulator) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    went_out = calls(clean_emulator) - before
    time.sleep(0.2)
    finished_early = sorted(done)
    released_at = time.monotonic()
    release.set()
    for thread in [slot, *askers]:
        thread.join(30)
    assert went_out == 1, "the cold request waited for the decoding slot before going out"
    assert finished_early == [], f"{finished_early} decoded outside the slot"
    assert min(done.values()) >= released_at
    for pid in (MAIN, AMP):
        assert (
            frames[pid]["sessions"].sum()
            == network.ga_facts(pid, OCT.start, OCT.end)["sessions"].sum()
        )


def test_an_answer_is_stamped_when_it_arrived_not_when_its_turn_to_be_read_came(
    config, clean_emulator
):
    # A property's early and first rounds travel side by side, each answer then waiting its
    # turn in the decoding slot. Stamped after that wait, the answer Google counted second
    # could carry the older stamp, and Data status showed the older quota (6 tokens high).
    import threading
    import time
    from datetime import datetime

    from statsdash.google_api import hold_decoding, one_decoder

    client = Analytics(config, today=TODAY, sleep=lambda s: None)
    holding, release = threading.Event(), threading.Event()

    def reader() -> None:  # another answer being read meanwhile
        with one_decoder():
            hold_decoding()
            holding.set()
            release.wait(10)

    frames: dict[str, pd.DataFrame] = {}

    def ask(name: str, metric: str) -> None:
        frames[name] = client.run_report(MAIN, OCT, [metric])

    def wait_for_calls(count: int) -> None:
        deadline = time.monotonic() + 5
        while calls(clean_emulator) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # its answer on the way back, then waiting for the slot

    slot = threading.Thread(target=reader)
    slot.start()
    assert holding.wait(5)
    first = threading.Thread(target=ask, args=("counted first", "sessions"))
    first.start()
    wait_for_calls(1)
    second = threading.Thread(target=ask, args=("counted second", "screenPageViews"))
    second.start()
    wait_for_calls(2)
    released = datetime.now()
    release.set()
    for thread in (slot, first, second):
        thread.join(30)
    quotas = {name: frame.attrs["metadata"]["quota"] for name, frame in frames.items()}
    early, late = quotas["counted first"], quotas["counted second"]
    assert early["as_of"] < late["as_of"] < released, (early["as_of"], late["as_of"], released)
    assert late["tokens_per_day_remaining"] < early["tokens_per_day_remaining"]
    assert client.latest_quota[MAIN] is late

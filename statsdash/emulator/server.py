"""HTTP front of the emulator: routes Google API paths to the GA and YouTube handlers,
injects faults, counts requests, and runs in a thread (tests, demo) or the foreground."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Sequence
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from statsdash.emulator import ga, ga_realtime, youtube, youtube_data
from statsdash.emulator.errors import (
    FAULT_KINDS,
    HANG_MS,
    TRANSPORT_KINDS,
    ApiError,
    fault_error,
    invalid,
)
from statsdash.emulator.hostile import Disguise
from statsdash.emulator.network import Network, demo_network

ENDPOINTS = (
    "ga.runReport",
    "ga.batchRunReports",
    "ga.runRealtimeReport",
    "ga.getMetadata",
    "admin.accountSummaries.list",
    "yt.reports.query",
    "yt.channels.list",
    "yt.videos.list",
    "yt.contentOwners.list",
)
# (HTTP method, path pattern, endpoint)
ROUTES = (
    ("POST", re.compile(r"/v1beta/properties/([^/:]+):runReport"), "ga.runReport"),
    ("POST", re.compile(r"/v1beta/properties/([^/:]+):batchRunReports"), "ga.batchRunReports"),
    (
        "POST",
        re.compile(r"/v1beta/properties/([^/:]+):runRealtimeReport"),
        "ga.runRealtimeReport",
    ),
    ("GET", re.compile(r"/v1beta/properties/([^/:]+)/metadata"), "ga.getMetadata"),
    ("GET", re.compile(r"/v1beta/accountSummaries"), "admin.accountSummaries.list"),
    ("GET", re.compile(r"/v2/reports"), "yt.reports.query"),
    ("GET", re.compile(r"/youtube/v3/channels"), "yt.channels.list"),
    ("GET", re.compile(r"/youtube/v3/videos"), "yt.videos.list"),
    ("GET", re.compile(r"/youtube/partner/v1/contentOwners"), "yt.contentOwners.list"),
)
LOG_SIZE = 10_000


class EmulatorState:
    """Counters, request log, pending faults and GA token use, shared by handler threads."""

    def __init__(self, network: Network, disguise: Disguise | None = None):
        self.network = network
        self.disguise = disguise  # tests only: hostile text in every outside string
        self._lock = threading.Lock()
        # One answer made at a time, in turn: made by every handler thread at once (numpy
        # under one interpreter lock), a round's 40 answers were all done at its slowest's
        # time; in turn, the first are out while the rest are made, as Google's would be.
        self.working = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            # Hanging requests end at a reset, so a test's hang never outlives the test.
            getattr(self, "released", threading.Event()).set()
            self.released = threading.Event()
            self._counts: Counter[str] = Counter()
            self._log: deque[dict] = deque(maxlen=LOG_SIZE)
            self._faults: list[dict] = []
            self.quota = ga.PropertyQuota()
            self.realtime_quota = ga.PropertyQuota()  # Google's realtime quota is its own
            self._in_flight: Counter[str] = Counter()
            self._peak: Counter[str] = Counter()
            self._peak_total = 0  # the most requests answered at once, about anything
            # When each request was answered (wall clock, seconds), for benchmarks' timelines.
            self._timeline: deque[dict] = deque(maxlen=LOG_SIZE)

    def enter(self, who: str) -> float:
        """A request about `who` (a GA property, or "youtube") is being answered; when."""
        with self._lock:
            self._in_flight[who] += 1
            self._peak[who] = max(self._peak[who], self._in_flight[who])
            self._peak_total = max(self._peak_total, self._in_flight.total())
        return time.time()

    def leave(self, who: str, started: float | None = None) -> None:
        ended = time.time()
        with self._lock:
            self._in_flight[who] -= 1
            if started is not None:
                self._timeline.append({"who": who, "start": started, "end": ended})

    def timeline(self) -> list[dict]:
        """{"who", "start", "end"} of each request answered (oldest first, the last LOG_SIZE)."""
        with self._lock:
            return list(self._timeline)

    def add_faults(self, faults: list[dict]) -> None:
        """Queue faults; each fires for its next `times` matching requests, then is gone."""
        checked = [_check_fault(f) for f in faults]
        with self._lock:
            self._faults += checked

    def faults(self) -> list[dict]:
        with self._lock:
            return [dict(f) for f in self._faults]

    def take_fault(self, endpoint: str, text: str) -> dict | None:
        with self._lock:
            for f in self._faults:
                if f["endpoint"] in ("*", endpoint) and all(m in text for m in f["match"]):
                    f["times"] -= 1
                    if f["times"] <= 0:
                        self._faults.remove(f)
                    return dict(f)
        return None

    def record(self, endpoint: str, method: str, path: str, key: str, status: int) -> None:
        entry = {"endpoint": endpoint, "method": method, "path": path, "key": key, "status": status}
        with self._lock:
            self._counts[endpoint] += 1
            self._log.append(entry)

    def requests(self) -> dict:
        with self._lock:
            return {
                "total": sum(self._counts.values()),
                "by_endpoint": {e: self._counts[e] for e in ENDPOINTS},
                "log": list(self._log),
                # The most requests about one property (or YouTube) answered at once.
                "peak_in_flight": dict(self._peak),
                "peak_in_flight_total": self._peak_total,
            }


def _check_fault(f: dict) -> dict:
    if not isinstance(f, dict) or f.get("kind") not in FAULT_KINDS:
        raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}; got {f!r}")
    endpoint = f.get("endpoint", "*")
    if endpoint != "*" and endpoint not in ENDPOINTS:
        raise ValueError(f"fault endpoint must be '*' or one of {', '.join(ENDPOINTS)}")
    times = int(f.get("times", 1))
    default = {"slow": 1000, "hang": HANG_MS}.get(f["kind"], 0)
    latency = float(f.get("latency_ms") or default)
    if times < 1 or latency < 0:
        raise ValueError("fault times must be >= 1 and latency_ms >= 0")
    # A string, or several that must all occur (a property's path and one report's body).
    match = f.get("match") or ()
    match = (match,) if isinstance(match, str) else tuple(match)
    if not all(isinstance(m, str) and m for m in match):
        raise ValueError(f"fault match must be a string or a list of strings; got {f!r}")
    return {
        "endpoint": endpoint,
        "kind": f["kind"],
        "times": times,
        "match": match,
        "latency_ms": latency,
    }


def _key(endpoint: str, match: re.Match, params: dict[str, list[str]]) -> str:
    """What a request was about, for the log: property id, or the YouTube ids/filters."""
    one = {k: v[-1] for k, v in params.items()}
    if endpoint.startswith("ga."):
        return match.group(1)
    if endpoint == "yt.reports.query":
        return f"{one.get('ids', '')} {one.get('filters', '')}".strip()
    if endpoint in ("yt.channels.list", "yt.videos.list"):
        return ",".join(params.get("id", [])) or ("managedByMe" if "managedByMe" in one else "")
    return ""


def _answer(state: EmulatorState, endpoint: str, match: re.Match, params, body: bytes) -> dict:
    net = state.network
    if endpoint in ("ga.runReport", "ga.batchRunReports", "ga.runRealtimeReport"):
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            raise invalid("Invalid JSON payload received.") from None
        if endpoint == "ga.runRealtimeReport":
            return ga_realtime.run_realtime_report(
                net, match.group(1), payload, state.realtime_quota
            )
        run = ga.run_report if endpoint == "ga.runReport" else ga.batch_run_reports
        # Rows as JSON text, unless a disguise rewrites their strings.
        return run(net, match.group(1), payload, state.quota, encoded=state.disguise is None)
    if endpoint == "ga.getMetadata":
        return ga.get_metadata(net, match.group(1))
    if endpoint == "admin.accountSummaries.list":
        return ga.account_summaries(net, {k: v[-1] for k, v in params.items()})
    if endpoint == "yt.reports.query":
        return youtube.reports_query(net, {k: v[-1] for k, v in params.items()})
    handler = {
        "yt.channels.list": youtube_data.channels_list,
        "yt.videos.list": youtube_data.videos_list,
        "yt.contentOwners.list": youtube_data.content_owners_list,
    }[endpoint]
    return handler(net, params)


def _encoded(payload: dict) -> bytes:
    """json.dumps(payload).encode(), with the rows the GA answers carry as JSON text
    (ga.RawJSON) put in as they are: the same bytes."""
    raw: list[str] = []

    def placeholder(value: object) -> str:
        if not isinstance(value, ga.RawJSON):
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
        raw.append(value.text)
        return f"\x00{len(raw) - 1}\x00"

    text = json.dumps(payload, default=placeholder)
    for i, piece in enumerate(raw):
        mark = f'"\\u0000{i}\\u0000"'
        if text.count(mark) != 1:  # a served string held the mark itself: the slow way
            return json.dumps(payload, default=lambda v: json.loads(v.text)).encode()
        text = text.replace(mark, piece)
    return text.encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httplib2 expects
    timeout = 60
    # One write per answer and no Nagle delay: otherwise every keep-alive answer waits
    # ~40 ms for the client's delayed ACK.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet by design
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _send(self, status: int, payload: dict | bytes, headers: dict | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        query = url.query
        if method == "POST" and self.headers.get("x-http-method-override", "").upper() == "GET":
            # The client library's form of a GET whose URL passed 2048 characters.
            method, query, body = "GET", "&".join(filter(None, (query, body.decode()))), b""
        params = parse_qs(query, keep_blank_values=True)
        params.pop("alt", None)
        if url.path.startswith("/_emulator/"):
            self._control(method, url.path, body)
            return
        for route_method, pattern, endpoint in ROUTES:
            match = pattern.fullmatch(url.path)
            if match and route_method == method:
                self._serve(endpoint, match, params, body, url.path, query)
                return
        self._send(404, ApiError(404, f"Not Found: {method} {url.path}").body("ga"))

    def _serve(self, endpoint, match, params, body, path, query) -> None:
        state = self.server.state
        style = "ga" if endpoint.startswith(("ga.", "admin.")) else "yt"
        if state.disguise:
            body = state.disguise.request(body)
        fault = state.take_fault(endpoint, f"{path}?{query}{body.decode(errors='replace')}")
        key = _key(endpoint, match, params)
        who = match.group(1) if endpoint.startswith("ga.") else endpoint.split(".")[0]
        started = state.enter(who)
        try:
            self._answer_with(state, endpoint, match, params, body, path, key, style, fault)
        finally:
            state.leave(who, started)

    def _answer_with(self, state, endpoint, match, params, body, path, key, style, fault) -> None:
        headers = {}
        kind = fault["kind"] if fault else None
        arrived = time.monotonic()
        try:
            if kind == "hang":
                state.released.wait(fault["latency_ms"] / 1000)
                self.close_connection = True
                return
            if fault and kind not in TRANSPORT_KINDS:
                time.sleep(fault["latency_ms"] / 1000)
                raise fault_error(kind)
            with state.working:
                status, payload = 200, _answer(state, endpoint, match, params, body)
        except ApiError as e:
            status, payload, headers = e.code, e.body(style), e.headers
        except Exception as e:  # an emulator bug must still answer like a server would
            status, payload = 500, ApiError(500, f"Emulator error: {e!r}").body(style)
        if state.disguise:
            payload = state.disguise.answer(endpoint, payload)
        if kind == "no_rows" and status == 200:
            for report in payload.get("reports", [payload]):
                report.pop("rows", None)
        data = _encoded(payload)
        if kind == "malformed" and status == 200:
            data = data[: max(1, len(data) // 2)]
        # The wire method: a long GET sent as POST + x-http-method-override logs as POST.
        state.record(endpoint, self.command, path, key, status)
        if fault:
            # An injected latency is the answer's whole time, the making of it included (as
            # Google's is): made first, it waits out the rest. Made after the wait, each of a
            # cold page's 40 early answers came the emulator's turn later again (0.2-1.1 s
            # for 200 ms).
            time.sleep(max(0.0, fault["latency_ms"] / 1000 - (time.monotonic() - arrived)))
        if kind == "drop" and status == 200:
            self._send_half(data)
            return
        self._send(status, data, headers)

    def _send_half(self, data: bytes) -> None:
        """Headers for the whole body, half of it, then the connection closes."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True

    def _control(self, method: str, path: str, body: bytes) -> None:
        state = self.server.state
        if path == "/_emulator/requests" and method == "GET":
            self._send(200, state.requests())
        elif path == "/_emulator/timeline" and method == "GET":
            self._send(200, {"timeline": state.timeline()})
        elif path == "/_emulator/reset" and method == "POST":
            state.reset()
            self._send(200, {"reset": True})
        elif path == "/_emulator/faults" and method == "GET":
            self._send(200, {"faults": state.faults()})
        elif path == "/_emulator/faults" and method == "POST":
            try:
                state.add_faults(json.loads(body or b"{}").get("faults", []))
            except (ValueError, TypeError, AttributeError) as e:
                self._send(400, invalid(str(e)).body("ga"))
                return
            self._send(200, {"faults": state.faults()})
        elif path == "/_emulator/clock" and method == "POST":
            # Tests pin the realtime "now" of an emulator in another process (the app's demo):
            # {"now": "2026-11-20T14:07:00+00:00"}, or {"now": null} for the wall clock again.
            try:
                now = json.loads(body or b"{}").get("now")
                pinned = None if now is None else datetime.fromisoformat(now)
            except (ValueError, TypeError, AttributeError) as e:
                self._send(400, invalid(str(e)).body("ga"))
                return
            state.network.clock = None if pinned is None else (lambda: pinned)
            self._send(200, {"now": now})
        elif path == "/_emulator/draw" and method == "POST":
            # Benchmarks: every month of facts made before timing (see network.draw_all).
            from statsdash.emulator.network import draw_all

            started = time.perf_counter()
            draw_all(state.network.today)
            self._send(200, {"drawn": True, "seconds": round(time.perf_counter() - started, 2)})
        elif path == "/_emulator/health" and method == "GET":
            net = state.network
            self._send(200, {"status": "ok", "today": net.today.isoformat()})
        else:
            self._send(404, ApiError(404, f"Not Found: {method} {path}").body("ga"))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog is 5: a cold page opens 50-60 connections at once (a
    # thread each), and while the emulator's busy accept loop caught up the kernel dropped
    # the rest, whose clients sent their SYN again a second later: a quarter of a round's
    # requests left 1 s late, an artefact Google's front ends do not have (Linux caps this
    # at net.core.somaxconn).
    request_queue_size = 1024
    state: EmulatorState


class EmulatorHandle:
    """A running emulator: its base URL, its network, counters and faults, and stop()."""

    def __init__(self, server: _Server, thread: threading.Thread):
        self._server = server
        self._thread = thread
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.port = port
        self.network = server.state.network

    def requests(self) -> dict:
        """{"total", "by_endpoint", "log"} as GET /_emulator/requests answers."""
        return self._server.state.requests()

    def reset(self) -> None:
        """Clear counters, the log, pending faults and GA token use."""
        self._server.state.reset()

    def add_fault(
        self,
        kind: str,
        endpoint: str = "*",
        times: int = 1,
        match: str | Sequence[str] | None = None,
        latency_ms: float | None = None,
    ) -> None:
        """Make the next `times` requests to `endpoint` (containing `match`, or every one of
        several strings) fail with `kind`."""
        fault = {"kind": kind, "endpoint": endpoint, "times": times, "match": match}
        self._server.state.add_faults([fault | {"latency_ms": latency_ms}])

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _make_server(
    host: str,
    port: int,
    today: date | None,
    disguise: Disguise | None = None,
    copies: int = 1,
) -> _Server:
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the emulator binds loopback addresses only, not {host}")
    server = _Server((host, port), _Handler)
    server.state = EmulatorState(demo_network(today, copies), disguise)
    return server


def start_emulator(
    port: int = 0,
    today: date | None = None,
    host: str = "127.0.0.1",
    disguise: Disguise | None = None,
    copies: int = 1,
) -> EmulatorHandle:
    """Serve the emulator from a daemon thread; port 0 picks a free port. `disguise`
    (tests only) puts hostile payloads into every outside string it serves; `copies` > 1
    repeats every property and channel under new IDs (benchmarks)."""
    server = _make_server(host, port, today, disguise, copies)
    thread = threading.Thread(target=server.serve_forever, name="statsdash-emulator", daemon=True)
    thread.start()
    return EmulatorHandle(server, thread)


def _stop_without(parent_pid: int, server: _Server) -> None:
    """Shut the server down once `parent_pid` is no longer this process's parent."""
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    server.shutdown()


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    today: date | None = None,
    copies: int = 1,
    *,
    draw_ahead: bool = False,
    parent_pid: int | None = None,
) -> None:
    """Serve the emulator in the foreground until interrupted. `draw_ahead`: make the demo's
    first page's facts on a thread meanwhile (see network.draw_ahead); `parent_pid`: stop
    once that process is gone (the app that started it, however it ended)."""
    server = _make_server(host, port, today, copies=copies)
    if draw_ahead:
        from statsdash.emulator.network import draw_ahead as draw

        day = server.state.network.today
        threading.Thread(target=draw, args=(day,), name="draw-ahead", daemon=True).start()
    if parent_pid is not None:
        threading.Thread(
            target=_stop_without, args=(parent_pid, server), name="parent-watch", daemon=True
        ).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

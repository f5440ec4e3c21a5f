"""What every Google API client in Statsdash shares: building services and executing requests.

One retry policy for all services (the seed's YouTube client never retried):
429 rate limits, 500, 503 and transport errors are retried with exponential backoff and
jitter (honouring Retry-After), at most MAX_TRIES tries; 400/401/403 are not, except
YouTube's 403 rateLimitExceeded, and neither is a request silent for its whole timeout.
An exhausted daily or hourly quota fails fast.

Transport errors include a connection dropped mid-body (http.client.IncompleteRead) and a
token endpoint that failed transiently (google-auth's retryable RefreshError); an answer
that fails the caller's `check` is a BadResponse, retried like a truncated one. No request
waits longer than TIMEOUT, and none is started or retried past the fetch budget (budget.py).
"""

from __future__ import annotations

import contextlib
import functools
import html
import http.client as http_client
import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import orjson
from google.auth.exceptions import GoogleAuthError, RefreshError

from statsdash import budget
from statsdash.errors import (
    AuthError,
    BadResponse,
    FetchError,
    QuotaExhausted,
    StatsdashError,
    TimedOut,
)

MAX_TRIES = 5
BASE_DELAY = 1.0
MAX_DELAY = 32.0
# Seconds one request may take: GA4 and YouTube answer large reports in a few seconds, so a
# request still silent after this is not coming back (a hung connection used to wait 60 s
# per try, five tries per request).
TIMEOUT = 30
REFRESH_FAILURE_TTL = 10.0  # seconds a failed token refresh is not tried again
if TYPE_CHECKING:
    from googleapiclient.errors import HttpError
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")

RETRY_STATUSES = {429, 500, 502, 503, 504}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
# GA4 answers 429 RESOURCE_EXHAUSTED both for "too many at once" (worth a retry) and for
# exhausted hourly or daily buckets (tokens, thresholded requests, server errors), where
# only the next hour or day helps.
QUOTA_MESSAGES = ("per day", "per hour")


def plain_text(message: str) -> str:
    """An API message without markup: YouTube's quota message carries a raw <a href>."""
    return " ".join(html.unescape(_TAG.sub("", message)).split())


class Answer(dict):
    """A decoded JSON answer that keeps the bytes it was decoded from (`text`), so that the
    response cache stores them as they came instead of encoding the answer again (that
    encoding cost as much CPU as the decoding). Never mutated after decoding."""

    __slots__ = ("text",)


# One thread at a time decodes an answer and reads it (see one_decoder): the answers of
# a round arrive on dozens of threads at once, and decoded together their millions of
# small objects spread the parsed tables' survivors over hundreds of the allocator's
# arenas, which stay for good once any object in them lives (at 2,000 properties ~150 MB
# of the server's memory was such free space). Decoding holds the GIL anyway.
_DECODING = threading.Lock()
_decoder = threading.local()


@contextlib.contextmanager
def one_decoder() -> Iterator[None]:
    """Answers decoded on this thread inside the block wait for the process's one decoding
    slot (taken at the first decode, `hold_decoding`) and keep it until the block ends:
    the caller reads each answer into its tables and lets it go before another thread
    decodes. Only the caller's own reading runs in the slot, never a request."""
    outer = getattr(_decoder, "wanted", False)
    _decoder.wanted = True
    try:
        yield
    finally:
        _decoder.wanted = outer
        if not outer:
            let_go_decoding()


def arrived_at() -> float:
    """When this thread's last answer arrived, before it waited for the decoding slot (now,
    if none did): the order Google gave answers in. Stamped after the wait, a property's
    answer that Google counted second could carry the older stamp, the two rounds' threads
    having decoded in the other order, and Data status showed the older quota."""
    arrived = getattr(_decoder, "arrived", None)
    _decoder.arrived = None
    return arrived if arrived is not None else time.time()


def let_go_decoding() -> None:
    """Give the decoding slot back while this thread waits on something else (a request);
    its next decode takes it again."""
    if getattr(_decoder, "holding", False):
        _decoder.holding = False
        _DECODING.release()


def hold_decoding() -> None:
    """Take the decoding slot for this thread, inside one_decoder only (else nothing)."""
    if getattr(_decoder, "wanted", False) and not getattr(_decoder, "holding", False):
        _DECODING.acquire()
        _decoder.holding = True


@contextlib.contextmanager
def decoding_paused() -> Iterator[None]:
    """The slot given back over a wait on something outside the process (a shared cache's
    round trip), and taken again after if this thread held it: a Redis that does not answer
    held every other thread's answers for its socket timeouts, property after property."""
    held = getattr(_decoder, "holding", False)
    if held:
        let_go_decoding()
    try:
        yield
    finally:
        if held:
            hold_decoding()


@functools.cache
def _text_keeping_model() -> Any:
    """googleapiclient's JSON model, answering objects as `Answer`s, decoded by orjson
    (decoding a GA answer with the json module was the largest CPU cost of a request;
    orjson takes less than half). What orjson refuses goes the library's way, which
    hands back non-JSON text (execute() then retries it as unreadable). Made with the
    first service, like the library it extends (see build_service)."""
    from googleapiclient.model import JsonModel

    class TextKeepingModel(JsonModel):
        def deserialize(self, content):
            _decoder.arrived = time.time()  # before any wait for the slot (see arrived_at)
            hold_decoding()
            text = content if isinstance(content, bytes) else content.encode("utf-8")
            try:
                body = orjson.loads(text)
            except orjson.JSONDecodeError:
                return super().deserialize(content)
            if not isinstance(body, dict) or self._data_wrapper:
                return super().deserialize(content)
            answer = Answer(body)
            answer.text = text
            return answer

    return TextKeepingModel()


def stamped(answer: dict, name: str, value: float) -> dict:
    """`answer` with one more top-level number, its text (if it keeps one) spliced alike."""
    out = Answer(answer)
    out[name] = value
    text = getattr(answer, "text", None)
    body = text.strip() if text is not None else b""
    if body[:1] == b"{" and body[-1:] == b"}":
        head = json.dumps({name: value}).encode()[:-1]
        inner = body[1:-1].strip()
        out.text = head + (b"," + inner if inner else b"") + b"}"
    return out


def build_service(name: str, version: str, endpoint: str | None) -> Any:
    """A discovery-based client from the bundled document, pointed at `endpoint` if given.

    Requests are executed with a per-thread Http (see `execute`), so the service object
    itself carries no credentials and can be shared between threads. Object answers come
    back as `Answer`s, keeping their bytes for the response cache.
    """
    # The client library (googleapiclient, httplib2 and their imports, ~0.3 s of CPU) is
    # imported when a service is first built: a page answered from the response cache never
    # builds one, and a restarted server's first page no longer pays for it.
    import httplib2
    from googleapiclient.discovery import build

    options = {"api_endpoint": endpoint} if endpoint else None
    return build(
        name,
        version,
        http=httplib2.Http(timeout=TIMEOUT),
        client_options=options,
        static_discovery=True,
        cache_discovery=False,
        model=_text_keeping_model(),
    )


def refresh_failure(error: RefreshError, source: str) -> StatsdashError:
    """What a failed token refresh means: only `invalid_grant` (a refresh token revoked or
    expired) and other refusals need new credentials; a token endpoint answering 5xx or
    timing out (google-auth's `retryable`, already retried by google-auth) is transient."""
    detail = " ".join(str(error.args[0] if error.args else error).split())
    # google-auth writes "<error>: <error_description>", and "None" when there is none.
    detail = re.sub(r"^(\w+): None$", r"\1", detail)
    if error.retryable:
        return FetchError(source, f"Google's sign-in service failed ({detail}); try again shortly")
    return AuthError(f"{source}: the credentials could not be used ({detail})")


class HttpFactory:
    """One authorised httplib2.Http per thread: httplib2 objects are not thread-safe.

    The shared credentials are refreshed once, under a lock, before a thread gets its Http;
    left to AuthorizedHttp, every worker thread fetched a token of its own (8-12 at once)."""

    def __init__(self, credentials: Any | None, timeout: float = TIMEOUT) -> None:
        self.credentials = credentials
        self.timeout = timeout
        self._local = threading.local()
        self._refresh_lock = threading.Lock()
        self._failed: tuple[float, Exception] | None = None

    def ensure_fresh(self) -> None:
        """Refresh the credentials if they are not valid; raises google-auth's errors.

        A failed refresh is re-raised to the threads that queued behind it for a few
        seconds, so one bad token endpoint costs one round of google-auth's retries, not
        one per property."""
        creds = self.credentials
        if creds is None or creds.valid:
            return
        with self._refresh_lock:
            if creds.valid:
                return
            if self._failed and time.monotonic() - self._failed[0] < REFRESH_FAILURE_TTL:
                raise self._failed[1]
            from google.auth.transport.requests import Request

            try:
                creds.refresh(Request())
            except GoogleAuthError as error:
                self._failed = (time.monotonic(), error)
                raise
            self._failed = None

    def get(self) -> Any:
        self.ensure_fresh()
        http = getattr(self._local, "http", None)
        if http is None:
            import httplib2

            http = httplib2.Http(timeout=self.timeout)
            http.base_timeout = self.timeout  # execute() shortens it to the budget left
            if self.credentials is not None:
                from google_auth_httplib2 import AuthorizedHttp

                http = AuthorizedHttp(self.credentials, http=http)
            self._local.http = http
        return http


def error_details(error: HttpError) -> tuple[str, str, str]:
    """(message, status, reason) from a Google JSON error body, tolerating other bodies."""
    try:
        body = json.loads(error.content.decode("utf-8", "replace"))["error"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return (plain_text(error.reason or str(error.resp.status)), "", "")
    reasons = [e.get("reason", "") for e in body.get("errors", []) if isinstance(e, dict)]
    message = plain_text(str(body.get("message", "")))
    return (message, str(body.get("status", "")), (reasons or [""])[0])


def _retry_after(error: HttpError) -> float | None:
    value = error.resp.get("retry-after") if error.resp is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def classify(error: HttpError, source: str, tries: int = MAX_TRIES) -> tuple[bool, Exception]:
    """(retry?, the exception to raise if not retried or out of tries) for an HttpError."""
    status = error.resp.status
    message, _, reason = error_details(error)
    if status == 401:
        return False, AuthError(f"{source}: Google refused the credentials ({message})")
    if status == 429 and any(q in message.lower() for q in QUOTA_MESSAGES):
        return False, QuotaExhausted(source, f"quota exhausted: {message}")
    if status == 403 and reason in QUOTA_REASONS:
        return False, QuotaExhausted(source, f"quota exhausted: {message}")
    if status == 403 and reason in RATE_REASONS:
        return True, FetchError(source, f"rate limited: {message}")
    if status in RETRY_STATUSES:
        return True, FetchError(source, f"HTTP {status} after {tries} tries: {message}")
    return False, FetchError(source, f"HTTP {status}: {message}", status=status)


def execute(
    request: Any,
    *,
    source: str,
    http: Any = None,
    max_tries: int = MAX_TRIES,
    sleep: Callable[[float], None] = time.sleep,
    check: Callable[[Any], None] | None = None,
) -> dict:
    """Run a googleapiclient request under the retry policy; raise a FetchError naming `source`.

    `check(answer)` may raise BadResponse for an answer that contradicts itself."""
    import httplib2
    from googleapiclient.errors import HttpError

    transport_errors = (TimeoutError, OSError, httplib2.HttpLib2Error, http_client.HTTPException)
    attempt = 0
    while True:
        budget.check(source)
        _bound_wait(http, budget.current())
        last = attempt == max_tries - 1
        try:
            let_go_decoding()  # never held over a request (a retry, the next page)
            _decoder.arrived = None  # this request's answer stamps it (see arrived_at)
            response = request.execute(http=http) if http is not None else request.execute()
            if isinstance(response, str):
                # JsonModel hands back the raw text of an answer that is not JSON (truncated).
                raise json.JSONDecodeError("the answer is not JSON", response[:80], 0)
            if check is not None:
                check(response)
            return response
        except HttpError as error:
            retry, failure = classify(error, source, max_tries)
            if not retry or last:
                raise failure from error
            wait = _retry_after(error)
        except BadResponse as error:
            failure, wait = error, None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            failure = BadResponse(source, f"unreadable answer from the API: {error}")
            wait = None
        except RefreshError as error:
            failure = refresh_failure(error, source)
            if isinstance(failure, AuthError):
                raise failure from error
            wait = None
        except GoogleAuthError as error:
            raise AuthError(f"{source}: the credentials could not be used ({error})") from error
        except transport_errors as error:
            failure = FetchError(source, f"network error: {_transport(error)}")
            wait = None
            _drop_connections(http)
            if isinstance(error, TimeoutError):
                # Silent for a whole timeout: not coming back soon. A retry held the round
                # another timeout, and with it every later round of the page: one hung
                # property left the budget spent and every other property named timed out.
                raise _timed_out(source, failure, http) from error
        if last:
            raise failure
        backoff = min(MAX_DELAY, BASE_DELAY * 2**attempt) * (0.5 + random.random() / 2)
        # A Retry-After longer than MAX_DELAY would stall a page; the next try will tell.
        pause = min(MAX_DELAY, max(wait or 0.0, backoff))
        deadline = budget.current()
        if deadline is not None and pause >= deadline.remaining():
            # No time left for another try: say so now rather than after the pause.
            raise TimedOut(source, f"{deadline.message()} (last try: {failure.reason})")
        # An unreadable answer was decoded in the slot (one_decoder): give it back for the
        # pause, or every other property's answer waits out this one's backoff.
        let_go_decoding()
        sleep(pause)
        attempt += 1


def _bound_wait(http: Any, deadline: budget.Deadline | None) -> None:
    """Let a request wait no longer than the budget has left (and never past its own
    timeout): a request started just before the deadline used to hold the page a further
    `fetch.timeout_seconds` on a server that never answers."""
    http = getattr(http, "http", http)  # google_auth_httplib2.AuthorizedHttp wraps one
    base = getattr(http, "base_timeout", None)
    if base is None:
        return
    seconds = base if deadline is None else max(0.5, min(base, deadline.remaining()))
    http.timeout = seconds  # new connections
    for conn in list(getattr(http, "connections", {}).values()):
        conn.timeout = seconds  # kept-alive ones, and their open socket
        if getattr(conn, "sock", None) is not None:
            with contextlib.suppress(OSError):
                conn.sock.settimeout(seconds)


def _drop_connections(http: Any) -> None:
    """Close the kept-alive connections after a transport error, so the retry opens a new
    one instead of writing to a socket the server already closed (a "Broken pipe")."""
    http = getattr(http, "http", http)  # google_auth_httplib2.AuthorizedHttp wraps one
    for conn in list(getattr(http, "connections", {}).values()):
        with contextlib.suppress(OSError):
            conn.close()
    if hasattr(http, "connections"):
        http.connections.clear()


def _timed_out(source: str, failure: FetchError, http: Any) -> FetchError:
    """A request that timed out: the budget's message when it was the budget that ran out
    (the request's wait is cut to what the budget has left), else the request's own."""
    deadline = budget.current()
    if deadline is not None and deadline.remaining() < 1.0:
        return TimedOut(source, f"{deadline.message()} (last try: {failure.reason})")
    seconds = getattr(http, "base_timeout", None)
    if not seconds:
        return failure
    return TimedOut(source, f"timed out: no answer within {seconds:g} s (fetch.timeout_seconds)")


def _transport(error: Exception) -> str:
    """A transport error in words (IncompleteRead's own text is a byte count in a repr)."""
    if isinstance(error, http_client.IncompleteRead):
        return f"the connection closed mid-answer ({len(error.partial)} bytes received)"
    if isinstance(error, TimeoutError):
        return "the request timed out"
    return str(error) or type(error).__name__

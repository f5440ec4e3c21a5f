"""What every Google API client in Statsdash shares: building services and executing requests.

One retry policy for all services (the seed's YouTube client never retried):
429 rate limits, 500, 503 and transport errors are retried with exponential backoff and
jitter (honouring Retry-After), at most MAX_TRIES tries; 400/401/403 are not, except
YouTube's 403 rateLimitExceeded. An exhausted daily or hourly quota fails fast.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import httplib2
from google.auth.exceptions import GoogleAuthError
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from statsdash.errors import AuthError, BadResponse, FetchError, QuotaExhausted

MAX_TRIES = 5
BASE_DELAY = 1.0
MAX_DELAY = 32.0
TIMEOUT = 60

RETRY_STATUSES = {429, 500, 502, 503, 504}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
# GA4 answers 429 RESOURCE_EXHAUSTED both for "too many at once" (worth a retry) and for
# exhausted hourly or daily buckets (tokens, thresholded requests, server errors), where
# only the next hour or day helps.
QUOTA_MESSAGES = ("per day", "per hour")


def build_service(name: str, version: str, endpoint: str | None) -> Any:
    """A discovery-based client from the bundled document, pointed at `endpoint` if given.

    Requests are executed with a per-thread Http (see `execute`), so the service object
    itself carries no credentials and can be shared between threads.
    """
    options = {"api_endpoint": endpoint} if endpoint else None
    return build(
        name,
        version,
        http=httplib2.Http(timeout=TIMEOUT),
        client_options=options,
        static_discovery=True,
        cache_discovery=False,
    )


class HttpFactory:
    """One authorised httplib2.Http per thread: httplib2 objects are not thread-safe."""

    def __init__(self, credentials: Any | None) -> None:
        self.credentials = credentials
        self._local = threading.local()

    def get(self) -> Any:
        http = getattr(self._local, "http", None)
        if http is None:
            http = httplib2.Http(timeout=TIMEOUT)
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
        return (error.reason or str(error.resp.status), "", "")
    reasons = [e.get("reason", "") for e in body.get("errors", []) if isinstance(e, dict)]
    return (str(body.get("message", "")), str(body.get("status", "")), (reasons or [""])[0])


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
) -> dict:
    """Run a googleapiclient request under the retry policy; raise a FetchError naming `source`."""
    attempt = 0
    while True:
        last = attempt == max_tries - 1
        try:
            response = request.execute(http=http) if http is not None else request.execute()
            if isinstance(response, str):
                # JsonModel hands back the raw text of an answer that is not JSON (truncated).
                raise json.JSONDecodeError("the answer is not JSON", response[:80], 0)
            return response
        except HttpError as error:
            retry, failure = classify(error, source, max_tries)
            if not retry or last:
                raise failure from error
            wait = _retry_after(error)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            if last:
                raise BadResponse(source, f"unreadable answer from the API: {error}") from error
            wait = None
        except GoogleAuthError as error:
            raise AuthError(f"{source}: the credentials could not be used ({error})") from error
        except (TimeoutError, OSError, httplib2.HttpLib2Error) as error:
            if last:
                raise FetchError(source, f"network error: {error}") from error
            wait = None
        backoff = min(MAX_DELAY, BASE_DELAY * 2**attempt) * (0.5 + random.random() / 2)
        # A Retry-After longer than MAX_DELAY would stall a page; the next try will tell.
        sleep(min(MAX_DELAY, max(wait or 0.0, backoff)))
        attempt += 1

"""The shared retry policy's edges that the emulator does not produce."""

import httplib2
import pytest
from googleapiclient.errors import HttpError

from statsdash.errors import FetchError
from statsdash.google_api import MAX_DELAY, execute


class AlwaysBusy:
    """A request whose every execution answers 503 with a Retry-After of an hour."""

    def __init__(self) -> None:
        self.calls = 0

    def execute(self, http=None):
        self.calls += 1
        resp = httplib2.Response({"status": 503, "retry-after": "3600"})
        raise HttpError(resp, b'{"error": {"code": 503, "message": "busy"}}', uri="http://x")


def test_a_huge_retry_after_is_capped_so_a_page_never_stalls():
    sleeps: list[float] = []
    request = AlwaysBusy()
    with pytest.raises(FetchError, match=r"^property 1: HTTP 503 after 3 tries: busy$"):
        execute(request, source="property 1", max_tries=3, sleep=sleeps.append)
    assert request.calls == 3
    assert sleeps == [MAX_DELAY, MAX_DELAY]


def _http_error(status: int, reason: str) -> HttpError:
    body = (
        f'{{"error": {{"code": {status}, "message": "no", "errors": [{{"reason": "{reason}"}}]}}}}'
    )
    return HttpError(httplib2.Response({"status": status}), body.encode(), uri="http://x")


def test_only_a_plain_refusal_carries_its_status():
    from statsdash.google_api import classify

    assert classify(_http_error(403, "forbidden"), "c")[1].status == 403
    retry, rate = classify(_http_error(403, "rateLimitExceeded"), "c")
    assert retry and rate.status is None
    assert classify(_http_error(403, "quotaExceeded"), "c")[1].status is None

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

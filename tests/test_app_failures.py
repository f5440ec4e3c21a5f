"""The app when a whole service refuses access or a source is lost on the wire: one plain
message, never a traceback, on every page (the demo app against its own emulator)."""

from __future__ import annotations

import json
import urllib.request

import pytest
from test_app_pages import _app_emulator_url, downloads, open_page, shown  # noqa: F401 (fixture)

from statsdash import google_api

SEPTEMBER = {"period": "custom", "start": "2026-09-01", "end": "2026-09-30"}
pytestmark = pytest.mark.slow  # each test runs the app (AppTest) through a page
PAGES = ["pages/overview.py", "pages/web_summary.py", "pages/data_status.py"]


def control(url: str, path: str, payload: dict | None = None) -> None:
    data = json.dumps(payload or {}).encode()
    request = urllib.request.Request(
        f"{url}/_emulator/{path}", data=data, headers={"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=10).close()


@pytest.fixture
def app_faults(downloads, monkeypatch):  # noqa: F811
    """add(fault) on the app's own emulator; all faults are cleared afterwards. Retries
    pause a few milliseconds instead of seconds (the app runs in this process)."""
    monkeypatch.setattr(google_api, "BASE_DELAY", 0.001)
    open_page("pages/overview.py", downloads)  # the app's emulator is running now
    url = _app_emulator_url()
    yield lambda **fault: control(url, "faults", {"faults": [fault]})
    control(url, "reset")


@pytest.mark.parametrize("page", PAGES)
def test_refused_ga_credentials_are_one_message_on_every_page(app_faults, downloads, page):  # noqa: F811
    for endpoint in ("ga.batchRunReports", "ga.runReport"):
        app_faults(kind="401", endpoint=endpoint, times=10_000)
    # Two sites only: a selection no earlier page has fetched (Data status always looks at
    # the last days, which other tests have fetched for every site).
    query = SEPTEMBER | {"sites": "gearhaven.co.uk,fablefield.net"}
    at = open_page(page, downloads, query)  # asserts no exception (no traceback)
    errors = [shown(e.value) for e in at.error]
    refused = [e for e in errors if "refused the credentials for all" in e]
    assert len(refused) == 1, errors
    assert "python -m statsdash discover ga --config" in refused[0]
    assert "all 4 properties" in refused[0]
    assert "Ask Google" not in " ".join(errors)


def test_a_dropped_property_is_named_and_the_others_render(app_faults, downloads):  # noqa: F811
    app_faults(kind="drop", endpoint="*", match="properties/298451007", times=10_000)
    at = open_page("pages/overview.py", downloads, SEPTEMBER)
    warnings = " ".join(shown(w.value) for w in at.warning)
    assert "gearhaven.co.uk (property 298451007)" in warnings
    assert "connection closed mid-answer" in warnings
    assert "ga-countries_2026-09-01_2026-09-30_incomplete.csv" in downloads

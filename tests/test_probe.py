"""The readiness probe (README, Deployment): Streamlit's script health check runs the app.
The server's first probe draws the default page (so the first visitor finds it built); the
ones after stop once the configuration has loaded, so a load balancer probing every few
seconds neither costs a page each time nor waits on Google."""

from __future__ import annotations

import os
import time
import urllib.request
from datetime import date

import pytest
import yaml
from streamlit_server import streamlit_app
from test_browser import ARTIFACTS, TODAY

from statsdash.emulator import DEMO_CONFIG, start_emulator
from statsdash.ui import session


def probe(url: str) -> tuple[int, str, float]:
    started = time.perf_counter()
    with urllib.request.urlopen(f"{url}/_stcore/script-health-check", timeout=90) as answer:
        return answer.status, answer.read().decode().strip(), time.perf_counter() - started


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """`streamlit run app.py` against an emulator of its own, no response cache."""
    emulator = start_emulator(port=0, today=date.fromisoformat(TODAY))
    config = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    config["cache"] = {"enabled": False}
    config["google_analytics"]["endpoint"] = config["youtube"]["endpoint"] = emulator.url
    path = tmp_path_factory.mktemp("probe") / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "STATSDASH_DEMO"}
    env |= {"STATSDASH_CONFIG": str(path), "STATSDASH_TODAY": TODAY}
    log = ARTIFACTS / "probe-streamlit.log"
    try:
        with streamlit_app(env, log) as server:
            yield server.url, emulator, log
    finally:
        emulator.stop()


def test_the_first_probe_draws_the_page_and_later_ones_do_not_ask_google(probed):
    url, emulator, log = probed
    status, body, _ = probe(url)
    assert (status, body) == (200, "ok")
    drawn = emulator.requests()["total"]
    assert drawn > 0  # the default Overview was built: its requests reached the emulator

    # Google now answers nothing in time: a probe that drew the page again would wait.
    emulator.add_fault("slow", endpoint="*", times=10**6, latency_ms=30_000)
    for _ in range(3):
        status, body, seconds = probe(url)
        assert (status, body) == (200, "ok")
        assert seconds < 5, seconds
    assert emulator.requests()["total"] == drawn
    assert "Traceback" not in log.read_text(encoding="utf-8")


class _Context:
    session_id = "a-session"


class _Runtime:
    def __init__(self, client):
        self.client = client

    def get_client(self, session_id):
        assert session_id == "a-session"
        return self.client


@pytest.fixture
def served(monkeypatch):
    """A served run's context: `served(client)` sets what the runtime knows of its session."""
    import streamlit.runtime as runtime
    import streamlit.runtime.scriptrunner as scriptrunner

    monkeypatch.setattr(session, "_probe_ran", type(session._probe_ran)())
    monkeypatch.setattr(scriptrunner, "get_script_run_ctx", lambda: _Context())
    monkeypatch.setattr(runtime, "exists", lambda: True)

    def serve(client):
        monkeypatch.setattr(runtime, "get_instance", lambda: _Runtime(client))

    return serve


def test_only_a_session_no_browser_holds_is_a_probe(served):
    served(client=object())  # a browser's session
    assert not session.is_probe()
    session.probe_done()
    assert not session.is_repeat_probe()
    served(client=None)  # the health check's own session
    assert session.is_probe()
    assert not session.is_repeat_probe()  # the process's first probe draws the page
    session.probe_done()
    assert session.is_repeat_probe()
    served(client=object())
    assert not session.is_repeat_probe()  # a visitor always gets the page


def test_outside_a_served_app_nothing_is_a_probe():
    """Bare mode and AppTest have no runtime serving sessions: no run is a probe."""
    assert not session.is_probe()

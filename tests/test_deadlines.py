"""Fetch deadlines: a source that accepts the connection and never answers, or refuses it,
costs at most the configured budget per service (fetch.budget_seconds), after which what
arrived renders and the rest is named as timed out. Short budgets keep the tests fast."""

from __future__ import annotations

import io
import socket
import threading
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_app_pages import shown

from statsdash import google_api
from statsdash.cli import main
from statsdash.emulator import DEMO_CONFIG
from statsdash.ui.session import load_app_config

TODAY = date(2026, 11, 20)  # the session emulator's day (conftest)
APP = str(Path(__file__).resolve().parents[1] / "app.py")
TIMEOUT, BUDGET = 2, 5
SLACK = 4  # seconds beyond the budget for start-up, the YouTube half and a loaded machine
OCT = ["--start", "2026-10-01", "--end", "2026-10-31"]


@pytest.fixture
def silent_url():
    """A loopback server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def refused_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def warm(emulator, tmp_path_factory):
    """Every demo property and channel asked once, so the emulator's facts are built and a
    short timeout measures the client, not the emulator's first answers."""
    text = DEMO_CONFIG.read_text().replace("http://127.0.0.1:8765", emulator.url)
    path = tmp_path_factory.mktemp("warm") / "config.yaml"
    path.write_text("cache: {enabled: false}\n" + text)
    for report in ("brands", "daily"):
        main(["export", report, "--config", str(path), *OCT, "-o", str(path.with_suffix(".csv"))])


@pytest.fixture
def write_config(emulator, tmp_path, warm):
    """config.yaml with GA at `ga`, YouTube at `yt` (default: the emulator), short budgets."""

    def write(
        ga: str | None = None, yt: str | None = None, timeout: float = TIMEOUT, budget=BUDGET
    ):
        text = DEMO_CONFIG.read_text()
        text = text.replace("http://127.0.0.1:8765", ga or emulator.url, 1)
        text = text.replace("http://127.0.0.1:8765", yt or emulator.url, 1)
        head = "cache: {enabled: false}\n"
        head += f"fetch: {{timeout_seconds: {timeout:g}, budget_seconds: {budget:g}}}\n"
        path = tmp_path / "config.yaml"
        path.write_text(head + text)
        return path

    return write


def export(path, report, capsys):
    started = time.monotonic()
    code = main(["export", report, "--config", str(path), *OCT])
    out, err = capsys.readouterr()
    return code, out, err, time.monotonic() - started


def test_one_hanging_property_costs_the_budget_not_minutes(write_config, clean_emulator, capsys):
    clean_emulator.add_fault("hang", match="311204581", times=100)
    code, out, err, seconds = export(write_config(), "ga-sites", capsys)
    assert code == 1
    assert seconds < BUDGET + SLACK  # 319 s before (five 60 s tries)
    assert "pixelpost.net (property 311204581): timed out" in err
    sites = pd.read_csv(io.StringIO(out))
    assert len(sites) == 7 and not sites["complete"].any()  # the other sites are written


def test_a_silent_server_for_every_property(write_config, silent_url, capsys):
    code, out, err, seconds = export(write_config(ga=silent_url), "ga-summary", capsys)
    assert code == 1 and seconds < BUDGET + SLACK  # 626 s before
    # Every demo property, each named (by its own timeout now: a silent request is not retried)
    assert err.count("timed out: no answer within") == 12
    assert pd.read_csv(io.StringIO(out)).empty


def test_connection_refused_is_bounded(write_config, refused_url, capsys, monkeypatch):
    monkeypatch.setattr(google_api, "BASE_DELAY", 4.0)  # backoff alone would pass the budget
    code, out, err, seconds = export(write_config(ga=refused_url), "ga-sites", capsys)
    assert code == 1 and seconds < BUDGET + SLACK
    assert "Connection refused" in err or "timed out" in err


@pytest.mark.slow
def test_youtube_keeps_its_own_budget_when_ga_hangs(
    write_config, silent_url, network, capsys, clean_emulator
):
    code, out, err, seconds = export(write_config(ga=silent_url), "brands", capsys)
    assert code == 1 and seconds < 2 * BUDGET + SLACK
    brands = pd.read_csv(io.StringIO(out)).set_index("brand")
    ids = network.channel_groups["Gear Haven"]
    views = network.yt_facts(ids, date(2026, 10, 1), date(2026, 10, 31))
    assert brands.loc["Gear Haven", "yt_views"] == views["views"].sum()
    assert not brands["complete"].any()  # the web half is missing, and the file says so


def overview(config_path, monkeypatch) -> tuple[AppTest, float]:
    """The Overview of October through AppTest with this config, and its seconds."""
    monkeypatch.delenv("STATSDASH_DEMO", raising=False)
    monkeypatch.setenv("STATSDASH_CONFIG", str(config_path))
    monkeypatch.setenv("STATSDASH_TODAY", TODAY.isoformat())
    # The process's config and tables are cached (one config per server): take this
    # config, and drop it and its tables afterwards.
    load_app_config.clear()
    st.cache_data.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=120)
        at.query_params.update(period="custom", start="2026-10-01", end="2026-10-31")
        started = time.monotonic()
        at.run()
        return at, time.monotonic() - started
    finally:
        load_app_config.clear()
        st.cache_data.clear()


@pytest.mark.slow
def test_overview_with_one_hanging_property_keeps_the_budget(
    write_config, clean_emulator, monkeypatch
):
    """Requests that may wait 30 s each, a 5 s budget: every fetch of the page, those of its
    background rounds and those made on the page's own thread included, stops at the budget
    (the background round waited for every retry: 195 s with a 60 s budget)."""
    clean_emulator.add_fault("hang", match="311204581", times=1000)
    at, seconds = overview(write_config(timeout=30), monkeypatch)
    clean_emulator.reset()  # lets the hung handlers go
    assert not at.exception, [e.message for e in at.exception]
    # Bounded, not fast: the page draws on a loaded machine too; one 30 s wait fails it.
    assert seconds < 30, seconds
    warning = " ".join(shown(w.value) for w in at.warning)
    assert f"timed out: no answer within the {BUDGET} s fetch budget" in warning
    assert "pixelpost.net (property 311204581)" in warning
    assert "Views" in " ".join(m.label for m in at.metric)


@pytest.mark.slow
def test_overview_renders_within_the_budget(write_config, silent_url, monkeypatch, emulator):
    at, seconds = overview(write_config(ga=silent_url), monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    # Bounded, not fast: a loaded CI machine draws the rest of the page slowly too.
    assert seconds < 6 * BUDGET + 6 * SLACK  # 1,569 s before
    warning = " ".join(shown(w.value) for w in at.warning)
    # Named by each request's own timeout (2 s): a silent request is not retried.
    assert f"timed out: no answer within {TIMEOUT} s" in warning
    assert "pixelpost.net (property 311204581)" in warning
    assert "Views" in " ".join(m.label for m in at.metric)  # YouTube still renders


@pytest.mark.slow
def test_one_hanging_property_leaves_the_other_properties_on_the_overview(
    write_config, clean_emulator, monkeypatch
):
    """A request silent for its whole timeout is not retried: retried, it held the first
    round to the budget, so the rounds after it had no time left and the Overview named
    every property timed out (bench_failures.py hang-one: all 12 named, 64 s)."""
    clean_emulator.add_fault("hang", match="311204581", times=1000)
    # Room for the healthy properties' answers on a loaded machine (the session emulator
    # answers in this process); before, the hung one's retries spent all 20 s.
    at, seconds = overview(write_config(timeout=5, budget=20), monkeypatch)
    clean_emulator.reset()
    assert not at.exception, [e.message for e in at.exception]
    warning = " ".join(shown(w.value) for w in at.warning)
    assert "pixelpost.net (property 311204581)" in warning
    others = [p for p in clean_emulator.network.ga_properties if p != "311204581"]
    assert not [p for p in others if f"(property {p})" in warning], warning
    assert "timed out: no answer within 5 s (fetch.timeout_seconds)" in warning

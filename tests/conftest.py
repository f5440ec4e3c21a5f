"""Shared fixtures: one emulator per test session on a free loopback port, seen on a fixed
day, and Google API clients (the real google-api-python-client) pointed at it."""

from __future__ import annotations

import dataclasses
from datetime import date

import httplib2
import pytest
from googleapiclient.discovery import build

from statsdash.config import CacheConfig, Config, load_config
from statsdash.emulator import DEMO_CONFIG, EmulatorHandle, Network, start_emulator

EMULATOR_TODAY = date(2026, 11, 20)


def build_client(name: str, version: str, url: str, credentials=None):
    """A discovery-based client for the emulator at `url`, from the bundled discovery docs.

    Without credentials it uses a bare httplib2.Http (no Authorization header, and a 401
    surfaces as HttpError); google.auth's AnonymousCredentials works too."""
    kwargs = {"credentials": credentials} if credentials else {"http": httplib2.Http()}
    return build(
        name,
        version,
        client_options={"api_endpoint": url},
        static_discovery=True,
        cache_discovery=False,
        **kwargs,
    )


@pytest.fixture(scope="session")
def emulator() -> EmulatorHandle:
    handle = start_emulator(port=0, today=EMULATOR_TODAY)
    yield handle
    handle.stop()


@pytest.fixture
def clean_emulator(emulator: EmulatorHandle) -> EmulatorHandle:
    """The emulator with counters, log and faults cleared before and after the test."""
    emulator.reset()
    yield emulator
    emulator.reset()


@pytest.fixture(scope="session")
def network(emulator: EmulatorHandle) -> Network:
    return emulator.network


@pytest.fixture(scope="module")
def emulator_config(emulator: EmulatorHandle) -> Config:
    """The demo config pointed at the session emulator, without a response cache (every
    answer comes from the emulator). One per module: the registry memoises tables by config."""
    demo = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    return dataclasses.replace(demo, cache=CacheConfig(enabled=False))


@pytest.fixture(scope="session")
def make_client(emulator: EmulatorHandle):
    """build_client bound to the session emulator: make_client(name, version, credentials=None)."""
    return lambda name, version, credentials=None: build_client(
        name, version, emulator.url, credentials
    )


@pytest.fixture(scope="session")
def ga_data(emulator: EmulatorHandle):
    """GA4 Data API v1beta client."""
    return build_client("analyticsdata", "v1beta", emulator.url)


@pytest.fixture(scope="session")
def ga_admin(emulator: EmulatorHandle):
    """GA Admin API v1beta client."""
    return build_client("analyticsadmin", "v1beta", emulator.url)


@pytest.fixture(scope="session")
def yt_analytics(emulator: EmulatorHandle):
    """YouTube Analytics API v2 client."""
    return build_client("youtubeAnalytics", "v2", emulator.url)


@pytest.fixture(scope="session")
def yt_data(emulator: EmulatorHandle):
    """YouTube Data API v3 client."""
    return build_client("youtube", "v3", emulator.url)

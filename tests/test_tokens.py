"""Token refresh against a real OAuth token endpoint on loopback: GA shares one refresh
between its worker threads, and only `invalid_grant` means signing in again; a token
endpoint answering 500 is a transient failure (retried), never "access was revoked"."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import date
from http.server import ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from json_server import JsonHandler

from statsdash.config import CacheConfig, load_config
from statsdash.emulator import DEMO_CONFIG
from statsdash.errors import AuthError
from statsdash.ga.aggregate_data import AnalyticsData
from statsdash.ga.analytics import Analytics
from statsdash.periods import Period
from statsdash.youtube.aggregate_data import YoutubeData
from statsdash.youtube.auth import SCOPES

TODAY = date(2026, 11, 20)
OCT = Period("October", date(2026, 10, 1), date(2026, 10, 31))


class TokenServer(ThreadingHTTPServer):
    """Counts token requests; answers per `mode`: ok, 500 or invalid_grant."""

    mode = "ok"
    hits = 0


class TokenEndpoint(JsonHandler):
    server: TokenServer

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.server.hits += 1
        status, body = {
            "ok": (200, {"access_token": "fresh", "expires_in": 3599, "token_type": "Bearer"}),
            "500": (500, {"error": "internal_failure"}),
            "invalid_grant": (400, {"error": "invalid_grant", "error_description": "revoked"}),
        }[self.server.mode]
        self.send_json(status, body)


@pytest.fixture
def token_server():
    server = TokenServer(("127.0.0.1", 0), TokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.uri = f"http://127.0.0.1:{server.server_port}/token"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def ga_config(emulator, tmp_path, token_server, private_key):
    """The demo config with a real service-account key whose token_uri is the test's."""
    key = {
        "type": "service_account",
        "project_id": "demo",
        "private_key_id": "k1",
        "private_key": private_key,
        "client_email": "statsdash@demo.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_server.uri,
    }
    (tmp_path / "sa.json").write_text(json.dumps(key))
    text = DEMO_CONFIG.read_text().replace("http://127.0.0.1:8765", emulator.url)
    text = text.replace("credentials: none", "credentials: sa.json", 1)
    (tmp_path / "config.yaml").write_text("cache: {enabled: false}\n" + text)
    return load_config(tmp_path / "config.yaml", check_files=False)


def web(config) -> AnalyticsData:
    analytics = Analytics(config, today=TODAY, sleep=lambda seconds: None)
    return AnalyticsData(config, (), OCT, (), analytics=analytics, today=TODAY)


@pytest.mark.slow
def test_ga_refreshes_the_token_once_for_all_its_threads(ga_config, token_server, network):
    data = web(ga_config)
    summary = data.summary_table()
    assert data.failures == {}
    assert token_server.hits == 1  # one per worker thread (10 at once) before
    facts = [network.ga_facts(p, OCT.start, OCT.end) for p in network.ga_properties]
    assert summary["pageviews"].iloc[0] == sum(int(f["screenPageViews"].sum()) for f in facts)


def test_ga_token_endpoint_500_is_transient_not_revoked(ga_config, token_server):
    token_server.mode = "500"
    data = web(ga_config)
    assert data.summary_table().empty  # nothing fetched, and no AuthError raised
    reasons = set(data.failures.values())
    assert len(data.failures) == 12
    assert all("Google's sign-in service failed" in r for r in reasons), reasons
    assert not any("credentials" in r or "revoked" in r for r in reasons)
    assert not any("None" in r for r in reasons), reasons  # google-auth's empty description
    assert token_server.hits >= 2  # google-auth retried the token request


def youtube_config(emulator, tmp_path, token_server, monkeypatch):
    # google-auth refreshes user credentials at Google's endpoint, whatever the file says.
    monkeypatch.setattr("google.oauth2.credentials._GOOGLE_OAUTH2_TOKEN_ENDPOINT", token_server.uri)
    token = {
        "token": "stale",
        "refresh_token": "a-refresh-token",
        "client_id": "demo-client",
        "client_secret": "demo-secret",
        "token_uri": token_server.uri,
        "scopes": list(SCOPES),
        "expiry": "2020-01-01T00:00:00Z",
    }
    (tmp_path / "token.json").write_text(json.dumps(token))
    demo = load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url)
    section = dataclasses.replace(demo.youtube, credentials=tmp_path / "token.json")
    return dataclasses.replace(demo, youtube=section, cache=CacheConfig(enabled=False))


def test_youtube_token_endpoint_500_is_transient(
    emulator, tmp_path, token_server, monkeypatch, network
):
    token_server.mode = "500"
    config = youtube_config(emulator, tmp_path, token_server, monkeypatch)
    data = YoutubeData(config, (), OCT, (), today=TODAY)
    table = data.channel_stats_table()
    assert table.empty
    text = " ".join(data.failures.values())
    assert "token endpoint failed" in text and "no need to sign in again" in text
    assert "expired or was revoked" not in text
    assert token_server.hits >= 2
    token_server.mode = "ok"  # Google is back: the same object's next table works
    assert len(YoutubeData(config, (), OCT, (), today=TODAY).channel_stats_table()) == len(
        network.channel_groups
    )


def test_youtube_invalid_grant_still_says_sign_in_again(
    emulator, tmp_path, token_server, monkeypatch
):
    token_server.mode = "invalid_grant"
    config = youtube_config(emulator, tmp_path, token_server, monkeypatch)
    with pytest.raises(AuthError, match="expired or was revoked .*sign in again"):
        YoutubeData(config, (), OCT, (), today=TODAY).channel_stats_table()

"""YouTube sign-in: the token file, refresh failures and the console flow, all offline.

A tiny OAuth token endpoint on loopback stands in for oauth2.googleapis.com.
"""

import json
import stat
import threading
from datetime import date
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from json_server import JsonHandler

from statsdash.config import parse_config
from statsdash.errors import AuthError
from statsdash.periods import Period
from statsdash.youtube.aggregate_data import YoutubeData
from statsdash.youtube.analytics import Analytics
from statsdash.youtube.auth import SCOPES, load_credentials, run_auth

CHANNEL = "UC" + "a" * 22


class TokenEndpoint(JsonHandler):
    """Answers refresh grants with invalid_grant and code grants with a fresh token."""

    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("content-length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.received.append(form)
        if form.get("grant_type") == "refresh_token":
            status = 400
            reason = "Token has been expired or revoked."
            body = {"error": "invalid_grant", "error_description": reason}
        else:
            status = 200
            body = {
                "access_token": "fresh-access",
                "refresh_token": "fresh-refresh",
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": " ".join(SCOPES),
            }
        self.send_json(status, body)


@pytest.fixture(scope="module")
def token_uri():
    server = ThreadingHTTPServer(("127.0.0.1", 0), TokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/token"
    server.shutdown()
    server.server_close()


def youtube_config(tmp_path, token_uri="http://127.0.0.1:9/token", **youtube):
    write_client_secrets(tmp_path, token_uri)
    section = {
        "credentials": "token.json",
        "client_secrets": "client_secret.json",
        "content_owner_id": "owner1",
        "endpoint": "http://127.0.0.1:9",
        "channels": {"Demo": [CHANNEL]},
        **youtube,
    }
    data = {"youtube": section, "cache": {"enabled": False}}
    (tmp_path / "config.yaml").write_text(json.dumps(data))
    return parse_config(
        data, source=str(tmp_path / "config.yaml"), base_dir=tmp_path, check_files=False
    )


def write_client_secrets(tmp_path, token_uri):
    secrets = {
        "installed": {
            "client_id": "demo-client.apps.googleusercontent.com",
            "client_secret": "demo-secret",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "redirect_uris": ["http://localhost"],
        }
    }
    (tmp_path / "client_secret.json").write_text(json.dumps(secrets))


def test_missing_token_file_says_how_to_sign_in(tmp_path):
    config = youtube_config(tmp_path)
    with pytest.raises(AuthError) as caught:
        load_credentials(config)
    assert str(caught.value) == (
        f"YouTube token file {tmp_path / 'token.json'} not found; run "
        f"`python -m statsdash auth youtube --config {tmp_path / 'config.yaml'}` to sign in"
    )


def test_a_missing_token_stops_the_table_not_the_constructor(tmp_path):
    config = youtube_config(tmp_path)
    period = Period("October", date(2026, 10, 1), date(2026, 10, 31))
    data = YoutubeData(config, (), period, ("previous",), today=date(2026, 11, 20))
    with pytest.raises(AuthError, match="not found; run `python -m statsdash auth youtube"):
        data.channel_stats_table()


def test_credentials_none_needs_no_token(tmp_path):
    config = youtube_config(tmp_path, credentials="none")
    assert load_credentials(config) is None


def test_revoked_refresh_token_gives_one_clear_line(tmp_path, token_uri, monkeypatch):
    # google-auth ignores a token file's token_uri and always refreshes at Google's endpoint.
    monkeypatch.setattr("google.oauth2.credentials._GOOGLE_OAUTH2_TOKEN_ENDPOINT", token_uri)
    config = youtube_config(tmp_path)
    token = {
        "token": "stale",
        "refresh_token": "revoked-refresh-token",
        "client_id": "demo-client",
        "client_secret": "demo-secret",
        "scopes": list(SCOPES),
        "expiry": "2020-01-01T00:00:00Z",
    }
    (tmp_path / "token.json").write_text(json.dumps(token))
    analytics = Analytics(config, today=date(2026, 11, 20))
    with pytest.raises(AuthError) as caught:
        analytics.run_analytics_report(date(2026, 10, 1), date(2026, 10, 31), ["views"])
    message = str(caught.value)
    assert message.startswith("YouTube access expired or was revoked (invalid_grant")
    assert message.endswith(
        f"run `python -m statsdash auth youtube --config {tmp_path / 'config.yaml'}` "
        "to sign in again"
    )
    assert "Testing mode" in message
    assert "\n" not in message
    assert "revoked-refresh-token" not in message


def test_console_flow_exchanges_the_pasted_address_and_writes_a_private_token(
    tmp_path, token_uri, monkeypatch
):
    # oauthlib insists on https token URLs; the loopback stand-in is plain http.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    config = youtube_config(tmp_path, token_uri)
    shown = []

    def paste_redirect():
        url = next(line for line in shown[0].splitlines() if line.startswith("https://"))
        query = parse_qs(urlparse(url).query)
        assert query["redirect_uri"] == ["http://localhost"]
        assert set(query["scope"][0].split()) == set(SCOPES)
        assert query["access_type"] == ["offline"]
        return f"http://localhost/?state={query['state'][0]}&code=auth-code-1&scope=x\n"

    TokenEndpoint.received.clear()
    path = run_auth(config, console=True, read=paste_redirect, write=shown.append)
    assert path == tmp_path / "token.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved["refresh_token"] == "fresh-refresh"
    assert saved["token_uri"] == token_uri
    exchange = TokenEndpoint.received[-1]
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["code"] == "auth-code-1"
    assert exchange["redirect_uri"] == "http://localhost"
    # The saved file loads back as credentials the client can use.
    assert load_credentials(config).refresh_token == "fresh-refresh"


def test_console_flow_rejects_something_that_is_not_the_redirect(tmp_path, token_uri):
    config = youtube_config(tmp_path, token_uri)
    with pytest.raises(AuthError, match="paste the whole address"):
        run_auth(config, console=True, read=lambda: "auth-code-1\n", write=lambda text: None)
    assert not (tmp_path / "token.json").exists()


def test_a_token_file_is_private_from_its_first_byte_even_over_a_readable_one(tmp_path):
    """Rewriting a token file someone left 0644 never puts the secret in a readable file."""
    from statsdash.youtube.auth import write_token

    path = tmp_path / "token.json"
    path.write_text("{}")
    path.chmod(0o644)
    modes = []

    class Watched:
        def to_json(self):
            # While the secret is being written: the target is still the old file, and
            # every other file in the folder (the new one) is already private.
            modes.extend(stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir() if p != path)
            return json.dumps({"refresh_token": "watched-refresh"})

    write_token(path, Watched())
    assert modes == [0o600]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["refresh_token"] == "watched-refresh"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["token.json"]

"""Secrets never leave: with recognisable fake secrets in every credential Statsdash holds
(a service-account key with a real RSA private key, an OAuth token file with its refresh
and access tokens, the OAuth client secret, an SMTP password in the environment), every
output is searched for them: CLI stdout and stderr, logs at DEBUG, written CSVs, the
response cache file, error messages, and the page's text -- on success, when Google refuses
the credentials, and when the token endpoint refuses the grant. The credentials are used for
real: google-auth signs its JWT grant against a token endpoint on loopback, the stored OAuth
token goes to the emulator, which answers the calls.

The digest's SMTP password (read from the variable `digest.password_env` names) is checked
the same way by sending a digest to an SMTP server on loopback (aiosmtpd, AUTH LOGIN) that
really checks it."""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from json_server import JsonHandler

from statsdash.cli import main
from statsdash.emulator import DEMO_CONFIG

PERIOD = ["--start", "2026-10-01", "--end", "2026-10-31"]
OTHER_PERIOD = ["--start", "2026-08-01", "--end", "2026-08-31"]  # not cached by PERIOD
SMTP_PASSWORD = "sd-fake-smtp-password-5e7b"  # for the digest, see the module docstring


def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


PEM = private_key_pem()
SECRETS = {
    # a line from the middle of the key's body: any copy of the key contains it
    "service-account private key": PEM.splitlines()[5],
    "service-account key id": "sd-fake-key-id-7f3a9c51",
    "OAuth refresh token": "sd-fake-refresh-token-4b1e8d",
    "OAuth access token in the token file": "sd-fake-stored-access-2a6f",
    "OAuth client secret": "sd-fake-client-secret-9c2d6a",
    "access token from the token endpoint": "sd-fake-issued-access-",
    "SMTP password": SMTP_PASSWORD,
}


class TokenEndpoint(JsonHandler):
    """Google's token endpoint, on loopback: a JWT grant (service account) or a refresh grant
    (OAuth) gets an access token, unless `refuse` says to answer invalid_grant."""

    refuse = False
    grants: list[str] = []

    def do_POST(self):  # noqa: N802
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        grant = form["grant_type"][0]
        self.grants.append(grant)
        if self.refuse:
            status, body = 400, {"error": "invalid_grant", "error_description": "Bad grant."}
        else:
            token = SECRETS["access token from the token endpoint"] + str(len(self.grants))
            status, body = 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}
        self.send_json(status, body)


@pytest.fixture(scope="module")
def token_uri():
    server = ThreadingHTTPServer(("127.0.0.1", 0), TokenEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/token"
    server.shutdown()
    server.server_close()


@pytest.fixture
def secret_config(tmp_path, token_uri, emulator):
    """The demo network with real (fake) credentials of both services and a cache file."""
    (tmp_path / "service-account.json").write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "statsdash-test",
                "private_key_id": SECRETS["service-account key id"],
                "private_key": PEM,
                "client_email": "reader@statsdash-test.iam.gserviceaccount.com",
                "client_id": "1234567890",
                "token_uri": token_uri,
            }
        )
    )
    client = {
        "client_id": "statsdash-test.apps.googleusercontent.com",
        "client_secret": SECRETS["OAuth client secret"],
    }
    (tmp_path / "client_secret.json").write_text(
        json.dumps({"installed": client | {"token_uri": token_uri, "auth_uri": token_uri}})
    )
    (tmp_path / "youtube-token.json").write_text(
        json.dumps(
            client
            | {
                "refresh_token": SECRETS["OAuth refresh token"],
                "token": SECRETS["OAuth access token in the token file"],
                # Valid: google-auth refreshes user tokens at Google's own endpoint whatever
                # the file says, and this machine cannot reach it.
                "expiry": "2099-01-01T00:00:00Z",
            }
        )
    )
    config = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    config["google_analytics"] |= {"credentials": "service-account.json", "endpoint": emulator.url}
    config["youtube"] |= {
        "credentials": "youtube-token.json",
        "client_secrets": "client_secret.json",
        "endpoint": emulator.url,
    }
    config["cache"] = {"path": str(tmp_path / "cache" / "cache.sqlite")}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def leaked(outputs: dict[str, str]) -> list[str]:
    return [
        f"{secret} in {where}"
        for where, text in outputs.items()
        for secret, value in SECRETS.items()
        if value in text
    ]


def run_cli(argv, capsys) -> tuple[int, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


def page_text(config_path: Path, monkeypatch) -> str:
    """Everything the Overview shows, through AppTest, with this config."""
    from streamlit.testing.v1 import AppTest

    from statsdash.ui.session import load_app_config

    monkeypatch.delenv("STATSDASH_DEMO", raising=False)
    monkeypatch.setenv("STATSDASH_CONFIG", str(config_path))
    monkeypatch.setenv("STATSDASH_TODAY", "2026-11-20")
    load_app_config.clear()  # the config is cached per server process; this test has its own
    try:
        at = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=180)
        at.query_params.update({"period": "custom", "start": "2026-09-01", "end": "2026-09-30"})
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        kinds = ("title", "markdown", "caption", "warning", "error", "info", "metric")
        parts = [str(e.value) for kind in kinds for e in getattr(at, kind)]
        parts += [e.label for e in at.metric]
        parts += [e.value.to_csv() for e in at.dataframe if hasattr(e.value, "to_csv")]
        return "\n".join(parts)
    finally:
        load_app_config.clear()


def test_no_secret_in_any_output(
    secret_config, clean_emulator, capsys, caplog, tmp_path, monkeypatch
):
    monkeypatch.setenv("STATSDASH_TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    caplog.set_level(logging.DEBUG)
    TokenEndpoint.refuse, TokenEndpoint.grants = False, []
    config = str(secret_config)
    outputs = {}
    for report in ("ga-sites", "yt-channels"):
        target = tmp_path / f"{report}.csv"
        code, text = run_cli(
            ["export", report, "--config", config, *PERIOD, "-o", str(target)], capsys
        )
        assert code == 0, text
        outputs[f"export {report}: stdout and stderr"] = text
        outputs[f"{report}.csv"] = target.read_text(encoding="utf-8")
    # The service-account key was really used: google-auth signed a JWT grant with it.
    assert "urn:ietf:params:oauth:grant-type:jwt-bearer" in TokenEndpoint.grants
    outputs["the Overview page"] = page_text(secret_config, monkeypatch)

    # Google refuses the credentials (401 everywhere), for a period not in the cache.
    clean_emulator.add_fault("401", times=1000)
    for report in ("ga-summary", "yt-stats"):
        code, text = run_cli(["export", report, "--config", config, *OTHER_PERIOD], capsys)
        assert code == 1, text
        outputs[f"export {report}, credentials refused"] = text
    clean_emulator.reset()

    # The token endpoint refuses the service account's grant.
    TokenEndpoint.refuse = True
    try:
        for report in ("ga-devices",):
            code, text = run_cli(["export", report, "--config", config, *OTHER_PERIOD], capsys)
            assert code != 0, text
            outputs[f"export {report}, token endpoint refuses"] = text
    finally:
        TokenEndpoint.refuse = False

    outputs["logs at DEBUG"] = caplog.text
    cache = Path(yaml.safe_load(secret_config.read_text())["cache"]["path"])
    assert cache.stat().st_size > 0
    outputs["the cache file"] = cache.read_bytes().decode("latin-1")
    assert not leaked(outputs), leaked(outputs)
    # The search can fail: the secrets are there to be found where they belong.
    stored = (secret_config.parent / "youtube-token.json").read_text()
    assert leaked({"the token file": stored})


SMTP_USER = "digest-bot"


class SmtpInbox:
    """aiosmtpd handler and authenticator: keeps each message and each accepted login."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.logins = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope.content)
        return "250 OK"

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok = (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        self.logins += ok
        return AuthResult(success=ok)


@pytest.fixture
def smtp_inbox():
    pytest.importorskip("aiosmtpd", reason="aiosmtpd is in requirements-dev.txt")
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = SmtpInbox()
    # Plain AUTH on loopback (starttls: false): the password crosses the wire where the
    # server can check it; test_digest covers STARTTLS.
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.mark.slow  # a digest fetches every report of a week
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback only
def test_the_digest_smtp_password_never_leaves(
    secret_config, smtp_inbox, clean_emulator, capsys, caplog, monkeypatch
):
    inbox, port = smtp_inbox
    config = yaml.safe_load(secret_config.read_text())
    config["digest"] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "starttls": False,
        "username": SMTP_USER,
        "password_env": "STATSDASH_TEST_SMTP_PASSWORD",
        "from": "statsdash@example.com",
        "to": ["team@example.com"],
    }
    secret_config.write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.setenv("STATSDASH_TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("STATSDASH_TODAY", "2026-11-20")
    caplog.set_level(logging.DEBUG)
    TokenEndpoint.refuse, TokenEndpoint.grants = False, []
    outputs = {}
    code, text = run_cli(["digest", "--config", str(secret_config)], capsys)
    assert code == 0, text
    # The password was really used: the server accepted the login it checks (the digest
    # checks the server before fetching, then sends).
    assert inbox.logins >= 1 and len(inbox.messages) == 1
    outputs["digest: stdout and stderr"] = text
    outputs["the e-mail as received"] = inbox.messages[0].decode("latin-1")

    # Statsdash's own logs; aiosmtpd's (mail.log) show the server's side of AUTH LOGIN.
    ours = [r for r in caplog.records if not r.name.startswith("mail.")]
    outputs["logs at DEBUG"] = "\n".join(r.getMessage() for r in ours)
    cache = Path(config["cache"]["path"])
    outputs["the cache file"] = cache.read_bytes().decode("latin-1")
    for csv in secret_config.parent.rglob("*.csv"):
        outputs[csv.name] = csv.read_text(encoding="utf-8")
    assert not leaked(outputs), leaked(outputs)
    # Nor as AUTH LOGIN puts it on the wire (base64).
    encoded = base64.b64encode(SMTP_PASSWORD.encode()).decode()
    assert not [where for where, text in outputs.items() if encoded in text]
    # The search can fail: the password is in the environment the digest read it from.
    assert leaked({"the environment": os.environ["STATSDASH_TEST_SMTP_PASSWORD"]})

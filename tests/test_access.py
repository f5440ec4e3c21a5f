"""The sign-in gate's own mistakes, through AppTest: `access:` without a complete [auth]
section in secrets.toml stops every page with one line naming what is missing. (Signing in
against a real OpenID Connect provider is in tests/test_browser_access.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from statsdash.emulator import DEMO_CONFIG
from statsdash.ui.session import load_app_config

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def gated_config(tmp_path, emulator, monkeypatch):
    config = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    config["google_analytics"]["endpoint"] = config["youtube"]["endpoint"] = emulator.url
    config |= {"cache": {"enabled": False}, "access": {"allowed_domains": ["example.com"]}}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    monkeypatch.delenv("STATSDASH_DEMO", raising=False)
    monkeypatch.setenv("STATSDASH_CONFIG", str(path))
    load_app_config.clear()  # the config is cached per server process
    yield path
    load_app_config.clear()


@pytest.mark.parametrize(
    ("auth", "missing"),
    [
        (None, "redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url"),
        (
            {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32},
            "client_id, client_secret, server_metadata_url",
        ),
    ],
)
def test_access_without_auth_secrets_names_what_is_missing(gated_config, auth, missing):
    at = AppTest.from_file(APP, default_timeout=60)
    if auth is not None:
        at.secrets["auth"] = auth
    at.run()
    assert not at.exception
    (error,) = at.error
    assert f"lacks {missing}" in error.value.replace("\\", "")
    assert not at.metric and not at.dataframe  # nothing of the reports is drawn

"""The sign-in gate in a real browser: `access:` in the config, Streamlit's st.login against
a small OpenID Connect provider on loopback (tests/oidc_provider.py: discovery, authorize,
token and JWKS, RS256-signed ID tokens). Allowed people see the reports, anyone else a plain
refusal and no data; the CLI ignores `access`. Also: the app binds to loopback by default."""

from __future__ import annotations

import os
import secrets
import socket
import tomllib
from datetime import date

import pytest
import yaml
from oidc_provider import OidcProvider
from streamlit_server import free_port, streamlit_app
from test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT, TODAY, settle

from statsdash.cli import main
from statsdash.emulator import DEMO_CONFIG, start_emulator

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium at /usr/bin/chromium or on PATH (apt-get install chromium)",
    ),
]
ACCESS = {"allowed_domains": ["example.com"], "allowed_emails": ["guest@partner.org"]}


@pytest.fixture(scope="module")
def provider():
    oidc = OidcProvider("statsdash-test", "test-client-secret-" + secrets.token_hex(8)).start()
    yield oidc
    oidc.stop()


@pytest.fixture(scope="module")
def emulator():
    handle = start_emulator(port=0, today=date.fromisoformat(TODAY))
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def gated(provider, emulator, tmp_path_factory):
    """(app URL, config path): `streamlit run app.py` with access: and [auth] secrets, and no
    --server.address, so it binds where .streamlit/config.toml says."""
    folder = tmp_path_factory.mktemp("access")
    config = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    config["google_analytics"]["endpoint"] = config["youtube"]["endpoint"] = emulator.url
    config |= {"cache": {"enabled": False}, "access": ACCESS}
    config_path = folder / "config.yaml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    secrets_path = folder / "secrets.toml"
    secrets_path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{provider.client_id}"\n'
        f'client_secret = "{provider.client_secret}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "STATSDASH_DEMO"}
    env |= {"STATSDASH_CONFIG": str(config_path), "STATSDASH_TODAY": TODAY}
    log = ARTIFACTS / "browser-access-streamlit.log"
    extra = ["--secrets.files", str(secrets_path)]
    with streamlit_app(env, log, port=port, address=None, extra=extra) as server:
        yield server.url, config_path


def shown(text: str) -> str:
    """Page text without the invisible word joiners md() puts into e-mail addresses."""
    return text.replace("\u2060", "")


def sign_in(browser, url: str, provider: OidcProvider, email: str):
    """A fresh browser profile signs in as `email`; returns its page, back on the app."""
    provider.email = email
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(url)
    settle(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/**")  # provider -> /oauth2callback -> the app
    settle(page)
    return page


def test_only_allowed_people_see_the_reports(gated, provider):
    from playwright.sync_api import sync_playwright

    url, _ = gated
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Not signed in: a sign-in button, no figures, on the home page or a deep link.
        stranger = browser.new_context().new_page()
        stranger.set_default_timeout(90_000)
        for path in ("", "/web_content?period=last_month"):
            stranger.goto(url + path)
            settle(stranger)
            stranger.get_by_role("button", name="Sign in").wait_for()
            assert stranger.get_by_test_id("stMetric").count() == 0
            assert stranger.get_by_test_id("stDataFrame").count() == 0
        stranger.screenshot(path=str(ARTIFACTS / "browser-access-signed-out.png"))

        for email in ("ana@example.com", "guest@partner.org"):
            page = sign_in(browser, url, provider, email)
            page.get_by_test_id("stMetric").first.wait_for()
            sidebar = page.get_by_test_id("stSidebar").inner_text()
            assert f"Signed in as {email}" in shown(sidebar)
        page.screenshot(path=str(ARTIFACTS / "browser-access-allowed.png"))

        page = sign_in(browser, url, provider, "eve@example.com.evil.test")
        page.get_by_text("may not see Statsdash").wait_for()
        assert "eve@example.com.evil.test may not see Statsdash" in shown(page.inner_text("body"))
        assert page.get_by_test_id("stMetric").count() == 0
        page.screenshot(path=str(ARTIFACTS / "browser-access-refused.png"))
        browser.close()
    # Real tokens went through: one per sign-in, for the client the app is registered as.
    assert [c["email"] for c in provider.issued] == [
        "ana@example.com",
        "guest@partner.org",
        "eve@example.com.evil.test",
    ]
    assert {c["aud"] for c in provider.issued} == {provider.client_id}


def test_the_cli_ignores_access(gated, capsys):
    _, config_path = gated
    period = ["--start", "2026-10-01", "--end", "2026-10-31"]
    assert main(["export", "ga-summary", "--config", str(config_path), *period]) == 0
    assert capsys.readouterr().out.startswith("pageviews,")


def test_the_app_binds_to_loopback_by_default(gated):
    """No --server.address was given: .streamlit/config.toml's 127.0.0.1 holds, so the app
    answers on loopback and not on the machine's network address."""
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["server"]["address"] == "127.0.0.1"
    url, _ = gated
    port = int(url.rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("this machine has no network address besides loopback")
    with socket.socket() as outside, pytest.raises(OSError):
        outside.settimeout(3)
        outside.connect((address, port))

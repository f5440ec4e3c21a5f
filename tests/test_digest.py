"""The digest end to end: `python -m statsdash digest` against the emulator sends to a real
SMTP server on loopback (aiosmtpd, STARTTLS with a certificate made here, AUTH LOGIN); the
received message is parsed with the standard library and checked against the raw facts."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import email
import io
import ipaddress
import re
import shutil
import socket
from email import policy
from pathlib import Path

import pytest

aiosmtpd = pytest.importorskip("aiosmtpd", reason="aiosmtpd is in requirements-dev.txt")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from statsdash.cli import main  # noqa: E402
from statsdash.emulator import DEMO_CONFIG, start_emulator  # noqa: E402

TODAY = dt.date(2026, 12, 1)  # "last week" is 23-29 Nov 2026, the demo events' week
WEEK = (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
USER, SECRET, SECRET_ENV = "digest-bot", "s3cret-Pa55-do-not-leak", "STATSDASH_TEST_SMTP_PASSWORD"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
pytestmark = pytest.mark.slow  # each digest fetches every report of a week (about 10 s)


def self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "smtp-cert.pem", tmp / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Inbox:
    """aiosmtpd handler and authenticator: keeps each message and each login."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == USER.encode() and auth_data.password == SECRET.encode()
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


@pytest.fixture(scope="module")
def smtp(tmp_path_factory):
    import ssl

    tmp = tmp_path_factory.mktemp("smtp")
    cert, key = self_signed(tmp)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=inbox,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    yield controller, inbox, cert
    controller.stop()


@pytest.fixture(scope="module")
def event_emulator():
    handle = start_emulator(port=0, today=TODAY)
    yield handle
    handle.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(tmp: Path, emulator_url: str, port: int) -> Path:
    text = DEMO_CONFIG.read_text().replace("http://127.0.0.1:8765", emulator_url)
    text += (
        "\ncache: {enabled: false}\n"
        f"digest:\n  smtp_host: 127.0.0.1\n  smtp_port: {port}\n  username: {USER}\n"
        f"  password_env: {SECRET_ENV}\n  from: statsdash@example.com\n"
        "  to: [team@example.com]\n  app_url: https://statsdash.example.com/\n"
    )
    path = tmp / "config.yaml"
    path.write_text(text)
    return path


@pytest.fixture
def sending(smtp, event_emulator, tmp_path, monkeypatch):
    controller, inbox, cert = smtp
    monkeypatch.setenv("STATSDASH_TODAY", TODAY.isoformat())
    monkeypatch.setenv(SECRET_ENV, SECRET)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test's own certificate
    inbox.messages.clear()
    inbox.logins.clear()
    event_emulator.reset()
    yield write_config(tmp_path, event_emulator.url, controller.port), inbox, event_emulator
    event_emulator.reset()


@pytest.fixture(scope="module")
def sent(smtp, event_emulator, tmp_path_factory):
    """One digest sent for the tests that only read it: (message, logins, envelope, output)."""
    controller, inbox, cert = smtp
    config = write_config(tmp_path_factory.mktemp("digest"), event_emulator.url, controller.port)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STATSDASH_TODAY", TODAY.isoformat())
        patch.setenv(SECRET_ENV, SECRET)
        patch.setenv("SSL_CERT_FILE", str(cert))
        inbox.messages.clear()
        inbox.logins.clear()
        with contextlib.redirect_stderr(io.StringIO()) as err:
            code = main(["digest", "--config", str(config), "--to", "a@example.com,b@example.com"])
    assert code == 0
    [(sender, recipients, _)] = inbox.messages
    return received(inbox), list(inbox.logins), (sender, recipients), err.getvalue()


def received(inbox: Inbox) -> email.message.EmailMessage:
    [(_, _, raw)] = inbox.messages
    assert SECRET.encode() not in raw
    return email.message_from_bytes(raw, policy=policy.default)


def week_facts(network):
    ga = sum(
        int(network.ga_facts(p, *WEEK)["screenPageViews"].sum())
        for ids in network.sites.values()
        for p in ids
    )
    channels = [c for ids in network.channel_groups.values() for c in ids]
    yt = int(network.yt_facts(channels, *WEEK)["views"].sum())
    return ga, yt


def test_the_digest_is_sent_over_starttls_with_login(sent, event_emulator):
    message, logins, envelope, output = sent
    assert SECRET not in output
    assert logins == [USER, USER]  # the check before fetching, then the sending
    assert envelope == ("statsdash@example.com", ["a@example.com", "b@example.com"])
    assert message["Subject"] == "Demo Network weekly digest: 23 Nov 2026 – 29 Nov 2026"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()

    # Like for like: YouTube has 28 Nov as its latest day on 1 Dec, so both sides cover 6.
    assert "YouTube: 6 of 7 days (through Sat 28 Nov), compared with the same 6 days" in text
    pageviews, views = week_facts(event_emulator.network)
    for part in (text, html):
        assert f"{pageviews:,}" in part and f"{views:,}" in part
        assert "pixelpost.net pageviews Tue 24 Nov" in part  # the viral article's spike
        assert "property 298451007 sent no data" in part  # the tag that stopped firing
    assert re.search(r"Pageviews: [\d,]+ \([▲▼] [+−][\d.]+% vs previous period", text)
    assert "Pageviews " in text and "vs the previous period. By site: pixelpost.net +" in text
    link = "https://statsdash.example.com/insights?period=custom&start=2026-11-23&end=2026-11-29"
    assert link in text and link.replace("&", "&amp;") in html

    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2
    for image in images:
        assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
        assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html
    assert "<script" not in html.lower()


def test_a_source_that_cannot_be_fetched_is_named_at_the_top(sending, capsys):
    config, inbox, emulator = sending
    emulator.add_fault("403", endpoint="ga.batchRunReports", times=50, match="311204581")
    assert main(["digest", "--config", str(config)]) == 0
    assert "could not fetch pixelpost.net (property 311204581)" in capsys.readouterr().err
    message = received(inbox)
    assert message["Subject"].endswith("(incomplete)")
    text = message.get_body(("plain",)).get_content()
    lines = text.splitlines()
    top = lines.index("INCOMPLETE: these sources could not be fetched:")
    assert top < 5 and "pixelpost.net (property 311204581)" in lines[top + 1]
    html = message.get_body(("html",)).get_content()
    assert html.index("Incomplete data.") < html.index("What drove it")


def test_an_unreachable_smtp_server_exits_1_in_one_line_before_fetching(
    event_emulator, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("STATSDASH_TODAY", TODAY.isoformat())
    monkeypatch.setenv(SECRET_ENV, SECRET)
    config = write_config(tmp_path, event_emulator.url, free_port())
    event_emulator.reset()
    assert main(["digest", "--config", str(config)]) == 1
    assert event_emulator.requests()["total"] == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("statsdash: cannot reach SMTP server 127.0.0.1:")
    assert SECRET not in err[0]


def test_a_missing_password_variable_is_a_config_error(
    event_emulator, tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv(SECRET_ENV, raising=False)
    config = write_config(tmp_path, event_emulator.url, free_port())
    assert main(["digest", "--config", str(config)]) == 2
    assert f"environment variable {SECRET_ENV} is not set" in capsys.readouterr().err


CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p), None)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium)")
def test_the_html_renders_in_a_browser(sent):
    """The sent HTML with its images inline, opened in headless Chromium (screenshot kept)."""
    from playwright.sync_api import sync_playwright

    message = sent[0]
    page_html = message.get_body(("html",)).get_content()
    for image in message.walk():
        if image.get_content_type() == "image/png":
            data = base64.b64encode(image.get_content()).decode("ascii")
            cid = image["Content-ID"].strip("<>")
            page_html = page_html.replace(f"cid:{cid}", f"data:image/png;base64,{data}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "digest.html").write_text(page_html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 800, "height": 1000})
        page.goto((ARTIFACTS / "digest.html").as_uri())
        widths = page.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
        page.screenshot(path=ARTIFACTS / "digest.png", full_page=True)
        browser.close()
    assert len(widths) == 2 and all(width > 0 for width in widths)  # the charts decoded


def test_html_option_writes_the_file_with_images_inline():
    from statsdash.digest import Digest

    digest = Digest("s", "t", '<img src="cid:chart">', {"chart": b"\x89PNG-bytes"})
    assert digest.standalone_html() == '<img src="data:image/png;base64,iVBORy1ieXRlcw==">'

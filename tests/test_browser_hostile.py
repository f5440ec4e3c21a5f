"""Outside text stays text, in a real browser: the app runs against an emulator whose every
outside string (titles, paths, hosts, sources, countries, traffic sources, video and channel
titles, time zones, error messages, realtime page names) carries Markdown, HTML and formula
payloads, with a config whose names (network, site, channel group, brand) carry them too.
Every page, Realtime included, is walked in Chromium: no <img>, <a> or formatting element
may come from data, and no request may leave for another host -- a loopback listener on
127.0.0.2 plays that host."""

from __future__ import annotations

import csv
import io
import os
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from streamlit_server import streamlit_app
from test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, RUNNING, TODAY, settle

from statsdash.emulator import DEMO_CONFIG, start_emulator
from statsdash.emulator.hostile import Disguise

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="no Chromium at /usr/bin/chromium or on PATH (apt-get install chromium)",
    ),
]

PAGES = [
    "",
    "web_summary",
    "web_content",
    "web_acquisition",
    "web_audience",
    "realtime",
    "youtube_channels",
    "youtube_videos",
    "youtube_audience",
    "data_status",
]
NO_DOWNLOADS = ("realtime",)
# Strings that reach Markdown somewhere on the pages: each must be seen there, as text.
SEEN_AS_TEXT = ("network", "site", "group", "sessionSource", "timeZone", "error")


class Beacon(ThreadingHTTPServer):
    """The "other host": counts every request that reaches it."""

    daemon_threads = True

    def __init__(self):
        self.hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler):  # noqa: N805 - the server is `self` here
                self.hits.append(handler.path)
                handler.send_response(204)
                handler.end_headers()

            def log_message(handler, *args):  # noqa: N805
                pass

        super().__init__(("127.0.0.2", 0), Handler)


@pytest.fixture(scope="module")
def beacon():
    server = Beacon()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def hostile_config(path: Path, disguise: Disguise, url: str) -> Path:
    """The demo config against `url`, with hostile names and the disguised country names."""
    config = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    config["network_name"] = "Net" + disguise.suffix("network")
    config["cache"] = {"enabled": False}
    ga, yt = config["google_analytics"], config["youtube"]
    ga["endpoint"] = yt["endpoint"] = url
    site, group = "pixelpost.net", "Pixel Post"
    ga["sites"] = {
        (k + disguise.suffix("site") if k == site else k): v for k, v in ga["sites"].items()
    }
    ga["countries"] = [disguise.text("country", c) for c in ga["countries"]]
    yt["channels"] = {
        (k + disguise.suffix("group") if k == group else k): v for k, v in yt["channels"].items()
    }
    config["brands"] = {
        "Brand" + disguise.suffix("brand"): {
            "sites": [site + disguise.suffix("site")],
            "channels": [group + disguise.suffix("group")],
        }
    }
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_app(beacon, tmp_path_factory):
    """`streamlit run app.py` against a disguised emulator, one GA property and one YouTube
    channel failing for good (so their hostile error messages are shown)."""
    disguise = Disguise(f"http://127.0.0.2:{beacon.server_address[1]}")
    emulator = start_emulator(port=0, today=date.fromisoformat(TODAY), disguise=disguise)
    emulator.add_fault("quota_day", endpoint="ga.runReport", match="311204582", times=10**6)
    emulator.add_fault("quota_day", endpoint="ga.batchRunReports", match="311204582", times=10**6)
    emulator.add_fault("quota_day", endpoint="ga.runRealtimeReport", match="311204582", times=10**6)
    pixel_post = emulator.network.channel_groups["Pixel Post"][0]
    emulator.add_fault("400", endpoint="yt.reports.query", match=pixel_post, times=10**6)
    config = hostile_config(
        tmp_path_factory.mktemp("hostile") / "config.yaml", disguise, emulator.url
    )
    env = {k: v for k, v in os.environ.items() if k != "STATSDASH_DEMO"}
    env |= {"STATSDASH_CONFIG": str(config), "STATSDASH_TODAY": TODAY}
    try:
        with streamlit_app(env, ARTIFACTS / "browser-hostile-streamlit.log") as server:
            yield server.url
    finally:
        emulator.stop()


def drawn(page, last: str = "stDownloadButton") -> None:
    """Wait until the page has drawn its last table: an element of a test id in `last`
    (a download button; a page without one: its metric or alert, comma-separated) exists
    and neither a script run nor a progress bar has been seen for a second and a half."""
    ids = ", ".join(f"[data-testid='{i.strip()}']" for i in last.split(","))
    page.locator(ids).first.wait_for()
    busy = f"{RUNNING}, [data-testid='stProgress']"
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < 1.5:
        if page.locator(busy).count():
            settle(page)
            quiet_since = time.monotonic()
        page.wait_for_timeout(250)


# What Markdown or HTML would have made of a payload: an element built from data.
FROM_DATA = """root => {
  const marks = /(^|-)(x|link|bold|em|code|red)-[A-Za-z]+$/;
  const found = [];
  for (const el of root.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    const attrs = ['src', 'href', 'srcset', 'poster', 'style', 'action', 'formaction', 'background']
      .map(a => el.getAttribute(a) || '').join(' ');
    if (/127\\.0\\.0\\.2|javascript:/i.test(attrs))
      found.push(tag + ' ' + el.outerHTML.slice(0, 300));
    if (['a', 'img', 'strong', 'b', 'em', 'i', 'code', 'del', 's', 'span'].includes(tag)
        && marks.test((el.textContent || '').trim()) && el.children.length === 0)
      found.push(tag + ': ' + el.textContent.trim());
    if (tag === 'a' && /example\\.com|@/.test(el.textContent || ''))
      found.push('a: ' + el.textContent);
  }
  return found;
}"""


def test_no_outside_text_is_interpreted_on_any_page(hostile_app, beacon):
    from playwright.sync_api import sync_playwright

    app_origin = urlsplit(hostile_app).netloc
    requests: list[str] = []
    seen_text = ""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1440, "height": 1400}, accept_downloads=True
        )
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.set_default_timeout(90_000)
        for name in PAGES:
            page.goto(f"{hostile_app}/{name}?period=last_month")
            # Realtime has no download: a KPI card or an alert, then a quiet second and a half,
            # say it is drawn. The YouTube pages have theirs: Pixel Post's failing channel
            # fails its own group only, the other groups' tables render.
            drawn(page, "stDownloadButton" if name not in NO_DOWNLOADS else "stMetric, stAlert")
            for summary in page.locator("[data-testid='stExpander'] summary").all():
                summary.click()  # open every expander: its label and content are checked
            page.wait_for_timeout(300)
            leaks = page.locator("body").evaluate(FROM_DATA)
            if leaks:
                (ARTIFACTS / "browser-hostile-leaks.txt").write_text("\n".join(leaks))
            assert not leaks, (name or "overview", leaks)
            text = page.locator("body").inner_text()
            if name == "realtime":  # its failure and site names reached it, as text
                assert "**bold-error**" in text and "**bold-site**" in text, text[:2000]
            seen_text += text
            page.screenshot(path=str(ARTIFACTS / f"browser-hostile-{name or 'overview'}.png"))
            if name == "web_content":
                with page.expect_download() as waiting:
                    page.get_by_test_id("stDownloadButton").first.click()
                articles = Path(waiting.value.path()).read_text(encoding="utf-8")
        browser.close()

    # The payloads did reach the pages (as plain text), so the walk above could fail.
    for field in SEEN_AS_TEXT:
        assert f"**bold-{field}**" in seen_text, f"{field} never reached a page"
    # Nothing went anywhere but the app itself: not the browser, not the server.
    elsewhere = [u for u in requests if urlsplit(u).netloc not in (app_origin, "")]
    assert not [u for u in elsewhere if not u.startswith(("data:", "blob:"))], elsewhere
    assert beacon.hits == []
    # The download neutralised every title (each starts with a formula here).
    titles = [row["title"] for row in csv.DictReader(io.StringIO(articles))]
    assert titles and all(t.startswith("'=HYPERLINK(") for t in titles), titles[:3]

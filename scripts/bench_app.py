"""Benchmark the app as a person meets it: time until each page has drawn, and server memory.

Starts `streamlit run app.py` in demo mode (today pinned) on a free loopback port, opens
each page in headless Chromium (Debian's `chromium`, driven by Playwright) and times how long
until the page's last element has rendered and Streamlit is idle: first cold (the
emulator builds its facts and nothing is cached), then warm (a reload of the same view).
Prints the server's resident memory (VmRSS, VmHWM) after the round.

    python scripts/bench_app.py [--today 2026-11-20] [--period last_week]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
# The browser tests' server helper: one way to start, health-wait and stop the app.
sys.path.insert(0, str(ROOT / "tests"))
from streamlit_server import streamlit_app  # noqa: E402

PAGES = [
    "",
    "web_summary",
    "web_content",
    "web_acquisition",
    "web_audience",
    "youtube_channels",
    "youtube_videos",
    "youtube_audience",
    "data_status",
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def memory_mib(pid: int) -> dict[str, float]:
    """Resident memory now and at its peak, from /proc (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


# Whether a script run is under way, from the attribute Streamlit keeps on its root element
# ("initial", "running", "notRunning", ...): the running indicator is no proof, as the app's
# toolbarMode = "minimal" never shows it, so a page paused between two fetch rounds for a
# second counted as drawn (a cold Overview "took 3 s" while its script ran for 15).
# The count is of every DOM node, and a page with a skeleton still shown is not drawn: the
# number of element containers alone settled while charts and grids were still loading
# (warm Overviews "ended" with 25 skeletons and 718 of their 1,675 nodes, 1-2 s early).
# Not counted: the nodes inside a table's canvas (data-testid "data-grid-canvas"). They are
# the canvas's fallback content, never drawn: Glide Data Grid's accessibility table, which it
# builds 200 ms after the grid drew (a debounced memo, seen in Streamlit 1.67's DataFrame
# chunk), so every page with a table "changed" 0.2-0.3 s after it was on screen.
STATE = """() => [
    document.getElementsByTagName('*').length
        - document.querySelectorAll('[data-testid="data-grid-canvas"] *').length,
    (document.querySelector('[data-testid="stApp"]')
        ?.getAttribute('data-test-script-state') ?? 'initial') !== 'notRunning'
        || document.querySelector('[data-testid="stSkeleton"]') !== null,
]"""


def time_page(page, url: str, settle: float = 1.0) -> float:
    """Seconds from navigation until the page stopped changing: Streamlit no longer running,
    no skeleton left and the number of DOM nodes the same for `settle` seconds (not counted)."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("h1", timeout=120_000)
    return _settled(page, url, started, settle)


# The heading of the page shown, for a click that must see the next page's, not the last's.
HEADING = "() => document.querySelector('h1')?.innerText ?? ''"


def time_click(page, url_path: str, settle: float = 1.0) -> float:
    """Seconds from a click on the sidebar's link to the page at `url_path` ("" for the
    Overview) until that page stopped changing, as time_page: the way a team member moves
    between pages in one visit (no reload: the same browser tab and Streamlit session)."""
    links = page.locator('[data-testid="stSidebarNavLink"]')
    paths = [urlsplit(links.nth(i).get_attribute("href") or "").path.strip("/")
             for i in range(links.count())]  # fmt: skip
    link = links.nth(paths.index(url_path))
    before = page.evaluate(HEADING)
    started = time.perf_counter()
    link.click()
    page.wait_for_function(f"() => ({HEADING})() !== {before!r}", timeout=120_000)
    return _settled(page, url_path, started, settle)


def _settled(page, url: str, started: float, settle: float) -> float:
    last, since = None, time.perf_counter()
    while True:
        count, running = page.evaluate(STATE)
        now = time.perf_counter()
        if running or count != last:
            last, since = count, now
        elif now - since >= settle:
            return since - started
        if now - started > 120:
            raise TimeoutError(f"{url} did not settle in 120 s")
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", default="2026-11-20")
    parser.add_argument("--period", default="last_week")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Debian's chromium is not installed (apt-get install chromium)")
        return 1
    from playwright.sync_api import sync_playwright

    env = os.environ | {"STATSDASH_DEMO": "1", "STATSDASH_TODAY": args.today}
    query = f"?period={args.period}" if args.period != "last_week" else ""
    with (
        tempfile.TemporaryDirectory() as folder,
        streamlit_app(env, Path(folder) / "streamlit.log", start_seconds=30) as server,
    ):
        url = server.url
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            print(f"demo app, today {args.today}, period {args.period}")
            print(f"{'page':<20}{'cold s':>8}{'warm s':>8}")
            for name in PAGES:
                cold = time_page(page, f"{url}/{name}{query}")
                warm = time_page(page, f"{url}/{name}{query}")
                print(f"{name or 'overview':<20}{cold:>8.2f}{warm:>8.2f}")
            browser.close()
        mem = memory_mib(server.process.pid)
        print(f"server memory: {mem['VmRSS']:.0f} MiB resident, {mem['VmHWM']:.0f} MiB peak")
    return 0


if __name__ == "__main__":
    sys.exit(main())

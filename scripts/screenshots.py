"""Screenshots of every page for a look by eye: the demo app (today pinned) in headless
Chromium at each width, whole pages, into test-artifacts/screens/<today>-<width>-<page>.png.

    python scripts/screenshots.py [--today 2026-11-30 ...] [--width 1280 --width 1440]
        [--query "period=last_week"] [--page web_summary]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app import CHROMIUM_ARGS, PAGES, ROOT  # noqa: E402  (puts tests/ on the path)
from streamlit_server import streamlit_app  # noqa: E402

OUT = ROOT / "test-artifacts" / "screens"


# The root's script state, not the running indicator: toolbarMode = "minimal" never shows it.
BUSY = """() => !!document.querySelector(
    '[data-testid=stStatusWidget], [data-testid=stProgress], [data-testid=stSpinner]')
    || (document.querySelector('[data-testid=stApp]')
        ?.getAttribute('data-test-script-state') ?? 'initial') !== 'notRunning'"""


HEIGHT = (
    "() => Math.max(...[...document.querySelectorAll('section, div')].map(e => e.scrollHeight))"
)


def wait_until_drawn(tab, quiet: float = 3.0, limit: float = 300.0) -> None:
    """Until Streamlit has shown no running indicator, progress bar or spinner for `quiet`
    seconds (a cold load fetches for a while, with pauses between its runs)."""
    tab.wait_for_selector("h1", timeout=limit * 1000)
    started = since = time.monotonic()
    while time.monotonic() - since < quiet:
        if tab.evaluate(BUSY):
            since = time.monotonic()
        if time.monotonic() - started > limit:
            raise TimeoutError(f"{tab.url} still busy after {limit:.0f} s")
        tab.wait_for_timeout(200)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", action="append")
    parser.add_argument("--width", action="append", type=int)
    parser.add_argument("--page", action="append", help="page path, 'overview' for the first")
    parser.add_argument("--query", default="")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Debian's chromium is not installed (apt-get install chromium)")
        return 1
    from playwright.sync_api import sync_playwright

    pages = [("" if p == "overview" else p) for p in args.page] if args.page else PAGES
    OUT.mkdir(parents=True, exist_ok=True)
    for today in args.today or ["2026-11-30"]:
        env = os.environ | {"STATSDASH_DEMO": "1", "STATSDASH_TODAY": today}
        log = ROOT / "test-artifacts" / "screenshots-streamlit.log"
        with streamlit_app(env, log) as server, sync_playwright() as p:
            url = server.url
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for width in args.width or [1280, 1440]:
                tab = browser.new_page(viewport={"width": width, "height": 900})
                for name in pages:
                    tab.goto(f"{url}/{name}?{args.query}")
                    wait_until_drawn(tab)
                    # Streamlit scrolls inside its own container: grow the window to
                    # the content (until it stops growing) so the shot has the whole page.
                    height, last = 900, 0
                    while height != last:
                        last = height
                        height = tab.evaluate(HEIGHT)
                        tab.set_viewport_size({"width": width, "height": min(height, 12000)})
                        wait_until_drawn(tab, quiet=1.5)
                    tab.wait_for_timeout(3000)  # tables draw on a canvas after resizing
                    target = OUT / f"{today}-{width}-{name or 'overview'}.png"
                    tab.screenshot(path=str(target))
                    tab.set_viewport_size({"width": width, "height": 900})
                    print(target.relative_to(ROOT))
                tab.close()
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

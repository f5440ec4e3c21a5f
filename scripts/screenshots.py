"""Screenshots of every page for a look by eye: the demo app (today pinned) in headless
Chromium at each width, whole pages, into test-artifacts/screens/<today>-<width>-<page>.png.

    python scripts/screenshots.py [--today 2026-11-30 ...] [--width 1280 --width 1440]
        [--query "period=last_week"] [--page web_summary]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app import CHROMIUM_ARGS, PAGES, ROOT, start_app, time_page  # noqa: E402

OUT = ROOT / "test-artifacts" / "screens"


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
        process, url = start_app(today)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                for width in args.width or [1280, 1440]:
                    tab = browser.new_page(viewport={"width": width, "height": 900})
                    for name in pages:
                        time_page(tab, f"{url}/{name}?{args.query}")
                        # A cold load shows progress bars while it fetches: wait them out.
                        tab.wait_for_selector(
                            "[data-testid=stProgress]", state="detached", timeout=180_000
                        )
                        time_page(tab, tab.url)
                        # Streamlit scrolls inside its own container: grow the window to
                        # the content so the screenshot has the whole page.
                        height = tab.evaluate(
                            "() => document.querySelector('[data-testid=stMain]')"
                            "?.scrollHeight || 2000"
                        )
                        tab.set_viewport_size({"width": width, "height": min(height + 40, 9000)})
                        tab.wait_for_timeout(3000)  # tables draw on a canvas after resizing
                        target = OUT / f"{today}-{width}-{name or 'overview'}.png"
                        tab.screenshot(path=str(target))
                        tab.set_viewport_size({"width": width, "height": 900})
                        print(target.relative_to(ROOT))
                    tab.close()
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

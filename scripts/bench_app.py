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
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(today: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = os.environ | {"STATSDASH_DEMO": "1", "STATSDASH_TODAY": today}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    process = subprocess.Popen(
        [*command, "--server.headless", "true"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("streamlit did not start")


def memory_mib(pid: int) -> dict[str, float]:
    """Resident memory now and at its peak, from /proc (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


STATE = """() => [
    document.querySelectorAll('[data-testid="stElementContainer"]').length,
    !!document.querySelector('[data-testid="stStatusWidget"]'),
]"""


def time_page(page, url: str, settle: float = 1.0) -> float:
    """Seconds from navigation until the page stopped changing: Streamlit no longer running
    and the number of drawn elements the same for `settle` seconds (not counted)."""
    started = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("h1", timeout=120_000)
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

    process, url = start_app(args.today)
    query = f"?period={args.period}" if args.period != "last_week" else ""
    try:
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
        mem = memory_mib(process.pid)
        print(f"server memory: {mem['VmRSS']:.0f} MiB resident, {mem['VmHWM']:.0f} MiB peak")
    finally:
        process.terminate()
        process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())

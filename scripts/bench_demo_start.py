"""Time the demo as a newcomer meets it: a fresh `streamlit run app.py` with no config.yaml,
then the first page (Overview) drawn in headless Chromium.

Each round starts a new server (demo mode, today pinned) and reports: seconds until the
server answered its health check, seconds from opening the Overview until it had drawn and
Streamlit was idle, and the CPU seconds (user + sys) the server process used in all (the
in-process emulator included). `--facts-cache DIR` points the emulator's on-disk facts cache
there (`fresh`: an empty folder per round, what a newcomer has; default: the user's cache).

    python scripts/bench_demo_start.py [--rounds 3] [--today 2026-11-20] [--facts-cache fresh]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))
from bench_app import CHROMIUM_ARGS, time_page  # noqa: E402
from streamlit_server import streamlit_app  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_round(chromium: str, today: str, cache: str | None, folder: Path) -> dict:
    from playwright.sync_api import sync_playwright

    env = os.environ | {"STATSDASH_DEMO": "1", "STATSDASH_TODAY": today}
    if cache == "fresh":
        env["STATSDASH_FACTS_CACHE"] = str(Path(tempfile.mkdtemp(dir=folder)))
    elif cache:
        env["STATSDASH_FACTS_CACHE"] = cache
    started = time.perf_counter()
    with streamlit_app(env, folder / "streamlit.log", start_seconds=60) as server:
        up = time.perf_counter() - started
        cpu_up = cpu_seconds(server.process.pid)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            first = time_page(page, server.url)
            browser.close()
        cpu = cpu_seconds(server.process.pid)
    return {
        "server_up_s": round(up, 2),
        "first_page_s": round(first, 2),
        "server_cpu_at_up_s": round(cpu_up, 2),
        "server_cpu_after_first_page_s": round(cpu, 2),
        "load_average": round(os.getloadavg()[0], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--today", default="2026-11-20")
    parser.add_argument("--facts-cache", help="'fresh' (empty per round) or a folder")
    parser.add_argument("--json", type=Path, help="also write the rounds to this JSON file")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Debian's chromium is not installed (apt-get install chromium)")
        return 1
    rounds = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.rounds):
            rounds.append(one_round(chromium, args.today, args.facts_cache, Path(folder)))
            print(json.dumps(rounds[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"today": args.today, "rounds": rounds}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where a restarted server's first Overview spends its CPU, with every answer on disk.

Starts the emulator (no latency), writes speed.py's config (20 sites x 2 properties, 10
groups x 2 channels), draws the Overview once in headless Chromium to fill the response
cache, then starts a new server on that cache and draws the Overview again under py-spy
(`pip install py-spy`), which samples every thread of the server. Prints the server's CPU
seconds for the visit and the functions with the most samples (own and with callees).

    python scripts/profile_overview.py [--rounds 1] [--raw out.txt] [--top 40]
        [--filter statsdash]   # only frames of files whose path has this
"""

from __future__ import annotations

import argparse
import collections
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "scripts"))

import speed  # noqa: E402
from bench_app import CHROMIUM_ARGS, time_page  # noqa: E402

from statsdash.emulator.process import start_emulator_process  # noqa: E402


def visit(context, app: str, pid: int) -> tuple[float, float]:
    page = context.new_page()
    cpu = speed.cpu_seconds(pid)
    seconds = time_page(page, f"{app}/{speed.QUERY}")
    used = speed.cpu_seconds(pid) - cpu
    page.close()
    return seconds, used


def summarise(raw: Path, top: int, only: str) -> None:
    """py-spy's raw format: one line per distinct stack, frames `;`-joined, then a count."""
    own: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")[1:]  # the first is the thread
        if only:
            frames = [f for f in frames if only in f]
        if frames:
            own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    print(f"\n{total} samples")
    for title, counter in (("own", own), ("inclusive", inclusive)):
        print(f"\n-- top {top} by {title} samples --")
        for frame, n in counter.most_common(top):
            print(f"{n:>6} {100 * n / max(total, 1):5.1f}%  {frame}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="restarts timed (profiled: last)")
    parser.add_argument("--raw", default="", help="keep py-spy's raw stacks here")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--filter", default="")
    parser.add_argument("--no-profile", action="store_true", help="only the CPU seconds")
    parser.add_argument("--app-root", default=str(ROOT))
    args = parser.parse_args()
    app_root = Path(args.app_root).resolve()
    from playwright.sync_api import sync_playwright

    emulator_process, emulator = start_emulator_process(speed.TODAY, 4)
    work = Path(tempfile.mkdtemp(prefix="statsdash-profile-"))
    raw = Path(args.raw) if args.raw else work / "raw.txt"
    try:
        config = speed.write_config(work, emulator, speed.network_ids(emulator), 20, 10)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
            )
            context = browser.new_context(viewport=speed.VIEWPORT)
            process, app = speed.start_app(app_root, config)
            try:
                s, cpu = visit(context, app, process.pid)
                print(f"cold (fills the cache): {s:.2f} s, {cpu:.2f} s CPU")
            finally:
                process.terminate()
                process.wait(30)
            for round_ in range(args.rounds):
                process, app = speed.start_app(app_root, config)
                spy = None
                if not args.no_profile and round_ == args.rounds - 1:
                    spy = subprocess.Popen(
                        ["py-spy", "record", "--pid", str(process.pid), "--rate", "250",
                         "--format", "raw", "--output", str(raw), "--nonblocking", "--gil"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    )  # fmt: skip
                try:
                    s, cpu = visit(context, app, process.pid)
                    print(f"restart on a warm cache: {s:.2f} s, {cpu:.2f} s CPU")
                finally:
                    if spy is not None:
                        spy.send_signal(signal.SIGINT)
                        spy.wait(60)
                    process.terminate()
                    process.wait(30)
            browser.close()
        if not args.no_profile:
            summarise(raw, args.top, args.filter)
    finally:
        emulator_process.terminate()
        emulator_process.wait(30)
        if not args.raw:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

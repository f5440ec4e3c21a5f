"""Measure how long a failing source costs: the CLI export and the app's Overview, timed.

Scenarios (GA only fails unless said; YouTube keeps answering from the emulator):
  hang-one   one GA property accepts the request and never answers (emulator `hang` fault)
  silent     every GA request goes to a socket server that accepts and never answers
  refused    both APIs unreachable (connection refused)
  drop-one   one GA property closes the connection mid-body, every time
  norows-one one GA property answers rowCount > 0 without rows, every time

Each run is `python -m statsdash export ga-sites` (CLI) or the Overview page through
Streamlit's AppTest in a fresh process (app), capped at --cap seconds. Prints one line
per run: scenario, target, seconds, exit code (app: whether it raised), last stderr line.

    python scripts/bench_failures.py [--scenarios hang-one,silent] [--targets cli,app]
        [--cap 400] [--budget 60]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from statsdash.emulator import DEMO_CONFIG  # noqa: E402
from statsdash.emulator.process import control, start_emulator_process  # noqa: E402

TODAY = date(2026, 11, 20)
PROPERTY = "311204581"  # pixelpost.net's first property
SCENARIOS = ("hang-one", "silent", "refused", "drop-one", "norows-one")
FAULTS = {"hang-one": "hang", "drop-one": "drop", "norows-one": "no_rows"}
APP_RUN = """
import sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=float(sys.argv[2]))
at.query_params.update(period="custom", start="2026-10-01", end="2026-10-31")
started = time.monotonic()
at.run()
print(f"{time.monotonic() - started:.1f} {'exception' if at.exception else 'ok'}")
for e in at.exception:
    print(e.message.splitlines()[0][:200])
for w in at.warning:
    print(w.value.replace(chr(10), ' ')[:300])
for e in at.error:
    print(e.value.replace(chr(10), ' ')[:300])
"""


def silent_server() -> int:
    """A loopback port that accepts connections and never answers; the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held = []

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            held.append(conn)  # kept open, never read from or written to

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(folder: Path, ga_url: str, yt_url: str, budget: float | None) -> Path:
    text = DEMO_CONFIG.read_text()
    text = text.replace("http://127.0.0.1:8765", ga_url, 1).replace(
        "http://127.0.0.1:8765", yt_url, 1
    )
    extra = "cache: {enabled: false}\n"
    if budget is not None:
        extra += f"fetch: {{budget_seconds: {budget:g}}}\n"
    path = folder / "config.yaml"
    path.write_text(extra + text)
    return path


def run_cli(config: Path, cap: float) -> tuple[float, str, str]:
    command = [sys.executable, "-m", "statsdash", "export", "ga-sites", "--config", str(config)]
    command += ["--start", "2026-10-01", "--end", "2026-10-31"]
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=cap, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return cap, "killed", f"> {cap:g} s"
    lines = done.stderr.strip().splitlines() or [""]
    return time.monotonic() - started, str(done.returncode), lines[-1][:300]


def run_app(config: Path, cap: float) -> tuple[float, str, str]:
    env = os.environ | {"STATSDASH_CONFIG": str(config), "STATSDASH_TODAY": TODAY.isoformat()}
    env.pop("STATSDASH_DEMO", None)
    command = [sys.executable, "-c", APP_RUN, str(ROOT / "app.py"), str(cap)]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=cap + 30, cwd=ROOT, env=env
        )
    except subprocess.TimeoutExpired:
        return cap, "killed", f"> {cap:g} s"
    out = done.stdout.strip().splitlines() or ["? no output"]
    seconds, status = (out[0].split() + ["?", "?"])[:2]
    try:
        return float(seconds), status, " | ".join(out[1:])[:400]
    except ValueError:  # no timing line: the run itself failed
        return time.monotonic() - started, "crashed", done.stderr.strip()[-300:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--targets", default="cli,app")
    parser.add_argument("--cap", type=float, default=400.0)
    parser.add_argument("--budget", type=float, help="fetch.budget_seconds to configure")
    args = parser.parse_args()
    process, url = start_emulator_process(TODAY)
    silent = f"http://127.0.0.1:{silent_server()}"
    refused = f"http://127.0.0.1:{refused_port()}"
    try:
        with tempfile.TemporaryDirectory() as folder:
            for scenario in args.scenarios.split(","):
                ga_url = {"silent": silent, "refused": refused}.get(scenario, url)
                yt_url = refused if scenario == "refused" else url
                config = write_config(Path(folder), ga_url, yt_url, args.budget)
                for target in args.targets.split(","):
                    control(url, "reset", {})
                    if scenario in FAULTS:
                        fault = {"kind": FAULTS[scenario], "match": PROPERTY, "times": 10_000}
                        control(url, "faults", {"faults": [fault]})
                    run = run_cli if target == "cli" else run_app
                    seconds, status, tail = run(config, args.cap)
                    requests = control(url, "requests")["total"]
                    print(
                        f"{scenario:<11} {target:<4} {seconds:7.1f} s  exit {status:<9} "
                        f"{requests:4} emulator requests  {tail}",
                        flush=True,
                    )
                    control(url, "reset", {})  # releases hanging handlers
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()

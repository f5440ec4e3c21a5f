"""Measure how long a failing source costs: the CLI export and the app's Overview, timed.

Scenarios (GA only fails unless said; YouTube keeps answering from the emulator):
  healthy    nothing fails (the baseline the others are compared with)
  500-one    one GA property answers HTTP 500, every time
  hang-one   one GA property accepts the request and never answers (emulator `hang` fault)
  silent     every GA request goes to a socket server that accepts and never answers
  refused    both APIs unreachable (connection refused)
  drop-one   one GA property closes the connection mid-body, every time
  norows-one one GA property answers rowCount > 0 without rows, every time
  401-all    GA refuses the credentials (401) on every property
  token-500  GA uses a service-account key whose token endpoint answers 500

Each run is `python -m statsdash export ga-sites` (CLI) or the Overview page through
Streamlit's AppTest in a fresh process (app), capped at --cap seconds. Prints one line
per run: scenario, target, wall seconds, CPU seconds (user + sys of the run's process),
exit code (app: whether it raised), requests the emulator answered, and what the user sees
(CLI: last stderr line; app: exceptions, warnings and errors on the page). `--json PATH`
also writes the runs as JSON.

    python scripts/bench_failures.py [--scenarios hang-one,silent] [--targets cli,app]
        [--cap 400] [--budget 60] [--json benchmarks/failures.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from http.server import ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from json_server import JsonHandler  # noqa: E402  (tests/json_server.py)

from statsdash.emulator import DEMO_CONFIG  # noqa: E402
from statsdash.emulator.process import control, start_emulator_process  # noqa: E402

TODAY = date(2026, 11, 20)
PROPERTY = "311204581"  # pixelpost.net's first property
SCENARIOS = (
    "healthy",
    "500-one",
    "hang-one",
    "silent",
    "refused",
    "drop-one",
    "norows-one",
    "401-all",
    "token-500",
)
GA_PATHS = "/v1beta/properties/"  # every GA Data API request, and no YouTube one
FAULTS = {
    "500-one": ("500", PROPERTY),
    "hang-one": ("hang", PROPERTY),
    "drop-one": ("drop", PROPERTY),
    "norows-one": ("no_rows", PROPERTY),
    "401-all": ("401", GA_PATHS),
}
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
    print(w.value.replace(chr(10), ' ')[:3000])
for e in at.error:
    print(e.value.replace(chr(10), ' ')[:3000])
"""


HELD: list[socket.socket] = []  # the silent server's connections, counted per run


def silent_server() -> int:
    """A loopback port that accepts connections and never answers; the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            HELD.append(conn)  # kept open, never read from or written to

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


class FailingTokenEndpoint(JsonHandler):
    """Google's OAuth token endpoint having a bad minute: every token request gets a 500."""

    hits = 0

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("content-length", 0)))
        FailingTokenEndpoint.hits += 1
        self.send_json(500, {"error": "internal_failure"})


def failing_token_uri() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FailingTokenEndpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/token"


def service_account_key(folder: Path, token_uri: str) -> Path:
    """A real (freshly generated) service-account key whose token endpoint is `token_uri`."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "bench",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "statsdash@bench.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }
    path = folder / "sa.json"
    path.write_text(json.dumps(info))
    path.chmod(0o600)
    return path


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(
    folder: Path, ga_url: str, yt_url: str, budget: float | None, key: Path | None = None
) -> Path:
    text = DEMO_CONFIG.read_text()
    text = text.replace("http://127.0.0.1:8765", ga_url, 1).replace(
        "http://127.0.0.1:8765", yt_url, 1
    )
    if key is not None:
        text = text.replace("credentials: none", f"credentials: {key}", 1)
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
        # The page's Markdown escapes (`pixelpost\\.net`) dropped: the text as the user reads it.
        return float(seconds), status, re.sub(r"\\(.)", r"\1", " | ".join(out[1:]))[:2000]
    except ValueError:  # no timing line: the run itself failed
        return time.monotonic() - started, "crashed", done.stderr.strip()[-300:]


def timed(run, config: Path, cap: float) -> tuple[float, float, str, str]:
    """run(config, cap) plus the CPU seconds (user + sys) its child process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, status, tail = run(config, cap)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, status, tail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--targets", default="cli,app")
    parser.add_argument("--cap", type=float, default=400.0)
    parser.add_argument("--budget", type=float, help="fetch.budget_seconds to configure")
    parser.add_argument("--json", type=Path, help="also write the runs to this JSON file")
    args = parser.parse_args()
    process, url = start_emulator_process(TODAY)
    silent = f"http://127.0.0.1:{silent_server()}"
    refused = f"http://127.0.0.1:{refused_port()}"
    runs = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            key = service_account_key(Path(folder), failing_token_uri())
            # The emulator builds its facts on first use; one unrecorded run pays for that,
            # so the first scenario measures Statsdash, not the emulator's start.
            run_cli(write_config(Path(folder), url, url, args.budget), args.cap)
            for scenario in args.scenarios.split(","):
                ga_url = {"silent": silent, "refused": refused}.get(scenario, url)
                yt_url = refused if scenario == "refused" else url
                sa = key if scenario == "token-500" else None
                config = write_config(Path(folder), ga_url, yt_url, args.budget, sa)
                for target in args.targets.split(","):
                    control(url, "reset", {})
                    if scenario in FAULTS:
                        kind, match = FAULTS[scenario]
                        fault = {"kind": kind, "match": match, "times": 10_000}
                        control(url, "faults", {"faults": [fault]})
                    held, tokens = len(HELD), FailingTokenEndpoint.hits
                    run = run_cli if target == "cli" else run_app
                    seconds, cpu, status, tail = timed(run, config, args.cap)
                    answered = control(url, "requests")
                    run_record = {
                        "scenario": scenario,
                        "target": target,
                        "seconds": round(seconds, 1),
                        "cpu_seconds": round(cpu, 1),
                        "exit": status,
                        "emulator_requests": answered["total"],
                        "peak_in_flight": max(answered["peak_in_flight"].values(), default=0),
                        "silent_connections": len(HELD) - held,
                        "token_requests": FailingTokenEndpoint.hits - tokens,
                        "user_sees": tail,
                    }
                    runs.append(run_record)
                    print(
                        f"{scenario:<11} {target:<4} {seconds:7.1f} s {cpu:6.1f} s CPU  "
                        f"exit {status:<9} {answered['total']:4} emulator requests  {tail[:300]}",
                        flush=True,
                    )
                    control(url, "reset", {})  # releases hanging handlers
    finally:
        process.terminate()
        process.wait(timeout=10)
        if args.json and runs:
            record = {
                "taken": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "budget_seconds": args.budget,
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
                "runs": runs,
            }
            args.json.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()

"""Peak memory with many configured sites: the CLI export and the app's Overview.

The emulator runs in a process of its own and serves N extra GA4 properties, each an alias
of one of the demo network's twelve (same facts, its own property id), so a config of N
sites (one property each, plus the demo YouTube channels) can be fetched for real. The
client side is measured in fresh processes: `export ga-sites` and the Overview page
through Streamlit's AppTest (the script runs in that process, as in a server), each
reporting its peak resident memory (ru_maxrss) and wall time.

    python scripts/bench_memory.py [--sites 20,2000] [--targets cli,app] [--budget 3600]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TODAY = date(2026, 11, 20)
FIRST_ALIAS = 900_000_000
APP_RUN = """
import resource, sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=1800)
at.query_params.update(period="custom", start="2026-10-01", end="2026-10-31")
started = time.monotonic()
at.run()
seconds = time.monotonic() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{seconds:.1f} {peak:.0f} {len(at.exception)} {len(at.warning)}")
for e in at.exception:
    print(e.message.splitlines()[0][:300])
"""


def serve_aliases(port: int, count: int) -> None:
    """The emulator with `count` alias properties (run in its own process)."""
    import dataclasses

    from statsdash.emulator import server
    from statsdash.emulator.network import demo_network

    net = demo_network(TODAY)
    demo_ids = list(net.ga_properties)
    alias = {str(FIRST_ALIAS + i): demo_ids[i % len(demo_ids)] for i in range(count)}
    for new, base in alias.items():
        net.ga_properties[new] = dataclasses.replace(net.ga_properties[base], property_id=new)
    for name in ("ga_slice", "ga_page_labels", "ga_available_through"):
        method = getattr(net, name)
        setattr(net, name, lambda pid, *a, _m=method: _m(alias.get(pid, pid), *a))
    httpd = server._make_server("127.0.0.1", port, TODAY)
    httpd.state.network = net
    httpd.serve_forever()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(folder: Path, url: str, count: int, budget: float | None) -> Path:
    from statsdash.emulator import DEMO_CONFIG

    demo = DEMO_CONFIG.read_text()
    youtube = demo[demo.index("youtube:") : demo.index("brands:")]
    lines = ["cache: {enabled: false}"]
    if budget is not None:  # a long budget: measure a whole fetch, not what fits in 60 s
        lines.append(f"fetch: {{budget_seconds: {budget:g}}}")
    lines += ["google_analytics:", "  credentials: none"]
    lines += [f"  endpoint: {url}", "  sites:"]
    for i in range(count):
        lines += [f"    site{i:05d}.example:", f'      - id: "{FIRST_ALIAS + i}"']
    path = folder / f"config-{count}.yaml"
    path.write_text("\n".join(lines) + "\n" + youtube.replace("http://127.0.0.1:8765", url))
    return path


CLI_RUN = """
import resource, sys
from statsdash.cli import main
code = main(sys.argv[1:])
print(f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}", file=sys.stderr)
sys.exit(code)
"""


def run_cli(config: Path) -> str:
    command = [sys.executable, "-c", CLI_RUN, "export", "ga-sites", "--config", str(config)]
    command += ["--start", "2026-10-01", "--end", "2026-10-31", "-o", os.devnull]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.monotonic() - started
    lines = done.stderr.strip().splitlines() or [""]
    peak = lines[-1].removeprefix("peak ") if lines[-1].startswith("peak ") else "?"
    tail = (lines[-2] if len(lines) > 1 else "")[:160]
    return f"{seconds:7.1f} s  peak RSS {peak:>6} MB  exit {done.returncode}  {tail}"


def run_app(config: Path) -> str:
    env = os.environ | {"STATSDASH_CONFIG": str(config), "STATSDASH_TODAY": TODAY.isoformat()}
    env.pop("STATSDASH_DEMO", None)
    command = [sys.executable, "-c", APP_RUN, str(ROOT / "app.py")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    out = done.stdout.strip().splitlines()
    if not out:
        return f"crashed: {done.stderr.strip()[-300:]}"
    seconds, peak, exceptions, warnings = out[0].split()
    extra = " | ".join(out[1:])[:300]
    return (
        f"{float(seconds):7.1f} s  peak RSS {float(peak):6.0f} MB  {exceptions} exceptions, "
        f"{warnings} warnings {extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default="20,2000")
    parser.add_argument("--targets", default="cli,app")
    parser.add_argument(
        "--budget", type=float, default=3600, help="fetch.budget_seconds (0: leave the key out)"
    )
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve_aliases(args.port, args.serve)
        return
    counts = [int(n) for n in args.sites.split(",")]
    port = free_port()
    emulator = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(max(counts)), "--port", str(port)], cwd=ROOT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        from statsdash.emulator.process import control

        for _ in range(200):
            try:
                control(url, "health")
                break
            except OSError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as folder:
            for count in counts:
                config = write_config(Path(folder), url, count, args.budget or None)
                for target in args.targets.split(","):
                    line = run_cli(config) if target == "cli" else run_app(config)
                    print(f"{count:5} sites  {target:<4} {line}", flush=True)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    main()

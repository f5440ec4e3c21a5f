"""`streamlit run app.py` on a free loopback port, for the browser tests and scripts/bench_app.py:
start it, wait until its health endpoint answers, stop it (and only it) afterwards.

Its log goes to a file, not a pipe: nobody reads a pipe while the tests run, and a full one
blocks the server's logging, so the app would hang mid-test.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADLESS = [
    "--server.headless",
    "true",
    "--server.fileWatcherType",
    "none",
    "--browser.gatherUsageStats",
    "false",
]


class NotStarted(RuntimeError):
    """The server exited or its health endpoint did not answer in time (with its log's tail)."""


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.read() == b"ok"
    except OSError:
        return False


@contextlib.contextmanager
def streamlit_app(
    env: Mapping[str, str],
    log: Path,
    *,
    port: int | None = None,
    address: str | None = "127.0.0.1",
    extra: Sequence[str] = (),
    start_seconds: float = 60,
) -> Iterator[Server]:
    """The app served on 127.0.0.1:`port` (a free one if None) with `env`, logging to `log`.

    `address=None` leaves --server.address out, so the app's own .streamlit/config.toml
    decides where it binds (the access test relies on that default)."""
    port = port or free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", address] if address else []
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [*command, *HEADLESS, *extra],
            cwd=ROOT,
            env=dict(env),
            stdout=subprocess.DEVNULL,
            stderr=out,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_seconds
            while not healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    out.flush()
                    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                    raise NotStarted(f"streamlit did not start: {tail}")
                time.sleep(0.3)
            yield Server(url, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

"""The emulator in a process of its own, for benchmarks that must not count its memory or CPU."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def control(url: str, path: str, payload: dict | None = None, timeout: float = 30) -> dict:
    """GET (or POST `payload` to) the control endpoint `/_emulator/<path>`."""
    data = None if payload is None else json.dumps(payload).encode()
    with urllib.request.urlopen(f"{url}/_emulator/{path}", data=data, timeout=timeout) as answer:
        return json.load(answer)


def start_emulator_process(today: date, copies: int = 1) -> tuple[subprocess.Popen, str]:
    """`python -m statsdash serve-emulator` on a free loopback port; (process, base URL)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "statsdash", "serve-emulator", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--today", today.isoformat(), "--copies", str(copies)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):  # a loaded machine takes a while to import numpy and pandas
        try:
            control(url, "health")
            return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the emulator did not start")

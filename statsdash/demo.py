"""Demo mode: the bundled demo network, served by the local emulator on a free loopback port."""

from __future__ import annotations

import atexit
import dataclasses
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

from statsdash.config import CacheConfig, Config, ConfigError, load_config

DEMO_CONFIG = Path(__file__).parent / "emulator" / "demo_config.yaml"


class EmulatorProcess:
    """The app's demo emulator in a process of its own (`serve-emulator --draw-ahead`).

    In the app's process the emulator's answers (and the drawing of its facts) ran under the
    app's GIL: on a demo's first page they took turns with the imports, the decoding and the
    tables, which now run beside them on the other core. The process stops with `stop()`,
    at exit, or by itself once its parent is gone (a killed server leaves no emulator)."""

    def __init__(self, today: date) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "statsdash", "serve-emulator", "--port", str(self.port)]
        command += ["--today", today.isoformat(), "--draw-ahead", "--parent-pid", str(os.getpid())]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        self.stopped = False
        atexit.register(self.stop)

    def wait_ready(self, seconds: float = 120.0) -> EmulatorProcess:
        """Self, once the emulator answers; ConfigError (app.py shows it) if it exits or
        stays silent."""
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise ConfigError(f"demo mode: the local emulator exited (code {code}) at start")
            try:
                with urllib.request.urlopen(f"{self.url}/_emulator/health", timeout=2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise ConfigError(f"demo mode: the local emulator did not answer within {seconds:.0f} s")

    def stop(self) -> None:
        self.stopped = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


_processes: dict[date, EmulatorProcess] = {}
_processes_lock = threading.Lock()


def emulator_process(today: date) -> EmulatorProcess:
    """The demo emulator's process for `today`: started once per day, again if stopped."""
    with _processes_lock:
        running = _processes.get(today)
        if running is None or running.stopped:
            running = _processes[today] = EmulatorProcess(today)
        return running


def draw_facts_ahead(today: date) -> EmulatorProcess:
    """app.py, before its own imports: start the demo emulator's process now, so that it
    imports and draws the first page's facts (or reads them from the facts cache) while
    pandas, Altair and the pages load here."""
    return emulator_process(today)


def start_demo(today: date | None = None, ahead: bool = True) -> tuple[Config, object]:
    """(config pointed at a freshly started emulator, the emulator handle to stop later).
    `ahead` (the app): the emulator runs in a process of its own, which draws the Overview's
    facts as it starts (EmulatorProcess); a CLI command serves it in-process and asks for
    what its report needs."""
    if ahead:
        from statsdash.periods import today as real_today

        handle = emulator_process(today or real_today()).wait_ready()
    else:
        from statsdash.emulator.server import start_emulator

        handle = start_emulator(port=0, today=today)
    config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(handle.url)
    # The emulator's port changes every run, so cached answers would never be reused.
    return dataclasses.replace(config, cache=CacheConfig(enabled=False)), handle

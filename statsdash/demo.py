"""Demo mode: the bundled demo network, served by the local emulator on a free loopback port."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import threading
from datetime import date
from pathlib import Path

from statsdash.config import CacheConfig, Config, load_config

DEMO_CONFIG = Path(__file__).parent / "emulator" / "demo_config.yaml"


@functools.cache
def draw_facts_ahead(today: date) -> threading.Thread:
    """Start making the emulator's facts for the first page on a daemon thread (once per
    process and day): app.py calls this before its own imports, so the month blocks are
    drawn (or read from the facts cache) while pandas, Altair and the pages load instead of
    after the first requests arrive. numpy's draws release the GIL, so on two cores most
    of it runs beside the imports.

    The emulator is imported here, by the caller, not by the thread: the package and its
    server import each other, and the app's thread importing the server while this one was
    still importing the package failed ("partially initialized module")."""
    from statsdash.emulator.network import draw_ahead

    def draw() -> None:
        # Only a head start: should it fail, the requests draw what is missing themselves.
        with contextlib.suppress(Exception):
            draw_ahead(today)

    thread = threading.Thread(target=draw, name="statsdash-demo-facts", daemon=True)
    thread.start()
    return thread


def start_demo(today: date | None = None, ahead: bool = True) -> tuple[Config, object]:
    """(config pointed at a freshly started emulator, the emulator handle to stop later).
    `ahead`: draw the Overview's facts on a thread meanwhile (the app); a CLI command asks
    for what its report needs, and a thread drawing every month beside it only competes."""
    from statsdash.emulator.server import start_emulator

    handle = start_emulator(port=0, today=today)
    if ahead:
        draw_facts_ahead(handle.network.today)  # already running when app.py started it
    config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(handle.url)
    # The emulator's port changes every run, so cached answers would never be reused.
    return dataclasses.replace(config, cache=CacheConfig(enabled=False)), handle

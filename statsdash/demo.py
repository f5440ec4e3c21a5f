"""Demo mode: the bundled demo network, served by the local emulator on a free loopback port."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from statsdash.config import CacheConfig, Config, load_config

DEMO_CONFIG = Path(__file__).parent / "emulator" / "demo_config.yaml"


def start_demo(today: date | None = None) -> tuple[Config, object]:
    """(config pointed at a freshly started emulator, the emulator handle to stop later)."""
    from statsdash.emulator.server import start_emulator

    handle = start_emulator(port=0, today=today)
    config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(handle.url)
    # The emulator's port changes every run, so cached answers would never be reused.
    return dataclasses.replace(config, cache=CacheConfig(enabled=False)), handle

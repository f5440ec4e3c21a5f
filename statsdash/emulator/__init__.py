"""A local emulator of the Google APIs Statsdash calls (GA4 Data + Admin, YouTube Analytics,
YouTube Data, YouTube partner), serving a deterministic synthetic network over real HTTP."""

from pathlib import Path

from statsdash.emulator.errors import FAULT_KINDS
from statsdash.emulator.network import GaProperty, Network, YtChannel, YtVideo, demo_network
from statsdash.emulator.server import ENDPOINTS, EmulatorHandle, serve, start_emulator

DEMO_CONFIG = Path(__file__).with_name("demo_config.yaml")

__all__ = [
    "DEMO_CONFIG",
    "ENDPOINTS",
    "FAULT_KINDS",
    "EmulatorHandle",
    "GaProperty",
    "Network",
    "YtChannel",
    "YtVideo",
    "demo_network",
    "serve",
    "start_emulator",
]

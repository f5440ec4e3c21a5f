"""`export --all` costs a fixed number of calls per GA property, and YouTube's do not grow
with the sites: requests grow linearly with the network (the benchmark's growth target).

Counted at the emulator (its request log), for a network of 2 x 2 and 6 x 2 properties,
"last 28 days, previous + year ago" as the benchmark asks, comparing like for like (so the
recent hours are asked first), cold each time."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
import yaml

from statsdash import reports
from statsdash.cli import main
from statsdash.emulator import start_emulator

TODAY = date(2026, 11, 20)
# Per property: the early and first rounds (one batchRunReports each) and one
# runRealtimeReport for ga-realtime.
GA_CALLS_PER_PROPERTY = 3
GA = ("ga.runReport", "ga.batchRunReports", "ga.runRealtimeReport")


@pytest.fixture(scope="module")
def big_emulator():
    with start_emulator(port=0, today=TODAY, copies=2) as handle:
        yield handle


def write_config(folder, emulator, sites: int) -> tuple:
    network = emulator.network
    props = list(network.ga_properties)[: 2 * sites]
    channels = list(network.yt_channels)[:4]
    config = {
        "cache": {"path": str(folder / "cache.sqlite")},
        "google_analytics": {
            "credentials": "none",
            "endpoint": emulator.url,
            "sites": {
                f"site{i}.example": [{"id": props[2 * i]}, {"id": props[2 * i + 1]}]
                for i in range(sites)
            },
        },
        "youtube": {
            "credentials": "none",
            "endpoint": emulator.url,
            "content_owner_id": network.content_owner_id,
            "channels": {"A": channels[:2], "B": channels[2:]},
        },
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path, props


def export(emulator, tmp_path, monkeypatch, sites: int) -> tuple[Counter, int, list[str]]:
    """(GA calls per property, YouTube calls) of one cold `export --all`."""
    monkeypatch.setenv("STATSDASH_TODAY", TODAY.isoformat())
    folder = tmp_path / f"sites{sites}"
    folder.mkdir()
    config, props = write_config(folder, emulator, sites)
    reports._data_memo.clear()  # cold: no tables of an earlier run in this process
    emulator.reset()
    args = ["export", "--all", "--config", str(config), "--preset", "last_28_days"]
    assert main([*args, "--compare", "previous,yoy", "-o", str(folder / "csv")]) == 0
    log = emulator.requests()["log"]
    per_property = Counter(e["key"] for e in log if e["endpoint"] in GA)
    youtube = sum(1 for e in log if e["endpoint"].startswith("yt."))
    return per_property, youtube, props


@pytest.mark.slow
def test_export_all_requests_grow_linearly_with_properties(big_emulator, tmp_path, monkeypatch):
    small, yt_small, props_small = export(big_emulator, tmp_path, monkeypatch, 2)
    large, yt_large, props_large = export(big_emulator, tmp_path, monkeypatch, 6)
    # Every property is asked the same few calls, whatever the network's size...
    assert small == Counter(dict.fromkeys(props_small, GA_CALLS_PER_PROPERTY))
    assert large == Counter(dict.fromkeys(props_large, GA_CALLS_PER_PROPERTY))
    # ...and YouTube's queries cover every channel at once: they do not grow with the sites.
    assert yt_small == yt_large
    grown = large.total() + yt_large - (small.total() + yt_small)
    assert grown == GA_CALLS_PER_PROPERTY * (len(props_large) - len(props_small))

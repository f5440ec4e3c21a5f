"""`export --all`, `warm` and `cache stats|clear`: every report from one round of requests, a
cache that later runs answer from, and a failing source asked once per failure window."""

from __future__ import annotations

import dataclasses
import stat
from datetime import date

import pandas as pd
import pytest
import yaml

from statsdash import reports
from statsdash.cli import main
from statsdash.config import load_config
from statsdash.demo import DEMO_CONFIG
from statsdash.periods import Period
from statsdash.reports import Selection, available_reports, build_all, retry_in

OCTOBER = ["--start", "2026-10-01", "--end", "2026-10-31", "--compare", "previous,yoy"]
START, END = date(2026, 10, 1), date(2026, 10, 31)


@pytest.fixture
def config_file(emulator, tmp_path, monkeypatch):
    monkeypatch.setenv("STATSDASH_TODAY", emulator.network.today.isoformat())
    data = yaml.safe_load(DEMO_CONFIG.read_text())
    data["youtube"]["endpoint"] = data["google_analytics"]["endpoint"] = emulator.url
    data["cache"] = {"path": str(tmp_path / "state" / "cache.sqlite")}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def counts(emulator) -> dict[str, int]:
    return emulator.requests()["by_endpoint"]


@pytest.mark.slow
def test_export_all_writes_every_report_from_one_round(config_file, clean_emulator, tmp_path):
    config = load_config(config_file, check_files=False)
    n_props = sum(len(s.properties) for s in config.google_analytics.sites.values())
    out = tmp_path / "csv"
    assert main(["export", "--all", "--config", str(config_file), *OCTOBER, "-o", str(out)]) == 0
    names = available_reports(config)
    assert sorted(p.stem for p in out.glob("*.csv")) == sorted(names)
    assert set(reports.REPORT_NAMES) <= set(names)  # the demo config has every service
    used = counts(clean_emulator)
    # The early round (series, history, key events by day) and the first (every contract
    # table, the insights' device parts, every source's articles): two calls per property,
    # and one runRealtimeReport for ga-realtime (its active users per site need no pages).
    assert used["ga.batchRunReports"] + used["ga.runReport"] == 2 * n_props
    assert used["ga.runRealtimeReport"] == n_props
    # ...and for them on YouTube per period one query by video and one by traffic source,
    # plus the 8 weeks of daily history, and the demo's revenue (one query per period).
    assert used["yt.reports.query"] <= 20 + 2 * 3 + 1 + 3

    # The raw facts, summed with plain pandas, give the summary's pageviews.
    facts = pd.concat(
        [
            clean_emulator.network.ga_facts(p.id, START, END)
            for site in config.google_analytics.sites.values()
            for p in site.properties
        ]
    )
    summary = pd.read_csv(out / "ga-summary.csv")
    assert summary.loc[0, "pageviews"] == facts["screenPageViews"].sum()

    # A single export afterwards is the same bytes, answered wholly from the cache.
    before = clean_emulator.requests()["total"]
    single = tmp_path / "sites.csv"
    args = ["export", "ga-sites", "--config", str(config_file), *OCTOBER, "-o", str(single)]
    assert main(args) == 0
    assert single.read_bytes() == (out / "ga-sites.csv").read_bytes()
    assert clean_emulator.requests()["total"] == before


def test_export_all_needs_a_folder(config_file, capsys):
    assert main(["export", "--all", "--config", str(config_file)]) == 2
    assert "-o DIR" in capsys.readouterr().err
    assert main(["export", "--config", str(config_file)]) == 2


@pytest.mark.slow
def test_warm_fills_the_cache_for_every_report(config_file, clean_emulator, tmp_path, capsys):
    assert main(["warm", "--config", str(config_file), *OCTOBER]) == 0
    assert clean_emulator.requests()["total"] > 0
    cache_file = tmp_path / "state" / "cache.sqlite"
    assert stat.S_IMODE(cache_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_file.parent.stat().st_mode) == 0o700

    clean_emulator.reset()
    out = tmp_path / "csv"
    assert main(["export", "--all", "--config", str(config_file), *OCTOBER, "-o", str(out)]) == 0
    assert clean_emulator.requests()["total"] == 0  # every answer was already cached

    capsys.readouterr()
    assert main(["cache", "stats", "--config", str(config_file)]) == 0
    text = capsys.readouterr().out
    entries = int(text.split("entries: ")[1].split()[0].replace(",", ""))
    assert entries > 0 and "kept for good" in text
    assert main(["cache", "clear", "--config", str(config_file)]) == 0
    assert f"cleared {entries:,} cached answers" in capsys.readouterr().out


def test_a_failing_property_is_asked_once_per_window(config_file, clean_emulator):
    config = load_config(config_file, check_files=False)
    site = next(iter(config.google_analytics.sites.values()))
    failing = site.properties[0].id
    clean_emulator.add_fault("quota_day", match=f"properties/{failing}", times=1000)
    two_sites = tuple(config.google_analytics.sites)[:2]
    group = tuple(config.youtube.channels)[:1]
    selection = Selection(config, Period("Custom", START, END), ("previous",), two_sites, group)

    def asked() -> int:
        return sum(1 for r in clean_emulator.requests()["log"] if r["key"] == failing)

    first = build_all(selection)
    label = f"{site.name} (property {failing})"
    assert label in first["ga-summary"].failures
    # The first round and the extra round (they travel together), not once per table; the
    # insights' loader (another period) takes the failure it saw instead of asking (3 before).
    assert asked() <= 2
    wait = retry_in(label)
    assert wait is not None and 0 < wait <= reports.FAILURE_WINDOW

    build_all(selection)  # every page within the window: remembered, not asked again
    assert asked() <= 2
    refreshed = build_all(dataclasses.replace(selection, refresh=True))
    assert label in refreshed["ga-summary"].failures
    assert asked() > 2  # Refresh asks again at once

"""A restarted server answered from the response cache does no client-library work: building
the tables of cached answers imports neither googleapiclient nor httplib2 (~0.3 s of CPU on
a restarted server's first page) and makes no request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from statsdash.demo import DEMO_CONFIG

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import json, sys
from datetime import date
from statsdash.config import load_config
from statsdash.periods import Period
from statsdash.reports import Selection, build_report
config = load_config(sys.argv[1], check_files=False)
october = Period("custom", date(2026, 10, 1), date(2026, 10, 31))
selection = Selection(config, october, ("previous",), today=date(2026, 11, 20))
totals = {
    name: build_report(name, selection).table.select_dtypes("number").sum().sum()
    for name in ("ga-summary", "ga-countries", "yt-channels", "yt-countries")
}
heavy = ("googleapiclient", "httplib2", "google.oauth2", "requests")
print(json.dumps({"loaded": [m for m in heavy if m in sys.modules], "totals": totals}))
"""


def run(config: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_tables_from_cached_answers_load_no_client_library(emulator, tmp_path):
    data = yaml.safe_load(DEMO_CONFIG.read_text())
    data["youtube"]["endpoint"] = data["google_analytics"]["endpoint"] = emulator.url
    data["cache"] = {"path": str(tmp_path / "cache.sqlite")}
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    cold = run(config)  # fetches: the client library is needed
    assert "googleapiclient" in cold["loaded"]
    asked = emulator.requests()["total"]
    warm = run(config)
    assert emulator.requests()["total"] == asked  # every answer from the cache
    assert warm["loaded"] == []
    assert warm["totals"] == cold["totals"]
    assert all(total > 0 for total in warm["totals"].values())

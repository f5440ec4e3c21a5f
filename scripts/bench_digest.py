"""Benchmark the Monday digest and what Insights adds, for the demo network against the
emulator (in its own process) with a latency added to every answer.

Phase 1 builds the reports the pages show anyway (ga-summary, ga-articles, yt-channels,
yt-videos); phase 2 the insights reports (drivers, anomalies) on the same service data, so
its requests are what Insights adds; phase 3 renders the digest (charts to PNG) without
sending. Prints per phase the wall time and the requests by endpoint and per GA property.

    python scripts/bench_digest.py [--latency-ms 200] [--today 2026-12-01]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from statsdash.config import CacheConfig, load_config  # noqa: E402
from statsdash.emulator import DEMO_CONFIG  # noqa: E402
from statsdash.emulator.process import control, start_emulator_process  # noqa: E402
from statsdash.periods import parse_date, preset  # noqa: E402
from statsdash.reports import Selection, build_report  # noqa: E402

PAGE_REPORTS = ("ga-summary", "ga-articles", "yt-channels", "yt-videos")
INSIGHT_REPORTS = ("drivers", "anomalies")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--today", default="2026-12-01")
    args = parser.parse_args()
    today = parse_date(args.today, "--today")
    process, url = start_emulator_process(today)
    try:
        config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(url)
        config = dataclasses.replace(config, cache=CacheConfig(enabled=False))
        selection = Selection(config, preset("last_week", today), ("previous", "yoy"), today=today)
        control(url, "reset", {})
        if args.latency_ms:
            slow = {"kind": "slow", "times": 1_000_000, "latency_ms": args.latency_ms}
            control(url, "faults", {"faults": [slow]})
        report(url, "pages' reports", lambda: [build_report(n, selection) for n in PAGE_REPORTS])
        report(url, "insights", lambda: [build_report(n, selection) for n in INSIGHT_REPORTS])

        def digest():
            from statsdash.digest import build_digest

            return build_digest(selection, "https://statsdash.example.com")

        report(url, "whole digest, fresh selection", digest, fresh=True)
    finally:
        process.terminate()
        process.wait(timeout=10)


_seen = 0


def report(url: str, phase: str, run, fresh: bool = False) -> None:
    global _seen
    if fresh:  # a new Selection object: nothing memoised from the phases before
        from statsdash import reports

        reports._data_memo.clear()
    began = time.perf_counter()
    run()
    seconds = time.perf_counter() - began
    log = control(url, "requests")["log"][_seen:]
    _seen += len(log)
    endpoints = Counter(e["endpoint"] for e in log)
    per_property = Counter(e["key"] for e in log if e["endpoint"].startswith("ga."))
    spread = sorted(set(per_property.values()))
    print(f"{phase}: {seconds:.1f} s, {len(log)} requests {dict(endpoints)}")
    print(f"    GA calls per property: {spread} over {len(per_property)} properties")


if __name__ == "__main__":
    main()

"""Benchmark the whole GA4 web report for the demo network against the local emulator.

Builds the eight contract tables (ga-summary ... ga-devices, with 5 articles per referral
source and social network), then the extra tables (daily series, month to date, device
share by month) on the same AnalyticsData, and prints per phase the HTTP requests made (in
all and per property), the median wall time, and the peak Python memory of the client from
one more run under tracemalloc (the emulator runs in its own process, so its fact
generation is not counted). The response cache is off; an untimed run warms the emulator.

    python scripts/bench_ga.py [--start 2026-10-01 --end 2026-10-31]
        [--compare previous,yoy] [--latency-ms 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from statsdash.config import CacheConfig, load_config  # noqa: E402
from statsdash.emulator import DEMO_CONFIG  # noqa: E402
from statsdash.emulator.process import control, start_emulator_process  # noqa: E402
from statsdash.ga.aggregate_data import AnalyticsData  # noqa: E402
from statsdash.ga.analytics import Analytics  # noqa: E402
from statsdash.periods import Period, parse_comparisons  # noqa: E402

TODAY = date(2026, 11, 20)
WEB_REPORT = {
    "summary_table": (),
    "site_summary_table": (),
    "article_table": (),
    "country_table": (),
    "traffic_source_table": (),
    "referring_sites_table": (5,),
    "social_network_table": (5,),
    "device_table": (),
}
EXTRAS = {"daily_series": (), "month_to_date": (), "device_share_by_month": ()}


def build(config, period: Period, comparisons) -> AnalyticsData:
    analytics = Analytics(config, today=TODAY)
    return AnalyticsData(config, (), period, comparisons, analytics=analytics, today=TODAY)


def phases(url: str, config, period, comparisons, latency_ms: float, traced: bool) -> dict:
    """The web report, then the extra tables on the same AnalyticsData: per phase the wall
    time, the requests it added (in all and per property) and, when traced, peak MiB."""
    control(url, "reset", {})
    if latency_ms:
        slow = {"kind": "slow", "times": 1_000_000, "latency_ms": latency_ms}
        control(url, "faults", {"faults": [slow]})
    data = build(config, period, comparisons)
    results, seen = {}, 0
    for phase, tables in (("web report", WEB_REPORT), ("extra tables", EXTRAS)):
        if traced:
            tracemalloc.start()
        began = time.perf_counter()
        for name, args in tables.items():
            getattr(data, name)(*args)
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
        tracemalloc.stop()
        log = control(url, "requests")["log"][seen:]
        seen += len(log)
        results[phase] = {
            "seconds": seconds,
            "peak_mib": peak,
            "requests": Counter(e["endpoint"] for e in log),
            "per_property": Counter(e["key"] for e in log if e["endpoint"].startswith("ga.")),
        }
    results["failures"] = data.failures
    return results


def run(period: Period, comparisons, latency_ms: float, repeat: int) -> list[dict]:
    """`repeat` timed runs, then one traced for memory (tracemalloc slows Python a lot)."""
    process, url = start_emulator_process(TODAY)
    try:
        config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(url)
        config = dataclasses.replace(config, cache=CacheConfig(enabled=False))
        phases(url, config, period, comparisons, 0, traced=False)  # warms the fact stores
        runs = [
            phases(url, config, period, comparisons, latency_ms, traced=False)
            for _ in range(repeat)
        ]
        runs.append(phases(url, config, period, comparisons, latency_ms, traced=True))
    finally:
        process.terminate()
        process.wait(timeout=10)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2026-10-01")
    parser.add_argument("--end", default="2026-10-31")
    parser.add_argument("--compare", default="previous,yoy")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every answer")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (median reported)")
    args = parser.parse_args()
    period = Period("bench", date.fromisoformat(args.start), date.fromisoformat(args.end))
    comparisons = parse_comparisons(args.compare)
    runs = run(period, comparisons, args.latency_ms, args.repeat)
    print(
        f"period {period.start}..{period.end}, comparisons: {args.compare or 'none'}, "
        f"latency added: {args.latency_ms:g} ms, median of {args.repeat} runs"
    )
    for phase in ("web report", "extra tables"):
        timed, traced = [r[phase] for r in runs[:-1]], runs[-1][phase]
        calls = sorted(traced["per_property"].values()) or [0]
        print(f"{phase}:")
        print(f"  requests: {sum(traced['requests'].values())} {dict(traced['requests'])}")
        print(f"  per property: {calls[0]}-{calls[-1]} ({len(traced['per_property'])} properties)")
        print(f"  wall time: {statistics.median(r['seconds'] for r in timed):.2f} s")
        print(f"  peak client memory (tracemalloc): {traced['peak_mib']:.1f} MiB")
    if runs[-1]["failures"]:
        print(f"failures: {runs[-1]['failures']}")


if __name__ == "__main__":
    main()

"""Benchmark the whole YouTube report for the demo network against the local emulator.

Builds every YouTube table (yt-channels, yt-stats, yt-countries, yt-videos, yt-traffic, the
daily series and the availability check) for one selection and prints the requests made,
wall time and peak Python memory of the client (tracemalloc; the emulator runs in its own
process so its fact generation is not counted). The response cache is off.

    python scripts/bench_youtube.py [--start 2026-10-01 --end 2026-10-31]
        [--compare previous,yoy] [--latency-ms 100] [--prefetch]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from statsdash.config import CacheConfig, load_config  # noqa: E402
from statsdash.emulator import DEMO_CONFIG  # noqa: E402
from statsdash.emulator.process import control, start_emulator_process  # noqa: E402
from statsdash.periods import Period, parse_comparisons  # noqa: E402
from statsdash.youtube.aggregate_data import YoutubeData  # noqa: E402
from statsdash.youtube.analytics import Analytics  # noqa: E402

TODAY = date(2026, 11, 20)
TABLES = (
    "channel_summary_table",
    "channel_stats_table",
    "country_table",
    "video_table",
    "traffic_source_table",
    "daily_series",
    "check_available_data",
)


def build_all(config, period, comparisons, prefetch: bool) -> tuple[dict, dict, list]:
    analytics = Analytics(config, today=TODAY)
    data = YoutubeData(config, (), period, comparisons, analytics=analytics)
    if prefetch:
        data.prefetch()
    rows = {name: len(getattr(data, name)()) for name in TABLES}
    return rows, data.failures, data.ids


def run(period: Period, comparisons, latency_ms: float, prefetch: bool) -> dict:
    process, url = start_emulator_process(TODAY)
    try:
        config = load_config(DEMO_CONFIG, check_files=False).with_endpoint(url)
        config = dataclasses.replace(config, cache=CacheConfig(enabled=False))
        build_all(config, period, comparisons, prefetch)  # warms the emulator's fact stores
        control(url, "reset", {})
        if latency_ms:
            slow = {"kind": "slow", "times": 100_000, "latency_ms": latency_ms}
            control(url, "faults", {"faults": [slow]})
        tracemalloc.start()
        began = time.perf_counter()
        rows, failures, ids = build_all(config, period, comparisons, prefetch)
        seconds = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        requests = control(url, "requests")
    finally:
        process.terminate()
        process.wait(timeout=10)
    return {
        "rows": rows,
        "seconds": seconds,
        "peak_mib": peak / 2**20,
        "requests": {k: v for k, v in requests["by_endpoint"].items() if v},
        "total": requests["total"],
        "channel_ids": len(ids),
        "failures": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2026-10-01")
    parser.add_argument("--end", default="2026-10-31")
    parser.add_argument("--compare", default="previous,yoy")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every answer")
    parser.add_argument("--prefetch", action="store_true", help="start all queries at once")
    args = parser.parse_args()
    period = Period("bench", date.fromisoformat(args.start), date.fromisoformat(args.end))
    result = run(period, parse_comparisons(args.compare), args.latency_ms, args.prefetch)
    print(
        f"period {period.start}..{period.end}, comparisons: {args.compare or 'none'}, "
        f"latency added: {args.latency_ms:g} ms, prefetch: {args.prefetch}"
    )
    print(f"channel IDs: {result['channel_ids']}")
    print(f"requests: {result['total']} {result['requests']}")
    print(f"wall time: {result['seconds']:.2f} s")
    print(f"peak client memory (tracemalloc): {result['peak_mib']:.1f} MiB")
    print("rows: " + ", ".join(f"{k} {v}" for k, v in result["rows"].items()))
    if result["failures"]:
        print(f"failures: {result['failures']}")


if __name__ == "__main__":
    main()

"""Speed at a real network's size: every page cold and warm, a restart on a warm cache,
`export --all`, server memory, growth with sites, and requests in flight per property.

Starts the emulator in its own process (facts repeated under new IDs, see `serve-emulator
--copies`) with 200 ms injected per answer, writes a config of 20 sites x 2 property IDs and
10 channel groups x 2 channel IDs, has the emulator make every month of its facts first (as
Google has its data: only the injected latency is Google's time), and measures for "last 28
days, previous + year ago":

  (a) every page drawn cold in headless Chromium (Debian's `chromium`, via Playwright)
  (a') the same on a new replica with an empty cache once its readiness probe answered (its
      libraries loaded; the probe asked the default selection, not "last 28 days")
  (b) the same pages warm (a revisit, same server): a new tab of the same browser, whose
      HTTP cache keeps Streamlit's static files, as a team member's does between visits;
      and (b') the same as a new visitor, a browser context of its own with an empty cache
      (~150 files, 5.8 MB of JS and fonts loaded and compiled again)
  (b'') the same pages reached by their sidebar links in one tab (no reload, one session),
      as a team member moves between pages in one visit
  (c) a new server on the warm disk cache (same browser), once its readiness probe (the
      script health check, which runs the app once) answers, as a load balancer waits for;
      and its first page before that, a visitor who finds a server just started
  (d) `export --all` cold (requests and wall time)
  (e) peak server RSS after visiting every page
  (f) cold `export --all` at 5, 20 and 80 sites
  (g) the most requests about one property in flight at once

    python benchmarks/speed.py [--latency-ms 200] [--json benchmarks/results.json]
        [--app-root PATH]   # measure another checkout's app (e.g. before a change)
        [--pages overview] [--growth ""]   # only the Overview in (a)-(c), no (f)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_app import CHROMIUM_ARGS, PAGES, memory_mib, time_click, time_page  # noqa: E402
from streamlit_server import free_port  # noqa: E402  (tests/, on the path via bench_app)

from statsdash.emulator.process import control, start_emulator_process  # noqa: E402

TODAY = date(2026, 11, 20)
QUERY = "?period=last_28_days&compare=previous,yoy"
PROPS_PER_COPY = 12  # GA properties in the emulator's catalogue
CHANNELS_PER_COPY = 11


def write_config(folder: Path, url: str, network: dict, sites: int, groups: int) -> Path:
    """sites x 2 property IDs and groups x 2 channel IDs of the emulator, a cache in folder."""
    props = [p for a in network["accounts"] for p in a]
    channels = network["channels"]
    if len(props) < 2 * sites or len(channels) < 2 * groups:
        raise SystemExit(f"the emulator serves too few IDs for {sites} sites / {groups} groups")
    config = {
        "network_name": f"Benchmark ({sites} sites)",
        "cache": {"path": str(folder / "cache.sqlite")},
        "google_analytics": {
            "credentials": "none",
            "endpoint": url,
            "sites": {
                f"site{i + 1:02d}.example": [{"id": props[2 * i]}, {"id": props[2 * i + 1]}]
                for i in range(sites)
            },
        },
        "youtube": {
            "credentials": "none",
            "endpoint": url,
            "content_owner_id": network["owner"],
            "channels": {
                f"Group {i + 1:02d}": [channels[2 * i], channels[2 * i + 1]] for i in range(groups)
            },
        },
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def with_cache(config: Path, cache: Path) -> Path:
    """A copy of config (beside cache) whose response cache is the file cache."""
    cache.parent.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load(config.read_text())
    data["cache"] = {"path": str(cache)}
    path = cache.parent / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def network_ids(url: str) -> dict:
    """Property and channel IDs the emulator serves, read through its own API."""
    import urllib.request

    with urllib.request.urlopen(f"{url}/v1beta/accountSummaries?pageSize=200", timeout=60) as r:
        accounts = json.load(r)["accountSummaries"]
    ids = [
        [p["property"].removeprefix("properties/") for p in a.get("propertySummaries", [])]
        for a in accounts
    ]
    channels, token = [], ""
    with urllib.request.urlopen(f"{url}/youtube/partner/v1/contentOwners?fetchMine=true") as r:
        owner = json.load(r)["items"][0]["id"]
    while True:
        query = f"part=id&managedByMe=true&onBehalfOfContentOwner={owner}&maxResults=50"
        with urllib.request.urlopen(
            f"{url}/youtube/v3/channels?{query}&pageToken={token}", timeout=60
        ) as r:
            page = json.load(r)
        channels += [c["id"] for c in page.get("items", [])]
        token = page.get("nextPageToken")
        if not token:
            break
    return {"accounts": ids, "channels": channels, "owner": owner}


def requests_made(url: str) -> int:
    return control(url, "requests")["total"]


def ready(app: str) -> float:
    """Seconds until the server's readiness probe answers 200: Streamlit's script health
    check runs the app once in a session of its own, as a load balancer's probe would
    before sending the replica visitors (README, Deployment)."""
    import urllib.request

    started = time.perf_counter()
    with urllib.request.urlopen(f"{app}/_stcore/script-health-check", timeout=300) as answer:
        if answer.status != 200:
            raise RuntimeError(f"the readiness probe answered {answer.status}")
    return round(time.perf_counter() - started, 2)


def start_app(app_root: Path, config: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = os.environ | {"STATSDASH_CONFIG": str(config), "STATSDASH_TODAY": TODAY.isoformat()}
    env.pop("STATSDASH_DEMO", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true"],
        cwd=app_root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import urllib.request

    app = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{app}/_stcore/health", timeout=2):
                return process, app
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("streamlit did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process (all its threads) has used, from /proc (Linux): wall
    seconds are noisy on a loaded machine, the server's own CPU much less so."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


VIEWPORT = {"width": 1440, "height": 1000}


def visit_pages(
    context, app: str, emulator: str, pid: int, pages: list[str] = PAGES
) -> dict[str, dict]:
    """Every page (of `pages`) in a new tab of `context` (a new Streamlit session each round)."""
    page = context.new_page()
    out = {}
    for name in pages:
        before, cpu = requests_made(emulator), cpu_seconds(pid)
        opened = time.time()
        seconds = time_page(page, f"{app}/{name}{QUERY}")
        out[name or "overview"] = {
            "s": round(seconds, 2),
            "cpu_s": round(cpu_seconds(pid) - cpu, 2),
            "requests": requests_made(emulator) - before,
        }
        if out[name or "overview"]["requests"]:
            out[name or "overview"]["wire"] = wire(control(emulator, "timeline"), opened)
    page.close()
    return out


def click_through(
    context, app: str, emulator: str, pid: int, pages: list[str] = PAGES
) -> dict[str, dict]:
    """Every page (of `pages`) reached by its sidebar link in one tab opened on the first
    page (untimed), the Overview last: a revisit within one visit, no reload."""
    page = context.new_page()
    time_page(page, f"{app}/{pages[0]}{QUERY}")
    out = {}
    for name in [*pages[1:], pages[0]] if len(pages) > 1 else []:
        before, cpu = requests_made(emulator), cpu_seconds(pid)
        seconds = time_click(page, name)
        out[name or "overview"] = {
            "s": round(seconds, 2),
            "cpu_s": round(cpu_seconds(pid) - cpu, 2),
            "requests": requests_made(emulator) - before,
        }
    page.close()
    return out


def wire(answer: dict, opened: float) -> dict:
    """When a page's requests were out, in seconds from its navigation (the emulator's
    wall clock, same machine): first sent, last answered, the most at once, and the
    seconds with at least one out; the rest of the page's time is the app's own."""
    spans = sorted((r["start"] - opened, r["end"] - opened) for r in answer["timeline"])
    spans = [(a, b) for a, b in spans if a >= 0]
    if not spans:
        return {}
    edges = sorted([(a, 1) for a, _ in spans] + [(b, -1) for _, b in spans])
    out = peak = 0
    busy, since = 0.0, None
    for at, step in edges:
        out += step
        peak = max(peak, out)
        if out == 1 and step == 1:
            since = at
        elif out == 0 and since is not None:
            busy += at - since
    return {
        "first_sent_s": round(spans[0][0], 2),
        "last_answered_s": round(max(b for _, b in spans), 2),
        "peak_in_flight": peak,
        "busy_s": round(busy, 2),
    }


def export_all(
    app_root: Path, config: Path, emulator: str, out: Path, emulator_pid: int | None = None
) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    before, started = requests_made(emulator), time.perf_counter()
    # The fake Google's CPU meanwhile: it shares the two cores, Google would not.
    fake_before = cpu_seconds(emulator_pid) if emulator_pid else None
    # The export process's own CPU (user + sys): its wall time is noisy on a loaded machine.
    # Only waited-for children count, so the emulator (still running) is not in it.
    cpu_before = _children_cpu()
    env = os.environ | {"STATSDASH_TODAY": TODAY.isoformat()}
    done = subprocess.run(
        [sys.executable, "-m", "statsdash", "export", "--all", "--config", str(config),
         "--preset", "last_28_days", "--compare", "previous,yoy", "-o", str(out)],
        cwd=app_root, env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    return {
        "s": round(seconds, 2),
        "cpu_s": round(_children_cpu() - cpu_before, 2),
        "requests": requests_made(emulator) - before,
        "emulator_cpu_s": None
        if fake_before is None
        else round(cpu_seconds(emulator_pid) - fake_before, 2),
        "exit": done.returncode,
        "reports": len(list(out.glob("*.csv"))),
    }


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"))
    parser.add_argument("--app-root", default=str(ROOT), help="the checkout whose app is timed")
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--growth", default="5,20,80", help="site counts for (f)")
    parser.add_argument("--skip-browser", action="store_true", help="only (d), (f), (g)")
    parser.add_argument(
        "--pages",
        default="",
        help="only these pages in (a)-(c), comma-separated (overview, web_summary, ...)",
    )
    args = parser.parse_args()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = [p for p in pages if p != "overview" and p not in PAGES]
    if unknown:
        parser.error(f"unknown page(s): {', '.join(unknown)}")
    pages = [("" if p == "overview" else p) for p in pages] or PAGES
    app_root = Path(args.app_root).resolve()
    growth = [int(n) for n in args.growth.split(",") if n]
    most = max([args.sites, *growth])
    copies = max(-(-2 * most // PROPS_PER_COPY), -(-2 * args.groups // CHANNELS_PER_COPY))
    emulator_process, emulator = start_emulator_process(TODAY, copies)
    # Google has its data: the emulator makes every month of facts now, not while the first
    # page's requests wait (they took 1-1.5 s more than the latency for it; see draw_all).
    drawn = control(emulator, "draw", {}, timeout=900)
    slow = {"kind": "slow", "endpoint": "*", "times": 10**9, "latency_ms": args.latency_ms}
    control(emulator, "faults", {"faults": [slow]})
    results: dict = {
        "latency_ms": args.latency_ms,
        "sites": args.sites,
        "groups": args.groups,
        "app_root": str(app_root),
        "emulator_draw_s": drawn["seconds"],
        # Seconds are only comparable at the same load: the 1-minute load average, start/end.
        "load_average": [round(os.getloadavg()[0], 2)],
    }
    work = Path(tempfile.mkdtemp(prefix="statsdash-bench-"))
    try:
        ids = network_ids(emulator)
        config = write_config(work, emulator, ids, args.sites, args.groups)
        if not args.skip_browser:
            results |= browser_rounds(app_root, config, emulator, pages)
        for n in growth:
            folder = work / f"export-{n}"
            folder.mkdir()
            sized = write_config(folder, emulator, ids, n, args.groups)
            results.setdefault("export_all_cold", {})[n] = export_all(
                app_root, sized, emulator, folder / "csv", emulator_process.pid
            )
        peaks = control(emulator, "requests").get("peak_in_flight", {})
        ga_peaks = [v for k, v in peaks.items() if k.isdigit()]
        results["peak_in_flight_per_property"] = max(ga_peaks, default=None)
        results["peak_in_flight_total"] = control(emulator, "requests").get("peak_in_flight_total")
        results["load_average"].append(round(os.getloadavg()[0], 2))
    finally:
        emulator_process.terminate()
        emulator_process.wait(30)
        shutil.rmtree(work, ignore_errors=True)
    print_table(results)
    Path(args.json).write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {args.json}")
    return 0


def browser_rounds(app_root: Path, config: Path, emulator: str, pages: list[str] = PAGES) -> dict:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        # One browser for the rounds, as a team member's: a revisit finds its static files.
        context = browser.new_context(viewport=VIEWPORT)
        # A new replica on an empty cache, once its readiness probe answered (a load balancer
        # sends it no visitor before): its probe ran the app's default selection (last week),
        # so the pages' "last 28 days" is still to be asked. Another cache file.
        fresh = with_cache(config, config.parent / "ready" / "cache.sqlite")
        app_process, app = start_app(app_root, fresh)
        try:
            before = requests_made(emulator)
            out["cold_ready_s"] = ready(app)
            out["cold_ready_requests"] = requests_made(emulator) - before
            out["cold_once_ready"] = visit_pages(context, app, emulator, app_process.pid, pages)
        finally:
            app_process.terminate()
            app_process.wait(30)
        app_process, app = start_app(app_root, config)
        try:
            out["cold"] = visit_pages(context, app, emulator, app_process.pid, pages)
            out["warm"] = visit_pages(context, app, emulator, app_process.pid, pages)
            out["warm_in_app"] = click_through(context, app, emulator, app_process.pid, pages)
            stranger = browser.new_context(viewport=VIEWPORT)
            out["warm_new_visitor"] = visit_pages(stranger, app, emulator, app_process.pid, pages)
            stranger.close()
            out["rss_mib"] = memory_mib(app_process.pid)
        finally:
            app_process.terminate()
            app_process.wait(30)
        # A new server's first visitor, on the warm disk cache: once the server is up, and
        # once it is ready (its readiness probe has run the app once).
        app_process, app = start_app(app_root, config)
        try:
            out["restart_first_visitor"] = visit_pages(
                context, app, emulator, app_process.pid, pages[:1]
            )
        finally:
            app_process.terminate()
            app_process.wait(30)
        app_process, app = start_app(app_root, config)
        try:
            before = requests_made(emulator)
            out["restart_ready_s"] = ready(app)
            out["restart_ready_requests"] = requests_made(emulator) - before
            out["restart_warm_disk"] = visit_pages(context, app, emulator, app_process.pid, pages)
        finally:
            app_process.terminate()
            app_process.wait(30)
        browser.close()
    return out


def print_table(r: dict) -> None:
    print(f"\n{r['sites']} sites x 2 properties, {r['groups']} groups x 2 channels, "
          f"{r['latency_ms']:.0f} ms a request; last 28 days vs previous + year ago")  # fmt: skip
    if "cold" in r:
        print(f"{'page':<18}{'cold s':>8}{'cpu':>6}{'req':>5}{'warm s':>8}{'cpu':>6}{'req':>5}"
              f"{'new visitor s':>14}{'cpu':>6}{'req':>5}{'by link s':>10}{'cpu':>6}{'req':>5}"
              f"{'restart s':>10}{'cpu':>6}{'req':>5}")  # fmt: skip
        none = {"s": float("nan"), "requests": ""}  # one page: no link to click
        for page, cold in r["cold"].items():
            cells = [cold, r["warm"][page], r["warm_new_visitor"][page]]
            cells += [r.get("warm_in_app", {}).get(page, none), r["restart_warm_disk"][page]]
            line = "".join(
                f"{c['s']:>{w}.2f}{c.get('cpu_s', float('nan')):>6.2f}{c['requests']:>5}"
                for c, w in zip(cells, (8, 8, 14, 10, 10), strict=True)
            )
            print(f"{page:<18}{line}")
        for page, cold in r["cold"].items():
            if w := cold.get("wire"):
                print(f"  {page} cold: requests out from {w['first_sent_s']:.2f} s to "
                      f"{w['last_answered_s']:.2f} s ({w['busy_s']:.2f} s with one or more "
                      f"out, {w['peak_in_flight']} at most)")  # fmt: skip
        if first := r.get("restart_first_visitor"):
            page, c = next(iter(first.items()))
            print(f"  restart: ready after {r['restart_ready_s']:.2f} s "
                  f"({r['restart_ready_requests']} requests); {page} before the server was ready "
                  f"{c['s']:.2f} s ({c['cpu_s']:.2f} s CPU, {c['requests']} requests)")  # fmt: skip
        if once := r.get("cold_once_ready"):
            print(
                f"  a new replica on an empty cache: ready after {r['cold_ready_s']:.2f} s "
                f"({r['cold_ready_requests']} requests, the default selection); then cold:"
            )
            for page, c in once.items():
                out = c.get("wire") or {}
                span = (
                    f", requests out {out['first_sent_s']:.2f}-{out['last_answered_s']:.2f} s"
                    if out
                    else ""
                )
                print(f"    {page:<16}{c['s']:>6.2f} s ({c['cpu_s']:.2f} s CPU, "
                      f"{c['requests']} requests{span})")  # fmt: skip
        mem = r["rss_mib"]
        print(f"server RSS after every page: {mem['VmRSS']:.0f} MiB, peak {mem['VmHWM']:.0f} MiB")
    for n, e in r.get("export_all_cold", {}).items():
        fake = f", emulator {e['emulator_cpu_s']:.2f} s CPU" if e.get("emulator_cpu_s") else ""
        print(f"export --all cold, {n:>3} sites: {e['s']:>6.2f} s "
              f"({e.get('cpu_s', 0):.2f} s CPU{fake}), "
              f"{e['requests']:>4} requests, "
              f"{e['reports']} reports, exit {e['exit']}")  # fmt: skip
    print(f"peak requests in flight for one property: {r.get('peak_in_flight_per_property')}, "
          f"over all: {r.get('peak_in_flight_total')}")  # fmt: skip
    print(f"load average (1 min) at start, end: {r.get('load_average')}")


if __name__ == "__main__":
    sys.exit(main())

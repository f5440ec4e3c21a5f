"""`python -m statsdash`: export reports as CSV, warm or inspect the cache, run the emulator,
discover IDs, authorise.

A thin adapter: the library does the work, this turns its exceptions into one line and an
exit code (0 done, 1 data could not be fetched, 2 bad arguments or configuration).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from datetime import date
from pathlib import Path

from statsdash.budget import budget
from statsdash.cache import cache_location, format_stats, open_cache
from statsdash.collector import collector_paused
from statsdash.config import ConfigError, load_config
from statsdash.errors import StatsdashError
from statsdash.insights import check_metric
from statsdash.periods import (
    TODAY_ENV,
    PeriodError,
    check_reportable,
    parse_comparisons,
    parse_date,
    preset,
)
from statsdash.reports import (
    GA_REPORTS,
    REPORT_NAMES,
    ReportResult,
    Selection,
    SelectionError,
    build_all,
    build_report,
    compared_lines,
    warm,
)
from statsdash.utilities import to_csv

EXIT_OK, EXIT_FETCH, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line instead of the usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"statsdash: {message} (see python -m statsdash --help)\n")


def _csv_list(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m statsdash",
        description="Google Analytics 4 and YouTube Analytics reports for a network.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    export = sub.add_parser("export", help="write a report as CSV (stdout without -o)")
    export.add_argument(
        "report",
        nargs="?",
        choices=REPORT_NAMES,
        metavar="REPORT",
        help=f"one of: {', '.join(REPORT_NAMES)}",
    )
    export.add_argument(
        "--all", action="store_true", help="every report, as DIR/<report>.csv (needs -o DIR)"
    )
    _add_selection_args(export, compare=None)
    export.add_argument(
        "--metric",
        default="pageviews",
        help="drivers only: the metric whose change is split (default pageviews; all: every one)",
    )
    export.add_argument("-o", "--output", help="CSV file to write (with --all: a folder)")
    export.add_argument(
        "--strict",
        action="store_true",
        help="when a source could not be fetched, write nothing (exit 1) instead of a CSV "
        "marked complete=false",
    )

    warm = sub.add_parser(
        "warm", help="fetch every table of every page into the response cache (for cron)"
    )
    _add_selection_args(warm, compare="previous,yoy")

    cache = sub.add_parser("cache", help="the response cache: stats or clear")
    cache.add_argument("action", choices=["stats", "clear"])
    _add_config_args(cache)

    digest = sub.add_parser("digest", help="e-mail the week's digest (or write it with --html)")
    _add_selection_args(digest, compare="previous,yoy")
    digest.add_argument("--to", help="comma list of addresses (overrides digest.to)")
    digest.add_argument("--html", help="write the HTML (images inline) to this file, not send")

    serve = sub.add_parser("serve-emulator", help="run the local Google API emulator")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--today", help="the emulator's today, YYYY-MM-DD (default: real today)")
    serve.add_argument(
        "--copies",
        type=int,
        default=1,
        help="serve every property and channel this many times under new IDs (benchmarks)",
    )
    # The app's demo starts the emulator this way (statsdash.demo.EmulatorProcess).
    serve.add_argument("--draw-ahead", action="store_true", help=argparse.SUPPRESS)
    serve.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)

    discover = sub.add_parser("discover", help="print a config snippet of the IDs you can read")
    discover.add_argument("service", choices=["ga", "youtube"])
    _add_config_args(discover)

    auth = sub.add_parser("auth", help="authorise YouTube access (writes the token file)")
    auth.add_argument("service", choices=["youtube"])
    _add_config_args(auth)
    auth.add_argument(
        "--console",
        action="store_true",
        help="no local browser: paste the redirected URL back here",
    )
    return parser


def _add_selection_args(parser: argparse.ArgumentParser, compare: str | None) -> None:
    _add_config_args(parser)
    parser.add_argument("--start", help="first day, YYYY-MM-DD (default: the preset's)")
    parser.add_argument("--end", help="last day, YYYY-MM-DD")
    parser.add_argument(
        "--preset",
        default="last_week",
        help="period when --start/--end are not given (default last_week, Mon-Sun)",
    )
    parser.add_argument(
        "--compare",
        default=compare,
        help="comma list of previous, yoy, yoy_weekday, week_ago"
        + (f" (default {compare})" if compare else ""),
    )
    parser.add_argument("--sites", help="comma list of site names (default: all)")
    parser.add_argument("--channels", help="comma list of channel groups (default: all)")
    parser.add_argument("--refresh", action="store_true", help="bypass the response cache")
    parser.add_argument(
        "--whole-periods",
        action="store_true",
        help="compare whole periods even when their last days are not complete yet "
        "(default: like for like, each service's complete days against the same days)",
    )


def _add_config_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="config.yaml", help="config file (default config.yaml)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in demo network served by the local emulator",
    )


def _load(args: argparse.Namespace, **kwargs):
    """(config, emulator handle or None) from --config or --demo."""
    if args.demo:
        from statsdash.demo import start_demo

        return start_demo(today=_today(), ahead=False)
    return load_config(Path(args.config), **kwargs), None


def _today() -> date | None:
    """The pinned day (STATSDASH_TODAY, as the app reads it), else None: the real today."""
    pinned = os.environ.get(TODAY_ENV)
    return parse_date(pinned, TODAY_ENV) if pinned else None


def _selection(args: argparse.Namespace, config) -> Selection:
    today = _today()
    if args.start or args.end:
        if not (args.start and args.end):
            raise PeriodError("give both --start and --end, or neither (then --preset applies)")
        period = preset(
            "custom",
            today or date.today(),
            parse_date(args.start, "--start"),
            parse_date(args.end, "--end"),
        )
    else:
        period = preset(args.preset, today or date.today())
    selection = Selection(
        config=config,
        period=period,
        comparisons=parse_comparisons(args.compare),
        sites=_csv_list(args.sites),
        channels=_csv_list(args.channels),
        refresh=args.refresh,
        today=today,
        whole_periods=args.whole_periods,
    )
    report = getattr(args, "report", None) or ""
    web = report in GA_REPORTS or (not report.startswith("yt-") and bool(selection.site_names()))
    check_reportable(period, selection.comparison_periods(), today or date.today(), web=web)
    return selection


def _write(path: Path, text: str) -> bool:
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        print(f"statsdash: -o {path}: {error.strerror or error}", file=sys.stderr)
        return False
    return True


def _outcome(results: list[ReportResult], *, strict: bool = False) -> int:
    """Print each note and failure once; the exit status they make."""
    for note in dict.fromkeys(n for r in results for n in r.notes):
        print(f"note: {note}", file=sys.stderr)
    # Like for like: which days the figures cover, when not the whole period (one per service).
    for line in dict.fromkeys(line for r in results for line in compared_lines(r)):
        print(line, file=sys.stderr)
    failures = {src: msg for r in results for src, msg in r.failures.items()}
    if failures:
        failed = "; ".join(f"{src}: {msg}" for src, msg in failures.items())
        tail = "; --strict: nothing written" if strict else ""
        print(f"statsdash: incomplete, could not fetch {failed}{tail}", file=sys.stderr)
        return EXIT_FETCH
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    if args.all == bool(args.report):
        raise SelectionError("name one REPORT, or give --all (with -o DIR)")
    if args.all and not args.output:
        raise SelectionError("--all writes one CSV per report: give the folder with -o DIR")
    if args.report == "drivers":
        check_metric(args.metric)
    config, emulator = _load(args)
    try:
        selection = _selection(args, config)
        with budget(config.fetch.budget_seconds):
            if args.all:
                return _export_all(selection, Path(args.output), strict=args.strict)
            result = build_report(args.report, selection)
    finally:
        if emulator is not None:
            emulator.stop()
    if result.failures and args.strict:
        return _outcome([result], strict=True)
    table = result.table
    if args.report == "drivers" and args.metric != "all":
        table = table[table["metric"] == args.metric].reset_index(drop=True)
    text = to_csv(table)
    if args.output:
        if not _write(Path(args.output), text):
            return EXIT_USAGE
    else:
        sys.stdout.write(text)
    return _outcome([result])


def _export_all(selection: Selection, folder: Path, *, strict: bool = False) -> int:
    """Every report the config can build as folder/<report>.csv, from one round of requests;
    with `strict`, none when any source failed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"statsdash: -o {folder}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    built = build_all(selection)
    results = [r for r in built.values() if isinstance(r, ReportResult)]
    if strict and any(r.failures for r in results):
        return _outcome(results, strict=True)
    for name, result in built.items():
        if isinstance(result, ReportResult):
            if not _write(folder / f"{name}.csv", to_csv(result.table)):
                return EXIT_USAGE
        else:
            print(f"statsdash: {name}: {result}", file=sys.stderr)
    status = _outcome(results)
    written = len(results)
    print(f"wrote {written} reports to {folder}", file=sys.stderr)
    return EXIT_FETCH if written < len(built) else status


def cmd_warm(args: argparse.Namespace) -> int:
    config, emulator = _load(args)
    try:
        selection = _selection(args, config)
        with budget(config.fetch.budget_seconds):
            results = warm(selection)
    finally:
        if emulator is not None:
            emulator.stop()
    stats = open_cache(config.cache).stats()
    print(
        f"warmed {len(results)} reports for {selection.period.start} to {selection.period.end}; "
        f"{stats['misses']:,} answers fetched, {stats['hits']:,} already cached",
        file=sys.stderr,
    )
    return _outcome(results)


def cmd_cache(args: argparse.Namespace) -> int:
    config, emulator = _load(args)
    if emulator is not None:
        emulator.stop()
    cache = open_cache(config.cache)
    if not cache.enabled:
        print("the response cache is off (cache: {enabled: false})")
        return EXIT_OK
    if args.action == "clear":
        print(f"cleared {cache.clear():,} cached answers from {cache_location(config.cache)}")
        return EXIT_OK
    print(format_stats(cache.stats(), cache_location(config.cache)))
    return EXIT_OK


def cmd_digest(args: argparse.Namespace) -> int:
    from statsdash.digest import build_digest

    config, emulator = _load(args)
    settings = config.digest
    to = _csv_list(args.to) or (settings.to if settings else ())
    if not args.html:
        if settings is None:
            raise ConfigError(
                f"{config.source}: no digest section; add digest: {{smtp_host: ..., to: [...]}} "
                "to send, or write the e-mail to a file with --html FILE"
            )
        if not to:
            raise ConfigError("digest.to: no recipients; list them there or give --to a@x,b@y")
        from statsdash.mailer import check

        check(settings)
    try:
        digest = build_digest(_selection(args, config), settings.app_url if settings else None)
    finally:
        if emulator is not None:
            emulator.stop()
    if args.html:
        try:
            Path(args.html).write_text(digest.standalone_html(), encoding="utf-8")
        except OSError as error:
            print(f"statsdash: --html {args.html}: {error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
    else:
        from statsdash.mailer import send

        sender = settings.sender or settings.username or f"statsdash@{settings.smtp_host}"
        send(digest.message(sender, to), settings)
        print(f"digest sent to {', '.join(to)}", file=sys.stderr)
    if digest.failures:
        failed = "; ".join(digest.failures)
        print(f"statsdash: digest is incomplete, could not fetch {failed}", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from statsdash.emulator.server import serve

    today = parse_date(args.today, "--today") if args.today else None
    print(f"Google API emulator on http://{args.host}:{args.port} (Ctrl+C stops)", flush=True)
    serve(
        host=args.host,
        port=args.port,
        today=today,
        copies=max(1, args.copies),
        draw_ahead=args.draw_ahead,
        parent_pid=args.parent_pid,
    )
    return EXIT_OK


def cmd_discover(args: argparse.Namespace) -> int:
    config, emulator = _load(args)
    try:
        if args.service == "ga":
            from statsdash.ga.analytics import discover_sites

            sys.stdout.write(discover_sites(config))
        else:
            from statsdash.youtube.analytics import discover_channels

            sys.stdout.write(discover_channels(config))
    finally:
        if emulator is not None:
            emulator.stop()
    return EXIT_OK


def cmd_auth(args: argparse.Namespace) -> int:
    from statsdash.youtube.auth import run_auth

    config, _ = _load(args, check_files=False)
    path = run_auth(config, console=args.console)
    print(f"YouTube token written to {path}")
    return EXIT_OK


COMMANDS = {
    "export": cmd_export,
    "warm": cmd_warm,
    "cache": cmd_cache,
    "digest": cmd_digest,
    "serve-emulator": cmd_serve,
    "discover": cmd_discover,
    "auth": cmd_auth,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # A command runs without automatic garbage collection (see collector_paused), all of
    # it: after `export --all` built its tables (paused) the first collection while its
    # CSVs were written walked every object made meanwhile, ~0.4 s of CPU at 20 sites. The
    # emulator's server runs for good, so it collects as usual.
    paused = contextlib.nullcontext() if args.command == "serve-emulator" else collector_paused()
    try:
        with paused:
            return COMMANDS[args.command](args)
    except (ConfigError, PeriodError, SelectionError) as error:
        print(f"statsdash: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StatsdashError as error:  # FetchError, AuthError, QuotaExhausted...
        print(f"statsdash: {error}", file=sys.stderr)
        return EXIT_FETCH
    except KeyboardInterrupt:
        return 130

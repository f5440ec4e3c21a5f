"""`python -m statsdash`: export reports as CSV, run the emulator, discover IDs, authorise.

A thin adapter: the library does the work, this turns its exceptions into one line and an
exit code (0 done, 1 data could not be fetched, 2 bad arguments or configuration).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from statsdash.config import ConfigError, load_config
from statsdash.errors import StatsdashError
from statsdash.periods import PeriodError, parse_comparisons, parse_date, preset
from statsdash.reports import REPORT_NAMES, Selection, SelectionError, build_report
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
        "report", choices=REPORT_NAMES, metavar="REPORT", help=f"one of: {', '.join(REPORT_NAMES)}"
    )
    _add_config_args(export)
    export.add_argument("--start", help="first day, YYYY-MM-DD (default: the preset's)")
    export.add_argument("--end", help="last day, YYYY-MM-DD")
    export.add_argument(
        "--preset",
        default="last_week",
        help="period when --start/--end are not given (default last_week, Mon-Sun)",
    )
    export.add_argument("--compare", help="comma list of previous, yoy, yoy_weekday, week_ago")
    export.add_argument("--sites", help="comma list of site names (default: all)")
    export.add_argument("--channels", help="comma list of channel groups (default: all)")
    export.add_argument("--refresh", action="store_true", help="bypass the response cache")
    export.add_argument("-o", "--output", help="CSV file to write")

    serve = sub.add_parser("serve-emulator", help="run the local Google API emulator")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--today", help="the emulator's today, YYYY-MM-DD (default: real today)")

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

        return start_demo()
    return load_config(Path(args.config), **kwargs), None


def _selection(args: argparse.Namespace, config) -> Selection:
    if args.start or args.end:
        if not (args.start and args.end):
            raise PeriodError("give both --start and --end, or neither (then --preset applies)")
        period = preset(
            "custom", date.today(), parse_date(args.start, "--start"), parse_date(args.end, "--end")
        )
    else:
        period = preset(args.preset, date.today())
    return Selection(
        config=config,
        period=period,
        comparisons=parse_comparisons(args.compare),
        sites=_csv_list(args.sites),
        channels=_csv_list(args.channels),
        refresh=args.refresh,
    )


def cmd_export(args: argparse.Namespace) -> int:
    config, emulator = _load(args)
    try:
        result = build_report(args.report, _selection(args, config))
    finally:
        if emulator is not None:
            emulator.stop()
    text = to_csv(result.table)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8", newline="")
        except OSError as error:
            print(f"statsdash: -o {args.output}: {error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sys.stdout.write(text)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if result.failures:
        failed = "; ".join(f"{src}: {msg}" for src, msg in result.failures.items())
        print(f"statsdash: incomplete, could not fetch {failed}", file=sys.stderr)
        return EXIT_FETCH
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from statsdash.emulator.server import serve

    today = parse_date(args.today, "--today") if args.today else None
    print(f"Google API emulator on http://{args.host}:{args.port} (Ctrl+C stops)", flush=True)
    serve(host=args.host, port=args.port, today=today)
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
    "serve-emulator": cmd_serve,
    "discover": cmd_discover,
    "auth": cmd_auth,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ConfigError, PeriodError, SelectionError) as error:
        print(f"statsdash: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StatsdashError as error:  # FetchError, AuthError, QuotaExhausted...
        print(f"statsdash: {error}", file=sys.stderr)
        return EXIT_FETCH
    except KeyboardInterrupt:
        return 130

"""The command line's own behaviour: help, one-line usage errors, exit codes."""

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from statsdash.cli import main
from statsdash.emulator.process import ROOT, control
from statsdash.reports import REPORT_NAMES, ReportResult


@pytest.fixture
def demo_config_file():
    """The bundled demo config: valid, pointing at an emulator URL that nothing here calls."""
    from statsdash.demo import DEMO_CONFIG

    return DEMO_CONFIG


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "statsdash", *args], capture_output=True, text=True, timeout=60
    )


def test_help_lists_every_subcommand():
    result = run("--help")
    assert result.returncode == 0
    for command in ("export", "serve-emulator", "discover", "auth"):
        assert command in result.stdout


def test_unknown_argument_exits_2_with_one_line():
    result = run("export", "ga-sites", "--frobnicate")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "statsdash: unrecognized arguments: --frobnicate (see python -m statsdash --help)"
    ]


def test_unknown_report_exits_2_with_one_line():
    result = run("export", "ga-everything")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "argument REPORT: invalid choice: 'ga-everything'" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--start", "2026-02-30", "--end", "2026-03-01"],
            "statsdash: --start: '2026-02-30' is not a date; use YYYY-MM-DD, e.g. 2026-10-31",
        ),
        (
            ["--start", "2026-03-05", "--end", "2026-03-01"],
            "statsdash: Custom: start 2026-03-05 is after end 2026-03-01",
        ),
        (
            ["--start", "2026-03-05"],
            "statsdash: give both --start and --end, or neither (then --preset applies)",
        ),
        (
            ["--start", "2026-03-01", "--end", "2026-03-05", "--compare", "previous,lastyear"],
            "statsdash: unknown comparison 'lastyear'; "
            "choose from previous, yoy, yoy_weekday, week_ago",
        ),
    ],
)
def test_bad_dates_and_comparisons_exit_2(tmp_path, capsys, args, message, demo_config_file):
    code = main(["export", "ga-summary", "--config", str(demo_config_file), *args])
    assert code == 2
    assert capsys.readouterr().err.strip() == message


@pytest.mark.parametrize(
    ("report", "args", "message"),
    [
        (
            "yt-channels",
            ["--start", "2026-11-20", "--end", "2026-12-01"],
            "statsdash: end 2026-12-01 is in the future; the latest day that can have data is "
            "today, 2026-11-30",
        ),
        (
            "ga-summary",
            ["--start", "2015-08-01", "--end", "2015-08-31"],
            "statsdash: start 2015-08-01 is before 2015-08-14, the earliest day the GA4 Data API "
            "has data for; start on or after it",
        ),
        (
            "brands",
            ["--start", "2016-08-01", "--end", "2016-08-31", "--compare", "yoy"],
            "statsdash: yoy comparison start 2015-08-01 is before 2015-08-14, the earliest day "
            "the GA4 Data API has data for; start on or after it",
        ),
    ],
)
def test_dates_no_data_can_exist_for_exit_2(
    capsys, monkeypatch, report, args, message, demo_config_file
):
    monkeypatch.setenv("STATSDASH_TODAY", "2026-11-30")
    code = main(["export", report, "--config", str(demo_config_file), *args])
    assert code == 2
    assert capsys.readouterr().err.strip() == message


def test_missing_config_file_exits_2(tmp_path, capsys):
    missing = tmp_path / "nope.yaml"
    code = main(["export", "ga-summary", "--config", str(missing)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert str(missing) in err


def test_unknown_site_exits_2(capsys, demo_config_file):
    code = main(
        ["export", "ga-sites", "--config", str(demo_config_file), "--sites", "nosuch.example"]
    )
    assert code == 2
    assert capsys.readouterr().err.startswith(
        "statsdash: unknown site 'nosuch.example'; configured:"
    )


def test_every_report_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for name in REPORT_NAMES:
        assert f"`{name}`" in readme, f"{name} is offered by the CLI but not in the README"


@pytest.mark.parametrize("where", ["no/such/dir/out.csv", "."], ids=["missing folder", "a folder"])
def test_an_unwritable_output_exits_2_with_one_line(tmp_path, capsys, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("statsdash.cli.build_report", lambda name, selection: ReportResult(
        pd.DataFrame({"pageviews": [1]})
    ))  # fmt: skip
    code = main(["export", "ga-summary", "--demo", "-o", where])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"statsdash: -o {where}: ")


def test_a_cli_demo_draws_no_facts_ahead_the_app_does():
    """The drawing is the app's head start on its first page; beside one CLI report it drew
    every month of every channel for nothing, on the cores the report needs. The app's
    emulator runs in a process of its own, which draws them as it starts."""
    import argparse

    from statsdash import cli, demo
    from statsdash.emulator.server import EmulatorHandle

    _, handle = cli._load(argparse.Namespace(demo=True, config=None))
    try:
        assert isinstance(handle, EmulatorHandle)  # in-process, drawing what it is asked
    finally:
        handle.stop()
    # As the app's session starts it; a day of its own, not to stop the app tests' emulator.
    config, handle = demo.start_demo(date(2026, 11, 19))
    try:
        assert "--draw-ahead" in handle.process.args
        assert control(handle.url, "health")["today"] == "2026-11-19"
        assert config.google_analytics.endpoint == handle.url
    finally:
        handle.stop()
    assert handle.process.poll() is not None


def test_the_apps_demo_emulator_stops_when_the_app_is_killed(tmp_path):
    """A server killed outright (no atexit) must not leave its emulator serving."""
    script = (
        "import datetime, os\n"
        "from statsdash.demo import EmulatorProcess\n"
        "p = EmulatorProcess(datetime.date(2026, 11, 20)).wait_ready()\n"
        "print(p.process.pid, flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    app = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert app.returncode == -9
    child = int(app.stdout.split()[0])
    status = Path(f"/proc/{child}/status")
    for _ in range(100):  # it checks for its parent every second
        if not status.exists() or "\nState:\tZ" in status.read_text():
            break
        time.sleep(0.1)
    else:
        os.kill(child, 9)
        pytest.fail("the demo emulator outlived the app that started it")


def test_the_command_writes_the_bytes_the_library_does(tmp_path, monkeypatch):
    """`python -m statsdash export --all` (Python-string columns, no interpreter teardown)
    writes every CSV byte for byte as cli.main in this process (pandas' default, Arrow
    strings) does, and says so before it exits. ga-realtime is the last 30 minutes, so it
    may move between the two runs."""
    common = ["export", "--all", "--demo", "--preset", "last_28_days", "--compare", "previous,yoy"]
    monkeypatch.setenv("STATSDASH_TODAY", "2026-11-20")
    result = subprocess.run(
        [sys.executable, "-m", "statsdash", *common, "-o", str(tmp_path / "command")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == f"wrote 21 reports to {tmp_path / 'command'}"
    assert main([*common, "-o", str(tmp_path / "library")]) == 0
    written = sorted(p.name for p in (tmp_path / "command").glob("*.csv"))
    assert written == sorted(p.name for p in (tmp_path / "library").glob("*.csv"))
    assert len(written) == 21
    for name in written:
        if name != "ga-realtime.csv":
            command = (tmp_path / "command" / name).read_bytes()
            assert command == (tmp_path / "library" / name).read_bytes(), name

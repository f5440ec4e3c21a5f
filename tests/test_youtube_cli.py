"""`python -m statsdash export yt-*` against the emulator: contract columns, exit codes."""

import csv
import io
from datetime import date

import pytest
import yaml

from statsdash.cli import main
from statsdash.emulator import DEMO_CONFIG

CONTRACT = {
    "yt-channels": [
        "channel",
        "subscribers",
        "subscriber_change",
        "watch_minutes",
        "views",
        "engaged_views",
    ],
    "yt-stats": [
        "channel",
        "views",
        "engaged_views",
        "likes",
        "dislikes",
        "comments",
        "shares",
        "subscribers_gained",
        "like_rate",
        "comment_rate",
        "share_rate",
        "subs_rate",
        "like_ratio",
    ],
    "yt-countries": ["country", "views", "engaged_views", "watch_minutes", "subscriber_change"],
    "yt-videos": [
        "video",
        "title",
        "channel",
        "format",
        "watch_minutes",
        "views",
        "engaged_views",
    ],
    "yt-formats": [
        "channel",
        "format",
        "views",
        "engaged_views",
        "watch_minutes",
        "views_share_pct",
        "engaged_views_share_pct",
        "watch_minutes_share_pct",
    ],
    "yt-traffic": ["channel", "source_type", "watch_minutes", "share_pct"],
}
TRAILING = ["days_compared", "complete_through"]  # issue 8, last in every report
DIMENSIONS = {"channel", "country", "video", "title", "source_type", "format"}
FORMULA_STARTS = ("=", "+", "-", "@")
OCTOBER = ["--start", "2026-10-01", "--end", "2026-10-31"]


@pytest.fixture(scope="module")
def config_file(emulator, tmp_path_factory):
    data = yaml.safe_load(DEMO_CONFIG.read_text())
    data["youtube"]["endpoint"] = data["google_analytics"]["endpoint"] = emulator.url
    data["cache"] = {"enabled": False}
    path = tmp_path_factory.mktemp("yt-cli") / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def export(config_file, report, *args):
    return main(["export", report, "--config", str(config_file), *OCTOBER, *args])


def with_comparisons(columns, suffixes):
    out = []
    for column in columns:
        out.append(column)
        if column not in DIMENSIONS:
            out += [f"{column}_{s}{part}" for s in suffixes for part in ("", "_change", "_pct")]
    return out


@pytest.mark.parametrize("report", list(CONTRACT))
def test_export_writes_the_contract_columns(config_file, clean_emulator, capsys, report):
    assert export(config_file, report) == 0
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [*CONTRACT[report], "complete", *TRAILING]
    assert len(rows) > 1 and {row[-len(TRAILING) - 1] for row in rows[1:]} == {"true"}


def test_export_with_comparisons_to_a_file(config_file, clean_emulator, tmp_path, network):
    target = tmp_path / "channels.csv"
    code = export(
        config_file, "yt-channels", "--compare", "previous,yoy", "--channels",
        "Pixel Post,Gear Haven", "-o", str(target),
    )  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert list(rows[0]) == [
        *with_comparisons(CONTRACT["yt-channels"], ["prev", "yoy"]),
        "complete",
        *TRAILING,
    ]
    assert [r["channel"] for r in rows] == ["Gear Haven", "Pixel Post"]  # by watch minutes


def test_zero_dislikes_leave_like_ratio_empty_in_the_csv(config_file, clean_emulator, capsys):
    assert export(config_file, "yt-stats", "--channels", "Tinker Trail Kids") == 0
    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert row["dislikes"] == "0"
    assert row["like_ratio"] == ""


def test_titles_that_look_like_formulas_are_neutralised(
    config_file, clean_emulator, capsys, network
):
    # A period and group whose top 10 holds a formula-like title: "=2+2 challenge" was among
    # Gear Haven's most watched videos in January 2023 (checked from the raw facts here).
    start, end = date(2023, 1, 1), date(2023, 1, 31)
    rows = network.yt_facts(network.channel_groups["Gear Haven"], start, end)
    top = rows.groupby("video")["estimatedMinutesWatched"].sum().nlargest(10)
    titles = [network.yt_videos[v].title for v in top.index]
    formulas = [t for t in titles if t.startswith(FORMULA_STARTS)]
    assert formulas, "the emulator no longer puts a formula-like title in this top 10"
    period = ["--start", start.isoformat(), "--end", end.isoformat()]
    argv = ["export", "yt-videos", "--config", str(config_file), *period]
    assert main([*argv, "--channels", "Gear Haven"]) == 0
    written = [r["title"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))]
    assert written == ["'" + t if t.startswith(FORMULA_STARTS) else t for t in titles]


def test_a_fault_exits_1_naming_the_channel_groups(config_file, clean_emulator, capsys):
    clean_emulator.add_fault("400", endpoint="yt.reports.query", times=20)
    assert export(config_file, "yt-countries") == 1
    err = capsys.readouterr().err
    assert "statsdash: incomplete, could not fetch Channel groups Pixel Post, Gear Haven" in err
    assert "countries 2026-10-01..2026-10-31: HTTP 400" in err


def test_discover_youtube_prints_a_channels_snippet(config_file, clean_emulator, capsys, network):
    assert main(["discover", "youtube", "--config", str(config_file)]) == 0
    snippet = yaml.safe_load(capsys.readouterr().out)
    channels = snippet["youtube"]["channels"]
    assert sorted(cid for ids in channels.values() for cid in ids) == sorted(network.yt_channels)


def test_video_ids_starting_with_a_dash_are_written_as_they_are(
    config_file, clean_emulator, capsys, network
):
    """`video` is an identifier column: "-J0Q2CamASj" must not become "'-J0Q2CamASj"."""
    start, end = date(2024, 1, 2), date(2024, 1, 8)
    rows = network.yt_facts(network.channel_groups["Quill and Ink"], start, end)
    top = rows.groupby("video")["estimatedMinutesWatched"].sum().nlargest(10)
    dashed = [v for v in top.index if v.startswith("-")]
    assert dashed, "the emulator no longer puts a video ID starting with '-' in this top 10"
    period = ["--start", start.isoformat(), "--end", end.isoformat()]
    argv = ["export", "yt-videos", "--config", str(config_file), *period]
    assert main([*argv, "--channels", "Quill and Ink"]) == 0
    written = [r["video"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))]
    assert set(dashed) <= set(written)
    assert sorted(written) == sorted(top.index)

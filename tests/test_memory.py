"""Memory at scale (issue 9 §5) without changing a number: GA's compact parsed tables give
back exactly the frames they were made from, a long table sends only the rows shown
until "Show all" is on, while its download keeps every row, and a download's CSV is
written on its click only, the same bytes as the export."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import numpy as np
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from statsdash.config import CacheConfig, load_config
from statsdash.demo import DEMO_CONFIG
from statsdash.ga.query import Table, stack_tables
from statsdash.periods import Period
from statsdash.reports import Selection, build_report
from statsdash.ui.render import FULL_ROWS
from statsdash.utilities import to_csv
from tests.test_app_pages import APP, QUERY, TODAY, click_every_download

KEY = "channel"  # yt-traffic (the demo's only table longer than FULL_ROWS) is by channel group


def parsed_like(rows: int, seed: int) -> pd.DataFrame:
    """A frame typed as parse_report types one: str dimensions, dates, int and float metrics."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "country": pd.Series(rng.choice(["France", "Japan", "(not set)"], rows), dtype="str"),
            "title": pd.Series([f"Title {seed}-{i} ünï" for i in range(rows)], dtype="str"),
            "date": pd.Series([date(2026, 10, 1 + i % 31) for i in range(rows)], dtype=object),
            "dateRange": pd.Series(["current"] * rows, dtype="str"),
            "screenPageViews": pd.Series(rng.integers(0, 10**9, rows), dtype="int64"),
            "bounceRate": pd.Series(rng.random(rows), dtype="float64"),
        }
    )


@pytest.mark.parametrize("rows", [0, 1, 40])
def test_a_table_gives_back_its_frame(rows):
    frame = parsed_like(rows, 1)
    pd.testing.assert_frame_equal(Table(frame).frame(), frame)


def test_stacked_tables_equal_plain_concat():
    frames = [parsed_like(n, seed) for seed, n in enumerate([30, 0, 5, 300])]
    sites = [{"site": f"s{i}", "property": str(100 + i)} for i in range(len(frames))]
    stacked = stack_tables([(Table(f), c) for f, c in zip(frames, sites, strict=True)])
    plain = pd.concat([f.assign(**c) for f, c in zip(frames, sites, strict=True)])
    plain = plain.reset_index(drop=True).astype({"site": "str", "property": "str"})
    pd.testing.assert_frame_equal(stacked, plain)


def test_text_is_stored_once_per_distinct_value():
    table = Table(parsed_like(1000, 2))
    assert len(table.arrays["dateRange"].uniques) == 1
    assert table.arrays["dateRange"].codes.dtype == np.uint8
    assert len(table.arrays["title"].uniques) == 1000


def test_a_long_table_sends_the_rows_shown_and_downloads_every_row(monkeypatch):
    captured: dict[str, str] = {}

    class Recording(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
            if filename:
                captured[filename] = path_or_data
            return super().load_and_get_id(path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    click_every_download(monkeypatch)
    monkeypatch.setenv("STATSDASH_DEMO", "1")
    monkeypatch.setenv("STATSDASH_TODAY", TODAY.isoformat())

    def drawn(show_all: bool) -> pd.DataFrame:
        """The yt-traffic table as sent (a wide table comes as tabs, each the same rows)."""
        at = AppTest.from_file(APP, default_timeout=180)
        at.query_params.update(QUERY)
        # Set before the run: AppTest's set_value on a page reached by switch_page is lost.
        at.session_state["all-rows-yt-traffic"] = show_all
        at.run()
        at.switch_page("pages/youtube_audience.py").run()
        assert not at.exception, [e.message for e in at.exception]
        frames = [
            d.value for d in at.dataframe if "source_type" in d.value.columns.get_level_values(-1)
        ]
        assert frames and len({len(f) for f in frames}) == 1
        frame = frames[0]
        return frame.droplevel(0, axis=1) if frame.columns.nlevels > 1 else frame

    first = drawn(False)
    [download] = [v for name, v in captured.items() if name.startswith("yt-traffic_")]
    every = pd.read_csv(io.BytesIO(download), keep_default_na=False)
    assert len(every) > FULL_ROWS, "the demo's YouTube sources should need the switch"
    assert len(first) == FULL_ROWS
    assert list(first[KEY]) == list(every[KEY].head(FULL_ROWS))
    assert len(drawn(True)) == len(every)


def test_a_download_is_written_on_its_click_only_with_the_exports_bytes(monkeypatch, emulator):
    stored: dict[str, bytes] = {}
    buttons: dict[str, tuple[MediaFileManager, str]] = {}
    register = MediaFileManager.add_deferred

    class Recording(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
            if filename:
                stored[filename] = path_or_data
            return super().load_and_get_id(path_or_data, mimetype, kind, filename)

    def noted(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = register(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        buttons[file_name] = (self, file_id)
        return file_id

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    monkeypatch.setattr(MediaFileManager, "add_deferred", noted)
    monkeypatch.setenv("STATSDASH_DEMO", "1")
    monkeypatch.setenv("STATSDASH_TODAY", TODAY.isoformat())
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(QUERY)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    start, end = QUERY["start"], QUERY["end"]
    names = {f"{r}_{start}_{end}.csv" for r in ("daily", "brands", "ga-countries", "yt-countries")}
    assert names <= set(buttons)
    assert stored == {}, "no CSV is written until its button is clicked"

    # The click: the file Streamlit then serves is the export's CSV, every row of it.
    config = dataclasses.replace(
        load_config(DEMO_CONFIG, check_files=False).with_endpoint(emulator.url),
        cache=CacheConfig(enabled=False),
    )
    period = Period("Custom", date.fromisoformat(start), date.fromisoformat(end))
    selection = Selection(config, period, ("previous", "yoy"), today=TODAY)
    for report in ("daily", "brands"):
        manager, file_id = buttons[f"{report}_{start}_{end}.csv"]
        manager.execute_deferred(file_id)
        expected = build_report(report, selection).table
        assert stored[f"{report}_{start}_{end}.csv"] == to_csv(expected).encode("utf-8")
        assert len(expected) > FULL_ROWS or report == "brands"


def test_giving_back_memory_is_a_no_op_without_glibc(monkeypatch):
    """macOS or musl have no malloc_trim: the page and the rounds go on without it."""
    import ctypes

    from statsdash import utilities

    def no_libc(*args, **kwargs):
        raise OSError("no such library")

    utilities._malloc_trim.cache_clear()
    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    try:
        utilities.give_back_memory()
        assert utilities._malloc_trim() is None
    finally:
        utilities._malloc_trim.cache_clear()

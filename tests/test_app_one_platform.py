"""A network on one platform only: every page of a config with sites and no YouTube (and
the other way round) draws without an error, through app.py as a reader opens it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from statsdash.emulator import DEMO_CONFIG
from statsdash.ui.session import load_app_config

APP = str(Path(__file__).resolve().parents[1] / "app.py")
TODAY = date(2026, 11, 20)
PAGES = [
    "pages/overview.py",
    "pages/web_summary.py",
    "pages/youtube_channels.py",
    "pages/youtube_audience.py",
    "pages/data_status.py",
]


def one_platform(tmp_path: Path, url: str, keep: str) -> Path:
    """The demo config with only `keep` ("google_analytics" or "youtube"), at `url`."""
    data = yaml.safe_load(Path(DEMO_CONFIG).read_text())
    for section in ("google_analytics", "youtube", "brands"):
        if section != keep:
            data.pop(section, None)
    data[keep]["endpoint"] = url
    data["cache"] = {"enabled": False}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("keep", ["google_analytics", "youtube"])
def test_every_page_of_a_one_platform_network_draws(keep, emulator, tmp_path, monkeypatch):
    # The Overview read YouTube's country count for its tab label even without YouTube
    # (KeyError: 'yt-countries' for every web-only network).
    monkeypatch.delenv("STATSDASH_DEMO", raising=False)
    monkeypatch.setenv("STATSDASH_CONFIG", str(one_platform(tmp_path, emulator.url, keep)))
    monkeypatch.setenv("STATSDASH_TODAY", TODAY.isoformat())
    load_app_config.clear()  # one config per server: take this one, drop it afterwards
    st.cache_data.clear()
    try:
        for page in PAGES:
            at = AppTest.from_file(APP, default_timeout=120)
            at.query_params.update(period="custom", start="2026-10-01", end="2026-10-31")
            at.run()
            if page != "pages/overview.py":
                at.switch_page(page).run()
            assert not at.exception, (page, [e.message for e in at.exception])
            assert not at.error, (page, [e.value for e in at.error])
            if page == "pages/overview.py":
                shown = " ".join(m.label for m in at.metric)
                assert ("Pageviews" in shown) == (keep == "google_analytics"), shown
                assert ("Views" in shown.split()) == (keep == "youtube"), shown
    finally:
        load_app_config.clear()
        st.cache_data.clear()

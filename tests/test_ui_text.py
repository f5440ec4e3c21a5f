"""The one escaping helper: outside text reaches Markdown-rendering st.* calls as literal text.

What a browser makes of it is checked end to end in tests/test_browser_hostile.py; here, that
the escaped form keeps the text and leaves no Markdown construct to start."""

from __future__ import annotations

import re

import pytest

from statsdash.ui.text import md, md_join

HOSTILE = [
    "![x](http://127.0.0.2:9/beacon)",
    "[x](javascript:alert(1))",
    "**bold** _em_ `code` ~~gone~~",
    "<img src=http://127.0.0.2:9/i>",
    '=HYPERLINK("http://127.0.0.2:9/h","x")',
    "www.example.org mail@example.org HTTPS://example.org",
    ":material/home: :red[red] :orange-badge[badge]",
    "$x^2$ &amp; &#60;b&#62;",
    "line one\n# heading\r\n- item\u2028> quote",
]


def unescape(text: str) -> str:
    """What CommonMark shows for `text`: a backslash before punctuation is the punctuation."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace("\u2060", "")


@pytest.mark.parametrize("text", HOSTILE)
def test_md_shows_the_text_itself(text):
    assert unescape(md(text)) == re.sub(r"[\r\n\u2028]+", " ", text)


@pytest.mark.parametrize("text", HOSTILE)
def test_md_leaves_no_markdown_to_start(text):
    escaped = md(text)
    assert "\n" not in escaped and "\r" not in escaped
    # every punctuation character is escaped: none can open a link, image, emphasis, code,
    # HTML tag, entity, math or Streamlit directive
    assert re.search(r"[!-/:-@\[-`{-~]", re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)) is None
    # and no GFM autolink literal survives in the text once escapes are resolved
    resolved = re.sub(r"\\(.)", r"\1", escaped)
    assert not re.search(r"(?i)https?://|www\.|\w@\w", resolved)


def test_md_takes_any_value_and_md_join_keeps_the_separator():
    assert md(311204581) == "311204581"
    assert md_join(["a*b", "c_d"], " · ") == "a\\*b · c\\_d"


def test_a_tracking_breaks_hover_text_is_escaped():
    """An unusual day's line is st.text; its help tooltip renders Markdown, and names the
    silent sources (channel ids and names from outside), so it goes through md()."""
    from streamlit.testing.v1 import AppTest

    script = """
import pandas as pd
from statsdash.ui.insight_render import render_unusual_days
flags = pd.DataFrame([{
    "date": "2026-11-24", "service": "youtube", "entity": "Group", "metric": "views", "value": 10.0,
    "expected_low": 50.0, "expected_high": 90.0, "kind": "tracking_break",
    "detail": "channel **UC_a_b** [x](javascript:alert(1)) sent no data",
}])
render_unusual_days(flags)
"""
    at = AppTest.from_string(script, default_timeout=60).run()
    [line] = at.text
    assert line.value == (
        "Tue 24 Nov · Group: channel **UC_a_b** [x](javascript:alert(1)) sent no data; "
        "channel group total 10 (expected 50–90)"
    )  # st.text: shown as it is, never read as Markdown
    assert line.proto.help == md("channel **UC_a_b** [x](javascript:alert(1)) sent no data")
    assert unescape(line.proto.help) == "channel **UC_a_b** [x](javascript:alert(1)) sent no data"

"""Tables drawn once per content (statsdash.ui.table_draw): a second session drawing an
equal table gets the elements of the first without styling a cell again, the same grid
and the same shown values; a table with one other value is styled and drawn anew."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from statsdash.ui import format as ui_format
from statsdash.ui import table_draw

SCRIPT = """
import pandas as pd
import streamlit as st
from statsdash.ui.table_draw import draw_table

st.title("tables")
views = st.session_state.get("views", [1234, 98765])
table = pd.DataFrame({"site": ["a.example", "b.example"], "pageviews": views,
                      "pageviews_prev_pct": [12.5, -3.0]})
labels = {c: (c.title(), None) for c in table.columns}
draw_table(table, {}, labels, True, {}, len(table), "auto")
"""


@pytest.fixture()
def styled(monkeypatch):
    """How many times a table was styled (format.to_styler called)."""
    calls = []
    real = ui_format.to_styler

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("statsdash.ui.table_draw.to_styler", counting)
    table_draw._draw_part.clear()  # the process's cache: start from nothing drawn
    table_draw._layout.clear()
    return calls


def session(views: list[int] | None = None) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    if views is not None:
        at.session_state["views"] = views
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def shown(at: AppTest) -> tuple[pd.DataFrame, bytes]:
    [grid] = at.dataframe
    return grid.value, grid.proto.arrow_data.styler.display_values


def test_an_equal_table_is_replayed_and_another_is_drawn_anew(styled):
    first = session([1234, 98766])
    assert len(styled) == 1
    again = session([1234, 98766])  # another session, an equal table
    assert len(styled) == 1, "the equal table was styled again"
    pd.testing.assert_frame_equal(shown(again)[0], shown(first)[0])
    assert shown(again)[1] == shown(first)[1]  # the same display values, byte for byte
    assert "98,766" in shown(first)[1].decode("latin-1")

    other = session([1234, 98767])  # one value differs: nothing stale may show
    assert len(styled) == 2
    assert list(shown(other)[0]["pageviews"]) == [1234, 98767]
    assert "98,767" in shown(other)[1].decode("latin-1")


WIDE = """
import pandas as pd
import streamlit as st
from statsdash.ui.table_draw import draw_table

st.title("wide")
metrics = [f"metric_{i}" for i in range(12)]
table = pd.DataFrame({"site": ["a.example", "b.example"]}
                     | {m: [123456789, 98765432] for m in metrics})
labels = {c: (c.title(), None) for c in table.columns}
groups = {m: m.title() for m in metrics}
draw_table(table, groups, labels, True, {}, len(table), "auto", key="wide")
"""


def test_a_wide_table_draws_only_its_open_tab():
    """A table cut into tabs sends the grid of the open tab only (the first on arrival):
    each hidden tab's grid was drawn by the browser on every look at the page."""
    at = AppTest.from_string(WIDE, default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.tabs) > 1
    [grid] = at.dataframe
    assert at.tabs[0].children and not any(t.children for t in at.tabs[1:])
    shown = list(grid.proto.column_order)
    assert shown[0] == "site" and "metric_11" not in shown  # the first part, not all

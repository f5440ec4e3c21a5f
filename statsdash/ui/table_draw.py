"""Drawing a table: its layout in tabs, each cell's styling and the grid Streamlit sends
to the browser, kept per content of the table (the table layer of drawing; README,
Architecture).

Laying a table out, styling every cell (pandas Styler) and serialising it was most of a
warm page's server time: the same work for the same table on every rerun and for every
visitor. `st.cache_data` keeps the drawn elements per content of the arguments and replays
them; other content draws anew, so nothing stale can show. Nothing here is a widget (the
rows toggle and the download stay with the caller).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from statsdash.ui.fit import PAGE_PX, layout
from statsdash.ui.format import to_styler

FULL_ROWS = 25  # tables up to this long are shown whole; longer ones on asking
ROW_PX = 35
GRIDS = 64  # the tables of a few pages for a few selections (see draw_table)


@st.cache_data(max_entries=GRIDS, ttl=15 * 60, show_spinner=False)
def draw_table(
    table: pd.DataFrame,
    groups: dict,
    labels: dict,
    colour: bool,
    column_config: dict,
    rows: int,
    height: int | str,
) -> None:
    """A table in one grid, or in tabs of whole metrics when too wide for the page, with
    `rows` rows visible (`height` "auto"), or `height` pixels."""
    drawn = layout(table, groups, labels)
    heading_px = ROW_PX * (2 if groups else 1) + 3
    config = _config(labels, drawn.widths(), column_config)
    styler = to_styler(table, colour=colour, groups=groups)
    parts = drawn.parts
    tabs = st.tabs([name for name, _ in parts]) if len(parts) > 1 else [st.container()]
    for tab, (_, part) in zip(tabs, parts, strict=True):
        # Rows are tall only in a tab that shows a wrapping text (a title, a path).
        tall = drawn.row_px if any(c in drawn.wrap for c in part) else None
        tab.dataframe(
            styler,
            column_order=part,
            column_config=config,
            hide_index=True,
            height=(tall or ROW_PX) * rows + heading_px if height == "auto" else height,
            row_height=tall,
            placeholder="",  # an unknown percent stays empty, never "None" or 0
        )


def _config(labels: dict, widths: dict, extra: Mapping | None) -> dict:
    """column_config: each column's heading and help, fixed widths where text wraps and for
    the columns naming the rows."""
    return {
        **{
            c: st.column_config.Column(t, help=h, width=widths.get(c))
            for c, (t, h) in labels.items()
        },
        **(extra or {}),
    }


@st.cache_data(max_entries=GRIDS, ttl=15 * 60, show_spinner=False)
def draw_rows(
    table: pd.DataFrame,
    groups: dict,
    labels: dict,
    colour: bool,
    column_config: dict,
    limit: float = PAGE_PX,
) -> None:
    """render_rows' drawing, kept per content like draw_table's, in one grid fitted to
    `limit` px (EXPANDER_PX inside an expander)."""
    drawn = layout(table, groups, labels, limit)
    # Every row up to FULL_ROWS (Streamlit's own height showed ten of Data status' twelve
    # properties and hid the rest behind a scroll).
    rows = min(len(table), FULL_ROWS)
    st.dataframe(
        to_styler(table, colour=colour, groups=groups),
        column_config=_config(labels, drawn.widths(), column_config),
        hide_index=True,
        height=(drawn.row_px or ROW_PX) * rows + ROW_PX * (2 if groups else 1) + 3,
        row_height=drawn.row_px,
        placeholder="",
    )

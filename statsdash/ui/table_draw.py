"""Drawing a table: its layout in tabs, each cell's styling and the grid Streamlit sends
to the browser, kept per content of the table (the table layer of drawing; README,
Architecture).

Laying a table out, styling every cell (pandas Styler) and serialising it was most of a
warm page's server time: the same work for the same table on every rerun and for every
visitor. `st.cache_data` keeps the drawn elements per content of the arguments and replays
them; other content draws anew, so nothing stale can show. The one widget, the tabs of a
wide table, stays outside the kept functions (the rows toggle and the download stay with
the caller).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from statsdash.ui.fit import PAGE_PX, Layout, layout
from statsdash.ui.format import to_styler

FULL_ROWS = 25  # tables up to this long are shown whole; longer ones on asking
ROW_PX = 35
GRIDS = 64  # the tables of a few pages for a few selections (see draw_table)


def draw_table(
    table: pd.DataFrame,
    groups: dict,
    labels: dict,
    colour: bool,
    column_config: dict,
    rows: int,
    height: int | str,
    key: str = "table",
) -> None:
    """A table in one grid, or in tabs of whole metrics when too wide for the page, with
    `rows` rows visible (`height` "auto"), or `height` pixels.

    Only the open tab's grid is drawn (`key` names the tabs' state): every tab's grid went
    to the browser and was laid out there, hidden, on every look at the page, a fifth of a
    warm Overview's drawing for tables nobody had opened yet; a click on a tab draws its own.
    """
    parts = _layout(table, groups, labels).parts
    if len(parts) == 1:
        _draw_part(table, groups, labels, colour, column_config, rows, height, None)
        return
    names = [name for name, _ in parts]
    tabs = st.tabs(names, key=f"tabs-{key}-{'|'.join(names)}", on_change="rerun")
    for tab, (_, part) in zip(tabs, parts, strict=True):
        if tab.open:
            with tab:
                _draw_part(table, groups, labels, colour, column_config, rows, height, part)


@st.cache_data(max_entries=GRIDS, ttl=15 * 60, show_spinner=False)
def _layout(table: pd.DataFrame, groups: dict, labels: dict) -> Layout:
    return layout(table, groups, labels)


@st.cache_data(max_entries=GRIDS, ttl=15 * 60, show_spinner=False)
def _draw_part(
    table: pd.DataFrame,
    groups: dict,
    labels: dict,
    colour: bool,
    column_config: dict,
    rows: int,
    height: int | str,
    part: list[str] | None,
) -> None:
    """One grid of the table: its columns `part` (None: all of them)."""
    drawn = _layout(table, groups, labels)
    heading_px = ROW_PX * (2 if groups else 1) + 3
    config = _config(labels, drawn.widths(), column_config)
    # Rows are tall only in a grid that shows a wrapping text (a title, a path).
    tall = drawn.row_px if any(c in drawn.wrap for c in part or table.columns) else None
    st.dataframe(
        to_styler(table, colour=colour, groups=groups),
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

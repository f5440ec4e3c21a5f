"""Tables that fit the page: a wide table is cut into tabs of whole metrics, each as wide as
the page at 1280 px, so no column runs off to the right behind a scroll bar.

Widths are estimated from the text (st.dataframe sizes a column to its heading and cells);
the estimate errs wide, so a tab that fits by it fits on screen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from statsdash.ui.format import cell_formatter

# st.dataframe's width in the main area of a 1280 px window with the sidebar open, less a
# margin for the estimate (measured on the screenshots: 820 px).
PAGE_PX = 810
# Inside an expander: its border and 1rem of padding on each side less (the referring sites'
# articles on Acquisition ran behind a scroll bar at 1280 px when sized for the page).
EXPANDER_PX = PAGE_PX - 34
CHAR_PX = 6.5  # Source Sans at 14 px, digits and letters alike (measured)
CELL_PAD_PX = 18
SAMPLE_ROWS = 50


def text_px(text: str) -> float:
    return len(text) * CHAR_PX + CELL_PAD_PX


def column_px(title: str, shown: pd.Series) -> float:
    """A column's drawn width: its heading's or its widest (shown) cell's."""
    cells = shown.head(SAMPLE_ROWS).map(lambda v: "" if v is None else str(v))
    widest = max((len(c) for c in cells), default=0)
    return max(text_px(title), widest * CHAR_PX + CELL_PAD_PX)


def blocks(columns: Sequence[str], groups: Mapping[str, str]) -> list[list[str]]:
    """Columns in runs that stay together: a group's columns, or a column on its own."""
    out: list[list[str]] = []
    for column in columns:
        group = groups.get(column, "")
        if out and group and groups.get(out[-1][-1], "") == group:
            out[-1].append(column)
        else:
            out.append([column])
    return out


def pages(
    columns: Sequence[str],
    widths: Mapping[str, float],
    groups: Mapping[str, str],
    keep: Sequence[str],
    limit: float = PAGE_PX,
) -> list[list[str]]:
    """The columns cut into pages no wider than `limit`, each starting with `keep` (the
    names of the rows); one page when everything fits. A block wider than a page on its own
    still gets a page (it scrolls, but alone)."""
    kept = [c for c in columns if c in keep]
    base = sum(widths[c] for c in kept)
    rest = blocks([c for c in columns if c not in keep], groups)
    if base + sum(widths[c] for b in rest for c in b) <= limit:
        return [list(columns)]
    out: list[list[str]] = []
    current: list[str] = []
    used = base
    for block in rest:
        width = sum(widths[c] for c in block)
        if current and used + width > limit:
            out.append(kept + current)
            current, used = [], base
        current += block
        used += width
    if current:
        out.append(kept + current)
    return out


WRAP_CHARS = 44  # a text longer than this wraps in its column instead of widening it
WRAP_PX = 300  # such a column's width: about 44 characters a line
WRAP_ROW_PX = 66  # st.dataframe wraps text only in rows taller than 4rem (64 px)
WRAP_MIN_PX = 180  # wrapping columns narrow to fit the figures beside them, down to this


@dataclass(frozen=True)
class Layout:
    """How a table is drawn: its parts [(tab name, columns)], fixed widths of the text
    columns that wrap, and the row height (None: Streamlit's, text on one line); `names`:
    fixed widths of the columns that name the rows, as wide as their widest cell."""

    parts: list[tuple[str, list[str]]]
    wrap: dict[str, int]
    row_px: int | None
    names: dict[str, int] = field(default_factory=dict)

    def widths(self) -> dict[str, int]:
        return {**self.names, **self.wrap}


def layout(
    table: pd.DataFrame, groups: Mapping[str, str], labels: Mapping, limit: float = PAGE_PX
) -> Layout:
    """The table whole when it fits the page at 1280 px, else tabs of whole metrics, each
    after the leading text columns that name the rows; long texts (titles, paths) wrap."""
    formats = {c: cell_formatter(c, table[c].dtype) or str for c in table.columns}
    # Only the rows the estimates look at are formatted (a long table's every cell was).
    sample = table.head(SAMPLE_ROWS)
    shown = {
        c: sample[c].map(lambda v, f=formats[c]: "" if _blank(v) else str(f(v)))
        for c in table.columns
    }
    widths = {c: column_px(labels[c][0], shown[c]) for c in table.columns}
    text = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    wrap = {
        c: WRAP_PX
        for c in text
        if shown[c].head(SAMPLE_ROWS).str.len().max() > WRAP_CHARS and widths[c] > WRAP_PX
    }
    widths |= wrap
    keep: list[str] = []
    for column in table.columns:  # the names of the rows: text columns up to the first number
        if column not in text:
            break
        keep.append(column)
    # The grid sizes a column by its first rows only, so a longer name further down was cut
    # ("coastlinechronicle.co" in Data status' 10th row): the naming columns get the width
    # of their widest cell in any row, up to a wrapping column's (a long path further down
    # must not push the figures off the page).
    names = {
        c: int(min(max(widths[c], _widest_px(table[c], formats[c])), WRAP_PX))
        for c in keep
        if c not in wrap
    }
    widths |= names
    wrap = _narrowed(wrap, widths, keep, groups, limit)
    widths |= wrap
    parts = pages(list(table.columns), widths, groups, keep, limit)
    named = []
    for part in parts:
        heads = [groups.get(c) or labels[c][0] for c in part if c not in keep]
        named.append((" · ".join(dict.fromkeys(heads)), part))
    return Layout(named, wrap, WRAP_ROW_PX if wrap else None, names)


def _narrowed(
    wrap: dict[str, int],
    widths: Mapping[str, float],
    keep: Sequence[str],
    groups: Mapping[str, str],
    limit: float,
) -> dict[str, int]:
    """The wrapping columns among the rows' names, narrowed evenly (not below WRAP_MIN_PX)
    so that the names and the widest block of figures beside them fit in `limit`: two
    wrapping texts (a title and a path) at WRAP_PX each left no room for the figures."""
    narrowing = [c for c in keep if c in wrap]
    rest = blocks([c for c in widths if c not in keep], groups)
    need = sum(widths[c] for c in keep) + max((sum(widths[c] for c in b) for b in rest), default=0)
    if not narrowing or need <= limit:
        return wrap
    cut = (need - limit) / len(narrowing)
    return wrap | {c: int(max(WRAP_MIN_PX, wrap[c] - cut)) for c in narrowing}


def _widest_px(column: pd.Series, format_) -> float:
    """The drawn width of a text column's widest cell in any row (distinct cells only: a
    name repeats on many rows)."""
    widest = max((len(str(format_(v))) for v in column.dropna().unique()), default=0)
    return widest * CHAR_PX + CELL_PAD_PX


def _blank(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False

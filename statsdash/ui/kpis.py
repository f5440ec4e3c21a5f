"""KPI cards: a figure per metric and its change against each comparison, in rows of four."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd
import streamlit as st

from statsdash.periods import COMPARISONS, comparison
from statsdash.reports import ReportResult, Selection
from statsdash.ui.format import (
    comparison_name,
    number,
    short_comparison_name,
    signed_pct,
    signed_pp,
)
from statsdash.ui.render import render_compared
from statsdash.ui.text import md_join
from statsdash.utilities import FRACTIONS


def change_line(pct: object, when: str, state: str | None = None, points: bool = False) -> str:
    """A KPI's change as coloured Markdown, e.g. ":green[▲ +4.2%] :small[vs last year]"
    (`when` short, so that a line fits a card at 1280 px).

    With a `state` ("incomplete", "provisional") it is grey: not a real change (the card's
    badge says why). `points`: `pct` is a change in percentage points (a rate's).
    """
    text = signed_pp(pct) if points else signed_pct(pct)
    name = f":small[{when}]"
    if not text:
        return f":gray[— :small[{when} (no data then)]]"
    if state:
        return f":gray[{text} {name}]"
    colour = "green" if text.startswith("▲") else "red" if text.startswith("▼") else "gray"
    return f":{colour}[{text}] {name}"


KPI_PER_ROW = 4  # a fifth card at 1280 px cuts seven-digit figures and long labels

BADGES = {
    "incomplete": ":orange-badge[:material/warning: Incomplete]",
    "provisional": ":blue-badge[:material/schedule: Provisional]",
}


def render_kpis(
    row: pd.Series | None,
    metrics: Mapping[str, str],
    selection: Selection,
    *,
    incomplete: Sequence[str] = (),
    provisional: str | None = None,
    formats: Mapping[str, Callable[[object], str]] | None = None,
    notes: Mapping[str, str] | None = None,
    result: ReportResult | None = None,
) -> None:
    """One bordered card per metric: value, then its change against each comparison.

    Totals missing a failed source (`incomplete`) or recent days still arriving
    (`provisional`, the reason) say so in their title, and their changes turn grey.
    `notes` puts a caption under the cards (e.g. that views changed meaning): inside a
    quarter-width card it made that card three times as tall as the others.
    With the `result` the row comes from, like for like, the cards say which days they
    cover (complete ones only, so not provisional), or that there is no complete day yet.
    """
    notes = notes or {}
    formats = formats or {}
    if result is not None and result.compared:
        if render_compared(result):
            return
        if not selection.whole_periods:
            provisional = None
    p = selection.period
    short = {COMPARISONS[k]: short_comparison_name(k, p.days) for k in selection.comparisons}
    # The change lines' help names each comparison in full, with its dates (on the lines, not
    # the label: its icon would cut labels such as "Users (sum of properties)" at 1280 px).
    compared_help = "  \n".join(
        f"{comparison_name(key, p.days)}: {comparison(p, key).label}"
        for key in selection.comparisons
    )
    items = list(metrics.items())
    rows = -(-len(items) // KPI_PER_ROW)
    per_row = -(-len(items) // rows)  # balanced: five cards are 3 + 2, not 4 + 1
    for first in range(0, len(items), per_row):
        row_items = items[first : first + per_row]
        # A full row's columns are the cards (their own border): a bordered container in
        # each column was eight more nested blocks for the browser to lay out on the
        # Overview. A shorter last row keeps its empty column without a border.
        full = len(row_items) == per_row
        for column, (metric, title) in zip(
            st.columns(per_row, border=full), row_items, strict=False
        ):
            with column if full else column.container(border=True):
                _render_card(
                    row,
                    metric,
                    title,
                    short,
                    formats,
                    incomplete=incomplete,
                    provisional=provisional,
                    help_text=compared_help,
                )
    for metric in metrics:
        if metric in notes:
            st.caption(notes[metric])


def _change_of(row, metric: str, suffix: str) -> object:
    """The change a card shows: a rate 0-1's (engagement rate) in percentage points, every
    other metric's in percent."""
    if metric in FRACTIONS:
        change = row.get(f"{metric}_{suffix}_change")
        return None if change is None or pd.isna(change) else 100 * float(change)
    return row.get(f"{metric}_{suffix}_pct")


def _render_card(row, metric, title, short, formats, *, incomplete, provisional, help_text) -> None:
    """One KPI card's content: figure, change lines, badge."""
    if row is None:
        st.metric(title, "–")
        return
    value = formats.get(metric, number)(row[metric])
    state = why = None
    if incomplete:
        state, why = "incomplete", f"Misses {md_join(incomplete)}: not a real drop."
    elif provisional:
        state, why = "provisional", provisional
    st.metric(title, value)
    lines = [
        change_line(_change_of(row, metric, s), when, state, points=metric in FRACTIONS)
        for s, when in short.items()
        if f"{metric}_{s}_pct" in row
    ]
    if state:
        lines.append(BADGES[state])
    if lines:
        why = "  \n\n".join(text for text in (help_text, why if state else None) if text)
        st.markdown("  \n".join(lines), help=why or None)

"""Rendering shared by every page: the header, problems, KPI cards and tables with downloads."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from statsdash.periods import (
    Compared,
    compared_sentence,
    comparison,
    day_text,
)
from statsdash.reports import SERVICE_LABELS, ReportResult, Selection, retry_in
from statsdash.ui.chart_memo import csv_of
from statsdash.ui.data import safe_service_table
from statsdash.ui.fit import EXPANDER_PX, PAGE_PX
from statsdash.ui.format import (
    comparison_name,
    mark_new,
    number,
    plural,
    signed_pct,
    visible_columns,
)
from statsdash.ui.grid import headings, names_of
from statsdash.ui.table_draw import FULL_ROWS, draw_rows, draw_table
from statsdash.ui.text import md, md_join


def covers(selection: Selection, service: str) -> str:
    """Which sites or channel groups a service's figures cover: "all channel groups" when
    the reader picked none (e.g. only sites), else their names."""
    if service == "ga":
        return ", ".join(selection.sites) if selection.sites else "all sites"
    return ", ".join(selection.channels) if selection.channels else "all channel groups"


def picked_brands(selection: Selection) -> tuple[str, ...]:
    """The brands picked in the sidebar, while they are still exactly the selection."""
    brands = tuple(st.session_state.get("sd_brands", ()))
    config = selection.config
    if not brands or not all(b in config.brands for b in brands):
        return ()
    sites = {s for b in brands for s in config.brands[b].sites}
    channels = {c for b in brands for c in config.brands[b].channels}
    if sites != set(selection.sites) or channels != set(selection.channels):
        return ()
    return brands


def scope_label(selection: Selection, services: Sequence[str] = ("ga", "youtube")) -> str:
    """ "All of Demo Network", the picked brands, or what each service's figures cover."""
    if selection.all_selected:
        return f"All of {selection.config.network_name}"
    brands = picked_brands(selection)
    if brands:
        return f"{', '.join(brands)} ({plural(len(brands), 'brand')})"
    parts = []
    if "ga" in services and selection.site_names():
        parts.append(f"Web: {covers(selection, 'ga')}")
    if "youtube" in services and selection.channel_names():
        parts.append(f"YouTube: {covers(selection, 'youtube')}")
    return " · ".join(parts)


def render_header(
    title: str, selection: Selection, services: Sequence[str] = ("ga", "youtube")
) -> None:
    """The title, and a subtitle saying what is covered and which range is which."""
    st.session_state[SAID] = set()  # a new page run: its days notes are still to be said
    st.title(md(title))  # the Overview's title is the configured network name
    p = selection.period
    compared = " · ".join(
        f"{comparison_name(key, p.days)}: {comparison(p, key).label}"
        for key in selection.comparisons
    )
    st.caption(
        f"**{md(scope_label(selection, services))}** · {p.name}: **{p.label}** "
        f"({plural(p.days, 'day')})" + (f" · {compared}" if compared else "")
    )


def merged_failures(results: Iterable[ReportResult]) -> dict[str, str]:
    failures: dict[str, str] = {}
    for result in results:
        failures.update(result.failures)
    return failures


def retry_lines(failures: dict[str, str]) -> str:
    """ "Retrying pixelpost.net (property 1) in 1:40" per failed source still remembered, so a
    failing source is not asked again on every look (Refresh data asks at once)."""
    lines = []
    for source in failures:
        wait = retry_in(source)
        if wait is not None:
            minutes, seconds = divmod(int(round(wait)), 60)
            lines.append(f"Retrying {md(source)} in {minutes}:{seconds:02d}")
    return "  \n".join(lines) + ("; *Refresh data* retries now." if lines else "")


def render_problems(results: Iterable[ReportResult]) -> None:
    """One warning naming every failed property or channel, and each data note once."""
    results = list(results)
    failures = merged_failures(results)
    if failures:
        named = "\n".join(
            f"- **{md(source)}**: {md(message)}" for source, message in failures.items()
        )
        st.warning(
            "**Incomplete data.** These could not be fetched; the rest is shown, and totals "
            f"that miss them are marked *incomplete*:\n{named}",
            icon=":material/warning:",
        )
        if retries := retry_lines(failures):
            st.caption(retries)
    notes = list(dict.fromkeys(note for result in results for note in result.notes))
    if notes:
        with st.expander(f"Data notes ({len(notes)})", icon=":material/info:"):
            # One list, one element: a dozen notes drawn one by one were a dozen elements
            # for the browser to lay out on every page.
            st.markdown("\n".join(f"- {md(note)}" for note in notes))


def download_name(report: str, selection: Selection, *, incomplete: bool = False) -> str:
    """`<report>_<start>_<end>.csv`; `..._incomplete.csv` when a source was not fetched, so
    the file says so wherever it is passed on."""
    p = selection.period
    tail = "_incomplete" if incomplete else ""
    return f"{report}_{p.start.isoformat()}_{p.end.isoformat()}{tail}.csv"


def render_download(result: ReportResult, report: str, selection: Selection) -> None:
    """The raw table as CSV: byte-equal to `python -m statsdash export` for the selection.

    The CSV is written when the button is clicked, not on every run of the page: written
    eagerly, each download was its text twice in the server's memory (the kept CSV and
    Streamlit's copy for the button) plus the cell-by-cell work of writing it, for files
    mostly never asked for (at 2,000 sites the daily series' CSV alone is 8 MB)."""
    st.download_button(
        "Download CSV",
        lazy_csv(result.table),
        file_name=download_name(report, selection, incomplete=bool(result.failures)),
        mime="text/csv",
        key=f"download-{report}",
        icon=":material/download:",
        on_click="ignore",
        help=f"python -m statsdash export {report} (raw numbers, every comparison column)",
    )


def lazy_csv(table: pd.DataFrame) -> Callable[[], str]:
    """What a download button calls on a click: the table's CSV (kept per content, see
    csv_of), the same text an eager button would have held."""
    return lambda: csv_of(table)


STATUS_COLUMNS = ("days_compared", "complete_through", "complete")


def _rows_shown(rows: int, report: str) -> int:
    """Every row of a table up to FULL_ROWS long, no scrolling inside; a longer one shows
    its first FULL_ROWS rows and a switch to show them all. Only the rows shown are sent
    to the browser: a 2,000-row table styled cell by cell was a few hundred MB of the
    server's memory at 2,000 sites, for rows nobody scrolled to (the CSV has them all)."""
    if rows > FULL_ROWS and not st.toggle(
        f"Show all {rows:,} rows",
        key=f"all-rows-{report}",
        help=f"Else the first {FULL_ROWS}; the CSV download has every row",
    ):
        return FULL_ROWS
    return rows


def render_table(
    title: str | None,
    result: ReportResult,
    report: str,
    selection: Selection,
    *,
    columns: Sequence[str] | None = None,
    height: int | str = "auto",
    caption: str | None = None,
    display: Mapping[str, Callable[[object], object]] | None = None,
    column_config: Mapping[str, object] | None = None,
    order_by: str | None = None,
) -> None:
    """A formatted table (raw numbers stay in the download), its state, and its CSV.

    `display` maps a column to a function for its on-screen values only (ISO code -> name);
    `column_config` replaces the default heading of a column (e.g. a LinkColumn);
    `order_by` sorts the rows on screen by that column, largest first (the download keeps
    the report's order).
    """
    if title:
        st.subheader(title)
    table = result.table
    if caption:
        st.caption(caption)
    nothing_yet = render_compared(result)
    if result.failures:
        st.caption(
            f":orange[Incomplete: misses {md_join(result.failures)}; changes are not real "
            "ones, so they are not coloured.]"
        )
    if nothing_yet or table.empty:
        # No grid of empty cells, and no download of them (the CLI export still has them).
        render_empty(waiting_for(result))
        return
    shown = list(columns) if columns is not None else visible_columns(table)
    if columns is None and result.compared:
        # Which days the figures cover is said once above the table (render_compared);
        # the same value on every row took a tab of its own on screen. The CSV has them.
        shown = [c for c in shown if not c.endswith(STATUS_COLUMNS)]
    if display:
        table = table.assign(**{c: table[c].map(f) for c, f in display.items()})
    if order_by in table.columns:
        table = table.sort_values(order_by, ascending=False, kind="stable", ignore_index=True)
    # Only the drawn columns are formatted cell by cell (the download keeps them all):
    # a compared table has six columns per metric, most of them not on screen. A change
    # from 0 is marked "new" first, while the compared values are still in the table.
    table = mark_new(table)[[c for c in shown if c in table.columns]]
    groups, labels = headings(table.columns, selection, covered_periods(result))
    rows = _rows_shown(len(table), report) if height == "auto" else 0
    if 0 < rows < len(table):
        table = table.iloc[:rows]
    colour = not result.failures
    draw_table(table, groups, labels, colour, dict(column_config or {}), rows, height, key=report)
    render_download(result, report, selection)


def covered_periods(result: ReportResult) -> dict:
    """Service -> the days its figures in `result` cover (like for like; none without a
    complete day), for the tables' headings."""
    return {s: c.current for s, c in result.compared.items() if c.current is not None}


def end_label(result: ReportResult, service: str = "youtube") -> str:
    """ "period end", or the day the figures end on when like for like cut them ("Fri 27
    Nov"): subscribers are counted at that day, not at the period's last."""
    compared = result.compared.get(service)
    if compared is not None and compared.current is not None and compared.trimmed:
        return f"{day_text(compared.current.end)}"
    return "period end"


NO_ROWS = "No rows for this selection and period."


def waiting_for(result: ReportResult | None) -> str | None:
    """ "Web", "YouTube" or "Web and YouTube": the services of a result with no complete day
    in its period yet, when that is why it has no figures (else None)."""
    if result is None or not result.compared:
        return None
    if any(c.days_compared for c in result.compared.values()):
        return None
    return " and ".join(SERVICE_LABELS[s] for s in result.compared)


def render_empty(waiting: str | None = None, target=None) -> None:
    """The one line a chart or table without figures shows instead of empty axes or cells:
    that a service has no complete day yet (said in full once above), or that there are no
    rows at all."""
    target = target or st
    if waiting:
        target.caption(
            f":material/schedule: Nothing to show until {waiting} "
            f"{'have' if ' and ' in waiting else 'has'} a complete day in this period (see above)."
        )
    else:
        target.info(NO_ROWS, icon=":material/info:")


def has_figures(frame: pd.DataFrame | None, value: str) -> bool:
    """True when a chart of `frame` would draw something: a row whose `value` is a number,
    not counting days still arriving (`provisional`) on their own."""
    if frame is None or frame.empty or value not in frame:
        return False
    if "provisional" in frame:
        frame = frame[~frame["provisional"].astype(bool)]
    return bool(pd.to_numeric(frame[value], errors="coerce").notna().any())


def render_chart(
    make: Callable[[], object],
    frame: pd.DataFrame | None,
    value: str,
    *,
    waiting: str | None = None,
    target=None,
) -> bool:
    """Draw the chart `make()` builds from `frame` when it has figures (see has_figures), else
    one line instead of axes without marks (a tick "NaN", bars of nothing); True when drawn.
    `waiting`: the service with no complete day yet, if that is why (see waiting_for)."""
    target = target or st
    if has_figures(frame, value):
        target.altair_chart(make())
        return True
    render_empty(waiting, target)
    return False


@dataclass(frozen=True)
class Freshness:
    """The last complete day of the selection on each platform (None: unknown)."""

    end: date
    web: date | None = None
    youtube: date | None = None

    @property
    def web_note(self) -> str | None:
        """Why web totals are provisional, or None when every day is complete."""
        if self.web is None or self.web >= self.end:
            return None
        return (
            f"GA4 data is complete through {day_text(self.web)}; later days are still "
            "arriving, so totals and changes will rise."
        )

    @property
    def youtube_note(self) -> str | None:
        """Why YouTube totals are provisional, or None when every day is in."""
        if self.youtube is None or self.youtube >= self.end:
            return None
        missing = (self.end - self.youtube).days
        return (
            f"YouTube has data through {day_text(self.youtube)}; the last {missing} "
            f"day{'s' if missing > 1 else ''} of the period are not in yet."
        )


def compared_line(service: str, compared: Compared) -> str | None:
    """The one sentence that says which days a service's figures cover (see
    periods.compared_sentence); None when they cover the whole period."""
    return compared_sentence(SERVICE_LABELS[service], compared)


SAID = "sd_days_said"  # session key: the days notes this page run has shown


def render_compared(result: ReportResult) -> bool:
    """Say which days the result's figures cover when like for like cut them, one line per
    service, once a page (by the first KPIs or table: under every table it was said three to
    six times); True when no service has a complete day yet (nothing to show but that)."""
    said = st.session_state.setdefault(SAID, set())
    for service, compared in result.compared.items():
        line = compared_line(service, compared)
        if line in said:
            continue
        said.add(line)
        if line and compared.days_compared == 0:
            st.info(line, icon=":material/schedule:")
        elif line:
            st.caption(f":material/event_available: {line}")
    days = [c.days_compared for c in result.compared.values()]
    return bool(days) and not any(days)


def _last_complete(table: pd.DataFrame | None) -> date | None:
    """The earliest complete-through day over the sources that gate completeness."""
    if table is None or table.empty or "complete_through" not in table:
        return None
    rows = table[table["wait_for_data"]] if "wait_for_data" in table else table
    days = pd.to_datetime(rows["complete_through"]).dropna()
    return days.min().date() if len(days) else None


def render_freshness(selection: Selection, *, web_only=False, youtube_only=False) -> Freshness:
    """Say which recent days are provisional (web) or not in yet (YouTube); return the dates."""
    web = youtube = None
    end = selection.period.end
    if selection.site_names() and not youtube_only:
        web = _last_complete(safe_service_table("ga", "check_available_data", selection)[0])
    if selection.channel_names() and not web_only:
        youtube = _last_complete(
            safe_service_table("youtube", "check_available_data", selection)[0]
        )
    lines = []
    # Like for like, the figures leave those days out (their tables say so); charts show them.
    fair = not selection.whole_periods
    if web is not None and web < end:
        lines.append(
            f"Web data is complete through **{day_text(web)}**; later days are provisional "
            "(still arriving) and drawn dashed"
            + (" and left out of the compared figures." if fair else ".")
        )
    if youtube is not None and youtube < end:
        lines.append(
            f"YouTube reports data through **{day_text(youtube)}**; later days have none yet"
            + (
                " and are left out of the compared figures."
                if fair
                else ", so period totals miss them."
            )
        )
    if lines:
        st.caption(":material/schedule: " + "  \n".join(lines))
    return Freshness(end, web, youtube)


def render_service_table(
    table: pd.DataFrame | None,
    error: str | None,
    name: str,
    selection: Selection,
    *,
    title: str | None = None,
    caption: str | None = None,
    columns: Sequence[str] | None = None,
    column_config: Mapping[str, object] | None = None,
) -> None:
    """A service's extra table (not a CLI report), shown and downloadable like the others
    (`columns`: those shown; the download has all; `column_config` as in render_table)."""
    if error:
        st.warning(f"Could not load this table: {md(error)}", icon=":material/warning:")
        return
    if table is None:
        return
    shown = [c for c in columns if c in table] if columns is not None else None
    render_table(
        title,
        ReportResult(table),
        name,
        selection,
        caption=caption,
        columns=shown,
        column_config=column_config,
    )


def render_status_table(
    info, name: str, selection: Selection, *, display: Mapping | None = None, **kwargs
) -> None:
    """A service's availability table with its failures and notes (Data status page);
    `display` and the other keywords go to render_table."""
    if info is None:
        return
    if info.error:
        st.warning(f"Could not check availability: {md(info.error)}", icon=":material/warning:")
    for source, message in info.failures.items():
        st.warning(
            f"**{md(source)}** could not be fetched: {md(message)}", icon=":material/warning:"
        )
    if info.availability is not None:
        day = {
            "complete_through": lambda v: (
                "" if pd.isna(v) else f"{day_text(pd.Timestamp(v), year=True)}"
            )
        }
        shown = day | dict(display or {})
        render_table(
            None, ReportResult(info.availability), name, selection, display=shown, **kwargs
        )
    for note in info.notes:
        st.caption(f":material/info: {md(note)}")


def render_grouped(
    result: ReportResult,
    report: str,
    selection: Selection,
    *,
    group: str,
    headline: str,
    items: Sequence[str],
) -> None:
    """A long report (one row per group x item) as one expander per group, then its CSV.

    The expander names the group with its `headline` metric and changes; inside, the
    `items` columns (in that order).
    """
    table = result.table
    if render_compared(result):
        table = table.iloc[:0]
    if result.failures:
        st.caption(f":orange[Incomplete: misses {md_join(result.failures)}.]")
    if table.empty:
        render_empty(waiting_for(result))
        return
    names = names_of(selection)
    for i, (name, rows) in enumerate(table.groupby(group, sort=False)):
        rows = mark_new(rows)  # a change from 0 reads "new", here and in the heading
        first = rows.iloc[0]
        changes = " · ".join(
            f"{signed_pct(first[f'{headline}_{s}_pct']) or '–'} {when}" for s, when in names.items()
        )
        label = f"**{md(name)}** · {number(first[headline])} {headline}"
        with st.expander(f"{label} · {changes}" if changes else label, expanded=i == 0):
            render_rows(
                rows[list(items)],
                selection,
                colour=not result.failures,
                limit=EXPANDER_PX,
                covered=covered_periods(result),
            )
    render_download(result, report, selection)


def render_rows(
    table: pd.DataFrame,
    selection: Selection,
    *,
    colour: bool = True,
    column_config: Mapping[str, object] | None = None,
    limit: float = PAGE_PX,
    covered: Mapping | None = None,
) -> None:
    """A formatted table without title, state or download (part of a bigger report),
    fitted to `limit` px; `column_config` replaces the default heading of a column, and
    `covered` (service -> period) the dates its figures cover (see grid.headings)."""
    groups, labels = headings(table.columns, selection, covered)
    draw_rows(
        table.reset_index(drop=True), groups, labels, colour, dict(column_config or {}), limit
    )

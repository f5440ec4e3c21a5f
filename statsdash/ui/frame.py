"""The hand-off between app.py (the frame) and a page: the selection, and deep links.

Streamlit runs a `pages/` script by itself, without app.py, when a link to it is the first
request a fresh server sees (its legacy pages-folder mode, until st.navigation has run once).
Such a page hands over to app.py, which opens it again inside the frame.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from statsdash.budget import budget
from statsdash.collector import collector_paused
from statsdash.errors import AuthError
from statsdash.reports import Selection
from statsdash.ui.data import prefetch_page
from statsdash.ui.session import freeze_after_page
from statsdash.ui.text import md

FRAMED = "sd_framed"  # set by app.py right before it runs the page, taken by the page
GOTO = "sd_goto"  # the page a deep link asked for, while app.py is brought in


def run_page(nav, selection: Selection, granularity: str) -> None:
    """app.py: hand the page its selection, open a pending deep link, run the page."""
    goto = st.session_state.pop(GOTO, None)
    if goto is not None:
        st.switch_page(goto, query_params=st.query_params.to_dict())
    st.session_state.update(selection=selection, granularity=granularity)
    st.session_state[FRAMED] = True
    # Every fetch of the page shares one budget per service (budget.py): past it, what
    # arrived renders and the rest is named as timed out. No automatic collection while the
    # page runs (its imports, tables and drawing set off full ones, each walking the whole
    # heap): Streamlit collects every generation right after the run (runner.postScriptGC).
    try:
        with budget(selection.config.fetch.budget_seconds), collector_paused():
            prefetch_page(nav.url_path, selection)  # out before the page's own imports
            nav.run()
    except AuthError as error:
        # Refused credentials stop every page the same way: one message saying what was
        # refused and the command that fixes it, not a traceback.
        st.error(f"**Access refused.** {md(str(error))}", icon=":material/lock:")
    finally:
        freeze_after_page()  # also when the page stopped or asked for a rerun


def page_selection(page_file: str) -> tuple[Selection, str]:
    """A page: (selection, chart granularity) from the frame, bringing the frame in if needed."""
    if not st.session_state.pop(FRAMED, False):
        st.session_state[GOTO] = f"pages/{Path(page_file).name}"
        st.switch_page("app.py", query_params=st.query_params.to_dict())
    return st.session_state["selection"], st.session_state["granularity"]

"""Pausing Python's garbage collector while a page runs or an export builds its tables.

A module of its own, importing nothing heavy: app.py pauses the collector around its own
imports (pandas, the Google client, Streamlit's elements) on a server's first run, before
any module that needs numpy or pandas is loaded (statsdash.utilities re-exports it).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_paused = 0  # callers inside collector_paused(), over every thread
_paused_lock = threading.Lock()
_resume = False  # whether the collector was on when the first of them came in


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic garbage collection while a page runs (statsdash.ui.frame.run_page, and
    app.py's imports before it) or `export --all` builds its tables, on any thread; back on
    when the last caller leaves.

    Parsing cached answers makes millions of short-lived dicts and lists, and each time
    enough of them had lived through a young collection Python walked the whole heap (the
    imported pandas, Streamlit, Altair): six full collections in a restarted server's
    Overview, 0.3-1 s of its CPU, for garbage that reference counting frees anyway. Cycles
    made meanwhile (4 objects after a 20-site Overview's tables, 490 after `export --all`)
    wait for the next collection (Streamlit's after each script run)."""
    global _paused, _resume
    with _paused_lock:
        if _paused == 0:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _resume:
                gc.enable()

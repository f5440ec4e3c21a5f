"""`python -m statsdash` entry point."""

import contextlib
import gc
import os
import sys

from statsdash.collector import collector_paused

# The CLI's imports (pandas, numpy, the Google client...) run without automatic garbage
# collection, and what they made is then kept out of every later collection (gc.freeze:
# modules live as long as the process): they set off ~150 collections, the later ones
# walking the whole growing heap, for objects that are never garbage (0.5-1.2 s of an
# export's CPU, timed with gc.callbacks on a loaded machine).
with collector_paused():
    import pandas as pd

    # Text columns are Python strings (pandas' "python" storage), not Arrow arrays: the
    # CLI's tables are small and many, and Arrow's per-call cost (making, taking, sorting
    # and factorising short arrays) was ~15% of export --all's CPU at 20 sites. The same
    # values and CSV bytes; set before statsdash's modules make their dtypes. The app
    # keeps Arrow strings (Streamlit hands tables to the browser as Arrow).
    pd.set_option("mode.string_storage", "python")
    from statsdash.cli import main

    gc.freeze()
if sys.argv[1:2] != ["serve-emulator"]:
    # A one-shot command, whose process ends with it (cli.main pauses the collector for the
    # command too; turned back on at its end, it walked every object the command made).
    gc.disable()

status = main()
if sys.argv[1:2] == ["export"]:
    from statsdash.cache import flush_all

    flush_all()  # the answers still being stored (atexit would, but os._exit skips it)
    # An export's files are written and closed, and its requests all answered (the
    # response cache's last answers written just above): the interpreter's teardown, a
    # collection over everything the tables made and every module freed one by one, was
    # 0.2-0.35 s of wall time after the last CSV. Exit without it.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to tell
            stream.flush()
    os._exit(status)
sys.exit(status)

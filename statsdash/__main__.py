"""`python -m statsdash` entry point."""

import gc
import sys

from statsdash.collector import collector_paused

# The CLI's imports (pandas, numpy, the Google client...) run without automatic garbage
# collection, and what they made is then kept out of every later collection (gc.freeze:
# modules live as long as the process): they set off ~150 collections, the later ones
# walking the whole growing heap, for objects that are never garbage (0.5-1.2 s of an
# export's CPU, timed with gc.callbacks on a loaded machine).
with collector_paused():
    from statsdash.cli import main

    gc.freeze()
if sys.argv[1:2] != ["serve-emulator"]:
    # A one-shot command, whose process ends with it (cli.main pauses the collector for the
    # command too; turned back on at its end, it walked every object the command made).
    gc.disable()

sys.exit(main())

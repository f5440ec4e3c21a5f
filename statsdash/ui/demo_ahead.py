"""Imported by app.py before anything heavy: in demo mode (no config.yaml) it starts drawing
the emulator's facts for the first page on a thread of its own right away, so they are made
while pandas, Altair, the Google client and the pages load, not only from the emulator's
start on (which comes after those imports). Once per process."""

import contextlib

from statsdash.demo import draw_facts_ahead
from statsdash.periods import today
from statsdash.ui.session import config_path

with contextlib.suppress(Exception):  # a bad $STATSDASH_TODAY: app.py says what is wrong
    if config_path() is None:
        draw_facts_ahead(today())

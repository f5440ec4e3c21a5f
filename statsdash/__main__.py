"""`python -m statsdash` entry point."""

import sys

from statsdash.cli import main

sys.exit(main())

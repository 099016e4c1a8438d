"""``python -m comms_tui``: the same as ``comms-tui``."""

import sys

from comms_tui.cli import run

sys.exit(run())

"""``python -m comms_tui``: the same as ``comms-tui``."""

import sys

from comms_tui.cli import main

sys.exit(main())

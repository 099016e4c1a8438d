"""comms-tui: send one-off messages through Capillary Communications v2 from a terminal."""

__version__ = "0.1.0"

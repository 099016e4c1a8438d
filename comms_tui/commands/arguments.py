"""Value types for ``argparse`` options: a bad value is a usage error naming the option, before
anything runs (never a traceback from deep inside, never a value the command cannot use)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {text!r}")
    return port


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """A whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:,} to {high:,}")
        return value

    return parse


def seconds(low: float, high: float) -> Callable[[str], float]:
    """A number of seconds from ``low`` to ``high`` (``nan`` and ``inf`` are not)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:g} to {high:g} seconds")
        return value

    return parse


def text(value: str) -> str:
    """Text as typed; bytes that were not UTF-8 (Python keeps them as lone surrogates) are
    refused here: no file, query or request could hold them."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(
            "contains bytes that are not valid text (not UTF-8); retype it"
        ) from None
    return value

"""Stand-ins that make screens repeatable for snapshots: the sends stay real."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from comms_tui.core.session import Session

LATENCY_SECONDS = 0.042  # every send takes 42 ms on this clock


def stepping_timer(step: float = LATENCY_SECONDS) -> Callable[[], float]:
    """A latency clock that advances ``step`` seconds each time it is read."""
    ticks = itertools.count()
    return lambda: next(ticks) * step


def sequential_ids(prefix: str = "req") -> Callable[[], str]:
    """X-Cap-Requestid values ``req-0001``, ``req-0002``…"""
    numbers = itertools.count(1)
    return lambda: f"{prefix}-{next(numbers):04d}"


def stabilise(session: Session) -> Session:
    """Fixed latencies, and request ids that start again at 1 on the session's sandbox."""
    session.timer = stepping_timer()
    if session.sandbox is not None:
        session.sandbox.state.config.request_id = sequential_ids()
    return session

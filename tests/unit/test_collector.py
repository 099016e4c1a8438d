"""``collector_paused``: one count of pauses for the process, the collector back after the last."""

from __future__ import annotations

import gc
import threading

from comms_tui.api.collector import collector_paused


def test_a_collector_turned_off_by_someone_else_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_survives_a_read_is_frozen_out_of_the_collectors_reach() -> None:
    """A 50 000-item answer kept for display would be walked by every full collection after
    the read (20–30 ms each, holding the GIL): it is frozen when the collector comes back."""
    before = gc.get_freeze_count()
    with collector_paused():
        kept = [{"item": [i]} for i in range(10_000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(kept)
    assert kept[-1] == {"item": [9_999]}


def test_the_collector_comes_back_after_the_last_of_overlapping_pauses() -> None:
    """The app's start and an answer read in the session thread overlap: the first to end must
    not turn the collector back on under the other."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with collector_paused():
        second_in.set()
        first_out.wait(5)
        seen.append(gc.isenabled())  # the first pause is over, this one is not
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()

"""The TUI survives any sequence of keys: seeded random sessions at four terminal sizes.

A bounded set for the suite (one short session per size); ``python tests/monkey.py --minutes N``
runs longer. A failure prints the seed, the size and the last keys, and the command that
replays the session. What earlier sessions found is pinned in ``test_key_crashes.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual import events

from comms_tui.tui.keys import KeysInOrder
from tests.monkey import SIZES, Monkey, active_keys, bound_keys, monkey_sandbox
from tests.tui.conftest import AppFactory
from tests.tui.helpers import SIZE, connected

STEPS = 60  # per session: ~20 s each on a 2-core machine
SEED = 19


@pytest.fixture(scope="module")
def monkey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Monkey]:
    with monkey_sandbox() as sandbox:
        yield Monkey(sandbox, tmp_path_factory.mktemp("monkey"))


def test_the_keys_come_from_the_apps_own_bindings() -> None:
    keys = bound_keys()
    # Bound by the app, the compose screen, the lab, history and the picker: found, not listed.
    assert {"f1", "f2", "f4", "f6", "ctrl+j", "ctrl+t", "ctrl+o", "ctrl+p"} <= set(keys)
    # Newer ones: esc (stop a send, the form back at 80 columns), alt+digit, alt+enter.
    assert {"escape", "alt+1", "alt+4", "alt+enter", "ctrl+pagedown"} <= set(keys)
    assert "ctrl+q" not in keys


async def test_a_key_bound_at_run_time_is_pressed_too(app_factory: AppFactory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        app.screen._bindings.bind("ctrl+b", "app.bell", "A key nobody listed")
        assert "ctrl+b" in active_keys(app)
        assert "ctrl+q" not in active_keys(app)  # quitting is never pressed


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_a_random_session_leaves_the_app_running(
    monkey: Monkey, size: tuple[int, int]
) -> None:
    result = await monkey.session(SEED + SIZES.index(size), size, STEPS)
    assert result.failure is None, result.report()
    assert result.steps == STEPS


async def test_a_failure_names_the_seed_the_size_and_the_last_keys(monkey: Monkey) -> None:
    result = await monkey.session(SEED, SIZE, 3)
    result.failure = "an example"
    report = result.report()
    assert f"seed={SEED}" in report and "120x36" in report
    assert all(step in report for step in result.last)
    assert f"--seed {SEED} --size 120x36 --keys 3" in report


@pytest.mark.parametrize("breaks", ["raises", "exits"])
async def test_a_crash_or_an_unasked_exit_fails_the_session(
    monkey: Monkey, monkeypatch: pytest.MonkeyPatch, breaks: str
) -> None:
    real_receive = KeysInOrder.receive
    count = 0

    async def broken(self: KeysInOrder, event: events.Event) -> None:
        nonlocal count
        count += 1
        if count == 5:
            if breaks == "raises":
                raise RuntimeError("the fifth key breaks the app")
            self.app.exit()
        await real_receive(self, event)

    monkeypatch.setattr(KeysInOrder, "receive", broken)
    result = await monkey.session(SEED, SIZE, 40)
    assert result.failure is not None
    said = "the fifth key breaks the app" if breaks == "raises" else "nobody asked"
    assert said in result.failure
    assert result.steps < 40 and f"seed={SEED}" in result.report()

"""A send from a valid request to its result, through the core flow both front-ends run:
the duplicate guard (sandbox apart from real, failed items not held, atomic across
processes) and what a journal that cannot record does to a delivered message."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from comms_tui.api.channels import Channel
from comms_tui.core.flow import send_request
from comms_tui.core.guard import duplicate_guard
from comms_tui.core.preflight import Question
from comms_tui.core.sender import Sent
from comms_tui.core.session import Session
from comms_tui.sandbox import EmbeddedSandbox
from comms_tui.store.errors import DuplicateSend, StoreError
from tests.core.conftest import real
from tests.support.cli import REPO_ROOT

DND = "12025550101"  # the sandbox fails this item (do not disturb)


class Asked:
    """Answers every question with ``answer`` and remembers what was asked."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.kinds: list[str] = []

    async def __call__(self, question: Question) -> bool:
        self.kinds.append(question.kind)
        return self.answer


async def send(session: Session, to: list[str], body: str, ask: Asked) -> Sent | None:
    request = session.build_request(Channel.SMS, to, {"body": body})
    try:
        return await send_request(session, request, ask=ask)
    finally:
        await session.aclose()


async def test_sandbox_then_real_is_not_held(on_sandbox: Session) -> None:
    """A demo on the sandbox, then the same message for real: nobody got the demo."""
    first = await send(on_sandbox, ["919591471711"], "Your order has shipped", Asked(False))
    assert first is not None
    ask = Asked(False)
    sent = await send(real(on_sandbox), ["919591471711"], "Your order has shipped", ask)
    assert sent is not None and ask.kinds == []


async def test_real_then_real_through_another_profile_is_held(on_sandbox: Session) -> None:
    assert await send(real(on_sandbox), ["919591471711"], "Shipped", Asked(False)) is not None
    ask = Asked(False)
    assert await send(real(on_sandbox, "acme-eu"), ["919591471711"], "Shipped", ask) is None
    assert ask.kinds == ["duplicate"]


async def test_sandbox_then_sandbox_is_held_and_says_where_it_went(on_sandbox: Session) -> None:
    assert await send(on_sandbox, ["919591471711"], "Demo", Asked(False)) is not None
    questions: list[Question] = []

    async def ask(question: Question) -> bool:
        questions.append(question)
        return False

    request = on_sandbox.build_request(Channel.SMS, ["919591471711"], {"body": "Demo"})
    assert await send_request(on_sandbox, request, ask=ask) is None
    [question] = questions
    assert question.kind == "duplicate" and "on the sandbox" in question.text


async def test_an_item_that_failed_is_no_duplicate(on_sandbox: Session) -> None:
    session = real(on_sandbox)
    partial = await send(session, ["919591471711", DND], "Hello", Asked(True))
    assert partial is not None and partial.result.outcome.value == "partial"
    ask = Asked(False)
    again = await send(session, [DND], "Hello", ask)  # it failed: resending is no duplicate
    assert again is not None and ask.kinds == []
    held = Asked(False)
    assert await send(session, ["919591471711"], "Hello", held) is None  # that one was accepted
    assert held.kinds == ["duplicate"]


def test_the_journal_holds_the_second_of_two_racing_sends(on_sandbox: Session) -> None:
    """Both pass the check before either records: the transaction that records lets one in."""
    session = real(on_sandbox)
    journal = session.open_journal()
    request = session.build_request(Channel.SMS, ["919591471711"], {"body": "Race"})
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def begin() -> None:
        guard = duplicate_guard(request, session)
        barrier.wait()
        try:
            journal.begin(
                profile="acme", host="h", channel="sms", recipients=request.recipients,
                request=request.redacted_body(), fingerprints=guard.fingerprints,
                sandbox=False, guard=guard,
            )  # fmt: skip
        except DuplicateSend:
            outcomes.append("held")
        else:
            outcomes.append("recorded")

    threads = [threading.Thread(target=begin) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["held", "recorded"]


def test_two_identical_cli_sends_started_together_send_once(
    sandbox: EmbeddedSandbox, tmp_path: Path
) -> None:
    """Issue 12: two identical ``comms-tui send`` processes used to both send."""
    env = {
        "COMMS_TUI_HOST": sandbox.base_url,
        "COMMS_TUI_USERNAME": "sandbox",
        "COMMS_TUI_PASSWORD": "sandbox",
        "COMMS_TUI_DATA_DIR": str(tmp_path / "data"),
        "COMMS_TUI_CONFIG_DIR": str(tmp_path / "config"),
        "PYTHONPATH": str(REPO_ROOT),
        "PATH": "/usr/bin:/bin",
    }
    for round_ in range(5):
        sandbox.state.reset()
        argv = [sys.executable, "-m", "comms_tui", "send", "sms", "--to", "919591471711",
                "--body", f"round {round_}", "--json"]  # fmt: skip
        procs = [
            subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        codes = sorted(proc.wait(30) for proc in procs)
        assert codes == [0, 2], [p.stderr.read() if p.stderr else b"" for p in procs]
        assert sandbox.state.stats()["requests"] == 1


async def test_a_journal_that_fails_after_the_answer_never_hides_it(
    on_sandbox: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = on_sandbox.open_journal()

    def disk_full(*_args: object, **_kw: object) -> None:
        raise StoreError("database or disk is full")

    monkeypatch.setattr(journal, "complete", disk_full)
    sent = await send(on_sandbox, ["919591471711"], "Delivered", Asked(True))
    assert sent is not None
    assert sent.result.outcome.value == "accepted"
    assert sent.not_recorded == "database or disk is full"


async def test_a_journal_that_cannot_record_before_sending_sends_nothing(
    on_sandbox: Session, sandbox: EmbeddedSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = on_sandbox.open_journal()

    def unwritable(*_args: object, **_kw: object) -> int:
        raise StoreError("attempt to write a readonly database")

    monkeypatch.setattr(journal, "begin", unwritable)
    with pytest.raises(StoreError):
        await send(on_sandbox, ["919591471711"], "Not recorded", Asked(True))
    assert sandbox.state.stats()["requests"] == 0

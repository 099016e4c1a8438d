"""The results pane on its own: newest first, big results stay fast, badges say what happened."""

from __future__ import annotations

import base64
import gc
import hashlib
import time

import pytest
from textual.app import App, ComposeResult
from textual.widgets import OptionList

from comms_tui.api.attachments import Attachment
from comms_tui.api.channels import Channel
from comms_tui.api.errors import OutcomeUnknown
from comms_tui.api.requests import SendRequest
from comms_tui.api.results import ItemResult, Notice, Outcome, RedactedRequest, SendResult
from comms_tui.core.sender import Sent
from comms_tui.tui.widgets.items_view import ItemsView
from comms_tui.tui.widgets.results import ResultsPane
from tests.tui.conftest import fixed_clock

REQUEST = RedactedRequest(
    method="POST",
    url="https://apac.api.capillarytech.com/v2/communications/sendMessage?channel=sms",
    headers={"Authorization": "Basic <base64(username:md5(password))>"},
    body={"root": {"sms": []}},
)


def result(outcome: Outcome, items: list[ItemResult], **kw: object) -> SendResult:
    return SendResult(
        channel=Channel.SMS,
        outcome=outcome,
        request=REQUEST,
        items=items,
        http_status=kw.pop("http_status", 200),  # type: ignore[arg-type]
        request_id="req-1",
        latency_ms=42.0,
        **kw,  # type: ignore[arg-type]
    )


class PaneApp(App[None]):
    CSS_PATH = "../../comms_tui/tui/app.tcss"

    def compose(self) -> ComposeResult:
        yield ResultsPane(clock=fixed_clock)


async def test_a_thousand_items_render_quickly() -> None:
    items = [
        ItemResult(
            recipient=f"9195914{n:05d}",
            ok=n % 3 != 0,
            errors=() if n % 3 else (Notice(code=4209, message="do not disturb"),),
        )
        for n in range(1000)
    ]
    app = PaneApp()
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(ResultsPane)
        pane.add(Sent(history_id=6, result=result(Outcome.PARTIAL, items[:3])), "prod-in")
        await pilot.pause()  # first-paint costs (CSS, fonts of the theme) are not the point
        gc.collect()  # nor the garbage earlier tests left behind
        started = time.perf_counter()
        pane.add(Sent(history_id=7, result=result(Outcome.PARTIAL, items)), "prod-in")
        await pilot.pause()
        elapsed = time.perf_counter() - started
        assert app.query_one(ItemsView).row_count == 1000
        assert elapsed < 0.25, f"a 1,000-item result took {elapsed * 1000:.0f} ms to show"


async def test_newest_first_and_unknown_is_loud() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(ResultsPane)
        ok = ItemResult(recipient="919591471711", ok=True)
        pane.add(Sent(history_id=1, result=result(Outcome.ACCEPTED, [ok])), "sandbox")
        lost = ItemResult(recipient="12025550144", ok=None)
        unknown = result(
            Outcome.UNKNOWN, [lost], http_status=None, error=OutcomeUnknown("connection dropped")
        )
        pane.add(Sent(history_id=2, result=unknown), "sandbox")
        await pilot.pause()
        sends = app.query_one("#sends", OptionList)
        first, second = (str(sends.get_option_at_index(i).prompt) for i in (0, 1))
        assert "? UNKNOWN" in first and "✓ ACCEPTED" in second
        summary = str(app.query_one("#result-summary").render())
        assert "may have been sent; check before resending" in summary
        assert "connection dropped" in summary
        sends.focus()
        await pilot.press("down")  # selecting an older send shows it
        await pilot.pause()
        assert pane.selected is not None and pane.selected.sent.history_id == 1


async def test_older_records_let_go_of_their_attachments_beyond_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each record keeps the request it sent (resend failed, copy as curl) while the
    attachments older records hold fit the budget; the newest always keeps its own."""
    from comms_tui.api.requests import build_request
    from comms_tui.tui.widgets import results as results_module

    def email_with(size: int) -> SendRequest:
        data = bytes(size)
        attachment = Attachment.from_encoded(
            file_name="scan.pdf", file_type="pdf", file_data=base64.b64encode(data).decode(),
            raw_size=size, sha256=hashlib.sha256(data).hexdigest(),
        )  # fmt: skip
        fields = {"from": "ops@example.com", "subject": "Scan", "attachments": (attachment,)}
        return build_request(Channel.EMAIL, ["ana@example.com"], fields)

    monkeypatch.setattr(results_module, "KEPT_REQUEST_BYTES", 3_000)
    app = PaneApp()
    async with app.run_test(size=(120, 36)) as pilot:
        pane = app.query_one(ResultsPane)
        sent = Sent(history_id=1, result=result(Outcome.ACCEPTED, []))
        records = [pane.add(sent, "acme", email_with(1_000)) for _ in range(4)]  # 1 336 encoded
        await pilot.pause()
        assert [r.request is not None for r in records] == [False, False, True, True]
        big = pane.add(sent, "acme", email_with(5_000))  # over the budget alone: still kept
        assert big.request is not None
        assert [r.request is not None for r in records] == [False, False, False, False]
        pane.add(sent, "acme", email_with(100))  # a newer send: the big one is let go
        assert big.request is None

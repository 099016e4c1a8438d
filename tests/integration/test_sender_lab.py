"""The sender-ID lab against the sandbox's two OUs: a matrix of sender ID × attribution."""

from __future__ import annotations

import csv
import io
import json

from comms_tui.api.client import CommsClient
from comms_tui.api.target import Attribution, Target
from comms_tui.core.lab import SenderIdLab
from comms_tui.sandbox import EmbeddedSandbox
from comms_tui.store.history import Journal
from tests.support.sessions import sender_for

SOUTH = Attribution(code="south.till")
NORTH = Attribution.parse("STORE_CODE:NORTH01")


async def _run(target: Target, *args, **kw):  # type: ignore[no-untyped-def]
    async with CommsClient(target) as client:
        lab = SenderIdLab(sender_for(client, Journal(), name="sandbox"))
        return await lab.run(*args, **kw)


async def test_matrix_of_two_ous_with_valid_invalid_and_malformed_ids(
    basic_target: Target, fresh: EmbeddedSandbox
) -> None:
    matrix = await _run(
        basic_target, ["919591471711"], ["CAPNTH", "CAPSTH", "BAD ID!"], [SOUTH, NORTH]
    )
    cells = {(c.sender, c.attribution): c for c in matrix.cells}
    assert cells[("CAPSTH", "TILL:south.till")].outcome == "accepted"
    assert cells[("CAPNTH", "STORE_CODE:NORTH01")].outcome == "accepted"
    wrong = cells[("CAPNTH", "TILL:south.till")]
    assert wrong.outcome == "rejected" and wrong.errors[0].startswith("4250: ")
    assert wrong.request_id and wrong.latency_ms is not None and wrong.history_id
    assert cells[("BAD ID!", "TILL:south.till")].outcome == "invalid"
    assert matrix.working("TILL:south.till") == ["CAPSTH"]
    # one request per attribution, one item per (valid) sender ID
    assert fresh.state.stats()["requests"] == 2
    senders = sorted(m["sender"] for m in fresh.state.outbox())
    assert senders == ["CAPNTH", "CAPSTH"]
    assert matrix.exit_code == 1


async def test_a_refused_attribution_marks_its_cells_not_sent(basic_target: Target) -> None:
    matrix = await _run(basic_target, ["919591471711"], ["CAPNTH"], [Attribution(code="nowhere")])
    (cell,) = matrix.cells
    assert cell.outcome == "not_sent" and cell.ok is False
    assert "attribution entity not found" in cell.summary
    assert matrix.exit_code == 3


async def test_matrix_exports_as_json_and_csv(basic_target: Target) -> None:
    matrix = await _run(basic_target, ["919591471711"], ["CAPNTH", "CAPSTH"])
    data = json.loads(json.dumps(matrix.to_json()))
    assert data["attributions"] == ["default"]
    assert [c["outcome"] for c in data["cells"]] == ["accepted", "rejected"]
    rows = list(csv.DictReader(io.StringIO(matrix.to_csv())))
    assert [(r["sender"], r["outcome"]) for r in rows] == [
        ("CAPNTH", "accepted"),
        ("CAPSTH", "rejected"),
    ]
    assert rows[1]["errors"].startswith("4250")


async def test_a_500_with_the_api_status_is_a_server_error_not_not_sent(
    basic_target: Target,
) -> None:
    """12025550150: the API's own 500. It failed, but that does not say nothing went out."""
    matrix = await _run(basic_target, ["12025550150"], ["CAPNTH"])
    (cell,) = matrix.cells
    assert cell.outcome == "server_error" and cell.ok is False
    assert cell.summary.startswith("the server reported an error")
    assert "nothing was sent" not in cell.summary
    assert matrix.exit_code == 3  # as `send` exits for a rejected request

"""Outbox, stats and admin endpoints; server lifecycle; robustness under odd input and threads."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comms_tui.sandbox import EmbeddedSandbox, SandboxConfig, run_standalone
from comms_tui.sandbox.server import banner, ensure_loopback

from .helpers import (
    PHONE,
    email,
    make_client,
    outbox,
    post_raw,
    send,
    sms,
    stats,
    status,
    templated,
)


def test_health(client: httpx.Client) -> None:
    response = client.get("/sandbox/health")
    assert response.json() == {"ok": True}
    assert response.headers["X-Cap-Requestid"]


def test_outbox_records_every_channel_newest_last(client: httpx.Client) -> None:
    send(client, "sms", [sms(scheduledTime="2024-02-22T00:25:06+05:30")])
    send(client, "email", [email(cc="c@example.com")])
    send(client, "whatsapp", [templated("919000000003", "wa text")])
    send(client, "zalo", [templated("919000000004", "zalo text")])
    first, mail, wa, zalo = outbox(client)
    assert set(first) == {
        "id", "channel", "ou", "requestId", "recipient", "sender", "body",
        "scheduledTime", "receivedAt", "attachments", "warnings",
    }  # fmt: skip
    assert (first["channel"], first["recipient"], first["sender"]) == ("sms", PHONE, "CAPNTH")
    assert (first["body"], first["scheduledTime"]) == ("hello", "2024-02-21T18:55:06Z")
    assert (mail["recipient"], mail["from"], mail["cc"], mail["bcc"]) == (
        "user@example.com",
        "noreply@example.com",
        ["c@example.com"],
        [],
    )
    assert (mail["subject"], mail["body"]) == ("Hi", "<p>Hello</p>")
    assert (wa["channel"], wa["template"]) == ("whatsapp", "wa text")
    assert (zalo["channel"], zalo["recipient"], zalo["template"]) == (
        "zalo",
        "919000000004",
        "zalo text",
    )
    ids = [m["id"] for m in (first, mail, wa, zalo)]
    assert ids == sorted(ids) and len(set(ids)) == 4


def test_outbox_filter_and_clear(client: httpx.Client) -> None:
    send(client, "sms", [sms("919000000010"), sms("919000000011"), sms("919000000010")])
    assert [m["recipient"] for m in outbox(client, "919000000010")] == ["919000000010"] * 2
    assert outbox(client, "919999999999") == []
    assert client.delete("/sandbox/outbox").json() == {"ok": True}
    assert outbox(client) == []


def test_stats_count_every_request_even_refused_ones(client: httpx.Client) -> None:
    send(client, "sms", [sms(), sms("919000000020")])
    send(client, "sms", [sms()], headers={})  # 401, still received
    post_raw(client, b"garbage")  # 400, no recipients to count
    client.post("/sandbox/tokens/expire")  # not a sendMessage call
    assert stats(client) == {"requests": 3, "by_recipient": {PHONE: 2, "919000000020": 1}}


def test_reset_forgets_state(client: httpx.Client) -> None:
    send(client, "sms", [sms()])
    assert client.post("/sandbox/reset").json() == {"ok": True}
    assert outbox(client) == [] and stats(client) == {"requests": 0, "by_recipient": {}}


def test_unknown_path_and_method_answer_json_status(client: httpx.Client) -> None:
    missing = client.get("/v2/communications/nothing")
    assert missing.status_code == 404 and status(missing)["code"] == 404
    assert missing.headers["X-Cap-Requestid"]
    wrong = client.get("/v2/communications/sendMessage")
    assert wrong.status_code == 405 and "POST" in wrong.headers["Allow"]


def test_request_ids_are_unique(client: httpx.Client) -> None:
    ids = {send(client, "sms", [sms()]).headers["X-Cap-Requestid"] for _ in range(20)}
    assert len(ids) == 20


def test_concurrent_senders_all_land_once(client: httpx.Client, sandbox: EmbeddedSandbox) -> None:
    def worker(n: int) -> None:
        with make_client(sandbox.base_url) as own:
            for i in range(10):
                assert send(own, "sms", [sms(f"9190000{n:02d}{i:03d}")]).status_code == 200

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    messages = sandbox.state.outbox()  # read from this thread, not over HTTP
    assert len(messages) == 60 and len({m["id"] for m in messages}) == 60
    assert len({m["recipient"] for m in messages}) == 60
    assert sandbox.state.stats()["requests"] == 60


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(["to", "body", "sender", "scheduledTime", "receiver", "template", "cc",
                          "from", "subject", "attachments", "bcc"])  # fmt: skip
ITEMS = st.lists(st.dictionaries(FIELDS, JSON, max_size=6) | JSON, min_size=0, max_size=3)


@settings(max_examples=50, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    channel=st.sampled_from(["sms", "email", "whatsapp", "zalo"]),
    items=ITEMS,
    envelope=st.booleans(),
)
def test_arbitrary_json_never_gets_a_5xx(
    client: httpx.Client, channel: str, items: list[object], envelope: bool
) -> None:
    key = {"sms": "sms", "email": "email", "whatsapp": "whatsappMessage", "zalo": "zaloMessage"}
    inner = {key[channel]: items}
    response = post_raw(client, json.dumps({"root": inner} if envelope else inner), channel=channel)
    assert response.status_code in (200, 201, 400), response.text
    assert "status" in response.json()


# ----------------------------------------------------------------------------- server


def test_embedded_sandbox_starts_fast_and_stops_cleanly() -> None:
    started = time.monotonic()
    sandbox = EmbeddedSandbox(SandboxConfig(batch_limit=2))
    url = sandbox.start()
    assert time.monotonic() - started < 0.5
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url) and sandbox.base_url == url
    with make_client(url) as http:
        assert send(http, "sms", [sms()] * 3).status_code == 400  # this instance's config
        assert sandbox.state.stats()["requests"] == 1
    sandbox.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/sandbox/health", timeout=1)
    sandbox.stop()  # idempotent
    with pytest.raises(RuntimeError):
        _ = sandbox.base_url


def test_context_manager_and_single_start() -> None:
    with EmbeddedSandbox() as sandbox:
        assert httpx.get(sandbox.base_url + "/sandbox/health").json() == {"ok": True}
        with pytest.raises(RuntimeError):
            sandbox.start()


def test_busy_port_fails_loudly(sandbox: EmbeddedSandbox) -> None:
    port = int(sandbox.base_url.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        EmbeddedSandbox(port=port).start()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com", ""])
def test_only_loopback_hosts_are_served(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        run_standalone(host=host, port=0)
    with pytest.raises(ValueError, match="loopback"):
        EmbeddedSandbox(host=host)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.2", "::1", "[::1]"])
def test_loopback_hosts_are_allowed(host: str) -> None:
    ensure_loopback(host)


def test_banner_lists_credentials_and_every_magic_recipient() -> None:
    text = banner("http://127.0.0.1:8765", SandboxConfig(slow_seconds=3))
    for needle in ("sandbox / sandbox", "sandbox-key", "sandbox-secret", "CAPSTH", "3 s"):
        assert needle in text
    for digits in ("00", "01", "02", "22", "29", "40", "44", "50", "53"):
        assert f"120255501{digits}" in text


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
def test_standalone_serves_until_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "comms_tui.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert url, first
        assert httpx.get(url.group() + "/sandbox/health", timeout=5).json() == {"ok": True}
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_importing_the_package_does_not_load_the_web_stack() -> None:
    code = (
        "import sys, comms_tui.sandbox as s; "
        "assert 'starlette' not in sys.modules and 'uvicorn' not in sys.modules; "
        "s.SandboxConfig; assert 'uvicorn' not in sys.modules; "
        "s.EmbeddedSandbox; assert 'uvicorn' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

"""The replay command (``comms_tui.api.curl``) run for real, with bash and with a POSIX sh.

Against a recording server it must deliver exactly the request ``CommsClient.send`` delivers
(method, path and query, headers, body bytes; only the transport's own Accept-Encoding and
Connection differ); against the sandbox it must be accepted and the text must arrive intact.
For an SMS whose text holds quotes, ``$``, backticks, a newline, unicode, a bidi override and a
C1 control, and for an email with a 300 KB attachment (its body goes to a 0600 file), with Basic
and with OAuth (a token from the environment, or one fetched from the token endpoint).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from comms_tui.api.attachments import load_attachment
from comms_tui.api.auth import basic_authorization, md5_hex
from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.curl import BodyFileNeeded, CurlReplay, replay_command
from comms_tui.api.requests import SendRequest, build_request
from comms_tui.api.results import Outcome
from comms_tui.api.target import (
    Attribution,
    BasicCredentials,
    Credentials,
    OAuthCredentials,
    Target,
)
from comms_tui.sandbox import EmbeddedSandbox
from tests.support.recording_server import TOKEN, Recorded, RecordingServer

pytestmark = pytest.mark.skipif(
    shutil.which("curl") is None, reason="curl is not installed: the replay command runs curl"
)

SMS_TEXT = "He said \"hi\" & it's $HOME `whoami` $(id) \\ 100%s\n🎉 naïve ‘curly’ ' \u202eRTL\u0085"
# bash, and the system's sh when it is another shell (dash here): the command must be POSIX.
SHELLS = ["bash"] + (
    ["sh"] if shutil.which("sh") and os.path.realpath(shutil.which("sh") or "").find("bash") < 0
    else []
)  # fmt: skip
TRANSPORT_ONLY = {"accept-encoding", "connection"}  # httpx's own; curl sends neither


def _sms() -> SendRequest:
    return build_request(
        Channel.SMS, ["919591471711", "12025550100"], {"body": SMS_TEXT, "sender": "CAPNTH"}
    )


def _email(tmp_path: Path) -> SendRequest:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4 " + os.urandom(300 * 1024))
    fields = {
        "from": "noreply@example.com",
        "subject": "Report for $USER `date`",
        "body": '<p>It\'s "attached"</p>',
        "attachments": (load_attachment(path),),
    }
    return build_request(Channel.EMAIL, ["user@example.com"], fields)


REQUESTS = {"sms": lambda tmp: _sms(), "email": _email}


def _env(auth: str, credentials: Credentials) -> dict[str, str]:
    if isinstance(credentials, BasicCredentials):
        return {
            "COMMS_TUI_USERNAME": credentials.username,
            "COMMS_TUI_PASSWORD": credentials.password,
        }
    if auth == "oauth-token":
        return {"COMMS_TUI_TOKEN": TOKEN}
    return {
        "COMMS_TUI_CLIENT_KEY": credentials.client_key,
        "COMMS_TUI_CLIENT_SECRET": credentials.client_secret,
    }


def _run(
    replay: CurlReplay, env: dict[str, str], shell: str = "bash", path: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [shutil.which(shell) or shell, "-c", replay.script],
        env={"PATH": path or os.environ["PATH"], "LC_ALL": "C.UTF-8", **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _comparable(recorded: Recorded) -> tuple[str, str, dict[str, str], bytes]:
    names = [name.lower() for name, _ in recorded.headers]
    assert len(names) == len(set(names)), names  # no header sent twice
    headers = {k: v for k, v in recorded.header_map().items() if k not in TRANSPORT_ONLY}
    return recorded.method, recorded.target, headers, recorded.body


def _answer(stdout: str) -> tuple[str, dict[str, object]]:
    head, _, body = stdout.replace("\r\n", "\n").partition("\n\n")
    return head.splitlines()[0], json.loads(body)


@pytest.fixture
def recorder() -> Iterator[RecordingServer]:
    with RecordingServer() as server:
        yield server


def _secrets(credentials: Credentials) -> list[str]:
    if isinstance(credentials, BasicCredentials):
        return [
            credentials.password,
            md5_hex(credentials.password),
            basic_authorization(credentials).split()[1],
        ]
    return [credentials.client_secret, TOKEN]


# --------------------------------------------------------------------------- byte for byte


RECORDING_CREDENTIALS: dict[str, Credentials] = {
    "basic": BasicCredentials("store.server", "server123"),  # the reference's test vector
    "oauth-token": OAuthCredentials("rec-key", 'a "quoted" \\ secret'),
    "oauth-endpoint": OAuthCredentials("rec-key", 'a "quoted" \\ secret'),
}


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("auth", list(RECORDING_CREDENTIALS))
@pytest.mark.parametrize("kind", list(REQUESTS))
async def test_the_command_sends_exactly_what_the_client_sends(
    kind: str, auth: str, shell: str, recorder: RecordingServer, tmp_path: Path
) -> None:
    request = REQUESTS[kind](tmp_path)
    credentials = RECORDING_CREDENTIALS[auth]
    target = Target(
        base_url=recorder.base_url,
        credentials=credentials,
        attribution=Attribution.parse("STORE_CODE:SOUTH01"),
    )
    async with CommsClient(target) as client:
        result = await client.send(request)
    assert result.outcome is Outcome.ACCEPTED, result.error
    (by_client,) = recorder.sends()
    client_tokens = recorder.token_requests()
    recorder.clear()

    replay = replay_command(request, target, body_dir=tmp_path)
    for secret in _secrets(credentials):
        assert secret not in replay.script
    proc = _run(replay, _env(auth, credentials), shell)
    assert proc.returncode == 0, proc.stderr
    assert _answer(proc.stdout)[0].endswith(" 200 OK")
    (by_curl,) = recorder.sends()
    assert _comparable(by_curl) == _comparable(by_client)
    assert by_curl.body == request.body_bytes()
    if auth == "basic":
        assert by_curl.header_map()["authorization"] == (
            "Basic c3RvcmUuc2VydmVyOjhhMTZhNmI3MDUwNWViMWYxZmY3Y2RjMGNkNTU1OWE3"
        )
    # A token from the endpoint is asked for the way the client asks for it.
    curl_tokens = recorder.token_requests()
    assert len(curl_tokens) == (1 if auth == "oauth-endpoint" else 0)
    if curl_tokens:
        (mine,), (theirs,) = client_tokens, curl_tokens
        assert json.loads(theirs.body) == json.loads(mine.body)
        assert theirs.header_map()["content-type"] == mine.header_map()["content-type"]
        assert theirs.header_map()["user-agent"] == mine.header_map()["user-agent"]
    if kind == "email":
        assert replay.body_file is not None and replay.body_file.parent == tmp_path
        assert stat.S_IMODE(replay.body_file.stat().st_mode) == 0o600
        assert replay.body_file.read_bytes() == request.body_bytes()
        assert str(replay.body_file) in replay.script
    else:
        assert replay.body_file is None and not list(tmp_path.glob("comms-tui-body-*"))


# --------------------------------------------------------------------------- the sandbox


SANDBOX_CREDENTIALS: dict[str, Credentials] = {
    "basic": BasicCredentials("sandbox", "sandbox"),
    "oauth-endpoint": OAuthCredentials("sandbox-key", "sandbox-secret"),
}


@pytest.mark.parametrize("auth", list(SANDBOX_CREDENTIALS))
@pytest.mark.parametrize("kind", list(REQUESTS))
def test_the_sandbox_accepts_the_command_and_the_text_arrives_intact(
    kind: str, auth: str, fresh: EmbeddedSandbox, tmp_path: Path
) -> None:
    request = REQUESTS[kind](tmp_path)
    credentials = SANDBOX_CREDENTIALS[auth]
    target = Target(base_url=fresh.base_url, credentials=credentials)
    replay = replay_command(request, target, body_dir=tmp_path)
    proc = _run(replay, _env(auth, credentials))
    assert proc.returncode == 0, proc.stderr
    status_line, answer = _answer(proc.stdout)
    assert status_line.endswith(" 200 OK"), proc.stdout[:500]
    status = answer["status"]
    assert isinstance(status, dict) and status["successCount"] == len(request.items)
    stored = fresh.state.outbox()
    assert len(stored) == len(request.items)
    if kind == "sms":
        assert {m["body"] for m in stored} == {SMS_TEXT}
    else:
        [message] = stored
        assert message["subject"] == "Report for $USER `date`"
        [attachment] = request.items[0].attachments  # type: ignore[union-attr]
        assert message["attachments"][0]["size"] == attachment.raw_size
        assert base64.b64decode(str(attachment.file_data))[:9] == b"%PDF-1.4 "


def test_a_token_from_the_environment_works_against_the_sandbox(fresh: EmbeddedSandbox) -> None:
    token, _ttl = fresh.state.issue_token("sandbox-key", "sandbox-secret")
    target = Target(base_url=fresh.base_url, credentials=OAuthCredentials("any", "any"))
    proc = _run(replay_command(_sms(), target), {"COMMS_TUI_TOKEN": token})
    assert proc.returncode == 0, proc.stderr
    assert _answer(proc.stdout)[0].endswith(" 200 OK")
    assert len(fresh.state.outbox()) == 2


# --------------------------------------------------------------------------- failing loudly


@pytest.mark.parametrize(
    ("credentials", "env", "named"),
    [
        (BasicCredentials("u", "p"), {}, "COMMS_TUI_USERNAME"),
        (BasicCredentials("u", "p"), {"COMMS_TUI_USERNAME": "u"}, "COMMS_TUI_PASSWORD"),
        (OAuthCredentials("k", "s"), {}, "COMMS_TUI_CLIENT_KEY"),
        (OAuthCredentials("k", "s"), {"COMMS_TUI_CLIENT_KEY": "k"}, "COMMS_TUI_CLIENT_SECRET"),
    ],
)
@pytest.mark.parametrize("shell", SHELLS)
def test_a_missing_variable_is_named_and_nothing_is_sent(
    credentials: Credentials,
    env: dict[str, str],
    named: str,
    shell: str,
    recorder: RecordingServer,
) -> None:
    target = Target(base_url=recorder.base_url, credentials=credentials)
    proc = _run(replay_command(_sms(), target), env, shell)
    assert proc.returncode != 0 and named in proc.stderr, proc.stderr
    assert recorder.received == []


def test_a_refused_client_key_is_said_and_nothing_is_sent(fresh: EmbeddedSandbox) -> None:
    target = Target(base_url=fresh.base_url, credentials=OAuthCredentials("k", "s"))
    env = {"COMMS_TUI_CLIENT_KEY": "sandbox-key", "COMMS_TUI_CLIENT_SECRET": "wrong"}
    proc = _run(replay_command(_sms(), target), env)
    assert proc.returncode == 1
    assert "no accessToken: Invalid client key and secret" in proc.stderr
    assert "wrong" not in proc.stderr + proc.stdout
    assert fresh.state.stats()["requests"] == 0


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
async def test_without_md5sum_or_base64_openssl_does_the_hashing(
    recorder: RecordingServer, tmp_path: Path
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("curl", "cut", "tr", "sed", "openssl"):
        (tools / tool).symlink_to(shutil.which(tool) or tool)
    credentials = BasicCredentials("store.server", "server123")
    target = Target(base_url=recorder.base_url, credentials=credentials)
    proc = _run(replay_command(_sms(), target), _env("basic", credentials), path=str(tools))
    assert proc.returncode == 0, proc.stderr
    (sent,) = recorder.sends()
    assert sent.header_map()["authorization"] == basic_authorization(credentials)


# --------------------------------------------------------------------------- where the body goes


def test_a_large_body_needs_a_directory_and_nothing_is_written_unasked(tmp_path: Path) -> None:
    request = _email(tmp_path)
    target = Target(base_url="https://api.example", credentials=BasicCredentials("u", "p"))
    before = set(tmp_path.iterdir())
    with pytest.raises(BodyFileNeeded, match="give a directory"):
        replay_command(request, target)
    assert set(tmp_path.iterdir()) == before
    small = replay_command(_sms(), target, body_dir=tmp_path)
    assert small.body_file is None and set(tmp_path.iterdir()) == before
    assert small.body_size == len(_sms().body_bytes())


def test_tls_verification_off_is_replayed_too() -> None:
    target = Target(
        base_url="https://api.example", credentials=BasicCredentials("u", "p"), verify_tls=False
    )
    assert "--insecure" in replay_command(_sms(), target).script
    verified = Target(base_url="https://api.example", credentials=BasicCredentials("u", "p"))
    assert "--insecure" not in replay_command(_sms(), verified).script

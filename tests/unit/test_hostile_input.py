"""Input a user may type, or code may build, that no HTTP request can carry: refused with a
message that says why, or — if it gets as far as the client — "not sent", never an exception or
an ``unknown``. And server text stays short in error messages."""

from __future__ import annotations

import json

import httpx
import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.errors import (
    MAX_MESSAGE_CHARS,
    AuthFailed,
    ConnectFailed,
    InvalidInput,
    NotPrepared,
    NotSent,
    clip,
)
from comms_tui.api.requests import build_request, validate_item
from comms_tui.api.results import Outcome
from comms_tui.api.target import (
    Attribution,
    BasicCredentials,
    OAuthCredentials,
    Target,
    resolve_base_url,
)

SMS = build_request(Channel.SMS, ["919591471711"], {"body": "hi"})
OK_BODY = {
    "status": {"code": 200, "success": True},
    "smsList": [{"sms": {"to": "919591471711"}, "errors": [], "warnings": []}],
}


class Recorder:
    def __init__(self, answer: httpx.Response | Exception) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def client(self, target: Target) -> CommsClient:
        return CommsClient(target, transport=httpx.MockTransport(self))


# --------------------------------------------------------------------------- attribution


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("STORE_NAME:Café Mumbai", "é"),
        ("STORE_NAME:東京店", "東"),
        ("TILL:till\r\nX-Evil: 1", "'\\r'"),
        ("TILL:a\x1b[2Jb", "'\\x1b'"),
        ("TILL:tab\there", "'\\t'"),
        ("TILL:del\x7f", "'\\x7f'"),
    ],
)
def test_attribution_refuses_what_a_header_cannot_carry_and_says_what_to_use(
    text: str, shown: str
) -> None:
    """Before: accepted, and every send failed with UnicodeEncodeError (an ``unknown`` row)."""
    with pytest.raises(InvalidInput) as refused:
        Attribution.parse(text)
    message = refused.value.message
    assert refused.value.field == "attribution"
    assert "ASCII" in message  # why
    assert "STORE_CODE" in message  # what to use instead
    assert shown in message  # which character, made visible
    assert "\x1b" not in message and "\r" not in message


def test_attribution_keeps_plain_ascii_codes_with_spaces() -> None:
    assert Attribution.parse("STORE_NAME:Cafe Mumbai").code == "Cafe Mumbai"
    assert Attribution.parse("south.till") == Attribution(code="south.till")


# --------------------------------------------------------------------------- hosts


@pytest.mark.parametrize(
    "host",
    [
        "http://[::1",
        "https://[x]",
        "http://127.0.0.1:abc",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:0",
        "https://eu.api.capillarytech.com:-1",
        "https://a b.example",
        "https://ex\x00ample.com",
        "https://example.com\r\nHost: evil",
        "eu.api.capillary tech.com",
        "https://\x1b[2J.example",
        "https://☃︎.example",
    ],
)
def test_malformed_hosts_are_invalid_input_never_a_traceback(host: str) -> None:
    """Before: ValueError out of urlsplit / ``.port`` (a traceback in the CLI, a crash in the
    add-profile form, a saved profile that crashed every later send)."""
    with pytest.raises(InvalidInput) as refused:
        resolve_base_url(host, allow_insecure_http=True)
    assert refused.value.field == "host"
    assert "\x1b" not in refused.value.message and "\r" not in refused.value.message


@pytest.mark.parametrize("host", ["https://till:s3cret@[x", "https://till:s3cret@h:99999"])
def test_a_malformed_host_with_credentials_is_refused_without_quoting_them(host: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_base_url(host)
    assert "s3cret" not in refused.value.message and "till" not in refused.value.message


def test_good_hosts_still_resolve() -> None:
    assert resolve_base_url("http://[::1]:8765") == "http://[::1]:8765"
    assert resolve_base_url("https://bücher.example") == "https://bücher.example"
    assert resolve_base_url("https://eu.api.capillarytech.com:443/") == (
        "https://eu.api.capillarytech.com:443"
    )


# --------------------------------------------------------------------------- email subject


@pytest.mark.parametrize("subject", ["Report\r\nBcc: all@example.com", "two\nlines", "cr\rhere"])
def test_a_line_break_in_an_email_subject_is_refused(subject: str) -> None:
    fields = {"to": "a@example.com", "from": "b@example.com", "subject": subject, "body": "x"}
    with pytest.raises(InvalidInput) as refused:
        validate_item(Channel.EMAIL, fields)
    assert set(refused.value.errors) == {"subject"}
    assert "one line" in refused.value.errors["subject"]


# --------------------------------------------------------------------------- never left the machine


async def test_a_base_url_httpx_refuses_is_not_sent() -> None:
    """A Target built by code around resolve_base_url: before, httpx.InvalidURL escaped."""
    recorder = Recorder(httpx.Response(200, json=OK_BODY))
    target = Target(base_url="http://[::1", credentials=BasicCredentials("u", "p"))
    async with recorder.client(target) as client:
        result = await client.send(SMS)
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, NotPrepared)
    assert result.sent_nothing and recorder.requests == []


async def test_a_password_never_breaks_the_request() -> None:
    """Basic credentials are base64 on the wire: any password and any username that is text is
    ASCII there (control characters, or a ':' in the username, are refused when made:
    test_auth)."""
    recorder = Recorder(httpx.Response(200, json=OK_BODY))
    target = Target(
        base_url="https://api.example", credentials=BasicCredentials("tïll ✓", "pässwörd :✓")
    )
    async with recorder.client(target) as client:
        result = await client.send(SMS)
    assert result.outcome is Outcome.ACCEPTED, result.error


@pytest.mark.parametrize("token", ["t\r\nX-Evil: 1", "jwt-ñ", "", " x"])
async def test_a_token_that_is_not_a_header_value_is_a_token_failure(token: str) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        data = {"data": {"accessToken": token, "ttlSeconds": 300}, "errors": None}
        return httpx.Response(200, json=data)

    target = Target(base_url="https://api.example", credentials=OAuthCredentials("k", "s"))
    async with CommsClient(target, transport=httpx.MockTransport(handler)) as client:
        result = await client.send(SMS)
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, NotSent)
    assert calls == ["/v3/oauth/token/generate"]  # no message went out
    if token.strip():
        assert isinstance(result.error, AuthFailed)
        assert token.strip() not in result.error.message


# --------------------------------------------------------------------------- long server text


def test_clip_keeps_short_text_and_says_how_much_it_left_out() -> None:
    assert clip("short") == "short"
    assert clip("x" * MAX_MESSAGE_CHARS) == "x" * MAX_MESSAGE_CHARS
    clipped = clip("x" * 5_000_000)
    assert clipped.startswith("x" * MAX_MESSAGE_CHARS)
    assert clipped.endswith(
        f"… ({5_000_000 - MAX_MESSAGE_CHARS} more characters; see the raw response)"
    )


@pytest.mark.parametrize("status", [400, 401, 403, 429, 500])
async def test_a_5_mb_server_message_is_clipped_in_the_error(status: int) -> None:
    long = "é" * 5_000_000
    body = {"status": {"code": status, "success": False, "message": long}}
    recorder = Recorder(httpx.Response(status, json=body, headers={"Retry-After": "99999"}))
    target = Target(base_url="https://api.example", credentials=BasicCredentials("u", "p"))
    async with recorder.client(target) as client:
        result = await client.send(SMS)
    assert result.error is not None and len(result.error.message) < 1000
    assert "more characters" in result.error.message
    assert result.response_text is not None and long in result.response_text


async def test_a_5_mb_token_error_is_clipped() -> None:
    long = "x" * 5_000_000
    body = {"data": None, "errors": [{"code": 320001, "message": long}]}
    recorder = Recorder(httpx.Response(401, content=json.dumps(body).encode()))
    target = Target(base_url="https://api.example", credentials=OAuthCredentials("k", "s"))
    async with recorder.client(target) as client:
        result = await client.send(SMS)
    assert isinstance(result.error, AuthFailed) and result.error.code == 320001
    assert len(result.error.message) < 1000 and "more characters" in result.error.message


@pytest.mark.parametrize(
    "errors", [["a plain string"], [["nested"]], "not a list", [{"code": "x", "message": 5}]]
)
async def test_odd_token_error_shapes_are_still_a_token_failure(errors: object) -> None:
    body = {"data": None, "errors": errors}
    recorder = Recorder(httpx.Response(400, json=body))
    target = Target(base_url="https://api.example", credentials=OAuthCredentials("k", "s"))
    async with recorder.client(target) as client:
        result = await client.send(SMS)
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, AuthFailed)


@pytest.mark.parametrize("ttl", ["NaN", "Infinity", "-5", "1e999", "null", "[]", '"soon"', "0"])
async def test_odd_token_lifetimes_give_a_usable_token(ttl: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/generate"):
            raw = '{"data": {"accessToken": "t", "ttlSeconds": TTL}}'.replace("TTL", ttl)
            return httpx.Response(200, content=raw.encode())
        return httpx.Response(200, json=OK_BODY)

    target = Target(base_url="https://api.example", credentials=OAuthCredentials("k", "s"))
    async with CommsClient(target, transport=httpx.MockTransport(handler)) as client:
        result = await client.send(SMS)
        assert client.oauth is not None
        remaining = client.oauth.ttl_remaining
    assert result.outcome is Outcome.ACCEPTED
    assert remaining is not None and 0 < remaining <= 300


# --------------------------------------------------------------------------- profile check


@pytest.mark.parametrize(
    "failure", [httpx.ReadError(""), httpx.RemoteProtocolError(""), httpx.WriteError("")]
)
async def test_check_never_gives_an_empty_reason(failure: Exception) -> None:
    recorder = Recorder(failure)
    target = Target(base_url="https://api.example", credentials=BasicCredentials("u", "p"))
    async with recorder.client(target) as client:
        with pytest.raises(ConnectFailed) as failed:
            await client.check()
    reason = failed.value.message.removeprefix("could not reach https://api.example: ")
    assert reason.startswith(("the server closed", "the connection broke")), reason
    assert type(failure).__name__ not in reason  # words, not a library's class name

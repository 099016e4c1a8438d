"""Basic auth with the MD5 of the password (the doc's test vector), OAuth token caching."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from comms_tui.api.auth import (
    OAuthSession,
    attribution_headers,
    basic_authorization,
    md5_hex,
    redact_headers,
)
from comms_tui.api.errors import AuthFailed, ConnectFailed, InvalidInput
from comms_tui.api.target import (
    Attribution,
    BasicCredentials,
    OAuthCredentials,
    resolve_base_url,
)


def test_the_documented_basic_test_vector() -> None:
    assert md5_hex("server123") == "8a16a6b70505eb1f1ff7cdc0cd5559a7"
    assert (
        basic_authorization(BasicCredentials("store.server", "server123"))
        == "Basic c3RvcmUuc2VydmVyOjhhMTZhNmI3MDUwNWViMWYxZmY3Y2RjMGNkNTU1OWE3"
    )


def test_credentials_repr_hides_secrets() -> None:
    assert "server123" not in repr(BasicCredentials("store.server", "server123"))
    assert "s3cret" not in repr(OAuthCredentials("key", "s3cret"))


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda: BasicCredentials("till:1", "pw"), "':', which Basic authentication cannot"),
        (lambda: BasicCredentials("till\x1b[2J", "pw"), "username contains control characters"),
        (lambda: BasicCredentials("till\udcff", "pw"), "username contains bytes that are not"),
        (lambda: BasicCredentials("till", "Zq9\udcffsecret"), "password contains bytes that are"),
        (lambda: OAuthCredentials("key\x85", "s"), "client key contains control characters"),
        (lambda: OAuthCredentials("key", "Zq9\udcffsecret"), "client secret contains bytes"),
        # A line end copied with a password set from a file: hashed with it, every send 401.
        (lambda: BasicCredentials("till", "Zq9secret\n"), "control character at its end"),
        (lambda: BasicCredentials("till", "Zq9\x1b[2Jsecret"), "control character in it"),
        (lambda: OAuthCredentials("key", "Zq9secret\r\n"), "control character at its end"),
    ],
)
def test_credentials_no_request_could_carry_are_refused_when_made(
    make: Callable[[], object], problem: str
) -> None:
    """Refused as the session opens: the first request's headers are built after the send is
    journaled, and an encoding error there left a pending entry for a send that never left."""
    with pytest.raises(InvalidInput) as refused:
        make()
    assert problem in refused.value.message
    assert refused.value.field == "auth"
    assert "Zq9" not in refused.value.message  # a secret is described, never quoted


def test_a_colon_is_fine_in_an_oauth_client_key_and_any_text_in_a_secret() -> None:
    assert OAuthCredentials("key:with:colons", "s").client_key == "key:with:colons"
    assert BasicCredentials("till", "pä:ss 🔑").password == "pä:ss 🔑"


def test_attribution_header_names_differ_per_auth_mode() -> None:
    till = Attribution(code="south.till")
    assert attribution_headers(OAuthCredentials("k", "s"), till) == {
        "X-CAP-API-ATTRIBUTION-ENTITY-TYPE": "TILL",
        "X-CAP-API-ATTRIBUTION-ENTITY-CODE": "south.till",
    }
    assert attribution_headers(BasicCredentials("u", "p"), Attribution.parse("STORE_CODE:S1")) == {
        "X-CAP-API-ATTRIBUTION-LOOKUP-TYPE": "STORE_CODE",
        "X-CAP-API-ATTRIBUTION-LOOKUP": "S1",
    }
    assert attribution_headers(BasicCredentials("u", "p"), None) == {}


def test_redaction_masks_both_credential_headers() -> None:
    headers = redact_headers(
        {"Authorization": "Basic QmFzaWNTZW50", "X-CAP-API-OAUTH-TOKEN": "jwtSENT", "Accept": "x"}
    )
    assert "QmFzaWNTZW50" not in json.dumps(headers) and "jwtSENT" not in json.dumps(headers)
    assert headers["Accept"] == "x"


def test_resolve_base_url_forms() -> None:
    assert resolve_base_url("eu") == "https://eu.api.capillarytech.com"
    assert resolve_base_url("apac2.api.capillarytech.com") == "https://apac2.api.capillarytech.com"
    assert resolve_base_url("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    with pytest.raises(ValueError, match="loopback"):
        resolve_base_url("http://example.com")
    assert resolve_base_url("http://example.com", allow_insecure_http=True) == "http://example.com"


def _token_transport(
    calls: list[dict[str, object]], *, ttl: int = 300, fail: bool = False
) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        if fail:
            return httpx.Response(
                401,
                json={"data": None, "errors": [{"code": 320001, "message": "Invalid client key"}]},
            )
        return httpx.Response(
            200,
            json={"data": {"accessToken": f"t{len(calls)}", "ttlSeconds": ttl}, "errors": None},
        )

    return httpx.MockTransport(handler)


async def test_oauth_token_is_cached_until_shortly_before_expiry() -> None:
    now = [0.0]
    calls: list[dict[str, object]] = []
    session = OAuthSession(OAuthCredentials("k", "s"), "https://h", clock=lambda: now[0])
    async with httpx.AsyncClient(transport=_token_transport(calls)) as http:
        assert await session.token(http) == "t1"
        now[0] = 269.0
        assert await session.token(http) == "t1"
        now[0] = 271.0  # within the 30 s margin of a 300 s token
        assert await session.token(http) == "t2"
    assert calls[0] == {"key": "k", "secret": "s"}
    assert session.issued == 2


async def test_bad_oauth_credentials_raise_auth_failed_without_the_secret() -> None:
    calls: list[dict[str, object]] = []
    session = OAuthSession(OAuthCredentials("k", "very-secret"), "https://h")
    async with httpx.AsyncClient(transport=_token_transport(calls, fail=True)) as http:
        with pytest.raises(AuthFailed) as caught:
            await session.token(http)
    assert "very-secret" not in str(caught.value)
    assert caught.value.code == 320001


async def test_unreachable_token_endpoint_is_not_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    session = OAuthSession(OAuthCredentials("k", "s"), "https://h")
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(ConnectFailed):
            await session.token(http)

"""The client loads a CA bundle only for a target that can use one."""

from __future__ import annotations

import ssl

import pytest

from comms_tui.api.target import BasicCredentials, Target
from comms_tui.api.transport import http_client


def verify_mode(base_url: str, verify_tls: bool = True) -> ssl.VerifyMode:
    target = Target(
        base_url=base_url, credentials=BasicCredentials("u", "p"), verify_tls=verify_tls
    )
    context = http_client(target)._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert isinstance(context, ssl.SSLContext)
    return context.verify_mode


def test_an_https_target_verifies_certificates() -> None:
    assert verify_mode("https://api.example.com") == ssl.CERT_REQUIRED


def test_a_profile_that_turns_verification_off_is_obeyed() -> None:
    assert verify_mode("https://api.example.com", verify_tls=False) == ssl.CERT_NONE


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:9", "http://localhost:8080"])
def test_a_plain_http_target_loads_no_certificates(base_url: str) -> None:
    """It never does TLS (no redirects are followed; the token URL is on the same host)."""
    assert verify_mode(base_url) == ssl.CERT_NONE

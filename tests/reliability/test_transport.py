"""Transport safety: TLS verified by default, turning it off takes an explicit flag (and warns on
every start), plain http:// only to loopback unless the profile says otherwise, no credentials in
URLs, no redirects followed."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from comms_tui.api.channels import Channel
from comms_tui.api.client import CommsClient
from comms_tui.api.errors import ConnectFailed, InvalidInput
from comms_tui.api.outcomes import RetryPolicy
from comms_tui.api.requests import SendRequest, build_request
from comms_tui.api.results import Outcome
from comms_tui.api.target import BasicCredentials, Target, resolve_base_url
from comms_tui.store.profiles import Profile
from comms_tui.store.resolve import target_from_environment
from tests.reliability.rogue_server import Behaviour, RogueServer
from tests.support.cli import run_cli

GOOD = "919591471711"


def _request() -> SendRequest:
    return build_request(Channel.SMS, [GOOD], {"body": "747977 is your OTP"})


# --------------------------------------------------------------------------- base URLs


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("eu", "https://eu.api.capillarytech.com"),
        ("apac.api.capillarytech.com", "https://apac.api.capillarytech.com"),
        ("https://ushc.api.capillarytech.com/", "https://ushc.api.capillarytech.com"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("http://127.9.9.9", "http://127.9.9.9"),
        ("http://localhost:1", "http://localhost:1"),
        ("http://[::1]:8765", "http://[::1]:8765"),
    ],
)
def test_hosts_default_to_https_and_http_is_for_loopback(host: str, expected: str) -> None:
    assert resolve_base_url(host) == expected


@pytest.mark.parametrize(
    "host",
    [
        "http://eu.api.capillarytech.com",
        "http://10.0.0.8:8765",
        "http://0.0.0.0:8765",  # every interface, not loopback
        "http://localhost.example.com",  # a name that merely starts like loopback
        "http://127.0.0.1.nip.io",
        "http://[::ffff:127.0.0.1]",  # v4-mapped: refused rather than guessed
    ],
)
def test_plain_http_elsewhere_needs_the_explicit_setting(host: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_base_url(host)
    assert refused.value.field == "host" and "loopback" in refused.value.message
    assert resolve_base_url(host, allow_insecure_http=True).startswith("http://")


@pytest.mark.parametrize(
    "host",
    ["https://till:s3cret-pass@eu.api.capillarytech.com", "http://till@127.0.0.1:8765",
     "ftp://till:s3cret-pass@example.com"],
)  # fmt: skip
def test_credentials_in_the_url_are_refused_without_echoing_them(host: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_base_url(host, allow_insecure_http=True)
    assert "s3cret" not in refused.value.message and "till" not in refused.value.message


@pytest.mark.parametrize("host", ["ftp://example.com", "https://", "https://x.example?a=1"])
def test_other_schemes_and_urls_with_queries_are_refused(host: str) -> None:
    with pytest.raises(InvalidInput):
        resolve_base_url(host)


def test_tls_verification_is_on_unless_a_profile_turns_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Target(base_url="https://x.example", credentials=BasicCredentials("u", "p")).verify_tls
    assert Profile(name="p", host="eu", auth="basic", username="u").verify_tls
    # The environment override has no way to turn it off.
    monkeypatch.setenv("COMMS_TUI_HOST", "eu")
    monkeypatch.setenv("COMMS_TUI_USERNAME", "u")
    monkeypatch.setenv("COMMS_TUI_PASSWORD", "p")
    from_env = target_from_environment()
    assert from_env is not None and from_env.verify_tls
    monkeypatch.setenv("COMMS_TUI_HOST", "http://eu.api.capillarytech.com")
    with pytest.raises(InvalidInput):
        target_from_environment()


# --------------------------------------------------------------------------- TLS on the wire


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem)."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "comms-tui test")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(certificate: tuple[Path, Path], rogue: Callable[..., RogueServer]) -> RogueServer:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return rogue(Behaviour.OK, tls_context=context)


async def _send(target: Target, blocking: bool) -> tuple[Outcome, object]:
    async with CommsClient(target, blocking=blocking) as client:
        result = await client.send(_request())
    return result.outcome, result.error


async def test_a_self_signed_server_fails_verification_and_gets_nothing(
    tls_server: RogueServer, monkeypatch: pytest.MonkeyPatch, blocking: bool
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    target = Target(base_url=tls_server.base_url, credentials=BasicCredentials("u", "p"))
    outcome, error = await _send(target, blocking)
    assert outcome is Outcome.REJECTED and isinstance(error, ConnectFailed)
    assert "CERTIFICATE_VERIFY_FAILED" in error.message  # says why, in the user's error
    assert tls_server.requests == 0  # the handshake failed: no header, no body went out


async def test_verification_is_real_a_trusted_certificate_passes(
    tls_server: RogueServer,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    blocking: bool,
) -> None:
    """Same server, its certificate trusted (httpx honours SSL_CERT_FILE): accepted. So the
    failure above was certificate verification, not TLS failing for some other reason."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    target = Target(base_url=tls_server.base_url, credentials=BasicCredentials("u", "p"))
    outcome, error = await _send(target, blocking)
    assert outcome is Outcome.ACCEPTED, error
    assert tls_server.requests == 1


async def test_turning_verification_off_reaches_the_self_signed_server(
    tls_server: RogueServer, blocking: bool
) -> None:
    target = Target(
        base_url=tls_server.base_url, credentials=BasicCredentials("u", "p"), verify_tls=False
    )
    outcome, error = await _send(target, blocking)
    assert outcome is Outcome.ACCEPTED, error
    assert tls_server.requests == 1


async def test_https_to_a_plain_http_server_never_falls_back_to_plain_text(
    rogue: Callable[..., RogueServer], blocking: bool
) -> None:
    server = rogue(Behaviour.OK)
    target = Target(
        base_url=server.base_url.replace("http://", "https://"),
        credentials=BasicCredentials("u", "p"),
        connect_timeout=1.0,
    )
    async with CommsClient(
        target, retry=RetryPolicy(connect_backoff=0.01), blocking=blocking
    ) as client:
        result = await client.send(_request())
    assert result.outcome is Outcome.REJECTED and isinstance(result.error, ConnectFailed)
    assert server.requests == 0  # the handshake failed: the request was never written
    assert server.connections == result.attempts == 3  # so retrying the connect was safe


async def test_redirects_are_not_followed_and_credentials_stay_put(blocking: bool) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(307, headers={"Location": "http://elsewhere.example/steal"})

    target = Target(
        base_url="https://eu.api.capillarytech.com", credentials=BasicCredentials("u", "p")
    )
    async with CommsClient(
        target, transport=httpx.MockTransport(answer), blocking=blocking
    ) as client:
        result = await client.send(_request())
    assert [r.url.host for r in seen] == ["eu.api.capillarytech.com"]
    assert result.outcome is Outcome.REJECTED and result.http_status == 307


# --------------------------------------------------------------------------- the CLI's profile path


def test_no_verify_tls_is_an_explicit_profile_flag_and_warns_on_every_send(
    tls_server: RogueServer, tmp_path: Path
) -> None:
    keyring = tmp_path / "keyring.json"
    added = run_cli(
        "profile", "add", "selfsigned", "--host", tls_server.base_url, "--username", "u",
        "--password-stdin", "--no-verify-tls", input="pw\n", keyring_file=keyring,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    shown = run_cli("profile", "show", "selfsigned", keyring_file=keyring)
    assert "verify TLS:" in shown.stdout and "NO" in shown.stdout
    for attempt in (1, 2):
        sent = run_cli(
            "send", "sms", "--profile", "selfsigned", "--to", GOOD, "--body", f"x{attempt}",
            "--json", keyring_file=keyring,
        )  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        assert "TLS verification is OFF" in sent.stderr  # every start, not once
    assert tls_server.requests == 2

    # The same host without the flag: verification on, the send fails, nothing reaches it.
    strict = run_cli(
        "profile", "add", "strict", "--host", tls_server.base_url, "--username", "u",
        "--password-stdin", input="pw\n", keyring_file=keyring,
    )  # fmt: skip
    assert strict.returncode == 0, strict.stderr
    refused = run_cli(
        "send", "sms", "--profile", "strict", "--to", GOOD, "--body", "y", "--json",
        keyring_file=keyring,
    )  # fmt: skip
    assert refused.returncode == 3 and "TLS verification is OFF" not in refused.stderr
    assert tls_server.requests == 2


def test_profile_test_warns_when_tls_verification_is_off(
    tls_server: RogueServer, tmp_path: Path
) -> None:
    """`profile test` is often the first thing run with a new profile: it warns like `send`."""
    keyring = tmp_path / "keyring.json"
    for name, flags in [("selfsigned", ("--no-verify-tls",)), ("strict", ())]:
        added = run_cli(
            "profile", "add", name, "--host", tls_server.base_url, "--username", "u",
            "--password-stdin", *flags, input="pw\n", keyring_file=keyring,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr

    tested = run_cli("profile", "test", "selfsigned", keyring_file=keyring)
    assert tested.returncode == 0, tested.stderr
    assert (
        "comms-tui: warning: TLS verification is OFF for profile selfsigned — certificates are "
        "not checked"
    ) in tested.stderr
    assert "TLS verification is OFF" not in tested.stdout  # stdout stays the result alone
    assert tls_server.requests == 1  # the check reached the self-signed server

    strict = run_cli("profile", "test", "strict", keyring_file=keyring)
    assert strict.returncode == 3 and "CERTIFICATE_VERIFY_FAILED" in strict.stderr
    assert "TLS verification is OFF" not in strict.stderr
    assert tls_server.requests == 1


def test_plain_http_to_a_remote_host_needs_allow_insecure_http(tmp_path: Path) -> None:
    keyring = tmp_path / "keyring.json"
    args = ("profile", "add", "plain", "--host", "http://comms.example.com", "--username", "u",
            "--password-stdin")  # fmt: skip
    refused = run_cli(*args, input="pw\n", keyring_file=keyring)
    assert refused.returncode == 2 and "loopback" in refused.stderr
    assert "plain" not in run_cli("profile", "list", keyring_file=keyring).stdout
    assert not keyring.exists() or "pw" not in keyring.read_text()  # nothing half-saved

    allowed = run_cli(*args, "--allow-insecure-http", input="pw\n", keyring_file=keyring)
    assert allowed.returncode == 0, allowed.stderr
    dry = run_cli(
        "send", "sms", "--profile", "plain", "--to", GOOD, "--body", "x", "--dry-run",
        keyring_file=keyring,
    )  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("POST http://comms.example.com/v2/communications/sendMessage")


def test_the_environment_cannot_point_plain_http_at_a_remote_host() -> None:
    env = {
        "COMMS_TUI_HOST": "http://comms.example.com",
        "COMMS_TUI_USERNAME": "u",
        "COMMS_TUI_PASSWORD": "pw",
    }
    proc = run_cli("send", "sms", "--to", GOOD, "--body", "x", "--dry-run", env=env)
    assert proc.returncode == 2 and "loopback" in proc.stderr

"""What a running app or command works against: a target, its profile, maybe a sandbox.

Opening a session may start the embedded sandbox or read the keyring, both slow or blocking:
the TUI opens it in a thread worker after the first frame, the CLI just calls it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from comms_tui.api.target import BasicCredentials, Target

if TYPE_CHECKING:
    from comms_tui.sandbox.server import EmbeddedSandbox
    from comms_tui.store.profiles import Profile
    from comms_tui.store.secrets import SecretStore

SANDBOX_USERNAME = "sandbox"
SANDBOX_PASSWORD = "sandbox"  # the sandbox's published demo credential, not a secret
SANDBOX_OTP_TEMPLATE = "{otp} is your OTP for {brand}. Valid for {minutes} minutes."
# With --sandbox: use the sandbox already running at this loopback URL instead of embedding one
# (``comms-tui serve --sandbox`` gives every browser tab the same one: one outbox for all).
SANDBOX_URL_ENV = "COMMS_TUI_SANDBOX_URL"


def sandbox_profile(base_url: str) -> Profile:
    """The built-in profile for the embedded sandbox (never written to disk)."""
    from comms_tui.store.profiles import Profile

    return Profile(
        name="sandbox",
        host=base_url,
        auth="basic",
        username=SANDBOX_USERNAME,
        region="IN",
        timezone="Asia/Kolkata",
        sender_ids={"": ["CAPNTH", "NRTHSMS"], "TILL:south.till": ["CAPSTH", "STHSMS"]},
        email_from="north@sandbox.example",
        templates={"otp": SANDBOX_OTP_TEMPLATE},
    )


@dataclass
class Session:
    target: Target
    profile: Profile | None
    sandbox: EmbeddedSandbox | None = None
    warnings: list[str] = field(default_factory=list)
    running_sandbox: bool = False  # a sandbox already running (``for_running_sandbox``), not ours

    @property
    def name(self) -> str:
        return self.profile.name if self.profile else (self.target.label or "environment")

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox is not None or self.running_sandbox

    @property
    def production(self) -> bool:
        return bool(self.profile and self.profile.production)

    @property
    def insecure_transport(self) -> str | None:
        """Why requests to this target are not protected in transit, or ``None`` if they are.

        Plain ``http://`` to a host other than loopback (only possible with the profile's
        ``allow_insecure_http``), or TLS certificates not verified (``--no-verify-tls``). The CLI
        warns with this on every start; the TUI shows it on every screen.
        """
        from urllib.parse import urlsplit

        parts = urlsplit(self.target.base_url)
        if parts.scheme == "http" and not self.target.is_loopback:
            return (
                f"plain http:// to {parts.hostname} for profile {self.name} — nothing is "
                "encrypted, credentials included"
            )
        if not self.target.verify_tls:
            return f"TLS verification is OFF for profile {self.name} — certificates are not checked"
        return None

    @classmethod
    def for_sandbox(cls, sandbox: EmbeddedSandbox | None = None) -> Session:
        """Start (or adopt) an embedded sandbox on loopback and target it with its demo login.

        Without one given, ``$COMMS_TUI_SANDBOX_URL`` names a running sandbox to use instead.
        """
        if sandbox is None and (url := os.environ.get(SANDBOX_URL_ENV, "").strip()):
            return cls.for_running_sandbox(url)
        from comms_tui.sandbox.server import EmbeddedSandbox

        sandbox = sandbox or EmbeddedSandbox()
        try:
            base_url = sandbox.base_url
        except RuntimeError:  # not started yet
            base_url = sandbox.start()
        target = Target(
            base_url=base_url,
            credentials=BasicCredentials(SANDBOX_USERNAME, SANDBOX_PASSWORD),
            label="sandbox",
        )
        return cls(target=target, profile=sandbox_profile(base_url), sandbox=sandbox)

    @classmethod
    def for_running_sandbox(cls, url: str) -> Session:
        """A sandbox already listening on loopback (not stopped by ``close``: not ours)."""
        from comms_tui.api.errors import InvalidInput
        from comms_tui.api.target import resolve_base_url

        base_url = resolve_base_url(url)  # refuses plain http:// to anything but loopback
        target = Target(
            base_url=base_url,
            credentials=BasicCredentials(SANDBOX_USERNAME, SANDBOX_PASSWORD),
            label="sandbox",
        )
        if not target.is_loopback:  # a sandbox is loopback only; typed recipients stay here
            raise InvalidInput(
                f"{SANDBOX_URL_ENV} must be a sandbox on loopback, not {base_url}", field="host"
            )
        return cls(target=target, profile=sandbox_profile(base_url), running_sandbox=True)

    @classmethod
    def for_profile(cls, name: str | None, secrets: SecretStore | None = None) -> Session:
        """The named profile, else the environment, else the default profile (store rules)."""
        from comms_tui.store.resolve import resolve_target
        from comms_tui.store.secrets import SecretStore, insecure_file_warning

        target, profile = resolve_target(name, secrets=secrets or SecretStore())
        session = cls(target=target, profile=profile)
        if text := insecure_file_warning():
            session.warnings.append(text)
        if text := session.insecure_transport:
            session.warnings.append(text)
        return session

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()

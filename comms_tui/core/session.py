"""What a running app or command works against: a target, its profile, maybe a sandbox.

A session is opened once per run (``Session.open``): from ``--sandbox`` (an embedded sandbox),
``--profile NAME``, the ``COMMS_TUI_*`` environment, or the default profile. It knows how input
is read for it (the validation context: phone region and time zone), and hands out the journal,
the HTTP client and the sender. Opening may start the embedded sandbox or read the keyring, both
slow or blocking: the TUI opens it in a thread worker after its first frame, the CLI just calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, TypeVar

from comms_tui.api.channels import Channel
from comms_tui.api.target import BasicCredentials, Target

if TYPE_CHECKING:
    from comms_tui.api.client import CommsClient
    from comms_tui.api.models import ValidationContext
    from comms_tui.api.requests import SendRequest
    from comms_tui.core.sender import Sender
    from comms_tui.sandbox.server import EmbeddedSandbox
    from comms_tui.store.history import Journal
    from comms_tui.store.profiles import Profile
    from comms_tui.store.secrets import SecretStore

T = TypeVar("T")

# The sandbox's published demo logins (§7 of the API contract): not secrets.
SANDBOX_USERNAME = "sandbox"
SANDBOX_PASSWORD = "sandbox"
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
    sandbox: EmbeddedSandbox | None = None  # embedded here: stopped by ``close``
    to_sandbox: bool = False  # the target is a sandbox comms-tui runs elsewhere
    warnings: list[str] = field(default_factory=list)
    # Measures latency; snapshot tests step it by a fixed amount so that figures are stable.
    timer: Callable[[], float] = time.perf_counter
    journal: Journal | None = None  # opened on first use (``open_journal``) unless given
    # Its I/O blocks the calling thread (a one-shot command: ``run_blocking``), instead of
    # waiting on an event loop and handing blocking work to threads (the TUI, the web server).
    blocking: bool = False
    _client: CommsClient | None = field(default=None, repr=False)

    # -- what it is ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.profile.name if self.profile else (self.target.label or "environment")

    @property
    def is_sandbox(self) -> bool:
        """Sends go to a sandbox (embedded, or one ``comms-tui sandbox`` runs): nobody receives
        them."""
        return self.sandbox is not None or self.to_sandbox

    @property
    def production(self) -> bool:
        return bool(self.profile and self.profile.production)

    @property
    def destination(self) -> str:
        """Where sends go, as a sentence fragment: ``the sandbox`` or ``profile acme (https://…)``."""
        return "the sandbox" if self.is_sandbox else f"{self.name} ({self.target.base_url})"

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

    # -- how input is read --------------------------------------------------------------------

    @property
    def zone(self) -> tzinfo:
        return zone_of(self.profile)

    @property
    def context(self) -> ValidationContext:
        """How typed input is read: numbers in the profile's region, times in ``zone``."""
        from comms_tui.api.models import ValidationContext

        return ValidationContext(region=self.profile.region if self.profile else None, tz=self.zone)

    def default_sender(self) -> str | None:
        """The sender ID used when none is given, if the profile knows it (its OU's first)."""
        if self.profile is None:
            return None
        own = str(self.target.attribution) if self.target.attribution is not None else ""
        ids = self.profile.sender_ids.get(own) or []
        return ids[0] if ids else None

    def build_request(
        self,
        channel: Channel,
        recipients: Sequence[str],
        fields: Mapping[str, Any],
        *,
        now: datetime | None = None,
    ) -> SendRequest:
        """The request for these wire-named fields, validated as this session reads input
        (``now``: the clock a schedule is judged by, if not the real one)."""
        import dataclasses

        from comms_tui.api.requests import build_request

        context = dataclasses.replace(self.context, now=now)
        return build_request(
            channel, recipients, fields, context=context, envelope=self.target.envelope
        )

    # -- what sending needs -------------------------------------------------------------------

    def open_journal(self) -> Journal:
        """The send journal (blocking: it creates the database on first use)."""
        if self.journal is None:
            from comms_tui.store.history import Journal

            self.journal = Journal(stale_after_seconds=pending_deadline_seconds())
        return self.journal

    @property
    def client(self) -> CommsClient:
        if self._client is None:
            from comms_tui.api.client import CommsClient

            self._client = CommsClient(self.target, timer=self.timer, blocking=self.blocking)
        return self._client

    async def offload(self, work: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``work(*args, **kwargs)`` (files, the journal, the keyring): in a thread, so an event
        loop stays free, or right here for a blocking session."""
        if self.blocking:
            return work(*args, **kwargs)
        import asyncio

        return await asyncio.to_thread(work, *args, **kwargs)

    def sender(self) -> Sender:
        """Sends through this session's client, journaled (opens the journal: blocking)."""
        from comms_tui.core.sender import Sender

        return Sender(self, self.client, self.open_journal())

    def set_read_timeout(self, seconds: float) -> None:
        import dataclasses

        if self._client is not None:
            raise RuntimeError("set the timeout before the first send")
        self.target = dataclasses.replace(self.target, read_timeout=seconds)

    async def aclose(self) -> None:
        """Close the HTTP client (on the event loop it was used on)."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def close(self) -> None:
        """Stop the embedded sandbox, if this session started one."""
        if self.sandbox is not None:
            self.sandbox.stop()

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        sandbox: bool = False,
        profile: str | None = None,
        read_timeout: str | None = None,
        secret: str | None = None,
    ) -> Session:
        """``--sandbox``, else ``--profile NAME``, else the environment, else the default
        profile (``NoTarget`` if there is none). Blocking: keyring, files, maybe a server.

        ``read_timeout`` (``--timeout``), else ``$COMMS_TUI_TIMEOUT``, bounds each answer;
        a bad value is ``InvalidInput``, before anything is opened. ``secret``: the profile's
        secret for this run only (``MissingSecret`` says which one to ask for).
        """
        import os

        from comms_tui.api.errors import InvalidInput

        raw = read_timeout if read_timeout is not None else os.environ.get(TIMEOUT_ENV)
        try:
            seconds = parse_timeout(raw) if raw else None
        except ValueError as exc:
            where = "--timeout" if read_timeout is not None else f"${TIMEOUT_ENV}"
            raise InvalidInput(f"{where}: {exc}", field="timeout") from None
        session = cls.for_sandbox() if sandbox else cls.for_profile(profile, secret=secret)
        if seconds is not None:
            session.set_read_timeout(seconds)
        return session

    @classmethod
    def for_sandbox(cls, sandbox: EmbeddedSandbox | None = None) -> Session:
        """Start (or adopt) an embedded sandbox on loopback and target it with its demo login.

        Without one given, ``$COMMS_TUI_SANDBOX_URL`` names a running sandbox to use instead.
        """
        import os

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
        return cls(target=target, profile=sandbox_profile(base_url), to_sandbox=True)

    @classmethod
    def for_profile(
        cls, name: str | None, secrets: SecretStore | None = None, *, secret: str | None = None
    ) -> Session:
        """The named profile, else the environment, else the default profile (store rules);
        ``secret`` is its secret for this run only, never stored."""
        from comms_tui.store.resolve import resolve_target
        from comms_tui.store.sandboxes import is_running_sandbox
        from comms_tui.store.secrets import SecretStore, insecure_file_warning

        target, profile = resolve_target(name, secrets=secrets or SecretStore(), secret=secret)
        to_sandbox = target.is_loopback and is_running_sandbox(target.base_url)
        session = cls(target=target, profile=profile, to_sandbox=to_sandbox)
        if text := insecure_file_warning():
            session.warnings.append(text)
        if text := session.insecure_transport:
            session.warnings.append(text)
        if name and profile is not None and (unused := _unused_environment()):
            session.warnings.append(
                f"{' and '.join(unused)} {'is' if len(unused) == 1 else 'are'} set, but profile "
                f"{profile.name} names the host and envelope: the environment gives only its secret"
            )
        return session


def _unused_environment() -> list[str]:
    """The variables that describe a target from the environment, set while a profile was
    named (which only takes its secret from there)."""
    import os

    from comms_tui.store.resolve import ENVELOPE_ENV, HOST_ENV

    return [name for name in (HOST_ENV, ENVELOPE_ENV) if os.environ.get(name)]


def zone_of(profile: Profile | None) -> tzinfo:
    """The zone times are read and shown in: the profile's, else the machine's (``$TZ``
    honoured)."""
    from comms_tui.api.schedule import local_zone

    if profile is not None:
        from zoneinfo import ZoneInfo

        return ZoneInfo(profile.timezone)
    return local_zone()


def pending_deadline_seconds() -> float:
    """How long a send may be in flight when its journal entry does not say (one an older
    comms-tui wrote): the client's bound on one attempt, connect timeout + read timeout
    (``$COMMS_TUI_TIMEOUT``, default 30 s). Each send now records its own (``Sender.send``).

    A journal entry still ``pending`` after that was left by a process that died mid-send
    (crash, SIGKILL): it reads as ``unknown``.
    """
    from comms_tui.api.target import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT

    return DEFAULT_CONNECT_TIMEOUT + (read_timeout_from_environment() or DEFAULT_READ_TIMEOUT)


TIMEOUT_ENV = "COMMS_TUI_TIMEOUT"
# The read timeout is how long the server has to answer once it has the whole request; when it
# runs out, the message may have gone out: unknown. Capillary's API takes hundreds of
# milliseconds to answer, more under load or across continents, so a timeout under a second
# would turn sends that succeed into unknowns — for no gain: nobody waits less for one send.
MIN_TIMEOUT = 1.0
MAX_TIMEOUT = 600.0


def parse_timeout(raw: str) -> float:
    """Seconds from ``--timeout`` / ``$COMMS_TUI_TIMEOUT``; ``ValueError`` saying why not."""
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"timeout must be a number of seconds, not {raw!r}") from None
    if not MIN_TIMEOUT <= seconds <= MAX_TIMEOUT:
        raise ValueError(
            f"timeout must be from {MIN_TIMEOUT:g} to {MAX_TIMEOUT:g} seconds, not {raw.strip()}"
            + (" (less would leave most sends unknown)" if 0 < seconds < MIN_TIMEOUT else "")
        )
    return seconds


def read_timeout_from_environment() -> float | None:
    import os

    raw = os.environ.get(TIMEOUT_ENV)
    if not raw:
        return None
    try:
        return parse_timeout(raw)
    except ValueError:
        return None
